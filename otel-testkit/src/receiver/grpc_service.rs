//! The OTLP/gRPC service (tonic).

use super::faults::{partial_response, Answer, REJECT_MESSAGE, UNAVAILABLE_MESSAGE};
use super::state::Shared;
use super::types::{Protocol, GRPC_EXPORT_PATH};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{TraceService, TraceServiceServer};
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use std::sync::Arc;
use tonic::codec::CompressionEncoding;
use tonic_types::{ErrorDetails, StatusExt};

/// The trace service, answering as the shared behavior says.
struct GrpcService(Arc<Shared>);

#[tonic::async_trait]
impl TraceService for GrpcService {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let headers = request.metadata().clone().into_headers();
        let request = request.into_inner();
        match self.0.handle(Protocol::Grpc, GRPC_EXPORT_PATH.to_string(), headers, request).await {
            Answer::Accept => Ok(tonic::Response::new(ExportTraceServiceResponse { partial_success: None })),
            Answer::Partial(rejected) => Ok(tonic::Response::new(partial_response(rejected))),
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

/// Serves OTLP/gRPC on `listener` until the runtime is dropped.
pub(super) async fn serve_grpc(listener: std::net::TcpListener, shared: Arc<Shared>) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(e) => return shared.invalid(None, format!("gRPC server could not start: {e}")),
    };
    let service = TraceServiceServer::new(GrpcService(shared.clone()))
        .accept_compressed(CompressionEncoding::Gzip)
        .accept_compressed(CompressionEncoding::Zstd)
        .max_decoding_message_size(64 * 1024 * 1024);
    let incoming = tonic::transport::server::TcpIncoming::from(listener);
    if let Err(e) = tonic::transport::Server::builder().add_service(service).serve_with_incoming(incoming).await {
        shared.invalid(None, format!("gRPC server stopped: {e}"));
    }
}
