//! `u64` and `usize` fields as integers on spans and span events.
//!
//! tracing-opentelemetry 0.34's visitors have no `record_u64`: a `u64` or `usize` field (`task.id = 4u64`,
//! `len = v.len()`) falls through to `record_debug` and arrives as the string `"4"`, which a backend cannot sum,
//! compare or range over. [`U64Fields`] wraps tracing-opentelemetry's layer and hands it the same span, record or
//! event with each `u64` value up to `i64::MAX` replaced by that value as an `i64`, the widest integer OTLP has.
//! Larger values are left as they are (tracing-opentelemetry makes them strings): no integer attribute could
//! hold them.
//!
//! Why a wrapper and not a layer after tracing-opentelemetry's that sets the attribute again: span attributes are
//! a list, not a map (the SDK appends, `OpenTelemetrySpanExt::set_attribute` too), so the string would stay
//! beside the integer, under the same key; and a span event, once added, cannot be edited from outside. Changing
//! what the layer is given is the only way to change what it records, without forking it.
//!
//! The cost: one extra pass over the fields (no formatting, no allocation) for every span, record and event; when
//! a convertible `u64` is there, the fields are copied (strings and `Debug` values formatted once, which the layer
//! would have done anyway) and handed on. Measured in BENCHMARKS.md ("u64 fields").
//!
//! Log records need nothing: opentelemetry-appender-tracing 0.33 implements `record_u64` (an `i64` attribute up
//! to `i64::MAX`, a string above).
//!
//! One exception: a field set that also holds an error value (`error = &e as &dyn std::error::Error`) is passed
//! on unchanged, its `u64`s as strings: an error value cannot be copied, and tracing-opentelemetry derives the
//! exception attributes from the error itself.

use std::any::TypeId;
use std::fmt;

use tracing::field::{DisplayValue, Field, FieldSet, Value, ValueSet, Visit};
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::{Interest, Subscriber};
use tracing::{Dispatch, Event, Metadata};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

/// A layer (tracing-opentelemetry's) that receives `u64` fields up to `i64::MAX` as `i64` (see the module's
/// documentation). Every other call is forwarded unchanged, `downcast_raw` included, so that
/// `OpenTelemetrySpanExt` still finds the layer inside.
#[derive(Debug, Clone)]
pub struct U64Fields<L> {
    inner: L,
}

impl<L> U64Fields<L> {
    /// Wraps `inner`.
    pub fn new(inner: L) -> Self {
        U64Fields { inner }
    }
}

/// The first pass: is there a `u64` to convert, and nothing that cannot be copied? No value is formatted.
#[derive(Default)]
struct Scan {
    convertible: bool,
    error: bool,
}

impl Visit for Scan {
    fn record_u64(&mut self, _: &Field, value: u64) {
        self.convertible |= i64::try_from(value).is_ok();
    }

    fn record_error(&mut self, _: &Field, _: &(dyn std::error::Error + 'static)) {
        self.error = true;
    }

    fn record_debug(&mut self, _: &Field, _: &dyn fmt::Debug) {}
}

fn needs_rewrite(record: impl FnOnce(&mut dyn Visit)) -> bool {
    let mut scan = Scan::default();
    record(&mut scan);
    scan.convertible && !scan.error
}

/// A field's value, owned, in a form that records itself to a visitor as the original did (a `u64` up to
/// `i64::MAX` as an `i64`).
enum Owned {
    Absent,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(String),
    /// A `Debug` (or `Display`, `i128`, bytes, …) value, formatted once: recorded through `record_debug` with
    /// the same text, which is what the wrapped layer would have made of it.
    Debug(DisplayValue<String>),
}

impl Owned {
    fn as_value(&self) -> Option<&dyn Value> {
        Some(match self {
            Owned::Absent => return None,
            Owned::Bool(v) => v,
            Owned::I64(v) => v,
            Owned::U64(v) => v,
            Owned::F64(v) => v,
            Owned::Str(v) => v,
            Owned::Debug(v) => v,
        })
    }
}

struct Copy<'a>(&'a mut [Owned]);

impl Copy<'_> {
    fn set(&mut self, field: &Field, value: Owned) {
        if let Some(slot) = self.0.get_mut(field.index()) {
            *slot = value;
        }
    }
}

