//! Logs: every `tracing` event that passes the filter becomes an OTel log record, through
//! opentelemetry-appender-tracing's bridge (severity from the level, body from the message, fields as typed
//! attributes, the target as the scope, and the trace and span id of the span it happened in, which
//! tracing-opentelemetry makes the current OTel context), then through our batch processor ([`Batcher`]) exactly
//! as spans are: the same byte bound, backlog, concurrent exports, retries, accounting and shutdown deadline.

use crate::processor::{attributes_size_of, Batcher};
use crate::sink::{ItemBatch, OtlpItem};
use opentelemetry::logs::AnyValue;
use opentelemetry::InstrumentationScope;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::logs::{LogBatch, LogProcessor, SdkLogRecord};
use opentelemetry_sdk::Resource;
use std::sync::Arc;
use std::time::Duration;
use tracing_subscriber::layer::Context;

/// The libraries our own exports run through. Their events never become log records: were one of them to log
/// on an application thread (the export threads have no subscriber at all), exporting that record could log
/// again — the SDKs' known feedback loop.
pub(crate) const EXPORT_LIBRARIES: &[&str] = &[
    "tonic",
    "hyper",
    "hyper_util",
    "h2",
    "tower",
    "rustls",
    "opentelemetry",
    "opentelemetry_sdk",
    "opentelemetry_otlp",
];

/// Whether an event of `target` may become a log record (see [`EXPORT_LIBRARIES`]).
pub(crate) fn may_become_a_record(target: &str) -> bool {
    !EXPORT_LIBRARIES
        .iter()
        .any(|library| target.strip_prefix(library).is_some_and(|rest| rest.is_empty() || rest.starts_with("::")))
}

/// The log bridge behind the loop guard: an event of one of the [`EXPORT_LIBRARIES`] never reaches it; every
/// other call is forwarded. A wrapper rather than a per-layer filter (`with_filter`): otel adds no per-layer filter
/// of its own for a check that concerns events only (with none in the stack, tracing-subscriber's registry skips
/// its per-span filter bookkeeping; tracing-opentelemetry's metrics layer, when metrics are exported, carries one).
pub(crate) struct LoopGuarded<L>(pub(crate) L);

impl<S: tracing::Subscriber, L: tracing_subscriber::Layer<S>> tracing_subscriber::Layer<S> for LoopGuarded<L> {
    fn on_register_dispatch(&self, subscriber: &tracing::Dispatch) {
        self.0.on_register_dispatch(subscriber);
    }

    fn on_layer(&mut self, subscriber: &mut S) {
        self.0.on_layer(subscriber);
    }

    fn register_callsite(&self, metadata: &'static tracing::Metadata<'static>) -> tracing::subscriber::Interest {
        self.0.register_callsite(metadata)
    }

    fn enabled(&self, metadata: &tracing::Metadata<'_>, ctx: Context<'_, S>) -> bool {
        self.0.enabled(metadata, ctx)
    }

    fn on_new_span(&self, attrs: &tracing::span::Attributes<'_>, id: &tracing::span::Id, ctx: Context<'_, S>) {
        self.0.on_new_span(attrs, id, ctx);
    }

    fn on_record(&self, span: &tracing::span::Id, values: &tracing::span::Record<'_>, ctx: Context<'_, S>) {
        self.0.on_record(span, values, ctx);
    }

    fn on_follows_from(&self, span: &tracing::span::Id, follows: &tracing::span::Id, ctx: Context<'_, S>) {
        self.0.on_follows_from(span, follows, ctx);
    }

    fn event_enabled(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) -> bool {
        self.0.event_enabled(event, ctx)
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) {
        if may_become_a_record(event.metadata().target()) {
            self.0.on_event(event, ctx);
        }
    }

    fn on_enter(&self, id: &tracing::span::Id, ctx: Context<'_, S>) {
        self.0.on_enter(id, ctx);
    }

    fn on_exit(&self, id: &tracing::span::Id, ctx: Context<'_, S>) {
        self.0.on_exit(id, ctx);
    }

