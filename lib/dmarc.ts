/**
 * DMARC records and where receivers find them: the one formatter the program writes with, the one
 * parser the policy pack and `verify` read with, and both discovery rules receivers follow in
 * 2026 — RFC 7489's (the From domain, then its organizational domain by the public suffix list)
 * and RFC 9989's DNS tree walk (§4.10). See docs/dmarc-2026.md.
 */
import { isPublicSuffix, normalizeName, organizationalDomain } from "./names";

export enum DmarcPolicy {
  /** Monitor only: receivers deliver failing mail as they would without DMARC. */
  NONE = "none",
  /** Receivers treat failing mail as suspicious (the spam folder). */
  QUARANTINE = "quarantine",
  /** Receivers refuse failing mail. */
  REJECT = "reject",
}
export const DMARC_POLICIES: readonly DmarcPolicy[] = [DmarcPolicy.NONE, DmarcPolicy.QUARANTINE, DmarcPolicy.REJECT];

/** One level below: what `t=y` (RFC 9989), and `pct` for the mail it leaves out (RFC 7489 §6.6.4), apply. */
export function oneLevelBelow(policy: DmarcPolicy): DmarcPolicy {
  return policy === DmarcPolicy.REJECT ? DmarcPolicy.QUARANTINE : DmarcPolicy.NONE;
}

/** How closely an authenticated domain must match the From domain. */
export enum Alignment {
  /** Same organizational domain (DMARC's default when the tag is absent). */
  RELAXED = "relaxed",
  /** Exactly the From domain. */
  STRICT = "strict",
}
export const ALIGNMENTS: readonly Alignment[] = [Alignment.RELAXED, Alignment.STRICT];

/** The two generations of receivers in 2026, each judged by its own rules. */
export enum DmarcStandard {
  /** The public suffix list for organizational domains; `pct` sampled; no `t`, `psd`. */
  RFC7489 = "rfc7489",
  /** The DNS tree walk; `t`, `np`, `psd`; `pct` ignored. */
  RFC9989 = "rfc9989",
}
export const STANDARD_NAMES: Record<DmarcStandard, string> = { [DmarcStandard.RFC7489]: "RFC 7489", [DmarcStandard.RFC9989]: "RFC 9989" };

/** Which receivers a verdict must satisfy. */
export enum Standards {
  /** Both generations: mail reaches receivers of each kind. Default. */
  BOTH = "both",
  /** RFC 7489 receivers: the organizational domain by the public suffix list. */
  RFC7489 = "rfc7489",
  /** RFC 9989 receivers: the organizational domain by the DNS tree walk. */
  RFC9989 = "rfc9989",
}
export const STANDARDS: readonly Standards[] = [Standards.BOTH, Standards.RFC7489, Standards.RFC9989];

export function standardsOf(standards: Standards): DmarcStandard[] {
  if (standards === Standards.RFC7489) return [DmarcStandard.RFC7489];
  if (standards === Standards.RFC9989) return [DmarcStandard.RFC9989];
  return [DmarcStandard.RFC7489, DmarcStandard.RFC9989];
}

/** `psd=` (RFC 9989): y a public suffix, n an organizational domain, u let the tree walk decide. */
export type Psd = "y" | "n" | "u";

/** What a DMARC record says, with the defaults and fallbacks receivers apply. */
export interface DmarcRecord {
  /** p=; absent or invalid: none when rua lists a valid URI (RFC 9989 §4.10.1). */
  policy: DmarcPolicy;
  /** sp=: existing subdomains; defaults to p=. */
  subdomainPolicy: DmarcPolicy;
  /** np= (RFC 9989, from RFC 9091): non-existent subdomains; defaults to sp=. */
  nonexistentSubdomainPolicy: DmarcPolicy;
  /** t=y (RFC 9989): test mode, receivers apply one level below the stated policy. */
  testing: boolean;
  psd: Psd;
  /** mailto: report URIs (other schemes are noted in `problems` and left out). */
  rua: string[];
  ruf: string[];
  adkim: Alignment;
  aspf: Alignment;
  /** Legacy (RFC 7489 only; RFC 9989 gives it no meaning): pct=, 0-100, default 100. */
  percent: number;
  /** Legacy rf= and ri= (RFC 7489 only), as written. */
  reportFormat?: string;
  reportInterval?: number;
  /** Tag names in the order written (lower case), v first. */
  tags: string[];
}

/** What a stack asks for; unset optional tags are left out of the record. */
export interface DmarcSpec {
  policy: DmarcPolicy;
  subdomainPolicy?: DmarcPolicy;
  nonexistentSubdomainPolicy?: DmarcPolicy;
  /** t=y: written only when true. */
  testing?: boolean;
  percent?: number;
  rua: string[];
  ruf: string[];
  adkim: Alignment;
  aspf: Alignment;
}

