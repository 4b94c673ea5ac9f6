/**
 * `adopt`'s command line: the stack's config → what it would declare (lib/adopt.ts) → what exists
 * (sources.ts) → a table per domain and region, the `adopt` config to add, and optionally a
 * `pulumi import --file` document. Exit 0 nothing conflicts, 1 a conflict to fix by hand first,
 * 2 usage, config or refused credentials (nothing written), 3 a failure of the tool itself.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Document, isMap, isSeq, parseDocument, stringify, YAMLMap, YAMLSeq } from "yaml";
import { adoptables, AdoptAction, adoptConfig, AdoptRow, classifyDomain, Findings, FoundIdentity, importFile, tokensFor } from "../../lib/adopt";
import { parseStackConfig, PROJECT } from "../../lib/config";
import { RecordType } from "../../lib/records";
import { DnsProvider, isHostedZoneId } from "../../lib/spec";
import { readStackConfig, stackFiles } from "../stack-config";
import { DNS_OPTIONS, Io as VerifyIo, list, makeClient, timeoutOf } from "../verify/cli";
import { table } from "../verify/format";
import { parseDkimTokens } from "../verify/targets";
import { fromCloudflare, fromDns, fromRoute53, fromSes, recordKey, RecordTable, RefusedCredentials, SourceStatus, Unreachable } from "./sources";
import { isUserError, UsageError } from "../command";

export const USAGE = `usage: adopt --stack NAME [--dkim-tokens [domain:]region=t1,t2,t3 ...] [--resolver HOST[:PORT] ...]
             [--timeout MS] [--write-config] [--import-file FILE [--force]] [--json]
Finds which of the stack's SES identities and DNS records already exist (a setup made by hand) and
how to adopt them: live DNS; SES and Route 53 with AWS credentials; Cloudflare with CLOUDFLARE_API_TOKEN.
exit status: 0 nothing conflicts; 1 a conflict to fix by hand first; 2 usage, config or refused credentials; 3 a service that cannot be reached, or a failure of the tool`;

const OPTIONS = {
  stack: { type: "string" },
  ...DNS_OPTIONS,
  "write-config": { type: "boolean" },
  "import-file": { type: "string" },
  force: { type: "boolean" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export interface Io extends VerifyIo {
  /** Where the Cloudflare token is read from (the AWS SDK reads the process's own). */
  env: NodeJS.ProcessEnv;
}

export interface DomainReport {
  domain: string;
  /** Its config key: `ses-email-auth:domains[0]`. */
  key: string;
  provider: DnsProvider;
  zone?: string;
  zoneId?: string;
  rows: AdoptRow[];
  /** The domain's `adopt` config value: resource → import id of everything that exists. */
  adopt: Record<string, string>;
}

export interface AdoptReport {
  stack: string;
  sources: SourceStatus[];
  domains: DomainReport[];
  /** True when some resource conflicts: fix it by hand before adopting. */
  conflicts: boolean;
  importFile?: string;
  /** The stack file `--write-config` wrote the `adopt` maps into. */
  configFile?: string;
}

const ACTION_ORDER = [AdoptAction.CONFLICT, AdoptAction.ADOPT_THEN_CHANGE, AdoptAction.UNKNOWN, AdoptAction.CREATE, AdoptAction.ADOPT];

function findingsOf(records: RecordTable, identities: Map<string, FoundIdentity | undefined> | undefined, zoneIds: Map<string, string>): Findings {
  return {
    records: (name, type) => records.get(recordKey(name, type)),
    identity: (domain, region) => (identities ? identities.get(`${domain} ${region}`) : "unchecked"),
    zoneId: (domain) => {
      const zone = domain.dns.zone;
      if (zone === undefined) return undefined;
      return domain.dns.provider === DnsProvider.CLOUDFLARE || isHostedZoneId(zone) ? zone : zoneIds.get(zone);
    },
  };
}

