//! NHI-P-007 "granted but unused" end to end: `az monitor activity-log list` events are detected by content, tied
//! to identities by their claims (object id, else app id, else a GUID `caller`), deduplicated by `eventDataId`, and
//! a write role assignment with no operation it allows in the window is reported. People's events count for the
//! log's coverage only; hostile events are set aside with their reason and the good ones kept.

mod common;

use common::{check_run, findings_of, ingest};
use idlens_core::checks::evaluate;
use idlens_core::findings::CheckStatus;
use idlens_core::policy::Policy;

const NOW: i64 = 1_793_491_200; // 2026-11-01T00:00:00Z
const SUB: &str = "5e2f7c4a-0b1d-4c8e-9f3a-2d6b8e1c7a90";
const TENANT: &str = "11111111-1111-1111-1111-111111111111";
// (name, principal id, client id)
const BUSY: (&str, &str, &str) = (
    "id-busy",
    "a1000000-0000-4000-8000-000000000001",
    "b1000000-0000-4000-8000-000000000001",
);
const IDLE: (&str, &str, &str) = (
    "id-idle",
    "a1000000-0000-4000-8000-000000000002",
    "b1000000-0000-4000-8000-000000000002",
);
const BY_APP: (&str, &str, &str) = (
    "id-by-app",
    "a1000000-0000-4000-8000-000000000003",
    "b1000000-0000-4000-8000-000000000003",
);

fn uami((name, principal, client): (&str, &str, &str)) -> String {
    format!(
        r#"{{"id":"/subscriptions/{SUB}/resourcegroups/rg-app/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}",
"name":"{name}","type":"Microsoft.ManagedIdentity/userAssignedIdentities","location":"westeurope","resourceGroup":"rg-app",
"principalId":"{principal}","clientId":"{client}","tenantId":"{TENANT}","tags":{{}}}}"#
    )
}

fn contributor(n: u32, principal: &str) -> String {
    format!(
        r#"{{"id":"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments/c1000000-0000-4000-8000-00000000000{n}",
"name":"c1000000-0000-4000-8000-00000000000{n}","principalId":"{principal}","principalType":"ServicePrincipal",
"roleDefinitionId":"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c",
"roleDefinitionName":"Contributor","scope":"/subscriptions/{SUB}","type":"Microsoft.Authorization/roleAssignments"}}"#
    )
}

fn event(id: u32, at: &str, caller: &str, claims: &str) -> String {
    format!(
        r#"{{"authorization":{{"action":"Microsoft.Web/sites/write","scope":"/subscriptions/{SUB}/resourceGroups/rg-app/providers/Microsoft.Web/sites/web1"}},
"caller":"{caller}","channels":"Operation","claims":{{{claims}}},"correlationId":"e0000000-0000-4000-8000-000000000000",
"eventDataId":"d1000000-0000-4000-8000-00000000000{id}","eventName":{{"localizedValue":"End request","value":"EndRequest"}},
"eventTimestamp":"{at}","level":"Informational","operationName":{{"localizedValue":"Create or Update Web App","value":"Microsoft.Web/sites/write"}},
"resourceGroupName":"rg-app","resourceId":"/subscriptions/{SUB}/resourceGroups/rg-app/providers/Microsoft.Web/sites/web1",
"status":{{"localizedValue":"Succeeded","value":"Succeeded"}},"subscriptionId":"{SUB}","tenantId":""}}"#
    )
}

#[test]
fn write_grants_are_judged_against_the_activity_log() {
    let identities = format!("[{},{},{}]", uami(BUSY), uami(IDLE), uami(BY_APP));
    let assignments = format!(
        "[{},{},{}]",
        contributor(1, BUSY.1),
        contributor(2, IDLE.1),
        contributor(3, BY_APP.1)
    );
    let oid = |p: &str| {
        format!(
            r#""http://schemas.microsoft.com/identity/claims/objectidentifier":"{p}","aud":"https://management.azure.com/""#
        )
    };
    let events = [
        // The busy identity wrote 10 days ago (named by its object id claim), twice in the export (same event).
        event(1, "2026-10-22T08:15:02.3456789Z", BUSY.2, &oid(BUSY.1)),
        event(1, "2026-10-22T08:15:02.3456789Z", BUSY.2, &oid(BUSY.1)),
        // The other one only by its app id claim.
        event(
            2,
            "2026-10-01T00:00:00Z",
            "x",
            &format!(r#""appid":"{}""#, BY_APP.2),
        ),
        // A person: counts for the log's span (from 61 days back), not kept.
        event(
            3,
            "2026-09-01T12:00:00Z",
            "ada@contoso.com",
            r#""name":"Ada""#,
        ),
        // Hostile: no timestamp, and a timestamp of the wrong type.
        r#"{"caller":"x","authorization":{"action":"a","scope":"/"},"eventTimestamp":""}"#
            .to_owned(),
        r#"{"caller":"x","authorization":{"action":"a","scope":"/"},"eventTimestamp":5}"#
            .to_owned(),
    ];
    let log = format!("[{}]", events.join(","));
    let snap = ingest(&[
        ("identities.json", identities.as_bytes()),
        ("role-assignments.json", assignments.as_bytes()),
        ("activity-log.json", log.as_bytes()),
    ]);
    let file = snap
        .files
        .iter()
        .find(|f| f.path == "activity-log.json")
        .unwrap();
    assert_eq!(file.format, "az-activity-log");
    assert_eq!((file.records, file.ingested, file.merged), (6, 3, 1));
    assert_eq!(file.set_aside.len(), 2, "{:?}", file.set_aside);
    assert!(
        file.set_aside
            .iter()
            .any(|s| s.reason.contains("eventTimestamp"))
    );
    assert!(
        file.messages
            .iter()
            .any(|m| m.starts_with("1 event(s) by callers")),
        "{:?}",
        file.messages
    );
    assert_eq!(snap.operations.len(), 2);
    assert_eq!(snap.log_coverage.len(), 1);
    assert_eq!(snap.log_coverage[0].subscription, SUB);

    let e = evaluate(&snap, &Policy::default(), NOW);
    assert_eq!(check_run(&e, "NHI-P-007").status, CheckStatus::Partial);
    assert!(findings_of(&e, "NHI-P-007", "id-busy").is_empty());
    assert!(findings_of(&e, "NHI-P-007", "id-by-app").is_empty());
    let idle = findings_of(&e, "NHI-P-007", "id-idle");
    assert_eq!(
        idle.len(),
        1,
        "{:?}",
        e.findings
            .iter()
            .map(|f| (&f.check_id, &f.identity.name))
            .collect::<Vec<_>>()
    );
    assert!(
        idle[0]
            .message
            .starts_with("Contributor at subscription scope"),
        "{}",
        idle[0].message
    );
    // The log starts 61 days back: shorter than the 90-day window, so the finding is not certain.
    assert!(!idle[0].certain);
}
