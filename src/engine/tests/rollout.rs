//! Rollout (constant and exponential), abort criteria, retries and job completion, all on the
//! virtual clock (spec §5.1, §6.1–§6.3, §11.30–§11.33, §11.56).

use super::support::*;
use crate::clock::VIRTUAL_EPOCH;
use crate::engine::config::*;
use crate::engine::*;

/// Virtual time zero: 2026-01-01T00:00:00Z.
const T0: Timestamp = VIRTUAL_EPOCH;

// ---------------------------------------------------------------- helpers

/// Creates `n` things `<prefix>0000..` in a new group `group`; returns the group ARN and the names.
fn fleet(w: &mut World, group: &str, prefix: &str, n: usize) -> (String, Vec<String>) {
    let arn = w.group(group, None);
    let names: Vec<String> = (0..n).map(|i| format!("{prefix}{i:04}")).collect();
    for name in &names {
        w.thing(name);
        w.add_to_group(name, group);
    }
    (arn, names)
}

fn constant(max: i64) -> JobExecutionsRolloutConfig {
    JobExecutionsRolloutConfig {
        maximum_per_minute: Some(max),
        exponential_rate: None,
    }
}

fn exponential(
    base: i64,
    factor: f64,
    criteria: RateIncreaseCriteria,
    max: i64,
) -> JobExecutionsRolloutConfig {
    JobExecutionsRolloutConfig {
        maximum_per_minute: Some(max),
        exponential_rate: Some(ExponentialRolloutRate {
            base_rate_per_minute: Some(base),
            increment_factor: Some(factor),
            rate_increase_criteria: Some(criteria),
        }),
    }
}

fn notified(n: i64) -> RateIncreaseCriteria {
    RateIncreaseCriteria {
        number_of_notified_things: Some(n),
        number_of_succeeded_things: None,
    }
}

fn succeeded(n: i64) -> RateIncreaseCriteria {
    RateIncreaseCriteria {
        number_of_notified_things: None,
        number_of_succeeded_things: Some(n),
    }
}

fn rolled_out_job(
    id: &str,
    group_arn: &str,
    rollout: JobExecutionsRolloutConfig,
) -> CreateJobRequest {
    CreateJobRequest {
        job_executions_rollout_config: Some(rollout),
        ..World::job_req(id, &[group_arn])
    }
}

/// All executions of a job ever created (every status), from its counters.
fn created(w: &mut World, id: &str) -> u64 {
    counters(&w.describe_job(id)).iter().sum()
}

/// Every execution of `job`, oldest first, across all pages.
fn executions(w: &mut World, job: &str) -> Vec<JobExecutionSummaryForJob> {
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let page = w
            .emu
            .read(|e, _| {
                e.list_job_executions_for_job(&ListJobExecutionsForJobRequest {
                    job_id: job.into(),
                    max_results: Some(250),
                    next_token: token.clone(),
                    ..Default::default()
                })
            })
            .expect("list executions");
        out.extend(page.execution_summaries);
        match page.next_token {
            Some(t) => token = Some(t),
            None => return out,
        }
    }
}

/// (executionNumber, status, retryAttempt) of each execution of `job` on `thing`, oldest first.
fn attempts(w: &mut World, job: &str, thing: &str) -> Vec<(i64, String, u32)> {
    let arn = w.engine().thing_arn(thing);
    executions(w, job)
        .into_iter()
        .filter(|s| s.thing_arn == arn)
        .map(|s| {
            let x = s.job_execution_summary;
            (x.execution_number, x.status, x.retry_attempt)
        })
        .collect()
}

/// How many executions were queued at each of the first `minutes + 1` minute marks after `start`.
fn per_minute(w: &mut World, job: &str, start: Timestamp, minutes: i64) -> Vec<usize> {
    let all = executions(w, job);
    (0..=minutes)
        .map(|m| {
            let at = start.plus_minutes(m).secs_f64();
            all.iter()
                .filter(|s| s.job_execution_summary.queued_at == at)
                .count()
        })
        .collect()
}

fn criterion(failure: &str, threshold: f64, min_executed: i64) -> AbortCriteria {
    AbortCriteria {
        failure_type: Some(failure.into()),
        action: Some("CANCEL".into()),
        threshold_percentage: Some(threshold),
        min_number_of_executed_things: Some(min_executed),
    }
}

fn aborting(id: &str, targets: &[&str], rules: Vec<AbortCriteria>) -> CreateJobRequest {
    CreateJobRequest {
        abort_config: Some(AbortConfig {
            criteria_list: Some(rules),
        }),
        ..World::job_req(id, targets)
    }
}

fn things(w: &mut World, names: &[&str]) -> Vec<String> {
    names.iter().map(|n| w.thing(n)).collect()
}

