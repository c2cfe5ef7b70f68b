//! External broker mode: the Jobs service attaches as a client to a broker the lab already runs
//! (Mosquitto, EMQX, VerneMQ) instead of starting its own. It subscribes to the Jobs request
//! topics and publishes replies and notifications there.
//!
//! Unlike AWS IoT (and jobrig's own broker), a third-party broker cannot deliver a reply to a
//! client that did not subscribe to it: devices must subscribe to their `.../accepted` and
//! `.../rejected` topics, as most device SDKs do anyway (see docs/fidelity.md).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use rumqttc::{AsyncClient, Event, EventLoop, Incoming, MqttOptions, QoS};
use tokio::sync::watch;

use crate::serve::mqtt::jobs::{self, ReplyTo};
use crate::serve::service::{Publisher, Receipt, Service};

/// Every Jobs request topic of every thing (replies and notifications are filtered out).
const REQUESTS: &str = "$aws/things/+/jobs/#";

#[derive(Debug, thiserror::Error)]
pub enum ExternalError {
    #[error("broker URL {0:?} is not of the form mqtt://HOST:PORT")]
    BadUrl(String),
    #[error("cannot connect to the broker at {url}: {reason}")]
    Connect { url: String, reason: String },
}

/// `mqtt://host:port` (port defaults to 1883).
fn parse_url(url: &str) -> Result<(String, u16), ExternalError> {
    let rest = url
        .strip_prefix("mqtt://")
        .ok_or_else(|| ExternalError::BadUrl(url.into()))?;
    let rest = rest.trim_end_matches('/');
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) => (
            h,
            p.parse::<u16>()
                .map_err(|_| ExternalError::BadUrl(url.into()))?,
        ),
        None => (rest, 1883),
    };
    if host.is_empty() {
        return Err(ExternalError::BadUrl(url.into()));
    }
    Ok((host.trim_matches(['[', ']']).to_string(), port))
}

/// Topics the service itself publishes on, which its wildcard subscription hears again.
fn is_own_output(topic: &str) -> bool {
    let last = topic.rsplit('/').next().unwrap_or("");
    last == "accepted" || last == "rejected" || last.starts_with("notify")
}

/// Publishes on the external broker. A publish counts as delivered once the client handed it
/// to the broker connection; the broker's onward delivery is beyond jobrig's sight.
#[derive(Clone)]
struct ExternalPublisher {
    client: AsyncClient,
}

impl Publisher for ExternalPublisher {
    fn publish(&self, topic: &str, payload: Bytes) -> Receipt {
        let (done, receipt) = Receipt::pair();
        let client = self.client.clone();
        let topic = topic.to_string();
        // try_publish keeps the engine lock free of awaits; the request queue is large.
        if client
            .try_publish(topic, QoS::AtLeastOnce, false, payload)
            .is_ok()
        {
            let _ = done.send(());
        }
        receipt
    }
}

impl ReplyTo for ExternalPublisher {
    fn reply(&self, topic: &str, payload: Bytes) -> Receipt {
        self.publish(topic, payload)
    }
}

pub struct ExternalBroker {
    url: String,
    client: AsyncClient,
    eventloop: EventLoop,
    service: Arc<Service>,
    stop: watch::Receiver<bool>,
}

impl ExternalBroker {
    /// Connects and subscribes to the Jobs request topics; fails if the broker is unreachable.
    pub async fn connect(
        url: &str,
        service: Arc<Service>,
        stop: watch::Receiver<bool>,
    ) -> Result<Self, ExternalError> {
        let (host, port) = parse_url(url)?;
        let mut options = MqttOptions::new(format!("jobrig-{}", std::process::id()), host, port);
        options.set_keep_alive(Duration::from_secs(30));
        options.set_max_packet_size(256 * 1024, 256 * 1024);
        let (client, mut eventloop) = AsyncClient::new(options, 10_000);
        let failed = |reason: String| ExternalError::Connect {
            url: url.into(),
            reason,
        };
        client
            .subscribe(REQUESTS, QoS::AtLeastOnce)
            .await
            .map_err(|e| failed(e.to_string()))?;
        // Wait for the broker to acknowledge the subscription: from then on no request is lost.
        let ready = async {
            loop {
                match eventloop.poll().await {
                    Ok(Event::Incoming(Incoming::SubAck(_))) => return Ok(()),
                    Ok(_) => {}
                    Err(e) => return Err(failed(e.to_string())),
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(10), ready)
            .await
            .map_err(|_| failed("no answer within 10 s".into()))??;
        Ok(ExternalBroker {
            url: url.into(),
            client,
            eventloop,
            service,
            stop,
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn publisher(&self) -> Arc<dyn Publisher> {
        Arc::new(ExternalPublisher {
            client: self.client.clone(),
        })
    }

    /// Serves Jobs requests until shutdown; reconnects (rumqttc does) if the broker drops us.
    pub async fn run(mut self) {
        let replies = ExternalPublisher {
            client: self.client.clone(),
        };
        loop {
            tokio::select! {
                // The guard `wait_for` returns is not Send: drop it inside the future.
                _ = async { self.stop.wait_for(|s| *s).await.map(|_| ()) } => {
                    let _ = self.client.try_disconnect();
                    return;
                }
                event = self.eventloop.poll() => match event {
                    Ok(Event::Incoming(Incoming::Publish(p))) => {
                        if !is_own_output(&p.topic) {
                            let _ = jobs::handle(&self.service, &replies, &p.topic, &p.payload);
                        }
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!("external broker {}: {e}; reconnecting", self.url);
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_urls_name_a_host_and_a_port() {
        assert_eq!(
            parse_url("mqtt://127.0.0.1:1884").ok(),
            Some(("127.0.0.1".into(), 1884))
        );
        assert_eq!(
            parse_url("mqtt://broker.lab").ok(),
            Some(("broker.lab".into(), 1883))
        );
        assert_eq!(
            parse_url("mqtt://[::1]:1883").ok(),
            Some(("::1".into(), 1883))
        );
        for bad in [
            "127.0.0.1:1883",
            "mqtt://",
            "mqtt://host:port",
            "http://h:1",
            "mqtt://h:99999",
        ] {
            assert!(
                matches!(parse_url(bad), Err(ExternalError::BadUrl(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_service_ignores_its_own_replies_and_notifications() {
        for own in [
            "$aws/things/t/jobs/get/accepted",
            "$aws/things/t/jobs/j/update/rejected",
            "$aws/things/t/jobs/notify",
            "$aws/things/t/jobs/notify-next",
            "$aws/things/t/jobs/notify-next-namespace-ns",
        ] {
            assert!(is_own_output(own), "{own}");
        }
        for request in [
            "$aws/things/t/jobs/get",
            "$aws/things/t/jobs/start-next",
            "$aws/things/t/jobs/j/update",
            "$aws/things/t/jobs/$next/get",
        ] {
            assert!(!is_own_output(request), "{request}");
        }
    }
}
