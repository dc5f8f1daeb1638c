//! The core behind a C ABI, so the viewer's worker can run it with no JavaScript glue at all.
//!
//! The module imports nothing. The worker (see `web/src/worker.js`) drives it like this:
//!
//! 1. `idl_alloc(len)` returns a pointer where the worker copies a chunk of a file (or a name);
//! 2. `idl_file_begin(name_ptr, name_len)` starts a file, `idl_file_push(ptr, len)` feeds each chunk,
//!    `idl_file_end()` closes it;
//! 3. `idl_result()` writes the JSON report of every file so far and returns its pointer; `idl_result_len()` its
//!    length. `idl_reset()` forgets everything.
//!
//! Memory handed out by `idl_alloc` is released with `idl_free(ptr, len)`.
//!
//! **Invariant:** all state lives in one [`Session`]; the exported functions only translate pointers into slices.

use std::cell::RefCell;

use idlens_core::scan::{FileScan, Scanner};

/// Everything the worker has fed in so far.
#[derive(Default)]
pub struct Session {
    current: Option<Scanner>,
    files: Vec<FileScan>,
    result: Vec<u8>,
}

impl Session {
    pub fn begin(&mut self, name: &str) {
        self.end();
        self.current = Some(Scanner::new(name));
    }

    pub fn push(&mut self, chunk: &[u8]) {
        if let Some(scanner) = &mut self.current {
            scanner.push(chunk);
        }
    }

    pub fn end(&mut self) {
        if let Some(scanner) = self.current.take() {
            self.files.push(scanner.finish());
        }
    }

    /// The report as JSON: `{"files":[FileScan…]}`.
    pub fn result(&mut self) -> &[u8] {
        self.end();
        self.result.clear();
        let report = serde_json::json!({ "files": self.files });
        // Serialising plain data into a Vec cannot fail.
        self.result = serde_json::to_vec(&report).unwrap_or_default();
        &self.result
    }
}

thread_local! {
    static SESSION: RefCell<Session> = RefCell::new(Session::default());
}

/// Reserve `len` bytes and return their address.
#[unsafe(no_mangle)]
pub extern "C" fn idl_alloc(len: usize) -> *mut u8 {
    let mut buf = Vec::<u8>::with_capacity(len.max(1));
    let ptr = buf.as_mut_ptr();
    std::mem::forget(buf);
    ptr
}

/// Release memory from [`idl_alloc`].
///
/// # Safety
/// `ptr` and `len` must come from one call of [`idl_alloc`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn idl_free(ptr: *mut u8, len: usize) {
    // SAFETY: the caller passes back exactly what idl_alloc handed out.
    drop(unsafe { Vec::from_raw_parts(ptr, 0, len.max(1)) });
}

/// # Safety
/// `ptr..ptr+len` must be memory from [`idl_alloc`] that the caller filled.
unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 {
        return &[];
    }
    // SAFETY: guaranteed by the caller.
    unsafe { std::slice::from_raw_parts(ptr, len) }
}

/// Start a new file named by the UTF-8 text at `ptr..ptr+len`.
///
/// # Safety
/// See [`bytes`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn idl_file_begin(ptr: *const u8, len: usize) {
    // SAFETY: forwarded from the caller.
    let name = String::from_utf8_lossy(unsafe { bytes(ptr, len) }).into_owned();
    SESSION.with_borrow_mut(|s| s.begin(&name));
}

/// Feed the next chunk of the current file.
///
/// # Safety
/// See [`bytes`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn idl_file_push(ptr: *const u8, len: usize) {
    // SAFETY: forwarded from the caller.
    let chunk = unsafe { bytes(ptr, len) };
    SESSION.with_borrow_mut(|s| s.push(chunk));
}

/// Close the current file.
#[unsafe(no_mangle)]
pub extern "C" fn idl_file_end() {
    SESSION.with_borrow_mut(Session::end);
}

/// Build the JSON report and return its address (valid until the next call into the module).
#[unsafe(no_mangle)]
pub extern "C" fn idl_result() -> *const u8 {
    SESSION.with_borrow_mut(|s| s.result().as_ptr())
}

/// Length of the report built by [`idl_result`].
#[unsafe(no_mangle)]
pub extern "C" fn idl_result_len() -> usize {
    SESSION.with_borrow(|s| s.result.len())
}

/// Forget every file.
#[unsafe(no_mangle)]
pub extern "C" fn idl_reset() {
    SESSION.with_borrow_mut(|s| *s = Session::default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_reports_each_file() {
        let mut session = Session::default();
        session.begin("roles.json");
        session.push(b"[{\"a\":1},");
        session.push(b"{\"a\":2}]");
        session.begin("notes.txt");
        session.push(b"hello");
        let report: serde_json::Value = serde_json::from_slice(session.result()).expect("json");
        assert_eq!(report["files"][0]["records"], 2);
        assert_eq!(report["files"][0]["container"], "json-array");
        assert_eq!(report["files"][1]["container"], "unknown");
    }
}
