//! The core behind a C ABI, so the viewer's worker can run it with no JavaScript glue at all.
//!
//! The module imports nothing. The worker (see `web/src/worker.js`) drives it like this:
//!
//! 1. `idl_alloc(len)` returns a pointer where the worker copies a chunk of a file (or a name);
//! 2. `idl_file_begin(name_ptr, name_len)` starts a file, `idl_file_size(bytes)` may say how large it is (a hint),
//!    `idl_file_push(ptr, len)` feeds each chunk, `idl_file_end()` closes it;
//! 3. `idl_result()` writes the JSON report of every file so far and returns its pointer; `idl_result_len()` its
//!    length. `idl_reset()` forgets everything.
//!
//! `idl_demo()` loads the bundled demo tenant instead of files.
//!
//! A second, *baseline* snapshot (an earlier export of the same tenant) can be loaded beside the current one:
//! `idl_target(1)` starts it (the file calls then go to it), `idl_result()` finishes it and reports it, and
//! `idl_target(0)` goes back to the current snapshot. `idl_demo_baseline()` loads the demo tenant one month earlier
//! as the baseline; `idl_clear_baseline()` forgets it. Reloading either snapshot keeps the other.
//!
//! Once a result was taken, the page asks questions of the snapshot: `idl_query(ptr, len)` reads a JSON
//! [`ViewRequest`] (`{"kind":"identities",…}` or `{"kind":"identity","id":…}`) and returns the address of the JSON
//! [`ViewAnswer`]; `idl_answer_len()` its length. `idl_set_as_of(seconds)` gives the module the "now" the check
//! catalog is evaluated at (once, on the first question; the demo tenant brings its own). Only what the page shows crosses over; the snapshot stays here.
//!
//! Memory handed out by `idl_alloc` is released with `idl_free(ptr, len)`.
//!
//! **Invariant:** all state lives in one [`Session`]; the exported functions only translate pointers into slices.
//! The snapshot stays in the session after `idl_result`, so later calls can ask more of it without re-reading.

use std::cell::RefCell;

#[cfg(target_arch = "wasm32")]
mod heap;

use idlens_core::digest::{FileHasher, digest};
use idlens_core::ingest::{Ingest, IngestOptions};
use idlens_core::model::{self, FileReport, Summary};
use idlens_core::policy::Policy;
use idlens_core::report::InputDigest;
use idlens_core::view::workspace::{Baseline, Workspace};
use idlens_core::view::{ViewAnswer, ViewRequest};
use serde::Serialize;

/// How many set-aside records per file the report lists (the counts are always complete).
pub const SET_ASIDE_LISTED: usize = 100;

/// Which snapshot the file calls feed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Target {
    /// The snapshot the pages show.
    #[default]
    Current,
    /// The snapshot the compare page compares it with.
    Baseline,
}

/// Everything the worker has fed in so far.
pub struct Session {
    ingest: Option<Ingest>,
    /// Where [`Session::begin`], [`Session::push`], [`Session::end`] and [`Session::result`] go.
    target: Target,
    /// The baseline being read.
    baseline_ingest: Option<Ingest>,
    /// The baseline while no current snapshot holds it (it lives in the [`Workspace`] once there is one).
    parked_baseline: Option<Baseline>,
    /// The last finished snapshot and what is derived from it (see [`Workspace`]).
    workspace: Option<Workspace>,
    /// The "now" the checks are evaluated at (the module has no clock: the worker sets it).
    as_of: Option<i64>,
    /// The audit date the user chose in the viewer: it wins over the worker's clock and the demo's date, and stays
    /// across loads like the policy.
    chosen_as_of: Option<i64>,
    /// The policy profile, kept across loads (waivers made in the viewer survive adding files).
    policy: Policy,
    result: Vec<u8>,
    answer: Vec<u8>,
    /// The file being hashed for the report (see [`Session::digest_begin`]).
    hashing: Option<FileHasher>,
    /// Digests known before the snapshot they belong to is finished (the demo tenant's).
    pending_digests: Vec<InputDigest>,
}

