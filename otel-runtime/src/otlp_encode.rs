//! A batch of spans as the protobuf bytes of an OTLP `ExportTraceServiceRequest`, written straight from the
//! `SpanData`, with no intermediate proto structs.
//!
//! Why: opentelemetry-proto's conversion (`group_spans_by_resource_and_scope`) builds a `String` per attribute key
//! and string value, a `Vec` per id and per list, an `AnyValue` per attribute, all freed as soon as prost has
//! encoded them. On the paced benchmark that allocation was about a fifth of the process's CPU samples, all on the
//! export thread. Here the only allocations per batch are the output buffer (of the exact size), a vector of
//! message lengths and one vector of span indices per instrumentation scope.
//!
//! The output is byte for byte what `ExportTraceServiceRequest { resource_spans:
//! group_spans_by_resource_and_scope(spans, resource) }.encode_to_vec()` gives (opentelemetry-proto 0.33, prost
//! 0.14): the same grouping (one `ResourceSpans`; `ScopeSpans` in the order their scope first appears, compared as
//! `InstrumentationScope`'s `Eq` compares them), the same fields, the same proto3 default-value omission (a zero
//! scalar or an empty string or bytes field is not written; a present message or a oneof member always is), and
//! fields in field-number order, as prost writes them (so a span's `flags`, field 16, comes last). The property test
//! (`otlp_encode_props.rs`) checks that on random batches; it is what fails when either side changes.
//!
//! Two passes: the first computes the length of every nested message that has children (resource spans, scope
//! spans, scope, span, event, link, array value) into a vector, in the order the second pass writes them, so that
//! each length-delimited header is written before its content without computing any length twice.

use opentelemetry::trace::{SpanId, Status};
use opentelemetry::{Array, InstrumentationScope, KeyValue, Value};
use opentelemetry_proto::transform::common::tonic::ResourceAttributesWithSchema;
use opentelemetry_sdk::trace::SpanData;
use prost::encoding::{encode_key, encode_varint, encoded_len_varint, key_len, WireType};
use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

/// `SpanFlags.SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK`: set on every span and link (the SDK always knows).
const HAS_IS_REMOTE: u32 = 0x100;
/// `SpanFlags.SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK`: the parent (for a link, the linked context) is remote.
const IS_REMOTE: u32 = 0x200;

/// The protobuf bytes of the `ExportTraceServiceRequest` for `spans` under `resource` (see the module
/// documentation).
pub(crate) fn encode_trace_request(spans: &[SpanData], resource: &ResourceAttributesWithSchema) -> Vec<u8> {
    let scopes = group_by_scope(spans);
    let mut lens = Vec::with_capacity(2 + scopes.len() * 2 + spans.len() * 2);
    let resource_spans = size_resource_spans(spans, &scopes, resource, &mut lens);
    let total = delimited_len(1, resource_spans);
    let mut buf = Vec::with_capacity(total);
    let mut next = Lens { lens: &lens, at: 0 };
    write_resource_spans(spans, &scopes, resource, &mut next, &mut buf);
    debug_assert_eq!(buf.len(), total, "the two passes disagree");
    debug_assert_eq!(next.at, lens.len(), "the two passes disagree");
    buf
}

/// The spans' indices grouped by instrumentation scope, scopes in the order of their first span; each group's
/// scope is its first span's. Grouped as opentelemetry-proto groups them (a `HashMap` keyed by the scope: its
/// `Eq` ignores the order of the scope's attributes), with a shortcut for the common run of spans of one scope.
fn group_by_scope(spans: &[SpanData]) -> Vec<(&InstrumentationScope, Vec<usize>)> {
    let mut groups: Vec<(&InstrumentationScope, Vec<usize>)> = Vec::new();
    let mut index: HashMap<&InstrumentationScope, usize> = HashMap::new();
    let mut last: Option<(&InstrumentationScope, usize)> = None;
    for (i, span) in spans.iter().enumerate() {
        let scope = &span.instrumentation_scope;
        let group = match last {
            Some((previous, group)) if previous == scope => group,
            _ => *index.entry(scope).or_insert_with(|| {
                groups.push((scope, Vec::new()));
                groups.len() - 1
            }),
        };
        groups[group].1.push(i);
        last = Some((scope, group));
    }
    groups
}

/// The lengths of the first pass, read back in the same order by the second.
struct Lens<'a> {
    lens: &'a [usize],
    at: usize,
}

impl Lens<'_> {
    fn next(&mut self) -> usize {
        // The passes visit the same messages in the same order; 0 past the end would only produce a malformed
        // request (caught by the debug assertions and the property test), never a panic on the export thread.
        let len = self.lens.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        len
    }
}

