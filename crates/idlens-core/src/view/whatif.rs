//! What-if on the identity page: switch some of an identity's grants, directory roles or Graph permissions,
//! credentials or federations off and see its risk and the tenant's posture recomputed.
//!
//! The identity is re-evaluated as a [`View`] without those entities, exactly as the remediation plan re-scores a
//! candidate action. The tenant is recomputed without re-evaluating every other identity: each check's posture is
//! a sum over identities (applicable weight, unhealthy weight, open findings), so the identity's old contribution
//! is taken out of the evaluation's check runs, its new one put in, and posture is computed again from those runs.
//! The result equals a full re-evaluation with the entities removed (a test holds it to that).

use serde::{Deserialize, Serialize};

use crate::catalog::{CHECKS, Severity};
use crate::checks::{Ctx, Evaluation, IdentityEval, View, evaluate_identity};
use crate::findings::Finding;
use crate::model::{GrantPrincipal, IdentityIx, Snapshot};
use crate::policy::Policy;
use crate::score::{self, Band};

use super::assess::severity_id;

/// The entities to switch off, by snapshot index (indices not of this identity are ignored).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WhatIfRequest {
    /// The identity ([`super::identity_key`]).
    pub id: String,
    pub grants: Vec<u32>,
    pub credentials: Vec<u32>,
    pub federations: Vec<u32>,
    /// Entra directory roles and Graph application permissions (indices into the snapshot's `directory_grants`).
    pub directory_grants: Vec<u32>,
}

/// One open finding that the change closes or leaves open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckChange {
    pub check_id: String,
    pub title: String,
    pub severity: String,
}

/// Before and after.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WhatIfView {
    pub key: String,
    /// The entities actually switched off (those of this identity).
    pub grants: Vec<u32>,
    pub credentials: Vec<u32>,
    pub federations: Vec<u32>,
    #[serde(default)]
    pub directory_grants: Vec<u32>,
    pub risk_before: u8,
    pub risk_after: u8,
    /// `low`, `medium`, `high`, `critical`.
    pub band_before: String,
    pub band_after: String,
    /// Open findings the change closes, and those it leaves open.
    pub closed: Vec<CheckChange>,
    pub remaining: Vec<CheckChange>,
    /// Σ identity risk of the tenant.
    pub tenant_risk_before: u64,
    pub tenant_risk_after: u64,
    /// Tenant posture score (0–100, `None` = not assessed).
    pub tenant_score_before: Option<f64>,
    pub tenant_score_after: Option<f64>,
}

fn band_id(band: Band) -> &'static str {
    match band {
        Band::Low => "low",
        Band::Medium => "medium",
        Band::High => "high",
        Band::Critical => "critical",
    }
}

fn open_checks(eval: &IdentityEval) -> Vec<CheckChange> {
    let mut out: Vec<CheckChange> = eval
        .findings
        .iter()
        .filter(|f| f.open())
        .map(|f| CheckChange {
            check_id: f.check_id.to_string(),
            title: f.title.to_string(),
            severity: severity_id(f.severity).to_owned(),
        })
        .collect();
    crate::order::sort_by(&mut out, |a, b| a.check_id.cmp(&b.check_id));
    out.dedup_by(|a, b| a.check_id == b.check_id);
    out
}

