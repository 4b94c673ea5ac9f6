/**
 * Record builders: the only place a DNS record name or value for SES is formed. The program
 * writes these records, the policy pack expects them, `verify` looks them up, tests serve them.
 */
import { formatDmarc } from "./dmarc";
import { organizationalDomain, reportAuthorizationName } from "./names";
import type { ReceivingSpec } from "./receiving";
import { dkimHost, feedbackHost, inboundHost, SES_SPF_INCLUDE } from "./regions";
import { DomainSpec, MailFromSpec } from "./spec";

/** What a record is for. */
export enum RecordRole {
  /** An Easy DKIM CNAME, `<token>._domainkey.<domain>`. */
  DKIM = "dkim",
  /** The BYODKIM key, TXT `<selector>._domainkey.<domain>`. */
  BYODKIM = "byodkim",
  /** The MAIL FROM domain's MX, to the region's SES feedback endpoint. */
  MAIL_FROM_MX = "mail-from-mx",
  /** The MAIL FROM domain's SPF TXT, including amazonses.com. */
  MAIL_FROM_SPF = "mail-from-spf",
  /** The DMARC TXT at `_dmarc.<domain>`. */
  DMARC = "dmarc",
  /** The receiving domain's MX, to SES's inbound endpoint of the receiving region (lib/receiving.ts). */
  REPORTS_MX = "reports-mx",
  /** TXT `v=DMARC1` at `<policy domain>._report._dmarc.<receiving domain>`: reports from another organization are wanted. */
  REPORT_AUTHORIZATION = "report-authorization",
}

/**
 * The records a production stack protects (with the identities): deleting one fails DKIM, and so
 * DMARC, at once, and Easy DKIM tokens never come back. MAIL FROM records can be rewritten any time.
 */
export const PROTECTED_ROLES: ReadonlySet<RecordRole> = new Set([RecordRole.DKIM, RecordRole.BYODKIM, RecordRole.DMARC]);

/** The DNS record types SES needs. */
export enum RecordType {
  /** An alias (Easy DKIM). */
  CNAME = "CNAME",
  /** A mail exchanger (MAIL FROM). */
  MX = "MX",
  /** Text (SPF, DMARC, a BYODKIM key). */
  TXT = "TXT",
}

export interface DnsRecordSpec {
  /** Stable key, unique in a stack: the logical name of the record's resource. */
  key: string;
  /** The SES domain identity the record serves. */
  domain: string;
  /** The SES region the record serves; undefined for records every region shares. */
  region?: string;
  /** What the record is for. */
  role: RecordRole;
  /** Absolute, lower case, no trailing dot. */
  name: string;
  /** The record type. */
  type: RecordType;
  /** CNAME: target; MX: `priority host`; TXT: the whole value, unsplit and unquoted. */
  values: string[];
  /** Seconds; 1 is automatic (Cloudflare). */
  ttl: number;
  /** Easy DKIM: which of the identity's tokens (0-2) the name and value carry. */
  dkimToken?: number;
}

/** Easy DKIM gives every identity exactly this many tokens per region. */
export const EASY_DKIM_TOKENS = 3;
export const MAIL_FROM_MX_PRIORITY = 10;
export const SES_SPF = `v=spf1 include:${SES_SPF_INCLUDE} ~all`;

/** Stands in for a DKIM token that SES has not issued yet (preview, offline plan). */
export function dkimTokenPlaceholder(index: number): string {
  return `{dkim-token-${index + 1}}`;
}

export function isDkimTokenPlaceholder(text: string): boolean {
  return /\{dkim-token-[0-9]+\}/.test(text);
}

/**
 * A name's first label, never empty: a name built from a value that turned out empty (an unset
 * selector the provider recorded as "", say) would be `._domainkey.…`, which names nothing.
 * Readers of state (lib/state.ts) give undefined for such values; this refuses the rest loudly.
 */
