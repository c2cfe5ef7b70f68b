//! `jobrig bench mqtt`: the Jobs API over jobrig's own broker, with rumqttc devices.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use rumqttc::{AsyncClient, Event, EventLoop, Incoming, MqttOptions, QoS};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::server::{BenchError, HttpConn, ServerProcess};

fn options(client_id: &str, server: &ServerProcess) -> MqttOptions {
    let mut o = MqttOptions::new(client_id, server.mqtt.ip().to_string(), server.mqtt.port());
    o.set_keep_alive(Duration::from_secs(60));
    o.set_max_packet_size(256 * 1024, 256 * 1024);
    o
}

/// How a benchmark device reaches the broker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// The MQTT TCP listener.
    Tcp,
    /// MQTT over WebSocket on the HTTP listener's `/mqtt`.
    WebSocket,
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Path::Tcp => "TCP",
            Path::WebSocket => "WebSocket",
        })
    }
}

fn options_on(path: Path, client_id: &str, server: &ServerProcess) -> MqttOptions {
    match path {
        Path::Tcp => options(client_id, server),
        Path::WebSocket => {
            let url = format!("ws://{}/mqtt", server.http);
            let mut o = MqttOptions::new(client_id, url, server.http.port());
            o.set_transport(rumqttc::Transport::Ws);
            o.set_keep_alive(Duration::from_secs(60));
            o.set_max_packet_size(256 * 1024, 256 * 1024);
            o
        }
    }
}

/// Forwards every incoming publish of one client to a channel, until the connection ends.
fn pump(mut eventloop: EventLoop) -> mpsc::UnboundedReceiver<(String, Bytes)> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            match eventloop.poll().await {
                Ok(Event::Incoming(Incoming::Publish(p))) => {
                    if tx.send((p.topic, p.payload)).is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(_) => return,
            }
        }
    });
    rx
}

async fn next_on(
    rx: &mut mpsc::UnboundedReceiver<(String, Bytes)>,
    topic: &str,
) -> Result<Value, BenchError> {
    loop {
        let (t, payload) = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .map_err(|_| BenchError::Mqtt(format!("no message on {topic} within 30 s")))?
            .ok_or_else(|| BenchError::Mqtt("connection closed".into()))?;
        if t == topic {
            return serde_json::from_slice(&payload).map_err(|e| BenchError::Mqtt(e.to_string()));
        }
        if t.ends_with("/rejected") {
            return Err(BenchError::Mqtt(format!(
                "rejected on {t}: {}",
                String::from_utf8_lossy(&payload)
            )));
        }
    }
}

#[derive(Debug)]
pub struct RoundTripReport {
    pub path: Path,
    pub round_trips: usize,
    pub median_us: f64,
    pub p99_us: f64,
}

impl fmt::Display for RoundTripReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "MQTT start-next round trip over {} ({} jobs): median {:.0} µs, p99 {:.0} µs",
            self.path, self.round_trips, self.median_us, self.p99_us
        )
    }
}

