//! NHI-P-004 end to end: Graph directory role assignments and app role assignments are detected (not confused with
//! ARM role assignments), parsed, linked to identities and judged; hostile records are set aside with a reason and
//! the good ones kept.

mod common;

use common::{check_run, field, findings_of, ingest};
use idlens_core::catalog::Severity;
use idlens_core::checks::{Evaluation, evaluate};
use idlens_core::findings::{CheckStatus, Finding};
use idlens_core::ids::Guid;
use idlens_core::model::{DirectoryGrantKind, DirectoryPrivilege, GrantPrincipal, Snapshot};
use idlens_core::policy::Policy;

const NOW: i64 = 1_793_491_200; // 2026-11-01T00:00:00Z

const SYNC_SP: &str = "1d6c3a6e-5a0b-4c7d-9f1e-2b3c4d5e6f70";
const OPS_MI: &str = "2e7d4b7f-6b1c-4d8e-8f2f-3c4d5e6f7081";
const CLEAN_SP: &str = "3f8e5c80-7c2d-4e9f-9a3a-4d5e6f708192";
const GRAPH_SP: &str = "4a9f6d91-8d3e-4fa0-8b4b-5e6f708192a3";
const USER: &str = "5ba07ea2-9e4f-40b1-9c5c-6f708192a3b4";

fn sps() -> String {
    format!(
        r#"{{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#servicePrincipals","value":[
  {{"id":"{SYNC_SP}","appId":"6cb18fb3-af50-41c2-8d6d-708192a3b4c5","displayName":"app-sync-connector",
    "servicePrincipalType":"Application","accountEnabled":true,"passwordCredentials":[],"keyCredentials":[]}},
  {{"id":"{OPS_MI}","appId":"7dc290c4-b061-42d3-9e7e-8192a3b4c5d6","displayName":"id-ops-automation",
    "servicePrincipalType":"ManagedIdentity","accountEnabled":true}},
  {{"id":"{CLEAN_SP}","appId":"8ed3a1d5-c172-43e4-8f8f-92a3b4c5d6e7","displayName":"app-reporting",
    "servicePrincipalType":"Application","accountEnabled":true}},
  {{"id":"{GRAPH_SP}","appId":"00000003-0000-0000-c000-000000000000","displayName":"Microsoft Graph",
    "servicePrincipalType":"Application","appOwnerOrganizationId":"f8cdef31-a31e-4b4a-93e4-5f571e91255a"}}
]}}"#
    )
}

fn directory_roles() -> String {
    format!(
        r##"{{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#roleManagement/directory/roleAssignments","value":[
  {{"id":"lAPpYvVpN0KRkAEhdxReEJC9A","principalId":"{SYNC_SP}","roleDefinitionId":"62e90394-69f5-4237-9190-012177145e10","directoryScopeId":"/"}},
  {{"id":"kl2Jm9Msx0W6rAbCdEfGh1","principalId":"{OPS_MI}","roleDefinitionId":"9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3","directoryScopeId":"/0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4f5"}},
  {{"id":"iBfz2uh0kUe8d4iSmJiHizn","principalId":"{CLEAN_SP}","roleDefinitionId":"88d8e3e3-8f55-4a1e-953a-9b9898b8876b","directoryScopeId":"/"}},
  {{"id":"lAPpYvVpN0KRkAEhdxReEKUser","principalId":"{USER}","roleDefinitionId":"62e90394-69f5-4237-9190-012177145e10","directoryScopeId":"/",
    "principal":{{"@odata.type":"#microsoft.graph.user","id":"{USER}","displayName":"Ada Admin"}}}}
],"@odata.nextLink":null}}"##
    )
}