function label(what: string, value: string): string {
  if (typeof value !== "string" || value.trim() === "") throw new Error(`no ${what}: refusing to build a DNS name from ${JSON.stringify(value)}`);
  return value;
}

/** Where an Easy DKIM token's CNAME lives: `<token>._domainkey.<domain>`. */
export function easyDkimName(domain: string, token: string): string {
  return `${label("DKIM token", token)}._domainkey.${domain}`.toLowerCase();
}

/** What an Easy DKIM token's CNAME points at: `<token>.<DKIM host of region>`. */
export function easyDkimTarget(region: string, token: string): string {
  return `${label("DKIM token", token)}.${dkimHost(region)}`.toLowerCase();
}

/** `<token>._domainkey.<domain>` → `<token>.<DKIM host of region>`. */
export function easyDkimRecord(domain: DomainSpec, region: string, index: number, token: string): DnsRecordSpec {
  return {
    key: `${domain.name}-dkim-${region}-${index + 1}`,
    domain: domain.name,
    region,
    role: RecordRole.DKIM,
    name: easyDkimName(domain.name, token),
    type: RecordType.CNAME,
    values: [easyDkimTarget(region, token)],
    ttl: domain.ttl,
    dkimToken: index,
  };
}

/** The name of a BYODKIM key record. */
export function dkimSelectorName(selector: string, domain: string): string {
  return `${label("DKIM selector", selector)}._domainkey.${domain}`.toLowerCase();
}

export function byodkimValue(publicKey: string): string {
  return `v=DKIM1; k=rsa; p=${publicKey}`;
}

const BASE64 = /^[A-Za-z0-9+/]+=*$/;

/**
 * The public key of a DKIM key record (RFC 6376 §3.6.1), or undefined when the text is not one:
 * a tag list where `v=`, if present, comes first and says DKIM1, with one non-empty base64 `p=`
 * (whitespace inside it ignored). One pass over the text, without a list of tags: receivers'
 * views of thousands of keys are read this way.
 */
export function dkimPublicKey(text: string): string | undefined {
  let key: string | undefined;
  for (let start = 0, index = 0; start < text.length; index++) {
    const semicolon = text.indexOf(";", start);
    const end = semicolon < 0 ? text.length : semicolon;
    const eq = text.indexOf("=", start);
    if (eq >= 0 && eq < end) {
      const name = text.slice(start, eq).trim().toLowerCase();
      const value = text.slice(eq + 1, end).replace(/\s+/g, "");
      if (name === "v" && (index !== 0 || value !== "DKIM1")) return undefined;
      if (name === "p") {
        if (key !== undefined) return undefined; // a tag twice invalidates the whole list
        key = value;
      }
    }
    start = end + 1;
  }
  return key && BASE64.test(key) ? key : undefined;
}

/** The MAIL FROM domain an identity uses in `region`, or undefined when MAIL FROM is off. */
export function mailFromDomain(domain: DomainSpec, region: string): string | undefined {
  const mailFrom = domain.mailFrom;
  if (!mailFrom) return undefined;
  return mailFrom.perRegion ? `${mailFrom.subdomain}-${region}.${domain.name}` : `${mailFrom.subdomain}.${domain.name}`;
}

function mailFromRecords(domain: DomainSpec, mailFrom: MailFromSpec): DnsRecordSpec[] {
  // A shared MAIL FROM domain gets a single MX, at the first region's endpoint: SES fails the
  // setup when several MX records exist, and redirects other regions' bounces itself.
  const groups = mailFrom.perRegion
    ? domain.regions.map((region) => ({ region, mxRegion: region, suffix: `-${region}` }))
    : [{ region: undefined, mxRegion: domain.regions[0], suffix: "" }];
  return groups.flatMap(({ region, mxRegion, suffix }) => {
    const name = mailFromDomain(domain, mxRegion)!;
    const common = { domain: domain.name, region, name, ttl: domain.ttl };
    return [
      { ...common, key: `${domain.name}-mail-from-mx${suffix}`, role: RecordRole.MAIL_FROM_MX, type: RecordType.MX, values: [`${MAIL_FROM_MX_PRIORITY} ${feedbackHost(mxRegion)}`] },
      { ...common, key: `${domain.name}-mail-from-spf${suffix}`, role: RecordRole.MAIL_FROM_SPF, type: RecordType.TXT, values: [SES_SPF] },
    ];
  });
}

