//! Device notifications (spec §4.5, §5.5, §8): which `notify` / `notify-next` messages and events
//! each operation publishes, on which topics, with which payloads, in which order.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::support::*;
use crate::engine::config::*;
use crate::engine::*;

const NOTIFY: &str = "$aws/things/t1/jobs/notify";
const NEXT: &str = "$aws/things/t1/jobs/notify-next";
const NS: &str = "aws-gg-deployment";

/// A world with thing `t1` and nothing published yet; returns the world and the thing's ARN.
fn world() -> (World, String) {
    let mut w = World::new();
    let t = w.thing("t1");
    w.messages();
    (w, t)
}

/// One line per message: the topic, then the `jobs` map of a notify (`STATUS=[ids]` per key, in
/// payload order, `{}` when empty) or the `execution.jobId` of a notify-next (`-` when the payload
/// is a bare `{"timestamp"}`). Also checks that every payload has exactly the documented members
/// and an integer `timestamp` equal to the emulator's current second.
fn digest(w: &World, msgs: &[(String, Value)]) -> Vec<String> {
    let now = w.now().secs();
    msgs.iter()
        .map(|(topic, p)| {
            let obj = p.as_object().expect("payload is an object");
            assert_eq!(p["timestamp"], json!(now), "timestamp of {topic}: {p}");
            assert!(p["timestamp"].is_i64(), "integer timestamp: {p}");
            if topic.contains("/notify-next") {
                match p.get("execution") {
                    None => {
                        assert_eq!(obj.len(), 1, "bare notify-next: {p}");
                        format!("{topic} -")
                    }
                    Some(e) => {
                        assert_eq!(obj.len(), 2, "notify-next members: {p}");
                        format!("{topic} {}", e["jobId"].as_str().expect("jobId"))
                    }
                }
            } else {
                assert_eq!(obj.len(), 2, "notify members: {p}");
                let jobs = p["jobs"].as_object().expect("jobs is an object");
                if jobs.is_empty() {
                    return format!("{topic} {{}}");
                }
                let parts: Vec<String> = jobs
                    .iter()
                    .map(|(status, list)| {
                        let ids: Vec<&str> = list
                            .as_array()
                            .expect("list")
                            .iter()
                            .map(|s| s["jobId"].as_str().expect("jobId"))
                            .collect();
                        format!("{status}=[{}]", ids.join(","))
                    })
                    .collect();
                format!("{topic} {}", parts.join(" "))
            }
        })
        .collect()
}

/// Drains the messages and digests them.
fn published(w: &mut World) -> Vec<String> {
    let msgs = w.messages();
    digest(w, &msgs)
}

fn update(w: &mut World, job: &str, status: &str, details: &[(&str, &str)]) {
    w.try_update(
        "t1",
        job,
        UpdateExecutionRequest {
            status: Some(status.into()),
            status_details: Some(
                details
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            ),
            ..Default::default()
        },
    )
    .expect("update");
}

fn enable_events(w: &mut World, job: bool, job_execution: bool) {
    let mut map = BTreeMap::new();
    map.insert("JOB".to_string(), EventToggle { enabled: job });
    map.insert(
        "JOB_EXECUTION".to_string(),
        EventToggle {
            enabled: job_execution,
        },
    );
    w.emu
        .call(|e, now| {
            e.update_event_configurations(
                now,
                UpdateEventConfigurationsRequest {
                    event_configurations: Some(map),
                },
            )
        })
        .expect("update event configurations");
}

fn cancel_execution(w: &mut World, job: &str, force: bool) -> EngineResult<()> {
    w.emu.call(|e, now| {
        e.cancel_job_execution(
            now,
            CancelJobExecutionRequest {
                job_id: job.into(),
                thing_name: "t1".into(),
                force,
                ..Default::default()
            },
        )
    })
}

fn delete_execution(w: &mut World, job: &str, number: i64, force: bool) -> EngineResult<()> {
    w.emu.call(|e, now| {
        e.delete_job_execution(
            now,
            DeleteJobExecutionRequest {
                job_id: job.into(),
                thing_name: "t1".into(),
                execution_number: number,
                force,
                namespace_id: None,
            },
        )
    })
}

fn continuous(id: &str, group_arn: &str) -> CreateJobRequest {
    CreateJobRequest {
        target_selection: Some("CONTINUOUS".into()),
        ..World::job_req(id, &[group_arn])
    }
}

// ---------------------------------------------------------------- the worked example

