//! Pseudonymisation for sharing a report or an export: every identifying string of a snapshot (display names,
//! GUIDs, subscription and tenant ids, resource groups and resource names, tag values, owners, federation
//! subjects, principal names, credential names, waiver approvers) is replaced by a keyed pseudonym.
//!
//! - A pseudonym is HMAC-SHA256(key, case-folded value): GUIDs become GUID-shaped pseudonyms, other values
//!   `n-` + 10 hex digits. The same key gives the same pseudonyms in every snapshot, so trends and diffs still
//!   line up.
//! - The structure that matters stays: environments, role names and role-definition GUIDs, kinds, scope levels,
//!   ARM path keywords and resource types, check results and scores (evaluation runs on the real data first;
//!   only the results are rewritten), tag keys, and environment tag values.
//! - Text (finding messages, scopes, evidence values, action descriptions) is rewritten in one pass over all
//!   identifying strings (Aho-Corasick, ASCII case-insensitive, leftmost-longest), only at word boundaries so
//!   that a short name never mangles an unrelated word. File paths keep only their file name.
//! - The lookup table (pseudonym → real) is returned separately ([`Pseudonymiser::lookup`]); it is never part
//!   of a report or an export.
//!
//! Pure: the key is given by the caller (the CLI reads or generates it).

use std::collections::BTreeMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::checks::Evaluation;
use crate::diff::Diff;
use crate::ids::Guid;
use crate::model::{FileReport, Snapshot, Tag};
use crate::policy::Policy;
use crate::remediate::Plan;

/// Values shorter than this are left alone (they would match inside ordinary words).
pub const MIN_LEN: usize = 3;

/// Tag keys whose values describe the environment (kept: they are structure, not identity).
const ENV_KEYS: [&str; 4] = ["env", "environment", "stage", "tier"];

/// Keyed pseudonyms for one snapshot.
pub struct Pseudonymiser {
    key: Vec<u8>,
    /// Case-folded real value → pseudonym.
    map: BTreeMap<String, String>,
    /// Pseudonym → real value (first spelling seen).
    lookup: BTreeMap<String, String>,
    /// Real values never to replace (role names, well-known role GUIDs).
    keep: std::collections::BTreeSet<String>,
    matcher: Option<AhoCorasick>,
    patterns: Vec<String>,
}

fn is_guid(s: &str) -> bool {
    Guid::parse(s).is_some()
}

fn boundary(c: Option<char>) -> bool {
    c.is_none_or(|c| !c.is_alphanumeric())
}

impl Pseudonymiser {
    /// Collect the identifying strings of `snaps` (a snapshot, and the previous one for a trend or diff) and the
    /// policy's waiver approvers and identity names.
    #[must_use]
    pub fn new(key: &[u8], snaps: &[&Snapshot], policy: &Policy) -> Pseudonymiser {
        let mut p = Pseudonymiser {
            key: key.to_vec(),
            map: BTreeMap::new(),
            lookup: BTreeMap::new(),
            keep: Default::default(),
            matcher: None,
            patterns: Vec::new(),
        };
        for snap in snaps {
            for r in &snap.roles {
                if let Some(n) = snap.opt_str(r.name) {
                    p.keep.insert(n.to_ascii_lowercase());
                }
                if let Some(g) = r.guid {
                    p.keep.insert(g.to_string());
                }
            }
        }
        for snap in snaps {
            p.add_snapshot(snap);
        }
        for w in &policy.waivers {
            p.add(&w.approver);
            if !w.identity.contains('*') {
                p.add(&w.identity);
            }
        }
        p.build();
        p
    }

