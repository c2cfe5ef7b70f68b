//! jobrig's MQTT broker and the device Jobs API on its reserved topics, over real sockets with
//! the rumqttc client (v4, and v5 for the basic flow) and raw TCP for protocol violations.
//! Control-plane state is set up in-process with `running.service.call(...)`.

mod mqtt_device;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::time::Duration;

use bytes::BytesMut;
use jobrig::clock::{Clock, ClockMode};
use jobrig::emulator::Emulator;
use jobrig::engine::{
    CreateThingGroupRequest, DeleteJobRequest, EngineConfig, EventToggle,
    ThingGroupMembershipRequest, UpdateEventConfigurationsRequest,
};
use jobrig::serve::mqtt::Broker;
use jobrig::serve::service::Service;
use jobrig::serve::{Running, ServeConfig, start};
use mqtt_device::*;
use rumqttc::mqttbytes::v4;
use rumqttc::{QoS, SubscribeReasonCode};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn server() -> (Running, std::net::SocketAddr) {
    let running = start(ServeConfig::ephemeral()).await.expect("start");
    let addr = running.mqtt.expect("an MQTT listener");
    (running, addr)
}

const T: &str = "$aws/things/dev/jobs";

fn is_int(v: &Value) -> bool {
    v.is_i64() || v.is_u64()
}

