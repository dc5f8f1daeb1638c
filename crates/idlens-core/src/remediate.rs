//! The remediation plan: concrete actions (remove a grant or a directory role, delete an identity, replace static
//! credentials with a managed identity or federation, pin or delete a federated credential, add an owner) ranked by how much tenant
//! risk (Σ identity risk) each removes. The reduction is computed by re-evaluating and re-scoring the one identity
//! the action touches on a [`View`] without the removed parts — never estimated.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::checks::{Ctx, Evaluation, View};
use crate::findings::IdentityRef;
use crate::model::Snapshot;
use crate::policy::Policy;
use crate::score::rescore;

/// What to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionKind {
    DeleteIdentity,
    RemoveGrant,
    ReplaceStaticCredentials,
    RemoveExpiredCredentials,
    PinFederatedSubject,
    DeleteFederatedCredential,
    AddOwner,
    /// Remove an Entra directory role or a Microsoft Graph application permission (NHI-P-004).
    RemoveDirectoryRole,
    /// Hygiene: assignments of deleted principals carry no identity risk but pollute reviews.
    DeleteOrphanedAssignments,
    /// Delete the secrets and certificates nobody uses (NHI-C-007).
    DeleteUnusedCredentials,
}

/// One action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Action {
    pub kind: ActionKind,
    pub identity: IdentityRef,
    /// What to do, concretely.
    pub description: String,
    /// Snapshot indices the action removes or changes.
    pub grants: Vec<u32>,
    pub credentials: Vec<u32>,
    pub federations: Vec<u32>,
    /// Indices into the snapshot's `directory_grants` the action removes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub directory_grants: Vec<u32>,
    /// The open findings it addresses.
    pub checks: Vec<String>,
    pub risk_before: u8,
    pub risk_after: u8,
    /// risk_before − risk_after: the tenant risk it removes.
    pub risk_removed: u32,
}

/// The ranked plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub tenant_risk: u64,
    /// Sorted by `risk_removed` (descending), then identity and action; hygiene-only actions last.
    pub actions: Vec<Action>,
}

/// Most candidate actions tried per identity (the ones from the most severe findings first).
const MAX_CANDIDATES: usize = 40;

