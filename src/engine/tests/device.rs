//! The device plane (spec §3, §4.3, §4.4, §5.2–§5.5): GetPendingJobExecutions,
//! StartNextPendingJobExecution, DescribeJobExecution and UpdateJobExecution as a device sees them.

use serde_json::json;

use super::support::*;
use crate::engine::config::*;
use crate::engine::effects::{HttpDeviceExecution, MqttExecution};
use crate::engine::validate::{DETAILS_KEY_PATTERN, DETAILS_VALUE_PATTERN};
use crate::engine::*;

const NS: &str = "aws-gg-deployment";
const PRESIGNED_DOC: &str =
    r#"{"url":"${aws:iot:s3-presigned-url:https://s3.amazonaws.com/bucket/fw.bin}"}"#;

/// A world with thing `t1` and its ARN.
fn world() -> (World, String) {
    let mut w = World::new();
    let t = w.thing("t1");
    (w, t)
}

fn details(pairs: &[(&str, &str)]) -> StatusDetails {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn req(status: &str) -> UpdateExecutionRequest {
    UpdateExecutionRequest {
        status: Some(status.into()),
        ..Default::default()
    }
}

fn start_next_with(w: &mut World, r: StartNextRequest) -> Option<DeviceExecution> {
    w.emu
        .call(|e, now| e.start_next_pending_job_execution(now, "t1", None, r))
        .expect("start next")
}

fn describe(
    w: &mut World,
    job: &str,
    ns: Option<&str>,
    r: DescribeExecutionRequest,
) -> EngineResult<Option<DeviceExecution>> {
    w.emu
        .read(|e, now| e.describe_job_execution_for_device(now, "t1", job, ns, &r))
}

/// Asserts that a device update of `job` on `t1` is rejected with `kind`, changing nothing.
fn assert_update_rejected(
    w: &mut World,
    kind: ErrorKind,
    job: &str,
    r: UpdateExecutionRequest,
) -> EngineError {
    w.assert_rejected(kind, |e, now| {
        e.update_job_execution(now, "t1", job, None, r)
    })
}

fn presigned_job(w: &mut World, t: &str) {
    w.create_job(CreateJobRequest {
        document: Some(PRESIGNED_DOC.into()),
        presigned_url_config: Some(PresignedUrlConfig {
            role_arn: Some("arn:aws:iam::123456789012:role/jobs".into()),
            expires_in_sec: Some(600),
        }),
        ..World::job_req("job1", &[t])
    });
}

/// `PRESIGNED_DOC` as a device reads it at `amz_date` (the virtual epoch is 2026-01-01T00:00:00Z).
fn expanded_doc(amz_date: &str) -> String {
    format!(
        r#"{{"url":"http://127.0.0.1:4566/_jobrig/s3/bucket/fw.bin?X-Amz-Expires=600&X-Amz-Date={amz_date}&X-Amz-Signature=jobrig"}}"#
    )
}

// ---------------------------------------------------------------- StartNextPendingJobExecution

#[test]
fn start_next_starts_the_queued_head_with_version_two_and_the_stored_document() {
    // §11.40
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.advance_secs(42);
    let e = w.start_next("t1").expect("an execution");
    let now = w.now();
    assert_eq!(&*e.job_id, "job1");
    assert_eq!(&*e.thing_name, "t1");
    assert_eq!(e.status, ExecStatus::InProgress);
    assert_eq!((e.version_number, e.execution_number), (2, 1));
    assert_eq!(e.started_at, Some(now));
    assert_eq!(e.last_updated_at, now);
    assert_eq!(e.queued_at, now.plus_secs(-42));
    assert_eq!(e.job_document.as_deref(), Some(DOC));
    assert_eq!(w.exec_status("t1", "job1"), "IN_PROGRESS");
}

#[test]
fn start_next_sets_the_supplied_status_details_on_the_queued_head() {
    // §3 "statusDetails set to the supplied map"
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    let e = start_next_with(
        &mut w,
        StartNextRequest {
            status_details: Some(details(&[("step", "download")])),
            ..Default::default()
        },
    )
    .expect("an execution");
    assert_eq!(e.status_details, details(&[("step", "download")]));
    assert_eq!(
        w.execution("t1", "job1").status_details.details_map,
        details(&[("step", "download")])
    );
}

#[test]
fn start_next_again_keeps_old_status_details_and_version() {
    // §11.41
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    let first = start_next_with(
        &mut w,
        StartNextRequest {
            status_details: Some(details(&[("step", "one")])),
            ..Default::default()
        },
    )
    .expect("first");
    w.messages();
    w.advance_secs(30);
    let before = w.state();
    let again = start_next_with(
        &mut w,
        StartNextRequest {
            status_details: Some(details(&[("step", "two")])),
            step_timeout_in_minutes: Some(5),
        },
    )
    .expect("again");
    assert_eq!(again.status, ExecStatus::InProgress);
    assert_eq!(again.status_details, details(&[("step", "one")]));
    assert_eq!(again.version_number, 2);
    assert_eq!(again.last_updated_at, first.last_updated_at);
    assert_eq!(again.approximate_seconds_before_timed_out, None);
    assert_eq!(
        w.state(),
        before,
        "start-next on an IN_PROGRESS head changed the state"
    );
    assert!(w.emu.take_effects().is_empty());
}

#[test]
fn start_next_with_nothing_pending_returns_no_execution() {
    // §11.4, §4.3 (nothing pending → no `execution`)
    let (mut w, t) = world();
    assert_eq!(w.start_next("t1"), None);
    w.job("job1", &[&t]);
    w.report("t1", "job1", "SUCCEEDED").expect("done");
    assert_eq!(w.start_next("t1"), None);
    assert_eq!(w.start_next("no-such-thing"), None);
}

#[test]
fn start_next_returns_an_in_progress_execution_before_an_older_queued_one() {
    // §11.43, §3 "picks IN_PROGRESS executions first, then QUEUED"
    let (mut w, t) = world();
    w.job("older", &[&t]);
    w.advance_secs(1);
    w.job("newer", &[&t]);
    w.report("t1", "newer", "IN_PROGRESS")
        .expect("newer starts");
    let e = w.start_next("t1").expect("an execution");
    assert_eq!((&*e.job_id, e.version_number), ("newer", 2));
    assert_eq!(w.exec_status("t1", "older"), "QUEUED");
}

#[test]
fn start_next_takes_queued_executions_in_queue_order() {
    // §11.43 "among QUEUED executions the earliest queued comes first"
    let (mut w, t) = world();
    for id in ["a3", "b2", "c1"] {
        w.job(id, &[&t]);
        w.advance_secs(1);
    }
    let mut order = Vec::new();
    while let Some(e) = w.start_next("t1") {
        order.push(e.job_id.to_string());
        w.report("t1", &e.job_id, "SUCCEEDED").expect("done");
    }
    assert_eq!(order, ["a3", "b2", "c1"]);
}

#[test]
fn start_next_with_a_step_timeout_arms_the_step_timer() {
    // §3 "optional step timer starts", §6.4
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    let e = start_next_with(
        &mut w,
        StartNextRequest {
            step_timeout_in_minutes: Some(10),
            ..Default::default()
        },
    )
    .expect("an execution");
    assert_eq!(e.approximate_seconds_before_timed_out, Some(600));
    w.advance_minutes(4);
    assert_eq!(
        w.execution("t1", "job1")
            .approximate_seconds_before_timed_out,
        Some(360)
    );
}

#[test]
fn start_next_refuses_step_timeout_minus_one() {
    // §3 "-1 (UpdateJobExecution only)"
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.start_next_pending_job_execution(
            now,
            "t1",
            None,
            StartNextRequest {
                step_timeout_in_minutes: Some(-1),
                ..Default::default()
            },
        )
    });
    assert_eq!(
        err.message,
        "1 validation error detected: Value '-1' at 'stepTimeoutInMinutes' failed to satisfy constraint: Member must have value greater than or equal to 1"
    );
}

