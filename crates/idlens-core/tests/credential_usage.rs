//! NHI-C-007 "unused credential" end to end: Graph beta `reports/appCredentialSignInActivities` is detected (not
//! confused with the per-app `servicePrincipalSignInActivities`), parsed from either envelope and any encoding,
//! linked to the credentials of applications and service principals by `keyId` and holder, and judged against the
//! policy threshold. Records of unknown credentials are kept and reported; hostile records are set aside with their
//! position and what was expected, and the good ones kept.

mod common;

use common::{check_run, field, findings_of, ingest};
use idlens_core::catalog::Severity;
use idlens_core::checks::{Evaluation, evaluate};
use idlens_core::findings::{CheckStatus, Finding};
use idlens_core::ids::Guid;
use idlens_core::model::{CredentialHolder, Snapshot};
use idlens_core::policy::Policy;

const NOW: i64 = 1_793_491_200; // 2026-11-01T00:00:00Z

// Applications (object id, app id, secret keyId).
const FRESH: (&str, &str, &str) = (
    "0a000000-0000-4000-8000-000000000001",
    "0b000000-0000-4000-8000-000000000001",
    "0c000000-0000-4000-8000-000000000001",
);
const NEVER: (&str, &str, &str) = (
    "0a000000-0000-4000-8000-000000000002",
    "0b000000-0000-4000-8000-000000000002",
    "0c000000-0000-4000-8000-000000000002",
);
const DAYS46: (&str, &str, &str) = (
    "0a000000-0000-4000-8000-000000000003",
    "0b000000-0000-4000-8000-000000000003",
    "0c000000-0000-4000-8000-000000000003",
);
const EXPIRED: (&str, &str, &str) = (
    "0a000000-0000-4000-8000-000000000004",
    "0b000000-0000-4000-8000-000000000004",
    "0c000000-0000-4000-8000-000000000004",
);
const UNLISTED: (&str, &str, &str) = (
    "0a000000-0000-4000-8000-000000000005",
    "0b000000-0000-4000-8000-000000000005",
    "0c000000-0000-4000-8000-000000000005",
);
const YOUNG: (&str, &str, &str) = (
    "0a000000-0000-4000-8000-000000000006",
    "0b000000-0000-4000-8000-000000000006",
    "0c000000-0000-4000-8000-000000000006",
);
// A service principal with its own certificate, and a managed identity with its platform certificate.
const SP: (&str, &str, &str) = (
    "0d000000-0000-4000-8000-000000000007",
    "0e000000-0000-4000-8000-000000000007",
    "0f000000-0000-4000-8000-000000000007",
);
const MI: (&str, &str, &str) = (
    "0d000000-0000-4000-8000-000000000008",
    "0e000000-0000-4000-8000-000000000008",
    "0f000000-0000-4000-8000-000000000008",
);
const UNKNOWN_KEY: &str = "0f000000-0000-4000-8000-000000000099";

fn app(name: &str, ids: (&str, &str, &str), start: &str, end: &str) -> String {
    format!(
        r#"{{"id":"{}","appId":"{}","displayName":"{name}","signInAudience":"AzureADMyOrg","keyCredentials":[],
  "passwordCredentials":[{{"customKeyIdentifier":null,"displayName":"{name}-secret","endDateTime":"{end}","hint":"abc",
  "keyId":"{}","secretText":null,"startDateTime":"{start}"}}]}}"#,
        ids.0, ids.1, ids.2
    )
}

