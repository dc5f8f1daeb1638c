//! The Idlens viewer: a Leptos client-side app. It is the only crate that touches the DOM.
//!
//! The page never parses exports itself: [`bridge::Bridge`] starts a Web Worker from a Blob URL, hands it the
//! core's WebAssembly module and the dropped `File`s, and turns the worker's messages into signal updates here.

mod bridge;

use idlens_core::scan::FileScan;
use leptos::prelude::*;
use wasm_bindgen::JsCast as _;

use crate::bridge::{Bridge, FromWorker, Progress};

/// The whole viewer.
#[component]
pub fn App() -> impl IntoView {
    let files = RwSignal::new(Vec::<FileScan>::new());
    let progress = RwSignal::new(None::<Progress>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let over = RwSignal::new(false);

    let on_message = move |msg: FromWorker| match msg {
        FromWorker::Ready => {}
        FromWorker::Progress(p) => progress.set(Some(p)),
        FromWorker::Result(report) => {
            files.set(report.files);
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
                <p>"Drop exported files here (JSON, CSV or zip), or"</p>
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
            </section>
            <Show when=move || busy.get()>
                <ProgressBar progress=progress />
            </Show>
            {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="error">{e}</p> })}
            <FileTable files=files />
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

/// One row per file read: what the core found it to be.
#[component]
fn FileTable(
    /// The files of the last load, in the order given.
    files: RwSignal<Vec<FileScan>>,
) -> impl IntoView {
    view! {
        <Show when=move || !files.get().is_empty()>
            <table class="files" data-testid="files">
                <caption>"Files read"</caption>
                <thead>
                    <tr>
                        <th scope="col">"File"</th>
                        <th scope="col">"Size"</th>
                        <th scope="col">"Format"</th>
                        <th scope="col">"Encoding"</th>
                        <th scope="col" class="num">"Records"</th>
                        <th scope="col">"Notes"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || files.get().into_iter().enumerate() key=|(i, f)| (*i, f.name.clone()) let:row>
                        <tr data-testid="file-row">
                            <td>{row.1.name.clone()}</td>
                            <td>{human_bytes(row.1.size_bytes as f64)}</td>
                            <td data-testid="format">{row.1.container.label()}</td>
                            <td>{format!("{:?}", row.1.encoding)}</td>
                            <td class="num" data-testid="records">{row.1.records}</td>
                            <td class="note">{row.1.problem.clone().unwrap_or_default()}</td>
                        </tr>
                    </For>
                </tbody>
            </table>
        </Show>
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
    if unit == 0 { format!("{value:.0} B") } else { format!("{value:.1} {}", UNITS[unit]) }
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
