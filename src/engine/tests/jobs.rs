//! Control plane: jobs, job executions, endpoints, event configuration and quotas (spec §2, §5.1,
//! §5.6, §9, §11.1, §11.8–39).

use serde_json::json;

use super::support::*;
use crate::engine::config::*;
use crate::engine::*;

const ARN: &str = "arn:aws:iot:us-east-1:123456789012";

/// A read-only result in the shape `World::assert_rejected` expects.
fn read<R>(r: EngineResult<R>) -> EngineResult<Outcome<R>> {
    r.map(|response| Outcome {
        response,
        effects: Vec::new(),
    })
}

/// Forgets an operation's response type, so that operations of different shapes fit one table.
fn unit<R>(r: EngineResult<Outcome<R>>) -> EngineResult<Outcome<()>> {
    r.map(|o| Outcome {
        response: (),
        effects: o.effects,
    })
}

type Op = Box<dyn FnOnce(&mut Engine, Timestamp) -> EngineResult<Outcome<()>>>;

fn op(f: impl FnOnce(&mut Engine, Timestamp) -> EngineResult<Outcome<()>> + 'static) -> Op {
    Box::new(f)
}

fn list_jobs(w: &mut World, req: ListJobsRequest) -> EngineResult<ListJobsResponse> {
    w.emu.read(|e, _| e.list_jobs(&req))
}

fn ids(r: &ListJobsResponse) -> Vec<&str> {
    r.jobs.iter().map(|j| j.job_id.as_str()).collect()
}

fn update_job(w: &mut World, req: UpdateJobRequest) -> EngineResult<()> {
    w.emu.call(|e, now| e.update_job(now, req))
}

fn cancel_execution(w: &mut World, req: CancelJobExecutionRequest) -> EngineResult<()> {
    w.emu.call(|e, now| e.cancel_job_execution(now, req))
}

fn delete_execution(
    w: &mut World,
    thing: &str,
    job: &str,
    number: i64,
    force: bool,
) -> EngineResult<()> {
    w.emu.call(|e, now| {
        e.delete_job_execution(
            now,
            DeleteJobExecutionRequest {
                job_id: job.into(),
                thing_name: thing.into(),
                execution_number: number,
                force,
                namespace_id: None,
            },
        )
    })
}

fn describe_execution_number(
    w: &mut World,
    thing: &str,
    job: &str,
    n: i64,
) -> EngineResult<JobExecutionView> {
    w.emu
        .read(|e, now| e.describe_job_execution(now, thing, job, Some(n)))
        .map(|r| r.execution)
}

fn executions_for_thing(
    w: &mut World,
    req: ListJobExecutionsForThingRequest,
) -> ListJobExecutionsForThingResponse {
    w.emu
        .read(|e, _| e.list_job_executions_for_thing(&req))
        .expect("list executions for thing")
}

fn executions_for_job(
    w: &mut World,
    req: ListJobExecutionsForJobRequest,
) -> ListJobExecutionsForJobResponse {
    w.emu
        .read(|e, _| e.list_job_executions_for_job(&req))
        .expect("list executions for job")
}

fn continuous(id: &str, targets: &[&str]) -> CreateJobRequest {
    CreateJobRequest {
        target_selection: Some("CONTINUOUS".into()),
        ..World::job_req(id, targets)
    }
}

fn cancel_req(id: &str) -> CancelJobRequest {
    CancelJobRequest {
        job_id: id.into(),
        ..Default::default()
    }
}

// ================================================================ CreateJob / DescribeJob

#[test]
fn create_job_answers_with_the_job_arn_and_id_and_no_description_when_none_was_given() {
    // §11.12
    let mut w = World::new();
    let t1 = w.thing("t1");
    let r = w.job("j1", &[&t1]);
    assert_eq!(
        r,
        JobRef {
            job_arn: format!("{ARN}:job/j1"),
            job_id: "j1".into(),
            description: None,
        }
    );
    let wire = serde_json::to_value(&r).unwrap();
    assert_eq!(
        wire,
        json!({"jobArn": format!("{ARN}:job/j1"), "jobId": "j1"})
    );
}

#[test]
fn create_job_echoes_the_description_it_was_given() {
    // §2.4 (response `{jobArn, jobId, description}`)
    let mut w = World::new();
    let t1 = w.thing("t1");
    let r = w.create_job(CreateJobRequest {
        description: Some("flash firmware 2.1".into()),
        ..World::job_req("j1", &[&t1])
    });
    assert_eq!(r.description.as_deref(), Some("flash firmware 2.1"));
    assert_eq!(
        w.describe_job("j1").description.as_deref(),
        Some("flash firmware 2.1")
    );
}

#[test]
fn a_new_job_is_in_progress_snapshot_with_one_queued_thing() {
    // §11.12
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    let j = w.describe_job("j1");
    assert_eq!(j.status, "IN_PROGRESS");
    assert_eq!(j.target_selection, "SNAPSHOT");
    assert_eq!(j.targets, vec![t1]);
    assert_eq!(counters(&j), [1, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(w.exec_status("t1", "j1"), "QUEUED");
}

#[test]
fn describe_job_shows_all_eight_counters_and_empty_configs_when_unset() {
    // §5.6, §2.4 (steady state), §11.12
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    let v = serde_json::to_value(w.describe_job("j1")).unwrap();
    assert_eq!(
        v["jobProcessDetails"],
        json!({
            "numberOfCanceledThings": 0,
            "numberOfSucceededThings": 0,
            "numberOfFailedThings": 0,
            "numberOfRejectedThings": 0,
            "numberOfQueuedThings": 1,
            "numberOfInProgressThings": 0,
            "numberOfRemovedThings": 0,
            "numberOfTimedOutThings": 0,
        })
    );
    assert_eq!(v["timeoutConfig"], json!({}));
    assert_eq!(v["schedulingConfig"], json!({}));
    assert_eq!(v["presignedUrlConfig"], json!({}));
    assert_eq!(v["jobExecutionsRolloutConfig"], json!({}));
    assert_eq!(v["isConcurrent"], json!(false));
    assert_eq!(v["forceCanceled"], json!(false));
    for absent in [
        "abortConfig",
        "completedAt",
        "reasonCode",
        "comment",
        "jobTemplateArn",
        "jobExecutionsRetryConfig",
        "namespaceId",
        "description",
    ] {
        assert!(v.get(absent).is_none(), "{absent} should be omitted: {v}");
    }
}

#[test]
fn describe_job_times_are_fractional_epoch_seconds() {
    // §1.5, §11.5
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.emu.advance_ms(1_500).unwrap();
    w.job("j1", &[&t1]);
    let v = serde_json::to_value(w.describe_job("j1")).unwrap();
    assert!(v["createdAt"].is_f64(), "{v}");
    assert_eq!(v["createdAt"].as_f64(), Some(1_767_225_601.5));
    assert_eq!(v["lastUpdatedAt"].as_f64(), Some(1_767_225_601.5));
    let x = serde_json::to_value(w.execution("t1", "j1")).unwrap();
    assert_eq!(x["queuedAt"].as_f64(), Some(1_767_225_601.5));
}

#[test]
fn describe_job_without_a_document_source_has_no_top_level_document_source() {
    // §2.1 (DescribeJob output `{documentSource?, job}`)
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    let r = w.emu.read(|e, now| e.describe_job(now, "j1")).unwrap();
    let v = serde_json::to_value(&r).unwrap();
    assert!(v.get("documentSource").is_none());
    assert_eq!(v["job"]["jobId"], "j1");
}

#[test]
fn create_job_with_an_existing_id_is_refused_with_resource_already_exists() {
    // §11.13
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    let err = w.assert_rejected(ErrorKind::ResourceAlreadyExists, |e, now| {
        e.create_job(now, World::job_req("j1", &[&t1]))
    });
    assert_eq!(err.message, "Job j1 already exists.");
    assert_eq!(err.kind.http_status(Plane::Control), 409);
}

#[test]
fn create_job_with_an_unknown_target_is_not_found_and_creates_nothing() {
    // §11.14
    let mut w = World::new();
    let t1 = w.thing("t1");
    let ghost = format!("{ARN}:thing/ghost");
    let err = w.assert_rejected(ErrorKind::ResourceNotFound, |e, now| {
        e.create_job(now, World::job_req("j1", &[&t1, &ghost]))
    });
    assert_eq!(err.message, format!("Target {ghost} cannot be found."));
    let missing = w.emu.read(|e, now| e.describe_job(now, "j1")).unwrap_err();
    assert_eq!(missing.kind, ErrorKind::ResourceNotFound);
    assert!(w.pending("t1").queued.is_empty());
}

#[test]
fn create_job_targeting_another_account_is_not_found() {
    // §11.14 ("or another account/region")
    let mut w = World::new();
    w.thing("t1");
    let foreign = "arn:aws:iot:eu-west-1:999999999999:thing/t1".to_string();
    let err = w.assert_rejected(ErrorKind::ResourceNotFound, |e, now| {
        e.create_job(now, World::job_req("j1", &[&foreign]))
    });
    assert_eq!(err.message, format!("Target {foreign} cannot be found."));
}

#[test]
fn create_job_with_both_document_and_document_source_is_refused() {
    // §11.15
    let mut w = World::new();
    let t1 = w.thing("t1");
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.create_job(
            now,
            CreateJobRequest {
                document_source: Some("https://s3.amazonaws.com/b/doc.json".into()),
                ..World::job_req("j1", &[&t1])
            },
        )
    });
    assert_eq!(
        err.message,
        "Job document and job document source cannot be specified at the same time."
    );
}

