//! The AWS HTTP planes of `jobrig serve` over raw sockets: routing by signing scope and host,
//! label decoding, time encodings, the error form, and bad input. Every byte the client sends is
//! written by hand (tests/http_client).

mod http_client;

use http_client::{Sign, control, data, job, request, send_raw, thing, within};
use jobrig::serve::{Running, ServeConfig, start};
use serde_json::{Value, json};

/// The virtual clock's starting instant (2026-01-01T00:00:00Z).
const T0: f64 = 1_767_225_600.0;

async fn server() -> Running {
    let mut cfg = ServeConfig::ephemeral();
    cfg.mqtt = None;
    start(cfg).await.expect("server starts")
}

fn job_ids(v: &Value) -> Vec<String> {
    v["jobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .map(|j| j["jobId"].as_str().expect("jobId").to_string())
        .collect()
}

// ================================================================ routing (§1.2, §1.3)

// §11.1
#[tokio::test]
async fn describe_endpoint_for_iot_jobs_names_a_jobs_host() {
    within(async {
        let s = server().await;
        let r = control(s.http, "GET", "/endpoint?endpointType=iot%3AJobs", "").await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(
            r.json(),
            json!({"endpointAddress": "jobrig.jobs.iot.us-east-1.amazonaws.com"})
        );
        let r = control(s.http, "GET", "/endpoint?endpointType=iot%3AWhatever", "").await;
        r.assert_error(400, "InvalidRequestException");
        s.shutdown().await;
    })
    .await
}

// §11.2 §1.2
#[tokio::test]
async fn the_same_path_is_two_operations_chosen_by_the_signing_scope() {
    within(async {
        let s = server().await;
        let arn = thing(&s.service, "T");
        job(&s.service, "j1", &[&arn], "{}");

        let device = data(s.http, "GET", "/things/T/jobs", "").await;
        assert_eq!(device.status, 200, "{}", device.text());
        let d = device.json();
        assert_eq!(d["inProgressJobs"], json!([]));
        assert_eq!(d["queuedJobs"][0]["jobId"], "j1");
        assert!(d.get("executionSummaries").is_none());

        let ctl = control(s.http, "GET", "/things/T/jobs", "").await;
        assert_eq!(ctl.status, 200, "{}", ctl.text());
        let c = ctl.json();
        assert_eq!(c["executionSummaries"][0]["jobId"], "j1");
        assert!(c.get("queuedJobs").is_none());

        // Same path, two shapes of one execution (§11.34): control wraps details and names the
        // thing by ARN, the device plane carries the document.
        let ctl = control(s.http, "GET", "/things/T/jobs/j1", "").await.json();
        assert!(ctl["execution"]["thingArn"].is_string());
        assert!(ctl["execution"].get("jobDocument").is_none());
        let dev = data(s.http, "GET", "/things/T/jobs/j1", "").await.json();
        assert_eq!(dev["execution"]["thingName"], "T");
        assert_eq!(dev["execution"]["jobDocument"], "{}");
        s.shutdown().await;
    })
    .await
}

// §11.2 §1.2
#[tokio::test]
async fn unsigned_requests_go_to_the_data_plane_only_when_the_host_names_it() {
    within(async {
        let s = server().await;
        let arn = thing(&s.service, "T");
        job(&s.service, "j1", &[&arn], "{}");

        for host in [
            "data.jobs.iot.us-east-1.amazonaws.com",
            "jobrig.jobs.iot.us-east-1.amazonaws.com:443",
        ] {
            let r = request(s.http, Sign::Host(host), "GET", "/things/T/jobs", b"").await;
            assert_eq!(r.status, 200, "{}", r.text());
            assert_eq!(r.json()["queuedJobs"][0]["jobId"], "j1", "host {host}");
        }
        let r = request(s.http, Sign::Unsigned, "GET", "/things/T/jobs", b"").await;
        assert_eq!(r.json()["executionSummaries"][0]["jobId"], "j1");
        let r = request(
            s.http,
            Sign::Host("iot.us-east-1.amazonaws.com"),
            "GET",
            "/things/T/jobs",
            b"",
        )
        .await;
        assert!(r.json().get("executionSummaries").is_some());

        // The signing scope wins over a jobs host.
        let scoped = Sign::SignedAt {
            service: "iot",
            host: "data.jobs.iot.us-east-1.amazonaws.com",
        };
        let r = request(s.http, scoped, "GET", "/things/T/jobs", b"").await;
        assert!(r.json().get("executionSummaries").is_some());
        let scoped = Sign::SignedAt {
            service: "iot-jobs-data",
            host: "iot.us-east-1.amazonaws.com",
        };
        let r = request(s.http, scoped, "GET", "/things/T/jobs", b"").await;
        assert_eq!(r.json()["queuedJobs"][0]["jobId"], "j1");
        s.shutdown().await;
    })
    .await
}

// §1.2
#[tokio::test]
async fn a_request_signed_for_another_service_is_refused_by_name() {
    within(async {
        let s = server().await;
        let r = request(
            s.http,
            Sign::Service("iotdevicegateway"),
            "GET",
            "/things/T/shadow",
            b"",
        )
        .await;
        let msg = r.assert_error(404, "UnknownOperationException");
        assert!(msg.contains("iotdevicegateway"), "{msg}");
        s.shutdown().await;
    })
    .await
}

// §11.3 §1.3
#[tokio::test]
async fn a_percent_encoded_next_label_is_the_next_pending_execution() {
    within(async {
        let s = server().await;
        let arn = thing(&s.service, "T");
        job(&s.service, "j1", &[&arn], r#"{"op":"x"}"#);

        let r = data(
            s.http,
            "GET",
            "/things/T/jobs/%24next?includeJobDocument=false",
            "",
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let ex = &r.json()["execution"];
        assert_eq!(ex["jobId"], "j1");
        assert_eq!(ex["status"], "QUEUED");
        assert!(ex.get("jobDocument").is_none());
        // Peeking does not start it.
        let again = data(s.http, "GET", "/things/T/jobs/%24next", "")
            .await
            .json();
        assert_eq!(again["execution"]["status"], "QUEUED");
        assert_eq!(again["execution"]["versionNumber"], 1);
        assert_eq!(again["execution"]["jobDocument"], r#"{"op":"x"}"#);
        s.shutdown().await;
    })
    .await
}

// §1.3
#[tokio::test]
async fn percent_encoded_thing_names_are_decoded() {
    within(async {
        let s = server().await;
        let r = control(s.http, "POST", "/things/t%3A1", "{}").await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["thingName"], "t:1");
        let arn = r.json()["thingArn"].as_str().expect("arn").to_string();
        job(&s.service, "j1", &[&arn], "{}");
        let r = data(s.http, "GET", "/things/t%3A1/jobs", "").await;
        assert_eq!(r.json()["queuedJobs"][0]["jobId"], "j1");
        s.shutdown().await;
    })
    .await
}

// §1.2
#[tokio::test]
async fn a_thing_literally_named_jobs_is_thing_crud() {
    within(async {
        let s = server().await;
        assert_eq!(
            control(s.http, "POST", "/things/jobs", "{}").await.status,
            200
        );
        let r = control(s.http, "GET", "/things/jobs", "").await;
        assert_eq!(r.json()["thingName"], "jobs");
        s.shutdown().await;
    })
    .await
}

// ================================================================ data plane (§3)

// §11.4
#[tokio::test]
async fn start_next_with_nothing_pending_answers_200_without_an_execution() {
    within(async {
        let s = server().await;
        thing(&s.service, "T");
        // The URI template's `$` is sent literally by botocore (§1.3).
        let r = data(s.http, "PUT", "/things/T/jobs/$next", "{}").await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json(), json!({}));
        s.shutdown().await;
    })
    .await
}

// §11.40 §11.41
#[tokio::test]
async fn start_next_starts_the_queued_head_once() {
    within(async {
        let s = server().await;
        let arn = thing(&s.service, "T");
        job(&s.service, "j1", &[&arn], r#"{"a":1}"#);
        let r = data(
            s.http,
            "PUT",
            "/things/T/jobs/$next",
            r#"{"statusDetails":{"step":"one"},"stepTimeoutInMinutes":5}"#,
        )
        .await;
        let ex = &r.json()["execution"];
        assert_eq!(ex["status"], "IN_PROGRESS");
        assert_eq!(ex["versionNumber"], 2);
        assert!(ex["startedAt"].is_i64());
        assert_eq!(ex["jobDocument"], r#"{"a":1}"#);
        assert_eq!(ex["statusDetails"], json!({"step":"one"}));

        let r = data(
            s.http,
            "PUT",
            "/things/T/jobs/%24next",
            r#"{"statusDetails":{"step":"two"}}"#,
        )
        .await;
        let ex = &r.json()["execution"];
        assert_eq!(ex["versionNumber"], 2);
        assert_eq!(ex["statusDetails"], json!({"step":"one"}));
        s.shutdown().await;
    })
    .await
}

// §11.45 §11.49
#[tokio::test]
async fn update_job_execution_answers_only_what_was_asked_for() {
    within(async {
        let s = server().await;
        let arn = thing(&s.service, "T");
        job(&s.service, "j1", &[&arn], r#"{"a":1}"#);
        let r = data(s.http, "POST", "/things/T/jobs/j1", r#"{"status":"IN_PROGRESS"}"#).await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json(), json!({}));
        let r = data(
            s.http,
            "POST",
            "/things/T/jobs/j1",
            r#"{"status":"SUCCEEDED","statusDetails":{"k":"v"},"expectedVersion":2,
                "includeJobExecutionState":true,"includeJobDocument":true}"#,
        )
        .await;
        assert_eq!(
            r.json(),
            json!({
                "executionState": {"status":"SUCCEEDED","statusDetails":{"k":"v"},"versionNumber":3},
                "jobDocument": "{\"a\":1}"
            })
        );
        s.shutdown().await;
    })
    .await
}

// §3
#[tokio::test]
async fn a_non_numeric_expected_version_is_a_400_and_changes_nothing() {
    within(async {
        let s = server().await;
        let arn = thing(&s.service, "T");
        job(&s.service, "j1", &[&arn], "{}");
        for body in [
            r#"{"status":"IN_PROGRESS","expectedVersion":"1"}"#,
            r#"{"status":"IN_PROGRESS","expectedVersion":1.5}"#,
            r#"{"status":"IN_PROGRESS","expectedVersion":true}"#,
        ] {
            let r = data(s.http, "POST", "/things/T/jobs/j1", body).await;
            let msg = r.assert_error(400, "InvalidRequestException");
            assert!(msg.contains("UpdateJobExecution"), "{msg}");
        }
        let ex = data(s.http, "GET", "/things/T/jobs/j1", "").await.json();
        assert_eq!(ex["execution"]["status"], "QUEUED");
        assert_eq!(ex["execution"]["versionNumber"], 1);
        s.shutdown().await;
    })
    .await
}

// ================================================================ times (§1.5)

// §11.5 §1.5
#[tokio::test]
async fn control_plane_times_are_epoch_second_numbers_with_fractions() {
    within(async {
        let s = server().await;
        let arn = thing(&s.service, "T");
        s.service.advance_ms(1_500).await.expect("advance");
        let body = json!({"targets": [arn], "document": "{}"}).to_string();
        assert_eq!(control(s.http, "PUT", "/jobs/j1", &body).await.status, 200);

        let d = control(s.http, "GET", "/jobs/j1", "").await.json();
        assert_eq!(d["job"]["createdAt"], json!(T0 + 1.5));
        assert_eq!(d["job"]["lastUpdatedAt"], json!(T0 + 1.5));
        let e = control(s.http, "GET", "/things/T/jobs/j1", "").await.json();
        assert_eq!(e["execution"]["queuedAt"], json!(T0 + 1.5));
        let l = control(s.http, "GET", "/jobs", "").await.json();
        assert!(l["jobs"][0]["createdAt"].is_f64());
        let ex = control(s.http, "GET", "/jobs/j1/things", "").await.json();
        assert_eq!(
            ex["executionSummaries"][0]["jobExecutionSummary"]["queuedAt"],
            json!(T0 + 1.5)
        );
        s.shutdown().await;
    })
    .await
}

// §11.6 §1.5
#[tokio::test]
async fn data_plane_times_are_integer_seconds() {
    within(async {
        let s = server().await;
        let arn = thing(&s.service, "T");
        s.service.advance_ms(1_500).await.expect("advance");
        job(&s.service, "j1", &[&arn], "{}");
        s.service.advance_ms(700).await.expect("advance");
        let r = data(s.http, "PUT", "/things/T/jobs/$next", "{}")
            .await
            .json();
        let ex = &r["execution"];
        for member in ["queuedAt", "startedAt", "lastUpdatedAt"] {
            assert!(ex[member].is_i64(), "{member} is {}", ex[member]);
        }
        assert_eq!(ex["queuedAt"], json!(T0 as i64 + 1));
        assert_eq!(ex["startedAt"], json!(T0 as i64 + 2));
        let p = data(s.http, "GET", "/things/T/jobs", "").await.json();
        let summary = &p["inProgressJobs"][0];
        for member in ["queuedAt", "startedAt", "lastUpdatedAt"] {
            assert!(summary[member].is_i64(), "{member} is {}", summary[member]);
        }
        s.shutdown().await;
    })
    .await
}

// ================================================================ errors (§1.4)

// §11.7 §1.4
#[tokio::test]
async fn every_error_class_has_its_status_error_type_header_and_message() {
    within(async {
        let s = server().await;
        let arn = thing(&s.service, "T");
        job(&s.service, "j1", &[&arn], "{}");

        // 400
        control(
            s.http,
            "PUT",
            "/jobs/bad.id",
            r#"{"targets":[],"document":"{}"}"#,
        )
        .await
        .assert_error(400, "InvalidRequestException");
        // 404
        control(s.http, "GET", "/jobs/nope", "")
            .await
            .assert_error(404, "ResourceNotFoundException");
        // 409 ResourceAlreadyExists
        let body = json!({"targets": [arn], "document": "{}"}).to_string();
        control(s.http, "PUT", "/jobs/j1", &body)
            .await
            .assert_error(409, "ResourceAlreadyExistsException");
        // 409 Conflict (templates)
        let tpl = r#"{"description":"d","document":"{}"}"#;
        assert_eq!(
            control(s.http, "PUT", "/job-templates/t1", tpl)
                .await
                .status,
            200
        );
        control(s.http, "PUT", "/job-templates/t1", tpl)
            .await
            .assert_error(409, "ConflictException");
        // 409 VersionConflict (§11.37)
        control(
            s.http,
            "PUT",
            "/things/T/jobs/j1/cancel",
            r#"{"expectedVersion":5}"#,
        )
        .await
        .assert_error(409, "VersionConflictException");
        // 409 InvalidStateTransition (§11.21)
        control(s.http, "DELETE", "/jobs/j1", "")
            .await
            .assert_error(409, "InvalidStateTransitionException");
        // 410 LimitExceeded: more than 100 targets
        let many: Vec<String> = (0..101)
            .map(|i| format!("arn:aws:iot:us-east-1:123456789012:thing/t{i}"))
            .collect();
        let body = json!({"targets": many, "document": "{}"}).to_string();
        control(s.http, "PUT", "/jobs/big", &body)
            .await
            .assert_error(410, "LimitExceededException");
        // Data plane: 409 InvalidStateTransition for a service-only status (§11.47), and a stale
        // expectedVersion is a 409 InvalidStateTransition too (no version shape, §12).
        data(
            s.http,
            "POST",
            "/things/T/jobs/j1",
            r#"{"status":"CANCELED"}"#,
        )
        .await
        .assert_error(409, "InvalidStateTransitionException");
        let msg = data(
            s.http,
            "POST",
            "/things/T/jobs/j1",
            r#"{"status":"IN_PROGRESS","expectedVersion":9}"#,
        )
        .await
        .assert_error(409, "InvalidStateTransitionException");
        assert!(msg.contains("Expected version 9"), "{msg}");
        data(s.http, "GET", "/things/T/jobs/nope", "")
            .await
            .assert_error(404, "ResourceNotFoundException");
        // Nothing above changed the execution.
        let ex = control(s.http, "GET", "/things/T/jobs/j1", "").await.json();
        assert_eq!(ex["execution"]["status"], "QUEUED");
        assert_eq!(ex["execution"]["versionNumber"], 1);
        s.shutdown().await;
    })
    .await
}

// §11.8
#[tokio::test]
async fn unknown_jobs_and_executions_are_404_on_every_operation() {
    within(async {
        let s = server().await;
        thing(&s.service, "T");
        let control_calls = [
            ("GET", "/jobs/nope", ""),
            ("GET", "/jobs/nope/job-document", ""),
            ("PUT", "/jobs/nope/cancel", "{}"),
            ("DELETE", "/jobs/nope", ""),
            ("GET", "/things/T/jobs/nope", ""),
            ("PUT", "/things/T/jobs/nope/cancel", "{}"),
        ];
        for (m, p, b) in control_calls {
            let r = control(s.http, m, p, b).await;
            r.assert_error(404, "ResourceNotFoundException");
        }
        data(s.http, "GET", "/things/T/jobs/nope", "")
            .await
            .assert_error(404, "ResourceNotFoundException");
        data(
            s.http,
            "POST",
            "/things/T/jobs/nope",
            r#"{"status":"IN_PROGRESS"}"#,
        )
        .await
        .assert_error(404, "ResourceNotFoundException");
        s.shutdown().await;
    })
    .await
}

// §11.9
#[tokio::test]
async fn job_ids_are_validated_on_the_wire() {
    within(async {
        let s = server().await;
        let arn = thing(&s.service, "T");
        let body = json!({"targets": [arn], "document": "{}"}).to_string();
        let long = "a".repeat(65);
        for id in ["job.with.dots", "job%3Acolon", long.as_str()] {
            let msg = control(s.http, "PUT", &format!("/jobs/{id}"), &body)
                .await
                .assert_error(400, "InvalidRequestException");
            assert!(msg.contains("jobId"), "{msg}");
        }
        let ok = "b".repeat(64);
        let r = control(s.http, "PUT", &format!("/jobs/{ok}"), &body).await;
        assert_eq!(r.status, 200, "{}", r.text());
        s.shutdown().await;
    })
    .await
}

// §11.10
#[tokio::test]
async fn max_results_out_of_range_or_not_a_number_is_a_400() {
    within(async {
        let s = server().await;
        for q in [
            "maxResults=251",
            "maxResults=0",
            "maxResults=ten",
            "maxResults=1.5",
        ] {
            control(s.http, "GET", &format!("/jobs?{q}"), "")
                .await
                .assert_error(400, "InvalidRequestException");
        }
        control(s.http, "GET", "/things/T/jobs/j1?executionNumber=one", "")
            .await
            .assert_error(400, "InvalidRequestException");
        control(
            s.http,
            "DELETE",
            "/things/T/jobs/j1/executionNumber/one",
            "",
        )
        .await
        .assert_error(400, "InvalidRequestException");
        control(s.http, "GET", "/jobs?nextToken=garbage", "")
            .await
            .assert_error(400, "InvalidRequestException");
        s.shutdown().await;
    })
    .await
}

// §11.11 §1.6
#[tokio::test]
async fn list_jobs_pages_visit_every_job_exactly_once() {
    within(async {
        let s = server().await;
        let arn = thing(&s.service, "T");
        for i in 0..5 {
            job(&s.service, &format!("j{i}"), &[&arn], "{}");
        }
        let mut seen = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let path = match &token {
                Some(t) => format!(
                    "/jobs?maxResults=2&nextToken={}",
                    percent_encoding::utf8_percent_encode(t, percent_encoding::NON_ALPHANUMERIC)
                ),
                None => "/jobs?maxResults=2".to_string(),
            };
            let page = control(s.http, "GET", &path, "").await.json();
            seen.extend(job_ids(&page));
            match page["nextToken"].as_str() {
                Some(t) => token = Some(t.to_string()),
                None => break,
            }
        }
        seen.sort();
        assert_eq!(seen, ["j0", "j1", "j2", "j3", "j4"]);
        s.shutdown().await;
    })
    .await
}

// §2.1 §1.3
#[tokio::test]
async fn query_members_reach_the_engine() {
    within(async {
        let s = server().await;
        let arn = thing(&s.service, "T");
        job(&s.service, "a", &[&arn], "{}");
        job(&s.service, "b", &[&arn], "{}");
        // CancelJob: force is a query boolean; reasonCode and comment are body members.
        let r = control(
            s.http,
            "PUT",
            "/jobs/a/cancel?force=true",
            r#"{"reasonCode":"R1","comment":"why"}"#,
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["jobId"], "a");
        let d = control(s.http, "GET", "/jobs/a", "").await.json();
        assert_eq!(d["job"]["status"], "CANCELED");
        assert_eq!(d["job"]["forceCanceled"], true);
        assert_eq!(d["job"]["reasonCode"], "R1");
        // ListJobs status filter.
        let l = control(s.http, "GET", "/jobs?status=CANCELED", "")
            .await
            .json();
        assert_eq!(job_ids(&l), ["a"]);
        // A garbage boolean is refused before the engine sees it.
        control(s.http, "PUT", "/jobs/b/cancel?force=yes", "{}")
            .await
            .assert_error(400, "InvalidRequestException");
        assert_eq!(
            control(s.http, "GET", "/jobs/b", "").await.json()["job"]["status"],
            "IN_PROGRESS"
        );
        s.shutdown().await;
    })
    .await
}

// §1.4 §11.27
#[tokio::test]
async fn empty_output_operations_answer_200_with_an_empty_body() {
    within(async {
        let s = server().await;
        let arn = thing(&s.service, "T");
        job(&s.service, "j1", &[&arn], "{}");
        control(s.http, "POST", "/thing-groups/g", "{}").await;
        control(
            s.http,
            "PUT",
            "/job-templates/t1",
            r#"{"description":"d","document":"{}"}"#,
        )
        .await;
        let calls = [
            ("PATCH", "/jobs/j1", r#"{"description":"new"}"#),
            (
                "PATCH",
                "/things/T",
                r#"{"attributePayload":{"attributes":{"a":"b"}}}"#,
            ),
            (
                "PUT",
                "/thing-groups/addThingToThingGroup",
                r#"{"thingGroupName":"g","thingName":"T"}"#,
            ),
            (
                "PUT",
                "/thing-groups/removeThingFromThingGroup",
                r#"{"thingGroupName":"g","thingName":"T"}"#,
            ),
            ("PUT", "/things/T/jobs/j1/cancel", "{}"),
            ("DELETE", "/things/T/jobs/j1/executionNumber/1", ""),
            ("DELETE", "/jobs/j1?force=true", ""),
            ("DELETE", "/job-templates/t1", ""),
            ("DELETE", "/thing-groups/g", ""),
            (
                "PATCH",
                "/event-configurations",
                r#"{"eventConfigurations":{"JOB":{"Enabled":true}}}"#,
            ),
            ("DELETE", "/things/T", ""),
        ];
        for (m, p, b) in calls {
            let r = control(s.http, m, p, b).await;
            assert_eq!(r.status, 200, "{m} {p}: {}", r.text());
            assert!(r.body.is_empty(), "{m} {p}: {}", r.text());
        }
        let ev = control(s.http, "GET", "/event-configurations", "")
            .await
            .json();
        assert_eq!(ev["eventConfigurations"]["JOB"]["Enabled"], true);
        assert!(ev["creationDate"].is_number());
        s.shutdown().await;
    })
    .await
}

// §2.2
#[tokio::test]
async fn registry_operations_round_trip_over_http() {
    within(async {
        let s = server().await;
        let r = control(
            s.http,
            "POST",
            "/things/T",
            r#"{"attributePayload":{"attributes":{"color":"red"}}}"#,
        )
        .await;
        assert_eq!(r.json()["thingName"], "T");
        let d = control(s.http, "GET", "/things/T", "").await.json();
        assert_eq!(d["attributes"]["color"], "red");
        let l = control(
            s.http,
            "GET",
            "/things?attributeName=color&attributeValue=red",
            "",
        )
        .await
        .json();
        assert_eq!(l["things"][0]["thingName"], "T");
        control(s.http, "POST", "/thing-groups/parent", "{}").await;
        control(
            s.http,
            "POST",
            "/thing-groups/child",
            r#"{"parentGroupName":"parent"}"#,
        )
        .await;
        let g = control(s.http, "GET", "/thing-groups/child", "")
            .await
            .json();
        assert_eq!(g["thingGroupMetadata"]["parentGroupName"], "parent");
        control(
            s.http,
            "PUT",
            "/thing-groups/addThingToThingGroup",
            r#"{"thingGroupName":"child","thingName":"T"}"#,
        )
        .await;
        let members = control(
            s.http,
            "GET",
            "/thing-groups/parent/things?recursive=true",
            "",
        )
        .await
        .json();
        assert_eq!(members["things"], json!(["T"]));
        let flat = control(s.http, "GET", "/thing-groups/parent/things", "")
            .await
            .json();
        assert_eq!(flat["things"], json!([]));
        let groups = control(s.http, "GET", "/things/T/thing-groups", "")
            .await
            .json();
        assert_eq!(groups["thingGroups"][0]["groupName"], "child");
        let top = control(s.http, "GET", "/thing-groups?recursive=false", "")
            .await
            .json();
        assert_eq!(top["thingGroups"].as_array().map(Vec::len), Some(1));
        control(s.http, "DELETE", "/things/T?expectedVersion=7", "")
            .await
            .assert_error(409, "VersionConflictException");
        s.shutdown().await;
    })
    .await
}

// §2.1 §2.4
#[tokio::test]
async fn templates_and_managed_templates_over_http() {
    within(async {
        let s = server().await;
        let arn = thing(&s.service, "T");
        let r = control(
            s.http,
            "PUT",
            "/job-templates/tpl",
            r#"{"description":"d","document":"{\"x\":1}"}"#,
        )
        .await;
        assert_eq!(r.json()["jobTemplateId"], "tpl");
        let d = control(s.http, "GET", "/job-templates/tpl", "")
            .await
            .json();
        assert_eq!(d["document"], r#"{"x":1}"#);
        assert!(d["createdAt"].is_f64());
        let l = control(s.http, "GET", "/job-templates?maxResults=5", "")
            .await
            .json();
        assert_eq!(l["jobTemplates"][0]["jobTemplateId"], "tpl");
        let tarn = d["jobTemplateArn"].as_str().expect("arn");
        let body = json!({"targets": [arn], "jobTemplateArn": tarn}).to_string();
        assert_eq!(
            control(s.http, "PUT", "/jobs/from-tpl", &body).await.status,
            200
        );
        let doc = control(s.http, "GET", "/jobs/from-tpl/job-document", "")
            .await
            .json();
        assert_eq!(doc["document"], r#"{"x":1}"#);

        let m = control(s.http, "GET", "/managed-job-templates", "")
            .await
            .json();
        let name = m["managedJobTemplates"][0]["templateName"]
            .as_str()
            .expect("a managed template")
            .to_string();
        let one = control(s.http, "GET", &format!("/managed-job-templates/{name}"), "")
            .await
            .json();
        assert_eq!(one["templateName"], name.as_str());
        control(s.http, "GET", "/managed-job-templates/NoSuch", "")
            .await
            .assert_error(404, "ResourceNotFoundException");
        s.shutdown().await;
    })
    .await
}

// ================================================================ bad input

// §1.4
#[tokio::test]
async fn malformed_json_and_wrong_member_types_are_400_and_create_nothing() {
    within(async {
        let s = server().await;
        let arn = thing(&s.service, "T");
        let bodies = [
            "{not json".to_string(),
            "[]".to_string(),
            r#"{"targets":"not-a-list","document":"{}"}"#.to_string(),
            json!({"targets": [arn], "document": {"an": "object"}}).to_string(),
            json!({"targets": [arn], "document": "{}", "timeoutConfig": {"inProgressTimeoutInMinutes": "ten"}}).to_string(),
        ];
        for b in &bodies {
            let msg = control(s.http, "PUT", "/jobs/j1", b)
                .await
                .assert_error(400, "InvalidRequestException");
            assert!(msg.contains("CreateJob"), "{msg}");
        }
        control(s.http, "GET", "/jobs/j1", "")
            .await
            .assert_error(404, "ResourceNotFoundException");
        assert_eq!(control(s.http, "GET", "/jobs", "").await.json()["jobs"], json!([]));
        s.shutdown().await;
    })
    .await
}

// §1.4 §2.1
#[tokio::test]
async fn unknown_and_unimplemented_operations_are_a_4xx_naming_what_was_asked() {
    within(async {
        let s = server().await;
        let msg = control(s.http, "GET", "/no/such/thing", "")
            .await
            .assert_error(404, "UnknownOperationException");
        assert!(msg.contains("GET /no/such/thing"), "{msg}");
        let msg = control(s.http, "POST", "/tags", r#"{"resourceArn":"x","tags":[]}"#)
            .await
            .assert_error(404, "UnknownOperationException");
        assert!(msg.contains("TagResource"), "{msg}");
        let msg = control(s.http, "PATCH", "/thing-groups/g", "{}")
            .await
            .assert_error(404, "UnknownOperationException");
        assert!(msg.contains("UpdateThingGroup"), "{msg}");
        // A control-plane path on the data plane is not a data-plane operation.
        let msg = data(s.http, "GET", "/jobs", "")
            .await
            .assert_error(404, "UnknownOperationException");
        assert!(msg.contains("iot-jobs-data"), "{msg}");
        let msg = data(s.http, "POST", "/command-executions", "{}")
            .await
            .assert_error(404, "UnknownOperationException");
        assert!(msg.contains("StartCommandExecution"), "{msg}");
        // StartNext is PUT only on $next; PUT on another job id is not an operation.
        data(s.http, "PUT", "/things/T/jobs/j1", "{}")
            .await
            .assert_error(404, "UnknownOperationException");
        s.shutdown().await;
    })
    .await
}

// §9.1 §7.1
#[tokio::test]
async fn an_oversized_document_is_a_400_and_creates_nothing() {
    within(async {
        let s = server().await;
        let arn = thing(&s.service, "T");
        let doc = json!({"blob": "x".repeat(33 * 1024)}).to_string();
        let body = json!({"targets": [arn], "document": doc}).to_string();
        control(s.http, "PUT", "/jobs/big", &body)
            .await
            .assert_error(400, "InvalidRequestException");
        control(s.http, "GET", "/jobs/big", "")
            .await
            .assert_error(404, "ResourceNotFoundException");
        s.shutdown().await;
    })
    .await
}

// §1.4
#[tokio::test]
async fn an_oversized_body_is_refused_with_413_and_changes_nothing() {
    within(async {
        let s = server().await;
        thing(&s.service, "T");
        // Valid JSON, just too big: the limit applies before parsing.
        let pad = "x".repeat(1024 * 1024);
        let body = json!({"attributePayload": {"attributes": {"pad": pad}}}).to_string();
        let msg = control(s.http, "POST", "/things/big", &body)
            .await
            .assert_error(413, "RequestEntityTooLargeException");
        assert!(msg.contains("1048576"), "{msg}");
        // A body declared far beyond the limit is refused before it is sent (Expect: 100-continue).
        let head = format!(
            "POST /things/huge HTTP/1.1\r\nHost: x\r\nAuthorization: AWS4-HMAC-SHA256 Credential=A/20260101/us-east-1/iot/aws4_request, Signature=0\r\nContent-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
            1u64 << 32
        );
        send_raw(s.http, head.as_bytes())
            .await
            .assert_error(413, "RequestEntityTooLargeException");
        // A chunked body has no declared length: the limit applies while reading.
        let mut raw = b"POST /things/chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
        let chunk = format!("{{\"pad\":\"{}\"}}", "y".repeat(1024 * 1024));
        raw.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        raw.extend_from_slice(chunk.as_bytes());
        raw.extend_from_slice(b"\r\n0\r\n\r\n");
        send_raw(s.http, &raw)
            .await
            .assert_error(413, "RequestEntityTooLargeException");
        for name in ["big", "huge", "chunked"] {
            control(s.http, "GET", &format!("/things/{name}"), "")
                .await
                .assert_error(404, "ResourceNotFoundException");
        }
        s.shutdown().await;
    })
    .await
}

// §1.3
#[tokio::test]
async fn a_chunked_body_is_read_like_any_other() {
    within(async {
        let s = server().await;
        let body = br#"{"attributePayload":{"attributes":{"k":"v"}}}"#;
        let mut raw = b"POST /things/chunky HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
        for part in body.chunks(10) {
            raw.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
            raw.extend_from_slice(part);
            raw.extend_from_slice(b"\r\n");
        }
        raw.extend_from_slice(b"0\r\n\r\n");
        let r = send_raw(s.http, &raw).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let d = control(s.http, "GET", "/things/chunky", "").await.json();
        assert_eq!(d["attributes"]["k"], "v");
        s.shutdown().await;
    })
    .await
}

// §1.4
#[tokio::test]
async fn garbage_on_the_wire_never_takes_the_server_down() {
    within(async {
        let s = server().await;
        let garbage: [&[u8]; 5] = [
            b"\x00\x01\x02\r\n\r\n",
            b"GET /jobs HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
            b"PUT /jobs/%ff%fe HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
            b"GET /things/T/jobs?maxResults=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            b"POST /things/T/jobs/j HTTP/1.1\r\nHost: data.jobs.iot.x\r\nContent-Length: 5\r\nConnection: close\r\n\r\n\xff\xfe\xfd\xfc\xfb",
        ];
        for g in garbage {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), send_raw(s.http, g)).await;
        }
        // Invalid UTF-8 in a label is a 400, not a crash.
        let r = control(s.http, "PUT", "/jobs/%ff%fe", "{}").await;
        r.assert_error(400, "InvalidRequestException");
        // And the server still serves.
        let r = control(s.http, "GET", "/jobs", "").await;
        assert_eq!(r.status, 200);
        s.shutdown().await;
    })
    .await
}

// ================================================================ effects before replies

/// Records the topics published and holds every delivery open until released.
struct HeldPublisher {
    topics: tokio::sync::mpsc::UnboundedSender<String>,
    held: std::sync::Mutex<Vec<tokio::sync::oneshot::Sender<()>>>,
}

impl jobrig::serve::service::Publisher for HeldPublisher {
    fn publish(&self, topic: &str, _payload: bytes::Bytes) -> jobrig::serve::service::Receipt {
        let (tx, receipt) = jobrig::serve::service::Receipt::pair();
        if let Ok(mut held) = self.held.lock() {
            held.push(tx);
        }
        let _ = self.topics.send(topic.to_string());
        receipt
    }
}

// §4.5 §11.63
#[tokio::test]
async fn an_http_reply_waits_until_the_notifications_it_caused_are_delivered() {
    within(async {
        let s = server().await;
        let arn = thing(&s.service, "T");
        let (tx, mut topics) = tokio::sync::mpsc::unbounded_channel();
        let publisher = std::sync::Arc::new(HeldPublisher {
            topics: tx,
            held: std::sync::Mutex::new(Vec::new()),
        });
        s.service.set_publisher(publisher.clone());

        let addr = s.http;
        let body = json!({"targets": [arn], "document": "{}"}).to_string();
        let reply = tokio::spawn(async move { control(addr, "PUT", "/jobs/j1", &body).await });
        assert_eq!(
            topics.recv().await.as_deref(),
            Some("$aws/things/T/jobs/notify")
        );
        assert_eq!(
            topics.recv().await.as_deref(),
            Some("$aws/things/T/jobs/notify-next")
        );
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
        assert!(!reply.is_finished(), "the reply came before delivery");
        // Delivered (a dropped sender counts as done).
        publisher.held.lock().expect("lock").clear();
        let r = reply.await.expect("request task");
        assert_eq!(r.status, 200, "{}", r.text());
        s.shutdown().await;
    })
    .await
}
