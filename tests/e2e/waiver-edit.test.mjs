// Editing and revoking waivers on the findings page, in headless Chromium (served and file://): a demo finding is
// waived, its waiver edited from the finding's status cell (the form comes pre-filled, is validated as when waiving,
// and the new approver shows), then revoked by keyboard (the finding is open again and the open/waived counts are
// what they were), and the exported policy profile no longer holds it; the revoke is undone (the same waiver comes
// back) and done again. A waiver is also revoked from the profile's
// list, and an expired one renewed from its (open) finding. A long profile lists its waivers a window at a time. No
// request leaves the page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { launch, openViewer, withScreenshot, MODES, tempDir, reviewShot, findingsTotals } from "./harness.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function waitTotals(page, want) {
  await page.waitForFunction(
    (w) => {
      const d = document.querySelector("[data-testid=findings-count]")?.dataset;
      return d && Number(d.open) === w.open && Number(d.waived) === w.waived;
    },
    want,
  );
}

async function exportedProfile(page, dir, name) {
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=export-policy]")]);
  assert.equal(download.suggestedFilename(), "idlens-policy.json");
  const file = path.join(dir, name);
  await download.saveAs(file);
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

/** Waive the finding `row` through its form. */
async function waive(page, row, approver) {
  await row.locator("[data-testid=waive]").click();
  const form = page.locator("[data-testid=waive-form][data-mode=new]");
  await form.waitFor();
  await form.locator("[data-testid=waive-justification]").fill("Accepted for the migration window");
  await form.locator("[data-testid=waive-approver]").fill(approver);
  await form.locator("[data-testid=waive-expires]").fill("2027-03-31");
  await form.locator("[data-testid=waive-submit]").click();
  await form.waitFor({ state: "detached" });
}

