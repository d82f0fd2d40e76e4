//! The char-encoding workload of the Python study: a URL generator and a per-character kernel.
//!
//! URL `i` is `http://{host}/anything/{i}?query={param}`. `param` starts as the 26 letters `a..z`;
//! after each URL it is reset to the 26 letters if it was 1,000 bytes or longer, else doubled. The
//! kernel encodes every character to UTF-8 and adds its length, as the study did, rather than
//! taking `str::len`.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use concbench_core::config::CpuConfig;
use concbench_core::seq::{mix, split};

const ASCII: &str = "abcdefghijklmnopqrstuvwxyz";
/// Characters of 2, 3 and 4 bytes that `cpu.unicode` mixes into the query.
const WIDE: [&[char]; 3] = [
    &['é', 'ß', 'ж', 'λ'],
    &['€', '中', 'あ', '∑'],
    &['😀', '𝄞', '🦀', '𐍈'],
];
const RESET_AT: usize = 1_000;

/// The generated URLs, stored back to back in one string, counted `passes` times.
///
/// Index `i` of `0..len()` is pass `i / n` over URL `i % n` (`n` URLs generated): the work grows
/// with the passes while the memory stays that of one pass, and each count has its own index
/// in the checksum.
#[derive(Debug, Clone, Default)]
pub struct UrlSet {
    text: String,
    ends: Vec<usize>,
    passes: usize,
}

impl UrlSet {
    /// Generates the URLs `cfg` describes: same config, same URLs in the same order.
    pub fn generate(cfg: &CpuConfig) -> Self {
        let base = base_param(cfg.unicode, cfg.seed);
        let mut param = base.clone();
        let mut set = UrlSet {
            passes: cfg.passes.max(1),
            ..UrlSet::default()
        };
        set.ends.reserve(cfg.urls);
        for i in 0..cfg.urls {
            use std::fmt::Write;
            write!(set.text, "http://{}/anything/{i}?query={param}", cfg.host)
                .expect("writing to a String cannot fail");
            set.ends.push(set.text.len());
            if param.len() >= RESET_AT {
                param.clone_from(&base);
            } else {
                param = param.repeat(2);
            }
        }
        set
    }

    /// Number of URLs to count: the URLs generated times the passes.
    pub fn len(&self) -> usize {
        self.ends.len() * self.passes
    }

    /// Number of distinct URLs generated (one pass).
    pub fn distinct(&self) -> usize {
        self.ends.len()
    }

    /// How many times each URL is counted.
    pub fn passes(&self) -> usize {
        self.passes
    }

