//! Job operations (spec §2.1, §2.4): create, describe, list, update, cancel, delete, get the
//! document, associate targets.

use std::sync::Arc;

use super::api::*;
use super::config::*;
use super::cron;
use super::document;
use super::error::{EngineError, EngineResult, ErrorKind};
use super::lifecycle::CancelCause;
use super::managed;
use super::status::{ExecStatus, JobStatus, TargetSelection};
use super::store::*;
use super::time::Timestamp;
use super::timers::TimerKey;
use super::validate::{self, Violations};
use super::{Engine, Outcome, paginate};

/// Most targets a job may name (spec §9.1).
const MAX_TARGETS: usize = 100;

/// A target ARN resolved to what it names.
#[derive(Clone, Copy)]
enum Target {
    Thing(ThingIx),
    Group(GroupIx),
}

/// What a job template contributes to CreateJob.
#[derive(Default)]
struct Inherited {
    document: Option<String>,
    document_source: Option<String>,
    before_substitution: Option<String>,
    description: Option<String>,
    presigned: Option<PresignedUrlConfig>,
    rollout: Option<JobExecutionsRolloutConfig>,
    abort: Option<AbortConfig>,
    timeout: Option<TimeoutConfig>,
    retry: Option<JobExecutionsRetryConfig>,
    windows: Option<Vec<MaintenanceWindow>>,
    packages: Option<Vec<String>>,
}

impl Engine {
    fn resolve_target(&self, arn: &str) -> EngineResult<Target> {
        let prefix = format!("arn:aws:iot:{}:{}:", self.cfg.region, self.cfg.account_id);
        let not_found = || EngineError::not_found(format!("Target {arn} cannot be found."));
        let rest = arn.strip_prefix(&prefix).ok_or_else(|| {
            if arn.starts_with("arn:") {
                not_found()
            } else {
                EngineError::invalid(format!(
                    "Target {arn} is not a valid thing or thing group ARN."
                ))
            }
        })?;
        if let Some(name) = rest.strip_prefix("thing/") {
            return self.thing_ix(name).map(Target::Thing).ok_or_else(not_found);
        }
        if let Some(name) = rest.strip_prefix("thinggroup/") {
            return self.group_ix(name).map(Target::Group).ok_or_else(not_found);
        }
        Err(EngineError::invalid(format!(
            "Target {arn} is not a valid thing or thing group ARN."
        )))
    }

    fn resolve_targets_arns(&self, arns: &[String]) -> EngineResult<Vec<Target>> {
        arns.iter().map(|a| self.resolve_target(a)).collect()
    }

    /// Resolves `jobTemplateArn` into what the job inherits (spec §2.4, §7.2).
    fn inherit_from_template(
        &self,
        arn: &str,
        params: Option<&std::collections::BTreeMap<String, String>>,
    ) -> EngineResult<Inherited> {
        if let Some(t) = managed::find_by_arn(arn) {
            let values = params.cloned().unwrap_or_default();
            let doc = document::substitute_parameters(t, &values)
                .map_err(|e| EngineError::invalid(e.to_string()))?;
            return Ok(Inherited {
                document: Some(doc),
                before_substitution: Some(t.document.to_string()),
                description: Some(t.description.to_string()),
                ..Default::default()
            });
        }
        let prefix = format!("arn:aws:iot:{}:{}:", self.cfg.region, self.cfg.account_id);
        let resource = arn.strip_prefix(&prefix).unwrap_or("");
        if let Some(id) = resource.strip_prefix("jobtemplate/") {
            if params.is_some() {
                return Err(EngineError::invalid(
                    "Document parameters are only supported with AWS managed job templates.",
                ));
            }
            let t = self.templates.get(id).ok_or_else(|| {
                EngineError::not_found(format!("Job Template {id} cannot be found."))
            })?;
            return Ok(Inherited {
                document: t.document.clone(),
                document_source: t.document_source.clone(),
                before_substitution: None,
                description: None,
                presigned: t.presigned_url_config.clone(),
                rollout: t.rollout.clone(),
                abort: t.abort.clone(),
                timeout: t.timeout.clone(),
                retry: t.retry.clone(),
                windows: t.maintenance_windows.clone(),
                packages: t.destination_package_versions.clone(),
            });
        }
        if let Some(kind) = resource
            .split('/')
            .next()
            .filter(|k| !k.is_empty() && resource.contains('/'))
        {
            return Err(EngineError::invalid(format!(
                "Resource type should be jobtemplate but found invalid resource type {kind}"
            )));
        }
        if arn.starts_with("arn:aws:iot:") && arn.contains(":jobtemplate/") {
            return Err(EngineError::not_found(format!(
                "Job Template {arn} cannot be found."
            )));
        }
        Err(EngineError::invalid(format!(
            "1 validation error detected: Value '{arn}' at 'jobTemplateArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ^arn:[!-~]+$"
        )))
    }