#[test]
fn create_job_without_document_or_document_source_is_refused() {
    // §11.15
    let mut w = World::new();
    let t1 = w.thing("t1");
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.create_job(
            now,
            CreateJobRequest {
                document: None,
                ..World::job_req("j1", &[&t1])
            },
        )
    });
    assert_eq!(
        err.message,
        "Neither job document nor job document source is specified."
    );
}

#[test]
fn a_document_source_is_read_once_at_creation_and_later_edits_do_not_change_the_job() {
    // §2.4 (documentSource fetched at creation), §7.1
    let mut w = World::new();
    let t1 = w.thing("t1");
    let url = "https://s3.amazonaws.com/bucket/job.json";
    let register = |w: &mut World, doc: &'static str| {
        w.emu
            .call(|e, _| {
                e.register_document_source(url, doc);
                Ok(Outcome {
                    response: (),
                    effects: Vec::new(),
                })
            })
            .unwrap()
    };
    register(&mut w, r#"{"v":1}"#);
    w.create_job(CreateJobRequest {
        document: None,
        document_source: Some(url.into()),
        ..World::job_req("j1", &[&t1])
    });
    register(&mut w, r#"{"v":2}"#);
    let doc = w.emu.read(|e, _| e.get_job_document("j1", false)).unwrap();
    assert_eq!(doc.document, r#"{"v":1}"#);
    let r = w.emu.read(|e, now| e.describe_job(now, "j1")).unwrap();
    assert_eq!(r.document_source.as_deref(), Some(url));
}

#[test]
fn get_job_document_returns_the_exact_string_with_presigned_placeholders_unexpanded() {
    // §11.20, §7.1
    let mut w = World::new();
    let t1 = w.thing("t1");
    let doc = "{ \"op\" : \"ota\",\n  \"url\": \"${aws:iot:s3-presigned-url:https://s3.amazonaws.com/bucket/fw.bin}\" }";
    w.create_job(CreateJobRequest {
        document: Some(doc.into()),
        ..World::job_req("j1", &[&t1])
    });
    let got = w.emu.read(|e, _| e.get_job_document("j1", false)).unwrap();
    assert_eq!(got.document, doc);
    assert_eq!(
        serde_json::to_value(&got).unwrap(),
        json!({"document": doc})
    );
}

// ================================================================ unknown resources

#[test]
fn operations_on_an_unknown_job_or_execution_are_not_found() {
    // §11.8
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    let job_missing = "Job nope cannot be found.";
    let exec_missing = "Job execution nope for thing t1 cannot be found.";
    let table: Vec<(&str, &str, Op)> = vec![
        (
            "DescribeJob",
            job_missing,
            op(|e, now| unit(read(e.describe_job(now, "nope")))),
        ),
        (
            "GetJobDocument",
            job_missing,
            op(|e, _| unit(read(e.get_job_document("nope", false)))),
        ),
        (
            "CancelJob",
            job_missing,
            op(|e, now| unit(e.cancel_job(now, cancel_req("nope")))),
        ),
        (
            "DeleteJob",
            job_missing,
            op(|e, now| {
                e.delete_job(
                    now,
                    DeleteJobRequest {
                        job_id: "nope".into(),
                        force: true,
                        namespace_id: None,
                    },
                )
            }),
        ),
        (
            "UpdateJob",
            job_missing,
            op(|e, now| {
                e.update_job(
                    now,
                    UpdateJobRequest {
                        job_id: "nope".into(),
                        description: Some("d".into()),
                        ..Default::default()
                    },
                )
            }),
        ),
        (
            "ListJobExecutionsForJob",
            job_missing,
            op(|e, _| {
                unit(read(e.list_job_executions_for_job(
                    &ListJobExecutionsForJobRequest {
                        job_id: "nope".into(),
                        ..Default::default()
                    },
                )))
            }),
        ),
        (
            "DescribeJobExecution",
            exec_missing,
            op(|e, now| unit(read(e.describe_job_execution(now, "t1", "nope", None)))),
        ),
        (
            "CancelJobExecution",
            exec_missing,
            op(|e, now| {
                e.cancel_job_execution(
                    now,
                    CancelJobExecutionRequest {
                        job_id: "nope".into(),
                        thing_name: "t1".into(),
                        ..Default::default()
                    },
                )
            }),
        ),
        (
            "DescribeJobExecution (device)",
            exec_missing,
            op(|e, now| {
                unit(read(e.describe_job_execution_for_device(
                    now,
                    "t1",
                    "nope",
                    None,
                    &Default::default(),
                )))
            }),
        ),
        (
            "UpdateJobExecution (device)",
            exec_missing,
            op(|e, now| {
                unit(e.update_job_execution(
                    now,
                    "t1",
                    "nope",
                    None,
                    UpdateExecutionRequest {
                        status: Some("SUCCEEDED".into()),
                        ..Default::default()
                    },
                ))
            }),
        ),
    ];
    for (op, message, f) in table {
        let err = w.assert_rejected(ErrorKind::ResourceNotFound, f);
        assert_eq!(err.message, message, "{op}");
        assert_eq!(
            err.kind.aws_code(Plane::Control),
            "ResourceNotFoundException"
        );
        assert_eq!(err.kind.http_status(Plane::Control), 404, "{op}");
    }
}

#[test]
fn describe_job_execution_with_a_nonexistent_execution_number_is_not_found() {
    // §11.39
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    assert_eq!(
        describe_execution_number(&mut w, "t1", "j1", 1)
            .unwrap()
            .execution_number,
        1
    );
    let err = describe_execution_number(&mut w, "t1", "j1", 2).unwrap_err();
    assert_eq!(err.kind, ErrorKind::ResourceNotFound);
    assert_eq!(
        err.message,
        "Job execution j1 for thing t1 cannot be found."
    );
}

// ================================================================ DeleteJob

#[test]
fn delete_job_without_force_on_an_in_progress_job_is_an_invalid_state_transition() {
    // §11.21
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    let err = w.assert_rejected(ErrorKind::InvalidStateTransition, |e, now| {
        e.delete_job(
            now,
            DeleteJobRequest {
                job_id: "j1".into(),
                ..Default::default()
            },
        )
    });
    assert_eq!(
        err.message,
        "Job j1 in status IN_PROGRESS cannot be deleted without force."
    );
    assert_eq!(err.kind.http_status(Plane::Control), 409);
    assert_eq!(w.describe_job("j1").status, "IN_PROGRESS");
}

#[test]
fn forced_delete_of_an_in_progress_job_removes_it_and_its_executions() {
    // §11.21, §5.5
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    w.start_next("t1").expect("started");
    w.try_delete_job("j1", true).expect("forced delete");
    let err = w.emu.read(|e, now| e.describe_job(now, "j1")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::ResourceNotFound);
    assert_eq!(err.message, "Job j1 cannot be found.");
    let err = w
        .emu
        .read(|e, now| e.describe_job_execution(now, "t1", "j1", None))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::ResourceNotFound);
    let pending = w.pending("t1");
    assert!(pending.in_progress.is_empty() && pending.queued.is_empty());
    assert_eq!(
        w.report("t1", "j1", "SUCCEEDED").unwrap_err().kind,
        ErrorKind::ResourceNotFound
    );
    w.engine().check_invariants().unwrap();
}

#[test]
fn a_deleted_job_id_can_be_used_again() {
    // §2.4 ("After a job is fully deleted its id can be reused")
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    w.try_delete_job("j1", true).unwrap();
    w.job("j1", &[&t1]);
    let j = w.describe_job("j1");
    assert_eq!(j.status, "IN_PROGRESS");
    assert_eq!(counters(&j), [1, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(w.execution("t1", "j1").execution_number, 1);
}

#[test]
fn a_completed_job_can_be_deleted_without_force() {
    // §5.1 (COMPLETED deletable without force)
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    w.report("t1", "j1", "SUCCEEDED").unwrap();
    assert_eq!(w.describe_job("j1").status, "COMPLETED");
    w.try_delete_job("j1", false).expect("delete completed job");
    assert_eq!(
        w.emu
            .read(|e, now| e.describe_job(now, "j1"))
            .unwrap_err()
            .kind,
        ErrorKind::ResourceNotFound
    );
}

// ================================================================ CancelJob

#[test]
fn cancel_job_cancels_queued_executions_with_version_two() {
    // §11.22
    let mut w = World::new();
    let t1 = w.thing("t1");
    let t2 = w.thing("t2");
    w.create_job(CreateJobRequest {
        description: Some("d".into()),
        ..World::job_req("j1", &[&t1, &t2])
    });
    let r = w.try_cancel_job("j1", false).unwrap();
    assert_eq!(
        r,
        JobRef {
            job_arn: format!("{ARN}:job/j1"),
            job_id: "j1".into(),
            description: Some("d".into()),
        }
    );
    let j = w.describe_job("j1");
    assert_eq!(j.status, "CANCELED");
    assert!(!j.force_canceled);
    assert_eq!(j.job_process_details.number_of_canceled_things, 2);
    assert_eq!(counters(&j), [0, 0, 0, 0, 0, 0, 0, 2]);
    for t in ["t1", "t2"] {
        let x = w.execution(t, "j1");
        assert_eq!(
            (x.status.as_str(), x.version_number),
            ("CANCELED", 2),
            "{t}"
        );
        assert!(!x.force_canceled);
    }
    assert!(w.pending("t1").queued.is_empty());
}

#[test]
fn cancel_job_without_force_leaves_an_in_progress_execution_running_to_completion() {
    // §11.23, §5.5
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    w.start_next("t1").expect("started");
    w.try_cancel_job("j1", false).unwrap();
    let x = w.execution("t1", "j1");
    assert_eq!((x.status.as_str(), x.version_number), ("IN_PROGRESS", 2));
    assert_eq!(w.describe_job("j1").status, "CANCELED");
    w.report("t1", "j1", "SUCCEEDED")
        .expect("device can still finish");
    assert_eq!(w.exec_status("t1", "j1"), "SUCCEEDED");
    let j = w.describe_job("j1");
    assert_eq!(j.status, "CANCELED");
    assert_eq!(counters(&j), [0, 0, 1, 0, 0, 0, 0, 0]);
}

#[test]
fn forced_cancel_job_cancels_an_in_progress_execution_and_bumps_its_version() {
    // §11.23
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    w.start_next("t1").expect("started");
    w.try_cancel_job("j1", true).unwrap();
    let x = w.execution("t1", "j1");
    assert_eq!((x.status.as_str(), x.version_number), ("CANCELED", 3));
    assert!(x.force_canceled);
    let j = w.describe_job("j1");
    assert_eq!(j.status, "CANCELED");
    assert!(j.force_canceled);
    assert_eq!(counters(&j), [0, 0, 0, 0, 0, 0, 0, 1]);
}

#[test]
fn cancel_job_keeps_its_reason_code_and_comment() {
    // §5.1 (reasonCode/comment hold the cancel reason)
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    w.emu
        .call(|e, now| {
            e.cancel_job(
                now,
                CancelJobRequest {
                    job_id: "j1".into(),
                    reason_code: Some("BAD_BUILD_42".into()),
                    comment: Some("bricks the radio".into()),
                    force: false,
                },
            )
        })
        .unwrap();
    let j = w.describe_job("j1");
    assert_eq!(j.reason_code.as_deref(), Some("BAD_BUILD_42"));
    assert_eq!(j.comment.as_deref(), Some("bricks the radio"));
}

#[test]
fn cancel_job_with_a_lowercase_reason_code_is_refused() {
    // §11.24
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.cancel_job(
            now,
            CancelJobRequest {
                reason_code: Some("lowercase".into()),
                ..cancel_req("j1")
            },
        )
    });
    assert_eq!(
        err.message,
        r"1 validation error detected: Value 'lowercase' at 'reasonCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{Upper}\p{Digit}_]+"
    );
}

#[test]
fn a_canceled_job_can_be_deleted_without_force() {
    // §11.25
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    w.try_cancel_job("j1", false).unwrap();
    w.try_delete_job("j1", false).expect("delete canceled job");
    assert_eq!(
        w.emu
            .read(|e, now| e.describe_job(now, "j1"))
            .unwrap_err()
            .kind,
        ErrorKind::ResourceNotFound
    );
}

#[test]
fn cancel_job_on_a_completed_job_is_an_invalid_request() {
    // §12.11 (choice: 400, the model has no 409 for CancelJob)
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    w.report("t1", "j1", "SUCCEEDED").unwrap();
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.cancel_job(now, cancel_req("j1"))
    });
    assert_eq!(
        err.message,
        "Job j1 in status COMPLETED cannot be canceled."
    );
}

