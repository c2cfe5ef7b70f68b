//! The emulator engine: every AWS IoT Jobs behaviour as a sans-IO state machine.
//!
//! Every operation (control plane, device plane, timer firing) is a method that validates first,
//! then mutates, then returns an [`Outcome`]: the response and the ordered [`Effect`]s it caused.
//! A rejected operation returns an [`EngineError`] and has changed nothing. The engine never reads
//! a clock: callers pass `now`, and [`Engine::fire_next_timer`] tells it when its own timers are due.

pub mod api;
pub mod config;
pub mod cron;
pub mod document;
pub mod effects;
pub mod error;
pub mod managed;
pub mod status;
pub mod store;
pub mod time;
pub mod timers;
pub mod validate;

mod device;
mod events;
mod executions;
mod jobs;
mod lifecycle;
mod notify;
mod registry;
mod templates;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

pub use api::*;
pub use effects::Effect;
pub use error::{EngineError, EngineResult, ErrorKind, ExecutionState, Plane};
pub use status::{ExecStatus, JobStatus, TargetSelection};
pub use time::Timestamp;
pub use timers::TimerKey;

use store::*;
use timers::TimerQueue;

/// What an accepted operation returns: its response and the effects it caused, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome<R> {
    pub response: R,
    pub effects: Vec<Effect>,
}

/// Account-level settings and quotas of one emulated AWS account in one region.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    pub region: String,
    pub account_id: String,
    /// IN_PROGRESS and SCHEDULED jobs allowed at once (`LimitExceededException` beyond).
    pub max_active_jobs: usize,
    /// Jobs rolling out at once (`isConcurrent`); a scheduled job starting beyond it is canceled.
    pub max_concurrent_jobs: usize,
    /// Where presigned-URL placeholders point when a device reads its document.
    pub presigned_url_base: String,
    /// The prefix of the account's endpoints (`<prefix>-ats.iot.<region>.amazonaws.com`).
    pub endpoint_prefix: String,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            region: "us-east-1".into(),
            account_id: "123456789012".into(),
            // Choice (spec §9.2, §12.7): the current quotas are not published in a form we could
            // read; these are generous defaults that tests override to exercise the limits.
            max_active_jobs: 2000,
            max_concurrent_jobs: 500,
            presigned_url_base: "http://127.0.0.1:4566/_jobrig/s3".into(),
            endpoint_prefix: "jobrig".into(),
        }
    }
}

#[derive(Clone, Debug, Default)]
struct EventSettings {
    job: bool,
    job_execution: bool,
    modified: Option<Timestamp>,
}

/// A thing (and its namespace) whose pending executions an operation may change, with the
/// pending set it had before the change: the basis of notify / notify-next (spec §4.5).
#[derive(Clone, Debug)]
struct Touched {
    thing: ThingIx,
    namespace: Option<Arc<str>>,
    before: Vec<(JobIx, i64)>,
}

#[derive(Clone, Debug)]
pub struct Engine {
    cfg: EngineConfig,
    things: Vec<Thing>,
    thing_names: HashMap<Arc<str>, ThingIx>,
    groups: Vec<ThingGroup>,
    group_names: HashMap<Arc<str>, GroupIx>,
    jobs: Vec<Option<Job>>,
    job_ids: HashMap<Arc<str>, JobIx>,
    execs: Vec<Option<Execution>>,
    templates: BTreeMap<String, JobTemplate>,
    document_sources: HashMap<String, String>,
    events: EventSettings,
    timers: TimerQueue,
    created_at: Timestamp,
    seq: u64,
    ids: u64,
    effects: Vec<Effect>,
    touched: Vec<Touched>,
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new(EngineConfig::default())
    }
}

impl Engine {
    pub fn new(cfg: EngineConfig) -> Self {
        Engine {
            cfg,
            things: Vec::new(),
            thing_names: HashMap::new(),
            groups: Vec::new(),
            group_names: HashMap::new(),
            jobs: Vec::new(),
            job_ids: HashMap::new(),
            execs: Vec::new(),
            templates: BTreeMap::new(),
            document_sources: HashMap::new(),
            events: EventSettings::default(),
            timers: TimerQueue::default(),
            created_at: Timestamp::default(),
            seq: 0,
            ids: 0,
            effects: Vec::new(),
            touched: Vec::new(),
        }
    }

