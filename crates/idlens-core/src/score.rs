//! Scoring (CONTROLS.md §9): per-identity risk 0–100 with its factors, and posture per framework control, per
//! framework and per tenant with coverage.
//!
//! **Risk** = round(100 × I × (0.35 + 0.65·L)).
//! - Impact I ∈ [0.05, 1] = max over grants of P(role) × S(scope) (root 1.0, management group 0.95, subscription
//!   0.85, resource group 0.6, resource or unknown 0.4), plus 0.1 if a grant is in production, 0.1 if the identity
//!   is a third-party (cross-tenant) app, and 0.05 × log2(#subscriptions); capped at 1. No grants: 0.05.
//!   Entra directory roles and Graph application permissions count as grants too: P from
//!   [`crate::ingest::directory_roles`] (1.0 Global / Privileged Role Administrator, RoleManagement.ReadWrite.Directory,
//!   AppRoleAssignment.ReadWrite.All; 0.8 the rest of the NHI-P-004 class; 0.1 read-only; 0.5 others) × S 1.0
//!   tenant-wide, 0.4 when scoped to one object or administrative unit.
//! - Likelihood L = 1 − (1 − λ₀) · Π(1 − λ_f): λ₀ by authentication (client secret 0.35, certificate 0.20,
//!   federation 0.10, managed identity or no usable credential 0.05); λ_f per open (unwaived) exposure finding by
//!   severity (critical 0.6, high 0.4, medium 0.2, low 0.05) × the OWASP exploitability of the check's first OWASP
//!   risk (Easy 1.0, Average 0.9, Hard 0.8). Privilege findings are impact, not likelihood; info findings count 0.
//! - Floors: an open critical *exposure* finding (which only exists when I ≥ 0.8 raised it, or for a wildcard
//!   federation) sets risk ≥ 70; an open critical NHI-P-002 together with an active static credential (secret or
//!   certificate) sets risk ≥ 85. Privilege findings alone do not floor: standing privilege scores through I
//!   (an Owner at the root on a clean managed identity scores 38).
//! - Bands: 0–33 low, 34–66 medium, 67–84 high, 85–100 critical.
//!
//! **Posture** per control c: 100 · Σ w_k·h_k / Σ w_k over the assessed checks k mapped to c, with w_k the check's
//! default-severity weight (critical 10, high 6, medium 3, low 1, info 0) and h_k the impact-weighted share of
//! applicable subjects without an open finding. No assessed check: *not assessed* (never 100). ≥ 90 satisfied,
//! 70–89 partial, < 70 not satisfied; an open critical finding caps the control at partial. Framework score: the
//! Σw-weighted mean of its assessed controls, with coverage = assessed / in-scope controls. Tenant score: the same
//! over all assessed checks, with coverage = assessed / all checks.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalog::{self, CHECKS, Severity};
use crate::checks::{Ctx, IdentityEval, View, evaluate_identity};
use crate::findings::{CheckRun, CheckStatus, IdentityRef};
use crate::frameworks::{Framework, owasp_exploitability};
use crate::ids::ScopeLevel;
use crate::model::{CredentialKind, Environment};

/// S(scope) of CONTROLS.md §9.2.
#[must_use]
pub fn scope_factor(level: ScopeLevel) -> f64 {
    match level {
        ScopeLevel::Root => 1.0,
        ScopeLevel::ManagementGroup => 0.95,
        ScopeLevel::Subscription => 0.85,
        ScopeLevel::ResourceGroup => 0.6,
        ScopeLevel::Resource | ScopeLevel::Unknown => 0.4,
    }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// The grant that sets the impact.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StrongestGrant {
    pub grant: u32,
    pub role: String,
    pub scope: String,
    /// P(role).
    pub role_factor: f64,
    /// S(scope).
    pub scope_factor: f64,
    /// `grant` indexes the snapshot's `directory_grants` (an Entra directory role or a Graph application
    /// permission), not its role assignments.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub directory: bool,
}

