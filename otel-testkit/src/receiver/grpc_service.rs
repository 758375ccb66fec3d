//! The OTLP/gRPC services (tonic): traces, logs and metrics on one server.

use super::export::Export;
use super::faults::{Answer, GARBAGE_PROTOBUF, REJECT_MESSAGE, UNAVAILABLE_MESSAGE};
use super::state::Shared;
use super::types::Protocol;
use opentelemetry_proto::tonic::collector::logs::v1::logs_service_server::{LogsService, LogsServiceServer};
use opentelemetry_proto::tonic::collector::logs::v1::{ExportLogsServiceRequest, ExportLogsServiceResponse};
use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_server::{
    MetricsService, MetricsServiceServer,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{ExportMetricsServiceRequest, ExportMetricsServiceResponse};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{TraceService, TraceServiceServer};
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use std::sync::Arc;
use tonic::codec::CompressionEncoding;
use tonic_types::{ErrorDetails, StatusExt};

/// The three services, answering as the shared behavior of their signal says.
#[derive(Clone)]
struct GrpcService(Arc<Shared>);

impl GrpcService {
    /// Records `request` and answers it as its signal's behavior says.
    async fn export<R: Export>(
        &self,
        request: tonic::Request<R>,
    ) -> Result<tonic::Response<R::Response>, tonic::Status> {
        let headers = request.metadata().clone().into_headers();
        let request = request.into_inner();
        match self.0.handle(Protocol::Grpc, R::SIGNAL.grpc_path().to_string(), headers, request).await {
            Answer::Accept => Ok(tonic::Response::new(R::response(None))),
            Answer::Partial(rejected) => Ok(tonic::Response::new(R::response(Some(rejected)))),
            Answer::Unavailable(Some(delay)) => Err(tonic::Status::with_error_details(
                tonic::Code::Unavailable,
                UNAVAILABLE_MESSAGE,
                ErrorDetails::with_retry_info(Some(delay)),
            )),
            Answer::Unavailable(None) => Err(tonic::Status::unavailable(UNAVAILABLE_MESSAGE)),
            Answer::Reject => Err(tonic::Status::invalid_argument(REJECT_MESSAGE)),
            Answer::Garbage => {
                // The message is replaced on its way out by `Garbled`, which sees this mark.
                let mut response = tonic::Response::new(R::response(None));
                response.extensions_mut().insert(GarbleThis);
                Ok(response)
            }
        }
    }
}

/// The mark of a response whose message [`Garbled`] replaces with garbage.
#[derive(Clone, Copy)]
struct GarbleThis;

/// A generated service wrapped so that the responses marked [`GarbleThis`] leave with a body that does not
/// decode: one gRPC message frame of [`GARBAGE_PROTOBUF`], then the trailers `grpc-status: 0`. (A typed tonic
/// service can only answer well-formed messages.)
#[derive(Clone)]
struct Garbled<S>(S);

impl<S: tonic::server::NamedService> tonic::server::NamedService for Garbled<S> {
    const NAME: &'static str = S::NAME;
}

impl<S, B> tonic::codegen::Service<http::Request<B>> for Garbled<S>
where
    S: tonic::codegen::Service<http::Request<B>, Response = http::Response<tonic::body::Body>>,
    S::Future: Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = S::Error;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let answer = self.0.call(request);
        Box::pin(async move {
            let mut response = answer.await?;
            if response.extensions_mut().remove::<GarbleThis>().is_some() {
                *response.body_mut() = tonic::body::Body::new(GarbageBody::default());
            }
            Ok(response)
        })
    }
}

/// A gRPC response body: one message frame of garbage, then `grpc-status: 0`.
#[derive(Default)]
struct GarbageBody {
    frames_sent: u8,
}

impl hyper::body::Body for GarbageBody {
    type Data = bytes::Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<bytes::Bytes>, Self::Error>>> {
        self.frames_sent += 1;
        std::task::Poll::Ready(match self.frames_sent {
            1 => {
                // Not compressed (0), then the length, big-endian, then the bytes.
                let mut frame = vec![0u8];
                frame.extend_from_slice(&(GARBAGE_PROTOBUF.len() as u32).to_be_bytes());
                frame.extend_from_slice(GARBAGE_PROTOBUF);
                Some(Ok(hyper::body::Frame::data(bytes::Bytes::from(frame))))
            }
            2 => {
                let mut trailers = http::HeaderMap::new();
                trailers.insert("grpc-status", http::HeaderValue::from_static("0"));
                Some(Ok(hyper::body::Frame::trailers(trailers)))
            }
            _ => None,
        })
    }
}

#[tonic::async_trait]
impl TraceService for GrpcService {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        GrpcService::export(self, request).await
    }
}

#[tonic::async_trait]
impl LogsService for GrpcService {
    async fn export(
        &self,
        request: tonic::Request<ExportLogsServiceRequest>,
    ) -> Result<tonic::Response<ExportLogsServiceResponse>, tonic::Status> {
        GrpcService::export(self, request).await
    }
}

#[tonic::async_trait]
impl MetricsService for GrpcService {
    async fn export(
        &self,
        request: tonic::Request<ExportMetricsServiceRequest>,
    ) -> Result<tonic::Response<ExportMetricsServiceResponse>, tonic::Status> {
        GrpcService::export(self, request).await
    }
}

/// The largest message the services decode (tonic's default, 4 MiB, is below what exporters may send).
const MAX_MESSAGE: usize = 64 * 1024 * 1024;

/// Serves OTLP/gRPC (the three signals) on `listener` until the runtime is dropped.
pub(super) async fn serve_grpc(listener: std::net::TcpListener, shared: Arc<Shared>) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(e) => return shared.invalid(None, None, format!("gRPC server could not start: {e}")),
    };
    let service = GrpcService(shared.clone());
    let traces = TraceServiceServer::new(service.clone())
        .accept_compressed(CompressionEncoding::Gzip)
        .accept_compressed(CompressionEncoding::Zstd)
        .max_decoding_message_size(MAX_MESSAGE);
    let logs = LogsServiceServer::new(service.clone())
        .accept_compressed(CompressionEncoding::Gzip)
        .accept_compressed(CompressionEncoding::Zstd)
        .max_decoding_message_size(MAX_MESSAGE);
    let metrics = MetricsServiceServer::new(service)
        .accept_compressed(CompressionEncoding::Gzip)
        .accept_compressed(CompressionEncoding::Zstd)
        .max_decoding_message_size(MAX_MESSAGE);
    let incoming = tonic::transport::server::TcpIncoming::from(listener);
    let server = tonic::transport::Server::builder()
        .add_service(Garbled(traces))
        .add_service(Garbled(logs))
        .add_service(Garbled(metrics));
    if let Err(e) = server.serve_with_incoming(incoming).await {
        shared.invalid(None, None, format!("gRPC server stopped: {e}"));
    }
}
