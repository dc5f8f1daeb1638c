//! Split a stream of JSON text into records, chunk by chunk, without holding the whole file.
//!
//! What counts as a record:
//! - each element of a top-level array (`az … -o json` writes bare arrays);
//! - each element of an envelope array at the top of an object: `value` (ARM, Graph), `data` (Resource Graph),
//!   `items` (Kubernetes lists), `accounts`/`keys` (GCP REST), and the AWS authorization-details lists;
//! - a top-level object that is not an envelope (one `az … show` result, or one NDJSON line);
//! - several documents may follow each other in one file (saved pages, NDJSON).
//!
//! The framer checks only the structure it needs (brackets, strings); each record's own syntax and types are checked
//! by whoever parses its bytes, so one bad record never hides the others. A structural fault (a stray closing
//! bracket, text between documents, a file cut short) stops framing with the offset and line of the fault, and the
//! records before it are kept.

use std::fmt;

use crate::swar;

/// Keys whose array value, at the top of an object, holds the records rather than being one record's field.
pub const ENVELOPE_KEYS: &[&str] = &[
    "value",
    "data",
    "items",
    "accounts",
    "keys",
    "RoleDetailList",
    "UserDetailList",
    "GroupDetailList",
    "Policies",
];

/// Records bigger than this are not buffered; they are reported as [`Sink::oversized`] and skipped.
pub const MAX_RECORD_BYTES: usize = 64 << 20;

/// One record found by the [`Framer`].
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// The record's JSON text, exactly as in the (UTF-8) stream.
    pub bytes: &'a [u8],
    /// Position of the record among all records of the stream, from 0.
    pub index: u64,
    /// Offset of the record's first byte in the UTF-8 stream, from 0.
    pub byte_offset: u64,
    /// Line of the record's first byte, from 1.
    pub line: u64,
    /// The envelope key it was found under (`value`, `data`, `RoleDetailList` …), if any.
    pub envelope_key: Option<&'a str>,
}

/// Where a structural fault was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameError {
    pub byte_offset: u64,
    pub line: u64,
    pub found: String,
    pub expected: &'static str,
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, byte {}: found {}, expected {}",
            self.line, self.byte_offset, self.found, self.expected
        )
    }
}

impl std::error::Error for FrameError {}

