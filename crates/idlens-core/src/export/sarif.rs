//! SARIF 2.1.0 (OASIS): one run, the tool's rules are the 35 catalog checks (with their remediation as help and
//! their severity as `security-severity`), one result per finding with its evidence records as physical
//! locations (file, and the line when known), the identity as a logical location, a stable partial fingerprint,
//! and an external suppression when a waiver applies.

use serde_json::{Value, json};

use crate::catalog::{self, CHECKS, Severity};
use crate::checks::Evaluation;
use crate::model::Snapshot;

/// The SARIF level of a severity.
#[must_use]
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
        Severity::Info => "none",
    }
}

/// GitHub's `security-severity` (0.0–10.0) of a severity.
#[must_use]
pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// The SARIF log.
#[must_use]
pub fn sarif(snap: &Snapshot, eval: &Evaluation) -> Value {
    let rules: Vec<Value> = CHECKS
        .iter()
        .map(|c| {
            let mut tags = vec![Value::from("security")];
            for (k, ids) in crate::findings::controls_of(c.id) {
                for id in ids {
                    tags.push(Value::from(format!("{k}:{id}")));
                }
            }
            json!({
                "id": c.id,
                "name": c.title,
                "shortDescription": {"text": c.title},
                "fullDescription": {"text": c.finds},
                "help": {"text": format!("{} Why: {}", c.remediation, c.why)},
                "defaultConfiguration": {"level": level(c.severity)},
                "properties": {"tags": tags, "security-severity": security_severity(c.severity)}
            })
        })
        .collect();
    // `run.artifacts` items must be unique (the schema says `uniqueItems`), and the same file can be read twice
    // (a folder and a file in it, or two labels with one URI): list each URI once and point every input file at
    // its entry.
    let mut artifacts: Vec<Value> = Vec::new();
    let mut artifact_of_uri = std::collections::BTreeMap::<String, usize>::new();
    let artifact_of_file: Vec<usize> = snap
        .files
        .iter()
        .map(|f| {
            let uri = super::uri_reference(&f.path);
            *artifact_of_uri.entry(uri).or_insert_with_key(|uri| {
                artifacts.push(json!({"location": {"uri": uri}}));
                artifacts.len() - 1
            })
        })
        .collect();
    let mut seen = std::collections::BTreeMap::<String, u32>::new();
    let results: Vec<Value> = eval
        .findings
        .iter()
        .map(|f| {
            let mut locations: Vec<Value> = f
                .evidence
                .iter()
                .map(|e| {
                    let mut artifact = json!({"uri": super::uri_reference(&e.file)});
                    if let Some(&i) = usize::try_from(e.file_index)
                        .ok()
                        .and_then(|i| artifact_of_file.get(i))
                    {
                        artifact["index"] = Value::from(i);
                    }
                    let mut physical = json!({"artifactLocation": artifact});
                    if e.line > 0 {
                        physical["region"] = json!({"startLine": e.line});
                    }
                    json!({"physicalLocation": physical})
                })
                .collect();
            let logical = json!([{
                "name": f.identity.name,
                "fullyQualifiedName": f.identity.id,
                "kind": "resource"
            }]);
            match locations.first_mut() {
                Some(first) => first["logicalLocations"] = logical,
                None => locations.push(json!({"logicalLocations": logical})),
            }
            let key = format!("{}/{}", f.check_id, f.identity.id.to_ascii_lowercase());
            let n = seen.entry(key.clone()).or_insert(0);
            *n += 1;
            let mut result = json!({
                "ruleId": f.check_id,
                "ruleIndex": catalog::position(&f.check_id).unwrap_or(0),
                "level": level(f.severity),
                "message": {"text": format!("{}: {}", f.identity.name, f.message)},
                "locations": locations,
                "partialFingerprints": {"idlensFinding/v1": format!("{key}/{n}")},
                "properties": {
                    "severity": f.severity.id(),
                    "security-severity": security_severity(f.severity),
                    "identityKind": f.identity.kind,
                    "impact": f.impact,
                    "certain": f.certain
                }
            });
            if let (true, Some(w)) = (f.waived, &f.waiver) {
                let until = w
                    .expires
                    .as_ref()
                    .map_or_else(String::new, |e| format!(", until {e}"));
                result["suppressions"] = json!([{
                    "kind": "external",
                    "status": "accepted",
                    "justification": format!("{} (approved by {}{until})", w.justification, w.approver)
                }]);
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "Idlens",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules
            }},
            "artifacts": artifacts,
            "invocations": [{"executionSuccessful": true}],
            "results": results,
            "properties": {"asOf": eval.as_of, "tenantPosture": eval.posture.tenant.score}
        }]
    })
}
