//! The console sink (`exporter.protocol = "console"`, `OTEL_TRACES_EXPORTER=console`): one line per span on
//! standard output.

use crate::export::Retries;
use crate::sink::{Export, SpanBatch, SpanSink};
use crate::transport::AttemptOutcome;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use std::time::Duration;

/// Standard output, one line per span.
#[derive(Debug)]
pub(crate) struct ConsoleSink;

impl SpanSink for ConsoleSink {
    fn export<'a>(&'a self, batch: SpanBatch, retries: Retries<'a>) -> Export<'a> {
        Box::pin(async move {
            let request = batch.into_request();
            retries
                .run(|_timeout| {
                    print_request(&request);
                    std::future::ready(AttemptOutcome::Accepted)
                })
                .await
        })
    }
}

/// The console exporter's output: one line per span.
fn print_request(request: &ExportTraceServiceRequest) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for resource in &request.resource_spans {
        for scope in &resource.scope_spans {
            for span in &scope.spans {
                let duration = Duration::from_nanos(span.end_time_unix_nano.saturating_sub(span.start_time_unix_nano));
                let attributes: Vec<String> =
                    span.attributes.iter().map(|kv| format!("{}={}", kv.key, any_value(kv.value.as_ref()))).collect();
                let _ = writeln!(
                    out,
                    "span {} trace_id={} span_id={} parent_id={} duration={:?} {}",
                    span.name,
                    hex(&span.trace_id),
                    hex(&span.span_id),
                    hex(&span.parent_span_id),
                    duration,
                    attributes.join(" ")
                );
            }
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn any_value(value: Option<&opentelemetry_proto::tonic::common::v1::AnyValue>) -> String {
    use opentelemetry_proto::tonic::common::v1::any_value::Value;
    match value.and_then(|v| v.value.as_ref()) {
        Some(Value::StringValue(s)) => s.clone(),
        Some(Value::BoolValue(b)) => b.to_string(),
        Some(Value::IntValue(i)) => i.to_string(),
        Some(Value::DoubleValue(d)) => d.to_string(),
        Some(other) => format!("{other:?}"),
        None => String::new(),
    }
}
