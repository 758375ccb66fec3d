//! HTTP(S) proxies from `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` / `NO_PROXY`, and the TCP connector both
//! clients use (direct, through a CONNECT tunnel, or to a forward proxy), with TCP keepalive and a connect timeout.
//!
//! The variables follow reqwest's rules, through hyper-util's `Matcher` (the code reqwest itself uses): each
//! variable in upper or lower case, the UPPER case winning when both are set; `ALL_PROXY` for whatever `HTTP_PROXY`
//! / `HTTPS_PROXY` leave unset; `NO_PROXY` a comma list of hosts (matching their subdomains too, with or without a
//! leading dot), IP addresses, CIDR blocks and `*`. When `REQUEST_METHOD` is set (a CGI program), `HTTP_PROXY` is
//! ignored (httpoxy). The endpoint never changes, so the decision is made once, at build time.
//!
//! OTLP/HTTP sends `http://` requests to the proxy as a forward proxy (absolute-form request target, the proxy's
//! credentials in `Proxy-Authorization`), and tunnels `https://` with CONNECT before TLS. OTLP/gRPC always tunnels
//! (as grpc-go and grpc-java do), TLS being applied by tonic on top of the tunnel.
//!
//! Why our own CONNECT rather than hyper-util's `Tunnel`: its error drops the proxy's status code, which is the one
//! thing a user needs to fix a refusal (403 policy, 407 credentials, 502 upstream down).

use super::credentials::redact_userinfo;
use crate::build_error::Detail;
use crate::{BuildError, BuildErrorKind};
use http::{HeaderValue, Uri};
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tower_service::Service;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A CONNECT answer's head larger than this is refused (a proxy's answer is a few hundred bytes).
const MAX_CONNECT_RESPONSE: usize = 8 * 1024;

/// The proxy variables, read once. Built by [`ProxySettings::from_env`] in production, explicitly in tests (so that
/// no test sets process-wide environment variables).
#[derive(Clone, Default)]
pub(crate) struct ProxySettings {
    all: String,
    http: String,
    https: String,
    no: String,
}

/// Shows which proxies are set, their credentials redacted.
impl std::fmt::Debug for ProxySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxySettings")
            .field("all", &redact_userinfo(&self.all))
            .field("http", &redact_userinfo(&self.http))
            .field("https", &redact_userinfo(&self.https))
            .field("no", &self.no)
            .finish()
    }
}

impl ProxySettings {
    /// From the process environment (see the module documentation for the rules).
    pub(crate) fn from_env() -> ProxySettings {
        ProxySettings::from_lookup(|name| std::env::var(name).ok())
    }

    /// From any variable lookup: the rules of [`ProxySettings::from_env`] without touching the environment.
    pub(crate) fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> ProxySettings {
        // UPPER case first, as reqwest (and Go's net/http); an empty value counts as unset.
        let first = |names: [&str; 2]| {
            names.iter().filter_map(|name| lookup(name)).find(|value| !value.trim().is_empty()).unwrap_or_default()
        };
        let cgi = lookup("REQUEST_METHOD").is_some();
        ProxySettings {
            all: first(["ALL_PROXY", "all_proxy"]),
            // httpoxy: in a CGI program, `HTTP_PROXY` may come from a request's `Proxy:` header.
            http: if cgi { String::new() } else { first(["HTTP_PROXY", "http_proxy"]) },
            https: first(["HTTPS_PROXY", "https_proxy"]),
            no: first(["NO_PROXY", "no_proxy"]),
        }
    }

    /// No proxy at all.
    #[cfg(all(test, feature = "grpc", feature = "tls", feature = "zstd"))] // for transport/tests.rs
    pub(crate) fn none() -> ProxySettings {
        ProxySettings::default()
    }

    /// `ALL_PROXY` = `proxy` and `NO_PROXY` = `no` (for tests).
    #[cfg(all(test, feature = "grpc", feature = "tls", feature = "zstd"))] // for transport/tests.rs
    pub(crate) fn all(proxy: &str, no: &str) -> ProxySettings {
        ProxySettings { all: proxy.into(), no: no.into(), ..ProxySettings::default() }
    }

