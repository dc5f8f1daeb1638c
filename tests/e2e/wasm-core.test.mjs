// The core compiled to wasm32 (the module the viewer's worker runs) gives the same answers as the native core, on
// every sample export, whatever the chunk sizes. No browser needed: Node runs the import-free module directly.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { env, repo, samples, nativeSummary, tempDir } from "./harness.mjs";

function sampleFiles() {
  const out = [];
  for (const dir of fs.readdirSync(samples).sort()) {
    const full = path.join(samples, dir);
    if (!fs.statSync(full).isDirectory()) continue;
    for (const name of fs.readdirSync(full).sort()) {
      if (!name.endsWith(".md")) out.push(path.join(full, name));
    }
  }
  return out;
}

async function core() {
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(env("IDLENS_WORKER_WASM")), {});
  return instance.exports;
}

/** Ask the module one view question (JSON in, JSON out), as the worker's `answer` does. */
function asker(exports) {
  return (request) => {
    const bytes = new TextEncoder().encode(JSON.stringify(request));
    const ptr = exports.idl_alloc(bytes.length) >>> 0;
    new Uint8Array(exports.memory.buffer, ptr, bytes.length).set(bytes);
    const at = exports.idl_query(ptr, bytes.length) >>> 0;
    const len = exports.idl_answer_len() >>> 0;
    const answer = JSON.parse(new TextDecoder().decode(new Uint8Array(exports.memory.buffer, at, len).slice()));
    exports.idl_free(ptr, bytes.length);
    return answer;
  };
}

/** Feed files through the exact protocol the worker uses, in chunks whose sizes follow `sizes`; `announce(size)`
 * gives the size the file is said to have (none when it returns undefined). */
function run(exports, files, sizes, announce = () => undefined) {
  exports.idl_reset();
  const put = (bytes) => {
    const ptr = exports.idl_alloc(bytes.length) >>> 0;
    new Uint8Array(exports.memory.buffer, ptr, bytes.length).set(bytes);
    return ptr;
  };
  let turn = 0;
  for (const file of files) {
    const name = new TextEncoder().encode(file);
    const np = put(name);
    exports.idl_file_begin(np, name.length);
    exports.idl_free(np, name.length);
    const bytes = fs.readFileSync(file);
    const said = announce(bytes.length);
    if (said !== undefined) exports.idl_file_size(said);
    for (let off = 0; off < bytes.length; ) {
      const len = Math.min(sizes[turn++ % sizes.length], bytes.length - off);
      const ptr = put(bytes.subarray(off, off + len));
      exports.idl_file_push(ptr, len);
      exports.idl_free(ptr, len);
      off += len;
    }
    exports.idl_file_end();
  }
  const at = exports.idl_result() >>> 0;
  const len = exports.idl_result_len() >>> 0;
  return JSON.parse(new TextDecoder().decode(new Uint8Array(exports.memory.buffer, at, len).slice()));
}

test("the worker module imports nothing", async () => {
  const module = await WebAssembly.compile(fs.readFileSync(env("IDLENS_WORKER_WASM")));
  assert.deepEqual(WebAssembly.Module.imports(module), []);
});

test("the module's heap takes memory from the engine in 4 MiB steps, not page by page", async () => {
  // Each memory.grow costs V8 a new ArrayBuffer; growing a page at a time made a large tenant's first evaluation
  // several times slower than natively (crates/idlens-wasm/src/heap.rs).
  const STEP = 4 << 20;
  const exports = await core();
  const before = exports.memory.buffer.byteLength;
  exports.idl_reset();
  exports.idl_demo();
  exports.idl_result();
  const ask = asker(exports);
  assert.equal(ask({ kind: "dashboard" }).kind, "dashboard");
  const demo = exports.memory.buffer.byteLength;
  assert.ok(demo > before, "the demo tenant needs more memory than the module starts with");
  assert.equal((demo - before) % STEP, 0, `grown by ${demo - before} bytes`);
  // One allocation larger than a step.
  const big = 10 << 20;
  const ptr = exports.idl_alloc(big) >>> 0;
  new Uint8Array(exports.memory.buffer, ptr, big).fill(1);
  exports.idl_free(ptr, big);
  const after = exports.memory.buffer.byteLength;
  assert.ok(after - before >= big, `grown by ${after - before} bytes in all`);
  assert.equal((after - before) % STEP, 0, `grown by ${after - before} bytes`);
});

