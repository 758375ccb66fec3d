//! Flattened, assertion-friendly views of the metrics in an `ExportMetricsServiceRequest`.

use crate::span::attributes;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::metrics::v1::{metric, number_data_point, AggregationTemporality, NumberDataPoint};
use std::collections::BTreeMap;

/// What kind of metric it is (the `data` case of the OTLP `Metric`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MetricKind {
    /// A sum (counter, up-down counter); see [`ReceivedMetric::monotonic`].
    Sum,
    /// A gauge: last values, no temporality.
    Gauge,
    /// An explicit-bucket histogram.
    Histogram,
    /// An exponential histogram.
    ExponentialHistogram,
    /// A summary (legacy; no temporality).
    Summary,
    /// No data at all (the `data` field absent).
    Empty,
}

/// The aggregation temporality of a sum or histogram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Temporality {
    /// Each point covers the time since the previous export.
    Delta,
    /// Each point covers the time since the start.
    Cumulative,
    /// `AGGREGATION_TEMPORALITY_UNSPECIFIED` (0) or a number outside the enumeration, as sent.
    Unspecified(i32),
}

impl Temporality {
    fn from_proto(value: i32) -> Temporality {
        match AggregationTemporality::try_from(value) {
            Ok(AggregationTemporality::Delta) => Temporality::Delta,
            Ok(AggregationTemporality::Cumulative) => Temporality::Cumulative,
            _ => Temporality::Unspecified(value),
        }
    }
}

/// The value of one data point.
#[derive(Clone, Debug, PartialEq)]
pub enum DataPointValue {
    /// A sum or gauge point with an integer value (`as_int`).
    Int(i64),
    /// A sum or gauge point with a floating-point value (`as_double`).
    Double(f64),
    /// A histogram point.
    Histogram {
        /// The number of values recorded.
        count: u64,
        /// Their sum, when sent.
        sum: Option<f64>,
        /// The count of each bucket.
        bucket_counts: Vec<u64>,
        /// The buckets' upper bounds (one fewer than the buckets).
        explicit_bounds: Vec<f64>,
        /// The smallest value, when sent.
        min: Option<f64>,
        /// The largest value, when sent.
        max: Option<f64>,
    },
    /// An exponential-histogram point (its buckets are in the raw request).
    ExponentialHistogram {
        /// The number of values recorded.
        count: u64,
        /// Their sum, when sent.
        sum: Option<f64>,
    },
    /// A summary point (its quantiles are in the raw request).
    Summary {
        /// The number of values recorded.
        count: u64,
        /// Their sum.
        sum: f64,
    },
    /// A sum or gauge point without a value (invalid per the specification, but representable).
    None,
}

/// One data point, with its attributes.
#[derive(Clone, Debug, PartialEq)]
pub struct ReceivedDataPoint {
    /// The point's attributes, values as strings (see [`any_value_to_string`](crate::span::any_value_to_string)).
    pub attributes: BTreeMap<String, String>,
    /// The start of the time the point covers, nanoseconds since the Unix epoch (0 when not sent).
    pub start_time_unix_nano: u64,
    /// The end of the time the point covers (when it was collected), nanoseconds since the Unix epoch.
    pub time_unix_nano: u64,
    /// The value.
    pub value: DataPointValue,
}

impl ReceivedDataPoint {
    /// The value of point attribute `key`, if present.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes.get(key).map(String::as_str)
    }

    /// The value of a sum or gauge point as an `f64` (an integer converted); `None` for histograms and summaries.
    pub fn as_f64(&self) -> Option<f64> {
        match self.value {
            DataPointValue::Int(v) => Some(v as f64),
            DataPointValue::Double(v) => Some(v),
            _ => None,
        }
    }

    /// The value of a sum or gauge point sent as an integer; `None` otherwise (a double is not converted).
    pub fn as_i64(&self) -> Option<i64> {
        match self.value {
            DataPointValue::Int(v) => Some(v),
            _ => None,
        }
    }

    /// The count of a histogram, exponential-histogram or summary point; `None` for sums and gauges.
    pub fn count(&self) -> Option<u64> {
        match self.value {
            DataPointValue::Histogram { count, .. }
            | DataPointValue::ExponentialHistogram { count, .. }
            | DataPointValue::Summary { count, .. } => Some(count),
            _ => None,
        }
    }

    /// The sum of a histogram, exponential-histogram or summary point, when sent; `None` for sums and gauges.
    pub fn sum(&self) -> Option<f64> {
        match self.value {
            DataPointValue::Histogram { sum, .. } | DataPointValue::ExponentialHistogram { sum, .. } => sum,
            DataPointValue::Summary { sum, .. } => Some(sum),
            _ => None,
        }
    }
}

/// One metric as received (one `Metric` message of one request), flattened out of its resource and scope.
///
/// A periodic exporter sends the same metric again at every export: [`crate::Receiver::metrics`] holds one entry
/// per metric per request, in arrival order, so the last entry of a name is its latest state.
#[derive(Clone, Debug, PartialEq)]
pub struct ReceivedMetric {
    /// The metric's name.
    pub name: String,
    /// Its description (empty when none).
    pub description: String,
    /// Its unit (empty when none).
    pub unit: String,
    /// What kind of metric it is.
    pub kind: MetricKind,
    /// The temporality of a sum or histogram (`None` for gauges, summaries and empty metrics).
    pub temporality: Option<Temporality>,
    /// Whether a sum is monotonic (a counter); false for the other kinds.
    pub monotonic: bool,
    /// The data points, in order.
    pub data_points: Vec<ReceivedDataPoint>,
    /// The attributes of the resource it came with (`service.name`, ...), values as strings.
    pub resource: BTreeMap<String, String>,
    /// The instrumentation scope's (meter's) name (empty when absent).
    pub scope_name: String,
    /// The instrumentation scope's version (empty when absent).
    pub scope_version: String,
}

