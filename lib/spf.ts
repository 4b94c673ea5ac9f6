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
