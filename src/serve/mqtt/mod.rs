//! jobrig's own MQTT broker, with the AWS IoT Jobs API on its reserved topics.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::serve::service::{Publisher, Receipt, Service};

/// The broker: accepts MQTT connections and routes publishes.
pub struct Broker {
    listener: TcpListener,
    router: Arc<Router>,
    stop: watch::Receiver<bool>,
}

/// The broker's subscription table and session registry: what [`Publisher`] publishes through.
pub struct Router {
    _service: std::sync::Weak<Service>,
}

impl Publisher for Router {
    fn publish(&self, _topic: &str, _payload: Bytes) -> Receipt {
        Receipt::default()
    }
}

impl Broker {
    pub async fn bind(
        addr: SocketAddr,
        service: Arc<Service>,
        stop: watch::Receiver<bool>,
    ) -> std::io::Result<Broker> {
        let listener = TcpListener::bind(addr).await?;
        Ok(Broker {
            listener,
            router: Arc::new(Router {
                _service: Arc::downgrade(&service),
            }),
            stop,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    pub fn publisher(&self) -> Arc<dyn Publisher> {
        self.router.clone()
    }

    /// Accepts connections until shutdown.
    pub async fn run(mut self) {
        loop {
            tokio::select! {
                _ = self.stop.wait_for(|s| *s) => return,
                accepted = self.listener.accept() => {
                    if let Ok((stream, _)) = accepted {
                        drop(stream);
                    }
                }
            }
        }
    }
}
