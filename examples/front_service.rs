//! The front service of the two-service demo (`scripts/demo.sh`; the back is `examples/back_service.rs`): for
//! each order it checks the back service's health over gRPC and asks it for a price over HTTP, each call carrying
//! the trace, so one trace holds the spans of both services.
//!
//! ```text
//! BACK_HTTP=http://127.0.0.1:8080 BACK_GRPC=http://127.0.0.1:8081 cargo run --example front_service
//! ORDERS=10 …                                                        # more orders (default 3)
//! ```
//!
//! The HTTP call is a plain hyper client: the trace goes into its headers with `otel::propagation::inject`, one
//! line. The gRPC call goes through `tonic-tracing-opentelemetry`'s client layer, which makes the client span and
//! injects by itself. The fmt lines (`fmt.format`) carry each order's trace id.

use bytes::Bytes;
use http_body_util::{BodyExt as _, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;
use tonic_tracing_opentelemetry::middleware::client::OtelGrpcLayer;
use tower::Layer as _;
use tracing::{info, info_span, instrument, Instrument as _};

type Error = Box<dyn std::error::Error + Send + Sync>;
type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Empty<Bytes>>;
type GrpcClient =
    HealthClient<tonic_tracing_opentelemetry::middleware::client::OtelGrpcService<tonic::transport::Channel>>;

/// `GET {back}/orders/{order}` in a client span, the trace written into the request's headers.
async fn get_price(client: &HttpClient, back: &str, order: u64) -> Result<String, Error> {
    let url = format!("{back}/orders/{order}");
    let span = info_span!("GET /orders/{order}", otel.kind = "client", http.request.method = "GET", url.full = %url,
        http.response.status_code = tracing::field::Empty);
    async {
        let mut request = http::Request::get(&url).body(Empty::new())?;
        // The one line that carries the trace: the current span (this client span) and its baggage, in the
        // format of every configured propagator.
        otel::propagation::inject(request.headers_mut());
        let response = client.request(request).await?;
        tracing::Span::current().record("http.response.status_code", response.status().as_u16());
        let body = response.into_body().collect().await?.to_bytes();
        Ok(String::from_utf8_lossy(&body).trim().to_string())
    }
    .instrument(span)
    .await
}

#[instrument(skip(client, grpc, back))]
async fn checkout(client: &HttpClient, grpc: &mut GrpcClient, back: &str, order: u64) -> Result<(), Error> {
    let health = grpc.check(HealthCheckRequest { service: String::new() }).await?.into_inner();
    info!(status = health.status, "back-service is healthy");
    let answer = get_price(client, back, order).await?;
    info!(%answer, "priced");
    Ok(())
}

#[otel::main(service = "front-service")]
async fn main() -> Result<(), Error> {
    let back = std::env::var("BACK_HTTP").map_err(|_| "BACK_HTTP is not set (the back service's HTTP URL)")?;
    let grpc_url = std::env::var("BACK_GRPC").map_err(|_| "BACK_GRPC is not set (the back service's gRPC URL)")?;
    let orders: u64 = std::env::var("ORDERS").ok().map(|v| v.parse()).transpose()?.unwrap_or(3);

    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let channel = tonic::transport::Endpoint::from_shared(grpc_url)?.connect().await?;
    let mut grpc = HealthClient::new(OtelGrpcLayer.layer(channel));
    for order in 0..orders {
        checkout(&client, &mut grpc, &back, order).await?;
    }
    Ok(())
}
