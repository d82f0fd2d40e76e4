//! `report.html`: the report's Markdown as one self-contained page. Every plot is inlined as
//! SVG, the tables sort by any column, each group draws its runs as dots with their raw figures
//! (a tooltip on each dot, a table beneath), and the matrix's config closes the page. Inline CSS
//! with light and dark schemes and a small script of its own; nothing is fetched from anywhere,
//! so the page works from `file://`, and its Content-Security-Policy forbids any request, so a
//! browser reports one that a change might add.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::conclusions::{Answer, Conclusions, Outcome};
use crate::export::answers::{self, anchor};
use crate::export::markdown;
use crate::format::num;
use crate::metric::Metric;
use crate::record::{Meta, RunRecord};
use crate::summary::{FamilySummary, Summary};

/// The page for `summary`; `dir` holds the `plots/` the Markdown refers to.
pub fn render(summary: &Summary, meta: &Meta, records: &[RunRecord], dir: &Path) -> String {
    let mut ids = Ids::default();
    let mut body = String::new();
    for section in markdown::sections(summary, meta) {
        if let Some(conclusions) = &section.answers {
            body.push_str(&answers_block(conclusions, dir, &mut ids));
            continue;
        }
        body.push_str(&to_html(&section.text, dir, &mut ids));
        if let Some(f) = section.group.and_then(|i| summary.families.get(i)) {
            body.push_str(&runs(f, records));
        }
    }
    if let Some(config) = &meta.effective {
        let text = serde_json::to_string_pretty(config).unwrap_or_default();
        let _ = writeln!(
            body,
            "<details><summary>The config the matrix read (<code>meta.json</code>)</summary><pre>{}</pre></details>",
            escape(&text)
        );
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"color-scheme\" content=\"light dark\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n<title>concbench report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<button id=\"theme\" type=\"button\" aria-label=\"Switch between light and dark\">◐</button>\n<main>\n{body}</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )
}

/// The answers first, as a compact block: each answered question beside the forest plots of the
/// groups it rests on; the questions this run does not measure in one line beneath.
fn answers_block(c: &Conclusions, dir: &Path, ids: &mut Ids) -> String {
    let mut out = format!(
        "<h2 id=\"{}\">Answers</h2>\n<div class=\"answers\">\n",
        ids.next("Answers")
    );
    let (unmeasured, measured): (Vec<&Answer>, Vec<&Answer>) = c.answers.iter().partition(|a| {
        matches!(
            &a.outcome,
            Outcome::NotAnswered {
                why: crate::conclusions::answers::NotAnswered::NotMeasured { .. }
            }
        )
    });
    for a in measured {
        let links: Vec<String> = answers::sections(c, a)
            .iter()
            .map(|(name, heading)| format!("<a href=\"#{}\">{}</a>", anchor(heading), escape(name)))
            .collect();
        let plots: String = plot_groups(a)
            .iter()
            .filter_map(|id| {
                let src = format!("plots/{id}-speedup.svg");
                let g = c.groups.iter().find(|g| &g.id == id)?;
                dir.join(&src).is_file().then(|| figure(dir, &src, &g.title))
            })
            .collect();
        let _ = writeln!(
            out,
            "<div class=\"answer\"><div><h3>{}</h3>{}<p class=\"links\">{}</p></div><div class=\"plots\">{plots}</div></div>",
            escape(answers::question(a.question)),
            inline(&answers::line(a)),
            links.join(" · ")
        );
    }
    out.push_str("</div>\n");
    if !unmeasured.is_empty() {
        let list: Vec<String> = unmeasured
            .iter()
            .map(|a| format!("{} {}", answers::question(a.question), answers::line(a)))
            .collect();
        out.push_str(&inline(&list.join(" ")).replacen("<p>", "<p class=\"unmeasured\">", 1));
    }
    out
}

/// The groups whose forest plots stand beside answer `a`.
fn plot_groups(a: &Answer) -> Vec<String> {
    match &a.outcome {
        Outcome::Runtimes { groups } => groups.iter().map(|g| g.group.clone()).collect(),
        Outcome::Ranked(_) => a.group.iter().cloned().collect(),
        _ => Vec::new(),
    }
}

/// One line of Markdown as a paragraph of HTML.
fn inline(text: &str) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, Parser::new(text));
    html
}

