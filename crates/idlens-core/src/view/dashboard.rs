//! The dashboard: the tenant at a glance, from the workspace's snapshot and evaluation.
//!
//! [`dashboard`] answers [`super::ViewRequest::Dashboard`]: tenant posture with its coverage and bands, open and
//! waived findings by severity, posture per framework, the six charts of [`crate::charts`] (each with a one-line
//! summary and a small table for screen readers and print), the riskiest identities, the checks that could not run
//! and which export each needs, and what was read.
//!
//! The remediation plan re-scores every candidate action, which takes a while on a large tenant, so it is a second
//! question ([`super::ViewRequest::DashboardActions`], answered by [`actions`]): the page shows the dashboard first
//! and the actions when they arrive.
//!
//! Everything is capped (top identities, actions) and deterministic: sorted with total tie-breaks.

use serde::{Deserialize, Serialize};

use crate::charts::{self, ChartData, EXPIRY_BINS, SCOPE_COLUMNS, STALE_BINS, TIER_ROWS};
use crate::checks::Evaluation;
use crate::findings::CheckStatus;
use crate::model::{IdentityIx, IdentityKind, Snapshot};
use crate::remediate::Plan;
use crate::score::{Band, PostureStatus};

use super::frameworks::{FrameworkSummary, framework_summaries};
use super::{SeverityCounts, identity_key, identity_name};

/// Riskiest identities listed.
pub const TOP_IDENTITIES: usize = 10;
/// Most remediation actions listed.
pub const TOP_ACTIONS: usize = 10;

/// The tenant at a glance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardView {
    /// The as-of instant (RFC 3339, UTC).
    pub as_of: String,
    pub tenant: TenantView,
    /// Open (unwaived) findings by severity.
    pub open: SeverityCounts,
    /// Findings a waiver covers (shown, not counted).
    pub waived: u64,
    /// Posture per framework, in [`crate::frameworks::Framework::ALL`] order.
    pub frameworks: Vec<FrameworkSummary>,
    pub charts: Vec<ChartView>,
    /// The riskiest identities, risk descending (at most [`TOP_IDENTITIES`]).
    pub top_identities: Vec<RiskyIdentity>,
    /// Identities with a risk in the high or critical band.
    pub high_risk_identities: u64,
    /// Checks that could not run, grouped by the exports they need.
    pub not_evaluated: Vec<MissingExports>,
    /// Checks that ran without some optional data.
    pub partial: Vec<CheckRef>,
    /// What no export of this version can assess.
    pub not_assessable: Vec<String>,
    pub read: ReadSummary,
}

/// Tenant posture.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TenantView {
    /// 0–100; `None`: not assessed (never shown as 100).
    pub score: Option<f64>,
    pub status: PostureStatus,
    pub checks_total: u32,
    pub checks_assessed: u32,
    /// assessed / all checks.
    pub coverage: f64,
    pub identities: u64,
    /// Σ identity risk.
    pub total_risk: u64,
    /// Identities per band, low to critical (all four present).
    pub bands: Vec<(Band, u64)>,
}

/// One chart: the SVG (drawn by the core, labels escaped), a sentence, and its numbers as a table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChartView {
    /// `posture`, `severity`, `risk`, `privilege`, `staleness`, `expiry`.
    pub id: String,
    pub title: String,
    pub svg: String,
    /// One visible sentence saying what the chart shows.
    pub summary: String,
    pub table: ChartTable,
}

/// A chart's numbers: column headers, then rows whose first cell is the row's header.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChartTable {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// One of the riskiest identities.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RiskyIdentity {
    /// [`identity_key`], for `#identity/<key>`.
    pub key: String,
    pub name: String,
    pub kind: IdentityKind,
    pub risk: u8,
    pub band: Band,
    /// Open findings by severity.
    pub findings: SeverityCounts,
    /// The most severe open finding (catalog order breaks ties).
    pub top_finding: Option<FindingRef>,
}

/// A finding named by its check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FindingRef {
    pub check_id: String,
    pub title: String,
    /// `critical` … `info`.
    pub severity: String,
}

/// A check by id and title.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRef {
    pub id: String,
    pub title: String,
}

/// Checks that could not run for want of the same exports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingExports {
    /// The exports to ask for.
    pub exports: Vec<String>,
    pub checks: Vec<CheckRef>,
}

