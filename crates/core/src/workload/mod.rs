//! The workloads models run: the CPU family's kernels ([`kernel`], char-encoding's URLs in
//! [`urls`]), and the task-cost units.

pub mod kernel;
pub mod units;
pub mod urls;
