//! Job templates: custom templates, jobs created from them, and the managed catalogue with
//! `documentParameters` (spec §2.4, §7.2, §11.72–76, §11.78).

use serde_json::json;

use super::support::*;
use crate::engine::config::*;
use crate::engine::*;

const ARN: &str = "arn:aws:iot:us-east-1:123456789012";
const DOWNLOAD_FILE: &str = "arn:aws:iot:us-east-1::jobtemplate/AWS-Download-File:1.0";
const TEMPLATE_DOC: &str = r#"{"operation":"from-template"}"#;
const DOWNLOAD_FILE_DOC: &str = r#"{"version":"1.0","steps":[{"action":{"name":"Download-File","type":"runHandler","input":{"handler":"download-file.sh","args":["${aws:iot:parameter:downloadUrl}","${aws:iot:parameter:filePath}"],"path":"${aws:iot:parameter:pathToHandler}"},"runAsUser":"${aws:iot:parameter:runAsUser}"}}]}"#;

fn tpl_arn(id: &str) -> String {
    format!("{ARN}:jobtemplate/{id}")
}

/// A template request with a description and a document, nothing else.
fn tpl_req(id: &str) -> CreateJobTemplateRequest {
    CreateJobTemplateRequest {
        job_template_id: id.into(),
        description: Some(format!("template {id}")),
        document: Some(TEMPLATE_DOC.into()),
        ..Default::default()
    }
}

fn create_template(w: &mut World, req: CreateJobTemplateRequest) -> CreateJobTemplateResponse {
    w.emu
        .call(|e, now| e.create_job_template(now, req))
        .expect("create job template")
}

fn describe_template(w: &mut World, id: &str) -> EngineResult<DescribeJobTemplateResponse> {
    w.emu.read(|e, _| e.describe_job_template(id))
}

/// A job over `t1` from `template`, without a document of its own.
fn from_template(id: &str, template: &str, targets: &[&str]) -> CreateJobRequest {
    CreateJobRequest {
        document: None,
        job_template_arn: Some(template.into()),
        ..World::job_req(id, targets)
    }
}

fn document(w: &mut World, job: &str, before_substitution: bool) -> String {
    w.emu
        .read(|e, _| e.get_job_document(job, before_substitution))
        .expect("get job document")
        .document
}

fn params(pairs: &[(&str, &str)]) -> Option<std::collections::BTreeMap<String, String>> {
    Some(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

fn download(id: &str, targets: &[&str], p: &[(&str, &str)]) -> CreateJobRequest {
    CreateJobRequest {
        document_parameters: params(p),
        ..from_template(id, DOWNLOAD_FILE, targets)
    }
}

fn rollout(max: i64, exponential: bool) -> JobExecutionsRolloutConfig {
    JobExecutionsRolloutConfig {
        maximum_per_minute: Some(max),
        exponential_rate: exponential.then_some(ExponentialRolloutRate {
            base_rate_per_minute: Some(2),
            increment_factor: Some(2.0),
            rate_increase_criteria: Some(RateIncreaseCriteria {
                number_of_notified_things: Some(10),
                number_of_succeeded_things: None,
            }),
        }),
    }
}

fn abort_all(threshold: f64) -> AbortConfig {
    AbortConfig {
        criteria_list: Some(vec![AbortCriteria {
            failure_type: Some("ALL".into()),
            action: Some("CANCEL".into()),
            threshold_percentage: Some(threshold),
            min_number_of_executed_things: Some(3),
        }]),
    }
}

/// A template carrying every configuration a job can inherit.
fn full_template(w: &mut World, id: &str) {
    create_template(
        w,
        CreateJobTemplateRequest {
            presigned_url_config: Some(PresignedUrlConfig {
                role_arn: Some("arn:aws:iam::123456789012:role/jobs".into()),
                expires_in_sec: Some(600),
            }),
            job_executions_rollout_config: Some(rollout(50, true)),
            abort_config: Some(abort_all(25.0)),
            timeout_config: Some(timeout(30)),
            job_executions_retry_config: Some(retry("FAILED", 2)),
            ..tpl_req(id)
        },
    );
}

// ================================================================ CreateJobTemplate

#[test]
fn create_job_template_answers_with_its_arn_and_id() {
    // §2.1 (CreateJobTemplate output), §2.3 (custom template ARN)
    let mut w = World::new();
    let r = create_template(&mut w, tpl_req("tpl"));
    assert_eq!(
        r,
        CreateJobTemplateResponse {
            job_template_arn: tpl_arn("tpl"),
            job_template_id: "tpl".into(),
        }
    );
    let d = describe_template(&mut w, "tpl").unwrap();
    assert_eq!(d.description, "template tpl");
    assert_eq!(d.document.as_deref(), Some(TEMPLATE_DOC));
    assert_eq!(d.created_at, w.now().secs_f64());
}

#[test]
fn create_job_template_without_description_is_refused() {
    // §11.72
    let mut w = World::new();
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.create_job_template(
            now,
            CreateJobTemplateRequest {
                description: None,
                ..tpl_req("tpl")
            },
        )
    });
    assert_eq!(
        err.message,
        "1 validation error detected: Value null at 'description' failed to satisfy constraint: Member must not be null"
    );
}