/// Heading ids as GitHub makes them (a repeated heading gets `-1`, `-2`, …), so that the
/// answers' links to `#section` work on the page as on GitHub.
#[derive(Default)]
struct Ids(HashMap<String, usize>);

impl Ids {
    fn next(&mut self, heading: &str) -> String {
        let base = anchor(heading);
        let seen = self.0.entry(base.clone()).or_insert(0);
        let id = match *seen {
            0 => base,
            n => format!("{base}-{n}"),
        };
        *seen += 1;
        id
    }
}

/// Markdown to HTML: headings get their ids, images of `plots/*.svg` become the SVG itself, and
/// every table sits in a box that scrolls sideways on a narrow screen.
fn to_html(text: &str, dir: &Path, ids: &mut Ids) -> String {
    let events: Vec<Event> = Parser::new_ext(text, Options::ENABLE_TABLES).collect();
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::Heading { level, .. }) => {
                let end = close(&events, i);
                let id = ids.next(&plain_text(&events[i + 1..end]));
                out.push(Event::Html(CowStr::from(format!(
                    "<{} id=\"{id}\">",
                    tag(*level)
                ))));
                out.extend(events[i + 1..end].iter().cloned());
                out.push(Event::Html(CowStr::from(format!("</{}>\n", tag(*level)))));
                i = end + 1;
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                let end = close(&events, i);
                let alt = plain_text(&events[i + 1..end]);
                // An image alone in its paragraph: the figure replaces the paragraph.
                let alone = matches!(out.last(), Some(Event::Start(Tag::Paragraph)))
                    && matches!(events.get(end + 1), Some(Event::End(TagEnd::Paragraph)));
                if alone {
                    out.pop();
                }
                out.push(Event::Html(CowStr::from(figure(dir, dest_url, &alt))));
                i = end + 1 + usize::from(alone);
            }
            Event::Start(Tag::Table(_)) => {
                out.push(Event::Html(CowStr::from("<div class=\"scroll\">")));
                out.push(events[i].clone());
                i += 1;
            }
            Event::End(TagEnd::Table) => {
                out.push(events[i].clone());
                out.push(Event::Html(CowStr::from("</div>\n")));
                i += 1;
            }
            _ => {
                out.push(events[i].clone());
                i += 1;
            }
        }
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    html
}

fn tag(level: HeadingLevel) -> String {
    format!("h{}", level as usize)
}

/// The index of the event that closes the one at `start`.
fn close(events: &[Event], start: usize) -> usize {
    let mut depth = 0usize;
    for (i, e) in events.iter().enumerate().skip(start) {
        match e {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    events.len() - 1
}

fn plain_text(events: &[Event]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
            _ => None,
        })
        .collect()
}

/// A plot inlined: the SVG file's own markup (it has a `viewBox`, so CSS scales it to the
/// column), or a line that says the file is missing.
fn figure(dir: &Path, src: &str, alt: &str) -> String {
    let safe = !src.contains("..") && src.starts_with("plots/") && src.ends_with(".svg");
    match std::fs::read_to_string(dir.join(src)) {
        Ok(svg) if safe => {
            let start = svg.find("<svg").unwrap_or(0);
            let svg = svg[start..].replacen(
                "<svg ",
                &format!("<svg role=\"img\" aria-label=\"{}\" ", escape(alt)),
                1,
            );
            format!("<figure>{svg}<figcaption>{}</figcaption></figure>\n", escape(alt))
        }
        _ => format!("<p class=\"missing\">Plot {} is missing.</p>\n", escape(src)),
    }
}

/// The raw figures of one run that its dot's tooltip and its row give.
const RUN_COLUMNS: [Metric; 4] = [
    Metric::Wall,
    Metric::CpuSeconds,
    Metric::RssPeak,
    Metric::ThreadsPeak,
];

