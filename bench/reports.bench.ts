/**
 * `npm run reports` reading and summarising 10,000 reports built from real ones (tests/fixtures/
 * reports.ts: google.com's, an IronPort reporter's, NetEase's 163.com and yeah.net's), each with its
 * own report id, a quarter each as .xml, .xml.gz, .zip and as an email with the report attached.
 * Next to it, in the same run, the ceiling: saxes (the reader's parser) over the same decompressed
 * bytes held in memory, with no handlers. Runs of each alternate, so both see the same drift of a
 * shared machine; each is timed by the wall clock and by the CPU time this process used (the
 * steadier figure when other work shares the cores). Then peak RSS of `npm run reports` itself at
 * 1,000 and at 10,000 reports, each in its own process (/usr/bin/time). Targets: within 2x of the
 * ceiling; RSS at 10,000 at most 1.5x that at 1,000. A missed target prints MISS; a wrong count
 * fails the run.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SaxesParser } from "saxes";
import { summarize } from "../lib/reports/read";
import { ReportReader } from "../lib/reports/xml";
import { fileInputs } from "../tools/reports/files";
import { scriptCommand } from "./npm-script";
import { gzip, real, REAL, reportEmail, withReportId, zip } from "../tests/fixtures/reports";

const REPORTS = 10000;
const SMALL = 1000;
const PASSES = 3;
const ROOT = join(__dirname, "..");
/** The real reports the corpus repeats, yeah.net's (162 KB) one time in 25. */
const SAMPLES: (keyof typeof REAL)[] = ["googleXml", "ironportXml", "netease163"];

function corpus(dir: string): { xml: Buffer[]; bytes: number } {
  const texts = Object.fromEntries([...SAMPLES, "yeahNet" as const].map((s) => [s, real(s).toString("utf8")]));
  const xml: Buffer[] = [];
  let bytes = 0;
  for (let i = 0; i < REPORTS; i++) {
    const sample = i % 25 === 24 ? "yeahNet" : SAMPLES[i % SAMPLES.length];
    const report = Buffer.from(withReportId(texts[sample], `bench-${i}`));
    xml.push(report);
    const name = `r${String(i).padStart(5, "0")}`;
    const kind = i % 4;
    const content = kind === 0 ? report : kind === 1 ? gzip(report) : kind === 2 ? zip([{ name: `${name}.xml`, data: report }]) : reportEmail([{ filename: `${name}.xml.gz`, contentType: "application/gzip", bytes: gzip(report) }]);
    // Emails get no extension, as SES's S3 action stores them.
    writeFileSync(join(dir, kind === 3 ? name : `${name}.${["xml", "xml.gz", "zip"][kind]}`), content);
    bytes += content.length;
  }
  return { xml, bytes };
}

interface Timing {
  seconds: number;
  cpu: number;
}

async function timed<T>(work: () => T | Promise<T>): Promise<Timing & { result: T }> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const result = await work();
  const used = process.cpuUsage(cpu);
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, cpu: (used.user + used.system) / 1e6, result };
}

/** The ceiling: decode and parse the same XML with the same parser, doing nothing with it. */
function bareParse(xml: Buffer[]): void {
  for (const bytes of xml) {
    const parser = new SaxesParser();
    parser.write(new TextDecoder().decode(bytes));
    parser.close();
  }
}

/** The reader alone over the same XML in memory: no files, no unpacking, no summary. */
function readerOnly(xml: Buffer[]): void {
  for (const bytes of xml) {
    const reader = new ReportReader();
    reader.write(bytes);
    reader.finish();
  }
}

async function readAll(dir: string): Promise<{ reports: number; errors: number; messages: number }> {
  const summary = await summarize(fileInputs([dir]));
  return { reports: summary.reports.length, errors: summary.errors.length, messages: summary.domains.reduce((n, d) => n + d.messages, 0) };
}

