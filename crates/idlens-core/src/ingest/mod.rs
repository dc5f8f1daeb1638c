//! Streaming, multi-file ingest: bytes in (chunk by chunk, file by file), one [`Snapshot`] out.
//!
//! Per file: [`crate::sniff`] finds encoding and container, [`crate::text::Utf8Stream`] decodes to UTF-8,
//! [`crate::frame::Framer`] (JSON) or [`csv`] (CSV) splits records, [`detect`] decides the export format from the
//! first recognisable record, and one typed reader per format (in [`azure`]) parses each record with
//! `serde_json::from_slice`. Zip archives are unpacked (bounded) through the same pipeline, one report per entry.
//! [`Ingest::finish`] links everything ([`link`]).
//!
//! Every record is accounted for in its file's [`FileReport`]: ingested, merged into an entity already read, or set
//! aside with its index, line and reason. Nothing here panics on any input.
//!
//! ```
//! use idlens_core::ingest::{Ingest, IngestOptions};
//! let mut ingest = Ingest::new(IngestOptions::default());
//! ingest.begin_file("roles.json");
//! ingest.push(br#"[{"principalId":"7d96660a-02e1-4112-9515-1762d0cb66b7","#);
//! ingest.push(br#""roleDefinitionId":"/providers/x/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7","scope":"/"}]"#);
//! ingest.end_file();
//! let snapshot = ingest.finish();
//! assert_eq!(snapshot.files[0].format, "az-role-assignments");
//! assert_eq!(snapshot.grants.len(), 1);
//! ```

mod assignments;
mod azure;
pub mod csv;
pub mod detect;
pub mod directory_roles;
pub mod env;
mod flat;
mod link;
mod raw;
pub mod roles;
mod zip;

use crate::frame::{Framer, Record, Sink};
use crate::ids::Interner;
use crate::model::{FileReport, Provenance, SetAside, Snapshot};
use crate::sniff::{self, Container, SNIFF_LEN};
use crate::text::Utf8Stream;

use detect::{Format, Keys};
use raw::{Ctx, Outcome, Store, Warnings};

/// Most bytes a zip archive may have by default; it must be held whole to read its directory.
pub const MAX_ZIP_BYTES: u64 = 2 << 30;

/// Limits that keep hostile input from exhausting memory.
#[derive(Clone, Debug)]
pub struct IngestOptions {
    /// Most bytes a zip archive may have (it is held whole to read its directory).
    pub max_zip_bytes: u64,
    /// Most entries read from one archive; later ones are set aside.
    pub max_zip_entries: u64,
    /// Most bytes all entries of one archive may unpack to.
    pub max_unpacked_bytes: u64,
    /// Most an entry may expand relative to its compressed size (plus 1 MiB of slack).
    pub max_compression_ratio: u64,
}

impl Default for IngestOptions {
    fn default() -> Self {
        Self {
            max_zip_bytes: MAX_ZIP_BYTES,
            max_zip_entries: 10_000,
            max_unpacked_bytes: 8 << 30,
            max_compression_ratio: 200,
        }
    }
}

/// State shared by every file of an ingest.
#[derive(Default)]
struct Shared {
    strings: Interner,
    store: Store,
    files: Vec<FileReport>,
}

/// A multi-file, chunk-pushed ingest. See the module docs.
pub struct Ingest {
    options: IngestOptions,
    shared: Shared,
    current: Option<FileIngest>,
}

impl Ingest {
    #[must_use]
    pub fn new(options: IngestOptions) -> Self {
        Self {
            options,
            shared: Shared::default(),
            current: None,
        }
    }

    /// Start a file (ending the previous one, if still open). `name` is a label for reports only.
    pub fn begin_file(&mut self, name: &str) {
        self.end_file();
        let file = self.shared.add_report(name);
        self.current = Some(FileIngest::new(file, false));
    }

