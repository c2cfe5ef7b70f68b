//! The observer: an MQTT client that records every Jobs message of each thing into an ordered
//! timeline, with the execution status transitions it implies — the evidence behind transition
//! assertions and reports.
//!
//! Split as rumqttc splits state from I/O: [`Timeline`] is pure (record a topic and payload,
//! derive transitions, serialise) and is unit-tested without a broker; [`Observer`] is a thin
//! event loop that feeds it.
//!
//! **What an observer can see.** It subscribes to `$aws/things/+/jobs/#` and `$aws/events/#`.
//! On real AWS IoT a third party only receives `notify`, `notify-next` and the `$aws/events/...`
//! messages; replies (`.../accepted|rejected`) go to the requester. jobrig's broker also delivers
//! replies to subscribers of the reply topics, and consumes request topics itself. Transitions are
//! therefore derived from `notify-next` and execution events alone, and refined by replies when
//! they are present.
//!
//! **Events must be enabled by the scenario.** Terminal statuses (FAILED, CANCELED, ...) appear
//! only in `$aws/events/jobExecution/...`, which the service publishes only after
//! UpdateEventConfigurations enabled `JOB_EXECUTION`. The observer speaks MQTT only and holds no
//! control-plane credentials, so the scenario enables them — [`Observer::events_request`] gives
//! the request to send.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rumqttc::{AsyncClient, ConnectionError, Event, EventLoop, MqttOptions, Packet, QoS};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::watch;

use crate::engine::{EventToggle, UpdateEventConfigurationsRequest};

/// The filters the observer subscribes to: every thing's Jobs topics and every event.
pub const JOBS_FILTER: &str = "$aws/things/+/jobs/#";
pub const EVENTS_FILTER: &str = "$aws/events/#";

/// Errors of the observer, each naming what went wrong and what would fix it.
#[derive(Debug, thiserror::Error)]
pub enum ObserverError {
    #[error(
        "observer client id {0:?} is unusable: it must be non-empty and contain no '/', '+' or '#' \
         (it names the observer's sync topic); choose a plain name such as \"jobrig-observer\""
    )]
    InvalidClientId(String),
    #[error(
        "observer could not connect to the MQTT broker at {host}:{port}: {source}; check that the \
         broker (e.g. `jobrig serve`) is running and the host and port are right"
    )]
    Connect {
        host: String,
        port: u16,
        #[source]
        source: Box<ConnectionError>,
    },
    #[error(
        "the broker refused the observer's subscription to {filter:?}; the observer needs to read \
         every thing's Jobs topics and the events — disable per-thing authorisation for it or \
         grant it these filters"
    )]
    SubscriptionRefused { filter: String },
    #[error(
        "the observer could not queue a request to its MQTT client ({0}); its connection has \
         ended — connect a new observer"
    )]
    Client(#[from] rumqttc::ClientError),
    #[error(
        "the observer's connection to the broker ended ({reason}); what it saw so far is still in \
         its timeline — connect a new observer to keep recording"
    )]
    Disconnected { reason: String },
}

/// What a recorded message is, judged from its topic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Kind {
    /// `$aws/things/<thing>/jobs/notify[-namespace-<ns>]`: the pending list changed.
    Notify,
    /// `$aws/things/<thing>/jobs/notify-next[-namespace-<ns>]`: the next execution changed.
    NotifyNext,
    /// A `.../accepted` reply; `operation` names the request.
    Accepted,
    /// A `.../rejected` reply; `operation` names the request.
    Rejected,
    /// A request topic (jobrig's broker consumes these; other brokers may pass them on).
    Request,
    /// `$aws/events/jobExecution/<job>/<operation>`.
    ExecutionEvent,
    /// `$aws/events/job/<job>/<operation>`; its `status` is the job's, not an execution's.
    JobEvent,
    /// Any other topic under the observed filters (e.g. other event types).
    Other,
}

