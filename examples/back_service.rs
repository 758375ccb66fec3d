//! The back service of the two-service demo (`scripts/demo.sh`; the front is `examples/front_service.rs`): an
//! axum HTTP server and a tonic gRPC server, each behind the tracing middleware users already run
//! (`axum-tracing-opentelemetry`, `tonic-tracing-opentelemetry`), under `#[otel::main]` and nothing else. Each
//! request's server span continues the caller's trace, taken from its headers with the configured propagators.
//!
//! ```text
//! cargo run --example back_service   # prints `back-service listening: http=… grpc=…`; ends on SIGTERM or Ctrl-C
//! ```
//!
//! `BACK_HTTP_ADDR` and `BACK_GRPC_ADDR` choose the addresses (default `127.0.0.1:0`: any free port). HTTP
//! `GET /orders/{id}` prices an order (an `#[instrument]`ed child span and a log record); gRPC serves the standard
//! health service. On SIGTERM or SIGINT both servers stop taking requests, finish the ones in flight, and `main`
//! returns: the flush then includes every span of the drain.

use axum::extract::Path;
use axum::routing::get;
use axum_tracing_opentelemetry::middleware::OtelAxumLayer;
use std::time::Duration;
use tokio::sync::watch;
use tracing::{info, instrument};

#[instrument]
async fn price(order: u64) -> u64 {
    tokio::time::sleep(Duration::from_millis(2)).await;
    100 + order * 7
}

/// `GET /orders/{id}`: runs inside the middleware's server span, so `price` and the log record are in the caller's
/// trace.
async fn order(Path(order): Path<u64>) -> String {
    let cents = price(order).await;
    info!(order, cents, "order priced");
    format!("order {order}: {cents} cents\n")
}

/// Resolves once SIGTERM or SIGINT arrives. The app handles them itself, so otel leaves the process alone and the
/// servers drain before `main` returns (see "What happens at exit" in the README).
async fn until_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM listener");
    let mut int = signal(SignalKind::interrupt()).expect("SIGINT listener");
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}

#[otel::main(service = "back-service")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let address = |var: &str| std::env::var(var).unwrap_or_else(|_| "127.0.0.1:0".to_string());
    let http = tokio::net::TcpListener::bind(address("BACK_HTTP_ADDR")).await?;
    let grpc = tokio::net::TcpListener::bind(address("BACK_GRPC_ADDR")).await?;
    println!("back-service listening: http=http://{} grpc=http://{}", http.local_addr()?, grpc.local_addr()?);

    let (stop, stopped) = watch::channel(false);
    let stopping = |mut stopped: watch::Receiver<bool>| async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    };

    let app = axum::Router::new().route("/orders/{order}", get(order)).layer(OtelAxumLayer::default());
    let http_server = axum::serve(http, app).with_graceful_shutdown(stopping(stopped.clone()));

    let (_reporter, health) = tonic_health::server::health_reporter();
    let grpc_server = tonic::transport::Server::builder()
        .layer(tonic_tracing_opentelemetry::middleware::server::OtelGrpcLayer::default())
        .add_service(health)
        .serve_with_incoming_shutdown(tonic::transport::server::TcpIncoming::from(grpc), stopping(stopped));

    let signal = async move {
        until_signal().await;
        info!("stopping: draining the requests in flight");
        let _ = stop.send(true);
    };
    let (http_result, grpc_result, ()) =
        tokio::join!(std::future::IntoFuture::into_future(http_server), grpc_server, signal);
    http_result?;
    grpc_result?;
    Ok(())
}
