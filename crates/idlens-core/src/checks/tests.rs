//! Tests of the check engine on small hand-built snapshots: a positive and a negative case per implemented check,
//! not-evaluated reporting, waivers (applied, expired), scoring examples worked by hand (floors and bands), posture,
//! the remediation plan, and expected findings on the demo tenant.

use super::*;
use crate::ids::{Guid, Interner, parse_arm_path};
use crate::model::{
    Activity, Attachment, AttachmentKind, Credential, CredentialHolder, CredentialKind,
    EnvironmentSource, Federation, FileReport, Grant, Owner, OwnerKind, RoleDefinition, Scope,
    TierSource, Workload,
};
use crate::score::Band;

const NOW: i64 = 1_793_491_200; // 2026-11-01T00:00:00Z
const ALL: &[&str] = &[
    "az-user-assigned-identities",
    "graph-service-principals",
    "graph-applications",
    "az-role-assignments",
    "az-role-definitions",
    "resource-graph",
    "az-federated-credentials",
    "graph-sign-in-activity",
];
const SUB_PROD: &str = "00000000-0000-0000-0000-0000000000a1";
const SUB_DEV: &str = "00000000-0000-0000-0000-0000000000b2";
const TENANT: &str = "11111111-1111-1111-1111-111111111111";

struct B {
    s: Snapshot,
    next_guid: u128,
}

fn prov(record: u64) -> Provenance {
    Provenance {
        file: 0,
        record,
        line: record + 1,
    }
}

impl B {
    fn new(formats: &[&str]) -> B {
        let files = formats
            .iter()
            .map(|f| FileReport {
                path: format!("{f}.json"),
                format: (*f).to_owned(),
                size_bytes: 1,
                records: 1,
                ingested: 1,
                merged: 0,
                set_aside: Vec::new(),
                messages: Vec::new(),
                partial: false,
            })
            .collect();
        B {
            s: Snapshot {
                strings: Interner::default(),
                files,
                identities: Vec::new(),
                workloads: Vec::new(),
                roles: Vec::new(),
                scopes: Vec::new(),
                grants: Vec::new(),
                credentials: Vec::new(),
                federations: Vec::new(),
                activity: Vec::new(),
                directory_grants: Vec::new(),
                credential_activity: Vec::new(),
                principals: Vec::new(),
                operations: Vec::new(),
                log_coverage: Vec::new(),
                index: Default::default(),
            },
            next_guid: 0x1000,
        }
    }

    fn sym(&mut self, text: &str) -> Sym {
        self.s.strings.intern(text)
    }

    fn guid(&mut self) -> Guid {
        self.next_guid += 1;
        Guid(self.next_guid)
    }

    fn identity(&mut self, kind: IdentityKind, name: &str, sub: &str) -> u32 {
        let ix = self.s.identities.len() as u32;
        let principal = self.guid();
        let client = self.guid();
        let display = self.sym(name);
        let subscription = self.sym(sub);
        let rg = self.sym("rg-app");
        let resource_id = (kind == IdentityKind::UserAssignedManagedIdentity).then(|| {
            self.sym(&format!(
                "/subscriptions/{sub}/resourceGroups/rg-app/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}"
            ))
        });
        self.s.identities.push(Identity {
            provider: crate::model::Provider::Azure,
            kind,
            display_name: Some(display),
            principal_id: Some(principal),
            client_id: Some(client),
            application_object_id: None,
            resource_id,
            host_resource_id: None,
            tenant_id: Guid::parse(TENANT),
            subscription: Some(subscription),
            resource_group: Some(rg),
            location: None,
            created: Some(NOW - 400 * DAY),
            enabled: Some(true),
            service_principal_type: None,
            app_owner_organization_id: None,
            tags: Vec::new(),
            owners: Vec::new(),
            environment: Environment::Unknown,
            environment_source: EnvironmentSource::None,
            inferred: false,
            activity: None,
            provenance: vec![prov(ix as u64)],
        });
        ix
    }

    fn tag(&mut self, ix: u32, key: &str, value: &str) {
        let tag = Tag {
            key: self.sym(key),
            value: self.sym(value),
        };
        self.s.identities[ix as usize].tags.push(tag);
    }

    /// A built-in role by name, or a custom role with `actions`.
    fn role(&mut self, name: &str, custom_actions: Option<&[&str]>, assignable: &[&str]) -> u32 {
        if let Some(i) = self
            .s
            .roles
            .iter()
            .position(|r| r.name.is_some_and(|n| self.s.strings.resolve(n) == name))
        {
            return i as u32;
        }
        let (privilege, guid, custom, actions) = match custom_actions {
            Some(actions) => (
                crate::ingest::roles::derive(actions, &[], &[], &[]),
                None,
                true,
                actions.to_vec(),
            ),
            None => {
                let b = crate::ingest::roles::built_in_by_name(name).expect("built-in role");
                (b.privilege, Guid::parse(b.guid), false, Vec::new())
            }
        };
        let name_sym = self.sym(name);
        let actions = actions.iter().map(|a| self.sym(a)).collect();
        let assignable_scopes = assignable.iter().map(|a| self.sym(a)).collect();
        self.s.roles.push(RoleDefinition {
            guid,
            id: None,
            name: Some(name_sym),
            description: None,
            custom: Some(custom),
            actions,
            not_actions: Vec::new(),
            data_actions: Vec::new(),
            not_data_actions: Vec::new(),
            assignable_scopes,
            tier: privilege.tier,
            tier_source: TierSource::Definition,
            can_grant_access: privilege.can_grant_access,
            has_wildcard: privilege.has_wildcard,
            exported: true,
            provenance: vec![prov(0)],
        });
        (self.s.roles.len() - 1) as u32
    }

    fn scope(&mut self, id: &str) -> u32 {
        let (level, path) = parse_arm_path(id);
        let sub = path.subscription.map(str::to_owned);
        let rg = path.resource_group.map(str::to_owned);
        let id_sym = self.sym(id);
        let subscription = sub.map(|s| self.sym(&s));
        let resource_group = rg.map(|r| self.sym(&r));
        self.s.scopes.push(Scope {
            id: id_sym,
            level,
            subscription,
            resource_group,
            management_group: None,
        });
        (self.s.scopes.len() - 1) as u32
    }

    fn grant_to(
        &mut self,
        principal: GrantPrincipal,
        principal_id: Option<Guid>,
        role: &str,
        scope: &str,
    ) -> u32 {
        let role = self.role(role, None, &[]);
        self.grant_role(principal, principal_id, role, scope)
    }

    fn grant_role(
        &mut self,
        principal: GrantPrincipal,
        principal_id: Option<Guid>,
        role: u32,
        scope: &str,
    ) -> u32 {
        let scope_ix = self.scope(scope);
        let level = self.s.scopes[scope_ix as usize].level;
        let tier = self.s.roles[role as usize].tier;
        let gx = self.s.grants.len() as u64;
        self.s.grants.push(Grant {
            principal,
            principal_id,
            principal_type: None,
            principal_name: None,
            role,
            scope: scope_ix,
            scope_level: level,
            condition: None,
            condition_version: None,
            assignment_id: None,
            created: None,
            created_by: None,
            delegated_managed_identity_resource_id: None,
            tier,
            provenance: smallvec::smallvec![prov(gx)],
        });
        (self.s.grants.len() - 1) as u32
    }

    fn grant(&mut self, ix: u32, role: &str, scope: &str) -> u32 {
        let p = self.s.identities[ix as usize].principal_id;
        self.grant_to(GrantPrincipal::Identity(ix), p, role, scope)
    }

    fn cred(
        &mut self,
        ix: u32,
        kind: CredentialKind,
        start_days_ago: i64,
        end_in_days: Option<i64>,
    ) -> u32 {
        let key = self.guid();
        self.s.credentials.push(Credential {
            identity: ix,
            kind,
            holder: CredentialHolder::Application,
            key_type: None,
            usage: None,
            start: Some(NOW - start_days_ago * DAY),
            end: end_in_days.map(|d| NOW + d * DAY),
            key_id: Some(key),
            display_name: None,
            provenance: vec![prov(0)],
            activity: None,
        });
        (self.s.credentials.len() - 1) as u32
    }

    fn fed(
        &mut self,
        ix: u32,
        issuer: &str,
        subject: Option<&str>,
        expression: Option<&str>,
    ) -> u32 {
        let issuer = Some(self.sym(issuer));
        let subject = subject.map(|s| self.sym(s));
        let expression = expression.map(|s| self.sym(s));
        let audience = self.sym("api://AzureADTokenExchange");
        let name = Some(self.sym("fic"));
        self.s.federations.push(Federation {
            identity: Some(ix),
            id: None,
            name,
            issuer,
            subject,
            claims_matching_expression: expression,
            claims_language_version: None,
            audiences: vec![audience],
            provenance: vec![prov(0)],
        });
        (self.s.federations.len() - 1) as u32
    }

