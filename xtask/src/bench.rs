//! `cargo xtask bench`: measure, print figures and ratios, and write them to BENCHMARKS.md with machine and date.
//!
//! Sections: `## Sizes` (the wasm, the JS glue, the single file) and `## Ingest` (synthetic tenants of 100k and 1M
//! role assignments, read by the native CLI and by the viewer's worker in headless Chromium, cold and warm, with
//! peak memory), `## Scoring` (checks and scores against ingest time). `--sizes-only` skips the ingest and scoring;
//! `--scoring-only` measures only the scoring; `--viewer-only` only the viewer (drop → dashboard, long tasks, table);
//! `--no-1m` measures only the 100k tenant.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context as _, bail};

use crate::{dist, tools};

pub fn run(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let with_1m = !args.iter().any(|a| a == "--no-1m");
    if args.iter().any(|a| a == "--viewer-only") {
        let file = dist::build(root)?;
        return viewer(root, &file, with_1m);
    }
    if args.iter().any(|a| a == "--scoring-only") {
        dist::build_worker(root)?;
        return scoring(root, with_1m);
    }
    let file = sizes(root)?;
    if args.iter().any(|a| a == "--sizes-only") {
        return Ok(());
    }
    if args.iter().any(|a| a == "--ingest-only") {
        return ingest(root, &file, with_1m);
    }
    ingest(root, &file, with_1m)?;
    scoring(root, with_1m)?;
    viewer(root, &file, with_1m)
}

/// The tenant of the viewer's 1M target: 1M role assignments over 100k identities (issue #5).
const VIEWER_1M: Tenant = Tenant {
    label: "1M-100k-ids",
    assignments: 1_000_000,
    identities: 100_000,
};

/// First loads per tenant in the viewer benchmark, each on a fresh page; the median is reported.
const VIEWER_RUNS: u32 = 3;

