/**
 * The command-line shell `plan` and `audit` share: options, output format, exit status.
 * 0 no mandatory violation, 1 at least one, 2 a usage, stack file or config error (message only,
 * no stack trace), 3 a failure of the tool itself.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs, ParseArgsConfig } from "node:util";
import { StateValueError } from "../../lib/state";
import { PolicyPackConfig, resolvePolicyConfig } from "../run-policies";
import { NotAnExport } from "./engine";
import { exitStatus, formatText, formatZoneFile, Report, toJson } from "./report";
import { isUserError as isCommandUserError, UsageError } from "../command";

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values = Record<string, string | boolean | undefined>;

const COMMON: Options = {
  json: { type: "boolean" },
  "zone-file": { type: "boolean" },
  "policy-config": { type: "string" },
  help: { type: "boolean", short: "h" },
};

const COMMON_USAGE = `  --policy-config FILE  policy pack config (a --policy-pack-config file of the Pulumi CLI)
  --json                print one JSON object {stack, resources, records, warnings, violations, receiving}
  --zone-file           print the DNS records as a BIND zone fragment
Exit status: 0 no mandatory policy violation, 1 at least one, 2 usage or config error.`;

/** The policy config a stack uses when none is named: `policy/config.<stack>.json` of the project. */
export function stackPolicyConfigPath(dir: string, stack: string): string {
  return join(dir, "policy", `config.${stack}.json`);
}

/** A `--policy-pack-config` file: `path` when given, else `fallback` when it exists, else none. */
export function readPolicyConfig(path: string | undefined, fallback: string): PolicyPackConfig {
  const file = path ?? (existsSync(fallback) ? fallback : undefined);
  if (!file) return {};
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new UsageError(`policy config ${file}: ${(error as Error).message}`);
  }
  if (typeof config !== "object" || config === null || Array.isArray(config)) throw new UsageError(`policy config ${file}: must be a JSON object of policy name → level or properties`);
  try {
    // The runner's own check (policy names, each policy's config schema), here so it is a user error.
    resolvePolicyConfig(config as PolicyPackConfig);
  } catch (error) {
    throw new UsageError(`${file}: ${(error as Error).message}`);
  }
  return config as PolicyPackConfig;
}

function isUserError(error: unknown): error is Error {
  return isCommandUserError(error) || error instanceof NotAnExport;
}

/** Parses `argv`, runs `produce`, prints the report in the chosen format and sets the exit status. */
export async function runCommand(command: string, usage: string, options: Options, produce: (values: Values) => Promise<{ report: Report; title: string }>, argv = process.argv.slice(2)): Promise<void> {
  try {
    let values: Values;
    try {
      values = parseArgs({ args: argv, options: { ...options, ...COMMON }, strict: true, allowPositionals: false }).values as Values;
    } catch (error) {
      throw new UsageError(`${(error as Error).message}\n${usage}\n${COMMON_USAGE}`);
    }
    if (values.help) {
      process.stdout.write(`${usage}\n${COMMON_USAGE}\n`);
      return;
    }
    if (values.json && values["zone-file"]) throw new UsageError("choose one of --json and --zone-file");
    const { report, title } = await produce(values);
    process.stdout.write(values.json ? toJson(report) : values["zone-file"] ? formatZoneFile(report) : formatText(report, title));
    process.exitCode = exitStatus(report);
  } catch (error) {
    if (isUserError(error)) {
      process.stderr.write(`${command}: ${error.cause instanceof StateValueError ? error.cause.message : error.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`${command}: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 3;
    }
  }
}