    /// The current file's size in bytes, when the caller knows it before its bytes (a `File`'s size, a file's
    /// metadata). Only a hint, and optional: once the first chunk has shown how large its records are, the store of
    /// the file's kind of record makes room for all of them at once, instead of growing by doubling and copying
    /// what it holds each time (the copies took a quarter of a second of a 1.3 GB file of role assignments in the
    /// browser). A wrong hint costs memory or time, never records.
    pub fn expect_size(&mut self, bytes: u64) {
        if let Some(current) = &mut self.current {
            current.expected = Some(bytes);
        }
    }

    /// Feed the next chunk of the current file (ignored when no file is open).
    pub fn push(&mut self, chunk: &[u8]) {
        if let Some(current) = &mut self.current {
            current.push(chunk, &mut self.shared, &self.options);
        }
    }

    /// End the current file; a zip archive is unpacked now.
    pub fn end_file(&mut self) {
        if let Some(current) = self.current.take() {
            let file = current.file;
            if let Some(bytes) = current.finish(&mut self.shared, &self.options) {
                zip::ingest_archive(&mut self.shared, &self.options, file, &bytes);
            }
        }
    }

    /// Convenience: a whole file at once.
    pub fn add_file(&mut self, name: &str, bytes: &[u8]) {
        self.begin_file(name);
        self.push(bytes);
        self.end_file();
    }

    /// Reports of the files read so far (for progress).
    #[must_use]
    pub fn files(&self) -> &[FileReport] {
        &self.shared.files
    }

    /// Link everything read into a snapshot.
    #[must_use]
    pub fn finish(mut self) -> Snapshot {
        self.end_file();
        link::link(self.shared.strings, self.shared.store, self.shared.files)
    }
}

impl Shared {
    fn add_report(&mut self, name: &str) -> u32 {
        self.files.push(FileReport {
            path: name.to_owned(),
            format: "unknown".into(),
            size_bytes: 0,
            records: 0,
            ingested: 0,
            merged: 0,
            set_aside: Vec::new(),
            messages: Vec::new(),
            partial: false,
        });
        u32::try_from(self.files.len() - 1).unwrap_or(u32::MAX)
    }

    fn report(&mut self, file: u32) -> Option<&mut FileReport> {
        self.files.get_mut(file as usize)
    }
}

enum State {
    Sniffing(Vec<u8>),
    Json {
        text: Utf8Stream,
        framer: Box<Framer>,
    },
    Csv {
        text: Utf8Stream,
        rows: Box<csv::CsvRecords>,
    },
    Zip {
        bytes: Vec<u8>,
        too_big: bool,
    },
    /// Not read: unknown container, or a zip inside a zip.
    Skipped(Container),
}

/// One file going through the pipeline.
struct FileIngest {
    file: u32,
    /// An entry of an archive (archives inside archives are not opened).
    nested: bool,
    size: u64,
    /// The size the caller announced ([`Ingest::expect_size`]); taken once room was made for the records.
    expected: Option<u64>,
    state: State,
    format: Option<Format>,
    csv: bool,
    warnings: Warnings,
}

/// The per-record handler: detection, reading and accounting.
struct Records<'a> {
    file: u32,
    csv: bool,
    format: &'a mut Option<Format>,
    warnings: &'a mut Warnings,
    shared: &'a mut Shared,
}

impl Records<'_> {
    fn handle(&mut self, bytes: &[u8], index: u64, line: u64, envelope: Option<&str>) {
        let prov = Provenance {
            file: self.file,
            record: index,
            line,
        };
        let format = match *self.format {
            Some(format) => Some(format),
            None => {
                let detected = detect::detect(&Keys::probe(bytes), envelope);
                if let Some(format) = detected {
                    *self.format = Some(format);
                    if let Some(report) = self.shared.report(self.file) {
                        report.format = format.id(self.csv);
                    }
                }
                detected
            }
        };
        let outcome = match format {
            Some(format) => {
                let text = raw::record_text(bytes, self.warnings, index, line);
                let Shared { strings, store, .. } = &mut *self.shared;
                let mut ctx = Ctx {
                    strings,
                    store,
                    warnings: self.warnings,
                    prov,
                };
                azure::read(format, &text, &mut ctx)
            }
            None => Outcome::SetAside("not a record of a recognised export".into()),
        };
        self.account(outcome, index, line);
    }

    /// Count one record's outcome in its file's reconciliation.
    fn account(&mut self, outcome: Outcome, index: u64, line: u64) {
        let Some(report) = self.shared.report(self.file) else {
            return;
        };
        report.records += 1;
        match outcome {
            Outcome::Ingested => report.ingested += 1,
            Outcome::Merged => report.merged += 1,
            Outcome::SetAside(reason) => report.set_aside.push(SetAside {
                record: index,
                line,
                reason,
            }),
        }
    }
}

