//! Durations in otel.toml: `"250ms"`, `"1.5s"`, `"1m"`, `"1h"` strings or integer milliseconds; serialized as
//! integer milliseconds. Used with `#[serde(with = "crate::duration")]`.

use serde::{de, Deserializer, Serializer};
use std::time::Duration;

/// Parses `"250ms"`, `"5s"`, `"1.5s"`, `"1m"`, `"1h"`, or a bare number of milliseconds (`"100"`).
///
/// Whitespace around the text and between the number and the unit is allowed. Negative durations are errors.
///
/// ```
/// use std::time::Duration;
/// use otel_config::parse_duration;
/// assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
/// assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
/// assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
/// assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
/// assert_eq!(parse_duration("100"), Ok(Duration::from_millis(100)));
/// assert!(parse_duration("soon").is_err());
/// assert!(parse_duration("-1s").is_err());
/// ```
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let expected = || {
        format!("invalid duration \"{text}\"; expected e.g. \"250ms\", \"5s\", \"1.5s\", \"1m\", \"1h\" or integer milliseconds")
    };
    if text.starts_with('-') {
        return Err(format!("invalid duration \"{text}\"; a duration cannot be negative"));
    }
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let unit_ms: u64 = match unit.trim() {
        "" | "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        _ => return Err(expected()),
    };
    let too_large = || format!("invalid duration \"{text}\"; too large");
    if let Ok(n) = number.parse::<u64>() {
        return n.checked_mul(unit_ms).map(Duration::from_millis).ok_or_else(too_large);
    }
    if !number.contains('.') || number.starts_with('.') || number.ends_with('.') {
        return Err(expected());
    }
    let n: f64 = number.parse().map_err(|_| expected())?;
    Duration::try_from_secs_f64(n * unit_ms as f64 / 1000.0).map_err(|_| too_large())
}

/// A duration as whole milliseconds, saturating (for messages and serialization).
pub(crate) fn millis(value: Duration) -> u64 {
    u64::try_from(value.as_millis()).unwrap_or(u64::MAX)
}

pub(crate) fn serialize<S: Serializer>(value: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(millis(*value))
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    struct DurationVisitor;
    impl de::Visitor<'_> for DurationVisitor {
        type Value = Duration;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a duration such as \"250ms\", \"5s\", \"1m\" or integer milliseconds")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
            Ok(Duration::from_millis(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
            u64::try_from(v)
                .map(Duration::from_millis)
                .map_err(|_| E::custom(format!("invalid duration {v}; a duration cannot be negative")))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Duration, E> {
            Err(E::custom(format!(
                "invalid duration {v}; a bare number is integer milliseconds (write a string such as \"1.5s\" for fractions)"
            )))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
            parse_duration(v).map_err(E::custom)
        }
    }
    deserializer.deserialize_any(DurationVisitor)
}
