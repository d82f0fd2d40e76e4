//! The CPU family's kernels behind one input type: every CPU model cuts [`Input`] into ranges
//! of items (URLs, numbers or records) and tallies each range with [`Input::tally`]; tallies of
//! disjoint ranges merge into the same [`Tally`] in any order, so every model of the family, on
//! every runtime, must report the same units, bytes and checksum.
//!
//! - `char-encoding` ([`UrlSet`]): the study's kernel, memory-bound.
//! - `sqrt-sum` ([`Numbers`]): the square roots of `0..numbers`. Each root is added as a 32.32
//!   fixed-point integer (the root × 2³² truncated, exact in `f64` and the same on every machine),
//!   with wrapping integer addition, which is associative: any split gives the same bits, where
//!   a floating-point sum would depend on the order of its partial sums. Compute-bound: nothing
//!   is read from memory.
//! - `filter-aggregate` ([`Records`]): seeded records of a group and a value; the ones with a
//!   positive value are counted and summed per group. Data-heavy: 16 bytes a record, streamed
//!   `passes` times.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::urls::UrlSet;
use concbench_core::config::{CpuConfig, CpuKernel};
use concbench_core::seq::{mix, split};

pub use crate::urls::Tally;

/// 2³²: the fixed-point scale of a square root.
const SQRT_SCALE: f64 = 4_294_967_296.0;
/// Groups of filter-aggregate.
pub const GROUPS: usize = 64;
/// Bytes of one record as it is held and sent.
pub const RECORD_BYTES: u64 = 16;

/// The input of one CPU run.
#[derive(Debug, Clone)]
pub enum Input {
    /// char-encoding's URLs.
    Urls(UrlSet),
    /// sqrt-sum's range of numbers.
    Numbers(Numbers),
    /// filter-aggregate's records.
    Records(Records),
}

impl Default for Input {
    fn default() -> Self {
        Input::Urls(UrlSet::default())
    }
}

impl Input {
    /// The input `cfg` describes: same config, same items in the same order.
    pub fn generate(cfg: &CpuConfig) -> Self {
        match cfg.kernel {
            CpuKernel::CharEncoding => Input::Urls(UrlSet::generate(cfg)),
            CpuKernel::SqrtSum => Input::Numbers(Numbers { count: cfg.numbers }),
            CpuKernel::FilterAggregate => Input::Records(Records::generate(cfg)),
        }
    }

    /// The kernel this input is for.
    pub fn kernel(&self) -> CpuKernel {
        match self {
            Input::Urls(_) => CpuKernel::CharEncoding,
            Input::Numbers(_) => CpuKernel::SqrtSum,
            Input::Records(_) => CpuKernel::FilterAggregate,
        }
    }

    /// Items to tally (passes included).
    pub fn len(&self) -> usize {
        match self {
            Input::Urls(u) => u.len(),
            Input::Numbers(n) => n.count,
            Input::Records(r) => r.len(),
        }
    }

    /// True when there is nothing to tally.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The distinct items and the passes over them: item `i` of `0..len()` is distinct item
    /// `i % distinct`, counted in pass `i / distinct` (sqrt-sum makes one pass).
    pub fn distinct_and_passes(&self) -> (usize, usize) {
        match self {
            Input::Urls(u) => (u.distinct(), u.passes()),
            Input::Numbers(n) => (n.count, 1),
            Input::Records(r) => (r.records.len(), r.passes),
        }
    }

    /// The tally of the items of `range`.
    pub fn tally(&self, range: Range<usize>) -> Tally {
        match self {
            Input::Urls(u) => Tally::of(u.iter_range(range)),
            Input::Numbers(_) => sqrt_sum(range),
            Input::Records(r) => r.tally(range),
        }
    }

    /// `0..len` in `parts` contiguous ranges whose sizes differ by one at most.
    pub fn shards(&self, parts: usize) -> Vec<Range<usize>> {
        split(self.len(), parts)
    }

    /// `0..len` in ranges of `chunk` items (the last may be shorter).
    pub fn chunks(&self, chunk: usize) -> Vec<Range<usize>> {
        let (chunk, len) = (chunk.max(1), self.len());
        (0..len)
            .step_by(chunk)
            .map(|start| start..(start + chunk).min(len))
            .collect()
    }
}

/// sqrt-sum's input: the numbers `0..count`, nothing stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Numbers {
    /// How many numbers.
    pub count: usize,
}

/// The square root of `i` as a 32.32 fixed-point integer.
fn fixed_sqrt(i: usize) -> u64 {
    ((i as f64).sqrt() * SQRT_SCALE) as u64
}

