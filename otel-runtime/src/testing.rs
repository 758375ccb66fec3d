//! `otel::testing`: otel's `tracing` layers over an in-memory capture, for one test alone. The documentation
//! (isolation and its limits) is the facade's, `otel::testing`, where `#[otel::test]` is.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use opentelemetry::logs::AnyValue;
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::InstrumentationScope;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::logs::{LogProcessor, SdkLogRecord, SdkLoggerProvider};
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData, ResourceMetrics};
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider, Temporality};
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanProcessor};

use crate::entry::Flavor;
// A panicking test thread must not hide what was captured from the assertions of another.
use crate::sync::LockUnpoisoned;

/// An attribute's value (`Value::I64(3)`, `Value::String("GET".into())`, …), as compared in assertions.
pub use opentelemetry::Value;

/// A span's status: `Unset`, `Ok`, or `Error { description }`.
pub use opentelemetry::trace::Status;

/// A trace id (16 bytes; `Display` is the hex form the backends show).
pub use opentelemetry::trace::TraceId;

/// A span id (8 bytes; `Display` is the hex form).
pub use opentelemetry::trace::SpanId;

/// A span's kind (`Internal` unless `otel.kind` says otherwise).
pub use opentelemetry::trace::SpanKind;

/// What one test's instrumentation produced: finished spans, log records and metrics, read at any point of the
/// test. `#[otel::test]` passes one to a test that takes it as its argument; [`Capture::new`] and
/// [`Capture::in_scope`] do the same by hand. Clones share the capture.
///
/// ```
/// # use otel_runtime as otel;
/// let otel = otel::testing::Capture::new();
/// otel.in_scope(|| tracing::info_span!("request").in_scope(|| tracing::info!("handled")));
/// assert_eq!(otel.span("request").events[0].name, "handled");
/// assert_eq!(otel.logs()[0].body, "handled");
/// ```
#[derive(Clone)]
pub struct Capture {
    store: Arc<Store>,
    dispatch: tracing::Dispatch,
    // Kept for their lifetime: dropping the last clone shuts them down.
    _tracer: Arc<SdkTracerProvider>,
    _logger: Arc<SdkLoggerProvider>,
    meter: Arc<SdkMeterProvider>,
}

impl std::fmt::Debug for Capture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Capture")
            .field("spans", &self.store.spans.lock_unpoisoned().len())
            .field("logs", &self.store.logs.lock_unpoisoned().len())
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
struct Store {
    spans: Mutex<Vec<SpanData>>,
    logs: Mutex<Vec<SdkLogRecord>>,
    metrics: Mutex<Vec<CapturedMetric>>,
}

impl Default for Capture {
    fn default() -> Self {
        Self::new()
    }
}

impl Capture {
    /// A new, empty capture, installed nowhere yet: run code under it with [`Capture::in_scope`].
    ///
    /// ```
    /// # use otel_runtime as otel;
    /// let otel = otel::testing::Capture::new();
    /// tracing::info_span!("outside").in_scope(|| {}); // not under the capture: not captured
    /// assert!(otel.spans().is_empty());
    /// ```
    pub fn new() -> Self {
        let store = Arc::new(Store::default());
        let tracer = SdkTracerProvider::builder().with_span_processor(SpanCollector(store.clone())).build();
        let logger = SdkLoggerProvider::builder().with_log_processor(LogCollector(store.clone())).build();
        // Collected when the test asks (`metrics()` flushes), cumulative: each collection is the whole state.
        let reader =
            PeriodicReader::builder(MetricCollector(store.clone())).with_interval(Duration::from_secs(3600)).build();
        let meter = SdkMeterProvider::builder().with_reader(reader).build();
        let mut config = otel_config::Config::default();
        config.fmt.format = otel_config::FmtFormat::Off;
        config.fmt.filter = "trace,opentelemetry=off,opentelemetry_sdk=off,tracing_opentelemetry=off".to_string();
        let dispatch = crate::subscriber::build(&config, &tracer, Some(&logger), Some(&meter));
        Capture { store, dispatch, _tracer: Arc::new(tracer), _logger: Arc::new(logger), meter: Arc::new(meter) }
    }

