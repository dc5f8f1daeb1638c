//! The compare page: what changed from a baseline snapshot (an earlier export of the same tenant) to the loaded one.
//!
//! [`compare`] runs [`crate::diff::diff`] over both snapshots and their evaluations (the baseline is evaluated at
//! the current as-of under the current policy, so only the tenant changed, not the yardstick) and turns it into a
//! small answer: the posture before and after, per framework and for the tenant, a before/after chart, and capped
//! lists (with their totals) of identities added and removed, grants added and removed, findings new and resolved,
//! and the identities whose risk moved most. Identities still in the loaded snapshot carry their key (in every list:
//! identities, grants, findings, risk changes), so the page can link them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::charts::{self, Pair};
use crate::checks::Evaluation;
use crate::diff::{self, FindingChange, GrantChange, IdentityChange, ScoreDelta};
use crate::ids::fold;
use crate::model::Snapshot;

use super::{find_identity, identity_key, kind_from_id, kind_label};

/// The most items one list of the answer carries.
pub const LIST_CAP: usize = 100;
/// The most identities listed by risk change.
pub const RISK_CAP: usize = 20;

/// The first items of a list, and how many there are in all.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Capped<T> {
    pub total: usize,
    pub items: Vec<T>,
}

impl<T> Capped<T> {
    fn of(items: impl IntoIterator<Item = T>, cap: usize) -> Capped<T> {
        let mut total = 0;
        let mut kept = Vec::new();
        for item in items {
            total += 1;
            if kept.len() < cap {
                kept.push(item);
            }
        }
        Capped { total, items: kept }
    }
}

/// An identity that appeared or disappeared.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdentityChangeView {
    pub name: String,
    /// The kind in words.
    pub kind: String,
    /// Principal id, else client id, else resource id.
    pub id: String,
    /// Its key in the loaded snapshot (for a link), when it is there.
    pub key: Option<String>,
}

/// A grant that appeared or disappeared.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GrantChangeView {
    /// The identity's display name.
    pub identity: String,
    pub role: String,
    pub scope: String,
    /// The identity's key in the loaded snapshot (for a link), when it is there.
    pub key: Option<String>,
}

/// A finding that appeared or was resolved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FindingChangeView {
    pub check_id: String,
    pub severity: String,
    pub identity: String,
    pub message: String,
    /// The identity's key in the loaded snapshot, when it is there.
    pub key: Option<String>,
}

/// One identity whose risk changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RiskChange {
    pub name: String,
    pub kind: String,
    pub key: Option<String>,
    pub before: u8,
    pub after: u8,
    /// after − before.
    pub delta: i16,
}

/// Everything the compare page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompareView {
    /// The as-of the loaded snapshot was evaluated at (RFC 3339).
    pub as_of: String,
    /// The as-of the baseline was evaluated at (RFC 3339): the same, unless the user gave the day it was taken.
    pub as_of_before: String,
    pub identities_before: u64,
    pub identities_after: u64,
    /// The tenant posture score before and after.
    pub tenant: ScoreDelta,
    /// The tenant's change in words ("improved by 4.2 points").
    pub tenant_words: String,
    pub total_risk_before: u64,
    pub total_risk_after: u64,
    /// Per framework, before and after.
    pub frameworks: Vec<ScoreDelta>,
    /// SVG (labels escaped): posture per framework and for the tenant, before and after.
    pub chart: String,
    pub identities_added: Capped<IdentityChangeView>,
    pub identities_removed: Capped<IdentityChangeView>,
    pub grants_added: Capped<GrantChangeView>,
    pub grants_removed: Capped<GrantChangeView>,
    /// Most severe first.
    pub findings_new: Capped<FindingChangeView>,
    pub findings_resolved: Capped<FindingChangeView>,
    /// Identities in both snapshots whose risk changed, the largest change first.
    pub risk_changes: Capped<RiskChange>,
    /// How many identities in both became riskier, and how many less risky.
    pub risk_up: usize,
    pub risk_down: usize,
}

/// A posture change in words: "improved by 4.2 points", "fell by 1.0 point", "unchanged", or why it cannot be said.
#[must_use]
pub fn delta_words(d: &ScoreDelta) -> String {
    match (d.before, d.after, d.delta()) {
        (_, _, Some(x)) if x.abs() < 0.05 => "unchanged".into(),
        (_, _, Some(x)) => {
            let points = if (x.abs() - 1.0).abs() < 0.05 {
                "point"
            } else {
                "points"
            };
            if x > 0.0 {
                format!("improved by {x:.1} {points}")
            } else {
                format!("fell by {:.1} {points}", -x)
            }
        }
        (None, Some(_), _) => "not assessed before".into(),
        (Some(_), None, _) => "no longer assessed".into(),
        _ => "not assessed".into(),
    }
}