/// Compute the plan for an evaluation of `snap` under `policy` at `as_of`.
#[must_use]
pub fn plan(snap: &Snapshot, policy: &Policy, as_of: i64, evaluation: &Evaluation) -> Plan {
    let mut cx = Ctx::new(snap, policy, as_of);
    // Each candidate action is re-scored, not reported: its findings need no evidence.
    cx.scoring_only = true;
    let mut actions = Vec::new();
    for score in &evaluation.scores {
        let Some(ix) = score.identity.index else {
            continue;
        };
        if score.risk == 0 {
            continue;
        }
        let mut findings: Vec<_> = score
            .findings
            .iter()
            .filter_map(|&i| evaluation.findings.get(i as usize))
            .filter(|f| f.open())
            .collect();
        crate::order::sort_by(&mut findings, |a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.check_id.cmp(&b.check_id))
        });
        let mut candidates: Vec<(ActionKind, View, String, BTreeSet<String>)> = Vec::new();
        let mut add = |kind: ActionKind, view: View, description: String, check: &str| {
            if let Some(c) = candidates
                .iter_mut()
                .find(|c| c.0 == kind && same(&c.1, &view))
            {
                c.3.insert(check.to_owned());
                return;
            }
            if candidates.len() < MAX_CANDIDATES {
                candidates.push((kind, view, description, BTreeSet::from([check.to_owned()])));
            }
        };
        let name = &score.identity.name;
        for finding in findings {
            let id = finding.check_id.as_ref();
            match id {
                "NHI-P-001" | "NHI-P-002" | "NHI-P-003" | "NHI-P-005" | "NHI-P-007"
                | "NHI-I-004" | "NHI-H-001" => {
                    for &g in &finding.refs.grants {
                        let mut v = View::of(ix);
                        v.removed_grants.push(g);
                        let what = grant_text(snap, g);
                        let description = if id == "NHI-H-001" {
                            format!("Remove the user's {what} over {name}")
                        } else {
                            format!("Remove {what} from {name}")
                        };
                        add(ActionKind::RemoveGrant, v, description, id);
                    }
                }
                "NHI-L-002" | "NHI-L-003" | "NHI-L-004" | "NHI-L-005" | "NHI-L-006" => {
                    add(
                        ActionKind::DeleteIdentity,
                        View::of(ix),
                        format!("Delete {name} and its role assignments"),
                        id,
                    );
                }
                "NHI-C-001" | "NHI-C-002" | "NHI-C-003" | "NHI-C-006" | "NHI-C-008" => {
                    let mut v = View::of(ix);
                    v.removed_credentials = cx_creds(&cx, ix);
                    v.assume_federation = true;
                    add(
                        ActionKind::ReplaceStaticCredentials,
                        v,
                        format!(
                            "Replace the secrets and certificates of {name} with a managed identity or workload identity federation, then delete them"
                        ),
                        id,
                    );
                }
                "NHI-C-004" => {
                    let mut v = View::of(ix);
                    v.removed_credentials = finding.refs.credentials.clone();
                    add(
                        ActionKind::RemoveExpiredCredentials,
                        v,
                        format!("Remove the expired credentials of {name}"),
                        id,
                    );
                }
                "NHI-C-007" => {
                    let mut v = View::of(ix);
                    v.removed_credentials = finding.refs.credentials.clone();
                    add(
                        ActionKind::DeleteUnusedCredentials,
                        v,
                        format!("Delete the unused secrets and certificates of {name}"),
                        id,
                    );
                }
                "NHI-F-001" | "NHI-F-003" => {
                    for &x in &finding.refs.federations {
                        let mut v = View::of(ix);
                        v.pinned_federations.push(x);
                        let fed = fed_text(snap, x);
                        add(
                            ActionKind::PinFederatedSubject,
                            v,
                            format!(
                                "Pin federated credential {fed} of {name} to one repository and a protected environment of its own stage"
                            ),
                            id,
                        );
                    }
                }
                "NHI-F-002" | "NHI-F-004" => {
                    for &x in &finding.refs.federations {
                        let mut v = View::of(ix);
                        v.removed_federations.push(x);
                        let fed = fed_text(snap, x);
                        add(
                            ActionKind::DeleteFederatedCredential,
                            v,
                            format!("Delete federated credential {fed} of {name}"),
                            id,
                        );
                    }
                }
                "NHI-P-004" => {
                    for &d in &finding.refs.directory_grants {
                        let mut v = View::of(ix);
                        v.removed_directory_grants.push(d);
                        let what = directory_text(snap, d);
                        add(
                            ActionKind::RemoveDirectoryRole,
                            v,
                            format!(
                                "Remove {what} from {name} (use a narrower permission such as \
                                 Application.ReadWrite.OwnedBy, or a role scoped to the objects it manages)"
                            ),
                            id,
                        );
                    }
                }
                "NHI-G-001" => {
                    let v = View {
                        owner_added: true,
                        ..View::of(ix)
                    };
                    add(
                        ActionKind::AddOwner,
                        v,
                        format!("Add an accountable owner to {name} (tag or app owners)"),
                        id,
                    );
                }
                "NHI-G-002" => {
                    let v = View {
                        owner_added: true,
                        ..View::of(ix)
                    };
                    add(
                        ActionKind::AddOwner,
                        v,
                        format!(
                            "Transfer ownership of {name} to an active owner, then rotate its credentials (its owners \
                             are gone or disabled)"
                        ),
                        id,
                    );
                }
                _ => {}
            }
        }
        for (kind, view, description, checks) in candidates {
            let after = if kind == ActionKind::DeleteIdentity {
                0
            } else {
                rescore(&cx, &view)
            };
            let removed = u32::from(score.risk.saturating_sub(after));
            if removed == 0 {
                continue;
            }
            actions.push(Action {
                kind,
                identity: score.identity.clone(),
                description,
                grants: view.removed_grants.clone(),
                credentials: view.removed_credentials.clone(),
                federations: if view.pinned_federations.is_empty() {
                    view.removed_federations.clone()
                } else {
                    view.pinned_federations.clone()
                },
                directory_grants: view.removed_directory_grants.clone(),
                checks: checks.into_iter().collect(),
                risk_before: score.risk,
                risk_after: after,
                risk_removed: removed,
            });
        }
    }
    crate::order::sort_by(&mut actions, |a, b| {
        b.risk_removed
            .cmp(&a.risk_removed)
            .then(a.identity.index.cmp(&b.identity.index))
            .then(a.kind.cmp(&b.kind))
            .then(a.description.cmp(&b.description))
    });
    let orphans: Vec<u32> = evaluation
        .findings
        .iter()
        .filter(|f| f.check_id == "NHI-L-001" && f.open())
        .flat_map(|f| f.refs.grants.iter().copied())
        .collect();
    if !orphans.is_empty() {
        actions.push(Action {
            kind: ActionKind::DeleteOrphanedAssignments,
            identity: IdentityRef {
                name: "deleted principals".into(),
                kind: "unresolved-principal".into(),
                id: String::new(),
                index: None,
            },
            description: format!(
                "Delete the {} role assignments of deleted or unresolvable principals",
                orphans.len()
            ),
            grants: orphans,
            credentials: Vec::new(),
            federations: Vec::new(),
            directory_grants: Vec::new(),
            checks: vec!["NHI-L-001".into()],
            risk_before: 0,
            risk_after: 0,
            risk_removed: 0,
        });
    }
    Plan {
        tenant_risk: evaluation.posture.tenant.total_risk,
        actions,
    }
}

