//! The reserved Jobs topics (spec §4.1): a publish on a request topic becomes an engine call,
//! and its result is published on `<request topic>/accepted` or `/rejected`. No behaviour lives
//! here beyond reading topics and payloads; the engine validates and decides everything.

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::replies::{self, INVALID_JSON, INVALID_REQUEST, INVALID_TOPIC};
use super::router::Router;
use super::subscriptions::ClientId;
use crate::engine::{
    DescribeExecutionRequest, EngineResult, Outcome, StartNextRequest, Timestamp,
    UpdateExecutionRequest,
};
use crate::serve::service::{Receipt, Service};

/// The device operation a request topic names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op<'a> {
    GetPending,
    StartNext,
    Describe(&'a str),
    Update(&'a str),
}

/// A publish under `$aws/things/{thing}/jobs/...`; `op` is `None` when the topic maps to no API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route<'a> {
    pub thing: &'a str,
    pub namespace: Option<&'a str>,
    pub op: Option<Op<'a>>,
}

/// Reads a topic as a Jobs request; `None` when it is not under `$aws/things/{thing}/jobs`.
///
/// `jobs/get` and `jobs/start-next` are always the API words, so a job literally named `get` is
/// addressed as `jobs/get/get` (spec §4.1). Namespaced forms are `jobs/{jobId}/namespace-{ns}/get`
/// and `/update`, as Greengrass uses them.
pub fn parse(topic: &str) -> Option<Route<'_>> {
    let rest = topic.strip_prefix("$aws/things/")?;
    let (thing, rest) = rest.split_once('/')?;
    let rest = match rest.strip_prefix("jobs") {
        Some("") => "",
        Some(r) => r.strip_prefix('/')?,
        None => return None,
    };
    let levels: Vec<&str> = rest.split('/').collect();
    let (namespace, op) = match levels.as_slice() {
        ["get"] => (None, Some(Op::GetPending)),
        ["start-next"] => (None, Some(Op::StartNext)),
        [job, "get"] => (None, Some(Op::Describe(job))),
        [job, "update"] => (None, Some(Op::Update(job))),
        [job, ns, action] => match (ns.strip_prefix("namespace-"), *action) {
            (Some(ns), "get") => (Some(ns), Some(Op::Describe(job))),
            (Some(ns), "update") => (Some(ns), Some(Op::Update(job))),
            _ => (None, None),
        },
        _ => (None, None),
    };
    Some(Route {
        thing,
        namespace,
        op,
    })
}

/// Where Jobs replies go. jobrig's broker delivers them to the requesting client whether or not
/// it subscribed (spec §4.1, §11.57) and to subscribers of the reply topic; an external broker
/// (`serve::external`) can only publish them.
pub trait ReplyTo {
    fn reply(&self, topic: &str, payload: Bytes) -> Receipt;
}

/// A reply to a client of jobrig's own broker.
pub struct ToRequester<'a> {
    pub router: &'a Router,
    pub client: &'a ClientId,
    /// The QoS of the request publish, used when the requester holds no matching subscription.
    pub qos: u8,
}

impl ReplyTo for ToRequester<'_> {
    fn reply(&self, topic: &str, payload: Bytes) -> Receipt {
        // Not awaited by anyone: the requester's own connection task runs this code and is the
        // one that will write the reply.
        self.router
            .route(topic, payload, 1, Some((self.client, self.qos)), None);
        Receipt::default()
    }
}

struct Replier<'a> {
    to: &'a dyn ReplyTo,
    topic: &'a str,
}

impl Replier<'_> {
    fn send(&self, suffix: &str, payload: Vec<u8>) -> Receipt {
        let topic = format!("{}/{suffix}", self.topic);
        self.to.reply(&topic, Bytes::from(payload))
    }

    /// A rejection decided before the engine was called (topic, JSON, member types).
    fn reject(&self, service: &Service, code: &str, message: &str, token: Option<&str>) {
        let secs = service.now().secs();
        let _ = self.send(
            "rejected",
            replies::rejected(code, message, token, secs, None),
        );
    }

    /// Publishes the engine's answer: `render` for success, the error's MQTT code otherwise.
    fn answer<R>(
        &self,
        result: &EngineResult<R>,
        now: Timestamp,
        token: Option<&str>,
        render: impl FnOnce(&R, i64) -> Vec<u8>,
    ) -> Receipt {
        match result {
            Ok(r) => self.send("accepted", render(r, now.secs())),
            Err(e) => self.send(
                "rejected",
                replies::rejected(
                    e.kind.mqtt_code(),
                    &e.message,
                    token,
                    now.secs(),
                    e.execution_state.as_ref(),
                ),
            ),
        }
    }
}

/// Not JSON, or JSON that is not an object (spec §4.4, §11.61).
struct NotAnObject;

fn object(payload: &[u8]) -> Result<Map<String, Value>, NotAnObject> {
    // Choice: an empty payload reads as `{}`; device SDKs send `{}`, some firmware sends nothing.
    if payload.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(payload) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(NotAnObject),
    }
}

/// Reads the request members; a member of the wrong type is an `InvalidRequest` with serde's
/// message naming it.
fn members<T: DeserializeOwned>(map: Map<String, Value>) -> Result<T, String> {
    serde_json::from_value(Value::Object(map)).map_err(|e| e.to_string())
}