// ---------------------------------------------------------------- DescribeJobExecution (device)

#[test]
fn describe_next_returns_the_head_without_starting_it() {
    // §11.42
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.messages();
    let before = w.state();
    let e = w.next("t1").expect("head");
    assert_eq!(
        (&*e.job_id, e.status, e.version_number),
        ("job1", ExecStatus::Queued, 1)
    );
    assert_eq!(e.started_at, None);
    assert_eq!(w.state(), before);
    assert!(w.emu.take_effects().is_empty());
    assert_eq!(w.exec_status("t1", "job1"), "QUEUED");
}

#[test]
fn describe_next_prefers_an_in_progress_execution_created_later() {
    // §11.43
    let (mut w, t) = world();
    w.job("b", &[&t]);
    w.advance_secs(1);
    w.job("a", &[&t]);
    assert_eq!(&*w.next("t1").expect("head").job_id, "b");
    w.report("t1", "a", "IN_PROGRESS").expect("a starts");
    assert_eq!(&*w.next("t1").expect("head").job_id, "a");
}

#[test]
fn describe_next_with_nothing_pending_returns_no_execution() {
    // §11.59, §3 "$next with nothing pending → 200 without execution"
    let (mut w, t) = world();
    assert_eq!(w.next("t1"), None);
    w.job("job1", &[&t]);
    w.report("t1", "job1", "REJECTED").expect("rejected");
    assert_eq!(w.next("t1"), None);
}

