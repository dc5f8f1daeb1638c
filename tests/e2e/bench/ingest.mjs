// Ingest benchmark in headless Chromium: open the single-file viewer from file://, give its file input every file of
// a tenant folder, and read the worker's own figures from the page (`data-ingest-ms`: first byte to report, in the
// worker; `data-wasm-bytes`: the module's memory, i.e. its peak, since wasm memory never shrinks).
//
// Cold: a fresh page (the worker has only instantiated the module). Warm: the same files again in the same page
// (the worker reuses its module, already compiled by the optimising tier). Not a test: `cargo xtask bench` runs it
// with IDLENS_DIST (dist/idlens.html) and CHROMIUM set: it prints the figures as one JSON line, then as one
// `IDLENS_BENCH key=value …` line that xtask parses.
//
//   node tests/e2e/bench/ingest.mjs DIR [--warm N]
import fs from "node:fs";
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
      return { ms: Number(el.dataset.ingestMs), wasmBytes: Number(el.dataset.wasmBytes), raw: el.dataset.ingestMs };
    },
    previous,
    { timeout: 0, polling: 100 },
  );
  const result = await handle.jsonValue();
  if (result.error) throw new Error(`the viewer reported an error: ${result.error}`);
  result.pageMs = Date.now() - started;
  return result;
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
console.log(JSON.stringify(out));
// One key=value line for `cargo xtask bench` (no JSON parser there). Warm: the best later load.
const best = out.warm.reduce((b, r) => (b === null || r.ms < b.ms ? r : b), null);
const last = best ?? out.cold;
const fields = {
  cold_ms: out.cold?.ms ?? null,
  warm_ms: best?.ms ?? null,
  wasm_bytes: last?.wasmBytes ?? null,
  error: out.error ? out.error.replace(/\s+/g, "_") : null,
};
console.log("IDLENS_BENCH " + Object.entries(fields).map(([k, v]) => `${k}=${v}`).join(" "));
