//! What changed between two snapshots and their evaluations: identities added and removed, grants added and
//! removed, findings new and resolved, and the tenant and framework score deltas. `idlens diff` prints it and the
//! report's trend is drawn from it.
//!
//! Identities are matched by principal id, else client id, else resource id (case-folded), else kind and name;
//! grants by identity, role and case-folded scope; findings by check and subject, counted as multisets (an
//! identity may have two findings of one check). Every list is sorted, so the same inputs give the same diff.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::checks::Evaluation;
use crate::ids::fold;
use crate::model::{GrantPrincipal, Identity, Snapshot};

/// An identity that appeared or disappeared.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct IdentityChange {
    pub name: String,
    pub kind: String,
    pub id: String,
}

/// A grant that appeared or disappeared.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GrantChange {
    /// The identity's display name (its id when it has none).
    pub identity: String,
    pub role: String,
    pub scope: String,
    /// The identity's principal id, else client id, else resource id (as [`IdentityChange::id`]); lets a viewer
    /// link the grant to the identity when it is still there.
    #[serde(default)]
    pub identity_id: String,
}

/// A finding that appeared or was resolved.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FindingChange {
    pub check_id: String,
    pub severity: String,
    pub identity: String,
    pub identity_id: String,
    pub message: String,
}

/// A score before and after (`None` = not assessed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoreDelta {
    pub key: String,
    pub name: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
}

impl ScoreDelta {
    /// after − before, when both were assessed.
    #[must_use]
    pub fn delta(&self) -> Option<f64> {
        Some(((self.after? - self.before?) * 10.0).round() / 10.0)
    }
}

/// The whole difference.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Diff {
    pub as_of_before: String,
    pub as_of_after: String,
    pub identities_before: u64,
    pub identities_after: u64,
    pub identities_added: Vec<IdentityChange>,
    pub identities_removed: Vec<IdentityChange>,
    pub grants_added: Vec<GrantChange>,
    pub grants_removed: Vec<GrantChange>,
    pub findings_new: Vec<FindingChange>,
    pub findings_resolved: Vec<FindingChange>,
    /// The tenant posture score.
    pub tenant: ScoreDelta,
    pub total_risk_before: u64,
    pub total_risk_after: u64,
    pub frameworks: Vec<ScoreDelta>,
}

fn identity_key(snap: &Snapshot, i: &Identity) -> String {
    if let Some(p) = i.principal_id {
        return p.to_string();
    }
    if let Some(c) = i.client_id {
        return format!("client:{c}");
    }
    if let Some(r) = i.resource_id {
        return fold(snap.str(r));
    }
    format!(
        "{}:{}",
        i.kind.id(),
        fold(snap.opt_str(i.display_name).unwrap_or(""))
    )
}

fn identity_change(snap: &Snapshot, i: &Identity) -> IdentityChange {
    let id = i
        .principal_id
        .or(i.client_id)
        .map(|g| g.canonical())
        .or_else(|| snap.opt_str(i.resource_id).map(str::to_owned))
        .unwrap_or_default();
    IdentityChange {
        name: snap.opt_str(i.display_name).unwrap_or(&id).to_owned(),
        kind: i.kind.id().to_owned(),
        id,
    }
}

fn identities(snap: &Snapshot) -> BTreeMap<String, IdentityChange> {
    snap.identities
        .iter()
        .map(|i| (identity_key(snap, i), identity_change(snap, i)))
        .collect()
}

fn grants(snap: &Snapshot) -> BTreeMap<(String, String, String), GrantChange> {
    let mut out = BTreeMap::new();
    for g in &snap.grants {
        let GrantPrincipal::Identity(ix) = g.principal else {
            continue;
        };
        let Some(identity) = snap.identities.get(ix as usize) else {
            continue;
        };
        let role = snap.roles.get(g.role as usize);
        let role_name = role
            .and_then(|r| {
                snap.opt_str(r.name)
                    .map(str::to_owned)
                    .or(r.guid.map(|g| g.canonical()))
            })
            .unwrap_or_default();
        let role_key = role
            .and_then(|r| r.guid.map(|g| g.canonical()))
            .unwrap_or_else(|| fold(&role_name));
        let scope = snap
            .scopes
            .get(g.scope as usize)
            .map(|s| snap.str(s.id).to_owned())
            .unwrap_or_default();
        let change = identity_change(snap, identity);
        out.insert(
            (identity_key(snap, identity), role_key, fold(&scope)),
            GrantChange {
                identity: change.name,
                role: role_name,
                scope,
                identity_id: change.id,
            },
        );
    }
    out
}

