//! A previous snapshot is judged as of the day it was taken when the user says so (`idlens diff --old-as-of`,
//! `idlens report --previous-as-of`), and as of the current audit date otherwise. Staleness and expiry depend on
//! that date, so the trend must not compare last month's export against today's clock without saying which.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn idlens(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_idlens"))
        .current_dir(repo_root())
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run idlens: {e}"));
    assert!(
        out.status.success(),
        "idlens {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The demo tenant one month earlier, written by the generator into a fresh temporary folder.
fn previous_month(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("idlens-prev-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let dir_text = dir.to_str().expect("utf-8 temp path");
    idlens(&[
        "generate",
        "--seed",
        "7",
        "--identities",
        "300",
        "--assignments",
        "1500",
        "--as-of",
        "2026-11-01",
        "--previous-month",
        "--out",
        dir_text,
    ]);
    dir
}

fn diff_json(old: &Path, extra: &[&str]) -> serde_json::Value {
    let old = old.to_str().expect("utf-8 temp path");
    let mut args = vec![
        "diff",
        old,
        "demo/tenant",
        "--as-of",
        "2026-11-01",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let out = idlens(&args);
    serde_json::from_slice(&out.stdout).expect("diff --format json prints JSON")
}

#[test]
fn diff_judges_the_old_snapshot_at_its_own_date_when_given() {
    let old = previous_month("diff");
    let same = diff_json(&old, &[]);
    let own = diff_json(&old, &["--old-as-of", "2026-10-01"]);
    let _ = std::fs::remove_dir_all(&old);

    assert_eq!(same["as_of_before"], same["as_of_after"]);
    assert!(
        own["as_of_before"]
            .as_str()
            .unwrap()
            .starts_with("2026-10-01"),
        "{}",
        own["as_of_before"]
    );
    assert!(
        own["as_of_after"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-01"),
        "{}",
        own["as_of_after"]
    );
    // Judged a month earlier, fewer of the old snapshot's identities are stale and fewer credentials have expired,
    // so the old side's findings differ, and with them what counts as new or resolved.
    assert_ne!(
        (&same["findings_new"], &same["findings_resolved"]),
        (&own["findings_new"], &own["findings_resolved"]),
        "the old snapshot's as-of date changed nothing"
    );
}

#[test]
fn diff_refuses_a_bad_old_date() {
    let out = Command::new(env!("CARGO_BIN_EXE_idlens"))
        .current_dir(repo_root())
        .args([
            "diff",
            "demo/tenant",
            "demo/tenant",
            "--old-as-of",
            "2026-13-01",
        ])
        .output()
        .expect("run idlens");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--old-as-of") && err.contains("2026-13-01"),
        "{err}"
    );
}

#[test]
fn report_trend_names_the_previous_snapshot_date() {
    let old = previous_month("report");
    let old_text = old.to_str().expect("utf-8 temp path").to_owned();
    let html_path = old.with_extension("html");
    let html_text = html_path.to_str().expect("utf-8 temp path");
    idlens(&[
        "report",
        "demo/tenant",
        "--as-of",
        "2026-11-01",
        "--previous",
        &old_text,
        "--previous-as-of",
        "2026-10-01",
        "-o",
        html_text,
    ]);
    let html = std::fs::read_to_string(&html_path).expect("report written");
    let _ = std::fs::remove_dir_all(&old);
    let _ = std::fs::remove_file(&html_path);
    assert!(
        html.contains("Against the snapshot as of 2026-10-01"),
        "the trend does not name the previous snapshot's date"
    );
}
