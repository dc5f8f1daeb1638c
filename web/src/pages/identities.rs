//! The identities table: every workload identity, sortable by any column, filtered by kind, environment, severity,
//! check, control and free text, and virtualised: only the rows in view (plus a few either side) are in the DOM, and
//! only those cross over from the worker.
//!
//! Rows have a fixed height. The scroll container holds a spacer above and below the rendered rows, sized to the
//! rows that are not rendered, so the scrollbar is true to the whole table. Scrolling asks the worker for the window
//! under the viewport; filters and sort live in the URL.

use idlens_core::model::{Environment, IdentityKind};
use idlens_core::view::{
    IdentityColumn, IdentityPage, IdentityQuery, IdentityRow, Route, ViewAnswer, ViewRequest,
    environment_from_id, environment_id, format_route, kind_from_id, kind_label, tier_label,
};
use leptos::prelude::*;
use wasm_bindgen::JsCast as _;

use crate::components::badges::{Env, Risk};
use crate::components::choices::{MoreChoices, only, several};
use crate::components::empty::NothingLoaded;
use crate::components::search::on_search;
use crate::{Latest, Session, format};

/// Height of one row in pixels (the CSS says the same: `--row-height`).
pub const ROW_HEIGHT: f64 = 36.0;
/// Rows rendered above and below the visible ones.
pub const OVERSCAN: usize = 10;