fn app_roles() -> String {
    format!(
        r#"[
  {{"id":"xDGsaHe1kU-aaa","appRoleId":"9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8","principalId":"{OPS_MI}","principalType":"ServicePrincipal",
    "principalDisplayName":"id-ops-automation","resourceId":"{GRAPH_SP}","createdDateTime":"2025-02-03T10:00:00Z"}},
  {{"id":"xDGsaHe1kU-bbb","appRoleId":"7ab1d382-f21e-4acd-a863-ba3e13f7da61","principalId":"{CLEAN_SP}","principalType":"ServicePrincipal",
    "principalDisplayName":"app-reporting","resourceId":"9b0a1b2c-3d4e-4f50-8162-738495a6b7c8","resourceDisplayName":"Microsoft Graph"}},
  {{"id":"xDGsaHe1kU-ccc","appRoleId":"06b708a9-e830-4db3-a914-8e69da51d44f","principalId":"{CLEAN_SP}","principalType":"ServicePrincipal",
    "resourceId":"ac1b2c3d-4e5f-4061-9273-8495a6b7c8d9"}}
]"#
    )
}

fn run(s: &Snapshot) -> Evaluation {
    evaluate(s, &Policy::default(), NOW)
}

fn p004<'e>(e: &'e Evaluation, name: &str) -> Vec<&'e Finding> {
    findings_of(e, "NHI-P-004", name)
}

#[test]
fn both_exports_are_detected_parsed_and_linked() {
    let (s, d, a) = (sps(), directory_roles(), app_roles());
    let snap = ingest(&[
        ("sps.json", s.as_bytes()),
        ("dir-roles.json", d.as_bytes()),
        ("app-roles.json", a.as_bytes()),
    ]);
    assert_eq!(snap.files[1].format, "graph-directory-role-assignments");
    assert_eq!(snap.files[2].format, "graph-app-role-assignments");
    assert_eq!((snap.files[1].ingested, snap.files[2].ingested), (4, 3));
    assert!(snap.grants.is_empty(), "not read as ARM role assignments");
    assert_eq!(snap.directory_grants.len(), 7);
    let user = &snap.directory_grants[3];
    assert_eq!(user.principal, GrantPrincipal::Other);
    assert_eq!(snap.opt_str(user.principal_name), Some("Ada Admin"));
    // Resource identified by the SP export (appId), by name, and not at all.
    let by_appid = &snap.directory_grants[4];
    assert_eq!(by_appid.kind, DirectoryGrantKind::AppRole);
    assert_eq!(by_appid.privilege, DirectoryPrivilege::TenantAdmin);
    assert_eq!(
        snap.opt_str(by_appid.role_name),
        Some("RoleManagement.ReadWrite.Directory")
    );
    assert_eq!(snap.directory_grants[5].privilege, DirectoryPrivilege::Read);
    let unknown = &snap.directory_grants[6];
    assert_eq!(unknown.privilege, DirectoryPrivilege::Unclassified);
    assert!(matches!(unknown.principal, GrantPrincipal::Identity(_)));
}

