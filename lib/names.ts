/** Domain-name helpers shared by every front end: normalisation, validity, relation, organizational domain. */
import { getDomain, getPublicSuffix } from "tldts";

/** Lower-case, without a trailing dot: the one form names are compared in. */
export function normalizeName(name: string): string {
  const n = name.trim().toLowerCase();
  return n.endsWith(".") ? n.slice(0, -1) : n;
}

/**
 * The public suffix list's answers, kept: DMARC judging asks about the same few names again and
 * again (each path, each region, each standard). Bounded, for long-lived callers.
 */
function remembered<T>(compute: (name: string) => T): (name: string) => T {
  const known = new Map<string, T>();
  return (name) => {
    let value = known.get(name);
    if (value === undefined) {
      if (known.size >= 10000) known.clear();
      known.set(name, (value = compute(name)));
    }
    return value;
  };
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A DNS label as a hostname allows it (letters, digits, inner hyphens; at most 63 characters). */
export function isValidLabel(label: string): boolean {
  return LABEL.test(label);
}

/** A fully qualified hostname with at least two labels, each valid, at most 253 characters. */
export function isValidDomain(name: string): boolean {
  const n = normalizeName(name);
  const labels = n.split(".");
  return n.length <= 253 && labels.length >= 2 && labels.every(isValidLabel) && !/^[0-9]+$/.test(labels[labels.length - 1]);
}

/** True when `name` is `parent` or below it. */
export function isAtOrBelow(name: string, parent: string): boolean {
  const n = normalizeName(name);
  const p = normalizeName(parent);
  return n === p || n.endsWith(`.${p}`);
}

/**
 * The organizational domain (RFC 7489 §3.2) by the public suffix list, private suffixes included
 * so that `a.github.io` and `b.github.io` are different organizations. Falls back to the name itself
 * when the list knows no registrable part (a bare suffix).
 */
export function organizationalDomain(name: string): string {
  return registrable(normalizeName(name));
}
const registrable = remembered((n) => getDomain(n, { allowPrivateDomains: true }) ?? n);

/**
 * A record name as written in a zone (absolute with a dot, relative, `@`, any case) made absolute.
 * `zone` is the zone's apex; undefined when it is not known.
 */
export function absoluteName(name: string, zone: string | undefined): string {
  const raw = name.trim();
  if (raw === "@" || raw === "") return normalizeName(zone ?? "");
  if (raw.endsWith(".")) return normalizeName(raw);
  const n = normalizeName(raw);
  if (!zone) return n;
  const z = normalizeName(zone);
  return isAtOrBelow(n, z) ? n : `${n}.${z}`;
}

/** True for a name under which anyone may register (com, co.uk, github.io): no one owns it. */
export function isPublicSuffix(name: string): boolean {
  return publicSuffix(normalizeName(name));
}
const publicSuffix = remembered((n) => getPublicSuffix(n, { allowPrivateDomains: true }) === n);

/**
 * Where `destination` authorises DMARC reports about `policyDomain` (RFC 7489 §7.1, RFC 9990 §4):
 * TXT `v=DMARC1` at `<policy domain>._report._dmarc.<destination>`; `*` for every policy domain.
 */
export function reportAuthorizationName(policyDomain: string, destination: string): string {
  return `${normalizeName(policyDomain)}._report._dmarc.${normalizeName(destination)}`;
}
