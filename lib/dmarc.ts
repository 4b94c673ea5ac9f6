/**
 * DMARC records (RFC 7489): the one formatter the program writes with, the one parser the policy
 * pack and `verify` read with, and record discovery with the organizational-domain fallback.
 */
import { organizationalDomain, normalizeName } from "./names";

export enum DmarcPolicy {
  /** Monitor only: receivers deliver failing mail as they would without DMARC. */
  NONE = "none",
  /** Receivers treat failing mail as suspicious (the spam folder). */
  QUARANTINE = "quarantine",
  /** Receivers refuse failing mail. */
  REJECT = "reject",
}
export const DMARC_POLICIES: readonly DmarcPolicy[] = [DmarcPolicy.NONE, DmarcPolicy.QUARANTINE, DmarcPolicy.REJECT];

/** How closely an authenticated domain must match the From domain. */
export enum Alignment {
  /** Same organizational domain (DMARC's default when the tag is absent). */
  RELAXED = "relaxed",
  /** Exactly the From domain. */
  STRICT = "strict",
}
export const ALIGNMENTS: readonly Alignment[] = [Alignment.RELAXED, Alignment.STRICT];

/** What a DMARC record says, with DMARC's defaults applied. */
export interface DmarcRecord {
  policy: DmarcPolicy;
  /** sp=: policy for subdomains; defaults to p=. */
  subdomainPolicy: DmarcPolicy;
  /** pct=: share of failing mail the policy applies to, 0–100; default 100. */
  percent: number;
  rua: string[];
  ruf: string[];
  adkim: Alignment;
  aspf: Alignment;
}

/** What a stack asks for; unset optional tags are left out of the record. */
export interface DmarcSpec {
  policy: DmarcPolicy;
  subdomainPolicy?: DmarcPolicy;
  percent?: number;
  rua: string[];
  ruf: string[];
  adkim: Alignment;
  aspf: Alignment;
}

/**
 * The record text. Tags at their DMARC default (relaxed alignment) are omitted, so the record
 * reads like the hand-written ones it replaces.
 */
export function formatDmarc(spec: DmarcSpec): string {
  const tags = [`v=DMARC1`, `p=${spec.policy}`];
  if (spec.subdomainPolicy) tags.push(`sp=${spec.subdomainPolicy}`);
  if (spec.percent !== undefined) tags.push(`pct=${spec.percent}`);
  if (spec.rua.length) tags.push(`rua=${spec.rua.join(",")}`);
  if (spec.ruf.length) tags.push(`ruf=${spec.ruf.join(",")}`);
  if (spec.adkim === Alignment.STRICT) tags.push("adkim=s");
  if (spec.aspf === Alignment.STRICT) tags.push("aspf=s");
  return tags.join("; ");
}

/** `mailto:` URI as DMARC allows it in rua/ruf, with the optional `!size` suffix. */
const DMARC_URI = /^mailto:[^\s@,;!]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+(?:![0-9]+[kmgt]?)?$/i;

export function isDmarcUri(uri: string): boolean {
  return DMARC_URI.test(uri);
}

/** The domain a report URI delivers to, for the external-destination check (RFC 7489 §7.1). */
export function reportUriDomain(uri: string): string | undefined {
  if (!isDmarcUri(uri)) return undefined;
  return normalizeName(uri.replace(/![0-9]+[kmgt]?$/i, "").split("@")[1]);
}

export type DmarcParse = { ok: true; record: DmarcRecord } | { ok: false; error: string };

/** True for text that announces itself as DMARC (and so counts toward "exactly one record"). */
export function looksLikeDmarc(text: string): boolean {
  return /^v\s*=\s*DMARC1\s*(;|$)/i.test(text.trim());
}

function parsePolicy(value: string): DmarcPolicy | undefined {
  return DMARC_POLICIES.find((p) => p === value.toLowerCase());
}

function parseAlignment(value: string): Alignment | undefined {
  return value.toLowerCase() === "r" ? Alignment.RELAXED : value.toLowerCase() === "s" ? Alignment.STRICT : undefined;
}

