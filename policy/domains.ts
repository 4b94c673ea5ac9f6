/**
 * What DMARC policies are told beyond the stack: further From domains an identity sends as (those
 * this program declares reach the pack as identity tags, lib/tags.ts), and DMARC records published
 * elsewhere. Each DMARC policy declares these same properties (Pulumi policy config is per
 * policy), and walks (identity, From domain) pairs through `fromDomainsOf`.
 */
import { PolicyConfigSchema } from "@pulumi/policy";
import { DmarcStandard, PolicyDiscovery, receiverPolicies, STANDARD_NAMES, Standards, STANDARDS, standardsOf } from "../lib/dmarc";
import { normalizeName } from "../lib/names";
import { Identity, StackDmarc, StackFacts } from "./facts";
import { Findings } from "./preview";

export interface DomainsConfig {
  /** Identity domain → further domains it sends From: (the domain or below it). */
  fromDomains: Record<string, string[]>;
  /** Domain → the text of its DMARC record, published outside this stack; "" when it publishes none. */
  externalDmarc: Record<string, string>;
  /** The receivers mail must satisfy: both (default), rfc7489 or rfc9989. */
  standards: Standards;
}

export const domainsConfigSchema: PolicyConfigSchema["properties"] = {
  fromDomains: {
    type: "object",
    description: "Identity domain → further From domains it sends as, e.g. {\"example.com\": [\"news.example.com\"]}. The identity itself is always one, and so is every domain its ses-email-auth:from-domains tags name.",
    additionalProperties: { type: "array", items: { type: "string" } },
    default: {},
  },
  externalDmarc: {
    type: "object",
    description:
      "Domain → text of its DMARC record when it is published outside this stack, e.g. {\"example.com\": \"v=DMARC1; p=reject\"}; \"\" when that domain publishes none. RFC 9989's tree walk asks about the From domain's parents too: a parent outside the stack that the verdict depends on must be named here.",
    additionalProperties: { type: "string" },
    default: {},
  },
  standards: {
    type: "string",
    enum: [...STANDARDS],
    default: Standards.BOTH,
    description: "The receivers mail must pass at: both (default: RFC 7489 receivers with the public suffix list, and RFC 9989 ones with the DNS tree walk), rfc7489 or rfc9989.",
  },
};

/** The identity's domain first, then those its tags name, then the configured extras (keys and values in any case), each once. */
export function fromDomainsOf(id: Identity, config: DomainsConfig): string[] {
  const extras = Object.entries(config.fromDomains).flatMap(([identity, froms]) => (normalizeName(identity) === id.domain ? froms : []));
  return [...new Set([id.domain, ...id.fromDomains, ...extras.map(normalizeName)])];
}

/** `_dmarc.<domain>` → record text, as StackFacts.dmarc takes it. */
export function externalDmarcRecords(config: DomainsConfig): Map<string, string> {
  return new Map(Object.entries(config.externalDmarc).map(([domain, text]) => [`_dmarc.${normalizeName(domain)}`, text]));
}

export interface FromDomainDmarc {
  /** The first identity that sends as `from`. */
  id: Identity;
  from: string;
  /** The policy each required standard's receivers find for `from`. */
  policies: PolicyDiscovery[];
  dns: StackDmarc;
}

/** Every From domain of the stack once, with the DMARC policy each required kind of receiver would find for it. */
export function fromDomainsDmarc(facts: StackFacts, config: DomainsConfig): FromDomainDmarc[] {
  const external = externalDmarcRecords(config);
  const result = new Map<string, FromDomainDmarc>();
  for (const id of facts.identities) {
    for (const from of fromDomainsOf(id, config)) {
      if (result.has(from)) continue;
      const dns = facts.dmarc(external);
      const all = receiverPolicies(from, dns);
      result.set(from, { id, from, policies: standardsOf(config.standards).map((s) => all[s]), dns });
    }
  }
  return [...result.values()];
}

/** "RFC 7489 receivers", "RFC 7489 and RFC 9989 receivers". */
export function whose(standards: DmarcStandard[]): string {
  return `${standards.map((s) => STANDARD_NAMES[s]).join(" and ")} receivers`;
}

/**
 * An answer that depends on names the stack cannot tell: waits for apply when a preview value
 * is among them (`cause`), else fails, naming what to declare: never a silent "no record".
 */
export function undecided(findings: Findings, dns: StackDmarc, unknown: readonly { name: string }[], message: string, urn: string): void {
  const cause = dns.causeOf(unknown.map((u) => u.name));
  if (cause) findings.undecide(message, cause);
  else findings.fail(`${message}; give the record of each name outside this stack in externalDmarc ("" where none is published)`, urn);
}
