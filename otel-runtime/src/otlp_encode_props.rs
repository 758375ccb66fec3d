//! Property test of `encode_trace_request`: on random batches its bytes are exactly opentelemetry-proto's
//! (`ExportTraceServiceRequest { resource_spans: group_spans_by_resource_and_scope(..) }.encode_to_vec()`).
//!
//! Batches come from a seeded generator (splitmix64), as in `processor_accounting_props.rs`: no dependency, and
//! every failure names its seed; `OTEL_PROPTEST_SEED=<seed>` replays that one case, `OTEL_PROPTEST_CASES=<n>`
//! sets the number of cases (default 400). The generator covers several scopes per batch (including two scopes
//! equal but for the order of their attributes: one group), every kind of attribute value (arrays of each kind,
//! empty arrays, empty and long and non-ASCII strings, negative integers, NaN, infinities, -0.0, empty keys),
//! events, links, every status and kind, remote parents and links, trace flags, trace state (none, empty, several
//! members), times before and at the epoch, dropped counts, resource attributes and schema URLs; a coverage tally
//! asserts that each of these was generated.
//!
//! Scope attributes are drawn without NaN and -0.0: opentelemetry-proto groups scopes in a `HashMap` by
//! `InstrumentationScope`'s `Eq` and `Hash`, which disagree on those (NaN ≠ NaN; 0.0 = -0.0 with different
//! hashes), so its own grouping of such scopes depends on the hasher's random seed.

use super::encode_trace_request;
use crate::test_support::Rng;
use opentelemetry::trace::{Event, Link, SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState};
use opentelemetry::{Array, InstrumentationScope, KeyValue, StringValue, Value};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::transform::common::tonic::{Attributes, ResourceAttributesWithSchema};
use opentelemetry_proto::transform::trace::tonic::group_spans_by_resource_and_scope;
use opentelemetry_sdk::trace::{SpanData, SpanEvents, SpanLinks};
use prost::Message;
use std::borrow::Cow;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What the generator produced over all cases: each must be non-zero, or the test proves less than it says.
#[derive(Debug, Default)]
struct Coverage {
    multi_scope_batches: u64,
    reordered_scope_twins: u64,
    arrays: [u64; 4],
    empty_arrays: u64,
    empty_strings: u64,
    long_strings: u64,
    non_ascii: u64,
    negative_ints: u64,
    nan: u64,
    empty_keys: u64,
    events: u64,
    links: u64,
    remote_links: u64,
    remote_parents: u64,
    no_parent: u64,
    errors_with_message: u64,
    status_ok: u64,
    trace_states: u64,
    empty_trace_states: u64,
    before_epoch: u64,
    dropped_counts: u64,
    resource_schema_urls: u64,
    empty_batches: u64,
}

impl Coverage {
    fn assert_complete(&self) {
        let Coverage {
            multi_scope_batches,
            reordered_scope_twins,
            arrays,
            empty_arrays,
            empty_strings,
            long_strings,
            non_ascii,
            negative_ints,
            nan,
            empty_keys,
            events,
            links,
            remote_links,
            remote_parents,
            no_parent,
            errors_with_message,
            status_ok,
            trace_states,
            empty_trace_states,
            before_epoch,
            dropped_counts,
            resource_schema_urls,
            empty_batches,
        } = *self;
        let all = [
            multi_scope_batches,
            reordered_scope_twins,
            arrays[0],
            arrays[1],
            arrays[2],
            arrays[3],
            empty_arrays,
            empty_strings,
            long_strings,
            non_ascii,
            negative_ints,
            nan,
            empty_keys,
            events,
            links,
            remote_links,
            remote_parents,
            no_parent,
            errors_with_message,
            status_ok,
            trace_states,
            empty_trace_states,
            before_epoch,
            dropped_counts,
            resource_schema_urls,
            empty_batches,
        ];
        assert!(all.iter().all(|&n| n > 0), "the generator missed a case: {self:?}");
    }
}

struct Gen<'a> {
    rng: Rng,
    cov: &'a mut Coverage,
}