    /// Fetches a `documentSource` (jobrig has no S3: only registered sources resolve).
    fn fetch_document_source(&self, url: &str) -> EngineResult<String> {
        self.document_sources.get(url).cloned().ok_or_else(|| {
            EngineError::invalid(format!(
                "The document source {url} could not be read. jobrig has no S3: register the object with the emulator or pass the document inline."
            ))
        })
    }

    /// CreateJob: everything is checked before anything is created (spec §2.4).
    pub fn create_job(
        &mut self,
        now: Timestamp,
        req: CreateJobRequest,
    ) -> EngineResult<Outcome<JobRef>> {
        let mut v = Violations::new();
        validate::job_id(&mut v, "jobId", &req.job_id);
        match &req.targets {
            None => v.not_null("targets"),
            Some(t) => v.list_length("targets", t.len(), 1, None),
        }
        if let Some(d) = &req.description {
            validate::description(&mut v, "description", d);
        }
        if let Some(ns) = &req.namespace_id {
            validate::namespace_id(&mut v, "namespaceId", ns);
        }
        if let Some(tags) = &req.tags {
            validate::tags(&mut v, tags);
        }
        if let Some(s) = &req.target_selection {
            if TargetSelection::parse(s).is_none() {
                v.enum_set("targetSelection", s, &["CONTINUOUS", "SNAPSHOT"]);
            }
        }
        if let Some(p) = &req.destination_package_versions {
            v.list_length("destinationPackageVersions", p.len(), 0, Some(25));
        }
        v.into_result()?;
        let targets_raw = req.targets.clone().unwrap_or_default();
        if targets_raw.len() > MAX_TARGETS {
            return Err(EngineError::new(
                ErrorKind::LimitExceeded,
                format!("A job can have at most {MAX_TARGETS} targets."),
            ));
        }
        let selection = req
            .target_selection
            .as_deref()
            .and_then(TargetSelection::parse)
            .unwrap_or(TargetSelection::Snapshot);

        let inherited = match &req.job_template_arn {
            Some(arn) => self.inherit_from_template(arn, req.document_parameters.as_ref())?,
            None if req.document_parameters.is_some() => {
                return Err(EngineError::invalid(
                    "Document parameters are only supported with AWS managed job templates.",
                ));
            }
            None => Inherited::default(),
        };

        // A member given in the request replaces the template's member whole (spec §2.4).
        let (doc, source) = match (&req.document, &req.document_source) {
            (Some(_), Some(_)) => {
                return Err(EngineError::invalid(
                    "Job document and job document source cannot be specified at the same time.",
                ));
            }
            (Some(d), None) => (d.clone(), None),
            (None, Some(s)) => (self.fetch_document_source(s)?, Some(s.clone())),
            (None, None) => match (&inherited.document, &inherited.document_source) {
                (Some(d), _) => (d.clone(), None),
                (None, Some(s)) => (self.fetch_document_source(s)?, Some(s.clone())),
                (None, None) => {
                    return Err(EngineError::invalid(
                        "Neither job document nor job document source is specified.",
                    ));
                }
            },
        };
        document::validate_document(&doc).map_err(|e| EngineError::invalid(e.to_string()))?;

        let presigned_raw = req.presigned_url_config.clone().or(inherited.presigned);
        let presigned = match &presigned_raw {
            Some(p) => validate::presigned(p)?,
            None => PresignedPolicy::default(),
        };
        let rollout_raw = req
            .job_executions_rollout_config
            .clone()
            .or(inherited.rollout);
        let rollout_policy = match &rollout_raw {
            Some(r) => validate::rollout(r)?,
            None => RolloutPolicy::DEFAULT,
        };
        let abort_raw = req.abort_config.clone().or(inherited.abort);
        let abort = match &abort_raw {
            Some(a) => validate::abort(a)?,
            None => Vec::new(),
        };
        let timeout_raw = req.timeout_config.clone().or(inherited.timeout);
        let timeout_minutes = match &timeout_raw {
            Some(t) => validate::timeout(t)?,
            None => None,
        };
        let retry_raw = req.job_executions_retry_config.clone().or(inherited.retry);
        let retry = match &retry_raw {
            Some(r) => validate::retry(r)?,
            None => RetryPolicy::default(),
        };
        let mut scheduling_raw = req.scheduling_config.clone().unwrap_or_default();
        if scheduling_raw.maintenance_windows.is_none() {
            scheduling_raw.maintenance_windows = inherited.windows.clone();
        }
        let schedule = validate::scheduling(&scheduling_raw, now, selection)?;

        let targets = self.resolve_targets_arns(&targets_raw)?;
        if self.job_ix(&req.job_id).is_some() {
            return Err(EngineError::new(
                ErrorKind::ResourceAlreadyExists,
                format!("Job {} already exists.", req.job_id),
            ));
        }
        let active = self
            .jobs
            .iter()
            .flatten()
            .filter(|j| matches!(j.status, JobStatus::InProgress | JobStatus::Scheduled))
            .count();
        if active >= self.cfg.max_active_jobs {
            return Err(EngineError::new(
                ErrorKind::LimitExceeded,
                format!(
                    "The account has reached its limit of {} active jobs.",
                    self.cfg.max_active_jobs
                ),
            ));
        }
        let starts_now = schedule.start.is_none();
        if starts_now && self.rolling_jobs() >= self.cfg.max_concurrent_jobs {
            return Err(EngineError::new(
                ErrorKind::LimitExceeded,
                format!(
                    "The account has reached its job concurrency limit of {}.",
                    self.cfg.max_concurrent_jobs
                ),
            ));
        }

        // ---- everything checked: create.
        let ix = self.jobs.len() as JobIx;
        let id: Arc<str> = Arc::from(req.job_id.as_str());
        let arn = self.arn(&format!("job/{id}"));
        let description = req.description.clone().or(inherited.description);
        let mut target_things = Vec::new();
        let mut target_groups = Vec::new();
        for t in &targets {
            match *t {
                Target::Thing(t) if !target_things.contains(&t) => target_things.push(t),
                Target::Group(g) if !target_groups.contains(&g) => target_groups.push(g),
                _ => {}
            }
        }
        for &g in &target_groups {
            self.groups[g as usize].jobs.push(ix);
        }
        let seq = self.next_seq();
        let start = schedule.start;
        let end = schedule.end;
        self.jobs.push(Some(Job {
            id: id.clone(),
            arn: arn.clone(),
            target_selection: selection,
            status: if starts_now {
                JobStatus::InProgress
            } else {
                JobStatus::Scheduled
            },
            targets: targets_raw,
            target_things,
            target_groups,
            document: Arc::from(doc.as_str()),
            document_before_substitution: inherited.before_substitution.map(Arc::from),
            document_source: source,
            description: description.clone(),
            presigned_raw: presigned_raw.unwrap_or_default(),
            presigned,
            rollout_raw: rollout_raw.unwrap_or_default(),
            abort_raw,
            abort,
            timeout_raw: timeout_raw.unwrap_or_default(),
            timeout_minutes,
            retry_raw,
            retry,
            scheduling_raw,
            schedule,
            namespace: req.namespace_id.as_deref().map(Arc::from),
            template_arn: req.job_template_arn.clone(),
            document_parameters: req.document_parameters.clone(),
            destination_package_versions: req
                .destination_package_versions
                .clone()
                .or(inherited.packages),
            tags: req.tags.clone().unwrap_or_default(),
            created_at: now,
            last_updated_at: now,
            completed_at: None,
            force_canceled: false,
            reason_code: None,
            comment: None,
            counts: [0; 8],
            executions: Default::default(),
            rollout: Rollout {
                policy: rollout_policy,
                ..Default::default()
            },
            seq,
        }));
        self.job_ids.insert(id.clone(), ix);
        if let Some(end) = end {
            self.arm(TimerKey::JobEnd(ix), end);
        }
        match start {
            Some(at) => self.arm(TimerKey::JobStart(ix), at),
            None => self.begin_job(ix, now),
        }
        Ok(self.finish(
            now,
            JobRef {
                job_arn: arn,
                job_id: id.to_string(),
                description,
            },
        ))
    }

