//! The files a matrix run leaves: `summary.json` ([`json`]), `summary.csv` ([`csv`]),
//! `report.md` ([`markdown`]), `plots/*.svg` ([`plot`], [`forest`]) and the CI services' shapes
//! ([`ci`]); which metrics each shows and the plots' file names in [`layout`].

pub mod answers;
pub mod ci;
pub mod columns;
pub mod counts;
pub mod csv;
pub mod forest;
pub mod html;
pub mod json;
pub mod layout;
pub mod markdown;
pub mod plot;
pub mod prose;
pub mod sweeps;
pub mod versus;

use std::path::Path;

use anyhow::Context;

use crate::export::layout::{
    forest_plot, group_plot, has_forest, metrics_of, per_unit, per_unit_name, sweep_metrics,
    sweep_per_unit_plot, sweep_plot,
};
use crate::metric::Metric;
use crate::ranking;
use crate::record::{Meta, RunRecord};
use crate::stats::Standing;
use crate::summary::FamilySummary;
use crate::summary::Summary;

/// Writes every export of `summary` into `dir`.
pub fn write_all(dir: &Path, summary: &Summary, meta: &Meta, records: &[RunRecord]) -> anyhow::Result<()> {
    let write = |name: &str, text: String| {
        std::fs::write(dir.join(name), text).with_context(|| format!("writing {}", dir.join(name).display()))
    };
    write("summary.json", json::render(summary, meta)?)?;
    write("summary.csv", csv::render(summary)?)?;
    write("report.md", markdown::render(summary, meta))?;
    write(
        "conclusions.json",
        crate::conclusions::render(summary, meta.config.as_deref())?,
    )?;
    let figures = ci::figures(summary);
    let smaller = ci::github_action(&figures, crate::metric::Direction::LowerIsBetter)?;
    write("bench.github-action.smaller.json", smaller)?;
    let bigger = ci::github_action(&figures, crate::metric::Direction::HigherIsBetter)?;
    write("bench.github-action.bigger.json", bigger)?;
    write("bench.bmf.json", ci::bmf(&figures)?)?;
    std::fs::create_dir_all(dir.join("plots")).context("creating plots/")?;
    for family in &summary.families {
        if has_forest(family) {
            forest(
                &dir.join("plots").join(forest_plot(family)),
                family,
                summary.margin_pct,
            )?;
        }
        for metric in metrics_of(family) {
            plot::bars(
                &dir.join("plots").join(group_plot(family, metric)),
                family,
                metric,
            )?;
        }
    }
    for sweep in &summary.sweeps {
        for metric in sweep_metrics(sweep) {
            plot::lines(&dir.join("plots").join(sweep_plot(sweep, metric)), sweep, metric)?;
        }
        if let Some(scaled) = per_unit(sweep) {
            let file = dir.join("plots").join(sweep_per_unit_plot(sweep));
            plot::lines_named(&file, &scaled, Metric::Wall, &per_unit_name(sweep))?;
        }
    }
    // Last: the page inlines the plots.
    write("report.html", html::render(summary, meta, records, dir))?;
    Ok(())
}

