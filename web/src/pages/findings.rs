//! The findings page: every finding grouped by check (most severe open finding first), filtered by check, severity
//! (several at once from the severity line's toggles),
//! status and free text (all in the URL), one window of each group at a time; a waiver form on every open finding;
//! and the policy profile in force, exported as the JSON file the CLI's `--policy` reads and loaded back from one.
//! A waiver made here (or loaded) can be edited (justification, approver, expiry; the same form, pre-filled) or
//! revoked, from the waived finding's status cell or from the profile's list of waivers.
//!
//! The page never holds the findings: it asks the worker for one answer ([`ViewRequest::Findings`]) holding the
//! counts, the facets and a window of each group, and again when the filter, a window or the snapshot changes. A
//! waiver or a new profile changes the policy in the worker, which re-evaluates; the page then bumps
//! [`Session::generation`] so every page asks again.

use std::collections::BTreeMap;

use idlens_core::findings::{WaiverNote, WaiverStatus};
use idlens_core::policy::Waiver;
use idlens_core::view::findings::{
    DEFAULT_GROUP_WINDOW, FindingGroup, FindingItem, FindingsPage as Answer, FindingsQuery,
    MAX_WAIVERS_LISTED, PolicyAnswer, PolicySummary, WaiverEdit, WaiverView,
};
use idlens_core::view::{FindingsFilter, Route, ViewAnswer, ViewRequest, format_route};
use leptos::prelude::*;
use wasm_bindgen::JsCast as _;

use crate::components::badges::Level;
use crate::components::choices::{MoreChoices, only, several};
use crate::components::empty::NothingLoaded;
use crate::components::search::on_search;
use crate::download::download;
use crate::{Latest, Session, format};

/// Groups start open when the filter leaves at most this many findings (or a single check).
pub const OPEN_GROUPS_UP_TO: usize = 60;
/// A policy profile larger than this is refused before it is read.
pub const MAX_POLICY_BYTES: f64 = 4.0 * 1024.0 * 1024.0;
/// The file name the exported profile is saved as.
pub const POLICY_FILE_NAME: &str = "idlens-policy.json";
/// Days from the as-of date the waiver form proposes as expiry.
pub const DEFAULT_WAIVER_DAYS: i64 = 90;

const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "info"];

/// Where the page says what a revoke or an edit did (`notice`, a status) or why it was refused (`error`, an alert).
#[derive(Clone, Copy)]
struct Messages {
    notice: RwSignal<Option<String>>,
    error: RwSignal<Option<String>>,
    /// The waiver a revoke just removed, with the notice that said so: offered back (undo) while that notice shows.
    undo: RwSignal<Option<(String, Waiver, String)>>,
}

impl Messages {
    /// Say `text` and move the focus to it: the button that was pressed is gone once the page asks again.
    fn done(self, text: String) {
        self.error.set(None);
        self.notice.set(Some(text));
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(NOTICE_ID))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            el.focus().ok();
        }
    }

    fn failed(self, message: String) {
        let stop = if message.ends_with('.') { "" } else { "." };
        self.error.set(Some(format!("{}{stop}", capital(&message))));
    }
}

const NOTICE_ID: &str = "findings-notice";