test("wasm and native agree on every sample export, in any chunking", async () => {
  const files = sampleFiles();
  assert.ok(files.length > 20, `found ${files.length} sample files`);
  const native = nativeSummary(files);
  const exports = await core();
  for (const sizes of [[1 << 20], [1], [7, 3, 64], [4096, 13]]) {
    const wasm = run(exports, files, sizes);
    assert.deepEqual(wasm.summary, native, `chunk sizes ${sizes}`);
    for (const report of wasm.reports) {
      assert.equal(report.records, report.ingested + report.merged + report.set_aside.length, `balanced: ${report.path}`);
    }
  }
});

test("strings are read sixteen bytes at a time as byte by byte: quotes, escapes, brackets and control bytes at every offset", async () => {
  // The worker's module scans JSON strings and records with 128-bit vectors (swar::string_stop, frame.rs
  // next_structural); the native core, which the unit tests hold to serde, does not. Each trap sits at every
  // offset from 0 to 39 of a string, so every position in a vector and the steps around its end are covered:
  // an escaped quote (the record is kept), an escaped letter that makes two ids equal (merged), a raw control
  // byte (set aside), brackets inside strings and nested objects at shifting alignments (framing), and line breaks
  // inside records (the set-aside records' line numbers).
  const dir = tempDir("wasm-simd-strings");
  const guid = (n) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
  const sub = "/subscriptions/11111111-1111-4111-8111-111111111111";
  const assignment = (n, id, name) =>
    `  {\n    "id": "${sub}/providers/Microsoft.Authorization/roleAssignments/${id}",\n` +
    `    "principalId": "${guid(n)}",\n    "principalName": "${name}",\n    "principalType": "ServicePrincipal",\n` +
    `    "roleDefinitionId": "${sub}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7",\n` +
    `    "roleDefinitionName": "Reader",\n    "scope": "${sub}"\n  }`;
  const records = [];
  for (let k = 0; k < 40; k++) {
    const pad = "p".repeat(k);
    records.push(assignment(1000 + k, `q${pad}`, `${pad}\\"quoted\\" {[name]}`));
    records.push(assignment(2000 + k, `e${pad}b`, `plain${pad}`));
    records.push(assignment(3000 + k, `e${pad}\\u0062`, `escaped${pad}`));
    records.push(assignment(4000 + k, `c${pad}`, `${pad}\u0001control`));
  }
  const ra = path.join(dir, "role-assignments.json");
  fs.writeFileSync(ra, `[\n${records.join(",\n")}\n]\n`);
  const identities = [];
  for (let k = 0; k < 40; k++) {
    const pad = " ".repeat(k % 17);
    // Line breaks inside the record at shifting offsets: a record read in one pass counts them sixteen bytes at a
    // time (swar::count_exact), and the set-aside records after it carry the line numbers that follow.
    const breaks = "\n".repeat(k % 4);
    const id = `${sub}/resourceGroups/rg-${"r".repeat(k)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-${k}`;
    identities.push(
      `{${pad}"id": "${id}", "name": "id-${k}{]", "principalId": "${guid(5000 + k)}", "clientId": "${guid(6000 + k)}",` +
        `${breaks}${pad}"tags": {"note": "${"n".repeat(k)}}}{[\\"]"},${breaks} "extra": {"a": [1, {"b": "${"x".repeat(k)}"}, []]},` +
        ` "type": "Microsoft.ManagedIdentity/userAssignedIdentities"}`,
    );
    identities.push(
      `{"id": "${id.replace("id-", "i\\u0064-")}", "name": "dup-${k}", "principalId": "${guid(5000 + k)}",` +
        ` "type": "Microsoft.ManagedIdentity/userAssignedIdentities"}`,
    );
    identities.push(`{"id": "${id}-c", "name": "${"c".repeat(k)}\u0002", "type": "Microsoft.ManagedIdentity/userAssignedIdentities"}`);
  }
  const ids = path.join(dir, "identities.json");
  fs.writeFileSync(ids, `[\n${identities.join(",\n")}\n]\n`);
  const native = nativeSummary([ra, ids]);
  const byPath = Object.fromEntries(native.files.map((f) => [path.basename(f.path), f]));
  // What the byte-by-byte reading finds, so that agreeing with it means something.
  assert.deepEqual(
    [byPath["role-assignments.json"].records, byPath["role-assignments.json"].merged, byPath["role-assignments.json"].set_aside],
    [160, 40, 40],
  );
  assert.deepEqual(
    [byPath["identities.json"].records, byPath["identities.json"].merged, byPath["identities.json"].set_aside],
    [120, 40, 40],
  );
  const exports = await core();
  // One-byte chunks frame every record, counting line breaks as the framer does: the positions of the set-aside
  // records must be the same when records are read in one pass.
  const framed = run(exports, [ra, ids], [1]).reports.map((r) => r.set_aside);
  assert.ok(framed[1].some((s) => s.line > 40), JSON.stringify(framed[1].slice(-1)));
  for (const sizes of [[1 << 20], [7, 3, 64], [16], [33, 1]]) {
    const wasm = run(exports, [ra, ids], sizes);
    assert.deepEqual(wasm.summary, native, `chunk sizes ${sizes}`);
    assert.deepEqual(wasm.reports.map((r) => r.set_aside), framed, `set-aside positions, chunk sizes ${sizes}`);
  }
});