/// A group's forest plot: each entry's paired speed-up with its interval, the margin shaded,
/// coloured by its standing (ties grey).
fn forest(file: &Path, f: &FamilySummary, margin_pct: f64) -> anyhow::Result<()> {
    let bound = ranking::loadgen_bound(f).is_some();
    let rows: Vec<forest::RatioRow> = f
        .entries
        .iter()
        .filter(|e| e.label != f.baseline)
        .filter_map(|e| {
            let s = e.speedup.as_ref()?;
            Some(forest::RatioRow {
                label: e.label.clone(),
                ratio: s.median,
                ci95: s.ci95,
                tone: match f.standing_of(&e.label).standing() {
                    Some(Standing::Faster) => forest::Tone::Better,
                    Some(Standing::Slower) => forest::Tone::Worse,
                    _ => forest::Tone::Tie,
                },
            })
        })
        .collect();
    let title = format!(
        "{}: speed-up over {} (paired, 95 % interval)",
        f.title(),
        f.baseline
    );
    let note = match bound {
        true => "; not ranked: the load generator was the bound",
        false => "",
    };
    let desc = format!(
        "{} wall time ÷ entry's, log scale (above 1: faster); shaded: 1 ± {} %{note}",
        f.baseline,
        crate::format::plain(margin_pct)
    );
    let forest = forest::Forest {
        title: &title,
        desc: &desc,
        margin_pct: Some(margin_pct),
    };
    forest::ratios(file, &forest, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::summarise;
    use crate::testdata;

    /// Compares `text` with the committed snapshot; `UPDATE_SNAPSHOTS=1` rewrites it (and fails).
    pub(crate) fn snapshot(name: &str, text: &str) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots").join(name);
        concbench_core::testing::assert_committed(&path, text, "UPDATE_SNAPSHOTS");
    }

    pub(crate) fn meta() -> Meta {
        Meta {
            command: "runner --config configs/test.toml".into(),
            config: Some("configs/test.toml".into()),
            started_at: "2026-01-01T00:00:00Z".into(),
            finished_at: "2026-01-01T00:01:00Z".into(),
            interrupted: false,
            stopped: None,
            reference: None,
            margin_pct: 2.0,
            ..Meta::default()
        }
    }

    /// The matrix, two task-cost groups and an idle-scale sweep.
    pub(crate) fn everything() -> Summary {
        let mut records = testdata::matrix();
        records.extend(testdata::task_costs());
        records.extend(testdata::idle_sweep());
        summarise(&records, &testdata::order())
    }

    #[test]
    fn sweeps_get_line_plots_with_log_axes_across_decades() {
        let dir = tempfile::tempdir().unwrap();
        let mut records = testdata::matrix();
        records.extend(testdata::task_costs());
        records.extend(testdata::idle_sweep());
        write_all(dir.path(), &everything(), &meta(), &records).unwrap();
        let svg =
            std::fs::read_to_string(dir.path().join("plots/sweep-units-waiting-rss_peak_mib.svg")).unwrap();
        assert!(svg.contains("units waiting, log scale"), "x spans 1 to 100,000");
        assert!(
            svg.contains("tokio") && svg.contains("threads"),
            "a legend entry per series"
        );
        assert!(svg.contains("<polyline"), "lines");
        let per_unit =
            std::fs::read_to_string(dir.path().join("plots/cpu-spawn-only-per_unit_us.svg")).unwrap();
        assert!(per_unit.contains("Wall time per unit"));
        assert!(
            !dir.path().join("plots/cpu-per_unit_us.svg").exists(),
            "no per-unit plot for the main workload"
        );
        let report = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
        assert!(
            report.contains("| threads | 4.55 ± 0.635 | 14.55 ± 0.635 | could not run |  |"),
            "{report}"
        );
    }

    #[test]
    fn write_all_leaves_every_file_and_plot() {
        let dir = tempfile::tempdir().unwrap();
        write_all(
            dir.path(),
            &summarise(&testdata::matrix(), &testdata::order()),
            &meta(),
            &testdata::matrix(),
        )
        .unwrap();
        for file in [
            "summary.json",
            "summary.csv",
            "report.md",
            "report.html",
            "plots/cpu-wall_s.svg",
            "plots/io-req_per_s.svg",
        ] {
            assert!(dir.path().join(file).is_file(), "{file}");
        }
        let svg = std::fs::read_to_string(dir.path().join("plots/cpu-wall_s.svg")).unwrap();
        assert!(
            svg.contains("<svg") && svg.contains("cpu-threads 2") && svg.contains("Wall time"),
            "labels are text"
        );
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("summary.json")).unwrap()).unwrap();
        assert_eq!(json["meta"]["command"], "runner --config configs/test.toml");
        assert_eq!(json["summary"]["families"][0]["baseline"], "cpu-sync");
    }
}