fn applications() -> String {
    format!(
        "[{}]",
        [
            app(
                "app-fresh",
                FRESH,
                "2026-01-01T00:00:00Z",
                "2027-06-01T00:00:00Z"
            ),
            app(
                "app-never",
                NEVER,
                "2026-01-01T00:00:00Z",
                "2027-06-01T00:00:00Z"
            ),
            app(
                "app-46",
                DAYS46,
                "2026-01-01T00:00:00Z",
                "2027-06-01T00:00:00Z"
            ),
            app(
                "app-expired",
                EXPIRED,
                "2025-01-01T00:00:00Z",
                "2026-10-01T00:00:00Z"
            ),
            app(
                "app-unlisted",
                UNLISTED,
                "2026-01-01T00:00:00Z",
                "2027-06-01T00:00:00Z"
            ),
            app(
                "app-young",
                YOUNG,
                "2026-10-22T00:00:00Z",
                "2027-06-01T00:00:00Z"
            ),
        ]
        .join(",")
    )
}

fn service_principals() -> String {
    format!(
        r#"{{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#servicePrincipals","value":[
  {{"id":"{sp_id}","appId":"{sp_app}","displayName":"sp-cert","servicePrincipalType":"Application","accountEnabled":true,
    "passwordCredentials":[],"keyCredentials":[{{"keyId":"{sp_key}","type":"AsymmetricX509Cert","usage":"Verify",
    "startDateTime":"2026-01-01T00:00:00Z","endDateTime":"2027-01-01T00:00:00Z","displayName":"CN=sp-cert"}}]}},
  {{"id":"{mi_id}","appId":"{mi_app}","displayName":"id-platform","servicePrincipalType":"ManagedIdentity",
    "alternativeNames":["isExplicit=True","/subscriptions/00000000-0000-0000-0000-0000000000a1/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-platform"],
    "keyCredentials":[{{"keyId":"{mi_key}","type":"AsymmetricX509Cert","usage":"Verify",
    "startDateTime":"2026-08-01T00:00:00Z","endDateTime":"2026-11-30T00:00:00Z"}}],"passwordCredentials":[]}}
]}}"#,
        sp_id = SP.0,
        sp_app = SP.1,
        sp_key = SP.2,
        mi_id = MI.0,
        mi_app = MI.1,
        mi_key = MI.2,
    )
}

fn record(
    origin: &str,
    ids: (&str, &str, &str),
    key_type: &str,
    last: Option<&str>,
    resource: &str,
) -> String {
    let last = last.map_or("null".to_owned(), |l| format!("\"{l}\""));
    let (app_object, sp_object) = if origin == "application" {
        (ids.0, "")
    } else {
        ("", ids.0)
    };
    format!(
        r#"{{"id":"x","keyId":"{key}","keyType":"{key_type}","keyUsage":"sign","appId":"{app}","appObjectId":"{app_object}",
  "servicePrincipalObjectId":"{sp_object}","resourceId":"{resource}","credentialOrigin":"{origin}",
  "expirationDateTime":"2027-06-01T00:00:00Z","createdDateTime":"2026-01-01T00:00:00Z","futureField":{{"a":[1]}},
  "signInActivity":{{"lastSignInDateTime":{last},"lastSignInRequestId":"4ea8ac36-0000-4000-8000-000000000000"}}}}"#,
        key = ids.2,
        app = ids.1,
    )
}

const GRAPH: &str = "00000003-0000-0000-c000-000000000000";
const VAULT: &str = "cfa8b339-82a2-471a-a3c9-0fc0be7a4093";

fn usage_records() -> Vec<String> {
    vec![
        record(
            "application",
            FRESH,
            "clientSecret",
            Some("2026-10-22T08:00:00Z"),
            GRAPH,
        ),
        // The same credential signing in to another resource, earlier: merged, the latest use kept.
        record(
            "application",
            FRESH,
            "clientSecret",
            Some("2026-03-01T08:00:00Z"),
            VAULT,
        ),
        record("application", NEVER, "clientSecret", None, GRAPH),
        record(
            "application",
            DAYS46,
            "clientSecret",
            Some("2026-09-16T00:00:00Z"),
            GRAPH,
        ),
        record("application", EXPIRED, "clientSecret", None, GRAPH),
        record("application", YOUNG, "clientSecret", None, GRAPH),
        record(
            "servicePrincipal",
            SP,
            "certificate",
            Some("2026-07-24T00:00:00Z"),
            GRAPH,
        ),
        // A managed identity's platform certificate: not a user-managed credential, never linked nor flagged.
        record("servicePrincipal", MI, "certificate", None, GRAPH),
        record(
            "application",
            (
                "0a000000-0000-4000-8000-000000000099",
                "0b000000-0000-4000-8000-000000000099",
                UNKNOWN_KEY,
            ),
            "clientSecret",
            None,
            GRAPH,
        ),
    ]
}

