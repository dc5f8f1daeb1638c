//! The check engine: evaluates the catalog ([`crate::catalog`]) over a [`Snapshot`] under a [`Policy`] at an
//! as-of instant, and scores the result ([`crate::score`]).
//!
//! Design (for speed on a million role assignments): [`Ctx::new`] indexes grants, workloads, credentials and
//! federations by identity once, resolves every scope's and workload's environment once, and applies the policy's
//! role-tier overrides once. Each identity is then evaluated on its own [`View`] (its slice of the indexes, minus
//! whatever a remediation removes), so the remediation plan re-evaluates only the identity an action touches.
//! Checks about things that are not identities (orphaned assignments, unassigned custom roles, export gaps) run
//! once per snapshot in [`tenant`].
//!
//! Availability: each check names the data it requires; when a required export is absent the check is
//! `not-evaluated` (never a pass) and says which export to ask for; when an optional one is absent it is `partial`.

mod credentials;
mod federation;
mod governance;
mod isolation;
mod lifecycle;
mod privilege;
mod tenant;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use crate::ids::hash::FastMap;

/// A set on the ingest's fast hasher.
type FastSet<T> = std::collections::HashSet<T, crate::ids::hash::FastBuild>;

use serde::{Deserialize, Serialize};

use crate::catalog::{self, CHECKS, DataSource, Severity};
use crate::findings::{
    CheckRun, CheckStatus, Evidence, Field, Finding, IdentityRef, Refs, WaiverNote, WaiverStatus,
};
use crate::ids::{Guid, ScopeLevel, Sym, fold};
use crate::ingest::env::{ENV_TAG_KEYS, classify_text};
use crate::model::{
    DirectoryGrantKind, Environment, GrantPrincipal, Identity, IdentityKind, Provenance, Snapshot,
    Tag,
};
use crate::policy::{Policy, glob_match};
use crate::score::{self, IdentityScore, Impact, Posture};

const DAY: i64 = 86_400;

/// Well-known role classes the checks grade by (GUIDs of CONTROLS.md §11, or names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RoleClass {
    /// Owner, User Access Administrator, RBAC Administrator.
    Admin,
    Contributor,
    /// Key Vault Administrator / Secrets / Crypto / Certificates Officer / Data Access Administrator.
    VaultOfficer,
    VaultSecretsUser,
    ManagedIdentityOperator,
    Other,
}

fn role_class(guid: Option<Guid>, name: &str) -> RoleClass {
    let by_guid = guid.map(|g| g.canonical());
    let g = by_guid.as_deref().unwrap_or("");
    let n = name.trim().to_ascii_lowercase();
    match (g, n.as_str()) {
        ("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", _) | (_, "owner") => RoleClass::Admin,
        ("18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", _) | (_, "user access administrator") => {
            RoleClass::Admin
        }
        ("f58310d9-a9f6-439a-9e8d-f62e7b41a168", _)
        | (_, "role based access control administrator") => RoleClass::Admin,
        ("b24988ac-6180-42a0-ab88-20f7382dd24c", _) | (_, "contributor") => RoleClass::Contributor,
        ("00482a5a-887f-4fb3-b363-3b7fe8e74483", _)
        | ("b86a8fe4-44ce-4948-aee5-eccb2c155cd7", _)
        | ("14b46e9e-c2b7-41b4-b07b-48a6ebf60603", _)
        | ("a4417e6f-fecd-4de8-b567-7b0420556985", _)
        | ("8b54135c-b56d-4d72-a534-26097cfdc8d8", _)
        | (
            _,
            "key vault administrator"
            | "key vault secrets officer"
            | "key vault crypto officer"
            | "key vault certificates officer"
            | "key vault data access administrator",
        ) => RoleClass::VaultOfficer,
        ("4633458b-17de-408a-b874-0445c86b69e6", _) | (_, "key vault secrets user") => {
            RoleClass::VaultSecretsUser
        }
        ("f1a07417-d97a-45cb-824c-7a7467783830", _) | (_, "managed identity operator") => {
            RoleClass::ManagedIdentityOperator
        }
        _ => RoleClass::Other,
    }
}

/// Which data sources the exports provide, from the formats the ingest recognised.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Availability {
    pub sources: Vec<DataSource>,
    /// A service-principal export (`az ad sp list --all`) was read: the directory side is complete enough to call
    /// an unknown principal deleted.
    pub service_principals: bool,
    pub user_assigned_identities: bool,
    /// Graph `roleManagement/directory/roleAssignments` was read (Entra directory roles).
    #[serde(default)]
    pub directory_roles: bool,
    /// Graph `appRoleAssignments` were read (application permissions).
    #[serde(default)]
    pub app_role_assignments: bool,
    /// Graph `users` were read (owner resolution).
    #[serde(default)]
    pub users: bool,
    /// Graph `groups` were read (owner tags naming a team).
    #[serde(default)]
    pub groups: bool,
    /// Every service-principal file read is one page of several (`nextLink` set, no last page): an unknown principal
    /// may be on a missing page.
    #[serde(default)]
    pub service_principals_partial: bool,
    /// Likewise for the users export.
    #[serde(default)]
    pub users_partial: bool,
}

impl Availability {
    /// From the snapshot's file reports (files with at least one ingested record).
    #[must_use]
    pub fn of(snapshot: &Snapshot) -> Availability {
        let mut a = Availability::default();
        let mut set = std::collections::BTreeSet::new();
        for f in &snapshot.files {
            if f.ingested == 0 {
                continue;
            }
            let format = f.format.strip_suffix("-csv").unwrap_or(&f.format);
            match format {
                "az-user-assigned-identities" => {
                    set.insert(DataSource::Identities);
                    a.user_assigned_identities = true;
                }
                "graph-service-principals" | "aad-graph-service-principals" => {
                    set.insert(DataSource::Identities);
                    set.insert(DataSource::Credentials);
                    a.service_principals = true;
                }
                "graph-applications" | "aad-graph-applications" => {
                    set.insert(DataSource::Identities);
                    set.insert(DataSource::Credentials);
                }
                "az-role-assignments" | "az-powershell-role-assignments" => {
                    set.insert(DataSource::RoleAssignments);
                }
                "az-role-definitions" => {
                    set.insert(DataSource::RoleDefinitions);
                }
                "resource-graph" => {
                    set.insert(DataSource::Resources);
                }
                "az-federated-credentials" => {
                    set.insert(DataSource::Federations);
                }
                "graph-sign-in-activity" => {
                    set.insert(DataSource::SignIns);
                }
                "graph-app-credential-sign-in-activity" => {
                    set.insert(DataSource::CredentialUsage);
                }
                "graph-directory-role-assignments" => {
                    set.insert(DataSource::DirectoryRoles);
                    a.directory_roles = true;
                }
                "az-activity-log" => {
                    set.insert(DataSource::PermissionUsage);
                }
                "graph-users" => {
                    set.insert(DataSource::Users);
                    a.users = true;
                }
                "graph-groups" => {
                    set.insert(DataSource::Users);
                    a.groups = true;
                }
                "graph-app-role-assignments" => {
                    set.insert(DataSource::DirectoryRoles);
                    a.app_role_assignments = true;
                }
                _ => {}
            }
        }
        let all_partial = |formats: &[&str]| {
            let mut files = snapshot.files.iter().filter(|f| {
                f.ingested + f.merged > 0
                    && formats.contains(&f.format.strip_suffix("-csv").unwrap_or(&f.format))
            });
            let first = files.next();
            first.is_some_and(|f| f.partial) && files.all(|f| f.partial)
        };
        a.service_principals_partial =
            all_partial(&["graph-service-principals", "aad-graph-service-principals"]);
        a.users_partial = all_partial(&["graph-users"]);
        a.sources = set.into_iter().collect();
        a
    }

