//! The four device operations (spec §3, §4), shared by the HTTP data plane and MQTT.
//!
//! `namespace` is the Jobs namespace of the topic the request came on (`None` on plain topics and
//! on HTTP); namespaced executions are visible only in their namespace (spec §4.1, inferred).

use super::api::*;
use super::error::{EngineError, EngineResult, ErrorKind, ExecutionState};
use super::status::{ExecStatus, device_transition_allowed};
use super::time::Timestamp;
use super::validate::{self, StepTimeout, Violations};
use super::{Engine, Outcome};

/// The job id a device uses for "the next pending execution".
pub const NEXT: &str = "$next";

impl Engine {
    /// GetPendingJobExecutions. Choice (spec §12.10): an unknown thing has nothing pending.
    pub fn get_pending_job_executions(
        &self,
        thing_name: &str,
        namespace: Option<&str>,
    ) -> EngineResult<PendingExecutions> {
        let mut v = Violations::new();
        validate::thing_name(&mut v, "thingName", thing_name);
        v.into_result()?;
        Ok(match self.thing_ix(thing_name) {
            Some(t) => self.pending_view(t, namespace),
            None => PendingExecutions::default(),
        })
    }

    /// StartNextPendingJobExecution: starts the head if QUEUED; an IN_PROGRESS head is returned
    /// unchanged (statusDetails and version untouched); nothing pending → `None`.
    pub fn start_next_pending_job_execution(
        &mut self,
        now: Timestamp,
        thing_name: &str,
        namespace: Option<&str>,
        req: StartNextRequest,
    ) -> EngineResult<Outcome<Option<DeviceExecution>>> {
        let mut v = Violations::new();
        validate::thing_name(&mut v, "thingName", thing_name);
        if let Some(d) = &req.status_details {
            validate::status_details(&mut v, "statusDetails", d);
        }
        v.into_result()?;
        let step = validate::step_timeout(req.step_timeout_in_minutes, false)?;
        let Some(thing) = self.thing_ix(thing_name) else {
            return Ok(self.finish(now, None));
        };
        let Some(&head) = self.visible_pending(thing, namespace).first() else {
            return Ok(self.finish(now, None));
        };
        if self.exec(head).status == ExecStatus::Queued {
            if let Some(d) = req.status_details {
                self.exec_mut(head).status_details = d;
            }
            self.set_status(head, ExecStatus::InProgress, now, true);
            if let StepTimeout::Set(m) = step {
                self.set_step_timeout(head, Some(m), now);
            }
        }
        let view = self.device_view(head, now, true);
        Ok(self.finish(now, Some(view)))
    }

    /// DescribeJobExecution (device): `$next` peeks at the head without starting it.
    pub fn describe_job_execution_for_device(
        &self,
        now: Timestamp,
        thing_name: &str,
        job_id: &str,
        namespace: Option<&str>,
        req: &DescribeExecutionRequest,
    ) -> EngineResult<Option<DeviceExecution>> {
        let mut v = Violations::new();
        validate::thing_name(&mut v, "thingName", thing_name);
        if job_id != NEXT {
            validate::job_id(&mut v, "jobId", job_id);
        }
        v.into_result()?;
        let with_doc = req.include_job_document.unwrap_or(true);
        if job_id == NEXT {
            let head = self
                .thing_ix(thing_name)
                .and_then(|t| self.visible_pending(t, namespace).first().copied());
            return Ok(head.map(|e| self.device_view(e, now, with_doc)));
        }
        let ex = self.find_execution(thing_name, job_id, req.execution_number)?;
        if self.job(self.exec(ex).job).namespace.as_deref() != namespace {
            return Err(EngineError::not_found(format!(
                "Job execution {job_id} for thing {thing_name} cannot be found."
            )));
        }
        Ok(Some(self.device_view(ex, now, with_doc)))
    }

    /// UpdateJobExecution (device): version check, then the transition rules of spec §5.2.
    pub fn update_job_execution(
        &mut self,
        now: Timestamp,
        thing_name: &str,
        job_id: &str,
        namespace: Option<&str>,
        req: UpdateExecutionRequest,
    ) -> EngineResult<Outcome<UpdateExecutionResponse>> {
        let mut v = Violations::new();
        validate::thing_name(&mut v, "thingName", thing_name);
        validate::job_id(&mut v, "jobId", job_id);
        let names: Vec<&str> = ExecStatus::ALL.iter().map(|s| s.as_str()).collect();
        let to = match req.status.as_deref() {
            None => {
                v.not_null("status");
                None
            }
            Some(s) => {
                let parsed = ExecStatus::parse(s);
                if parsed.is_none() {
                    v.enum_set("status", s, &names);
                }
                parsed
            }
        };
        if let Some(d) = &req.status_details {
            validate::status_details(&mut v, "statusDetails", d);
        }
        v.into_result()?;
        let step = validate::step_timeout(req.step_timeout_in_minutes, true)?;
        let Some(to) = to else {
            return Err(EngineError::invalid("Missing status."));
        };
        let ex = self.find_execution(thing_name, job_id, req.execution_number)?;
        if self.job(self.exec(ex).job).namespace.as_deref() != namespace {
            return Err(EngineError::not_found(format!(
                "Job execution {job_id} for thing {thing_name} cannot be found."
            )));
        }
        let x = self.exec(ex);
        let state = ExecutionState {
            status: x.status.as_str(),
            status_details: x.status_details.clone(),
            version_number: x.version,
        };
        if let Some(expected) = req.expected_version {
            if expected != x.version {
                return Err(EngineError::new(
                    ErrorKind::VersionMismatch,
                    format!(
                        "Expected version {expected} but found version {}",
                        x.version
                    ),
                )
                .with_state(state));
            }
        }
        if x.status.is_terminal() {
            return Err(EngineError::new(
                ErrorKind::TerminalStateReached,
                format!(
                    "Job execution {job_id} for thing {thing_name} is in terminal state {} and cannot be updated.",
                    x.status
                ),
            ));
        }
        if !device_transition_allowed(x.status, to) {
            return Err(EngineError::new(
                ErrorKind::InvalidStateTransition,
                format!("The status of job execution cannot be changed to be {to}"),
            )
            .with_state(state));
        }
        if let Some(d) = req.status_details {
            self.exec_mut(ex).status_details = d;
        }
        self.set_status(ex, to, now, true);
        if to == ExecStatus::InProgress {
            match step {
                StepTimeout::Set(m) => self.set_step_timeout(ex, Some(m), now),
                StepTimeout::Clear => self.set_step_timeout(ex, None, now),
                StepTimeout::Unchanged => {}
            }
        }
        let x = self.exec(ex);
        let execution_state =
            req.include_job_execution_state
                .unwrap_or(false)
                .then(|| ExecutionStateView {
                    status: x.status,
                    status_details: x.status_details.clone(),
                    version_number: x.version,
                });
        let job_document = req
            .include_job_document
            .unwrap_or(false)
            .then(|| self.device_view(ex, now, true).job_document)
            .flatten();
        Ok(self.finish(
            now,
            UpdateExecutionResponse {
                execution_state,
                job_document,
            },
        ))
    }
}
