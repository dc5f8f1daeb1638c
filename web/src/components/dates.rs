//! The audit date and the baseline's date: the day findings are judged at (staleness, expiry and rotation count
//! from it). An export opened weeks after it was taken should be judged as of the day it was taken, as the CLI's
//! `--as-of` does; a baseline as of its own day. The worker keeps the audit date across loads, like the policy.

use idlens_core::view::{ViewAnswer, ViewRequest};
use leptos::prelude::*;

use crate::Session;

/// What the worker says of the two dates.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Dates {
    as_of: Option<String>,
    baseline_as_of: Option<String>,
    baseline_own_date: bool,
}

/// Which date a form sets.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// The audit date of the loaded snapshot.
    Audit,
    /// The day the baseline was taken.
    Baseline,
}

/// Ask the worker to set (or, with neither field, just tell) the dates; a change re-asks every page.
fn send(
    session: Session,
    request: ViewRequest,
    dates: RwSignal<Option<Dates>>,
    error: RwSignal<Option<String>>,
    changed: bool,
) {
    session.query(&request, move |a| {
        // A form left before its answer came is gone: its values are disposed.
        if dates.is_disposed() {
            return;
        }
        match a {
            ViewAnswer::Dates {
                as_of,
                baseline_as_of,
                baseline_own_date,
            } => {
                error.set(None);
                dates.set(Some(Dates {
                    as_of,
                    baseline_as_of,
                    baseline_own_date,
                }));
                if changed {
                    session.generation.update(|g| *g += 1);
                }
            }
            ViewAnswer::Error { message } => error.set(Some(message)),
            _ => {}
        }
    });
}

/// A small form that shows and sets one of the two dates.
#[component]
pub fn DateForm(which: Which) -> impl IntoView {
    let session = expect_context::<Session>();
    let dates = RwSignal::new(None::<Dates>);
    let error = RwSignal::new(None::<String>);
    let typed = RwSignal::new(String::new());
    Effect::new(move |_| {
        session.generation.track();
        send(
            session,
            ViewRequest::SetDates {
                as_of: None,
                baseline_as_of: None,
            },
            dates,
            error,
            false,
        );
    });
    let shown = move || {
        dates.with(|d| {
            d.as_ref().and_then(|d| match which {
                Which::Audit => d.as_of.clone(),
                Which::Baseline => d.baseline_as_of.clone(),
            })
        })
    };
    let apply = move |value: String| {
        let request = match which {
            Which::Audit => ViewRequest::SetDates {
                as_of: Some(value),
                baseline_as_of: None,
            },
            Which::Baseline => ViewRequest::SetDates {
                as_of: None,
                baseline_as_of: Some(value),
            },
        };
        send(session, request, dates, error, true);
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let value = typed.get_untracked();
        if !value.is_empty() {
            apply(value);
        }
    };
    let (label, testid, help) = match which {
        Which::Audit => (
            "Audit date",
            "audit-date",
            "Findings are judged as of this day: staleness, expiry and rotation count from it. Set it to the day the export was taken to judge it as it was then.",
        ),
        Which::Baseline => (
            "Baseline taken on",
            "baseline-date",
            "The baseline is judged as of this day. Set it to the day the earlier export was taken; until then it is judged at the audit date, like the snapshot.",
        ),
    };
    let own = move || dates.with(|d| d.as_ref().is_some_and(|d| d.baseline_own_date));
    view! {
        <form class="date-form" data-testid=testid on:submit=on_submit>
            <label>
                <span>{label}</span>
                <input
                    type="date"
                    data-testid=format!("{testid}-input")
                    prop:value=move || shown().unwrap_or_default()
                    on:input=move |ev| typed.set(event_target_value(&ev))
                />
            </label>
            <button type="submit" data-testid=format!("{testid}-apply")>"Apply"</button>
            <Show when=move || which == Which::Baseline && own()>
                <button
                    type="button"
                    data-testid="baseline-date-reset"
                    on:click=move |_| apply(String::new())
                >
                    "Use the audit date"
                </button>
            </Show>
            <span class="muted small" data-testid=format!("{testid}-shown")>
                {move || shown().map(|d| format!("Now: {d}.")).unwrap_or_default()}
            </span>
            <p class="muted small">{help}</p>
            {move || error.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
        </form>
    }
}
