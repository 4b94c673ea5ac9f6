/**
 * Receiving DMARC aggregate reports with SES (docs/reports.md#receiving-them): a dedicated
 * receiving domain whose MX routes its mail to SES in one receiving region, a receipt rule that
 * stores each message in S3, and the bucket policy that lets only that rule write there. The
 * rules SES sets (region, names, the one active rule set) and the one this project adds: the
 * receiving domain never takes mail that another part of the stack relies on.
 */
import { bool, Checker, describe, integer, object, oneOf } from "./check";
import { checkDomain, dnsTarget, domainName, recordTtl } from "./args";
import { DmarcPolicy } from "./dmarc";
import { isAtOrBelow, isValidLabel, organizationalDomain } from "./names";
import { isReceivingRegion, RECEIVING_REGIONS } from "./regions";
import { DnsProvider, DnsTargetSpec, DomainSpec } from "./spec";

/** Whose receipt rule set the rule goes into: only one set is active per account and region. */
export enum ReceiptRuleSetMode {
  /** The stack creates its own rule set and makes it the active one (replacing any other active set). The default. */
  CREATE = "create",
  /** The stack adds its rule to an existing rule set, named by `ruleSet.name`, that is (or will be made) active outside the stack. */
  EXISTING = "existing",
}
export const RECEIPT_RULE_SET_MODES: readonly ReceiptRuleSetMode[] = [ReceiptRuleSetMode.CREATE, ReceiptRuleSetMode.EXISTING];

export const DEFAULT_REPORTS_LOCAL_PART = "reports";
export const DEFAULT_REPORTS_PREFIX = "dmarc/";
export const DEFAULT_EXPIRATION_DAYS = 365;
export const DEFAULT_RULE_SET_NAME = "ses-email-auth-reports";
export const DEFAULT_RULE_NAME = "dmarc-aggregate-reports";

export interface ReceiptRuleSetSpec {
  mode: ReceiptRuleSetMode;
  /** The set's name: the stack's own (default `ses-email-auth-reports`) or the existing one's. */
  name: string;
  /** Existing sets only: the rule goes after this rule; undefined: first. */
  after?: string;
}

export interface ReceivingSpec {
  /** The dedicated receiving domain, e.g. `dmarc.example.com`: its MX routes its mail to SES. */
  domain: string;
  dns: DnsTargetSpec;
  /** The SES receiving region. */
  region: string;
  /** `<localPart>@<domain>`: the address every `rua` names. */
  address: string;
  /** The bucket the messages are stored in: created by the stack, or an existing one. */
  bucket: { name: string; create: boolean };
  /** Object key prefix of every stored message, ending in `/`. */
  prefix: string;
  /** Created bucket only: stored messages are deleted after this many days. */
  expirationDays: number;
  ruleSet: ReceiptRuleSetSpec;
  ruleName: string;
  ttl: number;
  /** Policy domains whose reports come here from another organizational domain: each gets an authorization record. */
  authorizedDomains: string[];
}

/** The keys of SesReportReceiving's arguments (components/args.ts). */
export const RECEIVING_KEYS = ["domain", "region", "dns", "localPart", "bucketName", "createBucket", "prefix", "expirationDays", "ruleSet", "ruleName", "ttl", "authorizedDomains", "protect"] as const;
export const RULE_SET_KEYS = ["mode", "name", "after"] as const;

/** SES's receipt rule and rule set names (CreateReceiptRuleSet, CreateReceiptRule): ASCII letters, digits, `_`, `.`, `-`; a letter or digit at each end; under 64 characters. */
const SES_RULE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/;
/** S3's bucket naming rules (general purpose buckets): 3-63 lower-case letters, digits, dots and hyphens, a letter or digit at each end. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** S3's "safe characters" for object keys, so the prefix needs no encoding anywhere (IAM ARNs included). */
const KEY_PREFIX = /^[A-Za-z0-9!_.*'()-][A-Za-z0-9!_.*'()/-]{0,1000}\/$/;

