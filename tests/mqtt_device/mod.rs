//! Test helpers for `tests/serve_mqtt.rs`: a rumqttc device whose event loop runs in a task and
//! hands every received PUBLISH to the test, plus in-process control-plane setup.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use jobrig::engine::config::TimeoutConfig;
use jobrig::engine::{CreateJobRequest, CreateThingRequest};
use jobrig::serve::service::Service;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS, SubscribeReasonCode};
use serde_json::Value;
use tokio::sync::mpsc;

/// Safety net only: every wait in these tests ends on an event long before this.
pub const SAFETY: Duration = Duration::from_secs(10);

pub async fn within<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(SAFETY, f)
        .await
        .expect("safety net: the broker answered in time")
}

#[derive(Debug)]
pub enum Ev {
    ConnAck(bool),
    SubAck(Vec<SubscribeReasonCode>),
    Publish {
        topic: String,
        payload: Bytes,
        dup: bool,
    },
    /// The connection ended; the event loop stops (no automatic reconnect).
    Closed,
}

/// A device: a rumqttc v4 client and the events its event loop produced, in order.
pub struct Device {
    pub id: String,
    pub client: AsyncClient,
    events: mpsc::UnboundedReceiver<Ev>,
    pub session_present: bool,
}

pub fn options(addr: SocketAddr, id: &str, clean: bool) -> MqttOptions {
    let mut o = MqttOptions::new(id, addr.ip().to_string(), addr.port());
    o.set_clean_session(clean);
    o.set_keep_alive(Duration::from_secs(30));
    // rumqttc's 10 KB default would refuse large test payloads on the client side.
    o.set_max_packet_size(1 << 20, 1 << 20);
    // Device SDKs put metrics in the username; the broker accepts anything.
    o.set_credentials("?SDK=Rust&Version=test", "any");
    o
}

impl Device {
    pub async fn connect(addr: SocketAddr, id: &str) -> Device {
        Self::with_options(options(addr, id, true)).await
    }

    pub async fn with_options(opts: MqttOptions) -> Device {
        let id = opts.client_id();
        let (client, mut eventloop) = AsyncClient::new(opts, 256);
        let (tx, mut events) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            loop {
                let ev = match eventloop.poll().await {
                    Ok(Event::Incoming(Packet::ConnAck(a))) => Ev::ConnAck(a.session_present),
                    Ok(Event::Incoming(Packet::SubAck(s))) => Ev::SubAck(s.return_codes),
                    Ok(Event::Incoming(Packet::Publish(p))) => Ev::Publish {
                        topic: p.topic,
                        payload: p.payload,
                        dup: p.dup,
                    },
                    Ok(_) => continue,
                    Err(_) => {
                        let _ = tx.send(Ev::Closed);
                        return;
                    }
                };
                if tx.send(ev).is_err() {
                    return;
                }
            }
        });
        let session_present = match within(events.recv()).await {
            Some(Ev::ConnAck(p)) => p,
            other => panic!("expected CONNACK, got {other:?}"),
        };
        Device {
            id,
            client,
            events,
            session_present,
        }
    }

    pub async fn sub(&mut self, filter: &str) -> Vec<SubscribeReasonCode> {
        self.client
            .subscribe(filter, QoS::AtLeastOnce)
            .await
            .expect("subscribe queued");
        loop {
            match within(self.events.recv()).await {
                Some(Ev::SubAck(codes)) => return codes,
                Some(Ev::Publish { .. }) => continue,
                other => panic!("expected SUBACK, got {other:?}"),
            }
        }
    }

    pub async fn publish(&self, topic: &str, payload: impl Into<Vec<u8>>) {
        self.client
            .publish(topic, QoS::AtLeastOnce, false, payload.into())
            .await
            .expect("publish queued");
    }

    /// The next event of any kind.
    pub async fn event(&mut self) -> Ev {
        within(self.events.recv()).await.unwrap_or(Ev::Closed)
    }

    /// The next received message, as (topic, JSON).
    pub async fn next(&mut self) -> (String, Value) {
        loop {
            match self.event().await {
                Ev::Publish { topic, payload, .. } => {
                    let v = serde_json::from_slice(&payload).unwrap_or(Value::Null);
                    return (topic, v);
                }
                Ev::Closed => panic!("connection closed while waiting for a message"),
                _ => continue,
            }
        }
    }

    /// Publishes a request and returns the first reply on `<topic>/accepted|rejected`, with
    /// every other message that arrived first.
    pub async fn request(&mut self, topic: &str, payload: &str) -> (String, Value) {
        self.publish(topic, payload).await;
        let prefix = format!("{topic}/");
        loop {
            let (t, v) = self.next().await;
            if t.starts_with(&prefix) {
                return (t, v);
            }
        }
    }

    /// Everything delivered to this device before a fresh GetPending reply on `thing`'s own
    /// topic. The broker writes each connection's messages in order, so whatever an earlier
    /// operation caused has arrived by then: "nothing else" can be asserted without sleeping.
    pub async fn drain(&mut self, thing: &str) -> Vec<(String, Value)> {
        let topic = format!("$aws/things/{thing}/jobs/get");
        let token = format!("barrier-{}", rand_token());
        self.publish(&topic, format!(r#"{{"clientToken":"{token}"}}"#))
            .await;
        let mut seen = Vec::new();
        loop {
            let (t, v) = self.next().await;
            if t == format!("{topic}/accepted") && v["clientToken"] == token.as_str() {
                return seen;
            }
            seen.push((t, v));
        }
    }

    /// Like [`Device::drain`], keeping only topics that do not end in `/accepted`|`/rejected`.
    pub async fn drain_topics(&mut self, thing: &str) -> Vec<String> {
        self.drain(thing)
            .await
            .into_iter()
            .map(|(t, _)| t)
            .collect()
    }

    /// Waits until the broker closed this connection.
    pub async fn closed(&mut self) {
        loop {
            if let Ev::Closed = self.event().await {
                return;
            }
        }
    }
}

fn rand_token() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

pub fn thing(svc: &Service, name: &str) -> String {
    svc.call(|e, now| {
        e.create_thing(
            now,
            CreateThingRequest {
                thing_name: name.into(),
                ..Default::default()
            },
        )
    })
    .0
    .expect("thing created")
    .thing_arn
}

pub fn job_request(id: &str, targets: &[&str], doc: &str) -> CreateJobRequest {
    CreateJobRequest {
        job_id: id.into(),
        targets: Some(targets.iter().map(|s| s.to_string()).collect()),
        document: Some(doc.into()),
        ..Default::default()
    }
}

pub fn job(svc: &Service, id: &str, targets: &[&str], doc: &str) {
    svc.call(|e, now| e.create_job(now, job_request(id, targets, doc)))
        .0
        .expect("job created");
}

pub fn job_with_timeout(svc: &Service, id: &str, target: &str, minutes: i64) {
    let mut req = job_request(id, &[target], "{}");
    req.timeout_config = Some(TimeoutConfig {
        in_progress_timeout_in_minutes: Some(minutes),
    });
    svc.call(|e, now| e.create_job(now, req))
        .0
        .expect("job created");
}
