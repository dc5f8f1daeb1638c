//! Everything about one identity, for its page: what it is, where it runs, what it can reach, its credentials,
//! federations and activity, and the file, record and line behind every fact.

use serde::{Deserialize, Serialize};

use crate::ids::ScopeLevel;
use crate::model::{
    AttachmentKind, CredentialHolder, CredentialKind, DirectoryGrantKind, DirectoryPrivilege,
    Environment, EnvironmentSource, IdentityIx, IdentityKind, Provenance, Provider, RoleIx,
    Snapshot, TierSource,
};

use super::{Assessment, Source, identity_key, identity_name, scope_breadth, tier_label};

/// One identity in full. Lists are sorted deterministically (see each field).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdentityDetail {
    pub index: IdentityIx,
    /// The id used in the URL ([`super::identity_key`]).
    pub key: String,
    pub name: String,
    pub provider: Provider,
    pub kind: IdentityKind,
    pub principal_id: Option<String>,
    pub client_id: Option<String>,
    pub application_object_id: Option<String>,
    pub resource_id: Option<String>,
    pub host_resource_id: Option<String>,
    pub tenant_id: Option<String>,
    /// The owning tenant of a third-party application, when it differs from `tenant_id`.
    pub app_owner_organization_id: Option<String>,
    pub subscription: Option<String>,
    pub resource_group: Option<String>,
    pub location: Option<String>,
    pub created_unix: Option<i64>,
    pub enabled: Option<bool>,
    pub service_principal_type: Option<String>,
    /// Tags as (key, value), in export order.
    pub tags: Vec<(String, String)>,
    pub owners: Vec<String>,
    pub environment: Environment,
    pub environment_source: EnvironmentSource,
    /// Only referenced by other records, never listed by an identity export.
    pub inferred: bool,
    /// Resources that use it, by name then id.
    pub workloads: Vec<WorkloadView>,
    /// Its role assignments, strongest first (tier, then scope breadth, then role and scope text).
    pub grants: Vec<GrantView>,
    /// Entra directory roles and Microsoft Graph application permissions, strongest first (tier, then name).
    #[serde(default)]
    pub directory_grants: Vec<DirectoryGrantView>,
    /// User-managed secrets and certificates, by expiry (none last).
    pub credentials: Vec<CredentialView>,
    /// Federated credentials, by issuer then subject.
    pub federations: Vec<FederationView>,
    pub activity: Option<ActivityView>,
    /// Every record that contributed to the identity, in file and record order.
    pub provenance: Vec<Source>,
    /// Risk, factors and findings, when the snapshot was evaluated.
    pub assessment: Option<Assessment>,
}

/// A resource that uses the identity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkloadView {
    pub id: String,
    pub name: Option<String>,
    pub resource_type: Option<String>,
    pub subscription: Option<String>,
    pub resource_group: Option<String>,
    pub location: Option<String>,
    /// How it uses the identity (one entry per attachment, sorted).
    pub attachments: Vec<AttachmentKind>,
    pub environment: Environment,
    pub provenance: Vec<Source>,
}

/// A role assignment of the identity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GrantView {
    /// Index into the snapshot's grants.
    pub index: u32,
    pub role: String,
    pub role_id: Option<String>,
    /// P(role) of CONTROLS.md §9.2 and its words ([`super::tier_label`]).
    pub tier: f32,
    pub tier_label: String,
    pub tier_source: TierSource,
    pub custom_role: Option<bool>,
    pub can_grant_access: bool,
    pub has_wildcard: bool,
    pub scope: String,
    pub scope_level: ScopeLevel,
    pub condition: Option<String>,
    pub assignment_id: Option<String>,
    pub created_unix: Option<i64>,
    pub provenance: Vec<Source>,
}

/// An Entra directory role or a Microsoft Graph application permission of the identity (tenant-wide unless scoped).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DirectoryGrantView {
    /// Index into the snapshot's `directory_grants`.
    pub index: u32,
    pub kind: DirectoryGrantKind,
    /// The role's or permission's name (its id when neither the export nor the built-in table names it).
    pub role: String,
    /// `roleDefinitionId` or `appRoleId`.
    pub role_id: Option<String>,
    pub privilege: DirectoryPrivilege,
    /// P(role) of CONTROLS.md §9.2 and its words.
    pub tier: f32,
    pub tier_label: String,
    /// `tenant (Entra directory)`, or the directory scope it is limited to.
    pub scope: String,
    /// The resource of an application permission (`Microsoft Graph` …).
    pub resource: Option<String>,
    pub assignment_id: Option<String>,
    pub created_unix: Option<i64>,
    pub provenance: Vec<Source>,
}

