//! The TLS files of `exporter.certificate`, `exporter.client_certificate` and `exporter.client_key`: read and
//! checked once at build time, so that a missing or malformed file is a build error naming its key and path.

use crate::build_error::Detail;
use crate::{BuildError, BuildErrorKind};
use otel_config::__private::key;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use std::sync::Arc;

/// A PEM file of certificates: its text (for tonic) and its parsed certificates (for rustls).
pub(super) struct PemCertificates {
    #[cfg_attr(not(feature = "grpc"), allow(dead_code))] // tonic's
    pub(super) pem: Vec<u8>,
    pub(super) certs: Vec<CertificateDer<'static>>,
}

/// The mTLS client identity.
pub(super) struct ClientIdentity {
    #[cfg_attr(not(feature = "grpc"), allow(dead_code))] // tonic's
    pub(super) cert_pem: Vec<u8>,
    #[cfg_attr(not(feature = "grpc"), allow(dead_code))] // tonic's
    pub(super) key_pem: Vec<u8>,
    pub(super) certs: Vec<CertificateDer<'static>>,
    pub(super) key: PrivateKeyDer<'static>,
}

/// The configured TLS files, loaded.
#[derive(Default)]
pub(super) struct TlsFiles {
    /// `exporter.certificate`: the CA certificates to trust instead of the system's roots.
    pub(super) ca: Option<PemCertificates>,
    /// `exporter.client_certificate` + `exporter.client_key`.
    pub(super) identity: Option<ClientIdentity>,
}

impl TlsFiles {
    pub(super) fn load(config: &otel_config::ExporterConfig) -> Result<TlsFiles, BuildError> {
        let ca = match &config.certificate {
            Some(path) => Some(load_certificates(key::EXPORTER_CERTIFICATE, path)?),
            None => None,
        };
        let identity = match (&config.client_certificate, &config.client_key) {
            (Some(cert_path), Some(key_path)) => {
                let PemCertificates { pem: cert_pem, certs } =
                    load_certificates(key::EXPORTER_CLIENT_CERTIFICATE, cert_path)?;
                let key_pem = read(key::EXPORTER_CLIENT_KEY, key_path)?;
                let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| {
                    let detail = Detail::NoPrivateKey { path: key_path.clone() };
                    BuildError::new(BuildErrorKind::Tls, Some(key::EXPORTER_CLIENT_KEY), detail).caused_by(e)
                })?;
                Some(ClientIdentity { cert_pem, key_pem, certs, key })
            }
            (Some(_), None) => {
                let detail = Detail::HalfIdentity { set: key::EXPORTER_CLIENT_CERTIFICATE };
                return Err(BuildError::new(BuildErrorKind::Tls, Some(key::EXPORTER_CLIENT_KEY), detail));
            }
            (None, Some(_)) => {
                let detail = Detail::HalfIdentity { set: key::EXPORTER_CLIENT_KEY };
                return Err(BuildError::new(BuildErrorKind::Tls, Some(key::EXPORTER_CLIENT_CERTIFICATE), detail));
            }
            (None, None) => None,
        };
        Ok(TlsFiles { ca, identity })
    }

    /// The rustls client configuration for HTTPS: the configured CA (or else, for an `https` endpoint, the system's
    /// roots), the client identity if any, the ring crypto provider.
    pub(super) fn rustls_config(&self, https: bool) -> Result<rustls::ClientConfig, BuildError> {
        let mut roots = rustls::RootCertStore::empty();
        match &self.ca {
            Some(ca) => {
                let (_added, ignored) = roots.add_parsable_certificates(ca.certs.iter().cloned());
                if roots.is_empty() {
                    let detail = Detail::NoUsableCa { ignored };
                    return Err(BuildError::new(BuildErrorKind::Tls, Some(key::EXPORTER_CERTIFICATE), detail));
                }
            }
            None if https => {
                roots.add_parsable_certificates(native_roots()?);
            }
            None => {}
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| BuildError::new(BuildErrorKind::Tls, None, Detail::TlsSetup { endpoint: None }).caused_by(e))?
            .with_root_certificates(roots);
        match &self.identity {
            Some(identity) => {
                builder.with_client_auth_cert(identity.certs.clone(), identity.key.clone_key()).map_err(|e| {
                    let detail = Detail::ClientIdentity { other: key::EXPORTER_CLIENT_KEY };
                    BuildError::new(BuildErrorKind::Tls, Some(key::EXPORTER_CLIENT_CERTIFICATE), detail).caused_by(e)
                })
            }
            None => Ok(builder.with_no_client_auth()),
        }
    }
}

/// The system's trusted roots; an error when there is none (then only `exporter.certificate` can help).
pub(super) fn native_roots() -> Result<Vec<CertificateDer<'static>>, BuildError> {
    let found = rustls_native_certs::load_native_certs();
    if found.certs.is_empty() {
        return Err(BuildError::new(BuildErrorKind::Tls, Some(key::EXPORTER_CERTIFICATE), Detail::NoTrustedRoot));
    }
    Ok(found.certs)
}

fn read(key: &'static str, path: &Path) -> Result<Vec<u8>, BuildError> {
    std::fs::read(path).map_err(|e| {
        BuildError::new(BuildErrorKind::Tls, Some(key), Detail::UnreadableFile { path: path.to_path_buf() })
            .caused_by(e)
    })
}

fn load_certificates(key: &'static str, path: &Path) -> Result<PemCertificates, BuildError> {
    let pem = read(key, path)?;
    let certs = CertificateDer::pem_slice_iter(&pem).collect::<Result<Vec<_>, _>>().map_err(|e| {
        BuildError::new(BuildErrorKind::Tls, Some(key), Detail::NotPem { path: path.to_path_buf() }).caused_by(e)
    })?;
    if certs.is_empty() {
        let detail = Detail::NoCertificate { path: path.to_path_buf() };
        return Err(BuildError::new(BuildErrorKind::Tls, Some(key), detail));
    }
    Ok(PemCertificates { pem, certs })
}