impl Default for Session {
    fn default() -> Self {
        Self {
            ingest: Some(Ingest::new(IngestOptions::default())),
            target: Target::Current,
            baseline_ingest: None,
            parked_baseline: None,
            workspace: None,
            as_of: None,
            chosen_as_of: None,
            policy: Policy::default(),
            result: Vec::new(),
            answer: Vec::new(),
            hashing: None,
            pending_digests: Vec::new(),
        }
    }
}

/// What the worker sends the page: the summary, and each file's reconciliation with the first set-aside records.
#[derive(Serialize)]
pub struct WorkerReport {
    pub summary: Summary,
    pub reports: Vec<FileReport>,
}

impl Session {
    fn ingest(&mut self) -> &mut Ingest {
        if self.target == Target::Baseline {
            return self
                .baseline_ingest
                .get_or_insert_with(|| Ingest::new(IngestOptions::default()));
        }
        if self.ingest.is_none() {
            // Files added after a result was taken start a new snapshot (the baseline stays).
            let baseline = self.take_baseline();
            self.workspace = None;
            self.put_baseline(baseline);
        }
        self.ingest
            .get_or_insert_with(|| Ingest::new(IngestOptions::default()))
    }

    /// The baseline, wherever it is kept.
    fn take_baseline(&mut self) -> Option<Baseline> {
        self.workspace
            .as_mut()
            .and_then(Workspace::take_baseline)
            .or_else(|| self.parked_baseline.take())
    }

    /// Keep `baseline` with the current snapshot (or parked until there is one).
    fn put_baseline(&mut self, baseline: Option<Baseline>) {
        match &mut self.workspace {
            Some(w) => w.restore_baseline(baseline),
            None => self.parked_baseline = baseline,
        }
    }

    /// Whether a baseline is loaded.
    #[must_use]
    pub fn has_baseline(&self) -> bool {
        self.parked_baseline.is_some()
            || self
                .workspace
                .as_ref()
                .is_some_and(|w| w.baseline().is_some())
    }

    /// Send the next files to `target`; choosing the baseline starts a new one (the loaded baseline is replaced
    /// when its result is taken).
    pub fn select(&mut self, target: Target) {
        self.target = target;
        if target == Target::Baseline {
            self.baseline_ingest = Some(Ingest::new(IngestOptions::default()));
        }
    }

    /// Forget every file and the current snapshot; keep the policy and the baseline.
    pub fn reset(&mut self) {
        let policy = std::mem::take(&mut self.policy);
        let baseline = self.take_baseline();
        *self = Session {
            policy,
            chosen_as_of: self.chosen_as_of,
            as_of: self.chosen_as_of,
            ..Session::default()
        };
        self.put_baseline(baseline);
    }

    /// Forget the baseline.
    pub fn clear_baseline(&mut self) {
        self.baseline_ingest = None;
        drop(self.take_baseline());
    }

    /// Read the demo tenant as it was a month earlier into the baseline (see
    /// [`idlens_core::generate::generate_previous`]); its result is taken with [`Session::result`].
    pub fn load_demo_baseline(&mut self) {
        self.select(Target::Baseline);
        for file in idlens_core::generate::generate_previous(
            &idlens_core::generate::GenerateOptions::demo(),
        ) {
            self.begin(&format!("demo/previous-month/{}", file.name));
            self.push(&file.bytes);
            self.end();
        }
    }

    pub fn begin(&mut self, name: &str) {
        self.ingest().begin_file(name);
    }

    /// The current file's size, when known before its bytes ([`Ingest::expect_size`]).
    pub fn expect_size(&mut self, bytes: u64) {
        self.ingest().expect_size(bytes);
    }

    pub fn push(&mut self, chunk: &[u8]) {
        self.ingest().push(chunk);
    }

    pub fn end(&mut self) {
        self.ingest().end_file();
    }

    /// Evaluate at `as_of` (seconds since the epoch) from now on, unless the user chose an audit date.
    pub fn set_as_of(&mut self, as_of: i64) {
        self.as_of = Some(self.chosen_as_of.unwrap_or(as_of));
        if let Some(w) = &mut self.workspace {
            w.set_as_of(Some(as_of));
        }
    }