/** Parse a DMARC record strictly enough that a receiver would apply it as we read it. */
export function parseDmarc(text: string): DmarcParse {
  const fail = (error: string): DmarcParse => ({ ok: false, error });
  const tags = text.split(";").map((t) => t.trim()).filter((t) => t !== "");
  const pairs: [string, string][] = [];
  for (const tag of tags) {
    const eq = tag.indexOf("=");
    if (eq <= 0) return fail(`malformed tag "${tag}"`);
    pairs.push([tag.slice(0, eq).trim().toLowerCase(), tag.slice(eq + 1).trim()]);
  }
  if (pairs[0]?.[0] !== "v" || pairs[0][1] !== "DMARC1") return fail(`must start with "v=DMARC1"`);
  if (pairs[1]?.[0] !== "p") return fail(`"p=" must follow "v=DMARC1"`);
  const seen = new Set<string>();
  const record: Partial<DmarcRecord> = { rua: [], ruf: [], adkim: Alignment.RELAXED, aspf: Alignment.RELAXED, percent: 100 };
  for (const [key, value] of pairs.slice(1)) {
    if (seen.has(key)) return fail(`tag "${key}" appears twice`);
    seen.add(key);
    switch (key) {
      case "p":
      case "sp": {
        const policy = parsePolicy(value);
        if (!policy) return fail(`${key}=${value}: must be none, quarantine or reject`);
        if (key === "p") record.policy = policy;
        else record.subdomainPolicy = policy;
        break;
      }
      case "pct": {
        if (!/^[0-9]{1,3}$/.test(value) || Number(value) > 100) return fail(`pct=${value}: must be an integer 0-100`);
        record.percent = Number(value);
        break;
      }
      case "rua":
      case "ruf": {
        const uris = value.split(",").map((u) => u.trim());
        const bad = uris.find((u) => !isDmarcUri(u));
        if (bad !== undefined) return fail(`${key}: "${bad}" is not a mailto: URI`);
        record[key] = uris;
        break;
      }
      case "adkim":
      case "aspf": {
        const alignment = parseAlignment(value);
        if (!alignment) return fail(`${key}=${value}: must be r or s`);
        record[key] = alignment;
        break;
      }
      default:
        // fo, rf, ri and tags unknown to RFC 7489 do not change alignment; receivers ignore unknown ones (§6.3).
        break;
    }
  }
  record.subdomainPolicy ??= record.policy;
  return { ok: true, record: record as DmarcRecord };
}

/** TXT records found at one name: the strings, or "unknown" when they cannot be known yet (preview). */
export type TxtAnswer = readonly string[] | "unknown";

export type DmarcDiscovery =
  | { status: "found"; name: string; source: "own" | "organizational"; text: string; record: DmarcRecord }
  | { status: "missing"; names: string[] }
  | { status: "multiple"; name: string; texts: string[] }
  | { status: "invalid"; name: string; text: string; error: string }
  | { status: "unknown"; name: string };

/**
 * RFC 7489 §6.6.3: look at `_dmarc.<from>`; when it holds no DMARC record, at
 * `_dmarc.<organizational domain>`. Several DMARC records at the chosen name is a broken setup.
 * `txtAt` answers for the names asked; a front end fetches both names first when it does I/O.
 */
export function discoverDmarc(fromDomain: string, txtAt: (name: string) => TxtAnswer): DmarcDiscovery {
  const from = normalizeName(fromDomain);
  const org = organizationalDomain(from);
  const candidates: { name: string; source: "own" | "organizational" }[] = [{ name: `_dmarc.${from}`, source: "own" }];
  if (org !== from) candidates.push({ name: `_dmarc.${org}`, source: "organizational" });
  for (const { name, source } of candidates) {
    const answer = txtAt(name);
    if (answer === "unknown") return { status: "unknown", name };
    const dmarc = answer.filter(looksLikeDmarc);
    if (dmarc.length === 0) continue;
    if (dmarc.length > 1) return { status: "multiple", name, texts: dmarc };
    const parsed = parseDmarc(dmarc[0]);
    if (!parsed.ok) return { status: "invalid", name, text: dmarc[0], error: parsed.error };
    return { status: "found", name, source, text: dmarc[0], record: parsed.record };
  }
  return { status: "missing", names: candidates.map((c) => c.name) };
}

/** The policy a From domain gets from its record: sp= applies when the record is the organizational domain's. */
export function effectivePolicy(found: Extract<DmarcDiscovery, { status: "found" }>): DmarcPolicy {
  return found.source === "organizational" ? found.record.subdomainPolicy : found.record.policy;
}
