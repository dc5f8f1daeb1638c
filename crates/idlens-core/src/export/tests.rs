//! SARIF and OCSF output validated against real schemas vendored in `crates/idlens-core/schemas/` (see the README
//! there): the OASIS SARIF 2.1.0 schema, and the JSON Schema of the `py-ocsf-models` `DetectionFinding` model (OCSF
//! 1.5.0). Every document goes through `artifact::render`, the function the CLI and the viewer call, for the demo
//! tenant (with and without waivers), the hostile fixture (plain and pseudonymised), a tenant with no findings and
//! an empty snapshot. Plus what the schemas cannot say: counts, unique ids, every OCSF field one the class defines.

use std::sync::LazyLock;

use jsonschema::{Draft, Validator};
use serde_json::Value;

use super::artifact::{ArtifactKind, Inputs, render};
use super::*;
use crate::checks::Evaluation;
use crate::model::Snapshot;
use crate::policy::{Policy, Waiver};
use crate::report::tests::{hostile_files, ingest, tenant};

const SARIF_SCHEMA: &str = include_str!("../../schemas/sarif-2.1.0-rtm.5.json");
const OCSF_SCHEMA: &str =
    include_str!("../../schemas/ocsf-1.5.0-detection-finding.py-ocsf-models-0.10.0.schema.json");

fn parse(schema: &str) -> Value {
    serde_json::from_str(schema).expect("schema is JSON")
}

/// A validator for the draft the schema declares, with `format` checked and no reference ever fetched (both
/// schemas are self-contained; a remote `$ref` must fail the build of the validator, not reach the network).
fn compile(schema: &Value, draft: Draft) -> Validator {
    jsonschema::options()
        .with_draft(draft)
        .should_validate_formats(true)
        .offline()
        .build(schema)
        .expect("schema compiles offline")
}

/// The `language` pattern of `run` and `toolComponent` in the vendored file has a stray `]`: valid in a JavaScript
/// regular expression without the `u` flag (Annex B reads it as a literal `]`), a syntax error for the `jsonschema`
/// crate's `format: regex` check of the meta-schema, so the schema would not compile. The file stays byte for byte
/// as published; the pattern is escaped here, with the meaning Annex B gives it. (Idlens emits no `language`.)
const SARIF_LANGUAGE_PATTERN: (&str, &str) = (
    "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$",
    "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$",
);

static SARIF: LazyLock<Validator> = LazyLock::new(|| {
    let mut schema = parse(SARIF_SCHEMA);
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-04/schema#");
    for object in ["run", "toolComponent"] {
        let pattern = schema
            .pointer_mut(&format!(
                "/definitions/{object}/properties/language/pattern"
            ))
            .expect("a language pattern");
        assert_eq!(pattern, SARIF_LANGUAGE_PATTERN.0, "{object}");
        *pattern = SARIF_LANGUAGE_PATTERN.1.into();
    }
    compile(&schema, Draft::Draft4)
});

static OCSF_JSON: LazyLock<Value> = LazyLock::new(|| parse(OCSF_SCHEMA));

