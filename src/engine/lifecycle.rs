//! What happens to jobs and executions over time: creation of executions by rollout, status
//! transitions with their counters and timers, timeouts, retries, abort criteria, completion,
//! scheduling and maintenance windows — and the timers that drive them (spec §5, §6).

use super::config::{EndBehavior, FailureType, RateCriterion};
use super::effects::Effect;
use super::status::{ExecStatus, JobStatus, TargetSelection};
use super::store::*;
use super::time::Timestamp;
use super::timers::TimerKey;
use super::{Engine, Outcome};

/// How long one rollout step lasts: rates are per minute of emulator time.
const ROLLOUT_PERIOD_MS: i64 = Timestamp::MILLIS_PER_MINUTE;

/// Why a job is being canceled, for its reason code, comment and `forceCanceled`.
pub(super) struct CancelCause {
    pub force: bool,
    pub reason_code: Option<String>,
    pub comment: Option<String>,
}

impl Engine {
    // ------------------------------------------------------------ timers

    /// Fires the earliest timer due at or before `limit`, at its own due time. Returns `None`
    /// when nothing is due; callers loop until then (see [`crate::emulator::Emulator::advance`]).
    pub fn fire_next_timer(&mut self, limit: Timestamp) -> Option<Outcome<Timestamp>> {
        let (at, key) = self.timers.pop_due(limit)?;
        match key {
            TimerKey::ExecutionTimeout(ex) => self.on_execution_deadline(ex, at),
            TimerKey::RolloutTick(job) => self.on_rollout_tick(job, at),
            TimerKey::JobStart(job) => self.on_job_start(job, at),
            TimerKey::JobEnd(job) => self.on_job_end(job, at),
            TimerKey::WindowOpen(job) => self.on_window_open(job, at),
            TimerKey::WindowClose(job) => self.on_window_close(job, at),
        }
        Some(self.finish(at, at))
    }

    /// Fires every timer due at or before `now`, in order, returning all their effects.
    pub fn fire_due_timers(&mut self, now: Timestamp) -> Vec<Effect> {
        let mut out = Vec::new();
        while let Some(o) = self.fire_next_timer(now) {
            out.extend(o.effects);
        }
        out
    }

    // ------------------------------------------------------------ executions

    /// Queues a new execution of `job` on `thing`.
    pub(super) fn create_execution(
        &mut self,
        job: JobIx,
        thing: ThingIx,
        now: Timestamp,
        retry_attempt: u32,
        retries: (u32, u32),
    ) -> ExecIx {
        let ns = self.job(job).namespace.clone();
        self.touch(thing, ns);
        let number = self
            .executions_of(job, thing)
            .last()
            .map_or(1, |&e| self.exec(e).number + 1);
        let seq = self.next_seq();
        let ix = self.execs.len() as ExecIx;
        self.execs.push(Some(Execution {
            job,
            thing,
            number,
            status: ExecStatus::Queued,
            version: 1,
            status_details: Default::default(),
            queued_at: now,
            started_at: None,
            last_updated_at: now,
            force_canceled: false,
            retry_attempt,
            retries_failed: retries.0,
            retries_timed_out: retries.1,
            in_progress_deadline: None,
            step_deadline: None,
            seq,
        }));
        self.things[thing as usize].pending.push(ix);
        let j = self.job_mut(job);
        j.executions.entry(thing).or_default().push(ix);
        j.counts[ExecStatus::Queued.index()] += 1;
        ix
    }

