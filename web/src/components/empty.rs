//! What a page says when no snapshot is open: a sentence, and the two ways to open one.

use leptos::prelude::*;

use crate::Session;

/// "Nothing is loaded yet", with a link to the load page and a button that opens the demo tenant.
#[component]
pub fn NothingLoaded(
    /// Said after "Nothing is loaded yet." (empty for nothing more).
    #[prop(default = "")]
    detail: &'static str,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let sentence = if detail.is_empty() {
        "Nothing is loaded yet.".to_owned()
    } else {
        format!("Nothing is loaded yet. {detail}")
    };
    view! {
        <div class="empty" data-testid="nothing-loaded">
            <p>{sentence}</p>
            <p>
                <a href="#load">"Load exported files"</a>
                " or "
                <button type="button" on:click=move |_| session.demo()>"open the demo tenant"</button>
                "."
            </p>
        </div>
    }
}
