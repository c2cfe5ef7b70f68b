//! Request validation: one table row per rule, each run through `World::assert_rejected`, so every
//! rejection is also shown to leave the state unchanged and to emit nothing (spec §1.4, §1.6,
//! §2.3, §6, §9.1, §11.9–10, §11.16–19, §11.24, §11.51–52, §11.77–78, §11.80).

use super::support::*;
use crate::engine::config::*;
use crate::engine::*;

const T1: &str = "arn:aws:iot:us-east-1:123456789012:thing/t1";
const PACKAGE: &str = "arn:aws:iot:us-east-1:123456789012:package/p/version/1";

// ---------------------------------------------------------------- message builders

fn clause(value: &str, member: &str, constraint: &str) -> String {
    format!("Value '{value}' at '{member}' failed to satisfy constraint: {constraint}")
}

fn one(clause: String) -> String {
    format!("1 validation error detected: {clause}")
}

fn pattern(p: &str) -> String {
    format!("Member must satisfy regular expression pattern: {p}")
}

fn ge(n: impl std::fmt::Display) -> String {
    format!("Member must have value greater than or equal to {n}")
}

fn le(n: impl std::fmt::Display) -> String {
    format!("Member must have value less than or equal to {n}")
}

fn len_ge(n: usize) -> String {
    format!("Member must have length greater than or equal to {n}")
}

fn len_le(n: usize) -> String {
    format!("Member must have length less than or equal to {n}")
}

fn not_null(member: &str) -> String {
    one(format!(
        "Value null at '{member}' failed to satisfy constraint: Member must not be null"
    ))
}

const JOB_ID: &str = "[a-zA-Z0-9_-]+";
const DESCRIPTION: &str = r"[^\p{C}]+";

// ---------------------------------------------------------------- table runners

/// A world with thing `t1` and nothing else.
fn world() -> World {
    let mut w = World::new();
    w.thing("t1");
    w
}

