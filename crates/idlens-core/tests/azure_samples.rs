//! The Azure ingest on real public sample exports (`shared/samples`, read in place): every format the samples
//! cover is detected, read and linked, and every record is accounted for.

use idlens_core::ids::{Guid, ScopeLevel};
use idlens_core::ingest::{Ingest, IngestOptions};
use idlens_core::model::{
    self, CredentialKind, GrantPrincipal, IdentityKind, Snapshot, TierSource,
};

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/samples/");

fn sample(path: &str) -> Vec<u8> {
    std::fs::read(format!("{SAMPLES}{path}")).unwrap_or_else(|e| panic!("sample {path}: {e}"))
}

/// The ARM payload of an `x-ms-examples` file (`responses["200"].body`), as an export would hold it.
fn spec_body(path: &str) -> Vec<u8> {
    let doc: serde_json::Value =
        serde_json::from_slice(&sample(path)).expect("spec example is JSON");
    serde_json::to_vec_pretty(&doc["responses"]["200"]["body"]).expect("body")
}

fn ingest(files: &[(&str, Vec<u8>)]) -> Snapshot {
    let mut ingest = Ingest::new(IngestOptions::default());
    for (name, bytes) in files {
        ingest.begin_file(name);
        for chunk in bytes.chunks(97) {
            ingest.push(chunk);
        }
        ingest.end_file();
    }
    let snapshot = ingest.finish();
    for file in &snapshot.files {
        assert!(file.balanced(), "reconciliation of {}: {file:?}", file.path);
    }
    snapshot
}

fn g(text: &str) -> Guid {
    Guid::parse(text).expect("guid")
}

#[test]
fn cli_recordings_link_into_one_tenant() {
    let dir = "azure-cli-recordings/";
    let names = [
        "test_identity_management__2__uami_list.json",
        "test_federated_identity_credential__0__uami.json",
        "test_federated_identity_credential__3__fic_list.json",
        "test_role_assignment_at_scope__0__uami.json",
        "test_role_assignment_at_scope__2__role_assignment_list.json",
        "test_role_assignment_create_update__0__role_definition_list.json",
        "test_custom_role_definition_scenario__1__role_definition_list.json",
        "test_create_for_rbac_password__3__graph_sp_list.json",
        "test_create_for_rbac_password__5__graph_app_list.json",
        "test_create_for_rbac_password__6__graph_app.json",
        "test_appservice_plan_identity_operations__2__resource_with_identity.json",
    ];
    let files: Vec<(&str, Vec<u8>)> = names
        .iter()
        .map(|n| (*n, sample(&format!("{dir}{n}"))))
        .collect();
    let snap = ingest(&files);
    let formats: Vec<&str> = snap.files.iter().map(|f| f.format.as_str()).collect();
    assert_eq!(
        formats,
        [
            "az-user-assigned-identities",
            "az-user-assigned-identities",
            "az-federated-credentials",
            "az-user-assigned-identities",
            "az-role-assignments",
            "az-role-definitions",
            "az-role-definitions",
            "graph-service-principals",
            "graph-applications",
            "graph-applications",
            "resource-graph",
        ]
    );
    // The same application in a list page and a single GET: merged, not counted twice.
    assert_eq!((snap.files[9].ingested, snap.files[9].merged), (0, 1));

    // The role assignment's principal is the UAMI created in the same cassette.
    let grant = &snap.grants[0];
    let GrantPrincipal::Identity(ix) = grant.principal else {
        panic!("resolved principal: {grant:?}")
    };
    let uami = &snap.identities[ix as usize];
    assert_eq!(uami.kind, IdentityKind::UserAssignedManagedIdentity);
    assert_eq!(
        uami.principal_id,
        Some(g("88c53162-584e-4c98-984b-62149c2e9bca"))
    );
    assert_eq!(grant.scope_level, ScopeLevel::ResourceGroup);
    let role = &snap.roles[grant.role as usize];
    assert_eq!(snap.opt_str(role.name), Some("Reader"));
    assert_eq!((role.tier, role.tier_source), (0.1, TierSource::Definition));

    // Custom role: data-plane wildcard on blobs, minus write.
    let custom = snap
        .roles
        .iter()
        .find(|r| r.custom == Some(true))
        .expect("custom role");
    assert_eq!(custom.tier, 0.7);
    assert!(custom.has_wildcard && !custom.can_grant_access);

    // Federated credentials belong to the identity `ide` from the other file, case-insensitively.
    assert_eq!(snap.federations.len(), 2);
    let fic_owner = snap.federations[0].identity.expect("linked");
    assert_eq!(
        snap.opt_str(snap.identities[fic_owner as usize].display_name),
        Some("ide")
    );
    assert!(!snap.identities[fic_owner as usize].inferred);
    assert_eq!(
        snap.opt_str(snap.federations[1].subject),
        Some("system:serviceaccount:ns:svcaccount2")
    );

    // The application SP carries the app registration's secret; the app merged onto it by appId.
    let app = snap
        .identities
        .iter()
        .position(|i| i.client_id == Some(g("c3173ffc-90dd-477c-8df9-951a031e2319")))
        .expect("app");
    assert_eq!(
        snap.identities[app].kind,
        IdentityKind::ApplicationServicePrincipal
    );
    assert_eq!(
        snap.identities[app].application_object_id,
        Some(g("45a1e5f2-fb2a-4dab-9312-01d3a149bc7e"))
    );
    assert_eq!(snap.credentials.len(), 1);
    let secret = &snap.credentials[0];
    assert_eq!(
        (secret.identity as usize, secret.kind),
        (app, CredentialKind::Secret)
    );
    assert_eq!(
        secret.end.map(idlens_core::time::format_rfc3339).as_deref(),
        Some("2024-02-14T07:55:04Z")
    );

    // The App Service plan's system-assigned identity is revealed by its identity block.
    let plan = snap.workload_by_id("/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/resourcegroups/clitest.rg000001/providers/Microsoft.Web/serverfarms/mi-plan-identity000002").expect("workload");
    assert_eq!(plan.attachments.len(), 1);
    let sami = &snap.identities[plan.attachments[0].identity as usize];
    assert_eq!(sami.kind, IdentityKind::SystemAssignedManagedIdentity);
    assert!(sami.inferred);

    let summary = model::summary(&snap);
    assert_eq!(summary.grants.get("resource-group"), Some(&1));
    assert_eq!(summary.orphaned_assignments, 0);
    assert_eq!(summary.credentials, 1);
    assert_eq!(summary.federations, 2);
}

