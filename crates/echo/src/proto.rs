//! The echo messages and the checksum over what came back.

use concbench_core::seq::mix;

/// Message `rt` of connection `conn`, `len` bytes: a seeded pattern, so a mixed-up echo shows.
pub fn message(conn: usize, rt: usize, len: usize) -> Vec<u8> {
    concbench_core::seq::pattern(((conn as u64) << 40) ^ ((rt as u64) << 20), len)
}

/// The checksum term of one round trip whose echo was `echo`.
pub fn term(conn: usize, rt: usize, echo: &[u8]) -> u64 {
    let sum = echo
        .iter()
        .fold(0u64, |a, b| a.wrapping_mul(31).wrapping_add(u64::from(*b)));
    mix(((conn as u64) << 32) ^ rt as u64 ^ sum.rotate_left(17))
}

/// The checksum every model must produce: every round trip of every connection echoed right.
pub fn expected_checksum(connections: usize, round_trips: usize, len: usize) -> u64 {
    (0..connections)
        .flat_map(|c| (0..round_trips).map(move |r| (c, r)))
        .fold(0u64, |acc, (c, r)| {
            acc.wrapping_add(term(c, r, &message(c, r, len)))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_differ_by_connection_and_round_trip_and_the_checksum_sees_it() {
        assert_eq!(message(3, 4, 100).len(), 100);
        assert_ne!(message(3, 4, 64), message(4, 3, 64));
        assert_ne!(message(3, 4, 64), message(3, 5, 64));
        let right = term(1, 2, &message(1, 2, 64));
        let mut wrong = message(1, 2, 64);
        wrong[10] ^= 1;
        assert_ne!(right, term(1, 2, &wrong));
        assert_ne!(expected_checksum(2, 3, 64), expected_checksum(3, 2, 64));
    }
}
