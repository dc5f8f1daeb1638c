//! Resources with an `identity` block: Resource Graph rows (`az graph query`, REST, portal CSV via
//! [`crate::ingest::csv`]) and plain ARM resources (FORMATS.md §5). A row of type
//! `Microsoft.ManagedIdentity/userAssignedIdentities` is read as a user-assigned identity instead.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Deserialize;

use crate::ids::{fold, parse_arm_path};
use crate::ingest::raw::{Ctx, Outcome, RawIdentityRef, RawResource};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct UserAssignedValue<'a> {
    #[serde(borrow, default)]
    client_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    principal_id: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct IdentityBlock<'a> {
    #[serde(borrow, default, rename = "type")]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    principal_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    tenant_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    user_assigned_identities: Option<BTreeMap<Cow<'a, str>, Option<UserAssignedValue<'a>>>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Kubelet<'a> {
    #[serde(borrow, default)]
    resource_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    client_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    object_id: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
struct IdentityProfile<'a> {
    #[serde(borrow, default, alias = "kubeletIdentity")]
    kubeletidentity: Option<Kubelet<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Properties<'a> {
    #[serde(borrow, default)]
    identity_profile: Option<IdentityProfile<'a>>,
    #[serde(borrow, default)]
    oidc_issuer_profile: Option<OidcIssuerProfile<'a>>,
    #[serde(borrow, default)]
    service_principal_profile: Option<ServicePrincipalProfile<'a>>,
}

/// AKS `servicePrincipalProfile`: `clientId` is `msi` for a cluster with a managed identity, else the appId of the
/// app registration the cluster signs in as (with a secret).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ServicePrincipalProfile<'a> {
    #[serde(borrow, default)]
    client_id: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
struct OidcIssuerProfile<'a> {
    #[serde(borrow, default, rename = "issuerURL", alias = "issuerUrl")]
    issuer_url: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Record<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "type")]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    location: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    resource_group: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    subscription_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    tags: Option<BTreeMap<Cow<'a, str>, Option<Cow<'a, str>>>>,
    #[serde(borrow, default)]
    identity: Option<IdentityBlock<'a>>,
    #[serde(borrow, default)]
    properties: Option<Properties<'a>>,
}

/// Only the `type`, to route user-assigned identity rows.
#[derive(Deserialize)]
struct TypeOnly<'a> {
    #[serde(borrow, default, rename = "type")]
    kind: Option<Cow<'a, str>>,
}

pub(crate) fn read(text: &str, ctx: &mut Ctx<'_>) -> Outcome {
    // One serde pass for the common case; a user-assigned identity row (its `type` says so) is read as an identity,
    // also when its shape is not a resource's.
    let record: Record<'_> = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(err) => {
            if let Ok(TypeOnly { kind: Some(kind) }) = serde_json::from_str::<TypeOnly<'_>>(text)
                && super::identity::is_uami_type(&kind)
            {
                return super::identity::read(text, ctx);
            }
            return Outcome::SetAside(format!("not a resource record: {err}"));
        }
    };
    apply(record, text, ctx)
}

/// [`read`] for the record at the start of `text`, read by serde without framing it first
/// ([`crate::ingest::raw::first`]): the outcome and what the record spans, or `None` to leave it to [`read`].
pub(crate) fn read_direct(
    text: &str,
    ctx: &mut Ctx<'_>,
) -> Option<(Outcome, crate::ingest::flat::Span)> {
    let (record, whole) = crate::ingest::raw::first(text)?;
    Some((
        apply(record, whole, ctx),
        crate::ingest::raw::span_of(whole),
    ))
}

/// A resource row already read; `text` is its JSON, read again as an identity when the row is one.
fn apply(record: Record<'_>, text: &str, ctx: &mut Ctx<'_>) -> Outcome {
    if record
        .kind
        .as_deref()
        .is_some_and(super::identity::is_uami_type)
    {
        return super::identity::read(text, ctx);
    }
    let Some(id_text) = record
        .id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    else {
        return Outcome::SetAside("resource without `id`".into());
    };
    let (_, path) = parse_arm_path(id_text);
    let subscription = path.subscription.map(|s| ctx.strings.intern(s));
    let resource_group = path.resource_group.map(|s| ctx.strings.intern(s));
    let id = ctx.strings.intern(id_text);
    let identity = record.identity.as_ref();
    let mut user_assigned = Vec::new();
    for (key, value) in identity
        .and_then(|i| i.user_assigned_identities.as_ref())
        .into_iter()
        .flatten()
    {
        let value = value.as_ref();
        user_assigned.push(RawIdentityRef {
            resource_id: ctx.sym(Some(key)),
            client_id: ctx.guid(value.and_then(|v| v.client_id.as_ref())),
            principal_id: ctx.guid(value.and_then(|v| v.principal_id.as_ref())),
        });
    }
    let kubelet = record
        .properties
        .as_ref()
        .and_then(|p| p.identity_profile.as_ref())
        .and_then(|p| p.kubeletidentity.as_ref());
    let kubelet = kubelet.map(|k| RawIdentityRef {
        resource_id: ctx.sym(k.resource_id.as_ref()),
        client_id: ctx.guid(k.client_id.as_ref()),
        principal_id: ctx.guid(k.object_id.as_ref()),
    });
    let raw = RawResource {
        id,
        resource_type: ctx.sym(record.kind.as_ref()),
        name: ctx.sym(record.name.as_ref()),
        subscription: ctx.sym(record.subscription_id.as_ref()).or(subscription),
        resource_group: ctx.sym(record.resource_group.as_ref()).or(resource_group),
        location: ctx.sym(record.location.as_ref()),
        tags: ctx.tags(record.tags.as_ref()),
        identity_type: ctx.sym(identity.and_then(|i| i.kind.as_ref())),
        system_principal: ctx.guid(identity.and_then(|i| i.principal_id.as_ref())),
        system_tenant: ctx.guid(identity.and_then(|i| i.tenant_id.as_ref())),
        user_assigned,
        kubelet: kubelet.filter(|k| {
            k.resource_id.is_some() || k.principal_id.is_some() || k.client_id.is_some()
        }),
        oidc_issuer: ctx.sym(
            record
                .properties
                .as_ref()
                .and_then(|p| p.oidc_issuer_profile.as_ref())
                .and_then(|o| o.issuer_url.as_ref()),
        ),
        app_credential: record
            .properties
            .as_ref()
            .and_then(|p| p.service_principal_profile.as_ref())
            .and_then(|p| p.client_id.as_deref())
            .filter(|c| !c.trim().eq_ignore_ascii_case("msi"))
            .and_then(|c| ctx.guid(Some(&Cow::Borrowed(c)))),
        prov: ctx.prov,
    };
    let prov = ctx.prov;
    ctx.store.resources.add(Some(fold(id_text)), raw, prov)
}
