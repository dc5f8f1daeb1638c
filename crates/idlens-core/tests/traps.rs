//! Hand-made inputs for each trap of FORMATS.md §0, the joins, CSV, zip, and hostile input.

mod common;

use std::io::Write as _;

use common::{ingest, ingest_with};

use idlens_core::ids::Guid;
use idlens_core::ingest::IngestOptions;
use idlens_core::model::{
    self, AttachmentKind, Environment, GrantPrincipal, IdentityKind, TierSource,
};

fn g(text: &str) -> Guid {
    Guid::parse(text).expect("guid")
}

const UAMI_LIST: &str = r#"[{
  "clientId": "a72223ed-0a1e-4683-9b4b-44bed448bccc",
  "id": "/subscriptions/1b877039-42c8-467f-a80b-950b770fa4ff/resourcegroups/rg-app-prod/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-shared",
  "location": "northcentralus", "name": "id-shared",
  "principalId": "8097154c-b14f-4898-928c-16ca80e12dfd", "resourceGroup": "rg-app-prod",
  "systemData": null, "tags": {"owner": "team-a"}, "tenantId": "01177861-2ff6-4b20-b546-49fd6cada0ec",
  "type": "Microsoft.ManagedIdentity/userAssignedIdentities"
}]"#;

fn utf16le_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out
}

#[test]
fn encodings_utf16le_bom_and_utf8_bom() {
    let utf16 = utf16le_bom(UAMI_LIST);
    let mut utf8_bom = b"\xEF\xBB\xBF".to_vec();
    utf8_bom.extend_from_slice(UAMI_LIST.as_bytes());
    let snap = ingest(&[("ps51.json", &utf16), ("outfile.json", &utf8_bom)]);
    assert_eq!(snap.files[0].format, "az-user-assigned-identities");
    assert_eq!((snap.files[0].ingested, snap.files[1].merged), (1, 1));
    assert_eq!(snap.identities.len(), 1);
    assert_eq!(snap.identities[0].environment, Environment::Prod);
}

#[test]
fn concatenated_pages_and_ndjson() {
    let pages = concat!(
        r#"{"value":[{"id":"a1b2c3d4-0000-0000-0000-000000000001","appId":"a1b2c3d4-0000-0000-0000-0000000000a1","servicePrincipalType":"Application","displayName":"app-one"}],"@odata.nextLink":"x"}"#,
        "\n",
        r#"{"value":[{"id":"a1b2c3d4-0000-0000-0000-000000000002","appId":"a1b2c3d4-0000-0000-0000-0000000000a2","servicePrincipalType":"Application","displayName":"app-two"},"#,
        r#"{"id":"a1b2c3d4-0000-0000-0000-000000000001","servicePrincipalType":"Application"}]}"#
    );
    let ndjson = concat!(
        r#"{"appId":"a1b2c3d4-0000-0000-0000-0000000000a1","lastSignInActivity":{"lastSignInDateTime":"2024-01-02T03:04:05Z"}}"#,
        "\n",
        r#"{"appId":"a1b2c3d4-0000-0000-0000-0000000000a2","lastSignInActivity":null}"#,
        "\n"
    );
    let snap = ingest(&[
        ("pages.json", pages.as_bytes()),
        ("signins.ndjson", ndjson.as_bytes()),
    ]);
    let f = &snap.files[0];
    assert_eq!(
        (f.format.as_str(), f.records, f.ingested, f.merged),
        ("graph-service-principals", 3, 2, 1)
    );
    assert_eq!(snap.files[1].ingested, 2);
    let one = snap
        .identity_by_principal_id(g("a1b2c3d4-0000-0000-0000-000000000001"))
        .expect("sp");
    assert_eq!(one.provenance.len(), 2);
    let activity = &snap.activity[one.activity.expect("linked by appId") as usize];
    assert_eq!(
        activity.last_sign_in,
        idlens_core::time::parse("2024-01-02T03:04:05Z").map(|i| i.unix)
    );
    assert_eq!(snap.activity[1].last_sign_in, None);
}

