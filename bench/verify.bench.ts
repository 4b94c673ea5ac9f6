/**
 * verify on 1,000 domains (2 regions each) against knot on loopback, next to dnsperf's ceiling
 * for the very queries verify sent, on the same server in the same run.
 * Targets (issue 5): at least 0.25 of the ceiling, 1,000 domains in under 2 s, no timeouts.
 * A missed speed target is printed as MISS; only timeouts or failing domains fail the run.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clientOptions } from "../tools/verify/cli";
import { DnsClient, DnsStats } from "../tools/verify/dns";
import { verify } from "../tools/verify/gather";
import { build, Case, spec, targetOf, testZone } from "../tests/verify/cases";
import { startKnot } from "../tests/verify/knot";
import { median } from "./stats";

const DOMAINS = 1000;
const REGIONS = ["us-east-1", "eu-west-1"];
/**
 * Verify runs and dnsperf runs over the same query list alternate this many times after a
 * warm-up: the machine's speed drifts within a minute, and alternating gives both sides the same
 * drift, where a block of one then a block of the other would not.
 */
const PASSES = 5;

interface Pass {
  queries: number;
  seconds: number;
}

/** One verify run; only its figures are kept, so runs after it do not carry its cache on the heap. */
async function run(cases: Case[], server: string): Promise<Pass & { stats: DnsStats; ok: number }> {
  const client = new DnsClient(clientOptions([server]));
  const started = process.hrtime.bigint();
  const report = await verify(cases.map((c) => targetOf(c)), client);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  client.close();
  return { queries: client.stats.sent.length, seconds, stats: client.stats, ok: report.domains.filter((d) => d.ok).length };
}

/**
 * dnsperf once over `file`, as verify asks: RD and an EDNS(0) OPT record (-e), four sockets with
 * 200 queries in flight, which saturates knot's one UDP worker.
 */
function dnsperf(server: { port: number }, file: string): Pass & { lost: number } {
  const out = execFileSync("dnsperf", ["-s", "127.0.0.1", "-p", String(server.port), "-d", file, "-n", "1", "-e", "-c", "4", "-q", "200", "-t", "2"], { encoding: "utf8" });
  const figure = (label: string) => {
    const match = new RegExp(`${label}:\\s+([0-9.]+)`).exec(out);
    if (!match) throw new Error(`dnsperf printed no "${label}":\n${out}`);
    return Number(match[1]);
  };
  return { queries: figure("Queries completed"), seconds: figure("Run time \\(s\\)"), lost: figure("Queries lost") };
}

const rate = (passes: Pass[]) => passes.reduce((n, p) => n + p.queries, 0) / passes.reduce((t, p) => t + p.seconds, 0);

async function main(): Promise<void> {
  execFileSync("bash", [join(__dirname, "..", "tools", "ensure-command.sh"), "dnsperf", "dnsperf"], { stdio: "inherit" });
  const cases = Array.from({ length: DOMAINS }, (_, i) => build(`bench ${i}`, spec(`bench${i}.test`, { regions: REGIONS }), { verdict: {}, ok: true }));
  const knot = await startKnot(testZone(cases));
  const dir = mkdtempSync(join(tmpdir(), "verify-bench-"));
  try {
    // Warm-up: JIT, and knot's first touch of every name. Its queries are the list dnsperf replays.
    const { stats } = await run(cases, knot.server);
    const file = join(dir, "queries.txt");
    writeFileSync(file, stats.sent.map((q) => `${q.name} ${q.type}`).join("\n") + "\n");
    const runs: Awaited<ReturnType<typeof run>>[] = [];
    const ceilings: ReturnType<typeof dnsperf>[] = [];
    for (let i = 0; i < PASSES; i++) {
      runs.push(await run(cases, knot.server));
      ceilings.push(dnsperf(knot, file));
    }
    const sent = stats.sent.length;
    const seconds = median(runs.map((r) => r.seconds));
    const ok = Math.min(...runs.map((r) => r.ok));
    const timeouts = runs.reduce((n, r) => n + r.stats.timeouts, 0);
    const lost = ceilings.reduce((n, c) => n + c.lost, 0);
    const ratio = rate(runs) / rate(ceilings);
    const targets = [
      [`${DOMAINS} domains in ${seconds.toFixed(2)} s (target < 2 s)`, seconds < 2],
      [`${(ratio * 100).toFixed(0)}% of dnsperf's ceiling (target ≥ 25%)`, ratio >= 0.25],
    ] as const;
    // Not speed: a timeout or a failing domain means the run itself went wrong.
    const sound = [
      [`${timeouts} timeouts in ${PASSES} runs`, timeouts === 0],
      [`${ok} of ${DOMAINS} domains pass in every run`, ok === DOMAINS],
    ] as const;
    console.log(`verify: ${DOMAINS} domains × ${REGIONS.length} regions, median of ${PASSES} runs ${seconds.toFixed(3)} s: ${(DOMAINS / seconds).toFixed(0)} domains/s, ${sent} queries a run, ${rate(runs).toFixed(0)} queries/s over all runs`);
    console.log(`dnsperf, same ${sent} queries, ${PASSES} runs alternating with verify's on the same knot: ${rate(ceilings).toFixed(0)} queries/s (${lost} lost); verify reaches ${ratio.toFixed(2)} of it`);
    console.log(`per pass, verify/dnsperf: ${runs.map((r, i) => (r.queries / r.seconds / (ceilings[i].queries / ceilings[i].seconds)).toFixed(2)).join(" ")}`);
    for (const [what, met] of [...targets, ...sound]) console.log(`${met ? "ok  " : "MISS"} ${what}`);
    if (sound.some(([, met]) => !met)) process.exitCode = 1;
  } finally {
    await knot.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
