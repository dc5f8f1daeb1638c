//! NHI-G-002 "owner gone or disabled" end to end: Graph `users` and `groups` exports are detected by content (Graph
//! envelope with `$select`, `az ad user list`'s bare array, the portal's CSV with `True`/`False`), and the owners
//! expanded on applications and service principals (`$expand=owners`, with `@odata.type`) are looked up among them.
//! Deleted users are set aside with their reason; records without an id are set aside, the good ones kept.

mod common;

use common::{check_run, findings_of, ingest};
use idlens_core::checks::{Evaluation, evaluate};
use idlens_core::findings::CheckStatus;
use idlens_core::model::{DirectoryPrincipalKind, OwnerKind, Snapshot};
use idlens_core::policy::Policy;

const NOW: i64 = 1_793_491_200; // 2026-11-01T00:00:00Z

const ADA: &str = "a0000000-0000-4000-8000-000000000001";
const BOB: &str = "a0000000-0000-4000-8000-000000000002";
const GONE: &str = "a0000000-0000-4000-8000-000000000003";
const TEAM: &str = "b0000000-0000-4000-8000-000000000001";

fn sp(name: &str, n: u32, owners: &str) -> String {
    format!(
        r#"{{"id":"c0000000-0000-4000-8000-00000000000{n}","appId":"d0000000-0000-4000-8000-00000000000{n}",
"displayName":"{name}","servicePrincipalType":"Application","accountEnabled":true,
"appOwnerOrganizationId":"11111111-1111-1111-1111-111111111111","owners":[{owners}]}}"#
    )
}

fn user_owner(id: &str, upn: &str) -> String {
    format!(
        r##"{{"@odata.type":"#microsoft.graph.user","id":"{id}","displayName":"x","userPrincipalName":"{upn}"}}"##
    )
}

fn tenant() -> String {
    let sps = [
        sp(
            "app-ok",
            1,
            &format!(
                "{},{}",
                user_owner(BOB, "bob@contoso.com"),
                user_owner(ADA, "ada@contoso.com")
            ),
        ),
        sp("app-left", 2, &user_owner(BOB, "bob@contoso.com")),
        sp("app-gone", 3, &user_owner(GONE, "carol@contoso.com")),
        sp("app-none", 4, ""),
    ];
    format!(
        r#"{{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#servicePrincipals(owners())","value":[{}]}}"#,
        sps.join(",")
    )
}

const USERS: &str = r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users(id,displayName,userPrincipalName,mail,accountEnabled)",
"value":[
 {"id":"a0000000-0000-4000-8000-000000000001","displayName":"Ada","userPrincipalName":"ada@contoso.com","mail":"ada@contoso.com","accountEnabled":true},
 {"id":"a0000000-0000-4000-8000-000000000002","displayName":"Bob","userPrincipalName":"bob@contoso.com","mail":null,"accountEnabled":false},
 {"displayName":"no id","mail":"x@contoso.com","accountEnabled":true},
 {"id":"a0000000-0000-4000-8000-000000000009","displayName":"Dan","userPrincipalName":"dan@contoso.com","deletedDateTime":"2026-09-01T10:00:00Z"},
 {"id":"a0000000-0000-4000-8000-000000000001","displayName":"Ada","userPrincipalName":"ada@contoso.com"}
]}"#;

const GROUPS: &str = r#"[{"id":"b0000000-0000-4000-8000-000000000001","displayName":"Payments","mail":"payments@contoso.com","mailEnabled":true,"securityEnabled":true,"groupTypes":["Unified"]}]"#;

fn uami(name: &str, n: u32, owner: &str) -> String {
    format!(
        r#"{{"id":"/subscriptions/00000000-0000-0000-0000-0000000000b2/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}",
"name":"{name}","type":"Microsoft.ManagedIdentity/userAssignedIdentities","location":"westeurope","resourceGroup":"rg",
"principalId":"e0000000-0000-4000-8000-00000000000{n}","clientId":"f0000000-0000-4000-8000-00000000000{n}",
"tenantId":"11111111-1111-1111-1111-111111111111","tags":{{"owner":"{owner}"}}}}"#
    )
}

fn identities() -> String {
    format!(
        "[{},{},{}]",
        uami("id-team", 1, "payments@contoso.com"),
        uami("id-left", 2, "Bob@Contoso.com"),
        uami("id-words", 3, "the payments team")
    )
}

fn evaluate_all(snap: &Snapshot) -> Evaluation {
    evaluate(snap, &Policy::default(), NOW)
}

