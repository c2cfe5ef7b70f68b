//! Requests and responses of every engine operation, shaped as AWS puts them on the wire
//! (rest-json member names), so that an HTTP adapter only moves path and query members in and
//! serialises the response out.
//!
//! Control-plane times are epoch seconds as JSON numbers (fractional allowed); device-plane times
//! are integer epoch seconds (spec §1.5).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::config::*;

fn is_false(b: &bool) -> bool {
    !*b
}

// ================================================================ jobs

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateJobRequest {
    #[serde(default)]
    pub job_id: String,
    #[serde(default)]
    pub targets: Option<Vec<String>>,
    #[serde(default)]
    pub document_source: Option<String>,
    #[serde(default)]
    pub document: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub presigned_url_config: Option<PresignedUrlConfig>,
    #[serde(default)]
    pub target_selection: Option<String>,
    #[serde(default)]
    pub job_executions_rollout_config: Option<JobExecutionsRolloutConfig>,
    #[serde(default)]
    pub abort_config: Option<AbortConfig>,
    #[serde(default)]
    pub timeout_config: Option<TimeoutConfig>,
    #[serde(default)]
    pub tags: Option<Vec<Tag>>,
    #[serde(default)]
    pub namespace_id: Option<String>,
    #[serde(default)]
    pub job_template_arn: Option<String>,
    #[serde(default)]
    pub job_executions_retry_config: Option<JobExecutionsRetryConfig>,
    #[serde(default)]
    pub document_parameters: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub scheduling_config: Option<SchedulingConfig>,
    #[serde(default)]
    pub destination_package_versions: Option<Vec<String>>,
}

/// CreateJob, CancelJob and AssociateTargetsWithJob all answer with this.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobRef {
    pub job_arn: String,
    pub job_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobProcessDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processing_targets: Option<Vec<String>>,
    pub number_of_canceled_things: u64,
    pub number_of_succeeded_things: u64,
    pub number_of_failed_things: u64,
    pub number_of_rejected_things: u64,
    pub number_of_queued_things: u64,
    pub number_of_in_progress_things: u64,
    pub number_of_removed_things: u64,
    pub number_of_timed_out_things: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduledJobRollout {
    pub start_time: String,
}

