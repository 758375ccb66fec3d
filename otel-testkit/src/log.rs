//! Flattened, assertion-friendly views of the log records in an `ExportLogsServiceRequest`.

use crate::span::{any_value_to_string, attributes, hex};
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::logs::v1::SeverityNumber;
use std::collections::BTreeMap;

/// One log record as received, flattened out of its resource and scope for easy assertions.
///
/// Ids are lowercase hex (empty when absent); the body and attribute values are turned into strings by
/// [`any_value_to_string`], as for [`ReceivedSpan`](crate::ReceivedSpan). For anything this view does not carry,
/// use the raw request from [`crate::Receiver::log_requests`].
#[derive(Clone, Debug, PartialEq)]
pub struct ReceivedLogRecord {
    /// The body, as a string (empty when absent).
    pub body: String,
    /// The severity number (1-24; 9 is INFO, 13 WARN, 17 ERROR; 0 when unspecified).
    pub severity_number: i32,
    /// The severity text as sent (`INFO`, ...; empty when absent).
    pub severity_text: String,
    /// The event name (empty when absent).
    pub event_name: String,
    /// When the event happened, nanoseconds since the Unix epoch (0 when unknown).
    pub time_unix_nano: u64,
    /// When it was observed, nanoseconds since the Unix epoch.
    pub observed_time_unix_nano: u64,
    /// The trace id of the span it happened in, 32 lowercase hex digits (empty when none).
    pub trace_id: String,
    /// The span id of the span it happened in, 16 lowercase hex digits (empty when none).
    pub span_id: String,
    /// The trace flags (`flags` field; 1 = sampled).
    pub flags: u32,
    /// The record's attributes, values as strings.
    pub attributes: BTreeMap<String, String>,
    /// The attributes of the resource the record came with (`service.name`, ...), values as strings.
    pub resource: BTreeMap<String, String>,
    /// The instrumentation scope's name (empty when absent).
    pub scope_name: String,
    /// The instrumentation scope's version (empty when absent).
    pub scope_version: String,
}

impl ReceivedLogRecord {
    /// The value of record attribute `key`, if present.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes.get(key).map(String::as_str)
    }

    /// The value of resource attribute `key`, if present.
    pub fn resource_attribute(&self, key: &str) -> Option<&str> {
        self.resource.get(key).map(String::as_str)
    }

    /// The severity number's protobuf name: `SEVERITY_NUMBER_INFO`, `SEVERITY_NUMBER_ERROR`, ...
    /// (`SEVERITY_NUMBER_<n>` for a number outside the enumeration).
    pub fn severity_name(&self) -> String {
        SeverityNumber::try_from(self.severity_number)
            .map(|s| s.as_str_name().to_string())
            .unwrap_or_else(|_| format!("SEVERITY_NUMBER_{}", self.severity_number))
    }
}

/// Every log record of `request`, flattened, in the order they appear in it.
pub fn flatten_logs(request: &ExportLogsServiceRequest) -> Vec<ReceivedLogRecord> {
    let mut out = Vec::new();
    for rl in &request.resource_logs {
        let resource = rl.resource.as_ref().map(|r| attributes(&r.attributes)).unwrap_or_default();
        for sl in &rl.scope_logs {
            let (scope_name, scope_version) =
                sl.scope.as_ref().map(|s| (s.name.clone(), s.version.clone())).unwrap_or_default();
            for record in &sl.log_records {
                out.push(ReceivedLogRecord {
                    body: record.body.as_ref().map(any_value_to_string).unwrap_or_default(),
                    severity_number: record.severity_number,
                    severity_text: record.severity_text.clone(),
                    event_name: record.event_name.clone(),
                    time_unix_nano: record.time_unix_nano,
                    observed_time_unix_nano: record.observed_time_unix_nano,
                    trace_id: hex(&record.trace_id),
                    span_id: hex(&record.span_id),
                    flags: record.flags,
                    attributes: attributes(&record.attributes),
                    resource: resource.clone(),
                    scope_name: scope_name.clone(),
                    scope_version: scope_version.clone(),
                });
            }
        }
    }
    out
}

/// The number of log records in `request`.
pub fn log_record_count(request: &ExportLogsServiceRequest) -> usize {
    request.resource_logs.iter().flat_map(|rl| &rl.scope_logs).map(|sl| sl.log_records.len()).sum()
}
