//! Framework posture for the frameworks page: every framework's score and coverage, and for one framework each
//! control in scope with its score, the checks behind it (and which export a check that could not run needs), and
//! the identities with an open finding mapped to it.
//!
//! [`frameworks`] answers [`super::ViewRequest::Frameworks`]. Controls are named `framework:control` exactly as
//! [`super::Assessment::controls`] names them, so [`ControlView::filter`] in the identities table's `control` filter
//! lists the same identities that [`ControlView::failing`] counts.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::catalog;
use crate::checks::Evaluation;
use crate::findings::CheckStatus;
use crate::frameworks::Framework;
use crate::model::{IdentityIx, Snapshot};
use crate::score::{Band, FrameworkPosture, PostureStatus};

use super::{identity_key, identity_name};

/// Failing identities listed per control.
pub const TOP_FAILING: usize = 10;

/// One framework's posture in a line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrameworkSummary {
    /// Stable key (`owasp-nhi-2025` …), used in `#frameworks/<key>`.
    pub key: String,
    pub name: String,
    /// 0–100; `None`: not assessed.
    pub score: Option<f64>,
    pub status: PostureStatus,
    /// assessed / in-scope controls.
    pub coverage: f64,
    /// Controls some check maps to.
    pub controls_in_scope: u32,
    /// Of those, controls with at least one assessed check.
    pub controls_assessed: u32,
    /// Controls of the framework this catalog knows (in scope or not).
    pub controls_known: u32,
}

/// The frameworks page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrameworksView {
    pub frameworks: Vec<FrameworkSummary>,
    /// The framework asked for, when it exists.
    pub selected: Option<FrameworkDetail>,
    /// The key asked for when no framework has it.
    pub unknown: Option<String>,
}

/// One framework's controls.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrameworkDetail {
    pub summary: FrameworkSummary,
    /// Controls in scope, in the framework's order.
    pub controls: Vec<ControlView>,
    /// Controls of the framework that no check maps to: (id, title).
    pub uncovered: Vec<(String, String)>,
}

/// One control in scope.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ControlView {
    pub id: String,
    pub title: String,
    /// 0–100; `None`: not assessed (never 100).
    pub score: Option<f64>,
    pub status: PostureStatus,
    /// assessed / mapped checks.
    pub coverage: f64,
    /// Procedural: an inventory only partly evidences it.
    pub procedural: bool,
    /// `framework:control`, the identities table's `control` filter value.
    pub filter: String,
    pub checks: Vec<ControlCheck>,
    /// Identities with an open finding mapped to this control.
    pub failing: u64,
    /// The riskiest of them (at most [`TOP_FAILING`]), risk descending.
    pub top_failing: Vec<FailingIdentity>,
    /// Open findings mapped to this control that are about no identity (orphaned assignments, role definitions).
    pub other_findings: u64,
}

/// A check behind a control.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ControlCheck {
    pub id: String,
    pub title: String,
    pub status: CheckStatus,
    /// Counted in the control's score (it ran and had subjects).
    pub assessed: bool,
    /// Exports to ask for when it could not run (or ran without optional data).
    pub missing_exports: Vec<String>,
    pub applicable: u64,
    pub open_findings: u64,
}

/// An identity failing a control.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FailingIdentity {
    pub key: String,
    pub name: String,
    pub risk: u8,
    pub band: Band,
}

/// The framework with this key (case-insensitive).
#[must_use]
pub fn framework_by_key(key: &str) -> Option<Framework> {
    let key = key.trim();
    Framework::ALL
        .into_iter()
        .find(|f| f.key().eq_ignore_ascii_case(key))
}

fn summary(f: &FrameworkPosture) -> FrameworkSummary {
    FrameworkSummary {
        key: f.key.clone(),
        name: f.name.clone(),
        score: f.score,
        status: f.status,
        coverage: f.coverage,
        controls_in_scope: f.controls_in_scope,
        controls_assessed: f.controls_assessed,
        controls_known: f.framework.controls().len() as u32,
    }
}

/// Every framework's posture, in [`Framework::ALL`] order.
#[must_use]
pub fn framework_summaries(evaluation: &Evaluation) -> Vec<FrameworkSummary> {
    evaluation.posture.frameworks.iter().map(summary).collect()
}