#[test]
fn worked_example_of_the_notifications_guide_emits_exactly_the_documented_messages() {
    // §4.5 worked sequence (3 jobs on one thing), §11.63–66
    let (mut w, t) = world();

    // 1. create job1 → notify {QUEUED:[job1]} + notify-next(job1)
    w.job("job1", &[&t]);
    assert_eq!(
        published(&mut w),
        [format!("{NOTIFY} QUEUED=[job1]"), format!("{NEXT} job1")]
    );

    // 2. create job2 → notify {QUEUED:[job1,job2]}; no notify-next
    w.advance_secs(10);
    w.job("job2", &[&t]);
    assert_eq!(published(&mut w), [format!("{NOTIFY} QUEUED=[job1,job2]")]);

    // 3. job1 → IN_PROGRESS (start-next) → no messages
    w.advance_secs(10);
    let started = w.start_next("t1").expect("job1 starts");
    assert_eq!(
        (&*started.job_id, started.status),
        ("job1", ExecStatus::InProgress)
    );
    assert_eq!(published(&mut w), Vec::<String>::new());

    // 4. create job3 → notify {IN_PROGRESS:[job1], QUEUED:[job2,job3]}; no notify-next
    w.advance_secs(10);
    w.job("job3", &[&t]);
    assert_eq!(
        published(&mut w),
        [format!("{NOTIFY} IN_PROGRESS=[job1] QUEUED=[job2,job3]")]
    );

    // 5. job1 → SUCCEEDED → notify {QUEUED:[job2,job3]} + notify-next(job2)
    w.advance_secs(10);
    w.report("t1", "job1", "SUCCEEDED").expect("job1 succeeds");
    assert_eq!(
        published(&mut w),
        [
            format!("{NOTIFY} QUEUED=[job2,job3]"),
            format!("{NEXT} job2")
        ]
    );

    // 6. job3 → IN_PROGRESS → notify-next(job3) (IN_PROGRESS sorts first); no notify
    w.advance_secs(10);
    w.report("t1", "job3", "IN_PROGRESS").expect("job3 starts");
    assert_eq!(published(&mut w), [format!("{NEXT} job3")]);

    // 7. job2 → REJECTED → notify {IN_PROGRESS:[job3]}; no notify-next
    w.advance_secs(10);
    w.report("t1", "job2", "REJECTED").expect("job2 rejected");
    assert_eq!(published(&mut w), [format!("{NOTIFY} IN_PROGRESS=[job3]")]);

    // 8. DeleteJob(force) on job3 → notify {"jobs":{}} + bare notify-next
    w.advance_secs(10);
    w.try_delete_job("job3", true).expect("force delete job3");
    assert_eq!(
        published(&mut w),
        [format!("{NOTIFY} {{}}"), format!("{NEXT} -")]
    );
}

// ---------------------------------------------------------------- payload shapes

#[test]
fn notify_summaries_carry_job_id_times_and_numbers_but_no_status() {
    // §4.5 "summaries have no status field", §11.63
    let (mut w, t) = world();
    let queued_at = w.now().secs();
    w.job("job1", &[&t]);
    w.messages();
    w.advance_secs(30);
    w.start_next("t1");
    w.advance_secs(30);
    w.job("job2", &[&t]);
    let msgs = w.messages();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].0, NOTIFY);
    assert_eq!(
        msgs[0].1["jobs"],
        json!({
            "IN_PROGRESS": [{
                "jobId": "job1",
                "queuedAt": queued_at,
                "startedAt": queued_at + 30,
                "lastUpdatedAt": queued_at + 30,
                "versionNumber": 2,
                "executionNumber": 1,
            }],
            "QUEUED": [{
                "jobId": "job2",
                "queuedAt": queued_at + 60,
                "lastUpdatedAt": queued_at + 60,
                "versionNumber": 1,
                "executionNumber": 1,
            }],
        })
    );
}

#[test]
fn notify_lists_only_statuses_that_have_pending_executions() {
    // §4.5 "keys only for non-empty statuses"
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    let msgs = w.messages();
    let jobs = msgs[0].1["jobs"].as_object().expect("jobs map");
    assert_eq!(jobs.keys().collect::<Vec<_>>(), ["QUEUED"]);
    w.start_next("t1");
    w.job("job2", &[&t]);
    w.report("t1", "job2", "SUCCEEDED").expect("job2 done");
    let msgs = w.messages();
    assert_eq!(msgs.len(), 2);
    let jobs = msgs[1].1["jobs"].as_object().expect("jobs map");
    assert_eq!(jobs.keys().collect::<Vec<_>>(), ["IN_PROGRESS"]);
}

