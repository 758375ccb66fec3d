//! The exit statuses of `otel-check`, one per kind of failure, so that scripts can tell them apart.

use otel_runtime::ErrorKind;

/// Everything is fine.
pub const OK: i32 = 0;
/// The configuration is invalid (otel.toml, `OTEL_TOML_*`, `--config`), or there is nothing to ping.
pub const CONFIG: i32 = 1;
/// The command line is wrong.
pub const USAGE: i32 = 2;
/// The collector refused the connection: nothing listens there.
pub const REFUSED: i32 = 3;
/// The collector's host name does not resolve.
pub const DNS: i32 = 4;
/// The TLS handshake failed.
pub const TLS: i32 = 5;
/// No answer within `exporter.timeout`.
pub const TIMEOUT: i32 = 6;
/// The collector answered with an HTTP error status.
pub const HTTP_STATUS: i32 = 7;
/// The collector answered with a gRPC error status.
pub const GRPC_STATUS: i32 = 8;
/// Any other failure (span rejected, transport error).
pub const OTHER: i32 = 9;

/// The exit status for a failed ping.
///
/// ```
/// use otel_runtime::ErrorKind;
/// assert_eq!(otel_check::exit::for_ping(&ErrorKind::Refused), 3);
/// assert_eq!(otel_check::exit::for_ping(&ErrorKind::HttpStatus(404)), 7);
/// assert_eq!(otel_check::exit::for_ping(&ErrorKind::GrpcCode("UNIMPLEMENTED")), 8);
/// ```
pub fn for_ping(kind: &ErrorKind) -> i32 {
    match kind {
        ErrorKind::Refused => REFUSED,
        ErrorKind::Dns => DNS,
        ErrorKind::Tls => TLS,
        ErrorKind::Timeout => TIMEOUT,
        ErrorKind::HttpStatus(_) => HTTP_STATUS,
        ErrorKind::GrpcCode(_) => GRPC_STATUS,
        _ => OTHER,
    }
}
