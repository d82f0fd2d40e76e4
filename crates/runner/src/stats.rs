//! Statistics of repeated measurements: mean, standard deviation, median, range, a 95 %
//! confidence interval of the mean (Student's t), outliers by the modified z-score (median
//! absolute deviation, as hyperfine flags them), the median of paired ratios with a
//! distribution-free interval, how a paired ratio stands against an equivalence margin, and the
//! two-stage rule that fixes the rounds of `repeats = "auto"` from a pilot.

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
    /// The statistics of every value times `k` (> 0): exact, since each figure is linear in
    /// the values and order is kept.
    pub fn scaled(&self, k: f64) -> Self {
        Self {
            n: self.n,
            mean: self.mean * k,
            sd: self.sd * k,
            median: self.median * k,
            min: self.min * k,
            max: self.max * k,
            ci95: [self.ci95[0] * k, self.ci95[1] * k],
            outliers: self.outliers.clone(),
            values: self.values.iter().map(|v| v * k).collect(),
        }
    }

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

    /// [`Stats::of`] for a metric bounded by `bounds`: where Student's interval reaches past a
    /// bound (a share near 0 or 100 %, a count near 0), the interval is a percentile bootstrap of
    /// the mean instead, which stays within the values and so within the bounds.
    pub fn of_bounded(values: &[f64], bounds: [f64; 2]) -> Option<Self> {
        let mut s = Self::of(values)?;
        if s.ci95[0] < bounds[0] || s.ci95[1] > bounds[1] {
            s.ci95 = bootstrap_mean_ci(values);
        }
        Some(s)
    }

    /// True when the two confidence intervals overlap: no difference shown at this n.
    pub fn overlaps(&self, other: &Stats) -> bool {
        self.ci95[0] <= other.ci95[1] && other.ci95[0] <= self.ci95[1]
    }
}

/// Resamples of every bootstrap here ([`bootstrap_mean_ci`], [`unpaired_ratio`]).
const RESAMPLES: usize = 2_000;

/// A 95 % percentile bootstrap interval of the mean of `values` (seeded, so the same values
/// give the same interval).
fn bootstrap_mean_ci(values: &[f64]) -> [f64; 2] {
    let n = values.len();
    let mut rng = SplitMix(0x005E_ED0F_B007);
    let mut means: Vec<f64> = (0..RESAMPLES)
        .map(|_| (0..n).map(|_| values[rng.below(n)]).sum::<f64>() / n as f64)
        .collect();
    means.sort_by(f64::total_cmp);
    [means[RESAMPLES / 40], means[RESAMPLES - 1 - RESAMPLES / 40]]
}

/// A small seeded generator (SplitMix64) for the bootstrap and the simulations.
#[derive(Debug, Clone)]
pub struct SplitMix(pub u64);

impl SplitMix {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..n.
    pub fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize % n.max(1)
    }

    /// A standard normal draw (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u = self.unit().max(1e-300);
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
    /// The ratios, in round order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ratios: Vec<f64>,
}

/// How a paired ratio stands against 1 and an equivalence margin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// The whole interval lies above 1 + the margin.
    Faster,
    /// The whole interval lies below 1 − the margin.
    Slower,
    /// The interval reaches into 1 ± the margin: no difference larger than the margin is shown.
    Tie,
    /// Too few rounds for a 95 % interval (fewer than 6): not ranked.
    TooFew,
}

impl Standing {
    /// The standing in a table or a list: `faster`, `slower`, `tied`, `too few rounds`.
    pub fn word(self) -> &'static str {
        match self {
            Standing::Faster => "faster",
            Standing::Slower => "slower",
            Standing::Tie => "tied",
            Standing::TooFew => "too few rounds",
        }
    }
}

/// The 95 % interval of median(`b`) / median(`a`) for two unpaired samples: the 2.5th and 97.5th
/// percentiles over [`RESAMPLES`] bootstrap resamples of each side (a fixed seed, so the same
/// samples give the same interval).
pub fn unpaired_ratio(a: &[f64], b: &[f64]) -> [f64; 2] {
    if a.is_empty() || b.is_empty() {
        return [f64::NAN, f64::NAN];
    }
    let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ (a.len() as u64) << 32 ^ b.len() as u64;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        concbench_core::seq::mix(state)
    };
    let mut resample = |v: &[f64]| -> f64 {
        let picked: Vec<f64> = (0..v.len())
            .map(|_| v[(next() % v.len() as u64) as usize])
            .collect();
        median(&picked)
    };
    let mut ratios: Vec<f64> = (0..RESAMPLES)
        .map(|_| {
            let (x, y) = (resample(a), resample(b));
            if x > 0.0 { y / x } else { f64::NAN }
        })
        .filter(|r| r.is_finite())
        .collect();
    ratios.sort_by(f64::total_cmp);
    if ratios.is_empty() {
        return [f64::NAN, f64::NAN];
    }
    let at = |q: f64| ratios[((ratios.len() - 1) as f64 * q).round() as usize];
    [at(0.025), at(0.975)]
}