fn arns(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn continuous(req: CreateJobRequest) -> CreateJobRequest {
    CreateJobRequest {
        target_selection: Some("CONTINUOUS".into()),
        ..req
    }
}

/// The device starts its next pending execution and reports `status` on it.
fn run(w: &mut World, thing: &str, job: &str, status: &str) {
    w.start_next(thing).expect("something pending");
    w.report(thing, job, status).expect("report");
}

// ---------------------------------------------------------------- constant rate

#[test]
fn constant_rate_creates_maximum_per_minute_executions_each_virtual_minute() {
    // §6.1: maximumPerMinute = things notified per minute.
    let mut w = World::new();
    let (g, _) = fleet(&mut w, "fleet", "t", 25);
    w.create_job(rolled_out_job("j", &g, constant(10)));
    assert_eq!(created(&mut w, "j"), 10);
    w.advance_minutes(1);
    assert_eq!(created(&mut w, "j"), 20);
    w.advance_minutes(1);
    assert_eq!(created(&mut w, "j"), 25);
    w.advance_minutes(10);
    assert_eq!(created(&mut w, "j"), 25);
    assert_eq!(per_minute(&mut w, "j", T0, 3), vec![10, 10, 5, 0]);
}

#[test]
fn no_executions_are_created_between_rollout_ticks() {
    // §6.1: the rate is per virtual minute; nothing happens inside a minute.
    let mut w = World::new();
    let (g, _) = fleet(&mut w, "fleet", "t", 25);
    w.create_job(rolled_out_job("j", &g, constant(10)));
    w.advance_secs(59);
    assert_eq!(created(&mut w, "j"), 10);
    w.emu.advance_ms(999).expect("advance");
    assert_eq!(created(&mut w, "j"), 10);
    w.emu.advance_ms(1).expect("advance");
    assert_eq!(created(&mut w, "j"), 20);
    w.advance_secs(59);
    assert_eq!(created(&mut w, "j"), 20);
}

#[test]
fn rollout_follows_target_order() {
    // §6.1: the rollout notifies the targeted things in order, one minute's worth at a time.
    let mut w = World::new();
    let (g, names) = fleet(&mut w, "fleet", "t", 5);
    w.create_job(rolled_out_job("j", &g, constant(2)));
    w.advance_minutes(2);
    let order: Vec<(String, f64)> = executions(&mut w, "j")
        .into_iter()
        .map(|s| (s.thing_arn, s.job_execution_summary.queued_at))
        .collect();
    let expected: Vec<(String, f64)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            (
                w.engine().thing_arn(n),
                T0.plus_minutes(i as i64 / 2).secs_f64(),
            )
        })
        .collect();
    assert_eq!(order, expected);
}

#[test]
fn without_rollout_config_the_rate_is_1000_per_minute() {
    // §6.1, §9.1: default maximumPerMinute 1000.
    let mut w = World::new();
    let (g, _) = fleet(&mut w, "big", "d", 1005);
    w.job("j", &[&g]);
    assert_eq!(created(&mut w, "j"), 1000);
    assert_eq!(counters(&w.describe_job("j"))[0], 1000);
    w.advance_secs(59);
    assert_eq!(created(&mut w, "j"), 1000);
    w.advance_secs(1);
    assert_eq!(created(&mut w, "j"), 1005);
}

// ---------------------------------------------------------------- exponential rate

#[test]
fn exponential_rate_follows_the_documented_example_at_one_tenth_scale() {
    // §6.1 doc example (base 50, ×2, every 1000 notified → 50, 100, 200, 400/min) scaled by 1/10:
    // base 5, ×2, every 100 notified → 5/min for 20 min, 10/min for 10 min, 20/min for 5 min,
    // then 40/min.
    let mut w = World::new();
    let (g, _) = fleet(&mut w, "fleet", "t", 400);
    w.create_job(rolled_out_job(
        "j",
        &g,
        exponential(5, 2.0, notified(100), 1000),
    ));
    w.advance_minutes(60);
    let mut expected = vec![5; 20];
    expected.extend([10; 10]);
    expected.extend([20; 5]);
    expected.extend([40, 40, 20, 0]);
    assert_eq!(per_minute(&mut w, "j", T0, 38), expected);
    assert_eq!(created(&mut w, "j"), 400);
}

#[test]
fn exponential_rate_rises_once_per_full_criterion_of_notified_things() {
    // §6.1: "each step needs another `criterion` things": 3 notified of 4 is no step yet,
    // 12 notified are three steps (3 × 2³ = 24/min).
    let mut w = World::new();
    let (g, _) = fleet(&mut w, "fleet", "t", 30);
    w.create_job(rolled_out_job(
        "j",
        &g,
        exponential(3, 2.0, notified(4), 100),
    ));
    w.advance_minutes(5);
    assert_eq!(per_minute(&mut w, "j", T0, 4), vec![3, 3, 6, 18, 0]);
}

