//! A small HTTP proxy for tests: CONNECT tunnels and absolute-form HTTP/1.1 forwarding on 127.0.0.1, optionally
//! requiring `Proxy-Authorization: Basic`, recording every request it gets.

use crate::server_thread::ServerThread;
use crate::sync::unpoisoned;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// A request head larger than this is answered 431 (an exporter's head is a few hundred bytes).
const MAX_HEAD: usize = 64 * 1024;

/// How a request's `Proxy-Authorization` compared with the credentials the proxy was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProxyAuth {
    /// No `Proxy-Authorization` header.
    Absent,
    /// `Basic` with exactly the expected user and password.
    Valid,
    /// Present but not the expected value (or the proxy expects no credentials at all).
    Invalid,
}

/// What the proxy did with a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProxyOutcome {
    /// CONNECT answered 200, bytes relayed both ways.
    Tunnelled,
    /// An absolute-form request sent on to its target in origin form, the answer relayed back.
    Forwarded,
    /// Answered with this status by the proxy itself: 407 (credentials), the status of
    /// [`HttpProxyBuilder::refuse`], 502 (target unreachable), 400 (not a proxy request) or 431 (head too large).
    Refused(u16),
}

/// One request the proxy received (the head only; the credentials themselves are not kept).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyRequest {
    /// The method: `CONNECT`, `POST`, ...
    pub method: String,
    /// The request target as sent: `host:port` for CONNECT, `http://host:port/path` for a forwarded request.
    pub target: String,
    /// The `Proxy-Authorization` header compared with the expected credentials.
    pub auth: ProxyAuth,
    /// What the proxy did.
    pub outcome: ProxyOutcome,
}

/// Builds an [`HttpProxy`].
#[derive(Clone, Debug, Default)]
pub struct HttpProxyBuilder {
    credentials: Option<(String, String)>,
    refuse: Option<u16>,
}

impl HttpProxyBuilder {
    /// Requires `Proxy-Authorization: Basic base64(user:password)`; any other request is answered
    /// `407 Proxy Authentication Required`.
    pub fn credentials(mut self, user: &str, password: &str) -> Self {
        self.credentials = Some((user.to_string(), password.to_string()));
        self
    }

    /// Answers every request with `status` (e.g. 403, 503) instead of serving it, after checking credentials.
    pub fn refuse(mut self, status: u16) -> Self {
        self.refuse = Some(status);
        self
    }

    /// Starts the proxy on an ephemeral port of 127.0.0.1 (see [`HttpProxy`]). Panics if it cannot bind.
    pub fn start_blocking(self) -> HttpProxy {
        HttpProxy::launch(self).unwrap_or_else(|e| panic!("otel-testkit: cannot start the proxy: {e}"))
    }
}

/// An HTTP proxy for tests, on an ephemeral port of 127.0.0.1, in the way deployments use one:
///
/// - `CONNECT host:port`: answers `200 Connection established` and relays bytes both ways (gRPC, and anything
///   `https://`);
/// - an absolute-form request (`POST http://host:port/v1/traces HTTP/1.1`): opens a connection to the target,
///   rewrites the request line to origin form (`POST /v1/traces HTTP/1.1`), drops the `Proxy-*` headers and asks
///   for `Connection: close` (so that every request comes on a connection of its own and is recorded), then relays
///   bytes both ways.
///
/// With [`HttpProxyBuilder::credentials`], a request without those credentials gets 407. Every request is recorded
/// ([`HttpProxy::requests`]) before it is answered. Like [`crate::Receiver`], it runs on a tokio runtime of its own
/// on a background thread, so it works from blocking and async tests alike; dropping it closes its port and every
/// connection through it.
///
/// ```
/// # fn main() {
/// use otel_testkit::{HttpProxy, ProxyAuth, ProxyOutcome};
/// use std::io::{Read, Write};
///
/// let proxy = HttpProxy::builder().credentials("user", "pw").start_blocking();
/// let mut stream = std::net::TcpStream::connect(proxy.addr()).unwrap();
/// stream.write_all(b"CONNECT 127.0.0.1:9 HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n").unwrap();
/// let mut answer = String::new();
/// stream.read_to_string(&mut answer).unwrap();
/// assert!(answer.starts_with("HTTP/1.1 407 "));
/// let seen = proxy.requests();
/// assert_eq!((seen[0].method.as_str(), seen[0].target.as_str()), ("CONNECT", "127.0.0.1:9"));
/// assert_eq!((seen[0].auth, seen[0].outcome), (ProxyAuth::Absent, ProxyOutcome::Refused(407)));
/// assert_eq!(proxy.url("user:pw"), format!("http://user:pw@127.0.0.1:{}", proxy.addr().port()));
/// # }
/// ```
pub struct HttpProxy {
    addr: std::net::SocketAddr,
    seen: Arc<Mutex<Vec<ProxyRequest>>>,
    server: ServerThread,
}

