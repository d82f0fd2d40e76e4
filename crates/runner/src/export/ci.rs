//! The shapes benchmark-tracking services ingest, so that a CI job needs no converter:
//!
//! - `bench.github-action.smaller.json` and `bench.github-action.bigger.json`: the custom format
//!   of github-action-benchmark, `[{"name", "unit", "value", "range", "extra"}]`, one file per
//!   direction since the action's `tool` (`customSmallerIsBetter`, `customBiggerIsBetter`) is
//!   set per file. Times, CPU time and memory are smaller-is-better; rates and paired speed-ups
//!   bigger-is-better.
//! - `bench.bmf.json`: Bencher's metric format, `{"<benchmark>": {"<measure>": {"value",
//!   "lower_value", "upper_value"}}}`.
//!
//! Every figure is one of summary.json's: a metric's mean with its 95 % interval, or an entry's
//! paired speed-up (the median of per-round ratios) with its interval. Names are
//! `<group>/<entry>/<metric>`, the group as in file names (`io-equal-budget-50-in-flight`).

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::metric::{Direction, Metric};
use crate::summary::{EntrySummary, FamilySummary, Summary};

/// The metrics a tracking service gets, where an entry has them.
pub const TRACKED: [Metric; 6] = [
    Metric::Wall,
    Metric::CpuSeconds,
    Metric::RssPeak,
    Metric::PssPeak,
    Metric::ReqPerS,
    Metric::RoundTripsPerS,
];

/// One figure of one entry: its name, unit, direction, value and interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// `<group>/<entry>/<measure>`.
    pub name: String,
    /// The measure's key (`wall_s`, `speedup`).
    pub measure: String,
    /// The unit, e.g. `s`, `MiB`, `req/s`, `×`.
    pub unit: String,
    /// Which way is better.
    pub direction: Direction,
    /// The mean (a metric) or the median of the ratios (a speed-up).
    pub value: f64,
    /// The 95 % interval.
    pub interval: [f64; 2],
    /// Runs (a metric) or rounds (a speed-up) behind it.
    pub n: usize,
}

/// Every tracked figure of `summary`, group by group.
pub fn figures(summary: &Summary) -> Vec<Figure> {
    summary
        .families
        .iter()
        .flat_map(|f| f.entries.iter().flat_map(move |e| of_entry(f, e)))
        .collect()
}

fn of_entry(f: &FamilySummary, e: &EntrySummary) -> Vec<Figure> {
    let base = format!("{}/{}", f.id(), e.label);
    let mut out: Vec<Figure> = TRACKED
        .iter()
        .filter_map(|m| {
            let s = e.stats(*m)?;
            Some(Figure {
                name: format!("{base}/{}", m.key()),
                measure: m.key().into(),
                unit: m.unit().into(),
                direction: m.direction(),
                value: s.mean,
                interval: s.ci95,
                n: s.n,
            })
        })
        .collect();
    if let Some(p) = e.speedup.as_ref().filter(|_| e.label != f.baseline) {
        out.push(Figure {
            name: format!("{base}/speedup"),
            measure: "speedup".into(),
            unit: format!("× over {}", f.baseline),
            direction: Direction::HigherIsBetter,
            value: p.median,
            interval: p.ci95,
            n: p.n,
        });
    }
    out
}

/// One entry of github-action-benchmark's custom format.
#[derive(Debug, Serialize)]
struct ActionEntry<'a> {
    name: &'a str,
    unit: &'a str,
    value: f64,
    range: String,
    extra: String,
}

/// `bench.github-action.<smaller|bigger>.json`: the figures that improve in `direction`.
pub fn github_action(figures: &[Figure], direction: Direction) -> anyhow::Result<String> {
    let entries: Vec<ActionEntry> = figures
        .iter()
        .filter(|f| f.direction == direction)
        .map(|f| ActionEntry {
            name: &f.name,
            unit: &f.unit,
            value: f.value,
            range: format!("{} – {}", f.interval[0], f.interval[1]),
            extra: format!("95 % interval {} – {}, n = {}", f.interval[0], f.interval[1], f.n),
        })
        .collect();
    Ok(serde_json::to_string_pretty(&entries)? + "\n")
}

