//! Device notifications (spec §4.5): `notify` when the set of pending executions a device sees
//! changes, `notify-next` when the execution `$next` would return changes identity.
//!
//! An operation *touches* a (thing, namespace) before changing anything there; that records what
//! the device saw. When the operation ends, each touched pair is compared with what the device
//! sees now. Status changes that keep the set and the head (QUEUED → IN_PROGRESS of the head)
//! therefore emit nothing, exactly as in AWS's worked example.

use std::sync::Arc;

use super::api::{DeviceExecution, PendingExecutions, PendingSummary};
use super::effects::Effect;
use super::status::{ExecStatus, JobStatus};
use super::store::{ExecIx, JobIx, ThingIx};
use super::time::Timestamp;
use super::{Engine, Touched};

/// Pending executions listed to a device: 10, or 15 when scheduling is in play (spec §9.1).
const PENDING_LIMIT: usize = 10;
const PENDING_LIMIT_SCHEDULED: usize = 15;

impl Engine {
    /// Records what `thing` sees in `namespace` before an operation changes it.
    pub(super) fn touch(&mut self, thing: ThingIx, namespace: Option<Arc<str>>) {
        if self
            .touched
            .iter()
            .any(|t| t.thing == thing && t.namespace == namespace)
        {
            return;
        }
        let before = self.identities(thing, namespace.as_deref());
        self.touched.push(Touched {
            thing,
            namespace,
            before,
        });
    }

    pub(super) fn touch_exec(&mut self, ex: ExecIx) {
        let (thing, job) = {
            let e = self.exec(ex);
            (e.thing, e.job)
        };
        let ns = self.job(job).namespace.clone();
        self.touch(thing, ns);
    }

    /// Touches every thing that has a pending execution of `job` (its visibility is changing).
    pub(super) fn touch_job_things(&mut self, job: JobIx) {
        let ns = self.job(job).namespace.clone();
        let things: Vec<ThingIx> = self.job(job).executions.keys().copied().collect();
        let mut things = things;
        things.sort_unstable();
        for t in things {
            if self.things[t as usize]
                .pending
                .iter()
                .any(|&e| self.exec(e).job == job)
            {
                self.touch(t, ns.clone());
            }
        }
    }

    /// The pending executions `thing` sees in `namespace`, in `$next` order, capped as listed.
    pub(super) fn visible_pending(&self, thing: ThingIx, namespace: Option<&str>) -> Vec<ExecIx> {
        let mut list = self.all_pending(thing, namespace);
        let limit = if list
            .iter()
            .any(|&e| self.job(self.exec(e).job).scheduling_raw != Default::default())
        {
            PENDING_LIMIT_SCHEDULED
        } else {
            PENDING_LIMIT
        };
        list.truncate(limit);
        list
    }

    /// Every pending execution `thing` sees in `namespace`, in `$next` order, uncapped.
    fn all_pending(&self, thing: ThingIx, namespace: Option<&str>) -> Vec<ExecIx> {
        let Some(t) = self.things.get(thing as usize) else {
            return Vec::new();
        };
        let mut list: Vec<ExecIx> = t
            .pending
            .iter()
            .copied()
            .filter(|&e| {
                let x = self.exec(e);
                let job = self.job(x.job);
                // Executions of a SCHEDULED job are filtered out (spec §6.5). Choice: only QUEUED
                // ones; a device already working on an execution keeps seeing it when a
                // maintenance window closes, or it could not resume after a reconnect.
                job.namespace.as_deref() == namespace
                    && (job.status != JobStatus::Scheduled || x.status == ExecStatus::InProgress)
            })
            .collect();
        list.sort_by_key(|&e| {
            let x = self.exec(e);
            (x.status != ExecStatus::InProgress, x.queued_at, x.seq)
        });
        list
    }