    /// Moves an execution to `to`, keeping counters, pending lists and timers in step.
    /// Terminal statuses then run their consequences (event, abort, retry, completion).
    pub(super) fn set_status(
        &mut self,
        ex: ExecIx,
        to: ExecStatus,
        now: Timestamp,
        bump_version: bool,
    ) {
        self.touch_exec(ex);
        let (job, thing, from) = {
            let x = self.exec_mut(ex);
            let from = x.status;
            x.status = to;
            x.last_updated_at = now;
            if bump_version {
                x.version += 1;
            }
            if from == ExecStatus::Queued && to == ExecStatus::InProgress {
                x.started_at = Some(now);
            }
            (x.job, x.thing, from)
        };
        if from != to {
            let j = self.job_mut(job);
            j.counts[from.index()] -= 1;
            j.counts[to.index()] += 1;
        }
        if from == ExecStatus::Queued && to == ExecStatus::InProgress {
            let minutes = self.job(job).timeout_minutes;
            let x = self.exec_mut(ex);
            x.in_progress_deadline = minutes.map(|m| now.plus_minutes(i64::from(m)));
        }
        if to.is_terminal() {
            self.things[thing as usize].pending.retain(|&e| e != ex);
            let x = self.exec_mut(ex);
            x.in_progress_deadline = None;
            x.step_deadline = None;
            self.disarm(TimerKey::ExecutionTimeout(ex));
            if let Some(op) = to.event_operation() {
                self.execution_event(ex, op, now);
            }
            self.after_terminal(ex, now);
        } else {
            self.rearm_deadline(ex);
        }
    }

    /// Sets or clears an execution's step timer. The step never outlasts the in-progress timer
    /// because the armed deadline is the earlier of the two ([`Execution::deadline`]).
    pub(super) fn set_step_timeout(&mut self, ex: ExecIx, minutes: Option<u32>, now: Timestamp) {
        self.exec_mut(ex).step_deadline = minutes.map(|m| now.plus_minutes(i64::from(m)));
        self.rearm_deadline(ex);
    }

    fn rearm_deadline(&mut self, ex: ExecIx) {
        let x = self.exec(ex);
        match (x.status, x.deadline()) {
            (ExecStatus::InProgress, Some(at)) => self.arm(TimerKey::ExecutionTimeout(ex), at),
            _ => self.disarm(TimerKey::ExecutionTimeout(ex)),
        }
    }

    fn on_execution_deadline(&mut self, ex: ExecIx, at: Timestamp) {
        let Some(x) = self.execs.get(ex as usize).and_then(Option::as_ref) else {
            return;
        };
        if x.status == ExecStatus::InProgress && x.deadline().is_some_and(|d| d <= at) {
            self.set_status(ex, ExecStatus::TimedOut, at, true);
        }
    }

    /// Removes an execution from the store (DeleteJobExecution, DeleteJob).
    pub(super) fn remove_execution(&mut self, ex: ExecIx) {
        self.touch_exec(ex);
        self.disarm(TimerKey::ExecutionTimeout(ex));
        let Some(x) = self.execs.get_mut(ex as usize).and_then(Option::take) else {
            return;
        };
        self.things[x.thing as usize].pending.retain(|&e| e != ex);
        if let Some(j) = self.jobs.get_mut(x.job as usize).and_then(Option::as_mut) {
            j.counts[x.status.index()] -= 1;
            if let Some(list) = j.executions.get_mut(&x.thing) {
                list.retain(|&e| e != ex);
                if list.is_empty() {
                    j.executions.remove(&x.thing);
                }
            }
        }
    }

    /// Consequences of an execution reaching a terminal status, in order: abort criteria (which
    /// may cancel the job), then a retry, then job completion.
    fn after_terminal(&mut self, ex: ExecIx, now: Timestamp) {
        let job = self.exec(ex).job;
        self.check_abort(job, now);
        self.maybe_retry(ex, now);
        self.maybe_complete(job, now);
    }

    fn maybe_retry(&mut self, ex: ExecIx, now: Timestamp) {
        let x = self.exec(ex);
        let (job, thing, status) = (x.job, x.thing, x.status);
        let j = self.job(job);
        if j.retry.is_empty()
            || !matches!(j.status, JobStatus::InProgress | JobStatus::Scheduled)
            || j.rollout.stopped
            || self.things[thing as usize].deleted
        {
            return;
        }
        // Only the newest execution of a thing can be retried.
        if self.executions_of(job, thing).last() != Some(&ex) {
            return;
        }
        if j.target_selection == TargetSelection::Continuous && !self.is_targeted(job, thing) {
            return;
        }
        let (used_failed, used_timed_out) = (x.retries_failed, x.retries_timed_out);
        let p = j.retry;
        let retry = match status {
            ExecStatus::Failed => match (p.all, p.failed) {
                (Some(n), _) => used_failed + used_timed_out < n,
                (None, Some(n)) => used_failed < n,
                _ => false,
            },
            ExecStatus::TimedOut => match (p.all, p.timed_out) {
                (Some(n), _) => used_failed + used_timed_out < n,
                (None, Some(n)) => used_timed_out < n,
                _ => false,
            },
            _ => false,
        };
        if !retry {
            return;
        }
        let next = if status == ExecStatus::Failed {
            (used_failed + 1, used_timed_out)
        } else {
            (used_failed, used_timed_out + 1)
        };
        let attempt = x.retry_attempt + 1;
        self.create_execution(job, thing, now, attempt, next);
    }

