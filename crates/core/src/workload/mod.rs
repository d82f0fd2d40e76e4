//! The workloads models run: the CPU family's kernels ([`kernel`], char-encoding's URLs in
//! [`urls`]), and the task-cost units ([`units`], the SQLite ones in [`sqlite`]).

pub mod files;
pub mod kernel;
pub mod sqlite;
pub mod units;
pub mod urls;
