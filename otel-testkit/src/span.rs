//! Flattened, assertion-friendly views of the spans in an `ExportTraceServiceRequest`.

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue};
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
use std::collections::BTreeMap;
use std::time::Duration;

/// One span as received, flattened out of its resource and scope for easy assertions.
///
/// Ids are lowercase hex (empty when absent); attribute values are turned into strings by
/// [`any_value_to_string`] (`"demo"`, `"5"`, `"true"`, `"1.5"`, `"[a, 1]"`, `"{k: v}"`, hex for bytes).
/// For anything this view does not carry, use the raw request from [`crate::Receiver::requests`].
#[derive(Clone, Debug, PartialEq)]
pub struct ReceivedSpan {
    /// The span's name.
    pub name: String,
    /// Trace id, 32 lowercase hex digits.
    pub trace_id: String,
    /// Span id, 16 lowercase hex digits.
    pub span_id: String,
    /// Parent span id, hex; empty for a root span.
    pub parent_span_id: String,
    /// The W3C trace state, as sent (usually empty).
    pub trace_state: String,
    /// The span kind's protobuf name: `SPAN_KIND_INTERNAL`, `SPAN_KIND_SERVER`, `SPAN_KIND_CLIENT`,
    /// `SPAN_KIND_PRODUCER`, `SPAN_KIND_CONSUMER` or `SPAN_KIND_UNSPECIFIED`.
    pub kind: String,
    /// Start time, nanoseconds since the Unix epoch.
    pub start_time_unix_nano: u64,
    /// End time, nanoseconds since the Unix epoch.
    pub end_time_unix_nano: u64,
    /// The span's attributes, values as strings.
    pub attributes: BTreeMap<String, String>,
    /// The attributes of the resource the span came with (`service.name`, ...), values as strings.
    pub resource: BTreeMap<String, String>,
    /// The instrumentation scope's name (empty when absent).
    pub scope_name: String,
    /// The instrumentation scope's version (empty when absent).
    pub scope_version: String,
    /// The span's events, in order.
    pub events: Vec<ReceivedEvent>,
    /// The span's links, in order.
    pub links: Vec<ReceivedLink>,
    /// The status code's protobuf name: `STATUS_CODE_UNSET`, `STATUS_CODE_OK` or `STATUS_CODE_ERROR`.
    pub status_code: String,
    /// The status message (empty when none).
    pub status_message: String,
}

impl ReceivedSpan {
    /// The value of span attribute `key`, if present.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes.get(key).map(String::as_str)
    }

    /// The value of resource attribute `key`, if present.
    pub fn resource_attribute(&self, key: &str) -> Option<&str> {
        self.resource.get(key).map(String::as_str)
    }

    /// True when the span has no parent.
    pub fn is_root(&self) -> bool {
        self.parent_span_id.is_empty()
    }

    /// End time minus start time (zero if the end precedes the start).
    pub fn duration(&self) -> Duration {
        Duration::from_nanos(self.end_time_unix_nano.saturating_sub(self.start_time_unix_nano))
    }

    /// True when `other` is this span's parent (same trace, and `other.span_id` is this span's parent id).
    pub fn is_child_of(&self, other: &ReceivedSpan) -> bool {
        !self.parent_span_id.is_empty() && self.parent_span_id == other.span_id && self.trace_id == other.trace_id
    }
}

/// A span event, flattened.
#[derive(Clone, Debug, PartialEq)]
pub struct ReceivedEvent {
    /// The event's name.
    pub name: String,
    /// When it happened, nanoseconds since the Unix epoch.
    pub time_unix_nano: u64,
    /// The event's attributes, values as strings.
    pub attributes: BTreeMap<String, String>,
}

/// A span link, flattened.
#[derive(Clone, Debug, PartialEq)]
pub struct ReceivedLink {
    /// The linked span's trace id, hex.
    pub trace_id: String,
    /// The linked span's id, hex.
    pub span_id: String,
    /// The link's attributes, values as strings.
    pub attributes: BTreeMap<String, String>,
}