/// Recompute identity `ix` without the requested entities, and the tenant with it.
#[must_use]
pub fn what_if(
    snapshot: &Snapshot,
    policy: &Policy,
    as_of: i64,
    evaluation: &Evaluation,
    ix: IdentityIx,
    request: &WhatIfRequest,
) -> WhatIfView {
    let cx = Ctx::new(snapshot, policy, as_of);
    let own = |list: &[u32], of: &dyn Fn(u32) -> bool| {
        let mut v: Vec<u32> = list.iter().copied().filter(|&i| of(i)).collect();
        crate::order::sort(&mut v);
        v.dedup();
        v
    };
    let grants = own(&request.grants, &|g| {
        snapshot
            .grants
            .get(g as usize)
            .is_some_and(|grant| grant.principal == GrantPrincipal::Identity(ix))
    });
    let credentials = own(&request.credentials, &|c| {
        snapshot
            .credentials
            .get(c as usize)
            .is_some_and(|cred| cred.identity == ix)
    });
    let federations = own(&request.federations, &|f| {
        snapshot
            .federations
            .get(f as usize)
            .is_some_and(|fed| fed.identity == Some(ix))
    });
    let directory_grants = own(&request.directory_grants, &|d| {
        snapshot
            .directory_grants
            .get(d as usize)
            .is_some_and(|grant| grant.principal == GrantPrincipal::Identity(ix))
    });
    let before_view = View::of(ix);
    let after_view = View {
        removed_grants: grants.clone(),
        removed_directory_grants: directory_grants.clone(),
        removed_credentials: credentials.clone(),
        removed_federations: federations.clone(),
        ..View::of(ix)
    };
    let before = evaluate_identity(&cx, &before_view);
    let after = evaluate_identity(&cx, &after_view);
    let (risk_before, ..) = score::risk(&cx, &before_view, &before);
    let (risk_after, ..) = score::risk(&cx, &after_view, &after);

    // The tenant: swap this identity's contribution in every check run, then recompute posture.
    let mut runs = evaluation.checks.clone();
    for (k, check) in CHECKS.iter().enumerate() {
        let Some(run) = runs.iter_mut().find(|r| r.check_id == check.id) else {
            continue;
        };
        let contribution = |eval: &IdentityEval| -> Option<(f64, bool, u64, u64)> {
            if eval.applicable & (1 << k) == 0 {
                return None;
            }
            let mine = eval.findings.iter().filter(|f| f.check_id == check.id);
            let (open, waived) =
                mine.fold(
                    (0u64, 0u64),
                    |(o, w), f: &Finding| {
                        if f.open() { (o + 1, w) } else { (o, w + 1) }
                    },
                );
            Some((eval.impact.value, open > 0, open, waived))
        };
        if let Some((w, unhealthy, open, waived)) = contribution(&before) {
            run.applicable = run.applicable.saturating_sub(1);
            run.applicable_weight -= w;
            if unhealthy {
                run.unhealthy_weight -= w;
            }
            run.open_findings = run.open_findings.saturating_sub(open);
            run.waived_findings = run.waived_findings.saturating_sub(waived);
        }
        if let Some((w, unhealthy, open, waived)) = contribution(&after) {
            run.applicable += 1;
            run.applicable_weight += w;
            if unhealthy {
                run.unhealthy_weight += w;
            }
            run.open_findings += open;
            run.waived_findings += waived;
        }
        // Clamp the float drift of subtract-then-add.
        run.applicable_weight = run.applicable_weight.max(0.0);
        run.unhealthy_weight = run.unhealthy_weight.clamp(0.0, run.applicable_weight);
        // Whether any open critical finding of the check remains, this identity's now counted from `after`.
        run.open_critical = evaluation.findings.iter().any(|f| {
            f.check_id == check.id
                && f.open()
                && f.severity == Severity::Critical
                && f.identity.index != Some(ix)
        }) || after
            .findings
            .iter()
            .any(|f| f.check_id == check.id && f.open() && f.severity == Severity::Critical);
    }
    let posture_after = score::posture(&runs, &evaluation.scores);
    let tenant_risk_before = evaluation.posture.tenant.total_risk;
    let old = evaluation
        .scores
        .get(ix as usize)
        .map_or(u64::from(risk_before), |s| u64::from(s.risk));
    let tenant_risk_after = (tenant_risk_before + u64::from(risk_after)).saturating_sub(old);

    let closed_before = open_checks(&before);
    let remaining = open_checks(&after);
    let closed = closed_before
        .into_iter()
        .filter(|c| !remaining.iter().any(|r| r.check_id == c.check_id))
        .collect();
    WhatIfView {
        key: super::identity_key(snapshot, ix),
        grants,
        credentials,
        federations,
        directory_grants,
        risk_before,
        risk_after,
        band_before: band_id(Band::of(risk_before)).to_owned(),
        band_after: band_id(Band::of(risk_after)).to_owned(),
        closed,
        remaining,
        tenant_risk_before,
        tenant_risk_after,
        tenant_score_before: evaluation.posture.tenant.score,
        tenant_score_after: posture_after.tenant.score,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::evaluate;
    use crate::generate::{DEMO_AS_OF_UNIX, GenerateOptions, generate};
    use crate::ingest::{Ingest, IngestOptions};

    fn demo() -> Snapshot {
        let mut ingest = Ingest::new(IngestOptions::default());
        for file in generate(&GenerateOptions::demo()) {
            ingest.add_file(&format!("demo/tenant/{}", file.name), &file.bytes);
        }
        ingest.finish()
    }

    /// Grants of identity `ix`, by snapshot index.
    fn grants_of(snap: &Snapshot, ix: IdentityIx) -> Vec<u32> {
        (0..snap.grants.len() as u32)
            .filter(|&g| snap.grants[g as usize].principal == GrantPrincipal::Identity(ix))
            .collect()
    }

    #[test]
    fn switching_grants_off_equals_a_full_re_evaluation_without_them() {
        let snap = demo();
        let policy = Policy::default();
        let eval = evaluate(&snap, &policy, DEMO_AS_OF_UNIX);
        // The riskiest identities that have grants and federations, so both kinds of change are exercised.
        let mut candidates: Vec<&score::IdentityScore> = eval
            .scores
            .iter()
            .filter(|s| {
                s.identity
                    .index
                    .is_some_and(|ix| !grants_of(&snap, ix).is_empty())
            })
            .collect();
        candidates.sort_by_key(|s| std::cmp::Reverse(s.risk));
        let mut compared = 0;
        for score in candidates.iter().take(5) {
            let ix = score.identity.index.expect("index");
            let grants = grants_of(&snap, ix);
            let federations: Vec<u32> = (0..snap.federations.len() as u32)
                .filter(|&f| snap.federations[f as usize].identity == Some(ix))
                .collect();
            let request = WhatIfRequest {
                id: super::super::identity_key(&snap, ix),
                grants: grants.clone(),
                credentials: Vec::new(),
                federations: federations.clone(),
                directory_grants: Vec::new(),
            };
            let view = what_if(&snap, &policy, DEMO_AS_OF_UNIX, &eval, ix, &request);
            assert_eq!(view.risk_before, score.risk);
            assert_eq!(view.grants, grants);

            // The same change made to the snapshot itself, then everything evaluated again.
            let mut changed = snap.clone();
            for &g in &grants {
                changed.grants[g as usize].principal = GrantPrincipal::Other;
            }
            for &f in &federations {
                changed.federations[f as usize].identity = None;
            }
            let full = evaluate(&changed, &policy, DEMO_AS_OF_UNIX);
            assert_eq!(
                view.risk_after, full.scores[ix as usize].risk,
                "identity {ix}"
            );
            assert_eq!(view.tenant_risk_after, full.posture.tenant.total_risk);
            let (a, b) = (view.tenant_score_after, full.posture.tenant.score);
            assert!(
                a.zip(b).is_some_and(|(a, b)| (a - b).abs() < 0.05),
                "tenant score {a:?} vs full {b:?}"
            );
            compared += 1;
        }
        assert_eq!(compared, 5);
    }

    #[test]
    fn removing_the_strongest_grant_lowers_risk_and_closes_its_findings() {
        let snap = demo();
        let policy = Policy::default();
        let eval = evaluate(&snap, &policy, DEMO_AS_OF_UNIX);
        let riskiest = eval
            .scores
            .iter()
            .filter(|s| {
                s.identity
                    .index
                    .is_some_and(|ix| !grants_of(&snap, ix).is_empty())
            })
            .max_by_key(|s| s.risk)
            .expect("an identity with grants");
        let ix = riskiest.identity.index.expect("index");
        let request = WhatIfRequest {
            id: super::super::identity_key(&snap, ix),
            grants: grants_of(&snap, ix),
            ..WhatIfRequest::default()
        };
        let view = what_if(&snap, &policy, DEMO_AS_OF_UNIX, &eval, ix, &request);
        assert!(view.risk_after < view.risk_before, "{view:?}");
        assert!(view.tenant_risk_after < view.tenant_risk_before);
        assert!(
            view.closed.iter().any(|c| c.check_id.starts_with("NHI-P-")),
            "removing every grant closes a privilege finding: {view:?}"
        );
        assert!(
            view.remaining
                .iter()
                .all(|r| !r.check_id.starts_with("NHI-P-001"))
        );
    }

    #[test]
    fn entities_of_other_identities_are_ignored_and_nothing_changes() {
        let snap = demo();
        let policy = Policy::default();
        let eval = evaluate(&snap, &policy, DEMO_AS_OF_UNIX);
        let ix = eval
            .scores
            .iter()
            .find(|s| s.risk > 0)
            .and_then(|s| s.identity.index)
            .expect("a risky identity");
        let foreign: Vec<u32> = (0..snap.grants.len() as u32)
            .filter(|&g| snap.grants[g as usize].principal != GrantPrincipal::Identity(ix))
            .take(20)
            .collect();
        let request = WhatIfRequest {
            id: super::super::identity_key(&snap, ix),
            grants: foreign,
            credentials: vec![u32::MAX],
            federations: vec![u32::MAX],
            directory_grants: vec![u32::MAX],
        };
        let view = what_if(&snap, &policy, DEMO_AS_OF_UNIX, &eval, ix, &request);
        assert!(view.grants.is_empty() && view.credentials.is_empty());
        assert_eq!(view.risk_after, view.risk_before);
        assert_eq!(view.tenant_risk_after, view.tenant_risk_before);
        assert!(view.closed.is_empty());
        let (a, b) = (view.tenant_score_after, view.tenant_score_before);
        assert!(a.zip(b).is_some_and(|(a, b)| (a - b).abs() < 1e-9));
    }

    #[test]
    fn switching_directory_roles_off_equals_a_full_re_evaluation_and_the_plan() {
        let snap = demo();
        let policy = Policy::default();
        let eval = evaluate(&snap, &policy, DEMO_AS_OF_UNIX);
        let plan = crate::remediate::plan(&snap, &policy, DEMO_AS_OF_UNIX, &eval);
        let actions: Vec<_> = plan
            .actions
            .iter()
            .filter(|a| a.kind == crate::remediate::ActionKind::RemoveDirectoryRole)
            .collect();
        assert!(
            !actions.is_empty(),
            "the demo plan removes a directory role"
        );
        for action in actions {
            let ix = action.identity.index.expect("index");
            let request = WhatIfRequest {
                id: super::super::identity_key(&snap, ix),
                directory_grants: action.directory_grants.clone(),
                ..WhatIfRequest::default()
            };
            let view = what_if(&snap, &policy, DEMO_AS_OF_UNIX, &eval, ix, &request);
            assert_eq!(view.directory_grants, action.directory_grants);
            assert_eq!(view.risk_before, action.risk_before);
            assert_eq!(view.risk_after, action.risk_after, "{}", action.description);
            // The same change made to the snapshot itself, then everything evaluated again.
            let mut changed = snap.clone();
            for &d in &action.directory_grants {
                changed.directory_grants[d as usize].principal = GrantPrincipal::Other;
            }
            let full = evaluate(&changed, &policy, DEMO_AS_OF_UNIX);
            assert_eq!(view.risk_after, full.scores[ix as usize].risk);
            assert_eq!(view.tenant_risk_after, full.posture.tenant.total_risk);
            assert!(
                view.closed.iter().any(|c| c.check_id == "NHI-P-004")
                    || view.remaining.iter().any(|c| c.check_id == "NHI-P-004")
            );
        }
        // Indices of another identity's directory grants are ignored.
        let other = WhatIfRequest {
            directory_grants: (0..snap.directory_grants.len() as u32).collect(),
            ..WhatIfRequest::default()
        };
        let view = what_if(&snap, &policy, DEMO_AS_OF_UNIX, &eval, 0, &other);
        assert!(
            view.directory_grants.iter().all(
                |&d| snap.directory_grants[d as usize].principal == GrantPrincipal::Identity(0)
            )
        );
    }
}
