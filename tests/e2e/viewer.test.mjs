// The viewer in headless Chromium, served from loopback and opened as a single file from file://: it renders,
// reads dropped files in its Web Worker exactly as the native core does, says what it could not read, and no
// request ever leaves the page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { launch, openViewer, withScreenshot, MODES, samples, repo, nativeSummary, tempDir, distFile } from "./harness.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** A mix of real sample exports and hand-made traps (UTF-16 with BOM, a truncated file, a text file). */
function fixtures() {
  const dir = tempDir("viewer-fixtures");
  const utf16 = path.join(dir, "roles-utf16.json");
  const reader = "/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7";
  const text = JSON.stringify([
    { principalId: "11111111-1111-1111-1111-111111111111", principalType: "ServicePrincipal", roleDefinitionId: reader, scope: "/" },
    { principalId: "22222222-2222-2222-2222-222222222222", principalType: "ServicePrincipal", roleDefinitionId: reader, scope: "/subscriptions/x" },
  ]);
  fs.writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]));
  const truncated = path.join(dir, "cut.json");
  fs.writeFileSync(truncated, '[{"id":"1"},\n{"id":"2"},\n{"id":');
  const notes = path.join(dir, "notes.txt");
  fs.writeFileSync(notes, "meeting notes without any delimiter");
  return [
    path.join(samples, "azure-cli-recordings/test_identity_management__2__uami_list.json"),
    path.join(samples, "azure-cli-recordings/test_role_assignment_at_scope__2__role_assignment_list.json"),
    path.join(samples, "msgraph-docs/serviceprincipalsigninactivities-list.DERIVED.json"),
    utf16,
    truncated,
    notes,
  ];
}

for (const mode of MODES) {
  test(`${mode}: the viewer renders under its CSP with no request leaving the page`, async () => {
    const view = await openViewer(browser, mode);
    await withScreenshot(view, `${mode}-render`, async () => {
      await view.page.waitForSelector("[data-testid=file-input]");
      assert.equal(await view.page.title(), "Idlens");
      // Give the worker time to start and instantiate the core.
      await view.page.waitForTimeout(300);
      const workers = view.page.workers().map((w) => w.url());
      assert.equal(workers.length, 1, `one ingest worker, got ${workers}`);
      assert.match(workers[0], /^blob:/, "the worker is started from a Blob URL");
      assert.deepEqual(view.problems, []);
      assert.deepEqual(view.egress(), []);
    });
    await view.finish();
  });

  test(`${mode}: files picked are read in the worker exactly as the native core reads them`, async () => {
    const files = fixtures();
    const expected = nativeSummary(files);
    const view = await openViewer(browser, mode);
    await withScreenshot(view, `${mode}-load`, async () => {
      await view.page.setInputFiles("[data-testid=file-input]", files);
      await view.page.waitForSelector("[data-testid=file-row]");
      const rows = await view.page.$$eval("[data-testid=file-row]", (trs) =>
        trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent)),
      );
      assert.equal(rows.length, files.length);
      rows.forEach((cells, i) => {
        const want = expected.files[i];
        assert.equal(cells[0], path.basename(files[i]));
        assert.equal(cells[1], want.format, `format of ${cells[0]}`);
        assert.equal(Number(cells[3]), want.records, `records of ${cells[0]}`);
        assert.equal(Number(cells[4]), want.ingested, `ingested of ${cells[0]}`);
        assert.equal(Number(cells[6]), want.set_aside, `set aside of ${cells[0]}`);
      });
      // Spot-check what the user reads, independent of the native CLI.
      assert.equal(rows[0][1], "az-user-assigned-identities");
      assert.equal(rows[3][1], "az-role-assignments", "UTF-16 with BOM is read");
      assert.equal(rows[3][3], "2");
      assert.match(rows[4][7], /line 3/, "the truncated file names the line");
      assert.match(rows[4][7], /expected/, "and what was expected");
      assert.match(rows[5][7], /expected/i, "an unrecognised file says what was expected");
      const orphaned = await view.page.textContent("[data-testid=orphaned]");
      assert.equal(Number(orphaned), expected.orphaned_assignments);
      assert.equal(Number(await view.page.textContent("[data-testid=identities]")), expected.identities.total);
      assert.deepEqual(view.problems, []);
      assert.deepEqual(view.egress(), [], "no request left the page while reading files");
    });
    await view.finish();
  });

  test(`${mode}: the demo tenant opens from the button and from #demo`, async () => {
    const dir = path.join(repo, "demo/tenant");
    const expected = nativeSummary([dir]);
    for (const how of ["button", "#demo"]) {
      const view = await openViewer(browser, mode, how === "#demo" ? "#demo" : "");
      await withScreenshot(view, `${mode}-demo-${how}`, async () => {
        if (how === "button") await view.page.click("[data-testid=demo]");
        await view.page.waitForSelector("[data-testid=summary]");
        assert.equal(Number(await view.page.textContent("[data-testid=identities]")), expected.identities.total);
        assert.equal(Number(await view.page.textContent("[data-testid=orphaned]")), expected.orphaned_assignments);
        const grants = Object.values(expected.grants).reduce((a, b) => a + b, 0);
        assert.equal(Number(await view.page.textContent("[data-testid=grants]")), grants);
        assert.deepEqual(view.problems, []);
        assert.deepEqual(view.egress(), []);
      });
      await view.finish();
    }
  });
}

test("file: the single file references nothing outside itself", () => {
  const html = fs.readFileSync(distFile(), "utf8");
  const external = html.match(/\b(?:src|href)\s*=\s*["'][^"']+["']/gi) ?? [];
  assert.deepEqual(external, [], "no src= or href= attributes");
  assert.match(html, /connect-src 'none'/);
  assert.match(html, /default-src 'none'/);
  // The only absolute URL is a documentation link inside a wasm-bindgen error message; nothing loads from it.
  const urls = (html.match(/https?:\/\/[^\s"'`)]+/g) ?? []).filter((u) => !u.startsWith("https://developer.mozilla.org/"));
  assert.deepEqual(urls, [], "no absolute URLs");
});