    fn job_view(&self, ix: JobIx, now: Timestamp) -> JobView {
        let j = self.job(ix);
        let scheduled_job_rollouts = if j.has_windows() && !j.status.is_terminal() {
            self.upcoming_windows(ix, now, 7)
                .into_iter()
                .map(|t| ScheduledJobRollout {
                    start_time: cron::format_date_time(t),
                })
                .collect()
        } else {
            Vec::new()
        };
        let processing_targets = (j.is_concurrent()).then(|| j.targets.clone());
        JobView {
            job_arn: j.arn.clone(),
            job_id: j.id.to_string(),
            target_selection: j.target_selection.as_str().into(),
            status: j.status.as_str().into(),
            force_canceled: j.force_canceled,
            reason_code: j.reason_code.clone(),
            comment: j.comment.clone(),
            targets: j.targets.clone(),
            description: j.description.clone(),
            presigned_url_config: j.presigned_raw.clone(),
            job_executions_rollout_config: j.rollout_raw.clone(),
            abort_config: j.abort_raw.clone(),
            created_at: j.created_at.secs_f64(),
            last_updated_at: j.last_updated_at.secs_f64(),
            completed_at: j.completed_at.map(Timestamp::secs_f64),
            job_process_details: JobProcessDetails {
                processing_targets,
                number_of_canceled_things: j.count(ExecStatus::Canceled),
                number_of_succeeded_things: j.count(ExecStatus::Succeeded),
                number_of_failed_things: j.count(ExecStatus::Failed),
                number_of_rejected_things: j.count(ExecStatus::Rejected),
                number_of_queued_things: j.count(ExecStatus::Queued),
                number_of_in_progress_things: j.count(ExecStatus::InProgress),
                number_of_removed_things: j.count(ExecStatus::Removed),
                number_of_timed_out_things: j.count(ExecStatus::TimedOut),
            },
            timeout_config: j.timeout_raw.clone(),
            namespace_id: j.namespace.as_deref().map(str::to_string),
            job_template_arn: j.template_arn.clone(),
            job_executions_retry_config: j.retry_raw.clone(),
            document_parameters: j.document_parameters.clone(),
            is_concurrent: j.is_concurrent(),
            scheduling_config: j.scheduling_raw.clone(),
            scheduled_job_rollouts,
            destination_package_versions: j.destination_package_versions.clone(),
        }
    }