impl Visit for Copy<'_> {
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.set(field, Owned::Bool(value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.set(field, Owned::I64(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.set(field, i64::try_from(value).map_or(Owned::U64(value), Owned::I64));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.set(field, Owned::F64(value));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.set(field, Owned::Str(value.to_owned()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.set(field, Owned::Debug(tracing::field::display(format!("{value:?}"))));
    }
}

/// Calls `f` with the values `record` visits, converted, as a `ValueSet` of `fields`.
fn with_converted<R>(
    fields: &FieldSet,
    record: impl FnOnce(&mut dyn Visit),
    f: impl for<'v> FnOnce(&ValueSet<'v>) -> R,
) -> R {
    let mut owned: Vec<Owned> = (0..fields.len()).map(|_| Owned::Absent).collect();
    record(&mut Copy(&mut owned));
    let values: Vec<Option<&dyn Value>> = owned.iter().map(Owned::as_value).collect();
    // `value_set_all` (doc-hidden, what tracing's own macros call since 0.1.41) takes one value per field of the
    // set, in order: exactly what `owned` is.
    f(&fields.value_set_all(&values))
}

impl<S, L> Layer<S> for U64Fields<L>
where
    S: Subscriber + for<'lookup> LookupSpan<'lookup>,
    L: Layer<S>,
{
    fn on_register_dispatch(&self, subscriber: &Dispatch) {
        self.inner.on_register_dispatch(subscriber);
    }

    fn on_layer(&mut self, subscriber: &mut S) {
        self.inner.on_layer(subscriber);
    }

    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        self.inner.register_callsite(metadata)
    }

    fn enabled(&self, metadata: &Metadata<'_>, ctx: Context<'_, S>) -> bool {
        self.inner.enabled(metadata, ctx)
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        self.inner.max_level_hint()
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if !needs_rewrite(|visitor| attrs.record(visitor)) {
            return self.inner.on_new_span(attrs, id, ctx);
        }
        let metadata = attrs.metadata();
        with_converted(
            metadata.fields(),
            |visitor| attrs.record(visitor),
            |values| {
                let converted = match attrs.parent() {
                    Some(parent) => Attributes::child_of(parent.clone(), metadata, values),
                    None if attrs.is_root() => Attributes::new_root(metadata, values),
                    None => Attributes::new(metadata, values),
                };
                self.inner.on_new_span(&converted, id, ctx)
            },
        )
    }

    fn on_record(&self, span: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let metadata = match ctx.metadata(span) {
            Some(metadata) if needs_rewrite(|visitor| values.record(visitor)) => metadata,
            _ => return self.inner.on_record(span, values, ctx),
        };
        with_converted(
            metadata.fields(),
            |visitor| values.record(visitor),
            |converted| self.inner.on_record(span, &Record::new(converted), ctx),
        )
    }

    fn on_follows_from(&self, span: &Id, follows: &Id, ctx: Context<'_, S>) {
        self.inner.on_follows_from(span, follows, ctx);
    }

    fn event_enabled(&self, event: &Event<'_>, ctx: Context<'_, S>) -> bool {
        self.inner.event_enabled(event, ctx)
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        if !needs_rewrite(|visitor| event.record(visitor)) {
            return self.inner.on_event(event, ctx);
        }
        let metadata = event.metadata();
        with_converted(
            metadata.fields(),
            |visitor| event.record(visitor),
            |values| {
                let converted = if event.is_contextual() {
                    Event::new(metadata, values)
                } else {
                    Event::new_child_of(event.parent().cloned(), metadata, values)
                };
                self.inner.on_event(&converted, ctx)
            },
        )
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        self.inner.on_enter(id, ctx);
    }

    fn on_exit(&self, id: &Id, ctx: Context<'_, S>) {
        self.inner.on_exit(id, ctx);
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        self.inner.on_close(id, ctx);
    }

    fn on_id_change(&self, old: &Id, new: &Id, ctx: Context<'_, S>) {
        self.inner.on_id_change(old, new, ctx);
    }

    // SAFETY: the pointer returned for `Self` is to `self`, of that type; every other type is the wrapped
    // layer's answer, under its own contract.
    unsafe fn downcast_raw(&self, id: TypeId) -> Option<*const ()> {
        if id == TypeId::of::<Self>() {
            Some(self as *const Self as *const ())
        } else {
            // SAFETY: forwarded as is; the caller's contract is the same.
            unsafe { self.inner.downcast_raw(id) }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{Capture, Value};
    use opentelemetry::trace::TraceContextExt as _;
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;

    /// `OpenTelemetrySpanExt` downcasts the subscriber to tracing-opentelemetry's layer: through the wrapper too.
    #[test]
    fn the_span_extension_still_finds_the_wrapped_layer() {
        let capture = Capture::new();
        capture.in_scope(|| {
            let span = tracing::info_span!("ext", n = 1u64);
            span.set_attribute("added", 5i64);
            assert!(span.context().span().span_context().is_valid());
        });
        let span = capture.span("ext");
        assert_eq!(span.attribute("added"), Some(&Value::I64(5)));
        assert_eq!(span.attribute("n"), Some(&Value::I64(1)));
    }

    /// The documented exception: beside an error value, the set is handed on unchanged.
    #[test]
    fn a_field_set_with_an_error_value_is_passed_unchanged() {
        let capture = Capture::new();
        let error = std::io::Error::other("disk full");
        capture.in_scope(|| {
            tracing::info_span!("io", bytes = 3u64, error = &error as &(dyn std::error::Error + 'static))
                .in_scope(|| {})
        });
        let span = capture.span("io");
        assert_eq!(span.attribute("bytes"), Some(&Value::from("3")));
        assert!(span.attribute("error").is_some(), "{:?}", span.attributes);
    }
}