for (const mode of MODES) {
  test(`${mode}: a waiver is edited in place and revoked, and the exported profile follows`, async () => {
    const dir = tempDir(`waiver-edit-${mode}`);
    const view = await openViewer(browser, mode, "#demo");
    const { page } = view;
    await withScreenshot(view, `${mode}-waiver-edit`, async () => {
      await page.waitForSelector("[data-testid=summary]");
      await page.evaluate(() => {
        location.hash = "#findings?sev=critical";
      });
      await page.waitForSelector("[data-testid=finding-row]");
      const before = await findingsTotals(page);
      assert.ok(before.open > 0);
      assert.equal(before.waived, 0);

      const first = page.locator("[data-testid=finding-row][data-waived=false]").first();
      const check = await first.getAttribute("data-check");
      const identity = await first.getAttribute("data-identity");
      const rows = `[data-testid=finding-row][data-check="${check}"][data-identity="${identity}"]`;
      const row = page.locator(rows).first();
      await waive(page, first, "alice@contoso.example");
      await page.waitForSelector(`${rows}[data-waived=true]`);
      const waived = await findingsTotals(page);
      assert.ok(waived.waived > 0);
      assert.equal(waived.open, before.open - waived.waived);
      assert.equal(waived.matched, before.matched, "waived findings stay listed");
      assert.equal(await row.locator("[data-testid=waiver-approver]").textContent(), "alice@contoso.example");
      // The profile lists it by the identity's name as well as the id the waiver holds.
      const name = await row.locator("[data-testid=finding-identity]").textContent();
      assert.equal(await page.textContent("[data-testid=policy-waiver] [data-testid=policy-waiver-name]"), name);
      assert.equal(await page.textContent("[data-testid=policy-waiver] .id"), identity);
      await reviewShot(page, `waiver-${mode}-waived-light`);
      await page.emulateMedia({ colorScheme: "dark" });
      await reviewShot(page, `waiver-${mode}-waived-dark`);
      await page.emulateMedia({ colorScheme: "light" });

      // Edit from the status cell: the same form, pre-filled with the waiver, focus in it.
      const edit = row.locator("[data-testid=waiver-edit]");
      assert.match(await edit.getAttribute("aria-label"), new RegExp(`^Edit waiver: ${check} for `));
      assert.equal(await edit.getAttribute("aria-expanded"), "false");
      await edit.click();
      assert.equal(await edit.getAttribute("aria-expanded"), "true");
      const form = page.locator("[data-testid=waive-form][data-mode=edit]");
      await form.waitFor();
      assert.equal(await form.getAttribute("id"), await edit.getAttribute("aria-controls"));
      assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "waive-justification");
      assert.equal(await form.locator("[data-testid=waive-justification]").inputValue(), "Accepted for the migration window");
      assert.equal(await form.locator("[data-testid=waive-approver]").inputValue(), "alice@contoso.example");
      assert.equal(await form.locator("[data-testid=waive-expires]").inputValue(), "2027-03-31");
      // Validated as when waiving: the approver is required; nothing changes.
      await form.locator("[data-testid=waive-approver]").fill("  ");
      await form.locator("[data-testid=waive-submit]").click();
      await form.locator("[data-testid=waive-error]").waitFor();
      assert.match(await form.locator("[data-testid=waive-error]").textContent(), /justification and an approver/);
      assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "waive-approver");
      await page.keyboard.type("bob@contoso.example");
      await reviewShot(page, `waiver-${mode}-edit-form`);
      await page.keyboard.press("Enter");
      await page.waitForFunction(
        (sel) => document.querySelector(`${sel} [data-testid=waiver-approver]`)?.textContent === "bob@contoso.example",
        rows,
      );
      assert.match(await page.textContent("[data-testid=findings-notice]"), /^Waiver updated: .*approved by bob@contoso\.example, until 2027-03-31/);
      assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "findings-notice");
      // In place: still one waiver, with the new approver, and the same findings waived.
      const listed = page.locator("[data-testid=policy-waiver]");
      assert.equal(await listed.count(), 1);
      assert.match(await listed.first().textContent(), /bob@contoso\.example/);
      assert.doesNotMatch(await listed.first().textContent(), /alice@/);
      assert.deepEqual(await findingsTotals(page), waived);
      const edited = await exportedProfile(page, dir, "edited.json");
      assert.deepEqual(edited.waivers, [
        {
          check_id: check,
          identity,
          justification: "Accepted for the migration window",
          approver: "bob@contoso.example",
          expires: "2027-03-31",
        },
      ]);

      // Revoke from the status cell, by keyboard: the finding is open again and the counts are what they were.
      const revoke = row.locator("[data-testid=waiver-revoke]");
      assert.match(await revoke.getAttribute("aria-label"), new RegExp(`^Revoke waiver: ${check} for `));
      await revoke.focus();
      await page.keyboard.press("Enter");
      await waitTotals(page, { open: before.open, waived: 0 });
      assert.deepEqual(await findingsTotals(page), before);
      assert.equal(await page.locator(`${rows}[data-waived=true]`).count(), 0);
      assert.equal(await row.getAttribute("data-waived"), "false");
      assert.equal(await row.locator("[data-testid=waive]").count(), 1, "it can be waived again");
      assert.match(
        await page.textContent("[data-testid=findings-notice]"),
        new RegExp(`^Waiver revoked: ${check} for .* \\(${waived.waived} findings? open again\\)\\.$`),
      );
      assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "findings-notice");

      // While its notice shows, the revoke can be undone: the same waiver comes back whole; then it is revoked again.
      const undo = page.locator("[data-testid=waiver-undo]");
      await reviewShot(page, `waiver-${mode}-revoked-undo`);
      assert.match(await undo.getAttribute("aria-label"), new RegExp(`^Undo revoke: ${check} for `));
      await undo.click();
      await waitTotals(page, { open: waived.open, waived: waived.waived });
      assert.match(
        await page.textContent("[data-testid=findings-notice]"),
        new RegExp(`^Waiver restored: ${check} for .* \\(${waived.waived} findings? waived again\\)\\.$`),
      );
      assert.equal(await undo.count(), 0, "no undo once another notice shows");
      assert.deepEqual((await exportedProfile(page, dir, "restored.json")).waivers, edited.waivers);
      await row.locator("[data-testid=waiver-revoke]").click();
      await waitTotals(page, { open: before.open, waived: 0 });
      await undo.waitFor();
      assert.match(await page.textContent("[data-testid=policy-summary]"), /Default settings/);
      assert.equal(await page.locator("[data-testid=policy-waiver]").count(), 0);
      const revoked = await exportedProfile(page, dir, "revoked.json");
      assert.deepEqual(revoked.waivers, []);
      assert.equal(await page.locator("[data-testid=waiver-error]").count(), 0);

      // From the profile's list: waive two findings, revoke the first listed; the other stays.
      const open = page.locator("[data-testid=finding-row][data-waived=false]");
      const second = open.nth(0);
      const secondCheck = await second.getAttribute("data-check");
      const secondIdentity = await second.getAttribute("data-identity");
      const secondName = await second.locator("[data-testid=finding-identity]").textContent();
      await waive(page, second, "carol@contoso.example");
      await page.waitForSelector("[data-testid=policy-waiver]");
      const third = page.locator(`[data-testid=finding-row][data-waived=false]:not([data-identity="${secondIdentity}"])`).first();
      await waive(page, third, "dave@contoso.example");
      await page.waitForFunction(() => document.querySelectorAll("[data-testid=policy-waiver]").length === 2);
      const firstListed = page.locator("[data-testid=policy-waiver]").first();
      assert.equal(await firstListed.getAttribute("data-check"), secondCheck);
      assert.equal(await firstListed.getAttribute("data-identity"), secondIdentity);
      await firstListed.locator("[data-testid=waiver-revoke]").click();
      await page.waitForFunction(() => document.querySelectorAll("[data-testid=policy-waiver]").length === 1);
      assert.match(await page.locator("[data-testid=policy-waiver]").first().textContent(), /dave@contoso\.example/);
      assert.match(await page.textContent("[data-testid=findings-notice]"), new RegExp(`^Waiver revoked: ${secondCheck} for `));
      assert.ok((await page.textContent("[data-testid=findings-notice]")).includes(` for ${secondName} (`));
      const left = await exportedProfile(page, dir, "left.json");
      assert.deepEqual(
        left.waivers.map((w) => w.approver),
        ["dave@contoso.example"],
      );

      // An expired waiver (from a loaded profile) is renewed from the open finding's status cell.
      const expiredProfile = path.join(dir, "expired.json");
      fs.writeFileSync(
        expiredProfile,
        JSON.stringify({
          waivers: [
            { check_id: secondCheck, identity: secondIdentity, justification: "Old exception", approver: "erin@contoso.example", expires: "2026-10-01" },
          ],
        }),
      );
      await page.setInputFiles("[data-testid=policy-input]", expiredProfile);
      const secondRow = page.locator(`[data-testid=finding-row][data-check="${secondCheck}"][data-identity="${secondIdentity}"]`).first();
      await page.waitForFunction(
        (sel) => /Waiver expired 2026-10-01/.test(document.querySelector(`${sel} [data-testid=waiver-note]`)?.textContent ?? ""),
        `[data-testid=finding-row][data-check="${secondCheck}"][data-identity="${secondIdentity}"]`,
      );
      assert.equal(await secondRow.getAttribute("data-waived"), "false");
      await secondRow.locator("[data-testid=waiver-edit]").click();
      const renew = page.locator("[data-testid=waive-form][data-mode=edit]");
      await renew.waitFor();
      assert.equal(await renew.locator("[data-testid=waive-expires]").inputValue(), "2026-10-01");
      await renew.locator("[data-testid=waive-submit]").click();
      await renew.locator("[data-testid=waive-error]").waitFor();
      assert.match(await renew.locator("[data-testid=waive-error]").textContent(), /before the audit date/);
      await renew.locator("[data-testid=waive-expires]").fill("2027-06-30");
      await renew.locator("[data-testid=waive-submit]").click();
      await page.waitForSelector(`[data-testid=finding-row][data-check="${secondCheck}"][data-identity="${secondIdentity}"][data-waived=true]`);
      const renewed = await exportedProfile(page, dir, "renewed.json");
      assert.deepEqual(renewed.waivers, [
        { check_id: secondCheck, identity: secondIdentity, justification: "Old exception", approver: "erin@contoso.example", expires: "2027-06-30" },
      ]);
      assert.deepEqual(view.problems, []);
      assert.deepEqual(view.egress(), [], "no request left the page");
    });
    await view.finish();
  });

  test(`${mode}: a long profile lists its waivers a window at a time, and a revoke keeps the window`, async () => {
    const dir = tempDir(`waiver-pages-${mode}`);
    const view = await openViewer(browser, mode, "#demo");
    const { page } = view;
    await withScreenshot(view, `${mode}-waiver-pages`, async () => {
      await page.waitForSelector("[data-testid=summary]");
      await page.click("[data-testid=nav-findings]");
      await page.waitForSelector("[data-testid=finding-group]");
      const n = 230;
      const profile = path.join(dir, "long.json");
      const ids = Array.from({ length: n }, (_, i) => `app-${String(i).padStart(4, "0")}`);
      fs.writeFileSync(
        profile,
        JSON.stringify({
          waivers: ids.map((identity) => ({ check_id: "NHI-C-001", identity, justification: "Retired", approver: "ciso@contoso.example" })),
        }),
      );
      await page.setInputFiles("[data-testid=policy-input]", profile);
      const listed = async () => page.$$eval("[data-testid=policy-waiver]", (trs) => trs.map((tr) => tr.dataset.identity));
      const range = () => page.textContent("[data-testid=policy-pager-range]");
      await page.waitForSelector("[data-testid=policy-pager]");
      assert.deepEqual(await listed(), ids.slice(0, 200));
      assert.equal(await range(), `Waivers 1–200 of ${n}`);
      assert.ok(await page.isDisabled("[data-testid=policy-prev]"));
      await page.click("[data-testid=policy-next]");
      await page.waitForFunction((t) => document.querySelector("[data-testid=policy-pager-range]")?.textContent === t, `Waivers 201–${n} of ${n}`);
      assert.deepEqual(await listed(), ids.slice(200));
      assert.ok(await page.isDisabled("[data-testid=policy-next]"));
      // Revoking one in this window keeps the window, one shorter.
      await page.locator(`[data-testid=policy-waiver][data-identity="${ids[210]}"] [data-testid=waiver-revoke]`).click();
      await page.waitForFunction((t) => document.querySelector("[data-testid=policy-pager-range]")?.textContent === t, `Waivers 201–${n - 1} of ${n - 1}`);
      assert.deepEqual(await listed(), [...ids.slice(200, 210), ...ids.slice(211)]);
      await reviewShot(page, `waiver-pages-${mode}`);
      await page.click("[data-testid=policy-prev]");
      await page.waitForFunction((t) => document.querySelector("[data-testid=policy-pager-range]")?.textContent === t, `Waivers 1–200 of ${n - 1}`);
      assert.deepEqual(await listed(), ids.slice(0, 200));
      const exported = await exportedProfile(page, dir, "after.json");
      assert.equal(exported.waivers.length, n - 1);
      assert.ok(!exported.waivers.some((w) => w.identity === ids[210]));
      assert.deepEqual(view.problems, []);
      assert.deepEqual(view.egress(), [], "no request left the page");
    });
    await view.finish();
  });
}