#[test]
fn describe_includes_the_document_by_default_and_omits_it_on_request() {
    // §11.44
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    let with = describe(&mut w, "job1", None, Default::default())
        .expect("describe")
        .expect("execution");
    assert_eq!(with.job_document.as_deref(), Some(DOC));
    let without = describe(
        &mut w,
        "job1",
        None,
        DescribeExecutionRequest {
            include_job_document: Some(false),
            ..Default::default()
        },
    )
    .expect("describe")
    .expect("execution");
    assert_eq!(without.job_document, None);
    let next = describe(
        &mut w,
        "$next",
        None,
        DescribeExecutionRequest {
            include_job_document: Some(false),
            ..Default::default()
        },
    )
    .expect("describe")
    .expect("execution");
    assert_eq!(next.job_document, None);
}

#[test]
fn describe_without_execution_number_returns_the_newest_execution() {
    // §5.3 "Describe/Update without executionNumber act on the newest execution", §11.68
    let (mut w, _) = world();
    let g = w.group("fleet", None);
    w.add_to_group("t1", "fleet");
    w.create_job(CreateJobRequest {
        target_selection: Some("CONTINUOUS".into()),
        ..World::job_req("job1", &[&g])
    });
    w.report("t1", "job1", "SUCCEEDED").expect("#1 done");
    w.remove_from_group("t1", "fleet");
    w.add_to_group("t1", "fleet");
    let newest = describe(&mut w, "job1", None, Default::default())
        .expect("describe")
        .expect("execution");
    assert_eq!(
        (
            newest.execution_number,
            newest.status,
            newest.version_number
        ),
        (2, ExecStatus::Queued, 1)
    );
    let first = describe(
        &mut w,
        "job1",
        None,
        DescribeExecutionRequest {
            execution_number: Some(1),
            ..Default::default()
        },
    )
    .expect("describe #1")
    .expect("execution");
    assert_eq!(
        (first.execution_number, first.status),
        (1, ExecStatus::Succeeded)
    );
}

#[test]
fn describe_of_an_unknown_execution_number_is_resource_not_found() {
    // §11.39 (device twin), §11.8
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    let err = describe(
        &mut w,
        "job1",
        None,
        DescribeExecutionRequest {
            execution_number: Some(2),
            ..Default::default()
        },
    )
    .expect_err("no execution #2");
    assert_eq!(err.kind, ErrorKind::ResourceNotFound);
    assert_eq!(
        err.message,
        "Job execution job1 for thing t1 cannot be found."
    );
    assert_eq!(err.kind.mqtt_code(), "ResourceNotFound");
    assert_eq!(
        (
            err.kind.aws_code(Plane::Data),
            err.kind.http_status(Plane::Data)
        ),
        ("ResourceNotFoundException", 404)
    );
}

#[test]
fn control_plane_wraps_status_details_in_a_details_map_and_the_device_plane_does_not() {
    // §11.34
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.try_update(
        "t1",
        "job1",
        UpdateExecutionRequest {
            status_details: Some(details(&[("k", "v")])),
            ..req("IN_PROGRESS")
        },
    )
    .expect("update");
    let control = serde_json::to_value(w.execution("t1", "job1")).expect("json");
    assert_eq!(control["statusDetails"], json!({"detailsMap": {"k": "v"}}));
    assert_eq!(control["thingArn"], json!(t));
    let device = describe(&mut w, "job1", None, Default::default())
        .expect("describe")
        .expect("execution");
    let http = serde_json::to_value(HttpDeviceExecution::new(&device)).expect("json");
    assert_eq!(http["statusDetails"], json!({"k": "v"}));
    assert!(http.get("thingArn").is_none());
    let mqtt = serde_json::to_value(MqttExecution::new(&device, true)).expect("json");
    assert_eq!(mqtt["statusDetails"], json!({"k": "v"}));
}

#[test]
fn device_http_execution_has_integer_seconds_and_a_string_document() {
    // §11.6, §3 "jobDocument: JSON string on HTTP"
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.emu.advance_ms(1_500).expect("advance");
    let e = w.start_next("t1").expect("an execution");
    let http = serde_json::to_value(HttpDeviceExecution::new(&e)).expect("json");
    let epoch = crate::clock::VIRTUAL_EPOCH.secs();
    assert_eq!(
        http,
        json!({
            "jobId": "job1",
            "thingName": "t1",
            "status": "IN_PROGRESS",
            "queuedAt": epoch,
            "startedAt": epoch + 1,
            "lastUpdatedAt": epoch + 1,
            "versionNumber": 2,
            "executionNumber": 1,
            "jobDocument": DOC,
        })
    );
}