async function run(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false });
  if (values.help) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  if (values.stack === undefined) throw new UsageError("--stack NAME is required: the stack whose Pulumi.<NAME>.yaml describes what to adopt");
  if (values.force && values["import-file"] === undefined) throw new UsageError("--force applies to --import-file only");
  const timeoutMs = timeoutOf(values.timeout);
  const file = values["import-file"];
  // Refused before any lookup, so nothing is asked of any service for a run that cannot finish.
  if (file !== undefined && existsSync(file) && !values.force) throw new UsageError(`--import-file: ${file} exists; give --force to overwrite it`);

  const spec = parseStackConfig(readStackConfig(io.cwd, values.stack));
  const stackFile = values["write-config"] ? stackFiles(io.cwd, values.stack).stackFile : undefined;
  const stackDoc = stackFile === undefined ? undefined : adoptableStackFile(stackFile, spec.domains.length);
  const domains = spec.domains;
  const given = parseDkimTokens(values["dkim-tokens"] ?? [], domains.map((d) => d.name));
  const route53Domains = domains.filter((d) => d.dns.provider === DnsProvider.ROUTE53);
  const cloudflareDomains = domains.filter((d) => d.dns.provider === DnsProvider.CLOUDFLARE);

  const ses = await fromSes(domains);
  const sesChecked = ses.status.status === "used";
  const r53 = await fromRoute53(route53Domains);
  const cf = await fromCloudflare(cloudflareDomains, io.env.CLOUDFLARE_API_TOKEN || undefined);
  const identities = sesChecked ? ses.identities : undefined;

  // Live DNS for every name the stack would write, Easy DKIM names with whichever tokens are known.
  const early = findingsOf(new Map(), identities, r53.zoneIds);
  const questions = domains.flatMap((d) =>
    adoptables(d, tokensFor(d, early, given.get(d.name)))
      // A CNAME at a TXT or MX name answers for it: asked too, it is a conflict of its own.
      .flatMap((a) => (a.record && !/\{dkim-token-/.test(a.record.name) ? [{ name: a.record.name, type: a.record.type }, ...(a.record.type === RecordType.CNAME ? [] : [{ name: a.record.name, type: RecordType.CNAME }])] : [])),
  );
  const servers = list(values.resolver);
  const client = makeClient(servers, timeoutMs);
  let dns: RecordTable;
  try {
    dns = await fromDns(client, questions);
  } finally {
    client.close();
  }
  // The providers' APIs know ids and exact TTLs; DNS fills in what they did not list.
  const records: RecordTable = new Map([...dns, ...r53.records, ...cf.records]);
  const findings = findingsOf(records, identities, r53.zoneIds);
  const sources: SourceStatus[] = [{ source: "dns", status: "used", detail: servers.length ? `resolvers ${servers.join(", ")}` : "the system's resolvers" }, ses.status, r53.status, cf.status];

  const reports = domains.map((d, i): DomainReport => {
    const key = `${PROJECT}:domains[${i}]`;
    const rows = classifyDomain(d, key, findings, given.get(d.name)).sort((a, b) => ACTION_ORDER.indexOf(a.action) - ACTION_ORDER.indexOf(b.action));
    return { domain: d.name, key, provider: d.dns.provider, zone: d.dns.zone, zoneId: findings.zoneId(d), rows, adopt: adoptConfig(rows) };
  });
  const report: AdoptReport = { stack: values.stack, sources, domains: reports, conflicts: reports.some((d) => d.rows.some((r) => r.action === AdoptAction.CONFLICT)) };
  if (file !== undefined) {
    writeFileSync(file, `${JSON.stringify(importFile(reports.flatMap((d) => d.rows)), null, 2)}\n`);
    report.importFile = file;
  }
  if (stackFile !== undefined && stackDoc !== undefined) {
    writeFileSync(stackFile, withAdopt(stackDoc, reports));
    report.configFile = stackFile;
  }
  io.out(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatText(report));
  return report.conflicts ? 1 : 0;
}

function regionLabel(row: AdoptRow): string {
  return row.region ?? "every region";
}

/**
 * The stack file, to write each domain's `adopt` into: its domains list must be the stack file's
 * own (not Pulumi.yaml's default), one entry per domain. Checked before anything is looked up.
 */
