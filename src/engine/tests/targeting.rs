//! Targeting: SNAPSHOT resolution, CONTINUOUS joins and leaves, and the registry behaviour they
//! rest on (spec §2.5, §5.2, §6.6, §9.1, §11.30, §11.67–68, §12.3, §12.10).

use super::support::*;
use crate::engine::*;

fn continuous(id: &str, targets: &[&str]) -> CreateJobRequest {
    CreateJobRequest {
        target_selection: Some("CONTINUOUS".into()),
        ..World::job_req(id, targets)
    }
}

/// (status, versionNumber, executionNumber) of the newest execution.
fn newest(w: &mut World, thing: &str, job: &str) -> (String, i64, i64) {
    let x = w.execution(thing, job);
    (x.status, x.version_number, x.execution_number)
}

fn st(status: &str, version: i64, number: i64) -> (String, i64, i64) {
    (status.to_string(), version, number)
}

fn has_execution(w: &mut World, thing: &str, job: &str) -> bool {
    w.emu
        .read(|e, now| e.describe_job_execution(now, thing, job, None))
        .is_ok()
}

fn membership(thing: &str, group: &str) -> ThingGroupMembershipRequest {
    ThingGroupMembershipRequest {
        thing_group_name: Some(group.into()),
        thing_name: Some(thing.into()),
        ..Default::default()
    }
}

fn things_in(w: &mut World, group: &str, recursive: bool) -> Vec<String> {
    let req = ListThingsInThingGroupRequest {
        thing_group_name: group.into(),
        recursive,
        ..Default::default()
    };
    w.emu
        .read(|e, _| e.list_things_in_thing_group(&req))
        .expect("list things in group")
        .things
}

fn groups_of(w: &mut World, thing: &str) -> Vec<String> {
    let req = ListThingGroupsForThingRequest {
        thing_name: thing.into(),
        ..Default::default()
    };
    w.emu
        .read(|e, _| e.list_thing_groups_for_thing(&req))
        .expect("list groups for thing")
        .thing_groups
        .into_iter()
        .map(|g| g.group_name)
        .collect()
}

/// A CONTINUOUS job `j1` over group `g` (empty at creation) and a thing `t1`, not yet a member.
fn continuous_world() -> World {
    let mut w = World::new();
    let g = w.group("g", None);
    w.thing("t1");
    w.create_job(continuous("j1", &[&g]));
    w
}

// ================================================================ SNAPSHOT

#[test]
fn a_snapshot_job_over_a_group_targets_members_of_its_child_groups() {
    // §6.6, §2.5 (jobs on a group also run on things in its child groups)
    let mut w = World::new();
    let parent = w.group("parent", None);
    w.group("child", Some("parent"));
    w.group("grandchild", Some("child"));
    for t in ["t1", "t2", "t3"] {
        w.thing(t);
    }
    w.add_to_group("t1", "parent");
    w.add_to_group("t2", "child");
    w.add_to_group("t3", "grandchild");
    w.job("j1", &[&parent]);
    for t in ["t1", "t2", "t3"] {
        assert_eq!(newest(&mut w, t, "j1"), st("QUEUED", 1, 1), "{t}");
    }
    assert_eq!(counters(&w.describe_job("j1")), [3, 0, 0, 0, 0, 0, 0, 0]);
}

#[test]
fn a_snapshot_job_ignores_things_that_join_its_group_later() {
    // §6.6 (SNAPSHOT: targets resolved once at creation)
    let mut w = World::new();
    let g = w.group("g", None);
    w.group("child", Some("g"));
    w.thing("t1");
    w.thing("late");
    w.thing("later");
    w.add_to_group("t1", "g");
    w.job("j1", &[&g]);
    w.add_to_group("late", "g");
    w.add_to_group("later", "child");
    assert!(!has_execution(&mut w, "late", "j1"));
    assert!(!has_execution(&mut w, "later", "j1"));
    assert_eq!(counters(&w.describe_job("j1")), [1, 0, 0, 0, 0, 0, 0, 0]);
}

