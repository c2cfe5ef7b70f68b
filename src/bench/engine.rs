//! `jobrig bench`: the engine at fleet scale, in-process, on the virtual clock.
//!
//! N things in one group, one CONTINUOUS job with an exponential rollout over them, and every
//! execution started (start-next) and finished (SUCCEEDED) as soon as its notify-next arrives.

use std::fmt;
use std::time::{Duration, Instant};

use crate::emulator::Emulator;
use crate::engine::config::*;
use crate::engine::*;

#[derive(Debug)]
pub struct RolloutReport {
    pub things: u32,
    pub succeeded: u64,
    pub device_calls: u64,
    pub effects: u64,
    pub emulator_minutes: i64,
    pub wall: Duration,
    pub peak_rss_mib: Option<f64>,
}

impl fmt::Display for RolloutReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "things                 {}", self.things)?;
        writeln!(f, "executions succeeded   {}", self.succeeded)?;
        writeln!(f, "device calls           {}", self.device_calls)?;
        writeln!(f, "effects emitted        {}", self.effects)?;
        writeln!(f, "emulator time covered  {} min", self.emulator_minutes)?;
        writeln!(f, "wall time              {:.3} s", self.wall.as_secs_f64())?;
        match self.peak_rss_mib {
            Some(m) => write!(f, "peak RSS               {m:.1} MiB"),
            None => write!(f, "peak RSS               unavailable"),
        }
    }
}

/// Peak resident set size of this process (Linux `VmHWM`).
pub fn peak_rss_mib() -> Option<f64> {
    peak_rss_mib_of("self")
}

/// Peak resident set size of process `pid` (`"self"` for this one), from Linux `VmHWM`.
pub fn peak_rss_mib_of(pid: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

pub fn engine_rollout(things: u32) -> Result<RolloutReport, EngineError> {
    let started = Instant::now();
    let mut emu = Emulator::virtual_default();
    let t0 = emu.now();
    emu.call(|e, now| {
        e.create_thing_group(
            now,
            CreateThingGroupRequest {
                thing_group_name: "fleet".into(),
                ..Default::default()
            },
        )
    })?;
    for i in 0..things {
        let name = format!("thing-{i:06}");
        emu.call(|e, now| {
            e.create_thing(
                now,
                CreateThingRequest {
                    thing_name: name.clone(),
                    ..Default::default()
                },
            )
        })?;
        emu.call(|e, now| {
            e.add_thing_to_thing_group(
                now,
                ThingGroupMembershipRequest {
                    thing_group_name: Some("fleet".into()),
                    thing_name: Some(name),
                    ..Default::default()
                },
            )
        })?;
    }
    emu.take_effects();
    let group_arn = emu
        .read(|e, _| e.describe_thing_group("fleet"))?
        .thing_group_arn;
    emu.call(|e, now| {
        e.create_job(
            now,
            CreateJobRequest {
                job_id: "bench".into(),
                targets: Some(vec![group_arn]),
                document: Some(r#"{"operation":"jobrig-test","steps":[]}"#.into()),
                target_selection: Some("CONTINUOUS".into()),
                job_executions_rollout_config: Some(JobExecutionsRolloutConfig {
                    maximum_per_minute: Some(1000),
                    exponential_rate: Some(ExponentialRolloutRate {
                        base_rate_per_minute: Some(50),
                        increment_factor: Some(2.0),
                        rate_increase_criteria: Some(RateIncreaseCriteria {
                            number_of_notified_things: Some(1000),
                            number_of_succeeded_things: None,
                        }),
                    }),
                }),
                ..Default::default()
            },
        )
    })?;
    let mut device_calls = 0u64;
    let mut effects = 0u64;
    let mut succeeded = 0u64;
    // A minute past the last possible rollout step is a safety net, not the way the run ends.
    let max_minutes = i64::from(things) / 50 + 60;
    for _ in 0..=max_minutes {
        let batch = emu.take_effects();
        effects += batch.len() as u64;
        for (_, fx) in batch {
            if let Effect::NotifyNext {
                thing,
                execution: Some(x),
                ..
            } = fx
            {
                let started = emu.call(|e, now| {
                    e.start_next_pending_job_execution(
                        now,
                        &thing,
                        None,
                        StartNextRequest::default(),
                    )
                })?;
                let Some(started) = started else { continue };
                emu.call(|e, now| {
                    e.update_job_execution(
                        now,
                        &thing,
                        &x.job_id,
                        None,
                        UpdateExecutionRequest {
                            status: Some("SUCCEEDED".into()),
                            expected_version: Some(started.version_number),
                            ..Default::default()
                        },
                    )
                })?;
                device_calls += 2;
            }
        }
        succeeded = emu
            .read(|e, now| e.describe_job(now, "bench"))?
            .job
            .job_process_details
            .number_of_succeeded_things;
        if succeeded >= u64::from(things) {
            break;
        }
        // Clock errors cannot happen on a virtual clock moving forward.
        let _ = emu.advance_minutes(1);
    }
    let wall = started.elapsed();
    Ok(RolloutReport {
        things,
        succeeded,
        device_calls,
        effects: effects + emu.take_effects().len() as u64,
        emulator_minutes: (emu.now().millis() - t0.millis()) / Timestamp::MILLIS_PER_MINUTE,
        wall,
        peak_rss_mib: peak_rss_mib(),
    })
}