/// The fixed-point square roots of `range`, added with wrapping: the checksum; units the numbers
/// summed; no bytes (nothing is read).
pub fn sqrt_sum(range: Range<usize>) -> Tally {
    let units = range.len() as u64;
    let checksum = range.fold(0u64, |acc, i| acc.wrapping_add(fixed_sqrt(i)));
    Tally {
        units,
        bytes: 0,
        checksum,
    }
}

/// One generated record: a group and a signed value (16 bytes with padding, as it is sent).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Its group, `0..GROUPS`.
    pub group: u32,
    /// Its value, in −500,000 … 499,999.
    pub value: i64,
}

impl Record {
    /// Record `i` of seed `seed`.
    pub fn generate(seed: u64, i: usize) -> Self {
        let h = mix(seed ^ mix(i as u64));
        Record {
            group: (h % GROUPS as u64) as u32,
            value: ((h >> 16) % 1_000_000) as i64 - 500_000,
        }
    }

    /// The wire form: group then value, little-endian, 16 bytes.
    pub fn to_bytes(self) -> [u8; RECORD_BYTES as usize] {
        let mut b = [0u8; RECORD_BYTES as usize];
        b[..4].copy_from_slice(&self.group.to_le_bytes());
        b[8..].copy_from_slice(&self.value.to_le_bytes());
        b
    }

    /// A record from its wire form.
    pub fn from_bytes(b: &[u8; RECORD_BYTES as usize]) -> Self {
        let mut group = [0u8; 4];
        let mut value = [0u8; 8];
        group.copy_from_slice(&b[..4]);
        value.copy_from_slice(&b[8..]);
        Record {
            group: u32::from_le_bytes(group),
            value: i64::from_le_bytes(value),
        }
    }
}

/// filter-aggregate's input: the generated records, visited `passes` times.
#[derive(Debug, Clone, Default)]
pub struct Records {
    records: Vec<Record>,
    passes: usize,
}

impl Records {
    /// The records `cfg` describes.
    pub fn generate(cfg: &CpuConfig) -> Self {
        Records {
            records: (0..cfg.records).map(|i| Record::generate(cfg.seed, i)).collect(),
            passes: cfg.passes.max(1),
        }
    }

    /// Items to tally: the records times the passes.
    pub fn len(&self) -> usize {
        self.records.len() * self.passes
    }

    /// True when there are no records.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The record of item `i` (record `i % records`).
    pub fn get(&self, i: usize) -> Record {
        self.records[i % self.records.len()]
    }

    /// The records of `range`, in order.
    pub fn slices(&self, range: Range<usize>) -> Vec<&[Record]> {
        let n = self.records.len();
        let mut out = Vec::new();
        let mut at = range.start;
        while at < range.end {
            let pass_end = (at / n + 1) * n;
            let to = range.end.min(pass_end);
            out.push(&self.records[at % n..(to - 1) % n + 1]);
            at = to;
        }
        out
    }

    /// Filter and aggregate the items of `range`.
    pub fn tally(&self, range: Range<usize>) -> Tally {
        let units = range.len() as u64;
        let mut agg = Aggregate::default();
        for slice in self.slices(range) {
            agg.add(slice);
        }
        agg.tally(units)
    }
}

/// Per-group count and sum of the records that pass the filter (a positive value).
#[derive(Debug, Clone, Copy)]
pub struct Aggregate {
    count: [u64; GROUPS],
    sum: [i64; GROUPS],
}

impl Default for Aggregate {
    fn default() -> Self {
        Aggregate {
            count: [0; GROUPS],
            sum: [0; GROUPS],
        }
    }
}

impl Aggregate {
    /// Filters and aggregates `records`.
    pub fn add(&mut self, records: &[Record]) {
        for r in records {
            if r.value > 0 {
                let g = r.group as usize % GROUPS;
                self.count[g] += 1;
                self.sum[g] = self.sum[g].wrapping_add(r.value);
            }
        }
    }

