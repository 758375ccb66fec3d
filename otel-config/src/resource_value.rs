//! `[resource]` attribute values: a string, boolean, integer or float, as TOML writes them.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

/// One extra resource attribute value (`[resource]`; values from `OTEL_RESOURCE_ATTRIBUTES` are strings).
///
/// Serializes untagged, as the bare value.
///
/// ```
/// use otel_config::ResourceValue;
/// assert_eq!(ResourceValue::from("eu-west-1").to_string(), "eu-west-1");
/// assert_eq!(ResourceValue::from(3_i64), ResourceValue::Int(3));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum ResourceValue {
    /// A string.
    String(String),
    /// A boolean.
    Bool(bool),
    /// A 64-bit signed integer.
    Int(i64),
    /// A 64-bit float.
    Float(f64),
}

impl std::fmt::Display for ResourceValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResourceValue::String(v) => f.write_str(v),
            ResourceValue::Bool(v) => v.fmt(f),
            ResourceValue::Int(v) => v.fmt(f),
            ResourceValue::Float(v) => v.fmt(f),
        }
    }
}

impl From<&str> for ResourceValue {
    fn from(v: &str) -> Self {
        ResourceValue::String(v.to_string())
    }
}

impl From<String> for ResourceValue {
    fn from(v: String) -> Self {
        ResourceValue::String(v)
    }
}

impl From<bool> for ResourceValue {
    fn from(v: bool) -> Self {
        ResourceValue::Bool(v)
    }
}

impl From<i64> for ResourceValue {
    fn from(v: i64) -> Self {
        ResourceValue::Int(v)
    }
}

impl From<f64> for ResourceValue {
    fn from(v: f64) -> Self {
        ResourceValue::Float(v)
    }
}

/// Accepts exactly the four scalar types, with a clear message for anything else (what `untagged` would do,
/// with a better error).
impl<'de> Deserialize<'de> for ResourceValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor;
        impl Visitor<'_> for ValueVisitor {
            type Value = ResourceValue;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string, boolean, integer or float")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<ResourceValue, E> {
                Ok(ResourceValue::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ResourceValue, E> {
                Ok(ResourceValue::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ResourceValue, E> {
                i64::try_from(v)
                    .map(ResourceValue::Int)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &"an integer that fits in i64"))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<ResourceValue, E> {
                Ok(ResourceValue::Float(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ResourceValue, E> {
                Ok(ResourceValue::String(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<ResourceValue, E> {
                Ok(ResourceValue::String(v))
            }
        }
        deserializer.deserialize_any(ValueVisitor)
    }
}