    /// Runs `f` with this capture as the thread's `tracing` dispatcher (and nothing else's).
    ///
    /// ```
    /// let capture = otel_runtime::testing::Capture::new();
    /// capture.in_scope(|| tracing::info_span!("job").in_scope(|| {}));
    /// assert_eq!(capture.spans().len(), 1);
    /// ```
    pub fn in_scope<R>(&self, f: impl FnOnce() -> R) -> R {
        tracing::dispatcher::with_default(&self.dispatch, f)
    }

    /// Every finished span so far, in the order they ended (children before their parent). A span still open
    /// is not there yet.
    ///
    /// ```
    /// # use otel_runtime as otel;
    /// let otel = otel::testing::Capture::new();
    /// otel.in_scope(|| tracing::info_span!("parent").in_scope(|| tracing::info_span!("child").in_scope(|| {})));
    /// let names: Vec<String> = otel.spans().into_iter().map(|span| span.name).collect();
    /// assert_eq!(names, ["child", "parent"]);
    /// ```
    pub fn spans(&self) -> Vec<CapturedSpan> {
        self.store.spans.lock_unpoisoned().iter().map(CapturedSpan::from).collect()
    }

    /// The one finished span named `name`.
    ///
    /// # Panics
    ///
    /// When there is none, or more than one: the message lists the finished spans' names.
    ///
    /// ```
    /// # use otel_runtime as otel;
    /// let otel = otel::testing::Capture::new();
    /// otel.in_scope(|| tracing::info_span!("lookup", rows = 3u64).in_scope(|| {}));
    /// assert_eq!(otel.span("lookup").attribute("rows"), Some(&otel::testing::Value::I64(3)));
    /// ```
    #[track_caller]
    pub fn span(&self, name: &str) -> CapturedSpan {
        let spans = self.spans();
        let mut named = spans.iter().filter(|span| span.name == name);
        match (named.next(), named.next()) {
            (Some(span), None) => span.clone(),
            (found, _) => {
                let names: Vec<&str> = spans.iter().map(|span| span.name.as_str()).collect();
                let what = if found.is_some() { "more than one" } else { "no" };
                panic!("otel::testing: {what} finished span named {name:?}; the finished spans: {names:?}")
            }
        }
    }

    /// Every log record so far (each `tracing` event that passed the filter), in order.
    ///
    /// ```
    /// # use otel_runtime as otel;
    /// let otel = otel::testing::Capture::new();
    /// otel.in_scope(|| tracing::warn!(attempt = 2, "retrying"));
    /// let log = &otel.logs()[0];
    /// assert_eq!((log.body.as_str(), log.severity.as_str()), ("retrying", "WARN"));
    /// assert_eq!(log.span_id, None); // outside any span
    /// ```
    pub fn logs(&self) -> Vec<CapturedLog> {
        self.store.logs.lock_unpoisoned().iter().map(CapturedLog::from).collect()
    }

    /// Every metric data point now: collects first (cumulative, so a counter shows its total). Instruments of
    /// [`Capture::meter`] and the metrics layer's event fields (`counter.requests = 1`) are captured; the global
    /// meter provider's are not.
    ///
    /// ```
    /// # use otel_runtime as otel;
    /// use otel::testing::MetricValue;
    /// let otel = otel::testing::Capture::new();
    /// otel.meter("shop").u64_counter("orders").build().add(2, &[]);
    /// otel.in_scope(|| tracing::info!(monotonic_counter.logins = 1u64, "logged in"));
    /// let metrics = otel.metrics();
    /// let value = |name: &str| metrics.iter().find(|m| m.name == name).map(|m| m.value.clone());
    /// assert_eq!(value("orders"), Some(MetricValue::U64(2)));
    /// assert_eq!(value("logins"), Some(MetricValue::U64(1)));
    /// ```
    pub fn metrics(&self) -> Vec<CapturedMetric> {
        // The reader collects and calls our exporter before `force_flush` returns.
        let _ = self.meter.force_flush();
        self.store.metrics.lock_unpoisoned().clone()
    }