#[test]
fn exponential_rate_with_succeeded_criterion_grows_only_with_successes() {
    // §6.1: with numberOfSucceededThings the rate rises per `criterion` SUCCEEDED executions.
    let mut w = World::new();
    let (g, names) = fleet(&mut w, "fleet", "t", 30);
    w.create_job(rolled_out_job(
        "j",
        &g,
        exponential(2, 2.0, succeeded(2), 100),
    ));
    assert_eq!(created(&mut w, "j"), 2);
    // Notified but not succeeded: the rate stays at the base.
    w.advance_minutes(1);
    w.advance_minutes(1);
    assert_eq!(created(&mut w, "j"), 6);
    // Two successes: the next minute rolls out 4.
    run(&mut w, &names[0], "j", "SUCCEEDED");
    run(&mut w, &names[1], "j", "SUCCEEDED");
    w.advance_minutes(1);
    assert_eq!(created(&mut w, "j"), 10);
    // Failures do not count.
    run(&mut w, &names[2], "j", "FAILED");
    run(&mut w, &names[3], "j", "FAILED");
    w.advance_minutes(1);
    assert_eq!(created(&mut w, "j"), 14);
    // Four successes in all: 2 × 2 × 2 = 8.
    run(&mut w, &names[4], "j", "SUCCEEDED");
    run(&mut w, &names[5], "j", "SUCCEEDED");
    w.advance_minutes(1);
    assert_eq!(created(&mut w, "j"), 22);
}

#[test]
fn exponential_rate_is_capped_at_maximum_per_minute() {
    // §6.1: "capped by maximumPerMinute".
    let mut w = World::new();
    let (g, _) = fleet(&mut w, "fleet", "t", 60);
    w.create_job(rolled_out_job(
        "j",
        &g,
        exponential(5, 5.0, notified(5), 12),
    ));
    w.advance_minutes(10);
    assert_eq!(
        per_minute(&mut w, "j", T0, 6),
        vec![5, 12, 12, 12, 12, 7, 0]
    );
}

#[test]
fn update_job_rollout_rate_applies_from_the_next_minute() {
    // §2.4 UpdateJob + §6.1: a new maximumPerMinute replaces the old one (and drops exponentialRate).
    let mut w = World::new();
    let (g, _) = fleet(&mut w, "fleet", "t", 40);
    w.create_job(rolled_out_job(
        "j",
        &g,
        exponential(2, 2.0, notified(100), 50),
    ));
    w.advance_secs(30);
    w.emu
        .call(|e, now| {
            e.update_job(
                now,
                UpdateJobRequest {
                    job_id: "j".into(),
                    job_executions_rollout_config: Some(constant(10)),
                    ..Default::default()
                },
            )
        })
        .expect("update job");
    assert_eq!(created(&mut w, "j"), 2);
    w.advance_minutes(5);
    assert_eq!(per_minute(&mut w, "j", T0, 5), vec![2, 10, 10, 10, 8, 0]);
}

// ---------------------------------------------------------------- isConcurrent / processingTargets

#[test]
fn describe_job_shows_is_concurrent_and_processing_targets_while_rolling_out() {
    // §11.33, §5.1 notes.
    let mut w = World::new();
    let (g, _) = fleet(&mut w, "fleet", "t", 3);
    w.create_job(rolled_out_job("j", &g, constant(1)));
    let j = w.describe_job("j");
    assert!(j.is_concurrent);
    assert_eq!(
        j.job_process_details.processing_targets,
        Some(vec![g.clone()])
    );
    w.advance_minutes(1);
    let j = w.describe_job("j");
    assert!(j.is_concurrent);
    assert_eq!(
        j.job_process_details.processing_targets,
        Some(vec![g.clone()])
    );
    let listed = w
        .emu
        .read(|e, _| e.list_jobs(&ListJobsRequest::default()))
        .expect("list jobs");
    assert!(listed.jobs[0].is_concurrent);
}

#[test]
fn after_rollout_is_concurrent_is_false_and_processing_targets_absent() {
    // §11.33.
    let mut w = World::new();
    let (g, _) = fleet(&mut w, "fleet", "t", 3);
    w.create_job(rolled_out_job("j", &g, constant(1)));
    w.advance_minutes(2);
    let j = w.describe_job("j");
    assert_eq!(created(&mut w, "j"), 3);
    assert!(!j.is_concurrent);
    assert_eq!(j.job_process_details.processing_targets, None);
    assert_eq!(j.status, "IN_PROGRESS");
    let listed = w
        .emu
        .read(|e, _| e.list_jobs(&ListJobsRequest::default()))
        .expect("list jobs");
    assert!(!listed.jobs[0].is_concurrent);
}

#[test]
fn a_job_whose_targets_fit_in_one_minute_is_never_concurrent() {
    // §11.33: isConcurrent only while executions remain to be rolled out.
    let mut w = World::new();
    let (g, _) = fleet(&mut w, "fleet", "t", 3);
    w.job("j", &[&g]);
    let j = w.describe_job("j");
    assert!(!j.is_concurrent);
    assert_eq!(j.job_process_details.processing_targets, None);
}

#[test]
fn cancel_stops_the_rollout() {
    // §6.2 / §5.1: canceling a job stops its rollout; QUEUED executions become CANCELED.
    let mut w = World::new();
    let (g, _) = fleet(&mut w, "fleet", "t", 25);
    w.create_job(rolled_out_job("j", &g, constant(10)));
    w.advance_minutes(1);
    w.try_cancel_job("j", false).expect("cancel");
    w.advance_minutes(10);
    let j = w.describe_job("j");
    assert_eq!(j.status, "CANCELED");
    assert_eq!(counters(&j), [0, 0, 0, 0, 0, 0, 0, 20]);
    assert!(!j.is_concurrent);
    assert_eq!(j.job_process_details.processing_targets, None);
    assert_eq!(w.engine().armed_timers(), 0);
}

