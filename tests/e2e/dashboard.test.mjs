// The dashboard and frameworks pages in headless Chromium, served and from file://: the numbers shown are the native
// CLI's for the demo tenant (`idlens findings demo/tenant --as-of 2026-11-01 --format json`), the six charts are
// small SVGs with an accessible name, the riskiest identities open their pages, a framework's controls link to the
// identities table filtered by that control with exactly the count shown, back and forward walk through all of it,
// and no request leaves the page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, openViewer, withScreenshot, MODES, demoFindings } from "./harness.mjs";

let browser;
let native;
before(async () => {
  browser = await launch();
  native = demoFindings();
});
after(async () => {
  await browser?.close();
});

const hash = (page) => page.evaluate(() => location.hash);

/** The score as the page writes it: one decimal, none when whole. */
const scoreText = (s) => (Number.isInteger(s) ? String(s) : s.toFixed(1));

for (const mode of MODES) {
  test(`${mode}: the dashboard shows the native CLI's posture, findings, charts and riskiest identities`, async () => {
    const view = await openViewer(browser, mode, "#demo");
    const { page } = view;
    await withScreenshot(view, `${mode}-dashboard`, async () => {
      await page.waitForSelector("[data-testid=summary]");
      // From the load page, the dashboard is one click away; the load page itself stays (no auto-navigation).
      assert.equal(await hash(page), "#demo");
      await page.click("[data-testid=open-dashboard]");
      await page.waitForSelector("[data-testid=tenant-score]");
      assert.equal(await hash(page), "#dashboard");
      assert.equal(await page.getAttribute("[data-testid=nav-dashboard]", "aria-current"), "page");

      const tenant = native.posture.tenant;
      assert.notEqual(tenant.score, null, "the demo tenant is assessed");
      assert.equal(await page.getAttribute("[data-testid=tenant-score]", "data-score"), scoreText(tenant.score));
      assert.match(await page.textContent("[data-testid=tenant-score]"), new RegExp(`^${scoreText(tenant.score).replace(".", "\\.")}\\s*/ 100$`));
      assert.match(
        await page.textContent("[data-testid=tenant-coverage]"),
        new RegExp(`^${tenant.checks_assessed} of ${tenant.checks_total} checks assessed`),
      );

      // Open findings by severity, and the waived ones, as the CLI counts them.
      const open = native.findings.filter((f) => !f.waived);
      assert.equal(Number(await page.textContent("[data-testid=open-findings]")), open.length);
      const counts = await page.$$eval("[data-testid=severity-count]", (lis) =>
        Object.fromEntries(lis.map((li) => [li.dataset.severity, Number(li.dataset.count)])),
      );
      for (const sev of ["critical", "high", "medium", "low", "info"]) {
        assert.equal(counts[sev], open.filter((f) => f.severity === sev).length, sev);
      }
      const waived = native.findings.length - open.length;
      assert.equal(
        await page.textContent("[data-testid=waived]"),
        waived === 0 ? "None waived." : waived === 1 ? "1 more is waived (shown, not counted)." : `${waived} more are waived (shown, not counted).`,
      );

      // Posture per framework.
      const frameworks = await page.$$eval("[data-testid=dash-framework]", (trs) =>
        trs.map((tr) => ({ key: tr.dataset.key, score: tr.querySelector(".score").dataset.score })),
      );
      assert.deepEqual(
        frameworks,
        native.posture.frameworks.map((f) => ({ key: f.key, score: f.score === null ? "" : scoreText(f.score) })),
      );

      // Six charts: SVG with an accessible name, small, and a visible sentence.
      const charts = await page.$$eval("[data-testid=chart]", (figs) =>
        figs.map((fig) => {
          const svg = fig.querySelector("svg");
          return {
            id: fig.dataset.chart,
            role: svg?.getAttribute("role"),
            label: svg?.getAttribute("aria-label") ?? "",
            title: svg?.querySelector("title")?.textContent ?? "",
            elements: svg ? svg.querySelectorAll("*").length + 1 : 0,
            caption: fig.querySelector("figcaption")?.textContent ?? "",
            rows: fig.querySelectorAll("details tbody tr").length,
            scripts: fig.querySelectorAll("script").length,
          };
        }),
      );
      assert.deepEqual(
        charts.map((c) => c.id),
        ["posture", "severity", "risk", "privilege", "staleness", "expiry"],
      );
      for (const c of charts) {
        assert.equal(c.role, "img", c.id);
        assert.ok(c.label.length > 20, `${c.id} has an accessible name`);
        assert.equal(c.title, c.label, `${c.id} has a <title>`);
        assert.ok(c.elements > 5 && c.elements < 2000, `${c.id}: ${c.elements} elements`);
        assert.ok(c.caption.length > 10, `${c.id} has a visible summary`);
        assert.ok(c.rows > 0, `${c.id} has its numbers as a table`);
        assert.equal(c.scripts, 0);
      }
      const severityChart = charts.find((c) => c.id === "severity");
      assert.match(severityChart.label, new RegExp(`critical ${counts.critical}\\b`));

      // The riskiest identities, riskiest first, equal to the CLI's top scores.
      const top = await page.$$eval("[data-testid=top-identity]", (trs) =>
        trs.map((tr) => ({
          risk: Number(tr.dataset.risk),
          name: tr.querySelector("a").textContent,
          href: tr.querySelector("a").getAttribute("href"),
        })),
      );
      const risks = native.scores.map((s) => s.risk).sort((a, b) => b - a);
      assert.deepEqual(
        top.map((t) => t.risk),
        risks.slice(0, 10),
      );
      for (const t of top) assert.match(t.href, /^#identity\/./);

      // The remediation actions arrive after the dashboard: the plan's first ones, in its order.
      await page.waitForSelector("[data-testid=action]");
      const removed = await page.$$eval("[data-testid=action]", (trs) => trs.map((tr) => Number(tr.dataset.removed)));
      assert.deepEqual(
        removed,
        native.plan.actions.slice(0, removed.length).map((a) => a.risk_removed),
      );
      assert.equal(removed.length, Math.min(10, native.plan.actions.length));

      // What could not be assessed names the exports, as the CLI's not-evaluated checks do.
      const notEvaluated = native.checks.filter((c) => c.status === "not-evaluated");
      if (notEvaluated.length > 0) {
        const items = await page.$$eval("[data-testid=missing-export] li", (lis) => lis.map((li) => li.textContent));
        assert.equal(items.length, notEvaluated.length);
        for (const c of notEvaluated) assert.ok(items.some((t) => t.startsWith(c.check_id)), c.check_id);
      }
      assert.match(await page.textContent("[data-testid=read-line]"), /Read \d+ files/);

      // A top identity opens its page; back returns to the dashboard, forward to the identity.
      await page.click("[data-testid=top-identity-link] >> nth=0");
      await page.waitForSelector("[data-testid=identity-name]");
      assert.equal(await hash(page), top[0].href);
      assert.equal(await page.textContent("[data-testid=identity-name]"), top[0].name);
      await page.goBack();
      await page.waitForSelector("[data-testid=tenant-score]");
      assert.equal(await hash(page), "#dashboard");
      await page.goForward();
      await page.waitForSelector("[data-testid=identity-name]");
      assert.equal(await hash(page), top[0].href);

      assert.deepEqual(view.problems, []);
      assert.deepEqual(view.egress(), []);
    });
    await view.finish();
  });

  test(`${mode}: the frameworks page lists six frameworks, OWASP's ten risks, and a control's identities`, async () => {
    const view = await openViewer(browser, mode, "#demo");
    const { page } = view;
    await withScreenshot(view, `${mode}-frameworks`, async () => {
      await page.waitForSelector("[data-testid=summary]");
      await page.click("[data-testid=nav-frameworks]");
      await page.waitForSelector("[data-testid=framework-row]");
      assert.equal(await hash(page), "#frameworks");
      const rows = await page.$$eval("[data-testid=framework-row]", (trs) =>
        trs.map((tr) => ({ key: tr.dataset.key, score: tr.querySelector(".score").dataset.score })),
      );
      assert.equal(rows.length, 6);
      assert.deepEqual(
        rows,
        native.posture.frameworks.map((f) => ({ key: f.key, score: f.score === null ? "" : scoreText(f.score) })),
      );
      assert.equal(await page.$("[data-testid=framework-detail]"), null, "no framework open yet");

      // OWASP NHI Top 10: NHI1…NHI10, named.
      await page.click("[data-testid=framework-row][data-key=owasp-nhi-2025] [data-testid=framework-link]");
      await page.waitForSelector("[data-testid=framework-detail][data-key=owasp-nhi-2025]");
      assert.equal(await hash(page), "#frameworks/owasp-nhi-2025");
      const controls = await page.$$eval("[data-testid=control-row]", (trs) =>
        trs.map((tr) => ({
          id: tr.dataset.control,
          filter: tr.dataset.filter,
          title: tr.querySelector(".ctitle").textContent,
          score: tr.querySelector(".score").dataset.score,
          checks: tr.querySelectorAll("[data-testid=control-check]").length,
          all: tr.querySelector("[data-testid=control-all]")?.dataset.count ?? null,
          status: tr.querySelector(".chip.status").textContent,
        })),
      );
      assert.deepEqual(
        controls.map((c) => c.id),
        Array.from({ length: 10 }, (_, i) => `NHI${i + 1}`),
      );
      const owasp = native.posture.frameworks.find((f) => f.key === "owasp-nhi-2025");
      controls.forEach((c, i) => {
        const want = owasp.controls[i];
        assert.equal(c.title, want.title);
        assert.match(c.title, /^NHI\d+:2025 \w/, "named");
        assert.equal(c.filter, `owasp-nhi-2025:${c.id}`);
        assert.equal(c.score, want.score === null ? "" : scoreText(want.score), c.id);
        if (want.score === null) assert.equal(c.status, "Not assessed", `${c.id} is never shown as met`);
        assert.equal(c.checks, want.checks.length, c.id);
      });

      // "all N identities" opens the identities table filtered by that control, with N rows in all. N is the CLI's
      // count of identities with an open finding mapped to the control.
      const pick = controls.filter((c) => c.all !== null).sort((a, b) => Number(b.all) - Number(a.all))[0];
      assert.ok(pick, "some OWASP control has failing identities");
      const expected = new Set(
        native.findings
          .filter((f) => !f.waived && f.identity.index !== undefined && (f.controls["owasp-nhi-2025"] ?? []).includes(pick.id))
          .map((f) => f.identity.index),
      ).size;
      assert.equal(Number(pick.all), expected);
      await page.click(`[data-testid=control-row][data-control=${pick.id}] [data-testid=control-all]`);
      await page.waitForSelector("[data-testid=identity-row]");
      const h = decodeURIComponent(await hash(page));
      assert.match(h, /^#identities\?/);
      assert.ok(h.includes(`control=owasp-nhi-2025:${pick.id}`), h);
      await page.waitForFunction(
        (n) => document.querySelector("[data-testid=identities-count]")?.dataset.total === String(n),
        expected,
      );

      // Back to the framework, back to the list, forward again.
      await page.goBack();
      await page.waitForSelector("[data-testid=framework-detail][data-key=owasp-nhi-2025]");
      assert.equal(await hash(page), "#frameworks/owasp-nhi-2025");
      await page.goBack();
      await page.waitForFunction(() => location.hash === "#frameworks" && !document.querySelector("[data-testid=framework-detail]"));
      await page.goForward();
      await page.waitForSelector("[data-testid=framework-detail][data-key=owasp-nhi-2025]");

      // An unknown framework says so.
      await page.evaluate(() => {
        location.hash = "#frameworks/iso-27001";
      });
      await page.waitForSelector("[data-testid=unknown-framework]");

      assert.deepEqual(view.problems, []);
      assert.deepEqual(view.egress(), []);
    });
    await view.finish();
  });

  test(`${mode}: the dashboard and frameworks pages say nothing is loaded before a load`, async () => {
    for (const h of ["#dashboard", "#frameworks/owasp-nhi-2025"]) {
      const view = await openViewer(browser, mode, h);
      await withScreenshot(view, `${mode}-dashboard-empty`, async () => {
        await view.page.waitForSelector("[data-testid=nothing-loaded]");
        assert.deepEqual(view.problems, []);
        assert.deepEqual(view.egress(), []);
      });
      await view.finish();
    }
  });
}
