//! The echo messages and the checksum over what came back.

use concbench_core::seq::mix;

/// The first byte of a heavy connection's messages under uneven load (`serve.heavy_share` > 0).
pub const HEAVY: u8 = 1;
/// The first byte of the other connections' messages under uneven load.
pub const LIGHT: u8 = 0;

pub use concbench_core::skew::is_heavy;

/// Message `rt` of connection `conn`, `len` bytes: a seeded pattern, so a mixed-up echo shows.
/// Under uneven load (`heavy_share` > 0) its first byte is [`HEAVY`] or [`LIGHT`], which the
/// server reads to know how much work the message carries.
pub fn message(conn: usize, rt: usize, len: usize, heavy_share: f64) -> Vec<u8> {
    let mut message = concbench_core::seq::pattern(((conn as u64) << 40) ^ ((rt as u64) << 20), len);
    if let Some(first) = message.first_mut().filter(|_| heavy_share > 0.0) {
        *first = if is_heavy(conn, heavy_share) { HEAVY } else { LIGHT };
    }
    message
}

/// The checksum term of one round trip whose echo was `echo`.
pub fn term(conn: usize, rt: usize, echo: &[u8]) -> u64 {
    let sum = echo
        .iter()
        .fold(0u64, |a, b| a.wrapping_mul(31).wrapping_add(u64::from(*b)));
    mix(((conn as u64) << 32) ^ rt as u64 ^ sum.rotate_left(17))
}

/// The checksum every model must produce: every round trip of every connection echoed right.
pub fn expected_checksum(connections: usize, round_trips: usize, len: usize, heavy_share: f64) -> u64 {
    (0..connections)
        .flat_map(|c| (0..round_trips).map(move |r| (c, r)))
        .fold(0u64, |acc, (c, r)| {
            acc.wrapping_add(term(c, r, &message(c, r, len, heavy_share)))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_differ_by_connection_and_round_trip_and_the_checksum_sees_it() {
        assert_eq!(message(3, 4, 100, 0.0).len(), 100);
        assert_ne!(message(3, 4, 64, 0.0), message(4, 3, 64, 0.0));
        assert_ne!(message(3, 4, 64, 0.0), message(3, 5, 64, 0.0));
        let right = term(1, 2, &message(1, 2, 64, 0.0));
        let mut wrong = message(1, 2, 64, 0.0);
        wrong[10] ^= 1;
        assert_ne!(right, term(1, 2, &wrong));
        assert_ne!(expected_checksum(2, 3, 64, 0.0), expected_checksum(3, 2, 64, 0.0));
    }

    #[test]
    fn a_heavy_connections_messages_are_marked() {
        assert_eq!(
            (message(9, 0, 8, 0.1)[0], message(8, 0, 8, 0.1)[0]),
            (HEAVY, LIGHT)
        );
        assert_eq!(
            message(9, 0, 8, 0.1)[1..],
            message(9, 0, 8, 0.0)[1..],
            "only the first byte"
        );
        assert_ne!(
            expected_checksum(20, 2, 64, 0.1),
            expected_checksum(20, 2, 64, 0.0)
        );
    }
}
