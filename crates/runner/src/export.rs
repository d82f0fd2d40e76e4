//! The files a matrix run leaves: `summary.json`, `summary.csv`, `report.md` and `plots/*.svg`.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::plot;
use crate::stats::Stats;
use crate::summary::{EntrySummary, FamilySummary, METRICS, Metric, Summary, SweepSummary};
use crate::verdict;

/// How the runs were made.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// The runner's command line.
    pub command: String,
    /// The config file, if one was given.
    pub config: Option<String>,
    /// When the matrix started, RFC 3339 UTC.
    pub started_at: String,
    /// When it ended.
    pub finished_at: String,
    /// True when it was interrupted before the end.
    pub interrupted: bool,
}

/// Writes every export of `summary` into `dir`.
pub fn write_all(dir: &Path, summary: &Summary, meta: &Meta) -> anyhow::Result<()> {
    let write = |name: &str, text: String| {
        std::fs::write(dir.join(name), text).with_context(|| format!("writing {}", dir.join(name).display()))
    };
    let json = serde_json::json!({ "meta": meta, "summary": summary });
    write("summary.json", serde_json::to_string_pretty(&json)? + "\n")?;
    write("summary.csv", csv(summary))?;
    write("report.md", markdown(summary, meta))?;
    std::fs::create_dir_all(dir.join("plots")).context("creating plots/")?;
    for family in &summary.families {
        for metric in metrics_of(family) {
            let file = dir
                .join("plots")
                .join(format!("{}-{}.svg", family.id(), metric.key));
            plot::bars(&file, family, metric)?;
        }
    }
    for sweep in &summary.sweeps {
        for metric in sweep_metrics(sweep) {
            let file = dir.join("plots").join(sweep_plot(sweep, metric));
            plot::lines(&file, sweep, metric)?;
        }
    }
    Ok(())
}

/// The metrics of a group that some entry has.
pub fn metrics_of(group: &FamilySummary) -> impl Iterator<Item = &'static Metric> + '_ {
    METRICS.iter().filter(move |m| {
        m.family.is_none_or(|f| f == group.family)
            && group.entries.iter().any(|e| e.metrics.contains_key(m.key))
    })
}

/// The metrics of a sweep that some point has, except the peak thread count.
pub fn sweep_metrics(sweep: &SweepSummary) -> impl Iterator<Item = &'static Metric> + '_ {
    METRICS.iter().filter(move |m| {
        m.key != "threads_peak"
            && sweep
                .series
                .iter()
                .any(|s| s.points.iter().any(|p| p.metrics.contains_key(m.key)))
    })
}

/// The file name of a sweep's plot of `metric`.
pub fn sweep_plot(sweep: &SweepSummary, metric: &Metric) -> String {
    let slug: String = sweep
        .axis
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    format!("sweep-{slug}-{}.svg", metric.key)
}

/// One row per entry and metric.
pub fn csv(summary: &Summary) -> String {
    let mut out = String::from(
        "family,scenario,entry,model,metric,n,mean,sd,median,min,max,ci95_low,ci95_high,outliers,speedup,speedup_err,sweep_key,sweep_value\n",
    );
    let plain = summary.families.iter().flat_map(|f| {
        f.entries
            .iter()
            .map(move |e| (f.family.as_str(), f.scenario.as_str(), e))
    });
    let swept = summary.sweeps.iter().flat_map(|sw| {
        sw.series.iter().flat_map(move |s| {
            s.points
                .iter()
                .map(move |e| (sw.family.as_str(), s.scenario.as_str(), e))
        })
    });
    for (family, scenario, e) in plain.chain(swept) {
        for m in METRICS.iter().filter(|m| m.family.is_none_or(|f| f == family)) {
            let Some(s) = e.metrics.get(m.key) else { continue };
            let speedup = e.speedup.filter(|_| m.key == "wall_s");
            let (r, err) = speedup.map_or((String::new(), String::new()), |[r, e]| (g(r), g(e)));
            let (key, value) = e
                .sweep
                .as_ref()
                .map_or((String::new(), String::new()), |p| (quote(&p.key), g(p.value)));
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                family,
                scenario,
                quote(&e.label),
                e.model,
                m.key,
                s.n,
                g(s.mean),
                g(s.sd),
                g(s.median),
                g(s.min),
                g(s.max),
                g(s.ci95[0]),
                g(s.ci95[1]),
                s.outliers.len(),
                r,
                err,
                key,
                value
            );
        }
    }
    out
}