impl std::fmt::Debug for HttpProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpProxy").field("addr", &self.addr).finish_non_exhaustive()
    }
}

/// What every connection task needs.
struct Config {
    /// The expected `Proxy-Authorization` value (`Basic ...`), if credentials are required.
    expected: Option<String>,
    refuse: Option<u16>,
    seen: Arc<Mutex<Vec<ProxyRequest>>>,
}

impl HttpProxy {
    /// A builder, to require credentials or make the proxy refuse.
    pub fn builder() -> HttpProxyBuilder {
        HttpProxyBuilder::default()
    }

    /// A proxy that serves everyone (no credentials required).
    pub fn start_blocking() -> HttpProxy {
        Self::builder().start_blocking()
    }

    fn launch(builder: HttpProxyBuilder) -> std::io::Result<HttpProxy> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let seen = Arc::new(Mutex::new(Vec::new()));
        let config = Arc::new(Config {
            expected: builder.credentials.map(|(user, password)| basic_auth(&user, &password)),
            refuse: builder.refuse,
            seen: seen.clone(),
        });
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let (shutdown, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
        let thread =
            std::thread::Builder::new().name(format!("otel-testkit-proxy-{}", addr.port())).spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = TcpListener::from_std(listener) else {
                        return;
                    };
                    tokio::spawn(async move {
                        loop {
                            // An accept error (too many open files, a connection reset before accept) is transient.
                            if let Ok((client, _)) = listener.accept().await {
                                tokio::spawn(serve(client, config.clone()));
                            }
                        }
                    });
                    let _ = shutdown_rx.await;
                });
                // Dropping the runtime cancels every task: the listener and every tunnel close.
                drop(runtime);
            })?;
        Ok(HttpProxy { addr, seen, server: ServerThread::new(shutdown, thread) })
    }

    /// The proxy's address (127.0.0.1 and its port).
    pub fn addr(&self) -> std::net::SocketAddr {
        self.addr
    }

    /// `http://USERINFO@127.0.0.1:PORT`, or `http://127.0.0.1:PORT` when `userinfo` is empty: what `HTTPS_PROXY` /
    /// `HTTP_PROXY` / `ALL_PROXY` take.
    pub fn url(&self, userinfo: &str) -> String {
        if userinfo.is_empty() {
            format!("http://{}", self.addr)
        } else {
            format!("http://{userinfo}@{}", self.addr)
        }
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<ProxyRequest> {
        lock(&self.seen).clone()
    }

    /// Stops the proxy and waits until it is gone: its port refuses connections and every tunnel is closed once
    /// this returns. Dropping it does the same.
    pub fn stop(mut self) {
        self.server.stop();
    }
}

fn lock(seen: &Mutex<Vec<ProxyRequest>>) -> MutexGuard<'_, Vec<ProxyRequest>> {
    unpoisoned(seen.lock())
}