#[test]
fn powershell_pascal_case_and_unknown_object_type() {
    let ps = r#"[{"RoleAssignmentName":"r1","RoleAssignmentId":"/subscriptions/s1/providers/Microsoft.Authorization/roleAssignments/r1",
      "Scope":"/subscriptions/s1","DisplayName":null,"SignInName":null,"RoleDefinitionName":"Owner",
      "RoleDefinitionId":"8e3af657-a8ff-443c-a75c-2fe8c4bcb635","ObjectId":"0f0f0f0f-0000-0000-0000-000000000001",
      "ObjectType":"Unknown","CanDelegate":false,"Description":null,"ConditionVersion":null,"Condition":null},
     {"RoleAssignmentId":"/subscriptions/s1/providers/Microsoft.Authorization/roleAssignments/r2","Scope":"/subscriptions/s1",
      "DisplayName":"Ops","RoleDefinitionName":"Reader","RoleDefinitionId":"acdd72a7-3385-48ef-bd42-f606fba81ae7",
      "ObjectId":"0f0f0f0f-0000-0000-0000-000000000002","ObjectType":"Group"}]"#;
    let snap = ingest(&[("ps.json", ps.as_bytes())]);
    assert_eq!(snap.files[0].format, "az-powershell-role-assignments");
    assert_eq!(snap.grants[0].principal, GrantPrincipal::Unresolved);
    assert_eq!(snap.grants[1].principal, GrantPrincipal::Other);
    let owner = &snap.roles[snap.grants[0].role as usize];
    assert_eq!(
        (owner.tier, owner.tier_source, owner.can_grant_access),
        (1.0, TierSource::BuiltIn, true)
    );
    assert_eq!(model::summary(&snap).orphaned_assignments, 1);
}

#[test]
fn uami_on_mixed_case_resources_links_to_all() {
    let resources = r#"{"count":3,"data":[
      {"id":"/subscriptions/1B877039-42C8-467F-A80B-950B770FA4FF/resourceGroups/RG-APP-PROD/providers/Microsoft.Compute/virtualMachines/vm1",
       "name":"vm1","type":"microsoft.compute/virtualmachines","resourceGroup":"rg-app-prod",
       "identity":{"type":"SystemAssigned, UserAssigned","principalId":"25cc773c-7f05-40fc-a104-32d2300754ad",
         "tenantId":"b6c948ef-f6b5-4384-8354-da3a15eca969",
         "userAssignedIdentities":{"/subscriptions/1b877039-42c8-467f-a80b-950b770fa4ff/resourceGroups/rg-app-prod/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ID-SHARED":
           {"clientId":"a72223ed-0a1e-4683-9b4b-44bed448bccc","principalId":"8097154c-b14f-4898-928c-16ca80e12dfd"}}}},
      {"id":"/subscriptions/1b877039-42c8-467f-a80b-950b770fa4ff/resourcegroups/rg-app-prod/providers/Microsoft.Web/sites/app1",
       "name":"app1","type":"microsoft.web/sites","tags":{"env":"dev"},
       "identity":{"type":"SystemAssigned,UserAssigned","principalId":null,
         "userAssignedIdentities":{"/SUBSCRIPTIONS/1B877039-42C8-467F-A80B-950B770FA4FF/RESOURCEGROUPS/RG-APP-PROD/PROVIDERS/MICROSOFT.MANAGEDIDENTITY/USERASSIGNEDIDENTITIES/ID-SHARED":{}}}},
      {"id":"/subscriptions/1b877039-42c8-467f-a80b-950b770fa4ff/resourcegroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks1",
       "name":"aks1","type":"microsoft.containerservice/managedclusters",
       "identity":{"type":"UserAssigned","userAssignedIdentities":{"/subscriptions/1b877039-42c8-467f-a80b-950b770fa4ff/resourcegroups/rg-app-prod/providers/microsoft.managedidentity/userassignedidentities/id-shared":null}},
       "properties":{"identityProfile":{"kubeletidentity":{"resourceId":"/subscriptions/1b877039-42c8-467f-a80b-950b770fa4ff/resourcegroups/MC_rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aks1-agentpool",
         "clientId":"11111111-2222-3333-4444-555555555555","objectId":"66666666-7777-8888-9999-000000000000"}}}}
    ],"skip_token":null,"total_records":3}"#;
    let snap = ingest(&[
        ("identities.json", UAMI_LIST.as_bytes()),
        ("arg.json", resources.as_bytes()),
    ]);
    assert_eq!(snap.files[1].format, "resource-graph");
    let shared = snap.index.by_principal_id[&g("8097154c-b14f-4898-928c-16ca80e12dfd")];
    let users: Vec<&str> = snap
        .workloads_of(shared)
        .map(|w| snap.opt_str(w.name).unwrap_or(""))
        .collect();
    assert_eq!(users, ["vm1", "app1", "aks1"]);
    assert!(!snap.identities[shared as usize].inferred);
    // vm1's system-assigned identity, and the kubelet identity (not exported: inferred).
    let vm = snap.workload_by_id("/subscriptions/1b877039-42c8-467f-a80b-950b770fa4ff/resourcegroups/rg-app-prod/providers/microsoft.compute/virtualmachines/VM1").expect("vm");
    assert_eq!(vm.attachments.len(), 2);
    assert_eq!(
        snap.identities[vm.attachments[0].identity as usize].kind,
        IdentityKind::SystemAssignedManagedIdentity
    );
    let aks = snap.workload_by_id("/subscriptions/1b877039-42c8-467f-a80b-950b770fa4ff/resourcegroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks1").expect("aks");
    let kubelet = aks
        .attachments
        .iter()
        .find(|a| a.kind == AttachmentKind::AksKubelet)
        .expect("kubelet");
    let kubelet = &snap.identities[kubelet.identity as usize];
    assert!(kubelet.inferred);
    assert_eq!(snap.opt_str(kubelet.display_name), Some("aks1-agentpool"));
    assert_eq!(snap.workloads[1].environment, Environment::NonProd);
    assert_eq!(
        model::summary(&snap)
            .identities
            .by_kind
            .get("user-assigned-managed-identity"),
        Some(&2)
    );
}

