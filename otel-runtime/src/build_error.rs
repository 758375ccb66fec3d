//! Why the pipeline could not be built, as data: [`BuildErrorKind`], [`BuildError`] (kind, key, the origin of the
//! key's value, the underlying error) and the detail its message is computed from.

use crate::transport::features::Feature;

/// What part of the pipeline could not be built ([`BuildError::kind`]).
///
/// ```
/// # use otel_runtime as otel;
/// assert_ne!(otel::BuildErrorKind::Tls, otel::BuildErrorKind::Endpoint);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildErrorKind {
    /// The export runtime (threads) could not start.
    Runtime,
    /// The endpoint URL is not one the client can use.
    Endpoint,
    /// A header name or value is not valid in HTTP.
    Header,
    /// A certificate or key file cannot be read or used, or no trusted root is available.
    Tls,
    /// A proxy from the environment cannot be used (e.g. a SOCKS proxy).
    Proxy,
    /// The protocol sends nothing over OTLP (`console`, `none`).
    Protocol,
    /// The configuration needs a cargo feature of otel-main that this build left out: `grpc` (protocol `grpc`),
    /// `tls` (an https endpoint, a certificate or key file), `zstd` (compression `zstd`). The message names the
    /// feature and the Cargo.toml line that adds it.
    Feature,
}

/// Why the pipeline could not be built: what ([`BuildError::kind`]), the configuration key at fault when there is
/// one ([`BuildError::key`]), and the underlying error when there is one (an unreadable certificate file's
/// [`std::io::Error`], a malformed PEM file's error, the TLS library's, the threads' that did not start), as
/// [`source`](std::error::Error::source). `Display` is computed from them: one line ready for stderr, naming the key
/// and the path or value at fault and ending with the underlying error's text when that says why (the rule of
/// every otel error: a message stands alone, `source()` gives the cause as data). Secrets never appear: endpoints
/// and proxies are shown with their credentials as `***`, headers by name only.
///
/// ```no_run
/// # use otel_runtime as otel;
/// let options = otel::StartOptions::new().service_name("demo");
/// if let Err(otel::StartError::Build(error)) = otel::start(options) {
///     eprintln!("{error} (kind {:?}, key {:?})", error.kind(), error.key());
///     let io = std::error::Error::source(&error).and_then(|cause| cause.downcast_ref::<std::io::Error>());
///     if let Some(io) = io {
///         eprintln!("I/O error: {:?}", io.kind());
///     }
/// }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct BuildError {
    kind: BuildErrorKind,
    key: Option<&'static str>,
    detail: Detail,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    /// Who set the key's value, once `start` knows it (`None` without a key, or from `pipeline::build` alone).
    /// (Boxed: `BuildError` travels in `Result`s, and most carry none.)
    origin: Option<Box<otel_config::Origin>>,
}

