//! `idlens diff <OLD> <NEW>`: what changed between two snapshots (identities, grants, findings, scores), as text
//! or JSON (`idlens_core::diff::Diff`). Both are evaluated under the same policy and as-of date.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use idlens_core::diff;

use crate::findings_cmd::{self, Common};

#[derive(Clone, Copy, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
}

#[derive(Args)]
pub struct DiffArgs {
    /// The older snapshot (a file, folder or zip).
    pub old: PathBuf,
    /// The newer snapshot (a file, folder or zip).
    pub new: PathBuf,
    /// Policy profile (JSON) applied to both.
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// The audit date for both (YYYY-MM-DD or RFC 3339); default: now.
    #[arg(long)]
    pub as_of: Option<String>,
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
}

pub fn run(args: DiffArgs) -> anyhow::Result<ExitCode> {
    let common = Common {
        inputs: vec![args.old.clone()],
        policy: args.policy,
        as_of: args.as_of,
    };
    let old = findings_cmd::load_inputs(&common, std::slice::from_ref(&args.old))?;
    let new = findings_cmd::load_inputs(&common, std::slice::from_ref(&args.new))?;
    let d = diff::diff(
        &old.snapshot,
        &findings_cmd::evaluate(&old),
        &new.snapshot,
        &findings_cmd::evaluate(&new),
    );
    let text = match args.format {
        DiffFormat::Text => diff::text(&d),
        DiffFormat::Json => {
            let mut t = serde_json::to_string_pretty(&d)?;
            t.push('\n');
            t
        }
    };
    findings_cmd::write_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}
