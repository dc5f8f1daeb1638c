//! The serialisable results of an evaluation: findings with their evidence and waiver state, the run status of
//! every check (evaluated, partial, not evaluated and which export is missing), and the versioned document the CLI
//! prints and the viewer and report consume (`docs/findings-schema.md`).

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalog::{self, DataSource, Severity};
use crate::frameworks::Framework;

/// Version of the findings document (`docs/findings-schema.md`). Bump the major on breaking changes.
pub const SCHEMA_VERSION: &str = "1.1.0";

/// Who a finding is about.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdentityRef {
    /// Display name (or the best id when there is none).
    pub name: String,
    /// [`crate::model::IdentityKind::id`], or `unresolved-principal`, `role-definition`, `tenant`.
    pub kind: String,
    /// Principal (object) id, else client id, else resource id.
    pub id: String,
    /// Index into the snapshot's identities, when the subject is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
}

/// One field that triggered a finding, with the value read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Field {
    pub name: Cow<'static, str>,
    pub value: String,
}

/// One record behind a finding: the file, the record index and line, and the fields that triggered it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// What the record is (`role-assignment`, `service-principal`, `credential`, …).
    pub record_kind: Cow<'static, str>,
    /// The file's name as given (index into the snapshot's files in `file_index`).
    pub file: String,
    pub file_index: u32,
    /// Record index within the file (from 0).
    pub record: u64,
    /// Line (from 1; 0 when unknown).
    pub line: u64,
    pub fields: Vec<Field>,
}

/// Entities a finding refers to (indices into the snapshot), for drill-down and remediation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Refs {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credentials: Vec<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub federations: Vec<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<u32>,
    /// Indices into the snapshot's `directory_grants` (Entra directory roles, Graph app permissions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub directory_grants: Vec<u32>,
}

/// Whether a waiver matched and still applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WaiverStatus {
    Applied,
    /// The waiver matched but its expiry date is before the as-of date: it no longer applies.
    Expired,
}

/// The waiver that matched a finding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WaiverNote {
    pub status: WaiverStatus,
    /// Index into the policy's waivers.
    pub waiver: u32,
    pub justification: String,
    pub approver: String,
    pub expires: Option<String>,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub check_id: Cow<'static, str>,
    pub title: Cow<'static, str>,
    /// Effective severity (after the check's own grading and the high-impact raise).
    pub severity: Severity,
    /// The catalog's default severity.
    pub default_severity: Severity,
    /// Raised one step because the identity's impact is at or above the high-impact threshold.
    pub raised: bool,
    pub identity: IdentityRef,
    /// One line saying what was found, with the values.
    pub message: String,
    pub evidence: Vec<Evidence>,
    /// The catalog remediation.
    pub remediation: Cow<'static, str>,
    /// False when the exports did not allow certainty (see `caveat`).
    pub certain: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caveat: Option<Cow<'static, str>>,
    /// Impact I of the subject (the weight of this finding in posture).
    pub impact: f64,
    #[serde(default)]
    pub refs: Refs,
    /// An applicable, unexpired waiver covers it: shown, but not counted in risk, posture or `check`.
    pub waived: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverNote>,
}

impl Finding {
    /// Counts against risk, posture and the CI gate.
    #[must_use]
    pub fn open(&self) -> bool {
        !self.waived
    }
}

/// Whether a check could run on the exports given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckStatus {
    /// All the data it needs was exported.
    Evaluated,
    /// It ran, but optional data was missing: some cases could not be seen (see `note`).
    Partial,
    /// Required data missing (or not assessable by this version): no result, never a pass.
    NotEvaluated,
}

/// How one check ran.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckRun {
    pub check_id: Cow<'static, str>,
    pub title: Cow<'static, str>,
    pub status: CheckStatus,
    /// Data sources missing (required ones for `not-evaluated`, optional ones for `partial`).
    pub missing: Vec<DataSource>,
    /// The exports to ask for.
    pub missing_exports: Vec<Cow<'static, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Cow<'static, str>>,
    /// Subjects the check applied to.
    pub applicable: u64,
    /// Open (unwaived) findings.
    pub open_findings: u64,
    pub waived_findings: u64,
    /// Σ impact over applicable subjects, and over those with an open finding (posture inputs).
    pub applicable_weight: f64,
    pub unhealthy_weight: f64,
    /// Some open finding is critical.
    pub open_critical: bool,
}

