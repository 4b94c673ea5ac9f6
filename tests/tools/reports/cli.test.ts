/** `npm run reports`: files and folders, the three outputs' shared figures, flags, and exit statuses 0, 1 and 2. */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Summary } from "../../../lib/reports/summary";
import { main, parseDay } from "../../../tools/reports/cli";
import { MEMORY_FLAGS } from "../../../tools/reports";
import { scripts } from "../../../package.json";
import { randomBelow, seededRandom } from "../../fixtures/random";
import { real, reportEmail, rfc9990Report } from "../../fixtures/reports";
import { npmRun } from "../cli";

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t), now: () => new Date("2026-12-01T12:00:00Z") });
  return { code, out, err };
}

describe("reports command line", () => {
  let dir: string;
  let good: string;
  let mixed: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "reports-cli-"));
    good = join(dir, "good");
    mixed = join(dir, "mixed");
    mkdirSync(join(good, "2018"), { recursive: true });
    writeFileSync(join(good, "2018", "google.zip"), real("googleZip"));
    writeFileSync(join(good, "2018", "google.xml"), real("googleXml"));
    writeFileSync(join(good, "ironport"), real("ironportGz"));
    writeFileSync(join(good, ".DS_Store"), "not read");
    mkdirSync(mixed);
    writeFileSync(join(mixed, "a-ironport.xml"), real("ironportXml"));
    writeFileSync(join(mixed, "b-notes.txt"), "meeting notes");
    writeFileSync(join(mixed, "c-bomb.xml.gz"), gzipSync(Buffer.concat([Buffer.from("<feedback>"), Buffer.alloc(3 * 1024 * 1024, " ")])));
    writeFileSync(join(mixed, "d-mail"), reportEmail([{ filename: "r.xml", contentType: "text/xml", bytes: Buffer.from(rfc9990Report({ reportId: "m-1", begin: 1795996800, rows: [{ ip: "54.240.8.1", count: 10, dkim: "pass", spf: "pass" }] })) }]));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("reads folders recursively in name order, passing over dot files; exit 0 when every input is a report", async () => {
    const { code, out } = await run([good]);
    assert.equal(code, 0, out);
    assert.match(out, /^3 reports read \(1 read twice, counted once\), 0 inputs not reports$/m);
    assert.match(out, /^keltia\.net {2}2018-10-02 to 2018-10-04: 2 reports from 2 reporters, 3 messages$/m);
    assert.match(out, /^ {2}DMARC pass 33\.3%, DKIM aligned 0\.0%, SPF aligned 33\.3%$/m);
    assert.match(out, /^ {2}stage 1 \(monitor\); next: stage 2 \(test\), p=quarantine; pct=0; t=y$/m);
    assert.match(out, /^ {2}NOT READY for stage 2:$/m);
    assert.doesNotMatch(out, /DS_Store/);
  });

  it("lists each input that is not a report with the reason, counts the rest, and exits 1", async () => {
    const { code, out } = await run([mixed, "--max-member-mb", "1"]);
    assert.equal(code, 1);
    assert.match(out, /^2 reports read, 2 inputs not reports$/m);
    assert.match(out, new RegExp(`^  ${join(mixed, "b-notes.txt")}: not a DMARC aggregate report: it is neither XML, gzip, zip nor an email`, "m"));
    assert.match(out, new RegExp(`^  ${join(mixed, "c-bomb.xml.gz")}: gzip data expands past 1 MiB, the limit for one member \\(--max-member-mb\\): refused$`, "m"));
    assert.match(out, /^example\.com .*10 messages$/m);
  });

  it("prints the summary as JSON with --json", async () => {
    const { code, out } = await run([good, "--json"]);
    assert.equal(code, 0);
    const s = JSON.parse(out) as Summary;
    assert.deepEqual(s.reports.map((r) => [r.reporter, r.messages, r.duplicateOf !== undefined]), [["google.com", 2, false], ["google.com", 2, true], ["esa1.eurocontrol.c3s2.iphmx.com", 1, false]]);
    assert.deepEqual(s.domains.map((d) => [d.domain, d.messages, d.dmarcPass, d.advice.stage.number, d.advice.next?.number, d.advice.ready]), [["keltia.net", 3, 1, 1, 2, false]]);
    assert.deepEqual(s.errors, []);
  });

  it("takes the advice's thresholds from flags", async () => {
    const relaxed = ["--min-pass", "30", "--min-days", "2", "--min-reporters", "2", "--min-messages", "3", "--max-source-fail", "40"];
    const { out } = await run([good, "--json", ...relaxed]);
    const [d] = (JSON.parse(out) as Summary).domains;
    assert.equal(d.advice.ready, true, JSON.stringify(d.advice.reasons));
    assert.deepEqual((JSON.parse(out) as Summary).thresholds, { minPassPercent: 30, minDays: 2, minReporters: 2, minMessages: 3, maxSourceFailPercent: 40 });
    assert.match((await run([good, ...relaxed])).out, /^ {2}READY for stage 2:$/m);
  });

  it("keeps to --since and --until (days, or N days ago)", async () => {
    const s = JSON.parse((await run([good, "--json", "--since", "2018-10-03", "--until", "2018-10-31"])).out) as Summary;
    assert.deepEqual([s.reports.length, s.outsidePeriod, s.domains[0].messages], [1, 2, 1]);
    assert.equal(parseDay("--since", "30d", new Date("2026-12-01T12:00:00Z")), "2026-11-01");
  });

  it("marks SES sources by another SPF record with --ses-spf", async () => {
    const s = JSON.parse((await run([good, "--json", "--ses-spf", "v=spf1 ip4:88.191.250.0/24 -all"])).out) as Summary;
    assert.deepEqual(s.domains[0].sources.filter((x) => x.ses).map((x) => x.ip), ["88.191.250.24"]);
  });

  for (const [args, message] of [
    [[], /give report files or folders, --bucket s3:\/\/BUCKET\/PREFIX, or --stack NAME/],
    [[".", "--region", "eu-west-1"], /--region and --endpoint go with --bucket or --stack/],
    [["--frobnicate"], /Unknown option '--frobnicate'/],
    [["/no/such/folder"], /\/no\/such\/folder: no such file or folder/],
    [[".", "--since", "2026-02-30"], /--since: "2026-02-30" is not a day/],
    [[".", "--since", "2026-12-02", "--until", "2026-12-01"], /--since 2026-12-02 is after --until 2026-12-01/],
    [[".", "--min-pass", "120"], /--min-pass: "120" is not a number from 0 to 100/],
    [[".", "--min-days", "1.5"], /--min-days: "1.5" is not a whole number/],
    [[".", "--max-member-mb", "0"], /--max-member-mb: must be more than 0/],
    [[".", "--ses-spf", "include:amazonses.com"], /--ses-spf: not an SPF record/],
    [["--bucket", "s3://Not_A_Bucket"], /--bucket: "s3:\/\/Not_A_Bucket" is not s3:\/\/BUCKET/],
    [[".", "--endpoint", "http://127.0.0.1:9"], /--region and --endpoint go with --bucket/],
    [[".", "--html", "/no/such/folder/page.html"], /--html: cannot write into the folder/],
  ] as [string[], RegExp][]) {
    it(`exits 2 on ${args.join(" ") || "no arguments"}`, async () => {
      const { code, out, err } = await run(args);
      assert.equal(code, 2);
      assert.equal(out, "");
      assert.match(err, message);
      assert.match(err, /^usage: npm run reports/m);
    });
  }

  it("reads or refuses each of 600 real reports whose values are replaced by odd ones, in every output: never a throw", async () => {
    // Real reports (the draft format's by its first 20 records), with one to three element texts (counts, dates, IPs, verdicts, names…) replaced.
    const ODD = ["", " ", "-1", "0", "-0", "12.0", "1.5", "1e309", "0x10", "NaN", "99999999999999999999", "253402300799", "253402300800", "PASS", " Reject ", "none", "s", "y", "254.1.2.3.4", "::1", "2001:db8::/32", "\u202egoogle.com", "ÿ", "x".repeat(300)];
    const LEAF = /(<([A-Za-z_][\w.:-]*)[^>]*>)([^<]*)(<\/\2>)/g;
    const draft = real("googleDraft").toString("utf8");
    const twentyRecords = draft.split("</record>").slice(0, 20).join("</record>") + "</record>\n</feedback>\n";
    const bases = [...(["googleXml", "ironportXml", "netease163", "aol"] as const).map((name) => real(name).toString("utf8")), twentyRecords];
    const next = seededRandom(7489);
    const fuzzed = join(dir, "fuzzed");
    mkdirSync(fuzzed);
    for (let i = 0; i < 600; i++) {
      const base = bases[i % bases.length];
      const leaves = [...base.matchAll(LEAF)].length;
      const chosen = new Set(Array.from({ length: 1 + randomBelow(next, 3) }, () => randomBelow(next, leaves)));
      let n = 0;
      const text = base.replace(LEAF, (whole, open: string, _name, _text, close: string) => (chosen.has(n++) ? `${open}${ODD[randomBelow(next, ODD.length)]}${close}` : whole));
      writeFileSync(join(fuzzed, `r${String(i).padStart(3, "0")}.xml`), text.replace(/<report_id>[^<]*/, `<report_id>fuzz-${i}`));
    }
    const json = await run([fuzzed, "--json"]);
    assert.ok(json.code === 0 || json.code === 1, json.err);
    assert.equal(json.err, "");
    const summary = JSON.parse(json.out) as Summary;
    assert.equal(summary.reports.length + summary.errors.length, 600);
    assert.ok(summary.reports.length > 300 && summary.errors.length > 10, `${summary.reports.length} read, ${summary.errors.length} refused: both outcomes exercised`);
    for (const args of [[], ["--html", join(dir, "fuzzed.html")]]) {
      const other = await run([fuzzed, ...args]);
      assert.equal(other.code, json.code, other.err);
    }
  });

  it("runs as npm run reports with its memory flags, so that it is not started twice", () => {
    assert.deepEqual(scripts.reports.split(" ").slice(0, 1 + MEMORY_FLAGS.length), ["node", ...MEMORY_FLAGS]);
  });

  it("runs as npm run reports: a broken input is listed, never a stack trace", () => {
    const broken = npmRun("reports", [mixed, "--max-member-mb", "1"]);
    assert.equal(broken.status, 1, broken.stderr);
    assert.equal(broken.stderr, "");
    assert.match(broken.stdout, /b-notes\.txt: not a DMARC aggregate report/);
    const usage = npmRun("reports", ["--since", "tomorrow", good]);
    assert.equal(usage.status, 2);
    assert.doesNotMatch(usage.stderr, /^\s+at /m);
  });
});
