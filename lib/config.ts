/**
 * Stack config → StackSpec. The whole config is checked before anything is registered; every
 * problem names its key (as `pulumi config set --path` spells it) and what would be valid.
 */
import { createPrivateKey, createPublicKey, KeyObject } from "node:crypto";
import { Alignment, ALIGNMENTS, DMARC_POLICIES, DmarcPolicy, formatDmarc, isDmarcUri, parseDmarc, recordPortability, STANDARDS, Standards } from "./dmarc";
import { isAtOrBelow, isPublicSuffix, isValidDomain, isValidLabel, normalizeName } from "./names";
import { sesRegionProblem } from "./regions";
import { DEFAULT_EVENTS, parseTopicArn, publishesFeedback } from "./sending";
import { UNREADABLE_SECRET } from "./state";
import { AddressSpec, DkimSpec, DNS_PROVIDERS, DnsProvider, isHostedZoneId, DomainSpec, EasyDkimKeyLength, MAIL_FROM_MX_FAILURES, MailFromMxFailure, MailFromSpec, SES_EVENT_TYPES, SendingSpec, SesEventType, StackSpec } from "./spec";

export const PROJECT = "ses-email-auth";


export const DEFAULT_TTL = 3600;
export const DEFAULT_MAIL_FROM_SUBDOMAIN = "bounce";