/// A payload as received: parsed JSON, or the text of one that is not JSON (recorded, not fatal).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Payload {
    Json(Value),
    /// Not JSON: the bytes as UTF-8 (invalid sequences replaced) and why it did not parse.
    NotJson {
        text: String,
        error: String,
    },
}

/// One received message.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// Arrival order at the observer, from 0.
    pub seq: u64,
    /// The payload's `timestamp` (emulator seconds), when it has one.
    pub timestamp: Option<i64>,
    pub thing: Option<String>,
    pub topic: String,
    pub kind: Kind,
    /// The request of a reply (`get`, `start-next`, `describe`, `update`) or the event operation.
    pub operation: Option<String>,
    pub job_id: Option<String>,
    /// As the payload states it; replies to `update` carry none (see [`Timeline::transitions`]).
    pub execution_number: Option<i64>,
    pub status: Option<String>,
    pub status_details: Option<Value>,
    pub payload: Payload,
}

/// An execution's state as observed: `QUEUED#1`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecState {
    pub status: String,
    /// `None` only when no message so far named the execution number.
    pub execution_number: Option<i64>,
}

impl fmt::Display for ExecState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.execution_number {
            Some(n) => write!(f, "{}#{n}", self.status),
            None => write!(f, "{}#?", self.status),
        }
    }
}

/// A change of an execution's observed status or number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Transition {
    pub from: Option<ExecState>,
    pub to: ExecState,
    /// The emulator timestamp of the message that showed the new state.
    pub timestamp: Option<i64>,
    /// The [`Entry::seq`] of that message.
    pub seq: u64,
}

/// Everything the observer received, in arrival order.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Timeline {
    pub entries: Vec<Entry>,
}

/// The timeline and its transitions per thing and job, as written to reports.
#[derive(Serialize)]
struct TimelineJson<'a> {
    entries: &'a [Entry],
    transitions: BTreeMap<String, BTreeMap<String, Vec<Transition>>>,
}

impl Timeline {
    /// Records one message. Never fails: a payload that is not JSON is kept as text.
    pub fn record(&mut self, topic: &str, payload: &[u8]) {
        let seq = self.entries.len() as u64;
        self.entries.push(entry(seq, topic, payload));
    }