/// The Graph envelope as `az rest` saves it, with a UTF-8 BOM (PowerShell `Out-File -Encoding utf8`).
fn usage_graph_envelope() -> Vec<u8> {
    let body = format!(
        r#"{{"@odata.context":"https://graph.microsoft.com/beta/$metadata#reports/appCredentialSignInActivities","value":[{}],
"@odata.nextLink":null}}"#,
        usage_records().join(",")
    );
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

fn tenant(usage: Option<&[u8]>) -> Snapshot {
    let (apps, sps) = (applications(), service_principals());
    let mut files: Vec<(&str, &[u8])> =
        vec![("apps.json", apps.as_bytes()), ("sps.json", sps.as_bytes())];
    if let Some(usage) = usage {
        files.push(("app-credential-signins.json", usage));
    }
    ingest(&files)
}

fn c007<'e>(e: &'e Evaluation, name: &str) -> Vec<&'e Finding> {
    findings_of(e, "NHI-C-007", name)
}

#[test]
fn the_export_is_detected_parsed_merged_and_linked() {
    let usage = usage_graph_envelope();
    let snap = tenant(Some(&usage));
    let file = &snap.files[2];
    assert_eq!(file.format, "graph-app-credential-sign-in-activity");
    assert_eq!((file.records, file.ingested, file.merged), (9, 8, 1));
    assert!(file.set_aside.is_empty(), "{:?}", file.set_aside);
    // The unknown keyId and the managed identity's platform certificate are kept as usage of unknown credentials
    // and reported, never dropped silently.
    let unknown: Vec<_> = snap
        .credential_activity
        .iter()
        .filter(|a| a.credential.is_none())
        .collect();
    assert_eq!(unknown.len(), 2);
    assert!(
        file.messages
            .iter()
            .any(|m| m.starts_with("2 credential sign-in record(s) name a credential")),
        "{:?}",
        file.messages
    );
    // Linked: every user-managed credential but the unlisted one has its usage; the latest of merged records wins.
    let key = |k: &str| Guid::parse(k).expect("guid");
    let cred = |k: &str| {
        snap.credentials
            .iter()
            .find(|c| c.key_id == Some(key(k)))
            .expect("credential")
    };
    let fresh = snap.credential_activity_of(cred(FRESH.2)).expect("usage");
    assert_eq!(
        fresh.last_sign_in,
        idlens_core::time::parse("2026-10-22T08:00:00Z").map(|t| t.unix)
    );
    assert_eq!(fresh.provenance.len(), 2, "both records of the credential");
    assert!(snap.credential_activity_of(cred(UNLISTED.2)).is_none());
    let sp = cred(SP.2);
    assert_eq!(sp.holder, CredentialHolder::ServicePrincipal);
    assert!(snap.credential_activity_of(sp).is_some());
    assert!(
        snap.credentials.iter().all(|c| c.key_id != Some(key(MI.2))),
        "platform certificates are not credentials"
    );
}

