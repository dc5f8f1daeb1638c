// Adding files to a loaded snapshot, loading a baseline beside it, and the compare page, in headless Chromium
// (served and file://): the numbers the page shows equal the native CLI's (`idlens summary`, `idlens diff`), the
// baseline survives reloading the current snapshot, it can be removed, and no request leaves the page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { launch, openViewer, withScreenshot, MODES, repo, samples, env, nativeSummary, tempDir } from "./harness.mjs";

const DEMO = path.join(repo, "demo/tenant");
const demoFile = (name) => path.join(DEMO, name);
/** The demo tenant's "now": the page evaluates the demo (and its baseline) at it, so the CLI must too. */
const DEMO_AS_OF = "2026-11-01";

let browser;
let previous;
before(async () => {
  browser = await launch();
  // The demo tenant one month earlier, written by the CLI: the baseline the tests load as files.
  previous = tempDir("compare-previous-month");
  execFileSync(env("IDLENS_CLI"), ["generate", "--out", previous, "--previous-month"], { encoding: "utf8" });
});
after(async () => {
  await browser?.close();
});

function nativeDiff(oldDir, newDir, extra = []) {
  const out = execFileSync(env("IDLENS_CLI"), ["diff", oldDir, newDir, "--format", "json", "--as-of", DEMO_AS_OF, ...extra], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  return JSON.parse(out);
}

async function fileNames(page) {
  return page.$$eval("[data-testid=file-row] td.path", (tds) => tds.map((td) => td.textContent));
}

async function number(page, testid) {
  return Number(await page.textContent(`[data-testid=${testid}]`));
}

async function go(page, hash) {
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
}

for (const mode of MODES) {
  test(`${mode}: files added later extend the snapshot, read again with the ones already loaded`, async () => {
    const first = ["identities.json", "service-principals.json", "role-definitions.json", "role-assignments.json"].map(demoFile);
    const more = ["resources.json", "applications.json", "signin-activity.json", "federated-credentials.json"].map(demoFile);
    const view = await openViewer(browser, mode);
    await withScreenshot(view, `${mode}-compare-add-files`, async () => {
      const { page } = view;
      await page.setInputFiles("[data-testid=file-input]", first);
      await page.waitForSelector("[data-testid=add-files-input]");
      assert.equal(await number(page, "identities"), nativeSummary(first).identities.total);
      await page.setInputFiles("[data-testid=add-files-input]", more);
      await page.waitForFunction(() => document.querySelectorAll("[data-testid=file-row]").length === 8);
      assert.deepEqual(await fileNames(page), [...first, ...more].map((f) => path.basename(f)));
      const all = nativeSummary([...first, ...more]);
      assert.equal(await number(page, "identities"), all.identities.total);
      assert.equal(await number(page, "orphaned"), all.orphaned_assignments);
      assert.equal(await number(page, "federations"), all.federations);

      // On top of the demo tenant: the demo's files stay, the new one joins them.
      await page.click("[data-testid=demo]");
      const demoCount = fs.readdirSync(DEMO).filter((n) => n.endsWith(".json")).length;
      await page.waitForFunction((n) => document.querySelectorAll("[data-testid=file-row]").length === n, demoCount);
      const extra = path.join(samples, "azure-cli-recordings/test_identity_management__2__uami_list.json");
      await page.setInputFiles("[data-testid=add-files-input]", [extra]);
      await page.waitForFunction((n) => document.querySelectorAll("[data-testid=file-row]").length === n, demoCount + 1);
      const names = await fileNames(page);
      assert.ok(names.slice(0, demoCount).every((n) => n.startsWith("demo/tenant/")), names.join(", "));
      assert.equal(names[demoCount], path.basename(extra));
      const demoFiles = fs.readdirSync(DEMO).filter((n) => n.endsWith(".json")).map(demoFile);
      assert.equal(await number(page, "identities"), nativeSummary([...demoFiles, extra]).identities.total);
      assert.deepEqual(view.problems, []);
      assert.deepEqual(view.egress(), []);
    });
    await view.finish();
  });

  test(`${mode}: a baseline is compared with the snapshot as the native diff compares them`, async () => {
    const expected = nativeDiff(previous, DEMO);
    const view = await openViewer(browser, mode, "#demo");
    await withScreenshot(view, `${mode}-compare`, async () => {
      const { page } = view;
      await page.waitForSelector("[data-testid=baseline-input]");
      const current = await number(page, "identities");
      const baselineFiles = fs.readdirSync(previous).map((n) => path.join(previous, n));
      await page.setInputFiles("[data-testid=baseline-input]", baselineFiles);
      await page.waitForSelector("[data-testid=baseline-loaded]");
      assert.equal(
        await page.textContent("[data-testid=baseline-loaded]"),
        `Baseline loaded: ${baselineFiles.length} files, ${nativeSummary(baselineFiles).identities.total} identities.`,
      );
      assert.equal(await number(page, "identities"), current, "the current snapshot stays as it was");

      await page.click("[data-testid=open-compare]");
      await page.waitForSelector("[data-testid=compare-headline]");
      const counts = async () => ({
        identities_added: await number(page, "count-identities-added"),
        identities_removed: await number(page, "count-identities-removed"),
        grants_added: await number(page, "count-grants-added"),
        grants_removed: await number(page, "count-grants-removed"),
        findings_new: await number(page, "count-findings-new"),
        findings_resolved: await number(page, "count-findings-resolved"),
      });
      const want = {
        identities_added: expected.identities_added.length,
        identities_removed: expected.identities_removed.length,
        grants_added: expected.grants_added.length,
        grants_removed: expected.grants_removed.length,
        findings_new: expected.findings_new.length,
        findings_resolved: expected.findings_resolved.length,
      };
      assert.ok(Object.values(want).every((n) => n > 0), JSON.stringify(want));
      assert.deepEqual(await counts(), want);
      assert.equal(await page.textContent("[data-testid=tenant-before]"), expected.tenant.before.toFixed(1));
      assert.equal(await page.textContent("[data-testid=tenant-after]"), expected.tenant.after.toFixed(1));
      const delta = Math.round((expected.tenant.after - expected.tenant.before) * 10) / 10;
      assert.equal(await page.textContent("[data-testid=tenant-words]"), `improved by ${delta.toFixed(1)} points`);
      assert.equal(await page.locator("[data-testid=framework-row]").count(), expected.frameworks.length);
      const chart = page.locator("[data-testid=compare-chart] svg[role=img]");
      assert.match(await chart.getAttribute("aria-label"), /Tenant posture baseline [\d.]+, now [\d.]+/);
      // The lists name what changed, capped with their totals.
      const addedNames = await page.$$eval("[data-testid=identities-added] [data-testid=row] td:first-child", (tds) =>
        tds.map((td) => td.textContent),
      );
      assert.deepEqual(addedNames, expected.identities_added.map((i) => i.name));
      assert.equal(await page.locator("[data-testid=grants-added] [data-testid=row]").count(), Math.min(100, want.grants_added));

      // An added identity links to its page; back returns to the comparison.
      await page.click("[data-testid=identities-added] [data-testid=row] a");
      await page.waitForSelector("[data-testid=identity-page]");
      assert.match(page.url(), /#identity\//);
      await page.goBack();
      await page.waitForSelector("[data-testid=compare-headline]");

      // A grant added links to its identity's page: the identity the CLI's diff names for that grant.
      const grantRow = page.locator("[data-testid=grants-added] [data-testid=row]").first();
      const grant = expected.grants_added[0];
      assert.ok(grant.identity_id, "the diff names the grant's identity by id");
      assert.equal(await grantRow.locator("td").nth(1).textContent(), grant.role);
      assert.equal(await grantRow.locator("td").nth(2).textContent(), grant.scope);
      const grantLink = grantRow.locator("a");
      assert.equal(await grantLink.textContent(), grant.identity);
      await grantLink.click();
      await page.waitForSelector("[data-testid=identity-page]");
      assert.match(page.url(), /#identity\//);
      assert.match(await page.textContent("[data-testid=identity-page]"), new RegExp(grant.identity_id.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"), "i"));
      await page.goBack();
      await page.waitForSelector("[data-testid=compare-headline]");
      // Grants removed from identities that no longer exist stay plain text; those of identities still here link.
      const gone = new Set(expected.identities_removed.map((i) => i.id));
      const removedRows = await page.$$eval("[data-testid=grants-removed] [data-testid=row] td:first-child", (tds) =>
        tds.map((td) => ({ name: td.textContent, linked: td.querySelector("a") !== null })),
      );
      assert.equal(removedRows.length, Math.min(100, want.grants_removed));
      removedRows.forEach((r, i) => {
        const g = expected.grants_removed[i];
        assert.equal(r.name, g.identity);
        assert.equal(r.linked, !gone.has(g.identity_id), `${g.identity} linked`);
      });
      assert.ok(removedRows.some((r) => !r.linked), "some removed grants belonged to removed identities");

      // Reloading the current snapshot keeps the baseline.
      await go(page, "#load");
      await page.click("[data-testid=demo]");
      await page.waitForSelector("[data-testid=baseline-loaded]");
      await go(page, "#compare");
      await page.waitForSelector("[data-testid=compare-headline]");
      assert.deepEqual(await counts(), want);

      // Removed from the load page, then the demo tenant one month earlier, generated in the worker: the same
      // baseline as the CLI's files.
      await go(page, "#load");
      await page.click("[data-testid=remove-baseline]");
      await page.waitForSelector("[data-testid=baseline-loaded]", { state: "detached" });
      await page.click("[data-testid=baseline-demo]");
      await page.waitForSelector("[data-testid=baseline-loaded]");
      await go(page, "#compare");
      await page.waitForSelector("[data-testid=compare-headline]");
      assert.deepEqual(await counts(), want);

      // Removing the baseline says how to load one again; the snapshot stays.
      await page.click("[data-testid=remove-baseline]");
      await page.waitForSelector("[data-testid=no-baseline]");
      assert.equal(await page.getAttribute("[data-testid=no-baseline] a", "href"), "#load");
      await go(page, "#load");
      await page.waitForSelector("[data-testid=summary]");
      assert.equal(await number(page, "identities"), current);
      assert.equal(await page.locator("[data-testid=baseline-loaded]").count(), 0);
      assert.deepEqual(view.problems, []);
      assert.deepEqual(view.egress(), []);
    });
    await view.finish();
  });

  test(`${mode}: the baseline judged as of the day it was taken, and an audit date that outlives reloads`, async () => {
    const expected = nativeDiff(previous, DEMO, ["--old-as-of", "2026-10-01"]);
    const view = await openViewer(browser, mode, "#demo");
    await withScreenshot(view, `${mode}-compare-dates`, async () => {
      const { page } = view;
      await page.waitForSelector("[data-testid=baseline-demo]");
      // The demo tenant is judged as of its own day until the user says otherwise.
      await page.waitForFunction(() => document.querySelector("[data-testid=audit-date-input]")?.value === "2026-11-01");
      await page.click("[data-testid=baseline-demo]");
      await page.waitForSelector("[data-testid=baseline-loaded]");
      await go(page, "#compare");
      await page.waitForSelector("[data-testid=compare-headline]");
      assert.match(await page.textContent("[data-testid=compare-dates]"), /Both evaluated as of 2026-11-01/);

      // The day the baseline was taken: its staleness and expiry are judged then, as `idlens diff --old-as-of`.
      await page.fill("[data-testid=baseline-date-input]", "2026-10-01");
      await page.click("[data-testid=baseline-date-apply]");
      await page.waitForFunction(() =>
        /judged as of 2026-10-01, the day it was taken/.test(document.querySelector("[data-testid=compare-dates]")?.textContent ?? ""),
      );
      assert.equal(await number(page, "count-findings-new"), expected.findings_new.length);
      assert.equal(await number(page, "count-findings-resolved"), expected.findings_resolved.length);
      assert.equal(await page.textContent("[data-testid=tenant-before]"), expected.tenant.before.toFixed(1));
      assert.equal(await page.textContent("[data-testid=tenant-after]"), expected.tenant.after.toFixed(1));

      // An audit date set on the load page: the dashboard says it, and reloading the snapshot keeps it.
      await go(page, "#load");
      await page.fill("[data-testid=audit-date-input]", "2026-12-15");
      await page.click("[data-testid=audit-date-apply]");
      await page.waitForFunction(() => /2026-12-15/.test(document.querySelector("[data-testid=audit-date-shown]")?.textContent ?? ""));
      await page.click("[data-testid=demo]");
      await page.waitForSelector("[data-testid=baseline-loaded]");
      await go(page, "#dashboard");
      await page.waitForSelector("[data-testid=tenant-score]");
      assert.match(await page.textContent("[data-testid=dashboard-page]"), /As of 2026-12-15/);
      // A date that is not one is refused with a message, and nothing changes.
      await go(page, "#load");
      await page.waitForSelector("[data-testid=audit-date-input]");
      await page.evaluate(() => {
        const input = document.querySelector("[data-testid=audit-date-input]");
        input.type = "text";
      });
      await page.fill("[data-testid=audit-date-input]", "2026-02-30");
      await page.click("[data-testid=audit-date-apply]");
      await page.waitForSelector("[data-testid=audit-date] [role=alert]");
      assert.match(await page.textContent("[data-testid=audit-date] [role=alert]"), /2026-02-30.*not a date/);
      assert.match(await page.textContent("[data-testid=audit-date-shown]"), /2026-12-15/);
      assert.deepEqual(view.problems, []);
      assert.deepEqual(view.egress(), []);
    });
    await view.finish();
  });

  test(`${mode}: the compare page with nothing loaded, then with no baseline`, async () => {
    const view = await openViewer(browser, mode, "#compare");
    await withScreenshot(view, `${mode}-compare-empty`, async () => {
      const { page } = view;
      await page.waitForSelector("[data-testid=compare-page] [data-testid=nothing-loaded]");
      await page.click("[data-testid=nothing-loaded] button");
      await page.waitForSelector("[data-testid=no-baseline]");
      // From the demo tenant the page offers its previous month.
      await page.click("[data-testid=compare-baseline-demo]");
      await page.waitForSelector("[data-testid=compare-headline]");
      assert.ok((await number(page, "count-identities-added")) > 0);
      assert.deepEqual(view.problems, []);
      assert.deepEqual(view.egress(), []);
    });
    await view.finish();
  });
}
