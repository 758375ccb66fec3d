//! `fmt.trace_ids`: the local fmt lines carry the OpenTelemetry trace and span id of the span they were printed
//! in, so that a line in a log shipper leads to its trace.
//!
//! - json: two more top-level fields, `"trace_id":"<32 hex>","span_id":"<16 hex>"`, last in the object.
//! - compact: a suffix at the end of the line, ` trace_id=<32 hex> span_id=<16 hex>` (logfmt pairs: `grep
//!   trace_id=4bf9…` finds every line of a trace).
//! - pretty: one more line at the end of the event's block, `    trace_id=<32 hex> span_id=<16 hex>`, indented
//!   like its `at` and `in` lines.
//!
//! The ids are the OTel ids the span is exported with (lowercase hex, as W3C `traceparent` writes them), not
//! `tracing`'s span ids. A line printed outside any span has none; so has a line whose span has no valid OTel
//! span context (traces off). They are read from the OTel context that tracing-opentelemetry attaches to the thread
//! when it enters a span (its default "context activation"): that context's span is the entered span, started
//! with its parent's trace id — a root span's own, a child's root's, or the remote parent's after
//! `set_parent(extracted_context)`. tracing-opentelemetry 0.34 keeps a span's data in a private type and hands
//! a span's context out only through the `Dispatch` (`get_otel_context`), which cannot be reached while an event
//! is being dispatched to a thread's scoped subscriber; so an event with an explicit `parent:` other than the
//! entered span gets no ids (rather than the entered span's, which would be wrong). Ids are printed for sampled
//! and unsampled spans alike: an unsampled trace id still ties the lines of one request together. An app that
//! attaches an OTel context of its own inside a span gets that context's ids, the parent tracing-opentelemetry
//! gives the spans started there.
//!
//! Cost per event, by construction: outside a span, one look-up of the current span in the
//! registry; inside, that plus a borrow of the thread's OTel context and 48 hex digits written into the line
//! being built. No allocation: the event is formatted by tracing-subscriber's own formatter through an adapter
//! that holds back the line's last one or two bytes (`}` and the newline) and writes the ids before them.

use opentelemetry::trace::{SpanId, TraceContextExt, TraceId};
use otel_config::FmtFormat;
use std::fmt;
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::{DefaultFields, Format, Writer};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// The fmt layer of `fmt.format` writing to stdout (`None` for `off`), the same layer as without ids when
/// `trace_ids` is false, with the trace and span id on every line printed in a span when it is true.
pub(crate) fn fmt_layer<S>(format: FmtFormat, trace_ids: bool) -> Option<Box<dyn Layer<S> + Send + Sync>>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    build(tracing_subscriber::fmt::layer(), format, trace_ids)
}

/// [`fmt_layer`] on top of `base` (a default fmt layer with its writer and ANSI setting chosen: the tests' buffer).
fn build<S, W>(
    base: tracing_subscriber::fmt::Layer<S, DefaultFields, Format, W>,
    format: FmtFormat,
    trace_ids: bool,
) -> Option<Box<dyn Layer<S> + Send + Sync>>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    Some(match (format, trace_ids) {
        (FmtFormat::Off, _) => return None,
        (FmtFormat::Pretty, false) => base.pretty().boxed(),
        (FmtFormat::Json, false) => base.json().boxed(),
        (FmtFormat::Pretty, true) => base.pretty().map_event_format(|f| WithIds::text(f, Shape::PRETTY)).boxed(),
        (FmtFormat::Json, true) => base.json().map_event_format(WithIds::json).boxed(),
        // `compact`, the default, and so any format a newer otel-config may add before this layer knows it.
        (_, false) => base.compact().boxed(),
        (_, true) => base.compact().map_event_format(|f| WithIds::text(f, Shape::COMPACT)).boxed(),
    })
}

/// Where the ids go in a line of one format: before its last `tail` bytes, as `"trace_id":…` fields (json) or
/// `trace_id=… span_id=…` between `before` and `after` (text).
#[derive(Clone, Copy, Debug)]
struct Shape {
    tail: &'static str,
    json: bool,
    before: &'static str,
    after: &'static str,
}