#[test]
fn c007_flags_never_used_and_stale_credentials_only() {
    let usage = usage_graph_envelope();
    let e = evaluate(&tenant(Some(&usage)), &Policy::default(), NOW);
    assert_eq!(check_run(&e, "NHI-C-007").status, CheckStatus::Evaluated);
    // Used 10 days ago: fine. Created 10 days ago and never used: too young to call unused.
    assert!(c007(&e, "app-fresh").is_empty());
    assert!(c007(&e, "app-young").is_empty());
    // Expired: NHI-C-004's business, not "unused".
    assert!(c007(&e, "app-expired").is_empty());
    assert!(
        e.findings
            .iter()
            .any(|f| f.check_id == "NHI-C-004" && f.identity.name == "app-expired")
    );
    // Never used.
    let never = c007(&e, "app-never");
    assert_eq!(never.len(), 1);
    assert!(never[0].certain);
    assert_eq!(never[0].severity, Severity::Medium);
    assert_eq!(field(never[0], "lastSignInDateTime"), Some("null"));
    assert_eq!(field(never[0], "keyId"), Some(NEVER.2));
    assert!(
        never[0].message.contains("1 never used"),
        "{}",
        never[0].message
    );
    // Evidence names the file, the record index and its line.
    let usage_ev = never[0]
        .evidence
        .iter()
        .find(|ev| ev.record_kind == "credential-sign-in-activity")
        .expect("usage evidence");
    assert_eq!(usage_ev.file, "app-credential-signins.json");
    assert_eq!(usage_ev.record, 2);
    assert!(usage_ev.line >= 2);
    // Last used 46 days ago with the default threshold of 45.
    let stale = c007(&e, "app-46");
    assert_eq!(stale.len(), 1);
    assert_eq!(field(stale[0], "daysSinceLastSignIn"), Some("46"));
    assert_eq!(
        field(stale[0], "lastSignInDateTime"),
        Some("2026-09-16T00:00:00Z")
    );
    // A service principal's own certificate, last used 100 days ago.
    assert_eq!(c007(&e, "sp-cert").len(), 1);
    // A managed identity is never flagged.
    assert!(c007(&e, "id-platform").is_empty());
    // Not in the report at all: flagged, but uncertain, and saying why.
    let unlisted = c007(&e, "app-unlisted");
    assert_eq!(unlisted.len(), 1);
    assert!(!unlisted[0].certain);
    assert!(
        unlisted[0]
            .caveat
            .as_deref()
            .is_some_and(|c| c.contains("no record in the credential sign-in report"))
    );
    assert_eq!(
        field(unlisted[0], "credentialSignInActivity"),
        Some("absent from the report")
    );
    // Where a credential is used from is still unknown: NHI-C-008 stays not evaluated, never a pass.
    let c008 = check_run(&e, "NHI-C-008");
    assert_eq!(c008.status, CheckStatus::NotEvaluated);
    assert!(!c008.missing_exports.is_empty());
}

