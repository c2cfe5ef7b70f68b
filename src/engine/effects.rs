//! What an operation asks the outside world to do: notify devices, publish events, arm timers.
//!
//! Effects carry structured payloads; turning them into MQTT topics and JSON is done on demand by
//! [`Effect::mqtt_topic`] and [`Effect::mqtt_payload`], so an in-process consumer (a benchmark, the
//! virtual rig) pays no serialisation cost it does not use.

use std::sync::Arc;

use serde::Serialize;
use serde_json::value::RawValue;

use super::api::{DeviceExecution, ExecutionStateView, PendingExecutions, PendingSummary};
use super::config::StatusDetails;
use super::time::Timestamp;
use super::timers::TimerKey;

#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// `$aws/things/<thing>/jobs/notify` (or `notify-namespace-<ns>`): the pending set changed.
    Notify {
        thing: Arc<str>,
        namespace: Option<Arc<str>>,
        timestamp: Timestamp,
        jobs: PendingExecutions,
    },
    /// `$aws/things/<thing>/jobs/notify-next` (or `notify-next-namespace-<ns>`): the head changed.
    NotifyNext {
        thing: Arc<str>,
        namespace: Option<Arc<str>>,
        timestamp: Timestamp,
        execution: Option<DeviceExecution>,
    },
    /// A `$aws/events/job/...` or `$aws/events/jobExecution/...` event.
    Event {
        topic: String,
        payload: serde_json::Value,
    },
    TimerArmed {
        key: TimerKey,
        at: Timestamp,
    },
    TimerCanceled {
        key: TimerKey,
    },
}

impl Effect {
    /// The thing a device notification is for.
    pub fn thing(&self) -> Option<&str> {
        match self {
            Effect::Notify { thing, .. } | Effect::NotifyNext { thing, .. } => Some(thing),
            _ => None,
        }
    }

    /// The MQTT topic this effect is published on, if it is a message at all.
    pub fn mqtt_topic(&self) -> Option<String> {
        match self {
            Effect::Notify {
                thing, namespace, ..
            } => Some(match namespace {
                Some(ns) => format!("$aws/things/{thing}/jobs/notify-namespace-{ns}"),
                None => format!("$aws/things/{thing}/jobs/notify"),
            }),
            Effect::NotifyNext {
                thing, namespace, ..
            } => Some(match namespace {
                Some(ns) => format!("$aws/things/{thing}/jobs/notify-next-namespace-{ns}"),
                None => format!("$aws/things/{thing}/jobs/notify-next"),
            }),
            Effect::Event { topic, .. } => Some(topic.clone()),
            Effect::TimerArmed { .. } | Effect::TimerCanceled { .. } => None,
        }
    }

    /// The MQTT payload (JSON) of this effect, if it is a message at all.
    pub fn mqtt_payload(&self) -> Option<Vec<u8>> {
        let bytes = match self {
            Effect::Notify {
                timestamp, jobs, ..
            } => serde_json::to_vec(&NotifyPayload {
                timestamp: timestamp.secs(),
                jobs: NotifyJobs {
                    in_progress: summaries(&jobs.in_progress),
                    queued: summaries(&jobs.queued),
                },
            }),
            Effect::NotifyNext {
                timestamp,
                execution,
                ..
            } => serde_json::to_vec(&NotifyNextPayload {
                timestamp: timestamp.secs(),
                execution: execution.as_ref().map(|e| MqttExecution::new(e, false)),
            }),
            Effect::Event { payload, .. } => serde_json::to_vec(payload),
            Effect::TimerArmed { .. } | Effect::TimerCanceled { .. } => return None,
        };
        // Serialising these plain structs cannot fail; an empty object is the safe fallback.
        Some(bytes.unwrap_or_else(|_| b"{}".to_vec()))
    }
}

fn summaries(list: &[PendingSummary]) -> Option<Vec<MqttSummary<'_>>> {
    if list.is_empty() {
        None
    } else {
        Some(list.iter().map(MqttSummary::new).collect())
    }
}

#[derive(Serialize)]
struct NotifyPayload<'a> {
    timestamp: i64,
    jobs: NotifyJobs<'a>,
}

