//! The leak test: no identifying string of the input appears in a pseudonymised report or export; the same key
//! gives the same pseudonyms; the lookup table round-trips.

use super::*;
use crate::generate::{DEMO_AS_OF_UNIX, GenerateOptions};
use crate::report::tests::{hostile_files, ingest, tenant};

/// Every identifying string of a snapshot, collected independently of the pseudonymiser.
fn identifying(snap: &Snapshot) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |v: Option<&str>| {
        if let Some(v) = v.map(str::trim).filter(|v| v.chars().count() >= MIN_LEN) {
            out.push(v.to_owned());
        }
    };
    for i in &snap.identities {
        push(snap.opt_str(i.display_name));
        for g in [
            i.principal_id,
            i.client_id,
            i.tenant_id,
            i.application_object_id,
        ]
        .into_iter()
        .flatten()
        {
            push(Some(&g.to_string()));
        }
        push(snap.opt_str(i.subscription));
        push(snap.opt_str(i.resource_group));
        for t in &i.tags {
            if !ENV_KEYS.contains(&snap.str(t.key).to_ascii_lowercase().as_str()) {
                push(Some(snap.str(t.value)));
            }
        }
        for o in &i.owners {
            push(snap.opt_str(o.name));
        }
    }
    for w in &snap.workloads {
        push(snap.opt_str(w.name));
        push(snap.opt_str(w.subscription));
        push(snap.opt_str(w.resource_group));
    }
    for g in &snap.grants {
        push(g.principal_id.map(|g| g.canonical()).as_deref());
        push(snap.opt_str(g.principal_name));
    }
    for f in &snap.federations {
        push(snap.opt_str(f.subject));
    }
    for a in &snap.credential_activity {
        let ids = [a.app_id, a.app_object_id, a.service_principal_object_id];
        for g in std::iter::once(a.key_id).chain(ids.into_iter().flatten()) {
            push(Some(&g.to_string()));
        }
    }
    out.sort();
    out.dedup();
    out
}

