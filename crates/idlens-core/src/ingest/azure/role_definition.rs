//! Role definitions: `az role definition list` (flattened, `roleType`), ARM REST (`properties.type`), and
//! `Get-AzRoleDefinition` (PascalCase, actions at the top, `IsCustom`) (FORMATS.md §3). `permissions` is an array;
//! its elements are unioned.

use std::borrow::Cow;

use serde::Deserialize;

use crate::ids::Guid;
use crate::ingest::raw::{Ctx, Outcome, RawRoleDefinition, guid_key};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Permission<'a> {
    #[serde(borrow, default, alias = "Actions")]
    actions: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow, default, alias = "NotActions")]
    not_actions: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow, default, alias = "DataActions")]
    data_actions: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow, default, alias = "NotDataActions")]
    not_data_actions: Option<Vec<Cow<'a, str>>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Record<'a> {
    #[serde(borrow, default, alias = "Id")]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "Name")]
    role_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    role_type: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "type")]
    kind: Option<Cow<'a, str>>,
    #[serde(default, alias = "IsCustom")]
    is_custom: Option<bool>,
    #[serde(borrow, default, alias = "Description")]
    description: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "AssignableScopes")]
    assignable_scopes: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow, default)]
    permissions: Option<Vec<Permission<'a>>>,
    /// PowerShell puts the action lists at the top.
    #[serde(borrow, flatten)]
    top: Permission<'a>,
    #[serde(borrow, default)]
    properties: Option<Box<Record<'a>>>,
}

pub(crate) fn read(text: &str, ctx: &mut Ctx<'_>) -> Outcome {
    let record: Record<'_> = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(err) => return Outcome::SetAside(format!("not a role definition record: {err}")),
    };
    apply(record, ctx)
}

/// Turn a record, read by [`read`] or in one pass ([`crate::ingest::raw::direct`]), into what the snapshot keeps.
pub(crate) fn apply(record: Record<'_>, ctx: &mut Ctx<'_>) -> Outcome {
    let inner = record.properties.as_deref();
    let role_name = pick!(record, role_name);
    let guid = record
        .name
        .as_deref()
        .and_then(Guid::parse)
        .or_else(|| record.id.as_deref().and_then(Guid::trailing));
    if guid.is_none() && role_name.is_none() {
        return Outcome::SetAside("role definition without a GUID id or `roleName`".into());
    }
    let role_type = record
        .role_type
        .as_deref()
        .or_else(|| inner.and_then(|p| p.kind.as_deref().or(p.role_type.as_deref())));
    let custom = record
        .is_custom
        .or_else(|| role_type.map(|t| t.eq_ignore_ascii_case("CustomRole")));
    let mut raw = RawRoleDefinition {
        guid,
        id: ctx.sym(record.id.as_ref()),
        name: ctx.sym(role_name),
        description: ctx.sym(pick!(record, description)),
        custom,
        actions: Vec::new(),
        not_actions: Vec::new(),
        data_actions: Vec::new(),
        not_data_actions: Vec::new(),
        assignable_scopes: ctx.syms(pick!(record, assignable_scopes)),
        prov: ctx.prov,
    };
    let nested = inner.and_then(|p| p.permissions.as_ref());
    let permissions = record.permissions.iter().chain(nested).flatten();
    for permission in permissions.chain([&record.top]) {
        raw.actions.extend(ctx.syms(permission.actions.as_ref()));
        raw.not_actions
            .extend(ctx.syms(permission.not_actions.as_ref()));
        raw.data_actions
            .extend(ctx.syms(permission.data_actions.as_ref()));
        raw.not_data_actions
            .extend(ctx.syms(permission.not_data_actions.as_ref()));
    }
    let key = guid_key("g:", guid)
        .or_else(|| role_name.map(|n| format!("n:{}", n.trim().to_ascii_lowercase())));
    let prov = ctx.prov;
    ctx.store.role_definitions.add(key, raw, prov)
}
