//! What the per-format readers produce before linking: one store per kind of export record, deduplicated as records
//! arrive (a duplicate is "merged", never ingested twice), with interned strings and parsed GUIDs and times.
//!
//! Linking ([`super::link`]) turns these into the [`crate::model::Snapshot`] once every file has been read, because
//! the exports may arrive in any order.

use std::borrow::Cow;

use crate::ids::hash::FastMap;
use crate::ids::{Guid, Interner, Sym, fold};
use crate::model::{CredentialKind, Provenance, Tag};

/// Result of reading one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    Ingested,
    Merged,
    SetAside(String),
}

/// Field-level problems counted per file and reported as messages (the record itself is kept).
#[derive(Debug, Default)]
pub(crate) struct Warnings {
    pub tolerated_times: u64,
    pub tolerated_example: Option<String>,
    pub bad_times: u64,
    pub bad_time_example: Option<String>,
    pub bad_guids: u64,
    pub bad_guid_example: Option<String>,
    /// Records that held bytes which are not UTF-8, and where the first was.
    pub not_utf8: u64,
    pub not_utf8_first: Option<(u64, u64)>,
}

impl Warnings {
    pub fn messages(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.tolerated_times > 0 {
            out.push(format!(
                "{} timestamp(s) were not valid RFC 3339 but their meaning was clear and they were read (e.g. `{}`)",
                self.tolerated_times,
                self.tolerated_example.as_deref().unwrap_or("")
            ));
        }
        if self.bad_times > 0 {
            out.push(format!(
                "{} timestamp(s) could not be read and were left empty (e.g. `{}`)",
                self.bad_times,
                self.bad_time_example.as_deref().unwrap_or("")
            ));
        }
        if self.bad_guids > 0 {
            out.push(format!(
                "{} id(s) that should be GUIDs were not and were left empty (e.g. `{}`)",
                self.bad_guids,
                self.bad_guid_example.as_deref().unwrap_or("")
            ));
        }
        if let Some((record, line)) = self.not_utf8_first {
            out.push(format!(
                "{} record(s) held bytes that are not UTF-8; they were read with U+FFFD in place of those bytes \
                 (first: record {record}, line {line})",
                self.not_utf8
            ));
        }
        out
    }
}

/// A record's text for serde: checked as UTF-8 once, so that serde, reading a `str`, need not check each string
/// again. A record with bytes that are not UTF-8 is kept, read with U+FFFD in their place, and counted in `warnings`.
pub(crate) fn record_text<'a>(
    bytes: &'a [u8],
    warnings: &mut Warnings,
    record: u64,
    line: u64,
) -> Cow<'a, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => {
            warnings.not_utf8 += 1;
            warnings.not_utf8_first.get_or_insert((record, line));
            String::from_utf8_lossy(bytes)
        }
    }
}

/// The object at the start of `text` read by serde as `T`, and its text (`{` to `}`): the one-pass way for the
/// readers whose records are not flat enough for [`crate::ingest::flat`], instead of the framer finding the record's
/// end and serde reading it again. `None` when serde does not read it whole (a value of the wrong type, bad JSON, a
/// record cut by the end of the chunk): the framer then frames it and the reader's `read` says what was wrong.
pub(crate) fn first<'a, T: serde::Deserialize<'a>>(text: &'a str) -> Option<(T, &'a str)> {
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<T>();
    let record = stream.next()?.ok()?;
    Some((record, text.get(..stream.byte_offset())?))
}

/// What a record read in one pass spans: its bytes and the line breaks among them.
pub(crate) fn span_of(whole: &str) -> crate::ingest::flat::Span {
    crate::ingest::flat::Span {
        len: whole.len(),
        lines: crate::swar::count_exact(whole.as_bytes(), b'\n'),
    }
}

