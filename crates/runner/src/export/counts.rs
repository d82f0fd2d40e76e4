//! The report's table of counts per unit of work: what the kernel counted for each entry's tree
//! (context switches, minor page faults, read and write calls), which drift does not move.

use std::fmt::Write as _;

use crate::format::num;
use crate::metric::Metric;
use crate::summary::FamilySummary;

/// The counts' columns, in table order.
const COLUMNS: [(Metric, &str); 8] = [
    (Metric::VoluntaryPerUnit, "voluntary switches"),
    (Metric::InvoluntaryPerUnit, "involuntary switches"),
    (Metric::FaultsPerUnit, "minor page faults"),
    (Metric::ReadsPerUnit, "read calls (syscr)"),
    (Metric::WritesPerUnit, "write calls (syscw)"),
    (Metric::AllocationsPerUnit, "allocations"),
    (Metric::AllocatedBytesPerUnit, "bytes allocated"),
    (Metric::InstructionsPerUnit, "instructions"),
];

/// The group's counts per unit of work, medians over the runs; empty when no entry has them
/// (runs before the counts, and the Python entries).
pub fn table(f: &FamilySummary) -> String {
    if !f.entries.iter().any(|e| e.has(Metric::VoluntaryPerUnit)) {
        return String::new();
    }
    let mut out = String::from(
        "#### Counts per unit of work\n\nMedians over the runs of what the kernel counted for the process tree (its waited-for children included, the sampler's thread left out), over `work.units`: URLs, requests, echoes or task-cost units. The machine's drift moves time, not these. Read and write calls are those through the file layer (`read`, `write`, `readv`, `writev`, …); a socket's `recv` and `send` are not among them.\n\n| entry |",
    );
    let columns: Vec<(Metric, &str)> = COLUMNS
        .into_iter()
        .filter(|(m, _)| *m != Metric::InstructionsPerUnit || f.entries.iter().any(|e| e.has(*m)))
        .collect();
    for (_, title) in &columns {
        let _ = write!(out, " {title} |");
    }
    out.push_str("\n|---|");
    out.push_str(&"---:|".repeat(columns.len()));
    out.push('\n');
    for e in &f.entries {
        let _ = write!(out, "| {} |", e.label);
        for &(m, _) in &columns {
            let cell = e.median(m).map_or("n/a".into(), |v| match v {
                0.0 => "0".into(),
                _ => num(v),
            });
            let _ = write!(out, " {cell} |");
        }
        out.push('\n');
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::summarise;
    use crate::testdata;
    use concbench_core::counts::{Counters, Counts};

    #[test]
    fn the_table_gives_each_entrys_median_count_per_unit_and_nothing_without_counts() {
        let mut records = testdata::matrix_rounds(6);
        let s = summarise(&records, &testdata::order());
        assert_eq!(table(&s.families[0]), "", "runs without counts: no table");
        for r in records.iter_mut().filter(|r| r.entry == "cpu-threads 2") {
            let c = Counters {
                voluntary: 250,
                involuntary: 3,
                minor_faults: 100,
                reads: 0,
                writes: 0,
                allocations: 1200,
                allocated_bytes: 64_000,
            };
            r.report.as_mut().unwrap().counts = Some(Counts::of(c, Err("no counter".into()), 100));
        }
        let s = summarise(&records, &testdata::order());
        let cpu = &s.families[0];
        let threads = cpu.entries.iter().find(|e| e.label == "cpu-threads 2").unwrap();
        assert_eq!(threads.median(Metric::VoluntaryPerUnit), Some(2.5));
        let text = table(cpu);
        assert!(
            text.contains("| cpu-threads 2 | 2.50 | 0.0300 | 1.00 | 0 | 0 | 12.00 | 640.0 |"),
            "{text}"
        );
        assert!(text.contains("| cpu-sync | n/a | n/a |"), "{text}");
        assert!(
            !text.contains("instructions |"),
            "no instruction column without counts: {text}"
        );
        assert_eq!(
            s.instructions_unavailable.as_deref(),
            Some("no counter"),
            "the report says once why there are no instructions"
        );
    }
}
