//! Helpers shared by the core's integration tests (each test file includes this module with `mod common;` and uses
//! what it needs).
#![allow(dead_code)]

use idlens_core::checks::Evaluation;
use idlens_core::findings::{CheckRun, Finding};
use idlens_core::ingest::{Ingest, IngestOptions};
use idlens_core::model::Snapshot;

/// Ingest in-memory files under `options`; every file's reconciliation must balance (read = ingested + merged +
/// set aside).
pub fn ingest_with(options: IngestOptions, files: &[(&str, &[u8])]) -> Snapshot {
    let mut ingest = Ingest::new(options);
    for (name, bytes) in files {
        ingest.add_file(name, bytes);
    }
    let snapshot = ingest.finish();
    for file in &snapshot.files {
        assert!(file.balanced(), "reconciliation of {}: {file:?}", file.path);
    }
    snapshot
}

/// [`ingest_with`] the default options.
pub fn ingest(files: &[(&str, &[u8])]) -> Snapshot {
    ingest_with(IngestOptions::default(), files)
}

/// The findings of check `check_id` about the identity named `name`.
pub fn findings_of<'e>(e: &'e Evaluation, check_id: &str, name: &str) -> Vec<&'e Finding> {
    e.findings
        .iter()
        .filter(|f| f.check_id == check_id && f.identity.name == name)
        .collect()
}

/// The value of evidence field `name` of a finding.
pub fn field<'f>(f: &'f Finding, name: &str) -> Option<&'f str> {
    f.evidence
        .iter()
        .flat_map(|e| &e.fields)
        .find(|x| x.name == name)
        .map(|x| x.value.as_str())
}

/// The run of check `id` (its status, coverage and caveats).
pub fn check_run<'e>(e: &'e Evaluation, id: &str) -> &'e CheckRun {
    e.checks.iter().find(|c| c.check_id == id).expect("check")
}