    /// A meter of this capture's meter provider, to hand to the code under test instead of the global one.
    ///
    /// ```
    /// # use otel_runtime as otel;
    /// let otel = otel::testing::Capture::new();
    /// let meter = otel.meter("shop"); // where the application would call `otel::meter("shop")`
    /// meter.f64_histogram("checkout.duration").build().record(0.25, &[]);
    /// let metric = &otel.metrics()[0];
    /// assert_eq!(metric.value, otel::testing::MetricValue::Histogram { count: 1, sum: 0.25 });
    /// ```
    pub fn meter(&self, name: &'static str) -> opentelemetry::metrics::Meter {
        self.meter.meter(name)
    }

    /// The capture's `tracing` dispatcher, to install on a thread of your own
    /// (`tracing::dispatcher::with_default(&dispatch, ...)`).
    ///
    /// ```
    /// # use otel_runtime as otel;
    /// let otel = otel::testing::Capture::new();
    /// let dispatch = otel.dispatch();
    /// std::thread::spawn(move || {
    ///     tracing::dispatcher::with_default(&dispatch, || tracing::info_span!("worker").in_scope(|| {}))
    /// })
    /// .join()
    /// .unwrap();
    /// assert_eq!(otel.spans()[0].name, "worker");
    /// ```
    pub fn dispatch(&self) -> tracing::Dispatch {
        self.dispatch.clone()
    }
}

/// A finished span, as [`Capture::spans`] and [`Capture::span`] give it.
///
/// ```
/// # use otel_runtime as otel;
/// use otel::testing::{Capture, SpanKind, Status};
/// let otel = Capture::new();
/// otel.in_scope(|| {
///     tracing::info_span!("call", otel.kind = "client", otel.status_code = "error").in_scope(|| {});
/// });
/// let span = otel.span("call");
/// assert_eq!(span.kind, SpanKind::Client);
/// assert!(matches!(span.status, Status::Error { .. }));
/// assert_eq!(span.parent_span_id, None);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct CapturedSpan {
    /// Its name (`otel.name` when set, else the `tracing` span's name).
    pub name: String,
    /// Its trace.
    pub trace_id: TraceId,
    /// Its id.
    pub span_id: SpanId,
    /// Its parent's id; `None` for a root span.
    pub parent_span_id: Option<SpanId>,
    /// Its kind.
    pub kind: SpanKind,
    /// Its attributes, in the order they were set (the layer's own, such as `code.file.path`, included).
    pub attributes: Vec<opentelemetry::KeyValue>,
    /// Its status.
    pub status: Status,
    /// Its events (the `tracing` events inside it), in order.
    pub events: Vec<CapturedEvent>,
}

impl CapturedSpan {
    /// The value of the attribute `key` (the last one set, if set twice).
    ///
    /// ```
    /// # use otel_runtime as otel;
    /// let otel = otel::testing::Capture::new();
    /// otel.in_scope(|| {
    ///     let span = tracing::info_span!("query", table = "tasks", rows = tracing::field::Empty);
    ///     span.record("rows", 12u64);
    /// });
    /// let span = otel.span("query");
    /// assert_eq!(span.attribute("table"), Some(&otel::testing::Value::from("tasks")));
    /// assert_eq!(span.attribute("rows"), Some(&otel::testing::Value::I64(12)));
    /// assert_eq!(span.attribute("missing"), None);
    /// ```
    pub fn attribute(&self, key: &str) -> Option<&Value> {
        attribute(&self.attributes, key)
    }
}