    fn workload(&mut self, name: &str, sub: &str, env: Option<&str>, uses: &[u32]) -> u32 {
        let id = self.sym(&format!(
            "/subscriptions/{sub}/resourceGroups/rg-w/providers/Microsoft.Web/sites/{name}"
        ));
        let name_sym = Some(self.sym(name));
        let subscription = Some(self.sym(sub));
        let tags = match env {
            Some(e) => vec![Tag {
                key: self.sym("env"),
                value: self.sym(e),
            }],
            None => Vec::new(),
        };
        self.s.workloads.push(Workload {
            id,
            resource_type: None,
            name: name_sym,
            subscription,
            resource_group: None,
            location: None,
            tags,
            identity_type: None,
            attachments: uses
                .iter()
                .map(|&identity| Attachment {
                    identity,
                    kind: AttachmentKind::UserAssigned,
                })
                .collect(),
            oidc_issuer: None,
            app_credential: None,
            environment: Environment::Unknown,
            environment_source: EnvironmentSource::None,
            provenance: vec![prov(0)],
        });
        (self.s.workloads.len() - 1) as u32
    }

    fn signed_in(&mut self, ix: u32, days_ago: Option<i64>, delegated_days_ago: Option<i64>) {
        let app_id = self.s.identities[ix as usize].client_id.unwrap_or_default();
        let ax = self.s.activity.len() as u32;
        self.s.activity.push(Activity {
            app_id,
            identity: Some(ix),
            last_sign_in: days_ago.map(|d| NOW - d * DAY),
            last_app_client_sign_in: None,
            last_app_resource_sign_in: None,
            last_delegated_client_sign_in: delegated_days_ago.map(|d| NOW - d * DAY),
            last_delegated_resource_sign_in: None,
            provenance: vec![prov(0)],
        });
        self.s.identities[ix as usize].activity = Some(ax);
    }

    fn done(mut self) -> Snapshot {
        self.s.rebuild_index();
        self.s
    }
}

fn run(s: &Snapshot) -> Evaluation {
    evaluate(s, &Policy::default(), NOW)
}

fn run_with(s: &Snapshot, policy: &Policy) -> Evaluation {
    evaluate(s, policy, NOW)
}

/// Open findings of a check on an identity name.
fn hits<'e>(e: &'e Evaluation, check: &str, name: &str) -> Vec<&'e Finding> {
    e.findings
        .iter()
        .filter(|f| f.check_id == check && f.identity.name == name)
        .collect()
}

fn status(e: &Evaluation, check: &str) -> CheckStatus {
    e.checks
        .iter()
        .find(|c| c.check_id == check)
        .map(|c| c.status)
        .expect("check")
}

fn sub(s: &str) -> String {
    format!("/subscriptions/{s}")
}

fn rg(s: &str, rg: &str) -> String {
    format!("/subscriptions/{s}/resourceGroups/{rg}")
}

#[test]
fn p001_privileged_roles_at_broad_scope() {
    let mut b = B::new(ALL);
    let root = b.identity(
        IdentityKind::UserAssignedManagedIdentity,
        "id-root",
        SUB_PROD,
    );
    b.grant(root, "Owner", "/");
    let subx = b.identity(IdentityKind::UserAssignedManagedIdentity, "id-sub", SUB_DEV);
    b.grant(subx, "User Access Administrator", &sub(SUB_DEV));
    let contrib = b.identity(
        IdentityKind::UserAssignedManagedIdentity,
        "id-contrib",
        SUB_DEV,
    );
    b.grant(contrib, "Contributor", &sub(SUB_DEV));
    let rgo = b.identity(IdentityKind::UserAssignedManagedIdentity, "id-rg", SUB_DEV);
    b.grant(rgo, "Owner", &rg(SUB_DEV, "rg-x"));
    let fine = b.identity(
        IdentityKind::UserAssignedManagedIdentity,
        "id-fine",
        SUB_DEV,
    );
    b.grant(fine, "Contributor", &rg(SUB_DEV, "rg-x"));
    b.grant(fine, "Reader", &sub(SUB_DEV));
    let e = run(&b.done());
    assert_eq!(
        hits(&e, "NHI-P-001", "id-root")[0].severity,
        Severity::Critical
    );
    assert_eq!(hits(&e, "NHI-P-001", "id-sub")[0].severity, Severity::High);
    assert_eq!(
        hits(&e, "NHI-P-001", "id-contrib")[0].severity,
        Severity::High
    );
    assert_eq!(hits(&e, "NHI-P-001", "id-rg")[0].severity, Severity::Medium);
    assert!(hits(&e, "NHI-P-001", "id-fine").is_empty());
    // Evidence names the record and the fields.
    let ev = &hits(&e, "NHI-P-001", "id-root")[0].evidence[0];
    assert_eq!(ev.record_kind, "role-assignment");
    assert!(
        ev.fields
            .iter()
            .any(|f| f.name == "scope" && f.value == "/")
    );
    assert!(
        ev.fields
            .iter()
            .any(|f| f.name == "roleDefinitionName" && f.value == "Owner")
    );
}

#[test]
fn p001_subscription_owner_in_prod_is_critical() {
    let mut b = B::new(ALL);
    let ix = b.identity(IdentityKind::UserAssignedManagedIdentity, "id-x", SUB_PROD);
    b.grant(ix, "Owner", &sub(SUB_PROD));
    let s = b.done();
    let mut policy = Policy::default();
    policy
        .environment
        .subscriptions
        .insert(SUB_PROD.into(), Environment::Prod);
    let e = run_with(&s, &policy);
    assert_eq!(
        hits(&e, "NHI-P-001", "id-x")[0].severity,
        Severity::Critical
    );
    let e = run(&s);
    assert_eq!(hits(&e, "NHI-P-001", "id-x")[0].severity, Severity::High);
}

#[test]
fn p002_grant_access_and_condition() {
    let mut b = B::new(ALL);
    let a = b.identity(IdentityKind::UserAssignedManagedIdentity, "id-uaa", SUB_DEV);
    b.grant(a, "User Access Administrator", &rg(SUB_DEV, "rg"));
    let c = b.identity(
        IdentityKind::UserAssignedManagedIdentity,
        "id-cond",
        SUB_DEV,
    );
    let g = b.grant(
        c,
        "Role Based Access Control Administrator",
        &rg(SUB_DEV, "rg"),
    );
    let cond = b.sym("@Request[...] ForAnyOfAnyValues:GuidEquals {acdd72a7}");
    b.s.grants[g as usize].condition = Some(cond);
    let n = b.identity(
        IdentityKind::UserAssignedManagedIdentity,
        "id-contrib",
        SUB_DEV,
    );
    b.grant(n, "Contributor", &rg(SUB_DEV, "rg"));
    let e = run(&b.done());
    assert_eq!(
        hits(&e, "NHI-P-002", "id-uaa")[0].severity,
        Severity::Critical
    );
    assert_eq!(
        hits(&e, "NHI-P-002", "id-cond")[0].severity,
        Severity::Medium
    );
    assert!(hits(&e, "NHI-P-002", "id-contrib").is_empty());
}

#[test]
fn p003_custom_wildcard_roles() {
    let mut b = B::new(ALL);
    let held = b.role(
        "Platform Operator",
        Some(&["Microsoft.Compute/*"]),
        &["/subscriptions/x"],
    );
    let _unheld_broad = b.role("Sub Admin", Some(&["*"]), &["/subscriptions/x"]);
    let _unheld_narrow = b.role(
        "Narrow",
        Some(&["Microsoft.Web/*"]),
        &["/subscriptions/x/resourceGroups/r"],
    );
    let _explicit = b.role(
        "Explicit",
        Some(&["Microsoft.Web/sites/read"]),
        &["/subscriptions/x"],
    );
    let ix = b.identity(IdentityKind::UserAssignedManagedIdentity, "id-op", SUB_DEV);
    let p = b.s.identities[ix as usize].principal_id;
    b.grant_role(GrantPrincipal::Identity(ix), p, held, &rg(SUB_DEV, "rg"));
    let e = run(&b.done());
    assert_eq!(hits(&e, "NHI-P-003", "id-op")[0].severity, Severity::High);
    assert_eq!(
        hits(&e, "NHI-P-003", "Sub Admin")[0].severity,
        Severity::High
    );
    assert_eq!(
        hits(&e, "NHI-P-003", "Narrow")[0].severity,
        Severity::Medium
    );
    assert!(hits(&e, "NHI-P-003", "Explicit").is_empty());
}

#[test]
fn p005_vault_roles_above_a_vault() {
    let mut b = B::new(ALL);
    let a = b.identity(IdentityKind::UserAssignedManagedIdentity, "id-kv", SUB_DEV);
    b.grant(a, "Key Vault Secrets Officer", &sub(SUB_DEV));
    let u = b.identity(
        IdentityKind::UserAssignedManagedIdentity,
        "id-user",
        SUB_DEV,
    );
    b.grant(u, "Key Vault Secrets User", &rg(SUB_DEV, "rg"));
    let ok = b.identity(IdentityKind::UserAssignedManagedIdentity, "id-ok", SUB_DEV);
    let vault = format!(
        "{}/providers/Microsoft.KeyVault/vaults/kv1",
        rg(SUB_DEV, "rg")
    );
    b.grant(ok, "Key Vault Secrets Officer", &vault);
    let e = run(&b.done());
    assert_eq!(hits(&e, "NHI-P-005", "id-kv")[0].severity, Severity::High);
    assert_eq!(
        hits(&e, "NHI-P-005", "id-user")[0].severity,
        Severity::Medium
    );
    assert!(hits(&e, "NHI-P-005", "id-ok").is_empty());
}