#[test]
fn continuous_late_joiners_are_not_throttled() {
    // §6.1: things joining a CONTINUOUS job's group later get their execution in near real time.
    let mut w = World::new();
    let (g, _) = fleet(&mut w, "fleet", "t", 5);
    w.create_job(continuous(rolled_out_job("j", &g, constant(1))));
    assert_eq!(created(&mut w, "j"), 1);
    w.advance_secs(10);
    w.thing("late");
    w.add_to_group("late", "fleet");
    assert_eq!(created(&mut w, "j"), 2);
    assert_eq!(w.exec_status("late", "j"), "QUEUED");
    let late = w.execution("late", "j");
    assert_eq!(late.queued_at, T0.plus_secs(10).secs_f64());
    // The initial rollout keeps its own pace.
    w.advance_secs(50);
    assert_eq!(created(&mut w, "j"), 3);
}

// ---------------------------------------------------------------- abort

#[test]
fn abort_waits_for_min_number_of_executed_things() {
    // §6.2: no check until minNumberOfExecutedThings executions reached an outcome.
    let mut w = World::new();
    let t = things(&mut w, &["a", "b", "c", "d"]);
    w.create_job(aborting("j", &arns(&t), vec![criterion("FAILED", 50.0, 3)]));
    run(&mut w, "a", "j", "FAILED");
    run(&mut w, "b", "j", "FAILED");
    // 100% failed, but only 2 executed.
    assert_eq!(w.describe_job("j").status, "IN_PROGRESS");
    run(&mut w, "c", "j", "SUCCEEDED");
    // 3 executed, 2 failed = 66.67% ≥ 50%.
    assert_eq!(w.describe_job("j").status, "CANCELED");
}

#[test]
fn abort_fires_at_exactly_the_threshold_percentage() {
    // §6.2: "≥ thresholdPercentage".
    let mut w = World::new();
    let t = things(&mut w, &["a", "b", "c"]);
    w.create_job(aborting("j", &arns(&t), vec![criterion("FAILED", 50.0, 2)]));
    run(&mut w, "a", "j", "SUCCEEDED");
    run(&mut w, "b", "j", "FAILED");
    assert_eq!(w.describe_job("j").status, "CANCELED");
}

#[test]
fn abort_does_not_fire_just_below_the_threshold() {
    // §6.2: 50% failed against a 50.01% threshold.
    let mut w = World::new();
    let t = things(&mut w, &["a", "b", "c"]);
    w.create_job(aborting(
        "j",
        &arns(&t),
        vec![criterion("FAILED", 50.01, 2)],
    ));
    run(&mut w, "a", "j", "SUCCEEDED");
    run(&mut w, "b", "j", "FAILED");
    let j = w.describe_job("j");
    assert_eq!(j.status, "IN_PROGRESS");
    assert_eq!(counters(&j), [1, 0, 1, 1, 0, 0, 0, 0]);
}

#[test]
fn abort_all_counts_failed_rejected_and_timed_out_together() {
    // §6.2: ALL = FAILED + REJECTED + TIMED_OUT (inferred).
    let mut w = World::new();
    let t = things(&mut w, &["a", "b", "c", "d", "e"]);
    w.create_job(CreateJobRequest {
        timeout_config: Some(timeout(1)),
        ..aborting("j", &arns(&t), vec![criterion("ALL", 75.0, 4)])
    });
    run(&mut w, "a", "j", "SUCCEEDED");
    run(&mut w, "b", "j", "FAILED");
    run(&mut w, "c", "j", "REJECTED");
    w.start_next("d");
    assert_eq!(w.describe_job("j").status, "IN_PROGRESS");
    w.advance_minutes(1);
    // d TIMED_OUT: 3 of 4 executed are failures = 75%.
    let j = w.describe_job("j");
    assert_eq!(w.exec_status("d", "j"), "TIMED_OUT");
    assert_eq!(j.status, "CANCELED");
    assert_eq!(counters(&j), [0, 0, 1, 1, 1, 1, 0, 1]);
}

#[test]
fn abort_of_one_failure_type_ignores_the_others() {
    // §6.2: a FAILED criterion counts only FAILED executions.
    let mut w = World::new();
    let t = things(&mut w, &["a", "b", "c"]);
    w.create_job(aborting("j", &arns(&t), vec![criterion("FAILED", 50.0, 2)]));
    run(&mut w, "a", "j", "REJECTED");
    run(&mut w, "b", "j", "REJECTED");
    assert_eq!(w.describe_job("j").status, "IN_PROGRESS");
}

