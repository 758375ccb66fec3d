//! rotel's detailed debug dumps of logs and metrics (`--debug-log logs --debug-log metrics
//! --debug-log-verbosity detailed`), parsed into [`RotelLogRecord`] and [`RotelMetric`]. A log dump reads:
//!
//! ```text
//! ResourceLog #0
//! Resource attributes:
//!      -> service.name: Str(svc)
//! ScopeLogs #0
//! InstrumentationScope otel-testkit 0.1.0
//! LogRecord #0
//! ObservedTimestamp: 1796078873796138194
//! Timestamp: 1796078873796138194
//! SeverityText: INFO
//! SeverityNumber: SEVERITY_NUMBER_INFO(9)
//! Body: Str(grpc body)
//! Attributes:
//!      -> index: Int(0)
//!     Trace ID       : d7956902ecbb1e21a93df73e2315e6dd
//!     Span ID        : 0608b29e54eab814
//! Flags: 1
//! ```
//!
//! and a metric dump (`ResourceMetrics #0`, `ScopeMetrics #0` as above, then per metric):
//!
//! ```text
//! Metric #0
//! Descriptor:
//!      -> Name: sample.requests
//!      -> Description: requests served
//!      -> Unit: 1
//!      -> DataType: Sum
//!      -> IsMonotonic: true
//!      -> AggregationTemporality: AGGREGATION_TEMPORALITY_CUMULATIVE
//! NumberDataPoints #0
//! Data point attributes:
//!      -> route: Str(/a)
//! StartTimestamp: 1796078872798905412
//! Timestamp: 1796078873798905412
//! Value: 42
//! HistogramDataPoints #0
//! Count: 3
//! Sum: 6.5
//! Min: 0.5
//! Max: 4
//! ExplicitBounds #0: 1
//! Buckets #0, Count: 1
//! Buckets #1, Count: 2
//! ```

use super::unwrap_value;
use crate::metric::{MetricKind, Temporality};
use std::collections::BTreeMap;

/// A log record as rotel's detailed debug log printed it (see [`Rotel::logs`](crate::Rotel::logs)).
///
/// Attribute values and the body are unwrapped from rotel's notation (`Str(demo)` → `demo`, `Int(5)` → `5`, ...),
/// as for [`RotelSpan`](crate::RotelSpan).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RotelLogRecord {
    /// The body (empty when none was printed).
    pub body: String,
    /// The severity text (`INFO`, ...; empty when none).
    pub severity_text: String,
    /// The severity number's name as printed: `SEVERITY_NUMBER_INFO`, ... (empty when not printed).
    pub severity: String,
    /// The severity number (9 for INFO, 17 for ERROR; 0 when unspecified or not printed).
    pub severity_number: i32,
    /// The trace id, hex (empty when none).
    pub trace_id: String,
    /// The span id, hex (empty when none).
    pub span_id: String,
    /// The time of the event, nanoseconds since the Unix epoch (0 when unknown).
    pub time_unix_nano: u64,
    /// The record's attributes.
    pub attributes: BTreeMap<String, String>,
    /// The attributes of the resource it came with.
    pub resource: BTreeMap<String, String>,
    /// The instrumentation scope line as printed after `InstrumentationScope` (name, then version if any).
    pub scope: String,
}

impl RotelLogRecord {
    /// The value of record attribute `key`, if printed.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes.get(key).map(String::as_str)
    }
}

/// A metric as rotel's detailed debug log printed it (see [`Rotel::metrics`](crate::Rotel::metrics)): one per
/// metric per export.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RotelMetric {
    /// The metric's name.
    pub name: String,
    /// Its description (empty when none).
    pub description: String,
    /// Its unit (empty when none).
    pub unit: String,
    /// The data type as printed: `Sum`, `Gauge`, `Histogram`, `ExponentialHistogram`, `Summary`, or `Empty`
    /// when rotel decoded no data (see [`Rotel::metrics`](crate::Rotel::metrics) on OTLP/JSON).
    pub data_type: String,
    /// `IsMonotonic`, printed for sums only.
    pub monotonic: Option<bool>,
    /// The aggregation temporality, printed for sums and histograms.
    pub temporality: Option<Temporality>,
    /// The data points, in order.
    pub data_points: Vec<RotelDataPoint>,
    /// The attributes of the resource it came with.
    pub resource: BTreeMap<String, String>,
    /// The instrumentation scope line as printed after `InstrumentationScope` (name, then version if any).
    pub scope: String,
}

