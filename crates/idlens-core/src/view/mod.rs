//! The viewer's view-model: questions the page asks about a [`Snapshot`] and the small, plain answers it gets back.
//!
//! The snapshot never leaves the worker. The page sends a [`ViewRequest`] (JSON) and receives a [`ViewAnswer`]
//! holding only what it shows: one window of the identities table ([`IdentityQuery`] → [`IdentityPage`]) or one
//! identity in full ([`IdentityDetail`]).
//!
//! - [`table`]: [`IdentityTable`], built once per snapshot, sorts and filters 100k identities by comparing
//!   precomputed integer keys over an index vector, and keeps the last order so scrolling only slices it.
//! - [`detail`]: [`identity_detail`], everything about one identity with the provenance of every fact.
//! - [`assess`]: [`assess::assessments`] turns the scoring's [`crate::checks::Evaluation`] into one [`Assessment`]
//!   per identity (risk, band, findings by severity, checks, controls, factors, findings with evidence).
//! - [`route`]: the URL fragment (`#identities?sort=grants&desc=1`, `#identity/<id>`) parsed and formatted.
//!
//! Risk, band, findings and framework controls come from the scoring; the table and the detail carry them as an
//! optional [`Assessment`] per identity, so they also work (with those columns empty) without an evaluation.
//!
//! Everything here is pure: no clock (the as-of instant is passed in), deterministic order everywhere.

pub mod assess;
pub mod compare;
pub mod dashboard;
pub mod detail;
pub mod export;
pub mod findings;
pub mod frameworks;
pub mod route;
pub mod table;
pub mod whatif;
mod wire;
pub mod workspace;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::ids::ScopeLevel;
use crate::model::{Environment, IdentityIx, IdentityKind, Provenance, Snapshot};

pub use detail::{
    ActivityView, CredentialView, FederationView, GrantView, IdentityDetail, WorkloadView,
    identity_detail,
};
pub use route::{FindingsFilter, Route, format_route, parse_route};
pub use table::{IdentityTable, identity_page};

/// A column of the identities table, for sorting (kebab-case in JSON and in the URL).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdentityColumn {
    #[default]
    Name,
    Kind,
    Environment,
    Subscription,
    Workloads,
    Grants,
    /// The strongest role's privilege tier.
    Tier,
    /// The widest scope any grant reaches.
    Scope,
    Credentials,
    Federations,
    LastSignIn,
    Risk,
    /// Open findings, ordered by the most severe first (critical count, then high, …).
    Findings,
}

impl IdentityColumn {
    pub const ALL: [IdentityColumn; 13] = [
        IdentityColumn::Name,
        IdentityColumn::Kind,
        IdentityColumn::Environment,
        IdentityColumn::Subscription,
        IdentityColumn::Workloads,
        IdentityColumn::Grants,
        IdentityColumn::Tier,
        IdentityColumn::Scope,
        IdentityColumn::Credentials,
        IdentityColumn::Federations,
        IdentityColumn::LastSignIn,
        IdentityColumn::Risk,
        IdentityColumn::Findings,
    ];

    /// The stable kebab-case name (JSON and URL).
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            IdentityColumn::Name => "name",
            IdentityColumn::Kind => "kind",
            IdentityColumn::Environment => "environment",
            IdentityColumn::Subscription => "subscription",
            IdentityColumn::Workloads => "workloads",
            IdentityColumn::Grants => "grants",
            IdentityColumn::Tier => "tier",
            IdentityColumn::Scope => "scope",
            IdentityColumn::Credentials => "credentials",
            IdentityColumn::Federations => "federations",
            IdentityColumn::LastSignIn => "last-sign-in",
            IdentityColumn::Risk => "risk",
            IdentityColumn::Findings => "findings",
        }
    }

    /// The column named `id`.
    #[must_use]
    pub fn from_id(id: &str) -> Option<IdentityColumn> {
        IdentityColumn::ALL.into_iter().find(|c| c.id() == id)
    }
}