    /// DescribeJob. `beforeSubstitution` changes nothing here: the job shape carries no document.
    pub fn describe_job(&self, now: Timestamp, job_id: &str) -> EngineResult<DescribeJobResponse> {
        let mut v = Violations::new();
        validate::job_id(&mut v, "jobId", job_id);
        v.into_result()?;
        let ix = self.require_job(job_id)?;
        Ok(DescribeJobResponse {
            document_source: self.job(ix).document_source.clone(),
            job: self.job_view(ix, now),
        })
    }

    /// GetJobDocument: presigned-URL placeholders are never expanded here (spec §7.1).
    pub fn get_job_document(
        &self,
        job_id: &str,
        before_substitution: bool,
    ) -> EngineResult<GetJobDocumentResponse> {
        let mut v = Violations::new();
        validate::job_id(&mut v, "jobId", job_id);
        v.into_result()?;
        let j = self.job(self.require_job(job_id)?);
        let doc = match (&j.document_before_substitution, before_substitution) {
            (Some(b), true) => b.to_string(),
            _ => j.document.to_string(),
        };
        Ok(GetJobDocumentResponse { document: doc })
    }

    /// ListJobs: newest first (see docs/fidelity.md).
    pub fn list_jobs(&self, req: &ListJobsRequest) -> EngineResult<ListJobsResponse> {
        let mut v = Violations::new();
        let status = req.status.as_deref().map(|s| {
            let p = JobStatus::parse(s);
            if p.is_none() {
                let names: Vec<&str> = JobStatus::ALL.iter().map(|s| s.as_str()).collect();
                v.enum_set("status", s, &names);
            }
            p
        });
        let selection = req.target_selection.as_deref().map(|s| {
            let p = TargetSelection::parse(s);
            if p.is_none() {
                v.enum_set("targetSelection", s, &["CONTINUOUS", "SNAPSHOT"]);
            }
            p
        });
        if let Some(g) = &req.thing_group_name {
            validate::thing_name(&mut v, "thingGroupName", g);
        }
        v.into_result()?;
        let group = match (&req.thing_group_name, &req.thing_group_id) {
            (Some(name), _) => Some(self.require_group(name)?),
            (None, Some(id)) => Some(
                self.groups
                    .iter()
                    .position(|g| !g.deleted && &g.id == id)
                    .map(|p| p as GroupIx)
                    .ok_or_else(|| {
                        EngineError::not_found(format!("Thing group with id {id} cannot be found."))
                    })?,
            ),
            (None, None) => None,
        };
        let mut jobs: Vec<&Job> = self
            .jobs
            .iter()
            .flatten()
            .filter(|j| j.status != JobStatus::DeletionInProgress)
            .filter(|j| status.flatten().is_none_or(|s| j.status == s))
            .filter(|j| selection.flatten().is_none_or(|s| j.target_selection == s))
            .filter(|j| group.is_none_or(|g| j.target_groups.contains(&g)))
            .filter(|j| {
                req.namespace_id
                    .as_deref()
                    .is_none_or(|ns| j.namespace.as_deref() == Some(ns))
            })
            .collect();
        jobs.sort_by_key(|j| std::cmp::Reverse(j.seq));
        let items: Vec<JobSummary> = jobs
            .into_iter()
            .map(|j| JobSummary {
                job_arn: j.arn.clone(),
                job_id: j.id.to_string(),
                thing_group_id: group.map(|g| self.groups[g as usize].id.clone()),
                target_selection: j.target_selection.as_str().into(),
                status: j.status.as_str().into(),
                created_at: j.created_at.secs_f64(),
                last_updated_at: j.last_updated_at.secs_f64(),
                completed_at: j.completed_at.map(Timestamp::secs_f64),
                is_concurrent: j.is_concurrent(),
            })
            .collect();
        let (page, next_token) = paginate(items, req.max_results, req.next_token.as_deref())?;
        Ok(ListJobsResponse {
            jobs: page,
            next_token,
        })
    }