fn attribute<'a>(attributes: &'a [opentelemetry::KeyValue], key: &str) -> Option<&'a Value> {
    attributes.iter().rev().find(|kv| kv.key.as_str() == key).map(|kv| &kv.value)
}

impl From<&SpanData> for CapturedSpan {
    fn from(span: &SpanData) -> Self {
        CapturedSpan {
            name: span.name.to_string(),
            trace_id: span.span_context.trace_id(),
            span_id: span.span_context.span_id(),
            parent_span_id: (span.parent_span_id != SpanId::INVALID).then_some(span.parent_span_id),
            kind: span.span_kind.clone(),
            attributes: span.attributes.clone(),
            status: span.status.clone(),
            events: span
                .events
                .iter()
                .map(|event| CapturedEvent { name: event.name.to_string(), attributes: event.attributes.clone() })
                .collect(),
        }
    }
}

/// An event of a span: a `tracing` event inside it.
///
/// ```
/// # use otel_runtime as otel;
/// let otel = otel::testing::Capture::new();
/// otel.in_scope(|| tracing::info_span!("job").in_scope(|| tracing::info!(items = 4, "batch done")));
/// let event = &otel.span("job").events[0];
/// assert_eq!(event.name, "batch done");
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct CapturedEvent {
    /// Its name: the event's message.
    pub name: String,
    /// Its fields.
    pub attributes: Vec<opentelemetry::KeyValue>,
}

impl CapturedEvent {
    /// The value of the attribute `key`.
    ///
    /// ```
    /// # use otel_runtime as otel;
    /// let otel = otel::testing::Capture::new();
    /// otel.in_scope(|| tracing::info_span!("job").in_scope(|| tracing::info!(items = 4, "batch done")));
    /// assert_eq!(otel.span("job").events[0].attribute("items"), Some(&otel::testing::Value::I64(4)));
    /// ```
    pub fn attribute(&self, key: &str) -> Option<&Value> {
        attribute(&self.attributes, key)
    }
}

/// A log record: a `tracing` event, as the log bridge exports it.
///
/// ```
/// # use otel_runtime as otel;
/// let otel = otel::testing::Capture::new();
/// otel.in_scope(|| tracing::info_span!("request").in_scope(|| tracing::error!(target: "billing", "declined")));
/// let log = &otel.logs()[0];
/// assert_eq!((log.severity.as_str(), log.target.as_str()), ("ERROR", "billing"));
/// assert_eq!(log.span_id, Some(otel.span("request").span_id));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct CapturedLog {
    /// Its body: the event's message (a non-string body in its `Debug` form).
    pub body: String,
    /// Its severity text (`"INFO"`, …).
    pub severity: String,
    /// The event's target, the record's instrumentation scope.
    pub target: String,
    /// Its attributes: the event's fields, typed as the log bridge types them (integers stay integers).
    pub attributes: Vec<opentelemetry::KeyValue>,
    /// The trace of the span it happened in, if any.
    pub trace_id: Option<TraceId>,
    /// The span it happened in, if any.
    pub span_id: Option<SpanId>,
}

impl CapturedLog {
    /// The value of the attribute `key`.
    ///
    /// ```
    /// # use otel_runtime as otel;
    /// let otel = otel::testing::Capture::new();
    /// otel.in_scope(|| tracing::info!(user = "ada", retries = 2u64, "signed in"));
    /// let log = &otel.logs()[0];
    /// assert_eq!(log.attribute("user"), Some(&otel::testing::Value::from("ada")));
    /// assert_eq!(log.attribute("retries"), Some(&otel::testing::Value::I64(2)));
    /// ```
    pub fn attribute(&self, key: &str) -> Option<&Value> {
        attribute(&self.attributes, key)
    }
}

fn to_value(value: &AnyValue) -> Value {
    match value {
        AnyValue::Int(v) => Value::I64(*v),
        AnyValue::Double(v) => Value::F64(*v),
        AnyValue::String(v) => Value::String(v.clone()),
        AnyValue::Boolean(v) => Value::Bool(*v),
        other => Value::String(format!("{other:?}").into()),
    }
}