/// A reader's one-pass entry ([`first`]): the record at the start of `text` read as `T` and given to `apply`, and
/// what it spans; `None` leaves the record to the framer and the reader's `read`.
pub(crate) fn direct<'a, T: serde::Deserialize<'a>>(
    text: &'a str,
    ctx: &mut Ctx<'_>,
    apply: impl FnOnce(T, &mut Ctx<'_>) -> Outcome,
) -> Option<(Outcome, crate::ingest::flat::Span)> {
    let (record, whole) = first::<T>(text)?;
    Some((apply(record, ctx), span_of(whole)))
}

/// Everything a reader needs for one record.
pub(crate) struct Ctx<'c> {
    pub strings: &'c mut Interner,
    pub store: &'c mut Store,
    pub warnings: &'c mut Warnings,
    pub prov: Provenance,
}

/// Keep at most this many characters of an example in a message.
fn example(text: &str) -> String {
    text.chars().take(80).collect()
}

impl Ctx<'_> {
    /// Intern a present, non-empty string.
    pub fn sym(&mut self, text: Option<&Cow<'_, str>>) -> Option<Sym> {
        let text = crate::ids::trim(text?);
        (!text.is_empty()).then(|| self.strings.intern(text))
    }

    /// Intern every present, non-empty string of a list.
    pub fn syms(&mut self, list: Option<&Vec<Cow<'_, str>>>) -> Vec<Sym> {
        list.map(|l| l.iter().filter_map(|s| self.sym(Some(s))).collect())
            .unwrap_or_default()
    }

    /// Parse a GUID field; a present value that is not a GUID is counted as a warning.
    pub fn guid(&mut self, text: Option<&Cow<'_, str>>) -> Option<Guid> {
        let text = crate::ids::trim(text?);
        if text.is_empty() {
            return None;
        }
        let guid = Guid::parse(text);
        if guid.is_none() {
            self.warnings.bad_guids += 1;
            self.warnings
                .bad_guid_example
                .get_or_insert_with(|| example(text));
        }
        guid
    }

    /// Parse a timestamp field into seconds since the epoch, counting tolerated and unreadable ones.
    pub fn time(&mut self, text: Option<&Cow<'_, str>>) -> Option<i64> {
        let text = crate::ids::trim(text?);
        if text.is_empty() {
            return None;
        }
        match crate::time::parse(text) {
            Some(instant) => {
                if instant.tolerated {
                    self.warnings.tolerated_times += 1;
                    self.warnings
                        .tolerated_example
                        .get_or_insert_with(|| example(text));
                }
                Some(instant.unix)
            }
            None => {
                self.warnings.bad_times += 1;
                self.warnings
                    .bad_time_example
                    .get_or_insert_with(|| example(text));
                None
            }
        }
    }

    /// Tags from a JSON object of strings, sorted by key (the map type already sorts).
    pub fn tags<'a>(
        &mut self,
        tags: Option<&std::collections::BTreeMap<Cow<'a, str>, Option<Cow<'a, str>>>>,
    ) -> Vec<Tag> {
        let Some(tags) = tags else { return Vec::new() };
        tags.iter()
            .map(|(k, v)| Tag {
                key: self.strings.intern(k),
                value: self.strings.intern(v.as_deref().unwrap_or("")),
            })
            .collect()
    }
}

#[derive(Debug, Clone)]
pub(crate) struct RawUami {
    pub resource_id: Option<Sym>,
    pub name: Option<Sym>,
    pub resource_group: Option<Sym>,
    pub subscription: Option<Sym>,
    pub location: Option<Sym>,
    pub tenant_id: Option<Guid>,
    pub principal_id: Option<Guid>,
    pub client_id: Option<Guid>,
    pub tags: Vec<Tag>,
    pub created: Option<i64>,
    pub prov: Provenance,
}

#[derive(Debug, Clone)]
pub(crate) struct RawCredential {
    pub kind: CredentialKind,
    pub key_type: Option<Sym>,
    pub usage: Option<Sym>,
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub key_id: Option<Guid>,
    pub display_name: Option<Sym>,
}

