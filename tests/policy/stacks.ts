/**
 * Stacks as the engine shows them to the pack, written the way other people's programs write them:
 * SESv2 or SES v1, Route 53 or Cloudflare (v6 DnsRecord or v5 Record), absolute or zone-relative
 * names, after apply or in preview (tokens and everything built from them UNKNOWN, linked to
 * the identity only through property dependencies).
 */
import { dkimHost, feedbackHost } from "../../lib/regions";
import { EngineResource, Finding, PolicyPackConfig, runPolicies, UNKNOWN } from "../../tools/run-policies";

export type Api = "sesv2" | "ses";
export type Dns = "route53" | "cloudflare" | "cloudflare-v5";
export const APIS: Api[] = ["sesv2", "ses"];
export const DNS: Dns[] = ["route53", "cloudflare", "cloudflare-v5"];

export interface DomainOptions {
  domain: string;
  regions: string[];
  api?: Api;
  dns?: Dns;
  /** Names relative to a zone declared in the stack (whose id is unknown in preview). */
  relative?: boolean;
  preview?: boolean;
  /** DMARC record text at _dmarc.<domain>; null for none. Default `v=DMARC1; p=quarantine`. */
  dmarc?: string | null;
  /** The MAIL FROM label; null for no custom MAIL FROM. Default `bounce`. */
  mailFrom?: string | null;
  /** The region given by the provider instead of the resource's `region` input. */
  regionFromProvider?: boolean;
}

const urnOf = (type: string, name: string) => `urn:pulumi:test::app::${type}::${name}`;

export function resource(type: string, name: string, props: Record<string, unknown>, more: Partial<EngineResource> = {}): EngineResource {
  return { urn: urnOf(type, name), type, name, props, dependencies: [], propertyDependencies: {}, ...more };
}

export function awsProvider(region: string): NonNullable<EngineResource["provider"]> {
  return { urn: urnOf("pulumi:providers:aws", region), type: "pulumi:providers:aws", name: region, props: { region } };
}

export function tokensOf(domain: string, region: string): string[] {
  return [1, 2, 3].map((i) => `${domain.replace(/\W/g, "")}${region.replace(/\W/g, "")}t${i}`);
}

/** A DNS record at an absolute `name`, written the way `dns` wants it; `deps` are property dependencies. */
export function record(dns: Dns, zone: { apex: string; urn?: string; id: string } | undefined, name: string, type: "CNAME" | "TXT" | "MX", value: string, key: string, deps: Record<string, string[]> = {}): EngineResource {
  const relative = zone && name !== UNKNOWN ? (name === zone.apex ? "@" : name.slice(0, -zone.apex.length - 1)) : name;
  const propertyDependencies = { ...deps, ...(zone?.urn ? { zoneId: [zone.urn] } : {}) };
  const more = { propertyDependencies, dependencies: Object.values(propertyDependencies).flat() };
  const zoneId = zone?.id ?? "Z0000000000";
  if (dns === "route53") return resource("aws:route53/record:Record", key, { zoneId, name: relative, type, ttl: 300, records: [value] }, more);
  const [priority, content] = type === "MX" && value !== UNKNOWN ? value.split(" ") : [undefined, value];
  const props = { zoneId, name: relative, type, ttl: 1, content: type === "TXT" && value !== UNKNOWN ? `"${value}"` : content, ...(priority ? { priority: Number(priority) } : {}) };
  return dns === "cloudflare"
    ? resource("cloudflare:index/dnsRecord:DnsRecord", key, { ...props, proxied: false }, more)
    : resource("cloudflare:index/record:Record", key, props, more);
}

