//! Zip archives of exports: each file entry goes through the same pipeline as a dropped file, with its own report.
//!
//! Bounded: at most [`IngestOptions::max_zip_entries`] entries, [`IngestOptions::max_unpacked_bytes`] unpacked in
//! total, and an entry stops being read when it expands beyond [`IngestOptions::max_compression_ratio`] times its
//! compressed size. Entry paths are labels in reports only; nothing is ever written or opened by them. Archives
//! inside archives are not opened.

use std::io::Read as _;

use super::{FileIngest, IngestOptions, Shared};
use crate::model::SetAside;

const CHUNK: usize = 64 << 10;
const SLACK: u64 = 1 << 20;

/// A printable label for an entry name: control characters dropped, length capped.
fn label(archive: &str, entry: &str) -> String {
    let entry: String = entry
        .chars()
        .filter(|c| !c.is_control())
        .take(240)
        .collect();
    format!("{archive}!{entry}")
}

pub(super) fn ingest_archive(
    shared: &mut Shared,
    options: &IngestOptions,
    file: u32,
    bytes: &[u8],
) {
    let archive_name = shared
        .report(file)
        .map(|r| r.path.clone())
        .unwrap_or_default();
    let mut archive = match ::zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
        Ok(archive) => archive,
        Err(err) => {
            if let Some(report) = shared.report(file) {
                report
                    .messages
                    .push(format!("not a readable zip archive: {err}"));
            }
            return;
        }
    };
    let mut unpacked_total: u64 = 0;
    let mut entries: u64 = 0;
    let mut buf = vec![0u8; CHUNK];
    for i in 0..archive.len() {
        let mut outcome: Result<(), String> = Ok(());
        match archive.by_index(i) {
            Err(err) => outcome = Err(format!("entry cannot be read: {err}")),
            Ok(entry) if entry.is_dir() => continue,
            Ok(_) if entries >= options.max_zip_entries => {
                outcome = Err(format!(
                    "more than {} entries in the archive; not read",
                    options.max_zip_entries
                ));
            }
            Ok(_) if unpacked_total >= options.max_unpacked_bytes => {
                outcome = Err(format!(
                    "the archive unpacks to more than {} bytes; not read",
                    options.max_unpacked_bytes
                ));
            }
            Ok(mut entry) => {
                // Raw bytes: decoded leniently whatever the archive claims (a label only).
                let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
                let limit = entry
                    .compressed_size()
                    .saturating_mul(options.max_compression_ratio)
                    .saturating_add(SLACK);
                let child = shared.add_report(&label(&archive_name, &name));
                let mut ingest = FileIngest::new(child, true);
                // The size the archive declares, a hint only, and never past what this entry may expand to.
                ingest.expected = Some(entry.size().min(limit));
                let mut read: u64 = 0;
                let mut stop = None;
                loop {
                    match entry.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => {
                            read += n as u64;
                            unpacked_total += n as u64;
                            if read > limit {
                                stop = Some(format!(
                                    "stopped reading after {read} bytes: the entry expands more than {} times its \
                                     compressed size",
                                    options.max_compression_ratio
                                ));
                                break;
                            }
                            if unpacked_total > options.max_unpacked_bytes {
                                stop = Some(format!(
                                    "stopped reading: the archive unpacks to more than {} bytes",
                                    options.max_unpacked_bytes
                                ));
                                break;
                            }
                            ingest.push(buf.get(..n).unwrap_or_default(), shared, options);
                        }
                        Err(err) => {
                            stop = Some(format!("the entry is damaged after {read} bytes: {err}"));
                            break;
                        }
                    }
                }
                let _ = ingest.finish(shared, options);
                if let Some(stop) = stop
                    && let Some(report) = shared.report(child)
                {
                    report.messages.push(stop);
                }
            }
        }
        entries += 1;
        let Some(report) = shared.report(file) else {
            return;
        };
        report.records += 1;
        match outcome {
            Ok(()) => report.ingested += 1,
            Err(reason) => {
                report.set_aside.push(SetAside {
                    record: i as u64,
                    line: 0,
                    reason,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_tame() {
        assert_eq!(label("a.zip", "../../etc/passwd"), "a.zip!../../etc/passwd");
        assert_eq!(label("a.zip", "x\u{0}\u{1b}[31my"), "a.zip!x[31my");
        assert_eq!(label("a.zip", &"z".repeat(1000)).len(), 6 + 240);
    }
}
