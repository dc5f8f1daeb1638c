//! One identity in full: what it is, where it runs, what it can reach (grants grouped by scope level), its
//! credentials and federated credentials, its activity, its risk with the factors behind it, its findings with their
//! evidence, and the file, record and line behind every fact.

use idlens_core::ids::ScopeLevel;
use idlens_core::view::whatif::{WhatIfRequest, WhatIfView};
use idlens_core::view::{
    Assessment, IdentityDetail, Route, ViewAnswer, ViewRequest, format_route, kind_label,
};
use leptos::prelude::*;

use crate::components::badges::{Env, Level, Risk};
use crate::components::empty::NothingLoaded;
use crate::components::source::Sources;
use crate::{Latest, Session, format};

/// The identity named in the URL.
#[component]
pub fn IdentityPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let id = Memo::new(move |_| match session.route.get() {
        Route::Identity(id) => id,
        _ => String::new(),
    });
    // `None`: not answered yet; `Some(None)`: no such identity.
    let detail = RwSignal::new(None::<Option<Box<IdentityDetail>>>);
    let failure = RwSignal::new(None::<String>);
    let latest = StoredValue::new_local(Latest::default());

    Effect::new(move |_| {
        session.generation.track();
        let id = id.get();
        if !session.loaded() || id.is_empty() {
            return;
        }
        detail.set(None);
        let ticket = latest.with_value(Latest::next);
        session.query(&ViewRequest::Identity { id, as_of: None }, move |answer| {
            // A page left before its answer came is gone: its values are disposed.
            if latest.try_with_value(|l| l.is(ticket)) != Some(true) {
                return;
            }
            match answer {
                ViewAnswer::Identity { detail: d } => {
                    failure.set(None);
                    detail.set(Some(d));
                }
                ViewAnswer::Error { message } => failure.set(Some(message)),
                _ => {}
            }
        });
    });

    let back = move || format_route(&session.last_list.get());
    view! {
        <section class="identity-page" data-testid="identity-page">
            <p class="crumbs">
                <a href=back data-testid="back-to-list">"← All identities"</a>
            </p>
            {move || failure.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
            {move || {
                if !session.loaded() {
                    return view! {
                        <NothingLoaded detail="This link names an identity of a snapshot that is not open." />
                    }
                        .into_any();
                }
                match detail.get() {
                    None => view! { <p class="muted" role="status">"Loading…"</p> }.into_any(),
                    Some(None) => {
                        view! {
                            <div class="empty" data-testid="no-identity">
                                <h2>"No such identity"</h2>
                                <p>{format!("No identity in this snapshot has the id “{}”.", id.get())}</p>
                            </div>
                        }
                            .into_any()
                    }
                    Some(Some(d)) => view! { <Detail detail=*d /> }.into_any(),
                }
            }}
        </section>
    }
}

/// All sections of one identity.
#[component]
fn Detail(
    /// The worker's answer.
    detail: IdentityDetail,
) -> impl IntoView {
    let d = detail;
    let risk = d
        .assessment
        .as_ref()
        .map(|a| view! { <Risk risk=a.risk band=a.band.clone() /> });
    let title = d.name.clone();
    // What is switched off in the what-if, and the worker's recomputation of it.
    let off = RwSignal::new(WhatIfRequest {
        id: d.key.clone(),
        ..WhatIfRequest::default()
    });
    let assessed = d.assessment.is_some();
    view! {
        <header class="identity-head">
            <h2 data-testid="identity-name">{title}</h2>
            <div class="chips">
                <span class="chip kind">{kind_label(d.kind)}</span>
                <Env env=d.environment />
                {d.inferred.then(|| view! { <span class="chip">"inferred"</span> })}
                {d.enabled.filter(|e| !e).map(|_| view! { <span class="chip level-medium">"disabled"</span> })}
                {risk}
            </div>
        </header>
        <div class="sections">
            <WhatItIs detail=d.clone() />
            {d.assessment.clone().map(|a| view! { <RiskSection assessment=a /> })}
            {assessed.then(|| view! { <WhatIfPanel off=off /> })}
            <Workloads detail=d.clone() />
            <Grants detail=d.clone() off=off assessed=assessed />
            <DirectoryGrants detail=d.clone() off=off assessed=assessed />
            <Credentials detail=d.clone() off=off assessed=assessed />
            <Federations detail=d.clone() off=off assessed=assessed />
            <Activity detail=d.clone() />
            {d.assessment.clone().map(|a| view! { <Findings assessment=a /> })}
            <section class="card wide" data-testid="section-provenance" aria-labelledby="h-provenance">
                <h3 id="h-provenance">"Provenance"</h3>
                <p class="muted">"Every record this identity was read from."</p>
                <Sources sources=d.provenance.clone() />
            </section>
        </div>
    }
}

