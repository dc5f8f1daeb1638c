//! Governance checks on identities (CONTROLS.md §8.3): NHI-G-001 missing owner, NHI-G-003 environment
//! unclassified, NHI-G-004 inventory gap (an identity only referenced, never listed). NHI-G-002 needs the users
//! export and is reported not evaluated; the snapshot-wide part of NHI-G-004 runs in `tenant`.

use super::{Out, View, f};
use crate::catalog::Severity;
use crate::findings::Refs;
use crate::ids::fold;
use crate::model::{Environment, IdentityKind, Tag};

fn owner_tag(out: &Out<'_, '_>, tags: &[Tag]) -> Option<(String, String)> {
    let keys = out.cx.policy.owner_keys();
    tags.iter().find_map(|t| {
        let key = out.cx.snap.str(t.key).trim();
        let value = out.cx.snap.str(t.value).trim();
        (keys.iter().any(|k| k.eq_ignore_ascii_case(key)) && !value.is_empty())
            .then(|| (key.to_owned(), value.to_owned()))
    })
}

pub(super) fn run(out: &mut Out<'_, '_>, view: &View) {
    let cx = out.cx;
    let Some(id) = cx.identity(view.ix) else {
        return;
    };
    let foreign = cx.foreign(view.ix);
    let has_grants = view.grants(cx).next().is_some();

    // NHI-G-001
    if out.applies("NHI-G-001", !foreign) {
        let host = id
            .host_resource_id
            .and_then(|h| cx.snap.workload_by_id(cx.snap.str(h)));
        let (owned, looked_at) = match id.kind {
            IdentityKind::SystemAssignedManagedIdentity => match host {
                Some(w) => (owner_tag(out, &w.tags).is_some(), "host resource tags"),
                None => (
                    owner_tag(out, &id.tags).is_some(),
                    "identity tags (host resource not exported)",
                ),
            },
            IdentityKind::ApplicationServicePrincipal
            | IdentityKind::ApplicationRegistration
            | IdentityKind::OtherServicePrincipal => (
                !id.owners.is_empty() || owner_tag(out, &id.tags).is_some(),
                "owners and tags",
            ),
            _ => (owner_tag(out, &id.tags).is_some(), "identity tags"),
        };
        if !owned && !view.owner_added {
            let severity = if has_grants {
                Severity::Medium
            } else {
                Severity::Low
            };
            let keys = cx.policy.owner_keys().join(", ");
            let evidence = vec![cx.identity_evidence(
                view.ix,
                vec![
                    f("checked", looked_at),
                    f("ownerTagKeys", &keys),
                    f("owners", "none"),
                ],
            )];
            let message = format!("no owner found in {looked_at} (keys: {keys})");
            out.push("NHI-G-001", severity, message, evidence, Refs::default());
            let app = matches!(
                id.kind,
                IdentityKind::ApplicationServicePrincipal
                    | IdentityKind::ApplicationRegistration
                    | IdentityKind::OtherServicePrincipal
            );
            if app && !cx.owners_exported {
                out.uncertain("no app or service principal in the export has owners: `owners` may not have been expanded");
            }
        }
    }

    // NHI-G-003
    if out.applies("NHI-G-003", !foreign) {
        let own = cx
            .identity_env
            .get(view.ix as usize)
            .copied()
            .unwrap_or_default();
        let workloads_known = view.workloads(cx).iter().any(|&w| {
            cx.workload_env
                .get(w as usize)
                .is_some_and(|e| *e != Environment::Unknown)
        });
        let scopes_known = view
            .grants(cx)
            .any(|g| cx.grant_env(g) != Environment::Unknown);
        if own == Environment::Unknown && !workloads_known && !scopes_known {
            let sub = cx.snap.opt_str(id.subscription).unwrap_or("(none)");
            let evidence = vec![cx.identity_evidence(
                view.ix,
                vec![
                    f("environment", "unknown"),
                    f("subscription", sub),
                    f(
                        "resourceGroup",
                        cx.snap.opt_str(id.resource_group).unwrap_or("(none)"),
                    ),
                ],
            )];
            let mapped = cx
                .policy
                .environment
                .subscriptions
                .keys()
                .any(|k| fold(k) == fold(sub));
            let message = format!(
                "neither the identity, its {} workload(s) nor its grants are classified prod or non-prod{}",
                view.workloads(cx).len(),
                if mapped {
                    ""
                } else {
                    "; its subscription is not in the policy map"
                }
            );
            out.push(
                "NHI-G-003",
                Severity::Low,
                message,
                evidence,
                Refs::default(),
            );
        }
    }

    // NHI-G-004 (identity part)
    if out.applies("NHI-G-004", true) && id.inferred {
        let evidence = id
            .provenance
            .iter()
            .take(5)
            .map(|p| {
                cx.evidence(
                    "reference",
                    Some(p),
                    vec![f("listedByIdentityExport", "false")],
                )
            })
            .collect();
        let message = "referenced by a resource, federated credential or service principal but not listed by any \
                       identity export"
            .to_owned();
        out.push(
            "NHI-G-004",
            Severity::Info,
            message,
            evidence,
            Refs::default(),
        );
    }
}
