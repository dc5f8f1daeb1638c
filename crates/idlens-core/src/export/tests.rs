//! SARIF and OCSF output validated against the (hand-written subset) schemas in `crates/idlens-core/schemas/`,
//! on the demo tenant and the hostile fixture, plus the properties the schemas cannot say.

use super::*;
use crate::report::tests::{hostile_files, ingest, tenant};

fn validate(schema: &str, instance: &serde_json::Value) -> Vec<String> {
    let schema: serde_json::Value = serde_json::from_str(schema).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    validator
        .iter_errors(instance)
        .take(20)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

const SARIF_SCHEMA: &str = include_str!("../../schemas/sarif-2.1.0-subset.schema.json");
const OCSF_SCHEMA: &str =
    include_str!("../../schemas/ocsf-1.3.0-detection-finding-subset.schema.json");

#[test]
fn sarif_and_ocsf_validate_on_the_demo_and_hostile_tenants() {
    let demo = tenant(&crate::generate::GenerateOptions::demo());
    let hostile = ingest(&hostile_files());
    for snap in [&demo, &hostile] {
        let eval = crate::checks::evaluate(
            snap,
            &crate::policy::Policy::default(),
            crate::generate::DEMO_AS_OF_UNIX,
        );
        assert!(!eval.findings.is_empty());
        let s = sarif::sarif(snap, &eval);
        let errors = validate(SARIF_SCHEMA, &s);
        assert!(errors.is_empty(), "SARIF: {errors:#?}");
        let results = s["runs"][0]["results"].as_array().map_or(0, Vec::len);
        assert_eq!(results, eval.findings.len());
        let rules = s["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(rules, crate::catalog::CHECKS.len());
        let o = ocsf::ocsf(&eval);
        let errors = validate(OCSF_SCHEMA, &o);
        assert!(errors.is_empty(), "OCSF: {errors:#?}");
        assert_eq!(o.as_array().map_or(0, Vec::len), eval.findings.len());
        // Unique ids, deterministic output.
        let mut uids: Vec<&str> = o
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["finding_info"]["uid"].as_str())
            .collect();
        uids.sort_unstable();
        let n = uids.len();
        uids.dedup();
        assert_eq!(uids.len(), n, "finding uids are unique");
        assert_eq!(s, sarif::sarif(snap, &eval));
    }
}

#[test]
fn schemas_reject_what_they_should() {
    let bad = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "level": "critical"}]}]});
    assert!(!validate(SARIF_SCHEMA, &bad).is_empty());
    let bad = serde_json::json!([{"class_uid": 2004, "category_uid": 2, "activity_id": 1, "type_uid": 200401, "severity_id": 9, "time": 0, "metadata": {"version": "1.3.0", "product": {"vendor_name": "x"}}, "finding_info": {"uid": "u", "title": "t"}}]);
    assert!(!validate(OCSF_SCHEMA, &bad).is_empty());
}

#[test]
fn uris_are_references() {
    assert_eq!(
        uri_reference("demo/tenant/a b.json"),
        "demo/tenant/a%20b.json"
    );
    assert_eq!(uri_reference("x.zip!in/é.json"), "x.zip%21in/%C3%A9.json");
    assert_eq!(uri_reference("C:\\x\\y.json"), "C%3A/x/y.json");
}