    /// Abort criteria (spec §6.2), checked in order once enough executions have finished.
    fn check_abort(&mut self, job: JobIx, now: Timestamp) {
        let j = self.job(job);
        if j.abort.is_empty() || !matches!(j.status, JobStatus::InProgress | JobStatus::Scheduled) {
            return;
        }
        let failed = j.count(ExecStatus::Failed);
        let rejected = j.count(ExecStatus::Rejected);
        let timed_out = j.count(ExecStatus::TimedOut);
        // Choice: "executed" = executions that ran to an outcome (SUCCEEDED, FAILED, REJECTED,
        // TIMED_OUT); CANCELED and REMOVED executions never ran.
        let executed = j.count(ExecStatus::Succeeded) + failed + rejected + timed_out;
        let hit = j.abort.iter().find(|rule| {
            if executed < u64::from(rule.min_executed) || executed == 0 {
                return false;
            }
            let failures = match rule.failure_type {
                FailureType::Failed => failed,
                FailureType::Rejected => rejected,
                FailureType::TimedOut => timed_out,
                FailureType::All => failed + rejected + timed_out,
            };
            failures as f64 * 100.0 / executed as f64 >= rule.threshold_percentage
        });
        let Some(rule) = hit.copied() else {
            return;
        };
        let cause = CancelCause {
            force: false,
            // Choice (spec §12.4): AWS fills these automatically; the strings are not documented.
            reason_code: Some("ABORT_CRITERIA_MET".into()),
            comment: Some(format!(
                "Job aborted: {}% of {} executed things reached {} (threshold {}%).",
                round2(
                    match rule.failure_type {
                        FailureType::Failed => failed,
                        FailureType::Rejected => rejected,
                        FailureType::TimedOut => timed_out,
                        FailureType::All => failed + rejected + timed_out,
                    } as f64
                        * 100.0
                        / executed as f64
                ),
                executed,
                rule.failure_type.as_str(),
                rule.threshold_percentage
            )),
        };
        self.cancel_job_now(job, now, cause);
    }

    /// SNAPSHOT jobs complete when every execution is terminal and the rollout is over; CONTINUOUS
    /// jobs only once their `endTime` stopped them (spec §5.1).
    pub(super) fn maybe_complete(&mut self, job: JobIx, now: Timestamp) {
        let j = self.job(job);
        let can_complete = match j.target_selection {
            TargetSelection::Snapshot => j.rollout.started && j.rollout.queue.is_empty(),
            TargetSelection::Continuous => j.rollout.stopped,
        };
        if j.status != JobStatus::InProgress || !can_complete || j.pending_count() != 0 {
            return;
        }
        let j = self.job_mut(job);
        j.status = JobStatus::Completed;
        j.completed_at = Some(now);
        j.last_updated_at = now;
        self.cancel_job_timers(job);
        self.job_event(job, "completed", now);
    }

    // ------------------------------------------------------------ targets and rollout

    /// Every thing `job` targets right now (direct things, then group members incl. child groups),
    /// each once, in target order.
    pub(super) fn resolve_targets(&self, job: JobIx) -> Vec<ThingIx> {
        let j = self.job(job);
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for &t in &j.target_things {
            if !self.things[t as usize].deleted && seen.insert(t) {
                out.push(t);
            }
        }
        for &g in &j.target_groups {
            for t in self.group_members_recursive(g) {
                if seen.insert(t) {
                    out.push(t);
                }
            }
        }
        out
    }

