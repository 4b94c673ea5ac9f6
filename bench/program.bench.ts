/**
 * Issue 2's benchmark: the real program under the mock runtime for N domains × R regions, next to
 * a baseline that registers as many bare resources of the same types. Each run is its own child
 * process, so peak RSS is that run's alone. Program and baseline runs alternate, ROUNDS of each per
 * size, and the medians are compared: single runs on this 2-core machine put the same ratio
 * anywhere from 1.06 to 1.25. Prints figures and ratios; asserts nothing.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { EASY_DKIM_TOKENS } from "../lib/records";
import { runProgram } from "../tools/mock-run";

const REGIONS = ["us-east-1", "eu-west-1", "ap-northeast-1"];
const SIZES = [50, 200];
const ROUNDS = 3;

interface Figures {
  seconds: number;
  peakRssMb: number;
  resources: number;
  dnsRecords: number;
}

function stackConfig(domains: number): Record<string, string> {
  const list = Array.from({ length: domains }, (_, i) => ({ name: `d${i}.example.com`, zone: "example.com", dmarc: { policy: "none" } }));
  return { "aws:region": "us-east-1", "ses-email-auth:regions": JSON.stringify(REGIONS), "ses-email-auth:domains": JSON.stringify(list) };
}

/** Runs one program in a fresh process; the child prints its own figures as JSON. */
function measure(program: "program" | "baseline", domains: number): Figures {
  const out = execFileSync(process.execPath, ["--stack-trace-limit=0", "-r", "tsx/cjs", __filename, "--child", program, String(domains)], { encoding: "utf8", maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split("\n").pop()!);
}

async function child(program: string, domains: number): Promise<void> {
  const start = process.hrtime.bigint();
  const run = await runProgram({ config: stackConfig(domains), preview: false, program: program === "baseline" ? join(__dirname, "baseline-program") : undefined });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const custom = run.registrations.filter((r) => r.custom);
  const dnsRecords = custom.filter((r) => r.type === "aws:route53/record:Record").length;
  const figures: Figures = { seconds, peakRssMb: process.resourceUsage().maxRSS / 1024, resources: custom.length, dnsRecords };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

function main(): void {
  console.log(`program benchmark: N domains x ${REGIONS.length} regions under the mock runtime (one process per run)`);
  console.log(`size     run       median s  peak RSS MB  resources  records/domain  seconds of each of ${ROUNDS} runs`);
  const results = new Map<string, Figures>();
  for (const n of SIZES) {
    const runs = { program: [] as Figures[], baseline: [] as Figures[] };
    for (let round = 0; round < ROUNDS; round++) for (const program of ["program", "baseline"] as const) runs[program].push(measure(program, n));
    for (const program of ["program", "baseline"] as const) {
      const sorted = [...runs[program]].sort((a, b) => a.seconds - b.seconds);
      const f = sorted[Math.floor(ROUNDS / 2)];
      results.set(`${program}/${n}`, f);
      const each = runs[program].map((r) => r.seconds.toFixed(2)).join(" ");
      console.log(`${`${n}x${REGIONS.length}`.padEnd(8)} ${program.padEnd(9)} ${f.seconds.toFixed(2).padStart(8)}  ${f.peakRssMb.toFixed(0).padStart(11)}  ${String(f.resources).padStart(9)}  ${(f.dnsRecords / n).toFixed(1).padStart(14)}  ${each}`);
    }
  }
  const p = (k: string) => results.get(k)!;
  for (const n of SIZES) {
    console.log(`time ratio program/baseline (medians) at ${n} domains: ${(p(`program/${n}`).seconds / p(`baseline/${n}`).seconds).toFixed(2)} (target <= 1.2)`);
  }
  console.log(`time(200)/time(50) for the program: ${(p("program/200").seconds / p("program/50").seconds).toFixed(2)} (target <= 4.5)`);
  const expected = EASY_DKIM_TOKENS * REGIONS.length + 3;
  console.log(`records per domain: ${p("program/50").dnsRecords / 50} (expected 3R + 3 = ${expected} with a shared MAIL FROM)`);
}

if (process.argv[2] === "--child") {
  child(process.argv[3], Number(process.argv[4])).catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main();
}
