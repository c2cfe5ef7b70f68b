//! jobrig's own MQTT broker, with the AWS IoT Jobs API on its reserved topics.
//!
//! rumqttd cannot carry `$aws/...` topics, so the broker is built here on rumqttc's codecs:
//! MQTT 3.1.1 and 5, QoS 0 and 1, wildcards, keep-alive, clean and persistent sessions and
//! takeover by client id. Modules: [`codec`] (framing), [`session`] (one connection),
//! [`subscriptions`] (filters and matching), [`router`] (sessions, routing, the service's
//! publisher), [`jobs`] and [`replies`] (the Jobs topics and their payloads).

pub mod codec;
pub mod jobs;
pub mod replies;
pub mod router;
pub mod session;
pub mod subscriptions;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::serve::service::{Publisher, Service};
pub use router::Router;

/// AWS IoT's largest message payload is 128 KB (spec §4.1); the packet limit adds room for the
/// topic and properties around such a payload.
pub const DEFAULT_MAX_PACKET_SIZE: usize = 128 * 1024 + 1024;

/// The broker: accepts MQTT connections and routes publishes.
pub struct Broker {
    listener: TcpListener,
    router: Arc<Router>,
    service: std::sync::Weak<Service>,
    stop: watch::Receiver<bool>,
    max_packet: usize,
    per_thing_auth: bool,
    /// The TLS listener (mutual TLS, the 8883 convention), when on.
    tls: Option<(TcpListener, tokio_rustls::TlsAcceptor)>,
}

/// How long a client may take to complete the TLS handshake.
const TLS_HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

impl Broker {
    pub async fn bind(
        addr: SocketAddr,
        service: Arc<Service>,
        stop: watch::Receiver<bool>,
    ) -> std::io::Result<Broker> {
        let listener = TcpListener::bind(addr).await?;
        Ok(Broker {
            listener,
            router: Arc::new(Router::default()),
            service: Arc::downgrade(&service),
            stop,
            max_packet: DEFAULT_MAX_PACKET_SIZE,
            per_thing_auth: false,
            tls: None,
        })
    }

    /// Adds a TLS listener on `addr` serving the same broker; returns its bound address.
    pub async fn bind_tls(
        &mut self,
        addr: SocketAddr,
        config: Arc<rustls::ServerConfig>,
    ) -> std::io::Result<SocketAddr> {
        let listener = TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        self.tls = Some((listener, tokio_rustls::TlsAcceptor::from(config)));
        Ok(local)
    }

    /// Per-thing authorisation (off by default): a client may use only its own
    /// `$aws/things/<client id>/...` topics among the `$aws` ones.
    pub fn per_thing_auth(mut self, on: bool) -> Self {
        self.per_thing_auth = on;
        self
    }

    /// The largest packet (remaining length, bytes) a client may send; larger ones close the
    /// connection.
    pub fn max_packet_size(mut self, bytes: usize) -> Self {
        self.max_packet = bytes;
        self
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    pub fn publisher(&self) -> Arc<dyn Publisher> {
        self.router.clone()
    }

    fn shared(&self) -> Arc<session::Shared> {
        Arc::new(session::Shared {
            service: self.service.clone(),
            router: self.router.clone(),
            max_packet: self.max_packet,
            per_thing_auth: self.per_thing_auth,
            next_anonymous: AtomicU64::new(1),
        })
    }

    /// A handle that serves MQTT sessions arriving by other transports (WebSocket on `/mqtt`)
    /// into this broker. Take it after configuring the broker.
    pub fn connector(&self) -> Connector {
        Connector {
            shared: self.shared(),
            stop: self.stop.clone(),
        }
    }

    /// Accepts connections until shutdown; each connection runs in its own task.
    pub async fn run(mut self) {
        let shared = self.shared();
        let conn_stop = self.stop.clone();
        loop {
            tokio::select! {
                _ = async { self.stop.wait_for(|s| *s).await.map(|_| ()) } => return,
                accepted = self.listener.accept() => {
                    if let Ok((stream, _)) = accepted {
                        let _ = stream.set_nodelay(true);
                        tokio::spawn(session::serve(stream, shared.clone(), conn_stop.clone()));
                    }
                }
                accepted = accept_tls(&self.tls) => {
                    if let Some((stream, acceptor)) = accepted {
                        let _ = stream.set_nodelay(true);
                        let shared = shared.clone();
                        let stop = conn_stop.clone();
                        // The handshake runs in the connection's task, so a slow or failing
                        // client never holds up the accept loop.
                        tokio::spawn(async move {
                            let handshake = acceptor.accept(stream);
                            if let Ok(Ok(tls)) =
                                tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, handshake).await
                            {
                                session::serve(tls, shared, stop).await;
                            }
                        });
                    }
                }
            }
        }
    }
}

/// The next TCP connection on the TLS listener, if there is one (otherwise never).
async fn accept_tls(
    tls: &Option<(TcpListener, tokio_rustls::TlsAcceptor)>,
) -> Option<(tokio::net::TcpStream, tokio_rustls::TlsAcceptor)> {
    match tls {
        Some((listener, acceptor)) => listener
            .accept()
            .await
            .ok()
            .map(|(stream, _)| (stream, acceptor.clone())),
        None => std::future::pending().await,
    }
}

/// Serves MQTT sessions from any byte stream into the broker it came from.
#[derive(Clone)]
pub struct Connector {
    shared: Arc<session::Shared>,
    stop: watch::Receiver<bool>,
}

impl Connector {
    /// Serves one MQTT connection carried by `stream` until it ends.
    pub async fn serve<S: session::Stream>(&self, stream: S) {
        session::serve(stream, self.shared.clone(), self.stop.clone()).await;
    }
}