/// A user-managed secret or certificate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CredentialView {
    /// Index into the snapshot's credentials (for the what-if).
    pub index: u32,
    pub kind: CredentialKind,
    pub holder: CredentialHolder,
    pub display_name: Option<String>,
    pub key_id: Option<String>,
    pub key_type: Option<String>,
    pub usage: Option<String>,
    pub start_unix: Option<i64>,
    pub end_unix: Option<i64>,
    /// Expired at the request's as-of instant (`None` without an as-of or an end date).
    pub expired: Option<bool>,
    /// Last use per the credential sign-in report (`appCredentialSignInActivities`).
    #[serde(default)]
    pub last_use: LastUse,
    /// The credential's record, then its usage record(s) when the report has them.
    pub provenance: Vec<Source>,
}

/// What the credential sign-in report (Graph beta `reports/appCredentialSignInActivities`) says of a credential.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "state", content = "unix")]
pub enum LastUse {
    /// The report was not exported: unknown.
    #[default]
    NotExported,
    /// The report was exported but has no record of this credential.
    NotInReport,
    /// The report lists it without a sign-in.
    Never,
    /// Last sign-in (seconds since the epoch).
    At(i64),
}

/// A federated identity credential.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FederationView {
    /// Index into the snapshot's federations (for the what-if).
    pub index: u32,
    pub name: Option<String>,
    pub issuer: Option<String>,
    pub subject: Option<String>,
    pub claims_matching_expression: Option<String>,
    pub audiences: Vec<String>,
    pub provenance: Vec<Source>,
}

/// Last sign-ins (seconds since the epoch).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivityView {
    pub last_sign_in_unix: Option<i64>,
    pub last_app_client_sign_in_unix: Option<i64>,
    pub last_app_resource_sign_in_unix: Option<i64>,
    pub last_delegated_client_sign_in_unix: Option<i64>,
    pub last_delegated_resource_sign_in_unix: Option<i64>,
    pub provenance: Vec<Source>,
}