/// Reserves the length of a message whose length the first pass is computing.
fn open(lens: &mut Vec<usize>) -> usize {
    lens.push(0);
    lens.len() - 1
}

/// Records the length of the message of `slot`, and returns it.
fn close(lens: &mut [usize], slot: usize, len: usize) -> usize {
    lens[slot] = len;
    len
}

// ---- lengths of fields (prost's, including its omissions) ----

/// A length-delimited field of `len` bytes of content: key, length, content.
fn delimited_len(tag: u32, len: usize) -> usize {
    key_len(tag) + encoded_len_varint(len as u64) + len
}

/// A proto3 string or bytes field: nothing when empty.
fn bytes_len(tag: u32, len: usize) -> usize {
    if len == 0 {
        0
    } else {
        delimited_len(tag, len)
    }
}

/// A proto3 varint field (uint32, int32 enum): nothing when zero.
fn varint_len(tag: u32, value: u64) -> usize {
    if value == 0 {
        0
    } else {
        key_len(tag) + encoded_len_varint(value)
    }
}

/// A proto3 fixed64 field: nothing when zero.
fn fixed64_len(tag: u32, value: u64) -> usize {
    if value == 0 {
        0
    } else {
        key_len(tag) + 8
    }
}

/// A proto3 fixed32 field: nothing when zero.
fn fixed32_len(tag: u32, value: u32) -> usize {
    if value == 0 {
        0
    } else {
        key_len(tag) + 4
    }
}

// ---- writing fields ----

fn put_delimited(tag: u32, len: usize, buf: &mut Vec<u8>) {
    encode_key(tag, WireType::LengthDelimited, buf);
    encode_varint(len as u64, buf);
}

fn put_bytes(tag: u32, bytes: &[u8], buf: &mut Vec<u8>) {
    if !bytes.is_empty() {
        put_delimited(tag, bytes.len(), buf);
        buf.extend_from_slice(bytes);
    }
}

fn put_varint(tag: u32, value: u64, buf: &mut Vec<u8>) {
    if value != 0 {
        encode_key(tag, WireType::Varint, buf);
        encode_varint(value, buf);
    }
}

fn put_fixed64(tag: u32, value: u64, buf: &mut Vec<u8>) {
    if value != 0 {
        encode_key(tag, WireType::SixtyFourBit, buf);
        buf.extend_from_slice(&value.to_le_bytes());
    }
}

fn put_fixed32(tag: u32, value: u32, buf: &mut Vec<u8>) {
    if value != 0 {
        encode_key(tag, WireType::ThirtyTwoBit, buf);
        buf.extend_from_slice(&value.to_le_bytes());
    }
}

// ---- values as opentelemetry-proto converts them ----

/// opentelemetry-proto's `to_nanos`: nanoseconds since the epoch, 0 before it.
fn nanos(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}

/// opentelemetry-proto's `build_span_flags`.
fn span_flags(remote: bool, trace_flags: u8) -> u32 {
    u32::from(trace_flags) | HAS_IS_REMOTE | if remote { IS_REMOTE } else { 0 }
}

/// `span::SpanKind as i32`.
fn kind(kind: &opentelemetry::trace::SpanKind) -> u64 {
    use opentelemetry::trace::SpanKind;
    match kind {
        SpanKind::Internal => 1,
        SpanKind::Server => 2,
        SpanKind::Client => 3,
        SpanKind::Producer => 4,
        SpanKind::Consumer => 5,
    }
}

/// `status::StatusCode` and the message (the description of an error, empty otherwise).
fn status(status: &Status) -> (u64, &str) {
    match status {
        Status::Unset => (0, ""),
        Status::Ok => (1, ""),
        Status::Error { description } => (2, description.as_ref()),
    }
}

/// The length of `TraceState::header()` ("k1=v1,k2=v2"), without building it.
fn trace_state_len(state: &opentelemetry::trace::TraceState) -> usize {
    let mut len = 0;
    for (i, (key, value)) in state.into_iter().enumerate() {
        len += usize::from(i > 0) + key.len() + 1 + value.len();
    }
    len
}

fn put_trace_state(tag: u32, state: &opentelemetry::trace::TraceState, buf: &mut Vec<u8>) {
    let len = trace_state_len(state);
    if len == 0 {
        return;
    }
    put_delimited(tag, len, buf);
    for (i, (key, value)) in state.into_iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        buf.extend_from_slice(key.as_bytes());
        buf.push(b'=');
        buf.extend_from_slice(value.as_bytes());
    }
}

