//! In-progress and step timers on the virtual clock (spec §6.4, §10 timeout notes, §11.52–§11.55).

use super::support::*;
use crate::clock::VIRTUAL_EPOCH;
use crate::engine::*;

/// Virtual time zero: 2026-01-01T00:00:00Z.
const T0: Timestamp = VIRTUAL_EPOCH;

const WEEK_MINUTES: i64 = 10_080;

// ---------------------------------------------------------------- helpers

/// One thing `t` and a SNAPSHOT job `j` over it with an in-progress timeout (if any).
fn world(timeout_minutes: Option<i64>) -> World {
    let mut w = World::new();
    let t = w.thing("t");
    w.create_job(CreateJobRequest {
        timeout_config: timeout_minutes.map(timeout),
        ..World::job_req("j", &[&t])
    });
    w
}

fn start_with_step(w: &mut World, thing: &str, step: Option<i64>) -> DeviceExecution {
    w.emu
        .call(|e, now| {
            e.start_next_pending_job_execution(
                now,
                thing,
                None,
                StartNextRequest {
                    step_timeout_in_minutes: step,
                    ..Default::default()
                },
            )
        })
        .expect("start next")
        .expect("something pending")
}

/// The device reports IN_PROGRESS again with a step timer.
fn step(w: &mut World, thing: &str, job: &str, minutes: i64) {
    w.try_update(
        thing,
        job,
        UpdateExecutionRequest {
            status: Some("IN_PROGRESS".into()),
            step_timeout_in_minutes: Some(minutes),
            ..Default::default()
        },
    )
    .expect("step update");
}

/// `approximateSecondsBeforeTimedOut` as the control plane shows it.
fn remaining(w: &mut World) -> Option<i64> {
    w.execution("t", "j").approximate_seconds_before_timed_out
}

/// `approximateSecondsBeforeTimedOut` as the device plane shows it (DescribeJobExecution).
fn remaining_for_device(w: &mut World) -> Option<i64> {
    w.emu
        .read(|e, now| {
            e.describe_job_execution_for_device(now, "t", "j", None, &Default::default())
        })
        .expect("describe")
        .expect("execution")
        .approximate_seconds_before_timed_out
}

/// Moves the clock to `hh:mm` of the first virtual day.
fn at(w: &mut World, hh: i64, mm: i64) {
    let target = T0.plus_minutes(hh * 60 + mm);
    let delta = target.millis() - w.now().millis();
    assert!(delta >= 0, "cannot go back to {hh}:{mm}");
    w.emu.advance_ms(delta).expect("advance");
}

/// The §6.4 doc example: 20-minute job timer, the device starts at 12:00.
fn doc_example() -> World {
    let mut w = world(Some(20));
    at(&mut w, 12, 0);
    w.start_next("t");
    w
}

// ---------------------------------------------------------------- in-progress timer

#[test]
fn in_progress_timer_of_1_minute_times_the_execution_out() {
    // §11.53: TIMED_OUT, numberOfTimedOutThings 1.
    let mut w = world(Some(1));
    w.start_next("t");
    w.advance_minutes(1);
    let x = w.execution("t", "j");
    assert_eq!(x.status, "TIMED_OUT");
    assert_eq!(x.version_number, 3);
    assert_eq!(x.last_updated_at, T0.plus_minutes(1).secs_f64());
    assert!(!x.force_canceled);
    let j = w.describe_job("j");
    assert_eq!(j.job_process_details.number_of_timed_out_things, 1);
    assert_eq!(counters(&j), [0, 0, 0, 0, 1, 0, 0, 0]);
}

#[test]
fn a_device_update_after_the_timeout_is_rejected() {
    // §11.53: a later device update is rejected and changes nothing.
    let mut w = world(Some(1));
    w.start_next("t");
    w.advance_minutes(2);
    let err = w.assert_rejected(ErrorKind::TerminalStateReached, |e, now| {
        e.update_job_execution(
            now,
            "t",
            "j",
            None,
            UpdateExecutionRequest {
                status: Some("SUCCEEDED".into()),
                ..Default::default()
            },
        )
    });
    assert_eq!(
        err.message,
        "Job execution j for thing t is in terminal state TIMED_OUT and cannot be updated."
    );
    assert_eq!(
        err.kind.aws_code(Plane::Data),
        "InvalidStateTransitionException"
    );
    assert_eq!(err.kind.http_status(Plane::Data), 409);
}

