//! The one model every cloud's exports are normalised into: a [`Snapshot`] of identities, the workloads that use
//! them, their grants, role definitions, credentials, federations and activity, each with its provenance.
//!
//! Compact by design (PRODUCT.md "speed"): GUIDs are [`Guid`] (`u128`), repeated text is interned once in
//! [`Snapshot::strings`] and referenced by [`Sym`], roles and scopes are indices. Original casing is kept for display;
//! joins go through [`crate::ids::fold`]. Entities refer to each other by index into the snapshot's vectors.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ids::hash::FastMap;
use crate::ids::{Guid, Interner, ScopeLevel, Sym};

/// Index of an [`Identity`] in [`Snapshot::identities`].
pub type IdentityIx = u32;
/// Index of a [`Workload`] in [`Snapshot::workloads`].
pub type WorkloadIx = u32;
/// Index of a [`RoleDefinition`] in [`Snapshot::roles`].
pub type RoleIx = u32;
/// Index of a [`Scope`] in [`Snapshot::scopes`].
pub type ScopeIx = u32;

/// Which cloud an entity comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Provider {
    Azure,
    Aws,
    Gcp,
    Kubernetes,
}

/// Where a fact was read: file (index into [`Snapshot::files`]), record index within the file, line (from 1, 0 when
/// unknown).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Provenance {
    pub file: u32,
    pub record: u64,
    pub line: u64,
}

/// What kind of workload identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdentityKind {
    /// Azure user-assigned managed identity (a `Microsoft.ManagedIdentity/userAssignedIdentities` resource).
    UserAssignedManagedIdentity,
    /// Azure system-assigned managed identity (lives and dies with its host resource).
    SystemAssignedManagedIdentity,
    /// A managed-identity service principal whose flavour the exports do not tell (no `alternativeNames`).
    ManagedIdentity,
    /// Entra service principal of an application (`servicePrincipalType: Application`).
    ApplicationServicePrincipal,
    /// An app registration seen without its service principal.
    ApplicationRegistration,
    /// Entra `Legacy`, `SocialIdp` or another service principal type.
    OtherServicePrincipal,
    AwsRole,
    AwsUser,
    GcpServiceAccount,
    KubernetesServiceAccount,
}

impl IdentityKind {
    pub const ALL: [IdentityKind; 10] = [
        IdentityKind::UserAssignedManagedIdentity,
        IdentityKind::SystemAssignedManagedIdentity,
        IdentityKind::ManagedIdentity,
        IdentityKind::ApplicationServicePrincipal,
        IdentityKind::ApplicationRegistration,
        IdentityKind::OtherServicePrincipal,
        IdentityKind::AwsRole,
        IdentityKind::AwsUser,
        IdentityKind::GcpServiceAccount,
        IdentityKind::KubernetesServiceAccount,
    ];

    /// The stable kebab-case name used in summaries and exports.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            IdentityKind::UserAssignedManagedIdentity => "user-assigned-managed-identity",
            IdentityKind::SystemAssignedManagedIdentity => "system-assigned-managed-identity",
            IdentityKind::ManagedIdentity => "managed-identity",
            IdentityKind::ApplicationServicePrincipal => "application-service-principal",
            IdentityKind::ApplicationRegistration => "application-registration",
            IdentityKind::OtherServicePrincipal => "other-service-principal",
            IdentityKind::AwsRole => "aws-role",
            IdentityKind::AwsUser => "aws-user",
            IdentityKind::GcpServiceAccount => "gcp-service-account",
            IdentityKind::KubernetesServiceAccount => "kubernetes-service-account",
        }
    }

    /// A managed identity of any flavour (their platform certificates are never credentials).
    #[must_use]
    pub fn is_managed_identity(self) -> bool {
        matches!(
            self,
            IdentityKind::UserAssignedManagedIdentity
                | IdentityKind::SystemAssignedManagedIdentity
                | IdentityKind::ManagedIdentity
        )
    }
}

/// Production or not, as far as tags and names tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Environment {
    Prod,
    NonProd,
    #[default]
    Unknown,
}

/// How the [`Environment`] was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EnvironmentSource {
    /// An `env` / `environment` tag.
    Tag,
    /// A name (identity, resource group, host resource) matched a prod or non-prod pattern.
    Name,
    /// Set by a policy profile (subscription map); not set by ingest.
    Policy,
    #[default]
    None,
}

