//! Carrying a trace from one service to the next: write the current span's context (and its baggage) into an
//! outgoing request's headers, read it from an incoming request's headers and make it the parent of the span
//! that handles the request. One call each, with the propagators `propagators` configured (`tracecontext`,
//! `baggage`, `b3`, `b3multi`, `xray`), which `#[otel::main]` installs globally at start.
//!
//! The functions for [`http::HeaderMap`] (what hyper, axum, reqwest and tonic share) go through
//! `opentelemetry-http`'s `HeaderInjector`/`HeaderExtractor`; the `_carrier` ones take any [`Injector`] or
//! [`Extractor`] (a `HashMap<String, String>` is both; a message queue's headers need a few lines of impl).
//!
//! ```
//! # use otel_runtime as otel;
//! # // What `#[otel::main]` installs, reduced to the parts propagation uses: the propagators and the layer.
//! # use opentelemetry::trace::TracerProvider as _;
//! # use tracing_subscriber::layer::SubscriberExt as _;
//! # opentelemetry::global::set_text_map_propagator(opentelemetry_sdk::propagation::TraceContextPropagator::new());
//! # let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
//! # let layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("doc"));
//! # let _subscriber = tracing::subscriber::set_default(tracing_subscriber::registry().with(layer));
//! // Calling another service: inside the span of the call.
//! let mut request_headers = otel::propagation::HeaderMap::new();
//! let call = tracing::info_span!("call back");
//! call.in_scope(|| otel::propagation::inject(&mut request_headers));
//! assert!(request_headers["traceparent"].to_str()?.starts_with("00-"));
//!
//! // Serving the request (in the other service): the span that handles it continues the caller's trace.
//! let handle = tracing::info_span!("handle request");
//! otel::propagation::set_parent(&handle, &request_headers)?; // before the span is first entered
//! handle.in_scope(|| tracing::info!("in the caller's trace"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::TraceContextExt as _;
use opentelemetry_http::{HeaderExtractor, HeaderInjector};
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

/// The header map of the `http` crate (1.x), re-exported so that a caller needs no direct dependency on it.
pub use http::HeaderMap;
/// Reading and adding baggage: `Context::current_with_baggage([otel::KeyValue::new("tenant", "acme")])`,
/// `context.baggage().get("tenant")`.
pub use opentelemetry::baggage::BaggageExt;
/// A carrier a context is read from ([`extract_carrier`], [`set_parent_carrier`]).
pub use opentelemetry::propagation::Extractor;
/// A carrier a context is written into ([`inject_carrier`]): implement it for your transport's headers.
pub use opentelemetry::propagation::Injector;
/// An OpenTelemetry context: a span context and the baggage that travel together ([`extract`] returns one).
pub use opentelemetry::Context;
/// Why [`set_parent`] could not give a span its parent: the span was already started (first entered) or is
/// disabled, or no OpenTelemetry layer is installed.
pub use tracing_opentelemetry::SetParentError;

/// Writes the context of the current `tracing` span, with its baggage, into outgoing HTTP headers, in the
/// format of every configured propagator (`traceparent`, `baggage`, `b3`, `X-Amzn-Trace-Id`, …). Outside any
/// span (or before `#[otel::main]` started) it writes what the current OpenTelemetry context holds: nothing,
/// unless baggage was attached.
///
/// ```
/// # use otel_runtime as otel;
/// let mut headers = otel::propagation::HeaderMap::new();
/// tracing::info_span!("call").in_scope(|| otel::propagation::inject(&mut headers));
/// // With `#[otel::main]` running, `headers` now holds `traceparent` (and whatever else is configured).
/// ```
pub fn inject(headers: &mut HeaderMap) {
    inject_carrier(&mut HeaderInjector(headers))
}

/// [`inject`] into any carrier: a `HashMap<String, String>` or your own [`Injector`].
///
/// ```
/// # use otel_runtime as otel;
/// let mut fields = std::collections::HashMap::new();
/// tracing::info_span!("publish").in_scope(|| otel::propagation::inject_carrier(&mut fields));
/// ```
pub fn inject_carrier(carrier: &mut dyn Injector) {
    opentelemetry::global::get_text_map_propagator(|propagator| inject_with(propagator, carrier))
}