impl Gen<'_> {
    fn string(&mut self) -> String {
        match self.rng.below(8) {
            0 => {
                self.cov.empty_strings += 1;
                String::new()
            }
            1 => {
                self.cov.non_ascii += 1;
                ["é", "日本語", "🦀 crab", "Ω≈ç√", "\u{0}nul", "ÿ\u{10FFFF}"][self.rng.below(6) as usize].to_string()
            }
            2 => {
                // Over 127 bytes, sometimes over 16383: lengths of two and three varint bytes.
                self.cov.long_strings += 1;
                let n = if self.rng.chance(10) { 20_000 } else { 128 + self.rng.below(400) as usize };
                "x".repeat(n)
            }
            _ => format!("s{}", self.rng.below(1000)),
        }
    }

    fn key(&mut self) -> String {
        if self.rng.chance(3) {
            self.cov.empty_keys += 1;
            return String::new();
        }
        match self.rng.below(4) {
            0 => "http.request.method".to_string(),
            1 => "clé.ünïcode".to_string(),
            _ => format!("k{}", self.rng.below(50)),
        }
    }

    fn int(&mut self) -> i64 {
        match self.rng.below(5) {
            0 => 0,
            1 => {
                self.cov.negative_ints += 1;
                -(self.rng.below(1 << 40) as i64) - 1
            }
            2 => i64::MAX,
            3 => i64::MIN,
            _ => self.rng.below(1 << 20) as i64,
        }
    }

    fn float(&mut self, special: bool) -> f64 {
        match self.rng.below(if special { 7 } else { 3 }) {
            0 => 0.0,
            1 => 1.5,
            2 => f64::from_bits(self.rng.next() & !(0x7FF << 52)), // finite
            3 => {
                self.cov.nan += 1;
                f64::NAN
            }
            4 => -0.0,
            5 => f64::INFINITY,
            _ => f64::NEG_INFINITY,
        }
    }

    fn array(&mut self, special: bool) -> Array {
        let n = self.rng.below(4) as usize;
        if n == 0 {
            self.cov.empty_arrays += 1;
        }
        let kind = self.rng.below(4) as usize;
        self.cov.arrays[kind] += 1;
        match kind {
            0 => Array::Bool((0..n).map(|_| self.rng.chance(50)).collect()),
            1 => Array::I64((0..n).map(|_| self.int()).collect()),
            2 => Array::F64((0..n).map(|_| self.float(special)).collect()),
            _ => Array::String((0..n).map(|_| StringValue::from(self.string())).collect()),
        }
    }

    /// A value; `special`: NaN, infinities and -0.0 allowed.
    fn value(&mut self, special: bool) -> Value {
        match self.rng.below(6) {
            0 => Value::Bool(self.rng.chance(50)),
            1 => Value::I64(self.int()),
            2 => Value::F64(self.float(special)),
            3 => Value::Array(self.array(special)),
            4 if self.rng.chance(50) => Value::String(StringValue::from(Cow::Borrowed("static"))),
            _ => Value::String(StringValue::from(self.string())),
        }
    }

    fn attributes(&mut self, max: u64, special: bool) -> Vec<KeyValue> {
        (0..self.rng.below(max + 1)).map(|_| KeyValue::new(self.key(), self.value(special))).collect()
    }

    fn dropped(&mut self) -> u32 {
        if self.rng.chance(20) {
            self.cov.dropped_counts += 1;
            if self.rng.chance(50) {
                u32::MAX
            } else {
                1 + self.rng.below(300) as u32
            }
        } else {
            0
        }
    }

    fn time(&mut self) -> SystemTime {
        match self.rng.below(10) {
            0 => UNIX_EPOCH,
            1 => {
                self.cov.before_epoch += 1;
                UNIX_EPOCH - Duration::from_secs(1 + self.rng.below(1000))
            }
            _ => UNIX_EPOCH + Duration::from_nanos(self.rng.below(4_000_000_000_000_000_000)),
        }
    }

    fn trace_state(&mut self) -> TraceState {
        match self.rng.below(4) {
            0 => {
                self.cov.empty_trace_states += 1;
                TraceState::from_key_value(Vec::<(String, String)>::new()).expect("empty trace state")
            }
            1 => {
                self.cov.trace_states += 1;
                let members: Vec<(String, String)> = (0..1 + self.rng.below(3))
                    .map(|i| (format!("vendor{i}"), format!("v{}", self.rng.below(99))))
                    .collect();
                TraceState::from_key_value(members).expect("valid trace state")
            }
            _ => TraceState::NONE,
        }
    }

    fn context(&mut self) -> (SpanContext, bool) {
        let remote = self.rng.chance(30);
        let trace_id = if self.rng.chance(5) {
            TraceId::INVALID
        } else {
            TraceId::from(u128::from(self.rng.next()) << 64 | u128::from(self.rng.next()))
        };
        let span_id = if self.rng.chance(5) { SpanId::INVALID } else { SpanId::from(self.rng.next()) };
        let flags = TraceFlags::new(self.rng.below(256) as u8);
        (SpanContext::new(trace_id, span_id, flags, remote, self.trace_state()), remote)
    }

    fn scope(&mut self) -> InstrumentationScope {
        let mut builder = InstrumentationScope::builder(self.string());
        if self.rng.chance(60) {
            builder = builder.with_version(self.string());
        }
        if self.rng.chance(40) {
            builder = builder.with_schema_url(self.string());
        }
        if self.rng.chance(50) {
            builder = builder.with_attributes(self.attributes(3, false));
        }
        builder.build()
    }

    /// The scope pool of a batch: one to four scopes, sometimes plus the first one's twin (its attributes in
    /// reverse order), which `InstrumentationScope`'s `Eq` makes the same scope.
    fn scopes(&mut self) -> Vec<InstrumentationScope> {
        let mut scopes: Vec<InstrumentationScope> = (0..1 + self.rng.below(4)).map(|_| self.scope()).collect();
        let first = &scopes[0];
        if first.attributes().count() > 1 && self.rng.chance(50) {
            self.cov.reordered_scope_twins += 1;
            let mut attributes: Vec<KeyValue> = first.attributes().cloned().collect();
            attributes.reverse();
            let mut twin = InstrumentationScope::builder(first.name().to_string()).with_attributes(attributes);
            if let Some(version) = first.version() {
                twin = twin.with_version(version.to_string());
            }
            if let Some(url) = first.schema_url() {
                twin = twin.with_schema_url(url.to_string());
            }
            scopes.push(twin.build());
        }
        scopes
    }

    fn span(&mut self, scopes: &[InstrumentationScope]) -> SpanData {
        let (span_context, _) = self.context();
        let parent_span_id = if self.rng.chance(30) {
            self.cov.no_parent += 1;
            SpanId::INVALID
        } else {
            SpanId::from(self.rng.next() | 1)
        };
        let parent_span_is_remote = self.rng.chance(30);
        if parent_span_is_remote {
            self.cov.remote_parents += 1;
        }
        let span_kind =
            [SpanKind::Internal, SpanKind::Server, SpanKind::Client, SpanKind::Producer, SpanKind::Consumer]
                [self.rng.below(5) as usize]
                .clone();
        let name: Cow<'static, str> =
            if self.rng.chance(30) { Cow::Borrowed("GET /static") } else { self.string().into() };
        let mut events = SpanEvents::default();
        for _ in 0..self.rng.below(3) {
            self.cov.events += 1;
            let (name, time, attributes) = (self.string(), self.time(), self.attributes(3, true));
            events.events.push(Event::new(name, time, attributes, self.dropped()));
        }
        events.dropped_count = self.dropped();
        let mut links = SpanLinks::default();
        for _ in 0..self.rng.below(3) {
            self.cov.links += 1;
            let (context, remote) = self.context();
            if remote {
                self.cov.remote_links += 1;
            }
            let attributes = self.attributes(3, true);
            links.links.push(Link::new(context, attributes, self.dropped()));
        }
        links.dropped_count = self.dropped();
        let status = match self.rng.below(4) {
            0 => {
                self.cov.status_ok += 1;
                Status::Ok
            }
            1 => {
                let description = self.string();
                if !description.is_empty() {
                    self.cov.errors_with_message += 1;
                }
                Status::Error { description: description.into() }
            }
            _ => Status::Unset,
        };
        SpanData {
            span_context,
            parent_span_id,
            parent_span_is_remote,
            span_kind,
            name,
            start_time: self.time(),
            end_time: self.time(),
            attributes: self.attributes(8, true),
            dropped_attributes_count: self.dropped(),
            events,
            links,
            status,
            instrumentation_scope: scopes[self.rng.below(scopes.len() as u64) as usize].clone(),
        }
    }

    fn batch(&mut self) -> (Vec<SpanData>, ResourceAttributesWithSchema) {
        let scopes = self.scopes();
        let n = match self.rng.below(10) {
            0 => 0,
            1 => 100 + self.rng.below(200),
            _ => 1 + self.rng.below(12),
        };
        if n == 0 {
            self.cov.empty_batches += 1;
        }
        let spans: Vec<SpanData> = (0..n).map(|_| self.span(&scopes)).collect();
        let distinct = spans.iter().fold(Vec::<&InstrumentationScope>::new(), |mut seen, span| {
            if !seen.contains(&&span.instrumentation_scope) {
                seen.push(&span.instrumentation_scope);
            }
            seen
        });
        if distinct.len() > 1 {
            self.cov.multi_scope_batches += 1;
        }
        let schema_url = self.rng.chance(30).then(|| self.string());
        if schema_url.is_some() {
            self.cov.resource_schema_urls += 1;
        }
        let resource =
            ResourceAttributesWithSchema { attributes: Attributes::from(self.attributes(6, true)), schema_url };
        (spans, resource)
    }
}

