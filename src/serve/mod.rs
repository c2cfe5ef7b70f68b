//! `jobrig serve`: the emulator on the wire — the AWS HTTP planes, an MQTT broker that speaks the
//! Jobs API, and the admin API — sharing one [`service::Service`].

pub mod http;
pub mod mqtt;
pub mod service;
pub mod tls;

use std::net::SocketAddr;
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
}

#[derive(Clone, Debug)]
pub struct ServeConfig {
    pub http: SocketAddr,
    /// `None`: no MQTT listener.
    pub mqtt: Option<SocketAddr>,
    pub clock: ClockMode,
    pub region: String,
    pub account_id: String,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            http: SocketAddr::from(([127, 0, 0, 1], 4566)),
            mqtt: Some(SocketAddr::from(([127, 0, 0, 1], 1883))),
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

    let mqtt = match cfg.mqtt {
        Some(addr) => {
            let broker = mqtt::Broker::bind(addr, service.clone(), stop.clone())
                .await
                .map_err(|source| ServeError::MqttBind { addr, source })?;
            let local = broker.local_addr();
            service.set_publisher(broker.publisher());
            tasks.push(tokio::spawn(broker.run()));
            Some(local)
        }
        None => None,
    };

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
    let app = http::router(service.clone());
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
        service,
        shutdown,
        tasks,
    })
}
