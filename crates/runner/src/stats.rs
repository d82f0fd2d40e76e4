//! Statistics of repeated measurements: mean, standard deviation, median, range, a 95 %
//! confidence interval of the mean (Student's t), outliers by the modified z-score (median
//! absolute deviation, as hyperfine flags them), and the median of paired ratios with a
//! distribution-free interval.

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
    /// The values, in run order (the plots draw each run as a dot).
    #[serde(default)]
    pub values: Vec<f64>,
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
            values: values.to_vec(),
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

/// The median of paired ratios and a distribution-free 95 % confidence interval for it, from
/// order statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paired {
    /// The median of the ratios.
    pub median: f64,
    /// The interval `[low, high]`: the `k`th smallest and `k`th largest ratio, `k` the largest
    /// rank with P(Binomial(n, ½) < k) ≤ 2.5 % (with fewer than 6 ratios, the range).
    pub ci95: [f64; 2],
    /// The interval's coverage, % (95 or more; below 95 only when n < 6).
    pub coverage_pct: f64,
    /// Number of ratios (rounds).
    pub n: usize,
}

impl Paired {
    /// The median and its interval of `ratios`; `None` when there are none.
    pub fn of(ratios: &[f64]) -> Option<Self> {
        let n = ratios.len();
        if n == 0 {
            return None;
        }
        let mut sorted = ratios.to_vec();
        sorted.sort_by(f64::total_cmp);
        let k = median_rank(n);
        let below = binomial_cdf(n, k - 1);
        Some(Self {
            median: median(ratios),
            ci95: [sorted[k - 1], sorted[n - k]],
            coverage_pct: (1.0 - 2.0 * below) * 100.0,
            n,
        })
    }

    /// Half the interval's width as a share of the median, %.
    pub fn half_width_pct(&self) -> f64 {
        (self.ci95[1] - self.ci95[0]) / 2.0 / self.median.abs().max(1e-12) * 100.0
    }

    /// True when the interval holds 1: no difference shown.
    pub fn holds_one(&self) -> bool {
        self.ci95[0] <= 1.0 && 1.0 <= self.ci95[1]
    }
}

/// The largest rank `k` (1-based, at least 1) with P(Binomial(n, ½) ≤ k − 1) ≤ 2.5 %.
fn median_rank(n: usize) -> usize {
    let mut k = 1;
    while k < n.div_ceil(2) && binomial_cdf(n, k) <= 0.025 {
        k += 1;
    }
    k
}

/// P(Binomial(n, ½) ≤ j).
fn binomial_cdf(n: usize, j: usize) -> f64 {
    let mut term = 0.5f64.powi(n as i32); // C(n, 0) / 2^n
    let mut sum = term;
    for i in 1..=j.min(n) {
        term *= (n - i + 1) as f64 / i as f64;
        sum += term;
    }
    sum
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
    fn intervals_overlap_or_not() {
        let a = Stats::of(&[2.0, 2.2, 1.8]).unwrap(); // mean 2, sd 0.2
        let b = Stats::of(&[1.0, 1.0, 1.0]).unwrap(); // mean 1, sd 0
        assert!(a.overlaps(&a) && !a.overlaps(&b));
    }

    #[test]
    fn paired_median_interval_from_order_statistics() {
        // n = 10: P(B(10, ½) ≤ 1) = 11/1024 ≤ 2.5 %, P(≤ 2) = 56/1024 > 2.5 %: ranks 2 and 9.
        let r: Vec<f64> = (1..=10).map(|i| i as f64).collect();
        let p = Paired::of(&r).unwrap();
        assert_eq!((p.median, p.ci95, p.n), (5.5, [2.0, 9.0], 10));
        assert!((p.coverage_pct - (1.0 - 22.0 / 1024.0) * 100.0).abs() < 1e-9);
        // Five ratios cannot reach 95 %: the range, at 93.75 %.
        let p = Paired::of(&[1.0, 1.1, 0.9, 1.05, 0.95]).unwrap();
        assert_eq!((p.ci95, p.coverage_pct), ([0.9, 1.1], 93.75));
        assert!(p.holds_one() && (p.half_width_pct() - 10.0).abs() < 1e-9);
        assert!(Paired::of(&[]).is_none());
        assert_eq!(Paired::of(&[2.0]).unwrap().ci95, [2.0, 2.0]);
    }

    #[test]
    fn t_quantiles() {
        assert!(close(t95(1), 12.706) && close(t95(30), 2.042) && close(t95(1000), 1.96));
        assert!(t95(45) < 2.042 && t95(45) > 2.0);
    }
}
