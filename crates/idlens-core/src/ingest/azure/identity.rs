//! User-assigned managed identities: `az identity list` (flattened), ARM REST / `az rest` (`properties`),
//! `Get-AzUserAssignedIdentity` (PascalCase) and Resource Graph rows of that type (FORMATS.md §1).

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Deserialize;

use crate::ids::parse_arm_path;
use crate::ingest::raw::{Ctx, Outcome, RawUami, guid_key, id_key};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Record<'a> {
    #[serde(borrow, default, alias = "Id")]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "Name")]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "Location")]
    location: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "ResourceGroupName")]
    resource_group: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    subscription_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "ClientId")]
    client_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "PrincipalId")]
    principal_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "TenantId")]
    tenant_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "Tags")]
    tags: Option<BTreeMap<Cow<'a, str>, Option<Cow<'a, str>>>>,
    #[serde(borrow, default)]
    system_data: Option<SystemData<'a>>,
    #[serde(borrow, default)]
    properties: Option<Box<Record<'a>>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct SystemData<'a> {
    #[serde(borrow, default)]
    created_at: Option<Cow<'a, str>>,
}

pub(crate) fn read(text: &str, ctx: &mut Ctx<'_>) -> Outcome {
    let record: Record<'_> = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(err) => {
            return Outcome::SetAside(format!("not a user-assigned identity record: {err}"));
        }
    };
    apply(record, ctx)
}

/// Turn a record, read by [`read`] or in one pass ([`crate::ingest::raw::direct`]), into what the snapshot keeps.
pub(crate) fn apply(record: Record<'_>, ctx: &mut Ctx<'_>) -> Outcome {
    let resource_id = ctx.sym(record.id.as_ref());
    let principal_id = ctx.guid(pick!(record, principal_id));
    if resource_id.is_none() && principal_id.is_none() {
        return Outcome::SetAside("user-assigned identity without `id` or `principalId`".into());
    }
    let (subscription, resource_group) = match record.id.as_deref() {
        Some(id) => {
            let (_, path) = parse_arm_path(id);
            (
                path.subscription.map(|s| ctx.strings.intern(s)),
                path.resource_group.map(|s| ctx.strings.intern(s)),
            )
        }
        None => (None, None),
    };
    let created = record
        .system_data
        .as_ref()
        .and_then(|s| s.created_at.as_ref())
        .cloned();
    let raw = RawUami {
        resource_id,
        name: ctx.sym(record.name.as_ref()),
        resource_group: ctx.sym(record.resource_group.as_ref()).or(resource_group),
        subscription: ctx.sym(record.subscription_id.as_ref()).or(subscription),
        location: ctx.sym(record.location.as_ref()),
        tenant_id: ctx.guid(pick!(record, tenant_id)),
        principal_id,
        client_id: ctx.guid(pick!(record, client_id)),
        tags: ctx.tags(record.tags.as_ref()),
        created: ctx.time(created.as_ref()),
        prov: ctx.prov,
    };
    let key = id_key(ctx.strings, raw.resource_id).or_else(|| guid_key("p:", raw.principal_id));
    let prov = ctx.prov;
    ctx.store.uamis.add(key, raw, prov)
}

/// Whether a resource type (any casing) is a user-assigned identity.
pub(crate) fn is_uami_type(resource_type: &str) -> bool {
    crate::ids::same_ignoring_ascii_case(
        crate::ids::trim_end_slashes(crate::ids::trim(resource_type)).as_bytes(),
        crate::ingest::detect::UAMI_TYPE.as_bytes(),
    )
}
