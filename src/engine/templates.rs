//! Job templates: custom (Create/Describe/List/Delete) and the managed catalogue (spec §2.1, §7.2).

use super::api::*;
use super::error::{EngineError, EngineResult, ErrorKind};
use super::managed;
use super::store::JobTemplate;
use super::time::Timestamp;
use super::validate::{self, Violations};
use super::{Engine, Outcome, paginate};

impl Engine {
    fn template_arn(&self, id: &str) -> String {
        self.arn(&format!("jobtemplate/{id}"))
    }

    /// CreateJobTemplate: from a document or from an existing job (`jobArn`); request members win.
    pub fn create_job_template(
        &mut self,
        now: Timestamp,
        req: CreateJobTemplateRequest,
    ) -> EngineResult<Outcome<CreateJobTemplateResponse>> {
        let mut v = Violations::new();
        validate::job_id(&mut v, "jobTemplateId", &req.job_template_id);
        match &req.description {
            None => v.not_null("description"),
            Some(d) => validate::description(&mut v, "description", d),
        }
        if let Some(tags) = &req.tags {
            validate::tags(&mut v, tags);
        }
        v.into_result()?;
        let from_job = match &req.job_arn {
            Some(arn) => {
                let id = arn.rsplit('/').next().unwrap_or("");
                let ix = self.require_job(id)?;
                Some(self.job(ix).clone())
            }
            None => None,
        };
        let (document, document_source) = match (&req.document, &req.document_source, &from_job) {
            (Some(_), Some(_), _) => {
                return Err(EngineError::invalid(
                    "Job document and job document source cannot be specified at the same time.",
                ));
            }
            (Some(d), None, _) => (Some(d.clone()), None),
            (None, Some(s), _) => (None, Some(s.clone())),
            (None, None, Some(j)) => (Some(j.document.to_string()), j.document_source.clone()),
            (None, None, None) => {
                return Err(EngineError::invalid(
                    "Neither job document nor job document source is specified.",
                ));
            }
        };
        if let Some(d) = &document {
            super::document::validate_document(d)
                .map_err(|e| EngineError::invalid(e.to_string()))?;
        }
        if let Some(p) = &req.presigned_url_config {
            validate::presigned(p)?;
        }
        if let Some(r) = &req.job_executions_rollout_config {
            validate::rollout(r)?;
        }
        if let Some(a) = &req.abort_config {
            validate::abort(a)?;
        }
        if let Some(t) = &req.timeout_config {
            validate::timeout(t)?;
        }
        if let Some(r) = &req.job_executions_retry_config {
            validate::retry(r)?;
        }
        if let Some(w) = &req.maintenance_windows {
            validate::maintenance_windows(w)?;
        }
        if self.templates.contains_key(&req.job_template_id) {
            return Err(EngineError::new(
                ErrorKind::Conflict,
                format!("Job Template {} already exists.", req.job_template_id),
            ));
        }
        let j = from_job.as_ref();
        let arn = self.template_arn(&req.job_template_id);
        let seq = self.next_seq();
        let t = JobTemplate {
            id: req.job_template_id.clone(),
            arn: arn.clone(),
            description: req.description.unwrap_or_default(),
            document,
            document_source,
            // A job stores absent configs as empty ones; only configs the job has are copied, or
            // jobs made from the template would inherit `{}` configs that CreateJob refuses.
            presigned_url_config: req
                .presigned_url_config
                .or_else(|| j.and_then(|j| given(&j.presigned_raw))),
            rollout: req
                .job_executions_rollout_config
                .or_else(|| j.and_then(|j| given(&j.rollout_raw))),
            abort: req
                .abort_config
                .or_else(|| j.and_then(|j| j.abort_raw.clone())),
            timeout: req
                .timeout_config
                .or_else(|| j.and_then(|j| given(&j.timeout_raw))),
            retry: req
                .job_executions_retry_config
                .or_else(|| j.and_then(|j| j.retry_raw.clone())),
            maintenance_windows: req
                .maintenance_windows
                .or_else(|| j.and_then(|j| j.scheduling_raw.maintenance_windows.clone())),
            destination_package_versions: req
                .destination_package_versions
                .or_else(|| j.and_then(|j| j.destination_package_versions.clone())),
            created_at: now,
            seq,
        };
        self.templates.insert(t.id.clone(), t);
        Ok(self.finish(
            now,
            CreateJobTemplateResponse {
                job_template_arn: arn,
                job_template_id: req.job_template_id,
            },
        ))
    }