/// What the message says, beyond the kind and the key: the path, value or name at fault. Each variant's
/// documentation is its text (`<key>` is [`BuildError::key`], `<cause>` the source's text).
#[derive(Debug)]
pub(crate) enum Detail {
    /// `cannot start the export runtime: <cause>`.
    Runtime,
    /// `<key> = "<value>" needs the "<feature>" feature of otel-main, left out of this build: otel-main = …`.
    NeedsFeature { feature: Feature, value: String },
    /// `the https endpoint "<endpoint>" needs the "tls" feature …` (credentials redacted).
    HttpsNeedsTls { endpoint: String },
    /// `<key>: "<name>" is not a valid HTTP header name`.
    HeaderName { name: String },
    /// `<key>: the value of header "<name>" is not a valid HTTP header value` (never the value).
    HeaderValue { name: String },
    /// `invalid <client> endpoint "<endpoint>": <reason, else cause>` (credentials redacted).
    Endpoint { client: &'static str, endpoint: String, reason: Option<&'static str> },
    /// `<key>: exporter.protocol <protocol> sends nothing: no OTLP transport to build`.
    NoTransport { protocol: otel_config::Protocol },
    /// `the proxy <proxy> (from HTTPS_PROXY / HTTP_PROXY / ALL_PROXY) for <endpoint> is not supported: …`.
    UnsupportedProxy { proxy: String, endpoint: String },
    /// `<key>: cannot read "<path>": <cause>`.
    #[cfg_attr(not(feature = "tls"), allow(dead_code))]
    UnreadableFile { path: std::path::PathBuf },
    /// `<key>: "<path>" is not valid PEM: <cause>`.
    #[cfg_attr(not(feature = "tls"), allow(dead_code))]
    NotPem { path: std::path::PathBuf },
    /// `<key>: "<path>" holds no PEM certificate`.
    #[cfg_attr(not(feature = "tls"), allow(dead_code))]
    NoCertificate { path: std::path::PathBuf },
    /// `<key>: "<path>" holds no usable PEM private key: <cause>`.
    #[cfg_attr(not(feature = "tls"), allow(dead_code))]
    NoPrivateKey { path: std::path::PathBuf },
    /// `<key>: none of its <ignored> certificates is a usable CA certificate`.
    #[cfg_attr(not(feature = "tls"), allow(dead_code))]
    NoUsableCa { ignored: usize },
    /// `<set> is set but <key> is not (mTLS needs both)`.
    #[cfg_attr(not(feature = "tls"), allow(dead_code))]
    HalfIdentity { set: &'static str },
    /// `no trusted root certificate found on this system for the https endpoint; set <key>
    /// (OTEL_EXPORTER_OTLP_CERTIFICATE) to a CA file`, then ` (<cause>)` when there is one.
    #[cfg_attr(not(feature = "tls"), allow(dead_code))]
    NoTrustedRoot,
    /// `cannot set up TLS: <cause>`, or `cannot set up TLS for "<endpoint>": <cause>`.
    #[cfg_attr(not(feature = "tls"), allow(dead_code))]
    TlsSetup { endpoint: Option<String> },
    /// `<key> / <other>: <cause>` (the certificate and the key together are refused, e.g. they do not match).
    #[cfg_attr(not(feature = "tls"), allow(dead_code))]
    ClientIdentity { other: &'static str },
}

impl BuildError {
    /// The error of `kind` at `key`, described by `detail`, without an underlying error.
    pub(crate) fn new(kind: BuildErrorKind, key: Option<&'static str>, detail: Detail) -> BuildError {
        BuildError { kind, key, detail, source: None, origin: None }
    }

    /// The same error, with the origin of its key's value as `loaded` records it.
    pub(crate) fn with_origin(mut self, loaded: &otel_config::Loaded) -> Self {
        self.origin = self.key.map(|key| Box::new(loaded.origin(key).clone()));
        self
    }

    /// The same error, caused by `source` (its text ends the message where the detail says so).
    pub(crate) fn caused_by(mut self, source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// What could not be built.
    ///
    /// ```no_run
    /// # use otel_runtime as otel;
    /// if let Err(otel::StartError::Build(error)) = otel::start(otel::StartOptions::new()) {
    ///     assert_ne!(error.kind(), otel::BuildErrorKind::Runtime);
    /// }
    /// ```
    pub fn kind(&self) -> BuildErrorKind {
        self.kind
    }

    /// The configuration key at fault (`exporter.certificate`, `exporter.headers`, …), when one is.
    ///
    /// ```no_run
    /// # use otel_runtime as otel;
    /// if let Err(otel::StartError::Build(error)) = otel::start(otel::StartOptions::new()) {
    ///     println!("fix {}", error.key().unwrap_or("the environment"));
    /// }
    /// ```
    pub fn key(&self) -> Option<&'static str> {
        self.key
    }

    /// Where the key's value came from — the otel.toml, the variable or the macro argument that set it, or
    /// `Origin::Defaults` — when the error has a key and came from [`start`](crate::start) (which knows the
    /// layers); `None` otherwise. The message does not repeat it: the key is what to look for.
    ///
    /// ```no_run
    /// # use otel_runtime as otel;
    /// if let Err(otel::StartError::Build(error)) = otel::start(otel::StartOptions::new()) {
    ///     if let (Some(key), Some(origin)) = (error.key(), error.origin()) {
    ///         eprintln!("{key} was set by {origin}");
    ///     }
    /// }
    /// ```
    pub fn origin(&self) -> Option<&otel_config::Origin> {
        self.origin.as_deref()
    }

    /// The key as messages name it (every error that has a `<key>` in its text has a key).
    fn key_shown(&self) -> &'static str {
        self.key.unwrap_or("the configuration")
    }
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let key = self.key_shown();
        let path = |path: &std::path::Path| format!("{:?}", path.display().to_string());
        f.write_str("otel: ")?;
        // The message, then (for the details that say why through their cause) `: <cause>`.
        let ends_with_cause = match &self.detail {
            Detail::Runtime => f.write_str("cannot start the export runtime").map(|()| true),
            Detail::NeedsFeature { feature, value } => {
                write!(f, "{key} = {value:?} {}", feature.left_out()).map(|()| false)
            }
            Detail::HttpsNeedsTls { endpoint } => {
                write!(f, "the https endpoint {endpoint:?} {}", Feature::Tls.left_out()).map(|()| false)
            }
            Detail::HeaderName { name } => write!(f, "{key}: {name:?} is not a valid HTTP header name").map(|()| false),
            Detail::HeaderValue { name } => {
                write!(f, "{key}: the value of header {name:?} is not a valid HTTP header value").map(|()| false)
            }
            Detail::Endpoint { client, endpoint, reason: Some(reason) } => {
                write!(f, "invalid {client} endpoint {endpoint:?}: {reason}").map(|()| false)
            }
            Detail::Endpoint { client, endpoint, reason: None } => {
                write!(f, "invalid {client} endpoint {endpoint:?}").map(|()| true)
            }
            Detail::NoTransport { protocol } => {
                write!(f, "{key} {protocol} sends nothing: no OTLP transport to build").map(|()| false)
            }
            Detail::UnsupportedProxy { proxy, endpoint } => write!(
                f,
                "the proxy {proxy} (from HTTPS_PROXY / HTTP_PROXY / ALL_PROXY) for {endpoint} is not supported: only \
                 http:// proxies are; add the collector's host to NO_PROXY to send without a proxy"
            )
            .map(|()| false),
            Detail::UnreadableFile { path: p } => write!(f, "{key}: cannot read {}", path(p)).map(|()| true),
            Detail::NotPem { path: p } => write!(f, "{key}: {} is not valid PEM", path(p)).map(|()| true),
            Detail::NoCertificate { path: p } => {
                write!(f, "{key}: {} holds no PEM certificate", path(p)).map(|()| false)
            }
            Detail::NoPrivateKey { path: p } => {
                write!(f, "{key}: {} holds no usable PEM private key", path(p)).map(|()| true)
            }
            Detail::NoUsableCa { ignored } => {
                write!(f, "{key}: none of its {ignored} certificates is a usable CA certificate").map(|()| false)
            }
            Detail::HalfIdentity { set } => {
                write!(f, "{set} is set but {key} is not (mTLS needs both)").map(|()| false)
            }
            Detail::NoTrustedRoot => {
                write!(
                    f,
                    "no trusted root certificate found on this system for the https endpoint; set {key} \
                     (OTEL_EXPORTER_OTLP_CERTIFICATE) to a CA file"
                )?;
                // The TLS library's own words, in parentheses: the sentence above is the point.
                if let Some(source) = &self.source {
                    write!(f, " ({})", crate::transport::chain_message(&**source))?;
                }
                Ok(false)
            }
            Detail::TlsSetup { endpoint: None } => f.write_str("cannot set up TLS").map(|()| true),
            Detail::TlsSetup { endpoint: Some(endpoint) } => {
                write!(f, "cannot set up TLS for {endpoint:?}").map(|()| true)
            }
            Detail::ClientIdentity { other } => write!(f, "{key} / {other}").map(|()| true),
        }?;
        match &self.source {
            // The underlying error's text, with its own sources (a TLS library error wraps the reason).
            Some(source) if ends_with_cause => write!(f, ": {}", crate::transport::chain_message(&**source)),
            _ => Ok(()),
        }
    }
}

