//! CSV exports (the Resource Graph Explorer "Download as CSV", and any header-driven table of the same columns):
//! each data row becomes a small JSON object keyed by the header, then goes through the same detection and typed
//! readers as JSON records. Cells holding JSON text (`identity`, `tags`, `properties`: quoted, inner quotes doubled)
//! are embedded as JSON; other cells as strings; empty cells are left out (absent, not empty).

use serde::de::IgnoredAny;

/// Canonical key names that header cells are mapped to when they match ignoring case, spaces and underscores.
const CANONICAL: &[&str] = &[
    "id",
    "name",
    "type",
    "kind",
    "location",
    "resourceGroup",
    "subscriptionId",
    "tenantId",
    "tags",
    "identity",
    "properties",
    "principalId",
    "clientId",
    "appId",
    "displayName",
    "objectId",
    "servicePrincipalType",
    "roleDefinitionId",
    "roleDefinitionName",
    "principalType",
    "principalName",
    "scope",
    "issuer",
    "subject",
    "audiences",
    "accountEnabled",
    "userPrincipalName",
    "mail",
    "managedBy",
];

fn canonical(header: &str) -> String {
    let header = header.trim_start_matches('\u{feff}').trim();
    let squashed: String = header
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .collect();
    CANONICAL
        .iter()
        .find(|c| c.eq_ignore_ascii_case(&squashed))
        .map_or_else(|| header.to_owned(), |c| (*c).to_owned())
}

/// Receives each data row as JSON text.
pub trait RowSink {
    /// `index` counts data rows from 0; `line` is where the row starts (from 1).
    fn row(&mut self, json: &[u8], index: u64, line: u64);
}

impl RowSink for super::Records<'_> {
    fn row(&mut self, json: &[u8], index: u64, line: u64) {
        self.handle(json, index, line, None);
    }
}

/// Push reader of CSV rows (quoted fields may hold delimiters and line breaks), with csv-core.
pub struct CsvRecords {
    reader: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    out_len: usize,
    ends_len: usize,
    /// Line of the next byte to be consumed (from 1).
    line: u64,
    row_line: Option<u64>,
    header: Option<Vec<String>>,
    index: u64,
    json: Vec<u8>,
}

impl CsvRecords {
    #[must_use]
    pub fn new(delimiter: u8) -> Self {
        Self {
            reader: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            out: vec![0; 4096],
            ends: vec![0; 64],
            out_len: 0,
            ends_len: 0,
            line: 1,
            row_line: None,
            header: None,
            index: 0,
            json: Vec::new(),
        }
    }

    /// Feed UTF-8 text.
    pub fn push(&mut self, mut input: &[u8], sink: &mut impl RowSink) {
        loop {
            let (result, read, written, ended) = self.reader.read_record(
                input,
                &mut self.out[self.out_len..],
                &mut self.ends[self.ends_len..],
            );
            let consumed = input.get(..read).unwrap_or_default();
            if self.row_line.is_none()
                && let Some(start) = consumed.iter().position(|&b| b != b'\r' && b != b'\n')
            {
                let before = memchr::memchr_iter(b'\n', &consumed[..start]).count() as u64;
                self.row_line = Some(self.line + before);
            }
            self.line += memchr::memchr_iter(b'\n', consumed).count() as u64;
            input = input.get(read..).unwrap_or_default();
            self.out_len += written;
            self.ends_len += ended;
            match result {
                csv_core::ReadRecordResult::InputEmpty | csv_core::ReadRecordResult::End => return,
                csv_core::ReadRecordResult::OutputFull => {
                    let len = self.out.len() * 2;
                    self.out.resize(len, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    let len = self.ends.len() * 2;
                    self.ends.resize(len, 0);
                }
                csv_core::ReadRecordResult::Record => {
                    self.emit(sink);
                    self.out_len = 0;
                    self.ends_len = 0;
                    self.row_line = None;
                }
            }
        }
    }

    /// End of input: the last row without a final line break.
    pub fn finish(&mut self, sink: &mut impl RowSink) {
        self.push(&[], sink);
    }

    fn emit(&mut self, sink: &mut impl RowSink) {
        let mut fields = Vec::with_capacity(self.ends_len);
        let mut start = 0;
        for &end in &self.ends[..self.ends_len] {
            let end = end.min(self.out_len).max(start);
            fields.push(&self.out[start..end]);
            start = end;
        }
        if fields.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            return;
        }
        let Some(header) = &self.header else {
            self.header = Some(
                fields
                    .iter()
                    .map(|f| canonical(&String::from_utf8_lossy(f)))
                    .collect(),
            );
            return;
        };
        self.json.clear();
        self.json.push(b'{');
        let mut first = true;
        for (name, cell) in header.iter().zip(fields) {
            let text = String::from_utf8_lossy(cell);
            let text = text.trim();
            if text.is_empty() || name.is_empty() {
                continue;
            }
            if !first {
                self.json.push(b',');
            }
            first = false;
            write_json_string(&mut self.json, name);
            self.json.push(b':');
            let structured = (text.starts_with('{') || text.starts_with('['))
                && serde_json::from_str::<IgnoredAny>(text).is_ok();
            if structured || text == "true" || text == "false" {
                self.json.extend_from_slice(text.as_bytes());
            } else {
                write_json_string(&mut self.json, text);
            }
        }
        self.json.push(b'}');
        let line = self.row_line.unwrap_or(0);
        sink.row(&self.json, self.index, line);
        self.index += 1;
    }
}

fn write_json_string(out: &mut Vec<u8>, text: &str) {
    // Serialising a `&str` into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, text);
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Collect(Vec<(String, u64, u64)>);
    impl RowSink for Collect {
        fn row(&mut self, json: &[u8], index: u64, line: u64) {
            self.0
                .push((String::from_utf8_lossy(json).into_owned(), index, line));
        }
    }

    fn rows(text: &str, chunk: usize) -> Vec<(String, u64, u64)> {
        let mut csv = CsvRecords::new(b',');
        let mut out = Collect(Vec::new());
        for part in text.as_bytes().chunks(chunk.max(1)) {
            csv.push(part, &mut out);
        }
        csv.finish(&mut out);
        out.0
    }

    #[test]
    fn rows_become_json_objects() {
        let text = "\u{feff}ID,Resource Group,identity,tags\n/s/1,rg,\"{\"\"type\"\":\"\"SystemAssigned\"\",\n\"\"principalId\"\":\"\"x\"\"}\",\n\n/s/2,,not json {,{}\n";
        for chunk in [1, 3, 7, 1000] {
            let got = rows(text, chunk);
            assert_eq!(got.len(), 2, "chunk {chunk}");
            assert_eq!(
                got[0].0,
                r#"{"id":"/s/1","resourceGroup":"rg","identity":{"type":"SystemAssigned",
"principalId":"x"}}"#
            );
            assert_eq!((got[0].1, got[0].2), (0, 2));
            assert_eq!(
                got[1].0,
                r#"{"id":"/s/2","identity":"not json {","tags":{}}"#
            );
            assert_eq!(got[1].1, 1);
        }
    }
}
