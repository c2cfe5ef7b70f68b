//! The AWS control plane (`iot`) and device data plane (`iot-jobs-data`) over HTTP: a thin
//! rest-json adapter. Path labels, query members and the body are moved into the engine's request
//! types, and responses and errors are written the way AWS writes them (spec §1). All behaviour,
//! validation included, is the engine's.
//!
//! - [`plane`] picks the plane (spec §1.2);
//! - [`control`] and [`data`] map method + path to engine operations (spec §2, §3);
//! - [`wire`] has the error form, query and body helpers.

mod control;
mod data;
mod plane;
mod wire;

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::response::Response;
use bytes::Bytes;

use crate::engine::{Engine, EngineResult, Outcome, Plane, Timestamp};
use crate::serve::service::Service;
use plane::Target;
use wire::{Query, WireError};

/// One AWS request with its path labels and query decoded.
pub(crate) struct AwsRequest {
    pub method: Method,
    pub path: String,
    /// Percent-decoded path segments (`%24next` → `$next`), empty segments dropped.
    pub segments: Vec<String>,
    pub query: Query,
    pub body: Bytes,
}

impl AwsRequest {
    pub fn segments(&self) -> Vec<&str> {
        self.segments.iter().map(String::as_str).collect()
    }

    /// "`<Operation>` (`METHOD /path`) on the `<plane>` plane", for not-implemented answers.
    pub fn unsupported(&self, plane: Plane, operation: Option<&str>) -> WireError {
        let plane = match plane {
            Plane::Control => "control plane (iot)",
            Plane::Data => "jobs data plane (iot-jobs-data)",
        };
        let what = format!("{} {} on the {plane}", self.method, self.path);
        WireError::Unsupported(match operation {
            Some(op) => format!("{op} ({what})"),
            None => what,
        })
    }
}

/// Routes one AWS request to its plane and operation. Never fails: every problem is an AWS-shaped
/// error response.
pub async fn dispatch(State(svc): State<Arc<Service>>, req: Request<Body>) -> Response {
    let (parts, body) = req.into_parts();
    let plane = match plane::target(&parts.headers, &parts.uri) {
        Target::Plane(p) => p,
        Target::OtherService(name) => {
            return WireError::Unsupported(format!(
                "the signing name {name} ({} {}); it serves iot and iot-jobs-data",
                parts.method,
                parts.uri.path()
            ))
            .into_response(Plane::Control);
        }
    };
    match prepare(&parts, body).await {
        Ok(req) => {
            let result = match plane {
                Plane::Control => control::handle(&svc, &req).await,
                Plane::Data => data::handle(&svc, &req).await,
            };
            result.unwrap_or_else(|e| e.into_response(plane))
        }
        Err(e) => e.into_response(plane),
    }
}

async fn prepare(parts: &axum::http::request::Parts, body: Body) -> Result<AwsRequest, WireError> {
    let path = parts.uri.path().to_string();
    let segments = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(wire::decode)
        .collect::<Result<Vec<_>, _>>()?;
    let query = Query::parse(parts.uri.query())?;
    let body = wire::read_body(&parts.headers, body).await?;
    Ok(AwsRequest {
        method: parts.method.clone(),
        path,
        segments,
        query,
        body,
    })
}

/// Runs a mutating operation; answers only after the MQTT messages it caused have been written,
/// so a client that sees the HTTP reply can rely on devices having been notified.
pub(crate) async fn call<R>(
    svc: &Service,
    op: impl FnOnce(&mut Engine, Timestamp) -> EngineResult<Outcome<R>>,
) -> Result<R, WireError> {
    let (result, receipt) = svc.call(op);
    receipt.delivered().await;
    result.map_err(WireError::from)
}

/// Runs a read-only operation.
pub(crate) fn read<R>(
    svc: &Service,
    op: impl FnOnce(&Engine, Timestamp) -> EngineResult<R>,
) -> Result<R, WireError> {
    svc.read(op).map_err(WireError::from)
}
