/**
 * `npm run reports` reading and summarising 10,000 reports built from real ones (tests/fixtures/
 * reports.ts: google.com's, an IronPort reporter's, NetEase's 163.com and yeah.net's), each with its
 * own report id, a quarter each as .xml, .xml.gz, .zip and as an email with the report attached
 * (bench/reports-corpus.ts). Next to it, in the same run, the ceiling: saxes, a conforming XML
 * parser, over the same decompressed bytes held in memory, with no handlers; and, to show where
 * the reader's time goes, its fast path alone and the reader alone over that XML. Passes alternate,
 * so all see the same drift of a shared machine; each is timed by the wall clock and by the CPU
 * time this process used, and the fastest of each is compared. Both swing by half from pass to
 * pass on this machine's shared cores, so the two are also compared by the instructions they
 * execute at 1,000 reports (valgrind's callgrind), which the machine's other work does not change
 * (kernel time, as in reading files, is not counted there). Then peak RSS of `npm run reports`
 * itself at 1,000 and at 10,000 reports, each in its own process (/usr/bin/time), after a run that
 * fills tsx's cache of compiled files (else the first run also compiles), three times each in
 * turn, compared by their medians (one run's peak at 10,000 moves by up to a fifth). Targets: within
 * 2x of the ceiling; RSS at 10,000 at most 1.5x that at 1,000. A missed target prints MISS; a
 * wrong count fails the run.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { summarize } from "../lib/reports/read";
import { scanPlainXml, XmlHandler } from "../lib/reports/plain-xml";
import { ReportReader } from "../lib/reports/xml";
import { fileInputs } from "../tools/reports/files";
import { scriptCommand } from "./npm-script";
import { median } from "./stats";
import { bareParse, corpusXml, writeCorpus } from "./reports-corpus";

const REPORTS = 10000;
const SMALL = 1000;
const PASSES = 5;
const RSS_RUNS = 3;
const ROOT = join(__dirname, "..");

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

/** A handler that wants nothing: what the fast path costs by itself. */
const NOTHING: XmlHandler = { capturing: false, open() {}, text() {}, close() {} };