/// The underlying error, whose text also ends the message (see [`BuildError`]).
impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod build_error_tests {
    use super::{BuildError, BuildErrorKind as Kind, Detail};
    use crate::transport::features::Feature;
    use otel_config::__private::key;
    use std::error::Error;

    fn io(text: &str) -> std::io::Error {
        std::io::Error::other(text.to_string())
    }

    /// Every message, computed from the kind, the key, the detail and the cause, is the text it was when each was
    /// written out by hand (the messages users and tests already know).
    #[test]
    fn messages_are_computed_from_the_fields() {
        let path = || std::path::PathBuf::from("/etc/otel/ca.pem");
        let cases: Vec<(BuildError, &str)> = vec![
            (
                BuildError::new(Kind::Runtime, None, Detail::Runtime).caused_by(io("no threads")),
                "otel: cannot start the export runtime: no threads",
            ),
            (
                BuildError::new(
                    Kind::Feature,
                    Some(key::EXPORTER_COMPRESSION),
                    Detail::NeedsFeature { feature: Feature::Zstd, value: "zstd".into() },
                ),
                "otel: exporter.compression = \"zstd\" needs the \"zstd\" feature of otel-main, left out of this \
                 build: otel-main = { version = \"0.1\", features = [\"zstd\"] }",
            ),
            (
                BuildError::new(
                    Kind::Feature,
                    Some(key::EXPORTER_ENDPOINT),
                    Detail::HttpsNeedsTls { endpoint: "https://***@c:4318".into() },
                ),
                "otel: the https endpoint \"https://***@c:4318\" needs the \"tls\" feature of otel-main, left out of \
                 this build: otel-main = { version = \"0.1\", features = [\"tls\"] }",
            ),
            (
                BuildError::new(Kind::Header, Some(key::EXPORTER_HEADERS), Detail::HeaderName { name: "a b".into() }),
                "otel: exporter.headers: \"a b\" is not a valid HTTP header name",
            ),
            (
                BuildError::new(Kind::Header, Some(key::EXPORTER_HEADERS), Detail::HeaderValue { name: "x".into() }),
                "otel: exporter.headers: the value of header \"x\" is not a valid HTTP header value",
            ),
            (
                BuildError::new(
                    Kind::Endpoint,
                    None,
                    Detail::Endpoint { client: "HTTP", endpoint: "http://c".into(), reason: Some("no host") },
                ),
                "otel: invalid HTTP endpoint \"http://c\": no host",
            ),
            (
                BuildError::new(
                    Kind::Endpoint,
                    None,
                    Detail::Endpoint { client: "gRPC", endpoint: "http://c d".into(), reason: None },
                )
                .caused_by(io("invalid uri character")),
                "otel: invalid gRPC endpoint \"http://c d\": invalid uri character",
            ),
            (
                BuildError::new(
                    Kind::Protocol,
                    Some(key::EXPORTER_PROTOCOL),
                    Detail::NoTransport { protocol: otel_config::Protocol::Console },
                ),
                "otel: exporter.protocol console sends nothing: no OTLP transport to build",
            ),
            (
                BuildError::new(
                    Kind::Proxy,
                    None,
                    Detail::UnsupportedProxy { proxy: "socks5://***@p:1080".into(), endpoint: "http://c:4318/".into() },
                ),
                "otel: the proxy socks5://***@p:1080 (from HTTPS_PROXY / HTTP_PROXY / ALL_PROXY) for http://c:4318/ is \
                 not supported: only http:// proxies are; add the collector's host to NO_PROXY to send without a proxy",
            ),
            (
                BuildError::new(Kind::Tls, Some(key::EXPORTER_CERTIFICATE), Detail::UnreadableFile { path: path() })
                    .caused_by(io("denied")),
                "otel: exporter.certificate: cannot read \"/etc/otel/ca.pem\": denied",
            ),
            (
                BuildError::new(Kind::Tls, Some(key::EXPORTER_CERTIFICATE), Detail::NotPem { path: path() })
                    .caused_by(io("bad base64")),
                "otel: exporter.certificate: \"/etc/otel/ca.pem\" is not valid PEM: bad base64",
            ),
            (
                BuildError::new(Kind::Tls, Some(key::EXPORTER_CERTIFICATE), Detail::NoCertificate { path: path() }),
                "otel: exporter.certificate: \"/etc/otel/ca.pem\" holds no PEM certificate",
            ),
            (
                BuildError::new(Kind::Tls, Some(key::EXPORTER_CLIENT_KEY), Detail::NoPrivateKey { path: path() })
                    .caused_by(io("no items found")),
                "otel: exporter.client_key: \"/etc/otel/ca.pem\" holds no usable PEM private key: no items found",
            ),
            (
                BuildError::new(Kind::Tls, Some(key::EXPORTER_CERTIFICATE), Detail::NoUsableCa { ignored: 2 }),
                "otel: exporter.certificate: none of its 2 certificates is a usable CA certificate",
            ),
            (
                BuildError::new(
                    Kind::Tls,
                    Some(key::EXPORTER_CLIENT_KEY),
                    Detail::HalfIdentity { set: key::EXPORTER_CLIENT_CERTIFICATE },
                ),
                "otel: exporter.client_certificate is set but exporter.client_key is not (mTLS needs both)",
            ),
            (
                BuildError::new(Kind::Tls, Some(key::EXPORTER_CERTIFICATE), Detail::NoTrustedRoot),
                "otel: no trusted root certificate found on this system for the https endpoint; set \
                 exporter.certificate (OTEL_EXPORTER_OTLP_CERTIFICATE) to a CA file",
            ),
            (
                BuildError::new(Kind::Tls, Some(key::EXPORTER_CERTIFICATE), Detail::NoTrustedRoot)
                    .caused_by(io("no native root CA certificates found")),
                "otel: no trusted root certificate found on this system for the https endpoint; set \
                 exporter.certificate (OTEL_EXPORTER_OTLP_CERTIFICATE) to a CA file (no native root CA certificates \
                 found)",
            ),
            (
                BuildError::new(Kind::Tls, None, Detail::TlsSetup { endpoint: None }).caused_by(io("no versions")),
                "otel: cannot set up TLS: no versions",
            ),
            (
                BuildError::new(Kind::Tls, None, Detail::TlsSetup { endpoint: Some("https://c".into()) })
                    .caused_by(io("bad")),
                "otel: cannot set up TLS for \"https://c\": bad",
            ),
            (
                BuildError::new(
                    Kind::Tls,
                    Some(key::EXPORTER_CLIENT_CERTIFICATE),
                    Detail::ClientIdentity { other: key::EXPORTER_CLIENT_KEY },
                )
                .caused_by(io("key mismatch")),
                "otel: exporter.client_certificate / exporter.client_key: key mismatch",
            ),
        ];
        for (error, expected) in cases {
            assert_eq!(error.to_string(), expected, "{error:?}");
        }
        // Without its cause, a message that would end with it ends before it (no dangling `: `).
        let alone = BuildError::new(Kind::Runtime, None, Detail::Runtime);
        assert_eq!(alone.to_string(), "otel: cannot start the export runtime");
    }

    #[test]
    fn the_source_is_the_underlying_error() {
        let error = BuildError::new(Kind::Runtime, None, Detail::Runtime)
            .caused_by(std::io::Error::from(std::io::ErrorKind::OutOfMemory));
        let source = error.source().expect("a source");
        assert_eq!(
            source.downcast_ref::<std::io::Error>().map(std::io::Error::kind),
            Some(std::io::ErrorKind::OutOfMemory)
        );
        assert!(BuildError::new(Kind::Tls, Some(key::EXPORTER_CERTIFICATE), Detail::NoTrustedRoot).source().is_none());
        // A start error is transparent: its source is the build error's.
        let start = crate::StartError::Build(error);
        let io = start.source().and_then(|e| e.downcast_ref::<std::io::Error>()).expect("the I/O error");
        assert_eq!(io.kind(), std::io::ErrorKind::OutOfMemory);
        assert!(crate::StartError::AlreadyStarted.source().is_none());
    }

    #[test]
    fn a_start_errors_source_is_the_unreadable_files_io_error() {
        let missing = std::path::Path::new("/nonexistent/otel-runtime/otel.toml");
        let err = otel_config::__private::check_path(missing, missing).expect_err("no such file");
        let start = crate::StartError::Config(err.clone());
        assert_eq!(start.to_string(), err.to_string());
        let io = start.source().and_then(|e| e.downcast_ref::<std::io::Error>()).expect("the I/O error");
        assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
    }

    /// A certificate that cannot be read, set by a variable: the error names the key, and the origin says which
    /// variable set it; set by the otel.toml, the file. Without `start`'s layers there is no origin.
    #[cfg(feature = "tls")]
    #[test]
    fn a_build_error_knows_who_set_its_key() {
        let missing = "/nonexistent/otel-runtime/ca.pem";
        let built = |loaded: &otel_config::Loaded| {
            let mut config = loaded.config.clone();
            config.exporter.on_invalid = otel_config::OnInvalid::Exit;
            match crate::pipeline::build(&config, None, crate::pipeline::Injected::default()) {
                Ok(_) => panic!("a missing certificate must not build"),
                Err(error) => error,
            }
        };
        let by_variable = otel_config::load_with_text(
            &otel_config::LoadOptions::new().env([("OTEL_EXPORTER_OTLP_CERTIFICATE", missing)]),
            None,
        )
        .unwrap();
        let error = built(&by_variable);
        assert_eq!(error.key(), Some(key::EXPORTER_CERTIFICATE));
        assert_eq!(error.origin(), None, "pipeline::build alone does not know the layers");
        let error = error.with_origin(&by_variable);
        assert_eq!(error.origin(), Some(&otel_config::Origin::Env("OTEL_EXPORTER_OTLP_CERTIFICATE".into())));

        let toml = format!("[exporter]\ncertificate = \"{missing}\"\n");
        let file = std::path::Path::new("/srv/app/otel.toml");
        let by_file =
            otel_config::load_with_text(&otel_config::LoadOptions::new().env([("X", "")]), Some((file, &toml)))
                .unwrap();
        let error = built(&by_file).with_origin(&by_file);
        assert_eq!(error.origin(), Some(&otel_config::Origin::File(file.to_path_buf())));
        // The message is the same either way: the key is what to look for.
        assert_eq!(error.to_string(), built(&by_variable).to_string());
    }

    #[test]
    fn build_errors_can_cross_threads() {
        fn send_sync<T: Send + Sync + 'static>() {}
        send_sync::<BuildError>();
        send_sync::<crate::StartError>();
    }
}