#[test]
fn abort_cancels_only_queued_executions_and_in_progress_keep_running() {
    // §6.2: job CANCELED, only QUEUED executions canceled, IN_PROGRESS keep running.
    let mut w = World::new();
    let t = things(&mut w, &["a", "b", "c"]);
    w.create_job(aborting(
        "j",
        &arns(&t),
        vec![criterion("FAILED", 100.0, 1)],
    ));
    w.start_next("b");
    run(&mut w, "a", "j", "FAILED");
    let j = w.describe_job("j");
    assert_eq!(j.status, "CANCELED");
    assert!(!j.force_canceled);
    let b = w.execution("b", "j");
    assert_eq!(
        (b.status.as_str(), b.version_number, b.force_canceled),
        ("IN_PROGRESS", 2, false)
    );
    let c = w.execution("c", "j");
    assert_eq!((c.status.as_str(), c.version_number), ("CANCELED", 2));
    // The IN_PROGRESS execution can still be finished by its device.
    w.report("b", "j", "SUCCEEDED").expect("b finishes");
    assert_eq!(counters(&w.describe_job("j")), [0, 0, 1, 1, 0, 0, 0, 1]);
}

#[test]
fn abort_fills_reason_code_and_comment() {
    // §6.2, §12.4: the service fills reasonCode and comment (strings are jobrig's choice).
    let mut w = World::new();
    let t = things(&mut w, &["a", "b"]);
    w.create_job(aborting(
        "j",
        &arns(&t),
        vec![criterion("FAILED", 100.0, 1)],
    ));
    run(&mut w, "a", "j", "FAILED");
    let j = w.describe_job("j");
    assert_eq!(j.reason_code.as_deref(), Some("ABORT_CRITERIA_MET"));
    assert_eq!(
        j.comment.as_deref(),
        Some("Job aborted: 100% of 1 executed things reached FAILED (threshold 100%).")
    );
}

#[test]
fn abort_stops_the_rollout() {
    // §6.2: "rollout stops".
    let mut w = World::new();
    let (g, _) = fleet(&mut w, "fleet", "t", 5);
    w.create_job(CreateJobRequest {
        abort_config: Some(AbortConfig {
            criteria_list: Some(vec![criterion("FAILED", 100.0, 1)]),
        }),
        ..rolled_out_job("j", &g, constant(1))
    });
    run(&mut w, "t0000", "j", "FAILED");
    w.advance_minutes(10);
    let j = w.describe_job("j");
    assert_eq!(j.status, "CANCELED");
    assert_eq!(created(&mut w, "j"), 1);
    assert!(!j.is_concurrent);
}

#[test]
fn abort_drops_pending_retries() {
    // §6.2: "pending retries are dropped".
    let mut w = World::new();
    let t = things(&mut w, &["a", "b", "c"]);
    w.create_job(CreateJobRequest {
        job_executions_retry_config: Some(retry("FAILED", 1)),
        ..aborting("j", &arns(&t), vec![criterion("FAILED", 100.0, 2)])
    });
    run(&mut w, "a", "j", "FAILED");
    // a's retry is queued; one executed thing is below the minimum of 2.
    assert_eq!(w.exec_status("a", "j"), "QUEUED");
    run(&mut w, "b", "j", "FAILED");
    assert_eq!(w.describe_job("j").status, "CANCELED");
    assert_eq!(
        attempts(&mut w, "j", "a"),
        vec![(1, "FAILED".into(), 0), (2, "CANCELED".into(), 1)]
    );
    // b's failure came with the abort: no retry for it.
    assert_eq!(attempts(&mut w, "j", "b"), vec![(1, "FAILED".into(), 0)]);
    assert!(w.pending("a").queued.is_empty());
}

#[test]
fn abort_criteria_are_checked_in_order() {
    // §6.2: criteria are checked in order; the first one met cancels the job.
    for (rules, named) in [
        (
            vec![criterion("REJECTED", 50.0, 1), criterion("ALL", 50.0, 1)],
            "REJECTED",
        ),
        (
            vec![criterion("ALL", 50.0, 1), criterion("REJECTED", 50.0, 1)],
            "ALL",
        ),
    ] {
        let mut w = World::new();
        let t = things(&mut w, &["a", "b"]);
        w.create_job(aborting("j", &arns(&t), rules));
        run(&mut w, "a", "j", "REJECTED");
        let j = w.describe_job("j");
        assert_eq!(j.status, "CANCELED");
        assert_eq!(
            j.comment,
            Some(format!(
                "Job aborted: 100% of 1 executed things reached {named} (threshold 50%)."
            ))
        );
    }
}

#[test]
fn a_later_criterion_fires_when_an_earlier_one_is_not_met() {
    // §6.2: every criterion is checked, in order.
    let mut w = World::new();
    let t = things(&mut w, &["a", "b"]);
    w.create_job(aborting(
        "j",
        &arns(&t),
        vec![criterion("FAILED", 10.0, 1), criterion("REJECTED", 10.0, 1)],
    ));
    run(&mut w, "a", "j", "REJECTED");
    let j = w.describe_job("j");
    assert_eq!(j.status, "CANCELED");
    assert_eq!(
        j.comment.as_deref(),
        Some("Job aborted: 100% of 1 executed things reached REJECTED (threshold 10%).")
    );
}

