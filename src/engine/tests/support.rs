//! A small world for engine tests: an emulator on the virtual clock plus helpers that read like
//! the spec. Helpers panic on unexpected errors (tests only); the `try_` forms return them.

#![allow(dead_code)]

use serde_json::Value;

use crate::emulator::Emulator;
use crate::engine::config::*;
use crate::engine::*;

pub const DOC: &str = r#"{"operation":"jobrig-test"}"#;

pub struct World {
    pub emu: Emulator,
}

impl Default for World {
    fn default() -> Self {
        World::new()
    }
}

impl World {
    pub fn new() -> Self {
        World {
            emu: Emulator::virtual_default(),
        }
    }

    pub fn with_config(cfg: EngineConfig) -> Self {
        World {
            emu: Emulator::new(
                cfg,
                crate::clock::Clock::virtual_at(crate::clock::VIRTUAL_EPOCH),
            ),
        }
    }

    pub fn engine(&self) -> &Engine {
        self.emu.engine()
    }

    pub fn now(&self) -> Timestamp {
        self.emu.now()
    }

    // ---------------------------------------------------------------- registry

    /// Creates a thing and returns its ARN.
    pub fn thing(&mut self, name: &str) -> String {
        self.emu
            .call(|e, now| {
                e.create_thing(
                    now,
                    CreateThingRequest {
                        thing_name: name.into(),
                        ..Default::default()
                    },
                )
            })
            .expect("create thing")
            .thing_arn
    }

    /// Creates a thing group (optionally under `parent`) and returns its ARN.
    pub fn group(&mut self, name: &str, parent: Option<&str>) -> String {
        self.emu
            .call(|e, now| {
                e.create_thing_group(
                    now,
                    CreateThingGroupRequest {
                        thing_group_name: name.into(),
                        parent_group_name: parent.map(str::to_string),
                        ..Default::default()
                    },
                )
            })
            .expect("create group")
            .thing_group_arn
    }

    pub fn add_to_group(&mut self, thing: &str, group: &str) {
        self.emu
            .call(|e, now| {
                e.add_thing_to_thing_group(
                    now,
                    ThingGroupMembershipRequest {
                        thing_group_name: Some(group.into()),
                        thing_name: Some(thing.into()),
                        ..Default::default()
                    },
                )
            })
            .expect("add to group")
    }

    pub fn remove_from_group(&mut self, thing: &str, group: &str) {
        self.emu
            .call(|e, now| {
                e.remove_thing_from_thing_group(
                    now,
                    ThingGroupMembershipRequest {
                        thing_group_name: Some(group.into()),
                        thing_name: Some(thing.into()),
                        ..Default::default()
                    },
                )
            })
            .expect("remove from group")
    }

    pub fn delete_thing(&mut self, name: &str) {
        self.emu
            .call(|e, now| {
                e.delete_thing(
                    now,
                    DeleteThingRequest {
                        thing_name: name.into(),
                        expected_version: None,
                    },
                )
            })
            .expect("delete thing")
    }

    // ---------------------------------------------------------------- jobs

    /// A CreateJob request with the default document.
    pub fn job_req(id: &str, targets: &[&str]) -> CreateJobRequest {
        CreateJobRequest {
            job_id: id.into(),
            targets: Some(targets.iter().map(|s| s.to_string()).collect()),
            document: Some(DOC.into()),
            ..Default::default()
        }
    }

    pub fn try_create_job(&mut self, req: CreateJobRequest) -> EngineResult<JobRef> {
        self.emu.call(|e, now| e.create_job(now, req))
    }

    pub fn create_job(&mut self, req: CreateJobRequest) -> JobRef {
        self.try_create_job(req).expect("create job")
    }

    /// A SNAPSHOT job with the default document over `targets`.
    pub fn job(&mut self, id: &str, targets: &[&str]) -> JobRef {
        self.create_job(Self::job_req(id, targets))
    }

    pub fn describe_job(&mut self, id: &str) -> JobView {
        self.emu
            .read(|e, now| e.describe_job(now, id))
            .expect("describe job")
            .job
    }

    pub fn try_cancel_job(&mut self, id: &str, force: bool) -> EngineResult<JobRef> {
        self.emu.call(|e, now| {
            e.cancel_job(
                now,
                CancelJobRequest {
                    job_id: id.into(),
                    force,
                    ..Default::default()
                },
            )
        })
    }

    pub fn try_delete_job(&mut self, id: &str, force: bool) -> EngineResult<()> {
        self.emu.call(|e, now| {
            e.delete_job(
                now,
                DeleteJobRequest {
                    job_id: id.into(),
                    force,
                    namespace_id: None,
                },
            )
        })
    }

