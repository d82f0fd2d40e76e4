//! The workspace's shape, checked on its sources: no file over 600 lines outside its tests, no
//! runner function over 60 lines, and no circle between the top-level modules of any crate (a
//! module that names `crate::a` depends on `a`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_FILE_LINES: usize = 600;
const MAX_RUNNER_FN_LINES: usize = 60;

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every file under `dir` whose name ends in `.ext`, sorted, the folders named in `skip` left
/// out.
fn files(dir: &Path, ext: &str, skip: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let skipped = entry.file_name().to_str().is_some_and(|n| skip.contains(&n));
        if path.is_dir() && !skipped {
            out.extend(files(&path, ext, skip));
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Every `.rs` file under `dir`, sorted.
fn sources(dir: &Path) -> Vec<PathBuf> {
    files(dir, "rs", &[])
}

/// The lines of `path` before its top-level test module; none for a `tests.rs`, a test module
/// of its own file.
fn code_lines(path: &Path) -> Vec<String> {
    if path.file_name().is_some_and(|n| n == "tests.rs") {
        return Vec::new();
    }
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .take_while(|l| !l.starts_with("#[cfg(test)]"))
        .map(str::to_string)
        .collect()
}

fn crate_sources() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(crates_dir()).expect("crates/").flatten() {
        let src = entry.path().join("src");
        let name = entry.file_name().to_string_lossy().into_owned();
        out.extend(sources(&src).into_iter().map(|p| (name.clone(), p)));
    }
    out.sort();
    out
}

#[test]
fn no_file_is_over_600_lines_outside_its_tests() {
    let long: Vec<String> = crate_sources()
        .into_iter()
        .map(|(_, p)| (code_lines(&p).len(), p))
        .filter(|(n, _)| *n > MAX_FILE_LINES)
        .map(|(n, p)| format!("{} ({n} lines)", p.display()))
        .collect();
    assert!(long.is_empty(), "over {MAX_FILE_LINES} lines: {long:?}");
}

/// The functions of `lines` (name, first line, length), from a `fn` line to the closing brace at
/// its indentation, as rustfmt writes them.
fn functions(lines: &[String]) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let sig = ["pub(crate) ", "pub(super) ", "pub ", ""]
            .iter()
            .find_map(|vis| trimmed.strip_prefix(vis))
            .and_then(|rest| rest.strip_prefix("async ").or(Some(rest)))
            .and_then(|rest| rest.strip_prefix("fn "));
        let Some(sig) = sig else { continue };
        if trimmed.ends_with(';') || trimmed.ends_with('}') {
            continue; // a declaration, or a one-line body
        }
        let name: String = sig
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let close = format!("{indent}}}");
        if let Some(end) = lines[i..].iter().position(|l| *l == close) {
            out.push((name, i + 1, end + 1));
        }
    }
    out
}

#[test]
fn no_runner_function_is_over_60_lines() {
    let src = crates_dir().join("runner").join("src");
    let long: Vec<String> = sources(&src)
        .into_iter()
        .flat_map(|p| {
            functions(&code_lines(&p))
                .into_iter()
                .filter(|(_, _, n)| *n > MAX_RUNNER_FN_LINES)
                .map(move |(name, at, n)| format!("{}:{at} {name} ({n} lines)", p.display()))
        })
        .collect();
    assert!(long.is_empty(), "over {MAX_RUNNER_FN_LINES} lines: {long:?}");
}

#[test]
fn the_function_finder_measures_what_rustfmt_writes() {
    let text = "fn a() {\n    1\n}\n\npub(crate) fn b(\n    x: u8,\n) -> u8 {\n    x\n}\nfn c() {}\n";
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let found = functions(&lines);
    assert_eq!(found, vec![("a".into(), 1, 3), ("b".into(), 5, 5)]);
}

/// The top-level module a source file belongs to (`crate` for the root).
fn top_module(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).expect("under src");
    let first = rel
        .components()
        .next()
        .expect("a path")
        .as_os_str()
        .to_string_lossy();
    let first = first.trim_end_matches(".rs");
    match first {
        "lib" | "main" => "crate".into(),
        other => other.into(),
    }
}

/// The top-level modules that `lines` name as `crate::m` (comments left out).
fn named_modules(lines: &[String]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in lines.iter().filter(|l| !l.trim_start().starts_with("//")) {
        for (at, _) in line.match_indices("crate::") {
            let rest = &line[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let group = group.split('}').next().unwrap_or("");
                out.extend(
                    group
                        .split(',')
                        .filter_map(|m| m.trim().split("::").next())
                        .map(str::to_string),
                );
            } else {
                out.insert(
                    rest.chars()
                        .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                        .collect(),
                );
            }
        }
    }
    out
}

/// A circle through `start` in `graph`, if there is one.
fn circle(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    let mut stack = vec![vec![start.to_string()]];
    let mut seen = BTreeSet::new();
    while let Some(path) = stack.pop() {
        let last = path.last().expect("a path");
        for next in graph.get(last).into_iter().flatten() {
            if next == start {
                return Some([path.clone(), vec![next.clone()]].concat());
            }
            if seen.insert(next.clone()) {
                stack.push([path.clone(), vec![next.clone()]].concat());
            }
        }
    }
    None
}

