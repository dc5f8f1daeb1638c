//! Service principals: Microsoft Graph v1.0 (`az ad sp list`, raw Graph pages) and the AAD Graph era (`objectId`,
//! `startDate`/`endDate`) (FORMATS.md §4). Also the credential and owner shapes applications share.
//!
//! Managed identities' `keyCredentials` are platform-managed certificates and are dropped here, never recorded as
//! credentials.

use std::borrow::Cow;

use serde::Deserialize;

use crate::ingest::raw::{
    Ctx, Outcome, RawCredential, RawServicePrincipal, guid_key, merge_credentials,
};
use crate::model::{self, CredentialKind};

/// `keyCredentials[]` (certificates) and `passwordCredentials[]` (secrets) of Graph and AAD Graph.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GraphCredential<'a> {
    #[serde(borrow, default)]
    display_name: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "startDate")]
    start_date_time: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "endDate")]
    end_date_time: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    key_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "type")]
    key_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    usage: Option<Cow<'a, str>>,
}

/// `owners` when expanded (`$expand=owners`): directory objects.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Owner<'a> {
    #[serde(borrow, default, rename = "@odata.type")]
    odata_type: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "objectId")]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    display_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    user_principal_name: Option<Cow<'a, str>>,
    /// AAD Graph era: `User`, `ServicePrincipal`.
    #[serde(borrow, default)]
    object_type: Option<Cow<'a, str>>,
}

pub(crate) fn credentials(
    ctx: &mut Ctx<'_>,
    keys: Option<&Vec<GraphCredential<'_>>>,
    passwords: Option<&Vec<GraphCredential<'_>>>,
) -> Vec<RawCredential> {
    let mut out = Vec::new();
    let all = keys
        .into_iter()
        .flatten()
        .map(|c| (CredentialKind::Certificate, c));
    let all = all.chain(
        passwords
            .into_iter()
            .flatten()
            .map(|c| (CredentialKind::Secret, c)),
    );
    for (kind, c) in all {
        out.push(RawCredential {
            kind,
            key_type: ctx.sym(c.key_type.as_ref()),
            usage: ctx.sym(c.usage.as_ref()),
            start: ctx.time(c.start_date_time.as_ref()),
            end: ctx.time(c.end_date_time.as_ref()),
            key_id: ctx.guid(c.key_id.as_ref()),
            display_name: ctx.sym(c.display_name.as_ref()),
        });
    }
    out
}

pub(crate) fn owners(ctx: &mut Ctx<'_>, owners: Option<&Vec<Owner<'_>>>) -> Vec<model::Owner> {
    owners
        .into_iter()
        .flatten()
        .filter_map(|o| {
            let name = ctx.sym(o.user_principal_name.as_ref().or(o.display_name.as_ref()));
            let id = ctx.guid(o.id.as_ref());
            let kind_text = o
                .odata_type
                .as_deref()
                .or(o.object_type.as_deref())
                .unwrap_or("");
            let kind_text = kind_text.trim().trim_start_matches("#microsoft.graph.");
            let kind = match kind_text.to_ascii_lowercase().as_str() {
                "user" => model::OwnerKind::User,
                "serviceprincipal" => model::OwnerKind::ServicePrincipal,
                "group" => model::OwnerKind::Group,
                _ => model::OwnerKind::Unknown,
            };
            (name.is_some() || id.is_some()).then_some(model::Owner { id, name, kind })
        })
        .collect()
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Record<'a> {
    #[serde(borrow, default, alias = "objectId")]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    app_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    display_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    app_display_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    service_principal_type: Option<Cow<'a, str>>,
    #[serde(default)]
    account_enabled: Option<bool>,
    #[serde(borrow, default)]
    alternative_names: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow, default, alias = "appOwnerTenantId")]
    app_owner_organization_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    created_date_time: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    key_credentials: Option<Vec<GraphCredential<'a>>>,
    #[serde(borrow, default)]
    password_credentials: Option<Vec<GraphCredential<'a>>>,
    #[serde(borrow, default)]
    owners: Option<Vec<Owner<'a>>>,
}