/// (label, expected kind, how the request differs from a valid one, expected message)
type Row<Req> = (&'static str, ErrorKind, fn(&mut Req), String);

fn run_create_job(rows: Vec<Row<CreateJobRequest>>) {
    let mut w = world();
    for (label, kind, mutate, message) in rows {
        let mut req = World::job_req("j1", &[T1]);
        mutate(&mut req);
        let err = w.assert_rejected(kind, |e, now| e.create_job(now, req));
        assert_eq!(err.message, message, "{label}");
    }
    assert!(w.emu.read(|e, now| e.describe_job(now, "j1")).is_err());
}

fn run_update_execution(rows: Vec<Row<UpdateExecutionRequest>>) {
    let mut w = world();
    w.job("j1", &[T1]);
    w.start_next("t1").expect("started");
    for (label, kind, mutate, message) in rows {
        let mut req = UpdateExecutionRequest {
            status: Some("IN_PROGRESS".into()),
            ..Default::default()
        };
        mutate(&mut req);
        let err = w.assert_rejected(kind, |e, now| {
            e.update_job_execution(now, "t1", "j1", None, req)
        });
        assert_eq!(err.message, message, "{label}");
    }
    assert_eq!(w.execution("t1", "j1").version_number, 2);
}

fn continuous(r: &mut CreateJobRequest) {
    r.target_selection = Some("CONTINUOUS".into());
}

fn windows(r: &mut CreateJobRequest, start: &str, duration: i64) {
    continuous(r);
    r.scheduling_config = Some(SchedulingConfig {
        maintenance_windows: Some(vec![MaintenanceWindow {
            start_time: Some(start.into()),
            duration_in_minutes: Some(duration),
        }]),
        ..Default::default()
    });
}

fn schedule(r: &mut CreateJobRequest, start: Option<&str>, end: Option<&str>) {
    r.scheduling_config = Some(SchedulingConfig {
        start_time: start.map(str::to_string),
        end_time: end.map(str::to_string),
        ..Default::default()
    });
}

fn rollout_of(
    r: &mut CreateJobRequest,
    max: Option<i64>,
    exponential: Option<ExponentialRolloutRate>,
) {
    r.job_executions_rollout_config = Some(JobExecutionsRolloutConfig {
        maximum_per_minute: max,
        exponential_rate: exponential,
    });
}

fn exponential(
    base: i64,
    factor: f64,
    notified: Option<i64>,
    succeeded: Option<i64>,
) -> ExponentialRolloutRate {
    ExponentialRolloutRate {
        base_rate_per_minute: Some(base),
        increment_factor: Some(factor),
        rate_increase_criteria: Some(RateIncreaseCriteria {
            number_of_notified_things: notified,
            number_of_succeeded_things: succeeded,
        }),
    }
}

fn abort_of(r: &mut CreateJobRequest, criteria: Vec<AbortCriteria>) {
    r.abort_config = Some(AbortConfig {
        criteria_list: Some(criteria),
    });
}

fn abort_rule(failure: &str, action: &str, threshold: f64, min: i64) -> AbortCriteria {
    AbortCriteria {
        failure_type: Some(failure.into()),
        action: Some(action.into()),
        threshold_percentage: Some(threshold),
        min_number_of_executed_things: Some(min),
    }
}

fn retry_of(r: &mut CreateJobRequest, criteria: &[(&str, i64)]) {
    r.job_executions_retry_config = Some(JobExecutionsRetryConfig {
        criteria_list: Some(
            criteria
                .iter()
                .map(|&(t, n)| RetryCriteria {
                    failure_type: Some(t.into()),
                    number_of_retries: Some(n),
                })
                .collect(),
        ),
    });
}

// ================================================================ jobId, targets, targetSelection

#[test]
fn create_job_refuses_bad_job_ids() {
    // §11.9, §2.3 (JobId 1..64, [a-zA-Z0-9_-]+, no ':')
    let a65 = "a".repeat(65);
    run_create_job(vec![
        (
            "65 characters",
            ErrorKind::InvalidRequest,
            |r| r.job_id = "a".repeat(65),
            one(clause(&a65, "jobId", &len_le(64))),
        ),
        (
            "dots",
            ErrorKind::InvalidRequest,
            |r| r.job_id = "job.with.dots".into(),
            one(clause("job.with.dots", "jobId", &pattern(JOB_ID))),
        ),
        (
            "colon",
            ErrorKind::InvalidRequest,
            |r| r.job_id = "job:colon".into(),
            one(clause("job:colon", "jobId", &pattern(JOB_ID))),
        ),
        (
            "space",
            ErrorKind::InvalidRequest,
            |r| r.job_id = "my job".into(),
            one(clause("my job", "jobId", &pattern(JOB_ID))),
        ),
        (
            "empty (length and pattern)",
            ErrorKind::InvalidRequest,
            |r| r.job_id = String::new(),
            format!(
                "2 validation errors detected: {}; {}",
                clause("", "jobId", &len_ge(1)),
                clause("", "jobId", &pattern(JOB_ID))
            ),
        ),
    ]);
}

#[test]
fn create_job_accepts_a_64_character_job_id() {
    // §11.9 (64 chars accepted)
    let mut w = world();
    let id = format!("{}_-9", "a".repeat(61));
    assert_eq!(id.len(), 64);
    let r = w.job(&id, &[T1]);
    assert_eq!(r.job_id, id);
    assert_eq!(w.describe_job(&id).status, "IN_PROGRESS");
}

#[test]
fn create_job_refuses_null_empty_and_too_many_targets() {
    // §2.3 (JobTargets min 1), §9.1 (1–100 targets)
    run_create_job(vec![
        (
            "null",
            ErrorKind::InvalidRequest,
            |r| r.targets = None,
            not_null("targets"),
        ),
        (
            "empty",
            ErrorKind::InvalidRequest,
            |r| r.targets = Some(vec![]),
            one(clause("[]", "targets", &len_ge(1))),
        ),
        (
            "101",
            ErrorKind::LimitExceeded,
            |r| r.targets = Some(vec![T1.to_string(); 101]),
            "A job can have at most 100 targets.".into(),
        ),
        (
            "not an ARN",
            ErrorKind::InvalidRequest,
            |r| r.targets = Some(vec!["t1".into()]),
            "Target t1 is not a valid thing or thing group ARN.".into(),
        ),
    ]);
}

#[test]
fn create_job_accepts_100_targets() {
    // §9.1 (targets per job 1–100)
    let mut w = World::new();
    let arns: Vec<String> = (0..100).map(|i| w.thing(&format!("t{i}"))).collect();
    let refs: Vec<&str> = arns.iter().map(String::as_str).collect();
    w.job("j1", &refs);
    assert_eq!(
        w.describe_job("j1")
            .job_process_details
            .number_of_queued_things,
        100
    );
}

#[test]
fn create_job_refuses_an_unknown_target_selection() {
    // §2.4 (an unknown targetSelection → 400), §2.3 (TargetSelection enum)
    run_create_job(vec![(
        "SOMETIMES",
        ErrorKind::InvalidRequest,
        |r| r.target_selection = Some("SOMETIMES".into()),
        one(clause(
            "SOMETIMES",
            "targetSelection",
            "Member must satisfy enum value set: [CONTINUOUS, SNAPSHOT]",
        )),
    )]);
}

// ================================================================ description, namespace, tags, packages

#[test]
fn create_job_refuses_bad_descriptions_namespaces_tags_and_package_lists() {
    // §2.3 (JobDescription ≤2028 [^\p{C}]+, NamespaceId, Tag, destinationPackageVersions ≤25)
    let long = "d".repeat(2029);
    let key = "k".repeat(129);
    let value = "v".repeat(257);
    run_create_job(vec![
        (
            "description with a control character",
            ErrorKind::InvalidRequest,
            |r| r.description = Some("bell\u{7}here".into()),
            one(clause(
                "bell\u{7}here",
                "description",
                &pattern(DESCRIPTION),
            )),
        ),
        (
            "description of 2029 characters",
            ErrorKind::InvalidRequest,
            |r| r.description = Some("d".repeat(2029)),
            one(clause(&long, "description", &len_le(2028))),
        ),
        (
            "namespace with a space",
            ErrorKind::InvalidRequest,
            |r| r.namespace_id = Some("my ns".into()),
            one(clause("my ns", "namespaceId", &pattern(JOB_ID))),
        ),
        (
            "empty tag key",
            ErrorKind::InvalidRequest,
            |r| {
                r.tags = Some(vec![Tag {
                    key: String::new(),
                    value: Some("v".into()),
                }])
            },
            one(clause("", "tags.1.member.Key", &len_ge(1))),
        ),
        (
            "tag key of 129 characters",
            ErrorKind::InvalidRequest,
            |r| {
                r.tags = Some(vec![
                    Tag {
                        key: "ok".into(),
                        value: None,
                    },
                    Tag {
                        key: "k".repeat(129),
                        value: None,
                    },
                ])
            },
            one(clause(&key, "tags.2.member.Key", &len_le(128))),
        ),
        (
            "tag value of 257 characters",
            ErrorKind::InvalidRequest,
            |r| {
                r.tags = Some(vec![Tag {
                    key: "k".into(),
                    value: Some("v".repeat(257)),
                }])
            },
            one(clause(&value, "tags.1.member.Value", &len_le(256))),
        ),
        (
            "26 package versions",
            ErrorKind::InvalidRequest,
            |r| r.destination_package_versions = Some(vec![PACKAGE.to_string(); 26]),
            one(clause(
                "[26 items]",
                "destinationPackageVersions",
                &len_le(25),
            )),
        ),
    ]);
}

#[test]
fn several_coral_violations_are_reported_together() {
    // §1.4 (`N validation errors detected: <clause>; <clause>`)
    run_create_job(vec![
        (
            "bad jobId and empty targets",
            ErrorKind::InvalidRequest,
            |r| {
                r.job_id = "bad.id".into();
                r.targets = Some(vec![]);
            },
            format!(
                "2 validation errors detected: {}; {}",
                clause("bad.id", "jobId", &pattern(JOB_ID)),
                clause("[]", "targets", &len_ge(1))
            ),
        ),
        (
            "bad jobId, null targets and a control character in the description",
            ErrorKind::InvalidRequest,
            |r| {
                r.job_id = "bad.id".into();
                r.targets = None;
                r.description = Some("tab\there".into());
            },
            format!(
                "3 validation errors detected: {}; Value null at 'targets' failed to satisfy constraint: Member must not be null; {}",
                clause("bad.id", "jobId", &pattern(JOB_ID)),
                clause("tab\there", "description", &pattern(DESCRIPTION))
            ),
        ),
    ]);
}

#[test]
fn coral_violations_are_reported_before_service_rules() {
    // §1.4 (Coral runs first), §6.4
    run_create_job(vec![(
        "bad jobId and a zero timeout",
        ErrorKind::InvalidRequest,
        |r| {
            r.job_id = "bad.id".into();
            r.timeout_config = Some(timeout(0));
        },
        one(clause("bad.id", "jobId", &pattern(JOB_ID))),
    )]);
}

// ================================================================ documents

#[test]
fn create_job_refuses_documents_that_are_too_big_or_not_json_objects() {
    // §2.4 (UTF-8 JSON ≤32 KB), §7.1 (at most 10 substitutions), §9.1
    let eleven: String = {
        let urls: Vec<String> = (0..11)
            .map(|i| {
                format!("\"u{i}\":\"${{aws:iot:s3-presigned-url:https://s3.amazonaws.com/b/{i}}}\"")
            })
            .collect();
        format!("{{{}}}", urls.join(","))
    };
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&eleven)
            .unwrap()
            .as_object()
            .unwrap()
            .len(),
        11
    );
    let rows: Vec<(&str, String, &str)> = vec![
        (
            "32769 bytes",
            padded(32_769),
            "The job document exceeds the maximum size of 32768 bytes.",
        ),
        (
            "not JSON",
            "{not json".into(),
            "The job document is not valid JSON.",
        ),
        (
            "a JSON array",
            "[1,2]".into(),
            "The job document must be a JSON object.",
        ),
        (
            "11 substitutions",
            eleven,
            "The job document contains 11 variable substitutions, which exceeds the maximum of 10.",
        ),
    ];
    let mut w = world();
    for (label, doc, message) in rows {
        let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
            e.create_job(
                now,
                CreateJobRequest {
                    document: Some(doc),
                    ..World::job_req("j1", &[T1])
                },
            )
        });
        assert_eq!(err.message, message, "{label}");
    }
}

