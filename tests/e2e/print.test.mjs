// Printing the viewer: every page prints as a document (no navigation, buttons, pickers or what-if controls; whole
// tables with repeated headers), to A4 and Letter PDF from headless Chromium, served and from file://.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, openViewer, withScreenshot, MODES } from "./harness.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** What print media hides and shows on the page now. */
async function printState(page) {
  return page.evaluate(() => {
    const shown = (el) => el && getComputedStyle(el).display !== "none" && el.getClientRects().length > 0;
    return {
      nav: shown(document.querySelector("nav.pages")),
      buttons: Array.from(document.querySelectorAll("button")).filter(shown).map((b) => b.textContent),
      inputs: Array.from(document.querySelectorAll("input[type=file], input[type=checkbox]")).filter(shown).length,
      heading: document.querySelector("main h2")?.textContent ?? "",
      background: getComputedStyle(document.body).backgroundColor,
    };
  });
}

for (const mode of MODES) {
  test(`${mode}: the load, dashboard, identities and identity pages print as documents to A4 and Letter`, async () => {
    const view = await openViewer(browser, mode, "#demo", { colorScheme: "dark" });
    const { page } = view;
    await withScreenshot(view, `${mode}-print`, async () => {
      await page.waitForSelector("[data-testid=summary]");
      const pages = [
        ["#load", "[data-testid=summary]"],
        ["#dashboard", "main h2"],
        ["#identities?sort=risk&desc=1", "[data-testid=identity-row]"],
      ];
      for (const [hash, ready] of pages) {
        await page.evaluate((h) => { location.hash = h; }, hash);
        await page.waitForSelector(ready, { state: "attached" });
        await page.emulateMedia({ media: "print" });
        const state = await printState(page);
        assert.equal(state.nav, false, `${hash}: no navigation on paper`);
        assert.deepEqual(state.buttons, [], `${hash}: no button on paper`);
        assert.equal(state.inputs, 0, `${hash}: no picker or checkbox on paper`);
        assert.equal(state.background, "rgb(255, 255, 255)", `${hash}: white paper even in the dark theme`);
        for (const format of ["A4", "Letter"]) {
          const pdf = (await page.pdf({ format, printBackground: true })).toString("latin1");
          assert.ok(pdf.startsWith("%PDF-"), `${hash} ${format} is a PDF`);
          assert.ok((pdf.match(/\/Type\s*\/Page\b/g) ?? []).length >= 1, `${hash} ${format} has pages`);
        }
        await page.emulateMedia({ media: "screen" });
      }
      // The identity page: the riskiest identity, its what-if controls gone on paper.
      await page.evaluate(() => { location.hash = "#identities?sort=risk&desc=1"; });
      await page.click("[data-testid=identity-row] [data-testid=identity-link] >> nth=0");
      await page.waitForSelector("[data-testid=section-grants]");
      await page.emulateMedia({ media: "print" });
      const state = await printState(page);
      assert.equal(state.nav, false);
      assert.deepEqual(state.buttons, []);
      assert.equal(state.inputs, 0, "no what-if checkbox on paper");
      const pdf = (await page.pdf({ format: "A4" })).toString("latin1");
      assert.ok(pdf.startsWith("%PDF-"));
      assert.deepEqual(view.problems, []);
      assert.deepEqual(view.egress(), []);
    });
    await view.finish();
  });
}