    fn add_snapshot(&mut self, snap: &Snapshot) {
        let p = self;
        let s = |sym| snap.opt_str(sym);
        for i in &snap.identities {
            p.add_opt(s(i.display_name));
            for g in [
                i.principal_id,
                i.client_id,
                i.application_object_id,
                i.tenant_id,
                i.app_owner_organization_id,
            ]
            .into_iter()
            .flatten()
            {
                p.add(&g.to_string());
            }
            p.add_path(s(i.resource_id));
            p.add_path(s(i.host_resource_id));
            p.add_opt(s(i.subscription));
            p.add_opt(s(i.resource_group));
            p.add_tags(snap, &i.tags);
            for o in &i.owners {
                p.add_opt(s(o.name));
                if let Some(id) = o.id {
                    p.add(&id.to_string());
                }
            }
        }
        for op in &snap.operations {
            p.add_path(Some(snap.str(op.scope)));
        }
        for u in &snap.principals {
            p.add_opt(s(u.display_name));
            p.add_opt(s(u.user_principal_name));
            p.add_opt(s(u.mail));
            if let Some(id) = u.id {
                p.add(&id.to_string());
            }
        }
        for w in &snap.workloads {
            p.add_path(Some(snap.str(w.id)));
            p.add_opt(s(w.name));
            p.add_opt(s(w.subscription));
            p.add_opt(s(w.resource_group));
            p.add_tags(snap, &w.tags);
        }
        for sc in &snap.scopes {
            p.add_path(Some(snap.str(sc.id)));
            p.add_opt(s(sc.subscription));
            p.add_opt(s(sc.resource_group));
            p.add_opt(s(sc.management_group));
        }
        for g in &snap.grants {
            for id in [g.principal_id, g.created_by].into_iter().flatten() {
                p.add(&id.to_string());
            }
            p.add_opt(s(g.principal_name));
            p.add_path(snap.assignment_id_text(g).as_deref());
            p.add_path(s(g.delegated_managed_identity_resource_id));
        }
        // Directory roles and Graph app roles: role ids and names are structure (kept); principals, the resource's
        // per-tenant object id, assignment ids and an object a role is scoped to identify the tenant.
        for d in &snap.directory_grants {
            for id in [d.principal_id, d.resource_id].into_iter().flatten() {
                p.add(&id.to_string());
            }
            p.add_opt(s(d.principal_name));
            p.add_opt(s(d.assignment_id));
            if let Some(scope) = s(d.directory_scope) {
                for part in scope.split('/').filter(|x| !x.is_empty()) {
                    if part != "administrativeUnits" {
                        p.add(part);
                    }
                }
            }
        }
        for c in &snap.credentials {
            if let Some(k) = c.key_id {
                p.add(&k.to_string());
            }
            p.add_opt(s(c.display_name));
        }
        for f in &snap.federations {
            p.add_path(s(f.id));
            p.add_opt(s(f.name));
            p.add_opt(s(f.subject));
            p.add_opt(s(f.claims_matching_expression));
        }
        for a in &snap.activity {
            p.add(&a.app_id.to_string());
        }
        // Per-credential usage, including records of credentials no other export lists (their ids appear in the
        // file's messages).
        for a in &snap.credential_activity {
            let ids = [a.app_id, a.app_object_id, a.service_principal_object_id];
            for id in std::iter::once(a.key_id).chain(ids.into_iter().flatten()) {
                p.add(&id.to_string());
            }
        }
        // Any GUID inside any string (issuer URLs, role assignment names, ids in free text) except role GUIDs.
        for r in &snap.roles {
            p.add_path(s(r.id));
        }
    }

    fn add_opt(&mut self, value: Option<&str>) {
        if let Some(v) = value {
            self.add(v);
        }
    }

    fn add_tags(&mut self, snap: &Snapshot, tags: &[Tag]) {
        for t in tags {
            let key = snap.str(t.key).to_ascii_lowercase();
            if !ENV_KEYS.contains(&key.as_str()) {
                self.add(snap.str(t.value));
            }
        }
    }

    /// The values of an ARM path: subscription, resource group, management group and resource names (keywords,
    /// provider namespaces and resource types stay); any GUID segment.
    fn add_path(&mut self, path: Option<&str>) {
        let Some(path) = path else { return };
        if !path.contains('/') {
            self.add(path);
            return;
        }
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let mut i = 0;
        while i < segs.len() {
            let k = segs[i].to_ascii_lowercase();
            match k.as_str() {
                "subscriptions" | "resourcegroups" | "managementgroups" => {
                    if let Some(v) = segs.get(i + 1) {
                        self.add(v);
                    }
                    i += 2;
                }
                "providers" => {
                    // providers/<Namespace>/<type>/<name>[/<type>/<name>…]
                    i += 2;
                    while i + 1 < segs.len() && !segs[i].eq_ignore_ascii_case("providers") {
                        let is_role = segs[i].eq_ignore_ascii_case("roleDefinitions");
                        if !is_role {
                            self.add(segs[i + 1]);
                        }
                        i += 2;
                    }
                }
                _ => {
                    if is_guid(segs[i]) {
                        self.add(segs[i]);
                    }
                    i += 1;
                }
            }
        }
    }

    fn add(&mut self, value: &str) {
        let value = value.trim();
        if value.chars().count() < MIN_LEN {
            return;
        }
        let folded = value.to_ascii_lowercase();
        if self.keep.contains(&folded) || self.map.contains_key(&folded) {
            return;
        }
        let pseudo = self.pseudonym(&folded);
        self.lookup
            .entry(pseudo.clone())
            .or_insert_with(|| value.to_owned());
        self.map.insert(folded, pseudo);
    }

    /// The keyed pseudonym of a (case-folded) value.
    fn pseudonym(&self, folded: &str) -> String {
        let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(&self.key) {
            Ok(m) => m,
            Err(_) => return String::from("n-invalid-key"),
        };
        mac.update(folded.as_bytes());
        let d = mac.finalize().into_bytes();
        if let Some(g) = Guid::parse(folded) {
            let _ = g;
            let mut v = u128::from_be_bytes(d[..16].try_into().unwrap_or([0; 16]));
            // A version-4-looking GUID, so it reads as a GUID.
            v = (v & !(0xF_u128 << 76)) | (0x4_u128 << 76);
            v = (v & !(0x3_u128 << 62)) | (0x2_u128 << 62);
            return Guid(v).to_string();
        }
        let mut s = String::from("n-");
        for b in &d[..5] {
            s.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
            s.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
        }
        s
    }