impl Sink for Records<'_> {
    fn record(&mut self, record: Record<'_>) {
        self.handle(record.bytes, record.index, record.line, record.envelope_key);
    }

    fn direct(&mut self, text: &str, index: u64, line: u64) -> Option<(usize, u64)> {
        // Only once the file's format is known: the first record goes through detection.
        let format = (*self.format)?;
        let Shared { strings, store, .. } = &mut *self.shared;
        let mut ctx = Ctx {
            strings,
            store,
            warnings: self.warnings,
            prov: Provenance {
                file: self.file,
                record: index,
                line,
            },
        };
        let (outcome, span) = azure::read_direct(format, text, &mut ctx)?;
        self.account(outcome, index, line);
        Some((span.len, span.lines))
    }

    fn oversized(&mut self, index: u64, _byte_offset: u64, line: u64) {
        if let Some(report) = self.shared.report(self.file) {
            report.records += 1;
            let reason = format!(
                "record larger than {} MiB",
                crate::frame::MAX_RECORD_BYTES >> 20
            );
            report.set_aside.push(SetAside {
                record: index,
                line,
                reason,
            });
        }
    }
}

impl FileIngest {
    fn new(file: u32, nested: bool) -> Self {
        Self {
            file,
            nested,
            size: 0,
            expected: None,
            state: State::Sniffing(Vec::new()),
            format: None,
            csv: false,
            warnings: Warnings::default(),
        }
    }

    fn push(&mut self, chunk: &[u8], shared: &mut Shared, options: &IngestOptions) {
        self.size += chunk.len() as u64;
        if let State::Sniffing(head) = &mut self.state {
            head.extend_from_slice(chunk);
            if head.len() >= SNIFF_LEN {
                let head = std::mem::take(head);
                self.decide(&head);
                self.feed(&head, shared, options);
            }
            return;
        }
        self.feed(chunk, shared, options);
        self.make_room(shared);
    }

    /// With the size announced and enough of the file read to know its records' size, let the store of its kind of
    /// record make room for the rest (once).
    fn make_room(&mut self, shared: &mut Shared) {
        /// Records read before their size is trusted to stand for the file's.
        const SAMPLE: u64 = 64;
        let (Some(expected), Some(format)) = (self.expected, self.format) else {
            return;
        };
        let read = shared
            .files
            .get(self.file as usize)
            .map_or(0, |r| r.records);
        if read < SAMPLE || self.size == 0 {
            return;
        }
        self.expected = None;
        // Records per byte so far, over the whole file (the bytes read so far hold at most one partial record), and
        // a twentieth more: a store one record short of the file would double.
        let estimate = u128::from(read) * u128::from(expected) / u128::from(self.size) * 21 / 20;
        let more = usize::try_from(estimate.saturating_sub(u128::from(read))).unwrap_or(usize::MAX);
        // The room made never takes more memory than the rest of the file has bytes: past that (a wrong size, or
        // first records unlike the rest), the store grows as it would without a size.
        let budget = usize::try_from(expected.saturating_sub(self.size)).unwrap_or(usize::MAX);
        shared.store.reserve(format, more, budget);
    }

