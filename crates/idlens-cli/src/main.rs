//! `idlens`: the command-line shell around the core. It reads files and folders, hands their bytes to the core and
//! prints what the core says. All judgement lives in `idlens-core`.

mod generate_cmd;
mod summary_cmd;

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use idlens_core::scan::{FileScan, Scanner};

/// Offline auditor for workload identities.
#[derive(Parser)]
#[command(name = "idlens", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Say what each input file is: encoding, container and number of records.
    Scan {
        /// Files or folders (folders are read recursively, in name order).
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Ingest exports and print what was read: files, formats, identities, grants, orphaned assignments.
    Summary(summary_cmd::SummaryArgs),
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
        Command::Scan { inputs, format } => {
            let mut scans = Vec::new();
            for path in expand(&inputs)? {
                scans.push(scan_file(&path)?);
            }
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "files": scans }))?),
                Format::Text => {
                    for scan in &scans {
                        let problem = scan.problem.as_deref().map(|p| format!("  ({p})")).unwrap_or_default();
                        println!(
                            "{}: {} bytes, {}, {:?}, {} records{}",
                            scan.name,
                            scan.size_bytes,
                            scan.container.label(),
                            scan.encoding,
                            scan.records,
                            problem
                        );
                    }
                }
            }
            let usable = scans.iter().any(|s| s.records > 0);
            Ok(if usable { ExitCode::SUCCESS } else { ExitCode::from(2) })
        }
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
                for entry in std::fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))? {
                    let path = entry?.path();
                    if path.is_dir() { stack.push(path) } else { found.push(path) }
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

fn scan_file(path: &Path) -> anyhow::Result<FileScan> {
    let mut file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut scanner = Scanner::new(&path.display().to_string());
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).with_context(|| format!("cannot read {}", path.display()))?;
        if n == 0 {
            break;
        }
        scanner.push(&buf[..n]);
    }
    Ok(scanner.finish())
}