impl RotelMetric {
    /// The data type as a [`MetricKind`] (`None` for a type this parser does not know).
    pub fn kind(&self) -> Option<MetricKind> {
        Some(match self.data_type.as_str() {
            "Sum" => MetricKind::Sum,
            "Gauge" => MetricKind::Gauge,
            "Histogram" => MetricKind::Histogram,
            "ExponentialHistogram" => MetricKind::ExponentialHistogram,
            "Summary" => MetricKind::Summary,
            "Empty" => MetricKind::Empty,
            _ => return None,
        })
    }

    /// The first data point whose attribute `key` is `value`.
    pub fn point_with(&self, key: &str, value: &str) -> Option<&RotelDataPoint> {
        self.data_points.iter().find(|p| p.attributes.get(key).map(String::as_str) == Some(value))
    }
}

/// A data point as rotel printed it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RotelDataPoint {
    /// The point's attributes.
    pub attributes: BTreeMap<String, String>,
    /// The value of a sum or gauge point, as printed (`42`, `21.5`); `None` when rotel printed none.
    pub value: Option<String>,
    /// A histogram's (or summary's) count.
    pub count: Option<u64>,
    /// A histogram's (or summary's) sum.
    pub sum: Option<f64>,
    /// A histogram's minimum.
    pub min: Option<f64>,
    /// A histogram's maximum.
    pub max: Option<f64>,
    /// A histogram's bucket bounds (`ExplicitBounds #i`).
    pub explicit_bounds: Vec<f64>,
    /// A histogram's bucket counts (`Buckets #i, Count`).
    pub bucket_counts: Vec<u64>,
    /// The end of the time the point covers, nanoseconds since the Unix epoch.
    pub time_unix_nano: u64,
}

impl RotelDataPoint {
    /// [`RotelDataPoint::value`] as a number.
    pub fn value_f64(&self) -> Option<f64> {
        self.value.as_deref().and_then(|v| v.parse().ok())
    }
}

/// How many log records and data points one output line reports: for a basic `Received logs. ... logs=N` line,
/// `(N, 0)`; for `Received metrics. ... metrics=N` (rotel counts data points there), `(0, N)`; for a detailed
/// `LogRecord #K` header, `(1, 0)`; for a `...DataPoints #K` header, `(0, 1)`.
pub(super) fn logs_and_points_in_line(line: &str) -> (usize, usize) {
    let field = |name: &str| -> usize {
        line.split_whitespace().find_map(|word| word.strip_prefix(name)).and_then(|n| n.parse().ok()).unwrap_or(0)
    };
    if line.starts_with("LogRecord #") {
        (1, 0)
    } else if is_point_header(line) {
        (0, 1)
    } else if line.contains("Received logs") {
        (field("logs="), 0)
    } else if line.contains("Received metrics") {
        (0, field("metrics="))
    } else {
        (0, 0)
    }
}

/// `NumberDataPoints #0`, `HistogramDataPoints #3`, ...
fn is_point_header(line: &str) -> bool {
    line.split_once("DataPoints #").is_some_and(|(kind, _)| !kind.is_empty() && kind.chars().all(char::is_alphabetic))
}

/// An `-> key: value` line's key and value (the value empty when nothing follows the colon).
fn arrow(trimmed: &str) -> Option<(&str, &str)> {
    let kv = trimmed.strip_prefix("-> ")?;
    kv.split_once(": ").or_else(|| kv.strip_suffix(':').map(|k| (k, "")))
}

/// A `Name: value` line's name and value.
fn field(line: &str) -> Option<(&str, &str)> {
    let (name, value) = line.split_once(':')?;
    Some((name.trim(), value.trim()))
}

#[derive(Clone, Copy, PartialEq)]
enum Section {
    Other,
    Resource,
    Log,
    LogAttributes,
    Descriptor,
    Point,
    PointAttributes,
}

/// What both parsers track: the current resource, scope and section.
struct Context {
    resource: BTreeMap<String, String>,
    scope: String,
    section: Section,
}

