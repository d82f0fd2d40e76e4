//! Fixed amounts of work per unit in the task-cost scenarios: the CPU models do them and the
//! runner words its findings with them, so both read them here (the runner links no workload).

/// Blocking calls per unit in `blocking-storm`.
pub const STORM_CALLS: u64 = 10_000;
/// Squares per unit in `squares`.
pub const SQUARES: u64 = 1_000_000;