fn g(v: f64) -> String {
    format!("{v:.6}")
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_string()
}

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A ratio and its uncertainty, `1.80× ± 0.04`: two decimals, or three significant digits of
/// the ratio below 0.1 (and as many decimals for the uncertainty).
pub fn ratio(r: f64, err: f64) -> String {
    let a = r.abs();
    let decimals = if a >= 0.1 || a == 0.0 {
        2
    } else {
        three_significant(a)
    };
    format!("{r:.decimals$}× ± {err:.decimals$}")
}

/// A value with a precision that suits its size.
pub fn num(v: f64) -> String {
    let a = v.abs();
    if a >= 1000.0 {
        format!("{v:.0}")
    } else if a >= 100.0 {
        format!("{v:.1}")
    } else if a >= 1.0 || a == 0.0 {
        format!("{v:.2}")
    } else {
        // Below 1: three significant digits (0.123, 0.0000286), so small times stay readable.
        let decimals = three_significant(a);
        format!("{v:.decimals$}")
    }
}

/// The decimals that show three significant digits of `a` (0 < a < 1), at least 3, at most 12.
fn three_significant(a: f64) -> usize {
    (2 - a.log10().floor() as i32).clamp(3, 12) as usize
}

fn group_title(f: &FamilySummary) -> String {
    match (f.family.as_str(), f.scenario.as_str()) {
        ("cpu", "main") => "CPU-bound: char-encoding".into(),
        ("io", _) => "IO-bound: HTTP".into(),
        (_, scenario) => format!("Task costs: {scenario}"),
    }
}

/// What a task-cost scenario does, for its section.
pub fn scenario_blurb(scenario: &str) -> &'static str {
    match scenario {
        "spawn-only" => {
            "Each model starts `units` empty units and waits for all: the start-up cost per unit."
        }
        "sleep-fixed" => "Each unit waits `sleep_ms` with the model's native sleep.",
        "sleep-variable" => "Each unit waits a seeded random fraction of `sleep_ms`.",
        "blocking-storm" => {
            "Each unit makes 10,000 `sched_yield` system calls (`std::thread::yield_now`); inside an async task they block the executor's thread."
        }
        "squares" => "Each unit builds a vector of the first 1,000,000 squares and checks it.",
        "idle-scale" => {
            "All units wait at once; the memory per waiting unit is the resident memory with every unit started, less the memory before the first, over the units."
        }
        _ => "",
    }
}