/// The identities table with its filters (read from and written to the URL).
#[component]
pub fn IdentitiesPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let query = Memo::new(move |_| match session.route.get() {
        Route::Identities(q) => q,
        _ => IdentityQuery::default(),
    });
    let page = RwSignal::new(None::<IdentityPage>);
    let failure = RwSignal::new(None::<String>);
    let first = RwSignal::new(0usize);
    let visible = RwSignal::new(24usize);
    let latest = StoredValue::new_local(Latest::default());
    let scroller = NodeRef::<leptos::html::Div>::new();

    // New filters or sort: back to the top.
    Effect::new(move |previous: Option<IdentityQuery>| {
        let q = query.get();
        if previous.is_some_and(|p| p != q) {
            if let Some(el) = scroller.get_untracked() {
                el.set_scroll_top(0);
            }
            first.set(0);
        }
        q
    });

    // Ask the worker for the rows under the viewport whenever the query, the window or the snapshot changes.
    Effect::new(move |_| {
        session.generation.track();
        if !session.loaded() {
            return;
        }
        let mut q = query.get();
        q.offset = first.get().saturating_sub(OVERSCAN);
        q.limit = visible.get() + 2 * OVERSCAN;
        let ticket = latest.with_value(Latest::next);
        session.query(&ViewRequest::Identities(q), move |answer| {
            // A page left before its answer came is gone: its values are disposed.
            if latest.try_with_value(|l| l.is(ticket)) != Some(true) {
                return;
            }
            match answer {
                ViewAnswer::Identities(p) => {
                    failure.set(None);
                    page.set(Some(p));
                }
                ViewAnswer::Error { message } => failure.set(Some(message)),
                _ => {}
            }
        });
    });

    let on_scroll = move |_| {
        if let Some(el) = scroller.get_untracked() {
            let header = 40.0;
            let top = (f64::from(el.scroll_top()) - header).max(0.0);
            let at = (top / ROW_HEIGHT) as usize;
            let fits = (f64::from(el.client_height()) / ROW_HEIGHT).ceil() as usize + 1;
            if first.get_untracked() != at {
                first.set(at);
            }
            if visible.get_untracked() != fits {
                visible.set(fits);
            }
        }
    };
    // Measure the viewport once it exists.
    Effect::new(move |_| {
        if let Some(el) = scroller.get() {
            let fits = (f64::from(el.client_height()) / ROW_HEIGHT).ceil() as usize + 1;
            visible.set(fits.max(10));
        }
    });

    let total = move || page.with(|p| p.as_ref().map_or(0, |p| p.total));
    let all = move || page.with(|p| p.as_ref().map_or(0, |p| p.all));
    let assessed = move || page.with(|p| p.as_ref().is_some_and(|p| p.facets.assessed));

    view! {
        <section class="identities-page" aria-labelledby="identities-title">
            <div class="page-head">
                <h2 id="identities-title">"Identities"</h2>
                <p class="count" aria-live="polite" data-testid="identities-count" data-total=total data-all=all>
                    {move || {
                        if page.with(Option::is_none) {
                            String::new()
                        } else if total() == all() {
                            format!("{} identities", all())
                        } else {
                            format!("{} of {} identities match", total(), all())
                        }
                    }}
                </p>
            </div>
            <Show
                when=move || session.loaded()
                fallback=move || {
                    view! {
                        <NothingLoaded />
                    }
                }
            >
                <Filters query=query page=page />
                {move || failure.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
                <div
                    class="scroller"
                    node_ref=scroller
                    on:scroll=on_scroll
                    data-testid="identities-scroller"
                >
                    <table
                        class="identities"
                        data-testid="identities-table"
                        aria-rowcount=move || total() + 1
                    >
                        <caption class="visually-hidden">
                            "Workload identities. Column headers sort; each name opens the identity."
                        </caption>
                        <colgroup>
                            <col class="c-name" />
                            <col class="c-kind" />
                            <col class="c-env" />
                            <col class="c-sub" />
                            <col class="c-wl" />
                            <col class="c-gr" />
                            <col class="c-role" />
                            <col class="c-scope" />
                            <col class="c-cr" />
                            <col class="c-fe" />
                            <col class="c-date" />
                            <col class="c-risk" />
                            <col class="c-find" />
                        </colgroup>
                        <thead>
                            <tr aria-rowindex="1">
                                <SortHeader query=query column=IdentityColumn::Name label="Name" />
                                <SortHeader query=query column=IdentityColumn::Kind label="Kind" />
                                <SortHeader query=query column=IdentityColumn::Environment label="Env." />
                                <SortHeader query=query column=IdentityColumn::Subscription label="Subscription" />
                                <SortHeader query=query column=IdentityColumn::Workloads label="Workloads" numeric=true />
                                <SortHeader query=query column=IdentityColumn::Grants label="Grants" numeric=true />
                                <SortHeader query=query column=IdentityColumn::Tier label="Strongest role" />
                                <SortHeader query=query column=IdentityColumn::Scope label="Widest scope" />
                                <SortHeader query=query column=IdentityColumn::Credentials label="Creds" numeric=true />
                                <SortHeader query=query column=IdentityColumn::Federations label="Feds" numeric=true />
                                <SortHeader query=query column=IdentityColumn::LastSignIn label="Last sign-in" />
                                <SortHeader query=query column=IdentityColumn::Risk label="Risk" numeric=true />
                                <SortHeader query=query column=IdentityColumn::Findings label="Findings" numeric=true />
                            </tr>
                        </thead>
                        <tbody>
                            <tr
                                class="spacer"
                                aria-hidden="true"
                                style:height=move || {
                                    let above = page.with(|p| p.as_ref().map_or(0, |p| p.offset));
                                    format!("{}px", above as f64 * ROW_HEIGHT)
                                }
                            ></tr>
                            {move || {
                                page.with(|p| {
                                    p.as_ref()
                                        .map(|p| {
                                            p.rows
                                                .iter()
                                                .enumerate()
                                                .map(|(i, row)| identity_row(session, row.clone(), p.offset + i, assessed()))
                                                .collect_view()
                                        })
                                })
                            }}
                            <tr
                                class="spacer"
                                aria-hidden="true"
                                style:height=move || {
                                    let below = page
                                        .with(|p| {
                                            p.as_ref().map_or(0, |p| p.total.saturating_sub(p.offset + p.rows.len()))
                                        });
                                    format!("{}px", below as f64 * ROW_HEIGHT)
                                }
                            ></tr>
                        </tbody>
                    </table>
                </div>
                <Show when=move || page.with(|p| p.as_ref().is_some_and(|p| p.total == 0))>
                    <p class="empty" data-testid="no-match">"No identity matches these filters."</p>
                </Show>
            </Show>
        </section>
    }
}

