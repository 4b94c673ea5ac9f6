/**
 * What `verify` checks, from flags, stack config or stack outputs (a state export: state.ts): one
 * Target per SES domain identity. Pure: files are read by the CLI and handed in as text.
 */
import { RequiredPaths } from "../../lib/alignment";
import { Alignment, DmarcPolicy, Standards } from "../../lib/dmarc";
import { isAtOrBelow, isValidDomain, normalizeName } from "../../lib/names";
import { DnsRecordSpec, EASY_DKIM_TOKENS, RecordRole, RecordType } from "../../lib/records";
import { sesRegionProblem } from "../../lib/regions";
import { DnsProvider, DomainSpec, EasyDkimKeyLength, MailFromMxFailure } from "../../lib/spec";
import { UsageError } from "../command";

/** A record the stack declared, as `records` in the stack outputs lists it (DnsRecordSpec's shape). */
export type DeclaredRecord = Pick<DnsRecordSpec, "name" | "type" | "values"> & Partial<Pick<DnsRecordSpec, "domain" | "region" | "role" | "ttl">>;

/** Easy DKIM tokens: domain → region → the 3 tokens. */
export type TokenMap = Map<string, Map<string, string[]>>;

/**
 * Deterministic Easy DKIM replicas: domain → region → the region of the parent identity whose keys
 * (tokens, CNAMEs and DKIM host) the replica signs with.
 */
export type ReplicaMap = Map<string, Map<string, string>>;

export interface Target {
  spec: DomainSpec;
  /** Easy DKIM tokens by region, where known. */
  tokens: Map<string, string[]>;
  /** Region → parent region, for the regions whose identity is a Deterministic Easy DKIM replica. */
  replicaOf?: Map<string, string>;
  /** Records the stack declared for this domain, to be found published with these values. */
  declared: DeclaredRecord[];
  requiredPaths: RequiredPaths;
  /** The receivers the verdict must satisfy: the --standards flag, else the domain's dmarc.standards. */
  standards: Standards;
}

export interface DomainFlags {
  domain: string;
  regions: string[];
  mailFrom?: string;
  from: string[];
}

function domainName(flag: string, value: string): string {
  if (!isValidDomain(value)) throw new UsageError(`${flag}: "${value}" is not a domain name`);
  return normalizeName(value);
}

/** The model of a domain given on the command line: Easy DKIM, DMARC published outside any stack. */
export function specFromFlags(flags: DomainFlags): DomainSpec {
  const name = domainName("--domain", flags.domain);
  if (flags.regions.length === 0) throw new UsageError("--regions: name at least one SES region, e.g. us-east-1,eu-west-1");
  for (const region of flags.regions) {
    const problem = sesRegionProblem(region);
    if (problem) throw new UsageError(`--regions: ${problem}`);
  }
  const fromDomains = flags.from.length ? flags.from.map((f) => domainName("--from", f)) : [name];
  for (const from of fromDomains) {
    if (!isAtOrBelow(from, name)) throw new UsageError(`--from: ${from} is not ${name} or below it; SES signs as ${name}, which cannot align with it`);
  }
  let mailFrom: DomainSpec["mailFrom"];
  if (flags.mailFrom !== undefined) {
    const m = domainName("--mail-from", flags.mailFrom);
    if (m === name || !isAtOrBelow(m, name)) throw new UsageError(`--mail-from: ${m} must be a subdomain of ${name}`);
    mailFrom = { subdomain: m.slice(0, -name.length - 1), perRegion: false, onMxFailure: MailFromMxFailure.REJECT };
  }
  return {
    name,
    dns: { provider: DnsProvider.ROUTE53, zone: name, allowOverwrite: false },
    regions: [...new Set(flags.regions)],
    fromDomains: [...new Set(fromDomains)],
    mailFrom,
    dkim: { kind: "easy", keyLength: EasyDkimKeyLength.RSA_2048_BIT },
    dmarc: { manage: false, policy: DmarcPolicy.NONE, rua: [], ruf: [], adkim: Alignment.RELAXED, aspf: Alignment.RELAXED, standards: Standards.BOTH },
    ttl: 3600,
  };
}

/** `map[domain][region] = value`. */
export function addByRegion<V>(map: Map<string, Map<string, V>>, domain: string, region: string, value: V): void {
  const byRegion = map.get(domain) ?? new Map<string, V>();
  byRegion.set(region, value);
  map.set(domain, byRegion);
}