#[test]
fn a_snapshot_job_over_a_group_completes_when_its_members_finish() {
    // §11.30, §6.6 (job completes when all those executions are terminal)
    let mut w = World::new();
    let g = w.group("g", None);
    w.thing("t1");
    w.thing("t2");
    w.add_to_group("t1", "g");
    w.add_to_group("t2", "g");
    w.job("j1", &[&g]);
    w.thing("t3");
    w.add_to_group("t3", "g");
    w.report("t1", "j1", "SUCCEEDED").unwrap();
    assert_eq!(w.describe_job("j1").status, "IN_PROGRESS");
    w.report("t2", "j1", "REJECTED").unwrap();
    let j = w.describe_job("j1");
    assert_eq!(j.status, "COMPLETED");
    assert_eq!(counters(&j), [0, 0, 1, 0, 0, 1, 0, 0]);
}

#[test]
fn a_snapshot_job_over_an_empty_group_completes_at_once() {
    // §5.1 (SNAPSHOT completes when every execution is terminal: there are none)
    let mut w = World::new();
    let g = w.group("g", None);
    w.job("j1", &[&g]);
    let j = w.describe_job("j1");
    assert_eq!(j.status, "COMPLETED");
    assert_eq!(j.completed_at, Some(w.now().secs_f64()));
    assert_eq!(counters(&j), [0; 8]);
}

// ================================================================ CONTINUOUS: joins

#[test]
fn a_continuous_job_queues_things_already_in_its_group_at_creation() {
    // §6.6
    let mut w = World::new();
    let g = w.group("g", None);
    w.thing("t1");
    w.add_to_group("t1", "g");
    w.create_job(continuous("j1", &[&g]));
    assert_eq!(newest(&mut w, "t1", "j1"), st("QUEUED", 1, 1));
}

