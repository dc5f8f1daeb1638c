//! Embed the core's worker module (built by `cargo xtask worker` into `target/idlens-worker/`) into the viewer.
//!
//! When it has not been built (a plain `cargo check` or `clippy`), an empty module is embedded and the viewer says
//! how to build it, so the crate still compiles everywhere.

// A build script runs natively at build time; the wasm32 ban list (xtask/clippy-wasm) is for code in the page.
#![allow(clippy::disallowed_methods)]

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let built = std::env::var_os("IDLENS_WORKER_WASM")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../target/idlens-worker/idlens_wasm.wasm"));
    println!("cargo::rerun-if-changed={}", built.display());
    println!("cargo::rerun-if-env-changed=IDLENS_WORKER_WASM");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo")).join("worker.wasm");
    let bytes = std::fs::read(&built).unwrap_or_default();
    if bytes.is_empty() {
        println!(
            "cargo::warning=worker module not found at {}; run `cargo xtask worker` first",
            built.display()
        );
    }
    std::fs::write(&out, bytes).expect("write OUT_DIR/worker.wasm");
}
