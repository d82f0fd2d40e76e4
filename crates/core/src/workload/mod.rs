//! The workloads models run: char-encoding for the CPU family, and the task-cost units.

pub mod units;
pub mod urls;
