//! The jobrig test document: a job document with `"operation": "jobrig-test"` that tells a device
//! what to report and when, so that device conformance is checkable. `docs/test-document.md` is the
//! contract a vendor's firmware implements; `fixtures/test-document.schema.json` is the same contract
//! as a JSON Schema, and a test keeps the two and this parser in agreement.
//!
//! ```json
//! {
//!   "operation": "jobrig-test",
//!   "steps": [{ "statusDetails": { "step": "download" }, "durationSeconds": 30 }],
//!   "final": { "status": "SUCCEEDED", "statusDetails": { "result": "ok" } },
//!   "interruption": { "kind": "reboot", "afterStep": 1, "forSeconds": 20 }
//! }
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

use serde_json::{Map, Value, json};

use crate::engine::document::MAX_DOCUMENT_BYTES;
use crate::engine::validate::{
    DETAILS_KEY_MAX, DETAILS_MAX_PAIRS, DETAILS_VALUE_MAX, DETAILS_VALUE_PATTERN,
};

/// The `operation` that marks a job document as a jobrig test document.
pub const OPERATION: &str = "jobrig-test";
/// Longest step or interruption: seven days, the longest in-progress timeout AWS allows, so any
/// longer wait could never be observed finishing.
pub const MAX_DURATION_SECONDS: u64 = 604_800;

/// Members of the document, of a step, of `final` and of `interruption`: (all, required). The
/// schema test compares these with `fixtures/test-document.schema.json`.
pub const DOCUMENT_MEMBERS: (&[&str], &[&str]) = (
    &["operation", "steps", "final", "interruption"],
    &["operation", "steps", "final"],
);
pub const STEP_MEMBERS: (&[&str], &[&str]) = (
    &["statusDetails", "durationSeconds"],
    &["statusDetails", "durationSeconds"],
);
pub const FINAL_MEMBERS: (&[&str], &[&str]) = (&["status", "statusDetails"], &["status"]);
pub const INTERRUPTION_MEMBERS: (&[&str], &[&str]) = (
    &["kind", "afterStep", "forSeconds"],
    &["kind", "afterStep", "forSeconds"],
);

// ---------------------------------------------------------------- types

/// A parsed, valid test document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestDocument {
    /// Reported in order, each as IN_PROGRESS with its statusDetails, then held for its duration.
    pub steps: Vec<Step>,
    /// The terminal report after the last step.
    pub final_report: FinalReport,
    /// At most one interruption, after a given step.
    pub interruption: Option<Interruption>,
}

/// One progress report and the time the device waits after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub status_details: StatusDetails,
    /// Seconds of emulator time.
    pub duration_seconds: u64,
}

/// The last update the device sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinalReport {
    pub status: FinalStatus,
    pub status_details: StatusDetails,
}

/// Terminal statuses a device may report itself (TIMED_OUT, CANCELED and REMOVED are set by the
/// service, never by a device).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinalStatus {
    Succeeded,
    Failed,
    Rejected,
}