#[test]
fn notify_next_for_a_new_head_carries_the_queued_execution_with_its_document_as_an_object() {
    // §11.63, §11.62, §4.3 (notify-next capture: no thingName, statusDetails omitted when empty)
    let (mut w, t) = world();
    let now = w.now().secs();
    w.job("job1", &[&t]);
    let msgs = w.messages();
    assert_eq!(msgs[1].0, NEXT);
    assert_eq!(
        msgs[1].1,
        json!({
            "timestamp": now,
            "execution": {
                "jobId": "job1",
                "status": "QUEUED",
                "queuedAt": now,
                "lastUpdatedAt": now,
                "versionNumber": 1,
                "executionNumber": 1,
                "jobDocument": {"operation": "jobrig-test"},
            },
        })
    );
}

#[test]
fn notify_next_carries_status_details_of_a_new_in_progress_head() {
    // §4.3 JobExecutionData (statusDetails present when non-empty), §4.5 "IN_PROGRESS sorts first"
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.job("job2", &[&t]);
    w.messages();
    w.advance_secs(5);
    update(&mut w, "job2", "IN_PROGRESS", &[("step", "download")]);
    let msgs = w.messages();
    assert_eq!(digest(&w, &msgs), [format!("{NEXT} job2")]);
    let e = &msgs[0].1["execution"];
    assert_eq!(e["status"], "IN_PROGRESS");
    assert_eq!(e["statusDetails"], json!({"step": "download"}));
    assert_eq!(e["versionNumber"], 2);
    assert_eq!(e["startedAt"], json!(w.now().secs()));
    assert!(
        e.get("thingName").is_none(),
        "notify-next has no thingName: {e}"
    );
}

#[test]
fn notify_next_is_a_bare_timestamp_when_the_queue_empties() {
    // §4.5 "when the queue becomes empty → {"timestamp": t} only", §11.66
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.start_next("t1");
    w.messages();
    w.advance_secs(7);
    w.report("t1", "job1", "FAILED").expect("job1 fails");
    let msgs = w.messages();
    assert_eq!(
        msgs[1],
        (NEXT.to_string(), json!({"timestamp": w.now().secs()}))
    );
}

#[test]
fn succeeding_the_only_execution_publishes_empty_notify_then_bare_notify_next() {
    // §11.66, §4.5 ordering (notify before notify-next)
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.start_next("t1");
    w.messages();
    w.report("t1", "job1", "SUCCEEDED").expect("job1 succeeds");
    let now = w.now().secs();
    assert_eq!(
        w.messages(),
        [
            (NOTIFY.to_string(), json!({"timestamp": now, "jobs": {}})),
            (NEXT.to_string(), json!({"timestamp": now})),
        ]
    );
}

#[test]
fn notify_comes_before_notify_next_when_one_operation_changes_both() {
    // §4.5 ordering: update/accepted, then notify, then notify-next
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    assert_eq!(w.topics(), [NOTIFY, NEXT]);
    w.job("job2", &[&t]);
    w.messages();
    w.report("t1", "job1", "SUCCEEDED").expect("job1 done");
    assert_eq!(w.topics(), [NOTIFY, NEXT]);
}

// ---------------------------------------------------------------- when messages are published

#[test]
fn creating_a_second_job_publishes_notify_but_no_notify_next() {
    // §11.64
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.messages();
    w.job("job2", &[&t]);
    assert_eq!(published(&mut w), [format!("{NOTIFY} QUEUED=[job1,job2]")]);
}

#[test]
fn start_next_on_the_queued_head_publishes_nothing() {
    // §11.65
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.job("job2", &[&t]);
    w.messages();
    assert_eq!(
        w.start_next("t1").expect("head").status,
        ExecStatus::InProgress
    );
    assert!(w.messages().is_empty());
}

#[test]
fn progress_updates_of_the_head_publish_nothing() {
    // §4.5 "Not published when the next item's details change"
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.start_next("t1");
    w.messages();
    update(&mut w, "job1", "IN_PROGRESS", &[("progress", "50")]);
    assert_eq!(w.exec_status("t1", "job1"), "IN_PROGRESS");
    assert!(w.messages().is_empty());
}

#[test]
fn finishing_an_execution_behind_the_head_publishes_notify_only() {
    // §4.5 notify when the pending set changes; notify-next only when the head changes
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.job("job2", &[&t]);
    w.messages();
    w.report("t1", "job2", "REJECTED").expect("job2 rejected");
    assert_eq!(published(&mut w), [format!("{NOTIFY} QUEUED=[job1]")]);
}