/// `Basic base64(user:password)`, the `Proxy-Authorization` value a client sends for these credentials.
///
/// ```
/// assert_eq!(otel_testkit::basic_auth("Aladdin", "open sesame"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
/// ```
pub fn basic_auth(user: &str, password: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{user}:{password}").into_bytes();
    let mut out = String::from("Basic ");
    for chunk in input.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A parsed request head.
struct Head {
    method: String,
    target: String,
    version: String,
    /// (name, value) in order, names as sent.
    headers: Vec<(String, String)>,
}

impl Head {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Reads a head up to its blank line (at most [`MAX_HEAD`] bytes); `Ok(None)` when the client hung up first.
async fn read_head(reader: &mut BufReader<TcpStream>) -> Result<Option<Head>, u16> {
    let mut lines = Vec::new();
    let mut total = 0;
    loop {
        let mut line = Vec::new();
        let n =
            (&mut *reader).take((MAX_HEAD - total) as u64 + 1).read_until(b'\n', &mut line).await.map_err(|_| 400u16);
        let n = match n {
            Ok(0) => return Ok(None),
            Ok(n) => n,
            Err(status) => return Err(status),
        };
        total += n;
        if total > MAX_HEAD {
            return Err(431);
        }
        let line = String::from_utf8_lossy(&line).trim_end_matches(['\r', '\n']).to_string();
        if line.is_empty() {
            break;
        }
        lines.push(line);
    }
    let mut request_line = lines.first().map(|l| l.split(' ')).ok_or(400u16)?;
    let (method, target, version) = (request_line.next(), request_line.next(), request_line.next());
    let (Some(method), Some(target), Some(version)) = (method, target, version) else {
        return Err(400);
    };
    let headers = lines[1..]
        .iter()
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Ok(Some(Head { method: method.to_string(), target: target.to_string(), version: version.to_string(), headers }))
}

async fn answer(client: &mut BufReader<TcpStream>, status: u16) {
    let reason = match status {
        400 => "Bad Request",
        403 => "Forbidden",
        407 => "Proxy Authentication Required",
        431 => "Request Header Fields Too Large",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Refused By Test Proxy",
    };
    let challenge = if status == 407 { "Proxy-Authenticate: Basic realm=\"otel-testkit\"\r\n" } else { "" };
    let text = format!("HTTP/1.1 {status} {reason}\r\n{challenge}Content-Length: 0\r\nConnection: close\r\n\r\n");
    let _ = client.get_mut().write_all(text.as_bytes()).await;
    let _ = client.get_mut().shutdown().await;
    // A lingering close: closing with unread input (the rest of a refused request) would send a reset, which can
    // destroy the answer before the client reads it. Bounded in bytes and time.
    let mut sink = tokio::io::sink();
    let mut rest = (&mut *client).take(1 << 20);
    let drain = tokio::io::copy(&mut rest, &mut sink);
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), drain).await;
}

