/**
 * What DMARC policies are told beyond the stack: further From domains an identity sends as (those
 * this program declares reach the pack as identity tags, lib/tags.ts), and DMARC records published
 * elsewhere. Each DMARC policy declares these same properties (Pulumi policy config is per
 * policy), and walks (identity, From domain) pairs through `fromDomainsOf`.
 */
import { PolicyConfigSchema } from "@pulumi/policy";
import { DmarcDiscovery } from "../lib/dmarc";
import { normalizeName } from "../lib/names";
import { Identity, StackFacts } from "./facts";
import { Unknown } from "./preview";

export interface DomainsConfig {
  /** Identity domain → further domains it sends From: (the domain or below it). */
  fromDomains: Record<string, string[]>;
  /** Domain → the text of its DMARC record, published outside this stack. */
  externalDmarc: Record<string, string>;
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
    description: "Domain → text of its DMARC record when it is published outside this stack, e.g. {\"example.com\": \"v=DMARC1; p=reject\"}.",
    additionalProperties: { type: "string" },
    default: {},
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
  discovery: DmarcDiscovery;
  cause?: Unknown;
}

/** Every From domain of the stack once, with the DMARC record a receiver would find for it. */
export function fromDomainsDmarc(facts: StackFacts, config: DomainsConfig): FromDomainDmarc[] {
  const external = externalDmarcRecords(config);
  const result = new Map<string, FromDomainDmarc>();
  for (const id of facts.identities) {
    for (const from of fromDomainsOf(id, config)) {
      if (!result.has(from)) result.set(from, { id, from, ...facts.dmarc(from, external) });
    }
  }
  return [...result.values()];
}
