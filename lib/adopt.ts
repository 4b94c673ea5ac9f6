/**
 * Adopting a hand-made setup: which of the resources a domain declares already exist, how they
 * differ from what the program would write, and the import id each provider takes for them. Pure:
 * `tools/adopt/` gathers what exists (live DNS, SES, Route 53, Cloudflare) and hands it in.
 * Import ids are the providers' own documented forms (their SDKs' "## Import" sections):
 * SES identities and MAIL FROM attributes by the identity, `@<region>` appended for a region
 * other than the provider's (pulumi-aws 7 "Enhanced Region Support"); Route 53 records by
 * `ZONEID_NAME_TYPE` (`_SETIDENTIFIER` appended for a record with one); Cloudflare records by
 * `<zone id>/<record id>`.
 */
import { Checker, describe, isObject } from "./check";
import { parseDmarc } from "./dmarc";
import { normalizeName } from "./names";
import { DnsRecordSpec, domainRecords, EASY_DKIM_TOKENS, mailFromDomain, parseMx, RecordRole, RecordType } from "./records";
import { BEHAVIOR_ON_MX_FAILURE, DnsProvider, DomainSpec, EasyDkimKeyLength, isHostedZoneId } from "./spec";
import { cloudflareTxtContent, readTxt, splitTxt } from "./txt";

/** The Pulumi types of what a domain declares that can exist before the stack does. */
export const RESOURCE_TYPES = {
  identity: "aws:sesv2/emailIdentity:EmailIdentity",
  mailFrom: "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes",
  [DnsProvider.ROUTE53]: "aws:route53/record:Record",
  [DnsProvider.CLOUDFLARE]: "cloudflare:index/dnsRecord:DnsRecord",
} as const;

/** The component every one of a domain's resources is a child of (components/ses-domain.ts). */
export const DOMAIN_COMPONENT_TYPE = "ses-email-auth:index:SesDomain";

export type AdoptableKind = "identity" | "mail-from" | "record";

/** A resource a domain declares that may already exist: its logical name and type as the program registers it. */
export interface Adoptable {
  name: string;
  type: string;
  kind: AdoptableKind;
  domain: string;
  region?: string;
  /** For records: what the program writes (Easy DKIM names carry the tokens when known). */
  record?: DnsRecordSpec;
}

/** The identity's logical name in `region` (components/ses-domain.ts names it so). */
export function identityName(domain: string, region: string): string {
  return `${domain}-${region}`;
}

export function mailFromName(domain: string, region: string): string {
  return `${domain}-${region}-mail-from`;
}

/**
 * What a domain declares that can exist already, in the order the program declares it: per region
 * the identity and its MAIL FROM attributes, then the records. A record of one value is one
 * resource under either provider, named by its key (lib/records.ts).
 */
export function adoptables(domain: DomainSpec, tokensOf: (region: string) => readonly string[] | undefined = () => undefined): Adoptable[] {
  const result: Adoptable[] = [];
  for (const region of domain.regions) result.push({ name: identityName(domain.name, region), type: RESOURCE_TYPES.identity, kind: "identity", domain: domain.name, region });
  if (domain.mailFrom) for (const region of domain.regions) result.push({ name: mailFromName(domain.name, region), type: RESOURCE_TYPES.mailFrom, kind: "mail-from", domain: domain.name, region });
  for (const record of domainRecords(domain, tokensOf)) {
    result.push({ name: record.key, type: RESOURCE_TYPES[domain.dns.provider], kind: "record", domain: domain.name, region: record.region, record });
  }
  return result;
}

/** `pulumi import` id of an SES identity or its MAIL FROM attributes in `region`. */
export function sesImportId(domain: string, region: string): string {
  return `${domain}@${region}`;
}

/** `pulumi import` id of a Route 53 record set. */
export function route53ImportId(zoneId: string, name: string, type: string, setIdentifier?: string): string {
  return `${zoneId}_${normalizeName(name)}_${type}${setIdentifier ? `_${setIdentifier}` : ""}`;
}

/** `pulumi import` id of a Cloudflare record. */
export function cloudflareImportId(zoneId: string, recordId: string): string {
  return `${zoneId}/${recordId}`;
}