#[test]
fn p004_flags_directory_roles_and_graph_permissions_with_evidence() {
    let (s, d, a) = (sps(), directory_roles(), app_roles());
    let snap = ingest(&[
        ("sps.json", s.as_bytes()),
        ("dir-roles.json", d.as_bytes()),
        ("app-roles.json", a.as_bytes()),
    ]);
    let e = run(&snap);
    assert_eq!(check_run(&e, "NHI-P-004").status, CheckStatus::Evaluated);
    assert!(check_run(&e, "NHI-P-004").missing_exports.is_empty());

    // Directory role path: Global Administrator, tenant-wide.
    let sync = p004(&e, "app-sync-connector");
    assert_eq!(sync.len(), 1);
    assert_eq!(sync[0].severity, Severity::Critical);
    assert!(sync[0].message.contains("Global Administrator"));
    let ev = &sync[0].evidence[0];
    assert_eq!(
        (ev.file.as_str(), ev.record, ev.record_kind.as_ref()),
        ("dir-roles.json", 0, "directory-role-assignment")
    );
    assert!(ev.line > 0);
    assert_eq!(
        field(sync[0], "roleDefinitionId"),
        Some("62e90394-69f5-4237-9190-012177145e10")
    );
    assert_eq!(field(sync[0], "roleName"), Some("Global Administrator"));
    assert_eq!(field(sync[0], "directoryScopeId"), Some("/"));

    // Graph application permission path (resource identified through the SP export), plus a scoped admin role.
    let ops = p004(&e, "id-ops-automation");
    assert_eq!(ops.len(), 2);
    let graph = ops
        .iter()
        .find(|f| f.evidence[0].record_kind == "app-role-assignment")
        .expect("graph permission finding");
    assert_eq!(graph.severity, Severity::Critical);
    assert_eq!(graph.evidence[0].file, "app-roles.json");
    assert_eq!(graph.evidence[0].record, 0);
    assert_eq!(
        field(graph, "appRoleId"),
        Some("9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8")
    );
    assert_eq!(
        field(graph, "permission"),
        Some("RoleManagement.ReadWrite.Directory")
    );
    let scoped = ops
        .iter()
        .find(|f| f.evidence[0].record_kind == "directory-role-assignment")
        .expect("scoped role finding");
    assert_eq!(scoped.severity, Severity::Medium);
    assert!(scoped.message.contains("Application Administrator"));

    // Negative: Directory Readers, Directory.Read.All and an app role on an unidentified resource.
    assert!(p004(&e, "app-reporting").is_empty());
    assert_eq!(check_run(&e, "NHI-P-004").open_findings, 3);

    // Impact: a tenant-wide P-004 role sets I to 1.0 through the directory grant.
    let score = |name: &str| {
        e.scores
            .iter()
            .find(|s| s.identity.name == name)
            .expect("score")
    };
    let sync_score = score("app-sync-connector");
    assert_eq!(sync_score.impact.value, 1.0);
    let strongest = sync_score.impact.strongest.as_ref().expect("strongest");
    assert!(strongest.directory);
    assert_eq!(strongest.role, "Global Administrator");
    assert_eq!(strongest.scope, "tenant (Entra directory)");
    // The unclassified grant counts as assumed "other write" (0.5), not as P-004; Directory.Read.All as 0.1.
    assert_eq!(score("app-reporting").impact.value, 0.5);
}

#[test]
fn p004_is_partial_with_one_export_and_names_the_other() {
    let (s, d, a) = (sps(), directory_roles(), app_roles());
    let only_roles = run(&ingest(&[
        ("sps.json", s.as_bytes()),
        ("dir-roles.json", d.as_bytes()),
    ]));
    let c = check_run(&only_roles, "NHI-P-004");
    assert_eq!(c.status, CheckStatus::Partial);
    assert!(
        c.missing_exports
            .iter()
            .any(|m| m.contains("appRoleAssignments"))
    );
    assert_eq!(p004(&only_roles, "app-sync-connector").len(), 1);
    assert_eq!(p004(&only_roles, "id-ops-automation").len(), 1);

    let only_apps = run(&ingest(&[
        ("sps.json", s.as_bytes()),
        ("app-roles.json", a.as_bytes()),
    ]));
    let c = check_run(&only_apps, "NHI-P-004");
    assert_eq!(c.status, CheckStatus::Partial);
    assert!(
        c.missing_exports
            .iter()
            .any(|m| m.contains("roleManagement/directory/roleAssignments"))
    );
    assert!(p004(&only_apps, "app-sync-connector").is_empty());
    assert_eq!(p004(&only_apps, "id-ops-automation").len(), 1);
}

#[test]
fn p004_not_evaluated_without_either_export_names_them() {
    let s = sps();
    let e = run(&ingest(&[("sps.json", s.as_bytes())]));
    let c = check_run(&e, "NHI-P-004");
    assert_eq!(c.status, CheckStatus::NotEvaluated);
    assert_eq!(c.applicable, 0);
    assert!(
        c.missing_exports
            .iter()
            .any(|m| m.contains("roleManagement/directory/roleAssignments")
                && m.contains("appRoleAssignments"))
    );
    assert!(e.findings.iter().all(|f| f.check_id != "NHI-P-004"));
}

