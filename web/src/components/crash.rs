//! A panic must never leave a blank page. The hook logs to the console (as `console_error_panic_hook` does) and then
//! writes a visible message at the top of the page, as text, through web-sys directly: after a panic the reactive
//! system cannot be trusted to render anything.

use std::sync::Once;

/// Install the panic hook (once; later calls do nothing).
pub fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            console_error_panic_hook::hook(info);
            show_crash(&info.to_string());
        }));
    });
}

/// Put a message in the page saying that the viewer stopped and what to do.
fn show_crash(detail: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = document.body() else {
        return;
    };
    if document.get_element_by_id("idlens-crash").is_some() {
        return;
    }
    let Ok(panel) = document.create_element("div") else {
        return;
    };
    panel.set_id("idlens-crash");
    panel.set_class_name("crash");
    panel.set_attribute("role", "alert").ok();
    panel.set_attribute("data-testid", "crash").ok();
    let lines = [
        ("strong", "Idlens stopped because of an internal error."),
        (
            "p",
            "Nothing was sent anywhere. Reload the page to start again; your files stay on this machine.",
        ),
        ("pre", detail),
    ];
    for (tag, text) in lines {
        if let Ok(el) = document.create_element(tag) {
            // Text only: the message may quote data from an export.
            el.set_text_content(Some(text));
            panel.append_child(&el).ok();
        }
    }
    body.prepend_with_node_1(&panel).ok();
}
