//! OCSF Detection Finding events (class 2004, category 2 Findings; schema 1.5.0): one event per finding, with the
//! check as the analytic, the identity as the affected resource, the evidence records and the framework
//! crosswalk under `unmapped`, and `status` Suppressed when a waiver applies. `time` is the as-of instant (the
//! report has no other clock).

use serde_json::{Value, json};

use crate::catalog::Severity;
use crate::checks::Evaluation;

/// The OCSF schema version the events follow.
pub const OCSF_VERSION: &str = "1.5.0";

/// OCSF `severity_id` and caption.
#[must_use]
pub fn severity(s: Severity) -> (u8, &'static str) {
    match s {
        Severity::Info => (1, "Informational"),
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    }
}

/// The events, as a JSON array.
#[must_use]
pub fn ocsf(eval: &Evaluation) -> Value {
    let time = eval.as_of_unix.saturating_mul(1000);
    let mut seen = std::collections::BTreeMap::<String, u32>::new();
    let events: Vec<Value> = eval
        .findings
        .iter()
        .map(|f| {
            let (severity_id, severity_name) = severity(f.severity);
            let key = format!("{}/{}", f.check_id, f.identity.id.to_ascii_lowercase());
            let n = seen.entry(key.clone()).or_insert(0);
            *n += 1;
            let (status_id, status) = if f.waived { (3, "Suppressed") } else { (1, "New") };
            let evidence: Vec<Value> = f
                .evidence
                .iter()
                .map(|e| {
                    let fields: serde_json::Map<String, Value> = e
                        .fields
                        .iter()
                        .map(|x| (x.name.to_string(), Value::from(x.value.clone())))
                        .collect();
                    json!({"record_kind": e.record_kind, "file": e.file, "record": e.record, "line": e.line, "fields": fields})
                })
                .collect();
            json!({
                "class_uid": 2004,
                "class_name": "Detection Finding",
                "category_uid": 2,
                "category_name": "Findings",
                "activity_id": 1,
                "activity_name": "Create",
                "type_uid": 200_401,
                "type_name": "Detection Finding: Create",
                "severity_id": severity_id,
                "severity": severity_name,
                "status_id": status_id,
                "status": status,
                "confidence_id": if f.certain { 3 } else { 2 },
                "confidence": if f.certain { "High" } else { "Medium" },
                "time": time,
                "message": f.message,
                "metadata": {
                    "version": OCSF_VERSION,
                    "product": {"name": "Idlens", "vendor_name": "Idlens", "version": env!("CARGO_PKG_VERSION")}
                },
                "finding_info": {
                    "uid": format!("idlens:{key}/{n}"),
                    "title": f.title,
                    "desc": f.message,
                    "types": [f.check_id],
                    "created_time": time,
                    "analytic": {"uid": f.check_id, "name": f.title, "type_id": 1, "type": "Rule"}
                },
                "resources": [{
                    "uid": f.identity.id,
                    "name": f.identity.name,
                    "type": f.identity.kind
                }],
                "remediation": {"desc": f.remediation},
                "unmapped": {
                    "evidence": evidence,
                    "controls": crate::findings::controls_of(&f.check_id),
                    "impact": f.impact,
                    "waiver": f.waiver
                }
            })
        })
        .collect();
    Value::Array(events)
}
