//! Where a fact was read: file, record and line, as the auditor cites it.

use idlens_core::view::Source;
use leptos::prelude::*;

/// The sources of one fact: `identities.json, record 12, line 340`, one per record.
#[component]
pub fn Sources(
    /// Every record behind the fact.
    sources: Vec<Source>,
) -> impl IntoView {
    let items = sources
        .into_iter()
        .map(|s| view! { <li class="src" data-testid="source">{s.label()}</li> })
        .collect_view();
    view! { <ul class="sources">{items}</ul> }
}