#[test]
fn cancel_job_again_without_force_on_a_canceled_job_is_an_invalid_request() {
    // §12.11 (choice)
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    w.try_cancel_job("j1", false).unwrap();
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.cancel_job(now, cancel_req("j1"))
    });
    assert_eq!(err.message, "Job j1 in status CANCELED cannot be canceled.");
}

#[test]
fn a_canceled_job_can_be_force_canceled_to_stop_executions_still_in_progress() {
    // §12.11 (choice), §5.5
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    w.start_next("t1").unwrap();
    w.try_cancel_job("j1", false).unwrap();
    assert_eq!(w.exec_status("t1", "j1"), "IN_PROGRESS");
    w.try_cancel_job("j1", true).unwrap();
    let x = w.execution("t1", "j1");
    assert_eq!((x.status.as_str(), x.version_number), ("CANCELED", 3));
    assert!(w.describe_job("j1").force_canceled);
}

// ================================================================ UpdateJob

#[test]
fn update_job_with_nothing_to_update_is_refused() {
    // §11.26
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.update_job(
            now,
            UpdateJobRequest {
                job_id: "j1".into(),
                ..Default::default()
            },
        )
    });
    assert_eq!(
        err.message,
        "Update Job request for job j1 cannot be empty."
    );
}

#[test]
fn update_job_on_a_completed_or_canceled_job_is_refused() {
    // §11.26
    let mut w = World::new();
    let t1 = w.thing("t1");
    let t2 = w.thing("t2");
    w.job("done", &[&t1]);
    w.report("t1", "done", "SUCCEEDED").unwrap();
    w.job("stopped", &[&t2]);
    w.try_cancel_job("stopped", false).unwrap();
    for (id, status) in [("done", "COMPLETED"), ("stopped", "CANCELED")] {
        let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
            e.update_job(
                now,
                UpdateJobRequest {
                    job_id: id.into(),
                    description: Some("new".into()),
                    ..Default::default()
                },
            )
        });
        assert_eq!(
            err.message,
            format!("Job {id} in status {status} cannot be updated.")
        );
    }
}