    #[must_use]
    pub fn has(&self, source: DataSource) -> bool {
        self.sources.contains(&source)
    }
}

/// Required and optional data of each check, as implemented (the catalog's `data` lists what the full check reads).
fn requirements(id: &str) -> (&'static [DataSource], &'static [DataSource]) {
    use DataSource as D;
    match id {
        "NHI-P-001" => (&[D::RoleAssignments], &[D::RoleDefinitions, D::Identities]),
        "NHI-P-002" => (&[D::RoleAssignments], &[D::RoleDefinitions]),
        "NHI-P-003" => (&[D::RoleDefinitions], &[D::RoleAssignments]),
        "NHI-P-004" => (&[D::DirectoryRoles], &[D::Identities]),
        "NHI-P-005" => (&[D::RoleAssignments], &[D::RoleDefinitions]),
        "NHI-P-006" => (&[D::RoleAssignments], &[D::RoleDefinitions]),
        "NHI-P-007" => (
            &[D::RoleAssignments, D::PermissionUsage],
            &[D::RoleDefinitions],
        ),
        "NHI-L-001" => (&[D::RoleAssignments, D::Identities], &[]),
        "NHI-L-002" => (
            &[D::Identities, D::Resources],
            &[D::Federations, D::RoleAssignments],
        ),
        "NHI-L-003" => (&[D::SignIns, D::RoleAssignments], &[]),
        "NHI-L-004" => (&[D::SignIns, D::Identities], &[]),
        "NHI-L-005" => (&[D::Identities, D::RoleAssignments], &[]),
        "NHI-L-006" => (&[D::Identities, D::Resources], &[D::RoleAssignments]),
        "NHI-G-001" => (&[D::Identities], &[D::Resources]),
        "NHI-G-002" => (&[D::Identities, D::Users], &[]),
        "NHI-G-003" => (&[D::Identities], &[D::Resources, D::RoleAssignments]),
        "NHI-G-004" => (&[D::Identities], &[D::Resources, D::RoleAssignments]),
        "NHI-C-007" => (&[D::Credentials, D::CredentialUsage], &[]),
        "NHI-C-008" => (&[D::Credentials, D::Resources], &[]),
        id if id.starts_with("NHI-C-") => (&[D::Credentials], &[]),
        "NHI-F-001" | "NHI-F-003" => (&[D::Federations], &[D::RoleAssignments]),
        "NHI-F-002" => (&[D::Federations], &[D::Resources]),
        "NHI-F-004" => (&[D::Federations, D::Resources], &[]),
        "NHI-I-001" => (&[D::Resources], &[]),
        "NHI-I-002" => (&[D::Resources, D::RoleAssignments], &[]),
        "NHI-I-003" => (&[D::RoleAssignments], &[D::Resources]),
        "NHI-I-004" => (&[D::Identities, D::RoleAssignments], &[]),
        "NHI-I-005" => (&[D::Kubernetes], &[]),
        "NHI-H-001" => (&[D::RoleAssignments], &[D::SignIns]),
        _ => (&[], &[]),
    }
}

/// The half of NHI-P-004's data that is missing when only one of its two exports was read.
fn p004_gap(avail: &Availability) -> Option<&'static str> {
    match (avail.directory_roles, avail.app_role_assignments) {
        (true, false) => Some(
            "Graph `servicePrincipals/{id}/appRoleAssignments` (application permissions were not exported: only \
             directory roles were checked)",
        ),
        (false, true) => Some(
            "Graph `roleManagement/directory/roleAssignments` (directory roles were not exported: only application \
             permissions were checked)",
        ),
        _ => None,
    }
}

/// Notes for checks that run on a subset of what the catalog describes.
fn scope_note(id: &str) -> Option<&'static str> {
    match id {
        "NHI-P-001" | "NHI-P-006" | "NHI-I-003" => Some(
            "Azure role assignments only (AWS, GCP and Kubernetes exports are not read by this version).",
        ),
        "NHI-P-005" => {
            Some("RBAC roles only; Key Vault access policies are not in the exports read.")
        }
        "NHI-P-007" => Some(
            "Azure role assignments of write roles, from the activity log (control-plane writes, deletes and \
             actions); read-only and data-plane roles are not judged, because the activity log records neither.",
        ),
        "NHI-C-008" => Some(
            "Consumers that Resource Graph names (AKS clusters signing in as an app through \
             `servicePrincipalProfile`); App Service settings, pipelines and sign-in logs are not in the exports read.",
        ),
        "NHI-F-004" => Some(
            "Issuer clusters only; whether the subject's namespace and service account exist needs a Kubernetes \
             export.",
        ),
        "NHI-H-001" => Some(
            "Delegated sign-ins of service principals and Managed Identity Operator grants of users; interactive \
             sign-in logs and corporate egress are not in the exports read.",
        ),
        _ => None,
    }
}

/// A list of indices per identity, all in one array (each identity's run of it given by an offset): built once per
/// evaluation for grants, workloads, credentials and the rest, where a `Vec` per identity meant hundreds of
/// thousands of small allocations on a large tenant.
#[derive(Clone, Debug, Default)]
pub(crate) struct Lists {
    /// `start[ix]..start[ix + 1]` is identity `ix`'s run of `items`.
    start: Vec<u32>,
    items: Vec<u32>,
}

impl Lists {
    /// From `(identity, item)` pairs, each identity's items kept in the pairs' order; owners `>= n` are ignored.
    fn build(n: usize, pairs: impl Iterator<Item = (usize, u32)> + Clone) -> Self {
        let mut start = vec![0u32; n + 1];
        for (owner, _) in pairs.clone() {
            if owner < n {
                start[owner + 1] += 1;
            }
        }
        for ix in 0..n {
            start[ix + 1] += start[ix];
        }
        let mut next = start.clone();
        let mut items = vec![0u32; start[n] as usize];
        for (owner, item) in pairs {
            if owner < n {
                items[next[owner] as usize] = item;
                next[owner] += 1;
            }
        }
        Self { start, items }
    }