#[test]
fn create_job_template_with_an_existing_id_is_a_conflict() {
    // §11.73
    let mut w = World::new();
    create_template(&mut w, tpl_req("tpl"));
    let err = w.assert_rejected(ErrorKind::Conflict, |e, now| {
        e.create_job_template(now, tpl_req("tpl"))
    });
    assert_eq!(err.message, "Job Template tpl already exists.");
    assert_eq!(err.kind.aws_code(Plane::Control), "ConflictException");
    assert_eq!(err.kind.http_status(Plane::Control), 409);
}

#[test]
fn create_job_template_with_a_dotted_id_is_refused_with_the_coral_message() {
    // §1.4 (the captured jobTemplateId message)
    let mut w = World::new();
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.create_job_template(now, tpl_req("has.dot"))
    });
    assert_eq!(
        err.message,
        "1 validation error detected: Value 'has.dot' at 'jobTemplateId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+"
    );
}

#[test]
fn create_job_template_needs_exactly_one_of_document_and_document_source() {
    // §2.4 (template-side document messages)
    let mut w = World::new();
    let both = CreateJobTemplateRequest {
        document_source: Some("https://s3.amazonaws.com/b/k.json".into()),
        ..tpl_req("both")
    };
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.create_job_template(now, both)
    });
    assert_eq!(
        err.message,
        "Job document and job document source cannot be specified at the same time."
    );
    let neither = CreateJobTemplateRequest {
        document: None,
        ..tpl_req("neither")
    };
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.create_job_template(now, neither)
    });
    assert_eq!(
        err.message,
        "Neither job document nor job document source is specified."
    );
}

#[test]
fn create_job_template_validates_timeouts_like_create_job() {
    // §2.4 ("Same timeout validation messages as CreateJob"), §11.16
    let mut w = World::new();
    for n in [0, 10_081] {
        let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
            e.create_job_template(
                now,
                CreateJobTemplateRequest {
                    timeout_config: Some(timeout(n)),
                    ..tpl_req("tpl")
                },
            )
        });
        assert_eq!(
            err.message,
            format!("Provide valid timeout value, inProgressTimeoutInMinutes cannot be {n}.")
        );
    }
}

