//! Latency histograms, written once for every family that times exchanges: HDR histograms of
//! microseconds (1 µs to an hour, 3 significant digits) and their [`Latency`] summary in
//! milliseconds.

use hdrhistogram::Histogram;

use crate::report::Latency;

/// An empty histogram of microseconds, 1 µs to an hour, 3 significant digits.
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("static bounds are valid")
}

/// The summary of a histogram of microseconds, in milliseconds (zeros when it is empty).
pub fn summary(h: &Histogram<u64>) -> Latency {
    if h.is_empty() {
        return Latency {
            min: 0.0,
            mean: 0.0,
            p50: 0.0,
            p90: 0.0,
            p99: 0.0,
            p999: 0.0,
            max: 0.0,
        };
    }
    let ms = |us: u64| us as f64 / 1000.0;
    Latency {
        min: ms(h.min()),
        mean: h.mean() / 1000.0,
        p50: ms(h.value_at_quantile(0.50)),
        p90: ms(h.value_at_quantile(0.90)),
        p99: ms(h.value_at_quantile(0.99)),
        p999: ms(h.value_at_quantile(0.999)),
        max: ms(h.max()),
    }
}

/// The `(value, count)` pairs of a histogram's recorded buckets (how a child sends its part).
pub fn buckets(h: &Histogram<u64>) -> Vec<(u64, u64)> {
    h.iter_recorded()
        .map(|v| (v.value_iterated_to(), v.count_at_value()))
        .collect()
}

/// A histogram from its `(value, count)` pairs.
pub fn from_buckets(pairs: &[(u64, u64)]) -> Histogram<u64> {
    let mut h = histogram();
    for (value, count) in pairs {
        h.saturating_record_n(*value, *count);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_in_milliseconds_and_buckets_round_trip() {
        let mut h = histogram();
        for us in [1000, 2000, 3000, 4000] {
            h.record(us).unwrap();
        }
        let l = summary(&h);
        assert!(
            (l.min - 1.0).abs() < 0.01 && (l.max - 4.0).abs() < 0.01 && (l.mean - 2.5).abs() < 0.01,
            "{l:?}"
        );
        assert_eq!(summary(&from_buckets(&buckets(&h))), l);
        assert_eq!(summary(&histogram()).p99, 0.0);
    }
}
