//! Records are read in one pass straight from the stream when a record lies whole in a chunk (role assignments by
//! `ingest::flat`, every other export by serde reading the first object there), and framed, then read by serde,
//! otherwise. Whatever the chunking, hence whichever path each record takes, the snapshot and the reconciliation are
//! the same, bad records included.

use idlens_core::generate::{GenerateOptions, generate};
use idlens_core::ingest::{Ingest, IngestOptions};
use idlens_core::model::{FileReport, Snapshot};

fn ingest(files: &[(String, Vec<u8>)], chunk: usize) -> Snapshot {
    let mut ingest = Ingest::new(IngestOptions::default());
    for (name, bytes) in files {
        ingest.begin_file(name);
        for part in bytes.chunks(chunk) {
            ingest.push(part);
        }
        ingest.end_file();
    }
    ingest.finish()
}

/// The demo tenant, with bad role assignments slipped in among the good ones.
fn tenant() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = generate(&GenerateOptions::demo())
        .into_iter()
        .map(|f| (f.name, f.bytes))
        .collect();
    let (_, bytes) = files
        .iter_mut()
        .find(|(name, _)| name == "role-assignments.json")
        .expect("role assignments");
    let text = String::from_utf8(std::mem::take(bytes)).expect("utf-8");
    let bad = [
        r#"{"principalId": 7, "roleDefinitionName": "Reader", "scope": "/subscriptions/a"}"#,
        r#"{"principalId": "p", "ObjectId": "q", "roleDefinitionName": "Reader", "scope": "/s"}"#,
        r#"{"principalId": "p", "roleDefinitionName": "Reader", "scope": "/s", "x": [1,]}"#,
        r#"{"principalId": "9a4c5e2c-1c1b-4bd3-a5c3-2c1c6f0e8a11", "roleDefinitionName": "R\u00e9ader", "scope": "/subscriptions/b", "description": "tab\there"}"#,
        r#"{"roleDefinitionName": "Reader", "scope": "/s"}"#,
    ];
    let mut out = String::from("[\n");
    let records = text.trim().trim_start_matches('[').trim_end_matches(']');
    let mut inserted = false;
    for (i, record) in records.split("\n  },\n").enumerate() {
        if i > 0 {
            out.push_str("\n  },\n");
        }
        if i == 3 && !inserted {
            for b in bad {
                out.push_str(b);
                out.push_str(",\n");
            }
            inserted = true;
        }
        out.push_str(record);
    }
    out.push_str("\n]\n");
    *bytes = out.into_bytes();
    files
}

/// The reconciliation of the role-assignments file.
fn role_assignments(snapshot: &Snapshot) -> &FileReport {
    snapshot
        .files
        .iter()
        .find(|f| f.path == "role-assignments.json")
        .expect("report")
}

#[test]
fn any_chunking_gives_the_same_snapshot() {
    let files = tenant();
    let whole = ingest(&files, usize::MAX);
    let report = role_assignments(&whole);
    assert_eq!(report.format, "az-role-assignments");
    assert!(report.balanced(), "{report:?}");
    // The three malformed records and the one without a principal are set aside; the escaped one is read.
    assert_eq!(report.set_aside.len(), 4, "{:?}", report.set_aside);
    assert!(
        report
            .set_aside
            .iter()
            .any(|s| s.reason.contains("invalid type"))
    );
    assert!(
        report
            .set_aside
            .iter()
            .any(|s| s.reason.contains("duplicate field"))
    );
    assert!(
        report
            .set_aside
            .iter()
            .any(|s| s.reason.contains("without `principalId`"))
    );
    let expected = serde_json::to_string(&whole).expect("json");
    // Chunks of one byte never hold a whole record: every record is framed and read by serde.
    for chunk in [1, 97, 4096] {
        let got = serde_json::to_string(&ingest(&files, chunk)).expect("json");
        assert!(
            got == expected,
            "chunks of {chunk} bytes read another snapshot"
        );
    }
}