#[test]
fn create_job_template_from_a_job_copies_its_document_and_configs_and_request_members_win() {
    // §2.4 (CreateJobTemplate from jobArn; request members override what is copied)
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.create_job(CreateJobRequest {
        document: Some(r#"{"from":"job"}"#.into()),
        timeout_config: Some(timeout(10)),
        job_executions_retry_config: Some(retry("TIMED_OUT", 3)),
        ..World::job_req("j1", &[&t1])
    });
    create_template(
        &mut w,
        CreateJobTemplateRequest {
            job_template_id: "copy".into(),
            job_arn: Some(format!("{ARN}:job/j1")),
            description: Some("copied".into()),
            timeout_config: Some(timeout(20)),
            ..Default::default()
        },
    );
    let d = describe_template(&mut w, "copy").unwrap();
    assert_eq!(d.document.as_deref(), Some(r#"{"from":"job"}"#));
    assert_eq!(d.timeout_config, Some(timeout(20)));
    assert_eq!(d.job_executions_retry_config, Some(retry("TIMED_OUT", 3)));
    assert_eq!(d.description, "copied");
}

#[test]
fn create_job_template_from_an_unknown_job_is_not_found() {
    // §2.1 (CreateJobTemplate ResourceNotFound)
    let mut w = World::new();
    let err = w.assert_rejected(ErrorKind::ResourceNotFound, |e, now| {
        e.create_job_template(
            now,
            CreateJobTemplateRequest {
                job_template_id: "copy".into(),
                job_arn: Some(format!("{ARN}:job/nope")),
                description: Some("copied".into()),
                ..Default::default()
            },
        )
    });
    assert_eq!(err.message, "Job nope cannot be found.");
}

// ================================================================ Describe / List / Delete

#[test]
fn describe_or_delete_an_unknown_template_is_not_found() {
    // §2.4 (unknown id → 404 `Job Template <id> cannot be found.`)
    let mut w = World::new();
    let err = describe_template(&mut w, "nope").unwrap_err();
    assert_eq!(err.kind, ErrorKind::ResourceNotFound);
    assert_eq!(err.message, "Job Template nope cannot be found.");
    let err = w.assert_rejected(ErrorKind::ResourceNotFound, |e, now| {
        e.delete_job_template(now, "nope")
    });
    assert_eq!(err.message, "Job Template nope cannot be found.");
}

#[test]
fn list_job_templates_puts_the_newest_first() {
    // §2.4 (ListJobTemplates newest first)
    let mut w = World::new();
    for id in ["b-first", "a-second", "c-third"] {
        create_template(&mut w, tpl_req(id));
    }
    let r = w.emu.read(|e, _| e.list_job_templates(None, None)).unwrap();
    let ids: Vec<&str> = r
        .job_templates
        .iter()
        .map(|t| t.job_template_id.as_str())
        .collect();
    assert_eq!(ids, ["c-third", "a-second", "b-first"]);
    assert_eq!(r.job_templates[0].job_template_arn, tpl_arn("c-third"));
    assert_eq!(r.job_templates[0].description, "template c-third");
    assert_eq!(r.next_token, None);
}

// ================================================================ CreateJob from a custom template

#[test]
fn a_job_from_a_template_inherits_its_document_and_configs() {
    // §11.74
    let mut w = World::new();
    let t1 = w.thing("t1");
    full_template(&mut w, "tpl");
    w.create_job(from_template("j1", &tpl_arn("tpl"), &[&t1]));
    assert_eq!(document(&mut w, "j1", false), TEMPLATE_DOC);
    let j = w.describe_job("j1");
    assert_eq!(j.job_template_arn.as_deref(), Some(tpl_arn("tpl").as_str()));
    assert_eq!(j.timeout_config, timeout(30));
    assert_eq!(j.job_executions_retry_config, Some(retry("FAILED", 2)));
    assert_eq!(j.job_executions_rollout_config, rollout(50, true));
    assert_eq!(j.abort_config, Some(abort_all(25.0)));
    assert_eq!(j.presigned_url_config.expires_in_sec, Some(600));
    // The inherited timeout is in force, not just displayed.
    w.start_next("t1").unwrap();
    w.advance_minutes(30);
    assert_eq!(w.exec_status("t1", "j1"), "TIMED_OUT");
}

#[test]
fn a_request_member_replaces_the_templates_member_whole() {
    // §11.74 (an explicit timeoutConfig in the request wins), §2.4 (replaces whole)
    let mut w = World::new();
    let t1 = w.thing("t1");
    full_template(&mut w, "tpl");
    w.create_job(CreateJobRequest {
        timeout_config: Some(timeout(5)),
        job_executions_rollout_config: Some(rollout(20, false)),
        ..from_template("j1", &tpl_arn("tpl"), &[&t1])
    });
    let j = w.describe_job("j1");
    assert_eq!(j.timeout_config, timeout(5));
    let v = serde_json::to_value(&j).unwrap();
    assert_eq!(
        v["jobExecutionsRolloutConfig"],
        json!({"maximumPerMinute": 20})
    );
    // Members the request did not name are still inherited.
    assert_eq!(j.job_executions_retry_config, Some(retry("FAILED", 2)));
}

#[test]
fn a_document_in_the_request_replaces_the_templates_document() {
    // §2.4 (any member present in the request replaces the template's)
    let mut w = World::new();
    let t1 = w.thing("t1");
    create_template(&mut w, tpl_req("tpl"));
    w.create_job(CreateJobRequest {
        job_template_arn: Some(tpl_arn("tpl")),
        ..World::job_req("j1", &[&t1])
    });
    assert_eq!(document(&mut w, "j1", false), DOC);
}

#[test]
fn a_job_from_a_template_does_not_inherit_its_description() {
    // §2.4 (the template description is not inherited)
    let mut w = World::new();
    let t1 = w.thing("t1");
    create_template(&mut w, tpl_req("tpl"));
    let r = w.create_job(from_template("j1", &tpl_arn("tpl"), &[&t1]));
    assert_eq!(r.description, None);
    assert_eq!(w.describe_job("j1").description, None);
}

#[test]
fn deleting_a_template_does_not_affect_jobs_created_from_it() {
    // §2.4 (deleting the template later does not affect the job)
    let mut w = World::new();
    let t1 = w.thing("t1");
    full_template(&mut w, "tpl");
    w.create_job(from_template("j1", &tpl_arn("tpl"), &[&t1]));
    let before = w.describe_job("j1");
    w.emu
        .call(|e, now| e.delete_job_template(now, "tpl"))
        .expect("delete template");
    assert_eq!(
        describe_template(&mut w, "tpl").unwrap_err().kind,
        ErrorKind::ResourceNotFound
    );
    assert_eq!(w.describe_job("j1"), before);
    assert_eq!(document(&mut w, "j1", false), TEMPLATE_DOC);
    let err = w.assert_rejected(ErrorKind::ResourceNotFound, |e, now| {
        e.create_job(now, from_template("j2", &tpl_arn("tpl"), &[&t1]))
    });
    assert_eq!(err.message, "Job Template tpl cannot be found.");
}

#[test]
fn create_job_from_an_unknown_template_is_not_found() {
    // §2.4 (unknown template → 404 `Job Template <id> cannot be found.`)
    let mut w = World::new();
    let t1 = w.thing("t1");
    let err = w.assert_rejected(ErrorKind::ResourceNotFound, |e, now| {
        e.create_job(now, from_template("j1", &tpl_arn("nope"), &[&t1]))
    });
    assert_eq!(err.message, "Job Template nope cannot be found.");
}

#[test]
fn create_job_with_a_job_arn_as_template_arn_is_refused() {
    // §2.4 (a job ARN passed as jobTemplateArn)
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j0", &[&t1]);
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.create_job(now, from_template("j1", &format!("{ARN}:job/j0"), &[&t1]))
    });
    assert_eq!(
        err.message,
        "Resource type should be jobtemplate but found invalid resource type job"
    );
}

#[test]
fn a_template_with_maintenance_windows_cannot_make_a_snapshot_job() {
    // §11.78, §6.5
    let mut w = World::new();
    let t1 = w.thing("t1");
    create_template(
        &mut w,
        CreateJobTemplateRequest {
            maintenance_windows: Some(vec![MaintenanceWindow {
                start_time: Some("cron(0 2 ? * MON *)".into()),
                duration_in_minutes: Some(60),
            }]),
            ..tpl_req("windowed")
        },
    );
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.create_job(now, from_template("j1", &tpl_arn("windowed"), &[&t1]))
    });
    assert_eq!(
        err.message,
        "TargetSelection is invalid. MaintenanceWindow cannot be used with SNAPSHOT job."
    );
    // A CONTINUOUS job inherits the windows and waits for the first one (2026-01-01 is a Thursday).
    w.create_job(CreateJobRequest {
        target_selection: Some("CONTINUOUS".into()),
        ..from_template("j2", &tpl_arn("windowed"), &[&t1])
    });
    let j = w.describe_job("j2");
    assert_eq!(j.status, "SCHEDULED");
    assert_eq!(
        j.scheduling_config
            .maintenance_windows
            .as_ref()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(j.scheduled_job_rollouts[0].start_time, "2026-01-05T02:00");
}