/// Which identities, in which order, and which window of them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IdentityQuery {
    pub sort: IdentityColumn,
    pub descending: bool,
    /// Only these kinds (empty: all).
    pub kinds: Vec<IdentityKind>,
    /// Only these environments (empty: all).
    pub environments: Vec<Environment>,
    /// Only identities with an open finding of one of these severities (`critical`, `high`, `medium`, `low`,
    /// `info`; empty: all).
    pub severities: Vec<String>,
    /// Only identities with an open finding of one of these checks (empty: all).
    pub checks: Vec<String>,
    /// Only identities with an open finding mapped to one of these framework controls, written
    /// `framework:control` (empty: all).
    pub controls: Vec<String>,
    /// Free text: every word must occur (case-insensitively) in the name, an id, the subscription or resource group.
    pub text: String,
    /// First row of the window.
    pub offset: usize,
    /// Rows in the window (capped at [`MAX_LIMIT`]).
    pub limit: usize,
}

/// The most rows one answer carries.
pub const MAX_LIMIT: usize = 500;

impl IdentityQuery {
    /// The same query without its window: two queries with equal filters share one ordering.
    #[must_use]
    pub fn without_window(&self) -> IdentityQuery {
        IdentityQuery {
            offset: 0,
            limit: 0,
            ..self.clone()
        }
    }
}

/// Open findings of one identity by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityCounts {
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
    pub info: u32,
}

impl SeverityCounts {
    /// All open findings.
    #[must_use]
    pub fn total(&self) -> u32 {
        self.critical + self.high + self.medium + self.low + self.info
    }

    /// Count of severity `name` (`critical` … `info`); 0 for an unknown name.
    #[must_use]
    pub fn of(&self, name: &str) -> u32 {
        match name {
            "critical" => self.critical,
            "high" => self.high,
            "medium" => self.medium,
            "low" => self.low,
            "info" => self.info,
            _ => 0,
        }
    }

    /// Add one finding of severity `name`.
    pub fn add(&mut self, name: &str) {
        match name {
            "critical" => self.critical += 1,
            "high" => self.high += 1,
            "medium" => self.medium += 1,
            "low" => self.low += 1,
            _ => self.info += 1,
        }
    }

    /// A sort key: more severe findings weigh more than any number of milder ones.
    #[must_use]
    pub fn sort_key(&self) -> u64 {
        let cap = |n: u32| u64::from(n.min(0xFFF));
        (cap(self.critical) << 48)
            | (cap(self.high) << 36)
            | (cap(self.medium) << 24)
            | (cap(self.low) << 12)
            | cap(self.info)
    }
}

/// One factor behind a risk score, in words and number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RiskFactor {
    /// What it is (`strongest grant: Owner at subscription`, `static secret`, `NHI-C-001 high` …).
    pub label: String,
    /// Its value in the formula (a factor in [0, 1], or a floor).
    pub value: f64,
}

/// One finding as the identity page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FindingView {
    pub check_id: String,
    pub title: String,
    /// `critical`, `high`, `medium`, `low`, `info`.
    pub severity: String,
    pub message: String,
    pub remediation: String,
    pub waived: bool,
    /// Framework controls it maps to, `framework:control`, sorted.
    pub controls: Vec<String>,
    pub evidence: Vec<EvidenceView>,
}

/// One record behind a finding: where it is and which fields triggered it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvidenceView {
    /// What the record is (`role-assignment`, `credential` …).
    pub record_kind: String,
    pub source: Source,
    /// Field name and the value read.
    pub fields: Vec<(String, String)>,
}

/// What the scoring says of one identity: risk, band, findings and the controls they touch.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// 0–100.
    pub risk: u8,
    /// `low`, `medium`, `high`, `critical`.
    pub band: String,
    /// Open (not waived) findings by severity.
    pub findings: SeverityCounts,
    /// Check ids with an open finding, sorted.
    pub checks: Vec<String>,
    /// Controls of those checks, `framework:control`, sorted.
    pub controls: Vec<String>,
    /// The factors that produced the risk, in the order the formula applies them.
    pub factors: Vec<RiskFactor>,
    /// Every finding (open and waived), most severe first.
    pub details: Vec<FindingView>,
}

