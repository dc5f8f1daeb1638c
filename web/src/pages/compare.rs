//! The compare page: what changed from the baseline (an earlier export of the same tenant) to the loaded snapshot.
//! The headline is the tenant posture before and after with the change in words; then the posture per framework
//! (chart and table), and what was added, removed, newly found, resolved, and whose risk moved most. Identities
//! still in the loaded snapshot link to their page (in every list: identities, grants, findings, risk changes);
//! those that are gone stay plain text.

use idlens_core::diff::ScoreDelta;
use idlens_core::view::compare::{
    Capped, CompareView, FindingChangeView, GrantChangeView, IdentityChangeView, RiskChange,
    delta_words,
};
use idlens_core::view::{Route, ViewAnswer, ViewRequest, format_route};
use leptos::prelude::*;

use crate::components::badges::Level;
use crate::components::dates::{DateForm, Which};
use crate::components::empty::NothingLoaded;
use crate::{Latest, Session};

/// The comparison, or how to get one.
#[component]
pub fn ComparePage() -> impl IntoView {
    let session = expect_context::<Session>();
    // `None`: not answered yet; `Some(None)`: the worker holds no baseline.
    let answer = RwSignal::new(None::<Option<Box<CompareView>>>);
    let failure = RwSignal::new(None::<String>);
    let latest = StoredValue::new_local(Latest::default());
    let has_baseline = move || session.baseline.with(Option::is_some);

    Effect::new(move |_| {
        session.generation.track();
        session.baseline.track();
        if !session.loaded() || !session.baseline.with_untracked(Option::is_some) {
            return;
        }
        answer.set(None);
        let ticket = latest.with_value(Latest::next);
        session.query(&ViewRequest::Compare, move |a| {
            // A page left before its answer came is gone: its values are disposed.
            if latest.try_with_value(|l| l.is(ticket)) != Some(true) {
                return;
            }
            match a {
                ViewAnswer::Compare { compare } => {
                    failure.set(None);
                    answer.set(Some(compare));
                }
                ViewAnswer::Error { message } => failure.set(Some(message)),
                _ => {}
            }
        });
    });

    view! {
        <section class="compare-page" data-testid="compare-page" aria-labelledby="compare-title">
            <div class="page-head">
                <h2 id="compare-title">"Compare with a baseline"</h2>
            </div>
            {move || failure.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
            {move || {
                if !session.loaded() {
                    view! {
                        <NothingLoaded detail="Load a snapshot, then an earlier export of the same tenant to compare it with." />
                    }
                        .into_any()
                } else if !has_baseline() {
                    view! { <NoBaseline /> }.into_any()
                } else {
                    match answer.get() {
                        None => view! { <p class="muted" data-testid="compare-waiting">"Comparing…"</p> }.into_any(),
                        Some(None) => view! { <NoBaseline /> }.into_any(),
                        Some(Some(c)) => view! { <Comparison data=*c /> }.into_any(),
                    }
                }
            }}
        </section>
    }
}

/// Said when there is nothing to compare with yet.
#[component]
fn NoBaseline() -> impl IntoView {
    let session = expect_context::<Session>();
    let demo = move || {
        session.report.with(|r| {
            r.as_ref()
                .is_some_and(|r| r.reports.iter().any(|f| f.path.starts_with("demo/tenant/")))
        })
    };
    view! {
        <div class="empty" data-testid="no-baseline">
            <p>
                "No baseline is loaded. A baseline is an earlier export of the same tenant (last month's, say): "
                "this page then shows what changed since, and whether the posture improved."
            </p>
            <p>
                <a href="#load">"Load a baseline on the load page"</a>
                <Show when=demo>
                    " or "
                    <button type="button" data-testid="compare-baseline-demo" on:click=move |_| session.baseline_demo()>
                        "compare with the demo tenant one month earlier"
                    </button>
                </Show>
                "."
            </p>
        </div>
    }
}

fn score(v: Option<f64>) -> String {
    v.map_or_else(|| "not assessed".to_owned(), |v| format!("{v:.1}"))
}

/// `improved`, `worse` or `same`, for the colour of a change (the words always say it too).
fn trend(d: &ScoreDelta) -> &'static str {
    match d.delta() {
        Some(x) if x >= 0.05 => "better",
        Some(x) if x <= -0.05 => "worse",
        _ => "same",
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn identity_href(key: &str) -> String {
    format_route(&Route::Identity(key.to_owned()))
}

/// The whole comparison.
#[component]
fn Comparison(data: CompareView) -> impl IntoView {
    let session = expect_context::<Session>();
    let baseline_line = move || {
        let now = session.report.with(|r| {
            r.as_ref()
                .map(|r| (r.reports.len(), r.summary.identities.total))
        });
        let then = session.baseline.with(|r| {
            r.as_ref()
                .map(|r| (r.reports.len(), r.summary.identities.total))
        });
        match (then, now) {
            (Some((bf, bi)), Some((nf, ni))) => format!(
                "Baseline: {} and {} identities. Now: {} and {} identities.",
                plural(bf, "file", "files"),
                bi,
                plural(nf, "file", "files"),
                ni
            ),
            _ => String::new(),
        }
    };
    let day = |t: &str| t.get(..10).unwrap_or(t).to_owned();
    let (as_of, as_of_before) = (day(&data.as_of), day(&data.as_of_before));
    let dates_line = if as_of == as_of_before {
        format!(
            "Both evaluated as of {as_of} under the same policy, so only the tenant changed, not the yardstick. Give the day the baseline was taken to judge it as it was then."
        )
    } else {
        format!(
            "The baseline is judged as of {as_of_before}, the day it was taken, and the snapshot as of {as_of}, under the same policy."
        )
    };
    let risk_change = data.total_risk_after as i64 - data.total_risk_before as i64;
    let risk_words = match risk_change {
        0 => "unchanged".to_owned(),
        x if x < 0 => format!("down {}", -x),
        x => format!("up {x}"),
    };
    let tenant_trend = format!("headline {}", trend(&data.tenant));
    let frameworks = data
        .frameworks
        .iter()
        .map(|f| {
            let class = format!("change {}", trend(f));
            view! {
                <tr data-testid="framework-row">
                    <th scope="row">{f.name.clone()}</th>
                    <td class="num">{score(f.before)}</td>
                    <td class="num">{score(f.after)}</td>
                    <td class=class>{delta_words(f)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="compare-meta">
            <p class="muted" data-testid="compare-files">{baseline_line}</p>
            <p class="muted small" data-testid="compare-dates">{dates_line}</p>
            <DateForm which=Which::Baseline />
            <p class="actions">
                <a href="#load">"Load another baseline"</a>
                <button type="button" data-testid="remove-baseline" on:click=move |_| session.clear_baseline()>
                    "Remove baseline"
                </button>
            </p>
        </div>
        <section class=tenant_trend data-testid="compare-headline" aria-label="Tenant posture, baseline and now">
            <p class="label">"Tenant posture"</p>
            <p class="scores">
                <span data-testid="tenant-before">{score(data.tenant.before)}</span>
                <span class="arrow" aria-label="to">" → "</span>
                <span class="after" data-testid="tenant-after">{score(data.tenant.after)}</span>
            </p>
            <p class="words" data-testid="tenant-words">{data.tenant_words.clone()}</p>
            <p class="muted small">
                {format!(
                    "Total identity risk {} → {} ({risk_words}); identities {} → {}.",
                    data.total_risk_before,
                    data.total_risk_after,
                    data.identities_before,
                    data.identities_after,
                )}
            </p>
        </section>
        <div class="summary compare-counts">
            <Tile value=data.identities_added.total testid="count-identities-added" label="identities added" />
            <Tile value=data.identities_removed.total testid="count-identities-removed" label="identities removed" />
            <Tile value=data.grants_added.total testid="count-grants-added" label="grants added" />
            <Tile value=data.grants_removed.total testid="count-grants-removed" label="grants removed" />
            <Tile value=data.findings_new.total testid="count-findings-new" label="new findings" />
            <Tile value=data.findings_resolved.total testid="count-findings-resolved" label="findings resolved" />
        </div>
        <section class="card compare-posture" aria-labelledby="posture-title">
            <h3 id="posture-title">"Posture by framework"</h3>
            <div class="chart-box" data-testid="compare-chart" inner_html=data.chart.clone()></div>
            <table class="plain">
                <caption class="visually-hidden">"Posture score per framework, baseline and now"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Framework"</th>
                        <th scope="col" class="num">"Baseline"</th>
                        <th scope="col" class="num">"Now"</th>
                        <th scope="col">"Change"</th>
                    </tr>
                </thead>
                <tbody>{frameworks}</tbody>
            </table>
        </section>
        <div class="sections compare-sections">
            <Identities title="Identities added" testid="identities-added" list=data.identities_added />
            <Identities title="Identities removed" testid="identities-removed" list=data.identities_removed />
            <Grants title="Grants added" testid="grants-added" list=data.grants_added />
            <Grants title="Grants removed" testid="grants-removed" list=data.grants_removed />
            <Findings title="New findings" testid="findings-new" list=data.findings_new />
            <Findings title="Findings resolved" testid="findings-resolved" list=data.findings_resolved />
            <Risks list=data.risk_changes up=data.risk_up down=data.risk_down />
        </div>
    }
}

/// One count with its words.
#[component]
fn Tile(value: usize, testid: &'static str, label: &'static str) -> impl IntoView {
    view! {
        <div class="stat">
            <span class="value" data-testid=testid>{value}</span>
            <span class="label">{label}</span>
        </div>
    }
}

/// "Showing the first 100 of 412." when a list was capped.
fn shown<T>(list: &Capped<T>) -> Option<String> {
    (list.items.len() < list.total)
        .then(|| format!("Showing the first {} of {}.", list.items.len(), list.total))
}

/// A card with a title, a count, a note when capped, and the table (or a sentence when empty).
fn card(
    title: &'static str,
    testid: &'static str,
    total: usize,
    note: Option<String>,
    head: AnyView,
    rows: AnyView,
) -> impl IntoView {
    let heading = format!("{title} ({total})");
    view! {
        <section class="card" data-testid=testid aria-label=title>
            <h3>{heading}</h3>
            {if total == 0 {
                view! { <p class="muted">"None."</p> }.into_any()
            } else {
                view! {
                    {note.map(|n| view! { <p class="muted small">{n}</p> })}
                    <div class="table-scroll" tabindex="0" role="region" aria-label=format!("{title}, table")>
                        <table class="plain">
                            <thead>{head}</thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                    .into_any()
            }}
        </section>
    }
}

/// A name, linked to the identity page when the identity is in the loaded snapshot.
fn name_link(name: String, key: Option<String>) -> AnyView {
    match key {
        Some(key) => view! { <a href=identity_href(&key)>{name}</a> }.into_any(),
        None => view! { <span>{name}</span> }.into_any(),
    }
}

#[component]
fn Identities(
    title: &'static str,
    testid: &'static str,
    list: Capped<IdentityChangeView>,
) -> impl IntoView {
    let note = shown(&list);
    let rows = list
        .items
        .into_iter()
        .map(|i| {
            view! {
                <tr data-testid="row">
                    <td>{name_link(i.name, i.key)}</td>
                    <td class="muted">{i.kind}</td>
                    <td class="id">{i.id}</td>
                </tr>
            }
        })
        .collect_view()
        .into_any();
    let head = view! {
        <tr>
            <th scope="col">"Identity"</th>
            <th scope="col">"Kind"</th>
            <th scope="col">"Id"</th>
        </tr>
    }
    .into_any();
    card(title, testid, list.total, note, head, rows)
}

#[component]
fn Grants(
    title: &'static str,
    testid: &'static str,
    list: Capped<GrantChangeView>,
) -> impl IntoView {
    let note = shown(&list);
    let rows = list
        .items
        .into_iter()
        .map(|g| {
            view! {
                <tr data-testid="row">
                    <td>{name_link(g.identity, g.key)}</td>
                    <td>{g.role}</td>
                    <td class="id">{g.scope}</td>
                </tr>
            }
        })
        .collect_view()
        .into_any();
    let head = view! {
        <tr>
            <th scope="col">"Identity"</th>
            <th scope="col">"Role"</th>
            <th scope="col">"Scope"</th>
        </tr>
    }
    .into_any();
    card(title, testid, list.total, note, head, rows)
}

#[component]
fn Findings(
    title: &'static str,
    testid: &'static str,
    list: Capped<FindingChangeView>,
) -> impl IntoView {
    let note = shown(&list);
    let rows = list
        .items
        .into_iter()
        .map(|f| {
            view! {
                <tr data-testid="row">
                    <td><Level level=f.severity /></td>
                    <td class="nowrap">{f.check_id}</td>
                    <td>{name_link(f.identity, f.key)}</td>
                    <td class="message">{f.message}</td>
                </tr>
            }
        })
        .collect_view()
        .into_any();
    let head = view! {
        <tr>
            <th scope="col">"Severity"</th>
            <th scope="col">"Check"</th>
            <th scope="col">"Identity"</th>
            <th scope="col">"Finding"</th>
        </tr>
    }
    .into_any();
    card(title, testid, list.total, note, head, rows)
}

#[component]
fn Risks(list: Capped<RiskChange>, up: usize, down: usize) -> impl IntoView {
    let note = Some(format!(
        "{} riskier, {} less risky; the largest changes first.",
        plural(up, "identity", "identities"),
        down
    ));
    let rows = list
        .items
        .into_iter()
        .map(|r| {
            let (class, words) = if r.delta > 0 {
                ("change worse", format!("+{}", r.delta))
            } else {
                ("change better", format!("−{}", -r.delta))
            };
            view! {
                <tr data-testid="row">
                    <td>{name_link(r.name, r.key)}</td>
                    <td class="muted">{r.kind}</td>
                    <td class="num">{r.before}</td>
                    <td class="num">{r.after}</td>
                    <td class=format!("num {class}")>{words}</td>
                </tr>
            }
        })
        .collect_view()
        .into_any();
    let head = view! {
        <tr>
            <th scope="col">"Identity"</th>
            <th scope="col">"Kind"</th>
            <th scope="col" class="num">"Risk then"</th>
            <th scope="col" class="num">"Now"</th>
            <th scope="col" class="num">"Change"</th>
        </tr>
    }
    .into_any();
    card(
        "Biggest risk changes",
        "risk-changes",
        list.total,
        note,
        head,
        rows,
    )
}