/// A JSON object document of exactly `bytes` bytes.
fn padded(bytes: usize) -> String {
    let doc = format!("{{\"pad\":\"{}\"}}", "x".repeat(bytes - 10));
    assert_eq!(doc.len(), bytes);
    doc
}

#[test]
fn create_job_accepts_a_document_of_exactly_32768_bytes() {
    // §9.1 (job document 32768 bytes)
    let mut w = world();
    let doc = padded(32_768);
    w.create_job(CreateJobRequest {
        document: Some(doc.clone()),
        ..World::job_req("j1", &[T1])
    });
    let got = w.emu.read(|e, _| e.get_job_document("j1", false)).unwrap();
    assert_eq!(got.document, doc);
}

// ================================================================ timeouts

#[test]
fn create_job_refuses_in_progress_timeouts_outside_one_minute_to_seven_days() {
    // §11.16, §6.4
    run_create_job(vec![
        (
            "0",
            ErrorKind::InvalidRequest,
            |r| r.timeout_config = Some(timeout(0)),
            "Provide valid timeout value, inProgressTimeoutInMinutes cannot be 0.".into(),
        ),
        (
            "10081",
            ErrorKind::InvalidRequest,
            |r| r.timeout_config = Some(timeout(10_081)),
            "Provide valid timeout value, inProgressTimeoutInMinutes cannot be 10081.".into(),
        ),
        (
            "-5",
            ErrorKind::InvalidRequest,
            |r| r.timeout_config = Some(timeout(-5)),
            "Provide valid timeout value, inProgressTimeoutInMinutes cannot be -5.".into(),
        ),
    ]);
}