// ---- AnyValue and KeyValue ----

/// A scalar of an `AnyValue` (its one field: a oneof member, written even when it holds the default value).
#[derive(Clone, Copy)]
enum Scalar<'a> {
    String(&'a str),
    Bool(bool),
    Int(i64),
    Double(f64),
}

impl Scalar<'_> {
    /// The `AnyValue` message's content.
    fn len(self) -> usize {
        match self {
            Scalar::String(s) => delimited_len(1, s.len()),
            Scalar::Bool(_) => key_len(2) + 1,
            Scalar::Int(i) => key_len(3) + encoded_len_varint(i as u64),
            Scalar::Double(_) => key_len(4) + 8,
        }
    }

    fn put(self, buf: &mut Vec<u8>) {
        match self {
            Scalar::String(s) => {
                put_delimited(1, s.len(), buf);
                buf.extend_from_slice(s.as_bytes());
            }
            Scalar::Bool(b) => {
                encode_key(2, WireType::Varint, buf);
                buf.push(u8::from(b));
            }
            Scalar::Int(i) => {
                encode_key(3, WireType::Varint, buf);
                encode_varint(i as u64, buf);
            }
            Scalar::Double(d) => {
                encode_key(4, WireType::SixtyFourBit, buf);
                buf.extend_from_slice(&d.to_le_bytes());
            }
        }
    }
}

/// The elements of an array value as scalars, calling `f` on each.
fn for_each_element(array: &Array, mut f: impl FnMut(Scalar<'_>)) {
    match array {
        Array::Bool(values) => values.iter().for_each(|&b| f(Scalar::Bool(b))),
        Array::I64(values) => values.iter().for_each(|&i| f(Scalar::Int(i))),
        Array::F64(values) => values.iter().for_each(|&d| f(Scalar::Double(d))),
        Array::String(values) => values.iter().for_each(|s| f(Scalar::String(s.as_str()))),
        // A kind of array added after opentelemetry 0.33: opentelemetry-proto 0.33 would panic on it
        // (`unreachable!`); we send its text form as one string rather than crash the export thread.
        other => f(Scalar::String(&other.to_string())),
    }
}

/// What an attribute value becomes: a scalar `AnyValue`, or an `ArrayValue` of scalars.
enum Shape<'a> {
    Scalar(Scalar<'a>),
    Array(&'a Array),
    /// A kind of value added after opentelemetry 0.33 (see `for_each_element`): its text form, as a string.
    Other(String),
}

fn shape(value: &Value) -> Shape<'_> {
    match value {
        Value::Bool(b) => Shape::Scalar(Scalar::Bool(*b)),
        Value::I64(i) => Shape::Scalar(Scalar::Int(*i)),
        Value::F64(d) => Shape::Scalar(Scalar::Double(*d)),
        Value::String(s) => Shape::Scalar(Scalar::String(s.as_str())),
        Value::Array(array) => Shape::Array(array),
        other => Shape::Other(other.to_string()),
    }
}

/// The content of the `AnyValue` of `value`: for an array, its `ArrayValue`'s length is recorded (first pass).
fn size_any_value(value: &Value, lens: &mut Vec<usize>) -> usize {
    match shape(value) {
        Shape::Scalar(scalar) => scalar.len(),
        Shape::Other(text) => Scalar::String(&text).len(),
        Shape::Array(array) => {
            let slot = open(lens);
            let mut len = 0;
            for_each_element(array, |element| len += delimited_len(1, element.len()));
            delimited_len(5, close(lens, slot, len))
        }
    }
}

/// The content of a `KeyValue` (first pass).
fn size_key_value(kv: &KeyValue, lens: &mut Vec<usize>) -> usize {
    bytes_len(1, kv.key.as_str().len()) + delimited_len(2, size_any_value(&kv.value, lens))
}

/// Repeated `KeyValue` field `tag` (first pass).
fn size_attributes<'a>(tag: u32, attributes: impl IntoIterator<Item = &'a KeyValue>, lens: &mut Vec<usize>) -> usize {
    attributes.into_iter().map(|kv| delimited_len(tag, size_key_value(kv, lens))).sum()
}

/// Writes the `KeyValue` of `kv` as field `tag` (second pass).
fn put_key_value(tag: u32, kv: &KeyValue, next: &mut Lens<'_>, buf: &mut Vec<u8>) {
    let key = kv.key.as_str();
    match shape(&kv.value) {
        Shape::Scalar(scalar) => put_scalar_key_value(tag, key, scalar, buf),
        Shape::Other(text) => put_scalar_key_value(tag, key, Scalar::String(&text), buf),
        Shape::Array(array) => {
            let array_len = next.next();
            let value_len = delimited_len(5, array_len);
            put_delimited(tag, bytes_len(1, key.len()) + delimited_len(2, value_len), buf);
            put_bytes(1, key.as_bytes(), buf);
            put_delimited(2, value_len, buf);
            put_delimited(5, array_len, buf);
            for_each_element(array, |element| {
                put_delimited(1, element.len(), buf);
                element.put(buf);
            });
        }
    }
}

