//! The optional parts of the transport (cargo features of otel-main, forwarded to this crate) and the build error
//! for a configuration that needs one this build left out. The configuration is validated without knowing the
//! build (otel-config, the macro, `otel-check config`), so the refusal comes here, at start, naming the feature
//! and the line that adds it.
//!
//! [`check`] is pure: it takes what is compiled in as an argument, so its tests cover every combination in a build
//! that has everything.

use crate::build_error::Detail;
use crate::{BuildError, BuildErrorKind};
use otel_config::__private::key;
use otel_config::{Compression, ExporterConfig, Protocol};

/// A feature of otel-main that the transport may need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Feature {
    /// OTLP/gRPC (tonic).
    Grpc,
    /// https endpoints and certificate files (rustls).
    Tls,
    /// zstd compression (the zstd C library).
    Zstd,
    /// The `b3` and `b3multi` propagators.
    B3,
    /// The `xray` propagator.
    XRay,
}

impl Feature {
    /// The feature's name in Cargo.toml.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Feature::Grpc => "grpc",
            Feature::Tls => "tls",
            Feature::Zstd => "zstd",
            Feature::B3 => "b3",
            Feature::XRay => "xray",
        }
    }

    /// `needs the "grpc" feature of otel-main, left out of this build: otel-main = { version = "0.1", features =
    /// ["grpc"] }`: the end of every message about a feature left out.
    pub(crate) fn left_out(self) -> String {
        let name = self.name();
        format!(
            "needs the \"{name}\" feature of otel-main, left out of this build: otel-main = {{ version = \"{}.{}\", \
             features = [\"{name}\"] }}",
            env!("CARGO_PKG_VERSION_MAJOR"),
            env!("CARGO_PKG_VERSION_MINOR"),
        )
    }
}

/// The transport features compiled in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Compiled {
    pub(crate) grpc: bool,
    pub(crate) tls: bool,
    pub(crate) zstd: bool,
}

impl Compiled {
    /// What this build has.
    pub(crate) const THIS_BUILD: Compiled =
        Compiled { grpc: cfg!(feature = "grpc"), tls: cfg!(feature = "tls"), zstd: cfg!(feature = "zstd") };
}

/// The build error for `key` set to `value` (`exporter.protocol = "grpc"`) needing `feature`.
pub(crate) fn missing(feature: Feature, key: &'static str, value: &str) -> BuildError {
    BuildError::new(BuildErrorKind::Feature, Some(key), Detail::NeedsFeature { feature, value: value.to_string() })
}

