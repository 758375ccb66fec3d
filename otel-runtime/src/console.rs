//! The console exporter (`protocol = "console"`, `OTEL_{TRACES,LOGS,METRICS}_EXPORTER=console`): one line per
//! span, log record or data point on standard output.

use crate::export::Retries;
use crate::sink::{Export, ItemBatch, OtlpItem, Sink};
use crate::transport::AttemptOutcome;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use std::time::Duration;

/// Standard output, one line per item.
#[derive(Debug)]
pub(crate) struct ConsoleSink;

impl<I: OtlpItem> Sink<I> for ConsoleSink
where
    I::Request: Printable,
{
    fn export<'a>(&'a self, batch: ItemBatch<I>, retries: Retries<'a>) -> Export<'a> {
        Box::pin(async move {
            let request = I::into_request(batch);
            retries
                .run(|_timeout| {
                    request.print();
                    std::future::ready(AttemptOutcome::Accepted)
                })
                .await
        })
    }
}

/// A request the console exporter prints.
pub(crate) trait Printable {
    /// Writes one line per item on standard output.
    fn print(&self);
}

impl Printable for ExportTraceServiceRequest {
    fn print(&self) {
        print_request(self);
    }
}

impl Printable for ExportLogsServiceRequest {
    fn print(&self) {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        for resource in &self.resource_logs {
            for scope in &resource.scope_logs {
                for record in &scope.log_records {
                    let attributes: Vec<String> = record
                        .attributes
                        .iter()
                        .map(|kv| format!("{}={}", kv.key, any_value(kv.value.as_ref())))
                        .collect();
                    let _ = writeln!(
                        out,
                        "log {} {} trace_id={} span_id={} {}",
                        record.severity_text,
                        any_value(record.body.as_ref()),
                        hex(&record.trace_id),
                        hex(&record.span_id),
                        attributes.join(" ")
                    );
                }
            }
        }
    }
}

impl Printable for ExportMetricsServiceRequest {
    fn print(&self) {
        use opentelemetry_proto::tonic::metrics::v1::metric::Data;
        use opentelemetry_proto::tonic::metrics::v1::number_data_point::Value;
        use std::io::Write;
        let number = |value: &Option<Value>| match value {
            Some(Value::AsDouble(d)) => d.to_string(),
            Some(Value::AsInt(i)) => i.to_string(),
            None => String::new(),
        };
        let mut out = std::io::stdout().lock();
        for resource in &self.resource_metrics {
            for scope in &resource.scope_metrics {
                for metric in &scope.metrics {
                    let values: Vec<String> = match &metric.data {
                        Some(Data::Sum(sum)) => sum.data_points.iter().map(|p| number(&p.value)).collect(),
                        Some(Data::Gauge(gauge)) => gauge.data_points.iter().map(|p| number(&p.value)).collect(),
                        Some(Data::Histogram(histogram)) => histogram
                            .data_points
                            .iter()
                            .map(|p| format!("count={} sum={}", p.count, p.sum.unwrap_or_default()))
                            .collect(),
                        Some(other) => vec![format!("{other:?}")],
                        None => Vec::new(),
                    };
                    let _ = writeln!(out, "metric {} {}", metric.name, values.join(" "));
                }
            }
        }
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
