//! Install the tools the build and the tests need, each only when missing (see TOOLCHAIN facts in the README).
//!
//! Nothing here downloads a binary from the internet: the wasm target comes from rustup, Trunk and wasm-bindgen are
//! built from crates.io, wasm-opt comes from the npm package `binaryen`, Chromium from Debian's packages.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};

use crate::step;

pub const TRUNK_VERSION: &str = "0.21.14";
pub const BINARYEN_VERSION: &str = "132";

/// Where project-local tools (npm's binaryen) are installed; ignored by git.
pub fn tools_dir(root: &Path) -> PathBuf {
    root.join(".tools")
}

fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// wasm32 target, Trunk, the wasm-bindgen CLI matching Cargo.lock, and wasm-opt; puts `.tools` on PATH.
pub fn ensure_build_tools(root: &Path) -> anyhow::Result<()> {
    let installed =
        output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if !installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        step(
            "install wasm32 target",
            Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]),
        )?;
    }

    let trunk = output(Command::new("trunk").arg("--version")).unwrap_or_default();
    if !trunk.contains(TRUNK_VERSION) {
        step(
            "install trunk (takes several minutes once)",
            Command::new("cargo").args([
                "install",
                "trunk",
                "--version",
                TRUNK_VERSION,
                "--locked",
            ]),
        )?;
    }

    let wanted = locked_version(root, "wasm-bindgen")?;
    let bindgen = output(Command::new("wasm-bindgen").arg("--version")).unwrap_or_default();
    if !bindgen.split_whitespace().any(|w| w == wanted) {
        // No --locked: the CLI's own lock file names a crate version this registry does not serve.
        step(
            "install wasm-bindgen CLI",
            Command::new("cargo").args([
                "install",
                "wasm-bindgen-cli",
                "--version",
                &format!("={wanted}"),
            ]),
        )?;
    }

    let tools = tools_dir(root);
    let bin = tools.join("node_modules/.bin");
    let opt = output(Command::new(bin.join("wasm-opt")).arg("--version")).unwrap_or_default();
    if !opt.contains(&format!("version {BINARYEN_VERSION}")) {
        std::fs::create_dir_all(&tools)?;
        if !tools.join("package.json").exists() {
            std::fs::write(tools.join("package.json"), "{\"private\":true}\n")?;
        }
        step(
            "install wasm-opt (npm binaryen)",
            Command::new("npm").current_dir(&tools).args([
                "install",
                "--no-audit",
                "--no-fund",
                &format!("binaryen@{BINARYEN_VERSION}"),
            ]),
        )?;
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![bin];
    dirs.extend(std::env::split_paths(&path));
    let joined = std::env::join_paths(dirs).context("PATH")?;
    // SAFETY: xtask is single-threaded; nothing reads the environment concurrently.
    unsafe { std::env::set_var("PATH", joined) };
    Ok(())
}

/// Chromium and chromedriver (Debian's, via apt when root) and the browser tests' npm packages.
pub fn ensure_browser_tools(root: &Path) -> anyhow::Result<()> {
    if !Path::new(&chromium()).exists() {
        let root_user = output(Command::new("id").arg("-u")).is_some_and(|u| u.trim() == "0");
        if !root_user {
            bail!(
                "Chromium is missing: install Debian's `chromium` and `chromium-driver`, or set CHROMIUM"
            );
        }
        step("apt-get update", Command::new("apt-get").arg("update"))?;
        step(
            "install chromium",
            Command::new("apt-get")
                .env("DEBIAN_FRONTEND", "noninteractive")
                .args([
                    "install",
                    "-y",
                    "--no-install-recommends",
                    "chromium",
                    "chromium-driver",
                ]),
        )?;
    }
    let e2e = root.join("tests/e2e");
    let stamp = e2e.join("node_modules/.package-lock.json");
    let fresh = match (
        std::fs::metadata(&stamp),
        std::fs::metadata(e2e.join("package-lock.json")),
    ) {
        (Ok(installed), Ok(lock)) => installed.modified()? >= lock.modified()?,
        _ => false,
    };
    if !fresh {
        step(
            "install browser-test packages (npm ci)",
            Command::new("npm")
                .current_dir(&e2e)
                .args(["ci", "--no-audit", "--no-fund"]),
        )?;
    }
    Ok(())
}

/// The Chromium binary the tests drive.
pub fn chromium() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned())
}

/// The version of `package` recorded in Cargo.lock.
pub fn locked_version(root: &Path, package: &str) -> anyhow::Result<String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == format!("name = \"{package}\"")
            && let Some(version) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
        {
            return Ok(version.trim_matches('"').to_owned());
        }
    }
    bail!("{package} is not in Cargo.lock")
}
