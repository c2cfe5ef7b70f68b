//! The rig's observer (issue 4 item 6) against `jobrig serve` on its virtual clock, with scripted
//! rumqttc devices. Every wait ends on an event (a reply, or the observer's sync marker coming
//! back); timeouts are safety nets only.

mod mqtt_device;

use std::net::SocketAddr;

use jobrig::engine::CancelJobRequest;
use jobrig::engine::config::{JobExecutionsRetryConfig, RetryCriteria};
use jobrig::rig::observer::{Entry, Kind, Observer, ObserverError, Payload, Timeline};
use jobrig::serve::{Running, ServeConfig, start};
use mqtt_device::*;
use serde_json::{Value, json};

async fn server(cfg: ServeConfig) -> (Running, SocketAddr) {
    let running = start(cfg).await.expect("start");
    let addr = running.mqtt.expect("an MQTT listener");
    (running, addr)
}

/// The scenario, not the observer, turns events on (the observer has no control-plane access).
fn enable_events(running: &Running) {
    running
        .service
        .call(|e, now| e.update_event_configurations(now, Observer::events_request()))
        .0
        .expect("events on");
}

async fn observer(addr: SocketAddr) -> Observer {
    within(Observer::connect(
        &addr.ip().to_string(),
        addr.port(),
        "observer",
    ))
    .await
    .expect("observer connected")
}

async fn sync(o: &mut Observer) {
    within(o.sync()).await.expect("observer synced");
}

async fn tick(running: &Running) {
    within(running.service.advance_ms(1_000))
        .await
        .expect("clock advanced");
}

/// A device request whose reply must be `accepted`.
async fn accepted(d: &mut Device, topic: &str, payload: &str) -> Value {
    let (t, v) = d.request(topic, payload).await;
    assert_eq!(t, format!("{topic}/accepted"), "{v}");
    v
}

/// (kind, operation, status, executionNumber) of one entry.
type Shape = (Kind, Option<String>, Option<String>, Option<i64>);

/// The shapes of the entries about `job` on `thing` (and of the job's own events).
fn shape(t: &Timeline, thing: &str, job: &str) -> Vec<Shape> {
    t.entries
        .iter()
        .filter(|e| e.job_id.as_deref() == Some(job))
        .filter(|e| e.thing.as_deref() == Some(thing) || e.kind == Kind::JobEvent)
        .map(|e| {
            (
                e.kind,
                e.operation.clone(),
                e.status.clone(),
                e.execution_number,
            )
        })
        .collect()
}

fn s(x: &str) -> Option<String> {
    Some(x.to_owned())
}

