//! The built-in scenarios `cargo run` executes until the Gherkin suite lands: each drives the
//! embedded emulator on its virtual clock and checks what AWS IoT Jobs would do.

use std::process::ExitCode;

use crate::emulator::Emulator;
use crate::engine::config::*;
use crate::engine::*;

type Check = Result<String, String>;

/// A named scenario: what it proves, and the function that runs it.
pub type Scenario = (&'static str, fn() -> Check);

fn thing(emu: &mut Emulator, name: &str) -> Result<String, EngineError> {
    emu.call(|e, now| {
        e.create_thing(
            now,
            CreateThingRequest {
                thing_name: name.into(),
                ..Default::default()
            },
        )
    })
    .map(|r| r.thing_arn)
}

fn job(
    emu: &mut Emulator,
    id: &str,
    target: &str,
    f: impl FnOnce(&mut CreateJobRequest),
) -> Result<(), EngineError> {
    let mut req = CreateJobRequest {
        job_id: id.into(),
        targets: Some(vec![target.into()]),
        document: Some(r#"{"operation":"jobrig-test"}"#.into()),
        ..Default::default()
    };
    f(&mut req);
    emu.call(|e, now| e.create_job(now, req)).map(|_| ())
}

fn status(emu: &mut Emulator, thing: &str, job: &str) -> Result<String, EngineError> {
    emu.read(|e, now| e.describe_job_execution(now, thing, job, None))
        .map(|r| r.execution.status)
}

fn err(e: EngineError) -> String {
    e.to_string()
}

/// A 7-day in-progress timeout fires after 7 days of emulator time.
fn seven_day_timeout() -> Check {
    let mut emu = Emulator::virtual_default();
    let arn = thing(&mut emu, "dev").map_err(err)?;
    job(&mut emu, "week", &arn, |r| {
        r.timeout_config = Some(TimeoutConfig {
            in_progress_timeout_in_minutes: Some(10_080),
        })
    })
    .map_err(err)?;
    emu.call(|e, now| e.start_next_pending_job_execution(now, "dev", None, Default::default()))
        .map_err(err)?;
    emu.advance_minutes(10_079).map_err(|e| e.to_string())?;
    let before = status(&mut emu, "dev", "week").map_err(err)?;
    emu.advance_minutes(1).map_err(|e| e.to_string())?;
    let after = status(&mut emu, "dev", "week").map_err(err)?;
    if before == "IN_PROGRESS" && after == "TIMED_OUT" {
        Ok("IN_PROGRESS after 10079 min, TIMED_OUT at 10080 min".into())
    } else {
        Err(format!("saw {before} then {after}"))
    }
}

/// FAILED with two retries: three executions, numbers 1, 2, 3.
fn retries_create_new_executions() -> Check {
    let mut emu = Emulator::virtual_default();
    let arn = thing(&mut emu, "dev").map_err(err)?;
    job(&mut emu, "retry", &arn, |r| {
        r.job_executions_retry_config = Some(JobExecutionsRetryConfig {
            criteria_list: Some(vec![RetryCriteria {
                failure_type: Some("FAILED".into()),
                number_of_retries: Some(2),
            }]),
        })
    })
    .map_err(err)?;
    let mut numbers = Vec::new();
    for _ in 0..4 {
        let Some(x) = emu
            .call(|e, now| e.start_next_pending_job_execution(now, "dev", None, Default::default()))
            .map_err(err)?
        else {
            break;
        };
        numbers.push(x.execution_number);
        emu.call(|e, now| {
            e.update_job_execution(
                now,
                "dev",
                "retry",
                None,
                UpdateExecutionRequest {
                    status: Some("FAILED".into()),
                    ..Default::default()
                },
            )
        })
        .map_err(err)?;
    }
    let job = emu
        .read(|e, now| e.describe_job(now, "retry"))
        .map_err(err)?
        .job;
    if numbers == [1, 2, 3]
        && job.job_process_details.number_of_failed_things == 3
        && job.status == "COMPLETED"
    {
        Ok("executions 1, 2, 3 FAILED; job COMPLETED with numberOfFailedThings 3".into())
    } else {
        Err(format!("numbers {numbers:?}, job {job:?}"))
    }
}

/// Worked example step 1–2 of spec §4.5: notify + notify-next, then notify only.
fn notifications_follow_the_pending_set() -> Check {
    let mut emu = Emulator::virtual_default();
    let arn = thing(&mut emu, "dev").map_err(err)?;
    emu.take_effects();
    job(&mut emu, "job1", &arn, |_| {}).map_err(err)?;
    let first: Vec<String> = emu
        .take_effects()
        .into_iter()
        .filter_map(|(_, fx)| fx.mqtt_topic())
        .collect();
    job(&mut emu, "job2", &arn, |_| {}).map_err(err)?;
    let second: Vec<String> = emu
        .take_effects()
        .into_iter()
        .filter_map(|(_, fx)| fx.mqtt_topic())
        .collect();
    let expect_first = [
        "$aws/things/dev/jobs/notify",
        "$aws/things/dev/jobs/notify-next",
    ];
    if first == expect_first && second == ["$aws/things/dev/jobs/notify"] {
        Ok("job1: notify + notify-next; job2: notify only".into())
    } else {
        Err(format!("job1 → {first:?}, job2 → {second:?}"))
    }
}

pub fn scenarios() -> Vec<Scenario> {
    vec![
        (
            "notify and notify-next follow the pending set",
            notifications_follow_the_pending_set,
        ),
        (
            "a 7-day in-progress timeout on the virtual clock",
            seven_day_timeout,
        ),
        (
            "retries create new executions",
            retries_create_new_executions,
        ),
    ]
}

pub fn run_and_print() -> ExitCode {
    let started = std::time::Instant::now();
    let mut failed = 0;
    let all = scenarios();
    for (name, f) in &all {
        match f() {
            Ok(detail) => println!("ok    {name}: {detail}"),
            Err(why) => {
                failed += 1;
                println!("FAIL  {name}: {why}");
            }
        }
    }
    println!(
        "{} passed, {} failed ({:.1} ms)",
        all.len() - failed,
        failed,
        started.elapsed().as_secs_f64() * 1000.0
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
