//! Privilege checks (CONTROLS.md §8.1): NHI-P-001 broad privileged roles, NHI-P-002 can grant access, NHI-P-003
//! custom roles with wildcards (identity side), NHI-P-005 broad Key Vault data-plane roles, NHI-P-006 breadth of
//! write reach, NHI-P-004 tenant directory privilege (Entra directory roles and Graph application permissions, when
//! either Graph export was read). NHI-P-007 needs exports this version does not read and is reported not evaluated.

use std::collections::HashSet;

use super::{Out, RoleClass, View, f};
use crate::catalog::Severity;
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
        let mut subs: HashSet<String> = HashSet::new();
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
                    if let Some(sub) = cx.grant_subscription(gx) {
                        subs.insert(sub);
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
