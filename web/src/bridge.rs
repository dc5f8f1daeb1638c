//! The page's side of the ingest worker: start it from a Blob URL, give it the core module and files, decode what
//! it sends back, and ask it questions about the snapshot it keeps ([`Bridge::query`]).
//!
//! Questions carry a counter id; the answer's callback is looked up by that id, so answers can arrive in any order.
//! Whoever asks decides whether an answer is stale (see [`Latest`]).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use idlens_core::model::{FileReport, Summary};
use idlens_core::view::{ViewAnswer, ViewRequest};
use js_sys::{Array, Object, Reflect, Uint8Array};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

/// The worker script (plain JS, no imports), run from a Blob URL so that it works from `file://` too.
const WORKER_JS: &str = include_str!("worker.js");

/// The core compiled to an import-free WebAssembly module by `cargo xtask worker`.
static CORE_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/worker.wasm"));

/// Progress of one file, as the worker reports it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Progress {
    pub name: String,
    pub index: u32,
    pub count: u32,
    pub done: f64,
    pub total: f64,
}

/// The worker's final report: the snapshot's summary and each file's reconciliation.
#[derive(Clone, Debug, Deserialize)]
pub struct Report {
    pub summary: Summary,
    pub reports: Vec<FileReport>,
    /// Milliseconds the worker spent from the first byte to the report (set from the message, not the JSON).
    #[serde(skip)]
    pub elapsed_ms: f64,
    /// Of those, milliseconds the worker waited for the files' bytes (for the benchmarks).
    #[serde(skip)]
    pub wait_ms: f64,
    /// Size of the core module's memory after the load: its peak, since wasm memory never shrinks.
    #[serde(skip)]
    pub wasm_memory_bytes: f64,
}

/// A decoded message from the worker.
pub enum FromWorker {
    Ready,
    /// The worker's warm-up is over, after this many milliseconds (see `worker.js`).
    Warm(f64),
    Progress(Progress),
    Result(Report),
    /// The baseline's report after it was loaded, or `None` once it is removed.
    Baseline(Option<Box<Report>>),
    Failed(String),
}

/// Callbacks waiting for an answer, by question id.
type Pending = Rc<RefCell<HashMap<u32, Box<dyn FnOnce(ViewAnswer)>>>>;

/// A running worker.
pub struct Bridge {
    worker: web_sys::Worker,
    next_id: Cell<u32>,
    pending: Pending,
}

/// Numbers a component's questions so that only the answer to its newest one is used (a fast typist or scroller
/// may have asked again before the answer came).
#[derive(Clone, Default)]
pub struct Latest(Rc<Cell<u32>>);

impl Latest {
    /// A ticket for a new question; every earlier ticket becomes stale.
    #[must_use]
    pub fn next(&self) -> u32 {
        let ticket = self.0.get().wrapping_add(1);
        self.0.set(ticket);
        ticket
    }

    /// Whether `ticket` is still the newest question.
    #[must_use]
    pub fn is(&self, ticket: u32) -> bool {
        self.0.get() == ticket
    }
}