    /// Members of `group` and of all its descendants, group by group.
    pub(super) fn group_members_recursive(&self, group: GroupIx) -> Vec<ThingIx> {
        let mut out = Vec::new();
        let mut stack = vec![group];
        while let Some(g) = stack.pop() {
            let grp = &self.groups[g as usize];
            if grp.deleted {
                continue;
            }
            out.extend(grp.members.iter().copied());
            stack.extend(grp.children.iter().rev().copied());
        }
        out
    }

    /// Whether `thing` is still among `job`'s targets.
    pub(super) fn is_targeted(&self, job: JobIx, thing: ThingIx) -> bool {
        let j = self.job(job);
        if j.target_things.contains(&thing) {
            return true;
        }
        let t = &self.things[thing as usize];
        t.groups.iter().any(|&g| {
            let mut cur = Some(g);
            while let Some(c) = cur {
                if j.target_groups.contains(&c) {
                    return true;
                }
                cur = self.groups[c as usize].parent;
            }
            false
        })
    }

    /// Starts a job's rollout: at creation, or at its `startTime`.
    pub(super) fn begin_job(&mut self, job: JobIx, now: Timestamp) {
        let targets = self.resolve_targets(job);
        let j = self.job_mut(job);
        j.rollout.queue = targets.into();
        j.rollout.started = true;
        if j.has_windows() {
            self.enter_window_or_wait(job, now);
        } else {
            self.set_job_status(job, JobStatus::InProgress, now);
            self.rollout_step(job, now);
        }
        self.maybe_complete(job, now);
    }

    /// With maintenance windows: roll out now if inside one, otherwise wait for the next.
    fn enter_window_or_wait(&mut self, job: JobIx, now: Timestamp) {
        match self.window_containing(job, now) {
            Some(end) => {
                self.set_job_status(job, JobStatus::InProgress, now);
                self.arm(TimerKey::WindowClose(job), end);
                self.rollout_step(job, now);
            }
            None => {
                self.set_job_status(job, JobStatus::Scheduled, now);
                self.disarm(TimerKey::RolloutTick(job));
                if let Some(next) = self.next_window_start(job, now) {
                    self.arm(TimerKey::WindowOpen(job), next);
                }
            }
        }
    }

    /// The end of the window of `job` that contains `now`, if any (the latest-ending one).
    fn window_containing(&self, job: JobIx, now: Timestamp) -> Option<Timestamp> {
        self.job(job)
            .schedule
            .windows
            .iter()
            .filter_map(|w| w.cron.window_containing(now, w.duration_minutes))
            .map(|(_, end)| end)
            .max()
    }

    /// The next window start strictly after `now`.
    fn next_window_start(&self, job: JobIx, now: Timestamp) -> Option<Timestamp> {
        self.job(job)
            .schedule
            .windows
            .iter()
            .filter_map(|w| w.cron.next_start_at_or_after(now.plus_millis(1)))
            .min()
    }

    /// The next `n` window starts at or after `now` across all windows (`scheduledJobRollouts`).
    pub(super) fn upcoming_windows(&self, job: JobIx, now: Timestamp, n: usize) -> Vec<Timestamp> {
        let mut starts: Vec<Timestamp> = self
            .job(job)
            .schedule
            .windows
            .iter()
            .flat_map(|w| w.cron.next_starts(now, n))
            .collect();
        starts.sort_unstable();
        starts.dedup();
        starts.truncate(n);
        starts
    }

    /// Sets the job status; SCHEDULED ↔ IN_PROGRESS changes what devices see, so they are touched.
    pub(super) fn set_job_status(&mut self, job: JobIx, to: JobStatus, now: Timestamp) {
        let from = self.job(job).status;
        if from == to {
            return;
        }
        if from == JobStatus::Scheduled || to == JobStatus::Scheduled {
            self.touch_job_things(job);
        }
        let j = self.job_mut(job);
        j.status = to;
        j.last_updated_at = now;
    }

