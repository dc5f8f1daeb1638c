// The findings page in headless Chromium, served and from file://: its counts equal the native CLI's, filters live
// in the URL (back and forward work), a finding can be waived through the form, the policy profile exports as a file
// the CLI's --policy accepts (and shows the same finding waived), loads back into a fresh viewer, and a broken
// profile is refused with a message naming the file. No request leaves the page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { launch, openViewer, withScreenshot, MODES, repo, env, tempDir, reviewShot, findingsTotals } from "./harness.mjs";

const DEMO = path.join(repo, "demo/tenant");
const AS_OF = "2026-11-01";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** `idlens findings demo/tenant --as-of 2026-11-01 [--policy FILE] --format json`. */
function cliFindings(policy) {
  const args = ["findings", DEMO, "--as-of", AS_OF, "--format", "json"];
  if (policy) args.push("--policy", policy);
  let out;
  try {
    out = execFileSync(env("IDLENS_CLI"), args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  } catch (err) {
    // `findings` prints the document whatever its exit code.
    out = err.stdout;
  }
  return JSON.parse(out).findings;
}

const count = (findings, pred) => findings.filter(pred).length;

/** Wait until the count line says `matched` (the answer to the current filter has arrived). */
async function waitMatched(page, matched) {
  await page.waitForFunction(
    (n) => Number(document.querySelector("[data-testid=findings-count]")?.dataset.matched) === n,
    matched,
  );
}

async function openFindings(mode, hash = "#demo") {
  const view = await openViewer(browser, mode, hash);
  await view.page.waitForSelector("[data-testid=summary]");
  await view.page.click("[data-testid=nav-findings]");
  await view.page.waitForSelector("[data-testid=finding-group]");
  return view;
}

for (const mode of MODES) {
  test(`${mode}: findings page counts equal the CLI, filters live in the URL, a waiver round-trips through the policy file`, async () => {
    const expected = cliFindings();
    assert.ok(expected.length > 100, "the demo tenant has findings");
    const dir = tempDir(`findings-${mode}`);
    const view = await openFindings(mode);
    const { page } = view;
    let waivedCheck, waivedIdentity, policyFile;
    await withScreenshot(view, `${mode}-findings`, async () => {
      // Totals and every group's counts are the CLI's.
      const all = await findingsTotals(page);
      assert.equal(all.all, expected.length);
      assert.equal(all.matched, expected.length);
      assert.equal(all.open, count(expected, (f) => !f.waived));
      assert.equal(all.waived, 0);
      const groups = await page.$$eval("[data-testid=finding-group]", (els) =>
        els.map((e) => ({ check: e.dataset.check, total: Number(e.dataset.total), open: Number(e.dataset.open) })),
      );
      const checks = new Set(expected.map((f) => f.check_id));
      assert.equal(groups.length, checks.size, "one group per check with findings");
      for (const g of groups) {
        assert.equal(g.total, count(expected, (f) => f.check_id === g.check), `${g.check} total`);
        assert.equal(g.open, count(expected, (f) => f.check_id === g.check && !f.waived), `${g.check} open`);
      }
      // The first group holds the most severe open finding.
      const rank = ["info", "low", "medium", "high", "critical"];
      const worst = Math.max(...expected.map((f) => rank.indexOf(f.severity)));
      assert.equal(
        rank.indexOf(expected.find((f) => f.check_id === groups[0].check && rank.indexOf(f.severity) === worst)?.severity),
        worst,
      );
      await reviewShot(page, `findings-${mode}-light`);

      // Several severities at once from the severity line: each toggles on its own, the URL lists them in severity
      // order, the count is the CLI's for both, and the severity control shows both.
      await page.click("[data-testid=severity-line] [data-severity=medium]");
      await page.waitForFunction(() => location.hash === "#findings?sev=medium");
      await page.click("[data-testid=severity-line] [data-severity=high]");
      await page.waitForFunction(() => location.hash === "#findings?sev=high,medium");
      await waitMatched(page, count(expected, (f) => f.severity === "high" || f.severity === "medium"));
      for (const sev of ["high", "medium"]) {
        assert.equal(await page.getAttribute(`[data-testid=severity-line] [data-severity=${sev}]`, "aria-pressed"), "true");
      }
      assert.equal(await page.getAttribute("[data-testid=severity-line] [data-severity=critical]", "aria-pressed"), "false");
      assert.equal(
        await page.$eval("[data-testid=findings-severity]", (s) => s.options[s.selectedIndex].textContent),
        "High, Medium",
      );
      await page.click("[data-testid=severity-line] [data-severity=high]");
      await page.waitForFunction(() => location.hash === "#findings?sev=medium");
      await waitMatched(page, count(expected, (f) => f.severity === "medium"));
      await page.click("[data-testid=severity-line] [data-severity=medium]");
      await page.waitForFunction(() => location.hash === "#findings");
      await waitMatched(page, expected.length);
      // Several checks from a bookmarked URL: the count is the CLI's for both, and the check control shows both.
      const [c1, c2] = [...new Set(expected.map((f) => f.check_id))].sort();
      await page.evaluate((h) => (location.hash = h), `#findings?check=${c1},${c2}`);
      await waitMatched(page, count(expected, (f) => f.check_id === c1 || f.check_id === c2));
      assert.equal(await page.locator("[data-testid=finding-group]").count(), 2);
      assert.equal(
        await page.$eval("[data-testid=findings-check]", (s) => s.options[s.selectedIndex].textContent),
        `${c1}, ${c2}`,
      );
      await page.evaluate(() => (location.hash = "#findings"));
      await waitMatched(page, expected.length);
      // The same two checks through the controls: choose one, add the other; both show as chips, and removing one
      // leaves the other. Each step is a history entry.
      const ofChecks = (...cs) => count(expected, (f) => cs.includes(f.check_id));
      assert.equal(await page.locator("[data-testid=findings-check-add]").count(), 0, "nothing to add to before a first check");
      await page.selectOption("[data-testid=findings-check]", c2);
      await page.waitForFunction((c) => location.hash === `#findings?check=${c}`, c2);
      await waitMatched(page, ofChecks(c2));
      assert.equal(await page.locator("[data-testid=findings-check-chosen]").count(), 0, "one check needs no chips");
      await page.selectOption("[data-testid=findings-check-add]", c1);
      await page.waitForFunction((h) => location.hash === h, `#findings?check=${c1},${c2}`);
      await waitMatched(page, ofChecks(c1, c2));
      assert.deepEqual(
        await page.$$eval("[data-testid=findings-check-remove]", (bs) => bs.map((b) => b.dataset.value)),
        [c1, c2],
      );
      assert.equal(
        await page.$eval("[data-testid=findings-check]", (s) => s.options[s.selectedIndex].textContent),
        `${c1}, ${c2}`,
      );
      const addable = await page.$$eval("[data-testid=findings-check-add] option", (os) => os.map((o) => o.value));
      assert.ok(!addable.includes(c1) && !addable.includes(c2), "a chosen check is not offered again");
      assert.equal(await page.inputValue("[data-testid=findings-check-add]"), "", "the add control is ready for another");
      await reviewShot(page, `findings-${mode}-two-checks`);
      await page.click(`[data-testid=findings-check-remove][data-value="${c2}"]`);
      await page.waitForFunction((c) => location.hash === `#findings?check=${c}`, c1);
      await waitMatched(page, ofChecks(c1));
      await page.goBack();
      await page.waitForFunction((h) => location.hash === h, `#findings?check=${c1},${c2}`);
      await waitMatched(page, ofChecks(c1, c2));
      // The identities table takes the same two checks: it counts the identities with a finding of either, as the
      // CLI does.
      const holders = (...cs) => new Set(expected.filter((f) => cs.includes(f.check_id) && f.identity.index !== undefined).map((f) => f.identity.index)).size;
      const identitiesTotal = (n) =>
        page.waitForFunction((n) => Number(document.querySelector("[data-testid=identities-count]")?.dataset.total) === n, n);
      await page.evaluate((c) => (location.hash = `#identities?check=${c}`), c1);
      await identitiesTotal(holders(c1));
      await page.selectOption("[data-testid=filter-check-add]", c2);
      await page.waitForFunction((h) => location.hash === h, `#identities?check=${c1},${c2}`);
      await identitiesTotal(holders(c1, c2));
      assert.equal(await page.locator("[data-testid=filter-check-remove]").count(), 2);
      await reviewShot(page, `identities-${mode}-two-checks`);
      await page.click(`[data-testid=filter-check-remove][data-value="${c1}"]`);
      await page.waitForFunction((h) => location.hash === h, `#identities?check=${c2}`);
      await identitiesTotal(holders(c2));
      // Framework controls the same way (`framework:control`, as the CLI's findings map them).
      const holdersOf = (pred) => new Set(expected.filter((f) => pred(f) && f.identity.index !== undefined).map((f) => f.identity.index));
      const maps = (k) => (f) => Object.entries(f.controls ?? {}).some(([fw, ids]) => ids.some((id) => `${fw}:${id}` === k));
      const controls = [...new Set(expected.flatMap((f) => Object.entries(f.controls ?? {}).flatMap(([fw, ids]) => ids.map((id) => `${fw}:${id}`))))]
        .map((k) => ({ k, who: holdersOf(maps(k)) }))
        .sort((a, b) => a.who.size - b.who.size || a.k.localeCompare(b.k));
      const k1 = controls[0];
      const k2 = controls.find((c) => [...c.who].some((i) => !k1.who.has(i)));
      const both = new Set([...k1.who, ...k2.who]).size;
      assert.ok(both > k1.who.size && both > 0, "two controls with different holders");
      await page.evaluate((k) => (location.hash = `#identities?control=${encodeURIComponent(k)}`), k1.k);
      await identitiesTotal(k1.who.size);
      await page.selectOption("[data-testid=filter-control-add]", k2.k);
      await page.waitForFunction(
        (ks) => JSON.stringify(new URLSearchParams(location.hash.split("?")[1]).get("control").split(",")) === JSON.stringify(ks),
        [k1.k, k2.k].sort(),
      );
      await identitiesTotal(both);
      assert.deepEqual(
        await page.$$eval("[data-testid=filter-control-remove]", (bs) => bs.map((b) => b.dataset.value)),
        [k1.k, k2.k].sort(),
      );
      await page.click(`[data-testid=filter-control-remove][data-value="${k1.k}"]`);
      await identitiesTotal(k2.who.size);
      await page.evaluate(() => (location.hash = "#findings"));
      await waitMatched(page, expected.length);

      // Severity through its control: the URL says so, and the count is the CLI's.
      await page.selectOption("[data-testid=findings-severity]", "critical");
      await page.waitForFunction(() => location.hash === "#findings?sev=critical");
      const critical = count(expected, (f) => f.severity === "critical");
      await waitMatched(page, critical);
      // Then a check: the one with most critical findings.
      const byCheck = {};
      for (const f of expected.filter((f) => f.severity === "critical")) byCheck[f.check_id] = (byCheck[f.check_id] ?? 0) + 1;
      const [check] = Object.entries(byCheck).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
      await page.selectOption("[data-testid=findings-check]", check);
      await page.waitForFunction((c) => location.hash === `#findings?check=${c}&sev=critical`, check);
      await waitMatched(page, byCheck[check]);
      assert.equal(await page.locator("[data-testid=finding-group]").count(), 1);
      assert.equal(await page.$eval("[data-testid=findings-check]", (s) => s.value), check);
      assert.equal(await page.$eval("[data-testid=findings-severity]", (s) => s.value), "critical");
      // Back and forward walk through the filters.
      await page.goBack();
      await page.waitForFunction(() => location.hash === "#findings?sev=critical");
      await waitMatched(page, critical);
      assert.equal(await page.$eval("[data-testid=findings-check]", (s) => s.value), "");
      await page.goForward();
      await page.waitForFunction((c) => location.hash === `#findings?check=${c}&sev=critical`, check);
      await waitMatched(page, byCheck[check]);
      // Free text, by keyboard: the count is the CLI's for the same words.
      const firstName = await page.textContent("[data-testid=finding-row] [data-testid=finding-identity]");
      await page.focus("[data-testid=findings-search]");
      await page.keyboard.type(firstName);
      await page.waitForFunction((q) => new URLSearchParams(location.hash.split("?")[1]).get("q") === q, firstName);
      const words = firstName.toLowerCase().split(/\s+/).filter(Boolean);
      const textMatch = (f) =>
        words.every((w) => [f.identity.name, f.identity.id, f.message].some((s) => s.toLowerCase().includes(w)));
      await waitMatched(page, count(expected, (f) => f.check_id === check && f.severity === "critical" && textMatch(f)));
      await page.fill("[data-testid=findings-search]", "");
      await page.waitForFunction((c) => location.hash === `#findings?check=${c}&sev=critical`, check);
      await waitMatched(page, byCheck[check]);

      // Waive the first finding through the form.
      const row = page.locator("[data-testid=finding-row][data-waived=false]").first();
      waivedCheck = await row.getAttribute("data-check");
      waivedIdentity = await row.getAttribute("data-identity");
      await row.locator("[data-testid=waive]").click();
      const form = page.locator("[data-testid=waive-form]");
      await form.waitFor();
      // Focus moves into the form; both fields are required.
      assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "waive-justification");
      await form.locator("[data-testid=waive-submit]").click();
      await page.waitForSelector("[data-testid=waive-error]");
      assert.match(await page.textContent("[data-testid=waive-error]"), /justification and an approver/);
      assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "waive-justification");
      await page.keyboard.type("Break-glass identity, reviewed quarterly");
      await form.locator("[data-testid=waive-approver]").fill("ciso@contoso.example");
      await form.locator("[data-testid=waive-expires]").fill("2027-03-31");
      await reviewShot(page, `findings-${mode}-waive-form`);
      await form.locator("[data-testid=waive-submit]").click();
      const waivedRow = page.locator(
        `[data-testid=finding-row][data-check="${waivedCheck}"][data-identity="${waivedIdentity}"]`,
      );
      await page.waitForSelector(
        `[data-testid=finding-row][data-check="${waivedCheck}"][data-identity="${waivedIdentity}"][data-waived=true]`,
      );
      const covered = count(expected, (f) => f.check_id === waivedCheck && f.identity.id === waivedIdentity);
      const note = await waivedRow.first().locator("[data-testid=waiver-note]").textContent();
      assert.match(note, /Until 2027-03-31/);
      assert.match(note, /ciso@contoso\.example/);
      assert.match(note, /Break-glass identity, reviewed quarterly/);
      assert.match(await page.textContent("[data-testid=findings-notice]"), /Waiver added/);
      assert.match(await page.textContent("[data-testid=policy-summary]"), /1 waiver/);
      // Still listed, now waived: the totals move from open to waived.
      const after = await findingsTotals(page);
      assert.equal(after.matched, byCheck[check]);
      assert.equal(after.all, expected.length);
      await page.click("[data-testid=findings-clear]");
      await page.waitForFunction(() => location.hash === "#findings");
      await waitMatched(page, expected.length);
      assert.equal((await findingsTotals(page)).waived, covered);
      await reviewShot(page, `findings-${mode}-waived`);

      // Export the profile: a download, whose waiver is the one made here.
      const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=export-policy]")]);
      assert.equal(download.suggestedFilename(), "idlens-policy.json");
      policyFile = path.join(dir, "idlens-policy.json");
      await download.saveAs(policyFile);
      const profile = JSON.parse(fs.readFileSync(policyFile, "utf8"));
      assert.deepEqual(profile.waivers, [
        {
          check_id: waivedCheck,
          identity: waivedIdentity,
          justification: "Break-glass identity, reviewed quarterly",
          approver: "ciso@contoso.example",
          expires: "2027-03-31",
        },
      ]);
      assert.equal(profile.thresholds.stale_days, 90, "the whole profile, defaults included");
      assert.match(await page.textContent("[data-testid=findings-notice]"), /exported as idlens-policy\.json/);
      assert.deepEqual(view.problems, []);
      assert.deepEqual(view.egress(), [], "no request left the page");
    });
    await view.finish();

    // The native CLI reads the exported file and shows that finding waived.
    const withPolicy = cliFindings(policyFile);
    const waived = withPolicy.filter((f) => f.waived);
    assert.equal(waived.length, count(expected, (f) => f.check_id === waivedCheck && f.identity.id === waivedIdentity));
    assert.ok(waived.length >= 1);
    for (const f of waived) {
      assert.equal(f.check_id, waivedCheck);
      assert.equal(f.identity.id, waivedIdentity);
      assert.equal(f.waiver.approver, "ciso@contoso.example");
    }

    // A fresh viewer: nothing waived until the profile is loaded through the file input.
    const fresh = await openFindings(mode);
    await withScreenshot(fresh, `${mode}-findings-load-policy`, async () => {
      const p = fresh.page;
      await waitMatched(p, expected.length);
      assert.equal((await findingsTotals(p)).waived, 0);
      assert.match(await p.textContent("[data-testid=policy-summary]"), /Default settings/);
      // A broken profile: an error naming the file and the position; nothing changes.
      const broken = path.join(dir, "broken-policy.json");
      fs.writeFileSync(broken, '{\n  "waivers": [\n    { "check_id": }\n  ]\n}\n');
      await p.setInputFiles("[data-testid=policy-input]", broken);
      await p.waitForSelector("[data-testid=policy-error]");
      const error = await p.textContent("[data-testid=policy-error]");
      assert.match(error, /broken-policy\.json/);
      assert.match(error, /line 3/);
      assert.match(error, /kept/);
      assert.equal((await findingsTotals(p)).waived, 0);
      await reviewShot(p, `findings-${mode}-policy-error`);
      // The exported profile: the same finding waived again.
      await p.setInputFiles("[data-testid=policy-input]", policyFile);
      await p.waitForFunction(
        (n) => Number(document.querySelector("[data-testid=findings-count]")?.dataset.waived) === n,
        waived.length,
      );
      assert.equal(await p.locator("[data-testid=policy-error]").count(), 0, "the error is gone");
      assert.match(await p.textContent("[data-testid=findings-notice]"), /loaded from idlens-policy\.json: 1 waiver/);
      await p.evaluate((c) => {
        location.hash = `#findings?check=${c}&status=waived`;
      }, waivedCheck);
      await waitMatched(p, waived.length);
      const rows = await p.$$eval("[data-testid=finding-row]", (trs) =>
        trs.map((tr) => ({ check: tr.dataset.check, identity: tr.dataset.identity, waived: tr.dataset.waived })),
      );
      assert.deepEqual(
        rows,
        waived.map(() => ({ check: waivedCheck, identity: waivedIdentity, waived: "true" })),
      );
      // Everything derived follows: the identities table counts the identities with an open finding of that check
      // as the CLI does under the profile.
      const openHolders = new Set(
        withPolicy.filter((f) => f.check_id === waivedCheck && !f.waived && f.identity.index !== undefined).map((f) => f.identity.index),
      );
      await p.evaluate((c) => {
        location.hash = `#identities?check=${c}`;
      }, waivedCheck);
      await p.waitForFunction(
        (n) => Number(document.querySelector("[data-testid=identities-count]")?.dataset.total) === n,
        openHolders.size,
      );
      assert.deepEqual(fresh.problems, []);
      assert.deepEqual(fresh.egress(), [], "no request left the page");
    });
    await fresh.finish();
  });
}

test("served: the findings page in the dark theme", async () => {
  const view = await openViewer(browser, "served", "#demo", { colorScheme: "dark" });
  await withScreenshot(view, "served-findings-dark", async () => {
    await view.page.waitForSelector("[data-testid=summary]");
    await view.page.evaluate(() => {
      location.hash = "#findings?sev=critical";
    });
    await view.page.waitForSelector("[data-testid=finding-row]");
    // Groups open when few findings match; each open finding offers a waiver.
    const toggles = await view.page.$$eval("[data-testid=group-toggle]", (b) => b.map((x) => x.getAttribute("aria-expanded")));
    assert.ok(toggles.every((t) => t === "true"));
    assert.ok((await view.page.locator("[data-testid=waive]").count()) > 0);
    await view.page.locator("[data-testid=waive]").first().click();
    await view.page.waitForSelector("[data-testid=waive-form]");
    await reviewShot(view.page, "findings-served-dark");
    assert.deepEqual(view.egress(), []);
  });
  await view.finish();
});
