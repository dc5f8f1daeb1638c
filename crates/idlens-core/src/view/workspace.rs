//! Everything the viewer's worker keeps between questions: the loaded snapshot, the as-of instant, the policy
//! profile (with the waivers made in the viewer), and what is derived from them on demand (the identities table,
//! the evaluation, the remediation plan), plus an optional baseline snapshot to compare with.
//!
//! Derived state is computed on the first question that needs it and dropped whenever an input changes (a new
//! policy, a new as-of), so every answer reflects the current inputs. The worker's C ABI (`crates/idlens-wasm`)
//! only moves bytes in and out of a [`Workspace`]; everything it answers is decided here, in plain Rust with native
//! tests.

use crate::checks::{self, Evaluation};
use crate::model::Snapshot;
use crate::policy::Policy;
use crate::remediate::{self, Plan};
use crate::report::InputDigest;

use super::{IdentityTable, ViewAnswer, ViewRequest, answer as answer_view, assess};

/// A snapshot loaded for comparison, with its evaluation once computed.
#[derive(Debug)]
pub struct Baseline {
    pub snapshot: Snapshot,
    /// The day the baseline was taken, when the user gave it; else it is judged at the workspace's as-of.
    as_of: Option<i64>,
    evaluation: Option<Evaluation>,
}

/// The worker's state.
#[derive(Debug)]
pub struct Workspace {
    snapshot: Snapshot,
    /// The instant the checks are evaluated at; `None` answers without risk and findings.
    as_of: Option<i64>,
    policy: Policy,
    table: Option<IdentityTable>,
    evaluation: Option<Evaluation>,
    /// The evaluation's findings carry their evidence. The dashboard's first question is answered from an evaluation
    /// of the scores only ([`checks::evaluate_scores`]: the same findings, scores and posture, no evidence), the
    /// evidence is added by the first question that shows it, or by [`Workspace::complete`] while the page is idle.
    evidence: bool,
    plan: Option<Plan>,
    baseline: Option<Baseline>,
    /// SHA-256 of the input files (the caller hashes; the report lists them).
    digests: Vec<InputDigest>,
    /// The evaluation's findings in the findings page's order (computed on its first question).
    findings: Option<super::findings::FindingsIndex>,
}

impl Baseline {
    /// A baseline not evaluated yet (it is evaluated with the workspace's as-of and policy on first use).
    #[must_use]
    pub fn new(snapshot: Snapshot) -> Baseline {
        Baseline {
            snapshot,
            as_of: None,
            evaluation: None,
        }
    }

    /// The same baseline, to be evaluated afresh (the current snapshot, its as-of or the policy changed); the day it
    /// was taken stays.
    #[must_use]
    pub fn unevaluated(self) -> Baseline {
        Baseline {
            evaluation: None,
            ..self
        }
    }
}

impl Workspace {
    /// A workspace over `snapshot`, evaluated at `as_of` under `policy`.
    #[must_use]
    pub fn new(snapshot: Snapshot, as_of: Option<i64>, policy: Policy) -> Workspace {
        Workspace {
            snapshot,
            as_of,
            policy,
            table: None,
            evaluation: None,
            evidence: false,
            plan: None,
            baseline: None,
            digests: Vec::new(),
            findings: None,
        }
    }

    #[must_use]
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    #[must_use]
    pub fn as_of(&self) -> Option<i64> {
        self.as_of
    }

    #[must_use]
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Evaluate at another instant (drops what was derived).
    pub fn set_as_of(&mut self, as_of: Option<i64>) {
        if self.as_of != as_of {
            self.as_of = as_of;
            self.invalidate();
        }
    }

    /// Evaluate under another policy (drops what was derived).
    pub fn set_policy(&mut self, policy: Policy) {
        self.policy = policy;
        self.invalidate();
    }

    /// Keep `snapshot` as the baseline to compare the loaded one with.
    pub fn set_baseline(&mut self, snapshot: Snapshot) {
        self.baseline = Some(Baseline {
            as_of: None,
            snapshot,
            evaluation: None,
        });
    }

