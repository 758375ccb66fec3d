//! OTLP/gRPC on tonic, with opentelemetry-proto's generated `TraceServiceClient`.

use super::{classify, partial_outcome, tls::TlsFiles, truncate, AttemptOutcome, SendError, USER_AGENT};
use crate::health::ErrorKind;
use crate::BuildError;
use http::HeaderMap;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use otel_config::Compression;
use tonic::codec::CompressionEncoding;
use tonic::metadata::MetadataMap;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};
use tonic::Code;
use tonic_types::StatusExt;

pub(super) struct GrpcTransport {
    client: TraceServiceClient<Channel>,
    /// `exporter.headers`, sent as metadata (values marked sensitive).
    headers: HeaderMap,
}

impl GrpcTransport {
    /// A lazily connecting channel: nothing is dialled before the first export.
    pub(super) fn build(
        url: &str,
        compression: Compression,
        headers: HeaderMap,
        tls: &TlsFiles,
    ) -> Result<GrpcTransport, BuildError> {
        let invalid = |e: &dyn std::fmt::Display| BuildError(format!("otel: invalid gRPC endpoint {url:?}: {e}"));
        let mut endpoint = Endpoint::from_shared(url.to_string()).map_err(|e| invalid(&e))?;
        match endpoint.uri().scheme_str() {
            Some("http") | Some("https") => {}
            _ => return Err(invalid(&"expected an http:// or https:// URL")),
        }
        if endpoint.uri().host().is_none_or(str::is_empty) {
            return Err(invalid(&"no host"));
        }
        endpoint = endpoint.user_agent(USER_AGENT).map_err(|e| invalid(&e))?;
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
                let detail = classify::chain_message(&e);
                if detail.contains("native") {
                    BuildError(format!(
                        "otel: no trusted root certificate found on this system for the https endpoint; set \
                         exporter.certificate (OTEL_EXPORTER_OTLP_CERTIFICATE) to a CA file ({detail})"
                    ))
                } else {
                    BuildError(format!("otel: cannot set up TLS for {url:?}: {detail}"))
                }
            })?;
        }
        let channel = endpoint.connect_lazy();
        let mut client = TraceServiceClient::new(channel)
            .accept_compressed(CompressionEncoding::Gzip)
            .accept_compressed(CompressionEncoding::Zstd);
        client = match compression {
            Compression::None => client,
            Compression::Gzip => client.send_compressed(CompressionEncoding::Gzip),
            Compression::Zstd => client.send_compressed(CompressionEncoding::Zstd),
        };
        Ok(GrpcTransport { client, headers })
    }

    /// One export call. No `grpc-timeout` is sent: the caller bounds the attempt, and a server-side deadline
    /// would race with it (the answer would be CANCELLED instead of our Timeout).
    pub(super) async fn send(&self, request: &ExportTraceServiceRequest) -> AttemptOutcome {
        let mut call = tonic::Request::new(request.clone());
        *call.metadata_mut() = MetadataMap::from_headers(self.headers.clone());
        let mut client = self.client.clone();
        match client.export(call).await {
            Ok(response) => match response.into_inner().partial_success {
                Some(partial) => partial_outcome(partial.rejected_spans, &partial.error_message),
                None => AttemptOutcome::Accepted,
            },
            Err(status) => AttemptOutcome::Failed(classify_status(&status)),
        }
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
    let name = code_name(status.code());
    let retry_info = status.get_details_retry_info();
    let retryable = match status.code() {
        Code::Cancelled
        | Code::DeadlineExceeded
        | Code::Aborted
        | Code::OutOfRange
        | Code::Unavailable
        | Code::DataLoss => true,
        // Only when the server says when to come back (quota, not a request too large for ever).
        Code::ResourceExhausted => retry_info.is_some(),
        _ => false,
    };
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
    let message = if detail.is_empty() {
        format!("gRPC status {name}")
    } else {
        format!("gRPC status {name}: {}", truncate(&detail))
    };
    SendError {
        kind: ErrorKind::GrpcCode(name),
        message,
        retryable,
        retry_after: if retryable { retry_info.and_then(|info| info.retry_delay) } else { None },
    }
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