/// The first part of `config` this build cannot serve, as a [`BuildErrorKind::Feature`] error naming the key and
/// the feature: protocol `grpc` without `grpc`; an https endpoint (`url`, shown redacted as `shown`) or a
/// certificate file without `tls`; compression `zstd` without `zstd`.
pub(crate) fn check(config: &ExporterConfig, url: &str, shown: &str, compiled: Compiled) -> Result<(), BuildError> {
    if config.protocol == Protocol::Grpc && !compiled.grpc {
        return Err(missing(Feature::Grpc, key::EXPORTER_PROTOCOL, Protocol::Grpc.as_str()));
    }
    if !compiled.tls {
        let https = url.get(..6).is_some_and(|scheme| scheme.eq_ignore_ascii_case("https:"));
        if https {
            let detail = Detail::HttpsNeedsTls { endpoint: shown.to_string() };
            return Err(BuildError::new(BuildErrorKind::Feature, Some(key::EXPORTER_ENDPOINT), detail));
        }
        let files = [
            (key::EXPORTER_CERTIFICATE, &config.certificate),
            (key::EXPORTER_CLIENT_CERTIFICATE, &config.client_certificate),
            (key::EXPORTER_CLIENT_KEY, &config.client_key),
        ];
        if let Some((key, Some(path))) = files.into_iter().find(|(_, path)| path.is_some()) {
            return Err(missing(Feature::Tls, key, &path.display().to_string()));
        }
    }
    if config.compression == Compression::Zstd && !compiled.zstd {
        return Err(missing(Feature::Zstd, key::EXPORTER_COMPRESSION, Compression::Zstd.as_str()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: Compiled = Compiled { grpc: true, tls: true, zstd: true };
    const NONE: Compiled = Compiled { grpc: false, tls: false, zstd: false };

    fn exporter(protocol: Protocol, compression: Compression) -> ExporterConfig {
        let mut config = ExporterConfig::default();
        (config.protocol, config.compression) = (protocol, compression);
        config
    }

    fn refusal(config: &ExporterConfig, url: &str, compiled: Compiled) -> Option<(Option<&'static str>, String)> {
        check(config, url, url, compiled).err().map(|e| {
            assert_eq!(e.kind(), BuildErrorKind::Feature, "{e}");
            (e.key(), e.to_string())
        })
    }

    #[test]
    fn grpc_without_the_grpc_feature_names_the_feature_and_the_line_to_add() {
        let config = exporter(Protocol::Grpc, Compression::Gzip);
        let (key, message) = refusal(&config, "http://collector:4317", NONE).expect("refused");
        assert_eq!(key, Some("exporter.protocol"));
        assert_eq!(
            message,
            "otel: exporter.protocol = \"grpc\" needs the \"grpc\" feature of otel-main, left out of this build: \
             otel-main = { version = \"0.1\", features = [\"grpc\"] }"
        );
        assert_eq!(refusal(&config, "http://collector:4317", Compiled { grpc: true, ..NONE }), None);
        // HTTP needs no feature.
        for protocol in [Protocol::HttpProtobuf, Protocol::HttpJson] {
            assert_eq!(refusal(&exporter(protocol, Compression::Gzip), "http://c:4318/v1/traces", NONE), None);
        }
    }

    #[test]
    fn https_and_certificate_files_need_tls() {
        let config = exporter(Protocol::HttpProtobuf, Compression::None);
        for url in ["https://collector:4318/v1/traces", "HTTPS://collector:4318/v1/traces"] {
            let (key, message) = refusal(&config, url, NONE).expect("refused");
            assert_eq!(key, Some("exporter.endpoint"));
            assert!(message.contains(&format!("{url:?}")) && message.contains("features = [\"tls\"]"), "{message}");
            assert_eq!(refusal(&config, url, Compiled { tls: true, ..NONE }), None);
        }
        let with = |set: fn(&mut ExporterConfig)| {
            let mut config = exporter(Protocol::HttpProtobuf, Compression::None);
            set(&mut config);
            config
        };
        type Set = fn(&mut ExporterConfig);
        let cases: [(Set, &str); 3] = [
            (|c| c.certificate = Some("/etc/ca.pem".into()), "exporter.certificate"),
            (|c| c.client_certificate = Some("/etc/client.pem".into()), "exporter.client_certificate"),
            (|c| c.client_key = Some("/etc/client.key".into()), "exporter.client_key"),
        ];
        for (set, expected) in cases {
            let config = with(set);
            let (key, message) = refusal(&config, "http://collector:4318", NONE).expect("refused");
            assert_eq!(key, Some(expected));
            assert!(message.starts_with(&format!("otel: {expected} = \"/etc/")), "{message}");
            assert!(message.contains("\"tls\" feature"), "{message}");
            assert_eq!(refusal(&config, "http://collector:4318", Compiled { tls: true, ..NONE }), None);
        }
    }

    #[test]
    fn zstd_needs_the_zstd_feature_and_gzip_nothing() {
        let zstd = exporter(Protocol::HttpProtobuf, Compression::Zstd);
        let (key, message) = refusal(&zstd, "http://c:4318", NONE).expect("refused");
        assert_eq!(key, Some("exporter.compression"));
        assert!(message.starts_with("otel: exporter.compression = \"zstd\" needs the \"zstd\" feature"), "{message}");
        assert_eq!(refusal(&zstd, "http://c:4318", Compiled { zstd: true, ..NONE }), None);
        assert_eq!(refusal(&exporter(Protocol::HttpJson, Compression::Gzip), "http://c:4318", NONE), None);
    }

    #[test]
    fn everything_compiled_in_refuses_nothing_and_the_protocol_is_named_first() {
        let mut config = exporter(Protocol::Grpc, Compression::Zstd);
        config.certificate = Some("/etc/ca.pem".into());
        assert_eq!(refusal(&config, "https://collector:4317", ALL), None);
        let (key, _) = refusal(&config, "https://collector:4317", NONE).expect("refused");
        assert_eq!(key, Some("exporter.protocol"));
        let (key, _) = refusal(&config, "https://collector:4317", Compiled { grpc: true, ..NONE }).expect("refused");
        assert_eq!(key, Some("exporter.endpoint"));
        let (key, _) = refusal(&config, "https://collector:4317", Compiled { zstd: false, ..ALL }).expect("refused");
        assert_eq!(key, Some("exporter.compression"));
    }
}
