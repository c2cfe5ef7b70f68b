//! The fault proxy's "Must show" (issue 4): a rumqttc device reaches `jobrig serve`'s broker
//! THROUGH the proxy, with a persistent session and client id = thing name, and keeps polling its
//! event loop so rumqttc reconnects by itself after the proxy cuts it. Job time moves only on the
//! emulator's virtual clock.

mod mqtt_device;

use std::net::SocketAddr;
use std::time::Duration;

use jobrig::rig::faults::FaultProxy;
use jobrig::serve::service::Service;
use jobrig::serve::{Running, ServeConfig, start};
use mqtt_device::{job, options, thing, within};
use rumqttc::{AsyncClient, Event, Packet, QoS};
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// Pace of rumqttc's reconnect attempts after a failed poll. Not what makes a test pass: every
/// wait is on an event; this only keeps a refused device from spinning the CPU.
const RECONNECT_PACE: Duration = Duration::from_millis(20);

#[derive(Debug)]
enum Ev {
    /// A CONNACK, with its session-present flag.
    Up(bool),
    Publish(String, Value),
    /// The connection failed or closed; the event loop will try again.
    Down,
}

/// A device whose event loop survives disconnects: rumqttc reconnects on the next poll.
struct Device {
    client: AsyncClient,
    events: mpsc::UnboundedReceiver<Ev>,
}

impl Device {
    /// Connects with a persistent session through `addr`, and waits for the first CONNACK.
    async fn connect(addr: SocketAddr, thing: &str) -> Device {
        let (client, mut eventloop) = AsyncClient::new(options(addr, thing, false), 64);
        let (tx, events) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            loop {
                let ev = match eventloop.poll().await {
                    Ok(Event::Incoming(Packet::ConnAck(a))) => Ev::Up(a.session_present),
                    Ok(Event::Incoming(Packet::Publish(p))) => Ev::Publish(
                        p.topic,
                        serde_json::from_slice(&p.payload).unwrap_or(Value::Null),
                    ),
                    Ok(_) => continue,
                    Err(_) => {
                        tokio::time::sleep(RECONNECT_PACE).await;
                        Ev::Down
                    }
                };
                if tx.send(ev).is_err() {
                    return;
                }
            }
        });
        let mut d = Device { client, events };
        d.up().await;
        d
    }

    async fn event(&mut self) -> Ev {
        within(self.events.recv())
            .await
            .expect("the device task runs")
    }

    /// Waits for the next CONNACK; returns its session-present flag.
    async fn up(&mut self) -> bool {
        loop {
            if let Ev::Up(present) = self.event().await {
                return present;
            }
        }
    }

    /// Waits until the connection is lost.
    async fn down(&mut self) {
        while !matches!(self.event().await, Ev::Down) {}
    }

    /// Publishes a request and returns its `/accepted` or `/rejected` reply.
    async fn request(&mut self, topic: &str, payload: Value) -> (String, Value) {
        self.client
            .publish(topic, QoS::AtLeastOnce, false, payload.to_string())
            .await
            .expect("publish queued");
        let prefix = format!("{topic}/");
        loop {
            match self.event().await {
                Ev::Publish(t, v) if t.starts_with(&prefix) => return (t, v),
                Ev::Down => panic!("connection lost while waiting for a reply to {topic}"),
                _ => continue,
            }
        }
    }
}

async fn server() -> (Running, SocketAddr) {
    let running = start(ServeConfig::ephemeral()).await.expect("start");
    let addr = running.mqtt.expect("an MQTT listener");
    (running, addr)
}

fn status(svc: &Service, thing: &str, job_id: &str) -> String {
    svc.read(|e, now| e.describe_job_execution(now, thing, job_id, None))
        .expect("execution exists")
        .execution
        .status
}