/** `--dkim-tokens [domain:]region=t1,t2,t3`; without `domain:` it applies to the only domain. */
export function parseDkimTokens(values: string[], domains: string[]): TokenMap {
  const map: TokenMap = new Map();
  for (const value of values) {
    const match = /^(?:([^:=]+):)?([a-z0-9-]+)=(.*)$/.exec(value.trim());
    if (!match) throw new UsageError(`--dkim-tokens: "${value}" is not [domain:]region=token1,token2,token3`);
    const [, rawDomain, region, list] = match;
    const domain = rawDomain === undefined ? (domains.length === 1 ? domains[0] : undefined) : normalizeName(rawDomain);
    if (!domain) throw new UsageError(`--dkim-tokens: ${domains.length} domains are checked; write ${"<domain>"}:${region}=…`);
    if (!domains.includes(domain)) throw new UsageError(`--dkim-tokens: ${domain} is not one of the domains checked (${domains.join(", ")})`);
    const problem = sesRegionProblem(region);
    if (problem) throw new UsageError(`--dkim-tokens: ${problem}`);
    const tokens = list.split(",").map((t) => t.trim().toLowerCase());
    if (tokens.length !== EASY_DKIM_TOKENS || tokens.some((t) => !/^[a-z0-9]{1,63}$/.test(t))) {
      throw new UsageError(`--dkim-tokens: ${region} needs exactly ${EASY_DKIM_TOKENS} tokens (letters and digits), comma-separated`);
    }
    addByRegion(map, domain, region, tokens);
  }
  return map;
}

export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file}: not JSON: ${(error as Error).message}`);
  }
}

/** The record types SES needs, the only ones verify looks up. */
export const RECORD_TYPES: readonly RecordType[] = Object.values(RecordType);

/** The `records` list of the stack outputs, checked item by item. */
export function declaredRecords(value: unknown, where: string): DeclaredRecord[] {
  if (!Array.isArray(value)) throw new UsageError(`${where}: "records" must be a list of {domain, region?, role, name, type, values, ttl}`);
  return value.map((item, i) => {
    const r = item as Partial<DeclaredRecord> | null;
    const ok = r && typeof r.name === "string" && RECORD_TYPES.includes(r.type as RecordType) && Array.isArray(r.values) && r.values.every((v) => typeof v === "string");
    if (!ok) throw new UsageError(`${where}: records[${i}] needs name, type (${RECORD_TYPES.join("|")}) and values (strings)`);
    return { ...r, name: normalizeName(r.name!) } as DeclaredRecord;
  });
}

/** `pulumi stack output --json`: the program exports every record it manages as `records`. */
export function parseOutputs(text: string, file: string): DeclaredRecord[] {
  const outputs = parseJson(text, file) as Record<string, unknown> | null;
  if (!outputs || typeof outputs !== "object" || !("records" in outputs)) throw new UsageError(`${file}: no "records" output; is this \`pulumi stack output --json\` of this program?`);
  return declaredRecords(outputs.records, file);
}

/** Easy DKIM tokens carried by declared DKIM CNAMEs (`<token>._domainkey.<domain>`). */
export function tokensFromRecords(records: readonly DeclaredRecord[]): TokenMap {
  const map: TokenMap = new Map();
  const grouped = new Map<string, string[]>();
  for (const r of records) {
    if (r.role !== RecordRole.DKIM || !r.domain || !r.region) continue;
    const key = `${normalizeName(r.domain)} ${r.region}`;
    grouped.set(key, [...(grouped.get(key) ?? []), r.name.split(".")[0]]);
  }
  for (const [key, tokens] of grouped) {
    const [domain, region] = key.split(" ");
    addByRegion(map, domain, region, tokens);
  }
  return map;
}

/** The deepest domain a record name belongs to. */
function owner(name: string, domains: readonly string[]): string | undefined {
  return domains.filter((d) => isAtOrBelow(name, d)).sort((a, b) => b.length - a.length)[0];
}

export function buildTargets(specs: readonly DomainSpec[], records: readonly DeclaredRecord[], tokenMaps: readonly TokenMap[], requiredPaths: RequiredPaths, replicas: ReplicaMap = new Map(), standards?: Standards): Target[] {
  const names = specs.map((s) => s.name);
  return specs.map((spec) => {
    const tokens = new Map<string, string[]>();
    for (const map of tokenMaps) for (const [region, list] of map.get(spec.name) ?? []) tokens.set(region, list);
    const declared = records.filter((r) => (r.domain ? normalizeName(r.domain) === spec.name : owner(r.name, names) === spec.name));
    return { spec, tokens, declared, requiredPaths, replicaOf: replicas.get(spec.name), standards: standards ?? spec.dmarc.standards };
  });
}