fn severity_rank(s: &str) -> u8 {
    match s {
        "critical" => 0,
        "high" => 1,
        "medium" => 2,
        "low" => 3,
        _ => 4,
    }
}

fn kind_words(kind: &str) -> String {
    kind_from_id(kind).map_or_else(|| kind.to_owned(), |k| kind_label(k).to_owned())
}

/// The key in `now` of the identity with id `id`, if it is there.
fn key_in(now: &Snapshot, id: &str) -> Option<String> {
    if id.is_empty() {
        return None;
    }
    find_identity(now, id).map(|ix| identity_key(now, ix))
}

fn identity_view(now: &Snapshot, c: IdentityChange) -> IdentityChangeView {
    IdentityChangeView {
        key: key_in(now, &c.id),
        kind: kind_words(&c.kind),
        name: c.name,
        id: c.id,
    }
}

fn grant_views(now: &Snapshot, list: Vec<GrantChange>) -> Capped<GrantChangeView> {
    Capped::of(
        list.into_iter().map(|g| GrantChangeView {
            key: key_in(now, &g.identity_id),
            identity: g.identity,
            role: g.role,
            scope: g.scope,
        }),
        LIST_CAP,
    )
}

fn finding_views(now: &Snapshot, mut list: Vec<FindingChange>) -> Capped<FindingChangeView> {
    crate::order::sort_by(&mut list, |a, b| {
        severity_rank(&a.severity)
            .cmp(&severity_rank(&b.severity))
            .then_with(|| a.cmp(b))
    });
    Capped::of(
        list.into_iter().map(|f| FindingChangeView {
            key: key_in(now, &f.identity_id),
            check_id: f.check_id,
            severity: f.severity,
            identity: f.identity,
            message: f.message,
        }),
        LIST_CAP,
    )
}

/// Identities in both evaluations whose risk changed, largest change first (then by name).
fn risk_changes(now: &Snapshot, old_eval: &Evaluation, new_eval: &Evaluation) -> Vec<RiskChange> {
    let before: BTreeMap<String, u8> = old_eval
        .scores
        .iter()
        .filter(|s| !s.identity.id.is_empty())
        .map(|s| (fold(&s.identity.id), s.risk))
        .collect();
    let mut out: Vec<RiskChange> = new_eval
        .scores
        .iter()
        .filter_map(|s| {
            let old = *before.get(&fold(&s.identity.id))?;
            (old != s.risk).then(|| RiskChange {
                name: s.identity.name.clone(),
                kind: kind_words(&s.identity.kind),
                key: s.identity.index.map(|ix| identity_key(now, ix)),
                before: old,
                after: s.risk,
                delta: i16::from(s.risk) - i16::from(old),
            })
        })
        .collect();
    crate::order::sort_by(&mut out, |a, b| {
        b.delta
            .abs()
            .cmp(&a.delta.abs())
            .then_with(|| b.delta.cmp(&a.delta))
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
            .then_with(|| a.key.cmp(&b.key))
    });
    out
}