// ================================================================ managed templates

#[test]
fn list_managed_job_templates_includes_reboot_and_download_file_for_linux() {
    // §11.75
    let w = World::new();
    let r = w
        .engine()
        .list_managed_job_templates(None, None, None)
        .unwrap();
    for name in ["AWS-Reboot", "AWS-Download-File"] {
        let t = r
            .managed_job_templates
            .iter()
            .find(|t| t.template_name == name)
            .unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(t.template_version, "1.0");
        assert_eq!(t.environments, ["LINUX"]);
        assert_eq!(
            t.template_arn,
            format!("arn:aws:iot:us-east-1::jobtemplate/{name}:1.0")
        );
    }
    let only = w
        .engine()
        .list_managed_job_templates(Some("AWS-Reboot"), None, None)
        .unwrap();
    assert_eq!(only.managed_job_templates.len(), 1);
    assert_eq!(only.managed_job_templates[0].template_name, "AWS-Reboot");
}

#[test]
fn describe_managed_download_file_lists_its_required_parameters() {
    // §11.75, §7.2
    let w = World::new();
    let d = w
        .engine()
        .describe_managed_job_template("AWS-Download-File", None)
        .unwrap();
    assert_eq!(d.template_arn, DOWNLOAD_FILE);
    assert_eq!(d.template_version, "1.0");
    assert_eq!(d.environments, ["LINUX"]);
    assert_eq!(
        d.description,
        "A managed job template for downloading a file."
    );
    assert_eq!(d.document, DOWNLOAD_FILE_DOC);
    let keys: Vec<(&str, bool, &str)> = d
        .document_parameters
        .iter()
        .map(|p| (p.key.as_str(), p.optional, p.regex.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("downloadUrl", false, "(.*?)"),
            ("filePath", false, "(.*?)"),
            ("runAsUser", true, "(.){0,256}"),
            ("pathToHandler", true, "(.){0,4096}"),
        ]
    );
    assert!(
        d.document_parameters[..2]
            .iter()
            .all(|p| p.example.is_some())
    );
    let same = w
        .engine()
        .describe_managed_job_template("AWS-Download-File", Some("1.0"))
        .unwrap();
    assert_eq!(same, d);
}

