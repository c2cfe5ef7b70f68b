//! Thing and thing-group operations that targeting needs (spec §2.2, §2.5), and DescribeEndpoint.
//!
//! Group membership drives CONTINUOUS jobs: joining a target group (or a child of one) queues an
//! execution, leaving it turns a QUEUED execution into REMOVED.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::api::*;
use super::error::{EngineError, EngineResult, ErrorKind};
use super::status::ExecStatus;
use super::store::*;
use super::time::Timestamp;
use super::validate::{self, Violations};
use super::{Engine, Outcome, paginate};

/// Groups a thing may belong to at once, and the deepest group hierarchy (spec §9.1).
const MAX_GROUPS_PER_THING: usize = 10;
const MAX_GROUP_DEPTH: usize = 7;
const MAX_ATTRIBUTES_UNTYPED: usize = 3;
const MAX_ATTRIBUTES_TYPED: usize = 50;

impl Engine {
    fn check_attributes(attrs: &BTreeMap<String, String>, typed: bool) -> EngineResult<()> {
        let max = if typed {
            MAX_ATTRIBUTES_TYPED
        } else {
            MAX_ATTRIBUTES_UNTYPED
        };
        if attrs.len() > max {
            return Err(EngineError::invalid(format!(
                "A thing can have at most {max} attributes{}.",
                if typed { "" } else { " without a thing type" }
            )));
        }
        Ok(())
    }

    /// CreateThing: idempotent when the configuration matches (spec §2.5).
    pub fn create_thing(
        &mut self,
        now: Timestamp,
        req: CreateThingRequest,
    ) -> EngineResult<Outcome<CreateThingResponse>> {
        let mut v = Violations::new();
        validate::thing_name(&mut v, "thingName", &req.thing_name);
        if let Some(t) = &req.thing_type_name {
            validate::thing_name(&mut v, "thingTypeName", t);
        }
        v.into_result()?;
        let attrs = attributes_of(&req.attribute_payload);
        Self::check_attributes(&attrs, req.thing_type_name.is_some())?;
        if let Some(ix) = self.thing_ix(&req.thing_name) {
            let t = &self.things[ix as usize];
            if t.thing_type_name == req.thing_type_name && t.attributes == attrs {
                let resp = CreateThingResponse {
                    thing_name: t.name.to_string(),
                    thing_arn: self.thing_arn(&t.name),
                    thing_id: t.id.clone(),
                };
                return Ok(self.finish(now, resp));
            }
            return Err(EngineError::new(
                ErrorKind::ResourceAlreadyExists,
                format!(
                    "Thing {} already exists in account with different attributes",
                    req.thing_name
                ),
            ));
        }
        let id = self.next_uuid();
        let name: Arc<str> = Arc::from(req.thing_name.as_str());
        let ix = self.things.len() as ThingIx;
        self.things.push(Thing {
            name: name.clone(),
            id: id.clone(),
            thing_type_name: req.thing_type_name,
            attributes: attrs,
            billing_group_name: req.billing_group_name,
            version: 1,
            deleted: false,
            groups: Vec::new(),
            pending: Vec::new(),
        });
        self.thing_names.insert(name.clone(), ix);
        let resp = CreateThingResponse {
            thing_arn: self.thing_arn(&name),
            thing_name: name.to_string(),
            thing_id: id,
        };
        Ok(self.finish(now, resp))
    }

    pub fn describe_thing(&self, thing_name: &str) -> EngineResult<DescribeThingResponse> {
        let t = &self.things[self.require_thing(thing_name)? as usize];
        Ok(DescribeThingResponse {
            default_client_id: t.name.to_string(),
            thing_name: t.name.to_string(),
            thing_id: t.id.clone(),
            thing_arn: self.thing_arn(&t.name),
            thing_type_name: t.thing_type_name.clone(),
            attributes: t.attributes.clone(),
            version: t.version,
            billing_group_name: t.billing_group_name.clone(),
        })
    }

