/**
 * Stack config → StackSpec. The whole config is checked before anything is registered; every
 * problem names its key (as `pulumi config set --path` spells it) and what would be valid. Each
 * domain's keys are mapped onto SesDomain's arguments and checked by their one validator
 * (lib/args.ts), its property paths mapped back to the config's keys.
 */
import { bool, Checker, isObject, joinPath, KeyOf, list, Obj, object, oneOf, pick, Problem } from "./check";
import { checkGlobalEndpoint, GlobalEndpointSpec, missingEndpointRegions } from "./global-endpoint";
import { checkDomain, emailAddress, regions, SENDING_KEYS, topicArns } from "./args";
import { mailFromDomain } from "./records";
import { checkReceiving, MailNames, receivingConflicts, ReceivingSpec, reportUri } from "./receiving";
import { isReceivingRegion, RECEIVING_REGIONS } from "./regions";
import { formatDmarc, parseDmarc, recordPortability } from "./dmarc";
import { AddressSpec, DkimSigning, DNS_PROVIDERS, DnsProvider, EasyDkimKeyLength, StackDomainSpec, StackSpec } from "./spec";
import { UNREADABLE_SECRET } from "./state";
import { verificationArgs } from "./verification";

export const PROJECT = "ses-email-auth";

export type ConfigProblem = Problem;

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(`invalid stack config:\n${problems.map((p) => `  ${p.key}: ${p.message}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const key = (k: string) => `${PROJECT}:${k}`;

/** A domain's keys in the stack config; SesDomain's arguments spell some differently (lib/args.ts). */
const DOMAIN_KEYS = ["name", "zone", "regions", "fromDomains", "mailFrom", "dmarc", "dkim", "ttl", "allowOverwrite", "sending", "waitForVerification", "adopt"];
const MAIL_FROM_KEYS = ["subdomain", "perRegion", "onMxFailure"];
const DKIM_KEYS = ["keyLength", "selector", "publicKey", "privateKeyConfig"];
/** The stack-wide `sending` keys; a domain's `sending` takes these and its own From addresses. */
const STACK_SENDING_KEYS = SENDING_KEYS.filter((k) => k !== "fromAddresses");

interface StackContext {
  provider: DnsProvider;
  /** The stack's `regions` as given, and as checked (undefined when invalid). */
  rawRegions: unknown;
  regions?: string[];
  /** The stack-wide `sending` object, already checked for unknown keys. */
  sending?: Obj;
  /** The stack-wide `waitForVerification`, as SesDomain's `verification`. */
  verification?: Obj;
  /** With `reports`: the `rua` URI every domain's DMARC record names unless it lists its own. */
  reportUri?: string;
}

/** `mailFrom: false` or the config's object → MailFromArgs. */
function mailFromArgs(c: Checker, at: string, value: unknown): unknown {
  if (value === false) return { enabled: false };
  if (value === undefined) return undefined;
  const m = object(c, at, value, MAIL_FROM_KEYS);
  return m && pick(m, MAIL_FROM_KEYS);
}

/** The config's `dkim` (BYODKIM by its keys, the private key named by a secret config key) → DkimArgs. */
function dkimArgs(c: Checker, at: string, value: unknown, raw: Record<string, string>): { args?: Obj; privateKeyConfig?: string } {
  if (value === undefined) return {};
  const d = object(c, at, value, DKIM_KEYS);
  if (!d) return {};
  if (d.selector === undefined && d.publicKey === undefined && d.privateKeyConfig === undefined) {
    if (d.keyLength === undefined || d.keyLength === 2048) return { args: { keyLength: EasyDkimKeyLength.RSA_2048_BIT } };
    if (d.keyLength === 1024) return { args: { keyLength: EasyDkimKeyLength.RSA_1024_BIT } };
    c.fail(`${at}.keyLength`, `Easy DKIM keys are 1024 or 2048 bits; got ${JSON.stringify(d.keyLength)}`);
    return {};
  }
  const args: Obj = { signing: DkimSigning.BYODKIM, keyLength: d.keyLength, selector: d.selector, publicKey: d.publicKey, privateKey: UNREADABLE_SECRET };
  const configKey = d.privateKeyConfig;
  if (typeof configKey !== "string" || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(configKey)) {
    c.fail(`${at}.privateKeyConfig`, `must name the secret config key holding the private key, e.g. "exampleComDkimKey" (set it with pulumi config set --secret); got ${JSON.stringify(configKey)}`);
    return { args };
  }
  const secret = raw[key(configKey)];
  if (secret === undefined) c.fail(key(configKey), `is missing: set the BYODKIM private key with pulumi config set --secret ${configKey} <base64 key>`);
  else args.privateKey = secret;
  return { args, privateKeyConfig: configKey };
}

/**
 * A domain's `sending`: its own keys over the stack's. Off unless one of the two is set;
 * `sending: false` opts a domain out. The stack's topics are checked against the stack's regions,
 * and a domain keeps those of its own regions.
 */
function sendingArgs(c: Checker, at: string, value: unknown, stack: StackContext, domainRegions: unknown): { args?: Obj; own: Obj } {
  if (value === false || (value === undefined && stack.sending === undefined)) return { own: {} };
  const own = value === undefined ? {} : object(c, at, value, SENDING_KEYS);
  if (!own) return { own: {} };
  const args: Obj = { ...stack.sending, ...pick(own, SENDING_KEYS) };
  if (!("topicArns" in own) && stack.sending?.topicArns !== undefined) {
    const topics = topicArns(c, `${key("sending")}.topicArns`, stack.sending.topicArns, key("regions"), stack.regions ?? []);
    const kept = Array.isArray(domainRegions) ? domainRegions : [];
    args.topicArns = Object.fromEntries(Object.entries(topics).filter(([region]) => kept.includes(region)));
  }
  return { args, own };
}

/** Where each of SesDomain's argument paths comes from in the stack config. */
function configKeys(at: string, d: Obj, own: Obj, privateKeyConfig: string | undefined): KeyOf {
  const renames: [string, string | undefined][] = [
    ["domain", `${at}.name`],
    // Stack-wide values are checked, and reported, once by the stack.
    ["regions", d.regions === undefined ? undefined : `${at}.regions`],
    ["dns.provider", undefined],
    ["dns.zone", `${at}.zone`],
    ["dns.allowOverwrite", `${at}.allowOverwrite`],
    ["dkim.privateKey", privateKeyConfig === undefined ? undefined : key(privateKeyConfig)],
    ["verification", d.waitForVerification === undefined ? undefined : `${at}.waitForVerification`],
    ...SENDING_KEYS.map((k): [string, string] => [`sending.${k}`, k in own ? `${at}.sending.${k}` : `${key("sending")}.${k}`]),
  ];
  return (path) => {
    for (const [from, to] of renames) {
      if (path === from || path.startsWith(`${from}.`) || path.startsWith(`${from}[`)) return to === undefined ? undefined : to + path.slice(from.length);
    }
    return joinPath(at, path);
  };
}

function domainSpec(c: Checker, at: string, value: unknown, stack: StackContext, raw: Record<string, string>): StackDomainSpec | undefined {
  const d = object(c, at, value, DOMAIN_KEYS);
  if (!d) return undefined;
  const domainRegions = d.regions === undefined ? stack.rawRegions : d.regions;
  const dkim = dkimArgs(c, `${at}.dkim`, d.dkim, raw);
  const sending = sendingArgs(c, `${at}.sending`, d.sending, stack, d.regions === undefined ? stack.regions : d.regions);
  const args = {
    domain: d.name,
    regions: domainRegions,
    dns: { provider: stack.provider, zone: d.zone, allowOverwrite: d.allowOverwrite },
    fromDomains: d.fromDomains,
    mailFrom: mailFromArgs(c, `${at}.mailFrom`, d.mailFrom),
    dkim: dkim.args,
    dmarc: stack.reportUri && (d.dmarc === undefined || (isObject(d.dmarc) && !("rua" in d.dmarc))) ? { ...(d.dmarc as Obj | undefined), rua: [stack.reportUri] } : d.dmarc,
    ttl: d.ttl,
    sending: sending.args,
    verification: verificationArgs(c, `${at}.waitForVerification`, d.waitForVerification) ?? stack.verification,
    adopt: d.adopt,
  };
  const spec = checkDomain(c.mapped(configKeys(at, d, sending.own, dkim.privateKeyConfig)), args);
  return spec && { ...spec, ...(dkim.privateKeyConfig && spec.dkim.kind === "byodkim" ? { privateKeyConfig: dkim.privateKeyConfig } : {}) };
}

function addresses(c: Checker, key: string, value: unknown, stackRegions: string[] | undefined): AddressSpec[] {
  if (value === undefined) return [];
  const seen = new Set<string>();
  return (list(c, key, value) ?? []).flatMap((item, i) => {
    const k = `${key}[${i}]`;
    const address = emailAddress(c, k, item);
    if (address === undefined) return [];
    if (seen.has(address)) {
      c.fail(k, `"${address}" is listed twice`);
      return [];
    }
    seen.add(address);
    return stackRegions ? [{ address, regions: stackRegions }] : [];
  });
}

const STACK_KEYS = ["regions", "dnsProvider", "domains", "addresses", "sending", "protect", "globalEndpoint", "waitForVerification", "reports"];

/** The stack config's `reports` keys; SesReportReceiving's arguments (lib/receiving.ts) spell some differently. */
const REPORTS_KEYS = ["domain", "zone", "allowOverwrite", "region", "localPart", "bucket", "createBucket", "prefix", "expirationDays", "ruleSet", "ruleName", "ttl"];

/**
 * The stack's `reports` (false, Pulumi.yaml's default, for none) → the receiving model, its
 * region by default the first of the stack's that receives mail. Which domains it authorizes is
 * known once the domains are (`authorizeDomains`).
 */
function stackReports(c: Checker, value: unknown, provider: DnsProvider, stackRegions: string[] | undefined): ReceivingSpec | undefined {
  if (value === undefined || value === false) return undefined;
  const at = key("reports");
  const r = object(c, at, value, REPORTS_KEYS);
  if (!r) return undefined;
  const region = r.region ?? stackRegions?.find(isReceivingRegion);
  if (r.region === undefined && stackRegions && region === undefined) {
    c.fail(`${at}.region`, `is required: none of ${key("regions")} (${stackRegions.join(", ")}) receives mail; name one of ${RECEIVING_REGIONS.join(", ")}`);
  }
  // A region left out is reported above, or with the stack's own regions.
  const renames: Record<string, string | undefined> = { "dns.provider": undefined, "dns.zone": `${at}.zone`, "dns.allowOverwrite": `${at}.allowOverwrite`, bucketName: `${at}.bucket`, ...(r.region === undefined && { region: undefined }) };
  const mapped = c.mapped((path) => (path in renames ? renames[path] : joinPath(at, path)));
  const { zone, allowOverwrite, bucket, ...rest } = r;
  return checkReceiving(mapped, { ...rest, region, dns: { provider, zone, allowOverwrite }, ...(bucket !== undefined && { bucketName: bucket }) });
}

/**
 * The receiving domain against everything else of the stack that takes mail (lib/receiving.ts), and
 * the policy domains whose `rua` names the report address.
 */
function authorizeDomains(c: Checker, reports: ReceivingSpec, domains: [number, StackDomainSpec][], addressSpecs: AddressSpec[]): ReceivingSpec {
  const names: MailNames = { sending: [], mailFrom: [], addresses: [] };
  for (const [i, d] of domains) {
    names.sending.push({ name: d.name, key: `${key("domains")}[${i}].name` });
    d.fromDomains.forEach((f, j) => names.sending.push({ name: f, key: `${key("domains")}[${i}].fromDomains[${j}]` }));
    for (const region of d.regions) {
      const mailFrom = mailFromDomain(d, region);
      if (mailFrom && !names.mailFrom.some((m) => m.name === mailFrom)) names.mailFrom.push({ name: mailFrom, key: `${key("domains")}[${i}].mailFrom` });
    }
  }
  addressSpecs.forEach((a, k) => names.addresses.push({ name: a.address.slice(a.address.lastIndexOf("@") + 1), key: `${key("addresses")}[${k}]` }));
  for (const message of receivingConflicts(reports.domain, names)) c.fail(`${key("reports")}.domain`, message);
  const uri = reportUri(reports);
  const authorizedDomains = domains.filter(([, d]) => d.dmarc.manage && d.dmarc.rua.includes(uri)).map(([, d]) => d.name);
  return { ...reports, authorizedDomains };
}

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
  const provider = oneOf(c, key("dnsProvider"), parseValue(raw[key("dnsProvider")]), DNS_PROVIDERS, DnsProvider.ROUTE53) ?? DnsProvider.ROUTE53;
  const rawRegions = parseValue(raw[key("regions")]);
  const stackRegions = rawRegions === undefined ? c.fail(key("regions"), "is required: the SES regions every domain uses, e.g. [us-east-1, eu-west-1]") : regions(c, key("regions"), rawRegions);
  const rawDomains = parseValue(raw[key("domains")]);
  const domainItems = rawDomains === undefined ? [] : (list(c, key("domains"), rawDomains) ?? []);
  const rawSending = parseValue(raw[key("sending")]);
  // false (Pulumi.yaml's default) and absent both mean no sending setup.
  const sendingValue = rawSending === undefined || rawSending === false ? undefined : object(c, key("sending"), rawSending, STACK_SENDING_KEYS);
  const verification = verificationArgs(c, key("waitForVerification"), parseValue(raw[key("waitForVerification")]));
  const reportsValue = stackReports(c, parseValue(raw[key("reports")]), provider, stackRegions);
  const stack: StackContext = { provider, rawRegions, regions: stackRegions, sending: sendingValue && pick(sendingValue, STACK_SENDING_KEYS), verification, reportUri: reportsValue && reportUri(reportsValue) };
  const domains: StackDomainSpec[] = [];
  const domainIndex = new Map<StackDomainSpec, number>();
  const seen = new Map<string, number>();
  domainItems.forEach((item, i) => {
    const spec = domainSpec(c, `${key("domains")}[${i}]`, item, stack, raw);
    if (!spec) return;
    const earlier = seen.get(spec.name);
    if (earlier !== undefined) return c.fail(`${key("domains")}[${i}].name`, `"${spec.name}" is already ${key("domains")}[${earlier}]`);
    seen.set(spec.name, i);
    domains.push(spec);
    domainIndex.set(spec, i);
  });
  const globalEndpoint = stackGlobalEndpoint(c, parseValue(raw[key("globalEndpoint")]), stackRegions, domains.map((d) => [domainIndex.get(d)!, d]));
  const addressSpecs = addresses(c, key("addresses"), parseValue(raw[key("addresses")]), stackRegions);
  const protect = bool(c, key("protect"), parseValue(raw[key("protect")]), false);
  const reports = reportsValue && authorizeDomains(c, reportsValue, domains.map((d) => [domainIndex.get(d)!, d]), addressSpecs);
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
  return { dnsProvider: provider, regions: stackRegions!, domains, addresses: addressSpecs, protect, ...(globalEndpoint && { globalEndpoint }), ...(reports && { reports }) };
}