/// Identity `ix` in full; `as_of` (seconds) marks expired credentials; `assessment` is the scoring's result.
#[must_use]
pub fn identity_detail(
    snapshot: &Snapshot,
    ix: IdentityIx,
    as_of: Option<i64>,
    assessment: Option<&Assessment>,
) -> Option<IdentityDetail> {
    let identity = snapshot.identities.get(ix as usize)?;
    let s = |sym| snapshot.opt_str(sym).map(str::to_owned);
    let g = |guid: Option<crate::ids::Guid>| guid.map(|g| g.canonical());

    let mut workloads: Vec<WorkloadView> = snapshot
        .workloads_of(ix)
        .map(|w| {
            let mut attachments: Vec<AttachmentKind> = w
                .attachments
                .iter()
                .filter(|a| a.identity == ix)
                .map(|a| a.kind)
                .collect();
            crate::order::sort(&mut attachments);
            attachments.dedup();
            WorkloadView {
                id: snapshot.str(w.id).to_owned(),
                name: s(w.name),
                resource_type: s(w.resource_type),
                subscription: s(w.subscription),
                resource_group: s(w.resource_group),
                location: s(w.location),
                attachments,
                environment: w.environment,
                provenance: sources(snapshot, &w.provenance),
            }
        })
        .collect();
    crate::order::sort_by(&mut workloads, |a, b| {
        (
            a.name.as_deref().map(str::to_lowercase),
            a.id.to_lowercase(),
        )
            .cmp(&(
                b.name.as_deref().map(str::to_lowercase),
                b.id.to_lowercase(),
            ))
    });

    let mut grants: Vec<GrantView> = snapshot
        .grants
        .iter()
        .enumerate()
        .filter(|(_, gr)| gr.principal == crate::model::GrantPrincipal::Identity(ix))
        .map(|(i, gr)| {
            let role = snapshot.roles.get(gr.role as usize);
            let scope = snapshot
                .scopes
                .get(gr.scope as usize)
                .map_or_else(String::new, |sc| snapshot.str(sc.id).to_owned());
            GrantView {
                index: i as u32,
                role: role_name(snapshot, gr.role),
                role_id: role.and_then(|r| {
                    r.guid
                        .map(|g| g.canonical())
                        .or_else(|| snapshot.opt_str(r.id).map(str::to_owned))
                }),
                tier: gr.tier,
                tier_label: tier_label(gr.tier).to_owned(),
                tier_source: role.map_or(TierSource::Assumed, |r| r.tier_source),
                custom_role: role.and_then(|r| r.custom),
                can_grant_access: role.is_some_and(|r| r.can_grant_access),
                has_wildcard: role.is_some_and(|r| r.has_wildcard),
                scope,
                scope_level: gr.scope_level,
                condition: s(gr.condition),
                assignment_id: snapshot.assignment_id_text(gr).map(|t| t.into_owned()),
                created_unix: gr.created,
                provenance: sources(snapshot, &gr.provenance),
            }
        })
        .collect();
    crate::order::sort_by(&mut grants, |a, b| {
        b.tier
            .total_cmp(&a.tier)
            .then(scope_breadth(b.scope_level).cmp(&scope_breadth(a.scope_level)))
            .then_with(|| a.role.cmp(&b.role))
            .then_with(|| a.scope.cmp(&b.scope))
            .then(a.index.cmp(&b.index))
    });

    let mut directory_grants: Vec<DirectoryGrantView> = snapshot
        .directory_grants
        .iter()
        .enumerate()
        .filter(|(_, d)| d.principal == crate::model::GrantPrincipal::Identity(ix))
        .map(|(i, d)| DirectoryGrantView {
            index: i as u32,
            kind: d.kind,
            role: s(d.role_name)
                .or_else(|| d.role_id.map(|g| g.canonical()))
                .or_else(|| s(d.role_id_text))
                .unwrap_or_else(|| "(unknown role)".into()),
            role_id: d
                .role_id
                .map(|g| g.canonical())
                .or_else(|| s(d.role_id_text)),
            privilege: d.privilege,
            tier: d.tier,
            tier_label: directory_tier_label(d.privilege).to_owned(),
            scope: if d.tenant_wide(&snapshot.strings) {
                crate::score::TENANT_SCOPE_LABEL.to_owned()
            } else {
                format!(
                    "Entra directory scope {}",
                    snapshot.opt_str(d.directory_scope).unwrap_or("")
                )
            },
            resource: s(d.resource_name).or_else(|| d.resource_id.map(|g| g.canonical())),
            assignment_id: s(d.assignment_id),
            created_unix: d.created,
            provenance: sources(snapshot, &d.provenance),
        })
        .collect();
    crate::order::sort_by(&mut directory_grants, |a, b| {
        b.tier
            .total_cmp(&a.tier)
            .then_with(|| a.role.cmp(&b.role))
            .then(a.index.cmp(&b.index))
    });

    let usage_exported = snapshot
        .files
        .iter()
        .any(|f| f.ingested > 0 && f.format == "graph-app-credential-sign-in-activity");
    let mut credentials: Vec<CredentialView> = snapshot
        .credentials
        .iter()
        .enumerate()
        .filter(|(_, c)| c.identity == ix)
        .map(|(i, c)| {
            let usage = snapshot.credential_activity_of(c);
            let last_use = match (usage_exported, usage) {
                (false, _) => LastUse::NotExported,
                (true, None) => LastUse::NotInReport,
                (true, Some(u)) => u.last_sign_in.map_or(LastUse::Never, LastUse::At),
            };
            let mut provenance = sources(snapshot, &c.provenance);
            if let Some(u) = usage {
                provenance.extend(sources(snapshot, &u.provenance));
            }
            (i, c, last_use, provenance)
        })
        .map(|(i, c, last_use, provenance)| CredentialView {
            index: i as u32,
            kind: c.kind,
            holder: c.holder,
            display_name: s(c.display_name),
            key_id: g(c.key_id),
            key_type: s(c.key_type),
            usage: s(c.usage),
            start_unix: c.start,
            end_unix: c.end,
            expired: as_of.zip(c.end).map(|(now, end)| end <= now),
            last_use,
            provenance,
        })
        .collect();
    crate::order::sort_by(&mut credentials, |a, b| {
        (a.end_unix.is_none(), a.end_unix, &a.key_id, &a.display_name).cmp(&(
            b.end_unix.is_none(),
            b.end_unix,
            &b.key_id,
            &b.display_name,
        ))
    });

    let mut federations: Vec<FederationView> = snapshot
        .federations
        .iter()
        .enumerate()
        .filter(|(_, f)| f.identity == Some(ix))
        .map(|(i, f)| FederationView {
            index: i as u32,
            name: s(f.name),
            issuer: s(f.issuer),
            subject: s(f.subject),
            claims_matching_expression: s(f.claims_matching_expression),
            audiences: f
                .audiences
                .iter()
                .map(|a| snapshot.str(*a).to_owned())
                .collect(),
            provenance: sources(snapshot, &f.provenance),
        })
        .collect();
    crate::order::sort_by(&mut federations, |a, b| {
        (&a.issuer, &a.subject, &a.name).cmp(&(&b.issuer, &b.subject, &b.name))
    });

    let activity = identity
        .activity
        .and_then(|a| snapshot.activity.get(a as usize))
        .map(|a| ActivityView {
            last_sign_in_unix: a.last_sign_in,
            last_app_client_sign_in_unix: a.last_app_client_sign_in,
            last_app_resource_sign_in_unix: a.last_app_resource_sign_in,
            last_delegated_client_sign_in_unix: a.last_delegated_client_sign_in,
            last_delegated_resource_sign_in_unix: a.last_delegated_resource_sign_in,
            provenance: sources(snapshot, &a.provenance),
        });

    Some(IdentityDetail {
        index: ix,
        key: identity_key(snapshot, ix),
        name: identity_name(snapshot, ix),
        provider: identity.provider,
        kind: identity.kind,
        principal_id: g(identity.principal_id),
        client_id: g(identity.client_id),
        application_object_id: g(identity.application_object_id),
        resource_id: s(identity.resource_id),
        host_resource_id: s(identity.host_resource_id),
        tenant_id: g(identity.tenant_id),
        app_owner_organization_id: g(identity.app_owner_organization_id),
        subscription: s(identity.subscription),
        resource_group: s(identity.resource_group),
        location: s(identity.location),
        created_unix: identity.created,
        enabled: identity.enabled,
        service_principal_type: s(identity.service_principal_type),
        tags: identity
            .tags
            .iter()
            .map(|t| {
                (
                    snapshot.str(t.key).to_owned(),
                    snapshot.str(t.value).to_owned(),
                )
            })
            .collect(),
        owners: identity
            .owners
            .iter()
            .map(|o| snapshot.owner_text(o))
            .collect(),
        environment: identity.environment,
        environment_source: identity.environment_source,
        inferred: identity.inferred,
        workloads,
        grants,
        directory_grants,
        credentials,
        federations,
        activity,
        provenance: sources(snapshot, &identity.provenance),
        assessment: assessment.cloned(),
    })
}

