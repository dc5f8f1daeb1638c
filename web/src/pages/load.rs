//! The load page: drop exported files (or open the demo tenant), watch them being read, then see what the snapshot
//! holds and how every record of every file was accounted for.

use idlens_core::model::{FileReport, Summary};
use idlens_core::view::{IdentityQuery, Route, format_route};
use leptos::prelude::*;
use wasm_bindgen::JsCast as _;

use crate::Session;
use crate::bridge::Progress;
use crate::components::dates::{DateForm, Which};
use crate::format::human_bytes;

/// Drop zone, progress, summary and per-file reconciliation.
#[component]
pub fn LoadPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let over = RwSignal::new(false);
    view! {
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
                session.ingest(ev.data_transfer().and_then(|d| d.files()));
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
                        session.ingest(input.and_then(|i| i.files()));
                    }
                />
            </label>
            <p class="or">
                <button type="button" data-testid="demo" on:click=move |_| session.demo()>
                    "Open the demo tenant"
                </button>
            </p>
        </section>
        <Show when=move || session.busy.get()>
            <ProgressBar progress=session.progress />
        </Show>
        {move || {
            session
                .report
                .get()
                .map(|r| {
                    let browse = format_route(&Route::Identities(IdentityQuery::default()));
                    let count = r.summary.identities.total;
                    view! {
                        <p class="timing" data-testid="timing" data-ingest-ms=r.elapsed_ms data-wait-ms=r.wait_ms data-wasm-bytes=r.wasm_memory_bytes>
                            {format!("Read in {:.2} s in the browser; nothing left this page.", r.elapsed_ms / 1000.0)}
                        </p>
                        <p class="next">
                            <a class="button primary" href="#dashboard" data-testid="open-dashboard">
                                "Open the dashboard →"
                            </a>
                            " "
                            <a class="button" href=browse data-testid="browse">
                                {format!("Browse the {count} identities →")}
                            </a>
                        </p>
                        <DateForm which=Which::Audit />
                        <MoreFiles />
                        <SummaryPanel summary=r.summary />
                        <FileTable reports=r.reports />
                    }
                })
        }}
    }
}

/// Once a snapshot is loaded: add files to it, and load a baseline (an earlier export) to compare it with.
#[component]
fn MoreFiles() -> impl IntoView {
    let session = expect_context::<Session>();
    let demo = move || {
        session.report.with(|r| {
            r.as_ref()
                .is_some_and(|r| r.reports.iter().any(|f| f.path.starts_with("demo/tenant/")))
        })
    };
    let baseline = move || {
        session.baseline.get().map(|b| {
            let files = b.reports.len();
            let words = format!(
                "Baseline loaded: {} {}, {} identities.",
                files,
                if files == 1 { "file" } else { "files" },
                b.summary.identities.total
            );
            view! {
                <p data-testid="baseline-loaded">{words}</p>
                <p class="actions">
                    <a class="button" href="#compare" data-testid="open-compare">"Compare →"</a>
                    <button type="button" data-testid="remove-baseline" on:click=move |_| session.clear_baseline()>
                        "Remove baseline"
                    </button>
                </p>
            }
        })
    };
    view! {
        <div class="more-files">
            <section class="card" aria-labelledby="add-title">
                <h2 id="add-title">"Add files to this snapshot"</h2>
                <p class="muted small">
                    "Exports you left out (sign-in activity, federated credentials …): everything is read again together, so links across files are made. Waivers stay."
                </p>
                <FilePick label="Add files" testid="add-files-input" on_files=move |l| session.add_files(l) />
            </section>
            <section class="card" aria-labelledby="baseline-title">
                <h2 id="baseline-title">"Load a snapshot to compare with"</h2>
                <p class="muted small">
                    "An earlier export of the same tenant (last month's, say). The snapshot above stays loaded; the compare page shows what changed."
                </p>
                {baseline}
                <Show when=move || session.baseline.with(Option::is_some)>
                    <DateForm which=Which::Baseline />
                </Show>
                <FilePick label="Choose baseline files" testid="baseline-input" on_files=move |l| session.load_baseline(l) />
                <Show when=demo>
                    <p class="or">
                        <button type="button" data-testid="baseline-demo" on:click=move |_| session.baseline_demo()>
                            "Use the demo tenant one month earlier"
                        </button>
                    </p>
                </Show>
            </section>
        </div>
    }
}

/// A file picker that also takes dropped files, folders' files and zips.
#[component]
fn FilePick(
    /// The picker's visible name.
    label: &'static str,
    testid: &'static str,
    /// Receives the chosen or dropped files.
    on_files: impl Fn(Option<web_sys::FileList>) + Copy + 'static,
) -> impl IntoView {
    let over = RwSignal::new(false);
    view! {
        <div
            class="pick-zone"
            class:over=move || over.get()
            on:dragover=move |ev: leptos::ev::DragEvent| {
                ev.prevent_default();
                over.set(true);
            }
            on:dragleave=move |_| over.set(false)
            on:drop=move |ev: leptos::ev::DragEvent| {
                ev.prevent_default();
                over.set(false);
                on_files(ev.data_transfer().and_then(|d| d.files()));
            }
        >
            <label class="pick">
                {label}
                <input
                    type="file"
                    multiple
                    data-testid=testid
                    on:change=move |ev: leptos::ev::Event| {
                        let input = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
                        on_files(input.as_ref().and_then(web_sys::HtmlInputElement::files));
                        // The same files can be chosen again later.
                        if let Some(input) = input {
                            input.set_value("");
                        }
                    }
                />
            </label>
            <span class="muted small">" or drop them here"</span>
        </div>
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
