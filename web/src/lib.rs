//! The Idlens viewer: a Leptos client-side app. It is the only crate that touches the DOM.
//!
//! The page never parses exports itself: [`bridge::Bridge`] starts a Web Worker from a Blob URL, hands it the
//! core's WebAssembly module and the dropped `File`s, and turns the worker's messages into signal updates here.

mod bridge;

use idlens_core::model::{FileReport, Summary};
use leptos::prelude::*;
use wasm_bindgen::JsCast as _;

use crate::bridge::{Bridge, FromWorker, Progress, Report};

/// The whole viewer.
#[component]
pub fn App() -> impl IntoView {
    let report = RwSignal::new(None::<Report>);
    let progress = RwSignal::new(None::<Progress>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let over = RwSignal::new(false);

    let on_message = move |msg: FromWorker| match msg {
        FromWorker::Ready => {}
        FromWorker::Progress(p) => progress.set(Some(p)),
        FromWorker::Result(new_report) => {
            report.set(Some(new_report));
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
    let bridge = StoredValue::new_local(bridge);

    let demo = move || {
        error.set(None);
        busy.set(true);
        bridge.with_value(|b| {
            if let Some(b) = b
                && let Err(message) = b.demo()
            {
                error.set(Some(message));
                busy.set(false);
            }
        });
    };
    // `#demo` in the address opens the bundled demo tenant straight away.
    if web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .as_deref()
        == Some("#demo")
    {
        demo();
    }

    let send = move |list: Option<web_sys::FileList>| {
        let Some(list) = list.filter(|l| l.length() > 0) else {
            return;
        };
        error.set(None);
        busy.set(true);
        bridge.with_value(|b| {
            if let Some(b) = b
                && let Err(message) = b.ingest(&list)
            {
                error.set(Some(message));
                busy.set(false);
            }
        });
    };

    view! {
        <header class="top">
            <h1>"Idlens"</h1>
            <p class="tagline">"Offline auditor for workload identities. Nothing you open here leaves this page."</p>
        </header>
        <main>
            <section
                class="drop"
                class:over=move || over.get()
                data-testid="drop-zone"
                aria-label="Drop exported files"
                on:dragover=move |ev: leptos::ev::DragEvent| {
                    ev.prevent_default();
                    over.set(true);
                }
                on:dragleave=move |_| over.set(false)
                on:drop=move |ev: leptos::ev::DragEvent| {
                    ev.prevent_default();
                    over.set(false);
                    send(ev.data_transfer().and_then(|d| d.files()));
                }
            >
                <p>"Drop exported files, a folder's files or a zip here, or"</p>
                <label class="pick">
                    "choose files"
                    <input
                        type="file"
                        multiple
                        data-testid="file-input"
                        on:change=move |ev: leptos::ev::Event| {
                            let input = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
                            send(input.and_then(|i| i.files()));
                        }
                    />
                </label>
                <p class="or">
                    <button type="button" data-testid="demo" on:click=move |_| demo()>
                        "Open the demo tenant"
                    </button>
                </p>
            </section>
            <Show when=move || busy.get()>
                <ProgressBar progress=progress />
            </Show>
            {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="error">{e}</p> })}
            {move || {
                report
                    .get()
                    .map(|r| {
                        view! {
                            <p class="timing" data-testid="timing" data-ingest-ms=r.elapsed_ms data-wasm-bytes=r.wasm_memory_bytes>
                                {format!("Read in {:.2} s in the browser; nothing left this page.", r.elapsed_ms / 1000.0)}
                            </p>
                            <SummaryPanel summary=r.summary />
                            <FileTable reports=r.reports />
                        }
                    })
            }}
        </main>
    }
}

/// Progress of the file the worker is reading.
#[component]
fn ProgressBar(
    /// The worker's latest progress report.
    progress: RwSignal<Option<Progress>>,
) -> impl IntoView {
    move || {
        progress.get().map(|p| {
            view! {
                <div class="progress" data-testid="progress" role="status">
                    <span>
                        {format!("Reading {} ({} of {}): {} of {}", p.name, p.index + 1, p.count, human_bytes(p.done), human_bytes(p.total))}
                    </span>
                    <progress max=p.total.max(1.0) value=p.done></progress>
                </div>
            }
        })
    }
}

/// What the snapshot holds, in counts.
#[component]
fn SummaryPanel(
    /// The summary the core computed.
    summary: Summary,
) -> impl IntoView {
    let kinds = summary
        .identities
        .by_kind
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect::<Vec<_>>()
        .join(", ");
    let grants_total: u64 = summary.grants.values().sum();
    let scopes = summary
        .grants
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <section class="summary" data-testid="summary" aria-label="What was read">
            <div class="stat">
                <span class="value" data-testid="identities">{summary.identities.total}</span>
                <span class="label">"identities"</span>
                <span class="detail">{kinds}</span>
            </div>
            <div class="stat">
                <span class="value" data-testid="grants">{grants_total}</span>
                <span class="label">"role assignments"</span>
                <span class="detail">{scopes}</span>
            </div>
            <div class="stat">
                <span class="value" data-testid="orphaned">{summary.orphaned_assignments}</span>
                <span class="label">"assigned to unresolved principals"</span>
            </div>
            <div class="stat">
                <span class="value" data-testid="workloads">{summary.workloads}</span>
                <span class="label">"resources"</span>
            </div>
            <div class="stat">
                <span class="value" data-testid="credentials">{summary.credentials}</span>
                <span class="label">"user-managed credentials"</span>
            </div>
            <div class="stat">
                <span class="value" data-testid="federations">{summary.federations}</span>
                <span class="label">"federated credentials"</span>
            </div>
        </section>
    }
}

