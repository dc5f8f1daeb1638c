//! The Idlens viewer: a Leptos client-side app. It is the only crate that touches the DOM.
//!
//! The page never parses exports itself: [`bridge::Bridge`] starts a Web Worker from a Blob URL, hands it the
//! core's WebAssembly module and the dropped `File`s, and turns the worker's messages into signal updates here. The
//! snapshot stays in the worker; pages ask it questions ([`Session::query`]) and render only the answers.
//!
//! Where the user is lives in the URL fragment ([`idlens_core::view::Route`]): every view can be bookmarked or sent,
//! and back and forward work. Pages live in [`pages`], shared pieces in [`components`].

mod bridge;
pub mod components;
pub mod download;
pub mod format;
pub mod pages;

use idlens_core::view::{Route, ViewAnswer, ViewRequest, format_route, parse_route};
use leptos::prelude::*;

use crate::bridge::{Bridge, FromWorker, Progress, Report};
use crate::components::nav::Nav;
use crate::pages::compare::ComparePage;
use crate::pages::dashboard::DashboardPage;
use crate::pages::export::ExportPage;
use crate::pages::findings::FindingsPage;
use crate::pages::frameworks::FrameworksPage;
use crate::pages::identities::IdentitiesPage;
use crate::pages::identity::IdentityPage;
use crate::pages::load::LoadPage;

pub use crate::bridge::Latest;
pub use crate::components::crash::install_panic_hook;
pub use crate::format::human_bytes;

/// What every page shares: the loaded report, the worker, and where the user is. Small and `Copy`, handed out
/// through context.
#[derive(Clone, Copy)]
pub struct Session {
    /// The worker's report of the last load.
    pub report: RwSignal<Option<Report>>,
    /// The worker's report of the baseline snapshot (an earlier export to compare with), when one is loaded.
    pub baseline: RwSignal<Option<Report>>,
    /// The file being read.
    pub progress: RwSignal<Option<Progress>>,
    /// The last failure, in words.
    pub error: RwSignal<Option<String>>,
    /// A load is under way.
    pub busy: RwSignal<bool>,
    /// Where the user is (kept equal to the URL fragment).
    pub route: RwSignal<Route>,
    /// Bumped each time a new snapshot is loaded, so pages ask their questions again.
    pub generation: RwSignal<u32>,
    /// The last identities view (filters and sort), for the way back from an identity.
    pub last_list: RwSignal<Route>,
    /// The last identity opened, for the navigation.
    pub last_identity: RwSignal<Option<String>>,
    bridge: StoredValue<Option<Bridge>, LocalStorage>,
}

impl Session {
    /// Whether a snapshot is loaded.
    #[must_use]
    pub fn loaded(&self) -> bool {
        self.report.with(Option::is_some)
    }

    /// Ask the worker; `on_answer` gets its answer. Returns the question's id, `None` when it could not be sent (the
    /// answer is then an error, delivered at once).
    pub fn query(
        &self,
        request: &ViewRequest,
        on_answer: impl FnOnce(ViewAnswer) + 'static,
    ) -> Option<u32> {
        let mut on_answer = Some(on_answer);
        let sent = self.bridge.with_value(|b| match b {
            Some(b) => b
                .query(request, move |a| {
                    if let Some(f) = on_answer.take() {
                        f(a);
                    }
                })
                .map_err(|e| (e, None)),
            None => Err(("the worker is not running".to_owned(), on_answer.take())),
        });
        match sent {
            Ok(id) => Some(id),
            Err((message, callback)) => {
                if let Some(f) = callback {
                    f(ViewAnswer::Error { message });
                } else {
                    self.error.set(Some(message));
                }
                None
            }
        }
    }

    /// Load the bundled demo tenant.
    pub fn demo(&self) {
        self.error.set(None);
        self.busy.set(true);
        let this = *self;
        self.bridge.with_value(|b| {
            let sent = match b {
                Some(b) => b.demo(),
                None => Err("the worker is not running".into()),
            };
            if let Err(message) = sent {
                this.error.set(Some(message));
                this.busy.set(false);
            }
        });
    }

    /// Read these files.
    pub fn ingest(&self, list: Option<web_sys::FileList>) {
        let Some(list) = list.filter(|l| l.length() > 0) else {
            return;
        };
        self.error.set(None);
        self.busy.set(true);
        let this = *self;
        self.bridge.with_value(|b| {
            let sent = match b {
                Some(b) => b.ingest(&list),
                None => Err("the worker is not running".into()),
            };
            if let Err(message) = sent {
                this.error.set(Some(message));
                this.busy.set(false);
            }
        });
    }

    /// Read these files on top of the ones already loaded (the snapshot is rebuilt from all of them).
    pub fn add_files(&self, list: Option<web_sys::FileList>) {
        let Some(list) = list.filter(|l| l.length() > 0) else {
            return;
        };
        self.dispatch(|b| b.add_files(&list));
    }

    /// Read these files as the baseline to compare with; the current snapshot stays.
    pub fn load_baseline(&self, list: Option<web_sys::FileList>) {
        let Some(list) = list.filter(|l| l.length() > 0) else {
            return;
        };
        self.dispatch(|b| b.baseline_files(&list));
    }

    /// Load the demo tenant one month earlier as the baseline.
    pub fn baseline_demo(&self) {
        self.dispatch(Bridge::baseline_demo);
    }

    /// Forget the baseline.
    pub fn clear_baseline(&self) {
        self.dispatch(Bridge::clear_baseline);
    }

