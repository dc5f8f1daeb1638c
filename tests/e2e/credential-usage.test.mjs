// Unused credentials (NHI-C-007) in the viewer, served and from file://: on the demo tenant, the identity page of an
// app whose credential the native CLI reports as unused shows each credential's last use from the credential
// sign-in report ("never", or the day the CLI's evidence names), the same C-007 finding, the report file as a
// source, and no serious or critical accessibility violation in the light or the dark theme. No request leaves.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { launch, openViewer, withScreenshot, MODES, seriousViolations, demoFindings, evidenceField } from "./harness.mjs";

let browser;
let doc;
before(async () => {
  browser = await launch();
  doc = demoFindings();
});
after(async () => {
  await browser?.close();
});

const field = evidenceField;

/** C-007 findings of the demo with one flagged credential: one never used, one last used long ago. */
function subjects() {
  assert.equal(doc.checks.find((c) => c.check_id === "NHI-C-007").status, "evaluated");
  const c007 = doc.findings.filter((f) => f.check_id === "NHI-C-007" && f.certain && f.refs.credentials.length === 1);
  const never = c007.find((f) => field(f, "lastSignInDateTime") === "null");
  const stale = c007.find((f) => /^\d{4}-\d\d-\d\d/.test(field(f, "lastSignInDateTime") ?? ""));
  assert.ok(never && stale, "the demo tenant has a never-used and a stale credential");
  return { never, stale };
}

async function openIdentity(page, id, name) {
  await page.evaluate((key) => { location.hash = `#identity/${encodeURIComponent(key)}`; }, id);
  await page.waitForFunction(
    (n) => document.querySelector("[data-testid=identity-name]")?.textContent === n
      && document.querySelector("[data-testid=section-credentials]"),
    name,
  );
}

/** The credential rows' cells, by column heading. */
async function credentialRows(page) {
  return page.$eval("[data-testid=section-credentials] table", (table) => {
    const heads = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    return [...table.querySelectorAll("[data-testid=credential-row]")].map((tr) => {
      const cells = [...tr.querySelectorAll("td")].map((td) => td.textContent.trim());
      return Object.fromEntries(heads.map((h, i) => [h, cells[i]]));
    });
  });
}

for (const mode of MODES) {
  test(`${mode}: each credential shows its last use, as the CLI's C-007 evidence says`, async () => {
    const { never, stale } = subjects();
    const view = await openViewer(browser, mode, "#demo");
    const { page } = view;
    await withScreenshot(view, `${mode}-credential-usage`, async () => {
      await page.waitForSelector("[data-testid=summary]");
      for (const [finding, expected] of [
        [never, "never"],
        [stale, field(stale, "lastSignInDateTime").slice(0, 10)],
      ]) {
        await openIdentity(page, finding.identity.id, finding.identity.name);
        const rows = await credentialRows(page);
        assert.ok(rows.length > 0 && "Last used" in rows[0], JSON.stringify(rows));
        const key = field(finding, "keyId");
        const row = rows.find((r) => r["Name or key id"] === key) ?? rows.find((r) => r["Last used"] === expected);
        assert.ok(row, `a credential last used ${expected}: ${JSON.stringify(rows)}`);
        assert.equal(row["Last used"], expected);
        assert.match(row.Source, /app-credential-signins\.json, record \d+, line \d+/, "the usage record is a source");
        const shown = await page.$$eval("[data-testid=section-findings] [data-testid=finding]", (els) =>
          els.map((e) => e.textContent),
        );
        assert.ok(
          shown.some((t) => t.includes(finding.message)),
          `the C-007 finding is listed: ${shown.join("\n")}`,
        );
      }
      assert.deepEqual(view.problems, []);
      assert.deepEqual(view.egress(), []);
    });
    await view.finish();
  });

  for (const colorScheme of ["light", "dark"]) {
    test(`${mode}, ${colorScheme}: the credentials section has no serious or critical accessibility violation`, async () => {
      const { stale } = subjects();
      // The context bypasses the CSP only so that axe itself can be injected (as in a11y.test.mjs).
      const view = await openViewer(browser, mode, "#demo", { bypassCSP: true, colorScheme });
      const { page } = view;
      await withScreenshot(view, `${mode}-${colorScheme}-credential-usage-a11y`, async () => {
        await page.waitForSelector("[data-testid=summary]");
        await openIdentity(page, stale.identity.id, stale.identity.name);
        assert.deepEqual(await seriousViolations(page), [], "identity page with credential usage");
        fs.mkdirSync("/tmp/shots", { recursive: true });
        await page
          .locator("[data-testid=section-credentials]")
          .screenshot({ path: `/tmp/shots/credential-usage-${mode}-${colorScheme}.png` });
        assert.deepEqual(view.egress(), []);
      });
      await view.finish();
    });
  }
}
