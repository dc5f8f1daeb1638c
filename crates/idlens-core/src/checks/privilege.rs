//! Privilege checks (CONTROLS.md §8.1): NHI-P-001 broad privileged roles, NHI-P-002 can grant access, NHI-P-003
//! custom roles with wildcards (identity side), NHI-P-005 broad Key Vault data-plane roles, NHI-P-006 breadth of
//! write reach, NHI-P-004 tenant directory privilege (Entra directory roles and Graph application permissions, when
//! either Graph export was read), NHI-P-007 granted but unused (write roles with no matching operation in the
//! activity log).

use std::collections::HashSet;

use super::{Out, RoleClass, View, f};
use crate::catalog::{self, Severity};
use crate::findings::Refs;
use crate::ids::ScopeLevel;
use crate::ingest::directory_roles;
use crate::model::{DirectoryGrantKind, Environment};

fn grant_refs(gx: u32) -> Refs {
    Refs {
        grants: vec![gx],
        ..Refs::default()
    }
}

pub(super) fn run(out: &mut Out<'_, '_>, view: &View) {
    let cx = out.cx;
    let grants: Vec<u32> = view.grants(cx).collect();
    let has_grants = !grants.is_empty();
    unused_grants(out, view, &grants);

    if out.applies("NHI-P-001", has_grants) {
        for &gx in &grants {
            let level = cx.scope_level(gx);
            let prod = cx.grant_env(gx) == Environment::Prod;
            let severity = match (cx.grant_class(gx), level) {
                (RoleClass::Admin, ScopeLevel::Root | ScopeLevel::ManagementGroup) => {
                    Some(Severity::Critical)
                }
                (RoleClass::Admin, ScopeLevel::Subscription) if prod => Some(Severity::Critical),
                (RoleClass::Admin, ScopeLevel::Subscription) => Some(Severity::High),
                (RoleClass::Admin, ScopeLevel::ResourceGroup) => Some(Severity::Medium),
                (
                    RoleClass::Contributor,
                    ScopeLevel::Root | ScopeLevel::ManagementGroup | ScopeLevel::Subscription,
                ) => Some(Severity::High),
                _ => None,
            };
            if let Some(severity) = severity {
                let ev = cx.grant_evidence(gx);
                let role = cx.role_name(gx);
                let message = format!(
                    "{role} at {} scope{}",
                    level.id(),
                    if prod { " (production)" } else { "" }
                );
                out.push("NHI-P-001", severity, message, vec![ev], grant_refs(gx));
            }
        }
    }

    if out.applies("NHI-P-002", has_grants) {
        for &gx in &grants {
            let Some(g) = cx.snap.grants.get(gx as usize) else {
                continue;
            };
            let can_grant = cx
                .snap
                .roles
                .get(g.role as usize)
                .is_some_and(|r| r.can_grant_access);
            if !can_grant {
                continue;
            }
            let conditioned = g
                .condition
                .is_some_and(|c| !cx.snap.str(c).trim().is_empty());
            let severity = if conditioned {
                Severity::Medium
            } else {
                Severity::Critical
            };
            let ev = cx.grant_evidence(gx);
            let role = cx.role_name(gx);
            let message = if conditioned {
                format!("{role} can write role assignments (restricted by an ABAC condition)")
            } else {
                format!("{role} can write role assignments with no condition")
            };
            out.push("NHI-P-002", severity, message, vec![ev], grant_refs(gx));
        }
    }

    if out.applies("NHI-P-003", has_grants) {
        let mut seen = HashSet::new();
        for &gx in &grants {
            let Some(g) = cx.snap.grants.get(gx as usize) else {
                continue;
            };
            let Some(role) = cx.snap.roles.get(g.role as usize) else {
                continue;
            };
            if role.custom != Some(true) || !role.has_wildcard || !seen.insert(g.role) {
                continue;
            }
            let wildcards: Vec<&str> = role
                .actions
                .iter()
                .chain(&role.data_actions)
                .map(|a| cx.snap.str(*a))
                .filter(|a| a.contains('*'))
                .collect();
            let name = cx.snap.opt_str(role.name).unwrap_or("(unnamed)");
            let mut role_ev = cx.evidence(
                "role-definition",
                role.provenance.first(),
                vec![f("roleName", name), f("actions", &wildcards.join(", "))],
            );
            role_ev.fields.push(f("assignedTo", "this identity"));
            let message = format!(
                "custom role {name} with wildcard actions ({})",
                wildcards.join(", ")
            );
            let refs = Refs {
                grants: vec![gx],
                roles: vec![g.role],
                ..Refs::default()
            };
            out.push(
                "NHI-P-003",
                Severity::High,
                message,
                vec![role_ev, cx.grant_evidence(gx)],
                refs,
            );
        }
    }

    if out.applies("NHI-P-005", has_grants) {
        for &gx in &grants {
            let above_vault = matches!(
                cx.scope_level(gx),
                ScopeLevel::Root
                    | ScopeLevel::ManagementGroup
                    | ScopeLevel::Subscription
                    | ScopeLevel::ResourceGroup
            );
            let severity = match cx.grant_class(gx) {
                RoleClass::VaultOfficer if above_vault => Severity::High,
                RoleClass::VaultSecretsUser if above_vault => Severity::Medium,
                _ => continue,
            };
            let ev = cx.grant_evidence(gx);
            let role = cx.role_name(gx);
            let message = format!(
                "{role} at {} scope, above any single vault",
                cx.scope_level(gx).id()
            );
            out.push("NHI-P-005", severity, message, vec![ev], grant_refs(gx));
        }
    }

    if out.applies("NHI-P-006", has_grants) {
        // Distinct subscriptions, by number, kept sorted.
        let mut subs: Vec<u32> = Vec::new();
        let mut broad = false;
        let mut writes = Vec::new();
        for &gx in &grants {
            if cx.grant_tier(gx) < 0.5 {
                continue;
            }
            writes.push(gx);
            match cx.scope_level(gx) {
                ScopeLevel::Root | ScopeLevel::ManagementGroup => broad = true,
                _ => {
                    if let Some(sub) = cx.grant_subscription_ix(gx)
                        && let Err(at) = subs.binary_search(&sub)
                    {
                        subs.insert(at, sub);
                    }
                }
            }
        }
        let count = if broad {
            cx.subscriptions.max(subs.len())
        } else {
            subs.len()
        };
        let t = &cx.policy.thresholds;
        let severity = if count >= t.write_subscriptions_high {
            Some(Severity::High)
        } else if count >= t.write_subscriptions_medium {
            Some(Severity::Medium)
        } else {
            None
        };
        if let Some(severity) = severity {
            let message = format!(
                "write access in {count} subscriptions{}",
                if broad {
                    " (through a management-group or root grant)"
                } else {
                    ""
                }
            );
            let evidence = writes
                .iter()
                .take(20)
                .map(|&gx| cx.grant_evidence(gx))
                .collect();
            let refs = Refs {
                grants: writes,
                ..Refs::default()
            };
            out.push("NHI-P-006", severity, message, evidence, refs);
        }
    }

    // NHI-P-004: every identity with a principal id can hold directory roles; it is checked against both exports.
    let can_hold = cx
        .identity(view.ix)
        .is_some_and(|i| i.principal_id.is_some());
    if out.applies("NHI-P-004", can_hold) {
        let dgrants: Vec<u32> = view.directory_grants(cx).collect();
        for dx in dgrants {
            let Some(d) = cx.snap.directory_grants.get(dx as usize) else {
                continue;
            };
            if !directory_roles::is_p004(d.privilege) {
                continue;
            }
            let name = cx.directory_role_name(dx);
            let tenant_wide = d.tenant_wide(&cx.snap.strings);
            let (severity, message) = match d.kind {
                DirectoryGrantKind::DirectoryRole if tenant_wide => (
                    Severity::Critical,
                    format!("Entra directory role {name}, tenant-wide"),
                ),
                DirectoryGrantKind::DirectoryRole => (
                    Severity::Medium,
                    format!(
                        "Entra directory role {name}, scoped to {}",
                        cx.snap.opt_str(d.directory_scope).unwrap_or("")
                    ),
                ),
                DirectoryGrantKind::AppRole => (
                    Severity::Critical,
                    format!("Microsoft Graph application permission {name}"),
                ),
            };
            let refs = Refs {
                directory_grants: vec![dx],
                ..Refs::default()
            };
            out.push(
                "NHI-P-004",
                severity,
                message,
                vec![cx.directory_grant_evidence(dx)],
                refs,
            );
        }
    }
}

