//! Durations in otel.toml: `"250ms"`, `"5s"`, `"1m"`, `"1h"` strings or integer milliseconds.

use serde::{de, Deserializer, Serializer};
use std::time::Duration;

/// Parses `"250ms"`, `"5s"`, `"1m"`, `"1h"` or a bare integer of milliseconds.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(otel_config::parse_duration("250ms"), Ok(Duration::from_millis(250)));
/// assert_eq!(otel_config::parse_duration("2s"), Ok(Duration::from_secs(2)));
/// assert!(otel_config::parse_duration("soon").is_err());
/// ```
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let expected = || format!("invalid duration \"{text}\"; expected e.g. \"250ms\", \"5s\", \"1m\" or integer milliseconds");
    let n: u64 = number.parse().map_err(|_| expected())?;
    match unit.trim() {
        "" | "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n * 60)),
        "h" => Ok(Duration::from_secs(n * 3600)),
        _ => Err(expected()),
    }
}

pub(crate) fn serialize<S: Serializer>(value: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(value.as_millis() as u64)
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    struct Visitor;
    impl de::Visitor<'_> for Visitor {
        type Value = Duration;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a duration such as \"250ms\", \"5s\", \"1m\" or integer milliseconds")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
            Ok(Duration::from_millis(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
            u64::try_from(v).map(Duration::from_millis).map_err(|_| E::custom("a duration cannot be negative"))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
            parse_duration(v).map_err(E::custom)
        }
    }
    deserializer.deserialize_any(Visitor)
}