/// Receives what the [`Framer`] finds.
pub trait Sink {
    /// A complete record.
    fn record(&mut self, record: Record<'_>);
    /// A record larger than [`MAX_RECORD_BYTES`] was skipped (its index is consumed).
    fn oversized(&mut self, index: u64, byte_offset: u64, line: u64) {
        let _ = (index, byte_offset, line);
    }
    /// Offered each object record before it is framed: `text` is the stream from the record's `{` to the end of the
    /// current chunk, or to the chunk's first byte that is not UTF-8 (the chunk is checked once, when a record is
    /// first offered). A sink that can read the whole record from there in one pass does so and returns the bytes
    /// it spans and the line breaks among them; the framer then skips them and counts the record. `None` (the
    /// default) lets the framer frame it and call [`Sink::record`]. A sink must return `Some` only for a well-formed
    /// object that ends within `text`, so the framing is the same either way.
    fn direct(&mut self, text: &str, index: u64, line: u64) -> Option<(usize, u64)> {
        let _ = (text, index, line);
        None
    }
}

impl<F: FnMut(Record<'_>)> Sink for F {
    fn record(&mut self, record: Record<'_>) {
        self(record);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Capture {
    /// Not inside a record.
    Idle,
    /// Inside a record that is an object or array; it ends when the stack drops back to `depth`.
    Nested { depth: usize },
    /// Inside a record that is a string.
    Text,
    /// Inside a record that is a number, `true`, `false` or `null`.
    Bare,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyState {
    /// After `{` or `,` at depth 1 of a top-level object: the next string is a key.
    ExpectKey,
    /// Reading a key at depth 1.
    InKey,
    /// Key read, waiting for `:`.
    ExpectColon,
    /// After `:`: the value decides whether this is an envelope array.
    ExpectValue,
    /// Inside a value at depth 1 (or deeper) that is not an envelope array.
    Other,
}

/// The push framer. Feed it UTF-8 chunks with [`Framer::push`], then call [`Framer::finish`].
#[derive(Debug)]
pub struct Framer {
    stack: Vec<u8>,
    in_string: bool,
    escaped: bool,
    /// Stream offset of the first byte of the current chunk.
    chunk_offset: u64,
    line: u64,
    /// Depth (stack length) whose direct values are records: 1 in a top-level array, 2 in an envelope array.
    record_depth: Option<usize>,
    capture: Capture,
    /// Start of the record within the current chunk, while it has not yet been copied to `buf`.
    chunk_start: Option<usize>,
    buf: Vec<u8>,
    oversized: bool,
    record_offset: u64,
    record_line: u64,
    record_index: u64,
    /// Capturing a whole top-level object that may turn out to be an envelope.
    doc_capture: bool,
    key_state: Option<KeyState>,
    key: Vec<u8>,
    envelope_key: Option<&'static str>,
    error: Option<FrameError>,
    /// A top-level `@odata.nextLink` / `nextLink` holds a link: the document is one page of several.
    more_pages: bool,
}

impl Default for Framer {
    fn default() -> Self {
        Self::new()
    }
}

impl Framer {
    #[must_use]
    pub fn new() -> Self {
        Self {
            stack: Vec::new(),
            in_string: false,
            escaped: false,
            chunk_offset: 0,
            line: 1,
            record_depth: None,
            capture: Capture::Idle,
            chunk_start: None,
            buf: Vec::new(),
            oversized: false,
            record_offset: 0,
            record_line: 0,
            record_index: 0,
            doc_capture: false,
            key_state: None,
            key: Vec::new(),
            envelope_key: None,
            error: None,
            more_pages: false,
        }
    }

    /// Some document had a top-level `@odata.nextLink` (Graph) or `nextLink` (ARM) string: later pages exist.
    #[must_use]
    pub fn more_pages(&self) -> bool {
        self.more_pages
    }

    /// Records emitted (or skipped as oversized) so far.
    #[must_use]
    pub fn records(&self) -> u64 {
        self.record_index
    }

    /// The structural fault that stopped framing, if any.
    #[must_use]
    pub fn error(&self) -> Option<&FrameError> {
        self.error.as_ref()
    }

    /// Feed the next chunk of UTF-8 text. After a structural fault further input is ignored.
    pub fn push(&mut self, chunk: &[u8], sink: &mut impl Sink) -> Result<(), FrameError> {
        if let Some(err) = &self.error {
            return Err(err.clone());
        }
        if self.capture != Capture::Idle {
            // A record continues from the previous chunk: this chunk's bytes belong to it from the start.
            self.chunk_start = Some(0);
        }
        let result = self.scan(chunk, sink);
        // Keep the unfinished record's bytes before the chunk goes away.
        if let Some(start) = self.chunk_start.take() {
            self.append(&chunk[start..]);
        }
        self.chunk_offset += chunk.len() as u64;
        if let Err(err) = &result {
            self.error = Some(err.clone());
        }
        result
    }

    /// End of stream: fails when a document, string or record is left open.
    pub fn finish(&mut self, sink: &mut impl Sink) -> Result<(), FrameError> {
        if let Some(err) = &self.error {
            return Err(err.clone());
        }
        if self.capture == Capture::Bare && self.stack.is_empty() {
            self.end_record(&[], 0, sink);
        }
        if self.in_string || !self.stack.is_empty() || self.capture != Capture::Idle {
            let expected = match self.stack.last() {
                _ if self.in_string => "the end of a string (\")",
                Some(b'[') => "more array elements or ]",
                Some(_) => "more object members or }",
                None => "the end of a value",
            };
            let err = FrameError {
                byte_offset: self.chunk_offset,
                line: self.line,
                found: "the end of the file".into(),
                expected,
            };
            self.error = Some(err.clone());
            return Err(err);
        }
        Ok(())
    }

    fn append(&mut self, bytes: &[u8]) {
        if self.oversized {
            return;
        }
        if self.buf.len() + bytes.len() > MAX_RECORD_BYTES {
            self.oversized = true;
            self.buf = Vec::new();
            return;
        }
        self.buf.extend_from_slice(bytes);
    }

    fn fault(&self, at: usize, byte: u8, expected: &'static str) -> FrameError {
        let found = if byte.is_ascii_graphic() {
            format!("'{}'", byte as char)
        } else {
            format!("byte 0x{byte:02X}")
        };
        FrameError {
            byte_offset: self.chunk_offset + at as u64,
            line: self.line,
            found,
            expected,
        }
    }

    fn begin_record(&mut self, at: usize, capture: Capture) {
        self.capture = capture;
        self.chunk_start = Some(at);
        self.buf.clear();
        self.oversized = false;
        self.record_offset = self.chunk_offset + at as u64;
        self.record_line = self.line;
    }

    /// Close the current record; `end` is the index one past its last byte in `chunk`.
    fn end_record(&mut self, chunk: &[u8], end: usize, sink: &mut impl Sink) {
        let index = self.record_index;
        self.record_index += 1;
        self.capture = Capture::Idle;
        let start = self.chunk_start.take();
        if self.oversized {
            sink.oversized(index, self.record_offset, self.record_line);
            self.oversized = false;
            return;
        }
        let envelope_key = self.envelope_key;
        let (byte_offset, line) = (self.record_offset, self.record_line);
        let bytes: &[u8] = match start {
            Some(start) if self.buf.is_empty() => &chunk[start..end],
            start => {
                self.append(&chunk[start.unwrap_or(0)..end]);
                if self.oversized {
                    sink.oversized(index, byte_offset, line);
                    self.oversized = false;
                    return;
                }
                &self.buf
            }
        };
        sink.record(Record {
            bytes,
            index,
            byte_offset,
            line,
            envelope_key,
        });
    }

    fn scan(&mut self, chunk: &[u8], sink: &mut impl Sink) -> Result<(), FrameError> {
        let mut i = 0;
        let n = chunk.len();
        // The chunk's text, up to its first byte that is not UTF-8, for the records offered to `sink.direct`.
        let mut text: Option<&str> = None;
        while i < n {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                    if self.key_state == Some(KeyState::InKey) {
                        self.key.push(chunk[i]);
                    }
                    i += 1;
                    continue;
                }
                let Some(rel) = memchr::memchr2(b'"', b'\\', &chunk[i..]) else {
                    if self.key_state == Some(KeyState::InKey) {
                        self.push_key(&chunk[i..]);
                    }
                    i = n;
                    continue;
                };
                let at = i + rel;
                if self.key_state == Some(KeyState::InKey) {
                    self.push_key(&chunk[i..at]);
                }
                if chunk[at] == b'\\' {
                    self.escaped = true;
                    i = at + 1;
                    continue;
                }
                self.in_string = false;
                i = at + 1;
                if self.key_state == Some(KeyState::InKey) {
                    self.key_state = Some(KeyState::ExpectColon);
                }
                if self.capture == Capture::Text {
                    self.end_record(chunk, i, sink);
                }
                continue;
            }
            if self.stack.len() >= 2
                && let Capture::Nested { depth } = self.capture
            {
                // Inside a record below the top: no key is tracked, no record starts, no document ends here.
                i = self.skip_nested(chunk, i, depth);
                if i == n {
                    break;
                }
            }
            let byte = chunk[i];
            if self.capture == Capture::Bare {
                if matches!(byte, b',' | b']' | b'}' | b' ' | b'\t' | b'\r' | b'\n') {
                    self.end_record(chunk, i, sink);
                    // Fall through: the delimiter itself is handled below.
                } else {
                    i += 1;
                    continue;
                }
            }
            match byte {
                b'\n' => self.line += 1,
                b' ' | b'\t' | b'\r' => {}
                b'"' => {
                    self.in_string = true;
                    if self.at_record_slot() {
                        self.begin_record(i, Capture::Text);
                    } else if self.stack.is_empty() {
                        return Err(self.fault(i, byte, "[ or { at the start of a document"));
                    }
                    match self.key_state {
                        Some(KeyState::ExpectKey) if self.stack.len() == 1 => {
                            self.key.clear();
                            self.key_state = Some(KeyState::InKey);
                        }
                        Some(KeyState::ExpectValue) if self.stack.len() == 1 => {
                            if matches!(self.key.as_slice(), b"@odata.nextLink" | b"nextLink") {
                                self.more_pages = true;
                            }
                            self.key_state = Some(KeyState::Other);
                        }
                        _ => {}
                    }
                }
                b'{' | b'[' => {
                    let depth = self.stack.len();
                    if depth == 0 {
                        if byte == b'[' {
                            self.record_depth = Some(1);
                            self.envelope_key = None;
                            self.key_state = None;
                        } else {
                            self.doc_capture = true;
                            self.record_depth = None;
                            self.envelope_key = None;
                            self.key_state = Some(KeyState::ExpectKey);
                            self.begin_record(i, Capture::Nested { depth: 0 });
                        }
                    } else if depth == 1 && self.key_state == Some(KeyState::ExpectValue) {
                        let envelope = (byte == b'[')
                            .then(|| {
                                ENVELOPE_KEYS
                                    .iter()
                                    .find(|k| k.as_bytes() == self.key.as_slice())
                            })
                            .flatten();
                        if let Some(key) = envelope {
                            // The document is an envelope: its records are this array's elements.
                            self.doc_capture = false;
                            self.capture = Capture::Idle;
                            self.chunk_start = None;
                            self.buf.clear();
                            self.record_depth = Some(2);
                            self.envelope_key = Some(key);
                        }
                        self.key_state = Some(KeyState::Other);
                    } else if self.at_record_slot() {
                        if byte == b'{'
                            && let Some(rest) =
                                text.get_or_insert_with(|| utf8_prefix(chunk)).get(i..)
                            && let Some((len, lines)) =
                                sink.direct(rest, self.record_index, self.line)
                        {
                            // The sink has read the record: skip it (never past the chunk, always forward).
                            self.record_index += 1;
                            self.line += lines;
                            i += len.clamp(1, n - i);
                            continue;
                        }
                        self.begin_record(i, Capture::Nested { depth });
                    }
                    self.stack.push(byte);
                }
                b'}' | b']' => {
                    let open = if byte == b'}' { b'{' } else { b'[' };
                    match self.stack.last() {
                        Some(&top) if top == open => {}
                        Some(_) => return Err(self.fault(i, byte, "the matching closing bracket")),
                        None => {
                            return Err(self.fault(i, byte, "[ or { at the start of a document"));
                        }
                    }
                    self.stack.pop();
                    let depth = self.stack.len();
                    if self.capture == (Capture::Nested { depth }) {
                        if depth == 0 && !self.doc_capture {
                            self.capture = Capture::Idle;
                        } else {
                            self.doc_capture = false;
                            self.end_record(chunk, i + 1, sink);
                        }
                    }
                    if self.record_depth.is_some_and(|d| d > depth) {
                        self.record_depth = None;
                        self.envelope_key = None;
                    }
                    if depth == 0 {
                        self.key_state = None;
                        self.doc_capture = false;
                    }
                }
                b':' => {
                    if self.stack.len() == 1 && self.key_state == Some(KeyState::ExpectColon) {
                        self.key_state = Some(KeyState::ExpectValue);
                    }
                }
                b',' => {
                    if self.stack.is_empty() {
                        return Err(self.fault(i, byte, "[ or { at the start of a document"));
                    }
                    if self.stack.len() == 1 && self.key_state.is_some() {
                        self.key_state = Some(KeyState::ExpectKey);
                    }
                }
                _ => {
                    if self.stack.is_empty() {
                        return Err(self.fault(i, byte, "[ or { at the start of a document"));
                    }
                    if self.at_record_slot() {
                        self.begin_record(i, Capture::Bare);
                    }
                    if self.stack.len() == 1 && self.key_state == Some(KeyState::ExpectValue) {
                        self.key_state = Some(KeyState::Other);
                    }
                }
            }
            i += 1;
        }
        Ok(())
    }

    /// Read on through a record that began at stack depth `depth`, while inside it below the top level: strings
    /// (escapes included) are skipped whole, brackets opened and closed, line breaks counted, jumping from one
    /// quote or bracket to the next. Returns where the main loop takes over: a closing bracket that leaves this
    /// region (or does not match), or the end of the chunk (a string left open there is marked so).
    fn skip_nested(&mut self, chunk: &[u8], mut i: usize, depth: usize) -> usize {
        let n = chunk.len();
        // A closing bracket at this stack length or below is the main loop's: it ends the record, or reaches the
        // top level, where keys are tracked.
        let floor = depth.max(1) + 1;
        loop {
            let (at, lines) = next_structural(chunk, i);
            self.line += lines;
            if at >= n {
                return n;
            }
            match chunk[at] {
                b'"' => {
                    let mut j = at + 1;
                    loop {
                        j = swar::quote_or_escape(chunk, j);
                        while j < n && !matches!(chunk[j], b'"' | b'\\') {
                            j += 1;
                        }
                        if j >= n {
                            self.in_string = true;
                            return n;
                        }
                        if chunk[j] == b'"' {
                            break;
                        }
                        // An escape: the byte after the backslash is never the string's end.
                        if j + 1 >= n {
                            self.in_string = true;
                            self.escaped = true;
                            return n;
                        }
                        j += 2;
                    }
                    i = j + 1;
                }
                open @ (b'{' | b'[') => {
                    self.stack.push(open);
                    i = at + 1;
                }
                close => {
                    let open = if close == b'}' { b'{' } else { b'[' };
                    if self.stack.len() <= floor || self.stack.last() != Some(&open) {
                        return at;
                    }
                    self.stack.pop();
                    i = at + 1;
                }
            }
        }
    }

    fn at_record_slot(&self) -> bool {
        self.capture == Capture::Idle && self.record_depth == Some(self.stack.len())
    }

    fn push_key(&mut self, bytes: &[u8]) {
        if self.key.len() + bytes.len() <= 64 {
            self.key.extend_from_slice(bytes);
        } else {
            // Longer than any envelope key: keep it distinct from every one of them.
            self.key.clear();
            self.key.push(0);
        }
    }
}

/// The longest start of `chunk` that is UTF-8: all of it but for a byte that is not, or a character cut by the end of
/// the chunk (then the part before it is checked a second time).
fn utf8_prefix(chunk: &[u8]) -> &str {
    match std::str::from_utf8(chunk) {
        Ok(text) => text,
        Err(err) => std::str::from_utf8(&chunk[..err.valid_up_to()]).unwrap_or_default(),
    }
}

/// The position of the first `"` or bracket in `chunk` from `at` (`chunk.len()` when there is none), and the line
/// breaks before it.
#[inline]
fn next_structural(chunk: &[u8], mut at: usize) -> (usize, u64) {
    // `[` and `]` are `{` and `}` with bit 0x20 clear, and no other byte becomes `{` or `}` when it is set.
    const CASE: u64 = swar::ONES * 0x20;
    let mut lines = 0;
    // Sixteen bytes at a time in a vector where the module has them (the worker's: see `swar::string_stop`).
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    while let Some(v) = swar::vector(chunk, at) {
        use core::arch::wasm32::{u8x16_bitmask, u8x16_eq, u8x16_splat, v128_or};
        let folded = v128_or(v, u8x16_splat(0x20));
        let hits = v128_or(
            u8x16_eq(v, u8x16_splat(b'"')),
            v128_or(
                u8x16_eq(folded, u8x16_splat(b'{')),
                u8x16_eq(folded, u8x16_splat(b'}')),
            ),
        );
        let breaks = u32::from(u8x16_bitmask(u8x16_eq(v, u8x16_splat(b'\n'))));
        let stops = u8x16_bitmask(hits);
        if stops != 0 {
            let before = (1u32 << stops.trailing_zeros()) - 1;
            return (
                at + stops.trailing_zeros() as usize,
                lines + u64::from((breaks & before).count_ones()),
            );
        }
        lines += u64::from(breaks.count_ones());
        at += 16;
    }
    while let Some(w) = swar::word(chunk, at) {
        let hits = swar::eq(w, b'"') | swar::eq(w | CASE, b'{') | swar::eq(w | CASE, b'}');
        let breaks = swar::eq_exact(w, b'\n');
        if hits != 0 {
            // The stop's own byte and those above it are not counted: it is never a line break.
            let before = (1u64 << (swar::first(hits) * 8)) - 1;
            return (
                at + swar::first(hits),
                lines + u64::from((breaks & before).count_ones()),
            );
        }
        lines += u64::from(breaks.count_ones());
        at += 8;
    }
    while at < chunk.len() && !matches!(chunk[at], b'"' | b'{' | b'}' | b'[' | b']') {
        lines += u64::from(chunk[at] == b'\n');
        at += 1;
    }
    (at, lines)
}

/// An owned copy of a [`Record`], as [`frame_all`] returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedRecord {
    pub index: u64,
    pub line: u64,
    pub envelope_key: Option<String>,
    pub text: String,
}

/// Frame a whole buffer at once; returns the records and the structural fault, if any.
/// Convenient for tests and small inputs.
#[must_use]
pub fn frame_all(bytes: &[u8]) -> (Vec<OwnedRecord>, Option<FrameError>) {
    let mut out = Vec::new();
    let mut framer = Framer::new();
    let mut sink = |r: Record<'_>| {
        out.push(OwnedRecord {
            index: r.index,
            line: r.line,
            envelope_key: r.envelope_key.map(str::to_owned),
            text: String::from_utf8_lossy(r.bytes).into_owned(),
        });
    };
    let result = framer
        .push(bytes, &mut sink)
        .and_then(|()| framer.finish(&mut sink));
    (out, result.err())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frame `input` in chunks of every size from 1 to 7 and in one piece; all must agree.
    fn texts(input: &str) -> Vec<String> {
        let (whole, err) = frame_all(input.as_bytes());
        assert!(err.is_none(), "unexpected fault {err:?} in {input}");
        let whole: Vec<String> = whole.into_iter().map(|r| r.text).collect();
        for size in 1..8 {
            let mut framer = Framer::new();
            let mut got = Vec::new();
            let mut sink = |r: Record<'_>| got.push(String::from_utf8_lossy(r.bytes).into_owned());
            for part in input.as_bytes().chunks(size) {
                framer.push(part, &mut sink).expect("no fault");
            }
            framer.finish(&mut sink).expect("no fault at end");
            assert_eq!(got, whole, "chunk size {size}");
        }
        whole
    }