/// Topics that are not replies, in arrival order.
fn pushes(msgs: &[(String, Value)]) -> Vec<(String, Value)> {
    msgs.iter()
        .filter(|(t, _)| !t.ends_with("/accepted") && !t.ends_with("/rejected"))
        .cloned()
        .collect()
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|a| {
            a.iter()
                .map(|s| s["jobId"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

// ====================================================================== request topics, replies

// §11.57 §4.3
#[tokio::test]
async fn get_pending_reply_reaches_a_client_that_never_subscribed() {
    let (running, addr) = server().await;
    let arn = thing(&running.service, "dev");
    job(&running.service, "j1", &[&arn], r#"{"op":"x"}"#);
    let mut d = Device::connect(addr, "dev").await;
    let (topic, v) = d.request(&format!("{T}/get"), "{}").await;
    assert_eq!(topic, format!("{T}/get/accepted"));
    assert!(is_int(&v["timestamp"]), "integer timestamp: {v}");
    assert_eq!(v["inProgressJobs"], json!([]));
    assert_eq!(ids(&v["queuedJobs"]), vec!["j1"]);
    let s = &v["queuedJobs"][0];
    assert!(is_int(&s["queuedAt"]) && is_int(&s["lastUpdatedAt"]));
    assert_eq!(s["versionNumber"], 1);
    assert_eq!(s["executionNumber"], 1);
    assert!(s.get("status").is_none(), "summaries carry no status");
    assert!(v.get("clientToken").is_none());
    running.shutdown().await;
}

// §11.58 §4.2
#[tokio::test]
async fn client_token_is_echoed_in_accepted_and_rejected_replies_and_absent_when_not_sent() {
    let (running, addr) = server().await;
    thing(&running.service, "dev");
    let mut d = Device::connect(addr, "dev").await;
    let (_, v) = d
        .request(&format!("{T}/get"), r#"{"clientToken":"tok-1"}"#)
        .await;
    assert_eq!(v["clientToken"], "tok-1");
    let (t, v) = d
        .request(&format!("{T}/nope/get"), r#"{"clientToken":"tok-2"}"#)
        .await;
    assert_eq!(t, format!("{T}/nope/get/rejected"));
    assert_eq!(v["code"], "ResourceNotFound");
    assert_eq!(v["clientToken"], "tok-2");
    let (_, v) = d.request(&format!("{T}/nope/get"), "{}").await;
    assert!(v.get("clientToken").is_none(), "{v}");
    running.shutdown().await;
}

// §11.59 §4.3
#[tokio::test]
async fn next_get_with_nothing_pending_has_only_timestamp_and_token() {
    let (running, addr) = server().await;
    thing(&running.service, "dev");
    let mut d = Device::connect(addr, "dev").await;
    let (t, v) = d
        .request(&format!("{T}/$next/get"), r#"{"clientToken":"c"}"#)
        .await;
    assert_eq!(t, format!("{T}/$next/get/accepted"));
    let keys: Vec<&String> = v.as_object().expect("object").keys().collect();
    assert_eq!(keys, vec!["clientToken", "timestamp"]);
    assert!(is_int(&v["timestamp"]));
    running.shutdown().await;
}

// §11.62 §4.3
#[tokio::test]
async fn describe_returns_the_execution_with_the_document_as_a_json_object() {
    let (running, addr) = server().await;
    let arn = thing(&running.service, "dev");
    job(
        &running.service,
        "j1",
        &[&arn],
        r#"{"operation":"customJob"}"#,
    );
    let mut d = Device::connect(addr, "dev").await;
    let (t, v) = d.request(&format!("{T}/j1/get"), "{}").await;
    assert_eq!(t, format!("{T}/j1/get/accepted"));
    let e = &v["execution"];
    assert_eq!(e["jobId"], "j1");
    assert_eq!(e["thingName"], "dev");
    assert_eq!(e["status"], "QUEUED");
    assert_eq!(e["jobDocument"], json!({"operation":"customJob"}));
    let (_, v) = d
        .request(&format!("{T}/j1/get"), r#"{"includeJobDocument":false}"#)
        .await;
    assert!(v["execution"].get("jobDocument").is_none(), "{v}");
    let (_, v) = d.request(&format!("{T}/$next/get"), "{}").await;
    assert_eq!(v["execution"]["jobId"], "j1");
    assert_eq!(
        v["execution"]["status"], "QUEUED",
        "$next/get does not start it"
    );
    running.shutdown().await;
}

// §4.1
#[tokio::test]
async fn a_job_literally_named_get_is_addressed_as_get_get() {
    let (running, addr) = server().await;
    let arn = thing(&running.service, "dev");
    job(&running.service, "get", &[&arn], "{}");
    let mut d = Device::connect(addr, "dev").await;
    let (t, v) = d.request(&format!("{T}/get/get"), "{}").await;
    assert_eq!(t, format!("{T}/get/get/accepted"));
    assert_eq!(v["execution"]["jobId"], "get");
    let (t, v) = d.request(&format!("{T}/get"), "{}").await;
    assert_eq!(t, format!("{T}/get/accepted"));
    assert_eq!(ids(&v["queuedJobs"]), vec!["get"]);
    running.shutdown().await;
}

// §11.65 §4.3
#[tokio::test]
async fn start_next_starts_the_head_and_publishes_neither_notify_nor_notify_next() {
    let (running, addr) = server().await;
    let arn = thing(&running.service, "dev");
    job(&running.service, "j1", &[&arn], r#"{"a":1}"#);
    let mut d = Device::connect(addr, "dev").await;
    d.sub(&format!("{T}/notify")).await;
    d.sub(&format!("{T}/notify-next")).await;
    let (t, v) = d
        .request(
            &format!("{T}/start-next"),
            r#"{"statusDetails":{"step":"1"},"stepTimeoutInMinutes":5}"#,
        )
        .await;
    assert_eq!(t, format!("{T}/start-next/accepted"));
    let e = &v["execution"];
    assert_eq!(e["status"], "IN_PROGRESS");
    assert_eq!(e["versionNumber"], 2);
    assert_eq!(e["statusDetails"], json!({"step":"1"}));
    assert!(is_int(&e["startedAt"]));
    assert_eq!(e["jobDocument"], json!({"a":1}));
    assert_eq!(pushes(&d.drain("dev").await), vec![]);
    // Nothing pending: accepted without `execution`.
    let (_, v) = d
        .request(&format!("{T}/j1/update"), r#"{"status":"SUCCEEDED"}"#)
        .await;
    assert!(v.get("executionState").is_none());
    let (_, v) = d.request(&format!("{T}/start-next"), "{}").await;
    assert!(v.get("execution").is_none(), "{v}");
    running.shutdown().await;
}

// §4.3 §11.45
#[tokio::test]
async fn update_replies_with_state_and_document_only_when_asked() {
    let (running, addr) = server().await;
    let arn = thing(&running.service, "dev");
    job(&running.service, "j1", &[&arn], r#"{"k":"v"}"#);
    let mut d = Device::connect(addr, "dev").await;
    let (t, v) = d
        .request(
            &format!("{T}/j1/update"),
            r#"{"status":"IN_PROGRESS","expectedVersion":"1","includeJobExecutionState":true,"includeJobDocument":true,"statusDetails":{"p":"50"},"clientToken":"u"}"#,
        )
        .await;
    assert_eq!(t, format!("{T}/j1/update/accepted"));
    assert_eq!(
        v["executionState"],
        json!({"status":"IN_PROGRESS","statusDetails":{"p":"50"},"versionNumber":2})
    );
    assert_eq!(v["jobDocument"], json!({"k":"v"}));
    assert_eq!(v["clientToken"], "u");
    let (_, v) = d
        .request(
            &format!("{T}/j1/update"),
            r#"{"status":"SUCCEEDED","expectedVersion":2}"#,
        )
        .await;
    let keys: Vec<&String> = v.as_object().expect("object").keys().collect();
    assert_eq!(keys, vec!["timestamp"], "no include flags: only timestamp");
    running.shutdown().await;
}

// ====================================================================== rejection codes

// §11.60 §4.4
#[tokio::test]
async fn stale_expected_version_is_rejected_with_version_mismatch_and_execution_state() {
    let (running, addr) = server().await;
    let arn = thing(&running.service, "dev");
    job(&running.service, "J", &[&arn], "{}");
    let mut d = Device::connect(addr, "dev").await;
    let (t, v) = d
        .request(
            &format!("{T}/J/update"),
            r#"{"status":"SUCCEEDED","expectedVersion":99,"clientToken":"c1"}"#,
        )
        .await;
    assert_eq!(t, format!("{T}/J/update/rejected"));
    assert_eq!(v["code"], "VersionMismatch");
    assert_eq!(v["message"], "Expected version 99 but found version 1");
    assert_eq!(v["clientToken"], "c1");
    assert!(is_int(&v["timestamp"]));
    assert_eq!(
        v["executionState"],
        json!({"status":"QUEUED","versionNumber":1})
    );
    // Unchanged.
    let (_, v) = d.request(&format!("{T}/J/get"), "{}").await;
    assert_eq!(v["execution"]["status"], "QUEUED");
    running.shutdown().await;
}

// §11.61 §4.4
#[tokio::test]
async fn non_json_and_non_object_payloads_are_rejected_as_invalid_json() {
    let (running, addr) = server().await;
    thing(&running.service, "dev");
    let mut d = Device::connect(addr, "dev").await;
    for bad in ["{not json", "[1,2]", "\"s\"", "\u{00ff}\u{00fe}"] {
        let (t, v) = d.request(&format!("{T}/get"), bad).await;
        assert_eq!(t, format!("{T}/get/rejected"), "payload {bad:?}");
        assert_eq!(v["code"], "InvalidJson");
        assert!(is_int(&v["timestamp"]));
    }
    running.shutdown().await;
}

// §4.4 §4.1
#[tokio::test]
async fn unmapped_jobs_topics_are_rejected_as_invalid_topic() {
    let (running, addr) = server().await;
    thing(&running.service, "dev");
    let mut d = Device::connect(addr, "dev").await;
    for topic in [
        format!("{T}/notify"),
        format!("{T}/j1/delete"),
        format!("{T}/j1/other-ns/update"),
        format!("{T}/a/b/c/d"),
    ] {
        let (t, v) = d.request(&topic, r#"{"clientToken":"it"}"#).await;
        assert_eq!(t, format!("{topic}/rejected"));
        assert_eq!(v["code"], "InvalidTopic");
        assert_eq!(v["clientToken"], "it");
    }
    running.shutdown().await;
}

// §4.4
#[tokio::test]
async fn wrong_member_types_and_missing_status_are_invalid_request() {
    let (running, addr) = server().await;
    let arn = thing(&running.service, "dev");
    job(&running.service, "j1", &[&arn], "{}");
    let mut d = Device::connect(addr, "dev").await;
    for bad in [
        r#"{"status":5,"clientToken":"t"}"#,
        r#"{"status":"SUCCEEDED","expectedVersion":"one","clientToken":"t"}"#,
        r#"{"status":"SUCCEEDED","statusDetails":{"k":1},"clientToken":"t"}"#,
        r#"{"clientToken":"t"}"#,
        r#"{"status":"SUCCEEDED","statusDetails":{"k":""},"clientToken":"t"}"#,
    ] {
        let (t, v) = d.request(&format!("{T}/j1/update"), bad).await;
        assert_eq!(t, format!("{T}/j1/update/rejected"), "payload {bad}");
        assert_eq!(v["code"], "InvalidRequest", "payload {bad}: {v}");
        assert_eq!(v["clientToken"], "t");
        assert!(v.get("executionState").is_none());
    }
    let (_, v) = d
        .request(
            &format!("{T}/start-next"),
            r#"{"stepTimeoutInMinutes":"x"}"#,
        )
        .await;
    assert_eq!(v["code"], "InvalidRequest");
    let (_, v) = d.request(&format!("{T}/get"), r#"{"clientToken":7}"#).await;
    assert_eq!(v["code"], "InvalidRequest");
    // Nothing changed.
    let (_, v) = d.request(&format!("{T}/j1/get"), "{}").await;
    assert_eq!(v["execution"]["versionNumber"], 1);
    running.shutdown().await;
}

// §4.4 §11.48
#[tokio::test]
async fn illegal_transition_is_invalid_state_transition_with_execution_state() {
    let (running, addr) = server().await;
    let arn = thing(&running.service, "dev");
    job(&running.service, "j1", &[&arn], "{}");
    let mut d = Device::connect(addr, "dev").await;
    d.request(&format!("{T}/start-next"), "{}").await;
    let (t, v) = d
        .request(&format!("{T}/j1/update"), r#"{"status":"QUEUED"}"#)
        .await;
    assert_eq!(t, format!("{T}/j1/update/rejected"));
    assert_eq!(v["code"], "InvalidStateTransition");
    assert_eq!(
        v["executionState"],
        json!({"status":"IN_PROGRESS","versionNumber":2})
    );
    running.shutdown().await;
}

// §4.4 §11.8
#[tokio::test]
async fn unknown_execution_is_resource_not_found() {
    let (running, addr) = server().await;
    thing(&running.service, "dev");
    let mut d = Device::connect(addr, "dev").await;
    let (t, v) = d
        .request(&format!("{T}/ghost/update"), r#"{"status":"SUCCEEDED"}"#)
        .await;
    assert_eq!(t, format!("{T}/ghost/update/rejected"));
    assert_eq!(v["code"], "ResourceNotFound");
    running.shutdown().await;
}

// §4.4 §12.2
#[tokio::test]
async fn update_of_a_terminal_execution_is_terminal_state_reached() {
    let (running, addr) = server().await;
    let arn = thing(&running.service, "dev");
    job(&running.service, "j1", &[&arn], "{}");
    let mut d = Device::connect(addr, "dev").await;
    let (t, _) = d
        .request(&format!("{T}/j1/update"), r#"{"status":"SUCCEEDED"}"#)
        .await;
    assert_eq!(t, format!("{T}/j1/update/accepted"));
    let (t, v) = d
        .request(&format!("{T}/j1/update"), r#"{"status":"IN_PROGRESS"}"#)
        .await;
    assert_eq!(t, format!("{T}/j1/update/rejected"));
    assert_eq!(v["code"], "TerminalStateReached");
    running.shutdown().await;
}

// ====================================================================== notifications

// §11.63 §11.64 §4.5
#[tokio::test]
async fn creating_jobs_publishes_notify_and_notify_next_only_when_the_head_changes() {
    let (running, addr) = server().await;
    let arn = thing(&running.service, "dev");
    let mut d = Device::connect(addr, "watcher").await;
    d.sub(&format!("{T}/notify")).await;
    d.sub(&format!("{T}/notify-next")).await;
    job(&running.service, "j1", &[&arn], r#"{"op":"a"}"#);
    let got = pushes(&d.drain("dev").await);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0].0, format!("{T}/notify"));
    let n = &got[0].1;
    assert!(is_int(&n["timestamp"]));
    let q = &n["jobs"]["QUEUED"][0];
    assert_eq!(q["jobId"], "j1");
    assert_eq!(q["executionNumber"], 1);
    assert_eq!(q["versionNumber"], 1);
    assert!(n["jobs"].get("IN_PROGRESS").is_none());
    assert_eq!(got[1].0, format!("{T}/notify-next"));
    let e = &got[1].1["execution"];
    assert_eq!(e["status"], "QUEUED");
    assert_eq!(e["jobDocument"], json!({"op":"a"}));

    job(&running.service, "j2", &[&arn], "{}");
    let got = pushes(&d.drain("dev").await);
    assert_eq!(got.len(), 1, "no notify-next for a second job: {got:?}");
    assert_eq!(ids(&got[0].1["jobs"]["QUEUED"]), vec!["j1", "j2"]);
    running.shutdown().await;
}

// §11.66 §4.5
#[tokio::test]
async fn succeeding_the_only_execution_replies_then_notifies_empty_then_bare_notify_next() {
    let (running, addr) = server().await;
    let arn = thing(&running.service, "dev");
    job(&running.service, "j1", &[&arn], "{}");
    let mut d = Device::connect(addr, "dev").await;
    d.sub(&format!("{T}/notify")).await;
    d.sub(&format!("{T}/notify-next")).await;
    d.publish(&format!("{T}/j1/update"), r#"{"status":"SUCCEEDED"}"#)
        .await;
    let a = d.next().await;
    let b = d.next().await;
    let c = d.next().await;
    assert_eq!(a.0, format!("{T}/j1/update/accepted"));
    assert_eq!(b.0, format!("{T}/notify"));
    assert_eq!(b.1["jobs"], json!({}));
    assert_eq!(c.0, format!("{T}/notify-next"));
    let keys: Vec<&String> = c.1.as_object().expect("object").keys().collect();
    assert_eq!(keys, vec!["timestamp"]);
    running.shutdown().await;
}

// §4.5 (the documented 8-step example, observed on a subscriber)
#[tokio::test]
async fn worked_example_of_section_4_5_over_mqtt() {
    let (running, addr) = server().await;
    let svc = running.service.clone();
    let arn = thing(&svc, "T");
    let jt = "$aws/things/T/jobs";
    let mut watcher = Device::connect(addr, "watcher").await;
    watcher.sub(&format!("{jt}/notify")).await;
    watcher.sub(&format!("{jt}/notify-next")).await;
    let mut dev = Device::connect(addr, "T").await;
    let notify = format!("{jt}/notify");
    let next = format!("{jt}/notify-next");
    let topics = |v: &[(String, Value)]| v.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>();

    // 1. create job1 → notify {QUEUED:[job1]} + notify-next(job1)
    job(&svc, "job1", &[&arn], "{}");
    let s = pushes(&watcher.drain("T").await);
    assert_eq!(topics(&s), vec![notify.clone(), next.clone()]);
    assert_eq!(ids(&s[0].1["jobs"]["QUEUED"]), vec!["job1"]);
    assert_eq!(s[1].1["execution"]["jobId"], "job1");

    // 2. create job2 → notify {QUEUED:[job1,job2]}
    job(&svc, "job2", &[&arn], "{}");
    let s = pushes(&watcher.drain("T").await);
    assert_eq!(topics(&s), vec![notify.clone()]);
    assert_eq!(ids(&s[0].1["jobs"]["QUEUED"]), vec!["job1", "job2"]);

    // 3. job1 → IN_PROGRESS → nothing
    let (t, _) = dev
        .request(&format!("{jt}/job1/update"), r#"{"status":"IN_PROGRESS"}"#)
        .await;
    assert!(t.ends_with("/accepted"));
    assert_eq!(pushes(&watcher.drain("T").await), vec![]);

    // 4. create job3 → notify {IN_PROGRESS:[job1], QUEUED:[job2,job3]}
    job(&svc, "job3", &[&arn], "{}");
    let s = pushes(&watcher.drain("T").await);
    assert_eq!(topics(&s), vec![notify.clone()]);
    assert_eq!(ids(&s[0].1["jobs"]["IN_PROGRESS"]), vec!["job1"]);
    assert_eq!(ids(&s[0].1["jobs"]["QUEUED"]), vec!["job2", "job3"]);

    // 5. job1 → SUCCEEDED → notify {QUEUED:[job2,job3]} + notify-next(job2)
    dev.request(&format!("{jt}/job1/update"), r#"{"status":"SUCCEEDED"}"#)
        .await;
    let s = pushes(&watcher.drain("T").await);
    assert_eq!(topics(&s), vec![notify.clone(), next.clone()]);
    assert_eq!(ids(&s[0].1["jobs"]["QUEUED"]), vec!["job2", "job3"]);
    assert!(s[0].1["jobs"].get("IN_PROGRESS").is_none());
    assert_eq!(s[1].1["execution"]["jobId"], "job2");

    // 6. job3 → IN_PROGRESS → notify-next(job3)
    dev.request(&format!("{jt}/job3/update"), r#"{"status":"IN_PROGRESS"}"#)
        .await;
    let s = pushes(&watcher.drain("T").await);
    assert_eq!(topics(&s), vec![next.clone()]);
    assert_eq!(s[0].1["execution"]["jobId"], "job3");
    assert_eq!(s[0].1["execution"]["status"], "IN_PROGRESS");

    // 7. job2 → REJECTED → notify {IN_PROGRESS:[job3]}
    dev.request(&format!("{jt}/job2/update"), r#"{"status":"REJECTED"}"#)
        .await;
    let s = pushes(&watcher.drain("T").await);
    assert_eq!(topics(&s), vec![notify.clone()]);
    assert_eq!(ids(&s[0].1["jobs"]["IN_PROGRESS"]), vec!["job3"]);
    assert!(s[0].1["jobs"].get("QUEUED").is_none());

    // 8. job3 force-deleted → notify {jobs:{}} + bare notify-next
    svc.call(|e, now| {
        e.delete_job(
            now,
            DeleteJobRequest {
                job_id: "job3".into(),
                force: true,
                namespace_id: None,
            },
        )
    })
    .0
    .expect("deleted");
    let s = pushes(&watcher.drain("T").await);
    assert_eq!(topics(&s), vec![notify, next]);
    assert_eq!(s[0].1["jobs"], json!({}));
    assert!(s[1].1.get("execution").is_none());
    running.shutdown().await;
}

fn membership(group: &str, thing: &str) -> ThingGroupMembershipRequest {
    ThingGroupMembershipRequest {
        thing_group_name: Some(group.into()),
        thing_name: Some(thing.into()),
        ..Default::default()
    }
}

// §11.67 §11.68 §4.5
#[tokio::test]
async fn leaving_and_rejoining_a_continuous_jobs_group_is_seen_in_notifications() {
    let (running, addr) = server().await;
    let svc = running.service.clone();
    thing(&svc, "dev");
    let group_arn = svc
        .call(|e, now| {
            e.create_thing_group(
                now,
                CreateThingGroupRequest {
                    thing_group_name: "fleet".into(),
                    ..Default::default()
                },
            )
        })
        .0
        .expect("group")
        .thing_group_arn;
    svc.call(|e, now| e.add_thing_to_thing_group(now, membership("fleet", "dev")))
        .0
        .expect("joined");
    let mut d = Device::connect(addr, "dev").await;
    d.sub(&format!("{T}/notify")).await;
    d.sub(&format!("{T}/notify-next")).await;
    let mut req = job_request("c1", &[&group_arn], "{}");
    req.target_selection = Some("CONTINUOUS".into());
    svc.call(|e, now| e.create_job(now, req)).0.expect("job");
    let s = pushes(&d.drain("dev").await);
    assert_eq!(s.len(), 2, "{s:?}");
    assert_eq!(s[1].1["execution"]["executionNumber"], 1);

    // §11.67: the QUEUED execution is REMOVED; notify empties and notify-next is bare.
    svc.call(|e, now| e.remove_thing_from_thing_group(now, membership("fleet", "dev")))
        .0
        .expect("left");
    let s = pushes(&d.drain("dev").await);
    assert_eq!(
        s.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>(),
        vec![format!("{T}/notify"), format!("{T}/notify-next")]
    );
    assert_eq!(s[0].1["jobs"], json!({}));
    assert!(s[1].1.get("execution").is_none());
    let (_, v) = d
        .request(&format!("{T}/c1/get"), r#"{"executionNumber":1}"#)
        .await;
    assert_eq!(v["execution"]["status"], "REMOVED");

    // §11.68: rejoining queues execution #2, announced by notify-next.
    svc.call(|e, now| e.add_thing_to_thing_group(now, membership("fleet", "dev")))
        .0
        .expect("rejoined");
    let s = pushes(&d.drain("dev").await);
    let next = s
        .iter()
        .find(|(t, _)| t.ends_with("/notify-next"))
        .expect("notify-next");
    assert_eq!(next.1["execution"]["executionNumber"], 2);
    assert_eq!(next.1["execution"]["versionNumber"], 1);
    assert_eq!(next.1["execution"]["status"], "QUEUED");
    running.shutdown().await;
}

// §11.69 §4.1
#[tokio::test]
async fn namespace_topics_carry_namespaced_jobs() {
    let (running, addr) = server().await;
    let arn = thing(&running.service, "dev");
    let mut req = job_request("gg1", &[&arn], r#"{"d":1}"#);
    req.namespace_id = Some("aws-gg-deployment".into());
    let mut d = Device::connect(addr, "dev").await;
    d.sub(&format!("{T}/notify-next-namespace-aws-gg-deployment"))
        .await;
    d.sub(&format!("{T}/notify-next")).await;
    running
        .service
        .call(|e, now| e.create_job(now, req))
        .0
        .expect("job");
    let (t, v) = d.next().await;
    assert_eq!(t, format!("{T}/notify-next-namespace-aws-gg-deployment"));
    assert_eq!(v["execution"]["jobId"], "gg1");
    assert_eq!(pushes(&d.drain("dev").await), vec![], "not on plain topics");
    let ns = format!("{T}/gg1/namespace-aws-gg-deployment");
    let (t, v) = d.request(&format!("{ns}/get"), "{}").await;
    assert_eq!(t, format!("{ns}/get/accepted"));
    assert_eq!(v["execution"]["jobDocument"], json!({"d":1}));
    let nsnext = format!("{T}/$next/namespace-aws-gg-deployment/get");
    let (_, v) = d.request(&nsnext, "{}").await;
    assert_eq!(v["execution"]["jobId"], "gg1");
    let (t, _) = d
        .request(&format!("{ns}/update"), r#"{"status":"SUCCEEDED"}"#)
        .await;
    assert_eq!(t, format!("{ns}/update/accepted"));
    // The plain topic does not see the namespaced execution.
    let (t, v) = d.request(&format!("{T}/gg1/get"), "{}").await;
    assert_eq!(t, format!("{T}/gg1/get/rejected"));
    assert_eq!(v["code"], "ResourceNotFound");
    running.shutdown().await;
}

// §11.70 §8
#[tokio::test]
async fn job_execution_events_reach_subscribers_only_when_enabled() {
    let (running, addr) = server().await;
    let arn = thing(&running.service, "dev");
    job(&running.service, "j1", &[&arn], "{}");
    job(&running.service, "j2", &[&arn], "{}");
    let mut app = Device::connect(addr, "app").await;
    app.sub("$aws/events/jobExecution/+/succeeded").await;
    let mut d = Device::connect(addr, "dev").await;
    d.request(&format!("{T}/j1/update"), r#"{"status":"SUCCEEDED"}"#)
        .await;
    assert_eq!(pushes(&app.drain("app").await), vec![], "events off");
    let mut map = BTreeMap::new();
    map.insert("JOB_EXECUTION".to_string(), EventToggle { enabled: true });
    running
        .service
        .call(|e, now| {
            e.update_event_configurations(
                now,
                UpdateEventConfigurationsRequest {
                    event_configurations: Some(map),
                },
            )
        })
        .0
        .expect("events on");
    d.request(&format!("{T}/j2/update"), r#"{"status":"SUCCEEDED"}"#)
        .await;
    let (t, v) = app.next().await;
    assert_eq!(t, "$aws/events/jobExecution/j2/succeeded");
    assert_eq!(v["eventType"], "JOB_EXECUTION");
    assert_eq!(v["status"], "SUCCEEDED");
    running.shutdown().await;
}

// §4.1: replies go to the requester and to other subscribers of the reply topic, once each.
#[tokio::test]
async fn replies_reach_the_requester_once_and_other_subscribers_of_the_reply_topic() {
    let (running, addr) = server().await;
    thing(&running.service, "dev");
    let mut d = Device::connect(addr, "dev").await;
    d.sub(&format!("{T}/get/+")).await;
    d.sub(&format!("{T}/get/accepted")).await;
    let mut other = Device::connect(addr, "other").await;
    other.sub(&format!("{T}/get/accepted")).await;
    let (_, v) = d
        .request(&format!("{T}/get"), r#"{"clientToken":"x"}"#)
        .await;
    assert_eq!(v["clientToken"], "x");
    let (t, v) = other.next().await;
    assert_eq!(t, format!("{T}/get/accepted"));
    assert_eq!(v["clientToken"], "x");
    let rest = d.drain("dev").await;
    assert!(
        rest.iter().all(|(_, v)| v["clientToken"] != "x"),
        "delivered twice: {rest:?}"
    );
    running.shutdown().await;
}

// ====================================================================== the admin clock

/// A raw MQTT 3.1.1 subscriber on a blocking socket, so the test can look at what the broker
/// has written without giving any task a chance to run.
fn raw_subscriber(addr: std::net::SocketAddr, filter: &str) -> std::net::TcpStream {
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(SAFETY)).expect("timeout");
    let mut out = BytesMut::new();
    v4::Packet::Connect(v4::Connect::new("raw-sub"))
        .write(&mut out, usize::MAX)
        .expect("encode");
    v4::Packet::Subscribe(v4::Subscribe::new(filter, QoS::AtMostOnce))
        .write(&mut out, usize::MAX)
        .expect("encode");
    s.write_all(&out).expect("write");
    let mut buf = BytesMut::new();
    let mut seen_suback = false;
    while !seen_suback {
        match read_std_packet(&mut s, &mut buf) {
            Some(v4::Packet::SubAck(_)) => seen_suback = true,
            Some(_) => {}
            None => panic!("closed during setup"),
        }
    }
    s
}

fn read_std_packet(s: &mut std::net::TcpStream, buf: &mut BytesMut) -> Option<v4::Packet> {
    loop {
        match v4::Packet::read(buf, 1 << 20) {
            Ok(p) => return Some(p),
            Err(rumqttc::mqttbytes::Error::InsufficientBytes(_)) => {}
            Err(_) => return None,
        }
        let mut chunk = [0u8; 4096];
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

// §11.53 §4.5 (issue 3: clock/advance answers only after MQTT deliveries). One runtime thread:
// the broker's connection task cannot write concurrently with this test's check.
#[tokio::test]
async fn advance_returns_only_after_the_timeout_notify_was_written_to_the_subscriber() {
    let (running, addr) = server().await;
    let svc = running.service.clone();
    thing(&svc, "dev");
    job_with_timeout(&svc, "j1", &thing(&svc, "dev"), 1);
    svc.call(|e, now| e.start_next_pending_job_execution(now, "dev", None, Default::default()))
        .0
        .expect("started");
    let mut sub = tokio::task::spawn_blocking(move || raw_subscriber(addr, &format!("{T}/notify")))
        .await
        .expect("subscriber");
    within(svc.advance_ms(60_000)).await.expect("advanced");
    // No waiting: the bytes must already be in this socket's receive queue.
    sub.set_nonblocking(true).expect("nonblocking");
    let mut chunk = [0u8; 4096];
    let n = sub
        .read(&mut chunk)
        .expect("the notify was written before advance returned");
    let mut buf = BytesMut::from(&chunk[..n]);
    match v4::Packet::read(&mut buf, 1 << 20) {
        Ok(v4::Packet::Publish(p)) => {
            assert_eq!(p.topic, format!("{T}/notify"));
            let v: Value = serde_json::from_slice(&p.payload).expect("json");
            assert_eq!(v["jobs"], json!({}), "timed out: nothing pending");
        }
        other => panic!("expected the notify, got {other:?}"),
    }
    running.shutdown().await;
}

// ====================================================================== broker behaviour

// §4 (issue 3 item 2): MQTT 5 device flow with rumqttc's v5 client.
#[tokio::test]
async fn mqtt5_device_receives_notify_next_and_completes_its_job() {
    use rumqttc::v5::mqttbytes::QoS as Q5;
    use rumqttc::v5::mqttbytes::v5::Packet as P5;
    use rumqttc::v5::{AsyncClient, Event, MqttOptions};
    let (running, addr) = server().await;
    let arn = thing(&running.service, "dev");
    let mut o = MqttOptions::new("dev", addr.ip().to_string(), addr.port());
    o.set_credentials("?SDK=test", "");
    let (client, mut el) = AsyncClient::new(o, 64);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            match el.poll().await {
                Ok(Event::Incoming(P5::Publish(p))) => {
                    let t = String::from_utf8_lossy(&p.topic).to_string();
                    let v: Value = serde_json::from_slice(&p.payload).unwrap_or(Value::Null);
                    if tx.send(Some((t, v))).is_err() {
                        return;
                    }
                }
                Ok(Event::Incoming(P5::SubAck(_))) => {
                    if tx.send(None).is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(_) => return,
            }
        }
    });
    client
        .subscribe(format!("{T}/notify-next"), Q5::AtLeastOnce)
        .await
        .expect("sub");
    assert_eq!(within(rx.recv()).await, Some(None), "SUBACK");
    job(&running.service, "j1", &[&arn], r#"{"fw":"2"}"#);
    let (t, v) = within(rx.recv()).await.flatten().expect("notify-next");
    assert_eq!(t, format!("{T}/notify-next"));
    assert_eq!(v["execution"]["jobId"], "j1");
    client
        .publish(
            format!("{T}/start-next"),
            Q5::AtLeastOnce,
            false,
            r#"{"clientToken":"s"}"#,
        )
        .await
        .expect("pub");
    let (t, v) = within(rx.recv()).await.flatten().expect("reply");
    assert_eq!(t, format!("{T}/start-next/accepted"));
    assert_eq!(v["clientToken"], "s");
    assert_eq!(v["execution"]["status"], "IN_PROGRESS");
    client
        .publish(
            format!("{T}/j1/update"),
            Q5::AtLeastOnce,
            false,
            r#"{"status":"SUCCEEDED"}"#,
        )
        .await
        .expect("pub");
    let (t, _) = within(rx.recv()).await.flatten().expect("reply");
    assert_eq!(t, format!("{T}/j1/update/accepted"));
    let (t, v) = within(rx.recv()).await.flatten().expect("notify-next");
    assert_eq!(t, format!("{T}/notify-next"));
    assert!(v.get("execution").is_none());
    running.shutdown().await;
}

// §4.1 (issue 3 item 2): persistent sessions keep subscriptions and queue QoS 1 while offline.
#[tokio::test]
async fn persistent_session_gets_qos1_messages_queued_while_offline() {
    let (running, addr) = server().await;
    let arn = thing(&running.service, "dev");
    let mut d = Device::with_options(options(addr, "dev", false)).await;
    assert!(!d.session_present);
    d.sub(&format!("{T}/notify-next")).await;
    d.client.disconnect().await.expect("disconnect");
    d.closed().await;
    job(&running.service, "j1", &[&arn], "{}");
    let mut d = Device::with_options(options(addr, "dev", false)).await;
    assert!(d.session_present, "CONNACK session-present");
    let (t, v) = d.next().await;
    assert_eq!(t, format!("{T}/notify-next"));
    assert_eq!(v["execution"]["jobId"], "j1");
    // The subscription survived: new notifications arrive without subscribing again.
    job(&running.service, "j0", &[&arn], "{}");
    d.request(&format!("{T}/j1/update"), r#"{"status":"SUCCEEDED"}"#)
        .await;
    let (t, v) = d.next().await;
    assert_eq!(t, format!("{T}/notify-next"));
    assert_eq!(v["execution"]["jobId"], "j0");
    // A clean session starts over.
    d.client.disconnect().await.expect("disconnect");
    d.closed().await;
    let d = Device::with_options(options(addr, "dev", true)).await;
    assert!(!d.session_present);
    running.shutdown().await;
}

// §4.1 (issue 3 item 2; MQTT 3.1.1 §4.4): an unacknowledged QoS 1 message is sent again, DUP set.
#[tokio::test]
async fn unacknowledged_qos1_message_is_redelivered_with_dup_after_reconnect() {
    let (running, addr) = server().await;
    let arn = thing(&running.service, "dev");
    let mut o = options(addr, "dev", false);
    o.set_manual_acks(true);
    let mut d = Device::with_options(o).await;
    d.sub(&format!("{T}/notify-next")).await;
    job(&running.service, "j1", &[&arn], "{}");
    match d.event().await {
        Ev::Publish { topic, dup, .. } => {
            assert_eq!(topic, format!("{T}/notify-next"));
            assert!(!dup);
        }
        other => panic!("{other:?}"),
    }
    // Never acknowledged; the connection goes away.
    d.client.disconnect().await.expect("disconnect");
    d.closed().await;
    let mut d = Device::with_options(options(addr, "dev", false)).await;
    match d.event().await {
        Ev::Publish { topic, dup, .. } => {
            assert_eq!(topic, format!("{T}/notify-next"));
            assert!(dup, "a redelivery carries DUP");
        }
        other => panic!("{other:?}"),
    }
    running.shutdown().await;
}

// §4.1 (issue 3 item 2; MQTT 3.1.1 §4.7)
#[tokio::test]
async fn wildcards_match_levels_and_leading_wildcards_skip_dollar_topics() {
    let (running, addr) = server().await;
    let arn = thing(&running.service, "dev");
    let mut w = Device::connect(addr, "w").await;
    w.sub("#").await;
    w.sub("$aws/things/+/jobs/notify").await;
    w.sub("lab/+/temp").await;
    let p = Device::connect(addr, "p").await;
    job(&running.service, "j1", &[&arn], "{}");
    let mut p = p;
    p.publish("lab/r1/temp", "21").await;
    p.publish("lab/r1/r2/temp", "22").await;
    // Once p's own request is answered, its earlier publishes have been routed.
    p.drain("dev").await;
    let got = w.drain("dev").await;
    let topics: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
    // `#` sees both plain topics but no `$aws` topic; `lab/r1/temp` arrives once despite two
    // matching filters; the notify comes only through the `$aws/things/+` filter.
    assert_eq!(
        topics,
        vec![
            format!("{T}/notify").as_str(),
            "lab/r1/temp",
            "lab/r1/r2/temp"
        ]
    );
    running.shutdown().await;
}

// §4.1 (issue 3 item 2): the broker offers QoS 0 and 1 as AWS IoT does: a QoS 2 subscription is
// granted QoS 1, and a QoS 2 publish closes the connection.
#[tokio::test]
async fn qos2_subscriptions_are_granted_qos1_and_qos2_publishes_close_the_connection() {
    let (running, addr) = server().await;
    let mut d = Device::connect(addr, "d").await;
    d.client
        .subscribe("lab/x", QoS::ExactlyOnce)
        .await
        .expect("queued");
    loop {
        match d.event().await {
            Ev::SubAck(codes) => {
                assert_eq!(codes, vec![SubscribeReasonCode::Success(QoS::AtLeastOnce)]);
                break;
            }
            Ev::Closed => panic!("closed"),
            _ => {}
        }
    }
    d.client
        .publish("lab/x", QoS::ExactlyOnce, false, "2")
        .await
        .expect("queued");
    d.closed().await;
    running.shutdown().await;
}

// §4.1 (issue 3 item 2; MQTT 3.1.1 §3.1.2.10): silence for 1.5 × keep-alive closes the connection.
#[tokio::test]
async fn keep_alive_silence_closes_the_connection() {
    let (running, addr) = server().await;
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let mut c = v4::Connect::new("sleepy");
    c.keep_alive = 1;
    let mut out = BytesMut::new();
    v4::Packet::Connect(c)
        .write(&mut out, usize::MAX)
        .expect("encode");
    s.write_all(&out).await.expect("write");
    let started = tokio::time::Instant::now();
    let mut buf = [0u8; 64];
    let mut total = 0;
    loop {
        match within(s.read(&mut buf[total..])).await {
            Ok(0) | Err(_) => break,
            Ok(n) => total += n,
        }
    }
    assert_eq!(&buf[..4], &[0x20, 0x02, 0x00, 0x00], "CONNACK accepted");
    assert!(
        started.elapsed() >= Duration::from_millis(1400),
        "closed only after 1.5 × keep-alive, not at {:?}",
        started.elapsed()
    );
    running.shutdown().await;
}

// §4.1 (issue 3 item 2): a second connection with the same client id takes over, as on AWS IoT.
#[tokio::test]
async fn a_second_connection_with_the_same_client_id_takes_over() {
    let (running, addr) = server().await;
    thing(&running.service, "dev");
    let mut first = Device::connect(addr, "dev").await;
    let mut second = Device::connect(addr, "dev").await;
    first.closed().await;
    let (t, _) = second.request(&format!("{T}/get"), "{}").await;
    assert_eq!(t, format!("{T}/get/accepted"));
    running.shutdown().await;
}

/// Reads until the broker closes the socket; true if it did.
async fn closed_by_broker(s: &mut TcpStream) -> bool {
    let mut buf = [0u8; 1024];
    loop {
        match within(s.read(&mut buf)).await {
            Ok(0) | Err(_) => return true,
            Ok(_) => {}
        }
    }
}

async fn raw_connected(addr: std::net::SocketAddr, id: &str) -> TcpStream {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let mut out = BytesMut::new();
    v4::Packet::Connect(v4::Connect::new(id))
        .write(&mut out, usize::MAX)
        .expect("encode");
    s.write_all(&out).await.expect("write");
    let mut ack = [0u8; 4];
    within(s.read_exact(&mut ack)).await.expect("CONNACK");
    assert_eq!(ack, [0x20, 0x02, 0x00, 0x00]);
    s
}

// §4.1 (issue 3 "bad input over the wire"): garbage closes that connection only.
#[tokio::test]
async fn garbage_bytes_close_only_that_connection() {
    let (running, addr) = server().await;
    thing(&running.service, "dev");
    let mut d = Device::connect(addr, "dev").await;
    // Before CONNECT.
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(b"GET / HTTP/1.1\r\n\r\n").await.expect("write");
    assert!(closed_by_broker(&mut s).await);
    // After CONNECT: a reserved packet type, then a malformed remaining length.
    for junk in [
        &[0xF0u8, 0x00][..],
        &[0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01][..],
    ] {
        let mut s = raw_connected(addr, "junk").await;
        s.write_all(junk).await.expect("write");
        assert!(closed_by_broker(&mut s).await);
    }
    let (t, _) = d.request(&format!("{T}/get"), "{}").await;
    assert_eq!(
        t,
        format!("{T}/get/accepted"),
        "the broker still serves others"
    );
    running.shutdown().await;
}

// §4.1 (AWS IoT's 128 KB payload limit): an oversized packet closes that connection only.
#[tokio::test]
async fn oversized_packet_closes_only_that_connection() {
    let (running, addr) = server().await;
    thing(&running.service, "dev");
    let mut d = Device::connect(addr, "dev").await;
    let mut s = raw_connected(addr, "big").await;
    let mut out = BytesMut::new();
    v4::Packet::Publish(v4::Publish::new(
        "a/b",
        QoS::AtMostOnce,
        vec![b'x'; 200 * 1024],
    ))
    .write(&mut out, usize::MAX)
    .expect("encode");
    // The header alone is enough for the broker to refuse; it may close before reading the rest.
    let _ = s.write_all(&out).await;
    assert!(closed_by_broker(&mut s).await);
    // A payload just under the limit still works.
    let mut sink = Device::connect(addr, "sink").await;
    sink.sub("a/b").await;
    d.publish("a/b", vec![b'y'; 128 * 1024]).await;
    let (t, _) = sink.next().await;
    assert_eq!(t, "a/b");
    let (t, _) = d.request(&format!("{T}/get"), "{}").await;
    assert_eq!(t, format!("{T}/get/accepted"));
    running.shutdown().await;
}

// §4.1 (issue 3 item 2): MQTT 3.1.1 and 5 only; other levels get CONNACK "unacceptable protocol".
#[tokio::test]
async fn unsupported_protocol_level_is_refused_with_connack_code_1() {
    let (running, addr) = server().await;
    let mut s = TcpStream::connect(addr).await.expect("connect");
    // MQTT 3.1 CONNECT: protocol name "MQIsdp", level 3.
    let mut p = vec![0x10, 0x00, 0x00, 0x06];
    p.extend_from_slice(b"MQIsdp");
    p.extend_from_slice(&[0x03, 0x02, 0x00, 0x3c, 0x00, 0x01, b'x']);
    p[1] = (p.len() - 2) as u8;
    s.write_all(&p).await.expect("write");
    let mut ack = [0u8; 4];
    within(s.read_exact(&mut ack)).await.expect("CONNACK");
    assert_eq!(ack, [0x20, 0x02, 0x00, 0x01]);
    assert!(closed_by_broker(&mut s).await);
    running.shutdown().await;
}

// §4.1 (issue 3 item 2: optional per-thing authorisation)
#[tokio::test]
async fn per_thing_authorisation_confines_a_client_to_its_own_thing_topics() {
    let service = Service::new(Emulator::new(
        EngineConfig::default(),
        Clock::new(ClockMode::Virtual),
    ));
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let broker = Broker::bind(([127, 0, 0, 1], 0).into(), service.clone(), stop)
        .await
        .expect("bind")
        .per_thing_auth(true);
    let addr = broker.local_addr();
    service.set_publisher(broker.publisher());
    let task = tokio::spawn(broker.run());
    thing(&service, "dev");
    thing(&service, "other");

    let mut d = Device::connect(addr, "dev").await;
    let codes = d.sub("$aws/things/other/jobs/notify").await;
    assert_eq!(codes, vec![SubscribeReasonCode::Failure]);
    let codes = d.sub("$aws/things/+/jobs/notify").await;
    assert_eq!(codes, vec![SubscribeReasonCode::Failure]);
    let codes = d.sub(&format!("{T}/notify")).await;
    assert_eq!(codes, vec![SubscribeReasonCode::Success(QoS::AtLeastOnce)]);
    // A request on another thing's topic is dropped: no reply comes back.
    d.publish("$aws/things/other/jobs/get", "{}").await;
    assert_eq!(d.drain("dev").await, vec![]);
    let _ = stop_tx.send(true);
    let _ = task.await;
}

// §4.1 (issue 3 item 2): after UNSUBSCRIBE nothing more arrives on that filter.
#[tokio::test]
async fn unsubscribing_stops_delivery() {
    let (running, addr) = server().await;
    let arn = thing(&running.service, "dev");
    let mut d = Device::connect(addr, "dev").await;
    d.sub(&format!("{T}/notify")).await;
    job(&running.service, "j1", &[&arn], "{}");
    assert_eq!(d.next().await.0, format!("{T}/notify"));
    d.client
        .unsubscribe(format!("{T}/notify"))
        .await
        .expect("queued");
    // The UNSUBACK precedes the barrier's reply on this connection.
    d.drain("dev").await;
    job(&running.service, "j2", &[&arn], "{}");
    assert_eq!(pushes(&d.drain("dev").await), vec![]);
    running.shutdown().await;
}

// §4.1 (issue 3 item 2; MQTT 3.1.1 §3.1.2.5): a connection lost without DISCONNECT publishes
// its will; a clean DISCONNECT does not.
#[tokio::test]
async fn a_lost_connection_publishes_its_will_and_a_clean_disconnect_does_not() {
    let (running, addr) = server().await;
    let mut watcher = Device::connect(addr, "watcher").await;
    watcher.sub("lab/status/+").await;
    for (id, clean) in [("quiet", true), ("lost", false)] {
        let mut c = v4::Connect::new(id);
        c.last_will = Some(v4::LastWill::new(
            format!("lab/status/{id}"),
            "offline",
            QoS::AtLeastOnce,
            false,
        ));
        let mut out = BytesMut::new();
        v4::Packet::Connect(c)
            .write(&mut out, usize::MAX)
            .expect("encode");
        if clean {
            v4::Packet::Disconnect
                .write(&mut out, usize::MAX)
                .expect("encode");
        }
        let mut s = TcpStream::connect(addr).await.expect("connect");
        s.write_all(&out).await.expect("write");
        let mut ack = [0u8; 4];
        within(s.read_exact(&mut ack)).await.expect("CONNACK");
        if clean {
            assert!(closed_by_broker(&mut s).await);
        }
        drop(s);
    }
    let (t, _) = watcher.next().await;
    assert_eq!(t, "lab/status/lost", "only the lost connection's will");
    running.shutdown().await;
}

// §4.1 (issue 3 item 2): an MQTT 5 session with a session expiry interval is persistent.
#[tokio::test]
async fn mqtt5_session_with_expiry_keeps_subscriptions_and_queues_while_offline() {
    use rumqttc::v5::mqttbytes::QoS as Q5;
    use rumqttc::v5::mqttbytes::v5::Packet as P5;
    use rumqttc::v5::{AsyncClient, Event, MqttOptions};
    let (running, addr) = server().await;
    let arn = thing(&running.service, "dev");
    let opts = || {
        let mut o = MqttOptions::new("dev5", addr.ip().to_string(), addr.port());
        o.set_clean_start(false);
        o.set_session_expiry_interval(Some(3600));
        o
    };
    // First connection: subscribe, then disconnect cleanly.
    let (client, mut el) = AsyncClient::new(opts(), 16);
    client
        .subscribe(format!("{T}/notify-next"), Q5::AtLeastOnce)
        .await
        .expect("sub");
    within(async {
        loop {
            if let Event::Incoming(P5::SubAck(_)) = el.poll().await.expect("poll") {
                return;
            }
        }
    })
    .await;
    client.disconnect().await.expect("disconnect");
    within(async { while el.poll().await.is_ok() {} }).await;
    job(&running.service, "j1", &[&arn], "{}");
    // Second connection: session present, queued notify-next delivered.
    let (_client, mut el) = AsyncClient::new(opts(), 16);
    let (present, topic) = within(async {
        let mut present = None;
        loop {
            match el.poll().await.expect("poll") {
                Event::Incoming(P5::ConnAck(a)) => present = Some(a.session_present),
                Event::Incoming(P5::Publish(p)) => {
                    return (present, String::from_utf8_lossy(&p.topic).to_string());
                }
                _ => {}
            }
        }
    })
    .await;
    assert_eq!(present, Some(true));
    assert_eq!(topic, format!("{T}/notify-next"));
    running.shutdown().await;
}

// §4.1 (issue 3 item 2; MQTT 3.1.1 §4.4): a connection that resumes the session by taking it
// over gets the old connection's unacknowledged QoS 1 messages.
#[tokio::test]
async fn taking_over_a_persistent_session_carries_its_unacknowledged_messages() {
    let (running, addr) = server().await;
    let arn = thing(&running.service, "dev");
    let mut o = options(addr, "dev", false);
    o.set_manual_acks(true);
    let mut first = Device::with_options(o).await;
    first.sub(&format!("{T}/notify-next")).await;
    job(&running.service, "j1", &[&arn], "{}");
    assert!(matches!(first.event().await, Ev::Publish { .. }));
    let mut second = Device::with_options(options(addr, "dev", false)).await;
    assert!(second.session_present);
    first.closed().await;
    match second.event().await {
        Ev::Publish { topic, dup, .. } => {
            assert_eq!(topic, format!("{T}/notify-next"));
            assert!(dup);
        }
        other => panic!("{other:?}"),
    }
    running.shutdown().await;
}