    fn on_close(&self, id: tracing::span::Id, ctx: Context<'_, S>) {
        self.0.on_close(id, ctx);
    }

    fn on_id_change(&self, old: &tracing::span::Id, new: &tracing::span::Id, ctx: Context<'_, S>) {
        self.0.on_id_change(old, new, ctx);
    }

    /// # Safety
    /// Forwarded: the wrapper is found as itself, anything else as the wrapped layer finds it.
    unsafe fn downcast_raw(&self, id: std::any::TypeId) -> Option<*const ()> {
        if id == std::any::TypeId::of::<Self>() {
            return Some(self as *const Self as *const ());
        }
        // SAFETY: the wrapped layer's own answer for `id`, as the caller asked.
        unsafe { self.0.downcast_raw(id) }
    }
}

/// One log record and its scope, as the bridge emitted them; boxed, so that the hand-off queue's slots stay small.
#[derive(Debug)]
pub(crate) struct LogItem {
    record: SdkLogRecord,
    scope: InstrumentationScope,
}

impl crate::processor::Item for Box<LogItem> {
    fn estimated_size(&self) -> usize {
        use std::mem::size_of;
        let attributes: usize = self
            .record
            .attributes_iter()
            .map(|(key, value)| size_of::<(opentelemetry::Key, AnyValue)>() + key.as_str().len() + value_size(value))
            .sum();
        let body = self.record.body().map_or(0, value_size);
        size_of::<LogItem>() + body + attributes + attributes_size_of(self.scope.attributes())
    }
}

/// The heap a log value holds (strings and bytes by length, lists and maps by their elements).
fn value_size(value: &AnyValue) -> usize {
    use std::mem::size_of;
    match value {
        AnyValue::String(s) => s.as_str().len(),
        AnyValue::Bytes(bytes) => bytes.len(),
        AnyValue::ListAny(list) => list.iter().map(|v| size_of::<AnyValue>() + value_size(v)).sum(),
        AnyValue::Map(map) => map
            .iter()
            .map(|(k, v)| size_of::<(opentelemetry::Key, AnyValue)>() + k.as_str().len() + value_size(v))
            .sum(),
        _ => 0,
    }
}

impl OtlpItem for Box<LogItem> {
    type Request = ExportLogsServiceRequest;
    fn into_request(batch: ItemBatch<Self>) -> ExportLogsServiceRequest {
        use opentelemetry_proto::transform::logs::tonic::group_logs_by_resource_and_scope;
        let pairs: Vec<(&SdkLogRecord, &InstrumentationScope)> =
            batch.items.iter().map(|item| (&item.record, &item.scope)).collect();
        let logs = LogBatch::new(&pairs);
        ExportLogsServiceRequest { resource_logs: group_logs_by_resource_and_scope(&logs, &batch.resource) }
    }
}

/// The log processor the logger provider calls: a handle on the logs' [`Batcher`].
#[derive(Debug, Clone)]
pub(crate) struct OtelLogProcessor {
    pub(crate) batcher: Arc<Batcher<Box<LogItem>>>,
}

impl LogProcessor for OtelLogProcessor {
    fn emit(&self, record: &mut SdkLogRecord, scope: &InstrumentationScope) {
        // The bridge builds the record on the stack and lends it: ours to keep is a copy (as the SDK's batch
        // processor does).
        self.batcher.offer(Box::new(LogItem { record: record.clone(), scope: scope.clone() }));
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.batcher.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.batcher.shutdown_result(timeout, otel_config::Signal::Logs)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.batcher.set_resource(resource);
    }
}

#[cfg(test)]
mod tests {
    use super::may_become_a_record;

    #[test]
    fn the_export_libraries_events_never_become_log_records() {
        for target in ["tonic", "tonic::transport", "hyper_util::client::legacy", "h2::codec", "opentelemetry_sdk"] {
            assert!(!may_become_a_record(target), "{target}");
        }
        for target in ["app", "tonicity", "hyperion::x", "my_app::tonic", "otel_demo"] {
            assert!(may_become_a_record(target), "{target}");
        }
    }
}