/// How a directory grant's scope reads: `tenant (Entra directory)`, or the `directoryScopeId` it is scoped to.
#[must_use]
pub fn directory_scope_label(cx: &Ctx<'_>, dx: u32) -> String {
    let snap = cx.snap;
    match snap.directory_grants.get(dx as usize) {
        Some(d) if !d.tenant_wide(&snap.strings) => format!(
            "Entra directory scope {}",
            snap.opt_str(d.directory_scope).unwrap_or("")
        ),
        _ => TENANT_SCOPE_LABEL.to_owned(),
    }
}

/// The scope text of a tenant-wide directory role or Graph application permission.
pub const TENANT_SCOPE_LABEL: &str = "tenant (Entra directory)";

/// Impact I and how it was reached.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Impact {
    pub value: f64,
    /// max P × S before reach adjustments (0.05 without grants).
    pub base: f64,
    pub strongest: Option<StrongestGrant>,
    pub prod_scope: bool,
    pub cross_tenant: bool,
    pub subscriptions: usize,
}

/// Impact of an identity as the view leaves it.
#[must_use]
pub fn impact(cx: &Ctx<'_>, view: &View) -> Impact {
    let mut best: Option<(f64, u32, f64, f64)> = None;
    let mut prod = false;
    let mut subs = Vec::new();
    for gx in view.grants(cx) {
        let p = cx.grant_tier(gx);
        let s = scope_factor(cx.scope_level(gx));
        if best.is_none_or(|b| p * s > b.0) {
            best = Some((p * s, gx, p, s));
        }
        prod |= cx.grant_env(gx) == Environment::Prod;
        // Kept sorted and distinct: a few subscriptions, however many grants.
        if let Some(sub) = cx.grant_subscription_ix(gx)
            && let Err(at) = subs.binary_search(&sub)
        {
            subs.insert(at, sub);
        }
    }
    // Entra directory roles and Graph application permissions: P(role) from the directory table, S = 1.0 when
    // tenant-wide, 0.4 (one object or administrative unit) when scoped.
    let mut best_directory: Option<(f64, u32, f64, f64)> = None;
    for dx in view.directory_grants(cx) {
        let Some(d) = cx.snap.directory_grants.get(dx as usize) else {
            continue;
        };
        let p = round4(f64::from(d.tier));
        let s = if d.tenant_wide(&cx.snap.strings) {
            1.0
        } else {
            0.4
        };
        if best_directory.is_none_or(|b| p * s > b.0) {
            best_directory = Some((p * s, dx, p, s));
        }
    }
    let cross = cx.foreign(view.ix);
    if let Some((base_d, dx, p, s)) = best_directory
        && best.is_none_or(|b| base_d > b.0)
    {
        let value = with_reach(base_d, prod, cross, subs.len());
        return Impact {
            value: round4(value.clamp(0.05, 1.0)),
            base: round4(base_d.max(0.05)),
            strongest: Some(StrongestGrant {
                grant: dx,
                role: cx.directory_role_name(dx),
                scope: directory_scope_label(cx, dx),
                role_factor: p,
                scope_factor: s,
                directory: true,
            }),
            prod_scope: prod,
            cross_tenant: cross,
            subscriptions: subs.len(),
        };
    }
    let Some((base, gx, p, s)) = best else {
        return Impact {
            value: 0.05,
            base: 0.05,
            strongest: None,
            prod_scope: false,
            cross_tenant: cross,
            subscriptions: 0,
        };
    };
    let value = with_reach(base, prod, cross, subs.len());
    // The role and scope as the grant's evidence names them (empty when scoring only, as that evidence is), read
    // directly: building the whole evidence for two of its fields was a tenth of the evaluation.
    let (role, scope) = if cx.scoring_only {
        (String::new(), String::new())
    } else {
        (
            cx.role_name(gx).to_owned(),
            cx.grant_scope_text(gx).to_owned(),
        )
    };
    Impact {
        value: round4(value.clamp(0.05, 1.0)),
        base: round4(base.max(0.05)),
        strongest: Some(StrongestGrant {
            grant: gx,
            role,
            scope,
            role_factor: p,
            scope_factor: s,
            directory: false,
        }),
        prod_scope: prod,
        cross_tenant: cross,
        subscriptions: subs.len(),
    }
}

/// How the identity authenticates, for λ₀.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthKind {
    ClientSecret,
    Certificate,
    Federation,
    ManagedIdentity,
    NoCredential,
}