fn same(a: &View, b: &View) -> bool {
    a.removed_grants == b.removed_grants
        && a.removed_directory_grants == b.removed_directory_grants
        && a.removed_credentials == b.removed_credentials
        && a.removed_federations == b.removed_federations
        && a.pinned_federations == b.pinned_federations
        && a.owner_added == b.owner_added
        && a.assume_federation == b.assume_federation
}

fn cx_creds(cx: &Ctx<'_>, ix: u32) -> Vec<u32> {
    let view = View::of(ix);
    view.credentials(cx).collect()
}

fn grant_text(snap: &Snapshot, g: u32) -> String {
    let Some(grant) = snap.grants.get(g as usize) else {
        return format!("grant #{g}");
    };
    let role = snap
        .roles
        .get(grant.role as usize)
        .and_then(|r| snap.opt_str(r.name))
        .unwrap_or("(unknown role)");
    let scope = snap
        .scopes
        .get(grant.scope as usize)
        .map_or("", |s| snap.str(s.id));
    format!("{role} at {scope}")
}

fn directory_text(snap: &Snapshot, d: u32) -> String {
    let Some(grant) = snap.directory_grants.get(d as usize) else {
        return format!("directory grant #{d}");
    };
    let name = snap
        .opt_str(grant.role_name)
        .map(str::to_owned)
        .or_else(|| grant.role_id.map(|g| g.canonical()))
        .unwrap_or_else(|| "(unknown role)".into());
    match grant.kind {
        crate::model::DirectoryGrantKind::DirectoryRole => format!("Entra directory role {name}"),
        crate::model::DirectoryGrantKind::AppRole => {
            format!("Microsoft Graph application permission {name}")
        }
    }
}

fn fed_text(snap: &Snapshot, x: u32) -> String {
    snap.federations
        .get(x as usize)
        .and_then(|f| snap.opt_str(f.name))
        .unwrap_or("(unnamed)")
        .to_owned()
}