#[test]
fn a_thing_joining_a_continuous_jobs_group_gets_a_queued_execution() {
    // §6.6, §5.2 (QUEUED, v=1, executionNumber=1)
    let mut w = continuous_world();
    assert!(!has_execution(&mut w, "t1", "j1"));
    w.add_to_group("t1", "g");
    assert_eq!(newest(&mut w, "t1", "j1"), st("QUEUED", 1, 1));
    assert_eq!(counters(&w.describe_job("j1")), [1, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(w.pending("t1").queued.len(), 1);
}

#[test]
fn joining_a_child_group_of_a_continuous_jobs_group_counts_as_a_join() {
    // §6.6, §2.5 (child groups)
    let mut w = continuous_world();
    w.group("child", Some("g"));
    w.add_to_group("t1", "child");
    assert_eq!(newest(&mut w, "t1", "j1"), st("QUEUED", 1, 1));
}

#[test]
fn a_thing_joining_a_canceled_continuous_job_gets_nothing() {
    // §5.1 (a canceled job's rollout has stopped)
    let mut w = continuous_world();
    w.try_cancel_job("j1", false).unwrap();
    w.add_to_group("t1", "g");
    assert!(!has_execution(&mut w, "t1", "j1"));
}

// ================================================================ CONTINUOUS: leaves

#[test]
fn leaving_while_queued_turns_the_execution_removed_without_a_version_bump() {
    // §6.6, §5.2 (QUEUED → REMOVED), §5.3 (version stays 1), §11.67
    let mut w = continuous_world();
    w.add_to_group("t1", "g");
    w.remove_from_group("t1", "g");
    assert_eq!(newest(&mut w, "t1", "j1"), st("REMOVED", 1, 1));
    let j = w.describe_job("j1");
    assert_eq!(j.job_process_details.number_of_removed_things, 1);
    assert_eq!(counters(&j), [0, 0, 0, 0, 0, 0, 1, 0]);
    assert_eq!(j.status, "IN_PROGRESS");
    assert!(w.pending("t1").queued.is_empty());
}

#[test]
fn leaving_while_in_progress_changes_nothing_and_the_device_can_still_finish() {
    // §6.6, §5.2 (IN_PROGRESS keeps its status after leaving)
    let mut w = continuous_world();
    w.add_to_group("t1", "g");
    w.start_next("t1").expect("started");
    w.remove_from_group("t1", "g");
    assert_eq!(newest(&mut w, "t1", "j1"), st("IN_PROGRESS", 2, 1));
    w.report("t1", "j1", "SUCCEEDED").expect("device finishes");
    assert_eq!(newest(&mut w, "t1", "j1"), st("SUCCEEDED", 3, 1));
    assert_eq!(counters(&w.describe_job("j1")), [0, 0, 1, 0, 0, 0, 0, 0]);
}

#[test]
fn leaving_after_success_changes_nothing() {
    // §6.6 (terminal executions keep their status)
    let mut w = continuous_world();
    w.add_to_group("t1", "g");
    w.report("t1", "j1", "SUCCEEDED").unwrap();
    w.remove_from_group("t1", "g");
    assert_eq!(newest(&mut w, "t1", "j1"), st("SUCCEEDED", 2, 1));
}

#[test]
fn leaving_one_of_two_target_groups_changes_nothing() {
    // §6.6 (a thing in two target groups that leaves one gets nothing new)
    let mut w = World::new();
    let a = w.group("a", None);
    let b = w.group("b", None);
    w.thing("t1");
    w.create_job(continuous("j1", &[&a, &b]));
    w.add_to_group("t1", "a");
    w.add_to_group("t1", "b");
    assert_eq!(newest(&mut w, "t1", "j1"), st("QUEUED", 1, 1));
    w.remove_from_group("t1", "a");
    assert_eq!(newest(&mut w, "t1", "j1"), st("QUEUED", 1, 1));
    assert_eq!(counters(&w.describe_job("j1")), [1, 0, 0, 0, 0, 0, 0, 0]);
}

#[test]
fn rejoining_the_second_target_group_after_success_queues_execution_two() {
    // §6.6 (two target groups: leave one, rejoin it → n+1)
    let mut w = World::new();
    let a = w.group("a", None);
    let b = w.group("b", None);
    w.thing("t1");
    w.create_job(continuous("j1", &[&a, &b]));
    w.add_to_group("t1", "a");
    w.add_to_group("t1", "b");
    w.report("t1", "j1", "SUCCEEDED").unwrap();
    w.remove_from_group("t1", "a");
    assert_eq!(newest(&mut w, "t1", "j1"), st("SUCCEEDED", 2, 1));
    w.add_to_group("t1", "a");
    assert_eq!(newest(&mut w, "t1", "j1"), st("QUEUED", 1, 2));
}

// ================================================================ CONTINUOUS: rejoins

#[test]
fn rejoining_after_a_terminal_execution_queues_execution_number_two() {
    // §11.68, §5.3, §5.6 (1 SUCCEEDED + 1 QUEUED)
    let mut w = continuous_world();
    w.add_to_group("t1", "g");
    w.report("t1", "j1", "SUCCEEDED").unwrap();
    w.remove_from_group("t1", "g");
    w.add_to_group("t1", "g");
    assert_eq!(newest(&mut w, "t1", "j1"), st("QUEUED", 1, 2));
    let first = w
        .emu
        .read(|e, now| e.describe_job_execution(now, "t1", "j1", Some(1)))
        .unwrap()
        .execution;
    assert_eq!(first.status, "SUCCEEDED");
    assert_eq!(counters(&w.describe_job("j1")), [1, 0, 1, 0, 0, 0, 0, 0]);
    let next = w.next("t1").expect("pending");
    assert_eq!(next.execution_number, 2);
}

#[test]
fn rejoining_after_removal_queues_execution_number_two() {
    // §5.2 (any terminal newest execution → new QUEUED execution n+1)
    let mut w = continuous_world();
    w.add_to_group("t1", "g");
    w.remove_from_group("t1", "g");
    w.add_to_group("t1", "g");
    assert_eq!(newest(&mut w, "t1", "j1"), st("QUEUED", 1, 2));
    assert_eq!(counters(&w.describe_job("j1")), [1, 0, 0, 0, 0, 0, 1, 0]);
}

#[test]
fn rejoining_while_in_progress_queues_nothing_new() {
    // §6.6 (rejoin while IN_PROGRESS → nothing new)
    let mut w = continuous_world();
    w.add_to_group("t1", "g");
    w.start_next("t1").unwrap();
    w.remove_from_group("t1", "g");
    w.add_to_group("t1", "g");
    assert_eq!(newest(&mut w, "t1", "j1"), st("IN_PROGRESS", 2, 1));
    assert_eq!(counters(&w.describe_job("j1")), [0, 1, 0, 0, 0, 0, 0, 0]);
}

#[test]
fn adding_a_thing_to_a_group_it_is_already_in_is_not_a_join() {
    // §6.6 (adding a thing to a group it is already in is not a "join")
    let mut w = continuous_world();
    w.add_to_group("t1", "g");
    w.report("t1", "j1", "SUCCEEDED").unwrap();
    let before = w.state();
    w.add_to_group("t1", "g");
    assert_eq!(w.state(), before);
    assert_eq!(newest(&mut w, "t1", "j1"), st("SUCCEEDED", 2, 1));
}

// ================================================================ DeleteThing, DeleteThingGroup

#[test]
fn deleting_a_thing_turns_its_queued_execution_removed() {
    // §12.3 (choice: REMOVED, as the model's numberOfRemovedThings says), §2.5
    let mut w = World::new();
    let t1 = w.thing("t1");
    let t2 = w.thing("t2");
    w.job("j1", &[&t1, &t2]);
    w.delete_thing("t1");
    let j = w.describe_job("j1");
    assert_eq!(j.job_process_details.number_of_removed_things, 1);
    assert_eq!(counters(&j), [1, 0, 0, 0, 0, 0, 1, 0]);
    let list = w
        .emu
        .read(|e, _| {
            e.list_job_executions_for_job(&ListJobExecutionsForJobRequest {
                job_id: "j1".into(),
                status: Some("REMOVED".into()),
                ..Default::default()
            })
        })
        .unwrap();
    assert_eq!(list.execution_summaries.len(), 1);
    assert_eq!(list.execution_summaries[0].thing_arn, t1);
    // The snapshot job completes once the remaining thing finishes.
    w.report("t2", "j1", "SUCCEEDED").unwrap();
    assert_eq!(w.describe_job("j1").status, "COMPLETED");
}

#[test]
fn deleting_a_thing_turns_its_in_progress_execution_removed_too() {
    // §12.3 (choice: every pending execution of a deleted thing becomes REMOVED)
    let mut w = World::new();
    let t1 = w.thing("t1");
    w.job("j1", &[&t1]);
    w.start_next("t1").unwrap();
    w.delete_thing("t1");
    let j = w.describe_job("j1");
    assert_eq!(counters(&j), [0, 0, 0, 0, 0, 0, 1, 0]);
    assert_eq!(j.status, "COMPLETED");
}

#[test]
fn deleting_an_unknown_thing_succeeds_and_changes_nothing() {
    // §2.5 (DeleteThing succeeds even if the thing does not exist)
    let mut w = World::new();
    w.thing("t1");
    let before = w.state();
    w.delete_thing("ghost");
    assert_eq!(w.state(), before);
    assert!(w.emu.take_effects().is_empty());
}

#[test]
fn deleting_a_thing_with_a_stale_expected_version_is_a_version_conflict() {
    // §2.5 (DeleteThing expectedVersion mismatch → VersionConflictException)
    let mut w = World::new();
    w.thing("t1");
    let err = w.assert_rejected(ErrorKind::VersionConflict, |e, now| {
        e.delete_thing(
            now,
            DeleteThingRequest {
                thing_name: "t1".into(),
                expected_version: Some(9),
            },
        )
    });
    assert_eq!(
        err.message,
        "The version for thing t1 does not match the expected version."
    );
}

#[test]
fn a_deleted_thing_leaves_its_groups() {
    // §2.5 (DeleteThing)
    let mut w = World::new();
    w.group("g", None);
    w.thing("t1");
    w.thing("t2");
    w.add_to_group("t1", "g");
    w.add_to_group("t2", "g");
    w.delete_thing("t1");
    assert_eq!(things_in(&mut w, "g", false), ["t2"]);
    let err = w.emu.read(|e, _| e.describe_thing("t1")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::ResourceNotFound);
}

#[test]
fn deleting_a_continuous_jobs_target_group_removes_queued_executions_of_its_members() {
    // §6.6 (members leave the deleted group; QUEUED → REMOVED)
    let mut w = continuous_world();
    w.add_to_group("t1", "g");
    w.emu
        .call(|e, now| {
            e.delete_thing_group(
                now,
                DeleteThingGroupRequest {
                    thing_group_name: "g".into(),
                    expected_version: None,
                },
            )
        })
        .unwrap();
    assert_eq!(newest(&mut w, "t1", "j1"), st("REMOVED", 1, 1));
}

#[test]
fn a_group_with_child_groups_cannot_be_deleted() {
    // §2.5 (deleting a group that still has child groups fails)
    let mut w = World::new();
    w.group("parent", None);
    w.group("child", Some("parent"));
    let delete = |name: &str| DeleteThingGroupRequest {
        thing_group_name: name.into(),
        expected_version: None,
    };
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.delete_thing_group(now, delete("parent"))
    });
    assert_eq!(
        err.message,
        "Cannot delete thing group : parent when there are still child groups attached to it"
    );
    w.emu
        .call(|e, now| e.delete_thing_group(now, delete("child")))
        .unwrap();
    w.emu
        .call(|e, now| e.delete_thing_group(now, delete("parent")))
        .expect("a childless group can be deleted");
    assert_eq!(
        w.emu
            .read(|e, _| e.describe_thing_group("parent"))
            .unwrap_err()
            .kind,
        ErrorKind::ResourceNotFound
    );
}

