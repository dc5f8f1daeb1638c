//! The identities table over a snapshot: per-identity facts computed once, then sorting and filtering by cheap
//! integer keys over a vector of indices.
//!
//! Building the table is one pass over grants, workloads, credentials, federations and activity, plus one sort of the
//! names (their rank becomes the name key). A query filters the indices, sorts them with a comparator that reads
//! only integers, and slices the window; the ordered indices are kept, so the next window of the same query (the
//! user scrolling) costs only the rows it returns.

use std::collections::BTreeMap;

use crate::model::{Environment, GrantPrincipal, IdentityIx, IdentityKind, Snapshot};

use super::{
    Assessment, Facets, IdentityColumn, IdentityPage, IdentityQuery, IdentityRow, MAX_LIMIT,
    identity_key, identity_name, kind_label, scope_breadth,
};

/// What the table knows of one identity, as sort keys.
#[derive(Clone, Debug, Default)]
struct Facts {
    name_rank: u32,
    kind_rank: u8,
    env_rank: u8,
    /// Rank of the subscription text; `u32::MAX` when there is none (sorts last ascending).
    subscription_rank: u32,
    workloads: u32,
    grants: u32,
    /// Index of the strongest grant in the snapshot.
    top_grant: Option<u32>,
    /// Index of the strongest Entra directory grant, when it outranks every Azure grant.
    top_directory: Option<u32>,
    /// Tier × 1000, or -1 without grants.
    tier_key: i32,
    /// [`scope_breadth`] of the widest grant, or -1 without grants.
    scope_key: i8,
    credentials: u32,
    federations: u32,
    last_sign_in: Option<i64>,
    /// Lower-case text the free-text search looks in.
    haystack: String,
}

/// The identities table of one snapshot, with the last ordering kept for scrolling.
#[derive(Clone, Debug, Default)]
pub struct IdentityTable {
    facts: Vec<Facts>,
    assessments: Vec<Option<Assessment>>,
    facets: Facets,
    /// The last query's filters and sort, and the ordered indices it produced.
    cached: Option<(IdentityQuery, Vec<IdentityIx>)>,
}

