//! One HTTP listener for the AWS planes, the admin API and MQTT over WebSocket.
//!
//! The two AWS planes share paths (spec §1.2), so they are not axum routes: every request that is
//! not under `/_jobrig` nor the `/mqtt` upgrade goes to [`aws::dispatch`], which picks the plane
//! from the SigV4 credential scope or the host.

pub mod admin;
pub mod aws;
pub mod ws;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;

use crate::serve::mqtt::Connector;
use crate::serve::service::Service;

/// The HTTP application; `mqtt` (jobrig's own broker) enables MQTT over WebSocket on `/mqtt`.
pub fn router(service: Arc<Service>, mqtt: Option<Connector>) -> Router {
    let app = Router::new()
        .nest("/_jobrig", admin::router())
        .fallback(aws::dispatch)
        .with_state(service);
    match mqtt {
        Some(connector) => Router::new()
            .route("/mqtt", get(ws::upgrade))
            .with_state(connector)
            .merge(app),
        None => app,
    }
}
