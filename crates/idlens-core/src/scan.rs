//! A first look at a file: its size, encoding, container and number of top-level records, fed chunk by chunk.
//!
//! The viewer's worker and the CLI both drive a [`Scanner`] per file; the byte-order mark, the format and every
//! record are found the same way on both.

use serde::{Deserialize, Serialize};

use crate::frame::{Framer, Record};
use crate::sniff::{self, Container, Encoding, SNIFF_LEN};
use crate::text::Utf8Stream;

/// Most bytes a zip archive may have; it must be held whole to read its directory.
pub const MAX_ZIP_BYTES: u64 = 2 << 30;

/// What a [`Scanner`] reports for one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileScan {
    /// The name the file was given to us with (for messages only; never used to decide the format).
    pub name: String,
    pub size_bytes: u64,
    pub encoding: Encoding,
    pub container: Container,
    /// JSON: array elements, envelope elements or documents. CSV: data rows. Zip: entries.
    pub records: u64,
    /// Why the file could not be read to its end, with the position, if it could not.
    pub problem: Option<String>,
}

enum State {
    /// Collecting the first bytes until the format can be decided.
    Sniffing(Vec<u8>),
    Json { text: Utf8Stream, framer: Framer },
    Csv { text: Utf8Stream, rows: CsvRows },
    Zip(Vec<u8>),
    Unknown,
}

/// Push scanner for one file.
pub struct Scanner {
    name: String,
    size_bytes: u64,
    sniffed: Option<sniff::Sniffed>,
    state: State,
    problem: Option<String>,
}

impl Scanner {
    #[must_use]
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            size_bytes: 0,
            sniffed: None,
            state: State::Sniffing(Vec::new()),
            problem: None,
        }
    }

    /// Feed the next chunk of the file's bytes.
    pub fn push(&mut self, chunk: &[u8]) {
        self.size_bytes += chunk.len() as u64;
        if let State::Sniffing(head) = &mut self.state {
            head.extend_from_slice(chunk);
            if head.len() >= SNIFF_LEN {
                let head = std::mem::take(head);
                self.decide(&head);
                self.feed(&head);
            }
            return;
        }
        self.feed(chunk);
    }

    /// End of file: the report.
    #[must_use]
    pub fn finish(mut self) -> FileScan {
        if let State::Sniffing(head) = &mut self.state {
            let head = std::mem::take(head);
            self.decide(&head);
            self.feed(&head);
        }
        let mut ignore = |_: Record<'_>| {};
        let records = match &mut self.state {
            State::Json { text, framer } => {
                let tail = text.finish();
                let _ = framer.push(tail, &mut ignore);
                if let Err(err) = framer.finish(&mut ignore) {
                    self.problem.get_or_insert_with(|| format!("not valid JSON at {err}"));
                }
                framer.records()
            }
            State::Csv { text, rows } => {
                let tail = text.finish().to_vec();
                rows.push(&tail);
                rows.finish()
            }
            State::Zip(bytes) => match zip::ZipArchive::new(std::io::Cursor::new(bytes.as_slice())) {
                Ok(archive) => archive.len() as u64,
                Err(err) => {
                    self.problem.get_or_insert_with(|| format!("not a readable zip archive: {err}"));
                    0
                }
            },
            State::Unknown | State::Sniffing(_) => 0,
        };
        let sniffed = self.sniffed.unwrap_or(sniff::Sniffed { encoding: Encoding::Utf8, container: Container::Unknown });
        if sniffed.container == Container::Unknown && self.problem.is_none() {
            self.problem = Some(if self.size_bytes == 0 {
                "the file is empty".to_owned()
            } else {
                "not JSON, CSV or a zip archive; expected an export such as `az role assignment list -o json`".to_owned()
            });
        }
        FileScan {
            name: self.name,
            size_bytes: self.size_bytes,
            encoding: sniffed.encoding,
            container: sniffed.container,
            records,
            problem: self.problem,
        }
    }

    fn decide(&mut self, head: &[u8]) {
        let sniffed = sniff::sniff(&head[..head.len().min(SNIFF_LEN)]);
        self.sniffed = Some(sniffed);
        self.state = match sniffed.container {
            Container::JsonArray | Container::JsonObject => {
                State::Json { text: Utf8Stream::new(sniffed.encoding), framer: Framer::new() }
            }
            Container::Csv => {
                let mut text = Utf8Stream::new(sniffed.encoding);
                let utf8 = text.push(head).to_vec();
                let header = utf8.split(|&b| b == b'\n').next().unwrap_or(&utf8);
                let delimiter = sniff::csv_delimiter(header).unwrap_or(b',');
                State::Csv { text: Utf8Stream::new(sniffed.encoding), rows: CsvRows::new(delimiter) }
            }
            Container::Zip => State::Zip(Vec::new()),
            Container::Unknown => State::Unknown,
        };
    }

    fn feed(&mut self, chunk: &[u8]) {
        let mut ignore = |_: Record<'_>| {};
        match &mut self.state {
            State::Json { text, framer } => {
                let utf8 = text.push(chunk);
                let _ = framer.push(utf8, &mut ignore);
            }
            State::Csv { text, rows } => {
                let utf8 = text.push(chunk);
                rows.push(utf8);
            }
            State::Zip(bytes) => {
                if bytes.len() as u64 + chunk.len() as u64 > MAX_ZIP_BYTES {
                    self.problem.get_or_insert_with(|| format!("zip archive larger than {MAX_ZIP_BYTES} bytes"));
                } else {
                    bytes.extend_from_slice(chunk);
                }
            }
            State::Unknown | State::Sniffing(_) => {}
        }
    }
}