    /// Send the worker some work that ends with a report (busy until then).
    fn dispatch(&self, send: impl FnOnce(&Bridge) -> Result<(), String>) {
        self.error.set(None);
        self.busy.set(true);
        let this = *self;
        self.bridge.with_value(|b| {
            let sent = match b {
                Some(b) => send(b),
                None => Err("the worker is not running".into()),
            };
            if let Err(message) = sent {
                this.error.set(Some(message));
                this.busy.set(false);
            }
        });
    }

    /// Go to `route`: a new history entry (back returns here), or, with `replace`, this entry rewritten (for typing
    /// in the search box).
    pub fn navigate(&self, route: &Route, replace: bool) {
        let fragment = format_route(route);
        let Some(window) = web_sys::window() else {
            return;
        };
        if replace {
            if let Ok(history) = window.history() {
                history
                    .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&fragment))
                    .ok();
            }
            self.set_route(route.clone());
        } else {
            // The hashchange listener updates the route.
            window.location().set_hash(&fragment).ok();
        }
    }

    fn set_route(&self, route: Route) {
        match &route {
            Route::Identities(_) => self.last_list.set(route.clone()),
            Route::Identity(id) => self.last_identity.set(Some(id.clone())),
            _ => {}
        }
        self.route.set(route);
    }
}

/// Which page a route shows.
#[derive(Clone, Debug, PartialEq)]
enum Page {
    Load,
    Identities,
    Identity,
    Dashboard,
    Frameworks,
    Findings,
    Compare,
    Export,
    Other(String),
}

impl Page {
    fn of(route: &Route) -> Page {
        match route {
            Route::Load | Route::Demo => Page::Load,
            Route::Identities(_) => Page::Identities,
            Route::Identity(_) => Page::Identity,
            Route::Dashboard => Page::Dashboard,
            Route::Frameworks(_) => Page::Frameworks,
            Route::Findings(_) => Page::Findings,
            Route::Compare => Page::Compare,
            Route::Export => Page::Export,
            Route::Other(name) => Page::Other(name.clone()),
        }
    }
}

/// The route in the address bar now.
fn current_route() -> Route {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    parse_route(&hash)
}

/// The whole viewer.
#[component]
pub fn App() -> impl IntoView {
    let report = RwSignal::new(None::<Report>);
    let baseline = RwSignal::new(None::<Report>);
    let progress = RwSignal::new(None::<Progress>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let generation = RwSignal::new(0u32);

    let on_message = move |msg: FromWorker| match msg {
        FromWorker::Ready => {}
        // For the benchmarks: how long the warm-up took, and that it is over.
        FromWorker::Warm(ms) => {
            if let Some(root) = document().document_element() {
                let _ = root.set_attribute("data-worker-warm-ms", &format!("{ms:.0}"));
            }
        }
        FromWorker::Progress(p) => progress.set(Some(p)),
        FromWorker::Result(new_report) => {
            report.set(Some(new_report));
            busy.set(false);
            generation.update(|g| *g += 1);
        }
        FromWorker::Baseline(b) => {
            baseline.set(b.map(|b| *b));
            busy.set(false);
        }
        FromWorker::Failed(message) => {
            error.set(Some(message));
            busy.set(false);
        }
    };
    let bridge = match Bridge::start(on_message) {
        Ok(bridge) => Some(bridge),
        Err(message) => {
            error.set(Some(message));
            None
        }
    };
    let start = current_route();
    let session = Session {
        report,
        baseline,
        progress,
        error,
        busy,
        route: RwSignal::new(Route::Load),
        generation,
        last_list: RwSignal::new(Route::Identities(Default::default())),
        last_identity: RwSignal::new(None),
        bridge: StoredValue::new_local(bridge),
    };
    session.set_route(start.clone());
    provide_context(session);

    // `#demo` in the address opens the bundled demo tenant straight away.
    if start == Route::Demo {
        session.demo();
    }
    let listener = window_event_listener(leptos::ev::hashchange, move |_| {
        let route = current_route();
        if route == Route::Demo && session.route.get_untracked() != Route::Demo {
            session.demo();
        }
        session.set_route(route);
    });
    on_cleanup(move || listener.remove());
    // Pages are rebuilt only when the page changes, not when its filters or identity do (a search box keeps focus).
    let page = Memo::new(move |_| Page::of(&session.route.get()));

    view! {
        <header class="top">
            <div class="brand">
                <h1>"Idlens"</h1>
                <p class="tagline">"Offline auditor for workload identities. Nothing you open here leaves this page."</p>
            </div>
            <Nav />
        </header>
        <main>
            <p class="status" role="status" aria-live="polite" data-testid="status">
                {move || {
                    if busy.get() {
                        "Reading…".to_owned()
                    } else {
                        String::new()
                    }
                }}
            </p>
            {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="error">{e}</p> })}
            {move || match page.get() {
                Page::Load => view! { <LoadPage /> }.into_any(),
                Page::Identities => view! { <IdentitiesPage /> }.into_any(),
                Page::Identity => view! { <IdentityPage /> }.into_any(),
                Page::Dashboard => view! { <DashboardPage /> }.into_any(),
                Page::Frameworks => view! { <FrameworksPage /> }.into_any(),
                Page::Findings => view! { <FindingsPage /> }.into_any(),
                Page::Compare => view! { <ComparePage /> }.into_any(),
                Page::Export => view! { <ExportPage /> }.into_any(),
                Page::Other(name) => {
                    view! {
                        <section class="empty" data-testid="unknown-page">
                            <h2>"Not in this version"</h2>
                            <p>{format!("This viewer has no page called “{name}”.")}</p>
                            <p><a href="#load">"Go to the load page"</a></p>
                        </section>
                    }
                        .into_any()
                }
            }}
        </main>
    }
}