/// One device takes `jobs` queued jobs one after the other: start-next (timed), then SUCCEEDED.
pub async fn start_next_round_trip(jobs: usize, path: Path) -> Result<RoundTripReport, BenchError> {
    let server = ServerProcess::start()?;
    let mut http = HttpConn::connect(server.http).await?;
    http.ok("POST", "/things/rt-dev", "iot", "{}").await?;
    let arn = "arn:aws:iot:us-east-1:123456789012:thing/rt-dev";
    for i in 0..jobs {
        let body = format!(r#"{{"targets":["{arn}"],"document":"{{\"n\":{i}}}"}}"#);
        http.ok("PUT", &format!("/jobs/rt-{i:05}"), "iot", &body)
            .await?;
    }
    let (client, eventloop) = AsyncClient::new(options_on(path, "rt-dev", &server), 64);
    let mut rx = pump(eventloop);
    let mut samples = Vec::with_capacity(jobs);
    let base = "$aws/things/rt-dev/jobs";
    for i in 0..jobs {
        let t = Instant::now();
        client
            .publish(
                format!("{base}/start-next"),
                QoS::AtMostOnce,
                false,
                json!({"clientToken": i.to_string()}).to_string(),
            )
            .await
            .map_err(|e| BenchError::Mqtt(e.to_string()))?;
        let accepted = next_on(&mut rx, &format!("{base}/start-next/accepted")).await?;
        samples.push(t.elapsed().as_micros() as u64);
        succeed_started(&client, &mut rx, base, &accepted).await?;
    }
    let (median_us, p99_us) = super::percentiles(samples);
    Ok(RoundTripReport {
        path,
        round_trips: jobs,
        median_us,
        p99_us,
    })
}

#[derive(Debug)]
pub struct FleetReport {
    pub devices: usize,
    pub succeeded: usize,
    pub connect: Duration,
    pub wall: Duration,
    pub emulator_minutes: u32,
    pub server_peak_rss_mib: Option<f64>,
    pub bench_peak_rss_mib: Option<f64>,
}

impl fmt::Display for FleetReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} MQTT devices: {} executions SUCCEEDED in {:.2} s after the job was created ({} emulator minutes; connecting took {:.2} s); server peak RSS {:.1} MiB, bench peak RSS {:.1} MiB",
            self.devices,
            self.succeeded,
            self.wall.as_secs_f64(),
            self.emulator_minutes,
            self.connect.as_secs_f64(),
            self.server_peak_rss_mib.unwrap_or(f64::NAN),
            self.bench_peak_rss_mib.unwrap_or(f64::NAN),
        )
    }
}

/// Reports SUCCEEDED (with `expectedVersion`) for the execution a `start-next/accepted` reply
/// carries, and waits for the update to be accepted.
async fn succeed_started(
    client: &AsyncClient,
    rx: &mut mpsc::UnboundedReceiver<(String, Bytes)>,
    base: &str,
    accepted: &Value,
) -> Result<(), BenchError> {
    let exec = &accepted["execution"];
    let job = exec["jobId"]
        .as_str()
        .ok_or_else(|| BenchError::Mqtt(format!("no execution in {accepted}")))?;
    let update = json!({"status": "SUCCEEDED", "expectedVersion": exec["versionNumber"]});
    client
        .publish(
            format!("{base}/{job}/update"),
            QoS::AtMostOnce,
            false,
            update.to_string(),
        )
        .await
        .map_err(|e| BenchError::Mqtt(e.to_string()))?;
    next_on(rx, &format!("{base}/{job}/update/accepted")).await?;
    Ok(())
}

/// One device: waits for its notify-next, starts the execution, reports SUCCEEDED, disconnects.
async fn device(
    name: String,
    client: AsyncClient,
    mut rx: mpsc::UnboundedReceiver<(String, Bytes)>,
    done: Arc<AtomicUsize>,
) -> Result<(), BenchError> {
    let base = format!("$aws/things/{name}/jobs");
    let mqtt = |e: rumqttc::ClientError| BenchError::Mqtt(e.to_string());
    loop {
        let next = next_on(&mut rx, &format!("{base}/notify-next")).await;
        let Ok(next) = next else {
            // 30 s without a notification: the device gives up (the run reports the shortfall).
            return Ok(());
        };
        if next.get("execution").is_some() {
            break;
        }
    }
    client
        .publish(format!("{base}/start-next"), QoS::AtMostOnce, false, "{}")
        .await
        .map_err(mqtt)?;
    let accepted = next_on(&mut rx, &format!("{base}/start-next/accepted")).await?;
    succeed_started(&client, &mut rx, &base, &accepted).await?;
    done.fetch_add(1, Ordering::SeqCst);
    let _ = client.disconnect().await;
    Ok(())
}