/// What was read, in totals (the load page has every file).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadSummary {
    pub files: u64,
    /// Files whose format was not recognised.
    pub unrecognised: u64,
    pub records: u64,
    pub ingested: u64,
    pub merged: u64,
    pub set_aside: u64,
}

/// The ranked remediation actions.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ActionsView {
    /// Σ identity risk before any action.
    pub tenant_risk: u64,
    /// Actions in the plan (the answer lists at most [`TOP_ACTIONS`]).
    pub total: u64,
    /// Risk removed by all actions listed.
    pub listed_risk_removed: u64,
    pub actions: Vec<ActionView>,
}

/// One action of the plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionView {
    pub description: String,
    /// The identity it touches ([`identity_key`]), when it is one.
    pub identity_key: Option<String>,
    pub identity_name: String,
    pub risk_before: u8,
    pub risk_after: u8,
    pub risk_removed: u32,
    /// Checks whose open findings it addresses.
    pub checks: Vec<String>,
}

/// The dashboard of `snapshot` evaluated as `evaluation`.
#[must_use]
pub fn dashboard(snapshot: &Snapshot, evaluation: &Evaluation) -> DashboardView {
    let posture = &evaluation.posture;
    let tenant = TenantView {
        score: posture.tenant.score,
        status: posture.tenant.status,
        checks_total: posture.tenant.checks_total,
        checks_assessed: posture.tenant.checks_assessed,
        coverage: posture.tenant.coverage,
        identities: posture.tenant.identities,
        total_risk: posture.tenant.total_risk,
        bands: [Band::Low, Band::Medium, Band::High, Band::Critical]
            .into_iter()
            .map(|b| (b, posture.tenant.bands.get(&b).copied().unwrap_or(0)))
            .collect(),
    };
    let mut open = SeverityCounts::default();
    let mut waived = 0u64;
    for f in &evaluation.findings {
        if f.open() {
            open.add(f.severity.id());
        } else {
            waived += 1;
        }
    }
    let high_risk_identities = evaluation
        .scores
        .iter()
        .filter(|s| s.band >= Band::High)
        .count() as u64;
    DashboardView {
        as_of: evaluation.as_of.clone(),
        tenant,
        open,
        waived,
        frameworks: framework_summaries(evaluation),
        charts: chart_views(snapshot, evaluation),
        top_identities: top_identities(snapshot, evaluation, TOP_IDENTITIES),
        high_risk_identities,
        not_evaluated: not_evaluated(evaluation),
        partial: evaluation
            .checks
            .iter()
            .filter(|r| r.status == CheckStatus::Partial)
            .map(|r| CheckRef {
                id: r.check_id.to_string(),
                title: r.title.to_string(),
            })
            .collect(),
        not_assessable: evaluation
            .not_assessable
            .iter()
            .map(ToString::to_string)
            .collect(),
        read: read_summary(snapshot),
    }
}

/// The first `limit` actions of `plan`, as ranked by the plan (risk removed, descending).
#[must_use]
pub fn actions(snapshot: &Snapshot, plan: &Plan, limit: usize) -> ActionsView {
    let actions: Vec<ActionView> = plan
        .actions
        .iter()
        .take(limit)
        .map(|a| ActionView {
            description: a.description.clone(),
            identity_key: a
                .identity
                .index
                .filter(|&ix| (ix as usize) < snapshot.identities.len())
                .map(|ix| identity_key(snapshot, ix)),
            identity_name: a.identity.name.clone(),
            risk_before: a.risk_before,
            risk_after: a.risk_after,
            risk_removed: a.risk_removed,
            checks: a.checks.clone(),
        })
        .collect();
    ActionsView {
        tenant_risk: plan.tenant_risk,
        total: plan.actions.len() as u64,
        listed_risk_removed: actions.iter().map(|a| u64::from(a.risk_removed)).sum(),
        actions,
    }
}