#[derive(Serialize)]
struct NotifyJobs<'a> {
    #[serde(rename = "IN_PROGRESS", skip_serializing_if = "Option::is_none")]
    in_progress: Option<Vec<MqttSummary<'a>>>,
    #[serde(rename = "QUEUED", skip_serializing_if = "Option::is_none")]
    queued: Option<Vec<MqttSummary<'a>>>,
}

#[derive(Serialize)]
struct NotifyNextPayload<'a> {
    timestamp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    execution: Option<MqttExecution<'a>>,
}

/// A pending execution in MQTT and device-HTTP form (integer seconds, no status).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MqttSummary<'a> {
    job_id: &'a str,
    queued_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    started_at: Option<i64>,
    last_updated_at: i64,
    version_number: i64,
    execution_number: i64,
}

impl<'a> MqttSummary<'a> {
    pub fn new(s: &'a PendingSummary) -> Self {
        MqttSummary {
            job_id: &s.job_id,
            queued_at: s.queued_at.secs(),
            started_at: s.started_at.map(Timestamp::secs),
            last_updated_at: s.last_updated_at.secs(),
            version_number: s.version_number,
            execution_number: s.execution_number,
        }
    }
}

/// `JobExecutionData` as MQTT carries it: the document is a JSON object, times whole seconds,
/// `statusDetails` omitted when empty (as in real captures, spec §4.3).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MqttExecution<'a> {
    job_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    thing_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    job_document: Option<&'a RawValue>,
    status: &'static str,
    #[serde(skip_serializing_if = "StatusDetails::is_empty")]
    status_details: &'a StatusDetails,
    queued_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    started_at: Option<i64>,
    last_updated_at: i64,
    version_number: i64,
    execution_number: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    approximate_seconds_before_timed_out: Option<i64>,
}

impl<'a> MqttExecution<'a> {
    /// `with_thing_name`: describe replies carry `thingName`; notify-next captures do not.
    pub fn new(e: &'a DeviceExecution, with_thing_name: bool) -> Self {
        MqttExecution {
            job_id: &e.job_id,
            thing_name: with_thing_name.then_some(&*e.thing_name),
            // Documents are validated as JSON when the job is created, so this parse only borrows.
            job_document: e
                .job_document
                .as_deref()
                .and_then(|d| serde_json::from_str::<&RawValue>(d).ok()),
            status: e.status.as_str(),
            status_details: &e.status_details,
            queued_at: e.queued_at.secs(),
            started_at: e.started_at.map(Timestamp::secs),
            last_updated_at: e.last_updated_at.secs(),
            version_number: e.version_number,
            execution_number: e.execution_number,
            approximate_seconds_before_timed_out: e.approximate_seconds_before_timed_out,
        }
    }
}

/// `JobExecution` as the HTTP data plane carries it: the document is a JSON string.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpDeviceExecution<'a> {
    job_id: &'a str,
    thing_name: &'a str,
    status: &'static str,
    #[serde(skip_serializing_if = "StatusDetails::is_empty")]
    status_details: &'a StatusDetails,
    queued_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    started_at: Option<i64>,
    last_updated_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    approximate_seconds_before_timed_out: Option<i64>,
    version_number: i64,
    execution_number: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    job_document: Option<&'a str>,
}

impl<'a> HttpDeviceExecution<'a> {
    pub fn new(e: &'a DeviceExecution) -> Self {
        HttpDeviceExecution {
            job_id: &e.job_id,
            thing_name: &e.thing_name,
            status: e.status.as_str(),
            status_details: &e.status_details,
            queued_at: e.queued_at.secs(),
            started_at: e.started_at.map(Timestamp::secs),
            last_updated_at: e.last_updated_at.secs(),
            approximate_seconds_before_timed_out: e.approximate_seconds_before_timed_out,
            version_number: e.version_number,
            execution_number: e.execution_number,
            job_document: e.job_document.as_deref(),
        }
    }
}

/// `JobExecutionState` as both device planes carry it (UpdateJobExecution with
/// `includeJobExecutionState`): `statusDetails` omitted when empty.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WireExecutionState<'a> {
    status: &'static str,
    #[serde(skip_serializing_if = "StatusDetails::is_empty")]
    status_details: &'a StatusDetails,
    version_number: i64,
}

impl<'a> WireExecutionState<'a> {
    pub fn new(s: &'a ExecutionStateView) -> Self {
        WireExecutionState {
            status: s.status.as_str(),
            status_details: &s.status_details,
            version_number: s.version_number,
        }
    }
}