#[test]
fn create_job_accepts_in_progress_timeouts_of_1_and_10080_minutes() {
    // §6.4 (1..10080)
    let mut w = world();
    for (id, minutes) in [("short", 1), ("week", 10_080)] {
        w.create_job(CreateJobRequest {
            timeout_config: Some(timeout(minutes)),
            ..World::job_req(id, &[T1])
        });
        assert_eq!(w.describe_job(id).timeout_config, timeout(minutes));
    }
}

// ================================================================ rollout

#[test]
fn create_job_refuses_inconsistent_rollout_configs() {
    // §11.17, §11.18, §6.1
    let base = "jobExecutionsRolloutConfig";
    run_create_job(vec![
        (
            "exponentialRate without maximumPerMinute",
            ErrorKind::InvalidRequest,
            |r| rollout_of(r, None, Some(exponential(10, 2.0, Some(5), None))),
            "Provide MaximumPerMinute value when ExponentialRate is defined".into(),
        ),
        (
            "both increase criteria",
            ErrorKind::InvalidRequest,
            |r| rollout_of(r, Some(100), Some(exponential(10, 2.0, Some(5), Some(5)))),
            "Provide only one of NumberOfNotifiedThings or NumberOfSucceededThings when RateIncreaseCriteria is defined".into(),
        ),
        (
            "no increase criterion",
            ErrorKind::InvalidRequest,
            |r| rollout_of(r, Some(100), Some(exponential(10, 2.0, None, None))),
            "Provide either NumberOfNotifiedThings or NumberOfSucceededThings when RateIncreaseCriteria is defined".into(),
        ),
        (
            "empty rollout config",
            ErrorKind::InvalidRequest,
            |r| rollout_of(r, None, None),
            "Provide MaximumPerMinute value or provide ExponentialRate and MaximumPerMinute".into(),
        ),
        (
            "base rate not below maximum",
            ErrorKind::InvalidRequest,
            |r| rollout_of(r, Some(100), Some(exponential(100, 2.0, Some(5), None))),
            "Exponential rollout baseRatePerMinute should be less than maximumPerMinute.".into(),
        ),
        (
            "maximumPerMinute 0",
            ErrorKind::InvalidRequest,
            |r| rollout_of(r, Some(0), None),
            one(clause("0", &format!("{base}.maximumPerMinute"), &ge(1))),
        ),
        (
            "maximumPerMinute 1001",
            ErrorKind::InvalidRequest,
            |r| rollout_of(r, Some(1001), None),
            one(clause("1001", &format!("{base}.maximumPerMinute"), &le(1000))),
        ),
        (
            "incrementFactor 1.0",
            ErrorKind::InvalidRequest,
            |r| rollout_of(r, Some(100), Some(exponential(10, 1.0, Some(5), None))),
            one(clause(
                "1.0",
                &format!("{base}.exponentialRate.incrementFactor"),
                &ge(1.1),
            )),
        ),
        (
            "numberOfNotifiedThings 0",
            ErrorKind::InvalidRequest,
            |r| rollout_of(r, Some(100), Some(exponential(10, 2.0, Some(0), None))),
            one(clause(
                "0",
                &format!("{base}.exponentialRate.rateIncreaseCriteria.numberOfNotifiedThings"),
                &ge(1),
            )),
        ),
    ]);
}

// ================================================================ retry

#[test]
fn create_job_refuses_bad_retry_configs() {
    // §11.19, §6.3
    let at = "jobExecutionsRetryConfig.criteriaList";
    run_create_job(vec![
        (
            "three criteria",
            ErrorKind::InvalidRequest,
            |r| retry_of(r, &[("FAILED", 1), ("TIMED_OUT", 1), ("FAILED", 1)]),
            one(clause("[3 items]", at, &len_le(2))),
        ),
        (
            "REJECTED",
            ErrorKind::InvalidRequest,
            |r| retry_of(r, &[("REJECTED", 1)]),
            one(clause(
                "REJECTED",
                &format!("{at}.1.member.failureType"),
                "Member must satisfy enum value set: [ALL, TIMED_OUT, FAILED]",
            )),
        ),
        (
            "11 retries",
            ErrorKind::InvalidRequest,
            |r| retry_of(r, &[("FAILED", 11)]),
            one(clause(
                "11",
                &format!("{at}.1.member.numberOfRetries"),
                &le(10),
            )),
        ),
        (
            "no criteria",
            ErrorKind::InvalidRequest,
            |r| retry_of(r, &[]),
            one(clause("[]", at, &len_ge(1))),
        ),
        (
            "ALL with another type",
            ErrorKind::InvalidRequest,
            |r| retry_of(r, &[("ALL", 1), ("FAILED", 1)]),
            "A retryCriteria with failure type ALL must be used by itself.".into(),
        ),
    ]);
}

// ================================================================ abort