/// `bench.bmf.json`: Bencher's metric format.
pub fn bmf(figures: &[Figure]) -> anyhow::Result<String> {
    let mut benchmarks: Map<String, Value> = Map::new();
    for f in figures {
        let benchmark = f.name.rsplit_once('/').map_or(f.name.as_str(), |(b, _)| b);
        let measures = benchmarks
            .entry(benchmark.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        measures[&f.measure] = json!({
            "value": f.value,
            "lower_value": f.interval[0],
            "upper_value": f.interval[1],
        });
    }
    Ok(serde_json::to_string_pretty(&Value::Object(benchmarks))? + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::summarise;
    use crate::testdata;

    /// github-action-benchmark's custom format: an array of objects, each with a string `name`
    /// and `unit` and a number `value`, optionally a string `range` and `extra`, nothing else.
    fn check_action_shape(text: &str) -> Vec<Value> {
        let all: Vec<Value> = serde_json::from_str(text).expect("an array");
        for e in &all {
            let o = e.as_object().expect("an object");
            assert!(
                o["name"].is_string() && o["unit"].is_string() && o["value"].is_number(),
                "{e}"
            );
            assert!(
                o.get("range").is_none_or(Value::is_string) && o.get("extra").is_none_or(Value::is_string)
            );
            assert!(
                o.keys()
                    .all(|k| ["name", "unit", "value", "range", "extra"].contains(&k.as_str())),
                "{e}"
            );
        }
        all
    }

    #[test]
    fn the_ci_exports_have_the_documented_shapes_and_summary_json_values() {
        let summary = summarise(&testdata::matrix(), &[]);
        let figures = figures(&summary);
        let json: Value = serde_json::from_str(
            &crate::export::json::render(&summary, &crate::export::tests::meta()).unwrap(),
        )
        .unwrap();
        let smaller = check_action_shape(&github_action(&figures, Direction::LowerIsBetter).unwrap());
        let bigger = check_action_shape(&github_action(&figures, Direction::HigherIsBetter).unwrap());
        assert_eq!(smaller.len() + bigger.len(), figures.len());
        assert!(
            smaller
                .iter()
                .all(|e| !e["name"].as_str().unwrap().ends_with("/speedup"))
        );
        let bmf: Value = serde_json::from_str(&bmf(&figures).unwrap()).unwrap();
        let mut checked = 0;
        for (g, family) in json["summary"]["families"].as_array().unwrap().iter().enumerate() {
            let f = &summary.families[g];
            for entry in family["entries"].as_array().unwrap() {
                let label = entry["label"].as_str().unwrap();
                let wall = &entry["metrics"]["wall_s"];
                if wall.is_null() {
                    continue; // no run succeeded
                }
                let name = format!("{}/{label}/wall_s", f.id());
                let action = smaller
                    .iter()
                    .find(|e| e["name"] == name.as_str())
                    .expect("a wall time");
                assert_eq!(action["value"], wall["mean"], "{name}");
                assert_eq!(action["unit"], "s");
                let measure = &bmf[format!("{}/{label}", f.id())]["wall_s"];
                assert_eq!(
                    (
                        &measure["value"],
                        &measure["lower_value"],
                        &measure["upper_value"]
                    ),
                    (&wall["mean"], &wall["ci95"][0], &wall["ci95"][1])
                );
                if label != f.baseline && !entry["speedup"].is_null() {
                    let speedup = bigger
                        .iter()
                        .find(|e| e["name"] == format!("{}/{label}/speedup", f.id()).as_str())
                        .expect("a speed-up");
                    assert_eq!(speedup["value"], entry["speedup"]["median"]);
                }
                checked += 1;
            }
        }
        assert!(checked >= 4, "{checked} entries checked");
        for measures in bmf.as_object().unwrap().values() {
            for m in measures.as_object().unwrap().values() {
                let (v, lo, hi) = (
                    m["value"].as_f64(),
                    m["lower_value"].as_f64(),
                    m["upper_value"].as_f64(),
                );
                assert!(v.is_some() && lo <= v && v <= hi, "{m}");
            }
        }
    }
}
