//! The JSON payloads of Jobs replies (spec §4.3, §4.4): accepted bodies and the rejection shape.
//! Every reply carries integer-second `timestamp` and echoes `clientToken` when the request had one.

use serde::Serialize;
use serde_json::value::RawValue;

use crate::engine::effects::{MqttExecution, MqttSummary, WireExecutionState};
use crate::engine::{DeviceExecution, ExecutionState, PendingExecutions, UpdateExecutionResponse};

/// Rejection codes that come from the adapter itself rather than from the engine.
pub const INVALID_TOPIC: &str = "InvalidTopic";
pub const INVALID_JSON: &str = "InvalidJson";
pub const INVALID_REQUEST: &str = "InvalidRequest";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Accepted<'a, B: Serialize> {
    #[serde(skip_serializing_if = "Option::is_none")]
    client_token: Option<&'a str>,
    timestamp: i64,
    #[serde(flatten)]
    body: B,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Pending<'a> {
    in_progress_jobs: Vec<MqttSummary<'a>>,
    queued_jobs: Vec<MqttSummary<'a>>,
}

#[derive(Serialize)]
struct Execution<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    execution: Option<MqttExecution<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Updated<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    execution_state: Option<WireExecutionState<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    job_document: Option<&'a RawValue>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rejected<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_token: Option<&'a str>,
    timestamp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    execution_state: Option<&'a ExecutionState>,
}

fn to_vec(v: &impl Serialize) -> Vec<u8> {
    // These structs hold only strings, numbers and already-valid JSON: serialising cannot fail.
    serde_json::to_vec(v).unwrap_or_else(|_| b"{}".to_vec())
}

fn accepted(token: Option<&str>, secs: i64, body: impl Serialize) -> Vec<u8> {
    to_vec(&Accepted {
        client_token: token,
        timestamp: secs,
        body,
    })
}

pub fn pending(token: Option<&str>, secs: i64, p: &PendingExecutions) -> Vec<u8> {
    accepted(
        token,
        secs,
        Pending {
            in_progress_jobs: p.in_progress.iter().map(MqttSummary::new).collect(),
            queued_jobs: p.queued.iter().map(MqttSummary::new).collect(),
        },
    )
}

/// start-next and describe: `execution` is absent when nothing is pending (spec §4.3).
pub fn execution(token: Option<&str>, secs: i64, e: Option<&DeviceExecution>) -> Vec<u8> {
    accepted(
        token,
        secs,
        Execution {
            execution: e.map(|e| MqttExecution::new(e, true)),
        },
    )
}

/// update: the document is a JSON object on MQTT (spec §4.3, §11.62).
pub fn updated(token: Option<&str>, secs: i64, r: &UpdateExecutionResponse) -> Vec<u8> {
    accepted(
        token,
        secs,
        Updated {
            execution_state: r.execution_state.as_ref().map(WireExecutionState::new),
            job_document: r
                .job_document
                .as_deref()
                .and_then(|d| serde_json::from_str::<&RawValue>(d).ok()),
        },
    )
}

pub fn rejected(
    code: &str,
    message: &str,
    token: Option<&str>,
    secs: i64,
    state: Option<&ExecutionState>,
) -> Vec<u8> {
    to_vec(&Rejected {
        code,
        message,
        client_token: token,
        timestamp: secs,
        execution_state: state,
    })
}
