// The viewer's ingest worker. It is started from a Blob URL (so it works from file://), receives the core's
// WebAssembly bytes once, then File objects, and streams each file into the core chunk by chunk: the page never
// holds a file's content, and never as one big string. It makes no request of any kind.
"use strict";

const CHUNK = 1 << 20;
const PROGRESS_EVERY = 8 << 20;
let wasmBytes = null;
let core = null;
let instantiating = null;

// One instance at a time: messages that arrive while the module compiles wait for the same instance (two
// instantiations racing would leave the later, empty one in place of the one that holds the snapshot).
function instantiate() {
  if (!instantiating) {
    instantiating = WebAssembly.instantiate(wasmBytes, {}).then(({ instance }) => {
      core = instance.exports;
    });
  }
  return instantiating;
}

function copyIn(bytes) {
  const ptr = core.idl_alloc(bytes.length) >>> 0;
  new Uint8Array(core.memory.buffer, ptr, bytes.length).set(bytes);
  return ptr;
}

let started = 0;
// Milliseconds of the current load spent waiting for the files' bytes (reported with the result, for the benchmarks).
let waited = 0;

// What the current snapshot was read from: the demo tenant or not, and the File handles (they stay here, never in
// the page). Adding files re-reads all of them with the new ones, since linking needs every file at once.
let current = { demo: false, files: [] };

async function ingest(files, demo) {
  started = performance.now();
  waited = 0;
  // Forgets the current snapshot; the policy and the baseline stay.
  core.idl_reset();
  if (demo) {
    // The demo tenant as the base (it brings its own as-of); the files are read on top of it.
    core.idl_demo();
  } else {
    // The core has no clock: the checks are evaluated as of now.
    core.idl_set_as_of(Date.now() / 1000);
  }
  await stream(files);
  current = { demo, files };
  postResult();
}

// Read a baseline (an earlier export) beside the current snapshot, which stays as it is.
async function ingestBaseline(files) {
  started = performance.now();
  core.idl_target(1);
  await stream(files);
  postBaseline();
}

function postBaseline() {
  const at = core.idl_result() >>> 0;
  const len = core.idl_result_len() >>> 0;
  const json = new TextDecoder().decode(new Uint8Array(core.memory.buffer, at, len).slice());
  self.postMessage({ type: "baseline", json });
}

// The files are read by a worker of this worker's own (`readerMain`), so that reading and ingesting overlap: a Blob
// stream reads ahead only as far as its small internal buffer while this thread is busy in the core, which left
// this thread waiting for bytes for about a fifth of a load. The reader fills whole CHUNKs from a pool of AHEAD (16)
// buffers and hands each over (transferred, not copied); this thread copies it into the core's memory and hands it
// back. Where a worker cannot start one of its own, or the machine has no core to spare for it (`wantReader`), the
// files are read here as before (`streamHere`).
function readerMain() {
  const CHUNK = 1 << 20;
  const AHEAD = 16;
  const free = [];
  let made = 0;
  let wake = null;
  // The pool is made on first use, a buffer at a time, up to AHEAD; then a buffer is reused when handed back.
  async function take() {
    if (free.length === 0 && made < AHEAD) {
      made += 1;
      return new Uint8Array(CHUNK);
    }
    while (free.length === 0) await new Promise((resolve) => (wake = resolve));
    return new Uint8Array(free.pop());
  }
  async function read(files) {
    for (let index = 0; index < files.length; index++) {
      const reader = files[index].stream().getReader();
      let buffer = await take();
      let filled = 0;
      for (;;) {
        const next = await reader.read();
        if (next.done) break;
        const value = next.value;
        for (let off = 0; off < value.length; ) {
          const n = Math.min(CHUNK - filled, value.length - off);
          buffer.set(value.subarray(off, off + n), filled);
          filled += n;
          off += n;
          if (filled === CHUNK) {
            self.postMessage({ type: "chunk", index, buffer: buffer.buffer, len: filled }, [buffer.buffer]);
            buffer = await take();
            filled = 0;
          }
        }
      }
      self.postMessage({ type: "chunk", index, buffer: buffer.buffer, len: filled, end: true }, [buffer.buffer]);
    }
  }
  self.onmessage = (event) => {
    const msg = event.data;
    if (msg.type === "buffer") {
      free.push(msg.buffer);
      if (wake) {
        const resolve = wake;
        wake = null;
        resolve();
      }
    } else if (msg.type === "read") {
      read(msg.files).catch((err) => self.postMessage({ type: "error", message: String((err && err.message) || err) }));
    }
  };
  self.postMessage({ type: "ready" });
}