#[test]
fn a_timed_out_execution_leaves_the_device_queue_with_notifications() {
    // §6.4: "on expiry → TIMED_OUT plus MQTT notification"; §4.5 emptied notify and bare notify-next.
    let mut w = world(Some(1));
    w.start_next("t");
    w.messages();
    w.advance_minutes(1);
    let msgs = w.messages();
    let ts = T0.plus_minutes(1).secs();
    assert_eq!(
        msgs,
        vec![
            (
                "$aws/things/t/jobs/notify".to_string(),
                serde_json::json!({"timestamp": ts, "jobs": {}})
            ),
            (
                "$aws/things/t/jobs/notify-next".to_string(),
                serde_json::json!({"timestamp": ts})
            ),
        ]
    );
    assert!(w.next("t").is_none());
}

#[test]
fn a_timed_out_event_is_published_when_execution_events_are_enabled() {
    // §8: `$aws/events/jobExecution/<jobId>/timed_out`.
    let mut w = world(Some(1));
    w.emu
        .call(|e, now| {
            e.update_event_configurations(
                now,
                UpdateEventConfigurationsRequest {
                    event_configurations: Some(
                        [("JOB_EXECUTION".to_string(), EventToggle { enabled: true })].into(),
                    ),
                },
            )
        })
        .expect("enable events");
    w.start_next("t");
    w.messages();
    w.advance_minutes(1);
    let msgs = w.messages();
    let (_, event) = msgs
        .iter()
        .find(|(t, _)| t == "$aws/events/jobExecution/j/timed_out")
        .expect("timed_out event");
    assert_eq!(event["eventType"], "JOB_EXECUTION");
    assert_eq!(event["status"], "TIMED_OUT");
    assert_eq!(event["jobId"], "j");
    assert_eq!(event["thingArn"], w.engine().thing_arn("t"));
}

#[test]
fn the_in_progress_timer_does_not_run_while_queued() {
    // §6.4: the timer starts when the execution becomes IN_PROGRESS.
    let mut w = world(Some(1));
    w.advance_minutes(WEEK_MINUTES);
    assert_eq!(w.exec_status("t", "j"), "QUEUED");
    w.start_next("t");
    assert_eq!(remaining(&mut w), Some(60));
    w.advance_minutes(1);
    assert_eq!(w.exec_status("t", "j"), "TIMED_OUT");
}

#[test]
fn the_in_progress_timer_also_starts_on_an_update_to_in_progress() {
    // §6.4: the timer starts when the execution becomes IN_PROGRESS, however it gets there.
    let mut w = world(Some(3));
    w.advance_minutes(1);
    w.report("t", "j", "IN_PROGRESS")
        .expect("started by update");
    assert_eq!(remaining(&mut w), Some(180));
    w.advance_minutes(3);
    let x = w.execution("t", "j");
    assert_eq!(x.status, "TIMED_OUT");
    assert_eq!(x.last_updated_at, T0.plus_minutes(4).secs_f64());
}

#[test]
fn a_seven_day_timer_fires_exactly_at_its_deadline() {
    // §6.4, §9.1: 10080 minutes; not a minute (nor a second) early.
    let mut w = world(Some(WEEK_MINUTES));
    w.start_next("t");
    assert_eq!(remaining(&mut w), Some(WEEK_MINUTES * 60));
    w.advance_minutes(WEEK_MINUTES - 1);
    assert_eq!(w.exec_status("t", "j"), "IN_PROGRESS");
    assert_eq!(remaining(&mut w), Some(60));
    w.advance_secs(59);
    assert_eq!(w.exec_status("t", "j"), "IN_PROGRESS");
    assert_eq!(remaining(&mut w), Some(1));
    w.emu.advance_ms(999).expect("advance");
    assert_eq!(w.exec_status("t", "j"), "IN_PROGRESS");
    w.emu.advance_ms(1).expect("advance");
    let x = w.execution("t", "j");
    assert_eq!(x.status, "TIMED_OUT");
    assert_eq!(x.last_updated_at, T0.plus_minutes(WEEK_MINUTES).secs_f64());
}