function sesName(c: Checker, key: string, value: unknown, fallback: string): string | undefined {
  if (value === undefined) return fallback;
  if (typeof value === "string" && SES_RULE_NAME.test(value)) return value;
  return c.fail(key, `must be an SES rule or rule set name: letters, digits, "_", "." or "-", starting and ending with a letter or digit, under 64 characters; got ${describe(value)}`);
}

export function receivingRegion(c: Checker, key: string, value: unknown): string | undefined {
  if (typeof value === "string" && isReceivingRegion(value)) return value;
  return c.fail(key, `must be a region where SES receives mail: ${RECEIVING_REGIONS.join(", ")}; got ${describe(value)}`);
}

function ruleSet(c: Checker, value: unknown): ReceiptRuleSetSpec | undefined {
  const r = value === undefined ? {} : object(c, "ruleSet", value, RULE_SET_KEYS);
  if (!r) return undefined;
  const mode = oneOf(c, "ruleSet.mode", r.mode, RECEIPT_RULE_SET_MODES, ReceiptRuleSetMode.CREATE);
  if (mode === ReceiptRuleSetMode.EXISTING && r.name === undefined) {
    return c.fail("ruleSet.name", `is required with ${c.key("ruleSet.mode")} existing: the name of the account's active receipt rule set in that region`);
  }
  if (mode === ReceiptRuleSetMode.CREATE && r.after !== undefined) c.fail("ruleSet.after", `applies to ${c.key("ruleSet.mode")} existing only: the stack's own set holds only its rule`);
  const name = sesName(c, "ruleSet.name", r.name, DEFAULT_RULE_SET_NAME);
  const after = r.after === undefined ? undefined : sesName(c, "ruleSet.after", r.after, "");
  return mode && name ? { mode, name, ...(after && { after }) } : undefined;
}

function localPart(c: Checker, value: unknown): string | undefined {
  if (value === undefined) return DEFAULT_REPORTS_LOCAL_PART;
  // Dot-separated labels: an address every reporter's software takes, with no quoting.
  if (typeof value === "string" && value.length <= 64 && value.split(".").every((l) => isValidLabel(l.toLowerCase()))) return value.toLowerCase();
  return c.fail("localPart", `must be the local part of the report address, letters, digits and hyphens in dot-separated parts, e.g. "reports"; got ${describe(value)}`);
}

/** Checks the receiving arguments, reporting every problem; the model when there is none that keeps one from being built. */
export function checkReceiving(c: Checker, value: unknown): ReceivingSpec | undefined {
  const r = object(c, "", value, RECEIVING_KEYS);
  if (!r) return undefined;
  const domain = r.domain === undefined ? c.fail("domain", "is required: the dedicated domain that receives the reports, e.g. dmarc.example.com") : domainName(c, "domain", r.domain);
  const region = r.region === undefined ? c.fail("region", `is required: the SES region that receives the reports, one of ${RECEIVING_REGIONS.join(", ")}`) : receivingRegion(c, "region", r.region);
  const target = r.dns === undefined ? c.fail("dns", "is required: {provider, zone, allowOverwrite?}, the zone the receiving domain's records go to") : dnsTarget(c, r.dns, domain);
  const local = localPart(c, r.localPart);
  const create = bool(c, "createBucket", r.createBucket, true);
  const bucket = bucketOf(c, r.bucketName, create, domain);
  if (!create && r.expirationDays !== undefined) c.fail("expirationDays", `applies to the bucket the stack creates only (${c.key("createBucket")} true); set the expiry of ${bucket?.name ?? "the existing bucket"} on that bucket`);
  const prefix = r.prefix === undefined ? DEFAULT_REPORTS_PREFIX : typeof r.prefix === "string" && KEY_PREFIX.test(r.prefix) ? r.prefix : c.fail("prefix", `must be an S3 key prefix ending in "/", of letters, digits and !_.*'()-/ (no leading "/"), e.g. "${DEFAULT_REPORTS_PREFIX}"; got ${describe(r.prefix)}`);
  const expirationDays = r.expirationDays === undefined ? DEFAULT_EXPIRATION_DAYS : integer(c, "expirationDays", r.expirationDays, 1, 36500);
  const rules = ruleSet(c, r.ruleSet);
  const ruleName = sesName(c, "ruleName", r.ruleName, DEFAULT_RULE_NAME);
  const ttl = recordTtl(c, r.ttl, target?.provider);
  const authorizedDomains = policyDomains(c, r.authorizedDomains);
  bool(c, "protect", r.protect, false);
  if (!domain || !region || !target || !local || !bucket || prefix === undefined || expirationDays === undefined || !rules || !ruleName || ttl === undefined) return undefined;
  return { domain, dns: target, region, address: `${local}@${domain}`, bucket, prefix, expirationDays, ruleSet: rules, ruleName, ttl, authorizedDomains };
}