/// A tag (`key`, `value`), original casing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub key: Sym,
    pub value: Sym,
}

/// A workload identity.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Identity {
    pub provider: Provider,
    pub kind: IdentityKind,
    pub display_name: Option<Sym>,
    /// Entra service principal object id (the `principalId` role assignments name).
    pub principal_id: Option<Guid>,
    /// Client / application id (`clientId` of a managed identity, `appId` of an SP or app).
    pub client_id: Option<Guid>,
    /// Object id of the app registration, when the application object was exported.
    pub application_object_id: Option<Guid>,
    /// ARM resource id of a user-assigned identity (original casing).
    pub resource_id: Option<Sym>,
    /// ARM resource id of a system-assigned identity's host resource.
    pub host_resource_id: Option<Sym>,
    pub tenant_id: Option<Guid>,
    pub subscription: Option<Sym>,
    pub resource_group: Option<Sym>,
    pub location: Option<Sym>,
    /// Seconds since the Unix epoch.
    pub created: Option<i64>,
    pub enabled: Option<bool>,
    /// `servicePrincipalType` as exported (open enum).
    pub service_principal_type: Option<Sym>,
    /// Tenant that owns the application (`appOwnerOrganizationId`); differs from `tenant_id` for third-party apps.
    pub app_owner_organization_id: Option<Guid>,
    pub tags: Vec<Tag>,
    /// Owners as exported (`owners` expanded on apps/SPs).
    pub owners: Vec<Owner>,
    pub environment: Environment,
    pub environment_source: EnvironmentSource,
    /// Only referenced (by a resource's `identity` block, a federated credential or an SP's `alternativeNames`),
    /// never listed by an identity export: an inventory gap.
    pub inferred: bool,
    /// Index into [`Snapshot::activity`].
    pub activity: Option<u32>,
    /// Every record that contributed to this identity.
    pub provenance: Vec<Provenance>,
}

/// What kind of directory object an owner is (`@odata.type` of an expanded owner).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OwnerKind {
    User,
    ServicePrincipal,
    Group,
    /// No `@odata.type` (a `$select`-ed or older export): matched against users, then service principals.
    #[default]
    Unknown,
}

/// One owner of an app registration or service principal, as exported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    /// The owner's object id.
    pub id: Option<Guid>,
    /// `userPrincipalName`, else `displayName`.
    pub name: Option<Sym>,
    pub kind: OwnerKind,
}

/// A user or group of the directory (Graph `users` / `groups`), read to tell whether owners still exist and are
/// enabled (NHI-G-002).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DirectoryPrincipal {
    pub kind: DirectoryPrincipalKind,
    pub id: Option<Guid>,
    pub display_name: Option<Sym>,
    /// Users only.
    pub user_principal_name: Option<Sym>,
    pub mail: Option<Sym>,
    /// `accountEnabled` (users); `None` when not selected in the export, and for groups.
    pub enabled: Option<bool>,
    pub provenance: Provenance,
}

/// A control-plane operation a workload identity performed (activity log), kept to tell whether its role
/// assignments are exercised (NHI-P-007).
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct Operation {
    pub identity: IdentityIx,
    /// `authorization.action` as logged (`Microsoft.Storage/storageAccounts/write`).
    pub action: Sym,
    /// `authorization.scope` (else `resourceId`) as logged.
    pub scope: Sym,
    /// Seconds since the epoch.
    pub at: i64,
    /// `status.value` is `Failed`: the attempt proves nothing about the grants.
    pub failed: bool,
    pub provenance: Provenance,
}

/// What the activity-log export covers for one subscription: every event read, whoever the caller.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LogCoverage {
    /// Folded subscription id (lower case), or empty for events outside any subscription.
    pub subscription: String,
    pub first: i64,
    pub last: i64,
    pub events: u64,
}

/// User or group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DirectoryPrincipalKind {
    User,
    Group,
}

/// How a workload uses an identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttachmentKind {
    SystemAssigned,
    UserAssigned,
    /// AKS `properties.identityProfile.kubeletidentity`.
    AksKubelet,
}

/// One workload → identity link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Attachment {
    pub identity: IdentityIx,
    pub kind: AttachmentKind,
}

