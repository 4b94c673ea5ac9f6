/**
 * The --html page in a real headless Chromium (Debian's chromium, which npm test's pretest
 * installs, driven by playwright-core): it renders with no console error and no request beyond
 * the file itself, draws the chart, and shows the figures --json gives.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BrowserContext, chromium, Page } from "playwright-core";
import { Summary } from "../../../lib/reports/summary";
import { main } from "../../../tools/reports/cli";
import { count, share } from "../../../tools/reports/figures";
import { real, rfc9990Report, Row } from "../../fixtures/reports";

const CHROMIUM = "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const DAY = 86400;
const START = 1795996800; // 2026-11-30

describe("reports --html in Chromium", function () {
  this.timeout(120000);
  let dir: string;
  let context: BrowserContext;
  let page: Page;
  let summary: Summary;
  const problems: string[] = [];
  const requests: string[] = [];

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run npm test (its pretest installs Debian's chromium) or apt-get install chromium`);
    dir = mkdtempSync(join(tmpdir(), "reports-html-"));
    const inputs = join(dir, "in");
    mkdirSync(inputs);
    writeFileSync(join(inputs, "google.zip"), real("googleZip"));
    writeFileSync(join(inputs, "ironport.xml.gz"), real("ironportGz"));
    writeFileSync(join(inputs, "junk.txt"), "<not a report & <script>alert(1)</script>");
    // Ten days of a domain moving to SES, with a gap on day 6 and a source whose name needs escaping.
    for (let i = 0; i < 10; i++) {
      if (i === 6) continue;
      const rows: Row[] = [
        { ip: "54.240.8.1", count: 100 + 10 * i, dkim: "pass", spf: i % 2 ? "pass" : "fail" },
        { ip: "192.0.2.66", count: 10 - i, dkim: "fail", spf: "fail", headerFrom: "&lt;b&gt;evil&lt;/b&gt;.example.com" },
      ];
      writeFileSync(join(inputs, `day${i}.xml`), rfc9990Report({ reportId: `d${i}`, reporter: i % 2 ? "receiver.example" : "other.example", begin: START + i * DAY, rows }));
    }
    const file = join(dir, "report.html");
    let out = "";
    const code = await main([inputs, "--json", "--html", file], { out: (t) => (out += t), err: (t) => (out += t) });
    assert.equal(code, 1, out);
    summary = JSON.parse(out);
    context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "chromium-profile-")), { executablePath: CHROMIUM, headless: true, args: FLAGS });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(`file://${file}`);
  });
  after(async () => {
    await context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("renders with no console error and fetches nothing", () => {
    assert.deepEqual(problems, []);
    assert.deepEqual(requests, [`file://${join(dir, "report.html")}`]);
  });

  it("draws each domain's pass rate per day, one point per day with reports", async () => {
    for (const d of summary.domains) {
      const section = page.locator(`section[data-domain="${d.domain}"]`);
      const chart = section.locator("svg.chart");
      const box = await chart.boundingBox();
      assert.ok(box && box.width > 300 && box.height > 80, JSON.stringify(box));
      const line = await section.locator("svg.chart polyline.rate").evaluate((el: SVGPolylineElement) => ({ length: el.getTotalLength(), stroke: getComputedStyle(el).stroke, points: el.points.numberOfItems }));
      assert.equal(line.points, d.days.length);
      assert.notEqual(line.stroke, "none");
      if (d.days.length > 1) assert.ok(line.length > 50, `${line.length}`);
      const points = await section.locator("svg.chart circle.point").evaluateAll((els) => els.map((el) => ({ date: el.getAttribute("data-date"), rate: el.getAttribute("data-rate"), r: (el as SVGCircleElement).getBBox().width })));
      assert.deepEqual(points.map((p) => [p.date, p.rate]), d.days.map((t) => [t.date, share(t.dmarcPass, t.messages)]));
      assert.ok(points.every((p) => p.r > 0));
      assert.equal(await section.locator("svg.chart rect.bar").count(), d.days.length);
    }
    const example = summary.domains.find((d) => d.domain === "example.com")!;
    assert.ok(!example.days.some((t) => t.date === "2026-12-06"), "the gap day has no point");
  });

  it("shows the figures of --json", async () => {
    const text = (locator: ReturnType<Page["locator"]>) => locator.innerText().then((t) => t.trim());
    for (const d of summary.domains) {
      const section = page.locator(`section[data-domain="${d.domain}"]`);
      assert.equal(await text(section.locator('[data-figure="messages"]')), count(d.messages));
      assert.equal(await text(section.locator('[data-figure="dmarcPass"]')), share(d.dmarcPass, d.messages));
      assert.equal(await text(section.locator('[data-figure="dkimPass"]')), share(d.dkimPass, d.messages));
      assert.equal(await text(section.locator('[data-figure="spfPass"]')), share(d.spfPass, d.messages));
      const rows = await section.locator("table.sources tbody tr").evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => (td as HTMLElement).innerText.trim())),
      );
      assert.deepEqual(
        rows.map((r) => r.slice(0, 5).concat(r[7])),
        d.sources.map((s) => [s.ip, s.ses ? "SES" : "no", count(s.messages), count(s.dmarcPass), share(s.dmarcPass, s.messages), count(s.failing)]),
      );
      assert.equal(await section.locator(".stage").getAttribute("data-stage"), String(d.advice.stage.number));
      const checks = await section.locator(".checks li").evaluateAll((lis) => lis.map((li) => [li.getAttribute("data-check"), li.className]));
      assert.deepEqual(checks, d.advice.next ? d.advice.reasons.map((r) => [r.check, r.met ? "met" : "unmet"]) : []);
    }
    const errors = await page.locator("table.errors tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => (td as HTMLElement).innerText)));
    assert.deepEqual(errors, summary.errors.map((e) => [e.file, e.message]));
  });

  it("escapes what reports say, and sorts a table by a heading", async () => {
    assert.equal(await page.locator("b").count(), 0, "a report's <b> was not rendered as HTML");
    assert.match(await page.locator('section[data-domain="example.com"] table.sources').innerText(), /<b>evil<\/b>\.example\.com/);
    const section = page.locator('section[data-domain="example.com"]');
    await section.locator("table.sources th", { hasText: "Failing" }).click();
    const failing = await section.locator('table.sources tbody td[data-field="failing"]').allInnerTexts();
    assert.deepEqual(failing, [...failing].sort((a, b) => Number(b.replace(/,/g, "")) - Number(a.replace(/,/g, ""))));
    assert.equal(failing[0], count(summary.domains.find((d) => d.domain === "example.com")!.sources.find((s) => s.ip === "192.0.2.66")!.failing));
    assert.deepEqual(problems, []);
  });
});