    /// Forget the baseline.
    pub fn clear_baseline(&mut self) {
        self.baseline = None;
    }

    #[must_use]
    pub fn baseline(&self) -> Option<&Baseline> {
        self.baseline.as_ref()
    }

    /// Give the baseline back (to keep it across a reload of the current snapshot).
    pub fn take_baseline(&mut self) -> Option<Baseline> {
        self.baseline.take()
    }

    /// Put back a baseline taken with [`Workspace::take_baseline`].
    pub fn restore_baseline(&mut self, baseline: Option<Baseline>) {
        self.baseline = baseline;
    }

    fn invalidate(&mut self) {
        self.table = None;
        self.evaluation = None;
        self.evidence = false;
        self.plan = None;
        self.findings = None;
        if let Some(b) = &mut self.baseline {
            b.evaluation = None;
        }
    }

    /// The evaluation at the current as-of under the current policy (computed once); `None` without an as-of.
    pub fn evaluation(&mut self) -> Option<&Evaluation> {
        self.ensure_evaluation();
        self.evaluation.as_ref()
    }

    /// The remediation plan (computed once, on first use: it re-scores every candidate action). It reads the
    /// scores only, so it is the same whether the evaluation has its evidence yet or not.
    pub fn plan(&mut self) -> Option<&Plan> {
        self.ensure_scores();
        if self.plan.is_none() {
            let (Some(as_of), Some(evaluation)) = (self.as_of, &self.evaluation) else {
                return None;
            };
            self.plan = Some(remediate::plan(
                &self.snapshot,
                &self.policy,
                as_of,
                evaluation,
            ));
        }
        self.plan.as_ref()
    }

    /// The day the baseline is judged at: the day it was taken when given, else the current as-of.
    #[must_use]
    pub fn baseline_as_of(&self) -> Option<i64> {
        self.baseline.as_ref()?.as_of.or(self.as_of)
    }

    /// Judge the baseline as of `as_of` (the day it was taken), or at the current as-of with `None`.
    pub fn set_baseline_as_of(&mut self, as_of: Option<i64>) {
        if let Some(b) = &mut self.baseline
            && b.as_of != as_of
        {
            b.as_of = as_of;
            b.evaluation = None;
        }
    }

    /// The baseline's evaluation at [`Workspace::baseline_as_of`] under the current policy (computed once).
    pub fn baseline_evaluation(&mut self) -> Option<(&Snapshot, &Evaluation)> {
        let as_of = self.baseline_as_of()?;
        let policy = &self.policy;
        let b = self.baseline.as_mut()?;
        if b.evaluation.is_none() {
            b.evaluation = Some(checks::evaluate(&b.snapshot, policy, as_of));
        }
        b.evaluation.as_ref().map(|e| (&b.snapshot, e))
    }

    /// Evaluate with evidence, if not done yet (nothing to do without an as-of). An evaluation of the scores only is
    /// replaced; what was derived from it (the plan) reads the scores only and stays.
    fn ensure_evaluation(&mut self) {
        if (self.evaluation.is_none() || !self.evidence)
            && let Some(as_of) = self.as_of
        {
            self.evaluation = Some(checks::evaluate(&self.snapshot, &self.policy, as_of));
            self.evidence = true;
        }
    }

    /// Evaluate the scores, if nothing is evaluated yet: enough for the dashboard and the plan.
    fn ensure_scores(&mut self) {
        if self.evaluation.is_none()
            && let Some(as_of) = self.as_of
        {
            self.evaluation = Some(checks::evaluate_scores(&self.snapshot, &self.policy, as_of));
            self.evidence = false;
        }
    }

    /// Whether [`Workspace::complete`] has work left: an evaluation still without its evidence, once the dashboard
    /// has had both its answers (the scores, then the plan; the page asks for both at once, and the plan must not
    /// wait behind the evidence).
    #[must_use]
    pub fn incomplete(&self) -> bool {
        self.evaluation.is_some() && !self.evidence && self.plan.is_some()
    }

