//! What the logs and metrics scenarios share: the programs they compare (a *variant* is a side with its extra
//! arguments and environment, e.g. the hand-written recipe with `--logs on`, or otel with one setting off), and a
//! table of figures with one column per variant and the ratio of each otel variant to the recipe.

use crate::child::{Launch, Side};
use crate::report::{fmt_num, fmt_pct, Table};
use crate::stats::{median, median_ratio};

/// One program of the comparison, as it is launched.
pub struct Variant {
    /// Its column header.
    pub label: &'static str,
    /// Its program.
    pub side: Side,
    /// Arguments added to the mode's (`--logs on` for the recipe).
    pub args: &'static [&'static str],
    /// Environment added (otel with a setting changed).
    pub env: &'static [(&'static str, &'static str)],
}

impl Variant {
    /// A launch of this variant with the mode's `args` (and its own after them).
    pub fn launch<'a>(&self, args: &[&str], endpoint: &str) -> Launch<'a> {
        let all: Vec<&str> = args.iter().chain(self.args).copied().collect();
        let mut launch = Launch::new(self.side, &all, endpoint, std::time::Duration::from_secs(120));
        launch.env = self.env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        launch
    }
}

/// The order of `n` variants in run `i`: rotated by one each run, so none is always first or last.
pub fn rotation(n: usize, i: usize) -> Vec<usize> {
    (0..n).map(|k| (k + i) % n).collect()
}

/// One figure: per variant, one value per run (NaN where that run gave none, so that the runs stay paired).
pub struct Figure {
    /// The row's title, with its unit.
    pub title: String,
    /// Decimals shown.
    pub decimals: usize,
    /// Shown as a percentage.
    pub percent: bool,
    /// Per variant, per run.
    pub values: Vec<Vec<f64>>,
}

impl Figure {
    /// An empty figure over `variants` variants.
    pub fn new(title: impl Into<String>, decimals: usize, variants: usize) -> Figure {
        Figure { title: title.into(), decimals, percent: false, values: vec![vec![]; variants] }
    }

    /// The row: the median of each variant, then each later variant's median per-run ratio to the first (the
    /// recipe), `a / b` in the runs where both have a value.
    pub fn row(&self) -> Vec<String> {
        let mut row = vec![self.title.clone()];
        for v in &self.values {
            let m = median(v);
            row.push(if self.percent { fmt_pct(m) } else { fmt_num(m, self.decimals) });
        }
        let ratios: Vec<String> = self.values[1..]
            .iter()
            .map(|v| {
                let r = median_ratio(v, &self.values[0]);
                if r.is_finite() {
                    format!("{r:.2}×")
                } else {
                    "n/a".into()
                }
            })
            .collect();
        row.push(ratios.join(" / "));
        row
    }
}

/// Per-run verdicts in one cell: each distinct one once, with how many runs gave it (`5 runs: yes: …`), in the
/// order they first came.
pub fn condense(verdicts: &[String]) -> String {
    let mut distinct: Vec<(&str, usize)> = vec![];
    for v in verdicts {
        match distinct.iter_mut().find(|(d, _)| *d == v.as_str()) {
            Some((_, n)) => *n += 1,
            None => distinct.push((v, 1)),
        }
    }
    let parts: Vec<String> =
        distinct.iter().map(|(v, n)| format!("{n} run{}: {v}", if *n == 1 { "" } else { "s" })).collect();
    if parts.is_empty() {
        "n/a".into()
    } else {
        parts.join("; ")
    }
}

/// A table of `figures` with one column per variant and the ratios to the first.
pub fn table(title: impl Into<String>, variants: &[Variant], figures: &[&Figure]) -> Table {
    let mut header = vec!["figure".to_string()];
    header.extend(variants.iter().map(|v| v.label.to_string()));
    let others: Vec<&str> = variants[1..].iter().map(|v| v.label).collect();
    header.push(format!("ratio to {} ({})", variants[0].label, others.join(" / ")));
    Table { title: title.into(), header, rows: figures.iter().map(|f| f.row()).collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotates_every_variant_through_every_place() {
        assert_eq!(rotation(3, 0), [0, 1, 2]);
        assert_eq!(rotation(3, 1), [1, 2, 0]);
        assert_eq!(rotation(3, 5), [2, 0, 1]);
    }

    #[test]
    fn rows_pair_the_runs_and_skip_the_missing_ones() {
        let mut f = Figure::new("ns per event", 0, 3);
        // Recipe 100, 200, 400; otel 50, NaN (that run gave nothing), 120; a third variant 100 each run.
        f.values = vec![vec![100.0, 200.0, 400.0], vec![50.0, f64::NAN, 120.0], vec![100.0; 3]];
        let row = f.row();
        assert_eq!(row[0], "ns per event");
        assert_eq!(row[1..4], ["200", "85", "100"]);
        // otel's per-run ratios 0.5 and 0.3 (the NaN run left out, not paired with 200): median 0.4; the third's
        // 1, 0.5, 0.25: median 0.5.
        assert_eq!(row[4], "0.40× / 0.50×");
        let mut p = Figure::new("share", 1, 2);
        p.percent = true;
        p.values = vec![vec![0.25], vec![1.0]];
        assert_eq!(p.row()[1..], ["25.0%", "100.0%", "4.00×"]);
    }

    #[test]
    fn condenses_the_verdicts_of_the_runs() {
        let v = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(condense(&v(&["yes: a", "yes: a", "no: b", "yes: a"])), "3 runs: yes: a; 1 run: no: b");
        assert_eq!(condense(&[]), "n/a");
    }

    #[test]
    fn a_launch_carries_the_variant_arguments_and_environment() {
        let v = Variant {
            label: "otel, span events off",
            side: Side::Otel,
            args: &["--logs", "on"],
            env: &[("OTEL_TOML_LOGS_SPAN_EVENTS", "false")],
        };
        let l = v.launch(&["--mode", "log-cost"], "http://127.0.0.1:1");
        assert_eq!(l.args, ["--mode", "log-cost", "--logs", "on"]);
        assert_eq!(l.env, [("OTEL_TOML_LOGS_SPAN_EVENTS".to_string(), "false".to_string())]);
        let t = table("t", &[v, Variant { label: "otel", side: Side::Otel, args: &[], env: &[] }], &[]);
        assert_eq!(t.header, ["figure", "otel, span events off", "otel", "ratio to otel, span events off (otel)"]);
    }
}
