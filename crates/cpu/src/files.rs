//! The `file-read` scenario: unit `i` reads its own file of `scenario.file_bytes` bytes, written
//! (seeded) before the measured window, so the reads come from the page cache: this measures
//! what each model's file API costs, not the disk. The unit's value is the byte sum and length of
//! what it read, the same in every model.

use std::path::{Path, PathBuf};

use anyhow::Context;

use concbench_core::config::Config;

/// The folder of a run's files: a temporary one (removed when this drops) or the configured path.
#[derive(Debug)]
pub struct Files {
    dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
}

impl Files {
    /// Writes one file per unit for `cfg`.
    pub fn create(cfg: &Config) -> anyhow::Result<Self> {
        let (dir, temp) = crate::data_place(cfg, "files")?;
        if temp.is_none() {
            std::fs::create_dir(&dir).with_context(|| format!("creating the folder {}", dir.display()))?;
        }
        for i in 0..cfg.scenario.units {
            let path = path_of(&dir, i);
            std::fs::write(&path, content(cfg.cpu.seed, i, cfg.scenario.file_bytes))
                .with_context(|| format!("writing {}", path.display()))?;
        }
        Ok(Files { dir, _temp: temp })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.dir
    }
}

/// Unit `i`'s file in `dir`.
pub fn path_of(dir: &Path, i: usize) -> PathBuf {
    dir.join(format!("unit-{i}.bin"))
}

/// The `len` bytes of unit `i`'s file.
pub fn content(seed: u64, i: usize, len: usize) -> Vec<u8> {
    concbench_core::seq::pattern(seed ^ ((i as u64) << 40), len)
}

/// What a unit that read `bytes` returns: their sum, with their length above bit 40.
pub fn value(bytes: &[u8]) -> u64 {
    let sum = bytes.iter().fold(0u64, |a, b| a.wrapping_add(u64::from(*b)));
    sum.wrapping_add((bytes.len() as u64) << 40)
}

/// The value unit `i` must return for `cfg`.
pub fn expected(cfg: &Config, i: usize) -> u64 {
    value(&content(cfg.cpu.seed, i, cfg.scenario.file_bytes))
}

/// Reads unit `i`'s file with `std::fs`; a failure is recorded and the value is 0.
pub fn unit(cfg: &Config, i: usize) -> u64 {
    let path = path_of(Path::new(&cfg.scenario.data), i);
    match std::fs::read(&path) {
        Ok(bytes) => value(&bytes),
        Err(err) => {
            crate::fail(format!("reading {}: {err}", path.display()));
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use concbench_core::config::ScenarioName;

    #[test]
    fn every_unit_reads_back_its_own_seeded_file() {
        let mut c = Config::default();
        c.scenario.name = ScenarioName::FileRead;
        c.scenario.units = 3;
        c.scenario.file_bytes = 1001;
        let files = Files::create(&c).unwrap();
        c.scenario.data = files.path().to_string_lossy().into_owned();
        for i in 0..3 {
            assert_eq!(unit(&c, i), expected(&c, i));
        }
        assert_ne!(expected(&c, 0), expected(&c, 1), "each unit has its own content");
        assert_eq!(content(42, 0, 1001).len(), 1001);
        assert_eq!(value(&[1, 2, 3]), 6 + (3 << 40));
    }
}
