//! Scheduling: startTime, endTime with each endBehavior, the concurrency limit at start, and
//! maintenance windows, all on the virtual clock (spec §5.1, §6.5, §11.77, §11.79).

use super::support::*;
use crate::clock::VIRTUAL_EPOCH;
use crate::engine::config::*;
use crate::engine::cron::format_date_time;
use crate::engine::*;

/// Virtual time zero: 2026-01-01T00:00:00Z, a Thursday.
const T0: Timestamp = VIRTUAL_EPOCH;

const DAY: i64 = 24 * 60;

/// Every day at 02:00 UTC, for an hour.
const NIGHTLY: &str = "cron(0 2 ? * * *)";

// ---------------------------------------------------------------- helpers

/// `YYYY-MM-DDTHH:MM`, `minutes` after T0.
fn time_at(minutes: i64) -> String {
    format_date_time(T0.plus_minutes(minutes))
}

/// Moves the clock to `T0 + minutes`.
fn to(w: &mut World, minutes: i64) {
    let delta = T0.plus_minutes(minutes).millis() - w.now().millis();
    assert!(delta >= 0, "the clock cannot go back");
    w.emu.advance_ms(delta).expect("advance");
}

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

fn scheduled(req: CreateJobRequest, scheduling: SchedulingConfig) -> CreateJobRequest {
    CreateJobRequest {
        scheduling_config: Some(scheduling),
        ..req
    }
}

fn at_rate(req: CreateJobRequest, max: i64) -> CreateJobRequest {
    CreateJobRequest {
        job_executions_rollout_config: Some(JobExecutionsRolloutConfig {
            maximum_per_minute: Some(max),
            exponential_rate: None,
        }),
        ..req
    }
}

fn continuous(req: CreateJobRequest) -> CreateJobRequest {
    CreateJobRequest {
        target_selection: Some("CONTINUOUS".into()),
        ..req
    }
}

fn start_at(minutes: i64) -> SchedulingConfig {
    SchedulingConfig {
        start_time: Some(time_at(minutes)),
        ..Default::default()
    }
}

fn end_at(minutes: i64, behavior: &str) -> SchedulingConfig {
    SchedulingConfig {
        end_time: Some(time_at(minutes)),
        end_behavior: Some(behavior.into()),
        ..Default::default()
    }
}

fn windows(cron: &str, duration: i64) -> SchedulingConfig {
    SchedulingConfig {
        maintenance_windows: Some(vec![MaintenanceWindow {
            start_time: Some(cron.into()),
            duration_in_minutes: Some(duration),
        }]),
        ..Default::default()
    }
}

/// A CONTINUOUS job `j` over `group_arn` with the nightly 60-minute window.
fn nightly_job(group_arn: &str) -> CreateJobRequest {
    continuous(scheduled(
        World::job_req("j", &[group_arn]),
        windows(NIGHTLY, 60),
    ))
}

/// All executions of a job ever created (every status), from its counters.
fn created(w: &mut World, id: &str) -> u64 {
    counters(&w.describe_job(id)).iter().sum()
}

fn executions(w: &mut World, job: &str) -> Vec<JobExecutionSummaryForJob> {
    w.emu
        .read(|e, _| {
            e.list_job_executions_for_job(&ListJobExecutionsForJobRequest {
                job_id: job.into(),
                max_results: Some(250),
                ..Default::default()
            })
        })
        .expect("list executions")
        .execution_summaries
}

/// How many executions of `job` were queued at `T0 + m` for each `m` in `minutes`.
fn queued_at(w: &mut World, job: &str, minutes: impl IntoIterator<Item = i64>) -> Vec<usize> {
    let all = executions(w, job);
    minutes
        .into_iter()
        .map(|m| {
            let at = T0.plus_minutes(m).secs_f64();
            all.iter()
                .filter(|s| s.job_execution_summary.queued_at == at)
                .count()
        })
        .collect()
}

/// The device starts its next pending execution and reports `status` on it.
fn run(w: &mut World, thing: &str, job: &str, status: &str) {
    w.start_next(thing).expect("something pending");
    w.report(thing, job, status).expect("report");
}

