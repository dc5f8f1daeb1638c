//! Tests of the view-model on the demo tenant (generated, then ingested exactly as the viewer does).

use std::sync::OnceLock;

use super::*;
use crate::generate::{GenerateOptions, generate};
use crate::ingest::{Ingest, IngestOptions};
use crate::model::{Environment, IdentityKind};

fn demo() -> &'static Snapshot {
    static DEMO: OnceLock<Snapshot> = OnceLock::new();
    DEMO.get_or_init(|| {
        let mut ingest = Ingest::new(IngestOptions::default());
        for file in generate(&GenerateOptions::demo()) {
            ingest.add_file(&format!("demo/tenant/{}", file.name), &file.bytes);
        }
        ingest.finish()
    })
}

fn query(sort: IdentityColumn, descending: bool) -> IdentityQuery {
    IdentityQuery {
        sort,
        descending,
        limit: MAX_LIMIT,
        ..IdentityQuery::default()
    }
}

/// Every row of a query, window by window.
fn all_rows(table: &mut IdentityTable, q: &IdentityQuery) -> Vec<IdentityRow> {
    let snap = demo();
    let mut rows = Vec::new();
    let mut q = q.clone();
    q.limit = 97;
    loop {
        q.offset = rows.len();
        let page = table.query(snap, &q);
        if page.rows.is_empty() {
            assert_eq!(rows.len(), page.total);
            return rows;
        }
        rows.extend(page.rows);
    }
}

#[test]
fn demo_tenant_has_a_full_table() {
    let snap = demo();
    let page = identity_page(snap, &query(IdentityColumn::Name, false));
    assert!(page.all >= 300, "{} identities", page.all);
    assert_eq!(page.total, page.all);
    assert_eq!(page.rows.len(), page.all.min(MAX_LIMIT));
    let kinds: usize = page.facets.kinds.iter().map(|(_, n)| n).sum();
    assert_eq!(kinds, page.all);
    assert!(!page.facets.assessed);
}