#[test]
fn rest_api_spec_examples() {
    let snap = ingest(&[
        (
            "uami-2023.json",
            spec_body(
                "azure-rest-api-specs/msi-2023-01-31_UserAssignedIdentities_ListBySubscription.json",
            ),
        ),
        (
            "uami-2024.json",
            spec_body("azure-rest-api-specs/msi-2024-11-30_IdentityListBySubscription.json"),
        ),
        (
            "fic.json",
            spec_body("azure-rest-api-specs/msi-2023-01-31_FederatedIdentityCredentials_List.json"),
        ),
        (
            "ra.json",
            spec_body(
                "azure-rest-api-specs/authorization-2022-04-01_RoleAssignments_ListForResourceGroup.json",
            ),
        ),
        (
            "arg.json",
            spec_body("azure-rest-api-specs/resourcegraph-2021-03-01_ResourcesBasicQuery.json"),
        ),
    ]);
    let formats: Vec<(&str, u64, u64)> = snap
        .files
        .iter()
        .map(|f| (f.format.as_str(), f.ingested, f.merged))
        .collect();
    assert_eq!(
        formats,
        [
            ("az-user-assigned-identities", 1, 0),
            // The same identity in the 2024 API version: a duplicate, merged.
            ("az-user-assigned-identities", 0, 1),
            ("az-federated-credentials", 1, 0),
            ("az-role-assignments", 2, 0),
            ("resource-graph", 3, 0),
        ]
    );
    let uami = &snap.identities[0];
    assert_eq!(
        uami.client_id,
        Some(g("4024ab25-56a8-4370-aea6-6389221caf29"))
    );
    assert_eq!(uami.tags.len(), 2);
    assert_eq!(snap.opt_str(uami.subscription), Some("subid"));
    // The FIC names `identityName` in another subscription than the listed one: an inferred identity (a gap).
    let owner = &snap.identities[snap.federations[0].identity.expect("linked") as usize];
    assert!(owner.inferred);
    assert_eq!(snap.opt_str(owner.display_name), Some("identityName"));
    assert_eq!(snap.opt_str(owner.resource_group), Some("rgName"));
    // Assignments to a User: kept, not orphaned; role unknown to the table: assumed tier.
    assert!(
        snap.grants
            .iter()
            .all(|g| g.principal == GrantPrincipal::Other)
    );
    assert_eq!(
        snap.roles[snap.grants[0].role as usize].tier_source,
        TierSource::Assumed
    );
    let levels: Vec<ScopeLevel> = snap.grants.iter().map(|g| g.scope_level).collect();
    assert_eq!(
        levels,
        [ScopeLevel::Subscription, ScopeLevel::ResourceGroup]
    );
    assert_eq!(snap.workloads.len(), 3);
}

