//! The real AWS Rust SDK (`aws-sdk-iot`, `aws-sdk-iotjobsdataplane`) against `jobrig serve`: every
//! implemented operation and every error class, parsed by the SDK's own deserializers.

mod http_client;

use aws_sdk_iot as iot;
use aws_sdk_iot::error::ProvideErrorMetadata;
use aws_sdk_iotjobsdataplane as jobs;
use http_client::within;
use jobrig::serve::{Running, ServeConfig, start};

async fn server() -> Running {
    let mut cfg = ServeConfig::ephemeral();
    cfg.mqtt = None;
    start(cfg).await.expect("server starts")
}

/// Both clients aimed at the server: static test credentials, us-east-1, no retries (a retried
/// failure would hide what the first answer was).
fn clients(s: &Running) -> (iot::Client, jobs::Client) {
    let url = format!("http://{}", s.http);
    let creds = iot::config::Credentials::new("AKIDTEST", "secret", None, None, "jobrig-tests");
    let control = iot::Config::builder()
        .behavior_version(iot::config::BehaviorVersion::latest())
        .region(iot::config::Region::new("us-east-1"))
        .credentials_provider(creds.clone())
        .endpoint_url(url.clone())
        .retry_config(iot::config::retry::RetryConfig::disabled())
        .build();
    let data = jobs::Config::builder()
        .behavior_version(jobs::config::BehaviorVersion::latest())
        .region(jobs::config::Region::new("us-east-1"))
        .credentials_provider(creds)
        .endpoint_url(url)
        .retry_config(jobs::config::retry::RetryConfig::disabled())
        .build();
    (
        iot::Client::from_conf(control),
        jobs::Client::from_conf(data),
    )
}

async fn make_thing(c: &iot::Client, name: &str) -> String {
    c.create_thing()
        .thing_name(name)
        .send()
        .await
        .expect("CreateThing")
        .thing_arn()
        .expect("thingArn")
        .to_string()
}

async fn make_job(c: &iot::Client, id: &str, arn: &str, doc: &str) {
    c.create_job()
        .job_id(id)
        .targets(arn)
        .document(doc)
        .send()
        .await
        .expect("CreateJob");
}