#[test]
fn p006_breadth_of_write_reach() {
    let mut b = B::new(ALL);
    let wide = b.identity(
        IdentityKind::UserAssignedManagedIdentity,
        "id-wide",
        SUB_DEV,
    );
    for s in ["s1", "s2", "s3"] {
        b.grant(wide, "AcrPush", &rg(s, "rg"));
    }
    let narrow = b.identity(
        IdentityKind::UserAssignedManagedIdentity,
        "id-narrow",
        SUB_DEV,
    );
    b.grant(narrow, "AcrPush", &rg("s1", "rg"));
    b.grant(narrow, "AcrPush", &rg("s2", "rg"));
    b.grant(narrow, "Reader", &rg("s3", "rg"));
    let e = run(&b.done());
    assert_eq!(
        hits(&e, "NHI-P-006", "id-wide")[0].severity,
        Severity::Medium
    );
    assert!(hits(&e, "NHI-P-006", "id-narrow").is_empty());
}

#[test]
fn not_evaluated_checks_name_the_missing_export_and_never_pass() {
    let mut b = B::new(&["az-role-assignments"]);
    let ix = b.identity(IdentityKind::UserAssignedManagedIdentity, "id-a", SUB_DEV);
    b.grant(ix, "Reader", &sub(SUB_DEV));
    let e = run(&b.done());
    for id in [
        "NHI-P-004",
        "NHI-P-007",
        "NHI-G-002",
        "NHI-C-007",
        "NHI-C-008",
        "NHI-I-005",
        "NHI-C-001",
        "NHI-L-003",
    ] {
        let run = e.checks.iter().find(|c| c.check_id == id).expect("check");
        assert_eq!(run.status, CheckStatus::NotEvaluated, "{id}");
        assert!(
            !run.missing.is_empty() && !run.missing_exports.is_empty(),
            "{id}"
        );
        assert_eq!(run.applicable, 0);
    }
    assert_eq!(status(&e, "NHI-P-001"), CheckStatus::Partial);
    // A control whose checks are all not evaluated is "not assessed", never 100.
    let csf = e
        .posture
        .frameworks
        .iter()
        .find(|f| f.key == "nist-csf-2.0")
        .expect("csf");
    let de = csf
        .controls
        .iter()
        .find(|c| c.control == "DE.CM-06")
        .expect("DE.CM-06");
    assert_eq!(de.score, None);
    assert_eq!(de.status, crate::score::PostureStatus::NotAssessed);
}

#[test]
fn l001_orphaned_assignments_and_certainty() {
    let mut b = B::new(ALL);
    let ghost = Guid(0xdead);
    b.grant_to(
        GrantPrincipal::Unresolved,
        Some(ghost),
        "Owner",
        &sub(SUB_DEV),
    );
    b.grant_to(
        GrantPrincipal::Unresolved,
        Some(ghost),
        "Reader",
        &sub(SUB_DEV),
    );
    b.grant_to(
        GrantPrincipal::Other,
        Some(Guid(0xbeef)),
        "Owner",
        &sub(SUB_DEV),
    );
    let ix = b.identity(IdentityKind::UserAssignedManagedIdentity, "id-a", SUB_DEV);
    b.grant(ix, "Reader", &sub(SUB_DEV));
    let s = b.done();
    let e = run(&s);
    let name = ghost.to_string();
    let h = hits(&e, "NHI-L-001", &name);
    assert_eq!(h.len(), 2);
    assert_eq!(h[0].severity, Severity::Critical);
    assert_eq!(h[1].severity, Severity::High);
    assert!(h.iter().all(|f| f.certain));
    assert_eq!(
        e.findings
            .iter()
            .filter(|f| f.check_id == "NHI-L-001")
            .count(),
        2
    );
    // Without a service-principal export the finding says it could not be sure.
    let mut b2 = B::new(&["az-role-assignments", "az-user-assigned-identities"]);
    b2.grant_to(
        GrantPrincipal::Unresolved,
        Some(ghost),
        "Reader",
        &sub(SUB_DEV),
    );
    let e = run(&b2.done());
    let h = hits(&e, "NHI-L-001", &name);
    assert!(!h[0].certain && h[0].caveat.is_some());
}

#[test]
fn l002_orphan_uami() {
    let mut b = B::new(ALL);
    let orphan = b.identity(
        IdentityKind::UserAssignedManagedIdentity,
        "id-orphan",
        SUB_DEV,
    );
    b.grant(orphan, "Contributor", &rg(SUB_DEV, "rg"));
    let bare = b.identity(
        IdentityKind::UserAssignedManagedIdentity,
        "id-bare",
        SUB_DEV,
    );
    let used = b.identity(
        IdentityKind::UserAssignedManagedIdentity,
        "id-used",
        SUB_DEV,
    );
    let fed = b.identity(IdentityKind::UserAssignedManagedIdentity, "id-fed", SUB_DEV);
    b.fed(
        fed,
        "https://token.actions.githubusercontent.com",
        Some("repo:o/r:environment:prod"),
        None,
    );
    b.workload("app1", SUB_DEV, None, &[used]);
    let _ = bare;
    let e = run(&b.done());
    assert_eq!(
        hits(&e, "NHI-L-002", "id-orphan")[0].severity,
        Severity::High
    );
    assert_eq!(hits(&e, "NHI-L-002", "id-bare")[0].severity, Severity::Low);
    assert!(hits(&e, "NHI-L-002", "id-used").is_empty());
    assert!(hits(&e, "NHI-L-002", "id-fed").is_empty());
}

#[test]
fn l003_l004_stale_and_never_used() {
    let mut b = B::new(ALL);
    let stale = b.identity(
        IdentityKind::ApplicationServicePrincipal,
        "sp-stale",
        SUB_DEV,
    );
    b.grant(stale, "Reader", &sub(SUB_DEV));
    b.signed_in(stale, Some(200), None);
    let fresh = b.identity(
        IdentityKind::ApplicationServicePrincipal,
        "sp-fresh",
        SUB_DEV,
    );
    b.grant(fresh, "Reader", &sub(SUB_DEV));
    b.signed_in(fresh, Some(10), None);
    let never = b.identity(
        IdentityKind::ApplicationServicePrincipal,
        "sp-never",
        SUB_DEV,
    );
    let young = b.identity(
        IdentityKind::ApplicationServicePrincipal,
        "sp-young",
        SUB_DEV,
    );
    b.s.identities[young as usize].created = Some(NOW - 5 * DAY);
    let e = run(&b.done());
    assert_eq!(
        hits(&e, "NHI-L-003", "sp-stale")[0].severity,
        Severity::Medium
    );
    assert!(hits(&e, "NHI-L-003", "sp-fresh").is_empty());
    assert_eq!(hits(&e, "NHI-L-004", "sp-never").len(), 1);
    assert!(hits(&e, "NHI-L-004", "sp-young").is_empty());
    assert!(hits(&e, "NHI-L-004", "sp-stale").is_empty());
    let _ = never;
}

#[test]
fn l005_l006_disabled_and_dangling() {
    let mut b = B::new(ALL);
    let off = b.identity(IdentityKind::ApplicationServicePrincipal, "sp-off", SUB_DEV);
    b.s.identities[off as usize].enabled = Some(false);
    b.grant(off, "Reader", &sub(SUB_DEV));
    let off_bare = b.identity(
        IdentityKind::ApplicationServicePrincipal,
        "sp-off-bare",
        SUB_DEV,
    );
    b.s.identities[off_bare as usize].enabled = Some(false);
    let gone = b.identity(
        IdentityKind::SystemAssignedManagedIdentity,
        "func-gone",
        SUB_DEV,
    );
    let host = b.sym(&format!(
        "{}/providers/Microsoft.Web/sites/func-gone",
        rg(SUB_DEV, "rg-w")
    ));
    b.s.identities[gone as usize].host_resource_id = Some(host);
    let alive = b.identity(IdentityKind::SystemAssignedManagedIdentity, "app1", SUB_DEV);
    b.workload("app1", SUB_DEV, None, &[]);
    let host = b.sym(&format!(
        "/subscriptions/{SUB_DEV}/resourceGroups/rg-w/providers/Microsoft.Web/sites/app1"
    ));
    b.s.identities[alive as usize].host_resource_id = Some(host);
    let e = run(&b.done());
    assert_eq!(hits(&e, "NHI-L-005", "sp-off")[0].severity, Severity::Low);
    assert!(hits(&e, "NHI-L-005", "sp-off-bare").is_empty());
    let dangling = hits(&e, "NHI-L-006", "func-gone");
    assert_eq!(dangling.len(), 1);
    assert!(dangling[0].certain);
    assert!(hits(&e, "NHI-L-006", "app1").is_empty());
}