    /// Identity `ix`'s items (`None` past the last identity).
    pub(crate) fn get(&self, ix: usize) -> Option<&[u32]> {
        let (from, to) = (*self.start.get(ix)?, *self.start.get(ix + 1)?);
        self.items.get(from as usize..to as usize)
    }
}

impl std::ops::Index<usize> for Lists {
    type Output = [u32];

    fn index(&self, ix: usize) -> &[u32] {
        self.get(ix).unwrap_or_default()
    }
}

/// Everything the checks read, indexed once.
pub struct Ctx<'a> {
    pub snap: &'a Snapshot,
    pub policy: &'a Policy,
    pub as_of: i64,
    pub avail: Availability,
    pub(crate) status: Vec<CheckStatus>,
    pub(crate) grants_of: Lists,
    pub(crate) workloads_of: Lists,
    pub(crate) creds_of: Lists,
    pub(crate) feds_of: Lists,
    /// Directory roles and Graph app roles per identity.
    pub(crate) dgrants_of: Lists,
    /// Users' Managed Identity Operator grants whose scope covers a user-assigned identity, per identity.
    pub(crate) operators_of: Vec<Vec<u32>>,
    pub(crate) role_tier: Vec<f64>,
    pub(crate) role_class: Vec<RoleClass>,
    pub(crate) scope_env: Vec<Environment>,
    /// Each scope's subscription, as an index into `subscription_names` (folded once here rather than per grant and
    /// identity; counting distinct subscriptions then compares numbers, not text).
    pub(crate) scope_subscription: Vec<Option<u32>>,
    /// The distinct folded subscription ids of the scopes.
    pub(crate) subscription_names: Vec<String>,
    pub(crate) workload_env: Vec<Environment>,
    pub(crate) identity_env: Vec<Environment>,
    /// Folded subscription ids seen anywhere (scopes, workloads, identities).
    pub(crate) subscriptions: usize,
    /// Folded subscriptions that have at least one exported resource.
    pub(crate) resource_subscriptions: FastSet<String>,
    pub(crate) home_tenant: Option<Guid>,
    /// Folded issuer URLs (no trailing `/`) of exported AKS clusters.
    pub(crate) aks_issuers: FastSet<String>,
    /// Some app or service principal has owners: the export expanded `owners`.
    pub(crate) owners_exported: bool,
    /// Users and groups by object id (NHI-G-002).
    pub(crate) principal_by_id: FastMap<Guid, u32>,
    /// Users and groups by folded `userPrincipalName` and `mail` (owner tags name people by address).
    pub(crate) principal_by_name: FastMap<String, u32>,
    /// Some user record carries `accountEnabled`: a disabled owner can be told from an active one.
    pub(crate) user_enabled_known: bool,
    /// Activity-log operations per identity (NHI-P-007).
    pub(crate) ops_of: Vec<Vec<u32>>,
    /// What the activity log covers: folded subscription id → (first, last) event time.
    pub(crate) log_span: FastMap<String, (i64, i64)>,
    /// The same per entry of `subscription_names`.
    pub(crate) subscription_log_span: Vec<Option<(i64, i64)>>,
    /// Workloads that sign in as an app registration (by appId) where a managed identity would do (NHI-C-008).
    pub(crate) app_consumers: FastMap<Guid, Vec<u32>>,
    /// Findings are wanted for their scores only (the remediation plan re-scoring what-ifs): evidence is left empty,
    /// since risk reads a finding's check, severity and waiver, never its evidence.
    pub(crate) scoring_only: bool,
}

fn trim_issuer(text: &str) -> String {
    fold(text)
}