    /// Work to do while the user reads the dashboard: add the evidence to an evaluation of the scores only, so the
    /// next page does not wait for it. Returns whether there was any (see [`Workspace::incomplete`]).
    pub fn complete(&mut self) -> bool {
        let pending = self.incomplete();
        if pending {
            self.ensure_evaluation();
        }
        pending
    }

    /// Evaluate and build the identities table, if not done yet. Only the identities table and an identity's page
    /// need the table, so the dashboard's first answer does not wait for it.
    fn ensure(&mut self) {
        self.ensure_evaluation();
        if self.table.is_some() {
            return;
        }
        let mut table = IdentityTable::build(&self.snapshot);
        if let Some(evaluation) = &self.evaluation {
            table.set_assessments(assess::assessments(
                evaluation,
                self.snapshot.identities.len(),
            ));
        }
        self.table = Some(table);
    }

    /// The SHA-256 of one input file, computed by the caller (the report lists them); replaces an earlier one of
    /// the same path.
    pub fn add_digest(&mut self, digest: InputDigest) {
        self.digests.retain(|d| d.path != digest.path);
        self.digests.push(digest);
    }

    /// Whether every input file has its SHA-256.
    #[must_use]
    pub fn has_digests(&self) -> bool {
        self.snapshot
            .files
            .iter()
            .all(|f| self.digests.iter().any(|d| d.path == f.path))
    }

    /// A report or export, optionally pseudonymised (see [`super::export`]).
    fn export(&mut self, request: &super::export::ExportRequest) -> ViewAnswer {
        let key = match request.key.as_deref().map(super::export::key_bytes) {
            Some(Err(message)) => return ViewAnswer::Error { message },
            Some(Ok(key)) => Some(key),
            None => None,
        };
        // Reports and exports show every finding's evidence.
        self.ensure_evaluation();
        if self.plan().is_none() {
            return ViewAnswer::Error {
                message: "the snapshot has not been evaluated (no as-of date)".into(),
            };
        }
        // The baseline (when loaded) is the report's previous snapshot.
        if self.baseline.is_some() {
            self.baseline_evaluation();
        }
        let (Some(evaluation), Some(plan)) = (&self.evaluation, &self.plan) else {
            return ViewAnswer::Error {
                message: "the snapshot has not been evaluated".into(),
            };
        };
        let policy_label = if self.policy == Policy::default() {
            "default (no profile given)".to_owned()
        } else {
            format!(
                "set in the viewer ({} waiver{})",
                self.policy.waivers.len(),
                if self.policy.waivers.len() == 1 {
                    ""
                } else {
                    "s"
                }
            )
        };
        let previous = self
            .baseline
            .as_ref()
            .and_then(|b| b.evaluation.as_ref().map(|e| (&b.snapshot, e)));
        let undigested = self
            .snapshot
            .files
            .iter()
            .filter(|f| !self.digests.iter().any(|d| d.path == f.path))
            .count();
        let rendered = crate::export::artifact::render(
            request.artifact,
            &mut self.snapshot,
            &crate::export::artifact::Inputs {
                evaluation,
                plan,
                policy: &self.policy,
                policy_label,
                digests: self.digests.clone(),
                previous,
            },
            key.as_deref(),
        );
        ViewAnswer::Export(Box::new(super::export::ExportView {
            file_name: request.artifact.file_name().to_owned(),
            media_type: request.artifact.media_type().to_owned(),
            text: rendered.text,
            lookup: rendered
                .lookup
                .map(|l| serde_json::to_string_pretty(&l).unwrap_or_default()),
            undigested,
        }))
    }

