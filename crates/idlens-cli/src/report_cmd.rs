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
    #[command(flatten)]
    pub pseudo: crate::pseudo_args::PseudoArgs,
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
    let mut loaded = findings_cmd::load(&args.common)?;
    let mut evaluation = findings_cmd::evaluate(&loaded);
    let mut plan = remediate::plan(&loaded.snapshot, &loaded.policy, loaded.as_of, &evaluation);
    let previous = if args.previous.is_empty() {
        None
    } else {
        Some(findings_cmd::load_inputs(&args.common, &args.previous)?)
    };
    let mut trend = previous.as_ref().map(|old| {
        diff::diff(
            &old.snapshot,
            &findings_cmd::evaluate(old),
            &loaded.snapshot,
            &evaluation,
        )
    });
    let mut snaps = vec![&loaded.snapshot];
    snaps.extend(previous.as_ref().map(|p| &p.snapshot));
    let mut policy = loaded.policy.clone();
    let pseudonymiser = args.pseudo.pseudonymiser(&snaps, &loaded.policy)?;
    let mut digests = loaded.digests.clone();
    if let Some(p) = &pseudonymiser {
        p.evaluation(&mut evaluation);
        p.plan(&mut plan);
        p.policy(&mut policy);
        if let Some(d) = &mut trend {
            p.diff(d);
        }
        for d in &mut digests {
            d.path = p.file(&d.path);
        }
    }
    if let Some(p) = &pseudonymiser {
        loaded.snapshot.files = p.files(&loaded.snapshot.files);
    }
    let html = report::render(&report::ReportInput {
        snapshot: &loaded.snapshot,
        evaluation: &evaluation,
        plan: &plan,
        policy: &policy,
        policy_label: pseudonymiser.as_ref().map_or_else(
            || policy_label(&args.common),
            |p| p.apply(&policy_label(&args.common)),
        ),
        inputs: digests,
        trend: trend.as_ref(),
        pseudonymised: pseudonymiser.is_some(),
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