#[test]
fn device_mqtt_execution_carries_the_document_as_a_json_object() {
    // §11.62, §4.3 JobExecutionData
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    let e = w.next("t1").expect("head");
    let mqtt = serde_json::to_value(MqttExecution::new(&e, true)).expect("json");
    assert_eq!(mqtt["jobDocument"], json!({"operation": "jobrig-test"}));
    assert_eq!(mqtt["thingName"], "t1");
    assert!(mqtt.get("statusDetails").is_none());
}

// ---------------------------------------------------------------- GetPendingJobExecutions

#[test]
fn get_pending_lists_in_progress_and_queued_separately_in_queue_order() {
    // §11.57, §3 GetPendingJobExecutions "only non-terminal, each list by queue time"
    let (mut w, t) = world();
    for id in ["j1", "j2", "j3", "j4", "j5"] {
        w.job(id, &[&t]);
        w.advance_secs(1);
    }
    w.report("t1", "j4", "IN_PROGRESS").expect("j4 starts");
    w.report("t1", "j2", "IN_PROGRESS").expect("j2 starts");
    w.report("t1", "j3", "SUCCEEDED").expect("j3 done");
    let p = w.pending("t1");
    let ids = |l: &[PendingSummary]| l.iter().map(|s| s.job_id.to_string()).collect::<Vec<_>>();
    assert_eq!(ids(&p.in_progress), ["j2", "j4"]);
    assert_eq!(ids(&p.queued), ["j1", "j5"]);
    assert_eq!(p.in_progress[0].started_at, Some(w.now()));
    assert_eq!(p.in_progress[0].version_number, 2);
    assert_eq!(p.queued[0].started_at, None);
    assert_eq!(p.queued[0].version_number, 1);
}

#[test]
fn get_pending_for_an_unknown_thing_is_empty() {
    // §12.10 (Choice: an unknown thing has nothing pending)
    let mut w = World::new();
    assert_eq!(w.pending("ghost"), PendingExecutions::default());
}

// ---------------------------------------------------------------- UpdateJobExecution

#[test]
fn update_without_include_flags_returns_an_empty_response() {
    // §11.45 "without include flags returns {}"
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.start_next("t1");
    let r = w.report("t1", "job1", "SUCCEEDED").expect("update");
    assert_eq!(r, UpdateExecutionResponse::default());
    assert_eq!(w.exec_status("t1", "job1"), "SUCCEEDED");
}

#[test]
fn update_with_include_job_execution_state_returns_the_new_state() {
    // §11.45
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.start_next("t1");
    let r = w
        .try_update(
            "t1",
            "job1",
            UpdateExecutionRequest {
                status_details: Some(details(&[("result", "ok")])),
                include_job_execution_state: Some(true),
                ..req("SUCCEEDED")
            },
        )
        .expect("update");
    assert_eq!(
        r.execution_state,
        Some(ExecutionStateView {
            status: ExecStatus::Succeeded,
            status_details: details(&[("result", "ok")]),
            version_number: 3,
        })
    );
    assert_eq!(r.job_document, None);
}

#[test]
fn update_with_include_job_document_returns_the_document() {
    // §3 "includeJobDocument default false → jobDocument"
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    let r = w
        .try_update(
            "t1",
            "job1",
            UpdateExecutionRequest {
                include_job_document: Some(true),
                ..req("IN_PROGRESS")
            },
        )
        .expect("update");
    assert_eq!(r.job_document.as_deref(), Some(DOC));
    assert_eq!(r.execution_state, None);
}

#[test]
fn every_accepted_update_bumps_the_version_by_one() {
    // §5.3 "increments on every accepted change"
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    let mut versions = vec![w.execution("t1", "job1").version_number];
    for status in ["IN_PROGRESS", "IN_PROGRESS", "IN_PROGRESS", "SUCCEEDED"] {
        w.report("t1", "job1", status).expect("update");
        versions.push(w.execution("t1", "job1").version_number);
    }
    assert_eq!(versions, [1, 2, 3, 4, 5]);
}

#[test]
fn a_queued_execution_can_be_finished_directly() {
    // §5.2 "QUEUED → SUCCEEDED / FAILED / REJECTED"
    let mut w = World::new();
    let things: Vec<String> = ["t1", "t2", "t3"].iter().map(|n| w.thing(n)).collect();
    let refs: Vec<&str> = things.iter().map(String::as_str).collect();
    w.job("job1", &refs);
    for (thing, status) in [("t1", "SUCCEEDED"), ("t2", "FAILED"), ("t3", "REJECTED")] {
        w.report(thing, "job1", status).expect("direct finish");
        let e = w.execution(thing, "job1");
        assert_eq!((e.status.as_str(), e.version_number), (status, 2));
        assert_eq!(e.started_at, None);
    }
}

