//! Control-plane job-execution operations (spec §2.1, §2.4): describe, list, cancel, delete.

use super::api::*;
use super::error::{EngineError, EngineResult, ErrorKind};
use super::status::ExecStatus;
use super::store::ExecIx;
use super::time::Timestamp;
use super::validate::{self, Violations};
use super::{Engine, Outcome, paginate};

impl Engine {
    fn execution_view(&self, ex: ExecIx, now: Timestamp) -> JobExecutionView {
        let x = self.exec(ex);
        JobExecutionView {
            job_id: self.job(x.job).id.to_string(),
            status: x.status.as_str().to_string(),
            force_canceled: x.force_canceled,
            status_details: DetailsMap {
                details_map: x.status_details.clone(),
            },
            thing_arn: self.thing_arn(&self.things[x.thing as usize].name),
            queued_at: x.queued_at.secs_f64(),
            started_at: x.started_at.map(Timestamp::secs_f64),
            last_updated_at: x.last_updated_at.secs_f64(),
            execution_number: x.number,
            version_number: x.version,
            approximate_seconds_before_timed_out: self.seconds_before_timeout(ex, now),
        }
    }

    fn execution_summary(&self, ex: ExecIx) -> JobExecutionSummary {
        let x = self.exec(ex);
        JobExecutionSummary {
            status: x.status.as_str().to_string(),
            queued_at: x.queued_at.secs_f64(),
            started_at: x.started_at.map(Timestamp::secs_f64),
            last_updated_at: x.last_updated_at.secs_f64(),
            execution_number: x.number,
            retry_attempt: x.retry_attempt,
        }
    }

    /// DescribeJobExecution (control plane): the newest execution unless a number is given.
    pub fn describe_job_execution(
        &self,
        now: Timestamp,
        thing_name: &str,
        job_id: &str,
        execution_number: Option<i64>,
    ) -> EngineResult<DescribeJobExecutionResponse> {
        let mut v = Violations::new();
        validate::job_id(&mut v, "jobId", job_id);
        validate::thing_name(&mut v, "thingName", thing_name);
        v.into_result()?;
        let ex = self.find_execution(thing_name, job_id, execution_number)?;
        Ok(DescribeJobExecutionResponse {
            execution: self.execution_view(ex, now),
        })
    }

    pub fn list_job_executions_for_job(
        &self,
        req: &ListJobExecutionsForJobRequest,
    ) -> EngineResult<ListJobExecutionsForJobResponse> {
        let status = parse_status_filter(req.status.as_deref())?;
        let job = self.require_job(&req.job_id)?;
        let mut all: Vec<ExecIx> = self
            .job(job)
            .executions
            .values()
            .flat_map(|l| l.iter().copied())
            .filter(|&e| status.is_none_or(|s| self.exec(e).status == s))
            .collect();
        all.sort_by_key(|&e| self.exec(e).seq);
        let items: Vec<JobExecutionSummaryForJob> = all
            .into_iter()
            .map(|e| JobExecutionSummaryForJob {
                thing_arn: self.thing_arn(&self.things[self.exec(e).thing as usize].name),
                job_execution_summary: self.execution_summary(e),
            })
            .collect();
        let (page, next_token) = paginate(items, req.max_results, req.next_token.as_deref())?;
        Ok(ListJobExecutionsForJobResponse {
            execution_summaries: page,
            next_token,
        })
    }

    /// ListJobExecutionsForThing: newest first (several executions of one job: highest number first).
    pub fn list_job_executions_for_thing(
        &self,
        req: &ListJobExecutionsForThingRequest,
    ) -> EngineResult<ListJobExecutionsForThingResponse> {
        let status = parse_status_filter(req.status.as_deref())?;
        let mut v = Violations::new();
        validate::thing_name(&mut v, "thingName", &req.thing_name);
        if let Some(ns) = &req.namespace_id {
            validate::namespace_id(&mut v, "namespaceId", ns);
        }
        v.into_result()?;
        let thing = self.require_thing(&req.thing_name)?;
        let mut all: Vec<ExecIx> = self
            .execs
            .iter()
            .enumerate()
            .filter_map(|(i, x)| x.as_ref().map(|x| (i as ExecIx, x)))
            .filter(|(_, x)| x.thing == thing)
            .filter(|(_, x)| status.is_none_or(|s| x.status == s))
            .filter(|(_, x)| {
                let job = self.job(x.job);
                req.job_id.as_deref().is_none_or(|id| &*job.id == id)
                    && req.namespace_id.as_deref() == job.namespace.as_deref()
            })
            .map(|(i, _)| i)
            .collect();
        all.sort_by_key(|&e| std::cmp::Reverse(self.exec(e).seq));
        let items: Vec<JobExecutionSummaryForThing> = all
            .into_iter()
            .map(|e| JobExecutionSummaryForThing {
                job_id: self.job(self.exec(e).job).id.to_string(),
                job_execution_summary: self.execution_summary(e),
            })
            .collect();
        let (page, next_token) = paginate(items, req.max_results, req.next_token.as_deref())?;
        Ok(ListJobExecutionsForThingResponse {
            execution_summaries: page,
            next_token,
        })
    }

