//! The dashboard: the tenant at a glance for an executive reader. Posture score with its coverage, open findings by
//! severity, identities by risk band, posture per framework, the riskiest identities, the remediation actions that
//! remove the most risk, the six charts (each with a sentence and its numbers as a table), what could not be
//! assessed and what was read.
//!
//! Two questions: [`ViewRequest::Dashboard`] first, then [`ViewRequest::DashboardActions`] (the plan re-scores every
//! candidate action, which takes a while on a large tenant), so the dashboard shows before the actions do.

use idlens_core::score::{Band, PostureStatus};
use idlens_core::view::dashboard::{
    ActionsView, ChartView, DashboardView, MissingExports, ReadSummary, RiskyIdentity,
};
use idlens_core::view::frameworks::FrameworkSummary;
use idlens_core::view::{
    IdentityColumn, IdentityQuery, Route, SeverityCounts, ViewAnswer, ViewRequest, format_route,
    kind_label,
};
use leptos::prelude::*;

use crate::components::badges::{Level, Risk};
use crate::components::empty::NothingLoaded;
use crate::{Latest, Session, format};

/// The dashboard page.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let dashboard = RwSignal::new(None::<Box<DashboardView>>);
    let actions = RwSignal::new(None::<ActionsView>);
    let failure = RwSignal::new(None::<String>);
    let latest = StoredValue::new_local(Latest::default());

    Effect::new(move |_| {
        session.generation.track();
        if !session.loaded() {
            return;
        }
        let ticket = latest.with_value(Latest::next);
        session.query(&ViewRequest::Dashboard, move |answer| {
            // A page left before its answer came is gone: its values are disposed.
            if latest.try_with_value(|l| l.is(ticket)) != Some(true) {
                return;
            }
            match answer {
                ViewAnswer::Dashboard(d) => {
                    failure.set(None);
                    dashboard.set(Some(d));
                }
                ViewAnswer::Error { message } => failure.set(Some(message)),
                _ => {}
            }
        });
        // The worker answers in order: the actions come after the dashboard has been sent.
        session.query(
            &ViewRequest::DashboardActions { limit: None },
            move |answer| {
                // A page left before its answer came is gone: its values are disposed.
                if latest.try_with_value(|l| l.is(ticket)) != Some(true) {
                    return;
                }
                match answer {
                    ViewAnswer::DashboardActions(a) => actions.set(Some(a)),
                    ViewAnswer::Error { message } => failure.set(Some(message)),
                    _ => {}
                }
            },
        );
    });

    view! {
        <section class="dashboard-page" aria-labelledby="dashboard-title" data-testid="dashboard-page">
            <div class="page-head">
                <h2 id="dashboard-title">"Dashboard"</h2>
                {move || {
                    dashboard
                        .with(|d| d.as_ref().map(|d| format!("As of {}", &d.as_of[..10.min(d.as_of.len())])))
                        .map(|t| view! { <p class="count">{t}</p> })
                }}
            </div>
            {move || failure.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
            {move || {
                if !session.loaded() {
                    return view! { <NothingLoaded /> }.into_any();
                }
                match dashboard.get() {
                    None => view! { <p class="muted" role="status">"Scoring…"</p> }.into_any(),
                    Some(d) => view! { <Body dashboard=*d actions=actions /> }.into_any(),
                }
            }}
        </section>
    }
}

/// Everything below the title.
#[component]
fn Body(
    /// The worker's answer.
    dashboard: DashboardView,
    /// The remediation actions, when they have arrived.
    actions: RwSignal<Option<ActionsView>>,
) -> impl IntoView {
    let d = dashboard;
    view! {
        <ReadLine read=d.read />
        <div class="dash-hero">
            <PostureCard dashboard=d.clone() />
            <FindingsCard open=d.open waived=d.waived />
            <BandsCard dashboard=d.clone() />
        </div>
        <div class="dash-grid">
            <FrameworksCard frameworks=d.frameworks.clone() />
            <TopIdentities identities=d.top_identities.clone() high=d.high_risk_identities />
            <Actions actions=actions />
            <NotAssessed groups=d.not_evaluated.clone() partial=d.partial.len() not_assessable=d.not_assessable.clone() />
        </div>
        <h3 class="dash-section">"Charts"</h3>
        <div class="dash-charts">
            {d.charts.into_iter().map(|c| view! { <ChartCard chart=c /> }).collect_view()}
        </div>
    }
}

/// `72.4`, or `72` when whole.
fn score_text(score: f64) -> String {
    if score.fract() == 0.0 {
        format!("{score:.0}")
    } else {
        format!("{score:.1}")
    }
}

/// A percentage of a share in [0, 1].
fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

