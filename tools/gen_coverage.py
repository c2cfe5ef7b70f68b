#!/usr/bin/env python3
"""Generates docs/coverage.md from the test sources.

A test proves a spec statement when a comment directly above it (or on its first body lines)
cites it as `§11.N` (or another section, e.g. `§6.4`). Operations are mapped to the tests whose
bodies call them. Run from the repository root: `python3 tools/gen_coverage.py` (writes the file)
or `python3 tools/gen_coverage.py --check` (exits 1 if the file is out of date).
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "coverage.md"

# §11 statements, abridged; the spec (../shared/spec/aws-iot-jobs.md §11) has them in full.
# Those marked WIRE are about HTTP/MQTT encoding and belong to the `jobrig serve` issue.
STATEMENTS = {
    1: "DescribeEndpoint(iot:Jobs) address",
    2: "WIRE: route by SigV4 scope (same path, two planes)",
    3: "WIRE: %24next percent-decoded",
    4: "StartNext with nothing pending → no execution",
    5: "WIRE: control-plane times are epoch-second numbers",
    6: "WIRE: data-plane times are integers",
    7: "WIRE: error status + x-amzn-ErrorType",
    8: "unknown job → 404 on every job/execution op",
    9: "jobId pattern and length",
    10: "maxResults 0 / 251 rejected",
    11: "pagination visits every job once",
    12: "CreateJob response and DescribeJob defaults",
    13: "duplicate jobId → 409",
    14: "unknown target → 404, nothing created",
    15: "document xor documentSource",
    16: "inProgressTimeoutInMinutes 0 / 10081 messages",
    17: "exponentialRate without maximumPerMinute",
    18: "rateIncreaseCriteria with both numbers",
    19: "retry criteria: 3 items / REJECTED",
    20: "GetJobDocument exact, placeholders unexpanded",
    21: "DeleteJob without force on IN_PROGRESS → 409; with force gone",
    22: "CancelJob cancels QUEUED executions, counters",
    23: "CancelJob force vs not on IN_PROGRESS",
    24: "reasonCode pattern",
    25: "CANCELED job deletable without force",
    26: "UpdateJob empty / on finished job",
    27: "UpdateJob empty response, lastUpdatedAt",
    28: "UpdateJob retries only to 0",
    29: "AssociateTargetsWithJob SNAPSHOT refused / CONTINUOUS adds",
    30: "SNAPSHOT completes when all executions terminal",
    31: "CONTINUOUS never completes on its own",
    32: "ListJobs status / targetSelection filters",
    33: "isConcurrent and processingTargets",
    34: "control-plane statusDetails in detailsMap, thingArn",
    35: "CancelJobExecution on QUEUED → version 2",
    36: "CancelJobExecution IN_PROGRESS without force / terminal → 409",
    37: "CancelJobExecution expectedVersion → VersionConflict",
    38: "DeleteJobExecution IN_PROGRESS without force / SUCCEEDED",
    39: "DescribeJobExecution unknown number → 404",
    40: "StartNext: IN_PROGRESS, version 2, startedAt, document",
    41: "StartNext again keeps old statusDetails and version",
    42: "$next describe does not start",
    43: "next-pending ordering",
    44: "includeJobDocument default true",
    45: "UpdateJobExecution response with / without includes",
    46: "update of a SUCCEEDED execution rejected",
    47: "device cannot set CANCELED / TIMED_OUT / REMOVED",
    48: "IN_PROGRESS → QUEUED rejected",
    49: "statusDetails kept when omitted, replaced when given",
    50: "stale expectedVersion rejected, unchanged",
    51: "statusDetails value / key validation",
    52: "stepTimeoutInMinutes 0 / 10081 / -1",
    53: "1-minute in-progress timeout → TIMED_OUT",
    54: "approximateSecondsBeforeTimedOut present / absent",
    55: "step timer capped by in-progress timer",
    56: "retries: new executions, counters per execution",
    57: "WIRE: get/accepted delivered without subscription",
    58: "WIRE: clientToken echoed",
    59: "$next/get with nothing pending → timestamp only",
    60: "update with expectedVersion 99 → VersionMismatch + executionState",
    61: "WIRE: non-JSON payload → InvalidJson",
    62: "MQTT jobDocument is an object",
    63: "first job: notify + notify-next payloads",
    64: "second job: notify only",
    65: "start-next on the head: no notify, no notify-next",
    66: "SUCCEEDED on the only job: notify {} then bare notify-next",
    67: "leaving a CONTINUOUS group: REMOVED + notifications",
    68: "re-join after SUCCEEDED: execution #2",
    69: "namespace topics",
    70: "JOB_EXECUTION events only when enabled",
    71: "JOB completed event",
    72: "CreateJobTemplate without description",
    73: "duplicate template → ConflictException",
    74: "template inheritance and override",
    75: "managed templates listed and described",
    76: "documentParameters with custom template rejected",
    77: "startTime +10 min rejected; +2 h SCHEDULED",
    78: "maintenance windows with SNAPSHOT rejected",
    79: "scheduledJobRollouts has 7 entries",
    80: "durationInMinutes 0 / 1431 rejected",
}

OPERATIONS = [
    # (operation, engine method)
    ("CreateJob", "create_job"), ("DescribeJob", "describe_job"), ("ListJobs", "list_jobs"),
    ("UpdateJob", "update_job"), ("CancelJob", "cancel_job"), ("DeleteJob", "delete_job"),
    ("GetJobDocument", "get_job_document"), ("AssociateTargetsWithJob", "associate_targets_with_job"),
    ("DescribeJobExecution (control)", "describe_job_execution"),
    ("ListJobExecutionsForJob", "list_job_executions_for_job"),
    ("ListJobExecutionsForThing", "list_job_executions_for_thing"),
    ("CancelJobExecution", "cancel_job_execution"), ("DeleteJobExecution", "delete_job_execution"),
    ("CreateJobTemplate", "create_job_template"), ("DescribeJobTemplate", "describe_job_template"),
    ("ListJobTemplates", "list_job_templates"), ("DeleteJobTemplate", "delete_job_template"),
    ("DescribeManagedJobTemplate", "describe_managed_job_template"),
    ("ListManagedJobTemplates", "list_managed_job_templates"),
    ("CreateThing", "create_thing"), ("DescribeThing", "describe_thing"), ("UpdateThing", "update_thing"),
    ("DeleteThing", "delete_thing"), ("ListThings", "list_things"),
    ("CreateThingGroup", "create_thing_group"), ("DescribeThingGroup", "describe_thing_group"),
    ("DeleteThingGroup", "delete_thing_group"), ("ListThingGroups", "list_thing_groups"),
    ("AddThingToThingGroup", "add_thing_to_thing_group"),
    ("RemoveThingFromThingGroup", "remove_thing_from_thing_group"),
    ("ListThingsInThingGroup", "list_things_in_thing_group"),
    ("ListThingGroupsForThing", "list_thing_groups_for_thing"),
    ("DescribeEndpoint", "describe_endpoint"),
    ("DescribeEventConfigurations", "describe_event_configurations"),
    ("UpdateEventConfigurations", "update_event_configurations"),
    ("GetPendingJobExecutions (device)", "get_pending_job_executions"),
    ("StartNextPendingJobExecution (device)", "start_next_pending_job_execution"),
    ("DescribeJobExecution (device)", "describe_job_execution_for_device"),
    ("UpdateJobExecution (device)", "update_job_execution"),
]

# World helpers that call an engine operation, so that tests using them count.
HELPERS = {
    "create_job": [r"\.create_job\(", r"\.try_create_job\(", r"\.job\("],
    "describe_job": [r"\.describe_job\("],
    "cancel_job": [r"\.cancel_job\(", r"try_cancel_job\("],
    "delete_job": [r"\.delete_job\(", r"try_delete_job\("],
    "create_thing": [r"\.create_thing\(", r"\.thing\("],
    "create_thing_group": [r"\.create_thing_group\(", r"\.group\("],
    "add_thing_to_thing_group": [r"add_thing_to_thing_group\(", r"add_to_group\("],
    "remove_thing_from_thing_group": [r"remove_thing_from_thing_group\(", r"remove_from_group\("],
    "delete_thing": [r"\.delete_thing\("],
    "start_next_pending_job_execution": [r"start_next_pending_job_execution\(", r"\.start_next\("],
    "update_job_execution": [r"\.update_job_execution\(", r"try_update\(", r"\.report\("],
    "get_pending_job_executions": [r"get_pending_job_executions\(", r"\.pending\("],
    "describe_job_execution_for_device": [r"describe_job_execution_for_device\(", r"\.next\("],
    "describe_job_execution": [r"\.describe_job_execution\(", r"\.execution\(", r"exec_status\("],
}

def tests_in(path):
    """Yields (test_name, cited_sections, body) for every #[test] fn (and proptest fn) in `path`."""
    lines = path.read_text().splitlines()
    in_proptest = False
    seen_starts = set()
    for i, line in enumerate(lines):
        if "proptest!" in line:
            in_proptest = True
        stripped = line.strip()
        is_test = stripped == "#[test]" or stripped.startswith("#[tokio::test")
        m = None
        if is_test:
            for j in range(i + 1, min(i + 4, len(lines))):
                m = re.match(r"\s*(?:pub\s+)?(?:async\s+)?fn\s+(\w+)", lines[j])
                if m:
                    start = j
                    break
        elif in_proptest:
            # Inside proptest!, a test is a fn whose parameters are drawn `name in strategy`.
            m = re.match(r"\s*fn\s+(\w+)\s*\(", line)
            start = i
            signature = " ".join(lines[i:i + 3])
            if m and not re.search(r"\w+\s+in\s+", signature.split("{")[0]):
                m = None
        if not m or start in seen_starts:
            continue
        seen_starts.add(start)
        # Comments directly above (skipping attributes) and the first lines of the body.
        cites = []
        k = i - 1
        while k >= 0 and (lines[k].strip().startswith("//") or lines[k].strip().startswith("#[")):
            cites.append(lines[k])
            k -= 1
        depth, body = 0, []
        for j in range(start, len(lines)):
            body.append(lines[j])
            depth += lines[j].count("{") - lines[j].count("}")
            if depth <= 0 and j > start:
                break
        cites.extend(l for l in body[:4] if l.strip().startswith("//"))
        text = " ".join(cites)
        sections = set(re.findall(r"§\s?(\d+(?:\.\d+)*)", text))
        yield m.group(1), sections, "\n".join(body)