/// `## Viewer`: drop → report and drop → dashboard, main-thread long tasks, and the identities table's sort, scroll
/// and filter, in headless Chromium (`tests/e2e/bench/viewer.mjs`).
fn viewer(root: &Path, dist_file: &Path, with_1m: bool) -> anyhow::Result<()> {
    let idlens = crate::build_cli(root)?;
    let mut table = format!(
        "The single file from `file://` in headless Chromium (`tests/e2e/bench/viewer.mjs`), opened on a fresh page. \
         *ready* = when the worker's warm-up was over, counted from the start of the page's load (in brackets: the warm-up \
         itself, which runs the demo tenant through a first load so that the engine optimises that code). Half a second \
         after it, as a user would open the viewer and then pick or drag the files, the tenant's files are set on the \
         file input; *report* = until the reconciliation shows (in brackets: the worker's own time from its first byte \
         to the report, and how much of it the worker waited for the files' bytes); *dashboard* = until the dashboard (opened right after) shows its score and six charts (ingest \
         + first evaluation + the dashboard question). Both are the median of {runs} first loads, each on a fresh page, \
         with the fastest and slowest in brackets. Long tasks = main-thread tasks over 50 ms (PerformanceObserver) \
         from the drop to the report, and from the report to the dashboard, the most of any run; table = sorting by \
         risk (first and second click), scrolling to the middle, typing a search word, each started and timed inside \
         the page, from the event to the next animation frame after the first row changed. *sort (driver)* = the same \
         sort clicked and watched from the test driver (Playwright), as earlier runs of this table measured every \
         interaction: it adds the driver's own round trips to the browser (the click's actionability checks, polling \
         for the change), which are not the viewer's time.\n\n\
         | tenant | identities | ready (warm-up) | drop → report (worker; waiting for bytes) [fastest–slowest] | drop → dashboard [fastest–slowest] | long tasks during ingest (longest) | long tasks report → dashboard (longest) | sort | sort again | scroll | filter | sort (driver) | load (1 min) |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n",
        runs = VIEWER_RUNS,
    );
    let tenants: Vec<&Tenant> = TENANTS
        .iter()
        .filter(|t| t.assignments < 1_000_000)
        .chain(with_1m.then_some(&VIEWER_1M))
        .collect();
    for tenant in tenants {
        let dir = ensure_tenant(root, &idlens, tenant)?;
        println!("\n== viewer, {}", tenant.label);
        let out = Command::new("node")
            .current_dir(root.join("tests/e2e"))
            .env("IDLENS_DIST", dist_file)
            .env("CHROMIUM", tools::chromium())
            .env("IDLENS_VIEWER_RUNS", VIEWER_RUNS.to_string())
            .arg("bench/viewer.mjs")
            .arg(&dir)
            .stderr(Stdio::inherit())
            .output()
            .context("starting node for the viewer benchmark")?;
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text
            .lines()
            .find_map(|l| l.strip_prefix("IDLENS_VIEWER "))
            .unwrap_or_default();
        let num = |name: &str| {
            line.split_whitespace()
                .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
                .and_then(|v| v.parse::<f64>().ok())
        };
        let (Some(report), Some(dashboard)) = (num("reportMs"), num("dashboardMs")) else {
            let row = format!("| {} | not measured: {} |\n", tenant.label, text.trim());
            print!("{row}");
            table.push_str(&row);
            continue;
        };
        let ms = |name: &str| num(name).map_or("–".to_owned(), |v| format!("{v:.0} ms"));
        let row = format!(
            "| {} | {} | {:.2} s ({:.2} s) | {:.2} s ({:.2} s; {:.2} s) [{:.2}–{:.2}] | {:.2} s [{:.2}–{:.2}] | {} ({:.0} ms) | {} ({:.0} ms) | {} | {} | {} | {} | {} | {} |\n",
            tenant.label,
            num("identities").unwrap_or(0.0),
            num("readyMs").unwrap_or(0.0) / 1000.0,
            num("warmMs").unwrap_or(0.0) / 1000.0,
            report / 1000.0,
            num("workerIngestMs").unwrap_or(0.0) / 1000.0,
            num("workerWaitMs").unwrap_or(0.0) / 1000.0,
            num("reportMinMs").unwrap_or(report) / 1000.0,
            num("reportMaxMs").unwrap_or(report) / 1000.0,
            dashboard / 1000.0,
            num("dashboardMinMs").unwrap_or(dashboard) / 1000.0,
            num("dashboardMaxMs").unwrap_or(dashboard) / 1000.0,
            num("longTasksIngest").unwrap_or(0.0),
            num("longestIngestMs").unwrap_or(0.0),
            num("longTasksDashboard").unwrap_or(0.0),
            num("longestDashboardMs").unwrap_or(0.0),
            ms("sortMs"),
            ms("sortAgainMs"),
            ms("scrollMs"),
            ms("filterMs"),
            ms("sortDriverMs"),
            loadavg(),
        );
        print!("{row}");
        table.push_str(&row);
    }
    table.push_str(
        "\nTargets (issue #5): drop → dashboard ≤ 0.75 s at 100k role assignments, ≤ 5 s (stretch 3 s) at 1M with 100k \
         identities; no main-thread task over 50 ms during ingest; sort, filter and scroll ≤ 100 ms at 100k identities.\n",
    );
    write_section(root, "Viewer", &table)
}

