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

/// splitmix64: a small, seedable generator for the property tests (a seed replays a case).
#[derive(Clone, Debug)]
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    /// The next 64 random bits.
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    /// True `percent` times in a hundred.
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// A duration of `lo..=hi` milliseconds.
    pub(crate) fn ms(&mut self, lo: u64, hi: u64) -> std::time::Duration {
        std::time::Duration::from_millis(self.range(lo, hi))
    }

    /// One of `items`.
    pub(crate) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}