/// A resource (VM, app, function, AKS cluster …) as exported by Resource Graph; it may use identities.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Workload {
    pub id: Sym,
    pub resource_type: Option<Sym>,
    pub name: Option<Sym>,
    pub subscription: Option<Sym>,
    pub resource_group: Option<Sym>,
    pub location: Option<Sym>,
    pub tags: Vec<Tag>,
    /// `identity.type` as exported (`SystemAssigned, UserAssigned` …).
    pub identity_type: Option<Sym>,
    pub attachments: Vec<Attachment>,
    /// AKS `properties.oidcIssuerProfile.issuerURL`: the issuer its workload-identity tokens carry.
    #[serde(default)]
    pub oidc_issuer: Option<Sym>,
    /// The appId of the app registration the resource signs in as with a secret or certificate, where a managed
    /// identity would do (AKS `servicePrincipalProfile.clientId` other than `msi`).
    #[serde(default)]
    pub app_credential: Option<Guid>,
    pub environment: Environment,
    pub environment_source: EnvironmentSource,
    pub provenance: Vec<Provenance>,
}

/// An Azure scope (or later: account, project, cluster, namespace).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Scope {
    /// The scope path in its first-seen casing.
    pub id: Sym,
    pub level: ScopeLevel,
    pub subscription: Option<Sym>,
    pub resource_group: Option<Sym>,
    pub management_group: Option<Sym>,
}

/// Where a role's privilege tier came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TierSource {
    /// Derived from the exported definition's actions.
    Definition,
    /// The built-in table of well-known Azure roles (CONTROLS.md §11), by GUID or name.
    BuiltIn,
    /// Neither exported nor well known: assumed "other write" (0.5) so that it is not under-rated.
    Assumed,
}

/// A role definition: exported, or a stub for a role only referenced by assignments.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RoleDefinition {
    pub guid: Option<Guid>,
    /// The definition's id as exported (subscription-prefixed in az output, tenant-level in REST).
    pub id: Option<Sym>,
    pub name: Option<Sym>,
    pub description: Option<Sym>,
    /// `CustomRole` (true) / `BuiltInRole` (false); `None` when not exported.
    pub custom: Option<bool>,
    pub actions: Vec<Sym>,
    pub not_actions: Vec<Sym>,
    pub data_actions: Vec<Sym>,
    pub not_data_actions: Vec<Sym>,
    pub assignable_scopes: Vec<Sym>,
    /// P(role) of CONTROLS.md §9.2, in [0.05, 1].
    pub tier: f32,
    pub tier_source: TierSource,
    /// Effective `Microsoft.Authorization/roleAssignments/write` (or elevateAccess): it can grant access.
    pub can_grant_access: bool,
    /// Some action or data action is a wildcard (`*` anywhere).
    pub has_wildcard: bool,
    /// The definition itself was exported (not a stub).
    pub exported: bool,
    pub provenance: Vec<Provenance>,
}

/// Who a grant is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "identity")]
pub enum GrantPrincipal {
    /// A workload identity in this snapshot.
    Identity(IdentityIx),
    /// A service principal (or `Unknown` object) not found among the exported identities: a fact for the orphan
    /// check (NHI-L-001), not an error.
    Unresolved,
    /// A user, group or other non-workload principal; kept for checks about humans and groups.
    Other,
}

/// A role assignment's id as exported. Almost every id is `<scope>/providers/Microsoft.Authorization/
/// roleAssignments/<guid>`; those are kept as their GUID and rebuilt on demand, so a million assignments do not each
/// keep some 200 bytes of text (the ingest's largest allocation before).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssignmentId {
    /// Exactly the grant's scope (as [`Scope::id`] spells it), [`ASSIGNMENT_ID_MARK`] and this GUID in lower case.
    Standard(Guid),
    /// Any other spelling, kept as it was.
    Text(Sym),
}

/// What joins a scope and the GUID in a role assignment's id.
pub const ASSIGNMENT_ID_MARK: &str = "/providers/Microsoft.Authorization/roleAssignments/";

/// The id of the role assignment `guid` at `scope` (the root scope `/` adds nothing before the mark).
#[must_use]
pub fn standard_assignment_id(scope: &str, guid: Guid) -> String {
    let prefix = if scope == "/" { "" } else { scope };
    format!("{prefix}{ASSIGNMENT_ID_MARK}{guid}")
}