// Issue 4: the observer's timeline for a job with progress, cancel and retry matches the expected
// sequence, and its JSON serialisation holds it.
#[tokio::test]
async fn timeline_of_a_job_with_progress_failure_retry_and_force_cancel_matches_the_expected_sequence()
 {
    let (running, addr) = server(ServeConfig::ephemeral()).await;
    let svc = &running.service;
    enable_events(&running);
    let arn = thing(svc, "dev");
    let mut o = observer(addr).await;
    let mut req = job_request("j1", &[&arn], r#"{"operation":"jobrig-test"}"#);
    req.job_executions_retry_config = Some(JobExecutionsRetryConfig {
        criteria_list: Some(vec![RetryCriteria {
            failure_type: Some("FAILED".into()),
            number_of_retries: Some(1),
        }]),
    });
    svc.call(|e, now| e.create_job(now, req))
        .0
        .expect("job created");
    let t0 = svc.now().secs();

    let mut d = Device::connect(addr, "dev").await;
    let j = "$aws/things/dev/jobs";
    tick(&running).await;
    accepted(&mut d, &format!("{j}/start-next"), "{}").await;
    tick(&running).await;
    accepted(
        &mut d,
        &format!("{j}/j1/update"),
        // This device asks for the state in the reply; the FAILED update below does not, so
        // that status is seen only through the execution event.
        r#"{"status":"IN_PROGRESS","statusDetails":{"progress":"50%"},"includeJobExecutionState":true}"#,
    )
    .await;
    tick(&running).await;
    accepted(&mut d, &format!("{j}/j1/update"), r#"{"status":"FAILED"}"#).await;
    tick(&running).await;
    let v = accepted(&mut d, &format!("{j}/start-next"), "{}").await;
    assert_eq!(v["execution"]["executionNumber"], 2, "the retry: {v}");
    tick(&running).await;
    svc.call(|e, now| {
        e.cancel_job(
            now,
            CancelJobRequest {
                job_id: "j1".into(),
                force: true,
                ..Default::default()
            },
        )
    })
    .0
    .expect("job force-canceled");
    sync(&mut o).await;

    assert_eq!(
        o.timeline().transition_labels("dev", "j1"),
        vec![
            "QUEUED#1",
            "IN_PROGRESS#1",
            "FAILED#1",
            "QUEUED#2",
            "IN_PROGRESS#2",
            "CANCELED#2"
        ]
    );
    // Without the replies jobrig adds (what a real-AWS observer gets), only the pushes remain:
    // no push reports IN_PROGRESS.
    assert_eq!(
        o.timeline()
            .third_party_view()
            .transition_labels("dev", "j1"),
        vec!["QUEUED#1", "FAILED#1", "QUEUED#2", "CANCELED#2"]
    );
    // Each transition carries the virtual time of the message that showed it.
    let times: Vec<i64> = o
        .transitions("dev", "j1")
        .iter()
        .map(|t| t.timestamp.expect("timestamp") - t0)
        .collect();
    assert_eq!(times, vec![0, 1, 3, 3, 4, 5]);

    let tl = o.timeline();
    assert_eq!(
        shape(&tl, "dev", "j1"),
        vec![
            (Kind::NotifyNext, None, s("QUEUED"), Some(1)),
            (Kind::Accepted, s("start-next"), s("IN_PROGRESS"), Some(1)),
            (Kind::Accepted, s("update"), s("IN_PROGRESS"), None),
            (Kind::Accepted, s("update"), None, None),
            (Kind::ExecutionEvent, s("failed"), s("FAILED"), Some(1)),
            (Kind::NotifyNext, None, s("QUEUED"), Some(2)),
            (Kind::Accepted, s("start-next"), s("IN_PROGRESS"), Some(2)),
            (
                Kind::JobEvent,
                s("cancellation_in_progress"),
                s("CANCELLATION_IN_PROGRESS"),
                None,
            ),
            (Kind::ExecutionEvent, s("canceled"), s("CANCELED"), Some(2)),
            (Kind::JobEvent, s("canceled"), s("CANCELED"), None),
        ]
    );
    let progress: Vec<&Entry> = tl
        .entries
        .iter()
        .filter(|e| e.status_details.is_some())
        .collect();
    assert_eq!(progress[0].status_details, Some(json!({"progress":"50%"})));

    let doc: Value = serde_json::from_str(&o.to_json()).expect("the JSON parses");
    let labels: Vec<String> = doc["transitions"]["dev"]["j1"]
        .as_array()
        .expect("transitions of dev/j1")
        .iter()
        .map(|t| {
            format!(
                "{}#{}",
                t["to"]["status"].as_str().unwrap_or("?"),
                t["to"]["executionNumber"]
            )
        })
        .collect();
    assert_eq!(
        labels,
        vec![
            "QUEUED#1",
            "IN_PROGRESS#1",
            "FAILED#1",
            "QUEUED#2",
            "IN_PROGRESS#2",
            "CANCELED#2"
        ]
    );
    assert_eq!(
        doc["entries"].as_array().map(Vec::len),
        Some(tl.entries.len()),
        "every entry is in the JSON"
    );
    running.shutdown().await;
}

// Issue 4: the observer records two things' messages in one global order, and keeps their
// transitions apart.
#[tokio::test]
async fn messages_of_two_things_are_recorded_in_arrival_order_and_transitions_stay_per_thing() {
    let (running, addr) = server(ServeConfig::ephemeral()).await;
    let svc = &running.service;
    enable_events(&running);
    let a = thing(svc, "a");
    let b = thing(svc, "b");
    let mut o = observer(addr).await;
    job(svc, "j", &[&a, &b], "{}");
    let mut da = Device::connect(addr, "a").await;
    let mut db = Device::connect(addr, "b").await;
    accepted(&mut db, "$aws/things/b/jobs/start-next", "{}").await;
    tick(&running).await;
    accepted(&mut da, "$aws/things/a/jobs/start-next", "{}").await;
    tick(&running).await;
    accepted(
        &mut da,
        "$aws/things/a/jobs/j/update",
        r#"{"status":"SUCCEEDED"}"#,
    )
    .await;
    tick(&running).await;
    accepted(
        &mut db,
        "$aws/things/b/jobs/j/update",
        r#"{"status":"FAILED"}"#,
    )
    .await;
    sync(&mut o).await;

    let tl = o.timeline();
    let seqs: Vec<u64> = tl.entries.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (0..tl.entries.len() as u64).collect::<Vec<_>>());
    let times: Vec<i64> = tl.entries.iter().filter_map(|e| e.timestamp).collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "virtual time never goes back: {times:?}"
    );
    // What each device did, as replies (start) and execution events (finish) showed it.
    let replies: Vec<(String, String)> = tl
        .entries
        .iter()
        .filter(|e| matches!(e.kind, Kind::Accepted | Kind::ExecutionEvent))
        .filter_map(|e| Some((e.thing.clone()?, e.status.clone()?)))
        .collect();
    let pair = |t: &str, st: &str| (t.to_owned(), st.to_owned());
    assert_eq!(
        replies,
        vec![
            pair("b", "IN_PROGRESS"),
            pair("a", "IN_PROGRESS"),
            pair("a", "SUCCEEDED"),
            pair("b", "FAILED")
        ]
    );
    assert_eq!(
        tl.transition_labels("a", "j"),
        vec!["QUEUED#1", "IN_PROGRESS#1", "SUCCEEDED#1"]
    );
    assert_eq!(
        tl.transition_labels("b", "j"),
        vec!["QUEUED#1", "IN_PROGRESS#1", "FAILED#1"]
    );
    running.shutdown().await;
}

