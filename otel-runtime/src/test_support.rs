//! What the runtime's unit tests share; compiled for tests only.

use opentelemetry::trace::{SpanId, TraceId};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use std::sync::{Arc, Mutex};

/// A span exporter that keeps every span it is given (clones share them).
#[derive(Clone, Debug, Default)]
pub(crate) struct CollectSpans(Arc<Mutex<Vec<SpanData>>>);

impl SpanExporter for CollectSpans {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        self.0.lock().unwrap().extend(batch);
        Ok(())
    }
}

/// An exported span's ids: (trace id, span id, parent span id).
pub(crate) type Ids = (TraceId, SpanId, SpanId);

impl CollectSpans {
    /// The ids of the span named `name`; panics, listing what was exported, when there is none.
    pub(crate) fn ids(&self, name: &str) -> Ids {
        self.find(name).unwrap_or_else(|| panic!("span {name} not exported: {:?}", self.names()))
    }

    /// The ids of the span named `name`, if it was exported.
    pub(crate) fn find(&self, name: &str) -> Option<Ids> {
        let spans = self.0.lock().unwrap();
        let span = spans.iter().find(|s| s.name == name)?;
        Some((span.span_context.trace_id(), span.span_context.span_id(), span.parent_span_id))
    }

    /// The names of the spans exported, in export order.
    pub(crate) fn names(&self) -> Vec<String> {
        self.0.lock().unwrap().iter().map(|s| s.name.to_string()).collect()
    }
}