const CLOUDFLARE_ID = /^[0-9a-f]{32}$/;

/** What a valid import id of `a` looks like, or undefined when `id` is one. */
function importIdProblem(domain: DomainSpec, a: Adoptable, id: string): string | undefined {
  if (a.kind !== "record") {
    const want = sesImportId(domain.name, a.region!);
    return id === want ? undefined : `must be "${want}" (the identity, @ its region)`;
  }
  const r = a.record!;
  const zone = domain.dns.zone;
  if (domain.dns.provider === DnsProvider.CLOUDFLARE) {
    const [zoneId, recordId, ...rest] = id.split("/");
    if (rest.length || !CLOUDFLARE_ID.test(recordId ?? "") || (zone !== undefined && zoneId !== zone)) return `must be "${zone ?? "<zone id>"}/<record id>" (32 hex digits, as the Cloudflare API lists it)`;
    return undefined;
  }
  const match = /^(Z[A-Z0-9]{1,31})_(.+)_([A-Z]+)$/.exec(id);
  // Easy DKIM names carry tokens SES issued; only their shape is known here.
  const nameOk = match && (r.role === RecordRole.DKIM ? new RegExp(`^[a-z0-9]{1,63}\\._domainkey\\.${domain.name.replace(/\./g, "\\.")}$`).test(match[2]) : match[2] === r.name);
  const zoneOk = match && (zone === undefined || !isHostedZoneId(zone) || match[1] === zone);
  if (!match || !nameOk || !zoneOk || match[3] !== r.type) return `must be "${zone !== undefined && isHostedZoneId(zone) ? zone : "<zone id>"}_${r.role === RecordRole.DKIM ? `<token>._domainkey.${domain.name}` : r.name}_${r.type}" (ZONEID_NAME_TYPE)`;
  return undefined;
}

/**
 * The `adopt` argument: logical name → import id, for resources of this domain that exist. Every
 * name must be one the domain declares and every id of its provider's form, so a typo fails the
 * preview instead of importing the wrong thing or creating a duplicate.
 */
export function checkAdopt(c: Checker, value: unknown, domain: DomainSpec | undefined): Record<string, string> {
  if (value === undefined || value === false) return {};
  if (value === true) {
    // What people try first: the program cannot know the ids offline (DKIM names carry SES's tokens, Cloudflare ids are random).
    c.fail("adopt", "takes the import id of each resource, not true: npm run adopt -- --stack NAME --write-config finds them and writes the map here (docs/adopt.md)");
    return {};
  }
  if (!isObject(value)) {
    c.fail("adopt", `must map resource names to import ids, as npm run adopt writes them (e.g. {"example.com-us-east-1": "example.com@us-east-1"}); got ${describe(value)}`);
    return {};
  }
  if (!domain) return {};
  const declared = new Map(adoptables(domain).map((a) => [a.name, a]));
  const result: Record<string, string> = {};
  for (const [name, id] of Object.entries(value)) {
    const a = declared.get(name);
    if (!a) {
      c.fail(`adopt["${name}"]`, `is not a resource of ${domain.name}; its resources are ${[...declared.keys()].join(", ")}`);
      continue;
    }
    const problem = typeof id === "string" ? importIdProblem(domain, a, id) : "must be a string";
    if (problem) c.fail(`adopt["${name}"]`, `${problem}; got ${describe(id)}`);
    else result[name] = id as string;
  }
  return result;
}

// ---------------------------------------------------------------- what exists, and the verdict

/** What a record lookup found at one name and type: each value, with its provider id when known. */
export interface FoundRecords {
  /** `value` as receivers read it; `raw` as the provider's API holds it (TXT quoting and splits), when known. */
  values: { value: string; id?: string; raw?: string }[];
  /** Seconds, as the source reports it (an authoritative answer or the provider's API). */
  ttl?: number;
  /** Where it was seen: `dns`, `route53`, `cloudflare`. */
  source: string;
  /** Route 53: set identifiers of routed (weighted, latency, …) record sets at this name and type. */
  setIdentifiers?: string[];
}

