// The export page in headless Chromium, served and from file://: every artifact downloads, equals what the native
// CLI writes for the same inputs (same core code), pseudonymises under a key that the CLI reads to the same
// pseudonyms, keeps the lookup table apart, lists the SHA-256 of picked files, and no request leaves the page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { launch, openViewer, withScreenshot, MODES, repo, samples, env, tempDir } from "./harness.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Run the native CLI from the repository root (so file names read `demo/tenant/…` as in the viewer). */
function cli(args) {
  return execFileSync(env("IDLENS_CLI"), args, { cwd: repo, encoding: "utf8", maxBuffer: 256 << 20 });
}

/** Click `selector` and return the text of the file it downloads, with its suggested name. */
async function save(page, selector) {
  const [download] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
  const file = await download.path();
  return { name: download.suggestedFilename(), text: fs.readFileSync(file, "utf8") };
}

/** Display names of the demo tenant's identities. */
function demoNames() {
  const list = JSON.parse(fs.readFileSync(path.join(repo, "demo/tenant/identities.json"), "utf8"));
  return list.map((i) => i.name).filter((n) => n && n.length >= 8);
}

/** The demo tenant's files in the order the viewer read them (the generator's order, without the README). */
let demoFiles = [];

async function openExport(mode) {
  const view = await openViewer(browser, mode, "#demo");
  await view.page.waitForSelector("[data-testid=file-row]");
  demoFiles = (await view.page.$$eval("[data-testid=file-row] td:first-child", (tds) => tds.map((td) => td.textContent))).map(
    (name) => (name.startsWith("demo/") ? name : `demo/tenant/${name}`),
  );
  await view.page.click("[data-testid=nav-export]");
  await view.page.waitForSelector("[data-testid=export-report]");
  return view;
}

for (const mode of MODES) {
  test(`${mode}: the report and every export equal the native CLI's for the demo tenant`, async () => {
    const dir = tempDir(`export-${mode}`);
    const view = await openExport(mode);
    const { page } = view;
    await withScreenshot(view, `${mode}-export`, async () => {
      const report = await save(page, "[data-testid=export-report]");
      assert.equal(report.name, "idlens-report.html");
      const reportFile = path.join(dir, "report.html");
      cli(["report", ...demoFiles, "--as-of", "2026-11-01", "-o", reportFile]);
      fs.writeFileSync(path.join(dir, "viewer-report.html"), report.text);
      assert.ok(report.text === fs.readFileSync(reportFile, "utf8"), `the viewer's report is the CLI's, byte for byte (compare ${dir})`);
      assert.match(report.text, /[0-9a-f]{64}/, "inputs carry their SHA-256");
      assert.match(await page.textContent("[data-testid=export-status]"), /^Saved idlens-report\.html \(/);

      for (const [format, name] of [["json", "idlens-findings.json"], ["csv", "idlens-findings.csv"], ["sarif", "idlens-findings.sarif"], ["ocsf", "idlens-findings.ocsf.json"]]) {
        const got = await save(page, `[data-testid=export-${format}]`);
        assert.equal(got.name, name);
        const want = cli(["findings", ...demoFiles, "--as-of", "2026-11-01", "--format", format]);
        assert.equal(got.text, want, `${format} equals the CLI's`);
      }
      assert.deepEqual(view.problems, []);
      assert.deepEqual(view.egress(), []);
    });
    await view.finish();
  });

  test(`${mode}: pseudonymised exports hide every name, the key gives the CLI's pseudonyms, the lookup stays apart`, async () => {
    const dir = tempDir(`export-pseudo-${mode}`);
    const view = await openExport(mode);
    const { page } = view;
    await withScreenshot(view, `${mode}-export-pseudo`, async () => {
      await page.check("[data-testid=pseudonymise-toggle]");
      // No key yet: the exports wait for one and say why.
      assert.match(await page.textContent("[data-testid=key-problem]"), /Generate a key or load a key file/);
      assert.ok(await page.isDisabled("[data-testid=export-csv]"));
      await page.click("[data-testid=key-generate]");
      const key = await page.inputValue("[data-testid=pseudonymise-key]");
      assert.match(key, /^[0-9a-f]{64}$/);
      const saved = await save(page, "[data-testid=key-save]");
      assert.equal(saved.text.trim(), key);
      const keyFile = path.join(dir, "idlens.key");
      fs.writeFileSync(keyFile, saved.text);

      const csv = await save(page, "[data-testid=export-csv]");
      const names = demoNames();
      assert.ok(names.length > 20);
      for (const n of names) assert.ok(!csv.text.includes(n), `the CSV leaks ${n}`);
      const lookup = JSON.parse((await save(page, "[data-testid=export-lookup]")).text);
      for (const n of names) assert.ok(Object.values(lookup).includes(n), `the lookup maps back to ${n}`);

      // The CLI under the same key file writes the same pseudonymised CSV.
      const cliCsv = cli(["findings", ...demoFiles, "--as-of", "2026-11-01", "--format", "csv", "--pseudonymise", "--key", keyFile, "--lookup", path.join(dir, "lookup.json")]);
      assert.equal(csv.text, cliCsv);

      const report = await save(page, "[data-testid=export-report]");
      for (const n of names) assert.ok(!report.text.includes(n), `the report leaks ${n}`);
      assert.ok(!report.text.includes(key), "the key is not in the report");

      // A key file loads back into the field.
      await page.fill("[data-testid=pseudonymise-key]", "");
      await page.setInputFiles("[data-testid=key-file]", keyFile);
      await page.waitForFunction((k) => document.querySelector("[data-testid=pseudonymise-key]").value === k, key);
      assert.deepEqual(view.problems, []);
      assert.deepEqual(view.egress(), []);
    });
    await view.finish();
  });

  test(`${mode}: a report of picked files lists each file's SHA-256`, async () => {
    const files = [
      path.join(samples, "azure-cli-recordings/test_identity_management__2__uami_list.json"),
      path.join(samples, "azure-cli-recordings/test_role_assignment_at_scope__2__role_assignment_list.json"),
    ];
    const view = await openViewer(browser, mode);
    const { page } = view;
    await withScreenshot(view, `${mode}-export-files`, async () => {
      await page.setInputFiles("[data-testid=file-input]", files);
      await page.waitForSelector("[data-testid=file-row]");
      await page.click("[data-testid=nav-export]");
      const report = await save(page, "[data-testid=export-report]");
      for (const f of files) {
        const sha = crypto.createHash("sha256").update(fs.readFileSync(f)).digest("hex");
        assert.ok(report.text.includes(sha), `the report lists the SHA-256 of ${path.basename(f)}`);
      }
      assert.doesNotMatch(report.text, /not given/);
      assert.deepEqual(view.problems, []);
      assert.deepEqual(view.egress(), []);
    });
    await view.finish();
  });
}