struct Outputs {
    all: Vec<(&'static str, String)>,
    lookup: BTreeMap<String, String>,
}

/// Every artifact, produced exactly as the CLI and the viewer produce them ([`crate::export::artifact`]).
fn outputs(snap: &Snapshot, key: &[u8]) -> Outputs {
    use crate::export::artifact::{self, ArtifactKind, Inputs};
    let policy = Policy::default();
    let eval = crate::checks::evaluate(snap, &policy, DEMO_AS_OF_UNIX);
    let plan = crate::remediate::plan(snap, &policy, DEMO_AS_OF_UNIX, &eval);
    let mut shown = snap.clone();
    let files_before = shown.files.clone();
    let inputs = Inputs {
        evaluation: &eval,
        plan: &plan,
        policy: &policy,
        policy_label: "default".into(),
        digests: Vec::new(),
        previous: None,
    };
    let mut all = Vec::new();
    let mut lookup = BTreeMap::new();
    for kind in ArtifactKind::ALL {
        let rendered = artifact::render(kind, &mut shown, &inputs, Some(key));
        assert!(
            shown.files == files_before,
            "the snapshot's files are put back"
        );
        lookup = rendered
            .lookup
            .expect("a pseudonymised artifact has a lookup table");
        all.push((kind.file_name(), rendered.text));
    }
    Outputs { all, lookup }
}

/// Text every report and export carries whatever the input (catalog titles, remediation, framework names):
/// a tag value such as `terraform` that is also an ordinary word there is not an identifier.
fn static_text() -> String {
    let mut s = String::new();
    for c in crate::catalog::CHECKS {
        for t in [c.title, c.finds, c.why, c.remediation] {
            s.push_str(t);
            s.push('\n');
        }
        for r in c.references {
            s.push_str(r);
        }
    }
    s.to_ascii_lowercase()
}

fn assert_no_leak(snap: &Snapshot) {
    let vocabulary = static_text();
    let (common, secrets): (Vec<String>, Vec<String>) = identifying(snap)
        .into_iter()
        .partition(|s| vocabulary.contains(&s.to_ascii_lowercase()));
    println!(
        "{} identifying strings checked; {} also ordinary catalog words: {common:?}",
        secrets.len(),
        common.len()
    );
    assert!(secrets.len() > 5);
    assert!(
        common.len() * 20 <= secrets.len().max(20),
        "too many skipped: {common:?}"
    );
    let out = outputs(snap, b"test key");
    for (what, text) in &out.all {
        let lower = text.to_ascii_lowercase();
        for s in &secrets {
            let l = s.to_ascii_lowercase();
            let escaped = crate::report::escape::escape(&l);
            let json = serde_json::to_string(&l).unwrap_or_default();
            let json = json.trim_matches('"');
            assert!(
                !lower.contains(&l) && !lower.contains(&escaped) && !lower.contains(json),
                "{what} leaks {s:?}"
            );
        }
    }
}

#[test]
fn no_identifying_string_leaks_from_the_demo_tenant() {
    assert_no_leak(&tenant(&GenerateOptions::demo()));
}

#[test]
fn no_identifying_string_leaks_from_hostile_names() {
    assert_no_leak(&ingest(&hostile_files()));
}

#[test]
fn same_key_same_pseudonyms_other_key_other_pseudonyms_and_lookup_round_trips() {
    let snap = tenant(&GenerateOptions::demo());
    let a = outputs(&snap, b"k1");
    let b = outputs(&tenant(&GenerateOptions::demo()), b"k1");
    let c = outputs(&snap, b"k2");
    assert_eq!(a.all, b.all, "same key, same output");
    assert_ne!(a.all[1].1, c.all[1].1, "another key, other pseudonyms");
    // Consistent across snapshots: a smaller tenant from the same seed shares names, and they map alike.
    let policy = Policy::default();
    let small = tenant(&GenerateOptions {
        identities: 60,
        assignments: 200,
        ..GenerateOptions::demo()
    });
    let p_big = Pseudonymiser::new(b"k1", &[&snap], &policy);
    let p_small = Pseudonymiser::new(b"k1", &[&small], &policy);
    let mut shared = 0;
    for (pseudo, real) in p_small.lookup() {
        if let Some(r) = p_big.lookup().get(pseudo) {
            assert_eq!(r.to_ascii_lowercase(), real.to_ascii_lowercase());
            shared += 1;
        }
    }
    assert!(shared > 10, "{shared}");
    // The lookup table maps every pseudonym in the outputs back to a real value, and survives JSON.
    let text = serde_json::to_string(&a.lookup).unwrap_or_default();
    let back: BTreeMap<String, String> = serde_json::from_str(&text).unwrap_or_default();
    assert_eq!(back, a.lookup);
    let p = Pseudonymiser::new(b"k1", &[&snap], &policy);
    for real in back.values().take(50) {
        let pseudo = p.apply(real);
        assert_eq!(
            back.get(&pseudo).map(|r| r.to_ascii_lowercase()),
            Some(real.to_ascii_lowercase())
        );
    }
    // The lookup table itself is never in an output.
    for (_, text) in &a.all {
        assert!(!text.contains("\"n-") || !text.contains(&text_of_lookup(&a.lookup)));
    }
}

fn text_of_lookup(l: &BTreeMap<String, String>) -> String {
    serde_json::to_string(l).unwrap_or_default()
}

#[test]
fn word_boundaries_and_paths() {
    let snap = ingest(&hostile_files());
    let p = Pseudonymiser::new(b"k", &[&snap], &Policy::default());
    let t = p.apply(
        "Owner at /subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/rg-hostile-1",
    );
    assert!(t.starts_with("Owner at /subscriptions/"), "{t}");
    assert!(
        !t.contains("11111111-2222") && !t.contains("rg-hostile-1"),
        "{t}"
    );
    assert_eq!(
        p.file("/home/acme/exports/identities.json"),
        "identities.json"
    );
    assert_eq!(p.file("C:\\acme\\x.zip!inner/dir/a.json"), "x.zip!a.json");
}