impl<'a> Ctx<'a> {
    /// Index the snapshot for evaluation.
    #[must_use]
    pub fn new(snap: &'a Snapshot, policy: &'a Policy, as_of: i64) -> Ctx<'a> {
        let n = snap.identities.len();
        let avail = Availability::of(snap);
        let status = CHECKS
            .iter()
            .map(|c| {
                let (required, optional) = requirements(c.id);
                if required.iter().any(|d| !avail.has(*d)) {
                    CheckStatus::NotEvaluated
                } else if optional.iter().any(|d| !avail.has(*d))
                    || (c.id == "NHI-P-004" && p004_gap(&avail).is_some())
                {
                    CheckStatus::Partial
                } else {
                    CheckStatus::Evaluated
                }
            })
            .collect();
        let identity = |p: GrantPrincipal| match p {
            GrantPrincipal::Identity(ix) => Some(ix as usize),
            _ => None,
        };
        let grants_of = Lists::build(
            n,
            snap.grants
                .iter()
                .enumerate()
                .filter_map(|(gx, g)| Some((identity(g.principal)?, gx as u32))),
        );
        // A workload that names one identity twice lists it once.
        let workloads_of = Lists::build(
            n,
            snap.workloads.iter().enumerate().flat_map(|(wx, w)| {
                w.attachments.iter().enumerate().filter_map(move |(k, a)| {
                    (!w.attachments[..k].iter().any(|b| b.identity == a.identity))
                        .then_some((a.identity as usize, wx as u32))
                })
            }),
        );
        let creds_of = Lists::build(
            n,
            snap.credentials
                .iter()
                .enumerate()
                .map(|(cx, c)| (c.identity as usize, cx as u32)),
        );
        let feds_of = Lists::build(
            n,
            snap.federations
                .iter()
                .enumerate()
                .filter_map(|(fx, f)| Some((f.identity? as usize, fx as u32))),
        );
        let dgrants_of = Lists::build(
            n,
            snap.directory_grants
                .iter()
                .enumerate()
                .filter_map(|(dx, d)| Some((identity(d.principal)?, dx as u32))),
        );
        let overrides: HashMap<String, f64> = policy
            .role_tiers
            .iter()
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), *v))
            .collect();
        let mut role_tier = Vec::with_capacity(snap.roles.len());
        let mut role_classes = Vec::with_capacity(snap.roles.len());
        for r in &snap.roles {
            let name = snap.opt_str(r.name).unwrap_or("");
            let over = overrides
                .get(&name.trim().to_ascii_lowercase())
                .or_else(|| r.guid.and_then(|g| overrides.get(&g.to_string())));
            role_tier.push(over.copied().unwrap_or(f64::from(r.tier)));
            role_classes.push(role_class(r.guid, name));
        }

        let mut cx = Ctx {
            scoring_only: false,
            snap,
            policy,
            as_of,
            avail,
            status,
            grants_of,
            workloads_of,
            creds_of,
            feds_of,
            dgrants_of,
            operators_of: vec![Vec::new(); n],
            role_tier,
            role_class: role_classes,
            scope_env: Vec::new(),
            scope_subscription: Vec::new(),
            subscription_names: Vec::new(),
            workload_env: Vec::new(),
            identity_env: Vec::new(),
            subscriptions: 0,
            resource_subscriptions: FastSet::default(),
            home_tenant: None,
            aks_issuers: FastSet::default(),
            owners_exported: false,
            principal_by_id: FastMap::default(),
            principal_by_name: FastMap::default(),
            user_enabled_known: false,
            app_consumers: FastMap::default(),
            ops_of: Vec::new(),
            log_span: FastMap::default(),
            subscription_log_span: Vec::new(),
        };
        cx.scope_subscriptions();
        cx.environments();
        cx.tenant_facts();
        cx.operators();
        cx
    }

    /// Environment of a tag list under the policy (built-in keys plus the policy's), if any tag decides it.
    fn env_of_tags(&self, tags: &[Tag]) -> Option<Environment> {
        let rules = &self.policy.environment;
        for tag in tags {
            let key = self.snap.str(tag.key).trim();
            let is_env_key = ENV_TAG_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
                || rules.tag_keys.iter().any(|k| k.eq_ignore_ascii_case(key));
            if !is_env_key {
                continue;
            }
            let value = self.snap.str(tag.value).trim();
            if rules
                .prod_values
                .iter()
                .any(|v| v.eq_ignore_ascii_case(value))
            {
                return Some(Environment::Prod);
            }
            if rules
                .nonprod_values
                .iter()
                .any(|v| v.eq_ignore_ascii_case(value))
            {
                return Some(Environment::NonProd);
            }
            match classify_text(value) {
                Environment::Unknown => {}
                env => return Some(env),
            }
        }
        None
    }

    fn env_of_subscription(&self, sub: Option<Sym>) -> Option<Environment> {
        let sub = self.snap.opt_str(sub)?;
        let rules = &self.policy.environment;
        rules
            .subscriptions
            .iter()
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(sub.trim()))
            .map(|(_, v)| *v)
            .filter(|e| *e != Environment::Unknown)
    }

    fn env_of_name(&self, name: &str) -> Option<Environment> {
        if name.is_empty() {
            return None;
        }
        let rules = &self.policy.environment;
        if rules.prod_name_patterns.iter().any(|p| glob_match(p, name)) {
            return Some(Environment::Prod);
        }
        if rules
            .nonprod_name_patterns
            .iter()
            .any(|p| glob_match(p, name))
        {
            return Some(Environment::NonProd);
        }
        match classify_text(name) {
            Environment::Unknown => None,
            env => Some(env),
        }
    }

    fn environments(&mut self) {
        let snap = self.snap;
        // Workloads: tags, subscription map, names.
        let mut workload_env = Vec::with_capacity(snap.workloads.len());
        for w in &snap.workloads {
            let env = self
                .env_of_tags(&w.tags)
                .or_else(|| self.env_of_subscription(w.subscription))
                .or_else(|| self.env_of_name(snap.opt_str(w.name).unwrap_or("")))
                .or_else(|| self.env_of_name(snap.opt_str(w.resource_group).unwrap_or("")))
                .unwrap_or(Environment::Unknown);
            workload_env.push(env);
        }
        // Subscriptions whose classified resources all agree lend their class to unclassified scopes.
        let mut by_sub: BTreeMap<String, (u32, u32)> = BTreeMap::new();
        for (w, env) in snap.workloads.iter().zip(&workload_env) {
            if let Some(sub) = snap.opt_str(w.subscription) {
                let entry = by_sub.entry(fold(sub)).or_default();
                match env {
                    Environment::Prod => entry.0 += 1,
                    Environment::NonProd => entry.1 += 1,
                    Environment::Unknown => {}
                }
                self.resource_subscriptions.insert(fold(sub));
            }
        }
        let sub_env = |sub: Option<&str>| -> Option<Environment> {
            let (p, np) = by_sub.get(&fold(sub?)).copied()?;
            match (p, np) {
                (p, 0) if p > 0 => Some(Environment::Prod),
                (0, np) if np > 0 => Some(Environment::NonProd),
                _ => None,
            }
        };
        let mut identity_env = Vec::with_capacity(snap.identities.len());
        for (ix, id) in snap.identities.iter().enumerate() {
            let host_env = id.host_resource_id.and_then(|h| {
                snap.index
                    .workload_by_id
                    .get(&snap.strings, snap.str(h))
                    .and_then(|w| workload_env.get(w as usize).copied())
                    .filter(|e| *e != Environment::Unknown)
            });
            let _ = ix;
            let env = self
                .env_of_tags(&id.tags)
                .or_else(|| self.env_of_subscription(id.subscription))
                .or_else(|| self.env_of_name(snap.opt_str(id.display_name).unwrap_or("")))
                .or_else(|| self.env_of_name(snap.opt_str(id.resource_group).unwrap_or("")))
                .or(host_env)
                .or_else(|| sub_env(snap.opt_str(id.subscription)))
                .unwrap_or(Environment::Unknown);
            identity_env.push(env);
        }
        // Workloads by id ignoring case, probed by each resource scope without folding the scope's text into a
        // new string (a tenant has tens of thousands of resource scopes and a few hundred workloads).
        fn folded(id: &str) -> &str {
            crate::ids::trim_end_slashes(crate::ids::trim(id))
        }
        let short = |id: &str| {
            crate::ids::hash::short(crate::ids::hash::bytes_ignore_ascii_case(
                folded(id).as_bytes(),
            ))
        };
        let find = |table: &hashbrown::HashTable<(u32, u32)>, id: &str, h: u32| {
            table
                .find(crate::ids::hash::spread(h), |&(wx, wh)| {
                    wh == h
                        && snap.workloads.get(wx as usize).is_some_and(|w| {
                            crate::ids::same_ignoring_ascii_case(
                                folded(snap.str(w.id)).as_bytes(),
                                folded(id).as_bytes(),
                            )
                        })
                })
                .map(|&(wx, _)| wx)
        };
        let mut workloads: hashbrown::HashTable<(u32, u32)> = hashbrown::HashTable::new();
        for (wx, w) in snap.workloads.iter().enumerate() {
            let id = snap.str(w.id);
            let h = short(id);
            // The first workload of an id wins, as in the snapshot's own index.
            if find(&workloads, id, h).is_none() {
                workloads.insert_unique(crate::ids::hash::spread(h), (wx as u32, h), |&(_, h)| {
                    crate::ids::hash::spread(h)
                });
            }
        }
        let workload_of_scope = |id: &str| find(&workloads, id, short(id));
        let mut scope_env = Vec::with_capacity(snap.scopes.len());
        // Many scopes share a resource group: classify each group's name once.
        let mut group_env: crate::ids::hash::FastMap<Sym, Option<Environment>> = Default::default();
        for s in &snap.scopes {
            let id = snap.str(s.id);
            let env = match s.level {
                ScopeLevel::Root | ScopeLevel::ManagementGroup | ScopeLevel::Unknown => None,
                _ => self
                    .env_of_subscription(s.subscription)
                    .or_else(|| {
                        // A workload is a resource: only a resource scope can be one.
                        if s.level != ScopeLevel::Resource {
                            return None;
                        }
                        workload_of_scope(id)
                            .and_then(|w| workload_env.get(w as usize).copied())
                            .filter(|e| *e != Environment::Unknown)
                    })
                    .or_else(|| {
                        (s.level == ScopeLevel::Resource)
                            .then(|| {
                                let name = id.as_bytes().iter().rposition(|&b| b == b'/');
                                self.env_of_name(name.and_then(|at| id.get(at + 1..)).unwrap_or(id))
                            })
                            .flatten()
                    })
                    .or_else(|| {
                        let group = s.resource_group?;
                        *group_env
                            .entry(group)
                            .or_insert_with(|| self.env_of_name(snap.str(group)))
                    })
                    .or_else(|| sub_env(snap.opt_str(s.subscription))),
            };
            scope_env.push(env.unwrap_or(Environment::Unknown));
        }
        self.workload_env = workload_env;
        self.identity_env = identity_env;
        self.scope_env = scope_env;
    }

    fn scope_subscriptions(&mut self) {
        let snap = self.snap;
        // Scopes name a subscription by interned text: fold each distinct text once.
        let mut by_text: crate::ids::hash::FastMap<Sym, u32> = Default::default();
        let mut by_folded: crate::ids::hash::FastMap<String, u32> = Default::default();
        let mut names = Vec::new();
        self.scope_subscription = snap
            .scopes
            .iter()
            .map(|s| {
                let sym = s.subscription?;
                Some(*by_text.entry(sym).or_insert_with(|| {
                    let folded = fold(snap.str(sym));
                    *by_folded.entry(folded.clone()).or_insert_with(|| {
                        names.push(folded);
                        names.len() as u32 - 1
                    })
                }))
            })
            .collect();
        self.subscription_names = names;
    }

    fn tenant_facts(&mut self) {
        let snap = self.snap;
        let mut subs: HashSet<String> = self.subscription_names.iter().cloned().collect();
        for sub in &self.resource_subscriptions {
            subs.insert(sub.clone());
        }
        for id in &snap.identities {
            if let Some(sub) = snap.opt_str(id.subscription) {
                subs.insert(fold(sub));
            }
        }
        self.subscriptions = subs.len();
        self.home_tenant = self
            .policy
            .home_tenant_id
            .as_deref()
            .and_then(Guid::parse)
            .or_else(|| {
                let mut counts: BTreeMap<Guid, u32> = BTreeMap::new();
                for id in &snap.identities {
                    if let Some(t) = id.tenant_id {
                        *counts.entry(t).or_default() += 1;
                    }
                }
                counts
                    .into_iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
                    .map(|(t, _)| t)
            });
        for w in &snap.workloads {
            if let Some(i) = snap.opt_str(w.oidc_issuer) {
                self.aks_issuers.insert(trim_issuer(i));
            }
        }
        self.owners_exported = snap.identities.iter().any(|i| !i.owners.is_empty());
        self.ops_of = vec![Vec::new(); snap.identities.len()];
        for (ox, op) in snap.operations.iter().enumerate() {
            if let Some(list) = self.ops_of.get_mut(op.identity as usize) {
                list.push(ox as u32);
            }
        }
        for c in &snap.log_coverage {
            self.log_span
                .insert(c.subscription.clone(), (c.first, c.last));
        }
        self.subscription_log_span = self
            .subscription_names
            .iter()
            .map(|sub| self.log_span.get(sub).copied())
            .collect();
        for (wx, w) in snap.workloads.iter().enumerate() {
            if let Some(app) = w.app_credential {
                self.app_consumers.entry(app).or_default().push(wx as u32);
            }
        }
        for (px, p) in snap.principals.iter().enumerate() {
            let px = px as u32;
            if let Some(id) = p.id {
                self.principal_by_id.entry(id).or_insert(px);
            }
            for name in [p.user_principal_name, p.mail].into_iter().flatten() {
                self.principal_by_name
                    .entry(fold(snap.str(name).trim()))
                    .or_insert(px);
            }
            self.user_enabled_known |= p.enabled.is_some();
        }
    }

    /// Users holding Managed Identity Operator at a scope that contains a user-assigned identity.
    fn operators(&mut self) {
        let snap = self.snap;
        let mio: Vec<u32> = snap
            .grants
            .iter()
            .enumerate()
            .filter(|(_, g)| {
                g.principal == GrantPrincipal::Other
                    && snap
                        .opt_str(g.principal_type)
                        .is_some_and(|t| t.eq_ignore_ascii_case("user"))
                    && self.role_class.get(g.role as usize)
                        == Some(&RoleClass::ManagedIdentityOperator)
            })
            .map(|(i, _)| i as u32)
            .collect();
        if mio.is_empty() {
            return;
        }
        let mut by_scope: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for gx in mio {
            if let Some(scope) = snap.scopes.get(snap.grants[gx as usize].scope as usize) {
                by_scope
                    .entry(fold(snap.str(scope.id)))
                    .or_default()
                    .push(gx);
            }
        }
        for (ix, id) in snap.identities.iter().enumerate() {
            let Some(rid) = id.resource_id else { continue };
            let rid = fold(snap.str(rid));
            for (scope, grants) in &by_scope {
                let covers = scope == "/"
                    || rid == *scope
                    || (rid.starts_with(scope.as_str())
                        && rid.as_bytes().get(scope.len()) == Some(&b'/'));
                if covers {
                    self.operators_of[ix].extend_from_slice(grants);
                }
            }
        }
    }

    /// The check's run status.
    pub(crate) fn runs(&self, check: usize) -> bool {
        self.status.get(check) != Some(&CheckStatus::NotEvaluated)
    }

    pub(crate) fn identity(&self, ix: u32) -> Option<&'a Identity> {
        self.snap.identities.get(ix as usize)
    }

    /// The reference a finding shows for an identity.
    pub(crate) fn identity_ref(&self, ix: u32) -> IdentityRef {
        let snap = self.snap;
        let Some(id) = self.identity(ix) else {
            return IdentityRef {
                name: format!("#{ix}"),
                kind: "unknown".into(),
                id: String::new(),
                index: Some(ix),
            };
        };
        let native = id
            .principal_id
            .map(|g| g.canonical())
            .or_else(|| id.client_id.map(|g| g.canonical()))
            .or_else(|| snap.opt_str(id.resource_id).map(str::to_owned))
            .or_else(|| snap.opt_str(id.host_resource_id).map(str::to_owned))
            .unwrap_or_default();
        let name = snap
            .opt_str(id.display_name)
            .map(str::to_owned)
            .unwrap_or_else(|| native.clone());
        IdentityRef {
            name,
            kind: id.kind.id().to_owned(),
            id: native,
            index: Some(ix),
        }
    }

    pub(crate) fn evidence(
        &self,
        kind: &'static str,
        prov: Option<&Provenance>,
        fields: Vec<Field>,
    ) -> Evidence {
        if self.scoring_only {
            return Self::no_evidence(kind);
        }
        let prov = prov.copied().unwrap_or(Provenance {
            file: u32::MAX,
            record: 0,
            line: 0,
        });
        Evidence {
            record_kind: Cow::Borrowed(kind),
            file: self
                .snap
                .files
                .get(prov.file as usize)
                .map(|f| f.path.clone())
                .unwrap_or_default(),
            file_index: prov.file,
            record: prov.record,
            line: prov.line,
            fields,
        }
    }

    /// The path of the grant's scope as stored.
    pub(crate) fn grant_scope_text(&self, gx: u32) -> &str {
        let snap = self.snap;
        snap.grants
            .get(gx as usize)
            .and_then(|g| snap.scopes.get(g.scope as usize))
            .map_or("", |s| snap.str(s.id))
    }

    /// The display name of a grant's role (`(unknown role)` when neither the export nor the built-in table names it).
    pub(crate) fn role_name(&self, gx: u32) -> &str {
        let snap = self.snap;
        snap.grants
            .get(gx as usize)
            .and_then(|g| snap.roles.get(g.role as usize))
            .and_then(|r| snap.opt_str(r.name))
            .unwrap_or("(unknown role)")
    }

    /// The empty evidence a scoring-only context gives.
    fn no_evidence(kind: &'static str) -> Evidence {
        Evidence {
            record_kind: Cow::Borrowed(kind),
            file: String::new(),
            file_index: u32::MAX,
            record: 0,
            line: 0,
            fields: Vec::new(),
        }
    }

    /// Evidence for a grant: its record, role, scope and principal.
    pub(crate) fn grant_evidence(&self, gx: u32) -> Evidence {
        if self.scoring_only {
            return Self::no_evidence("role-assignment");
        }
        let snap = self.snap;
        let Some(g) = snap.grants.get(gx as usize) else {
            return self.evidence("role-assignment", None, Vec::new());
        };
        let role = snap.roles.get(g.role as usize);
        // Room for every field below at once: a grant's evidence is built for each finding on it.
        let mut fields = Vec::with_capacity(6);
        fields.push(f("roleDefinitionName", self.role_name(gx)));
        fields.push(f("scope", self.grant_scope_text(gx)));
        if let Some(guid) = role.and_then(|r| r.guid) {
            fields.push(Field {
                name: "roleDefinitionId".into(),
                value: guid.to_string(),
            });
        }
        if let Some(p) = g.principal_id {
            fields.push(Field {
                name: "principalId".into(),
                value: p.to_string(),
            });
        }
        if let Some(t) = snap.opt_str(g.principal_type) {
            fields.push(f("principalType", t));
        }
        if let Some(c) = snap.opt_str(g.condition) {
            fields.push(f("condition", c));
        }
        self.evidence("role-assignment", g.provenance.first(), fields)
    }

    /// The display name of a directory grant's role (its id when neither the export nor the table names it).
    pub(crate) fn directory_role_name(&self, dx: u32) -> String {
        let snap = self.snap;
        let Some(d) = snap.directory_grants.get(dx as usize) else {
            return "(unknown role)".into();
        };
        snap.opt_str(d.role_name)
            .map(str::to_owned)
            .or_else(|| d.role_id.map(|g| g.canonical()))
            .or_else(|| snap.opt_str(d.role_id_text).map(str::to_owned))
            .unwrap_or_else(|| "(unknown role)".into())
    }

    /// Evidence for a directory role or Graph app role assignment: its record, role id and name, scope or resource.
    pub(crate) fn directory_grant_evidence(&self, dx: u32) -> Evidence {
        let snap = self.snap;
        let Some(d) = snap.directory_grants.get(dx as usize) else {
            return self.evidence("directory-role-assignment", None, Vec::new());
        };
        let role_id = d
            .role_id
            .map(|g| g.canonical())
            .or_else(|| snap.opt_str(d.role_id_text).map(str::to_owned))
            .unwrap_or_default();
        let name = self.directory_role_name(dx);
        let mut fields = Vec::new();
        let kind = match d.kind {
            DirectoryGrantKind::DirectoryRole => {
                fields.push(f("roleDefinitionId", &role_id));
                fields.push(f("roleName", &name));
                fields.push(f(
                    "directoryScopeId",
                    snap.opt_str(d.directory_scope).unwrap_or("/"),
                ));
                "directory-role-assignment"
            }
            DirectoryGrantKind::AppRole => {
                fields.push(f("appRoleId", &role_id));
                fields.push(f("permission", &name));
                if let Some(r) = d.resource_id {
                    fields.push(f("resourceId", &r.to_string()));
                }
                if let Some(r) = snap.opt_str(d.resource_name) {
                    fields.push(f("resourceDisplayName", r));
                }
                "app-role-assignment"
            }
        };
        if let Some(p) = d.principal_id {
            fields.push(f("principalId", &p.to_string()));
        }
        if let Some(t) = snap.opt_str(d.principal_type) {
            fields.push(f("principalType", t));
        }
        self.evidence(kind, d.provenance.first(), fields)
    }

    pub(crate) fn identity_evidence(&self, ix: u32, fields: Vec<Field>) -> Evidence {
        let prov = self.identity(ix).and_then(|i| i.provenance.first());
        self.evidence("identity", prov, fields)
    }

    pub(crate) fn scope_level(&self, gx: u32) -> ScopeLevel {
        self.snap
            .grants
            .get(gx as usize)
            .map_or(ScopeLevel::Unknown, |g| g.scope_level)
    }

    pub(crate) fn grant_tier(&self, gx: u32) -> f64 {
        self.snap
            .grants
            .get(gx as usize)
            .and_then(|g| self.role_tier.get(g.role as usize))
            .copied()
            .unwrap_or(0.05)
    }

    pub(crate) fn grant_env(&self, gx: u32) -> Environment {
        self.snap
            .grants
            .get(gx as usize)
            .and_then(|g| self.scope_env.get(g.scope as usize))
            .copied()
            .unwrap_or_default()
    }

    pub(crate) fn grant_class(&self, gx: u32) -> RoleClass {
        self.snap
            .grants
            .get(gx as usize)
            .and_then(|g| self.role_class.get(g.role as usize))
            .copied()
            .unwrap_or(RoleClass::Other)
    }

    /// The grant's subscription as an index into `subscription_names` (for counting distinct subscriptions).
    pub(crate) fn grant_subscription_ix(&self, gx: u32) -> Option<u32> {
        let g = self.snap.grants.get(gx as usize)?;
        *self.scope_subscription.get(g.scope as usize)?
    }

    /// The app of this identity is owned by another tenant.
    pub(crate) fn foreign(&self, ix: u32) -> bool {
        let Some(id) = self.identity(ix) else {
            return false;
        };
        match (id.app_owner_organization_id, self.home_tenant) {
            (Some(owner), Some(home)) => owner != home,
            _ => false,
        }
    }

    /// Last sign-in of any kind.
    pub(crate) fn last_sign_in(&self, ix: u32) -> Option<i64> {
        let a = self
            .snap
            .activity
            .get(self.identity(ix)?.activity? as usize)?;
        [
            a.last_sign_in,
            a.last_app_client_sign_in,
            a.last_app_resource_sign_in,
            a.last_delegated_client_sign_in,
            a.last_delegated_resource_sign_in,
        ]
        .into_iter()
        .flatten()
        .max()
    }
}