/// Every span of `request`, flattened, in the order they appear in it.
pub fn flatten(request: &ExportTraceServiceRequest) -> Vec<ReceivedSpan> {
    let mut out = Vec::new();
    for rs in &request.resource_spans {
        let resource = rs.resource.as_ref().map(|r| attributes(&r.attributes)).unwrap_or_default();
        for ss in &rs.scope_spans {
            let (scope_name, scope_version) =
                ss.scope.as_ref().map(|s| (s.name.clone(), s.version.clone())).unwrap_or_default();
            for span in &ss.spans {
                let status = span.status.as_ref();
                out.push(ReceivedSpan {
                    name: span.name.clone(),
                    trace_id: hex(&span.trace_id),
                    span_id: hex(&span.span_id),
                    parent_span_id: hex(&span.parent_span_id),
                    trace_state: span.trace_state.clone(),
                    kind: SpanKind::try_from(span.kind)
                        .map(|k| k.as_str_name().to_string())
                        .unwrap_or_else(|_| format!("SPAN_KIND_{}", span.kind)),
                    start_time_unix_nano: span.start_time_unix_nano,
                    end_time_unix_nano: span.end_time_unix_nano,
                    attributes: attributes(&span.attributes),
                    resource: resource.clone(),
                    scope_name: scope_name.clone(),
                    scope_version: scope_version.clone(),
                    events: span
                        .events
                        .iter()
                        .map(|e| ReceivedEvent {
                            name: e.name.clone(),
                            time_unix_nano: e.time_unix_nano,
                            attributes: attributes(&e.attributes),
                        })
                        .collect(),
                    links: span
                        .links
                        .iter()
                        .map(|l| ReceivedLink {
                            trace_id: hex(&l.trace_id),
                            span_id: hex(&l.span_id),
                            attributes: attributes(&l.attributes),
                        })
                        .collect(),
                    status_code: StatusCode::try_from(status.map_or(0, |s| s.code))
                        .map(|c| c.as_str_name().to_string())
                        .unwrap_or_else(|_| format!("STATUS_CODE_{}", status.map_or(0, |s| s.code))),
                    status_message: status.map(|s| s.message.clone()).unwrap_or_default(),
                });
            }
        }
    }
    out
}

/// The number of spans in `request`.
pub fn span_count(request: &ExportTraceServiceRequest) -> usize {
    request.resource_spans.iter().flat_map(|rs| &rs.scope_spans).map(|ss| ss.spans.len()).sum()
}

/// Lowercase hex of `bytes` (empty for empty input).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Key/value attributes as a sorted map, values rendered by [`any_value_to_string`]. A repeated key keeps its last value.
pub fn attributes(kvs: &[KeyValue]) -> BTreeMap<String, String> {
    kvs.iter().map(|kv| (kv.key.clone(), kv.value.as_ref().map(any_value_to_string).unwrap_or_default())).collect()
}

/// An attribute value as a string: strings as they are, numbers and booleans in Rust's `Display` form, bytes as
/// hex, arrays as `[a, b]`, maps as `{k: v, ...}`, and an empty value as the empty string.
pub fn any_value_to_string(value: &AnyValue) -> String {
    match &value.value {
        None => String::new(),
        Some(Value::StringValue(s)) => s.clone(),
        Some(Value::BoolValue(b)) => b.to_string(),
        Some(Value::IntValue(i)) => i.to_string(),
        Some(Value::DoubleValue(d)) => d.to_string(),
        Some(Value::BytesValue(b)) => hex(b),
        Some(Value::ArrayValue(a)) => {
            format!("[{}]", a.values.iter().map(any_value_to_string).collect::<Vec<_>>().join(", "))
        }
        Some(Value::KvlistValue(kvs)) => format!(
            "{{{}}}",
            kvs.values
                .iter()
                .map(|kv| format!("{}: {}", kv.key, kv.value.as_ref().map(any_value_to_string).unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Some(Value::StringValueStrindex(i)) => format!("strindex:{i}"),
    }
}
