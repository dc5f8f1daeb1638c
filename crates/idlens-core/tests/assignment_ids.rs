//! Role assignment ids are kept as their GUID when they have the standard shape and rebuilt on demand: what the
//! snapshot gives back must be exactly the text that was exported, whatever its spelling, and duplicates spelled
//! differently must still merge.

use idlens_core::ingest::{Ingest, IngestOptions};
use idlens_core::model::{AssignmentId, Snapshot};

const OWNER: &str =
    "/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635";

fn assignment(id: &str, scope: &str, principal: &str) -> String {
    format!(
        r#"{{"id":"{id}","principalId":"{principal}","principalType":"ServicePrincipal","roleDefinitionId":"{OWNER}","scope":"{scope}"}}"#
    )
}

fn ingest(records: &[String]) -> Snapshot {
    let mut ingest = Ingest::new(IngestOptions::default());
    ingest.begin_file("role-assignments.json");
    ingest.push(format!("[{}]", records.join(",")).as_bytes());
    ingest.end_file();
    ingest.finish()
}

#[test]
fn every_spelling_of_an_assignment_id_comes_back_as_exported() {
    let sub = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590";
    let rg = format!("{sub}/resourceGroups/rg-App");
    let p = "6f3a3c4e-96f5-4c4b-9a41-2a3d0d1e0f01";
    let ids = [
        // Standard: the scope as exported, lower-case GUID.
        format!(
            "{sub}/providers/Microsoft.Authorization/roleAssignments/3038142a-80c7-4bf1-b7c2-0939b906316d"
        ),
        // Upper-case GUID: kept as text.
        format!(
            "{rg}/providers/Microsoft.Authorization/roleAssignments/AAAAAAAA-80C7-4BF1-B7C2-0939B906316D"
        ),
        // Root scope.
        "/providers/Microsoft.Authorization/roleAssignments/4c1d5e2a-1111-4bf1-b7c2-0939b906316d"
            .to_owned(),
        // The mark in another casing than the standard one: kept as text.
        format!(
            "{sub}/providers/microsoft.authorization/roleassignments/5d2e6f3b-2222-4bf1-b7c2-0939b906316d"
        ),
        // The scope spelled in another casing than the scope field read first for this path: kept as text.
        format!(
            "{}/providers/Microsoft.Authorization/roleAssignments/6e3f7a4c-3333-4bf1-b7c2-0939b906316d",
            rg.to_lowercase()
        ),
        // Braces around the GUID: kept as text.
        format!(
            "{sub}/providers/Microsoft.Authorization/roleAssignments/{{7f4a8b5d-4444-4bf1-b7c2-0939b906316d}}"
        ),
    ];
    let scopes = [sub, &rg, "/", sub, &rg, sub];
    let records: Vec<String> = ids
        .iter()
        .zip(scopes)
        .map(|(id, scope)| assignment(id, scope, p))
        .collect();
    let snap = ingest(&records);
    assert_eq!(snap.grants.len(), ids.len());
    for (grant, id) in snap.grants.iter().zip(&ids) {
        assert_eq!(snap.assignment_id_text(grant).as_deref(), Some(id.as_str()));
    }
    let standard = snap
        .grants
        .iter()
        .filter(|g| matches!(g.assignment_id, Some(AssignmentId::Standard(_))))
        .count();
    assert_eq!(
        standard, 2,
        "the standard and the root-scope ids are kept as GUIDs"
    );
}

#[test]
fn a_duplicate_spelled_in_another_case_merges_into_the_first() {
    let sub = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590";
    let p = "6f3a3c4e-96f5-4c4b-9a41-2a3d0d1e0f01";
    let id = format!(
        "{sub}/providers/Microsoft.Authorization/roleAssignments/3038142a-80c7-4bf1-b7c2-0939b906316d"
    );
    let snap = ingest(&[
        assignment(&id, sub, p),
        assignment(&id.to_uppercase(), &sub.to_uppercase(), p),
        assignment(&id, sub, p),
    ]);
    assert_eq!(snap.grants.len(), 1);
    assert_eq!(snap.grants[0].provenance.len(), 3);
    assert_eq!(
        snap.assignment_id_text(&snap.grants[0]).as_deref(),
        Some(id.as_str())
    );
    let file = &snap.files[0];
    assert_eq!((file.records, file.ingested, file.merged), (3, 1, 2));
}

#[test]
fn an_assignment_without_an_id_has_none() {
    let snap = ingest(&[format!(
        r#"{{"principalId":"6f3a3c4e-96f5-4c4b-9a41-2a3d0d1e0f01","roleDefinitionId":"{OWNER}","scope":"/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590"}}"#
    )]);
    assert_eq!(snap.grants.len(), 1);
    assert_eq!(snap.assignment_id_text(&snap.grants[0]), None);
}
