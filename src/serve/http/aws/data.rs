//! The device data plane (`iot-jobs-data`, spec §3): four operations on `/things/{thingName}/jobs`.
//! Times are integer seconds and the job document is a JSON string; HTTP has no Jobs namespace.

use axum::response::Response;
use serde::Serialize;

use super::wire::{WireError, ok_json, parse_body};
use super::{AwsRequest, call, read};
use crate::engine::effects::{HttpDeviceExecution, MqttSummary, WireExecutionState};
use crate::engine::{
    DescribeExecutionRequest, DeviceExecution, Plane, StartNextRequest, UpdateExecutionRequest,
};
use crate::serve::service::Service;

/// The job id a device uses for "the next pending execution".
const NEXT: &str = "$next";

pub(super) async fn handle(svc: &Service, req: &AwsRequest) -> Result<Response, WireError> {
    let q = &req.query;
    let segs = req.segments();
    match (req.method.as_str(), segs.as_slice()) {
        ("GET", ["things", thing, "jobs"]) => {
            let pending = read(svc, |e, _| e.get_pending_job_executions(thing, None))?;
            Ok(ok_json(&PendingReply {
                in_progress_jobs: pending.in_progress.iter().map(MqttSummary::new).collect(),
                queued_jobs: pending.queued.iter().map(MqttSummary::new).collect(),
            }))
        }
        ("PUT", ["things", thing, "jobs", id]) if *id == NEXT => {
            let r: StartNextRequest = parse_body("StartNextPendingJobExecution", &req.body)?;
            let ex = call(svc, |e, now| {
                e.start_next_pending_job_execution(now, thing, None, r)
            })
            .await?;
            Ok(execution_reply(ex.as_ref()))
        }
        ("GET", ["things", thing, "jobs", id]) => {
            let r = DescribeExecutionRequest {
                execution_number: q.int("executionNumber")?,
                include_job_document: q.bool("includeJobDocument")?,
            };
            let ex = read(svc, |e, now| {
                e.describe_job_execution_for_device(now, thing, id, None, &r)
            })?;
            Ok(execution_reply(ex.as_ref()))
        }
        ("POST", ["things", thing, "jobs", id]) => {
            // expectedVersion and executionNumber are `long` members: a JSON string there fails
            // to deserialise and is a 400, as on AWS (spec §3).
            let r: UpdateExecutionRequest = parse_body("UpdateJobExecution", &req.body)?;
            let out = call(svc, |e, now| {
                e.update_job_execution(now, thing, id, None, r)
            })
            .await?;
            Ok(ok_json(&UpdateReply {
                execution_state: out.execution_state.as_ref().map(WireExecutionState::new),
                job_document: out.job_document.as_deref(),
            }))
        }
        ("POST", ["command-executions"]) => Err(req.unsupported(
            Plane::Data,
            Some("StartCommandExecution (AWS IoT commands, not Jobs)"),
        )),
        _ => Err(req.unsupported(Plane::Data, None)),
    }
}

/// DescribeJobExecution and StartNextPendingJobExecution: `{"execution": ...}`, or `{}` when
/// nothing is pending (spec §3).
fn execution_reply(ex: Option<&DeviceExecution>) -> Response {
    ok_json(&ExecutionReply {
        execution: ex.map(HttpDeviceExecution::new),
    })
}

#[derive(Serialize)]
struct ExecutionReply<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    execution: Option<HttpDeviceExecution<'a>>,
}

/// Both lists are present even when empty (spec §3).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PendingReply<'a> {
    in_progress_jobs: Vec<MqttSummary<'a>>,
    queued_jobs: Vec<MqttSummary<'a>>,
}

/// With neither include flag the body is `{}` (spec §3).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UpdateReply<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    execution_state: Option<WireExecutionState<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    job_document: Option<&'a str>,
}