#[test]
fn create_job_refuses_bad_abort_configs() {
    // §6.2, §2.3 (AbortCriteria)
    let at = "abortConfig.criteriaList";
    run_create_job(vec![
        (
            "unknown failure type",
            ErrorKind::InvalidRequest,
            |r| abort_of(r, vec![abort_rule("BROKEN", "CANCEL", 50.0, 1)]),
            one(clause(
                "BROKEN",
                &format!("{at}.1.member.failureType"),
                "Member must satisfy enum value set: [ALL, TIMED_OUT, FAILED, REJECTED]",
            )),
        ),
        (
            "threshold 101",
            ErrorKind::InvalidRequest,
            |r| abort_of(r, vec![abort_rule("FAILED", "CANCEL", 101.0, 1)]),
            one(clause(
                "101.0",
                &format!("{at}.1.member.thresholdPercentage"),
                &le(100),
            )),
        ),
        (
            "empty criteria list",
            ErrorKind::InvalidRequest,
            |r| abort_of(r, vec![]),
            one(clause("[]", at, &len_ge(1))),
        ),
        (
            "minNumberOfExecutedThings 0 in the second criterion",
            ErrorKind::InvalidRequest,
            |r| {
                abort_of(
                    r,
                    vec![
                        abort_rule("FAILED", "CANCEL", 10.0, 1),
                        abort_rule("REJECTED", "CANCEL", 10.0, 0),
                    ],
                )
            },
            one(clause(
                "0",
                &format!("{at}.2.member.minNumberOfExecutedThings"),
                &ge(1),
            )),
        ),
        (
            "action other than CANCEL",
            ErrorKind::InvalidRequest,
            |r| abort_of(r, vec![abort_rule("FAILED", "PAUSE", 10.0, 1)]),
            one(clause(
                "PAUSE",
                &format!("{at}.1.member.action"),
                "Member must satisfy enum value set: [CANCEL]",
            )),
        ),
        (
            "missing failure type",
            ErrorKind::InvalidRequest,
            |r| {
                abort_of(
                    r,
                    vec![AbortCriteria {
                        failure_type: None,
                        ..abort_rule("FAILED", "CANCEL", 10.0, 1)
                    }],
                )
            },
            not_null(&format!("{at}.1.member.failureType")),
        ),
    ]);
}

// ================================================================ presigned URLs

#[test]
fn create_job_refuses_presigned_url_lifetimes_outside_60_to_3600_seconds() {
    // §2.3 (PresignedUrlConfig expiresInSec 60..3600, roleArn 20..2048)
    let at = "presignedUrlConfig";
    run_create_job(vec![
        (
            "59 s",
            ErrorKind::InvalidRequest,
            |r| {
                r.presigned_url_config = Some(PresignedUrlConfig {
                    role_arn: None,
                    expires_in_sec: Some(59),
                })
            },
            one(clause("59", &format!("{at}.expiresInSec"), &ge(60))),
        ),
        (
            "3601 s",
            ErrorKind::InvalidRequest,
            |r| {
                r.presigned_url_config = Some(PresignedUrlConfig {
                    role_arn: None,
                    expires_in_sec: Some(3601),
                })
            },
            one(clause("3601", &format!("{at}.expiresInSec"), &le(3600))),
        ),
        (
            "short role ARN",
            ErrorKind::InvalidRequest,
            |r| {
                r.presigned_url_config = Some(PresignedUrlConfig {
                    role_arn: Some("arn:aws:iam::1:r".into()),
                    expires_in_sec: None,
                })
            },
            one(clause(
                "arn:aws:iam::1:r",
                &format!("{at}.roleArn"),
                &len_ge(20),
            )),
        ),
    ]);
}

// ================================================================ scheduling (virtual now: 2026-01-01T00:00Z)