    fn decide(&mut self, head: &[u8]) {
        let sniffed = sniff::sniff(&head[..head.len().min(SNIFF_LEN)]);
        self.state = match sniffed.container {
            Container::JsonArray | Container::JsonObject => State::Json {
                text: Utf8Stream::new(sniffed.encoding),
                framer: Box::new(Framer::new()),
            },
            Container::Csv => {
                let mut probe = Utf8Stream::new(sniffed.encoding);
                let utf8 = probe.push(head).to_vec();
                let header = utf8.split(|&b| b == b'\n').next().unwrap_or(&utf8);
                let delimiter = sniff::csv_delimiter(header).unwrap_or(b',');
                self.csv = true;
                State::Csv {
                    text: Utf8Stream::new(sniffed.encoding),
                    rows: Box::new(csv::CsvRecords::new(delimiter)),
                }
            }
            Container::Zip if !self.nested => State::Zip {
                bytes: Vec::new(),
                too_big: false,
            },
            other => State::Skipped(other),
        };
    }

    fn feed(&mut self, chunk: &[u8], shared: &mut Shared, options: &IngestOptions) {
        let mut records = Records {
            file: self.file,
            csv: self.csv,
            format: &mut self.format,
            warnings: &mut self.warnings,
            shared,
        };
        match &mut self.state {
            State::Json { text, framer } => {
                let _ = framer.push(text.push(chunk), &mut records);
            }
            State::Csv { text, rows } => rows.push(text.push(chunk), &mut records),
            State::Zip { bytes, too_big } => {
                if *too_big || bytes.len() as u64 + chunk.len() as u64 > options.max_zip_bytes {
                    *too_big = true;
                    *bytes = Vec::new();
                } else {
                    // An archive is kept whole until its end: with its size known, in one allocation.
                    if let Some(expected) = self.expected.take()
                        && expected <= options.max_zip_bytes
                    {
                        bytes.reserve(
                            usize::try_from(expected)
                                .unwrap_or(0)
                                .saturating_sub(bytes.len()),
                        );
                    }
                    bytes.extend_from_slice(chunk);
                }
            }
            State::Sniffing(_) | State::Skipped(_) => {}
        }
    }

    /// End of the file: flush, report, and hand back an archive's bytes for unpacking.
    fn finish(mut self, shared: &mut Shared, options: &IngestOptions) -> Option<Vec<u8>> {
        if let State::Sniffing(head) = &mut self.state {
            let head = std::mem::take(head);
            self.decide(&head);
            self.feed(&head, shared, options);
        }
        let mut messages = Vec::new();
        let mut partial = false;
        let mut archive = None;
        let mut records = Records {
            file: self.file,
            csv: self.csv,
            format: &mut self.format,
            warnings: &mut self.warnings,
            shared,
        };
        match &mut self.state {
            State::Json { text, framer } => {
                let tail = text.finish().to_vec();
                let _ = framer.push(&tail, &mut records);
                if let Err(err) = framer.finish(&mut records) {
                    messages.push(format!(
                        "the JSON stops being valid at line {}, byte {}: found {}, expected {}; the {} record(s) before \
                         it were read",
                        err.line,
                        err.byte_offset,
                        err.found,
                        err.expected,
                        framer.records()
                    ));
                }
                if framer.more_pages() {
                    partial = true;
                    messages.push(
                        "one page of several: `@odata.nextLink` (or `nextLink`) is set, so the records of later pages \
                         are not in this file; follow the link and add each page as a file (pages merge)"
                            .into(),
                    );
                }
            }
            State::Csv { text, rows } => {
                let tail = text.finish().to_vec();
                rows.push(&tail, &mut records);
                rows.finish(&mut records);
            }
            State::Zip { bytes, too_big } => {
                if *too_big {
                    messages.push(format!(
                        "zip archive larger than {} bytes: not opened",
                        MAX_ZIP_BYTES
                    ));
                } else {
                    archive = Some(std::mem::take(bytes));
                }
            }
            State::Skipped(Container::Zip) => {
                messages.push("a zip archive inside a zip archive is not opened".into())
            }
            State::Skipped(_) | State::Sniffing(_) => {}
        }
        let report = shared.report(self.file)?;
        report.size_bytes = self.size;
        let is_zip = matches!(
            self.state,
            State::Zip { .. } | State::Skipped(Container::Zip)
        );
        let is_text = matches!(self.state, State::Json { .. } | State::Csv { .. });
        match (self.format, is_text) {
            _ if is_zip => report.format = "zip".into(),
            (Some(Format::Foreign(name)), _) => report.messages.push(format!(
                "recognised as a {name} export, which this version does not read yet; its records were set aside"
            )),
            (Some(Format::AadGraphServicePrincipals | Format::AadGraphApplications), _) => report.messages.push(
                "an AAD Graph era export (az before 2.37: `objectId`, `startDate`/`endDate`): read with its old field \
                 names; a current `az ad … list` export is more complete"
                    .into(),
            ),
            (Some(_), _) => {}
            (None, _) if self.size == 0 => {
                report.format = "empty".into();
                report.messages.push("the file is empty".into());
            }
            (None, false) => report.messages.push(format!(
                "not JSON, CSV or a zip archive (it is not an export this tool reads); {}",
                detect::EXPECTED
            )),
            (None, true) if report.records == 0 => {
                report.messages.push(format!("no records found; {}", detect::EXPECTED));
            }
            (None, true) => report.messages.push(format!(
                "not a recognised export: no record looks like role assignments, role definitions, managed \
                 identities, service principals, applications, resources with identities, federated credentials, \
                 sign-in activity, directory role assignments, app role assignments, credential sign-in activity, \
                 users, groups or activity-log events; {}",
                detect::EXPECTED
            )),
        }
        report.messages.extend(messages);
        report.messages.extend(self.warnings.messages());
        report.partial = partial;
        archive
    }
}