/// The report, laid out like the Python study's README: per family the experiment and its
/// config, a table and a plot per metric, the verdict; then the environment.
pub fn markdown(summary: &Summary, meta: &Meta) -> String {
    let mut out = String::from("# concbench report\n\n");
    let runs: Vec<String> = summary.runs.iter().map(|(k, v)| format!("{v} {k}")).collect();
    let _ = writeln!(
        out,
        "Runs: {} ({}), from {} to {}{}. Command: `{}`{}.\n",
        summary.runs.values().sum::<usize>(),
        runs.join(", "),
        meta.started_at,
        meta.finished_at,
        if meta.interrupted {
            ", **interrupted before the end**"
        } else {
            ""
        },
        meta.command,
        meta.config
            .as_ref()
            .map_or(String::new(), |c| format!(", config `{c}`"))
    );
    out.push_str("Each table gives the measured runs (warm-ups left out): mean ± standard deviation, median, the 95 % confidence interval of the mean, the range, the outliers flagged by the modified z-score (kept in every figure), and the speed relative to the family's baseline with its uncertainty.\n\n");
    for f in &summary.families {
        let _ = writeln!(out, "## {}\n", group_title(f));
        if f.scenario != "main" {
            let _ = writeln!(out, "{}\n", scenario_blurb(&f.scenario));
        }
        let section = if f.scenario == "main" {
            f.family.as_str()
        } else {
            "scenario"
        };
        let _ = writeln!(out, "Config (`[{section}]`): {}.\n", config_line(&f.config));
        let _ = writeln!(
            out,
            "Baseline: {}. Same work in every run: {}.\n",
            f.baseline,
            if f.same_work {
                "yes (same units and checksum)"
            } else {
                "**no**"
            }
        );
        for m in metrics_of(f) {
            let _ = writeln!(out, "### {}\n", m.title);
            out.push_str(&metric_table(&f.entries, m));
            let _ = writeln!(out, "\n![{}](plots/{}-{}.svg)\n", m.title, f.id(), m.key);
        }
        out.push_str("### When to use what (from these numbers)\n\n");
        for sentence in verdict::sentences(f) {
            let _ = writeln!(out, "- {sentence}");
        }
        out.push('\n');
    }
    for sweep in &summary.sweeps {
        out.push_str(&sweep_section(sweep));
    }
    out.push_str(&crate::findings::markdown(summary));
    out.push_str("## Environment\n\n");
    match &summary.env {
        Some(e) => {
            out.push_str("| CPU | cores | memory | OS | kernel | host | rustc | commit | profile |\n|---|---:|---:|---|---|---|---|---|---|\n");
            let _ = writeln!(
                out,
                "| {} | {} | {} MiB | {} | {} | {} | {} | {} | {} |",
                e.cpu_model,
                e.cores_logical,
                e.mem_total_mib,
                e.os,
                e.kernel,
                e.host,
                e.rustc,
                e.git_sha,
                e.profile
            );
        }
        None => out.push_str("No run succeeded, so no report described the machine.\n"),
    }
    if let Some(s) = &summary.runner_ms_per_run {
        let _ = writeln!(
            out,
            "\nThe runner's own time per run (fork and exec, reading and parsing the report, building the record): median {:.2} ms, max {:.2} ms over {} runs.",
            s.median, s.max, s.n
        );
    }
    out
}

/// A sweep: per metric a table (a row per series, a column per value) and a line plot; then
/// the points that could not run, with their error.
fn sweep_section(sweep: &SweepSummary) -> String {
    let mut out = format!("## Sweep: {}\n\n", sweep.axis);
    let keys: Vec<String> = sweep
        .series
        .iter()
        .map(|s| format!("{} sweeps `{}`", s.label, s.key))
        .collect();
    let _ = writeln!(
        out,
        "{}. Each cell is the mean ± the half-width of its 95 % confidence interval. Same work at every value: {}.\n",
        keys.join("; "),
        if sweep.same_work {
            "yes (same units and checksum)"
        } else {
            "**no**"
        }
    );
    let values: Vec<String> = sweep.values.iter().map(|v| g(*v)).collect();
    let work: Vec<String> = sweep
        .values
        .iter()
        .filter_map(|v| {
            let units = sweep.series.iter().find_map(|s| s.at(*v)?.work.as_ref())?.units;
            Some(format!("{} → {units}", g(*v)))
        })
        .collect();
    let _ = writeln!(
        out,
        "Units of work per run (requests for IO) at each value: {}.\n",
        work.join(", ")
    );
    for m in sweep_metrics(sweep) {
        let unit = m.unit_suffix();
        let _ = writeln!(out, "### {}{unit}\n", m.title);
        let _ = writeln!(out, "| series | {} |", values.join(" | "));
        let _ = writeln!(out, "|---|{}", "---:|".repeat(values.len()));
        for s in &sweep.series {
            let cells: Vec<String> = sweep
                .values
                .iter()
                .map(|v| match s.at(*v) {
                    None => "".into(),
                    Some(p) => match p.metrics.get(m.key) {
                        Some(st) => format!("{} ± {}", num(st.mean), num((st.ci95[1] - st.ci95[0]) / 2.0)),
                        None if p.ok == 0 => "could not run".into(),
                        None => "–".into(),
                    },
                })
                .collect();
            let _ = writeln!(out, "| {} | {} |", s.label, cells.join(" | "));
        }
        let _ = writeln!(out, "\n![{}](plots/{})\n", m.title, sweep_plot(sweep, m));
    }
    let failed: Vec<String> = sweep
        .series
        .iter()
        .flat_map(|s| s.points.iter())
        .filter(|p| p.failed > 0)
        .map(|p| {
            format!(
                "- {}: {} of {} runs did not succeed{}",
                p.label,
                p.failed,
                p.failed + p.ok,
                p.error.as_ref().map_or(String::new(), |e| format!(": `{e}`"))
            )
        })
        .collect();
    if !failed.is_empty() {
        let _ = writeln!(out, "Points that could not run:\n\n{}\n", failed.join("\n"));
    }
    out
}