#[test]
fn create_job_refuses_bad_scheduling_configs() {
    // §11.77, §11.78, §11.80, §6.5
    let windows_at = "schedulingConfig.maintenanceWindows.1.member";
    run_create_job(vec![
        (
            "startTime only 10 minutes ahead",
            ErrorKind::InvalidRequest,
            |r| schedule(r, Some("2026-01-01T00:10"), None),
            "The startTime must be at least 30 minutes and at most 1 year after the current time.".into(),
        ),
        (
            "startTime more than a year ahead",
            ErrorKind::InvalidRequest,
            |r| schedule(r, Some("2027-01-02T00:00"), None),
            "The startTime must be at least 30 minutes and at most 1 year after the current time.".into(),
        ),
        (
            "endTime only 10 minutes ahead",
            ErrorKind::InvalidRequest,
            |r| schedule(r, None, Some("2026-01-01T00:10")),
            "The endTime must be at least 30 minutes and at most 2 years after the current time.".into(),
        ),
        (
            "endTime 10 minutes after startTime",
            ErrorKind::InvalidRequest,
            |r| schedule(r, Some("2026-01-01T02:00"), Some("2026-01-01T02:10")),
            "The endTime must be at least 30 minutes and at most 2 years after the startTime.".into(),
        ),
        (
            "unparseable startTime",
            ErrorKind::InvalidRequest,
            |r| schedule(r, Some("tomorrow"), None),
            "The startTime 'tomorrow' in schedulingConfig is not a valid date-time; use YYYY-MM-DDTHH:MM (UTC).".into(),
        ),
        (
            "unknown endBehavior",
            ErrorKind::InvalidRequest,
            |r| {
                r.scheduling_config = Some(SchedulingConfig {
                    end_time: Some("2026-01-02T00:00".into()),
                    end_behavior: Some("EXPLODE".into()),
                    ..Default::default()
                })
            },
            one(clause(
                "EXPLODE",
                "schedulingConfig.endBehavior",
                "Member must satisfy enum value set: [STOP_ROLLOUT, CANCEL, FORCE_CANCEL]",
            )),
        ),
        (
            "maintenance windows on a SNAPSHOT job",
            ErrorKind::InvalidRequest,
            |r| {
                windows(r, "cron(0 2 ? * MON *)", 60);
                r.target_selection = Some("SNAPSHOT".into());
            },
            "TargetSelection is invalid. MaintenanceWindow cannot be used with SNAPSHOT job.".into(),
        ),
        (
            "window of 0 minutes",
            ErrorKind::InvalidRequest,
            |r| windows(r, "cron(0 2 ? * MON *)", 0),
            one(clause("0", &format!("{windows_at}.durationInMinutes"), &ge(1))),
        ),
        (
            "window of 1431 minutes",
            ErrorKind::InvalidRequest,
            |r| windows(r, "cron(0 2 ? * MON *)", 1431),
            one(clause("1431", &format!("{windows_at}.durationInMinutes"), &le(1430))),
        ),
        (
            "window without a start",
            ErrorKind::InvalidRequest,
            |r| {
                continuous(r);
                r.scheduling_config = Some(SchedulingConfig {
                    maintenance_windows: Some(vec![MaintenanceWindow {
                        start_time: None,
                        duration_in_minutes: Some(60),
                    }]),
                    ..Default::default()
                });
            },
            not_null(&format!("{windows_at}.startTime")),
        ),
    ]);
}

#[test]
fn a_job_starting_two_hours_ahead_is_scheduled_with_no_executions_until_then() {
    // §11.77 (startTime now+2 h → SCHEDULED, no executions until then)
    let mut w = world();
    w.create_job(CreateJobRequest {
        scheduling_config: Some(SchedulingConfig {
            start_time: Some("2026-01-01T02:00".into()),
            ..Default::default()
        }),
        ..World::job_req("j1", &[T1])
    });
    let j = w.describe_job("j1");
    assert_eq!(j.status, "SCHEDULED");
    assert_eq!(counters(&j), [0; 8]);
    w.advance_minutes(119);
    assert_eq!(w.describe_job("j1").status, "SCHEDULED");
    w.advance_minutes(1);
    assert_eq!(w.describe_job("j1").status, "IN_PROGRESS");
    assert_eq!(w.exec_status("t1", "j1"), "QUEUED");
}

#[test]
fn maintenance_windows_of_1_and_1430_minutes_are_accepted() {
    // §11.80 (durationInMinutes 1..1430)
    let mut w = world();
    for (id, minutes) in [("one", 1), ("max", 1430)] {
        let mut req = World::job_req(id, &[T1]);
        windows(&mut req, "cron(0 2 ? * MON *)", minutes);
        w.create_job(req);
        let j = w.describe_job(id);
        assert_eq!(
            j.scheduling_config.maintenance_windows.unwrap()[0].duration_in_minutes,
            Some(minutes)
        );
    }
}

// ================================================================ CancelJob

#[test]
fn cancel_job_refuses_bad_reason_codes_and_comments() {
    // §11.24, §2.3 (ReasonCode ≤128 [\p{Upper}\p{Digit}_]+, Comment [^\p{C}]+)
    let mut w = world();
    w.job("j1", &[T1]);
    let long = "A".repeat(129);
    let rows: Vec<(&str, Option<&str>, Option<&str>, String)> = vec![
        (
            "lowercase reason code",
            Some("lowercase"),
            None,
            one(clause(
                "lowercase",
                "reasonCode",
                &pattern(r"[\p{Upper}\p{Digit}_]+"),
            )),
        ),
        (
            "reason code with a dash",
            Some("NOT-OK"),
            None,
            one(clause(
                "NOT-OK",
                "reasonCode",
                &pattern(r"[\p{Upper}\p{Digit}_]+"),
            )),
        ),
        (
            "reason code of 129 characters",
            Some(&long),
            None,
            one(clause(&long, "reasonCode", &len_le(128))),
        ),
        (
            "comment with a newline",
            None,
            Some("two\nlines"),
            one(clause("two\nlines", "comment", &pattern(DESCRIPTION))),
        ),
    ];
    for (label, reason, comment, message) in rows {
        let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
            e.cancel_job(
                now,
                CancelJobRequest {
                    job_id: "j1".into(),
                    reason_code: reason.map(str::to_string),
                    comment: comment.map(str::to_string),
                    force: false,
                },
            )
        });
        assert_eq!(err.message, message, "{label}");
    }
    assert_eq!(w.describe_job("j1").status, "IN_PROGRESS");
}

// ================================================================ UpdateJobExecution (device)