/// A posture status in words.
#[must_use]
pub fn status_word(status: PostureStatus) -> &'static str {
    match status {
        PostureStatus::Satisfied => "Satisfied",
        PostureStatus::Partial => "Partial",
        PostureStatus::NotSatisfied => "Not satisfied",
        PostureStatus::NotAssessed => "Not assessed",
    }
}

/// A posture status chip: the word, with a colour that only reinforces it.
#[component]
pub fn Status(
    /// The status.
    status: PostureStatus,
) -> impl IntoView {
    let class = match status {
        PostureStatus::Satisfied => "chip status status-ok",
        PostureStatus::Partial => "chip status status-partial",
        PostureStatus::NotSatisfied => "chip status status-fail",
        PostureStatus::NotAssessed => "chip status status-na",
    };
    view! { <span class=class data-status=status_word(status)>{status_word(status)}</span> }
}

/// A score out of 100, or "not assessed" (never 100).
#[component]
pub fn Score(
    /// `None`: not assessed.
    score: Option<f64>,
) -> impl IntoView {
    match score {
        Some(s) => {
            view! { <span class="score" data-score=score_text(s)>{score_text(s)}</span> }.into_any()
        }
        None => view! { <span class="score na" data-score="">"not assessed"</span> }.into_any(),
    }
}

/// Files, records and set-aside in one line, linking to the load page.
#[component]
fn ReadLine(
    /// Totals over the files read.
    read: ReadSummary,
) -> impl IntoView {
    let unrecognised =
        (read.unrecognised > 0).then(|| format!(", {} not recognised", read.unrecognised));
    view! {
        <p class="read-line" data-testid="read-line">
            {format!(
                "Read {} files, {} records: {} ingested, {} merged, {} set aside{}. ",
                read.files,
                read.records,
                read.ingested,
                read.merged,
                read.set_aside,
                unrecognised.unwrap_or_default(),
            )}
            <a href="#load">"What was read, file by file"</a>
        </p>
    }
}

/// The tenant's posture score, its status and coverage.
#[component]
fn PostureCard(
    /// The dashboard.
    dashboard: DashboardView,
) -> impl IntoView {
    let t = dashboard.tenant;
    let coverage = format!(
        "{} of {} checks assessed ({})",
        t.checks_assessed,
        t.checks_total,
        percent(t.coverage)
    );
    let score = t.score.map(score_text);
    let data_score = score.clone().unwrap_or_default();
    view! {
        <section class="card hero posture" aria-labelledby="posture-title" data-testid="tenant-posture">
            <h3 id="posture-title">"Tenant posture"</h3>
            <p class="big" data-testid="tenant-score" data-score=data_score>
                {match score {
                    Some(s) => view! { <span class="value">{s}</span><span class="unit">" / 100"</span> }.into_any(),
                    None => view! { <span class="value na">"Not assessed"</span> }.into_any(),
                }}
            </p>
            <p><Status status=t.status /></p>
            <p class="muted small" data-testid="tenant-coverage">{coverage}</p>
        </section>
    }
}

/// Open findings by severity, each linking to the identities that have one.
#[component]
fn FindingsCard(
    /// Open findings by severity.
    open: SeverityCounts,
    /// Waived findings.
    waived: u64,
) -> impl IntoView {
    let rows = ["critical", "high", "medium", "low", "info"]
        .into_iter()
        .map(|sev| {
            let href = format_route(&Route::Identities(IdentityQuery {
                severities: vec![sev.to_owned()],
                sort: IdentityColumn::Risk,
                descending: true,
                ..IdentityQuery::default()
            }));
            let n = open.of(sev);
            view! {
                <li data-testid="severity-count" data-severity=sev data-count=n>
                    <Level level=sev.to_owned() />
                    <a href=href class="num" aria-label=format!("{n} open {sev} findings: show the identities")>{n}</a>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card hero" aria-labelledby="findings-title" data-testid="findings-summary">
            <h3 id="findings-title">"Open findings"</h3>
            <p class="big"><span class="value" data-testid="open-findings">{open.total()}</span></p>
            <ul class="severity-list">{rows}</ul>
            <p class="muted small" data-testid="waived">
                {match waived {
                    0 => "None waived.".to_owned(),
                    1 => "1 more is waived (shown, not counted).".to_owned(),
                    n => format!("{n} more are waived (shown, not counted)."),
                }}
            </p>
        </section>
    }
}

/// Identities by risk band.
#[component]
fn BandsCard(
    /// The dashboard.
    dashboard: DashboardView,
) -> impl IntoView {
    let t = dashboard.tenant;
    let rows = t
        .bands
        .iter()
        .rev()
        .map(|(band, n)| {
            let word = band_id(*band);
            view! {
                <li data-band=word>
                    <Level level=word.to_owned() />
                    <span class="num">{*n}</span>
                </li>
            }
        })
        .collect_view();
    let browse = format_route(&Route::Identities(IdentityQuery {
        sort: IdentityColumn::Risk,
        descending: true,
        ..IdentityQuery::default()
    }));
    view! {
        <section class="card hero" aria-labelledby="bands-title">
            <h3 id="bands-title">"Identities by risk"</h3>
            <p class="big">
                <span class="value" data-testid="high-risk">{dashboard.high_risk_identities}</span>
                <span class="unit">{format!(" of {} high or critical", t.identities)}</span>
            </p>
            <ul class="severity-list">{rows}</ul>
            <p class="muted small">
                {format!("Total risk {} (the sum of every identity's risk). ", t.total_risk)}
                <a href=browse>"All identities by risk"</a>
            </p>
        </section>
    }
}

/// Text whose `backticked` parts (command lines in export hints) are shown as code; all of it as text nodes.
#[must_use]
pub fn with_code(text: &str) -> impl IntoView + use<> {
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                view! { <code>{part.to_owned()}</code> }.into_any()
            } else {
                part.to_owned().into_any()
            }
        })
        .collect_view()
}

