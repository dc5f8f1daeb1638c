//! Entra users and groups: Graph v1.0 `users` (`az ad user list`, or `az rest` with
//! `$select=id,displayName,userPrincipalName,mail,accountEnabled`) and `groups` (`az ad group list`). They are read
//! to tell whether the owners of apps and service principals, and the people named in owner tags, still exist and
//! are enabled (NHI-G-002).
//!
//! `accountEnabled` is not among Graph's default user properties: without `$select` it is absent, and then only a
//! deleted owner can be told, not a disabled one. The portal's "Download users" CSV writes it as `True`/`False`;
//! both that and a JSON boolean are read.

use std::borrow::Cow;

use serde::{Deserialize, Deserializer};

use crate::ingest::raw::{Ctx, Outcome, RawPrincipal, guid_key};
use crate::model::DirectoryPrincipalKind;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Record<'a> {
    #[serde(borrow, default, alias = "objectId")]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    display_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    user_principal_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    mail: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "lenient_bool")]
    account_enabled: Option<bool>,
    /// Set on records of `directory/deletedItems`: the object is gone.
    #[serde(borrow, default)]
    deleted_date_time: Option<Cow<'a, str>>,
}

/// A boolean written as JSON `true`/`false` or as text (`True`, `false`); anything else is "not known".
fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag<'a> {
        Bool(bool),
        #[serde(borrow)]
        Text(Cow<'a, str>),
    }
    Ok(match Option::<Flag<'_>>::deserialize(d)? {
        Some(Flag::Bool(b)) => Some(b),
        Some(Flag::Text(t)) if t.trim().eq_ignore_ascii_case("true") => Some(true),
        Some(Flag::Text(t)) if t.trim().eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    })
}

/// What a record of `kind` is called in messages.
fn what(kind: DirectoryPrincipalKind) -> &'static str {
    match kind {
        DirectoryPrincipalKind::User => "user",
        DirectoryPrincipalKind::Group => "group",
    }
}

pub(crate) fn read(kind: DirectoryPrincipalKind, text: &str, ctx: &mut Ctx<'_>) -> Outcome {
    let what = what(kind);
    let record: Record<'_> = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(err) => {
            return Outcome::SetAside(format!(
                "not a {what} record (expected string fields `id`, `displayName`, `userPrincipalName`, `mail` and a \
                 boolean `accountEnabled`): {err}"
            ));
        }
    };
    apply(kind, record, ctx)
}

/// Turn a record, read by [`read`] or in one pass ([`crate::ingest::raw::direct`]), into what the snapshot keeps.
pub(crate) fn apply(
    kind: DirectoryPrincipalKind,
    record: Record<'_>,
    ctx: &mut Ctx<'_>,
) -> Outcome {
    let what = what(kind);
    if record
        .deleted_date_time
        .as_deref()
        .is_some_and(|t| !t.trim().is_empty())
    {
        return Outcome::SetAside(format!(
            "deleted {what} (`deletedDateTime` is set): an owner that is only among deleted items counts as gone"
        ));
    }
    let id = ctx.guid(record.id.as_ref());
    let user_principal_name = ctx.sym(record.user_principal_name.as_ref());
    if id.is_none() && user_principal_name.is_none() {
        return Outcome::SetAside(format!(
            "{what} without an `id` (or `userPrincipalName`): it cannot be matched to an owner"
        ));
    }
    let raw = RawPrincipal {
        kind,
        id,
        display_name: ctx.sym(record.display_name.as_ref()),
        user_principal_name,
        mail: ctx.sym(record.mail.as_ref()),
        enabled: record.account_enabled,
        prov: ctx.prov,
    };
    let key = guid_key("principal:", id).or_else(|| {
        user_principal_name.map(|u| format!("upn:{}", ctx.strings.resolve(u).to_ascii_lowercase()))
    });
    ctx.store
        .principals
        .add_merging(key, raw, ctx.prov, |kept, more| {
            // A second export of the same object (say one with `$select=accountEnabled`) fills what the first lacked.
            kept.enabled = kept.enabled.or(more.enabled);
            kept.display_name = kept.display_name.or(more.display_name);
            kept.user_principal_name = kept.user_principal_name.or(more.user_principal_name);
            kept.mail = kept.mail.or(more.mail);
        })
}
