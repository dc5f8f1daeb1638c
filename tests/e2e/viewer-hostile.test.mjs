// Hostile text in the viewer: an export whose names, tags and descriptions are markup, script and CSV formulas is
// loaded through the file input. Every page that shows those strings shows them as text: no element of theirs
// appears, no dialog opens, no request leaves the page, nothing is logged as an error. Served and from file://.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { launch, openViewer, withScreenshot, MODES, tempDir, HOSTILE, hostileFixture } from "./harness.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Elements an injected string would create (the viewer itself has no img, iframe or h1 inside its tables). */
async function injected(page) {
  return page.evaluate(() => ({
    scripts: Array.from(document.scripts).filter((s) => s.textContent.includes("alert")).length,
    images: document.querySelectorAll("main img, main iframe").length,
    broken: Array.from(document.querySelectorAll("main h1")).filter((h) => h.textContent === "broken").length,
  }));
}

for (const mode of MODES) {
  test(`${mode}: hostile names and tags are shown as text on every page`, async () => {
    const dir = hostileFixture(fs.mkdtempSync(path.join(tempDir("viewer-hostile"), "in-")));
    const files = fs.readdirSync(dir).map((n) => path.join(dir, n));
    const view = await openViewer(browser, mode);
    const dialogs = [];
    view.page.on("dialog", async (d) => {
      dialogs.push(d.message());
      await d.dismiss();
    });
    await withScreenshot(view, `${mode}-hostile`, async () => {
      await view.page.setInputFiles("[data-testid=file-input]", files);
      await view.page.waitForSelector("[data-testid=summary]");
      assert.equal(Number(await view.page.textContent("[data-testid=identities]")), HOSTILE.length);

      await view.page.evaluate(() => {
        location.hash = "#identities?sort=name";
      });
      await view.page.waitForSelector("[data-testid=identity-row]");
      const names = await view.page.$$eval("[data-testid=identity-link]", (links) => links.map((a) => a.textContent));
      for (const h of HOSTILE) assert.ok(names.includes(h), `listed literally: ${h}`);
      assert.deepEqual(await injected(view.page), { scripts: 0, images: 0, broken: 0 });

      // Open the identity named like a script tag: its page shows the name, tags and sources as text.
      const link = view.page.locator("[data-testid=identity-link]", { hasText: "<script>alert(1)</script>" });
      await link.first().click();
      await view.page.waitForFunction(() => location.hash.startsWith("#identity/"));
      await view.page.waitForSelector("main h2, main h1");
      const text = await view.page.textContent("main");
      assert.ok(text.includes("<script>alert(1)</script>"), "the name is shown literally on its page");
      assert.deepEqual(await injected(view.page), { scripts: 0, images: 0, broken: 0 });

      assert.deepEqual(dialogs, [], "no dialog opened");
      assert.deepEqual(view.problems, []);
      assert.deepEqual(view.egress(), []);
    });
    await view.finish();
  });
}