/// Operations that look like control-plane writes but never reach the activity log (support tickets, registry
/// pushes) or only read; log queries (`…/search/action`, `…/query/action`) only read too.
const UNLOGGED_ACTIONS: &[&str] = &[
    "microsoft.support/*",
    "microsoft.containerregistry/registries/push/write",
    "microsoft.containerregistry/registries/pull/read",
];

/// Whether a role's write power is only on the data plane (blobs, secrets, registries …) or in operations the
/// activity log does not record: such a grant cannot be judged from the log.
fn data_plane_role(cx: &super::Ctx<'_>, gx: u32) -> bool {
    let snap = cx.snap;
    let Some(role) = snap
        .grants
        .get(gx as usize)
        .and_then(|g| snap.roles.get(g.role as usize))
    else {
        return false;
    };
    if role.actions.is_empty() {
        // Not exported: the well-known data roles say so in their names.
        let name = snap.opt_str(role.name).unwrap_or("").to_ascii_lowercase();
        return name.contains(" data ")
            || name.starts_with("acr")
            || matches!(
                cx.grant_class(gx),
                RoleClass::VaultOfficer | RoleClass::VaultSecretsUser
            );
    }
    // Exported: a role with data actions draws its power from the data plane (Key Vault and storage roles keep a
    // few control-plane actions such as deployments, which say nothing about their use).
    !role.data_actions.is_empty()
        || role.actions.iter().all(|a| {
            let a = snap.str(*a).to_ascii_lowercase();
            a.ends_with("/read")
                || a.ends_with("/search/action")
                || a.ends_with("/query/action")
                || UNLOGGED_ACTIONS.contains(&a.as_str())
        })
}