/// The context of incoming HTTP headers, per the configured propagators: the caller's span context (remote) and
/// its baggage. Empty when the headers carry none (or none that parses). To make it the parent of a span, use
/// [`set_parent`]; this is for reading baggage or passing the context on by hand.
///
/// ```
/// # use otel_runtime as otel;
/// use otel::propagation::BaggageExt as _;
/// # let headers = otel::propagation::HeaderMap::new();
/// let context = otel::propagation::extract(&headers);
/// let tenant = context.baggage().get("tenant").map(|value| value.to_string());
/// ```
pub fn extract(headers: &HeaderMap) -> Context {
    extract_carrier(&HeaderExtractor(headers))
}

/// [`extract`] from any carrier: a `HashMap<String, String>` or your own [`Extractor`].
///
/// ```
/// # use otel_runtime as otel;
/// use otel::propagation::BaggageExt as _;
/// // A message's headers, as a queue delivers them.
/// let fields: std::collections::HashMap<String, String> = [("baggage".to_string(), "tenant=acme".to_string())].into();
/// let context = otel::propagation::extract_carrier(&fields);
/// // With the pipeline started (and `baggage` among the propagators, the default), this is `Some("acme")`.
/// let tenant = context.baggage().get("tenant").map(|value| value.to_string());
/// # let _ = tenant;
/// ```
pub fn extract_carrier(carrier: &dyn Extractor) -> Context {
    opentelemetry::global::get_text_map_propagator(|propagator| extract_with(propagator, carrier))
}

/// Makes the context carried by incoming HTTP headers the parent of `span`: its trace id, its parent span id
/// and baggage come from the caller. Without a context in the headers, `span` starts a new trace.
///
/// Call it **before the span is first entered** (an `#[instrument]`ed function enters its span at once, so
/// create the span, set its parent, then `.instrument(span)` or `span.in_scope(…)`): a started span's parent
/// cannot change, which is the [`SetParentError::AlreadyStarted`] error.
///
/// ```
/// # use otel_runtime as otel;
/// use tracing::Instrument as _;
/// # async fn handle() {}
/// # async fn serve(headers: otel::propagation::HeaderMap) {
/// let span = tracing::info_span!("GET /work");
/// otel::propagation::set_parent(&span, &headers).ok();
/// handle().instrument(span).await;
/// # }
/// ```
pub fn set_parent(span: &tracing::Span, headers: &HeaderMap) -> Result<(), SetParentError> {
    span.set_parent(extract(headers))
}

/// [`set_parent`] from any carrier: a `HashMap<String, String>` or your own [`Extractor`].
///
/// ```
/// # use otel_runtime as otel;
/// let fields: std::collections::HashMap<String, String> = Default::default(); // a message's headers
/// let span = tracing::info_span!("consume");
/// otel::propagation::set_parent_carrier(&span, &fields).ok();
/// ```
pub fn set_parent_carrier(span: &tracing::Span, carrier: &dyn Extractor) -> Result<(), SetParentError> {
    span.set_parent(extract_carrier(carrier))
}

/// What [`inject`] writes: the current span's context. When the current OpenTelemetry context is that span's
/// (tracing-opentelemetry attaches it while the span is entered), it is used as is, so baggage attached inside
/// the span travels too. Without a recorded span (outside any span, a span filtered out, `OTEL_SDK_DISABLED`)
/// it is the attached context: a caller's context that middleware attached when its own span was filtered out
/// is passed on, so the trace still crosses this service.
fn current_context() -> Context {
    let span = tracing::Span::current().context();
    let attached = Context::current();
    if !span.span().span_context().is_valid() || attached.span().span_context() == span.span().span_context() {
        attached
    } else {
        span
    }
}

/// [`inject_carrier`] with a given propagator (the public functions use the global one `start` installed).
fn inject_with(propagator: &dyn TextMapPropagator, carrier: &mut dyn Injector) {
    propagator.inject_context(&current_context(), carrier)
}

/// [`extract_carrier`] with a given propagator.
fn extract_with(propagator: &dyn TextMapPropagator, carrier: &dyn Extractor) -> Context {
    propagator.extract(carrier)
}

#[cfg(test)]
mod tests;