/** An SES identity as GetEmailIdentity reports it. */
export interface FoundIdentity {
  tokens: string[];
  /** `SigningAttributesOrigin`: AWS_SES, EXTERNAL or AWS_SES_<REGION> (a Deterministic Easy DKIM replica). */
  signingOrigin?: string;
  nextSigningKeyLength?: string;
  mailFromDomain?: string;
  behaviorOnMxFailure?: string;
}

/**
 * What the sources found. `undefined` from a lookup: looked, nothing there. `"unchecked"`: no
 * source could look (no AWS credentials for SES), so nothing is claimed either way.
 */
export interface Findings {
  records(name: string, type: RecordType): FoundRecords | undefined;
  identity(domain: string, region: string): FoundIdentity | undefined | "unchecked";
  /** The zone's id when known: the config's, or Route 53's answer for its name. */
  zoneId(domain: DomainSpec): string | undefined;
}

export enum AdoptAction {
  /** Exists and matches: imported as it is. */
  ADOPT = "adopt",
  /** Exists but differs: the import option refuses it until the config matches; an import file adopts it and `pulumi up` then changes it. */
  ADOPT_THEN_CHANGE = "adopt-then-change",
  /** Missing: `pulumi up` creates it. */
  CREATE = "create",
  /** Exists in a way the stack cannot take over: fix by hand first. */
  CONFLICT = "conflict",
  /** No source could tell (no AWS credentials, no --dkim-tokens). */
  UNKNOWN = "unknown",
}

export interface AdoptRow {
  domain: string;
  region?: string;
  /** The logical name of the resource. */
  resource: string;
  type: string;
  /** What the resource is, in a few words: `TXT _dmarc.example.com`. */
  subject: string;
  action: AdoptAction;
  /** How what exists differs from what the stack declares: `ttl: 300 → 3600`. */
  differences: string[];
  /** What to do about a difference or conflict: a config change that avoids it, or a fix by hand. */
  advice?: string;
  /** The provider's import id; undefined when the resource is missing or the id is not known. */
  importId?: string;
  sources: string[];
}

/** Values that make a TXT value one of a kind: at most one of each may exist at a name. */
const TXT_KIND: Partial<Record<RecordRole, { tag: RegExp; what: string; why: string }>> = {
  [RecordRole.MAIL_FROM_SPF]: { tag: /^v=spf1(\s|$)/i, what: "SPF records", why: "receivers fail SPF with permerror when a name has two (RFC 7208 §4.5)" },
  [RecordRole.DMARC]: { tag: /^v=DMARC1(\s*;|$)/i, what: "DMARC records", why: "receivers ignore DMARC when a name has two (RFC 7489 §6.6.3, RFC 9989)" },
  [RecordRole.BYODKIM]: { tag: /^v=DKIM1(\s*;|$)/i, what: "DKIM key records", why: "verifiers may pick either key" },
};

function sameValue(type: RecordType, a: string, b: string): boolean {
  if (type === RecordType.TXT) return a === b;
  if (type === RecordType.MX) {
    const [x, y] = [parseMx(a), parseMx(b)];
    return !!x && !!y && x.priority === y.priority && x.exchange === y.exchange;
  }
  return normalizeName(a) === normalizeName(b);
}

interface Context {
  domain: DomainSpec;
  /** The config key of the domain, for advice: `ses-email-auth:domains[0]`. */
  at: string;
  findings: Findings;
}