fn put_scalar_key_value(tag: u32, key: &str, scalar: Scalar<'_>, buf: &mut Vec<u8>) {
    let value_len = scalar.len();
    put_delimited(tag, bytes_len(1, key.len()) + delimited_len(2, value_len), buf);
    put_bytes(1, key.as_bytes(), buf);
    put_delimited(2, value_len, buf);
    scalar.put(buf);
}

fn put_attributes<'a>(
    tag: u32,
    attributes: impl IntoIterator<Item = &'a KeyValue>,
    next: &mut Lens<'_>,
    buf: &mut Vec<u8>,
) {
    for kv in attributes {
        put_key_value(tag, kv, next, buf);
    }
}

// ---- the messages, outside in ----
//
// Each `size_*` returns its message's content length and records, in `lens`, the lengths the matching `write_*`
// reads back; the `write_*` functions write the field header (key and length) and then the content, in the same
// order.

/// `Resource` (opentelemetry-proto's: the attributes, already proto `KeyValue`s; no dropped count, no entity refs).
fn resource_len(resource: &ResourceAttributesWithSchema) -> usize {
    prost::encoding::message::encoded_len_repeated(1, &resource.attributes.0)
}

fn size_resource_spans(
    spans: &[SpanData],
    scopes: &[(&InstrumentationScope, Vec<usize>)],
    resource: &ResourceAttributesWithSchema,
    lens: &mut Vec<usize>,
) -> usize {
    let slot = open(lens);
    let mut len = delimited_len(1, resource_len(resource));
    for (scope, members) in scopes {
        len += delimited_len(2, size_scope_spans(spans, scope, members, lens));
    }
    len += bytes_len(3, resource.schema_url.as_deref().unwrap_or_default().len());
    close(lens, slot, len)
}

fn write_resource_spans(
    spans: &[SpanData],
    scopes: &[(&InstrumentationScope, Vec<usize>)],
    resource: &ResourceAttributesWithSchema,
    next: &mut Lens<'_>,
    buf: &mut Vec<u8>,
) {
    put_delimited(1, next.next(), buf);
    put_delimited(1, resource_len(resource), buf);
    for kv in &resource.attributes.0 {
        prost::encoding::message::encode(1, kv, buf);
    }
    for (scope, members) in scopes {
        write_scope_spans(spans, scope, members, next, buf);
    }
    put_bytes(3, resource.schema_url.as_deref().unwrap_or_default().as_bytes(), buf);
}

fn size_scope_spans(
    spans: &[SpanData],
    scope: &InstrumentationScope,
    members: &[usize],
    lens: &mut Vec<usize>,
) -> usize {
    let slot = open(lens);
    let mut len = delimited_len(1, size_scope(scope, lens));
    for &i in members {
        len += delimited_len(2, size_span(&spans[i], lens));
    }
    len += bytes_len(3, scope.schema_url().unwrap_or_default().len());
    close(lens, slot, len)
}

fn write_scope_spans(
    spans: &[SpanData],
    scope: &InstrumentationScope,
    members: &[usize],
    next: &mut Lens<'_>,
    buf: &mut Vec<u8>,
) {
    put_delimited(2, next.next(), buf);
    write_scope(scope, next, buf);
    for &i in members {
        write_span(&spans[i], next, buf);
    }
    put_bytes(3, scope.schema_url().unwrap_or_default().as_bytes(), buf);
}

/// `InstrumentationScope`: name, version, attributes (no dropped count).
fn size_scope(scope: &InstrumentationScope, lens: &mut Vec<usize>) -> usize {
    let slot = open(lens);
    let len = bytes_len(1, scope.name().len())
        + bytes_len(2, scope.version().unwrap_or_default().len())
        + size_attributes(3, scope.attributes(), lens);
    close(lens, slot, len)
}

fn write_scope(scope: &InstrumentationScope, next: &mut Lens<'_>, buf: &mut Vec<u8>) {
    put_delimited(1, next.next(), buf);
    put_bytes(1, scope.name().as_bytes(), buf);
    put_bytes(2, scope.version().unwrap_or_default().as_bytes(), buf);
    put_attributes(3, scope.attributes(), next, buf);
}

