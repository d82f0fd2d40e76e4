//! The plots: per group and metric, a horizontal bar per entry at its mean with the 95 %
//! confidence interval as an error bar ([`bars`]); per sweep and metric, a line per series with
//! error bars and log axes where values span decades ([`lines`]). plotters' SVG backend writes
//! text as SVG text, so no system fonts are needed.

use std::path::Path;

use anyhow::Context;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use concbench_core::config::Kind;

use crate::format;
use crate::metric::Metric;
use crate::stats::Stats;
use crate::summary::{FamilySummary, SweepSummary};

/// The colour of each kind of model, the same in every plot.
fn kind_color(kind: Option<Kind>) -> RGBColor {
    match kind {
        Some(Kind::Sync) => RGBColor(110, 110, 110),
        Some(Kind::Threads) => RGBColor(230, 120, 20),
        Some(Kind::Pool) => RGBColor(200, 40, 40),
        Some(Kind::Async) => RGBColor(30, 110, 190),
        Some(Kind::Hybrid) => RGBColor(140, 90, 190),
        Some(Kind::Processes) => RGBColor(40, 150, 60),
        None => RGBColor(60, 60, 60),
    }
}

/// One bar of a group's plot.
struct BarRow<'a> {
    /// The entry, and for IO its budget.
    label: String,
    kind: Option<Kind>,
    stats: &'a Stats,
}

/// Draws `metric` for `family` into `file`: a bar per entry at its mean, coloured by kind,
/// its 95 % interval, every run as a dot, the mean written at the bar's end; a log axis where
/// the values span 10× or more.
pub fn bars(file: &Path, family: &FamilySummary, metric: Metric) -> anyhow::Result<()> {
    let rows = bar_rows(family, metric);
    let all: Vec<f64> = rows
        .iter()
        .flat_map(|r| {
            let s = r.stats;
            [s.mean, s.ci95[0].max(s.mean * 1e-3), s.ci95[1]]
                .into_iter()
                .chain(s.values.iter().copied())
        })
        .collect();
    let axis = Axis {
        log: spans_tenfold(all.iter().copied()),
    };
    // Room on the right for the value written at each bar's end, and for the legend.
    let mut x_range = axis.range(&all);
    x_range.end += (x_range.end - x_range.start) * 0.45;
    let height = 90 + 30 * rows.len().max(1) as u32;
    let root = SVGBackend::new(file, (900, height)).into_drawing_area();
    root.fill(&WHITE).map_err(draw_err)?;
    let n = rows.len().max(1) as f64;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("{} — {}{}", family.id(), metric.title(), metric.unit_suffix()),
            ("sans-serif", 18),
        )
        .margin(10)
        .x_label_area_size(34)
        .y_label_area_size(260)
        .build_cartesian_2d(x_range.clone(), 0.0..n)
        .map_err(draw_err)?;
    bar_mesh(&mut chart, &rows, axis, metric)?;
    for (i, row) in rows.iter().enumerate() {
        let at = Slot {
            axis,
            start: x_range.start,
            y: n - 1.0 - i as f64,
        };
        draw_bar(&mut chart, &at, row, metric)?;
    }
    kind_legend(&mut chart, rows.iter().map(|r| r.kind))?;
    root.present()
        .map_err(draw_err)
        .with_context(|| format!("writing {}", file.display()))
}

/// The entries of `family` that measured `metric`, IO entries named with their budget.
fn bar_rows(family: &FamilySummary, metric: Metric) -> Vec<BarRow<'_>> {
    family
        .entries
        .iter()
        .filter_map(|e| {
            let stats = e.stats(metric)?;
            let label = match e.in_flight {
                Some(n) => format!("{} ({n} in flight)", e.label),
                None => e.label.clone(),
            };
            Some(BarRow {
                label,
                kind: e.kind,
                stats,
            })
        })
        .collect()
}