impl Context {
    /// Handles the lines common to every dump; true when `line` was one of them.
    fn common(&mut self, line: &str) -> bool {
        if line.starts_with("ResourceSpans #")
            || line.starts_with("ResourceLog #")
            || line.starts_with("ResourceMetrics #")
        {
            self.resource.clear();
            self.scope.clear();
            self.section = Section::Other;
        } else if line.starts_with("Resource attributes:") {
            self.section = Section::Resource;
        } else if let Some(rest) = line.strip_prefix("InstrumentationScope") {
            self.scope = rest.trim().to_string();
            self.section = Section::Other;
        } else if self.section == Section::Resource {
            match arrow(line.trim()) {
                Some((key, value)) => {
                    self.resource.insert(key.to_string(), unwrap_value(value));
                }
                None => {
                    self.section = Section::Other;
                    return false;
                }
            }
        } else {
            return false;
        }
        true
    }
}

/// The log records of rotel's detailed dumps in `output`, in the order printed.
pub(super) fn parse_logs(output: &str) -> Vec<RotelLogRecord> {
    let mut context = Context { resource: BTreeMap::new(), scope: String::new(), section: Section::Other };
    let mut logs: Vec<RotelLogRecord> = Vec::new();
    for line in output.lines() {
        if context.common(line) {
            continue;
        }
        if line.starts_with("LogRecord #") {
            logs.push(RotelLogRecord {
                resource: context.resource.clone(),
                scope: context.scope.clone(),
                ..RotelLogRecord::default()
            });
            context.section = Section::Log;
            continue;
        }
        if !matches!(context.section, Section::Log | Section::LogAttributes) {
            continue;
        }
        let Some(log) = logs.last_mut() else { continue };
        let trimmed = line.trim();
        if let Some((key, value)) = arrow(trimmed).filter(|_| context.section == Section::LogAttributes) {
            log.attributes.insert(key.to_string(), unwrap_value(value));
            continue;
        }
        if line == "Attributes:" {
            context.section = Section::LogAttributes;
            continue;
        }
        let Some((name, value)) = field(line) else {
            context.section = Section::Other;
            continue;
        };
        match name {
            "Trace ID" => log.trace_id = value.to_string(),
            "Span ID" => log.span_id = value.to_string(),
            "Timestamp" => log.time_unix_nano = value.parse().unwrap_or(0),
            "SeverityText" => log.severity_text = value.to_string(),
            "SeverityNumber" => {
                // `SEVERITY_NUMBER_INFO(9)`
                let (name, number) = value.split_once('(').unwrap_or((value, ""));
                log.severity = name.to_string();
                log.severity_number = number.trim_end_matches(')').parse().unwrap_or(0);
            }
            "Body" => {
                // The body may hold colons: take everything after the first `Body: `.
                let body = line.split_once("Body:").map_or("", |(_, b)| b.strip_prefix(' ').unwrap_or(b));
                log.body = unwrap_value(body);
            }
            "ObservedTimestamp" | "Flags" | "EventName" | "DroppedAttributesCount" => {}
            _ => context.section = Section::Other,
        }
        // The span's id lines are indented; any other line ends the attribute list.
        if context.section == Section::LogAttributes && !line.starts_with(' ') {
            context.section = Section::Log;
        }
    }
    logs
}