    /// The proxy to use for `endpoint` (already without userinfo), if any. A proxy we cannot speak to (SOCKS, or
    /// TLS to the proxy itself) is a build error: going around it would probably fail too, and silently.
    pub(super) fn for_endpoint(&self, endpoint: &Uri) -> Result<Option<Arc<Proxy>>, BuildError> {
        // Two NO_PROXY forms `Matcher` lacks: `*` matching IP addresses too (it only matches names there), and
        // `host:port` entries (as curl and Go), which only bypass the proxy for that port.
        let port = endpoint.port_u16().unwrap_or(if endpoint.scheme_str() == Some("https") { 443 } else { 80 });
        let mut no = Vec::new();
        for entry in self.no.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if entry == "*" {
                return Ok(None);
            }
            match split_port(entry) {
                Some((host, entry_port)) => {
                    if entry_port == port && host_matches(host, endpoint) {
                        return Ok(None);
                    }
                }
                None => no.push(entry),
            }
        }
        let matcher = Matcher::builder()
            .all(self.all.clone())
            .http(self.http.clone())
            .https(self.https.clone())
            .no(no.join(","))
            .build();
        let Some(intercept) = matcher.intercept(endpoint) else {
            return Ok(None);
        };
        let uri = intercept.uri();
        let auth = intercept.basic_auth().cloned();
        // (`Matcher` gives SOCKS credentials raw: redacted the same.)
        let credentials = auth.is_some() || intercept.raw_auth().is_some();
        let authority = uri.authority().map(|a| a.as_str()).unwrap_or("");
        let scheme = uri.scheme_str().unwrap_or("http");
        let shown = format!("{scheme}://{}{authority}", if credentials { "***@" } else { "" });
        if uri.scheme_str() != Some("http") {
            // Both URLs shown with their credentials as `***`.
            let detail = Detail::UnsupportedProxy { proxy: shown, endpoint: redact_userinfo(&endpoint.to_string()) };
            return Err(BuildError::new(BuildErrorKind::Proxy, None, detail));
        }
        let port = uri.port_u16().unwrap_or(80);
        let host = uri.host().unwrap_or("").trim_start_matches('[').trim_end_matches(']').to_string();
        Ok(Some(Arc::new(Proxy { host, port, authorization: auth, shown })))
    }
}

/// A NO_PROXY entry `host:port` (`[v6]:port` for IPv6) as its parts; `None` without a port.
fn split_port(entry: &str) -> Option<(&str, u16)> {
    let (host, port) = entry.rsplit_once(':')?;
    if host.is_empty() || port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // A bare IPv6 address (`::1`, `fe80::1`) has colons without a port.
    if host.contains(':') && !(host.starts_with('[') && host.ends_with(']')) {
        return None;
    }
    Some((host, port.parse().ok()?))
}

/// Whether NO_PROXY entry `host` (a name, suffix, address or CIDR block) covers `endpoint`'s host, by `Matcher`'s
/// rules.
fn host_matches(host: &str, endpoint: &Uri) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Matcher::builder().all("http://proxy.invalid").no(host).build().intercept(endpoint).is_none()
}

/// The proxy of one transport.
pub(super) struct Proxy {
    host: String,
    port: u16,
    /// `Proxy-Authorization` (from the proxy URL's userinfo), marked sensitive.
    authorization: Option<HeaderValue>,
    /// The proxy URL as shown in messages: `http://***@proxy:3128` when it has credentials.
    shown: String,
}

impl Proxy {
    /// The value of `Proxy-Authorization`, if the proxy URL carries credentials.
    pub(super) fn authorization(&self) -> Option<&HeaderValue> {
        self.authorization.as_ref()
    }

    /// The proxy URL for messages (credentials redacted).
    pub(super) fn shown(&self) -> &str {
        &self.shown
    }
}

