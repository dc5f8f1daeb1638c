//! Role assignments as they arrive: each new one becomes the model's [`Grant`] at once, and nothing else of the
//! record is kept. Role assignments are the bulk of a tenant (a million in a large one), so this store holds per
//! assignment only the grant itself and one table slot; no copy of the record, no key string.
//!
//! What needs the other exports waits for [`super::link`]: until then a grant's `role` is an index into
//! [`Assignments::roles`] (the distinct role references, resolved once each), its `principal` is
//! [`GrantPrincipal::Unresolved`] and its `tier` 0. Scopes do not depend on other files, so they are interned here,
//! once per distinct (case-insensitive) scope path.

use hashbrown::HashTable;

use crate::ids::hash::{self, FastMap};
use crate::ids::{Guid, Interner, ScopeLevel, Sym, fold_eq, folded_hash, parse_arm_path};
use crate::model::{AssignmentId, Grant, Provenance, Scope, standard_assignment_id};

use super::raw::Outcome;

/// A role as one assignment names it; resolved against the definitions when linking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct RoleRef {
    /// The trailing GUID of `roleDefinitionId`.
    pub guid: Option<Guid>,
    pub name: Option<Sym>,
    pub definition_id: Option<Sym>,
}

/// How an assignment is told apart from the others (FORMATS.md §2: its id, else principal × role × scope).
pub(crate) enum AssignmentKey<'a> {
    /// The assignment's id (compared as [`crate::ids::fold`] does), with its short case-insensitive hash, computed
    /// once for the lookup and the insertion ([`AssignmentKey::id`]).
    Id(&'a str, u32),
    /// No id: `principal|role|scope`, already folded.
    Triple(String),
}

impl<'a> AssignmentKey<'a> {
    pub(crate) fn id(text: &'a str) -> Self {
        AssignmentKey::Id(text, folded_hash(text))
    }
}

/// Every role assignment read so far. See the module docs.
#[derive(Debug, Default)]
pub(crate) struct Assignments {
    /// One per distinct assignment, in input order.
    pub grants: Vec<Grant>,
    /// The distinct role references; `grants[i].role` indexes this until linking.
    pub roles: Vec<RoleRef>,
    /// Distinct scopes, in first-seen order and casing.
    pub scopes: Vec<Scope>,
    /// Grants with an id, with the short case-insensitive hash of their id.
    by_id: HashTable<(u32, u32)>,
    /// Grants without an id.
    by_triple: FastMap<String, u32>,
    /// Scopes, with the short case-insensitive hash of their path.
    scope_index: HashTable<(u32, u32)>,
    role_index: FastMap<RoleRef, u32>,
}

impl Assignments {
    /// The grant an assignment with this key was already read into.
    pub fn find(&self, strings: &Interner, key: &AssignmentKey<'_>) -> Option<u32> {
        match key {
            &AssignmentKey::Id(id, short) => {
                let (grants, scopes) = (&self.grants, &self.scopes);
                self.by_id
                    .find(hash::spread(short), |&(g, h)| {
                        h == short
                            && grants
                                .get(g as usize)
                                .is_some_and(|g| match g.assignment_id {
                                    Some(AssignmentId::Text(s)) => fold_eq(strings.resolve(s), id),
                                    // Rebuilt only when the short hashes already match (a duplicate, mostly).
                                    Some(AssignmentId::Standard(guid)) => {
                                        let scope = scopes
                                            .get(g.scope as usize)
                                            .map_or("/", |s| strings.resolve(s.id));
                                        fold_eq(&standard_assignment_id(scope, guid), id)
                                    }
                                    None => false,
                                })
                    })
                    .map(|&(g, _)| g)
            }
            AssignmentKey::Triple(key) => self.by_triple.get(key).copied(),
        }
    }

    /// Room for `more` assignments, as far as `budget` bytes go; none when the memory is not there.
    pub fn reserve(&mut self, more: usize, budget: usize) {
        let more = more.min(budget / std::mem::size_of::<Grant>());
        if self.grants.try_reserve(more).is_ok() {
            let _ = self.by_id.try_reserve(more, |&(_, h)| hash::spread(h));
        }
    }

    /// A duplicate of grant `at`: only its provenance is kept.
    pub fn merge(&mut self, at: u32, prov: Provenance) -> Outcome {
        if let Some(grant) = self.grants.get_mut(at as usize) {
            grant.provenance.push(prov);
        }
        Outcome::Merged
    }