#[cfg(test)]
mod size_hint_tests {
    use super::*;
    use crate::generate::{GenerateOptions, generate};

    /// Every generated file fed in 4 KiB chunks, each announced as `say(its size)` when that is `Some`; and the
    /// grants' length and capacity just before the role assignments' file ends.
    fn read(say: impl Fn(u64) -> Option<u64>) -> (String, usize, usize) {
        let opts = GenerateOptions {
            seed: 3,
            identities: 100,
            assignments: 3000,
            ..GenerateOptions::demo()
        };
        let mut ingest = Ingest::new(IngestOptions::default());
        let mut grants = (0, 0);
        for file in generate(&opts) {
            ingest.begin_file(&file.name);
            if let Some(size) = say(file.bytes.len() as u64) {
                ingest.expect_size(size);
            }
            for chunk in file.bytes.chunks(4096) {
                ingest.push(chunk);
            }
            if file.name == "role-assignments.json" {
                let g = &ingest.shared.store.assignments.grants;
                grants = (g.len(), g.capacity());
            }
            ingest.end_file();
        }
        let snapshot = serde_json::to_string(&ingest.finish()).expect("json");
        (snapshot, grants.0, grants.1)
    }

    #[test]
    fn an_announced_size_makes_room_once_and_changes_nothing_read() {
        let (plain, len, capacity) = read(|_| None);
        assert_eq!(len, 3000);
        // Grown by doubling: room for 4096.
        assert!(capacity >= 4096, "capacity {capacity}");
        let (sized, len, capacity) = read(Some);
        assert_eq!(sized, plain, "the same snapshot");
        assert_eq!(len, 3000);
        // Room made once, from the first records: what the file holds and a twentieth more, give or take.
        assert!(
            (3000..3000 * 11 / 10).contains(&capacity),
            "capacity {capacity} for 3000 assignments"
        );
        // A wrong size costs room or time, never records.
        for say in [
            |_| Some(0),
            |_| Some(1),
            |n| Some(n * 1000),
            |_| Some(u64::MAX),
        ] {
            let (wrong, len, _) = read(say);
            assert_eq!(len, 3000);
            assert_eq!(wrong, plain);
        }
    }
}