static OCSF: LazyLock<Validator> = LazyLock::new(|| {
    assert_eq!(
        OCSF_JSON["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    compile(&OCSF_JSON, Draft::Draft202012)
});

fn errors(validator: &Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .take(20)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// One tenant to export: a label, the snapshot, the policy, and the pseudonymisation key if any.
struct Case {
    label: &'static str,
    snapshot: Snapshot,
    policy: Policy,
    key: Option<&'static [u8]>,
}

fn waivers() -> Policy {
    Policy {
        waivers: vec![
            Waiver {
                check_id: "*".into(),
                identity: "*hostile*".into(),
                justification: "<script>alert(3)</script> accepted \u{202e}risk".into(),
                approver: "=cmd|' /C calc'!A0".into(),
                expires: Some("2027-12-31".into()),
            },
            Waiver {
                check_id: "NHI-G-001".into(),
                identity: "*".into(),
                justification: "owners are tracked in the CMDB".into(),
                approver: "ciso@example.org".into(),
                expires: None,
            },
        ],
        ..Policy::default()
    }
}

fn cases() -> Vec<Case> {
    let demo = || tenant(&crate::generate::GenerateOptions::demo());
    vec![
        Case {
            label: "demo",
            snapshot: demo(),
            policy: Policy::default(),
            key: None,
        },
        Case {
            label: "demo with waivers",
            snapshot: demo(),
            policy: waivers(),
            key: None,
        },
        Case {
            label: "hostile with waivers",
            snapshot: ingest(&hostile_files()),
            policy: waivers(),
            key: None,
        },
        Case {
            label: "hostile pseudonymised",
            snapshot: ingest(&hostile_files()),
            policy: waivers(),
            key: Some(b"a test key, not a secret"),
        },
        Case {
            label: "hostile, every file read twice",
            snapshot: ingest(&[hostile_files(), hostile_files()].concat()),
            policy: Policy::default(),
            key: None,
        },
        Case {
            label: "no identities",
            snapshot: ingest(&[("empty/identities.json".into(), b"[]".to_vec())]),
            policy: Policy::default(),
            key: None,
        },
        Case {
            label: "empty snapshot",
            snapshot: ingest(&[]),
            policy: Policy::default(),
            key: None,
        },
    ]
}

/// The case judged at the demo's date: its evaluation and remediation plan.
fn judge(case: &Case) -> (Evaluation, crate::remediate::Plan) {
    let as_of = crate::generate::DEMO_AS_OF_UNIX;
    let evaluation = crate::checks::evaluate(&case.snapshot, &case.policy, as_of);
    let plan = crate::remediate::plan(&case.snapshot, &case.policy, as_of, &evaluation);
    (evaluation, plan)
}

/// What `render` is given for one case (no input digests, no previous snapshot).
fn inputs<'a>(
    evaluation: &'a Evaluation,
    plan: &'a crate::remediate::Plan,
    policy: &'a Policy,
) -> Inputs<'a> {
    Inputs {
        evaluation,
        plan,
        policy,
        policy_label: "test".into(),
        digests: Vec::new(),
        previous: None,
    }
}

/// The case's evaluation and the SARIF and OCSF documents exactly as Idlens writes them, parsed back.
fn export(case: &mut Case) -> (Evaluation, Value, Value) {
    let (evaluation, plan) = judge(case);
    let inputs = inputs(&evaluation, &plan, &case.policy);
    let mut doc = |kind| {
        let text = render(kind, &mut case.snapshot, &inputs, case.key).text;
        serde_json::from_str::<Value>(&text).expect("export is JSON")
    };
    let (sarif, ocsf) = (doc(ArtifactKind::Sarif), doc(ArtifactKind::Ocsf));
    (evaluation, sarif, ocsf)
}

#[test]
fn sarif_validates_against_the_oasis_schema() {
    let mut with_findings = 0;
    let mut suppressed = 0;
    let mut deduplicated = 0;
    for mut case in cases() {
        let (eval, s, _) = export(&mut case);
        let label = case.label;
        let errors = errors(&SARIF, &s);
        assert!(errors.is_empty(), "{label}: SARIF: {errors:#?}");
        let results = s["runs"][0]["results"].as_array().expect("results");
        assert_eq!(results.len(), eval.findings.len(), "{label}");
        let rules = s["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(rules, crate::catalog::CHECKS.len(), "{label}");
        let waived = eval.findings.iter().filter(|f| f.waived).count();
        let with_suppression = results
            .iter()
            .filter(|r| r["suppressions"].is_array())
            .count();
        assert_eq!(with_suppression, waived, "{label}");
        // Every location's artifact index names the artifact with its URI; each artifact is listed once.
        let artifacts = s["runs"][0]["artifacts"].as_array().expect("artifacts");
        for location in results
            .iter()
            .flat_map(|r| r["locations"].as_array().into_iter().flatten())
        {
            let a = &location["physicalLocation"]["artifactLocation"];
            if a.is_null() {
                continue;
            }
            let index = a["index"].as_u64().expect("an index") as usize;
            assert_eq!(artifacts[index]["location"]["uri"], a["uri"], "{label}");
        }
        let mut uris: Vec<&str> = artifacts
            .iter()
            .filter_map(|a| a["location"]["uri"].as_str())
            .collect();
        uris.sort_unstable();
        uris.dedup();
        assert_eq!(uris.len(), artifacts.len(), "{label}");
        deduplicated += usize::from(artifacts.len() < case.snapshot.files.len());
        with_findings += usize::from(!results.is_empty());
        suppressed += waived;
    }
    // The cases exercise what they claim to: findings, waivers, and tenants without any finding.
    assert_eq!(with_findings, 5);
    assert_eq!(deduplicated, 1, "the files read twice are listed once");
    assert!(suppressed > 0);
}

#[test]
fn ocsf_validates_against_the_py_ocsf_models_schema() {
    let defaults = &OCSF_JSON["properties"];
    for mut case in cases() {
        let (eval, _, o) = export(&mut case);
        let label = case.label;
        let events = o.as_array().expect("an array of events");
        assert_eq!(events.len(), eval.findings.len(), "{label}");
        for (i, event) in events.iter().enumerate() {
            let errors = errors(&OCSF, event);
            assert!(errors.is_empty(), "{label}: OCSF event {i}: {errors:#?}");
            // The class constants are defaults in the models, not constraints: compare them here.
            for field in ["class_uid", "class_name", "category_uid", "category_name"] {
                assert_eq!(event[field], defaults[field]["default"], "{label}: {field}");
            }
            assert_eq!(
                event["type_uid"],
                event["class_uid"].as_i64().unwrap_or(0) * 100
                    + event["activity_id"].as_i64().unwrap_or(-1),
                "{label}: type_uid is class_uid * 100 + activity_id"
            );
            assert_eq!(
                event["metadata"]["version"],
                OCSF_JSON["$defs"]["Metadata"]["properties"]["version"]["default"],
                "{label}: the OCSF version the models follow"
            );
            assert_eq!(
                event["status_id"],
                if eval.findings[i].waived { 3 } else { 1 },
                "{label}"
            );
        }
        let mut uids: Vec<&str> = events
            .iter()
            .filter_map(|e| e["finding_info"]["uid"].as_str())
            .collect();
        assert_eq!(uids.len(), events.len(), "{label}");
        uids.sort_unstable();
        uids.dedup();
        assert_eq!(uids.len(), events.len(), "{label}: finding uids are unique");
    }
    assert_eq!(ocsf::OCSF_VERSION, "1.5.0");
}

/// Follow `$ref`, `anyOf`, `oneOf` and `allOf` down to the schema nodes that describe a value.
fn leaves<'a>(node: &'a Value, out: &mut Vec<&'a Value>) {
    if let Some(r) = node["$ref"].as_str() {
        let name = r.strip_prefix("#/$defs/").expect("local $defs reference");
        leaves(&OCSF_JSON["$defs"][name], out);
    } else if let Some(branches) = ["anyOf", "oneOf", "allOf"]
        .iter()
        .find_map(|k| node[*k].as_array())
    {
        for b in branches {
            leaves(b, out);
        }
    } else {
        out.push(node);
    }
}

/// Every key of `value` that the schema node does not define, recursively. An object whose schema names no
/// properties (`unmapped`, `data`: free-form by definition) is not looked into.
fn undefined_fields(node: &Value, value: &Value, path: &str, out: &mut Vec<String>) {
    let mut nodes = Vec::new();
    leaves(node, &mut nodes);
    match value {
        Value::Object(map) => {
            let defined: Vec<&serde_json::Map<String, Value>> = nodes
                .iter()
                .filter_map(|n| n["properties"].as_object())
                .collect();
            if defined.is_empty() {
                return;
            }
            for (key, v) in map {
                match defined.iter().find_map(|p| p.get(key)) {
                    Some(sub) => undefined_fields(sub, v, &format!("{path}.{key}"), out),
                    None => out.push(format!("{path}.{key}")),
                }
            }
        }
        Value::Array(items) => {
            if let Some(item) = nodes.iter().map(|n| &n["items"]).find(|i| !i.is_null()) {
                for (i, v) in items.iter().enumerate() {
                    undefined_fields(item, v, &format!("{path}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

#[test]
fn every_ocsf_field_is_one_the_detection_finding_class_defines() {
    // The models accept unknown attributes (pydantic's default), so a misspelt field would validate: walk the
    // events against the schema's properties instead. Everything Idlens-specific lives under `unmapped`.
    let mut seen = std::collections::BTreeSet::new();
    for mut case in cases() {
        let (_, _, o) = export(&mut case);
        for event in o.as_array().into_iter().flatten() {
            let mut out = Vec::new();
            undefined_fields(&OCSF_JSON, event, "", &mut out);
            assert!(out.is_empty(), "{}: not OCSF fields: {out:?}", case.label);
            for (k, v) in event.as_object().into_iter().flatten() {
                seen.insert(k.clone());
                for sub in v.as_object().into_iter().flatten().map(|(s, _)| s) {
                    seen.insert(format!("{k}.{sub}"));
                }
            }
        }
    }
    // The walk did look at the nested objects.
    for field in [
        "finding_info.analytic",
        "metadata.product",
        "remediation.desc",
        "resources",
        "unmapped.evidence",
    ] {
        assert!(seen.contains(field), "{field} emitted");
    }
}

/// `value` without the member `key` of the object at `pointer`.
fn without(value: &Value, pointer: &str, key: &str) -> Value {
    let mut v = value.clone();
    let object = v.pointer_mut(pointer).and_then(Value::as_object_mut);
    assert!(
        object.and_then(|m| m.remove(key)).is_some(),
        "{pointer}/{key}"
    );
    v
}

#[test]
fn schemas_and_checks_reject_what_they_should() {
    let bad = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "level": "critical"}]}]});
    assert!(!errors(&SARIF, &bad).is_empty(), "SARIF level enum");
    let bad = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [], "reslts": []}]});
    assert!(!errors(&SARIF, &bad).is_empty(), "SARIF unknown property");
    let bad = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x", "informationUri": "no uri"}}}]});
    assert!(!errors(&SARIF, &bad).is_empty(), "SARIF format: uri");
    let a = serde_json::json!({"location": {"uri": "a.json"}});
    let bad = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "artifacts": [a, a]}]});
    assert!(!errors(&SARIF, &bad).is_empty(), "SARIF unique artifacts");

    let mut case = cases().remove(0);
    let (_, _, o) = export(&mut case);
    let good = o[0].clone();
    assert!(errors(&OCSF, &good).is_empty());
    let broken = |f: &dyn Fn(&mut Value)| {
        let mut e = good.clone();
        f(&mut e);
        e
    };
    for (what, bad) in [
        ("severity_id 9", broken(&|e| e["severity_id"] = 9.into())),
        ("type_uid", broken(&|e| e["type_uid"] = 200_405.into())),
        ("status_id", broken(&|e| e["status_id"] = 7.into())),
        ("time as text", broken(&|e| e["time"] = "2026-11-01".into())),
        ("no finding title", without(&good, "/finding_info", "title")),
        (
            "no analytic type",
            without(&good, "/finding_info/analytic", "type_id"),
        ),
        (
            "no vendor",
            without(&good, "/metadata/product", "vendor_name"),
        ),
    ] {
        assert!(
            !errors(&OCSF, &bad).is_empty(),
            "OCSF schema accepts {what}"
        );
    }
    for (what, bad, field) in [
        (
            "top level",
            broken(&|e| e["finding_inf"] = serde_json::json!({})),
            ".finding_inf",
        ),
        (
            "nested",
            broken(&|e| e["remediation"]["description"] = "x".into()),
            ".remediation.description",
        ),
        (
            "in an array",
            broken(&|e| e["resources"][0]["kind"] = "x".into()),
            ".resources[0].kind",
        ),
    ] {
        let mut out = Vec::new();
        undefined_fields(&OCSF_JSON, &bad, "", &mut out);
        assert_eq!(out, [field], "{what}");
    }
}

