/** Static reading of SPF records (RFC 7208): enough to tell whether a MAIL FROM domain authorises SES. */
import { SES_SPF_INCLUDE } from "./regions";

export function isSpfRecord(text: string): boolean {
  return /^v=spf1(\s|$)/i.test(text.trim());
}

export type SpfCheck = { ok: true; record: string } | { ok: false; problem: string };

/**
 * Exactly one SPF record, authorising SES by `include:amazonses.com`, and not `+all`.
 * Live evaluation (lookups, the 10-lookup limit) is `verify`'s, through mailauth.
 */
export function checkSesSpf(txts: readonly string[], name: string): SpfCheck {
  const records = txts.filter(isSpfRecord);
  if (records.length === 0) return { ok: false, problem: `no SPF record at ${name}; publish "v=spf1 include:${SES_SPF_INCLUDE} ~all"` };
  if (records.length > 1) return { ok: false, problem: `${records.length} SPF records at ${name}; SPF returns permerror, publish exactly one` };
  const terms = records[0].trim().split(/\s+/).slice(1).map((t) => t.toLowerCase());
  if (terms.includes("+all") || terms.includes("all")) return { ok: false, problem: `SPF at ${name} ends in "+all", authorising every host on the internet` };
  if (!terms.some((t) => t === `include:${SES_SPF_INCLUDE}` || t === `+include:${SES_SPF_INCLUDE}`)) {
    return { ok: false, problem: `SPF at ${name} does not include:${SES_SPF_INCLUDE}, so SES's servers fail SPF` };
  }
  return { ok: true, record: records[0] };
}

/** RFC 7208 §4.6.4: at most 10 terms that query DNS, and at most 2 of those queries finding nothing. */
export const SPF_LOOKUP_LIMIT = 10;
export const SPF_VOID_LIMIT = 2;
/** Where a runaway record stops being followed: enough to say it is far over the limit. */
const EXPANSION_CAP = 50;

/** A DNS answer as the expansion needs it: records, nothing there (a void lookup), or unreadable. */
export type SpfAnswer = { status: "ok"; values: string[] } | { status: "none" } | { status: "unknown"; why: string };

export interface SpfExpansion {
  /** DNS-querying terms (include, a, mx, ptr, exists, redirect) with every include and redirect followed. */
  lookups: number;
  /** Of those, the queries that found nothing (NXDOMAIN or no records). */
  voidLookups: number;
  /** The lookup at which `include:amazonses.com` is reached, if it is. */
  sesAt?: number;
  /** The first term past the 10th lookup, in evaluation order: it and every term after it give permerror. */
  firstPastLimit?: string;
  /** What could not be followed: macros, unreadable names, loops, missing records. */
  notes: string[];
}

/**
 * The record at `domain` expanded in full, in evaluation order, whatever address is asked about:
 * a receiver stops at the first match, so SES's address may pass while every sender listed
 * after the 10th lookup gets permerror. SES sends over IPv4, so `a` and `exists` ask for A.
 */
export function expandSpf(domain: string, lookup: (type: "TXT" | "A" | "MX", name: string) => SpfAnswer): SpfExpansion {
  const start = domain.toLowerCase();
  const expander = new SpfExpander(lookup);
  expander.expand(start, [start], lookup("TXT", start));
  return expander.result;
}

const SPF_QUERYING_TERM = /^[+?~-]?(include|a|mx|ptr|exists|redirect)(?:[:=]([^/]*))?(\/.*)?$/i;

class SpfExpander {
  readonly result: SpfExpansion = { lookups: 0, voidLookups: 0, notes: [] };

  constructor(private readonly lookup: (type: "TXT" | "A" | "MX", name: string) => SpfAnswer) {}

  private count(term: string, where: string): void {
    this.result.lookups++;
    if (this.result.lookups === SPF_LOOKUP_LIMIT + 1) this.result.firstPastLimit = `${term} (in ${where})`;
  }

  private ask(type: "TXT" | "A" | "MX", name: string): SpfAnswer {
    const answer = this.lookup(type, name);
    if (answer.status === "none" || (answer.status === "ok" && answer.values.length === 0)) this.result.voidLookups++;
    if (answer.status === "unknown") this.result.notes.push(`${type} ${name} ${answer.why}`);
    return answer;
  }

  expand(name: string, path: string[], answer: SpfAnswer): void {
    const { result } = this;
    const records = answer.status === "ok" ? answer.values.filter(isSpfRecord) : [];
    if (answer.status !== "unknown" && records.length !== 1) {
      result.notes.push(`${records.length === 0 ? "no SPF record" : `${records.length} SPF records`} at ${name} (permerror)`);
      return;
    }
    if (records.length !== 1) return;
    const terms = records[0].trim().split(/\s+/).slice(1);
    const redirect = terms.find((t) => /^redirect=/i.test(t));
    const hasAll = terms.some((t) => /^[+?~-]?all$/i.test(t));
    for (const term of [...terms.filter((t) => t !== redirect), ...(redirect && !hasAll ? [redirect] : [])]) {
      if (result.lookups >= EXPANSION_CAP) {
        result.notes.push(`stopped following at ${EXPANSION_CAP} lookups`);
        return;
      }
      const match = SPF_QUERYING_TERM.exec(term);
      if (!match) continue; // ip4, ip6, all, exp= and unknown modifiers query nothing
      const mechanism = match[1].toLowerCase();
      const target = (match[2] || name).toLowerCase().replace(/\.$/, "");
      this.count(term, name);
      if (target.includes("%")) {
        result.notes.push(`${term} in ${name} has a macro: its lookups depend on the message`);
        continue;
      }
      switch (mechanism) {
        case "include":
        case "redirect":
          if (target === SES_SPF_INCLUDE) result.sesAt ??= result.lookups;
          if (path.includes(target)) {
            result.notes.push(`${term} in ${name} loops back to ${target} (permerror)`);
            continue;
          }
          this.expand(target, [...path, target], this.ask("TXT", target));
          break;
        case "a":
        case "exists":
          this.ask("A", target);
          break;
        case "mx": {
          const mx = this.ask("MX", target);
          if (mx.status === "ok" && mx.values.length > SPF_LOOKUP_LIMIT) result.notes.push(`${term} in ${name}: ${mx.values.length} MX hosts, over the 10 a receiver looks up (permerror)`);
          break;
        }
        case "ptr":
          result.notes.push(`${term} in ${name}: ptr depends on the sender's address and is discouraged (RFC 7208 §5.5)`);
          break;
      }
    }
  }
}