/// Whether `scope` (folded) is `grant` (folded) or lies under it. A management-group scope covers every subscription
/// (the exports do not say which belong to it), so any operation counts.
fn under(scope: &str, grant: &str) -> bool {
    grant == "/"
        || grant.contains("/providers/microsoft.management/managementgroups/")
        || scope == grant
        || scope.starts_with(grant) && scope.as_bytes().get(grant.len()) == Some(&b'/')
}

/// NHI-P-007: write role assignments with no operation they allow, at or under their scope, within
/// `unused_grant_days` of the audit date, where the activity log covers the scope's subscription.
fn unused_grants(out: &mut Out<'_, '_>, view: &View, grants: &[u32]) {
    let cx = out.cx;
    // Nothing to do (and no role text to look at) when no activity log was read.
    if grants.is_empty() || !catalog::position("NHI-P-007").is_some_and(|k| cx.runs(k)) {
        return;
    }
    let window = cx.policy.thresholds.unused_grant_days;
    let since = cx.as_of - window * super::DAY;
    let judged: Vec<u32> = grants
        .iter()
        .copied()
        .filter(|&gx| cx.grant_tier(gx) >= 0.5 && !data_plane_role(cx, gx))
        .collect();
    if !out.applies("NHI-P-007", !judged.is_empty() && !cx.foreign(view.ix)) {
        return;
    }
    let snap = cx.snap;
    // The identity's successful operations in the window: folded scope and action, once for all its grants.
    let ops: Vec<(String, &str)> = cx
        .ops_of
        .get(view.ix as usize)
        .into_iter()
        .flatten()
        .filter_map(|&o| snap.operations.get(o as usize))
        .filter(|o| !o.failed && o.at >= since && o.at <= cx.as_of)
        .map(|o| (crate::ids::fold(snap.str(o.scope)), snap.str(o.action)))
        .collect();
    for gx in judged {
        let Some(g) = snap.grants.get(gx as usize) else {
            continue;
        };
        // Covered: the log has events of the scope's subscription (any subscription for a root or group scope).
        let span = match cx.grant_subscription_ix(gx) {
            Some(sub) => cx
                .subscription_log_span
                .get(sub as usize)
                .copied()
                .flatten(),
            None => cx
                .log_span
                .values()
                .copied()
                .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1))),
        };
        let Some((first, _)) = span else {
            continue;
        };
        let scope = snap
            .scopes
            .get(g.scope as usize)
            .map_or(String::new(), |s| crate::ids::fold(snap.str(s.id)));
        let role = snap.roles.get(g.role as usize);
        let allow: Vec<&str> = role.map_or(Vec::new(), |r| {
            r.actions.iter().map(|a| snap.str(*a)).collect()
        });
        let deny: Vec<&str> = role.map_or(Vec::new(), |r| {
            r.not_actions.iter().map(|a| snap.str(*a)).collect()
        });
        let used = ops.iter().any(|(op_scope, action)| {
            under(op_scope, &scope)
                && (allow.is_empty() || crate::ingest::roles::effective(&allow, &deny, action))
        });
        if used {
            continue;
        }
        let tier = cx.grant_tier(gx);
        let severity = if tier >= cx.policy.thresholds.privileged_tier {
            Severity::High
        } else {
            Severity::Medium
        };
        let mut ev = cx.grant_evidence(gx);
        ev.fields.push(f(
            "activityLog",
            &format!(
                "no operation allowed by the role at or under this scope since {} ({} operation(s) of this identity \
                 in the window)",
                crate::time::format_rfc3339(since).get(..10).unwrap_or(""),
                ops.len()
            ),
        ));
        let message = format!(
            "{} at {} scope not exercised in {window} days (the activity log shows no operation it allows)",
            cx.role_name(gx),
            cx.scope_level(gx).id()
        );
        out.push("NHI-P-007", severity, message, vec![ev], grant_refs(gx));
        if first > since + 7 * super::DAY {
            out.uncertain(
                "the activity log read covers less than the window (export it with `--offset 90d`): an older use \
                 would not show",
            );
        }
    }
}
