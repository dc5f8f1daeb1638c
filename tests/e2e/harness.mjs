// Shared plumbing for the browser tests: launch Debian's Chromium through playwright-core, serve dist/ on loopback,
// watch every request and console message, and save a screenshot when a test fails.
//
// Run through `cargo xtask test`, which sets IDLENS_DIST (the single-file viewer), IDLENS_CLI (the native CLI, to
// compare against), IDLENS_WORKER_WASM (the core's worker module) and CHROMIUM.
import { chromium } from "playwright-core";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { execFileSync } from "node:child_process";

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, "../..");
export const samples = path.resolve(repo, "../shared/samples");
export const artifacts = path.join(here, "artifacts");

export function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests through \`cargo xtask test\``);
  return value;
}

export const distFile = () => env("IDLENS_DIST");

// The flags this machine needs: no sandbox as root, and none of Chromium's own background connections.
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-default-apps",
  "--disable-extensions",
  "--metrics-recording-only",
];

export async function launch() {
  return chromium.launch({ executablePath: env("CHROMIUM"), headless: true, args: FLAGS });
}

/** Serve the folder holding the single-file viewer on 127.0.0.1 (`/` is idlens.html), as `cargo xtask demo` does. */
export async function serveDist() {
  const dir = path.dirname(distFile());
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url, "http://x").pathname).replace(/^\/+/, "") || "idlens.html";
    if (name.includes("/") || name.startsWith(".")) {
      res.writeHead(404).end();
      return;
    }
    fs.readFile(path.join(dir, name), (err, body) => {
      if (err) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": name.endsWith(".html") ? "text/html; charset=utf-8" : "application/octet-stream" });
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  // Never keep the test process alive for the server's sake.
  server.unref();
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(r);
      }),
  };
}

/** The two ways the viewer is opened: served from loopback, and the single file from file://. */
export const MODES = ["served", "file"];

/**
 * Open the viewer in a new page and watch it. Returns helpers; `finish()` asserts that no request left the page
 * (only the document itself, and the worker's blob: script, are allowed), that no CSP violation and no page error
 * happened, and closes the server.
 */
export async function openViewer(browser, mode, hash = "", contextOptions = {}) {
  const server = mode === "served" ? await serveDist() : null;
  const url = (server ? server.url : pathToFileURL(distFile()).href) + hash;
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  const requests = [];
  const problems = [];
  context.on("request", (r) => requests.push(r.url()));
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    const text = m.text();
    if (m.type() === "error" || /Content.Security.Policy|Refused to/i.test(text)) problems.push(`console ${m.type()}: ${text}`);
  });
  page.on("crash", () => problems.push("the page crashed"));
  await page.goto(url, { waitUntil: "load" });
  await page.waitForSelector("header.top h1");
  const base = url.replace(/#.*$/, "");
  let finished = false;
  return {
    page,
    url,
    requests,
    problems,
    /** Requests other than the document itself and blob: workers. */
    egress: () => requests.filter((u) => u.replace(/#.*$/, "") !== base && !u.startsWith("blob:") && !u.startsWith("data:")),
    async finish() {
      if (finished) return;
      finished = true;
      await context.close();
      if (server) await server.close();
    },
  };
}

/** Run `body` and keep a screenshot of the page under tests/e2e/artifacts/ when it throws. */
export async function withScreenshot(view, name, body) {
  try {
    await body();
  } catch (err) {
    fs.mkdirSync(artifacts, { recursive: true });
    const file = path.join(artifacts, `${name.replace(/[^a-z0-9-]+/gi, "_")}.png`);
    await view.page.screenshot({ path: file, fullPage: true }).catch(() => {});
    err.message += `\n(screenshot: ${file})`;
    // Close the page and its loopback server now: a server left open keeps `node --test` from ever exiting.
    await view.finish?.().catch(() => {});
    throw err;
  }
}

/** The native CLI's findings document for the demo tenant, at the demo's own day (what the viewer shows for it). */
export function demoFindings() {
  const out = execFileSync(
    env("IDLENS_CLI"),
    ["findings", path.join(repo, "demo/tenant"), "--as-of", "2026-11-01", "--format", "json"],
    { encoding: "utf8", maxBuffer: 256 << 20 },
  );
  return JSON.parse(out);
}

/** The value of evidence field `name` in a finding of the CLI's findings document. */
export const evidenceField = (finding, name) =>
  finding.evidence.flatMap((e) => e.fields).find((f) => f.name === name)?.value;

const AXE = fs.readFileSync(path.join(here, "node_modules/axe-core/axe.min.js"), "utf8");

/**
 * Serious and critical axe-core violations on the page as it is now, as `rule (impact): target, target` lines. The
 * page's context must bypass the CSP (`{ bypassCSP: true }`), only so that the checker itself can be injected.
 */
export async function seriousViolations(page) {
  await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
  });
}