    /// The rate for the next minute of rollout (spec §6.1).
    fn current_rate(&self, job: JobIx) -> u64 {
        let j = self.job(job);
        let p = j.rollout.policy;
        let max = u64::from(p.maximum_per_minute);
        let Some(e) = p.exponential else {
            return max;
        };
        let (count, per_step) = match e.criterion {
            RateCriterion::Notified(n) => (j.rollout.notified, n),
            RateCriterion::Succeeded(n) => (j.count(ExecStatus::Succeeded), n),
        };
        let steps = count / u64::from(per_step.max(1));
        let mut rate = f64::from(e.base_per_minute);
        for _ in 0..steps {
            rate *= e.increment_factor;
            if rate >= max as f64 {
                return max;
            }
        }
        (rate.floor() as u64).clamp(1, max)
    }

    /// Creates up to one minute's worth of executions and arms the next minute if more remain.
    fn rollout_step(&mut self, job: JobIx, now: Timestamp) {
        let j = self.job(job);
        if j.status != JobStatus::InProgress || j.rollout.stopped {
            return;
        }
        let mut budget = self.current_rate(job);
        while budget > 0 {
            let Some(thing) = self.job_mut(job).rollout.queue.pop_front() else {
                break;
            };
            // A thing that already got its execution (it joined a group meanwhile), or that was
            // deleted, takes no share of the rate.
            if self.things[thing as usize].deleted || !self.executions_of(job, thing).is_empty() {
                continue;
            }
            self.create_execution(job, thing, now, 0, (0, 0));
            self.job_mut(job).rollout.notified += 1;
            budget -= 1;
        }
        if self.job(job).rollout.queue.is_empty() {
            self.disarm(TimerKey::RolloutTick(job));
        } else {
            self.arm(
                TimerKey::RolloutTick(job),
                now.plus_millis(ROLLOUT_PERIOD_MS),
            );
        }
    }

    fn on_rollout_tick(&mut self, job: JobIx, at: Timestamp) {
        if self
            .jobs
            .get(job as usize)
            .and_then(Option::as_ref)
            .is_none()
        {
            return;
        }
        self.rollout_step(job, at);
        self.maybe_complete(job, at);
    }

    /// A thing joined one of a CONTINUOUS job's target groups (spec §6.6): a new execution unless
    /// one is still pending; near real time, not throttled, but only inside maintenance windows.
    pub(super) fn on_thing_joined(&mut self, job: JobIx, thing: ThingIx, now: Timestamp) {
        let j = self.job(job);
        if j.target_selection != TargetSelection::Continuous
            || j.rollout.stopped
            || !j.rollout.started
            || !matches!(j.status, JobStatus::InProgress | JobStatus::Scheduled)
        {
            return;
        }
        if let Some(&last) = self.executions_of(job, thing).last() {
            if !self.exec(last).status.is_terminal() {
                return;
            }
        }
        if self.job(job).status == JobStatus::Scheduled {
            // Outside a maintenance window: the thing waits for the next window's rollout.
            let q = &mut self.job_mut(job).rollout.queue;
            if !q.contains(&thing) {
                q.push_back(thing);
            }
            return;
        }
        self.create_execution(job, thing, now, 0, (0, 0));
    }

    /// A thing left a CONTINUOUS job's targets: a QUEUED execution becomes REMOVED (spec §5.2).
    pub(super) fn on_thing_left(&mut self, job: JobIx, thing: ThingIx, now: Timestamp) {
        if self.job(job).target_selection != TargetSelection::Continuous
            || self.is_targeted(job, thing)
        {
            return;
        }
        self.job_mut(job).rollout.queue.retain(|&t| t != thing);
        if let Some(&last) = self.executions_of(job, thing).last() {
            if self.exec(last).status == ExecStatus::Queued {
                self.set_status(last, ExecStatus::Removed, now, false);
            }
        }
    }

    // ------------------------------------------------------------ scheduling

    /// Jobs rolling out right now: what the job-concurrency quota counts (spec §9.2).
    pub(super) fn rolling_jobs(&self) -> usize {
        self.jobs
            .iter()
            .flatten()
            .filter(|j| j.is_concurrent())
            .count()
    }