/**
 * Every record a domain needs, in a stable order. Easy DKIM records carry the tokens that
 * `tokensOf(region)` gives, or placeholders while they are unknown.
 */
export function domainRecords(domain: DomainSpec, tokensOf: (region: string) => readonly string[] | undefined = () => undefined): DnsRecordSpec[] {
  const records: DnsRecordSpec[] = [];
  const dkim = domain.dkim;
  if (dkim.kind === "easy") {
    for (const region of domain.regions) {
      const tokens = tokensOf(region);
      for (let i = 0; i < EASY_DKIM_TOKENS; i++) records.push(easyDkimRecord(domain, region, i, tokens?.[i] ?? dkimTokenPlaceholder(i)));
    }
  } else {
    records.push({
      key: `${domain.name}-byodkim`,
      domain: domain.name,
      role: RecordRole.BYODKIM,
      name: dkimSelectorName(dkim.selector, domain.name),
      type: RecordType.TXT,
      values: [byodkimValue(dkim.publicKey)],
      ttl: domain.ttl,
    });
  }
  if (domain.mailFrom) records.push(...mailFromRecords(domain, domain.mailFrom));
  if (domain.dmarc.manage) {
    records.push({
      key: `${domain.name}-dmarc`,
      domain: domain.name,
      role: RecordRole.DMARC,
      name: `_dmarc.${domain.name}`,
      type: RecordType.TXT,
      values: [formatDmarc(domain.dmarc)],
      ttl: domain.ttl,
    });
  }
  return records;
}

/** The value of a report authorization record (RFC 7489 §7.1): any record starting `v=DMARC1` will do. */
export const REPORT_AUTHORIZATION_VALUE = "v=DMARC1";
export const REPORTS_MX_PRIORITY = 10;

/**
 * The receiving domain's records: its MX to SES's inbound endpoint, and an authorization for each
 * policy domain whose organizational domain differs from the receiving domain's (a receiver
 * sends those reports only once the receiving domain says it wants them).
 */
export function receivingRecords(spec: Pick<ReceivingSpec, "domain" | "region" | "ttl" | "authorizedDomains">): DnsRecordSpec[] {
  const common = { domain: spec.domain, ttl: spec.ttl };
  const own = organizationalDomain(spec.domain);
  return [
    { ...common, region: spec.region, key: `${spec.domain}-reports-mx`, role: RecordRole.REPORTS_MX, name: spec.domain, type: RecordType.MX, values: [`${REPORTS_MX_PRIORITY} ${inboundHost(spec.region)}`] },
    ...[...new Set(spec.authorizedDomains)]
      .filter((policyDomain) => organizationalDomain(policyDomain) !== own)
      .map((policyDomain) => ({
        ...common,
        key: `${spec.domain}-report-authorization-${policyDomain}`,
        role: RecordRole.REPORT_AUTHORIZATION,
        name: reportAuthorizationName(policyDomain, spec.domain),
        type: RecordType.TXT,
        values: [REPORT_AUTHORIZATION_VALUE],
      })),
  ];
}

/** `10 host` → its parts. */
export function parseMx(value: string): { priority: number; exchange: string } | undefined {
  const match = /^\s*([0-9]+)\s+(\S+?)\.?\s*$/.exec(value);
  return match ? { priority: Number(match[1]), exchange: match[2].toLowerCase() } : undefined;
}
