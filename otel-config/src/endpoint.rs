//! The spec's endpoint rules: which URL the trace exporter sends to, and which endpoints are valid.

use crate::enums::{Protocol, Signal};
use crate::model::ExporterConfig;

/// The default gRPC endpoint.
const GRPC_DEFAULT: &str = "http://localhost:4317";
/// The default HTTP traces URL.
const HTTP_DEFAULT_BASE: &str = "http://localhost:4318";

impl ExporterConfig {
    /// The exact URL the exporter sends to, by the spec's endpoint rules.
    ///
    /// - `traces_endpoint` is used as is (HTTP: no path means `/`); it wins over `endpoint`.
    /// - `endpoint` is a base URL: HTTP ensures one trailing slash and appends `v1/traces`; gRPC uses it as is.
    /// - Defaults: `http://localhost:4317` (gRPC), `http://localhost:4318/v1/traces` (HTTP).
    /// - gRPC endpoints without a scheme get `https://`, or `http://` when `insecure` is true.
    ///
    /// `console` and `none` follow the HTTP rules (they send nothing).
    ///
    /// ```
    /// let mut exporter = otel_config::ExporterConfig::default();
    /// exporter.endpoint = Some("http://c:4318/mycollector/".into());
    /// assert_eq!(exporter.traces_url(), "http://c:4318/mycollector/v1/traces");
    /// exporter.traces_endpoint = Some("http://c:4318".into());
    /// assert_eq!(exporter.traces_url(), "http://c:4318/");
    ///
    /// let mut grpc = otel_config::ExporterConfig::default();
    /// grpc.protocol = otel_config::Protocol::Grpc;
    /// assert_eq!(grpc.traces_url(), "http://localhost:4317");
    /// grpc.endpoint = Some("collector:4317".into());
    /// assert_eq!(grpc.traces_url(), "https://collector:4317");
    /// grpc.insecure = true;
    /// assert_eq!(grpc.traces_url(), "http://collector:4317");
    /// ```
    pub fn traces_url(&self) -> String {
        self.url(Signal::Traces)
    }

    /// The exact URL `signal` is sent to, by the rules of [`traces_url`](Self::traces_url): the signal's own
    /// endpoint (`traces_endpoint`, `logs_endpoint`, `metrics_endpoint`) as is, else `endpoint` with the signal's
    /// path (`v1/logs`, …) for HTTP.
    ///
    /// ```
    /// use otel_config::Signal;
    /// let mut exporter = otel_config::ExporterConfig::default();
    /// assert_eq!(exporter.url(Signal::Logs), "http://localhost:4318/v1/logs");
    /// exporter.endpoint = Some("http://c:4318".into());
    /// exporter.metrics_endpoint = Some("http://m:9090/otlp".into());
    /// assert_eq!(exporter.url(Signal::Logs), "http://c:4318/v1/logs");
    /// assert_eq!(exporter.url(Signal::Metrics), "http://m:9090/otlp");
    /// ```
    pub fn url(&self, signal: Signal) -> String {
        let grpc = self.protocol == Protocol::Grpc;
        let own = match signal {
            Signal::Traces => self.traces_endpoint.as_deref(),
            Signal::Logs => self.logs_endpoint.as_deref(),
            Signal::Metrics => self.metrics_endpoint.as_deref(),
        };
        if let Some(url) = own {
            return if grpc { self.with_grpc_scheme(url) } else { with_root_path(url) };
        }
        match (self.endpoint.as_deref(), grpc) {
            (Some(base), true) => self.with_grpc_scheme(base),
            (Some(base), false) => format!("{}/{}", base.trim_end_matches('/'), signal.http_path()),
            (None, true) => GRPC_DEFAULT.to_string(),
            (None, false) => format!("{HTTP_DEFAULT_BASE}/{}", signal.http_path()),
        }
    }