/// Counts CSV data rows (the header excluded), with quoted fields that may hold delimiters and line breaks.
pub struct CsvRows {
    reader: csv_core::Reader,
    field: Vec<u8>,
    ends: Vec<usize>,
    rows: u64,
}

impl CsvRows {
    #[must_use]
    pub fn new(delimiter: u8) -> Self {
        Self {
            reader: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            field: vec![0; 4096],
            ends: vec![0; 64],
            rows: 0,
        }
    }

    pub fn push(&mut self, mut input: &[u8]) {
        loop {
            let (result, read, _, _) = self.reader.read_record(input, &mut self.field, &mut self.ends);
            input = &input[read..];
            match result {
                csv_core::ReadRecordResult::InputEmpty | csv_core::ReadRecordResult::End => return,
                csv_core::ReadRecordResult::OutputFull => {
                    let len = self.field.len() * 2;
                    self.field.resize(len, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    let len = self.ends.len() * 2;
                    self.ends.resize(len, 0);
                }
                csv_core::ReadRecordResult::Record => self.rows += 1,
            }
        }
    }

    /// Data rows read (the header line is not counted).
    pub fn finish(&mut self) -> u64 {
        self.push(&[]);
        self.rows.saturating_sub(1)
    }
}

/// Scan a whole buffer in chunks of `chunk_len` bytes (as the browser worker does).
#[must_use]
pub fn scan_bytes(name: &str, bytes: &[u8], chunk_len: usize) -> FileScan {
    let mut scanner = Scanner::new(name);
    for chunk in bytes.chunks(chunk_len.max(1)) {
        scanner.push(chunk);
    }
    scanner.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_container() {
        let json = scan_bytes("a", b"\xEF\xBB\xBF[{\"a\":1},{\"a\":2}]", 3);
        assert_eq!((json.encoding, json.container, json.records, json.problem), (Encoding::Utf8Bom, Container::JsonArray, 2, None));
        let csv = scan_bytes("b", b"id,identity\n1,\"{\"\"type\"\":\n\"\"x,y\"\"}\"\n2,b\n", 5);
        assert_eq!((csv.container, csv.records), (Container::Csv, 2));
        let envelope = scan_bytes("c", br#"{"value":[{},{},{}],"nextLink":null}"#, 4);
        assert_eq!((envelope.container, envelope.records), (Container::JsonObject, 3));
    }

    #[test]
    fn problems_name_position_and_expectation() {
        let cut = scan_bytes("cut.json", b"[{\"a\":1},\n{\"a\":", 4);
        assert_eq!(cut.records, 1);
        let problem = cut.problem.expect("a problem");
        assert!(problem.contains("line 2"), "{problem}");
        assert!(problem.contains("expected"), "{problem}");
        let empty = scan_bytes("e", b"", 4);
        assert_eq!(empty.problem.as_deref(), Some("the file is empty"));
        let text = scan_bytes("t", b"just some notes", 4);
        assert!(text.problem.expect("problem").contains("expected an export"));
        let bad_zip = scan_bytes("z", b"PK\x03\x04not really", 4);
        assert_eq!(bad_zip.container, Container::Zip);
        assert!(bad_zip.problem.expect("problem").contains("zip"));
    }
}