#[test]
fn update_without_status_details_keeps_the_previous_map() {
    // §11.49
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.try_update(
        "t1",
        "job1",
        UpdateExecutionRequest {
            status_details: Some(details(&[("a", "1"), ("b", "2")])),
            ..req("IN_PROGRESS")
        },
    )
    .expect("first");
    w.report("t1", "job1", "SUCCEEDED").expect("second");
    assert_eq!(
        w.execution("t1", "job1").status_details.details_map,
        details(&[("a", "1"), ("b", "2")])
    );
}

#[test]
fn update_with_status_details_replaces_the_whole_map() {
    // §11.49
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.try_update(
        "t1",
        "job1",
        UpdateExecutionRequest {
            status_details: Some(details(&[("a", "1"), ("b", "2")])),
            ..req("IN_PROGRESS")
        },
    )
    .expect("first");
    w.try_update(
        "t1",
        "job1",
        UpdateExecutionRequest {
            status_details: Some(details(&[("c", "3")])),
            ..req("IN_PROGRESS")
        },
    )
    .expect("second");
    assert_eq!(
        w.execution("t1", "job1").status_details.details_map,
        details(&[("c", "3")])
    );
}

#[test]
fn update_of_a_succeeded_execution_is_terminal_state_reached_and_a_409() {
    // §11.46, §4.4 TerminalStateReached, §12.2
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.report("t1", "job1", "SUCCEEDED").expect("done");
    for status in ["IN_PROGRESS", "SUCCEEDED", "FAILED", "QUEUED"] {
        let err =
            assert_update_rejected(&mut w, ErrorKind::TerminalStateReached, "job1", req(status));
        assert_eq!(
            err.message,
            "Job execution job1 for thing t1 is in terminal state SUCCEEDED and cannot be updated."
        );
        assert_eq!(err.kind.mqtt_code(), "TerminalStateReached");
        assert_eq!(
            (
                err.kind.aws_code(Plane::Data),
                err.kind.http_status(Plane::Data)
            ),
            ("InvalidStateTransitionException", 409)
        );
    }
    assert_eq!(w.execution("t1", "job1").version_number, 2);
}

#[test]
fn devices_cannot_report_service_only_statuses() {
    // §11.47, §5.2 "device reporting CANCELED / TIMED_OUT / REMOVED / QUEUED"
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.start_next("t1");
    for status in ["CANCELED", "TIMED_OUT", "REMOVED"] {
        let err = assert_update_rejected(
            &mut w,
            ErrorKind::InvalidStateTransition,
            "job1",
            req(status),
        );
        assert_eq!(
            err.message,
            format!("The status of job execution cannot be changed to be {status}")
        );
        assert_eq!(err.kind.mqtt_code(), "InvalidStateTransition");
        assert_eq!(
            (
                err.kind.aws_code(Plane::Data),
                err.kind.http_status(Plane::Data)
            ),
            ("InvalidStateTransitionException", 409)
        );
        let state = err.execution_state.expect("executionState");
        assert_eq!((state.status, state.version_number), ("IN_PROGRESS", 2));
    }
}

#[test]
fn an_in_progress_execution_cannot_go_back_to_queued() {
    // §11.48
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.start_next("t1");
    let err = assert_update_rejected(
        &mut w,
        ErrorKind::InvalidStateTransition,
        "job1",
        req("QUEUED"),
    );
    assert_eq!(
        err.message,
        "The status of job execution cannot be changed to be QUEUED"
    );
    assert_eq!(w.exec_status("t1", "job1"), "IN_PROGRESS");
}

#[test]
fn a_stale_expected_version_is_a_version_mismatch_with_the_current_state() {
    // §11.50, §11.60, §5.4, §12.1
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    let err = assert_update_rejected(
        &mut w,
        ErrorKind::VersionMismatch,
        "job1",
        UpdateExecutionRequest {
            expected_version: Some(99),
            ..req("SUCCEEDED")
        },
    );
    assert_eq!(err.message, "Expected version 99 but found version 1");
    assert_eq!(err.kind.mqtt_code(), "VersionMismatch");
    assert_eq!(
        serde_json::to_value(err.execution_state.expect("executionState")).expect("json"),
        json!({"status": "QUEUED", "versionNumber": 1})
    );
    assert_eq!(
        (
            err.kind.aws_code(Plane::Data),
            err.kind.http_status(Plane::Data)
        ),
        ("InvalidStateTransitionException", 409)
    );
}

#[test]
fn a_matching_expected_version_is_accepted() {
    // §5.4
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.start_next("t1");
    w.try_update(
        "t1",
        "job1",
        UpdateExecutionRequest {
            expected_version: Some(2),
            ..req("SUCCEEDED")
        },
    )
    .expect("version 2 matches");
    let e = w.execution("t1", "job1");
    assert_eq!((e.status.as_str(), e.version_number), ("SUCCEEDED", 3));
}

