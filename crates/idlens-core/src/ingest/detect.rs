//! Decide what export a file is from the keys of its records, never from its name (FORMATS.md §0.1: "detect shape
//! per file, never per field").
//!
//! [`Keys`] reads one record's top-level key names (and those of its `properties` object) without building a
//! `serde_json::Value`, and keeps the string values of `type`, `objectType` and `kind`. [`detect`] maps them to a
//! [`Format`].

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// The export formats the ingest reads (or recognises without reading yet).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// `az identity list`, ARM REST / `az rest` user-assigned identities, Resource Graph UAMI rows.
    UserAssignedIdentities,
    /// `az role assignment list` (flattened) or ARM REST (`properties`).
    RoleAssignments,
    /// `Get-AzRoleAssignment` (PascalCase).
    PowerShellRoleAssignments,
    /// `az role definition list`, ARM REST, or `Get-AzRoleDefinition`.
    RoleDefinitions,
    /// Microsoft Graph service principals (`az ad sp list`).
    ServicePrincipals,
    /// Microsoft Graph applications (`az ad app list`).
    Applications,
    /// AAD Graph era (az before 2.37) service principals: `objectId`, `startDate`/`endDate`.
    AadGraphServicePrincipals,
    /// AAD Graph era applications.
    AadGraphApplications,
    /// Resource Graph rows (or ARM resources) with an `identity` block.
    Resources,
    /// Federated identity credentials of user-assigned identities or app registrations.
    FederatedCredentials,
    /// Graph beta `servicePrincipalSignInActivities`.
    SignInActivity,
    /// Graph `roleManagement/directory/roleAssignments` (`unifiedRoleAssignment`: `directoryScopeId`).
    DirectoryRoleAssignments,
    /// Graph `servicePrincipals/{id}/appRoleAssignments` or `appRoleAssignedTo` (`appRoleId`).
    AppRoleAssignments,
    /// Graph beta `reports/appCredentialSignInActivities`: last use per credential (`keyId`).
    CredentialSignInActivity,
    /// Azure activity log (`az monitor activity-log list`): control-plane operations per caller.
    ActivityLog,
    /// Graph `users` (`az ad user list`): owner resolution.
    Users,
    /// Graph `groups` (`az ad group list`): owner resolution.
    Groups,
    /// Recognised as another cloud's export, not read yet.
    Foreign(&'static str),
}

impl Format {
    /// Stable kebab-case id for reports; `csv` appends the container.
    #[must_use]
    pub fn id(self, csv: bool) -> String {
        let base = match self {
            Format::UserAssignedIdentities => "az-user-assigned-identities",
            Format::RoleAssignments => "az-role-assignments",
            Format::PowerShellRoleAssignments => "az-powershell-role-assignments",
            Format::RoleDefinitions => "az-role-definitions",
            Format::ServicePrincipals => "graph-service-principals",
            Format::Applications => "graph-applications",
            Format::AadGraphServicePrincipals => "aad-graph-service-principals",
            Format::AadGraphApplications => "aad-graph-applications",
            Format::Resources => "resource-graph",
            Format::FederatedCredentials => "az-federated-credentials",
            Format::SignInActivity => "graph-sign-in-activity",
            Format::DirectoryRoleAssignments => "graph-directory-role-assignments",
            Format::AppRoleAssignments => "graph-app-role-assignments",
            Format::CredentialSignInActivity => "graph-app-credential-sign-in-activity",
            Format::ActivityLog => "az-activity-log",
            Format::Users => "graph-users",
            Format::Groups => "graph-groups",
            Format::Foreign(id) => id,
        };
        if csv {
            format!("{base}-csv")
        } else {
            base.to_owned()
        }
    }
}

/// What an unrecognised file is not, and what is expected instead.
pub const EXPECTED: &str = "expected one of: `az identity list -o json`, `az role assignment list --all -o json`, \
`az role definition list -o json`, `az ad sp list --all -o json`, `az ad app list --all -o json`, \
`az graph query` / Resource Graph CSV with an `identity` column, `az identity federated-credential list -o json`, \
Graph `reports/servicePrincipalSignInActivities`, Graph `roleManagement/directory/roleAssignments`, Graph \
`servicePrincipals/{id}/appRoleAssignments`, Graph `reports/appCredentialSignInActivities`, `az ad user list`, \
`az ad group list`, `az monitor activity-log list` (JSON, or a zip of them)";

