//! `jobrig serve`'s admin API and process contract, over real sockets.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use jobrig::engine::config::TimeoutConfig;
use jobrig::engine::{CreateJobRequest, CreateThingRequest};
use jobrig::serve::{ServeConfig, start};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One HTTP/1.1 request on a fresh connection; returns (status, body as JSON or Null).
async fn http(addr: std::net::SocketAddr, method: &str, path: &str, body: &str) -> (u16, Value) {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.expect("read");
    let text = String::from_utf8_lossy(&raw);
    let (head, rest) = text.split_once("\r\n\r\n").expect("a complete response");
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status line");
    (status, serde_json::from_str(rest).unwrap_or(Value::Null))
}

async fn with_timeout<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .expect("safety net: the server answered")
}

#[tokio::test]
async fn clock_reports_virtual_time_and_mode() {
    with_timeout(async {
        let running = start(ServeConfig::ephemeral()).await.expect("start");
        let (status, body) = http(running.http, "GET", "/_jobrig/clock", "").await;
        assert_eq!(status, 200);
        assert_eq!(body["mode"], "virtual");
        assert_eq!(body["now"], json!(1_767_225_600.0));
        running.shutdown().await;
    })
    .await
}

/// Creates thing `dev` and job `j` over it with an in-progress timeout of `minutes`.
fn thing_with_timed_job(svc: &jobrig::serve::service::Service, minutes: i64) {
    let arn = svc
        .call(|e, now| {
            e.create_thing(
                now,
                CreateThingRequest {
                    thing_name: "dev".into(),
                    ..Default::default()
                },
            )
        })
        .0
        .expect("thing")
        .thing_arn;
    svc.call(|e, now| {
        e.create_job(
            now,
            CreateJobRequest {
                job_id: "j".into(),
                targets: Some(vec![arn]),
                document: Some("{}".into()),
                timeout_config: Some(TimeoutConfig {
                    in_progress_timeout_in_minutes: Some(minutes),
                }),
                ..Default::default()
            },
        )
    })
    .0
    .expect("job");
}

#[tokio::test]
async fn advance_moves_the_clock_and_fires_the_timers_due_in_that_span() {
    with_timeout(async {
        let running = start(ServeConfig::ephemeral()).await.expect("start");
        let svc = running.service.clone();
        thing_with_timed_job(&svc, 10_080);
        svc.call(|e, now| e.start_next_pending_job_execution(now, "dev", None, Default::default()))
            .0
            .expect("start");
        let status = |svc: &jobrig::serve::service::Service| {
            svc.read(|e, now| e.describe_job_execution(now, "dev", "j", None))
                .expect("describe")
                .execution
                .status
        };
        // One second short of seven days: still running.
        let (code, body) = http(
            running.http,
            "POST",
            "/_jobrig/clock/advance",
            r#"{"seconds": 604799}"#,
        )
        .await;
        assert_eq!(code, 200);
        assert_eq!(body["now"], json!(1_767_225_600.0 + 604_799.0));
        assert_eq!(status(&svc), "IN_PROGRESS");
        let (code, body) = http(
            running.http,
            "POST",
            "/_jobrig/clock/advance",
            r#"{"seconds": 1}"#,
        )
        .await;
        assert_eq!(code, 200);
        assert_eq!(body["now"], json!(1_767_225_600.0 + 604_800.0));
        assert_eq!(status(&svc), "TIMED_OUT");
        running.shutdown().await;
    })
    .await
}