// Issue 4: the fault proxy — a device cut mid-job reconnects, re-describes its IN_PROGRESS
// execution and finishes it: the execution ends SUCCEEDED.
#[tokio::test]
async fn a_device_cut_mid_job_reconnects_and_finishes() {
    let (running, broker) = server().await;
    let arn = thing(&running.service, "dev-a");
    job(&running.service, "j1", &[&arn], r#"{"operation":"x"}"#);
    let proxy = FaultProxy::start(broker).await.expect("proxy");
    let t = "$aws/things/dev-a/jobs";
    let mut d = Device::connect(proxy.local_addr(), "dev-a").await;

    let (topic, v) = d.request(&format!("{t}/start-next"), json!({})).await;
    assert_eq!(topic, format!("{t}/start-next/accepted"), "{v}");
    assert_eq!(v["execution"]["status"], "IN_PROGRESS");

    assert_eq!(proxy.cut(), 1, "the device's one connection");
    d.down().await;
    assert!(d.up().await, "persistent session resumed after the cut");

    // The device lost its memory of the job: it asks for the in-progress one.
    let (topic, v) = d.request(&format!("{t}/$next/get"), json!({})).await;
    assert_eq!(topic, format!("{t}/$next/get/accepted"));
    let e = &v["execution"];
    assert_eq!(
        (e["jobId"].as_str(), e["status"].as_str()),
        (Some("j1"), Some("IN_PROGRESS"))
    );
    let version = e["versionNumber"].clone();

    let (topic, v) = d
        .request(
            &format!("{t}/j1/update"),
            json!({"status": "SUCCEEDED", "expectedVersion": version}),
        )
        .await;
    assert_eq!(topic, format!("{t}/j1/update/accepted"), "{v}");
    assert_eq!(status(&running.service, "dev-a", "j1"), "SUCCEEDED");
    let c = proxy.counters();
    assert_eq!((c.accepted, c.cut, c.refused), (2, 1, 0));
    running.shutdown().await;
}

// Issue 4: the fault proxy — a device kept offline (cut, reconnects refused) past its step
// timeout on the virtual clock ends TIMED_OUT, and its late update is rejected.
#[tokio::test]
async fn a_device_kept_offline_past_the_step_timeout_ends_timed_out() {
    let (running, broker) = server().await;
    let arn = thing(&running.service, "dev-b");
    job(&running.service, "j2", &[&arn], r#"{"operation":"x"}"#);
    let proxy = FaultProxy::start(broker).await.expect("proxy");
    let t = "$aws/things/dev-b/jobs";
    let mut d = Device::connect(proxy.local_addr(), "dev-b").await;

    let (topic, v) = d
        .request(
            &format!("{t}/start-next"),
            json!({"stepTimeoutInMinutes": 1}),
        )
        .await;
    assert_eq!(topic, format!("{t}/start-next/accepted"), "{v}");
    let version = v["execution"]["versionNumber"].clone();

    proxy.set_refusing(true);
    assert_eq!(proxy.cut(), 1);
    d.down().await;
    // The device has tried to come back and been turned away: it is offline, not just slow.
    within(proxy.wait_until(|c| c.refused >= 1)).await;

    within(running.service.advance_ms(61_000))
        .await
        .expect("virtual clock advanced");
    assert_eq!(status(&running.service, "dev-b", "j2"), "TIMED_OUT");

    proxy.set_refusing(false);
    d.up().await;
    let (topic, v) = d
        .request(
            &format!("{t}/j2/update"),
            json!({"status": "SUCCEEDED", "expectedVersion": version}),
        )
        .await;
    assert_eq!(topic, format!("{t}/j2/update/rejected"), "{v}");
    // The timeout bumped the version; the reply tells the device the execution's fate.
    assert_eq!(v["code"], "VersionMismatch", "{v}");
    assert_eq!(v["executionState"]["status"], "TIMED_OUT", "{v}");
    // Without the version check, the terminal state itself refuses the update.
    let (topic, v) = d
        .request(&format!("{t}/j2/update"), json!({"status": "SUCCEEDED"}))
        .await;
    assert_eq!(topic, format!("{t}/j2/update/rejected"), "{v}");
    assert_eq!(v["code"], "TerminalStateReached", "{v}");
    assert_eq!(status(&running.service, "dev-b", "j2"), "TIMED_OUT");
    running.shutdown().await;
}