/// `DescribeJob.job`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobView {
    pub job_arn: String,
    pub job_id: String,
    pub target_selection: String,
    pub status: String,
    pub force_canceled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub targets: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub presigned_url_config: PresignedUrlConfig,
    pub job_executions_rollout_config: JobExecutionsRolloutConfig,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abort_config: Option<AbortConfig>,
    pub created_at: f64,
    pub last_updated_at: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<f64>,
    pub job_process_details: JobProcessDetails,
    pub timeout_config: TimeoutConfig,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_template_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_executions_retry_config: Option<JobExecutionsRetryConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_parameters: Option<BTreeMap<String, String>>,
    pub is_concurrent: bool,
    pub scheduling_config: SchedulingConfig,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scheduled_job_rollouts: Vec<ScheduledJobRollout>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_package_versions: Option<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeJobResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_source: Option<String>,
    pub job: JobView,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListJobsRequest {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub target_selection: Option<String>,
    #[serde(default)]
    pub max_results: Option<i64>,
    #[serde(default)]
    pub next_token: Option<String>,
    #[serde(default)]
    pub thing_group_name: Option<String>,
    #[serde(default)]
    pub thing_group_id: Option<String>,
    #[serde(default)]
    pub namespace_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobSummary {
    pub job_arn: String,
    pub job_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thing_group_id: Option<String>,
    pub target_selection: String,
    pub status: String,
    pub created_at: f64,
    pub last_updated_at: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<f64>,
    pub is_concurrent: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListJobsResponse {
    pub jobs: Vec<JobSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateJobRequest {
    #[serde(default)]
    pub job_id: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub presigned_url_config: Option<PresignedUrlConfig>,
    #[serde(default)]
    pub job_executions_rollout_config: Option<JobExecutionsRolloutConfig>,
    #[serde(default)]
    pub abort_config: Option<AbortConfig>,
    #[serde(default)]
    pub timeout_config: Option<TimeoutConfig>,
    #[serde(default)]
    pub namespace_id: Option<String>,
    #[serde(default)]
    pub job_executions_retry_config: Option<JobExecutionsRetryConfig>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelJobRequest {
    #[serde(default)]
    pub job_id: String,
    #[serde(default)]
    pub reason_code: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub force: bool,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteJobRequest {
    #[serde(default)]
    pub job_id: String,
    #[serde(default)]
    pub force: bool,
    #[serde(default)]
    pub namespace_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetJobDocumentResponse {
    pub document: String,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssociateTargetsWithJobRequest {
    #[serde(default)]
    pub job_id: String,
    #[serde(default)]
    pub targets: Option<Vec<String>>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub namespace_id: Option<String>,
}

// ================================================================ executions (control plane)

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DetailsMap {
    /// Omitted when empty: AWS shows an execution without details as `"statusDetails": {}`
    /// (spec §2.3, CLI sample).
    #[serde(default, skip_serializing_if = "StatusDetails::is_empty")]
    pub details_map: StatusDetails,
}

/// Control-plane `JobExecution` (statusDetails wrapped in `detailsMap`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobExecutionView {
    pub job_id: String,
    pub status: String,
    pub force_canceled: bool,
    pub status_details: DetailsMap,
    pub thing_arn: String,
    pub queued_at: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<f64>,
    pub last_updated_at: f64,
    pub execution_number: i64,
    pub version_number: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approximate_seconds_before_timed_out: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeJobExecutionResponse {
    pub execution: JobExecutionView,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobExecutionSummary {
    pub status: String,
    pub queued_at: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<f64>,
    pub last_updated_at: f64,
    pub execution_number: i64,
    pub retry_attempt: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobExecutionSummaryForJob {
    pub thing_arn: String,
    pub job_execution_summary: JobExecutionSummary,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobExecutionSummaryForThing {
    pub job_id: String,
    pub job_execution_summary: JobExecutionSummary,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListJobExecutionsForJobRequest {
    #[serde(default)]
    pub job_id: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub max_results: Option<i64>,
    #[serde(default)]
    pub next_token: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListJobExecutionsForJobResponse {
    pub execution_summaries: Vec<JobExecutionSummaryForJob>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListJobExecutionsForThingRequest {
    #[serde(default)]
    pub thing_name: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub namespace_id: Option<String>,
    #[serde(default)]
    pub max_results: Option<i64>,
    #[serde(default)]
    pub next_token: Option<String>,
    #[serde(default)]
    pub job_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListJobExecutionsForThingResponse {
    pub execution_summaries: Vec<JobExecutionSummaryForThing>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelJobExecutionRequest {
    #[serde(default)]
    pub job_id: String,
    #[serde(default)]
    pub thing_name: String,
    #[serde(default)]
    pub force: bool,
    #[serde(default)]
    pub expected_version: Option<i64>,
    #[serde(default)]
    pub status_details: Option<StatusDetails>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteJobExecutionRequest {
    #[serde(default)]
    pub job_id: String,
    #[serde(default)]
    pub thing_name: String,
    #[serde(default)]
    pub execution_number: i64,
    #[serde(default)]
    pub force: bool,
    #[serde(default)]
    pub namespace_id: Option<String>,
}

// ================================================================ templates

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateJobTemplateRequest {
    #[serde(default)]
    pub job_template_id: String,
    #[serde(default)]
    pub job_arn: Option<String>,
    #[serde(default)]
    pub document_source: Option<String>,
    #[serde(default)]
    pub document: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub presigned_url_config: Option<PresignedUrlConfig>,
    #[serde(default)]
    pub job_executions_rollout_config: Option<JobExecutionsRolloutConfig>,
    #[serde(default)]
    pub abort_config: Option<AbortConfig>,
    #[serde(default)]
    pub timeout_config: Option<TimeoutConfig>,
    #[serde(default)]
    pub tags: Option<Vec<Tag>>,
    #[serde(default)]
    pub job_executions_retry_config: Option<JobExecutionsRetryConfig>,
    #[serde(default)]
    pub maintenance_windows: Option<Vec<MaintenanceWindow>>,
    #[serde(default)]
    pub destination_package_versions: Option<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateJobTemplateResponse {
    pub job_template_arn: String,
    pub job_template_id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeJobTemplateResponse {
    pub job_template_arn: String,
    pub job_template_id: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    pub created_at: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presigned_url_config: Option<PresignedUrlConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_executions_rollout_config: Option<JobExecutionsRolloutConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abort_config: Option<AbortConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_config: Option<TimeoutConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_executions_retry_config: Option<JobExecutionsRetryConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maintenance_windows: Option<Vec<MaintenanceWindow>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_package_versions: Option<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobTemplateSummary {
    pub job_template_arn: String,
    pub job_template_id: String,
    pub description: String,
    pub created_at: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListJobTemplatesResponse {
    pub job_templates: Vec<JobTemplateSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentParameterView {
    pub key: String,
    pub description: String,
    pub regex: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example: Option<String>,
    pub optional: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeManagedJobTemplateResponse {
    pub template_name: String,
    pub template_arn: String,
    pub description: String,
    pub template_version: String,
    pub environments: Vec<String>,
    pub document_parameters: Vec<DocumentParameterView>,
    pub document: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedJobTemplateSummary {
    pub template_arn: String,
    pub template_name: String,
    pub description: String,
    pub environments: Vec<String>,
    pub template_version: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListManagedJobTemplatesResponse {
    pub managed_job_templates: Vec<ManagedJobTemplateSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

// ================================================================ registry

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributePayload {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub merge: bool,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateThingRequest {
    #[serde(default)]
    pub thing_name: String,
    #[serde(default)]
    pub thing_type_name: Option<String>,
    #[serde(default)]
    pub attribute_payload: Option<AttributePayload>,
    #[serde(default)]
    pub billing_group_name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateThingResponse {
    pub thing_name: String,
    pub thing_arn: String,
    pub thing_id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeThingResponse {
    pub default_client_id: String,
    pub thing_name: String,
    pub thing_id: String,
    pub thing_arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thing_type_name: Option<String>,
    pub attributes: BTreeMap<String, String>,
    pub version: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_group_name: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateThingRequest {
    #[serde(default)]
    pub thing_name: String,
    #[serde(default)]
    pub thing_type_name: Option<String>,
    #[serde(default)]
    pub attribute_payload: Option<AttributePayload>,
    #[serde(default)]
    pub expected_version: Option<i64>,
    #[serde(default)]
    pub remove_thing_type: bool,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteThingRequest {
    #[serde(default)]
    pub thing_name: String,
    #[serde(default)]
    pub expected_version: Option<i64>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListThingsRequest {
    #[serde(default)]
    pub next_token: Option<String>,
    #[serde(default)]
    pub max_results: Option<i64>,
    #[serde(default)]
    pub attribute_name: Option<String>,
    #[serde(default)]
    pub attribute_value: Option<String>,
    #[serde(default)]
    pub thing_type_name: Option<String>,
    #[serde(default)]
    pub use_prefix_attribute_value: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThingAttribute {
    pub thing_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thing_type_name: Option<String>,
    pub thing_arn: String,
    pub attributes: BTreeMap<String, String>,
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListThingsResponse {
    pub things: Vec<ThingAttribute>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThingGroupProperties {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thing_group_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_payload: Option<AttributePayload>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateThingGroupRequest {
    #[serde(default)]
    pub thing_group_name: String,
    #[serde(default)]
    pub parent_group_name: Option<String>,
    #[serde(default)]
    pub thing_group_properties: Option<ThingGroupProperties>,
    #[serde(default)]
    pub tags: Option<Vec<Tag>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateThingGroupResponse {
    pub thing_group_name: String,
    pub thing_group_arn: String,
    pub thing_group_id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupNameAndArn {
    pub group_name: String,
    pub group_arn: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThingGroupMetadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_group_name: Option<String>,
    pub root_to_parent_thing_groups: Vec<GroupNameAndArn>,
    pub creation_date: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeThingGroupResponse {
    pub thing_group_name: String,
    pub thing_group_id: String,
    pub thing_group_arn: String,
    pub version: i64,
    pub thing_group_properties: ThingGroupProperties,
    pub thing_group_metadata: ThingGroupMetadata,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteThingGroupRequest {
    #[serde(default)]
    pub thing_group_name: String,
    #[serde(default)]
    pub expected_version: Option<i64>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListThingGroupsRequest {
    #[serde(default)]
    pub next_token: Option<String>,
    #[serde(default)]
    pub max_results: Option<i64>,
    #[serde(default)]
    pub parent_group: Option<String>,
    #[serde(default)]
    pub name_prefix_filter: Option<String>,
    #[serde(default)]
    pub recursive: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListThingGroupsResponse {
    pub thing_groups: Vec<GroupNameAndArn>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThingGroupMembershipRequest {
    #[serde(default)]
    pub thing_group_name: Option<String>,
    #[serde(default)]
    pub thing_group_arn: Option<String>,
    #[serde(default)]
    pub thing_name: Option<String>,
    #[serde(default)]
    pub thing_arn: Option<String>,
    #[serde(default)]
    pub override_dynamic_groups: bool,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListThingsInThingGroupRequest {
    #[serde(default)]
    pub thing_group_name: String,
    #[serde(default)]
    pub recursive: bool,
    #[serde(default)]
    pub next_token: Option<String>,
    #[serde(default)]
    pub max_results: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListThingsInThingGroupResponse {
    pub things: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListThingGroupsForThingRequest {
    #[serde(default)]
    pub thing_name: String,
    #[serde(default)]
    pub next_token: Option<String>,
    #[serde(default)]
    pub max_results: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeEndpointResponse {
    pub endpoint_address: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct EventToggle {
    #[serde(rename = "Enabled", default)]
    pub enabled: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateEventConfigurationsRequest {
    #[serde(default)]
    pub event_configurations: Option<BTreeMap<String, EventToggle>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeEventConfigurationsResponse {
    pub event_configurations: BTreeMap<String, EventToggle>,
    pub creation_date: f64,
    pub last_modified_date: f64,
}

// ================================================================ device plane

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StartNextRequest {
    #[serde(default)]
    pub status_details: Option<StatusDetails>,
    #[serde(default)]
    pub step_timeout_in_minutes: Option<i64>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeExecutionRequest {
    #[serde(default)]
    pub execution_number: Option<i64>,
    /// Defaults to true on both device planes.
    #[serde(default)]
    pub include_job_document: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateExecutionRequest {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub status_details: Option<StatusDetails>,
    #[serde(default)]
    pub step_timeout_in_minutes: Option<i64>,
    #[serde(default)]
    pub expected_version: Option<i64>,
    #[serde(default)]
    pub include_job_execution_state: Option<bool>,
    #[serde(default)]
    pub include_job_document: Option<bool>,
    #[serde(default)]
    pub execution_number: Option<i64>,
}

/// An execution as a device sees it; adapters render it for HTTP (document as a string) or MQTT
/// (document as a JSON object). Times are emulator timestamps; both device planes show whole seconds.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceExecution {
    pub job_id: Arc<str>,
    pub thing_name: Arc<str>,
    pub status: super::status::ExecStatus,
    pub status_details: StatusDetails,
    pub queued_at: super::time::Timestamp,
    pub started_at: Option<super::time::Timestamp>,
    pub last_updated_at: super::time::Timestamp,
    pub approximate_seconds_before_timed_out: Option<i64>,
    pub version_number: i64,
    pub execution_number: i64,
    /// Present when asked for; presigned-URL placeholders already expanded.
    pub job_document: Option<Arc<str>>,
}

/// A pending execution as GetPendingJobExecutions and `notify` list it.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingSummary {
    pub job_id: Arc<str>,
    pub queued_at: super::time::Timestamp,
    pub started_at: Option<super::time::Timestamp>,
    pub last_updated_at: super::time::Timestamp,
    pub version_number: i64,
    pub execution_number: i64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct PendingExecutions {
    pub in_progress: Vec<PendingSummary>,
    pub queued: Vec<PendingSummary>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExecutionStateView {
    pub status: super::status::ExecStatus,
    pub status_details: StatusDetails,
    pub version_number: i64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct UpdateExecutionResponse {
    pub execution_state: Option<ExecutionStateView>,
    pub job_document: Option<Arc<str>>,
}