impl IdentityTable {
    /// Compute every identity's facts (one pass over each entity vector).
    #[must_use]
    pub fn build(snapshot: &Snapshot) -> IdentityTable {
        let n = snapshot.identities.len();
        let mut facts = vec![Facts::default(); n];
        for f in &mut facts {
            f.tier_key = -1;
            f.scope_key = -1;
        }
        for (gi, grant) in snapshot.grants.iter().enumerate() {
            let GrantPrincipal::Identity(ix) = grant.principal else {
                continue;
            };
            let Some(f) = facts.get_mut(ix as usize) else {
                continue;
            };
            f.grants += 1;
            let tier = (grant.tier * 1000.0).round() as i32;
            let breadth = scope_breadth(grant.scope_level) as i8;
            if (tier, breadth) > (f.tier_key, top_breadth(snapshot, f.top_grant)) {
                f.top_grant = Some(gi as u32);
            }
            f.tier_key = f.tier_key.max(tier);
            f.scope_key = f.scope_key.max(breadth);
        }
        // Entra directory roles and Graph application permissions count as grants too; one that outranks every
        // Azure grant is the row's top role (the widest-scope column stays about Azure scopes).
        for (di, grant) in snapshot.directory_grants.iter().enumerate() {
            let GrantPrincipal::Identity(ix) = grant.principal else {
                continue;
            };
            let Some(f) = facts.get_mut(ix as usize) else {
                continue;
            };
            f.grants += 1;
            let tier = (grant.tier * 1000.0).round() as i32;
            if tier > f.tier_key {
                f.tier_key = tier;
                f.top_directory = Some(di as u32);
            }
        }
        for workload in &snapshot.workloads {
            // One workload may attach the same identity twice (system and kubelet): count it once.
            let mut seen: Vec<IdentityIx> = Vec::new();
            for a in &workload.attachments {
                if !seen.contains(&a.identity) {
                    seen.push(a.identity);
                    if let Some(f) = facts.get_mut(a.identity as usize) {
                        f.workloads += 1;
                    }
                }
            }
        }
        for credential in &snapshot.credentials {
            if let Some(f) = facts.get_mut(credential.identity as usize) {
                f.credentials += 1;
            }
        }
        for federation in &snapshot.federations {
            if let Some(f) = federation
                .identity
                .and_then(|ix| facts.get_mut(ix as usize))
            {
                f.federations += 1;
            }
        }
        let mut names = Vec::with_capacity(n);
        let mut subscriptions = Vec::with_capacity(n);
        for (i, identity) in snapshot.identities.iter().enumerate() {
            let ix = i as IdentityIx;
            let f = &mut facts[i];
            f.last_sign_in = identity
                .activity
                .and_then(|a| snapshot.activity.get(a as usize))
                .and_then(|a| a.last_sign_in);
            f.env_rank = match identity.environment {
                Environment::Prod => 0,
                Environment::NonProd => 1,
                Environment::Unknown => 2,
            };
            f.kind_rank = kind_rank(identity.kind);
            let name = identity_name(snapshot, ix);
            let mut hay = name.to_lowercase();
            for text in [
                Some(identity_key(snapshot, ix)),
                identity.client_id.map(|g| g.canonical()),
                snapshot.opt_str(identity.resource_id).map(str::to_owned),
                snapshot
                    .opt_str(identity.host_resource_id)
                    .map(str::to_owned),
                snapshot.opt_str(identity.subscription).map(str::to_owned),
                snapshot.opt_str(identity.resource_group).map(str::to_owned),
            ]
            .into_iter()
            .flatten()
            {
                hay.push('\n');
                hay.push_str(&text.to_lowercase());
            }
            f.haystack = hay;
            names.push((name.to_lowercase(), name, ix));
            if let Some(s) = snapshot.opt_str(identity.subscription) {
                subscriptions.push((s.to_lowercase(), ix));
            }
        }
        // Every identity's name, and its subscription, once per table: hot enough to keep the standard sort (the
        // index ends every tuple, so the order is total).
        names.sort_unstable();
        for (rank, (_, _, ix)) in names.iter().enumerate() {
            facts[*ix as usize].name_rank = rank as u32;
        }
        for f in &mut facts {
            f.subscription_rank = u32::MAX;
        }
        subscriptions.sort_unstable();
        let mut rank = 0u32;
        for (k, (text, ix)) in subscriptions.iter().enumerate() {
            if k > 0 && subscriptions[k - 1].0 != *text {
                rank += 1;
            }
            facts[*ix as usize].subscription_rank = rank;
        }

        let mut kinds: BTreeMap<u8, (IdentityKind, usize)> = BTreeMap::new();
        let mut envs: BTreeMap<u8, (Environment, usize)> = BTreeMap::new();
        for identity in &snapshot.identities {
            kinds
                .entry(kind_rank(identity.kind))
                .or_insert((identity.kind, 0))
                .1 += 1;
            envs.entry(match identity.environment {
                Environment::Prod => 0,
                Environment::NonProd => 1,
                Environment::Unknown => 2,
            })
            .or_insert((identity.environment, 0))
            .1 += 1;
        }
        IdentityTable {
            facts,
            assessments: vec![None; n],
            facets: Facets {
                kinds: kinds.into_values().collect(),
                environments: envs.into_values().collect(),
                ..Facets::default()
            },
            cached: None,
        }
    }

    /// Attach the scoring's results, one per identity in snapshot order (missing ones stay unknown).
    pub fn set_assessments(&mut self, assessments: Vec<Option<Assessment>>) {
        let mut assessments = assessments;
        assessments.resize(self.facts.len(), None);
        let mut checks: BTreeMap<String, usize> = BTreeMap::new();
        let mut controls: BTreeMap<String, usize> = BTreeMap::new();
        for a in assessments.iter().flatten() {
            for c in &a.checks {
                *checks.entry(c.clone()).or_default() += 1;
            }
            for c in &a.controls {
                *controls.entry(c.clone()).or_default() += 1;
            }
        }
        self.facets.assessed = assessments.iter().any(Option::is_some);
        self.facets.checks = checks.into_iter().collect();
        self.facets.controls = controls.into_iter().collect();
        self.assessments = assessments;
        self.cached = None;
    }