fn rollouts(j: &JobView) -> Vec<String> {
    j.scheduled_job_rollouts
        .iter()
        .map(|r| r.start_time.clone())
        .collect()
}

// ---------------------------------------------------------------- startTime

#[test]
fn start_time_less_than_30_minutes_ahead_is_rejected() {
    // §11.77, §6.5: startTime ≥ now + 30 min.
    let mut w = World::new();
    let t = w.thing("t");
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.create_job(now, scheduled(World::job_req("j", &[&t]), start_at(10)))
    });
    assert_eq!(
        err.message,
        "The startTime must be at least 30 minutes and at most 1 year after the current time."
    );
}

#[test]
fn job_with_a_start_time_is_scheduled_with_no_executions_until_then() {
    // §11.77: startTime = now + 2 h → SCHEDULED, no executions until then.
    let mut w = World::new();
    let t = w.thing("t");
    w.create_job(scheduled(World::job_req("j", &[&t]), start_at(120)));
    let j = w.describe_job("j");
    assert_eq!(j.status, "SCHEDULED");
    assert_eq!(counters(&j), [0; 8]);
    assert!(!j.is_concurrent);
    assert_eq!(j.scheduling_config.start_time, Some(time_at(120)));
    w.emu.advance_ms(120 * 60_000 - 1).expect("advance");
    assert_eq!(w.describe_job("j").status, "SCHEDULED");
    assert!(executions(&mut w, "j").is_empty());
    assert_eq!(w.pending("t"), PendingExecutions::default());
    assert!(w.start_next("t").is_none());
    assert!(w.topics().is_empty());
}

#[test]
fn scheduled_job_starts_and_rolls_out_at_start_time_exactly() {
    // §11.77, §5.1: at startTime → IN_PROGRESS and the rollout begins.
    let mut w = World::new();
    let (g, names) = fleet(&mut w, "fleet", "t", 3);
    w.create_job(scheduled(
        at_rate(World::job_req("j", &[&g]), 2),
        start_at(120),
    ));
    to(&mut w, 119);
    w.messages();
    to(&mut w, 120);
    let j = w.describe_job("j");
    assert_eq!(j.status, "IN_PROGRESS");
    assert_eq!(j.last_updated_at, T0.plus_minutes(120).secs_f64());
    assert!(j.is_concurrent);
    assert_eq!(created(&mut w, "j"), 2);
    // The first two devices are notified at startTime.
    let notified: Vec<String> = w
        .messages()
        .into_iter()
        .filter(|(t, _)| t.ends_with("/jobs/notify-next"))
        .map(|(t, p)| {
            assert_eq!(p["timestamp"], T0.plus_minutes(120).secs());
            t
        })
        .collect();
    assert_eq!(
        notified,
        vec![
            format!("$aws/things/{}/jobs/notify-next", names[0]),
            format!("$aws/things/{}/jobs/notify-next", names[1]),
        ]
    );
    to(&mut w, 121);
    assert_eq!(queued_at(&mut w, "j", [120, 121]), vec![2, 1]);
    assert!(!w.describe_job("j").is_concurrent);
}

// ---------------------------------------------------------------- endTime

/// 32 things at 1 per minute with endTime at T0 + 30 min: 30 executions before the end.
fn stop_rollout_world() -> (World, Vec<String>) {
    let mut w = World::new();
    let (g, names) = fleet(&mut w, "fleet", "t", 32);
    w.create_job(scheduled(
        at_rate(World::job_req("j", &[&g]), 1),
        end_at(30, "STOP_ROLLOUT"),
    ));
    (w, names)
}

#[test]
fn end_time_stop_rollout_creates_no_more_executions() {
    // §6.5: STOP_ROLLOUT stops creating executions at endTime.
    let (mut w, _) = stop_rollout_world();
    to(&mut w, 29);
    assert_eq!(created(&mut w, "j"), 30);
    assert!(w.describe_job("j").is_concurrent);
    to(&mut w, 30);
    let j = w.describe_job("j");
    assert_eq!(j.status, "IN_PROGRESS");
    assert!(!j.is_concurrent);
    assert_eq!(j.job_process_details.processing_targets, None);
    to(&mut w, 120);
    assert_eq!(created(&mut w, "j"), 30);
    assert_eq!(w.engine().armed_timers(), 0);
}

