//! OTLP/gRPC on tonic: one unary call per attempt, to the method of the request's signal (`ExportRequest`).

use super::ExportRequest;
use super::{
    classify, partial_outcome, proxy, tls::TlsFiles, truncate, AttemptOutcome, SendError, Target, MAX_RETRY_DELAY,
    USER_AGENT,
};
use crate::build_error::Detail;
use crate::health::ErrorKind;
use crate::sync::LockUnpoisoned;
use crate::{BuildError, BuildErrorKind};
use bytes::{BufMut, Bytes};
use http::HeaderMap;
#[cfg(feature = "tls")]
use otel_config::__private::key;
use otel_config::Compression;
use prost::Message;
use std::marker::PhantomData;
use std::sync::Mutex;
use std::time::Duration;
use tonic::codec::{BufferSettings, Codec, CompressionEncoding, EncodeBuf, Encoder};
use tonic::metadata::MetadataMap;
#[cfg(feature = "tls")]
use tonic::transport::{Certificate, ClientTlsConfig, Identity};
use tonic::transport::{Channel, Endpoint};
use tonic::Code;

pub(super) struct GrpcTransport {
    /// The endpoint (without credentials) and its HTTP/2 settings, to make a new channel from.
    endpoint: Endpoint,
    connector: proxy::Connector,
    compression: Compression,
    /// The current channel, and how many channels were made before it.
    current: Mutex<(u64, tonic::client::Grpc<Channel>)>,
    /// `exporter.headers`, sent as metadata (values marked sensitive), with the endpoint's credentials.
    headers: HeaderMap,
}

/// HTTP/2 keepalive while a request is in flight: a PING after 30 s without a frame, the connection closed if its
/// answer takes over 10 s. Not while idle (servers penalise clients pinging idle connections); the TCP keepalive
/// and the reconnection after a failed attempt cover those.
const HTTP2_KEEPALIVE_INTERVAL: Duration = Duration::from_secs(30);
const HTTP2_KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(10);