    /// The scoring's result for identity `ix`.
    #[must_use]
    pub fn assessment(&self, ix: IdentityIx) -> Option<&Assessment> {
        self.assessments.get(ix as usize).and_then(Option::as_ref)
    }

    /// Number of identities.
    #[must_use]
    pub fn len(&self) -> usize {
        self.facts.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
    }

    /// The ordered indices of every identity that passes the query's filters (window ignored).
    pub fn order(&mut self, snapshot: &Snapshot, query: &IdentityQuery) -> &[IdentityIx] {
        let key = query.without_window();
        let fresh = !matches!(&self.cached, Some((k, _)) if *k == key);
        if fresh {
            let order = self.compute_order(snapshot, &key);
            self.cached = Some((key, order));
        }
        self.cached.as_ref().map_or(&[], |(_, o)| o.as_slice())
    }

    /// One window of the table.
    pub fn query(&mut self, snapshot: &Snapshot, query: &IdentityQuery) -> IdentityPage {
        let limit = query.limit.min(MAX_LIMIT);
        let order = self.order(snapshot, query);
        let total = order.len();
        let offset = query.offset.min(total);
        let window: Vec<IdentityIx> = order[offset..(offset + limit).min(total)].to_vec();
        let rows = window
            .into_iter()
            .map(|ix| self.row(snapshot, ix))
            .collect();
        IdentityPage {
            total,
            all: self.facts.len(),
            offset,
            rows,
            facets: self.facets.clone(),
        }
    }

