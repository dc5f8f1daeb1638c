// The identity page's what-if, in headless Chromium against the served viewer and the file:// single file:
// switching a grant off recomputes the identity's risk and the tenant's, and the numbers equal what the native
// CLI's remediation plan computes for removing that same grant (both re-score the identity without it).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, openViewer, withScreenshot, MODES, demoFindings } from "./harness.mjs";

let browser;
let doc;
before(async () => {
  browser = await launch();
  doc = demoFindings();
});
after(async () => {
  await browser?.close();
});

/** The two risk chips of the what-if (before, after) as numbers. */
async function riskChips(page) {
  return page.$$eval("[data-testid=whatif-risk] .risk", (els) => els.map((e) => Number(e.textContent)));
}

for (const mode of MODES) {
  test(`${mode}: switching a grant off in the what-if gives the risk the remediation plan computes`, async () => {
    // The plan's best single-grant removal.
    const action = doc.plan.actions.find(
      (a) => a.kind === "remove-grant" && a.grants.length === 1 && a.credentials.length === 0 && a.federations.length === 0,
    );
    assert.ok(action, "the demo tenant's plan removes a grant");
    const view = await openViewer(browser, mode, "#demo");
    const { page } = view;
    await withScreenshot(view, `${mode}-whatif`, async () => {
      await page.waitForSelector("[data-testid=summary]");
      await page.evaluate((id) => { location.hash = `#identity/${encodeURIComponent(id)}`; }, action.identity.id);
      await page.waitForSelector("[data-testid=section-whatif]");
      assert.match(await page.textContent("[data-testid=whatif-result]"), /Nothing switched off/);
      assert.ok(await page.isDisabled("[data-testid=whatif-reset]"));

      // Tick the grant with the keyboard.
      const toggle = page.locator(`[data-testid=whatif-toggle][data-list=grants][data-index="${action.grants[0]}"]`);
      assert.equal(await toggle.count(), 1, "the grant has a what-if toggle");
      assert.match(await toggle.getAttribute("aria-label"), /^What-if: switch off .+ at \//);
      await toggle.focus();
      await page.keyboard.press("Space");
      await page.waitForSelector("[data-testid=whatif-risk]");
      const [before, afterRisk] = await riskChips(page);
      assert.equal(before, action.risk_before, "risk before");
      assert.equal(afterRisk, action.risk_after, "risk after equals the plan's re-score");
      const tenant = doc.posture.tenant.total_risk;
      assert.equal(
        await page.textContent("[data-testid=whatif-tenant-risk]"),
        `${tenant} → ${tenant - action.risk_removed} (${-action.risk_removed})`,
      );
      assert.match(await page.textContent("[data-testid=whatif-tenant-score]"), /^\d+\.\d → \d+\.\d$/);
      assert.match(await page.textContent("[data-testid=whatif-switched]"), /^Without 1 role assignment:$/);
      if (action.risk_removed > 0) {
        assert.ok((await page.locator("[data-testid=whatif-closed] li").count()) > 0, "some finding closes");
      }

      // Reset puts everything back.
      await page.click("[data-testid=whatif-reset]");
      await page.waitForFunction(() => /Nothing switched off/.test(document.querySelector("[data-testid=whatif-result]").textContent));
      assert.equal(await toggle.isChecked(), false);
      assert.deepEqual(view.problems, []);
      assert.deepEqual(view.egress(), []);
    });
    await view.finish();
  });
}