/// A group's measured runs: a strip of dots, one row per entry, along its wall time, each dot's
/// tooltip its raw figures; then, folded, a table of every run with its ending.
fn runs(f: &FamilySummary, records: &[RunRecord]) -> String {
    let mine: Vec<&RunRecord> = records
        .iter()
        .filter(|r| {
            !r.warmup
                && r.sweep.is_none()
                && r.family == f.family
                && r.scenario == f.scenario
                && r.group == f.group
        })
        .collect();
    if mine.is_empty() {
        return String::new();
    }
    let mut out = String::from("<section class=\"runs\">\n");
    out.push_str(&strip(f, &mine));
    out.push_str("<details><summary>Every run's raw figures</summary><div class=\"scroll\"><table>\n<thead><tr><th>entry</th><th>run</th><th>ending</th>");
    for m in RUN_COLUMNS {
        let _ = write!(out, "<th>{}{}</th>", escape(m.title()), unit(m));
    }
    out.push_str("<th>probe (ms)</th></tr></thead>\n<tbody>\n");
    for r in &mine {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td>",
            escape(&r.entry),
            r.index,
            r.outcome.name()
        );
        for m in RUN_COLUMNS {
            let _ = write!(out, "<td>{}</td>", figure_of(r, m));
        }
        let probe = r.probe_ms.map_or("–".into(), num);
        let _ = writeln!(out, "<td>{probe}</td></tr>");
    }
    out.push_str("</tbody></table></div></details>\n</section>\n");
    out
}

fn unit(m: Metric) -> String {
    match m.unit() {
        "" => String::new(),
        u => format!(" ({u})"),
    }
}

fn figure_of(r: &RunRecord, m: Metric) -> String {
    r.report
        .as_ref()
        .and_then(|rep| m.read(rep))
        .map_or("–".into(), num)
}

/// Geometry of the strip, in SVG units.
const WIDTH: f64 = 720.0;
const LEFT: f64 = 170.0;
const RIGHT: f64 = 20.0;
const ROW: f64 = 24.0;

/// The dots: x is the run's wall time (a log axis when the times span more than 20×), a row per
/// entry in the group's order.
fn strip(f: &FamilySummary, runs: &[&RunRecord]) -> String {
    let wall = |r: &RunRecord| r.report.as_ref().and_then(|rep| Metric::Wall.read(rep));
    let values: Vec<f64> = runs.iter().filter_map(|r| wall(r)).filter(|v| *v > 0.0).collect();
    let (Some(lo), Some(hi)) = (
        values.iter().copied().reduce(f64::min),
        values.iter().copied().reduce(f64::max),
    ) else {
        return String::new();
    };
    let log = hi / lo > 20.0;
    let (a, b) = match log {
        true => (lo.ln(), hi.ln()),
        false => (0.0, hi),
    };
    let span = if b > a { b - a } else { 1.0 };
    let x = |v: f64| {
        let t = if log { v.ln() } else { v };
        LEFT + (t - a) / span * (WIDTH - LEFT - RIGHT)
    };
    let height = ROW * f.entries.len() as f64 + 34.0;
    let mut out = format!(
        "<figure><svg class=\"strip\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"Each run's wall time\">\n"
    );
    for (row, e) in f.entries.iter().enumerate() {
        let y = ROW * row as f64 + ROW / 2.0 + 4.0;
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{y}\" text-anchor=\"end\" dy=\"0.35em\">{}</text><line class=\"rule\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\"/>",
            LEFT - 8.0,
            escape(&e.label),
            WIDTH - RIGHT
        );
        for r in runs.iter().filter(|r| r.entry == e.label) {
            let Some(v) = wall(r).filter(|v| *v > 0.0) else {
                continue;
            };
            let _ = writeln!(
                out,
                "<circle cx=\"{:.1}\" cy=\"{y}\" r=\"4\"><title>{}</title></circle>",
                x(v),
                escape(&tooltip(r))
            );
        }
    }
    out.push_str(&axis(ROW * f.entries.len() as f64 + 22.0, log, lo, hi));
    out.push_str("</svg><figcaption>Each measured run as a dot; hover or tap a dot for its figures.</figcaption></figure>\n");
    out
}

/// The strip's axis line at `y`: its ends and what it measures.
fn axis(y: f64, log: bool, lo: f64, hi: f64) -> String {
    let (start, scale) = match log {
        true => (num(lo), "log scale"),
        false => ("0".into(), "from 0"),
    };
    format!(
        "<text x=\"{LEFT}\" y=\"{y}\">{start}</text><text x=\"{}\" y=\"{y}\" text-anchor=\"end\">{} s</text><text x=\"{}\" y=\"{y}\" text-anchor=\"middle\">wall time per run (s, {scale})</text>\n",
        WIDTH - RIGHT,
        num(hi),
        (LEFT + WIDTH - RIGHT) / 2.0,
    )
}