    /// Add a new grant under `key` (its `role` a [`RoleRef`] index, its `scope` from [`Assignments::scope`]).
    pub fn add(&mut self, key: AssignmentKey<'_>, grant: Grant) -> Outcome {
        let at = u32::try_from(self.grants.len()).unwrap_or(u32::MAX);
        match key {
            AssignmentKey::Id(_, short) => {
                self.by_id
                    .insert_unique(hash::spread(short), (at, short), |&(_, h)| hash::spread(h));
            }
            AssignmentKey::Triple(key) => {
                self.by_triple.insert(key, at);
            }
        }
        self.grants.push(grant);
        Outcome::Ingested
    }

    /// The index of a role reference, added when new.
    pub fn role(&mut self, role: RoleRef) -> u32 {
        let next = u32::try_from(self.roles.len()).unwrap_or(u32::MAX);
        let at = *self.role_index.entry(role).or_insert(next);
        if at == next {
            self.roles.push(role);
        }
        at
    }

    /// The scope with this path (case-insensitively), added when new; and the level of `text` itself.
    pub fn scope(&mut self, strings: &mut Interner, text: &str) -> (u32, ScopeLevel) {
        let short = folded_hash(text);
        let Self {
            scopes,
            scope_index,
            ..
        } = self;
        let found = scope_index
            .find(hash::spread(short), |&(s, h)| {
                h == short
                    && scopes
                        .get(s as usize)
                        .is_some_and(|s| fold_eq(strings.resolve(s.id), text))
            })
            .map(|&(s, _)| s);
        if let Some(at) = found {
            let scope = &scopes[at as usize];
            // The level is read ignoring case, so a path that differs only in case (`resourcegroups`, as the CLI
            // writes it, against `resourceGroups`) has the stored one's. One with other trailing `/`s or spaces
            // may not (`/` and `//`): parse it again.
            let level = if crate::ids::same_ignoring_ascii_case(
                strings.resolve(scope.id).as_bytes(),
                text.as_bytes(),
            ) {
                scope.level
            } else {
                parse_arm_path(text).0
            };
            return (at, level);
        }
        let (level, path) = parse_arm_path(text);
        let scope = Scope {
            id: strings.intern(text),
            level,
            subscription: path.subscription.map(|s| strings.intern(s)),
            resource_group: path.resource_group.map(|s| strings.intern(s)),
            management_group: path.management_group.map(|s| strings.intern(s)),
        };
        let at = u32::try_from(scopes.len()).unwrap_or(u32::MAX);
        scopes.push(scope);
        scope_index.insert_unique(hash::spread(short), (at, short), |&(_, h)| hash::spread(h));
        (at, level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_is_one_whatever_its_case_and_each_text_keeps_its_own_level() {
        let mut strings = Interner::default();
        let mut store = Assignments::default();
        let mut scope = |text: &str| store.scope(&mut strings, text);
        let (rg, level) = scope("/subscriptions/S1/resourceGroups/rg-a");
        assert_eq!(level, ScopeLevel::ResourceGroup);
        // Case only: the same scope, its level reused.
        assert_eq!(
            scope("/SUBSCRIPTIONS/s1/resourcegroups/RG-A"),
            (rg, ScopeLevel::ResourceGroup)
        );
        // A trailing `/`: the same scope, parsed again.
        assert_eq!(
            scope("/subscriptions/S1/resourceGroups/rg-a/"),
            (rg, ScopeLevel::ResourceGroup)
        );
        // `/` and `//` fold alike, but only the first is the root.
        let (root, level) = scope("/");
        assert_eq!(level, ScopeLevel::Root);
        assert_eq!(scope("//"), (root, ScopeLevel::Unknown));
        // Case matters to the level nowhere: a resource under the group, in capitals, is a resource.
        let (resource, level) = scope("/subscriptions/S1/resourceGroups/rg-a/providers/X.Y/z/n");
        assert_eq!(level, ScopeLevel::Resource);
        assert_eq!(
            scope("/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG-A/PROVIDERS/X.Y/Z/N"),
            (resource, ScopeLevel::Resource)
        );
        assert_eq!(store.scopes.len(), 3);
    }
}
