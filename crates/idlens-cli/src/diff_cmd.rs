//! `idlens diff <OLD> <NEW>`: what changed between two snapshots (identities, grants, findings, scores), as text
//! or JSON (`idlens_core::diff::Diff`). Both are evaluated under the same policy; OLD at `--old-as-of` when given
//! (the day it was exported), else at the same as-of date as NEW.

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
    /// The audit date (YYYY-MM-DD or RFC 3339) NEW is judged at, and OLD too unless `--old-as-of` is given;
    /// default: now.
    #[arg(long)]
    pub as_of: Option<String>,
    /// The date OLD was taken (YYYY-MM-DD or RFC 3339): its staleness and expiry checks are judged as of that day.
    #[arg(long)]
    pub old_as_of: Option<String>,
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
}

pub fn run(args: DiffArgs) -> anyhow::Result<ExitCode> {
    let common = Common {
        inputs: vec![args.old.clone()],
        policy: args.policy,
        as_of: args.as_of,
    };
    let mut old = findings_cmd::load_inputs(&common, std::slice::from_ref(&args.old), false)?;
    if let Some(text) = &args.old_as_of {
        old.as_of = findings_cmd::as_of_or_now(Some(text), "--old-as-of")?;
    }
    let new = findings_cmd::load_inputs(&common, std::slice::from_ref(&args.new), false)?;
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