/// `isExplicit=True|False` and the `/subscriptions/…` entry of `alternativeNames`, matched by prefix, never by
/// position.
fn alternative_names<'n>(names: &'n [Cow<'_, str>]) -> (Option<bool>, Option<&'n str>) {
    let mut explicit = None;
    let mut resource = None;
    for name in names {
        let name = name.trim();
        if let Some(value) = name
            .get(..11)
            .filter(|p| p.eq_ignore_ascii_case("isExplicit="))
            .and_then(|_| name.get(11..))
        {
            explicit = match value.trim().to_ascii_lowercase().as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => explicit,
            };
        } else if name
            .get(..15)
            .is_some_and(|p| p.eq_ignore_ascii_case("/subscriptions/"))
        {
            resource = resource.or(Some(name));
        }
    }
    (explicit, resource)
}

pub(crate) fn read(text: &str, ctx: &mut Ctx<'_>) -> Outcome {
    let record: Record<'_> = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(err) => return Outcome::SetAside(format!("not a service principal record: {err}")),
    };
    apply(record, ctx)
}

/// Turn a record, read by [`read`] or in one pass ([`crate::ingest::raw::direct`]), into what the snapshot keeps.
pub(crate) fn apply(record: Record<'_>, ctx: &mut Ctx<'_>) -> Outcome {
    let object_id = ctx.guid(record.id.as_ref());
    let app_id = ctx.guid(record.app_id.as_ref());
    if object_id.is_none() && app_id.is_none() {
        return Outcome::SetAside("service principal without a GUID `id` or `appId`".into());
    }
    let (explicit, alt_resource) =
        alternative_names(record.alternative_names.as_deref().unwrap_or_default());
    let managed = record
        .service_principal_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("ManagedIdentity"));
    // Platform-managed certificates of managed identities are not user credentials.
    let credentials = if managed || explicit.is_some() {
        Vec::new()
    } else {
        credentials(
            ctx,
            record.key_credentials.as_ref(),
            record.password_credentials.as_ref(),
        )
    };
    let raw = RawServicePrincipal {
        object_id,
        app_id,
        display_name: ctx.sym(
            record
                .display_name
                .as_ref()
                .or(record.app_display_name.as_ref()),
        ),
        sp_type: ctx.sym(record.service_principal_type.as_ref()),
        enabled: record.account_enabled,
        explicit,
        alt_resource: alt_resource.map(|r| ctx.strings.intern(r)),
        app_owner_org: ctx.guid(record.app_owner_organization_id.as_ref()),
        created: ctx.time(record.created_date_time.as_ref()),
        credentials,
        owners: owners(ctx, record.owners.as_ref()),
        prov: ctx.prov,
    };
    let key = guid_key("o:", object_id).or_else(|| guid_key("a:", app_id));
    let prov = ctx.prov;
    ctx.store
        .service_principals
        .add_merging(key, raw, prov, |kept, dup| {
            merge_credentials(&mut kept.credentials, dup.credentials);
            kept.display_name = kept.display_name.or(dup.display_name);
            kept.enabled = kept.enabled.or(dup.enabled);
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternative_names_by_prefix_not_position() {
        let names: Vec<Cow<'_, str>> = vec![
            "/subscriptions/s/resourcegroups/VM/providers/x/y/VM2".into(),
            "isExplicit=False".into(),
        ];
        assert_eq!(
            alternative_names(&names),
            (
                Some(false),
                Some("/subscriptions/s/resourcegroups/VM/providers/x/y/VM2")
            )
        );
        let names: Vec<Cow<'_, str>> = vec!["ISEXPLICIT=true".into()];
        assert_eq!(alternative_names(&names), (Some(true), None));
        let names: Vec<Cow<'_, str>> = vec!["é".into(), "isExplicit".into(), "".into()];
        assert_eq!(alternative_names(&names), (None, None));
    }
}
