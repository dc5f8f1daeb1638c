//! Report tests: every section present, hostile text escaped, byte-identical output, and the size per identity on a
//! generated 10k-identity tenant.

use super::*;
use crate::generate::{GenerateOptions, generate};
use crate::ingest::{Ingest, IngestOptions};

/// Names, tags and descriptions an attacker could plant in an export.
pub(crate) const HOSTILE: [&str; 5] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(2)>",
    "=HYPERLINK(\"http://evil.example/\",\"x\")",
    "</td></tr></table><h1>broken</h1>",
    "Zürich-東京-\u{202e}fdp.exe",
];

/// A tiny `az identity list` + `az role assignment list` pair with hostile display names and tags.
pub(crate) fn hostile_files() -> Vec<(String, Vec<u8>)> {
    let sub = "11111111-2222-4333-8444-555555555555";
    let tenant = "99999999-8888-4777-8666-555555555555";
    let mut identities = Vec::new();
    let mut assignments = Vec::new();
    for (i, name) in HOSTILE.iter().enumerate() {
        let principal = format!("aaaaaaaa-0000-4000-8000-00000000000{i}");
        let rg = format!("rg-hostile-{i}");
        let id = format!(
            "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}"
        );
        identities.push(serde_json::json!({
            "clientId": format!("bbbbbbbb-0000-4000-8000-00000000000{i}"),
            "id": id,
            "location": "westeurope",
            "name": name,
            "principalId": principal,
            "resourceGroup": rg,
            "tags": {"owner": name, "env": "prod", "note": "@SUM(1+1)*cmd|' /C calc'!A0"},
            "tenantId": tenant,
            "type": "Microsoft.ManagedIdentity/userAssignedIdentities"
        }));
        assignments.push(serde_json::json!({
            "id": format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleAssignments/cccccccc-0000-4000-8000-00000000000{i}"),
            "name": format!("cccccccc-0000-4000-8000-00000000000{i}"),
            "principalId": principal,
            "principalName": name,
            "principalType": "ServicePrincipal",
            "roleDefinitionId": format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"),
            "roleDefinitionName": "Owner",
            "scope": format!("/subscriptions/{sub}"),
            "description": name
        }));
    }
    vec![
        (
            "identities.json".to_owned(),
            serde_json::to_vec_pretty(&identities).unwrap_or_default(),
        ),
        (
            "role-assignments.json".to_owned(),
            serde_json::to_vec_pretty(&assignments).unwrap_or_default(),
        ),
    ]
}

pub(crate) fn ingest(files: &[(String, Vec<u8>)]) -> Snapshot {
    let mut ingest = Ingest::new(IngestOptions::default());
    for (name, bytes) in files {
        ingest.begin_file(name);
        ingest.push(bytes);
        ingest.end_file();
    }
    ingest.finish()
}

pub(crate) fn tenant(opts: &GenerateOptions) -> Snapshot {
    let files: Vec<(String, Vec<u8>)> = generate(opts)
        .into_iter()
        .map(|f| (f.name, f.bytes))
        .collect();
    ingest(&files)
}

fn render_snapshot(snap: &Snapshot, as_of: i64) -> String {
    let policy = Policy::default();
    let eval = crate::checks::evaluate(snap, &policy, as_of);
    let plan = crate::remediate::plan(snap, &policy, as_of, &eval);
    render(&ReportInput {
        snapshot: snap,
        evaluation: &eval,
        plan: &plan,
        policy: &policy,
        policy_label: "default".into(),
        inputs: snap
            .files
            .iter()
            .map(|f| InputDigest {
                path: f.path.clone(),
                sha256: "0".repeat(64),
                size_bytes: f.size_bytes,
            })
            .collect(),
        trend: None,
        pseudonymised: false,
    })
}

#[test]
fn demo_report_has_every_section_and_is_deterministic() {
    let opts = GenerateOptions::demo();
    let snap = tenant(&opts);
    let a = render_snapshot(&snap, opts.as_of_unix);
    let b = render_snapshot(&tenant(&opts), opts.as_of_unix);
    assert!(a == b, "two renders differ");
    for (id, title) in SECTIONS {
        assert!(
            a.contains(&format!("<section id=\"{id}\"><h2>{title}</h2>")),
            "{id}"
        );
    }
    assert!(a.contains(CSP));
    assert!(!a.to_ascii_lowercase().contains("<script"));
    assert!(!a.contains("http://") || !a.contains("src=\"http"));
    assert_eq!(a.matches("<svg").count(), 6);
    assert!(a.contains("Not assessed") || a.contains("not assessed"));
}

#[test]
fn hostile_text_is_escaped() {
    let snap = ingest(&hostile_files());
    assert_eq!(snap.identities.len(), HOSTILE.len());
    let html = render_snapshot(&snap, crate::generate::DEMO_AS_OF_UNIX);
    for h in HOSTILE {
        if h.contains(['<', '>', '"']) {
            assert!(!html.contains(h), "raw hostile text in report: {h}");
            assert!(
                html.contains(&escape::escape(h)),
                "escaped text missing: {h}"
            );
        }
    }
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("<script"));
    assert!(!lower.contains("<img"));
    assert!(!lower.contains("<h1>broken"));
    // The only elements are the report's own.
    for tag in [
        "<iframe", "<object", "<embed", "<link", "<base", "<form", "<a ",
    ] {
        assert!(!lower.contains(tag), "{tag}");
    }
}

#[test]
fn size_per_identity_on_a_10k_tenant() {
    let shell = render_snapshot(&ingest(&[]), crate::generate::DEMO_AS_OF_UNIX).len();
    let opts = GenerateOptions {
        identities: 10_000,
        assignments: 50_000,
        ..GenerateOptions::demo()
    };
    let snap = tenant(&opts);
    let html = render_snapshot(&snap, opts.as_of_unix);
    let n = snap.identities.len();
    let per = (html.len() - shell) as f64 / n as f64;
    println!(
        "report: shell {shell} B; {n} identities: {} B total, {per:.1} B per identity beyond the shell",
        html.len()
    );
    assert!(shell <= 1 << 20, "shell {shell} B");
    assert!(
        html.len() <= (1 << 20) + 100 * n,
        "{} B for {n} identities",
        html.len()
    );
}