/** One sending domain, complete: identities and every record, in each region. */
export function domainStack(o: DomainOptions): EngineResource[] {
  const { domain, regions, api = "sesv2", dns = "route53", relative = false, preview = false } = o;
  const dmarc = o.dmarc === undefined ? "v=DMARC1; p=quarantine" : o.dmarc;
  const mailFrom = o.mailFrom === undefined ? "bounce" : o.mailFrom;
  const out: EngineResource[] = [];
  let zone: { apex: string; urn?: string; id: string } | undefined;
  if (relative) {
    const zoneType = dns === "route53" ? "aws:route53/zone:Zone" : "cloudflare:index/zone:Zone";
    const z = resource(zoneType, `${domain}-zone`, dns === "route53" ? { name: domain, zoneId: preview ? UNKNOWN : "Z1" } : { name: domain });
    out.push(z);
    zone = { apex: domain, urn: z.urn, id: preview ? UNKNOWN : dns === "route53" ? "Z1" : "cf1" };
  }
  const add = (name: string, type: "CNAME" | "TXT" | "MX", value: string, key: string, deps?: Record<string, string[]>) => out.push(record(dns, zone, name, type, value, key, deps));

  for (const region of regions) {
    const placement = o.regionFromProvider ? { provider: awsProvider(region) } : {};
    const withRegion = (props: Record<string, unknown>) => (o.regionFromProvider ? props : { ...props, region });
    const tokens = tokensOf(domain, region);
    let signer: EngineResource;
    if (api === "sesv2") {
      signer = resource("aws:sesv2/emailIdentity:EmailIdentity", `${domain}-${region}`, withRegion({ emailIdentity: domain, dkimSigningAttributes: preview ? UNKNOWN : { tokens, nextSigningKeyLength: "RSA_2048_BIT" } }), placement);
      out.push(signer);
      if (mailFrom) {
        const props = withRegion({ emailIdentity: domain, mailFromDomain: `${mailFrom}.${domain}`, behaviorOnMxFailure: "REJECT_MESSAGE" });
        out.push(resource("aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes", `${domain}-${region}-mail-from`, props, { ...placement, propertyDependencies: { emailIdentity: [signer.urn] } }));
      }
    } else {
      const identity = resource("aws:ses/domainIdentity:DomainIdentity", `${domain}-${region}`, withRegion({ domain, verificationToken: preview ? UNKNOWN : "v" }), placement);
      signer = resource("aws:ses/domainDkim:DomainDkim", `${domain}-${region}-dkim`, withRegion({ domain, dkimTokens: preview ? UNKNOWN : tokens }), { ...placement, propertyDependencies: { domain: [identity.urn] } });
      out.push(identity, signer);
      if (mailFrom) out.push(resource("aws:ses/mailFrom:MailFrom", `${domain}-${region}-mail-from`, withRegion({ domain, mailFromDomain: `${mailFrom}.${domain}` }), placement));
    }
    tokens.forEach((token, i) => {
      const [name, target] = preview ? [UNKNOWN, UNKNOWN] : [`${token}._domainkey.${domain}`, `${token}.${dkimHost(region)}`];
      const dependency: Record<string, string[]> = { name: [signer.urn], [dns === "route53" ? "records" : "content"]: [signer.urn] };
      add(name, "CNAME", target, `${domain}-${region}-dkim-${i + 1}`, dependency);
    });
  }
  if (mailFrom) {
    add(`${mailFrom}.${domain}`, "MX", `10 ${feedbackHost(regions[0])}`, `${domain}-mail-from-mx`);
    add(`${mailFrom}.${domain}`, "TXT", "v=spf1 include:amazonses.com ~all", `${domain}-mail-from-spf`);
  }
  if (dmarc !== null) add(`_dmarc.${domain}`, "TXT", dmarc, `${domain}-dmarc`);
  return out;
}

/** Every combination of SES API × DNS provider × naming × preview, for tests that must hold across all of them. */
export function variants(): { label: string; api: Api; dns: Dns; relative: boolean; preview: boolean }[] {
  return APIS.flatMap((api) =>
    DNS.flatMap((dns) =>
      [false, true].flatMap((relative) =>
        [false, true].map((preview) => ({ api, dns, relative, preview, label: `${api}, ${dns}, ${relative ? "relative" : "absolute"} names${preview ? ", preview" : ""}` })),
      ),
    ),
  );
}