function adoptableStackFile(file: string, domains: number): Document {
  const doc = parseDocument(readFileSync(file, "utf8"));
  const list = doc.getIn(["config", `${PROJECT}:domains`], true) ?? doc.getIn(["config", "domains"], true);
  if (!isSeq(list) || list.items.length !== domains || !list.items.every(isMap)) throw new UsageError(`--write-config: ${file} has no ${PROJECT}:domains list of its own to write adopt into; paste the printed adopt maps instead`);
  return doc;
}

/** The stack file with each domain's `adopt` set to what exists (or removed when nothing does); comments are kept. */
function withAdopt(doc: Document, reports: readonly DomainReport[]): string {
  const list = (doc.getIn(["config", `${PROJECT}:domains`], true) ?? doc.getIn(["config", "domains"], true)) as YAMLSeq<YAMLMap>;
  reports.forEach((d, i) => {
    if (Object.keys(d.adopt).length) list.items[i].set("adopt", doc.createNode(d.adopt));
    else list.items[i].delete("adopt");
  });
  return doc.toString();
}

/** One table per domain, rows grouped by region; then the sources, and the config to add. */
export function formatText(report: AdoptReport): string {
  const out: string[] = [`Adopting stack ${report.stack}`];
  for (const d of report.domains) {
    out.push("", `${d.domain} (${d.provider} zone ${d.zone}${d.zoneId && d.zoneId !== d.zone ? ` = ${d.zoneId}` : ""})`);
    // The domain's regions in its order, then the records every region shares; one set of columns.
    const regions = [...new Set([...d.rows.filter((r) => r.region).map(regionLabel), ...d.rows.map(regionLabel)])];
    const rows: string[][] = [];
    for (const region of regions) {
      rows.push([`  ${region}`]);
      for (const r of d.rows.filter((x) => regionLabel(x) === region)) {
        rows.push([`    ${r.action}`, r.subject, r.differences.join("; ") || (r.importId ? `import ${r.importId}` : "")]);
        if (r.advice) rows.push(["", "", `→ ${r.advice}`]);
      }
    }
    out.push(...table(rows));
  }
  out.push("", "Sources:", ...report.sources.map((s) => `  ${s.source}: ${s.status} (${s.detail})`));
  const adopting = report.domains.filter((d) => Object.keys(d.adopt).length);
  if (adopting.length && !report.configFile) {
    out.push(
      "",
      `To adopt with the program, add to each domain in Pulumi.${report.stack}.yaml (or run with --write-config; remove it after the first pulumi up):`,
      ...adopting.flatMap((d) => [`  # ${d.key} (${d.domain})`, ...stringify({ adopt: d.adopt }).trimEnd().split("\n").map((l) => `  ${l}`)]),
    );
  }
  if (report.domains.some((d) => d.rows.some((r) => r.action === AdoptAction.ADOPT_THEN_CHANGE))) {
    out.push("", "adopt-then-change: Pulumi refuses an import whose inputs differ from what exists, so these are not in adopt above. Make the config change shown, or adopt them as they are with --import-file (pulumi up then changes them); on Route 53, allowOverwrite: true lets pulumi up overwrite them instead.");
  }
  if (report.configFile) out.push("", `Wrote adopt into ${report.configFile}: review it with pulumi preview, run pulumi up, then remove the adopt keys.`);
  if (report.importFile) out.push("", `Wrote ${report.importFile}: pulumi import --file ${report.importFile}, then pulumi up.`);
  out.push("", report.conflicts ? "CONFLICTS: fix them by hand (see →), then run adopt again." : "No conflicts.");
  return `${out.join("\n")}\n`;
}

/** Run the command; every problem with the invocation, the config or the credentials is exit 2. */
export async function main(argv: string[], io: Io): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    const e = error as Error & { code?: string };
    if (error instanceof Unreachable) {
      io.err(`adopt: ${e.message}\n`);
      return 3;
    }
    if (!isUserError(error) && !(error instanceof RefusedCredentials)) throw error;
    io.err(`adopt: ${e.message}\n${error instanceof RefusedCredentials ? "" : `${USAGE}\n`}`);
    return 2;
  }
}