    /// The entries about `thing`, in arrival order.
    pub fn for_thing<'a>(&'a self, thing: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries
            .iter()
            .filter(move |e| e.thing.as_deref() == Some(thing))
    }

    /// The execution states of `job` on `thing` in the order observed, repeats collapsed.
    ///
    /// A reply to `update` names no execution number; it is attributed to the latest number seen
    /// for the job on that thing, because an update always addresses the thing's current
    /// execution (jobrig publishes the reply before the notifications it causes, so a retry's new
    /// number is not yet known when the reply arrives). Job events carry the job's status and
    /// are not execution states.
    pub fn transitions(&self, thing: &str, job: &str) -> Vec<Transition> {
        let mut out: Vec<Transition> = Vec::new();
        let mut number: Option<i64> = None;
        let relevant = self.for_thing(thing).filter(|e| {
            e.job_id.as_deref() == Some(job) && e.kind != Kind::JobEvent && e.status.is_some()
        });
        for e in relevant {
            number = e.execution_number.or(number);
            let Some(status) = e.status.clone() else {
                continue;
            };
            let to = ExecState {
                status,
                execution_number: number,
            };
            let from = out.last().map(|t| t.to.clone());
            if from.as_ref() != Some(&to) {
                out.push(Transition {
                    from,
                    to,
                    timestamp: e.timestamp,
                    seq: e.seq,
                });
            }
        }
        out
    }

    /// Only what a third party can receive on real AWS IoT: `notify`, `notify-next` and events.
    /// Replies and requests are dropped, `seq` is kept. Comparing its transitions with the full
    /// ones shows what a real-AWS observer would miss (e.g. IN_PROGRESS, which no push reports).
    pub fn third_party_view(&self) -> Timeline {
        let entries = self
            .entries
            .iter()
            .filter(|e| {
                !matches!(
                    e.kind,
                    Kind::Accepted | Kind::Rejected | Kind::Request | Kind::Other
                )
            })
            .cloned()
            .collect();
        Timeline { entries }
    }

    /// [`Timeline::transitions`] as labels: `["QUEUED#1", "IN_PROGRESS#1", ...]`.
    pub fn transition_labels(&self, thing: &str, job: &str) -> Vec<String> {
        self.transitions(thing, job)
            .iter()
            .map(|t| t.to.to_string())
            .collect()
    }

    /// Every (thing, job) pair that has at least one execution state.
    fn pairs(&self) -> BTreeMap<String, Vec<String>> {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for e in &self.entries {
            if let (Some(t), Some(j), Some(_)) = (&e.thing, &e.job_id, &e.status) {
                let jobs = map.entry(t.clone()).or_default();
                if e.kind != Kind::JobEvent && !jobs.contains(j) {
                    jobs.push(j.clone());
                }
            }
        }
        map
    }

    /// `{"entries": [...], "transitions": {thing: {job: [...]}}}`.
    pub fn to_json_value(&self) -> Value {
        let transitions = self
            .pairs()
            .into_iter()
            .map(|(thing, jobs)| {
                let per_job = jobs
                    .into_iter()
                    .map(|j| {
                        let t = self.transitions(&thing, &j);
                        (j, t)
                    })
                    .collect();
                (thing, per_job)
            })
            .collect();
        let doc = TimelineJson {
            entries: &self.entries,
            transitions,
        };
        // Plain structs of strings, numbers and JSON values always serialise.
        serde_json::to_value(doc).unwrap_or(Value::Null)
    }

    /// The JSON document of [`Timeline::to_json_value`], pretty-printed for reports.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.to_json_value()).unwrap_or_default()
    }
}

/// What the topic alone says about a message.
struct TopicInfo {
    thing: Option<String>,
    kind: Kind,
    operation: Option<String>,
    job_id: Option<String>,
}

fn entry(seq: u64, topic: &str, bytes: &[u8]) -> Entry {
    let payload = match serde_json::from_slice::<Value>(bytes) {
        Ok(v) => Payload::Json(v),
        Err(e) => Payload::NotJson {
            text: String::from_utf8_lossy(bytes).into_owned(),
            error: e.to_string(),
        },
    };
    let info = classify(topic);
    let empty = Value::Null;
    let json = match &payload {
        Payload::Json(v) => v,
        Payload::NotJson { .. } => &empty,
    };
    let state = execution_of(info.kind, json);
    // Execution events name the thing only by ARN in the payload.
    let thing = info.thing.or_else(|| thing_from_arn(json));
    Entry {
        seq,
        timestamp: json.get("timestamp").and_then(Value::as_i64),
        thing,
        topic: topic.to_owned(),
        kind: info.kind,
        operation: info.operation,
        // `$next` and `start-next` name the job only in the payload.
        job_id: info.job_id.or_else(|| str_field(state, "jobId")),
        execution_number: state.get("executionNumber").and_then(Value::as_i64),
        status: str_field(state, "status"),
        status_details: state.get("statusDetails").cloned(),
        payload,
    }
}

/// The object holding an execution's fields in each message family.
fn execution_of(kind: Kind, json: &Value) -> &Value {
    match kind {
        Kind::ExecutionEvent | Kind::JobEvent => json,
        _ => json
            .get("execution")
            .or_else(|| json.get("executionState"))
            .unwrap_or(&Value::Null),
    }
}

fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// `arn:aws:iot:<region>:<account>:thing/<name>` → `<name>`.
fn thing_from_arn(json: &Value) -> Option<String> {
    let arn = json.get("thingArn")?.as_str()?;
    arn.rsplit_once(":thing/").map(|(_, name)| name.to_owned())
}