/// The GUID of `id` when it is exactly [`standard_assignment_id`]`(scope, guid)`, else `None`.
#[must_use]
pub fn standard_assignment_guid(id: &str, scope: &str) -> Option<Guid> {
    let prefix = if scope == "/" { "" } else { scope };
    let tail = crate::ids::strip_prefix(crate::ids::strip_prefix(id, prefix)?, ASSIGNMENT_ID_MARK)?;
    // Lower-case, bare 8-4-4-4-12 only: then the GUID prints back to exactly this text.
    if tail.len() != 36 || tail.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    Guid::parse(tail)
}

/// Principal × role × scope.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Grant {
    pub principal: GrantPrincipal,
    pub principal_id: Option<Guid>,
    /// `principalType` / `ObjectType` as exported (open enum).
    pub principal_type: Option<Sym>,
    pub principal_name: Option<Sym>,
    pub role: RoleIx,
    pub scope: ScopeIx,
    pub scope_level: ScopeLevel,
    /// ABAC condition text.
    pub condition: Option<Sym>,
    pub condition_version: Option<Sym>,
    /// The role assignment's id (its text: [`Snapshot::assignment_id_text`]).
    pub assignment_id: Option<AssignmentId>,
    pub created: Option<i64>,
    pub created_by: Option<Guid>,
    pub delegated_managed_identity_resource_id: Option<Sym>,
    /// Copy of the role's tier, for convenience.
    pub tier: f32,
    pub provenance: GrantProvenance,
}

/// Where a grant was read: almost always one record, kept inline (a million grants were a million small
/// allocations); a duplicate read again adds its record to a list.
pub type GrantProvenance = smallvec::SmallVec<[Provenance; 1]>;

/// Which Microsoft Graph export a [`DirectoryGrant`] came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DirectoryGrantKind {
    /// An Entra directory role (`roleManagement/directory/roleAssignments`, a `unifiedRoleAssignment`).
    DirectoryRole,
    /// An application permission (app role) granted to a service principal (`appRoleAssignments`).
    AppRole,
}

/// How privileged a directory grant is, for NHI-P-004 and impact (CONTROLS.md §8.1, §9.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DirectoryPrivilege {
    /// NHI-P-004 class with P(role) 1.0 in §9.2: Global Administrator, Privileged Role Administrator, Graph
    /// RoleManagement.ReadWrite.Directory or AppRoleAssignment.ReadWrite.All.
    TenantAdmin,
    /// The rest of the NHI-P-004 class (P(role) 0.8): (Cloud) Application Administrator, Privileged Authentication
    /// Administrator, Graph Application.ReadWrite.All or Directory.ReadWrite.All.
    Privileged,
    /// A read-only directory role or Graph permission (Directory Readers, Global Reader, Directory.Read.All): P 0.1.
    Read,
    /// A known resource, a role outside the NHI-P-004 class.
    Other,
    /// An app role on a resource that the exports do not identify as Microsoft Graph (no `resourceDisplayName`
    /// and no service-principal export naming `resourceId`): kept, shown, not judged by NHI-P-004.
    Unclassified,
}

/// An Entra directory role or a Graph application permission held by a principal: tenant-wide, outside Azure RBAC.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DirectoryGrant {
    pub kind: DirectoryGrantKind,
    pub principal: GrantPrincipal,
    pub principal_id: Option<Guid>,
    /// `principalType`, or the `@odata.type` of an expanded `principal` (open).
    pub principal_type: Option<Sym>,
    pub principal_name: Option<Sym>,
    /// `roleDefinitionId` (a built-in role's template id) or `appRoleId`.
    pub role_id: Option<Guid>,
    /// `roleDefinitionId` / `appRoleId` as exported, when it is not a GUID.
    pub role_id_text: Option<Sym>,
    /// The role's name: exported (an expanded `roleDefinition`) or from the built-in table.
    pub role_name: Option<Sym>,
    /// `directoryScopeId` of a directory role (`/` is tenant-wide); none for app roles.
    pub directory_scope: Option<Sym>,
    /// `resourceId` of an app role: the resource service principal's object id (differs per tenant).
    pub resource_id: Option<Guid>,
    pub resource_name: Option<Sym>,
    /// `appId` of the resource, when the service-principal export lists the resource.
    pub resource_app_id: Option<Guid>,
    pub privilege: DirectoryPrivilege,
    /// P(role) of CONTROLS.md §9.2 for impact (scope factor 1.0 when tenant-wide).
    pub tier: f32,
    pub assignment_id: Option<Sym>,
    pub created: Option<i64>,
    pub provenance: Vec<Provenance>,
}

