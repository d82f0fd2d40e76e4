//! `summary.csv`: one row per entry (or sweep point) and metric, written by the csv crate.

use concbench_core::report::Family;
use serde::Serialize;

use crate::format::plain;
use crate::metric::Metric;
use crate::summary::{EntrySummary, Summary};

/// The header: [`Row`]'s field names (a test keeps them equal), written even when no run succeeded.
const COLUMNS: [&str; 21] = [
    "family",
    "scenario",
    "group",
    "entry",
    "model",
    "in_flight",
    "metric",
    "n",
    "mean",
    "sd",
    "median",
    "min",
    "max",
    "ci95_low",
    "ci95_high",
    "outliers",
    "speedup",
    "speedup_low",
    "speedup_high",
    "sweep_key",
    "sweep_value",
];

/// One row.
#[derive(Serialize)]
struct Row<'a> {
    family: Family,
    scenario: &'a str,
    group: &'a str,
    entry: &'a str,
    model: &'a str,
    in_flight: Option<u64>,
    metric: Metric,
    n: usize,
    mean: String,
    sd: String,
    median: String,
    min: String,
    max: String,
    ci95_low: String,
    ci95_high: String,
    outliers: usize,
    speedup: String,
    speedup_low: String,
    speedup_high: String,
    sweep_key: &'a str,
    sweep_value: String,
}

/// The file's text.
pub fn render(summary: &Summary) -> anyhow::Result<String> {
    let mut out = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    out.write_record(COLUMNS)?;
    for (place, e) in entries(summary) {
        for metric in Metric::ALL.into_iter().filter(|m| m.applies_to(place.0)) {
            if let Some(row) = row(place, e, metric) {
                out.serialize(row)?;
            }
        }
    }
    Ok(String::from_utf8(out.into_inner()?)?)
}

/// Where an entry stands: its family, scenario and group.
type Place<'a> = (Family, &'a str, &'a str);

/// Every entry of every group, then every sweep point, with its place.
fn entries(summary: &Summary) -> impl Iterator<Item = (Place<'_>, &EntrySummary)> {
    let plain = summary.families.iter().flat_map(|f| {
        let group = f.group.as_deref().unwrap_or("");
        f.entries
            .iter()
            .map(move |e| ((f.family, f.scenario.as_str(), group), e))
    });
    let swept = summary.sweeps.iter().flat_map(|sw| {
        sw.series.iter().flat_map(move |s| {
            s.points
                .iter()
                .map(move |e| ((sw.family, s.scenario.as_str(), ""), e))
        })
    });
    plain.chain(swept)
}

fn row<'a>((family, scenario, group): Place<'a>, e: &'a EntrySummary, metric: Metric) -> Option<Row<'a>> {
    let s = e.stats(metric)?;
    let speedup = e.speedup.as_ref().filter(|_| metric == Metric::Wall);
    let [speedup, speedup_low, speedup_high] = speedup.map_or(Default::default(), |p| {
        [p.median, p.ci95[0], p.ci95[1]].map(plain)
    });
    let (sweep_key, sweep_value) = e
        .sweep
        .as_ref()
        .map_or(("", String::new()), |p| (p.key.as_str(), plain(p.value)));
    Some(Row {
        family,
        scenario,
        group,
        entry: &e.label,
        model: &e.model,
        in_flight: e.in_flight,
        metric,
        n: s.n,
        mean: plain(s.mean),
        sd: plain(s.sd),
        median: plain(s.median),
        min: plain(s.min),
        max: plain(s.max),
        ci95_low: plain(s.ci95[0]),
        ci95_high: plain(s.ci95[1]),
        outliers: s.outliers.len(),
        speedup,
        speedup_low,
        speedup_high,
        sweep_key,
        sweep_value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::tests::{everything, snapshot};

    #[test]
    fn csv_snapshot() {
        snapshot("summary.csv", &render(&everything()).unwrap());
    }

    #[test]
    fn the_header_is_the_rows_field_names() {
        let summary = everything();
        let (place, e) = entries(&summary).next().unwrap();
        let mut out = csv::Writer::from_writer(Vec::new());
        out.serialize(row(place, e, Metric::Wall).unwrap()).unwrap();
        let text = String::from_utf8(out.into_inner().unwrap()).unwrap();
        assert_eq!(text.lines().next().unwrap(), COLUMNS.join(","));
        let empty = render(&Summary {
            families: vec![],
            sweeps: vec![],
            env: None,
            runs: Default::default(),
            warmups: 0,
            measured_s: None,
            instructions_unavailable: None,
            runner_ms_per_run: None,
            noise: None,
            margin_pct: 2.0,
            rules: Default::default(),
            versus: vec![],
            python: Vec::new(),
        })
        .unwrap();
        assert_eq!(empty, COLUMNS.join(",") + "\n", "a header even without rows");
    }

    #[test]
    fn labels_with_commas_and_quotes_are_quoted() {
        let mut summary = everything();
        summary.families[0].entries[0].label = "a, \"b\"".into();
        let text = render(&summary).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let first = reader.records().next().unwrap().unwrap();
        assert_eq!(&first[3], "a, \"b\"");
        assert!(text.contains("\"a, \"\"b\"\"\""), "{text}");
    }
}
