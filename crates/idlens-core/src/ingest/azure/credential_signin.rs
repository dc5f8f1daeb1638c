//! Graph beta `reports/appCredentialSignInActivities` (`appCredentialSignInActivity`): the last sign-in of each
//! application credential, keyed by `keyId` and the object that holds it (`credentialOrigin` `application` →
//! `appObjectId`, `servicePrincipal` → `servicePrincipalObjectId`; `appId` as a fall-back). One record per credential
//! and accessed resource (`resourceId`): records of the same credential merge, keeping the latest sign-in.
//!
//! Every field is optional (`$select`); unknown fields are ignored. The Graph documentation's examples say
//! `expirationDate` where the resource type says `expirationDateTime` (both are read) and carry invalid `-8:00`
//! offsets (read with a warning, as for the per-app report).

use std::borrow::Cow;

use serde::Deserialize;

use crate::ids::Guid;
use crate::ingest::raw::{Ctx, Outcome, RawCredentialActivity};
use crate::model::CredentialHolder;

use super::signin::SignIn;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Record<'a> {
    #[serde(borrow, default)]
    key_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    key_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    credential_origin: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    app_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    app_object_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    service_principal_object_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "expirationDate")]
    expiration_date_time: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    sign_in_activity: Option<SignIn<'a>>,
}

fn origin(text: Option<&str>) -> Option<CredentialHolder> {
    match text?.trim() {
        t if t.eq_ignore_ascii_case("application") => Some(CredentialHolder::Application),
        t if t.eq_ignore_ascii_case("servicePrincipal") => Some(CredentialHolder::ServicePrincipal),
        _ => None,
    }
}

pub(crate) fn read(text: &str, ctx: &mut Ctx<'_>) -> Outcome {
    let record: Record<'_> = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(err) => {
            return Outcome::SetAside(format!(
                "not a credential sign-in activity record (expected string fields `keyId`, `credentialOrigin`, \
                 `appObjectId`, `servicePrincipalObjectId` and an object `signInActivity`): {err}"
            ));
        }
    };
    apply(record, ctx)
}

/// Turn a record, read by [`read`] or in one pass ([`crate::ingest::raw::direct`]), into what the snapshot keeps.
pub(crate) fn apply(record: Record<'_>, ctx: &mut Ctx<'_>) -> Outcome {
    let key_text = record.key_id.as_deref().map(str::trim).unwrap_or("");
    if key_text.is_empty() {
        return Outcome::SetAside(
            "credential sign-in activity without a `keyId`: it cannot be matched to a credential"
                .into(),
        );
    }
    let Some(key_id) = Guid::parse(key_text) else {
        let shown: String = key_text.chars().take(80).collect();
        return Outcome::SetAside(format!(
            "credential sign-in activity whose `keyId` is not a GUID (`{shown}`): it cannot be matched to a credential"
        ));
    };
    let raw = RawCredentialActivity {
        key_id,
        origin: origin(record.credential_origin.as_deref()),
        app_id: ctx.guid(record.app_id.as_ref()),
        app_object_id: ctx.guid(record.app_object_id.as_ref()),
        sp_object_id: ctx.guid(record.service_principal_object_id.as_ref()),
        key_type: ctx.sym(record.key_type.as_ref()),
        last: ctx.time(
            record
                .sign_in_activity
                .as_ref()
                .and_then(|s| s.last_sign_in_date_time.as_ref()),
        ),
        expires: ctx.time(record.expiration_date_time.as_ref()),
        prov: ctx.prov,
    };
    let owner = match raw.origin {
        Some(CredentialHolder::Application) => raw.app_object_id.or(raw.app_id),
        Some(CredentialHolder::ServicePrincipal) => raw.sp_object_id.or(raw.app_id),
        None => raw.app_id,
    };
    let origin_key = match raw.origin {
        Some(CredentialHolder::Application) => "app",
        Some(CredentialHolder::ServicePrincipal) => "sp",
        None => "-",
    };
    let key = match owner {
        Some(owner) => format!("k:{origin_key}:{owner}:{key_id}"),
        None => format!("k:{origin_key}:-:{key_id}"),
    };
    let prov = ctx.prov;
    ctx.store
        .credential_activity
        .add_merging(Some(key), raw, prov, |kept, more| {
            kept.last = kept.last.max(more.last);
            kept.app_id = kept.app_id.or(more.app_id);
            kept.app_object_id = kept.app_object_id.or(more.app_object_id);
            kept.sp_object_id = kept.sp_object_id.or(more.sp_object_id);
            kept.key_type = kept.key_type.or(more.key_type);
            kept.expires = kept.expires.or(more.expires);
        })
}