#[test]
fn describe_an_unknown_managed_template_or_version_is_not_found() {
    // §2.1 (DescribeManagedJobTemplate ResourceNotFound)
    let w = World::new();
    let e = w.engine();
    let err = e
        .describe_managed_job_template("AWS-Nope", None)
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::ResourceNotFound);
    assert_eq!(
        err.message,
        "Managed job template AWS-Nope cannot be found."
    );
    let err = e
        .describe_managed_job_template("AWS-Reboot", Some("9.9"))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::ResourceNotFound);
    assert_eq!(
        err.message,
        "Managed job template AWS-Reboot version 9.9 cannot be found."
    );
}

#[test]
fn create_job_from_a_managed_template_substitutes_its_parameters() {
    // §7.2 (documentParameters with a managed template)
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.create_job(download(
        "j1",
        &[&t1],
        &[
            ("downloadUrl", "https://example.com/fw.bin"),
            ("filePath", "/tmp/fw.bin"),
        ],
    ));
    let doc: serde_json::Value = serde_json::from_str(&document(&mut w, "j1", false)).unwrap();
    let action = &doc["steps"][0]["action"];
    assert_eq!(
        action["input"]["args"],
        json!(["https://example.com/fw.bin", "/tmp/fw.bin"])
    );
    // Optional parameters left out are substituted with nothing.
    assert_eq!(action["input"]["path"], "");
    assert_eq!(action["runAsUser"], "");
    let j = w.describe_job("j1");
    assert_eq!(j.job_template_arn.as_deref(), Some(DOWNLOAD_FILE));
    assert_eq!(
        j.document_parameters,
        params(&[
            ("downloadUrl", "https://example.com/fw.bin"),
            ("filePath", "/tmp/fw.bin")
        ])
    );
    // The device reads the substituted document.
    let next = w.next("t1").expect("pending");
    assert!(
        next.job_document
            .unwrap()
            .contains("https://example.com/fw.bin")
    );
}

#[test]
fn a_job_from_a_managed_template_takes_the_templates_description_unless_given_one() {
    // §7.2 (description defaults to the template description)
    let mut w = World::new();
    let t1 = w.thing("t1");
    let p = [
        ("downloadUrl", "https://example.com/a"),
        ("filePath", "/tmp/a"),
    ];
    let r = w.create_job(download("j1", &[&t1], &p));
    assert_eq!(
        r.description.as_deref(),
        Some("A managed job template for downloading a file.")
    );
    assert_eq!(
        w.describe_job("j1").description.as_deref(),
        Some("A managed job template for downloading a file.")
    );
    let r = w.create_job(CreateJobRequest {
        description: Some("mine".into()),
        ..download("j2", &[&t1], &p)
    });
    assert_eq!(r.description.as_deref(), Some("mine"));
}

#[test]
fn get_job_document_before_substitution_returns_the_placeholder_form() {
    // §7.2 (beforeSubstitution=true), §2.4 (GetJobDocument beforeSubstitution)
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.create_job(download(
        "j1",
        &[&t1],
        &[
            ("downloadUrl", "https://example.com/a"),
            ("filePath", "/tmp/a"),
        ],
    ));
    assert_eq!(document(&mut w, "j1", true), DOWNLOAD_FILE_DOC);
    assert_ne!(document(&mut w, "j1", false), DOWNLOAD_FILE_DOC);
    // A job without a template has one form only.
    w.job("plain", &[&t1]);
    assert_eq!(document(&mut w, "plain", true), DOC);
}

