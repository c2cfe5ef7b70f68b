//! `$aws/events/job/...` and `$aws/events/jobExecution/...` (spec §8), published only when the
//! account enabled them with UpdateEventConfigurations.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::api::{
    DescribeEventConfigurationsResponse, EventToggle, UpdateEventConfigurationsRequest,
};
use super::effects::Effect;
use super::error::{EngineError, EngineResult};
use super::status::ExecStatus;
use super::store::{ExecIx, JobIx};
use super::time::Timestamp;
use super::{Engine, Outcome};

/// Event types this emulator knows; others are accepted and stored but never published.
const KNOWN_EVENT_TYPES: [&str; 12] = [
    "THING",
    "THING_GROUP",
    "THING_TYPE",
    "THING_GROUP_MEMBERSHIP",
    "THING_GROUP_HIERARCHY",
    "THING_TYPE_ASSOCIATION",
    "JOB",
    "JOB_EXECUTION",
    "POLICY",
    "CERTIFICATE",
    "CA_CERTIFICATE",
    "PRINCIPAL_THING_ATTACHMENT",
];

impl Engine {
    pub fn describe_event_configurations(&self) -> DescribeEventConfigurationsResponse {
        let mut map = BTreeMap::new();
        for t in KNOWN_EVENT_TYPES {
            let enabled = match t {
                "JOB" => self.events.job,
                "JOB_EXECUTION" => self.events.job_execution,
                _ => false,
            };
            map.insert(t.to_string(), EventToggle { enabled });
        }
        let created = self.created_at.secs_f64();
        DescribeEventConfigurationsResponse {
            event_configurations: map,
            creation_date: created,
            last_modified_date: self.events.modified.map_or(created, |t| t.secs_f64()),
        }
    }

    pub fn update_event_configurations(
        &mut self,
        now: Timestamp,
        req: UpdateEventConfigurationsRequest,
    ) -> EngineResult<Outcome<()>> {
        let map = req.event_configurations.unwrap_or_default();
        for key in map.keys() {
            if !KNOWN_EVENT_TYPES.contains(&key.as_str()) {
                return Err(EngineError::invalid(format!(
                    "1 validation error detected: Value '{key}' at 'eventConfigurations' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy enum value set: [{}]]",
                    KNOWN_EVENT_TYPES.join(", ")
                )));
            }
        }
        if let Some(t) = map.get("JOB") {
            self.events.job = t.enabled;
        }
        if let Some(t) = map.get("JOB_EXECUTION") {
            self.events.job_execution = t.enabled;
        }
        self.events.modified = Some(now);
        Ok(self.finish(now, ()))
    }

    fn event_id(&mut self) -> String {
        self.next_uuid()
    }

    /// A job event (`completed`, `canceled`, `deleted`, `cancellation_in_progress`, `deletion_in_progress`).
    pub(super) fn job_event(&mut self, job: JobIx, operation: &str, now: Timestamp) {
        if !self.events.job {
            return;
        }
        let event_id = self.event_id();
        let j = self.job(job);
        let status = match operation {
            "completed" => "COMPLETED",
            "canceled" => "CANCELED",
            "deleted" => "DELETED",
            "cancellation_in_progress" => "CANCELLATION_IN_PROGRESS",
            _ => "DELETION_IN_PROGRESS",
        };
        let mut payload = json!({
            "eventType": "JOB",
            "eventId": event_id,
            "timestamp": now.secs(),
            "operation": operation,
            "jobId": &*j.id,
            "status": status,
            "targetSelection": j.target_selection.as_str(),
            "targets": j.targets,
            // Choice (spec §12.8): the documented samples give these in milliseconds.
            "createdAt": j.created_at.millis(),
            "lastUpdatedAt": j.last_updated_at.millis(),
        });
        if let Value::Object(map) = &mut payload {
            if let Some(d) = &j.description {
                map.insert("description".into(), json!(d));
            }
            if let Some(c) = &j.comment {
                if operation != "completed" {
                    map.insert("comment".into(), json!(c));
                }
            }
            if operation == "completed" {
                if let Some(c) = j.completed_at {
                    map.insert("completedAt".into(), json!(c.millis()));
                }
                map.insert(
                    "jobProcessDetails".into(),
                    json!({
                        "numberOfCanceledThings": j.count(ExecStatus::Canceled),
                        "numberOfRejectedThings": j.count(ExecStatus::Rejected),
                        "numberOfFailedThings": j.count(ExecStatus::Failed),
                        "numberOfRemovedThings": j.count(ExecStatus::Removed),
                        "numberOfSucceededThings": j.count(ExecStatus::Succeeded),
                    }),
                );
            }
        }
        let topic = format!("$aws/events/job/{}/{operation}", j.id);
        self.effects.push(Effect::Event { topic, payload });
    }

    /// A job-execution event: a terminal status, or `deleted`.
    pub(super) fn execution_event(&mut self, ex: ExecIx, operation: &str, now: Timestamp) {
        if !self.events.job_execution {
            return;
        }
        let event_id = self.event_id();
        let x = self.exec(ex);
        let job_id = self.job(x.job).id.clone();
        let thing_arn = self.thing_arn(&self.things[x.thing as usize].name);
        let status = if operation == "deleted" {
            "DELETED"
        } else {
            x.status.as_str()
        };
        let payload = json!({
            "eventType": "JOB_EXECUTION",
            "eventId": event_id,
            "timestamp": now.secs(),
            "operation": operation,
            "jobId": &*job_id,
            "thingArn": thing_arn,
            "status": status,
            "statusDetails": x.status_details,
            "executionNumber": x.number,
            "versionNumber": x.version,
        });
        let topic = format!("$aws/events/jobExecution/{job_id}/{operation}");
        self.effects.push(Effect::Event { topic, payload });
    }
}
