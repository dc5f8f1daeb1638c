//! `idlens report`: ingest exports (and optionally a previous snapshot), evaluate, and write the static HTML
//! report (`idlens_core::report`): one self-contained file, no script, strict CSP. The CLI reads and hashes the
//! files; the core renders. Same inputs and options give a byte-identical file.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use idlens_core::{diff, remediate, report};

use crate::findings_cmd::{self, Common};

#[derive(Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub common: Common,
    /// Where to write the report (HTML).
    #[arg(short = 'o', long = "out")]
    pub out: PathBuf,
    /// A previous snapshot's exports (files, folders, zips): the report shows the trend against it.
    #[arg(long, num_args = 1..)]
    pub previous: Vec<PathBuf>,
}

/// How the policy profile is named in the report: its file name, or "default".
pub fn policy_label(common: &Common) -> String {
    common.policy.as_ref().map_or_else(
        || "default (no profile given)".to_owned(),
        |p| {
            p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        },
    )
}

pub fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let loaded = findings_cmd::load(&args.common)?;
    let evaluation = findings_cmd::evaluate(&loaded);
    let plan = remediate::plan(&loaded.snapshot, &loaded.policy, loaded.as_of, &evaluation);
    let trend = if args.previous.is_empty() {
        None
    } else {
        let old = findings_cmd::load_inputs(&args.common, &args.previous)?;
        let old_eval = findings_cmd::evaluate(&old);
        Some(diff::diff(
            &old.snapshot,
            &old_eval,
            &loaded.snapshot,
            &evaluation,
        ))
    };
    let html = report::render(&report::ReportInput {
        snapshot: &loaded.snapshot,
        evaluation: &evaluation,
        plan: &plan,
        policy: &loaded.policy,
        policy_label: policy_label(&args.common),
        inputs: loaded.digests.clone(),
        trend: trend.as_ref(),
        pseudonymised: false,
    });
    std::fs::write(&args.out, html.as_bytes())
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    eprintln!(
        "idlens report: wrote {} ({} bytes, {} identities, {} findings)",
        args.out.display(),
        html.len(),
        evaluation.scores.len(),
        evaluation.findings.len()
    );
    Ok(ExitCode::SUCCESS)
}
