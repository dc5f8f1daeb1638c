//! `idlens generate`: writes a synthetic tenant (the files a client would export with `az` and Graph) into a
//! folder, streaming each file so a tenant with a million role assignments needs little memory. All the content
//! comes from `idlens_core::generate`; this file only parses arguments and opens files. No clock is read: the
//! default "as of" is a fixed date, so the same command always writes the same bytes.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use idlens_core::generate::{GenerateOptions, generate_previous, generate_to, unix_from_date};

/// Arguments of `idlens generate`.
#[derive(clap::Args)]
pub struct GenerateArgs {
    /// Folder to write the files into (created if missing; existing files of the same names are replaced).
    #[arg(long)]
    out: PathBuf,
    /// Seed: the same seed and sizes give byte-identical files.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Number of workload identities (managed identities and application service principals).
    #[arg(long, default_value_t = 300)]
    identities: usize,
    /// Number of role assignments, exactly.
    #[arg(long, default_value_t = 1500)]
    assignments: usize,
    /// The tenant's "now", as YYYY-MM-DD (UTC midnight). Every timestamp is placed relative to it.
    #[arg(long, default_value = "2026-11-01")]
    as_of: String,
    /// Write the same tenant one month earlier instead (some identities not created yet, some grants not made
    /// yet, a few identities and broad grants since removed): a baseline for `idlens diff` and the viewer's
    /// compare page. Built in memory, so meant for demo sizes.
    #[arg(long)]
    previous_month: bool,
}

pub fn run(args: GenerateArgs) -> anyhow::Result<ExitCode> {
    let as_of_unix = unix_from_date(&args.as_of).with_context(|| {
        format!(
            "--as-of {:?} is not a date of the form YYYY-MM-DD",
            args.as_of
        )
    })?;
    let opts = GenerateOptions {
        seed: args.seed,
        identities: args.identities,
        assignments: args.assignments,
        as_of_unix,
    };
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    if args.previous_month {
        for file in generate_previous(&opts) {
            let path = args.out.join(&file.name);
            std::fs::write(&path, &file.bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
            println!("{}: {} bytes", file.name, file.bytes.len());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let summary = generate_to(&opts, |name| {
        let path = args.out.join(name);
        File::create(&path).map(|f| BufWriter::with_capacity(1 << 20, f))
    })
    .with_context(|| format!("cannot write the tenant into {}", args.out.display()))?;
    for (name, records) in &summary.files {
        let size = std::fs::metadata(args.out.join(name))
            .map(|m| m.len())
            .unwrap_or(0);
        println!("{name}: {records} records, {size} bytes");
    }
    Ok(ExitCode::SUCCESS)
}