/**
 * The stack's `globalEndpoint` (false, Pulumi.yaml's default, for none): SES's rules (lib/global-endpoint.ts),
 * both regions among the stack's, and every domain with identities in both, since the endpoint
 * sends any message from either region.
 */
function stackGlobalEndpoint(c: Checker, value: unknown, stackRegions: string[] | undefined, domains: [number, StackDomainSpec][]): GlobalEndpointSpec | undefined {
  if (value === undefined || value === false) return undefined;
  const at = key("globalEndpoint");
  const endpoint = checkGlobalEndpoint(c.mapped((path) => joinPath(at, path)), value);
  if (!endpoint || !stackRegions) return undefined;
  let complete = true;
  for (const role of ["primary", "secondary"] as const) {
    if (stackRegions.includes(endpoint[role])) continue;
    complete = false;
    c.fail(`${at}.${role}`, `"${endpoint[role]}" is not one of ${key("regions")} (${stackRegions.join(", ")}): the stack would have no identities there to send from; add it to ${key("regions")}`);
  }
  for (const [i, domain] of domains) {
    const missing = missingEndpointRegions(endpoint, domain.regions);
    if (complete && missing.length) {
      c.fail(`${key("domains")}[${i}].regions`, `lacks ${missing.join(" and ")}, where ${at} sends from too: the endpoint sends any message from either region, so ${domain.name} needs an identity in both; add ${missing.join(" and ")} or leave the domain's regions to ${key("regions")}`);
    }
  }
  return endpoint;
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