#[test]
fn end_time_stop_rollout_lets_existing_executions_continue() {
    // §6.5: STOP_ROLLOUT — existing executions continue (inferred).
    let (mut w, names) = stop_rollout_world();
    w.start_next(&names[0]);
    to(&mut w, 31);
    assert_eq!(w.exec_status(&names[0], "j"), "IN_PROGRESS");
    assert_eq!(w.exec_status(&names[1], "j"), "QUEUED");
    w.report(&names[0], "j", "SUCCEEDED")
        .expect("in-progress continues");
    run(&mut w, &names[1], "j", "SUCCEEDED");
    let j = w.describe_job("j");
    assert_eq!(j.status, "IN_PROGRESS");
    assert_eq!(counters(&j), [28, 0, 2, 0, 0, 0, 0, 0]);
}

#[test]
fn end_time_stop_rollout_job_completes_when_all_executions_are_terminal() {
    // §6.5 + §5.1: the stopped job completes once every created execution is terminal.
    let (mut w, names) = stop_rollout_world();
    to(&mut w, 40);
    for n in &names[..29] {
        run(&mut w, n, "j", "SUCCEEDED");
    }
    assert_eq!(w.describe_job("j").status, "IN_PROGRESS");
    to(&mut w, 45);
    run(&mut w, &names[29], "j", "FAILED");
    let j = w.describe_job("j");
    assert_eq!(j.status, "COMPLETED");
    assert_eq!(j.completed_at, Some(T0.plus_minutes(45).secs_f64()));
    assert_eq!(counters(&j), [0, 0, 29, 1, 0, 0, 0, 0]);
}

#[test]
fn end_time_cancel_cancels_queued_executions_and_keeps_in_progress_ones() {
    // §6.5: CANCEL = like CancelJob: QUEUED executions canceled (inferred).
    let mut w = World::new();
    let t: Vec<String> = ["a", "b", "c"].iter().map(|n| w.thing(n)).collect();
    let targets: Vec<&str> = t.iter().map(String::as_str).collect();
    w.create_job(scheduled(
        World::job_req("j", &targets),
        end_at(30, "CANCEL"),
    ));
    w.start_next("a");
    to(&mut w, 29);
    assert_eq!(w.describe_job("j").status, "IN_PROGRESS");
    to(&mut w, 30);
    let j = w.describe_job("j");
    assert_eq!(j.status, "CANCELED");
    assert!(!j.force_canceled);
    assert_eq!(j.reason_code.as_deref(), Some("SCHEDULED_END_TIME_REACHED"));
    assert_eq!(
        j.comment.as_deref(),
        Some("The job reached the end time of its scheduling configuration.")
    );
    let a = w.execution("a", "j");
    assert_eq!((a.status.as_str(), a.version_number), ("IN_PROGRESS", 2));
    let b = w.execution("b", "j");
    assert_eq!((b.status.as_str(), b.version_number), ("CANCELED", 2));
    assert_eq!(counters(&j), [0, 1, 0, 0, 0, 0, 0, 2]);
    w.report("a", "j", "SUCCEEDED").expect("a may finish");
}

#[test]
fn end_time_force_cancel_cancels_in_progress_executions_too() {
    // §6.5: FORCE_CANCEL = like CancelJob force: IN_PROGRESS canceled too (inferred).
    let mut w = World::new();
    let t: Vec<String> = ["a", "b"].iter().map(|n| w.thing(n)).collect();
    let targets: Vec<&str> = t.iter().map(String::as_str).collect();
    w.create_job(scheduled(
        World::job_req("j", &targets),
        end_at(30, "FORCE_CANCEL"),
    ));
    w.start_next("a");
    to(&mut w, 30);
    let j = w.describe_job("j");
    assert_eq!(j.status, "CANCELED");
    assert!(j.force_canceled);
    assert_eq!(j.reason_code.as_deref(), Some("SCHEDULED_END_TIME_REACHED"));
    let a = w.execution("a", "j");
    assert_eq!(
        (a.status.as_str(), a.version_number, a.force_canceled),
        ("CANCELED", 3, true)
    );
    let b = w.execution("b", "j");
    assert_eq!((b.status.as_str(), b.force_canceled), ("CANCELED", false));
    assert_eq!(counters(&j), [0, 0, 0, 0, 0, 0, 0, 2]);
    let err = w
        .report("a", "j", "SUCCEEDED")
        .expect_err("the device cannot finish");
    assert_eq!(err.kind, ErrorKind::TerminalStateReached);
}