macro_rules! keys {
    ($($name:ident = $text:literal),* $(,)?) => {
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Clone, Copy, Debug)]
        #[repr(u8)]
        pub(crate) enum K { $($name),* }
        const KEY_NAMES: &[&str] = &[$($text),*];
    };
}

keys! {
    principalId = "principalId", roleDefinitionId = "roleDefinitionId", RoleAssignmentId = "RoleAssignmentId",
    ObjectId = "ObjectId", ObjectType = "ObjectType", RoleDefinitionName = "RoleDefinitionName", Scope = "Scope",
    roleName = "roleName", permissions = "permissions", IsCustom = "IsCustom", Actions = "Actions",
    servicePrincipalType = "servicePrincipalType", appId = "appId", passwordCredentials = "passwordCredentials",
    keyCredentials = "keyCredentials", identity = "identity", id = "id", issuer = "issuer", subject = "subject",
    claimsMatchingExpression = "claimsMatchingExpression", lastSignInActivity = "lastSignInActivity",
    appAuthClient = "applicationAuthenticationClientSignInActivity", objectId = "objectId",
    requiredResourceAccess = "requiredResourceAccess", signInAudience = "signInAudience", apiVersion = "apiVersion",
    Arn = "Arn", RoleName = "RoleName", bindings = "bindings", asset_type = "asset_type", assetType = "assetType",
    identityProfile = "identityProfile", identifierUris = "identifierUris", uniqueId = "uniqueId", roleRef = "roleRef",
    UserName = "UserName", PolicyName = "PolicyName", directoryScopeId = "directoryScopeId",
    DirectoryScopeId = "DirectoryScopeId", appRoleId = "appRoleId", AppRoleId = "AppRoleId", PrincipalId = "PrincipalId",
    resourceId = "resourceId", ResourceId = "ResourceId",
    keyId = "keyId", credentialOrigin = "credentialOrigin", appObjectId = "appObjectId",
    servicePrincipalObjectId = "servicePrincipalObjectId", keyUsage = "keyUsage", signInActivity = "signInActivity",
    userPrincipalName = "userPrincipalName", securityEnabled = "securityEnabled", mailEnabled = "mailEnabled",
    groupTypes = "groupTypes", eventTimestamp = "eventTimestamp", caller = "caller", claims = "claims",
    operationName = "operationName", authorization = "authorization",
}

/// The key names of one record (and of its `properties`), plus the few string values detection needs.
#[derive(Debug, Default)]
pub(crate) struct Keys {
    bits: u64,
    pub type_value: Option<String>,
    pub object_type: Option<String>,
    pub kind: Option<String>,
    pub properties: Option<Box<Keys>>,
    /// The record was a JSON object.
    pub object: bool,
}

impl Keys {
    pub fn has(&self, k: K) -> bool {
        self.bits & (1 << k as u8) != 0
    }

    /// The key is at the top or inside `properties`.
    pub fn any(&self, k: K) -> bool {
        self.has(k) || self.properties.as_ref().is_some_and(|p| p.has(k))
    }

    /// Probe a record's bytes; anything that is not a JSON object gives empty keys.
    pub fn probe(bytes: &[u8]) -> Keys {
        serde_json::from_slice::<Keys>(bytes).unwrap_or_default()
    }
}

/// A string value, or nothing for any other JSON value (consumed and ignored).
struct MaybeStr(Option<String>);