/// One table row; the name is a link (Enter opens it), and a click anywhere on the row opens it too.
fn identity_row(
    session: Session,
    row: IdentityRow,
    position: usize,
    assessed: bool,
) -> impl IntoView {
    let route = Route::Identity(row.key.clone());
    let href = format_route(&route);
    let open = move |ev: leptos::ev::MouseEvent| {
        // The link handles its own clicks (and modifier clicks open a new tab).
        let on_link = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("a").ok().flatten())
            .is_some();
        if !on_link {
            session.navigate(&route, false);
        }
    };
    let role = match (&row.top_role, row.top_tier) {
        (Some(role), Some(tier)) => format!("{role} ({})", tier_label(tier)),
        _ => "—".to_owned(),
    };
    let role_title = row.top_role.clone().unwrap_or_default();
    let scope = row.widest_scope.map_or("—", format::scope_level).to_owned();
    let subscription = row.subscription.clone().unwrap_or_else(|| "—".into());
    let sub_title = subscription.clone();
    let findings = row.findings.map(|f| {
        let top = ["critical", "high", "medium", "low", "info"]
            .into_iter()
            .find(|s| f.of(s) > 0)
            .unwrap_or("none");
        let label = format!(
            "{} open findings: {} critical, {} high, {} medium, {} low",
            f.total(),
            f.critical,
            f.high,
            f.medium,
            f.low
        );
        view! {
            <span class=format!("count level-{top}") title=label.clone() aria-label=label>
                {f.total()}
            </span>
        }
    });
    let risk = match (row.risk, row.band.clone()) {
        (Some(risk), Some(band)) => view! { <Risk risk=risk band=band /> }.into_any(),
        _ if assessed => view! { <span class="muted">"—"</span> }.into_any(),
        _ => view! { <span class="muted" title="Not evaluated">"—"</span> }.into_any(),
    };
    view! {
        <tr class="row" data-testid="identity-row" data-key=row.key.clone() aria-rowindex=position + 2 on:click=open>
            <td class="name">
                <a href=href data-testid="identity-link" title=row.name.clone()>{row.name.clone()}</a>
                {row.inferred.then(|| view! { <span class="tag" title="Only referenced, never listed by an identity export">"inferred"</span> })}
            </td>
            <td class="kind" data-testid="cell-kind" data-kind=row.kind.id() title=kind_label(row.kind)>
                {format::kind_short(row.kind)}
            </td>
            <td><Env env=row.environment short=true /></td>
            <td class="sub" title=sub_title>{subscription}</td>
            <td class="num" data-testid="cell-workloads">{row.workloads}</td>
            <td class="num" data-testid="cell-grants">{row.grants}</td>
            <td class="role" title=role_title>{role}</td>
            <td>{scope}</td>
            <td class="num">{row.credentials}</td>
            <td class="num">{row.federations}</td>
            <td class="date">{format::date(row.last_sign_in_unix)}</td>
            <td class="num">{risk}</td>
            <td class="num">{findings}</td>
        </tr>
    }
}

/// A column header that sorts: a real button, with `aria-sort` on the header cell.
#[component]
fn SortHeader(
    /// The table's current query (from the URL).
    query: Memo<IdentityQuery>,
    /// The column this header sorts.
    column: IdentityColumn,
    /// The header's text.
    label: &'static str,
    /// Numbers sort largest first on the first click; text sorts A to Z.
    #[prop(optional)]
    numeric: bool,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let sort = move || {
        query.with(|q| {
            if q.sort != column {
                "none"
            } else if q.descending {
                "descending"
            } else {
                "ascending"
            }
        })
    };
    let click = move |_| {
        let mut q = query.get_untracked();
        if q.sort == column {
            q.descending = !q.descending;
        } else {
            q.sort = column;
            q.descending = numeric
                || matches!(
                    column,
                    IdentityColumn::Tier | IdentityColumn::Scope | IdentityColumn::LastSignIn
                );
        }
        session.navigate(&Route::Identities(q), false);
    };
    let class = if numeric { "num" } else { "" };
    view! {
        <th scope="col" aria-sort=sort class=class>
            <button type="button" class="sort" data-testid=format!("sort-{}", column.id()) on:click=click>
                {label}
                <span class="arrow" aria-hidden="true">
                    {move || match sort() {
                        "ascending" => "▲",
                        "descending" => "▼",
                        _ => "",
                    }}
                </span>
            </button>
        </th>
    }
}