/// One row of the identities table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdentityRow {
    /// Index into the snapshot's identities (valid for this snapshot only).
    pub index: IdentityIx,
    /// The stable id used in the URL: principal id, else client id, else resource id (see [`identity_key`]).
    pub key: String,
    pub name: String,
    pub kind: IdentityKind,
    pub environment: Environment,
    pub subscription: Option<String>,
    pub resource_group: Option<String>,
    /// Only referenced, never listed by an identity export.
    pub inferred: bool,
    pub workloads: u32,
    pub grants: u32,
    /// The strongest role's name and tier (P(role) of CONTROLS.md §9.2).
    pub top_role: Option<String>,
    pub top_tier: Option<f32>,
    /// The broadest scope level of any grant.
    pub widest_scope: Option<ScopeLevel>,
    pub credentials: u32,
    pub federations: u32,
    /// Seconds since the epoch.
    pub last_sign_in_unix: Option<i64>,
    /// Risk (0–100) when the snapshot was evaluated.
    pub risk: Option<u8>,
    pub band: Option<String>,
    pub findings: Option<SeverityCounts>,
}

/// The values the filters can take in this snapshot, with how many identities have each.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Facets {
    pub kinds: Vec<(IdentityKind, usize)>,
    pub environments: Vec<(Environment, usize)>,
    /// Check ids with at least one open finding.
    pub checks: Vec<(String, usize)>,
    /// Controls with at least one open finding.
    pub controls: Vec<(String, usize)>,
    /// Whether risk and findings are known (the snapshot was evaluated).
    pub assessed: bool,
}

/// One window of the identities table.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IdentityPage {
    /// Identities that pass the filters.
    pub total: usize,
    /// Identities in the snapshot.
    pub all: usize,
    /// The first row's position.
    pub offset: usize,
    pub rows: Vec<IdentityRow>,
    pub facets: Facets,
}

/// Where a fact was read, by file name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The file's name as given.
    pub file: String,
    /// Record index within the file, from 0.
    pub record: u64,
    /// Line, from 1; 0 when unknown.
    pub line: u64,
}

impl Source {
    /// The source of `p`.
    #[must_use]
    pub fn of(snapshot: &Snapshot, p: &Provenance) -> Source {
        Source {
            file: snapshot
                .files
                .get(p.file as usize)
                .map_or_else(|| format!("file {}", p.file), |f| f.path.clone()),
            record: p.record,
            line: p.line,
        }
    }

    /// `identities.json, record 12, line 340`.
    #[must_use]
    pub fn label(&self) -> String {
        if self.line > 0 {
            format!("{}, record {}, line {}", self.file, self.record, self.line)
        } else {
            format!("{}, record {}", self.file, self.record)
        }
    }
}

/// What the page can ask the worker: a JSON object whose first key is `kind` (the variant, kebab-case), as serde
/// writes an internally tagged enum; read by a `Deserialize` of its own (`wire.rs`) that takes `kind` from the front.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ViewRequest {
    /// A window of the identities table.
    Identities(IdentityQuery),
    /// One identity by [`identity_key`] (or `#<index>`); `as_of` (seconds) decides which credentials have expired.
    Identity {
        id: String,
        #[serde(default)]
        as_of: Option<i64>,
    },
    /// The tenant at a glance: posture, findings, charts, riskiest identities, what could not be assessed.
    Dashboard,
    /// The first `limit` remediation actions (a separate question: the plan re-scores every candidate action).
    DashboardActions {
        #[serde(default)]
        limit: Option<usize>,
    },
    /// Every framework's posture; `framework` (a key) opens one framework's controls.
    Frameworks {
        #[serde(default)]
        framework: Option<String>,
    },
    /// One identity recomputed with some grants, credentials or federations switched off.
    WhatIf(whatif::WhatIfRequest),
    /// A report or export of the snapshot, optionally pseudonymised.
    Export(export::ExportRequest),
    /// Every finding grouped by check, filtered, one window per group.
    Findings(findings::FindingsQuery),
    /// The policy profile in force (its summary and its JSON, for export).
    Policy,
    /// Add a waiver to the policy (the snapshot is re-evaluated); answered with the new policy.
    Waive { waiver: crate::policy::Waiver },
    /// Revoke a waiver (the snapshot is re-evaluated); answered with the new policy, `revoked` saying what it
    /// covered. The waiver is named by its content as the page showed it, `index` its position then: a stale
    /// position never removes another waiver (see [`findings::locate_waiver`]).
    Unwaive {
        index: usize,
        waiver: crate::policy::Waiver,
    },
    /// Replace the justification, approver and expiry of a waiver (named as for `Unwaive`) in place; validated as a
    /// new waiver is. Answered with the new policy, `added` the edited waiver.
    EditWaiver {
        index: usize,
        waiver: crate::policy::Waiver,
        edit: findings::WaiverEdit,
    },
    /// Replace the policy by the profile in `json` (the text of file `name`); on error the policy stays.
    SetPolicy {
        json: String,
        #[serde(default)]
        name: Option<String>,
    },
    /// What changed from the baseline snapshot to the loaded one (`compare: None` when no baseline is loaded).
    Compare,
    /// Set the audit date (`as_of`, YYYY-MM-DD or RFC 3339) and the day the baseline was taken (`baseline_as_of`;
    /// `""` judges the baseline at the audit date again). A field left out stays as it is; with neither, the answer
    /// just tells both dates. Answered with [`ViewAnswer::Dates`].
    SetDates {
        #[serde(default)]
        as_of: Option<String>,
        #[serde(default)]
        baseline_as_of: Option<String>,
    },
}

