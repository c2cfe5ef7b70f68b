//! The MQTT TLS listener: client certificates signed by the CA `jobrig serve` generates, written
//! to `--certs DIR` so that firmware that only speaks mTLS can connect.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use jobrig::serve::{ServeConfig, TlsOptions, start};
use rumqttc::{AsyncClient, Event, Incoming, MqttOptions, QoS, TlsConfiguration, Transport};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::Value;

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jobrig-tls-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A rustls client configuration from PEM files, as firmware would be provisioned.
fn client_config(ca: &Path, cert: Option<(&Path, &Path)>) -> Arc<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    let ca_pem = std::fs::read(ca).expect("ca.pem");
    for c in rustls_pemfile::certs(&mut ca_pem.as_slice()) {
        roots.add(c.expect("a certificate")).expect("root");
    }
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots);
    let config = match cert {
        Some((cert, key)) => {
            let cert_pem = std::fs::read(cert).expect("cert");
            let chain: Vec<CertificateDer<'static>> =
                rustls_pemfile::certs(&mut cert_pem.as_slice())
                    .map(|c| c.expect("cert"))
                    .collect();
            let key_pem = std::fs::read(key).expect("key");
            let key: PrivateKeyDer<'static> = rustls_pemfile::private_key(&mut key_pem.as_slice())
                .expect("pem")
                .expect("a key");
            builder
                .with_client_auth_cert(chain, key)
                .expect("client auth")
        }
        None => builder.with_no_client_auth(),
    };
    Arc::new(config)
}