impl AuthKind {
    #[must_use]
    pub fn lambda(self) -> f64 {
        match self {
            AuthKind::ClientSecret => 0.35,
            AuthKind::Certificate => 0.20,
            AuthKind::Federation => 0.10,
            AuthKind::ManagedIdentity | AuthKind::NoCredential => 0.05,
        }
    }
}

/// One exposure finding's contribution to likelihood.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LikelihoodFactor {
    pub check_id: String,
    pub severity: Severity,
    pub owasp: String,
    pub exploitability: f64,
    /// λ_f = severity λ × exploitability.
    pub lambda: f64,
}

/// Likelihood L and its parts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Likelihood {
    pub auth: AuthKind,
    pub base: f64,
    pub factors: Vec<LikelihoodFactor>,
    pub value: f64,
}

/// A floor that raised the risk.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Floor {
    pub rule: String,
    pub minimum: u8,
    pub check_id: String,
}

/// Risk band.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Band {
    Low,
    Medium,
    High,
    Critical,
}

impl Band {
    #[must_use]
    pub fn of(risk: u8) -> Band {
        match risk {
            0..=33 => Band::Low,
            34..=66 => Band::Medium,
            67..=84 => Band::High,
            _ => Band::Critical,
        }
    }
}

/// One identity's risk with every factor that produced it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdentityScore {
    pub identity: IdentityRef,
    pub risk: u8,
    /// Before floors.
    pub formula_risk: u8,
    pub band: Band,
    pub impact: Impact,
    pub likelihood: Likelihood,
    pub floors: Vec<Floor>,
    /// Indices into the evaluation's findings.
    pub findings: Vec<u32>,
}

/// Authentication kind of a view.
#[must_use]
pub fn auth_kind(cx: &Ctx<'_>, view: &View) -> AuthKind {
    if view.assume_federation {
        return AuthKind::Federation;
    }
    let now = cx.as_of;
    let mut cert = false;
    for c in view.credentials(cx) {
        let Some(c) = cx.snap.credentials.get(c as usize) else {
            continue;
        };
        let active = c.start.is_none_or(|s| s <= now) && c.end.is_none_or(|e| e > now);
        if !active {
            continue;
        }
        match c.kind {
            CredentialKind::Secret => return AuthKind::ClientSecret,
            CredentialKind::Certificate => cert = true,
        }
    }
    if cert {
        AuthKind::Certificate
    } else if view.federations(cx).next().is_some() {
        AuthKind::Federation
    } else if cx
        .identity(view.ix)
        .is_some_and(|i| i.kind.is_managed_identity())
    {
        AuthKind::ManagedIdentity
    } else {
        AuthKind::NoCredential
    }
}

/// Risk of an evaluated view: (risk, formula risk, likelihood, floors).
#[must_use]
pub fn risk(cx: &Ctx<'_>, view: &View, eval: &IdentityEval) -> (u8, u8, Likelihood, Vec<Floor>) {
    let auth = auth_kind(cx, view);
    let base = auth.lambda();
    let mut keep = 1.0 - base;
    let mut factors = Vec::new();
    let mut floors = Vec::new();
    for finding in eval.findings.iter().filter(|f| f.open()) {
        let Some(check) = catalog::check(&finding.check_id) else {
            continue;
        };
        if check.exposure && finding.severity > Severity::Info {
            let owasp = check.mapping.owasp.first().copied().unwrap_or("");
            let exploitability = owasp_exploitability(owasp);
            let lambda = round4(finding.severity.lambda() * exploitability);
            keep *= 1.0 - lambda;
            factors.push(LikelihoodFactor {
                check_id: check.id.to_owned(),
                severity: finding.severity,
                owasp: owasp.to_owned(),
                exploitability,
                lambda,
            });
            if finding.severity == Severity::Critical
                && !floors.iter().any(|f: &Floor| f.minimum == 70)
            {
                floors.push(Floor {
                    rule: "an open critical exposure finding sets risk ≥ 70".into(),
                    minimum: 70,
                    check_id: check.id.to_owned(),
                });
            }
        }
        if check.id == "NHI-P-002"
            && finding.severity == Severity::Critical
            && matches!(auth, AuthKind::ClientSecret | AuthKind::Certificate)
            && !floors.iter().any(|f: &Floor| f.minimum == 85)
        {
            floors.push(Floor {
                rule: "can grant access (NHI-P-002) with a static credential sets risk ≥ 85".into(),
                minimum: 85,
                check_id: check.id.to_owned(),
            });
        }
    }
    let l = round4(1.0 - keep);
    let formula = (100.0 * eval.impact.value * (0.35 + 0.65 * l))
        .round()
        .clamp(0.0, 100.0) as u8;
    let risk = floors
        .iter()
        .map(|f| f.minimum)
        .fold(formula, u8::max)
        .min(100);
    let likelihood = Likelihood {
        auth,
        base,
        factors,
        value: l,
    };
    (risk, formula, likelihood, floors)
}

