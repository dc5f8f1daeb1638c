//! From an [`Evaluation`] (the check catalog and scoring) to one [`Assessment`] per identity: risk, band, open
//! findings by severity, the checks and framework controls they touch, the factors of the risk in words, and every
//! finding with its evidence.

use std::collections::BTreeMap;

use crate::catalog::Severity;
use crate::checks::Evaluation;
use crate::findings::{Finding, controls_of};
use crate::score::{AuthKind, Band, IdentityScore};

use super::{Assessment, EvidenceView, FindingView, RiskFactor, SeverityCounts, Source};

/// One assessment per identity of a snapshot with `identities` identities (`None` for those the evaluation did not
/// score), for the identities table: risk, band, open findings by severity, checks and controls. The factors and
/// the findings in full are left empty: only one identity's page shows them, and built for every identity they
/// copied each finding's text and evidence once more ([`assessment_of`] builds them for one identity).
#[must_use]
pub fn assessments(evaluation: &Evaluation, identities: usize) -> Vec<Option<Assessment>> {
    let mut out = vec![None; identities];
    let mut controls = ControlCache::new();
    for score in &evaluation.scores {
        let Some(ix) = score.identity.index.map(|i| i as usize) else {
            continue;
        };
        if let Some(slot) = out.get_mut(ix) {
            *slot = Some(assessment(evaluation, score, false, &mut controls));
        }
    }
    out
}

/// The whole assessment of identity `ix`, with the factors of its risk and every finding with its evidence; `None`
/// when the evaluation did not score it.
#[must_use]
pub fn assessment_of(evaluation: &Evaluation, ix: u32) -> Option<Assessment> {
    let score = evaluation
        .scores
        .iter()
        .find(|s| s.identity.index == Some(ix))?;
    Some(assessment(
        evaluation,
        score,
        true,
        &mut ControlCache::new(),
    ))
}

/// The controls of each check, `framework:control`, worked out once per check.
type ControlCache = BTreeMap<String, Vec<String>>;

fn assessment(
    evaluation: &Evaluation,
    score: &IdentityScore,
    full: bool,
    control_cache: &mut ControlCache,
) -> Assessment {
    let mut counts = SeverityCounts::default();
    let mut checks = Vec::new();
    let mut controls = Vec::new();
    let mut details = Vec::new();
    let findings = score
        .findings
        .iter()
        .filter_map(|&f| evaluation.findings.get(f as usize));
    for finding in findings {
        let mapped: &Vec<String> = control_cache
            .entry(finding.check_id.to_string())
            .or_insert_with(|| {
                controls_of(&finding.check_id)
                    .into_iter()
                    .flat_map(|(framework, ids)| {
                        ids.into_iter().map(move |id| format!("{framework}:{id}"))
                    })
                    .collect()
            });
        if finding.open() {
            counts.add(severity_id(finding.severity));
            checks.push(finding.check_id.to_string());
            controls.extend(mapped.iter().cloned());
        }
        if full {
            details.push(finding_view(finding, mapped.clone()));
        }
    }
    crate::order::sort(&mut checks);
    checks.dedup();
    crate::order::sort(&mut controls);
    controls.dedup();
    crate::order::sort_by(&mut details, |a, b| {
        a.waived
            .cmp(&b.waived)
            .then(severity_rank(&b.severity).cmp(&severity_rank(&a.severity)))
            .then_with(|| a.check_id.cmp(&b.check_id))
    });
    Assessment {
        risk: score.risk,
        band: band_id(score.band).to_owned(),
        findings: counts,
        checks,
        controls,
        factors: if full { factors(score) } else { Vec::new() },
        details,
    }
}

/// One finding as the identity page shows it, with the controls of its check.
fn finding_view(finding: &Finding, controls: Vec<String>) -> FindingView {
    FindingView {
        check_id: finding.check_id.to_string(),
        title: finding.title.to_string(),
        severity: severity_id(finding.severity).to_owned(),
        message: finding.message.clone(),
        remediation: finding.remediation.to_string(),
        waived: finding.waived,
        controls,
        evidence: finding
            .evidence
            .iter()
            .map(|e| EvidenceView {
                record_kind: e.record_kind.to_string(),
                source: Source {
                    file: e.file.clone(),
                    record: e.record,
                    line: e.line,
                },
                fields: e
                    .fields
                    .iter()
                    .map(|f| (f.name.to_string(), f.value.clone()))
                    .collect(),
            })
            .collect(),
    }
}

/// The risk formula's parts in words, in the order CONTROLS.md §9.2 applies them.
fn factors(score: &IdentityScore) -> Vec<RiskFactor> {
    let mut out = Vec::new();
    let impact = &score.impact;
    match &impact.strongest {
        Some(g) => out.push(RiskFactor {
            label: format!(
                "Strongest grant: {} at {} (role {:.2} × scope {:.2})",
                g.role, g.scope, g.role_factor, g.scope_factor
            ),
            value: impact.base,
        }),
        None => out.push(RiskFactor {
            label: "No role assignment: minimal blast radius".into(),
            value: impact.base,
        }),
    }
    if impact.prod_scope {
        out.push(RiskFactor {
            label: "Reaches a production scope".into(),
            value: 0.1,
        });
    }
    if impact.cross_tenant {
        out.push(RiskFactor {
            label: "Owned by another tenant".into(),
            value: 0.1,
        });
    }
    if impact.subscriptions > 1 {
        out.push(RiskFactor {
            label: format!("Reaches {} subscriptions", impact.subscriptions),
            value: 0.05 * (impact.subscriptions as f64).log2(),
        });
    }
    out.push(RiskFactor {
        label: "Impact (blast radius), capped at 1".into(),
        value: impact.value,
    });
    let likelihood = &score.likelihood;
    out.push(RiskFactor {
        label: format!("Authenticates with: {}", auth_label(likelihood.auth)),
        value: likelihood.base,
    });
    for f in &likelihood.factors {
        out.push(RiskFactor {
            label: format!(
                "{} ({}, {}, exploitability {:.1})",
                f.check_id,
                severity_id(f.severity),
                f.owasp,
                f.exploitability
            ),
            value: f.lambda,
        });
    }
    out.push(RiskFactor {
        label: "Likelihood (exposure), noisy-OR of the above".into(),
        value: likelihood.value,
    });
    out.push(RiskFactor {
        label: "Risk = 100 × impact × (0.35 + 0.65 × likelihood)".into(),
        value: f64::from(score.formula_risk),
    });
    for floor in &score.floors {
        out.push(RiskFactor {
            label: format!("Floor: {} ({})", floor.rule, floor.check_id),
            value: f64::from(floor.minimum),
        });
    }
    out
}

/// `critical`, `high`, `medium`, `low`, `info`.
#[must_use]
pub fn severity_id(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
        Severity::Info => "info",
    }
}

fn severity_rank(id: &str) -> u8 {
    match id {
        "critical" => 4,
        "high" => 3,
        "medium" => 2,
        "low" => 1,
        _ => 0,
    }
}

fn band_id(band: Band) -> &'static str {
    match band {
        Band::Low => "low",
        Band::Medium => "medium",
        Band::High => "high",
        Band::Critical => "critical",
    }
}

fn auth_label(auth: AuthKind) -> &'static str {
    match auth {
        AuthKind::ClientSecret => "client secret",
        AuthKind::Certificate => "certificate",
        AuthKind::Federation => "federated credential",
        AuthKind::ManagedIdentity => "managed identity (no user credential)",
        AuthKind::NoCredential => "no credential",
    }
}