/// The name of the row whose middle is at `y` (rows are drawn top down, one unit high), or
/// nothing between rows.
fn row_label(labels: &[String], y: f64) -> String {
    let (slot, i) = (y - y.floor(), y.floor() as usize);
    if (slot - 0.5).abs() < 0.01 && i < labels.len() {
        labels[labels.len() - 1 - i].clone()
    } else {
        String::new()
    }
}

/// The grid, the entries' names down the side, and the x axis with its title.
fn bar_mesh(chart: &mut Chart, rows: &[BarRow], axis: Axis, metric: Metric) -> anyhow::Result<()> {
    let labels: Vec<String> = rows.iter().map(|r| r.label.clone()).collect();
    let desc = format!(
        "{}{}{}",
        metric.title(),
        metric.unit_suffix(),
        if axis.log { ", log scale" } else { "" }
    );
    row_mesh(chart, &labels, &|x| axis.label(*x), &desc)
}

/// A light grid with a row per label down the side, and an x axis with `ticks` and `desc`.
pub(super) fn row_mesh(
    chart: &mut Chart,
    labels: &[String],
    ticks: &dyn Fn(&f64) -> String,
    desc: &str,
) -> anyhow::Result<()> {
    chart
        .configure_mesh()
        .bold_line_style(GRID_BOLD)
        .light_line_style(GRID_LIGHT)
        .disable_y_mesh()
        .y_labels(labels.len().max(1) * 2 + 1)
        .y_label_formatter(&|y| row_label(labels, *y))
        .x_label_formatter(ticks)
        .x_desc(desc)
        .draw()
        .map_err(draw_err)
}

/// Grid lines light enough to read the bars and lines over them.
pub(super) const GRID_BOLD: RGBColor = RGBColor(215, 215, 215);
pub(super) const GRID_LIGHT: RGBColor = RGBColor(240, 240, 240);

/// A chart with two linear f64 coordinates (log axes are drawn in log10).
pub(super) type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Where a bar goes: its x axis, the axis' start, its height.
struct Slot {
    axis: Axis,
    start: f64,
    y: f64,
}

/// One bar from the axis' start: the mean, the interval as a line with end ticks, each run as
/// a dot, and the mean written at the end.
fn draw_bar(chart: &mut Chart, at: &Slot, row: &BarRow, metric: Metric) -> anyhow::Result<()> {
    let (s, y, axis) = (row.stats, at.y, at.axis);
    let color = kind_color(row.kind);
    let mean = axis.to(s.mean);
    let (low, high) = (axis.to(s.ci95[0].max(s.mean * 1e-3)), axis.to(s.ci95[1]));
    chart
        .draw_series(std::iter::once(Rectangle::new(
            [(at.start, y + 0.2), (mean, y + 0.8)],
            color.mix(0.55).filled(),
        )))
        .map_err(draw_err)?;
    let line = |points: Vec<(f64, f64)>| PathElement::new(points, BLACK.stroke_width(2));
    chart
        .draw_series([
            line(vec![(low, y + 0.5), (high, y + 0.5)]),
            line(vec![(low, y + 0.38), (low, y + 0.62)]),
            line(vec![(high, y + 0.38), (high, y + 0.62)]),
        ])
        .map_err(draw_err)?;
    // Each run a dot, spread a little up and down so that equal values stay visible.
    let dots = s.values.iter().enumerate().map(|(i, v)| {
        let jitter = ((i % 5) as f64 - 2.0) * 0.06;
        Circle::new((axis.to(*v), y + 0.5 + jitter), 2, BLACK.mix(0.7).filled())
    });
    chart.draw_series(dots).map_err(draw_err)?;
    let right = s.values.iter().copied().fold(s.ci95[1].max(s.mean), f64::max);
    let text = format!("{}{}", format::num(s.mean), unit_after(metric));
    chart
        .draw_series(std::iter::once(
            EmptyElement::at((axis.to(right), y + 0.5))
                + Text::new(text, (6, -7), ("sans-serif", 13).into_font()),
        ))
        .map_err(draw_err)?;
    Ok(())
}