/** Peak RSS (MB) and wall time of `npm run reports -- DIR --json`'s command line on this Node (%M: the largest process of the tree). */
function peak(dir: string): { mb: number; seconds: number; status: number | null } {
  const [node, args] = scriptCommand("reports", [dir, "--json"]);
  const run = spawnSync("/usr/bin/time", ["-f", "%e %M", node, ...args], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 30 });
  const [seconds, kb] = run.stderr.trim().split("\n").pop()!.split(" ").map(Number);
  return { mb: kb / 1024, seconds, status: run.status };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  execFileSync("bash", [join(ROOT, "tools/debian-source.sh"), "dmarc-cat", "opendmarc"], { stdio: "inherit" });
  execFileSync("bash", [join(ROOT, "tools/ensure-command.sh"), "/usr/bin/time", "time"], { stdio: "inherit" });
  const dir = mkdtempSync(join(tmpdir(), "reports-bench-"));
  try {
    const all = join(dir, "all");
    const small = join(dir, "small");
    mkdirSync(all);
    mkdirSync(small);
    const { xml, bytes } = corpus(all);
    for (const name of readdirSync(all).sort().slice(0, SMALL)) linkSync(join(all, name), join(small, name));
    const xmlBytes = xml.reduce((n, b) => n + b.length, 0);

    // Warm-up: JIT and the page cache.
    const warm = (await timed(() => readAll(all))).result;
    bareParse(xml);
    readerOnly(xml);
    const ours: Timing[] = [];
    const ceiling: Timing[] = [];
    const reader: Timing[] = [];
    for (let i = 0; i < PASSES; i++) {
      ours.push(await timed(() => readAll(all)));
      ceiling.push(await timed(() => bareParse(xml)));
      reader.push(await timed(() => readerOnly(xml)));
    }
    const t = median(ours.map((x) => x.seconds));
    const c = median(ceiling.map((x) => x.seconds));
    const cpuRatio = median(ours.map((x) => x.cpu)) / median(ceiling.map((x) => x.cpu));
    const ratio = t / c;
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    const runs = (xs: Timing[]) => xs.map((x) => `${x.seconds.toFixed(2)}/${x.cpu.toFixed(2)}`).join(" ");
    console.log(`reports: ${REPORTS} reports (${mb(bytes)} MB on disk as xml/gz/zip/eml, ${mb(xmlBytes)} MB of XML), ${warm.messages} messages`);
    console.log(`read and summarised, median of ${PASSES}: ${t.toFixed(2)} s, ${(REPORTS / t).toFixed(0)} reports/s, ${mb(xmlBytes / t)} MB/s of XML (wall/CPU s: ${runs(ours)})`);
    console.log(`ceiling, saxes alone over the same XML in memory: ${c.toFixed(2)} s, ${(REPORTS / c).toFixed(0)} reports/s, ${mb(xmlBytes / c)} MB/s (wall/CPU s: ${runs(ceiling)})`);
    console.log(`the reader alone over that XML in memory (no files, unpacking or summary): ${median(reader.map((x) => x.seconds)).toFixed(2)} s (wall/CPU s: ${runs(reader)})`);
    console.log(`per pass, reader/ceiling, wall: ${ours.map((x, i) => (x.seconds / ceiling[i].seconds).toFixed(2)).join(" ")}; CPU: ${ours.map((x, i) => (x.cpu / ceiling[i].cpu).toFixed(2)).join(" ")}`);

    const p1 = peak(small);
    const p10 = peak(all);
    console.log(`peak RSS of reports DIR --json: ${p1.mb.toFixed(0)} MB at ${SMALL} reports (${p1.seconds} s), ${p10.mb.toFixed(0)} MB at ${REPORTS} (${p10.seconds} s)`);
    const targets = [
      [`${ratio.toFixed(2)}x the ceiling's wall time (target at most 2x)`, ratio <= 2],
      [`${cpuRatio.toFixed(2)}x the ceiling's CPU time (target at most 2x)`, cpuRatio <= 2],
      [`RSS at ${REPORTS} is ${(p10.mb / p1.mb).toFixed(2)}x that at ${SMALL} (target at most 1.5x)`, p10.mb / p1.mb <= 1.5],
    ] as const;
    const sound = [
      [`${warm.reports} reports read, ${warm.errors} errors`, warm.reports === REPORTS && warm.errors === 0],
      [`both RSS runs exited 0 (${p1.status}, ${p10.status})`, p1.status === 0 && p10.status === 0],
    ] as const;
    for (const [what, met] of [...targets, ...sound]) console.log(`${met ? "ok  " : "MISS"} ${what}`);
    if (sound.some(([, met]) => !met)) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