/** What the native CLI says of these inputs (`idlens summary --format json`). */
export function nativeSummary(inputs) {
  let out;
  try {
    out = execFileSync(env("IDLENS_CLI"), ["summary", "--format", "json", ...inputs], { encoding: "utf8" });
  } catch (err) {
    // Exit code 2 (nothing usable) still prints the summary.
    out = err.stdout;
  }
  return JSON.parse(out);
}

export function tempDir(name) {
  const dir = path.join(artifacts, "tmp", name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Names an attacker could put into an export: markup, script, CSV formulas, layout breakers. */
export const HOSTILE = [
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(2)>',
  '=HYPERLINK("http://evil.example/","x")',
  "</td></tr></table><h1>broken</h1>",
];

/** Write a small `az identity list` + `az role assignment list` export whose names, tags and descriptions are
 * {@link HOSTILE}; returns the folder. */
export function hostileFixture(dir) {
  const sub = "11111111-2222-4333-8444-555555555555";
  const identities = HOSTILE.map((name, i) => ({
    clientId: `bbbbbbbb-0000-4000-8000-00000000000${i}`,
    id: `/subscriptions/${sub}/resourceGroups/rg-${i}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x${i}`,
    location: "westeurope",
    name,
    principalId: `aaaaaaaa-0000-4000-8000-00000000000${i}`,
    resourceGroup: `rg-${i}`,
    tags: { owner: name, env: "prod", note: "@SUM(1+1)*cmd|' /C calc'!A0" },
    tenantId: "99999999-8888-4777-8666-555555555555",
    type: "Microsoft.ManagedIdentity/userAssignedIdentities",
  }));
  const assignments = HOSTILE.map((name, i) => ({
    id: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleAssignments/cccccccc-0000-4000-8000-00000000000${i}`,
    name: `cccccccc-0000-4000-8000-00000000000${i}`,
    principalId: `aaaaaaaa-0000-4000-8000-00000000000${i}`,
    principalName: name,
    principalType: "ServicePrincipal",
    roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635`,
    roleDefinitionName: "Owner",
    scope: `/subscriptions/${sub}`,
    description: name,
  }));
  fs.writeFileSync(path.join(dir, "identities.json"), JSON.stringify(identities, null, 2));
  fs.writeFileSync(path.join(dir, "role-assignments.json"), JSON.stringify(assignments, null, 2));
  return dir;
}

/** Keep a screenshot of the page for review when IDLENS_SHOTS names a folder. */
export async function reviewShot(page, name) {
  const dir = process.env.IDLENS_SHOTS;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

/** The findings page's own totals under the current filter (data attributes of its count line). */
export async function findingsTotals(page) {
  return page.$eval("[data-testid=findings-count]", (p) => ({
    all: Number(p.dataset.all),
    matched: Number(p.dataset.matched),
    open: Number(p.dataset.open),
    waived: Number(p.dataset.waived),
  }));
}