export interface ConfigProblem {
  key: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(`invalid stack config:\n${problems.map((p) => `  ${p.key}: ${p.message}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Collects problems while walking the config, so one run reports all of them. */
class Checker {
  readonly problems: ConfigProblem[] = [];
  fail(key: string, message: string): undefined {
    // A stack-wide value is checked once per domain that inherits it; report it once.
    if (!this.problems.some((p) => p.key === key && p.message === message)) this.problems.push({ key, message });
    return undefined;
  }
}

type Obj = Record<string, unknown>;

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function isObject(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function object(c: Checker, key: string, value: unknown, allowed: readonly string[]): Obj | undefined {
  if (!isObject(value)) return c.fail(key, `must be an object with keys ${allowed.join(", ")}; got ${describe(value)}`);
  for (const k of Object.keys(value)) {
    if (!allowed.includes(k)) c.fail(`${key}.${k}`, `unknown key; allowed: ${allowed.join(", ")}`);
  }
  return value;
}

function oneOf<T extends string>(c: Checker, key: string, value: unknown, allowed: readonly T[], fallback?: T): T | undefined {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  return c.fail(key, `must be one of ${allowed.join(" | ")}; got ${describe(value)}`);
}

function bool(c: Checker, key: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === "boolean") return value;
  c.fail(key, `must be true or false; got ${describe(value)}`);
  return fallback;
}

function integer(c: Checker, key: string, value: unknown, min: number, max: number): number | undefined {
  if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) return value;
  return c.fail(key, `must be an integer from ${min} to ${max}; got ${describe(value)}`);
}

function list(c: Checker, key: string, value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  return c.fail(key, `must be a list; got ${describe(value)}`);
}

function domainName(c: Checker, key: string, value: unknown): string | undefined {
  if (typeof value !== "string" || !isValidDomain(value)) {
    return c.fail(key, `must be a domain name such as example.com (letters, digits, hyphens; labels of 1-63); got ${describe(value)}`);
  }
  const name = normalizeName(value);
  if (isPublicSuffix(name)) return c.fail(key, `"${name}" is a public suffix, not a domain one can own`);
  return name;
}

function regions(c: Checker, key: string, value: unknown): string[] | undefined {
  const items = list(c, key, value);
  if (!items) return undefined;
  if (items.length === 0) return c.fail(key, "must name at least one SES region, e.g. [us-east-1]");
  const seen = new Set<string>();
  const result: string[] = [];
  items.forEach((item, i) => {
    const k = `${key}[${i}]`;
    if (typeof item !== "string" || item === "") return c.fail(k, `must be an SES region such as us-east-1; got ${describe(item)}`);
    const problem = sesRegionProblem(item);
    if (problem) return c.fail(k, `${problem}; use an SES region such as us-east-1 or eu-west-1`);
    if (seen.has(item)) return c.fail(k, `region "${item}" is listed twice`);
    seen.add(item);
    result.push(item);
  });
  return result.length === items.length ? result : undefined;
}

function reportUris(c: Checker, key: string, value: unknown): string[] {
  if (value === undefined) return [];
  const items = list(c, key, value) ?? [];
  return items.filter((uri, i) => {
    if (typeof uri === "string" && isDmarcUri(uri)) return true;
    c.fail(`${key}[${i}]`, `must be a mailto: URI such as mailto:dmarc@example.com; got ${describe(uri)}`);
    return false;
  }) as string[];
}

const DMARC_KEYS = ["policy", "subdomainPolicy", "nonexistentSubdomainPolicy", "testing", "percent", "rua", "ruf", "adkim", "aspf", "manage", "standards"];

function dmarc(c: Checker, key: string, value: unknown): DomainSpec["dmarc"] {
  const d = (value === undefined ? {} : object(c, key, value, DMARC_KEYS)) ?? {};
  return {
    policy: oneOf(c, `${key}.policy`, d.policy, DMARC_POLICIES, DmarcPolicy.NONE) ?? DmarcPolicy.NONE,
    subdomainPolicy: d.subdomainPolicy === undefined ? undefined : oneOf(c, `${key}.subdomainPolicy`, d.subdomainPolicy, DMARC_POLICIES),
    nonexistentSubdomainPolicy: d.nonexistentSubdomainPolicy === undefined ? undefined : oneOf(c, `${key}.nonexistentSubdomainPolicy`, d.nonexistentSubdomainPolicy, DMARC_POLICIES),
    testing: bool(c, `${key}.testing`, d.testing, false),
    percent: d.percent === undefined ? undefined : integer(c, `${key}.percent`, d.percent, 0, 100),
    rua: reportUris(c, `${key}.rua`, d.rua),
    ruf: reportUris(c, `${key}.ruf`, d.ruf),
    adkim: oneOf(c, `${key}.adkim`, d.adkim, ALIGNMENTS, Alignment.RELAXED) ?? Alignment.RELAXED,
    aspf: oneOf(c, `${key}.aspf`, d.aspf, ALIGNMENTS, Alignment.RELAXED) ?? Alignment.RELAXED,
    manage: bool(c, `${key}.manage`, d.manage, true),
    standards: oneOf(c, `${key}.standards`, d.standards, STANDARDS, Standards.BOTH) ?? Standards.BOTH,
  };
}

/** What a record-only config key reads as, for warnings: dmarc.percent is pct, dmarc.policy is p. */
const DMARC_TAG_KEYS = { pct: "percent", p: "policy" } as const;

/**
 * Valid DMARC config that the two generations of receivers read differently (lib/dmarc.ts
 * recordPortability: pct from 1 to 99, pct=0 without t=y): warnings, never errors, each naming
 * its key and what to write instead. Shown by `npm run plan` and logged by the program.
 */
export function dmarcConfigWarnings(spec: StackSpec): ConfigProblem[] {
  return spec.domains.flatMap((domain, i) => {
    if (!domain.dmarc.manage) return [];
    const parsed = parseDmarc(formatDmarc(domain.dmarc));
    if (!parsed.ok) return [];
    return recordPortability(parsed.record).map((issue) => ({
      key: `${PROJECT}:domains[${i}].dmarc.${DMARC_TAG_KEYS[issue.tag]}`,
      message: `${issue.problem}; ${issue.configFix}`,
    }));
  });
}

function mailFrom(c: Checker, key: string, value: unknown, domain: string | undefined, domainRegions: string[] | undefined): MailFromSpec | undefined {
  if (value === false) return undefined;
  const m = (value === undefined ? {} : object(c, key, value, ["subdomain", "perRegion", "onMxFailure"])) ?? {};
  const subdomain = m.subdomain ?? DEFAULT_MAIL_FROM_SUBDOMAIN;
  const perRegion = bool(c, `${key}.perRegion`, m.perRegion, false);
  const onMxFailure = oneOf(c, `${key}.onMxFailure`, m.onMxFailure, MAIL_FROM_MX_FAILURES, MailFromMxFailure.REJECT) ?? MailFromMxFailure.REJECT;
  const label = typeof subdomain === "string" ? subdomain.toLowerCase() : undefined;
  if (label === undefined || !isValidLabel(label)) {
    c.fail(`${key}.subdomain`, `must be one DNS label such as "bounce" (the MAIL FROM domain is that label under ${domain ?? "the domain"}, never the domain itself); got ${describe(subdomain)}`);
    return undefined;
  }
  const longest = perRegion ? Math.max(...(domainRegions ?? []).map((r) => `${label}-${r}`.length)) : label.length;
  if (longest > 63) c.fail(`${key}.subdomain`, `"${label}-<region>" would exceed 63 characters; use a shorter label`);
  return { subdomain: label, perRegion, onMxFailure };
}

function parseDer(der: Buffer, kind: "private" | "public", type: string): KeyObject | undefined {
  try {
    return kind === "private"
      ? createPrivateKey({ key: der, format: "der", type: type as "pkcs8" | "pkcs1" })
      : createPublicKey({ key: der, format: "der", type: type as "spki" | "pkcs1" });
  } catch {
    return undefined;
  }
}

/** RSA key from base64 DER (no PEM lines); undefined and a problem when it is not one of 1024-2048 bits. */
function rsaKey(c: Checker, key: string, base64: string, kind: "private" | "public"): KeyObject | undefined {
  if (/-----BEGIN|\s/.test(base64) || !/^[A-Za-z0-9+/]+=*$/.test(base64)) {
    return c.fail(key, `must be the ${kind} key as one base64 string without PEM header lines or line breaks`);
  }
  const der = Buffer.from(base64, "base64");
  const encodings = kind === "private" ? ["pkcs8", "pkcs1"] : ["spki", "pkcs1"];
  const keyObject = encodings.map((type) => parseDer(der, kind, type)).find((k) => k !== undefined);
  if (!keyObject || keyObject.asymmetricKeyType !== "rsa") return c.fail(key, `must be an RSA ${kind} key in DER (${encodings.join(" or ")}), base64-encoded`);
  const bits = keyObject.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 1024 || bits > 2048) return c.fail(key, `RSA key of ${bits} bits; SES accepts 1024 to 2048 bits`);
  return keyObject;
}