impl DirectoryGrant {
    /// Tenant-wide: an app role, or a directory role at `/` (not scoped to an administrative unit or one app).
    #[must_use]
    pub fn tenant_wide(&self, strings: &Interner) -> bool {
        match self.kind {
            DirectoryGrantKind::AppRole => true,
            DirectoryGrantKind::DirectoryRole => self
                .directory_scope
                .is_none_or(|s| strings.resolve(s).trim() == "/"),
        }
    }
}

/// Kind of a user-managed credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialKind {
    Secret,
    Certificate,
}

/// Which object held the credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialHolder {
    Application,
    ServicePrincipal,
}

/// A user-managed secret or certificate. Managed identities' platform certificates are never recorded.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Credential {
    pub identity: IdentityIx,
    pub kind: CredentialKind,
    pub holder: CredentialHolder,
    /// `type` of a key credential (`AsymmetricX509Cert`, `Symmetric` …).
    pub key_type: Option<Sym>,
    /// `usage` of a key credential (`Verify`, `Sign`).
    pub usage: Option<Sym>,
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub key_id: Option<Guid>,
    pub display_name: Option<Sym>,
    pub provenance: Vec<Provenance>,
    /// Its last use: index into [`Snapshot::credential_activity`] (none when that export was not read or has no
    /// record of this credential).
    #[serde(default)]
    pub activity: Option<u32>,
}

/// Last use of one application credential (Graph beta `reports/appCredentialSignInActivities`), matched to the
/// credential by `keyId` and its holder. A record whose credential is not in the snapshot is kept with
/// `credential: None` (and counted in its file's messages).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CredentialActivity {
    pub key_id: Guid,
    /// `credentialOrigin` (none when absent or another value).
    pub origin: Option<CredentialHolder>,
    pub app_id: Option<Guid>,
    pub app_object_id: Option<Guid>,
    pub service_principal_object_id: Option<Guid>,
    /// `keyType` as exported (`clientSecret`, `certificate` …).
    pub key_type: Option<Sym>,
    /// `signInActivity.lastSignInDateTime`, the latest over the credential's records; none: never signed in.
    pub last_sign_in: Option<i64>,
    pub expires: Option<i64>,
    /// Index into [`Snapshot::credentials`] of the credential it describes.
    pub credential: Option<u32>,
    pub provenance: Vec<Provenance>,
}

/// A federated identity credential: which external tokens the identity trusts.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Federation {
    pub identity: Option<IdentityIx>,
    /// The credential's own resource id (or Graph id).
    pub id: Option<Sym>,
    pub name: Option<Sym>,
    pub issuer: Option<Sym>,
    pub subject: Option<Sym>,
    /// Flexible FIC expression (`claimsMatchingExpression.value`).
    pub claims_matching_expression: Option<Sym>,
    pub claims_language_version: Option<Sym>,
    pub audiences: Vec<Sym>,
    pub provenance: Vec<Provenance>,
}

/// Last sign-in times of one application id (Graph `servicePrincipalSignInActivities`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Activity {
    pub app_id: Guid,
    pub identity: Option<IdentityIx>,
    pub last_sign_in: Option<i64>,
    pub last_app_client_sign_in: Option<i64>,
    pub last_app_resource_sign_in: Option<i64>,
    pub last_delegated_client_sign_in: Option<i64>,
    pub last_delegated_resource_sign_in: Option<i64>,
    pub provenance: Vec<Provenance>,
}

/// A record set aside: not ingested, with where it was and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetAside {
    pub record: u64,
    pub line: u64,
    pub reason: String,
}