    pub fn update_thing(
        &mut self,
        now: Timestamp,
        req: UpdateThingRequest,
    ) -> EngineResult<Outcome<()>> {
        let ix = self.require_thing(&req.thing_name)?;
        let t = &self.things[ix as usize];
        if let Some(expected) = req.expected_version {
            if expected != t.version {
                return Err(EngineError::new(
                    ErrorKind::VersionConflict,
                    format!(
                        "The version for thing {} does not match the expected version.",
                        req.thing_name
                    ),
                ));
            }
        }
        let mut attrs = t.attributes.clone();
        if let Some(p) = &req.attribute_payload {
            let given = p.attributes.clone().unwrap_or_default();
            if !p.merge {
                attrs.clear();
            }
            for (k, v) in given {
                // An empty value removes the attribute when merging, as AWS documents.
                if v.is_empty() {
                    attrs.remove(&k);
                } else {
                    attrs.insert(k, v);
                }
            }
        }
        let type_name = if req.remove_thing_type {
            None
        } else {
            req.thing_type_name.clone().or(t.thing_type_name.clone())
        };
        Self::check_attributes(&attrs, type_name.is_some())?;
        let t = &mut self.things[ix as usize];
        t.attributes = attrs;
        t.thing_type_name = type_name;
        t.version += 1;
        Ok(self.finish(now, ()))
    }

    /// DeleteThing: succeeds for unknown things; the thing's pending executions become REMOVED.
    pub fn delete_thing(
        &mut self,
        now: Timestamp,
        req: DeleteThingRequest,
    ) -> EngineResult<Outcome<()>> {
        let Some(ix) = self.thing_ix(&req.thing_name) else {
            return Ok(self.finish(now, ()));
        };
        if let Some(expected) = req.expected_version {
            if expected != self.things[ix as usize].version {
                return Err(EngineError::new(
                    ErrorKind::VersionConflict,
                    format!(
                        "The version for thing {} does not match the expected version.",
                        req.thing_name
                    ),
                ));
            }
        }
        let groups = self.things[ix as usize].groups.clone();
        for g in groups {
            self.groups[g as usize].members.remove(&ix);
        }
        self.things[ix as usize].groups.clear();
        // Choice (spec §12.3): a deleted thing's pending executions become REMOVED (the model's
        // `numberOfRemovedThings` says so) rather than disappearing.
        let pending = self.things[ix as usize].pending.clone();
        for e in pending {
            self.set_status(e, ExecStatus::Removed, now, false);
        }
        let t = &mut self.things[ix as usize];
        t.deleted = true;
        let name = t.name.clone();
        self.thing_names.remove(&name);
        for job in self.jobs.iter_mut().flatten() {
            job.rollout.queue.retain(|&q| q != ix);
        }
        Ok(self.finish(now, ()))
    }

    pub fn list_things(&self, req: &ListThingsRequest) -> EngineResult<ListThingsResponse> {
        let items: Vec<ThingAttribute> = self
            .things
            .iter()
            .filter(|t| !t.deleted)
            .filter(|t| {
                req.thing_type_name
                    .as_deref()
                    .is_none_or(|n| t.thing_type_name.as_deref() == Some(n))
            })
            .filter(|t| match (&req.attribute_name, &req.attribute_value) {
                (Some(k), Some(v)) => t.attributes.get(k).is_some_and(|have| {
                    if req.use_prefix_attribute_value {
                        have.starts_with(v.as_str())
                    } else {
                        have == v
                    }
                }),
                (Some(k), None) => t.attributes.contains_key(k),
                _ => true,
            })
            .map(|t| ThingAttribute {
                thing_name: t.name.to_string(),
                thing_type_name: t.thing_type_name.clone(),
                thing_arn: self.thing_arn(&t.name),
                attributes: t.attributes.clone(),
                version: t.version,
            })
            .collect();
        let (things, next_token) = paginate(items, req.max_results, req.next_token.as_deref())?;
        Ok(ListThingsResponse { things, next_token })
    }

    fn group_depth(&self, g: GroupIx) -> usize {
        let mut depth = 1;
        let mut cur = self.groups[g as usize].parent;
        while let Some(p) = cur {
            depth += 1;
            cur = self.groups[p as usize].parent;
        }
        depth
    }

    fn group_root(&self, g: GroupIx) -> GroupIx {
        let mut cur = g;
        while let Some(p) = self.groups[cur as usize].parent {
            cur = p;
        }
        cur
    }