/// A run's raw figures in one line.
fn tooltip(r: &RunRecord) -> String {
    let mut parts = vec![format!("{}, run {}", r.entry, r.index)];
    for m in RUN_COLUMNS {
        if let Some(v) = r.report.as_ref().and_then(|rep| m.read(rep)) {
            parts.push(format!(
                "{} {}{}",
                m.title().to_lowercase(),
                num(v),
                m.unit_suffix()
            ));
        }
    }
    if let Some(p) = r.probe_ms {
        parts.push(format!("probe {} ms", num(p)));
    }
    parts.join(" · ")
}

/// `text` safe inside HTML text and attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// The page's style: light and dark schemes (the system's, or the button's), tables that scroll
/// sideways on a phone.
const STYLE: &str = include_str!("report.css");

/// Sorting (click or Enter on a header), the theme button, and `#selftest`, which sorts a table as
/// a click would and says in `body[data-selftest]` whether the rows came out in order, for
/// `scripts/check-html.sh`.
const SCRIPT: &str = include_str!("report.js");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::tests::{everything, meta};
    use crate::testdata;

    fn page() -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        let mut records = testdata::matrix();
        records.extend(testdata::task_costs());
        records.extend(testdata::idle_sweep());
        crate::export::write_all(dir.path(), &everything(), &meta(), &records).unwrap();
        let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
        (dir, html)
    }

    #[test]
    fn the_page_inlines_every_plot_and_asks_no_other_host() {
        let (_dir, html) = page();
        let md = markdown::render(&everything(), &meta());
        let images = md.matches("](plots/").count();
        assert!(images > 5, "{images}");
        let start = html.find("<div class=\"answers\">").expect("the answers block");
        let end = start + html[start..].find("\n</div>\n").unwrap();
        let (answers, rest) = (&html[start..end], format!("{}{}", &html[..start], &html[end..]));
        assert_eq!(
            rest.matches("<figure><svg").count() - rest.matches("class=\"strip\"").count(),
            images
        );
        // The CPU answer stands beside its group's forest plot, before the group's section.
        assert!(
            answers.contains("Does concurrency help CPU-bound work?"),
            "{answers}"
        );
        assert_eq!(answers.matches("<figure><svg").count(), 1, "{answers}");
        assert!(start < html.find("id=\"cpu-bound-char-encoding\"").unwrap());
        assert!(!html.contains("<img"), "no image is loaded from a file");
        assert!(!html.contains("Plot plots/"), "no plot is missing");
        for attr in ["src=", "href=\"http", "url(", "@import"] {
            assert!(!html.contains(attr), "{attr}");
        }
    }

    #[test]
    fn headings_get_the_ids_the_answers_link_to() {
        let (_dir, html) = page();
        let links: Vec<&str> = html
            .split("href=\"#")
            .skip(1)
            .map(|s| &s[..s.find('"').unwrap()])
            .collect();
        assert!(!links.is_empty());
        for link in links {
            assert!(html.contains(&format!("id=\"{link}\"")), "#{link} has no target");
        }
    }

    #[test]
    fn each_group_draws_every_measured_run_as_a_dot_with_its_figures() {
        let (_dir, html) = page();
        let summary = everything();
        let records = testdata::matrix();
        let cpu = &summary.families[0];
        let wanted = records
            .iter()
            .filter(|r| {
                !r.warmup && r.family == cpu.family && r.scenario == cpu.scenario && r.group == cpu.group
            })
            .filter(|r| r.report.is_some())
            .count();
        let first = html.find("class=\"strip\"").unwrap();
        let end = first + html[first..].find("</svg>").unwrap();
        assert_eq!(html[first..end].matches("<circle").count(), wanted);
        assert!(
            html[first..end].contains("wall time "),
            "the tooltip names its figures"
        );
        assert!(
            html.contains("<td>failed</td>") || html.contains("<td>timeout</td>"),
            "failed runs are listed with their ending"
        );
    }

    #[test]
    fn markup_in_labels_is_escaped_and_ids_repeat_as_github_numbers_them() {
        assert_eq!(escape("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
        let mut ids = Ids::default();
        assert_eq!(ids.next("Every metric: CPU"), "every-metric-cpu");
        assert_eq!(ids.next("Every metric: CPU"), "every-metric-cpu-1");
    }
}
