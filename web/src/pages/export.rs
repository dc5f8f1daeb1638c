//! Reports and exports: the static HTML report and the findings as JSON, CSV, SARIF and OCSF, produced in the
//! worker by the same core code as the CLI (`idlens report`, `idlens findings`), optionally pseudonymised under a
//! key the auditor generates or loads (the CLI's key-file format, so both give the same pseudonyms). The lookup
//! table (pseudonym → real) is a separate download, never part of the artifact.

use idlens_core::export::artifact::ArtifactKind;
use idlens_core::view::export::{ExportRequest, ExportView, MIN_KEY_BYTES};
use idlens_core::view::{ViewAnswer, ViewRequest};
use leptos::prelude::*;
use wasm_bindgen::JsCast as _;

use crate::components::empty::NothingLoaded;
use crate::download::{download, read_text};
use crate::{Session, human_bytes};

/// What each artifact is, for the buttons.
fn describe(kind: ArtifactKind) -> (&'static str, &'static str) {
    match kind {
        ArtifactKind::Report => (
            "Report (HTML)",
            "One self-contained page for clients and executives: summary, framework posture, charts, top risks, findings with evidence, inputs with SHA-256. Opens offline, prints to A4 and Letter.",
        ),
        ArtifactKind::Json => (
            "Findings (JSON)",
            "The versioned findings document: findings with evidence, scores, posture, remediation plan.",
        ),
        ArtifactKind::Csv => (
            "Findings (CSV)",
            "One row per finding for spreadsheets; opens in Excel with non-ASCII names; formula cells neutralised.",
        ),
        ArtifactKind::Sarif => ("SARIF 2.1.0", "For code-scanning and review tools."),
        ArtifactKind::Ocsf => ("OCSF Detection Findings", "Class 2004 events for a SIEM."),
    }
}

fn kind_id(kind: ArtifactKind) -> &'static str {
    match kind {
        ArtifactKind::Report => "report",
        ArtifactKind::Json => "json",
        ArtifactKind::Csv => "csv",
        ArtifactKind::Sarif => "sarif",
        ArtifactKind::Ocsf => "ocsf",
    }
}