/// The findings page with its filters (read from and written to the URL) and the policy profile.
#[component]
pub fn FindingsPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let filter = Memo::new(move |_| match session.route.get() {
        Route::Findings(f) => f,
        _ => FindingsFilter::default(),
    });
    let offsets = RwSignal::new(BTreeMap::<String, usize>::new());
    // The first waiver the policy card lists.
    let waivers_offset = RwSignal::new(0usize);
    // Groups opened or closed by hand (the others follow OPEN_GROUPS_UP_TO).
    let toggled = RwSignal::new(BTreeMap::<String, bool>::new());
    let answer = RwSignal::new(None::<Answer>);
    let failure = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let waiver_error = RwSignal::new(None::<String>);
    let undo = RwSignal::new(None::<(String, Waiver, String)>);
    provide_context(Messages {
        notice,
        error: waiver_error,
        undo,
    });
    let latest = StoredValue::new_local(Latest::default());

    // New filters: every group back to its first window.
    Effect::new(move |previous: Option<FindingsFilter>| {
        let f = filter.get();
        if previous.is_some_and(|p| p != f) {
            offsets.set(BTreeMap::new());
        }
        f
    });

    Effect::new(move |_| {
        session.generation.track();
        if !session.loaded() {
            return;
        }
        let query = FindingsQuery {
            filter: filter.get(),
            limit: DEFAULT_GROUP_WINDOW,
            offsets: offsets.get(),
            waivers_offset: waivers_offset.get(),
        };
        let ticket = latest.with_value(Latest::next);
        session.query(&ViewRequest::Findings(query), move |a| {
            // A page left before its answer came is gone: its values are disposed.
            if latest.try_with_value(|l| l.is(ticket)) != Some(true) {
                return;
            }
            match a {
                ViewAnswer::Findings(p) => {
                    failure.set(None);
                    answer.set(Some(*p));
                }
                ViewAnswer::Error { message } => failure.set(Some(message)),
                _ => {}
            }
        });
    });

    let count = move || {
        answer.with(|a| {
            let Some(a) = a else {
                return String::new();
            };
            if !a.evaluated {
                return "Not evaluated".to_owned();
            }
            let lead = if a.matched == a.all {
                plural(a.all, "finding", "findings")
            } else {
                format!(
                    "{} of {} match",
                    a.matched,
                    plural(a.all, "finding", "findings")
                )
            };
            format!(
                "{lead}: {} open, {} waived · as of {}",
                a.matched_open, a.matched_waived, a.as_of
            )
        })
    };
    let num = move |f: fn(&Answer) -> usize| move || answer.with(|a| a.as_ref().map_or(0, f));

    view! {
        <section class="findings-page" aria-labelledby="findings-title">
            <div class="page-head">
                <h2 id="findings-title">"Findings"</h2>
                <p
                    class="count"
                    aria-live="polite"
                    data-testid="findings-count"
                    data-all=num(|a| a.all)
                    data-matched=num(|a| a.matched)
                    data-open=num(|a| a.matched_open)
                    data-waived=num(|a| a.matched_waived)
                >
                    {count}
                </p>
            </div>
            <Show when=move || session.loaded() fallback=|| view! { <NothingLoaded /> }>
                <PolicyCard answer=answer notice=notice waivers_offset=waivers_offset />
                <p class="notice" id=NOTICE_ID tabindex="-1" role="status" aria-live="polite" data-testid="findings-notice">
                    {move || notice.get().unwrap_or_default()}
                </p>
                <UndoRevoke />
                {move || {
                    waiver_error.get().map(|m| view! { <p class="error" role="alert" data-testid="waiver-error">{m}</p> })
                }}
                <Filters filter=filter answer=answer />
                {move || failure.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
                <SeverityLine filter=filter answer=answer />
                {move || {
                    answer
                        .with(|a| {
                            a.as_ref()
                                .map(|a| {
                                    let open_all = a.groups.len() == 1 || a.matched <= OPEN_GROUPS_UP_TO;
                                    let as_of = a.as_of.clone();
                                    a.groups
                                        .iter()
                                        .map(|g| {
                                            view! {
                                                <Group
                                                    group=g.clone()
                                                    open_by_default=open_all
                                                    toggled=toggled
                                                    offsets=offsets
                                                    notice=notice
                                                    as_of=as_of.clone()
                                                />
                                            }
                                        })
                                        .collect_view()
                                })
                        })
                }}
                <Show when=move || answer.with(|a| a.as_ref().is_some_and(|a| a.evaluated && a.matched == 0))>
                    <p class="empty" data-testid="no-findings">
                        {move || {
                            if answer.with(|a| a.as_ref().is_some_and(|a| a.all == 0)) {
                                "No finding: every evaluated check passed."
                            } else {
                                "No finding matches these filters."
                            }
                        }}
                    </p>
                </Show>
                <Show when=move || answer.with(|a| a.as_ref().is_some_and(|a| !a.evaluated))>
                    <p class="empty">"The snapshot has not been evaluated (no as-of date), so there are no findings."</p>
                </Show>
            </Show>
        </section>
    }
}

/// `1 finding`, `2 findings`.
fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// `chosen` with `severity` added or removed, in [`SEVERITIES`] order.
fn toggled_severities(chosen: &[String], severity: &str) -> Vec<String> {
    SEVERITIES
        .into_iter()
        .filter(|s| (*s == severity) != chosen.iter().any(|c| c == s))
        .map(str::to_owned)
        .collect()
}