#[test]
fn update_job_bumps_last_updated_at_and_keeps_created_at() {
    // §11.27
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    let before = w.describe_job("j1");
    w.advance_secs(90);
    update_job(
        &mut w,
        UpdateJobRequest {
            job_id: "j1".into(),
            description: Some("second thoughts".into()),
            ..Default::default()
        },
    )
    .expect("update");
    let after = w.describe_job("j1");
    assert_eq!(after.created_at, before.created_at);
    assert_eq!(after.last_updated_at, before.created_at + 90.0);
    assert_eq!(after.description.as_deref(), Some("second thoughts"));
}

#[test]
fn update_job_replaces_a_config_member_whole() {
    // §2.4 ("sending only maximumPerMinute drops a stored exponentialRate")
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.create_job(CreateJobRequest {
        job_executions_rollout_config: Some(JobExecutionsRolloutConfig {
            maximum_per_minute: Some(100),
            exponential_rate: Some(ExponentialRolloutRate {
                base_rate_per_minute: Some(10),
                increment_factor: Some(2.0),
                rate_increase_criteria: Some(RateIncreaseCriteria {
                    number_of_notified_things: Some(5),
                    number_of_succeeded_things: None,
                }),
            }),
        }),
        ..World::job_req("j1", &[&t1])
    });
    update_job(
        &mut w,
        UpdateJobRequest {
            job_id: "j1".into(),
            job_executions_rollout_config: Some(JobExecutionsRolloutConfig {
                maximum_per_minute: Some(50),
                exponential_rate: None,
            }),
            ..Default::default()
        },
    )
    .expect("update");
    let v = serde_json::to_value(w.describe_job("j1")).unwrap();
    assert_eq!(
        v["jobExecutionsRolloutConfig"],
        json!({"maximumPerMinute": 50})
    );
}

#[test]
fn update_job_can_lower_retries_only_to_zero() {
    // §11.28, §6.3
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.create_job(CreateJobRequest {
        job_executions_retry_config: Some(retry("FAILED", 2)),
        ..World::job_req("j1", &[&t1])
    });
    let to = |n| UpdateJobRequest {
        job_id: "j1".into(),
        job_executions_retry_config: Some(retry("FAILED", n)),
        ..Default::default()
    };
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| e.update_job(now, to(1)));
    assert_eq!(
        err.message,
        "The number of retries cannot be updated to any number other than 0."
    );
    update_job(&mut w, to(0)).expect("lowering to 0 is allowed");
    let v = serde_json::to_value(w.describe_job("j1")).unwrap();
    assert_eq!(
        v["jobExecutionsRetryConfig"],
        json!({"criteriaList": [{"failureType": "FAILED", "numberOfRetries": 0}]})
    );
}

#[test]
fn update_job_cannot_add_a_retry_config_or_change_its_failure_types() {
    // §2.4 (UpdateJob retry messages)
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("plain", &[&t1]);
    w.create_job(CreateJobRequest {
        job_executions_retry_config: Some(retry("FAILED", 2)),
        ..World::job_req("retrying", &[&t1])
    });
    let req = |id: &str, failure: &str| UpdateJobRequest {
        job_id: id.into(),
        job_executions_retry_config: Some(retry(failure, 0)),
        ..Default::default()
    };
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.update_job(now, req("plain", "FAILED"))
    });
    assert_eq!(
        err.message,
        "RetryConfig cannot be updated if the job has no RetryConfig defined during creation."
    );
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.update_job(now, req("retrying", "TIMED_OUT"))
    });
    assert_eq!(
        err.message,
        "FailureTypes must match existing FailureTypes defined in RetryConfig."
    );
}

#[test]
fn update_job_timeout_validation_uses_the_service_messages() {
    // §6.4 (`cannot be null` for `timeoutConfig: {}` in UpdateJob)
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    for (minutes, message) in [
        (
            None,
            "Provide valid timeout value, inProgressTimeoutInMinutes cannot be null.",
        ),
        (
            Some(0),
            "Provide valid timeout value, inProgressTimeoutInMinutes cannot be 0.",
        ),
    ] {
        let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
            e.update_job(
                now,
                UpdateJobRequest {
                    job_id: "j1".into(),
                    timeout_config: Some(TimeoutConfig {
                        in_progress_timeout_in_minutes: minutes,
                    }),
                    ..Default::default()
                },
            )
        });
        assert_eq!(err.message, message);
    }
}

// ================================================================ AssociateTargetsWithJob

fn associate(job: &str, targets: &[&str]) -> AssociateTargetsWithJobRequest {
    AssociateTargetsWithJobRequest {
        job_id: job.into(),
        targets: Some(targets.iter().map(|s| s.to_string()).collect()),
        ..Default::default()
    }
}

#[test]
fn associate_targets_with_a_snapshot_job_is_refused() {
    // §11.29
    let mut w = World::new();
    let t1 = w.thing("t1");
    let g = w.group("g", None);
    w.job("j1", &[&t1]);
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.associate_targets_with_job(now, associate("j1", &[&g]))
    });
    assert_eq!(
        err.message,
        "Targets can only be associated with a CONTINUOUS job; job j1 is SNAPSHOT."
    );
}

#[test]
fn associate_targets_with_a_continuous_job_adds_the_group_and_queues_its_members() {
    // §11.29
    let mut w = World::new();
    let g1 = w.group("g1", None);
    let g2 = w.group("g2", None);
    w.thing("t1");
    w.thing("t2");
    w.add_to_group("t1", "g1");
    w.add_to_group("t2", "g2");
    w.create_job(continuous("j1", &[&g1]));
    let r = w
        .emu
        .call(|e, now| e.associate_targets_with_job(now, associate("j1", &[&g2])))
        .unwrap();
    assert_eq!(r.job_arn, format!("{ARN}:job/j1"));
    assert_eq!(r.job_id, "j1");
    assert_eq!(w.describe_job("j1").targets, vec![g1, g2]);
    let x = w.execution("t2", "j1");
    assert_eq!(
        (x.status.as_str(), x.version_number, x.execution_number),
        ("QUEUED", 1, 1)
    );
    // Later joins of the new group count too.
    w.thing("t3");
    w.add_to_group("t3", "g2");
    assert_eq!(w.exec_status("t3", "j1"), "QUEUED");
    assert_eq!(counters(&w.describe_job("j1")), [3, 0, 0, 0, 0, 0, 0, 0]);
}

