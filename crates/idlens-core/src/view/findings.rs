//! The findings page and the policy profile: every finding of the evaluation grouped by check, filtered by check,
//! severity, status (open or waived) and free text, one capped window per group; the waivers made in the viewer;
//! and the profile itself, exported as the JSON the CLI's `--policy` reads and loaded back from it.
//!
//! A large tenant has hundreds of thousands of findings, so an answer never carries them all: each group says how
//! many findings it has and carries one window of them (50 by default, [`MAX_GROUP_WINDOW`] at most), starting at the
//! offset the page asks for that group. [`FindingsIndex`] sorts the findings once per evaluation (by check, then open
//! before waived, most severe first, then by identity name), so a question is one pass over that order.
//!
//! A waiver names a check and an identity (see [`crate::policy::Waiver`]); adding one changes the policy, and the
//! workspace re-evaluates, so everything derived (risk, posture, the identities table) reflects it. A waiver whose
//! expiry day is before the as-of date does not apply, and the finding says so.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalog::{CHECKS, Severity};
use crate::checks::Evaluation;
use crate::findings::{Finding, WaiverNote, WaiverStatus};
use crate::model::Snapshot;
use crate::policy::{Policy, Thresholds, Waiver};

use super::{FindingsFilter, Source, identity_key, kind_from_id, kind_label};

/// Findings per group when the question does not say.
pub const DEFAULT_GROUP_WINDOW: usize = 50;
/// The most findings of one group an answer carries.
pub const MAX_GROUP_WINDOW: usize = 200;
/// The most waivers the policy summary lists (the count is always complete).
pub const MAX_WAIVERS_LISTED: usize = 200;

const DAY: i64 = 86_400;

/// Which findings, and which window of each group.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FindingsQuery {
    pub filter: FindingsFilter,
    /// Findings per group (0: [`DEFAULT_GROUP_WINDOW`]; at most [`MAX_GROUP_WINDOW`]).
    pub limit: usize,
    /// The first finding shown, by check id (absent: 0).
    pub offsets: BTreeMap<String, usize>,
    /// The first waiver the policy summary lists (a window of [`MAX_WAIVERS_LISTED`]).
    pub waivers_offset: usize,
}

impl FindingsQuery {
    /// The window size in force.
    #[must_use]
    pub fn window(&self) -> usize {
        if self.limit == 0 {
            DEFAULT_GROUP_WINDOW
        } else {
            self.limit.min(MAX_GROUP_WINDOW)
        }
    }
}

/// The findings page.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FindingsPage {
    /// The snapshot was evaluated (it has an as-of date); without it there are no findings to list.
    pub evaluated: bool,
    /// The as-of date the findings hold at (`YYYY-MM-DD`).
    pub as_of: String,
    /// Every finding, open and waived, whatever the filter.
    pub all: usize,
    pub all_open: usize,
    pub all_waived: usize,
    /// Findings that pass the filter.
    pub matched: usize,
    pub matched_open: usize,
    pub matched_waived: usize,
    /// Groups with at least one finding that passes the filter: most severe open finding first, then most open.
    pub groups: Vec<FindingGroup>,
    pub facets: FindingsFacets,
    pub policy: PolicySummary,
}

/// The findings of one check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FindingGroup {
    pub check_id: String,
    pub title: String,
    /// The catalog's default severity.
    pub severity: String,
    /// The most severe finding of the group that passes the filter.
    pub worst: String,
    /// Findings that pass the filter, open and waived.
    pub total: usize,
    pub open: usize,
    pub waived: usize,
    /// Open findings whose waiver has expired.
    pub expired: usize,
    /// Position of the first finding of the window.
    pub offset: usize,
    /// The window: open before waived, most severe first, then by identity name.
    pub findings: Vec<FindingItem>,
}

/// One finding as the findings page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FindingItem {
    pub check_id: String,
    /// Display name (or the best id when there is none).
    pub identity_name: String,
    /// The identity page's key, when the subject is an identity of the snapshot.
    pub identity_key: Option<String>,
    /// `user-assigned-managed-identity` …, or `unresolved-principal`, `role-definition`, `tenant`.
    pub identity_kind: String,
    /// The kind in words.
    pub kind_label: String,
    /// What a waiver of this finding names as its identity (the subject's id, else its name).
    pub waiver_identity: String,
    /// Effective severity.
    pub severity: String,
    /// Raised one step because the identity's impact is high.
    pub raised: bool,
    pub message: String,
    /// False when the exports did not allow certainty.
    pub certain: bool,
    pub waived: bool,
    /// The waiver that matched: applied, or expired (and then the finding is open).
    pub waiver: Option<WaiverNote>,
    /// That waiver as the policy holds it (its check id or `*`, its identity or pattern), so the page can name it
    /// when it asks to revoke or edit it ([`ViewRequest::Unwaive`](super::ViewRequest::Unwaive)).
    pub waiver_rule: Option<Waiver>,
    /// The first record behind the finding.
    pub source: Option<Source>,
    /// How many records are behind it.
    pub evidence: usize,
}

/// One check the filter can take, with its findings under the other filters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckFacet {
    pub check_id: String,
    pub title: String,
    pub count: usize,
}

/// The values the filters can take, each counted under the other filters (so a count says what choosing it shows).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FindingsFacets {
    /// Checks with at least one finding, in catalog order.
    pub checks: Vec<CheckFacet>,
    /// Every severity, most severe first, with its count.
    pub severities: Vec<(String, usize)>,
    pub open: usize,
    pub waived: usize,
}

/// The policy profile in force, in short.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PolicySummary {
    /// Nothing differs from the defaults and there is no waiver.
    pub default: bool,
    pub waivers: usize,
    /// Waivers whose expiry day is before the as-of date (they no longer apply).
    pub expired: usize,
    /// Position of the first waiver listed.
    pub first: usize,
    /// A window of at most [`MAX_WAIVERS_LISTED`] waivers from `first`.
    pub listed: Vec<WaiverView>,
    /// Settings that differ from the defaults.
    pub changed: Vec<PolicyChange>,
}

/// One waiver of the policy, with what it covers in this evaluation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WaiverView {
    /// Position in the policy's waivers.
    pub index: usize,
    pub check_id: String,
    pub identity: String,
    /// The display name of the one identity it matched, when `identity` is not a pattern and is not that name
    /// already (an id says little to a reader).
    #[serde(default)]
    pub identity_name: Option<String>,
    pub justification: String,
    pub approver: String,
    pub expires: Option<String>,
    /// Its expiry day is before the as-of date.
    pub expired: bool,
    /// Findings it waives.
    pub applied: usize,
    /// Findings it matched but no longer waives (expired).
    pub lapsed: usize,
}

/// A setting that differs from its default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyChange {
    /// `thresholds.stale_days`, `role_tiers` …
    pub setting: String,
    pub value: String,
    pub default: String,
}

/// The policy profile: its summary and the whole of it as the JSON file the CLI reads.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PolicyAnswer {
    pub summary: PolicySummary,
    /// Pretty JSON, what "Export policy profile" saves (`idlens findings --policy FILE` reads it).
    pub json: String,
    /// The waiver just added or edited (for a waive or an edit), with what it covers now.
    pub added: Option<WaiverView>,
    /// The waiver just revoked (for an unwaive), with what it covered until then.
    pub revoked: Option<WaiverView>,
}