#[test]
fn g001_g003_g004_governance() {
    let mut b = B::new(ALL);
    let none = b.identity(IdentityKind::UserAssignedManagedIdentity, "id-x", SUB_DEV);
    b.grant(none, "Reader", &sub(SUB_DEV));
    let owned = b.identity(
        IdentityKind::UserAssignedManagedIdentity,
        "id-owned",
        SUB_DEV,
    );
    b.tag(owned, "Owner", "team-a");
    b.tag(owned, "env", "prod");
    let team = b.identity(
        IdentityKind::UserAssignedManagedIdentity,
        "id-team",
        SUB_DEV,
    );
    b.tag(team, "squad", "b");
    let app = b.identity(
        IdentityKind::ApplicationServicePrincipal,
        "app-owned",
        SUB_DEV,
    );
    let o = b.sym("alice@contoso.com");
    b.s.identities[app as usize].owners.push(Owner {
        id: None,
        name: Some(o),
        kind: OwnerKind::User,
    });
    let inferred = b.identity(
        IdentityKind::UserAssignedManagedIdentity,
        "id-seen-only",
        SUB_DEV,
    );
    b.s.identities[inferred as usize].inferred = true;
    let s = b.done();
    let e = run(&s);
    assert_eq!(hits(&e, "NHI-G-001", "id-x")[0].severity, Severity::Medium);
    assert!(hits(&e, "NHI-G-001", "id-owned").is_empty());
    assert!(hits(&e, "NHI-G-001", "app-owned").is_empty());
    assert_eq!(hits(&e, "NHI-G-001", "id-team")[0].severity, Severity::Low);
    // Owner tag keys are configurable.
    let policy = Policy {
        owner_tag_keys: vec!["squad".into()],
        ..Policy::default()
    };
    assert!(hits(&run_with(&s, &policy), "NHI-G-001", "id-team").is_empty());
    assert_eq!(hits(&e, "NHI-G-003", "id-x").len(), 1);
    assert!(hits(&e, "NHI-G-003", "id-owned").is_empty());
    assert_eq!(
        hits(&e, "NHI-G-004", "id-seen-only")[0].severity,
        Severity::Info
    );
    assert!(hits(&e, "NHI-G-004", "id-x").is_empty());
}

impl B {
    /// A user of the directory (Graph `users`), with `accountEnabled` when given.
    fn user(&mut self, upn: &str, enabled: Option<bool>) -> Guid {
        let id = self.guid();
        let name = self.sym(upn);
        let record = self.s.principals.len() as u64;
        self.s.principals.push(crate::model::DirectoryPrincipal {
            kind: crate::model::DirectoryPrincipalKind::User,
            id: Some(id),
            display_name: None,
            user_principal_name: Some(name),
            mail: Some(name),
            enabled,
            provenance: Provenance {
                file: 0,
                record,
                line: 0,
            },
        });
        id
    }

    /// A user-assigned identity in the dev subscription with one tag.
    fn tagged_uami(&mut self, name: &str, key: &str, value: &str) -> u32 {
        let ix = self.identity(IdentityKind::UserAssignedManagedIdentity, name, SUB_DEV);
        self.tag(ix, key, value);
        ix
    }

    fn owner(&mut self, ix: u32, id: Option<Guid>, name: Option<&str>, kind: OwnerKind) {
        let name = name.map(|n| self.sym(n));
        self.s.identities[ix as usize]
            .owners
            .push(Owner { id, name, kind });
    }
}

#[test]
fn g002_owner_gone_or_disabled() {
    let mut formats = ALL.to_vec();
    formats.push("graph-users");
    let mut b = B::new(&formats);
    let active = b.user("ada@contoso.com", Some(true));
    let left = b.user("bob@contoso.com", Some(false));
    let deleted = b.guid(); // never among the users

    // Negative: one of two owners is active.
    let mixed = b.identity(
        IdentityKind::ApplicationServicePrincipal,
        "app-mixed",
        SUB_DEV,
    );
    b.owner(mixed, Some(left), Some("bob@contoso.com"), OwnerKind::User);
    b.owner(
        mixed,
        Some(active),
        Some("ada@contoso.com"),
        OwnerKind::User,
    );
    // Positive: the only owner is disabled.
    let orphan = b.identity(
        IdentityKind::ApplicationServicePrincipal,
        "app-left",
        SUB_DEV,
    );
    b.owner(orphan, Some(left), Some("bob@contoso.com"), OwnerKind::User);
    // Positive: the owners are a deleted user (id only) and a disabled service principal.
    let gone = b.identity(
        IdentityKind::ApplicationServicePrincipal,
        "app-gone",
        SUB_DEV,
    );
    let off = b.identity(
        IdentityKind::ApplicationServicePrincipal,
        "app-off",
        SUB_DEV,
    );
    b.s.identities[off as usize].enabled = Some(false);
    let off_id = b.s.identities[off as usize].principal_id;
    b.owner(gone, Some(deleted), None, OwnerKind::User);
    b.owner(gone, off_id, Some("app-off"), OwnerKind::ServicePrincipal);
    b.grant(gone, "Contributor", &sub(SUB_DEV));
    // Owner tags: by address (judged) or a team name (not judged).
    b.tagged_uami("id-left", "owner", "BOB@contoso.com");
    b.tagged_uami("id-ok", "owner", "ada@contoso.com");
    b.tagged_uami("id-team", "owner", "team-payments");
    b.tagged_uami("id-list", "owner", "payments@contoso.com");
    let s = b.done();
    let e = run(&s);
    assert_eq!(status(&e, "NHI-G-002"), CheckStatus::Evaluated);
    assert!(hits(&e, "NHI-G-002", "app-mixed").is_empty());
    let left_hit = hits(&e, "NHI-G-002", "app-left");
    assert_eq!(left_hit.len(), 1);
    assert_eq!(left_hit[0].severity, Severity::Medium);
    assert!(
        left_hit[0]
            .message
            .contains("bob@contoso.com (account disabled)"),
        "{}",
        left_hit[0].message
    );
    // The disabled user's own record is part of the evidence.
    assert!(left_hit[0].evidence.iter().any(|ev| {
        ev.record_kind == "user"
            && ev
                .fields
                .iter()
                .any(|f| f.name == "accountEnabled" && f.value == "false")
    }));
    let gone_hit = hits(&e, "NHI-G-002", "app-gone");
    assert_eq!(gone_hit.len(), 1);
    assert!(
        gone_hit[0]
            .message
            .contains("none of its 2 owners is active"),
        "{}",
        gone_hit[0].message
    );
    assert!(
        gone_hit[0].message.contains("service principal disabled"),
        "{}",
        gone_hit[0].message
    );
    assert!(
        gone_hit[0].message.contains(&deleted.to_string()),
        "{}",
        gone_hit[0].message
    );
    assert_eq!(hits(&e, "NHI-G-002", "id-left").len(), 1);
    assert!(hits(&e, "NHI-G-002", "id-ok").is_empty());
    assert!(hits(&e, "NHI-G-002", "id-team").is_empty());
    // An address that is no user may be a team: reported, but not certain without the groups export.
    let list = hits(&e, "NHI-G-002", "id-list");
    assert_eq!(list.len(), 1);
    assert!(!list[0].certain);
    // The remediation plan proposes the transfer of ownership and re-scores it.
    let plan = crate::remediate::plan(&s, &Policy::default(), NOW, &e);
    assert!(
        plan.actions
            .iter()
            .any(|a| a.checks.iter().any(|c| c == "NHI-G-002")
                && a.description.contains("Transfer ownership"))
    );

    // Without the users export the check is not evaluated, and never passes.
    let mut b = B::new(ALL);
    let app = b.identity(
        IdentityKind::ApplicationServicePrincipal,
        "app-left",
        SUB_DEV,
    );
    b.owner(app, None, Some("bob@contoso.com"), OwnerKind::User);
    let e = run(&b.done());
    assert_eq!(status(&e, "NHI-G-002"), CheckStatus::NotEvaluated);
    assert!(hits(&e, "NHI-G-002", "app-left").is_empty());
}

