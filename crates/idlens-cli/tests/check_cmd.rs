//! `idlens check` is a pipeline gate: its exit code is the contract. 1 when an unwaived finding at or above
//! `--fail-on` exists, 0 when none does, 2 when the input is unusable; the findings it lists name their scope.

use std::path::PathBuf;
use std::process::{Command, Output};

fn demo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/tenant"))
}

fn check(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_idlens"))
        .arg("check")
        .args(args)
        .output()
        .expect("run idlens")
}

#[test]
fn open_critical_findings_fail_the_gate_and_show_their_scope() {
    let demo = demo();
    let out = check(&[
        demo.to_str().unwrap(),
        "--as-of",
        "2026-11-01",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("NHI-P-001"), "{stderr}");
    assert!(
        stderr.contains("[/subscriptions/"),
        "grants name their scope: {stderr}"
    );
}

#[test]
fn waived_findings_pass_the_gate() {
    let dir = std::env::temp_dir().join(format!("idlens-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("waive-all.json");
    std::fs::write(
        &policy,
        r#"{"waivers":[{"check_id":"*","identity":"*","justification":"test","approver":"ci","expires":"2030-01-01"}]}"#,
    )
    .unwrap();
    let demo = demo();
    let out = check(&[
        demo.to_str().unwrap(),
        "--as-of",
        "2026-11-01",
        "--fail-on",
        "low",
        "--policy",
        policy.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn unusable_input_exits_2() {
    let dir = std::env::temp_dir().join(format!("idlens-check-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let notes = dir.join("notes.txt");
    std::fs::write(&notes, "not an export").unwrap();
    let out = check(&[
        notes.to_str().unwrap(),
        "--as-of",
        "2026-11-01",
        "--fail-on",
        "high",
    ]);
    assert_eq!(out.status.code(), Some(2));
}