    /// The whole pending set, not just the listed part: queuing an 11th execution is a change
    /// of the set (spec §4.5, "published when a new execution is queued") even though the
    /// notification still lists only the first ten.
    fn identities(&self, thing: ThingIx, namespace: Option<&str>) -> Vec<(JobIx, i64)> {
        self.all_pending(thing, namespace)
            .into_iter()
            .map(|e| {
                let x = self.exec(e);
                (x.job, x.number)
            })
            .collect()
    }

    /// GetPendingJobExecutions as both device planes answer it.
    pub(super) fn pending_view(
        &self,
        thing: ThingIx,
        namespace: Option<&str>,
    ) -> PendingExecutions {
        let mut out = PendingExecutions::default();
        for e in self.visible_pending(thing, namespace) {
            let x = self.exec(e);
            let summary = PendingSummary {
                job_id: self.job(x.job).id.clone(),
                queued_at: x.queued_at,
                started_at: x.started_at,
                last_updated_at: x.last_updated_at,
                version_number: x.version,
                execution_number: x.number,
            };
            if x.status == ExecStatus::InProgress {
                out.in_progress.push(summary);
            } else {
                out.queued.push(summary);
            }
        }
        out
    }

    /// An execution as a device reads it; reading the document expands presigned URLs.
    pub(super) fn device_view(
        &self,
        ex: ExecIx,
        now: Timestamp,
        with_document: bool,
    ) -> DeviceExecution {
        let x = self.exec(ex);
        let job = self.job(x.job);
        let job_document = with_document.then(|| {
            match super::document::expand_presigned_urls(
                &job.document,
                &self.cfg.presigned_url_base,
                job.presigned.expires_in_sec,
                now.secs(),
            ) {
                std::borrow::Cow::Borrowed(_) => job.document.clone(),
                std::borrow::Cow::Owned(s) => Arc::from(s),
            }
        });
        DeviceExecution {
            job_id: job.id.clone(),
            thing_name: self.things[x.thing as usize].name.clone(),
            status: x.status,
            status_details: x.status_details.clone(),
            queued_at: x.queued_at,
            started_at: x.started_at,
            last_updated_at: x.last_updated_at,
            approximate_seconds_before_timed_out: self.seconds_before_timeout(ex, now),
            version_number: x.version,
            execution_number: x.number,
            job_document,
        }
    }

    /// `approximateSecondsBeforeTimedOut`: present only while a timer runs (spec §6.4).
    pub(super) fn seconds_before_timeout(&self, ex: ExecIx, now: Timestamp) -> Option<i64> {
        let x = self.exec(ex);
        if x.status != ExecStatus::InProgress {
            return None;
        }
        x.deadline()
            .map(|d| (d.millis() - now.millis()).max(0) / Timestamp::MILLIS_PER_SECOND)
    }

    /// Emits notify / notify-next for every touched (thing, namespace) whose view changed.
    pub(super) fn flush_notifications(&mut self, now: Timestamp) {
        let touched = std::mem::take(&mut self.touched);
        for t in touched {
            let thing = &self.things[t.thing as usize];
            if thing.deleted {
                continue;
            }
            let name = thing.name.clone();
            let after = self.identities(t.thing, t.namespace.as_deref());
            let mut before_set = t.before.clone();
            let mut after_set = after.clone();
            before_set.sort_unstable();
            after_set.sort_unstable();
            if before_set != after_set {
                self.effects.push(Effect::Notify {
                    thing: name.clone(),
                    namespace: t.namespace.clone(),
                    timestamp: now,
                    jobs: self.pending_view(t.thing, t.namespace.as_deref()),
                });
            }
            if t.before.first() != after.first() {
                let head = self
                    .visible_pending(t.thing, t.namespace.as_deref())
                    .first()
                    .copied();
                let execution = head.map(|e| self.device_view(e, now, true));
                self.effects.push(Effect::NotifyNext {
                    thing: name,
                    namespace: t.namespace,
                    timestamp: now,
                    execution,
                });
            }
        }
    }
}
