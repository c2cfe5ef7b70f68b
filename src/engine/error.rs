//! Engine errors: one enum of AWS error kinds, mapped to each plane's wire form in one place.
//!
//! The same failure looks different per plane: a stale `expectedVersion` is `VersionMismatch` on MQTT,
//! but the HTTP data plane has no version-conflict shape, so it answers 409
//! `InvalidStateTransitionException` (spec §12.1; see docs/fidelity.md).

use std::collections::BTreeMap;

use serde::Serialize;

/// The plane a request arrived on; it decides the HTTP status and code an error is shown with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plane {
    /// `iot`, the control plane (rest-json).
    Control,
    /// `iot-jobs-data`, the device HTTP plane.
    Data,
}

/// What went wrong, in AWS's vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    InvalidRequest,
    ResourceNotFound,
    ResourceAlreadyExists,
    /// `ConflictException` (job templates).
    Conflict,
    /// Control-plane `expectedVersion` mismatch (`VersionConflictException`).
    VersionConflict,
    InvalidStateTransition,
    LimitExceeded,
    Throttling,
    ServiceUnavailable,
    InternalFailure,
    /// A device asked to change an execution that is already terminal.
    TerminalStateReached,
    /// A device's `expectedVersion` does not match the execution's version.
    VersionMismatch,
}

impl ErrorKind {
    /// The exception shape name sent as `x-amzn-ErrorType` on the given plane.
    pub fn aws_code(self, plane: Plane) -> &'static str {
        match (self, plane) {
            (ErrorKind::InvalidRequest, _) => "InvalidRequestException",
            (ErrorKind::ResourceNotFound, _) => "ResourceNotFoundException",
            (ErrorKind::ResourceAlreadyExists, _) => "ResourceAlreadyExistsException",
            (ErrorKind::Conflict, _) => "ConflictException",
            (ErrorKind::VersionConflict, Plane::Control) => "VersionConflictException",
            (ErrorKind::VersionConflict, Plane::Data) => "InvalidStateTransitionException",
            (ErrorKind::InvalidStateTransition, _) => "InvalidStateTransitionException",
            (ErrorKind::LimitExceeded, _) => "LimitExceededException",
            (ErrorKind::Throttling, _) => "ThrottlingException",
            (ErrorKind::ServiceUnavailable, _) => "ServiceUnavailableException",
            (ErrorKind::InternalFailure, _) => "InternalFailureException",
            // The data plane models no version-conflict shape and no terminal-update shape for
            // UpdateJobExecution: 409 InvalidStateTransitionException is the modelled fit.
            (ErrorKind::TerminalStateReached, _) => "InvalidStateTransitionException",
            (ErrorKind::VersionMismatch, _) => "InvalidStateTransitionException",
        }
    }

    /// The HTTP status of the error shape on the given plane (spec §1.4).
    pub fn http_status(self, plane: Plane) -> u16 {
        match (self, plane) {
            (ErrorKind::InvalidRequest, _) => 400,
            (ErrorKind::ResourceNotFound, _) => 404,
            (ErrorKind::ResourceAlreadyExists, _) => 409,
            (ErrorKind::Conflict, _) => 409,
            (ErrorKind::VersionConflict, _) => 409,
            (ErrorKind::InvalidStateTransition, _) => 409,
            (ErrorKind::LimitExceeded, _) => 410,
            (ErrorKind::Throttling, Plane::Control) => 400,
            (ErrorKind::Throttling, Plane::Data) => 429,
            (ErrorKind::ServiceUnavailable, _) => 503,
            (ErrorKind::InternalFailure, _) => 500,
            (ErrorKind::TerminalStateReached, _) => 409,
            (ErrorKind::VersionMismatch, _) => 409,
        }
    }

    /// The `code` of an MQTT `.../rejected` payload (spec §4.4).
    pub fn mqtt_code(self) -> &'static str {
        match self {
            ErrorKind::InvalidRequest | ErrorKind::LimitExceeded | ErrorKind::Conflict => {
                "InvalidRequest"
            }
            ErrorKind::ResourceNotFound => "ResourceNotFound",
            ErrorKind::ResourceAlreadyExists => "InvalidRequest",
            ErrorKind::VersionConflict | ErrorKind::VersionMismatch => "VersionMismatch",
            ErrorKind::InvalidStateTransition => "InvalidStateTransition",
            ErrorKind::Throttling => "RequestThrottled",
            ErrorKind::ServiceUnavailable | ErrorKind::InternalFailure => "InternalError",
            ErrorKind::TerminalStateReached => "TerminalStateReached",
        }
    }
}

/// The execution state attached to `InvalidStateTransition` and `VersionMismatch` rejections.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionState {
    pub status: &'static str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub status_details: BTreeMap<String, String>,
    pub version_number: i64,
}

/// A rejected operation. Nothing changed and no effect was emitted.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}: {message}", kind.aws_code(Plane::Control))]
pub struct EngineError {
    pub kind: ErrorKind,
    pub message: String,
    pub execution_state: Option<ExecutionState>,
}

impl EngineError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        EngineError {
            kind,
            message: message.into(),
            execution_state: None,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidRequest, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::ResourceNotFound, message)
    }

    pub fn with_state(mut self, state: ExecutionState) -> Self {
        self.execution_state = Some(state);
        self
    }
}

pub type EngineResult<T> = Result<T, EngineError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_is_400_on_the_control_plane_and_429_on_the_data_plane() {
        assert_eq!(ErrorKind::Throttling.http_status(Plane::Control), 400);
        assert_eq!(ErrorKind::Throttling.http_status(Plane::Data), 429);
        assert_eq!(ErrorKind::LimitExceeded.http_status(Plane::Control), 410);
    }

    #[test]
    fn a_stale_device_version_is_version_mismatch_on_mqtt_and_a_409_state_transition_on_http() {
        let k = ErrorKind::VersionMismatch;
        assert_eq!(k.mqtt_code(), "VersionMismatch");
        assert_eq!(k.aws_code(Plane::Data), "InvalidStateTransitionException");
        assert_eq!(k.http_status(Plane::Data), 409);
        assert_eq!(
            ErrorKind::VersionConflict.aws_code(Plane::Control),
            "VersionConflictException"
        );
    }
}
