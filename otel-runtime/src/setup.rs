//! What the configuration says about spans themselves, independent of how they are exported: the resource, the
//! sampler, the span limits and the propagators.

use opentelemetry::KeyValue;
use opentelemetry_sdk::trace::{Sampler, SpanLimits};
use opentelemetry_sdk::Resource;
use otel_config::{Config, Propagator, ResourceValue, SamplerName};

/// The resource every span is sent with: service name/version/environment, the SDK's telemetry attributes and
/// `[resource]`.
pub(crate) fn resource(config: &Config) -> Resource {
    let mut attributes = vec![KeyValue::new("service.name", config.service.name.clone())];
    if let Some(version) = &config.service.version {
        attributes.push(KeyValue::new("service.version", version.clone()));
    }
    if let Some(env) = &config.service.environment {
        attributes.push(KeyValue::new("deployment.environment.name", env.clone()));
    }
    attributes.extend(config.resource.iter().map(|(k, v)| {
        let value: opentelemetry::Value = match v {
            ResourceValue::String(s) => s.clone().into(),
            ResourceValue::Bool(b) => (*b).into(),
            ResourceValue::Int(i) => (*i).into(),
            ResourceValue::Float(f) => (*f).into(),
        };
        KeyValue::new(k.clone(), value)
    }));
    Resource::builder_empty()
        .with_detector(Box::new(opentelemetry_sdk::resource::TelemetryResourceDetector))
        .with_attributes(attributes)
        .build()
}

/// The sampler `[sampler]` names.
pub(crate) fn sampler(config: &Config) -> Sampler {
    let ratio = config.sampler.ratio();
    match config.sampler.name {
        SamplerName::AlwaysOn => Sampler::AlwaysOn,
        SamplerName::AlwaysOff => Sampler::AlwaysOff,
        SamplerName::TraceIdRatio => Sampler::TraceIdRatioBased(ratio),
        SamplerName::ParentBasedAlwaysOn => Sampler::ParentBased(Box::new(Sampler::AlwaysOn)),
        SamplerName::ParentBasedAlwaysOff => Sampler::ParentBased(Box::new(Sampler::AlwaysOff)),
        SamplerName::ParentBasedTraceIdRatio => Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(ratio))),
    }
}

/// The span limits of `[limits]`.
pub(crate) fn span_limits(config: &Config) -> SpanLimits {
    let limits = &config.limits;
    SpanLimits {
        max_attributes_per_span: limits.attribute_count,
        max_events_per_span: limits.event_count,
        max_links_per_span: limits.link_count,
        max_attributes_per_event: limits.attribute_per_event,
        max_attributes_per_link: limits.attribute_per_link,
    }
}

/// The composite propagator `propagators` names, in order.
pub(crate) fn propagator(names: &[Propagator]) -> opentelemetry::propagation::TextMapCompositePropagator {
    use opentelemetry::propagation::TextMapPropagator;
    let list: Vec<Box<dyn TextMapPropagator + Send + Sync>> = names
        .iter()
        .filter_map(|p| -> Option<Box<dyn TextMapPropagator + Send + Sync>> {
            match p {
                Propagator::TraceContext => Some(Box::new(opentelemetry_sdk::propagation::TraceContextPropagator::new())),
                Propagator::Baggage => Some(Box::new(opentelemetry_sdk::propagation::BaggagePropagator::new())),
                // TODO(#5): b3, b3multi, jaeger, xray from their maintained crates.
                Propagator::B3 | Propagator::B3Multi | Propagator::Jaeger | Propagator::XRay => None,
                Propagator::None => None,
            }
        })
        .collect();
    opentelemetry::propagation::TextMapCompositePropagator::new(list)
}