#[test]
fn c007_threshold_comes_from_the_policy() {
    let usage = usage_graph_envelope();
    let snap = tenant(Some(&usage));
    let policy =
        Policy::from_json(br#"{"thresholds":{"unused_credential_days":60}}"#).expect("policy");
    let e = evaluate(&snap, &policy, NOW);
    assert!(c007(&e, "app-46").is_empty(), "46 days is within 60");
    assert_eq!(c007(&e, "sp-cert").len(), 1, "100 days is not");
    let policy =
        Policy::from_json(br#"{"thresholds":{"unused_credential_days":5}}"#).expect("policy");
    let e = evaluate(&snap, &policy, NOW);
    assert_eq!(c007(&e, "app-fresh").len(), 1, "10 days is more than 5");
    assert_eq!(
        c007(&e, "app-young").len(),
        1,
        "created 10 days ago, never used"
    );
}

#[test]
fn c007_without_the_export_is_not_evaluated_and_names_it() {
    let e = evaluate(&tenant(None), &Policy::default(), NOW);
    let run = check_run(&e, "NHI-C-007");
    assert_eq!(run.status, CheckStatus::NotEvaluated);
    assert!(
        run.missing_exports
            .iter()
            .any(|m| m.contains("reports/appCredentialSignInActivities")),
        "{:?}",
        run.missing_exports
    );
    assert!(e.findings.iter().all(|f| f.check_id != "NHI-C-007"));
}

#[test]
fn bare_array_utf16_and_selected_fields_are_read() {
    // `$select=keyId,signInActivity`, saved by Windows PowerShell 5.1 (UTF-16LE with BOM), as a bare array.
    let text = format!(
        r#"[{{"keyId":"{}","signInActivity":{{"lastSignInDateTime":"2026-10-30T00:00:00Z"}}}},
            {{"keyId":"{}","signInActivity":null}}]"#,
        FRESH.2.to_uppercase(),
        NEVER.2
    );
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let snap = tenant(Some(&bytes));
    assert_eq!(
        snap.files[2].format,
        "graph-app-credential-sign-in-activity"
    );
    assert_eq!(snap.files[2].ingested, 2);
    // No holder named: matched by keyId alone (case-insensitive GUID), since one credential has it.
    assert!(
        snap.credential_activity
            .iter()
            .all(|a| a.credential.is_some())
    );
    let e = evaluate(&snap, &Policy::default(), NOW);
    assert!(c007(&e, "app-fresh").is_empty());
    assert_eq!(c007(&e, "app-never").len(), 1);
}

#[test]
fn not_confused_with_the_per_app_sign_in_report() {
    let per_app =
        br#"{"value":[{"id":"MGIwMDAwMDA=","appId":"0b000000-0000-4000-8000-000000000001",
      "applicationAuthenticationClientSignInActivity":{"lastSignInDateTime":"2026-10-01T00:00:00Z"},
      "lastSignInActivity":{"lastSignInDateTime":"2026-10-01T00:00:00Z"}}]}"#;
    let usage = usage_graph_envelope();
    let snap = ingest(&[("per-app.json", per_app), ("per-credential.json", &usage)]);
    assert_eq!(snap.files[0].format, "graph-sign-in-activity");
    assert_eq!(
        snap.files[1].format,
        "graph-app-credential-sign-in-activity"
    );
    assert_eq!(snap.activity.len(), 1);
    assert_eq!(snap.credential_activity.len(), 8);
}

#[test]
fn hostile_records_are_set_aside_with_position_and_expectation() {
    let good = record("application", NEVER, "clientSecret", None, GRAPH);
    let text = format!(
        "[{good},\n{{\"keyId\":5,\"credentialOrigin\":\"application\"}},\n{{\"credentialOrigin\":\"application\",\"appId\":\"{}\"}},\n\
         {{\"keyId\":\"not-a-guid\",\"credentialOrigin\":\"application\"}},\n\
         {{\"keyId\":\"{}\",\"signInActivity\":{{\"lastSignInDateTime\":42}}}},\n\
         {{\"keyId\":\"{}\",\"credentialOrigin\":\"application\",\"signInActivity\":{{\"lastSignInDateTime\":\"yesterday\"}}}},\n\
         {{\"keyId\":\"{}\",\"credentialOrigin\":\"servicePrincipal\",\"servicePrincipalObjectId\":\"{}\"",
        FRESH.1, FRESH.2, DAYS46.2, SP.2, SP.0
    );
    let snap = tenant(Some(text.as_bytes()));
    let file = &snap.files[2];
    assert_eq!(file.format, "graph-app-credential-sign-in-activity");
    // The good record and the one with an unreadable time are kept; four are set aside; the truncated tail is
    // reported with its line.
    assert_eq!(file.ingested, 2, "{file:?}");
    assert_eq!(file.set_aside.len(), 4, "{file:?}");
    let reasons: Vec<(u64, u64, &str)> = file
        .set_aside
        .iter()
        .map(|s| (s.record, s.line, s.reason.as_str()))
        .collect();
    assert_eq!(reasons[0].0, 1);
    assert_eq!(reasons[0].1, 5);
    assert!(reasons[0].2.contains("expected"), "{}", reasons[0].2);
    assert!(reasons[0].2.contains("`keyId`"), "{}", reasons[0].2);
    assert!(
        reasons[1].2.contains("without a `keyId`"),
        "{}",
        reasons[1].2
    );
    assert!(
        reasons[2].2.contains("not a GUID (`not-a-guid`)"),
        "{}",
        reasons[2].2
    );
    assert!(reasons[3].2.contains("invalid type"), "{}", reasons[3].2);
    assert!(
        file.messages
            .iter()
            .any(|m| m.contains("stops being valid")),
        "{:?}",
        file.messages
    );
    assert!(
        file.messages
            .iter()
            .any(|m| m.contains("could not be read") && m.contains("yesterday")),
        "{:?}",
        file.messages
    );
    // The good record still counts.
    let e = evaluate(&snap, &Policy::default(), NOW);
    assert_eq!(c007(&e, "app-never").len(), 1);
}

