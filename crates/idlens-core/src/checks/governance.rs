//! Governance checks on identities (CONTROLS.md §8.3): NHI-G-001 missing owner, NHI-G-002 owner gone or disabled
//! (the app's `owners`, and an owner tag naming a person or team by address, looked up among the exported users,
//! groups and service principals), NHI-G-003 environment unclassified, NHI-G-004 inventory gap (an identity only
//! referenced, never listed); the snapshot-wide part of NHI-G-004 runs in `tenant`.

use super::{Out, View, f};
use crate::catalog::Severity;
use crate::findings::Refs;
use crate::ids::fold;
use crate::model::{Environment, Identity, IdentityKind, Owner, OwnerKind, Tag};

/// What the exports say of one owner (NHI-G-002).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OwnerState {
    /// Found, and not disabled (or `accountEnabled` not exported).
    Active,
    /// Found with `accountEnabled: false`: a user (index into `principals`) or a service principal (identity).
    DisabledUser(u32),
    DisabledApp(u32),
    /// Not among the exported objects of its kind: deleted, or outside a partial export.
    Gone,
    /// Nothing to look it up in (its kind was not exported), or not an address: not judged.
    Unknown,
}

/// The tag that names the owner of `id` (the host resource's for a system-assigned identity).
fn owner_tag_of(out: &Out<'_, '_>, id: &Identity) -> Option<(String, String)> {
    let cx = out.cx;
    if id.kind == IdentityKind::SystemAssignedManagedIdentity
        && let Some(w) = id
            .host_resource_id
            .and_then(|h| cx.snap.workload_by_id(cx.snap.str(h)))
    {
        return owner_tag(out, &w.tags);
    }
    owner_tag(out, &id.tags)
}

/// Look up an owner of the `owners` list.
fn listed_owner_state(out: &Out<'_, '_>, owner: &Owner) -> OwnerState {
    let cx = out.cx;
    let as_app = |cx: &super::Ctx<'_>| {
        let ix = owner
            .id
            .and_then(|g| cx.snap.index.by_principal_id.get(&g).copied())?;
        let enabled = cx.identity(ix).and_then(|i| i.enabled);
        Some(if enabled == Some(false) {
            OwnerState::DisabledApp(ix)
        } else {
            OwnerState::Active
        })
    };
    let as_principal = |cx: &super::Ctx<'_>| {
        let px = owner
            .id
            .and_then(|g| cx.principal_by_id.get(&g).copied())
            .or_else(|| {
                let name = fold(cx.snap.opt_str(owner.name)?.trim());
                cx.principal_by_name.get(&name).copied()
            })?;
        let enabled = cx.snap.principals.get(px as usize).and_then(|p| p.enabled);
        Some(if enabled == Some(false) {
            OwnerState::DisabledUser(px)
        } else {
            OwnerState::Active
        })
    };
    let found = match owner.kind {
        OwnerKind::ServicePrincipal => as_app(cx),
        _ => as_principal(cx).or_else(|| as_app(cx)),
    };
    if let Some(state) = found {
        return state;
    }
    // Not found: gone only when the export that would list it was read.
    let looked = match owner.kind {
        OwnerKind::ServicePrincipal => cx.avail.service_principals,
        OwnerKind::User | OwnerKind::Unknown => cx.avail.users,
        OwnerKind::Group => cx.avail.groups,
    };
    if looked {
        OwnerState::Gone
    } else {
        OwnerState::Unknown
    }
}

