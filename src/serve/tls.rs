//! mTLS for the MQTT listener (the 8883 convention): real firmware always connects with a client
//! certificate, so `jobrig serve` can generate a CA (or be given one), issue a certificate and key
//! per thing (`--certs DIR`), and require client certificates signed by that CA.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot generate a certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a PEM CA certificate and key jobrig can use: {reason}")]
    BadCa { path: PathBuf, reason: String },
    #[error("invalid TLS configuration: {0}")]
    Config(String),
}

/// A certificate and its private key, PEM and DER.
#[derive(Clone, Debug)]
pub struct Issued {
    pub cert_pem: String,
    pub key_pem: String,
    pub cert_der: CertificateDer<'static>,
    pub key_der: Vec<u8>,
}

/// The certificate authority client and server certificates are issued by.
pub struct Authority {
    cert_pem: String,
    cert_der: CertificateDer<'static>,
    key_pem: String,
    issuer: Issuer<'static, KeyPair>,
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

impl Authority {
    /// A new self-signed CA.
    pub fn generate(common_name: &str) -> Result<Self, TlsError> {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let cert = params.self_signed(&key)?;
        Ok(Authority {
            cert_pem: cert.pem(),
            cert_der: cert.der().clone(),
            key_pem: key.serialize_pem(),
            issuer: Issuer::new(params, key),
        })
    }

    /// An existing CA from its PEM certificate and PEM (PKCS#8) key.
    pub fn load(cert_path: &Path, key_path: &Path) -> Result<Self, TlsError> {
        let read = |p: &Path| {
            std::fs::read_to_string(p).map_err(|source| TlsError::Read {
                path: p.to_path_buf(),
                source,
            })
        };
        let cert_pem = read(cert_path)?;
        let key_pem = read(key_path)?;
        let bad = |path: &Path, reason: String| TlsError::BadCa {
            path: path.to_path_buf(),
            reason,
        };
        let key = KeyPair::from_pem(&key_pem).map_err(|e| bad(key_path, e.to_string()))?;
        let cert_der = rustls_pemfile::certs(&mut cert_pem.as_bytes())
            .next()
            .ok_or_else(|| bad(cert_path, "no CERTIFICATE block".into()))?
            .map_err(|e| bad(cert_path, e.to_string()))?;
        let issuer =
            Issuer::from_ca_cert_pem(&cert_pem, key).map_err(|e| bad(cert_path, e.to_string()))?;
        Ok(Authority {
            cert_pem,
            cert_der,
            key_pem,
            issuer,
        })
    }

    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    fn issue(
        &self,
        common_name: &str,
        sans: Vec<String>,
        usage: ExtendedKeyUsagePurpose,
    ) -> Result<Issued, TlsError> {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::new(sans)?;
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params.extended_key_usages = vec![usage];
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok(Issued {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            cert_der: cert.der().clone(),
            key_der: key.serialize_der(),
        })
    }

    /// A client certificate for a thing: the common name is the thing name.
    pub fn issue_client(&self, thing: &str) -> Result<Issued, TlsError> {
        self.issue(thing, Vec::new(), ExtendedKeyUsagePurpose::ClientAuth)
    }

    /// A server certificate for the given DNS names or IP addresses.
    pub fn issue_server(&self, names: &[String]) -> Result<Issued, TlsError> {
        let cn = names.first().map_or("jobrig", String::as_str);
        self.issue(cn, names.to_vec(), ExtendedKeyUsagePurpose::ServerAuth)
    }

