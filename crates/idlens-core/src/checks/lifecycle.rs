//! Lifecycle checks on identities (CONTROLS.md §8.2): NHI-L-002 orphan user-assigned identity, NHI-L-003 stale,
//! NHI-L-004 never used, NHI-L-005 disabled but holding roles, NHI-L-006 dangling system-assigned identity.
//! NHI-L-001 (orphaned assignments) is about principals that are not identities and runs in `tenant`.

use super::{DAY, Out, View, days, f};
use crate::catalog::{DataSource, Severity};
use crate::findings::{Field, Refs};
use crate::ids::{fold, parse_arm_path};
use crate::model::IdentityKind;
use crate::time::format_rfc3339;

pub(super) fn run(out: &mut Out<'_, '_>, view: &View) {
    let cx = out.cx;
    let Some(id) = cx.identity(view.ix) else {
        return;
    };
    let grants: Vec<u32> = view.grants(cx).collect();
    let privileged = grants
        .iter()
        .any(|&g| cx.grant_tier(g) >= cx.policy.thresholds.privileged_tier);
    let grant_refs = Refs {
        grants: grants.clone(),
        ..Refs::default()
    };
    let grant_evidence = |n: usize| {
        grants
            .iter()
            .take(n)
            .map(|&g| cx.grant_evidence(g))
            .collect::<Vec<_>>()
    };

    // NHI-L-002
    let listed_uami = id.kind == IdentityKind::UserAssignedManagedIdentity && !id.inferred;
    if out.applies("NHI-L-002", listed_uami) {
        let unused = view.workloads(cx).is_empty() && view.federations(cx).next().is_none();
        if unused {
            let severity = if privileged {
                Severity::High
            } else if grants.is_empty() {
                Severity::Low
            } else {
                Severity::Medium
            };
            let mut evidence = vec![cx.identity_evidence(
                view.ix,
                vec![
                    f("attachedResources", "0"),
                    f("federatedCredentials", "0"),
                    Field {
                        name: "roleAssignments".into(),
                        value: grants.len().to_string(),
                    },
                ],
            )];
            evidence.extend(grant_evidence(10));
            let message = format!(
                "user-assigned identity attached to nothing and not federated, holding {} role assignment(s)",
                grants.len()
            );
            out.push("NHI-L-002", severity, message, evidence, grant_refs.clone());
            let sub_exported = cx
                .snap
                .opt_str(id.subscription)
                .is_none_or(|s| cx.resource_subscriptions.contains(&fold(s)));
            if !cx.avail.has(DataSource::Federations) {
                out.uncertain("federated credentials were not exported: the identity may be used through federation");
            } else if !sub_exported {
                out.uncertain("no resource of the identity's subscription was exported: attachments may be missing");
            }
        }
    }

    let enabled = id.enabled != Some(false);
    let joinable = id.client_id.is_some();
    let last = cx.last_sign_in(view.ix);

    // NHI-L-003
    if out.applies("NHI-L-003", enabled && joinable && !grants.is_empty()) {
        let stale = cx.policy.thresholds.stale_days;
        if let Some(last) = last
            && cx.as_of - last > stale * DAY
        {
            let severity = if privileged {
                Severity::High
            } else {
                Severity::Medium
            };
            let activity = id.activity.and_then(|a| cx.snap.activity.get(a as usize));
            let mut evidence = vec![cx.evidence(
                "sign-in-activity",
                activity.and_then(|a| a.provenance.first()),
                vec![
                    f("lastSignInActivity", &format_rfc3339(last)),
                    Field {
                        name: "daysSinceLastSignIn".into(),
                        value: days(cx.as_of - last).to_string(),
                    },
                ],
            )];
            evidence.extend(grant_evidence(5));
            let message = format!(
                "last sign-in {} days ago (threshold {stale}) while holding {} role assignment(s)",
                days(cx.as_of - last),
                grants.len()
            );
            out.push("NHI-L-003", severity, message, evidence, grant_refs.clone());
        }
    }

    // NHI-L-004
    if out.applies("NHI-L-004", joinable && id.created.is_some()) {
        let grace = cx.policy.thresholds.never_used_grace_days;
        if let Some(created) = id.created
            && last.is_none()
            && cx.as_of - created > grace * DAY
        {
            let in_report = id.activity.is_some();
            let evidence = vec![cx.identity_evidence(
                view.ix,
                vec![
                    f("createdDateTime", &format_rfc3339(created)),
                    f(
                        "signInActivity",
                        if in_report {
                            "all null"
                        } else {
                            "absent from the report"
                        },
                    ),
                ],
            )];
            let message = format!(
                "created {} days ago, never signed in",
                days(cx.as_of - created)
            );
            out.push(
                "NHI-L-004",
                Severity::Medium,
                message,
                evidence,
                grant_refs.clone(),
            );
        }
    }

    // NHI-L-005
    if out.applies("NHI-L-005", id.enabled.is_some()) && !enabled && !grants.is_empty() {
        let mut evidence = vec![cx.identity_evidence(view.ix, vec![f("accountEnabled", "false")])];
        evidence.extend(grant_evidence(10));
        let message = format!(
            "disabled, still holding {} role assignment(s)",
            grants.len()
        );
        out.push(
            "NHI-L-005",
            Severity::Low,
            message,
            evidence,
            grant_refs.clone(),
        );
    }

    // NHI-L-006
    let sami_host = (id.kind == IdentityKind::SystemAssignedManagedIdentity)
        .then_some(id.host_resource_id)
        .flatten();
    if out.applies("NHI-L-006", sami_host.is_some())
        && let Some(host) = sami_host
    {
        let host_text = cx.snap.str(host);
        if cx.snap.workload_by_id(host_text).is_none() {
            let evidence = vec![cx.identity_evidence(
                view.ix,
                vec![
                    f("alternativeNames", host_text),
                    f("hostInResourceExport", "false"),
                ],
            )];
            let message = format!(
                "host resource {} is not in the resource export; the service principal remains with {} role \
                 assignment(s)",
                host_text.rsplit('/').next().unwrap_or(host_text),
                grants.len()
            );
            out.push("NHI-L-006", Severity::Medium, message, evidence, grant_refs);
            let sub = parse_arm_path(host_text).1.subscription.map(fold);
            if sub.is_some_and(|s| !cx.resource_subscriptions.contains(&s)) {
                out.uncertain(
                    "nothing from the host's subscription was exported: the resource may exist",
                );
            }
        }
    }
}