#[test]
fn c008_secret_used_by_an_azure_resource_that_could_use_a_managed_identity() {
    let mut b = B::new(ALL);
    // Positive: an AKS cluster signs in as the app, which has an active secret.
    let legacy = b.identity(IdentityKind::ApplicationServicePrincipal, "aks-sp", SUB_DEV);
    b.cred(legacy, CredentialKind::Secret, 30, Some(300));
    let cluster = b.workload("aks-legacy", SUB_DEV, Some("dev"), &[]);
    b.s.workloads[cluster as usize].app_credential = b.s.identities[legacy as usize].client_id;
    // Negative: consumed by a resource, but its only secret has expired (NHI-C-004's business, not this one).
    let expired = b.identity(
        IdentityKind::ApplicationServicePrincipal,
        "aks-sp-old",
        SUB_DEV,
    );
    b.cred(expired, CredentialKind::Secret, 400, Some(-10));
    let old_cluster = b.workload("aks-old", SUB_DEV, Some("dev"), &[]);
    b.s.workloads[old_cluster as usize].app_credential = b.s.identities[expired as usize].client_id;
    // Negative: a secret, but no Azure resource signs in with it.
    let elsewhere = b.identity(IdentityKind::ApplicationServicePrincipal, "ci-sp", SUB_DEV);
    b.cred(elsewhere, CredentialKind::Secret, 30, Some(300));
    let s = b.done();
    let e = run(&s);
    assert_eq!(status(&e, "NHI-C-008"), CheckStatus::Evaluated);
    let hit = hits(&e, "NHI-C-008", "aks-sp");
    assert_eq!(hit.len(), 1);
    assert!(hit[0].message.contains("aks-legacy"), "{}", hit[0].message);
    assert_eq!(hit[0].refs.credentials.len(), 1);
    assert!(hit[0].evidence.iter().any(|ev| {
        ev.record_kind == "resource"
            && ev
                .fields
                .iter()
                .any(|f| f.name == "properties.servicePrincipalProfile.clientId")
    }));
    assert!(hits(&e, "NHI-C-008", "aks-sp-old").is_empty());
    assert!(hits(&e, "NHI-C-008", "ci-sp").is_empty());
    // The plan replaces the secret, re-scored.
    let plan = crate::remediate::plan(&s, &Policy::default(), NOW, &e);
    assert!(
        plan.actions
            .iter()
            .any(|a| a.checks.iter().any(|c| c == "NHI-C-008"))
    );

    // Without the resources export it is not evaluated.
    let e = run(&B::new(&["graph-service-principals"]).done());
    assert_eq!(status(&e, "NHI-C-008"), CheckStatus::NotEvaluated);
}

impl B {
    /// A user-assigned identity in `sub` holding `role` at `scope`.
    fn uami_granted(&mut self, name: &str, sub: &str, role: &str, scope: &str) -> u32 {
        let ix = self.identity(IdentityKind::UserAssignedManagedIdentity, name, sub);
        self.grant(ix, role, scope);
        ix
    }

    /// An activity-log operation of identity `ix`, `days_ago` before the audit date.
    fn op(&mut self, ix: u32, action: &str, scope: &str, days_ago: i64, failed: bool) {
        let action = self.sym(action);
        let scope = self.sym(scope);
        self.s.operations.push(crate::model::Operation {
            identity: ix,
            action,
            scope,
            at: NOW - days_ago * DAY,
            failed,
            provenance: prov(0),
        });
    }

    /// The activity log covers `sub` from `days` before the audit date.
    fn log_covers(&mut self, sub: &str, days: i64) {
        self.s.log_coverage.push(crate::model::LogCoverage {
            subscription: sub.to_ascii_lowercase(),
            first: NOW - days * DAY,
            last: NOW,
            events: 100,
        });
    }
}

#[test]
fn p007_write_grants_not_exercised_in_the_activity_log() {
    let mut formats = ALL.to_vec();
    formats.push("az-activity-log");
    let mut b = B::new(&formats);
    b.log_covers(SUB_PROD, 90);
    let web = format!(
        "{}/providers/Microsoft.Web/sites/web1",
        rg(SUB_PROD, "rg-a")
    );
    // Negative: a write under its scope 10 days ago.
    let used = b.uami_granted("id-used", SUB_PROD, "Contributor", &sub(SUB_PROD));
    b.op(used, "Microsoft.Web/sites/write", &web, 10, false);
    // Positive: the last write was 120 days ago; a failed attempt does not count.
    let idle = b.uami_granted("id-idle", SUB_PROD, "Contributor", &sub(SUB_PROD));
    b.op(idle, "Microsoft.Web/sites/write", &web, 120, false);
    b.op(idle, "Microsoft.Web/sites/write", &web, 5, true);
    // Positive: writes, but in another resource group than the grant's.
    let aside = b.uami_granted("id-aside", SUB_PROD, "Contributor", &rg(SUB_PROD, "rg-b"));
    b.op(aside, "Microsoft.Web/sites/write", &web, 3, false);
    // Positive: a custom role that allows storage only; the identity only wrote web sites.
    let scope = sub(SUB_PROD);
    b.role(
        "Storage Writer",
        Some(&["Microsoft.Storage/*"]),
        &[scope.as_str()],
    );
    let narrow = b.uami_granted("id-narrow", SUB_PROD, "Storage Writer", &sub(SUB_PROD));
    b.op(narrow, "Microsoft.Web/sites/write", &web, 3, false);
    // Negative: the same custom role, used.
    let storage = b.uami_granted("id-storage", SUB_PROD, "Storage Writer", &sub(SUB_PROD));
    b.op(
        storage,
        "Microsoft.Storage/storageAccounts/write",
        &format!(
            "{}/providers/Microsoft.Storage/storageAccounts/st1",
            rg(SUB_PROD, "rg-a")
        ),
        30,
        false,
    );
    // Not judged: a read-only role (reads are not logged), and a subscription the log does not cover.
    b.uami_granted("id-reader", SUB_PROD, "Reader", &sub(SUB_PROD));
    let dev = b.identity(IdentityKind::UserAssignedManagedIdentity, "id-dev", SUB_DEV);
    b.grant(dev, "Contributor", &sub(SUB_DEV));
    let s = b.done();
    let e = run(&s);
    assert_eq!(status(&e, "NHI-P-007"), CheckStatus::Evaluated);
    assert!(hits(&e, "NHI-P-007", "id-used").is_empty());
    let idle_hit = hits(&e, "NHI-P-007", "id-idle");
    assert_eq!(idle_hit.len(), 1);
    assert_eq!(
        idle_hit[0].severity,
        Severity::High,
        "Contributor is privileged"
    );
    assert!(idle_hit[0].certain);
    assert_eq!(idle_hit[0].refs.grants.len(), 1);
    assert_eq!(hits(&e, "NHI-P-007", "id-aside").len(), 1);
    assert_eq!(hits(&e, "NHI-P-007", "id-narrow").len(), 1);
    assert!(hits(&e, "NHI-P-007", "id-storage").is_empty());
    assert!(hits(&e, "NHI-P-007", "id-reader").is_empty());
    assert!(hits(&e, "NHI-P-007", "id-dev").is_empty());
    // The plan removes the unused grant, re-scored.
    let plan = crate::remediate::plan(&s, &Policy::default(), NOW, &e);
    assert!(
        plan.actions
            .iter()
            .any(|a| a.checks.iter().any(|c| c == "NHI-P-007"))
    );
    // A longer window (policy) reaches the 120-day-old write.
    let policy = Policy {
        thresholds: crate::policy::Thresholds {
            unused_grant_days: 150,
            ..Default::default()
        },
        ..Policy::default()
    };
    let e150 = run_with(&s, &policy);
    assert!(hits(&e150, "NHI-P-007", "id-idle").is_empty());

    // A log shorter than the window: the finding is uncertain.
    let mut b = B::new(&formats);
    b.log_covers(SUB_PROD, 20);
    b.uami_granted("id-idle", SUB_PROD, "Contributor", &sub(SUB_PROD));
    let e = run(&b.done());
    assert!(!hits(&e, "NHI-P-007", "id-idle")[0].certain);

    // Without an activity log, not evaluated.
    let mut b = B::new(ALL);
    b.uami_granted("id-idle", SUB_PROD, "Contributor", &sub(SUB_PROD));
    let e = run(&b.done());
    assert_eq!(status(&e, "NHI-P-007"), CheckStatus::NotEvaluated);
}

#[test]
fn credential_checks() {
    let mut b = B::new(ALL);
    let bad = b.identity(
        IdentityKind::ApplicationServicePrincipal,
        "app-bad",
        SUB_DEV,
    );
    b.cred(bad, CredentialKind::Secret, 200, Some(3000)); // C-001, C-002, C-003
    b.cred(bad, CredentialKind::Certificate, 40, Some(20)); // C-005, C-006 (overlap with the secret: 60 days)
    b.cred(bad, CredentialKind::Secret, 500, Some(-30)); // C-004
    let good = b.identity(
        IdentityKind::ApplicationServicePrincipal,
        "app-good",
        SUB_DEV,
    );
    b.cred(good, CredentialKind::Certificate, 30, Some(60));
    let rotating = b.identity(
        IdentityKind::ApplicationServicePrincipal,
        "app-rotating",
        SUB_DEV,
    );
    b.cred(rotating, CredentialKind::Certificate, 80, Some(10));
    b.cred(rotating, CredentialKind::Certificate, 5, Some(170));
    let abandoned = b.identity(
        IdentityKind::ApplicationServicePrincipal,
        "app-abandoned",
        SUB_DEV,
    );
    b.cred(abandoned, CredentialKind::Secret, 400, Some(-10));
    b.grant(abandoned, "Reader", &sub(SUB_DEV));
    let mi = b.identity(IdentityKind::UserAssignedManagedIdentity, "id-mi", SUB_DEV);
    let _ = mi;
    let e = run(&b.done());
    for id in [
        "NHI-C-001",
        "NHI-C-002",
        "NHI-C-003",
        "NHI-C-004",
        "NHI-C-005",
        "NHI-C-006",
    ] {
        assert_eq!(hits(&e, id, "app-bad").len(), 1, "{id} positive");
        assert!(hits(&e, id, "app-good").is_empty(), "{id} negative");
        assert!(
            hits(&e, id, "id-mi").is_empty(),
            "{id} never on managed identities"
        );
    }
    assert_eq!(hits(&e, "NHI-C-006", "app-bad")[0].severity, Severity::Low);
    assert!(
        hits(&e, "NHI-C-006", "app-rotating").is_empty(),
        "overlap ≤ 30 days tolerated"
    );
    assert_eq!(
        hits(&e, "NHI-C-004", "app-abandoned")[0].severity,
        Severity::Medium
    );
    assert_eq!(hits(&e, "NHI-C-004", "app-bad")[0].severity, Severity::Low);
    assert_eq!(hits(&e, "NHI-C-005", "app-bad")[0].severity, Severity::Info);
}