#[test]
fn the_in_progress_deadline_counts_from_the_start_not_from_creation() {
    // §6.4: "starts when the execution becomes IN_PROGRESS".
    let mut w = world(Some(10));
    w.advance_minutes(7);
    w.start_next("t");
    w.advance_minutes(9);
    assert_eq!(w.exec_status("t", "j"), "IN_PROGRESS");
    w.advance_minutes(1);
    let x = w.execution("t", "j");
    assert_eq!(x.status, "TIMED_OUT");
    assert_eq!(x.last_updated_at, T0.plus_minutes(17).secs_f64());
}

#[test]
fn device_progress_updates_do_not_extend_the_in_progress_timer() {
    // §6.4: the in-progress timer is absolute; only step timers move with updates.
    let mut w = world(Some(10));
    w.start_next("t");
    w.advance_minutes(8);
    w.report("t", "j", "IN_PROGRESS").expect("progress");
    assert_eq!(remaining(&mut w), Some(120));
    w.advance_minutes(2);
    assert_eq!(w.exec_status("t", "j"), "TIMED_OUT");
}

#[test]
fn reaching_a_terminal_status_stops_the_timers() {
    // §6.4: "Reaching a terminal status stops both timers".
    let mut w = world(Some(5));
    start_with_step(&mut w, "t", Some(3));
    assert_eq!(w.engine().armed_timers(), 1);
    w.advance_minutes(2);
    w.report("t", "j", "SUCCEEDED").expect("succeeded");
    assert_eq!(w.engine().armed_timers(), 0);
    w.advance_minutes(60);
    let x = w.execution("t", "j");
    assert_eq!((x.status.as_str(), x.version_number), ("SUCCEEDED", 3));
    let j = w.describe_job("j");
    assert_eq!(j.job_process_details.number_of_timed_out_things, 0);
    assert_eq!(counters(&j), [0, 0, 1, 0, 0, 0, 0, 0]);
}

#[test]
fn a_force_canceled_execution_never_times_out() {
    // §6.4: CANCELED is terminal, so its timers stop.
    let mut w = world(Some(5));
    w.start_next("t");
    w.try_cancel_job("j", true).expect("force cancel");
    w.advance_minutes(60);
    let x = w.execution("t", "j");
    assert_eq!((x.status.as_str(), x.force_canceled), ("CANCELED", true));
    assert_eq!(
        w.describe_job("j")
            .job_process_details
            .number_of_timed_out_things,
        0
    );
}

#[test]
fn update_job_timeout_applies_only_to_executions_started_afterwards() {
    // §6.4: UpdateJob.timeoutConfig affects only executions that start IN_PROGRESS afterwards.
    let mut w = World::new();
    let a = w.thing("a");
    let b = w.thing("b");
    w.create_job(CreateJobRequest {
        timeout_config: Some(timeout(30)),
        ..World::job_req("j", &[&a, &b])
    });
    w.start_next("a");
    w.emu
        .call(|e, now| {
            e.update_job(
                now,
                UpdateJobRequest {
                    job_id: "j".into(),
                    timeout_config: Some(timeout(5)),
                    ..Default::default()
                },
            )
        })
        .expect("update job");
    assert_eq!(w.describe_job("j").timeout_config, timeout(5));
    w.start_next("b");
    assert_eq!(
        w.execution("a", "j").approximate_seconds_before_timed_out,
        Some(1800)
    );
    assert_eq!(
        w.execution("b", "j").approximate_seconds_before_timed_out,
        Some(300)
    );
    w.advance_minutes(5);
    assert_eq!(w.exec_status("a", "j"), "IN_PROGRESS");
    assert_eq!(w.exec_status("b", "j"), "TIMED_OUT");
    w.advance_minutes(25);
    assert_eq!(w.exec_status("a", "j"), "TIMED_OUT");
}

#[test]
fn a_timeout_added_by_update_job_leaves_running_executions_without_a_timer() {
    // §6.4 + [MS]: approximateSecondsBeforeTimedOut is None for an execution started before
    // a timeout was configured.
    let mut w = world(None);
    w.start_next("t");
    w.emu
        .call(|e, now| {
            e.update_job(
                now,
                UpdateJobRequest {
                    job_id: "j".into(),
                    timeout_config: Some(timeout(1)),
                    ..Default::default()
                },
            )
        })
        .expect("update job");
    assert_eq!(remaining(&mut w), None);
    w.advance_minutes(WEEK_MINUTES);
    assert_eq!(w.exec_status("t", "j"), "IN_PROGRESS");
}

