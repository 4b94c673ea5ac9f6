/** `npm run reports`'s command line: flags → inputs → summary → text, JSON or HTML, and the exit status. */
import { accessSync, constants, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, parseStackConfig, PROJECT } from "../../lib/config";
import { DEFAULT_THRESHOLDS, Thresholds } from "../../lib/reports/advice";
import { DEFAULT_LIMITS } from "../../lib/reports/extract";
import { Input, Skipped, summarize } from "../../lib/reports/read";
import { parseSesRanges } from "../../lib/reports/ses-ranges";
import { Period } from "../../lib/reports/summary";
import { fileInputs } from "./files";
import { writeJson } from "./json";
import type { S3Location } from "./s3";
import { readStackConfig, StackFileError } from "../stack-config";
import { formatText } from "./text";
import { USAGE } from "./usage";
import { isUserError, UsageError } from "../command";

const OPTIONS = {
  bucket: { type: "string", multiple: true },
  stack: { type: "string" },
  cwd: { type: "string" },
  region: { type: "string" },
  endpoint: { type: "string" },
  since: { type: "string" },
  until: { type: "string" },
  json: { type: "boolean" },
  html: { type: "string" },
  "min-pass": { type: "string" },
  "min-days": { type: "string" },
  "min-reporters": { type: "string" },
  "min-messages": { type: "string" },
  "max-source-fail": { type: "string" },
  "max-member-mb": { type: "string" },
  "ses-spf": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Today, for `--since 30d`. */
  now?: () => Date;
  /** Resolves once what `out` was given has been taken (see tools/command.ts); `--json` waits on it between pieces. */
  drained?: () => Promise<void>;
}

/**
 * Where a stack's reports are stored, from its config as the CLI merges it (tools/stack-config.ts):
 * the bucket, prefix and receiving region of `ses-email-auth:reports`. A stack file the CLI would
 * refuse, an invalid config, or a stack that receives no reports is a usage error.
 */
export function stackLocation(dir: string, stack: string): Omit<S3Location, "endpoint"> {
  let reports;
  try {
    reports = parseStackConfig(readStackConfig(dir, stack)).reports;
  } catch (error) {
    if (error instanceof StackFileError || error instanceof ConfigError) throw new UsageError(`--stack ${stack}: ${error.message}`, false);
    throw error;
  }
  if (!reports) throw new UsageError(`--stack ${stack}: Pulumi.${stack}.yaml sets no ${PROJECT}:reports, so the stack receives no reports; give --bucket s3://BUCKET/PREFIX instead (docs/reports.md)`, false);
  return { bucket: reports.bucket.name, prefix: reports.prefix, region: reports.region };
}

/** `YYYY-MM-DD`, or `Nd` for N days before today (UTC). */
export function parseDay(flag: string, value: string, now: Date): string {
  const relative = /^([0-9]{1,5})d$/.exec(value);
  if (relative) return new Date(now.getTime() - Number(relative[1]) * 86400000).toISOString().slice(0, 10);
  const date = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : undefined;
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) throw new UsageError(`${flag}: "${value}" is not a day (YYYY-MM-DD, or Nd for N days ago)`);
  return value;
}

function number(flag: string, value: string | undefined, fallback: number, { max, integer }: { max?: number; integer?: boolean }): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0 || (max !== undefined && n > max) || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag}: "${value}" is not ${integer ? "a whole number" : "a number"}${max !== undefined ? ` from 0 to ${max}` : " of 0 or more"}`);
  }
  return n;
}

function thresholdsOf(values: Partial<Record<"min-pass" | "min-days" | "min-reporters" | "min-messages" | "max-source-fail", string>>): Thresholds {
  const d = DEFAULT_THRESHOLDS;
  return {
    minPassPercent: number("--min-pass", values["min-pass"], d.minPassPercent, { max: 100 }),
    minDays: number("--min-days", values["min-days"], d.minDays, { integer: true }),
    minReporters: number("--min-reporters", values["min-reporters"], d.minReporters, { integer: true }),
    minMessages: number("--min-messages", values["min-messages"], d.minMessages, { integer: true }),
    maxSourceFailPercent: number("--max-source-fail", values["max-source-fail"], d.maxSourceFailPercent, { max: 100 }),
  };
}

/** `s3://bucket/prefix` → bucket and prefix. */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!match) throw new UsageError(`--bucket: "${url}" is not s3://BUCKET or s3://BUCKET/PREFIX (a bucket name is 3-63 lower-case letters, digits, dots and hyphens)`);
  return { bucket: match[1], prefix: match[2] ?? "" };
}