#[test]
fn sp_alternative_names_and_platform_certificates() {
    // A SAMI SP (alt names out of order), a UAMI SP, an app SP with a secret; MI key credentials are not credentials.
    let sps = r#"[
      {"id":"57907bf8-73fa-43a6-89a5-1f603e29e452","accountEnabled":true,
       "alternativeNames":["/subscriptions/fc3ca501-0a89-44cb-9192-5b60d3273989/resourcegroups/VM/providers/Microsoft.Compute/virtualMachines/VM2","isExplicit=False"],
       "appId":"1437b558-aa5c-48b2-9d6d-173e6dec518f","displayName":"VM2",
       "keyCredentials":[{"customKeyIdentifier":"58967E","displayName":null,"endDateTime":"2020-08-11T22:34:00Z","keyId":"5edf62fd-ae7a-4a99-af2e-fc5950aaed07","startDateTime":"2020-05-13T22:34:00Z","type":"AsymmetricX509Cert","usage":"Verify"}],
       "passwordCredentials":[],"servicePrincipalType":"ManagedIdentity","tags":[]},
      {"id":"8097154c-b14f-4898-928c-16ca80e12dfd","appId":"a72223ed-0a1e-4683-9b4b-44bed448bccc","displayName":"id-shared",
       "alternativeNames":["isExplicit=True","/subscriptions/1b877039-42c8-467f-a80b-950b770fa4ff/resourcegroups/rg-app-prod/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-shared"],
       "servicePrincipalType":"ManagedIdentity","keyCredentials":[{"keyId":"5edf62fd-ae7a-4a99-af2e-fc5950aaed08","type":"AsymmetricX509Cert"}]},
      {"id":"aaaaaaaa-0000-0000-0000-000000000001","appId":"aaaaaaaa-0000-0000-0000-0000000000a1","displayName":"ci-deployer",
       "servicePrincipalType":"Application","appOwnerOrganizationId":"f8cdef31-a31e-4b4a-93e4-5f571e91255a",
       "passwordCredentials":[{"displayName":"rbac","endDateTime":"2099-01-01T00:00:00Z","keyId":"fe4edecc-349b-4ace-b843-4816648c34ad","startDateTime":"2023-02-14T07:55:04Z","secretText":null}]}
    ]"#;
    let vm = r#"[{"id":"/subscriptions/FC3CA501-0a89-44cb-9192-5b60d3273989/resourceGroups/vm/providers/Microsoft.Compute/virtualMachines/vm2","type":"Microsoft.Compute/virtualMachines","name":"VM2","identity":{"type":"SystemAssigned"}}]"#;
    let snap = ingest(&[
        ("sps.json", sps.as_bytes()),
        ("identities.json", UAMI_LIST.as_bytes()),
        ("vm.json", vm.as_bytes()),
    ]);
    assert_eq!(
        snap.identities.len(),
        3,
        "UAMI list merged onto its SP by principal id"
    );
    let kinds: Vec<IdentityKind> = snap.identities.iter().map(|i| i.kind).collect();
    assert_eq!(
        kinds,
        [
            IdentityKind::UserAssignedManagedIdentity,
            IdentityKind::SystemAssignedManagedIdentity,
            IdentityKind::ApplicationServicePrincipal
        ]
    );
    assert_eq!(snap.credentials.len(), 1, "only the app's secret");
    assert_eq!(snap.credentials[0].identity, 2);
    assert_eq!(
        snap.identities[2].app_owner_organization_id,
        Some(g("f8cdef31-a31e-4b4a-93e4-5f571e91255a"))
    );
    // The SAMI attaches to its host resource by alternativeNames, case-insensitively.
    assert_eq!(snap.workloads[0].attachments.len(), 1);
    assert_eq!(snap.workloads[0].attachments[0].identity, 1);
    assert_eq!(
        snap.identities[0].resource_group.map(|s| snap.str(s)),
        Some("rg-app-prod")
    );
    assert!(!snap.identities[0].inferred);
}