/// Per-file accounting: `records == ingested + merged + set_aside.len()`, always.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileReport {
    /// The name the file was given with; for zip entries `archive.zip!entry/path` (a label, never opened).
    pub path: String,
    /// Stable kebab-case format id (`az-role-assignments`, `resource-graph-csv`, `unknown` …).
    pub format: String,
    pub size_bytes: u64,
    pub records: u64,
    pub ingested: u64,
    /// Duplicates of an entity already read (the same SP in two pages).
    pub merged: u64,
    pub set_aside: Vec<SetAside>,
    /// What the auditor should know about this file: unrecognised, truncated, tolerated timestamps, old formats.
    pub messages: Vec<String>,
    /// One page of several: the export's `@odata.nextLink` / `nextLink` is set (later pages are not in this file).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
}

impl FileReport {
    /// Whether the reconciliation invariant holds.
    #[must_use]
    pub fn balanced(&self) -> bool {
        self.records == self.ingested + self.merged + self.set_aside.len() as u64
    }
}

/// Everything read from one set of exports.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Snapshot {
    pub strings: Interner,
    pub files: Vec<FileReport>,
    pub identities: Vec<Identity>,
    pub workloads: Vec<Workload>,
    pub roles: Vec<RoleDefinition>,
    pub scopes: Vec<Scope>,
    pub grants: Vec<Grant>,
    pub credentials: Vec<Credential>,
    pub federations: Vec<Federation>,
    pub activity: Vec<Activity>,
    /// Entra directory roles and Graph application permissions (empty when those exports were not read).
    #[serde(default)]
    pub directory_grants: Vec<DirectoryGrant>,
    /// Per-credential last use (empty when `appCredentialSignInActivities` was not read).
    #[serde(default)]
    pub credential_activity: Vec<CredentialActivity>,
    /// Entra users and groups (empty when neither export was read).
    #[serde(default)]
    pub principals: Vec<DirectoryPrincipal>,
    /// Activity-log operations of workload identities (empty when no activity log was read).
    #[serde(default)]
    pub operations: Vec<Operation>,
    /// The time span the activity log covers, per subscription.
    #[serde(default)]
    pub log_coverage: Vec<LogCoverage>,
    /// Lookup tables rebuilt from the vectors; not serialised.
    #[serde(skip)]
    pub index: SnapshotIndex,
}

/// Join indexes over a [`Snapshot`]: GUIDs and case-folded resource ids to entity indices (with the ingest's fast
/// hasher: the checks look them up once per scope and identity).
#[derive(Clone, Debug, Default)]
pub struct SnapshotIndex {
    pub by_principal_id: FastMap<Guid, IdentityIx>,
    pub by_client_id: FastMap<Guid, IdentityIx>,
    /// UAMI resource ids, in any casing.
    pub by_resource_id: crate::ids::FoldedIds,
    /// Workload ids, in any casing.
    pub workload_by_id: crate::ids::FoldedIds,
}