#[test]
fn update_without_status_is_invalid_request() {
    // §4.4 InvalidRequest "Value null at 'status' failed to satisfy constraint: Member must not be null"
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    let err = assert_update_rejected(
        &mut w,
        ErrorKind::InvalidRequest,
        "job1",
        UpdateExecutionRequest::default(),
    );
    assert_eq!(
        err.message,
        "1 validation error detected: Value null at 'status' failed to satisfy constraint: Member must not be null"
    );
    assert_eq!(err.kind.mqtt_code(), "InvalidRequest");
}

#[test]
fn update_with_the_documented_typo_success_is_invalid_request() {
    // §3 "the data-plane doc string says SUCCESS in places; the enum value is SUCCEEDED"
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    let err = assert_update_rejected(&mut w, ErrorKind::InvalidRequest, "job1", req("SUCCESS"));
    assert_eq!(
        err.message,
        "1 validation error detected: Value 'SUCCESS' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [QUEUED, IN_PROGRESS, SUCCEEDED, FAILED, TIMED_OUT, REJECTED, REMOVED, CANCELED]"
    );
}

#[test]
fn status_details_with_an_empty_value_or_a_bad_key_are_invalid_request() {
    // §11.51
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    let err = assert_update_rejected(
        &mut w,
        ErrorKind::InvalidRequest,
        "job1",
        UpdateExecutionRequest {
            status_details: Some(details(&[("k", "")])),
            ..req("IN_PROGRESS")
        },
    );
    assert_eq!(
        err.message,
        format!(
            "1 validation error detected: Value '{{k=}}' at 'statusDetails' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: {DETAILS_VALUE_PATTERN}]"
        )
    );
    let err = assert_update_rejected(
        &mut w,
        ErrorKind::InvalidRequest,
        "job1",
        UpdateExecutionRequest {
            status_details: Some(details(&[("a key", "v")])),
            ..req("IN_PROGRESS")
        },
    );
    assert_eq!(
        err.message,
        format!(
            "1 validation error detected: Value '{{a key=v}}' at 'statusDetails' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: {DETAILS_KEY_PATTERN}]"
        )
    );
}

#[test]
fn step_timeout_of_zero_or_10081_is_invalid_request() {
    // §11.52
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    for (n, constraint) in [
        (0, "Member must have value greater than or equal to 1"),
        (10081, "Member must have value less than or equal to 10080"),
    ] {
        let err = assert_update_rejected(
            &mut w,
            ErrorKind::InvalidRequest,
            "job1",
            UpdateExecutionRequest {
                step_timeout_in_minutes: Some(n),
                ..req("IN_PROGRESS")
            },
        );
        assert_eq!(
            err.message,
            format!(
                "1 validation error detected: Value '{n}' at 'stepTimeoutInMinutes' failed to satisfy constraint: {constraint}"
            )
        );
    }
}

#[test]
fn step_timeout_minus_one_clears_the_step_timer() {
    // §11.52, §3 "-1 ... cancels the current step timer"
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.try_update(
        "t1",
        "job1",
        UpdateExecutionRequest {
            step_timeout_in_minutes: Some(5),
            ..req("IN_PROGRESS")
        },
    )
    .expect("start with a step timer");
    assert_eq!(
        w.execution("t1", "job1")
            .approximate_seconds_before_timed_out,
        Some(300)
    );
    assert_eq!(w.engine().armed_timers(), 1);
    w.try_update(
        "t1",
        "job1",
        UpdateExecutionRequest {
            step_timeout_in_minutes: Some(-1),
            ..req("IN_PROGRESS")
        },
    )
    .expect("clear the step timer");
    assert_eq!(
        w.execution("t1", "job1")
            .approximate_seconds_before_timed_out,
        None
    );
    assert_eq!(w.engine().armed_timers(), 0);
    w.advance_minutes(10);
    assert_eq!(w.exec_status("t1", "job1"), "IN_PROGRESS");
}

#[test]
fn update_of_an_unknown_execution_is_resource_not_found() {
    // §11.8 (data-plane UpdateJobExecution), §3 "a number that does not exist → ResourceNotFoundException"
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    let err = assert_update_rejected(
        &mut w,
        ErrorKind::ResourceNotFound,
        "nojob",
        req("IN_PROGRESS"),
    );
    assert_eq!(
        err.message,
        "Job execution nojob for thing t1 cannot be found."
    );
    let err = assert_update_rejected(
        &mut w,
        ErrorKind::ResourceNotFound,
        "job1",
        UpdateExecutionRequest {
            execution_number: Some(7),
            ..req("IN_PROGRESS")
        },
    );
    assert_eq!(
        err.message,
        "Job execution job1 for thing t1 cannot be found."
    );
}

// ---------------------------------------------------------------- cancel / delete as the device sees them (§5.5)

