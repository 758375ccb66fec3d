//! What this framework does not implement of file format 1.x, or implements otherwise, and what it uses
//! instead: the reason and the "instead" of each warning that names such a node.

use crate::enums::ResourceDetector;

/// `simple` processors: otel exports from its own thread, never on the application's.
pub(crate) const SIMPLE_PROCESSOR: (&str, &str) = (
    "otel exports from a batch processor on its own thread (a simple processor would export on the application's \
     thread, once per span or record)",
    "using the batch processor with its defaults",
);

/// An experimental (`…/development`) node, `instrumentation/development` or `distribution`.
pub(crate) fn experimental(name: &str) -> (String, &'static str) {
    match name {
        "distribution" => ("otel reads no distribution-specific settings".to_string(), "ignored"),
        "instrumentation/development" => ("otel does not configure instrumentation libraries".to_string(), "ignored"),
        other => (format!("`{}` is experimental and not implemented by otel", other.escape_debug()), "ignored"),
    }
}

/// A push exporter otel does not have (`otlp_file/development`, a plugin's).
pub(crate) fn exporter(name: &str) -> (String, &'static str) {
    let reason = match name {
        "otlp_file/development" => "otel has no OTLP file exporter".to_string(),
        other => format!("otel has no `{}` exporter", other.escape_debug()),
    };
    (reason, "the signal is not exported")
}

/// A metric reader other than `periodic` (`pull`: Prometheus).
pub(crate) fn reader(name: &str) -> (String, &'static str) {
    let reason = match name {
        "pull" => "otel has no pull exporters (Prometheus); it pushes metrics".to_string(),
        other => format!("otel has no `{}` metric reader", other.escape_debug()),
    };
    (reason, "metrics are not exported")
}

/// otel's detectors behind one of the schema's; none for one otel does not have. The schema has no `os`
/// detector, so otel's comes with `host` (both describe the machine).
pub(crate) fn detectors(name: &str) -> &'static [ResourceDetector] {
    match name {
        "container" => &[ResourceDetector::Container],
        "host" => &[ResourceDetector::Host, ResourceDetector::Os],
        "process" => &[ResourceDetector::Process],
        "service" => &[ResourceDetector::ServiceInstance],
        _ => &[],
    }
}