// Issue 4: a payload that is not JSON is recorded as text, and the observer keeps recording.
#[tokio::test]
async fn payload_that_is_not_json_is_recorded_and_recording_goes_on() {
    let (running, addr) = server(ServeConfig::ephemeral()).await;
    let svc = &running.service;
    let arn = thing(svc, "dev");
    let mut o = observer(addr).await;
    // A misbehaving client publishes garbage on a topic the observer reads.
    let rogue = Device::connect(addr, "rogue").await;
    rogue
        .publish(
            "$aws/events/jobExecution/j1/succeeded",
            b"\x00not json\xff".to_vec(),
        )
        .await;
    // The rogue's publishes are routed in order: once its second one reached another subscriber,
    // both were routed to the observer too; the sync below waits for their delivery.
    let mut echo = Device::connect(addr, "echo").await;
    echo.sub("$aws/events/jobExecution/j1/succeeded").await;
    rogue
        .publish("$aws/events/jobExecution/j1/succeeded", b"second".to_vec())
        .await;
    loop {
        if let Ev::Publish { payload, .. } = echo.event().await {
            if &payload[..] == b"second" {
                break;
            }
        }
    }
    job(svc, "j1", &[&arn], "{}");
    sync(&mut o).await;

    let tl = o.timeline();
    match &tl.entries[0].payload {
        Payload::NotJson { text, error } => {
            assert_eq!(text, "\u{0}not json\u{fffd}");
            assert!(!error.is_empty());
        }
        other => panic!("expected a NotJson payload, got {other:?}"),
    }
    assert_eq!(tl.entries[0].kind, Kind::ExecutionEvent);
    assert_eq!(
        tl.entries[1].payload,
        Payload::NotJson {
            text: "second".into(),
            error: "expected value at line 1 column 1".into()
        }
    );
    assert_eq!(tl.entries[0].status, None);
    assert_eq!(
        tl.transition_labels("dev", "j1"),
        vec!["QUEUED#1"],
        "recording went on"
    );
    let doc: Value = serde_json::from_str(&o.to_json()).expect("the JSON parses");
    assert_eq!(
        doc["entries"][0]["payload"]["notJson"]["text"],
        "\u{0}not json\u{fffd}"
    );
    running.shutdown().await;
}