// ---------------------------------------------------------------- approximateSecondsBeforeTimedOut

#[test]
fn approximate_seconds_before_timed_out_counts_down_while_a_timer_runs() {
    // §11.54: present (≤ 60·timeout) while a timer runs, on both planes.
    let mut w = world(Some(10));
    let started = w.start_next("t").expect("started");
    assert_eq!(started.approximate_seconds_before_timed_out, Some(600));
    w.advance_secs(270);
    assert_eq!(remaining(&mut w), Some(330));
    assert_eq!(remaining_for_device(&mut w), Some(330));
    assert_eq!(
        w.next("t")
            .expect("head")
            .approximate_seconds_before_timed_out,
        Some(330)
    );
}

#[test]
fn approximate_seconds_before_timed_out_is_absent_once_terminal() {
    // §11.54: absent after the execution is terminal.
    let mut w = world(Some(10));
    w.start_next("t");
    w.report("t", "j", "SUCCEEDED").expect("succeeded");
    assert_eq!(remaining(&mut w), None);
    assert_eq!(remaining_for_device(&mut w), None);
}

#[test]
fn approximate_seconds_before_timed_out_is_absent_after_a_timeout() {
    // §11.54 / §6.4: TIMED_OUT is terminal too.
    let mut w = world(Some(1));
    w.start_next("t");
    w.advance_minutes(1);
    assert_eq!(remaining(&mut w), None);
    assert_eq!(remaining_for_device(&mut w), None);
}

#[test]
fn approximate_seconds_before_timed_out_is_absent_without_a_timer() {
    // §6.4: omitted when no timer runs (no timeoutConfig, no step timer).
    let mut w = world(None);
    let started = w.start_next("t").expect("started");
    assert_eq!(started.approximate_seconds_before_timed_out, None);
    assert_eq!(remaining(&mut w), None);
    assert_eq!(remaining_for_device(&mut w), None);
}

#[test]
fn approximate_seconds_before_timed_out_is_absent_while_queued() {
    // §6.4: the timer does not run before IN_PROGRESS.
    let mut w = world(Some(10));
    assert_eq!(remaining(&mut w), None);
    assert_eq!(
        w.next("t")
            .expect("head")
            .approximate_seconds_before_timed_out,
        None
    );
}

// ---------------------------------------------------------------- step timers

#[test]
fn doc_example_approximate_seconds_follow_each_step() {
    // §6.4 doc example verbatim: 20-min job timer from 12:00; step 7 at 12:05 → 12:12;
    // step 5 at 12:10 → 12:15; step 9 at 12:13 → 12:20 (capped by the job timer).
    let mut w = doc_example();
    assert_eq!(remaining(&mut w), Some(20 * 60));
    at(&mut w, 12, 5);
    step(&mut w, "t", "j", 7);
    assert_eq!(remaining(&mut w), Some(7 * 60));
    at(&mut w, 12, 10);
    step(&mut w, "t", "j", 5);
    assert_eq!(remaining(&mut w), Some(5 * 60));
    at(&mut w, 12, 13);
    step(&mut w, "t", "j", 9);
    assert_eq!(remaining(&mut w), Some(7 * 60));
    assert_eq!(remaining_for_device(&mut w), Some(7 * 60));
}

#[test]
fn doc_example_step_of_7_minutes_at_12_05_times_out_at_12_12() {
    // §6.4 doc example, first step.
    let mut w = doc_example();
    at(&mut w, 12, 5);
    step(&mut w, "t", "j", 7);
    w.emu
        .advance_ms(T0.plus_minutes(12 * 60 + 12).millis() - 1 - w.now().millis())
        .expect("advance");
    assert_eq!(w.exec_status("t", "j"), "IN_PROGRESS");
    w.emu.advance_ms(1).expect("advance");
    let x = w.execution("t", "j");
    assert_eq!(x.status, "TIMED_OUT");
    assert_eq!(x.last_updated_at, T0.plus_minutes(12 * 60 + 12).secs_f64());
}