#[test]
fn associate_targets_with_a_canceled_continuous_job_is_refused() {
    // §5.1 (AssociateTargetsWithJob only while IN_PROGRESS)
    let mut w = World::new();
    let g1 = w.group("g1", None);
    let g2 = w.group("g2", None);
    w.create_job(continuous("j1", &[&g1]));
    w.try_cancel_job("j1", false).unwrap();
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.associate_targets_with_job(now, associate("j1", &[&g2]))
    });
    assert_eq!(
        err.message,
        "Job j1 in status CANCELED cannot be associated with new targets."
    );
}

// ================================================================ job status over its life

#[test]
fn a_snapshot_job_completes_only_when_its_last_execution_is_terminal() {
    // §11.30
    let mut w = World::new();
    let t1 = w.thing("t1");
    let t2 = w.thing("t2");
    w.job("j1", &[&t1, &t2]);
    w.report("t1", "j1", "SUCCEEDED").unwrap();
    let j = w.describe_job("j1");
    assert_eq!(j.status, "IN_PROGRESS");
    assert_eq!(j.completed_at, None);
    w.advance_secs(30);
    w.report("t2", "j1", "FAILED").unwrap();
    let j = w.describe_job("j1");
    assert_eq!(j.status, "COMPLETED");
    assert_eq!(j.completed_at, Some(w.now().secs_f64()));
    assert_eq!(counters(&j), [0, 0, 1, 1, 0, 0, 0, 0]);
}

#[test]
fn a_continuous_job_never_completes_on_its_own() {
    // §11.31
    let mut w = World::new();
    let g = w.group("g", None);
    w.thing("t1");
    w.add_to_group("t1", "g");
    w.create_job(continuous("j1", &[&g]));
    w.report("t1", "j1", "SUCCEEDED").unwrap();
    w.advance_minutes(60 * 24 * 30);
    let j = w.describe_job("j1");
    assert_eq!(j.status, "IN_PROGRESS");
    assert_eq!(j.completed_at, None);
    assert_eq!(counters(&j), [0, 0, 1, 0, 0, 0, 0, 0]);
}

#[test]
fn while_rolling_out_a_job_is_concurrent_with_processing_targets_and_afterwards_not() {
    // §11.33
    let mut w = World::new();
    let t1 = w.thing("t1");
    let t2 = w.thing("t2");
    w.create_job(CreateJobRequest {
        job_executions_rollout_config: Some(JobExecutionsRolloutConfig {
            maximum_per_minute: Some(1),
            exponential_rate: None,
        }),
        ..World::job_req("j1", &[&t1, &t2])
    });
    let j = w.describe_job("j1");
    assert!(j.is_concurrent);
    assert_eq!(
        j.job_process_details.processing_targets,
        Some(vec![t1.clone(), t2.clone()])
    );
    assert_eq!(j.job_process_details.number_of_queued_things, 1);
    w.advance_minutes(1);
    let j = w.describe_job("j1");
    assert!(!j.is_concurrent);
    assert_eq!(j.job_process_details.processing_targets, None);
    assert_eq!(j.job_process_details.number_of_queued_things, 2);
    let v = serde_json::to_value(&j).unwrap();
    assert!(v["jobProcessDetails"].get("processingTargets").is_none());
}

// ================================================================ ListJobs

/// a: SNAPSHOT on t1; b: CONTINUOUS on g1; c: SNAPSHOT on g1, canceled; d: namespaced, on t1.
fn four_jobs(w: &mut World) -> String {
    let t1 = w.thing("t1");
    let g1 = w.group("g1", None);
    w.thing("t2");
    w.add_to_group("t2", "g1");
    w.job("a", &[&t1]);
    w.create_job(continuous("b", &[&g1]));
    w.job("c", &[&g1]);
    w.try_cancel_job("c", false).unwrap();
    w.create_job(CreateJobRequest {
        namespace_id: Some("ns1".into()),
        ..World::job_req("d", &[&t1])
    });
    g1
}

