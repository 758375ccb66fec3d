//! Every otel.toml key, with the shape of its value; the `OTEL_TOML_<KEY>` variable of each; "did you mean".

/// The shape of a key's value, which says how an `OTEL_TOML_<KEY>` string becomes a TOML-like value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `true` / `false`.
    Bool,
    /// Any string, taken as is.
    Str,
    /// A non-negative integer.
    UInt,
    /// A number.
    Float,
    /// `"250ms"`, `"5s"`, … or integer milliseconds.
    Duration,
    /// One of fixed spellings.
    Enum,
    /// A comma-separated list (or a TOML array).
    List,
    /// `k=v,k2=v2`, percent-encoded.
    Map,
}

/// Every otel.toml key (a table's dotted path), explicitly.
pub(crate) const KEYS: &[(&str, Kind)] = &[
    ("disabled", Kind::Bool),
    ("service.name", Kind::Str),
    ("service.version", Kind::Str),
    ("service.environment", Kind::Str),
    ("resource", Kind::Map),
    ("exporter.protocol", Kind::Enum),
    ("exporter.endpoint", Kind::Str),
    ("exporter.traces_endpoint", Kind::Str),
    ("exporter.timeout", Kind::Duration),
    ("exporter.headers", Kind::Map),
    ("exporter.compression", Kind::Enum),
    ("exporter.insecure", Kind::Bool),
    ("exporter.certificate", Kind::Str),
    ("exporter.client_certificate", Kind::Str),
    ("exporter.client_key", Kind::Str),
    ("exporter.on_invalid", Kind::Enum),
    ("batch.max_queue_size", Kind::UInt),
    ("batch.max_export_batch_size", Kind::UInt),
    ("batch.schedule_delay", Kind::Duration),
    ("batch.export_timeout", Kind::Duration),
    ("batch.max_concurrent_exports", Kind::UInt),
    ("batch.max_queue_bytes", Kind::UInt),
    ("batch.yield_to_app", Kind::Bool),
    ("sampler.name", Kind::Enum),
    ("sampler.arg", Kind::Float),
    ("propagators", Kind::List),
    ("fmt.format", Kind::Enum),
    ("fmt.filter", Kind::Str),
    ("shutdown.timeout", Kind::Duration),
    ("shutdown.summary", Kind::Enum),
    ("limits.attribute_count", Kind::UInt),
    ("limits.event_count", Kind::UInt),
    ("limits.link_count", Kind::UInt),
    ("limits.attribute_per_event", Kind::UInt),
    ("limits.attribute_per_link", Kind::UInt),
    ("tracing.location", Kind::Bool),
    ("tracing.threads", Kind::Bool),
    ("tracing.timings", Kind::Bool),
];

/// The prefix of our own variables.
pub(crate) const OWN_PREFIX: &str = "OTEL_TOML_";

/// `exporter.timeout` → `OTEL_TOML_EXPORTER_TIMEOUT`.
pub(crate) fn variable_for(key: &str) -> String {
    format!("{OWN_PREFIX}{}", key.to_ascii_uppercase().replace('.', "_"))
}

/// The key an `OTEL_TOML_<KEY>` variable sets, by looking every key's variable up (never by splitting on `_`).
pub(crate) fn key_for(variable: &str) -> Option<(&'static str, Kind)> {
    KEYS.iter().copied().find(|(key, _)| variable_for(key) == variable)
}

/// The candidate closest to `word` by edit distance, when close enough to be a likely typo (or when `word`
/// is a truncation of it, e.g. `BATCH_MAX_QUEUE` → `BATCH_MAX_QUEUE_SIZE`).
///
/// A word longer than any key (64 characters) gets no suggestion: the edit distance costs the product of the
/// lengths, and the word is outside input.
pub(crate) fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if word.len() > 64 {
        return None;
    }
    let word = word.to_ascii_lowercase();
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .map(|c| (c, c.to_ascii_lowercase()))
        .map(|(c, lower)| (distance(&word, &lower), word.len() >= 4 && lower.starts_with(&word), c))
        .filter(|(d, truncated, _)| *d <= limit || *truncated)
        .min_by_key(|(d, _, _)| *d)
        .map(|(_, _, c)| c)
}

/// A full key for a misplaced leaf, e.g. `endpoint` at the top level → `exporter.endpoint`.
pub(crate) fn closest_full_key(leaf: &str) -> Option<&'static str> {
    let leaves = KEYS.iter().map(|(key, _)| key.rsplit('.').next().unwrap_or(key));
    let best = closest(leaf, leaves)?;
    KEYS.iter().map(|(key, _)| *key).find(|key| key.rsplit('.').next() == Some(best))
}

/// Levenshtein distance.
pub(crate) fn distance(a: &str, b: &str) -> usize {
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