fn findings(eval: &Evaluation) -> BTreeMap<(String, String), Vec<FindingChange>> {
    let mut out: BTreeMap<(String, String), Vec<FindingChange>> = BTreeMap::new();
    for f in eval.findings.iter().filter(|f| f.open()) {
        let key = (f.check_id.to_string(), fold(&f.identity.id));
        out.entry(key).or_default().push(FindingChange {
            check_id: f.check_id.to_string(),
            severity: f.severity.id().to_owned(),
            identity: f.identity.name.clone(),
            identity_id: f.identity.id.clone(),
            message: f.message.clone(),
        });
    }
    for v in out.values_mut() {
        crate::order::sort(v);
    }
    out
}

/// Items of `a` whose key is not in `b` (sorted by value).
fn missing<K: Ord, V: Clone + Ord>(a: &BTreeMap<K, V>, b: &BTreeMap<K, V>) -> Vec<V> {
    let mut out: Vec<V> = a
        .iter()
        .filter(|(k, _)| !b.contains_key(k))
        .map(|(_, v)| v.clone())
        .collect();
    crate::order::sort(&mut out);
    out
}

/// Findings of `a` beyond the count of the same (check, subject) in `b`.
fn surplus(
    a: &BTreeMap<(String, String), Vec<FindingChange>>,
    b: &BTreeMap<(String, String), Vec<FindingChange>>,
) -> Vec<FindingChange> {
    let mut out = Vec::new();
    for (k, list) in a {
        let n = b.get(k).map_or(0, Vec::len);
        out.extend(list.iter().skip(n).cloned());
    }
    crate::order::sort(&mut out);
    out
}

/// The difference from (`old`, `old_eval`) to (`new`, `new_eval`).
#[must_use]
pub fn diff(old: &Snapshot, old_eval: &Evaluation, new: &Snapshot, new_eval: &Evaluation) -> Diff {
    let (ia, ib) = (identities(old), identities(new));
    let (ga, gb) = (grants(old), grants(new));
    let (fa, fb) = (findings(old_eval), findings(new_eval));
    let frameworks = new_eval
        .posture
        .frameworks
        .iter()
        .map(|f| ScoreDelta {
            key: f.key.clone(),
            name: f.name.clone(),
            before: old_eval
                .posture
                .frameworks
                .iter()
                .find(|o| o.key == f.key)
                .and_then(|o| o.score),
            after: f.score,
        })
        .collect();
    Diff {
        as_of_before: old_eval.as_of.clone(),
        as_of_after: new_eval.as_of.clone(),
        identities_before: old.identities.len() as u64,
        identities_after: new.identities.len() as u64,
        identities_added: missing(&ib, &ia),
        identities_removed: missing(&ia, &ib),
        grants_added: missing(&gb, &ga),
        grants_removed: missing(&ga, &gb),
        findings_new: surplus(&fb, &fa),
        findings_resolved: surplus(&fa, &fb),
        tenant: ScoreDelta {
            key: "tenant".into(),
            name: "Tenant posture".into(),
            before: old_eval.posture.tenant.score,
            after: new_eval.posture.tenant.score,
        },
        total_risk_before: old_eval.posture.tenant.total_risk,
        total_risk_after: new_eval.posture.tenant.total_risk,
        frameworks,
    }
}