    /// Start hashing the input file `name` for the report (the worker re-reads the files when a report or export is
    /// asked for and some file has no digest yet).
    pub fn digest_begin(&mut self, name: &str) {
        self.hashing = Some(FileHasher::new(name));
    }

    pub fn digest_push(&mut self, chunk: &[u8]) {
        if let Some(h) = &mut self.hashing {
            h.update(chunk);
        }
    }

    pub fn digest_end(&mut self) {
        if let (Some(h), Some(w)) = (self.hashing.take(), &mut self.workspace) {
            w.add_digest(h.finish());
        }
    }

    /// Whether some input file of the current snapshot has no digest yet.
    #[must_use]
    pub fn needs_digests(&mut self) -> bool {
        self.take_pending_digests();
        self.workspace.as_ref().is_some_and(|w| !w.has_digests())
    }

    fn take_pending_digests(&mut self) {
        if let Some(w) = &mut self.workspace {
            for d in std::mem::take(&mut self.pending_digests) {
                w.add_digest(d);
            }
        }
    }

    /// Run the demo tenant through what a first load does (ingest, the report, the dashboard and its actions, a
    /// window of the identities table) in a session of its own, then drop it: the session in use is not touched.
    /// The engine compiles wasm in a quick baseline tier first and optimises the functions that run a lot, so doing
    /// this while the page waits for files makes the user's first load run on optimised code (see `worker.js`).
    pub fn warm_up() {
        let mut warm = WarmUp::default();
        while warm.step() {}
    }

    /// Ingest the bundled demo tenant: the core's generator rebuilds `demo/tenant/` byte for byte (a test in the CLI
    /// crate holds the checked-in files to that), so the viewer needs no copy of them.
    pub fn load_demo(&mut self) {
        self.target = Target::Current;
        self.ingest = None;
        // The demo tenant's timestamps are placed relative to its own "now".
        self.as_of = Some(
            self.chosen_as_of
                .unwrap_or(idlens_core::generate::DEMO_AS_OF_UNIX),
        );
        for file in idlens_core::generate::generate(&idlens_core::generate::GenerateOptions::demo())
        {
            let name = format!("demo/tenant/{}", file.name);
            self.begin(&name);
            self.push(&file.bytes);
            self.end();
            // The files are in memory anyway: their digests cost nothing now.
            self.pending_digests.push(digest(&name, &file.bytes));
        }
    }

    /// The report of the selected target as JSON (see [`WorkerReport`]); the snapshot is kept for later
    /// questions. For the baseline, its report (`null` when there is none); the target goes back to the current
    /// snapshot.
    pub fn result(&mut self) -> &[u8] {
        if self.target == Target::Baseline {
            self.target = Target::Current;
            if let Some(ingest) = self.baseline_ingest.take() {
                self.put_baseline(Some(Baseline::new(ingest.finish())));
            }
            let baseline = self.take_baseline();
            self.result = match &baseline {
                Some(b) => serde_json::to_vec(&Self::report(&b.snapshot)).unwrap_or_default(),
                None => b"null".to_vec(),
            };
            self.put_baseline(baseline);
            return &self.result;
        }
        if let Some(ingest) = self.ingest.take() {
            // The new snapshot may have another as-of: the baseline is evaluated afresh with it.
            let baseline = self.take_baseline().map(Baseline::unevaluated);
            self.workspace = Some(Workspace::new(
                ingest.finish(),
                self.as_of,
                self.policy.clone(),
            ));
            self.put_baseline(baseline);
        }
        let parked = self.parked_baseline.take();
        let (as_of, policy) = (self.as_of, &self.policy);
        let workspace = self.workspace.get_or_insert_with(|| {
            Workspace::new(
                Ingest::new(IngestOptions::default()).finish(),
                as_of,
                policy.clone(),
            )
        });
        if parked.is_some() {
            workspace.restore_baseline(parked);
        }
        let report = Self::report(workspace.snapshot());
        // Serialising plain data into a Vec cannot fail.
        self.result = serde_json::to_vec(&report).unwrap_or_default();
        &self.result
    }