/// The frameworks page; `framework` (a key) opens one framework's controls.
#[must_use]
pub fn frameworks(
    snapshot: &Snapshot,
    evaluation: &Evaluation,
    framework: Option<&str>,
) -> FrameworksView {
    let frameworks = framework_summaries(evaluation);
    let Some(key) = framework else {
        return FrameworksView {
            frameworks,
            selected: None,
            unknown: None,
        };
    };
    let posture = framework_by_key(key).and_then(|fw| {
        evaluation
            .posture
            .frameworks
            .iter()
            .find(|p| p.framework == fw)
    });
    match posture {
        Some(p) => FrameworksView {
            frameworks,
            selected: Some(detail(snapshot, evaluation, p)),
            unknown: None,
        },
        None => FrameworksView {
            frameworks,
            selected: None,
            unknown: Some(key.to_owned()),
        },
    }
}

/// Per control of `framework`: the identities with an open finding mapped to it, and the open findings about no
/// identity.
#[must_use]
pub fn failing_by_control(
    evaluation: &Evaluation,
    framework: Framework,
) -> BTreeMap<&'static str, (BTreeSet<IdentityIx>, u64)> {
    let mut out: BTreeMap<&'static str, (BTreeSet<IdentityIx>, u64)> = BTreeMap::new();
    for f in evaluation.findings.iter().filter(|f| f.open()) {
        let Some(check) = catalog::check(&f.check_id) else {
            continue;
        };
        for &control in check.mapping.ids(framework) {
            let entry = out.entry(control).or_default();
            match f.identity.index {
                Some(ix) => {
                    entry.0.insert(ix);
                }
                None => entry.1 += 1,
            }
        }
    }
    out
}

fn detail(snapshot: &Snapshot, evaluation: &Evaluation, p: &FrameworkPosture) -> FrameworkDetail {
    let failing = failing_by_control(evaluation, p.framework);
    let mut risk: BTreeMap<IdentityIx, (u8, Band)> = BTreeMap::new();
    for s in &evaluation.scores {
        if let Some(ix) = s.identity.index {
            risk.insert(ix, (s.risk, s.band));
        }
    }
    let runs: BTreeMap<&str, &crate::findings::CheckRun> = evaluation
        .checks
        .iter()
        .map(|r| (r.check_id.as_ref(), r))
        .collect();
    let controls = p
        .controls
        .iter()
        .map(|c| {
            let (ids, other) = failing.get(c.control.as_str()).cloned().unwrap_or_default();
            let mut ranked: Vec<(u8, Band, IdentityIx)> = ids
                .iter()
                .filter(|&&ix| (ix as usize) < snapshot.identities.len())
                .map(|&ix| {
                    let (r, b) = risk.get(&ix).copied().unwrap_or((0, Band::Low));
                    (r, b, ix)
                })
                .collect();
            crate::order::sort_by(&mut ranked, |a, b| b.0.cmp(&a.0).then(a.2.cmp(&b.2)));
            ControlView {
                id: c.control.clone(),
                title: c.title.clone(),
                score: c.score,
                status: c.status,
                coverage: c.coverage,
                procedural: c.procedural,
                filter: format!("{}:{}", p.key, c.control),
                checks: c
                    .checks
                    .iter()
                    .map(|id| {
                        let run = runs.get(id.as_str());
                        ControlCheck {
                            id: id.clone(),
                            title: run.map_or_else(
                                || catalog::check(id).map_or("", |k| k.title).to_owned(),
                                |r| r.title.to_string(),
                            ),
                            status: run.map_or(CheckStatus::NotEvaluated, |r| r.status),
                            assessed: c.assessed_checks.contains(id),
                            missing_exports: run
                                .map(|r| r.missing_exports.iter().map(|e| e.to_string()).collect())
                                .unwrap_or_default(),
                            applicable: run.map_or(0, |r| r.applicable),
                            open_findings: run.map_or(0, |r| r.open_findings),
                        }
                    })
                    .collect(),
                failing: ids.len() as u64,
                top_failing: ranked
                    .into_iter()
                    .take(TOP_FAILING)
                    .map(|(r, b, ix)| FailingIdentity {
                        key: identity_key(snapshot, ix),
                        name: identity_name(snapshot, ix),
                        risk: r,
                        band: b,
                    })
                    .collect(),
                other_findings: other,
            }
        })
        .collect();
    let in_scope: BTreeSet<&str> = p.controls.iter().map(|c| c.control.as_str()).collect();
    FrameworkDetail {
        summary: summary(p),
        controls,
        uncovered: p
            .framework
            .controls()
            .iter()
            .filter(|c| !in_scope.contains(c.id))
            .map(|c| (c.id.to_owned(), c.title.to_owned()))
            .collect(),
    }
}
