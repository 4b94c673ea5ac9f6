/** `verify`'s command line: flags → targets → report → exit status (0 pass, 1 not, 2 usage). */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { RequiredPaths, REQUIRED_PATHS } from "../../lib/alignment";
import { parseStackConfig } from "../../lib/config";
import { receivingIdentity } from "../../lib/receiving";
import { receivingRecords } from "../../lib/records";
import { STANDARDS, Standards } from "../../lib/dmarc";
import { DomainSpec } from "../../lib/spec";
import { readStackConfig } from "../stack-config";
import { DnsClient, DnsOptions } from "./dns";
import { formatText } from "./format";
import { verify } from "./gather";
import { buildTargets, DeclaredRecord, parseDkimTokens, parseOutputs, ReplicaMap, specFromFlags, TokenMap, tokensFromRecords } from "./targets";
import { isUserError, UsageError } from "../command";

export const USAGE = `usage: verify (--stack NAME | --domain D --regions R1,R2 [--mail-from M] [--from F ...])
              [--outputs FILE | --state FILE] [--dkim-tokens [domain:]region=t1,t2,t3 ...]
              [--resolver HOST[:PORT] ...] [--timeout MS] [--required-paths any|both]
              [--standards both|rfc7489|rfc9989] [--json]
exit status: 0 every domain, region and From domain passes DMARC; 1 some would not; 2 usage or config error`;

/** The flags `verify` and `adopt` share: the user's DKIM tokens and the DNS client's settings. */
export const DNS_OPTIONS = {
  "dkim-tokens": { type: "string", multiple: true },
  resolver: { type: "string", multiple: true },
  timeout: { type: "string" },
} as const;

const OPTIONS = {
  stack: { type: "string" },
  domain: { type: "string" },
  regions: { type: "string" },
  "mail-from": { type: "string" },
  from: { type: "string", multiple: true },
  outputs: { type: "string" },
  state: { type: "string" },
  ...DNS_OPTIONS,
  "required-paths": { type: "string" },
  standards: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Tries per server for each query; the run stops sending new queries after this many timeouts' worth of time. */
const TRIES = 2;
const BUDGET_TIMEOUTS = 15;
const CONCURRENCY = 128;
const DEFAULT_TIMEOUT_MS = 2000;

/** Repeated, comma-separated flag values as one list. */
export function list(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
}

function readFile(flag: string, file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`${flag}: cannot read ${file}: ${(error as Error).message}`);
  }
}

/** The command's DNS settings; the benchmark measures exactly these. */
export function clientOptions(servers: string[], timeoutMs = DEFAULT_TIMEOUT_MS): DnsOptions {
  return { servers, timeoutMs, tries: TRIES, concurrency: CONCURRENCY, budgetMs: timeoutMs * BUDGET_TIMEOUTS };
}

/** `--timeout MS`, one try's timeout; the default when not given. */
export function timeoutOf(value: string | undefined): number {
  const timeoutMs = Number(value ?? DEFAULT_TIMEOUT_MS);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 60000) throw new UsageError(`--timeout: ${value} is not a whole number of ms from 1 to 60000`);
  return timeoutMs;
}

export function makeClient(servers: string[], timeoutMs: number): DnsClient {
  try {
    return new DnsClient(clientOptions(servers, timeoutMs));
  } catch (error) {
    throw new UsageError(`--resolver: ${(error as Error).message}`);
  }
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
  cwd: string;
}

async function run(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false });
  if (values.help) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  const flagsDomain = values.domain !== undefined || values.regions !== undefined || values["mail-from"] !== undefined || values.from !== undefined;
  if ((values.stack === undefined) === !flagsDomain) throw new UsageError("give either --stack NAME or --domain D --regions R1,R2");
  if (values.outputs !== undefined && values.state !== undefined) throw new UsageError("give --outputs or --state, not both");
  const timeoutMs = timeoutOf(values.timeout);
  const requiredPaths = (values["required-paths"] ?? RequiredPaths.ANY) as RequiredPaths;
  if (!REQUIRED_PATHS.includes(requiredPaths)) throw new UsageError(`--required-paths: must be ${REQUIRED_PATHS.join(" or ")}`);
  const standards = values.standards as Standards | undefined;
  if (standards !== undefined && !STANDARDS.includes(standards)) throw new UsageError(`--standards: must be ${STANDARDS.join(", ")}`);

  let specs: DomainSpec[];
  // A stack that receives its reports: the receiving domain is judged too, its MX and report authorizations declared.
  let receiving: DeclaredRecord[] = [];
  if (values.stack !== undefined) {
    const stack = parseStackConfig(readStackConfig(io.cwd, values.stack));
    specs = stack.domains;
    if (stack.reports) {
      specs = [...specs, receivingIdentity(stack.reports)];
      receiving = receivingRecords(stack.reports);
    }
  } else {
    if (values.domain === undefined) throw new UsageError("--domain is required with --regions, --mail-from and --from");
    specs = [specFromFlags({ domain: values.domain, regions: list([values.regions ?? ""]), mailFrom: values["mail-from"], from: list(values.from) })];
  }
  let records: DeclaredRecord[] = [];
  const tokenMaps: TokenMap[] = [];
  let replicas: ReplicaMap = new Map();
  if (values.outputs !== undefined) records = parseOutputs(readFile("--outputs", values.outputs), values.outputs);
  if (values.state !== undefined) {
    // Required here, not imported above: state.ts brings the policy pack's model, a second to load.
    const { parseState } = require("./state") as typeof import("./state");
    const state = parseState(readFile("--state", values.state), values.state);
    records = state.records;
    tokenMaps.push(state.tokens);
    replicas = state.replicas;
  }
  tokenMaps.push(tokensFromRecords(records), parseDkimTokens(values["dkim-tokens"] ?? [], specs.map((s) => s.name)));
  const targets = buildTargets(specs, [...records, ...receiving], tokenMaps, requiredPaths, replicas, standards);

  const client = makeClient(list(values.resolver), timeoutMs);
  try {
    const report = await verify(targets, client);
    io.out(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatText(report));
    return report.ok ? 0 : 1;
  } finally {
    client.close();
  }
}

/** Run the command; every problem with the invocation or the config is reported as exit 2. */
export async function main(argv: string[], io: Io): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    if (!isUserError(error)) throw error;
    io.err(`verify: ${error.message}\n${USAGE}\n`);
    return 2;
  }
}