/// 32 random bytes as hex, from the browser's cryptographic generator.
fn new_key() -> Result<String, String> {
    let crypto = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .ok_or("This browser offers no cryptographic random generator.")?;
    let mut bytes = [0u8; 32];
    crypto
        .get_random_values_with_u8_array(&mut bytes)
        .map_err(|_| "The random generator refused.".to_owned())?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The export page.
#[component]
pub fn ExportPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let pseudonymise = RwSignal::new(false);
    let key = RwSignal::new(String::new());
    let status = RwSignal::new(None::<String>);
    let failure = RwSignal::new(None::<String>);
    let working = RwSignal::new(None::<ArtifactKind>);
    // The last pseudonymised export's lookup table, offered as its own download.
    let lookup = RwSignal::new(None::<String>);

    let key_problem = move || {
        let len = key.with(|k| k.trim().len());
        (pseudonymise.get() && len < MIN_KEY_BYTES).then(|| {
            format!("Generate a key or load a key file (at least {MIN_KEY_BYTES} characters) to pseudonymise.")
        })
    };
    let export = move |kind: ArtifactKind| {
        if key_problem().is_some() {
            return;
        }
        failure.set(None);
        status.set(None);
        working.set(Some(kind));
        let request = ExportRequest {
            artifact: kind,
            key: pseudonymise.get_untracked().then(|| key.get_untracked()),
        };
        session.query(&ViewRequest::Export(request), move |answer| {
            // The page may have been left before the answer came.
            if working.is_disposed() {
                return;
            }
            working.set(None);
            match answer {
                ViewAnswer::Export(view) => {
                    let ExportView {
                        file_name,
                        media_type,
                        text,
                        lookup: table,
                        undigested,
                    } = *view;
                    match download(&file_name, &media_type, &text) {
                        Ok(()) => {
                            let mut line = format!("Saved {file_name} ({}).", human_bytes(text.len() as f64));
                            if table.is_some() {
                                line.push_str(" Names and ids are pseudonymised: save the lookup table below and keep it private.");
                            }
                            if undigested > 0 {
                                line.push_str(&format!(" {undigested} input file(s) have no SHA-256 in the report."));
                            }
                            status.set(Some(line));
                        }
                        Err(message) => failure.set(Some(message)),
                    }
                    lookup.set(table);
                }
                ViewAnswer::Error { message } => failure.set(Some(message)),
                _ => {}
            }
        });
    };
    let generate = move |_| match new_key() {
        Ok(k) => {
            key.set(k);
            failure.set(None);
        }
        Err(message) => failure.set(Some(message)),
    };
    let save_key = move |_| {
        if let Err(message) = download(
            "idlens.key",
            "text/plain",
            &format!("{}\n", key.get_untracked().trim()),
        ) {
            failure.set(Some(message));
        }
    };
    let load_key = move |ev: leptos::ev::Event| {
        let Some(file) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0))
        else {
            return;
        };
        leptos::task::spawn_local(async move {
            match read_text(&file).await {
                Ok(text) => {
                    key.set(text.trim().to_owned());
                    failure.set(None);
                    status.set(Some(format!("Key loaded from {}.", file.name())));
                }
                Err(message) => failure.set(Some(message)),
            }
        });
    };
    let save_lookup = move |_| {
        if let Some(table) = lookup.get_untracked()
            && let Err(message) = download("idlens-lookup.json", "application/json", &table)
        {
            failure.set(Some(message));
        }
    };

    let buttons = move || {
        ArtifactKind::ALL
        .into_iter()
        .map(|kind| {
            let (label, what) = describe(kind);
            view! {
                <li class="export-item">
                    <button
                        type="button"
                        data-testid=format!("export-{}", kind_id(kind))
                        disabled=move || working.get().is_some() || key_problem().is_some()
                        on:click=move |_| export(kind)
                    >
                        {move || if working.get() == Some(kind) { "Preparing…".to_owned() } else { format!("Save {label}") }}
                    </button>
                    <span class="muted">{what}</span>
                </li>
            }
        })
        .collect_view()
    };

    view! {
        <section class="export-page" data-testid="export-page" aria-labelledby="h-export">
            <h2 id="h-export">"Reports and exports"</h2>
            {move || {
                if !session.loaded() {
                    return view! { <NothingLoaded detail="Load exports or the demo tenant first." /> }.into_any();
                }
                view! {
                    <p class="muted">
                        "Each file is produced here, in this page, by the same code as the idlens command line; nothing is uploaded. Waivers made in this viewer are part of the policy in force."
                    </p>
                    <fieldset class="card pseudo" data-testid="pseudonymise">
                        <legend>"Pseudonymisation"</legend>
                        <label class="check">
                            <input type="checkbox" data-testid="pseudonymise-toggle" prop:checked=pseudonymise on:change=move |ev| pseudonymise.set(event_target_checked(&ev)) />
                            " Replace names, ids, tags, subscriptions, tenants and resource names with keyed pseudonyms (HMAC-SHA256). Environment, roles and check results stay readable."
                        </label>
                        <div class="key-row" class:hidden=move || !pseudonymise.get()>
                            <label for="pseudo-key">"Key"</label>
                            <input id="pseudo-key" type="text" class="mono" autocomplete="off" spellcheck="false" data-testid="pseudonymise-key"
                                prop:value=key on:input=move |ev| key.set(event_target_value(&ev)) />
                            <button type="button" data-testid="key-generate" on:click=generate>"Generate a key"</button>
                            <button type="button" data-testid="key-save" disabled=move || key.with(|k| k.trim().len() < MIN_KEY_BYTES) on:click=save_key>"Save the key"</button>
                            <label class="button-like">
                                "Load a key file"
                                <input type="file" class="visually-hidden" data-testid="key-file" on:change=load_key />
                            </label>
                            <p class="muted small">
                                "Keep the key: the same key gives the same pseudonyms in later snapshots, here and in the CLI (idlens report --pseudonymise --key FILE)."
                            </p>
                        </div>
                        {move || key_problem().map(|m| view! { <p class="warn" data-testid="key-problem">{m}</p> })}
                    </fieldset>
                    <ul class="exports">{buttons()}</ul>
                    <div role="status" aria-live="polite">
                        {move || status.get().map(|s| view! { <p data-testid="export-status">{s}</p> })}
                    </div>
                    {move || failure.get().map(|m| view! { <p class="error" role="alert" data-testid="export-error">{m}</p> })}
                    {move || lookup.get().map(|_| view! {
                        <p>
                            <button type="button" data-testid="export-lookup" on:click=save_lookup>"Save the lookup table (pseudonym → real)"</button>
                            <span class="muted">" Keep it private: it undoes the pseudonymisation."</span>
                        </p>
                    })}
                }
                    .into_any()
            }}
        </section>
    }
}
