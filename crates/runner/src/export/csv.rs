//! `summary.csv`: one row per entry (or sweep point) and metric, written by the csv crate.

use concbench_core::report::Family;
use serde::Serialize;

use crate::format::plain;
use crate::metric::Metric;
use crate::summary::{EntrySummary, Summary};

/// The header: [`Row`]'s field names (a test keeps them equal), written even when no run succeeded.
const COLUMNS: [&str; 18] = [
    "family",
    "scenario",
    "entry",
    "model",
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
    "speedup_err",
    "sweep_key",
    "sweep_value",
];

/// One row.
#[derive(Serialize)]
struct Row<'a> {
    family: Family,
    scenario: &'a str,
    entry: &'a str,
    model: &'a str,
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
    speedup_err: String,
    sweep_key: &'a str,
    sweep_value: String,
}

/// The file's text.
pub fn render(summary: &Summary) -> anyhow::Result<String> {
    let mut out = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    out.write_record(COLUMNS)?;
    for (family, scenario, e) in entries(summary) {
        for metric in Metric::ALL.into_iter().filter(|m| m.applies_to(family)) {
            if let Some(row) = row(family, scenario, e, metric) {
                out.serialize(row)?;
            }
        }
    }
    Ok(String::from_utf8(out.into_inner()?)?)
}

/// Every entry of every group, then every sweep point, with its family and scenario.
fn entries(summary: &Summary) -> impl Iterator<Item = (Family, &str, &EntrySummary)> {
    let plain = summary
        .families
        .iter()
        .flat_map(|f| f.entries.iter().map(move |e| (f.family, f.scenario.as_str(), e)));
    let swept = summary.sweeps.iter().flat_map(|sw| {
        sw.series
            .iter()
            .flat_map(move |s| s.points.iter().map(move |e| (sw.family, s.scenario.as_str(), e)))
    });
    plain.chain(swept)
}

fn row<'a>(family: Family, scenario: &'a str, e: &'a EntrySummary, metric: Metric) -> Option<Row<'a>> {
    let s = e.stats(metric)?;
    let speedup = e.speedup.filter(|_| metric == Metric::Wall);
    let (speedup, speedup_err) =
        speedup.map_or((String::new(), String::new()), |[r, e]| (plain(r), plain(e)));
    let (sweep_key, sweep_value) = e
        .sweep
        .as_ref()
        .map_or(("", String::new()), |p| (p.key.as_str(), plain(p.value)));
    Some(Row {
        family,
        scenario,
        entry: &e.label,
        model: &e.model,
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
        speedup_err,
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
        let (family, scenario, e) = entries(&summary).next().unwrap();
        let mut out = csv::Writer::from_writer(Vec::new());
        out.serialize(row(family, scenario, e, Metric::Wall).unwrap())
            .unwrap();
        let text = String::from_utf8(out.into_inner().unwrap()).unwrap();
        assert_eq!(text.lines().next().unwrap(), COLUMNS.join(","));
        let empty = render(&Summary {
            families: vec![],
            sweeps: vec![],
            env: None,
            runs: Default::default(),
            runner_ms_per_run: None,
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
        assert_eq!(&first[2], "a, \"b\"");
        assert!(text.contains("\"a, \"\"b\"\"\""), "{text}");
    }
}