/// A plain-text rendering for the terminal.
#[must_use]
pub fn text(d: &Diff) -> String {
    use std::fmt::Write as _;
    let score = |s: Option<f64>| s.map_or_else(|| "not assessed".to_owned(), |v| format!("{v:.1}"));
    let mut out = String::new();
    let _ = writeln!(out, "as of {} -> {}", d.as_of_before, d.as_of_after);
    let _ = writeln!(
        out,
        "tenant posture {} -> {}{}",
        score(d.tenant.before),
        score(d.tenant.after),
        d.tenant
            .delta()
            .map_or_else(String::new, |x| format!(" ({x:+.1})"))
    );
    let _ = writeln!(
        out,
        "total risk {} -> {}; identities {} -> {}",
        d.total_risk_before, d.total_risk_after, d.identities_before, d.identities_after
    );
    for f in &d.frameworks {
        let _ = writeln!(
            out,
            "  {}: {} -> {}",
            f.name,
            score(f.before),
            score(f.after)
        );
    }
    let _ = writeln!(
        out,
        "identities +{} -{}; grants +{} -{}; findings new {} resolved {}",
        d.identities_added.len(),
        d.identities_removed.len(),
        d.grants_added.len(),
        d.grants_removed.len(),
        d.findings_new.len(),
        d.findings_resolved.len()
    );
    for i in &d.identities_added {
        let _ = writeln!(out, "+ identity {} ({}, {})", i.name, i.kind, i.id);
    }
    for i in &d.identities_removed {
        let _ = writeln!(out, "- identity {} ({}, {})", i.name, i.kind, i.id);
    }
    for g in &d.grants_added {
        let _ = writeln!(out, "+ grant {} {} at {}", g.identity, g.role, g.scope);
    }
    for g in &d.grants_removed {
        let _ = writeln!(out, "- grant {} {} at {}", g.identity, g.role, g.scope);
    }
    for f in &d.findings_new {
        let _ = writeln!(
            out,
            "+ finding {} {} {}: {}",
            f.severity, f.check_id, f.identity, f.message
        );
    }
    for f in &d.findings_resolved {
        let _ = writeln!(
            out,
            "- finding {} {} {}: {}",
            f.severity, f.check_id, f.identity, f.message
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{GenerateOptions, generate};
    use crate::ingest::{Ingest, IngestOptions};
    use crate::policy::Policy;

    fn tenant(opts: &GenerateOptions, skip: usize) -> Snapshot {
        let mut ingest = Ingest::new(IngestOptions::default());
        for file in generate(opts) {
            ingest.begin_file(&file.name);
            if file.name == "role-assignments.json" && skip > 0 {
                // Drop the first `skip` assignments: re-serialise the array without them.
                let v: Vec<serde_json::Value> =
                    serde_json::from_slice(&file.bytes).unwrap_or_default();
                let bytes = serde_json::to_vec(&v[skip.min(v.len())..]).unwrap_or_default();
                ingest.push(&bytes);
            } else {
                ingest.push(&file.bytes);
            }
            ingest.end_file();
        }
        ingest.finish()
    }

    #[test]
    fn same_snapshot_no_change_and_removed_grants_are_seen() {
        let opts = GenerateOptions {
            identities: 40,
            assignments: 120,
            ..GenerateOptions::demo()
        };
        let a = tenant(&opts, 0);
        let b = tenant(&opts, 10);
        let policy = Policy::default();
        let ea = crate::checks::evaluate(&a, &policy, opts.as_of_unix);
        let eb = crate::checks::evaluate(&b, &policy, opts.as_of_unix);
        let same = diff(&a, &ea, &a, &ea);
        assert!(same.identities_added.is_empty() && same.grants_removed.is_empty());
        assert!(same.findings_new.is_empty() && same.findings_resolved.is_empty());
        assert_eq!(same.tenant.delta().unwrap_or(0.0), 0.0);
        let d = diff(&a, &ea, &b, &eb);
        assert!(!d.grants_removed.is_empty(), "{}", text(&d));
        assert!(d.grants_added.is_empty());
        let back = diff(&b, &eb, &a, &ea);
        assert_eq!(back.grants_added, d.grants_removed);
        assert_eq!(back.findings_new, d.findings_resolved);
        assert_eq!(d, diff(&a, &ea, &b, &eb));
    }
}