/// One row per file read: what the core found it to be, and how every record was accounted for.
#[component]
fn FileTable(
    /// Each file's reconciliation, in the order given.
    reports: Vec<FileReport>,
) -> impl IntoView {
    let rows = reports
        .into_iter()
        .map(|f| {
            let set_aside = f.set_aside.len() as u64;
            let notes = f
                .messages
                .iter()
                .cloned()
                .chain(
                    f.set_aside
                        .iter()
                        .map(|s| format!("record {} (line {}): {}", s.record, s.line, s.reason)),
                )
                .collect::<Vec<_>>();
            view! {
                <tr data-testid="file-row">
                    <td class="path">{f.path}</td>
                    <td data-testid="format">{f.format}</td>
                    <td class="num">{human_bytes(f.size_bytes as f64)}</td>
                    <td class="num" data-testid="records">{f.records}</td>
                    <td class="num">{f.ingested}</td>
                    <td class="num">{f.merged}</td>
                    <td class="num" data-testid="set-aside">{set_aside}</td>
                    <td class="note">
                        <ul>{notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="files" data-testid="files">
            <caption>"Files read: every record is ingested, merged into one already read, or set aside with a reason"</caption>
            <thead>
                <tr>
                    <th scope="col">"File"</th>
                    <th scope="col">"Format"</th>
                    <th scope="col" class="num">"Size"</th>
                    <th scope="col" class="num">"Records"</th>
                    <th scope="col" class="num">"Ingested"</th>
                    <th scope="col" class="num">"Merged"</th>
                    <th scope="col" class="num">"Set aside"</th>
                    <th scope="col">"Notes"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// `1536` → `1.5 KB`.
#[must_use]
pub fn human_bytes(bytes: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = bytes;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{value:.0} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_bytes_picks_a_unit() {
        assert_eq!(human_bytes(0.0), "0 B");
        assert_eq!(human_bytes(1536.0), "1.5 KB");
        assert_eq!(human_bytes(3.0 * 1024.0 * 1024.0 * 1024.0), "3.0 GB");
    }
}