#[derive(Debug, Clone)]
pub(crate) struct RawServicePrincipal {
    pub object_id: Option<Guid>,
    pub app_id: Option<Guid>,
    pub display_name: Option<Sym>,
    pub sp_type: Option<Sym>,
    pub enabled: Option<bool>,
    /// `isExplicit=True` (user-assigned) / `False` (system-assigned), from `alternativeNames`.
    pub explicit: Option<bool>,
    /// The `/subscriptions/…` entry of `alternativeNames`.
    pub alt_resource: Option<Sym>,
    pub app_owner_org: Option<Guid>,
    pub created: Option<i64>,
    pub credentials: Vec<RawCredential>,
    pub owners: Vec<crate::model::Owner>,
    pub prov: Provenance,
}

#[derive(Debug, Clone)]
pub(crate) struct RawApplication {
    pub object_id: Option<Guid>,
    pub app_id: Option<Guid>,
    pub display_name: Option<Sym>,
    pub created: Option<i64>,
    pub credentials: Vec<RawCredential>,
    pub owners: Vec<crate::model::Owner>,
    pub prov: Provenance,
}

#[derive(Debug, Clone)]
pub(crate) struct RawRoleDefinition {
    pub guid: Option<Guid>,
    pub id: Option<Sym>,
    pub name: Option<Sym>,
    pub description: Option<Sym>,
    pub custom: Option<bool>,
    pub actions: Vec<Sym>,
    pub not_actions: Vec<Sym>,
    pub data_actions: Vec<Sym>,
    pub not_data_actions: Vec<Sym>,
    pub assignable_scopes: Vec<Sym>,
    pub prov: Provenance,
}

/// A user-assigned identity reference inside a resource (`userAssignedIdentities` key or AKS kubelet identity).
#[derive(Debug, Clone)]
pub(crate) struct RawIdentityRef {
    pub resource_id: Option<Sym>,
    pub client_id: Option<Guid>,
    pub principal_id: Option<Guid>,
}

#[derive(Debug, Clone)]
pub(crate) struct RawResource {
    pub id: Sym,
    pub resource_type: Option<Sym>,
    pub name: Option<Sym>,
    pub subscription: Option<Sym>,
    pub resource_group: Option<Sym>,
    pub location: Option<Sym>,
    pub tags: Vec<Tag>,
    pub identity_type: Option<Sym>,
    pub system_principal: Option<Guid>,
    pub system_tenant: Option<Guid>,
    pub user_assigned: Vec<RawIdentityRef>,
    pub kubelet: Option<RawIdentityRef>,
    pub oidc_issuer: Option<Sym>,
    /// The app registration (appId) the resource signs in as with a secret (AKS `servicePrincipalProfile`).
    pub app_credential: Option<Guid>,
    pub prov: Provenance,
}

#[derive(Debug, Clone)]
pub(crate) struct RawFederation {
    pub id: Option<Sym>,
    pub name: Option<Sym>,
    /// The user-assigned identity the credential belongs to (its id minus `/federatedIdentityCredentials/<name>`).
    pub parent: Option<Sym>,
    pub issuer: Option<Sym>,
    pub subject: Option<Sym>,
    pub expression: Option<Sym>,
    pub language_version: Option<Sym>,
    pub audiences: Vec<Sym>,
    pub prov: Provenance,
}

#[derive(Debug, Clone)]
pub(crate) struct RawActivity {
    pub app_id: Guid,
    pub last: Option<i64>,
    pub app_client: Option<i64>,
    pub app_resource: Option<i64>,
    pub delegated_client: Option<i64>,
    pub delegated_resource: Option<i64>,
    pub prov: Provenance,
}

