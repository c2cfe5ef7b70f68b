//! The jobrig test document: the examples in docs/test-document.md parse, bad documents give typed
//! errors, documents round-trip, and the JSON Schema agrees with the parser.

use jobrig::rig::test_document::{
    DOCUMENT_MEMBERS, FINAL_MEMBERS, FinalStatus, INTERRUPTION_MEMBERS, InterruptionKind,
    MAX_DURATION_SECONDS, OPERATION, STEP_MEMBERS, StatusDetails, TestDocument,
    TestDocumentError as E,
};
use serde_json::{Value, json};

fn manifest_file(path: &str) -> String {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// The ```json blocks of docs/test-document.md.
fn doc_examples() -> Vec<String> {
    let text = manifest_file("docs/test-document.md");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```json") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), l) => {
                block.push_str(l);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

fn schema() -> Value {
    serde_json::from_str(&manifest_file("fixtures/test-document.schema.json")).expect("schema JSON")
}

/// A valid document as a JSON value, to be broken by each bad-document test.
fn valid() -> Value {
    json!({
        "operation": "jobrig-test",
        "steps": [{ "statusDetails": { "step": "download" }, "durationSeconds": 30 }],
        "final": { "status": "SUCCEEDED" },
        "interruption": { "kind": "reboot", "afterStep": 1, "forSeconds": 20 }
    })
}

fn parse(value: &Value) -> Result<TestDocument, E> {
    TestDocument::parse(&value.to_string())
}

#[test]
fn every_example_in_the_doc_parses() {
    // Issue 4 item 2: the examples vendors copy from docs/test-document.md are valid documents.
    let examples = doc_examples();
    assert!(examples.len() >= 5, "found {} examples", examples.len());
    for example in examples {
        TestDocument::parse(&example).unwrap_or_else(|e| panic!("{e}\n{example}"));
    }
}

#[test]
fn the_reboot_example_means_what_the_doc_says() {
    // Issue 4 item 2: steps, final status and interruption are read into their typed fields.
    let doc = parse(&valid()).expect("valid");
    assert_eq!(doc.steps.len(), 1);
    assert_eq!(doc.steps[0].status_details.get("step"), Some("download"));
    assert_eq!(doc.steps[0].duration_seconds, 30);
    assert_eq!(doc.final_report.status, FinalStatus::Succeeded);
    assert!(doc.final_report.status_details.is_empty());
    let interruption = doc.interruption.expect("interruption");
    assert_eq!(interruption.kind, InterruptionKind::Reboot);
    assert_eq!((interruption.after_step, interruption.for_seconds), (1, 20));
}

#[test]
fn a_built_document_round_trips_through_json() {
    // Issue 4 item 2: to_json then parse gives back the document the builder made.
    let doc = TestDocument::new(FinalStatus::Failed)
        .step(
            StatusDetails::new()
                .with("step", "download")
                .with("progress", "0"),
            10,
        )
        .step(StatusDetails::new().with("step", "install"), 0)
        .final_details(StatusDetails::new().with("reason", "checksum-mismatch"))
        .interrupt(InterruptionKind::Disconnect, 2, 90);
    let text = doc.to_json().expect("valid");
    assert_eq!(TestDocument::parse(&text), Ok(doc));
}

#[test]
fn limits_are_accepted_up_to_the_boundary() {
    // Issue 4 item 2: 10 pairs, 128-character keys, 1024-character values and 7-day waits are allowed.
    let mut details = StatusDetails::new().with("k".repeat(128), "v".repeat(1024));
    for i in 0..9 {
        details = details.with(format!("k{i}"), "v");
    }
    let doc = TestDocument::new(FinalStatus::Succeeded).step(details, MAX_DURATION_SECONDS);
    let text = doc.to_json().expect("at the limits");
    assert_eq!(TestDocument::parse(&text), Ok(doc));
}

#[test]
fn a_document_of_another_operation_is_not_a_test_document() {
    // Issue 4 item 2: only "operation": "jobrig-test" is accepted.
    let mut v = valid();
    v["operation"] = json!("ota");
    assert_eq!(
        parse(&v),
        Err(E::NotJobrigTest {
            found: "ota".into()
        })
    );
}

#[test]
fn missing_and_unknown_members_are_named() {
    // Issue 4 item 2: required members are required and typos are refused, each by path.
    let mut v = valid();
    v["steps"][0]
        .as_object_mut()
        .expect("step")
        .remove("durationSeconds");
    assert_eq!(
        parse(&v),
        Err(E::MissingMember {
            path: "steps[0].durationSeconds".into()
        })
    );
    let mut v = valid();
    v["final"]["statusDetail"] = json!({});
    assert!(
        matches!(parse(&v), Err(E::UnknownMember { path, .. }) if path == "final.statusDetail")
    );
}

#[test]
fn wrong_types_are_named_by_path() {
    // Issue 4 item 2: a member of the wrong JSON type is reported with its path.
    let mut v = valid();
    v["steps"][0]["statusDetails"]["step"] = json!(3);
    assert!(
        matches!(parse(&v), Err(E::WrongType { path, .. }) if path == "steps[0].statusDetails.step")
    );
    let mut v = valid();
    v["steps"] = json!({});
    assert!(matches!(parse(&v), Err(E::WrongType { path, .. }) if path == "steps"));
}

#[test]
fn only_device_reportable_final_statuses_are_accepted() {
    // Issue 4 item 2: a device may end SUCCEEDED, FAILED or REJECTED, never TIMED_OUT.
    let mut v = valid();
    v["final"]["status"] = json!("TIMED_OUT");
    assert_eq!(
        parse(&v),
        Err(E::UnknownFinalStatus {
            found: "TIMED_OUT".into()
        })
    );
}

#[test]
fn an_interruption_must_follow_an_existing_step() {
    // Issue 4 item 2: afterStep is 1..=steps, so the execution is IN_PROGRESS when interrupted.
    let mut v = valid();
    v["interruption"]["afterStep"] = json!(2);
    assert_eq!(
        parse(&v),
        Err(E::InterruptionAfterMissingStep {
            after_step: 2,
            steps: 1
        })
    );
    v["interruption"]["afterStep"] = json!(0);
    assert_eq!(
        parse(&v),
        Err(E::InterruptionAfterMissingStep {
            after_step: 0,
            steps: 1
        })
    );
    v["interruption"]["kind"] = json!("brownout");
    assert_eq!(
        parse(&v),
        Err(E::UnknownInterruptionKind {
            found: "brownout".into()
        })
    );
}

#[test]
fn durations_are_whole_seconds_within_seven_days() {
    // Issue 4 item 2: negative, fractional or over-long durations are out of range.
    for bad in [json!(-1), json!(1.5), json!(MAX_DURATION_SECONDS + 1)] {
        let mut v = valid();
        v["steps"][0]["durationSeconds"] = bad.clone();
        assert!(
            matches!(parse(&v), Err(E::DurationOutOfRange { ref path, .. }) if path == "steps[0].durationSeconds"),
            "{bad} accepted"
        );
    }
}

#[test]
fn status_details_follow_the_jobs_api_limits() {
    // Issue 4 item 2: keys [a-zA-Z0-9:_-]{1,128}, values 1..1024 without control characters, ≤10 pairs.
    let mut v = valid();
    v["final"]["statusDetails"] = json!({ "bad key": "v" });
    assert!(matches!(parse(&v), Err(E::StatusDetailsKey { key, .. }) if key == "bad key"));
    v["final"]["statusDetails"] = json!({ "k".repeat(129): "v" });
    assert!(matches!(parse(&v), Err(E::StatusDetailsKey { .. })));
    v["final"]["statusDetails"] = json!({ "k": "v".repeat(1025) });
    assert!(matches!(parse(&v), Err(E::StatusDetailsValue { .. })));
    v["final"]["statusDetails"] = json!({ "k": "" });
    assert!(matches!(parse(&v), Err(E::StatusDetailsValue { .. })));
    v["final"]["statusDetails"] = json!({ "k": "line\nbreak" });
    assert!(matches!(parse(&v), Err(E::StatusDetailsValue { .. })));
    v["final"]["statusDetails"] = json!({ "k": "zero\u{200B}width" });
    assert!(matches!(parse(&v), Err(E::StatusDetailsValue { .. })));
    let eleven: serde_json::Map<String, Value> =
        (0..11).map(|i| (format!("k{i}"), json!("v"))).collect();
    v["final"]["statusDetails"] = Value::Object(eleven);
    assert_eq!(
        parse(&v),
        Err(E::TooManyStatusDetails {
            path: "final.statusDetails".into(),
            count: 11
        })
    );
}

#[test]
fn documents_over_32_kb_and_non_json_are_refused() {
    // Issue 4 item 2: job documents are at most 32768 bytes, and must be JSON.
    let padding = " ".repeat(32_769);
    assert_eq!(
        TestDocument::parse(&padding),
        Err(E::TooLarge { bytes: 32_769 })
    );
    assert!(matches!(TestDocument::parse("{"), Err(E::NotJson(_))));
    assert!(matches!(
        TestDocument::parse("[]"),
        Err(E::WrongType { .. })
    ));
}

#[test]
fn the_builder_refuses_to_write_an_invalid_document() {
    // Issue 4 item 2: to_json validates, so scenarios cannot create jobs a device should reject.
    let doc = TestDocument::new(FinalStatus::Succeeded).interrupt(InterruptionKind::Reboot, 1, 5);
    assert_eq!(
        doc.to_json(),
        Err(E::InterruptionAfterMissingStep {
            after_step: 1,
            steps: 0
        })
    );
    let doc =
        TestDocument::new(FinalStatus::Succeeded).final_details(StatusDetails::new().with("k", ""));
    assert!(matches!(doc.to_json(), Err(E::StatusDetailsValue { .. })));
}

fn strings(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .expect("array")
        .iter()
        .map(|s| s.as_str().expect("string").to_owned())
        .collect();
    out.sort();
    out
}

fn keys(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
    out.sort();
    out
}

fn sorted(names: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    out.sort();
    out
}

#[test]
fn the_schema_and_the_parser_agree() {
    // Issue 4 item 2: fixtures/test-document.schema.json states the same members, enums and limits as the parser.
    let s = schema();
    assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
    let objects = [
        (&s, DOCUMENT_MEMBERS),
        (&s["$defs"]["step"], STEP_MEMBERS),
        (&s["properties"]["final"], FINAL_MEMBERS),
        (&s["properties"]["interruption"], INTERRUPTION_MEMBERS),
    ];
    for (object, (all, required)) in objects {
        assert_eq!(keys(&object["properties"]), sorted(all));
        assert_eq!(strings(&object["required"]), sorted(required));
        assert_eq!(object["additionalProperties"], json!(false));
    }
    assert_eq!(s["properties"]["operation"]["const"], OPERATION);
    let statuses: Vec<&str> = FinalStatus::ALL.iter().map(|f| f.as_str()).collect();
    assert_eq!(
        strings(&s["properties"]["final"]["properties"]["status"]["enum"]),
        sorted(&statuses)
    );
    let kinds: Vec<&str> = InterruptionKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(
        strings(&s["properties"]["interruption"]["properties"]["kind"]["enum"]),
        sorted(&kinds)
    );
    assert_eq!(
        s["$defs"]["seconds"]["maximum"],
        json!(MAX_DURATION_SECONDS)
    );
    assert_eq!(s["$defs"]["seconds"]["minimum"], json!(0));
    let details = &s["$defs"]["statusDetails"];
    assert_eq!(details["maxProperties"], json!(10));
    assert_eq!(
        details["propertyNames"]["pattern"],
        "^[a-zA-Z0-9:_-]{1,128}$"
    );
    assert_eq!(details["additionalProperties"]["maxLength"], json!(1024));
    assert_eq!(details["additionalProperties"]["minLength"], json!(1));
    assert_eq!(details["additionalProperties"]["pattern"], r"^[^\p{C}]+$");
    assert_eq!(s["maxDocumentBytes"], json!(32_768));
}