/// The `limit` riskiest identities: risk descending, then more severe open findings, then snapshot order.
#[must_use]
pub fn top_identities(
    snapshot: &Snapshot,
    evaluation: &Evaluation,
    limit: usize,
) -> Vec<RiskyIdentity> {
    let mut scored: Vec<(u8, u64, IdentityIx, usize)> = evaluation
        .scores
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let ix = s.identity.index?;
            ((ix as usize) < snapshot.identities.len()).then_some(())?;
            let mut counts = SeverityCounts::default();
            for f in s
                .findings
                .iter()
                .filter_map(|&f| evaluation.findings.get(f as usize))
                .filter(|f| f.open())
            {
                counts.add(f.severity.id());
            }
            Some((s.risk, counts.sort_key(), ix, i))
        })
        .collect();
    crate::order::sort_by(&mut scored, |a, b| {
        b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2))
    });
    scored
        .into_iter()
        .take(limit)
        .map(|(_, _, ix, i)| {
            let score = &evaluation.scores[i];
            let open: Vec<_> = score
                .findings
                .iter()
                .filter_map(|&f| evaluation.findings.get(f as usize))
                .filter(|f| f.open())
                .collect();
            let mut findings = SeverityCounts::default();
            for f in &open {
                findings.add(f.severity.id());
            }
            // The first of the most severe: findings are in catalog order.
            let top = open
                .iter()
                .copied()
                .reduce(|best, f| if f.severity > best.severity { f } else { best });
            RiskyIdentity {
                key: identity_key(snapshot, ix),
                name: identity_name(snapshot, ix),
                kind: snapshot.identities[ix as usize].kind,
                risk: score.risk,
                band: score.band,
                findings,
                top_finding: top.map(|f| FindingRef {
                    check_id: f.check_id.to_string(),
                    title: f.title.to_string(),
                    severity: f.severity.id().to_owned(),
                }),
            }
        })
        .collect()
}

/// Not-evaluated checks grouped by the exports they miss (groups in the order their first check appears).
fn not_evaluated(evaluation: &Evaluation) -> Vec<MissingExports> {
    let mut groups: Vec<MissingExports> = Vec::new();
    for run in evaluation
        .checks
        .iter()
        .filter(|r| r.status == CheckStatus::NotEvaluated)
    {
        let exports: Vec<String> = run.missing_exports.iter().map(|e| e.to_string()).collect();
        let check = CheckRef {
            id: run.check_id.to_string(),
            title: run.title.to_string(),
        };
        match groups.iter_mut().find(|g| g.exports == exports) {
            Some(g) => g.checks.push(check),
            None => groups.push(MissingExports {
                exports,
                checks: vec![check],
            }),
        }
    }
    groups
}

/// Totals over the files read.
#[must_use]
pub fn read_summary(snapshot: &Snapshot) -> ReadSummary {
    let mut r = ReadSummary::default();
    for f in &snapshot.files {
        r.files += 1;
        if f.format == "unknown" {
            r.unrecognised += 1;
        }
        r.records += f.records;
        r.ingested += f.ingested;
        r.merged += f.merged;
        r.set_aside += f.set_aside.len() as u64;
    }
    r
}

fn n(v: u64) -> String {
    v.to_string()
}

fn plural(v: u64, one: &str, many: &str) -> String {
    if v == 1 {
        format!("1 {one}")
    } else {
        format!("{v} {many}")
    }
}

/// The six charts with a sentence and a table each.
fn chart_views(snapshot: &Snapshot, evaluation: &Evaluation) -> Vec<ChartView> {
    let data = ChartData::of(snapshot, evaluation);
    charts::render_all(&data)
        .into_iter()
        .map(|chart| {
            let (summary, table) = describe(chart.id, &data);
            ChartView {
                id: chart.id.to_owned(),
                title: chart.title.to_owned(),
                svg: chart.svg,
                summary,
                table,
            }
        })
        .collect()
}

