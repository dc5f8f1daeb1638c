//! App registrations: Microsoft Graph `applications` (`az ad app list`) and the AAD Graph era. They carry most
//! user-managed secrets and certificates (FORMATS.md §4).

use std::borrow::Cow;

use serde::Deserialize;

use super::service_principal::{GraphCredential, Owner, credentials, owners};
use crate::ingest::raw::{Ctx, Outcome, RawApplication, guid_key, merge_credentials};

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
    created_date_time: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    key_credentials: Option<Vec<GraphCredential<'a>>>,
    #[serde(borrow, default)]
    password_credentials: Option<Vec<GraphCredential<'a>>>,
    #[serde(borrow, default)]
    owners: Option<Vec<Owner<'a>>>,
}

pub(crate) fn read(text: &str, ctx: &mut Ctx<'_>) -> Outcome {
    let record: Record<'_> = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(err) => return Outcome::SetAside(format!("not an application record: {err}")),
    };
    apply(record, ctx)
}

/// Turn a record, read by [`read`] or in one pass ([`crate::ingest::raw::direct`]), into what the snapshot keeps.
pub(crate) fn apply(record: Record<'_>, ctx: &mut Ctx<'_>) -> Outcome {
    let object_id = ctx.guid(record.id.as_ref());
    let app_id = ctx.guid(record.app_id.as_ref());
    if app_id.is_none() {
        return Outcome::SetAside("application without a GUID `appId`".into());
    }
    let raw = RawApplication {
        object_id,
        app_id,
        display_name: ctx.sym(record.display_name.as_ref()),
        created: ctx.time(record.created_date_time.as_ref()),
        credentials: credentials(
            ctx,
            record.key_credentials.as_ref(),
            record.password_credentials.as_ref(),
        ),
        owners: owners(ctx, record.owners.as_ref()),
        prov: ctx.prov,
    };
    let key = guid_key("a:", app_id);
    let prov = ctx.prov;
    ctx.store
        .applications
        .add_merging(key, raw, prov, |kept, dup| {
            merge_credentials(&mut kept.credentials, dup.credentials);
            kept.display_name = kept.display_name.or(dup.display_name);
            kept.object_id = kept.object_id.or(dup.object_id);
        })
}
