//! The files a matrix run leaves: `summary.json`, `summary.csv`, `report.md` and `plots/*.svg`.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::plot;
use crate::stats::Stats;
use crate::summary::{EntrySummary, METRICS, Metric, Summary};
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
        for metric in metrics_of(&family.family) {
            let file = dir
                .join("plots")
                .join(format!("{}-{}.svg", family.family, metric.key));
            plot::bars(&file, family, metric)?;
        }
    }
    Ok(())
}

/// The metrics shown for a family.
pub fn metrics_of(family: &str) -> impl Iterator<Item = &'static Metric> + '_ {
    METRICS
        .iter()
        .filter(move |m| m.family.is_none_or(|f| f == family))
}

/// One row per entry and metric.
pub fn csv(summary: &Summary) -> String {
    let mut out = String::from(
        "family,entry,model,metric,n,mean,sd,median,min,max,ci95_low,ci95_high,outliers,speedup,speedup_err\n",
    );
    for f in &summary.families {
        for e in &f.entries {
            for m in metrics_of(&f.family) {
                let Some(s) = e.metrics.get(m.key) else { continue };
                let speedup = e.speedup.filter(|_| m.key == "wall_s");
                let (r, err) = speedup.map_or((String::new(), String::new()), |[r, e]| (g(r), g(e)));
                let _ = writeln!(
                    out,
                    "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                    f.family,
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
                    err
                );
            }
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

/// A value with a precision that suits its size.
fn num(v: f64) -> String {
    let a = v.abs();
    if a >= 1000.0 {
        format!("{v:.0}")
    } else if a >= 100.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.4}")
    }
}

fn family_title(family: &str) -> &'static str {
    match family {
        "cpu" => "CPU-bound: char-encoding",
        _ => "IO-bound: HTTP",
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
        let _ = writeln!(out, "## {}\n", family_title(&f.family));
        let _ = writeln!(out, "Config (`[{}]`): {}.\n", f.family, config_line(&f.config));
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
        for m in metrics_of(&f.family) {
            let _ = writeln!(out, "### {}\n", m.title);
            out.push_str(&metric_table(&f.entries, m));
            let _ = writeln!(out, "\n![{}](plots/{}-{}.svg)\n", m.title, f.family, m.key);
        }
        out.push_str("### When to use what (from these numbers)\n\n");
        for sentence in verdict::sentences(f) {
            let _ = writeln!(out, "- {sentence}");
        }
        out.push('\n');
    }
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
    let unit = if m.unit.is_empty() {
        String::new()
    } else {
        format!(" ({})", m.unit)
    };
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
            (true, Some([r, err])) => format!(" | {r:.2}× ± {err:.2}"),
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

    #[test]
    fn csv_snapshot() {
        snapshot(
            "summary.csv",
            &csv(&summarise(&testdata::matrix(), &testdata::order())),
        );
    }

    #[test]
    fn markdown_snapshot() {
        snapshot(
            "report.md",
            &markdown(&summarise(&testdata::matrix(), &testdata::order()), &meta()),
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
