//! Real third-party clients against `jobrig serve`: boto3 (both planes), the AWS CLI, and the AWS
//! IoT Device SDK v2 `IotJobsClientV2` over MQTT 5. The test creates its own Python venv under
//! `target/tmp/interop-venv` from `tests/interop/requirements.txt`; nothing is installed by hand.
//! These tests are never skipped: a machine that cannot build the venv fails them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Duration;

use jobrig::serve::{Running, ServeConfig, start};
use serde_json::Value;

const REQUIREMENTS: &str = include_str!("interop/requirements.txt");

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop")
}

/// The venv, created once per machine (re-created when the requirements change).
fn venv() -> &'static Path {
    static VENV: OnceLock<PathBuf> = OnceLock::new();
    VENV.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("interop-venv");
        let stamp = dir.join("jobrig-requirements.txt");
        if std::fs::read_to_string(&stamp).ok().as_deref() == Some(REQUIREMENTS) {
            return dir;
        }
        let _ = std::fs::remove_dir_all(&dir);
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&dir)
            .status()
            .expect("python3 is needed for the interop tests");
        assert!(made.success(), "python3 -m venv failed");
        let pip = Command::new(dir.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(interop_dir().join("requirements.txt"))
            .output()
            .expect("pip runs");
        assert!(
            pip.status.success(),
            "pip install failed:\n{}",
            String::from_utf8_lossy(&pip.stderr)
        );
        std::fs::write(&stamp, REQUIREMENTS).expect("write the venv stamp");
        dir
    })
}

async fn serve() -> Running {
    start(ServeConfig::ephemeral())
        .await
        .expect("jobrig serve starts")
}

/// Runs a program from the venv with AWS settings that can only reach the test server.
async fn run(program: &str, args: Vec<String>) -> Output {
    let bin = venv().join("bin").join(program);
    let child = tokio::process::Command::new(bin)
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("PYTHONUNBUFFERED", "1")
        .kill_on_drop(true)
        .output();
    tokio::time::timeout(Duration::from_secs(120), child)
        .await
        .expect("safety net: the client finished")
        .expect("the client runs")
}

fn assert_ok(out: &Output, expect: &str) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains(expect),
        "status {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boto3_drives_the_control_and_data_planes() {
    // §11.2, §11.5, §11.6, §11.7, §11.11 with a real botocore client
    let running = serve().await;
    let script = interop_dir().join("boto3_jobs.py");
    let out = run(
        "python",
        vec![
            script.display().to_string(),
            format!("http://{}", running.http),
        ],
    )
    .await;
    assert_ok(&out, "checks passed");
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_cli_manages_jobs_and_reads_pending_executions() {
    // §11.12 and §11.2 through the AWS CLI with --endpoint-url
    let running = serve().await;
    let url = format!("http://{}", running.http);
    let aws = |args: &[&str]| {
        let mut v: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        v.extend([
            "--endpoint-url".into(),
            url.clone(),
            "--output".into(),
            "json".into(),
        ]);
        run("aws", v)
    };
    let thing = aws(&["iot", "create-thing", "--thing-name", "cli-dev"]).await;
    assert_ok(&thing, "thingArn");
    let arn = serde_json::from_slice::<Value>(&thing.stdout).expect("JSON")["thingArn"]
        .as_str()
        .expect("arn")
        .to_string();
    let job = aws(&[
        "iot",
        "create-job",
        "--job-id",
        "cli-job",
        "--targets",
        &arn,
        "--document",
        r#"{"operation":"cli"}"#,
    ])
    .await;
    assert_ok(&job, "cli-job");
    let list = aws(&["iot", "list-jobs"]).await;
    assert_ok(&list, "cli-job");
    let jobs = serde_json::from_slice::<Value>(&list.stdout).expect("JSON");
    assert_eq!(jobs["jobs"][0]["status"], "IN_PROGRESS");
    let pending = aws(&[
        "iot-jobs-data",
        "get-pending-job-executions",
        "--thing-name",
        "cli-dev",
    ])
    .await;
    assert_ok(&pending, "queuedJobs");
    let pending = serde_json::from_slice::<Value>(&pending.stdout).expect("JSON");
    assert_eq!(pending["queuedJobs"][0]["jobId"], "cli-job");
    let missing = aws(&["iot", "describe-job", "--job-id", "nope"]).await;
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("ResourceNotFoundException"));
    running.shutdown().await;
}

/// Runs the Device SDK v2 jobs script over `transport` (tcp, ws, ws-signed).
async fn device_sdk(transport: &str) {
    let running = serve().await;
    let port = match transport {
        "tcp" => running.mqtt.expect("an MQTT listener").port(),
        _ => running.http.port(),
    };
    let script = interop_dir().join("device_sdk_jobs.py");
    let out = run(
        "python",
        vec![
            script.display().to_string(),
            format!("http://{}", running.http),
            "127.0.0.1".into(),
            port.to_string(),
            transport.into(),
        ],
    )
    .await;
    assert_ok(&out, &format!("over {transport}: "));
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_sdk_v2_completes_a_job_over_mqtt5() {
    // §4, §11.57, §11.58, §11.60, §11.62, §11.66 with the AWS IoT Device SDK v2 jobs client
    device_sdk("tcp").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_sdk_v2_completes_a_job_over_an_unsigned_websocket() {
    // Issue 7: `/mqtt`, subprotocol mqtt, no signature
    device_sdk("ws").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_sdk_v2_completes_a_job_over_a_sigv4_signed_websocket() {
    // Issue 7: the upgrade signed with X-Amz-* query parameters, as the SDK signs it
    device_sdk("ws-signed").await;
}
