//! Isolation, reuse and human-use checks (CONTROLS.md §8.6): NHI-I-001 shared identity, NHI-I-002 spans prod and
//! non-prod, NHI-I-003 spans subscriptions, NHI-I-004 third-party identity with privilege, NHI-H-001 human use.
//! NHI-I-005 needs Kubernetes or GCP exports and is reported not evaluated.

use std::collections::BTreeSet;

use super::{DAY, Out, View, days, f, is_mi};
use crate::catalog::{DataSource, Severity};
use crate::findings::{Field, Refs};
use crate::ids::fold;
use crate::model::{Environment, IdentityKind};
use crate::time::format_rfc3339;

pub(super) fn run(out: &mut Out<'_, '_>, view: &View) {
    let cx = out.cx;
    let Some(id) = cx.identity(view.ix) else {
        return;
    };
    let grants: Vec<u32> = view.grants(cx).collect();
    let workloads = view.workloads(cx);
    let t = &cx.policy.thresholds;
    let workload_evidence = |n: usize| {
        workloads
            .iter()
            .take(n)
            .filter_map(|&w| cx.snap.workloads.get(w as usize))
            .map(|w| {
                cx.evidence(
                    "resource",
                    w.provenance.first(),
                    vec![
                        f("id", cx.snap.str(w.id)),
                        f("type", cx.snap.opt_str(w.resource_type).unwrap_or("")),
                    ],
                )
            })
            .collect::<Vec<_>>()
    };

    // NHI-I-001
    if out.applies(
        "NHI-I-001",
        id.kind == IdentityKind::UserAssignedManagedIdentity,
    ) {
        let n = workloads.len();
        let severity = if n > t.shared_identity_high {
            Some(Severity::High)
        } else if n > t.shared_identity_medium {
            Some(Severity::Medium)
        } else {
            None
        };
        if let Some(severity) = severity {
            let message = format!(
                "attached to {n} resources (more than {})",
                t.shared_identity_medium
            );
            out.push(
                "NHI-I-001",
                severity,
                message,
                workload_evidence(20),
                Refs::default(),
            );
        }
    }

    // NHI-I-002
    if out.applies("NHI-I-002", !workloads.is_empty() || !grants.is_empty()) {
        let mut prod = Vec::new();
        let mut non_prod = Vec::new();
        for &w in workloads {
            match cx.workload_env.get(w as usize) {
                Some(Environment::Prod) => prod.push(("resource", w)),
                Some(Environment::NonProd) => non_prod.push(("resource", w)),
                _ => {}
            }
        }
        for &g in &grants {
            match cx.grant_env(g) {
                Environment::Prod => prod.push(("grant", g)),
                Environment::NonProd => non_prod.push(("grant", g)),
                Environment::Unknown => {}
            }
        }
        if !prod.is_empty() && !non_prod.is_empty() {
            let evidence = prod
                .iter()
                .take(3)
                .chain(non_prod.iter().take(3))
                .map(|&(kind, i)| {
                    if kind == "grant" {
                        let mut e = cx.grant_evidence(i);
                        e.fields.push(f("environment", env_name(cx.grant_env(i))));
                        e
                    } else {
                        let w = &cx.snap.workloads[i as usize];
                        let env = cx.workload_env.get(i as usize).copied().unwrap_or_default();
                        cx.evidence(
                            "resource",
                            w.provenance.first(),
                            vec![f("id", cx.snap.str(w.id)), f("environment", env_name(env))],
                        )
                    }
                })
                .collect();
            let message = format!(
                "used or granted in production ({}) and non-production ({})",
                prod.len(),
                non_prod.len()
            );
            let refs = Refs {
                grants: non_prod
                    .iter()
                    .filter(|(k, _)| *k == "grant")
                    .map(|(_, g)| *g)
                    .collect(),
                ..Refs::default()
            };
            out.push("NHI-I-002", Severity::High, message, evidence, refs);
        }
    }

    // NHI-I-003
    if out.applies("NHI-I-003", !workloads.is_empty() || !grants.is_empty()) {
        // Distinct by number first: an identity may hold thousands of grants in a handful of subscriptions.
        let mut of_grants: Vec<u32> = Vec::new();
        for sub in grants.iter().filter_map(|&g| cx.grant_subscription_ix(g)) {
            if let Err(at) = of_grants.binary_search(&sub) {
                of_grants.insert(at, sub);
            }
        }
        let mut subs: BTreeSet<String> = of_grants
            .into_iter()
            .filter_map(|ix| cx.subscription_names.get(ix as usize).cloned())
            .collect();
        for &w in workloads {
            if let Some(s) = cx
                .snap
                .workloads
                .get(w as usize)
                .and_then(|w| cx.snap.opt_str(w.subscription))
            {
                subs.insert(fold(s));
            }
        }
        let n = subs.len();
        let severity = if n >= t.subscriptions_medium {
            Some(Severity::Medium)
        } else if n >= t.subscriptions_info {
            Some(Severity::Info)
        } else {
            None
        };
        if let Some(severity) = severity {
            let list: Vec<&str> = subs.iter().map(String::as_str).collect();
            let evidence =
                vec![cx.identity_evidence(view.ix, vec![f("subscriptions", &list.join(", "))])];
            out.push(
                "NHI-I-003",
                severity,
                format!("grants or attachments in {n} subscriptions"),
                evidence,
                Refs::default(),
            );
        }
    }

    // NHI-I-004
    // Graph application permissions and directory roles count as privilege too (CONTROLS.md: "with write or Graph
    // app permissions"; critical for P-004-class roles).
    let directory: Vec<u32> = view.directory_grants(cx).collect();
    if out.applies("NHI-I-004", !grants.is_empty() || !directory.is_empty()) && cx.foreign(view.ix)
    {
        let writes: Vec<u32> = grants
            .iter()
            .copied()
            .filter(|&g| cx.grant_tier(g) >= 0.5)
            .collect();
        if !writes.is_empty() || !directory.is_empty() {
            let critical = writes.iter().any(|&g| {
                cx.grant_tier(g) >= 1.0
                    || cx
                        .snap
                        .grants
                        .get(g as usize)
                        .and_then(|x| cx.snap.roles.get(x.role as usize))
                        .is_some_and(|r| r.can_grant_access)
            }) || directory.iter().any(|&d| {
                cx.snap
                    .directory_grants
                    .get(d as usize)
                    .is_some_and(|x| crate::ingest::directory_roles::is_p004(x.privilege))
            });
            let owner = id
                .app_owner_organization_id
                .map(|g| g.canonical())
                .unwrap_or_default();
            let mut evidence =
                vec![cx.identity_evidence(view.ix, vec![f("appOwnerOrganizationId", &owner)])];
            evidence.extend(writes.iter().take(10).map(|&g| cx.grant_evidence(g)));
            evidence.extend(
                directory
                    .iter()
                    .take(10)
                    .map(|&d| cx.directory_grant_evidence(d)),
            );
            let message = if directory.is_empty() {
                format!(
                    "third-party app (owner tenant {owner}) with {} write grant(s)",
                    writes.len()
                )
            } else {
                format!(
                    "third-party app (owner tenant {owner}) with {} write grant(s) and {} directory role(s) or Graph \
                     application permission(s)",
                    writes.len(),
                    directory.len()
                )
            };
            let severity = if critical {
                Severity::Critical
            } else {
                Severity::High
            };
            let refs = Refs {
                grants: writes,
                directory_grants: directory,
                ..Refs::default()
            };
            out.push("NHI-I-004", severity, message, evidence, refs);
        }
    }

    // NHI-H-001
    if out.applies("NHI-H-001", !grants.is_empty()) {
        let window = t.stale_days;
        let activity = id.activity.and_then(|a| cx.snap.activity.get(a as usize));
        if !is_mi(id.kind)
            && cx.avail.has(DataSource::SignIns)
            && let Some(a) = activity
            && let Some(last) = a.last_delegated_client_sign_in
            && cx.as_of - last <= window * DAY
        {
            let evidence = vec![cx.evidence(
                "sign-in-activity",
                a.provenance.first(),
                vec![
                    f("delegatedClientSignInActivity", &format_rfc3339(last)),
                    Field {
                        name: "daysAgo".into(),
                        value: days(cx.as_of - last).to_string(),
                    },
                ],
            )];
            let message = format!(
                "signed in as a delegated (user) client {} days ago while holding {} Azure role assignment(s)",
                days(cx.as_of - last),
                grants.len()
            );
            out.push(
                "NHI-H-001",
                Severity::Medium,
                message,
                evidence,
                Refs::default(),
            );
        }
        let privileged = grants
            .iter()
            .any(|&g| cx.grant_tier(g) >= t.privileged_tier);
        let operators: Vec<u32> = cx
            .operators_of
            .get(view.ix as usize)
            .into_iter()
            .flatten()
            .copied()
            .filter(|g| !view.removed_grants.contains(g))
            .collect();
        if privileged && !operators.is_empty() {
            let evidence = operators
                .iter()
                .take(10)
                .map(|&g| cx.grant_evidence(g))
                .collect();
            let message = format!(
                "{} user grant(s) of Managed Identity Operator let people act as this privileged identity",
                operators.len()
            );
            let refs = Refs {
                grants: operators,
                ..Refs::default()
            };
            out.push("NHI-H-001", Severity::Medium, message, evidence, refs);
        }
    }
}

fn env_name(env: Environment) -> &'static str {
    match env {
        Environment::Prod => "prod",
        Environment::NonProd => "non-prod",
        Environment::Unknown => "unknown",
    }
}