/// What an edit of a waiver replaces: its justification, approver and expiry (its check and identity stay).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WaiverEdit {
    pub justification: String,
    pub approver: String,
    /// Last day it applies (YYYY-MM-DD); absent or empty: never expires.
    pub expires: Option<String>,
}

/// The evaluation's findings in page order, computed once per evaluation.
#[derive(Clone, Debug, Default)]
pub struct FindingsIndex {
    /// Finding indices: by check (catalog order), open before waived, most severe first, then identity name and id.
    order: Vec<u32>,
    /// Each check's run of `order`: check id, catalog position, start, end.
    groups: Vec<(String, usize, usize, usize)>,
}

impl FindingsIndex {
    /// Sort the findings of `evaluation` into page order.
    #[must_use]
    pub fn build(evaluation: &Evaluation) -> FindingsIndex {
        let findings = &evaluation.findings;
        let rank = |id: &str| {
            CHECKS
                .iter()
                .position(|c| c.id == id)
                .unwrap_or(CHECKS.len())
        };
        let ranks: Vec<usize> = findings.iter().map(|f| rank(&f.check_id)).collect();
        let mut order: Vec<u32> = (0..findings.len() as u32).collect();
        crate::order::sort_by(&mut order, |&a, &b| {
            let (fa, fb) = (&findings[a as usize], &findings[b as usize]);
            ranks[a as usize]
                .cmp(&ranks[b as usize])
                .then_with(|| fa.check_id.cmp(&fb.check_id))
                .then_with(|| within_group(fa, fb))
                .then(a.cmp(&b))
        });
        let mut groups: Vec<(String, usize, usize, usize)> = Vec::new();
        for (pos, &i) in order.iter().enumerate() {
            let f = &findings[i as usize];
            match groups.last_mut() {
                Some(g) if g.0 == f.check_id => g.3 = pos + 1,
                _ => groups.push((f.check_id.to_string(), ranks[i as usize], pos, pos + 1)),
            }
        }
        FindingsIndex { order, groups }
    }
}

/// Open before waived, most severe first, then by identity name (case-insensitive) and id.
fn within_group(a: &Finding, b: &Finding) -> Ordering {
    a.waived
        .cmp(&b.waived)
        .then_with(|| b.severity.cmp(&a.severity))
        .then_with(|| cmp_folded(&a.identity.name, &b.identity.name))
        .then_with(|| a.identity.name.cmp(&b.identity.name))
        .then_with(|| a.identity.id.cmp(&b.identity.id))
}

fn cmp_folded(a: &str, b: &str) -> Ordering {
    a.chars()
        .flat_map(char::to_lowercase)
        .cmp(b.chars().flat_map(char::to_lowercase))
}

/// The filter, read once per question.
struct Matcher {
    checks: Vec<String>,
    severities: Vec<String>,
    status: Option<bool>,
    words: Vec<String>,
}

impl Matcher {
    fn new(filter: &FindingsFilter) -> Matcher {
        Matcher {
            checks: filter
                .checks
                .iter()
                .map(|c| c.trim().to_ascii_uppercase())
                .filter(|c| !c.is_empty())
                .collect(),
            severities: filter
                .severities
                .iter()
                .filter_map(|s| Severity::parse(s))
                .map(|s| s.id().to_owned())
                .collect(),
            status: match filter.status.trim() {
                "open" => Some(false),
                "waived" => Some(true),
                _ => None,
            },
            words: filter
                .text
                .split_whitespace()
                .map(str::to_lowercase)
                .collect(),
        }
    }

    fn check(&self, id: &str) -> bool {
        self.checks.is_empty() || self.checks.iter().any(|c| c.eq_ignore_ascii_case(id))
    }

    fn severity(&self, f: &Finding) -> bool {
        self.severities.is_empty() || self.severities.iter().any(|s| s == f.severity.id())
    }

    fn status(&self, f: &Finding) -> bool {
        self.status.is_none_or(|waived| f.waived == waived)
    }

    fn text(&self, f: &Finding) -> bool {
        if self.words.is_empty() {
            return true;
        }
        let fields = [
            f.identity.name.to_lowercase(),
            f.identity.id.to_lowercase(),
            f.message.to_lowercase(),
        ];
        self.words
            .iter()
            .all(|w| fields.iter().any(|field| field.contains(w.as_str())))
    }
}

/// The findings page for `query`. `evaluation` is `None` when the snapshot was not evaluated (no as-of date).
#[must_use]
pub fn findings_page(
    snapshot: &Snapshot,
    evaluation: Option<(&Evaluation, &FindingsIndex)>,
    policy: &Policy,
    query: &FindingsQuery,
) -> FindingsPage {
    let Some((evaluation, index)) = evaluation else {
        return FindingsPage {
            policy: policy_summary(policy, None, query.waivers_offset),
            ..FindingsPage::default()
        };
    };
    let findings = &evaluation.findings;
    let matcher = Matcher::new(&query.filter);
    let window = query.window();
    let mut page = FindingsPage {
        evaluated: true,
        as_of: evaluation.as_of.get(..10).unwrap_or_default().to_owned(),
        all: findings.len(),
        all_open: findings.iter().filter(|f| f.open()).count(),
        policy: policy_summary(policy, Some(evaluation), query.waivers_offset),
        ..FindingsPage::default()
    };
    page.all_waived = page.all - page.all_open;
    let mut severity_counts = [0usize; 5];
    let mut ranked = Vec::new();
    for (check_id, rank, start, end) in &index.groups {
        let c = matcher.check(check_id);
        let offset = query.offsets.get(check_id).copied().unwrap_or(0);
        let mut group = FindingGroup {
            check_id: check_id.clone(),
            title: String::new(),
            severity: String::new(),
            worst: String::new(),
            total: 0,
            open: 0,
            waived: 0,
            expired: 0,
            offset,
            findings: Vec::new(),
        };
        let mut facet = 0usize;
        let mut worst: Option<Severity> = None;
        let mut worst_open: Option<Severity> = None;
        for &i in &index.order[*start..*end] {
            let f = &findings[i as usize];
            let (s, st, t) = (matcher.severity(f), matcher.status(f), matcher.text(f));
            if s && st && t {
                facet += 1;
            }
            if c && st && t {
                severity_counts[4 - f.severity as usize] += 1;
            }
            if c && s && t {
                if f.waived {
                    page.facets.waived += 1;
                } else {
                    page.facets.open += 1;
                }
            }
            if !(c && s && st && t) {
                continue;
            }
            if group.total >= offset && group.total < offset + window {
                group.findings.push(item(snapshot, policy, f));
            }
            group.total += 1;
            worst = worst.max(Some(f.severity));
            if f.waived {
                group.waived += 1;
            } else {
                group.open += 1;
                worst_open = worst_open.max(Some(f.severity));
                if f.waiver.is_some() {
                    group.expired += 1;
                }
            }
        }
        let first = &findings[index.order[*start] as usize];
        let catalog = CHECKS.get(*rank);
        let title = catalog.map_or_else(|| first.title.to_string(), |c| c.title.to_owned());
        if facet > 0 {
            page.facets.checks.push(CheckFacet {
                check_id: check_id.clone(),
                title: title.clone(),
                count: facet,
            });
        }
        if group.total == 0 {
            continue;
        }
        // An offset past the end shows the last window.
        if group.offset >= group.total {
            group.offset = (group.total - 1) / window * window;
            group.findings = index.order[*start..*end]
                .iter()
                .map(|&i| &findings[i as usize])
                .filter(|f| matcher.severity(f) && matcher.status(f) && matcher.text(f))
                .skip(group.offset)
                .take(window)
                .map(|f| item(snapshot, policy, f))
                .collect();
        }
        group.title = title;
        group.severity = catalog
            .map_or(first.default_severity, |c| c.severity)
            .id()
            .to_owned();
        group.worst = worst.map_or("info", Severity::id).to_owned();
        page.matched += group.total;
        page.matched_open += group.open;
        page.matched_waived += group.waived;
        ranked.push(((worst_open, group.open, worst, *rank), group));
    }
    // Most severe open finding first, then most open findings, then the worst finding, then catalog order.
    crate::order::sort_by(&mut ranked, |(a, _), (b, _)| {
        b.0.cmp(&a.0)
            .then(b.1.cmp(&a.1))
            .then(b.2.cmp(&a.2))
            .then(a.3.cmp(&b.3))
    });
    page.groups = ranked.into_iter().map(|(_, g)| g).collect();
    page.facets.severities = Severity::ALL
        .iter()
        .rev()
        .map(|s| (s.id().to_owned(), severity_counts[4 - *s as usize]))
        .collect();
    page
}