/// What the worker answers: a JSON object whose first key is `kind` (the variant, kebab-case), the variant's fields
/// after it, as serde writes an internally tagged enum. Read back by a `Deserialize` of its own (`wire.rs`) that
/// takes `kind` from the front and hands the rest of the object to the variant, with no buffering.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ViewAnswer {
    Identities(IdentityPage),
    /// `None` when no identity has that id.
    Identity {
        detail: Option<Box<IdentityDetail>>,
    },
    Dashboard(Box<dashboard::DashboardView>),
    DashboardActions(dashboard::ActionsView),
    Frameworks(Box<frameworks::FrameworksView>),
    WhatIf(Box<whatif::WhatIfView>),
    Export(Box<export::ExportView>),
    Findings(Box<findings::FindingsPage>),
    /// The policy profile (also the answer to a waiver or a new profile).
    Policy(Box<findings::PolicyAnswer>),
    /// The comparison with the baseline; `None` when no baseline is loaded.
    Compare {
        compare: Option<Box<compare::CompareView>>,
    },
    /// The audit date and the day the baseline is judged at (YYYY-MM-DD); `baseline_own_date` when the user gave the
    /// baseline a date of its own rather than the audit date.
    Dates {
        as_of: Option<String>,
        baseline_as_of: Option<String>,
        baseline_own_date: bool,
    },
    /// The question could not be answered (no snapshot yet, unreadable request).
    Error {
        message: String,
    },
}

/// The stable id of identity `ix` for URLs: principal id, else client id, else resource id, else host resource id,
/// else `#<index>`.
#[must_use]
pub fn identity_key(snapshot: &Snapshot, ix: IdentityIx) -> String {
    let Some(identity) = snapshot.identities.get(ix as usize) else {
        return format!("#{ix}");
    };
    identity
        .principal_id
        .map(|g| g.canonical())
        .or_else(|| identity.client_id.map(|g| g.canonical()))
        .or_else(|| snapshot.opt_str(identity.resource_id).map(str::to_owned))
        .or_else(|| {
            snapshot
                .opt_str(identity.host_resource_id)
                .map(str::to_owned)
        })
        .unwrap_or_else(|| format!("#{ix}"))
}

/// The identity a key names: a principal or client id (any casing), a resource id (any casing), a host resource id,
/// or `#<index>`.
#[must_use]
pub fn find_identity(snapshot: &Snapshot, key: &str) -> Option<IdentityIx> {
    let key = key.trim();
    if let Some(n) = key.strip_prefix('#') {
        return n
            .parse::<IdentityIx>()
            .ok()
            .filter(|&i| (i as usize) < snapshot.identities.len());
    }
    if let Some(guid) = crate::ids::Guid::parse(key) {
        return snapshot
            .index
            .by_principal_id
            .get(&guid)
            .or_else(|| snapshot.index.by_client_id.get(&guid))
            .copied()
            .or_else(|| {
                // Indexes are first-wins; fall back to a scan so every key that was handed out resolves.
                snapshot
                    .identities
                    .iter()
                    .position(|i| i.principal_id == Some(guid) || i.client_id == Some(guid))
                    .map(|i| i as IdentityIx)
            });
    }
    if let Some(ix) = snapshot.index.by_resource_id.get(&snapshot.strings, key) {
        return Some(ix);
    }
    snapshot
        .identities
        .iter()
        .position(|i| {
            [i.resource_id, i.host_resource_id]
                .into_iter()
                .flatten()
                .any(|s| crate::ids::fold_eq(snapshot.str(s), key))
        })
        .map(|i| i as IdentityIx)
}

