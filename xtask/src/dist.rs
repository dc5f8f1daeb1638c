//! Build the worker module, the Trunk release build, and the single self-contained `dist/idlens.html`.
//!
//! The single file holds the wasm-bindgen glue, the viewer's wasm (gzip, base64, unpacked by the browser's
//! `DecompressionStream`) and the CSS. Its Content-Security-Policy allows no connection of any kind; the one inline
//! script is pinned by its SHA-256.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context as _;
use base64::Engine as _;
use sha2::Digest as _;

use crate::{cargo, step};

/// Compiler flags of the worker's core module (see [`build_worker`]).
pub const WORKER_RUSTFLAGS: &str = "-C target-feature=+simd128";

/// The WebAssembly features rustc emits by default for wasm32-unknown-unknown; wasm-opt must be told of them.
/// (index.html passes the same list to Trunk's wasm-opt call.)
pub const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-bulk-memory-opt",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// Where `cargo xtask worker` leaves the core's module for `web/build.rs`.
pub fn worker_path(root: &Path) -> PathBuf {
    root.join("target/idlens-worker/idlens_wasm.wasm")
}

/// Build the import-free core module for the worker (Cargo profile `worker`: optimised for speed, since it does the
/// ingest and scoring), then optimised again by wasm-opt when it is on PATH.
pub fn build_worker(root: &Path) -> anyhow::Result<PathBuf> {
    step(
        "build core worker module (wasm32)",
        cargo(root)
            .args([
                "build",
                "--profile",
                "worker",
                "--target",
                "wasm32-unknown-unknown",
                "-p",
                "idlens-wasm",
            ])
            // 128-bit vectors (wasm SIMD, in every browser since 2021): the core scans JSON strings sixteen bytes
            // at a time with them (`swar::string_stop`). Only the worker's module: these flags replace the
            // workspace's wasm32 flags, which only the viewer needs.
            .env("RUSTFLAGS", WORKER_RUSTFLAGS)
            .env_remove("CARGO_ENCODED_RUSTFLAGS"),
    )?;
    let built = root.join("target/wasm32-unknown-unknown/worker/idlens_wasm.wasm");
    let out = worker_path(root);
    std::fs::create_dir_all(out.parent().context("worker dir")?)?;
    // Cargo leaves the module untouched when nothing changed. Optimising it again would take a minute and rewrite
    // the output, which makes the viewer (it embeds the output) rebuild too.
    // The stamp says the output came from wasm-opt (not a plain copy made when wasm-opt was missing).
    let stamp = out.with_extension("wasm-opt");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if let (Some(made), Some(source)) = (modified(&out), modified(&built))
        && made > source
        && stamp.exists()
    {
        println!("worker module up to date: {}", out.display());
        return Ok(out);
    }
    let optimised = Command::new("wasm-opt")
        .arg(&built)
        .args(["-O3", "--strip-debug", "--strip-producers"])
        .args(WASM_FEATURES)
        .arg("--enable-simd")
        .arg("-o")
        .arg(&out)
        .status()
        .is_ok_and(|s| s.success());
    if optimised {
        std::fs::write(&stamp, "")?;
    } else {
        eprintln!("note: wasm-opt unavailable; embedding the worker module unoptimised");
        let _ = std::fs::remove_file(&stamp);
        std::fs::copy(&built, &out)?;
    }
    Ok(out)
}

/// Trunk release build, then inline everything into `dist/idlens.html`.
pub fn build(root: &Path) -> anyhow::Result<PathBuf> {
    step(
        "trunk build --release",
        Command::new("trunk")
            .current_dir(root)
            .args(["build", "--release", "--offline"]),
    )?;
    let trunk_dist = root.join("target/trunk-dist");
    let html = std::fs::read_to_string(trunk_dist.join("index.html"))
        .context("reading Trunk's index.html")?;
    let single = inline(&html, &trunk_dist)?;
    let dist = root.join("dist");
    std::fs::create_dir_all(&dist)?;
    let out = dist.join("idlens.html");
    std::fs::write(&out, single)?;
    println!(
        "wrote {} ({} bytes)",
        out.display(),
        std::fs::metadata(&out)?.len()
    );
    Ok(out)
}

/// The parts of Trunk's output the single file is made of.
struct TrunkOutput {
    glue_js: String,
    wasm: Vec<u8>,
    css: String,
}

fn find_between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let to = text[from..].find(end)? + from;
    Some(&text[from..to])
}

fn read_trunk_output(html: &str, dir: &Path) -> anyhow::Result<TrunkOutput> {
    // Trunk's loader imports the glue and passes the wasm path: `import init, * as bindings from './x.js';`
    // and `module_or_path: './x_bg.wasm'`.
    let glue_name = find_between(html, "from '", "'")
        .context("Trunk's loader script (glue import) not found")?;
    let wasm_name = find_between(html, "module_or_path: '", "'")
        .context("wasm path not found in Trunk's loader")?;
    let css_name = find_between(html, "rel=\"stylesheet\" href=\"", "\"")
        .context("stylesheet link not found")?;
    let file = |name: &str| dir.join(name.trim_start_matches("./").trim_start_matches('/'));
    Ok(TrunkOutput {
        glue_js: std::fs::read_to_string(file(glue_name)).context("reading the JS glue")?,
        wasm: std::fs::read(file(wasm_name)).context("reading the viewer wasm")?,
        css: std::fs::read_to_string(file(css_name)).context("reading the CSS")?,
    })
}

/// Build the single-file page from Trunk's index.html and its sibling files.
fn inline(html: &str, dir: &Path) -> anyhow::Result<String> {
    let parts = read_trunk_output(html, dir)?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&parts.wasm)?;
    let packed = base64::engine::general_purpose::STANDARD.encode(gz.finish()?);

    // The glue is an ES module; inline it as the body of one module script and start it from bytes.
    let glue = parts.glue_js.replace("import.meta.url", "document.baseURI");
    let script = format!(
        "{glue}\n\
         const packed = \"{packed}\";\n\
         const zipped = Uint8Array.from(atob(packed), (c) => c.charCodeAt(0));\n\
         const stream = new Blob([zipped]).stream().pipeThrough(new DecompressionStream(\"gzip\"));\n\
         const bytes = await new Response(stream).arrayBuffer();\n\
         initSync({{ module: bytes }});\n"
    );
    let hash =
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script.as_bytes()));
    let csp = format!(
        "default-src 'none'; script-src 'sha256-{hash}' 'wasm-unsafe-eval'; style-src 'unsafe-inline'; \
         img-src data:; font-src 'none'; connect-src 'none'; worker-src blob:; child-src blob:; \
         frame-src 'none'; object-src 'none'; media-src 'none'; manifest-src 'none'; base-uri 'none'; \
         form-action 'none'"
    );
    let title = find_between(html, "<title>", "</title>").unwrap_or("Idlens");
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n<title>{title}</title>\n\
         <style>\n{css}\n</style>\n</head>\n<body>\n\
         <noscript><p>Idlens runs in your browser with JavaScript and WebAssembly; nothing is sent anywhere. \
         Enable JavaScript for this file, or use the static report.</p></noscript>\n\
         <script type=\"module\">{script}</script>\n</body>\n</html>\n",
        css = parts.css,
    ))
}
