//! One HTTP listener for the AWS planes and the admin API.
//!
//! The two AWS planes share paths (spec §1.2), so they are not axum routes: every request that is
//! not under `/_jobrig` goes to [`aws::dispatch`], which picks the plane from the SigV4 credential
//! scope or the host.

pub mod admin;
pub mod aws;

use std::sync::Arc;

use axum::Router;

use crate::serve::service::Service;

pub fn router(service: Arc<Service>) -> Router {
    Router::new()
        .nest("/_jobrig", admin::router())
        .fallback(aws::dispatch)
        .with_state(service)
}
