//! `cargo xtask bench`: measure, print figures and ratios, and write them to BENCHMARKS.md with machine and date.

use std::io::Write as _;
use std::path::Path;
use std::process::Command;

use crate::dist;

pub fn run(root: &Path, _args: &[String]) -> anyhow::Result<()> {
    let file = dist::build(root)?;
    let trunk_dist = root.join("target/trunk-dist");
    let mut viewer_wasm = 0u64;
    let mut glue_js = 0u64;
    let mut viewer_gz = 0u64;
    for entry in std::fs::read_dir(&trunk_dist)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = std::fs::read(&path)?;
        if name.ends_with("_bg.wasm") {
            viewer_wasm = bytes.len() as u64;
            viewer_gz += gzip_len(&bytes)?;
        } else if name.ends_with(".js") {
            glue_js = bytes.len() as u64;
            viewer_gz += gzip_len(&bytes)?;
        }
    }
    let worker = std::fs::read(dist::worker_path(root))?;
    let single = std::fs::read(&file)?;
    let rows = [
        ("viewer wasm (raw)", viewer_wasm),
        ("JS glue (raw)", glue_js),
        ("viewer wasm + JS (gzip)", viewer_gz),
        (
            "core worker module, embedded in the viewer wasm (raw)",
            worker.len() as u64,
        ),
        ("core worker module (gzip)", gzip_len(&worker)?),
        ("dist/idlens.html single file", single.len() as u64),
        ("dist/idlens.html (gzip)", gzip_len(&single)?),
    ];
    let mut table = String::from("| artifact | bytes | KiB |\n|---|---:|---:|\n");
    for (name, bytes) in rows {
        println!(
            "{name:<56} {bytes:>10} B  {:>8.1} KiB",
            bytes as f64 / 1024.0
        );
        table.push_str(&format!(
            "| {name} | {bytes} | {:.1} |\n",
            bytes as f64 / 1024.0
        ));
    }
    let budget = 250.0 * 1024.0;
    let ratio = viewer_gz as f64 / budget;
    println!("viewer wasm + JS gzip vs the 250 KB budget: {:.2}x", ratio);
    table.push_str(&format!(
        "\nViewer wasm + JS (gzip) against the 250 KB budget: {ratio:.2}x.\n"
    ));
    write_section(root, "Sizes", &table)
}

fn gzip_len(bytes: &[u8]) -> anyhow::Result<u64> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes)?;
    Ok(gz.finish()?.len() as u64)
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map(|kb| format!("{:.0} GiB", kb as f64 / 1024.0 / 1024.0))
        .unwrap_or_default();
    format!("{cpu}, {cores} cores, {mem}")
}

fn today() -> String {
    Command::new("date")
        .arg("+%Y-%m-%d")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// Replace (or append) the `## {title}` section of BENCHMARKS.md.
pub fn write_section(root: &Path, title: &str, body: &str) -> anyhow::Result<()> {
    let path = root.join("BENCHMARKS.md");
    let old = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        "# Benchmarks\n\nWritten by `cargo xtask bench`; every section says where and when it was measured.\n".into()
    });
    let section = format!(
        "## {title}\n\nMachine: {}. Date: {}. Command: `cargo xtask bench`.\n\n{body}",
        machine(),
        today()
    );
    let marker = format!("## {title}\n");
    let new = match old.find(&marker) {
        Some(start) => {
            let end = old[start + marker.len()..]
                .find("\n## ")
                .map_or(old.len(), |e| start + marker.len() + e + 1);
            format!("{}{section}\n{}", &old[..start], &old[end..])
        }
        None => format!("{}\n{section}", old.trim_end().to_owned() + "\n"),
    };
    std::fs::write(&path, new)?;
    println!("updated {}", path.display());
    Ok(())
}