// §11.12 §11.5 §11.20 §11.22 §11.25 §11.27 §11.32
#[tokio::test]
async fn sdk_drives_every_job_operation() {
    within(async {
        let s = server().await;
        let (c, _) = clients(&s);
        let arn = make_thing(&c, "T").await;

        let created = c
            .create_job()
            .job_id("j1")
            .targets(&arn)
            .document(r#"{"url":"${aws:iot:s3-presigned-url:https://s3.amazonaws.com/b/k}"}"#)
            .description("first")
            .send()
            .await
            .expect("CreateJob");
        assert_eq!(
            created.job_arn(),
            Some("arn:aws:iot:us-east-1:123456789012:job/j1")
        );
        assert_eq!(created.description(), Some("first"));

        let d = c
            .describe_job()
            .job_id("j1")
            .send()
            .await
            .expect("DescribeJob");
        let job = d.job().expect("job");
        assert_eq!(job.status(), Some(&iot::types::JobStatus::InProgress));
        assert_eq!(
            job.target_selection(),
            Some(&iot::types::TargetSelection::Snapshot)
        );
        assert_eq!(
            job.job_process_details()
                .and_then(|p| p.number_of_queued_things()),
            Some(1)
        );
        // Control-plane times parse as epoch seconds (2026), not milliseconds.
        let created_at = job.created_at().expect("createdAt").secs();
        assert_eq!(created_at, 1_767_225_600);

        let doc = c
            .get_job_document()
            .job_id("j1")
            .send()
            .await
            .expect("GetJobDocument");
        assert!(
            doc.document()
                .expect("document")
                .contains("${aws:iot:s3-presigned-url:")
        );

        c.update_job()
            .job_id("j1")
            .description("second")
            .send()
            .await
            .expect("UpdateJob");
        let d = c
            .describe_job()
            .job_id("j1")
            .send()
            .await
            .expect("DescribeJob");
        assert_eq!(d.job().and_then(|j| j.description()), Some("second"));

        let listed = c.list_jobs().send().await.expect("ListJobs");
        assert_eq!(listed.jobs().len(), 1);
        assert_eq!(listed.jobs()[0].job_id(), Some("j1"));

        let canceled = c
            .cancel_job()
            .job_id("j1")
            .reason_code("NO_LONGER_NEEDED")
            .comment("done")
            .send()
            .await
            .expect("CancelJob");
        assert_eq!(canceled.job_id(), Some("j1"));
        let listed = c
            .list_jobs()
            .status(iot::types::JobStatus::Canceled)
            .send()
            .await
            .expect("ListJobs");
        assert_eq!(listed.jobs().len(), 1);

        c.delete_job().job_id("j1").send().await.expect("DeleteJob");
        let gone = c
            .describe_job()
            .job_id("j1")
            .send()
            .await
            .expect_err("deleted");
        assert!(gone.into_service_error().is_resource_not_found_exception());
        s.shutdown().await;
    })
    .await
}

// §11.29 §11.34 §11.35 §11.38
#[tokio::test]
async fn sdk_drives_continuous_jobs_and_every_execution_operation() {
    within(async {
        let s = server().await;
        let (c, _) = clients(&s);
        let arn = make_thing(&c, "T").await;
        make_thing(&c, "U").await;
        let group = c
            .create_thing_group()
            .thing_group_name("g")
            .send()
            .await
            .expect("CreateThingGroup");
        let group_arn = group.thing_group_arn().expect("arn").to_string();
        c.create_job()
            .job_id("cont")
            .targets(&arn)
            .document("{}")
            .target_selection(iot::types::TargetSelection::Continuous)
            .send()
            .await
            .expect("CreateJob");
        let assoc = c
            .associate_targets_with_job()
            .job_id("cont")
            .targets(&group_arn)
            .send()
            .await
            .expect("AssociateTargetsWithJob");
        assert_eq!(assoc.job_id(), Some("cont"));
        c.add_thing_to_thing_group()
            .thing_group_name("g")
            .thing_name("U")
            .send()
            .await
            .expect("AddThingToThingGroup");

        let for_job = c
            .list_job_executions_for_job()
            .job_id("cont")
            .send()
            .await
            .expect("ListJobExecutionsForJob");
        assert_eq!(for_job.execution_summaries().len(), 2);
        let for_thing = c
            .list_job_executions_for_thing()
            .thing_name("U")
            .send()
            .await
            .expect("ListJobExecutionsForThing");
        assert_eq!(for_thing.execution_summaries()[0].job_id(), Some("cont"));

        let ex = c
            .describe_job_execution()
            .job_id("cont")
            .thing_name("T")
            .execution_number(1)
            .send()
            .await
            .expect("DescribeJobExecution");
        let ex = ex.execution().expect("execution");
        assert_eq!(ex.thing_arn(), Some(arn.as_str()));
        assert_eq!(ex.status(), Some(&iot::types::JobExecutionStatus::Queued));
        assert!(ex.queued_at().is_some());

        c.cancel_job_execution()
            .job_id("cont")
            .thing_name("T")
            .expected_version(1)
            .status_details("why", "test")
            .send()
            .await
            .expect("CancelJobExecution");
        let ex = c
            .describe_job_execution()
            .job_id("cont")
            .thing_name("T")
            .send()
            .await
            .expect("DescribeJobExecution");
        let ex = ex.execution().expect("execution");
        assert_eq!(ex.status(), Some(&iot::types::JobExecutionStatus::Canceled));
        assert_eq!(ex.version_number(), 2);
        assert_eq!(
            ex.status_details()
                .and_then(|d| d.details_map())
                .and_then(|m| m.get("why"))
                .map(String::as_str),
            Some("test")
        );

        c.delete_job_execution()
            .job_id("cont")
            .thing_name("T")
            .execution_number(1)
            .send()
            .await
            .expect("DeleteJobExecution");
        let gone = c
            .describe_job_execution()
            .job_id("cont")
            .thing_name("T")
            .execution_number(1)
            .send()
            .await
            .expect_err("deleted");
        assert!(gone.into_service_error().is_resource_not_found_exception());
        s.shutdown().await;
    })
    .await
}

// §2.1 §2.4 §7.2
#[tokio::test]
async fn sdk_drives_templates_and_managed_templates() {
    within(async {
        let s = server().await;
        let (c, _) = clients(&s);
        let arn = make_thing(&c, "T").await;
        let t = c
            .create_job_template()
            .job_template_id("tpl")
            .description("a template")
            .document(r#"{"x":1}"#)
            .send()
            .await
            .expect("CreateJobTemplate");
        let tarn = t.job_template_arn().expect("arn").to_string();
        let d = c
            .describe_job_template()
            .job_template_id("tpl")
            .send()
            .await
            .expect("DescribeJobTemplate");
        assert_eq!(d.document(), Some(r#"{"x":1}"#));
        assert!(d.created_at().is_some());
        let l = c
            .list_job_templates()
            .send()
            .await
            .expect("ListJobTemplates");
        assert_eq!(l.job_templates().len(), 1);
        c.create_job()
            .job_id("from-tpl")
            .targets(&arn)
            .job_template_arn(&tarn)
            .send()
            .await
            .expect("CreateJob from template");
        c.delete_job_template()
            .job_template_id("tpl")
            .send()
            .await
            .expect("DeleteJobTemplate");

        let m = c
            .list_managed_job_templates()
            .send()
            .await
            .expect("ListManagedJobTemplates");
        let name = m.managed_job_templates()[0]
            .template_name()
            .expect("name")
            .to_string();
        let one = c
            .describe_managed_job_template()
            .template_name(&name)
            .send()
            .await
            .expect("DescribeManagedJobTemplate");
        assert_eq!(one.template_name(), Some(name.as_str()));
        s.shutdown().await;
    })
    .await
}

// §2.2 §2.5 §11.1
#[tokio::test]
async fn sdk_drives_the_registry_and_account_operations() {
    within(async {
        let s = server().await;
        let (c, _) = clients(&s);
        make_thing(&c, "T").await;
        c.update_thing()
            .thing_name("T")
            .attribute_payload(
                iot::types::AttributePayload::builder()
                    .attributes("color", "red")
                    .build(),
            )
            .send()
            .await
            .expect("UpdateThing");
        let d = c
            .describe_thing()
            .thing_name("T")
            .send()
            .await
            .expect("DescribeThing");
        assert_eq!(
            d.attributes()
                .and_then(|a| a.get("color"))
                .map(String::as_str),
            Some("red")
        );
        let l = c.list_things().send().await.expect("ListThings");
        assert_eq!(l.things().len(), 1);

        c.create_thing_group()
            .thing_group_name("parent")
            .send()
            .await
            .expect("CreateThingGroup");
        c.create_thing_group()
            .thing_group_name("child")
            .parent_group_name("parent")
            .send()
            .await
            .expect("CreateThingGroup");
        let g = c
            .describe_thing_group()
            .thing_group_name("child")
            .send()
            .await
            .expect("DescribeThingGroup");
        assert_eq!(
            g.thing_group_metadata().and_then(|m| m.parent_group_name()),
            Some("parent")
        );
        let groups = c.list_thing_groups().send().await.expect("ListThingGroups");
        assert_eq!(groups.thing_groups().len(), 2);
        c.add_thing_to_thing_group()
            .thing_group_name("child")
            .thing_name("T")
            .send()
            .await
            .expect("AddThingToThingGroup");
        let members = c
            .list_things_in_thing_group()
            .thing_group_name("parent")
            .recursive(true)
            .send()
            .await
            .expect("ListThingsInThingGroup");
        assert_eq!(members.things(), ["T".to_string()]);
        let of_thing = c
            .list_thing_groups_for_thing()
            .thing_name("T")
            .send()
            .await
            .expect("ListThingGroupsForThing");
        assert_eq!(of_thing.thing_groups()[0].group_name(), Some("child"));
        c.remove_thing_from_thing_group()
            .thing_group_name("child")
            .thing_name("T")
            .send()
            .await
            .expect("RemoveThingFromThingGroup");
        c.delete_thing_group()
            .thing_group_name("child")
            .send()
            .await
            .expect("DeleteThingGroup");
        c.delete_thing()
            .thing_name("T")
            .send()
            .await
            .expect("DeleteThing");

        let ep = c
            .describe_endpoint()
            .endpoint_type("iot:Jobs")
            .send()
            .await
            .expect("DescribeEndpoint");
        assert_eq!(
            ep.endpoint_address(),
            Some("jobrig.jobs.iot.us-east-1.amazonaws.com")
        );

        c.update_event_configurations()
            .event_configurations(
                iot::types::EventType::Job,
                iot::types::Configuration::builder().enabled(true).build(),
            )
            .send()
            .await
            .expect("UpdateEventConfigurations");
        let ev = c
            .describe_event_configurations()
            .send()
            .await
            .expect("DescribeEventConfigurations");
        let job = ev
            .event_configurations()
            .and_then(|m| m.get(&iot::types::EventType::Job))
            .expect("JOB");
        assert!(job.enabled());
        assert!(ev.creation_date().is_some());
        s.shutdown().await;
    })
    .await
}

// §11.6 §11.3 §11.4 §11.40 §11.42 §11.45
#[tokio::test]
async fn sdk_device_completes_a_job_over_the_data_plane() {
    within(async {
        let s = server().await;
        let (c, d) = clients(&s);
        let arn = make_thing(&c, "T").await;

        // Nothing pending: no execution member.
        let none = d
            .start_next_pending_job_execution()
            .thing_name("T")
            .send()
            .await
            .expect("StartNextPendingJobExecution");
        assert!(none.execution().is_none());

        make_job(&c, "j1", &arn, r#"{"op":"update"}"#).await;
        s.service.advance_ms(1_500).await.expect("advance");

        let pending = d
            .get_pending_job_executions()
            .thing_name("T")
            .send()
            .await
            .expect("GetPendingJobExecutions");
        assert_eq!(pending.queued_jobs().len(), 1);
        assert!(pending.in_progress_jobs().is_empty());
        assert_eq!(pending.queued_jobs()[0].queued_at(), 1_767_225_600);

        // The SDK percent-encodes `$next` in the label.
        let peek = d
            .describe_job_execution()
            .thing_name("T")
            .job_id("$next")
            .send()
            .await
            .expect("DescribeJobExecution $next");
        let ex = peek.execution().expect("execution");
        assert_eq!(ex.job_id(), Some("j1"));
        assert_eq!(ex.status(), Some(&jobs::types::JobExecutionStatus::Queued));
        assert_eq!(ex.job_document(), Some(r#"{"op":"update"}"#));

        let started = d
            .start_next_pending_job_execution()
            .thing_name("T")
            .status_details("step", "download")
            .step_timeout_in_minutes(5)
            .send()
            .await
            .expect("StartNextPendingJobExecution");
        let ex = started.execution().expect("execution");
        assert_eq!(
            ex.status(),
            Some(&jobs::types::JobExecutionStatus::InProgress)
        );
        assert_eq!(ex.version_number(), 2);
        assert_eq!(ex.started_at(), Some(1_767_225_601));

        let done = d
            .update_job_execution()
            .thing_name("T")
            .job_id("j1")
            .status(jobs::types::JobExecutionStatus::Succeeded)
            .expected_version(2)
            .include_job_execution_state(true)
            .include_job_document(true)
            .send()
            .await
            .expect("UpdateJobExecution");
        let state = done.execution_state().expect("executionState");
        assert_eq!(
            state.status(),
            Some(&jobs::types::JobExecutionStatus::Succeeded)
        );
        assert_eq!(state.version_number(), 3);
        assert_eq!(done.job_document(), Some(r#"{"op":"update"}"#));

        let after = d
            .describe_job_execution()
            .thing_name("T")
            .job_id("j1")
            .include_job_document(false)
            .send()
            .await
            .expect("DescribeJobExecution");
        let ex = after.execution().expect("execution");
        assert_eq!(
            ex.status(),
            Some(&jobs::types::JobExecutionStatus::Succeeded)
        );
        assert!(ex.job_document().is_none());
        let job = c
            .describe_job()
            .job_id("j1")
            .send()
            .await
            .expect("DescribeJob");
        assert_eq!(
            job.job().and_then(|j| j.status()),
            Some(&iot::types::JobStatus::Completed)
        );
        s.shutdown().await;
    })
    .await
}

// §11.7 §11.13 §11.21 §11.37 §1.4
#[tokio::test]
async fn sdk_sees_every_control_plane_error_class_typed() {
    within(async {
        let s = server().await;
        let (c, _) = clients(&s);
        let arn = make_thing(&c, "T").await;
        make_job(&c, "j1", &arn, "{}").await;

        let e = c
            .create_job()
            .job_id("bad.id")
            .targets(&arn)
            .document("{}")
            .send()
            .await
            .expect_err("bad id");
        let e = e.into_service_error();
        assert!(e.is_invalid_request_exception(), "{e:?}");
        assert!(e.message().is_some_and(|m| m.contains("jobId")), "{e:?}");

        let e = c
            .describe_job()
            .job_id("nope")
            .send()
            .await
            .expect_err("unknown");
        assert!(matches!(
            e.into_service_error(),
            iot::operation::describe_job::DescribeJobError::ResourceNotFoundException(_)
        ));

        let e = c
            .create_job()
            .job_id("j1")
            .targets(&arn)
            .document("{}")
            .send()
            .await
            .expect_err("duplicate");
        assert!(matches!(
            e.into_service_error(),
            iot::operation::create_job::CreateJobError::ResourceAlreadyExistsException(_)
        ));

        c.create_job_template()
            .job_template_id("t")
            .description("d")
            .document("{}")
            .send()
            .await
            .expect("CreateJobTemplate");
        let e = c
            .create_job_template()
            .job_template_id("t")
            .description("d")
            .document("{}")
            .send()
            .await
            .expect_err("duplicate template");
        assert!(e.into_service_error().is_conflict_exception());

        let e = c
            .cancel_job_execution()
            .job_id("j1")
            .thing_name("T")
            .expected_version(5)
            .send()
            .await
            .expect_err("stale version");
        assert!(e.into_service_error().is_version_conflict_exception());

        let e = c
            .delete_job()
            .job_id("j1")
            .send()
            .await
            .expect_err("in progress");
        assert!(
            e.into_service_error()
                .is_invalid_state_transition_exception()
        );

        let mut too_many = c.create_job().job_id("big").document("{}");
        for i in 0..101 {
            too_many = too_many.targets(format!("arn:aws:iot:us-east-1:123456789012:thing/t{i}"));
        }
        let e = too_many.send().await.expect_err("too many targets");
        assert!(matches!(
            e.into_service_error(),
            iot::operation::create_job::CreateJobError::LimitExceededException(_)
        ));

        let e = c
            .list_jobs()
            .max_results(251)
            .send()
            .await
            .expect_err("maxResults");
        assert!(e.into_service_error().is_invalid_request_exception());

        // An operation jobrig does not implement: a generic error with a clear code.
        let e = c
            .tag_resource()
            .resource_arn("arn:aws:iot:us-east-1:123456789012:job/j1")
            .tags(
                iot::types::Tag::builder()
                    .key("k")
                    .value("v")
                    .build()
                    .expect("tag"),
            )
            .send()
            .await
            .expect_err("not implemented");
        let e = e.into_service_error();
        assert_eq!(e.code(), Some("UnknownOperationException"));
        assert!(
            e.message().is_some_and(|m| m.contains("TagResource")),
            "{e:?}"
        );
        s.shutdown().await;
    })
    .await
}

// §11.8 §11.46 §11.47 §11.50 §11.52
#[tokio::test]
async fn sdk_sees_every_data_plane_error_class_typed() {
    within(async {
        let s = server().await;
        let (c, d) = clients(&s);
        let arn = make_thing(&c, "T").await;
        make_job(&c, "j1", &arn, "{}").await;

        let e = d
            .describe_job_execution()
            .thing_name("T")
            .job_id("nope")
            .send()
            .await
            .expect_err("unknown");
        assert!(e.into_service_error().is_resource_not_found_exception());

        let e = d
            .update_job_execution()
            .thing_name("T")
            .job_id("j1")
            .status(jobs::types::JobExecutionStatus::InProgress)
            .step_timeout_in_minutes(0)
            .send()
            .await
            .expect_err("step timeout 0");
        assert!(e.into_service_error().is_invalid_request_exception());

        let e = d
            .update_job_execution()
            .thing_name("T")
            .job_id("j1")
            .status(jobs::types::JobExecutionStatus::Canceled)
            .send()
            .await
            .expect_err("service-only status");
        assert!(matches!(
            e.into_service_error(),
            jobs::operation::update_job_execution::UpdateJobExecutionError::InvalidStateTransitionException(_)
        ));

        let e = d
            .update_job_execution()
            .thing_name("T")
            .job_id("j1")
            .status(jobs::types::JobExecutionStatus::InProgress)
            .expected_version(9)
            .send()
            .await
            .expect_err("stale version");
        assert!(e.into_service_error().is_invalid_state_transition_exception());

        d.update_job_execution()
            .thing_name("T")
            .job_id("j1")
            .status(jobs::types::JobExecutionStatus::Succeeded)
            .send()
            .await
            .expect("SUCCEEDED");
        let e = d
            .update_job_execution()
            .thing_name("T")
            .job_id("j1")
            .status(jobs::types::JobExecutionStatus::InProgress)
            .send()
            .await
            .expect_err("terminal");
        assert!(e.into_service_error().is_invalid_state_transition_exception());

        let e = d
            .start_next_pending_job_execution()
            .thing_name("bad thing")
            .send()
            .await
            .expect_err("invalid thing name");
        assert!(e.into_service_error().is_invalid_request_exception());
        s.shutdown().await;
    })
    .await
}

// §11.11 §1.6
#[tokio::test]
async fn sdk_paginator_visits_every_job_exactly_once() {
    within(async {
        let s = server().await;
        let (c, _) = clients(&s);
        let arn = make_thing(&c, "T").await;
        for i in 0..5 {
            make_job(&c, &format!("j{i}"), &arn, "{}").await;
        }
        let jobs: Result<Vec<_>, _> = c
            .list_jobs()
            .max_results(1)
            .into_paginator()
            .items()
            .send()
            .collect()
            .await;
        let mut ids: Vec<String> = jobs
            .expect("ListJobs pages")
            .iter()
            .filter_map(|j| j.job_id().map(str::to_string))
            .collect();
        ids.sort();
        assert_eq!(ids, ["j0", "j1", "j2", "j3", "j4"]);
        s.shutdown().await;
    })
    .await
}