/// `## Scoring`: the check catalog, scores, posture and plan against the ingest they follow (target: under 20%).
/// Native: the phases `idlens findings --timings` reports, against `idlens summary` on the same folder. Wasm: the worker module in
/// Node (`tests/e2e/bench/scoring.mjs`): the first question after the report, which evaluates everything.
fn scoring(root: &Path, with_1m: bool) -> anyhow::Result<()> {
    let idlens = crate::build_cli(root)?;
    let wasm = dist::worker_path(root);
    let mut table = String::from(
        "Scoring = evaluating the 35-check catalog, per-identity risk and posture. Native ingest: best of 2 wall \
         times of `idlens summary --format json DIR` (as in `## Ingest`). Native scoring, plan and output: the phases of \
         `idlens findings --as-of 2026-11-01 --format json -o /dev/null --timings DIR` as the process times them, best \
         of 2: scoring = `checks::evaluate`; plan = the remediation plan (re-scores every affected identity); output = \
         rendering and writing the findings JSON. Wasm: the worker module run by Node 20 \
         (`tests/e2e/bench/scoring.mjs`): ingest = streaming the files in + the report, scoring = the first question. \
         It is one run of a fresh module, so much of it runs on the engine's quick baseline tier rather than on \
         optimised code (compare the cold and warm *core in V8* columns of `## Ingest`): read the wasm columns for \
         their ratio, not their absolute times.\n\n\
         | tenant | native ingest | native scoring | native scoring / ingest | native plan | native JSON output | wasm ingest | wasm scoring | wasm scoring / ingest | load (1 min) |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n",
    );
    for tenant in TENANTS
        .iter()
        .filter(|t| with_1m || t.assignments < 1_000_000)
    {
        let dir = ensure_tenant(root, &idlens, tenant)?;
        println!("\n== scoring, {}", tenant.label);
        let best = |args: &[&str]| -> anyhow::Result<f64> {
            let mut best = f64::MAX;
            for _ in 0..2 {
                let started = Instant::now();
                let status = Command::new(&idlens)
                    .args(args)
                    .arg(&dir)
                    .stdout(Stdio::null())
                    .status()
                    .context("running idlens")?;
                // `findings` exits 0 whatever it finds; anything else is a failure of the run.
                if !status.success() {
                    bail!("idlens {args:?} failed ({status})");
                }
                best = best.min(started.elapsed().as_secs_f64());
            }
            Ok(best)
        };
        let summary_s = best(&["summary", "--format", "json"])?;
        // The phases of `idlens findings` as the process itself times them (best of 2 per phase).
        let mut phases = [f64::MAX; 3];
        for _ in 0..2 {
            let out = Command::new(&idlens)
                .args([
                    "findings",
                    "--as-of",
                    "2026-11-01",
                    "--format",
                    "json",
                    "-o",
                    "/dev/null",
                    "--timings",
                ])
                .arg(&dir)
                .stdout(Stdio::null())
                .output()
                .context("running idlens findings")?;
            if !out.status.success() {
                bail!("idlens findings failed ({})", out.status);
            }
            let text = String::from_utf8_lossy(&out.stderr);
            let line = text
                .lines()
                .find_map(|l| l.strip_prefix("IDLENS_TIMINGS "))
                .context("idlens findings --timings printed no IDLENS_TIMINGS line")?;
            for (slot, name) in phases
                .iter_mut()
                .zip(["evaluate_ms", "plan_ms", "output_ms"])
            {
                let v = line
                    .split_whitespace()
                    .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
                    .and_then(|v| v.parse::<f64>().ok())
                    .with_context(|| format!("no {name} in {line:?}"))?;
                *slot = slot.min(v / 1000.0);
            }
        }
        let [native_scoring, native_plan, native_output] = phases;
        let out = Command::new("node")
            .current_dir(root.join("tests/e2e"))
            .env("IDLENS_WORKER_WASM", &wasm)
            .arg("bench/scoring.mjs")
            .arg(&dir)
            .stderr(Stdio::inherit())
            .output()
            .context("starting node for the wasm scoring benchmark")?;
        let text = String::from_utf8_lossy(&out.stdout);
        let figure = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix("IDLENS_SCORING "))
                .and_then(|l| {
                    l.split_whitespace()
                        .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
                })
                .and_then(|v| v.parse::<f64>().ok())
        };
        let (wasm_ingest, wasm_scoring) = match (figure("ingest_ms"), figure("evaluate_ms")) {
            (Some(i), Some(e)) => (format!("{:.2} s", i / 1000.0), Some((i, e))),
            _ => (format!("not measured: {}", text.trim()), None),
        };
        let row = format!(
            "| {} | {summary_s:.2} s | {native_scoring:.2} s | {:.0}% | {native_plan:.2} s | {native_output:.2} s | {wasm_ingest} | {} | {} | {} |\n",
            tenant.label,
            100.0 * native_scoring / summary_s,
            wasm_scoring.map_or("–".into(), |(_, e)| format!("{:.2} s", e / 1000.0)),
            wasm_scoring.map_or("–".into(), |(i, e)| format!("{:.0}%", 100.0 * e / i)),
            loadavg(),
        );
        print!("{row}");
        table.push_str(&row);
    }
    table.push_str("\nTarget (issue #4): scoring under 20% of ingest time.\n");
    write_section(root, "Scoring", &table)
}

fn sizes(root: &Path) -> anyhow::Result<PathBuf> {
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
    write_section(root, "Sizes", &table)?;
    Ok(file)
}

/// A synthetic tenant in the az layout, generated once into `target/bench-data/` and reused while its options hold.
struct Tenant {
    label: &'static str,
    assignments: u64,
    identities: u64,
}

/// The two sizes (#3); identities grow with the tenant (one per hundred assignments).
const TENANTS: [Tenant; 2] = [
    Tenant {
        label: "100k",
        assignments: 100_000,
        identities: 1_000,
    },
    Tenant {
        label: "1M",
        assignments: 1_000_000,
        identities: 10_000,
    },
];
const SEED: u64 = 7;

/// One tenant's figures.
struct Figures {
    label: &'static str,
    bytes: u64,
    native_s: f64,
    native_rss: Option<u64>,
    /// The browser's figures, or why there are none.
    browser: Option<Browser>,
    browser_note: Option<String>,
    load: String,
}