/// A directory role assignment or a Graph app role assignment, before linking (see [`crate::model::DirectoryGrant`]).
#[derive(Debug, Clone)]
pub(crate) struct RawDirectoryGrant {
    pub kind: crate::model::DirectoryGrantKind,
    pub id: Option<Sym>,
    pub principal_id: Guid,
    pub principal_type: Option<Sym>,
    pub principal_name: Option<Sym>,
    pub role_id: Option<Guid>,
    pub role_id_text: Option<Sym>,
    /// An expanded `roleDefinition`'s `templateId` (custom roles have their own id; built-ins equal it).
    pub template_id: Option<Guid>,
    pub role_name: Option<Sym>,
    pub directory_scope: Option<Sym>,
    pub resource_id: Option<Guid>,
    pub resource_name: Option<Sym>,
    pub created: Option<i64>,
    pub prov: Provenance,
}

/// One record of Graph beta `reports/appCredentialSignInActivities`, before linking to its credential (see
/// [`crate::model::CredentialActivity`]). Several records of one credential (one per resource it signed in to) merge.
#[derive(Debug, Clone)]
pub(crate) struct RawCredentialActivity {
    pub key_id: Guid,
    /// `credentialOrigin`: `application` / `servicePrincipal` (none when absent or another value).
    pub origin: Option<crate::model::CredentialHolder>,
    pub app_id: Option<Guid>,
    pub app_object_id: Option<Guid>,
    pub sp_object_id: Option<Guid>,
    /// `keyType` as exported (`clientSecret`, `certificate` …).
    pub key_type: Option<Sym>,
    /// `signInActivity.lastSignInDateTime`.
    pub last: Option<i64>,
    pub expires: Option<i64>,
    pub prov: Provenance,
}

/// A user or group of the directory (Graph `users` / `groups`), before linking.
#[derive(Debug, Clone)]
pub(crate) struct RawPrincipal {
    pub kind: crate::model::DirectoryPrincipalKind,
    pub id: Option<Guid>,
    pub display_name: Option<Sym>,
    pub user_principal_name: Option<Sym>,
    pub mail: Option<Sym>,
    pub enabled: Option<bool>,
    pub prov: Provenance,
}

/// One activity-log event, before its caller is matched to an identity (see [`crate::model::Operation`]).
#[derive(Debug, Clone)]
pub(crate) struct RawOperation {
    /// The `objectidentifier` claim (a service principal's object id).
    pub object_id: Option<Guid>,
    /// The `appid` claim (the client id).
    pub app_id: Option<Guid>,
    /// `caller` when it is a GUID (service principals); people's callers are UPNs.
    pub caller_guid: Option<Guid>,
    pub action: Sym,
    pub scope: Sym,
    pub subscription: Option<Sym>,
    pub at: i64,
    pub failed: bool,
    pub prov: Provenance,
}

/// A deduplicating list: the first record with a key is kept, later ones are merged into it.
#[derive(Debug)]
pub(crate) struct Keyed<T> {
    pub items: Vec<T>,
    pub extra_prov: Vec<Vec<Provenance>>,
    keys: FastMap<String, usize>,
}

impl<T> Default for Keyed<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            extra_prov: Vec::new(),
            keys: FastMap::default(),
        }
    }
}

impl<T> Keyed<T> {
    /// Room for `more` items (and their keys), as far as `budget` bytes go; none when the memory is not there.
    pub fn reserve(&mut self, more: usize, budget: usize) {
        let more = more.min(budget / std::mem::size_of::<T>().max(1));
        if self.items.try_reserve(more).is_ok() {
            let _ = self.keys.try_reserve(more);
        }
    }

    /// Add `item` under `key` (no key: always new). Returns `Merged` when the key was seen before.
    pub fn add(&mut self, key: Option<String>, item: T, prov: Provenance) -> Outcome {
        self.add_merging(key, item, prov, |_, _| {})
    }