impl Snapshot {
    /// The id of `grant`'s role assignment, as it was exported.
    #[must_use]
    pub fn assignment_id_text(&self, grant: &Grant) -> Option<std::borrow::Cow<'_, str>> {
        Some(match grant.assignment_id? {
            AssignmentId::Text(sym) => std::borrow::Cow::Borrowed(self.strings.resolve(sym)),
            AssignmentId::Standard(guid) => {
                let scope = self
                    .scopes
                    .get(grant.scope as usize)
                    .map_or("/", |s| self.strings.resolve(s.id));
                std::borrow::Cow::Owned(standard_assignment_id(scope, guid))
            }
        })
    }

    /// The text of an interned string.
    #[must_use]
    pub fn str(&self, sym: Sym) -> &str {
        self.strings.resolve(sym)
    }

    /// The text of an optional interned string.
    #[must_use]
    pub fn opt_str(&self, sym: Option<Sym>) -> Option<&str> {
        sym.map(|s| self.strings.resolve(s))
    }

    /// Rebuild [`Snapshot::index`] (after deserialising, or after a policy profile edits the snapshot).
    pub fn rebuild_index(&mut self) {
        let mut index = SnapshotIndex::default();
        for (i, identity) in self.identities.iter().enumerate() {
            let i = i as IdentityIx;
            if let Some(p) = identity.principal_id {
                index.by_principal_id.entry(p).or_insert(i);
            }
            if let Some(c) = identity.client_id {
                index.by_client_id.entry(c).or_insert(i);
            }
            if let Some(r) = identity.resource_id {
                index.by_resource_id.insert_first(&self.strings, r, i);
            }
        }
        index.workload_by_id = crate::ids::FoldedIds::with_capacity(self.workloads.len());
        for (i, workload) in self.workloads.iter().enumerate() {
            index
                .workload_by_id
                .insert_first(&self.strings, workload.id, i as WorkloadIx);
        }
        self.index = index;
    }

    /// How an owner is shown: its name (UPN or display name), else its object id.
    #[must_use]
    pub fn owner_text(&self, owner: &Owner) -> String {
        match (owner.name, owner.id) {
            (Some(name), _) => self.str(name).to_owned(),
            (None, Some(id)) => id.to_string(),
            (None, None) => String::new(),
        }
    }

    /// The identity with this service principal object id.
    #[must_use]
    pub fn identity_by_principal_id(&self, id: Guid) -> Option<&Identity> {
        self.index
            .by_principal_id
            .get(&id)
            .and_then(|&i| self.identities.get(i as usize))
    }

    /// The workload with this resource id, in any casing.
    #[must_use]
    pub fn workload_by_id(&self, id: &str) -> Option<&Workload> {
        self.index
            .workload_by_id
            .get(&self.strings, id)
            .and_then(|i| self.workloads.get(i as usize))
    }

    /// Workloads that use identity `ix`, in workload order.
    pub fn workloads_of(&self, ix: IdentityIx) -> impl Iterator<Item = &Workload> {
        self.workloads
            .iter()
            .filter(move |w| w.attachments.iter().any(|a| a.identity == ix))
    }

    /// Directory roles and Graph application permissions of identity `ix`.
    pub fn directory_grants_of(&self, ix: IdentityIx) -> impl Iterator<Item = &DirectoryGrant> {
        self.directory_grants
            .iter()
            .filter(move |g| g.principal == GrantPrincipal::Identity(ix))
    }

    /// The per-credential usage record of a credential, when that export has one.
    #[must_use]
    pub fn credential_activity_of(&self, credential: &Credential) -> Option<&CredentialActivity> {
        self.credential_activity.get(credential.activity? as usize)
    }

    /// Grants of identity `ix`.
    pub fn grants_of(&self, ix: IdentityIx) -> impl Iterator<Item = &Grant> {
        self.grants
            .iter()
            .filter(move |g| g.principal == GrantPrincipal::Identity(ix))
    }
}

/// The stable, serialisable overview of a snapshot (used by the CLI `summary` command and the viewer).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub files: Vec<FileSummary>,
    pub identities: IdentityCounts,
    pub workloads: u64,
    /// Grant counts by scope level (kebab-case keys, sorted).
    pub grants: BTreeMap<String, u64>,
    pub credentials: u64,
    pub federations: u64,
    pub orphaned_assignments: u64,
}

/// One file's line in the [`Summary`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileSummary {
    pub path: String,
    pub format: String,
    pub records: u64,
    pub ingested: u64,
    pub merged: u64,
    pub set_aside: u64,
    pub messages: Vec<String>,
}

/// Identity totals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityCounts {
    pub total: u64,
    /// Count per [`IdentityKind::id`], only kinds present, sorted.
    pub by_kind: BTreeMap<String, u64>,
}

/// Summarise a snapshot.
#[must_use]
pub fn summary(snapshot: &Snapshot) -> Summary {
    let files = snapshot
        .files
        .iter()
        .map(|f| FileSummary {
            path: f.path.clone(),
            format: f.format.clone(),
            records: f.records,
            ingested: f.ingested,
            merged: f.merged,
            set_aside: f.set_aside.len() as u64,
            messages: f.messages.clone(),
        })
        .collect();
    let mut by_kind = BTreeMap::new();
    for identity in &snapshot.identities {
        *by_kind.entry(identity.kind.id().to_owned()).or_insert(0) += 1;
    }
    let mut grants = BTreeMap::new();
    for grant in &snapshot.grants {
        *grants.entry(grant.scope_level.id().to_owned()).or_insert(0) += 1;
    }
    Summary {
        files,
        identities: IdentityCounts {
            total: snapshot.identities.len() as u64,
            by_kind,
        },
        workloads: snapshot.workloads.len() as u64,
        grants,
        credentials: snapshot.credentials.len() as u64,
        federations: snapshot.federations.len() as u64,
        orphaned_assignments: snapshot
            .grants
            .iter()
            .filter(|g| g.principal == GrantPrincipal::Unresolved)
            .count() as u64,
    }
}