export function without(resources: EngineResource[], name: string): EngineResource[] {
  const left = resources.filter((r) => r.name !== name);
  if (left.length === resources.length) throw new Error(`no resource named ${name}`);
  return left;
}

export function replaceProps(resources: EngineResource[], name: string, change: Record<string, unknown>): EngineResource[] {
  if (!resources.some((r) => r.name === name)) throw new Error(`no resource named ${name}`);
  return resources.map((r) => (r.name === name ? { ...r, props: { ...r.props, ...change } } : r));
}

/** An SDK sentinel for an unknown array, as the engine sends a list that preview cannot know. */
export { UNKNOWN };

export const UNKNOWN_TOKENS = "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2";

/** The findings of one policy. */
export async function findingsOf(policy: string, resources: EngineResource[], config: PolicyPackConfig = {}): Promise<Finding[]> {
  return (await runPolicies(resources, config)).filter((f) => f.policy === policy);
}

/** A TXT record written as this program writes one to Route 53, at an absolute name. */
export function txtRecord(name: string, value: string): EngineResource {
  return record("route53", undefined, name, "TXT", value, `txt-${name}`);
}

/**
 * docs/dmarc-2026.md's worked examples as SES stacks (records hypothetical): `stack` and the
 * policy config that tells the pack the extra From domains and any record outside the stack.
 */
export const DMARC_EXAMPLES = {
  /** The identity on the apex, sending as news.example.com, which has a record; none at the apex. */
  e1: () => ({
    stack: [...domainStack({ domain: "example.com", regions: ["us-east-1"], dmarc: null }), txtRecord("_dmarc.news.example.com", "v=DMARC1; p=reject")],
    fromDomains: { "example.com": ["news.example.com"] },
    externalDmarc: {},
  }),
  /** psd=n at eu.corp.example, between the identity corp.example and the From domain billing.eu.corp.example. */
  e2: () => ({
    stack: [...domainStack({ domain: "corp.example", regions: ["us-east-1"], dmarc: "v=DMARC1; p=none" }), txtRecord("_dmarc.eu.corp.example", "v=DMARC1; p=reject; psd=n")],
    fromDomains: { "corp.example": ["billing.eu.corp.example"] },
    externalDmarc: {},
  }),
  /** A public suffix domain (bank, on the list) with psd=y; its tenant giant.bank publishes nothing. */
  e3: () => ({ stack: domainStack({ domain: "giant.bank", regions: ["us-east-1"], dmarc: null }), fromDomains: {}, externalDmarc: { bank: "v=DMARC1; p=reject; psd=y" } }),
  /** A platform on the list's private section (blogspot.com) with a record, no psd; its tenant publishes nothing. */
  e4: () => ({ stack: domainStack({ domain: "alice.blogspot.com", regions: ["us-east-1"], dmarc: null }), fromDomains: {}, externalDmarc: { "blogspot.com": "v=DMARC1; p=reject" } }),
  /** psd=n published on the MAIL FROM domain. */
  e5: () => ({ stack: [...domainStack({ domain: "example.com", regions: ["us-east-1"], dmarc: "v=DMARC1; p=reject" }), txtRecord("_dmarc.bounce.example.com", "v=DMARC1; p=none; psd=n")], fromDomains: {}, externalDmarc: {} }),
};

/** A policy's config for one of DMARC_EXAMPLES, with more keys. */
export function exampleConfig(policy: string, example: { fromDomains: Record<string, string[]>; externalDmarc: Record<string, string> }, more: Record<string, unknown> = {}): PolicyPackConfig {
  return { [policy]: { fromDomains: example.fromDomains, externalDmarc: example.externalDmarc, ...more } };
}