function spkiBase64(key: KeyObject): string {
  return (key.type === "private" ? createPublicKey(key) : key).export({ type: "spki", format: "der" }).toString("base64");
}

function dkim(c: Checker, key: string, value: unknown, raw: Record<string, string>): DkimSpec {
  const fallback: DkimSpec = { kind: "easy", keyLength: EasyDkimKeyLength.RSA_2048_BIT };
  if (value === undefined) return fallback;
  const d = object(c, key, value, ["keyLength", "selector", "publicKey", "privateKeyConfig"]);
  if (!d) return fallback;
  if (d.selector === undefined && d.publicKey === undefined && d.privateKeyConfig === undefined) {
    if (d.keyLength === undefined || d.keyLength === 2048) return fallback;
    if (d.keyLength === 1024) return { kind: "easy", keyLength: EasyDkimKeyLength.RSA_1024_BIT };
    c.fail(`${key}.keyLength`, `Easy DKIM keys are 1024 or 2048 bits; got ${describe(d.keyLength)}`);
    return fallback;
  }
  if (d.keyLength !== undefined) c.fail(`${key}.keyLength`, "applies to Easy DKIM only; a BYODKIM key has the length it has");
  const selector = typeof d.selector === "string" ? d.selector.toLowerCase() : undefined;
  if (!selector || selector.length > 63 || !selector.split(".").every(isValidLabel)) {
    c.fail(`${key}.selector`, `BYODKIM needs a selector of at most 63 characters, e.g. "ses2026"; got ${describe(d.selector)}`);
  }
  const publicKey = typeof d.publicKey === "string" ? rsaKey(c, `${key}.publicKey`, d.publicKey, "public") : c.fail(`${key}.publicKey`, "BYODKIM needs the public key (base64 DER) for the DNS record");
  const configKey = d.privateKeyConfig;
  if (typeof configKey !== "string" || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(configKey)) {
    c.fail(`${key}.privateKeyConfig`, `must name the secret config key holding the private key, e.g. "exampleComDkimKey" (set it with pulumi config set --secret); got ${describe(configKey)}`);
  } else {
    const secret = raw[`${PROJECT}:${configKey}`];
    if (secret === undefined) c.fail(`${PROJECT}:${configKey}`, `is missing: set the BYODKIM private key with pulumi config set --secret ${configKey} <base64 key>`);
    else if (secret !== UNREADABLE_SECRET) {
      const privateKey = rsaKey(c, `${PROJECT}:${configKey}`, secret, "private");
      if (privateKey && publicKey && spkiBase64(privateKey) !== spkiBase64(publicKey)) c.fail(`${key}.publicKey`, `is not the public half of ${PROJECT}:${configKey}`);
    }
  }
  if (!publicKey || !selector || typeof configKey !== "string") return fallback;
  return { kind: "byodkim", selector, publicKey: spkiBase64(publicKey), privateKeyConfigKey: configKey };
}

