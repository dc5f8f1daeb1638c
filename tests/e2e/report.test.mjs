// The static report (issue #6) in headless Chromium: written by the native CLI for the demo tenant and for a
// hostile fixture, opened from file:// with JavaScript disabled. Every section is visible, hostile names and tags
// show as text (no element of theirs exists), no request leaves the page, nothing is logged as an error. The demo
// report is printed to PDF (A4 and Letter) under tests/e2e/artifacts/ and, when poppler's `pdftoppm` is present,
// its pages are rendered to PNG next to it for a person to look at.
//
// Run through `cargo xtask test` (IDLENS_CLI, CHROMIUM).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { execFileSync, spawnSync } from "node:child_process";
import { launch, env, repo, artifacts, tempDir, HOSTILE, hostileFixture } from "./harness.mjs";

const SECTIONS = ["Executive summary", "Framework posture", "Charts", "Top risky identities", "Findings appendix", "Inputs"];
function report(inputs, out, extra = []) {
  execFileSync(env("IDLENS_CLI"), ["report", ...inputs, "--as-of", "2026-11-01", "-o", out, ...extra], { stdio: "pipe" });
  return out;
}

/** Open a report from file:// with JavaScript disabled, recording every request and console error. */
async function open(browser, file) {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const requests = [];
  const problems = [];
  context.on("request", (r) => requests.push(r.url()));
  page.on("console", (m) => {
    if (m.type() === "error" || /Content.Security.Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(e.message));
  const url = pathToFileURL(file).href;
  await page.goto(url, { waitUntil: "load" });
  return {
    page,
    context,
    problems,
    egress: () => requests.filter((u) => u !== url),
  };
}

async function assertSections(page) {
  for (const title of SECTIONS) {
    const h = page.locator("h2", { hasText: title });
    assert.equal(await h.count(), 1, `heading ${title}`);
    assert.ok(await h.isVisible(), `${title} visible`);
  }
  assert.equal(await page.locator("svg[role=img]").count(), 6, "six charts");
}

test("the demo report reads from file:// with JavaScript disabled, and prints to clean PDF pages", async () => {
  const dir = tempDir("report-demo");
  const file = report([path.join(repo, "demo/tenant")], path.join(dir, "demo-report.html"));
  const browser = await launch();
  try {
    const view = await open(browser, file);
    await assertSections(view.page);
    const csp = await view.page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
    assert.equal(csp, "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    assert.equal(await view.page.locator("script, link, iframe, object, embed, img").count(), 0);
    const summary = await view.page.locator("#summary").innerText();
    assert.match(summary, /Tenant posture/);
    assert.match(summary, /Top 5 risks/);
    assert.match(summary, /actions that remove the most risk/);
    assert.match(await view.page.locator("#inputs").innerText(), /[0-9a-f]{64}/, "SHA-256 of the inputs");
    fs.mkdirSync(artifacts, { recursive: true });
    for (const format of ["A4", "Letter"]) {
      const pdf = path.join(artifacts, `report-demo-${format}.pdf`);
      await view.page.emulateMedia({ media: "print" });
      await view.page.pdf({ path: pdf, format, printBackground: true });
      assert.ok(fs.statSync(pdf).size > 10_000, `${format} PDF written`);
      const probe = spawnSync("pdftoppm", ["-v"]);
      if (probe.status === 0 || probe.stderr?.length) {
        spawnSync("pdftoppm", ["-png", "-r", "60", pdf, path.join(artifacts, `report-demo-${format}`)]);
      }
    }
    assert.deepEqual(view.egress(), [], "no request leaves the report");
    assert.deepEqual(view.problems, [], "no console error");
    await view.context.close();
  } finally {
    await browser.close();
  }
});

test("hostile names, tags and descriptions are shown as text and never execute", async () => {
  const dir = tempDir("report-hostile");
  const inputs = hostileFixture(fs.mkdtempSync(path.join(dir, "in-")));
  const file = report([inputs], path.join(dir, "hostile-report.html"));
  const browser = await launch();
  try {
    const view = await open(browser, file);
    await assertSections(view.page);
    const text = await view.page.locator("body").textContent();
    for (const h of HOSTILE) assert.ok(text.includes(h), `shown literally: ${h}`);
    assert.equal(await view.page.locator("script").count(), 0, "no script element");
    assert.equal(await view.page.locator("img").count(), 0, "no img element");
    assert.equal(await view.page.locator("h1").count(), 1, "only the report's own h1");
    // Layout holds: every section is still a direct child of body, and the findings table has its columns.
    assert.equal(await view.page.locator("body > section").count(), SECTIONS.length);
    assert.deepEqual(view.egress(), [], "no request leaves the report");
    assert.deepEqual(view.problems, []);
    // And with JavaScript enabled, nothing runs either (the CSP forbids every script).
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const dialogs = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      d.dismiss();
    });
    await page.goto(pathToFileURL(file).href);
    assert.equal(await page.evaluate(() => document.scripts.length), 0);
    assert.deepEqual(dialogs, []);
    await ctx.close();
    await view.context.close();
  } finally {
    await browser.close();
  }
});
