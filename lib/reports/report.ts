/**
 * One DMARC aggregate report as the reader keeps it: its metadata, the policy it says was
 * published, and its records tallied per source address (rows are not kept, so memory follows the
 * number of distinct sources, not of rows).
 */

/** The input is not a report that can be counted; the message says why. */
export class NotAReport extends Error {}

/** Which specification a report follows, by its namespace or its RFC 9990-only elements. */
export enum ReportFormat {
  /** RFC 7489 appendix C (no namespace, or `http://dmarc.org/dmarc-xml/0.1`), or its earlier drafts. */
  RFC7489 = "rfc7489",
  /** RFC 9990: namespace `urn:ietf:params:xml:ns:dmarc-2.0`, or `testing`/`discovery_method`/`generator` present. */
  RFC9990 = "rfc9990",
}

export const RFC9990_NAMESPACE = "urn:ietf:params:xml:ns:dmarc-2.0";

/** `policy_published`, lower-cased; null where the report leaves an element out (its tag's default applies). */
export interface PublishedPolicy {
  p: string;
  sp: string | null;
  /** RFC 7489's `pct`; RFC 9990 removed it. */
  pct: number | null;
  np: string | null;
  /** RFC 9990's `testing` (the record's `t=` tag): `y` or `n`. */
  testing: string | null;
  adkim: string | null;
  aspf: string | null;
  fo: string | null;
  /** RFC 9990: `psl` or `treewalk`, how the reporter found the policy. */
  discoveryMethod: string | null;
}

/** The receiver's dispositions, as `policy_evaluated/disposition` names them (RFC 9990 adds `pass`). */
export const DISPOSITIONS = ["none", "pass", "quarantine", "reject"] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

/** Message counts of one source in one report, or summed over reports. */
export interface Tally {
  messages: number;
  /** Messages whose `policy_evaluated` has `dkim` or `spf` = pass. */
  dmarcPass: number;
  /** `policy_evaluated/dkim` = pass: DKIM passed and aligned. */
  dkimPass: number;
  /** `policy_evaluated/spf` = pass: SPF passed and aligned. */
  spfPass: number;
}

export function emptyTally(): Tally {
  return { messages: 0, dmarcPass: 0, dkimPass: 0, spfPass: 0 };
}

export function addTally(into: Tally, from: Tally): void {
  into.messages += from.messages;
  into.dmarcPass += from.dmarcPass;
  into.dkimPass += from.dkimPass;
  into.spfPass += from.spfPass;
}

/** What one source address sent in a report: counts, what receivers did, and the names it used. */
export interface SourceTally extends Tally {
  dispositions: Partial<Record<Disposition, number>>;
  /** Messages per `policy_evaluated/reason/type` (local_policy, mailing_list, policy_test_mode, …). */
  reasons: Record<string, number>;
  /** At most NAMES_PER_SOURCE each, first seen first: enough to recognise a sender. */
  headerFrom: string[];
  /** Domains of DKIM signatures and SPF identities the receiver saw, whatever their result. */
  dkimDomains: string[];
  spfDomains: string[];
}

/** Names kept per source and kind (header From, DKIM and SPF domains). */
export const NAMES_PER_SOURCE = 10;

/** Adds `name` (as `keep` makes it) to a source's few names; small arrays are cheaper than sets here. */
export function addName(names: string[], name: string, keep = (n: string) => n): void {
  if (name && names.length < NAMES_PER_SOURCE && !names.includes(name)) names.push(keep(name));
}

export function newSourceTally(): SourceTally {
  return { messages: 0, dmarcPass: 0, dkimPass: 0, spfPass: 0, dispositions: {}, reasons: {}, headerFrom: [], dkimDomains: [], spfDomains: [] };
}

export interface Report extends Tally {
  /** `org_name`, or the domain of `email` when the reporter left it out. */
  reporter: string;
  email: string | null;
  reportId: string;
  /** The DMARC policy domain, lower-cased. */
  domain: string;
  /** `date_range`, epoch seconds. */
  begin: number;
  end: number;
  format: ReportFormat;
  generator: string | null;
  policy: PublishedPolicy;
  /** `<record>` elements read. */
  rows: number;
  sources: Map<string, SourceTally>;
  /** What the reader had to repair or guess; the report still counts. */
  warnings: string[];
}