#[test]
fn update_job_execution_refuses_bad_status_details() {
    // §11.51, §2.3 (DetailsKey 1..128 [a-zA-Z0-9:_-]+, DetailsValue min 1 [^\p{C}]+), §9.1 (≤10 pairs)
    let keys = "Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [a-zA-Z0-9:_-]+]";
    let values = r"Map value must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [^\p{C}]+]";
    let eleven = (0..11)
        .map(|i| format!("k{i:02}=v"))
        .collect::<Vec<_>>()
        .join(", ");
    run_update_execution(vec![
        (
            "empty value",
            ErrorKind::InvalidRequest,
            |r| r.status_details = Some([("k".to_string(), String::new())].into()),
            one(clause("{k=}", "statusDetails", values)),
        ),
        (
            "key with a space",
            ErrorKind::InvalidRequest,
            |r| r.status_details = Some([("a b".to_string(), "v".to_string())].into()),
            one(clause("{a b=v}", "statusDetails", keys)),
        ),
        (
            "value of 1025 characters",
            ErrorKind::InvalidRequest,
            |r| r.status_details = Some([("k".to_string(), "v".repeat(1025))].into()),
            one(clause(
                &format!("{{k={}}}", "v".repeat(1025)),
                "statusDetails",
                values,
            )),
        ),
        (
            "eleven pairs",
            ErrorKind::InvalidRequest,
            |r| {
                r.status_details = Some(
                    (0..11)
                        .map(|i| (format!("k{i:02}"), "v".to_string()))
                        .collect(),
                )
            },
            one(clause(
                &format!("{{{eleven}}}"),
                "statusDetails",
                &len_le(10),
            )),
        ),
    ]);
}

#[test]
fn update_job_execution_refuses_step_timeouts_outside_one_minute_to_seven_days() {
    // §11.52
    run_update_execution(vec![
        (
            "0",
            ErrorKind::InvalidRequest,
            |r| r.step_timeout_in_minutes = Some(0),
            one(clause("0", "stepTimeoutInMinutes", &ge(1))),
        ),
        (
            "10081",
            ErrorKind::InvalidRequest,
            |r| r.step_timeout_in_minutes = Some(10_081),
            one(clause("10081", "stepTimeoutInMinutes", &le(10_080))),
        ),
        (
            "-2",
            ErrorKind::InvalidRequest,
            |r| r.step_timeout_in_minutes = Some(-2),
            one(clause("-2", "stepTimeoutInMinutes", &ge(1))),
        ),
    ]);
}

#[test]
fn update_job_execution_refuses_a_missing_or_unknown_status() {
    // §3 (status is required on every call), §2.3 (JobExecutionStatus enum)
    run_update_execution(vec![
        (
            "missing",
            ErrorKind::InvalidRequest,
            |r| r.status = None,
            not_null("status"),
        ),
        (
            "unknown",
            ErrorKind::InvalidRequest,
            |r| r.status = Some("DONE".into()),
            one(clause(
                "DONE",
                "status",
                "Member must satisfy enum value set: [QUEUED, IN_PROGRESS, SUCCEEDED, FAILED, TIMED_OUT, REJECTED, REMOVED, CANCELED]",
            )),
        ),
    ]);
}

