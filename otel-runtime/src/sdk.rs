//! What the configuration says about spans themselves, independent of how they are exported: the resource, the
//! sampler, the span limits and the propagators.
//!
//! Propagators come from maintained crates built against opentelemetry 0.33: `b3` and `b3multi` from
//! `opentelemetry-propagator-b3` (the OpenTelemetry project's, split out of the deprecated `opentelemetry-zipkin`;
//! feature `b3`), `xray` from `opentelemetry-aws` (opentelemetry-rust-contrib; feature `xray`). `jaeger` has no such
//! crate (`opentelemetry-jaeger-propagator` stops at 0.32). A propagator that is not available — `jaeger`, or one
//! whose feature this build left out — is ignored with a warning at start: a missing propagator loses trace
//! continuity across services, not the spans, so it does not stop the application.

use crate::transport::features::Feature;
use opentelemetry::propagation::{TextMapCompositePropagator, TextMapPropagator};
use opentelemetry::KeyValue;
use opentelemetry_sdk::trace::{Sampler, SpanLimits};
use opentelemetry_sdk::Resource;
use otel_config::{Config, Propagator, ResourceValue, SamplerName};

/// The resource every span is sent with: service name/version/environment, the SDK's telemetry attributes, what
/// `resource_detectors` detect and `[resource]`.
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
            // A kind of value this runtime does not know yet: its `Display` form, rather than no attribute.
            other => other.to_string().into(),
        };
        KeyValue::new(k.clone(), value)
    }));
    Resource::builder_empty()
        .with_detector(Box::new(opentelemetry_sdk::resource::TelemetryResourceDetector))
        // Detected first: a later attribute replaces an earlier one of the same key, so `service.*` and `[resource]` win.
        .with_attributes(crate::detectors::detect(&config.resource_detectors))
        .with_attributes(attributes)
        .build()
}

/// Every attribute of the resource the pipeline sends for `config`, sorted by key, values as text: what
/// `otel-check config` shows. Built by the same [`resource`] function the pipeline uses.
///
/// ```
/// let mut config = otel_config::Config::default();
/// config.service.name = "checkout".into();
/// let attributes = otel_runtime::resource_attributes(&config);
/// assert!(attributes.contains(&("service.name".to_string(), "checkout".to_string())));
/// assert!(attributes.contains(&("telemetry.sdk.language".to_string(), "rust".to_string())));
/// ```
#[doc(hidden)]
pub fn resource_attributes(config: &Config) -> Vec<(String, String)> {
    let mut attributes: Vec<(String, String)> =
        resource(config).iter().map(|(key, value)| (key.to_string(), value.to_string())).collect();
    attributes.sort();
    attributes
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
        // The spec's default sampler.
        _ => Sampler::ParentBased(Box::new(Sampler::AlwaysOn)),
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

/// The propagator for one name, or `None` when none is available for opentelemetry 0.33 or in this build.
fn one_propagator(name: Propagator) -> Option<Box<dyn TextMapPropagator + Send + Sync>> {
    #[cfg(feature = "b3")]
    use opentelemetry_propagator_b3::{B3Encoding, Propagator as B3};
    Some(match name {
        Propagator::TraceContext => Box::new(opentelemetry_sdk::propagation::TraceContextPropagator::new()),
        Propagator::Baggage => Box::new(opentelemetry_sdk::propagation::BaggagePropagator::new()),
        #[cfg(feature = "b3")]
        Propagator::B3 => Box::new(SingleHeaderB3(B3::with_encoding(B3Encoding::SingleHeader))),
        #[cfg(feature = "b3")]
        Propagator::B3Multi => Box::new(B3::with_encoding(B3Encoding::MultipleHeader)),
        #[cfg(not(feature = "b3"))]
        Propagator::B3 | Propagator::B3Multi => return None,
        #[cfg(feature = "xray")]
        Propagator::XRay => Box::new(opentelemetry_aws::trace::XrayPropagator::default()),
        #[cfg(not(feature = "xray"))]
        Propagator::XRay => return None,
        Propagator::Jaeger | Propagator::None => return None,
        _ => return None,
    })
}

/// B3 with the single `b3` header only. `opentelemetry-propagator-b3` 0.33.1 also writes the `X-B3-*` headers
/// for `B3Encoding::SingleHeader` (its `support(&UnSpecified)` test is always true), which the spec's `b3`
/// does not: the extra headers are filtered out here. Extraction is the crate's (single header first).
#[cfg(feature = "b3")]
#[derive(Debug)]
struct SingleHeaderB3(opentelemetry_propagator_b3::Propagator);

#[cfg(feature = "b3")]
impl TextMapPropagator for SingleHeaderB3 {
    fn inject_context(&self, cx: &opentelemetry::Context, injector: &mut dyn opentelemetry::propagation::Injector) {
        struct OnlyB3<'a>(&'a mut dyn opentelemetry::propagation::Injector);
        impl opentelemetry::propagation::Injector for OnlyB3<'_> {
            fn set(&mut self, key: &str, value: String) {
                if key.eq_ignore_ascii_case("b3") {
                    self.0.set(key, value);
                }
            }
        }
        self.0.inject_context(cx, &mut OnlyB3(injector));
    }

    fn extract_with_context(
        &self,
        cx: &opentelemetry::Context,
        extractor: &dyn opentelemetry::propagation::Extractor,
    ) -> opentelemetry::Context {
        self.0.extract_with_context(cx, extractor)
    }

    fn fields(&self) -> opentelemetry::propagation::text_map_propagator::FieldIter<'_> {
        self.0.fields()
    }
}

