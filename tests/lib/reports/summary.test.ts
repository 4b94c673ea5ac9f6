/** The summary per policy domain over real and made reports: duplicates, breakdowns, SES sources, the period, the JSON shape. */
import assert from "node:assert/strict";
import { Input, summarize } from "../../../lib/reports/read";
import { reportDay } from "../../../lib/reports/summary";
import { gzip, real, REAL, rfc9990Report, Row } from "../../fixtures/reports";
import { once } from "../../../lib/reports/extract";

const input = (name: string, bytes: Buffer | string): Input => ({ name, chunks: () => once(typeof bytes === "string" ? Buffer.from(bytes) : bytes) });
const DAY = 86400;
const MONDAY = 1795996800; // 2026-11-30T00:00:00Z

describe("reports: the summary per policy domain", () => {
  it("counts a report read twice once: a .gz and a .zip of one real report, and the .xml of each", async () => {
    const s = await summarize([
      input("google.xml", real("googleXml")),
      input("google.zip", real("googleZip")),
      input("ironport.xml.gz", real("ironportGz")),
      input("ironport.xml", real("ironportXml")),
      input("google.xml.gz", gzip(real("googleXml"))),
    ]);
    assert.deepEqual(
      s.reports.map((r) => [r.file, r.duplicateOf]),
      [
        ["google.xml", undefined],
        [`google.zip#${REAL.googleXml.split("/").pop()}`, "google.xml"],
        ["ironport.xml.gz", undefined],
        ["ironport.xml", "ironport.xml.gz"],
        ["google.xml.gz", "google.xml"],
      ],
    );
    const [d] = s.domains;
    assert.deepEqual([d.domain, d.reports, d.messages, d.dmarcPass, d.dkimPass, d.spfPass], ["keltia.net", 2, 3, 1, 0, 1]);
    assert.deepEqual(d.reporters.map((r) => [r.reporter, r.reports, r.messages]), [["google.com", 1, 2], ["esa1.eurocontrol.c3s2.iphmx.com", 1, 1]]);
    assert.deepEqual(d.days, [
      { date: "2018-10-02", messages: 2, dmarcPass: 0, dkimPass: 0, spfPass: 0 },
      { date: "2018-10-04", messages: 1, dmarcPass: 1, dkimPass: 0, spfPass: 1 },
    ]);
  });

  it("counts a report of the same id from another reporter, or for another domain", async () => {
    const rows: Row[] = [{ ip: "192.0.2.1", count: 1, dkim: "pass", spf: "pass" }];
    const s = await summarize([
      input("a", rfc9990Report({ reportId: "same", begin: MONDAY, rows })),
      input("b", rfc9990Report({ reportId: "same", reporter: "other.example", begin: MONDAY, rows })),
      input("c", rfc9990Report({ reportId: "same", domain: "example.org", begin: MONDAY, rows })),
    ]);
    assert.deepEqual(s.reports.filter((r) => r.duplicateOf).length, 0);
    assert.deepEqual(s.domains.map((d) => [d.domain, d.messages]), [["example.com", 2], ["example.org", 1]]);
  });

  it("breaks a domain down by source, marking SES's addresses, failing sources first by volume", async () => {
    const s = await summarize([
      input("monday", rfc9990Report({ reportId: "1", begin: MONDAY, rows: [{ ip: "54.240.8.1", count: 90, dkim: "pass", spf: "pass" }, { ip: "192.0.2.7", count: 6, dkim: "fail", spf: "fail" }] })),
      input("tuesday", rfc9990Report({ reportId: "2", begin: MONDAY + DAY, rows: [{ ip: "54.240.8.1", count: 50, dkim: "pass", spf: "fail" }, { ip: "23.251.230.9", count: 4, dkim: "fail", spf: "fail" }] })),
    ]);
    const [d] = s.domains;
    assert.deepEqual(
      d.sources.map((x) => [x.ip, x.ses, x.messages, x.dmarcPass, x.dkimPass, x.spfPass, x.failing]),
      [
        ["54.240.8.1", true, 140, 140, 140, 90, 0],
        ["192.0.2.7", false, 6, 0, 0, 0, 6],
        ["23.251.230.9", true, 4, 0, 0, 0, 4],
      ],
    );
    assert.deepEqual(d.days.map((x) => [x.date, x.messages, x.dmarcPass]), [["2026-11-30", 96, 90], ["2026-12-01", 54, 50]]);
    assert.deepEqual(d.advice.losses.map((l) => [l.ip, l.ses, l.failing, l.percent]), [["192.0.2.7", false, 6, 4], ["23.251.230.9", true, 4, 2.67]]);
    assert.deepEqual([d.begin, d.end], ["2026-11-30T00:00:00Z", "2026-12-01T23:59:59Z"]);
  });

  it("keeps to the period, by the day each report's range is centred on", async () => {
    const rows: Row[] = [{ ip: "192.0.2.1", count: 1, dkim: "pass", spf: "pass" }];
    const inputs = [0, 1, 2, 3].map((i) => input(`d${i}`, rfc9990Report({ reportId: `${i}`, begin: MONDAY + i * DAY, rows })));
    const s = await summarize(inputs, { period: { since: "2026-12-01", until: "2026-12-02" } });
    assert.deepEqual(s.reports.map((r) => r.reportId), ["1", "2"]);
    assert.equal(s.outsidePeriod, 2);
    assert.equal(reportDay({ begin: 1538604008, end: 1538690408 }), "2018-10-04");
  });

  it("takes pct from RFC 7489 reports and t from RFC 9990 ones, which carry only one each", async () => {
    const rfc7489 = real("googleXml").toString().replace("<p>none</p>", "<p>quarantine</p>").replace("<pct>100</pct>", "<pct>0</pct>");
    const s = await summarize([
      input("7489.xml", rfc7489),
      input("9990.xml", rfc9990Report({ reportId: "t", domain: "keltia.net", begin: 1538524800, rows: [{ ip: "192.0.2.1", count: 1, dkim: "pass", spf: "pass" }] })),
    ]);
    const [d] = s.domains;
    assert.deepEqual([d.policy.p, d.policy.pct, d.policy.testing], ["quarantine", 0, "y"]);
    assert.equal(d.advice.stage.number, 2);
    assert.deepEqual(d.advice.notes.filter((n) => !n.startsWith("the published policy changed")), []);
  });

  it("lists inputs that are not reports, and counts the others", async () => {
    const s = await summarize([input("junk.txt", "hello"), input("google.xml", real("googleXml"))]);
    assert.deepEqual(s.errors, [{ file: "junk.txt", message: "not a DMARC aggregate report: it is neither XML, gzip, zip nor an email (first bytes: 68 65 6c 6c 6f)" }]);
    assert.equal(s.domains[0].messages, 2);
  });

  it("holds at least the fields of the documented JSON shape", async () => {
    const s = JSON.parse(JSON.stringify(await summarize([input("google.xml", real("googleXml"))])));
    const has = (object: object, keys: string[]) => assert.deepEqual(keys.filter((k) => !(k in object)), [], JSON.stringify(object).slice(0, 200));
    has(s, ["reports", "errors", "domains"]);
    has(s.reports[0], ["file", "reporter", "reportId", "domain", "begin", "end", "policy", "rows", "messages", "dkimPass", "spfPass", "dmarcPass"]);
    has(s.reports[0].policy, ["p", "sp", "pct", "np", "testing", "adkim", "aspf"]);
    has(s.domains[0], ["domain", "begin", "end", "messages", "dmarcPass", "dkimPass", "spfPass", "sources", "days", "advice"]);
    has(s.domains[0].sources[0], ["ip", "messages", "dmarcPass", "ses"]);
    has(s.domains[0].days[0], ["date", "messages", "dmarcPass"]);
    has(s.domains[0].advice, ["stage", "next", "ready", "reasons"]);
  });
});