    /// The summary and file reports of `snapshot`.
    fn report(snapshot: &model::Snapshot) -> WorkerReport {
        let reports = snapshot
            .files
            .iter()
            .map(|f| {
                let mut f = f.clone();
                f.set_aside.truncate(SET_ASIDE_LISTED);
                f
            })
            .collect();
        WorkerReport {
            summary: model::summary(snapshot),
            reports,
        }
    }

    /// Answer one JSON [`ViewRequest`] about the snapshot of the last result; the answer is JSON [`ViewAnswer`].
    pub fn query(&mut self, request: &[u8]) -> &[u8] {
        let answer = match (
            serde_json::from_slice::<ViewRequest>(request),
            &mut self.workspace,
        ) {
            (Err(err), _) => ViewAnswer::Error {
                message: format!("unreadable question: {err}"),
            },
            (Ok(_), None) => ViewAnswer::Error {
                message: "nothing has been loaded yet".into(),
            },
            (Ok(request), Some(workspace)) => {
                for d in std::mem::take(&mut self.pending_digests) {
                    workspace.add_digest(d);
                }
                let answer = workspace.answer(&request);
                // A question may change the policy (a waiver): keep it for the next load.
                self.policy = workspace.policy().clone();
                // Or the audit date: keep the user's choice for the next load too.
                if matches!(request, ViewRequest::SetDates { as_of: Some(_), .. })
                    && matches!(answer, ViewAnswer::Dates { .. })
                {
                    self.chosen_as_of = workspace.as_of();
                    self.as_of = self.chosen_as_of;
                }
                answer
            }
        };
        // Serialising plain data into a Vec cannot fail.
        self.answer = serde_json::to_vec(&answer).unwrap_or_default();
        &self.answer
    }
}

thread_local! {
    static SESSION: RefCell<Session> = RefCell::new(Session::default());
    static WARM_UP: RefCell<Option<WarmUp>> = const { RefCell::new(None) };
}

/// [`Session::warm_up`] one step at a time, so that the worker can take a user's files between steps rather than
/// after the whole warm-up.
#[derive(Default)]
struct WarmUp {
    scratch: Session,
    done: usize,
}

impl WarmUp {
    /// Ingest, the report, then the page's first questions in the order it asks them.
    const STEPS: usize = 5;

    /// Run the next step; `false` once every step has run.
    fn step(&mut self) -> bool {
        match self.done {
            0 => self.scratch.load_demo(),
            1 => {
                self.scratch.result();
            }
            2 => self.ask(&ViewRequest::Dashboard),
            3 => self.ask(&ViewRequest::DashboardActions { limit: Some(5) }),
            4 => self.ask(&ViewRequest::Identities(
                idlens_core::view::IdentityQuery::default(),
            )),
            _ => return false,
        }
        self.done += 1;
        self.done < Self::STEPS
    }