#[test]
fn powershell_pascal_case_and_utf16_bom_are_read() {
    let ps = format!(
        r#"[{{"AppScopeId":null,"DirectoryScopeId":"/","Id":"abc","PrincipalId":"{SYNC_SP}",
          "RoleDefinitionId":"e8611ab8-c189-46e8-94e1-60213ab1f814","AdditionalProperties":{{}}}}]"#
    );
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in ps.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let s = sps();
    let snap = ingest(&[("sps.json", s.as_bytes()), ("ps51.json", &utf16)]);
    assert_eq!(snap.files[1].format, "graph-directory-role-assignments");
    assert_eq!(snap.directory_grants.len(), 1);
    assert_eq!(
        snap.opt_str(snap.directory_grants[0].role_name),
        Some("Privileged Role Administrator")
    );
    let e = run(&snap);
    assert_eq!(
        p004(&e, "app-sync-connector")[0].severity,
        Severity::Critical
    );
}

#[test]
fn expanded_role_definition_template_id_classifies_a_role() {
    // `$expand=roleDefinition`: the definition's templateId and displayName are used.
    let d = format!(
        r#"{{"value":[{{"id":"x1","principalId":"{SYNC_SP}","roleDefinitionId":"158c047a-c907-4556-b7ef-446551a6b5f7",
          "directoryScopeId":"/","roleDefinition":{{"displayName":"Cloud Application Administrator",
          "templateId":"158c047a-c907-4556-b7ef-446551a6b5f7","isBuiltIn":true}}}}]}}"#
    );
    let s = sps();
    let e = run(&ingest(&[
        ("sps.json", s.as_bytes()),
        ("roles.json", d.as_bytes()),
    ]));
    let hits = p004(&e, "app-sync-connector");
    assert_eq!(hits.len(), 1);
    assert!(hits[0].message.contains("Cloud Application Administrator"));
}