function zone(c: Checker, key: string, value: unknown, provider: DnsProvider, domain: string | undefined): string | undefined {
  if (value === undefined || value === "") {
    return c.fail(key, provider === DnsProvider.CLOUDFLARE ? "is required: the Cloudflare zone id (32 hex characters)" : "is required: the Route 53 hosted zone name (e.g. example.com) or id (e.g. Z0123456789ABC)");
  }
  if (typeof value !== "string") return c.fail(key, `must be a string; got ${describe(value)}`);
  if (provider === DnsProvider.CLOUDFLARE) {
    if (!/^[0-9a-f]{32}$/.test(value)) return c.fail(key, `dnsProvider cloudflare needs the zone id (32 lower-case hex characters, from the zone's Overview page); got ${describe(value)}`);
    return value;
  }
  if (isHostedZoneId(value)) return value;
  if (!isValidDomain(value)) return c.fail(key, `must be a hosted zone name such as example.com or an id such as Z0123456789ABC; got ${describe(value)}`);
  const name = normalizeName(value);
  if (domain && !isAtOrBelow(domain, name)) return c.fail(key, `hosted zone "${name}" cannot hold records of ${domain}; name its zone or a parent's`);
  return name;
}

function fromDomains(c: Checker, key: string, value: unknown, domain: string | undefined): string[] {
  if (value === undefined) return domain ? [domain] : [];
  const items = list(c, key, value) ?? [];
  if (items.length === 0) c.fail(key, `must name at least one From domain, e.g. [${domain ?? "example.com"}]`);
  const seen = new Set<string>();
  const result: string[] = [];
  items.forEach((item, i) => {
    const k = `${key}[${i}]`;
    const name = domainName(c, k, item);
    if (!name) return;
    if (domain && !isAtOrBelow(name, domain)) return c.fail(k, `"${name}" is neither ${domain} nor one of its subdomains; SES signs as ${domain}, which cannot align with it`);
    if (seen.has(name)) return c.fail(k, `"${name}" is listed twice`);
    seen.add(name);
    result.push(name);
  });
  return result;
}