async fn serve(client: TcpStream, config: Arc<Config>) {
    let mut client = BufReader::new(client);
    let head = match read_head(&mut client).await {
        Ok(Some(head)) => head,
        Ok(None) => return,
        Err(status) => {
            answer(&mut client, status).await;
            return;
        }
    };
    let auth = match (head.header("proxy-authorization"), &config.expected) {
        (None, _) => ProxyAuth::Absent,
        (Some(got), Some(expected)) if got == expected => ProxyAuth::Valid,
        (Some(_), _) => ProxyAuth::Invalid,
    };
    let connect = head.method.eq_ignore_ascii_case("CONNECT");
    // `http://host:port/path` → ("host:port", "/path").
    let forward = head.target.strip_prefix("http://").map(|rest| match rest.find('/') {
        Some(i) => (rest[..i].to_string(), rest[i..].to_string()),
        None => (rest.to_string(), "/".to_string()),
    });
    let record = |outcome| {
        lock(&config.seen).push(ProxyRequest {
            method: head.method.clone(),
            target: head.target.clone(),
            auth,
            outcome,
        })
    };
    let refusal = if config.expected.is_some() && auth != ProxyAuth::Valid {
        Some(407)
    } else if let Some(status) = config.refuse {
        Some(status)
    } else if !connect && forward.is_none() {
        Some(400)
    } else {
        None
    };
    if let Some(status) = refusal {
        record(ProxyOutcome::Refused(status));
        answer(&mut client, status).await;
        return;
    }
    let authority =
        if connect { head.target.clone() } else { forward.as_ref().map(|f| f.0.clone()).unwrap_or_default() };
    let Ok(mut upstream) = TcpStream::connect(authority.as_str()).await else {
        record(ProxyOutcome::Refused(502));
        answer(&mut client, 502).await;
        return;
    };
    if connect {
        record(ProxyOutcome::Tunnelled);
        if client.get_mut().write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").await.is_err() {
            return;
        }
    } else {
        record(ProxyOutcome::Forwarded);
        let path = forward.map(|f| f.1).unwrap_or_default();
        let mut out = format!("{} {path} {}\r\n", head.method, head.version);
        for (name, value) in &head.headers {
            // Hop-by-hop: the proxy's credentials stay here; one request per connection.
            let lower = name.to_ascii_lowercase();
            if lower.starts_with("proxy-") || lower == "connection" || lower == "keep-alive" {
                continue;
            }
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        out.push_str("Connection: close\r\n\r\n");
        if upstream.write_all(out.as_bytes()).await.is_err() {
            return;
        }
    }
    // Whatever the client sent after the head (a body, or the first bytes through the tunnel) is in the buffer.
    if upstream.write_all(client.buffer()).await.is_err() {
        return;
    }
    let mut client = client.into_inner();
    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader as StdBufReader, Read, Write};
    use std::net::{TcpListener as StdListener, TcpStream as StdStream};

    /// Sends `request` to the proxy and reads its whole answer (the proxy or the target closes the connection).
    fn exchange(proxy: &HttpProxy, request: &[u8]) -> String {
        let mut stream = StdStream::connect(proxy.addr()).unwrap();
        stream.write_all(request).unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer
    }

    /// A target that takes one connection, reads its head and a 4-byte body, answers 200 and returns what it read.
    fn one_shot_target() -> (u16, std::thread::JoinHandle<String>) {
        let listener = StdListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let thread = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = StdBufReader::new(stream);
            let mut got = String::new();
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                got.push_str(&line);
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = [0u8; 4];
            reader.read_exact(&mut body).unwrap();
            got.push_str(&String::from_utf8_lossy(&body));
            reader.get_mut().write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok").unwrap();
            got
        });
        (port, thread)
    }

    #[test]
    fn forwards_absolute_form_in_origin_form_without_the_proxy_headers() {
        let proxy = HttpProxy::builder().credentials("u", "p").start_blocking();
        let (port, target) = one_shot_target();
        let request = format!(
            "POST http://127.0.0.1:{port}/v1/traces HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nProxy-Authorization: {}\r\n\
             Proxy-Connection: keep-alive\r\nConnection: keep-alive\r\ncontent-length: 4\r\n\r\nbody",
            basic_auth("u", "p")
        );
        let answer = exchange(&proxy, request.as_bytes());
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n") && answer.ends_with("ok"), "{answer}");
        let got = target.join().unwrap();
        assert_eq!(
            got,
            format!("POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\ncontent-length: 4\r\nConnection: close\r\n\r\nbody")
        );
        let seen = proxy.requests();
        assert_eq!(seen[0].target, format!("http://127.0.0.1:{port}/v1/traces"));
        assert_eq!((seen[0].auth, seen[0].outcome), (ProxyAuth::Valid, ProxyOutcome::Forwarded));
    }

    #[test]
    fn refuses_what_it_cannot_serve() {
        let proxy = HttpProxy::start_blocking();
        let closed = crate::unused_port();
        // (request, status)
        let huge = format!("GET http://127.0.0.1:{closed}/ HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD));
        let rows = [
            (format!("CONNECT 127.0.0.1:{closed} HTTP/1.1\r\n\r\n"), 502),
            ("GET /origin-form HTTP/1.1\r\nHost: x\r\n\r\n".to_string(), 400),
            ("garbage\r\n\r\n".to_string(), 400),
            (huge, 431),
        ];
        for (request, status) in rows {
            let answer = exchange(&proxy, request.as_bytes());
            assert!(answer.starts_with(&format!("HTTP/1.1 {status} ")), "{status}: {answer}");
        }
        // Unparsable and oversized heads are answered but not recorded.
        let outcomes: Vec<_> = proxy.requests().iter().map(|r| r.outcome).collect();
        assert_eq!(outcomes, [ProxyOutcome::Refused(502), ProxyOutcome::Refused(400)]);
        let refusing = HttpProxy::builder().refuse(503).start_blocking();
        let answer = exchange(&refusing, b"CONNECT 127.0.0.1:9 HTTP/1.1\r\n\r\n");
        assert!(answer.starts_with("HTTP/1.1 503 Service Unavailable\r\n"), "{answer}");
    }
}