    /// CreateThingGroup: idempotent for identical properties; `parentGroupName` builds hierarchies.
    pub fn create_thing_group(
        &mut self,
        now: Timestamp,
        req: CreateThingGroupRequest,
    ) -> EngineResult<Outcome<CreateThingGroupResponse>> {
        let mut v = Violations::new();
        validate::thing_name(&mut v, "thingGroupName", &req.thing_group_name);
        if let Some(p) = &req.parent_group_name {
            validate::thing_name(&mut v, "parentGroupName", p);
        }
        if let Some(tags) = &req.tags {
            validate::tags(&mut v, tags);
        }
        v.into_result()?;
        let props = req.thing_group_properties.clone().unwrap_or_default();
        let parent = match &req.parent_group_name {
            Some(p) => Some(self.require_group(p)?),
            None => None,
        };
        if let Some(ix) = self.group_ix(&req.thing_group_name) {
            let g = &self.groups[ix as usize];
            if g.properties == props && g.parent == parent {
                let resp = CreateThingGroupResponse {
                    thing_group_name: g.name.to_string(),
                    thing_group_arn: self.group_arn(&g.name),
                    thing_group_id: g.id.clone(),
                };
                return Ok(self.finish(now, resp));
            }
            return Err(EngineError::new(
                ErrorKind::ResourceAlreadyExists,
                format!(
                    "Thing Group {} already exists in current account with different properties",
                    req.thing_group_name
                ),
            ));
        }
        if let Some(p) = parent {
            if self.group_depth(p) >= MAX_GROUP_DEPTH {
                return Err(EngineError::invalid(format!(
                    "Thing group hierarchies can be at most {MAX_GROUP_DEPTH} levels deep."
                )));
            }
        }
        let id = self.next_uuid();
        let name: Arc<str> = Arc::from(req.thing_group_name.as_str());
        let ix = self.groups.len() as GroupIx;
        self.groups.push(ThingGroup {
            name: name.clone(),
            id: id.clone(),
            parent,
            children: Vec::new(),
            properties: props,
            version: 1,
            created_at: now,
            deleted: false,
            members: Default::default(),
            jobs: Vec::new(),
        });
        if let Some(p) = parent {
            self.groups[p as usize].children.push(ix);
        }
        self.group_names.insert(name.clone(), ix);
        let resp = CreateThingGroupResponse {
            thing_group_arn: self.group_arn(&name),
            thing_group_name: name.to_string(),
            thing_group_id: id,
        };
        Ok(self.finish(now, resp))
    }

    pub fn describe_thing_group(&self, name: &str) -> EngineResult<DescribeThingGroupResponse> {
        let ix = self.require_group(name)?;
        let g = &self.groups[ix as usize];
        let mut chain = Vec::new();
        let mut cur = g.parent;
        while let Some(p) = cur {
            let pg = &self.groups[p as usize];
            chain.push(GroupNameAndArn {
                group_name: pg.name.to_string(),
                group_arn: self.group_arn(&pg.name),
            });
            cur = pg.parent;
        }
        chain.reverse();
        Ok(DescribeThingGroupResponse {
            thing_group_name: g.name.to_string(),
            thing_group_id: g.id.clone(),
            thing_group_arn: self.group_arn(&g.name),
            version: g.version,
            thing_group_properties: g.properties.clone(),
            thing_group_metadata: ThingGroupMetadata {
                parent_group_name: g.parent.map(|p| self.groups[p as usize].name.to_string()),
                root_to_parent_thing_groups: chain,
                creation_date: g.created_at.secs_f64(),
            },
        })
    }