    /// UpdateJob: each given member replaces the stored one whole (spec §2.4).
    pub fn update_job(
        &mut self,
        now: Timestamp,
        req: UpdateJobRequest,
    ) -> EngineResult<Outcome<()>> {
        let mut v = Violations::new();
        validate::job_id(&mut v, "jobId", &req.job_id);
        if let Some(d) = &req.description {
            validate::description(&mut v, "description", d);
        }
        v.into_result()?;
        let ix = self.require_job(&req.job_id)?;
        let empty = req.description.is_none()
            && req.presigned_url_config.is_none()
            && req.job_executions_rollout_config.is_none()
            && req.abort_config.is_none()
            && req.timeout_config.is_none()
            && req.job_executions_retry_config.is_none();
        if empty {
            return Err(EngineError::invalid(format!(
                "Update Job request for job {} cannot be empty.",
                req.job_id
            )));
        }
        let j = self.job(ix);
        if j.status != JobStatus::InProgress {
            return Err(EngineError::invalid(format!(
                "Job {} in status {} cannot be updated.",
                req.job_id, j.status
            )));
        }
        let presigned = req
            .presigned_url_config
            .as_ref()
            .map(validate::presigned)
            .transpose()?;
        let rollout = req
            .job_executions_rollout_config
            .as_ref()
            .map(validate::rollout)
            .transpose()?;
        let abort = req.abort_config.as_ref().map(validate::abort).transpose()?;
        let timeout = req
            .timeout_config
            .as_ref()
            .map(validate::timeout)
            .transpose()?;
        // retry_update checks Coral constraints first, then refuses a job created without a
        // retry config (its policy is empty), as every other member does (spec §1.4).
        let retry = req
            .job_executions_retry_config
            .as_ref()
            .map(|r| validate::retry_update(&j.retry, r))
            .transpose()?;
        // ---- checked: apply.
        let j = self.job_mut(ix);
        if let Some(d) = req.description {
            j.description = Some(d);
        }
        if let (Some(p), Some(raw)) = (presigned, req.presigned_url_config) {
            j.presigned = p;
            j.presigned_raw = raw;
        }
        if let (Some(p), Some(raw)) = (rollout, req.job_executions_rollout_config) {
            j.rollout.policy = p;
            j.rollout_raw = raw;
        }
        if let (Some(a), Some(raw)) = (abort, req.abort_config) {
            j.abort = a;
            j.abort_raw = Some(raw);
        }
        // New timeouts apply to executions that start afterwards (spec §6.4).
        if let (Some(t), Some(raw)) = (timeout, req.timeout_config) {
            j.timeout_minutes = t;
            j.timeout_raw = raw;
        }
        if let (Some(r), Some(raw)) = (retry, req.job_executions_retry_config) {
            j.retry = r;
            j.retry_raw = Some(raw);
        }
        j.last_updated_at = now;
        Ok(self.finish(now, ()))
    }