#[test]
fn a_rejected_update_publishes_nothing() {
    // §5.2 "Forbidden (must be rejected, nothing changes)"
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.messages();
    w.assert_rejected(ErrorKind::InvalidStateTransition, |e, now| {
        e.update_job_execution(
            now,
            "t1",
            "job1",
            None,
            UpdateExecutionRequest {
                status: Some("CANCELED".into()),
                ..Default::default()
            },
        )
    });
}

#[test]
fn notifications_go_only_to_the_thing_whose_pending_set_changed() {
    // §4.1 notify topics are per thing
    let mut w = World::new();
    let t1 = w.thing("t1");
    let t2 = w.thing("t2");
    w.job("job1", &[&t1, &t2]);
    w.messages();
    w.report("t2", "job1", "SUCCEEDED").expect("t2 done");
    assert_eq!(
        w.topics(),
        [
            "$aws/things/t2/jobs/notify",
            "$aws/things/t2/jobs/notify-next"
        ]
    );
}

#[test]
fn notify_and_get_pending_list_at_most_ten_executions() {
    // §4.5 "at most 10 pending executions (15 with scheduling config) listed", §3 GetPending "Up to 10"
    let (mut w, t) = world();
    for i in 1..=11 {
        w.advance_secs(1);
        w.job(&format!("job{i:02}"), &[&t]);
    }
    w.messages();
    let pending = w.pending("t1");
    let ids: Vec<&str> = pending.queued.iter().map(|s| &*s.job_id).collect();
    assert_eq!(
        ids,
        [
            "job01", "job02", "job03", "job04", "job05", "job06", "job07", "job08", "job09",
            "job10"
        ]
    );
    // job01 leaves the set: job11 now appears as the tenth.
    w.report("t1", "job01", "SUCCEEDED").expect("job01 done");
    let msgs = w.messages();
    assert_eq!(msgs[0].0, NOTIFY);
    let listed: Vec<&str> = msgs[0].1["jobs"]["QUEUED"]
        .as_array()
        .expect("queued")
        .iter()
        .map(|s| s["jobId"].as_str().expect("jobId"))
        .collect();
    assert_eq!(
        listed,
        [
            "job02", "job03", "job04", "job05", "job06", "job07", "job08", "job09", "job10",
            "job11"
        ]
    );
}

#[test]
fn notify_lists_up_to_fifteen_executions_when_a_job_has_a_scheduling_config() {
    // §4.5 "(15 with scheduling config)", §9.1
    let (mut w, t) = world();
    for i in 1..=16 {
        w.advance_secs(1);
        w.create_job(CreateJobRequest {
            scheduling_config: Some(SchedulingConfig {
                end_time: Some("2026-01-02T00:00".into()),
                ..Default::default()
            }),
            ..World::job_req(&format!("job{i:02}"), &[&t])
        });
    }
    w.messages();
    assert_eq!(w.pending("t1").queued.len(), 15);
    w.report("t1", "job01", "SUCCEEDED").expect("job01 done");
    let msgs = w.messages();
    let listed = msgs[0].1["jobs"]["QUEUED"]
        .as_array()
        .expect("queued")
        .clone();
    assert_eq!(listed.len(), 15);
    assert_eq!(listed[0]["jobId"], "job02");
    assert_eq!(listed[14]["jobId"], "job16");
}

// ---------------------------------------------------------------- continuous jobs (§11.67, §11.68)

#[test]
fn leaving_a_continuous_jobs_group_removes_the_queued_execution_and_empties_the_device_view() {
    // §11.67
    let (mut w, _) = world();
    let g = w.group("fleet", None);
    w.add_to_group("t1", "fleet");
    w.create_job(continuous("job1", &g));
    w.messages();
    w.advance_secs(3);
    w.remove_from_group("t1", "fleet");
    let e = w.execution("t1", "job1");
    assert_eq!((e.status.as_str(), e.version_number), ("REMOVED", 1));
    assert_eq!(
        published(&mut w),
        [format!("{NOTIFY} {{}}"), format!("{NEXT} -")]
    );
}

