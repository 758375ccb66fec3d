//! `exporter.headers`: header names and secret values. `Debug` and `Serialize` never show the values.

use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;

/// What `Debug` and `Serialize` print instead of a header value.
pub(crate) const REDACTED: &str = "***";

/// Header names and values sent with every export (`exporter.headers`, `OTEL_EXPORTER_OTLP_HEADERS`).
///
/// Values are secrets: `Debug` and `Serialize` replace them with `"***"`; [`Headers::iter`] gives the real ones.
///
/// Names are case-insensitive, as in HTTP: [`Headers::insert`] (and so `collect`) replaces a header whose name
/// differs only in case, and [`Headers::get`] ignores case. After loading, no two names differ only in case.
///
/// ```
/// let headers: otel_config::Headers = [("authorization", "Bearer s3cret")].into_iter().collect();
/// assert_eq!(format!("{headers:?}"), r#"{"authorization": "***"}"#);
/// assert_eq!(headers.get("authorization"), Some("Bearer s3cret"));
/// ```
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Headers(pub BTreeMap<String, String>);

impl Headers {
    /// The headers with their real values, sorted by name.
    ///
    /// ```
    /// let headers: otel_config::Headers = [("b", "2"), ("a", "1")].into_iter().collect();
    /// assert_eq!(headers.iter().collect::<Vec<_>>(), [("a", "1"), ("b", "2")]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The real value of one header, the name compared case-insensitively.
    ///
    /// ```
    /// let headers: otel_config::Headers = [("x-api-key", "k")].into_iter().collect();
    /// assert_eq!(headers.get("x-api-key"), Some("k"));
    /// assert_eq!(headers.get("X-API-Key"), Some("k"));
    /// assert_eq!(headers.get("other"), None);
    /// ```
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .or_else(|| self.0.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v))
            .map(String::as_str)
    }

    /// Adds a header, replacing any whose name differs only in case (the new spelling is kept).
    ///
    /// ```
    /// let mut headers = otel_config::Headers::default();
    /// headers.insert("Authorization", "old");
    /// headers.insert("authorization", "new");
    /// assert_eq!(headers.iter().collect::<Vec<_>>(), [("authorization", "new")]);
    /// ```
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        self.0.retain(|k, _| !k.eq_ignore_ascii_case(&name));
        self.0.insert(name, value.into());
    }

    /// The number of headers.
    ///
    /// ```
    /// assert_eq!(otel_config::Headers::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is no header.
    ///
    /// ```
    /// assert!(otel_config::Headers::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Later items win over earlier ones whose names differ only in case.
impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Headers {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut headers = Headers::default();
        for (k, v) in iter {
            headers.insert(k, v);
        }
        headers
    }
}

/// `k=v` pairs in order with names that differ only in case reduced to the last one (its spelling and value):
/// HTTP header names are case-insensitive, and a later item in a list wins.
/// Keyed by the lowercased name, so a long list costs O(n log n), not O(n²).
pub(crate) fn last_wins(pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut by_name: BTreeMap<String, (String, String)> = BTreeMap::new();
    for (name, value) in pairs {
        by_name.insert(name.to_ascii_lowercase(), (name, value));
    }
    by_name.into_values().collect()
}

impl From<BTreeMap<String, String>> for Headers {
    fn from(map: BTreeMap<String, String>) -> Self {
        Headers(map)
    }
}

impl std::fmt::Debug for Headers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.0.keys().map(|k| (k, REDACTED))).finish()
    }
}

/// Serializes for display: the names with `"***"` as every value.
impl Serialize for Headers {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.keys().map(|k| (k, REDACTED)))
    }
}