#[test]
fn identity_page_shows_each_credentials_last_use() {
    use idlens_core::view::detail::{LastUse, identity_detail};
    let usage = usage_graph_envelope();
    let with = tenant(Some(&usage));
    let without = tenant(None);
    let last_use = |snap: &Snapshot, name: &str| {
        let ix = snap
            .identities
            .iter()
            .position(|i| snap.opt_str(i.display_name) == Some(name))
            .expect("identity") as u32;
        let detail = identity_detail(snap, ix, Some(NOW), None).expect("detail");
        assert_eq!(detail.credentials.len(), 1);
        let c = &detail.credentials[0];
        (c.last_use, c.provenance.len())
    };
    let at = idlens_core::time::parse("2026-10-22T08:00:00Z").map(|t| t.unix);
    // The credential's record plus both usage records (two resources) as sources.
    assert_eq!(
        last_use(&with, "app-fresh"),
        (LastUse::At(at.unwrap_or(0)), 3)
    );
    assert_eq!(last_use(&with, "app-never").0, LastUse::Never);
    assert_eq!(last_use(&with, "app-unlisted").0, LastUse::NotInReport);
    assert_eq!(last_use(&without, "app-fresh"), (LastUse::NotExported, 1));
}

#[test]
fn the_plan_deletes_unused_credentials() {
    let usage = usage_graph_envelope();
    let snap = tenant(Some(&usage));
    let e = evaluate(&snap, &Policy::default(), NOW);
    let plan = idlens_core::remediate::plan(&snap, &Policy::default(), NOW, &e);
    let action = plan
        .actions
        .iter()
        .find(|x| {
            x.kind == idlens_core::remediate::ActionKind::DeleteUnusedCredentials
                && x.identity.name == "app-never"
        })
        .expect("delete-unused-credentials action");
    let finding = c007(&e, "app-never")[0];
    assert_eq!(action.credentials, finding.refs.credentials);
    assert!(action.checks.contains(&"NHI-C-007".to_owned()));
    assert!(action.risk_after <= action.risk_before);
}

#[test]
fn truncated_or_corrupted_anywhere_never_panics_and_always_reconciles() {
    let usage = usage_graph_envelope();
    let (apps, sps) = (applications(), service_principals());
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for cut in (0..=usage.len()).step_by(7) {
        let snap = ingest(&[
            ("apps.json", apps.as_bytes()),
            ("sps.json", sps.as_bytes()),
            ("usage.json", &usage[..cut]),
        ]);
        let file = &snap.files[2];
        assert!(file.ingested + file.merged <= 9, "{file:?}");
        // Whatever survived is linked or reported, and evaluation runs.
        let _ = evaluate(&snap, &Policy::default(), NOW);
    }
    for _ in 0..300 {
        let mut bytes = usage.clone();
        for _ in 0..3 {
            let at = (next() as usize) % bytes.len();
            bytes[at] = b"\"{}[],:0aZ\\\x00\xff"[(next() as usize) % 13];
        }
        let snap = ingest(&[("apps.json", apps.as_bytes()), ("usage.json", &bytes)]);
        let _ = evaluate(&snap, &Policy::default(), NOW);
    }
}
