//! The `jobrig` binary as a user runs it: the main job and the benchmark command.

use std::process::Command;

fn jobrig(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_jobrig"))
        .args(args)
        .output()
        .expect("the jobrig binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn the_main_job_runs_every_scenario_and_reports_them_all_passed() {
    let (ok, stdout) = jobrig(&[]);
    assert!(ok, "exit status was a failure:\n{stdout}");
    let scenarios = jobrig::selfcheck::scenarios().len();
    assert!(scenarios >= 3);
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("ok ")).count(),
        scenarios
    );
    let summary = stdout.lines().last().unwrap_or_default();
    assert!(
        summary.starts_with(&format!("{scenarios} passed, 0 failed")),
        "summary line: {summary}"
    );
}

#[test]
fn the_check_subcommand_is_the_default_main_job() {
    let (ok, stdout) = jobrig(&["check"]);
    assert!(ok);
    assert!(stdout.contains("a 7-day in-progress timeout on the virtual clock"));
}

#[test]
fn bench_completes_every_execution_of_a_small_fleet() {
    let (ok, stdout) = jobrig(&["bench", "engine", "--things", "1500"]);
    assert!(ok, "{stdout}");
    let field = |name: &str| -> String {
        stdout
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().last())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(field("things"), "1500");
    assert_eq!(field("executions succeeded"), "1500");
    assert_eq!(field("device calls"), "3000");
    // 50 at minutes 0..=19 notify the first 1000; then 100/min at minutes 20..=24 notify 500 more.
    assert_eq!(field("emulator time covered  "), "min");
    let minutes = stdout
        .lines()
        .find(|l| l.starts_with("emulator time covered"))
        .and_then(|l| l.split_whitespace().nth(3));
    assert_eq!(minutes, Some("24"));
}

#[test]
fn an_unknown_subcommand_is_refused_with_usage() {
    let out = Command::new(env!("CARGO_BIN_EXE_jobrig"))
        .arg("frobnicate")
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Usage"));
}