fn config_line(config: &serde_json::Value) -> String {
    match config.as_object() {
        Some(map) => map
            .iter()
            .map(|(k, v)| format!("`{k}` = {v}"))
            .collect::<Vec<_>>()
            .join(", "),
        None => "not recorded".into(),
    }
}

fn metric_table(entries: &[EntrySummary], m: &Metric) -> String {
    let unit = m.unit_suffix();
    let wall = m.key == "wall_s";
    let mut out = format!("| entry | runs | mean ± sd{unit} | median | 95 % CI | min – max | outliers |");
    out.push_str(if wall { " speed vs baseline |\n" } else { "\n" });
    out.push_str(if wall {
        "|---|---:|---:|---:|---:|---:|---:|---:|\n"
    } else {
        "|---|---:|---:|---:|---:|---:|---:|\n"
    });
    for e in entries {
        let runs = if e.failed > 0 {
            format!("{} (+{} failed)", e.ok, e.failed)
        } else {
            e.ok.to_string()
        };
        let Some(s) = e.metrics.get(m.key) else {
            let _ = writeln!(
                out,
                "| {} | {runs} | – | – | – | – | –{} |",
                e.label,
                if wall { " | –" } else { "" }
            );
            continue;
        };
        let speed = match (wall, e.speedup) {
            (true, Some([r, err])) => format!(" | {}", ratio(r, err)),
            (true, None) => " | –".into(),
            (false, _) => String::new(),
        };
        let _ = writeln!(out, "| {} | {runs} | {}{speed} |", e.label, cells(s));
    }
    out
}

fn cells(s: &Stats) -> String {
    format!(
        "{} ± {} | {} | {} – {} | {} – {} | {}",
        num(s.mean),
        num(s.sd),
        num(s.median),
        num(s.ci95[0]),
        num(s.ci95[1]),
        num(s.min),
        num(s.max),
        s.outliers.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::summarise;
    use crate::testdata;

    fn meta() -> Meta {
        Meta {
            command: "runner --config configs/test.toml".into(),
            config: Some("configs/test.toml".into()),
            started_at: "2026-01-01T00:00:00Z".into(),
            finished_at: "2026-01-01T00:01:00Z".into(),
            interrupted: false,
        }
    }

    /// Compares `text` with the committed snapshot; `UPDATE_SNAPSHOTS=1` rewrites it.
    fn snapshot(name: &str, text: &str) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots").join(name);
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(&path, text).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == text,
            "{name} differs from its snapshot; review and rerun with UPDATE_SNAPSHOTS=1\n{text}"
        );
    }

    /// The matrix, two task-cost groups and an idle-scale sweep.
    fn everything() -> Summary {
        let mut records = testdata::matrix();
        records.extend(testdata::task_costs());
        records.extend(testdata::idle_sweep());
        summarise(&records, &testdata::order())
    }

    #[test]
    fn csv_snapshot() {
        snapshot("summary.csv", &csv(&everything()));
    }

    #[test]
    fn markdown_snapshot() {
        snapshot("report.md", &markdown(&everything(), &meta()));
    }

    #[test]
    fn sweeps_get_line_plots_with_log_axes_across_decades() {
        let dir = tempfile::tempdir().unwrap();
        write_all(dir.path(), &everything(), &meta()).unwrap();
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
        )
        .unwrap();
        for file in [
            "summary.json",
            "summary.csv",
            "report.md",
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