fn item(snapshot: &Snapshot, policy: &Policy, f: &Finding) -> FindingItem {
    let kind = f.identity.kind.as_str();
    let kind_words = kind_from_id(kind).map_or_else(
        || match kind {
            "unresolved-principal" => "Unresolved principal".to_owned(),
            "role-definition" => "Role definition".to_owned(),
            "tenant" => "Tenant".to_owned(),
            other => other.to_owned(),
        },
        |k| kind_label(k).to_owned(),
    );
    let waiver_identity = if f.identity.id.trim().is_empty() {
        f.identity.name.clone()
    } else {
        f.identity.id.clone()
    };
    FindingItem {
        check_id: f.check_id.to_string(),
        identity_name: f.identity.name.clone(),
        identity_key: f.identity.index.map(|ix| identity_key(snapshot, ix)),
        identity_kind: kind.to_owned(),
        kind_label: kind_words,
        waiver_identity,
        severity: f.severity.id().to_owned(),
        raised: f.raised,
        message: f.message.clone(),
        certain: f.certain,
        waived: f.waived,
        waiver: f.waiver.clone(),
        waiver_rule: f
            .waiver
            .as_ref()
            .and_then(|n| policy.waivers.get(n.waiver as usize))
            .cloned(),
        source: f.evidence.first().map(|e| Source {
            file: e.file.clone(),
            record: e.record,
            line: e.line,
        }),
        evidence: f.evidence.len(),
    }
}

/// Whether `waiver` has expired at `as_of` (its expiry day is inclusive, as in the checks).
#[must_use]
pub fn waiver_expired(waiver: &Waiver, as_of: Option<i64>) -> bool {
    let expires = waiver.expires.as_deref().and_then(crate::time::parse);
    matches!((expires, as_of), (Some(e), Some(now)) if e.unix + DAY <= now)
}

/// The policy in short: its waivers from `first` on (with what each covers in `evaluation`) and the settings that
/// differ from the defaults. A `first` past the end (waivers were revoked since) lists the last window.
#[must_use]
pub fn policy_summary(
    policy: &Policy,
    evaluation: Option<&Evaluation>,
    first: usize,
) -> PolicySummary {
    let as_of = evaluation.map(|e| e.as_of_unix);
    let mut applied = vec![0usize; policy.waivers.len()];
    let mut lapsed = vec![0usize; policy.waivers.len()];
    // The identity names each waiver matched: one name, or `Err` for several.
    let mut names: Vec<Option<Result<&str, ()>>> = vec![None; policy.waivers.len()];
    for f in evaluation.map_or(&[][..], |e| &e.findings) {
        let Some(note) = &f.waiver else {
            continue;
        };
        if let Some(slot) = match note.status {
            WaiverStatus::Applied => applied.get_mut(note.waiver as usize),
            WaiverStatus::Expired => lapsed.get_mut(note.waiver as usize),
        } {
            *slot += 1;
        }
        if let Some(slot) = names.get_mut(note.waiver as usize) {
            match slot {
                None => *slot = Some(Ok(&f.identity.name)),
                Some(Ok(n)) if *n != f.identity.name => *slot = Some(Err(())),
                _ => {}
            }
        }
    }
    let first = if first < policy.waivers.len() {
        first
    } else {
        policy.waivers.len().saturating_sub(1) / MAX_WAIVERS_LISTED * MAX_WAIVERS_LISTED
    };
    let listed = policy
        .waivers
        .iter()
        .enumerate()
        .skip(first)
        .take(MAX_WAIVERS_LISTED)
        .map(|(i, w)| {
            let name = names[i].and_then(Result::ok);
            waiver_view(i, w, as_of, applied[i], lapsed[i], name)
        })
        .collect();
    let changed = changes(policy);
    PolicySummary {
        default: changed.is_empty() && policy.waivers.is_empty(),
        waivers: policy.waivers.len(),
        expired: policy
            .waivers
            .iter()
            .filter(|w| waiver_expired(w, as_of))
            .count(),
        first,
        listed,
        changed,
    }
}

fn waiver_view(
    index: usize,
    w: &Waiver,
    as_of: Option<i64>,
    applied: usize,
    lapsed: usize,
    name: Option<&str>,
) -> WaiverView {
    WaiverView {
        index,
        check_id: w.check_id.clone(),
        identity: w.identity.clone(),
        identity_name: name
            .filter(|n| !n.trim().is_empty() && *n != w.identity && !w.identity.contains('*'))
            .map(str::to_owned),
        justification: w.justification.clone(),
        approver: w.approver.clone(),
        expires: w.expires.clone(),
        expired: waiver_expired(w, as_of),
        applied,
        lapsed,
    }
}

/// Settings of `policy` that differ from the defaults, in words.
fn changes(policy: &Policy) -> Vec<PolicyChange> {
    let mut out = Vec::new();
    let defaults = Policy::default();
    if let (Ok(serde_json::Value::Object(now)), Ok(serde_json::Value::Object(was))) = (
        serde_json::to_value(&policy.thresholds),
        serde_json::to_value(Thresholds::default()),
    ) {
        for (key, value) in &now {
            let default = was.get(key).cloned().unwrap_or_default();
            if *value != default {
                out.push(PolicyChange {
                    setting: format!("thresholds.{key}"),
                    value: value.to_string(),
                    default: default.to_string(),
                });
            }
        }
    }
    let list = |items: Vec<String>| {
        if items.is_empty() {
            "none".to_owned()
        } else {
            items.join(", ")
        }
    };
    if policy.role_tiers != defaults.role_tiers {
        out.push(PolicyChange {
            setting: "role_tiers".into(),
            value: list(
                policy
                    .role_tiers
                    .iter()
                    .map(|(k, v)| format!("{k} = {v}"))
                    .collect(),
            ),
            default: "built-in tiers".into(),
        });
    }
    if !policy.owner_tag_keys.is_empty() {
        out.push(PolicyChange {
            setting: "owner_tag_keys".into(),
            value: list(policy.owner_tag_keys.clone()),
            default: crate::policy::DEFAULT_OWNER_TAG_KEYS.join(", "),
        });
    }
    if policy.environment != defaults.environment {
        let e = &policy.environment;
        let mut parts = Vec::new();
        let n = e.tag_keys.len() + e.prod_values.len() + e.nonprod_values.len();
        if n > 0 {
            parts.push(format!("{n} tag rules"));
        }
        if !e.subscriptions.is_empty() {
            parts.push(format!("{} subscriptions mapped", e.subscriptions.len()));
        }
        let p = e.prod_name_patterns.len() + e.nonprod_name_patterns.len();
        if p > 0 {
            parts.push(format!("{p} name patterns"));
        }
        out.push(PolicyChange {
            setting: "environment".into(),
            value: parts.join(", "),
            default: "tags and built-in name heuristics".into(),
        });
    }
    if !policy.trusted_issuers.is_empty() {
        out.push(PolicyChange {
            setting: "trusted_issuers".into(),
            value: list(policy.trusted_issuers.clone()),
            default: "none".into(),
        });
    }
    if let Some(tenant) = &policy.home_tenant_id {
        out.push(PolicyChange {
            setting: "home_tenant_id".into(),
            value: tenant.clone(),
            default: "the most common tenant of the identities".into(),
        });
    }
    out
}