impl ReceivedMetric {
    /// The value of resource attribute `key`, if present.
    pub fn resource_attribute(&self, key: &str) -> Option<&str> {
        self.resource.get(key).map(String::as_str)
    }

    /// The first data point whose attribute `key` is `value`.
    pub fn point_with(&self, key: &str, value: &str) -> Option<&ReceivedDataPoint> {
        self.data_points.iter().find(|p| p.attribute(key) == Some(value))
    }

    /// The sum of the values of a sum's or gauge's points as `f64` (0 when there are none); histogram and summary
    /// points count for nothing. For a counter recorded without attributes, its value.
    pub fn total(&self) -> f64 {
        self.data_points.iter().filter_map(ReceivedDataPoint::as_f64).sum()
    }
}

fn number_point(p: &NumberDataPoint) -> ReceivedDataPoint {
    point(
        &p.attributes,
        p.start_time_unix_nano,
        p.time_unix_nano,
        match p.value {
            Some(number_data_point::Value::AsInt(v)) => DataPointValue::Int(v),
            Some(number_data_point::Value::AsDouble(v)) => DataPointValue::Double(v),
            None => DataPointValue::None,
        },
    )
}

fn point(attrs: &[KeyValue], start: u64, time: u64, value: DataPointValue) -> ReceivedDataPoint {
    ReceivedDataPoint { attributes: attributes(attrs), start_time_unix_nano: start, time_unix_nano: time, value }
}

/// Every metric of `request`, flattened, in the order they appear in it.
pub fn flatten_metrics(request: &ExportMetricsServiceRequest) -> Vec<ReceivedMetric> {
    let mut out = Vec::new();
    for rm in &request.resource_metrics {
        let resource = rm.resource.as_ref().map(|r| attributes(&r.attributes)).unwrap_or_default();
        for sm in &rm.scope_metrics {
            let (scope_name, scope_version) =
                sm.scope.as_ref().map(|s| (s.name.clone(), s.version.clone())).unwrap_or_default();
            for m in &sm.metrics {
                let (kind, temporality, monotonic, data_points) = match &m.data {
                    None => (MetricKind::Empty, None, false, Vec::new()),
                    Some(metric::Data::Gauge(g)) => {
                        (MetricKind::Gauge, None, false, g.data_points.iter().map(number_point).collect())
                    }
                    Some(metric::Data::Sum(s)) => (
                        MetricKind::Sum,
                        Some(Temporality::from_proto(s.aggregation_temporality)),
                        s.is_monotonic,
                        s.data_points.iter().map(number_point).collect(),
                    ),
                    Some(metric::Data::Histogram(h)) => (
                        MetricKind::Histogram,
                        Some(Temporality::from_proto(h.aggregation_temporality)),
                        false,
                        h.data_points
                            .iter()
                            .map(|p| {
                                point(
                                    &p.attributes,
                                    p.start_time_unix_nano,
                                    p.time_unix_nano,
                                    DataPointValue::Histogram {
                                        count: p.count,
                                        sum: p.sum,
                                        bucket_counts: p.bucket_counts.clone(),
                                        explicit_bounds: p.explicit_bounds.clone(),
                                        min: p.min,
                                        max: p.max,
                                    },
                                )
                            })
                            .collect(),
                    ),
                    Some(metric::Data::ExponentialHistogram(h)) => (
                        MetricKind::ExponentialHistogram,
                        Some(Temporality::from_proto(h.aggregation_temporality)),
                        false,
                        h.data_points
                            .iter()
                            .map(|p| {
                                point(
                                    &p.attributes,
                                    p.start_time_unix_nano,
                                    p.time_unix_nano,
                                    DataPointValue::ExponentialHistogram { count: p.count, sum: p.sum },
                                )
                            })
                            .collect(),
                    ),
                    Some(metric::Data::Summary(s)) => (
                        MetricKind::Summary,
                        None,
                        false,
                        s.data_points
                            .iter()
                            .map(|p| {
                                point(
                                    &p.attributes,
                                    p.start_time_unix_nano,
                                    p.time_unix_nano,
                                    DataPointValue::Summary { count: p.count, sum: p.sum },
                                )
                            })
                            .collect(),
                    ),
                };
                out.push(ReceivedMetric {
                    name: m.name.clone(),
                    description: m.description.clone(),
                    unit: m.unit.clone(),
                    kind,
                    temporality,
                    monotonic,
                    data_points,
                    resource: resource.clone(),
                    scope_name: scope_name.clone(),
                    scope_version: scope_version.clone(),
                });
            }
        }
    }
    out
}

/// The number of data points in `request`, all metrics together (what rotel's `metrics=N` counts).
pub fn data_point_count(request: &ExportMetricsServiceRequest) -> usize {
    let points = |m: &opentelemetry_proto::tonic::metrics::v1::Metric| match &m.data {
        None => 0,
        Some(metric::Data::Gauge(g)) => g.data_points.len(),
        Some(metric::Data::Sum(s)) => s.data_points.len(),
        Some(metric::Data::Histogram(h)) => h.data_points.len(),
        Some(metric::Data::ExponentialHistogram(h)) => h.data_points.len(),
        Some(metric::Data::Summary(s)) => s.data_points.len(),
    };
    request.resource_metrics.iter().flat_map(|rm| &rm.scope_metrics).flat_map(|sm| &sm.metrics).map(points).sum()
}
