//! Every number the runner prints, formatted in one place: tables, CSV, verdicts, findings, plot
//! axes and the terminal table.

use crate::stats::Paired;

/// `text` as a Markdown code span, fenced with more backticks than any run inside it (an error
/// that quotes `ulimit -n` would otherwise break out of a single-backtick span).
pub fn code(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A value with a precision that suits its size: no decimals from 1,000, one from 100, two from
/// 1, and three significant digits below 1 (0.123, 0.0000286), so small times stay readable.
pub fn num(v: f64) -> String {
    let a = v.abs();
    if a >= 1000.0 {
        fixed(v, 0)
    } else if a >= 100.0 {
        fixed(v, 1)
    } else if a >= 1.0 || a == 0.0 {
        fixed(v, 2)
    } else {
        fixed(v, three_significant(a))
    }
}

/// A paired speed-up with its 95 % interval, `1.80× (1.75–1.85)`: two decimals, or three
/// significant digits below 0.1. The interval's ends are rounded outward, so the printed
/// interval holds the computed one (0.996 prints as 0.99, not 1.00). An interval of fewer than 6
/// rounds cannot reach 95 %: it is printed as the range with its real coverage,
/// `5.72× (range 5.71–5.74 of 3 rounds, 75 % coverage)`.
pub fn speedup(s: &Paired) -> String {
    let d = ratio_decimals(s.median);
    let (low, high) = (
        outward(s.ci95[0], d, f64::floor),
        outward(s.ci95[1], d, f64::ceil),
    );
    if s.coverage_pct < 95.0 {
        return format!(
            "{}× (range {low}–{high} of {} rounds, {} coverage)",
            fixed(s.median, d),
            s.n,
            percent_fixed(s.coverage_pct, 0)
        );
    }
    format!("{}× ({low}–{high})", fixed(s.median, d))
}

/// `v` at `decimals` decimals, rounded by `round` (floor or ceil) on the scaled value; a value
/// already at that precision is kept as it is.
fn outward(v: f64, decimals: usize, round: fn(f64) -> f64) -> String {
    let scale = 10f64.powi(decimals as i32);
    let scaled = v * scale;
    let snapped = if (scaled - scaled.round()).abs() < 1e-6 {
        scaled.round()
    } else {
        round(scaled)
    };
    fixed(snapped / scale, decimals)
}

/// A paired speed-up in plain ASCII for the terminal, `1.80x [1.75, 1.85]`.
pub fn speedup_ascii(s: &Paired) -> String {
    format!(
        "{}x [{}, {}]",
        fixed(s.median, 2),
        fixed(s.ci95[0], 2),
        fixed(s.ci95[1], 2)
    )
}

fn ratio_decimals(r: f64) -> usize {
    let a = r.abs();
    if a >= 0.1 || a == 0.0 {
        2
    } else {
        three_significant(a)
    }
}

/// The decimals that show three significant digits of `a` (0 < a < 1), at least 3, at most 12.
fn three_significant(a: f64) -> usize {
    (2 - a.log10().floor() as i32).clamp(3, 12) as usize
}

/// `v` with exactly `decimals` decimals.
pub fn fixed(v: f64, decimals: usize) -> String {
    format!("{v:.decimals$}")
}

/// Up to six decimals, trailing zeros dropped (`0.5`, `12`): for CSV cells and axis values.
pub fn plain(v: f64) -> String {
    fixed(v, 6)
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_string()
}

/// A whole number with thousands separators, `10,000`.
pub fn thousands(v: f64) -> String {
    let digits = fixed(v.abs(), 0);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0.0 { format!("-{out}") } else { out }
}

/// Seconds: three decimals, or three significant digits below 0.1 s.
pub fn seconds(v: f64) -> String {
    if v.abs() >= 0.1 {
        format!("{} s", fixed(v, 3))
    } else {
        format!("{} s", num(v))
    }
}

/// Seconds with exactly `decimals` decimals, `0.828 s`.
pub fn seconds_fixed(v: f64, decimals: usize) -> String {
    format!("{} s", fixed(v, decimals))
}

/// Milliseconds with `decimals` decimals, `50.5 ms`.
pub fn millis(v: f64, decimals: usize) -> String {
    format!("{} ms", fixed(v, decimals))
}

/// Milliseconds at the precision of [`num`], `11.70 ms`, `9388 ms`.
pub fn millis_num(v: f64) -> String {
    format!("{} ms", num(v))
}

/// Microseconds: no decimals from 100 µs, else one.
pub fn micros(v: f64) -> String {
    if v >= 100.0 {
        format!("{} µs", fixed(v, 0))
    } else {
        format!("{} µs", fixed(v, 1))
    }
}

/// Microseconds with `decimals` decimals.
pub fn micros_fixed(v: f64, decimals: usize) -> String {
    format!("{} µs", fixed(v, decimals))
}

/// Mebibytes with one decimal, `62.0 MiB`.
pub fn mib(v: f64) -> String {
    format!("{} MiB", fixed(v, 1))
}

/// Kibibytes with two decimals, `0.58 KiB`.
pub fn kib(v: f64) -> String {
    format!("{} KiB", fixed(v, 2))
}

/// A factor with `decimals` decimals, `2.4×`.
pub fn times(v: f64, decimals: usize) -> String {
    match v.abs() >= 100.0 {
        true => format!("{}×", thousands(v.round())),
        false => format!("{}×", fixed(v, decimals)),
    }
}

/// Requests per second, whole, `8603 req/s`.
pub fn req_per_s(v: f64) -> String {
    format!("{} req/s", fixed(v, 0))
}

/// A percentage with `decimals` decimals, `12.5 %`.
pub fn percent_fixed(v: f64, decimals: usize) -> String {
    format!("{} %", fixed(v, decimals))
}

/// A percentage, whole, `95 %`.
pub fn percent(v: f64) -> String {
    format!("{} %", fixed(v, 0))
}

/// A tick on a linear axis: whole from 10 or when whole, else two decimals.
pub fn tick(v: f64) -> String {
    if v.abs() >= 10.0 || v == v.round() {
        fixed(v, 0)
    } else {
        fixed(v, 2)
    }
}

/// A tick on a log10 axis at exponent `e`: only whole decades are labelled (1, 10, 1,000, 0.1).
pub fn decade(e: f64) -> String {
    if (e - e.round()).abs() > 1e-6 {
        return String::new();
    }
    let n = 10f64.powi(e.round() as i32);
    if n >= 1.0 { thousands(n) } else { format!("{n}") }
}

#[cfg(test)]
mod tests {

    #[test]
    fn code_spans_fence_past_the_backticks_inside() {
        assert_eq!(code("plain"), "`plain`");
        assert_eq!(
            code("raise it with `ulimit -n`"),
            "`` raise it with `ulimit -n` ``"
        );
        assert_eq!(code("a ``b`` c"), "```a ``b`` c```");
    }
    use super::*;

    #[test]
    fn numbers_keep_three_significant_digits_below_one() {
        assert_eq!(num(1234.5), "1234");
        assert_eq!(num(123.45), "123.5");
        assert_eq!(num(0.0), "0.00");
        assert_eq!(num(0.123_45), "0.123");
        assert_eq!(num(0.000_028_63), "0.0000286");
        let small = Paired::of(&[0.012_34, 0.0124, 0.0125, 0.0124, 0.0124, 0.0124]).unwrap();
        assert_eq!(
            speedup(&small),
            "0.0124× (0.0123–0.0125)",
            "three significant digits below 0.1"
        );
        let p = Paired::of(&[1.75, 1.8, 1.85, 1.8, 1.8, 1.8]).unwrap();
        assert_eq!(speedup(&p), "1.80× (1.75–1.85)");
        assert_eq!(speedup_ascii(&p), "1.80x [1.75, 1.85]");
        let p = Paired::of(&[0.996, 1.01, 1.063, 1.0, 1.01, 1.02]).unwrap();
        assert_eq!(speedup(&p), "1.01× (0.99–1.07)", "rounded outward");
        let few = Paired::of(&[5.71, 5.72, 5.74]).unwrap();
        assert_eq!(
            speedup(&few),
            "5.72× (range 5.71–5.74 of 3 rounds, 75 % coverage)"
        );
    }

    #[test]
    fn plain_thousands_and_ticks() {
        assert_eq!(
            (plain(0.5), plain(12.0), plain(1e-7)),
            ("0.5".into(), "12".into(), "0".into())
        );
        assert_eq!(thousands(1_000_000.0), "1,000,000");
        assert_eq!(thousands(-1234.0), "-1,234");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(
            (tick(2.5), tick(12.3), tick(3.0)),
            ("2.50".into(), "12".into(), "3".into())
        );
        assert_eq!(
            (decade(3.0), decade(-1.0), decade(2.5)),
            ("1,000".into(), "0.1".into(), String::new())
        );
        assert_eq!(
            (seconds(0.5604), seconds(0.0123)),
            ("0.560 s".into(), "0.0123 s".into())
        );
        assert_eq!((micros(101.2), micros(2.02)), ("101 µs".into(), "2.0 µs".into()));
    }
}