#[test]
fn deleted_executions_do_not_count_for_abort() {
    // §6.2: "Deleting job executions changes the arithmetic".
    let mut w = World::new();
    let t = things(&mut w, &["a", "b", "c", "d"]);
    w.create_job(aborting("j", &arns(&t), vec![criterion("FAILED", 50.0, 2)]));
    run(&mut w, "a", "j", "FAILED");
    w.emu
        .call(|e, now| {
            e.delete_job_execution(
                now,
                DeleteJobExecutionRequest {
                    job_id: "j".into(),
                    thing_name: "a".into(),
                    execution_number: 1,
                    ..Default::default()
                },
            )
        })
        .expect("delete execution");
    // Without a's failure: 1 executed thing, below the minimum of 2.
    run(&mut w, "b", "j", "SUCCEEDED");
    assert_eq!(w.describe_job("j").status, "IN_PROGRESS");
    // b SUCCEEDED, c FAILED: 50%.
    run(&mut w, "c", "j", "FAILED");
    assert_eq!(w.describe_job("j").status, "CANCELED");
}

// ---------------------------------------------------------------- retries

#[test]
fn failed_2_retries_give_executions_1_2_3_with_retry_attempts_0_1_2() {
    // §11.56, §6.3, §5.6: each attempt is a new execution; counters count executions.
    let mut w = World::new();
    let a = w.thing("a");
    w.create_job(CreateJobRequest {
        job_executions_retry_config: Some(retry("FAILED", 2)),
        ..World::job_req("j", &[&a])
    });
    run(&mut w, "a", "j", "FAILED");
    assert_eq!(w.exec_status("a", "j"), "QUEUED");
    run(&mut w, "a", "j", "FAILED");
    run(&mut w, "a", "j", "FAILED");
    assert_eq!(
        attempts(&mut w, "j", "a"),
        vec![
            (1, "FAILED".into(), 0),
            (2, "FAILED".into(), 1),
            (3, "FAILED".into(), 2),
        ]
    );
    let j = w.describe_job("j");
    assert_eq!(j.job_process_details.number_of_failed_things, 3);
    assert_eq!(counters(&j), [0, 0, 0, 3, 0, 0, 0, 0]);
    assert_eq!(j.status, "COMPLETED");
    assert!(w.next("a").is_none());
}

#[test]
fn a_retry_is_queued_with_version_1_and_notified_to_the_device() {
    // §11.56: a new QUEUED execution (higher executionNumber) and a new notify.
    let mut w = World::new();
    let a = w.thing("a");
    w.create_job(CreateJobRequest {
        job_executions_retry_config: Some(retry("FAILED", 2)),
        ..World::job_req("j", &[&a])
    });
    w.start_next("a");
    w.messages();
    w.report("a", "j", "FAILED").expect("failed");
    let msgs = w.messages();
    let topics: Vec<&str> = msgs.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        topics,
        vec![
            "$aws/things/a/jobs/notify",
            "$aws/things/a/jobs/notify-next"
        ]
    );
    let queued = &msgs[0].1["jobs"]["QUEUED"];
    assert_eq!(queued.as_array().map(Vec::len), Some(1));
    assert_eq!(queued[0]["jobId"], "j");
    assert_eq!(queued[0]["executionNumber"], 2);
    assert_eq!(queued[0]["versionNumber"], 1);
    let next = &msgs[1].1["execution"];
    assert_eq!(next["status"], "QUEUED");
    assert_eq!(next["executionNumber"], 2);
    assert_eq!(next["versionNumber"], 1);
    let x = w.execution("a", "j");
    assert_eq!(
        (x.execution_number, x.version_number, x.started_at),
        (2, 1, None)
    );
}

#[test]
fn a_success_ends_the_retries_and_completes_the_snapshot_job() {
    // §6.3: retries stop on success; §5.1: a pending retry keeps the job IN_PROGRESS.
    let mut w = World::new();
    let a = w.thing("a");
    w.create_job(CreateJobRequest {
        job_executions_retry_config: Some(retry("FAILED", 5)),
        ..World::job_req("j", &[&a])
    });
    run(&mut w, "a", "j", "FAILED");
    assert_eq!(w.describe_job("j").status, "IN_PROGRESS");
    run(&mut w, "a", "j", "SUCCEEDED");
    assert_eq!(
        attempts(&mut w, "j", "a"),
        vec![(1, "FAILED".into(), 0), (2, "SUCCEEDED".into(), 1)]
    );
    assert_eq!(w.describe_job("j").status, "COMPLETED");
}

#[test]
fn timed_out_retries_never_trigger_without_a_timeout() {
    // §6.3: TIMED_OUT retries need a timeout (in-progress or step timer) to ever trigger.
    let mut w = World::new();
    let a = w.thing("a");
    w.create_job(CreateJobRequest {
        job_executions_retry_config: Some(retry("TIMED_OUT", 3)),
        ..World::job_req("j", &[&a])
    });
    w.start_next("a");
    w.advance_minutes(30 * 24 * 60);
    assert_eq!(
        attempts(&mut w, "j", "a"),
        vec![(1, "IN_PROGRESS".into(), 0)]
    );
    assert_eq!(w.engine().armed_timers(), 0);
}