/** The reader's fast path alone over the same XML, telling nothing (lib/reports/plain-xml.ts). */
function plainScan(xml: Buffer[]): void {
  for (const bytes of xml) if (!scanPlainXml(new TextDecoder().decode(bytes), NOTHING)) throw new Error("a bench report is not plain XML");
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

/**
 * Instructions executed (callgrind) by bench/reports-instructions.ts with `work` less those without:
 * a count that other work on the machine does not change. V8's --single-threaded compiles and
 * collects on the main thread, so the JIT does the same whatever the timing.
 */
function instructions(args: string[]): number {
  const run = (work: string[]) => {
    const command = [process.execPath, "--single-threaded", "-r", "tsx/cjs", join(__dirname, "reports-instructions.ts"), ...args, ...work];
    // Once natively first, so that tsx's cache of compiled files is the same for both counted runs.
    execFileSync(command[0], command.slice(1), { cwd: ROOT });
    const counted = spawnSync("valgrind", ["--tool=callgrind", "--callgrind-out-file=/dev/null", ...command], { cwd: ROOT, encoding: "utf8" });
    const collected = /Collected : ([0-9]+)/.exec(counted.stderr);
    if (counted.status !== 0 || !collected) throw new Error(`callgrind of ${args.join(" ")} failed: ${counted.stderr.slice(-2000)}`);
    return Number(collected[1]);
  };
  return run(["work"]) - run([]);
}

/**
 * The fastest pass: the machine's other work only ever adds time, so the fastest is the one it
 * disturbed least, and moves less from run to run than the median.
 */
const fastest = (xs: number[]) => Math.min(...xs);

async function main(): Promise<void> {
  execFileSync("bash", [join(ROOT, "tools/debian-source.sh"), "dmarc-cat", "opendmarc"], { stdio: "inherit" });
  execFileSync("bash", [join(ROOT, "tools/ensure-command.sh"), "/usr/bin/time", "time"], { stdio: "inherit" });
  const dir = mkdtempSync(join(tmpdir(), "reports-bench-"));
  try {
    const all = join(dir, "all");
    const small = join(dir, "small");
    mkdirSync(all);
    mkdirSync(small);
    const xml = corpusXml(REPORTS);
    const bytes = writeCorpus(all, xml);
    for (const name of readdirSync(all).sort().slice(0, SMALL)) linkSync(join(all, name), join(small, name));
    const xmlBytes = xml.reduce((n, b) => n + b.length, 0);

    // Warm-up: JIT and the page cache.
    const warm = (await timed(() => readAll(all))).result;
    bareParse(xml);
    plainScan(xml);
    readerOnly(xml);
    const ours: Timing[] = [];
    const ceiling: Timing[] = [];
    const scan: Timing[] = [];
    const reader: Timing[] = [];
    for (let i = 0; i < PASSES; i++) {
      ours.push(await timed(() => readAll(all)));
      ceiling.push(await timed(() => bareParse(xml)));
      scan.push(await timed(() => plainScan(xml)));
      reader.push(await timed(() => readerOnly(xml)));
    }
    const t = fastest(ours.map((x) => x.seconds));
    const c = fastest(ceiling.map((x) => x.seconds));
    const cpuRatio = fastest(ours.map((x) => x.cpu)) / fastest(ceiling.map((x) => x.cpu));
    const ratio = t / c;
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    const runs = (xs: Timing[]) => xs.map((x) => `${x.seconds.toFixed(2)}/${x.cpu.toFixed(2)}`).join(" ");
    console.log(`reports: ${REPORTS} reports (${mb(bytes)} MB on disk as xml/gz/zip/eml, ${mb(xmlBytes)} MB of XML), ${warm.messages} messages`);
    console.log(`read and summarised, fastest of ${PASSES}: ${t.toFixed(2)} s, ${(REPORTS / t).toFixed(0)} reports/s, ${mb(xmlBytes / t)} MB/s of XML (wall/CPU s: ${runs(ours)})`);
    console.log(`ceiling, saxes alone over the same XML in memory: ${c.toFixed(2)} s, ${(REPORTS / c).toFixed(0)} reports/s, ${mb(xmlBytes / c)} MB/s (wall/CPU s: ${runs(ceiling)})`);
    console.log(`the fast path's scan alone over that XML, telling nothing: ${fastest(scan.map((x) => x.seconds)).toFixed(2)} s (wall/CPU s: ${runs(scan)})`);
    console.log(`the reader alone over that XML in memory (no files, unpacking or summary): ${fastest(reader.map((x) => x.seconds)).toFixed(2)} s (wall/CPU s: ${runs(reader)})`);
    console.log(`per pass, reader/ceiling, wall: ${ours.map((x, i) => (x.seconds / ceiling[i].seconds).toFixed(2)).join(" ")}; CPU: ${ours.map((x, i) => (x.cpu / ceiling[i].cpu).toFixed(2)).join(" ")}`);

    const ceilingCount = instructions(["ceiling", String(SMALL)]);
    const readerCount = instructions(["reports", small]);
    const countRatio = readerCount / ceilingCount;
    console.log(`instructions (callgrind) at ${SMALL} reports: read and summarised ${(readerCount / 1e9).toFixed(2)} G, ceiling ${(ceilingCount / 1e9).toFixed(2)} G`);

    peak(small);
    const peaks1: ReturnType<typeof peak>[] = [];
    const peaks10: ReturnType<typeof peak>[] = [];
    for (let i = 0; i < RSS_RUNS; i++) {
      peaks1.push(peak(small));
      peaks10.push(peak(all));
    }
    const p1 = median(peaks1.map((p) => p.mb));
    const p10 = median(peaks10.map((p) => p.mb));
    const listed = (ps: ReturnType<typeof peak>[]) => ps.map((p) => `${p.mb.toFixed(0)} MB in ${p.seconds} s`).join(", ");
    console.log(`peak RSS of reports DIR --json, median of ${RSS_RUNS}: ${p1.toFixed(0)} MB at ${SMALL} reports (${listed(peaks1)}), ${p10.toFixed(0)} MB at ${REPORTS} (${listed(peaks10)})`);
    const targets = [
      [`${ratio.toFixed(2)}x the ceiling's wall time (target at most 2x)`, ratio <= 2],
      [`${cpuRatio.toFixed(2)}x the ceiling's CPU time (target at most 2x)`, cpuRatio <= 2],
      [`${countRatio.toFixed(2)}x the ceiling's instructions (target at most 2x)`, countRatio <= 2],
      [`RSS at ${REPORTS} is ${(p10 / p1).toFixed(2)}x that at ${SMALL} (target at most 1.5x)`, p10 / p1 <= 1.5],
    ] as const;
    const sound = [
      [`${warm.reports} reports read, ${warm.errors} errors`, warm.reports === REPORTS && warm.errors === 0],
      [`every RSS run exited 0 (${[...peaks1, ...peaks10].map((p) => p.status).join(", ")})`, [...peaks1, ...peaks10].every((p) => p.status === 0)],
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