/// The profile as the pretty JSON file the CLI's `--policy` reads.
#[must_use]
pub fn policy_json(policy: &Policy) -> String {
    // Serialising plain data cannot fail.
    let mut text = serde_json::to_string_pretty(policy).unwrap_or_default();
    text.push('\n');
    text
}

/// The whole answer about `policy`; `added` is the index of a waiver just added.
#[must_use]
pub fn policy_answer(
    policy: &Policy,
    evaluation: Option<&Evaluation>,
    added: Option<usize>,
) -> PolicyAnswer {
    PolicyAnswer {
        summary: policy_summary(policy, evaluation, 0),
        json: policy_json(policy),
        added: added.and_then(|i| covered_by(policy, evaluation, i)),
        revoked: None,
    }
}

/// Waiver `i` of `policy` with the findings of `evaluation` it waives and those it no longer waives.
#[must_use]
pub fn covered_by(
    policy: &Policy,
    evaluation: Option<&Evaluation>,
    i: usize,
) -> Option<WaiverView> {
    let w = policy.waivers.get(i)?;
    let matched = || {
        evaluation
            .map_or(&[][..], |e| &e.findings)
            .iter()
            .filter(move |f| f.waiver.as_ref().is_some_and(|n| n.waiver as usize == i))
    };
    let count = |status: WaiverStatus| {
        matched()
            .filter(|f| f.waiver.as_ref().is_some_and(|n| n.status == status))
            .count()
    };
    let first = matched().next().map(|f| f.identity.name.as_str());
    let one = first.filter(|n| matched().all(|f| f.identity.name == *n));
    Some(waiver_view(
        i,
        w,
        evaluation.map(|e| e.as_of_unix),
        count(WaiverStatus::Applied),
        count(WaiverStatus::Expired),
        one,
    ))
}

/// Where `waiver` (as the page showed it, at position `index`) is in `policy` now, or why it cannot be found.
///
/// The page names a waiver by its content, with its position as a hint: the policy may have changed since the page
/// was drawn (a revoke or a loaded profile in between), and an index alone would then point at another waiver. The
/// waiver at `index` is taken when it is still that one; else the first waiver equal to it (equal waivers are
/// interchangeable: removing either leaves the same policy); else nothing is changed and the error says so.
pub fn locate_waiver(policy: &Policy, index: usize, waiver: &Waiver) -> Result<usize, String> {
    if policy.waivers.get(index) == Some(waiver) {
        return Ok(index);
    }
    policy
        .waivers
        .iter()
        .position(|w| w == waiver)
        .ok_or_else(|| {
            let n = policy.waivers.len();
            format!(
                "the waiver of {} for {} is no longer in the policy profile (it now has {}): it was revoked or \
                 changed meanwhile, or another profile was loaded; nothing was changed",
                waiver.check_id,
                waiver.identity,
                if n == 1 {
                    "1 waiver".to_owned()
                } else {
                    format!("{n} waivers")
                }
            )
        })
}

/// `policy` without `waiver` (found as [`locate_waiver`] does), and the position it had; or why it cannot be.
pub fn without_waiver(
    policy: &Policy,
    index: usize,
    waiver: &Waiver,
) -> Result<(Policy, usize), String> {
    let at = locate_waiver(policy, index, waiver)?;
    let mut next = policy.clone();
    next.waivers.remove(at);
    Ok((next, at))
}

/// `policy` with the justification, approver and expiry of `waiver` (found as [`locate_waiver`] does) replaced by
/// `edit` (trimmed), in place; and its position. Refused, with the policy unchanged, as a new waiver would be:
/// justification and approver required, the expiry a date.
pub fn with_edited_waiver(
    policy: &Policy,
    index: usize,
    waiver: &Waiver,
    edit: &WaiverEdit,
) -> Result<(Policy, usize), String> {
    let at = locate_waiver(policy, index, waiver)?;
    let mut next = policy.clone();
    next.waivers[at] = Waiver {
        justification: edit.justification.trim().to_owned(),
        approver: edit.approver.trim().to_owned(),
        expires: edit
            .expires
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_owned),
        ..waiver.clone()
    };
    next.validate().map_err(|e| this_waiver(&e, at))?;
    Ok((next, at))
}

/// A validation message that names waiver `i` by its index, naming it "this waiver" instead.
fn this_waiver(message: &str, i: usize) -> String {
    let prefix = format!("policy profile: waiver {i} ");
    message
        .strip_prefix(&prefix)
        .map_or(message.to_owned(), |rest| format!("this waiver {rest}"))
}

/// `policy` with `waiver` added (trimmed), or why it cannot be.
pub fn with_waiver(policy: &Policy, waiver: &Waiver) -> Result<Policy, String> {
    let waiver = Waiver {
        check_id: waiver.check_id.trim().to_owned(),
        identity: waiver.identity.trim().to_owned(),
        justification: waiver.justification.trim().to_owned(),
        approver: waiver.approver.trim().to_owned(),
        expires: waiver
            .expires
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_owned),
    };
    if waiver.check_id != "*" && crate::catalog::check(&waiver.check_id).is_none() {
        return Err(format!("waiver: {:?} is not a check id", waiver.check_id));
    }
    let mut next = policy.clone();
    next.waivers.push(waiver);
    // The message names the new waiver by its index; say "this waiver" instead.
    next.validate()
        .map_err(|e| this_waiver(&e, next.waivers.len() - 1))?;
    Ok(next)
}