#[test]
fn timed_out_execution_is_retried_after_its_in_progress_timer() {
    // §6.3: TIMED_OUT (service) with attempts left → a new attempt.
    let mut w = World::new();
    let a = w.thing("a");
    w.create_job(CreateJobRequest {
        job_executions_retry_config: Some(retry("TIMED_OUT", 1)),
        timeout_config: Some(timeout(5)),
        ..World::job_req("j", &[&a])
    });
    w.start_next("a");
    w.advance_minutes(5);
    assert_eq!(
        attempts(&mut w, "j", "a"),
        vec![(1, "TIMED_OUT".into(), 0), (2, "QUEUED".into(), 1)]
    );
    assert_eq!(
        w.execution("a", "j").queued_at,
        T0.plus_minutes(5).secs_f64()
    );
    w.start_next("a");
    w.advance_minutes(5);
    assert_eq!(
        attempts(&mut w, "j", "a"),
        vec![(1, "TIMED_OUT".into(), 0), (2, "TIMED_OUT".into(), 1)]
    );
    let j = w.describe_job("j");
    assert_eq!(j.job_process_details.number_of_timed_out_things, 2);
    assert_eq!(j.status, "COMPLETED");
}

#[test]
fn a_step_timer_timeout_is_retried_too() {
    // §6.3: "a timeout (in-progress or step timer)".
    let mut w = World::new();
    let a = w.thing("a");
    w.create_job(CreateJobRequest {
        job_executions_retry_config: Some(retry("TIMED_OUT", 1)),
        ..World::job_req("j", &[&a])
    });
    w.emu
        .call(|e, now| {
            e.start_next_pending_job_execution(
                now,
                "a",
                None,
                StartNextRequest {
                    step_timeout_in_minutes: Some(3),
                    ..Default::default()
                },
            )
        })
        .expect("start next");
    w.advance_minutes(3);
    assert_eq!(
        attempts(&mut w, "j", "a"),
        vec![(1, "TIMED_OUT".into(), 0), (2, "QUEUED".into(), 1)]
    );
}

#[test]
fn all_retries_share_one_budget_between_failed_and_timed_out() {
    // §6.3: ALL covers FAILED and TIMED_OUT with a single count.
    let mut w = World::new();
    let a = w.thing("a");
    w.create_job(CreateJobRequest {
        job_executions_retry_config: Some(retry("ALL", 2)),
        timeout_config: Some(timeout(5)),
        ..World::job_req("j", &[&a])
    });
    run(&mut w, "a", "j", "FAILED");
    w.start_next("a");
    w.advance_minutes(5);
    run(&mut w, "a", "j", "FAILED");
    assert_eq!(
        attempts(&mut w, "j", "a"),
        vec![
            (1, "FAILED".into(), 0),
            (2, "TIMED_OUT".into(), 1),
            (3, "FAILED".into(), 2),
        ]
    );
    assert_eq!(w.describe_job("j").status, "COMPLETED");
}

#[test]
fn failed_and_timed_out_retries_have_separate_budgets() {
    // §6.3: with two criteria each failure type spends its own retries.
    let mut w = World::new();
    let a = w.thing("a");
    w.create_job(CreateJobRequest {
        job_executions_retry_config: Some(JobExecutionsRetryConfig {
            criteria_list: Some(vec![
                RetryCriteria {
                    failure_type: Some("FAILED".into()),
                    number_of_retries: Some(1),
                },
                RetryCriteria {
                    failure_type: Some("TIMED_OUT".into()),
                    number_of_retries: Some(1),
                },
            ]),
        }),
        timeout_config: Some(timeout(5)),
        ..World::job_req("j", &[&a])
    });
    run(&mut w, "a", "j", "FAILED");
    w.start_next("a");
    w.advance_minutes(5);
    run(&mut w, "a", "j", "FAILED");
    assert_eq!(
        attempts(&mut w, "j", "a"),
        vec![
            (1, "FAILED".into(), 0),
            (2, "TIMED_OUT".into(), 1),
            (3, "FAILED".into(), 2),
        ]
    );
    assert_eq!(w.describe_job("j").status, "COMPLETED");
}

#[test]
fn rejected_is_never_retried() {
    // §6.3, §5.2: REJECTED is not retryable, even under ALL.
    let mut w = World::new();
    let a = w.thing("a");
    w.create_job(CreateJobRequest {
        job_executions_retry_config: Some(retry("ALL", 3)),
        ..World::job_req("j", &[&a])
    });
    run(&mut w, "a", "j", "REJECTED");
    assert_eq!(attempts(&mut w, "j", "a"), vec![(1, "REJECTED".into(), 0)]);
    assert_eq!(w.describe_job("j").status, "COMPLETED");
}

