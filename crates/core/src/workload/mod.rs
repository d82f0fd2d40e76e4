//! The workloads models run: char-encoding for the CPU family.

pub mod urls;