/// The unit after a value: ` MiB`, `%`, or nothing for a count.
fn unit_after(metric: Metric) -> String {
    match metric.unit() {
        "" => String::new(),
        "%" => "%".into(),
        unit => format!(" {unit}"),
    }
}

/// A legend of the kinds drawn, in legend order.
fn kind_legend<'a, 'b: 'a>(
    chart: &mut Chart<'a, 'b>,
    kinds: impl Iterator<Item = Option<Kind>>,
) -> anyhow::Result<()> {
    let drawn: Vec<Option<Kind>> = kinds.collect();
    for kind in Kind::ALL.into_iter().filter(|k| drawn.contains(&Some(*k))) {
        let color = kind_color(Some(kind));
        chart
            .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
            .map_err(draw_err)?
            .label(kind.name())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], color.mix(0.55).filled()));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(GRID_BOLD)
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(draw_err)
}

pub(super) fn draw_err<E: std::fmt::Debug>(err: E) -> anyhow::Error {
    anyhow::anyhow!("drawing a plot: {err:?}")
}

/// Whether values spread over 10× or more (and are all positive): then an axis is logarithmic.
pub fn spans_tenfold(values: impl IntoIterator<Item = f64>) -> bool {
    let (mut low, mut high) = (f64::INFINITY, 0.0f64);
    for v in values {
        if v <= 0.0 {
            return false;
        }
        low = low.min(v);
        high = high.max(v);
    }
    high.is_finite() && low.is_finite() && high / low >= 10.0
}

/// One axis: linear, or log10 drawn as linear in the exponent.
#[derive(Clone, Copy)]
pub(super) struct Axis {
    pub(super) log: bool,
}

impl Axis {
    pub(super) fn to(self, v: f64) -> f64 {
        if self.log { v.max(1e-12).log10() } else { v }
    }

    fn label(self, v: f64) -> String {
        if self.log {
            format::decade(v)
        } else {
            format::tick(v)
        }
    }

    /// The drawn range of `values`, with a margin.
    pub(super) fn range(self, values: &[f64]) -> std::ops::Range<f64> {
        let t: Vec<f64> = values.iter().map(|v| self.to(*v)).collect();
        let low = t.iter().copied().fold(f64::INFINITY, f64::min);
        let high = t.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if !low.is_finite() || !high.is_finite() {
            return 0.0..1.0;
        }
        if self.log {
            let pad = ((high - low) * 0.08).max(0.1);
            return low - pad..high + pad;
        }
        // Linear axes start at zero for non-negative data, so lines are seen to scale.
        let low = low.min(0.0);
        let pad = ((high - low) * 0.08).max(1e-9);
        low..high + pad
    }
}

/// A point of a line: the swept value, the mean, and the 95 % interval's ends.
type Point = (f64, f64, f64, f64);

/// A series' label and its points.
type Line<'a> = (&'a str, Vec<Point>);

/// The axes of a line plot and their drawn ranges.
struct Frame {
    x: Axis,
    y: Axis,
    x_range: std::ops::Range<f64>,
    y_range: std::ops::Range<f64>,
}

impl Frame {
    /// Log axes where the values span two decades or more; ranges that hold every interval.
    fn of(series: &[Line]) -> Self {
        let xs: Vec<f64> = series.iter().flat_map(|(_, p)| p.iter().map(|q| q.0)).collect();
        let x = Axis {
            log: spans_tenfold(xs.iter().copied()),
        };
        let y = Axis {
            log: spans_tenfold(series.iter().flat_map(|(_, p)| p.iter().map(|q| q.1))),
        };
        let mut frame = Frame {
            x,
            y,
            x_range: x.range(&xs),
            y_range: 0.0..1.0,
        };
        let ys: Vec<f64> = series
            .iter()
            .flat_map(|(_, p)| p.iter().flat_map(|q| [q.1, frame.low(q), q.3]))
            .collect();
        frame.y_range = y.range(&ys);
        frame
    }