impl GrpcTransport {
    /// A lazily connecting channel: nothing is dialled before the first export.
    pub(super) fn build(
        target: &Target<'_>,
        compression: Compression,
        headers: HeaderMap,
        tls: &TlsFiles,
    ) -> Result<GrpcTransport, BuildError> {
        let shown = target.shown;
        // The endpoint is shown redacted; the parser's error (the source) says what is wrong, never the URL.
        let invalid = |reason: Option<&'static str>| {
            let detail = Detail::Endpoint { client: "gRPC", endpoint: shown.to_string(), reason };
            BuildError::new(BuildErrorKind::Endpoint, Some(target.key), detail)
        };
        let mut endpoint = Endpoint::from_shared(target.url.to_string()).map_err(|e| invalid(None).caused_by(e))?;
        match endpoint.uri().scheme_str() {
            Some("http") | Some("https") => {}
            _ => return Err(invalid(Some("expected an http:// or https:// URL"))),
        }
        if endpoint.uri().host().is_none_or(str::is_empty) {
            return Err(invalid(Some("no host")));
        }
        endpoint = endpoint
            .user_agent(USER_AGENT)
            .map_err(|e| invalid(None).caused_by(e))?
            // Bounds TCP connect + CONNECT + TLS handshake together (the connector bounds each of the first two).
            .connect_timeout(target.connect_timeout)
            .http2_keep_alive_interval(HTTP2_KEEPALIVE_INTERVAL)
            .keep_alive_timeout(HTTP2_KEEPALIVE_TIMEOUT)
            .keep_alive_while_idle(false);
        // Without `tls` an https endpoint never gets here (`features::check`).
        #[cfg(not(feature = "tls"))]
        let _ = tls;
        #[cfg(feature = "tls")]
        if endpoint.uri().scheme_str() == Some("https") {
            let mut config = ClientTlsConfig::new().assume_http2(true);
            config = match &tls.ca {
                Some(ca) => config.ca_certificate(Certificate::from_pem(&ca.pem)),
                None => config.with_native_roots(),
            };
            if let Some(identity) = &tls.identity {
                config = config.identity(Identity::from_pem(&identity.cert_pem, &identity.key_pem));
            }
            endpoint = endpoint.tls_config(config).map_err(|e| {
                let error = if classify::chain_message(&e).contains("native") {
                    BuildError::new(BuildErrorKind::Tls, Some(key::EXPORTER_CERTIFICATE), Detail::NoTrustedRoot)
                } else {
                    BuildError::new(BuildErrorKind::Tls, None, Detail::TlsSetup { endpoint: Some(shown.to_string()) })
                };
                error.caused_by(e)
            })?;
        }
        let proxy = target.proxies.for_endpoint(endpoint.uri())?;
        // gRPC tunnels through the proxy whatever the scheme; tonic adds TLS on top for https.
        let connector = proxy::Connector::new(proxy, true, target.connect_timeout);
        let client = new_client(&endpoint, &connector, compression);
        Ok(GrpcTransport { endpoint, connector, compression, current: Mutex::new((0, client)), headers })
    }

    /// The proxy in use (credentials redacted), if any.
    pub(super) fn proxy(&self) -> Option<&str> {
        self.connector.proxy_shown()
    }

    /// The client to use for the next attempt, and its generation (for [`GrpcTransport::reconnect`]).
    pub(super) fn client(&self) -> (u64, tonic::client::Grpc<Channel>) {
        let current = self.current.lock_unpoisoned();
        (current.0, current.1.clone())
    }

    /// Replaces the channel of `generation` (if still current) by a new one, which connects afresh on its first
    /// use. Attempts still running on the old channel finish on it; it closes when the last one is done.
    pub(super) fn reconnect(&self, generation: u64) {
        let mut current = self.current.lock_unpoisoned();
        if current.0 == generation {
            *current = (generation + 1, new_client(&self.endpoint, &self.connector, self.compression));
        }
    }

    /// One export call. No `grpc-timeout` is sent: the caller bounds the attempt, and a server-side deadline
    /// would race with it (the answer would be CANCELLED instead of our Timeout).
    pub(super) async fn send<R: ExportRequest>(
        &self,
        mut client: tonic::client::Grpc<Channel>,
        request: &R,
    ) -> AttemptOutcome {
        let mut call = tonic::Request::new(request.protobuf());
        *call.metadata_mut() = MetadataMap::from_headers(self.headers.clone());
        // What the generated clients do (opentelemetry-proto's `TraceServiceClient::export`), for any of the three
        // services: our own method path, so one channel type serves every signal.
        if let Err(e) = client.ready().await {
            let status = tonic::Status::unknown(format!("Service was not ready: {e}"));
            return AttemptOutcome::Failed(classify_status(&status));
        }
        let codec = BytesCodec::<R::Response>(PhantomData);
        let path = http::uri::PathAndQuery::from_static(R::GRPC_PATH);
        match client.unary(call, path, codec).await {
            Ok(response) => match R::partial_success(response.into_inner()) {
                Some((rejected, message)) => partial_outcome(R::SIGNAL, rejected, &message),
                None => AttemptOutcome::Accepted,
            },
            Err(status) => AttemptOutcome::Failed(classify_status(&status)),
        }
    }
}

/// The codec of our calls: the request goes as the protobuf bytes it already is (`ExportRequest::protobuf`: shared
/// when the batch was encoded up front, see `request::Encoded`), the response is decoded by prost.
struct BytesCodec<U>(PhantomData<fn() -> U>);

impl<U: Message + Default + Send + 'static> Codec for BytesCodec<U> {
    type Encode = Bytes;
    type Decode = U;
    type Encoder = BytesEncoder;
    type Decoder = tonic_prost::ProstDecoder<U>;

    fn encoder(&mut self) -> BytesEncoder {
        BytesEncoder
    }

    fn decoder(&mut self) -> Self::Decoder {
        tonic_prost::ProstCodec::<U, U>::raw_decoder(BufferSettings::default())
    }
}

/// Writes a request's protobuf bytes as the gRPC message.
struct BytesEncoder;

impl Encoder for BytesEncoder {
    type Item = Bytes;
    type Error = tonic::Status;

    fn encode(&mut self, item: Bytes, buf: &mut EncodeBuf<'_>) -> Result<(), tonic::Status> {
        buf.put_slice(&item);
        Ok(())
    }
}

/// A lazily connecting channel and its client.
fn new_client(
    endpoint: &Endpoint,
    connector: &proxy::Connector,
    compression: Compression,
) -> tonic::client::Grpc<Channel> {
    let channel = endpoint.connect_with_connector_lazy(connector.clone());
    let client = tonic::client::Grpc::new(channel).accept_compressed(CompressionEncoding::Gzip);
    #[cfg(feature = "zstd")]
    let client = client.accept_compressed(CompressionEncoding::Zstd);
    match compression {
        Compression::None => client,
        Compression::Gzip => client.send_compressed(CompressionEncoding::Gzip),
        #[cfg(feature = "zstd")]
        Compression::Zstd => client.send_compressed(CompressionEncoding::Zstd),
        // Not reached: `features::check` refuses zstd without the feature.
        #[cfg(not(feature = "zstd"))]
        Compression::Zstd => client,
        _ => client, // a compression otel-config knows and this client does not: sent uncompressed
    }
}