impl Bridge {
    /// Start the worker and send it the core module; `on_message` receives everything it says.
    pub fn start(on_message: impl Fn(FromWorker) + 'static) -> Result<Self, String> {
        if CORE_WASM.is_empty() {
            return Err(
                "This viewer was built without its core module. Build it with `cargo xtask dist`."
                    .into(),
            );
        }
        let parts = Array::of1(&JsValue::from_str(WORKER_JS));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("text/javascript");
        let blob =
            web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(describe)?;
        let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(describe)?;
        let worker = web_sys::Worker::new(&url).map_err(describe)?;

        let on_message = Rc::new(on_message);
        let forward = on_message.clone();
        let pending: Pending = Rc::default();
        let answers = pending.clone();
        let message =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
                let data = event.data();
                if field(&data, "type").as_string().as_deref() == Some("answer") {
                    let id = field(&data, "id").as_f64().unwrap_or(-1.0) as u32;
                    let json = field(&data, "json").as_string().unwrap_or_default();
                    let answer = serde_json::from_str::<ViewAnswer>(&json).unwrap_or_else(|err| {
                        ViewAnswer::Error {
                            message: format!("The worker's answer could not be read: {err}"),
                        }
                    });
                    // Take the callback out before calling it: it may ask the next question.
                    let callback = answers.borrow_mut().remove(&id);
                    if let Some(callback) = callback {
                        callback(answer);
                    }
                    return;
                }
                forward(decode(&data));
            });
        worker.set_onmessage(Some(message.as_ref().unchecked_ref()));
        message.forget();
        let failure =
            Closure::<dyn Fn(web_sys::ErrorEvent)>::new(move |event: web_sys::ErrorEvent| {
                on_message(FromWorker::Failed(format!(
                    "The ingest worker stopped: {}",
                    event.message()
                )));
            });
        worker.set_onerror(Some(failure.as_ref().unchecked_ref()));
        failure.forget();

        let bytes = Uint8Array::from(CORE_WASM);
        let init = Object::new();
        set(&init, "type", &"init".into())?;
        set(&init, "wasm", &bytes)?;
        worker
            .post_message_with_transfer(&init, &Array::of1(&bytes.buffer()))
            .map_err(describe)?;
        Ok(Self {
            worker,
            next_id: Cell::new(1),
            pending,
        })
    }

    /// Ask the worker a question about the loaded snapshot; `on_answer` runs when the answer arrives. Returns the
    /// question's id.
    pub fn query(
        &self,
        request: &ViewRequest,
        on_answer: impl FnOnce(ViewAnswer) + 'static,
    ) -> Result<u32, String> {
        let id = self.next_id.get();
        self.next_id.set(id.wrapping_add(1));
        let text = serde_json::to_string(request).map_err(|e| e.to_string())?;
        let msg = Object::new();
        set(&msg, "type", &"query".into())?;
        set(&msg, "id", &JsValue::from(id))?;
        set(&msg, "request", &JsValue::from_str(&text))?;
        self.pending.borrow_mut().insert(id, Box::new(on_answer));
        if let Err(err) = self.worker.post_message(&msg) {
            self.pending.borrow_mut().remove(&id);
            return Err(describe(err));
        }
        Ok(id)
    }

    /// Ask the worker to load the bundled demo tenant.
    pub fn demo(&self) -> Result<(), String> {
        let msg = Object::new();
        set(&msg, "type", &"demo".into())?;
        self.worker.post_message(&msg).map_err(describe)
    }

    /// Send files to be read. Only `File` handles cross over; their bytes are read inside the worker.
    pub fn ingest(&self, files: &web_sys::FileList) -> Result<(), String> {
        self.send_files("files", files, false)
    }

    /// Send files that extend the current snapshot (the worker reads them with the ones it already has).
    pub fn add_files(&self, files: &web_sys::FileList) -> Result<(), String> {
        self.send_files("files", files, true)
    }

    /// Send the files of a baseline snapshot (an earlier export), read beside the current one.
    pub fn baseline_files(&self, files: &web_sys::FileList) -> Result<(), String> {
        self.send_files("baseline-files", files, false)
    }

    /// Ask the worker to load the demo tenant one month earlier as the baseline.
    pub fn baseline_demo(&self) -> Result<(), String> {
        self.send("baseline-demo")
    }

    /// Ask the worker to forget the baseline.
    pub fn clear_baseline(&self) -> Result<(), String> {
        self.send("baseline-clear")
    }

    fn send(&self, kind: &str) -> Result<(), String> {
        let msg = Object::new();
        set(&msg, "type", &kind.into())?;
        self.worker.post_message(&msg).map_err(describe)
    }

    fn send_files(&self, kind: &str, files: &web_sys::FileList, add: bool) -> Result<(), String> {
        let list = Array::new();
        for i in 0..files.length() {
            if let Some(file) = files.get(i) {
                list.push(&file);
            }
        }
        let msg = Object::new();
        set(&msg, "type", &kind.into())?;
        set(&msg, "files", &list)?;
        set(&msg, "add", &JsValue::from_bool(add))?;
        self.worker.post_message(&msg).map_err(describe)
    }
}

fn set(target: &Object, key: &str, value: &JsValue) -> Result<(), String> {
    Reflect::set(target, &key.into(), value)
        .map(|_| ())
        .map_err(describe)
}

fn field(data: &JsValue, key: &str) -> JsValue {
    Reflect::get(data, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn decode(data: &JsValue) -> FromWorker {
    let kind = field(data, "type").as_string().unwrap_or_default();
    match kind.as_str() {
        "ready" => FromWorker::Ready,
        "warm" => FromWorker::Warm(field(data, "ms").as_f64().unwrap_or(0.0)),
        "progress" => FromWorker::Progress(Progress {
            name: field(data, "name").as_string().unwrap_or_default(),
            index: field(data, "index").as_f64().unwrap_or(0.0) as u32,
            count: field(data, "count").as_f64().unwrap_or(0.0) as u32,
            done: field(data, "done").as_f64().unwrap_or(0.0),
            total: field(data, "total").as_f64().unwrap_or(0.0),
        }),
        "result" => {
            let json = field(data, "json").as_string().unwrap_or_default();
            match serde_json::from_str::<Report>(&json) {
                Ok(mut report) => {
                    report.elapsed_ms = field(data, "elapsedMs").as_f64().unwrap_or(0.0);
                    report.wait_ms = field(data, "waitMs").as_f64().unwrap_or(0.0);
                    report.wasm_memory_bytes =
                        field(data, "wasmMemoryBytes").as_f64().unwrap_or(0.0);
                    FromWorker::Result(report)
                }
                Err(err) => {
                    FromWorker::Failed(format!("The worker's report could not be read: {err}"))
                }
            }
        }
        "baseline" => {
            let json = field(data, "json").as_string().unwrap_or_default();
            match serde_json::from_str::<Option<Report>>(&json) {
                Ok(report) => FromWorker::Baseline(report.map(Box::new)),
                Err(err) => FromWorker::Failed(format!(
                    "The worker's report of the baseline could not be read: {err}"
                )),
            }
        }
        "error" => FromWorker::Failed(format!(
            "Reading the files failed: {}",
            field(data, "message").as_string().unwrap_or_default()
        )),
        other => FromWorker::Failed(format!("Unexpected message from the worker: {other}")),
    }
}

fn describe(err: JsValue) -> String {
    err.as_string()
        .or_else(|| {
            Reflect::get(&err, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| format!("{err:?}"))
}
