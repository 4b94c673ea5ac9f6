/**
 * The components' arguments, as a person writes them (components/args.ts) → the validated model
 * (DomainSpec, SendingSpec, AddressSpec). The one validator: each component runs it on its
 * arguments, the stack config (lib/config.ts) on the arguments it maps its keys onto. Every
 * problem names the property path (`mailFrom.subdomain`) and what would be valid; a caller
 * spelling its keys differently maps the paths (Checker.mapped). Values known only when the
 * deployment runs (the zone or the BYODKIM private key as outputs) are taken as they are.
 */
import { createPrivateKey, createPublicKey, KeyObject } from "node:crypto";
import { bool, Checker, describe, integer, isDeferred, list, object, oneOf, Obj } from "./check";
import { Alignment, ALIGNMENTS, DMARC_POLICIES, DmarcPolicy, isDmarcUri, STANDARDS, Standards } from "./dmarc";
import { isAtOrBelow, isPublicSuffix, isValidDomain, isValidLabel, normalizeName } from "./names";
import { sesRegionProblem } from "./regions";
import { DEFAULT_EVENTS, parseTopicArn, publishesFeedback } from "./sending";
import {
  AddressSpec,
  DkimSigning,
  DKIM_SIGNINGS,
  DkimSpec,
  DnsProvider,
  DNS_PROVIDERS,
  DnsTargetSpec,
  DomainSpec,
  EASY_DKIM_KEY_LENGTHS,
  EasyDkimKeyLength,
  isHostedZoneId,
  MAIL_FROM_MX_FAILURES,
  MailFromMxFailure,
  MailFromSpec,
  SES_EVENT_TYPES,
  SendingSpec,
  SesEventType,
} from "./spec";
import { UNREADABLE_SECRET } from "./state";
import { checkVerification } from "./verification";
import { checkAdopt } from "./adopt";

export const DEFAULT_TTL = 3600;
export const DEFAULT_MAIL_FROM_SUBDOMAIN = "bounce";

/** The keys of each argument object, in the order messages list them: the properties of components/args.ts's interfaces. */
export const DOMAIN_KEYS = ["domain", "regions", "dns", "fromDomains", "mailFrom", "dkim", "dmarc", "ttl", "sending", "protect", "verification", "adopt"] as const;
export const DNS_KEYS = ["provider", "zone", "allowOverwrite"] as const;
export const MAIL_FROM_KEYS = ["enabled", "subdomain", "perRegion", "onMxFailure"] as const;
export const DKIM_KEYS = ["signing", "keyLength", "selector", "publicKey", "privateKey"] as const;
export const DMARC_KEYS = ["policy", "subdomainPolicy", "nonexistentSubdomainPolicy", "testing", "percent", "rua", "ruf", "adkim", "aspf", "manage", "standards"] as const;
export const SENDING_KEYS = ["events", "requireTls", "eventBridge", "topicArns", "feedbackForwarding", "fromAddresses"] as const;

export function domainName(c: Checker, key: string, value: unknown): string | undefined {
  if (typeof value !== "string" || !isValidDomain(value)) {
    return c.fail(key, `must be a domain name such as example.com (letters, digits, hyphens; labels of 1-63); got ${describe(value)}`);
  }
  const name = normalizeName(value);
  if (isPublicSuffix(name)) return c.fail(key, `"${name}" is a public suffix, not a domain one can own`);
  return name;
}

export function region(c: Checker, key: string, value: unknown): string | undefined {
  if (typeof value !== "string" || value === "") return c.fail(key, `must be an SES region such as us-east-1; got ${describe(value)}`);
  const problem = sesRegionProblem(value);
  if (problem) return c.fail(key, `${problem}; use an SES region such as us-east-1 or eu-west-1`);
  return value;
}