#[test]
fn sorting_by_name_is_case_insensitive_and_stable() {
    let mut table = IdentityTable::build(demo());
    let rows = all_rows(&mut table, &query(IdentityColumn::Name, false));
    let names: Vec<String> = rows.iter().map(|r| r.name.to_lowercase()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    let again = all_rows(
        &mut IdentityTable::build(demo()),
        &query(IdentityColumn::Name, false),
    );
    assert_eq!(rows, again, "deterministic");
}

#[test]
fn every_column_sorts_both_ways() {
    let snap = demo();
    let mut table = IdentityTable::build(snap);
    for column in IdentityColumn::ALL {
        let up = all_rows(&mut table, &query(column, false));
        let down = all_rows(&mut table, &query(column, true));
        assert_eq!(up.len(), snap.identities.len(), "{column:?}");
        let key = |r: &IdentityRow| -> i64 {
            match column {
                IdentityColumn::Workloads => i64::from(r.workloads),
                IdentityColumn::Grants => i64::from(r.grants),
                IdentityColumn::Credentials => i64::from(r.credentials),
                IdentityColumn::Federations => i64::from(r.federations),
                IdentityColumn::LastSignIn => r.last_sign_in_unix.unwrap_or(i64::MIN),
                IdentityColumn::Tier => r.top_tier.map_or(-1, |t| (t * 1000.0).round() as i64),
                IdentityColumn::Scope => r.widest_scope.map_or(-1, |s| i64::from(scope_breadth(s))),
                _ => 0,
            }
        };
        for pair in up.windows(2) {
            assert!(key(&pair[0]) <= key(&pair[1]), "{column:?} ascending");
        }
        for pair in down.windows(2) {
            assert!(key(&pair[0]) >= key(&pair[1]), "{column:?} descending");
        }
    }
}

/// Azure role assignments plus Entra directory grants of an identity.
fn all_grants(snap: &Snapshot, ix: u32) -> usize {
    snap.grants_of(ix).count()
        + snap
            .directory_grants
            .iter()
            .filter(|d| d.principal == crate::model::GrantPrincipal::Identity(ix))
            .count()
}

#[test]
fn grants_descending_puts_the_busiest_identity_first() {
    let snap = demo();
    let page = identity_page(snap, &query(IdentityColumn::Grants, true));
    let most = (0..snap.identities.len() as u32)
        .map(|i| all_grants(snap, i))
        .max()
        .unwrap_or(0);
    assert!(most > 1);
    assert_eq!(page.rows[0].grants as usize, most);
    // The row's counts agree with the model's own accessors.
    for row in page.rows.iter().take(20) {
        assert_eq!(row.grants as usize, all_grants(snap, row.index));
        assert_eq!(row.workloads as usize, snap.workloads_of(row.index).count());
    }
}

#[test]
fn filters_by_kind_environment_and_text() {
    let snap = demo();
    let mut table = IdentityTable::build(snap);
    let mut q = query(IdentityColumn::Name, false);
    q.kinds = vec![IdentityKind::UserAssignedManagedIdentity];
    let rows = all_rows(&mut table, &q);
    let want = snap
        .identities
        .iter()
        .filter(|i| i.kind == IdentityKind::UserAssignedManagedIdentity)
        .count();
    assert!(want > 0);
    assert_eq!(rows.len(), want);
    assert!(
        rows.iter()
            .all(|r| r.kind == IdentityKind::UserAssignedManagedIdentity)
    );

    q.environments = vec![Environment::Prod];
    let rows = all_rows(&mut table, &q);
    assert!(rows.iter().all(|r| r.environment == Environment::Prod));
    assert!(rows.len() < want);

    // Free text: a name, in another casing, finds that identity; every word must match.
    let target = identity_page(snap, &query(IdentityColumn::Grants, true)).rows[0].clone();
    let mut q = query(IdentityColumn::Name, false);
    q.text = target.name.to_uppercase();
    let rows = all_rows(&mut table, &q);
    assert!(rows.iter().any(|r| r.index == target.index));
    assert!(rows.iter().all(
        |r| r.name.to_lowercase().contains(&target.name.to_lowercase())
            || r.key.contains(&target.name.to_lowercase())
    ));
    q.text = format!("{} no-such-word-anywhere", target.name);
    assert_eq!(table.query(snap, &q).total, 0);
    // The key (principal id) is searchable too.
    q.text = target.key.clone();
    assert_eq!(all_rows(&mut table, &q)[0].index, target.index);
}

#[test]
fn windows_slice_one_ordering() {
    let snap = demo();
    let mut table = IdentityTable::build(snap);
    let q = query(IdentityColumn::LastSignIn, true);
    let whole = table.query(snap, &q);
    let mut w = q.clone();
    w.offset = 40;
    w.limit = 25;
    let part = table.query(snap, &w);
    assert_eq!(part.offset, 40);
    assert_eq!(part.rows, whole.rows[40..65].to_vec());
    w.offset = whole.total + 10;
    let past = table.query(snap, &w);
    assert!(past.rows.is_empty());
    assert_eq!(past.offset, whole.total);
    w.limit = 10_000;
    w.offset = 0;
    assert_eq!(table.query(snap, &w).rows.len(), MAX_LIMIT.min(whole.total));
}

#[test]
fn assessments_fill_risk_columns_and_filters() {
    let snap = demo();
    let mut table = IdentityTable::build(snap);
    let n = snap.identities.len();
    let assessments = (0..n)
        .map(|i| {
            (i % 3 != 2).then(|| {
                let mut findings = SeverityCounts::default();
                if i % 3 == 0 {
                    findings.add("high");
                }
                Assessment {
                    risk: (i % 101) as u8,
                    band: "low".into(),
                    findings,
                    checks: if i % 3 == 0 {
                        vec!["NHI-P-001".into()]
                    } else {
                        vec![]
                    },
                    controls: if i % 3 == 0 {
                        vec!["owasp-nhi:NHI5".into()]
                    } else {
                        vec![]
                    },
                    ..Assessment::default()
                }
            })
        })
        .collect();
    table.set_assessments(assessments);
    let page = table.query(snap, &query(IdentityColumn::Risk, true));
    assert!(page.facets.assessed);
    assert_eq!(
        page.facets.checks,
        vec![("NHI-P-001".to_owned(), n.div_ceil(3))]
    );
    assert_eq!(page.rows[0].risk, Some(100));
    let mut q = query(IdentityColumn::Findings, true);
    q.severities = vec!["high".into()];
    let rows = all_rows(&mut table, &q);
    assert_eq!(rows.len(), n.div_ceil(3));
    assert!(rows.iter().all(|r| r.findings.is_some_and(|f| f.high == 1)));
    let mut q = query(IdentityColumn::Name, false);
    q.controls = vec!["owasp-nhi:NHI5".into()];
    assert_eq!(table.query(snap, &q).total, n.div_ceil(3));
    q.controls.clear();
    q.checks = vec!["NHI-X-999".into()];
    assert_eq!(table.query(snap, &q).total, 0);
}

#[test]
fn every_key_finds_its_identity() {
    let snap = demo();
    for ix in 0..snap.identities.len() as u32 {
        let key = identity_key(snap, ix);
        assert_eq!(find_identity(snap, &key), Some(ix), "{key}");
        assert_eq!(
            find_identity(snap, &key.to_uppercase()),
            Some(ix),
            "{key} upper"
        );
    }
    assert_eq!(find_identity(snap, "#0"), Some(0));
    assert_eq!(find_identity(snap, "#999999"), None);
    assert_eq!(find_identity(snap, "nothing"), None);
}

#[test]
fn detail_lists_workloads_grants_and_provenance() {
    let snap = demo();
    let page = identity_page(snap, &query(IdentityColumn::Workloads, true));
    let row = &page.rows[0];
    assert!(row.workloads > 0);
    let detail = identity_detail(snap, row.index, None, None).expect("detail");
    assert_eq!(detail.key, row.key);
    assert_eq!(detail.workloads.len() as u32, row.workloads);
    assert_eq!(detail.grants.len() as u32, row.grants);
    assert!(detail.workloads.iter().all(|w| !w.provenance.is_empty()));
    assert!(!detail.provenance.is_empty());
    let source = &detail.provenance[0];
    assert!(source.file.starts_with("demo/tenant/"), "{source:?}");
    assert!(source.line > 0);
    assert!(source.label().contains(", record "));
    // Grants strongest first.
    for pair in detail.grants.windows(2) {
        assert!(
            pair[0].tier > pair[1].tier
                || (pair[0].tier == pair[1].tier
                    && scope_breadth(pair[0].scope_level) >= scope_breadth(pair[1].scope_level))
        );
    }
    if let Some(first) = detail.grants.first() {
        assert_eq!(Some(first.role.clone()), row.top_role);
        assert!(!first.provenance.is_empty());
    }
    assert!(identity_detail(snap, u32::MAX, None, None).is_none());
}

#[test]
fn detail_marks_expired_credentials_at_the_as_of() {
    let snap = demo();
    let ix = snap
        .credentials
        .iter()
        .find_map(|c| c.end.map(|_| c.identity));
    let ix = ix.expect("the demo tenant has credentials with an end date");
    let before = identity_detail(snap, ix, Some(i64::MIN), None).expect("detail");
    assert!(before.credentials.iter().all(|c| c.expired != Some(true)));
    let after = identity_detail(snap, ix, Some(i64::MAX), None).expect("detail");
    assert!(after.credentials.iter().any(|c| c.expired == Some(true)));
    let unknown = identity_detail(snap, ix, None, None).expect("detail");
    assert!(unknown.credentials.iter().all(|c| c.expired.is_none()));
}

#[test]
fn requests_and_answers_are_plain_json() {
    let snap = demo();
    let mut table = IdentityTable::build(snap);
    let request: ViewRequest = serde_json::from_str(
        r#"{"kind":"identities","sort":"grants","descending":true,"kinds":["user-assigned-managed-identity"],"limit":3}"#,
    )
    .expect("request");
    let ViewAnswer::Identities(page) = answer(snap, &mut table, &request) else {
        panic!("identities answer");
    };
    assert_eq!(page.rows.len(), 3);
    let text = serde_json::to_string(&ViewAnswer::Identities(page.clone())).expect("json");
    assert!(
        text.starts_with(r#"{"kind":"identities","total":"#),
        "{text}"
    );

    let request: ViewRequest = serde_json::from_str(&format!(
        r#"{{"kind":"identity","id":"{}"}}"#,
        page.rows[0].key
    ))
    .expect("request");
    let ViewAnswer::Identity { detail } = answer(snap, &mut table, &request) else {
        panic!("identity answer");
    };
    assert_eq!(detail.expect("found").index, page.rows[0].index);
    let request = ViewRequest::Identity {
        id: "missing".into(),
        as_of: None,
    };
    assert_eq!(
        answer(snap, &mut table, &request),
        ViewAnswer::Identity { detail: None }
    );
}

#[test]
fn routes_round_trip() {
    let q = IdentityQuery {
        sort: IdentityColumn::Grants,
        descending: true,
        kinds: vec![
            IdentityKind::UserAssignedManagedIdentity,
            IdentityKind::ApplicationServicePrincipal,
        ],
        environments: vec![Environment::Prod],
        severities: vec!["critical".into(), "high".into()],
        checks: vec!["NHI-P-001".into()],
        controls: vec!["owasp-nhi:NHI5".into()],
        text: "backup & restore, 100%".into(),
        ..IdentityQuery::default()
    };
    let routes = [
        Route::Load,
        Route::Demo,
        Route::Identities(IdentityQuery::default()),
        Route::Identities(q.clone()),
        Route::Identity("3f2c0000-0000-0000-0000-000000000001".into()),
        Route::Identity("/subscriptions/s/resourceGroups/r g/providers/x/y#?&".into()),
        Route::Other("nowhere".into()),
        Route::Dashboard,
        Route::Frameworks(None),
        Route::Frameworks(Some("owasp-nhi".into())),
        Route::Findings(FindingsFilter::default()),
        Route::Findings(FindingsFilter {
            checks: vec!["NHI-P-001".into(), "NHI-C-001".into()],
            severities: vec!["critical".into()],
            status: "waived".into(),
            text: "back up & restore".into(),
        }),
        Route::Compare,
        Route::Export,
    ];
    for route in routes {
        let text = format_route(&route);
        assert!(text.starts_with('#'));
        assert!(!text[1..].contains('#'), "{text}");
        assert_eq!(parse_route(&text), route, "{text}");
    }
    assert_eq!(
        format_route(&Route::Identities(q)),
        "#identities?sort=grants&desc=1&kind=user-assigned-managed-identity,application-service-principal\
         &env=prod&sev=critical,high&check=NHI-P-001&control=owasp-nhi%3ANHI5&q=backup%20%26%20restore%2C%20100%25"
    );
}

#[test]
fn routes_parse_leniently() {
    assert_eq!(parse_route(""), Route::Load);
    assert_eq!(parse_route("#"), Route::Load);
    assert_eq!(parse_route("#demo"), Route::Demo);
    assert_eq!(
        parse_route("identities"),
        Route::Identities(IdentityQuery::default())
    );
    let Route::Identities(q) =
        parse_route("#identities?sort=nope&desc=yes&kind=bogus,aws-role&x=1&q=a+b%zz")
    else {
        panic!("identities");
    };
    assert_eq!(q.sort, IdentityColumn::Name);
    assert!(!q.descending);
    assert_eq!(q.kinds, vec![IdentityKind::AwsRole]);
    assert_eq!(q.text, "a b%zz");
    assert_eq!(parse_route("#identity/"), Route::Other("identity/".into()));
    assert_eq!(
        parse_route("#findings"),
        Route::Findings(FindingsFilter::default())
    );
    assert_eq!(
        parse_route("#findings?status=bogus&sev=high"),
        Route::Findings(FindingsFilter {
            severities: vec!["high".into()],
            ..FindingsFilter::default()
        })
    );
    assert_eq!(
        parse_route("#frameworks/"),
        Route::Other("frameworks/".into())
    );
    assert_eq!(route::decode("%E2%9C%93%"), "✓%");
}

#[test]
fn evaluation_fills_risk_findings_and_evidence() {
    let snap = demo();
    let evaluation = crate::checks::evaluate(
        snap,
        &crate::policy::Policy::default(),
        crate::generate::DEMO_AS_OF_UNIX,
    );
    let mut table = IdentityTable::build(snap);
    table.set_assessments(assess::assessments(&evaluation, snap.identities.len()));
    let page = table.query(snap, &query(IdentityColumn::Risk, true));
    assert!(page.facets.assessed);
    assert!(!page.facets.checks.is_empty());
    assert!(
        page.facets
            .controls
            .iter()
            .any(|(c, _)| c.starts_with("owasp-nhi-2025:"))
    );
    let top = &page.rows[0];
    let score = evaluation
        .scores
        .iter()
        .map(|s| s.risk)
        .max()
        .expect("scores");
    assert_eq!(top.risk, Some(score));
    assert!(top.band.is_some());
    // The table's assessment is the summary the table needs; the identity's page gets the whole one.
    let summary = table.assessment(top.index).expect("assessed");
    assert!(summary.factors.is_empty() && summary.details.is_empty());
    let whole = assess::assessment_of(&evaluation, top.index).expect("scored");
    assert_eq!(
        (
            summary.risk,
            &summary.band,
            summary.findings,
            &summary.checks,
            &summary.controls
        ),
        (
            whole.risk,
            &whole.band,
            whole.findings,
            &whole.checks,
            &whole.controls
        )
    );
    let detail = identity_detail(snap, top.index, None, Some(&whole)).expect("detail");
    let a = detail.assessment.expect("assessed");
    assert_eq!(a.risk, score);
    assert!(a.factors.len() >= 3, "{:?}", a.factors);
    assert!(!a.details.is_empty());
    let finding = &a.details[0];
    assert!(!finding.evidence.is_empty());
    assert!(finding.evidence[0].source.file.starts_with("demo/tenant/"));
    // Filtering by a check keeps exactly the identities with an open finding of it.
    let (check, count) = page.facets.checks[0].clone();
    let mut q = query(IdentityColumn::Name, false);
    q.checks = vec![check];
    assert_eq!(table.query(snap, &q).total, count);
}

#[test]
fn detail_lists_directory_roles_and_graph_permissions_at_tenant_scope() {
    let snap = demo();
    let ix = snap
        .identities
        .iter()
        .position(|i| snap.opt_str(i.display_name) == Some("sp-secrets-rotation"))
        .expect("demo identity") as u32;
    let detail = identity_detail(snap, ix, None, None).expect("detail");
    let names: Vec<(&str, &str)> = detail
        .directory_grants
        .iter()
        .map(|d| (d.role.as_str(), d.scope.as_str()))
        .collect();
    // Strongest first: the Graph permission tenant-wide, the scoped admin role, then the read permission.
    assert_eq!(
        names[0],
        ("Application.ReadWrite.All", "tenant (Entra directory)")
    );
    assert!(
        names
            .iter()
            .any(|(r, s)| *r == "Cloud Application Administrator"
                && s.starts_with("Entra directory scope /"))
    );
    assert!(names.contains(&("Directory.Read.All", "tenant (Entra directory)")));
    let first = &detail.directory_grants[0];
    assert_eq!(first.resource.as_deref(), Some("Microsoft Graph"));
    assert_eq!(first.tier_label, "privileged directory write");
    assert_eq!(
        first.provenance[0].file,
        "demo/tenant/app-role-assignments.json"
    );
    // Role assignments stay separate: the what-if indices of `grants` are untouched.
    assert!(
        detail
            .grants
            .iter()
            .all(|g| g.scope != "tenant (Entra directory)")
    );
}

#[test]
fn directory_roles_count_in_the_table_and_can_be_its_top_role() {
    let snap = demo();
    let page = identity_page(snap, &query(IdentityColumn::Tier, true));
    // The bootstrap service principal holds Global Administrator: tier 1, shown as its top role.
    let ga = snap
        .directory_grants
        .iter()
        .find(|d| {
            snap.opt_str(d.role_name) == Some("Global Administrator")
                && matches!(d.principal, crate::model::GrantPrincipal::Identity(_))
        })
        .expect("a workload identity with Global Administrator");
    let crate::model::GrantPrincipal::Identity(ix) = ga.principal else {
        unreachable!()
    };
    let row = page
        .rows
        .iter()
        .find(|r| r.index == ix)
        .expect("among the top-tier rows");
    assert_eq!(row.top_tier, Some(1.0));
    assert!(
        row.top_role.as_deref() == Some("Global Administrator")
            || snap.grants_of(ix).any(|g| g.tier >= 1.0),
        "{:?}",
        row.top_role
    );
    assert_eq!(row.grants as usize, all_grants(snap, ix));
}