/// Why the proxy did not get us a connection. Classified as [`crate::health::ErrorKind::Proxy`].
#[derive(Debug)]
pub(super) struct ProxyError {
    /// The proxy, credentials redacted.
    pub(super) proxy: String,
    pub(super) cause: ProxyCause,
}

/// What went wrong with the proxy.
#[derive(Debug)]
pub(super) enum ProxyCause {
    /// The TCP connection to the proxy failed (refused, DNS, timeout).
    Connect(BoxError),
    /// The proxy answered CONNECT with a non-2xx status.
    Refused { target: String, status: u16, reason: String },
    /// The proxy's CONNECT answer was malformed, too large, or the connection broke during it.
    Handshake(String),
}

impl std::fmt::Display for ProxyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.cause {
            ProxyCause::Connect(_) => write!(f, "cannot connect to proxy {}", self.proxy),
            ProxyCause::Refused { target, status, reason } => {
                let answer = format!("HTTP {status} {reason}");
                write!(f, "proxy {} refused CONNECT {target}: {}", self.proxy, answer.trim_end())
            }
            ProxyCause::Handshake(what) => write!(f, "proxy {}: {what}", self.proxy),
        }
    }
}

impl std::error::Error for ProxyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.cause {
            ProxyCause::Connect(e) => Some(&**e),
            _ => None,
        }
    }
}

/// The connector of both clients: TCP (keepalive, nodelay, connect timeout), through the proxy if there is one.
#[derive(Clone)]
pub(super) struct Connector {
    tcp: HttpConnector,
    proxy: Option<Arc<Proxy>>,
    /// gRPC tunnels `http://` targets too; OTLP/HTTP sends them to the proxy as a forward proxy.
    tunnel_http: bool,
    connect_timeout: Duration,
}

/// TCP keepalive: a dead peer is noticed by the kernel after about 30 s + 3 × 10 s of silence, even between
/// exports.
const TCP_KEEPALIVE: Duration = Duration::from_secs(30);
const TCP_KEEPALIVE_INTERVAL: Duration = Duration::from_secs(10);

impl Connector {
    /// Connects directly, or through `proxy`: by CONNECT for `https://` targets (and for `http://` ones too when
    /// `tunnel_http`, as gRPC needs), else as a forward proxy. `connect_timeout` bounds the TCP connect and the
    /// CONNECT handshake each.
    pub(super) fn new(proxy: Option<Arc<Proxy>>, tunnel_http: bool, connect_timeout: Duration) -> Connector {
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        tcp.set_keepalive(Some(TCP_KEEPALIVE));
        tcp.set_keepalive_interval(Some(TCP_KEEPALIVE_INTERVAL));
        tcp.set_keepalive_retries(Some(3));
        tcp.set_connect_timeout(Some(connect_timeout));
        Connector { tcp, proxy, tunnel_http, connect_timeout }
    }

    /// Whether `http://` requests go to a forward proxy (then they need the absolute form and
    /// `Proxy-Authorization`).
    pub(super) fn forward_proxy(&self) -> Option<&Proxy> {
        self.proxy.as_deref().filter(|_| !self.tunnel_http)
    }

    /// The proxy used, for `Debug` (credentials redacted).
    pub(super) fn proxy_shown(&self) -> Option<&str> {
        self.proxy.as_deref().map(Proxy::shown)
    }
}

/// A connection made by [`Connector`]: a TCP stream, to the target, a tunnel, or a forward proxy.
pub(super) struct ProxyStream {
    io: TokioIo<TcpStream>,
    /// To a forward proxy: hyper then writes absolute-form request targets.
    forward: bool,
}