/// Each crate's top-level modules and the modules each names (only modules of that crate).
fn module_graphs() -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let mut graphs: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (krate, file) in crate_sources() {
        let src = crates_dir().join(&krate).join("src");
        let top = top_module(&src, &file);
        let deps = named_modules(&code_lines(&file));
        graphs
            .entry(krate)
            .or_default()
            .entry(top.clone())
            .or_default()
            .extend(deps.into_iter().filter(|d| *d != top));
    }
    for graph in graphs.values_mut() {
        let modules: BTreeSet<String> = graph.keys().cloned().collect();
        for deps in graph.values_mut() {
            deps.retain(|d| modules.contains(d));
        }
    }
    graphs
}

/// The runner's analysis: from run records to statistics, standings and conclusions.
const ANALYSIS: [&str; 7] = [
    "stats",
    "metric",
    "record",
    "noise",
    "summary",
    "ranking",
    "conclusions",
];
/// The runner's renderers: words, sentences, tables, pages.
const RENDERERS: [&str; 7] = [
    "format", "words", "verdict", "findings", "openloop", "table", "export",
];

#[test]
fn the_analysis_names_no_renderer() {
    let graphs = module_graphs();
    let runner = &graphs["runner"];
    let mut crossings = Vec::new();
    for a in ANALYSIS {
        let deps = runner.get(a).unwrap_or_else(|| panic!("runner has a module {a}"));
        crossings.extend(
            deps.iter()
                .filter(|d| RENDERERS.contains(&d.as_str()))
                .map(|d| format!("{a} → {d}")),
        );
    }
    for r in RENDERERS {
        assert!(runner.contains_key(r), "runner has a module {r}");
    }
    assert!(crossings.is_empty(), "analysis naming a renderer: {crossings:?}");
}

#[test]
fn no_crate_has_a_module_circle() {
    let mut graphs = module_graphs();
    let mut circles = Vec::new();
    for (krate, graph) in &mut graphs {
        let modules: BTreeSet<String> = graph.keys().cloned().collect();
        for module in modules.iter().filter(|m| *m != "crate") {
            if let Some(c) = circle(graph, module) {
                circles.push(format!("{krate}: {}", c.join(" → ")));
            }
        }
    }
    assert!(circles.is_empty(), "module circles: {circles:?}");
    assert!(graphs["runner"].len() > 10, "the runner's modules were found");
}

#[test]
fn the_circle_finder_finds_a_circle() {
    let graph: BTreeMap<String, BTreeSet<String>> = [("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), BTreeSet::from([v.to_string()])))
        .collect();
    assert_eq!(
        circle(&graph, "a"),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    assert_eq!(circle(&graph, "d"), None);
    let lines = vec![
        "use crate::{alpha, beta::X};".to_string(),
        "// crate::gamma".to_string(),
    ];
    assert_eq!(
        named_modules(&lines),
        BTreeSet::from(["alpha".to_string(), "beta".to_string()])
    );
}

/// Each package of the workspace's graph and the features it is built with, for one set of
/// dependency kinds (`normal,build`: the benchmark build; `normal,build,dev`: the tests).
fn features(edges: &str) -> BTreeMap<String, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["tree", "--frozen", "--workspace", "--prefix", "none", "-e", edges])
        .args(["-f", "{p}|{f}"])
        .current_dir(crates_dir())
        .output()
        .expect("cargo tree runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once('|'))
        .map(|(p, f)| (p.replace(" (*)", ""), f.replace(" (*)", "")))
        .collect()
}

/// `cargo test --release` after the README's first command compiles test harnesses only when
/// the tests' dev-dependencies turn on no feature of a package the benchmark build also uses
/// (core's Cargo.toml turns on what jsonschema does, for that).
#[test]
fn the_tests_build_every_shared_dependency_as_the_benchmark_build_does() {
    let (bench, tests) = (features("normal,build"), features("normal,build,dev"));
    assert!(bench.len() > 100, "{} packages", bench.len());
    let differ: Vec<String> = bench
        .iter()
        .filter_map(|(p, f)| {
            let t = tests.get(p)?;
            (t != f).then(|| format!("{p}: [{f}] in the benchmark build, [{t}] in the tests"))
        })
        .collect();
    assert!(differ.is_empty(), "{differ:#?}");
}

/// A report line as a page quotes it: its trailing links to the report's own sections left out.
fn without_links(line: &str) -> &str {
    match line.rfind(" ([") {
        Some(at) if line.ends_with(")") && line[at..].contains("](#") => &line[..at],
        _ => line,
    }
}

#[test]
fn every_quoted_report_line_is_in_its_report() {
    let root = crates_dir().join("..");
    let mut checked = 0;
    let mut stale = Vec::new();
    for page in files(&root, "md", &["target", "results", ".git"]) {
        let text = std::fs::read_to_string(&page).unwrap();
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            let Some(source) = line
                .strip_prefix("<!-- quoted: ")
                .and_then(|l| l.strip_suffix(" -->"))
            else {
                continue;
            };
            let report = std::fs::read_to_string(root.join(source))
                .unwrap_or_else(|e| panic!("{}: {source}: {e}", page.display()));
            let said: BTreeSet<&str> = report.lines().map(without_links).collect();
            for quoted in lines.by_ref().take_while(|l| *l != "<!-- end quoted -->") {
                let quoted = quoted.strip_prefix("> ").unwrap_or(quoted);
                checked += 1;
                if !said.contains(quoted) {
                    stale.push(format!("{}: not in {source}: {quoted}", page.display()));
                }
            }
        }
    }
    assert!(
        stale.is_empty(),
        "quotes that differ from their report:\n{}",
        stale.join("\n")
    );
    assert!(checked >= 3, "the README's quoted answers were found ({checked})");
}