/** The created bucket's name when none is given: from the receiving domain, so every front end knows it from the config alone. */
export function defaultBucketName(domain: string): string {
  return `${domain.replace(/\./g, "-")}-reports`;
}

function bucketOf(c: Checker, value: unknown, create: boolean, domain: string | undefined): ReceivingSpec["bucket"] | undefined {
  if (value === undefined) {
    if (!create) return c.fail("bucketName", `is required with ${c.key("createBucket")} false: the name of the existing bucket SES stores the messages in`);
    if (!domain) return undefined;
    const name = defaultBucketName(domain);
    if (name.length > 63) return c.fail("bucketName", `is required: the default name from the receiving domain, "${name}", is longer than S3's 63 characters`);
    return { name, create };
  }
  if (typeof value === "string" && BUCKET_NAME.test(value) && !value.includes("..")) return { name: value, create };
  return c.fail("bucketName", `must be an S3 bucket name (3-63 lower-case letters, digits, dots, hyphens, a letter or digit at each end); got ${describe(value)}`);
}

function policyDomains(c: Checker, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return c.fail("authorizedDomains", `must be a list of domains, e.g. [example.com]; got ${describe(value)}`) ?? [];
  return value.flatMap((item, i) => domainName(c, `authorizedDomains[${i}]`, item) ?? []);
}

/** `mailto:` of the report address, as a `rua` URI. */
export function reportUri(spec: Pick<ReceivingSpec, "address">): string {
  return `mailto:${spec.address}`;
}

/** What else in a stack takes mail at, or signs as, a name: the receiving domain must be none of them. */
export interface MailNames {
  /** SES sending domains and their From domains: mail to them goes to their own MX. */
  sending: { name: string; key: string }[];
  /** Custom MAIL FROM domains: their one MX is SES's feedback endpoint. */
  mailFrom: { name: string; key: string }[];
  /** Domains of address identities: those addresses receive mail elsewhere. */
  addresses: { name: string; key: string }[];
}

/**
 * Why the receiving domain would take mail another part of the stack relies on, each naming the
 * key of that part: an MX at a name replaces whatever received its mail before.
 */
export function receivingConflicts(domain: string, names: MailNames): string[] {
  return [
    ...names.sending.filter((n) => n.name === domain).map(({ name, key }) => `"${name}" is also ${key}, which sends mail and receives its replies at its own MX; an MX for reports there would take that mail away: use a dedicated subdomain such as dmarc.${organizationalDomain(name)}`),
    ...names.mailFrom.filter((n) => isAtOrBelow(domain, n.name)).map(({ name, key }) => `"${domain}" is at or under the MAIL FROM domain ${name} (${key}), whose single MX must stay SES's feedback endpoint: use a name outside it`),
    ...names.addresses.filter((n) => n.name === domain).map(({ name, key }) => `"${name}" is the domain of ${key}, an address that receives its mail elsewhere; an MX for reports there would take that mail away`),
    // A parent of a domain that sends or receives is, as a rule, a mail domain of its own (its users, its postmaster).
    ...[...names.sending, ...names.addresses]
      .filter((n) => n.name !== domain && isAtOrBelow(n.name, domain))
      .slice(0, 1)
      .map(({ name, key }) => `"${domain}" is a parent of ${name} (${key}), and so most likely a domain that receives mail of its own; use a dedicated name below it, such as dmarc.${domain}`),
  ];
}