export function regions(c: Checker, key: string, value: unknown): string[] | undefined {
  const items = list(c, key, value);
  if (!items) return undefined;
  if (items.length === 0) return c.fail(key, "must name at least one SES region, e.g. [us-east-1]");
  const seen = new Set<string>();
  const result: string[] = [];
  items.forEach((item, i) => {
    const k = `${key}[${i}]`;
    if (region(c, k, item) === undefined) return;
    if (seen.has(item as string)) return c.fail(k, `region "${item}" is listed twice`);
    seen.add(item as string);
    result.push(item as string);
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

function dmarc(c: Checker, value: unknown): DomainSpec["dmarc"] {
  const d = (value === undefined ? {} : object(c, "dmarc", value, DMARC_KEYS)) ?? {};
  return {
    policy: oneOf(c, "dmarc.policy", d.policy, DMARC_POLICIES, DmarcPolicy.NONE) ?? DmarcPolicy.NONE,
    subdomainPolicy: d.subdomainPolicy === undefined ? undefined : oneOf(c, "dmarc.subdomainPolicy", d.subdomainPolicy, DMARC_POLICIES),
    nonexistentSubdomainPolicy: d.nonexistentSubdomainPolicy === undefined ? undefined : oneOf(c, "dmarc.nonexistentSubdomainPolicy", d.nonexistentSubdomainPolicy, DMARC_POLICIES),
    testing: bool(c, "dmarc.testing", d.testing, false),
    percent: d.percent === undefined ? undefined : integer(c, "dmarc.percent", d.percent, 0, 100),
    rua: reportUris(c, "dmarc.rua", d.rua),
    ruf: reportUris(c, "dmarc.ruf", d.ruf),
    adkim: oneOf(c, "dmarc.adkim", d.adkim, ALIGNMENTS, Alignment.RELAXED) ?? Alignment.RELAXED,
    aspf: oneOf(c, "dmarc.aspf", d.aspf, ALIGNMENTS, Alignment.RELAXED) ?? Alignment.RELAXED,
    manage: bool(c, "dmarc.manage", d.manage, true),
    standards: oneOf(c, "dmarc.standards", d.standards, STANDARDS, Standards.BOTH) ?? Standards.BOTH,
  };
}

function mailFrom(c: Checker, value: unknown, domain: string | undefined, domainRegions: string[] | undefined): MailFromSpec | undefined {
  const m = (value === undefined ? {} : object(c, "mailFrom", value, MAIL_FROM_KEYS)) ?? {};
  if (!bool(c, "mailFrom.enabled", m.enabled, true)) {
    for (const k of MAIL_FROM_KEYS.slice(1)) if (m[k] !== undefined) c.fail(`mailFrom.${k}`, `has no effect while ${c.key("mailFrom.enabled")} is false; remove one of the two`);
    return undefined;
  }
  const subdomain = m.subdomain ?? DEFAULT_MAIL_FROM_SUBDOMAIN;
  const perRegion = bool(c, "mailFrom.perRegion", m.perRegion, false);
  const onMxFailure = oneOf(c, "mailFrom.onMxFailure", m.onMxFailure, MAIL_FROM_MX_FAILURES, MailFromMxFailure.REJECT) ?? MailFromMxFailure.REJECT;
  const label = typeof subdomain === "string" ? subdomain.toLowerCase() : undefined;
  if (label === undefined || !isValidLabel(label)) {
    c.fail("mailFrom.subdomain", `must be one DNS label such as "bounce" (the MAIL FROM domain is that label under ${domain ?? "the domain"}, never the domain itself); got ${describe(subdomain)}`);
    return undefined;
  }
  const longest = perRegion ? Math.max(...(domainRegions ?? []).map((r) => `${label}-${r}`.length)) : label.length;
  if (longest > 63) c.fail("mailFrom.subdomain", `"${label}-<region>" would exceed 63 characters; use a shorter label`);
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

/** The private key as far as it can be known now: a plain string is checked, an output or an unreadable secret is not. */
function privateKey(c: Checker, value: unknown, publicKey: KeyObject | undefined): void {
  if (isDeferred(value) || value === UNREADABLE_SECRET) return;
  if (typeof value !== "string" || value === "") {
    c.fail("dkim.privateKey", `BYODKIM needs the private key (base64 DER, as a secret); got ${describe(value)}`);
    return;
  }
  const key = rsaKey(c, "dkim.privateKey", value, "private");
  if (key && publicKey && spkiBase64(key) !== spkiBase64(publicKey)) c.fail("dkim.publicKey", `is not the public half of ${c.key("dkim.privateKey")}`);
}

function dkim(c: Checker, value: unknown): DkimSpec {
  const fallback: DkimSpec = { kind: DkimSigning.EASY, keyLength: EasyDkimKeyLength.RSA_2048_BIT };
  if (value === undefined) return fallback;
  const d = object(c, "dkim", value, DKIM_KEYS);
  if (!d) return fallback;
  const signing = oneOf(c, "dkim.signing", d.signing, DKIM_SIGNINGS, DkimSigning.EASY);
  if (signing !== DkimSigning.BYODKIM) {
    for (const k of ["selector", "publicKey", "privateKey"]) if (d[k] !== undefined) c.fail(`dkim.${k}`, `applies to BYODKIM only; set ${c.key("dkim.signing")} to ${DkimSigning.BYODKIM}`);
    const keyLength = oneOf(c, "dkim.keyLength", d.keyLength, EASY_DKIM_KEY_LENGTHS, EasyDkimKeyLength.RSA_2048_BIT);
    return keyLength ? { kind: DkimSigning.EASY, keyLength } : fallback;
  }
  if (d.keyLength !== undefined) c.fail("dkim.keyLength", "applies to Easy DKIM only; a BYODKIM key has the length it has");
  const selector = typeof d.selector === "string" ? d.selector.toLowerCase() : undefined;
  if (!selector || selector.length > 63 || !selector.split(".").every(isValidLabel)) {
    c.fail("dkim.selector", `BYODKIM needs a selector of at most 63 characters, e.g. "ses2026"; got ${describe(d.selector)}`);
  }
  const publicKey = typeof d.publicKey === "string" ? rsaKey(c, "dkim.publicKey", d.publicKey, "public") : c.fail("dkim.publicKey", "BYODKIM needs the public key (base64 DER) for the DNS record");
  privateKey(c, d.privateKey, publicKey);
  if (!publicKey || !selector) return fallback;
  return { kind: DkimSigning.BYODKIM, selector, publicKey: spkiBase64(publicKey) };
}

function zone(c: Checker, value: unknown, provider: DnsProvider, domain: string | undefined): string | undefined {
  if (value === undefined || value === "") {
    return c.fail("dns.zone", provider === DnsProvider.CLOUDFLARE ? "is required: the Cloudflare zone id (32 hex characters)" : "is required: the Route 53 hosted zone name (e.g. example.com) or id (e.g. Z0123456789ABC)");
  }
  if (typeof value !== "string") return c.fail("dns.zone", `must be a string; got ${describe(value)}`);
  if (provider === DnsProvider.CLOUDFLARE) {
    if (!/^[0-9a-f]{32}$/.test(value)) return c.fail("dns.zone", `dnsProvider cloudflare needs the zone id (32 lower-case hex characters, from the zone's Overview page); got ${describe(value)}`);
    return value;
  }
  if (isHostedZoneId(value)) return value;
  if (!isValidDomain(value)) return c.fail("dns.zone", `must be a hosted zone name such as example.com or an id such as Z0123456789ABC; got ${describe(value)}`);
  const name = normalizeName(value);
  if (domain && !isAtOrBelow(domain, name)) return c.fail("dns.zone", `hosted zone "${name}" cannot hold records of ${domain}; name its zone or a parent's`);
  return name;
}

/** A DNS target (SesDomain's `dns`, the receiving component's): its provider and a zone that can hold `domain`'s records. */
export function dnsTarget(c: Checker, value: unknown, domain: string | undefined): DnsTargetSpec | undefined {
  const d = object(c, "dns", value, DNS_KEYS);
  if (!d) return undefined;
  const provider = oneOf(c, "dns.provider", d.provider, DNS_PROVIDERS) ?? DnsProvider.ROUTE53;
  const deferred = isDeferred(d.zone);
  const zoneName = deferred ? undefined : zone(c, d.zone, provider, domain);
  const allowOverwrite = bool(c, "dns.allowOverwrite", d.allowOverwrite, false);
  if (d.allowOverwrite !== undefined && provider !== DnsProvider.ROUTE53) c.fail("dns.allowOverwrite", "applies to Route 53 only");
  return deferred || zoneName ? { provider, zone: zoneName, allowOverwrite } : undefined;
}

function fromDomains(c: Checker, value: unknown, domain: string | undefined): string[] {
  if (value === undefined) return domain ? [domain] : [];
  const items = list(c, "fromDomains", value) ?? [];
  if (items.length === 0) c.fail("fromDomains", `must name at least one From domain, e.g. [${domain ?? "example.com"}]`);
  const seen = new Set<string>();
  const result: string[] = [];
  items.forEach((item, i) => {
    const k = `fromDomains[${i}]`;
    const name = domainName(c, k, item);
    if (!name) return;
    if (domain && !isAtOrBelow(name, domain)) return c.fail(k, `"${name}" is neither ${domain} nor one of its subdomains; SES signs as ${domain}, which cannot align with it`);
    if (seen.has(name)) return c.fail(k, `"${name}" is listed twice`);
    seen.add(name);
    result.push(name);
  });
  return result;
}

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

/** Region → existing topic ARN; each topic must be in its region, and the region one of `regionsKey`'s. */
export function topicArns(c: Checker, key: string, value: unknown, regionsKey: string, regionList: readonly string[]): Record<string, string> {
  if (value === undefined) return {};
  const map = typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Obj) : c.fail(key, `must map regions to SNS topic ARNs, e.g. {us-east-1: arn:aws:sns:us-east-1:123456789012:ses-events}; got ${describe(value)}`);
  const result: Record<string, string> = {};
  for (const [region, arn] of Object.entries(map ?? {})) {
    const k = `${key}.${region}`;
    const topic = typeof arn === "string" ? parseTopicArn(arn) : undefined;
    if (!topic) c.fail(k, `must be an SNS topic ARN such as arn:aws:sns:${region}:123456789012:ses-events; got ${describe(arn)}`);
    else if (!regionList.includes(region)) c.fail(k, `"${region}" is not one of ${c.key(regionsKey)} (${regionList.join(", ")})`);
    else if (topic.region !== region) c.fail(k, `topic is in ${topic.region}, but SES publishes ${region}'s events only to a topic in ${region}`);
    else result[region] = arn as string;
  }
  return result;
}

/** Addresses (or `*@domain` patterns) the sender policy allows; each in one of the domain's From domains. */
function fromAddresses(c: Checker, value: unknown, domains: readonly string[]): string[] {
  if (value === undefined) return [];
  return (list(c, "sending.fromAddresses", value) ?? []).flatMap((item, i) => {
    const k = `sending.fromAddresses[${i}]`;
    const at = typeof item === "string" ? item.lastIndexOf("@") : -1;
    const local = typeof item === "string" ? item.slice(0, at) : "";
    if (typeof item !== "string" || at <= 0 || !/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/.test(local)) {
      return c.fail(k, `must be an email address or pattern such as noreply@example.com or *@news.example.com; got ${describe(item)}`) ?? [];
    }
    const domain = normalizeName(item.slice(at + 1));
    if (!domains.includes(domain)) return c.fail(k, `"${domain}" is not one of this domain's fromDomains (${domains.join(", ")})`) ?? [];
    return [`${local}@${domain}`];
  });
}

/** A production sending setup for `regions`, its From addresses in `domainFromDomains`; none unless asked for. */
export function checkSending(c: Checker, value: unknown, domainRegions: string[], domainFromDomains: string[]): SendingSpec | undefined {
  if (value === undefined) return undefined;
  const s = object(c, "sending", value, SENDING_KEYS);
  if (!s) return undefined;
  const events = eventTypes(c, "sending.events", s.events);
  const routed = publishesFeedback(events);
  const feedbackForwarding = bool(c, "sending.feedbackForwarding", s.feedbackForwarding, !routed);
  if (!feedbackForwarding && !routed) {
    c.fail("sending.feedbackForwarding", `cannot be false while ${c.key("sending.events")} leaves out BOUNCE or COMPLAINT: SES needs one way to report them`);
  }
  return {
    events,
    requireTls: bool(c, "sending.requireTls", s.requireTls, false),
    eventBridge: bool(c, "sending.eventBridge", s.eventBridge, false),
    topicArns: topicArns(c, "sending.topicArns", s.topicArns, "regions", domainRegions),
    feedbackForwarding,
    fromAddresses: fromAddresses(c, s.fromAddresses, domainFromDomains),
  };
}

/** The TTL of records written to `provider`: 60 to 86400 seconds, or 1 (automatic) on Cloudflare. */
export function recordTtl(c: Checker, value: unknown, provider: DnsProvider | undefined): number | undefined {
  if (value === undefined) return DEFAULT_TTL;
  if (provider === DnsProvider.CLOUDFLARE && value === 1) return 1;
  return integer(c, "ttl", value, 60, 86400);
}

/**
 * Checks one domain's arguments, reporting every problem into `c`; the model when there is none
 * that keeps one from being built (the caller decides by `c.problems`).
 */
export function checkDomain(c: Checker, value: unknown): DomainSpec | undefined {
  const d = object(c, "", value, DOMAIN_KEYS);
  if (!d) return undefined;
  const name = domainName(c, "domain", d.domain);
  const domainRegions = d.regions === undefined ? c.fail("regions", "is required: the SES regions to verify the domain in, e.g. [us-east-1, eu-west-1]") : regions(c, "regions", d.regions);
  const target = d.dns === undefined ? c.fail("dns", `is required: {provider: ${DNS_PROVIDERS.join(" | ")}, zone, allowOverwrite?}`) : dnsTarget(c, d.dns, name);
  const ttl = recordTtl(c, d.ttl, target?.provider);
  const froms = fromDomains(c, d.fromDomains, name);
  const spec = {
    name,
    regions: domainRegions,
    dns: target,
    fromDomains: froms,
    mailFrom: mailFrom(c, d.mailFrom, name, domainRegions),
    dkim: dkim(c, d.dkim),
    dmarc: dmarc(c, d.dmarc),
    ttl,
    sending: checkSending(c, d.sending, domainRegions ?? [], froms),
  };
  const verification = checkVerification(c, d.verification);
  bool(c, "protect", d.protect, false);
  if (!(spec.name && spec.regions && spec.dns && ttl !== undefined)) {
    checkAdopt(c, d.adopt, undefined);
    return undefined;
  }
  const built = { ...spec, ...(verification && { verification }) } as DomainSpec;
  const adopt = checkAdopt(c, d.adopt, built);
  return Object.keys(adopt).length ? { ...built, adopt } : built;
}

export const ADDRESS_KEYS = ["address", "regions", "protect"] as const;

/** An email address as SES verifies it: a local part without spaces or specials, a domain name. */
export function emailAddress(c: Checker, key: string, value: unknown): string | undefined {
  const at = typeof value === "string" ? value.lastIndexOf("@") : -1;
  if (typeof value !== "string" || at <= 0 || /[\s"(),:;<>[\\\]]/.test(value.slice(0, at)) || !isValidDomain(value.slice(at + 1))) {
    return c.fail(key, `must be an email address such as ops@example.com; got ${describe(value)}`);
  }
  return `${value.slice(0, at)}@${normalizeName(value.slice(at + 1))}`;
}

/** An email-address identity's arguments (SesAddress). */
export function checkAddress(c: Checker, value: unknown): AddressSpec | undefined {
  const a = object(c, "", value, ADDRESS_KEYS);
  if (!a) return undefined;
  const address = emailAddress(c, "address", a.address);
  const addressRegions = a.regions === undefined ? c.fail("regions", "is required: the SES regions to verify the address in, e.g. [us-east-1]") : regions(c, "regions", a.regions);
  bool(c, "protect", a.protect, false);
  return address && addressRegions ? { address, regions: addressRegions } : undefined;
}
