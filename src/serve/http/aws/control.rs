//! The control plane (`iot`, rest-json): method + path of every engine operation (spec §2.1,
//! §2.2). Path labels and query members are never read from the body (spec §1.3): they overwrite
//! whatever a body carried under the same name.

use axum::response::Response;

use super::wire::{WireError, int_label, ok_empty, ok_json, parse_body};
use super::{AwsRequest, call, read};
use crate::engine::*;
use crate::serve::service::Service;

pub(super) async fn handle(svc: &Service, req: &AwsRequest) -> Result<Response, WireError> {
    let q = &req.query;
    let segs = req.segments();
    match (req.method.as_str(), segs.as_slice()) {
        // ------------------------------------------------------------ jobs
        ("PUT", ["jobs", id]) => {
            let mut r: CreateJobRequest = parse_body("CreateJob", &req.body)?;
            r.job_id = id.to_string();
            Ok(ok_json(&call(svc, |e, now| e.create_job(now, r)).await?))
        }
        ("GET", ["jobs", id]) => {
            // DescribeJob shows no document, so beforeSubstitution only needs to be well formed.
            q.bool("beforeSubstitution")?;
            Ok(ok_json(&read(svc, |e, now| e.describe_job(now, id))?))
        }
        ("GET", ["jobs"]) => {
            let r = ListJobsRequest {
                status: q.string("status"),
                target_selection: q.string("targetSelection"),
                max_results: q.int("maxResults")?,
                next_token: q.string("nextToken"),
                thing_group_name: q.string("thingGroupName"),
                thing_group_id: q.string("thingGroupId"),
                namespace_id: q.string("namespaceId"),
            };
            Ok(ok_json(&read(svc, |e, _| e.list_jobs(&r))?))
        }
        ("PATCH", ["jobs", id]) => {
            let mut r: UpdateJobRequest = parse_body("UpdateJob", &req.body)?;
            r.job_id = id.to_string();
            r.namespace_id = q.string("namespaceId");
            call(svc, |e, now| e.update_job(now, r)).await?;
            Ok(ok_empty())
        }
        ("PUT", ["jobs", id, "cancel"]) => {
            let mut r: CancelJobRequest = parse_body("CancelJob", &req.body)?;
            r.job_id = id.to_string();
            r.force = q.bool("force")?.unwrap_or(false);
            Ok(ok_json(&call(svc, |e, now| e.cancel_job(now, r)).await?))
        }
        ("DELETE", ["jobs", id]) => {
            let r = DeleteJobRequest {
                job_id: id.to_string(),
                force: q.bool("force")?.unwrap_or(false),
                namespace_id: q.string("namespaceId"),
            };
            call(svc, |e, now| e.delete_job(now, r)).await?;
            Ok(ok_empty())
        }
        ("GET", ["jobs", id, "job-document"]) => {
            let before = q.bool("beforeSubstitution")?.unwrap_or(false);
            Ok(ok_json(&read(svc, |e, _| e.get_job_document(id, before))?))
        }
        ("POST", ["jobs", id, "targets"]) => {
            let mut r: AssociateTargetsWithJobRequest =
                parse_body("AssociateTargetsWithJob", &req.body)?;
            r.job_id = id.to_string();
            r.namespace_id = q.string("namespaceId");
            Ok(ok_json(
                &call(svc, |e, now| e.associate_targets_with_job(now, r)).await?,
            ))
        }

        // ------------------------------------------------------------ executions
        ("GET", ["things", thing, "jobs", id]) => {
            let n = q.int("executionNumber")?;
            Ok(ok_json(&read(svc, |e, now| {
                e.describe_job_execution(now, thing, id, n)
            })?))
        }
        ("GET", ["jobs", id, "things"]) => {
            let r = ListJobExecutionsForJobRequest {
                job_id: id.to_string(),
                status: q.string("status"),
                max_results: q.int("maxResults")?,
                next_token: q.string("nextToken"),
            };
            Ok(ok_json(&read(svc, |e, _| {
                e.list_job_executions_for_job(&r)
            })?))
        }
        ("GET", ["things", thing, "jobs"]) => {
            let r = ListJobExecutionsForThingRequest {
                thing_name: thing.to_string(),
                status: q.string("status"),
                namespace_id: q.string("namespaceId"),
                max_results: q.int("maxResults")?,
                next_token: q.string("nextToken"),
                job_id: q.string("jobId"),
            };
            Ok(ok_json(&read(svc, |e, _| {
                e.list_job_executions_for_thing(&r)
            })?))
        }
        ("PUT", ["things", thing, "jobs", id, "cancel"]) => {
            let mut r: CancelJobExecutionRequest = parse_body("CancelJobExecution", &req.body)?;
            r.job_id = id.to_string();
            r.thing_name = thing.to_string();
            r.force = q.bool("force")?.unwrap_or(false);
            call(svc, |e, now| e.cancel_job_execution(now, r)).await?;
            Ok(ok_empty())
        }
        ("DELETE", ["things", thing, "jobs", id, "executionNumber", n]) => {
            let r = DeleteJobExecutionRequest {
                job_id: id.to_string(),
                thing_name: thing.to_string(),
                execution_number: int_label("executionNumber", n)?,
                force: q.bool("force")?.unwrap_or(false),
                namespace_id: q.string("namespaceId"),
            };
            call(svc, |e, now| e.delete_job_execution(now, r)).await?;
            Ok(ok_empty())
        }

        // ------------------------------------------------------------ templates
        ("PUT", ["job-templates", id]) => {
            let mut r: CreateJobTemplateRequest = parse_body("CreateJobTemplate", &req.body)?;
            r.job_template_id = id.to_string();
            Ok(ok_json(
                &call(svc, |e, now| e.create_job_template(now, r)).await?,
            ))
        }
        ("GET", ["job-templates", id]) => {
            Ok(ok_json(&read(svc, |e, _| e.describe_job_template(id))?))
        }
        ("GET", ["job-templates"]) => {
            let max = q.int("maxResults")?;
            let token = q.string("nextToken");
            Ok(ok_json(&read(svc, |e, _| {
                e.list_job_templates(max, token.as_deref())
            })?))
        }
        ("DELETE", ["job-templates", id]) => {
            call(svc, |e, now| e.delete_job_template(now, id)).await?;
            Ok(ok_empty())
        }
        ("GET", ["managed-job-templates", name]) => {
            let version = q.string("templateVersion");
            Ok(ok_json(&read(svc, |e, _| {
                e.describe_managed_job_template(name, version.as_deref())
            })?))
        }
        ("GET", ["managed-job-templates"]) => {
            let name = q.string("templateName");
            let max = q.int("maxResults")?;
            let token = q.string("nextToken");
            Ok(ok_json(&read(svc, |e, _| {
                e.list_managed_job_templates(name.as_deref(), max, token.as_deref())
            })?))
        }

        // ------------------------------------------------------------ things
        ("POST", ["things", name]) => {
            let mut r: CreateThingRequest = parse_body("CreateThing", &req.body)?;
            r.thing_name = name.to_string();
            Ok(ok_json(&call(svc, |e, now| e.create_thing(now, r)).await?))
        }
        ("GET", ["things", name]) => Ok(ok_json(&read(svc, |e, _| e.describe_thing(name))?)),
        ("PATCH", ["things", name]) => {
            let mut r: UpdateThingRequest = parse_body("UpdateThing", &req.body)?;
            r.thing_name = name.to_string();
            call(svc, |e, now| e.update_thing(now, r)).await?;
            Ok(ok_empty())
        }
        ("DELETE", ["things", name]) => {
            let r = DeleteThingRequest {
                thing_name: name.to_string(),
                expected_version: q.int("expectedVersion")?,
            };
            call(svc, |e, now| e.delete_thing(now, r)).await?;
            Ok(ok_empty())
        }
        ("GET", ["things"]) => {
            let r = ListThingsRequest {
                next_token: q.string("nextToken"),
                max_results: q.int("maxResults")?,
                attribute_name: q.string("attributeName"),
                attribute_value: q.string("attributeValue"),
                thing_type_name: q.string("thingTypeName"),
                use_prefix_attribute_value: q.bool("usePrefixAttributeValue")?.unwrap_or(false),
            };
            Ok(ok_json(&read(svc, |e, _| e.list_things(&r))?))
        }

        // ------------------------------------------------------------ thing groups
        ("PUT", ["thing-groups", "addThingToThingGroup"]) => {
            let r: ThingGroupMembershipRequest = parse_body("AddThingToThingGroup", &req.body)?;
            call(svc, |e, now| e.add_thing_to_thing_group(now, r)).await?;
            Ok(ok_empty())
        }
        ("PUT", ["thing-groups", "removeThingFromThingGroup"]) => {
            let r: ThingGroupMembershipRequest =
                parse_body("RemoveThingFromThingGroup", &req.body)?;
            call(svc, |e, now| e.remove_thing_from_thing_group(now, r)).await?;
            Ok(ok_empty())
        }
        ("POST", ["thing-groups", name]) => {
            let mut r: CreateThingGroupRequest = parse_body("CreateThingGroup", &req.body)?;
            r.thing_group_name = name.to_string();
            Ok(ok_json(
                &call(svc, |e, now| e.create_thing_group(now, r)).await?,
            ))
        }
        ("GET", ["thing-groups", name]) => {
            Ok(ok_json(&read(svc, |e, _| e.describe_thing_group(name))?))
        }
        ("DELETE", ["thing-groups", name]) => {
            let r = DeleteThingGroupRequest {
                thing_group_name: name.to_string(),
                expected_version: q.int("expectedVersion")?,
            };
            call(svc, |e, now| e.delete_thing_group(now, r)).await?;
            Ok(ok_empty())
        }
        ("GET", ["thing-groups"]) => {
            let r = ListThingGroupsRequest {
                next_token: q.string("nextToken"),
                max_results: q.int("maxResults")?,
                parent_group: q.string("parentGroup"),
                name_prefix_filter: q.string("namePrefixFilter"),
                recursive: q.bool("recursive")?,
            };
            Ok(ok_json(&read(svc, |e, _| e.list_thing_groups(&r))?))
        }
        ("GET", ["thing-groups", name, "things"]) => {
            let r = ListThingsInThingGroupRequest {
                thing_group_name: name.to_string(),
                recursive: q.bool("recursive")?.unwrap_or(false),
                next_token: q.string("nextToken"),
                max_results: q.int("maxResults")?,
            };
            Ok(ok_json(&read(svc, |e, _| {
                e.list_things_in_thing_group(&r)
            })?))
        }
        ("GET", ["things", name, "thing-groups"]) => {
            let r = ListThingGroupsForThingRequest {
                thing_name: name.to_string(),
                next_token: q.string("nextToken"),
                max_results: q.int("maxResults")?,
            };
            Ok(ok_json(&read(svc, |e, _| {
                e.list_thing_groups_for_thing(&r)
            })?))
        }

        // ------------------------------------------------------------ account
        ("GET", ["endpoint"]) => {
            let t = q.string("endpointType");
            Ok(ok_json(&read(svc, |e, _| {
                e.describe_endpoint(t.as_deref())
            })?))
        }
        ("GET", ["event-configurations"]) => {
            Ok(ok_json(&svc.read(|e, _| e.describe_event_configurations())))
        }
        ("PATCH", ["event-configurations"]) => {
            let r: UpdateEventConfigurationsRequest =
                parse_body("UpdateEventConfigurations", &req.body)?;
            call(svc, |e, now| e.update_event_configurations(now, r)).await?;
            Ok(ok_empty())
        }

        (method, path) => Err(req.unsupported(Plane::Control, unimplemented_name(method, path))),
    }
}

/// AWS IoT operations of spec §2.2 that jobrig knows by name but does not implement, so the
/// not-implemented answer can say which operation the client meant.
fn unimplemented_name(method: &str, path: &[&str]) -> Option<&'static str> {
    Some(match (method, path) {
        ("PATCH", ["thing-groups", _]) => "UpdateThingGroup",
        ("PUT", ["thing-groups", "updateThingGroupsForThing"]) => "UpdateThingGroupsForThing",
        ("POST", ["dynamic-thing-groups", _]) => "CreateDynamicThingGroup",
        ("PATCH", ["dynamic-thing-groups", _]) => "UpdateDynamicThingGroup",
        ("DELETE", ["dynamic-thing-groups", _]) => "DeleteDynamicThingGroup",
        ("POST", ["tags"]) => "TagResource",
        ("POST", ["untag"]) => "UntagResource",
        ("GET", ["tags"]) => "ListTagsForResource",
        _ => return None,
    })
}