#[test]
fn rejoining_a_continuous_jobs_group_after_success_announces_execution_two() {
    // §11.68
    let (mut w, _) = world();
    let g = w.group("fleet", None);
    w.add_to_group("t1", "fleet");
    w.create_job(continuous("job1", &g));
    w.report("t1", "job1", "SUCCEEDED").expect("done");
    w.remove_from_group("t1", "fleet");
    w.messages();
    w.add_to_group("t1", "fleet");
    let msgs = w.messages();
    assert_eq!(
        digest(&w, &msgs),
        [format!("{NOTIFY} QUEUED=[job1]"), format!("{NEXT} job1")]
    );
    let e = &msgs[1].1["execution"];
    assert_eq!(
        (
            e["status"].as_str(),
            &e["executionNumber"],
            &e["versionNumber"]
        ),
        (Some("QUEUED"), &json!(2), &json!(1))
    );
    assert_eq!(msgs[0].1["jobs"]["QUEUED"][0]["executionNumber"], 2);
}

// ---------------------------------------------------------------- cancel and delete (§5.5)

#[test]
fn cancel_job_of_the_queued_head_publishes_notify_and_moves_notify_next_on() {
    // §5.5 CancelJob of a QUEUED execution
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.job("job2", &[&t]);
    w.messages();
    w.try_cancel_job("job1", false).expect("cancel");
    assert_eq!(
        published(&mut w),
        [format!("{NOTIFY} QUEUED=[job2]"), format!("{NEXT} job2")]
    );
    assert_eq!(w.exec_status("t1", "job1"), "CANCELED");
}

#[test]
fn cancel_job_execution_of_the_only_execution_publishes_empty_notify_and_bare_notify_next() {
    // §5.5, §11.35
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.messages();
    cancel_execution(&mut w, "job1", false).expect("cancel execution");
    assert_eq!(
        published(&mut w),
        [format!("{NOTIFY} {{}}"), format!("{NEXT} -")]
    );
}

#[test]
fn cancel_job_without_force_publishes_nothing_for_an_in_progress_execution() {
    // §5.5 "Non-forced CancelJob with an IN_PROGRESS execution: nothing changes for that device"
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.start_next("t1");
    w.messages();
    w.try_cancel_job("job1", false).expect("cancel");
    assert!(w.messages().is_empty());
    assert_eq!(w.exec_status("t1", "job1"), "IN_PROGRESS");
}

#[test]
fn force_cancel_of_an_in_progress_execution_publishes_empty_notify_and_bare_notify_next() {
    // §5.5 force cancel
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.start_next("t1");
    w.messages();
    w.try_cancel_job("job1", true).expect("force cancel");
    assert_eq!(
        published(&mut w),
        [format!("{NOTIFY} {{}}"), format!("{NEXT} -")]
    );
}

#[test]
fn delete_job_execution_of_the_head_publishes_notify_and_the_next_head() {
    // §5.5 DeleteJobExecution
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.job("job2", &[&t]);
    w.messages();
    delete_execution(&mut w, "job1", 1, false).expect("delete queued execution");
    assert_eq!(
        published(&mut w),
        [format!("{NOTIFY} QUEUED=[job2]"), format!("{NEXT} job2")]
    );
}

#[test]
fn deleting_a_terminal_execution_publishes_nothing() {
    // §4.5 notify only when the pending set changes
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.job("job2", &[&t]);
    w.report("t1", "job2", "SUCCEEDED").expect("job2 done");
    w.messages();
    delete_execution(&mut w, "job2", 1, false).expect("delete terminal execution");
    assert!(w.messages().is_empty());
}

// ---------------------------------------------------------------- namespaces (§11.69)

#[test]
fn namespaced_jobs_notify_only_on_namespace_topics() {
    // §11.69, §4.1 namespace variant
    let (mut w, t) = world();
    w.create_job(CreateJobRequest {
        namespace_id: Some(NS.into()),
        ..World::job_req("gg1", &[&t])
    });
    assert_eq!(
        published(&mut w),
        [
            format!("$aws/things/t1/jobs/notify-namespace-{NS} QUEUED=[gg1]"),
            format!("$aws/things/t1/jobs/notify-next-namespace-{NS} gg1"),
        ]
    );
}

#[test]
fn namespaced_and_plain_queues_are_notified_independently() {
    // §11.69 (inferred: namespaced executions appear only on namespaced topics)
    let (mut w, t) = world();
    w.job("plain1", &[&t]);
    w.messages();
    w.create_job(CreateJobRequest {
        namespace_id: Some(NS.into()),
        ..World::job_req("gg1", &[&t])
    });
    // gg1 is the head of the namespace queue although plain1 is older.
    assert_eq!(
        published(&mut w),
        [
            format!("$aws/things/t1/jobs/notify-namespace-{NS} QUEUED=[gg1]"),
            format!("$aws/things/t1/jobs/notify-next-namespace-{NS} gg1"),
        ]
    );
    w.report("t1", "plain1", "SUCCEEDED").expect("plain done");
    assert_eq!(
        published(&mut w),
        [format!("{NOTIFY} {{}}"), format!("{NEXT} -")]
    );
}