#[test]
fn federation_checks() {
    const GH: &str = "https://token.actions.githubusercontent.com";
    let mut b = B::new(ALL);
    let wild = b.identity(
        IdentityKind::UserAssignedManagedIdentity,
        "id-wild",
        SUB_DEV,
    );
    b.fed(
        wild,
        GH,
        None,
        Some("claims['sub'] matches 'repo:contoso/*'"),
    );
    let pr = b.identity(IdentityKind::UserAssignedManagedIdentity, "id-pr", SUB_DEV);
    b.fed(pr, GH, Some("repo:contoso/app:pull_request"), None);
    let pinned = b.identity(
        IdentityKind::UserAssignedManagedIdentity,
        "id-pinned-prod",
        SUB_DEV,
    );
    b.fed(pinned, GH, Some("repo:contoso/app:environment:prod"), None);
    let cross = b.identity(
        IdentityKind::UserAssignedManagedIdentity,
        "id-web-prod",
        SUB_DEV,
    );
    b.fed(cross, GH, Some("repo:contoso/web:environment:prod"), None);
    b.fed(cross, GH, Some("repo:contoso/web:environment:dev"), None);
    let http = b.identity(
        IdentityKind::UserAssignedManagedIdentity,
        "id-jenkins",
        SUB_DEV,
    );
    b.fed(http, "http://jenkins.local/oidc", Some("job/deploy"), None);
    let aks = b.identity(IdentityKind::UserAssignedManagedIdentity, "id-aks", SUB_DEV);
    b.fed(
        aks,
        "https://westeurope.oic.prod-aks.azure.com/t/gone/",
        Some("system:serviceaccount:a:b"),
        None,
    );
    let live = b.identity(
        IdentityKind::UserAssignedManagedIdentity,
        "id-aks-live",
        SUB_DEV,
    );
    b.fed(
        live,
        "https://westeurope.oic.prod-aks.azure.com/t/live/",
        Some("system:serviceaccount:a:c"),
        None,
    );
    let w = b.workload("aks1", SUB_DEV, None, &[]);
    let issuer = b.sym("https://westeurope.oic.prod-aks.azure.com/t/live/");
    b.s.workloads[w as usize].oidc_issuer = Some(issuer);
    let e = run(&b.done());
    assert_eq!(
        hits(&e, "NHI-F-001", "id-wild")[0].severity,
        Severity::Critical
    );
    assert_eq!(hits(&e, "NHI-F-001", "id-pr")[0].severity, Severity::High);
    assert!(hits(&e, "NHI-F-001", "id-pinned-prod").is_empty());
    assert_eq!(hits(&e, "NHI-F-003", "id-web-prod").len(), 1);
    assert!(hits(&e, "NHI-F-003", "id-pinned-prod").is_empty());
    assert_eq!(hits(&e, "NHI-F-002", "id-jenkins").len(), 1);
    assert!(hits(&e, "NHI-F-002", "id-pinned-prod").is_empty());
    assert!(hits(&e, "NHI-F-002", "id-aks-live").is_empty());
    assert_eq!(hits(&e, "NHI-F-004", "id-aks").len(), 1);
    assert!(hits(&e, "NHI-F-004", "id-aks-live").is_empty());
}

#[test]
fn isolation_and_human_use() {
    let mut b = B::new(ALL);
    let shared = b.identity(
        IdentityKind::UserAssignedManagedIdentity,
        "id-shared",
        SUB_DEV,
    );
    let single = b.identity(
        IdentityKind::UserAssignedManagedIdentity,
        "id-single",
        SUB_DEV,
    );
    for i in 0..11 {
        b.workload(&format!("w{i}"), SUB_DEV, Some("dev"), &[shared]);
    }
    b.workload("solo", SUB_DEV, Some("dev"), &[single]);
    let span = b.identity(
        IdentityKind::UserAssignedManagedIdentity,
        "id-span",
        SUB_DEV,
    );
    b.workload("dev-vm", SUB_DEV, Some("dev"), &[span]);
    b.workload("prod-vm", SUB_PROD, Some("prod"), &[span]);
    b.grant(span, "Reader", &sub("s3"));
    let vendor = b.identity(
        IdentityKind::ApplicationServicePrincipal,
        "acme-backup",
        SUB_DEV,
    );
    b.s.identities[vendor as usize].app_owner_organization_id = Some(Guid(0x9999));
    b.grant(vendor, "Contributor", &sub(SUB_DEV));
    let vendor_ro = b.identity(
        IdentityKind::ApplicationServicePrincipal,
        "acme-reader",
        SUB_DEV,
    );
    b.s.identities[vendor_ro as usize].app_owner_organization_id = Some(Guid(0x9999));
    b.grant(vendor_ro, "Reader", &sub(SUB_DEV));
    let human = b.identity(
        IdentityKind::ApplicationServicePrincipal,
        "sp-human",
        SUB_DEV,
    );
    b.grant(human, "Reader", &sub(SUB_DEV));
    b.signed_in(human, Some(1), Some(3));
    let robot = b.identity(
        IdentityKind::ApplicationServicePrincipal,
        "sp-robot",
        SUB_DEV,
    );
    b.grant(robot, "Reader", &sub(SUB_DEV));
    b.signed_in(robot, Some(1), None);
    let operated = b.identity(
        IdentityKind::UserAssignedManagedIdentity,
        "id-operated",
        SUB_DEV,
    );
    b.grant(operated, "Owner", &rg(SUB_DEV, "rg-x"));
    let g = b.grant_to(
        GrantPrincipal::Other,
        Some(Guid(0xa11ce)),
        "Managed Identity Operator",
        &rg(SUB_DEV, "rg-app"),
    );
    let user = b.sym("User");
    b.s.grants[g as usize].principal_type = Some(user);
    let e = run(&b.done());
    assert_eq!(
        hits(&e, "NHI-I-001", "id-shared")[0].severity,
        Severity::High
    );
    assert!(hits(&e, "NHI-I-001", "id-single").is_empty());
    assert_eq!(hits(&e, "NHI-I-002", "id-span").len(), 1);
    assert!(hits(&e, "NHI-I-002", "id-shared").is_empty());
    assert_eq!(
        hits(&e, "NHI-I-003", "id-span")[0].severity,
        Severity::Medium
    );
    assert!(hits(&e, "NHI-I-003", "id-single").is_empty());
    assert_eq!(
        hits(&e, "NHI-I-004", "acme-backup")[0].severity,
        Severity::High
    );
    assert!(hits(&e, "NHI-I-004", "acme-reader").is_empty());
    assert_eq!(hits(&e, "NHI-H-001", "sp-human").len(), 1);
    assert!(hits(&e, "NHI-H-001", "sp-robot").is_empty());
    assert_eq!(hits(&e, "NHI-H-001", "id-operated").len(), 1);
}

#[test]
fn severity_is_raised_for_high_impact_identities() {
    let mut b = B::new(ALL);
    let big = b.identity(
        IdentityKind::ApplicationServicePrincipal,
        "app-big",
        SUB_DEV,
    );
    b.grant(big, "Contributor", &sub(SUB_DEV)); // I = 0.8 × 0.85 = 0.68: not raised
    b.cred(big, CredentialKind::Secret, 10, Some(60));
    let huge = b.identity(
        IdentityKind::ApplicationServicePrincipal,
        "app-huge",
        SUB_DEV,
    );
    b.grant(
        huge,
        "Contributor",
        "/providers/Microsoft.Management/managementGroups/mg",
    ); // 0.76
    b.grant(huge, "Contributor", &sub("s2"));
    b.grant(huge, "Contributor", &sub("s3")); // + 0.05·log2(2) = 0.81
    b.cred(huge, CredentialKind::Secret, 10, Some(60));
    let e = run(&b.done());
    let f = hits(&e, "NHI-C-001", "app-big")[0];
    assert_eq!((f.severity, f.raised), (Severity::Medium, false));
    let f = hits(&e, "NHI-C-001", "app-huge")[0];
    assert_eq!(
        (f.severity, f.raised, f.default_severity),
        (Severity::High, true, Severity::Medium)
    );
}