// The reader worker, started on first use: a promise of { worker, next } or of null when it cannot run here.
let reading = null;
let readerFailed = false;

// A reader of its own needs a second core. On two cores it was first measured no faster (the reading moved to another
// thread and the core ran slower by as much, on a day the machine ran at half its speed); measured again on a
// quicker day, two runs each way, it took the 1M-assignment load from 6.1-6.9 s to 5.4-6.2 s (the core's wait for
// bytes from 0.9-1.0 s to under 0.1 s) and left the 100k load as it was. With one core the files are read here.
function wantReader() {
  return !readerFailed && (self.navigator?.hardwareConcurrency || 1) >= 2;
}

function startReader() {
  if (reading) return reading;
  reading = new Promise((resolve) => {
    let worker;
    const url = URL.createObjectURL(new Blob([`(${readerMain.toString()})()`], { type: "text/javascript" }));
    try {
      worker = new Worker(url);
    } catch {
      URL.revokeObjectURL(url);
      resolve(null);
      return;
    }
    const queue = [];
    let waiter = null;
    let broken = null;
    const deliver = (msg) => {
      if (waiter) {
        const w = waiter;
        waiter = null;
        w(msg);
      } else {
        queue.push(msg);
      }
    };
    const next = () =>
      new Promise((done) => {
        if (queue.length) done(queue.shift());
        else if (broken) done(broken);
        else waiter = done;
      });
    worker.onmessage = (event) => {
      if (event.data.type === "ready") {
        URL.revokeObjectURL(url);
        resolve({ worker, next });
      } else {
        deliver(event.data);
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      broken = { type: "error", message: `the file reader stopped: ${event.message || "unknown error"}` };
      // Before it said it was ready: read the files here instead, from now on.
      resolve(null);
      deliver(broken);
    };
  });
  return reading;
}

// After a failure the reader may be mid-file: start afresh next time.
function stopReader() {
  const was = reading;
  reading = null;
  if (was) was.then((r) => r && r.worker.terminate());
}

// Tell the core a file begins, under the name it was picked as (a folder's files with their relative path), and how
// large it is (so the core can make room for its records at once).
function beginFile(file) {
  const name = new TextEncoder().encode(file.webkitRelativePath || file.name);
  const namePtr = copyIn(name);
  core.idl_file_begin(namePtr, name.length);
  core.idl_free(namePtr, name.length);
  core.idl_file_size(file.size);
}

// Tell the page how far the reading of file `index` is.
function progress(files, index, done) {
  const file = files[index];
  self.postMessage({ type: "progress", index, count: files.length, name: file.name, done, total: file.size });
}

// Stream each file into the core chunk by chunk, to whichever snapshot is being read.
async function stream(files) {
  const reader = wantReader() ? await startReader() : null;
  if (!reader) {
    // A reader that could not start is not tried again.
    if (wantReader()) readerFailed = true;
    stopReader();
    return streamHere(files);
  }
  const ptr = core.idl_alloc(CHUNK) >>> 0;
  reader.worker.postMessage({ type: "read", files });
  for (let index = 0; index < files.length; index++) {
    beginFile(files[index]);
    let done = 0;
    let reported = 0;
    progress(files, index, done);
    for (;;) {
      const before = performance.now();
      const msg = await reader.next();
      waited += performance.now() - before;
      if (msg.type === "error") throw new Error(msg.message);
      if (msg.index !== index) throw new Error(`the file reader sent file ${msg.index} while ${index} was expected`);
      const len = msg.len;
      // The memory may have grown during the last call: take a fresh view each time.
      new Uint8Array(core.memory.buffer, ptr, len).set(new Uint8Array(msg.buffer, 0, len));
      reader.worker.postMessage({ type: "buffer", buffer: msg.buffer }, [msg.buffer]);
      if (len > 0) core.idl_file_push(ptr, len);
      done += len;
      if (msg.end) break;
      if (done - reported >= PROGRESS_EVERY) {
        reported = done;
        progress(files, index, done);
      }
    }
    core.idl_file_end();
    progress(files, index, done);
  }
  core.idl_free(ptr, CHUNK);
}

// The same, read on this thread: on a machine with no core to spare, or in a browser whose workers cannot start
// workers.
async function streamHere(files) {
  let ptr = core.idl_alloc(CHUNK) >>> 0;
  for (let index = 0; index < files.length; index++) {
    beginFile(files[index]);
    const reader = files[index].stream().getReader();
    let done = 0;
    let reported = 0;
    // The stream's pieces are gathered into whole CHUNKs before the core sees them: fewer calls, and fewer
    // records cut by a chunk's end (those take the core's slower, buffered path).
    let filled = 0;
    progress(files, index, done);
    for (;;) {
      const before = performance.now();
      const next = await reader.read();
      waited += performance.now() - before;
      if (next.done) break;
      const value = next.value;
      for (let off = 0; off < value.length; ) {
        const n = Math.min(CHUNK - filled, value.length - off);
        // The memory may have grown during the last call: take a fresh view each time.
        new Uint8Array(core.memory.buffer, ptr + filled, n).set(value.subarray(off, off + n));
        filled += n;
        off += n;
        if (filled === CHUNK) {
          core.idl_file_push(ptr, filled);
          filled = 0;
        }
      }
      done += value.length;
      if (done - reported >= PROGRESS_EVERY) {
        reported = done;
        progress(files, index, done);
      }
    }
    if (filled > 0) core.idl_file_push(ptr, filled);
    core.idl_file_end();
    progress(files, index, done);
  }
  core.idl_free(ptr, CHUNK);
}

// Hash each file for the report, chunk by chunk, under the name it was read as.
async function digest(files) {
  const ptr = core.idl_alloc(CHUNK) >>> 0;
  for (const file of files) {
    const name = new TextEncoder().encode(file.webkitRelativePath || file.name);
    const namePtr = copyIn(name);
    core.idl_digest_begin(namePtr, name.length);
    core.idl_free(namePtr, name.length);
    const reader = file.stream().getReader();
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      for (let off = 0; off < next.value.length; off += CHUNK) {
        const part = next.value.subarray(off, off + CHUNK);
        new Uint8Array(core.memory.buffer, ptr, part.length).set(part);
        core.idl_digest_push(ptr, part.length);
      }
    }
    core.idl_digest_end();
  }
  core.idl_free(ptr, CHUNK);
}