/// `low` … `critical`.
#[must_use]
pub fn band_id(band: Band) -> &'static str {
    match band {
        Band::Low => "low",
        Band::Medium => "medium",
        Band::High => "high",
        Band::Critical => "critical",
    }
}

/// Posture per framework, each linking to its controls.
#[component]
fn FrameworksCard(
    /// Every framework.
    frameworks: Vec<FrameworkSummary>,
) -> impl IntoView {
    let rows = frameworks
        .into_iter()
        .map(|f| {
            let href = format_route(&Route::Frameworks(Some(f.key.clone())));
            let coverage = format!(
                "{} of {} controls ({})",
                f.controls_assessed,
                f.controls_in_scope,
                percent(f.coverage)
            );
            view! {
                <tr data-testid="dash-framework" data-key=f.key.clone()>
                    <th scope="row"><a href=href>{f.name}</a></th>
                    <td class="num"><Score score=f.score /></td>
                    <td><Status status=f.status /></td>
                    <td class="muted">{coverage}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card wide" aria-labelledby="fw-title">
            <h3 id="fw-title">"Posture per framework"</h3>
            <table class="plain">
                <thead>
                    <tr>
                        <th scope="col">"Framework"</th>
                        <th scope="col" class="num">"Score (of 100)"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Controls assessed"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <p class="muted small">
                "A control with no assessed check is not assessed, never counted as met. "
                <a href="#frameworks">"Every control, framework by framework"</a>
            </p>
        </section>
    }
}

/// The riskiest identities.
#[component]
fn TopIdentities(
    /// Riskiest first.
    identities: Vec<RiskyIdentity>,
    /// Identities in the high or critical band.
    high: u64,
) -> impl IntoView {
    let rows = identities
        .into_iter()
        .map(|i| {
            let href = format_route(&Route::Identity(i.key.clone()));
            let finding = i.top_finding.clone().map(|f| {
                view! {
                    <Level level=f.severity.clone() />
                    " "
                    <span title=f.check_id.clone()>{f.title}</span>
                }
            });
            view! {
                <tr data-testid="top-identity" data-risk=i.risk>
                    <td class="name"><a href=href data-testid="top-identity-link">{i.name}</a></td>
                    <td class="muted">{format::kind_short(i.kind)}<span class="visually-hidden">{format!(" ({})", kind_label(i.kind))}</span></td>
                    <td class="num"><Risk risk=i.risk band=band_id(i.band).to_owned() /></td>
                    <td>{finding}</td>
                </tr>
            }
        })
        .collect_view();
    let all = format_route(&Route::Identities(IdentityQuery {
        sort: IdentityColumn::Risk,
        descending: true,
        ..IdentityQuery::default()
    }));
    view! {
        <section class="card" aria-labelledby="top-title" data-testid="top-identities">
            <h3 id="top-title">"Riskiest identities"</h3>
            <table class="plain">
                <thead>
                    <tr>
                        <th scope="col">"Identity"</th>
                        <th scope="col">"Kind"</th>
                        <th scope="col" class="num">"Risk"</th>
                        <th scope="col">"Most severe finding"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <p class="muted small">
                {format!("{high} identities are high or critical risk. ")}
                <a href=all>"All identities by risk"</a>
            </p>
        </section>
    }
}

/// The remediation actions that remove the most risk.
#[component]
fn Actions(
    /// The actions, once the plan is computed.
    actions: RwSignal<Option<ActionsView>>,
) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="actions-title" data-testid="actions">
            <h3 id="actions-title">"Fix these first"</h3>
            {move || match actions.get() {
                None => view! { <p class="muted" role="status">"Ranking the remediation actions…"</p> }.into_any(),
                Some(a) if a.actions.is_empty() => {
                    view! { <p class="muted">"No action would lower the tenant's risk."</p> }.into_any()
                }
                Some(a) => {
                    let share = if a.tenant_risk == 0 {
                        0.0
                    } else {
                        a.listed_risk_removed as f64 / a.tenant_risk as f64
                    };
                    let intro = format!(
                        "These {} actions remove {} of the tenant's total risk of {} ({}).",
                        a.actions.len(),
                        a.listed_risk_removed,
                        a.tenant_risk,
                        percent(share)
                    );
                    let rows = a
                        .actions
                        .into_iter()
                        .map(|x| {
                            let who = match &x.identity_key {
                                Some(key) => {
                                    let href = format_route(&Route::Identity(key.clone()));
                                    view! { <a href=href data-testid="action-identity">{x.identity_name.clone()}</a> }
                                        .into_any()
                                }
                                None => view! { <span>{x.identity_name.clone()}</span> }.into_any(),
                            };
                            view! {
                                <tr data-testid="action" data-removed=x.risk_removed>
                                    <td>{x.description}<br /><span class="muted small">{who}</span></td>
                                    <td class="num removed">
                                        <strong>{format!("−{}", x.risk_removed)}</strong>
                                        <br />
                                        <span class="muted small">{format!("{} → {}", x.risk_before, x.risk_after)}</span>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view();
                    view! {
                        <p class="small">{intro}</p>
                        <table class="plain">
                            <thead>
                                <tr>
                                    <th scope="col">"Action"</th>
                                    <th scope="col" class="num">"Risk removed"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                        <p class="muted small">{format!("{} actions in the full plan.", a.total)}</p>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

/// Checks that could not run, and the exports that would let them.
#[component]
fn NotAssessed(
    /// Not-evaluated checks by missing exports.
    groups: Vec<MissingExports>,
    /// Checks that ran without optional data.
    partial: usize,
    /// What no export of this version can assess.
    not_assessable: Vec<String>,
) -> impl IntoView {
    let count: usize = groups.iter().map(|g| g.checks.len()).sum();
    let body = if groups.is_empty() {
        view! { <p data-testid="all-assessed">"Every check could run on the exports given."</p> }
            .into_any()
    } else {
        let items = groups
            .into_iter()
            .map(|g| {
                let checks = g
                    .checks
                    .iter()
                    .map(|c| format!("{} {}", c.id, c.title))
                    .collect::<Vec<_>>();
                let needs = format!("Needs {}", g.exports.join(" and "));
                view! {
                    <li data-testid="missing-export">
                        <span class="needs">{with_code(&needs)}</span>
                        <ul class="checks">{checks.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul>
                    </li>
                }
            })
            .collect_view();
        view! {
            <p>{format!("{count} checks could not run: they are reported as not evaluated, never as passed.")}</p>
            <ul class="missing">{items}</ul>
        }
            .into_any()
    };
    view! {
        <section class="card wide" aria-labelledby="na-title" data-testid="not-assessed">
            <h3 id="na-title">"What could not be assessed"</h3>
            {body}
            {(partial > 0).then(|| view! {
                <p class="muted small">{format!("{partial} more checks ran without some optional data; their notes say what they could not see.")}</p>
            })}
            {(!not_assessable.is_empty()).then(|| view! {
                <p class="muted small">{format!("Not assessable from exports at all: {}.", not_assessable.join("; "))}</p>
            })}
        </section>
    }
}

/// One chart: the core's SVG (labels escaped by the core), a sentence, and its numbers in a table.
#[component]
fn ChartCard(
    /// The chart.
    chart: ChartView,
) -> impl IntoView {
    let title_id = format!("chart-{}", chart.id);
    let labelled_by = title_id.clone();
    let chart_id = chart.id.clone();
    let headers = chart
        .table
        .headers
        .iter()
        .map(|h| view! { <th scope="col">{h.clone()}</th> })
        .collect_view();
    let rows = chart
        .table
        .rows
        .into_iter()
        .map(|row| {
            let mut cells = row.into_iter();
            let head = cells.next().unwrap_or_default();
            view! {
                <tr>
                    <th scope="row">{head}</th>
                    {cells.map(|c| view! { <td class="num">{c}</td> }).collect_view()}
                </tr>
            }
        })
        .collect_view();
    view! {
        <figure class="card chart-card" aria-labelledby=labelled_by data-testid="chart" data-chart=chart_id>
            <h4 id=title_id>{chart.title.clone()}</h4>
            <div class="chart-box" inner_html=chart.svg></div>
            <figcaption class="small">{chart.summary}</figcaption>
            <details>
                <summary>"The numbers"</summary>
                <table class="plain">
                    <caption class="visually-hidden">{chart.title}</caption>
                    <thead><tr>{headers}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </details>
        </figure>
    }
}