#[test]
fn orphaned_assignment_is_a_fact() {
    let ras = r#"[{"condition":null,"createdOn":"2024-10-14T20:25:32.172518+00:00",
      "id":"/providers/Microsoft.Management/managementGroups/mg1/providers/Microsoft.Authorization/roleAssignments/3038142a-80c7-4bf1-b7c2-0939b906316d",
      "principalId":"deadbeef-0000-0000-0000-000000000000","principalName":"","principalType":"ServicePrincipal",
      "roleDefinitionId":"/subscriptions/ddd3338d-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/18D7D88D-D35E-4FB5-A5C3-7773C20A72D9",
      "roleDefinitionName":"User Access Administrator","scope":"/providers/Microsoft.Management/managementGroups/mg1"},
     {"principalId":"8097154c-b14f-4898-928c-16ca80e12dfd","principalType":"ServicePrincipal","roleDefinitionId":"/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c","scope":"/"}]"#;
    let snap = ingest(&[
        ("ra.json", ras.as_bytes()),
        ("identities.json", UAMI_LIST.as_bytes()),
    ]);
    assert_eq!(snap.grants.len(), 2);
    assert_eq!(snap.grants[0].principal, GrantPrincipal::Unresolved);
    assert_eq!(
        snap.grants[0].principal_id,
        Some(g("deadbeef-0000-0000-0000-000000000000"))
    );
    assert_eq!(snap.grants[0].tier, 1.0);
    assert!(matches!(
        snap.grants[1].principal,
        GrantPrincipal::Identity(_)
    ));
    assert_eq!(snap.grants[1].tier, 0.8);
    let summary = model::summary(&snap);
    assert_eq!(summary.orphaned_assignments, 1);
    assert_eq!(summary.grants.get("management-group"), Some(&1));
    assert_eq!(summary.grants.get("root"), Some(&1));
}

#[test]
fn bytes_that_are_not_utf8_are_replaced_and_counted_and_the_record_kept() {
    // A Latin-1 `é` (0xE9) in a name that is read, and a stray 0xFF in a field that is not: both records are kept,
    // the bad bytes read as U+FFFD, and the file's messages say how many records and where the first was.
    let mut text = b"[\n".to_vec();
    text.extend_from_slice(
        UAMI_LIST
            .trim_start_matches('[')
            .trim_end_matches(']')
            .as_bytes(),
    );
    text.extend_from_slice(b",\n");
    text.extend_from_slice(
        b"{\"clientId\": \"11111111-2222-3333-4444-555555555555\", \"name\": \"id-caf\xE9\",\n\
          \"id\": \"/subscriptions/1b877039-42c8-467f-a80b-950b770fa4ff/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-caf\xE9\",\n\
          \"principalId\": \"66666666-7777-8888-9999-000000000000\", \"location\": \"x\xFFy\"}\n]",
    );
    assert!(std::str::from_utf8(&text).is_err());
    let snap = ingest(&[("identities.json", &text)]);
    let f = &snap.files[0];
    assert_eq!(
        (f.records, f.ingested, f.set_aside.len()),
        (2, 2, 0),
        "{f:?}"
    );
    let ix = snap.index.by_principal_id[&g("66666666-7777-8888-9999-000000000000")];
    assert_eq!(
        snap.opt_str(snap.identities[ix as usize].display_name),
        Some("id-caf\u{FFFD}")
    );
    let message = f
        .messages
        .iter()
        .find(|m| m.contains("not UTF-8"))
        .unwrap_or_else(|| panic!("no message: {:?}", f.messages));
    assert!(
        message.starts_with("1 record(s)") && message.contains("record 1, line 10"),
        "{message}"
    );
}