    /// Answer one question.
    pub fn answer(&mut self, request: &ViewRequest) -> ViewAnswer {
        if let ViewRequest::Export(export) = request {
            return self.export(export);
        }
        match request {
            // Neither shows evidence: answered from the scores alone when nothing else was asked yet.
            ViewRequest::Dashboard | ViewRequest::DashboardActions { .. } => self.ensure_scores(),
            _ => self.ensure_evaluation(),
        }
        match request {
            ViewRequest::WhatIf(request) => {
                let (Some(as_of), Some(evaluation)) = (self.as_of, &self.evaluation) else {
                    return ViewAnswer::Error {
                        message: "the snapshot has not been evaluated (no as-of date)".into(),
                    };
                };
                match super::find_identity(&self.snapshot, &request.id) {
                    Some(ix) => ViewAnswer::WhatIf(Box::new(super::whatif::what_if(
                        &self.snapshot,
                        &self.policy,
                        as_of,
                        evaluation,
                        ix,
                        request,
                    ))),
                    None => ViewAnswer::Error {
                        message: format!("no identity has the id {}", request.id),
                    },
                }
            }
            ViewRequest::Dashboard => match &self.evaluation {
                Some(evaluation) => ViewAnswer::Dashboard(Box::new(super::dashboard::dashboard(
                    &self.snapshot,
                    evaluation,
                ))),
                None => ViewAnswer::Error {
                    message: "the snapshot has not been evaluated (no as-of date)".into(),
                },
            },
            ViewRequest::DashboardActions { limit } => {
                let limit = limit.unwrap_or(super::dashboard::TOP_ACTIONS).min(100);
                self.plan();
                match &self.plan {
                    Some(plan) => ViewAnswer::DashboardActions(super::dashboard::actions(
                        &self.snapshot,
                        plan,
                        limit,
                    )),
                    None => ViewAnswer::Error {
                        message: "the snapshot has not been evaluated (no as-of date)".into(),
                    },
                }
            }
            ViewRequest::Frameworks { framework } => match &self.evaluation {
                Some(evaluation) => ViewAnswer::Frameworks(Box::new(
                    super::frameworks::frameworks(&self.snapshot, evaluation, framework.as_deref()),
                )),
                None => ViewAnswer::Error {
                    message: "the snapshot has not been evaluated (no as-of date)".into(),
                },
            },
            ViewRequest::Findings(_)
            | ViewRequest::Policy
            | ViewRequest::Waive { .. }
            | ViewRequest::Unwaive { .. }
            | ViewRequest::EditWaiver { .. }
            | ViewRequest::SetPolicy { .. } => self.answer_findings(request),
            ViewRequest::SetDates {
                as_of,
                baseline_as_of,
            } => self.answer_dates(as_of.as_deref(), baseline_as_of.as_deref()),
            ViewRequest::Compare => {
                if self.baseline.is_none() {
                    return ViewAnswer::Compare { compare: None };
                }
                self.baseline_evaluation();
                match (&self.baseline, &self.evaluation) {
                    (
                        Some(Baseline {
                            snapshot,
                            evaluation: Some(old),
                            ..
                        }),
                        Some(evaluation),
                    ) => ViewAnswer::Compare {
                        compare: Some(Box::new(super::compare::compare(
                            snapshot,
                            old,
                            &self.snapshot,
                            evaluation,
                        ))),
                    },
                    _ => ViewAnswer::Error {
                        message: "the snapshots have not been evaluated (no as-of date)".into(),
                    },
                }
            }
            // The identities table and one identity.
            other => self.answer_table(other),
        }
    }

    /// The questions of the identities table and of one identity.
    fn answer_table(&mut self, request: &ViewRequest) -> ViewAnswer {
        self.ensure();
        let Some(table) = self.table.as_mut() else {
            return ViewAnswer::Error {
                message: "the identities table could not be built".into(),
            };
        };
        match request {
            // The table keeps each identity's assessment without its factors and findings in full; the page of
            // one identity gets them from the evaluation.
            ViewRequest::Identity { id, as_of } => ViewAnswer::Identity {
                detail: super::find_identity(&self.snapshot, id).and_then(|ix| {
                    let full = self
                        .evaluation
                        .as_ref()
                        .and_then(|e| assess::assessment_of(e, ix));
                    super::identity_detail(
                        &self.snapshot,
                        ix,
                        as_of.or(self.as_of),
                        full.as_ref().or_else(|| table.assessment(ix)),
                    )
                    .map(Box::new)
                }),
            },
            other => answer_view(&self.snapshot, table, other),
        }
    }
}