#[test]
fn docs_role_definitions_both_shapes() {
    let snap = ingest(&[
        (
            "cli.json",
            sample("azure-docs-examples/role-definition-cli-contributor.DERIVED.json"),
        ),
        (
            "rest.json",
            sample("azure-docs-examples/role-definitions-rest-list.DERIVED.json"),
        ),
    ]);
    assert!(
        snap.files
            .iter()
            .all(|f| f.format == "az-role-definitions" && f.set_aside.is_empty())
    );
    let contributor = &snap.roles[0];
    assert_eq!(snap.opt_str(contributor.name), Some("Contributor"));
    assert_eq!(contributor.custom, Some(false));
    assert_eq!(
        (contributor.tier, contributor.can_grant_access),
        (0.8, false)
    );
    let billing = snap
        .roles
        .iter()
        .find(|r| snap.opt_str(r.name) == Some("Billing Reader Plus"))
        .expect("custom");
    assert_eq!(billing.custom, Some(true));
    assert_eq!(billing.tier, 0.5);
    assert_eq!(
        snap.opt_str(billing.assignable_scopes.first().copied()),
        Some("/subscriptions/473a4f86-11e3-48cb-9358-e13c220a2f15")
    );
}

#[test]
fn graph_sign_in_activity_with_invalid_offsets() {
    let snap = ingest(&[(
        "signins.json",
        sample("msgraph-docs/serviceprincipalsigninactivities-list.DERIVED.json"),
    )]);
    let file = &snap.files[0];
    assert_eq!(
        (file.format.as_str(), file.ingested),
        ("graph-sign-in-activity", 2)
    );
    assert!(
        file.messages.iter().any(|m| m.contains("-8:00")),
        "{:?}",
        file.messages
    );
    let a = &snap.activity[0];
    assert_eq!(a.app_id, g("83f45296-fb8f-4aaa-a399-ac51084e02b7"));
    assert_eq!(
        a.last_sign_in
            .map(idlens_core::time::format_rfc3339)
            .as_deref(),
        Some("2021-04-01T00:00:00Z")
    );
    assert_eq!(
        a.last_app_client_sign_in
            .map(idlens_core::time::format_rfc3339)
            .as_deref(),
        Some("2021-03-01T08:00:00Z")
    );
    assert_eq!(a.identity, None);
}

#[test]
fn other_clouds_are_recognised_not_misread() {
    let snap = ingest(&[
        (
            "aws.json",
            sample("aws-cloudsplaining/example_authz_v2.json"),
        ),
        (
            "k8s.json",
            sample("k8s-bootstrap-rbac/cluster-role-bindings.DERIVED.json"),
        ),
    ]);
    for file in &snap.files {
        assert!(file.records > 0 && file.ingested == 0, "{file:?}");
        assert!(
            file.messages.iter().any(|m| m.contains("not read yet")),
            "{file:?}"
        );
    }
    assert_eq!(snap.files[0].format, "aws-iam");
    assert_eq!(snap.files[1].format, "kubernetes");
    assert!(snap.identities.is_empty());
}

#[test]
fn later_page_of_the_same_app_adds_its_new_secret() {
    let dir = "azure-cli-recordings/";
    let snap = ingest(&[
        (
            "app-created.json",
            sample(&format!(
                "{dir}test_create_for_rbac_password__0__graph_app.json"
            )),
        ),
        (
            "app-list.json",
            sample(&format!(
                "{dir}test_create_for_rbac_password__5__graph_app_list.json"
            )),
        ),
        (
            "app-get.json",
            sample(&format!(
                "{dir}test_create_for_rbac_password__6__graph_app.json"
            )),
        ),
    ]);
    assert_eq!(snap.files.iter().map(|f| f.merged).sum::<u64>(), 2);
    assert_eq!(snap.identities.len(), 1);
    assert_eq!(
        snap.identities[0].kind,
        IdentityKind::ApplicationRegistration
    );
    assert_eq!(
        snap.credentials.len(),
        1,
        "the secret added after creation is kept once"
    );
}