/**
 * The record text: `v` and `p` first (older parsers expect `p` second), then the policy tags.
 * Tags at their DMARC default (relaxed alignment, t=n) are omitted, so the record reads like the
 * hand-written ones it replaces.
 */
export function formatDmarc(spec: DmarcSpec): string {
  const tags = [`v=DMARC1`, `p=${spec.policy}`];
  if (spec.subdomainPolicy) tags.push(`sp=${spec.subdomainPolicy}`);
  if (spec.nonexistentSubdomainPolicy) tags.push(`np=${spec.nonexistentSubdomainPolicy}`);
  if (spec.testing) tags.push("t=y");
  if (spec.percent !== undefined) tags.push(`pct=${spec.percent}`);
  if (spec.rua.length) tags.push(`rua=${spec.rua.join(",")}`);
  if (spec.ruf.length) tags.push(`ruf=${spec.ruf.join(",")}`);
  if (spec.adkim === Alignment.STRICT) tags.push("adkim=s");
  if (spec.aspf === Alignment.STRICT) tags.push("aspf=s");
  return tags.join("; ");
}

/** `mailto:` URI as DMARC allows it in rua/ruf, with the obsolete `!size` suffix. */
const DMARC_URI = /^mailto:[^\s@,;!]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+(?:![0-9]+[kmgt]?)?$/i;
/** Any URI (RFC 3986 characters), which RFC 9989 §4.10.1 counts as a "syntactically valid reporting URI". */
const ANY_URI = /^[a-z][a-z0-9+.-]*:(?:[a-z0-9\-._~:/?#[\]@$&'()*+;=]|%[0-9a-f]{2})*$/i;
const OBSOLETE_SIZE = /![0-9]+[kmgt]?$/i;

export function isDmarcUri(uri: string): boolean {
  return DMARC_URI.test(uri);
}

/** The domain a report URI delivers to, for the external-destination check (RFC 9990 §4, RFC 7489 §7.1). */
export function reportUriDomain(uri: string): string | undefined {
  if (!isDmarcUri(uri)) return undefined;
  return normalizeName(uri.replace(OBSOLETE_SIZE, "").split("@")[1]);
}

/**
 * A record receivers apply (`problems`: what they discard from it, falling back to defaults), or
 * one they give no DMARC processing (`ok: false`), which still counts in a tree walk, with its psd.
 */
export type DmarcParse = { ok: true; record: DmarcRecord; problems: string[] } | { ok: false; error: string; psd: Psd };

/** `v=DMARC1` first, the value case-sensitive (RFC 9989 §4.7): what makes a TXT record a DMARC record. */
export function looksLikeDmarc(text: string): boolean {
  return /^[vV][ \t]*=[ \t]*DMARC1[ \t]*(;|$)/.test(text.trim());
}

function parsePolicy(value: string): DmarcPolicy | undefined {
  return DMARC_POLICIES.find((p) => p === value.toLowerCase());
}

function parseAlignment(value: string): Alignment | undefined {
  return value.toLowerCase() === "r" ? Alignment.RELAXED : value.toLowerCase() === "s" ? Alignment.STRICT : undefined;
}

/** The tags RFC 9989 §9.3 registers (the historic pct, rf, ri included); others are ignored, as receivers must. */
const KNOWN_TAGS = new Set(["v", "p", "sp", "np", "t", "psd", "adkim", "aspf", "rua", "ruf", "fo", "pct", "rf", "ri"]);

/**
 * Parse a DMARC record as receivers read it (RFC 9989 §4.7, §4.8, §4.10.1; RFC 7489 §6.3, §6.6.3):
 * unknown tags ignored, a tag with a syntax error discarded for its default (and listed in
 * `problems`), a missing or invalid p= (or an invalid sp=/np=) read as p=none when rua lists a
 * valid URI and as no DMARC processing otherwise. A tag twice makes the tag list invalid (RFC 6376 §3.2).
 */
export function parseDmarc(text: string): DmarcParse {
  const pairs: [string, string][] = [];
  const problems: string[] = [];
  for (const tag of text.split(";").map((t) => t.trim()).filter((t) => t !== "")) {
    const eq = tag.indexOf("=");
    if (eq <= 0) problems.push(`"${tag}" is not a tag=value pair; receivers ignore it`);
    else pairs.push([tag.slice(0, eq).trim().toLowerCase(), tag.slice(eq + 1).trim()]);
  }
  const psdOf = (): Psd => {
    const value = pairs.find(([k]) => k === "psd")?.[1].toLowerCase();
    return value === "y" || value === "n" ? value : "u";
  };
  if (!looksLikeDmarc(text) || pairs[0]?.[0] !== "v") return { ok: false, error: `must start with "v=DMARC1"`, psd: "u" };
  const seen = new Set<string>();
  for (const [key] of pairs) {
    if (seen.has(key)) return { ok: false, error: `tag "${key}" appears twice, which makes the record invalid (RFC 6376 §3.2); publish each tag once`, psd: psdOf() };
    seen.add(key);
  }
  const values = new Map(pairs.filter(([k]) => KNOWN_TAGS.has(k)));
  const record: DmarcRecord = {
    policy: DmarcPolicy.NONE,
    subdomainPolicy: DmarcPolicy.NONE,
    nonexistentSubdomainPolicy: DmarcPolicy.NONE,
    testing: false,
    psd: psdOf(),
    rua: [],
    ruf: [],
    adkim: Alignment.RELAXED,
    aspf: Alignment.RELAXED,
    percent: 100,
    tags: pairs.map(([k]) => k),
  };
  const flag = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const value = values.get(key);
    if (value === undefined) return fallback;
    const found = allowed.find((a) => a === value.toLowerCase());
    if (found === undefined) problems.push(`${key}=${value}: must be ${allowed.join(" or ")}; receivers use ${key}=${fallback}`);
    return found ?? fallback;
  };
  record.testing = flag("t", ["y", "n"], "n") === "y";
  if (values.get("psd") !== undefined) flag("psd", ["y", "n", "u"], "u");
  for (const key of ["adkim", "aspf"] as const) {
    const value = values.get(key);
    if (value === undefined) continue;
    const alignment = parseAlignment(value);
    if (alignment) record[key] = alignment;
    else problems.push(`${key}=${value}: must be r or s; receivers use r (relaxed)`);
  }
  let validReportUri = false;
  for (const key of ["rua", "ruf"] as const) {
    const value = values.get(key);
    if (value === undefined) continue;
    for (const uri of value.split(",").map((u) => u.trim())) {
      const bare = uri.replace(OBSOLETE_SIZE, "");
      if (key === "rua" && ANY_URI.test(bare)) validReportUri = true;
      if (isDmarcUri(uri)) record[key].push(uri);
      else problems.push(`${key}: "${uri}" is not a mailto: URI, the one scheme every receiver supports; it is ignored`);
    }
  }
  const pct = values.get("pct");
  if (pct !== undefined) {
    if (/^[0-9]{1,3}$/.test(pct) && Number(pct) <= 100) record.percent = Number(pct);
    else problems.push(`pct=${pct}: must be an integer 0-100; RFC 7489 receivers use 100 (RFC 9989 ones ignore pct)`);
  }
  if (values.has("rf")) record.reportFormat = values.get("rf");
  const ri = values.get("ri");
  if (ri !== undefined && /^[0-9]+$/.test(ri)) record.reportInterval = Number(ri);

  // RFC 9989 §4.10.1 (RFC 7489 §6.6.3 alike): p, sp and np stand or fall together.
  const p = values.get("p");
  const invalid = [
    p === undefined ? "no p= tag" : parsePolicy(p) ? undefined : `p=${p} is not none, quarantine or reject`,
    ...(["sp", "np"] as const).map((k) => (values.has(k) && !parsePolicy(values.get(k)!) ? `${k}=${values.get(k)} is not none, quarantine or reject` : undefined)),
  ].filter((x): x is string => x !== undefined);
  if (invalid.length) {
    if (!validReportUri) return { ok: false, error: `${invalid.join("; ")}, and no valid rua= URI: receivers apply no DMARC processing (RFC 9989 §4.10.1); write p=none, quarantine or reject`, psd: record.psd };
    // A record without p is otherwise fine (RFC 9989 §4.7); a wrong value is a mistake worth a finding.
    if (p !== undefined || invalid.length > 1) problems.push(`${invalid.join("; ")}: receivers act as p=none for everything, since rua= lists a valid URI (RFC 9989 §4.10.1)`);
    return { ok: true, record, problems };
  }
  record.policy = parsePolicy(p!)!;
  record.subdomainPolicy = values.has("sp") ? parsePolicy(values.get("sp")!)! : record.policy;
  record.nonexistentSubdomainPolicy = values.has("np") ? parsePolicy(values.get("np")!)! : record.subdomainPolicy;
  return { ok: true, record, problems };
}

/**
 * What differs between the two generations of receivers in a record itself (discovery aside):
 * `pct` (sampled by RFC 7489 receivers, ignored by RFC 9989 ones), and where older parsers expect
 * `p`. Each says what to write instead, as record tags (`fix`) and as stack config (`configFix`).
 */
export interface RecordPortability {
  /** The tag concerned; the config key is dmarc.percent for pct, dmarc.policy for p. */
  tag: "pct" | "p";
  problem: string;
  fix: string;
  configFix: string;
}

export function recordPortability(record: DmarcRecord): RecordPortability[] {
  const issues: RecordPortability[] = [];
  const pct = record.percent;
  if (record.tags.includes("pct") && pct > 0 && pct < 100) {
    issues.push({
      tag: "pct",
      problem: `pct=${pct} means ${pct}% of failing mail to RFC 7489 receivers (OpenDMARC by default among them), which sample it, but 100% to RFC 9989 receivers, which ignore pct`,
      fix: `drop pct and step the policy itself (p=none, then p=quarantine with t=y, then p=quarantine), or write pct=0 with t=y to test with both kinds`,
      configFix: `remove percent and step the policy itself (policy: none, then policy: quarantine with testing: true, then policy: quarantine), or write percent: 0 with testing: true to test with both kinds`,
    });
  }
  if (record.tags.includes("pct") && pct === 0 && !record.testing) {
    issues.push({
      tag: "pct",
      problem: `pct=0 without t=y: RFC 7489 receivers apply one level below p=${record.policy}, but RFC 9989 receivers ignore pct and apply p=${record.policy} to all failing mail`,
      fix: `add t=y, which RFC 9989 receivers read as pct=0 (RFC 9989 App. A.6), or drop pct=0 to enforce p=${record.policy}`,
      configFix: `add testing: true (t=y), which RFC 9989 receivers read as pct=0, or remove percent to enforce policy ${record.policy}`,
    });
  }
  if (!record.tags.includes("p")) {
    issues.push({ tag: "p", problem: "no p= tag: RFC 9989 reads it as p=none, but RFC 7489 requires p and older parsers discard the record", fix: `write p=${record.policy} right after v=DMARC1`, configFix: "set policy" });
  } else if (record.tags[1] !== "p") {
    issues.push({ tag: "p", problem: `p= is not the second tag: RFC 9989 allows that, but RFC 7489's grammar puts p right after v=DMARC1 and older parsers discard the record`, fix: "write v=DMARC1; p=… first", configFix: "let the stack write the record" });
  }
  return issues;
}

// ---- what is published at a name ------------------------------------------------------------

/** A name's TXT records that cannot be known: why, in words that follow the name ("is known only after apply"). */
export interface UnknownAnswer {
  unknown: string;
}
/** TXT records found at one name, or why they cannot be known. */
export type TxtAnswer = readonly string[] | UnknownAnswer;

export function isUnknownAnswer(answer: unknown): answer is UnknownAnswer {
  return typeof answer === "object" && answer !== null && "unknown" in answer;
}

/** What receivers can see in DNS, as the DMARC rules ask for it; the same answer for a name every time it is asked. */
export interface DmarcDns {
  /** TXT records at a name (`_dmarc.<domain>`). */
  txt(name: string): TxtAnswer;
  /** Whether a domain exists (any record at or below it, RFC 8020): decides between sp= and np=. */
  exists(domain: string): boolean | UnknownAnswer;
}

/** One `_dmarc` name as receivers read it: the DMARC records among its TXT records. */
export type DmarcAt =
  | { status: "none" }
  | { status: "multiple"; texts: string[] }
  | { status: "record"; text: string; parse: DmarcParse }
  | { status: "unknown"; why: string }
  /** A record that may be published there, in one of the worlds an unknown name stands for (see acrossUnknowns). */
  | { status: "possible"; psd: Psd; why: string };

/** A name's reading, kept per answer: a walk and the verdicts of several regions ask about the same answers again and again. */
const readings = new WeakMap<readonly string[], DmarcAt>();

export function dmarcAt(answer: TxtAnswer): DmarcAt {
  if (isUnknownAnswer(answer)) return { status: "unknown", why: answer.unknown };
  let reading = readings.get(answer);
  if (!reading) readings.set(answer, (reading = readDmarcAt(answer)));
  return reading;
}

function readDmarcAt(answer: readonly string[]): DmarcAt {
  const texts = answer.filter(looksLikeDmarc);
  if (texts.length === 0) return { status: "none" };
  if (texts.length > 1) return { status: "multiple", texts };
  return { status: "record", text: texts[0], parse: parseDmarc(texts[0]) };
}

export function dmarcName(domain: string): string {
  return `_dmarc.${normalizeName(domain)}`;
}

function psdOf(at: DmarcAt): Psd | undefined {
  if (at.status === "possible") return at.psd;
  if (at.status === "record") return at.parse.ok ? at.parse.record.psd : at.parse.psd;
  return undefined;
}

// ---- RFC 7489 -------------------------------------------------------------------------------

export type DmarcDiscovery =
  | { status: "found"; name: string; source: "own" | "organizational"; text: string; record: DmarcRecord; problems: string[] }
  | { status: "missing"; names: string[] }
  | { status: "multiple"; name: string; texts: string[] }
  | { status: "invalid"; name: string; text: string; error: string }
  | { status: "unknown"; name: string; why: string };

/**
 * RFC 7489 §6.6.3: look at `_dmarc.<from>`; when it holds no DMARC record, at
 * `_dmarc.<organizational domain by the public suffix list>`. Several DMARC records at a name end
 * discovery there: no DMARC processing.
 */
export function discoverDmarc(fromDomain: string, txtAt: (name: string) => TxtAnswer): DmarcDiscovery {
  const from = normalizeName(fromDomain);
  const org = organizationalDomain(from);
  const candidates: { name: string; source: "own" | "organizational" }[] = [{ name: dmarcName(from), source: "own" }];
  if (org !== from) candidates.push({ name: dmarcName(org), source: "organizational" });
  for (const { name, source } of candidates) {
    const at = dmarcAt(txtAt(name));
    switch (at.status) {
      case "none":
        continue;
      case "unknown":
        return { status: "unknown", name, why: at.why };
      case "multiple":
        return { status: "multiple", name, texts: at.texts };
      case "record":
        if (!at.parse.ok) return { status: "invalid", name, text: at.text, error: at.parse.error };
        return { status: "found", name, source, text: at.text, record: at.parse.record, problems: at.parse.problems };
    }
  }
  return { status: "missing", names: candidates.map((c) => c.name) };
}

// ---- RFC 9989: the DNS tree walk ------------------------------------------------------------

/** A name of 8 labels or more is shortened to its last 7 after the first query: at most 8 queries a walk (RFC 9989 §4.10). */
const WALK_SHORTENED_LABELS = 7;

/** A DMARC record the walk found (a possible one, in a world where an unknown name holds one). */
export interface WalkFound {
  domain: string;
  psd: Psd;
  at: Extract<DmarcAt, { status: "record" | "possible" }>;
}

export interface TreeWalk {
  start: string;
  /** The `_dmarc` names asked, in order: what a receiver queries. */
  queried: string[];
  /** Single DMARC records found, longest name first (several at a name are discarded). */
  found: WalkFound[];
}

/**
 * RFC 9989 §4.10: `_dmarc.<start>`, then one label less at a time down to the TLD, except that a
 * start of 8 labels or more jumps to its last 7 first. Stops at a record with psd=y or psd=n.
 */
export function treeWalk(start: string, at: (name: string) => DmarcAt): TreeWalk {
  const domain = normalizeName(start);
  const walk: TreeWalk = { start: domain, queried: [], found: [] };
  let labels = domain.split(".");
  while (labels.length) {
    const target = labels.join(".");
    const name = `_dmarc.${target}`;
    walk.queried.push(name);
    const answer = at(name);
    const psd = psdOf(answer);
    if (psd !== undefined) {
      walk.found.push({ domain: target, psd, at: answer as WalkFound["at"] });
      if (psd !== "u") break;
    }
    labels = labels.length > WALK_SHORTENED_LABELS ? labels.slice(-WALK_SHORTENED_LABELS) : labels.slice(1);
  }
  return walk;
}

/** RFC 9989 §4.10.2: psd=n there; else one below a psd=y (not at the start); else the record with the fewest labels; else the start. */
export function walkOrganizationalDomain(walk: TreeWalk): string {
  for (const f of walk.found) {
    if (f.psd === "n") return f.domain;
    if (f.psd === "y" && f.domain !== walk.start) return walk.start.split(".").slice(-(f.domain.split(".").length + 1)).join(".");
  }
  return walk.found.length ? walk.found[walk.found.length - 1].domain : walk.start;
}

export interface WalkPolicy {
  walk: TreeWalk;
  orgDomain: string;
  /** The record that applies (RFC 9989 §4.10.1): the From domain's own, its organizational domain's, or its PSD's. */
  applied?: WalkFound & { source: "own" | "organizational" | "psd" };
}

/** RFC 9989 §4.10.1: DMARC policy discovery for a From domain. */
export function walkPolicy(from: string, at: (name: string) => DmarcAt): WalkPolicy {
  const walk = treeWalk(from, at);
  const orgDomain = walkOrganizationalDomain(walk);
  const [first] = walk.found;
  if (first?.domain === walk.start) return { walk, orgDomain, applied: { ...first, source: "own" } };
  const org = walk.found.find((f) => f.domain === orgDomain);
  if (org) return { walk, orgDomain, applied: { ...org, source: "organizational" } };
  // The walk stops at a psd tag, so a PSD's record can only be the last found.
  const last = walk.found[walk.found.length - 1];
  return { walk, orgDomain, applied: last?.psd === "y" ? { ...last, source: "psd" } : undefined };
}

// ---- names nobody can tell us about ---------------------------------------------------------

/**
 * Most worlds enumerated before a question is called undecided: a handful of unknown names,
 * each with at most four possibilities, stays far below it.
 */
const MAX_WORLDS = 256;

/**
 * What an unknown `_dmarc.<domain>` may hold, as far as the tree walk can tell apart: nothing, or
 * a record with psd=u, y or n (whose other tags are not known). A public suffix (by the list) may
 * hold nothing or psd=y, as RFC 9989 §5.2 asks of its operator; nothing comes first.
 */
function possibilities(name: string, why: string): DmarcAt[] {
  const domain = name.replace(/^_dmarc\./, "");
  const psds: Psd[] = isPublicSuffix(domain) ? ["y"] : ["u", "y", "n"];
  return [{ status: "none" }, ...psds.map((psd) => ({ status: "possible" as const, psd, why }))];
}

export interface World<T> {
  value: T;
  /** Public suffixes that hold a record in this world. */
  suffixRecords: string[];
}

export interface Across<T> {
  /** One result per world, the world where every unknown name holds nothing first. */
  results: World<T>[];
  /** The unknown names asked about, and why each is unknown. */
  unknown: { name: string; why: string }[];
  /** false when there were more worlds than are tried: treat the answer as undecided. */
  complete: boolean;
}

/**
 * Evaluates `question` in every world the unknown names it asks about allow (a DFS by
 * re-running it, each run choosing the next combination), so a caller can tell an answer that
 * holds whatever they hold from one that depends on them. Known names answer as they are.
 */
export function acrossUnknowns<T>(txt: (name: string) => TxtAnswer, question: (at: (name: string) => DmarcAt) => T): Across<T> {
  const results: World<T>[] = [];
  const unknown = new Map<string, string>();
  const choices: number[] = [];
  for (;;) {
    const asked: { name: string; options: DmarcAt[] }[] = [];
    const value = question((name: string): DmarcAt => {
      const answer = txt(name);
      if (!isUnknownAnswer(answer)) return dmarcAt(answer);
      unknown.set(name, answer.unknown);
      let index = asked.findIndex((a) => a.name === name);
      if (index < 0) index = asked.push({ name, options: possibilities(name, answer.unknown) }) - 1;
      choices[index] ??= 0;
      return asked[index].options[choices[index]];
    });
    const suffixRecords = asked.filter((a, i) => choices[i] > 0 && isPublicSuffix(a.name.replace(/^_dmarc\./, ""))).map((a) => a.name);
    results.push({ value, suffixRecords });
    let i = asked.length - 1;
    while (i >= 0 && choices[i] + 1 >= asked[i].options.length) i--;
    const done = i < 0;
    if (!done) {
      choices[i]++;
      choices.length = i + 1;
    }
    if (done || results.length >= MAX_WORLDS) return { results, unknown: [...unknown].map(([name, why]) => ({ name, why })), complete: done };
  }
}

/**
 * The answer the worlds agree on, judged by `key`. A public suffix outside what can be seen is
 * taken to publish nothing (few do; a record there is no one's to count on): worlds where one
 * does are only checked, and each that would change the answer is named in `assumes`.
 */
export function decide<T>(across: Across<T>, key: (value: T) => string): { value: T; decided: boolean; assumes: string[] } {
  if (across.results.length === 1) return { value: across.results[0].value, decided: true, assumes: [] };
  const primary = across.results.filter((w) => w.suffixRecords.length === 0);
  const [first] = primary;
  const decided = across.complete && primary.every((w) => key(w.value) === key(first.value));
  const changing = across.results.filter((w) => w.suffixRecords.length && key(w.value) !== key(first.value));
  const why = new Map(across.unknown.map((u) => [u.name, u.why]));
  const assumes = [...new Set(changing.flatMap((w) => w.suffixRecords))].map((name) => `${name}, a public suffix that ${why.get(name)}, is taken to publish no DMARC record`);
  return { value: first.value, decided, assumes };
}

/** Why an answer depends on unknown names, naming them. */
export function dependsOn(unknown: Across<unknown>["unknown"]): string {
  const names = unknown.filter((u) => !isPublicSuffix(u.name.replace(/^_dmarc\./, "")));
  const listed = names.length ? names : unknown;
  return `depends on what ${listed.map((u) => `${u.name} (which ${u.why})`).join(" and ")} hold${listed.length === 1 ? "s" : ""}`;
}

// ---- the policy each kind of receiver applies -----------------------------------------------

export interface AppliedPolicy {
  /** `_dmarc.<domain>` of the record that applies. */
  name: string;
  source: "own" | "organizational" | "psd";
  /** The tag that applies, with its value; sp and np both while the From domain's existence is not known. */
  tags: { tag: "p" | "sp" | "np"; policy: DmarcPolicy }[];
  /** The weakest policy failing mail gets from this kind of receiver: t=y (RFC 9989) and pct (RFC 7489) step it down. */
  weakest: DmarcPolicy;
  /** What this kind of receiver does with failing mail, in words. */
  effect: string;
  text: string;
  record: DmarcRecord;
  /** What receivers discard from the record (parseDmarc). */
  problems: string[];
}

export type PolicyOutcome =
  | { status: "applied"; policy: AppliedPolicy }
  /** DMARC does not apply: why. */
  | { status: "none"; why: string }
  | { status: "unknown"; why: string };

export interface PolicyDiscovery {
  standard: DmarcStandard;
  outcome: PolicyOutcome;
  /** The `_dmarc` names this kind of receiver asks, in order. */
  queries: string[];
  /** How the record was looked for: the rule that decided. */
  rule: string;
  /** Names asked that could not be known, and why. */
  unknown: { name: string; why: string }[];
  /** What the outcome takes for granted about names that could not be known (see decide). */
  assumes: string[];
}

/** `exists` is asked only when it matters: an inherited record whose np differs from its sp. */
function tagsThatApply(record: DmarcRecord, own: boolean, exists: () => boolean | UnknownAnswer, standard: DmarcStandard): AppliedPolicy["tags"] {
  if (own) return [{ tag: "p", policy: record.policy }];
  const sp = { tag: "sp" as const, policy: record.subdomainPolicy };
  const np = { tag: "np" as const, policy: record.nonexistentSubdomainPolicy };
  // RFC 7489 has no np (RFC 9091 gave it to public suffix domains only).
  if (standard === DmarcStandard.RFC7489 || np.policy === sp.policy) return [sp];
  const existence = exists();
  return existence === true ? [sp] : existence === false ? [np] : [sp, np];
}

/** What one tag does at one kind of receiver: t=y steps it down at RFC 9989 ones, pct at RFC 7489 ones. */
function effectOf(standard: DmarcStandard, record: DmarcRecord, { tag, policy }: AppliedPolicy["tags"][number]): { effect: string; weakest: DmarcPolicy } {
  const stated = `${tag}=${policy}`;
  const lower = oneLevelBelow(policy);
  if (policy === DmarcPolicy.NONE) return { effect: stated, weakest: policy };
  if (standard === DmarcStandard.RFC9989) {
    return record.testing ? { effect: `${stated} with t=y: ${lower} (one level below)`, weakest: lower } : { effect: stated, weakest: policy };
  }
  if (record.percent === 100) return { effect: stated, weakest: policy };
  if (record.percent === 0) return { effect: `${stated} with pct=0: ${lower} (one level below)`, weakest: lower };
  return { effect: `${stated} for ${record.percent}% of failing mail (pct=${record.percent}), ${lower} for the rest`, weakest: lower };
}

function applied(standard: DmarcStandard, name: string, source: AppliedPolicy["source"], text: string, record: DmarcRecord, problems: string[], from: string, exists: () => boolean | UnknownAnswer): AppliedPolicy {
  const tags = tagsThatApply(record, source === "own", exists, standard);
  const described = tags.map((t) => effectOf(standard, record, t));
  const effect = described.length === 1 ? described[0].effect : `${described[0].effect}, or ${described[1].effect} if ${from} does not exist`;
  const weakest = described.map((d) => d.weakest).sort((a, b) => DMARC_POLICIES.indexOf(a) - DMARC_POLICIES.indexOf(b))[0];
  return { name, source, tags, weakest, effect, text, record, problems };
}

/** RFC 7489 §6.6.3, as a policy outcome. */
export function rfc7489Policy(from: string, dns: DmarcDns): PolicyDiscovery {
  const f = normalizeName(from);
  const asked: string[] = [];
  const discovery = discoverDmarc(f, (name) => {
    asked.push(name);
    return dns.txt(name);
  });
  const org = organizationalDomain(f);
  const rule = `RFC 7489: ${dmarcName(f)}${org === f ? "" : `, then ${dmarcName(org)} (organizational domain by the public suffix list)`}`;
  const unknown = discovery.status === "unknown" ? [{ name: discovery.name, why: discovery.why }] : [];
  let outcome: PolicyOutcome;
  switch (discovery.status) {
    case "found":
      outcome = { status: "applied", policy: applied(DmarcStandard.RFC7489, discovery.name, discovery.source, discovery.text, discovery.record, discovery.problems, f, () => true) };
      break;
    case "missing":
      outcome = { status: "none", why: `no DMARC record at ${discovery.names.join(" or ")}` };
      break;
    case "multiple":
      outcome = { status: "none", why: `${discovery.texts.length} DMARC records at ${discovery.name}; RFC 7489 receivers stop there and apply no DMARC; publish exactly one` };
      break;
    case "invalid":
      outcome = { status: "none", why: `invalid DMARC record at ${discovery.name}: ${discovery.error}` };
      break;
    case "unknown":
      outcome = { status: "unknown", why: `${discovery.name} ${discovery.why}` };
      break;
  }
  return { standard: DmarcStandard.RFC7489, outcome, queries: asked, rule, unknown, assumes: [] };
}

/** One world's RFC 9989 policy outcome for a From domain, from its walk. */
export function walkPolicyOutcome(from: string, at: (name: string) => DmarcAt, exists: (domain: string) => boolean | UnknownAnswer): { policy: WalkPolicy; outcome: PolicyOutcome } {
  const policy = walkPolicy(from, at);
  const found = policy.applied;
  let outcome: PolicyOutcome;
  if (!found) {
    const multiple = policy.walk.queried.find((n) => at(n).status === "multiple");
    outcome = { status: "none", why: `no DMARC record on the tree walk from ${policy.walk.start} (${policy.walk.queried.join(", ")})${multiple ? `; several at ${multiple} count as none` : ""}` };
  } else {
    const name = dmarcName(found.domain);
    if (found.at.status === "possible") outcome = { status: "unknown", why: `the record that applies would be at ${name}, which ${found.at.why}` };
    else if (!found.at.parse.ok) outcome = { status: "none", why: `invalid DMARC record at ${name}: ${found.at.parse.error}` };
    else {
      outcome = { status: "applied", policy: applied(DmarcStandard.RFC9989, name, found.source, found.at.text, found.at.parse.record, found.at.parse.problems, policy.walk.start, () => exists(policy.walk.start)) };
    }
  }
  return { policy, outcome };
}

/** A key that tells two outcomes apart by what receivers do. */
export function outcomeKey(outcome: PolicyOutcome): string {
  return outcome.status === "applied" ? `${outcome.policy.name} ${outcome.policy.effect}` : outcome.status;
}

/** RFC 9989 §4.10.1, decided across whatever unknown names may hold. */
export function rfc9989Policy(from: string, dns: DmarcDns): PolicyDiscovery {
  const across = acrossUnknowns((name) => dns.txt(name), (at) => walkPolicyOutcome(from, at, (d) => dns.exists(d)));
  const { value: first, decided, assumes } = decide(across, (r) => outcomeKey(r.outcome));
  const walk = first.policy.walk;
  const rule = `RFC 9989: tree walk from ${walk.start}, ${walk.queried.length} ${walk.queried.length === 1 ? "query" : "queries"} (${walk.queried.join(", ")}); organizational domain ${first.policy.orgDomain}`;
  const outcome: PolicyOutcome = decided ? first.outcome : { status: "unknown", why: `the record that applies ${dependsOn(across.unknown)}` };
  return { standard: DmarcStandard.RFC9989, outcome, queries: walk.queried, rule, unknown: across.unknown, assumes };
}

/** Discoveries already made over one DNS view (which answers the same every time): several policies ask the same. */
const discovered = new WeakMap<DmarcDns, Map<string, Record<DmarcStandard, PolicyDiscovery>>>();

/** The policy each kind of receiver applies to mail From `from`. */
export function receiverPolicies(from: string, dns: DmarcDns): Record<DmarcStandard, PolicyDiscovery> {
  let byFrom = discovered.get(dns);
  if (!byFrom) discovered.set(dns, (byFrom = new Map()));
  let found = byFrom.get(from);
  if (!found) byFrom.set(from, (found = { [DmarcStandard.RFC7489]: rfc7489Policy(from, dns), [DmarcStandard.RFC9989]: rfc9989Policy(from, dns) }));
  return found;
}
