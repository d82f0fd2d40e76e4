//! The plots: per group and metric, a horizontal bar per entry at its mean with the 95 %
//! confidence interval as an error bar ([`bars`]); per sweep and metric, a line per series with
//! error bars and log axes where values span decades ([`lines`]). plotters' SVG backend writes
//! text as SVG text, so no system fonts are needed.

use std::path::Path;

use anyhow::Context;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::format;
use crate::metric::Metric;
use crate::summary::{FamilySummary, SweepSummary};

/// A bar's label, mean and 95 % interval.
type Bar<'a> = (&'a str, f64, f64, f64);

/// Draws `metric` for `family` into `file`.
pub fn bars(file: &Path, family: &FamilySummary, metric: Metric) -> anyhow::Result<()> {
    let rows: Vec<Bar> = family
        .entries
        .iter()
        .filter_map(|e| {
            e.stats(metric)
                .map(|s| (e.label.as_str(), s.mean, s.ci95[0], s.ci95[1]))
        })
        .collect();
    let height = 80 + 28 * rows.len().max(1) as u32;
    let root = SVGBackend::new(file, (900, height)).into_drawing_area();
    root.fill(&WHITE).map_err(draw_err)?;
    let top = rows.iter().map(|r| r.3.max(r.1)).fold(0.0f64, f64::max);
    let top = if top > 0.0 { top * 1.1 } else { 1.0 };
    let unit = metric.unit_suffix();
    let n = rows.len().max(1) as f64;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!(
                "{} — {}{unit}",
                family.family.name().to_uppercase(),
                metric.title()
            ),
            ("sans-serif", 18),
        )
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(260)
        .build_cartesian_2d(0.0..top, 0.0..n)
        .map_err(draw_err)?;
    let labels: Vec<String> = rows.iter().map(|r| r.0.to_string()).collect();
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(rows.len().max(1) * 2 + 1)
        .y_label_formatter(&|y| {
            let slot = y - y.floor();
            let i = y.floor() as usize;
            if (slot - 0.5).abs() < 0.01 && i < labels.len() {
                labels[labels.len() - 1 - i].clone()
            } else {
                String::new()
            }
        })
        .x_desc(format!("{}{unit}", metric.title()))
        .draw()
        .map_err(draw_err)?;
    for (i, row) in rows.iter().enumerate() {
        draw_bar(&mut chart, n - 1.0 - i as f64, row)?;
    }
    root.present()
        .map_err(draw_err)
        .with_context(|| format!("writing {}", file.display()))
}

/// A chart with two linear f64 coordinates (log axes are drawn in log10).
type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// One bar at height `y`: the mean, and the interval as a line with end ticks.
fn draw_bar(chart: &mut Chart, y: f64, (_, mean, low, high): &Bar) -> anyhow::Result<()> {
    chart
        .draw_series(std::iter::once(Rectangle::new(
            [(0.0, y + 0.2), (*mean, y + 0.8)],
            BLUE.mix(0.6).filled(),
        )))
        .map_err(draw_err)?;
    let bar = vec![(*low, y + 0.5), (*high, y + 0.5)];
    chart
        .draw_series(std::iter::once(PathElement::new(bar, BLACK.stroke_width(2))))
        .map_err(draw_err)?;
    for x in [low, high] {
        let tick = vec![(*x, y + 0.35), (*x, y + 0.65)];
        chart
            .draw_series(std::iter::once(PathElement::new(tick, BLACK.stroke_width(2))))
            .map_err(draw_err)?;
    }
    Ok(())
}

fn draw_err<E: std::fmt::Debug>(err: E) -> anyhow::Error {
    anyhow::anyhow!("drawing a plot: {err:?}")
}

/// Whether values spread over two decades or more (and are all positive): then an axis is
/// logarithmic.
pub fn spans_decades(values: impl IntoIterator<Item = f64>) -> bool {
    let (mut low, mut high) = (f64::INFINITY, 0.0f64);
    for v in values {
        if v <= 0.0 {
            return false;
        }
        low = low.min(v);
        high = high.max(v);
    }
    high.is_finite() && low.is_finite() && high / low >= 100.0
}

/// One axis: linear, or log10 drawn as linear in the exponent.
#[derive(Clone, Copy)]
struct Axis {
    log: bool,
}

impl Axis {
    fn to(self, v: f64) -> f64 {
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
    fn range(self, values: &[f64]) -> std::ops::Range<f64> {
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
            log: spans_decades(xs.iter().copied()),
        };
        let y = Axis {
            log: spans_decades(series.iter().flat_map(|(_, p)| p.iter().map(|q| q.1))),
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

    /// The low end of a point's interval as drawn: on a log axis an interval reaching zero or
    /// below is drawn down to a thousandth of the mean.
    fn low(&self, q: &Point) -> f64 {
        if self.y.log { q.2.max(q.1 * 1e-3) } else { q.2 }
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
    let series = sweep_lines(sweep, metric);
    let frame = Frame::of(&series);
    let root = SVGBackend::new(file, (900, 560)).into_drawing_area();
    root.fill(&WHITE).map_err(draw_err)?;
    let scale = |a: Axis| if a.log { ", log scale" } else { "" };
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("{} against {}", metric.title(), sweep.axis),
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(80)
        .build_cartesian_2d(frame.x_range.clone(), frame.y_range.clone())
        .map_err(draw_err)?;
    chart
        .configure_mesh()
        .x_label_formatter(&|x| frame.x.label(*x))
        .y_label_formatter(&|y| frame.y.label(*y))
        .x_desc(format!("{}{}", sweep.axis, scale(frame.x)))
        .y_desc(format!(
            "{}{}{}",
            metric.title(),
            metric.unit_suffix(),
            scale(frame.y)
        ))
        .draw()
        .map_err(draw_err)?;
    for (i, line) in series.iter().enumerate() {
        draw_line(&mut chart, &frame, Palette99::pick(i).to_rgba(), line)?;
    }
    let drawn: Vec<(f64, f64)> = series.iter().flat_map(|(_, p)| frame.drawn(p)).collect();
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(emptiest_corner(&drawn, &frame.x_range, &frame.y_range))
        .draw()
        .map_err(draw_err)?;
    root.present()
        .map_err(draw_err)
        .with_context(|| format!("writing {}", file.display()))
}

/// One series: its line with a legend entry, a dot per point, an error bar per point.
fn draw_line(
    chart: &mut Chart,
    frame: &Frame,
    color: RGBAColor,
    (label, points): &Line,
) -> anyhow::Result<()> {
    let line = frame.drawn(points);
    chart
        .draw_series(LineSeries::new(line.clone(), color.stroke_width(2)))
        .map_err(draw_err)?
        .label(*label)
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
    chart
        .draw_series(line.iter().map(|p| Circle::new(*p, 3, color.filled())))
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
