//! `jobrig serve`: the emulator on the wire — the AWS HTTP planes, an MQTT broker that speaks the
//! Jobs API, and the admin API — sharing one [`service::Service`].

pub mod external;
pub mod http;
pub mod mqtt;
pub mod service;
pub mod tls;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::clock::{Clock, ClockMode};
use crate::emulator::Emulator;
use crate::engine::EngineConfig;
use service::Service;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen for HTTP on {addr}: {source}")]
    HttpBind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot listen for MQTT on {addr}: {source}")]
    MqttBind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error(transparent)]
    External(#[from] external::ExternalError),
    #[error("{0}")]
    Conflict(&'static str),
}

/// Where the CA that signs client and server certificates comes from.
#[derive(Clone, Debug, Default)]
pub enum CaSource {
    /// A new CA for this run.
    #[default]
    Generate,
    /// An existing CA (PEM certificate, PEM PKCS#8 key).
    Load { cert: PathBuf, key: PathBuf },
}

/// Mutual TLS for the MQTT TLS listener.
#[derive(Clone, Debug, Default)]
pub struct TlsOptions {
    pub ca: CaSource,
    /// Where to write the CA and a certificate and key per thing of `things`.
    pub certs_dir: Option<PathBuf>,
    pub things: Vec<String>,
    /// Names the server certificate is valid for, beside `localhost` and the listener's IP.
    pub server_names: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct ServeConfig {
    pub http: SocketAddr,
    /// `None`: no MQTT listener.
    pub mqtt: Option<SocketAddr>,
    /// The MQTT TLS listener (client certificates required); needs `mqtt`.
    pub mqtts: Option<SocketAddr>,
    /// The HTTPS counterpart of `http` (same planes, admin API and `wss://.../mqtt`), with a server
    /// certificate from the CA.
    pub https: Option<SocketAddr>,
    pub tls: TlsOptions,
    /// `mqtt://HOST:PORT`: attach to this broker instead of running one (`mqtt` must be `None`).
    pub broker: Option<String>,
    /// A client may only use its own `$aws/things/<client id>/...` topics.
    pub per_thing_auth: bool,
    pub clock: ClockMode,
    pub region: String,
    pub account_id: String,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            http: SocketAddr::from(([127, 0, 0, 1], 4566)),
            mqtt: Some(SocketAddr::from(([127, 0, 0, 1], 1883))),
            mqtts: None,
            https: None,
            tls: TlsOptions::default(),
            broker: None,
            per_thing_auth: false,
            clock: ClockMode::System,
            region: "us-east-1".into(),
            account_id: "123456789012".into(),
        }
    }
}

impl ServeConfig {
    /// Loopback, ports chosen by the OS, virtual clock: what tests use.
    pub fn ephemeral() -> Self {
        ServeConfig {
            http: SocketAddr::from(([127, 0, 0, 1], 0)),
            mqtt: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
            clock: ClockMode::Virtual,
            ..Default::default()
        }
    }
}