    /// CancelJobExecution: QUEUED → CANCELED; IN_PROGRESS only with `force` (spec §2.4).
    pub fn cancel_job_execution(
        &mut self,
        now: Timestamp,
        req: CancelJobExecutionRequest,
    ) -> EngineResult<Outcome<()>> {
        let mut v = Violations::new();
        validate::job_id(&mut v, "jobId", &req.job_id);
        validate::thing_name(&mut v, "thingName", &req.thing_name);
        if let Some(d) = &req.status_details {
            validate::status_details(&mut v, "statusDetails", d);
        }
        v.into_result()?;
        let ex = self.find_execution(&req.thing_name, &req.job_id, None)?;
        let x = self.exec(ex);
        if let Some(expected) = req.expected_version {
            if expected != x.version {
                return Err(EngineError::new(
                    ErrorKind::VersionConflict,
                    format!(
                        "Expected version {expected} but found version {} for job execution {} on thing {}.",
                        x.version, req.job_id, req.thing_name
                    ),
                ));
            }
        }
        match x.status {
            ExecStatus::Queued => {}
            ExecStatus::InProgress if req.force => {}
            ExecStatus::InProgress => {
                return Err(EngineError::new(
                    ErrorKind::InvalidStateTransition,
                    format!(
                        "Job execution {} for thing {} is IN_PROGRESS; set force to cancel it.",
                        req.job_id, req.thing_name
                    ),
                ));
            }
            s => {
                return Err(EngineError::new(
                    ErrorKind::InvalidStateTransition,
                    format!(
                        "Job execution {} for thing {} is in terminal state {s} and cannot be canceled.",
                        req.job_id, req.thing_name
                    ),
                ));
            }
        }
        let forced = x.status == ExecStatus::InProgress;
        {
            let x = self.exec_mut(ex);
            x.force_canceled = forced;
            if let Some(d) = req.status_details {
                x.status_details = d;
            }
        }
        self.set_status(ex, ExecStatus::Canceled, now, true);
        Ok(self.finish(now, ()))
    }

    /// DeleteJobExecution: QUEUED or terminal executions; IN_PROGRESS only with `force`.
    pub fn delete_job_execution(
        &mut self,
        now: Timestamp,
        req: DeleteJobExecutionRequest,
    ) -> EngineResult<Outcome<()>> {
        let mut v = Violations::new();
        validate::job_id(&mut v, "jobId", &req.job_id);
        validate::thing_name(&mut v, "thingName", &req.thing_name);
        if let Some(ns) = &req.namespace_id {
            validate::namespace_id(&mut v, "namespaceId", ns);
        }
        v.into_result()?;
        let ex = self.find_execution(&req.thing_name, &req.job_id, Some(req.execution_number))?;
        let x = self.exec(ex);
        if x.status == ExecStatus::InProgress && !req.force {
            return Err(EngineError::new(
                ErrorKind::InvalidStateTransition,
                format!(
                    "Job execution {} #{} for thing {} is IN_PROGRESS; set force to delete it.",
                    req.job_id, req.execution_number, req.thing_name
                ),
            ));
        }
        let job = x.job;
        self.execution_event(ex, "deleted", now);
        self.remove_execution(ex);
        self.maybe_complete(job, now);
        Ok(self.finish(now, ()))
    }
}

fn parse_status_filter(s: Option<&str>) -> EngineResult<Option<ExecStatus>> {
    match s {
        None => Ok(None),
        Some(v) => ExecStatus::parse(v).map(Some).ok_or_else(|| {
            let mut viol = Violations::new();
            let names: Vec<&str> = ExecStatus::ALL.iter().map(|s| s.as_str()).collect();
            viol.enum_set("status", v, &names);
            match viol.into_result() {
                Err(e) => e,
                Ok(()) => EngineError::invalid("Invalid status filter."),
            }
        }),
    }
}