#[test]
fn deleting_an_unknown_thing_group_succeeds() {
    // §2.5 (DeleteThingGroup has no ResourceNotFoundException)
    let mut w = World::new();
    let before = w.state();
    w.emu
        .call(|e, now| {
            e.delete_thing_group(
                now,
                DeleteThingGroupRequest {
                    thing_group_name: "ghost".into(),
                    expected_version: None,
                },
            )
        })
        .unwrap();
    assert_eq!(w.state(), before);
}

// ================================================================ registry limits and idempotency

#[test]
fn a_thing_can_be_in_at_most_ten_groups() {
    // §2.5, §9.1 (10 groups per thing)
    let mut w = World::new();
    w.thing("t1");
    for i in 0..11 {
        w.group(&format!("g{i}"), None);
    }
    for i in 0..10 {
        w.add_to_group("t1", &format!("g{i}"));
    }
    assert_eq!(groups_of(&mut w, "t1").len(), 10);
    let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
        e.add_thing_to_thing_group(now, membership("t1", "g10"))
    });
    assert_eq!(
        err.message,
        "Thing t1 cannot be added to more than 10 thing groups."
    );
}

#[test]
fn a_thing_can_be_in_only_one_group_of_a_hierarchy() {
    // §2.5, §9.1 (one group per hierarchy)
    let mut w = World::new();
    w.group("root", None);
    w.group("left", Some("root"));
    w.group("right", Some("root"));
    w.thing("t1");
    w.add_to_group("t1", "left");
    for other in ["root", "right"] {
        let err = w.assert_rejected(ErrorKind::InvalidRequest, |e, now| {
            e.add_thing_to_thing_group(now, membership("t1", other))
        });
        assert_eq!(
            err.message,
            format!(
                "Thing t1 is already in a group of the hierarchy of {other}; a thing can be in only one group of a hierarchy."
            )
        );
    }
}