/// A profile read from the text of file `name`, or an error naming the file, the position and what was expected.
pub fn read_policy(json: &str, name: Option<&str>) -> Result<Policy, String> {
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    Policy::from_json(json.as_bytes()).map_err(|e| match name {
        Some(n) => format!("{n}: {e}"),
        None => e,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use super::*;
    use crate::generate::{DEMO_AS_OF_UNIX, GenerateOptions, generate};
    use crate::ingest::{Ingest, IngestOptions};
    use crate::view::workspace::Workspace;
    use crate::view::{ViewAnswer, ViewRequest};

    fn demo() -> &'static Snapshot {
        static DEMO: OnceLock<Snapshot> = OnceLock::new();
        DEMO.get_or_init(|| {
            let mut ingest = Ingest::new(IngestOptions::default());
            for file in generate(&GenerateOptions::demo()) {
                ingest.add_file(&format!("demo/tenant/{}", file.name), &file.bytes);
            }
            ingest.finish()
        })
    }

    fn evaluation(policy: &Policy) -> Evaluation {
        crate::checks::evaluate(demo(), policy, DEMO_AS_OF_UNIX)
    }

    fn page(e: &Evaluation, q: &FindingsQuery) -> FindingsPage {
        findings_page(
            demo(),
            Some((e, &FindingsIndex::build(e))),
            &Policy::default(),
            q,
        )
    }

    fn workspace() -> Workspace {
        Workspace::new(demo().clone(), Some(DEMO_AS_OF_UNIX), Policy::default())
    }

    fn ask_findings(ws: &mut Workspace, q: FindingsQuery) -> FindingsPage {
        match ws.answer(&ViewRequest::Findings(q)) {
            ViewAnswer::Findings(p) => *p,
            other => panic!("not a findings page: {other:?}"),
        }
    }

    fn ask_policy(ws: &mut Workspace, request: ViewRequest) -> Result<PolicyAnswer, String> {
        match ws.answer(&request) {
            ViewAnswer::Policy(p) => Ok(*p),
            ViewAnswer::Error { message } => Err(message),
            other => panic!("not a policy answer: {other:?}"),
        }
    }

    /// Every finding of every group that passes `filter`, window by window.
    fn every_item(e: &Evaluation, filter: &FindingsFilter) -> Vec<(String, Vec<FindingItem>)> {
        let index = FindingsIndex::build(e);
        let first = findings_page(
            demo(),
            Some((e, &index)),
            &Policy::default(),
            &FindingsQuery {
                filter: filter.clone(),
                limit: 7,
                ..FindingsQuery::default()
            },
        );
        first
            .groups
            .iter()
            .map(|g| {
                let mut items = Vec::new();
                loop {
                    let mut q = FindingsQuery {
                        filter: filter.clone(),
                        limit: 7,
                        ..FindingsQuery::default()
                    };
                    q.offsets.insert(g.check_id.clone(), items.len());
                    let p = findings_page(demo(), Some((e, &index)), &Policy::default(), &q);
                    let group = p
                        .groups
                        .iter()
                        .find(|x| x.check_id == g.check_id)
                        .expect("group");
                    items.extend(group.findings.iter().cloned());
                    if items.len() >= group.total {
                        assert_eq!(items.len(), group.total);
                        break;
                    }
                }
                (g.check_id.clone(), items)
            })
            .collect()
    }

    #[test]
    fn groups_and_counts_equal_the_evaluation() {
        let e = evaluation(&Policy::default());
        let p = page(&e, &FindingsQuery::default());
        assert!(p.evaluated);
        assert_eq!(p.as_of, "2026-11-01");
        assert_eq!(p.all, e.findings.len());
        assert!(p.all > 100, "{} findings", p.all);
        assert_eq!(p.matched, p.all);
        assert_eq!(p.all_open, e.findings.iter().filter(|f| !f.waived).count());
        for run in &e.checks {
            let group = p.groups.iter().find(|g| g.check_id == run.check_id);
            let open = e
                .findings
                .iter()
                .filter(|f| f.check_id == run.check_id && !f.waived)
                .count();
            let all = e
                .findings
                .iter()
                .filter(|f| f.check_id == run.check_id)
                .count();
            assert_eq!(group.map_or(0, |g| g.total), all, "{}", run.check_id);
            assert_eq!(group.map_or(0, |g| g.open), open, "{}", run.check_id);
            // The check's own tally counts the subjects it applied to (identities, roles, principals), not a
            // tenant-wide finding such as a missing export.
            let tallied = e
                .findings
                .iter()
                .filter(|f| f.check_id == run.check_id && !f.waived && f.identity.kind != "tenant")
                .count();
            assert_eq!(run.open_findings as usize, tallied, "{} open", run.check_id);
            if let Some(g) = group {
                assert_eq!(g.title, run.title);
                assert_eq!(g.findings.len(), g.total.min(DEFAULT_GROUP_WINDOW));
            }
        }
        let grouped: usize = p.groups.iter().map(|g| g.total).sum();
        assert_eq!(grouped, p.all);
        // Groups: the most severe open finding first.
        let worst: Vec<Severity> = p
            .groups
            .iter()
            .map(|g| Severity::parse(&g.worst).expect("severity"))
            .collect();
        assert_eq!(worst.first(), worst.iter().max());
        // Facets: every severity, counts adding up to all findings; checks as the groups.
        assert_eq!(p.facets.severities.len(), 5);
        assert_eq!(p.facets.severities[0].0, "critical");
        let by_severity: usize = p.facets.severities.iter().map(|(_, n)| n).sum();
        assert_eq!(by_severity, p.all);
        assert_eq!(p.facets.checks.len(), p.groups.len());
        assert_eq!(p.facets.open + p.facets.waived, p.all);
        // Within a group: open first, then most severe, then by name.
        for g in &p.groups {
            for pair in g.findings.windows(2) {
                let (a, b) = (&pair[0], &pair[1]);
                let sa = Severity::parse(&a.severity).expect("severity");
                let sb = Severity::parse(&b.severity).expect("severity");
                assert!(
                    (a.waived, std::cmp::Reverse(sa)) <= (b.waived, std::cmp::Reverse(sb)),
                    "{} order",
                    g.check_id
                );
            }
        }
    }

    #[test]
    fn filters_by_check_severity_status_and_text() {
        let e = evaluation(&Policy::default());
        let all = page(&e, &FindingsQuery::default());
        let group = &all.groups[0];
        // By check.
        let q = |filter: FindingsFilter| FindingsQuery {
            filter,
            ..FindingsQuery::default()
        };
        let p = page(
            &e,
            &q(FindingsFilter {
                checks: vec![group.check_id.to_lowercase()],
                ..FindingsFilter::default()
            }),
        );
        assert_eq!(p.groups.len(), 1);
        assert_eq!(p.matched, group.total);
        // The check facet still lists every check (counted under the other filters).
        assert_eq!(p.facets.checks.len(), all.groups.len());
        // By severity.
        for (sev, n) in &all.facets.severities {
            let p = page(
                &e,
                &q(FindingsFilter {
                    severities: vec![sev.clone()],
                    ..FindingsFilter::default()
                }),
            );
            let want = e.findings.iter().filter(|f| f.severity.id() == sev).count();
            assert_eq!(p.matched, want, "{sev}");
            assert_eq!(*n, want, "{sev} facet");
            assert!(
                p.groups
                    .iter()
                    .all(|g| g.findings.iter().all(|f| &f.severity == sev))
            );
        }
        // By status: nothing is waived under the default policy.
        let waived = page(
            &e,
            &q(FindingsFilter {
                status: "waived".into(),
                ..FindingsFilter::default()
            }),
        );
        assert_eq!(waived.matched, 0);
        assert!(waived.groups.is_empty());
        let open = page(
            &e,
            &q(FindingsFilter {
                status: "open".into(),
                ..FindingsFilter::default()
            }),
        );
        assert_eq!(open.matched, all.all_open);
        // By text: every word, case-insensitively, in the name, the id or the message.
        let name = group.findings[0].identity_name.clone();
        let word = name.to_uppercase();
        let p = page(
            &e,
            &q(FindingsFilter {
                text: word.clone(),
                ..FindingsFilter::default()
            }),
        );
        let want = e
            .findings
            .iter()
            .filter(|f| {
                [&f.identity.name, &f.identity.id, &f.message]
                    .iter()
                    .any(|s| s.to_lowercase().contains(&name.to_lowercase()))
            })
            .count();
        assert!(want > 0);
        assert_eq!(p.matched, want);
        let none = page(
            &e,
            &q(FindingsFilter {
                text: format!("{word} zzz-no-such-word"),
                ..FindingsFilter::default()
            }),
        );
        assert_eq!(none.matched, 0);
        assert!(none.groups.is_empty());
    }

    #[test]
    fn windows_page_through_each_group() {
        let e = evaluation(&Policy::default());
        let groups = every_item(&e, &FindingsFilter::default());
        let total: usize = groups.iter().map(|(_, items)| items.len()).sum();
        assert_eq!(total, e.findings.len());
        // Windows neither repeat nor skip: each group's findings are the evaluation's findings of that check.
        for (check, items) in &groups {
            let mut got: Vec<(String, String)> = items
                .iter()
                .map(|i| (i.waiver_identity.clone(), i.message.clone()))
                .collect();
            let mut want: Vec<(String, String)> = e
                .findings
                .iter()
                .filter(|f| f.check_id == *check)
                .map(|f| {
                    let who = if f.identity.id.is_empty() {
                        &f.identity.name
                    } else {
                        &f.identity.id
                    };
                    (who.clone(), f.message.clone())
                })
                .collect();
            got.sort();
            want.sort();
            assert_eq!(got, want, "{check}");
        }
        // A window is capped, and an offset past the end shows the last window.
        let big = groups
            .iter()
            .max_by_key(|(_, items)| items.len())
            .expect("a group");
        let mut q = FindingsQuery {
            limit: 10_000,
            ..FindingsQuery::default()
        };
        q.offsets.insert(big.0.clone(), 1_000_000);
        let p = page(&e, &q);
        let g = p
            .groups
            .iter()
            .find(|g| g.check_id == big.0)
            .expect("group");
        assert!(g.findings.len() <= MAX_GROUP_WINDOW);
        assert!(!g.findings.is_empty());
        assert_eq!(g.offset + g.findings.len(), g.total);
    }

    #[test]
    fn waive_makes_the_finding_waived_and_an_expired_waiver_does_not_apply() {
        let mut ws = workspace();
        let before = ask_findings(&mut ws, FindingsQuery::default());
        let group = before.groups[0].clone();
        let target = group.findings[0].clone();
        let same = |f: &FindingItem| {
            f.waiver_identity == target.waiver_identity && f.check_id == target.check_id
        };
        let covered = e_count(&mut ws, &target);
        // Missing approver: refused, policy unchanged.
        let refused = ask_policy(
            &mut ws,
            ViewRequest::Waive {
                waiver: Waiver {
                    check_id: target.check_id.clone(),
                    identity: target.waiver_identity.clone(),
                    justification: "accepted".into(),
                    approver: "  ".into(),
                    expires: None,
                },
            },
        );
        assert!(refused.unwrap_err().contains("approver"));
        assert!(ws.policy().waivers.is_empty());
        // An expired waiver is added but does not apply.
        let expired = ask_policy(
            &mut ws,
            ViewRequest::Waive {
                waiver: Waiver {
                    check_id: target.check_id.clone(),
                    identity: target.waiver_identity.clone(),
                    justification: "old exception".into(),
                    approver: "ciso@example.com".into(),
                    expires: Some("2026-10-31".into()),
                },
            },
        )
        .expect("added");
        let added = expired.added.expect("added waiver");
        assert!(added.expired);
        assert_eq!(added.applied, 0);
        assert_eq!(added.lapsed, covered);
        assert_eq!(expired.summary.expired, 1);
        let p = ask_findings(&mut ws, FindingsQuery::default());
        let g = p
            .groups
            .iter()
            .find(|g| g.check_id == group.check_id)
            .expect("group");
        assert_eq!(g.open, group.open);
        assert_eq!(g.expired, covered);
        let f = g.findings.iter().find(|f| same(f)).expect("finding");
        assert!(!f.waived);
        assert_eq!(
            f.waiver.as_ref().map(|w| w.status),
            Some(WaiverStatus::Expired)
        );
        // A waiver through the as-of day applies: the finding stays listed, waived, with who and why.
        let answer = ask_policy(
            &mut ws,
            ViewRequest::Waive {
                waiver: Waiver {
                    check_id: target.check_id.clone(),
                    identity: target.waiver_identity.clone(),
                    justification: " accepted risk ".into(),
                    approver: "ciso@example.com".into(),
                    expires: Some("2026-11-01".into()),
                },
            },
        )
        .expect("added");
        let added = answer.added.expect("added");
        assert_eq!(added.index, 1);
        assert_eq!(added.applied, covered);
        assert!(!added.expired);
        assert_eq!(answer.summary.waivers, 2);
        let p = ask_findings(&mut ws, FindingsQuery::default());
        assert_eq!(p.all, before.all);
        assert_eq!(p.all_open, before.all_open - covered);
        assert_eq!(p.all_waived, covered);
        let g = p
            .groups
            .iter()
            .find(|g| g.check_id == group.check_id)
            .expect("group");
        assert_eq!(g.waived, covered);
        let f = g.findings.iter().find(|f| same(f)).expect("still listed");
        assert!(f.waived);
        let note = f.waiver.as_ref().expect("note");
        assert_eq!(note.status, WaiverStatus::Applied);
        assert_eq!(note.justification, "accepted risk");
        assert_eq!(note.approver, "ciso@example.com");
        assert_eq!(note.expires.as_deref(), Some("2026-11-01"));
        // The waived filter shows exactly those.
        let waived = ask_findings(
            &mut ws,
            FindingsQuery {
                filter: FindingsFilter {
                    status: "waived".into(),
                    ..FindingsFilter::default()
                },
                ..FindingsQuery::default()
            },
        );
        assert_eq!(waived.matched, covered);
        // Everything derived reflects it: no open finding of that check on that identity is left.
        let eval = ws.evaluation().expect("evaluated");
        assert!(!eval.findings.iter().any(|f| {
            f.check_id == target.check_id && f.identity.id == target.waiver_identity && f.open()
        }));
    }

    fn waiver_of(item: &FindingItem, approver: &str) -> Waiver {
        Waiver {
            check_id: item.check_id.clone(),
            identity: item.waiver_identity.clone(),
            justification: "accepted risk".into(),
            approver: approver.into(),
            expires: Some("2027-01-31".into()),
        }
    }

    #[test]
    fn the_policy_summary_lists_waivers_a_window_at_a_time() {
        let n = MAX_WAIVERS_LISTED + 25;
        let policy = Policy {
            waivers: (0..n)
                .map(|i| Waiver {
                    check_id: "NHI-C-001".into(),
                    identity: format!("app-{i:04}"),
                    justification: "accepted risk".into(),
                    approver: "ciso@contoso.com".into(),
                    expires: None,
                })
                .collect(),
            ..Policy::default()
        };
        let e = evaluation(&policy);
        let window = |first| policy_summary(&policy, Some(&e), first);
        let head = window(0);
        assert_eq!(
            (head.waivers, head.first, head.listed.len()),
            (n, 0, MAX_WAIVERS_LISTED)
        );
        let tail = window(MAX_WAIVERS_LISTED);
        assert_eq!((tail.first, tail.listed.len()), (MAX_WAIVERS_LISTED, 25));
        assert_eq!(tail.listed[0].index, MAX_WAIVERS_LISTED);
        assert_eq!(tail.listed[24].identity, format!("app-{:04}", n - 1));
        // Past the end (waivers revoked since the page asked): the last window.
        assert_eq!(window(n + 500), tail);
        assert_eq!(window(n), tail);
        // Through the workspace, as the viewer asks.
        let mut ws = Workspace::new(demo().clone(), Some(DEMO_AS_OF_UNIX), policy.clone());
        let asked = ask_findings(
            &mut ws,
            FindingsQuery {
                waivers_offset: MAX_WAIVERS_LISTED,
                ..FindingsQuery::default()
            },
        );
        assert_eq!(asked.policy, tail);
        // No waiver at all: an empty window at 0.
        let none = policy_summary(&Policy::default(), Some(&e), 400);
        assert_eq!((none.first, none.listed.len()), (0, 0));
    }

    #[test]
    fn a_waiver_is_edited_in_place_and_refused_as_a_new_one_would_be() {
        let mut ws = workspace();
        let before = ask_findings(&mut ws, FindingsQuery::default());
        let (a, b) = (
            before.groups[0].findings[0].clone(),
            before.groups[1].findings[0].clone(),
        );
        let (wa, wb) = (
            waiver_of(&a, "ciso@example.com"),
            waiver_of(&b, "cto@example.com"),
        );
        for w in [&wa, &wb] {
            ask_policy(&mut ws, ViewRequest::Waive { waiver: w.clone() }).expect("waived");
        }
        let covered = e_count(&mut ws, &a);
        // The approver, justification and expiry change; the check, identity and position stay.
        let edited = ask_policy(
            &mut ws,
            ViewRequest::EditWaiver {
                index: 0,
                waiver: wa.clone(),
                edit: WaiverEdit {
                    justification: " reviewed again ".into(),
                    approver: " security-board@example.com ".into(),
                    expires: Some("2027-06-30".into()),
                },
            },
        )
        .expect("edited");
        let now = Waiver {
            justification: "reviewed again".into(),
            approver: "security-board@example.com".into(),
            expires: Some("2027-06-30".into()),
            ..wa.clone()
        };
        assert_eq!(ws.policy().waivers, [now.clone(), wb.clone()]);
        let added = edited.added.expect("the edited waiver");
        assert_eq!((added.index, added.applied), (0, covered));
        assert_eq!(added.approver, "security-board@example.com");
        // Named by the identity's display name too (the waiver holds its id).
        assert_ne!(a.identity_name, a.waiver_identity);
        assert_eq!(
            added.identity_name.as_deref(),
            Some(a.identity_name.as_str())
        );
        assert_eq!(
            edited.summary.listed[0].identity_name.as_deref(),
            Some(a.identity_name.as_str())
        );
        assert_eq!(
            edited.summary.listed[0].approver,
            "security-board@example.com"
        );
        // The exported profile holds the edit.
        let exported = Policy::from_json(edited.json.as_bytes()).expect("profile");
        assert_eq!(exported.waivers, [now.clone(), wb.clone()]);
        // The findings page shows it on the waived finding, with the waiver as the policy holds it.
        let p = ask_findings(&mut ws, FindingsQuery::default());
        let f = p
            .groups
            .iter()
            .flat_map(|g| &g.findings)
            .find(|f| f.check_id == a.check_id && f.waiver_identity == a.waiver_identity)
            .expect("listed");
        assert!(f.waived);
        assert_eq!(f.waiver.as_ref().expect("note").approver, now.approver);
        assert_eq!(f.waiver_rule.as_ref(), Some(&now));
        assert!(
            p.groups
                .iter()
                .flat_map(|g| &g.findings)
                .all(|f| f.waiver.is_some() == f.waiver_rule.is_some())
        );
        // Refused as a new waiver would be, and the policy stays as it was.
        let kept = ws.policy().clone();
        let edit =
            |justification: &str, approver: &str, expires: Option<&str>| ViewRequest::EditWaiver {
                index: 0,
                waiver: now.clone(),
                edit: WaiverEdit {
                    justification: justification.into(),
                    approver: approver.into(),
                    expires: expires.map(Into::into),
                },
            };
        let err = ask_policy(&mut ws, edit("why", "  ", None)).unwrap_err();
        assert!(
            err.starts_with("this waiver needs") && err.contains("approver"),
            "{err}"
        );
        let err = ask_policy(&mut ws, edit(" ", "me", None)).unwrap_err();
        assert!(err.contains("justification"), "{err}");
        let err = ask_policy(&mut ws, edit("why", "me", Some("2027-02-30"))).unwrap_err();
        assert!(
            err.starts_with("this waiver expires \"2027-02-30\""),
            "{err}"
        );
        assert_eq!(ws.policy(), &kept);
        // An empty expiry means none.
        ask_policy(&mut ws, edit("why", "me", Some(" "))).expect("edited");
        assert_eq!(ws.policy().waivers[0].expires, None);
        // The old content (a stale page) is refused: it is no longer in the policy.
        let err = ask_policy(
            &mut ws,
            ViewRequest::EditWaiver {
                index: 0,
                waiver: now.clone(),
                edit: WaiverEdit {
                    justification: "j".into(),
                    approver: "a".into(),
                    expires: None,
                },
            },
        )
        .unwrap_err();
        assert!(err.contains("no longer in the policy profile"), "{err}");
    }

    #[test]
    fn a_revoked_waiver_opens_its_findings_again_and_a_stale_one_changes_nothing() {
        let mut ws = workspace();
        let before = ask_findings(&mut ws, FindingsQuery::default());
        let (a, b) = (
            before.groups[0].findings[0].clone(),
            before.groups[1].findings[0].clone(),
        );
        let (wa, wb) = (
            waiver_of(&a, "ciso@example.com"),
            waiver_of(&b, "cto@example.com"),
        );
        for w in [&wa, &wb] {
            ask_policy(&mut ws, ViewRequest::Waive { waiver: w.clone() }).expect("waived");
        }
        let (na, nb) = (e_count(&mut ws, &a), e_count(&mut ws, &b));
        let waived = ask_findings(&mut ws, FindingsQuery::default());
        assert_eq!(waived.all_open, before.all_open - na - nb);
        // Out of range, and not in the policy: a clear error, nothing removed.
        let err = ask_policy(
            &mut ws,
            ViewRequest::Unwaive {
                index: 99,
                waiver: waiver_of(&a, "someone-else@example.com"),
            },
        )
        .unwrap_err();
        assert!(
            err.contains("is no longer in the policy profile (it now has 2 waivers)")
                && err.contains("nothing was changed"),
            "{err}"
        );
        assert_eq!(ws.policy().waivers, [wa.clone(), wb.clone()]);
        // A stale position (b's) with a's content: a is revoked, b stays.
        let answer = ask_policy(
            &mut ws,
            ViewRequest::Unwaive {
                index: 1,
                waiver: wa.clone(),
            },
        )
        .expect("revoked");
        assert_eq!(ws.policy().waivers, std::slice::from_ref(&wb));
        let revoked = answer.revoked.expect("what it covered");
        assert_eq!((revoked.index, revoked.applied), (0, na));
        assert_eq!(revoked.check_id, a.check_id);
        assert_eq!(answer.summary.waivers, 1);
        assert!(answer.added.is_none());
        let p = ask_findings(&mut ws, FindingsQuery::default());
        assert_eq!(p.all_open, before.all_open - nb);
        let f = p
            .groups
            .iter()
            .flat_map(|g| &g.findings)
            .find(|f| f.check_id == a.check_id && f.waiver_identity == a.waiver_identity)
            .expect("listed");
        assert!(!f.waived && f.waiver.is_none() && f.waiver_rule.is_none());
        // The same revoke again (a double click): refused, b stays.
        let err = ask_policy(
            &mut ws,
            ViewRequest::Unwaive {
                index: 0,
                waiver: wa.clone(),
            },
        )
        .unwrap_err();
        assert!(
            err.contains("no longer in the policy profile (it now has 1 waiver)"),
            "{err}"
        );
        assert_eq!(ws.policy().waivers, std::slice::from_ref(&wb));
        // The last one: the counts are back, the profile is the default again and exports with no waiver.
        let answer = ask_policy(
            &mut ws,
            ViewRequest::Unwaive {
                index: 0,
                waiver: wb,
            },
        )
        .expect("revoked");
        assert_eq!(answer.revoked.map(|w| w.applied), Some(nb));
        assert!(answer.summary.default);
        assert!(
            Policy::from_json(answer.json.as_bytes())
                .expect("profile")
                .waivers
                .is_empty()
        );
        let p = ask_findings(&mut ws, FindingsQuery::default());
        assert_eq!((p.all_open, p.all_waived), (before.all_open, 0));
        // An empty policy has nothing to revoke.
        let err = ask_policy(
            &mut ws,
            ViewRequest::Unwaive {
                index: 0,
                waiver: wa,
            },
        )
        .unwrap_err();
        assert!(err.contains("(it now has 0 waivers)"), "{err}");
        // The requests' JSON, as the page sends them.
        let json = r#"{"kind":"unwaive","index":3,"waiver":{"check_id":"*","identity":"sp-*","justification":"j","approver":"a"}}"#;
        let request: ViewRequest = serde_json::from_str(json).expect("unwaive");
        assert!(matches!(request, ViewRequest::Unwaive { index: 3, .. }));
        let json = r#"{"kind":"edit-waiver","index":0,"waiver":{"check_id":"*","identity":"x","justification":"j","approver":"a"},"edit":{"justification":"k","approver":"b","expires":"2027-01-01"}}"#;
        let request: ViewRequest = serde_json::from_str(json).expect("edit-waiver");
        assert!(matches!(request, ViewRequest::EditWaiver { index: 0, .. }));
    }

    fn e_count(ws: &mut Workspace, target: &FindingItem) -> usize {
        ws.evaluation()
            .expect("evaluated")
            .findings
            .iter()
            .filter(|f| f.check_id == target.check_id && f.identity.id == target.waiver_identity)
            .count()
    }

    #[test]
    fn unknown_checks_are_refused() {
        let policy = Policy::default();
        let w = Waiver {
            check_id: "NHI-X-999".into(),
            identity: "x".into(),
            justification: "j".into(),
            approver: "a".into(),
            expires: None,
        };
        assert!(
            with_waiver(&policy, &w)
                .unwrap_err()
                .contains("not a check")
        );
        let bad_date = Waiver {
            check_id: "*".into(),
            expires: Some("soon".into()),
            ..w
        };
        let err = with_waiver(&policy, &bad_date).unwrap_err();
        assert!(err.starts_with("this waiver expires"), "{err}");
    }

    #[test]
    fn set_policy_reads_a_profile_and_keeps_the_old_one_on_error() {
        let mut ws = workspace();
        let before = ask_findings(&mut ws, FindingsQuery::default());
        let target = before.groups[0].findings[0].clone();
        let json = format!(
            r#"{{"thresholds":{{"stale_days":60}},
                "waivers":[{{"check_id":"{}","identity":"{}","justification":"j","approver":"a"}}]}}"#,
            target.check_id, target.waiver_identity
        );
        let answer = ask_policy(
            &mut ws,
            ViewRequest::SetPolicy {
                json,
                name: Some("profile.json".into()),
            },
        )
        .expect("loaded");
        assert_eq!(answer.summary.waivers, 1);
        assert!(answer.summary.listed[0].applied >= 1);
        assert!(
            answer
                .summary
                .changed
                .iter()
                .any(|c| c.setting == "thresholds.stale_days"
                    && c.value == "60"
                    && c.default == "90")
        );
        assert!(!answer.summary.default);
        let loaded = ws.policy().clone();
        // A broken file: an error naming the file and the position, and the policy stays.
        let err = ask_policy(
            &mut ws,
            ViewRequest::SetPolicy {
                json: "{\n  \"waivers\": [\n    {\"check_id\": }\n".into(),
                name: Some("broken.json".into()),
            },
        )
        .unwrap_err();
        assert!(err.starts_with("broken.json: policy profile:"), "{err}");
        assert!(err.contains("line 3"), "{err}");
        assert_eq!(ws.policy(), &loaded);
        // An unknown field is refused and named.
        let err = ask_policy(
            &mut ws,
            ViewRequest::SetPolicy {
                json: r#"{"thresholds":{"stale_dayz":1}}"#.into(),
                name: Some("typo.json".into()),
            },
        )
        .unwrap_err();
        assert!(err.contains("stale_dayz"), "{err}");
        assert_eq!(ws.policy(), &loaded);
        let p = ask_findings(&mut ws, FindingsQuery::default());
        assert!(p.all_waived >= 1);
    }

    #[test]
    fn exported_profile_reads_back_with_from_json() {
        let mut ws = workspace();
        let default = ask_policy(&mut ws, ViewRequest::Policy).expect("policy");
        assert!(default.summary.default);
        assert_eq!(
            Policy::from_json(default.json.as_bytes()).expect("parses"),
            Policy::default()
        );
        let mut policy = Policy::from_json(
            br#"{"thresholds":{"rotation_days":30},"role_tiers":{"Deployer":0.8},
                "environment":{"subscriptions":{"s1":"prod","s2":"non-prod"},"prod_name_patterns":["*-prd-*"]},
                "trusted_issuers":["https://ci.example.com"],"home_tenant_id":"t",
                "waivers":[{"check_id":"*","identity":"sp-*","justification":"j","approver":"a","expires":"2020-01-01"}]}"#,
        )
        .expect("profile");
        policy.owner_tag_keys = vec!["squad".into()];
        let answer = policy_answer(&policy, Some(&evaluation(&policy)), None);
        assert_eq!(
            Policy::from_json(answer.json.as_bytes()).expect("parses"),
            policy
        );
        assert_eq!(answer.summary.expired, 1);
        assert!(answer.summary.listed[0].expired);
        // A pattern names no one identity.
        assert_eq!(answer.summary.listed[0].identity_name, None);
        let settings: Vec<&str> = answer
            .summary
            .changed
            .iter()
            .map(|c| c.setting.as_str())
            .collect();
        assert_eq!(
            settings,
            [
                "thresholds.rotation_days",
                "role_tiers",
                "owner_tag_keys",
                "environment",
                "trusted_issuers",
                "home_tenant_id"
            ]
        );
    }

    #[test]
    fn without_an_evaluation_the_page_says_so() {
        let mut ws = Workspace::new(demo().clone(), None, Policy::default());
        let p = ask_findings(&mut ws, FindingsQuery::default());
        assert!(!p.evaluated);
        assert!(p.groups.is_empty());
        assert!(p.policy.default);
    }
}