fn mb_s(bytes: u64, seconds: f64) -> f64 {
    bytes as f64 / 1e6 / seconds
}

/// A table cell: seconds, or a dash when not measured.
fn secs(s: Option<f64>) -> String {
    s.map_or("–".into(), |s| format!("{s:.2} s"))
}

/// A table cell: MB/s for `bytes` in `s` seconds, or a dash when not measured.
fn rate(bytes: u64, s: Option<f64>) -> String {
    s.map_or("–".into(), |s| format!("{:.0}", mb_s(bytes, s)))
}

fn ingest(root: &Path, dist_file: &Path, with_1m: bool) -> anyhow::Result<()> {
    tools::ensure_browser_tools(root)?;
    let idlens = crate::build_cli(root)?;
    let mut all = Vec::new();
    for tenant in TENANTS
        .iter()
        .filter(|t| with_1m || t.assignments < 1_000_000)
    {
        let dir = ensure_tenant(root, &idlens, tenant)?;
        let bytes = json_bytes(&dir)?;
        let runs = if tenant.assignments >= 1_000_000 {
            2
        } else {
            3
        };
        let load_before = loadavg();
        println!("\n== native ingest, {} ({bytes} bytes)", tenant.label);
        let mut native_s = f64::MAX;
        let mut native_rss = None;
        for _ in 0..runs {
            let (seconds, rss) = native_run(&idlens, &dir)?;
            println!(
                "   {seconds:.3} s, peak RSS {}",
                rss.map_or("?".into(), |r| r.to_string())
            );
            native_s = native_s.min(seconds);
            native_rss = native_rss.max(rss);
        }
        println!("== browser ingest, {}", tenant.label);
        let warm_runs = if tenant.assignments >= 1_000_000 {
            1
        } else {
            2
        };
        let browser = browser_run(root, dist_file, &dir, warm_runs);
        let (browser, browser_note) = match browser {
            Ok(b) => (Some(b), None),
            Err(err) => {
                println!("   not measured: {err:#}");
                (None, Some(format!("{err:#}")))
            }
        };
        all.push(Figures {
            label: tenant.label,
            bytes,
            native_s,
            native_rss,
            browser,
            browser_note,
            load: format!("{load_before} → {}", loadavg()),
        });
    }
    let body = ingest_report(&all);
    print!("\n{body}");
    write_section(root, "Ingest", &body)
}

/// Generate the tenant unless the folder already holds it with the same options (same options, same bytes).
fn ensure_tenant(root: &Path, idlens: &Path, t: &Tenant) -> anyhow::Result<PathBuf> {
    let data = root.join("target/bench-data");
    let dir = data.join(format!("az-{}", t.label.to_ascii_lowercase()));
    // The stamp sits beside the folder, not in it: the CLI reads every file of the folder.
    let stamp = data.join(format!("az-{}.options", t.label.to_ascii_lowercase()));
    let options = format!(
        "--seed {SEED} --identities {} --assignments {}\n",
        t.identities, t.assignments
    );
    if dir.is_dir() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(options.as_str()) {
        return Ok(dir);
    }
    std::fs::create_dir_all(&data)?;
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&stamp);
    crate::step(
        &format!("generate the {} tenant", t.label),
        Command::new(idlens)
            .arg("generate")
            .arg("--out")
            .arg(&dir)
            .args(options.split_whitespace()),
    )?;
    std::fs::write(&stamp, options)?;
    Ok(dir)
}

/// Total size of the tenant's JSON files (what both the CLI and the browser read).
fn json_bytes(dir: &Path) -> anyhow::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.path().extension().is_some_and(|e| e == "json") {
            total += entry.metadata()?.len();
        }
    }
    Ok(total)
}