#[test]
fn nulls_absent_and_wrong_types() {
    let ras = r#"[
      {"principalId":"8097154c-b14f-4898-928c-16ca80e12dfd","roleDefinitionId":"x/acdd72a7-3385-48ef-bd42-f606fba81ae7","scope":"/subscriptions/s","condition":null,"description":null,"createdBy":null},
      {"principalId":"8097154c-b14f-4898-928c-16ca80e12dfd","roleDefinitionId":"x/acdd72a7-3385-48ef-bd42-f606fba81ae7","scope":42},
      {"principalId":"8097154c-b14f-4898-928c-16ca80e12dfd","roleDefinitionId":"x/acdd72a7-3385-48ef-bd42-f606fba81ae7"},
      "just a string",
      {"principalId":"8097154c-b14f-4898-928c-16ca80e12dfd","roleDefinitionId":"x/acdd72a7-3385-48ef-bd42-f606fba81ae7","scope":"/subscriptions/s/resourceGroups/rg","createdOn":"yesterday"}
    ]"#;
    let snap = ingest(&[("ra.json", ras.as_bytes())]);
    let f = &snap.files[0];
    assert_eq!((f.records, f.ingested, f.set_aside.len()), (5, 2, 3));
    let reasons: Vec<(u64, &str)> = f
        .set_aside
        .iter()
        .map(|s| (s.record, s.reason.as_str()))
        .collect();
    assert!(reasons[0].1.contains("invalid type"), "{reasons:?}");
    assert_eq!(f.set_aside[0].line, 3);
    assert!(reasons[1].1.contains("without `scope`"), "{reasons:?}");
    assert_eq!(reasons[2].0, 3);
    assert!(
        f.messages.iter().any(|m| m.contains("yesterday")),
        "{:?}",
        f.messages
    );
}

#[test]
fn aad_graph_era_read_with_notice() {
    let sp = r#"[{"objectId":"57907bf8-73fa-43a6-89a5-1f603e29e452","objectType":"ServicePrincipal","appId":"1437b558-aa5c-48b2-9d6d-173e6dec518f",
      "displayName":"legacy-app","servicePrincipalType":"Application","appOwnerTenantId":"f8cdef31-a31e-4b4a-93e4-5f571e91255a",
      "passwordCredentials":[{"endDate":"2030-01-01T00:00:00Z","startDate":"2020-01-01T00:00:00Z","keyId":"5edf62fd-ae7a-4a99-af2e-fc5950aaed07","value":null}]}]"#;
    let snap = ingest(&[("old.json", sp.as_bytes())]);
    assert_eq!(snap.files[0].format, "aad-graph-service-principals");
    assert!(
        snap.files[0]
            .messages
            .iter()
            .any(|m| m.contains("AAD Graph"))
    );
    assert_eq!(
        snap.identities[0].principal_id,
        Some(g("57907bf8-73fa-43a6-89a5-1f603e29e452"))
    );
    assert_eq!(
        snap.credentials[0]
            .end
            .map(idlens_core::time::format_rfc3339)
            .as_deref(),
        Some("2030-01-01T00:00:00Z")
    );
}

