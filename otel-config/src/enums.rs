//! The string enums of otel.toml: spelled in lowercase in otel.toml (exactly), parsed case-insensitively from
//! the standard `OTEL_*` variables.

use serde::{Deserialize, Serialize};

/// Declares an enum whose variants are spelled as fixed strings, with `ALL`, `VALID`, `as_str`, `parse` and
/// `Display`.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $name:ident $(default $default:ident)? {
            $( $(#[$vmeta:meta])* $variant:ident => $spelling:literal, )+
        }
    ) => {
        $(#[$meta])*
        // Every one may gain a value (a protocol, a propagator, a signal such as profiles): a `match` outside this
        // crate needs a wildcard arm, so adding one is not a breaking change.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $spelling)] $variant, )+
        }

        $(
            impl Default for $name {
                fn default() -> Self {
                    $name::$default
                }
            }
        )?

        impl $name {
            #[doc = concat!("Every `", stringify!($name), "`, in the order `VALID` lists them.\n\n```\n",
                "let all = otel_config::", stringify!($name), "::ALL;\n",
                "assert_eq!(all.len(), otel_config::", stringify!($name), "::VALID.len());\n```")]
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            #[doc = concat!("Every valid spelling, for messages.\n\n```\n",
                "for (value, text) in otel_config::", stringify!($name), "::ALL.iter().zip(otel_config::",
                stringify!($name), "::VALID) {\n    assert_eq!(value.as_str(), *text);\n}\n```")]
            pub const VALID: &'static [&'static str] = &[$($spelling),+];

            #[doc = concat!("The otel.toml spelling.\n\n```\n",
                "let first = otel_config::", stringify!($name), "::ALL[0];\n",
                "assert_eq!(first.as_str(), otel_config::", stringify!($name), "::VALID[0]);\n```")]
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $spelling, )+
                }
            }

            #[doc = concat!("Parses a spelling case-insensitively, ignoring surrounding whitespace (the rule for ",
                "`OTEL_*` variables; otel.toml itself is exact).\n\n```\n",
                "let first = otel_config::", stringify!($name), "::ALL[0];\n",
                "let shouted = format!(\" {} \", first.as_str().to_uppercase());\n",
                "assert_eq!(otel_config::", stringify!($name), "::parse(&shouted), Some(first));\n",
                "assert_eq!(otel_config::", stringify!($name), "::parse(\"no-such-value\"), None);\n```")]
            pub fn parse(text: &str) -> Option<Self> {
                let text = text.trim();
                Self::ALL.iter().copied().find(|v| v.as_str().eq_ignore_ascii_case(text))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum! {
    /// `exporter.protocol`: how spans leave the process (`OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_TRACES_EXPORTER`).
    ///
    /// ```
    /// use otel_config::Protocol;
    /// assert_eq!(Protocol::default(), Protocol::HttpProtobuf);
    /// assert_eq!(Protocol::parse("GRPC"), Some(Protocol::Grpc));
    /// assert_eq!(Protocol::HttpJson.to_string(), "http/json");
    /// ```
    Protocol default HttpProtobuf {
        /// OTLP over gRPC (default endpoint `http://localhost:4317`).
        Grpc => "grpc",
        /// OTLP over HTTP with protobuf bodies (default endpoint `http://localhost:4318/v1/traces`; the spec's default).
        HttpProtobuf => "http/protobuf",
        /// OTLP over HTTP with JSON bodies.
        HttpJson => "http/json",
        /// Print spans on stdout instead of exporting them.
        Console => "console",
        /// Record and propagate, export nothing.
        None => "none",
    }
}

impl Protocol {
    /// Whether this protocol sends OTLP over HTTP (`http/protobuf`, `http/json`).
    ///
    /// ```
    /// assert!(otel_config::Protocol::HttpJson.is_http());
    /// assert!(!otel_config::Protocol::Grpc.is_http());
    /// ```
    pub fn is_http(self) -> bool {
        matches!(self, Protocol::HttpProtobuf | Protocol::HttpJson)
    }

    /// Whether this protocol exports OTLP at all (gRPC or HTTP).
    ///
    /// ```
    /// assert!(otel_config::Protocol::Grpc.is_otlp());
    /// assert!(!otel_config::Protocol::Console.is_otlp());
    /// ```
    pub fn is_otlp(self) -> bool {
        matches!(self, Protocol::Grpc | Protocol::HttpProtobuf | Protocol::HttpJson)
    }
}

string_enum! {
    /// `exporter.compression` (`OTEL_EXPORTER_OTLP_COMPRESSION`).
    ///
    /// ```
    /// use otel_config::Compression;
    /// assert_eq!(Compression::default(), Compression::None);
    /// assert_eq!(Compression::parse("Gzip"), Some(Compression::Gzip));
    /// ```
    Compression default None {
        /// No compression (the default).
        None => "none",
        /// gzip.
        Gzip => "gzip",
        /// zstd (an extension: the spec only names `gzip` and `none`).
        Zstd => "zstd",
    }
}

string_enum! {
    /// `sampler.name` (`OTEL_TRACES_SAMPLER`).
    ///
    /// ```
    /// use otel_config::SamplerName;
    /// assert_eq!(SamplerName::default(), SamplerName::ParentBasedAlwaysOn);
    /// assert_eq!(SamplerName::parse("TraceIdRatio"), Some(SamplerName::TraceIdRatio));
    /// ```
    SamplerName default ParentBasedAlwaysOn {
        /// Record every trace.
        AlwaysOn => "always_on",
        /// Record no trace.
        AlwaysOff => "always_off",
        /// Record the ratio `sampler.arg` of traces, decided by trace id.
        TraceIdRatio => "traceidratio",
        /// Follow the parent's decision; record root spans (the default).
        ParentBasedAlwaysOn => "parentbased_always_on",
        /// Follow the parent's decision; record no root span.
        ParentBasedAlwaysOff => "parentbased_always_off",
        /// Follow the parent's decision; record the ratio `sampler.arg` of root spans.
        ParentBasedTraceIdRatio => "parentbased_traceidratio",
    }
}

impl SamplerName {
    /// Whether `sampler.arg` is this sampler's ratio.
    ///
    /// ```
    /// assert!(otel_config::SamplerName::ParentBasedTraceIdRatio.is_ratio());
    /// assert!(!otel_config::SamplerName::AlwaysOn.is_ratio());
    /// ```
    pub fn is_ratio(self) -> bool {
        matches!(self, SamplerName::TraceIdRatio | SamplerName::ParentBasedTraceIdRatio)
    }
}

string_enum! {
    /// One entry of `propagators` (`OTEL_PROPAGATORS`).
    ///
    /// ```
    /// use otel_config::Propagator;
    /// assert_eq!(Propagator::parse("B3Multi"), Some(Propagator::B3Multi));
    /// assert_eq!(Propagator::XRay.as_str(), "xray");
    /// ```
    Propagator {
        /// W3C Trace Context.
        TraceContext => "tracecontext",
        /// W3C Baggage.
        Baggage => "baggage",
        /// B3 single header.
        B3 => "b3",
        /// B3 multiple headers.
        B3Multi => "b3multi",
        /// Jaeger `uber-trace-id`.
        Jaeger => "jaeger",
        /// AWS X-Ray.
        XRay => "xray",
        /// No propagator; only valid alone, and loads as an empty list.
        None => "none",
    }
}

string_enum! {
    /// `fmt.format`: how the console log layer prints.
    ///
    /// ```
    /// use otel_config::FmtFormat;
    /// assert_eq!(FmtFormat::default(), FmtFormat::Compact);
    /// ```
    FmtFormat default Compact {
        /// Multi-line, human friendly.
        Pretty => "pretty",
        /// One line per event (the default).
        Compact => "compact",
        /// One JSON object per event.
        Json => "json",
        /// No console logging.
        Off => "off",
    }
}

string_enum! {
    /// `shutdown.summary`: when the span summary is printed at exit.
    ///
    /// ```
    /// use otel_config::SummaryMode;
    /// assert_eq!(SummaryMode::default(), SummaryMode::OnLoss);
    /// assert_eq!(SummaryMode::OnLoss.as_str(), "on_loss");
    /// ```
    SummaryMode default OnLoss {
        /// Only when spans were lost (the default).
        OnLoss => "on_loss",
        /// Always.
        Always => "always",
        /// Never.
        Never => "never",
    }
}

string_enum! {
    /// `exporter.on_invalid`: what happens when the exporter cannot be built at start from a configuration that
    /// passed validation — an unreadable or invalid certificate or client key file (`exporter.certificate`,
    /// `OTEL_EXPORTER_OTLP_CERTIFICATE`, …), a header the HTTP client refuses.
    ///
    /// ```
    /// use otel_config::OnInvalid;
    /// assert_eq!(OnInvalid::default(), OnInvalid::Warn);
    /// assert_eq!(OnInvalid::parse("EXIT"), Some(OnInvalid::Exit));
    /// ```
    OnInvalid default Warn {
        /// Fail open (the default): the app starts, one warning names the problem, and every span is counted as
        /// failed (alerts, health and the exit summary report it).
        Warn => "warn",
        /// The app stops at start with exit status 1.
        Exit => "exit",
    }
}

string_enum! {
    /// One of the three OpenTelemetry signals: what `[traces]`, `[logs]` and `[metrics]` configure, and what the
    /// failure channel reports per signal.
    ///
    /// ```
    /// use otel_config::Signal;
    /// assert_eq!(Signal::Logs.as_str(), "logs");
    /// assert_eq!(Signal::Metrics.http_path(), "v1/metrics");
    /// ```
    Signal default Traces {
        /// Spans.
        Traces => "traces",
        /// Log records (from `tracing` events).
        Logs => "logs",
        /// Metrics.
        Metrics => "metrics",
    }
}

impl Signal {
    /// The path OTLP/HTTP appends to a base endpoint for this signal (`v1/traces`, `v1/logs`, `v1/metrics`).
    ///
    /// ```
    /// assert_eq!(otel_config::Signal::Traces.http_path(), "v1/traces");
    /// ```
    pub fn http_path(self) -> &'static str {
        match self {
            Signal::Traces => "v1/traces",
            Signal::Logs => "v1/logs",
            Signal::Metrics => "v1/metrics",
        }
    }
}