function postResult() {
  const at = core.idl_result() >>> 0;
  const len = core.idl_result_len() >>> 0;
  // Copy out before decoding: the view must not outlive the next call into the module.
  const json = new TextDecoder().decode(new Uint8Array(core.memory.buffer, at, len).slice());
  // Timing and the size of the module's memory (its peak: wasm memory never shrinks) are for the benchmarks.
  const elapsedMs = performance.now() - started;
  self.postMessage({ type: "result", json, elapsedMs, waitMs: waited, wasmMemoryBytes: core.memory.buffer.byteLength });
}

// Answer one question about the loaded snapshot (JSON in, JSON out); only what the page shows crosses over.
function answer(id, request) {
  const bytes = new TextEncoder().encode(request);
  const ptr = copyIn(bytes);
  const at = core.idl_query(ptr, bytes.length) >>> 0;
  const len = core.idl_answer_len() >>> 0;
  const json = new TextDecoder().decode(new Uint8Array(core.memory.buffer, at, len).slice());
  core.idl_free(ptr, bytes.length);
  self.postMessage({ type: "answer", id, json });
  // The dashboard is answered from the scores alone; once its actions are answered too, the evidence the other
  // pages show is added as a task of its own while the user reads the dashboard (a question that arrives first is
  // answered first; `idl_idle` does nothing when there is nothing left).
  setTimeout(idle, 0);
}

