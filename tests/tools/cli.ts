/** Runs `plan`/`audit`/`reports` as the user does, in a child process; temp stack directories for ad-hoc stacks. */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";

export const ROOT = join(__dirname, "..", "..");

export interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run -s <script> -- args`: the command path of the README. */
export function npmRun(script: "plan" | "audit" | "reports", args: string[], env?: NodeJS.ProcessEnv): Result {
  const r = spawnSync("npm", ["run", "-s", script, "--", ...args], { cwd: ROOT, encoding: "utf8", env: env ?? process.env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A project directory with the real Pulumi.yaml and one stack file; remove it with `rmSync`. */
export function tempStack(stack: string, config: Record<string, unknown>, policyConfig?: object): string {
  const dir = mkdtempSync(join(tmpdir(), "ses-plan-"));
  copyFileSync(join(ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
  writeFileSync(join(dir, `Pulumi.${stack}.yaml`), stringify({ config }));
  if (policyConfig) {
    mkdirSync(join(dir, "policy"));
    writeFileSync(join(dir, "policy", `config.${stack}.json`), JSON.stringify(policyConfig));
  }
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