#[test]
fn owners_are_looked_up_among_users_groups_and_service_principals() {
    let tenant = tenant();
    let identities = identities();
    let snap = ingest(&[
        ("sps.json", tenant.as_bytes()),
        ("users.json", USERS.as_bytes()),
        ("groups.json", GROUPS.as_bytes()),
        ("identities.json", identities.as_bytes()),
    ]);
    let users = snap.files.iter().find(|f| f.path == "users.json").unwrap();
    assert_eq!(users.format, "graph-users");
    assert_eq!((users.records, users.ingested, users.merged), (5, 2, 1));
    assert_eq!(users.set_aside.len(), 2, "{:?}", users.set_aside);
    assert!(
        users
            .set_aside
            .iter()
            .any(|s| s.reason.contains("deletedDateTime"))
    );
    assert!(
        users
            .set_aside
            .iter()
            .any(|s| s.reason.contains("without an `id`"))
    );
    let groups = snap.files.iter().find(|f| f.path == "groups.json").unwrap();
    assert_eq!(
        (groups.format.as_str(), groups.ingested),
        ("graph-groups", 1)
    );
    let group_ids: Vec<String> = snap
        .principals
        .iter()
        .filter(|p| p.kind == DirectoryPrincipalKind::Group)
        .filter_map(|p| p.id.map(|g| g.to_string()))
        .collect();
    assert_eq!(group_ids, [TEAM]);
    // Expanded owners keep their id and kind.
    let ok = snap
        .identities
        .iter()
        .find(|i| snap.opt_str(i.display_name) == Some("app-ok"))
        .unwrap();
    assert_eq!(ok.owners.len(), 2);
    assert!(
        ok.owners
            .iter()
            .all(|o| o.kind == OwnerKind::User && o.id.is_some())
    );

    let e = evaluate_all(&snap);
    assert_eq!(check_run(&e, "NHI-G-002").status, CheckStatus::Evaluated);
    assert!(findings_of(&e, "NHI-G-002", "app-ok").is_empty());
    assert!(findings_of(&e, "NHI-G-002", "app-none").is_empty());
    assert!(findings_of(&e, "NHI-G-001", "app-none").len() == 1);
    let left = findings_of(&e, "NHI-G-002", "app-left");
    assert_eq!(left.len(), 1);
    assert!(
        left[0].message.contains("account disabled"),
        "{}",
        left[0].message
    );
    let gone = findings_of(&e, "NHI-G-002", "app-gone");
    assert_eq!(gone.len(), 1);
    assert!(
        gone[0].message.contains("carol@contoso.com (not among"),
        "{}",
        gone[0].message
    );
    assert!(gone[0].certain);
    // Owner tags: a team address resolves to the group, a person's (any casing) to the user; prose is not judged.
    assert!(findings_of(&e, "NHI-G-002", "id-team").is_empty());
    assert_eq!(findings_of(&e, "NHI-G-002", "id-left").len(), 1);
    assert!(findings_of(&e, "NHI-G-002", "id-words").is_empty());
}

#[test]
fn users_from_az_and_the_portal_csv() {
    // `az ad user list`: a bare array without `accountEnabled`: a deleted owner is found, a disabled one cannot be.
    let az = format!(
        r#"[{{"businessPhones":[],"displayName":"Bob","givenName":null,"id":"{BOB}","jobTitle":null,"mail":null,
"mobilePhone":null,"officeLocation":null,"preferredLanguage":null,"surname":null,"userPrincipalName":"bob@contoso.com"}}]"#
    );
    let tenant = tenant();
    let snap = ingest(&[
        ("sps.json", tenant.as_bytes()),
        ("users.json", az.as_bytes()),
    ]);
    let e = evaluate_all(&snap);
    assert!(findings_of(&e, "NHI-G-002", "app-left").is_empty());
    assert_eq!(findings_of(&e, "NHI-G-002", "app-gone").len(), 1);

    // The portal's "Download users" CSV (BOM, `True`/`False`).
    let csv = format!(
        "\u{feff}userPrincipalName,displayName,objectId,accountEnabled\r\nbob@contoso.com,Bob,{BOB},False\r\n\
         ada@contoso.com,Ada,{ADA},True\r\n"
    );
    let snap = ingest(&[
        ("sps.json", tenant.as_bytes()),
        ("exportUsers.csv", csv.as_bytes()),
    ]);
    let file = snap
        .files
        .iter()
        .find(|f| f.path == "exportUsers.csv")
        .unwrap();
    assert_eq!(
        (file.format.as_str(), file.ingested),
        ("graph-users-csv", 2)
    );
    let bob = snap
        .principals
        .iter()
        .find(|p| p.id.map(|g| g.to_string()) == Some(BOB.to_owned()))
        .unwrap();
    assert_eq!(bob.enabled, Some(false));
    let e = evaluate_all(&snap);
    assert_eq!(findings_of(&e, "NHI-G-002", "app-left").len(), 1);
    assert!(findings_of(&e, "NHI-G-002", "app-ok").is_empty());
}

#[test]
fn a_users_page_with_a_next_link_leaves_gone_owners_uncertain() {
    let tenant = tenant();
    let page1 = r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users","value":[
 {"id":"a0000000-0000-4000-8000-000000000001","userPrincipalName":"ada@contoso.com","accountEnabled":true}],
 "@odata.nextLink":"https://graph.microsoft.com/v1.0/users?$skiptoken=RFNwdAIAAQAAAB"}"#;
    let snap = ingest(&[
        ("sps.json", tenant.as_bytes()),
        ("users-1.json", page1.as_bytes()),
    ]);
    let file = snap
        .files
        .iter()
        .find(|f| f.path == "users-1.json")
        .unwrap();
    assert!(file.partial);
    assert!(
        file.messages
            .iter()
            .any(|m| m.starts_with("one page of several")),
        "{:?}",
        file.messages
    );
    let e = evaluate_all(&snap);
    let gone = findings_of(&e, "NHI-G-002", "app-gone");
    assert_eq!(gone.len(), 1);
    assert!(!gone[0].certain, "the owner may be on the missing page");

    // With the last page too, the export is whole: the finding is certain.
    let page2 = r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users","value":[
 {"id":"a0000000-0000-4000-8000-000000000002","userPrincipalName":"bob@contoso.com","accountEnabled":false}]}"#;
    let snap = ingest(&[
        ("sps.json", tenant.as_bytes()),
        ("users-1.json", page1.as_bytes()),
        ("users-2.json", page2.as_bytes()),
    ]);
    let e = evaluate_all(&snap);
    assert!(findings_of(&e, "NHI-G-002", "app-gone")[0].certain);
    assert_eq!(findings_of(&e, "NHI-G-002", "app-left").len(), 1);
}