/// The parent span id: empty (so omitted) when there is no parent.
fn parent_id(span: &SpanData) -> Option<[u8; 8]> {
    (span.parent_span_id != SpanId::INVALID).then(|| span.parent_span_id.to_bytes())
}

/// The `Status` message's content.
fn status_len(span: &SpanData) -> usize {
    let (code, message) = status(&span.status);
    bytes_len(2, message.len()) + varint_len(3, code)
}

fn size_span(span: &SpanData, lens: &mut Vec<usize>) -> usize {
    let slot = open(lens);
    let context = &span.span_context;
    let mut len = delimited_len(1, 16)
        + delimited_len(2, 8)
        + bytes_len(3, trace_state_len(context.trace_state()))
        + bytes_len(4, if parent_id(span).is_some() { 8 } else { 0 })
        + bytes_len(5, span.name.len())
        + varint_len(6, kind(&span.span_kind))
        + fixed64_len(7, nanos(span.start_time))
        + fixed64_len(8, nanos(span.end_time))
        + size_attributes(9, &span.attributes, lens)
        + varint_len(10, u64::from(span.dropped_attributes_count));
    for event in span.events.iter() {
        let slot = open(lens);
        let event_len = fixed64_len(1, nanos(event.timestamp))
            + bytes_len(2, event.name.len())
            + size_attributes(3, &event.attributes, lens)
            + varint_len(4, u64::from(event.dropped_attributes_count));
        len += delimited_len(11, close(lens, slot, event_len));
    }
    len += varint_len(12, u64::from(span.events.dropped_count));
    for link in span.links.iter() {
        let slot = open(lens);
        let context = &link.span_context;
        let link_len = delimited_len(1, 16)
            + delimited_len(2, 8)
            + bytes_len(3, trace_state_len(context.trace_state()))
            + size_attributes(4, &link.attributes, lens)
            + varint_len(5, u64::from(link.dropped_attributes_count))
            + fixed32_len(6, span_flags(context.is_remote(), context.trace_flags().to_u8()));
        len += delimited_len(13, close(lens, slot, link_len));
    }
    len += varint_len(14, u64::from(span.links.dropped_count))
        + delimited_len(15, status_len(span))
        + fixed32_len(16, span_flags(span.parent_span_is_remote, context.trace_flags().to_u8()));
    close(lens, slot, len)
}

fn write_span(span: &SpanData, next: &mut Lens<'_>, buf: &mut Vec<u8>) {
    put_delimited(2, next.next(), buf);
    let context = &span.span_context;
    put_bytes(1, &context.trace_id().to_bytes(), buf);
    put_bytes(2, &context.span_id().to_bytes(), buf);
    put_trace_state(3, context.trace_state(), buf);
    if let Some(parent) = parent_id(span) {
        put_bytes(4, &parent, buf);
    }
    put_bytes(5, span.name.as_bytes(), buf);
    put_varint(6, kind(&span.span_kind), buf);
    put_fixed64(7, nanos(span.start_time), buf);
    put_fixed64(8, nanos(span.end_time), buf);
    put_attributes(9, &span.attributes, next, buf);
    put_varint(10, u64::from(span.dropped_attributes_count), buf);
    for event in span.events.iter() {
        put_delimited(11, next.next(), buf);
        put_fixed64(1, nanos(event.timestamp), buf);
        put_bytes(2, event.name.as_bytes(), buf);
        put_attributes(3, &event.attributes, next, buf);
        put_varint(4, u64::from(event.dropped_attributes_count), buf);
    }
    put_varint(12, u64::from(span.events.dropped_count), buf);
    for link in span.links.iter() {
        put_delimited(13, next.next(), buf);
        let context = &link.span_context;
        put_bytes(1, &context.trace_id().to_bytes(), buf);
        put_bytes(2, &context.span_id().to_bytes(), buf);
        put_trace_state(3, context.trace_state(), buf);
        put_attributes(4, &link.attributes, next, buf);
        put_varint(5, u64::from(link.dropped_attributes_count), buf);
        put_fixed32(6, span_flags(context.is_remote(), context.trace_flags().to_u8()), buf);
    }
    put_varint(14, u64::from(span.links.dropped_count), buf);
    put_delimited(15, status_len(span), buf);
    let (code, message) = status(&span.status);
    put_bytes(2, message.as_bytes(), buf);
    put_varint(3, code, buf);
    put_fixed32(16, span_flags(span.parent_span_is_remote, context.trace_flags().to_u8()), buf);
}

#[cfg(test)]
#[path = "otlp_encode_props.rs"]
mod props;
