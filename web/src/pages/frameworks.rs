//! The frameworks page: every framework's posture (`#frameworks`), and one framework's controls
//! (`#frameworks/<key>`): each control's status and score, the checks behind it (and the export a check that could
//! not run needs), and the identities with an open finding mapped to it, linking to the identities table filtered
//! by that control.

use idlens_core::findings::CheckStatus;
use idlens_core::view::frameworks::{
    ControlCheck, ControlView, FrameworkDetail, FrameworkSummary, FrameworksView,
};
use idlens_core::view::{
    IdentityColumn, IdentityQuery, Route, ViewAnswer, ViewRequest, format_route,
};
use leptos::prelude::*;

use crate::components::badges::Risk;
use crate::components::empty::NothingLoaded;
use crate::pages::dashboard::{Score, Status, band_id, with_code};
use crate::{Latest, Session};

/// The frameworks page; the framework in the URL opens its controls.
#[component]
pub fn FrameworksPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let selected = Memo::new(move |_| match session.route.get() {
        Route::Frameworks(key) => key,
        _ => None,
    });
    let answer = RwSignal::new(None::<Box<FrameworksView>>);
    let failure = RwSignal::new(None::<String>);
    let latest = StoredValue::new_local(Latest::default());

    Effect::new(move |_| {
        session.generation.track();
        let framework = selected.get();
        if !session.loaded() {
            return;
        }
        let ticket = latest.with_value(Latest::next);
        session.query(&ViewRequest::Frameworks { framework }, move |a| {
            // A page left before its answer came is gone: its values are disposed.
            if latest.try_with_value(|l| l.is(ticket)) != Some(true) {
                return;
            }
            match a {
                ViewAnswer::Frameworks(f) => {
                    failure.set(None);
                    answer.set(Some(f));
                }
                ViewAnswer::Error { message } => failure.set(Some(message)),
                _ => {}
            }
        });
    });

    view! {
        <section class="frameworks-page" aria-labelledby="frameworks-title" data-testid="frameworks-page">
            <div class="page-head">
                <h2 id="frameworks-title">"Frameworks"</h2>
                <p class="count">"Posture by framework and control, from the checks that could run"</p>
            </div>
            {move || failure.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
            {move || {
                if !session.loaded() {
                    return view! { <NothingLoaded /> }.into_any();
                }
                match answer.get() {
                    None => view! { <p class="muted" role="status">"Scoring…"</p> }.into_any(),
                    Some(f) => {
                        let f = *f;
                        let current = f.selected.as_ref().map(|d| d.summary.key.clone());
                        view! {
                            <FrameworkList frameworks=f.frameworks current=current />
                            {f.unknown.map(|key| view! {
                                <p class="empty" data-testid="unknown-framework">
                                    {format!("No framework is called “{key}”. Pick one above.")}
                                </p>
                            })}
                            {f.selected.map(|d| view! { <Controls detail=d /> })}
                        }
                            .into_any()
                    }
                }
            }}
        </section>
    }
}

