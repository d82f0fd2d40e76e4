//! The forest plot: per group, each entry's paired speed-up over its baseline with its 95 %
//! interval, on a log axis with the margin of equivalence shaded; ties drawn grey.

use std::path::Path;

use anyhow::Context;
use plotters::prelude::*;

use super::plot::{Axis, draw_err, row_mesh};
use crate::format;

/// One row of a forest plot: a label, a ratio and its 95 % interval, and how it stands.
pub struct RatioRow {
    /// The entry.
    pub label: String,
    /// The ratio (NEW ÷ OLD, or the paired speed-up).
    pub ratio: f64,
    /// Its 95 % interval.
    pub ci95: [f64; 2],
    /// Its colour: better, worse or tied.
    pub tone: Tone,
}

/// How a row of a forest plot stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Better than the reference (green).
    Better,
    /// Worse than it (red).
    Worse,
    /// Tied with it, or not resolved (grey).
    Tie,
}

/// The axis and band of a forest plot.
pub struct Forest<'a> {
    /// The title.
    pub title: &'a str,
    /// The x axis' description.
    pub desc: &'a str,
    /// The equivalence margin around 1, %, drawn as a shaded band (`None`: no band).
    pub margin_pct: Option<f64>,
}

/// A forest plot: a ratio per row as a dot with its 95 % interval, on a log axis with a line at
/// 1 (and the margin shaded): green better, red worse, grey tied.
pub fn ratios(file: &Path, forest: &Forest, rows: &[RatioRow]) -> anyhow::Result<()> {
    let axis = Axis { log: true };
    let all: Vec<f64> = rows
        .iter()
        .flat_map(|r| [r.ci95[0], r.ci95[1], r.ratio])
        .chain([0.9, 1.1])
        .filter(|v| *v > 0.0)
        .collect();
    let x_range = axis.range(&all);
    let n = rows.len().max(1) as f64;
    let root = SVGBackend::new(file, (900, 90 + 30 * rows.len().max(1) as u32)).into_drawing_area();
    root.fill(&WHITE).map_err(draw_err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(forest.title, ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(34)
        .y_label_area_size(300)
        .build_cartesian_2d(x_range.clone(), 0.0..n)
        .map_err(draw_err)?;
    let labels: Vec<String> = rows.iter().map(|r| r.label.clone()).collect();
    row_mesh(
        &mut chart,
        &labels,
        &|x| format::tick(10f64.powf(*x)),
        forest.desc,
    )?;
    if let Some(m) = forest.margin_pct {
        let (low, high) = (axis.to(1.0 - m / 100.0), axis.to(1.0 + m / 100.0));
        chart
            .draw_series([Rectangle::new(
                [(low, 0.0), (high, n)],
                RGBColor(225, 225, 235).filled(),
            )])
            .map_err(draw_err)?;
    }
    let one = vec![(0.0, 0.0), (0.0, n)];
    chart
        .draw_series(std::iter::once(PathElement::new(one, BLACK.stroke_width(1))))
        .map_err(draw_err)?;
    for (i, r) in rows.iter().enumerate() {
        let y = n - 0.5 - i as f64;
        let color = match r.tone {
            Tone::Worse => RGBColor(200, 40, 40),
            Tone::Better => RGBColor(40, 150, 60),
            Tone::Tie => RGBColor(110, 110, 110),
        };
        let (low, high) = (axis.to(r.ci95[0]), axis.to(r.ci95[1]));
        chart
            .draw_series([PathElement::new(vec![(low, y), (high, y)], color.stroke_width(2))])
            .map_err(draw_err)?;
        chart
            .draw_series([Circle::new((axis.to(r.ratio), y), 4, color.filled())])
            .map_err(draw_err)?;
    }
    root.present()
        .map_err(draw_err)
        .with_context(|| format!("writing {}", file.display()))
}