/**
 * The ARN SES gives the receipt rule (`arn:aws:ses:<region>:<account>:receipt-rule-set/<set>:receipt-rule/<rule>`):
 * the bucket policy names it before the rule exists, since SES tests the write when the rule is created.
 * Receiving regions are all in the `aws` partition.
 */
export function receiptRuleArn(spec: Pick<ReceivingSpec, "region" | "ruleSet" | "ruleName">, accountId: string): string {
  return `arn:aws:ses:${spec.region}:${accountId}:receipt-rule-set/${spec.ruleSet.name}:receipt-rule/${spec.ruleName}`;
}

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Principal: { Service: string } | "*";
  Action: string;
  Resource: string | string[];
  Condition: Record<string, Record<string, string>>;
}

/**
 * The statement SES needs to store messages ("Give Amazon SES permission to write to your Amazon
 * S3 bucket", SES Developer Guide): PutObject under the prefix only, for this account's receipt
 * rule only. For an existing bucket the stack leaves its policy alone and outputs this statement.
 */
export function sesPutStatement(spec: Pick<ReceivingSpec, "region" | "ruleSet" | "ruleName" | "prefix">, bucket: string, accountId: string): PolicyStatement {
  return {
    Sid: "AllowSESPutsFromThisReceiptRule",
    Effect: "Allow",
    Principal: { Service: "ses.amazonaws.com" },
    Action: "s3:PutObject",
    Resource: `arn:aws:s3:::${bucket}/${spec.prefix}*`,
    Condition: { StringEquals: { "aws:SourceAccount": accountId, "aws:SourceArn": receiptRuleArn(spec, accountId) } },
  };
}

/** The created bucket's policy: SES's write, and no request over plain HTTP (the reports name every sender's IPs). */
export function reportsBucketPolicy(spec: Pick<ReceivingSpec, "region" | "ruleSet" | "ruleName" | "prefix">, bucket: string, accountId: string): { Version: "2012-10-17"; Statement: PolicyStatement[] } {
  return {
    Version: "2012-10-17",
    Statement: [
      sesPutStatement(spec, bucket, accountId),
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}

/**
 * The receiving domain's own identity, as SesReportReceiving declares it (an SesDomain's
 * arguments, with `dns` as the caller holds it): SES receives only for a domain verified in the
 * receiving region. It passes DMARC on both paths (Easy DKIM, the default MAIL FROM) and rejects
 * the rest, since nothing should send as it. `verify --stack` judges it from the same arguments.
 */
export function receivingIdentityArgs<Dns>(spec: Pick<ReceivingSpec, "domain" | "region" | "ttl">, dns: Dns): { domain: string; regions: string[]; dns: Dns; dmarc: { policy: DmarcPolicy }; ttl: number } {
  return { domain: spec.domain, regions: [spec.region], dns, dmarc: { policy: DmarcPolicy.REJECT }, ttl: spec.ttl };
}

/** The model of that identity, for the front ends that judge it without the component (verify). */
export function receivingIdentity(spec: ReceivingSpec): DomainSpec {
  const { provider, zone, allowOverwrite } = spec.dns;
  const c = new Checker();
  const domain = checkDomain(c, receivingIdentityArgs(spec, { provider, zone, ...(provider === DnsProvider.ROUTE53 && { allowOverwrite }) }));
  // The receiving spec is valid, so its identity's arguments are: a problem here is a bug.
  if (!domain) throw new Error(`the receiving identity of ${spec.domain} does not validate: ${c.problems.join("; ")}`);
  return domain;
}