    /// Writes `ca.pem`, `ca.key`, and `<thing>.cert.pem` / `<thing>.key.pem` per thing.
    pub fn write_dir(&self, dir: &Path, things: &[String]) -> Result<Vec<PathBuf>, TlsError> {
        std::fs::create_dir_all(dir).map_err(|source| TlsError::Write {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut written = Vec::new();
        let mut put = |name: String, body: &str| -> Result<(), TlsError> {
            let path = dir.join(name);
            std::fs::write(&path, body).map_err(|source| TlsError::Write {
                path: path.clone(),
                source,
            })?;
            written.push(path);
            Ok(())
        };
        put("ca.pem".into(), &self.cert_pem)?;
        put("ca.key".into(), &self.key_pem)?;
        for thing in things {
            let issued = self.issue_client(thing)?;
            put(format!("{thing}.cert.pem"), &issued.cert_pem)?;
            put(format!("{thing}.key.pem"), &issued.key_pem)?;
        }
        Ok(written)
    }

    /// A server configuration presenting a certificate for `names` and requiring client
    /// certificates signed by this CA.
    pub fn server_config(&self, names: &[String]) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        let server = self.issue_server(names)?;
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(self.cert_der.clone())
            .map_err(|e| TlsError::Config(e.to_string()))?;
        let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
            .build()
            .map_err(|e| TlsError::Config(e.to_string()))?;
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server.key_der));
        let config = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Config(e.to_string()))?
            .with_client_cert_verifier(verifier)
            .with_single_cert(vec![server.cert_der], key)
            .map_err(|e| TlsError::Config(e.to_string()))?;
        Ok(Arc::new(config))
    }

    /// A server configuration presenting a certificate for `names`, with no client certificate
    /// (HTTPS and WSS: AWS authenticates those with SigV4, not with client certificates).
    pub fn server_config_without_client_auth(
        &self,
        names: &[String],
    ) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        let server = self.issue_server(names)?;
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server.key_der));
        let mut config = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Config(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(vec![server.cert_der], key)
            .map_err(|e| TlsError::Config(e.to_string()))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }

    /// A client configuration trusting this CA and presenting `client` (tests, the rig).
    pub fn client_config(&self, client: &Issued) -> Result<Arc<rustls::ClientConfig>, TlsError> {
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(self.cert_der.clone())
            .map_err(|e| TlsError::Config(e.to_string()))?;
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(client.key_der.clone()));
        let config = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Config(e.to_string()))?
            .with_root_certificates(roots)
            .with_client_auth_cert(vec![client.cert_der.clone()], key)
            .map_err(|e| TlsError::Config(e.to_string()))?;
        Ok(Arc::new(config))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::pki_types::ServerName;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_rustls::{TlsAcceptor, TlsConnector};

    /// Runs a TLS handshake over an in-memory pipe and exchanges one byte; Ok when both sides
    /// accept each other.
    async fn handshake(
        server: Arc<rustls::ServerConfig>,
        client: Arc<rustls::ClientConfig>,
    ) -> Result<(), String> {
        let (c, s) = tokio::io::duplex(64 * 1024);
        let server_side = tokio::spawn(async move {
            let mut tls = TlsAcceptor::from(server)
                .accept(s)
                .await
                .map_err(|e| e.to_string())?;
            let mut b = [0u8; 1];
            tls.read_exact(&mut b).await.map_err(|e| e.to_string())?;
            tls.write_all(&b).await.map_err(|e| e.to_string())?;
            tls.flush().await.map_err(|e| e.to_string())
        });
        let name = ServerName::try_from("localhost").map_err(|e| e.to_string())?;
        let client_side = async {
            let mut tls = TlsConnector::from(client)
                .connect(name, c)
                .await
                .map_err(|e| e.to_string())?;
            tls.write_all(b"x").await.map_err(|e| e.to_string())?;
            tls.flush().await.map_err(|e| e.to_string())?;
            let mut b = [0u8; 1];
            tls.read_exact(&mut b).await.map_err(|e| e.to_string())?;
            Ok::<_, String>(())
        };
        let client_result = client_side.await;
        let server_result = server_side.await.map_err(|e| e.to_string())?;
        client_result.and(server_result)
    }

    #[tokio::test]
    async fn a_thing_certificate_signed_by_the_ca_is_accepted() {
        let ca = Authority::generate("jobrig test CA").expect("CA");
        let server = ca.server_config(&["localhost".into()]).expect("server");
        let client = ca
            .client_config(&ca.issue_client("dev-1").expect("client cert"))
            .expect("client config");
        handshake(server, client).await.expect("mTLS handshake");
    }

    #[tokio::test]
    async fn a_certificate_from_another_ca_is_refused() {
        let ca = Authority::generate("jobrig test CA").expect("CA");
        let other = Authority::generate("someone else").expect("other CA");
        let server = ca.server_config(&["localhost".into()]).expect("server");
        // Trusts the right server CA, but presents a certificate the server's CA never signed.
        let foreign = other.issue_client("intruder").expect("cert");
        let mut roots = rustls::RootCertStore::empty();
        roots.add(ca.cert_der.clone()).expect("root");
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(foreign.key_der.clone()));
        let client = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_root_certificates(roots)
            .with_client_auth_cert(vec![foreign.cert_der.clone()], key)
            .expect("client config");
        assert!(handshake(server, Arc::new(client)).await.is_err());
    }

    #[tokio::test]
    async fn a_client_without_a_certificate_is_refused() {
        let ca = Authority::generate("jobrig test CA").expect("CA");
        let server = ca.server_config(&["localhost".into()]).expect("server");
        let mut roots = rustls::RootCertStore::empty();
        roots.add(ca.cert_der.clone()).expect("root");
        let client = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        assert!(handshake(server, Arc::new(client)).await.is_err());
    }

    #[tokio::test]
    async fn written_certificates_load_back_and_keep_working() {
        let dir = std::env::temp_dir().join(format!("jobrig-certs-{}", std::process::id()));
        let ca = Authority::generate("jobrig test CA").expect("CA");
        let written = ca
            .write_dir(&dir, &["dev-1".into(), "dev-2".into()])
            .expect("write");
        assert_eq!(written.len(), 6);
        let loaded = Authority::load(&dir.join("ca.pem"), &dir.join("ca.key")).expect("load");
        assert_eq!(loaded.cert_pem(), ca.cert_pem());
        // A certificate issued by the reloaded CA is accepted by a server of the original one.
        let server = ca.server_config(&["localhost".into()]).expect("server");
        let client = loaded
            .client_config(&loaded.issue_client("dev-3").expect("cert"))
            .expect("client");
        handshake(server, client).await.expect("handshake");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn loading_a_missing_or_bad_ca_is_a_clear_error() {
        let missing = Authority::load(
            Path::new("/nonexistent/ca.pem"),
            Path::new("/nonexistent/ca.key"),
        );
        assert!(matches!(missing, Err(TlsError::Read { .. })));
        let dir = std::env::temp_dir().join(format!("jobrig-badca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("ca.pem"), "not a certificate").expect("write");
        std::fs::write(dir.join("ca.key"), "not a key").expect("write");
        let bad = Authority::load(&dir.join("ca.pem"), &dir.join("ca.key"));
        assert!(
            matches!(bad, Err(TlsError::BadCa { .. })),
            "{:?}",
            bad.err()
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