    /// The low end of a point's interval as drawn: on a log axis an interval reaching below a
    /// tenth of the mean (zero or below, with few runs and one outlier) is drawn down to a tenth,
    /// so that one wide interval does not stretch the axis by decades.
    fn low(&self, q: &Point) -> f64 {
        if self.y.log { q.2.max(q.1 * 0.1) } else { q.2 }
    }

    /// A line's points as drawn (in log10 on a log axis).
    fn drawn(&self, points: &[Point]) -> Vec<(f64, f64)> {
        points.iter().map(|q| (self.x.to(q.0), self.y.to(q.1))).collect()
    }
}

/// Each series of `sweep` with its points that measured `metric`.
fn sweep_lines(sweep: &SweepSummary, metric: Metric) -> Vec<Line<'_>> {
    sweep
        .series
        .iter()
        .map(|s| {
            let points = s
                .points
                .iter()
                .filter_map(|p| {
                    let x = p.sweep.as_ref()?.value;
                    p.stats(metric).map(|st| (x, st.mean, st.ci95[0], st.ci95[1]))
                })
                .collect();
            (s.label.as_str(), points)
        })
        .collect()
}

/// A line per series of `sweep`: `metric`'s mean at each swept value, with its 95 % confidence
/// interval as an error bar; log axes where the values span two decades or more.
pub fn lines(file: &Path, sweep: &SweepSummary, metric: Metric) -> anyhow::Result<()> {
    let named = (metric.title().to_string(), metric.unit_suffix());
    lines_named(file, sweep, metric, &named)
}

/// [`lines`] with the metric named `(title, unit suffix)` (a per-unit wall time).
pub fn lines_named(
    file: &Path,
    sweep: &SweepSummary,
    metric: Metric,
    (title, unit): &(String, String),
) -> anyhow::Result<()> {
    let kinds: Vec<Option<Kind>> = sweep
        .series
        .iter()
        .map(|s| s.points.iter().find_map(|p| p.kind))
        .collect();
    let series = sweep_lines(sweep, metric);
    let frame = Frame::of(&series);
    let root = SVGBackend::new(file, (900, 560)).into_drawing_area();
    root.fill(&WHITE).map_err(draw_err)?;
    let scale = |a: Axis| if a.log { ", log scale" } else { "" };
    let mut chart = ChartBuilder::on(&root)
        .caption(format!("{title} against {}", sweep.axis), ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(80)
        .build_cartesian_2d(frame.x_range.clone(), frame.y_range.clone())
        .map_err(draw_err)?;
    chart
        .configure_mesh()
        .bold_line_style(GRID_BOLD)
        .light_line_style(GRID_LIGHT)
        .x_label_formatter(&|x| frame.x.label(*x))
        .y_label_formatter(&|y| frame.y.label(*y))
        .x_desc(format!("{}{}", sweep.axis, scale(frame.x)))
        .y_desc(format!("{title}{unit}{}", scale(frame.y)))
        .draw()
        .map_err(draw_err)?;
    for (i, line) in series.iter().enumerate() {
        if line.1.is_empty() {
            continue; // a series without this metric (serve-tokio has one loop) has no legend entry
        }
        let kind = kinds[i];
        let marker = kinds[..i].iter().filter(|k| **k == kind).count();
        draw_line(
            &mut chart,
            &frame,
            (shade(kind_color(kind), marker), marker),
            line,
        )?;
    }
    let drawn: Vec<(f64, f64)> = series.iter().flat_map(|(_, p)| frame.drawn(p)).collect();
    legend(&mut chart, &drawn, &frame)?;
    root.present()
        .map_err(draw_err)
        .with_context(|| format!("writing {}", file.display()))
}

/// The legend, in the corner where the fewest drawn points are.
fn legend<'a, 'b: 'a>(chart: &mut Chart<'a, 'b>, drawn: &[(f64, f64)], frame: &Frame) -> anyhow::Result<()> {
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(emptiest_corner(drawn, &frame.x_range, &frame.y_range))
        .draw()
        .map_err(draw_err)
}

