// Ingest benchmark in headless Chromium: open the single-file viewer from file://, give its file input every file of
// a tenant folder, and read the worker's own figures from the page (`data-ingest-ms`: first byte to report, in the
// worker; `data-wasm-bytes`: the module's memory, i.e. its peak, since wasm memory never shrinks).
//
// Cold: a fresh page (the worker has only instantiated the module). Warm: the same files again in the same page
// (the worker reuses its module, already compiled by the optimising tier). Not a test: `cargo xtask bench` runs it
// with IDLENS_DIST (dist/idlens.html) and CHROMIUM set: it prints the figures as one JSON line, then as one
// `IDLENS_BENCH key=value …` line that xtask parses.
//
// It also times, apart, the two halves of a browser load: Chromium reading the files with no core, and the core
// module alone in Node's V8 (with IDLENS_WORKER_WASM), from bytes in memory.
//
//   node tests/e2e/bench/ingest.mjs DIR [--warm N]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { launch, distFile } from "../harness.mjs";

const args = process.argv.slice(2);
const dir = args[0];
if (!dir) {
  console.error("usage: node tests/e2e/bench/ingest.mjs DIR [--warm N]");
  process.exit(2);
}
const warmAt = args.indexOf("--warm");
const warmRuns = warmAt >= 0 ? Number(args[warmAt + 1]) : 2;
const files = fs
  .readdirSync(dir)
  .filter((n) => n.endsWith(".json"))
  .sort()
  .map((n) => path.join(dir, n));
const bytes = files.reduce((sum, f) => sum + fs.statSync(f).size, 0);

/** Set the files, wait for a timing different from `previous`, return the worker's figures. */
async function load(page, previous) {
  const started = Date.now();
  await page.setInputFiles("[data-testid=file-input]", files);
  const handle = await page.waitForFunction(
    (prev) => {
      const el = document.querySelector("[data-testid=timing]");
      const err = document.querySelector("[data-testid=error]");
      if (err) return { error: err.textContent };
      if (!el || el.dataset.ingestMs === prev) return null;
      return { ms: Number(el.dataset.ingestMs), waitMs: Number(el.dataset.waitMs), wasmBytes: Number(el.dataset.wasmBytes), raw: el.dataset.ingestMs };
    },
    previous,
    { timeout: 0, polling: 100 },
  );
  const result = await handle.jsonValue();
  if (result.error) throw new Error(`the viewer reported an error: ${result.error}`);
  result.pageMs = Date.now() - started;
  return result;
}

// Where the browser's time goes. (1) Chromium's own reading of the files, no core: a worker on a blank page reads
// each file as the viewer's file reader does (a Blob stream, gathered into 1 MiB pieces copied into one buffer).
// (2) The core alone in V8 (Node runs the same import-free module the worker runs), from bytes already in memory:
// what the wasm costs without the browser's file reading.
const READER = `
const CHUNK = 1 << 20;
const buffer = new Uint8Array(CHUNK);
onmessage = async (e) => {
  const started = performance.now();
  let bytes = 0;
  for (const file of e.data) {
    const reader = file.stream().getReader();
    let filled = 0;
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      for (let off = 0; off < next.value.length; ) {
        const n = Math.min(CHUNK - filled, next.value.length - off);
        buffer.set(next.value.subarray(off, off + n), filled);
        filled = (filled + n) % CHUNK;
        off += n;
      }
      bytes += next.value.length;
    }
  }
  postMessage({ ms: performance.now() - started, bytes });
};`;

async function readOnly(runs) {
  const dirTmp = fs.mkdtempSync(path.join(os.tmpdir(), "idlens-read-"));
  const html = path.join(dirTmp, "read.html");
  fs.writeFileSync(
    html,
    `<!doctype html><input type="file" multiple><script>
const worker = new Worker(URL.createObjectURL(new Blob([${JSON.stringify(READER)}], { type: "text/javascript" })));
window.readAll = () => new Promise((done) => {
  worker.onmessage = (e) => done(e.data);
  worker.postMessage([...document.querySelector("input").files]);
});
</script>`,
  );
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(html).href, { waitUntil: "load" });
    await page.setInputFiles("input", files);
    const times = [];
    for (let i = 0; i < runs; i++) {
      const got = await page.evaluate(() => window.readAll());
      if (got.bytes !== bytes) throw new Error(`read ${got.bytes} bytes of ${bytes}`);
      times.push(got.ms);
    }
    return Math.min(...times);
  } finally {
    await browser.close();
    fs.rmSync(dirTmp, { recursive: true, force: true });
  }
}

