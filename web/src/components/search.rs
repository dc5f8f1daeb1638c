//! The search box of the identities and findings pages: the typed text goes into the page's query in the URL
//! (replacing the history entry, so back does not step through keystrokes).

use idlens_core::view::Route;
use leptos::leptos_dom::helpers::TimeoutHandle;
use leptos::prelude::*;

use crate::Session;

/// How long typing must pause before the search runs, in milliseconds. None: the search runs in the worker, off the
/// page's thread, in tens of milliseconds even at 100k identities (less than the gap between two keystrokes), and
/// an answer overtaken by a newer one is dropped; the timer still folds a burst of input events (a paste) into one.
pub const SEARCH_DEBOUNCE_MS: u64 = 0;

/// The `input` handler of a search box over the page query `query`: `text` picks the query's search text, `route`
/// makes the page's route from a query.
pub fn on_search<Q>(
    query: Memo<Q>,
    text: fn(&mut Q) -> &mut String,
    route: fn(Q) -> Route,
) -> impl FnMut(leptos::ev::Event) + 'static
where
    Q: Clone + PartialEq + Send + Sync + 'static,
{
    let session = expect_context::<Session>();
    let pending = StoredValue::new_local(None::<TimeoutHandle>);
    move |ev| {
        let typed = event_target_value(&ev);
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                let mut q = query.get_untracked();
                if *text(&mut q) != typed {
                    *text(&mut q) = typed;
                    session.navigate(&route(q), true);
                }
            },
            std::time::Duration::from_millis(SEARCH_DEBOUNCE_MS),
        )
        .ok();
        pending.set_value(handle);
    }
}