#[test]
fn vendored_schemas_have_no_remote_references() {
    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                    out.push(r);
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    for schema in [parse(SARIF_SCHEMA), OCSF_JSON.clone()] {
        let mut out = Vec::new();
        refs(&schema, &mut out);
        assert!(!out.is_empty());
        assert!(out.iter().all(|r| r.starts_with('#')), "{out:?}");
    }
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

/// The findings JSON is written straight from the document, with no `serde_json::Value` tree in between: the same
/// content as the document, in the document's own field order, for every case.
#[test]
fn findings_json_is_the_document_written_directly() {
    for mut case in cases().into_iter().filter(|c| c.key.is_none()) {
        let label = case.label;
        let (evaluation, plan) = judge(&case);
        let document =
            serde_json::to_value(crate::findings::Document::new(&evaluation, plan.clone()))
                .expect("the document is JSON");
        let inputs = inputs(&evaluation, &plan, &case.policy);
        let text = render(ArtifactKind::Json, &mut case.snapshot, &inputs, None).text;
        assert!(text.ends_with("}\n"), "{label}");
        assert!(
            text.starts_with("{\n  \"schema_version\": "),
            "{label}: the document's first field first: {}",
            &text[..text.len().min(80)]
        );
        let written: Value = serde_json::from_str(&text).expect("export is JSON");
        assert_eq!(written, document, "{label}");
    }
}
