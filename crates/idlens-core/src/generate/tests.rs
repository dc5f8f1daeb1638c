//! Tests of the synthetic tenant generator: determinism, the exact az/Graph layouts, the requested counts, and
//! the presence of every scenario the check catalog needs.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::*;

const MICROSOFT: &str = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";

fn opts(seed: u64, identities: usize, assignments: usize) -> GenerateOptions {
    GenerateOptions {
        seed,
        identities,
        assignments,
        as_of_unix: DEMO_AS_OF_UNIX,
    }
}

struct Parsed(HashMap<String, Value>);

impl Parsed {
    fn of(files: &[GeneratedFile]) -> Self {
        let mut map = HashMap::new();
        for f in files {
            let v: Value = serde_json::from_slice(&f.bytes)
                .unwrap_or_else(|e| panic!("{} is not JSON: {e}", f.name));
            map.insert(f.name.clone(), v);
        }
        Self(map)
    }

    fn array(&self, name: &str) -> &[Value] {
        let v = &self.0[name];
        let arr = match name {
            "resources.json" => &v["data"],
            "signin-activity.json" => &v["value"],
            _ => v,
        };
        arr.as_array()
            .map_or_else(|| panic!("{name}: no array"), Vec::as_slice)
    }
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or("")
}

#[test]
fn same_options_give_identical_bytes_and_seeds_differ() {
    let a = generate(&opts(11, 120, 600));
    let b = generate(&opts(11, 120, 600));
    assert_eq!(a, b);
    let c = generate(&opts(12, 120, 600));
    assert_ne!(a, c);
    let names: Vec<&str> = a.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, FILE_NAMES);
}