    /// DeleteThingGroup: unknown groups succeed (the model has no not-found error); groups with
    /// children cannot be deleted; members leave, which CONTINUOUS jobs see as leaving.
    pub fn delete_thing_group(
        &mut self,
        now: Timestamp,
        req: DeleteThingGroupRequest,
    ) -> EngineResult<Outcome<()>> {
        let Some(ix) = self.group_ix(&req.thing_group_name) else {
            return Ok(self.finish(now, ()));
        };
        let g = &self.groups[ix as usize];
        if let Some(expected) = req.expected_version {
            if expected != g.version {
                return Err(EngineError::new(
                    ErrorKind::VersionConflict,
                    format!(
                        "The version for thing group {} does not match the expected version.",
                        req.thing_group_name
                    ),
                ));
            }
        }
        if !g.children.is_empty() {
            return Err(EngineError::invalid(format!(
                "Cannot delete thing group : {} when there are still child groups attached to it",
                req.thing_group_name
            )));
        }
        let members: Vec<ThingIx> = g.members.iter().copied().collect();
        for t in members {
            self.leave_group(t, ix, now);
        }
        let g = &mut self.groups[ix as usize];
        g.deleted = true;
        let parent = g.parent;
        let name = g.name.clone();
        if let Some(p) = parent {
            self.groups[p as usize].children.retain(|&c| c != ix);
        }
        self.group_names.remove(&name);
        Ok(self.finish(now, ()))
    }

    pub fn list_thing_groups(
        &self,
        req: &ListThingGroupsRequest,
    ) -> EngineResult<ListThingGroupsResponse> {
        let parent = match &req.parent_group {
            Some(p) => Some(self.require_group(p)?),
            None => None,
        };
        let recursive = req.recursive.unwrap_or(true);
        let items: Vec<GroupNameAndArn> = self
            .groups
            .iter()
            .enumerate()
            .filter(|(_, g)| !g.deleted)
            .filter(|(ix, g)| match parent {
                None => recursive || g.parent.is_none(),
                Some(p) if recursive => {
                    let mut cur = g.parent;
                    while let Some(c) = cur {
                        if c == p {
                            return true;
                        }
                        cur = self.groups[c as usize].parent;
                    }
                    let _ = ix;
                    false
                }
                Some(p) => g.parent == Some(p),
            })
            .filter(|(_, g)| {
                req.name_prefix_filter
                    .as_deref()
                    .is_none_or(|pre| g.name.starts_with(pre))
            })
            .map(|(_, g)| GroupNameAndArn {
                group_name: g.name.to_string(),
                group_arn: self.group_arn(&g.name),
            })
            .collect();
        let (thing_groups, next_token) =
            paginate(items, req.max_results, req.next_token.as_deref())?;
        Ok(ListThingGroupsResponse {
            thing_groups,
            next_token,
        })
    }

    fn membership_target(
        &self,
        req: &ThingGroupMembershipRequest,
    ) -> EngineResult<(ThingIx, GroupIx)> {
        let group_name = match (&req.thing_group_name, &req.thing_group_arn) {
            (Some(n), _) => n.clone(),
            (None, Some(arn)) => arn.rsplit('/').next().unwrap_or("").to_string(),
            (None, None) => {
                return Err(EngineError::invalid(
                    "Either thingGroupName or thingGroupArn must be specified.",
                ));
            }
        };
        let thing_name = match (&req.thing_name, &req.thing_arn) {
            (Some(n), _) => n.clone(),
            (None, Some(arn)) => arn.rsplit('/').next().unwrap_or("").to_string(),
            (None, None) => {
                return Err(EngineError::invalid(
                    "Either thingName or thingArn must be specified.",
                ));
            }
        };
        Ok((
            self.require_thing(&thing_name)?,
            self.require_group(&group_name)?,
        ))
    }