#[test]
fn continuous_job_with_end_time_stop_rollout_completes_at_the_end() {
    // §5.1: CONTINUOUS jobs with scheduling can finish at endTime; late joiners get nothing.
    let mut w = World::new();
    let (g, names) = fleet(&mut w, "fleet", "t", 1);
    w.create_job(continuous(scheduled(
        World::job_req("j", &[&g]),
        end_at(30, "STOP_ROLLOUT"),
    )));
    run(&mut w, &names[0], "j", "SUCCEEDED");
    to(&mut w, 29);
    assert_eq!(w.describe_job("j").status, "IN_PROGRESS");
    to(&mut w, 30);
    let j = w.describe_job("j");
    assert_eq!(j.status, "COMPLETED");
    assert_eq!(j.completed_at, Some(T0.plus_minutes(30).secs_f64()));
    w.thing("late");
    w.add_to_group("late", "fleet");
    assert_eq!(created(&mut w, "j"), 1);
}

// ---------------------------------------------------------------- concurrency limit

/// `busy`: n things at 1 per minute, started now; `late`: one thing, scheduled for T0 + 30 min.
fn concurrency_world(busy_things: usize) -> World {
    let mut w = World::with_config(EngineConfig {
        max_concurrent_jobs: 1,
        ..Default::default()
    });
    let (g, _) = fleet(&mut w, "fleet", "t", busy_things);
    w.create_job(at_rate(World::job_req("busy", &[&g]), 1));
    let x = w.thing("x");
    w.create_job(scheduled(World::job_req("late", &[&x]), start_at(30)));
    w
}

#[test]
fn scheduled_job_starting_at_the_concurrency_limit_is_canceled() {
    // §5.1, §6.5: at startTime with the account at its job-concurrency limit → CANCELED.
    let mut w = concurrency_world(40);
    to(&mut w, 30);
    assert!(w.describe_job("busy").is_concurrent);
    let j = w.describe_job("late");
    assert_eq!(j.status, "CANCELED");
    assert!(!j.force_canceled);
    assert_eq!(j.reason_code.as_deref(), Some("CONCURRENCY_LIMIT_EXCEEDED"));
    assert_eq!(
        j.comment.as_deref(),
        Some(
            "The job was canceled at its start time because the account was at its job concurrency limit."
        )
    );
    assert_eq!(counters(&j), [0; 8]);
    assert!(w.pending("x").queued.is_empty());
}

#[test]
fn scheduled_job_starts_when_the_account_is_below_its_concurrency_limit() {
    // §5.1: the same job starts normally once the other job has finished rolling out.
    let mut w = concurrency_world(20);
    to(&mut w, 30);
    assert!(!w.describe_job("busy").is_concurrent);
    let j = w.describe_job("late");
    assert_eq!(j.status, "IN_PROGRESS");
    assert_eq!(w.exec_status("x", "late"), "QUEUED");
}

// ---------------------------------------------------------------- maintenance windows

#[test]
fn job_with_maintenance_windows_is_scheduled_outside_a_window() {
    // §6.5, §5.1: rollout only inside windows; outside one the job is SCHEDULED.
    let mut w = World::new();
    let (g, _) = fleet(&mut w, "fleet", "t", 3);
    w.create_job(nightly_job(&g));
    let j = w.describe_job("j");
    assert_eq!(j.status, "SCHEDULED");
    assert_eq!(counters(&j), [0; 8]);
    to(&mut w, 119);
    assert_eq!(w.describe_job("j").status, "SCHEDULED");
    assert_eq!(created(&mut w, "j"), 0);
}

