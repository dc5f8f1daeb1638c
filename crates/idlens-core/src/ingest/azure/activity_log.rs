//! The Azure activity log (`az monitor activity-log list --offset 90d`, or the ARM REST
//! `Microsoft.Insights/eventtypes/management/values` pages): the control-plane operations each principal performed,
//! read to tell whether a role assignment is exercised (NHI-P-007).
//!
//! Who acted comes from the claims (`http://schemas.microsoft.com/identity/claims/objectidentifier` = the service
//! principal's object id, `appid` = its client id), else from `caller` (a UPN for people, a GUID for service
//! principals). What was done is `authorization.action` (else `operationName.value`), where is `authorization.scope`
//! (else `resourceId`). The log holds writes, deletes and actions, never reads: a read-only role cannot be judged
//! from it.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Deserialize;

use crate::ingest::raw::{Ctx, Outcome, RawOperation};

const OID_CLAIM: &str = "http://schemas.microsoft.com/identity/claims/objectidentifier";

#[derive(Deserialize, Default)]
struct Authorization<'a> {
    #[serde(borrow, default)]
    action: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    scope: Option<Cow<'a, str>>,
}

/// `operationName` and `status` are localizable strings (`{"value", "localizedValue"}`); some tools flatten them.
#[derive(Deserialize)]
#[serde(untagged)]
enum Localizable<'a> {
    Object {
        #[serde(borrow, default)]
        value: Option<Cow<'a, str>>,
    },
    #[serde(borrow)]
    Text(Cow<'a, str>),
}

impl Localizable<'_> {
    fn value(&self) -> Option<&str> {
        match self {
            Localizable::Object { value } => value.as_deref(),
            Localizable::Text(t) => Some(t),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Record<'a> {
    #[serde(borrow, default)]
    event_data_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    event_timestamp: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    caller: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    claims: Option<BTreeMap<Cow<'a, str>, Option<Cow<'a, str>>>>,
    #[serde(borrow, default)]
    authorization: Option<Authorization<'a>>,
    #[serde(borrow, default)]
    operation_name: Option<Localizable<'a>>,
    #[serde(borrow, default)]
    resource_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    status: Option<Localizable<'a>>,
    #[serde(borrow, default)]
    subscription_id: Option<Cow<'a, str>>,
}

pub(crate) fn read(text: &str, ctx: &mut Ctx<'_>) -> Outcome {
    let record: Record<'_> = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(err) => {
            return Outcome::SetAside(format!(
                "not an activity log event (expected a string `eventTimestamp`, `caller`, an object `claims` of \
                 strings, `authorization` {{`action`, `scope`}} and `operationName` {{`value`}}): {err}"
            ));
        }
    };
    apply(record, ctx)
}

/// Turn a record, read by [`read`] or in one pass ([`crate::ingest::raw::direct`]), into what the snapshot keeps.
pub(crate) fn apply(record: Record<'_>, ctx: &mut Ctx<'_>) -> Outcome {
    let Some(at) = ctx.time(record.event_timestamp.as_ref()) else {
        return Outcome::SetAside(
            "activity log event without a readable `eventTimestamp`: it cannot be placed in time"
                .into(),
        );
    };
    let auth = record.authorization.as_ref();
    let action_text = auth
        .and_then(|a| a.action.as_deref())
        .or_else(|| record.operation_name.as_ref().and_then(Localizable::value))
        .map(str::trim)
        .filter(|a| !a.is_empty());
    let scope_text = auth
        .and_then(|a| a.scope.as_deref())
        .or(record.resource_id.as_deref())
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let (Some(action_text), Some(scope_text)) = (action_text, scope_text) else {
        return Outcome::SetAside(
            "activity log event without `authorization.action` (or `operationName.value`) and \
             `authorization.scope` (or `resourceId`): it says nothing about a permission"
                .into(),
        );
    };
    let claim = |name: &str| {
        record
            .claims
            .as_ref()
            .and_then(|c| c.get(name))
            .and_then(|v| v.as_ref())
    };
    let object_id = ctx.guid(claim(OID_CLAIM));
    let app_id = crate::ids::Guid::parse(claim("appid").map_or("", |v| v.trim()));
    let caller = record.caller.as_deref().map(str::trim).unwrap_or("");
    let caller_guid = crate::ids::Guid::parse(caller);
    if object_id.is_none() && app_id.is_none() && caller_guid.is_none() && caller.is_empty() {
        return Outcome::SetAside(
            "activity log event without a `caller` or identity claims: it cannot be tied to a principal".into(),
        );
    }
    let failed = record
        .status
        .as_ref()
        .and_then(Localizable::value)
        .is_some_and(|s| s.trim().eq_ignore_ascii_case("failed"));
    let raw = RawOperation {
        object_id,
        app_id,
        caller_guid,
        action: ctx.strings.intern(action_text),
        scope: ctx.strings.intern(scope_text),
        subscription: ctx.sym(record.subscription_id.as_ref()),
        at,
        failed,
        prov: ctx.prov,
    };
    let key = record
        .event_data_id
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| format!("event:{}", k.to_ascii_lowercase()));
    ctx.store.operations.add(key, raw, ctx.prov)
}