#[tokio::test]
async fn advance_refuses_bad_input_and_leaves_the_clock_alone() {
    with_timeout(async {
        let running = start(ServeConfig::ephemeral()).await.expect("start");
        for body in [
            "",
            "{",
            r#"{"seconds": "ten"}"#,
            r#"{"seconds": -1}"#,
            r#"{"secs": 5}"#,
            r#"{"seconds": 1e300}"#,
        ] {
            let (code, reply) = http(running.http, "POST", "/_jobrig/clock/advance", body).await;
            assert_eq!(code, 400, "body {body:?} → {reply}");
            assert!(reply["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
        let (_, clock) = http(running.http, "GET", "/_jobrig/clock", "").await;
        assert_eq!(clock["now"], json!(1_767_225_600.0));
        running.shutdown().await;
    })
    .await
}

#[tokio::test]
async fn the_system_clock_cannot_be_advanced() {
    with_timeout(async {
        let cfg = ServeConfig {
            clock: jobrig::clock::ClockMode::System,
            ..ServeConfig::ephemeral()
        };
        let running = start(cfg).await.expect("start");
        let (code, body) = http(
            running.http,
            "POST",
            "/_jobrig/clock/advance",
            r#"{"seconds": 60}"#,
        )
        .await;
        assert_eq!(code, 409);
        assert!(
            body["message"]
                .as_str()
                .unwrap_or("")
                .contains("system clock")
        );
        let (_, clock) = http(running.http, "GET", "/_jobrig/clock", "").await;
        assert_eq!(clock["mode"], "system");
        running.shutdown().await;
    })
    .await
}

#[tokio::test]
async fn reset_empties_the_state() {
    with_timeout(async {
        let running = start(ServeConfig::ephemeral()).await.expect("start");
        let svc = running.service.clone();
        svc.call(|e, now| {
            e.create_thing(
                now,
                CreateThingRequest {
                    thing_name: "dev".into(),
                    ..Default::default()
                },
            )
        })
        .0
        .expect("thing");
        let (code, _) = http(running.http, "POST", "/_jobrig/reset", "").await;
        assert_eq!(code, 200);
        assert!(svc.read(|e, _| e.describe_thing("dev")).is_err());
        running.shutdown().await;
    })
    .await
}

#[test]
fn serve_prints_one_ready_line_and_stops_cleanly_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jobrig"))
        .args([
            "serve",
            "--http",
            "127.0.0.1:0",
            "--mqtt",
            "127.0.0.1:0",
            "--clock",
            "virtual",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn jobrig serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().expect("a line").expect("utf-8");
    let ready: Value = serde_json::from_str(&first).expect("the ready line is JSON");
    assert_eq!(ready["ready"], true);
    assert!(
        first.starts_with(r#"{"ready":true,"http":"127.0.0.1:"#),
        "{first}"
    );
    let http: std::net::SocketAddr = ready["http"].as_str().expect("http").parse().expect("addr");
    let mqtt: std::net::SocketAddr = ready["mqtt"].as_str().expect("mqtt").parse().expect("addr");
    assert_ne!(http.port(), 0);
    assert_ne!(mqtt.port(), 0);
    // The server answers, then SIGTERM stops it with success and nothing more on stdout.
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (code, _) = rt.block_on(with_timeout(http_get_clock(http)));
    assert_eq!(code, 200);
    let pid = child.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = child.wait().expect("exit");
    assert!(status.success(), "exit status {status:?}");
    assert!(lines.next().is_none(), "exactly one line on stdout");
}

async fn http_get_clock(addr: std::net::SocketAddr) -> (u16, Value) {
    http(addr, "GET", "/_jobrig/clock", "").await
}

#[test]
fn serve_refuses_an_address_in_use_with_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_jobrig"))
        .args(["serve", "--http", &addr, "--mqtt", "127.0.0.1:0"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "no ready line");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot listen for HTTP on"), "{err}");
}

#[tokio::test]
async fn per_thing_authorisation_keeps_a_device_to_its_own_topics() {
    // Issue 3 item 2 (optional per-thing authorisation), like an AWS IoT policy on ${iot:ClientId}
    use rumqttc::{AsyncClient, Event, Incoming, MqttOptions, QoS};
    with_timeout(async {
        let cfg = ServeConfig {
            per_thing_auth: true,
            ..ServeConfig::ephemeral()
        };
        let running = start(cfg).await.expect("start");
        let mqtt = running.mqtt.expect("mqtt");
        let (client, mut events) =
            AsyncClient::new(MqttOptions::new("dev-a", "127.0.0.1", mqtt.port()), 16);
        // Another thing's request is dropped; then our own is answered. Replies come in order,
        // so the first reply being ours proves the other got none.
        client
            .publish(
                "$aws/things/dev-b/jobs/get",
                QoS::AtLeastOnce,
                false,
                r#"{"clientToken":"b"}"#,
            )
            .await
            .expect("publish");
        client
            .publish(
                "$aws/things/dev-a/jobs/get",
                QoS::AtLeastOnce,
                false,
                r#"{"clientToken":"a"}"#,
            )
            .await
            .expect("publish");
        let reply = loop {
            if let Event::Incoming(Incoming::Publish(p)) = events.poll().await.expect("connected") {
                break (
                    p.topic,
                    serde_json::from_slice::<Value>(&p.payload).expect("json"),
                );
            }
        };
        assert_eq!(reply.0, "$aws/things/dev-a/jobs/get/accepted");
        assert_eq!(reply.1["clientToken"], "a");
        running.shutdown().await;
    })
    .await
}

#[tokio::test]
async fn on_a_jumpable_clock_due_timers_fire_by_themselves_without_any_request() {
    // Issue 3 item 5 / the clock driver: after a jump to just before a timeout, the server fires it
    // on its own as real time passes. No request is made meanwhile (requests also fire due
    // timers), so only the driver can produce the notify the subscriber waits for.
    use rumqttc::{AsyncClient, Event, Incoming, MqttOptions, QoS};
    with_timeout(async {
        let cfg = ServeConfig {
            clock: jobrig::clock::ClockMode::Jumpable,
            ..ServeConfig::ephemeral()
        };
        let running = start(cfg).await.expect("start");
        let svc = running.service.clone();
        thing_with_timed_job(&svc, 1);
        let mqtt = running.mqtt.expect("mqtt");
        let (client, mut events) =
            AsyncClient::new(MqttOptions::new("watcher", "127.0.0.1", mqtt.port()), 16);
        client
            .subscribe("$aws/things/dev/jobs/notify", QoS::AtLeastOnce)
            .await
            .expect("subscribe");
        loop {
            if let Event::Incoming(Incoming::SubAck(_)) = events.poll().await.expect("connected") {
                break;
            }
        }
        svc.call(|e, now| e.start_next_pending_job_execution(now, "dev", None, Default::default()))
            .0
            .expect("start");
        let (code, _) = http(
            running.http,
            "POST",
            "/_jobrig/clock/advance",
            r#"{"seconds": 59.5}"#,
        )
        .await;
        assert_eq!(code, 200);
        let notify = loop {
            if let Event::Incoming(Incoming::Publish(p)) = events.poll().await.expect("connected") {
                break serde_json::from_slice::<Value>(&p.payload).expect("json");
            }
        };
        assert_eq!(
            notify["jobs"],
            json!({}),
            "the timed-out execution left the pending set"
        );
        let status = svc
            .read(|e, now| e.describe_job_execution(now, "dev", "j", None))
            .expect("describe")
            .execution
            .status;
        assert_eq!(status, "TIMED_OUT");
        running.shutdown().await;
    })
    .await
}