#[test]
fn adding_to_an_unknown_group_or_thing_is_not_found() {
    // §2.2 (AddThingToThingGroup ResourceNotFound)
    let mut w = World::new();
    w.thing("t1");
    w.group("g", None);
    let err = w.assert_rejected(ErrorKind::ResourceNotFound, |e, now| {
        e.add_thing_to_thing_group(now, membership("t1", "nope"))
    });
    assert_eq!(err.message, "Thing group nope cannot be found.");
    let err = w.assert_rejected(ErrorKind::ResourceNotFound, |e, now| {
        e.add_thing_to_thing_group(now, membership("nope", "g"))
    });
    assert_eq!(err.message, "Thing nope cannot be found.");
}

#[test]
fn membership_can_be_given_by_arns() {
    // §2.5 (group and thing by name or ARN)
    let mut w = World::new();
    let g = w.group("g", None);
    let t1 = w.thing("t1");
    w.emu
        .call(|e, now| {
            e.add_thing_to_thing_group(
                now,
                ThingGroupMembershipRequest {
                    thing_group_arn: Some(g),
                    thing_arn: Some(t1),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    assert_eq!(things_in(&mut w, "g", false), ["t1"]);
}

#[test]
fn create_thing_is_idempotent_for_the_same_configuration() {
    // §2.5 (CreateThing idempotent when name and configuration match)
    let mut w = World::new();
    let req = || CreateThingRequest {
        thing_name: "t1".into(),
        thing_type_name: Some("sensor".into()),
        ..Default::default()
    };
    let first = w.emu.call(|e, now| e.create_thing(now, req())).unwrap();
    let before = w.state();
    let again = w.emu.call(|e, now| e.create_thing(now, req())).unwrap();
    assert_eq!(again, first);
    assert_eq!(w.state(), before);
    assert_eq!(
        first.thing_arn,
        "arn:aws:iot:us-east-1:123456789012:thing/t1"
    );
    assert_eq!(first.thing_name, "t1");
}

#[test]
fn create_thing_with_the_same_name_and_another_configuration_already_exists() {
    // §2.5 (same name, different configuration → ResourceAlreadyExistsException)
    let mut w = World::new();
    w.thing("t1");
    let err = w.assert_rejected(ErrorKind::ResourceAlreadyExists, |e, now| {
        e.create_thing(
            now,
            CreateThingRequest {
                thing_name: "t1".into(),
                thing_type_name: Some("sensor".into()),
                ..Default::default()
            },
        )
    });
    assert_eq!(
        err.message,
        "Thing t1 already exists in account with different attributes"
    );
    assert_eq!(err.kind.http_status(Plane::Control), 409);
}

#[test]
fn create_thing_group_is_idempotent_and_refuses_a_different_configuration() {
    // §2.5 (CreateThingGroup idempotent for identical attributes)
    let mut w = World::new();
    w.group("p", None);
    let first = w.group("g", Some("p"));
    let before = w.state();
    assert_eq!(w.group("g", Some("p")), first);
    assert_eq!(w.state(), before);
    let err = w.assert_rejected(ErrorKind::ResourceAlreadyExists, |e, now| {
        e.create_thing_group(
            now,
            CreateThingGroupRequest {
                thing_group_name: "g".into(),
                ..Default::default()
            },
        )
    });
    assert_eq!(
        err.message,
        "Thing Group g already exists in current account with different properties"
    );
}

// ================================================================ listings

#[test]
fn list_things_in_thing_group_includes_child_groups_only_when_recursive() {
    // §2.5 (ListThingsInThingGroup ?recursive=true includes child groups)
    let mut w = World::new();
    w.group("p", None);
    w.group("c", Some("p"));
    w.thing("t1");
    w.thing("t2");
    w.add_to_group("t1", "p");
    w.add_to_group("t2", "c");
    assert_eq!(things_in(&mut w, "p", false), ["t1"]);
    assert_eq!(things_in(&mut w, "p", true), ["t1", "t2"]);
    assert_eq!(things_in(&mut w, "c", true), ["t2"]);
}

#[test]
fn list_thing_groups_for_thing_names_its_direct_groups() {
    // §2.2 (ListThingGroupsForThing)
    let mut w = World::new();
    let a = w.group("a", None);
    w.group("b", None);
    w.group("b-child", Some("b"));
    w.thing("t1");
    w.add_to_group("t1", "a");
    w.add_to_group("t1", "b-child");
    let req = ListThingGroupsForThingRequest {
        thing_name: "t1".into(),
        ..Default::default()
    };
    let r = w
        .emu
        .read(|e, _| e.list_thing_groups_for_thing(&req))
        .unwrap();
    let pairs: Vec<(&str, &str)> = r
        .thing_groups
        .iter()
        .map(|g| (g.group_name.as_str(), g.group_arn.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("a", a.as_str()),
            (
                "b-child",
                "arn:aws:iot:us-east-1:123456789012:thinggroup/b-child"
            )
        ]
    );
    w.remove_from_group("t1", "a");
    assert_eq!(groups_of(&mut w, "t1"), ["b-child"]);
}

#[test]
fn get_pending_job_executions_of_an_unknown_thing_is_empty() {
    // §12.10 (choice: an unknown thing has nothing pending)
    let mut w = World::new();
    let p = w.pending("ghost");
    assert!(p.in_progress.is_empty());
    assert!(p.queued.is_empty());
}

// ================================================================ CONTINUOUS and retries

/// `retryAttempt` of the newest execution.
fn attempt(w: &mut World, thing: &str, job: &str) -> u32 {
    let req = ListJobExecutionsForThingRequest {
        thing_name: thing.into(),
        job_id: Some(job.into()),
        ..Default::default()
    };
    w.emu
        .read(|e, _| e.list_job_executions_for_thing(&req))
        .unwrap()
        .execution_summaries[0]
        .job_execution_summary
        .retry_attempt
}

#[test]
fn leaving_a_continuous_jobs_group_cancels_further_retries() {
    // §6.3 (CONTINUOUS: removal from the group cancels further retries)
    let mut w = World::new();
    let g = w.group("g", None);
    w.thing("t1");
    w.create_job(CreateJobRequest {
        job_executions_retry_config: Some(retry("FAILED", 2)),
        ..continuous("j1", &[&g])
    });
    w.add_to_group("t1", "g");
    w.start_next("t1").unwrap();
    w.remove_from_group("t1", "g");
    w.report("t1", "j1", "FAILED").unwrap();
    assert_eq!(newest(&mut w, "t1", "j1"), st("FAILED", 3, 1));
    assert_eq!(counters(&w.describe_job("j1")), [0, 0, 0, 1, 0, 0, 0, 0]);
}

#[test]
fn rejoining_a_continuous_jobs_group_resets_the_retry_attempts() {
    // §6.3 (CONTINUOUS: a group-membership change resets the attempt counter to 0)
    let mut w = World::new();
    let g = w.group("g", None);
    w.thing("t1");
    w.create_job(CreateJobRequest {
        job_executions_retry_config: Some(retry("FAILED", 1)),
        ..continuous("j1", &[&g])
    });
    w.add_to_group("t1", "g");
    w.report("t1", "j1", "FAILED").unwrap();
    assert_eq!(
        (newest(&mut w, "t1", "j1"), attempt(&mut w, "t1", "j1")),
        (st("QUEUED", 1, 2), 1)
    );
    w.report("t1", "j1", "FAILED").unwrap();
    assert_eq!(newest(&mut w, "t1", "j1"), st("FAILED", 2, 2));
    w.remove_from_group("t1", "g");
    w.add_to_group("t1", "g");
    assert_eq!(
        (newest(&mut w, "t1", "j1"), attempt(&mut w, "t1", "j1")),
        (st("QUEUED", 1, 3), 0)
    );
    // The budget is whole again: one more retry after this failure.
    w.report("t1", "j1", "FAILED").unwrap();
    assert_eq!(
        (newest(&mut w, "t1", "j1"), attempt(&mut w, "t1", "j1")),
        (st("QUEUED", 1, 4), 1)
    );
}