/// opentelemetry-proto's bytes for the batch: what ours must equal.
fn reference(spans: &[SpanData], resource: &ResourceAttributesWithSchema) -> Vec<u8> {
    ExportTraceServiceRequest { resource_spans: group_spans_by_resource_and_scope(spans.to_vec(), resource) }
        .encode_to_vec()
}

/// Where two byte strings first differ, for the failure message.
fn first_difference(ours: &[u8], theirs: &[u8]) -> String {
    let at = ours.iter().zip(theirs).position(|(a, b)| a != b).unwrap_or(ours.len().min(theirs.len()));
    let around = |bytes: &[u8]| format!("{:02x?}", &bytes[at.saturating_sub(8)..(at + 8).min(bytes.len())]);
    format!(
        "{} bytes vs {} expected; first difference at byte {at}: ours {} expected {}",
        ours.len(),
        theirs.len(),
        around(ours),
        around(theirs)
    )
}

/// The cases to run: `OTEL_PROPTEST_SEED` replays one, `OTEL_PROPTEST_CASES` sets how many.
fn seeds() -> Vec<u64> {
    if let Ok(seed) = std::env::var("OTEL_PROPTEST_SEED") {
        return vec![seed.parse().expect("OTEL_PROPTEST_SEED: a u64")];
    }
    let cases = std::env::var("OTEL_PROPTEST_CASES").map_or(400, |n| n.parse().expect("OTEL_PROPTEST_CASES: a number"));
    let mut rng = Rng(0x07E1_E4C0);
    (0..cases).map(|_| rng.next()).collect()
}