#[test]
fn a_namespaced_update_publishes_on_the_namespace_topics() {
    // §11.69 "can update via $aws/things/T/jobs/J/namespace-aws-gg-deployment/update"
    let (mut w, t) = world();
    w.create_job(CreateJobRequest {
        namespace_id: Some(NS.into()),
        ..World::job_req("gg1", &[&t])
    });
    w.messages();
    w.emu
        .call(|e, now| {
            e.update_job_execution(
                now,
                "t1",
                "gg1",
                Some(NS),
                UpdateExecutionRequest {
                    status: Some("SUCCEEDED".into()),
                    ..Default::default()
                },
            )
        })
        .expect("namespaced update");
    assert_eq!(
        published(&mut w),
        [
            format!("$aws/things/t1/jobs/notify-namespace-{NS} {{}}"),
            format!("$aws/things/t1/jobs/notify-next-namespace-{NS} -"),
        ]
    );
}

// ---------------------------------------------------------------- presigned URLs in notify-next

#[test]
fn notify_next_expands_presigned_url_placeholders() {
    // §7.1 "replaced ... when a device requests the job document (MQTT or HTTPS)"
    let (mut w, t) = world();
    w.create_job(CreateJobRequest {
        document: Some(
            r#"{"url":"${aws:iot:s3-presigned-url:https://s3.amazonaws.com/bucket/fw.bin}"}"#
                .into(),
        ),
        presigned_url_config: Some(PresignedUrlConfig {
            role_arn: Some("arn:aws:iam::123456789012:role/jobs".into()),
            expires_in_sec: Some(600),
        }),
        ..World::job_req("job1", &[&t])
    });
    let msgs = w.messages();
    assert_eq!(
        msgs[1].1["execution"]["jobDocument"],
        json!({"url": "http://127.0.0.1:4566/_jobrig/s3/bucket/fw.bin?X-Amz-Expires=600&X-Amz-Date=20260101T000000Z&X-Amz-Signature=jobrig"})
    );
}

// ---------------------------------------------------------------- events (§8, §11.70, §11.71)

#[test]
fn job_execution_event_is_published_on_success_when_enabled() {
    // §11.70, §8 job-execution events
    let (mut w, t) = world();
    enable_events(&mut w, false, true);
    w.job("job1", &[&t]);
    w.messages();
    update(&mut w, "job1", "SUCCEEDED", &[("result", "ok")]);
    let msgs = w.messages();
    let events: Vec<&(String, Value)> = msgs
        .iter()
        .filter(|(t, _)| t.starts_with("$aws/events/"))
        .collect();
    assert_eq!(events.len(), 1);
    let (topic, p) = events[0];
    assert_eq!(topic, "$aws/events/jobExecution/job1/succeeded");
    assert_eq!(p["eventType"], "JOB_EXECUTION");
    assert_eq!(p["operation"], "succeeded");
    assert_eq!(p["jobId"], "job1");
    assert_eq!(p["thingArn"], json!(t));
    assert_eq!(p["status"], "SUCCEEDED");
    assert_eq!(p["statusDetails"], json!({"result": "ok"}));
    assert_eq!(p["timestamp"], json!(w.now().secs()));
    assert!(p["eventId"].as_str().is_some_and(|s| s.len() == 36));
    // Device notifications are published as well, independently of events.
    assert_eq!(
        msgs.iter()
            .filter(|(t, _)| !t.starts_with("$aws/events/"))
            .count(),
        2
    );
}

#[test]
fn no_events_are_published_while_event_types_are_disabled() {
    // §11.70 "with events disabled nothing is published", §8
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.report("t1", "job1", "SUCCEEDED").expect("done");
    w.job("job2", &[&t]);
    w.try_cancel_job("job2", false).expect("cancel");
    w.try_delete_job("job2", false).expect("delete");
    let topics = w.topics();
    assert!(!topics.is_empty());
    assert!(
        topics.iter().all(|t| !t.starts_with("$aws/events/")),
        "{topics:?}"
    );
}

