//! Entra directory role assignments and Graph app role assignments (NHI-P-004's data, CONTROLS.md §8 "GR").
//!
//! - `GET /v1.0/roleManagement/directory/roleAssignments` (`az rest`, Graph Explorer, or
//!   `Get-MgRoleManagementDirectoryRoleAssignment | ConvertTo-Json`): `unifiedRoleAssignment` objects `{id,
//!   principalId, roleDefinitionId, directoryScopeId, appScopeId?}`, with `principal` and `roleDefinition` when
//!   `$expand`ed. A built-in role's `roleDefinitionId` is its template id.
//! - `GET /v1.0/servicePrincipals/{id}/appRoleAssignments` (or `appRoleAssignedTo` on the resource's service
//!   principal): `appRoleAssignment` objects `{id, appRoleId, principalId, principalType, principalDisplayName,
//!   resourceId, resourceDisplayName, createdDateTime}`. `resourceId` is the resource service principal's object id,
//!   which differs per tenant: the resource is identified when linking (see [`crate::ingest::link`]).
//!
//! Both arrive bare or in Graph's `{"@odata.context", "value": [...], "@odata.nextLink"}` envelope (the framer
//! unwraps it); every field is optional per `$select`; PowerShell's PascalCase names are accepted; unknown keys are
//! ignored. A record without a principal or a role is set aside with the reason.

use std::borrow::Cow;

use serde::Deserialize;

use crate::ingest::raw::{Ctx, Outcome, RawDirectoryGrant};
use crate::model::DirectoryGrantKind;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Principal<'a> {
    #[serde(borrow, default, alias = "DisplayName")]
    display_name: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "@odata.type")]
    odata_type: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RoleDefinition<'a> {
    #[serde(borrow, default, alias = "DisplayName")]
    display_name: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "TemplateId")]
    template_id: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Record<'a> {
    #[serde(borrow, default, alias = "Id")]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "PrincipalId")]
    principal_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "PrincipalType")]
    principal_type: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "PrincipalDisplayName")]
    principal_display_name: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "RoleDefinitionId")]
    role_definition_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "DirectoryScopeId")]
    directory_scope_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "AppRoleId")]
    app_role_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "ResourceId")]
    resource_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "ResourceDisplayName")]
    resource_display_name: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "CreatedDateTime")]
    created_date_time: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "Principal")]
    principal: Option<Principal<'a>>,
    #[serde(borrow, default, alias = "RoleDefinition")]
    role_definition: Option<RoleDefinition<'a>>,
}

fn present<'r>(text: Option<&'r Cow<'_, str>>) -> Option<&'r str> {
    text.map(|t| t.trim()).filter(|t| !t.is_empty())
}

/// What a record of `kind` is called in messages, and the field that names its role.
fn names(kind: DirectoryGrantKind) -> (&'static str, &'static str) {
    match kind {
        DirectoryGrantKind::DirectoryRole => ("directory role assignment", "roleDefinitionId"),
        DirectoryGrantKind::AppRole => ("app role assignment", "appRoleId"),
    }
}

/// Read one `unifiedRoleAssignment` (`kind` = directory role) or `appRoleAssignment` (`kind` = app role).
pub(crate) fn read(kind: DirectoryGrantKind, text: &str, ctx: &mut Ctx<'_>) -> Outcome {
    let (what, _) = names(kind);
    let record: Record<'_> = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(err) => return Outcome::SetAside(format!("not a {what} record: {err}")),
    };
    apply(kind, record, ctx)
}

/// Turn a record, read by [`read`] or in one pass ([`crate::ingest::raw::direct`]), into what the snapshot keeps.
pub(crate) fn apply(kind: DirectoryGrantKind, record: Record<'_>, ctx: &mut Ctx<'_>) -> Outcome {
    let (what, role_field) = names(kind);
    let Some(principal_text) = present(record.principal_id.as_ref()) else {
        return Outcome::SetAside(format!("{what} without `principalId`"));
    };
    let Some(principal_id) = crate::ids::Guid::parse(principal_text) else {
        let shown: String = principal_text.chars().take(80).collect();
        return Outcome::SetAside(format!(
            "{what} whose `principalId` is not a GUID (`{shown}`)"
        ));
    };
    let role_text = match kind {
        DirectoryGrantKind::DirectoryRole => present(record.role_definition_id.as_ref()),
        DirectoryGrantKind::AppRole => present(record.app_role_id.as_ref()),
    };
    let Some(role_text) = role_text else {
        return Outcome::SetAside(format!("{what} without `{role_field}`"));
    };
    let role_id = crate::ids::Guid::parse(role_text);
    let resource_id = ctx.guid(record.resource_id.as_ref());
    let created = ctx.time(record.created_date_time.as_ref());
    let template_id = record
        .role_definition
        .as_ref()
        .and_then(|r| r.template_id.as_ref())
        .and_then(|t| crate::ids::Guid::parse(t.trim()));
    let id_text = present(record.id.as_ref());
    let scope_text = present(record.directory_scope_id.as_ref());
    let prefix = match kind {
        DirectoryGrantKind::DirectoryRole => "d",
        DirectoryGrantKind::AppRole => "a",
    };
    let key = match id_text {
        Some(id) => format!("{prefix}:id:{}", id.to_ascii_lowercase()),
        None => format!(
            "{prefix}:t:{principal_id}|{}|{}",
            role_text.to_ascii_lowercase(),
            match kind {
                DirectoryGrantKind::DirectoryRole => scope_text.unwrap_or("/").to_ascii_lowercase(),
                DirectoryGrantKind::AppRole =>
                    resource_id.map(|g| g.canonical()).unwrap_or_else(|| {
                        present(record.resource_display_name.as_ref())
                            .unwrap_or("")
                            .to_ascii_lowercase()
                    }),
            }
        ),
    };
    let principal = record.principal.as_ref();
    let principal_type = record
        .principal_type
        .as_ref()
        .or_else(|| principal.and_then(|p| p.odata_type.as_ref()));
    let principal_name = record
        .principal_display_name
        .as_ref()
        .or_else(|| principal.and_then(|p| p.display_name.as_ref()));
    let raw = RawDirectoryGrant {
        kind,
        id: id_text.map(|t| ctx.strings.intern(t)),
        principal_id,
        principal_type: ctx.sym(principal_type),
        principal_name: ctx.sym(principal_name),
        role_id,
        role_id_text: role_id.is_none().then(|| ctx.strings.intern(role_text)),
        template_id,
        role_name: ctx.sym(
            record
                .role_definition
                .as_ref()
                .and_then(|r| r.display_name.as_ref()),
        ),
        directory_scope: scope_text.map(|t| ctx.strings.intern(t)),
        resource_id,
        resource_name: ctx.sym(record.resource_display_name.as_ref()),
        created,
        prov: ctx.prov,
    };
    let prov = ctx.prov;
    ctx.store.directory_grants.add(Some(key), raw, prov)
}