/// Words for a directory grant's privilege (the Azure tier words, "contributor" …, would mislead here).
#[must_use]
pub fn directory_tier_label(privilege: DirectoryPrivilege) -> &'static str {
    match privilege {
        DirectoryPrivilege::TenantAdmin => "tenant admin",
        DirectoryPrivilege::Privileged => "privileged directory write",
        DirectoryPrivilege::Read => "reader",
        DirectoryPrivilege::Other => "write (assumed)",
        DirectoryPrivilege::Unclassified => "unclassified (assumed write)",
    }
}

/// A role's name, else its GUID, else its id.
#[must_use]
pub fn role_name(snapshot: &Snapshot, role: RoleIx) -> String {
    snapshot.roles.get(role as usize).map_or_else(
        || format!("role {role}"),
        |r| {
            snapshot
                .opt_str(r.name)
                .map(str::to_owned)
                .or_else(|| r.guid.map(|g| g.canonical()))
                .or_else(|| snapshot.opt_str(r.id).map(str::to_owned))
                .unwrap_or_else(|| format!("role {role}"))
        },
    )
}

/// Provenance as file names, in file then record order.
fn sources(snapshot: &Snapshot, provenance: &[Provenance]) -> Vec<Source> {
    let mut sorted = provenance.to_vec();
    crate::order::sort(&mut sorted);
    sorted.dedup();
    sorted.iter().map(|p| Source::of(snapshot, p)).collect()
}