impl FinalStatus {
    pub const ALL: [Self; 3] = [Self::Succeeded, Self::Failed, Self::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "SUCCEEDED",
            Self::Failed => "FAILED",
            Self::Rejected => "REJECTED",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// A reboot or a disconnect after a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interruption {
    pub kind: InterruptionKind,
    /// 1-based: the interruption starts once this step's duration has elapsed.
    pub after_step: usize,
    /// Seconds of emulator time the device stays away before reconnecting.
    pub for_seconds: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterruptionKind {
    /// The device restarts and forgets everything it held in memory.
    Reboot,
    /// The device closes its MQTT connection but keeps its memory.
    Disconnect,
}

impl InterruptionKind {
    pub const ALL: [Self; 2] = [Self::Reboot, Self::Disconnect];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reboot => "reboot",
            Self::Disconnect => "disconnect",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// statusDetails as the Jobs API accepts them: up to 10 string pairs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusDetails(BTreeMap<String, String>);

impl StatusDetails {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a pair; limits are checked by [`TestDocument::validate`] so that building never fails.
    pub fn with(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.insert(key.into(), value.into());
        self
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    fn to_value(&self) -> Value {
        Value::Object(
            self.0
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect(),
        )
    }

    fn check(&self, path: &str) -> Result<(), TestDocumentError> {
        if self.0.len() > DETAILS_MAX_PAIRS {
            return Err(TestDocumentError::TooManyStatusDetails {
                path: path.to_owned(),
                count: self.0.len(),
            });
        }
        for (key, value) in &self.0 {
            check_details_key(path, key)?;
            check_details_value(path, key, value)?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------- errors

/// Why a document is not a valid jobrig test document. `path` is a JSON pointer-like member path
/// such as `steps[1].durationSeconds`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TestDocumentError {
    #[error(
        "the document is {bytes} bytes; job documents are at most {MAX_DOCUMENT_BYTES} bytes: use fewer or shorter steps"
    )]
    TooLarge { bytes: usize },
    #[error("the document is not JSON: {0}")]
    NotJson(String),
    #[error("{path}: missing member; add it (see docs/test-document.md)")]
    MissingMember { path: String },
    #[error("{path}: unknown member; remove it (known here: {known})")]
    UnknownMember { path: String, known: String },
    #[error("{path}: expected {expected}")]
    WrongType {
        path: String,
        expected: &'static str,
    },
    #[error("operation is {found:?}, not \"{OPERATION}\": this is not a jobrig test document")]
    NotJobrigTest { found: String },
    #[error(
        "final.status {found:?} is not one a device may report: use SUCCEEDED, FAILED or REJECTED"
    )]
    UnknownFinalStatus { found: String },
    #[error("interruption.kind {found:?} is unknown: use \"reboot\" or \"disconnect\"")]
    UnknownInterruptionKind { found: String },
    #[error(
        "{path}: {value} is out of range: use a whole number of seconds from 0 to {MAX_DURATION_SECONDS}"
    )]
    DurationOutOfRange { path: String, value: String },
    #[error("{path}: statusDetails key {key:?} {reason}")]
    StatusDetailsKey {
        path: String,
        key: String,
        reason: String,
    },
    #[error("{path}: statusDetails value of {key:?} {reason}")]
    StatusDetailsValue {
        path: String,
        key: String,
        reason: String,
    },
    #[error("{path}: {count} statusDetails pairs; at most {DETAILS_MAX_PAIRS} are allowed")]
    TooManyStatusDetails { path: String, count: usize },
    #[error(
        "interruption.afterStep is {after_step} but the document has {steps} step(s): use 1 to {steps} (the execution must be IN_PROGRESS before it is interrupted)"
    )]
    InterruptionAfterMissingStep { after_step: usize, steps: usize },
}

fn check_details_key(path: &str, key: &str) -> Result<(), TestDocumentError> {
    let len = key.chars().count();
    let reason = if len == 0 || len > DETAILS_KEY_MAX {
        Some(format!("must be 1 to {DETAILS_KEY_MAX} characters"))
    } else if !key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '-'))
    {
        Some("may only contain letters, digits, ':', '_' and '-'".to_owned())
    } else {
        None
    };
    match reason {
        None => Ok(()),
        Some(reason) => Err(TestDocumentError::StatusDetailsKey {
            path: path.to_owned(),
            key: key.to_owned(),
            reason,
        }),
    }
}

/// The engine's `DetailsValue` pattern, anchored. `None` only if the constant pattern failed to
/// compile, in which case control characters are still refused.
static DETAILS_VALUE_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(&format!("^(?:{DETAILS_VALUE_PATTERN})$")).ok());

/// AWS's DetailsValue is `[^\p{C}]+`: control, format, private-use and unassigned characters are
/// refused by the service, so a document asking a device to report one would be unreportable.
fn has_forbidden_chars(value: &str) -> bool {
    match DETAILS_VALUE_RE.as_ref() {
        Some(re) => !re.is_match(value),
        None => value.chars().any(char::is_control),
    }
}

fn check_details_value(path: &str, key: &str, value: &str) -> Result<(), TestDocumentError> {
    let len = value.chars().count();
    let reason = if len == 0 || len > DETAILS_VALUE_MAX {
        Some(format!("must be 1 to {DETAILS_VALUE_MAX} characters"))
    } else if has_forbidden_chars(value) {
        Some("may not contain control or format characters (Unicode category C)".to_owned())
    } else {
        None
    };
    match reason {
        None => Ok(()),
        Some(reason) => Err(TestDocumentError::StatusDetailsValue {
            path: path.to_owned(),
            key: key.to_owned(),
            reason,
        }),
    }
}

// ---------------------------------------------------------------- building

impl TestDocument {
    /// A document with no steps that ends with `status`; add steps with [`TestDocument::step`].
    pub fn new(status: FinalStatus) -> Self {
        Self {
            steps: Vec::new(),
            final_report: FinalReport {
                status,
                status_details: StatusDetails::new(),
            },
            interruption: None,
        }
    }