/// A running emulator server.
pub struct Running {
    pub http: SocketAddr,
    pub mqtt: Option<SocketAddr>,
    pub mqtts: Option<SocketAddr>,
    pub https: Option<SocketAddr>,
    /// The CA of the TLS listener (to issue more client certificates, e.g. in tests).
    pub authority: Option<Arc<tls::Authority>>,
    pub service: Arc<Service>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Running {
    /// The one JSON line printed when ready.
    pub fn ready_line(&self) -> String {
        // Written by hand to keep the documented member order: ready, http, mqtt.
        let mut line = format!("{{\"ready\":true,\"http\":{}", json!(self.http.to_string()));
        if let Some(m) = self.mqtt {
            line.push_str(&format!(",\"mqtt\":{}", json!(m.to_string())));
        }
        if let Some(m) = self.mqtts {
            line.push_str(&format!(",\"mqtts\":{}", json!(m.to_string())));
        }
        if let Some(h) = self.https {
            line.push_str(&format!(",\"https\":{}", json!(h.to_string())));
        }
        line.push('}');
        line
    }

    /// Stops accepting, closes connections and waits for the tasks to end.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// Binds every listener and starts serving.
pub async fn start(cfg: ServeConfig) -> Result<Running, ServeError> {
    let engine_cfg = EngineConfig {
        region: cfg.region.clone(),
        account_id: cfg.account_id.clone(),
        ..EngineConfig::default()
    };
    let service = Service::new(Emulator::new(engine_cfg, Clock::new(cfg.clock)));
    let (shutdown, stop) = watch::channel(false);
    let mut tasks = Vec::new();

    if cfg.broker.is_some() && (cfg.mqtt.is_some() || cfg.mqtts.is_some()) {
        return Err(ServeError::Conflict(
            "an external broker replaces jobrig's own: do not also ask for an MQTT listener",
        ));
    }
    if cfg.mqtts.is_some() && cfg.mqtt.is_none() {
        return Err(ServeError::Conflict(
            "the MQTT TLS listener is part of jobrig's own broker: give an MQTT address too",
        ));
    }
    let authority = if cfg.mqtts.is_some() || cfg.https.is_some() || cfg.tls.certs_dir.is_some() {
        let ca = match &cfg.tls.ca {
            CaSource::Generate => tls::Authority::generate("jobrig emulator CA")?,
            CaSource::Load { cert, key } => tls::Authority::load(cert, key)?,
        };
        if let Some(dir) = &cfg.tls.certs_dir {
            ca.write_dir(dir, &cfg.tls.things)?;
        }
        Some(Arc::new(ca))
    } else {
        None
    };

    let (mut mqtt, mut mqtts, mut connector) = (None, None, None);
    if let Some(addr) = cfg.mqtt {
        let mut broker = mqtt::Broker::bind(addr, service.clone(), stop.clone())
            .await
            .map_err(|source| ServeError::MqttBind { addr, source })?
            .per_thing_auth(cfg.per_thing_auth);
        if let (Some(tls_addr), Some(ca)) = (cfg.mqtts, &authority) {
            let mut names = vec!["localhost".to_string(), tls_addr.ip().to_string()];
            names.extend(cfg.tls.server_names.iter().cloned());
            let config = ca.server_config(&names)?;
            let bound =
                broker
                    .bind_tls(tls_addr, config)
                    .await
                    .map_err(|source| ServeError::MqttBind {
                        addr: tls_addr,
                        source,
                    })?;
            mqtts = Some(bound);
        }
        mqtt = Some(broker.local_addr());
        connector = Some(broker.connector());
        service.set_publisher(broker.publisher());
        tasks.push(tokio::spawn(broker.run()));
    }
    if let Some(url) = &cfg.broker {
        let ext = external::ExternalBroker::connect(url, service.clone(), stop.clone()).await?;
        service.set_publisher(ext.publisher());
        tasks.push(tokio::spawn(ext.run()));
    }

    let listener = TcpListener::bind(cfg.http)
        .await
        .map_err(|source| ServeError::HttpBind {
            addr: cfg.http,
            source,
        })?;
    let http = listener
        .local_addr()
        .map_err(|source| ServeError::HttpBind {
            addr: cfg.http,
            source,
        })?;
    let app = http::router(service.clone(), connector);
    let https = match (cfg.https, &authority) {
        (Some(addr), Some(ca)) => {
            let tls_listener = TcpListener::bind(addr)
                .await
                .map_err(|source| ServeError::HttpBind { addr, source })?;
            let bound = tls_listener
                .local_addr()
                .map_err(|source| ServeError::HttpBind { addr, source })?;
            let mut names = vec!["localhost".to_string(), bound.ip().to_string()];
            names.extend(cfg.tls.server_names.iter().cloned());
            let config = ca.server_config_without_client_auth(&names)?;
            tasks.push(tokio::spawn(serve_https(
                tls_listener,
                tokio_rustls::TlsAcceptor::from(config),
                app.clone(),
                stop.clone(),
            )));
            Some(bound)
        }
        _ => None,
    };
    let mut stop_http = stop.clone();
    tasks.push(tokio::spawn(async move {
        let graceful = async move {
            let _ = stop_http.wait_for(|s| *s).await;
        };
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(graceful)
            .await
        {
            tracing::error!("HTTP server stopped: {e}");
        }
    }));

    let driver = service.clone();
    let mut stop_clock = stop;
    tasks.push(tokio::spawn(async move {
        tokio::select! {
            _ = driver.drive_clock() => {}
            _ = stop_clock.wait_for(|s| *s) => {}
        }
    }));

    Ok(Running {
        http,
        mqtt,
        mqtts,
        https,
        authority,
        service,
        shutdown,
        tasks,
    })
}

/// How long a client may take to complete the TLS handshake on the HTTPS listener.
const HTTPS_HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Serves `app` over TLS (HTTP/1.1 with upgrades, so `wss://.../mqtt` works) until shutdown.
async fn serve_https(
    listener: TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    app: axum::Router,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = async { stop.wait_for(|s| *s).await.map(|_| ()) } => return,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let acceptor = acceptor.clone();
                let app = app.clone();
                tokio::spawn(async move {
                    let Ok(Ok(tls)) =
                        tokio::time::timeout(HTTPS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
                    else {
                        return;
                    };
                    let service = hyper_util::service::TowerToHyperService::new(app);
                    let _ = hyper_util::server::conn::auto::Builder::new(
                        hyper_util::rt::TokioExecutor::new(),
                    )
                    .serve_connection_with_upgrades(hyper_util::rt::TokioIo::new(tls), service)
                    .await;
                });
            }
        }
    }
}