fn classify(topic: &str) -> TopicInfo {
    if let Some(rest) = topic.strip_prefix("$aws/things/") {
        if let Some((thing, jobs)) = rest.split_once("/jobs/") {
            return classify_jobs(thing, jobs);
        }
    }
    if let Some(rest) = topic.strip_prefix("$aws/events/") {
        return classify_event(rest);
    }
    TopicInfo {
        thing: None,
        kind: Kind::Other,
        operation: None,
        job_id: None,
    }
}

/// `rest` is what follows `$aws/things/<thing>/jobs/`.
fn classify_jobs(thing: &str, rest: &str) -> TopicInfo {
    let mut levels: Vec<&str> = rest.split('/').collect();
    let kind = match levels.last().copied() {
        Some("accepted") => Kind::Accepted,
        Some("rejected") => Kind::Rejected,
        _ => Kind::Request,
    };
    if kind != Kind::Request {
        levels.pop();
    }
    let (kind, operation, job_id) = match levels.as_slice() {
        [n] if kind == Kind::Request && n.starts_with("notify-next") => {
            (Kind::NotifyNext, None, None)
        }
        [n] if kind == Kind::Request && n.starts_with("notify") => (Kind::Notify, None, None),
        ["get"] => (kind, Some("get"), None),
        ["start-next"] => (kind, Some("start-next"), None),
        [job, "get"] => (kind, Some("describe"), named_job(job)),
        [job, "update"] => (kind, Some("update"), named_job(job)),
        _ => (Kind::Other, None, None),
    };
    TopicInfo {
        thing: Some(thing.to_owned()),
        kind,
        operation: operation.map(str::to_owned),
        job_id,
    }
}

/// A job id from a topic level; `$next` is resolved from the payload instead.
fn named_job(level: &str) -> Option<String> {
    (level != "$next").then(|| level.to_owned())
}

/// `rest` is what follows `$aws/events/`.
fn classify_event(rest: &str) -> TopicInfo {
    let levels: Vec<&str> = rest.split('/').collect();
    let (kind, job, op) = match levels.as_slice() {
        ["jobExecution", job, op] => (Kind::ExecutionEvent, Some(*job), Some(*op)),
        ["job", job, op] => (Kind::JobEvent, Some(*job), Some(*op)),
        _ => (Kind::Other, None, None),
    };
    TopicInfo {
        thing: None,
        kind,
        operation: op.map(str::to_owned),
        job_id: job.map(str::to_owned),
    }
}

/// State shared between the observer's handle and its event-loop task.
#[derive(Default)]
struct Shared {
    timeline: Timeline,
}

/// A connected observer. Dropping it stops recording.
pub struct Observer {
    client: AsyncClient,
    shared: Arc<Mutex<Shared>>,
    sync_topic: String,
    /// The highest sync marker received back, or the reason the connection ended.
    synced: watch::Receiver<Result<u64, String>>,
    next_marker: u64,
    task: tokio::task::JoinHandle<()>,
}

