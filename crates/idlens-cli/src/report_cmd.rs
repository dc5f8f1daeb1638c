//! `idlens report`: ingest exports (and optionally a previous snapshot), evaluate, and write the static HTML
//! report (`idlens_core::report`): one self-contained file, no script, strict CSP. The CLI reads and hashes the
//! files; the core renders. Same inputs and options give a byte-identical file.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use idlens_core::export::artifact::{self, ArtifactKind};
use idlens_core::remediate;

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
    /// The date the previous snapshot was taken (YYYY-MM-DD or RFC 3339): its staleness and expiry checks are judged
    /// as of that day. Default: the `--as-of` date.
    #[arg(long, requires = "previous")]
    pub previous_as_of: Option<String>,
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
    let mut loaded = findings_cmd::load(&args.common, true)?;
    let evaluation = findings_cmd::evaluate(&loaded);
    let plan = remediate::plan(&loaded.snapshot, &loaded.policy, loaded.as_of, &evaluation);
    let previous = if args.previous.is_empty() {
        None
    } else {
        // The report lists only the current inputs' hashes.
        let mut previous = findings_cmd::load_inputs(&args.common, &args.previous, false)?;
        if let Some(text) = &args.previous_as_of {
            previous.as_of = findings_cmd::as_of_or_now(Some(text), "--previous-as-of")?;
        }
        Some(previous)
    };
    let previous_evaluation = previous.as_ref().map(findings_cmd::evaluate);
    let key = args.pseudo.key()?;
    let rendered = artifact::render(
        ArtifactKind::Report,
        &mut loaded.snapshot,
        &artifact::Inputs {
            evaluation: &evaluation,
            plan: &plan,
            policy: &loaded.policy,
            policy_label: policy_label(&args.common),
            digests: loaded.digests.clone(),
            previous: previous
                .as_ref()
                .map(|p| &p.snapshot)
                .zip(previous_evaluation.as_ref()),
        },
        key.as_deref(),
    );
    if let Some(lookup) = &rendered.lookup {
        args.pseudo.save_lookup(lookup)?;
    }
    let html = rendered.text;
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