/// A field.
pub(crate) fn f(name: &'static str, value: &str) -> Field {
    Field {
        name: Cow::Borrowed(name),
        value: value.to_owned(),
    }
}

/// Days as text from a seconds delta.
pub(crate) fn days(seconds: i64) -> i64 {
    seconds.div_euclid(DAY)
}

/// An identity as a remediation would leave it: the same entity minus removed grants, credentials and federations,
/// with pinned federations, or an owner added.
#[derive(Clone, Debug, Default)]
pub struct View {
    pub ix: u32,
    pub removed_grants: Vec<u32>,
    /// Directory roles / Graph app roles removed (indices into the snapshot's `directory_grants`).
    pub removed_directory_grants: Vec<u32>,
    pub removed_credentials: Vec<u32>,
    pub removed_federations: Vec<u32>,
    /// Federations whose subject is pinned (F-001/F-003 no longer apply; the federation remains).
    pub pinned_federations: Vec<u32>,
    pub owner_added: bool,
    /// Static credentials were replaced by federation or a managed identity (λ₀ becomes federation's).
    pub assume_federation: bool,
}

impl View {
    #[must_use]
    pub fn of(ix: u32) -> View {
        View {
            ix,
            ..View::default()
        }
    }

    pub(crate) fn grants<'c>(&'c self, cx: &'c Ctx<'_>) -> impl Iterator<Item = u32> + 'c {
        cx.grants_of
            .get(self.ix as usize)
            .into_iter()
            .flatten()
            .copied()
            .filter(|g| !self.removed_grants.contains(g))
    }

    pub(crate) fn directory_grants<'c>(
        &'c self,
        cx: &'c Ctx<'_>,
    ) -> impl Iterator<Item = u32> + 'c {
        cx.dgrants_of
            .get(self.ix as usize)
            .into_iter()
            .flatten()
            .copied()
            .filter(|g| !self.removed_directory_grants.contains(g))
    }

    pub(crate) fn credentials<'c>(&'c self, cx: &'c Ctx<'_>) -> impl Iterator<Item = u32> + 'c {
        cx.creds_of
            .get(self.ix as usize)
            .into_iter()
            .flatten()
            .copied()
            .filter(|c| !self.removed_credentials.contains(c))
    }

    pub(crate) fn federations<'c>(&'c self, cx: &'c Ctx<'_>) -> impl Iterator<Item = u32> + 'c {
        cx.feds_of
            .get(self.ix as usize)
            .into_iter()
            .flatten()
            .copied()
            .filter(|x| !self.removed_federations.contains(x))
    }

    pub(crate) fn workloads<'c>(&self, cx: &'c Ctx<'_>) -> &'c [u32] {
        cx.workloads_of.get(self.ix as usize).unwrap_or_default()
    }
}