/// Risk of a view, evaluating it (used by the remediation plan to re-score).
#[must_use]
pub fn rescore(cx: &Ctx<'_>, view: &View) -> u8 {
    let eval = evaluate_identity(cx, view);
    risk(cx, view, &eval).0
}

pub(crate) fn score_identity(
    cx: &Ctx<'_>,
    ix: u32,
    eval: &IdentityEval,
    first: u32,
) -> IdentityScore {
    let view = View::of(ix);
    let (risk, formula, likelihood, floors) = risk(cx, &view, eval);
    IdentityScore {
        identity: cx.identity_ref(ix),
        risk,
        formula_risk: formula,
        band: Band::of(risk),
        impact: eval.impact.clone(),
        likelihood,
        floors,
        findings: (first..first + eval.findings.len() as u32).collect(),
    }
}

/// Posture status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PostureStatus {
    Satisfied,
    Partial,
    NotSatisfied,
    NotAssessed,
}

fn status_of(score: Option<f64>, critical: bool) -> PostureStatus {
    match score {
        None => PostureStatus::NotAssessed,
        Some(s) if s >= 90.0 && critical => PostureStatus::Partial,
        Some(s) if s >= 90.0 => PostureStatus::Satisfied,
        Some(s) if s >= 70.0 => PostureStatus::Partial,
        Some(_) => PostureStatus::NotSatisfied,
    }
}

/// One framework control.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ControlPosture {
    pub control: String,
    pub title: String,
    /// `None`: not assessed.
    pub score: Option<f64>,
    pub status: PostureStatus,
    /// Checks mapped to it, and those that could be assessed.
    pub checks: Vec<String>,
    pub assessed_checks: Vec<String>,
    /// assessed / mapped checks.
    pub coverage: f64,
    /// Procedural control only partly evidenced by inventory (GV.RR-02, AC-1).
    pub procedural: bool,
    #[serde(skip)]
    weight: f64,
}

/// One framework.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrameworkPosture {
    pub framework: Framework,
    pub key: String,
    pub name: String,
    pub score: Option<f64>,
    pub status: PostureStatus,
    pub controls_in_scope: u32,
    pub controls_assessed: u32,
    /// assessed / in-scope controls.
    pub coverage: f64,
    pub controls: Vec<ControlPosture>,
}

/// The tenant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TenantPosture {
    pub score: Option<f64>,
    pub status: PostureStatus,
    pub checks_total: u32,
    pub checks_assessed: u32,
    pub coverage: f64,
    /// Σ identity risk (what the remediation plan reduces).
    pub total_risk: u64,
    pub identities: u64,
    /// Identities per band (all four bands present).
    pub bands: BTreeMap<Band, u64>,
}

/// Posture per framework and for the tenant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Posture {
    pub tenant: TenantPosture,
    pub frameworks: Vec<FrameworkPosture>,
}

fn assessed(run: &CheckRun) -> bool {
    run.status != CheckStatus::NotEvaluated && run.applicable > 0 && run.applicable_weight > 0.0
}

