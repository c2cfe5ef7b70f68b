//! The AWS control plane (`iot`) and device data plane (`iot-jobs-data`) over HTTP.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::serve::service::Service;

/// Routes one AWS request to its plane and operation.
pub async fn dispatch(State(_svc): State<Arc<Service>>, req: Request<Body>) -> Response {
    (
        StatusCode::NOT_FOUND,
        [("x-amzn-ErrorType", "UnknownOperationException:")],
        format!(
            "{{\"message\":\"jobrig does not implement {} {}\"}}",
            req.method(),
            req.uri().path()
        ),
    )
        .into_response()
}