test("a file's size said beforehand, right or wrong, changes nothing that is read", async () => {
  // The size is a hint for making room (idl_file_size); the snapshot must not depend on it.
  const files = sampleFiles();
  const native = nativeSummary(files);
  const exports = await core();
  const sayings = {
    right: (n) => n,
    "far too small": () => 1,
    "far too large": (n) => n * 1000 + 1e9,
    zero: () => 0,
    "not a size": () => -1,
  };
  for (const [what, announce] of Object.entries(sayings)) {
    for (const sizes of [[1 << 20], [7, 3, 64]]) {
      const wasm = run(exports, files, sizes, announce);
      assert.deepEqual(wasm.summary, native, `${what}, chunk sizes ${sizes}`);
    }
  }
});

test("the demo tenant generated inside the module equals the checked-in demo/tenant files", async () => {
  const exports = await core();
  exports.idl_reset();
  exports.idl_demo();
  const at = exports.idl_result() >>> 0;
  const len = exports.idl_result_len() >>> 0;
  const wasm = JSON.parse(new TextDecoder().decode(new Uint8Array(exports.memory.buffer, at, len).slice()));
  const dir = path.join(repo, "demo/tenant");
  const files = fs.readdirSync(dir).filter((n) => n.endsWith(".json")).sort().map((n) => path.join(dir, n));
  const native = nativeSummary(files);
  const strip = (s) => ({ ...s, files: s.files.map((f) => ({ ...f, path: path.basename(f.path) })) });
  const sortFiles = (s) => ({ ...s, files: [...s.files].sort((a, b) => a.path.localeCompare(b.path)) });
  assert.deepEqual(sortFiles(strip(wasm.summary)), sortFiles(strip(native)));
});

test("a baseline is read beside the current snapshot and compared as the native diff does", async () => {
  const exports = await core();
  for (const name of ["idl_target", "idl_demo_baseline", "idl_clear_baseline"]) {
    assert.equal(typeof exports[name], "function", `${name} is exported`);
  }
  const result = () => {
    const at = exports.idl_result() >>> 0;
    const len = exports.idl_result_len() >>> 0;
    return JSON.parse(new TextDecoder().decode(new Uint8Array(exports.memory.buffer, at, len).slice()));
  };
  const query = asker(exports);
  exports.idl_reset();
  exports.idl_demo();
  const now = result();
  exports.idl_demo_baseline();
  const then = result();
  assert.ok(then.summary.identities.total < now.summary.identities.total);
  // The current snapshot is untouched by reading the baseline.
  assert.equal(query({ kind: "identities", limit: 1 }).total, now.summary.identities.total);
  const compare = query({ kind: "compare" }).compare;
  assert.ok(compare, "a comparison once a baseline is loaded");
  assert.equal(compare.identities_before, then.summary.identities.total);
  // A reload of the current snapshot (idl_reset, as the worker does) keeps the baseline.
  exports.idl_reset();
  exports.idl_demo();
  result();
  const again = query({ kind: "compare" }).compare;
  assert.equal(again.identities_added.total, compare.identities_added.total);
  assert.equal(again.grants_removed.total, compare.grants_removed.total);
  exports.idl_clear_baseline();
  assert.equal(query({ kind: "compare" }).compare, null);
  const module = await WebAssembly.compile(fs.readFileSync(env("IDLENS_WORKER_WASM")));
  assert.deepEqual(WebAssembly.Module.imports(module), [], "still no imports");
});

