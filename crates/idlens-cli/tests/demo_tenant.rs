//! The checked-in demo tenant (`demo/tenant/`) must be exactly what `idlens generate` writes today, so the files
//! users look at never drift from the generator. Also exercises the `generate` subcommand end to end.

use std::path::{Path, PathBuf};
use std::process::Command;

use idlens_core::generate::FILE_NAMES;

const REGENERATE: &str = "cargo run --bin idlens -- generate --out demo/tenant --seed 7 --identities 300 --assignments 1500 --as-of 2026-11-01";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn checked_in_demo_tenant_equals_the_generator_output() {
    let out = std::env::temp_dir().join(format!("idlens-demo-tenant-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let status = Command::new(env!("CARGO_BIN_EXE_idlens"))
        .args([
            "generate",
            "--seed",
            "7",
            "--identities",
            "300",
            "--assignments",
            "1500",
            "--as-of",
            "2026-11-01",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap_or_else(|e| panic!("cannot run idlens: {e}"));
    assert!(
        status.status.success(),
        "idlens generate failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let demo = repo_root().join("demo/tenant");
    let mut stale = Vec::new();
    for name in FILE_NAMES {
        let fresh = std::fs::read(out.join(name)).unwrap_or_default();
        let checked_in = std::fs::read(demo.join(name)).unwrap_or_default();
        if fresh.is_empty() || fresh != checked_in {
            stale.push(name);
        }
    }
    let _ = std::fs::remove_dir_all(&out);
    assert!(
        stale.is_empty(),
        "demo/tenant is out of date with the generator ({stale:?} differ).\nRegenerate it from the repository root with:\n  {REGENERATE}\nand commit the result."
    );
}

#[test]
fn generate_refuses_a_bad_date() {
    let out = std::env::temp_dir().join(format!("idlens-bad-date-{}", std::process::id()));
    let run = Command::new(env!("CARGO_BIN_EXE_idlens"))
        .args(["generate", "--as-of", "2026-02-30", "--out"])
        .arg(&out)
        .output()
        .unwrap_or_else(|e| panic!("cannot run idlens: {e}"));
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("YYYY-MM-DD"));
    assert!(
        !out.exists(),
        "nothing is written when the arguments are wrong"
    );
}

#[test]
fn findings_timings_split_the_load_into_read_and_link() {
    // The benchmarks read this line: every phase is there, and read + link make up the load.
    let json = std::env::temp_dir().join(format!("idlens-timings-{}.json", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_idlens"))
        .args([
            "findings",
            "--as-of",
            "2026-11-01",
            "--format",
            "json",
            "--timings",
            "-o",
        ])
        .arg(&json)
        .arg(repo_root().join("demo/tenant"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run idlens: {e}"));
    let _ = std::fs::remove_file(&json);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr
        .lines()
        .find_map(|l| l.strip_prefix("IDLENS_TIMINGS "))
        .unwrap_or_else(|| panic!("no timings line in {stderr}"));
    let ms = |name: &str| -> f64 {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {line}"))
    };
    let (load, read, link) = (ms("load_ms"), ms("read_ms"), ms("link_ms"));
    for name in ["evaluate_ms", "plan_ms", "output_ms"] {
        assert!(ms(name) >= 0.0, "{name} in {line}");
    }
    assert!(read > 0.0 && link > 0.0, "{line}");
    assert!((read + link - load).abs() <= 0.2, "{line}");
}