/// Collects one identity's findings and the checks that applied to it.
pub(crate) struct Out<'c, 'a> {
    pub cx: &'c Ctx<'a>,
    pub ix: u32,
    pub impact: f64,
    pub findings: Vec<Finding>,
    /// Bit k: check k (catalog position) applied to this identity.
    pub applicable: u64,
    identity: Option<IdentityRef>,
}

impl<'c, 'a> Out<'c, 'a> {
    pub(crate) fn new(cx: &'c Ctx<'a>, ix: u32, impact: f64) -> Self {
        Self {
            cx,
            ix,
            impact,
            findings: Vec::new(),
            applicable: 0,
            identity: None,
        }
    }

    /// Whether the check runs at all; marks it applicable to this identity when `applies`.
    pub(crate) fn applies(&mut self, id: &str, applies: bool) -> bool {
        let Some(k) = catalog::position(id) else {
            return false;
        };
        if !self.cx.runs(k) || !applies {
            return false;
        }
        self.applicable |= 1 << k;
        true
    }

    /// Add a finding at `severity` (before the high-impact raise, which this applies when the check says so).
    pub(crate) fn push(
        &mut self,
        id: &'static str,
        severity: Severity,
        message: String,
        evidence: Vec<Evidence>,
        refs: Refs,
    ) {
        let identity = self
            .identity
            .get_or_insert_with(|| self.cx.identity_ref(self.ix))
            .clone();
        let finding = make_finding(
            self.cx,
            id,
            severity,
            self.impact,
            identity,
            message,
            evidence,
            refs,
        );
        self.findings.push(finding);
    }

