//! `idlens`: the command-line shell around the core. It reads files and folders, hands their bytes to the core and
//! prints what the core says. All judgement lives in `idlens-core`.

mod diff_cmd;
mod findings_cmd;
mod generate_cmd;
mod pseudo_args;
mod report_cmd;
mod summary_cmd;

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use idlens_core::digest::FileHasher;
use idlens_core::ingest::{Ingest, IngestOptions};
use idlens_core::model::Snapshot;
use idlens_core::report::InputDigest;

/// Offline auditor for workload identities.
#[derive(Parser)]
#[command(name = "idlens", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Ingest exports and print what was read: files, formats, identities, grants, orphaned assignments.
    Summary(summary_cmd::SummaryArgs),
    /// Evaluate the check catalog: findings, scores, posture and remediation plan (JSON) or findings (CSV).
    Findings(findings_cmd::FindingsArgs),
    /// Gate a pipeline: exit 1 when an unwaived finding at or above `--fail-on` exists, 0 when none, 2 on bad input.
    Check(findings_cmd::CheckArgs),
    /// Write the static HTML report: executive summary, posture, charts, risky identities, findings, inputs.
    Report(report_cmd::ReportArgs),
    /// What changed between two snapshots: identities, grants, findings and scores.
    Diff(diff_cmd::DiffArgs),
    /// Write a synthetic tenant: the files a client exports with `az` and Microsoft Graph.
    Generate(generate_cmd::GenerateArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("idlens: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Summary(args) => summary_cmd::run(args),
        Command::Generate(args) => generate_cmd::run(args),
        Command::Findings(args) => findings_cmd::run_findings(args),
        Command::Check(args) => findings_cmd::run_check(args),
        Command::Report(args) => report_cmd::run(args),
        Command::Diff(args) => diff_cmd::run(args),
    }
}

/// Files named directly, then every file under each folder, sorted so output is stable.
fn expand(inputs: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut stack = vec![input.clone()];
            let mut found = Vec::new();
            while let Some(dir) = stack.pop() {
                for entry in std::fs::read_dir(&dir)
                    .with_context(|| format!("cannot list {}", dir.display()))?
                {
                    let path = entry?.path();
                    if path.is_dir() {
                        stack.push(path)
                    } else {
                        found.push(path)
                    }
                }
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(input.clone());
        }
    }
    Ok(out)
}

/// Ingest every file under `inputs` (files, folders, zips) with the core, streaming each in 1 MiB chunks; with
/// `hash`, also the SHA-256 and size of each file read (the report lists them; `summary` skips the cost).
pub fn ingest_paths(
    inputs: &[PathBuf],
    hash: bool,
) -> anyhow::Result<(Snapshot, Vec<InputDigest>)> {
    let mut ingest = Ingest::new(IngestOptions::default());
    let mut buf = vec![0u8; 1 << 20];
    let mut digests = Vec::new();
    for path in expand(inputs)? {
        let mut file = std::fs::File::open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        let name = path.display().to_string();
        ingest.begin_file(&name);
        if let Ok(meta) = file.metadata() {
            ingest.expect_size(meta.len());
        }
        let mut hasher = hash.then(|| FileHasher::new(&name));
        loop {
            let n = file
                .read(&mut buf)
                .with_context(|| format!("cannot read {}", path.display()))?;
            if n == 0 {
                break;
            }
            if let Some(hasher) = &mut hasher {
                hasher.update(&buf[..n]);
            }
            ingest.push(&buf[..n]);
        }
        ingest.end_file();
        if let Some(hasher) = hasher {
            digests.push(hasher.finish());
        }
    }
    let linking = std::time::Instant::now();
    let snapshot = ingest.finish();
    let nanos = u64::try_from(linking.elapsed().as_nanos()).unwrap_or(u64::MAX);
    LINK_NANOS.fetch_add(nanos, std::sync::atomic::Ordering::Relaxed);
    Ok((snapshot, digests))
}

/// Time spent linking (joining the files read into one snapshot) by [`ingest_paths`] so far, for `--timings`.
pub static LINK_NANOS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