#[test]
fn waivers_apply_and_expire() {
    let mut b = B::new(ALL);
    let a = b.identity(
        IdentityKind::UserAssignedManagedIdentity,
        "id-platform-a",
        SUB_DEV,
    );
    b.grant(a, "Contributor", &sub(SUB_DEV));
    let c = b.identity(
        IdentityKind::UserAssignedManagedIdentity,
        "id-other",
        SUB_DEV,
    );
    b.grant(c, "Contributor", &sub(SUB_DEV));
    let s = b.done();
    let policy = Policy::from_json(
        br#"{"waivers":[
            {"check_id":"NHI-P-001","identity":"id-platform-*","justification":"platform","approver":"ciso","expires":"2026-12-31"},
            {"check_id":"NHI-P-001","identity":"id-other","justification":"old","approver":"ciso","expires":"2026-10-31"}
        ]}"#,
    )
    .expect("policy");
    let e = run_with(&s, &policy);
    let waived = hits(&e, "NHI-P-001", "id-platform-a")[0];
    assert!(waived.waived);
    assert_eq!(
        waived.waiver.as_ref().map(|w| w.status),
        Some(WaiverStatus::Applied)
    );
    let expired = hits(&e, "NHI-P-001", "id-other")[0];
    assert!(!expired.waived);
    assert_eq!(
        expired.waiver.as_ref().map(|w| w.status),
        Some(WaiverStatus::Expired)
    );
    let run = e
        .checks
        .iter()
        .find(|c| c.check_id == "NHI-P-001")
        .expect("run");
    assert_eq!((run.open_findings, run.waived_findings), (1, 1));
    // The expiry day itself still applies.
    let last_day = evaluate(&s, &policy, NOW - DAY);
    assert!(hits(&last_day, "NHI-P-001", "id-other")[0].waived);
}

fn score_of<'e>(e: &'e Evaluation, name: &str) -> &'e crate::score::IdentityScore {
    e.scores
        .iter()
        .find(|s| s.identity.name == name)
        .expect("score")
}

#[test]
fn scoring_examples_worked_by_hand() {
    let mut b = B::new(ALL);
    // 1. Owner at the root on a clean MI: I = 1.0, L = 0.05 → 100 × 1 × (0.35 + 0.65 × 0.05) = 38.25 → 38.
    let root = b.identity(
        IdentityKind::UserAssignedManagedIdentity,
        "id-root",
        SUB_DEV,
    );
    b.tag(root, "owner", "platform");
    b.grant(root, "Owner", "/");
    b.workload("vm1", SUB_DEV, None, &[root]);
    b.signed_in(root, Some(1), None);
    // 2. Reader on a resource group, no credentials, owned and used: I = 0.1 × 0.6 = 0.06, L = 0.05 → 2.
    let reader = b.identity(
        IdentityKind::UserAssignedManagedIdentity,
        "id-reader",
        SUB_DEV,
    );
    b.tag(reader, "owner", "team");
    b.grant(reader, "Reader", &rg(SUB_DEV, "rg"));
    b.workload("vm2", SUB_DEV, None, &[reader]);
    b.signed_in(reader, Some(1), None);
    // 3. Contributor at a subscription, app with a fresh client secret, owned, used:
    //    I = 0.68; λ₀ = 0.35; C-001 medium: λ = 0.2 × 1.0 (NHI4, Easy) = 0.2;
    //    L = 1 − 0.65 × 0.8 = 0.48 → 100 × 0.68 × (0.35 + 0.312) = 45.016 → 45 (medium band).
    let app = b.identity(
        IdentityKind::ApplicationServicePrincipal,
        "app-contrib",
        SUB_DEV,
    );
    b.tag(app, "owner", "team");
    b.grant(app, "Contributor", &sub(SUB_DEV));
    b.cred(app, CredentialKind::Secret, 10, Some(60));
    b.signed_in(app, Some(1), None);
    // 4. Floor 85: User Access Administrator at a subscription (P-002 critical) with a client secret:
    //    I = 0.85 ≥ 0.8, so C-001 is raised to high: λ = 0.4 × 1.0; L = 1 − 0.65 × 0.6 = 0.61
    //    → 100 × 0.85 × (0.35 + 0.3965) = 63.45 → 63; NHI-P-002 + static credential → 85 (critical band).
    let esc = b.identity(
        IdentityKind::ApplicationServicePrincipal,
        "app-escalate",
        SUB_DEV,
    );
    b.tag(esc, "owner", "team");
    b.grant(esc, "User Access Administrator", &sub(SUB_DEV));
    b.cred(esc, CredentialKind::Secret, 10, Some(60));
    b.signed_in(esc, Some(1), None);
    // 5. Floor 70: wildcard federation (F-001 critical, exposure) on a Reader-at-RG MI:
    //    I = 0.06; λ₀ = 0.10; λ_f = 0.6 × 0.9 (NHI6, Average) = 0.54;
    //    L = 1 − 0.9 × 0.46 = 0.586 → 100 × 0.06 × 0.7309 = 4.4 → 4; floor → 70 (high band).
    let fed = b.identity(
        IdentityKind::UserAssignedManagedIdentity,
        "id-wildfed",
        SUB_DEV,
    );
    b.tag(fed, "owner", "team");
    b.grant(fed, "Reader", &rg(SUB_DEV, "rg"));
    b.fed(
        fed,
        "https://token.actions.githubusercontent.com",
        None,
        Some("claims['sub'] matches 'repo:o/*'"),
    );
    b.signed_in(fed, Some(1), None);
    let mut policy = Policy::default();
    policy.environment.nonprod_name_patterns = vec!["*".into()];
    let e = run_with(&b.done(), &policy);

    let s = score_of(&e, "id-root");
    assert_eq!(s.impact.value, 1.0);
    assert_eq!(s.likelihood.value, 0.05);
    assert_eq!((s.risk, s.band), (38, Band::Medium));
    assert!(s.floors.is_empty(), "privilege findings alone do not floor");

    let s = score_of(&e, "id-reader");
    assert_eq!(s.impact.value, 0.06);
    assert_eq!((s.risk, s.band), (2, Band::Low));

    let s = score_of(&e, "app-contrib");
    assert_eq!(s.impact.value, 0.68);
    assert_eq!(s.likelihood.value, 0.48);
    assert_eq!(s.likelihood.factors.len(), 1);
    assert_eq!((s.risk, s.band), (45, Band::Medium));

    let s = score_of(&e, "app-escalate");
    assert_eq!(s.likelihood.value, 0.61);
    assert_eq!(s.formula_risk, 63);
    assert_eq!((s.risk, s.band), (85, Band::Critical));
    assert_eq!(s.floors[0].minimum, 85);

    let s = score_of(&e, "id-wildfed");
    assert_eq!(s.likelihood.value, 0.586);
    assert_eq!(s.formula_risk, 4);
    assert_eq!((s.risk, s.band), (70, Band::High));

    assert_eq!(Band::of(33), Band::Low);
    assert_eq!(Band::of(34), Band::Medium);
    assert_eq!(Band::of(66), Band::Medium);
    assert_eq!(Band::of(67), Band::High);
    assert_eq!(Band::of(84), Band::High);
    assert_eq!(Band::of(85), Band::Critical);
}

#[test]
fn posture_is_impact_weighted() {
    // P-002 (critical, w 10) on two identities: UAA at sub (I 0.85) unhealthy, Reader at RG (I 0.06) healthy:
    // h = 0.06 / 0.91; P-001 (critical, w 10): unhealthy 0.85 (UAA at sub high). PR.AA-05 mixes more checks, so
    // check the check-level numbers directly.
    let mut b = B::new(ALL);
    let a = b.identity(IdentityKind::UserAssignedManagedIdentity, "id-a", SUB_DEV);
    b.grant(a, "User Access Administrator", &sub(SUB_DEV));
    let r = b.identity(IdentityKind::UserAssignedManagedIdentity, "id-r", SUB_DEV);
    b.grant(r, "Reader", &rg(SUB_DEV, "rg"));
    let e = run(&b.done());
    let p002 = e
        .checks
        .iter()
        .find(|c| c.check_id == "NHI-P-002")
        .expect("run");
    assert_eq!(p002.applicable, 2);
    assert!((p002.applicable_weight - 0.91).abs() < 1e-9);
    assert!((p002.unhealthy_weight - 0.85).abs() < 1e-9);
    assert!(p002.open_critical);
    // AC-6(1) maps only to P-002: score = 100 × 0.06 / 0.91 = 6.6, not satisfied.
    let n = e
        .posture
        .frameworks
        .iter()
        .find(|f| f.key == "nist-sp-800-53r5")
        .expect("800-53");
    let c = n
        .controls
        .iter()
        .find(|c| c.control == "AC-6(1)")
        .expect("AC-6(1)");
    assert_eq!(c.score, Some(6.6));
    assert_eq!(c.status, crate::score::PostureStatus::NotSatisfied);
    assert!(e.posture.tenant.coverage > 0.0 && e.posture.tenant.coverage < 1.0);
}

