//! Statistics over per-run values: medians and per-run ratios.

/// Median of the values that are numbers (NaN when none is).
pub fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Median of the per-run ratios `a[i] / b[i]` (each pair measured in the same run).
pub fn median_ratio(a: &[f64], b: &[f64]) -> f64 {
    let ratios: Vec<f64> = a.iter().zip(b).map(|(x, y)| x / y).filter(|r| r.is_finite()).collect();
    median(&ratios)
}

/// `Some(cond)` when `x` is a number, `None` otherwise.
pub fn check(x: f64, cond: impl Fn(f64) -> bool) -> Option<bool> {
    x.is_finite().then(|| cond(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_ratios() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(&[f64::NAN, 5.0]), 5.0);
        assert!(median(&[]).is_nan());
        // Per-run ratios, then their median: (2/1, 6/2, 4/4) → 2.
        assert_eq!(median_ratio(&[2.0, 6.0, 4.0], &[1.0, 2.0, 4.0]), 2.0);
    }
}