/// The spec's classification of a gRPC failure. Statuses made locally (no connection, TLS failure) carry their
/// cause as source and are classified by it; statuses from the server by their code.
pub(super) fn classify_status(status: &tonic::Status) -> SendError {
    if let Some(source) = std::error::Error::source(status) {
        if let Some(error) = classify::connection_error(source) {
            return error;
        }
        if classify::is_connection_failure(source) {
            // The connection failed or was dropped without an answer: the code tonic made up (UNKNOWN, ...) says
            // nothing about the collector.
            let message = format!("connection failed: {}", truncate(&classify::chain_message(source)));
            return SendError::new(ErrorKind::Transport, message, true);
        }
    }
    let detail = match std::error::Error::source(status) {
        // A local status: its message, then its cause.
        Some(source) => {
            let cause = classify::chain_message(source);
            if status.message().is_empty() || cause.contains(status.message()) {
                cause
            } else {
                format!("{}: {cause}", status.message())
            }
        }
        None => status.message().to_string(),
    };
    classify_grpc_status(status.code() as i32, &detail, status.details())
}

/// `grpc-status-details-bin` larger than this is not decoded (a `google.rpc.Status` with a RetryInfo is tens of
/// bytes; HTTP/2 already bounds headers, this bounds our work whatever the transport lets through).
const MAX_STATUS_DETAILS: usize = 64 * 1024;

/// The spec's classification of a gRPC status from its parts: `code` (any integer: unknown codes are UNKNOWN),
/// `message` (server text, cut to 200 characters in the result) and `details` (the bytes of
/// `grpc-status-details-bin`, a `google.rpc.Status` that may carry a `RetryInfo`; garbage is ignored). Pure, total
/// and bounded: a fuzz target can call it with anything.
pub(crate) fn classify_grpc_status(code: i32, message: &str, details: &[u8]) -> SendError {
    let code = Code::from_i32(code);
    let name = code_name(code);
    let retry_delay = retry_info_delay(details);
    let retryable = match code {
        Code::Cancelled
        | Code::DeadlineExceeded
        | Code::Aborted
        | Code::OutOfRange
        | Code::Unavailable
        | Code::DataLoss => true,
        // Only when the server says when to come back (quota, not a request too large for ever).
        Code::ResourceExhausted => retry_delay.is_some(),
        _ => false,
    };
    let message = if message.trim().is_empty() {
        format!("gRPC status {name}")
    } else {
        format!("gRPC status {name}: {}", truncate(message))
    };
    SendError {
        kind: ErrorKind::GrpcCode(name),
        message,
        retryable,
        retry_after: if retryable { retry_delay } else { None },
    }
}

/// The delay of the first `google.rpc.RetryInfo` in `details` (a `google.rpc.Status`), if it has one.
fn retry_info_delay(details: &[u8]) -> Option<Duration> {
    if details.is_empty() || details.len() > MAX_STATUS_DETAILS {
        return None;
    }
    let status = tonic_types::Status::decode(details).ok()?;
    status
        .details
        .iter()
        .filter(|any| any.type_url.rsplit('/').next() == Some("google.rpc.RetryInfo"))
        .find_map(|any| tonic_types::pb::RetryInfo::decode(any.value.as_slice()).ok()?.retry_delay)
        .map(|delay| proto_duration(delay.seconds, delay.nanos))
}

/// A `google.protobuf.Duration` as a `Duration`, saturating: negative values are zero, nanos outside
/// `0..1_000_000_000` are clamped (the proto says they are invalid; we never panic on them), and the result is at
/// most [`MAX_RETRY_DELAY`].
pub(crate) fn proto_duration(seconds: i64, nanos: i32) -> Duration {
    if seconds < 0 || (seconds == 0 && nanos < 0) {
        return Duration::ZERO;
    }
    Duration::new(seconds as u64, nanos.clamp(0, 999_999_999) as u32).min(MAX_RETRY_DELAY)
}

/// The canonical name of a gRPC status code, as in the gRPC spec (`UNAVAILABLE`, ...).
pub(super) fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}
