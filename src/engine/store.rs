//! The one store every plane goes through: things, groups, jobs, executions and templates.
//!
//! Entities live in append-only vectors addressed by small indexes, with name indexes beside them.
//! Slots are never reused, so an index held by a timer or a rollout queue can never point at a
//! different entity later; a deleted entity leaves a tombstone.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use super::api::{AttributePayload, ThingGroupProperties};
use super::config::*;
use super::status::{ExecStatus, JobStatus, TargetSelection};
use super::time::Timestamp;

pub type ThingIx = u32;
pub type GroupIx = u32;
pub type JobIx = u32;
pub type ExecIx = u32;

#[derive(Clone, Debug)]
pub struct Thing {
    pub name: Arc<str>,
    pub id: String,
    pub thing_type_name: Option<String>,
    pub attributes: BTreeMap<String, String>,
    pub billing_group_name: Option<String>,
    pub version: i64,
    pub deleted: bool,
    /// Static groups the thing was added to directly, in join order.
    pub groups: Vec<GroupIx>,
    /// Executions not yet terminal, in creation order.
    pub pending: Vec<ExecIx>,
}

#[derive(Clone, Debug)]
pub struct ThingGroup {
    pub name: Arc<str>,
    pub id: String,
    pub parent: Option<GroupIx>,
    pub children: Vec<GroupIx>,
    pub properties: ThingGroupProperties,
    pub version: i64,
    pub created_at: Timestamp,
    pub deleted: bool,
    pub members: BTreeSet<ThingIx>,
    /// Jobs that name this group among their targets.
    pub jobs: Vec<JobIx>,
}

/// Where a job's rollout stands (spec §6.1).
#[derive(Clone, Debug, Default)]
pub struct Rollout {
    pub policy: RolloutPolicy,
    /// Things still waiting for their execution, in target order.
    pub queue: VecDeque<ThingIx>,
    /// Executions created by the rollout (the exponential "notified" criterion).
    pub notified: u64,
    /// Whether the rollout has begun (at the job's start, which scheduling may defer).
    pub started: bool,
    /// Set once no more executions may be created (cancel, `endTime` reached).
    pub stopped: bool,
}

#[derive(Clone, Debug)]
pub struct Job {
    pub id: Arc<str>,
    pub arn: String,
    pub target_selection: TargetSelection,
    pub status: JobStatus,
    pub targets: Vec<String>,
    pub target_things: Vec<ThingIx>,
    pub target_groups: Vec<GroupIx>,
    pub document: Arc<str>,
    pub document_before_substitution: Option<Arc<str>>,
    pub document_source: Option<String>,
    pub description: Option<String>,
    pub presigned_raw: PresignedUrlConfig,
    pub presigned: PresignedPolicy,
    pub rollout_raw: JobExecutionsRolloutConfig,
    pub abort_raw: Option<AbortConfig>,
    pub abort: Vec<AbortRule>,
    pub timeout_raw: TimeoutConfig,
    pub timeout_minutes: Option<u32>,
    pub retry_raw: Option<JobExecutionsRetryConfig>,
    pub retry: RetryPolicy,
    pub scheduling_raw: SchedulingConfig,
    pub schedule: SchedulePolicy,
    pub namespace: Option<Arc<str>>,
    pub template_arn: Option<String>,
    pub document_parameters: Option<BTreeMap<String, String>>,
    pub destination_package_versions: Option<Vec<String>>,
    pub tags: Vec<Tag>,
    pub created_at: Timestamp,
    pub last_updated_at: Timestamp,
    pub completed_at: Option<Timestamp>,
    pub force_canceled: bool,
    pub reason_code: Option<String>,
    pub comment: Option<String>,
    /// Executions per status, indexed by [`ExecStatus::index`].
    pub counts: [u64; 8],
    /// Every execution of this job per thing, by ascending execution number.
    pub executions: HashMap<ThingIx, Vec<ExecIx>>,
    pub rollout: Rollout,
    /// Creation order, for stable listings.
    pub seq: u64,
}

impl Job {
    pub fn count(&self, s: ExecStatus) -> u64 {
        self.counts[s.index()]
    }

    pub fn pending_count(&self) -> u64 {
        self.count(ExecStatus::Queued) + self.count(ExecStatus::InProgress)
    }

    /// Rolling out new executions: the `isConcurrent` flag and the concurrency quota.
    pub fn is_concurrent(&self) -> bool {
        self.status == JobStatus::InProgress && !self.rollout.queue.is_empty()
    }

    pub fn has_windows(&self) -> bool {
        !self.schedule.windows.is_empty()
    }
}

#[derive(Clone, Debug)]
pub struct Execution {
    pub job: JobIx,
    pub thing: ThingIx,
    pub number: i64,
    pub status: ExecStatus,
    pub version: i64,
    pub status_details: StatusDetails,
    pub queued_at: Timestamp,
    pub started_at: Option<Timestamp>,
    pub last_updated_at: Timestamp,
    pub force_canceled: bool,
    pub retry_attempt: u32,
    /// Retries of this attempt chain spent on FAILED and on TIMED_OUT (spec §6.3 budgets).
    pub retries_failed: u32,
    pub retries_timed_out: u32,
    /// Absolute in-progress deadline, fixed when the execution started.
    pub in_progress_deadline: Option<Timestamp>,
    /// Absolute step deadline (the armed deadline is the earlier of the two).
    pub step_deadline: Option<Timestamp>,
    /// Creation order among all executions: ties in `queued_at` keep their order.
    pub seq: u64,
}

impl Execution {
    /// The deadline the timeout timer is armed for: the earlier of the two timers.
    pub fn deadline(&self) -> Option<Timestamp> {
        match (self.in_progress_deadline, self.step_deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

#[derive(Clone, Debug)]
pub struct JobTemplate {
    pub id: String,
    pub arn: String,
    pub description: String,
    pub document: Option<String>,
    pub document_source: Option<String>,
    pub presigned_url_config: Option<PresignedUrlConfig>,
    pub rollout: Option<JobExecutionsRolloutConfig>,
    pub abort: Option<AbortConfig>,
    pub timeout: Option<TimeoutConfig>,
    pub retry: Option<JobExecutionsRetryConfig>,
    pub maintenance_windows: Option<Vec<MaintenanceWindow>>,
    pub destination_package_versions: Option<Vec<String>>,
    pub created_at: Timestamp,
    pub seq: u64,
}

/// Registry attributes as given (merge semantics handled by the caller).
pub fn attributes_of(payload: &Option<AttributePayload>) -> BTreeMap<String, String> {
    payload
        .as_ref()
        .and_then(|p| p.attributes.clone())
        .unwrap_or_default()
}
