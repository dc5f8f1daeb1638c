//! Role assignments: `az role assignment list` (flattened, with the CLI's `principalName`/`roleDefinitionName`),
//! ARM REST (`properties`), and `Get-AzRoleAssignment` (PascalCase, `ObjectType: Unknown` for deleted principals)
//! (FORMATS.md §2).

use std::borrow::Cow;

use serde::Deserialize;

use crate::ids::Guid;
use crate::ingest::assignments::{AssignmentKey, RoleRef};
use crate::ingest::raw::{Ctx, Outcome};
use crate::model::{AssignmentId, Grant, GrantPrincipal, standard_assignment_guid};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Record<'a> {
    #[serde(borrow, default, alias = "RoleAssignmentId")]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "Scope")]
    scope: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "ObjectId")]
    principal_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "ObjectType")]
    principal_type: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "DisplayName")]
    principal_name: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "RoleDefinitionId")]
    role_definition_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "RoleDefinitionName")]
    role_definition_name: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "Condition")]
    condition: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "ConditionVersion")]
    condition_version: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    created_on: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    created_by: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    delegated_managed_identity_resource_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    properties: Option<Box<Record<'a>>>,
}

/// The scope part of a role assignment id (`<scope>/providers/Microsoft.Authorization/roleAssignments/<guid>`).
fn scope_of_assignment_id(id: &str) -> Option<&str> {
    const MARK: &str = "/providers/microsoft.authorization/roleassignments/";
    let at = id.to_ascii_lowercase().rfind(MARK)?;
    let scope = id.get(..at)?;
    Some(if scope.is_empty() { "/" } else { scope })
}

pub(crate) fn read(bytes: &[u8], ctx: &mut Ctx<'_>) -> Outcome {
    let record: Record<'_> = match serde_json::from_slice(bytes) {
        Ok(r) => r,
        Err(err) => return Outcome::SetAside(format!("not a role assignment record: {err}")),
    };
    let Some(principal_text) = pick!(record, principal_id).filter(|p| !p.trim().is_empty()) else {
        return Outcome::SetAside("role assignment without `principalId`".into());
    };
    let principal_id = ctx.guid(Some(principal_text));
    let role_definition_id = pick!(record, role_definition_id);
    let role_name = pick!(record, role_definition_name);
    if role_definition_id.is_none() && role_name.is_none() {
        return Outcome::SetAside(
            "role assignment without `roleDefinitionId` or `roleDefinitionName`".into(),
        );
    }
    let scope_text = pick!(record, scope)
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .or_else(|| record.id.as_deref().and_then(scope_of_assignment_id));
    let Some(scope_text) = scope_text else {
        return Outcome::SetAside(
            "role assignment without `scope` (and no scope in its `id`)".into(),
        );
    };
    // Read for their warnings even when the record turns out to be a duplicate.
    let created = ctx.time(pick!(record, created_on));
    let created_by = ctx.guid(pick!(record, created_by));
    let role_guid = role_definition_id.and_then(|r| Guid::trailing(r));
    let id_text = record
        .id
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let key = match id_text {
        Some(id) => AssignmentKey::Id(id),
        None => AssignmentKey::Triple(format!(
            "t:{}|{}|{}",
            principal_text.trim().to_ascii_lowercase(),
            role_guid.map_or_else(
                || role_name
                    .map(|n| n.trim())
                    .filter(|n| !n.is_empty())
                    .unwrap_or(scope_text)
                    .to_ascii_lowercase(),
                |g| g.to_string()
            ),
            crate::ids::fold(scope_text)
        )),
    };
    let prov = ctx.prov;
    if let Some(at) = ctx.store.assignments.find(ctx.strings, &key) {
        return ctx.store.assignments.merge(at, prov);
    }
    let role = RoleRef {
        guid: role_guid,
        name: ctx.sym(role_name),
        definition_id: ctx.sym(role_definition_id),
    };
    let role = ctx.store.assignments.role(role);
    let (scope, scope_level) = ctx.store.assignments.scope(ctx.strings, scope_text);
    let assignment_id = id_text.map(|text| {
        let stored_scope = ctx
            .store
            .assignments
            .scopes
            .get(scope as usize)
            .map_or("/", |s| ctx.strings.resolve(s.id));
        match standard_assignment_guid(text, stored_scope) {
            Some(guid) => AssignmentId::Standard(guid),
            None => AssignmentId::Text(ctx.strings.intern(text)),
        }
    });
    let grant = Grant {
        principal: GrantPrincipal::Unresolved,
        principal_id,
        principal_type: ctx.sym(pick!(record, principal_type)),
        principal_name: ctx.sym(pick!(record, principal_name)),
        role,
        scope,
        scope_level,
        condition: ctx.sym(pick!(record, condition)),
        condition_version: ctx.sym(pick!(record, condition_version)),
        assignment_id,
        created,
        created_by,
        delegated_managed_identity_resource_id: ctx
            .sym(pick!(record, delegated_managed_identity_resource_id)),
        tier: 0.0,
        provenance: vec![prov],
    };
    ctx.store.assignments.add(key, grant)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_from_id() {
        let id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments/x";
        assert_eq!(
            scope_of_assignment_id(id),
            Some("/subscriptions/s/resourceGroups/rg")
        );
        assert_eq!(
            scope_of_assignment_id("/providers/Microsoft.Authorization/roleAssignments/x"),
            Some("/")
        );
        assert_eq!(scope_of_assignment_id("garbage"), None);
        assert_eq!(
            scope_of_assignment_id("/İ/providers/microsoft.authorization/roleassignments/x"),
            Some("/İ")
        );
    }
}
