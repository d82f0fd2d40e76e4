//! Statistics of repeated measurements: mean, standard deviation, median, range, a 95 %
//! confidence interval of the mean (Student's t), outliers by the modified z-score (median
//! absolute deviation, as hyperfine flags them), and ratios with propagated uncertainty.

use serde::{Deserialize, Serialize};

/// The statistics of one metric over the runs of one entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Number of values.
    pub n: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1); 0 for one value.
    pub sd: f64,
    /// Median.
    pub median: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// 95 % confidence interval of the mean: `[low, high]` (the mean itself for one value).
    pub ci95: [f64; 2],
    /// Indices (in run order) of values whose modified z-score exceeds [`OUTLIER_Z`]; kept in
    /// every figure above, only flagged.
    pub outliers: Vec<usize>,
}

/// The modified z-score above which a value is flagged (Iglewicz and Hoaglin's 3.5).
pub const OUTLIER_Z: f64 = 3.5;

impl Stats {
    /// The statistics of `values`; `None` when there are none.
    pub fn of(values: &[f64]) -> Option<Self> {
        let n = values.len();
        if n == 0 {
            return None;
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let sd = if n > 1 {
            (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        let half = if n > 1 {
            t95(n - 1) * sd / (n as f64).sqrt()
        } else {
            0.0
        };
        Some(Self {
            n,
            mean,
            sd,
            median: median(values),
            min: values.iter().copied().fold(f64::INFINITY, f64::min),
            max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            ci95: [mean - half, mean + half],
            outliers: outliers(values),
        })
    }

    /// True when the two confidence intervals overlap: no difference shown at this n.
    pub fn overlaps(&self, other: &Stats) -> bool {
        self.ci95[0] <= other.ci95[1] && other.ci95[0] <= self.ci95[1]
    }
}

/// The median of `values` (the mean of the middle two for an even count).
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 0 {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    }
}

/// Indices of values with |0.6745 (x − median) / MAD| > [`OUTLIER_Z`].
pub fn outliers(values: &[f64]) -> Vec<usize> {
    let m = median(values);
    let deviations: Vec<f64> = values.iter().map(|v| (v - m).abs()).collect();
    let mad = median(&deviations);
    if mad == 0.0 {
        return Vec::new();
    }
    (0..values.len())
        .filter(|&i| (0.6745 * (values[i] - m) / mad).abs() > OUTLIER_Z)
        .collect()
}

/// `a / b` and its standard uncertainty from the two standard deviations (first-order error
/// propagation, as hyperfine reports relative speed).
pub fn ratio(a: &Stats, b: &Stats) -> (f64, f64) {
    let r = a.mean / b.mean;
    let rel = ((a.sd / a.mean).powi(2) + (b.sd / b.mean).powi(2)).sqrt();
    (r, r * rel)
}

/// The two-sided 95 % quantile of Student's t with `df` degrees of freedom.
pub fn t95(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
        2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
        2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => TABLE[df - 1],
        31..=60 => 2.042 - (df - 30) as f64 * (2.042 - 2.000) / 30.0,
        61..=120 => 2.000 - (df - 60) as f64 * (2.000 - 1.980) / 60.0,
        _ => 1.960,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-3
    }

    #[test]
    fn known_values() {
        let s = Stats::of(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
        assert_eq!((s.n, s.median, s.min, s.max), (8, 4.5, 2.0, 9.0));
        assert!(close(s.mean, 5.0));
        assert!(close(s.sd, 2.138), "{}", s.sd); // sqrt(32 / 7)
        let half = 2.365 * 2.138 / 8f64.sqrt();
        assert!(
            close(s.ci95[0], 5.0 - half) && close(s.ci95[1], 5.0 + half),
            "{:?}",
            s.ci95
        );
        // MAD = 0.5, so 9 scores 0.6745 × 4.5 / 0.5 = 6.1 > 3.5; 7 scores 3.4.
        assert_eq!(s.outliers, vec![7]);
    }

    #[test]
    fn one_value_has_no_spread() {
        let s = Stats::of(&[1.5]).unwrap();
        assert_eq!((s.sd, s.ci95), (0.0, [1.5, 1.5]));
        assert!(Stats::of(&[]).is_none());
    }

    #[test]
    fn flags_an_outlier_but_keeps_it() {
        let v = [1.0, 1.1, 0.9, 1.0, 1.05, 0.95, 9.0];
        let s = Stats::of(&v).unwrap();
        assert_eq!(s.outliers, vec![6]);
        assert_eq!(s.max, 9.0, "the outlier stays in the figures");
        assert!(outliers(&[3.0, 3.0, 3.0]).is_empty(), "no spread, no outliers");
    }

    #[test]
    fn ratio_propagates_uncertainty() {
        let a = Stats::of(&[2.0, 2.2, 1.8]).unwrap(); // mean 2, sd 0.2
        let b = Stats::of(&[1.0, 1.0, 1.0]).unwrap(); // mean 1, sd 0
        let (r, e) = ratio(&a, &b);
        assert!(close(r, 2.0) && close(e, 0.2), "{r} {e}");
        assert!(a.overlaps(&a) && !a.overlaps(&b));
    }

    #[test]
    fn t_quantiles() {
        assert!(close(t95(1), 12.706) && close(t95(30), 2.042) && close(t95(1000), 1.96));
        assert!(t95(45) < 2.042 && t95(45) > 2.0);
    }
}