    /// True when there are no URLs.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The URL of index `i` (URL `i % distinct()`).
    pub fn get(&self, i: usize) -> &str {
        let i = i % self.ends.len();
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    /// The URLs of `range`, with their indices.
    pub fn iter_range(&self, range: Range<usize>) -> impl Iterator<Item = (usize, &str)> {
        range.map(|i| (i, self.get(i)))
    }

    /// The URLs of `range`.
    pub fn urls(&self, range: Range<usize>) -> impl Iterator<Item = &str> {
        range.map(|i| self.get(i))
    }

    /// The text of the URLs of `range`, back to back: one slice per pass the range touches.
    pub fn text_of(&self, range: Range<usize>) -> Vec<&str> {
        let n = self.ends.len();
        let mut out = Vec::new();
        let mut at = range.start;
        while at < range.end {
            let pass_end = (at / n + 1) * n;
            let (from, to) = (at % n, (range.end.min(pass_end) - 1) % n);
            let start = if from == 0 { 0 } else { self.ends[from - 1] };
            out.push(&self.text[start..self.ends[to]]);
            at = range.end.min(pass_end);
        }
        out
    }

    /// Splits `0..len` into `parts` contiguous ranges whose sizes differ by one at most.
    pub fn shards(&self, parts: usize) -> Vec<Range<usize>> {
        split(self.len(), parts)
    }

    /// Splits `0..len` into ranges of `chunk` URLs (the last may be shorter).
    pub fn chunks(&self, chunk: usize) -> Vec<Range<usize>> {
        let chunk = chunk.max(1);
        (0..self.len())
            .step_by(chunk)
            .map(|start| start..(start + chunk).min(self.len()))
            .collect()
    }
}

/// The 26-character query base: `a..z`, or with `unicode` a seeded mix of 1- to 4-byte characters.
fn base_param(unicode: bool, seed: u64) -> String {
    if !unicode {
        return ASCII.to_string();
    }
    let mut state = seed;
    ASCII
        .chars()
        .map(|c| {
            let r = splitmix64(&mut state);
            match (r % 4) as usize {
                0 => c,
                width => {
                    let pool = WIDE[width - 1];
                    pool[((r >> 8) % pool.len() as u64) as usize]
                }
            }
        })
        .collect()
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    mix(*state)
}

/// The kernel: encode every character to UTF-8 and add the encoded lengths.
pub fn encoded_len(url: &str) -> u64 {
    let mut buf = [0u8; 4];
    url.chars().map(|c| c.encode_utf8(&mut buf).len() as u64).sum()
}

/// What a model counted: URLs, bytes, and an order-independent checksum over `(index, bytes)`.
///
/// Tallies of disjoint shards merge into the tally of the whole, whatever the order, so every
/// model of the family must produce the same one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// URLs counted.
    pub units: u64,
    /// Sum of the UTF-8 lengths of every character.
    pub bytes: u64,
    /// Wrapping sum of `mix(index, bytes)` over the URLs: proves each URL was counted once, right.
    pub checksum: u64,
}

impl Tally {
    /// Counts URL `index`.
    pub fn add(&mut self, index: usize, url: &str) {
        let bytes = encoded_len(url);
        self.units += 1;
        self.bytes += bytes;
        self.checksum = self.checksum.wrapping_add(mix((index as u64) << 24 ^ bytes));
    }