// The findings page, waivers and the policy profile (see `super::findings`).
impl Workspace {
    fn answer_findings(&mut self, request: &ViewRequest) -> ViewAnswer {
        use super::findings;
        match request {
            ViewRequest::Findings(query) => {
                self.ensure_evaluation();
                if self.findings.is_none() {
                    self.findings = self.evaluation.as_ref().map(findings::FindingsIndex::build);
                }
                let evaluated = self.evaluation.as_ref().zip(self.findings.as_ref());
                ViewAnswer::Findings(Box::new(findings::findings_page(
                    &self.snapshot,
                    evaluated,
                    &self.policy,
                    query,
                )))
            }
            ViewRequest::Waive { waiver } => match findings::with_waiver(&self.policy, waiver) {
                Ok(policy) => {
                    self.set_policy(policy);
                    self.answer_policy(Some(self.policy.waivers.len() - 1))
                }
                Err(message) => ViewAnswer::Error { message },
            },
            ViewRequest::Unwaive { index, waiver } => {
                match findings::without_waiver(&self.policy, *index, waiver) {
                    Ok((policy, at)) => {
                        // What it covered, read before the policy changes.
                        self.ensure_evaluation();
                        let revoked =
                            findings::covered_by(&self.policy, self.evaluation.as_ref(), at);
                        self.set_policy(policy);
                        let mut answer = self.answer_policy(None);
                        if let ViewAnswer::Policy(p) = &mut answer {
                            p.revoked = revoked;
                        }
                        answer
                    }
                    Err(message) => ViewAnswer::Error { message },
                }
            }
            ViewRequest::EditWaiver {
                index,
                waiver,
                edit,
            } => match findings::with_edited_waiver(&self.policy, *index, waiver, edit) {
                Ok((policy, at)) => {
                    self.set_policy(policy);
                    self.answer_policy(Some(at))
                }
                Err(message) => ViewAnswer::Error { message },
            },
            ViewRequest::SetPolicy { json, name } => {
                match findings::read_policy(json, name.as_deref()) {
                    Ok(policy) => {
                        self.set_policy(policy);
                        self.answer_policy(None)
                    }
                    Err(message) => ViewAnswer::Error { message },
                }
            }
            _ => self.answer_policy(None),
        }
    }

    /// Set the audit date and the baseline's date (see [`ViewRequest::SetDates`]); nothing changes when either is
    /// not a date.
    fn answer_dates(&mut self, as_of: Option<&str>, baseline_as_of: Option<&str>) -> ViewAnswer {
        let parse = |text: &str, what: &str| {
            crate::time::parse(text.trim())
                .map(|t| t.unix)
                .ok_or_else(|| format!("{what} {text:?} is not a date (YYYY-MM-DD)"))
        };
        let current = match as_of {
            Some(text) => match parse(text, "the audit date") {
                Ok(t) => Some(t),
                Err(message) => return ViewAnswer::Error { message },
            },
            None => None,
        };
        let baseline = match baseline_as_of.map(str::trim) {
            None => None,
            Some("") => Some(None),
            Some(text) => match parse(text, "the baseline's date") {
                Ok(t) => Some(Some(t)),
                Err(message) => return ViewAnswer::Error { message },
            },
        };
        if let Some(t) = current {
            self.set_as_of(Some(t));
        }
        if let Some(t) = baseline {
            self.set_baseline_as_of(t);
        }
        self.dates()
    }

    /// The audit date and the baseline's date, as the viewer shows them.
    #[must_use]
    pub fn dates(&self) -> ViewAnswer {
        let day = |t: i64| {
            crate::time::format_rfc3339(t)
                .chars()
                .take(10)
                .collect::<String>()
        };
        ViewAnswer::Dates {
            as_of: self.as_of.map(day),
            baseline_as_of: self.baseline_as_of().map(day),
            baseline_own_date: self.baseline.as_ref().is_some_and(|b| b.as_of.is_some()),
        }
    }

    fn answer_policy(&mut self, added: Option<usize>) -> ViewAnswer {
        self.ensure_evaluation();
        ViewAnswer::Policy(Box::new(super::findings::policy_answer(
            &self.policy,
            self.evaluation.as_ref(),
            added,
        )))
    }
}
