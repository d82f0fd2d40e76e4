//! One SVG per family and metric: a horizontal bar per entry at its mean, with the 95 %
//! confidence interval as an error bar. plotters' SVG backend writes text as SVG text, so no
//! system fonts are needed.

use std::path::Path;

use anyhow::Context;
use plotters::prelude::*;

use crate::summary::{FamilySummary, Metric};

/// Draws `metric` for `family` into `file`.
pub fn bars(file: &Path, family: &FamilySummary, metric: &Metric) -> anyhow::Result<()> {
    let rows: Vec<(&str, f64, f64, f64)> = family
        .entries
        .iter()
        .filter_map(|e| {
            e.metrics
                .get(metric.key)
                .map(|s| (e.label.as_str(), s.mean, s.ci95[0], s.ci95[1]))
        })
        .collect();
    let height = 80 + 28 * rows.len().max(1) as u32;
    let root = SVGBackend::new(file, (900, height)).into_drawing_area();
    root.fill(&WHITE).map_err(draw_err)?;
    let top = rows.iter().map(|r| r.3.max(r.1)).fold(0.0f64, f64::max);
    let top = if top > 0.0 { top * 1.1 } else { 1.0 };
    let unit = if metric.unit.is_empty() {
        String::new()
    } else {
        format!(" ({})", metric.unit)
    };
    let n = rows.len().max(1) as f64;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("{} — {}{unit}", family.family.to_uppercase(), metric.title),
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
        .x_desc(format!("{}{unit}", metric.title))
        .draw()
        .map_err(draw_err)?;
    for (i, (_, mean, low, high)) in rows.iter().enumerate() {
        let y = n - 1.0 - i as f64;
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
    }
    root.present()
        .map_err(draw_err)
        .with_context(|| format!("writing {}", file.display()))
}

fn draw_err<E: std::fmt::Debug>(err: E) -> anyhow::Error {
    anyhow::anyhow!("drawing a plot: {err:?}")
}