    fn require_template(&self, id: &str) -> EngineResult<&JobTemplate> {
        self.templates
            .get(id)
            .ok_or_else(|| EngineError::not_found(format!("Job Template {id} cannot be found.")))
    }

    pub fn describe_job_template(&self, id: &str) -> EngineResult<DescribeJobTemplateResponse> {
        let t = self.require_template(id)?;
        Ok(DescribeJobTemplateResponse {
            job_template_arn: t.arn.clone(),
            job_template_id: t.id.clone(),
            description: t.description.clone(),
            document_source: t.document_source.clone(),
            document: t.document.clone(),
            created_at: t.created_at.secs_f64(),
            presigned_url_config: t.presigned_url_config.clone(),
            job_executions_rollout_config: t.rollout.clone(),
            abort_config: t.abort.clone(),
            timeout_config: t.timeout.clone(),
            job_executions_retry_config: t.retry.clone(),
            maintenance_windows: t.maintenance_windows.clone(),
            destination_package_versions: t.destination_package_versions.clone(),
        })
    }

    /// ListJobTemplates: newest first (spec §2.4).
    pub fn list_job_templates(
        &self,
        max_results: Option<i64>,
        next_token: Option<&str>,
    ) -> EngineResult<ListJobTemplatesResponse> {
        let mut all: Vec<&JobTemplate> = self.templates.values().collect();
        all.sort_by_key(|t| std::cmp::Reverse(t.seq));
        let items = all
            .into_iter()
            .map(|t| JobTemplateSummary {
                job_template_arn: t.arn.clone(),
                job_template_id: t.id.clone(),
                description: t.description.clone(),
                created_at: t.created_at.secs_f64(),
            })
            .collect();
        let (job_templates, next_token) = paginate(items, max_results, next_token)?;
        Ok(ListJobTemplatesResponse {
            job_templates,
            next_token,
        })
    }

    /// DeleteJobTemplate: jobs created from it keep their configuration.
    pub fn delete_job_template(&mut self, now: Timestamp, id: &str) -> EngineResult<Outcome<()>> {
        self.require_template(id)?;
        self.templates.remove(id);
        Ok(self.finish(now, ()))
    }

    pub fn describe_managed_job_template(
        &self,
        name: &str,
        version: Option<&str>,
    ) -> EngineResult<DescribeManagedJobTemplateResponse> {
        let t = managed::find(name, version).ok_or_else(|| {
            EngineError::not_found(format!(
                "Managed job template {name}{} cannot be found.",
                version.map(|v| format!(" version {v}")).unwrap_or_default()
            ))
        })?;
        Ok(DescribeManagedJobTemplateResponse {
            template_name: t.name.into(),
            template_arn: t.arn(&self.cfg.region),
            description: t.description.into(),
            template_version: t.version.into(),
            environments: t.environments.iter().map(|e| e.to_string()).collect(),
            document_parameters: t
                .parameters
                .iter()
                .map(|p| DocumentParameterView {
                    key: p.key.into(),
                    description: p.description.into(),
                    regex: p.regex.into(),
                    example: p.example.map(str::to_string),
                    optional: p.optional,
                })
                .collect(),
            document: t.document.into(),
        })
    }

    pub fn list_managed_job_templates(
        &self,
        template_name: Option<&str>,
        max_results: Option<i64>,
        next_token: Option<&str>,
    ) -> EngineResult<ListManagedJobTemplatesResponse> {
        let items = managed::catalogue()
            .iter()
            .filter(|t| template_name.is_none_or(|n| t.name == n))
            .map(|t| ManagedJobTemplateSummary {
                template_arn: t.arn(&self.cfg.region),
                template_name: t.name.into(),
                description: t.description.into(),
                environments: t.environments.iter().map(|e| e.to_string()).collect(),
                template_version: t.version.into(),
            })
            .collect();
        let (managed_job_templates, next_token) = paginate(items, max_results, next_token)?;
        Ok(ListManagedJobTemplatesResponse {
            managed_job_templates,
            next_token,
        })
    }
}

/// A job's stored config, unless it is the empty value that stands for "not configured".
fn given<T: Clone + Default + PartialEq>(config: &T) -> Option<T> {
    (*config != T::default()).then(|| config.clone())
}
