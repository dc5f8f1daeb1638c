//! The viewer's exports: the same artifacts as the CLI ([`crate::export::artifact`]) from the worker's workspace,
//! optionally pseudonymised under a key the auditor gives or generates (the CLI's key-file format: the file's text,
//! trimmed, at least 16 bytes, so one key file gives the same pseudonyms in the CLI and the viewer).

use serde::{Deserialize, Serialize};

use crate::export::artifact::ArtifactKind;

/// The shortest key accepted (as the CLI).
pub const MIN_KEY_BYTES: usize = 16;

/// Which artifact, and the pseudonymisation key when one is wanted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportRequest {
    pub artifact: ArtifactKind,
    /// The key file's text; `None`: not pseudonymised.
    #[serde(default)]
    pub key: Option<String>,
}

/// One artifact, ready to download.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportView {
    pub file_name: String,
    pub media_type: String,
    pub text: String,
    /// The lookup table (pseudonym → real) as JSON, when pseudonymised: a separate download, never in `text`.
    pub lookup: Option<String>,
    /// Input files without a SHA-256 (the report says "not given" for them).
    pub undigested: usize,
}

/// The key bytes of a key file's text, or why it cannot be used.
pub fn key_bytes(text: &str) -> Result<Vec<u8>, String> {
    let key = text.trim().as_bytes().to_vec();
    if key.len() < MIN_KEY_BYTES {
        return Err(format!(
            "A pseudonymisation key needs at least {MIN_KEY_BYTES} characters (this one has {}). Generate one, or load the key file the CLI wrote.",
            key.len()
        ));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{DEMO_AS_OF_UNIX, GenerateOptions, generate};
    use crate::ingest::{Ingest, IngestOptions};
    use crate::policy::Policy;
    use crate::view::workspace::Workspace;
    use crate::view::{ViewAnswer, ViewRequest};

    fn demo() -> Workspace {
        let mut ingest = Ingest::new(IngestOptions::default());
        for file in generate(&GenerateOptions::demo()) {
            ingest.add_file(&format!("demo/tenant/{}", file.name), &file.bytes);
        }
        Workspace::new(ingest.finish(), Some(DEMO_AS_OF_UNIX), Policy::default())
    }

    fn export(ws: &mut Workspace, artifact: ArtifactKind, key: Option<&str>) -> ExportView {
        match ws.answer(&ViewRequest::Export(ExportRequest {
            artifact,
            key: key.map(str::to_owned),
        })) {
            ViewAnswer::Export(view) => *view,
            other => panic!("not an export: {other:?}"),
        }
    }

    #[test]
    fn every_artifact_downloads_names_identities_and_pseudonymises_without_leaking() {
        let mut ws = demo();
        let name = ws.snapshot().identities.iter().find_map(|i| {
            ws.snapshot()
                .opt_str(i.display_name)
                .filter(|n| n.len() > 8)
                .map(str::to_owned)
        });
        let name = name.expect("a named identity");
        for kind in ArtifactKind::ALL {
            let plain = export(&mut ws, kind, None);
            assert_eq!(plain.file_name, kind.file_name());
            assert!(plain.lookup.is_none());
            assert!(plain.text.contains(&name), "{kind:?} names identities");
            let hidden = export(&mut ws, kind, Some("0123456789abcdef0123"));
            assert!(!hidden.text.contains(&name), "{kind:?} leaks {name}");
            let lookup: std::collections::BTreeMap<String, String> =
                serde_json::from_str(hidden.lookup.as_deref().expect("lookup")).expect("json");
            assert!(lookup.values().any(|v| v == &name));
            // Deterministic: the same key, the same bytes.
            assert_eq!(
                export(&mut ws, kind, Some("0123456789abcdef0123")).text,
                hidden.text
            );
        }
        let report = export(&mut ws, ArtifactKind::Report, None);
        assert!(report.text.starts_with("<!doctype html>"));
        assert_eq!(report.undigested, ws.snapshot().files.len());
    }

    #[test]
    fn a_short_key_is_refused_with_a_reason() {
        let mut ws = demo();
        match ws.answer(&ViewRequest::Export(ExportRequest {
            artifact: ArtifactKind::Csv,
            key: Some("short".into()),
        })) {
            ViewAnswer::Error { message } => assert!(message.contains("at least 16"), "{message}"),
            other => panic!("expected an error: {other:?}"),
        }
    }
}