def main():
    check = "--check" in sys.argv
    by_stmt = {n: [] for n in STATEMENTS}
    by_op = {m: [] for _, m in OPERATIONS}
    other = {}
    total = 0
    for path in sorted((ROOT / "src").rglob("*.rs")) + sorted((ROOT / "tests").rglob("*.rs")):
        text = path.read_text()
        if "#[test]" not in text and "#[tokio::test" not in text and "proptest!" not in text:
            continue
        rel = path.relative_to(ROOT)
        mod = str(rel.with_suffix("")).replace("src/", "").replace("/", "::")
        for name, sections, body in tests_in(path):
            total += 1
            qual = f"{mod}::{name}"
            for s in sections:
                parts = s.split(".")
                if parts[0] == "11" and len(parts) == 2 and int(parts[1]) in by_stmt:
                    by_stmt[int(parts[1])].append(qual)
                else:
                    other.setdefault(s, []).append(qual)
            for _, method in OPERATIONS:
                pats = HELPERS.get(method, [rf"\.{method}\("])
                if any(re.search(p, body) for p in pats):
                    by_op[method].append(qual)
    out = ["# Coverage", "",
           "Generated by `python3 tools/gen_coverage.py` from the test sources: a test counts for a",
           "spec statement when a comment above it cites the statement (`// §11.41`). Do not edit by hand.",
           "", f"Tests scanned: {total}.", "",
           "## Spec §11 statements", "",
           "| § | statement | tests |", "|---|---|---|"]
    missing = []
    for n, desc in STATEMENTS.items():
        tests = sorted(set(by_stmt[n]))
        if not tests and not desc.startswith("WIRE"):
            missing.append(n)
        cell = "<br>".join(f"`{t}`" for t in tests[:6]) + (f" (+{len(tests) - 6} more)" if len(tests) > 6 else "")
        if not tests:
            cell = "**wire level: the `jobrig serve` issue**" if desc.startswith("WIRE") else "**none**"
        out.append(f"| 11.{n} | {desc} | {cell} |")
    out += ["", "## Operations", "", "| operation | engine method | tests calling it |", "|---|---|---|"]
    for op, method in OPERATIONS:
        tests = sorted(set(by_op[method]))
        cell = f"{len(tests)} tests, e.g. " + ", ".join(f"`{t}`" for t in tests[:3]) if tests else "**none**"
        out.append(f"| {op} | `{method}` | {cell} |")
    out += ["", "## Other spec sections cited by tests", "", "| § | tests |", "|---|---|"]
    def key(s):
        return [int(p) for p in s.split(".")]
    for s in sorted(other, key=key):
        tests = sorted(set(other[s]))
        out.append(f"| {s} | {len(tests)}: " + ", ".join(f"`{t}`" for t in tests[:4]) + (" …" if len(tests) > 4 else "") + " |")
    if missing:
        out += ["", "## Behaviour statements without a test", "", ", ".join(f"§11.{n}" for n in missing)]
    text = "\n".join(out) + "\n"
    if check:
        if not OUT.exists() or OUT.read_text() != text:
            print("docs/coverage.md is out of date: run python3 tools/gen_coverage.py", file=sys.stderr)
            sys.exit(1)
        return
    OUT.write_text(text)
    print(f"wrote {OUT.relative_to(ROOT)}: {total} tests, {len(missing)} behaviour statements without a test")


if __name__ == "__main__":
    main()