#[test]
fn hostile_records_are_set_aside_with_position_and_reason_and_good_ones_kept() {
    let long = "Z".repeat(5_000);
    let huge_name = "n".repeat(300_000);
    let d = format!(
        r#"[
{{"id":"ok1","principalId":"{SYNC_SP}","roleDefinitionId":"62e90394-69f5-4237-9190-012177145e10","directoryScopeId":"/"}},
{{"id":"bad-type","principalId":12345,"roleDefinitionId":"62e90394-69f5-4237-9190-012177145e10","directoryScopeId":"/"}},
{{"id":"no-principal","roleDefinitionId":"62e90394-69f5-4237-9190-012177145e10","directoryScopeId":"/"}},
{{"id":"no-role","principalId":"{OPS_MI}","directoryScopeId":"/"}},
{{"id":"long","principalId":"{long}","roleDefinitionId":"62e90394-69f5-4237-9190-012177145e10","directoryScopeId":"/"}},
{{"id":"huge","principalId":"{OPS_MI}","roleDefinitionId":"e8611ab8-c189-46e8-94e1-60213ab1f814","directoryScopeId":"/",
  "principal":{{"displayName":"{huge_name}"}}}},
{{"id":"scope-array","principalId":"{OPS_MI}","roleDefinitionId":"e8611ab8-c189-46e8-94e1-60213ab1f814","directoryScopeId":["/"]}}
]"#
    );
    let a = format!(
        r#"{{"value":[
{{"id":"a1","appRoleId":"9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8","principalId":"{OPS_MI}","resourceDisplayName":"Microsoft Graph"}},
{{"id":"a2","principalId":"{OPS_MI}","resourceDisplayName":"Microsoft Graph","appRoleId":null}},
{{"id":"a3","appRoleId":"06b708a9-e830-4db3-a914-8e69da51d44f","principalId":"{CLEAN_SP}","resourceDisplayName":"Microsoft Graph"#
    );
    let s = sps();
    let snap = ingest(&[
        ("sps.json", s.as_bytes()),
        ("dir.json", d.as_bytes()),
        ("apps-truncated.json", a.as_bytes()),
    ]);
    let dir = &snap.files[1];
    assert_eq!(dir.format, "graph-directory-role-assignments");
    assert_eq!((dir.records, dir.ingested), (7, 2));
    let reasons: Vec<(u64, u64, &str)> = dir
        .set_aside
        .iter()
        .map(|x| (x.record, x.line, x.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 5);
    let (rec, line, why) = reasons[0];
    assert_eq!((rec, line), (1, 3));
    assert!(
        why.contains("not a directory role assignment record")
            && why.contains("invalid type")
            && why.contains("expected"),
        "{why}"
    );
    assert!(reasons[1].2.contains("without `principalId`"));
    assert!(reasons[2].2.contains("without `roleDefinitionId`"));
    assert!(reasons[3].2.contains("is not a GUID") && reasons[3].2.len() < 200);
    assert_eq!(reasons[4].0, 6);
    assert!(reasons[4].2.contains("expected"), "{}", reasons[4].2);
    // The huge display name is kept (records under the framer's limit are read whole).
    assert_eq!(snap.directory_grants.len(), 3);

    let apps = &snap.files[2];
    assert_eq!(apps.format, "graph-app-role-assignments");
    assert_eq!((apps.records, apps.ingested), (2, 1));
    assert!(apps.set_aside[0].reason.contains("without `appRoleId`"));
    assert!(
        apps.messages
            .iter()
            .any(|m| m.contains("stops being valid") && m.contains("expected")),
        "{:?}",
        apps.messages
    );
    let e = run(&snap);
    assert_eq!(p004(&e, "app-sync-connector").len(), 1);
    assert_eq!(p004(&e, "id-ops-automation").len(), 2);
}

#[test]
fn duplicates_across_pages_are_merged() {
    let d = directory_roles();
    let s = sps();
    let snap = ingest(&[
        ("sps.json", s.as_bytes()),
        ("page1.json", d.as_bytes()),
        ("page1-again.json", d.as_bytes()),
    ]);
    assert_eq!(snap.files[2].merged, 4);
    assert_eq!(snap.directory_grants.len(), 4);
    assert_eq!(snap.directory_grants[0].provenance.len(), 2);
    let _ = Guid::parse(SYNC_SP).expect("guid");
}

#[test]
fn plan_offers_removing_the_directory_role_and_rescores() {
    let (s, d, a) = (sps(), directory_roles(), app_roles());
    let snap = ingest(&[
        ("sps.json", s.as_bytes()),
        ("dir-roles.json", d.as_bytes()),
        ("app-roles.json", a.as_bytes()),
    ]);
    let e = run(&snap);
    let plan = idlens_core::remediate::plan(&snap, &Policy::default(), NOW, &e);
    let action = plan
        .actions
        .iter()
        .find(|x| {
            x.kind == idlens_core::remediate::ActionKind::RemoveDirectoryRole
                && x.identity.name == "app-sync-connector"
        })
        .expect("remove-directory-role action");
    assert_eq!(action.directory_grants, vec![0]);
    assert!(action.description.contains("Global Administrator"));
    assert_eq!(action.checks, vec!["NHI-P-004".to_owned()]);
    assert!(action.risk_after < action.risk_before);
    // The plan starts from the evaluated risk.
    let score = e
        .scores
        .iter()
        .find(|x| x.identity.name == "app-sync-connector")
        .expect("score");
    assert_eq!(action.risk_before, score.risk);
    let json = serde_json::to_value(action).expect("json");
    assert_eq!(json["kind"], "remove-directory-role");
    assert_eq!(json["directory_grants"], serde_json::json!([0]));
}