impl Observer {
    /// Connects, subscribes to [`JOBS_FILTER`], [`EVENTS_FILTER`] and its own sync topic, and
    /// returns once the broker acknowledged all three — nothing published afterwards is missed.
    pub async fn connect(
        host: &str,
        port: u16,
        client_id: &str,
    ) -> Result<Observer, ObserverError> {
        if client_id.is_empty() || client_id.contains(['/', '+', '#']) {
            return Err(ObserverError::InvalidClientId(client_id.to_owned()));
        }
        let mut opts = MqttOptions::new(client_id, host, port);
        opts.set_clean_session(true);
        opts.set_keep_alive(Duration::from_secs(30));
        // Job documents and statusDetails can exceed rumqttc's 10 KB default.
        opts.set_max_packet_size(1 << 20, 1 << 20);
        let (client, mut eventloop) = AsyncClient::new(opts, 64);
        let connect_err = |e| ObserverError::Connect {
            host: host.to_owned(),
            port,
            source: Box::new(e),
        };
        wait_connack(&mut eventloop).await.map_err(connect_err)?;
        let sync_topic = format!("jobrig/observer/{client_id}/sync");
        let filters = [JOBS_FILTER, EVENTS_FILTER, sync_topic.as_str()];
        for f in filters {
            client.subscribe(f, QoS::AtLeastOnce).await?;
        }
        wait_subacks(&mut eventloop, &filters)
            .await
            .map_err(|e| e.into_observer_error(host, port))?;
        let shared = Arc::new(Mutex::new(Shared::default()));
        let (tx, synced) = watch::channel(Ok(0));
        let task = tokio::spawn(run(eventloop, Arc::clone(&shared), sync_topic.clone(), tx));
        Ok(Observer {
            client,
            shared,
            sync_topic,
            synced,
            next_marker: 0,
            task,
        })
    }

    /// The UpdateEventConfigurations request a scenario sends so that terminal statuses reach
    /// the observer (see the module documentation).
    pub fn events_request() -> UpdateEventConfigurationsRequest {
        let on = EventToggle { enabled: true };
        let map = [("JOB".to_owned(), on), ("JOB_EXECUTION".to_owned(), on)];
        UpdateEventConfigurationsRequest {
            event_configurations: Some(map.into_iter().collect()),
        }
    }

    /// Returns once the observer has received everything the broker routed to it before this
    /// call: it publishes a marker on its own sync topic and waits for it to come back. The
    /// broker delivers each connection's messages in order, so the marker arrives last.
    pub async fn sync(&mut self) -> Result<(), ObserverError> {
        self.next_marker += 1;
        let marker = self.next_marker;
        self.client
            .publish(
                &self.sync_topic,
                QoS::AtLeastOnce,
                false,
                marker.to_string(),
            )
            .await?;
        let reached = self
            .synced
            .wait_for(|s| !matches!(s, Ok(n) if *n < marker))
            .await
            .map_err(|_| disconnected("the observer task stopped"))?;
        match &*reached {
            Ok(_) => Ok(()),
            Err(reason) => Err(disconnected(reason)),
        }
    }

    /// A snapshot of everything recorded so far.
    pub fn timeline(&self) -> Timeline {
        lock(&self.shared).timeline.clone()
    }

    /// The status transitions of `job` on `thing` observed so far.
    pub fn transitions(&self, thing: &str, job: &str) -> Vec<Transition> {
        lock(&self.shared).timeline.transitions(thing, job)
    }

    /// The timeline and its transitions as a JSON document.
    pub fn to_json(&self) -> String {
        lock(&self.shared).timeline.to_json()
    }

    /// Disconnects cleanly; the recorded timeline is returned.
    pub async fn close(self) -> Timeline {
        // A failed disconnect means the connection is already gone, which is the goal.
        let _ = self.client.disconnect().await;
        let timeline = self.timeline();
        self.task.abort();
        timeline
    }
}

impl Drop for Observer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn disconnected(reason: &str) -> ObserverError {
    ObserverError::Disconnected {
        reason: reason.to_owned(),
    }
}

/// A poisoned lock only means a recording panicked mid-push; the timeline is still usable.
fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(|p| p.into_inner())
}

async fn wait_connack(eventloop: &mut EventLoop) -> Result<(), ConnectionError> {
    loop {
        if let Event::Incoming(Packet::ConnAck(_)) = eventloop.poll().await? {
            return Ok(());
        }
    }
}

enum SubscribeError {
    Connection(ConnectionError),
    Refused(String),
}

impl SubscribeError {
    fn into_observer_error(self, host: &str, port: u16) -> ObserverError {
        match self {
            SubscribeError::Connection(e) => ObserverError::Connect {
                host: host.to_owned(),
                port,
                source: Box::new(e),
            },
            SubscribeError::Refused(filter) => ObserverError::SubscriptionRefused { filter },
        }
    }
}