function recordRow(ctx: Context, a: Adoptable): AdoptRow {
  const r = a.record!;
  const base = { domain: a.domain, region: a.region, resource: a.name, type: a.type, subject: `${r.type} ${r.name}`, differences: [] as string[], sources: [] as string[] };
  if (r.role === RecordRole.DKIM && /\{dkim-token-/.test(r.name)) {
    return { ...base, action: AdoptAction.UNKNOWN, advice: `its name carries the region's DKIM tokens: give them with --dkim-tokens ${a.region}=t1,t2,t3 (the SES console lists them) or AWS credentials` };
  }
  const found = ctx.findings.records(r.name, r.type);
  if (!found || (found.values.length === 0 && !found.setIdentifiers?.length)) return { ...base, action: AdoptAction.CREATE };
  base.sources.push(found.source);
  const expected = r.values[0];
  const provider = ctx.domain.dns.provider;
  const zoneId = ctx.findings.zoneId(ctx.domain);
  if (found.setIdentifiers?.length) {
    return {
      ...base,
      action: AdoptAction.CONFLICT,
      differences: found.setIdentifiers.map((id) => `exists: a routed record set, set identifier ${id}${zoneId ? ` (${route53ImportId(zoneId, r.name, r.type, id)})` : ""}`),
      advice: `Route 53 refuses a simple ${r.type} record at ${r.name} next to routed ones, and the stack writes a simple one: delete the routed sets by hand, or move them to another name`,
    };
  }
  const alias = r.type === RecordType.CNAME ? undefined : ctx.findings.records(r.name, RecordType.CNAME);
  if (alias?.values.length) {
    return {
      ...base,
      sources: [alias.source],
      action: AdoptAction.CONFLICT,
      differences: [`exists: CNAME → ${alias.values[0].value}`],
      advice: `${r.name} is a CNAME (delegated, perhaps to a DMARC or mail vendor), and DNS allows no other record next to one: keep the delegation and leave this record to it (for DMARC, set ${ctx.at}.dmarc.manage: false), or delete the CNAME by hand`,
    };
  }
  const kind = TXT_KIND[r.role];
  // At a TXT name, other kinds of text (a site verification, say) are no concern of a Cloudflare
  // record, which holds one value; Route 53 holds every value of the name in one record set.
  const relevant = kind ? found.values.filter((v) => kind.tag.test(v.value)) : found.values;
  if (kind && relevant.length > 1) {
    return { ...base, action: AdoptAction.CONFLICT, differences: relevant.map((v) => `exists: "${v.value}"`), advice: `${relevant.length} ${kind.what} at ${r.name}: ${kind.why}. Delete all but one by hand (the stack writes "${expected}"), then run adopt again` };
  }
  if (r.type === RecordType.MX) {
    const stray = found.values.filter((v) => !sameValue(r.type, v.value, expected) && parseMx(v.value)?.exchange !== parseMx(expected)?.exchange);
    if (stray.length) {
      return {
        ...base,
        action: AdoptAction.CONFLICT,
        differences: stray.map((v) => `exists: MX ${v.value}`),
        advice: `an MX at the MAIL FROM name ${r.name} points elsewhere; SES needs exactly one MX there, ${expected}. Delete ${stray.map((v) => v.value).join(", ")} if nothing receives mail at ${r.name}, or set ${ctx.at}.mailFrom.subdomain to a name without mail`,
      };
    }
  }
  if (r.type === RecordType.CNAME && !found.values.some((v) => sameValue(r.type, v.value, expected))) {
    return { ...base, action: AdoptAction.CONFLICT, differences: found.values.map((v) => `exists: CNAME → ${v.value}`), advice: `${r.name} points elsewhere, not at SES's DKIM host for ${a.region}: SES cannot verify the identity. Check the tokens and region; delete the CNAME if it is left over` };
  }
  const match = relevant.find((v) => sameValue(r.type, v.value, expected)) ?? (relevant.length === 1 ? relevant[0] : undefined);
  const differences: string[] = [];
  const advice: string[] = [];
  if (provider === DnsProvider.ROUTE53) {
    const values = found.values.map((v) => v.value);
    if (values.length !== 1 || !sameValue(r.type, values[0], expected)) {
      differences.push(`values: ${JSON.stringify(values)} → ${JSON.stringify([expected])}`);
      if (match && !sameValue(r.type, match.value, expected)) advice.push(adviceFor(ctx, r, match.value));
      if (values.length > relevant.length) advice.push(`Route 53 keeps every ${r.type} value of ${r.name} in one record set, and the stack's record holds only its own: move the others elsewhere first, or they are deleted`);
    }
  } else if (!match) {
    return { ...base, action: AdoptAction.CREATE };
  } else if (!sameValue(r.type, match.value, expected)) {
    differences.push(`value: "${match.value}" → "${expected}"`);
    advice.push(adviceFor(ctx, r, match.value));
  }
  const form = match && r.type === RecordType.TXT && match.raw !== undefined ? txtFormDifference(provider, match.raw, expected) : undefined;
  if (form) {
    differences.push(form);
    advice.push("the same text, held in another form than the provider writes: pulumi up rewrites it, and receivers read it alike");
  }
  if (found.ttl !== undefined && found.ttl !== r.ttl) {
    differences.push(`ttl: ${found.ttl} → ${r.ttl}`);
    advice.push(`set ${ctx.at}.ttl: ${found.ttl} to keep the TTL the records already have`);
  }
  const importId = provider === DnsProvider.ROUTE53 ? zoneId && route53ImportId(zoneId, r.name, r.type) : zoneId && match?.id ? cloudflareImportId(zoneId, match.id) : undefined;
  return {
    ...base,
    differences,
    action: differences.length ? AdoptAction.ADOPT_THEN_CHANGE : AdoptAction.ADOPT,
    advice: [...advice, ...(importId ? [] : [provider === DnsProvider.ROUTE53 ? `no zone id: set ${ctx.at}.zone to the hosted zone's id, or give AWS credentials` : "no record id: give a Cloudflare API token (CLOUDFLARE_API_TOKEN)"])].filter(Boolean).join("; ") || undefined,
    importId: importId || undefined,
  };
}

/**
 * How a TXT value the provider holds differs in form from what the program writes, though
 * receivers read both alike: Cloudflare content unquoted (the program quotes it), a Route 53
 * value split into more strings than 255-character chunks need. Either differs from the
 * program's inputs, which an import refuses.
 */
function txtFormDifference(provider: DnsProvider, raw: string, expected: string): string | undefined {
  if (readTxt(raw) !== expected) return undefined;
  if (provider === DnsProvider.CLOUDFLARE) {
    const written = cloudflareTxtContent(expected);
    return raw === written ? undefined : `content: ${raw} → ${written}`;
  }
  const strings = raw.trim().startsWith('"') ? [...raw.matchAll(/"((?:[^"\\]|\\.)*)"/g)].length : 1;
  const needed = splitTxt(expected).length;
  return strings === needed ? undefined : `split into ${strings} strings → ${needed}`;
}