/** The stack-wide `sending` keys; a domain's `sending` takes these and its own From addresses. */
const SENDING_KEYS = ["events", "requireTls", "eventBridge", "topicArns", "feedbackForwarding"];
const DOMAIN_SENDING_KEYS = [...SENDING_KEYS, "fromAddresses"];

function eventTypes(c: Checker, key: string, value: unknown): SesEventType[] {
  if (value === undefined) return [...DEFAULT_EVENTS];
  const items = list(c, key, value) ?? [];
  if (Array.isArray(value) && items.length === 0) c.fail(key, `must name at least one event type, e.g. [${DEFAULT_EVENTS.join(", ")}]`);
  const seen = new Set<string>();
  return items.flatMap((item, i) => {
    const type = oneOf(c, `${key}[${i}]`, item, SES_EVENT_TYPES);
    if (!type) return [];
    if (seen.has(type)) return c.fail(`${key}[${i}]`, `"${type}" is listed twice`) ?? [];
    seen.add(type);
    return [type];
  });
}

/** Region → existing topic ARN; each topic must be in its region, and the region one of `regions`. */
function topicArns(c: Checker, key: string, value: unknown, regions: { key: string; list: readonly string[] }): Record<string, string> {
  if (value === undefined) return {};
  const map = isObject(value) ? value : c.fail(key, `must map regions to SNS topic ARNs, e.g. {us-east-1: arn:aws:sns:us-east-1:123456789012:ses-events}; got ${describe(value)}`);
  const result: Record<string, string> = {};
  for (const [region, arn] of Object.entries(map ?? {})) {
    const k = `${key}.${region}`;
    const topic = typeof arn === "string" ? parseTopicArn(arn) : undefined;
    if (!topic) c.fail(k, `must be an SNS topic ARN such as arn:aws:sns:${region}:123456789012:ses-events; got ${describe(arn)}`);
    else if (!regions.list.includes(region)) c.fail(k, `"${region}" is not one of ${regions.key} (${regions.list.join(", ")})`);
    else if (topic.region !== region) c.fail(k, `topic is in ${topic.region}, but SES publishes ${region}'s events only to a topic in ${region}`);
    else result[region] = arn as string;
  }
  return result;
}

/** Addresses (or `*@domain` patterns) the sender policy allows; each in one of the domain's From domains. */
function fromAddresses(c: Checker, key: string, value: unknown, fromDomains: readonly string[]): string[] {
  if (value === undefined) return [];
  return (list(c, key, value) ?? []).flatMap((item, i) => {
    const k = `${key}[${i}]`;
    const at = typeof item === "string" ? item.lastIndexOf("@") : -1;
    const local = typeof item === "string" ? item.slice(0, at) : "";
    if (typeof item !== "string" || at <= 0 || !/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/.test(local)) {
      return c.fail(k, `must be an email address or pattern such as noreply@example.com or *@news.example.com; got ${describe(item)}`) ?? [];
    }
    const domain = normalizeName(item.slice(at + 1));
    if (!fromDomains.includes(domain)) return c.fail(k, `"${domain}" is not one of this domain's fromDomains (${fromDomains.join(", ")})`) ?? [];
    return [`${local}@${domain}`];
  });
}

/**
 * A domain's sending setup: its own `sending` keys over the stack's. Off unless one of the two is
 * set; `sending: false` opts a domain out. Each problem names the key the value came from.
 */
