//! A generated certificate authority and a server certificate for 127.0.0.1/localhost, so the
//! simulated clusters speak HTTPS like real API servers (kubectl sends no bearer token over
//! plain HTTP).

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;

#[derive(Clone)]
pub struct TlsMaterial {
    /// The CA certificate (PEM) clients must trust (`certificate-authority-data`).
    pub ca_pem: String,
    pub server_config: Arc<rustls::ServerConfig>,
    /// The CA, kept to issue client certificates the servers accept.
    issuer: Arc<CertifiedIssuer<'static, KeyPair>>,
}

/// A client certificate and its key, as a kubeconfig carries them (`client-certificate-data`,
/// `client-key-data`), and the DER the server identifies it by.
#[derive(Debug, Clone)]
pub struct ClientCertificate {
    pub cert_pem: String,
    pub key_pem: String,
    pub der: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("generating certificates: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("configuring TLS: {0}")]
    Rustls(#[from] rustls::Error),
    #[error("configuring client certificates: {0}")]
    ClientVerifier(#[from] rustls::server::VerifierBuilderError),
}

impl TlsMaterial {
    /// A fresh CA (named `ca_name`) and a server certificate for loopback addresses.
    pub fn generate(ca_name: &str) -> Result<TlsMaterial, TlsError> {
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.distinguished_name.push(DnType::CommonName, ca_name);
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate()?)?;

        let mut leaf_params = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])?;
        leaf_params
            .distinguished_name
            .push(DnType::CommonName, "kube-apiserver");
        let leaf_key = KeyPair::generate()?;
        let leaf = leaf_params.signed_by(&leaf_key, &ca)?;

        let chain: Vec<CertificateDer<'static>> = vec![leaf.der().clone(), ca.der().clone()];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        // Like an API server: a client certificate is asked for, verified against the CA when
        // sent, and optional (token users send none).
        let mut roots = rustls::RootCertStore::empty();
        roots.add(ca.der().clone())?;
        let client_verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .allow_unauthenticated()
            .build()?;
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_client_cert_verifier(client_verifier)
            .with_single_cert(chain, key)?;
        // As kube-apiserver (k8s.io/apiserver pkg/server/secure_serving.go, `tlsConfig`:
        // `NextProtos: []string{"h2", "http/1.1"}`): HTTP/2 for clients that offer it.
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(TlsMaterial {
            ca_pem: ca.pem(),
            server_config: Arc::new(config),
            issuer: Arc::new(ca),
        })
    }

    /// A client certificate for `common_name` signed by this CA (register its `der` with
    /// `SimCluster::add_certificate_user` to say whom it identifies).
    pub fn issue_client_certificate(&self, common_name: &str) -> Result<ClientCertificate, TlsError> {
        self.issue(common_name, None)
    }

    /// A client certificate for user `common_name` in `group` (its subject's O field, which the
    /// API server reads as a group; rcgen writes one O per name).
    pub fn issue_client_certificate_in_group(
        &self,
        common_name: &str,
        group: &str,
    ) -> Result<ClientCertificate, TlsError> {
        self.issue(common_name, Some(group))
    }

    fn issue(&self, common_name: &str, group: Option<&str>) -> Result<ClientCertificate, TlsError> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.distinguished_name.push(DnType::CommonName, common_name);
        if let Some(group) = group {
            params.distinguished_name.push(DnType::OrganizationName, group);
        }
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &*self.issuer)?;
        Ok(ClientCertificate {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            der: cert.der().to_vec(),
        })
    }
}
