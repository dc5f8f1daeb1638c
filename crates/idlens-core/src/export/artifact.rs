//! Every shareable artifact from one place, so the CLI (`idlens report`, `idlens findings`) and the viewer's export
//! page produce the same bytes from the same inputs: the static HTML report, the findings document (JSON), CSV,
//! SARIF and OCSF, optionally pseudonymised under a key.
//!
//! Pseudonymisation works on copies of the evaluation, plan, policy and trend; the snapshot's file list is swapped
//! for its pseudonymised labels only while rendering and put back afterwards, so the caller's snapshot is unchanged.
//! The lookup table (pseudonym → real) is returned separately and never written into the artifact.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::checks::Evaluation;
use crate::diff::{self, Diff};
use crate::findings::{self, Document};
use crate::model::Snapshot;
use crate::policy::Policy;
use crate::pseudo::Pseudonymiser;
use crate::remediate::Plan;
use crate::report::{self, InputDigest};

/// What to produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArtifactKind {
    /// The static HTML report.
    Report,
    /// The findings document (`docs/findings-schema.md`).
    Json,
    /// One row per finding, UTF-8 with a BOM (Excel), formula cells neutralised.
    Csv,
    /// SARIF 2.1.0.
    Sarif,
    /// OCSF Detection Finding events (class 2004).
    Ocsf,
}

impl ArtifactKind {
    pub const ALL: [ArtifactKind; 5] = [
        ArtifactKind::Report,
        ArtifactKind::Json,
        ArtifactKind::Csv,
        ArtifactKind::Sarif,
        ArtifactKind::Ocsf,
    ];

    /// The file name a download gets.
    #[must_use]
    pub fn file_name(self) -> &'static str {
        match self {
            ArtifactKind::Report => "idlens-report.html",
            ArtifactKind::Json => "idlens-findings.json",
            ArtifactKind::Csv => "idlens-findings.csv",
            ArtifactKind::Sarif => "idlens-findings.sarif",
            ArtifactKind::Ocsf => "idlens-findings.ocsf.json",
        }
    }

    /// Its media type.
    #[must_use]
    pub fn media_type(self) -> &'static str {
        match self {
            ArtifactKind::Report => "text/html;charset=utf-8",
            ArtifactKind::Csv => "text/csv;charset=utf-8",
            ArtifactKind::Sarif => "application/sarif+json",
            ArtifactKind::Json | ArtifactKind::Ocsf => "application/json",
        }
    }
}

/// What an artifact is made from.
pub struct Inputs<'a> {
    pub evaluation: &'a Evaluation,
    pub plan: &'a Plan,
    pub policy: &'a Policy,
    /// How the policy profile was given (its file name, or "default").
    pub policy_label: String,
    /// SHA-256 of each input file, when the caller hashed them.
    pub digests: Vec<InputDigest>,
    /// A previous snapshot and its evaluation: the report shows the trend against it.
    pub previous: Option<(&'a Snapshot, &'a Evaluation)>,
}

/// An artifact and, when pseudonymised, its lookup table.
#[derive(Clone, Debug)]
pub struct Rendered {
    pub text: String,
    /// Pseudonym → real value; `None` when not pseudonymised. Never part of `text`.
    pub lookup: Option<BTreeMap<String, String>>,
}

/// Produce `kind` from `snapshot` and `inputs`, pseudonymised under `key` when one is given.
#[must_use]
pub fn render(
    kind: ArtifactKind,
    snapshot: &mut Snapshot,
    inputs: &Inputs<'_>,
    key: Option<&[u8]>,
) -> Rendered {
    let mut snaps = vec![&*snapshot];
    snaps.extend(inputs.previous.map(|(s, _)| s));
    let pseudonymiser = key.map(|k| Pseudonymiser::new(k, &snaps, inputs.policy));
    let trend = (kind == ArtifactKind::Report)
        .then(|| {
            inputs
                .previous
                .map(|(old, old_eval)| diff::diff(old, old_eval, snapshot, inputs.evaluation))
        })
        .flatten();
    let Some(p) = pseudonymiser else {
        let text = produce(
            kind,
            snapshot,
            inputs,
            inputs.evaluation,
            inputs.plan,
            inputs.policy,
            &inputs.digests,
            trend.as_ref(),
            None,
        );
        return Rendered { text, lookup: None };
    };
    let mut evaluation = inputs.evaluation.clone();
    let mut plan = inputs.plan.clone();
    let mut policy = inputs.policy.clone();
    let mut trend = trend;
    p.evaluation(&mut evaluation);
    p.plan(&mut plan);
    p.policy(&mut policy);
    if let Some(d) = &mut trend {
        p.diff(d);
    }
    let digests: Vec<InputDigest> = inputs
        .digests
        .iter()
        .map(|d| InputDigest {
            path: p.file(&d.path),
            ..d.clone()
        })
        .collect();
    let labels = p.files(&snapshot.files);
    let original = std::mem::replace(&mut snapshot.files, labels);
    let text = produce(
        kind,
        snapshot,
        inputs,
        &evaluation,
        &plan,
        &policy,
        &digests,
        trend.as_ref(),
        Some(&p),
    );
    snapshot.files = original;
    Rendered {
        text,
        lookup: Some(p.lookup().clone()),
    }
}

#[allow(clippy::too_many_arguments)]
fn produce(
    kind: ArtifactKind,
    snapshot: &Snapshot,
    inputs: &Inputs<'_>,
    evaluation: &Evaluation,
    plan: &Plan,
    policy: &Policy,
    digests: &[InputDigest],
    trend: Option<&Diff>,
    pseudonymiser: Option<&Pseudonymiser>,
) -> String {
    let pretty = |v: serde_json::Value| {
        // Serialising a JSON value into a String cannot fail.
        let mut text = serde_json::to_string_pretty(&v).unwrap_or_default();
        text.push('\n');
        text
    };
    match kind {
        ArtifactKind::Report => report::render(&report::ReportInput {
            snapshot,
            evaluation,
            plan,
            policy,
            policy_label: pseudonymiser.map_or_else(
                || inputs.policy_label.clone(),
                |p| p.apply(&inputs.policy_label),
            ),
            inputs: digests.to_vec(),
            trend,
            pseudonymised: pseudonymiser.is_some(),
        }),
        // Written straight from the document: going through a `serde_json::Value` first built a tree of the whole
        // output (gigabytes at 100k identities) before writing a byte of it.
        ArtifactKind::Json => {
            let mut text = serde_json::to_string_pretty(&Document::new(evaluation, plan.clone()))
                .unwrap_or_default();
            text.push('\n');
            text
        }
        // The BOM makes Excel read the file as UTF-8 (non-ASCII names survive).
        ArtifactKind::Csv => format!("\u{feff}{}", findings::csv(&evaluation.findings)),
        ArtifactKind::Sarif => pretty(super::sarif::sarif(snapshot, evaluation)),
        ArtifactKind::Ocsf => pretty(super::ocsf::ocsf(evaluation)),
    }
}
