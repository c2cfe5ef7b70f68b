"""boto3 against `jobrig serve`: control plane (`iot`) and device data plane (`iot-jobs-data`).

Usage: python boto3_jobs.py http://127.0.0.1:PORT
Exits 0 and prints `boto3: N checks passed` when every check holds; raises otherwise.
"""
import datetime
import json
import sys

import boto3
import botocore.config

url = sys.argv[1]
kw = dict(
    endpoint_url=url,
    region_name="us-east-1",
    aws_access_key_id="test",
    aws_secret_access_key="test",
    config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}),
)
iot = boto3.client("iot", **kw)
data = boto3.client("iot-jobs-data", **kw)
checks = 0


def check(cond, what):
    global checks
    if not cond:
        raise AssertionError(what)
    checks += 1


def error_code(call):
    try:
        call()
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    raise AssertionError("expected an error")


# Control plane: things, jobs, times as datetimes (spec §11.5).
arn = iot.create_thing(thingName="py-dev")["thingArn"]
check(arn.endswith(":thing/py-dev"), "thing ARN")
created = iot.create_job(jobId="py-job", targets=[arn], document=json.dumps({"operation": "x"}))
check(created["jobId"] == "py-job" and created["jobArn"].endswith(":job/py-job"), "CreateJob response")
job = iot.describe_job(jobId="py-job")["job"]
check(job["status"] == "IN_PROGRESS" and job["targetSelection"] == "SNAPSHOT", "DescribeJob status")
check(isinstance(job["createdAt"], datetime.datetime), "createdAt parsed as a datetime")
check(job["createdAt"].year == 2026, "createdAt in seconds, not milliseconds")
check(job["jobProcessDetails"]["numberOfQueuedThings"] == 1, "counters")
check(iot.get_job_document(jobId="py-job")["document"] == json.dumps({"operation": "x"}), "GetJobDocument")

# Errors carry the modelled code and status (spec §11.7, §11.8, §11.13).
check(error_code(lambda: iot.describe_job(jobId="nope")) == ("ResourceNotFoundException", 404), "404")
check(
    error_code(lambda: iot.create_job(jobId="py-job", targets=[arn], document="{}"))
    == ("ResourceAlreadyExistsException", 409),
    "409 duplicate",
)
check(error_code(lambda: iot.create_job(jobId="bad.id", targets=[arn], document="{}"))[0] == "InvalidRequestException", "400")
try:
    iot.describe_job(jobId="nope")
except iot.exceptions.ResourceNotFoundException:
    checks += 1

# Pagination: the paginator visits every job exactly once (spec §11.11).
for i in range(5):
    iot.create_job(jobId=f"page-{i}", targets=[arn], document="{}")
ids = [j["jobId"] for page in iot.get_paginator("list_jobs").paginate(PaginationConfig={"PageSize": 2}) for j in page["jobs"]]
check(len(ids) == 6 and len(set(ids)) == 6, f"paginator visited {ids}")

# Device data plane (signing scope iot-jobs-data routes there, spec §11.2).
pending = data.get_pending_job_executions(thingName="py-dev")
check([j["jobId"] for j in pending["queuedJobs"]][0] == "py-job", "GetPendingJobExecutions")
check(pending["inProgressJobs"] == [], "no job in progress yet")
nxt = data.describe_job_execution(thingName="py-dev", jobId="$next")["execution"]
check(nxt["jobId"] == "py-job" and nxt["status"] == "QUEUED", "$next describe does not start")
started = data.start_next_pending_job_execution(thingName="py-dev", statusDetails={"step": "1"})["execution"]
check(started["status"] == "IN_PROGRESS" and started["versionNumber"] == 2, "StartNext")
check(isinstance(started["queuedAt"], int), "data-plane times are integers")
check(json.loads(started["jobDocument"]) == {"operation": "x"}, "jobDocument is a string")
stale = error_code(
    lambda: data.update_job_execution(thingName="py-dev", jobId="py-job", status="SUCCEEDED", expectedVersion=99)
)
check(stale == ("InvalidStateTransitionException", 409), f"stale expectedVersion: {stale}")
done = data.update_job_execution(
    thingName="py-dev", jobId="py-job", status="SUCCEEDED", expectedVersion=2, includeJobExecutionState=True
)
check(done["executionState"]["status"] == "SUCCEEDED" and done["executionState"]["versionNumber"] == 3, "update")
control_view = iot.describe_job_execution(jobId="py-job", thingName="py-dev")["execution"]
check(control_view["status"] == "SUCCEEDED" and "detailsMap" in control_view["statusDetails"], "control view")
check(iot.describe_job(jobId="py-job")["job"]["status"] == "COMPLETED", "SNAPSHOT job completed")
iot.create_thing(thingName="py-idle")
check("execution" not in data.start_next_pending_job_execution(thingName="py-idle"), "nothing pending: no execution (§11.4)")

print(f"boto3: {checks} checks passed")
