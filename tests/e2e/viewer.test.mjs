// The viewer in headless Chromium, served from loopback and opened as a single file from file://: it renders,
// reads dropped files in its Web Worker exactly as the native core does, says what it could not read, and no
// request ever leaves the page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { launch, openViewer, withScreenshot, MODES, samples, repo, nativeSummary, tempDir, distFile } from "./harness.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** The reconciliation table's rows, as the text of their cells. */
const fileRows = (page) =>
  page.$$eval("[data-testid=file-row]", (trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent)));

/** Each file's row says what the native CLI's summary (`expected`) says of it: format, records, ingested, set aside. */
function sameAsNative(rows, files, expected) {
  assert.equal(rows.length, files.length);
  rows.forEach((cells, i) => {
    const want = expected.files[i];
    assert.equal(cells[0], path.basename(files[i]));
    assert.equal(cells[1], want.format, `format of ${cells[0]}`);
    assert.equal(Number(cells[3]), want.records, `records of ${cells[0]}`);
    assert.equal(Number(cells[4]), want.ingested, `ingested of ${cells[0]}`);
    assert.equal(Number(cells[6]), want.set_aside, `set aside of ${cells[0]}`);
  });
}

/** Wait (up to 10 s) until the page has `count` workers. */
async function waitForWorkers(page, count) {
  for (let i = 0; i < 200 && page.workers().length !== count; i++) await page.waitForTimeout(50);
}