#[test]
fn a_managed_template_without_required_parameters_needs_none() {
    // §7.2 (AWS-Reboot has only optional parameters)
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.create_job(from_template(
        "j1",
        "arn:aws:iot:us-east-1::jobtemplate/AWS-Reboot:1.0",
        &[&t1],
    ));
    assert_eq!(
        w.describe_job("j1").description.as_deref(),
        Some("A managed job template for rebooting a device.")
    );
}

#[test]
fn a_missing_required_parameter_is_refused() {
    // §7.2 (missing required parameters rejected, inferred)
    let mut w = World::new();
    let t1 = w.thing("t1");
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.create_job(now, download("j1", &[&t1], &[("downloadUrl", "https://x")]))
    });
    assert_eq!(
        err.message,
        "Parameter filePath is required by job template AWS-Download-File."
    );
}

#[test]
fn a_parameter_value_that_does_not_match_its_regex_is_refused() {
    // §7.2 (values are checked against each parameter's regex)
    let mut w = World::new();
    let t1 = w.thing("t1");
    let long = "u".repeat(257);
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.create_job(
            now,
            download(
                "j1",
                &[&t1],
                &[
                    ("downloadUrl", "https://x"),
                    ("filePath", "/f"),
                    ("runAsUser", &long),
                ],
            ),
        )
    });
    assert_eq!(
        err.message,
        format!(
            "1 validation error detected: Value '{long}' at 'documentParameters.runAsUser' failed to satisfy constraint: Member must satisfy regular expression pattern: (.){{0,256}}"
        )
    );
}

#[test]
fn an_undeclared_parameter_is_refused() {
    // §7.2 (inferred: only declared parameters can be substituted)
    let mut w = World::new();
    let t1 = w.thing("t1");
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.create_job(
            now,
            download(
                "j1",
                &[&t1],
                &[
                    ("downloadUrl", "https://x"),
                    ("filePath", "/f"),
                    ("colour", "red"),
                ],
            ),
        )
    });
    assert_eq!(
        err.message,
        "Parameter colour is not defined in job template AWS-Download-File."
    );
}

#[test]
fn document_parameters_with_a_custom_template_are_refused() {
    // §11.76
    let mut w = World::new();
    let t1 = w.thing("t1");
    create_template(&mut w, tpl_req("tpl"));
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.create_job(
            now,
            CreateJobRequest {
                document_parameters: params(&[("k", "v")]),
                ..from_template("j1", &tpl_arn("tpl"), &[&t1])
            },
        )
    });
    assert_eq!(
        err.message,
        "Document parameters are only supported with AWS managed job templates."
    );
}

#[test]
fn document_parameters_without_a_template_are_refused() {
    // §7.2 (documentParameters are only for AWS managed templates)
    let mut w = World::new();
    let t1 = w.thing("t1");
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.create_job(
            now,
            CreateJobRequest {
                document_parameters: params(&[("k", "v")]),
                ..World::job_req("j1", &[&t1])
            },
        )
    });
    assert_eq!(
        err.message,
        "Document parameters are only supported with AWS managed job templates."
    );
}

#[test]
fn a_template_copied_from_a_job_without_configs_makes_jobs_without_configs() {
    // §2.4 (CreateJobTemplate from jobArn copies what the job has; CreateJob inherits it)
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    create_template(
        &mut w,
        CreateJobTemplateRequest {
            job_template_id: "copy".into(),
            job_arn: Some(format!("{ARN}:job/j1")),
            description: Some("copied".into()),
            ..Default::default()
        },
    );
    let v = serde_json::to_value(describe_template(&mut w, "copy").unwrap()).unwrap();
    for absent in [
        "presignedUrlConfig",
        "jobExecutionsRolloutConfig",
        "abortConfig",
        "timeoutConfig",
        "jobExecutionsRetryConfig",
        "maintenanceWindows",
    ] {
        assert!(v.get(absent).is_none(), "{absent} should be omitted: {v}");
    }
    w.create_job(from_template("j2", &tpl_arn("copy"), &[&t1]));
    assert_eq!(document(&mut w, "j2", false), DOC);
    let j = w.describe_job("j2");
    assert_eq!(j.timeout_config, TimeoutConfig::default());
    assert_eq!(
        j.job_executions_rollout_config,
        JobExecutionsRolloutConfig::default()
    );
}