impl Shape {
    /// `…}` + newline: the fields go before the object's closing brace.
    const JSON: Shape = Shape { tail: "}\n", json: true, before: "", after: "" };
    /// One line: the pairs go before its newline.
    const COMPACT: Shape = Shape { tail: "\n", json: false, before: " ", after: "" };
    /// A block of lines ended by an empty line: the pairs are a line of their own before that empty line.
    const PRETTY: Shape = Shape { tail: "\n", json: false, before: "    ", after: "\n" };
}

/// A tracing-subscriber event formatter with the ids added. The inner formatter writes into a `Writer` of ours,
/// which cannot inherit the layer's ANSI setting (`Writer::with_ansi` is private): two copies of the formatter,
/// ANSI forced on and off, stand in for it, chosen per event by the layer's writer.
struct WithIds<F> {
    ansi: F,
    plain: F,
    shape: Shape,
}

impl<F, T: Clone> WithIds<Format<F, T>>
where
    F: Clone,
{
    fn text(format: Format<F, T>, shape: Shape) -> Self {
        WithIds { ansi: format.clone().with_ansi(true), plain: format.with_ansi(false), shape }
    }

    fn json(format: Format<F, T>) -> Self {
        // No colours in JSON: both copies are the same.
        WithIds { ansi: format.clone(), plain: format, shape: Shape::JSON }
    }
}

impl<S, N, F> FormatEvent<S, N> for WithIds<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'w> FormatFields<'w> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(&self, ctx: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        let inner = if writer.has_ansi_escapes() { &self.ansi } else { &self.plain };
        let Some(ids) = ids(ctx, event) else {
            return inner.format_event(ctx, writer, event);
        };
        let mut line = HoldTail::new(&mut writer, self.shape.tail);
        inner.format_event(ctx, Writer::new(&mut line), event)?;
        line.finish(ids, self.shape)
    }
}

/// The OTel trace and span id of the span `event` was printed in, if it has a valid one (module doc).
fn ids<S, N>(ctx: &FmtContext<'_, S, N>, event: &Event<'_>) -> Option<(TraceId, SpanId)>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'w> FormatFields<'w> + 'static,
{
    let current = ctx.lookup_current()?;
    let in_current = match event.parent() {
        Some(parent) => *parent == current.id(),
        None => event.is_contextual(),
    };
    if !in_current {
        return None;
    }
    opentelemetry::Context::map_current(|cx| {
        let span = cx.span();
        let context = span.span_context();
        context.is_valid().then(|| (context.trace_id(), context.span_id()))
    })
}

/// A `fmt::Write` that passes everything on to `out` except, at any moment, the longest end of what was written
/// that could be the start of `tail` (at most two bytes): the formatter's last bytes are known only when it is
/// done, and the ids go before them.
struct HoldTail<'a, W: fmt::Write> {
    out: &'a mut W,
    tail: &'static str,
    /// How many bytes of `tail` (a prefix of it) were written and are held back.
    held: usize,
    /// The last byte passed on (`{` before a held `}`: an empty JSON object, no comma).
    last: u8,
}

impl<'a, W: fmt::Write> HoldTail<'a, W> {
    fn new(out: &'a mut W, tail: &'static str) -> Self {
        debug_assert!(tail.len() <= 2 && tail.is_ascii());
        HoldTail { out, tail, held: 0, last: 0 }
    }

    fn pass(&mut self, text: &str) -> fmt::Result {
        if let Some(&byte) = text.as_bytes().last() {
            self.last = byte;
            self.out.write_str(text)?;
        }
        Ok(())
    }

    /// Writes the ids before the held tail and the tail after them. When the line did not end as the format
    /// ends its lines (not seen with tracing-subscriber 0.3's formatters), it is left as it was, without ids.
    fn finish(self, (trace_id, span_id): (TraceId, SpanId), shape: Shape) -> fmt::Result {
        if self.held == self.tail.len() {
            if shape.json {
                if self.last != b'{' {
                    self.out.write_char(',')?;
                }
                write!(self.out, "\"trace_id\":\"{trace_id}\",\"span_id\":\"{span_id}\"")?;
            } else {
                write!(self.out, "{}trace_id={trace_id} span_id={span_id}{}", shape.before, shape.after)?;
            }
        }
        self.out.write_str(&self.tail[..self.held])
    }
}

