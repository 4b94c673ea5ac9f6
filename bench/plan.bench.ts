/**
 * Issue 4's benchmark: `npm run plan` on a stack of 200 domains x 3 regions, the script's own command
 * line on this benchmark's Node, in a child process measured by /usr/bin/time (wall time, peak RSS).
 * Targets: under 10 s and under 1 GB on a 2-core machine. Prints figures; asserts nothing.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { scriptCommand } from "./npm-script";

const DOMAINS = 200;
const REGIONS = ["us-east-1", "eu-west-1", "ap-northeast-1"];
const ROOT = join(__dirname, "..");

function stackDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "ses-plan-bench-"));
  copyFileSync(join(ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
  const domains = Array.from({ length: DOMAINS }, (_, i) => ({ name: `d${i}.example.com`, zone: "example.com", dmarc: { policy: "reject", rua: ["mailto:dmarc@example.com"] } }));
  const config = { "aws:region": "us-east-1", "ses-email-auth:regions": REGIONS, "ses-email-auth:domains": domains };
  writeFileSync(join(dir, "Pulumi.bench.yaml"), stringify({ config }));
  return dir;
}

function main(): void {
  // GNU time is not on every machine; install it the way the tests install knot.
  execFileSync("bash", [join(ROOT, "tools/ensure-command.sh"), "/usr/bin/time", "time"], { stdio: "inherit" });
  const dir = stackDir();
  try {
    // %e wall seconds, %M peak RSS in KB (the largest process of the tree: the plan's node).
    const [node, args] = scriptCommand("plan", ["--stack", "bench", "--cwd", dir, "--json"]);
    const run = spawnSync("/usr/bin/time", ["-f", "%e %M", node, ...args], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 28 });
    const [seconds, kb] = run.stderr.trim().split("\n").pop()!.split(" ").map(Number);
    const report = JSON.parse(run.stdout);
    console.log(`plan benchmark: ${DOMAINS} domains x ${REGIONS.length} regions, plan --json on Node ${process.versions.node} (exit ${run.status})`);
    console.log(`resources ${report.resources.length}, DNS records ${report.records.length}, policy findings ${report.violations.length}`);
    console.log(`wall time ${seconds.toFixed(2)} s (target < 10), peak RSS ${(kb / 1024).toFixed(0)} MB (target < 1024)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