#[test]
fn remediation_plan_is_computed_by_rescoring() {
    let mut b = B::new(ALL);
    let esc = b.identity(
        IdentityKind::ApplicationServicePrincipal,
        "app-escalate",
        SUB_DEV,
    );
    b.tag(esc, "owner", "team");
    let g = b.grant(esc, "User Access Administrator", &sub(SUB_DEV));
    b.cred(esc, CredentialKind::Secret, 10, Some(60));
    b.signed_in(esc, Some(1), None);
    let s = b.done();
    let policy = Policy::default();
    let e = run_with(&s, &policy);
    let plan = crate::remediate::plan(&s, &policy, NOW, &e);
    assert_eq!(
        plan.tenant_risk,
        u64::from(score_of(&e, "app-escalate").risk)
    );
    let remove = plan
        .actions
        .iter()
        .find(|a| a.kind == crate::remediate::ActionKind::RemoveGrant)
        .expect("remove grant");
    assert_eq!(remove.grants, vec![g]);
    // Without the grant: I = 0.05 (no grants), L = 0.48 → round(100 × 0.05 × 0.662) = 3.
    assert_eq!(remove.risk_after, 3);
    assert_eq!(remove.risk_removed, 82);
    let replace = plan
        .actions
        .iter()
        .find(|a| a.kind == crate::remediate::ActionKind::ReplaceStaticCredentials)
        .expect("replace secret");
    // Federation instead of the secret: λ₀ 0.10, no C findings → L = 0.1; P-002 floor gone → 100 × 0.85 × 0.415 = 35.
    assert_eq!(replace.risk_after, 35);
    assert!(
        plan.actions
            .windows(2)
            .all(|w| w[0].risk_removed >= w[1].risk_removed)
    );
}

/// A generated tenant of the demo's size (seed 7, 300 identities, 1,500 role assignments), as of [`NOW`].
fn generated_tenant() -> Snapshot {
    let files = crate::generate::generate(&crate::generate::GenerateOptions {
        seed: 7,
        identities: 300,
        assignments: 1500,
        as_of_unix: NOW,
    });
    let mut ingest = crate::ingest::Ingest::new(crate::ingest::IngestOptions::default());
    for f in &files {
        ingest.add_file(&f.name, &f.bytes);
    }
    ingest.finish()
}

#[test]
fn demo_tenant_findings() {
    let snap = generated_tenant();
    let e = run(&snap);
    let count = |id: &str| e.findings.iter().filter(|f| f.check_id == id).count();
    assert!(count("NHI-L-001") >= 1);
    for id in [
        "NHI-P-001",
        "NHI-P-002",
        "NHI-P-005",
        "NHI-L-002",
        "NHI-L-003",
        "NHI-L-006",
        "NHI-C-001",
        "NHI-C-002",
        "NHI-F-001",
        "NHI-F-002",
        "NHI-F-003",
        "NHI-F-004",
        "NHI-I-001",
        "NHI-I-002",
        "NHI-I-004",
    ] {
        assert!(count(id) >= 1, "{id} on the demo tenant");
    }
    assert!(
        e.findings
            .iter()
            .any(|f| f.check_id == "NHI-F-001" && f.severity == Severity::Critical)
    );
    assert!(e.scores.iter().any(|s| s.band == Band::Critical));
    // Deterministic.
    let again = run(&snap);
    assert_eq!(
        serde_json::to_string(&e.findings).expect("json"),
        serde_json::to_string(&again.findings).expect("json")
    );
    let plan = crate::remediate::plan(&snap, &Policy::default(), NOW, &e);
    assert!(plan.actions.first().is_some_and(|a| a.risk_removed > 0));
}

/// The default policy with every NHI-C-001 finding waived: scoring must tell waived findings apart.
fn waiving_c001() -> Policy {
    let mut policy = Policy::default();
    policy.waivers.push(crate::policy::Waiver {
        check_id: "NHI-C-001".into(),
        identity: "*".into(),
        justification: "test".into(),
        approver: "test".into(),
        expires: None,
    });
    policy
}

#[test]
fn a_scoring_only_context_scores_as_the_full_one_without_evidence() {
    // The remediation plan re-scores what-ifs in a scoring-only context: each view must get the same findings
    // (check, severity, waiver) and the same risk as in the full context, only without evidence.
    let snap = generated_tenant();
    let policy = waiving_c001();
    let full = Ctx::new(&snap, &policy, NOW);
    let mut scoring = Ctx::new(&snap, &policy, NOW);
    scoring.scoring_only = true;
    let (mut views, mut full_fields, mut scoring_fields) = (0, 0, 0);
    for ix in 0..snap.identities.len() as u32 {
        let mut candidates = vec![View::of(ix)];
        for &g in full.grants_of[ix as usize].iter().take(3) {
            let mut v = View::of(ix);
            v.removed_grants.push(g);
            candidates.push(v);
        }
        let mut v = View::of(ix);
        v.removed_credentials = full.creds_of[ix as usize].to_vec();
        v.assume_federation = true;
        candidates.push(v);
        for view in &candidates {
            let a = evaluate_identity(&full, view);
            let b = evaluate_identity(&scoring, view);
            let key = |e: &IdentityEval| -> Vec<(String, Severity, bool)> {
                e.findings
                    .iter()
                    .map(|f| (f.check_id.to_string(), f.severity, f.waived))
                    .collect()
            };
            assert_eq!(key(&a), key(&b), "identity {ix}");
            assert_eq!(a.impact.value, b.impact.value, "identity {ix}");
            assert_eq!(
                crate::score::risk(&full, view, &a).0,
                crate::score::risk(&scoring, view, &b).0,
                "identity {ix}"
            );
            let fields = |e: &IdentityEval| -> usize {
                e.findings
                    .iter()
                    .flat_map(|f| &f.evidence)
                    .map(|e| e.fields.len())
                    .sum()
            };
            full_fields += fields(&a);
            scoring_fields += fields(&b);
            assert!(
                b.findings
                    .iter()
                    .all(|f| f.evidence.iter().all(|e| e.file.is_empty())),
                "identity {ix}: evidence read from a file in a scoring-only context"
            );
            views += 1;
        }
    }
    // A few checks add a field to the evidence they were given; the records' own fields are all left out.
    assert!(views > 600, "{views} views");
    assert!(
        full_fields > 1000 && scoring_fields * 10 < full_fields,
        "{scoring_fields} fields scoring only, {full_fields} in full"
    );
}

#[test]
fn an_evaluation_of_the_scores_is_the_full_one_without_evidence() {
    // The viewer's dashboard is answered from `evaluate_scores` first: everything but the evidence and the strongest
    // grant's role and scope text must equal the full evaluation's, waivers included.
    let snap = generated_tenant();
    let policy = waiving_c001();
    let mut full = evaluate(&snap, &policy, NOW);
    let mut scores = evaluate_scores(&snap, &policy, NOW);
    assert!(full.findings.len() > 100 && full.findings.iter().any(|f| f.waived));
    assert_eq!(full.findings.len(), scores.findings.len());
    let mut evidence = 0;
    for (f, s) in full.findings.iter_mut().zip(&scores.findings) {
        assert!(
            // (A few checks add a field of their own to the evidence they were given; no record is read.)
            s.evidence.iter().all(|e| e.file.is_empty()),
            "{}: evidence read in an evaluation of the scores",
            f.check_id
        );
        evidence += f.evidence.iter().filter(|e| !e.file.is_empty()).count();
        f.evidence.clone_from(&s.evidence);
    }
    let mut named = 0;
    for score in full.scores.iter_mut().chain(scores.scores.iter_mut()) {
        if let Some(strongest) = &mut score.impact.strongest {
            named += usize::from(!strongest.role.is_empty());
            strongest.role.clear();
            strongest.scope.clear();
        }
    }
    assert!(
        evidence > 100 && named > 50,
        "{evidence} evidence, {named} named"
    );
    assert_eq!(
        serde_json::to_string(&full).expect("json"),
        serde_json::to_string(&scores).expect("json")
    );
}

#[test]
fn lists_keep_each_identitys_items_in_order_and_ignore_unknown_owners() {
    let pairs = [(2, 10), (0, 11), (2, 12), (7, 13), (0, 14), (2, 15)];
    let lists = super::Lists::build(4, pairs.iter().copied());
    assert_eq!(lists.get(0), Some(&[11, 14][..]));
    assert_eq!(lists.get(1), Some(&[][..]));
    assert_eq!(lists.get(2), Some(&[10, 12, 15][..]));
    assert_eq!(lists.get(3), Some(&[][..]));
    assert_eq!(lists.get(4), None);
    assert_eq!(&lists[2], &[10, 12, 15]);
    assert!(lists[9].is_empty());
    let none = super::Lists::build(0, std::iter::empty());
    assert_eq!(none.get(0), None);
}