async function* allInputs(paths: string[], locations: S3Location[]): AsyncGenerator<Input | Skipped> {
  if (paths.length) yield* fileInputs(paths);
  if (!locations.length) return;
  // Loaded only for S3: the SDK takes a moment to load.
  const { s3Client, s3Inputs } = require("./s3") as typeof import("./s3");
  const client = s3Client(locations[0]);
  try {
    for (const location of locations) yield* s3Inputs(location, client);
  } finally {
    client.destroy();
  }
}

function isWritableFolder(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

async function run(argv: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  const buckets = values.bucket ?? [];
  if (values.stack !== undefined && buckets.length) throw new UsageError("give --stack NAME or --bucket s3://BUCKET/PREFIX, not both: the stack names its bucket");
  if (values.cwd !== undefined && values.stack === undefined) throw new UsageError("--cwd goes with --stack");
  const fromS3 = buckets.length > 0 || values.stack !== undefined;
  if (!positionals.length && !fromS3) throw new UsageError("give report files or folders, --bucket s3://BUCKET/PREFIX, or --stack NAME");
  if ((values.region !== undefined || values.endpoint !== undefined) && !fromS3) throw new UsageError("--region and --endpoint go with --bucket or --stack");
  if (values.endpoint !== undefined && !/^https?:\/\/[^/\s]+/.test(values.endpoint)) throw new UsageError(`--endpoint: "${values.endpoint}" is not an http:// or https:// URL`);
  const locations: S3Location[] =
    values.stack !== undefined
      ? [{ ...stackLocation(resolve(values.cwd ?? "."), values.stack), ...(values.region !== undefined && { region: values.region }), endpoint: values.endpoint }]
      : buckets.map((b) => ({ ...parseS3Url(b), region: values.region, endpoint: values.endpoint }));
  const now = io.now?.() ?? new Date();
  const period: Period = {
    since: values.since === undefined ? null : parseDay("--since", values.since, now),
    until: values.until === undefined ? null : parseDay("--until", values.until, now),
  };
  if (period.since && period.until && period.since > period.until) throw new UsageError(`--since ${period.since} is after --until ${period.until}`);
  const thresholds = thresholdsOf(values);
  const memberMb = number("--max-member-mb", values["max-member-mb"], DEFAULT_LIMITS.member / 1024 / 1024, {});
  if (memberMb <= 0) throw new UsageError("--max-member-mb: must be more than 0");
  if (values["ses-spf"] !== undefined) {
    try {
      parseSesRanges(values["ses-spf"]);
    } catch (error) {
      throw new UsageError(`--ses-spf: ${(error as Error).message}`);
    }
  }

  if (values.html !== undefined && !isWritableFolder(dirname(resolve(values.html)))) throw new UsageError(`--html: cannot write into the folder of ${values.html}`);

  const summary = await summarize(allInputs(positionals, locations), {
    period,
    thresholds,
    limits: { ...DEFAULT_LIMITS, member: Math.floor(memberMb * 1024 * 1024) },
    sesSpf: values["ses-spf"],
  });
  if (values.html !== undefined) {
    const { formatHtml } = require("./html") as typeof import("./html");
    try {
      writeFileSync(values.html, formatHtml(summary));
    } catch (error) {
      throw new UsageError(`--html: cannot write ${values.html}: ${(error as Error).message}`);
    }
  }
  if (values.json) await writeJson(summary, io.out, io.drained);
  else io.out(formatText(summary));
  return summary.errors.length ? 1 : 0;
}

/** Run the command: 0 every input read, 1 some were not reports, 2 usage; other failures are thrown (exit 3). */
export async function main(argv: string[], io: Io): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    if (!isUserError(error)) throw error;
    io.err(`reports: ${error.message}\n${!(error instanceof UsageError) || error.showUsage ? `${USAGE}\n` : ""}`);
    return 2;
  }
}
