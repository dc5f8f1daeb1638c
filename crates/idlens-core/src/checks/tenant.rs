//! Checks whose subject is not an identity, run once per snapshot: NHI-L-001 orphaned role assignments (one finding
//! per assignment, grouped by principal for posture), NHI-P-003 custom roles with wildcards that no workload
//! identity holds, and the export-level part of NHI-G-004 (identity types not exported).

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::{Ctx, RoleClass, Tally, f, make_finding};
use crate::catalog::{self, Severity};
use crate::findings::{Finding, IdentityRef, Refs};
use crate::ids::{Guid, ScopeLevel};
use crate::model::GrantPrincipal;
use crate::score::{IdentityScore, scope_factor};

fn position(id: &str) -> usize {
    catalog::position(id).unwrap_or(0)
}

pub(super) fn run(
    cx: &Ctx<'_>,
    scores: &[IdentityScore],
    findings: &mut Vec<Finding>,
    tallies: &mut [Tally],
) {
    let snap = cx.snap;

    // NHI-L-001: every principal holding grants is a subject; unresolved ones are unhealthy.
    let l001 = position("NHI-L-001");
    if cx.runs(l001) {
        for (ix, score) in scores.iter().enumerate() {
            if cx.grants_of.get(ix).is_some_and(|g| !g.is_empty()) {
                tallies[l001].add(score.impact.value, std::iter::empty());
            }
        }
        let mut orphans: BTreeMap<Option<Guid>, Vec<u32>> = BTreeMap::new();
        for (gx, g) in snap.grants.iter().enumerate() {
            if g.principal == GrantPrincipal::Unresolved {
                orphans.entry(g.principal_id).or_default().push(gx as u32);
            }
        }
        for (principal, grants) in orphans {
            let impact = grants
                .iter()
                .map(|&gx| cx.grant_tier(gx) * scope_factor(cx.scope_level(gx)))
                .fold(0.05_f64, f64::max);
            let name = grants
                .iter()
                .find_map(|&gx| snap.opt_str(snap.grants[gx as usize].principal_name))
                .map(str::to_owned)
                .or_else(|| principal.map(|p| p.to_string()))
                .unwrap_or_else(|| "(no principal id)".to_owned());
            let identity = IdentityRef {
                name,
                kind: "unresolved-principal".into(),
                id: principal.map(|p| p.to_string()).unwrap_or_default(),
                index: None,
            };
            let first = findings.len();
            for &gx in &grants {
                let admin = cx.grant_class(gx) == RoleClass::Admin
                    || snap
                        .roles
                        .get(snap.grants[gx as usize].role as usize)
                        .is_some_and(|r| r.can_grant_access && r.tier >= 1.0);
                let severity = if admin {
                    Severity::Critical
                } else {
                    Severity::High
                };
                let ev = cx.grant_evidence(gx);
                let role = cx.role_name(gx);
                let message = format!(
                    "{role} at {} scope assigned to a principal that is not in the identity exports",
                    cx.scope_level(gx).id()
                );
                let refs = Refs {
                    grants: vec![gx],
                    ..Refs::default()
                };
                let mut finding = make_finding(
                    cx,
                    "NHI-L-001",
                    severity,
                    impact,
                    identity.clone(),
                    message,
                    vec![ev],
                    refs,
                );
                if !cx.avail.service_principals {
                    finding.certain = false;
                    finding.caveat = Some(Cow::Borrowed(
                        "no service-principal export (`az ad sp list --all`) was read: the principal may exist",
                    ));
                } else if cx.avail.service_principals_partial {
                    finding.certain = false;
                    finding.caveat = Some(Cow::Borrowed(
                        "the service-principal export is one page of several (`@odata.nextLink` set, no last page \
                         read): the principal may be on a missing page",
                    ));
                }
                findings.push(finding);
            }
            tallies[l001].add(impact, findings[first..].iter());
        }
    }

    // NHI-P-003: custom wildcard roles no identity holds.
    let p003 = position("NHI-P-003");
    if cx.runs(p003) {
        let mut held = vec![false; snap.roles.len()];
        for g in &snap.grants {
            if matches!(g.principal, GrantPrincipal::Identity(_))
                && let Some(h) = held.get_mut(g.role as usize)
            {
                *h = true;
            }
        }
        for (rx, role) in snap.roles.iter().enumerate() {
            if role.custom != Some(true) || held[rx] {
                continue;
            }
            let first = findings.len();
            if role.has_wildcard {
                let broad = role.assignable_scopes.iter().any(|s| {
                    matches!(
                        crate::ids::parse_arm_path(snap.str(*s)).0,
                        ScopeLevel::Root | ScopeLevel::ManagementGroup | ScopeLevel::Subscription
                    )
                });
                let name = snap.opt_str(role.name).unwrap_or("(unnamed)").to_owned();
                let wildcards: Vec<&str> = role
                    .actions
                    .iter()
                    .chain(&role.data_actions)
                    .map(|a| snap.str(*a))
                    .filter(|a| a.contains('*'))
                    .collect();
                let scopes: Vec<&str> = role
                    .assignable_scopes
                    .iter()
                    .map(|s| snap.str(*s))
                    .collect();
                let ev = cx.evidence(
                    "role-definition",
                    role.provenance.first(),
                    vec![
                        f("roleName", &name),
                        f("actions", &wildcards.join(", ")),
                        f("assignableScopes", &scopes.join(", ")),
                    ],
                );
                let identity = IdentityRef {
                    name: name.clone(),
                    kind: "role-definition".into(),
                    id: role.guid.map(|g| g.canonical()).unwrap_or_default(),
                    index: None,
                };
                let severity = if broad {
                    Severity::High
                } else {
                    Severity::Medium
                };
                let message = format!(
                    "custom role {name} with wildcard actions, assignable at {}",
                    if broad {
                        "subscription or broader scope"
                    } else {
                        "narrow scopes only"
                    }
                );
                let refs = Refs {
                    roles: vec![rx as u32],
                    ..Refs::default()
                };
                findings.push(make_finding(
                    cx,
                    "NHI-P-003",
                    severity,
                    f64::from(role.tier),
                    identity,
                    message,
                    vec![ev],
                    refs,
                ));
            }
            tallies[p003].add(f64::from(role.tier), findings[first..].iter());
        }
    }

    // NHI-G-004: identity types not exported.
    let g004 = position("NHI-G-004");
    if cx.runs(g004) {
        let clusters: Vec<usize> = snap
            .workloads
            .iter()
            .enumerate()
            .filter(|(_, w)| {
                w.oidc_issuer.is_some()
                    || snap.opt_str(w.resource_type).is_some_and(|t| {
                        t.eq_ignore_ascii_case("Microsoft.ContainerService/managedClusters")
                    })
            })
            .map(|(i, _)| i)
            .collect();
        if !clusters.is_empty() {
            let evidence = clusters
                .iter()
                .take(10)
                .map(|&i| {
                    let w = &snap.workloads[i];
                    cx.evidence(
                        "resource",
                        w.provenance.first(),
                        vec![f("id", snap.str(w.id)), f("type", "AKS cluster")],
                    )
                })
                .collect();
            let identity = IdentityRef {
                name: "Kubernetes service accounts".into(),
                kind: "tenant".into(),
                id: String::new(),
                index: None,
            };
            let message = format!(
                "{} AKS cluster(s) exist but no Kubernetes service-account export was read",
                clusters.len()
            );
            findings.push(make_finding(
                cx,
                "NHI-G-004",
                Severity::Info,
                0.05,
                identity,
                message,
                evidence,
                Refs::default(),
            ));
        }
        if !cx.avail.service_principals && cx.avail.user_assigned_identities {
            let identity = IdentityRef {
                name: "Service principals".into(),
                kind: "tenant".into(),
                id: String::new(),
                index: None,
            };
            let message = "user-assigned identities were exported but service principals were not: applications and \
                           system-assigned identities are missing"
                .to_owned();
            findings.push(make_finding(
                cx,
                "NHI-G-004",
                Severity::Info,
                0.05,
                identity,
                message,
                Vec::new(),
                Refs::default(),
            ));
        }
    }
}
