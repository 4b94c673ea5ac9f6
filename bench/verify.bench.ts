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

const DOMAINS = 1000;
const REGIONS = ["us-east-1", "eu-west-1"];
/**
 * Both sides go over verify's query list this many times after a warm-up, for a rate measured
 * over more than a blink and the same treatment for each.
 */
const PASSES = 5;

/** One verify run; only its figures are kept, so runs after it do not carry its cache on the heap. */
async function run(cases: Case[], server: string): Promise<{ seconds: number; stats: DnsStats; ok: number }> {
  const client = new DnsClient(clientOptions([server]));
  const started = process.hrtime.bigint();
  const report = await verify(cases.map((c) => targetOf(c)), client);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  client.close();
  return { seconds, stats: client.stats, ok: report.domains.filter((d) => d.ok).length };
}

function dnsperf(server: { port: number }, queries: { type: string; name: string }[], dir: string): number {
  execFileSync("bash", [join(__dirname, "..", "tools", "ensure-command.sh"), "dnsperf", "dnsperf"], { stdio: "inherit" });
  const file = join(dir, "queries.txt");
  writeFileSync(file, queries.map((q) => `${q.name} ${q.type}`).join("\n") + "\n");
  const out = execFileSync("dnsperf", ["-s", "127.0.0.1", "-p", String(server.port), "-d", file, "-n", String(PASSES), "-c", "4", "-q", "200", "-t", "2"], { encoding: "utf8" });
  const qps = /Queries per second:\s+([0-9.]+)/.exec(out);
  const lost = /Queries lost:\s+([0-9]+)/.exec(out);
  if (!qps) throw new Error(`dnsperf printed no rate:\n${out}`);
  if (lost && Number(lost[1]) > 0) console.log(`dnsperf lost ${lost[1]} queries`);
  return Number(qps[1]);
}

async function main(): Promise<void> {
  const cases = Array.from({ length: DOMAINS }, (_, i) => build(`bench ${i}`, spec(`bench${i}.test`, { regions: REGIONS }), { verdict: {}, ok: true }));
  const knot = await startKnot(testZone(cases));
  const dir = mkdtempSync(join(tmpdir(), "verify-bench-"));
  try {
    await run(cases, knot.server); // warm-up: JIT, and knot's first touch of every name
    const runs = [];
    for (let i = 0; i < PASSES; i++) runs.push(await run(cases, knot.server));
    const sent = runs[0].stats.sent.length;
    const seconds = runs.map((r) => r.seconds).sort((a, b) => a - b)[Math.floor(PASSES / 2)];
    const ok = Math.min(...runs.map((r) => r.ok));
    const timeouts = runs.reduce((n, r) => n + r.stats.timeouts, 0);
    const ceiling = dnsperf(knot, runs[0].stats.sent, dir);
    const rate = runs.reduce((n, r) => n + r.stats.sent.length, 0) / runs.reduce((t, r) => t + r.seconds, 0);
    const ratio = rate / ceiling;
    const targets = [
      [`${DOMAINS} domains in ${seconds.toFixed(2)} s (target < 2 s)`, seconds < 2],
      [`${(ratio * 100).toFixed(0)}% of dnsperf's ceiling (target ≥ 25%)`, ratio >= 0.25],
    ] as const;
    // Not speed: a timeout or a failing domain means the run itself went wrong.
    const sound = [
      [`${timeouts} timeouts in ${PASSES} runs`, timeouts === 0],
      [`${ok} of ${DOMAINS} domains pass in every run`, ok === DOMAINS],
    ] as const;
    console.log(`verify: ${DOMAINS} domains × ${REGIONS.length} regions, median of ${PASSES} runs ${seconds.toFixed(3)} s: ${(DOMAINS / seconds).toFixed(0)} domains/s, ${sent} queries a run, ${rate.toFixed(0)} queries/s over all runs`);
    console.log(`dnsperf, same ${sent} queries × ${PASSES} on the same knot: ${ceiling.toFixed(0)} queries/s; verify reaches ${ratio.toFixed(2)} of it`);
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