#[test]
fn resource_graph_portal_csv() {
    let csv = "\u{feff}id,name,type,tenantId,location,resourceGroup,subscriptionId,tags,identity\r\n\
/subscriptions/1b877039-42c8-467f-a80b-950b770fa4ff/resourceGroups/rg-app-prod/providers/Microsoft.Web/sites/web1,web1,microsoft.web/sites,t,westeurope,rg-app-prod,1b877039-42c8-467f-a80b-950b770fa4ff,\"{\"\"env\"\":\"\"prod\"\"}\",\"{\"\"type\"\":\"\"UserAssigned\"\",\"\"userAssignedIdentities\"\":{\"\"/subscriptions/1b877039-42c8-467f-a80b-950b770fa4ff/resourcegroups/rg-app-prod/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-shared\"\":{\"\"clientId\"\":\"\"a72223ed-0a1e-4683-9b4b-44bed448bccc\"\",\"\"principalId\"\":\"\"8097154c-b14f-4898-928c-16ca80e12dfd\"\"}}}\"\r\n\
/subscriptions/1b877039-42c8-467f-a80b-950b770fa4ff/resourceGroups/rg/providers/Microsoft.Web/sites/web2,web2,microsoft.web/sites,t,westeurope,rg,1b877039-42c8-467f-a80b-950b770fa4ff,,\"{\"\"type\"\":\"\"SystemAssigned\"\",\"\"principalId\"\":\"\"25cc773c-7f05-40fc-a104-32d2300754ad\"\"}\"\r\n\
/subscriptions/x/resourceGroups/rg/providers/Microsoft.Web/sites/web3,web3,microsoft.web/sites,t,westeurope,rg,x,,\"{\"\"type\"\": 5}\"\r\n";
    for bytes in [csv.as_bytes().to_vec(), utf16le_bom(csv)] {
        let snap = ingest(&[
            ("identities.json", UAMI_LIST.as_bytes()),
            ("download.csv", &bytes),
        ]);
        let f = &snap.files[1];
        assert_eq!(
            (f.format.as_str(), f.records, f.ingested),
            ("resource-graph-csv", 3, 2),
            "{f:?}"
        );
        assert_eq!(f.set_aside[0].line, 4);
        assert_eq!(snap.workloads[0].attachments.len(), 1);
        assert_eq!(snap.workloads[0].attachments[0].identity, 0);
        assert_eq!(snap.workloads[0].environment, Environment::Prod);
        assert_eq!(
            snap.identities[1].kind,
            IdentityKind::SystemAssignedManagedIdentity
        );
    }
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        writer.start_file(*name, options).expect("entry");
        writer.write_all(bytes).expect("write");
    }
    writer.finish().expect("zip").into_inner()
}

#[test]
fn zip_entries_go_through_the_pipeline_bounded() {
    let inner = zip_of(&[("x.json", b"[]")]);
    let archive = zip_of(&[
        ("exports/identities.json", UAMI_LIST.as_bytes()),
        (
            "../../etc/evil\u{1b}.json",
            br#"[{"appId":"1437b558-aa5c-48b2-9d6d-173e6dec518f","lastSignInActivity":null}]"#,
        ),
        ("nested.zip", &inner),
        ("notes.txt", b"hello"),
    ]);
    let snap = ingest(&[("client.zip", &archive)]);
    let paths: Vec<&str> = snap.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "client.zip",
            "client.zip!exports/identities.json",
            "client.zip!../../etc/evil.json",
            "client.zip!nested.zip",
            "client.zip!notes.txt"
        ]
    );
    assert_eq!(
        (
            snap.files[0].format.as_str(),
            snap.files[0].records,
            snap.files[0].ingested
        ),
        ("zip", 4, 4)
    );
    assert_eq!(snap.files[1].format, "az-user-assigned-identities");
    assert_eq!(snap.files[2].format, "graph-sign-in-activity");
    assert!(
        snap.files[3]
            .messages
            .iter()
            .any(|m| m.contains("inside a zip"))
    );
    assert!(
        snap.files[4]
            .messages
            .iter()
            .any(|m| m.contains("not JSON, CSV"))
    );
    assert_eq!(snap.identities.len(), 1);

    // A bomb: highly compressible entry beyond the ratio; and an entry cap.
    let bomb = vec![b' '; 4 << 20];
    let archive = zip_of(&[("a.json", &bomb), ("b.json", b"[]"), ("c.json", b"[]")]);
    let options = IngestOptions {
        max_compression_ratio: 2,
        max_zip_entries: 2,
        ..IngestOptions::default()
    };
    let snap = ingest_with(options, &[("bomb.zip", &archive)]);
    assert!(
        snap.files[1]
            .messages
            .iter()
            .any(|m| m.contains("expands more than")),
        "{:?}",
        snap.files[1]
    );
    assert_eq!(
        (snap.files[0].records, snap.files[0].set_aside.len()),
        (3, 1)
    );
    assert!(
        snap.files[0].set_aside[0]
            .reason
            .contains("more than 2 entries")
    );

    let broken = ingest(&[("broken.zip", b"PK\x03\x04 not really a zip")]);
    assert!(
        broken.files[0]
            .messages
            .iter()
            .any(|m| m.contains("not a readable zip"))
    );
}