/// Connects over TLS as `client_id`, publishes a GetPendingJobExecutions request and returns the
/// reply's topic, or the connection error.
async fn get_pending_over_tls(
    port: u16,
    client_id: &str,
    tls: Arc<rustls::ClientConfig>,
) -> Result<(String, Value), String> {
    let mut options = MqttOptions::new(client_id, "127.0.0.1", port);
    options.set_keep_alive(Duration::from_secs(30));
    options.set_transport(Transport::tls_with_config(TlsConfiguration::Rustls(tls)));
    let (client, mut eventloop) = AsyncClient::new(options, 16);
    let topic = format!("$aws/things/{client_id}/jobs/get");
    client
        .publish(topic, QoS::AtLeastOnce, false, r#"{"clientToken":"tls"}"#)
        .await
        .map_err(|e| e.to_string())?;
    let wait = async {
        loop {
            match eventloop.poll().await {
                Ok(Event::Incoming(Incoming::Publish(p))) => {
                    let v: Value = serde_json::from_slice(&p.payload).map_err(|e| e.to_string())?;
                    return Ok((p.topic, v));
                }
                Ok(_) => {}
                Err(e) => return Err(e.to_string()),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .map_err(|_| "safety net: no answer".to_string())?
}

fn tls_config(dir: &Path) -> ServeConfig {
    ServeConfig {
        mqtts: Some("127.0.0.1:0".parse().expect("addr")),
        tls: TlsOptions {
            certs_dir: Some(dir.to_path_buf()),
            things: vec!["tls-dev".into()],
            ..TlsOptions::default()
        },
        ..ServeConfig::ephemeral()
    }
}

#[tokio::test]
async fn a_device_with_its_written_certificate_uses_the_jobs_api_over_mtls() {
    // Issue 3 item 3; spec §4.3 over the TLS listener
    let dir = temp_dir("ok");
    let running = start(tls_config(&dir)).await.expect("start");
    let port = running.mqtts.expect("a TLS listener").port();
    let tls = client_config(
        &dir.join("ca.pem"),
        Some((&dir.join("tls-dev.cert.pem"), &dir.join("tls-dev.key.pem"))),
    );
    let (topic, reply) = get_pending_over_tls(port, "tls-dev", tls)
        .await
        .expect("mTLS works");
    assert_eq!(topic, "$aws/things/tls-dev/jobs/get/accepted");
    assert_eq!(reply["clientToken"], "tls");
    assert_eq!(reply["queuedJobs"], serde_json::json!([]));
    running.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_client_without_a_certificate_is_refused() {
    let dir = temp_dir("nocert");
    let running = start(tls_config(&dir)).await.expect("start");
    let port = running.mqtts.expect("a TLS listener").port();
    let tls = client_config(&dir.join("ca.pem"), None);
    assert!(get_pending_over_tls(port, "tls-dev", tls).await.is_err());
    running.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_certificate_from_another_ca_is_refused() {
    let dir = temp_dir("foreign");
    let running = start(tls_config(&dir)).await.expect("start");
    let port = running.mqtts.expect("a TLS listener").port();
    let other = temp_dir("other-ca");
    jobrig::serve::tls::Authority::generate("not jobrig's")
        .expect("ca")
        .write_dir(&other, &["tls-dev".into()])
        .expect("write");
    let tls = client_config(
        &dir.join("ca.pem"),
        Some((
            &other.join("tls-dev.cert.pem"),
            &other.join("tls-dev.key.pem"),
        )),
    );
    assert!(get_pending_over_tls(port, "tls-dev", tls).await.is_err());
    running.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&other);
}

#[tokio::test]
async fn a_given_ca_signs_the_server_and_its_devices_certificates() {
    // `--ca-cert`/`--ca-key`: the lab's own CA, reused across runs
    let lab = temp_dir("lab-ca");
    jobrig::serve::tls::Authority::generate("lab CA")
        .expect("ca")
        .write_dir(&lab, &["lab-dev".into()])
        .expect("write");
    let cfg = ServeConfig {
        mqtts: Some("127.0.0.1:0".parse().expect("addr")),
        tls: TlsOptions {
            ca: jobrig::serve::CaSource::Load {
                cert: lab.join("ca.pem"),
                key: lab.join("ca.key"),
            },
            ..TlsOptions::default()
        },
        ..ServeConfig::ephemeral()
    };
    let running = start(cfg).await.expect("start");
    let port = running.mqtts.expect("a TLS listener").port();
    let tls = client_config(
        &lab.join("ca.pem"),
        Some((&lab.join("lab-dev.cert.pem"), &lab.join("lab-dev.key.pem"))),
    );
    let (topic, _) = get_pending_over_tls(port, "lab-dev", tls)
        .await
        .expect("mTLS works");
    assert_eq!(topic, "$aws/things/lab-dev/jobs/get/accepted");
    running.shutdown().await;
    let _ = std::fs::remove_dir_all(&lab);
}

#[test]
fn serve_with_certs_writes_them_and_announces_the_tls_listener() {
    let dir = temp_dir("cli");
    let mut child = Command::new(env!("CARGO_BIN_EXE_jobrig"))
        .args([
            "serve",
            "--http",
            "127.0.0.1:0",
            "--mqtt",
            "127.0.0.1:0",
            "--mqtts",
            "127.0.0.1:0",
        ])
        .args([
            "--clock", "virtual", "--thing", "fw-1", "--thing", "fw-2", "--certs",
        ])
        .arg(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let line = BufReader::new(stdout)
        .lines()
        .next()
        .expect("a line")
        .expect("utf-8");
    let ready: Value = serde_json::from_str(&line).expect("JSON");
    assert!(
        ready["mqtts"]
            .as_str()
            .is_some_and(|a| a.starts_with("127.0.0.1:")),
        "{line}"
    );
    for f in [
        "ca.pem",
        "ca.key",
        "fw-1.cert.pem",
        "fw-1.key.pem",
        "fw-2.cert.pem",
        "fw-2.key.pem",
    ] {
        assert!(dir.join(f).exists(), "{f} written");
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    assert!(child.wait().expect("exit").success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_half_given_ca_is_refused_by_the_cli() {
    let out = Command::new(env!("CARGO_BIN_EXE_jobrig"))
        .args([
            "serve",
            "--http",
            "127.0.0.1:0",
            "--mqtt",
            "127.0.0.1:0",
            "--ca-cert",
            "/tmp/x.pem",
        ])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--ca-key"));
}