    /// When this emulated account came into being (DescribeEventConfigurations' `creationDate`).
    pub fn set_created_at(&mut self, at: Timestamp) {
        self.created_at = at;
    }

    pub fn config(&self) -> &EngineConfig {
        &self.cfg
    }

    /// Forgets everything: the state of a fresh account.
    pub fn reset(&mut self) {
        let created_at = self.created_at;
        *self = Engine::new(self.cfg.clone());
        self.created_at = created_at;
    }

    /// Makes `url` fetchable as a job's `documentSource` (jobrig has no S3; see docs/fidelity.md).
    pub fn register_document_source(&mut self, url: &str, document: &str) {
        self.document_sources
            .insert(url.to_string(), document.to_string());
    }

    // ------------------------------------------------------------ naming

    fn arn(&self, resource: &str) -> String {
        format!(
            "arn:aws:iot:{}:{}:{}",
            self.cfg.region, self.cfg.account_id, resource
        )
    }

    pub(crate) fn thing_arn(&self, name: &str) -> String {
        self.arn(&format!("thing/{name}"))
    }

    pub(crate) fn group_arn(&self, name: &str) -> String {
        self.arn(&format!("thinggroup/{name}"))
    }

    /// A deterministic UUID-shaped id, so that runs are reproducible.
    fn next_uuid(&mut self) -> String {
        self.ids += 1;
        format!("00000000-0000-4000-8000-{:012x}", self.ids)
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    // ------------------------------------------------------------ lookups

    fn thing_ix(&self, name: &str) -> Option<ThingIx> {
        self.thing_names.get(name).copied()
    }

    fn group_ix(&self, name: &str) -> Option<GroupIx> {
        self.group_names.get(name).copied()
    }

    fn job_ix(&self, id: &str) -> Option<JobIx> {
        self.job_ids.get(id).copied()
    }

    fn job(&self, ix: JobIx) -> &Job {
        // Job indexes come only from the id index or from executions and timers of live jobs;
        // every path that deletes a job removes those first.
        match self.jobs.get(ix as usize).and_then(Option::as_ref) {
            Some(j) => j,
            None => unreachable_job(ix),
        }
    }

    fn job_mut(&mut self, ix: JobIx) -> &mut Job {
        match self.jobs.get_mut(ix as usize).and_then(Option::as_mut) {
            Some(j) => j,
            None => unreachable_job(ix),
        }
    }

    fn exec(&self, ix: ExecIx) -> &Execution {
        match self.execs.get(ix as usize).and_then(Option::as_ref) {
            Some(e) => e,
            None => unreachable_exec(ix),
        }
    }

    fn exec_mut(&mut self, ix: ExecIx) -> &mut Execution {
        match self.execs.get_mut(ix as usize).and_then(Option::as_mut) {
            Some(e) => e,
            None => unreachable_exec(ix),
        }
    }

    fn require_job(&self, id: &str) -> EngineResult<JobIx> {
        self.job_ix(id)
            .filter(|&ix| self.job(ix).status != JobStatus::DeletionInProgress)
            .ok_or_else(|| EngineError::not_found(format!("Job {id} cannot be found.")))
    }

    fn require_thing(&self, name: &str) -> EngineResult<ThingIx> {
        self.thing_ix(name)
            .ok_or_else(|| EngineError::not_found(format!("Thing {name} cannot be found.")))
    }

    fn require_group(&self, name: &str) -> EngineResult<GroupIx> {
        self.group_ix(name)
            .ok_or_else(|| EngineError::not_found(format!("Thing group {name} cannot be found.")))
    }

    /// The executions of `job` on `thing`, oldest first.
    fn executions_of(&self, job: JobIx, thing: ThingIx) -> &[ExecIx] {
        self.job(job)
            .executions
            .get(&thing)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// One execution of `job_id` on `thing_name`: the given number, or the newest.
    fn find_execution(
        &self,
        thing_name: &str,
        job_id: &str,
        number: Option<i64>,
    ) -> EngineResult<ExecIx> {
        let not_found = || {
            EngineError::not_found(format!(
                "Job execution {job_id} for thing {thing_name} cannot be found."
            ))
        };
        let job = self.job_ix(job_id).ok_or_else(not_found)?;
        if self.job(job).status == JobStatus::DeletionInProgress {
            return Err(not_found());
        }
        let thing = self.thing_ix(thing_name).ok_or_else(not_found)?;
        let list = self.executions_of(job, thing);
        let found = match number {
            Some(n) => list.iter().copied().find(|&e| self.exec(e).number == n),
            None => list.last().copied(),
        };
        found.ok_or_else(not_found)
    }

    // ------------------------------------------------------------ outcome plumbing

    /// Ends an accepted operation: emits the notifications its changes imply and hands back
    /// everything it caused.
    fn finish<R>(&mut self, now: Timestamp, response: R) -> Outcome<R> {
        self.flush_notifications(now);
        Outcome {
            response,
            effects: std::mem::take(&mut self.effects),
        }
    }

    fn arm(&mut self, key: TimerKey, at: Timestamp) {
        self.timers.arm(key, at);
        self.effects.push(Effect::TimerArmed { key, at });
    }

    fn disarm(&mut self, key: TimerKey) {
        if self.timers.cancel(key) {
            self.effects.push(Effect::TimerCanceled { key });
        }
    }

    /// When the engine next needs to act on its own.
    pub fn next_deadline(&self) -> Option<Timestamp> {
        self.timers.next_deadline()
    }

    /// Number of armed timers.
    pub fn armed_timers(&self) -> usize {
        self.timers.len()
    }

    // ------------------------------------------------------------ invariants (for tests)

    /// Checks the store's internal consistency; `Err` names the first broken invariant.
    pub fn check_invariants(&self) -> Result<(), String> {
        for job in self.jobs.iter().flatten() {
            let mut counts = [0u64; 8];
            let mut total = 0u64;
            for list in job.executions.values() {
                for &e in list {
                    let ex = self.exec(e);
                    counts[ex.status.index()] += 1;
                    total += 1;
                    if ex.version < 1 {
                        return Err(format!("execution version {} < 1", ex.version));
                    }
                }
            }
            if counts != job.counts {
                return Err(format!(
                    "job {} counters {:?} != executions {:?}",
                    job.id, job.counts, counts
                ));
            }
            if job.counts.iter().sum::<u64>() != total {
                return Err(format!("job {} counters do not sum to executions", job.id));
            }
        }
        for (ix, thing) in self.things.iter().enumerate() {
            for &e in &thing.pending {
                let ex = self.exec(e);
                if ex.status.is_terminal() || ex.thing as usize != ix {
                    return Err(format!("thing {} pending list holds {e}", thing.name));
                }
            }
        }
        Ok(())
    }
}

#[cold]
fn unreachable_job(ix: JobIx) -> ! {
    panic!("engine invariant broken: job slot {ix} is empty")
}

#[cold]
fn unreachable_exec(ix: ExecIx) -> ! {
    panic!("engine invariant broken: execution slot {ix} is empty")
}

// ---------------------------------------------------------------- pagination

const TOKEN_PREFIX: &str = "jrt1-";

/// Cuts one page out of `items`; the token is opaque to clients (spec §1.6).
fn paginate<T>(
    items: Vec<T>,
    max_results: Option<i64>,
    next_token: Option<&str>,
) -> EngineResult<(Vec<T>, Option<String>)> {
    let page = validate::max_results(max_results)?;
    let start = match next_token {
        None | Some("") => 0,
        Some(t) => t
            .strip_prefix(TOKEN_PREFIX)
            .and_then(|hex| usize::from_str_radix(hex, 16).ok())
            .filter(|&o| o <= items.len())
            .ok_or_else(|| EngineError::invalid("Next token is invalid."))?,
    };
    let end = start.saturating_add(page).min(items.len());
    let token = (end < items.len()).then(|| format!("{TOKEN_PREFIX}{end:x}"));
    let page: Vec<T> = items.into_iter().skip(start).take(end - start).collect();
    Ok((page, token))
}

#[cfg(test)]
mod tests;
