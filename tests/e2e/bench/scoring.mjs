// Benchmark (not a test): the check catalog and scoring in wasm, against the ingest in wasm, on one tenant folder.
// Runs the viewer's worker module directly in Node (same V8 engine as Chromium): stream every JSON file of DIR in
// 1 MiB chunks, take the report (ingest + link), then ask the first question, which evaluates the catalog and
// scores every identity. Prints `IDLENS_SCORING ingest_ms=… evaluate_ms=…` for `cargo xtask bench`.
//
// usage: IDLENS_WORKER_WASM=… node bench/scoring.mjs DIR [AS_OF_UNIX]
import fs from "node:fs";
import path from "node:path";

const dir = process.argv[2];
const asOf = Number(process.argv[3] ?? 1793491200);
const { instance } = await WebAssembly.instantiate(fs.readFileSync(process.env.IDLENS_WORKER_WASM), {});
const core = instance.exports;
const CHUNK = 1 << 20;

function put(bytes) {
  const ptr = core.idl_alloc(bytes.length) >>> 0;
  new Uint8Array(core.memory.buffer, ptr, bytes.length).set(bytes);
  return ptr;
}

const files = fs.readdirSync(dir).filter((n) => n.endsWith(".json")).sort();
const started = performance.now();
const chunk = core.idl_alloc(CHUNK) >>> 0;
for (const name of files) {
  const label = new TextEncoder().encode(name);
  const np = put(label);
  core.idl_file_begin(np, label.length);
  core.idl_free(np, label.length);
  const fd = fs.openSync(path.join(dir, name), "r");
  core.idl_file_size(fs.fstatSync(fd).size);
  const buf = Buffer.alloc(CHUNK);
  for (;;) {
    const n = fs.readSync(fd, buf, 0, CHUNK, null);
    if (n === 0) break;
    new Uint8Array(core.memory.buffer, chunk, n).set(buf.subarray(0, n));
    core.idl_file_push(chunk, n);
  }
  fs.closeSync(fd);
  core.idl_file_end();
}
core.idl_result();
const ingested = performance.now();
core.idl_set_as_of(asOf);
const request = new TextEncoder().encode(JSON.stringify({ kind: "identities", limit: 1 }));
const rp = put(request);
core.idl_query(rp, request.length);
const evaluated = performance.now();
const answer = JSON.parse(
  new TextDecoder().decode(new Uint8Array(core.memory.buffer, core.idl_query(rp, request.length) >>> 0, core.idl_answer_len() >>> 0).slice()),
);
if (answer.kind !== "identities") throw new Error(`unexpected answer: ${JSON.stringify(answer).slice(0, 200)}`);
console.log(
  `IDLENS_SCORING ingest_ms=${(ingested - started).toFixed(1)} evaluate_ms=${(evaluated - ingested).toFixed(1)} identities=${answer.total}`,
);