/** Two DMARC records that receivers read alike: the same tags and values, whatever the spacing and order. */
function sameDmarc(a: string, b: string): boolean {
  const [x, y] = [parseDmarc(a), parseDmarc(b)];
  const meaning = (p: typeof x) => (p.ok ? JSON.stringify({ ...p.record, tags: [...p.record.tags].sort() }) : undefined);
  return x.ok && y.ok && meaning(x) === meaning(y);
}

/** The config change that makes the stack write what exists, where one key does it. */
function adviceFor(ctx: Context, r: DnsRecordSpec, existing: string): string {
  switch (r.role) {
    case RecordRole.DMARC:
      if (sameDmarc(existing, r.values[0])) return `the same policy, spelled differently: pulumi up rewrites the text as "${r.values[0]}", which receivers read alike`;
      return `set ${ctx.at}.dmarc to reproduce "${existing}" (policy, percent, rua, …), or accept the change: pulumi up writes "${r.values[0]}"`;
    case RecordRole.MAIL_FROM_SPF:
      return `SES needs include:amazonses.com at the MAIL FROM name; pulumi up writes "${r.values[0]}"`;
    default:
      return `pulumi up writes "${r.values[0]}"`;
  }
}

function identityRow(ctx: Context, a: Adoptable, tokensGiven: boolean): AdoptRow {
  const { domain } = ctx;
  const region = a.region!;
  const base = { domain: a.domain, region, resource: a.name, type: a.type, subject: `SES identity ${domain.name} in ${region}`, differences: [] as string[], sources: [] as string[] };
  const found = ctx.findings.identity(domain.name, region);
  if (found === "unchecked") {
    // The console shows tokens only for an identity that exists.
    if (tokensGiven) return { ...base, action: AdoptAction.ADOPT, sources: ["--dkim-tokens"], importId: sesImportId(domain.name, region), advice: "not checked with SES (no AWS credentials): assumed to exist since its DKIM tokens were given" };
    return { ...base, action: AdoptAction.UNKNOWN, advice: "not checked: give AWS credentials (SES GetEmailIdentity) or the region's --dkim-tokens" };
  }
  if (!found) return { ...base, action: AdoptAction.CREATE, sources: ["ses"] };
  base.sources.push("ses");
  const importId = sesImportId(domain.name, region);
  const origin = found.signingOrigin ?? "";
  if (/^AWS_SES_/.test(origin)) {
    return { ...base, action: AdoptAction.CONFLICT, importId, differences: [`signs as a Deterministic Easy DKIM replica (${origin})`], advice: "the program declares an identity with its own Easy DKIM keys; replicas are not supported by the provider: leave this region out of the stack" };
  }
  const differences: string[] = [];
  const advice: string[] = [];
  if (domain.dkim.kind === "easy" && origin === "EXTERNAL") {
    differences.push("dkim: BYODKIM → Easy DKIM");
    advice.push(`the identity signs with your own key: set ${ctx.at}.dkim to its selector and key (BYODKIM), or SES issues new Easy DKIM tokens`);
  } else if (domain.dkim.kind === "byodkim" && origin !== "EXTERNAL") {
    differences.push("dkim: Easy DKIM → BYODKIM");
    advice.push(`the identity signs with Easy DKIM: remove ${ctx.at}.dkim's selector/publicKey to keep it`);
  } else if (domain.dkim.kind === "easy" && found.nextSigningKeyLength && found.nextSigningKeyLength !== domain.dkim.keyLength) {
    differences.push(`dkim.keyLength: ${found.nextSigningKeyLength} → ${domain.dkim.keyLength}`);
    advice.push(`set ${ctx.at}.dkim.keyLength: ${found.nextSigningKeyLength === EasyDkimKeyLength.RSA_1024_BIT ? 1024 : 2048} to keep it`);
  }
  return { ...base, action: differences.length ? AdoptAction.ADOPT_THEN_CHANGE : AdoptAction.ADOPT, differences, advice: advice.join("; ") || undefined, importId };
}

