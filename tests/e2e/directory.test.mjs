// Tenant directory privilege (NHI-P-004) in the viewer, served and from file://: on the demo tenant, the identity
// page of an identity holding an Entra directory role or a Graph application permission lists each one at tenant
// scope with its source record, shows the P-004 findings the native CLI reports for it, and has no serious or
// critical accessibility violation in the light or the dark theme. No request leaves the page.
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

/** The identity of the plan's first "remove directory role" action, and its NHI-P-004 findings. */
function subject() {
  const p004 = doc.findings.filter((f) => f.check_id === "NHI-P-004");
  assert.ok(p004.length > 0, "the demo tenant has NHI-P-004 findings");
  assert.equal(doc.checks.find((c) => c.check_id === "NHI-P-004").status, "evaluated");
  const action = doc.plan.actions.find((a) => a.kind === "remove-directory-role");
  assert.ok(action, "the plan removes a directory role");
  const id = action.identity.id;
  return { id, action, mine: p004.filter((f) => f.identity.id === id) };
}

async function openIdentity(page, id) {
  await page.waitForSelector("[data-testid=summary]");
  await page.evaluate((key) => { location.hash = `#identity/${encodeURIComponent(key)}`; }, id);
  await page.waitForSelector("[data-testid=section-directory-grants]");
}

for (const mode of MODES) {
  test(`${mode}: an identity's Entra roles and Graph permissions are listed with the CLI's P-004 findings`, async () => {
    const { id, action, mine } = subject();
    assert.ok(mine.length > 0);
    const view = await openViewer(browser, mode, "#demo");
    const { page } = view;
    await withScreenshot(view, `${mode}-directory`, async () => {
      await openIdentity(page, id);
      const rows = await page.$$eval("[data-testid=directory-grant-row]", (trs) =>
        // Cells other than the what-if checkbox: name, kind, tier, scope, source.
        trs.map((tr) => [...tr.querySelectorAll("td")].filter((td) => !td.querySelector("input")).map((td) => td.textContent.trim())),
      );
      for (const f of mine) {
        const name = field(f, "roleName") ?? field(f, "permission");
        const row = rows.find((r) => r[0] === name);
        assert.ok(row, `${name} is listed: ${JSON.stringify(rows)}`);
        if (f.severity === "critical") assert.equal(row[3], "tenant (Entra directory)");
        else assert.match(row[3], /^Entra directory scope \//);
        assert.match(row[4], /(app|directory)-role-assignments\.json/, "the source record is named");
      }
      const heading = await page.textContent("#h-directory-grants");
      assert.match(heading, new RegExp(`\\(${rows.length} Entra roles and Graph permissions\\)`));
      // The identity's findings list shows the same P-004 findings as the CLI.
      const shown = await page.$$eval("[data-testid=section-findings] [data-testid=finding]", (els) =>
        els.map((e) => e.textContent),
      );
      const p004 = shown.filter((t) => t.includes("NHI-P-004") || t.includes("Tenant directory privilege"));
      assert.equal(p004.length, mine.length, shown.join("\n"));

      // What-if: switching the directory role off gives the risk the native plan computes for removing it.
      // Snapshot indices differ between the CLI (files read in name order) and the viewer: match by role name.
      const removed = mine
        .map((f) => field(f, "roleName") ?? field(f, "permission"))
        .find((name) => action.description.includes(` ${name} `));
      assert.ok(removed, action.description);
      const toggle = page.locator("[data-testid=whatif-toggle][data-list=directory_grants]");
      const labels = await page.$$eval("[data-testid=whatif-toggle][data-list=directory_grants]", (els) =>
        els.map((e) => e.getAttribute("aria-label")),
      );
      const at = labels.findIndex((l) => /^What-if: switch off (.+) \((Entra directory role|application permission)\)$/.test(l) && l.includes(` ${removed} (`));
      assert.ok(at >= 0, `a what-if toggle for ${removed}: ${labels.join(" | ")}`);
      const box = toggle.nth(at);
      await box.focus();
      await page.keyboard.press("Space");
      await page.waitForSelector("[data-testid=whatif-risk]");
      const chips = await page.$$eval("[data-testid=whatif-risk] .risk", (els) => els.map((e) => Number(e.textContent)));
      assert.deepEqual(chips, [action.risk_before, action.risk_after]);
      assert.match(await page.textContent("[data-testid=whatif-switched]"), /^Without 1 directory role or permission:$/);
      await page.click("[data-testid=whatif-reset]");
      await page.waitForFunction(() => /Nothing switched off/.test(document.querySelector("[data-testid=whatif-result]").textContent));
      assert.deepEqual(view.problems, []);
      assert.deepEqual(view.egress(), []);
    });
    await view.finish();
  });

  for (const colorScheme of ["light", "dark"]) {
    test(`${mode}, ${colorScheme}: the directory section has no serious or critical accessibility violation`, async () => {
      const { id } = subject();
      // The context bypasses the CSP only so that axe itself can be injected (as in a11y.test.mjs).
      const view = await openViewer(browser, mode, "#demo", { bypassCSP: true, colorScheme });
      const { page } = view;
      await withScreenshot(view, `${mode}-${colorScheme}-directory-a11y`, async () => {
        await openIdentity(page, id);
        assert.deepEqual(await seriousViolations(page), [], "identity page with directory grants");
        fs.mkdirSync("/tmp/shots", { recursive: true });
        await page
          .locator("[data-testid=section-directory-grants]")
          .screenshot({ path: `/tmp/shots/directory-${mode}-${colorScheme}.png` });
        assert.deepEqual(view.egress(), []);
      });
      await view.finish();
    });
  }
}