/// The filter bar: search, kind, environment and (when evaluated) severity, check and control.
#[component]
fn Filters(
    /// The table's current query (from the URL).
    query: Memo<IdentityQuery>,
    /// The last answer (its facets list the values each filter can take).
    page: RwSignal<Option<IdentityPage>>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let apply = move |edit: &dyn Fn(&mut IdentityQuery), replace: bool| {
        let mut q = query.get_untracked();
        edit(&mut q);
        session.navigate(&Route::Identities(q), replace);
    };
    let on_search = on_search(query, |q| &mut q.text, Route::Identities);
    let facets = move || page.with(|p| p.as_ref().map(|p| p.facets.clone()).unwrap_or_default());

    view! {
        <form class="filters" role="search" aria-label="Filter identities" on:submit=|ev| ev.prevent_default()>
            <label class="search">
                <span>"Search"</span>
                <input
                    type="search"
                    placeholder="Name, id, subscription, resource group"
                    data-testid="search"
                    prop:value=move || query.with(|q| q.text.clone())
                    on:input=on_search
                />
            </label>
            <label>
                <span>"Kind"</span>
                <select
                    data-testid="filter-kind"
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        apply(&|q| q.kinds = kind_from_id(&value).into_iter().collect(), false);
                    }
                >
                    <option value="" selected=move || query.with(|q| q.kinds.is_empty())>"All kinds"</option>
                    {move || {
                        facets()
                            .kinds
                            .into_iter()
                            .map(|(kind, n): (IdentityKind, usize)| {
                                view! {
                                    <option value=kind.id() selected=move || query.with(|q| q.kinds.first() == Some(&kind))>
                                        {format!("{} ({n})", kind_label(kind))}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
            </label>
            <label>
                <span>"Environment"</span>
                <select
                    data-testid="filter-env"
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        apply(&|q| q.environments = environment_from_id(&value).into_iter().collect(), false);
                    }
                >
                    <option value="" selected=move || query.with(|q| q.environments.is_empty())>"All"</option>
                    {move || {
                        facets()
                            .environments
                            .into_iter()
                            .map(|(env, n): (Environment, usize)| {
                                view! {
                                    <option value=environment_id(env) selected=move || query.with(|q| q.environments.first() == Some(&env))>
                                        {format!("{} ({n})", format::environment(env))}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
            </label>
            <Show when=move || facets().assessed>
                <label>
                    <span>"Severity"</span>
                    <select
                        data-testid="filter-severity"
                        on:change=move |ev| {
                            let value = event_target_value(&ev);
                            apply(&|q| q.severities = (!value.is_empty()).then(|| value.clone()).into_iter().collect(), false);
                        }
                    >
                        <option value="" selected=move || query.with(|q| q.severities.is_empty())>"Any"</option>
                        {["critical", "high", "medium", "low", "info"]
                            .into_iter()
                            .map(|s| {
                                view! {
                                    <option value=s selected=move || query.with(|q| q.severities.first().map(String::as_str) == Some(s))>
                                        {format!("{} finding", format::capitalised(s))}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    <span>"Check"</span>
                    <select
                        data-testid="filter-check"
                        on:change=move |ev| {
                            let value = event_target_value(&ev);
                            apply(&|q| q.checks = (!value.is_empty()).then(|| value.clone()).into_iter().collect(), false);
                        }
                    >
                        <option value="" selected=move || query.with(|q| q.checks.is_empty())>"Any"</option>
                        {move || query.with(|q| several(q.checks.clone()))}
                        {move || {
                            let current = query.with(|q| only(&q.checks));
                            facets()
                                .checks
                                .into_iter()
                                .map(|(c, n)| {
                                    let selected = c == current;
                                    view! { <option value=c.clone() selected=selected>{format!("{c} ({n})")}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                </label>
                <MoreChoices
                    id="filter-check"
                    noun="check"
                    chosen=Signal::derive(move || query.with(|q| q.checks.clone()))
                    options=Signal::derive(move || {
                        facets().checks.into_iter().map(|(c, n)| (c.clone(), format!("{c} ({n})"))).collect::<Vec<_>>()
                    })
                    on_change=Callback::new(move |values: Vec<String>| apply(&|q| q.checks = values.clone(), false))
                />
                <label>
                    <span>"Framework control"</span>
                    <select
                        data-testid="filter-control"
                        on:change=move |ev| {
                            let value = event_target_value(&ev);
                            apply(&|q| q.controls = (!value.is_empty()).then(|| value.clone()).into_iter().collect(), false);
                        }
                    >
                        <option value="" selected=move || query.with(|q| q.controls.is_empty())>"Any"</option>
                        {move || query.with(|q| several(q.controls.clone()))}
                        {move || {
                            let current = query.with(|q| only(&q.controls));
                            facets()
                                .controls
                                .into_iter()
                                .map(|(c, n)| {
                                    let selected = c == current;
                                    view! { <option value=c.clone() selected=selected>{format!("{c} ({n})")}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                </label>
                <MoreChoices
                    id="filter-control"
                    noun="control"
                    chosen=Signal::derive(move || query.with(|q| q.controls.clone()))
                    options=Signal::derive(move || {
                        facets().controls.into_iter().map(|(c, n)| (c.clone(), format!("{c} ({n})"))).collect::<Vec<_>>()
                    })
                    on_change=Callback::new(move |values: Vec<String>| apply(&|q| q.controls = values.clone(), false))
                />
            </Show>
            <button
                type="button"
                data-testid="clear-filters"
                on:click=move |_| {
                    apply(
                        &|q| {
                            *q = IdentityQuery { sort: q.sort, descending: q.descending, ..IdentityQuery::default() };
                        },
                        false,
                    )
                }
            >
                "Clear filters"
            </button>
        </form>
    }
}