    /// [`url`](Self::url) with any credentials replaced by `***` ([`redacted`]).
    ///
    /// ```
    /// let mut exporter = otel_config::ExporterConfig::default();
    /// exporter.endpoint = Some("http://user:s3cret@c:4318".into());
    /// assert_eq!(exporter.url_redacted(otel_config::Signal::Logs), "http://***@c:4318/v1/logs");
    /// ```
    pub fn url_redacted(&self, signal: Signal) -> String {
        redacted(&self.url(signal))
    }

    /// [`traces_url`](Self::traces_url) with any credentials replaced by `***` ([`redacted`]): the form every
    /// message, log line and report must use.
    ///
    /// ```
    /// let mut exporter = otel_config::ExporterConfig::default();
    /// exporter.endpoint = Some("http://user:s3cret@c:4318".into());
    /// assert_eq!(exporter.traces_url_redacted(), "http://***@c:4318/v1/traces");
    /// ```
    pub fn traces_url_redacted(&self) -> String {
        redacted(&self.traces_url())
    }

    fn with_grpc_scheme(&self, url: &str) -> String {
        if url.contains("://") {
            url.to_string()
        } else if self.insecure {
            format!("http://{url}")
        } else {
            format!("https://{url}")
        }
    }
}

/// The URL with its credentials (the userinfo before `@`) replaced by `***`, for every message that shows an
/// endpoint: `http://user:pass@host:4318/v1/traces` → `http://***@host:4318/v1/traces`.
///
/// Credentials in an endpoint URL are sent as Basic authorization and never printed. The rule errs on the safe
/// side for text that is not a well-formed URL (a password with an unencoded `/`, `?` or `#`): everything between
/// the scheme's `://` (or the start, for gRPC's `host:port`) and the **last** `@` is hidden, so an `@` in a path
/// or query hides more than needed, never less. Text without `@` is returned unchanged.
///
/// ```
/// use otel_config::redacted;
/// assert_eq!(redacted("http://user:pass@host:4318/v1/traces"), "http://***@host:4318/v1/traces");
/// assert_eq!(redacted("user:pass@collector:4317"), "***@collector:4317");
/// assert_eq!(redacted("https://u:p/a#ss@h"), "https://***@h");
/// assert_eq!(redacted("http://localhost:4318"), "http://localhost:4318");
/// ```
pub fn redacted(url: &str) -> String {
    let Some(at) = url.rfind('@') else {
        return url.to_string();
    };
    let start = match url.find("://") {
        Some(scheme_end) if scheme_end < at => scheme_end + 3,
        _ => 0,
    };
    format!("{}***{}", &url[..start], &url[at..])
}

/// `http://host:port` becomes `http://host:port/`; a URL with a path is unchanged.
fn with_root_path(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    if rest[end..].starts_with('/') {
        return url.to_string();
    }
    format!("{scheme}://{}/{}", &rest[..end], &rest[end..])
}

/// Checks an endpoint for `protocol`: an absolute `http`/`https` URL with a host; gRPC (and `console`/`none`,
/// which send nothing) also accept `host:port` without a scheme. The error says what is wrong.
pub(crate) fn check_endpoint(url: &str, protocol: Protocol) -> Result<(), String> {
    let expected = if protocol.is_http() {
        "expected an absolute http:// or https:// URL such as \"http://localhost:4318\""
    } else {
        "expected an http:// or https:// URL such as \"http://localhost:4317\", or host:port"
    };
    if !url.contains("://") {
        if protocol.is_http() {
            return Err(format!("missing scheme; {expected}"));
        }
        let uri: http::Uri =
            format!("http://{url}").parse().map_err(|_| format!("not a valid host:port; {expected}"))?;
        if uri.host().is_none_or(str::is_empty) || !matches!(uri.path(), "" | "/") || uri.query().is_some() {
            return Err(format!("not a valid host:port; {expected}"));
        }
        return Ok(());
    }
    let uri: http::Uri =
        url.parse().map_err(|e: http::uri::InvalidUri| format!("not a valid URL ({e}); {expected}"))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        Some(other) => return Err(format!("unsupported scheme \"{other}\"; {expected}")),
        None => return Err(format!("missing scheme; {expected}")),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(format!("missing host; {expected}"));
    }
    Ok(())
}