fn health(run: &CheckRun) -> f64 {
    if run.applicable_weight <= 0.0 {
        return 1.0;
    }
    (1.0 - run.unhealthy_weight / run.applicable_weight).clamp(0.0, 1.0)
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Posture from the check runs.
#[must_use]
pub fn posture(runs: &[CheckRun], scores: &[IdentityScore]) -> Posture {
    let weight =
        |run: &CheckRun| catalog::check(&run.check_id).map_or(0.0, |c| c.severity.weight());
    let mut frameworks = Vec::new();
    for framework in Framework::ALL {
        let mut controls = Vec::new();
        for control in framework.controls() {
            let mapped: Vec<&CheckRun> = runs
                .iter()
                .filter(|r| {
                    catalog::check(&r.check_id)
                        .is_some_and(|c| c.mapping.ids(framework).contains(&control.id))
                })
                .collect();
            if mapped.is_empty() {
                continue;
            }
            let done: Vec<&&CheckRun> = mapped.iter().filter(|r| assessed(r)).collect();
            let w: f64 = done.iter().map(|r| weight(r)).sum();
            let score = (w > 0.0).then(|| {
                round1(100.0 * done.iter().map(|r| weight(r) * health(r)).sum::<f64>() / w)
            });
            let critical = done.iter().any(|r| r.open_critical);
            controls.push(ControlPosture {
                control: control.id.to_owned(),
                title: control.title.to_owned(),
                score,
                status: status_of(score, critical),
                checks: mapped.iter().map(|r| r.check_id.to_string()).collect(),
                assessed_checks: done.iter().map(|r| r.check_id.to_string()).collect(),
                coverage: round4(done.len() as f64 / mapped.len() as f64),
                procedural: framework.procedural(control.id),
                weight: if score.is_some() { w } else { 0.0 },
            });
        }
        let total_w: f64 = controls.iter().map(|c| c.weight).sum();
        let score = (total_w > 0.0).then(|| {
            round1(
                controls
                    .iter()
                    .filter_map(|c| c.score.map(|s| s * c.weight))
                    .sum::<f64>()
                    / total_w,
            )
        });
        let in_scope = controls.len() as u32;
        let assessed_n = controls.iter().filter(|c| c.score.is_some()).count() as u32;
        let critical = controls
            .iter()
            .any(|c| c.status == PostureStatus::Partial && c.score.is_some_and(|s| s >= 90.0));
        frameworks.push(FrameworkPosture {
            framework,
            key: framework.key().to_owned(),
            name: framework.name().to_owned(),
            score,
            status: status_of(score, critical),
            controls_in_scope: in_scope,
            controls_assessed: assessed_n,
            coverage: if in_scope == 0 {
                0.0
            } else {
                round4(f64::from(assessed_n) / f64::from(in_scope))
            },
            controls,
        });
    }
    let done: Vec<&CheckRun> = runs.iter().filter(|r| assessed(r)).collect();
    let w: f64 = done.iter().map(|r| weight(r)).sum();
    let score = (w > 0.0)
        .then(|| round1(100.0 * done.iter().map(|r| weight(r) * health(r)).sum::<f64>() / w));
    let critical = done.iter().any(|r| r.open_critical);
    let mut bands: BTreeMap<Band, u64> = [Band::Low, Band::Medium, Band::High, Band::Critical]
        .into_iter()
        .map(|b| (b, 0))
        .collect();
    for s in scores {
        *bands.entry(s.band).or_default() += 1;
    }
    Posture {
        tenant: TenantPosture {
            score,
            status: status_of(score, critical),
            checks_total: CHECKS.len() as u32,
            checks_assessed: done.len() as u32,
            coverage: round4(done.len() as f64 / CHECKS.len() as f64),
            total_risk: scores.iter().map(|s| u64::from(s.risk)).sum(),
            identities: scores.len() as u64,
            bands,
        },
        frameworks,
    }
}

/// An impact base raised for reach (CONTROLS.md §9): +0.1 with a production scope, +0.1 for a cross-tenant
/// identity, +0.05 × log2(subscriptions) beyond one subscription. Not yet clamped.
fn with_reach(base: f64, prod: bool, cross: bool, subscriptions: usize) -> f64 {
    let mut value = base;
    if prod {
        value += 0.1;
    }
    if cross {
        value += 0.1;
    }
    if subscriptions > 1 {
        value += 0.05 * (subscriptions as f64).log2();
    }
    value
}