function sending(c: Checker, key: string, value: unknown, stack: StackContext, domain: { regionsKey: string; regions: string[]; fromDomains: string[] }): SendingSpec | undefined {
  if (value === false || (value === undefined && stack.sending.value === undefined)) return undefined;
  const own = value === undefined ? {} : object(c, key, value, DOMAIN_SENDING_KEYS);
  if (!own) return undefined;
  const s: Obj = { ...stack.sending.value, ...own };
  const at = (k: string) => `${k in own ? key : stack.sending.key}.${k}`;
  const events = eventTypes(c, at("events"), s.events);
  const routed = publishesFeedback(events);
  const feedbackForwarding = bool(c, at("feedbackForwarding"), s.feedbackForwarding, !routed);
  if (!feedbackForwarding && !routed) {
    c.fail(at("feedbackForwarding"), `cannot be false while ${at("events")} leaves out BOUNCE or COMPLAINT: SES needs one way to report them`);
  }
  // The stack's topics are checked against the stack's regions; a domain keeps those of its own regions.
  const topicRegions = "topicArns" in own ? { key: domain.regionsKey, list: domain.regions } : { key: stack.regionsKey, list: stack.regions ?? [] };
  const topics = topicArns(c, at("topicArns"), s.topicArns, topicRegions);
  return {
    events,
    requireTls: bool(c, at("requireTls"), s.requireTls, false),
    eventBridge: bool(c, at("eventBridge"), s.eventBridge, false),
    topicArns: Object.fromEntries(Object.entries(topics).filter(([region]) => domain.regions.includes(region))),
    feedbackForwarding,
    fromAddresses: fromAddresses(c, `${key}.fromAddresses`, own.fromAddresses, domain.fromDomains),
  };
}

const DOMAIN_KEYS = ["name", "zone", "regions", "fromDomains", "mailFrom", "dmarc", "dkim", "ttl", "allowOverwrite", "sending"];

interface StackContext {
  provider: DnsProvider;
  regions?: string[];
  regionsKey: string;
  /** The stack-wide `sending` object, already checked for unknown keys. */
  sending: { key: string; value?: Obj };
}

function domainSpec(c: Checker, key: string, value: unknown, stack: StackContext, raw: Record<string, string>): DomainSpec | undefined {
  const d = object(c, key, value, DOMAIN_KEYS);
  if (!d) return undefined;
  const name = domainName(c, `${key}.name`, d.name);
  const domainRegions = d.regions === undefined ? stack.regions : regions(c, `${key}.regions`, d.regions);
  const ttl =
    d.ttl === undefined
      ? DEFAULT_TTL
      : stack.provider === DnsProvider.CLOUDFLARE && d.ttl === 1
        ? 1
        : integer(c, `${key}.ttl`, d.ttl, 60, 86400);
  const spec = {
    name,
    zone: zone(c, `${key}.zone`, d.zone, stack.provider, name),
    regions: domainRegions,
    fromDomains: fromDomains(c, `${key}.fromDomains`, d.fromDomains, name),
    mailFrom: mailFrom(c, `${key}.mailFrom`, d.mailFrom, name, domainRegions),
    dmarc: dmarc(c, `${key}.dmarc`, d.dmarc),
    dkim: dkim(c, `${key}.dkim`, d.dkim, raw),
    ttl,
    allowOverwrite: bool(c, `${key}.allowOverwrite`, d.allowOverwrite, false),
  };
  const sendingSpec = sending(c, `${key}.sending`, d.sending, stack, { regionsKey: d.regions === undefined ? stack.regionsKey : `${key}.regions`, regions: domainRegions ?? [], fromDomains: spec.fromDomains });
  if (d.allowOverwrite !== undefined && stack.provider !== DnsProvider.ROUTE53) c.fail(`${key}.allowOverwrite`, "applies to Route 53 only");
  return spec.name && spec.zone && spec.regions && ttl !== undefined ? ({ ...spec, sending: sendingSpec } as DomainSpec) : undefined;
}