    /// Appends a progress step.
    pub fn step(mut self, status_details: StatusDetails, duration_seconds: u64) -> Self {
        self.steps.push(Step {
            status_details,
            duration_seconds,
        });
        self
    }

    /// Sets the statusDetails of the final report.
    pub fn final_details(mut self, status_details: StatusDetails) -> Self {
        self.final_report.status_details = status_details;
        self
    }

    /// Interrupts the device after step `after_step` (1-based) for `for_seconds`.
    pub fn interrupt(
        mut self,
        kind: InterruptionKind,
        after_step: usize,
        for_seconds: u64,
    ) -> Self {
        self.interruption = Some(Interruption {
            kind,
            after_step,
            for_seconds,
        });
        self
    }

    /// Checks every rule the parser checks, for documents built in code.
    pub fn validate(&self) -> Result<(), TestDocumentError> {
        for (i, step) in self.steps.iter().enumerate() {
            step.status_details
                .check(&format!("steps[{i}].statusDetails"))?;
            check_duration(
                &format!("steps[{i}].durationSeconds"),
                step.duration_seconds,
            )?;
        }
        self.final_report
            .status_details
            .check("final.statusDetails")?;
        if let Some(interruption) = &self.interruption {
            check_duration("interruption.forSeconds", interruption.for_seconds)?;
            if interruption.after_step == 0 || interruption.after_step > self.steps.len() {
                return Err(TestDocumentError::InterruptionAfterMissingStep {
                    after_step: interruption.after_step,
                    steps: self.steps.len(),
                });
            }
        }
        Ok(())
    }

    /// The document as a JSON value, without validation.
    pub fn to_value(&self) -> Value {
        let steps: Vec<Value> = self
            .steps
            .iter()
            .map(|s| {
                json!({
                    "statusDetails": s.status_details.to_value(),
                    "durationSeconds": s.duration_seconds,
                })
            })
            .collect();
        let mut doc = json!({
            "operation": OPERATION,
            "steps": steps,
            "final": {
                "status": self.final_report.status.as_str(),
                "statusDetails": self.final_report.status_details.to_value(),
            },
        });
        if let (Some(i), Some(obj)) = (&self.interruption, doc.as_object_mut()) {
            let value = json!({
                "kind": i.kind.as_str(),
                "afterStep": i.after_step,
                "forSeconds": i.for_seconds,
            });
            obj.insert("interruption".to_owned(), value);
        }
        doc
    }

    /// The document as JSON text for a job, validated (limits and size) so a scenario cannot
    /// create a job the device would be right to reject.
    pub fn to_json(&self) -> Result<String, TestDocumentError> {
        self.validate()?;
        let text = self.to_value().to_string();
        if text.len() > MAX_DOCUMENT_BYTES {
            return Err(TestDocumentError::TooLarge { bytes: text.len() });
        }
        Ok(text)
    }
}

fn check_duration(path: &str, seconds: u64) -> Result<(), TestDocumentError> {
    if seconds > MAX_DURATION_SECONDS {
        return Err(TestDocumentError::DurationOutOfRange {
            path: path.to_owned(),
            value: seconds.to_string(),
        });
    }
    Ok(())
}

// ---------------------------------------------------------------- parsing

impl TestDocument {
    /// Parses and validates a job document.
    pub fn parse(text: &str) -> Result<Self, TestDocumentError> {
        if text.len() > MAX_DOCUMENT_BYTES {
            return Err(TestDocumentError::TooLarge { bytes: text.len() });
        }
        let value: Value =
            serde_json::from_str(text).map_err(|e| TestDocumentError::NotJson(e.to_string()))?;
        Self::from_value(&value)
    }

    /// Validates an already-parsed job document.
    pub fn from_value(value: &Value) -> Result<Self, TestDocumentError> {
        let obj = object(value, "document")?;
        check_members(obj, "", DOCUMENT_MEMBERS)?;
        let operation = string(member(obj, "", "operation")?, "operation")?;
        if operation != OPERATION {
            return Err(TestDocumentError::NotJobrigTest {
                found: operation.to_owned(),
            });
        }
        let steps = parse_steps(member(obj, "", "steps")?)?;
        let final_report = parse_final(member(obj, "", "final")?)?;
        let interruption = obj
            .get("interruption")
            .map(parse_interruption)
            .transpose()?;
        let doc = Self {
            steps,
            final_report,
            interruption,
        };
        doc.validate()?;
        Ok(doc)
    }
}

fn parse_steps(value: &Value) -> Result<Vec<Step>, TestDocumentError> {
    let items = value
        .as_array()
        .ok_or_else(|| wrong_type("steps", "an array"))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| parse_step(item, &format!("steps[{i}]")))
        .collect()
}

