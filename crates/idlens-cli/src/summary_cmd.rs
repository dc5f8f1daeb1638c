//! `idlens summary`: ingest files, folders or zips with the core and print the snapshot's summary (what was read,
//! what was set aside, what the tenant holds). Exit 0 when something usable was read, 2 when nothing was.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use idlens_core::model;

#[derive(Args)]
pub struct SummaryArgs {
    /// Export files, folders (read recursively, in name order) or zip archives.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// The audit date (YYYY-MM-DD); checked now, used by evaluations that depend on time.
    #[arg(long)]
    as_of: Option<String>,
    #[arg(long, value_enum, default_value_t = super::Format::Text)]
    format: super::Format,
}

pub fn run(args: SummaryArgs) -> anyhow::Result<ExitCode> {
    if let Some(as_of) = &args.as_of {
        idlens_core::time::parse(as_of)
            .with_context(|| format!("--as-of {as_of:?} is not a date (YYYY-MM-DD)"))?;
    }
    let (snapshot, _) = super::ingest_paths(&args.inputs, false)?;
    let summary = model::summary(&snapshot);
    match args.format {
        super::Format::Json => println!("{}", serde_json::to_string_pretty(&summary)?),
        super::Format::Text => {
            for f in &summary.files {
                println!(
                    "{}: {}, {} records ({} ingested, {} merged, {} set aside)",
                    f.path, f.format, f.records, f.ingested, f.merged, f.set_aside
                );
                for message in &f.messages {
                    println!("    {message}");
                }
            }
            let kinds: Vec<String> = summary
                .identities
                .by_kind
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            println!(
                "identities: {} ({})",
                summary.identities.total,
                kinds.join(", ")
            );
            println!("workloads: {}", summary.workloads);
            let grants: Vec<String> = summary
                .grants
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            println!(
                "grants: {} ({})",
                summary.grants.values().sum::<u64>(),
                grants.join(", ")
            );
            println!("credentials: {}", summary.credentials);
            println!("federations: {}", summary.federations);
            println!("orphaned assignments: {}", summary.orphaned_assignments);
        }
    }
    let usable = summary.files.iter().any(|f| f.ingested + f.merged > 0);
    Ok(if usable {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}