/// One `<dt>`/`<dd>` pair when the value is known.
fn fact(label: &'static str, value: Option<String>) -> Option<impl IntoView> {
    value.map(|v| {
        view! {
            <dt>{label}</dt>
            <dd>{v}</dd>
        }
    })
}

/// Identity fields.
#[component]
fn WhatItIs(
    /// The identity.
    detail: IdentityDetail,
) -> impl IntoView {
    let d = detail;
    let tags = (!d.tags.is_empty()).then(|| {
        d.tags
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    });
    let owners = (!d.owners.is_empty()).then(|| d.owners.join(", "));
    let env = format!(
        "{} ({})",
        format::environment(d.environment),
        format::environment_source(d.environment_source)
    );
    view! {
        <section class="card" data-testid="section-what" aria-labelledby="h-what">
            <h3 id="h-what">"What it is"</h3>
            <dl class="facts">
                {fact("Kind", Some(kind_label(d.kind).to_owned()))}
                {fact("Principal (object) id", d.principal_id)}
                {fact("Client (app) id", d.client_id)}
                {fact("Application object id", d.application_object_id)}
                {fact("Resource id", d.resource_id)}
                {fact("Host resource", d.host_resource_id)}
                {fact("Tenant", d.tenant_id)}
                {fact("Owning tenant (third party)", d.app_owner_organization_id)}
                {fact("Subscription", d.subscription)}
                {fact("Resource group", d.resource_group)}
                {fact("Location", d.location)}
                {fact("Service principal type", d.service_principal_type)}
                {fact("Created", d.created_unix.map(|t| format::date_time(Some(t))))}
                {fact("Enabled", d.enabled.map(|e| if e { "yes".to_owned() } else { "no".to_owned() }))}
                {fact("Environment", Some(env))}
                {fact("Tags", tags)}
                {fact("Owners", owners)}
            </dl>
        </section>
    }
}