#[test]
fn records_in_an_envelope_read_the_same_either_way() {
    // The ARM REST page shape: the records under `value`, one level deeper than in a bare array.
    let mut files = tenant();
    for (name, bytes) in &mut files {
        if name == "role-assignments.json" {
            let mut page = br#"{"value": "#.to_vec();
            page.extend_from_slice(bytes);
            page.extend_from_slice(br#", "nextLink": null}"#);
            *bytes = page;
        }
    }
    let whole = ingest(&files, usize::MAX);
    let report = role_assignments(&whole);
    assert!(report.balanced() && !report.partial, "{report:?}");
    assert_eq!(report.set_aside.len(), 4, "{:?}", report.set_aside);
    assert!(report.ingested > 100);
    let expected = serde_json::to_string(&whole).expect("json");
    let framed = serde_json::to_string(&ingest(&files, 1)).expect("json");
    assert!(
        framed == expected,
        "the envelope read another snapshot in one-byte chunks"
    );
}

/// Where each record of the array that holds a file's records ends (just past its `}`): the top-level array, or the
/// array under `value` or `data` in an envelope. A small scan that knows strings and brackets, enough for the
/// generator's output.
fn record_ends(text: &[u8]) -> Vec<usize> {
    let start = [&b"\"value\": ["[..], &b"\"data\": ["[..]]
        .iter()
        .find_map(|key| {
            text.windows(key.len())
                .position(|w| w == *key)
                .map(|at| at + key.len() - 1)
        })
        .unwrap_or_else(|| text.iter().position(|&b| b == b'[').expect("an array"));
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let mut ends = Vec::new();
    for (at, &b) in text.iter().enumerate().skip(start) {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth -= 1;
                if depth == 1 && b == b'}' {
                    ends.push(at + 1);
                }
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
    }
    ends
}

/// The file with records a reader sets aside or reads with care slipped in after its second record, and one with
/// bytes that are not UTF-8 after its last but one.
fn with_hard_records(bytes: &[u8]) -> Vec<u8> {
    let ends = record_ends(bytes);
    assert!(ends.len() >= 3, "{}", String::from_utf8_lossy(&bytes[..80]));
    let hard: &[&str] = &[
        // Wrong types for the fields the readers read.
        r#"{"id": 7, "appId": 7, "principalId": 7, "displayName": 7, "keyId": 7, "eventTimestamp": 7, "issuer": 7}"#,
        // A key twice.
        r#"{"id": "a", "id": "b", "appId": "00000000-0000-0000-0000-00000000000a"}"#,
        // Bad JSON the framer still frames.
        r#"{"id": "c", "x": [1,]}"#,
        // Escapes and characters of two, three and four bytes, across chunk boundaries in small chunks.
        r#"{"id": "/subscriptions/zo\u00eb/resourceGroups/\"q\"", "displayName": "Zoë ✓ 𝄞", "appId": "00000000-0000-0000-0000-00000000000b", "principalId": "00000000-0000-0000-0000-00000000000c", "keyId": "00000000-0000-0000-0000-00000000000d", "eventTimestamp": "2026-01-01T00:00:00Z", "issuer": "https://zoë.example"}"#,
    ];
    let mut out = bytes[..ends[1]].to_vec();
    for record in hard {
        out.extend_from_slice(b",\n");
        out.extend_from_slice(record.as_bytes());
    }
    let last_but_one = ends[ends.len() - 2];
    out.extend_from_slice(&bytes[ends[1]..last_but_one]);
    out.extend_from_slice(b",\n{\"id\": \"e\", \"displayName\": \"bad \xFF\xFE bytes\"}");
    out.extend_from_slice(&bytes[last_but_one..]);
    out
}

#[test]
fn every_export_reads_the_same_in_one_pass_as_framed_hard_records_included() {
    let files: Vec<(String, Vec<u8>)> = generate(&GenerateOptions::demo())
        .into_iter()
        .filter(|f| f.name.ends_with(".json"))
        .map(|f| (f.name, with_hard_records(&f.bytes)))
        .collect();
    let whole = ingest(&files, usize::MAX);
    assert_eq!(whole.files.len(), files.len());
    for report in &whole.files {
        assert!(report.balanced() && !report.partial, "{report:?}");
        // The bad JSON at least is set aside in every file, with the reader's reason.
        assert!(
            report
                .set_aside
                .iter()
                .any(|s| s.reason.starts_with("not a")),
            "{report:?}"
        );
        assert!(
            report.messages.iter().any(|m| m.contains("not UTF-8")),
            "{report:?}"
        );
    }
    let expected = serde_json::to_string(&whole).expect("json");
    // One-byte chunks frame every record; the others put chunk ends inside records and characters.
    for chunk in [1, 97, 4096, 65_536] {
        let got = serde_json::to_string(&ingest(&files, chunk)).expect("json");
        assert!(
            got == expected,
            "chunks of {chunk} bytes read another snapshot"
        );
    }
}