impl From<&SdkLogRecord> for CapturedLog {
    fn from(record: &SdkLogRecord) -> Self {
        CapturedLog {
            body: match record.body() {
                Some(AnyValue::String(body)) => body.to_string(),
                Some(other) => format!("{other:?}"),
                None => String::new(),
            },
            severity: record.severity_text().unwrap_or_default().to_string(),
            target: record.target().map(|target| target.to_string()).unwrap_or_default(),
            attributes: record
                .attributes_iter()
                .map(|(key, value)| opentelemetry::KeyValue::new(key.clone(), to_value(value)))
                .collect(),
            trace_id: record.trace_context().map(|cx| cx.trace_id),
            span_id: record.trace_context().map(|cx| cx.span_id),
        }
    }
}

/// A metric data point, as [`Capture::metrics`] gives it.
///
/// ```
/// # use otel_runtime as otel;
/// let otel = otel::testing::Capture::new();
/// let requests = otel.meter("api").i64_up_down_counter("requests.active").build();
/// requests.add(3, &[otel::KeyValue::new("route", "/tasks")]);
/// requests.add(-1, &[otel::KeyValue::new("route", "/tasks")]);
/// let metric = &otel.metrics()[0];
/// assert_eq!((metric.name.as_str(), &metric.value), ("requests.active", &otel::testing::MetricValue::I64(2)));
/// assert_eq!(metric.attributes, [otel::KeyValue::new("route", "/tasks")]);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct CapturedMetric {
    /// The instrument's name.
    pub name: String,
    /// The data point's attributes.
    pub attributes: Vec<opentelemetry::KeyValue>,
    /// Its value.
    pub value: MetricValue,
}

/// A data point's value: a counter's total or a gauge's last value, of the instrument's type; a histogram's
/// count and sum. Match it with a wildcard arm: a new kind of data point is not a breaking change.
///
/// ```
/// # use otel_runtime as otel;
/// use otel::testing::MetricValue;
/// fn as_f64(value: &MetricValue) -> Option<f64> {
///     match value {
///         MetricValue::I64(v) => Some(*v as f64),
///         MetricValue::U64(v) => Some(*v as f64),
///         MetricValue::F64(v) => Some(*v),
///         MetricValue::Histogram { sum, .. } => Some(*sum),
///         _ => None,
///     }
/// }
/// assert_eq!(as_f64(&MetricValue::U64(3)), Some(3.0));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum MetricValue {
    /// An `i64` instrument's value.
    I64(i64),
    /// A `u64` instrument's value.
    U64(u64),
    /// An `f64` instrument's value.
    F64(f64),
    /// A histogram's number of recordings and their sum.
    Histogram {
        /// How many values were recorded.
        count: u64,
        /// Their sum.
        sum: f64,
    },
}

fn points<T: Copy>(
    name: &str,
    data: &MetricData<T>,
    value: impl Fn(T) -> MetricValue,
    as_f64: impl Fn(T) -> f64,
    out: &mut Vec<CapturedMetric>,
) {
    let mut push = |attributes: Vec<opentelemetry::KeyValue>, value: MetricValue| {
        out.push(CapturedMetric { name: name.to_string(), attributes, value })
    };
    match data {
        MetricData::Sum(sum) => {
            sum.data_points().for_each(|p| push(p.attributes().cloned().collect(), value(p.value())))
        }
        MetricData::Gauge(gauge) => {
            gauge.data_points().for_each(|p| push(p.attributes().cloned().collect(), value(p.value())))
        }
        MetricData::Histogram(histogram) => histogram.data_points().for_each(|p| {
            push(p.attributes().cloned().collect(), MetricValue::Histogram { count: p.count(), sum: as_f64(p.sum()) })
        }),
        MetricData::ExponentialHistogram(histogram) => histogram.data_points().for_each(|p| {
            let count = p.count() as u64;
            push(p.attributes().cloned().collect(), MetricValue::Histogram { count, sum: as_f64(p.sum()) })
        }),
    }
}