    fn on_job_start(&mut self, job: JobIx, at: Timestamp) {
        if self.job(job).status != JobStatus::Scheduled || self.job(job).rollout.started {
            return;
        }
        if self.rolling_jobs() >= self.cfg.max_concurrent_jobs {
            // Spec §5.1: a scheduled job that starts while the account is at its concurrency
            // limit is canceled.
            self.cancel_job_now(
                job,
                at,
                CancelCause {
                    force: false,
                    reason_code: Some("CONCURRENCY_LIMIT_EXCEEDED".into()),
                    comment: Some(
                        "The job was canceled at its start time because the account was at its job concurrency limit."
                            .into(),
                    ),
                },
            );
            return;
        }
        self.begin_job(job, at);
    }

    fn on_job_end(&mut self, job: JobIx, at: Timestamp) {
        let j = self.job(job);
        if !matches!(j.status, JobStatus::InProgress | JobStatus::Scheduled) {
            return;
        }
        // Choice: an endTime without endBehavior stops the rollout (the least destructive).
        match j.schedule.end_behavior.unwrap_or(EndBehavior::StopRollout) {
            EndBehavior::StopRollout => {
                self.stop_rollout(job);
                if self.job(job).status == JobStatus::Scheduled {
                    self.set_job_status(job, JobStatus::InProgress, at);
                }
                self.maybe_complete(job, at);
            }
            EndBehavior::Cancel => self.cancel_job_now(job, at, end_cause(false)),
            EndBehavior::ForceCancel => self.cancel_job_now(job, at, end_cause(true)),
        }
    }

    fn on_window_open(&mut self, job: JobIx, at: Timestamp) {
        let j = self.job(job);
        if j.status != JobStatus::Scheduled || j.rollout.stopped || !j.rollout.started {
            return;
        }
        self.enter_window_or_wait(job, at);
        self.maybe_complete(job, at);
    }

    fn on_window_close(&mut self, job: JobIx, at: Timestamp) {
        if self.job(job).status != JobStatus::InProgress || self.job(job).rollout.stopped {
            return;
        }
        self.enter_window_or_wait(job, at);
    }

    fn stop_rollout(&mut self, job: JobIx) {
        let j = self.job_mut(job);
        j.rollout.stopped = true;
        j.rollout.queue.clear();
        for key in [
            TimerKey::RolloutTick(job),
            TimerKey::WindowOpen(job),
            TimerKey::WindowClose(job),
            TimerKey::JobStart(job),
        ] {
            self.disarm(key);
        }
    }

    pub(super) fn cancel_job_timers(&mut self, job: JobIx) {
        for key in [
            TimerKey::RolloutTick(job),
            TimerKey::WindowOpen(job),
            TimerKey::WindowClose(job),
            TimerKey::JobStart(job),
            TimerKey::JobEnd(job),
        ] {
            self.disarm(key);
        }
    }

    /// Cancels a job now (CancelJob, abort, `endBehavior`): rollout stops, QUEUED executions are
    /// canceled, IN_PROGRESS ones too when forced; terminal ones are left alone.
    pub(super) fn cancel_job_now(&mut self, job: JobIx, now: Timestamp, cause: CancelCause) {
        self.stop_rollout(job);
        self.cancel_job_timers(job);
        self.set_job_status(job, JobStatus::Canceled, now);
        {
            let j = self.job_mut(job);
            j.force_canceled = cause.force;
            j.reason_code = cause.reason_code;
            j.comment = cause.comment;
            j.last_updated_at = now;
        }
        self.job_event(job, "cancellation_in_progress", now);
        let mut victims: Vec<ExecIx> = self
            .job(job)
            .executions
            .values()
            .flat_map(|l| l.iter().copied())
            .filter(|&e| match self.exec(e).status {
                ExecStatus::Queued => true,
                ExecStatus::InProgress => cause.force,
                _ => false,
            })
            .collect();
        victims.sort_by_key(|&e| self.exec(e).seq);
        for e in victims {
            if self.exec(e).status == ExecStatus::InProgress {
                self.exec_mut(e).force_canceled = true;
            }
            self.set_status(e, ExecStatus::Canceled, now, true);
        }
        self.job_event(job, "canceled", now);
    }
}

fn end_cause(force: bool) -> CancelCause {
    CancelCause {
        force,
        // Choice: endBehavior cancels carry a service reason code, as aborts do.
        reason_code: Some("SCHEDULED_END_TIME_REACHED".into()),
        comment: Some("The job reached the end time of its scheduling configuration.".into()),
    }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}