function idle() {
  if (!core) return;
  try {
    core.idl_idle();
  } catch (err) {
    self.postMessage({ type: "error", message: dropCore(err) });
  }
}

// A trap leaves the module in an unknown state: start afresh next time. Returns what the error said.
function dropCore(err) {
  core = null;
  stopReader();
  instantiating = null;
  current = { demo: false, files: [] };
  self.postMessage({ type: "baseline", json: "null" });
  return String((err && err.message) || err);
}

// Right after start, while the page waits for files, the module runs once over the demo tenant and forgets it: the
// engine optimises the functions that ran a lot, so the user's first load does not run on the engine's quick
// baseline code. It runs in steps (`idl_warm_up_step`: ingest, the report, each first question), each one a task of
// its own, so a request that arrives meanwhile waits for one step at most; from then on the warm-up is given up.
// When it is over the page is told how long it took ("warm"; the benchmarks read it).
let requested = false;
let warmStarted = 0;
// A failure is not swallowed: it reaches the page as any worker error does, so every browser test would show it.
function warmUp() {
  if (!core) return;
  if (requested) {
    core.idl_warm_up_end();
    return;
  }
  if (core.idl_warm_up_step()) {
    setTimeout(warmUp, 0);
  } else {
    self.postMessage({ type: "warm", ms: performance.now() - warmStarted });
  }
}

self.onmessage = async (event) => {
  const msg = event.data;
  if (msg.type !== "init") requested = true;
  try {
    if (msg.type === "init") {
      wasmBytes = msg.wasm;
      await instantiate();
      self.postMessage({ type: "ready" });
      // Start the file reader now, so that its start is not part of the first load.
      if (wantReader()) startReader();
      warmStarted = performance.now();
      setTimeout(warmUp, 0);
    } else if (msg.type === "files") {
      if (!core) await instantiate();
      if (msg.add) {
        await ingest(current.files.concat(Array.from(msg.files)), current.demo);
      } else {
        await ingest(Array.from(msg.files), false);
      }
    } else if (msg.type === "demo") {
      if (!core) await instantiate();
      self.postMessage({ type: "progress", index: 0, count: 1, name: "demo tenant", done: 0, total: 1 });
      started = performance.now();
      waited = 0;
      core.idl_demo();
      current = { demo: true, files: [] };
      postResult();
    } else if (msg.type === "baseline-files") {
      if (!core) await instantiate();
      await ingestBaseline(Array.from(msg.files));
    } else if (msg.type === "baseline-demo") {
      if (!core) await instantiate();
      self.postMessage({ type: "progress", index: 0, count: 1, name: "demo tenant, one month earlier", done: 0, total: 1 });
      core.idl_demo_baseline();
      postBaseline();
    } else if (msg.type === "baseline-clear") {
      if (core) core.idl_clear_baseline();
      self.postMessage({ type: "baseline", json: "null" });
    } else if (msg.type === "query") {
      if (!core) {
        self.postMessage({ type: "answer", id: msg.id, json: JSON.stringify({ kind: "error", message: "nothing has been loaded yet" }) });
        return;
      }
      // A report lists each input's SHA-256: hash the files (re-read from their handles) the first time one is asked.
      if (JSON.parse(msg.request).kind === "export" && core.idl_needs_digests()) await digest(current.files);
      answer(msg.id, msg.request);
    }
  } catch (err) {
    const message = dropCore(err);
    if (msg.type === "query") {
      self.postMessage({ type: "answer", id: msg.id, json: JSON.stringify({ kind: "error", message: `The core stopped: ${message}. Load the files again.` }) });
    } else {
      self.postMessage({ type: "error", message });
    }
  }
};