    fn ask(&mut self, request: &ViewRequest) {
        if let Ok(text) = serde_json::to_vec(request) {
            self.scratch.query(&text);
        }
    }
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

/// The current file's size in bytes, when the caller knows it (a `File`'s `size`): optional, a hint that lets the
/// core make room for the file's records at once. A JavaScript number, so that no `BigInt` crosses over.
#[unsafe(no_mangle)]
pub extern "C" fn idl_file_size(bytes: f64) {
    if bytes.is_finite() && bytes >= 0.0 {
        // A file's size is far below 2^53, where an f64 still holds every integer.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let bytes = bytes as u64;
        SESSION.with_borrow_mut(|s| s.expect_size(bytes));
    }
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

/// Set the instant (seconds since the epoch) the checks are evaluated at; the module has no clock of its own.
/// Without it, questions are answered without risk and findings. Loading the demo tenant sets its own.
#[unsafe(no_mangle)]
pub extern "C" fn idl_set_as_of(unix_seconds: f64) {
    SESSION.with_borrow_mut(|s| s.set_as_of(unix_seconds as i64));
}

/// Answer the JSON question at `ptr..ptr+len` (see [`Session::query`]); returns the answer's address (valid until
/// the next call into the module), [`idl_answer_len`] its length.
///
/// # Safety
/// See [`bytes`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn idl_query(ptr: *const u8, len: usize) -> *const u8 {
    // SAFETY: forwarded from the caller.
    let request = unsafe { bytes(ptr, len) };
    SESSION.with_borrow_mut(|s| s.query(request).as_ptr())
}

/// Length of the answer built by [`idl_query`].
#[unsafe(no_mangle)]
pub extern "C" fn idl_answer_len() -> usize {
    SESSION.with_borrow(|s| s.answer.len())
}

/// Work the last answer left for later, done while the page is idle: the evidence of an evaluation the dashboard
/// was answered from before it (see [`Workspace::complete`]). Returns 1 when there was some.
#[unsafe(no_mangle)]
pub extern "C" fn idl_idle() -> u32 {
    SESSION.with_borrow_mut(|s| u32::from(s.workspace.as_mut().is_some_and(Workspace::complete)))
}

/// Exercise the module on the demo tenant and forget it (see [`Session::warm_up`]); nothing loaded changes.
#[unsafe(no_mangle)]
pub extern "C" fn idl_warm_up() {
    // A stepped warm-up under way would be run again anyway: drop its scratch session rather than hold two.
    idl_warm_up_end();
    Session::warm_up();
}

/// The next step of a warm-up done in steps (the first call starts it): 1 while steps remain, 0 when it is over and
/// its scratch session is dropped. Nothing loaded changes.
#[unsafe(no_mangle)]
pub extern "C" fn idl_warm_up_step() -> u32 {
    WARM_UP.with_borrow_mut(|slot| {
        let more = slot.get_or_insert_with(WarmUp::default).step();
        if !more {
            *slot = None;
        }
        u32::from(more)
    })
}

/// Give up a warm-up begun with [`idl_warm_up_step`] (a request came first), dropping its scratch session.
#[unsafe(no_mangle)]
pub extern "C" fn idl_warm_up_end() {
    WARM_UP.with_borrow_mut(|slot| *slot = None);
}

/// Load the bundled demo tenant (forgetting what was loaded before).
#[unsafe(no_mangle)]
pub extern "C" fn idl_demo() {
    SESSION.with_borrow_mut(Session::load_demo);
}

/// Forget every file and the current snapshot. The policy profile (and the waivers made in the viewer) and the
/// baseline are kept.
#[unsafe(no_mangle)]
pub extern "C" fn idl_reset() {
    SESSION.with_borrow_mut(Session::reset);
}

/// Choose where the next files go: 0 the current snapshot, 1 a new baseline (see [`Session::select`]).
#[unsafe(no_mangle)]
pub extern "C" fn idl_target(which: u32) {
    let target = if which == 1 {
        Target::Baseline
    } else {
        Target::Current
    };
    SESSION.with_borrow_mut(|s| s.select(target));
}

/// Read the demo tenant one month earlier as the baseline; take its report with [`idl_result`].
#[unsafe(no_mangle)]
pub extern "C" fn idl_demo_baseline() {
    SESSION.with_borrow_mut(Session::load_demo_baseline);
}

/// Forget the baseline (the current snapshot stays).
#[unsafe(no_mangle)]
pub extern "C" fn idl_clear_baseline() {
    SESSION.with_borrow_mut(Session::clear_baseline);
}

/// Start hashing the input file named by the UTF-8 text at `ptr..ptr+len` (for the report's SHA-256 column).
///
/// # Safety
/// See [`bytes`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn idl_digest_begin(ptr: *const u8, len: usize) {
    // SAFETY: forwarded from the caller.
    let name = String::from_utf8_lossy(unsafe { bytes(ptr, len) }).into_owned();
    SESSION.with_borrow_mut(|s| s.digest_begin(&name));
}

/// Hash the next chunk of the file begun with [`idl_digest_begin`].
///
/// # Safety
/// See [`bytes`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn idl_digest_push(ptr: *const u8, len: usize) {
    // SAFETY: forwarded from the caller.
    let chunk = unsafe { bytes(ptr, len) };
    SESSION.with_borrow_mut(|s| s.digest_push(chunk));
}

/// Finish the file's digest and keep it with the current snapshot.
#[unsafe(no_mangle)]
pub extern "C" fn idl_digest_end() {
    SESSION.with_borrow_mut(Session::digest_end);
}

