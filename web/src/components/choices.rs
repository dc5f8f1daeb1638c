//! Several values for one filter. The page's own select picks one value (and "any"); beside it, once a value is
//! chosen, [`MoreChoices`] offers the values not yet chosen to add, and lists the chosen ones, each with a button
//! that removes it. The list lives in the URL like every filter (`check=A,B`), so back and forward step through it.

use leptos::prelude::*;

/// A select's option naming several values chosen at once: selected, and not offered as a choice, so the page's
/// one-value select says what is in force instead of showing just the first.
pub fn several(values: Vec<String>) -> Option<impl IntoView> {
    (values.len() > 1).then(|| {
        view! { <option value="" disabled=true selected=true>{values.join(", ")}</option> }
    })
}

/// The one value chosen, or nothing when none or several are (several show through [`several`]).
pub fn only(values: &[String]) -> String {
    match values {
        [one] => one.clone(),
        _ => String::new(),
    }
}

/// `chosen` with `value` added: sorted, without duplicates, so one set of values is one URL.
pub fn with_added(chosen: &[String], value: &str) -> Vec<String> {
    let mut next: Vec<String> = chosen.to_vec();
    if !next.iter().any(|c| c.eq_ignore_ascii_case(value)) {
        next.push(value.to_owned());
    }
    next.sort();
    next
}

/// `chosen` without `value`.
pub fn without(chosen: &[String], value: &str) -> Vec<String> {
    chosen.iter().filter(|c| *c != value).cloned().collect()
}

/// The chosen values of one filter as removable chips (when there are several), and a select adding one more.
/// Nothing shows until a first value is chosen with the page's own select.
#[component]
pub fn MoreChoices(
    /// Test ids: `{id}-add` (the select), `{id}-chosen` (the list), `{id}-remove` (each chip's button).
    id: &'static str,
    /// What one value is, in words ("check", "control").
    noun: &'static str,
    /// The values chosen now.
    #[prop(into)]
    chosen: Signal<Vec<String>>,
    /// Every value that can be chosen, with the label its option shows.
    #[prop(into)]
    options: Signal<Vec<(String, String)>>,
    /// Called with the new list of values.
    on_change: Callback<Vec<String>>,
) -> impl IntoView {
    let add = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        if !value.is_empty() {
            on_change.run(chosen.with_untracked(|c| with_added(c, &value)));
        }
    };
    let chips = move || {
        chosen
            .get()
            .into_iter()
            .map(|value| {
                let remove = {
                    let value = value.clone();
                    move |_| on_change.run(chosen.with_untracked(|c| without(c, &value)))
                };
                view! {
                    <li class="chip">
                        <span>{value.clone()}</span>
                        <button
                            type="button"
                            data-testid=format!("{id}-remove")
                            data-value=value.clone()
                            aria-label=format!("Remove {noun} {value}")
                            title=format!("Remove {noun} {value}")
                            on:click=remove
                        >
                            "×"
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    let unchosen = move || {
        let chosen = chosen.get();
        options
            .get()
            .into_iter()
            .filter(|(value, _)| !chosen.iter().any(|c| c.eq_ignore_ascii_case(value)))
            .map(|(value, label)| view! { <option value=value>{label}</option> })
            .collect_view()
    };

    view! {
        <Show when=move || chosen.with(|c| !c.is_empty())>
            <div class="more-choices">
                <Show when=move || chosen.with(|c| c.len() > 1)>
                    <ul class="chips" aria-label=format!("Chosen {noun}s") data-testid=format!("{id}-chosen")>
                        {chips}
                    </ul>
                </Show>
                <label>
                    <span>{format!("Add a {noun}")}</span>
                    <select data-testid=format!("{id}-add") on:change=add prop:value=move || chosen.with(|_| "")>
                        <option value="">{format!("Another {noun}…")}</option>
                        {unchosen}
                    </select>
                </label>
            </div>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adding_keeps_one_sorted_list_and_removing_takes_just_that_value() {
        let chosen = vec!["NHI-P-001".to_owned()];
        let two = with_added(&chosen, "NHI-C-002");
        assert_eq!(two, ["NHI-C-002", "NHI-P-001"]);
        assert_eq!(
            with_added(&two, "nhi-c-002"),
            two,
            "a value already chosen is not added twice"
        );
        assert_eq!(without(&two, "NHI-C-002"), ["NHI-P-001"]);
        assert_eq!(without(&two, "NHI-X-999"), two);
        assert_eq!(only(&chosen), "NHI-P-001");
        assert_eq!(only(&two), "", "several chosen: no one value");
        assert_eq!(only(&[]), "");
    }
}
