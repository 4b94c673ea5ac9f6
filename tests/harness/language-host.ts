/**
 * Runs a Pulumi program the way the CLI's Node language host does (pulumi/pulumi
 * `sdk/nodejs/cmd/pulumi-language-nodejs/main.go`, `constructArguments` and `constructConfig`):
 * `node <@pulumi/pulumi>/cmd/run/index.js --monitor A --engine A --organization O --project P
 * --root-directory D --stack S --pwd D [--dry-run] --parallel N .` from the project directory,
 * with the config in `PULUMI_CONFIG` (keys `<namespace>:config:<key>`), the secret keys in
 * `PULUMI_CONFIG_SECRET_KEYS` and `PULUMI_NODEJS_TYPESCRIPT=true` (the runtime option's default),
 * so the SDK's ts-node type-checks and compiles the program. The host also passes `--sync` for
 * synchronous invokes, which a program that only uses the Output forms never makes.
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { FakeEngine } from "./fake-engine";

const RUN = join(dirname(require.resolve("@pulumi/pulumi/package.json")), "cmd", "run", "index.js");

export interface ProgramRunOptions {
  /** The project directory (Pulumi.yaml, package.json with `main`). */
  dir: string;
  engine: FakeEngine;
  project: string;
  stack: string;
  organization?: string;
  preview: boolean;
  /** `namespace:key` → value, as the CLI's merged config. */
  config: Record<string, string>;
  secretKeys?: string[];
  parallel?: number;
  /** A program whose outputs miss what it lifts hangs instead of failing: it is stopped after this long. */
  timeoutMs: number;
  /** Extra environment (PULUMI_NODEJS_TRANSPILE_ONLY, say). */
  env?: Record<string, string>;
}

export interface ProgramExit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `ns:key` → `ns:config:key`: the form the language host still hands programs. */
function languageHostConfig(config: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(config).map(([key, value]) => [key.replace(/^([^:]+):/, "$1:config:"), value])));
}

/** Runs the program to the end; rejects when it outlives `timeoutMs` (then it is killed). */
export function runLanguageHost(o: ProgramRunOptions): Promise<ProgramExit> {
  const args = [RUN, "--monitor", o.engine.monitorAddress, "--engine", o.engine.engineAddress, "--organization", o.organization ?? "organization", "--project", o.project, "--root-directory", o.dir, "--stack", o.stack, "--pwd", o.dir];
  if (o.preview) args.push("--dry-run");
  args.push("--parallel", String(o.parallel ?? 16), ".");
  const child = spawn(process.execPath, args, {
    cwd: o.dir,
    env: { ...process.env, ...o.env, PULUMI_CONFIG: languageHostConfig(o.config), PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(o.secretKeys ?? []), PULUMI_NODEJS_TYPESCRIPT: "true" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const kill = () => child.exitCode === null && child.kill("SIGKILL");
  process.once("exit", kill); // even if mocha is interrupted
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`the program did not finish within ${o.timeoutMs} ms (outputs missing something it lifts?)\n${stderr}`));
    }, o.timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      process.removeListener("exit", kill);
      resolve({ code, stdout, stderr });
    });
  });
}
