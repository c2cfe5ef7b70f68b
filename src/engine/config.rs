//! Job configurations in two forms: as they arrive on the wire (raw, every member optional so that
//! validation can name what is missing), and as the engine acts on them (validated policies).
//!
//! The raw form is also what DescribeJob echoes back, so it is stored as given.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::cron::MaintenanceCron;
use super::time::Timestamp;

// ---------------------------------------------------------------- raw (wire) shapes

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PresignedUrlConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_sec: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobExecutionsRolloutConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_per_minute: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exponential_rate: Option<ExponentialRolloutRate>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExponentialRolloutRate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_rate_per_minute: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub increment_factor: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_increase_criteria: Option<RateIncreaseCriteria>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateIncreaseCriteria {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_of_notified_things: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_of_succeeded_things: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AbortConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria_list: Option<Vec<AbortCriteria>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AbortCriteria {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold_percentage: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_number_of_executed_things: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeoutConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_progress_timeout_in_minutes: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobExecutionsRetryConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria_list: Option<Vec<RetryCriteria>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetryCriteria {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_of_retries: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchedulingConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_behavior: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintenance_windows: Option<Vec<MaintenanceWindow>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MaintenanceWindow {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_in_minutes: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    #[serde(default)]
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

// ---------------------------------------------------------------- validated policies

/// What a rollout increase is counted in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RateCriterion {
    Notified(u32),
    Succeeded(u32),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExponentialPolicy {
    pub base_per_minute: u32,
    pub increment_factor: f64,
    pub criterion: RateCriterion,
}

/// How fast executions are created for the things targeted at the job's start (spec §6.1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RolloutPolicy {
    pub maximum_per_minute: u32,
    pub exponential: Option<ExponentialPolicy>,
}

impl RolloutPolicy {
    /// AWS's default when a job has no rollout configuration: 1000 things per minute.
    pub const DEFAULT: RolloutPolicy = RolloutPolicy {
        maximum_per_minute: 1000,
        exponential: None,
    };
}

impl Default for RolloutPolicy {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A failure type as abort and retry criteria name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FailureType {
    Failed,
    Rejected,
    TimedOut,
    /// FAILED, REJECTED and TIMED_OUT together (for retries: FAILED and TIMED_OUT).
    All,
}

impl FailureType {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureType::Failed => "FAILED",
            FailureType::Rejected => "REJECTED",
            FailureType::TimedOut => "TIMED_OUT",
            FailureType::All => "ALL",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "FAILED" => Some(FailureType::Failed),
            "REJECTED" => Some(FailureType::Rejected),
            "TIMED_OUT" => Some(FailureType::TimedOut),
            "ALL" => Some(FailureType::All),
            _ => None,
        }
    }
}

/// One abort criterion (the only action AWS has is CANCEL).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AbortRule {
    pub failure_type: FailureType,
    pub threshold_percentage: f64,
    pub min_executed: u32,
}

/// Retry budgets per failure type (spec §6.3). `all` excludes the other two.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RetryPolicy {
    pub failed: Option<u32>,
    pub timed_out: Option<u32>,
    pub all: Option<u32>,
}

impl RetryPolicy {
    pub fn is_empty(&self) -> bool {
        self.failed.is_none() && self.timed_out.is_none() && self.all.is_none()
    }
}

/// `endBehavior`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndBehavior {
    StopRollout,
    Cancel,
    ForceCancel,
}

impl EndBehavior {
    pub fn as_str(self) -> &'static str {
        match self {
            EndBehavior::StopRollout => "STOP_ROLLOUT",
            EndBehavior::Cancel => "CANCEL",
            EndBehavior::ForceCancel => "FORCE_CANCEL",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "STOP_ROLLOUT" => Some(EndBehavior::StopRollout),
            "CANCEL" => Some(EndBehavior::Cancel),
            "FORCE_CANCEL" => Some(EndBehavior::ForceCancel),
            _ => None,
        }
    }
}

/// A maintenance window: a cron of starts and a duration.
#[derive(Clone, Debug)]
pub struct WindowPolicy {
    pub cron: MaintenanceCron,
    pub duration_minutes: u32,
}

/// A validated `schedulingConfig`, with absolute times on the emulator clock.
#[derive(Clone, Debug, Default)]
pub struct SchedulePolicy {
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    pub end_behavior: Option<EndBehavior>,
    pub windows: Vec<WindowPolicy>,
}

/// A validated `presignedUrlConfig`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresignedPolicy {
    pub expires_in_sec: u64,
}

impl Default for PresignedPolicy {
    fn default() -> Self {
        PresignedPolicy {
            expires_in_sec: 3600,
        }
    }
}

/// A device's `statusDetails` map.
pub type StatusDetails = BTreeMap<String, String>;
