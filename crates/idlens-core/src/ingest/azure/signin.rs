//! Graph beta `reports/servicePrincipalSignInActivities`: last sign-in per kind, keyed by `appId` (= a managed
//! identity's `clientId`) (FORMATS.md §6). Doc samples carry invalid `-8:00` offsets; they are read with a warning.

use std::borrow::Cow;

use serde::Deserialize;

use crate::ingest::raw::{Ctx, Outcome, RawActivity};

/// A Graph sign-in activity object (`{lastSignInDateTime, lastSignInRequestId}`); also used by the per-credential
/// report.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct SignIn<'a> {
    #[serde(borrow, default)]
    pub(super) last_sign_in_date_time: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Record<'a> {
    #[serde(borrow, default)]
    app_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    last_sign_in_activity: Option<SignIn<'a>>,
    #[serde(borrow, default)]
    application_authentication_client_sign_in_activity: Option<SignIn<'a>>,
    #[serde(borrow, default)]
    application_authentication_resource_sign_in_activity: Option<SignIn<'a>>,
    #[serde(borrow, default)]
    delegated_client_sign_in_activity: Option<SignIn<'a>>,
    #[serde(borrow, default)]
    delegated_resource_sign_in_activity: Option<SignIn<'a>>,
}

pub(crate) fn read(text: &str, ctx: &mut Ctx<'_>) -> Outcome {
    let record: Record<'_> = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(err) => return Outcome::SetAside(format!("not a sign-in activity record: {err}")),
    };
    apply(record, ctx)
}

/// Turn a record, read by [`read`] or in one pass ([`crate::ingest::raw::direct`]), into what the snapshot keeps.
pub(crate) fn apply(record: Record<'_>, ctx: &mut Ctx<'_>) -> Outcome {
    let Some(app_id) = ctx.guid(record.app_id.as_ref()) else {
        return Outcome::SetAside("sign-in activity without a GUID `appId`".into());
    };
    let mut time = |s: &Option<SignIn<'_>>| {
        ctx.time(s.as_ref().and_then(|s| s.last_sign_in_date_time.as_ref()))
    };
    let raw = RawActivity {
        app_id,
        last: time(&record.last_sign_in_activity),
        app_client: time(&record.application_authentication_client_sign_in_activity),
        app_resource: time(&record.application_authentication_resource_sign_in_activity),
        delegated_client: time(&record.delegated_client_sign_in_activity),
        delegated_resource: time(&record.delegated_resource_sign_in_activity),
        prov: ctx.prov,
    };
    let prov = ctx.prov;
    ctx.store
        .activity
        .add(crate::ingest::raw::guid_key("a:", Some(app_id)), raw, prov)
}