/// Waits for one SUBACK per filter, in the order subscribed (MQTT answers in order).
async fn wait_subacks(eventloop: &mut EventLoop, filters: &[&str]) -> Result<(), SubscribeError> {
    let mut acked = 0;
    while acked < filters.len() {
        let ev = eventloop.poll().await.map_err(SubscribeError::Connection)?;
        if let Event::Incoming(Packet::SubAck(ack)) = ev {
            let refused = ack
                .return_codes
                .iter()
                .any(|c| matches!(c, rumqttc::SubscribeReasonCode::Failure));
            if refused {
                return Err(SubscribeError::Refused(filters[acked].to_owned()));
            }
            acked += 1;
        }
    }
    Ok(())
}

/// The event loop: records every message, reports sync markers, and ends with the reason.
async fn run(
    mut eventloop: EventLoop,
    shared: Arc<Mutex<Shared>>,
    sync_topic: String,
    synced: watch::Sender<Result<u64, String>>,
) {
    let mut high: u64 = 0;
    loop {
        match eventloop.poll().await {
            Ok(Event::Incoming(Packet::Publish(p))) if p.topic == sync_topic => {
                let marker = std::str::from_utf8(&p.payload)
                    .ok()
                    .and_then(|s| s.parse::<u64>().ok());
                if let Some(m) = marker {
                    high = high.max(m);
                    synced.send_modify(|s| *s = Ok(high));
                }
            }
            Ok(Event::Incoming(Packet::Publish(p))) => {
                lock(&shared).timeline.record(&p.topic, &p.payload);
            }
            Ok(_) => {}
            Err(e) => {
                let reason = e.to_string();
                synced.send_modify(|s| *s = Err(reason));
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rec(t: &mut Timeline, topic: &str, v: Value) {
        t.record(topic, v.to_string().as_bytes());
    }

    // Issue 4: the observer derives transitions from notify-next and execution events alone.
    #[test]
    fn transitions_come_from_notify_next_and_events_without_replies() {
        let mut t = Timeline::default();
        rec(
            &mut t,
            "$aws/things/dev/jobs/notify-next",
            json!({"timestamp": 1, "execution": {"jobId": "j", "status": "QUEUED", "executionNumber": 1}}),
        );
        rec(
            &mut t,
            "$aws/events/jobExecution/j/failed",
            json!({"timestamp": 2, "jobId": "j", "status": "FAILED", "executionNumber": 1,
                   "thingArn": "arn:aws:iot:us-east-1:123456789012:thing/dev"}),
        );
        rec(
            &mut t,
            "$aws/things/dev/jobs/notify-next",
            json!({"timestamp": 2, "execution": {"jobId": "j", "status": "QUEUED", "executionNumber": 2}}),
        );
        assert_eq!(
            t.transition_labels("dev", "j"),
            vec!["QUEUED#1", "FAILED#1", "QUEUED#2"]
        );
        assert_eq!(t.entries[1].thing.as_deref(), Some("dev"));
        assert_eq!(t.entries[1].timestamp, Some(2));
    }

    // Issue 4: an update reply has no execution number; it takes the latest one seen.
    #[test]
    fn update_reply_is_attributed_to_the_latest_execution_number() {
        let mut t = Timeline::default();
        rec(
            &mut t,
            "$aws/things/dev/jobs/start-next/accepted",
            json!({"timestamp": 1, "execution": {"jobId": "j", "status": "IN_PROGRESS", "executionNumber": 3}}),
        );
        rec(
            &mut t,
            "$aws/things/dev/jobs/j/update/accepted",
            json!({"timestamp": 2, "executionState": {"status": "SUCCEEDED", "versionNumber": 3}}),
        );
        assert_eq!(
            t.transition_labels("dev", "j"),
            vec!["IN_PROGRESS#3", "SUCCEEDED#3"]
        );
        assert_eq!(t.entries[1].operation.as_deref(), Some("update"));
        assert_eq!(t.entries[1].execution_number, None, "as the payload says");
    }

    // Issue 4: a payload that is not JSON is recorded as text and recording goes on.
    #[test]
    fn payload_that_is_not_json_is_recorded_as_text() {
        let mut t = Timeline::default();
        t.record("$aws/things/dev/jobs/notify", b"not json \xff");
        rec(
            &mut t,
            "$aws/things/dev/jobs/notify",
            json!({"timestamp": 5, "jobs": {}}),
        );
        match &t.entries[0].payload {
            Payload::NotJson { text, error } => {
                assert!(text.starts_with("not json "), "{text}");
                assert!(!error.is_empty());
            }
            other => panic!("expected NotJson, got {other:?}"),
        }
        assert_eq!(t.entries[0].kind, Kind::Notify);
        assert_eq!(t.entries[1].timestamp, Some(5));
    }

    // Issue 4: topics are classified into notify, replies with their operation, and events.
    #[test]
    fn topics_are_classified_with_thing_operation_and_job() {
        let cases = [
            (
                "$aws/things/a/jobs/notify-next",
                Kind::NotifyNext,
                None,
                None,
            ),
            ("$aws/things/a/jobs/notify", Kind::Notify, None, None),
            (
                "$aws/things/a/jobs/get/accepted",
                Kind::Accepted,
                Some("get"),
                None,
            ),
            (
                "$aws/things/a/jobs/get/get/rejected",
                Kind::Rejected,
                Some("describe"),
                Some("get"),
            ),
            (
                "$aws/things/a/jobs/j1/update",
                Kind::Request,
                Some("update"),
                Some("j1"),
            ),
            (
                "$aws/things/a/jobs/$next/get/accepted",
                Kind::Accepted,
                Some("describe"),
                None,
            ),
            (
                "$aws/events/job/j1/completed",
                Kind::JobEvent,
                Some("completed"),
                Some("j1"),
            ),
            ("$aws/events/thing/a/created", Kind::Other, None, None),
        ];
        for (topic, kind, op, job) in cases {
            let i = classify(topic);
            assert_eq!(
                (i.kind, i.operation.as_deref(), i.job_id.as_deref()),
                (kind, op, job),
                "{topic}"
            );
        }
    }

    // Issue 4: job events carry the job's status and never become execution transitions.
    #[test]
    fn job_events_are_recorded_but_are_not_execution_transitions() {
        let mut t = Timeline::default();
        rec(
            &mut t,
            "$aws/events/job/j/canceled",
            json!({"timestamp": 9, "jobId": "j", "status": "CANCELED"}),
        );
        assert_eq!(t.entries[0].kind, Kind::JobEvent);
        assert_eq!(t.entries[0].thing, None);
        assert!(t.transitions("dev", "j").is_empty());
    }

    // Issue 4: the JSON document holds the entries and the transitions per thing and job.
    #[test]
    fn json_holds_entries_and_transitions_per_thing_and_job() {
        let mut t = Timeline::default();
        rec(
            &mut t,
            "$aws/things/dev/jobs/notify-next",
            json!({"timestamp": 1, "execution": {"jobId": "j", "status": "QUEUED", "executionNumber": 1}}),
        );
        let v: Value = serde_json::from_str(&t.to_json()).expect("valid JSON");
        assert_eq!(v["entries"][0]["kind"], "notifyNext");
        assert_eq!(
            v["entries"][0]["payload"]["json"]["execution"]["jobId"],
            "j"
        );
        assert_eq!(v["transitions"]["dev"]["j"][0]["to"]["status"], "QUEUED");
        assert_eq!(v["transitions"]["dev"]["j"][0]["to"]["executionNumber"], 1);
    }
}