/// Every framework, one row each; the name opens its controls.
#[component]
fn FrameworkList(
    /// Every framework.
    frameworks: Vec<FrameworkSummary>,
    /// The key of the one open below, if any.
    current: Option<String>,
) -> impl IntoView {
    let rows = frameworks
        .into_iter()
        .map(|f| {
            let href = format_route(&Route::Frameworks(Some(f.key.clone())));
            let here = (current.as_deref() == Some(f.key.as_str())).then_some("page");
            let assessed = format!(
                "{} of {} ({:.0}%)",
                f.controls_assessed,
                f.controls_in_scope,
                f.coverage * 100.0
            );
            view! {
                <tr data-testid="framework-row" data-key=f.key.clone() class:current=here.is_some()>
                    <th scope="row">
                        <a href=href aria-current=here data-testid="framework-link">{f.name}</a>
                    </th>
                    <td class="num"><Score score=f.score /></td>
                    <td><Status status=f.status /></td>
                    <td class="num">{assessed}</td>
                    <td class="num">{format!("{} of {}", f.controls_in_scope, f.controls_known)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="card wide fw-list">
            <table class="plain" data-testid="frameworks-table">
                <caption class="visually-hidden">"Posture per framework; each name opens its controls"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Framework"</th>
                        <th scope="col" class="num">"Score (of 100)"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col" class="num">"Controls assessed"</th>
                        <th scope="col" class="num">"Controls with a check"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <p class="muted small">
                "Scores weigh each assessed check by its severity. A control whose checks could not run is not assessed, never counted as met. ≥ 90 satisfied, 70–89 partial, below 70 not satisfied; an open critical finding caps a control at partial."
            </p>
        </div>
    }
}

/// One framework's controls.
#[component]
fn Controls(
    /// The framework.
    detail: FrameworkDetail,
) -> impl IntoView {
    let s = detail.summary;
    let line = format!(
        "{} of {} controls in scope assessed ({:.0}%).",
        s.controls_assessed,
        s.controls_in_scope,
        s.coverage * 100.0
    );
    let key = s.key.clone();
    let rows = detail
        .controls
        .into_iter()
        .map(|c| view! { <ControlRow control=c /> })
        .collect_view();
    let uncovered = (!detail.uncovered.is_empty()).then(|| {
        let n = detail.uncovered.len();
        let items = detail
            .uncovered
            .into_iter()
            .map(|(id, title)| view! { <li><strong>{id}</strong>" "{title}</li> })
            .collect_view();
        view! {
            <details class="uncovered">
                <summary>{format!("{n} controls of this framework have no check in this version")}</summary>
                <ul>{items}</ul>
            </details>
        }
    });
    view! {
        <section class="card wide fw-detail" aria-labelledby="fw-detail-title" data-testid="framework-detail" data-key=key>
            <div class="fw-head">
                <h3 id="fw-detail-title">{s.name.clone()}</h3>
                <span class="fw-score"><Score score=s.score />" "<Status status=s.status /></span>
            </div>
            <p class="muted small">{line}</p>
            <div class="table-scroll">
                <table class="plain controls" data-testid="controls-table">
                    <caption class="visually-hidden">{format!("Controls of {} with their checks and failing identities", s.name)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Control"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col" class="num">"Score"</th>
                            <th scope="col">"Checks behind it"</th>
                            <th scope="col">"Identities failing"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {uncovered}
        </section>
    }
}

/// One control: status, score, checks, failing identities.
#[component]
fn ControlRow(
    /// The control.
    control: ControlView,
) -> impl IntoView {
    let c = control;
    let checks = c
        .checks
        .iter()
        .map(|k| view! { <CheckLine check=k.clone() /> })
        .collect_view();
    let all = format_route(&Route::Identities(IdentityQuery {
        controls: vec![c.filter.clone()],
        sort: IdentityColumn::Risk,
        descending: true,
        ..IdentityQuery::default()
    }));
    let failing = c.failing;
    let identities = if failing == 0 {
        view! { <span class="muted" data-testid="control-none">"None"</span> }.into_any()
    } else {
        let top = c
            .top_failing
            .iter()
            .map(|i| {
                let href = format_route(&Route::Identity(i.key.clone()));
                view! {
                    <li>
                        <Risk risk=i.risk band=band_id(i.band).to_owned() />
                        " "
                        <a href=href data-testid="control-identity">{i.name.clone()}</a>
                    </li>
                }
            })
            .collect_view();
        let label = if failing == 1 {
            "1 identity".to_owned()
        } else {
            format!("all {failing} identities")
        };
        view! {
            <a href=all data-testid="control-all" data-count=failing>{label}</a>
            <details>
                <summary>{format!("Riskiest {}", c.top_failing.len())}</summary>
                <ul class="failing">{top}</ul>
            </details>
        }
        .into_any()
    };
    let other = (c.other_findings > 0).then(|| {
        let n = c.other_findings;
        let words = if n == 1 {
            "and 1 finding about no single identity".to_owned()
        } else {
            format!("and {n} findings about no single identity")
        };
        view! { <p class="muted small">{words}</p> }
    });
    let coverage = format!("{:.0}% assessed", c.coverage * 100.0);
    // OWASP titles already start with their id (`NHI1:2025 Improper Offboarding`): say it once.
    let id_in_title = c.title.starts_with(c.id.as_str());
    view! {
        <tr data-testid="control-row" data-control=c.id.clone() data-filter=c.filter.clone()>
            <th scope="row" class="control">
                {(!id_in_title).then(|| view! { <span class="cid">{c.id.clone()}</span> })}
                <span class="ctitle" class:strong=id_in_title>{c.title.clone()}</span>
                {c.procedural.then(|| view! {
                    <span class="chip" title="Procedural: an inventory only partly evidences it">"procedural"</span>
                })}
            </th>
            <td><Status status=c.status /></td>
            <td class="num"><Score score=c.score /><br /><span class="muted small nowrap" title="Share of its checks that could be assessed">{coverage}</span></td>
            <td><ul class="checks">{checks}</ul></td>
            <td class="failing-cell">{identities}{other}</td>
        </tr>
    }
}

/// A check behind a control, and whether it could run.
#[component]
fn CheckLine(
    /// The check.
    check: ControlCheck,
) -> impl IntoView {
    let state = match check.status {
        CheckStatus::NotEvaluated => {
            let needs = if check.missing_exports.is_empty() {
                "not assessable by this version".to_owned()
            } else {
                format!("needs {}", check.missing_exports.join(" and "))
            };
            format!("Not evaluated: {needs}.")
        }
        _ if !check.assessed => "Ran, with nothing to assess.".to_owned(),
        CheckStatus::Partial => format!(
            "{} open of {} checked (some optional data missing).",
            check.open_findings, check.applicable
        ),
        CheckStatus::Evaluated => format!(
            "{} open of {} checked.",
            check.open_findings, check.applicable
        ),
    };
    let class = if check.assessed { "state" } else { "state na" };
    view! {
        <li data-testid="control-check" data-assessed=check.assessed.to_string()>
            <span class="cid">{check.id}</span>" "{check.title}
            <br />
            <span class=class>{with_code(&state)}</span>
        </li>
    }
}