    /// Like [`Keyed::add`], and `merge` folds a duplicate into the entity kept (first-seen values win).
    pub fn add_merging(
        &mut self,
        key: Option<String>,
        item: T,
        prov: Provenance,
        merge: impl FnOnce(&mut T, T),
    ) -> Outcome {
        if let Some(key) = key {
            if let Some(&at) = self.keys.get(&key) {
                if let Some(extra) = self.extra_prov.get_mut(at) {
                    extra.push(prov);
                }
                if let Some(kept) = self.items.get_mut(at) {
                    merge(kept, item);
                }
                return Outcome::Merged;
            }
            self.keys.insert(key, self.items.len());
        }
        self.items.push(item);
        self.extra_prov.push(Vec::new());
        Outcome::Ingested
    }
}

/// A dedup key from a GUID.
pub(crate) fn guid_key(prefix: &str, guid: Option<Guid>) -> Option<String> {
    guid.map(|g| [prefix, g.text().as_str()].concat())
}

/// A dedup key from a case-insensitive resource id.
pub(crate) fn id_key(strings: &Interner, id: Option<Sym>) -> Option<String> {
    id.map(|s| fold(strings.resolve(s)))
}

/// Every raw record kept so far, one store per kind.
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub uamis: Keyed<RawUami>,
    pub service_principals: Keyed<RawServicePrincipal>,
    pub applications: Keyed<RawApplication>,
    pub assignments: super::assignments::Assignments,
    pub role_definitions: Keyed<RawRoleDefinition>,
    pub resources: Keyed<RawResource>,
    pub federations: Keyed<RawFederation>,
    pub activity: Keyed<RawActivity>,
    pub directory_grants: Keyed<RawDirectoryGrant>,
    pub credential_activity: Keyed<RawCredentialActivity>,
    pub principals: Keyed<RawPrincipal>,
    pub operations: Keyed<RawOperation>,
}

impl Store {
    /// Room for `more` records of `format` in the store they are read into, as far as `budget` bytes go.
    pub fn reserve(&mut self, format: super::detect::Format, more: usize, budget: usize) {
        use super::detect::Format as F;
        match format {
            F::RoleAssignments | F::PowerShellRoleAssignments => {
                self.assignments.reserve(more, budget)
            }
            F::UserAssignedIdentities => self.uamis.reserve(more, budget),
            F::ServicePrincipals | F::AadGraphServicePrincipals => {
                self.service_principals.reserve(more, budget);
            }
            F::Applications | F::AadGraphApplications => self.applications.reserve(more, budget),
            F::RoleDefinitions => self.role_definitions.reserve(more, budget),
            F::Resources => self.resources.reserve(more, budget),
            F::FederatedCredentials => self.federations.reserve(more, budget),
            F::SignInActivity => self.activity.reserve(more, budget),
            F::CredentialSignInActivity => self.credential_activity.reserve(more, budget),
            F::ActivityLog => self.operations.reserve(more, budget),
            F::DirectoryRoleAssignments | F::AppRoleAssignments => {
                self.directory_grants.reserve(more, budget);
            }
            F::Users | F::Groups => self.principals.reserve(more, budget),
            F::Foreign(_) => {}
        }
    }
}

/// Add the credentials of a duplicate record that the kept one lacks (same `keyId` = same credential).
pub(crate) fn merge_credentials(kept: &mut Vec<RawCredential>, more: Vec<RawCredential>) {
    for credential in more {
        let known =
            credential.key_id.is_some() && kept.iter().any(|k| k.key_id == credential.key_id);
        if !known {
            kept.push(credential);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guid_key_is_its_prefix_and_the_canonical_text() {
        let g = Guid::parse("8E3AF657-A8FF-443C-A75C-2FE8C4BCB635");
        assert_eq!(
            guid_key("p:", g).as_deref(),
            Some("p:8e3af657-a8ff-443c-a75c-2fe8c4bcb635")
        );
        assert_eq!(guid_key("p:", None), None);
    }
}