    /// CancelJob: stops the rollout and cancels QUEUED executions (IN_PROGRESS ones with `force`).
    pub fn cancel_job(
        &mut self,
        now: Timestamp,
        req: CancelJobRequest,
    ) -> EngineResult<Outcome<JobRef>> {
        let mut v = Violations::new();
        validate::job_id(&mut v, "jobId", &req.job_id);
        if let Some(r) = &req.reason_code {
            validate::reason_code(&mut v, "reasonCode", r);
        }
        if let Some(c) = &req.comment {
            validate::description(&mut v, "comment", c);
        }
        v.into_result()?;
        let ix = self.require_job(&req.job_id)?;
        let j = self.job(ix);
        // Choice (spec §12.11): a finished job cannot be canceled again, except that a canceled
        // job may be canceled with force to stop executions still in progress.
        let allowed = match j.status {
            JobStatus::InProgress | JobStatus::Scheduled => true,
            JobStatus::Canceled => req.force,
            JobStatus::Completed | JobStatus::DeletionInProgress => false,
        };
        if !allowed {
            return Err(EngineError::invalid(format!(
                "Job {} in status {} cannot be canceled.",
                req.job_id, j.status
            )));
        }
        let response = JobRef {
            job_arn: j.arn.clone(),
            job_id: j.id.to_string(),
            description: j.description.clone(),
        };
        let cause = CancelCause {
            force: req.force,
            reason_code: req.reason_code.or_else(|| j.reason_code.clone()),
            comment: req.comment.or_else(|| j.comment.clone()),
        };
        self.cancel_job_now(ix, now, cause);
        Ok(self.finish(now, response))
    }