#[test]
fn enabling_only_job_events_publishes_no_job_execution_events() {
    // §8 keys JOB and JOB_EXECUTION are independent
    let (mut w, t) = world();
    enable_events(&mut w, true, false);
    w.job("job1", &[&t]);
    w.messages();
    w.report("t1", "job1", "SUCCEEDED").expect("done");
    let events: Vec<String> = w
        .topics()
        .into_iter()
        .filter(|t| t.starts_with("$aws/events/"))
        .collect();
    assert_eq!(events, ["$aws/events/job/job1/completed"]);
}

#[test]
fn completed_snapshot_job_publishes_a_job_completed_event_with_counters() {
    // §11.71
    let mut w = World::new();
    let t1 = w.thing("t1");
    let t2 = w.thing("t2");
    enable_events(&mut w, true, false);
    w.job("job1", &[&t1, &t2]);
    w.report("t1", "job1", "SUCCEEDED").expect("t1 done");
    assert!(
        w.topics().iter().all(|t| !t.starts_with("$aws/events/")),
        "not complete yet"
    );
    w.report("t2", "job1", "FAILED").expect("t2 failed");
    let msgs = w.messages();
    let events: Vec<&(String, Value)> = msgs
        .iter()
        .filter(|(t, _)| t.starts_with("$aws/events/"))
        .collect();
    assert_eq!(events.len(), 1);
    let (topic, p) = events[0];
    assert_eq!(topic, "$aws/events/job/job1/completed");
    assert_eq!(p["eventType"], "JOB");
    assert_eq!(p["operation"], "completed");
    assert_eq!(p["status"], "COMPLETED");
    assert_eq!(p["jobId"], "job1");
    assert_eq!(p["targetSelection"], "SNAPSHOT");
    assert_eq!(p["targets"], json!([t1, t2]));
    assert_eq!(
        p["jobProcessDetails"],
        json!({
            "numberOfCanceledThings": 0,
            "numberOfRejectedThings": 0,
            "numberOfFailedThings": 1,
            "numberOfRemovedThings": 0,
            "numberOfSucceededThings": 1,
        })
    );
}

#[test]
fn canceling_a_queued_execution_publishes_a_canceled_execution_event_when_enabled() {
    // §5.5 "Jobs events: $aws/events/jobExecution/<jobId>/canceled ... (if enabled)"
    let (mut w, t) = world();
    enable_events(&mut w, false, true);
    w.job("job1", &[&t]);
    w.messages();
    cancel_execution(&mut w, "job1", false).expect("cancel execution");
    let msgs = w.messages();
    let (topic, p) = msgs
        .iter()
        .find(|(t, _)| t.starts_with("$aws/events/"))
        .expect("an event");
    assert_eq!(topic, "$aws/events/jobExecution/job1/canceled");
    assert_eq!(p["status"], "CANCELED");
}

#[test]
fn deleting_an_execution_publishes_a_deleted_execution_event_when_enabled() {
    // §5.5 "$aws/events/jobExecution/<jobId>/deleted (if enabled)", §8
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.report("t1", "job1", "SUCCEEDED").expect("done");
    enable_events(&mut w, false, true);
    w.messages();
    delete_execution(&mut w, "job1", 1, false).expect("delete");
    let msgs = w.messages();
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    assert_eq!(msgs[0].0, "$aws/events/jobExecution/job1/deleted");
    assert_eq!(msgs[0].1["status"], "DELETED");
    assert_eq!(msgs[0].1["thingArn"], json!(t));
}

#[test]
fn canceling_a_job_publishes_cancellation_in_progress_then_canceled_job_events_when_enabled() {
    // §8 job events `cancellation_in_progress` and `canceled`, §5.1 notes
    let (mut w, t) = world();
    enable_events(&mut w, true, false);
    w.job("job1", &[&t]);
    w.messages();
    w.emu
        .call(|e, now| {
            e.cancel_job(
                now,
                CancelJobRequest {
                    job_id: "job1".into(),
                    comment: Some("stop it".into()),
                    ..Default::default()
                },
            )
        })
        .expect("cancel");
    let msgs = w.messages();
    let events: Vec<(&str, &Value)> = msgs
        .iter()
        .filter(|(t, _)| t.starts_with("$aws/events/"))
        .map(|(t, p)| (t.as_str(), &p["status"]))
        .collect();
    assert_eq!(
        events,
        [
            (
                "$aws/events/job/job1/cancellation_in_progress",
                &json!("CANCELLATION_IN_PROGRESS")
            ),
            ("$aws/events/job/job1/canceled", &json!("CANCELED")),
        ]
    );
    assert_eq!(msgs[0].1["comment"], "stop it");
    // The device still hears about its canceled execution.
    assert_eq!(
        digest(&w, &msgs[2..]),
        [format!("{NOTIFY} {{}}"), format!("{NEXT} -")]
    );
}

