//! The top navigation: Load · Dashboard · Identities · Identity · Frameworks · Findings · Compare. Plain links to URL
//! fragments, so they work with the keyboard, open in a new tab and take part in back and forward.

use idlens_core::view::{Route, format_route};
use leptos::prelude::*;

use crate::Session;

/// The page links, with `aria-current` on the page shown.
#[component]
pub fn Nav() -> impl IntoView {
    let session = expect_context::<Session>();
    let current = move |page: &'static str| {
        let on = match session.route.get() {
            Route::Load | Route::Demo => page == "load",
            Route::Identities(_) => page == "identities",
            Route::Identity(_) => page == "identity",
            Route::Dashboard => page == "dashboard",
            Route::Frameworks(_) => page == "frameworks",
            Route::Findings(_) => page == "findings",
            Route::Compare => page == "compare",
            Route::Export => page == "export",
            Route::Other(_) => false,
        };
        on.then_some("page")
    };
    let identities_href = move || format_route(&session.last_list.get());
    let identity_href = move || {
        session
            .last_identity
            .get()
            .map(|id| format_route(&Route::Identity(id)))
    };
    view! {
        <nav class="pages" aria-label="Pages">
            <ul>
                <li><a href="#load" aria-current=move || current("load") data-testid="nav-load">"Load"</a></li>
                <li>
                    <a href="#dashboard" aria-current=move || current("dashboard") data-testid="nav-dashboard">
                        "Dashboard"
                    </a>
                </li>
                <li>
                    <a href=identities_href aria-current=move || current("identities") data-testid="nav-identities">
                        "Identities"
                    </a>
                </li>
                <li>
                    {move || match identity_href() {
                        Some(href) => {
                            view! {
                                <a href=href aria-current=current("identity") data-testid="nav-identity">"Identity"</a>
                            }
                                .into_any()
                        }
                        None => {
                            view! {
                                <span class="off" aria-disabled="true" title="Open an identity from the table first">
                                    "Identity"
                                </span>
                            }
                                .into_any()
                        }
                    }}
                </li>
                <li>
                    <a href="#frameworks" aria-current=move || current("frameworks") data-testid="nav-frameworks">
                        "Frameworks"
                    </a>
                </li>
                <li>
                    <a href="#findings" aria-current=move || current("findings") data-testid="nav-findings">
                        "Findings"
                    </a>
                </li>
                <li>
                    <a href="#compare" aria-current=move || current("compare") data-testid="nav-compare">"Compare"</a>
                </li>
                <li>
                    <a href="#export" aria-current=move || current("export") data-testid="nav-export">"Export"</a>
                </li>
            </ul>
        </nav>
    }
}
