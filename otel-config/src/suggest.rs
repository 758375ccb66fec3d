//! "Did you mean": the one implementation behind every suggestion otel makes — otel.toml keys, `OTEL_TOML_*`
//! variables (here) and the arguments of `#[otel::main]` (otel-macros, through [`crate::__private`]).

/// The longest word that gets a suggestion. The edit distance costs the product of the lengths, and the word is
/// outside input (a 200,000-character TOML key must not cost seconds); no name otel knows is half this long.
const MAX_WORD: usize = 64;

/// The candidate `word` was most likely meant to be, or `None` when none is close.
///
/// Case is ignored and `-` counts as `_`. A candidate is close when it is within a few edits of `word` (2 for
/// words up to 8 characters, 3 beyond), or, for words of at least 4 characters, when one contains the other:
/// a truncation (`BATCH_MAX_QUEUE` → `BATCH_MAX_QUEUE_SIZE`, `threads` → `worker_threads`) or an addition
/// (`service_name` → `service`). The fewest edits win; ties go to the earlier candidate.
///
/// ```
/// use otel_config::__private::closest;
/// assert_eq!(closest("endpointt", ["protocol", "endpoint"]), Some("endpoint"));
/// assert_eq!(closest("service_name", ["config", "service"]), Some("service"));
/// assert_eq!(closest("threads", ["service", "worker_threads"]), Some("worker_threads"));
/// assert_eq!(closest("xyz", ["protocol", "endpoint"]), None);
/// ```
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if word.len() > MAX_WORD {
        return None;
    }
    let normalize = |s: &str| s.to_ascii_lowercase().replace('-', "_");
    let word = normalize(word);
    let limit = (word.chars().count() / 3).clamp(2, 3);
    let mut by_distance = None;
    let mut by_containment = None;
    for candidate in candidates {
        let lower = normalize(candidate);
        let d = distance(&word, &lower);
        if d <= limit && by_distance.is_none_or(|(best, _)| d < best) {
            by_distance = Some((d, candidate));
        }
        let contains = word.len() >= 4 && (lower.contains(&word) || word.contains(&lower));
        if contains && by_containment.is_none_or(|(best, _)| d < best) {
            by_containment = Some((d, candidate));
        }
    }
    by_distance.or(by_containment).map(|(_, candidate)| candidate)
}

/// The Levenshtein distance between two words, in characters: the fewest insertions, deletions and
/// substitutions that turn one into the other.
///
/// ```
/// assert_eq!(otel_config::__private::distance("kitten", "sitting"), 3);
/// assert_eq!(otel_config::__private::distance("", "abc"), 3);
/// ```
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb)).min(row[j] + 1).min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}
