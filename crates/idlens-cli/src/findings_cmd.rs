//! `idlens findings` and `idlens check`: ingest exports, evaluate the check catalog under an optional policy profile
//! at an as-of date, and print the findings document (JSON, `docs/findings-schema.md`) or CSV, or gate a pipeline
//! on severity (exit 1 when an unwaived finding at or above `--fail-on` exists, 0 when none, 2 on unusable input).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Args, ValueEnum};
use idlens_core::catalog::Severity;
use idlens_core::checks::{self, Evaluation};
use idlens_core::export::artifact::{self, ArtifactKind};
use idlens_core::findings;
use idlens_core::model::Snapshot;
use idlens_core::policy::Policy;
use idlens_core::remediate;
use idlens_core::report::InputDigest;

#[derive(Args)]
pub struct Common {
    /// Export files, folders (read recursively, in name order) or zip archives.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Policy profile (JSON): thresholds, role overrides, owner tags, environment rules, waivers.
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// The audit date (YYYY-MM-DD or RFC 3339); default: now.
    #[arg(long)]
    pub as_of: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum OutFormat {
    /// The findings document (`docs/findings-schema.md`).
    Json,
    /// One row per finding, UTF-8 with a BOM (Excel), formula cells neutralised.
    Csv,
    /// SARIF 2.1.0.
    Sarif,
    /// OCSF Detection Finding events (class 2004), a JSON array.
    Ocsf,
}

#[derive(Args)]
pub struct FindingsArgs {
    #[command(flatten)]
    common: Common,
    #[arg(long, value_enum, default_value_t = OutFormat::Json)]
    format: OutFormat,
    /// Write to this file instead of standard output.
    #[arg(short = 'o', long = "out")]
    out: Option<PathBuf>,
    #[command(flatten)]
    pseudo: crate::pseudo_args::PseudoArgs,
    /// Print the time of each phase (load = read + link, evaluate, plan, render and write) to standard error as one
    /// `IDLENS_TIMINGS` line; `cargo xtask bench` reads it.
    #[arg(long, hide = true)]
    timings: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
}

#[derive(Args)]
pub struct CheckArgs {
    #[command(flatten)]
    common: Common,
    /// Fail (exit 1) when an unwaived finding at or above this severity exists.
    #[arg(long, value_enum)]
    fail_on: FailOn,
}

pub struct Loaded {
    pub snapshot: Snapshot,
    pub policy: Policy,
    pub as_of: i64,
    /// SHA-256 and size of every file read (zip entries are labelled `archive!entry`; the archive is hashed); empty
    /// when loaded without hashing.
    pub digests: Vec<InputDigest>,
}

/// Ingest `inputs` and read the policy and as-of date of `common`; with `hash`, also hash every input (only the
/// outputs that list their inputs need it: hashing costs about a tenth of a load).
pub fn load(common: &Common, hash: bool) -> anyhow::Result<Loaded> {
    load_inputs(common, &common.inputs, hash)
}

/// Like [`load`], for another set of inputs under the same policy and date (`--previous`).
pub fn load_inputs(common: &Common, inputs: &[PathBuf], hash: bool) -> anyhow::Result<Loaded> {
    let as_of = as_of_or_now(common.as_of.as_deref(), "--as-of")?;
    let policy = match &common.policy {
        Some(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            Policy::from_json(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
        }
        None => Policy::default(),
    };
    let (snapshot, digests) = super::ingest_paths(inputs, hash)?;
    if checks::Availability::of(&snapshot).sources.is_empty() {
        bail!("no input file is an export this tool reads (run `idlens summary` to see why)");
    }
    Ok(Loaded {
        snapshot,
        policy,
        as_of,
        digests,
    })
}

/// The audit instant given by `flag` (YYYY-MM-DD or RFC 3339), or now when it was not given.
pub fn as_of_or_now(text: Option<&str>, flag: &str) -> anyhow::Result<i64> {
    Ok(match text {
        Some(text) => {
            idlens_core::time::parse(text)
                .with_context(|| format!("{flag} {text:?} is not a date (YYYY-MM-DD)"))?
                .unix
        }
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0),
    })
}

pub fn evaluate(loaded: &Loaded) -> Evaluation {
    checks::evaluate(&loaded.snapshot, &loaded.policy, loaded.as_of)
}

pub fn run_findings(args: FindingsArgs) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    // No format here lists the inputs' hashes (only the report does).
    let mut loaded = load(&args.common, false)?;
    let loaded_at = started.elapsed();
    let evaluation = evaluate(&loaded);
    let evaluated_at = started.elapsed();
    let plan = remediate::plan(&loaded.snapshot, &loaded.policy, loaded.as_of, &evaluation);
    let planned_at = started.elapsed();
    let kind = match args.format {
        OutFormat::Json => ArtifactKind::Json,
        OutFormat::Csv => ArtifactKind::Csv,
        OutFormat::Sarif => ArtifactKind::Sarif,
        OutFormat::Ocsf => ArtifactKind::Ocsf,
    };
    let key = args.pseudo.key()?;
    let rendered = artifact::render(
        kind,
        &mut loaded.snapshot,
        &artifact::Inputs {
            evaluation: &evaluation,
            plan: &plan,
            policy: &loaded.policy,
            policy_label: crate::report_cmd::policy_label(&args.common),
            digests: loaded.digests.clone(),
            previous: None,
        },
        key.as_deref(),
    );
    if let Some(lookup) = &rendered.lookup {
        args.pseudo.save_lookup(lookup)?;
    }
    let text = rendered.text;
    match &args.out {
        Some(path) => std::fs::write(path, text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => write_stdout(&text)?,
    }
    if args.timings {
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        let link = std::time::Duration::from_nanos(
            crate::LINK_NANOS.load(std::sync::atomic::Ordering::Relaxed),
        );
        eprintln!(
            "IDLENS_TIMINGS load_ms={:.1} read_ms={:.1} link_ms={:.1} evaluate_ms={:.1} plan_ms={:.1} output_ms={:.1}",
            ms(loaded_at),
            ms(loaded_at.saturating_sub(link)),
            ms(link),
            ms(evaluated_at - loaded_at),
            ms(planned_at - evaluated_at),
            ms(started.elapsed() - planned_at)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Write to stdout; a closed pipe (`| head`) is not an error.
pub fn write_stdout(text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

pub fn run_check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    // The gate prints findings only: no input hashes.
    let loaded = load(&args.common, false)?;
    let evaluation = evaluate(&loaded);
    let threshold = match args.fail_on {
        FailOn::Critical => Severity::Critical,
        FailOn::High => Severity::High,
        FailOn::Medium => Severity::Medium,
        FailOn::Low => Severity::Low,
    };
    let failing: Vec<_> = evaluation
        .findings
        .iter()
        .filter(|f| f.open() && f.severity >= threshold)
        .collect();
    let not_evaluated = evaluation
        .checks
        .iter()
        .filter(|c| c.status == findings::CheckStatus::NotEvaluated)
        .count();
    eprintln!(
        "idlens check: {} open finding(s) at or above {} ({} waived overall; {not_evaluated} check(s) not evaluated)",
        failing.len(),
        threshold.id(),
        evaluation.findings.iter().filter(|f| f.waived).count()
    );
    const LISTED: usize = 20;
    for f in failing.iter().take(LISTED) {
        // Several grants can give the same message: the scope tells them apart.
        let scope = f
            .evidence
            .iter()
            .flat_map(|e| &e.fields)
            .find(|field| field.name == "scope")
            .map(|field| format!(" [{}]", field.value))
            .unwrap_or_default();
        eprintln!(
            "  {} {} {}: {}{scope}",
            f.severity.id(),
            f.check_id,
            f.identity.name,
            f.message
        );
    }
    if failing.len() > LISTED {
        eprintln!(
            "  … and {} more (all of them: idlens findings --format csv)",
            failing.len() - LISTED
        );
    }
    Ok(if failing.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