/// Where the 95 % interval `ci95` of a ratio lies against 1 ± `margin_pct` %: wholly above
/// (`Greater`), wholly below (`Less`), or reaching into it (`Equal`). The one rule behind every
/// standing: paired speed-ups, and `runner compare`'s unpaired ratios.
pub fn against_margin(ci95: [f64; 2], margin_pct: f64) -> std::cmp::Ordering {
    let m = margin_pct / 100.0;
    if ci95[0] > 1.0 + m {
        std::cmp::Ordering::Greater
    } else if ci95[1] < 1.0 - m {
        std::cmp::Ordering::Less
    } else {
        std::cmp::Ordering::Equal
    }
}

impl Paired {
    /// The median and its interval without the ratios of every round (those are kept once, for
    /// the speed-up).
    pub fn interval_only(self) -> Self {
        Self {
            ratios: Vec::new(),
            ..self
        }
    }

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
            ratios: ratios.to_vec(),
        })
    }

    /// How the ratio stands against 1 ± `margin_pct` %: faster or slower only when the whole
    /// 95 % interval lies outside the margin.
    pub fn standing(&self, margin_pct: f64) -> Standing {
        if self.coverage_pct < 95.0 {
            return Standing::TooFew;
        }
        match against_margin(self.ci95, margin_pct) {
            std::cmp::Ordering::Greater => Standing::Faster,
            std::cmp::Ordering::Less => Standing::Slower,
            std::cmp::Ordering::Equal => Standing::Tie,
        }
    }

    /// True when the two intervals overlap: neither is shown to be ahead of the other.
    pub fn overlaps(&self, other: &Paired) -> bool {
        self.ci95[0] <= other.ci95[1] && other.ci95[0] <= self.ci95[1]
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

/// The two-stage rule of `repeats = "auto"`: from the `pilot` ratios (the first rounds, a number
/// fixed in advance), the rounds at which the order-statistic interval's half-width is expected
/// to be `target_pct` % of the median, within `[pilot.len(), max]`. The interval is then drawn
/// from exactly that many rounds, never from a look at the interval itself, so it keeps its
/// coverage (a Monte Carlo test checks it). The spread is the robust one (MAD of the log ratios),
/// so one slow round does not ask for dozens more.
pub fn planned_rounds(pilot: &[f64], target_pct: f64, max: usize) -> usize {
    let n0 = pilot.len();
    let logs: Vec<f64> = pilot.iter().filter(|r| **r > 0.0).map(|r| r.ln()).collect();
    if logs.len() < 2 {
        return n0.min(max).max(1);
    }
    let sd = robust_sd(&logs).max(sample_sd(&logs) / 2.0);
    // The order-statistic interval of a median is about ± 1.96 × sqrt(π / 2) × sd / sqrt(n).
    let half = (1.0 + target_pct / 100.0).ln();
    let n = (1.96 * 1.2533 * sd / half).powi(2).ceil() as usize;
    n.clamp(n0, max.max(n0))
}

/// The standard deviation estimated from the median absolute deviation (× 1.4826).
pub fn robust_sd(values: &[f64]) -> f64 {
    let m = median(values);
    let deviations: Vec<f64> = values.iter().map(|v| (v - m).abs()).collect();
    1.4826 * median(&deviations)
}

fn sample_sd(values: &[f64]) -> f64 {
    Stats::of(values).map_or(0.0, |s| s.sd)
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
        assert!(
            !a.overlaps(&b) && !b.overlaps(&a),
            "{:?} against {:?}",
            a.ci95,
            b.ci95
        );
        // Intervals that touch or cross overlap, in either order; disjoint ones do not.
        let at = |lo: f64, hi: f64| Stats {
            ci95: [lo, hi],
            ..a.clone()
        };
        assert!(at(1.0, 2.0).overlaps(&at(2.0, 3.0)) && at(2.0, 3.0).overlaps(&at(1.0, 2.0)));
        assert!(at(1.0, 3.0).overlaps(&at(1.5, 2.0)) && at(1.5, 2.0).overlaps(&at(1.0, 3.0)));
        assert!(!at(1.0, 1.9).overlaps(&at(2.0, 3.0)) && !at(2.0, 3.0).overlaps(&at(1.0, 1.9)));
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

    /// One simulated entry of a matrix on a drifting machine: round `r`'s baseline run and entry
    /// run each see the machine's speed at their own moment (a log-speed AR(1), so neighbours
    /// share most of it) and their own lognormal noise; the true paired ratio is `truth`.
    struct Drifting {
        rng: SplitMix,
        truth: f64,
        noise: f64,
        speed: f64,
    }

    impl Drifting {
        fn run(&mut self) -> f64 {
            self.speed = 0.9 * self.speed + 0.05 * self.rng.normal();
            (self.speed + self.noise * self.rng.normal()).exp()
        }

        /// The next round's ratio: the baseline's time over the entry's.
        fn ratio(&mut self) -> f64 {
            let base = self.run();
            let entry = self.run() / self.truth;
            base / entry
        }
    }

    /// The stated 95 % interval covers the true ratio in at least 94 % of 2,000 auto-stopped
    /// simulated runs under the two-stage rule; the old rule (stop at the first look whose
    /// interval is within the target) is measured beside it and covers less.
    #[test]
    fn auto_rounds_keep_their_coverage() {
        let (sims, pilot, target, max) = (2_000, 6, 5.0, 60);
        let mut rng = SplitMix(7);
        let (mut two_stage, mut first_look) = (0, 0);
        for i in 0..sims {
            let mut m = Drifting {
                truth: (rng.unit() - 0.5).exp(),
                noise: [0.02, 0.04, 0.06, 0.1][i % 4],
                speed: 0.0,
                rng: SplitMix(rng.next_u64()),
            };
            let ratios: Vec<f64> = (0..max).map(|_| m.ratio()).collect();
            let covers = |p: Paired| p.ci95[0] <= m.truth && m.truth <= p.ci95[1];
            let n = planned_rounds(&ratios[..pilot], target, max);
            two_stage += usize::from(covers(Paired::of(&ratios[..n]).unwrap()));
            let stop = (pilot..=max)
                .find(|&n| Paired::of(&ratios[..n]).unwrap().half_width_pct() <= target)
                .unwrap_or(max);
            first_look += usize::from(covers(Paired::of(&ratios[..stop]).unwrap()));
        }
        let pct = |k: usize| k as f64 / sims as f64 * 100.0;
        eprintln!(
            "coverage over {sims} simulated runs: two-stage {:.1} %, stop at the first look {:.1} %",
            pct(two_stage),
            pct(first_look)
        );
        assert!(
            pct(two_stage) >= 94.0,
            "two-stage coverage {:.1} %",
            pct(two_stage)
        );
        assert!(pct(first_look) < pct(two_stage), "the old rule is the weaker one");
    }

    #[test]
    fn planned_rounds_grow_with_the_spread_and_stay_within_bounds() {
        let tight = [1.0, 1.01, 0.99, 1.0, 1.005, 0.995];
        assert_eq!(planned_rounds(&tight, 5.0, 60), 6, "already resolved: the pilot");
        let wide = [1.0, 1.2, 0.8, 1.1, 0.9, 1.05];
        let n = planned_rounds(&wide, 5.0, 60);
        assert!(n > 6 && n <= 60, "{n}");
        assert_eq!(planned_rounds(&wide, 5.0, 10), 10, "capped at the round limit");
        assert!(
            planned_rounds(&wide, 1.0, 1_000) > n,
            "a tighter target asks more"
        );
    }

    #[test]
    fn standing_needs_the_whole_interval_outside_the_margin() {
        let p = |lo: f64, m: f64, hi: f64| Paired {
            median: m,
            ci95: [lo, hi],
            coverage_pct: 97.9,
            n: 10,
            ratios: Vec::new(),
        };
        assert_eq!(p(1.07, 1.09, 1.12).standing(2.0), Standing::Faster);
        assert_eq!(
            p(1.01, 1.03, 1.06).standing(2.0),
            Standing::Tie,
            "reaches into 1 ± 2 %"
        );
        assert_eq!(
            p(0.89, 0.95, 0.98).standing(2.0),
            Standing::Tie,
            "ends at the margin"
        );
        assert_eq!(p(0.89, 0.95, 0.97).standing(2.0), Standing::Slower);
        assert_eq!(p(1.01, 1.03, 1.06).standing(0.5), Standing::Faster);
        let few = Paired::of(&[1.5, 1.6, 1.55]).unwrap();
        assert_eq!(few.standing(2.0), Standing::TooFew);
        assert!(p(1.0, 1.1, 1.2).overlaps(&p(1.15, 1.3, 1.4)));
        assert!(!p(1.0, 1.1, 1.2).overlaps(&p(1.25, 1.3, 1.4)));
    }

    #[test]
    fn a_bounded_interval_stays_within_its_bounds() {
        // One run in 30 at 100 % system CPU, the rest at 0: Student's interval starts below 0.
        let mut v = vec![0.0; 29];
        v.push(100.0);
        assert!(Stats::of(&v).unwrap().ci95[0] < 0.0);
        let s = Stats::of_bounded(&v, [0.0, 100.0]).unwrap();
        assert!(
            s.ci95[0] >= 0.0 && s.ci95[1] <= 100.0 && s.ci95[1] > 0.0,
            "{:?}",
            s.ci95
        );
        let near_full = [99.1, 100.0, 100.0, 99.5, 100.0, 100.0];
        let s = Stats::of_bounded(&near_full, [0.0, 100.0]).unwrap();
        assert!(s.ci95[1] <= 100.0 && s.ci95[0] >= 99.1, "{:?}", s.ci95);
        let inside = [40.0, 50.0, 60.0];
        assert_eq!(
            Stats::of_bounded(&inside, [0.0, 100.0]).unwrap().ci95,
            Stats::of(&inside).unwrap().ci95,
            "Student's interval where it fits"
        );
    }

    #[test]
    fn t_quantiles() {
        assert!(close(t95(1), 12.706) && close(t95(30), 2.042) && close(t95(1000), 1.96));
        assert!(t95(45) < 2.042 && t95(45) > 2.0);
    }
}