#[test]
fn unrecognised_truncated_and_empty_files() {
    let snap = ingest(&[
        ("a.json", br#"[{"hello":"world"},{"x":1}]"#),
        ("b.json", b"[{\"appId\":\"1437b558-aa5c-48b2-9d6d-173e6dec518f\",\"lastSignInActivity\":null},\n{\"appId\":"),
        ("c.json", b""),
        ("d.bin", b"\x00\x01\x02\x03\x04"),
        ("e.json", b"[]"),
    ]);
    let a = &snap.files[0];
    assert_eq!(
        (a.format.as_str(), a.records, a.set_aside.len()),
        ("unknown", 2, 2)
    );
    assert!(
        a.messages[0].contains("not a recognised export")
            && a.messages[0].contains("az role assignment list")
    );
    let b = &snap.files[1];
    assert_eq!((b.records, b.ingested), (1, 1));
    assert!(
        b.messages
            .iter()
            .any(|m| m.contains("line 2") && m.contains("end of the file")),
        "{:?}",
        b.messages
    );
    assert_eq!(snap.files[2].format, "empty");
    assert!(snap.files[3].messages[0].contains("not JSON, CSV or a zip"));
    assert!(snap.files[4].messages[0].contains("no records"));
    let summary = serde_json::to_value(model::summary(&snap)).expect("json");
    let keys: Vec<&String> = summary.as_object().expect("object").keys().collect();
    assert_eq!(
        keys,
        [
            "credentials",
            "federations",
            "files",
            "grants",
            "identities",
            "orphaned_assignments",
            "workloads"
        ]
    );
    let file_keys: Vec<&String> = summary["files"][0]
        .as_object()
        .expect("object")
        .keys()
        .collect();
    assert_eq!(
        file_keys,
        [
            "format",
            "ingested",
            "merged",
            "messages",
            "path",
            "records",
            "set_aside"
        ]
    );
}

#[test]
fn flexible_and_app_federated_credentials() {
    let fics = r#"[{"id":"/subscriptions/1b877039-42c8-467f-a80b-950b770fa4ff/resourcegroups/RG-APP-PROD/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-shared/federatedIdentityCredentials/gh",
        "properties":{"issuer":"https://token.actions.githubusercontent.com","subject":null,"audiences":["api://AzureADTokenExchange"],
        "claimsMatchingExpression":{"value":"claims['sub'] matches 'repo:org/*'","languageVersion":1}}},
      {"audiences":["api://AzureADTokenExchange"],"description":null,"id":"2f9c1a8e-1111-2222-3333-444444444444","issuer":"https://gitlab.com","name":"gl","subject":"project_path:g/p:ref_type:branch:ref:main"}]"#;
    let snap = ingest(&[
        ("identities.json", UAMI_LIST.as_bytes()),
        ("fic.json", fics.as_bytes()),
    ]);
    assert_eq!(snap.files[1].format, "az-federated-credentials");
    assert_eq!(snap.federations[0].identity, Some(0));
    assert_eq!(
        snap.opt_str(snap.federations[0].claims_matching_expression),
        Some("claims['sub'] matches 'repo:org/*'")
    );
    assert_eq!(
        snap.opt_str(snap.federations[0].claims_language_version),
        Some("1")
    );
    assert_eq!(snap.federations[1].identity, None);
}

