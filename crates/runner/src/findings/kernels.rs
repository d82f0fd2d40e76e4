//! The CPU models on each kernel: how each scales on compute-, memory- and data-bound work.

use super::*;

/// The CPU groups of the family's own workloads (char-encoding and the other kernels), in
/// report order, with each one's kernel name.
pub(super) fn kernel_groups(summary: &Summary) -> Vec<(&str, &FamilySummary)> {
    summary
        .families
        .iter()
        .filter(|f| f.family == Family::Cpu && f.group.is_none() && crate::record::is_workload(&f.scenario))
        .map(|f| {
            let kernel = if f.scenario == "main" {
                "char-encoding"
            } else {
                f.scenario.as_str()
            };
            (kernel, f)
        })
        .collect()
}

/// With two kernels or more: per entry, its paired speed-up over the baseline on each kernel.
pub(super) fn kernels(summary: &Summary) -> Vec<String> {
    let groups = kernel_groups(summary);
    if groups.len() < 2 {
        return vec![];
    }
    let mut labels: Vec<&str> = Vec::new();
    for (_, f) in &groups {
        for e in f.entries.iter().filter(|e| e.label != f.baseline) {
            if !labels.contains(&e.label.as_str()) {
                labels.push(&e.label);
            }
        }
    }
    let mut out = vec![format!(
        "Paired speed-up over {} on each kernel (median of per-round ratios, 95 % interval); sqrt-sum reads no memory, char-encoding streams one text, filter-aggregate streams 16 bytes a record.",
        groups[0].1.baseline
    )];
    for label in labels {
        let cells: Vec<String> = groups
            .iter()
            .filter_map(|(kernel, f)| {
                let e = f.entries.iter().find(|e| e.label == label)?;
                Some(format!("{kernel} {}", speedup(e.speedup.as_ref()?)))
            })
            .collect();
        if cells.len() >= 2 {
            out.push(format!("{label}: {}.", cells.join(", ")));
        }
    }
    if out.len() == 1 { vec![] } else { out }
}