fn parse_step(value: &Value, path: &str) -> Result<Step, TestDocumentError> {
    let obj = object(value, path)?;
    check_members(obj, path, STEP_MEMBERS)?;
    let details_path = format!("{path}.statusDetails");
    let duration_path = format!("{path}.durationSeconds");
    Ok(Step {
        status_details: parse_details(member(obj, path, "statusDetails")?, &details_path)?,
        duration_seconds: seconds(member(obj, path, "durationSeconds")?, &duration_path)?,
    })
}

fn parse_final(value: &Value) -> Result<FinalReport, TestDocumentError> {
    let obj = object(value, "final")?;
    check_members(obj, "final", FINAL_MEMBERS)?;
    let name = string(member(obj, "final", "status")?, "final.status")?;
    let status =
        FinalStatus::from_name(name).ok_or_else(|| TestDocumentError::UnknownFinalStatus {
            found: name.to_owned(),
        })?;
    let status_details = match obj.get("statusDetails") {
        None => StatusDetails::new(),
        Some(v) => parse_details(v, "final.statusDetails")?,
    };
    Ok(FinalReport {
        status,
        status_details,
    })
}

fn parse_interruption(value: &Value) -> Result<Interruption, TestDocumentError> {
    let path = "interruption";
    let obj = object(value, path)?;
    check_members(obj, path, INTERRUPTION_MEMBERS)?;
    let name = string(member(obj, path, "kind")?, "interruption.kind")?;
    let kind = InterruptionKind::from_name(name).ok_or_else(|| {
        TestDocumentError::UnknownInterruptionKind {
            found: name.to_owned(),
        }
    })?;
    let after = member(obj, path, "afterStep")?;
    let after_step = after
        .as_u64()
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| wrong_type("interruption.afterStep", "a positive integer"))?;
    let for_seconds = seconds(member(obj, path, "forSeconds")?, "interruption.forSeconds")?;
    Ok(Interruption {
        kind,
        after_step,
        for_seconds,
    })
}

fn parse_details(value: &Value, path: &str) -> Result<StatusDetails, TestDocumentError> {
    let obj = object(value, path)?;
    let mut details = StatusDetails::new();
    for (key, value) in obj {
        let text = value.as_str().ok_or_else(|| {
            wrong_type(
                &format!("{path}.{key}"),
                "a string (statusDetails values are strings)",
            )
        })?;
        details = details.with(key.clone(), text);
    }
    details.check(path)?;
    Ok(details)
}

fn seconds(value: &Value, path: &str) -> Result<u64, TestDocumentError> {
    match value.as_u64() {
        Some(n) => check_duration(path, n).map(|()| n),
        // A number that is negative or fractional is a range problem, anything else a type problem.
        None if value.is_number() => Err(TestDocumentError::DurationOutOfRange {
            path: path.to_owned(),
            value: value.to_string(),
        }),
        None => Err(wrong_type(path, "a whole number of seconds")),
    }
}

fn object<'a>(value: &'a Value, path: &str) -> Result<&'a Map<String, Value>, TestDocumentError> {
    value
        .as_object()
        .ok_or_else(|| wrong_type(path, "an object"))
}

fn string<'a>(value: &'a Value, path: &str) -> Result<&'a str, TestDocumentError> {
    value.as_str().ok_or_else(|| wrong_type(path, "a string"))
}

fn member<'a>(
    obj: &'a Map<String, Value>,
    path: &str,
    name: &str,
) -> Result<&'a Value, TestDocumentError> {
    obj.get(name)
        .ok_or_else(|| TestDocumentError::MissingMember {
            path: join(path, name),
        })
}

/// Unknown members are refused: a misspelt `durationSecond` silently ignored would make a device
/// and jobrig disagree about what the test asked for.
fn check_members(
    obj: &Map<String, Value>,
    path: &str,
    (known, required): (&[&str], &[&str]),
) -> Result<(), TestDocumentError> {
    if let Some(name) = obj.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(TestDocumentError::UnknownMember {
            path: join(path, name),
            known: known.join(", "),
        });
    }
    match required.iter().find(|r| !obj.contains_key(**r)) {
        Some(name) => Err(TestDocumentError::MissingMember {
            path: join(path, name),
        }),
        None => Ok(()),
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn wrong_type(path: &str, expected: &'static str) -> TestDocumentError {
    TestDocumentError::WrongType {
        path: path.to_owned(),
        expected,
    }
}

impl fmt::Display for FinalStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for InterruptionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
