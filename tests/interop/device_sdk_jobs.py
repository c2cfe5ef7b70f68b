"""The AWS IoT Device SDK v2 `IotJobsClientV2` over MQTT 5 against `jobrig serve`.

Usage: python device_sdk_jobs.py http://127.0.0.1:HTTP 127.0.0.1 PORT [tcp|ws|ws-signed]
The device subscribes to notify-next, the job is created over HTTP (boto3), then the device
starts it, is refused a stale update (VersionMismatch) and finishes it. `tcp` connects to the MQTT
port; `ws` and `ws-signed` connect to `/mqtt` on the HTTP port over WebSocket, the latter with the
upgrade SigV4-signed exactly as the SDK's `websockets_with_default_aws_signing` builder signs it.
The SDK's builders always set up TLS, so the client is built from awscrt.mqtt5 directly.
"""
import json
import queue
import sys
import threading

import awsiot
import boto3
from awscrt import auth, mqtt5, mqtt_request_response
from awsiot import iotjobs

url, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
transport = sys.argv[4] if len(sys.argv) > 4 else "tcp"
THING = f"sdk-{transport}"
JOB = "sdk-job"
TIMEOUT = 15
checks = 0


def check(cond, what):
    global checks
    if not cond:
        raise AssertionError(what)
    checks += 1


iot = boto3.client(
    "iot", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
)
arn = iot.create_thing(thingName=THING)["thingArn"]

def unsigned_handshake(transform_args, **kwargs):
    transform_args.set_done()


def signed_handshake(transform_args, **kwargs):
    try:
        config = auth.AwsSigningConfig(
            algorithm=auth.AwsSigningAlgorithm.V4,
            signature_type=auth.AwsSignatureType.HTTP_REQUEST_QUERY_PARAMS,
            credentials_provider=auth.AwsCredentialsProvider.new_static("test", "test"),
            region="us-east-1",
            service="iotdevicegateway",
            omit_session_token=True,
        )
        signing = auth.aws_sign_request(transform_args.http_request, config)
        signing.add_done_callback(lambda f: transform_args.set_done(f.exception()))
    except Exception as e:  # the SDK reports signing failures through the transform
        transform_args.set_done(e)


handshake = {"tcp": None, "ws": unsigned_handshake, "ws-signed": signed_handshake}[transport]
connected = threading.Event()
client = mqtt5.Client(
    mqtt5.ClientOptions(
        host_name=host,
        port=port,
        websocket_handshake_transform=handshake,
        connect_options=mqtt5.ConnectPacket(client_id=THING, keep_alive_interval_sec=30),
        on_lifecycle_event_connection_success_fn=lambda _: connected.set(),
    )
)
client.start()
check(connected.wait(TIMEOUT), "MQTT 5 connection")

jobs = iotjobs.IotJobsClientV2(
    client,
    mqtt_request_response.ClientOptions(
        max_request_response_subscriptions=4, max_streaming_subscriptions=2, operation_timeout_in_seconds=TIMEOUT
    ),
)

events = queue.Queue()
subscribed = threading.Event()


def on_status(ev):
    if ev.type == mqtt_request_response.SubscriptionStatusEventType.SUBSCRIPTION_ESTABLISHED:
        subscribed.set()


stream = jobs.create_next_job_execution_changed_stream(
    iotjobs.NextJobExecutionChangedSubscriptionRequest(thing_name=THING),
    awsiot.ServiceStreamOptions(incoming_event_listener=events.put, subscription_status_listener=on_status),
)
stream.open()
check(subscribed.wait(TIMEOUT), "notify-next subscription")

iot.create_job(jobId=JOB, targets=[arn], document=json.dumps({"operation": "jobrig-test"}))
event = events.get(timeout=TIMEOUT)
check(event.execution is not None and event.execution.job_id == "sdk-job", "notify-next names the job")
check(event.execution.job_document == {"operation": "jobrig-test"}, "jobDocument is an object")

pending = jobs.get_pending_job_executions(iotjobs.GetPendingJobExecutionsRequest(thing_name=THING)).result(TIMEOUT)
check([j.job_id for j in pending.queued_jobs] == ["sdk-job"], "get pending")

started = jobs.start_next_pending_job_execution(
    iotjobs.StartNextPendingJobExecutionRequest(thing_name=THING)
).result(TIMEOUT)
check(started.execution.status == "IN_PROGRESS" and started.execution.version_number == 2, "start-next")

try:
    jobs.update_job_execution(
        iotjobs.UpdateJobExecutionRequest(thing_name=THING, job_id="sdk-job", status="SUCCEEDED", expected_version=99)
    ).result(TIMEOUT)
    raise AssertionError("a stale expectedVersion must be rejected")
except awsiot.V2ServiceException as e:
    check(e.modeled_error is not None and e.modeled_error.code == "VersionMismatch", f"VersionMismatch: {e.message}")
    check(e.modeled_error.execution_state.version_number == 2, "rejection carries the execution state")

done = jobs.update_job_execution(
    iotjobs.UpdateJobExecutionRequest(
        thing_name=THING, job_id="sdk-job", status="SUCCEEDED", expected_version=2, include_job_execution_state=True
    )
).result(TIMEOUT)
check(done.execution_state.status == "SUCCEEDED", "update accepted")

emptied = events.get(timeout=TIMEOUT)
check(emptied.execution is None, "notify-next is bare once the queue is empty")
described = jobs.describe_job_execution(
    iotjobs.DescribeJobExecutionRequest(thing_name=THING, job_id="sdk-job")
).result(TIMEOUT)
check(described.execution.status == "SUCCEEDED", "describe after completion")

client.stop()
print(f"device-sdk over {transport}: {checks} checks passed")