#[test]
fn list_jobs_by_status_returns_only_jobs_in_that_status() {
    // §11.32
    let mut w = World::new();
    four_jobs(&mut w);
    let r = list_jobs(
        &mut w,
        ListJobsRequest {
            status: Some("CANCELED".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(ids(&r), ["c"]);
    assert_eq!(r.jobs[0].status, "CANCELED");
    let r = list_jobs(
        &mut w,
        ListJobsRequest {
            status: Some("IN_PROGRESS".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(ids(&r), ["d", "b", "a"]);
}

#[test]
fn list_jobs_by_target_selection_returns_only_that_kind() {
    // §11.32
    let mut w = World::new();
    four_jobs(&mut w);
    let r = list_jobs(
        &mut w,
        ListJobsRequest {
            target_selection: Some("CONTINUOUS".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(ids(&r), ["b"]);
    assert_eq!(r.jobs[0].target_selection, "CONTINUOUS");
}

#[test]
fn list_jobs_by_thing_group_returns_its_jobs_with_the_group_id() {
    // §2.4 (ListJobs thingGroupName / thingGroupId), §2.3 (JobSummary.thingGroupId)
    let mut w = World::new();
    four_jobs(&mut w);
    let gid = w
        .emu
        .read(|e, _| e.describe_thing_group("g1"))
        .unwrap()
        .thing_group_id;
    let r = list_jobs(
        &mut w,
        ListJobsRequest {
            thing_group_name: Some("g1".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(ids(&r), ["c", "b"]);
    assert!(
        r.jobs
            .iter()
            .all(|j| j.thing_group_id.as_deref() == Some(gid.as_str()))
    );
    let by_id = list_jobs(
        &mut w,
        ListJobsRequest {
            thing_group_id: Some(gid.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(by_id, r);
    let unfiltered = list_jobs(&mut w, ListJobsRequest::default()).unwrap();
    assert!(unfiltered.jobs.iter().all(|j| j.thing_group_id.is_none()));
}

#[test]
fn list_jobs_by_namespace_returns_only_that_namespace() {
    // §2.4 (ListJobs namespaceId)
    let mut w = World::new();
    four_jobs(&mut w);
    let r = list_jobs(
        &mut w,
        ListJobsRequest {
            namespace_id: Some("ns1".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(ids(&r), ["d"]);
}

#[test]
fn list_jobs_summaries_carry_the_documented_members() {
    // §2.3 (JobSummary)
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("a", &[&t1]);
    let r = list_jobs(&mut w, ListJobsRequest::default()).unwrap();
    let v = serde_json::to_value(&r).unwrap();
    let now = w.now().secs_f64();
    assert_eq!(
        v,
        json!({"jobs": [{
            "jobArn": format!("{ARN}:job/a"),
            "jobId": "a",
            "targetSelection": "SNAPSHOT",
            "status": "IN_PROGRESS",
            "createdAt": now,
            "lastUpdatedAt": now,
            "isConcurrent": false,
        }]})
    );
}

#[test]
fn list_jobs_one_per_page_visits_every_job_exactly_once() {
    // §11.11, §1.6
    let mut w = World::new();
    let t1 = w.thing("t1");
    for id in ["j1", "j2", "j3", "j4", "j5"] {
        w.job(id, &[&t1]);
    }
    let mut seen = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let r = list_jobs(
            &mut w,
            ListJobsRequest {
                max_results: Some(1),
                next_token: token.clone(),
                ..Default::default()
            },
        )
        .unwrap();
        pages += 1;
        assert_eq!(r.jobs.len(), 1);
        seen.extend(r.jobs.into_iter().map(|j| j.job_id));
        match r.next_token {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    assert_eq!(pages, 5);
    seen.sort();
    assert_eq!(seen, ["j1", "j2", "j3", "j4", "j5"]);
}

#[test]
fn list_jobs_last_page_has_no_next_token() {
    // §1.6
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    w.job("j2", &[&t1]);
    let r = list_jobs(&mut w, ListJobsRequest::default()).unwrap();
    assert_eq!(r.jobs.len(), 2);
    assert_eq!(r.next_token, None);
    let v = serde_json::to_value(&r).unwrap();
    assert!(v.get("nextToken").is_none());
}

#[test]
fn list_jobs_with_a_garbage_next_token_is_refused() {
    // §1.6
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    for token in ["garbage", "jrt1-zz", "jrt1-ff"] {
        let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, _| {
            read(e.list_jobs(&ListJobsRequest {
                next_token: Some(token.into()),
                ..Default::default()
            }))
        });
        assert_eq!(err.message, "Next token is invalid.", "{token}");
    }
}

// ================================================================ executions (control plane)

#[test]
fn control_plane_execution_wraps_status_details_in_details_map_and_names_the_thing_arn() {
    // §11.34
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    w.emu
        .call(|e, now| {
            e.start_next_pending_job_execution(
                now,
                "t1",
                None,
                StartNextRequest {
                    status_details: Some([("step".to_string(), "download".to_string())].into()),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    let v = serde_json::to_value(w.execution("t1", "j1")).unwrap();
    assert_eq!(
        v["statusDetails"],
        json!({"detailsMap": {"step": "download"}})
    );
    assert_eq!(v["thingArn"], json!(t1));
    assert_eq!(v["jobId"], "j1");
    assert!(v.get("jobDocument").is_none());
    assert!(v.get("thingName").is_none());
    // The device plane shows the same map flat.
    let d = w.next("t1").expect("pending");
    assert_eq!(
        d.status_details,
        [("step".to_string(), "download".to_string())].into()
    );
}

#[test]
fn control_plane_execution_without_details_shows_empty_status_details() {
    // §2.3 (real sample: `"statusDetails": {}`, executionNumber 1, versionNumber 1)
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    let v = serde_json::to_value(w.execution("t1", "j1")).unwrap();
    assert_eq!(v["statusDetails"], json!({}));
    assert_eq!(v["status"], "QUEUED");
    assert_eq!(v["executionNumber"], 1);
    assert_eq!(v["versionNumber"], 1);
    assert_eq!(v["forceCanceled"], false);
    assert!(v.get("startedAt").is_none());
}

#[test]
fn list_job_executions_for_job_names_things_and_filters_by_status() {
    // §2.4 (ListJobExecutionsForJob), §2.3 (retryAttempt 0 on a first attempt)
    let mut w = World::new();
    let t1 = w.thing("t1");
    let t2 = w.thing("t2");
    w.job("j1", &[&t1, &t2]);
    w.start_next("t2").unwrap();
    let all = executions_for_job(
        &mut w,
        ListJobExecutionsForJobRequest {
            job_id: "j1".into(),
            ..Default::default()
        },
    );
    let rows: Vec<(&str, &str, u32)> = all
        .execution_summaries
        .iter()
        .map(|s| {
            (
                s.thing_arn.as_str(),
                s.job_execution_summary.status.as_str(),
                s.job_execution_summary.retry_attempt,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [(t1.as_str(), "QUEUED", 0), (t2.as_str(), "IN_PROGRESS", 0)]
    );
    let queued = executions_for_job(
        &mut w,
        ListJobExecutionsForJobRequest {
            job_id: "j1".into(),
            status: Some("IN_PROGRESS".into()),
            ..Default::default()
        },
    );
    assert_eq!(queued.execution_summaries.len(), 1);
    assert_eq!(queued.execution_summaries[0].thing_arn, t2);
}

#[test]
fn list_job_executions_with_an_unknown_status_filter_is_refused() {
    // §2.3 (JobExecutionStatus enum)
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, _| {
        read(
            e.list_job_executions_for_job(&ListJobExecutionsForJobRequest {
                job_id: "j1".into(),
                status: Some("DONE".into()),
                ..Default::default()
            }),
        )
    });
    assert_eq!(
        err.message,
        "1 validation error detected: Value 'DONE' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [QUEUED, IN_PROGRESS, SUCCEEDED, FAILED, TIMED_OUT, REJECTED, REMOVED, CANCELED]"
    );
}

#[test]
fn list_job_executions_for_thing_puts_the_newest_execution_first_with_its_retry_attempt() {
    // §2.4 (ListJobExecutionsForThing newest first), §6.3 (retryAttempt)
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.create_job(CreateJobRequest {
        job_executions_retry_config: Some(retry("FAILED", 1)),
        ..World::job_req("j1", &[&t1])
    });
    w.report("t1", "j1", "FAILED").unwrap();
    let r = executions_for_thing(
        &mut w,
        ListJobExecutionsForThingRequest {
            thing_name: "t1".into(),
            ..Default::default()
        },
    );
    let rows: Vec<(&str, i64, &str, u32)> = r
        .execution_summaries
        .iter()
        .map(|s| {
            let x = &s.job_execution_summary;
            (
                s.job_id.as_str(),
                x.execution_number,
                x.status.as_str(),
                x.retry_attempt,
            )
        })
        .collect();
    assert_eq!(rows, [("j1", 2, "QUEUED", 1), ("j1", 1, "FAILED", 0)]);
}

#[test]
fn list_job_executions_for_thing_filters_by_status_and_job() {
    // §2.1 (ListJobExecutionsForThing status, jobId)
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("a", &[&t1]);
    w.job("b", &[&t1]);
    w.report("t1", "a", "SUCCEEDED").unwrap();
    let by_status = executions_for_thing(
        &mut w,
        ListJobExecutionsForThingRequest {
            thing_name: "t1".into(),
            status: Some("QUEUED".into()),
            ..Default::default()
        },
    );
    let jobs: Vec<&str> = by_status
        .execution_summaries
        .iter()
        .map(|s| s.job_id.as_str())
        .collect();
    assert_eq!(jobs, ["b"]);
    let by_job = executions_for_thing(
        &mut w,
        ListJobExecutionsForThingRequest {
            thing_name: "t1".into(),
            job_id: Some("a".into()),
            ..Default::default()
        },
    );
    assert_eq!(by_job.execution_summaries.len(), 1);
    assert_eq!(
        by_job.execution_summaries[0].job_execution_summary.status,
        "SUCCEEDED"
    );
}

// ================================================================ CancelJobExecution

fn cancel_exec_req(force: bool, expected: Option<i64>) -> CancelJobExecutionRequest {
    CancelJobExecutionRequest {
        job_id: "j1".into(),
        thing_name: "t1".into(),
        force,
        expected_version: expected,
        status_details: None,
    }
}

#[test]
fn cancel_job_execution_on_a_queued_execution_cancels_it_with_version_two() {
    // §11.35
    let mut w = World::new();
    let t1 = w.thing("t1");
    let t2 = w.thing("t2");
    w.job("j1", &[&t1, &t2]);
    cancel_execution(&mut w, cancel_exec_req(false, Some(1))).expect("cancel");
    let x = w.execution("t1", "j1");
    assert_eq!((x.status.as_str(), x.version_number), ("CANCELED", 2));
    assert!(!x.force_canceled);
    let j = w.describe_job("j1");
    assert_eq!(j.status, "IN_PROGRESS");
    assert_eq!(counters(&j), [1, 0, 0, 0, 0, 0, 0, 1]);
    assert!(w.pending("t1").queued.is_empty());
}

#[test]
fn cancel_job_execution_stores_the_given_status_details() {
    // §2.4 (CancelJobExecution statusDetails stored as the execution's details)
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    cancel_execution(
        &mut w,
        CancelJobExecutionRequest {
            status_details: Some([("why".to_string(), "operator".to_string())].into()),
            ..cancel_exec_req(false, None)
        },
    )
    .unwrap();
    let x = w.execution("t1", "j1");
    assert_eq!(
        x.status_details.details_map,
        [("why".to_string(), "operator".to_string())].into()
    );
}

#[test]
fn cancel_job_execution_without_force_on_an_in_progress_execution_is_an_invalid_state_transition() {
    // §11.36
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    w.start_next("t1").unwrap();
    let err = w.assert_rejected(ErrorKind::InvalidStateTransition, |e, now| {
        e.cancel_job_execution(now, cancel_exec_req(false, None))
    });
    assert_eq!(err.kind.http_status(Plane::Control), 409);
    assert_eq!(
        err.kind.aws_code(Plane::Control),
        "InvalidStateTransitionException"
    );
    assert_eq!(w.exec_status("t1", "j1"), "IN_PROGRESS");
}

#[test]
fn forced_cancel_job_execution_cancels_an_in_progress_execution_and_the_device_cannot_update_it() {
    // §2.4 (force-cancel 2 → 3), §5.5
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    w.start_next("t1").unwrap();
    cancel_execution(&mut w, cancel_exec_req(true, Some(2))).expect("forced cancel");
    let x = w.execution("t1", "j1");
    assert_eq!((x.status.as_str(), x.version_number), ("CANCELED", 3));
    assert!(x.force_canceled);
    let err = w.report("t1", "j1", "SUCCEEDED").unwrap_err();
    assert_eq!(err.kind.http_status(Plane::Data), 409);
    assert_eq!(w.execution("t1", "j1").version_number, 3);
}

#[test]
fn cancel_job_execution_on_a_terminal_execution_is_an_invalid_state_transition() {
    // §11.36
    let mut w = World::new();
    let t1 = w.thing("t1");
    let t2 = w.thing("t2");
    w.job("j1", &[&t1, &t2]);
    w.report("t1", "j1", "SUCCEEDED").unwrap();
    cancel_execution(
        &mut w,
        CancelJobExecutionRequest {
            thing_name: "t2".into(),
            ..cancel_exec_req(false, None)
        },
    )
    .unwrap();
    for (thing, status) in [("t1", "SUCCEEDED"), ("t2", "CANCELED")] {
        for force in [false, true] {
            let err = w.assert_rejected(ErrorKind::InvalidStateTransition, |e, now| {
                e.cancel_job_execution(
                    now,
                    CancelJobExecutionRequest {
                        thing_name: thing.into(),
                        ..cancel_exec_req(force, None)
                    },
                )
            });
            assert_eq!(
                err.message,
                format!(
                    "Job execution j1 for thing {thing} is in terminal state {status} and cannot be canceled."
                )
            );
        }
    }
}

#[test]
fn cancel_job_execution_with_a_stale_expected_version_is_a_version_conflict() {
    // §11.37, §5.4
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    let err = w.assert_rejected(ErrorKind::VersionConflict, |e, now| {
        e.cancel_job_execution(now, cancel_exec_req(false, Some(5)))
    });
    assert_eq!(
        err.kind.aws_code(Plane::Control),
        "VersionConflictException"
    );
    assert_eq!(err.kind.http_status(Plane::Control), 409);
    let x = w.execution("t1", "j1");
    assert_eq!((x.status.as_str(), x.version_number), ("QUEUED", 1));
}

// ================================================================ DeleteJobExecution

#[test]
fn delete_job_execution_without_force_on_an_in_progress_execution_is_an_invalid_state_transition() {
    // §11.38
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    w.start_next("t1").unwrap();
    let err = w.assert_rejected(ErrorKind::InvalidStateTransition, |e, now| {
        e.delete_job_execution(
            now,
            DeleteJobExecutionRequest {
                job_id: "j1".into(),
                thing_name: "t1".into(),
                execution_number: 1,
                ..Default::default()
            },
        )
    });
    assert_eq!(
        err.message,
        "Job execution j1 #1 for thing t1 is IN_PROGRESS; set force to delete it."
    );
    delete_execution(&mut w, "t1", "j1", 1, true).expect("forced delete");
    assert_eq!(
        describe_execution_number(&mut w, "t1", "j1", 1)
            .unwrap_err()
            .kind,
        ErrorKind::ResourceNotFound
    );
}

#[test]
fn delete_job_execution_on_a_succeeded_execution_removes_that_number() {
    // §11.38
    let mut w = World::new();
    let t1 = w.thing("t1");
    let t2 = w.thing("t2");
    w.job("j1", &[&t1, &t2]);
    w.report("t1", "j1", "SUCCEEDED").unwrap();
    delete_execution(&mut w, "t1", "j1", 1, false).expect("delete");
    let err = describe_execution_number(&mut w, "t1", "j1", 1).unwrap_err();
    assert_eq!(err.kind, ErrorKind::ResourceNotFound);
    assert_eq!(
        err.message,
        "Job execution j1 for thing t1 cannot be found."
    );
    assert_eq!(counters(&w.describe_job("j1")), [1, 0, 0, 0, 0, 0, 0, 0]);
}

#[test]
fn delete_job_execution_of_an_unknown_number_is_not_found() {
    // §11.38, §11.39
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    let err = w.assert_rejected(ErrorKind::ResourceNotFound, |e, now| {
        e.delete_job_execution(
            now,
            DeleteJobExecutionRequest {
                job_id: "j1".into(),
                thing_name: "t1".into(),
                execution_number: 7,
                ..Default::default()
            },
        )
    });
    assert_eq!(
        err.message,
        "Job execution j1 for thing t1 cannot be found."
    );
}

#[test]
fn deleting_the_last_pending_execution_of_a_snapshot_job_completes_it() {
    // §5.1 (SNAPSHOT completes when every execution is terminal), §2.4 (DeleteJobExecution of QUEUED)
    let mut w = World::new();
    let t1 = w.thing("t1");
    let t2 = w.thing("t2");
    w.job("j1", &[&t1, &t2]);
    w.report("t1", "j1", "SUCCEEDED").unwrap();
    delete_execution(&mut w, "t2", "j1", 1, false).expect("delete queued");
    let j = w.describe_job("j1");
    assert_eq!(j.status, "COMPLETED");
    assert_eq!(counters(&j), [0, 0, 1, 0, 0, 0, 0, 0]);
}

// ================================================================ DescribeEndpoint, events

#[test]
fn describe_endpoint_answers_every_documented_endpoint_type() {
    // §11.1, §1.1
    let w = World::new();
    let e = w.engine();
    for (ty, address) in [
        (Some("iot:Jobs"), "jobrig.jobs.iot.us-east-1.amazonaws.com"),
        (Some("iot:Data"), "jobrig.iot.us-east-1.amazonaws.com"),
        (
            Some("iot:Data-ATS"),
            "jobrig-ats.iot.us-east-1.amazonaws.com",
        ),
        (
            Some("iot:CredentialProvider"),
            "jobrig.credentials.iot.us-east-1.amazonaws.com",
        ),
        (None, "jobrig.iot.us-east-1.amazonaws.com"),
    ] {
        let r = e.describe_endpoint(ty).unwrap();
        assert_eq!(r.endpoint_address, address, "{ty:?}");
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({"endpointAddress": address})
        );
    }
}

#[test]
fn describe_endpoint_with_an_unknown_type_is_refused() {
    // §1.1 (valid endpointType values)
    let mut w = World::new();
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, _| {
        read(e.describe_endpoint(Some("iot:Shadow")))
    });
    assert_eq!(
        err.message,
        "Endpoint type iot:Shadow is not valid. Valid types: iot:Data, iot:Data-ATS, iot:CredentialProvider, iot:Jobs."
    );
}

#[test]
fn event_configurations_round_trip_and_start_disabled() {
    // §2.5 (UpdateEventConfigurations, capital `Enabled`), §8
    let mut w = World::new();
    let before = w.engine().describe_event_configurations();
    assert_eq!(
        before.event_configurations["JOB"],
        EventToggle { enabled: false }
    );
    assert_eq!(
        before.event_configurations["JOB_EXECUTION"],
        EventToggle { enabled: false }
    );
    w.advance_secs(10);
    let req: UpdateEventConfigurationsRequest =
        serde_json::from_value(json!({"eventConfigurations": {"JOB": {"Enabled": true}}})).unwrap();
    w.emu
        .call(|e, now| e.update_event_configurations(now, req))
        .unwrap();
    let after = w.engine().describe_event_configurations();
    assert!(after.event_configurations["JOB"].enabled);
    assert!(!after.event_configurations["JOB_EXECUTION"].enabled);
    assert_eq!(after.last_modified_date, w.now().secs_f64());
    // The account came into being when the emulator started, not in 1970.
    assert_eq!(after.creation_date, crate::clock::VIRTUAL_EPOCH.secs_f64());
    assert_eq!(before.last_modified_date, before.creation_date);
    let v = serde_json::to_value(&after).unwrap();
    assert_eq!(v["eventConfigurations"]["JOB"], json!({"Enabled": true}));
}

#[test]
fn update_event_configurations_with_an_unknown_event_type_is_refused() {
    // §2.2 (UpdateEventConfigurations InvalidRequest)
    let mut w = World::new();
    let req: UpdateEventConfigurationsRequest =
        serde_json::from_value(json!({"eventConfigurations": {"JOBS": {"Enabled": true}}}))
            .unwrap();
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.update_event_configurations(now, req)
    });
    assert!(
        err.message
            .starts_with("1 validation error detected: Value 'JOBS' at 'eventConfigurations'"),
        "{}",
        err.message
    );
}

// ================================================================ quotas

#[test]
fn create_job_beyond_the_active_jobs_quota_is_limit_exceeded_and_changes_nothing() {
    // §9.2, §2.4 (LimitExceededException 410)
    let mut w = World::with_config(EngineConfig {
        max_active_jobs: 1,
        ..Default::default()
    });
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    let err = w.assert_rejected(ErrorKind::LimitExceeded, |e, now| {
        e.create_job(now, World::job_req("j2", &[&t1]))
    });
    assert_eq!(
        err.message,
        "The account has reached its limit of 1 active jobs."
    );
    assert_eq!(err.kind.http_status(Plane::Control), 410);
    // A canceled job is no longer active.
    w.try_cancel_job("j1", false).unwrap();
    w.job("j2", &[&t1]);
    assert_eq!(w.describe_job("j2").status, "IN_PROGRESS");
}

#[test]
fn create_job_beyond_the_concurrency_quota_is_limit_exceeded() {
    // §9.2 (job concurrency quota: jobs still rolling out)
    let mut w = World::with_config(EngineConfig {
        max_concurrent_jobs: 1,
        ..Default::default()
    });
    let t1 = w.thing("t1");
    let t2 = w.thing("t2");
    w.create_job(CreateJobRequest {
        job_executions_rollout_config: Some(JobExecutionsRolloutConfig {
            maximum_per_minute: Some(1),
            exponential_rate: None,
        }),
        ..World::job_req("slow", &[&t1, &t2])
    });
    let err = w.assert_rejected(ErrorKind::LimitExceeded, |e, now| {
        e.create_job(now, World::job_req("j2", &[&t1]))
    });
    assert_eq!(
        err.message,
        "The account has reached its job concurrency limit of 1."
    );
    w.advance_minutes(1);
    w.job("j2", &[&t1]);
}

// ================================================================ more targets and states

#[test]
fn a_thing_named_twice_or_also_reached_through_a_group_gets_one_execution() {
    // §6.6 (targets resolved to things, each once)
    let mut w = World::new();
    let t1 = w.thing("t1");
    let g = w.group("g", None);
    w.add_to_group("t1", "g");
    w.job("j1", &[&t1, &t1, &g]);
    assert_eq!(counters(&w.describe_job("j1")), [1, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(w.pending("t1").queued.len(), 1);
}

#[test]
fn associate_targets_with_an_unknown_target_is_not_found_and_changes_nothing() {
    // §2.1 (AssociateTargetsWithJob ResourceNotFound), §11.14
    let mut w = World::new();
    let g1 = w.group("g1", None);
    w.create_job(continuous("j1", &[&g1]));
    let ghost = format!("{ARN}:thinggroup/ghost");
    let err = w.assert_rejected(ErrorKind::ResourceNotFound, |e, now| {
        e.associate_targets_with_job(now, associate("j1", &[&ghost]))
    });
    assert_eq!(err.message, format!("Target {ghost} cannot be found."));
}

#[test]
fn associate_targets_beyond_100_in_total_is_limit_exceeded() {
    // §2.4 (AssociateTargetsWithJob: total targets ≤100), §9.1
    let mut w = World::new();
    let arns: Vec<String> = (0..101).map(|i| w.group(&format!("g{i}"), None)).collect();
    let first: Vec<&str> = arns[..100].iter().map(String::as_str).collect();
    w.create_job(continuous("j1", &first));
    let err = w.assert_rejected(ErrorKind::LimitExceeded, |e, now| {
        e.associate_targets_with_job(now, associate("j1", &[&arns[100]]))
    });
    assert_eq!(err.message, "A job can have at most 100 targets.");
    // Naming a target the job already has adds nothing and is not over the limit.
    w.emu
        .call(|e, now| e.associate_targets_with_job(now, associate("j1", &[&arns[0]])))
        .unwrap();
    assert_eq!(w.describe_job("j1").targets.len(), 100);
}

#[test]
fn canceling_a_scheduled_job_means_it_never_starts() {
    // §5.1 (SCHEDULED → CANCELED via CancelJob, inferred)
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.create_job(CreateJobRequest {
        scheduling_config: Some(SchedulingConfig {
            start_time: Some("2026-01-01T02:00".into()),
            ..Default::default()
        }),
        ..World::job_req("j1", &[&t1])
    });
    assert_eq!(w.describe_job("j1").status, "SCHEDULED");
    w.try_cancel_job("j1", false).unwrap();
    w.advance_minutes(180);
    let j = w.describe_job("j1");
    assert_eq!(j.status, "CANCELED");
    assert_eq!(counters(&j), [0; 8]);
    assert_eq!(w.engine().armed_timers(), 0);
}

#[test]
fn canceling_the_last_pending_execution_of_a_snapshot_job_completes_it() {
    // §5.1 (SNAPSHOT completes when every execution is terminal, CANCELED included)
    let mut w = World::new();
    let t1 = w.thing("t1");
    let t2 = w.thing("t2");
    w.job("j1", &[&t1, &t2]);
    w.report("t1", "j1", "SUCCEEDED").unwrap();
    cancel_execution(
        &mut w,
        CancelJobExecutionRequest {
            thing_name: "t2".into(),
            ..cancel_exec_req(false, None)
        },
    )
    .unwrap();
    let j = w.describe_job("j1");
    assert_eq!(j.status, "COMPLETED");
    assert_eq!(counters(&j), [0, 0, 1, 0, 0, 0, 0, 1]);
}

#[test]
fn create_job_from_an_unreadable_document_source_is_refused() {
    // §2.4 (documentSource fetched at creation; jobrig has no S3)
    let mut w = World::new();
    let t1 = w.thing("t1");
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.create_job(
            now,
            CreateJobRequest {
                document: None,
                document_source: Some("https://s3.amazonaws.com/b/missing.json".into()),
                ..World::job_req("j1", &[&t1])
            },
        )
    });
    assert!(
        err.message.starts_with(
            "The document source https://s3.amazonaws.com/b/missing.json could not be read."
        ),
        "{}",
        err.message
    );
}