/** The core module alone in Node: one fresh instance per run, files pushed in 1 MiB chunks as the worker does. */
function coreOnly(wasmPath, runs) {
  const contents = files.map((f) => [f, fs.readFileSync(f)]);
  const module = new WebAssembly.Module(fs.readFileSync(wasmPath));
  const times = [];
  for (let r = 0; r < runs; r++) {
    const core = new WebAssembly.Instance(module, {}).exports;
    const started = performance.now();
    core.idl_reset();
    const chunk = core.idl_alloc(1 << 20) >>> 0;
    for (const [name, content] of contents) {
      const encoded = new TextEncoder().encode(path.basename(name));
      const at = core.idl_alloc(encoded.length) >>> 0;
      new Uint8Array(core.memory.buffer, at, encoded.length).set(encoded);
      core.idl_file_begin(at, encoded.length);
      core.idl_free(at, encoded.length);
      core.idl_file_size(content.length);
      for (let off = 0; off < content.length; off += 1 << 20) {
        const piece = content.subarray(off, off + (1 << 20));
        new Uint8Array(core.memory.buffer, chunk, piece.length).set(piece);
        core.idl_file_push(chunk, piece.length);
      }
      core.idl_file_end();
    }
    core.idl_result();
    times.push(performance.now() - started);
  }
  // The first run of a new module runs largely on V8's baseline tier, like the viewer's cold load.
  return { cold: times[0], warm: times.length > 1 ? Math.min(...times.slice(1)) : null };
}

const browser = await launch();
const out = { dir, files: files.length, bytes, cold: null, warm: [] };
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  page.on("crash", () => problems.push("the page crashed"));
  await page.goto(pathToFileURL(distFile()).href, { waitUntil: "load" });
  await page.waitForSelector("[data-testid=file-input]");
  // Let the worker start and instantiate the module, as it does for a user before the first drop.
  await page.waitForTimeout(500);
  out.cold = await load(page, null);
  let previous = out.cold.raw;
  for (let i = 0; i < warmRuns; i++) {
    // Clear the input first so that picking the same files again is a change.
    await page.setInputFiles("[data-testid=file-input]", []);
    const run = await load(page, previous);
    previous = run.raw;
    out.warm.push(run);
  }
  if (problems.length) out.problems = problems;
  await context.close();
} catch (err) {
  out.error = String((err && err.message) || err);
} finally {
  await browser.close();
}
// The breakdown runs after the viewer, so it cannot slow the viewer's figures down.
const runs = warmRuns + 1;
try {
  out.read_ms = await readOnly(runs);
} catch (err) {
  out.read_error = String((err && err.message) || err);
}
if (process.env.IDLENS_WORKER_WASM) {
  try {
    out.core = coreOnly(process.env.IDLENS_WORKER_WASM, runs);
  } catch (err) {
    out.core_error = String((err && err.message) || err);
  }
}
console.log(JSON.stringify(out));
// One key=value line for `cargo xtask bench` (no JSON parser there). Warm: the best later load.
const best = out.warm.reduce((b, r) => (b === null || r.ms < b.ms ? r : b), null);
const last = best ?? out.cold;
const fields = {
  cold_ms: out.cold?.ms ?? null,
  warm_ms: best?.ms ?? null,
  cold_wait_ms: out.cold?.waitMs ?? null,
  warm_wait_ms: best?.waitMs ?? null,
  wasm_bytes: last?.wasmBytes ?? null,
  read_ms: out.read_ms ?? null,
  core_cold_ms: out.core?.cold ?? null,
  core_warm_ms: out.core?.warm ?? null,
  error: out.error ? out.error.replace(/\s+/g, "_") : null,
};
console.log("IDLENS_BENCH " + Object.entries(fields).map(([k, v]) => `${k}=${v}`).join(" "));
