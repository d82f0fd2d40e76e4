//! Seeded sequences every family shares: the checksums' bit mixer, the split of a range into
//! equal parts, and the byte pattern of the echo messages and the file-read files.

use std::ops::Range;

/// SplitMix64's finaliser: spreads the bits of `z`; the checksums add these up, order-independently.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Splits `0..len` into `parts` contiguous ranges whose sizes differ by one at most.
pub fn split(len: usize, parts: usize) -> Vec<Range<usize>> {
    let parts = parts.clamp(1, len.max(1));
    let (size, extra) = (len / parts, len % parts);
    let mut start = 0;
    (0..parts)
        .map(|p| {
            let end = start + size + usize::from(p < extra);
            let range = start..end;
            start = end;
            range
        })
        .collect()
}

/// `len` bytes of the seeded pattern `key`: the little-endian words `mix(key ^ 0)`,
/// `mix(key ^ 1)`, … truncated to `len` (file-read's files and the echo messages are made of it).
pub fn pattern(key: u64, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 8);
    let mut word = 0u64;
    while out.len() < len {
        out.extend_from_slice(&mix(key ^ word).to_le_bytes());
        word += 1;
    }
    out.truncate(len);
    out
}