    /// The tally of `units` records aggregated here: a checksum linear in every group's count
    /// and sum, so aggregates of disjoint ranges add up to the whole's.
    pub fn tally(&self, units: u64) -> Tally {
        let checksum = (0..GROUPS).fold(0u64, |acc, g| {
            acc.wrapping_add(mix(g as u64).wrapping_mul(self.sum[g] as u64))
                .wrapping_add(mix(g as u64 | 1 << 32).wrapping_mul(self.count[g]))
        });
        Tally {
            units,
            bytes: units * RECORD_BYTES,
            checksum,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(kernel: CpuKernel) -> CpuConfig {
        CpuConfig {
            kernel,
            urls: 500,
            numbers: 100_000,
            records: 1_000,
            passes: 3,
            ..CpuConfig::default()
        }
    }

    /// The given records, one pass.
    fn one_pass(records: Vec<Record>) -> Records {
        Records { records, passes: 1 }
    }

    /// Any split of the input, merged in any order, gives the whole's tally.
    fn splits_agree(input: &Input) {
        let whole = input.tally(0..input.len());
        for chunk in [1, 7, 333, input.len()] {
            let parts: Vec<Tally> = input.chunks(chunk).into_iter().map(|r| input.tally(r)).collect();
            let forward = parts.iter().copied().fold(Tally::default(), Tally::merge);
            let backward = parts.iter().rev().copied().fold(Tally::default(), Tally::merge);
            assert_eq!((forward, backward), (whole, whole), "chunk {chunk}");
        }
        assert_eq!(
            input.shards(3).iter().map(|r| r.len()).sum::<usize>(),
            input.len()
        );
    }

    #[test]
    fn every_kernel_gives_the_same_tally_for_any_split() {
        for kernel in [
            CpuKernel::CharEncoding,
            CpuKernel::SqrtSum,
            CpuKernel::FilterAggregate,
        ] {
            let input = Input::generate(&cfg(kernel));
            assert_eq!(input.kernel(), kernel);
            splits_agree(&input);
        }
    }

    #[test]
    fn sqrt_sum_adds_the_fixed_point_roots() {
        // √0 + √1 + √2, with √2 × 2³² = 6,074,000,999.95… truncated.
        let t = sqrt_sum(0..3);
        assert_eq!(t.units, 3);
        assert_eq!(t.checksum, (1u64 << 32) + 6_074_000_999);
        assert_eq!(sqrt_sum(9..10).checksum, 3u64 << 32);
        let input = Input::generate(&cfg(CpuKernel::SqrtSum));
        assert_eq!(input.len(), 100_000);
        // The fixed-point total, back in floating point, is the float sum to within 2⁻³² per root.
        let float: f64 = (0..100_000).map(|i| (i as f64).sqrt()).sum();
        let total = input.tally(0..100_000).checksum as f64 / SQRT_SCALE;
        assert!((total - float).abs() < 1e-3, "{total} against {float}");
    }

    #[test]
    fn filter_aggregate_counts_and_sums_the_positive_values_per_group() {
        let records = one_pass(vec![
            Record { group: 1, value: 5 },
            Record { group: 1, value: -3 },
            Record { group: 2, value: 7 },
            Record { group: 1, value: 10 },
        ]);
        let mut agg = Aggregate::default();
        agg.add(&records.slices(0..4).concat());
        assert_eq!(
            (agg.count[1], agg.sum[1], agg.count[2], agg.sum[2]),
            (2, 15, 1, 7)
        );
        let t = records.tally(0..4);
        assert_eq!((t.units, t.bytes), (4, 64));
        // The same positive records in another order and split: the same checksum.
        let other = one_pass(vec![
            Record { group: 1, value: 10 },
            Record { group: 2, value: 7 },
            Record { group: 1, value: 5 },
            Record { group: 1, value: -3 },
        ]);
        assert_eq!(other.tally(0..2).merge(other.tally(2..4)), t);
        // A record in another group changes it.
        let moved = one_pass(vec![
            Record { group: 3, value: 5 },
            Record { group: 1, value: -3 },
            Record { group: 2, value: 7 },
            Record { group: 1, value: 10 },
        ]);
        assert_ne!(moved.tally(0..4).checksum, t.checksum);
    }

    #[test]
    fn records_are_seeded_spread_and_survive_the_wire() {
        let a = Records::generate(&cfg(CpuKernel::FilterAggregate));
        let b = Records::generate(&cfg(CpuKernel::FilterAggregate));
        assert_eq!(
            a.tally(0..a.len()),
            b.tally(0..b.len()),
            "same seed, same records"
        );
        let other = Records::generate(&CpuConfig {
            seed: 7,
            ..cfg(CpuKernel::FilterAggregate)
        });
        assert_ne!(a.tally(0..1000).checksum, other.tally(0..1000).checksum);
        let positive = (0..1000).filter(|i| a.get(*i).value > 0).count();
        assert!(
            (400..600).contains(&positive),
            "about half pass the filter: {positive}"
        );
        let r = a.get(17);
        assert_eq!(Record::from_bytes(&r.to_bytes()), r);
        assert_eq!(a.get(1017), a.get(17), "pass 2 visits the same records");
    }
}
