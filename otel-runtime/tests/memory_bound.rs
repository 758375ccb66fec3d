//! `batch.max_queue_bytes` bounds the memory the pipeline holds, measured: a counting global allocator watches
//! the process while spans with 100 KB attributes pour into a pipeline whose collector never answers.
//!
//! Before the bound was computed from the spans' real sizes, each attribute counted 64 bytes whatever its length,
//! and the hand-off queue (2,048 spans) was outside the bound: this test's 2,000 spans of 100 KB each were all held
//! (≈ 200 MB against a 16 MiB bound).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts the bytes allocated and not yet freed, and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let live = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to the system allocator unchanged; only counters are updated around it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const BOUND: usize = 16 * 1024 * 1024;
const SPANS: usize = 2_000;
const PAYLOAD: usize = 100_000;

#[test]
fn the_memory_held_stays_within_max_queue_bytes_with_100_kb_attributes_and_a_collector_that_never_answers() {
    // A collector that accepts connections and never reads a byte: exports stay in flight, nothing is freed by
    // delivery, so everything the pipeline holds is what the bound lets in.
    let blackhole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", blackhole.local_addr().unwrap());
    let held_open = std::thread::spawn(move || {
        let mut connections = Vec::new();
        while let Ok((stream, _)) = blackhole.accept() {
            connections.push(stream);
        }
    });
    for (name, value) in [
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "60000"),
        ("OTEL_BSP_SCHEDULE_DELAY", "20"),
        ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "16"),
        ("OTEL_TOML_BATCH_MAX_QUEUE_BYTES", &BOUND.to_string()),
        ("OTEL_TOML_FMT_FORMAT", "off"),
        ("OTEL_TOML_SHUTDOWN_TIMEOUT", "1s"),
        ("OTEL_TOML_SHUTDOWN_SUMMARY", "never"),
    ] {
        std::env::set_var(name, value);
    }
    let guard =
        otel_runtime::start(otel_runtime::StartOptions::new().service_name("memory-bound").signals(false)).unwrap();

    let baseline = LIVE.load(Ordering::Relaxed);
    PEAK.store(baseline, Ordering::Relaxed);
    for i in 0..SPANS {
        // A fresh 100 KB string per span, as an application formatting a large field would make.
        let payload = "x".repeat(PAYLOAD);
        let span = tracing::info_span!("big", payload = %payload, i);
        drop(payload);
        span.in_scope(|| {});
    }
    let peak = PEAK.load(Ordering::Relaxed) - baseline;
    let totals = guard.shutdown();

    // The bound, plus what it does not cover: one span being built on this thread (its payload formatted twice:
    // the String, then the attribute), the export runtime's connection buffers, the allocator's bookkeeping.
    let slack = 4 * 1024 * 1024;
    assert!(
        peak <= BOUND + slack,
        "peak {:.1} MiB above the baseline, bound {} MiB",
        peak as f64 / (1024.0 * 1024.0),
        BOUND / (1024 * 1024)
    );
    // Far more was offered than the bound holds: the rest was dropped, and counted.
    assert_eq!(totals.ended, SPANS as u64);
    assert_eq!(totals.ended, totals.exported + totals.failed + totals.dropped, "{totals:?}");
    assert!(totals.dropped >= (SPANS / 2) as u64, "{totals:?}");
    eprintln!("peak {:.1} MiB above the baseline for a {} MiB bound; {totals:?}", peak as f64 / 1048576.0, BOUND >> 20);
    drop(held_open);
}