#[test]
fn doc_example_a_new_step_replaces_the_previous_one_and_times_out_at_12_15() {
    // §6.4: "a new value replaces the previous step timer" (step 5 at 12:10 → 12:15).
    let mut w = doc_example();
    at(&mut w, 12, 5);
    step(&mut w, "t", "j", 7);
    at(&mut w, 12, 10);
    step(&mut w, "t", "j", 5);
    at(&mut w, 12, 14);
    assert_eq!(w.exec_status("t", "j"), "IN_PROGRESS");
    at(&mut w, 12, 15);
    let x = w.execution("t", "j");
    assert_eq!(x.status, "TIMED_OUT");
    assert_eq!(x.last_updated_at, T0.plus_minutes(12 * 60 + 15).secs_f64());
}

#[test]
fn doc_example_a_step_beyond_the_job_timer_is_capped_at_12_20() {
    // §11.55, §6.4: step 9 at 12:13 would end 12:22, but the job timer ends at 12:20.
    let mut w = doc_example();
    at(&mut w, 12, 5);
    step(&mut w, "t", "j", 7);
    at(&mut w, 12, 10);
    step(&mut w, "t", "j", 5);
    at(&mut w, 12, 13);
    step(&mut w, "t", "j", 9);
    at(&mut w, 12, 19);
    assert_eq!(w.exec_status("t", "j"), "IN_PROGRESS");
    at(&mut w, 12, 20);
    let x = w.execution("t", "j");
    assert_eq!(x.status, "TIMED_OUT");
    assert_eq!(x.last_updated_at, T0.plus_minutes(12 * 60 + 20).secs_f64());
}

#[test]
fn a_step_timer_on_start_next_is_capped_by_the_in_progress_timer() {
    // §11.55: the step timer never extends the in-progress deadline.
    let mut w = world(Some(5));
    let x = start_with_step(&mut w, "t", Some(10));
    assert_eq!(x.approximate_seconds_before_timed_out, Some(300));
    w.advance_minutes(5);
    assert_eq!(w.exec_status("t", "j"), "TIMED_OUT");
}

#[test]
fn a_step_timer_alone_times_the_execution_out() {
    // §6.4: the step timer works without an in-progress timer.
    let mut w = world(None);
    let x = start_with_step(&mut w, "t", Some(3));
    assert_eq!(x.approximate_seconds_before_timed_out, Some(180));
    w.advance_minutes(2);
    assert_eq!(w.exec_status("t", "j"), "IN_PROGRESS");
    w.advance_minutes(1);
    assert_eq!(w.exec_status("t", "j"), "TIMED_OUT");
    assert_eq!(
        w.describe_job("j")
            .job_process_details
            .number_of_timed_out_things,
        1
    );
}

#[test]
fn an_update_without_a_step_timeout_keeps_the_running_step_timer() {
    // §6.4: only a new value replaces the step timer.
    let mut w = world(None);
    start_with_step(&mut w, "t", Some(3));
    w.advance_minutes(2);
    w.report("t", "j", "IN_PROGRESS").expect("progress");
    assert_eq!(remaining(&mut w), Some(60));
    w.advance_minutes(1);
    assert_eq!(w.exec_status("t", "j"), "TIMED_OUT");
}

#[test]
fn step_timeout_minus_one_clears_the_step_timer() {
    // §6.4 (§11.52): -1 on UpdateJobExecution discards the step timer.
    let mut w = world(None);
    start_with_step(&mut w, "t", Some(3));
    w.advance_minutes(1);
    step(&mut w, "t", "j", -1);
    assert_eq!(remaining(&mut w), None);
    assert_eq!(w.engine().armed_timers(), 0);
    w.advance_minutes(WEEK_MINUTES);
    assert_eq!(w.exec_status("t", "j"), "IN_PROGRESS");
}

#[test]
fn step_timeout_minus_one_falls_back_to_the_in_progress_deadline() {
    // §6.4: with the step timer gone, the in-progress timer still runs.
    let mut w = world(Some(10));
    start_with_step(&mut w, "t", Some(2));
    w.advance_minutes(1);
    step(&mut w, "t", "j", -1);
    assert_eq!(remaining(&mut w), Some(9 * 60));
    w.advance_minutes(8);
    assert_eq!(w.exec_status("t", "j"), "IN_PROGRESS");
    w.advance_minutes(1);
    let x = w.execution("t", "j");
    assert_eq!(x.status, "TIMED_OUT");
    assert_eq!(x.last_updated_at, T0.plus_minutes(10).secs_f64());
}