#[test]
fn job_with_maintenance_windows_rolls_out_when_the_window_opens() {
    // §5.1: SCHEDULED → IN_PROGRESS at the start of the next window; rollout begins.
    let mut w = World::new();
    let (g, _) = fleet(&mut w, "fleet", "t", 3);
    w.create_job(nightly_job(&g));
    to(&mut w, 120);
    let j = w.describe_job("j");
    assert_eq!(j.status, "IN_PROGRESS");
    assert_eq!(counters(&j), [3, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(queued_at(&mut w, "j", [120]), vec![3]);
}

#[test]
fn a_job_created_inside_a_window_rolls_out_at_once() {
    // §6.5: inside a window the job is IN_PROGRESS.
    let mut w = World::new();
    let (g, _) = fleet(&mut w, "fleet", "t", 3);
    to(&mut w, 150);
    w.create_job(nightly_job(&g));
    let j = w.describe_job("j");
    assert_eq!(j.status, "IN_PROGRESS");
    assert_eq!(counters(&j), [3, 0, 0, 0, 0, 0, 0, 0]);
    to(&mut w, 180);
    assert_eq!(w.describe_job("j").status, "SCHEDULED");
}

#[test]
fn job_alternates_between_in_progress_and_scheduled_at_window_boundaries() {
    // §5.1: IN_PROGRESS → SCHEDULED when the window ends; back at the next window.
    let mut w = World::new();
    let (g, _) = fleet(&mut w, "fleet", "t", 1);
    w.create_job(nightly_job(&g));
    let mut seen = Vec::new();
    for m in [
        119,
        120,
        179,
        180,
        DAY + 119,
        DAY + 120,
        DAY + 179,
        DAY + 180,
    ] {
        to(&mut w, m);
        seen.push(w.describe_job("j").status);
    }
    assert_eq!(
        seen,
        [
            "SCHEDULED",
            "IN_PROGRESS",
            "IN_PROGRESS",
            "SCHEDULED",
            "SCHEDULED",
            "IN_PROGRESS",
            "IN_PROGRESS",
            "SCHEDULED"
        ]
    );
}

#[test]
fn an_unfinished_rollout_continues_in_the_next_window() {
    // §6.5: rollout happens only inside windows and resumes in the next one.
    let mut w = World::new();
    let (g, _) = fleet(&mut w, "fleet", "t", 70);
    w.create_job(at_rate(nightly_job(&g), 1));
    to(&mut w, 180);
    assert_eq!(created(&mut w, "j"), 60);
    assert_eq!(queued_at(&mut w, "j", [120, 179, 180]), vec![1, 1, 0]);
    to(&mut w, DAY + 119);
    assert_eq!(created(&mut w, "j"), 60);
    to(&mut w, DAY + 180);
    assert_eq!(created(&mut w, "j"), 70);
    assert_eq!(
        queued_at(&mut w, "j", (DAY + 120)..(DAY + 131)),
        vec![1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]
    );
}

#[test]
fn executions_of_a_scheduled_job_are_hidden_from_the_device() {
    // §6.5: executions of SCHEDULED jobs are filtered out of GetPendingJobExecutions.
    let mut w = World::new();
    let (g, names) = fleet(&mut w, "fleet", "t", 1);
    let t = names[0].as_str();
    w.create_job(nightly_job(&g));
    to(&mut w, 120);
    assert_eq!(w.pending(t).queued.len(), 1);
    to(&mut w, 180);
    assert_eq!(w.exec_status(t, "j"), "QUEUED");
    assert_eq!(w.pending(t), PendingExecutions::default());
    assert!(w.next(t).is_none());
    assert!(w.start_next(t).is_none());
    assert_eq!(w.exec_status(t, "j"), "QUEUED");
    to(&mut w, DAY + 120);
    let pending = w.pending(t);
    assert_eq!(pending.queued.len(), 1);
    assert_eq!(&*pending.queued[0].job_id, "j");
    assert_eq!(pending.queued[0].execution_number, 1);
}

#[test]
fn an_in_progress_execution_stays_visible_to_its_device_when_the_window_closes() {
    // §6.5 filters executions of SCHEDULED jobs; choice (docs/fidelity.md): only QUEUED ones, so a
    // device mid-job can still describe and resume its execution between windows.
    let mut w = World::new();
    let (g, names) = fleet(&mut w, "fleet", "t", 1);
    let t = names[0].as_str();
    w.create_job(nightly_job(&g));
    to(&mut w, 120);
    assert_eq!(
        w.start_next(t).expect("started").status,
        ExecStatus::InProgress
    );
    to(&mut w, 180);
    assert_eq!(w.describe_job("j").status, "SCHEDULED");
    let pending = w.pending(t);
    assert_eq!(pending.in_progress.len(), 1);
    assert_eq!(&*pending.in_progress[0].job_id, "j");
    assert_eq!(&*w.next(t).expect("still next").job_id, "j");
    w.report(t, "j", "SUCCEEDED")
        .expect("the device can finish it");
    assert_eq!(w.exec_status(t, "j"), "SUCCEEDED");
}

#[test]
fn scheduled_job_rollouts_lists_the_next_seven_window_starts() {
    // §11.79, §6.5: the next seven starts, formatted YYYY-MM-DDTHH:MM (UTC).
    let mut w = World::new();
    let (g, _) = fleet(&mut w, "fleet", "t", 1);
    w.create_job(nightly_job(&g));
    let expected: Vec<String> = (1..=7).map(|d| format!("2026-01-0{d}T02:00")).collect();
    assert_eq!(rollouts(&w.describe_job("j")), expected);
    to(&mut w, 4 * 60);
    let expected: Vec<String> = (2..=8).map(|d| format!("2026-01-0{d}T02:00")).collect();
    assert_eq!(rollouts(&w.describe_job("j")), expected);
}

#[test]
fn scheduled_job_rollouts_follow_a_weekly_cron_across_months() {
    // §11.79: `cron(0 2 ? * MON *)` → the next seven Mondays (2026-01-05 is the first).
    let mut w = World::new();
    let (g, _) = fleet(&mut w, "fleet", "t", 1);
    w.create_job(continuous(scheduled(
        World::job_req("j", &[&g]),
        windows("cron(0 2 ? * MON *)", 60),
    )));
    assert_eq!(
        rollouts(&w.describe_job("j")),
        [
            "2026-01-05T02:00",
            "2026-01-12T02:00",
            "2026-01-19T02:00",
            "2026-01-26T02:00",
            "2026-02-02T02:00",
            "2026-02-09T02:00",
            "2026-02-16T02:00"
        ]
    );
}

#[test]
fn a_job_without_maintenance_windows_has_no_scheduled_job_rollouts() {
    // §6.5: scheduledJobRollouts belongs to jobs with maintenance windows.
    let mut w = World::new();
    let t = w.thing("t");
    w.create_job(scheduled(World::job_req("j", &[&t]), start_at(60)));
    assert!(w.describe_job("j").scheduled_job_rollouts.is_empty());
}

#[test]
fn a_thing_joining_outside_a_window_waits_for_the_next_window() {
    // §6.5: rollout only inside windows — a later join too.
    let mut w = World::new();
    let (g, _) = fleet(&mut w, "fleet", "t", 1);
    w.create_job(nightly_job(&g));
    to(&mut w, 4 * 60);
    w.thing("late");
    w.add_to_group("late", "fleet");
    assert_eq!(created(&mut w, "j"), 1);
    to(&mut w, DAY + 119);
    assert_eq!(created(&mut w, "j"), 1);
    to(&mut w, DAY + 120);
    let x = w.execution("late", "j");
    assert_eq!(x.status, "QUEUED");
    assert_eq!(x.queued_at, T0.plus_minutes(DAY + 120).secs_f64());
    assert_eq!(w.pending("late").queued.len(), 1);
}

#[test]
fn a_thing_joining_inside_a_window_gets_its_execution_at_once() {
    // §6.1 / §6.5: inside a window, late joiners get their execution in near real time.
    let mut w = World::new();
    let (g, _) = fleet(&mut w, "fleet", "t", 1);
    w.create_job(nightly_job(&g));
    to(&mut w, 150);
    w.thing("late");
    w.add_to_group("late", "fleet");
    let x = w.execution("late", "j");
    assert_eq!(x.status, "QUEUED");
    assert_eq!(x.queued_at, T0.plus_minutes(150).secs_f64());
}

#[test]
fn a_window_spanning_midnight_is_open_across_the_day_change() {
    // §6.5: a window is [start, start + duration), whatever the date.
    let mut w = World::new();
    let (g, _) = fleet(&mut w, "fleet", "t", 1);
    // The window that opened on 2025-12-31 at 23:30 is still open at 00:00.
    w.create_job(continuous(scheduled(
        World::job_req("j", &[&g]),
        windows("cron(30 23 ? * * *)", 60),
    )));
    assert_eq!(w.describe_job("j").status, "IN_PROGRESS");
    assert_eq!(created(&mut w, "j"), 1);
    to(&mut w, 29);
    assert_eq!(w.describe_job("j").status, "IN_PROGRESS");
    to(&mut w, 30);
    assert_eq!(w.describe_job("j").status, "SCHEDULED");
    to(&mut w, 23 * 60 + 30);
    assert_eq!(w.describe_job("j").status, "IN_PROGRESS");
}

/// Two windows every night: 02:00 for 60 minutes and 02:30 for 60 minutes.
fn overlapping() -> SchedulingConfig {
    SchedulingConfig {
        maintenance_windows: Some(vec![
            MaintenanceWindow {
                start_time: Some(NIGHTLY.into()),
                duration_in_minutes: Some(60),
            },
            MaintenanceWindow {
                start_time: Some("cron(30 2 ? * * *)".into()),
                duration_in_minutes: Some(60),
            },
        ]),
        ..Default::default()
    }
}

#[test]
fn overlapping_windows_keep_the_job_in_progress_until_the_last_one_closes() {
    // §6.5: the job returns to SCHEDULED only when no window is open.
    let mut w = World::new();
    let (g, _) = fleet(&mut w, "fleet", "t", 1);
    w.create_job(continuous(scheduled(
        World::job_req("j", &[&g]),
        overlapping(),
    )));
    let mut seen = Vec::new();
    for m in [119, 120, 180, 209, 210] {
        to(&mut w, m);
        seen.push(w.describe_job("j").status);
    }
    assert_eq!(
        seen,
        [
            "SCHEDULED",
            "IN_PROGRESS",
            "IN_PROGRESS",
            "IN_PROGRESS",
            "SCHEDULED"
        ]
    );
}

#[test]
fn scheduled_job_rollouts_merge_several_windows_in_time_order() {
    // §11.79: seven starts in all, across every window of the job.
    let mut w = World::new();
    let (g, _) = fleet(&mut w, "fleet", "t", 1);
    w.create_job(continuous(scheduled(
        World::job_req("j", &[&g]),
        overlapping(),
    )));
    assert_eq!(
        rollouts(&w.describe_job("j")),
        [
            "2026-01-01T02:00",
            "2026-01-01T02:30",
            "2026-01-02T02:00",
            "2026-01-02T02:30",
            "2026-01-03T02:00",
            "2026-01-03T02:30",
            "2026-01-04T02:00"
        ]
    );
}

#[test]
fn force_deleting_a_job_between_windows_tells_the_device_nothing_new() {
    // §4.5 notify-next only when the head the device sees changes; the QUEUED execution of a job
    // waiting between windows is already hidden (§6.5), so deleting that job changes nothing the
    // device sees. (Found by the notify-next property test: deletion made it visible for a moment.)
    let mut w = World::new();
    let (g, names) = fleet(&mut w, "fleet", "t", 1);
    let t = names[0].as_str();
    w.create_job(nightly_job(&g));
    to(&mut w, 120);
    assert_eq!(w.pending(t).queued.len(), 1);
    to(&mut w, 180);
    assert_eq!(w.describe_job("j").status, "SCHEDULED");
    assert_eq!(w.pending(t), PendingExecutions::default());
    w.messages();
    w.try_delete_job("j", true).expect("force delete");
    let device_topics: Vec<String> = w
        .topics()
        .into_iter()
        .filter(|topic| topic.starts_with("$aws/things/"))
        .collect();
    assert!(device_topics.is_empty(), "{device_topics:?}");
}