function addresses(c: Checker, key: string, value: unknown, stackRegions: string[] | undefined): AddressSpec[] {
  if (value === undefined) return [];
  const seen = new Set<string>();
  return (list(c, key, value) ?? []).flatMap((item, i) => {
    const k = `${key}[${i}]`;
    const at = typeof item === "string" ? item.lastIndexOf("@") : -1;
    if (typeof item !== "string" || at <= 0 || /[\s"(),:;<>[\\\]]/.test(item.slice(0, at)) || !isValidDomain(item.slice(at + 1))) {
      c.fail(k, `must be an email address such as ops@example.com; got ${describe(item)}`);
      return [];
    }
    const address = `${item.slice(0, at)}@${normalizeName(item.slice(at + 1))}`;
    if (seen.has(address)) {
      c.fail(k, `"${address}" is listed twice`);
      return [];
    }
    seen.add(address);
    return stackRegions ? [{ address, regions: stackRegions }] : [];
  });
}

const STACK_KEYS = ["regions", "dnsProvider", "domains", "addresses", "sending", "protect"];

/** Config values as Pulumi hands them to a program: JSON text for lists and objects. */
function parseValue(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Validate the project's config (`raw` holds every `namespace:key` of the stack, as
 * `pulumi.runtime.allConfig()` gives it) and build the model. Throws ConfigError listing every problem.
 */
export function parseStackConfig(raw: Record<string, string>): StackSpec {
  const c = new Checker();
  const key = (k: string) => `${PROJECT}:${k}`;
  const provider = oneOf(c, key("dnsProvider"), parseValue(raw[key("dnsProvider")]), DNS_PROVIDERS, DnsProvider.ROUTE53) ?? DnsProvider.ROUTE53;
  const rawRegions = parseValue(raw[key("regions")]);
  const stackRegions = rawRegions === undefined ? c.fail(key("regions"), "is required: the SES regions every domain uses, e.g. [us-east-1, eu-west-1]") : regions(c, key("regions"), rawRegions);
  const rawDomains = parseValue(raw[key("domains")]);
  const domainItems = rawDomains === undefined ? [] : (list(c, key("domains"), rawDomains) ?? []);
  const rawSending = parseValue(raw[key("sending")]);
  // false (Pulumi.yaml's default) and absent both mean no sending setup.
  const sendingValue = rawSending === undefined || rawSending === false ? undefined : object(c, key("sending"), rawSending, SENDING_KEYS);
  const stack: StackContext = { provider, regions: stackRegions, regionsKey: key("regions"), sending: { key: key("sending"), value: sendingValue } };
  const domains: DomainSpec[] = [];
  const seen = new Map<string, number>();
  domainItems.forEach((item, i) => {
    const spec = domainSpec(c, `${key("domains")}[${i}]`, item, stack, raw);
    if (!spec) return;
    const earlier = seen.get(spec.name);
    if (earlier !== undefined) return c.fail(`${key("domains")}[${i}].name`, `"${spec.name}" is already ${key("domains")}[${earlier}]`);
    seen.set(spec.name, i);
    domains.push(spec);
  });
  const addressSpecs = addresses(c, key("addresses"), parseValue(raw[key("addresses")]), stackRegions);
  const protect = bool(c, key("protect"), parseValue(raw[key("protect")]), false);
  if (domainItems.length === 0 && addressSpecs.length === 0 && c.problems.length === 0) {
    c.fail(key("domains"), "is required: list at least one domain (or address) to send from");
  }
  // Any other key of ours is a typo unless a domain names it as its BYODKIM private key.
  const privateKeyKeys = new Set(domainItems.map((item) => (isObject(item) && isObject(item.dkim) ? item.dkim.privateKeyConfig : undefined)));
  for (const k of Object.keys(raw)) {
    const bare = k.startsWith(`${PROJECT}:`) ? k.slice(PROJECT.length + 1) : undefined;
    if (bare === undefined || STACK_KEYS.includes(bare) || privateKeyKeys.has(bare)) continue;
    c.fail(k, `unknown key; allowed: ${STACK_KEYS.map(key).join(", ")} and the keys named by dkim.privateKeyConfig`);
  }
  if (c.problems.length) throw new ConfigError(c.problems);
  return { dnsProvider: provider, regions: stackRegions!, domains, addresses: addressSpecs, protect };
}
