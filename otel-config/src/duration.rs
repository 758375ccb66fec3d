//! Durations in otel.toml: `"250ms"`, `"1.5s"`, `"1m"`, `"1h"` strings or integer milliseconds; serialized as
//! integer milliseconds. Used with `#[serde(with = "crate::duration")]`.

use serde::{de, Deserializer, Serializer};
use std::time::Duration;

/// The longest duration any key accepts: 365 days (`"8760h"`, 31,536,000,000 ms).
///
/// Every duration ends up in `Instant::now() + d` or a timer somewhere; a year is far beyond any useful
/// timeout or delay, and far below what overflows an `Instant` on any platform (macOS counts nanoseconds in a
/// `u64`: about 584 years). Longer values are an error in otel.toml and `OTEL_TOML_*`, and a standard `OTEL_*`
/// variable above it is clamped to it with a warning. A zero timeout still means "no limit".
///
/// ```
/// assert_eq!(otel_config::MAX_DURATION, std::time::Duration::from_secs(365 * 24 * 3600));
/// assert!(otel_config::parse_duration("8760h").is_ok());
/// assert!(otel_config::parse_duration("8761h").is_err());
/// ```
pub const MAX_DURATION: Duration = Duration::from_secs(365 * 24 * 3600);

/// The maximum in milliseconds, for `OTEL_*` variables.
pub(crate) const MAX_DURATION_MS: u64 = MAX_DURATION.as_secs() * 1000;

/// The message for a duration above [`MAX_DURATION`]; `shown` is the text as written.
pub(crate) fn too_long(shown: &str) -> String {
    format!("invalid duration {shown}; longer than the maximum of 365 days (\"8760h\", {MAX_DURATION_MS} ms)")
}

/// Parses `"250ms"`, `"5s"`, `"1.5s"`, `"1m"`, `"1h"`, or a bare number of milliseconds (`"100"`).
///
/// Whitespace around the text and between the number and the unit is allowed. Negative durations and durations
/// longer than [`MAX_DURATION`] are errors; no text makes it panic (numbers too large for any integer are
/// "longer than the maximum").
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
/// assert!(parse_duration("99999999999999999999h").is_err());
/// ```
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let expected = || {
        format!("invalid duration {text:?}; expected e.g. \"250ms\", \"5s\", \"1.5s\", \"1m\", \"1h\" or integer milliseconds")
    };
    if text.starts_with('-') {
        return Err(format!("invalid duration {text:?}; a duration cannot be negative"));
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
    let too_large = || too_long(&format!("{text:?}"));
    let within = |d: Duration| {
        if d > MAX_DURATION {
            Err(too_large())
        } else {
            Ok(d)
        }
    };
    if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits for a u64 is still a number: too large, not malformed.
        let n = number.parse::<u64>().map_err(|_| too_large())?;
        return n.checked_mul(unit_ms).map(Duration::from_millis).ok_or_else(too_large).and_then(within);
    }
    if !number.contains('.') || number.starts_with('.') || number.ends_with('.') {
        return Err(expected());
    }
    let n: f64 = number.parse().map_err(|_| expected())?;
    // An overlong fraction parses as infinity: `try_from_secs_f64` refuses it rather than panicking.
    Duration::try_from_secs_f64(n * unit_ms as f64 / 1000.0).map_err(|_| too_large()).and_then(within)
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
            if v > MAX_DURATION_MS {
                return Err(E::custom(too_long(&v.to_string())));
            }
            Ok(Duration::from_millis(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
            match u64::try_from(v) {
                Ok(v) => self.visit_u64(v),
                Err(_) => Err(E::custom(format!("invalid duration {v}; a duration cannot be negative"))),
            }
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

/// `Option<Duration>` fields (the per-signal overrides): absent is `None`, present parses as above.
pub(crate) mod option {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub(crate) fn serialize<S: Serializer>(value: &Option<Duration>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => super::serialize(value, serializer),
            None => serializer.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Duration>, D::Error> {
        /// One duration, through the parent module's rules.
        #[derive(Deserialize)]
        struct Wrapped(#[serde(with = "super")] Duration);
        Ok(Option::<Wrapped>::deserialize(deserializer)?.map(|wrapped| wrapped.0))
    }
}