/// A finding as exported: the finding plus its crosswalk (framework key → control ids).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportedFinding {
    #[serde(flatten)]
    pub finding: Finding,
    pub controls: BTreeMap<String, Vec<String>>,
}

impl ExportedFinding {
    #[must_use]
    pub fn new(finding: &Finding) -> Self {
        Self {
            controls: controls_of(&finding.check_id),
            finding: finding.clone(),
        }
    }
}

/// The crosswalk of a check: framework key → control ids (only frameworks it maps to).
#[must_use]
pub fn controls_of(check_id: &str) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    if let Some(check) = catalog::check(check_id) {
        for framework in Framework::ALL {
            let ids = check.mapping.ids(framework);
            if !ids.is_empty() {
                out.insert(
                    framework.key().to_owned(),
                    ids.iter().map(|s| (*s).to_owned()).collect(),
                );
            }
        }
    }
    out
}

/// The versioned findings document (`docs/findings-schema.md`): what `idlens findings --format json` prints and
/// what the viewer and the report consume.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Document {
    pub schema_version: Cow<'static, str>,
    pub as_of: String,
    pub availability: crate::checks::Availability,
    pub checks: Vec<CheckRun>,
    pub findings: Vec<ExportedFinding>,
    pub scores: Vec<crate::score::IdentityScore>,
    pub posture: crate::score::Posture,
    pub plan: crate::remediate::Plan,
    pub not_assessable: Vec<Cow<'static, str>>,
}

impl Document {
    /// Assemble the document from an evaluation and its remediation plan.
    #[must_use]
    pub fn new(evaluation: &crate::checks::Evaluation, plan: crate::remediate::Plan) -> Document {
        Document {
            schema_version: evaluation.schema_version.clone(),
            as_of: evaluation.as_of.clone(),
            availability: evaluation.availability.clone(),
            checks: evaluation.checks.clone(),
            findings: evaluation
                .findings
                .iter()
                .map(ExportedFinding::new)
                .collect(),
            scores: evaluation.scores.clone(),
            posture: evaluation.posture.clone(),
            plan,
            not_assessable: evaluation.not_assessable.clone(),
        }
    }
}

/// Rows of the CSV export, one per finding (cells neutralised against spreadsheet formulas).
#[must_use]
pub fn csv(findings: &[Finding]) -> String {
    let mut out = String::from(
        "check_id,title,severity,identity_name,identity_kind,identity_id,message,waived,certain,evidence,controls,remediation\n",
    );
    for f in findings {
        let evidence: Vec<String> = f
            .evidence
            .iter()
            .map(|e| format!("{}#{}", e.file, e.record))
            .collect();
        let controls: Vec<String> = controls_of(&f.check_id)
            .into_iter()
            .map(|(k, v)| format!("{k}: {}", v.join(" ")))
            .collect();
        let cells = [
            f.check_id.as_ref(),
            f.title.as_ref(),
            f.severity.id(),
            &f.identity.name,
            &f.identity.kind,
            &f.identity.id,
            &f.message,
            if f.waived { "true" } else { "false" },
            if f.certain { "true" } else { "false" },
            &evidence.join("; "),
            &controls.join("; "),
            f.remediation.as_ref(),
        ];
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_csv_cell(&mut out, cell);
        }
        out.push('\n');
    }
    out
}

/// One CSV cell: quoted, quotes doubled, and a leading `= + - @ TAB CR` neutralised with a `'`.
pub fn push_csv_cell(out: &mut String, cell: &str) {
    out.push('"');
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        out.push('\'');
    }
    for ch in cell.chars() {
        if ch == '"' {
            out.push('"');
        }
        out.push(ch);
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_neutralised() {
        let mut s = String::new();
        push_csv_cell(&mut s, "=cmd|' /c calc'!A1");
        assert_eq!(s, "\"'=cmd|' /c calc'!A1\"");
        let mut s = String::new();
        push_csv_cell(&mut s, "a \"b\"");
        assert_eq!(s, "\"a \"\"b\"\"\"");
    }

    #[test]
    fn controls_of_a_check() {
        let c = controls_of("NHI-P-001");
        assert_eq!(c.get("owasp-nhi-2025"), Some(&vec!["NHI5".to_owned()]));
        assert!(
            c.get("cis")
                .is_some_and(|v| v.contains(&"Azure v5.0.0 5.3.3".to_owned()))
        );
        assert!(controls_of("nope").is_empty());
    }
}
