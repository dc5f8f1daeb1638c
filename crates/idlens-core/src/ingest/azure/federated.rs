//! Federated identity credentials: `az identity federated-credential list` (flattened), ARM REST (`properties`),
//! flexible FICs with `claimsMatchingExpression`, and app-registration FICs from Graph (FORMATS.md §7).

use std::borrow::Cow;

use serde::Deserialize;

use crate::ingest::raw::{Ctx, Outcome, RawFederation};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Expression<'a> {
    #[serde(borrow, default)]
    value: Option<Cow<'a, str>>,
    #[serde(default)]
    language_version: Option<serde_json::Number>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Record<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    issuer: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    subject: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    audiences: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow, default)]
    claims_matching_expression: Option<Expression<'a>>,
    #[serde(borrow, default)]
    properties: Option<Box<Record<'a>>>,
}

/// The identity a credential id belongs to: the id before `/federatedIdentityCredentials/<name>`.
fn parent_of(id: &str) -> Option<&str> {
    const MARK: &str = "/federatedidentitycredentials/";
    let at = id.to_ascii_lowercase().rfind(MARK)?;
    id.get(..at).filter(|p| !p.is_empty())
}

pub(crate) fn read(text: &str, ctx: &mut Ctx<'_>) -> Outcome {
    let record: Record<'_> = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(err) => return Outcome::SetAside(format!("not a federated credential record: {err}")),
    };
    apply(record, ctx)
}

/// Turn a record, read by [`read`] or in one pass ([`crate::ingest::raw::direct`]), into what the snapshot keeps.
pub(crate) fn apply(record: Record<'_>, ctx: &mut Ctx<'_>) -> Outcome {
    let inner = record.properties.as_deref();
    let expression = record
        .claims_matching_expression
        .as_ref()
        .or_else(|| inner.and_then(|p| p.claims_matching_expression.as_ref()));
    let issuer = pick!(record, issuer);
    if issuer.is_none() {
        return Outcome::SetAside("federated credential without `issuer`".into());
    }
    let language_version = expression
        .and_then(|e| e.language_version.as_ref())
        .map(|n| n.to_string());
    let raw = RawFederation {
        id: ctx.sym(record.id.as_ref()),
        name: ctx.sym(record.name.as_ref()),
        parent: record
            .id
            .as_deref()
            .and_then(parent_of)
            .map(|p| ctx.strings.intern(p)),
        issuer: ctx.sym(issuer),
        subject: ctx.sym(pick!(record, subject)),
        expression: ctx.sym(expression.and_then(|e| e.value.as_ref())),
        language_version: language_version.map(|v| ctx.strings.intern(&v)),
        audiences: ctx.syms(pick!(record, audiences)),
        prov: ctx.prov,
    };
    let key = match raw.id {
        Some(id) => format!("id:{}", crate::ids::fold(ctx.strings.resolve(id))),
        None => format!(
            "t:{}|{}|{}",
            ctx.strings
                .resolve(raw.issuer.unwrap_or(crate::ids::Sym(u32::MAX))),
            raw.subject.map_or("", |s| ctx.strings.resolve(s)),
            raw.expression.map_or("", |s| ctx.strings.resolve(s)),
        ),
    };
    let prov = ctx.prov;
    ctx.store.federations.add(Some(key), raw, prov)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_ids() {
        assert_eq!(
            parent_of("/s/x/userAssignedIdentities/ide/federatedIdentityCredentials/fic1"),
            Some("/s/x/userAssignedIdentities/ide")
        );
        assert_eq!(parent_of("/federatedIdentityCredentials/fic1"), None);
        assert_eq!(parent_of("00000000-0000-0000-0000-000000000000"), None);
    }
}