/// Keeps every finished span.
#[derive(Debug)]
struct SpanCollector(Arc<Store>);

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl SpanProcessor for SpanCollector {
    fn on_start(&self, _span: &mut opentelemetry_sdk::trace::Span, _cx: &opentelemetry::Context) {}

    fn on_end(&self, span: SpanData) {
        self.0.spans.lock_unpoisoned().push(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        Ok(())
    }
}

/// Keeps every log record.
#[derive(Debug)]
struct LogCollector(Arc<Store>);

impl LogProcessor for LogCollector {
    fn emit(&self, record: &mut SdkLogRecord, _scope: &InstrumentationScope) {
        self.0.logs.lock_unpoisoned().push(record.clone());
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        Ok(())
    }
}

/// Keeps the last collection (cumulative: the whole state).
#[derive(Debug)]
struct MetricCollector(Arc<Store>);

impl PushMetricExporter for MetricCollector {
    async fn export(&self, metrics: &ResourceMetrics) -> OTelSdkResult {
        let mut out = Vec::new();
        for metric in metrics.scope_metrics().flat_map(|scope| scope.metrics()) {
            let name = metric.name();
            match metric.data() {
                AggregatedMetrics::I64(data) => points(name, data, MetricValue::I64, |v| v as f64, &mut out),
                AggregatedMetrics::U64(data) => points(name, data, MetricValue::U64, |v| v as f64, &mut out),
                AggregatedMetrics::F64(data) => points(name, data, MetricValue::F64, |v| v, &mut out),
            }
        }
        *self.0.metrics.lock_unpoisoned() = out;
        Ok(())
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        Ok(())
    }

    fn temporality(&self) -> Temporality {
        Temporality::Cumulative
    }
}

thread_local! {
    /// The capture's dispatcher on a thread of the test's runtime, for the thread's lifetime.
    static RUNTIME_THREAD_DEFAULT: std::cell::RefCell<Option<tracing::dispatcher::DefaultGuard>> =
        const { std::cell::RefCell::new(None) };
}

/// `#[otel::test]` on a plain `fn`: runs `test` with a new capture as the thread's dispatcher.
#[doc(hidden)]
pub fn run<R>(test: impl FnOnce(Capture) -> R) -> R {
    let capture = Capture::new();
    capture.in_scope(|| test(capture.clone()))
}

/// `#[otel::test]` on an `async fn`: builds a Tokio runtime of `flavor` (every thread of which gets the
/// capture's dispatcher as it starts) and runs the test's future on it, as `#[tokio::test]` does.
#[doc(hidden)]
pub fn block_on<F: Future>(
    flavor: Flavor,
    worker_threads: Option<usize>,
    test: impl FnOnce(Capture) -> F,
) -> F::Output {
    let capture = Capture::new();
    let mut builder = match flavor {
        Flavor::CurrentThread => tokio::runtime::Builder::new_current_thread(),
        Flavor::MultiThread => {
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            if let Some(threads) = worker_threads {
                builder.worker_threads(threads);
            }
            builder
        }
    };
    let dispatch = capture.dispatch.clone();
    builder
        .enable_all()
        .on_thread_start(move || {
            let guard = tracing::dispatcher::set_default(&dispatch);
            RUNTIME_THREAD_DEFAULT.with(|slot| *slot.borrow_mut() = Some(guard));
        })
        .on_thread_stop(|| RUNTIME_THREAD_DEFAULT.with(|slot| drop(slot.borrow_mut().take())));
    let runtime = builder.build().unwrap_or_else(|e| panic!("otel::test: cannot build the Tokio runtime: {e}"));
    capture.in_scope(|| {
        let output = runtime.block_on(test(capture.clone()));
        // Within the scope: the spans of tasks dropped with the runtime still close into the capture.
        drop(runtime);
        output
    })
}