impl Service<Uri> for Connector {
    type Response = ProxyStream;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<ProxyStream, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Service::<Uri>::poll_ready(&mut self.tcp, cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let mut tcp = self.tcp.clone();
        let Some(proxy) = self.proxy.clone() else {
            return Box::pin(async move {
                let io = Service::call(&mut tcp, dst).await?;
                Ok(ProxyStream { io, forward: false })
            });
        };
        let https = dst.scheme_str() == Some("https");
        let tunnel = https || self.tunnel_http;
        let connect_timeout = self.connect_timeout;
        Box::pin(async move {
            let proxy_uri: Uri = format!("http://{}", authority(&proxy.host, proxy.port))
                .parse()
                .map_err(|e| proxy_error(&proxy, ProxyCause::Handshake(format!("invalid proxy address: {e}"))))?;
            let mut io = Service::call(&mut tcp, proxy_uri)
                .await
                .map_err(|e| proxy_error(&proxy, ProxyCause::Connect(e.into())))?;
            if !tunnel {
                return Ok(ProxyStream { io, forward: true });
            }
            let host = dst.host().unwrap_or("").trim_start_matches('[').trim_end_matches(']');
            let target = authority(host, dst.port_u16().unwrap_or(if https { 443 } else { 80 }));
            match tokio::time::timeout(connect_timeout, connect(io.inner_mut(), &target, proxy.authorization())).await {
                Ok(Ok(())) => Ok(ProxyStream { io, forward: false }),
                Ok(Err(cause)) => Err(proxy_error(&proxy, cause)),
                Err(_) => Err(proxy_error(
                    &proxy,
                    ProxyCause::Handshake(format!("no answer to CONNECT {target} within {connect_timeout:?}")),
                )),
            }
        })
    }
}

fn proxy_error(proxy: &Proxy, cause: ProxyCause) -> BoxError {
    Box::new(ProxyError { proxy: proxy.shown.clone(), cause })
}

/// `host:port`, with brackets around an IPv6 address.
fn authority(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// The CONNECT handshake on `stream`. The answer is read one byte at a time up to its blank line, so that nothing
/// the target sends after it is taken away from the tunnel.
async fn connect(stream: &mut TcpStream, target: &str, authorization: Option<&HeaderValue>) -> Result<(), ProxyCause> {
    let mut request = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n").into_bytes();
    if let Some(value) = authorization {
        request.extend_from_slice(b"Proxy-Authorization: ");
        request.extend_from_slice(value.as_bytes());
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"\r\n");
    let broken = |e: io::Error| ProxyCause::Handshake(format!("connection broken during CONNECT {target}: {e}"));
    stream.write_all(&request).await.map_err(broken)?;
    let mut head = Vec::with_capacity(256);
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() >= MAX_CONNECT_RESPONSE {
            return Err(ProxyCause::Handshake(format!("answer to CONNECT {target} larger than 8 KiB")));
        }
        let byte = stream.read_u8().await.map_err(broken)?;
        head.push(byte);
    }
    let (status, reason) = parse_status_line(&head).ok_or_else(|| {
        ProxyCause::Handshake(format!("answer to CONNECT {target} is not HTTP: {:?}", excerpt(&head)))
    })?;
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(ProxyCause::Refused { target: target.to_string(), status, reason })
    }
}

/// `HTTP/1.x NNN reason` → `(NNN, reason)`.
fn parse_status_line(head: &[u8]) -> Option<(u16, String)> {
    let line = head.split(|&b| b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?.trim_end();
    let rest = line.strip_prefix("HTTP/1.")?;
    let mut parts = rest.splitn(3, ' ');
    let _minor = parts.next()?;
    let code = parts.next()?;
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let reason = parts.next().unwrap_or("").chars().filter(|c| !c.is_control()).take(100).collect();
    Some((code.parse().ok()?, reason))
}

fn excerpt(bytes: &[u8]) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(60)]).into_owned()
}

impl Connection for ProxyStream {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.forward)
    }
}

impl hyper::rt::Read for ProxyStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for ProxyStream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }
}

#[cfg(all(test, feature = "grpc", feature = "tls", feature = "zstd"))] // for transport/tests.rs
pub(super) fn parse_status_line_for_test(head: &[u8]) -> Option<(u16, String)> {
    parse_status_line(head)
}