impl<W: fmt::Write> fmt::Write for HoldTail<'_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if s.is_empty() {
            return Ok(());
        }
        // The text so far ends with tail[..held] (held back), then `s`. Keep back the longest end of that which is
        // a start of `tail`; pass on the rest.
        let tail_text: &'static str = self.tail;
        let (tail, held) = (tail_text.as_bytes(), self.held);
        let combined_len = held + s.len();
        let ends_with = |k: usize| {
            // Whether held-text + s ends with tail[..k], byte by byte from the end (k <= 2).
            (0..k).all(|i| {
                let from_end = k - i; // 1-based distance from the end of the combined text
                let byte = if from_end <= s.len() {
                    s.as_bytes()[s.len() - from_end]
                } else {
                    tail[held - (from_end - s.len())]
                };
                byte == tail[i]
            })
        };
        let keep = (1..=tail.len().min(combined_len)).rev().find(|&k| ends_with(k)).unwrap_or(0);
        let pass_len = combined_len - keep;
        let from_held = pass_len.min(held);
        self.pass(&tail_text[..from_held])?;
        // The bytes kept back are ASCII: the cut is on a char boundary.
        self.pass(&s[..pass_len - from_held])?;
        self.held = keep;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::CollectSpans as Collect;
    use opentelemetry::trace::{SpanContext, TraceFlags, TraceState, TracerProvider as _};
    use opentelemetry_sdk::trace::SdkTracerProvider;
    use std::fmt::Write as _;
    use std::sync::{Arc, Mutex};
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;
    use tracing_subscriber::layer::SubscriberExt as _;

    const REMOTE_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    const REMOTE_SPAN: &str = "00f067aa0ba902b7";

    /// The ids of the exported span `name`, as the fmt lines write them: (trace id, span id, parent span id).
    fn id_strings(spans: &Collect, name: &str) -> (String, String, String) {
        let (trace, span, parent) = spans.ids(name);
        (trace.to_string(), span.to_string(), parent.to_string())
    }

    /// The fmt output, one write per event.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Buffer {
        type Writer = Buffer;
        fn make_writer(&'a self) -> Buffer {
            self.clone()
        }
    }

    /// Runs the scenario every test reads: events outside any span, in a root span, in its child, in a span whose
    /// parent is a remote context, with an explicit parent. Returns the fmt output and the exported spans.
    fn run(format: FmtFormat, trace_ids: bool, ansi: bool) -> (String, Collect) {
        let exporter = Collect::default();
        let provider = SdkTracerProvider::builder().with_simple_exporter(exporter.clone()).build();
        let buffer = Buffer::default();
        let base = tracing_subscriber::fmt::layer().with_writer(buffer.clone()).with_ansi(ansi);
        let subscriber = tracing_subscriber::registry()
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")))
            .with(build(base, format, trace_ids));
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!("outside");
            let root = tracing::info_span!("root");
            root.in_scope(|| {
                tracing::info!(answer = 42, "in root");
                tracing::info_span!("child").in_scope(|| tracing::info!("in child"));
                tracing::info!(parent: &root, "explicit root in root");
            });
            let remote = SpanContext::new(
                TraceId::from_hex(REMOTE_TRACE).unwrap(),
                SpanId::from_hex(REMOTE_SPAN).unwrap(),
                TraceFlags::SAMPLED,
                true,
                TraceState::default(),
            );
            let continued = tracing::info_span!("continued");
            continued.set_parent(opentelemetry::Context::new().with_remote_span_context(remote)).unwrap();
            continued.in_scope(|| {
                tracing::info!("in continued");
                tracing::info!(parent: &root, "explicit root in continued");
                tracing::info!(parent: None, "explicit no parent");
            });
        });
        provider.shutdown().unwrap();
        let output = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        (output, exporter)
    }

    /// message → the ids the line of that message must carry (`None`: no ids).
    fn expected(spans: &Collect) -> Vec<(&'static str, Option<(String, String)>)> {
        let (root_trace, root_span, _) = id_strings(spans, "root");
        let (child_trace, child_span, child_parent) = id_strings(spans, "child");
        let (continued_trace, continued_span, continued_parent) = id_strings(spans, "continued");
        // The exported tree is the one the ids must match: child under root, continued under the remote span.
        assert_eq!((child_trace.as_str(), child_parent.as_str()), (root_trace.as_str(), root_span.as_str()));
        assert_eq!((continued_trace.as_str(), continued_parent.as_str()), (REMOTE_TRACE, REMOTE_SPAN));
        vec![
            ("outside", None),
            ("in root", Some((root_trace.clone(), root_span.clone()))),
            ("in child", Some((child_trace, child_span))),
            ("explicit root in root", Some((root_trace, root_span))),
            ("in continued", Some((continued_trace, continued_span))),
            ("explicit root in continued", None),
            ("explicit no parent", None),
        ]
    }

    #[test]
    fn json_lines_have_the_exported_ids_as_fields() {
        let (output, spans) = run(FmtFormat::Json, true, false);
        let lines: Vec<serde_json::Value> =
            output.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))).collect();
        let expected = expected(&spans);
        assert_eq!(lines.len(), expected.len(), "{output}");
        for (line, (message, ids)) in lines.iter().zip(expected) {
            assert_eq!(line["fields"]["message"], message, "{line}");
            match ids {
                Some((trace_id, span_id)) => {
                    assert_eq!(line["trace_id"], trace_id.as_str(), "{line}");
                    assert_eq!(line["span_id"], span_id.as_str(), "{line}");
                    assert_eq!((trace_id.len(), span_id.len()), (32, 16));
                }
                None => assert!(line.get("trace_id").is_none() && line.get("span_id").is_none(), "{line}"),
            }
            // Everything the json format wrote is still there.
            assert!(line["timestamp"].is_string() && line["level"] == "INFO", "{line}");
        }
        assert_eq!(lines[1]["fields"]["answer"], 42);
        assert_eq!(lines[2]["spans"].as_array().map(Vec::len), Some(2), "{}", lines[2]);
    }

    #[test]
    fn compact_lines_end_with_the_exported_ids() {
        for ansi in [false, true] {
            let (output, spans) = run(FmtFormat::Compact, true, ansi);
            let lines: Vec<&str> = output.lines().collect();
            let expected = expected(&spans);
            assert_eq!(lines.len(), expected.len(), "{output}");
            for (line, (message, ids)) in lines.iter().zip(expected) {
                assert!(line.contains(message), "{line:?} should be {message:?}");
                match ids {
                    Some((trace_id, span_id)) => {
                        let suffix = format!(" trace_id={trace_id} span_id={span_id}");
                        assert!(line.ends_with(&suffix), "{line:?} should end with {suffix:?}");
                        assert_eq!(line.matches("trace_id=").count(), 1, "{line:?}");
                    }
                    None => assert!(!line.contains("trace_id="), "{line:?}"),
                }
                // The layer's ANSI setting is kept, with ids or without.
                assert_eq!(line.contains('\u{1b}'), ansi, "{line:?}");
            }
        }
    }

    #[test]
    fn pretty_blocks_end_with_a_line_of_the_exported_ids() {
        let (output, spans) = run(FmtFormat::Pretty, true, false);
        // Blocks are still separated by an empty line.
        let blocks: Vec<&str> = output.split_terminator("\n\n").collect();
        let expected = expected(&spans);
        assert_eq!(blocks.len(), expected.len(), "{output}");
        for (block, (message, ids)) in blocks.iter().zip(expected) {
            assert!(block.lines().next().unwrap().contains(message), "{block:?} should be {message:?}");
            match ids {
                Some((trace_id, span_id)) => {
                    let last = block.lines().last().unwrap();
                    assert_eq!(last, format!("    trace_id={trace_id} span_id={span_id}"), "{block:?}");
                    assert!(block.contains("    in "), "the span lines are kept: {block:?}");
                }
                None => assert!(!block.contains("trace_id="), "{block:?}"),
            }
        }
    }

    #[test]
    fn without_trace_ids_the_lines_are_those_of_the_plain_layers() {
        for format in [FmtFormat::Json, FmtFormat::Compact, FmtFormat::Pretty] {
            let (output, _) = run(format, false, false);
            assert!(!output.is_empty(), "{format:?}");
            assert!(!output.contains("trace_id") && !output.contains("span_id"), "{format:?}: {output}");
        }
        assert!(
            build::<tracing_subscriber::Registry, _>(tracing_subscriber::fmt::layer(), FmtFormat::Off, true).is_none()
        );
        assert!(fmt_layer::<tracing_subscriber::Registry>(FmtFormat::Off, false).is_none());
        assert!(fmt_layer::<tracing_subscriber::Registry>(FmtFormat::Json, true).is_some());
    }

    #[test]
    fn unsampled_spans_have_ids_too() {
        let provider = SdkTracerProvider::builder().with_sampler(opentelemetry_sdk::trace::Sampler::AlwaysOff).build();
        let buffer = Buffer::default();
        let base = tracing_subscriber::fmt::layer().with_writer(buffer.clone()).with_ansi(false);
        let subscriber = tracing_subscriber::registry()
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")))
            .with(build(base, FmtFormat::Compact, true));
        let expected = tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("dropped");
            span.in_scope(|| tracing::info!("in dropped"));
            let cx = span.context();
            let context = cx.span().span_context().clone();
            assert!(context.is_valid() && !context.is_sampled());
            format!(" trace_id={} span_id={}", context.trace_id(), context.span_id())
        });
        let output = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        assert!(output.trim_end().ends_with(&expected), "{output:?} should end with {expected:?}");
    }

    #[test]
    fn no_otel_layer_no_ids() {
        // No OTel layer at all (traces off): spans exist, their OTel context does not, no ids.
        let buffer = Buffer::default();
        let base = tracing_subscriber::fmt::layer().with_writer(buffer.clone()).with_ansi(false);
        let subscriber = tracing_subscriber::registry().with(build(base, FmtFormat::Compact, true));
        tracing::subscriber::with_default(subscriber, || {
            tracing::info_span!("root").in_scope(|| tracing::info!("in root"));
        });
        let output = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        assert!(output.contains("in root") && !output.contains("trace_id="), "{output}");
    }

    /// Feeds `pieces` through a `HoldTail` and finishes it with fixed ids.
    fn held(pieces: &[&str], shape: Shape) -> String {
        let mut out = String::new();
        let mut line = HoldTail::new(&mut out, shape.tail);
        for piece in pieces {
            line.write_str(piece).unwrap();
        }
        let ids = (TraceId::from_hex(REMOTE_TRACE).unwrap(), SpanId::from_hex(REMOTE_SPAN).unwrap());
        line.finish(ids, shape).unwrap();
        out
    }

    #[test]
    fn the_tail_is_found_however_the_line_is_cut_into_writes() {
        let json = format!(r#"{{"a":1,"trace_id":"{REMOTE_TRACE}","span_id":"{REMOTE_SPAN}"}}"#) + "\n";
        for pieces in [
            &[r#"{"a":1}"#, "\n"][..],
            &[r#"{"a":1}"#, "", "\n"],
            &[r#"{"a":1}"#, "\n", ""],
            &["{\"a\":1}\n"],
            &["{", r#""a""#, ":", "1", "}", "\n"],
            &[r#"{"a":1"#, "}\n"],
        ] {
            assert_eq!(held(pieces, Shape::JSON), json, "{pieces:?}");
        }
        assert_eq!(held(&[r#"{"a":{"b":1}"#, "}\n"], Shape::JSON).matches("trace_id").count(), 1);
        // A `}` or newline inside the line is passed on, not mistaken for the end.
        let nested = held(&[r#"{"a":{"b":"}"#, "\n", r#""}"#, "}", "\n"], Shape::JSON);
        assert!(nested.starts_with("{\"a\":{\"b\":\"}\n\"}"), "{nested:?}");
        assert!(nested.ends_with(&format!("\"span_id\":\"{REMOTE_SPAN}\"}}\n")), "{nested:?}");
        // An empty object gets no comma; a line not ending as expected is left alone.
        assert_eq!(
            held(&["{", "}\n"], Shape::JSON),
            format!(r#"{{"trace_id":"{REMOTE_TRACE}","span_id":"{REMOTE_SPAN}"}}"#) + "\n"
        );
        assert_eq!(held(&["{\"a\":1}"], Shape::JSON), "{\"a\":1}");
        assert_eq!(held(&["{\"a\":1}\n", "x"], Shape::JSON), "{\"a\":1}\nx");
        // Text: before the newline; multi-byte characters before the cut are kept whole.
        let suffix = format!(" trace_id={REMOTE_TRACE} span_id={REMOTE_SPAN}");
        assert_eq!(held(&["héllo wörld ✓", "\n"], Shape::COMPACT), format!("héllo wörld ✓{suffix}\n"));
        assert_eq!(held(&["a\nb\n"], Shape::COMPACT), format!("a\nb{suffix}\n"));
        assert_eq!(
            held(&["a\n", "\n"], Shape::PRETTY),
            format!("a\n    trace_id={REMOTE_TRACE} span_id={REMOTE_SPAN}\n\n")
        );
        assert_eq!(held(&["no newline"], Shape::COMPACT), "no newline");
    }
}