/// `n` devices in one group, one SNAPSHOT job over the group; every device completes it.
pub async fn fleet(n: usize) -> Result<FleetReport, BenchError> {
    let server = ServerProcess::start()?;
    let mut http = HttpConn::connect(server.http).await?;
    http.ok("POST", "/thing-groups/fleet", "iot", "{}").await?;
    for i in 0..n {
        let name = format!("d{i:05}");
        http.ok("POST", &format!("/things/{name}"), "iot", "{}")
            .await?;
        let body = format!(r#"{{"thingGroupName":"fleet","thingName":"{name}"}}"#);
        http.ok("PUT", "/thing-groups/addThingToThingGroup", "iot", &body)
            .await?;
    }
    // Connect and subscribe every device before the job exists, a few hundred at a time.
    let connect_started = Instant::now();
    let done = Arc::new(AtomicUsize::new(0));
    let mut devices = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        let mut subscribed = Vec::new();
        for &i in chunk {
            let name = format!("d{i:05}");
            let (client, eventloop) = AsyncClient::new(options(&name, &server), 16);
            let rx = pump(eventloop);
            let topic = format!("$aws/things/{name}/jobs/notify-next");
            let c = client.clone();
            subscribed.push(async move {
                c.subscribe(topic, QoS::AtLeastOnce)
                    .await
                    .map_err(|e| BenchError::Mqtt(e.to_string()))
            });
            devices.push((name, client, rx));
        }
        for s in subscribed {
            s.await?;
        }
    }
    // A subscription is in force once the broker answered a request on the same connection;
    // describing `$next` is that round trip (it also proves every device is connected).
    for (name, client, rx) in devices.iter_mut() {
        client
            .publish(
                format!("$aws/things/{name}/jobs/$next/get"),
                QoS::AtMostOnce,
                false,
                "{}",
            )
            .await
            .map_err(|e| BenchError::Mqtt(e.to_string()))?;
        next_on(rx, &format!("$aws/things/{name}/jobs/$next/get/accepted")).await?;
    }
    let connect = connect_started.elapsed();
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(n);
    for (name, client, rx) in devices {
        tasks.push(tokio::spawn(device(name, client, rx, done.clone())));
    }
    let group = "arn:aws:iot:us-east-1:123456789012:thinggroup/fleet";
    let job = format!(
        r#"{{"targets":["{group}"],"document":"{{\"operation\":\"bench\"}}","jobExecutionsRolloutConfig":{{"maximumPerMinute":1000}}}}"#
    );
    http.ok("PUT", "/jobs/fleet-job", "iot", &job).await?;
    // The rollout creates 1000 executions per emulator minute: move the virtual clock on each
    // time the current minute's executions are all done.
    let mut minutes = 0u32;
    while done.load(Ordering::SeqCst) < n {
        let reply = http.ok("GET", "/jobs/fleet-job", "iot", "").await?;
        let job: Value =
            serde_json::from_slice(&reply).map_err(|e| BenchError::Other(e.to_string()))?;
        let d = &job["job"]["jobProcessDetails"];
        let pending = d["numberOfQueuedThings"].as_u64().unwrap_or(0)
            + d["numberOfInProgressThings"].as_u64().unwrap_or(0);
        if pending == 0 && done.load(Ordering::SeqCst) < n {
            http.ok("POST", "/_jobrig/clock/advance", "iot", r#"{"seconds":60}"#)
                .await?;
            minutes += 1;
            if minutes > (n as u32) / 1000 + 5 {
                break;
            }
        } else {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
    let wall = started.elapsed();
    for t in tasks {
        let _ = t.await;
    }
    Ok(FleetReport {
        devices: n,
        succeeded: done.load(Ordering::SeqCst),
        connect,
        wall,
        emulator_minutes: minutes,
        server_peak_rss_mib: server.peak_rss_mib(),
        bench_peak_rss_mib: super::peak_rss_mib(),
    })
}