    /// Mark the last finding uncertain.
    pub(crate) fn uncertain(&mut self, caveat: &'static str) {
        if let Some(last) = self.findings.last_mut() {
            last.certain = false;
            last.caveat = Some(Cow::Borrowed(caveat));
        }
    }
}

/// Build a finding: catalog text, high-impact raise, waiver.
#[allow(clippy::too_many_arguments)]
pub(crate) fn make_finding(
    cx: &Ctx<'_>,
    id: &'static str,
    severity: Severity,
    impact: f64,
    identity: IdentityRef,
    message: String,
    evidence: Vec<Evidence>,
    refs: Refs,
) -> Finding {
    let check = catalog::check(id);
    // The raise applies to the default grading only: a check that already graded by privilege is not raised again.
    let raise = check.is_some_and(|c| c.raise_on_impact && severity == c.severity)
        && impact >= cx.policy.thresholds.high_impact;
    let effective = if raise { severity.raised() } else { severity };
    let mut finding = Finding {
        check_id: Cow::Borrowed(id),
        title: Cow::Borrowed(check.map_or("", |c| c.title)),
        severity: effective,
        default_severity: check.map_or(severity, |c| c.severity),
        raised: effective != severity,
        identity,
        message,
        evidence,
        remediation: Cow::Borrowed(check.map_or("", |c| c.remediation)),
        certain: true,
        caveat: None,
        impact,
        refs,
        waived: false,
        waiver: None,
    };
    apply_waivers(cx, &mut finding);
    finding
}