    /// Counts every URL of an iterator of `(index, url)`.
    pub fn of<'a>(urls: impl IntoIterator<Item = (usize, &'a str)>) -> Self {
        let mut tally = Self::default();
        for (i, url) in urls {
            tally.add(i, url);
        }
        tally
    }

    /// Merges the tally of a disjoint shard.
    pub fn merge(mut self, other: Tally) -> Self {
        self.units += other.units;
        self.bytes += other.bytes;
        self.checksum = self.checksum.wrapping_add(other.checksum);
        self
    }

    /// The checksum as the report shows it.
    pub fn checksum_hex(&self) -> String {
        format!("{:016x}", self.checksum)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(urls: usize) -> CpuConfig {
        CpuConfig {
            urls,
            passes: 1,
            ..CpuConfig::default()
        }
    }

    #[test]
    fn passes_repeat_the_urls_with_their_own_indices_and_flat_memory() {
        let one = UrlSet::generate(&CpuConfig {
            urls: 10,
            passes: 1,
            ..CpuConfig::default()
        });
        let three = UrlSet::generate(&CpuConfig {
            urls: 10,
            passes: 3,
            ..CpuConfig::default()
        });
        assert_eq!((three.len(), three.distinct()), (30, 10));
        assert_eq!(three.get(23), one.get(3));
        let whole = Tally::of(three.iter_range(0..30));
        assert_eq!(whole.bytes, 3 * Tally::of(one.iter_range(0..10)).bytes);
        // A range across passes comes back as one slice per pass, in order.
        let text: String = three.text_of(8..23).concat();
        let expected: String = (8..23).map(|i| three.get(i)).collect();
        assert_eq!(text, expected);
        assert_eq!(three.text_of(8..23).len(), 3);
        assert!(three.text_of(5..5).is_empty());
    }

    #[test]
    fn first_urls_are_the_studys() {
        let set = UrlSet::generate(&cfg(8));
        let az = ASCII;
        assert_eq!(set.get(0), format!("http://127.0.0.1:80/anything/0?query={az}"));
        assert_eq!(
            set.get(1),
            format!("http://127.0.0.1:80/anything/1?query={az}{az}")
        );
        assert_eq!(
            set.get(6),
            format!("http://127.0.0.1:80/anything/6?query={}", az.repeat(64))
        );
        // 1,664 bytes is past the reset mark, so URL 7 starts over.
        assert_eq!(set.get(7), format!("http://127.0.0.1:80/anything/7?query={az}"));
    }

    /// Totals printed by the study's own Python generator and loop (CPython 3.11).
    #[test]
    fn totals_match_the_python_study() {
        for (n, expected) in [(1, 63), (7, 3_561), (1_000, 509_412), (100_000, 51_258_766)] {
            let set = UrlSet::generate(&cfg(n));
            assert_eq!(Tally::of(set.iter_range(0..n)).bytes, expected, "{n} URLs");
        }
    }

    /// The same total from arithmetic alone: prefix, index digits, and the query's length cycle.
    #[test]
    fn total_matches_closed_form() {
        let n = 12_345;
        let c = CpuConfig {
            host: "example.org".into(),
            ..cfg(n)
        };
        let fixed = "http://example.org/anything/?query=".len();
        let cycle = [26, 52, 104, 208, 416, 832, 1664];
        let expected: usize = (0..n).map(|i| fixed + i.to_string().len() + cycle[i % 7]).sum();
        let set = UrlSet::generate(&c);
        assert_eq!(Tally::of(set.iter_range(0..n)).bytes, expected as u64);
    }

    #[test]
    fn unicode_mixes_every_width_and_counts_bytes() {
        let c = CpuConfig {
            unicode: true,
            ..cfg(3)
        };
        let set = UrlSet::generate(&c);
        let widths: Vec<usize> = set.get(0).chars().map(char::len_utf8).collect();
        for w in 1..=4 {
            assert!(widths.contains(&w), "no {w}-byte character in {}", set.get(0));
        }
        let tally = Tally::of(set.iter_range(0..3));
        let by_len: usize = (0..3).map(|i| set.get(i).len()).sum();
        assert_eq!(tally.bytes, by_len as u64);
        assert!(set.get(0).chars().count() < set.get(0).len());
        let other = UrlSet::generate(&CpuConfig { seed: 7, ..c });
        assert_ne!(other.get(0), set.get(0), "the seed picks the characters");
    }

    #[test]
    fn shards_merge_to_the_whole_in_any_order() {
        let set = UrlSet::generate(&cfg(1_003));
        let whole = Tally::of(set.iter_range(0..set.len()));
        for parts in [1, 2, 3, 10, 1_003, 5_000] {
            let merged = set
                .shards(parts)
                .into_iter()
                .rev()
                .map(|r| Tally::of(set.iter_range(r)))
                .fold(Tally::default(), Tally::merge);
            assert_eq!(merged, whole, "{parts} shards");
        }
        let chunked = set.chunks(100);
        assert_eq!(chunked.len(), 11);
        assert_eq!(chunked[10], 1_000..1_003);
    }

    #[test]
    fn checksum_sees_a_miscounted_or_swapped_url() {
        let set = UrlSet::generate(&cfg(10));
        let whole = Tally::of(set.iter_range(0..10));
        let swapped = Tally::of((0..10).map(|i| (i, set.get(9 - i))));
        assert_eq!(swapped.bytes, whole.bytes);
        assert_ne!(swapped.checksum, whole.checksum);
        let twice = Tally::of((0..10).map(|i| (i.min(8), set.get(i.min(8)))));
        assert_ne!(twice.checksum, whole.checksum);
    }

    #[test]
    fn split_is_balanced_and_covers_everything() {
        assert_eq!(split(10, 3), vec![0..4, 4..7, 7..10]);
        assert_eq!(split(2, 5), vec![0..1, 1..2]);
        assert_eq!(split(0, 4), vec![0..0]);
    }
}