/// The warnings for the `propagators` that are not available (`jaeger`, or one whose feature this build left
/// out), one per name, as printed at start.
///
/// ```
/// use otel_config::Propagator;
/// let warnings = otel_runtime::propagator_warnings(&[Propagator::TraceContext, Propagator::Jaeger]);
/// assert_eq!(warnings, [
///     "otel: propagator `jaeger` is not available in Rust for opentelemetry 0.33 \
///      (opentelemetry-jaeger-propagator stops at 0.32); ignored",
/// ]);
/// ```
#[doc(hidden)]
pub fn propagator_warnings(names: &[Propagator]) -> Vec<String> {
    warnings_for(names, cfg!(feature = "b3"), cfg!(feature = "xray"))
}

/// [`propagator_warnings`] for a build with (`b3`, `xray`) or without the propagators' features: pure, so that
/// its tests cover both in any build.
fn warnings_for(names: &[Propagator], b3: bool, xray: bool) -> Vec<String> {
    names
        .iter()
        .filter_map(|name| {
            let feature = match name {
                Propagator::Jaeger => {
                    return Some(format!(
                        "otel: propagator `{name}` is not available in Rust for opentelemetry 0.33 \
                         (opentelemetry-jaeger-propagator stops at 0.32); ignored"
                    ))
                }
                Propagator::B3 | Propagator::B3Multi if !b3 => Feature::B3,
                Propagator::XRay if !xray => Feature::XRay,
                _ => return None,
            };
            Some(format!("otel: propagator `{name}` {}; ignored", feature.left_out()))
        })
        .collect()
}