    /// Jobs that target `group` or one of its ancestors.
    fn jobs_reaching(&self, group: GroupIx) -> Vec<JobIx> {
        let mut out = Vec::new();
        let mut cur = Some(group);
        while let Some(g) = cur {
            out.extend(self.groups[g as usize].jobs.iter().copied());
            cur = self.groups[g as usize].parent;
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    fn join_group(&mut self, thing: ThingIx, group: GroupIx, now: Timestamp) {
        self.groups[group as usize].members.insert(thing);
        self.things[thing as usize].groups.push(group);
        for job in self.jobs_reaching(group) {
            self.on_thing_joined(job, thing, now);
        }
    }

    fn leave_group(&mut self, thing: ThingIx, group: GroupIx, now: Timestamp) {
        self.groups[group as usize].members.remove(&thing);
        self.things[thing as usize].groups.retain(|&g| g != group);
        for job in self.jobs_reaching(group) {
            self.on_thing_left(job, thing, now);
        }
    }

    fn check_can_join(&self, thing: ThingIx, group: GroupIx) -> EngineResult<()> {
        let t = &self.things[thing as usize];
        if t.groups.len() >= MAX_GROUPS_PER_THING {
            return Err(EngineError::invalid(format!(
                "Thing {} cannot be added to more than {MAX_GROUPS_PER_THING} thing groups.",
                t.name
            )));
        }
        let root = self.group_root(group);
        if t.groups.iter().any(|&g| self.group_root(g) == root) {
            return Err(EngineError::invalid(format!(
                "Thing {} is already in a group of the hierarchy of {}; a thing can be in only one group of a hierarchy.",
                t.name, self.groups[group as usize].name
            )));
        }
        Ok(())
    }

    /// AddThingToThingGroup: adding a thing to a group it is already in is not a join.
    pub fn add_thing_to_thing_group(
        &mut self,
        now: Timestamp,
        req: ThingGroupMembershipRequest,
    ) -> EngineResult<Outcome<()>> {
        let (thing, group) = self.membership_target(&req)?;
        if self.groups[group as usize].members.contains(&thing) {
            return Ok(self.finish(now, ()));
        }
        self.check_can_join(thing, group)?;
        self.join_group(thing, group, now);
        Ok(self.finish(now, ()))
    }

    pub fn remove_thing_from_thing_group(
        &mut self,
        now: Timestamp,
        req: ThingGroupMembershipRequest,
    ) -> EngineResult<Outcome<()>> {
        let (thing, group) = self.membership_target(&req)?;
        if self.groups[group as usize].members.contains(&thing) {
            self.leave_group(thing, group, now);
        }
        Ok(self.finish(now, ()))
    }

    pub fn list_things_in_thing_group(
        &self,
        req: &ListThingsInThingGroupRequest,
    ) -> EngineResult<ListThingsInThingGroupResponse> {
        let g = self.require_group(&req.thing_group_name)?;
        let members = if req.recursive {
            let mut all = self.group_members_recursive(g);
            all.sort_unstable();
            all.dedup();
            all
        } else {
            self.groups[g as usize].members.iter().copied().collect()
        };
        let items: Vec<String> = members
            .into_iter()
            .map(|t| self.things[t as usize].name.to_string())
            .collect();
        let (things, next_token) = paginate(items, req.max_results, req.next_token.as_deref())?;
        Ok(ListThingsInThingGroupResponse { things, next_token })
    }

    pub fn list_thing_groups_for_thing(
        &self,
        req: &ListThingGroupsForThingRequest,
    ) -> EngineResult<ListThingGroupsResponse> {
        let t = self.require_thing(&req.thing_name)?;
        let items: Vec<GroupNameAndArn> = self.things[t as usize]
            .groups
            .iter()
            .map(|&g| {
                let name = &self.groups[g as usize].name;
                GroupNameAndArn {
                    group_name: name.to_string(),
                    group_arn: self.group_arn(name),
                }
            })
            .collect();
        let (thing_groups, next_token) =
            paginate(items, req.max_results, req.next_token.as_deref())?;
        Ok(ListThingGroupsResponse {
            thing_groups,
            next_token,
        })
    }

    /// DescribeEndpoint: addresses of this emulated account (spec §1.1).
    pub fn describe_endpoint(
        &self,
        endpoint_type: Option<&str>,
    ) -> EngineResult<DescribeEndpointResponse> {
        let p = &self.cfg.endpoint_prefix;
        let r = &self.cfg.region;
        let address = match endpoint_type.unwrap_or("iot:Data") {
            "iot:Data" => format!("{p}.iot.{r}.amazonaws.com"),
            "iot:Data-ATS" => format!("{p}-ats.iot.{r}.amazonaws.com"),
            "iot:CredentialProvider" => format!("{p}.credentials.iot.{r}.amazonaws.com"),
            "iot:Jobs" => format!("{p}.jobs.iot.{r}.amazonaws.com"),
            other => {
                return Err(EngineError::invalid(format!(
                    "Endpoint type {other} is not valid. Valid types: iot:Data, iot:Data-ATS, iot:CredentialProvider, iot:Jobs."
                )));
            }
        };
        Ok(DescribeEndpointResponse {
            endpoint_address: address,
        })
    }
}