fn describe(id: &str, data: &ChartData) -> (String, ChartTable) {
    match id {
        "posture" => {
            let assessed: Vec<_> = data.posture.iter().filter(|b| b.value.is_some()).collect();
            let lowest = assessed.iter().min_by(|a, b| {
                a.value
                    .partial_cmp(&b.value)
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            let summary = match lowest {
                Some(b) => format!(
                    "{} of {} frameworks assessed; the lowest is {} at {:.1} of 100.",
                    assessed.len(),
                    data.posture.len(),
                    b.label,
                    b.value.unwrap_or(0.0)
                ),
                None => "No framework could be assessed with the exports given.".to_owned(),
            };
            let rows = data
                .posture
                .iter()
                .map(|b| {
                    vec![
                        b.label.clone(),
                        b.value
                            .map_or_else(|| "not assessed".to_owned(), |v| format!("{v:.1}")),
                    ]
                })
                .collect();
            (
                summary,
                ChartTable {
                    headers: vec!["Framework".into(), "Score (of 100)".into()],
                    rows,
                },
            )
        }
        "severity" => {
            let total: f64 = data.severity.iter().filter_map(|b| b.value).sum();
            let parts: Vec<String> = data
                .severity
                .iter()
                .map(|b| format!("{} {}", b.value.unwrap_or(0.0), b.label))
                .collect();
            (
                format!("{} open findings: {}.", total as u64, parts.join(", ")),
                ChartTable {
                    headers: vec!["Severity".into(), "Open findings".into()],
                    rows: data
                        .severity
                        .iter()
                        .map(|b| vec![b.label.clone(), format!("{}", b.value.unwrap_or(0.0))])
                        .collect(),
                },
            )
        }
        "risk" => {
            let total: u64 = data.risk.iter().sum();
            let high: u64 = data.risk[7..].iter().sum();
            let label = |i: usize| {
                if i == 9 {
                    "90–100".to_owned()
                } else {
                    format!("{}–{}", i * 10, i * 10 + 9)
                }
            };
            (
                format!(
                    "{} of {} score 70 or more.",
                    plural(high, "identity", "identities"),
                    total
                ),
                ChartTable {
                    headers: vec!["Risk score".into(), "Identities".into()],
                    rows: data
                        .risk
                        .iter()
                        .enumerate()
                        .map(|(i, &v)| vec![label(i), n(v)])
                        .collect(),
                },
            )
        }
        "privilege" => {
            let total: u64 = data.heat.iter().flatten().sum();
            let top: u64 = data.heat[0][..3].iter().sum();
            let mut headers = vec!["Role tier".to_owned()];
            headers.extend(SCOPE_COLUMNS.iter().map(|s| (*s).to_owned()));
            (
                format!(
                    "{} role assignments to workload identities; {} grant owner-level roles at subscription scope or wider.",
                    total, top
                ),
                ChartTable {
                    headers,
                    rows: data
                        .heat
                        .iter()
                        .zip(TIER_ROWS)
                        .map(|(row, label)| {
                            std::iter::once(label.to_owned())
                                .chain(row.iter().map(|&v| n(v)))
                                .collect()
                        })
                        .collect(),
                },
            )
        }
        "staleness" => {
            let total: u64 = data.staleness.iter().sum();
            let stale: u64 = data.staleness[2..5].iter().sum();
            (
                format!(
                    "{} of {} last signed in more than 90 days ago; {} never or unknown.",
                    plural(stale, "identity", "identities"),
                    total,
                    data.staleness[5]
                ),
                ChartTable {
                    headers: vec!["Days since last sign-in".into(), "Identities".into()],
                    rows: data
                        .staleness
                        .iter()
                        .zip(STALE_BINS)
                        .map(|(&v, label)| vec![label.to_owned(), n(v)])
                        .collect(),
                },
            )
        }
        _ => {
            let total: u64 = data.expiry.iter().map(|(s, c)| s + c).sum();
            let expired: u64 = data.expiry[..2].iter().map(|(s, c)| s + c).sum();
            let soon: u64 = data.expiry[2].0 + data.expiry[2].1;
            (
                format!(
                    "{} credentials: {} expired, {} expire within 30 days.",
                    total, expired, soon
                ),
                ChartTable {
                    headers: vec!["Expiry".into(), "Secrets".into(), "Certificates".into()],
                    rows: data
                        .expiry
                        .iter()
                        .zip(EXPIRY_BINS)
                        .map(|(&(s, c), label)| vec![label.to_owned(), n(s), n(c)])
                        .collect(),
                },
            )
        }
    }
}

#[cfg(test)]
mod tests {
    //! The dashboard and frameworks answers on the demo tenant, held to the evaluation they come from.

    use std::collections::BTreeSet;
    use std::sync::{Mutex, OnceLock};

    use super::*;
    use crate::frameworks::{Framework, OWASP};
    use crate::generate::{DEMO_AS_OF_UNIX, GenerateOptions, generate};
    use crate::ingest::{Ingest, IngestOptions};
    use crate::policy::Policy;
    use crate::view::frameworks::{FrameworksView, failing_by_control};
    use crate::view::workspace::Workspace;
    use crate::view::{IdentityQuery, ViewAnswer, ViewRequest, find_identity};

    /// The demo tenant, with only the files whose names `keep` accepts.
    fn ingest(keep: impl Fn(&str) -> bool) -> Snapshot {
        let mut ingest = Ingest::new(IngestOptions::default());
        for file in generate(&GenerateOptions::demo()) {
            if keep(&file.name) {
                ingest.add_file(&format!("demo/tenant/{}", file.name), &file.bytes);
            }
        }
        ingest.finish()
    }

    /// The demo tenant in a workspace at its as-of date (evaluated and planned once for all tests).
    fn demo() -> &'static Mutex<Workspace> {
        static DEMO: OnceLock<Mutex<Workspace>> = OnceLock::new();
        DEMO.get_or_init(|| {
            let mut w = Workspace::new(ingest(|_| true), Some(DEMO_AS_OF_UNIX), Policy::default());
            let _ = w.plan();
            Mutex::new(w)
        })
    }

    fn ask(w: &mut Workspace, request: &ViewRequest) -> ViewAnswer {
        // Through JSON both ways, as the worker does.
        let request: ViewRequest =
            serde_json::from_str(&serde_json::to_string(request).expect("request json"))
                .expect("request back");
        let answer = w.answer(&request);
        serde_json::from_str(&serde_json::to_string(&answer).expect("answer json"))
            .expect("answer back")
    }

    fn dashboard_of(w: &mut Workspace) -> DashboardView {
        match ask(w, &ViewRequest::Dashboard) {
            ViewAnswer::Dashboard(d) => *d,
            other => panic!("not a dashboard: {other:?}"),
        }
    }

    fn frameworks_of(w: &mut Workspace, key: Option<&str>) -> FrameworksView {
        match ask(
            w,
            &ViewRequest::Frameworks {
                framework: key.map(str::to_owned),
            },
        ) {
            ViewAnswer::Frameworks(f) => *f,
            other => panic!("not frameworks: {other:?}"),
        }
    }

    #[test]
    fn the_dashboard_comes_first_from_the_scores_and_the_evidence_after() {
        // A fresh workspace answers the dashboard and its actions from an evaluation of the scores only; they must
        // be the answers of a fully evaluated one. The evidence comes with the first page that shows it, or while
        // idle (`complete`).
        let json = |a: &ViewAnswer| serde_json::to_string(a).expect("json");
        let fresh = || Workspace::new(ingest(|_| true), Some(DEMO_AS_OF_UNIX), Policy::default());
        let actions = ViewRequest::DashboardActions { limit: Some(50) };
        let mut full = fresh();
        assert!(full.evaluation().is_some() && !full.incomplete());
        let (full_dashboard, full_actions) = (
            json(&ask(&mut full, &ViewRequest::Dashboard)),
            json(&ask(&mut full, &actions)),
        );
        assert!(full_actions.contains("risk_removed"), "{full_actions}");

        let mut first = fresh();
        assert!(
            !first.incomplete(),
            "nothing is evaluated before a question"
        );
        assert_eq!(
            json(&ask(&mut first, &ViewRequest::Dashboard)),
            full_dashboard
        );
        assert!(!first.incomplete(), "the plan comes before the evidence");
        assert!(!first.complete());
        assert_eq!(json(&ask(&mut first, &actions)), full_actions);
        assert!(first.incomplete());
        assert!(first.complete() && !first.incomplete() && !first.complete());
        assert_eq!(
            serde_json::to_string(first.evaluation().expect("evaluated")).expect("json"),
            serde_json::to_string(full.evaluation().expect("evaluated")).expect("json")
        );
        assert_eq!(json(&ask(&mut first, &actions)), full_actions);

        // A page with evidence asked before the idle work gets it all the same.
        let mut early = fresh();
        let _ = ask(&mut early, &ViewRequest::Dashboard);
        let ix = full.evaluation().expect("evaluated").findings[0]
            .identity
            .index
            .expect("an identity");
        let identity = ViewRequest::Identity {
            id: format!("#{ix}"),
            as_of: None,
        };
        let page = json(&ask(&mut early, &identity));
        assert!(!early.incomplete());
        assert_eq!(page, json(&ask(&mut full, &identity)));
        assert!(page.contains("\"evidence\":[{"), "{page}");
    }

    #[test]
    fn an_identity_page_has_its_whole_assessment() {
        // The table holds each identity's assessment without its factors and findings; the page of one identity
        // gets them whole, one view per finding of the evaluation, with evidence.
        let mut w = demo().lock().expect("lock");
        let e = w.evaluation().expect("evaluated").clone();
        let top = e
            .scores
            .iter()
            .max_by_key(|s| s.findings.len())
            .expect("scores");
        let ix = top.identity.index.expect("an identity of the snapshot");
        let ViewAnswer::Identity {
            detail: Some(detail),
        } = ask(
            &mut w,
            &ViewRequest::Identity {
                id: format!("#{ix}"),
                as_of: None,
            },
        )
        else {
            panic!("no identity page");
        };
        let a = detail.assessment.expect("assessed");
        assert_eq!(a.risk, top.risk);
        assert_eq!(a.details.len(), top.findings.len());
        assert!(a.factors.len() >= 3, "{:?}", a.factors);
        assert!(a.details.iter().all(|f| !f.evidence.is_empty()));
        let ids: BTreeSet<&str> = top
            .findings
            .iter()
            .map(|&f| e.findings[f as usize].check_id.as_ref())
            .collect();
        assert_eq!(ids, a.details.iter().map(|f| f.check_id.as_str()).collect());
    }

    #[test]
    fn dashboard_numbers_are_the_evaluations() {
        let mut w = demo().lock().expect("lock");
        let d = dashboard_of(&mut w);
        let e = w.evaluation().expect("evaluated");
        let t = &e.posture.tenant;
        assert!(t.score.is_some(), "the demo tenant is assessed");
        assert_eq!(d.tenant.score, t.score);
        assert_eq!(d.tenant.status, t.status);
        assert_eq!(d.tenant.coverage, t.coverage);
        assert_eq!(d.tenant.checks_assessed, t.checks_assessed);
        assert_eq!(d.tenant.identities, e.scores.len() as u64);
        let bands: u64 = d.tenant.bands.iter().map(|(_, n)| n).sum();
        assert_eq!(bands, e.scores.len() as u64);
        assert_eq!(d.tenant.bands.len(), 4);
        for (severity, count) in [
            ("critical", d.open.critical),
            ("high", d.open.high),
            ("medium", d.open.medium),
            ("low", d.open.low),
            ("info", d.open.info),
        ] {
            let direct = e
                .findings
                .iter()
                .filter(|f| f.open() && f.severity.id() == severity)
                .count() as u32;
            assert_eq!(count, direct, "{severity}");
        }
        assert!(d.open.total() > 0);
        assert_eq!(
            d.waived,
            e.findings.iter().filter(|f| f.waived).count() as u64
        );
        assert_eq!(
            d.high_risk_identities,
            e.scores.iter().filter(|s| s.risk >= 67).count() as u64
        );
        assert_eq!(d.as_of, e.as_of);
        assert_eq!(d.read, read_summary(w.snapshot()));
        assert!(d.read.files >= 8 && d.read.records > 0);
    }

    #[test]
    fn top_identities_are_the_riskiest_first() {
        let mut w = demo().lock().expect("lock");
        let d = dashboard_of(&mut w);
        let e = w.evaluation().expect("evaluated").clone();
        assert_eq!(d.top_identities.len(), TOP_IDENTITIES);
        let risks: Vec<u8> = d.top_identities.iter().map(|i| i.risk).collect();
        let mut sorted = risks.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(risks, sorted, "risk descending");
        let max = e.scores.iter().map(|s| s.risk).max().expect("scores");
        assert_eq!(risks[0], max);
        // Nothing left out ranks higher than the last one listed.
        let listed: BTreeSet<&str> = d.top_identities.iter().map(|i| i.key.as_str()).collect();
        let last = *risks.last().expect("ten");
        for s in &e.scores {
            let ix = s.identity.index.expect("identity");
            if !listed.contains(identity_key(w.snapshot(), ix).as_str()) {
                assert!(s.risk <= last);
            }
        }
        for top in &d.top_identities {
            let ix = find_identity(w.snapshot(), &top.key).expect("key resolves");
            let score = e
                .scores
                .iter()
                .find(|s| s.identity.index == Some(ix))
                .expect("scored");
            assert_eq!(top.risk, score.risk);
            assert_eq!(top.band, score.band);
            let worst = score
                .findings
                .iter()
                .map(|&f| &e.findings[f as usize])
                .filter(|f| f.open())
                .map(|f| f.severity)
                .max();
            assert_eq!(
                top.top_finding.as_ref().map(|f| f.severity.clone()),
                worst.map(|s| s.id().to_owned()),
                "{}",
                top.name
            );
        }
    }

    #[test]
    fn actions_are_the_plans_in_its_order() {
        let mut w = demo().lock().expect("lock");
        let ViewAnswer::DashboardActions(a) =
            ask(&mut w, &ViewRequest::DashboardActions { limit: None })
        else {
            panic!("not actions");
        };
        let plan = w.plan().expect("plan").clone();
        assert_eq!(a.total, plan.actions.len() as u64);
        assert_eq!(a.tenant_risk, plan.tenant_risk);
        assert_eq!(a.actions.len(), TOP_ACTIONS.min(plan.actions.len()));
        assert!(!a.actions.is_empty());
        let removed: Vec<u32> = a.actions.iter().map(|x| x.risk_removed).collect();
        let mut sorted = removed.clone();
        sorted.sort_by(|x, y| y.cmp(x));
        assert_eq!(removed, sorted, "risk removed, descending");
        assert!(removed[0] > 0);
        for (view, action) in a.actions.iter().zip(&plan.actions) {
            assert_eq!(view.description, action.description);
            assert_eq!(view.risk_removed, action.risk_removed);
            let key = view.identity_key.as_deref().expect("an identity");
            assert_eq!(find_identity(w.snapshot(), key), action.identity.index);
        }
        let ViewAnswer::DashboardActions(three) =
            ask(&mut w, &ViewRequest::DashboardActions { limit: Some(3) })
        else {
            panic!("not actions");
        };
        assert_eq!(three.actions, a.actions[..3]);
    }

    #[test]
    fn six_charts_each_with_a_text_alternative() {
        let mut w = demo().lock().expect("lock");
        let d = dashboard_of(&mut w);
        let ids: Vec<&str> = d.charts.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "posture",
                "severity",
                "risk",
                "privilege",
                "staleness",
                "expiry"
            ]
        );
        for c in &d.charts {
            assert!(c.svg.contains("role=\"img\""), "{}", c.id);
            assert!(c.svg.contains("aria-label=\""), "{}", c.id);
            assert!(c.svg.contains("<title>"), "{}", c.id);
            assert!(c.svg.matches('<').count() < 2000, "{}", c.id);
            assert!(!c.summary.is_empty());
            assert!(!c.table.rows.is_empty());
            for row in &c.table.rows {
                assert_eq!(row.len(), c.table.headers.len(), "{}", c.id);
            }
        }
        let severity = &d.charts[1].table.rows;
        assert_eq!(severity[0], ["critical", &d.open.critical.to_string()]);
        let risk: u64 = d.charts[2]
            .table
            .rows
            .iter()
            .map(|r| r[1].parse::<u64>().expect("count"))
            .sum();
        assert_eq!(risk, d.tenant.identities);
    }

    #[test]
    fn frameworks_answer_lists_six_and_owasp_names_its_ten() {
        let mut w = demo().lock().expect("lock");
        let all = frameworks_of(&mut w, None);
        assert_eq!(all.frameworks.len(), 6);
        assert!(all.selected.is_none() && all.unknown.is_none());
        let keys: Vec<&str> = all.frameworks.iter().map(|f| f.key.as_str()).collect();
        let want: Vec<&str> = Framework::ALL.iter().map(|f| f.key()).collect();
        assert_eq!(keys, want);
        let e = w.evaluation().expect("evaluated").clone();
        for (f, p) in all.frameworks.iter().zip(&e.posture.frameworks) {
            assert_eq!(f.score, p.score);
            assert_eq!(f.controls_in_scope, p.controls_in_scope);
        }
        let owasp = frameworks_of(&mut w, Some("owasp-nhi-2025"));
        let detail = owasp.selected.expect("owasp");
        let ids: Vec<&str> = detail.controls.iter().map(|c| c.id.as_str()).collect();
        let want: Vec<String> = (1..=10).map(|i| format!("NHI{i}")).collect();
        assert_eq!(ids, want);
        for (c, known) in detail.controls.iter().zip(OWASP) {
            assert_eq!(c.title, known.title);
            assert!(c.title.contains(':'), "named: {}", c.title);
            assert_eq!(c.filter, format!("owasp-nhi-2025:{}", c.id));
            assert!(!c.checks.is_empty());
        }
        assert!(detail.uncovered.is_empty());
        let unknown = frameworks_of(&mut w, Some("iso-27001"));
        assert_eq!(unknown.unknown.as_deref(), Some("iso-27001"));
        assert!(unknown.selected.is_none());
    }

    #[test]
    fn failing_identities_per_control_match_a_direct_count_and_the_table_filter() {
        let mut w = demo().lock().expect("lock");
        let e = w.evaluation().expect("evaluated").clone();
        for framework in Framework::ALL {
            let view = frameworks_of(&mut w, Some(framework.key()));
            let detail = view.selected.expect("framework");
            for c in &detail.controls {
                let direct: BTreeSet<u32> = e
                    .findings
                    .iter()
                    .filter(|f| {
                        f.open()
                            && crate::catalog::check(&f.check_id)
                                .is_some_and(|k| k.mapping.ids(framework).contains(&c.id.as_str()))
                    })
                    .filter_map(|f| f.identity.index)
                    .collect();
                assert_eq!(c.failing, direct.len() as u64, "{}", c.filter);
                assert_eq!(c.top_failing.len(), direct.len().min(10));
                let risks: Vec<u8> = c.top_failing.iter().map(|i| i.risk).collect();
                assert!(risks.windows(2).all(|p| p[0] >= p[1]), "{}", c.filter);
                // The identities table filtered by the control lists the same identities.
                let ViewAnswer::Identities(page) = ask(
                    &mut w,
                    &ViewRequest::Identities(IdentityQuery {
                        controls: vec![c.filter.clone()],
                        limit: 1,
                        ..IdentityQuery::default()
                    }),
                ) else {
                    panic!("not a page");
                };
                assert_eq!(page.total as u64, c.failing, "{}", c.filter);
            }
        }
        let owasp = failing_by_control(&e, Framework::OwaspNhi);
        assert!(owasp.values().any(|(ids, _)| !ids.is_empty()));
    }

    #[test]
    fn a_control_without_an_assessed_check_is_not_assessed_never_100() {
        // Identities and role assignments only: credential, federation and sign-in checks cannot run.
        let snapshot = ingest(|name| {
            matches!(
                name,
                "identities.json" | "service-principals.json" | "role-assignments.json"
            )
        });
        let mut w = Workspace::new(snapshot, Some(DEMO_AS_OF_UNIX), Policy::default());
        let d = dashboard_of(&mut w);
        assert!(!d.not_evaluated.is_empty(), "some checks could not run");
        for group in &d.not_evaluated {
            assert!(!group.exports.is_empty() && !group.checks.is_empty());
        }
        assert!(d.tenant.coverage < 1.0);
        let mut seen = 0;
        for framework in Framework::ALL {
            let view = frameworks_of(&mut w, Some(framework.key()));
            for c in view.selected.expect("framework").controls {
                if c.checks.iter().all(|k| !k.assessed) {
                    seen += 1;
                    assert_eq!(c.score, None, "{}", c.filter);
                    assert_eq!(c.status, PostureStatus::NotAssessed, "{}", c.filter);
                    for k in &c.checks {
                        assert!(
                            k.status != CheckStatus::NotEvaluated || !k.missing_exports.is_empty(),
                            "{} {} names the export it needs",
                            c.filter,
                            k.id
                        );
                    }
                }
                // Not assessed is never a score (an info-only control has no weight: not assessed either).
                assert_eq!(
                    c.score.is_none(),
                    c.status == PostureStatus::NotAssessed,
                    "{}",
                    c.filter
                );
            }
        }
        assert!(
            seen > 0,
            "some control is not assessed without those exports"
        );
        // A framework without an assessed control says so in the chart's table, never 100.
        for (f, row) in d.frameworks.iter().zip(&d.charts[0].table.rows) {
            match f.score {
                None => assert_eq!(row[1], "not assessed", "{}", f.key),
                Some(v) => assert_eq!(row[1], format!("{v:.1}")),
            }
        }
    }
}