/** The mailFrom keys that make the stack's MAIL FROM domain in `region` the one that exists, if any do. */
function mailFromAdvice(ctx: Context, existing: string, region: string): string | undefined {
  const suffix = `.${ctx.domain.name}`;
  if (!existing.endsWith(suffix)) return undefined;
  const label = existing.slice(0, -suffix.length);
  if (label.includes(".")) return undefined;
  const perRegion = label.endsWith(`-${region}`);
  return `set ${ctx.at}.mailFrom to {subdomain: ${perRegion ? label.slice(0, -region.length - 1) : label}, perRegion: ${perRegion}} to keep it`;
}

function mailFromRow(ctx: Context, a: Adoptable): AdoptRow {
  const { domain } = ctx;
  const region = a.region!;
  const want = mailFromDomain(domain, region)!;
  const base = { domain: a.domain, region, resource: a.name, type: a.type, subject: `MAIL FROM ${want} in ${region}`, differences: [] as string[], sources: [] as string[] };
  const found = ctx.findings.identity(domain.name, region);
  if (found === "unchecked") return { ...base, action: AdoptAction.UNKNOWN, advice: "not checked: give AWS credentials (SES GetEmailIdentity)" };
  // Without an identity, or with no MAIL FROM set, the attributes are only written: nothing to adopt.
  if (!found || !found.mailFromDomain) return { ...base, action: AdoptAction.CREATE, sources: found ? ["ses"] : [] };
  const differences: string[] = [];
  const advice: string[] = [];
  const existing = normalizeName(found.mailFromDomain);
  if (existing !== want) {
    differences.push(`mailFromDomain: ${existing} → ${want}`);
    advice.push(mailFromAdvice(ctx, existing, region) ?? `pulumi up sets ${want}`);
  }
  const behavior = BEHAVIOR_ON_MX_FAILURE[domain.mailFrom!.onMxFailure];
  if (found.behaviorOnMxFailure && found.behaviorOnMxFailure !== behavior) {
    differences.push(`behaviorOnMxFailure: ${found.behaviorOnMxFailure} → ${behavior}`);
    advice.push(found.behaviorOnMxFailure === "USE_DEFAULT_VALUE" ? `set ${ctx.at}.mailFrom.onMxFailure: use-default to keep it (SES then falls back to amazonses.com and SPF stops aligning), or accept the change` : `set ${ctx.at}.mailFrom.onMxFailure: reject to keep it`);
  }
  return { ...base, sources: ["ses"], action: differences.length ? AdoptAction.ADOPT_THEN_CHANGE : AdoptAction.ADOPT, differences, advice: advice.join("; ") || undefined, importId: sesImportId(domain.name, region) };
}