#[test]
fn no_retry_after_the_job_is_canceled() {
    // §6.3 / §6.2: a canceled job creates no more executions.
    let mut w = World::new();
    let a = w.thing("a");
    w.create_job(CreateJobRequest {
        job_executions_retry_config: Some(retry("FAILED", 2)),
        ..World::job_req("j", &[&a])
    });
    w.start_next("a");
    w.try_cancel_job("j", false).expect("cancel");
    w.report("a", "j", "FAILED")
        .expect("the device may still finish");
    assert_eq!(attempts(&mut w, "j", "a"), vec![(1, "FAILED".into(), 0)]);
    assert!(w.next("a").is_none());
}

#[test]
fn continuous_thing_that_left_its_group_is_not_retried() {
    // §6.3: for CONTINUOUS jobs, removal from the group cancels further retries.
    let mut w = World::new();
    let g = w.group("fleet", None);
    w.thing("a");
    w.add_to_group("a", "fleet");
    w.create_job(continuous(CreateJobRequest {
        job_executions_retry_config: Some(retry("FAILED", 2)),
        ..World::job_req("j", &[&g])
    }));
    w.start_next("a");
    w.remove_from_group("a", "fleet");
    assert_eq!(w.exec_status("a", "j"), "IN_PROGRESS");
    w.report("a", "j", "FAILED").expect("failed");
    assert_eq!(attempts(&mut w, "j", "a"), vec![(1, "FAILED".into(), 0)]);
}

#[test]
fn continuous_rejoin_resets_the_retry_attempt_counter() {
    // §6.3: a group-membership change resets the attempt counter to 0.
    let mut w = World::new();
    let g = w.group("fleet", None);
    w.thing("a");
    w.add_to_group("a", "fleet");
    w.create_job(continuous(CreateJobRequest {
        job_executions_retry_config: Some(retry("FAILED", 1)),
        ..World::job_req("j", &[&g])
    }));
    run(&mut w, "a", "j", "FAILED");
    run(&mut w, "a", "j", "FAILED");
    // Budget spent: nothing pending.
    assert!(w.next("a").is_none());
    w.remove_from_group("a", "fleet");
    w.add_to_group("a", "fleet");
    run(&mut w, "a", "j", "FAILED");
    run(&mut w, "a", "j", "FAILED");
    assert_eq!(
        attempts(&mut w, "j", "a"),
        vec![
            (1, "FAILED".into(), 0),
            (2, "FAILED".into(), 1),
            (3, "FAILED".into(), 0),
            (4, "FAILED".into(), 1),
        ]
    );
    assert!(w.next("a").is_none());
}

// ---------------------------------------------------------------- completion

#[test]
fn snapshot_job_completes_when_its_last_execution_becomes_terminal() {
    // §11.30: IN_PROGRESS after one SUCCEEDED, COMPLETED with completedAt after the other FAILED.
    let mut w = World::new();
    let t = things(&mut w, &["a", "b"]);
    w.job("j", &arns(&t));
    run(&mut w, "a", "j", "SUCCEEDED");
    let j = w.describe_job("j");
    assert_eq!((j.status.as_str(), j.completed_at), ("IN_PROGRESS", None));
    w.advance_minutes(3);
    run(&mut w, "b", "j", "FAILED");
    let j = w.describe_job("j");
    assert_eq!(j.status, "COMPLETED");
    assert_eq!(j.completed_at, Some(T0.plus_minutes(3).secs_f64()));
    assert_eq!(j.last_updated_at, T0.plus_minutes(3).secs_f64());
    assert_eq!(counters(&j), [0, 0, 1, 1, 0, 0, 0, 0]);
}

#[test]
fn snapshot_job_is_not_completed_while_its_rollout_is_unfinished() {
    // §5.1: "every execution is terminal" includes those the rollout has still to create.
    let mut w = World::new();
    let (g, _) = fleet(&mut w, "fleet", "t", 2);
    w.create_job(rolled_out_job("j", &g, constant(1)));
    run(&mut w, "t0000", "j", "SUCCEEDED");
    assert_eq!(w.describe_job("j").status, "IN_PROGRESS");
    w.advance_minutes(1);
    run(&mut w, "t0001", "j", "SUCCEEDED");
    let j = w.describe_job("j");
    assert_eq!(j.status, "COMPLETED");
    assert_eq!(j.completed_at, Some(T0.plus_minutes(1).secs_f64()));
}

#[test]
fn continuous_job_never_completes_on_its_own() {
    // §11.31: even when every current execution is terminal.
    let mut w = World::new();
    let g = w.group("fleet", None);
    for n in ["a", "b"] {
        w.thing(n);
        w.add_to_group(n, "fleet");
    }
    w.create_job(continuous(World::job_req("j", &[&g])));
    run(&mut w, "a", "j", "SUCCEEDED");
    run(&mut w, "b", "j", "FAILED");
    w.advance_minutes(365 * 24 * 60);
    let j = w.describe_job("j");
    assert_eq!((j.status.as_str(), j.completed_at), ("IN_PROGRESS", None));
    assert_eq!(counters(&j), [0, 0, 1, 1, 0, 0, 0, 0]);
}