/// The first matching unexpired waiver applies; a matching expired one is recorded as expired.
fn apply_waivers(cx: &Ctx<'_>, finding: &mut Finding) {
    for (i, w) in cx.policy.waivers.iter().enumerate() {
        let check_matches =
            w.check_id.trim() == "*" || w.check_id.trim().eq_ignore_ascii_case(&finding.check_id);
        if !check_matches {
            continue;
        }
        let pattern = w.identity.trim();
        let id_matches = glob_match(pattern, &finding.identity.name)
            || glob_match(pattern, &finding.identity.id);
        if !id_matches {
            continue;
        }
        let expires = w.expires.as_deref().and_then(crate::time::parse);
        // Inclusive: the waiver applies through the whole expiry day.
        let expired = expires.is_some_and(|e| e.unix + DAY <= cx.as_of);
        let note = WaiverNote {
            status: if expired {
                WaiverStatus::Expired
            } else {
                WaiverStatus::Applied
            },
            waiver: i as u32,
            justification: w.justification.clone(),
            approver: w.approver.clone(),
            expires: w.expires.clone(),
        };
        if !expired {
            finding.waived = true;
            finding.waiver = Some(note);
            return;
        }
        if finding.waiver.is_none() {
            finding.waiver = Some(note);
        }
    }
}

/// One identity evaluated: impact, findings, applicable checks.
pub struct IdentityEval {
    pub impact: Impact,
    pub findings: Vec<Finding>,
    pub applicable: u64,
}

/// Evaluate every identity-level check on a view.
#[must_use]
pub fn evaluate_identity(cx: &Ctx<'_>, view: &View) -> IdentityEval {
    let impact = score::impact(cx, view);
    let mut out = Out::new(cx, view.ix, impact.value);
    privilege::run(&mut out, view);
    lifecycle::run(&mut out, view);
    governance::run(&mut out, view);
    credentials::run(&mut out, view);
    federation::run(&mut out, view);
    isolation::run(&mut out, view);
    IdentityEval {
        impact,
        applicable: out.applicable,
        findings: out.findings,
    }
}

/// The whole result of an evaluation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Evaluation {
    pub schema_version: Cow<'static, str>,
    /// The as-of instant, as RFC 3339 (UTC) and seconds.
    pub as_of: String,
    pub as_of_unix: i64,
    pub availability: Availability,
    pub checks: Vec<CheckRun>,
    /// Sorted by identity (snapshot order), then catalog order; snapshot-level findings last.
    pub findings: Vec<Finding>,
    pub scores: Vec<IdentityScore>,
    pub posture: Posture,
    pub not_assessable: Vec<Cow<'static, str>>,
}

/// Evaluate the catalog and score it.
#[must_use]
pub fn evaluate(snap: &Snapshot, policy: &Policy, as_of: i64) -> Evaluation {
    evaluate_in(&Ctx::new(snap, policy, as_of))
}

/// [`evaluate`] for what the scores need only: the same findings, scores, check runs and posture, but no finding
/// carries evidence read from a record, and an impact may leave its strongest grant's role and scope empty. About a
/// third cheaper; the viewer's dashboard, which shows neither, is answered from it first.
#[must_use]
pub fn evaluate_scores(snap: &Snapshot, policy: &Policy, as_of: i64) -> Evaluation {
    let mut cx = Ctx::new(snap, policy, as_of);
    cx.scoring_only = true;
    evaluate_in(&cx)
}

fn evaluate_in(cx: &Ctx<'_>) -> Evaluation {
    let (snap, as_of) = (cx.snap, cx.as_of);
    let mut findings = Vec::new();
    let mut scores = Vec::with_capacity(snap.identities.len());
    let mut tallies = vec![Tally::default(); CHECKS.len()];
    for ix in 0..snap.identities.len() as u32 {
        let eval = evaluate_identity(cx, &View::of(ix));
        let first = findings.len();
        for (k, tally) in tallies.iter_mut().enumerate() {
            if eval.applicable & (1 << k) == 0 {
                continue;
            }
            let id = CHECKS[k].id;
            tally.add(
                eval.impact.value,
                eval.findings.iter().filter(|f| f.check_id == id),
            );
        }
        let score = score::score_identity(cx, ix, &eval, first as u32);
        findings.extend(eval.findings);
        scores.push(score);
    }
    tenant::run(cx, &scores, &mut findings, &mut tallies);
    let checks = CHECKS
        .iter()
        .enumerate()
        .map(|(k, c)| check_run(cx, k, c, &tallies[k]))
        .collect::<Vec<_>>();
    let posture = score::posture(&checks, &scores);
    Evaluation {
        schema_version: Cow::Borrowed(crate::findings::SCHEMA_VERSION),
        as_of: crate::time::format_rfc3339(as_of),
        as_of_unix: as_of,
        availability: cx.avail.clone(),
        checks,
        findings,
        scores,
        posture,
        not_assessable: catalog::NOT_ASSESSABLE
            .iter()
            .map(|s| Cow::Borrowed(*s))
            .collect(),
    }
}

/// Per-check accumulator for posture.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tally {
    pub applicable: u64,
    pub weight: f64,
    pub unhealthy: f64,
    pub open: u64,
    pub waived: u64,
    pub critical: bool,
}

impl Tally {
    /// One applicable subject of weight `w` with these findings of the check.
    pub(crate) fn add<'f>(&mut self, w: f64, findings: impl Iterator<Item = &'f Finding>) {
        self.applicable += 1;
        self.weight += w;
        let mut open = false;
        for finding in findings {
            if finding.open() {
                open = true;
                self.open += 1;
                self.critical |= finding.severity == Severity::Critical;
            } else {
                self.waived += 1;
            }
        }
        if open {
            self.unhealthy += w;
        }
    }
}

fn check_run(cx: &Ctx<'_>, k: usize, c: &catalog::Check, t: &Tally) -> CheckRun {
    let status = cx.status[k];
    let (required, optional) = requirements(c.id);
    let missing: Vec<DataSource> = match status {
        CheckStatus::NotEvaluated => required
            .iter()
            .filter(|d| !cx.avail.has(**d))
            .copied()
            .collect(),
        _ => optional
            .iter()
            .filter(|d| !cx.avail.has(**d))
            .copied()
            .collect(),
    };
    let note = match (status, scope_note(c.id)) {
        (CheckStatus::NotEvaluated, _) => Some(Cow::Borrowed(
            "Not evaluated: the data it needs was not exported (or is not read by this version). This is not a pass.",
        )),
        (_, Some(n)) => Some(Cow::Borrowed(n)),
        (_, None) => None,
    };
    let mut missing_exports: Vec<Cow<'static, str>> = missing
        .iter()
        .map(|d| Cow::Borrowed(d.export_hint()))
        .collect();
    if c.id == "NHI-P-004"
        && status != CheckStatus::NotEvaluated
        && let Some(gap) = p004_gap(&cx.avail)
    {
        missing_exports.push(Cow::Borrowed(gap));
    }
    CheckRun {
        check_id: Cow::Borrowed(c.id),
        title: Cow::Borrowed(c.title),
        status,
        missing_exports,
        missing,
        note,
        applicable: t.applicable,
        open_findings: t.open,
        waived_findings: t.waived,
        applicable_weight: t.weight,
        unhealthy_weight: t.unhealthy,
        open_critical: t.critical,
    }
}

/// `true` for kinds whose credentials are platform-managed.
pub(crate) fn is_mi(kind: IdentityKind) -> bool {
    kind.is_managed_identity()
}