    #[test]
    fn bare_array_elements() {
        assert_eq!(
            texts(r#"[{"a":1}, {"b":[1,{"c":"]}"}]}]"#),
            vec![r#"{"a":1}"#, r#"{"b":[1,{"c":"]}"}]}"#]
        );
        assert_eq!(texts("[]"), Vec::<String>::new());
        assert_eq!(
            texts(r#"[1, "x\"y", true , null,{}]"#),
            vec!["1", r#""x\"y""#, "true", "null", "{}"]
        );
    }

    #[test]
    fn envelopes_descend_into_records() {
        let arm = r#"{"value":[{"id":"a"},{"id":"b"}],"nextLink":"https://x/?$skiptoken=[1]"}"#;
        assert_eq!(texts(arm), vec![r#"{"id":"a"}"#, r#"{"id":"b"}"#]);
        let graph = r#"{"@odata.context":"https://graph/$metadata#servicePrincipals","value":[{"id":"1"}]}"#;
        assert_eq!(texts(graph), vec![r#"{"id":"1"}"#]);
        let arg = r#"{"count":1,"data":[{"identity":{"type":"SystemAssigned"}}],"skip_token":null,"total_records":1}"#;
        assert_eq!(
            texts(arg),
            vec![r#"{"identity":{"type":"SystemAssigned"}}"#]
        );
        let aws =
            r#"{"UserDetailList":[{"u":1}],"RoleDetailList":[{"r":1},{"r":2}],"Policies":[]}"#;
        let (recs, err) = frame_all(aws.as_bytes());
        assert!(err.is_none());
        let keys: Vec<_> = recs
            .iter()
            .map(|r| r.envelope_key.clone().unwrap_or_default())
            .collect();
        assert_eq!(
            keys,
            vec!["UserDetailList", "RoleDetailList", "RoleDetailList"]
        );
    }

    #[test]
    fn a_next_link_means_more_pages() {
        let page = |doc: &str| {
            let mut framer = Framer::new();
            let mut n = 0;
            let mut sink = |_: Record<'_>| n += 1;
            // In small chunks too: the key may be split anywhere.
            for part in doc.as_bytes().chunks(3) {
                framer.push(part, &mut sink).expect("no fault");
            }
            framer.finish(&mut sink).expect("no fault at end");
            (n, framer.more_pages())
        };
        assert_eq!(
            page(
                r#"{"@odata.context":"x","value":[{"id":"a"}],"@odata.nextLink":"https://graph/?$skiptoken=1"}"#
            ),
            (1, true)
        );
        assert_eq!(
            page(r#"{"value":[{"id":"a"}],"nextLink":"https://x/?$skiptoken=[1]"}"#),
            (1, true)
        );
        assert_eq!(
            page(r#"{"value":[{"id":"a"}],"nextLink":null}"#),
            (1, false)
        );
        assert_eq!(
            page(r#"{"value":[{"id":"a","nextLink":"deeper"}]}"#),
            (1, false)
        );
        assert_eq!(page(r#"[{"id":"a"}]"#), (1, false));
    }

    #[test]
    fn single_objects_and_sequences() {
        // A single record object whose fields include arrays of objects is not an envelope.
        let sp = r#"{"id":"1","keyCredentials":[{"k":1}],"alternativeNames":["isExplicit=False"]}"#;
        assert_eq!(texts(sp), vec![sp]);
        let ndjson = "{\"a\":1}\n{\"a\":2}\n";
        assert_eq!(texts(ndjson), vec![r#"{"a":1}"#, r#"{"a":2}"#]);
        let pages = "[{\"a\":1}]\n[{\"a\":2},{\"a\":3}]";
        assert_eq!(texts(pages).len(), 3);
        // An envelope key deeper than the top is an ordinary field.
        let nested = r#"{"properties":{"value":[1,2]}}"#;
        assert_eq!(texts(nested), vec![nested]);
        // A key named like an envelope but holding a scalar keeps the object whole.
        let scalar = r#"{"value":"x","data":3}"#;
        assert_eq!(texts(scalar), vec![scalar]);
    }

    #[test]
    fn lines_and_offsets() {
        let input = "[\n  {\"a\": 1},\n\n  {\"b\": 2}\n]";
        let (recs, err) = frame_all(input.as_bytes());
        assert!(err.is_none());
        assert_eq!(recs.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 4]);
    }

    #[test]
    fn nested_records_are_framed_exactly_across_runs_of_plain_text() {
        // Pretty-printed records nested four deep (the shape of a service principal), with long runs of indentation
        // and plain text between the brackets, blank lines, brackets and line breaks inside strings, escaped quotes,
        // and strings that end in an escaped backslash: the skip-ahead inside records must stop at every bracket and
        // quote, count every line break, and end strings at the right quote, at every alignment.
        let mut input = String::from("[\n");
        for n in 0..24 {
            let pad = " ".repeat(n);
            input.push_str(&format!(
                "  {{\n    \"id\": {n},{pad}\n    \"creds\": [\n\n\n \n      {{\n        \"k\": \"[{{\\\"x\\\"}}]\\n\",\n\
                 {pad}\"e\": [\"tail\\\\\", \"{{\\\\\\\"}}\", \"{pad}\\\\\"],\n\
                 {pad}        \"n\": [true, false, null, -1.5e3, [[]], {{}}]\n      }}\n    ],\n    \"t\":{pad}\"{pad}\"\n  }}{}\n",
                if n < 23 { "," } else { "" }
            ));
        }
        input.push(']');
        let elements: Vec<serde_json::Value> = serde_json::from_str(&input).expect("valid JSON");
        for size in [1, 3, 8, 13, 64, input.len()] {
            let mut framer = Framer::new();
            let mut got = Vec::new();
            let mut sink = |r: Record<'_>| got.push((r.byte_offset, r.line, r.bytes.to_vec()));
            for part in input.as_bytes().chunks(size) {
                framer.push(part, &mut sink).expect("no fault");
            }
            framer.finish(&mut sink).expect("no fault at end");
            assert_eq!(got.len(), elements.len(), "chunk size {size}");
            for ((offset, line, bytes), element) in got.iter().zip(&elements) {
                let value: serde_json::Value =
                    serde_json::from_slice(bytes).expect("a whole record");
                assert_eq!(&value, element, "chunk size {size}");
                let before = &input.as_bytes()[..*offset as usize];
                assert_eq!(
                    *line,
                    1 + before.iter().filter(|&&b| b == b'\n').count() as u64
                );
            }
        }
        // A mismatched bracket deep inside a record is found at its exact byte and line.
        let pos = input
            .match_indices("[[]]")
            .nth(5)
            .expect("a sixth record")
            .0;
        let bad = format!("{}[[}}]{}", &input[..pos], &input[pos + 4..]);
        let at = pos + 2;
        let (_, err) = frame_all(bad.as_bytes());
        let err = err.expect("mismatch");
        assert_eq!(err.byte_offset, at as u64);
        assert_eq!(err.line, 1 + bad[..at].matches('\n').count() as u64);
    }

    #[test]
    fn faults_keep_earlier_records() {
        let (recs, err) = frame_all(b"[{\"a\":1},{\"b\":");
        assert_eq!(recs.len(), 1);
        let err = err.expect("truncated");
        assert_eq!(err.found, "the end of the file");
        let (recs, err) = frame_all(b"[{\"a\":1}]]");
        assert_eq!(recs.len(), 1);
        assert_eq!(err.expect("stray").byte_offset, 9);
        let (_, err) = frame_all(b"[{\"a\":1]");
        assert_eq!(
            err.expect("mismatch").expected,
            "the matching closing bracket"
        );
        let (recs, err) = frame_all(b"{\"a\":1}\ngarbage");
        assert_eq!(recs.len(), 1);
        assert_eq!(err.expect("junk").line, 2);
        let (_, err) = frame_all(b"[\"open");
        assert_eq!(
            err.expect("open string").expected,
            "the end of a string (\")"
        );
    }
}