    fn compute_order(&self, snapshot: &Snapshot, query: &IdentityQuery) -> Vec<IdentityIx> {
        let words: Vec<String> = query
            .text
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        let finders: Vec<memchr::memmem::Finder<'_>> = words
            .iter()
            .map(|w| memchr::memmem::Finder::new(w.as_bytes()))
            .collect();
        let mut order: Vec<IdentityIx> = (0..self.facts.len() as IdentityIx)
            .filter(|&ix| {
                let identity = &snapshot.identities[ix as usize];
                let f = &self.facts[ix as usize];
                (query.kinds.is_empty() || query.kinds.contains(&identity.kind))
                    && (query.environments.is_empty()
                        || query.environments.contains(&identity.environment))
                    && finders
                        .iter()
                        .all(|w| w.find(f.haystack.as_bytes()).is_some())
                    && self.passes_assessment(ix, query)
            })
            .collect();
        let column = query.sort;
        let facts = &self.facts;
        let assessments = &self.assessments;
        let key = |ix: IdentityIx| -> i64 {
            let f = &facts[ix as usize];
            let a = assessments.get(ix as usize).and_then(Option::as_ref);
            match column {
                IdentityColumn::Name => i64::from(f.name_rank),
                IdentityColumn::Kind => i64::from(f.kind_rank),
                IdentityColumn::Environment => i64::from(f.env_rank),
                IdentityColumn::Subscription => i64::from(f.subscription_rank),
                IdentityColumn::Workloads => i64::from(f.workloads),
                IdentityColumn::Grants => i64::from(f.grants),
                IdentityColumn::Tier => i64::from(f.tier_key),
                IdentityColumn::Scope => i64::from(f.scope_key),
                IdentityColumn::Credentials => i64::from(f.credentials),
                IdentityColumn::Federations => i64::from(f.federations),
                IdentityColumn::LastSignIn => f.last_sign_in.unwrap_or(i64::MIN),
                IdentityColumn::Risk => a.map_or(-1, |a| i64::from(a.risk)),
                IdentityColumn::Findings => a.map_or(-1, |a| a.findings.sort_key() as i64),
            }
        };
        let mut keyed: Vec<(i64, u32, IdentityIx)> = order
            .iter()
            .map(|&ix| (key(ix), facts[ix as usize].name_rank, ix))
            .collect();
        let descending = query.descending;
        keyed.sort_unstable_by(|a, b| {
            let primary = a.0.cmp(&b.0);
            let primary = if descending {
                primary.reverse()
            } else {
                primary
            };
            primary.then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2))
        });
        order.clear();
        order.extend(keyed.into_iter().map(|(_, _, ix)| ix));
        order
    }

    fn passes_assessment(&self, ix: IdentityIx, query: &IdentityQuery) -> bool {
        if query.severities.is_empty() && query.checks.is_empty() && query.controls.is_empty() {
            return true;
        }
        let Some(a) = self.assessment(ix) else {
            return false;
        };
        (query.severities.is_empty() || query.severities.iter().any(|s| a.findings.of(s) > 0))
            && (query.checks.is_empty() || query.checks.iter().any(|c| a.checks.contains(c)))
            && (query.controls.is_empty() || query.controls.iter().any(|c| a.controls.contains(c)))
    }

    fn row(&self, snapshot: &Snapshot, ix: IdentityIx) -> IdentityRow {
        let identity = &snapshot.identities[ix as usize];
        let f = &self.facts[ix as usize];
        let top = f.top_grant.and_then(|g| snapshot.grants.get(g as usize));
        let directory = f
            .top_directory
            .and_then(|d| snapshot.directory_grants.get(d as usize));
        let (top_role, top_tier) = match directory {
            Some(d) => (
                Some(
                    snapshot
                        .opt_str(d.role_name)
                        .or_else(|| snapshot.opt_str(d.role_id_text))
                        .map_or_else(
                            || d.role_id.map(|g| g.canonical()).unwrap_or_default(),
                            str::to_owned,
                        ),
                ),
                Some(d.tier),
            ),
            None => (
                top.map(|g| super::detail::role_name(snapshot, g.role)),
                top.map(|g| g.tier),
            ),
        };
        let a = self.assessment(ix);
        IdentityRow {
            index: ix,
            key: identity_key(snapshot, ix),
            name: identity_name(snapshot, ix),
            kind: identity.kind,
            environment: identity.environment,
            subscription: snapshot.opt_str(identity.subscription).map(str::to_owned),
            resource_group: snapshot.opt_str(identity.resource_group).map(str::to_owned),
            inferred: identity.inferred,
            workloads: f.workloads,
            grants: f.grants,
            top_role,
            top_tier,
            widest_scope: level_of_breadth(f.scope_key),
            credentials: f.credentials,
            federations: f.federations,
            last_sign_in_unix: f.last_sign_in,
            risk: a.map(|a| a.risk),
            band: a.map(|a| a.band.clone()),
            findings: a.map(|a| a.findings),
        }
    }
}

/// One window of the identities table (builds a table; keep an [`IdentityTable`] to answer many queries).
#[must_use]
pub fn identity_page(snapshot: &Snapshot, query: &IdentityQuery) -> IdentityPage {
    IdentityTable::build(snapshot).query(snapshot, query)
}

/// Kinds sort by their label.
fn kind_rank(kind: IdentityKind) -> u8 {
    let label = kind_label(kind);
    IdentityKind::ALL
        .iter()
        .filter(|k| kind_label(**k) < label)
        .count() as u8
}

fn top_breadth(snapshot: &Snapshot, grant: Option<u32>) -> i8 {
    grant
        .and_then(|g| snapshot.grants.get(g as usize))
        .map_or(-1, |g| scope_breadth(g.scope_level) as i8)
}

fn level_of_breadth(breadth: i8) -> Option<crate::ids::ScopeLevel> {
    crate::ids::ScopeLevel::ALL
        .into_iter()
        .find(|l| scope_breadth(*l) as i8 == breadth)
}
