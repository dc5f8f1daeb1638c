//! Files out of the page and into it, with no request: a download is a Blob behind an object URL clicked from a
//! detached link (the URL revoked a moment later); an upload is a picked `File` read as text in the page.

use std::time::Duration;

use leptos::prelude::set_timeout;
use wasm_bindgen::{JsCast as _, JsValue};

/// Offer `text` as a download named `name` of media type `media_type`.
pub fn download(name: &str, media_type: &str, text: &str) -> Result<(), String> {
    let fail = |what: &str| format!("{name} could not be saved ({what}).");
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(media_type);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| fail("blob"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| fail("object URL"))?;
    let link = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok())
        .ok_or_else(|| fail("link"))?;
    link.set_attribute("href", &url).map_err(|_| fail("link"))?;
    link.set_attribute("download", name)
        .map_err(|_| fail("link"))?;
    link.click();
    // The download has started from the URL; free it a moment later.
    set_timeout(
        move || {
            web_sys::Url::revoke_object_url(&url).ok();
        },
        Duration::from_millis(1000),
    );
    Ok(())
}

/// The text of a picked file (small files only: keys and policy profiles).
pub async fn read_text(file: &web_sys::File) -> Result<String, String> {
    wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .ok()
        .and_then(|v| v.as_string())
        .ok_or_else(|| format!("{} could not be read as text.", file.name()))
}