string_enum! {
    /// `metrics.temporality` (`OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`): how sums and histograms are
    /// reported, by the spec's three presets.
    ///
    /// ```
    /// use otel_config::Temporality;
    /// assert_eq!(Temporality::default(), Temporality::Cumulative);
    /// assert_eq!(Temporality::parse("LowMemory"), Some(Temporality::LowMemory));
    /// ```
    Temporality default Cumulative {
        /// Every instrument cumulative (the default).
        Cumulative => "cumulative",
        /// Counters, histograms and asynchronous counters delta; up-down counters cumulative.
        Delta => "delta",
        /// Synchronous counters and histograms delta; asynchronous instruments and up-down counters cumulative.
        LowMemory => "lowmemory",
    }
}

string_enum! {
    /// One entry of `resource_detectors` (`OTEL_EXPERIMENTAL_RESOURCE_DETECTORS`): the resource attributes
    /// detected at start, cheaply and never failing the start.
    ///
    /// ```
    /// use otel_config::ResourceDetector;
    /// assert_eq!(ResourceDetector::parse("HOST"), Some(ResourceDetector::Host));
    /// assert_eq!(ResourceDetector::ALL.len(), 5);
    /// ```
    ResourceDetector {
        /// `service.instance.id`: a UUID (v4) per process start.
        ServiceInstance => "service_instance",
        /// `host.name`, `host.arch`.
        Host => "host",
        /// `os.type`, `os.description` when cheap.
        Os => "os",
        /// `process.pid`, `process.executable.name`, `process.runtime.name/version/description`.
        Process => "process",
        /// `container.id`, from `/proc/self/cgroup` (or `/proc/self/mountinfo`) when present.
        Container => "container",
    }
}