/// One series: its line with a legend entry, a dot per point, an error bar per point.
fn draw_line<'a, 'b: 'a>(
    chart: &mut Chart<'a, 'b>,
    frame: &Frame,
    (color, marker): (RGBColor, usize),
    (label, points): &Line,
) -> anyhow::Result<()> {
    let line = frame.drawn(points);
    chart
        .draw_series(LineSeries::new(line.clone(), color.stroke_width(2)))
        .map_err(draw_err)?
        .label(*label)
        .legend(move |(x, y)| {
            EmptyElement::at((x + 9, y))
                + PathElement::new(vec![(-9, 0), (9, 0)], color.stroke_width(2))
                + mark(marker, (0, 0), color)
        });
    chart
        .draw_series(
            line.iter()
                .map(|p| EmptyElement::at(*p) + mark(marker, (0, 0), color)),
        )
        .map_err(draw_err)?;
    for q in points {
        let x = frame.x.to(q.0);
        let (low, high) = (frame.y.to(frame.low(q)), frame.y.to(q.3));
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x, low), (x, high)],
                color.stroke_width(1),
            )))
            .map_err(draw_err)?;
    }
    Ok(())
}

/// A point marker: a dot, a triangle, a cross, a square or a ring, so that series of one kind
/// stay apart.
fn mark<DB: DrawingBackend>(
    marker: usize,
    at: (i32, i32),
    color: RGBColor,
) -> DynElement<'static, DB, (i32, i32)> {
    let (x, y) = at;
    match marker % 5 {
        0 => Circle::new(at, 4, color.filled()).into_dyn(),
        1 => TriangleMarker::new(at, 5, color.filled()).into_dyn(),
        2 => Cross::new(at, 4, color.stroke_width(2)).into_dyn(),
        3 => Rectangle::new([(x - 4, y - 4), (x + 4, y + 4)], color.filled()).into_dyn(),
        _ => Circle::new(at, 4, color.stroke_width(2)).into_dyn(),
    }
}

/// The `n`th shade of a kind's colour: the colour itself, then darker and lighter in turn.
fn shade(color: RGBColor, n: usize) -> RGBColor {
    let RGBColor(r, g, b) = color;
    let toward = |c: u8, target: f64, by: f64| (c as f64 + (target - c as f64) * by).round() as u8;
    let (target, by) = match n % 5 {
        0 => (0.0, 0.0),
        1 => (0.0, 0.35),
        2 => (255.0, 0.35),
        3 => (0.0, 0.6),
        _ => (255.0, 0.6),
    };
    RGBColor(
        toward(r, target, by),
        toward(g, target, by),
        toward(b, target, by),
    )
}

/// The corner of the plot with the fewest points near it, for the legend.
fn emptiest_corner(
    points: &[(f64, f64)],
    x: &std::ops::Range<f64>,
    y: &std::ops::Range<f64>,
) -> SeriesLabelPosition {
    let near = |left: bool, top: bool| {
        points
            .iter()
            .filter(|(px, py)| {
                let fx = (px - x.start) / (x.end - x.start);
                let fy = (py - y.start) / (y.end - y.start);
                (if left { fx < 0.4 } else { fx > 0.6 }) && (if top { fy > 0.6 } else { fy < 0.4 })
            })
            .count()
    };
    [
        (near(true, true), SeriesLabelPosition::UpperLeft),
        (near(false, true), SeriesLabelPosition::UpperRight),
        (near(false, false), SeriesLabelPosition::LowerRight),
        (near(true, false), SeriesLabelPosition::LowerLeft),
    ]
    .into_iter()
    .min_by_key(|(n, _)| *n)
    .map(|(_, corner)| corner)
    .expect("four corners")
}
