/** A project directory holding one stack file, and `adopt` run on it in-process as the CLI runs it. */
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { AdoptReport, main } from "../../../tools/adopt/cli";

const ROOT = join(__dirname, "..", "..", "..");

/** A fresh directory with the project's Pulumi.yaml and `Pulumi.<stack>.yaml` holding `config`. */
export function project(stack: string, config: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "adopt-"));
  copyFileSync(join(ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
  writeFileSync(join(dir, `Pulumi.${stack}.yaml`), stringify({ config }));
  return dir;
}

/**
 * An environment without AWS credentials: no keys, no profile files, no instance metadata. The
 * SDK's default chain then finds none, as on a laptop that never ran `aws configure`.
 */
export function withoutAws(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_CONFIG_FILE: "/nonexistent/aws-config", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials", AWS_EC2_METADATA_DISABLED: "true", ...extra };
  for (const k of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE", "CLOUDFLARE_API_TOKEN"]) {
    if (!(k in extra)) delete env[k];
  }
  return env;
}

/**
 * Runs `adopt` with `env` as the process environment (the AWS SDK reads credentials and endpoints
 * from it), restoring the previous one afterwards.
 */
export async function adopt(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string; report?: AdoptReport }> {
  const saved = process.env;
  process.env = env;
  let out = "";
  let err = "";
  try {
    const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t), cwd, env });
    return { code, out, err, report: args.includes("--json") && out ? (JSON.parse(out) as AdoptReport) : undefined };
  } finally {
    process.env = saved;
  }
}