    fn build(&mut self) {
        self.patterns = self.map.keys().cloned().collect();
        self.matcher = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(&self.patterns)
            .ok();
    }

    /// Pseudonym → real value, for the auditor's separate lookup file.
    #[must_use]
    pub fn lookup(&self) -> &BTreeMap<String, String> {
        &self.lookup
    }

    /// Every identifying string that was registered (case-folded).
    pub fn identifying(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }

    /// `text` with every identifying string (at word boundaries) replaced by its pseudonym.
    #[must_use]
    pub fn apply(&self, text: &str) -> String {
        let Some(m) = &self.matcher else {
            return text.to_owned();
        };
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for hit in m.find_iter(text) {
            let before = text[..hit.start()].chars().next_back();
            let after = text[hit.end()..].chars().next();
            if !(boundary(before) && boundary(after)) {
                continue;
            }
            let Some(pattern) = self.patterns.get(hit.pattern().as_usize()) else {
                continue;
            };
            let Some(pseudo) = self.map.get(pattern) else {
                continue;
            };
            out.push_str(&text[last..hit.start()]);
            out.push_str(pseudo);
            last = hit.end();
        }
        out.push_str(&text[last..]);
        out
    }

    /// A file label reduced to its file name (directories may name the client), then pseudonymised.
    #[must_use]
    pub fn file(&self, path: &str) -> String {
        let (outer, inner) = match path.split_once('!') {
            Some((a, b)) => (a, Some(b)),
            None => (path, None),
        };
        let base = |p: &str| p.rsplit(['/', '\\']).next().unwrap_or(p).to_owned();
        let mut s = base(outer);
        if let Some(i) = inner {
            s.push('!');
            s.push_str(&base(i));
        }
        self.apply(&s)
    }

    /// The snapshot's file reports with file names only and pseudonymised messages.
    #[must_use]
    pub fn files(&self, files: &[FileReport]) -> Vec<FileReport> {
        files
            .iter()
            .map(|f| {
                let mut f = f.clone();
                f.path = self.file(&f.path);
                for m in &mut f.messages {
                    *m = self.apply(m);
                }
                for a in &mut f.set_aside {
                    a.reason = self.apply(&a.reason);
                }
                f
            })
            .collect()
    }

    /// Rewrite an evaluation's findings and scores in place.
    pub fn evaluation(&self, eval: &mut Evaluation) {
        for f in &mut eval.findings {
            f.identity.name = self.apply(&f.identity.name);
            f.identity.id = self.apply(&f.identity.id);
            f.message = self.apply(&f.message);
            for e in &mut f.evidence {
                e.file = self.file(&e.file);
                for field in &mut e.fields {
                    field.value = self.apply(&field.value);
                }
            }
            if let Some(w) = &mut f.waiver {
                w.justification = self.apply(&w.justification);
                w.approver = self.apply(&w.approver);
            }
        }
        for s in &mut eval.scores {
            s.identity.name = self.apply(&s.identity.name);
            s.identity.id = self.apply(&s.identity.id);
            if let Some(g) = &mut s.impact.strongest {
                g.role = self.apply(&g.role);
                g.scope = self.apply(&g.scope);
            }
        }
    }

    /// Rewrite a remediation plan in place.
    pub fn plan(&self, plan: &mut Plan) {
        for a in &mut plan.actions {
            a.identity.name = self.apply(&a.identity.name);
            a.identity.id = self.apply(&a.identity.id);
            a.description = self.apply(&a.description);
        }
    }

    /// Rewrite a policy's waivers (for the report's "waivers in force").
    pub fn policy(&self, policy: &mut Policy) {
        for w in &mut policy.waivers {
            w.identity = self.apply(&w.identity);
            w.justification = self.apply(&w.justification);
            w.approver = self.apply(&w.approver);
        }
        let subs = std::mem::take(&mut policy.environment.subscriptions);
        policy.environment.subscriptions =
            subs.into_iter().map(|(k, v)| (self.apply(&k), v)).collect();
        policy.home_tenant_id = policy.home_tenant_id.as_deref().map(|t| self.apply(t));
    }

    /// Rewrite a diff in place (identities, grants and findings).
    pub fn diff(&self, d: &mut Diff) {
        for i in d
            .identities_added
            .iter_mut()
            .chain(d.identities_removed.iter_mut())
        {
            i.name = self.apply(&i.name);
            i.id = self.apply(&i.id);
        }
        for g in d.grants_added.iter_mut().chain(d.grants_removed.iter_mut()) {
            g.identity = self.apply(&g.identity);
            g.identity_id = self.apply(&g.identity_id);
            g.scope = self.apply(&g.scope);
        }
        for f in d
            .findings_new
            .iter_mut()
            .chain(d.findings_resolved.iter_mut())
        {
            f.identity = self.apply(&f.identity);
            f.identity_id = self.apply(&f.identity_id);
            f.message = self.apply(&f.message);
        }
    }
}

#[cfg(test)]
mod tests;
