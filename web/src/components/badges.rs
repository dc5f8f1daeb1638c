//! Small chips: severity and risk band (coloured, always with their word so colour is never the only signal) and
//! environment.

use idlens_core::model::Environment;
use leptos::prelude::*;

use crate::format;

/// A severity or band chip: `critical`, `high`, `medium`, `low`, `info`.
#[component]
pub fn Level(
    /// The kebab-case level.
    level: String,
) -> impl IntoView {
    let class = format!("chip level-{level}");
    view! { <span class=class>{format::capitalised(&level)}</span> }
}

/// A risk score with its band.
#[component]
pub fn Risk(
    /// 0–100.
    risk: u8,
    /// `low`, `medium`, `high`, `critical`.
    band: String,
) -> impl IntoView {
    let class = format!("chip risk level-{band}");
    let label = format!("Risk {risk} of 100, {band}");
    view! {
        <span class=class aria-label=label title=format!("{} band", format::capitalised(&band))>
            {risk}
        </span>
    }
}

/// An environment chip.
#[component]
pub fn Env(
    /// The environment.
    env: Environment,
    /// The short word (`Prod`, `Non-prod`) for narrow cells.
    #[prop(optional)]
    short: bool,
) -> impl IntoView {
    let class = match env {
        Environment::Prod => "chip env-prod",
        Environment::NonProd => "chip env-nonprod",
        Environment::Unknown => "chip env-unknown",
    };
    let text = if short {
        format::environment_short(env)
    } else {
        format::environment(env)
    };
    view! { <span class=class title=format::environment(env)>{text}</span> }
}