#[test]
fn deleting_a_job_publishes_deletion_in_progress_then_deleted_job_events_when_enabled() {
    // §8 job events `deletion_in_progress` and `deleted`
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.report("t1", "job1", "SUCCEEDED").expect("done");
    enable_events(&mut w, true, false);
    w.messages();
    w.try_delete_job("job1", false).expect("delete");
    let msgs = w.messages();
    let events: Vec<(&str, &Value)> = msgs
        .iter()
        .map(|(t, p)| (t.as_str(), &p["status"]))
        .collect();
    assert_eq!(
        events,
        [
            (
                "$aws/events/job/job1/deletion_in_progress",
                &json!("DELETION_IN_PROGRESS")
            ),
            ("$aws/events/job/job1/deleted", &json!("DELETED")),
        ]
    );
}

#[test]
fn a_retry_after_failure_is_announced_as_a_new_pending_execution() {
    // §6.3 "re-queued; device notified again", §11.56
    let (mut w, t) = world();
    w.create_job(CreateJobRequest {
        job_executions_retry_config: Some(retry("FAILED", 1)),
        ..World::job_req("job1", &[&t])
    });
    w.start_next("t1");
    w.messages();
    w.report("t1", "job1", "FAILED").expect("failed");
    let msgs = w.messages();
    assert_eq!(
        digest(&w, &msgs),
        [format!("{NOTIFY} QUEUED=[job1]"), format!("{NEXT} job1")]
    );
    assert_eq!(msgs[0].1["jobs"]["QUEUED"][0]["executionNumber"], 2);
    let e = &msgs[1].1["execution"];
    assert_eq!(
        (&e["status"], &e["executionNumber"], &e["versionNumber"]),
        (&json!("QUEUED"), &json!(2), &json!(1))
    );
}

#[test]
fn a_timed_out_execution_is_notified_at_the_moment_the_timer_fires() {
    // §6.4 "on expiry → TIMED_OUT (terminal) plus MQTT notification", §4.5
    let (mut w, t) = world();
    w.create_job(CreateJobRequest {
        timeout_config: Some(timeout(1)),
        ..World::job_req("job1", &[&t])
    });
    w.start_next("t1");
    let started = w.now().secs();
    w.messages();
    w.advance_minutes(5);
    let msgs = w.messages();
    let fired = started + 60;
    assert_eq!(
        msgs,
        [
            (NOTIFY.to_string(), json!({"timestamp": fired, "jobs": {}})),
            (NEXT.to_string(), json!({"timestamp": fired})),
        ]
    );
    assert_eq!(w.exec_status("t1", "job1"), "TIMED_OUT");
}

#[test]
fn queuing_an_eleventh_execution_publishes_notify_listing_the_first_ten() {
    // §4.5 notify is "published when a new execution is queued", even beyond the listed ten
    let (mut w, t) = world();
    for i in 1..=10 {
        w.advance_secs(1);
        w.job(&format!("job{i:02}"), &[&t]);
    }
    w.messages();
    w.advance_secs(1);
    w.job("job11", &[&t]);
    let msgs = w.messages();
    assert_eq!(
        msgs.len(),
        1,
        "notify only, the head did not change: {msgs:?}"
    );
    assert_eq!(msgs[0].0, NOTIFY);
    let listed = msgs[0].1["jobs"]["QUEUED"]
        .as_array()
        .expect("queued")
        .len();
    assert_eq!(listed, 10);
}

#[test]
fn delete_job_publishes_a_deleted_event_for_each_of_its_executions() {
    // §8 job-execution events are published "on deletion"; deleting a job deletes its executions
    let (mut w, t) = world();
    let t2 = w.thing("t2");
    w.job("j", &[&t, &t2]);
    enable_events(&mut w, true, true);
    w.messages();
    w.try_delete_job("j", true).expect("force delete");
    let topics: Vec<String> = w
        .topics()
        .into_iter()
        .filter(|t| t.starts_with("$aws/events/"))
        .collect();
    assert_eq!(
        topics,
        [
            "$aws/events/job/j/deletion_in_progress",
            "$aws/events/jobExecution/j/deleted",
            "$aws/events/jobExecution/j/deleted",
            "$aws/events/job/j/deleted",
        ]
    );
}