#[test]
fn update_job_execution_accepts_minus_one_to_clear_the_step_timer() {
    // §11.52 (`-1` accepted and clears the step timer)
    let mut w = world();
    w.job("j1", &[T1]);
    w.emu
        .call(|e, now| {
            e.start_next_pending_job_execution(
                now,
                "t1",
                None,
                StartNextRequest {
                    step_timeout_in_minutes: Some(5),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    assert!(
        w.execution("t1", "j1")
            .approximate_seconds_before_timed_out
            .is_some()
    );
    w.try_update(
        "t1",
        "j1",
        UpdateExecutionRequest {
            status: Some("IN_PROGRESS".into()),
            step_timeout_in_minutes: Some(-1),
            ..Default::default()
        },
    )
    .expect("-1 clears the step timer");
    assert_eq!(
        w.execution("t1", "j1").approximate_seconds_before_timed_out,
        None
    );
    w.advance_minutes(10);
    assert_eq!(w.exec_status("t1", "j1"), "IN_PROGRESS");
}

#[test]
fn start_next_refuses_minus_one_as_a_step_timeout() {
    // §3 (`-1` is for UpdateJobExecution only)
    let mut w = world();
    w.job("j1", &[T1]);
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.start_next_pending_job_execution(
            now,
            "t1",
            None,
            StartNextRequest {
                step_timeout_in_minutes: Some(-1),
                ..Default::default()
            },
        )
    });
    assert_eq!(
        err.message,
        one(clause("-1", "stepTimeoutInMinutes", &ge(1)))
    );
}

// ================================================================ maxResults

/// A list operation that only needs to say whether it was accepted.
type ListCall = Box<dyn FnOnce(&mut Engine) -> Result<(), EngineError>>;

#[test]
fn list_calls_refuse_max_results_outside_1_to_250() {
    // §11.10, §1.6
    let mut w = world();
    w.job("j1", &[T1]);
    w.group("g", None);
    for n in [0, 251] {
        let message = if n == 0 {
            one(clause("0", "maxResults", &ge(1)))
        } else {
            one(clause("251", "maxResults", &le(250)))
        };
        let calls: Vec<(&str, ListCall)> = vec![
            (
                "ListJobs",
                Box::new(move |e| {
                    e.list_jobs(&ListJobsRequest {
                        max_results: Some(n),
                        ..Default::default()
                    })
                    .map(drop)
                }),
            ),
            (
                "ListJobExecutionsForJob",
                Box::new(move |e| {
                    e.list_job_executions_for_job(&ListJobExecutionsForJobRequest {
                        job_id: "j1".into(),
                        max_results: Some(n),
                        ..Default::default()
                    })
                    .map(drop)
                }),
            ),
            (
                "ListJobExecutionsForThing",
                Box::new(move |e| {
                    e.list_job_executions_for_thing(&ListJobExecutionsForThingRequest {
                        thing_name: "t1".into(),
                        max_results: Some(n),
                        ..Default::default()
                    })
                    .map(drop)
                }),
            ),
            (
                "ListJobTemplates",
                Box::new(move |e| e.list_job_templates(Some(n), None).map(drop)),
            ),
            (
                "ListThingsInThingGroup",
                Box::new(move |e| {
                    e.list_things_in_thing_group(&ListThingsInThingGroupRequest {
                        thing_group_name: "g".into(),
                        max_results: Some(n),
                        ..Default::default()
                    })
                    .map(drop)
                }),
            ),
        ];
        for (op, call) in calls {
            let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, _| {
                call(e).map(|()| Outcome {
                    response: (),
                    effects: Vec::new(),
                })
            });
            assert_eq!(err.message, message, "{op} maxResults={n}");
        }
    }
}

#[test]
fn list_jobs_accepts_max_results_of_1_and_250() {
    // §1.6 (maxResults 1..250)
    let mut w = world();
    w.job("j1", &[T1]);
    w.job("j2", &[T1]);
    for (n, len, more) in [(1, 1, true), (250, 2, false)] {
        let r = w
            .emu
            .read(|e, _| {
                e.list_jobs(&ListJobsRequest {
                    max_results: Some(n),
                    ..Default::default()
                })
            })
            .unwrap();
        assert_eq!(r.jobs.len(), len, "maxResults={n}");
        assert_eq!(r.next_token.is_some(), more, "maxResults={n}");
    }
}

// ================================================================ registry names

#[test]
fn create_thing_and_group_refuse_bad_names() {
    // §2.3 (ThingName / ThingGroupName 1..128 [a-zA-Z0-9:_-]+)
    let mut w = World::new();
    let long = "t".repeat(129);
    let thing_pattern = pattern("[a-zA-Z0-9:_-]+");
    for (name, message) in [
        (
            "my thing",
            one(clause("my thing", "thingName", &thing_pattern)),
        ),
        (long.as_str(), one(clause(&long, "thingName", &len_le(128)))),
    ] {
        let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
            e.create_thing(
                now,
                CreateThingRequest {
                    thing_name: name.into(),
                    ..Default::default()
                },
            )
        });
        assert_eq!(err.message, message);
    }
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.create_thing_group(
            now,
            CreateThingGroupRequest {
                thing_group_name: "a/b".into(),
                ..Default::default()
            },
        )
    });
    assert_eq!(
        err.message,
        one(clause("a/b", "thingGroupName", &thing_pattern))
    );
    // A colon is fine in a thing name, unlike in a job id.
    w.thing("t:1");
}

// ================================================================ UpdateJob

#[test]
fn update_job_refuses_bad_members_with_the_create_job_messages() {
    // §2.4 (UpdateJob), §1.4 (Coral runs first), §6
    let mut w = world();
    w.job("j1", &[T1]);
    let rows: Vec<Row<UpdateJobRequest>> = vec![
        (
            "description with a control character",
            ErrorKind::InvalidRequest,
            |r| r.description = Some("nul\u{0}".into()),
            one(clause("nul\u{0}", "description", &pattern(DESCRIPTION))),
        ),
        (
            "timeout of 10081 minutes",
            ErrorKind::InvalidRequest,
            |r| r.timeout_config = Some(timeout(10_081)),
            "Provide valid timeout value, inProgressTimeoutInMinutes cannot be 10081.".into(),
        ),
        (
            "empty rollout config",
            ErrorKind::InvalidRequest,
            |r| r.job_executions_rollout_config = Some(JobExecutionsRolloutConfig::default()),
            "Provide MaximumPerMinute value or provide ExponentialRate and MaximumPerMinute".into(),
        ),
        (
            "abort threshold 101",
            ErrorKind::InvalidRequest,
            |r| {
                r.abort_config = Some(AbortConfig {
                    criteria_list: Some(vec![abort_rule("ALL", "CANCEL", 101.0, 1)]),
                })
            },
            one(clause(
                "101.0",
                "abortConfig.criteriaList.1.member.thresholdPercentage",
                &le(100),
            )),
        ),
        (
            "malformed retry config on a job without one (Coral first)",
            ErrorKind::InvalidRequest,
            |r| r.job_executions_retry_config = Some(retry("REJECTED", 0)),
            one(clause(
                "REJECTED",
                "jobExecutionsRetryConfig.criteriaList.1.member.failureType",
                "Member must satisfy enum value set: [ALL, TIMED_OUT, FAILED]",
            )),
        ),
    ];
    for (label, kind, mutate, message) in rows {
        let mut req = UpdateJobRequest {
            job_id: "j1".into(),
            ..Default::default()
        };
        mutate(&mut req);
        let err = w.assert_rejected(kind, |e, now| e.update_job(now, req));
        assert_eq!(err.message, message, "{label}");
    }
}
