/**
 * Issue 3's benchmark: the whole policy pack, through the local runner, on synthetic stacks of
 * about 2k and 20k resources: SES v2 identities with Route 53 records and SES v1 identities with
 * Cloudflare records, three regions each, after apply (and the larger one in preview). Each size runs in its own process, so peak
 * RSS is that size's alone; time is the median of 5 runs after a warm-up run. Prints figures;
 * asserts nothing.
 */
import { execFileSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { runPolicies } from "../tools/run-policies";
import { domainStack } from "../tests/policy/stacks";
import { median } from "./stats";

const SIZES = [2_000, 20_000];
const REGIONS = ["us-east-1", "eu-west-1", "af-south-1"];

interface Figures {
  resources: number;
  /** Wall-clock time. */
  seconds: number;
  /** CPU time of the process (all its threads): what other load on the machine does not inflate. */
  cpuSeconds: number;
  peakRssMb: number;
  findings: number;
}

/** Domains alternate between the two SES APIs and DNS providers until `size` resources exist. */
function syntheticStack(size: number, preview: boolean) {
  const resources = [];
  for (let i = 0; resources.length < size; i++) {
    const options = i % 2 ? { api: "ses" as const, dns: "cloudflare" as const } : { api: "sesv2" as const, dns: "route53" as const };
    resources.push(...domainStack({ domain: `d${i}.example${i % 7}.com`, regions: REGIONS, preview, ...options }));
  }
  return resources;
}

const RUNS = 5;

async function child(size: number, preview: boolean): Promise<void> {
  const stack = syntheticStack(size, preview);
  await runPolicies(stack); // warm-up: module loading and JIT stay out of the figures
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let findings = 0;
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    findings = (await runPolicies(stack)).length;
    const used = process.cpuUsage(cpu);
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
    cpuTimes.push((used.user + used.system) / 1e6);
  }
  // Medians: other work on the machine (and the collector) only ever adds time.
  const figures: Figures = { resources: stack.length, seconds: median(times), cpuSeconds: median(cpuTimes), peakRssMb: process.resourceUsage().maxRSS / 1024, findings };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

function measure(size: number, preview = false): Figures {
  const out = execFileSync(process.execPath, ["-r", "tsx/cjs", __filename, "--child", String(size), String(preview)], { encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").pop()!);
}

function main(): void {
  console.log(`policy pack benchmark: every policy on synthetic stacks (${REGIONS.length} regions, Route 53 + Cloudflare, SESv2 + SES v1), one process per size`);
  console.log(`load average: ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs`);
  console.log("resources  state    seconds  CPU seconds  peak RSS MB  findings");
  const row = (f: Figures, state: string) =>
    console.log(`${String(f.resources).padStart(9)}  ${state.padEnd(7)}  ${f.seconds.toFixed(3).padStart(7)}  ${f.cpuSeconds.toFixed(3).padStart(11)}  ${f.peakRssMb.toFixed(0).padStart(11)}  ${String(f.findings).padStart(8)}`);
  const [small, large] = SIZES.map((size) => measure(size));
  row(small, "applied");
  row(large, "applied");
  // Preview: DKIM tokens unknown, so every DKIM CNAME is linked by dependency and its checks wait for apply.
  row(measure(SIZES[1], true), "preview");
  console.log(`time(${large.resources})/time(${small.resources}) = ${(large.seconds / small.seconds).toFixed(2)} wall, ${(large.cpuSeconds / small.cpuSeconds).toFixed(2)} CPU, for ${(large.resources / small.resources).toFixed(1)}x the resources (target <= 12)`);
  console.log(`time at ${large.resources} resources: ${large.seconds.toFixed(3)} s wall, ${large.cpuSeconds.toFixed(3)} s CPU (target < 1 s)`);
}

if (process.argv[2] === "--child") {
  child(Number(process.argv[3]), process.argv[4] === "true").catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main();
}
