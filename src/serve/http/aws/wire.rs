//! rest-json wire helpers shared by both AWS planes: the error form of spec §1.4, query-string
//! members, request bodies and JSON responses.

use axum::body::Body;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::engine::{EngineError, ErrorKind, Plane};

/// Largest request body accepted. Job documents are capped at 32 KB by the engine and no Jobs
/// input comes near a megabyte; the cap keeps one request from holding unbounded memory.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The header rest-json clients read the error code from (spec §1.4), `x-amzn-ErrorType`; header
/// names are case-insensitive and HTTP/1 servers conventionally write them in lower case.
pub const ERROR_TYPE_HEADER: HeaderName = HeaderName::from_static("x-amzn-errortype");

/// Why a request got no engine answer, or the engine's own rejection.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("{}", .0.message)]
    Engine(EngineError),
    #[error("The request body is not valid input for {operation}: {detail}")]
    MalformedBody {
        operation: &'static str,
        detail: String,
    },
    #[error("Query parameter {name} must be {expected}; got '{value}'.")]
    BadQuery {
        name: &'static str,
        expected: &'static str,
        value: String,
    },
    #[error("Path label {name} must be {expected}; got '{value}'.")]
    BadLabel {
        name: &'static str,
        expected: &'static str,
        value: String,
    },
    #[error("The path segment '{0}' is not valid UTF-8 once percent-decoded.")]
    BadPath(String),
    #[error("The request body exceeds the limit of {MAX_BODY_BYTES} bytes.")]
    BodyTooLarge,
    #[error("The request body could not be read: {0}")]
    BodyUnreadable(String),
    /// A method and path (or signing name) that is no operation jobrig serves.
    #[error("jobrig does not implement {0}.")]
    Unsupported(String),
}

impl From<EngineError> for WireError {
    fn from(e: EngineError) -> Self {
        WireError::Engine(e)
    }
}

impl WireError {
    fn status_and_code(&self, plane: Plane) -> (u16, &'static str) {
        match self {
            WireError::Engine(e) => (e.kind.http_status(plane), e.kind.aws_code(plane)),
            WireError::MalformedBody { .. }
            | WireError::BadQuery { .. }
            | WireError::BadLabel { .. }
            | WireError::BadPath(_)
            | WireError::BodyUnreadable(_) => (
                ErrorKind::InvalidRequest.http_status(plane),
                ErrorKind::InvalidRequest.aws_code(plane),
            ),
            // Not modelled by AWS: the code names the problem for humans and generic clients.
            WireError::BodyTooLarge => (413, "RequestEntityTooLargeException"),
            WireError::Unsupported(_) => (404, "UnknownOperationException"),
        }
    }

    /// The error as AWS sends it: modelled status, `x-amzn-ErrorType: <Code>`, `{"message"}`.
    pub fn into_response(self, plane: Plane) -> Response {
        let (status, code) = self.status_and_code(plane);
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
        let body = ErrorBody {
            message: self.to_string(),
        };
        let mut resp = json_response(status, &body);
        resp.headers_mut()
            .insert(ERROR_TYPE_HEADER, HeaderValue::from_static(code));
        resp
    }
}

#[derive(Serialize)]
struct ErrorBody {
    message: String,
}

/// A JSON response; serialising the plain response structs cannot fail, but if it ever did the
/// client gets a modelled 500 rather than a dropped connection.
pub fn json_response<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => (
            status,
            [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::error!("an AWS response could not be serialised: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [
                    (CONTENT_TYPE, HeaderValue::from_static("application/json")),
                    (
                        ERROR_TYPE_HEADER,
                        HeaderValue::from_static("InternalFailureException"),
                    ),
                ],
                r#"{"message":"The response could not be serialised."}"#,
            )
                .into_response()
        }
    }
}

pub fn ok_json<T: Serialize>(value: &T) -> Response {
    json_response(StatusCode::OK, value)
}

/// Operations with an empty output shape answer 200 with a 0-byte body, as AWS does (spec §1.4).
pub fn ok_empty() -> Response {
    (
        StatusCode::OK,
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        Body::empty(),
    )
        .into_response()
}