/// `expectedVersion` may come as a number or a numeric string (spec §4.3).
fn normalise_expected_version(map: &mut Map<String, Value>) -> Result<(), String> {
    if let Some(Value::String(s)) = map.get("expectedVersion") {
        let n: i64 = s
            .trim()
            .parse()
            .map_err(|_| format!("expectedVersion '{s}' is not a number"))?;
        map.insert("expectedVersion".into(), Value::from(n));
    }
    Ok(())
}

/// A read has no effects; wrapping it lets it run through `call_then` so its reply is published
/// in order with everything else under the engine lock.
fn no_effects<R>(r: EngineResult<R>) -> EngineResult<Outcome<R>> {
    r.map(|response| Outcome {
        response,
        effects: Vec::new(),
    })
}

/// Handles a publish if it is on a Jobs topic; returns whether it was one (and so is consumed
/// rather than routed to subscribers).
pub fn handle(service: &Service, reply_to: &dyn ReplyTo, topic: &str, payload: &[u8]) -> bool {
    let Some(route) = parse(topic) else {
        return false;
    };
    let replier = Replier {
        to: reply_to,
        topic,
    };
    let Some(op) = route.op else {
        // The token is still echoed when the payload carries one (spec §11.58: every request).
        let token = object(payload)
            .ok()
            .and_then(|mut m| match m.remove("clientToken") {
                Some(Value::String(t)) => Some(t),
                _ => None,
            });
        let msg = format!("Topic {topic} does not name a Jobs API.");
        replier.reject(service, INVALID_TOPIC, &msg, token.as_deref());
        return true;
    };
    let mut map = match object(payload) {
        Ok(m) => m,
        Err(_) => {
            replier.reject(service, INVALID_JSON, "Payload is not a JSON object.", None);
            return true;
        }
    };
    let token = match map.remove("clientToken") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => {
            let msg = "clientToken must be a string.";
            replier.reject(service, INVALID_REQUEST, msg, None);
            return true;
        }
    };
    let token = token.as_deref();
    if let Err(msg) = dispatch(service, &replier, route, op, map, token) {
        replier.reject(service, INVALID_REQUEST, &msg, token);
    }
    true
}

fn dispatch(
    service: &Service,
    replier: &Replier<'_>,
    route: Route<'_>,
    op: Op<'_>,
    mut map: Map<String, Value>,
    token: Option<&str>,
) -> Result<(), String> {
    let (thing, ns) = (route.thing, route.namespace);
    // The result has gone out as the reply; its receipt joins the operation's (see `ReplyTo`).
    match op {
        Op::GetPending => {
            let _ = service.call_then(
                |e, _| no_effects(e.get_pending_job_executions(thing, ns)),
                |r, now| replier.answer(r, now, token, |p, t| replies::pending(token, t, p)),
            );
        }
        Op::StartNext => {
            let req: StartNextRequest = members(map)?;
            let _ = service.call_then(
                |e, now| e.start_next_pending_job_execution(now, thing, ns, req),
                |r, now| {
                    replier.answer(r, now, token, |x, t| {
                        replies::execution(token, t, x.as_ref())
                    })
                },
            );
        }
        Op::Describe(job) => {
            let req: DescribeExecutionRequest = members(map)?;
            let _ = service.call_then(
                |e, now| no_effects(e.describe_job_execution_for_device(now, thing, job, ns, &req)),
                |r, now| {
                    replier.answer(r, now, token, |x, t| {
                        replies::execution(token, t, x.as_ref())
                    })
                },
            );
        }
        Op::Update(job) => {
            normalise_expected_version(&mut map)?;
            let req: UpdateExecutionRequest = members(map)?;
            let _ = service.call_then(
                |e, now| e.update_job_execution(now, thing, job, ns, req),
                |r, now| replier.answer(r, now, token, |x, t| replies::updated(token, t, x)),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(topic: &str) -> Option<(Option<&str>, Option<Op<'_>>)> {
        parse(topic).map(|r| (r.namespace, r.op))
    }

    // §4.1
    #[test]
    fn api_words_win_over_job_ids() {
        assert_eq!(
            op("$aws/things/t/jobs/get"),
            Some((None, Some(Op::GetPending)))
        );
        assert_eq!(
            op("$aws/things/t/jobs/get/get"),
            Some((None, Some(Op::Describe("get"))))
        );
        assert_eq!(
            op("$aws/things/t/jobs/start-next"),
            Some((None, Some(Op::StartNext)))
        );
        assert_eq!(
            op("$aws/things/t/jobs/$next/get"),
            Some((None, Some(Op::Describe("$next"))))
        );
    }

    // §4.1 §11.69
    #[test]
    fn namespace_forms_carry_their_namespace() {
        assert_eq!(
            op("$aws/things/t/jobs/j/namespace-aws-gg-deployment/update"),
            Some((Some("aws-gg-deployment"), Some(Op::Update("j"))))
        );
        assert_eq!(
            op("$aws/things/t/jobs/j/other-ns/update"),
            Some((None, None))
        );
    }

    // §4.1 §4.4
    #[test]
    fn unmapped_jobs_topics_and_foreign_topics_differ() {
        assert_eq!(op("$aws/things/t/jobs/notify"), Some((None, None)));
        assert_eq!(op("$aws/things/t/jobs"), Some((None, None)));
        assert_eq!(op("$aws/things/t/shadow/get"), None);
        assert_eq!(op("$aws/things/t/jobsx/get"), None);
    }
}