/// The findings by severity, in words (counted under the other filters, as the severity filter offers them); each
/// is a toggle for that severity.
#[component]
fn SeverityLine(filter: Memo<FindingsFilter>, answer: RwSignal<Option<Answer>>) -> impl IntoView {
    let session = expect_context::<Session>();
    let items = move || {
        answer.with(|a| {
            a.as_ref()
                .filter(|a| a.matched > 0)
                .map(|a| {
                    a.facets
                        .severities
                        .iter()
                        .filter(|(_, n)| *n > 0)
                        .cloned()
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    view! {
        <Show when=move || !items().is_empty()>
            <ul class="severity-line" aria-label="Findings by severity" data-testid="severity-line">
                {move || {
                    items()
                        .into_iter()
                        .map(|(s, n)| {
                            let class = format!("count level-{s}");
                            let word = s.clone();
                            let key = s.clone();
                            let pressed = move || filter.with(|f| f.severities.contains(&key));
                            let sev = s.clone();
                            // Each severity toggles on its own: several can be chosen at once (kept in severity
                            // order, so the URL is the same whichever was pressed first).
                            let click = move |_| {
                                let mut f = filter.get_untracked();
                                f.severities = toggled_severities(&f.severities, &sev);
                                session.navigate(&Route::Findings(f), false);
                            };
                            view! {
                                <li>
                                    <button
                                        type="button"
                                        class="sev-toggle"
                                        aria-pressed=move || if pressed() { "true" } else { "false" }
                                        data-severity=s
                                        data-count=n
                                        on:click=click
                                    >
                                        <span class=class>{n}</span>
                                        " "
                                        {word}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </Show>
    }
}

/// One check's findings: a header that opens and closes it, a table of one window, and the pager.
#[component]
fn Group(
    group: FindingGroup,
    open_by_default: bool,
    toggled: RwSignal<BTreeMap<String, bool>>,
    offsets: RwSignal<BTreeMap<String, usize>>,
    notice: RwSignal<Option<String>>,
    as_of: String,
) -> impl IntoView {
    let id = group.check_id.clone();
    let key = id.clone();
    let open =
        Memo::new(move |_| toggled.with(|t| t.get(&key).copied().unwrap_or(open_by_default)));
    let key = id.clone();
    let toggle = move |_| {
        let now = !open.get_untracked();
        toggled.update(|t| {
            t.insert(key.clone(), now);
        });
    };
    let body_id = format!("group-{}", id.to_ascii_lowercase());
    let counts = if group.waived > 0 {
        format!("{} open · {} waived", group.open, group.waived)
    } else {
        plural(group.open, "open finding", "open findings")
    };
    let expired = (group.expired > 0).then(|| {
        view! {
            <span class="tag expired" title="Open findings whose waiver has expired">
                {plural(group.expired, "expired waiver", "expired waivers")}
            </span>
        }
    });
    let FindingGroup {
        check_id,
        title,
        worst,
        total,
        offset,
        findings,
        ..
    } = group;
    let shown = findings.len();
    let rows = findings
        .into_iter()
        .enumerate()
        .map(|(i, f)| view! { <FindingRow item=f row=offset + i notice=notice as_of=as_of.clone() /> })
        .collect_view();
    let window = DEFAULT_GROUP_WINDOW;
    let page_to = move |to: usize| {
        let id = check_id.clone();
        move |_| {
            offsets.update(|o| {
                o.insert(id.clone(), to);
            });
        }
    };
    let at_end = offset + shown >= total;
    let prev = page_to(offset.saturating_sub(window));
    let next = page_to(offset + window);
    view! {
        <section
            class="finding-group"
            data-testid="finding-group"
            data-check=id.clone()
            data-total=total
            data-open=group.open
            data-waived=group.waived
        >
            <h3 class="group-head">
                <button
                    type="button"
                    class="disclose"
                    aria-expanded=move || if open.get() { "true" } else { "false" }
                    aria-controls=body_id.clone()
                    data-testid="group-toggle"
                    on:click=toggle
                >
                    <span class="caret" aria-hidden="true">{move || if open.get() { "▾" } else { "▸" }}</span>
                    <Level level=worst />
                    <span class="check-id">{id.clone()}</span>
                    <span class="check-title">{title}</span>
                    <span class="group-counts" data-testid="group-counts">{counts}</span>
                </button>
                {expired}
            </h3>
            <div id=body_id class="group-body" hidden=move || !open.get()>
                <table class="plain findings-table">
                    <caption class="visually-hidden">{format!("Findings of {id}")}</caption>
                    <thead>
                        <tr>
                            <th scope="col" class="c-sev">"Severity"</th>
                            <th scope="col" class="c-who">"Identity"</th>
                            <th scope="col">"Finding"</th>
                            <th scope="col" class="c-status">"Status"</th>
                            <th scope="col" class="c-act">
                                <span class="visually-hidden">"Action"</span>
                            </th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
                <Show when=move || { total > shown }>
                    <div class="pager" data-testid="group-pager">
                        <span class="muted">
                            {format!("Showing {}–{} of {total}", offset + 1, offset + shown)}
                        </span>
                        <button type="button" disabled=offset == 0 on:click=prev.clone() data-testid="group-prev">
                            {format!("Previous {window}")}
                        </button>
                        <button
                            type="button"
                            disabled=at_end
                            on:click=next.clone()
                            data-testid="group-next"
                        >
                            {format!("Next {}", window.min(total.saturating_sub(offset + shown)).max(1))}
                        </button>
                    </div>
                </Show>
            </div>
        </section>
    }
}

/// One finding, and below it the waiver form when it is open.
#[component]
fn FindingRow(
    item: FindingItem,
    row: usize,
    notice: RwSignal<Option<String>>,
    as_of: String,
) -> impl IntoView {
    let form_open = RwSignal::new(false);
    let edit_open = RwSignal::new(false);
    let identity = match &item.identity_key {
        Some(key) => {
            let href = format_route(&Route::Identity(key.clone()));
            view! { <a href=href data-testid="finding-identity">{item.identity_name.clone()}</a> }
                .into_any()
        }
        None => view! { <span data-testid="finding-identity">{item.identity_name.clone()}</span> }
            .into_any(),
    };
    let source = item.source.as_ref().map(|s| {
        let more = item.evidence.saturating_sub(1);
        let text = if more > 0 {
            format!("{} (+{more} more)", s.label())
        } else {
            s.label()
        };
        view! { <div class="src" data-testid="finding-source">{text}</div> }
    });
    let uncertain = (!item.certain).then(|| {
        view! { <span class="tag" title="The exports did not allow certainty">"uncertain"</span> }
    });
    let raised = item.raised.then(|| {
        view! { <span class="tag" title="Raised one step: the identity's impact is high">"raised"</span> }
    });
    let status = status_cell(item.waived, item.waiver.clone());
    let form_id = format!("waive-{}-{row}", item.check_id.to_ascii_lowercase());
    // A waived finding, or one whose waiver expired: that waiver (as the policy holds it) can be edited (renewed) or
    // revoked from here.
    let edit_id = format!("{form_id}-edit");
    let existing = match (&item.waiver, &item.waiver_rule) {
        (Some(note), Some(rule)) => Some(Target::Existing {
            index: note.waiver as usize,
            name: if rule.identity == item.waiver_identity {
                item.identity_name.clone()
            } else {
                rule.identity.clone()
            },
            waiver: rule.clone(),
        }),
        _ => None,
    };
    let manage = existing
        .clone()
        .map(|target| view! { <WaiverActions target=target form_id=edit_id.clone() form_open=edit_open /> });
    let target = Target::New {
        check_id: item.check_id.clone(),
        identity: item.waiver_identity.clone(),
        name: item.identity_name.clone(),
    };
    let action = (!item.waived).then(|| {
        let label = format!("Waive {} for {}", item.check_id, item.identity_name);
        let form_id = form_id.clone();
        view! {
            <button
                type="button"
                class="waive"
                aria-label=label
                aria-expanded=move || if form_open.get() { "true" } else { "false" }
                aria-controls=form_id
                data-testid="waive"
                on:click=move |_| form_open.update(|o| *o = !*o)
            >
                "Waive"
            </button>
        }
    });
    let as_of_edit = as_of.clone();
    let waived_class = if item.waived {
        "finding waived"
    } else {
        "finding"
    };
    view! {
        <tr
            class=waived_class
            data-testid="finding-row"
            data-check=item.check_id.clone()
            data-identity=item.waiver_identity.clone()
            data-waived=if item.waived { "true" } else { "false" }
        >
            <td>
                <Level level=item.severity.clone() />
                {raised}
            </td>
            <td class="who">
                {identity}
                <div class="muted small">{item.kind_label.clone()}</div>
            </td>
            <td>
                <span class="message">{item.message.clone()}</span>
                {uncertain}
                {source}
            </td>
            <td data-testid="finding-status">{status}{manage}</td>
            <td class="act">{action}</td>
        </tr>
        <WaiveRow target=target form_id=form_id as_of=as_of form_open=form_open notice=notice />
        {existing
            .map(|target| {
                view! {
                    <WaiveRow
                        target=target
                        form_id=edit_id
                        as_of=as_of_edit
                        form_open=edit_open
                        notice=notice
                    />
                }
            })}
    }
}

/// Open, waived (until when, by whom, why), or open with an expired waiver.
fn status_cell(waived: bool, waiver: Option<WaiverNote>) -> impl IntoView {
    let chip = if waived {
        view! { <span class="chip waived-chip">"Waived"</span> }.into_any()
    } else {
        view! { <span class="chip open-chip">"Open"</span> }.into_any()
    };
    let detail = waiver.map(|w| {
        let until = match (&w.expires, w.status) {
            (Some(e), WaiverStatus::Expired) => format!("Waiver expired {e}"),
            (None, WaiverStatus::Expired) => "Waiver expired".to_owned(),
            (Some(e), WaiverStatus::Applied) => format!("Until {e}"),
            (None, WaiverStatus::Applied) => "No expiry".to_owned(),
        };
        view! {
            <div class="waiver-note small" data-testid="waiver-note">
                <div>{until}</div>
                <div>"Approved by " <span data-testid="waiver-approver">{w.approver}</span></div>
                <div class="muted" data-testid="waiver-justification">{format!("“{}”", w.justification)}</div>
            </div>
        }
    });
    view! {
        {chip}
        {detail}
    }
}

/// What the waiver form makes: a new waiver of one finding, or an edit of a waiver the policy holds.
#[derive(Clone)]
enum Target {
    /// A new waiver of `check_id` on the finding's identity (`identity` its id, `name` its display name).
    New {
        check_id: String,
        identity: String,
        name: String,
    },
    /// The policy's waiver `waiver`, at `index` when the page was drawn (`name` says whom it covers).
    Existing {
        index: usize,
        waiver: Waiver,
        name: String,
    },
}

impl Target {
    /// The policy's waiver `w`, as the profile lists it.
    fn listed(w: &WaiverView) -> Target {
        Target::Existing {
            index: w.index,
            name: w
                .identity_name
                .clone()
                .unwrap_or_else(|| w.identity.clone()),
            waiver: Waiver {
                check_id: w.check_id.clone(),
                identity: w.identity.clone(),
                justification: w.justification.clone(),
                approver: w.approver.clone(),
                expires: w.expires.clone(),
            },
        }
    }

    /// `NHI-I-003 for sp-deploy`, `every check for sp-*`.
    fn words(&self) -> String {
        let (check, name) = match self {
            Target::New { check_id, name, .. } => (check_id.as_str(), name.as_str()),
            Target::Existing { waiver, name, .. } => (waiver.check_id.as_str(), name.as_str()),
        };
        if check == "*" {
            format!("every check for {name}")
        } else {
            format!("{check} for {name}")
        }
    }
}

/// Send a change of the policy to the worker. When the answer comes, unless `alive` says the part of the page that
/// asked is gone, `busy` is cleared and either `done` gets the new policy (then every page asks again, as it was
/// re-evaluated) or `failed` gets the worker's message.
fn change_policy(
    session: Session,
    request: &ViewRequest,
    busy: RwSignal<bool>,
    alive: impl Fn() -> bool + 'static,
    done: impl FnOnce(PolicyAnswer) + 'static,
    failed: impl FnOnce(String) + 'static,
) {
    busy.set(true);
    session.query(request, move |answer| {
        if !alive() {
            return;
        }
        busy.try_set(false);
        match answer {
            ViewAnswer::Policy(p) => {
                done(*p);
                session.generation.update(|g| *g += 1);
            }
            ViewAnswer::Error { message } => failed(message),
            _ => {}
        }
    });
}

/// Revoke the waiver of `target` (an existing one); the page says what it covered, or why nothing changed.
fn revoke(session: Session, messages: Messages, busy: RwSignal<bool>, target: &Target) {
    let Target::Existing { index, waiver, .. } = target else {
        return;
    };
    let words = target.words();
    let revoked = waiver.clone();
    let request = ViewRequest::Unwaive {
        index: *index,
        waiver: waiver.clone(),
    };
    change_policy(
        session,
        &request,
        busy,
        // The revoked waiver's row (and its `busy`) goes away; the notice stays while the page does.
        move || !messages.notice.is_disposed(),
        move |p| {
            let covered = match p.revoked {
                Some(w) if w.applied > 0 => {
                    format!("{} open again", plural(w.applied, "finding", "findings"))
                }
                Some(w) if w.expired => "it had expired".to_owned(),
                _ => "it waived no finding".to_owned(),
            };
            let said = format!("Waiver revoked: {words} ({covered}).");
            messages.done(said.clone());
            messages.undo.set(Some((said, revoked, words)));
        },
        move |message| messages.failed(message),
    );
}

/// Under the notice of a revoke: puts the revoked waiver back as it was (same justification, approver and expiry),
/// while that notice is the one showing.
#[component]
fn UndoRevoke() -> impl IntoView {
    let session = expect_context::<Session>();
    let messages = expect_context::<Messages>();
    let busy = RwSignal::new(false);
    let current = move || {
        messages.undo.get().filter(|(said, _, _)| {
            messages
                .notice
                .with(|n| n.as_deref() == Some(said.as_str()))
        })
    };
    view! {
        {move || {
            current()
                .map(|(_, waiver, words)| {
                    let label = format!("Undo revoke: {words}");
                    let restore = move |_| {
                        let words = words.clone();
                        change_policy(
                            session,
                            &ViewRequest::Waive { waiver: waiver.clone() },
                            busy,
                            move || !busy.is_disposed(),
                            move |p| {
                                let covered = p.added.as_ref().map_or(0, |w| w.applied);
                                messages.done(format!(
                                    "Waiver restored: {words} ({} waived again).",
                                    plural(covered, "finding", "findings"),
                                ));
                            },
                            move |message| messages.failed(message),
                        );
                    };
                    view! {
                        <button
                            type="button"
                            class="small"
                            aria-label=label
                            data-testid="waiver-undo"
                            disabled=move || busy.get()
                            on:click=restore
                        >
                            "Undo"
                        </button>
                    }
                })
        }}
    }
}

/// Edit and revoke buttons of an existing waiver; edit opens the form `form_id`.
#[component]
fn WaiverActions(target: Target, form_id: String, form_open: RwSignal<bool>) -> impl IntoView {
    let session = expect_context::<Session>();
    let messages = expect_context::<Messages>();
    let words = target.words();
    let busy = RwSignal::new(false);
    view! {
        <div class="waiver-actions">
            <button
                type="button"
                class="small"
                aria-label=format!("Edit waiver: {words}")
                aria-expanded=move || if form_open.get() { "true" } else { "false" }
                aria-controls=form_id
                data-testid="waiver-edit"
                on:click=move |_| form_open.update(|o| *o = !*o)
            >
                "Edit waiver"
            </button>
            <button
                type="button"
                class="small"
                aria-label=format!("Revoke waiver: {words}")
                data-testid="waiver-revoke"
                disabled=move || busy.get()
                on:click=move |_| revoke(session, messages, busy, &target)
            >
                "Revoke waiver"
            </button>
        </div>
    }
}

/// The waiver form in a row of its own under its finding, while `form_open`.
#[component]
fn WaiveRow(
    target: Target,
    form_id: String,
    as_of: String,
    form_open: RwSignal<bool>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    view! {
        <Show when=move || form_open.get()>
            <tr class="waive-row">
                <td colspan="5">
                    <WaiveForm
                        target=target.clone()
                        form_id=form_id.clone()
                        as_of=as_of.clone()
                        form_open=form_open
                        notice=notice
                    />
                </td>
            </tr>
        </Show>
    }
}

/// The waiver form: justification and approver (both required) and an expiry date; for a new waiver of one finding,
/// or pre-filled to edit an existing one in place.
#[component]
fn WaiveForm(
    target: Target,
    form_id: String,
    as_of: String,
    form_open: RwSignal<bool>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let messages = expect_context::<Messages>();
    let as_of_unix = idlens_core::time::parse(&as_of).map(|i| i.unix);
    let (justification, approver, expires) = match &target {
        Target::New { .. } => (
            RwSignal::new(String::new()),
            RwSignal::new(String::new()),
            RwSignal::new(format::date(
                as_of_unix.map(|u| u + DEFAULT_WAIVER_DAYS * 86_400),
            )),
        ),
        Target::Existing { waiver, .. } => (
            RwSignal::new(waiver.justification.clone()),
            RwSignal::new(waiver.approver.clone()),
            RwSignal::new(waiver.expires.clone().unwrap_or_default()),
        ),
    };
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let first = NodeRef::<leptos::html::Textarea>::new();
    let second = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(el) = first.get() {
            el.focus().ok();
        }
    });
    let editing = matches!(target, Target::Existing { .. });
    let words = target.words();
    let submit_target = target.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (j, a, e) = (
            justification.get_untracked().trim().to_owned(),
            approver.get_untracked().trim().to_owned(),
            expires.get_untracked().trim().to_owned(),
        );
        if j.is_empty() || a.is_empty() {
            error.set(Some(
                "A waiver needs a justification and an approver.".into(),
            ));
            // Back to the first field left empty.
            if j.is_empty() {
                first.get_untracked().map(|el| el.focus());
            } else {
                second.get_untracked().map(|el| el.focus());
            }
            return;
        }
        if !e.is_empty() {
            match (idlens_core::time::parse(&e), as_of_unix) {
                (None, _) => {
                    error.set(Some(format!("“{e}” is not a date (YYYY-MM-DD).")));
                    return;
                }
                (Some(d), Some(now)) if d.unix + 86_400 <= now => {
                    error.set(Some(format!(
                        "The expiry date is before the audit date ({as_of}): the waiver would not apply."
                    )));
                    return;
                }
                _ => {}
            }
        }
        error.set(None);
        let said = format!(
            "approved by {a}, {}",
            if e.is_empty() {
                "no expiry".to_owned()
            } else {
                format!("until {e}")
            }
        );
        let expires = (!e.is_empty()).then_some(e);
        let words = words.clone();
        let request = match &submit_target {
            Target::New {
                check_id, identity, ..
            } => ViewRequest::Waive {
                waiver: Waiver {
                    check_id: check_id.clone(),
                    identity: identity.clone(),
                    justification: j,
                    approver: a,
                    expires,
                },
            },
            Target::Existing { index, waiver, .. } => ViewRequest::EditWaiver {
                index: *index,
                waiver: waiver.clone(),
                edit: WaiverEdit {
                    justification: j,
                    approver: a,
                    expires,
                },
            },
        };
        change_policy(
            session,
            &request,
            busy,
            // The form may be gone (the page left) before the answer came.
            move || !busy.is_disposed(),
            move |p| {
                let covered = p.added.as_ref().map_or(0, |w| w.applied);
                let covered = plural(covered, "finding", "findings");
                if editing {
                    messages.done(format!(
                        "Waiver updated: {words}, {said} ({covered} waived)."
                    ));
                } else {
                    messages.error.set(None);
                    notice.set(Some(format!(
                        "Waiver added: {words} ({covered} now waived)."
                    )));
                }
                form_open.set(false);
            },
            move |message| error.set(Some(message)),
        );
    };
    let j_id = format!("{form_id}-justification");
    let a_id = format!("{form_id}-approver");
    let e_id = format!("{form_id}-expires");
    let label = if editing {
        format!("Edit waiver: {}", target.words())
    } else {
        format!("Waive {}", target.words())
    };
    let intro = match &target {
        Target::New { check_id, name, .. } => view! {
            <p class="small">
                "This waiver covers every " <strong>{check_id.clone()}</strong> " finding on " <strong>{name.clone()}</strong>
                ". Waived findings stay listed, marked waived, and no longer count towards risk, posture or the CI gate."
            </p>
        }
        .into_any(),
        Target::Existing { waiver, name, .. } => {
            let check = if waiver.check_id == "*" {
                "every check".to_owned()
            } else {
                waiver.check_id.clone()
            };
            let who = if *name == waiver.identity {
                name.clone()
            } else {
                format!("{name} ({})", waiver.identity)
            };
            view! {
                <p class="small">
                    "Editing the waiver of " <strong>{check}</strong> " for " <strong>{who}</strong>
                    ". Its check and identity stay; the justification, approver and expiry are replaced in the policy profile."
                </p>
            }
            .into_any()
        }
    };
    view! {
        <form
            id=form_id
            class="waive-form"
            aria-label=label
            data-testid="waive-form"
            data-mode=if editing { "edit" } else { "new" }
            on:submit=submit
            novalidate
        >
            {intro}
            <div class="fields">
                <label for=j_id.clone() class="wide">
                    "Justification " <span class="req">"(required)"</span>
                </label>
                <textarea
                    id=j_id
                    node_ref=first
                    rows="2"
                    required
                    data-testid="waive-justification"
                    prop:value=move || justification.get()
                    on:input=move |ev| justification.set(event_target_value(&ev))
                ></textarea>
                <label for=a_id.clone()>"Approver " <span class="req">"(required)"</span></label>
                <input
                    id=a_id
                    node_ref=second
                    type="text"
                    required
                    autocomplete="off"
                    placeholder="Name or email"
                    data-testid="waive-approver"
                    prop:value=move || approver.get()
                    on:input=move |ev| approver.set(event_target_value(&ev))
                />
                <label for=e_id.clone()>"Expires (last day it applies)"</label>
                <input
                    id=e_id
                    type="date"
                    data-testid="waive-expires"
                    prop:value=move || expires.get()
                    on:input=move |ev| expires.set(event_target_value(&ev))
                />
            </div>
            {move || error.get().map(|m| view! { <p class="error" role="alert" data-testid="waive-error">{m}</p> })}
            <div class="buttons">
                <button type="submit" class="primary" disabled=move || busy.get() data-testid="waive-submit">
                    {if editing { "Save waiver" } else { "Add waiver" }}
                </button>
                <button type="button" on:click=move |_| form_open.set(false)>"Cancel"</button>
            </div>
        </form>
    }
}

/// The filter bar: search, check, severity, status.
#[component]
fn Filters(filter: Memo<FindingsFilter>, answer: RwSignal<Option<Answer>>) -> impl IntoView {
    let session = expect_context::<Session>();
    let apply = move |edit: &dyn Fn(&mut FindingsFilter), replace: bool| {
        let mut f = filter.get_untracked();
        edit(&mut f);
        session.navigate(&Route::Findings(f), replace);
    };
    let on_search = on_search(filter, |f| &mut f.text, Route::Findings);
    let facets = move || answer.with(|a| a.as_ref().map(|a| a.facets.clone()).unwrap_or_default());
    let single = |value: String| {
        (!value.is_empty())
            .then_some(value)
            .into_iter()
            .collect::<Vec<_>>()
    };

    view! {
        <form class="filters" role="search" aria-label="Filter findings" on:submit=|ev| ev.prevent_default()>
            <label class="search">
                <span>"Search"</span>
                <input
                    type="search"
                    placeholder="Identity name or id, or words of the finding"
                    data-testid="findings-search"
                    prop:value=move || filter.with(|f| f.text.clone())
                    on:input=on_search
                />
            </label>
            <label>
                <span>"Check"</span>
                <select
                    data-testid="findings-check"
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        apply(&|f| f.checks = single(value.clone()), false);
                    }
                >
                    <option value="" selected=move || filter.with(|f| f.checks.is_empty())>"All checks"</option>
                    // Several checks chosen in the URL (`check=A,B`): shown, not offered.
                    {move || filter.with(|f| several(f.checks.clone()))}
                    {move || {
                        let current = filter.with(|f| only(&f.checks));
                        let mut checks = facets().checks;
                        // A check chosen in the URL stays choosable even when nothing matches it.
                        if !current.is_empty() && !checks.iter().any(|c| c.check_id.eq_ignore_ascii_case(&current)) {
                            checks.push(idlens_core::view::findings::CheckFacet {
                                check_id: current.clone(),
                                title: String::new(),
                                count: 0,
                            });
                        }
                        checks
                            .into_iter()
                            .map(|c| {
                                let selected = c.check_id.eq_ignore_ascii_case(&current);
                                let text = if c.title.is_empty() {
                                    format!("{} ({})", c.check_id, c.count)
                                } else {
                                    format!("{} {} ({})", c.check_id, c.title, c.count)
                                };
                                view! { <option value=c.check_id.clone() selected=selected>{text}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </label>
            <MoreChoices
                id="findings-check"
                noun="check"
                chosen=Signal::derive(move || filter.with(|f| f.checks.clone()))
                options=Signal::derive(move || {
                    facets()
                        .checks
                        .into_iter()
                        .map(|c| (c.check_id.clone(), format!("{} {} ({})", c.check_id, c.title, c.count)))
                        .collect::<Vec<_>>()
                })
                on_change=Callback::new(move |checks: Vec<String>| apply(&|f| f.checks = checks.clone(), false))
            />
            <label>
                <span>"Severity"</span>
                <select
                    data-testid="findings-severity"
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        apply(&|f| f.severities = single(value.clone()), false);
                    }
                >
                    <option value="" selected=move || filter.with(|f| f.severities.is_empty())>"Any severity"</option>
                    // Several severities chosen on the severity line: shown, not offered.
                    {move || filter.with(|f| several(f.severities.iter().map(|s| format::capitalised(s)).collect()))}
                    {move || {
                        let current = filter.with(|f| only(&f.severities));
                        let counts = facets().severities;
                        SEVERITIES
                            .into_iter()
                            .map(|s| {
                                let n = counts.iter().find(|(name, _)| name == s).map_or(0, |(_, n)| *n);
                                view! {
                                    <option value=s selected=current == s>
                                        {format!("{} ({n})", format::capitalised(s))}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
            </label>
            <label>
                <span>"Status"</span>
                <select
                    data-testid="findings-status"
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        apply(&|f| f.status = value.clone(), false);
                    }
                >
                    <option value="" selected=move || filter.with(|f| f.status.is_empty())>"Open and waived"</option>
                    <option value="open" selected=move || filter.with(|f| f.status == "open")>
                        {move || format!("Open ({})", facets().open)}
                    </option>
                    <option value="waived" selected=move || filter.with(|f| f.status == "waived")>
                        {move || format!("Waived ({})", facets().waived)}
                    </option>
                </select>
            </label>
            <button
                type="button"
                data-testid="findings-clear"
                on:click=move |_| apply(&|f| *f = FindingsFilter::default(), false)
            >
                "Clear filters"
            </button>
        </form>
    }
}

/// The policy profile in force, with export and load.
#[component]
fn PolicyCard(
    answer: RwSignal<Option<Answer>>,
    notice: RwSignal<Option<String>>,
    /// The first waiver listed (the card pages through the waivers a window at a time).
    waivers_offset: RwSignal<usize>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let error = RwSignal::new(None::<String>);
    let summary = move || answer.with(|a| a.as_ref().map(|a| a.policy.clone()));
    let as_of = move || answer.with(|a| a.as_ref().map(|a| a.as_of.clone()).unwrap_or_default());
    let export = move |_| {
        error.set(None);
        session.query(&ViewRequest::Policy, move |a| match a {
            _ if notice.is_disposed() => {}
            ViewAnswer::Policy(p) => {
                match download(POLICY_FILE_NAME, "application/json", &p.json) {
                    Ok(()) => notice.set(Some(format!(
                        "Policy profile exported as {POLICY_FILE_NAME} ({}).",
                        waiver_words(&p.summary)
                    ))),
                    Err(e) => error.set(Some(e)),
                }
            }
            ViewAnswer::Error { message } => error.set(Some(message)),
            _ => {}
        });
    };
    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|l| l.get(0)) else {
            return;
        };
        // Picking the same file again must fire `change` again.
        input.set_value("");
        let name = file.name();
        error.set(None);
        if file.size() > MAX_POLICY_BYTES {
            error.set(Some(format!(
                "{name}: {} is too large for a policy profile; nothing was changed.",
                crate::human_bytes(file.size())
            )));
            return;
        }
        leptos::task::spawn_local(async move {
            let text = match crate::download::read_text(&file).await {
                Ok(text) => text,
                Err(_) => {
                    error.set(Some(format!(
                        "{name}: the file could not be read; nothing was changed."
                    )));
                    return;
                }
            };
            let request = ViewRequest::SetPolicy {
                json: text,
                name: Some(name.clone()),
            };
            session.query(&request, move |a| match a {
                _ if notice.is_disposed() => {}
                ViewAnswer::Policy(p) => {
                    notice.set(Some(loaded_words(&name, &p)));
                    session.generation.update(|g| *g += 1);
                }
                ViewAnswer::Error { message } => {
                    let stop = if message.ends_with('.') { "" } else { "." };
                    error.set(Some(format!(
                        "{message}{stop} The policy in force was kept."
                    )));
                }
                _ => {}
            });
        });
    };

    view! {
        <section class="card policy-card" aria-labelledby="policy-title" data-testid="policy">
            <div class="policy-head">
                <div>
                    <h3 id="policy-title">"Policy profile"</h3>
                    <p class="policy-summary" data-testid="policy-summary">
                        {move || summary().map(|s| summary_words(&s)).unwrap_or_default()}
                    </p>
                </div>
                <div class="policy-actions">
                    <button type="button" data-testid="export-policy" on:click=export>
                        "Export policy profile"
                    </button>
                    <label class="file-button">
                        <input
                            type="file"
                            class="visually-hidden"
                            accept=".json,application/json"
                            data-testid="policy-input"
                            on:change=on_file
                        />
                        <span>"Load policy profile…"</span>
                    </label>
                </div>
            </div>
            {move || {
                error.get().map(|m| view! { <p class="error" role="alert" data-testid="policy-error">{m}</p> })
            }}
            {move || summary().map(|s| view! { <PolicyDetails summary=s as_of=as_of() notice=notice waivers_offset=waivers_offset /> })}
        </section>
    }
}

/// The waivers (each can be edited or revoked) and the settings that differ from the defaults.
#[component]
fn PolicyDetails(
    summary: PolicySummary,
    as_of: String,
    notice: RwSignal<Option<String>>,
    waivers_offset: RwSignal<usize>,
) -> impl IntoView {
    let (first, shown, total) = (summary.first, summary.listed.len(), summary.waivers);
    let waivers = (!summary.listed.is_empty()).then(|| {
        let rows = summary
            .listed
            .iter()
            .map(|w| {
                let covers = if w.expired {
                    format!("expired: {} no longer waived", plural(w.lapsed, "finding", "findings"))
                } else {
                    plural(w.applied, "finding", "findings")
                };
                let status = if w.expired { "chip expired-chip" } else { "chip waived-chip" };
                let target = Target::listed(w);
                let form_id = format!("policy-waiver-{}", w.index);
                let form_open = RwSignal::new(false);
                let as_of = as_of.clone();
                view! {
                    <tr
                        data-testid="policy-waiver"
                        data-index=w.index
                        data-check=w.check_id.clone()
                        data-identity=w.identity.clone()
                        data-expired=if w.expired { "true" } else { "false" }
                    >
                        <td>{w.check_id.clone()}</td>
                        <td>
                            {w.identity_name.clone().map(|n| view! { <div data-testid="policy-waiver-name">{n}</div> })}
                            <div class="id">{w.identity.clone()}</div>
                        </td>
                        <td>{w.justification.clone()}</td>
                        <td>{w.approver.clone()}</td>
                        <td>
                            <span class=status>
                                {w.expires.clone().map_or_else(|| "No expiry".to_owned(), |e| format!("until {e}"))}
                            </span>
                        </td>
                        <td>{covers}</td>
                        <td>
                            <WaiverActions target=target.clone() form_id=form_id.clone() form_open=form_open />
                        </td>
                    </tr>
                    <Show when=move || form_open.get()>
                        <tr class="waive-row">
                            <td colspan="7">
                                <WaiveForm
                                    target=target.clone()
                                    form_id=form_id.clone()
                                    as_of=as_of.clone()
                                    form_open=form_open
                                    notice=notice
                                />
                            </td>
                        </tr>
                    </Show>
                }
            })
            .collect_view();
        view! {
            <table class="plain policy-waivers">
                <caption class="visually-hidden">"Waivers of the policy profile"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Check"</th>
                        <th scope="col">"Identity"</th>
                        <th scope="col">"Justification"</th>
                        <th scope="col">"Approver"</th>
                        <th scope="col">"Expires"</th>
                        <th scope="col">"Covers"</th>
                        <th scope="col">
                            <span class="visually-hidden">"Actions"</span>
                        </th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            {(total > shown).then(|| {
                let window = MAX_WAIVERS_LISTED;
                let left = total.saturating_sub(first + shown);
                view! {
                    <div class="pager" data-testid="policy-pager">
                        <span class="muted" data-testid="policy-pager-range">
                            {format!("Waivers {}–{} of {total}", first + 1, first + shown)}
                        </span>
                        <button
                            type="button"
                            disabled=first == 0
                            data-testid="policy-prev"
                            on:click=move |_| waivers_offset.set(first.saturating_sub(window))
                        >
                            {format!("Previous {window}")}
                        </button>
                        <button
                            type="button"
                            disabled=left == 0
                            data-testid="policy-next"
                            on:click=move |_| waivers_offset.set(first + shown)
                        >
                            {format!("Next {}", window.min(left).max(1))}
                        </button>
                    </div>
                }
            })}
        }
    });
    let changed = (!summary.changed.is_empty()).then(|| {
        let items = summary
            .changed
            .iter()
            .map(|c| {
                view! {
                    <li>
                        <code>{c.setting.clone()}</code>
                        ": "
                        {c.value.clone()}
                        <span class="muted">{format!(" (default {})", c.default)}</span>
                    </li>
                }
            })
            .collect_view();
        view! {
            <h4>"Settings that differ from the defaults"</h4>
            <ul class="policy-changes" data-testid="policy-changes">{items}</ul>
        }
    });
    view! {
        {waivers}
        {changed}
    }
}

fn waiver_words(s: &PolicySummary) -> String {
    let mut text = plural(s.waivers, "waiver", "waivers");
    if s.expired > 0 {
        text.push_str(&format!(", {} expired", s.expired));
    }
    text
}

fn summary_words(s: &PolicySummary) -> String {
    if s.default {
        return "Default settings (CONTROLS.md §8), no waivers.".to_owned();
    }
    let settings = if s.changed.is_empty() {
        "default settings".to_owned()
    } else {
        plural(s.changed.len(), "setting differs", "settings differ") + " from the defaults"
    };
    format!("{}; {settings}.", capital(&waiver_words(s)))
}

fn capital(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

fn loaded_words(name: &str, p: &PolicyAnswer) -> String {
    format!(
        "Policy profile loaded from {name}: {}; {}.",
        waiver_words(&p.summary),
        if p.summary.changed.is_empty() {
            "default settings".to_owned()
        } else {
            plural(
                p.summary.changed.len(),
                "setting differs",
                "settings differ",
            ) + " from the defaults"
        }
    )
}