/// The composite propagator `propagators` names, in order. The unavailable ones are left out, and a warning
/// for each is printed on stderr (this is called once, at start).
pub(crate) fn propagator(names: &[Propagator]) -> TextMapCompositePropagator {
    for warning in propagator_warnings(names) {
        eprintln!("{warning}");
    }
    TextMapCompositePropagator::new(names.iter().filter_map(|name| one_propagator(*name)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
    use opentelemetry::Context;
    use std::collections::HashMap;

    #[cfg_attr(all(feature = "b3", not(feature = "xray")), allow(dead_code))]
    fn injected(names: &[Propagator]) -> HashMap<String, String> {
        let span = SpanContext::new(
            TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
            SpanId::from_hex("00f067aa0ba902b7").unwrap(),
            TraceFlags::SAMPLED,
            true,
            TraceState::default(),
        );
        let cx = Context::current().with_remote_span_context(span);
        let mut headers = HashMap::new();
        propagator(names).inject_context(&cx, &mut headers);
        headers
    }

    #[test]
    #[cfg(all(feature = "b3", feature = "xray"))]
    fn each_propagator_writes_its_headers() {
        // (propagators, headers expected, headers not expected)
        let rows: &[(&[Propagator], &[&str], &[&str])] = &[
            (&[Propagator::TraceContext], &["traceparent"], &["b3", "x-b3-traceid"]),
            (&[Propagator::B3], &["b3"], &["x-b3-traceid", "traceparent"]),
            (&[Propagator::B3Multi], &["x-b3-traceid", "x-b3-spanid", "x-b3-sampled"], &["b3"]),
            (&[Propagator::XRay], &["x-amzn-trace-id"], &["traceparent"]),
            (&[Propagator::Jaeger], &[], &["uber-trace-id", "traceparent"]),
            (
                &[Propagator::TraceContext, Propagator::B3, Propagator::XRay],
                &["traceparent", "b3", "x-amzn-trace-id"],
                &[],
            ),
            (&[], &[], &["traceparent"]),
        ];
        for (i, (names, present, absent)) in rows.iter().enumerate() {
            let headers = injected(names);
            for header in *present {
                assert!(headers.contains_key(*header), "row {i}: {header} missing from {headers:?}");
            }
            for header in *absent {
                assert!(!headers.contains_key(*header), "row {i}: unexpected {header} in {headers:?}");
            }
        }
        assert_eq!(injected(&[Propagator::B3])["b3"], "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1");
    }

    #[test]
    fn with_every_feature_only_jaeger_warns() {
        let all =
            [Propagator::TraceContext, Propagator::Baggage, Propagator::B3, Propagator::B3Multi, Propagator::XRay];
        assert!(warnings_for(&all, true, true).is_empty());
        assert_eq!(warnings_for(&[Propagator::Jaeger], true, true).len(), 1);
    }

    #[test]
    fn a_propagator_whose_feature_is_left_out_warns_naming_the_feature() {
        let names = [Propagator::TraceContext, Propagator::B3, Propagator::B3Multi, Propagator::XRay];
        assert_eq!(
            warnings_for(&names, false, false),
            [
                "otel: propagator `b3` needs the \"b3\" feature of otel-main, left out of this build: \
                 otel-main = { version = \"0.1\", features = [\"b3\"] }; ignored",
                "otel: propagator `b3multi` needs the \"b3\" feature of otel-main, left out of this build: \
                 otel-main = { version = \"0.1\", features = [\"b3\"] }; ignored",
                "otel: propagator `xray` needs the \"xray\" feature of otel-main, left out of this build: \
                 otel-main = { version = \"0.1\", features = [\"xray\"] }; ignored",
            ]
        );
        assert_eq!(warnings_for(&names, true, false).len(), 1, "only xray");
        assert_eq!(warnings_for(&names, false, true).len(), 2, "b3 and b3multi");
        // The warnings describe the propagator actually installed: left out, as the warning says.
        #[cfg(not(feature = "b3"))]
        assert!(injected(&[Propagator::B3, Propagator::B3Multi]).is_empty());
    }

    #[test]
    fn resource_attributes_are_complete() {
        let mut config = Config::default();
        config.service.name = "svc".into();
        config.service.version = Some("1.2".into());
        config.service.environment = Some("prod".into());
        config.resource.insert("team".into(), ResourceValue::from("core"));
        config.resource.insert("shard".into(), ResourceValue::from(3_i64));
        config.resource_detectors = vec![];
        let attributes = resource_attributes(&config);
        let keys: Vec<&str> = attributes.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "deployment.environment.name",
                "service.name",
                "service.version",
                "shard",
                "team",
                "telemetry.sdk.language",
                "telemetry.sdk.name",
                "telemetry.sdk.version"
            ]
        );
        assert!(attributes.contains(&("shard".into(), "3".into())));
    }

    #[test]
    fn detected_attributes_are_added_and_explicit_ones_win() {
        let config = Config::default();
        let keys: Vec<String> = resource_attributes(&config).into_iter().map(|(k, _)| k).collect();
        for key in ["service.instance.id", "host.arch", "os.type", "process.pid", "process.runtime.name"] {
            assert!(keys.iter().any(|k| k == key), "{key} missing from {keys:?}");
        }

        let mut config = Config::default();
        config.resource.insert("host.name".into(), ResourceValue::from("x"));
        config.resource.insert("service.instance.id".into(), ResourceValue::from("instance-7"));
        let attributes = resource_attributes(&config);
        assert!(attributes.contains(&("host.name".into(), "x".into())), "{attributes:?}");
        assert!(attributes.contains(&("service.instance.id".into(), "instance-7".into())), "{attributes:?}");
        assert_eq!(attributes.iter().filter(|(k, _)| k == "host.name").count(), 1);

        let mut config = Config::default();
        config.resource_detectors = vec![];
        let keys: Vec<String> = resource_attributes(&config).into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            keys,
            ["service.name", "telemetry.sdk.language", "telemetry.sdk.name", "telemetry.sdk.version"],
            "no detected attribute with resource_detectors = []"
        );
    }
}