#[test]
fn encoded_spans_are_byte_identical_to_opentelemetry_proto() {
    let mut cov = Coverage::default();
    let seeds = seeds();
    for &seed in &seeds {
        let (spans, resource) = Gen { rng: Rng(seed), cov: &mut cov }.batch();
        let ours = encode_trace_request(&spans, &resource);
        let theirs = reference(&spans, &resource);
        if ours != theirs {
            panic!(
                "encoding differs (replay: OTEL_PROPTEST_SEED={seed}), {} spans: {}",
                spans.len(),
                first_difference(&ours, &theirs)
            );
        }
    }
    // With the default cases (a replay or a chosen number may be too few to reach every case).
    if std::env::var_os("OTEL_PROPTEST_SEED").is_none() && std::env::var_os("OTEL_PROPTEST_CASES").is_none() {
        cov.assert_complete();
    }
}

/// The one `ResourceSpans` of an empty batch (opentelemetry-proto sends one, with the resource and no scopes), and
/// a decoded round trip of a plain span: readable evidence next to the property test's bytes.
#[test]
fn an_empty_batch_and_a_plain_span_decode_as_expected() {
    let resource = ResourceAttributesWithSchema {
        attributes: Attributes::from(vec![KeyValue::new("service.name", "svc")]),
        schema_url: None,
    };
    let empty = ExportTraceServiceRequest::decode(&encode_trace_request(&[], &resource)[..]).expect("decodes");
    assert_eq!(empty.resource_spans.len(), 1);
    assert!(empty.resource_spans[0].scope_spans.is_empty());
    assert_eq!(empty.resource_spans[0].resource.as_ref().expect("resource").attributes[0].key, "service.name");

    let mut cov = Coverage::default();
    let mut generator = Gen { rng: Rng(7), cov: &mut cov };
    let scopes = [InstrumentationScope::builder("lib").with_version("1.0").build()];
    let span = generator.span(&scopes);
    let decoded = ExportTraceServiceRequest::decode(&encode_trace_request(std::slice::from_ref(&span), &resource)[..])
        .expect("decodes");
    let scope_spans = &decoded.resource_spans[0].scope_spans[0];
    assert_eq!(scope_spans.scope.as_ref().expect("scope").name, "lib");
    assert_eq!(scope_spans.scope.as_ref().expect("scope").version, "1.0");
    assert_eq!(scope_spans.spans[0].span_id, span.span_context.span_id().to_bytes());
    assert_eq!(scope_spans.spans[0].name, span.name);
}
