//! `--pseudonymise --key FILE` on `idlens report` and `idlens findings`: a missing key file is created with a fresh
//! key, the lookup table goes to its own file (never into the output), the same key gives the same bytes, and no
//! identity name of the demo tenant appears in the output.

use std::path::{Path, PathBuf};
use std::process::Command;

fn demo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/tenant"))
}

fn idlens(args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_idlens"))
        .args(args)
        .output()
        .expect("run idlens");
    assert!(
        out.status.success(),
        "idlens {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Display names of the demo tenant's identities (long enough to be unmistakable).
fn identity_names(dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join("identities.json"))
        .expect("the demo tenant has an identity export");
    let value: serde_json::Value = serde_json::from_str(&text).expect("json");
    let list = value.as_array().cloned().unwrap_or_default();
    list.iter()
        .filter_map(|i| i["name"].as_str())
        .filter(|n| n.len() >= 8)
        .map(str::to_owned)
        .collect()
}

#[test]
fn pseudonymised_report_and_findings_hide_names_and_keep_the_lookup_apart() {
    let dir = std::env::temp_dir().join(format!("idlens-pseudo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let key = dir.join("tenant.key");
    let _ = std::fs::remove_file(&key);
    let demo = demo();
    let names = identity_names(&demo);
    assert!(names.len() > 20, "names to look for: {}", names.len());

    let report = dir.join("report.html");
    let args = |out: &Path| {
        vec![
            "report".to_owned(),
            demo.display().to_string(),
            "--as-of".into(),
            "2026-11-01".into(),
            "-o".into(),
            out.display().to_string(),
            "--pseudonymise".into(),
            "--key".into(),
            key.display().to_string(),
        ]
    };
    let run = |out: &Path| {
        let a = args(out);
        idlens(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    run(&report);
    assert!(key.exists(), "the key file was created");
    let lookup_path = dir.join("tenant.key.lookup.json");
    let lookup: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&std::fs::read(&lookup_path).expect("lookup file")).expect("json");
    let html = std::fs::read_to_string(&report).expect("report");
    for name in &names {
        assert!(!html.contains(name.as_str()), "the report leaks {name}");
        assert!(
            lookup.values().any(|v| v == name.as_str()),
            "the lookup table maps a pseudonym back to {name}"
        );
    }
    for pseudonym in lookup.keys().take(50) {
        assert!(!pseudonym.is_empty());
    }

    // The same key again: byte for byte the same report.
    let again = dir.join("again.html");
    run(&again);
    assert_eq!(
        std::fs::read(&report).expect("report"),
        std::fs::read(&again).expect("again")
    );

    // Findings exports under the same key use the same pseudonyms.
    for format in ["json", "csv", "sarif", "ocsf"] {
        let out = idlens(&[
            "findings",
            demo.to_str().unwrap(),
            "--as-of",
            "2026-11-01",
            "--format",
            format,
            "--pseudonymise",
            "--key",
            key.to_str().unwrap(),
        ]);
        let text = String::from_utf8_lossy(&out.stdout);
        for name in &names {
            assert!(!text.contains(name.as_str()), "{format} leaks {name}");
        }
        assert!(
            lookup.keys().any(|p| text.contains(p.as_str())),
            "{format} uses the key's pseudonyms"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