/** The viewer's ingest worker (the one with a file reader to stop). */
async function ingestWorker(page) {
  await waitForWorkers(page, 1);
  for (const worker of page.workers()) {
    if (await worker.evaluate(() => typeof stopReader === "function")) return worker;
  }
  assert.fail("no ingest worker");
}

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
      // The ingest worker, and the worker it reads files with where the machine has a second core for it (started at
      // once, before any file is given).
      const spare = (await view.page.evaluate(() => navigator.hardwareConcurrency)) >= 2;
      await waitForWorkers(view.page, spare ? 2 : 1);
      await view.page.waitForTimeout(300);
      const workers = view.page.workers().map((w) => w.url());
      assert.equal(workers.length, spare ? 2 : 1, `the ingest worker and its file reader (${spare}), got ${workers}`);
      assert.ok(workers.every((u) => u.startsWith("blob:")), "the workers are started from Blob URLs");
      // Left alone, the worker's warm-up runs to its end and says how long it took.
      await view.page.waitForFunction(() => document.documentElement.hasAttribute("data-worker-warm-ms"), null, { timeout: 60000 });
      const warmMs = Number(await view.page.getAttribute("html", "data-worker-warm-ms"));
      assert.ok(warmMs > 0, `the warm-up took ${warmMs} ms`);
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
      const rows = await fileRows(view.page);
      sameAsNative(rows, files, expected);
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

  test(`${mode}: big files read by the worker's own reader, or on its thread where there is a single core or it cannot start one, give the native snapshot`, async () => {
    // A generated tenant whose role assignments span several 1 MiB chunks, so that records are cut between chunks.
    const dir = tempDir("viewer-reader");
    execFileSync(process.env.IDLENS_CLI, ["generate", "--out", dir, "--seed", "11", "--identities", "120", "--assignments", "4000"]);
    const files = fs.readdirSync(dir).filter((n) => n.endsWith(".json")).sort().map((n) => path.join(dir, n));
    assert.ok(fs.statSync(path.join(dir, "role-assignments.json")).size > 3 << 20, "role assignments span several chunks");
    const expected = nativeSummary(files);
    // A machine with cores to spare and one with two (the reader reads ahead on either), one with a single core (read
    // on the ingest worker's thread), and a browser whose workers cannot start workers (read there too), whatever
    // machine the test runs on.
    for (const [variant, cores, noWorker] of [
      ["reader", 8, false],
      ["two-cores", 2, false],
      ["one-core", 1, false],
      ["no-nested-worker", 8, true],
    ]) {
      const nested = !noWorker && cores >= 2;
      const view = await openViewer(browser, mode);
      await withScreenshot(view, `${mode}-reader-${variant}`, async () => {
        await view.page.waitForSelector("[data-testid=file-input]");
        const ingest = await ingestWorker(view.page);
        await ingest.evaluate(
          ([cores, noWorker]) => {
            Object.defineProperty(self.navigator, "hardwareConcurrency", { value: cores, configurable: true });
            if (noWorker) self.Worker = undefined;
            stopReader();
          },
          [cores, noWorker],
        );
        await waitForWorkers(view.page, 1);
        await view.page.setInputFiles("[data-testid=file-input]", files);
        await view.page.waitForSelector("[data-testid=file-row]");
        sameAsNative(await fileRows(view.page), files, expected);
        assert.equal(Number(await view.page.textContent("[data-testid=identities]")), expected.identities.total);
        const workers = view.page.workers().map((w) => w.url());
        assert.equal(workers.length, nested ? 2 : 1, `workers: ${workers}`);
        assert.ok(workers.every((u) => u.startsWith("blob:")), "every worker is started from a Blob URL");
        // Loading again reuses the reader (no third worker) and reads the same.
        await view.page.setInputFiles("[data-testid=file-input]", []);
        await view.page.setInputFiles("[data-testid=file-input]", files);
        await view.page.waitForSelector("[data-testid=file-row]");
        sameAsNative(await fileRows(view.page), files, expected);
        assert.equal(view.page.workers().length, nested ? 2 : 1);
        assert.deepEqual(view.problems, []);
        assert.deepEqual(view.egress(), [], "no request left the page while reading files");
      });
      await view.finish();
    }
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

// The identities table and the identity page, on the demo tenant.

/** Open the demo tenant and go to the identities table. */
async function demoIdentities(mode) {
  const view = await openViewer(browser, mode, "#demo");
  await view.page.waitForSelector("[data-testid=summary]");
  await view.page.click("[data-testid=browse]");
  await view.page.waitForSelector("[data-testid=identity-row]", { state: "attached" });
  return view;
}

/** What the table shows now: the count it reports and each rendered row. */
async function tableState(page) {
  const count = page.locator("[data-testid=identities-count]");
  return {
    total: Number(await count.getAttribute("data-total")),
    all: Number(await count.getAttribute("data-all")),
    trs: await page.locator("[data-testid=identities-table] tr").count(),
    rows: await page.$$eval("[data-testid=identity-row]", (trs) =>
      trs.map((tr) => ({
        key: tr.dataset.key,
        index: Number(tr.getAttribute("aria-rowindex")),
        name: tr.querySelector("[data-testid=identity-link]").textContent,
        kind: tr.querySelector("[data-testid=cell-kind]").dataset.kind,
        grants: Number(tr.querySelector("[data-testid=cell-grants]").textContent),
      })),
    ),
  };
}

/** Wait until the table's first row satisfies `ok` (answers arrive asynchronously from the worker). */
async function waitForTable(page, ok, what) {
  for (let i = 0; i < 100; i++) {
    const state = await tableState(page);
    if (state.rows.length > 0 && ok(state)) return state;
    await page.waitForTimeout(50);
  }
  throw new Error(`the table never showed ${what}: ${JSON.stringify((await tableState(page)).rows.slice(0, 3))}`);
}

for (const mode of MODES) {
  test(`${mode}: identities sort, filter and search, and the URL keeps the view`, async () => {
    const view = await demoIdentities(mode);
    const { page } = view;
    await withScreenshot(view, `${mode}-identities`, async () => {
      const start = await tableState(page);
      assert.ok(start.all >= 300, `all identities counted: ${start.all}`);
      assert.equal(start.total, start.all);
      const names = start.rows.map((r) => r.name.toLowerCase());
      assert.deepEqual(names, [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), "sorted by name first");

      // Sort by grants: largest first, the header says so, the URL says so.
      await page.click("[data-testid=sort-grants]");
      const byGrants = await waitForTable(page, (s) => s.rows[0].grants >= s.rows.at(-1).grants && s.rows[0].grants > start.rows[0].grants, "grants descending");
      for (let i = 1; i < byGrants.rows.length; i++) assert.ok(byGrants.rows[i - 1].grants >= byGrants.rows[i].grants, "grants descending");
      assert.equal(await page.getAttribute("th:has([data-testid=sort-grants])", "aria-sort"), "descending");
      assert.match(page.url(), /#identities\?sort=grants&desc=1$/);
      await page.click("[data-testid=sort-grants]");
      await waitForTable(page, (s) => s.rows[0].grants <= s.rows.at(-1).grants, "grants ascending");
      assert.equal(await page.getAttribute("th:has([data-testid=sort-grants])", "aria-sort"), "ascending");

      // Filter by kind.
      await page.selectOption("[data-testid=filter-kind]", "user-assigned-managed-identity");
      const uami = await waitForTable(page, (s) => s.total < s.all && s.rows.every((r) => r.kind === "user-assigned-managed-identity"), "only user-assigned identities");
      assert.ok(uami.total > 0);
      assert.match(page.url(), /kind=user-assigned-managed-identity/);

      // Free text, debounced, within the kind filter.
      const target = uami.rows[0].name;
      await page.fill("[data-testid=search]", target);
      const found = await waitForTable(page, (s) => s.total < uami.total && s.rows.some((r) => r.name === target), `a search for ${target}`);
      assert.ok(found.rows.every((r) => r.kind === "user-assigned-managed-identity"));
      assert.match(decodeURIComponent(page.url()), new RegExp(`q=${target}`));

      // Back and forward walk through the views. Typing rewrites the current entry (one entry per filter choice, not
      // per keystroke), so back leaves the kind filter and forward returns to the kind filter with its search.
      await page.goBack();
      await waitForTable(page, (s) => s.total === s.all, "all kinds after going back");
      assert.doesNotMatch(page.url(), /kind=/);
      assert.equal(await page.inputValue("[data-testid=search]"), "");
      await page.goForward();
      await waitForTable(page, (s) => s.total === found.total, "the kind filter and search after going forward");
      assert.match(page.url(), /kind=user-assigned-managed-identity/);
      assert.equal(await page.inputValue("[data-testid=search]"), target);

      await page.click("[data-testid=clear-filters]");
      await waitForTable(page, (s) => s.total === s.all, "every identity after clearing");
      assert.deepEqual(view.problems, []);
      assert.deepEqual(view.egress(), []);
    });
    await view.finish();
  });

  test(`${mode}: the identities table is virtualised`, async () => {
    const view = await demoIdentities(mode);
    const { page } = view;
    await withScreenshot(view, `${mode}-virtual`, async () => {
      const start = await tableState(page);
      assert.ok(start.total >= 300, `total says ${start.total}`);
      assert.ok(start.trs < 100, `only a window of rows is in the DOM: ${start.trs} tr`);
      assert.equal(start.rows[0].index, 2, "the first row is the table's row 1 (after the header)");
      // Scroll two thirds down: the rows in the DOM are from there, still only a window.
      const height = await page.$eval("[data-testid=identities-scroller]", (el) => el.scrollHeight);
      assert.ok(height > start.total * 30, `the scroll height stands for every row: ${height}`);
      await page.$eval("[data-testid=identities-scroller]", (el) => { el.scrollTop = el.scrollHeight * 0.66; });
      const middle = await waitForTable(page, (s) => s.rows[0].index > 150, "rows from the middle");
      assert.ok(middle.trs < 100, `still a window: ${middle.trs} tr`);
      const visible = await page.$$eval("[data-testid=identity-row]", (trs) => {
        const box = document.querySelector("[data-testid=identities-scroller]").getBoundingClientRect();
        return trs.filter((tr) => {
          const r = tr.getBoundingClientRect();
          return r.bottom > box.top + 40 && r.top < box.bottom;
        }).length;
      });
      assert.ok(visible >= 5, `rows fill the viewport after scrolling: ${visible}`);
      // The bottom: the last row of the table is rendered.
      await page.$eval("[data-testid=identities-scroller]", (el) => { el.scrollTop = el.scrollHeight; });
      await waitForTable(page, (s) => s.rows.at(-1).index === s.total + 1, "the last row");
      assert.deepEqual(view.problems, []);
      assert.deepEqual(view.egress(), []);
    });
    await view.finish();
  });

  test(`${mode}: an identity page shows what it is, where it runs, what it reaches and where each fact was read`, async () => {
    const view = await demoIdentities(mode);
    const { page } = view;
    await withScreenshot(view, `${mode}-identity`, async () => {
      // The identity with the most workloads, opened with the keyboard.
      await page.click("[data-testid=sort-workloads]");
      await waitForTable(page, (s) => /sort=workloads/.test(page.url()), "workloads sort");
      const first = (await tableState(page)).rows[0];
      await page.focus(`[data-testid=identity-row][data-key="${first.key}"] [data-testid=identity-link]`);
      await page.keyboard.press("Enter");
      await page.waitForSelector("[data-testid=section-grants]");
      assert.match(page.url(), /#identity\//);
      assert.equal(await page.textContent("[data-testid=identity-name]"), first.name);
      for (const section of ["what", "workloads", "grants", "credentials", "federations", "activity", "provenance", "risk", "findings"]) {
        assert.equal(await page.locator(`[data-testid=section-${section}]`).count(), 1, `section ${section}`);
      }
      assert.ok((await page.locator("[data-testid=workload-row]").count()) > 0, "workloads listed");
      assert.ok((await page.locator("[data-testid=grant-row]").count()) > 0, "grants listed");
      const sources = await page.$$eval("[data-testid=section-provenance] [data-testid=source]", (els) => els.map((e) => e.textContent));
      assert.ok(sources.length > 0);
      for (const s of sources) assert.match(s, /^demo\/tenant\/[\w.-]+\.json, record \d+, line \d+$/);
      assert.match(await page.textContent("[data-testid=section-grants]"), /\.json, record \d+, line \d+/);
      if ((await page.locator("[data-testid=finding]").count()) > 0) {
        assert.match(await page.textContent("[data-testid=evidence] >> nth=0"), /\.json, record \d+/);
      }

      // Back and forward follow the URL; the table keeps its sort.
      await page.goBack();
      await page.waitForSelector("[data-testid=identities-table]");
      await waitForTable(page, (s) => s.rows[0].key === first.key, "the sorted table again");
      assert.match(page.url(), /sort=workloads/);
      await page.goForward();
      await page.waitForSelector("[data-testid=section-grants]");
      assert.equal(await page.textContent("[data-testid=identity-name]"), first.name);
      await page.click("[data-testid=back-to-list]");
      await waitForTable(page, (s) => s.rows[0].key === first.key, "the list link keeps the sort");

      // An unknown id says so.
      await page.evaluate(() => { location.hash = "#identity/no-such-identity"; });
      await page.waitForSelector("[data-testid=no-identity]");
      assert.deepEqual(view.problems, []);
      assert.deepEqual(view.egress(), []);
    });
    await view.finish();
  });
}

for (const mode of MODES) {
  test(`${mode}: a bookmarked view with nothing loaded says so and offers the demo`, async () => {
    const view = await openViewer(browser, mode, "#identity/00000000-0000-0000-0000-000000000000");
    await withScreenshot(view, `${mode}-nothing-loaded`, async () => {
      const identity = await view.page.textContent("[data-testid=nothing-loaded]");
      assert.match(identity, /Nothing is loaded yet\. This link names an identity/);
      await view.page.evaluate(() => {
        location.hash = "#identities";
      });
      await view.page.waitForFunction(() =>
        document.querySelector("[data-testid=nothing-loaded]")?.textContent.startsWith("Nothing is loaded yet."),
      );
      await view.page.click("[data-testid=nothing-loaded] button");
      await view.page.waitForSelector("[data-testid=identity-row]");
      assert.deepEqual(view.problems, []);
      assert.deepEqual(view.egress(), []);
    });
    await view.finish();
  });
}