    // ---------------------------------------------------------------- device plane

    pub fn start_next(&mut self, thing: &str) -> Option<DeviceExecution> {
        self.emu
            .call(|e, now| e.start_next_pending_job_execution(now, thing, None, Default::default()))
            .expect("start next")
    }

    pub fn try_update(
        &mut self,
        thing: &str,
        job: &str,
        req: UpdateExecutionRequest,
    ) -> EngineResult<UpdateExecutionResponse> {
        self.emu
            .call(|e, now| e.update_job_execution(now, thing, job, None, req))
    }

    /// Device reports `status` on the newest execution of `job`.
    pub fn report(
        &mut self,
        thing: &str,
        job: &str,
        status: &str,
    ) -> EngineResult<UpdateExecutionResponse> {
        self.try_update(
            thing,
            job,
            UpdateExecutionRequest {
                status: Some(status.into()),
                ..Default::default()
            },
        )
    }

    pub fn pending(&mut self, thing: &str) -> PendingExecutions {
        self.emu
            .read(|e, _| e.get_pending_job_executions(thing, None))
            .expect("get pending")
    }

    pub fn next(&mut self, thing: &str) -> Option<DeviceExecution> {
        self.emu
            .read(|e, now| {
                e.describe_job_execution_for_device(now, thing, "$next", None, &Default::default())
            })
            .expect("describe $next")
    }

    // ---------------------------------------------------------------- executions (control)

    pub fn execution(&mut self, thing: &str, job: &str) -> JobExecutionView {
        self.emu
            .read(|e, now| e.describe_job_execution(now, thing, job, None))
            .expect("describe execution")
            .execution
    }

    pub fn exec_status(&mut self, thing: &str, job: &str) -> String {
        self.execution(thing, job).status
    }

    // ---------------------------------------------------------------- time and messages

    pub fn advance_minutes(&mut self, m: i64) {
        self.emu.advance_minutes(m).expect("advance");
    }

    pub fn advance_secs(&mut self, s: i64) {
        self.emu.advance_ms(s * 1000).expect("advance");
    }

    /// Drains effects and returns the MQTT messages among them as (topic, JSON payload).
    pub fn messages(&mut self) -> Vec<(String, Value)> {
        self.emu
            .take_effects()
            .into_iter()
            .filter_map(|(_, fx)| {
                let topic = fx.mqtt_topic()?;
                let payload = fx.mqtt_payload()?;
                Some((
                    topic,
                    serde_json::from_slice(&payload).expect("payload is JSON"),
                ))
            })
            .collect()
    }

    /// Drains effects and returns only the topics of MQTT messages.
    pub fn topics(&mut self) -> Vec<String> {
        self.messages().into_iter().map(|(t, _)| t).collect()
    }

    /// A fingerprint of the whole engine state, for "nothing changed" assertions.
    pub fn state(&self) -> String {
        format!("{:?}", self.emu.engine())
    }

    /// Asserts that `op` is rejected with `kind`, leaves the state unchanged and emits nothing.
    pub fn assert_rejected<R: std::fmt::Debug>(
        &mut self,
        kind: ErrorKind,
        op: impl FnOnce(&mut Engine, Timestamp) -> EngineResult<Outcome<R>>,
    ) -> EngineError {
        self.emu.take_effects();
        let before = self.state();
        let err = self.emu.call(op).expect_err("operation should be rejected");
        assert_eq!(err.kind, kind, "wrong error kind: {err:?}");
        assert_eq!(
            self.state(),
            before,
            "a rejected operation changed the state"
        );
        assert!(
            self.emu.take_effects().is_empty(),
            "a rejected operation emitted effects"
        );
        self.engine().check_invariants().expect("invariants");
        err
    }
}

/// JSON of a job's counters, for compact assertions.
pub fn counters(j: &JobView) -> [u64; 8] {
    let d = &j.job_process_details;
    [
        d.number_of_queued_things,
        d.number_of_in_progress_things,
        d.number_of_succeeded_things,
        d.number_of_failed_things,
        d.number_of_timed_out_things,
        d.number_of_rejected_things,
        d.number_of_removed_things,
        d.number_of_canceled_things,
    ]
}

pub fn retry(failure: &str, n: i64) -> JobExecutionsRetryConfig {
    JobExecutionsRetryConfig {
        criteria_list: Some(vec![RetryCriteria {
            failure_type: Some(failure.into()),
            number_of_retries: Some(n),
        }]),
    }
}

pub fn timeout(minutes: i64) -> TimeoutConfig {
    TimeoutConfig {
        in_progress_timeout_in_minutes: Some(minutes),
    }
}