/// Most of an oversized body that is read and thrown away before the refusal is sent. Closing a
/// socket with unread data makes the kernel send RST, which can destroy the response before the
/// client reads it; draining a moderately oversized body lets the client see the 413. Bodies
/// declared larger than this are refused at once (clients sending `Expect: 100-continue` never
/// send them).
const MAX_DRAIN_BYTES: usize = 8 * MAX_BODY_BYTES;

/// Reads the whole body within [`MAX_BODY_BYTES`].
pub async fn read_body(headers: &HeaderMap, mut body: Body) -> Result<Bytes, WireError> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_DRAIN_BYTES as u64) {
        return Err(WireError::BodyTooLarge);
    }
    let mut buf = BytesMut::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| WireError::BodyUnreadable(e.to_string()))?;
        let Ok(data) = frame.into_data() else {
            continue; // trailers carry nothing jobrig reads
        };
        seen = seen.saturating_add(data.len());
        if seen > MAX_DRAIN_BYTES {
            return Err(WireError::BodyTooLarge);
        }
        if seen <= MAX_BODY_BYTES {
            buf.extend_from_slice(&data);
        }
    }
    if seen > MAX_BODY_BYTES {
        return Err(WireError::BodyTooLarge);
    }
    Ok(buf.freeze())
}

/// Parses a JSON input body; an absent body is the empty input `{}` (clients send nothing for
/// GET/DELETE and `{}` for memberless POST/PUT, spec §1.3).
pub fn parse_body<T: DeserializeOwned + Default>(
    operation: &'static str,
    body: &[u8],
) -> Result<T, WireError> {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        None => return Ok(T::default()),
        // serde would also build a struct from a JSON array; rest-json inputs are objects.
        Some(b'{') => {}
        Some(_) => {
            return Err(WireError::MalformedBody {
                operation,
                detail: "expected a JSON object".into(),
            });
        }
    }
    serde_json::from_slice(body).map_err(|e| WireError::MalformedBody {
        operation,
        detail: e.to_string(),
    })
}

/// The query string, percent-decoded. Unknown parameters are ignored, as AWS ignores them.
#[derive(Debug, Default)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub fn parse(raw: Option<&str>) -> Result<Self, WireError> {
        let mut pairs = Vec::new();
        for part in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            pairs.push((decode(k)?, decode(v)?));
        }
        Ok(Query { pairs })
    }

    /// The first value given for `name`.
    pub fn string(&self, name: &str) -> Option<String> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    /// rest-json query booleans are the literals `true` and `false` (spec §1.3).
    pub fn bool(&self, name: &'static str) -> Result<Option<bool>, WireError> {
        match self.string(name) {
            None => Ok(None),
            Some(v) => match v.as_str() {
                "true" => Ok(Some(true)),
                "false" => Ok(Some(false)),
                _ => Err(WireError::BadQuery {
                    name,
                    expected: "true or false",
                    value: v,
                }),
            },
        }
    }

    pub fn int(&self, name: &'static str) -> Result<Option<i64>, WireError> {
        match self.string(name) {
            None => Ok(None),
            Some(v) => v.parse::<i64>().map(Some).map_err(|_| WireError::BadQuery {
                name,
                expected: "an integer",
                value: v,
            }),
        }
    }
}

/// Percent-decodes one path segment or query component (`%24next` → `$next`, `t%3A1` → `t:1`).
pub fn decode(s: &str) -> Result<String, WireError> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| WireError::BadPath(s.to_string()))
}

/// A numeric path label (DeleteJobExecution's `executionNumber`).
pub fn int_label(name: &'static str, value: &str) -> Result<i64, WireError> {
    value.parse::<i64>().map_err(|_| WireError::BadLabel {
        name,
        expected: "an integer",
        value: value.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // §1.3
    #[test]
    fn query_components_are_percent_decoded() {
        let q = Query::parse(Some("endpointType=iot%3AJobs&force=true")).expect("parses");
        assert_eq!(q.string("endpointType").as_deref(), Some("iot:Jobs"));
        assert_eq!(q.bool("force").expect("bool"), Some(true));
    }

    // §1.3
    #[test]
    fn query_booleans_and_numbers_are_strict() {
        let q = Query::parse(Some("force=yes&maxResults=ten")).expect("parses");
        assert!(matches!(q.bool("force"), Err(WireError::BadQuery { .. })));
        assert!(matches!(
            q.int("maxResults"),
            Err(WireError::BadQuery { .. })
        ));
    }
}