    /// DeleteJob: terminal jobs, or any job with `force`; its executions go with it.
    pub fn delete_job(
        &mut self,
        now: Timestamp,
        req: DeleteJobRequest,
    ) -> EngineResult<Outcome<()>> {
        let mut v = Violations::new();
        validate::job_id(&mut v, "jobId", &req.job_id);
        if let Some(ns) = &req.namespace_id {
            validate::namespace_id(&mut v, "namespaceId", ns);
        }
        v.into_result()?;
        let ix = self.require_job(&req.job_id)?;
        let j = self.job(ix);
        if !j.status.is_terminal() && !req.force {
            return Err(EngineError::new(
                ErrorKind::InvalidStateTransition,
                format!(
                    "Job {} in status {} cannot be deleted without force.",
                    req.job_id, j.status
                ),
            ));
        }
        if j.namespace.as_deref() != req.namespace_id.as_deref() {
            return Err(EngineError::invalid(format!(
                "Job {} belongs to namespace {}; pass it as namespaceId.",
                req.job_id,
                j.namespace.as_deref().unwrap_or("(none)")
            )));
        }
        self.job_event(ix, "deletion_in_progress", now);
        self.cancel_job_timers(ix);
        // Record what devices see before the status changes: a SCHEDULED job's QUEUED executions
        // are hidden, and must not look visible for a moment because the job is being deleted.
        self.touch_job_things(ix);
        {
            let j = self.job_mut(ix);
            j.status = JobStatus::DeletionInProgress;
            j.rollout.queue.clear();
            j.rollout.stopped = true;
        }
        let mut all: Vec<ExecIx> = self
            .job(ix)
            .executions
            .values()
            .flat_map(|l| l.iter().copied())
            .collect();
        all.sort_unstable();
        for e in all {
            // Deleting a job deletes its executions, and each deletion is an execution event.
            self.execution_event(e, "deleted", now);
            self.remove_execution(e);
        }
        // Choice: deletion completes at once (AWS is eventually consistent here).
        self.job_event(ix, "deleted", now);
        let groups = self.job(ix).target_groups.clone();
        for g in groups {
            self.groups[g as usize].jobs.retain(|&j| j != ix);
        }
        let id = self.job(ix).id.clone();
        self.job_ids.remove(&id);
        self.flush_notifications(now);
        self.jobs[ix as usize] = None;
        Ok(self.finish(now, ()))
    }

    /// AssociateTargetsWithJob: adds targets to a CONTINUOUS job that is IN_PROGRESS.
    pub fn associate_targets_with_job(
        &mut self,
        now: Timestamp,
        req: AssociateTargetsWithJobRequest,
    ) -> EngineResult<Outcome<JobRef>> {
        let mut v = Violations::new();
        validate::job_id(&mut v, "jobId", &req.job_id);
        match &req.targets {
            None => v.not_null("targets"),
            Some(t) => v.list_length("targets", t.len(), 1, None),
        }
        if let Some(c) = &req.comment {
            validate::description(&mut v, "comment", c);
        }
        v.into_result()?;
        let ix = self.require_job(&req.job_id)?;
        let j = self.job(ix);
        if j.target_selection != TargetSelection::Continuous {
            // Choice (spec §11.29): the only fitting modelled error is InvalidRequestException.
            return Err(EngineError::invalid(format!(
                "Targets can only be associated with a CONTINUOUS job; job {} is SNAPSHOT.",
                req.job_id
            )));
        }
        if j.status != JobStatus::InProgress {
            return Err(EngineError::invalid(format!(
                "Job {} in status {} cannot be associated with new targets.",
                req.job_id, j.status
            )));
        }
        let arns = req.targets.clone().unwrap_or_default();
        let resolved = self.resolve_targets_arns(&arns)?;
        let mut new_arns = Vec::new();
        let mut new_targets = Vec::new();
        for (arn, t) in arns.iter().zip(resolved) {
            if !j.targets.contains(arn) && !new_arns.contains(arn) {
                new_arns.push(arn.clone());
                new_targets.push(t);
            }
        }
        if j.targets.len() + new_arns.len() > MAX_TARGETS {
            return Err(EngineError::new(
                ErrorKind::LimitExceeded,
                format!("A job can have at most {MAX_TARGETS} targets."),
            ));
        }
        let response = JobRef {
            job_arn: j.arn.clone(),
            job_id: j.id.to_string(),
            description: j.description.clone(),
        };
        // ---- checked: apply.
        let mut joined = Vec::new();
        for t in new_targets {
            match t {
                Target::Thing(t) => {
                    self.job_mut(ix).target_things.push(t);
                    joined.push(t);
                }
                Target::Group(g) => {
                    self.job_mut(ix).target_groups.push(g);
                    self.groups[g as usize].jobs.push(ix);
                    joined.extend(self.group_members_recursive(g));
                }
            }
        }
        let j = self.job_mut(ix);
        j.targets.extend(new_arns);
        j.last_updated_at = now;
        let mut seen = std::collections::HashSet::new();
        for t in joined {
            if seen.insert(t) {
                self.on_thing_joined(ix, t, now);
            }
        }
        Ok(self.finish(now, response))
    }
}
