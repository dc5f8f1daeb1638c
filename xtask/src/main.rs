//! `cargo xtask …`: everything beyond `cargo build`, written in Rust so it runs wherever cargo does.
//!
//! - `demo`   installs what is missing, builds the single-file viewer and serves it on http://127.0.0.1:8080
//! - `test`   installs what is missing and runs every check: fmt, clippy (native and wasm32), native tests, the
//!   core in wasm, and the browser tests in headless Chromium against the served and the `file://` viewer
//! - `e2e [NAME…]` builds the viewer and runs only the browser tests whose file names contain a NAME (all without one)
//! - `dist`   builds `dist/idlens.html` (JS glue and wasm inlined, strict CSP)
//! - `bench`  measures and writes `BENCHMARKS.md`
//! - `worker` builds the core's import-free wasm module for the viewer's Web Worker (Trunk calls this)
//! - `setup`  only installs the tools

mod bench;
mod dist;
mod serve;
mod tools;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("\nxtask: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = project_root();
    std::env::set_current_dir(&root)?;
    match args.first().map(String::as_str) {
        Some("demo") => {
            tools::ensure_build_tools(&root)?;
            let file = dist::build(&root)?;
            let port = flag_value(&args, "--port")
                .map(|p| p.parse())
                .transpose()?
                .unwrap_or(8080);
            serve::serve(file.parent().context("dist folder")?, port)
        }
        Some("test") => test(&root),
        Some("e2e") => {
            tools::ensure_build_tools(&root)?;
            tools::ensure_browser_tools(&root)?;
            e2e(&root, &args[1..])
        }
        Some("dist") => {
            tools::ensure_build_tools(&root)?;
            let file = dist::build(&root)?;
            println!("single-file viewer: {}", file.display());
            Ok(())
        }
        Some("bench") => {
            tools::ensure_build_tools(&root)?;
            bench::run(&root, &args[1..])
        }
        Some("worker") => dist::build_worker(&root).map(|_| ()),
        Some("setup") => {
            tools::ensure_build_tools(&root)?;
            tools::ensure_browser_tools(&root)
        }
        _ => {
            eprintln!(
                "usage: cargo xtask <demo [--port N] | test | e2e [NAME…] | dist | bench | worker | setup>"
            );
            std::process::exit(2);
        }
    }
}

/// Every check CI runs, in the order that fails fastest.
fn test(root: &Path) -> anyhow::Result<()> {
    tools::ensure_build_tools(root)?;
    tools::ensure_browser_tools(root)?;
    step(
        "format",
        cargo(root).args(["fmt", "--all", "--", "--check"]),
    )?;
    step(
        "clippy (native)",
        cargo(root).args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    step(
        "clippy (wasm32)",
        cargo(root)
            .env("CLIPPY_CONF_DIR", root.join("xtask/clippy-wasm"))
            .args(["clippy", "--target", "wasm32-unknown-unknown"])
            .args([
                "-p",
                "idlens-core",
                "-p",
                "idlens-wasm",
                "-p",
                "idlens-web",
                "--",
                "-D",
                "warnings",
            ]),
    )?;
    step("native tests", cargo(root).args(["test", "--workspace"]))?;
    e2e(root, &[])?;
    println!("\nall checks passed");
    Ok(())
}

/// Build the single file and the CLI, then run the browser and wasm tests whose file names contain one of `only`
/// (every test file when `only` is empty).
fn e2e(root: &Path, only: &[String]) -> anyhow::Result<()> {
    let file = dist::build(root)?;
    let idlens = build_cli(root)?;
    let files = e2e_test_files(root, only)?;
    if files.is_empty() {
        bail!("no browser test file matches {only:?}");
    }
    step(
        "browser and wasm tests",
        Command::new("node")
            .current_dir(root.join("tests/e2e"))
            .env("IDLENS_DIST", &file)
            .env("IDLENS_WORKER_WASM", dist::worker_path(root))
            .env("IDLENS_CLI", &idlens)
            .env("CHROMIUM", tools::chromium())
            .args(["--test", "--test-reporter=spec", "--test-concurrency=1"])
            .args(files),
    )
}

fn e2e_test_files(root: &Path, only: &[String]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("tests/e2e"))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            only.is_empty() || only.iter().any(|o| name.contains(o.as_str()))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// The native CLI in the fast native profile; returns the binary's path.
pub fn build_cli(root: &Path) -> anyhow::Result<PathBuf> {
    step(
        "build idlens CLI",
        cargo(root).args(["build", "--profile", "native", "--bin", "idlens"]),
    )?;
    Ok(root.join("target/native/idlens"))
}

pub fn cargo(root: &Path) -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root);
    cmd
}

/// Run a command, echoing what it is; fail with the step's name when it fails.
pub fn step(name: &str, cmd: &mut Command) -> anyhow::Result<()> {
    println!("\n== {name}");
    let status = cmd
        .status()
        .with_context(|| format!("{name}: could not start {:?}", cmd.get_program()))?;
    if !status.success() {
        bail!("{name} failed ({status})");
    }
    Ok(())
}

fn flag_value<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

fn project_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}