// Issue 4: sync returns only after everything the broker routed before it was recorded.
#[tokio::test]
async fn sync_waits_until_everything_published_before_it_was_recorded() {
    let (running, addr) = server(ServeConfig::ephemeral()).await;
    let svc = &running.service;
    let mut o = observer(addr).await;
    let mut arns = Vec::new();
    for i in 0..20 {
        arns.push(thing(svc, &format!("t{i}")));
    }
    let targets: Vec<&str> = arns.iter().map(String::as_str).collect();
    for n in 0..5 {
        job(svc, &format!("j{n}"), &targets, "{}");
    }
    sync(&mut o).await;
    let tl = o.timeline();
    for i in 0..20 {
        let name = format!("t{i}");
        // One pending-list change per job, and j0 stayed the next one throughout.
        let notifies = tl
            .for_thing(&name)
            .filter(|e| e.kind == Kind::Notify)
            .count();
        assert_eq!(notifies, 5, "{name} saw every job queued");
        assert_eq!(
            tl.transition_labels(&name, "j0"),
            vec!["QUEUED#1"],
            "{name}"
        );
    }
    running.shutdown().await;
}

// Issue 4: a broker that refuses the observer's filters gives an error that says how to fix it.
#[tokio::test]
async fn broker_refusing_the_jobs_filter_is_a_clear_error() {
    let cfg = ServeConfig {
        per_thing_auth: true,
        ..ServeConfig::ephemeral()
    };
    let (running, addr) = server(cfg).await;
    let err = within(Observer::connect(
        &addr.ip().to_string(),
        addr.port(),
        "observer",
    ))
    .await
    .err()
    .expect("refused");
    assert!(
        matches!(&err, ObserverError::SubscriptionRefused { filter } if filter == "$aws/things/+/jobs/#"),
        "{err}"
    );
    assert!(err.to_string().contains("per-thing authorisation"), "{err}");
    running.shutdown().await;
}

// Issue 4: no broker listening and an unusable client id are errors, not panics.
#[tokio::test]
async fn connecting_to_nothing_or_with_a_bad_client_id_is_a_clear_error() {
    let free = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = free.local_addr().expect("addr").port();
    drop(free);
    let err = within(Observer::connect("127.0.0.1", port, "observer"))
        .await
        .err()
        .expect("nothing listens");
    assert!(matches!(err, ObserverError::Connect { .. }), "{err}");
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
    let err = within(Observer::connect("127.0.0.1", port, "a/b"))
        .await
        .err()
        .expect("bad id");
    assert!(matches!(err, ObserverError::InvalidClientId(_)), "{err}");
}

// Issue 4: when the broker goes away, sync reports the disconnection instead of hanging, and the
// timeline recorded so far stays readable.
#[tokio::test]
async fn sync_after_the_broker_went_away_is_a_disconnected_error() {
    let (running, addr) = server(ServeConfig::ephemeral()).await;
    let arn = thing(&running.service, "dev");
    let mut o = observer(addr).await;
    job(&running.service, "j1", &[&arn], "{}");
    sync(&mut o).await;
    running.shutdown().await;
    let err = within(async {
        loop {
            // The first sync may be queued before the observer noticed the close.
            if let Err(e) = o.sync().await {
                return e;
            }
        }
    })
    .await;
    assert!(
        matches!(
            err,
            ObserverError::Disconnected { .. } | ObserverError::Client(_)
        ),
        "{err}"
    );
    assert_eq!(o.transitions("dev", "j1").len(), 1, "the timeline survives");
}