/// One `idlens summary --format json DIR`: wall seconds and peak RSS in bytes (from `/usr/bin/time` when present,
/// else the highest `VmHWM` seen while polling `/proc`).
fn native_run(idlens: &Path, dir: &Path) -> anyhow::Result<(f64, Option<u64>)> {
    let gnu_time = Path::new("/usr/bin/time").exists();
    let mut cmd = if gnu_time {
        let mut c = Command::new("/usr/bin/time");
        c.args(["-f", "IDLENS_PEAK_RSS_KB=%M"]).arg(idlens);
        c
    } else {
        Command::new(idlens)
    };
    cmd.args(["summary", "--format", "json"])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().context("starting idlens summary")?;
    let status_file = format!("/proc/{}/status", child.id());
    let mut polled: Option<u64> = None;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if !gnu_time {
            let hwm = std::fs::read_to_string(&status_file).ok().and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|kb| kb.parse::<u64>().ok())
            });
            polled = polled.max(hwm.map(|kb| kb * 1024));
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    };
    let seconds = started.elapsed().as_secs_f64();
    let mut stderr = String::new();
    if let Some(mut err) = child.stderr.take() {
        use std::io::Read as _;
        err.read_to_string(&mut stderr)?;
    }
    if !status.success() {
        bail!("idlens summary failed ({status}): {stderr}");
    }
    let rss = stderr
        .lines()
        .find_map(|l| l.strip_prefix("IDLENS_PEAK_RSS_KB="))
        .and_then(|kb| kb.trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .or(polled);
    Ok((seconds, rss))
}

struct Browser {
    cold_s: f64,
    warm_s: Option<f64>,
    wasm_bytes: u64,
    /// Chromium reading the files alone (no core), best run.
    read_s: Option<f64>,
    /// The core module alone in Node's V8, first run and best later run.
    core_cold_s: Option<f64>,
    core_warm_s: Option<f64>,
    /// Of the viewer's cold and best warm load, the time its worker waited for the files' bytes.
    cold_wait_s: Option<f64>,
    warm_wait_s: Option<f64>,
}

/// Run `tests/e2e/bench/ingest.mjs` (cold, then `warm_runs` warm loads in the same page) and read its figures.
fn browser_run(
    root: &Path,
    dist_file: &Path,
    dir: &Path,
    warm_runs: u32,
) -> anyhow::Result<Browser> {
    let out = Command::new("node")
        .current_dir(root.join("tests/e2e"))
        .env("IDLENS_DIST", dist_file)
        .env("CHROMIUM", tools::chromium())
        .env("IDLENS_WORKER_WASM", dist::worker_path(root))
        .arg("bench/ingest.mjs")
        .arg(dir)
        .args(["--warm", &warm_runs.to_string()])
        .stderr(Stdio::inherit())
        .output()
        .context("starting node for the browser benchmark")?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("IDLENS_BENCH "))
        .with_context(|| format!("no figures from the browser benchmark: {text}"))?;
    let field = |name: &str| {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .filter(|v| !v.is_empty() && *v != "null")
    };
    if let Some(err) = field("error") {
        bail!("{}", err.replace('_', " "));
    }
    let num = |name: &str| field(name).and_then(|v| v.parse::<f64>().ok());
    let cold_ms = num("cold_ms").context("no cold figure")?;
    Ok(Browser {
        cold_s: cold_ms / 1000.0,
        warm_s: num("warm_ms").map(|ms| ms / 1000.0),
        wasm_bytes: num("wasm_bytes").unwrap_or(0.0) as u64,
        read_s: num("read_ms").map(|ms| ms / 1000.0),
        core_cold_s: num("core_cold_ms").map(|ms| ms / 1000.0),
        core_warm_s: num("core_warm_ms").map(|ms| ms / 1000.0),
        cold_wait_s: num("cold_wait_ms").map(|ms| ms / 1000.0),
        warm_wait_s: num("warm_wait_ms").map(|ms| ms / 1000.0),
    })
}

