/**
 * What the program tells the policy pack through SES identity tags: the From domains the stack
 * config names, so `pulumi preview --policy-pack` judges each of them without the policy config
 * repeating the list. A tag value holds at most 256 characters, so a long list takes several tags.
 */
import { normalizeName } from "./names";

export const FROM_DOMAINS_TAG = "ses-email-auth:from-domains";
const TAG_VALUE_MAX = 256;

function tagKey(n: number): string {
  return n === 1 ? FROM_DOMAINS_TAG : `${FROM_DOMAINS_TAG}-${n}`;
}

/** An identity's From domains other than itself, space-separated: `…:from-domains`, then `…:from-domains-2`, … */
export function fromDomainsTags(identity: string, fromDomains: readonly string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  let value = "";
  let n = 1;
  for (const from of fromDomains) {
    if (from === identity) continue;
    if (value && value.length + 1 + from.length > TAG_VALUE_MAX) {
      tags[tagKey(n++)] = value;
      value = "";
    }
    value = value ? `${value} ${from}` : from;
  }
  if (value) tags[tagKey(n)] = value;
  return tags;
}

/** The From domains an identity's tags name, normalized; none when it has no such tag. */
export function fromDomainsOfTags(tags: Record<string, unknown> | undefined): string[] {
  return Object.entries(tags ?? {})
    .filter(([key, value]) => (key === FROM_DOMAINS_TAG || key.startsWith(`${FROM_DOMAINS_TAG}-`)) && typeof value === "string")
    .flatMap(([, value]) => (value as string).split(/\s+/).filter(Boolean).map(normalizeName));
}