impl<'de> Deserialize<'de> for MaybeStr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeStr;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<MaybeStr, E> {
                Ok(MaybeStr(Some(v.to_owned())))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<MaybeStr, E> {
                Ok(MaybeStr(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<MaybeStr, E> {
                Ok(MaybeStr(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<MaybeStr, E> {
                Ok(MaybeStr(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<MaybeStr, E> {
                Ok(MaybeStr(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<MaybeStr, E> {
                Ok(MaybeStr(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<MaybeStr, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(MaybeStr(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MaybeStr, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(MaybeStr(None))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Keys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Keys;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keys, A::Error> {
                let mut keys = Keys {
                    object: true,
                    ..Keys::default()
                };
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    match key.as_ref() {
                        "type" => keys.type_value = map.next_value::<MaybeStr>()?.0,
                        "objectType" => keys.object_type = map.next_value::<MaybeStr>()?.0,
                        "kind" => keys.kind = map.next_value::<MaybeStr>()?.0,
                        "properties" => {
                            let inner = map.next_value::<Keys>()?;
                            keys.properties = inner.object.then(|| Box::new(inner));
                        }
                        other => {
                            if let Some(i) = KEY_NAMES.iter().position(|k| *k == other) {
                                keys.bits |= 1 << i;
                            }
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(keys)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Keys, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Keys::default())
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Keys, E> {
                Ok(Keys::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Keys, E> {
                Ok(Keys::default())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Keys, E> {
                Ok(Keys::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Keys, E> {
                Ok(Keys::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Keys, E> {
                Ok(Keys::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Keys, E> {
                Ok(Keys::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// The ARM type of user-assigned identities, compared case-insensitively.
pub(crate) const UAMI_TYPE: &str = "microsoft.managedidentity/userassignedidentities";

fn eq(a: Option<&str>, b: &str) -> bool {
    a.is_some_and(|a| a.eq_ignore_ascii_case(b))
}

/// The format of a record, from its keys (and the envelope key it was found under).
pub(crate) fn detect(keys: &Keys, envelope: Option<&str>) -> Option<Format> {
    use K::*;
    if !keys.object {
        return None;
    }
    if matches!(
        envelope,
        Some("RoleDetailList" | "UserDetailList" | "GroupDetailList" | "Policies")
    ) || keys.has(Arn)
        || keys.has(RoleName) && keys.has(Arn)
        || keys.has(UserName) && keys.has(Arn)
        || keys.has(PolicyName)
    {
        return Some(Format::Foreign("aws-iam"));
    }
    if keys.has(asset_type) || keys.has(assetType) || keys.has(bindings) || keys.has(uniqueId) {
        return Some(Format::Foreign("gcp-iam"));
    }
    if keys.has(apiVersion) && keys.kind.is_some() || keys.has(roleRef) {
        return Some(Format::Foreign("kubernetes"));
    }
    // Activity-log events: a timestamp of their own and who did what.
    if keys.has(eventTimestamp)
        && (keys.has(caller)
            || keys.has(claims)
            || keys.has(authorization)
            || keys.has(operationName))
    {
        return Some(Format::ActivityLog);
    }
    // Graph directory-role and app-role assignments also carry `principalId` (and `roleDefinitionId`): decided
    // before the ARM role assignments, by the keys ARM never has.
    if keys.has(directoryScopeId) || keys.has(DirectoryScopeId) {
        return Some(Format::DirectoryRoleAssignments);
    }
    if (keys.has(appRoleId) || keys.has(AppRoleId))
        && (keys.has(principalId)
            || keys.has(PrincipalId)
            || keys.has(resourceId)
            || keys.has(ResourceId))
    {
        return Some(Format::AppRoleAssignments);
    }
    if keys.has(RoleAssignmentId)
        || keys.has(ObjectId)
            && (keys.has(RoleDefinitionName) || keys.has(ObjectType) && keys.has(Scope))
    {
        return Some(Format::PowerShellRoleAssignments);
    }
    if keys.any(principalId) && keys.any(roleDefinitionId) {
        return Some(Format::RoleAssignments);
    }
    if keys.any(roleName) && keys.any(permissions) || keys.has(IsCustom) && keys.has(Actions) {
        return Some(Format::RoleDefinitions);
    }
    // Per-credential usage: a top-level `keyId` (credentials elsewhere only nest it inside `passwordCredentials` /
    // `keyCredentials`) with a key the per-app report never has.
    if keys.has(keyId)
        && (keys.has(credentialOrigin)
            || keys.has(signInActivity)
            || keys.has(servicePrincipalObjectId)
            || keys.has(appObjectId)
            || keys.has(keyUsage))
    {
        return Some(Format::CredentialSignInActivity);
    }
    if keys.has(appId) && (keys.has(lastSignInActivity) || keys.has(appAuthClient)) {
        return Some(Format::SignInActivity);
    }
    if keys.any(issuer) && (keys.any(subject) || keys.any(claimsMatchingExpression)) {
        return Some(Format::FederatedCredentials);
    }
    let type_value = keys.type_value.as_deref();
    if eq(type_value, UAMI_TYPE) {
        return Some(Format::UserAssignedIdentities);
    }
    let aad = keys.has(objectId) && keys.object_type.is_some();
    if keys.has(servicePrincipalType) || eq(keys.object_type.as_deref(), "ServicePrincipal") {
        return Some(if aad {
            Format::AadGraphServicePrincipals
        } else {
            Format::ServicePrincipals
        });
    }
    if keys.has(appId)
        && (keys.has(passwordCredentials)
            || keys.has(keyCredentials)
            || keys.has(requiredResourceAccess)
            || keys.has(signInAudience)
            || keys.has(identifierUris))
        || eq(keys.object_type.as_deref(), "Application")
    {
        return Some(if aad {
            Format::AadGraphApplications
        } else {
            Format::Applications
        });
    }
    // Users and groups: keys no workload-identity export has at the top level.
    let not_app = !keys.has(appId) && !keys.has(servicePrincipalType);
    if not_app && keys.has(userPrincipalName) || eq(keys.object_type.as_deref(), "User") {
        return Some(Format::Users);
    }
    if not_app && (keys.has(securityEnabled) || keys.has(mailEnabled) || keys.has(groupTypes))
        || eq(keys.object_type.as_deref(), "Group")
    {
        return Some(Format::Groups);
    }
    let resource_type = type_value.is_some_and(|t| t.contains('/'));
    if (keys.has(identity)
        || keys
            .properties
            .as_ref()
            .is_some_and(|p| p.has(identityProfile)))
        && keys.has(id)
        || resource_type && keys.has(id)
    {
        return Some(Format::Resources);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(json: &str) -> Option<Format> {
        detect(&Keys::probe(json.as_bytes()), None)
    }

    #[test]
    fn each_shape() {
        assert_eq!(
            of(r#"{"principalId":"x","roleDefinitionId":"y","scope":"/"}"#),
            Some(Format::RoleAssignments)
        );
        assert_eq!(
            of(r#"{"properties":{"principalId":"x","roleDefinitionId":"y"},"id":"z"}"#),
            Some(Format::RoleAssignments)
        );
        assert_eq!(
            of(r#"{"RoleAssignmentId":"x","ObjectType":"Unknown","Scope":"/"}"#),
            Some(Format::PowerShellRoleAssignments)
        );
        assert_eq!(
            of(r#"{"roleName":"Reader","permissions":[]}"#),
            Some(Format::RoleDefinitions)
        );
        assert_eq!(
            of(r#"{"properties":{"roleName":"Reader","permissions":[]}}"#),
            Some(Format::RoleDefinitions)
        );
        assert_eq!(
            of(r#"{"Name":"Reader","IsCustom":false,"Actions":["*/read"]}"#),
            Some(Format::RoleDefinitions)
        );
        assert_eq!(
            of(r#"{"id":"1","servicePrincipalType":"ManagedIdentity"}"#),
            Some(Format::ServicePrincipals)
        );
        assert_eq!(
            of(r#"{"objectId":"1","objectType":"ServicePrincipal"}"#),
            Some(Format::AadGraphServicePrincipals)
        );
        assert_eq!(
            of(r#"{"appId":"1","passwordCredentials":[]}"#),
            Some(Format::Applications)
        );
        assert_eq!(
            of(r#"{"objectId":"1","objectType":"Application","appId":"x"}"#),
            Some(Format::AadGraphApplications)
        );
        assert_eq!(
            of(r#"{"id":"/x","type":"microsoft.compute/virtualmachines","identity":null}"#),
            Some(Format::Resources)
        );
        assert_eq!(
            of(r#"{"id":"/x","type":"Microsoft.ManagedIdentity/userAssignedIdentities"}"#),
            Some(Format::UserAssignedIdentities)
        );
        assert_eq!(
            of(r#"{"issuer":"https://x","subject":"repo:a/b:ref:refs/heads/main"}"#),
            Some(Format::FederatedCredentials)
        );
        assert_eq!(
            of(r#"{"properties":{"issuer":"https://x","claimsMatchingExpression":{}}}"#),
            Some(Format::FederatedCredentials)
        );
        assert_eq!(
            of(r#"{"appId":"1","lastSignInActivity":null}"#),
            Some(Format::SignInActivity)
        );
        assert_eq!(
            of(
                r#"{"id":"x","keyId":"83f45296-fb8f-4aaa-a399-ac51084e02b7","keyType":"certificate","credentialOrigin":"application","appId":"a","resourceId":"r","signInActivity":{"lastSignInDateTime":null}}"#
            ),
            Some(Format::CredentialSignInActivity)
        );
        assert_eq!(
            of(r#"{"keyId":"83f45296-fb8f-4aaa-a399-ac51084e02b7","signInActivity":null}"#),
            Some(Format::CredentialSignInActivity)
        );
        // The per-app report stays the per-app report, even with a `keyId`-less `signInActivity`-like key.
        assert_eq!(
            of(
                r#"{"appId":"1","applicationAuthenticationClientSignInActivity":{},"lastSignInActivity":null}"#
            ),
            Some(Format::SignInActivity)
        );
        assert_eq!(
            of(r#"{"apiVersion":"v1","kind":"ServiceAccount"}"#),
            Some(Format::Foreign("kubernetes"))
        );
        assert_eq!(
            of(
                r#"{"id":"x","principalId":"p","roleDefinitionId":"62e90394-69f5-4237-9190-012177145e10","directoryScopeId":"/"}"#
            ),
            Some(Format::DirectoryRoleAssignments)
        );
        assert_eq!(
            of(
                r#"{"Id":"x","PrincipalId":"p","RoleDefinitionId":"r","DirectoryScopeId":"/","AppScopeId":null}"#
            ),
            Some(Format::DirectoryRoleAssignments)
        );
        assert_eq!(
            of(
                r#"{"id":"x","appRoleId":"r","principalId":"p","principalType":"ServicePrincipal","resourceId":"g"}"#
            ),
            Some(Format::AppRoleAssignments)
        );
        assert_eq!(
            of(r#"{"AppRoleId":"r","PrincipalId":"p","ResourceId":"g"}"#),
            Some(Format::AppRoleAssignments)
        );
        // ARM role assignments stay ARM: a `roleDefinitionId` path, a `scope`, a `principalType`.
        assert_eq!(
            of(
                r#"{"principalId":"p","principalType":"ServicePrincipal","roleDefinitionId":"/providers/Microsoft.Authorization/roleDefinitions/x","scope":"/"}"#
            ),
            Some(Format::RoleAssignments)
        );
        assert_eq!(
            of(
                r#"{"businessPhones":[],"displayName":"Ada","id":"1","mail":null,"userPrincipalName":"ada@contoso.com"}"#
            ),
            Some(Format::Users)
        );
        assert_eq!(
            of(r#"{"objectId":"1","objectType":"User","accountEnabled":"True"}"#),
            Some(Format::Users)
        );
        assert_eq!(
            of(
                r#"{"id":"1","displayName":"Payments","groupTypes":[],"mailEnabled":true,"securityEnabled":true}"#
            ),
            Some(Format::Groups)
        );
        // An application service principal with a UPN-looking key is still a service principal.
        assert_eq!(
            of(
                r#"{"id":"1","appId":"2","servicePrincipalType":"Application","userPrincipalName":"x"}"#
            ),
            Some(Format::ServicePrincipals)
        );
        assert_eq!(
            of(
                r#"{"authorization":{"action":"Microsoft.Web/sites/write","scope":"/subscriptions/s"},"caller":"x","eventTimestamp":"2026-10-01T00:00:00Z","operationName":{"value":"Microsoft.Web/sites/write"},"properties":{"statusCode":"OK"}}"#
            ),
            Some(Format::ActivityLog)
        );
        assert_eq!(of(r#"{"a":1}"#), None);
        assert_eq!(of("[1,2]"), None);
        assert_eq!(of("42"), None);
        assert_eq!(
            of(r#"{"type":{"nested":[1,{"type":"x"}]},"properties":"text"}"#),
            None
        );
    }
}