/// The risk score and the factors that produced it.
#[component]
fn RiskSection(
    /// The scoring's result.
    assessment: Assessment,
) -> impl IntoView {
    let a = assessment;
    let factors = a
        .factors
        .iter()
        .map(|f| {
            view! {
                <tr>
                    <td>{f.label.clone()}</td>
                    <td class="num">{trim_number(f.value)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" data-testid="section-risk" aria-labelledby="h-risk">
            <h3 id="h-risk">"Risk"</h3>
            <p class="risk-line">
                <Risk risk=a.risk band=a.band.clone() />
                {format!(
                    " {} of 100 ({} band). {} open findings: {} critical, {} high, {} medium, {} low.",
                    a.risk,
                    a.band,
                    a.findings.total(),
                    a.findings.critical,
                    a.findings.high,
                    a.findings.medium,
                    a.findings.low,
                )}
            </p>
            <table class="plain">
                <caption class="visually-hidden">"Factors of the risk score"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Factor"</th>
                        <th scope="col" class="num">"Value"</th>
                    </tr>
                </thead>
                <tbody>{factors}</tbody>
            </table>
        </section>
    }
}

/// `0.8500` → `0.85`, `38.0` → `38`.
fn trim_number(value: f64) -> String {
    let text = format!("{value:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Where it runs.
#[component]
fn Workloads(
    /// The identity.
    detail: IdentityDetail,
) -> impl IntoView {
    let count = detail.workloads.len();
    let rows = detail
        .workloads
        .into_iter()
        .map(|w| {
            let how = w
                .attachments
                .iter()
                .map(|a| format::attachment(*a))
                .collect::<Vec<_>>()
                .join(", ");
            view! {
                <tr data-testid="workload-row">
                    <td>
                        <strong>{w.name.clone().unwrap_or_else(|| format::last_segment(&w.id).to_owned())}</strong>
                        <div class="id">{w.id.clone()}</div>
                    </td>
                    <td>{w.resource_type.clone().unwrap_or_default()}</td>
                    <td>{how}</td>
                    <td><Env env=w.environment /></td>
                    <td><Sources sources=w.provenance /></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <TableCard name="workloads" title=format!("Where it runs ({count} workloads)") empty="No exported resource uses this identity." columns=&["Resource", "Type", "Uses it as", "Environment", "Source"] count=count>
            {rows}
        </TableCard>
    }
}

/// What it can reach: grants grouped by scope level, broadest first.
#[component]
fn Grants(
    /// The identity.
    detail: IdentityDetail,
    /// The what-if selection.
    off: RwSignal<WhatIfRequest>,
    /// Whether the snapshot was evaluated (the what-if needs scores).
    assessed: bool,
) -> impl IntoView {
    let count = detail.grants.len();
    let groups = ScopeLevel::ALL
        .into_iter()
        .filter_map(|level| {
            let grants: Vec<_> = detail
                .grants
                .iter()
                .filter(|g| g.scope_level == level)
                .cloned()
                .collect();
            if grants.is_empty() {
                return None;
            }
            let n = grants.len();
            let rows = grants
                .into_iter()
                .map(|g| {
                    let flags = [
                        g.can_grant_access.then_some("can grant access"),
                        g.has_wildcard.then_some("wildcard actions"),
                        g.custom_role.filter(|c| *c).map(|_| "custom role"),
                        g.condition.as_ref().map(|_| "conditional"),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", ");
                    let label = format!("What-if: switch off {} at {}", g.role, g.scope);
                    view! {
                        <tr data-testid="grant-row">
                            {assessed.then(|| view! { <td><Toggle off=off label=label list=List::Grants index=g.index /></td> })}
                            <td><strong>{g.role.clone()}</strong></td>
                            <td>{format!("{} ({:.2})", g.tier_label, g.tier)}</td>
                            <td class="id">{g.scope.clone()}</td>
                            <td>{flags}</td>
                            <td><Sources sources=g.provenance /></td>
                        </tr>
                    }
                })
                .collect_view();
            Some(view! {
                <h4>{format!("{} ({n})", format::scope_level(level))}</h4>
                <table class="plain" data-testid=format!("grants-{}", level.id())>
                    <thead>
                        <tr>
                            {assessed.then(|| view! { <th scope="col">"What\u{2011}if"</th> })}
                            <th scope="col">"Role"</th>
                            <th scope="col">"Privilege tier"</th>
                            <th scope="col">"Scope"</th>
                            <th scope="col">"Notes"</th>
                            <th scope="col">"Source"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            })
        })
        .collect_view();
    view! {
        <section class="card wide" data-testid="section-grants" aria-labelledby="h-grants">
            <h3 id="h-grants">{format!("What it can reach ({count} role assignments)")}</h3>
            {(count == 0).then(|| view! { <p class="muted">"No role assignment names this identity."</p> })}
            {groups}
        </section>
    }
}

/// Entra directory roles and Microsoft Graph application permissions (NHI-P-004's data); shown only when the identity
/// holds some.
#[component]
fn DirectoryGrants(
    /// The identity.
    detail: IdentityDetail,
    /// The what-if selection.
    off: RwSignal<WhatIfRequest>,
    /// Whether the snapshot was evaluated (the what-if needs scores).
    assessed: bool,
) -> impl IntoView {
    let count = detail.directory_grants.len();
    (count > 0).then(|| {
        let rows = detail
            .directory_grants
            .into_iter()
            .map(|g| {
                let what = match g.kind {
                    idlens_core::model::DirectoryGrantKind::DirectoryRole => "Entra directory role",
                    idlens_core::model::DirectoryGrantKind::AppRole => "application permission",
                };
                let label = format!("What-if: switch off {} ({what})", g.role);
                view! {
                    <tr data-testid="directory-grant-row">
                        {assessed.then(|| view! { <td><Toggle off=off label=label list=List::DirectoryGrants index=g.index /></td> })}
                        <td><strong>{g.role.clone()}</strong></td>
                        <td>{what}{g.resource.map(|r| format!(" on {r}"))}</td>
                        <td>{format!("{} ({:.2})", g.tier_label, g.tier)}</td>
                        <td class="id">{g.scope.clone()}</td>
                        <td><Sources sources=g.provenance /></td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <section class="card wide" data-testid="section-directory-grants" aria-labelledby="h-directory-grants">
                <h3 id="h-directory-grants">{format!("Tenant directory privilege ({count} Entra roles and Graph permissions)")}</h3>
                <table class="plain">
                    <thead>
                        <tr>
                            {assessed.then(|| view! { <th scope="col">"What\u{2011}if"</th> })}
                            <th scope="col">"Role or permission"</th>
                            <th scope="col">"Kind"</th>
                            <th scope="col">"Privilege tier"</th>
                            <th scope="col">"Scope"</th>
                            <th scope="col">"Source"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </section>
        }
    })
}

/// Secrets and certificates.
#[component]
fn Credentials(
    /// The identity.
    detail: IdentityDetail,
    /// The what-if selection.
    off: RwSignal<WhatIfRequest>,
    /// Whether the snapshot was evaluated (the what-if needs scores).
    assessed: bool,
) -> impl IntoView {
    let count = detail.credentials.len();
    let rows = detail
        .credentials
        .into_iter()
        .map(|c| {
            let kind = match c.kind {
                idlens_core::model::CredentialKind::Secret => "Secret",
                idlens_core::model::CredentialKind::Certificate => "Certificate",
            };
            let state = match c.expired {
                Some(true) => view! { <span class="chip level-medium">"expired"</span> }.into_any(),
                Some(false) => view! { <span class="chip env-nonprod">"valid"</span> }.into_any(),
                None => view! { <span class="muted">"—"</span> }.into_any(),
            };
            let last_use = match c.last_use {
                idlens_core::view::detail::LastUse::At(unix) => format::date(Some(unix)),
                idlens_core::view::detail::LastUse::Never => "never".to_owned(),
                idlens_core::view::detail::LastUse::NotInReport => "not in the report".to_owned(),
                idlens_core::view::detail::LastUse::NotExported => "—".to_owned(),
            };
            let label = format!(
                "What-if: remove the {} {}",
                kind.to_lowercase(),
                c.display_name.clone().or(c.key_id.clone()).unwrap_or_default()
            );
            view! {
                <tr data-testid="credential-row">
                    {assessed.then(|| view! { <td><Toggle off=off label=label list=List::Credentials index=c.index /></td> })}
                    <td>{kind}</td>
                    <td>{c.display_name.clone().or(c.key_id.clone()).unwrap_or_default()}</td>
                    <td class="date">{format::date(c.start_unix)}</td>
                    <td class="date">{format::date(c.end_unix)}</td>
                    <td class="date" data-testid="credential-last-use">{last_use}</td>
                    <td>{state}</td>
                    <td><Sources sources=c.provenance /></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <TableCard name="credentials" title=format!("Credentials ({count})") empty="No user-managed secret or certificate." columns=if assessed { &["What\u{2011}if", "Type", "Name or key id", "From", "Until", "Last used", "State", "Source"] } else { &["Type", "Name or key id", "From", "Until", "Last used", "State", "Source"] } count=count>
            {rows}
        </TableCard>
    }
}

/// Federated credentials.
#[component]
fn Federations(
    /// The identity.
    detail: IdentityDetail,
    /// The what-if selection.
    off: RwSignal<WhatIfRequest>,
    /// Whether the snapshot was evaluated (the what-if needs scores).
    assessed: bool,
) -> impl IntoView {
    let count = detail.federations.len();
    let rows = detail
        .federations
        .into_iter()
        .map(|f| {
            let label = format!(
                "What-if: remove the federated credential {}",
                f.name.clone().or(f.subject.clone()).unwrap_or_default()
            );
            view! {
                <tr data-testid="federation-row">
                    {assessed.then(|| view! { <td><Toggle off=off label=label list=List::Federations index=f.index /></td> })}
                    <td>{f.name.clone().unwrap_or_default()}</td>
                    <td class="id">{f.issuer.clone().unwrap_or_default()}</td>
                    <td class="id">{f.subject.clone().or(f.claims_matching_expression.clone()).unwrap_or_default()}</td>
                    <td>{f.audiences.join(", ")}</td>
                    <td><Sources sources=f.provenance /></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <TableCard name="federations" title=format!("Federated credentials ({count})") empty="No federated credential: it trusts no external token issuer." columns=if assessed { &["What\u{2011}if", "Name", "Issuer", "Subject or claims", "Audiences", "Source"] } else { &["Name", "Issuer", "Subject or claims", "Audiences", "Source"] } count=count>
            {rows}
        </TableCard>
    }
}

/// Sign-in activity.
#[component]
fn Activity(
    /// The identity.
    detail: IdentityDetail,
) -> impl IntoView {
    let body = match detail.activity {
        None => {
            view! { <p class="muted">"No sign-in activity was exported for this identity."</p> }
                .into_any()
        }
        Some(a) => view! {
            <dl class="facts">
                <dt>"Last sign-in"</dt>
                <dd data-testid="last-sign-in">{format::date_time(a.last_sign_in_unix)}</dd>
                <dt>"As a client (app-only)"</dt>
                <dd>{format::date_time(a.last_app_client_sign_in_unix)}</dd>
                <dt>"As a resource (app-only)"</dt>
                <dd>{format::date_time(a.last_app_resource_sign_in_unix)}</dd>
                <dt>"As a client (delegated)"</dt>
                <dd>{format::date_time(a.last_delegated_client_sign_in_unix)}</dd>
                <dt>"As a resource (delegated)"</dt>
                <dd>{format::date_time(a.last_delegated_resource_sign_in_unix)}</dd>
            </dl>
            <Sources sources=a.provenance />
        }
        .into_any(),
    };
    view! {
        <section class="card" data-testid="section-activity" aria-labelledby="h-activity">
            <h3 id="h-activity">"Activity"</h3>
            {body}
        </section>
    }
}

/// Findings with their evidence.
#[component]
fn Findings(
    /// The scoring's result.
    assessment: Assessment,
) -> impl IntoView {
    let count = assessment.details.len();
    let items = assessment
        .details
        .into_iter()
        .map(|f| {
            let evidence = f
                .evidence
                .iter()
                .map(|e| {
                    let fields = e
                        .fields
                        .iter()
                        .map(|(k, v)| view! { <li><code>{k.clone()}</code>": "{v.clone()}</li> })
                        .collect_view();
                    view! {
                        <div class="evidence" data-testid="evidence">
                            <span class="src">{format!("{}: {}", e.record_kind, e.source.label())}</span>
                            <ul>{fields}</ul>
                        </div>
                    }
                })
                .collect_view();
            let controls = (!f.controls.is_empty()).then(|| f.controls.join(", "));
            view! {
                <li class="finding" class:waived=f.waived data-testid="finding">
                    <div class="finding-head">
                        <Level level=f.severity.clone() />
                        <strong>{format!(" {} ", f.check_id)}</strong>
                        {f.title.clone()}
                        {f.waived.then(|| view! { <span class="chip">"waived"</span> })}
                    </div>
                    <p>{f.message.clone()}</p>
                    {evidence}
                    <p class="fix"><strong>"Fix: "</strong>{f.remediation.clone()}</p>
                    {controls.map(|c| view! { <p class="muted small">{format!("Controls: {c}")}</p> })}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card wide" data-testid="section-findings" aria-labelledby="h-findings">
            <h3 id="h-findings">{format!("Findings ({count})")}</h3>
            {(count == 0).then(|| view! { <p class="muted">"No check raised a finding for this identity."</p> })}
            <ul class="findings">{items}</ul>
        </section>
    }
}

/// A wide card with a heading and a table of rows, or one sentence when there are none.
#[component]
fn TableCard(
    /// Names the section: test id `section-{name}`, heading id `h-{name}`.
    name: &'static str,
    /// The heading, with its count.
    title: String,
    /// What to say when there is no row.
    empty: &'static str,
    /// The column headings.
    columns: &'static [&'static str],
    /// How many rows there are.
    count: usize,
    /// The rows (`<tr>` elements).
    children: Children,
) -> impl IntoView {
    view! {
        <section class="card wide" data-testid=format!("section-{name}") aria-labelledby=format!("h-{name}")>
            <h3 id=format!("h-{name}")>{title}</h3>
            {if count == 0 {
                view! { <p class="muted">{empty}</p> }.into_any()
            } else {
                view! {
                    <table class="plain">
                        <thead>
                            <tr>{columns.iter().map(|c| view! { <th scope="col">{*c}</th> }).collect_view()}</tr>
                        </thead>
                        <tbody>{children()}</tbody>
                    </table>
                }
                    .into_any()
            }}
        </section>
    }
}

/// Which list of the what-if a toggle edits.
#[derive(Clone, Copy)]
enum List {
    Grants,
    Credentials,
    Federations,
    DirectoryGrants,
}

impl List {
    fn name(self) -> &'static str {
        match self {
            List::Grants => "grants",
            List::Credentials => "credentials",
            List::Federations => "federations",
            List::DirectoryGrants => "directory_grants",
        }
    }

    fn get(self, request: &WhatIfRequest) -> &[u32] {
        match self {
            List::Grants => &request.grants,
            List::Credentials => &request.credentials,
            List::Federations => &request.federations,
            List::DirectoryGrants => &request.directory_grants,
        }
    }

    fn of(self, request: &mut WhatIfRequest) -> &mut Vec<u32> {
        match self {
            List::Grants => &mut request.grants,
            List::Credentials => &mut request.credentials,
            List::Federations => &mut request.federations,
            List::DirectoryGrants => &mut request.directory_grants,
        }
    }
}

/// A checkbox that switches one grant, credential or federation off in the what-if.
#[component]
fn Toggle(
    /// The selection it edits.
    off: RwSignal<WhatIfRequest>,
    /// Its accessible name.
    label: String,
    /// Which list.
    list: List,
    /// The entity's snapshot index.
    index: u32,
) -> impl IntoView {
    let checked = move || off.with(|r| list.get(r).contains(&index));
    view! {
        <input
            type="checkbox"
            class="whatif-toggle"
            aria-label=label.clone()
            title=label
            data-testid="whatif-toggle"
            data-list=list.name()
            data-index=index
            prop:checked=checked
            on:change=move |ev| {
                let on = event_target_checked(&ev);
                off.update(|r| {
                    let v = List::of(list, r);
                    v.retain(|&i| i != index);
                    if on {
                        v.push(index);
                    }
                });
            }
        />
    }
}

/// The what-if: what the risk of this identity and the tenant would be with the ticked entities switched off,
/// recomputed by the worker each time the selection changes.
#[component]
fn WhatIfPanel(
    /// The selection.
    off: RwSignal<WhatIfRequest>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let result = RwSignal::new(None::<WhatIfView>);
    let failure = RwSignal::new(None::<String>);
    let latest = StoredValue::new_local(Latest::default());
    let empty = move || {
        off.with(|r| {
            r.grants.is_empty()
                && r.credentials.is_empty()
                && r.federations.is_empty()
                && r.directory_grants.is_empty()
        })
    };
    Effect::new(move |_| {
        let request = off.get();
        let ticket = latest.with_value(Latest::next);
        if request.grants.is_empty()
            && request.credentials.is_empty()
            && request.federations.is_empty()
            && request.directory_grants.is_empty()
        {
            result.set(None);
            return;
        }
        session.query(&ViewRequest::WhatIf(request), move |answer| {
            // A page left before its answer came is gone: its values are disposed.
            if latest.try_with_value(|l| l.is(ticket)) != Some(true) {
                return;
            }
            match answer {
                ViewAnswer::WhatIf(view) => {
                    failure.set(None);
                    result.set(Some(*view));
                }
                ViewAnswer::Error { message } => failure.set(Some(message)),
                _ => {}
            }
        });
    });
    let reset = move |_| {
        off.update(|r| {
            r.grants.clear();
            r.credentials.clear();
            r.federations.clear();
            r.directory_grants.clear();
        });
    };
    view! {
        <section class="card whatif" data-testid="section-whatif" aria-labelledby="h-whatif">
            <h3 id="h-whatif">"What-if"</h3>
            <p class="muted small">
                "Tick grants, directory roles, credentials or federated credentials below to see this identity's risk and the tenant's posture without them. Nothing is changed in the snapshot."
            </p>
            <div role="status" aria-live="polite" data-testid="whatif-result">
                {move || failure.get().map(|m| view! { <p class="error">{m}</p> })}
                {move || match (empty(), result.get()) {
                    (true, _) => view! { <p class="muted">"Nothing switched off."</p> }.into_any(),
                    (false, None) => view! { <p class="muted">"Recomputing…"</p> }.into_any(),
                    (false, Some(w)) => view! { <WhatIfResult view=w /> }.into_any(),
                }}
            </div>
            <button type="button" class="secondary" on:click=reset disabled=empty data-testid="whatif-reset">
                "Reset the what-if"
            </button>
        </section>
    }
}

/// One recomputation, in numbers and words.
#[component]
fn WhatIfResult(
    /// The worker's answer.
    view: WhatIfView,
) -> impl IntoView {
    let w = view;
    let switched = [
        (w.grants.len(), "role assignment"),
        (w.credentials.len(), "credential"),
        (w.federations.len(), "federated credential"),
        (w.directory_grants.len(), "directory role or permission"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}{}", if n == 1 { "" } else { "s" }))
    .collect::<Vec<_>>()
    .join(", ");
    let risk_delta = i32::from(w.risk_after) - i32::from(w.risk_before);
    let tenant_delta = w.tenant_risk_after as i64 - w.tenant_risk_before as i64;
    let score = |s: Option<f64>| s.map_or_else(|| "not assessed".to_owned(), |s| format!("{s:.1}"));
    let closed = w
        .closed
        .iter()
        .map(|c| view! { <li><Level level=c.severity.clone() />{format!(" {} {}", c.check_id, c.title)}</li> })
        .collect_view();
    let closed_count = w.closed.len();
    view! {
        <p data-testid="whatif-switched">{format!("Without {switched}:")}</p>
        <dl class="facts whatif-numbers">
            <dt>"This identity's risk"</dt>
            <dd data-testid="whatif-risk">
                <Risk risk=w.risk_before band=w.band_before.clone() />
                " → "
                <Risk risk=w.risk_after band=w.band_after.clone() />
                {format!(" ({}{risk_delta})", if risk_delta > 0 { "+" } else { "" })}
            </dd>
            <dt>"Tenant risk (sum over identities)"</dt>
            <dd data-testid="whatif-tenant-risk">
                {format!(
                    "{} → {} ({}{tenant_delta})",
                    w.tenant_risk_before,
                    w.tenant_risk_after,
                    if tenant_delta > 0 { "+" } else { "" },
                )}
            </dd>
            <dt>"Tenant posture score"</dt>
            <dd data-testid="whatif-tenant-score">
                {format!("{} → {}", score(w.tenant_score_before), score(w.tenant_score_after))}
            </dd>
        </dl>
        {if closed_count == 0 {
            view! { <p class="muted">"No open finding of this identity would close."</p> }.into_any()
        } else {
            view! {
                <p>{format!("Findings that would close ({closed_count}):")}</p>
                <ul class="plain-list" data-testid="whatif-closed">{closed}</ul>
            }
                .into_any()
        }}
    }
}
