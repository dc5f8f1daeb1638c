// Accessibility: axe-core (injected into the page; the context bypasses the CSP only so that the checker itself can
// run) finds no serious or critical violation on the load page, the identities table and an identity page, in the
// light and the dark theme, served and from file://. No request leaves the page meanwhile.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, openViewer, withScreenshot, MODES, seriousViolations } from "./harness.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

for (const mode of MODES) {
  for (const colorScheme of ["light", "dark"]) {
    test(`${mode}, ${colorScheme}: no serious or critical accessibility violation`, async () => {
      const view = await openViewer(browser, mode, "#demo", { bypassCSP: true, colorScheme });
      await withScreenshot(view, `${mode}-${colorScheme}-a11y`, async () => {
        await view.page.waitForSelector("[data-testid=summary]");
        assert.deepEqual(await seriousViolations(view.page), [], "load page");
        await view.page.evaluate(() => {
          location.hash = "#identities?sort=risk&desc=1";
        });
        await view.page.waitForSelector("[data-testid=identity-row]");
        assert.deepEqual(await seriousViolations(view.page), [], "identities page");
        await view.page.click("[data-testid=identity-link]");
        await view.page.waitForSelector("[data-testid=section-workloads]");
        assert.deepEqual(await seriousViolations(view.page), [], "identity page");
        await view.page.evaluate(() => {
          location.hash = "#dashboard";
        });
        await view.page.waitForSelector("[data-testid=action]");
        await view.page.$$eval("details", (ds) => ds.forEach((d) => (d.open = true)));
        assert.deepEqual(await seriousViolations(view.page), [], "dashboard page");
        await view.page.evaluate(() => {
          location.hash = "#frameworks/owasp-nhi-2025";
        });
        await view.page.waitForSelector("[data-testid=control-row]");
        await view.page.$$eval("details", (ds) => ds.forEach((d) => (d.open = true)));
        assert.deepEqual(await seriousViolations(view.page), [], "frameworks page");
        await view.page.evaluate(() => {
          location.hash = "#findings";
        });
        await view.page.waitForSelector("[data-testid=finding-group]");
        assert.deepEqual(await seriousViolations(view.page), [], "findings page");
        await view.page.evaluate(() => {
          location.hash = "#findings?sev=critical";
        });
        await view.page.waitForSelector("[data-testid=finding-row]");
        await view.page.locator("[data-testid=waive]").first().click();
        await view.page.waitForSelector("[data-testid=waive-form]");
        assert.deepEqual(await seriousViolations(view.page), [], "findings page with a waiver form open");
        // A waived finding (its status cell offers edit and revoke), then its edit form open.
        const form = view.page.locator("[data-testid=waive-form]");
        await form.locator("[data-testid=waive-justification]").fill("Accepted risk");
        await form.locator("[data-testid=waive-approver]").fill("ciso@contoso.example");
        await form.locator("[data-testid=waive-submit]").click();
        await view.page.waitForSelector("[data-testid=finding-row][data-waived=true] [data-testid=waiver-revoke]");
        assert.deepEqual(await seriousViolations(view.page), [], "findings page with a waived finding");
        await view.page.locator("[data-testid=finding-row][data-waived=true] [data-testid=waiver-edit]").first().click();
        await view.page.waitForSelector("[data-testid=waive-form][data-mode=edit]");
        assert.deepEqual(await seriousViolations(view.page), [], "findings page with a waiver's edit form open");
        await view.page.evaluate(() => {
          location.hash = "#compare";
        });
        await view.page.waitForSelector("[data-testid=no-baseline]");
        assert.deepEqual(await seriousViolations(view.page), [], "compare page without a baseline");
        await view.page.click("[data-testid=compare-baseline-demo]");
        await view.page.waitForSelector("[data-testid=compare-headline]");
        assert.deepEqual(await seriousViolations(view.page), [], "compare page");
        assert.deepEqual(view.egress(), []);
      });
      await view.finish();
    });
  }
}
