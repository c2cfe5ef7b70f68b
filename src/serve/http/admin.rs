//! The admin API (`/_jobrig/...`): an exact contract other tools rely on (not an AWS API).
//!
//! - `GET /_jobrig/clock` → `{"now": <epoch seconds>, "mode": "virtual"|"jumpable"|"system"}`
//! - `POST /_jobrig/clock/advance` `{"seconds": n}` → `{"now": ...}` once every timer due in that
//!   span has fired and its messages have been delivered
//! - `POST /_jobrig/reset` → empty state

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use crate::serve::service::Service;

pub fn router() -> Router<Arc<Service>> {
    Router::new()
        .route("/clock", get(clock))
        .route("/clock/advance", post(advance))
        .route("/reset", post(reset))
}

async fn clock(State(svc): State<Arc<Service>>) -> Json<serde_json::Value> {
    Json(json!({
        "now": svc.now().secs_f64(),
        "mode": svc.clock_mode().as_str(),
    }))
}

#[derive(Deserialize)]
struct Advance {
    seconds: f64,
}

/// Most a single advance may move: ten years of emulator time.
const MAX_ADVANCE_SECONDS: f64 = 10.0 * 366.0 * 24.0 * 3600.0;

fn bad_request(message: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"message": message}))).into_response()
}

async fn advance(
    State(svc): State<Arc<Service>>,
    body: Result<Json<Advance>, JsonRejection>,
) -> Response {
    let Json(req) = match body {
        Ok(b) => b,
        Err(e) => {
            return bad_request(format!(
                "expected a JSON body {{\"seconds\": <number>}}: {}",
                e.body_text()
            ));
        }
    };
    if !req.seconds.is_finite() || !(0.0..=MAX_ADVANCE_SECONDS).contains(&req.seconds) {
        return bad_request(format!(
            "seconds must be a number from 0 to {MAX_ADVANCE_SECONDS}; got {}",
            req.seconds
        ));
    }
    let ms = (req.seconds * 1000.0).round() as i64;
    match svc.advance_ms(ms).await {
        Ok(now) => Json(json!({"now": now.secs_f64()})).into_response(),
        Err(e) => (
            StatusCode::CONFLICT,
            Json(json!({"message": e.to_string()})),
        )
            .into_response(),
    }
}

async fn reset(State(svc): State<Arc<Service>>) -> Json<serde_json::Value> {
    svc.reset();
    Json(json!({}))
}
