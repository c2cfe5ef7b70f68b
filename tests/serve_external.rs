//! External broker mode against a real Mosquitto, installed by the test itself when missing.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use jobrig::engine::{CreateJobRequest, CreateThingRequest};
use jobrig::serve::{ServeConfig, start};
use rumqttc::{AsyncClient, Event, EventLoop, Incoming, MqttOptions, QoS};
use serde_json::Value;

/// The Mosquitto binary: found on the machine, or installed with apt (CI runs as root).
fn mosquitto_binary() -> &'static PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let find = || {
            [
                "/usr/sbin/mosquitto",
                "/usr/bin/mosquitto",
                "/usr/local/sbin/mosquitto",
            ]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
        };
        if let Some(p) = find() {
            return p;
        }
        let update = Command::new("apt-get").args(["update", "-qq"]).status();
        let install = Command::new("apt-get")
            .args(["install", "-y", "-qq", "mosquitto"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status();
        assert!(
            matches!(update, Ok(s) if s.success()) && matches!(install, Ok(s) if s.success()),
            "mosquitto is not installed and apt-get could not install it"
        );
        find().expect("mosquitto installed")
    })
}

struct Mosquitto {
    child: Child,
    port: u16,
    _dir: PathBuf,
}

impl Mosquitto {
    fn start() -> Mosquitto {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
            l.local_addr().expect("addr").port()
        };
        let dir =
            std::env::temp_dir().join(format!("jobrig-mosquitto-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let conf = dir.join("mosquitto.conf");
        std::fs::write(
            &conf,
            format!("listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"),
        )
        .expect("config");
        let child = Command::new(mosquitto_binary())
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mosquitto starts");
        // Ready when it accepts connections (a safety-net deadline, not a pacing wait).
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "mosquitto did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Mosquitto {
            child,
            port,
            _dir: dir,
        }
    }

    fn url(&self) -> String {
        format!("mqtt://127.0.0.1:{}", self.port)
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits for the next publish on `topic`, skipping others.
async fn next_on(eventloop: &mut EventLoop, topic: &str) -> Value {
    let wait = async {
        loop {
            if let Event::Incoming(Incoming::Publish(p)) =
                eventloop.poll().await.expect("connected")
            {
                if p.topic == topic {
                    return serde_json::from_slice::<Value>(&p.payload).expect("JSON payload");
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .unwrap_or_else(|_| panic!("safety net: nothing on {topic}"))
}

async fn subscribed(client: &AsyncClient, eventloop: &mut EventLoop, filters: &[&str]) {
    for f in filters {
        client
            .subscribe(*f, QoS::AtLeastOnce)
            .await
            .expect("subscribe");
    }
    let mut acks = 0;
    let wait = async {
        while acks < filters.len() {
            if let Event::Incoming(Incoming::SubAck(_)) = eventloop.poll().await.expect("connected")
            {
                acks += 1;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .expect("safety net: subscriptions acknowledged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn external_broker_mode_serves_the_jobs_api_through_mosquitto() {
    // Issue 3 item 4; spec §4.3, §4.5 through a third-party broker
    let broker = Mosquitto::start();
    let cfg = ServeConfig {
        mqtt: None,
        broker: Some(broker.url()),
        ..ServeConfig::ephemeral()
    };
    let running = start(cfg).await.expect("jobrig attaches to mosquitto");
    assert_eq!(running.mqtt, None, "no broker of its own in external mode");
    let svc = running.service.clone();
    let arn = svc
        .call(|e, now| {
            e.create_thing(
                now,
                CreateThingRequest {
                    thing_name: "ext-dev".into(),
                    ..Default::default()
                },
            )
        })
        .0
        .expect("thing")
        .thing_arn;

    let mut options = MqttOptions::new("ext-dev", "127.0.0.1", broker.port);
    options.set_keep_alive(Duration::from_secs(30));
    let (device, mut events) = AsyncClient::new(options, 64);
    let base = "$aws/things/ext-dev/jobs";
    subscribed(
        &device,
        &mut events,
        &[
            &format!("{base}/notify-next"),
            &format!("{base}/start-next/accepted"),
            &format!("{base}/ext-job/update/+"),
        ],
    )
    .await;

    svc.call(|e, now| {
        e.create_job(
            now,
            CreateJobRequest {
                job_id: "ext-job".into(),
                targets: Some(vec![arn]),
                document: Some(r#"{"operation":"external"}"#.into()),
                ..Default::default()
            },
        )
    })
    .0
    .expect("job");
    let next = next_on(&mut events, &format!("{base}/notify-next")).await;
    assert_eq!(next["execution"]["jobId"], "ext-job");
    assert_eq!(next["execution"]["jobDocument"]["operation"], "external");

    device
        .publish(
            format!("{base}/start-next"),
            QoS::AtLeastOnce,
            false,
            r#"{"clientToken":"c1"}"#,
        )
        .await
        .expect("publish");
    let started = next_on(&mut events, &format!("{base}/start-next/accepted")).await;
    assert_eq!(started["clientToken"], "c1");
    assert_eq!(started["execution"]["status"], "IN_PROGRESS");
    assert_eq!(started["execution"]["versionNumber"], 2);

    device
        .publish(
            format!("{base}/ext-job/update"),
            QoS::AtLeastOnce,
            false,
            r#"{"status":"SUCCEEDED","expectedVersion":99}"#,
        )
        .await
        .expect("publish");
    let rejected = next_on(&mut events, &format!("{base}/ext-job/update/rejected")).await;
    assert_eq!(rejected["code"], "VersionMismatch");

    device
        .publish(
            format!("{base}/ext-job/update"),
            QoS::AtLeastOnce,
            false,
            r#"{"status":"SUCCEEDED","expectedVersion":2}"#,
        )
        .await
        .expect("publish");
    next_on(&mut events, &format!("{base}/ext-job/update/accepted")).await;
    let emptied = next_on(&mut events, &format!("{base}/notify-next")).await;
    assert!(
        emptied.get("execution").is_none(),
        "bare notify-next: {emptied}"
    );
    let status = svc
        .read(|e, now| e.describe_job_execution(now, "ext-dev", "ext-job", None))
        .expect("describe")
        .execution
        .status;
    assert_eq!(status, "SUCCEEDED");
    running.shutdown().await;
}

#[tokio::test]
async fn an_unreachable_external_broker_is_a_clear_error_at_start() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
        l.local_addr().expect("addr").port()
    };
    let cfg = ServeConfig {
        mqtt: None,
        broker: Some(format!("mqtt://127.0.0.1:{port}")),
        ..ServeConfig::ephemeral()
    };
    let err = start(cfg).await.err().expect("refused");
    assert!(
        err.to_string().contains("cannot connect to the broker"),
        "{err}"
    );
}

#[tokio::test]
async fn a_malformed_broker_url_is_refused() {
    let cfg = ServeConfig {
        mqtt: None,
        broker: Some("tcp://nowhere".into()),
        ..ServeConfig::ephemeral()
    };
    let err = start(cfg).await.err().expect("refused");
    assert!(err.to_string().contains("mqtt://HOST:PORT"), "{err}");
}