/// Compare the baseline (`old`, `old_eval`) with the loaded snapshot (`now`, `new_eval`).
#[must_use]
pub fn compare(
    old: &Snapshot,
    old_eval: &Evaluation,
    now: &Snapshot,
    new_eval: &Evaluation,
) -> CompareView {
    let d = diff::diff(old, old_eval, now, new_eval);
    let mut pairs = vec![Pair {
        label: "Tenant posture".into(),
        before: d.tenant.before,
        after: d.tenant.after,
    }];
    pairs.extend(d.frameworks.iter().map(|f| Pair {
        label: f.name.clone(),
        before: f.before,
        after: f.after,
    }));
    let chart = charts::before_after(
        "Posture score, baseline and now (0–100, higher is better)",
        &pairs,
        "baseline",
        "now",
    );
    let risks = risk_changes(now, old_eval, new_eval);
    let risk_up = risks.iter().filter(|r| r.delta > 0).count();
    let risk_down = risks.len() - risk_up;
    CompareView {
        as_of: d.as_of_after.clone(),
        as_of_before: d.as_of_before.clone(),
        identities_before: d.identities_before,
        identities_after: d.identities_after,
        tenant_words: delta_words(&d.tenant),
        tenant: d.tenant,
        total_risk_before: d.total_risk_before,
        total_risk_after: d.total_risk_after,
        frameworks: d.frameworks,
        chart,
        identities_added: Capped::of(
            d.identities_added
                .into_iter()
                .map(|c| identity_view(now, c)),
            LIST_CAP,
        ),
        identities_removed: Capped::of(
            d.identities_removed
                .into_iter()
                .map(|c| identity_view(now, c)),
            LIST_CAP,
        ),
        grants_added: grant_views(now, d.grants_added),
        grants_removed: grant_views(now, d.grants_removed),
        findings_new: finding_views(now, d.findings_new),
        findings_resolved: finding_views(now, d.findings_resolved),
        risk_changes: Capped::of(risks, RISK_CAP),
        risk_up,
        risk_down,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::generate::{GenerateOptions, generate, generate_previous};
    use crate::ingest::{Ingest, IngestOptions};
    use crate::policy::Policy;
    use crate::view::workspace::Workspace;

    /// Generated files ingested as the viewer reads the demo tenant.
    pub(crate) fn ingest(files: Vec<crate::generate::GeneratedFile>) -> Snapshot {
        let mut ingest = Ingest::new(IngestOptions::default());
        for file in files {
            ingest.add_file(&format!("demo/tenant/{}", file.name), &file.bytes);
        }
        ingest.finish()
    }

    /// The demo tenant a month ago and now, each evaluated at the demo's date.
    fn demo_pair() -> (Snapshot, Evaluation, Snapshot, Evaluation) {
        let opts = GenerateOptions::demo();
        let old = ingest(generate_previous(&opts));
        let now = ingest(generate(&opts));
        let policy = Policy::default();
        let old_eval = crate::checks::evaluate(&old, &policy, opts.as_of_unix);
        let new_eval = crate::checks::evaluate(&now, &policy, opts.as_of_unix);
        (old, old_eval, now, new_eval)
    }

    #[test]
    fn compare_counts_equal_the_diff_and_lists_are_capped() {
        let (old, old_eval, now, new_eval) = demo_pair();
        let d = diff::diff(&old, &old_eval, &now, &new_eval);
        let c = compare(&old, &old_eval, &now, &new_eval);
        assert_eq!(c.identities_added.total, d.identities_added.len());
        assert_eq!(c.identities_removed.total, d.identities_removed.len());
        assert_eq!(c.grants_added.total, d.grants_added.len());
        assert_eq!(c.grants_removed.total, d.grants_removed.len());
        assert_eq!(c.findings_new.total, d.findings_new.len());
        assert_eq!(c.findings_resolved.total, d.findings_resolved.len());
        assert_eq!(c.frameworks, d.frameworks);
        assert_eq!(c.tenant, d.tenant);
        // The previous month differs in every way the page shows.
        assert!(c.identities_added.total > 0 && c.identities_removed.total > 0);
        assert!(
            c.grants_added.total > 0 && c.grants_removed.total > 0,
            "{}",
            diff::text(&d)
                .lines()
                .take(8)
                .collect::<Vec<_>>()
                .join("\n")
        );
        assert!(c.findings_new.total > 0 && c.findings_resolved.total > 0);
        assert_eq!(
            c.grants_added.items.len(),
            c.grants_added.total.min(LIST_CAP)
        );
        assert!(c.risk_changes.items.len() <= RISK_CAP && c.risk_changes.total > 0);
        assert_eq!(c.risk_up + c.risk_down, c.risk_changes.total);
        // Added identities are in the loaded snapshot (so the page links them); removed ones are not.
        assert!(c.identities_added.items.iter().all(|i| i.key.is_some()));
        assert!(c.identities_removed.items.iter().all(|i| i.key.is_none()));
        let first = &c.risk_changes.items[0];
        assert!(
            c.risk_changes
                .items
                .iter()
                .all(|r| r.delta.abs() <= first.delta.abs())
        );
        // Findings are listed most severe first.
        let ranks: Vec<u8> = c
            .findings_new
            .items
            .iter()
            .map(|f| severity_rank(&f.severity))
            .collect();
        assert!(ranks.windows(2).all(|w| w[0] <= w[1]));
        assert!(c.chart.contains("role=\"img\"") && c.chart.contains("Tenant posture baseline"));
        // The two generated tenants of different seeds have nothing in common.
        let opts = GenerateOptions::demo();
        let other = ingest(generate(&GenerateOptions {
            seed: 8,
            identities: 40,
            assignments: 100,
            ..opts
        }));
        let other_eval = crate::checks::evaluate(&other, &Policy::default(), opts.as_of_unix);
        let c = compare(&other, &other_eval, &now, &new_eval);
        let d = diff::diff(&other, &other_eval, &now, &new_eval);
        assert_eq!(c.identities_added.total, d.identities_added.len());
        assert_eq!(c.identities_removed.total, d.identities_removed.len());
        assert_eq!(c.findings_resolved.total, d.findings_resolved.len());
        assert!(c.grants_added.total > LIST_CAP);
        assert_eq!(c.grants_added.items.len(), LIST_CAP);
        let shown: Vec<(&str, &str, &str)> = c
            .grants_added
            .items
            .iter()
            .map(|g| (g.identity.as_str(), g.role.as_str(), g.scope.as_str()))
            .collect();
        let want: Vec<(&str, &str, &str)> = d.grants_added[..LIST_CAP]
            .iter()
            .map(|g| (g.identity.as_str(), g.role.as_str(), g.scope.as_str()))
            .collect();
        assert_eq!(shown, want);
    }

    #[test]
    fn grants_and_findings_carry_the_key_of_an_identity_still_there() {
        let (old, old_eval, now, new_eval) = demo_pair();
        let d = diff::diff(&old, &old_eval, &now, &new_eval);
        let c = compare(&old, &old_eval, &now, &new_eval);
        let removed: Vec<&str> = d.identities_removed.iter().map(|i| i.id.as_str()).collect();
        let lists = [
            (&c.grants_added, &d.grants_added),
            (&c.grants_removed, &d.grants_removed),
        ];
        for (view, changes) in lists {
            assert!(!view.items.is_empty());
            for (g, change) in view.items.iter().zip(changes.iter()) {
                assert!(!change.identity_id.is_empty(), "{change:?}");
                match &g.key {
                    // The key opens the identity the grant belongs to.
                    Some(key) => {
                        let ix = find_identity(&now, key).expect("key resolves");
                        assert_eq!(identity_key(&now, ix), *key);
                        assert_eq!(find_identity(&now, &change.identity_id), Some(ix));
                    }
                    // No key: the identity is gone.
                    None => {
                        assert!(find_identity(&now, &change.identity_id).is_none());
                        assert!(removed.contains(&change.identity_id.as_str()), "{change:?}");
                    }
                }
            }
        }
        // Grants added belong to identities of the loaded snapshot; some removed grants belonged to removed
        // identities, which stay plain text.
        assert!(c.grants_added.items.iter().all(|g| g.key.is_some()));
        assert!(c.grants_removed.items.iter().any(|g| g.key.is_none()));
        // Findings: those on an identity of the loaded snapshot link to it (tenant-wide ones have no identity).
        for list in [&c.findings_new, &c.findings_resolved] {
            assert!(list.items.iter().any(|f| f.key.is_some()));
            for key in list.items.iter().filter_map(|f| f.key.as_deref()) {
                assert!(find_identity(&now, key).is_some(), "{key}");
            }
        }
        // A pseudonymised diff rewrites the grant's identity id too.
        let mut p = d.clone();
        crate::pseudo::Pseudonymiser::new(
            b"0123456789abcdef0123456789abcdef",
            &[&old, &now],
            &Policy::default(),
        )
        .diff(&mut p);
        for (a, b) in p.grants_added.iter().zip(&d.grants_added) {
            assert_ne!(a.identity_id, b.identity_id);
        }
    }

    #[test]
    fn the_workspace_answers_compare_once_a_baseline_is_set() {
        let opts = GenerateOptions::demo();
        let mut w = Workspace::new(
            ingest(generate(&opts)),
            Some(opts.as_of_unix),
            Policy::default(),
        );
        let request = crate::view::ViewRequest::Compare;
        assert!(matches!(
            w.answer(&request),
            crate::view::ViewAnswer::Compare { compare: None }
        ));
        w.set_baseline(ingest(generate_previous(&opts)));
        let crate::view::ViewAnswer::Compare { compare: Some(c) } = w.answer(&request) else {
            panic!("no comparison");
        };
        assert!(c.identities_added.total > 0);
        // The JSON round trip the page relies on.
        let json = serde_json::to_string(&crate::view::ViewAnswer::Compare {
            compare: Some(c.clone()),
        })
        .expect("json");
        let back: crate::view::ViewAnswer = serde_json::from_str(&json).expect("back");
        assert_eq!(back, crate::view::ViewAnswer::Compare { compare: Some(c) });
    }

    #[test]
    fn deltas_in_words() {
        let d = |before, after| ScoreDelta {
            key: "t".into(),
            name: "t".into(),
            before,
            after,
        };
        assert_eq!(
            delta_words(&d(Some(60.0), Some(64.2))),
            "improved by 4.2 points"
        );
        assert_eq!(delta_words(&d(Some(60.0), Some(59.0))), "fell by 1.0 point");
        assert_eq!(delta_words(&d(Some(60.0), Some(60.0))), "unchanged");
        assert_eq!(delta_words(&d(None, Some(60.0))), "not assessed before");
        assert_eq!(delta_words(&d(None, None)), "not assessed");
    }
}