fn ingest_report(all: &[Figures]) -> String {
    let mut out = String::from(
        "Synthetic tenants from `idlens generate --seed 7` (az layout: 8 JSON files; identities = assignments / 100), \
         in `target/bench-data/`. Throughput is input bytes / seconds (MB = 10^6 bytes). Native: wall time of \
         `idlens summary --format json DIR` (native profile: start, read, ingest, link, print), best run; peak RSS of \
         that process. Browser: `tests/e2e/bench/ingest.mjs`, the single file from `file://` in headless Chromium, \
         the files given to its file input; the worker's own time from first byte to report (`data-ingest-ms`); cold \
         is a fresh page, warm the best later load in the same page; memory is the wasm module's memory after the \
         loads, i.e. its peak (wasm memory never shrinks; the module's heap takes it 4 MiB at a time).\n\n",
    );
    out.push_str(
        "| tenant | input | native | native MB/s | native peak RSS | wasm cold | cold MB/s | wasm warm | warm MB/s | \
         wasm/native (warm) | wasm memory | load avg (1, 5, 15 min) before → after |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n",
    );
    for f in all {
        let mem = |b: Option<u64>| {
            b.map_or("–".into(), |b| {
                format!(
                    "{:.0} MB ({:.2}x)",
                    b as f64 / 1e6,
                    b as f64 / f.bytes as f64
                )
            })
        };
        let b = f.browser.as_ref();
        let ratio = b
            .and_then(|b| b.warm_s)
            .map_or("–".into(), |w| format!("{:.2}", f.native_s / w));
        out.push_str(&format!(
            "| {} | {:.0} MB | {:.2} s | {:.0} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            f.label,
            f.bytes as f64 / 1e6,
            f.native_s,
            mb_s(f.bytes, f.native_s),
            mem(f.native_rss),
            secs(b.map(|b| b.cold_s)),
            rate(f.bytes, b.map(|b| b.cold_s)),
            secs(b.and_then(|b| b.warm_s)),
            rate(f.bytes, b.and_then(|b| b.warm_s)),
            ratio,
            mem(b.map(|b| b.wasm_bytes)),
            f.load,
        ));
    }
    out.push_str(&breakdown(all));
    out.push_str(
        "\nTargets (issue #3): wasm ≥ 850 MB/s warm and ≥ 500 MB/s cold; wasm/native ≥ 0.85; peak ≤ 0.5x input and \
         never above 2 GiB; the 1.16 GB-class file loads in the browser.\n\n",
    );
    for f in all {
        let b = f.browser.as_ref();
        let (cold_s, warm_s) = (b.map(|b| b.cold_s), b.and_then(|b| b.warm_s));
        let mut notes = Vec::new();
        if let Some(w) = warm_s {
            notes.push(format!(
                "warm {:.2}x of the 850 MB/s target",
                mb_s(f.bytes, w) / 850.0
            ));
        }
        if let Some(c) = cold_s {
            notes.push(format!("cold {:.2}x of 500 MB/s", mb_s(f.bytes, c) / 500.0));
        }
        if let Some(w) = warm_s {
            notes.push(format!("wasm/native {:.2} (target 0.85)", f.native_s / w));
        }
        let peak = f.native_rss.max(b.map(|b| b.wasm_bytes));
        if let Some(p) = peak {
            notes.push(format!(
                "worst peak {:.2}x input (target 0.5x), {:.2} GiB (limit 2 GiB)",
                p as f64 / f.bytes as f64,
                p as f64 / (1u64 << 30) as f64
            ));
        }
        match &f.browser_note {
            Some(why) => notes.push(format!("browser not measured: {why}")),
            None => notes.push("loads in the browser: yes".into()),
        }
        out.push_str(&format!("- {}: {}.\n", f.label, notes.join("; ")));
    }
    out
}

/// The two halves of a browser load, timed apart by `ingest.mjs`: Chromium reading the files with no core, and the
/// core module alone in Node's V8 from bytes in memory (its ratio to native is the wasm code's own cost).
fn breakdown(all: &[Figures]) -> String {
    let mut out = String::from(
        "\nWhere the browser's time goes. *Read only*: a worker on a blank page reads the same files as the viewer's \
         worker does (a Blob stream, copied into 1 MiB pieces), no core, best run. *Core in V8*: Node runs the worker's \
         module itself on the files already in memory, pushed in 1 MiB chunks (first run of a fresh module, best later \
         run). In the viewer both happen during the worker's load: a worker of its own reads the files ahead while the \
         ingest worker runs the core, so its time lies between the larger of the two and their sum (their sum on a \
         machine with no spare core). *Waiting for bytes*: of the viewer's cold and best warm load, the time its ingest \
         worker had nothing to ingest (`data-wait-ms`).\n\n\
         | tenant | read only | read MB/s | core in V8 cold | core in V8 warm | warm MB/s | core wasm/native (warm) | waiting for bytes (cold, warm) |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for f in all {
        let b = f.browser.as_ref();
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {}, {} |\n",
            f.label,
            secs(b.and_then(|b| b.read_s)),
            rate(f.bytes, b.and_then(|b| b.read_s)),
            secs(b.and_then(|b| b.core_cold_s)),
            secs(b.and_then(|b| b.core_warm_s)),
            rate(f.bytes, b.and_then(|b| b.core_warm_s)),
            b.and_then(|b| b.core_warm_s)
                .map_or("–".into(), |w| format!("{:.2}", f.native_s / w)),
            secs(b.and_then(|b| b.cold_wait_s)),
            secs(b.and_then(|b| b.warm_wait_s)),
        ));
    }
    out
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "?".into())
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