/// Look up the person or team an owner tag names by address (`alice@contoso.com`); other values (`team-payments`)
/// are not judged.
fn tag_owner_state(out: &Out<'_, '_>, value: &str) -> OwnerState {
    let cx = out.cx;
    let value = value.trim();
    if !value.contains('@') || value.contains(char::is_whitespace) {
        return OwnerState::Unknown;
    }
    match cx.principal_by_name.get(&fold(value)) {
        Some(&px) => match cx.snap.principals.get(px as usize).and_then(|p| p.enabled) {
            Some(false) => OwnerState::DisabledUser(px),
            _ => OwnerState::Active,
        },
        None if cx.avail.users => OwnerState::Gone,
        None => OwnerState::Unknown,
    }
}

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

    // NHI-G-002
    if out.applies("NHI-G-002", !foreign) && !view.owner_added {
        owner_gone(out, view, id);
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

/// NHI-G-002: every owner that can be judged is gone or disabled (and at least one could be judged).
fn owner_gone(out: &mut Out<'_, '_>, view: &View, id: &Identity) {
    let cx = out.cx;
    // (shown name, state, where it was looked up)
    let mut judged: Vec<(String, OwnerState, &'static str)> = id
        .owners
        .iter()
        .map(|o| {
            let among = match o.kind {
                OwnerKind::ServicePrincipal => "service principals",
                OwnerKind::Group => "groups",
                OwnerKind::User | OwnerKind::Unknown => "users",
            };
            (cx.snap.owner_text(o), listed_owner_state(out, o), among)
        })
        .collect();
    let tag = owner_tag_of(out, id);
    if let Some((_, value)) = &tag {
        let known = judged
            .iter()
            .any(|(name, ..)| name.trim().eq_ignore_ascii_case(value.trim()));
        if !known {
            let among = if cx.avail.groups {
                "users and groups"
            } else {
                "users"
            };
            judged.push((value.clone(), tag_owner_state(out, value), among));
        }
    }
    let any_judged = judged.iter().any(|(_, s, _)| *s != OwnerState::Unknown);
    let any_active = judged
        .iter()
        .any(|(_, s, _)| matches!(s, OwnerState::Active | OwnerState::Unknown));
    if !any_judged || any_active {
        return;
    }
    let listed: Vec<String> = judged
        .iter()
        .map(|(name, state, among)| {
            let what = match state {
                OwnerState::DisabledUser(_) => "account disabled".to_owned(),
                OwnerState::DisabledApp(_) => "service principal disabled".to_owned(),
                OwnerState::Gone => format!("not among the exported {among}"),
                OwnerState::Active | OwnerState::Unknown => "active".to_owned(),
            };
            format!("{name} ({what})")
        })
        .collect();
    let mut fields = vec![f("owners", &listed.join("; "))];
    if let Some((key, value)) = &tag {
        fields.push(crate::findings::Field {
            name: format!("tags.{key}").into(),
            value: value.clone(),
        });
    }
    let mut evidence = vec![cx.identity_evidence(view.ix, fields)];
    for (name, state, _) in &judged {
        match *state {
            OwnerState::DisabledUser(px) => {
                if let Some(p) = cx.snap.principals.get(px as usize) {
                    evidence.push(cx.evidence(
                        "user",
                        Some(&p.provenance),
                        vec![f("userPrincipalName", name), f("accountEnabled", "false")],
                    ));
                }
            }
            OwnerState::DisabledApp(ix) => {
                evidence.push(
                    cx.identity_evidence(ix, vec![f("owner", name), f("accountEnabled", "false")]),
                );
            }
            _ => {}
        }
    }
    let message = if judged.len() == 1 {
        format!("its only owner {}", listed[0])
    } else {
        format!(
            "none of its {} owners is active: {}",
            judged.len(),
            listed.join("; ")
        )
    };
    out.push(
        "NHI-G-002",
        Severity::Medium,
        message,
        evidence,
        Refs::default(),
    );
    let gone_tag = judged
        .iter()
        .any(|(name, s, _)| *s == OwnerState::Gone && tag.as_ref().is_some_and(|(_, v)| v == name));
    let any_gone = judged.iter().any(|(_, s, _)| *s == OwnerState::Gone);
    if gone_tag && !cx.avail.groups {
        out.uncertain(
            "an owner tag's address is not among the exported users; groups were not exported, so it may name a team",
        );
    } else if any_gone && (cx.avail.users_partial || cx.avail.service_principals_partial) {
        out.uncertain(
            "the users or service-principal export is one page of several (`@odata.nextLink` set, no last page \
             read): the owner may be on a missing page",
        );
    }
}