/// The name shown for identity `ix`: its display name, else its key.
#[must_use]
pub fn identity_name(snapshot: &Snapshot, ix: IdentityIx) -> String {
    snapshot
        .identities
        .get(ix as usize)
        .and_then(|i| snapshot.opt_str(i.display_name))
        .filter(|n| !n.trim().is_empty())
        .map_or_else(|| identity_key(snapshot, ix), str::to_owned)
}

/// A short human name for an identity kind.
#[must_use]
pub fn kind_label(kind: IdentityKind) -> &'static str {
    match kind {
        IdentityKind::UserAssignedManagedIdentity => "User-assigned managed identity",
        IdentityKind::SystemAssignedManagedIdentity => "System-assigned managed identity",
        IdentityKind::ManagedIdentity => "Managed identity",
        IdentityKind::ApplicationServicePrincipal => "Application service principal",
        IdentityKind::ApplicationRegistration => "App registration",
        IdentityKind::OtherServicePrincipal => "Other service principal",
        IdentityKind::AwsRole => "AWS role",
        IdentityKind::AwsUser => "AWS user",
        IdentityKind::GcpServiceAccount => "GCP service account",
        IdentityKind::KubernetesServiceAccount => "Kubernetes service account",
    }
}

/// The kind whose [`IdentityKind::id`] is `id`.
#[must_use]
pub fn kind_from_id(id: &str) -> Option<IdentityKind> {
    IdentityKind::ALL.into_iter().find(|k| k.id() == id)
}

/// The stable kebab-case name of an environment.
#[must_use]
pub fn environment_id(env: Environment) -> &'static str {
    match env {
        Environment::Prod => "prod",
        Environment::NonProd => "non-prod",
        Environment::Unknown => "unknown",
    }
}

/// The environment named `id`.
#[must_use]
pub fn environment_from_id(id: &str) -> Option<Environment> {
    [
        Environment::Prod,
        Environment::NonProd,
        Environment::Unknown,
    ]
    .into_iter()
    .find(|e| environment_id(*e) == id)
}

/// The privilege tier of P(role) (CONTROLS.md §9.2) in words.
#[must_use]
pub fn tier_label(tier: f32) -> &'static str {
    if tier >= 0.99 {
        "privileged admin"
    } else if tier >= 0.79 {
        "contributor"
    } else if tier >= 0.69 {
        "data owner"
    } else if tier >= 0.49 {
        "write"
    } else if tier >= 0.39 {
        "secret read"
    } else if tier >= 0.09 {
        "reader"
    } else {
        "none"
    }
}

/// How broad a scope level is: root 5 … resource 1, unknown 0.
#[must_use]
pub fn scope_breadth(level: ScopeLevel) -> u8 {
    match level {
        ScopeLevel::Root => 5,
        ScopeLevel::ManagementGroup => 4,
        ScopeLevel::Subscription => 3,
        ScopeLevel::ResourceGroup => 2,
        ScopeLevel::Resource => 1,
        ScopeLevel::Unknown => 0,
    }
}

/// Answer the questions that need only a snapshot and its table (the identities table and one identity); the rest
/// need the evaluation and are answered by [`workspace::Workspace::answer`]. An identity answered here carries the
/// table's assessment, without its factors and findings; the workspace's answer has them ([`assess::assessment_of`]).
pub fn answer(snapshot: &Snapshot, table: &mut IdentityTable, request: &ViewRequest) -> ViewAnswer {
    match request {
        ViewRequest::Identities(query) => ViewAnswer::Identities(table.query(snapshot, query)),
        ViewRequest::Identity { id, as_of } => ViewAnswer::Identity {
            detail: find_identity(snapshot, id).and_then(|ix| {
                identity_detail(snapshot, ix, *as_of, table.assessment(ix)).map(Box::new)
            }),
        },
        _ => ViewAnswer::Error {
            message: "this question needs the workspace (an evaluated snapshot)".into(),
        },
    }
}