/** The tokens of each region: SES's answer first, then the user's. */
export function tokensFor(domain: DomainSpec, findings: Findings, given: ReadonlyMap<string, string[]> = new Map()): (region: string) => string[] | undefined {
  return (region) => {
    const found = findings.identity(domain.name, region);
    if (found && found !== "unchecked" && found.tokens.length === EASY_DKIM_TOKENS) return found.tokens;
    return given.get(region);
  };
}

/** Every resource of `domain` that can exist already, classified. `at` is its config key, for advice. */
export function classifyDomain(domain: DomainSpec, at: string, findings: Findings, givenTokens: ReadonlyMap<string, string[]> = new Map()): AdoptRow[] {
  const ctx: Context = { domain, at, findings };
  return adoptables(domain, tokensFor(domain, findings, givenTokens)).map((a) => {
    if (a.kind === "identity") return identityRow(ctx, a, givenTokens.has(a.region!));
    if (a.kind === "mail-from") return mailFromRow(ctx, a);
    return recordRow(ctx, a);
  });
}

/**
 * The `adopt` config value for a domain: the import id of each resource that exists as the stack
 * declares it. Not those that differ: Pulumi refuses an `import` whose inputs differ from what it
 * reads, so those wait for the config change the report suggests (or for an import file).
 */
export function adoptConfig(rows: readonly AdoptRow[]): Record<string, string> {
  return Object.fromEntries(rows.filter((r) => r.importId && r.action === AdoptAction.ADOPT).map((r) => [r.resource, r.importId!]));
}

// ---------------------------------------------------------------- `pulumi import --file`

/** One entry of a `pulumi import --file` document (the CLI's `importSpec`; the Automation API's ImportResource). */
export interface ImportFileResource {
  type: string;
  name: string;
  id?: string;
  /** A name in `nameTable` or another entry's `name`. */
  parent?: string;
  /** An empty component the import creates, to parent the resources imported under it. */
  component?: boolean;
  remote?: boolean;
}

export interface ImportFile {
  nameTable: Record<string, string>;
  resources: ImportFileResource[];
}

/**
 * The import document for what exists: per domain its SesDomain component (created empty, with the
 * stack as parent, as the program registers it) and under it every resource with an import id.
 * Names of components and resources differ (`example.com`, `example.com-us-east-1`), so one
 * namespace serves both. Resources that exist but differ are imported too: `pulumi up` then changes them.
 */
export function importFile(rows: readonly AdoptRow[]): ImportFile {
  const importable = rows.filter((r) => r.importId && (r.action === AdoptAction.ADOPT || r.action === AdoptAction.ADOPT_THEN_CHANGE));
  const domains = [...new Set(importable.map((r) => r.domain))];
  return {
    nameTable: {},
    resources: [
      ...domains.map((d): ImportFileResource => ({ type: DOMAIN_COMPONENT_TYPE, name: d, component: true })),
      ...importable.map((r): ImportFileResource => ({ type: r.type, name: r.resource, id: r.importId!, parent: r.domain })),
    ],
  };
}

/**
 * The URN the engine gives an import-file entry (pulumi/pulumi `resource.NewURN`): its parents'
 * types joined by `$`, then its own; the root stack's type is left out, as for any child of it.
 */
export function importFileUrns(file: ImportFile, stack: string, project: string): string[] {
  const byName = new Map(file.resources.map((r) => [r.name, r]));
  const chain = (r: ImportFileResource): string[] => {
    const parent = r.parent === undefined ? undefined : byName.get(r.parent);
    return [...(parent ? chain(parent) : []), r.type];
  };
  return file.resources.map((r) => `urn:pulumi:${stack}::${project}::${chain(r).join("$")}::${r.name}`);
}
