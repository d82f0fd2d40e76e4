//! The workloads models run: the CPU family's kernels ([`kernel`], char-encoding's URLs in
//! [`urls`]), and the task-cost units ([`units`], the SQLite ones in [`sqlite`]).

pub mod files;
pub mod kernel;
pub mod sqlite;
pub mod units;
pub mod urls;

/// Where a scenario's data goes: `scenario.data` when set, else a new temporary folder named
/// `concbench-{prefix}-…` (removed when the returned guard drops).
pub fn data_place(
    cfg: &crate::config::Config,
    prefix: &str,
) -> anyhow::Result<(std::path::PathBuf, Option<tempfile::TempDir>)> {
    use anyhow::Context;
    if !cfg.scenario.data.is_empty() {
        return Ok((std::path::PathBuf::from(&cfg.scenario.data), None));
    }
    let dir = tempfile::Builder::new()
        .prefix(&format!("concbench-{prefix}-"))
        .tempdir()
        .with_context(|| format!("creating a temporary folder for the {prefix} scenario's data"))?;
    Ok((dir.path().to_owned(), Some(dir)))
}

/// `len` bytes of the seeded pattern `key`: the little-endian words `mix(key ^ 0)`,
/// `mix(key ^ 1)`, … truncated to `len` (file-read's files and the echo messages are made of it).
pub fn pattern(key: u64, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 8);
    let mut word = 0u64;
    while out.len() < len {
        out.extend_from_slice(&urls::mix(key ^ word).to_le_bytes());
        word += 1;
    }
    out.truncate(len);
    out
}