#[test]
fn aks_service_principal_profile_names_the_app_it_signs_in_as() {
    // A legacy cluster has no `identity` block (so the query must select managed clusters by type); `msi` means a
    // managed identity, and a value that is not a GUID is counted as a warning, never taken as an app.
    let resources = r#"[
      {"id":"/subscriptions/1b877039-42c8-467f-a80b-950b770fa4ff/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/legacy",
       "name":"legacy","type":"microsoft.containerservice/managedclusters","identity":null,
       "properties":{"servicePrincipalProfile":{"clientId":"0f3a6b4c-1d2e-4f50-8a9b-0c1d2e3f4a5b"}}},
      {"id":"/subscriptions/1b877039-42c8-467f-a80b-950b770fa4ff/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/modern",
       "name":"modern","type":"microsoft.containerservice/managedclusters","identity":{"type":"SystemAssigned","principalId":"25cc773c-7f05-40fc-a104-32d2300754ad"},
       "properties":{"servicePrincipalProfile":{"clientId":"MSI"}}},
      {"id":"/subscriptions/1b877039-42c8-467f-a80b-950b770fa4ff/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/odd",
       "name":"odd","type":"microsoft.containerservice/managedclusters","properties":{"servicePrincipalProfile":{"clientId":"not-a-guid"}}}
    ]"#;
    let snap = ingest(&[("arg.json", resources.as_bytes())]);
    assert_eq!(snap.files[0].format, "resource-graph");
    assert_eq!(snap.files[0].ingested, 3);
    let app = |name: &str| {
        snap.workloads
            .iter()
            .find(|w| snap.opt_str(w.name) == Some(name))
            .and_then(|w| w.app_credential)
    };
    assert_eq!(
        app("legacy"),
        Some(g("0f3a6b4c-1d2e-4f50-8a9b-0c1d2e3f4a5b"))
    );
    assert_eq!(app("modern"), None);
    assert_eq!(app("odd"), None);
    assert!(
        snap.files[0]
            .messages
            .iter()
            .any(|m| m.contains("not-a-guid")),
        "{:?}",
        snap.files[0].messages
    );
}

/// A Resource Graph export lists user-assigned identities among other resources. Each is read as an identity, whatever
/// the casing of its `type` (a trailing slash too), and also when a field it does not need has a shape a resource's
/// reader refuses; a resource with that same fault is set aside with its reason.
#[test]
fn user_assigned_identities_inside_a_resource_graph_export() {
    let uami = |name: &str, kind: &str, principal: &str, extra: &str| {
        format!(
            r#"{{"id":"/subscriptions/1b877039-42c8-467f-a80b-950b770fa4ff/resourceGroups/rg-id/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}",
               "name":"{name}","type":"{kind}","resourceGroup":"rg-id","location":"westeurope",{extra}
               "properties":{{"clientId":"a72223ed-0a1e-4683-9b4b-44bed448bc{principal}","principalId":"8097154c-b14f-4898-928c-16ca80e12d{principal}",
                 "tenantId":"01177861-2ff6-4b20-b546-49fd6cada0ec"}}}}"#
        )
    };
    let rows = [
        r#"{"id":"/subscriptions/1b877039-42c8-467f-a80b-950b770fa4ff/resourceGroups/rg-app/providers/Microsoft.Web/sites/app2",
            "name":"app2","type":"microsoft.web/sites"}"#
            .to_owned(),
        uami("id-a", "microsoft.managedidentity/userassignedidentities", "01", ""),
        uami("id-b", "MICROSOFT.MANAGEDIDENTITY/USERASSIGNEDIDENTITIES/", "02", ""),
        // `identity` as text: not a resource's identity block, but a user-assigned identity does not read it.
        uami("id-c", "Microsoft.ManagedIdentity/userAssignedIdentities", "03", r#""identity":"none","#),
        r#"{"id":"/subscriptions/1b877039-42c8-467f-a80b-950b770fa4ff/resourceGroups/rg-app/providers/Microsoft.Web/sites/app1",
            "name":"app1","type":"microsoft.web/sites","identity":"none"}"#
            .to_owned(),
    ];
    let export = format!(
        r#"{{"count":5,"data":[{}],"skip_token":null}}"#,
        rows.join(",")
    );
    let snap = ingest(&[("arg.json", export.as_bytes())]);
    let file = &snap.files[0];
    assert_eq!(file.format, "resource-graph");
    assert_eq!((file.records, file.ingested), (5, 4));
    assert_eq!(file.set_aside.len(), 1);
    assert_eq!(file.set_aside[0].record, 4);
    assert!(
        file.set_aside[0]
            .reason
            .starts_with("not a resource record"),
        "{:?}",
        file.set_aside[0].reason
    );
    for (name, principal) in [("id-a", "01"), ("id-b", "02"), ("id-c", "03")] {
        let identity = snap
            .identity_by_principal_id(g(&format!("8097154c-b14f-4898-928c-16ca80e12d{principal}")))
            .unwrap_or_else(|| panic!("{name} read as an identity"));
        assert_eq!(
            identity.kind,
            IdentityKind::UserAssignedManagedIdentity,
            "{name}"
        );
        assert!(!identity.inferred, "{name}");
    }
    assert!(snap.workload_by_id("/subscriptions/1b877039-42c8-467f-a80b-950b770fa4ff/resourcegroups/rg-app/providers/microsoft.web/sites/app2").is_some());
}