test("warming the module up changes nothing that is loaded, and a warmed-up module reads files as a fresh one", async () => {
  const exports = await core();
  assert.equal(typeof exports.idl_warm_up, "function", "idl_warm_up is exported");
  const query = asker(exports);
  // Before anything is loaded, a warm-up leaves nothing loaded behind it.
  exports.idl_warm_up();
  assert.match(JSON.stringify(query({ kind: "dashboard" })), /nothing has been loaded yet/);
  // Files read after it give the same report as on a module that never warmed up.
  const files = sampleFiles();
  const warmed = run(exports, files, [1 << 20]);
  const fresh = run(await core(), files, [1 << 20]);
  assert.deepEqual(warmed, fresh);
  // With a snapshot loaded, a warm-up leaves it and its answers as they were.
  exports.idl_reset();
  exports.idl_demo();
  exports.idl_result();
  const dashboard = query({ kind: "dashboard" });
  const table = query({ kind: "identities", limit: 3 });
  assert.ok(table.total > 0);
  exports.idl_warm_up();
  assert.deepEqual(query({ kind: "dashboard" }), dashboard);
  assert.deepEqual(query({ kind: "identities", limit: 3 }), table);
});

test("the dashboard is answered before the evidence, which the idle step adds; a page with evidence does not wait for it", async () => {
  const exports = await core();
  const query = asker(exports);
  exports.idl_demo();
  exports.idl_result();
  assert.equal(exports.idl_idle(), 0, "nothing to do before a question");
  const dashboard = query({ kind: "dashboard" });
  assert.equal(exports.idl_idle(), 0, "the dashboard's actions come before the evidence");
  const actions = query({ kind: "dashboard-actions", limit: 5 });
  assert.equal(exports.idl_idle(), 1, "the evidence is added when idle");
  assert.equal(exports.idl_idle(), 0, "and only once");
  const findings = query({ kind: "findings", limit: 5 });
  const items = findings.groups.flatMap((g) => g.findings);
  assert.ok(items.length > 0 && items.every((f) => f.evidence > 0 && f.source), JSON.stringify(findings).slice(0, 300));
  // The same answers as a module that was asked for the evidence first.
  const other = await core();
  const ask = asker(other);
  other.idl_demo();
  other.idl_result();
  assert.deepEqual(ask({ kind: "findings", limit: 5 }), findings);
  assert.equal(other.idl_idle(), 0, "the findings page evaluated with evidence");
  assert.deepEqual(ask({ kind: "dashboard" }), dashboard);
  assert.deepEqual(ask({ kind: "dashboard-actions", limit: 5 }), actions);
});

test("the warm-up in steps: five steps, each leaving what is loaded as it was, and one given up midway", async () => {
  const exports = await core();
  const query = asker(exports);
  exports.idl_demo();
  exports.idl_result();
  const dashboard = query({ kind: "dashboard" });
  const table = query({ kind: "identities", limit: 3 });
  // Ingest, the report, and the page's three first questions; the last step says it was the last.
  const said = [];
  for (let i = 0; i < 5; i++) {
    said.push(exports.idl_warm_up_step());
    // The worker answers a request between two steps: the loaded snapshot answers as before.
    assert.deepEqual(query({ kind: "identities", limit: 3 }), table);
  }
  assert.deepEqual(said, [1, 1, 1, 1, 0]);
  assert.deepEqual(query({ kind: "dashboard" }), dashboard);
  // A warm-up begun again, given up after its ingest, then begun afresh: it runs its five steps again.
  assert.equal(exports.idl_warm_up_step(), 1);
  exports.idl_warm_up_end();
  const again = [];
  for (let more = 1; more; ) {
    more = exports.idl_warm_up_step();
    again.push(more);
  }
  assert.deepEqual(again, [1, 1, 1, 1, 0]);
  assert.deepEqual(query({ kind: "dashboard" }), dashboard);
  // On a module with nothing loaded, a full stepped warm-up leaves nothing loaded.
  const empty = await core();
  while (empty.idl_warm_up_step());
  assert.match(JSON.stringify(asker(empty)({ kind: "dashboard" })), /nothing has been loaded yet/);
});