#[test]
fn after_cancel_job_the_queued_execution_is_gone_from_the_device_view() {
    // §5.5 "GetPendingJobExecutions no longer lists it; DescribeJobExecution shows CANCELED"
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.try_cancel_job("job1", false).expect("cancel");
    assert_eq!(w.pending("t1"), PendingExecutions::default());
    assert_eq!(w.next("t1"), None);
    let e = describe(&mut w, "job1", None, Default::default())
        .expect("describe")
        .expect("execution");
    assert_eq!((e.status, e.version_number), (ExecStatus::Canceled, 2));
}

#[test]
fn after_a_non_forced_cancel_the_device_can_still_finish_its_execution() {
    // §5.5 "Non-forced CancelJob with an IN_PROGRESS execution: it can keep updating and finish"
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.start_next("t1");
    w.try_cancel_job("job1", false).expect("cancel");
    assert_eq!(w.execution("t1", "job1").version_number, 2);
    w.report("t1", "job1", "IN_PROGRESS").expect("progress");
    w.report("t1", "job1", "SUCCEEDED").expect("finish");
    let e = w.execution("t1", "job1");
    assert_eq!((e.status.as_str(), e.version_number), ("SUCCEEDED", 4));
    assert_eq!(w.describe_job("job1").status, "CANCELED");
}

#[test]
fn after_a_force_cancel_the_device_update_is_rejected() {
    // §5.5 force cancel, §11.23
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.start_next("t1");
    w.try_cancel_job("job1", true).expect("force cancel");
    let e = w.execution("t1", "job1");
    assert_eq!(
        (e.status.as_str(), e.force_canceled, e.version_number),
        ("CANCELED", true, 3)
    );
    let err = assert_update_rejected(
        &mut w,
        ErrorKind::TerminalStateReached,
        "job1",
        req("SUCCEEDED"),
    );
    assert_eq!(
        err.message,
        "Job execution job1 for thing t1 is in terminal state CANCELED and cannot be updated."
    );
    assert_eq!(err.kind.http_status(Plane::Data), 409);
    assert_eq!(w.next("t1"), None);
}

#[test]
fn after_a_forced_cancel_job_execution_the_device_update_is_rejected() {
    // §5.5 "CancelJobExecution?force of an IN_PROGRESS execution"
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.start_next("t1");
    w.emu
        .call(|e, now| {
            e.cancel_job_execution(
                now,
                CancelJobExecutionRequest {
                    job_id: "job1".into(),
                    thing_name: "t1".into(),
                    force: true,
                    ..Default::default()
                },
            )
        })
        .expect("force cancel execution");
    let err = assert_update_rejected(
        &mut w,
        ErrorKind::TerminalStateReached,
        "job1",
        req("FAILED"),
    );
    assert_eq!(err.kind.mqtt_code(), "TerminalStateReached");
    let e = describe(&mut w, "job1", None, Default::default())
        .expect("describe")
        .expect("execution");
    assert_eq!((e.status, e.version_number), (ExecStatus::Canceled, 3));
}

#[test]
fn after_delete_job_execution_the_device_gets_resource_not_found() {
    // §5.5 "DeleteJobExecution: the execution disappears; device DescribeJobExecution → ResourceNotFound"
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.start_next("t1");
    w.emu
        .call(|e, now| {
            e.delete_job_execution(
                now,
                DeleteJobExecutionRequest {
                    job_id: "job1".into(),
                    thing_name: "t1".into(),
                    execution_number: 1,
                    force: true,
                    namespace_id: None,
                },
            )
        })
        .expect("force delete execution");
    let err = describe(&mut w, "job1", None, Default::default()).expect_err("gone");
    assert_eq!(err.kind, ErrorKind::ResourceNotFound);
    assert_eq!(
        err.message,
        "Job execution job1 for thing t1 cannot be found."
    );
    assert_update_rejected(
        &mut w,
        ErrorKind::ResourceNotFound,
        "job1",
        req("SUCCEEDED"),
    );
    assert_eq!(w.pending("t1"), PendingExecutions::default());
    assert_eq!(w.start_next("t1"), None);
}

#[test]
fn after_delete_job_with_force_the_device_gets_resource_not_found() {
    // §5.5 "DeleteJob(force): the execution disappears"
    let (mut w, t) = world();
    w.job("job1", &[&t]);
    w.start_next("t1");
    w.try_delete_job("job1", true).expect("force delete");
    let err = describe(&mut w, "job1", None, Default::default()).expect_err("gone");
    assert_eq!(err.kind, ErrorKind::ResourceNotFound);
    assert_update_rejected(
        &mut w,
        ErrorKind::ResourceNotFound,
        "job1",
        req("SUCCEEDED"),
    );
    assert_eq!(w.next("t1"), None);
}