/// 1 when some input file of the current snapshot has no SHA-256 yet (the worker then re-reads the files before a
/// report or export), else 0.
#[unsafe(no_mangle)]
pub extern "C" fn idl_needs_digests() -> u32 {
    SESSION.with_borrow_mut(|s| u32::from(s.needs_digests()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_tenant_loads_completely() {
        let mut session = Session::default();
        session.load_demo();
        let report: serde_json::Value = serde_json::from_slice(session.result()).expect("json");
        let reports = report["reports"].as_array().expect("reports");
        assert!(reports.len() >= 8);
        assert!(
            report["summary"]["identities"]["total"]
                .as_u64()
                .unwrap_or(0)
                >= 300
        );
        assert!(
            report["summary"]["orphaned_assignments"]
                .as_u64()
                .unwrap_or(0)
                > 0
        );
    }

    #[test]
    fn questions_are_answered_from_the_kept_snapshot() {
        let mut session = Session::default();
        let early: serde_json::Value =
            serde_json::from_slice(session.query(br#"{"kind":"identities"}"#)).expect("json");
        assert_eq!(early["kind"], "error");
        session.load_demo();
        session.result();
        let page: serde_json::Value = serde_json::from_slice(
            session.query(br#"{"kind":"identities","sort":"grants","descending":true,"limit":5}"#),
        )
        .expect("json");
        assert_eq!(page["kind"], "identities");
        assert!(page["total"].as_u64().unwrap_or(0) >= 300);
        let rows = page["rows"].as_array().expect("rows");
        assert_eq!(rows.len(), 5);
        let key = rows[0]["key"].as_str().expect("key").to_owned();
        let request = format!(r#"{{"kind":"identity","id":"{key}"}}"#);
        let detail: serde_json::Value =
            serde_json::from_slice(session.query(request.as_bytes())).expect("json");
        assert_eq!(detail["detail"]["key"], key.as_str());
        assert!(
            !detail["detail"]["grants"]
                .as_array()
                .expect("grants")
                .is_empty()
        );
        let bad: serde_json::Value = serde_json::from_slice(session.query(b"{nope")).expect("json");
        assert_eq!(bad["kind"], "error");
    }

    fn compare(session: &mut Session) -> serde_json::Value {
        serde_json::from_slice(session.query(br#"{"kind":"compare"}"#)).expect("json")
    }

    fn identities(report: &[u8]) -> u64 {
        let v: serde_json::Value = serde_json::from_slice(report).expect("json");
        v["summary"]["identities"]["total"].as_u64().unwrap_or(0)
    }

    #[test]
    fn the_baseline_survives_reloading_the_current_snapshot_and_back() {
        let mut session = Session::default();
        // A baseline before anything else is kept until a current snapshot arrives.
        session.load_demo_baseline();
        let before = identities(session.result());
        assert!(before >= 250);
        assert!(session.has_baseline());
        session.load_demo();
        let now = identities(session.result());
        assert!(now > before, "{before} then, {now} now");
        let c = compare(&mut session);
        assert_eq!(c["kind"], "compare");
        assert_eq!(c["compare"]["identities_before"].as_u64(), Some(before));
        let added = c["compare"]["identities_added"]["total"]
            .as_u64()
            .unwrap_or(0);
        assert!(added > 0);
        // Reloading the current snapshot (as the worker does to add files) keeps the baseline.
        session.reset();
        session.load_demo();
        session.result();
        assert!(session.has_baseline());
        assert_eq!(
            compare(&mut session)["compare"]["identities_added"]["total"].as_u64(),
            Some(added)
        );
        // Reloading the baseline keeps the current snapshot: the identities table still answers.
        session.select(Target::Baseline);
        session.begin("roles.json");
        session.push(b"[]");
        session.end();
        assert_eq!(identities(session.result()), 0);
        let page: serde_json::Value =
            serde_json::from_slice(session.query(br#"{"kind":"identities","limit":1}"#))
                .expect("json");
        assert_eq!(page["total"].as_u64(), Some(now));
        assert_eq!(
            compare(&mut session)["compare"]["identities_added"]["total"].as_u64(),
            Some(now)
        );
        // Files for the current snapshot go there again after the baseline's result.
        session.begin("notes.txt");
        session.push(b"hello");
        session.end();
        session.result();
        assert!(session.has_baseline());
        // Removing the baseline leaves the current snapshot alone.
        session.clear_baseline();
        assert!(!session.has_baseline());
        assert!(compare(&mut session)["compare"].is_null());
    }

    fn ask(session: &mut Session, request: &str) -> serde_json::Value {
        serde_json::from_slice(session.query(request.as_bytes())).expect("json")
    }

    #[test]
    fn the_audit_date_chosen_in_the_viewer_outlives_reloads_and_the_baseline_keeps_its_own() {
        let mut session = Session::default();
        session.load_demo_baseline();
        session.result();
        session.load_demo();
        session.result();
        let dates = ask(&mut session, r#"{"kind":"set-dates"}"#);
        assert_eq!(dates["as_of"], "2026-11-01", "{dates}");
        assert_eq!(dates["baseline_as_of"], "2026-11-01");
        assert_eq!(dates["baseline_own_date"], false);
        let before = compare(&mut session);

        // The baseline judged on the day it was taken: the old snapshot's findings change, the current one's don't.
        let dates = ask(
            &mut session,
            r#"{"kind":"set-dates","baseline_as_of":"2026-10-01"}"#,
        );
        assert_eq!(dates["baseline_as_of"], "2026-10-01");
        assert_eq!(dates["baseline_own_date"], true);
        let own = compare(&mut session);
        assert_eq!(
            own["compare"]["as_of_before"].as_str().map(|s| &s[..10]),
            Some("2026-10-01")
        );
        let old_side = |c: &serde_json::Value| {
            (
                c["compare"]["tenant"]["before"].clone(),
                c["compare"]["findings_new"]["total"].clone(),
                c["compare"]["findings_resolved"]["total"].clone(),
            )
        };
        assert_ne!(
            old_side(&before),
            old_side(&own),
            "judging the baseline a month earlier changed nothing"
        );
        assert_eq!(
            before["compare"]["tenant"]["after"], own["compare"]["tenant"]["after"],
            "the current snapshot's side moved with the baseline's date"
        );

        // A bad date is refused and changes nothing.
        let bad = ask(&mut session, r#"{"kind":"set-dates","as_of":"2026-02-30"}"#);
        assert_eq!(bad["kind"], "error");
        assert!(
            bad["message"].as_str().unwrap_or("").contains("2026-02-30"),
            "{bad}"
        );

        // The audit date the user chose wins over the worker's clock and the demo's own date, across reloads.
        ask(&mut session, r#"{"kind":"set-dates","as_of":"2026-12-15"}"#);
        session.reset();
        session.set_as_of(1_900_000_000);
        session.load_demo();
        session.result();
        let dates = ask(&mut session, r#"{"kind":"set-dates"}"#);
        assert_eq!(dates["as_of"], "2026-12-15", "{dates}");
        // The baseline kept the day it was taken through the reload.
        assert_eq!(dates["baseline_as_of"], "2026-10-01", "{dates}");
        // "" judges the baseline at the audit date again.
        let dates = ask(&mut session, r#"{"kind":"set-dates","baseline_as_of":""}"#);
        assert_eq!(dates["baseline_as_of"], "2026-12-15");
        assert_eq!(dates["baseline_own_date"], false);
    }

    #[test]
    fn session_reports_each_file() {
        let mut session = Session::default();
        session.begin("roles.json");
        session.push(b"[{\"principalId\":\"00000000-0000-0000-0000-000000000001\",");
        session.push(b"\"roleDefinitionId\":\"/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7\",\"scope\":\"/subscriptions/s\"}]");
        session.end();
        session.begin("notes.txt");
        session.push(b"hello");
        session.end();
        let report: serde_json::Value = serde_json::from_slice(session.result()).expect("json");
        assert_eq!(report["reports"][0]["records"], 1);
        assert_eq!(report["reports"][0]["format"], "az-role-assignments");
        assert_eq!(report["summary"]["orphaned_assignments"], 1);
        assert_eq!(report["reports"][1]["format"], "unknown");
    }
}