#[test]
fn streaming_writes_the_same_bytes_as_generate() {
    use std::cell::RefCell;
    use std::rc::Rc;

    type Files = Rc<RefCell<Vec<(String, Vec<u8>)>>>;
    /// A writer that appends to a shared list, so the bytes outlive the writer `generate_to` drops.
    struct Sink(Files);
    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if let Some(last) = self.0.borrow_mut().last_mut() {
                last.1.extend_from_slice(buf);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    let o = opts(3, 80, 400);
    let streamed: Files = Rc::new(RefCell::new(Vec::new()));
    let summary = generate_to(&o, |name| {
        streamed.borrow_mut().push((name.to_owned(), Vec::new()));
        Ok(Sink(Rc::clone(&streamed)))
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let whole: Vec<(String, Vec<u8>)> = generate(&o)
        .into_iter()
        .map(|f| (f.name, f.bytes))
        .collect();
    assert!(*streamed.borrow() == whole);
    assert_eq!(summary.files.len(), FILE_NAMES.len());
    assert_eq!(
        summary
            .files
            .iter()
            .find(|(n, _)| *n == "role-assignments.json")
            .map(|f| f.1),
        Some(400)
    );
}

#[test]
fn files_are_az_layout_json_of_the_promised_shapes() {
    let files = generate(&opts(5, 150, 700));
    for f in &files {
        let v: Value =
            serde_json::from_slice(&f.bytes).unwrap_or_else(|e| panic!("{}: {e}", f.name));
        // az prints json.dumps(indent=2, sort_keys=True) plus a newline; serde_json's pretty printer of the parsed
        // value (keys sorted) is byte-identical to that, so this checks layout and key order at once.
        let again = serde_json::to_string_pretty(&v).unwrap_or_default() + "\n";
        assert!(
            again.as_bytes() == f.bytes.as_slice(),
            "{} is not in az layout",
            f.name
        );
        match f.name.as_str() {
            "resources.json" => {
                let keys: Vec<&str> = v
                    .as_object()
                    .map(|o| o.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                assert_eq!(keys, ["count", "data", "skip_token", "total_records"]);
                assert_eq!(v["count"], v["total_records"]);
                assert_eq!(
                    v["count"].as_u64(),
                    v["data"].as_array().map(|a| a.len() as u64)
                );
            }
            "signin-activity.json" => {
                assert!(
                    s(&v, "@odata.context").ends_with("#reports/servicePrincipalSignInActivities")
                );
                assert!(v["value"].is_array());
            }
            "directory-role-assignments.json" => {
                assert!(
                    s(&v, "@odata.context").ends_with("#roleManagement/directory/roleAssignments")
                );
                assert!(v["value"].is_array());
            }
            "app-role-assignments.json" => {
                assert!(s(&v, "@odata.context").ends_with("/appRoleAssignedTo"));
                assert!(v["value"].is_array());
            }
            "app-credential-signins.json" => {
                assert!(
                    s(&v, "@odata.context").ends_with("#reports/appCredentialSignInActivities")
                );
                let records = v["value"].as_array().map_or(0, Vec::len);
                assert!(records > 0, "some credential usage");
            }
            "users.json" => {
                assert!(s(&v, "@odata.context").contains("#users("));
                let users = v["value"].as_array().expect("users");
                // One person who owns identities has left: disabled; another was deleted (absent).
                assert_eq!(
                    users
                        .iter()
                        .filter(|u| u["accountEnabled"] == serde_json::Value::Bool(false))
                        .count(),
                    1
                );
                assert!(users.iter().all(|u| u["userPrincipalName"].is_string()));
            }
            _ => assert!(v.is_array(), "{} is not a bare array", f.name),
        }
    }
    let p = Parsed::of(&files);
    for ra in p.array("role-assignments.json") {
        for key in ["createdOn", "updatedOn"] {
            let t = s(ra, key);
            assert!(
                t.len() == 32 && t.ends_with("+00:00") && t.as_bytes()[19] == b'.',
                "{key}: {t}"
            );
        }
        let rd = s(ra, "roleDefinitionId");
        assert!(
            rd.starts_with("/subscriptions/")
                && rd.contains("/providers/Microsoft.Authorization/roleDefinitions/")
        );
        let scope = s(ra, "scope");
        assert_eq!(
            ra.get("resourceGroup").is_some(),
            scope.to_ascii_lowercase().contains("/resourcegroups/"),
            "{scope}"
        );
        assert!(s(ra, "id").ends_with(s(ra, "name")));
    }
    for id in p.array("identities.json") {
        assert!(
            s(id, "id").contains("/resourcegroups/"),
            "az identity ids use lower-case resourcegroups"
        );
        assert_eq!(
            s(id, "type"),
            "Microsoft.ManagedIdentity/userAssignedIdentities"
        );
    }
    for sp in p.array("service-principals.json") {
        if s(sp, "servicePrincipalType") == "ManagedIdentity" {
            let alt: Vec<&str> = sp["alternativeNames"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            assert!(
                alt.iter().any(|a| a.starts_with("isExplicit="))
                    && alt.iter().any(|a| a.starts_with("/subscriptions/"))
            );
        }
    }
}

#[test]
fn counts_are_honoured_at_any_size() {
    for (identities, assignments) in [
        (0, 0),
        (0, 5),
        (1, 1),
        (5, 3),
        (12, 0),
        (37, 90),
        (300, 1500),
        (900, 4000),
    ] {
        let p = Parsed::of(&generate(&opts(1, identities, assignments)));
        assert_eq!(
            p.array("role-assignments.json").len(),
            assignments,
            "{identities}/{assignments}"
        );
        let workload = p
            .array("service-principals.json")
            .iter()
            .filter(|sp| s(sp, "appOwnerOrganizationId") != MICROSOFT)
            .count();
        assert_eq!(workload, identities, "{identities}/{assignments}");
        let names: HashSet<&str> = p
            .array("role-assignments.json")
            .iter()
            .map(|r| s(r, "name"))
            .collect();
        assert_eq!(names.len(), assignments, "assignment names are unique");
        let triples: HashSet<(String, String, String)> = p
            .array("role-assignments.json")
            .iter()
            .map(|r| {
                (
                    s(r, "principalId").to_owned(),
                    s(r, "roleDefinitionName").to_owned(),
                    s(r, "scope").to_ascii_lowercase(),
                )
            })
            .collect();
        assert_eq!(
            triples.len(),
            assignments,
            "no duplicate (principal, role, scope)"
        );
    }
}

#[test]
fn demo_sized_tenant_has_every_scenario() {
    let p = Parsed::of(&generate(&GenerateOptions::demo()));
    let sps = p.array("service-principals.json");
    let ras = p.array("role-assignments.json");
    let resources = p.array("resources.json");
    let uamis = p.array("identities.json");
    let known: HashSet<&str> = sps.iter().map(|sp| s(sp, "id")).collect();
    let tenant = s(&uamis[0], "tenantId");

    // Orphan assignments: principal in no export, empty principalName.
    let orphans: Vec<&Value> = ras
        .iter()
        .filter(|r| {
            !known.contains(s(r, "principalId")) && s(r, "principalType") == "ServicePrincipal"
        })
        .collect();
    assert!(!orphans.is_empty() && orphans.iter().all(|r| s(r, "principalName").is_empty()));
    assert!(
        orphans
            .iter()
            .any(|r| s(r, "roleDefinitionName") == "Owner")
    );

    // Attachments, joined case-insensitively as a reader must.
    let mut attached: HashMap<String, Vec<&Value>> = HashMap::new();
    for r in resources {
        if let Some(map) = r["identity"]["userAssignedIdentities"].as_object() {
            for key in map.keys() {
                attached
                    .entry(key.to_ascii_lowercase())
                    .or_default()
                    .push(r);
            }
        }
    }
    assert!(
        attached.values().any(|v| v.len() > 10),
        "a UAMI shared by more than 10 resources"
    );
    assert!(
        uamis
            .iter()
            .any(|u| !attached.contains_key(&s(u, "id").to_ascii_lowercase())),
        "an orphan UAMI"
    );
    let cross_env = attached.values().any(|rs| {
        let envs: HashSet<&str> = rs
            .iter()
            .map(|r| r["tags"]["env"].as_str().unwrap_or(""))
            .collect();
        envs.contains("prod") && envs.iter().any(|e| !e.is_empty() && *e != "prod")
    });
    assert!(cross_env, "a UAMI attached in prod and non-prod");
    let keys_differ = resources.iter().any(|r| {
        r["identity"]["userAssignedIdentities"]
            .as_object()
            .is_some_and(|m| m.keys().any(|k| uamis.iter().all(|u| s(u, "id") != k)))
    });
    assert!(
        keys_differ,
        "userAssignedIdentities keys cased differently from az identity list ids"
    );

    let types: HashSet<&str> = resources
        .iter()
        .map(|r| s(&r["identity"], "type"))
        .collect();
    for t in [
        "SystemAssigned",
        "UserAssigned",
        "SystemAssigned, UserAssigned",
        "SystemAssigned,UserAssigned",
    ] {
        assert!(types.contains(t), "identity type {t:?}");
    }
    let aks = resources
        .iter()
        .find(|r| s(r, "type") == "microsoft.containerservice/managedclusters");
    let aks = aks.unwrap_or_else(|| panic!("an AKS cluster"));
    assert!(aks["properties"]["identityProfile"]["kubeletidentity"]["resourceId"].is_string());
    assert!(s(&aks["properties"]["oidcIssuerProfile"], "issuerURL").starts_with("https://"));

    // Dangling SAMI: host named in alternativeNames but absent from resources.
    let live: HashSet<String> = resources
        .iter()
        .map(|r| s(r, "id").to_ascii_lowercase())
        .collect();
    let dangling = sps.iter().any(|sp| {
        let alt = sp["alternativeNames"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        alt.iter().any(|a| a == "isExplicit=False")
            && alt.iter().filter_map(Value::as_str).any(|a| {
                a.starts_with("/subscriptions/") && !live.contains(&a.to_ascii_lowercase())
            })
    });
    assert!(dangling, "a SAMI whose host resource is gone");

    // Privilege.
    let held = |role: &str, scope: &dyn Fn(&str) -> bool| {
        ras.iter()
            .any(|r| s(r, "roleDefinitionName") == role && scope(s(r, "scope")))
    };
    assert!(held("Owner", &|sc| sc == "/"));
    assert!(held("User Access Administrator", &|sc| sc
        .contains("managementGroups")));
    assert!(held("Contributor", &|sc| sc.matches('/').count() == 2));
    assert!(held("Key Vault Secrets Officer", &|sc| !sc
        .contains("Microsoft.KeyVault")));
    assert!(
        ras.iter()
            .any(|r| r["condition"].is_string() && s(r, "conditionVersion") == "2.0")
    );
    let rg_cases: HashSet<bool> = ras
        .iter()
        .filter(|r| r.get("resourceGroup").is_some())
        .map(|r| s(r, "scope").contains("/resourceGroups/"))
        .collect();
    assert_eq!(
        rg_cases.len(),
        2,
        "both resourceGroups and resourcegroups in scopes"
    );

    // Disabled SP with roles; third-party SP with write access.
    let by_id: HashMap<&str, &Value> = sps.iter().map(|sp| (s(sp, "id"), sp)).collect();
    let principal = |r: &Value| by_id.get(s(r, "principalId")).copied();
    assert!(
        ras.iter()
            .filter_map(principal)
            .any(|sp| sp["accountEnabled"] == false)
    );
    assert!(ras.iter().any(|r| principal(r).is_some_and(|sp| {
        let owner = s(sp, "appOwnerOrganizationId");
        !owner.is_empty() && owner != tenant && owner != MICROSOFT
    }) && s(r, "roleDefinitionName") == "Contributor"));

    // Activity: stale and never used.
    let as_of = "2026-11-01";
    let signins = p.array("signin-activity.json");
    assert!(
        signins
            .iter()
            .any(|v| v["lastSignInActivity"]["lastSignInDateTime"].is_null())
    );
    assert!(
        signins
            .iter()
            .any(|v| s(&v["lastSignInActivity"], "lastSignInDateTime") < "2026-06-01")
    );
    assert!(
        signins.len() < sps.len(),
        "some identities never appear in the report"
    );
    assert!(
        signins
            .iter()
            .all(|v| s(&v["lastSignInActivity"], "lastSignInDateTime") < as_of)
    );

    // Credentials: long-lived, expired, expiring soon, several active.
    let apps = p.array("applications.json");
    let secrets: Vec<(&str, &str)> = apps
        .iter()
        .flat_map(|a| {
            a["passwordCredentials"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
        })
        .map(|c| (s(c, "startDateTime"), s(c, "endDateTime")))
        .collect();
    assert!(
        secrets.iter().any(|(_, end)| *end < as_of),
        "an expired secret"
    );
    assert!(
        secrets
            .iter()
            .any(|(_, end)| *end > as_of && *end < "2026-12-01"),
        "a secret expiring soon"
    );
    assert!(
        secrets.iter().any(|(_, end)| end.starts_with("2299")),
        "a secret that never expires"
    );
    assert!(apps.iter().any(|a| {
        a["passwordCredentials"]
            .as_array()
            .is_some_and(|c| c.iter().filter(|c| s(c, "endDateTime") > as_of).count() >= 2)
    }));

    // Federation.
    let fics = p.array("federated-credentials.json");
    let subjects: Vec<&str> = fics.iter().map(|f| s(f, "subject")).collect();
    assert!(subjects.iter().any(|x| x.ends_with(":ref:refs/heads/main")));
    assert!(subjects.iter().any(|x| x.ends_with(":environment:prod")));
    assert!(subjects.iter().any(|x| x.ends_with(":pull_request")));
    assert!(
        subjects
            .iter()
            .any(|x| x.starts_with("system:serviceaccount:"))
    );
    assert!(
        fics.iter()
            .any(|f| f["subject"].is_null() && f["claimsMatchingExpression"]["value"].is_string())
    );
    assert!(fics.iter().any(|f| !s(f, "issuer").starts_with("https://")));

    // Environments: resources live in several subscriptions, tagged prod and non-prod.
    let resources = p.array("resources.json");
    let subs: std::collections::BTreeSet<&str> =
        resources.iter().map(|r| s(r, "subscriptionId")).collect();
    assert!(
        (3..=8).contains(&subs.len()),
        "subscriptions: {}",
        subs.len()
    );
}

#[test]
fn a_big_tenant_keeps_its_proportions() {
    let p = Parsed::of(&generate(&opts(9, 3000, 15_000)));
    let ras = p.array("role-assignments.json");
    let empty = ras
        .iter()
        .filter(|r| s(r, "principalName").is_empty())
        .count();
    assert!(
        empty > 100 && empty < 600,
        "orphan assignments are a minority: {empty}"
    );
    let owners = ras
        .iter()
        .filter(|r| s(r, "roleDefinitionName") == "Owner")
        .count();
    assert!(owners < ras.len() / 20, "Owner is rare: {owners}");
}

#[test]
fn large_tenants_get_no_activity_log() {
    assert_eq!(
        super::file_names(&opts(1, super::ACTIVITY_LOG_MAX_IDENTITIES, 10)),
        FILE_NAMES
    );
    let big = super::file_names(&opts(1, super::ACTIVITY_LOG_MAX_IDENTITIES + 1, 10));
    assert_eq!(big.len(), FILE_NAMES.len() - 1);
    assert!(!big.contains(&"activity-log.json"));
}