/// The metrics of rotel's detailed dumps in `output`, in the order printed.
pub(super) fn parse_metrics(output: &str) -> Vec<RotelMetric> {
    let mut context = Context { resource: BTreeMap::new(), scope: String::new(), section: Section::Other };
    let mut metrics: Vec<RotelMetric> = Vec::new();
    for line in output.lines() {
        if context.common(line) {
            continue;
        }
        if line.starts_with("Metric #") {
            metrics.push(RotelMetric {
                resource: context.resource.clone(),
                scope: context.scope.clone(),
                ..RotelMetric::default()
            });
            context.section = Section::Other;
            continue;
        }
        let Some(metric) = metrics.last_mut() else { continue };
        if line == "Descriptor:" {
            context.section = Section::Descriptor;
            continue;
        }
        if is_point_header(line) {
            metric.data_points.push(RotelDataPoint::default());
            context.section = Section::Point;
            continue;
        }
        let trimmed = line.trim();
        match context.section {
            Section::Descriptor => {
                let Some((key, value)) = arrow(trimmed) else {
                    context.section = Section::Other;
                    continue;
                };
                match key {
                    "Name" => metric.name = value.to_string(),
                    "Description" => metric.description = value.to_string(),
                    "Unit" => metric.unit = value.to_string(),
                    "DataType" => metric.data_type = value.to_string(),
                    "IsMonotonic" => metric.monotonic = value.parse().ok(),
                    "AggregationTemporality" => {
                        metric.temporality = Some(match value {
                            "AGGREGATION_TEMPORALITY_CUMULATIVE" => Temporality::Cumulative,
                            "AGGREGATION_TEMPORALITY_DELTA" => Temporality::Delta,
                            _ => Temporality::Unspecified(0),
                        })
                    }
                    _ => {}
                }
            }
            Section::Point | Section::PointAttributes => {
                let Some(point) = metric.data_points.last_mut() else { continue };
                if line == "Data point attributes:" {
                    context.section = Section::PointAttributes;
                    continue;
                }
                if let Some((key, value)) = arrow(trimmed).filter(|_| context.section == Section::PointAttributes) {
                    point.attributes.insert(key.to_string(), unwrap_value(value));
                    continue;
                }
                context.section = Section::Point;
                let Some((name, value)) = field(line) else { continue };
                match name {
                    "Value" => point.value = Some(value.to_string()),
                    "Count" => point.count = value.parse().ok(),
                    "Sum" => point.sum = value.parse().ok(),
                    "Min" => point.min = value.parse().ok(),
                    "Max" => point.max = value.parse().ok(),
                    "Timestamp" => point.time_unix_nano = value.parse().unwrap_or(0),
                    _ if name.starts_with("ExplicitBounds #") => {
                        point.explicit_bounds.extend(value.parse::<f64>().ok())
                    }
                    // `Buckets #1, Count: 2`
                    _ if name.starts_with("Buckets #") => {
                        let count = line.rsplit_once("Count:").and_then(|(_, c)| c.trim().parse::<u64>().ok());
                        point.bucket_counts.extend(count);
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    metrics
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_log_and_point_lines() {
        let basic = r#"2026-11-30T22:37:16.178940Z  INFO Received logs. data_type="logs" resource_logs=1 logs=2"#;
        assert_eq!(logs_and_points_in_line(basic), (2, 0));
        let basic = r#"2026-11-30T22:37:16Z  INFO Received metrics. data_type="metrics" resource_metrics=1 metrics=4"#;
        assert_eq!(logs_and_points_in_line(basic), (0, 4));
        assert_eq!(logs_and_points_in_line("LogRecord #3"), (1, 0));
        assert_eq!(logs_and_points_in_line("HistogramDataPoints #0"), (0, 1));
        assert_eq!(logs_and_points_in_line("NumberDataPoints #12"), (0, 1));
        assert_eq!(logs_and_points_in_line("Body: Str(NumberDataPoints #1)"), (0, 0));
        assert_eq!(logs_and_points_in_line("Span #1"), (0, 0));
    }

    #[test]
    fn a_body_with_colons_and_an_empty_description_are_read() {
        let dump = "ResourceLog #0\nResource attributes:\n     -> service.name: Str(svc)\nScopeLogs #0\n\
                    InstrumentationScope s\nLogRecord #0\nSeverityNumber: SEVERITY_NUMBER_WARN(13)\n\
                    Body: Str(a: b: c)\n    Trace ID       : \n    Span ID        : \nFlags: 0\n\
                    ResourceMetrics #0\nScopeMetrics #0\nInstrumentationScope m \nMetric #0\nDescriptor:\n\
                    \x20    -> Name: up\n     -> Description: \n     -> DataType: Gauge\nNumberDataPoints #0\n\
                    Timestamp: 5\nValue: -1.5\n";
        let logs = parse_logs(dump);
        assert_eq!(logs.len(), 1);
        assert_eq!(logs[0].body, "a: b: c");
        assert_eq!((logs[0].severity.as_str(), logs[0].severity_number), ("SEVERITY_NUMBER_WARN", 13));
        assert_eq!(logs[0].trace_id, "");
        assert_eq!(logs[0].resource.get("service.name").map(String::as_str), Some("svc"));
        let metrics = parse_metrics(dump);
        assert_eq!(metrics.len(), 1);
        assert_eq!((metrics[0].name.as_str(), metrics[0].description.as_str()), ("up", ""));
        assert_eq!(metrics[0].kind(), Some(MetricKind::Gauge));
        assert!(metrics[0].resource.is_empty(), "the metric dump's resource has no attributes");
        assert_eq!(metrics[0].data_points[0].value_f64(), Some(-1.5));
        assert_eq!(metrics[0].data_points[0].time_unix_nano, 5);
    }
}
