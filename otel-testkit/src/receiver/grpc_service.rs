//! The OTLP/gRPC services (tonic): traces, logs and metrics on one server.

use super::export::Export;
use super::faults::{Answer, REJECT_MESSAGE, UNAVAILABLE_MESSAGE};
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
        }
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
    let server = tonic::transport::Server::builder().add_service(traces).add_service(logs).add_service(metrics);
    if let Err(e) = server.serve_with_incoming(incoming).await {
        shared.invalid(None, None, format!("gRPC server stopped: {e}"));
    }
}