// ---------------------------------------------------------------- namespaces (§11.69)

fn namespaced_job(w: &mut World, id: &str, t: &str) {
    w.create_job(CreateJobRequest {
        namespace_id: Some(NS.into()),
        ..World::job_req(id, &[t])
    });
}

#[test]
fn namespaced_executions_are_invisible_to_plain_device_calls() {
    // §11.69, §4.1 "Inferred: namespaced executions appear only on namespaced topics"
    let (mut w, t) = world();
    namespaced_job(&mut w, "gg1", &t);
    assert_eq!(w.pending("t1"), PendingExecutions::default());
    assert_eq!(w.next("t1"), None);
    assert_eq!(w.start_next("t1"), None);
    assert_eq!(w.exec_status("t1", "gg1"), "QUEUED");
    let err = describe(&mut w, "gg1", None, Default::default()).expect_err("hidden");
    assert_eq!(err.kind, ErrorKind::ResourceNotFound);
    let err = assert_update_rejected(
        &mut w,
        ErrorKind::ResourceNotFound,
        "gg1",
        req("IN_PROGRESS"),
    );
    assert_eq!(
        err.message,
        "Job execution gg1 for thing t1 cannot be found."
    );
}

#[test]
fn namespaced_executions_are_served_on_their_namespace() {
    // §11.69 "can update via $aws/things/T/jobs/J/namespace-aws-gg-deployment/update"
    let (mut w, t) = world();
    w.job("plain1", &[&t]);
    namespaced_job(&mut w, "gg1", &t);
    let pending = w
        .emu
        .read(|e, _| e.get_pending_job_executions("t1", Some(NS)))
        .expect("pending");
    assert_eq!(pending.queued.len(), 1);
    assert_eq!(&*pending.queued[0].job_id, "gg1");
    let next = describe(&mut w, "$next", Some(NS), Default::default())
        .expect("describe")
        .expect("head");
    assert_eq!(&*next.job_id, "gg1");
    let started = w
        .emu
        .call(|e, now| e.start_next_pending_job_execution(now, "t1", Some(NS), Default::default()))
        .expect("start next")
        .expect("an execution");
    assert_eq!((&*started.job_id, started.version_number), ("gg1", 2));
    w.emu
        .call(|e, now| e.update_job_execution(now, "t1", "gg1", Some(NS), req("SUCCEEDED")))
        .expect("namespaced update");
    assert_eq!(w.exec_status("t1", "gg1"), "SUCCEEDED");
    assert_eq!(w.exec_status("t1", "plain1"), "QUEUED");
    // A plain execution is not visible on the namespace either.
    let err = describe(&mut w, "plain1", Some(NS), Default::default()).expect_err("hidden");
    assert_eq!(err.kind, ErrorKind::ResourceNotFound);
}

// ---------------------------------------------------------------- presigned URLs (§7.1, §11.20)

#[test]
fn start_next_expands_presigned_url_placeholders() {
    // §7.1, §3 "expanded when a device fetches the document"
    let (mut w, t) = world();
    presigned_job(&mut w, &t);
    w.advance_secs(61);
    let e = w.start_next("t1").expect("an execution");
    assert_eq!(
        e.job_document.as_deref(),
        Some(expanded_doc("20260101T000101Z").as_str())
    );
}

#[test]
fn device_describe_expands_presigned_url_placeholders() {
    // §7.1
    let (mut w, t) = world();
    presigned_job(&mut w, &t);
    w.advance_minutes(90);
    for job in ["job1", "$next"] {
        let e = describe(&mut w, job, None, Default::default())
            .expect("describe")
            .expect("execution");
        assert_eq!(
            e.job_document.as_deref(),
            Some(expanded_doc("20260101T013000Z").as_str()),
            "{job}"
        );
    }
}

#[test]
fn update_with_include_job_document_expands_presigned_url_placeholders() {
    // §7.1, §3 UpdateJobExecution includeJobDocument
    let (mut w, t) = world();
    presigned_job(&mut w, &t);
    let r = w
        .try_update(
            "t1",
            "job1",
            UpdateExecutionRequest {
                include_job_document: Some(true),
                ..req("IN_PROGRESS")
            },
        )
        .expect("update");
    assert_eq!(
        r.job_document.as_deref(),
        Some(expanded_doc("20260101T000000Z").as_str())
    );
}

#[test]
fn get_job_document_returns_presigned_url_placeholders_unexpanded() {
    // §11.20
    let (mut w, t) = world();
    presigned_job(&mut w, &t);
    w.start_next("t1");
    let doc = w
        .emu
        .read(|e, _| e.get_job_document("job1", false))
        .expect("get job document")
        .document;
    assert_eq!(doc, PRESIGNED_DOC);
}
