/**
 * The pure half of `verify`: which names to ask about (plan), and what the answers mean (judge).
 * Record names come from lib/records.ts, the verdict from lib/alignment.ts; this file only turns
 * DNS answers into the facts those expect, and into one finding per check.
 */
import { AlignmentFacts, judgeAlignment, Outcome, PathSetup, rfc9989Verdict, StandardVerdict, Verdict } from "../../lib/alignment";
import { Alignment, AppliedPolicy, DmarcDns, dmarcName, DmarcPolicy, DmarcStandard, oneLevelBelow, receiverPolicies, standardsOf, TxtAnswer, UnknownAnswer } from "../../lib/dmarc";
import { normalizeName } from "../../lib/names";
import { dkimPublicKey, dkimSelectorName, byodkimValue, easyDkimName, easyDkimTarget, EASY_DKIM_TOKENS, isDkimTokenPlaceholder, mailFromDomain, parseMx, RecordRole } from "../../lib/records";
import { dkimHost, feedbackHost, isSesDkimHost, regionOfFeedbackHost } from "../../lib/regions";
import { checkSesSpf, expandSpf, SPF_LOOKUP_LIMIT, SPF_VOID_LIMIT, SpfAnswer } from "../../lib/spf";
import { Answer, Chain, describeFailure, QueryType } from "./dns";
import { Target } from "./targets";

/** mailauth's SPF evaluation of an SES sending address at a MAIL FROM domain. */
export type SpfEvaluation = { address: string; result: string; comment: string; lookups?: number } | { unavailable: string };

/**
 * One Easy DKIM name: its CNAME, the TXT a receiver gets when it asks the name (the server
 * follows the chain), and, only when that gives no key, the chain walked hop by hop to say why.
 */
export interface DkimLookup {
  cname: Answer;
  key: Answer;
  chain?: Chain;
}

/** Everything gathered from DNS for a set of targets. */
export interface Facts {
  /** `${type} ${name}` → answer. */
  answers: Map<string, Answer>;
  dkim: Map<string, DkimLookup>;
  spf: Map<string, SpfEvaluation>;
}

export function answerKey(type: QueryType, name: string): string {
  return `${type} ${normalizeName(name)}`;
}

/** What to ask DNS for one target. */
export interface Plan {
  target: Target;
  lookups: { type: QueryType; name: string }[];
  /** Easy DKIM CNAME names, each asked for its CNAME and the key it leads to. */
  dkimNames: string[];
  /** MAIL FROM domains whose SPF mailauth evaluates. */
  spfDomains: string[];
}

export type Status = "pass" | "warn" | "fail";

export interface Finding {
  check: string;
  status: Status;
  message: string;
  /** The region the check is about; absent for checks of the whole domain. */
  region?: string;
}

/** One kind of receiver's verdict in a region. */
export interface StandardResult {
  dkim: Outcome;
  spf: Outcome;
  dmarc: Outcome;
  /** The `_dmarc` names it queries for one message (RFC 9989: every tree walk; at most 8 each). */
  queries: string[];
}

export interface RegionResult {
  region: string;
  /** Under the required standards. */
  dkim: Outcome;
  spf: Outcome;
  dmarc: Outcome;
  /** The standards the verdict required. */
  required: DmarcStandard[];
  standards: Record<DmarcStandard, StandardResult>;
  summary: string;
}

/** One SES identity as seen from one From domain. */
export interface DomainReport {
  domain: string;
  from: string;
  ok: boolean;
  regions: RegionResult[];
  findings: Finding[];
}

export interface Report {
  ok: boolean;
  domains: DomainReport[];
}

/** The Easy DKIM tokens of a region, when known. */
function dkimTokens(target: Target, region: string): string[] | undefined {
  return target.tokens.get(region)?.slice(0, EASY_DKIM_TOKENS);
}

function mailFromDomains(target: Target): string[] {
  return [...new Set(target.spec.regions.map((r) => mailFromDomain(target.spec, r)).filter((d): d is string => d !== undefined))];
}

/** Every name known in advance; the tree walks and the full SPF expansion ask the rest as they go (see questions). */
export function plan(target: Target): Plan {
  const { spec } = target;
  // Both rules ask `_dmarc.<From>` first, whatever it holds.
  const lookups: Plan["lookups"] = spec.fromDomains.map((from) => ({ type: "TXT" as const, name: dmarcName(from) }));
  // A replica's names are its parent's: ask each name once.
  const dkimNames = spec.dkim.kind === "easy" ? [...new Set(spec.regions.flatMap((r) => dkimTokens(target, r) ?? []).map((token) => easyDkimName(spec.name, token)))] : [];
  if (spec.dkim.kind === "byodkim") lookups.push({ type: "TXT", name: dkimSelectorName(spec.dkim.selector, spec.name) });
  const spfDomains = mailFromDomains(target);
  for (const name of spfDomains) lookups.push({ type: "MX", name }, { type: "TXT", name });
  for (const record of target.declared) lookups.push({ type: record.type, name: record.name });
  return { target, lookups, dkimNames, spfDomains };
}

/** Worst first: a list of partial results → one. */
function worst(statuses: Status[]): Status {
  return statuses.includes("fail") ? "fail" : statuses.includes("warn") ? "warn" : "pass";
}

function get(facts: Facts, type: QueryType, name: string): Answer {
  return facts.answers.get(answerKey(type, name)) ?? { status: "error", detail: `${type} ${name} was not looked up` };
}

/** Absent (NXDOMAIN or no data) as opposed to unreadable (the server failed or did not answer). */
function absent(answer: Answer): boolean {
  return answer.status === "nxdomain" || answer.status === "nodata";
}

// ---- DMARC ----------------------------------------------------------------------------------

/** What a lookup of a name never asked gives: in gather, a request to fetch it (see gather.ts). */
export type Missing = (type: QueryType, name: string) => Answer;
const NOT_LOOKED_UP: Missing = (type, name) => ({ status: "error", detail: `${type} ${name} was not looked up` });

function answerOf(facts: Facts, type: QueryType, name: string, missing: Missing): Answer {
  return facts.answers.get(answerKey(type, name)) ?? missing(type, name);
}

/** The gathered answers as DMARC's rules ask for them: TXT at `_dmarc` names, and whether a name exists (A, then CNAME, as mailauth asks). */
class GatheredDmarc implements DmarcDns {
  constructor(
    private readonly facts: Facts,
    private readonly missing: Missing,
  ) {}

  txt(name: string): TxtAnswer {
    const answer = answerOf(this.facts, "TXT", name, this.missing);
    if (answer.status === "ok") return answer.values;
    return absent(answer) ? NO_RECORDS : { unknown: `could not be read (${describeFailure(answer)})` };
  }

  exists(domain: string): boolean | UnknownAnswer {
    const a = answerOf(this.facts, "A", domain, this.missing);
    if (a.status === "ok" || a.status === "nodata") return true;
    if (a.status !== "nxdomain") return { unknown: `could not be read (${describeFailure(a)})` };
    // A name whose CNAME leads nowhere gets NXDOMAIN for A, yet exists (RFC 6604 §3).
    const cname = answerOf(this.facts, "CNAME", domain, this.missing);
    if (cname.status === "ok") return true;
    return absent(cname) ? false : { unknown: `could not be read (${describeFailure(cname)})` };
  }
}
const NO_RECORDS: readonly string[] = [];

export function dmarcDns(facts: Facts, missing: Missing = NOT_LOOKED_UP): DmarcDns {
  return new GatheredDmarc(facts, missing);
}

/** The gathered answers as the SPF expansion asks for them. */
function spfLookup(facts: Facts, missing: Missing = NOT_LOOKED_UP): (type: "TXT" | "A" | "MX", name: string) => SpfAnswer {
  return (type, name) => {
    const answer = answerOf(facts, type, name, missing);
    if (answer.status === "ok") return answer;
    return absent(answer) ? { status: "none" } : { status: "unknown", why: `could not be read (${describeFailure(answer)})` };
  };
}

/** The `_dmarc` name a verdict could not read, with why, for the finding. */
function unreadable(verdict: StandardVerdict, facts: Facts): string | undefined {
  for (const name of verdict.queries) {
    const answer = get(facts, "TXT", name);
    if (answer.status !== "ok" && !absent(answer)) return `cannot read ${name}: ${describeFailure(answer)}; receivers decide for themselves what to do with the mail (RFC 9989 §4.10.1), many defer it`;
  }
  return undefined;
}

/** What a record's tags mean for SES mail at one kind of receiver. */
function meanings(standard: DmarcStandard, p: AppliedPolicy, from: string, identity: string, exists: () => boolean | UnknownAnswer): string[] {
  const r = p.record;
  const stated = p.tags[0].policy;
  const notes: string[] = [];
  if (p.tags.every((t) => t.policy === DmarcPolicy.NONE)) notes.push(`${p.tags[0].tag}=none: receivers only report, failing mail is delivered as usual`);
  if (standard === DmarcStandard.RFC7489) {
    if (r.tags.includes("pct") && r.percent < 100 && stated !== DmarcPolicy.NONE) {
      notes.push(r.percent === 0 ? `pct=0: RFC 7489 receivers apply ${oneLevelBelow(stated)}, one level below ${stated}` : `pct=${r.percent}: RFC 7489 receivers apply ${stated} to ${r.percent}% of failing mail and ${oneLevelBelow(stated)} to the rest`);
    }
    if (r.testing) notes.push(`t=y: RFC 7489 receivers do not know it and apply ${stated}${r.percent === 0 ? " as pct=0 says" : ""}`);
    if (r.aspf === Alignment.STRICT) notes.push("aspf=s: SPF never aligns for SES, whose MAIL FROM is always a subdomain; only DKIM can pass");
    if (r.adkim === Alignment.STRICT && from !== identity) notes.push(`adkim=s: SES signs as d=${identity}, which strict alignment rejects for ${from}`);
    return notes;
  }
  if (r.testing && stated !== DmarcPolicy.NONE) notes.push(`t=y (test mode): RFC 9989 receivers apply ${oneLevelBelow(stated)}, one level below ${stated}`);
  if (r.tags.includes("pct") && r.percent < 100) notes.push(`pct=${r.percent}: RFC 9989 receivers ignore pct and apply ${r.testing ? oneLevelBelow(stated) : stated} to all failing mail`);
  if (p.source !== "own" && r.tags.includes("np")) {
    const np = `np=${r.nonexistentSubdomainPolicy}`;
    const existence = exists();
    if (existence === true) notes.push(`${np} does not apply: ${from} exists in DNS, so sp=${r.subdomainPolicy} does`);
    else if (existence === false) notes.push(`${from} does not exist in DNS (SES sends From it all the same): RFC 9989 receivers apply ${np} to its failing mail; RFC 7489 ones sp=${r.subdomainPolicy}`);
    else notes.push(`whether ${from} exists ${existence.unknown}: ${np} applies if it does not`);
  }
  return notes;
}

/** The policy walk's queries, then those the alignment walks add: what an RFC 9989 receiver asks for one message. */
function walkWords(from: string, verdict: StandardVerdict): string {
  const walk = verdict.policyQueries;
  const more = verdict.queries.filter((q) => !walk.includes(q));
  const count = (n: number) => `${n} ${n === 1 ? "query" : "queries"}`;
  return `tree walk from ${from}, ${count(walk.length)}: ${walk.join(", ")}${more.length ? `; alignment walks add ${more.join(", ")}: ${count(verdict.queries.length)} a message` : ""}`;
}

function dmarcFinding(standard: DmarcStandard, from: string, identity: string, verdict: StandardVerdict, required: boolean, facts: Facts, dns: DmarcDns, sameAs?: string): Finding {
  const check = `dmarc ${from} ${standard}`;
  const bad: Status = required ? "fail" : "warn";
  const label = standard === DmarcStandard.RFC7489 ? "RFC 7489 (public suffix list)" : `RFC 9989 (${walkWords(from, verdict)})`;
  const policy = verdict.policy;
  if (policy.status === "none") return { check, status: bad, message: `${label}: ${policy.why}` };
  if (policy.status === "unknown") return { check, status: bad, message: `${label}: ${unreadable(verdict, facts) ?? policy.why}` };
  const p = policy.policy;
  const where = p.source === "own" ? p.name : `${p.name} (the ${p.source === "psd" ? "public suffix" : "organizational"} domain's record${standard === DmarcStandard.RFC7489 ? " by the public suffix list" : ""}; ${p.tags.map((t) => t.tag).join(" or ")}= applies to ${from})`;
  const notes = [...p.problems.map((x) => `receivers discard: ${x}`), ...meanings(standard, p, from, identity, () => dns.exists(from))];
  const detail = sameAs ? `the same record as ${sameAs}` : `${p.effect}, adkim=${p.record.adkim}, aspf=${p.record.aspf}`;
  return { check, status: notes.length ? "warn" : "pass", message: `${label}: ${where}: ${detail}${notes.length ? `; ${notes.join("; ")}` : ""}` };
}

// ---- DKIM -----------------------------------------------------------------------------------

/** Incomplete beats unknown beats complete, with every detail kept. */
function mergeSetups(setups: PathSetup[]): PathSetup {
  for (const state of ["incomplete", "unknown"] as const) {
    const matching = setups.filter((s) => s.state === state);
    if (matching.length) return { state, detail: matching.map((s) => s.detail).join("; ") };
  }
  return { state: "complete" };
}

function setupStatus(setup: PathSetup): Status {
  return setup.state === "complete" ? "pass" : "fail";
}

/** `signingRegion`: the region whose keys sign: the identity's own, or a replica's parent's. */
function easyDkimToken(name: string, expected: string, signingRegion: string, facts: Facts): PathSetup {
  const lookup = facts.dkim.get(name);
  if (!lookup) return { state: "unknown", detail: `${name} was not looked up` };
  const { cname, key, chain } = lookup;
  if (cname.status !== "ok") return absent(cname) ? { state: "incomplete", detail: `no CNAME at ${name}` } : { state: "unknown", detail: `cannot read ${name}: ${describeFailure(cname)}` };
  const first = cname.values[0];
  if (first !== expected) {
    const host = first.split(".").slice(1).join(".");
    const why = isSesDkimHost(host) ? `; ${signingRegion} signs with ${dkimHost(signingRegion)}, not ${host}` : "";
    return { state: "incomplete", detail: `${name} points at ${first}, expected ${expected}${why}` };
  }
  if (key.status === "ok") return key.values.some((v) => dkimPublicKey(v) !== undefined) ? { state: "complete" } : { state: "incomplete", detail: `the TXT record ${name} leads to is not a DKIM key` };
  if (!chain) return { state: "unknown", detail: `the CNAME chain from ${name} was not followed` };
  if (chain.end.status === "loop") return { state: "incomplete", detail: `CNAME loop from ${name}: ${chain.hops.join(" → ")}` };
  if (chain.end.status === "too-long") return { state: "incomplete", detail: `CNAME chain from ${name} is longer than ${chain.hops.length} hops` };
  const last = chain.hops[chain.hops.length - 1] ?? first;
  if ("detail" in chain.end) {
    if (chain.end.status === "nxdomain") return { state: "incomplete", detail: `${last} does not exist: SES publishes no key there` };
    return { state: "unknown", detail: `cannot read ${last}: ${describeFailure(chain.end)}` };
  }
  return absent(key) ? { state: "incomplete", detail: `no DKIM key at ${last}` } : { state: "unknown", detail: `cannot read the key at ${last}: ${describeFailure(key)}` };
}

function easyDkim(target: Target, region: string, facts: Facts): { setup: PathSetup; finding: Finding } {
  const tokens = dkimTokens(target, region);
  const check = "dkim";
  if (!tokens) {
    const detail = `Easy DKIM tokens of ${region} are not known: give --dkim-tokens ${region}=t1,t2,t3, --outputs or --state`;
    return { setup: { state: "unknown", detail }, finding: { check, region, status: "warn", message: detail } };
  }
  // A Deterministic Easy DKIM replica signs with its parent's keys: the parent's CNAMEs, to the parent region's host.
  const parent = target.replicaOf?.get(region);
  const signingRegion = parent ?? region;
  const setup = mergeSetups(tokens.map((token) => easyDkimToken(easyDkimName(target.spec.name, token), easyDkimTarget(signingRegion, token), signingRegion, facts)));
  const replica = parent ? ` (a Deterministic Easy DKIM replica: the ${parent} identity's records and keys)` : "";
  const message = setup.state === "complete" ? `${tokens.length} CNAMEs → ${dkimHost(signingRegion)}, keys published${replica}` : `${setup.detail!}${replica}`;
  return { setup, finding: { check, region, status: setupStatus(setup), message } };
}

function byodkim(target: Target, selector: string, publicKey: string, facts: Facts): { setup: PathSetup; finding: Finding } {
  const name = dkimSelectorName(selector, target.spec.name);
  const answer = get(facts, "TXT", name);
  let setup: PathSetup;
  if (answer.status !== "ok") setup = absent(answer) ? { state: "incomplete", detail: `no DKIM key at ${name}` } : { state: "unknown", detail: `cannot read ${name}: ${describeFailure(answer)}` };
  else {
    const keys = answer.values.map(dkimPublicKey).filter((key) => key !== undefined);
    if (keys.length !== 1) setup = { state: "incomplete", detail: `${keys.length} DKIM keys at ${name}; publish exactly one: "${byodkimValue(publicKey)}"` };
    else if (keys[0] !== publicKey) setup = { state: "incomplete", detail: `the key at ${name} is not the stack's public key` };
    else setup = { state: "complete" };
  }
  const message = setup.state === "complete" ? `${name}: the stack's key is published` : setup.detail!;
  return { setup, finding: { check: "byodkim", status: setupStatus(setup), message } };
}

// ---- MAIL FROM ------------------------------------------------------------------------------

/** `region` is the one whose endpoint the MX should name; `findingRegion` is absent for a MAIL FROM domain every region shares. */
function mailFromMx(domain: string, region: string, findingRegion: string | undefined, facts: Facts): { setup: PathSetup; finding: Finding } {
  const answer = get(facts, "MX", domain);
  let setup: PathSetup;
  let message = "";
  if (answer.status !== "ok") setup = absent(answer) ? { state: "incomplete", detail: `no MX at ${domain}; SES needs one naming ${feedbackHost(region)}` } : { state: "unknown", detail: `cannot read MX ${domain}: ${describeFailure(answer)}` };
  else if (answer.values.length !== 1) setup = { state: "incomplete", detail: `${answer.values.length} MX records at ${domain} (${answer.values.join(", ")}); SES fails the MAIL FROM setup unless there is exactly one` };
  else {
    const exchange = parseMx(answer.values[0])?.exchange ?? answer.values[0];
    const mxRegion = regionOfFeedbackHost(exchange);
    if (!mxRegion) setup = { state: "incomplete", detail: `MX at ${domain} names ${exchange}, not an SES feedback endpoint such as ${feedbackHost(region)}` };
    else {
      setup = { state: "complete" };
      message = `${domain} MX ${answer.values[0]}${mxRegion === region ? "" : ` (the ${mxRegion} endpoint; SES redirects other regions' bounces)`}`;
    }
  }
  return { setup, finding: { check: "mail-from-mx", region: findingRegion, status: setupStatus(setup), message: message || setup.detail! } };
}

function mailFromSpf(domain: string, region: string | undefined, facts: Facts): { setup: PathSetup; finding: Finding } {
  const answer = get(facts, "TXT", domain);
  let setup: PathSetup;
  let message = "";
  if (answer.status !== "ok" && !absent(answer)) setup = { state: "unknown", detail: `cannot read TXT ${domain}: ${describeFailure(answer)}` };
  else {
    const check = checkSesSpf(answer.status === "ok" ? answer.values : [], domain);
    const evaluation = facts.spf.get(domain);
    if (!check.ok) setup = { state: "incomplete", detail: check.problem };
    else if (!evaluation || "unavailable" in evaluation) setup = { state: "unknown", detail: `SPF at ${domain} could not be evaluated: ${evaluation?.unavailable ?? "not run"}` };
    else if (evaluation.result === "pass") {
      setup = { state: "complete" };
      message = `${domain} "${check.record}": SES's address ${evaluation.address} passes${evaluation.lookups === undefined ? "" : ` (${evaluation.lookups} of 10 DNS lookups)`}`;
    } else if (evaluation.result === "temperror") setup = { state: "unknown", detail: `SPF at ${domain}: temperror (${evaluation.comment})` };
    else setup = { state: "incomplete", detail: `SPF at ${domain} gives SES's address ${evaluation.address} "${evaluation.result}"${evaluation.comment ? ` (${evaluation.comment})` : ""}` };
  }
  return { setup, finding: { check: "mail-from-spf", region, status: setupStatus(setup), message: message || setup.detail! } };
}

/**
 * The MAIL FROM record's health beyond SES's own path: its lookups when fully expanded. A
 * receiver stops at the first match, so SES's address may pass while every sender listed after
 * the 10th lookup, or the 2nd void one, gets permerror.
 */
function spfHealth(domain: string, region: string | undefined, facts: Facts, missing: Missing): Finding {
  const x = expandSpf(domain, spfLookup(facts, missing));
  const problems: string[] = [];
  if (x.lookups > SPF_LOOKUP_LIMIT) {
    const ses = x.sesAt !== undefined && x.sesAt <= SPF_LOOKUP_LIMIT ? `SES's include:amazonses.com is reached at lookup ${x.sesAt}, so SES passes, but ` : "";
    problems.push(`${x.lookups} DNS lookups when fully expanded, over RFC 7208's limit of ${SPF_LOOKUP_LIMIT}: ${ses}every sender listed from ${x.firstPastLimit} on gets permerror; remove or flatten includes`);
  }
  if (x.voidLookups > SPF_VOID_LIMIT) problems.push(`${x.voidLookups} void lookups (names with no records), over the limit of ${SPF_VOID_LIMIT}: receivers give permerror from the ${SPF_VOID_LIMIT + 1}rd on; remove the terms naming them`);
  problems.push(...x.notes);
  const counts = `${x.lookups} of ${SPF_LOOKUP_LIMIT} DNS lookups and ${x.voidLookups} of ${SPF_VOID_LIMIT} void lookups, fully expanded`;
  return { check: "spf-lookups", region, status: problems.length ? "warn" : "pass", message: problems.length ? `${domain}: ${problems.join("; ")}` : `${domain}: ${counts}` };
}

// ---- declared records -----------------------------------------------------------------------

function declaredFindings(target: Target, facts: Facts): Finding[] {
  return target.declared.map((record) => {
    const check = `record ${record.type} ${record.name}`;
    const region = record.region;
    if (record.values.some(isDkimTokenPlaceholder) || record.name.includes("undefined")) {
      return { check, region, status: "warn" as const, message: "declared with a DKIM token not known when the outputs were written" };
    }
    const answer = get(facts, record.type, record.name);
    const published = answer.status === "ok" ? answer.values : [];
    const declared = record.values.map((v) => normalize(record.type, v));
    const missing = record.values.filter((_, i) => !published.includes(declared[i]));
    // The MX of the reports' receiving domain must be SES's alone: any other means the name already receives mail.
    const others = record.role === RecordRole.REPORTS_MX ? published.filter((v) => !declared.includes(v)) : [];
    const elsewhere = others.length ? `${record.name} receives mail elsewhere (MX ${others.join(", ")}), which SES's MX would take from it: receive the reports at a domain of their own` : "";
    if (missing.length === 0) return others.length ? { check, region, status: "fail" as const, message: `published as declared, but ${elsewhere}` } : { check, region, status: "pass" as const, message: `published as declared` };
    const seen = answer.status === "ok" ? `published: ${published.map((v) => JSON.stringify(v)).join(", ")}` : describeFailure(answer);
    return { check, region, status: "fail" as const, message: `declared ${missing.map((v) => JSON.stringify(v)).join(", ")}; ${seen}${elsewhere && `; ${elsewhere}`}` };
  });
}

function normalize(type: QueryType, value: string): string {
  if (type === "CNAME") return normalizeName(value);
  if (type === "MX") {
    const mx = parseMx(value);
    return mx ? `${mx.priority} ${mx.exchange}` : value;
  }
  return value;
}

// ---- the judge ------------------------------------------------------------------------------

/** The paths SES's mail authenticates by, per region, and the findings about them. */
export interface Setups {
  findings: Finding[];
  dkim: Map<string, PathSetup>;
  mailFrom: Map<string, PathSetup & { domain: string }>;
}

/** Setups already read, per facts and target: gather needs them for the alignment walks, then the judge. */
const setupsRead = new WeakMap<Facts, WeakMap<Target, Setups>>();

/**
 * DKIM and MAIL FROM of each region, from the answers of the target's plan (no tree walk, no SPF
 * expansion): asked once those answers are in, so it is read once.
 */
export function setupsOf(target: Target, facts: Facts): Setups {
  let byTarget = setupsRead.get(facts);
  if (!byTarget) setupsRead.set(facts, (byTarget = new WeakMap()));
  let setups = byTarget.get(target);
  if (!setups) byTarget.set(target, (setups = readSetups(target, facts)));
  return setups;
}

function readSetups(target: Target, facts: Facts): Setups {
  const { spec } = target;
  const setups: Setups = { findings: [], dkim: new Map(), mailFrom: new Map() };
  const dkim = spec.dkim;
  if (dkim.kind === "byodkim") {
    // One key record serves every region.
    const { setup, finding } = byodkim(target, dkim.selector, dkim.publicKey, facts);
    setups.findings.push(finding);
    for (const region of spec.regions) setups.dkim.set(region, setup);
  } else {
    for (const region of spec.regions) {
      const { setup, finding } = easyDkim(target, region, facts);
      setups.findings.push(finding);
      setups.dkim.set(region, setup);
    }
  }
  // A shared MAIL FROM domain is checked once, against the region its single MX names.
  const checked = new Map<string, PathSetup>();
  for (const region of spec.regions) {
    const domain = mailFromDomain(spec, region);
    if (!domain) continue;
    if (!checked.has(domain)) {
      const perRegion = spec.mailFrom!.perRegion;
      const mx = mailFromMx(domain, perRegion ? region : spec.regions[0], perRegion ? region : undefined, facts);
      const spf = mailFromSpf(domain, perRegion ? region : undefined, facts);
      setups.findings.push(mx.finding, spf.finding);
      checked.set(domain, mergeSetups([mx.setup, spf.setup]));
    }
    setups.mailFrom.set(region, { ...checked.get(domain)!, domain });
  }
  if (!spec.mailFrom) setups.findings.push({ check: "mail-from", status: "warn", message: "no custom MAIL FROM: SES sends as amazonses.com, so SPF cannot align and DKIM is the only path" });
  return setups;
}

function alignmentFacts(target: Target, from: string, setups: Setups, dns: DmarcDns, region: string): AlignmentFacts {
  return { identity: target.spec.name, region, from, dns, dkim: setups.dkim.get(region)!, mailFrom: setups.mailFrom.get(region), requiredPaths: target.requiredPaths, standards: target.standards };
}

/** The verdict of each region for mail From `from`. */
function verdictsOf(target: Target, from: string, setups: Setups, dns: DmarcDns): Verdict[] {
  return target.spec.regions.map((region) => judgeAlignment(alignmentFacts(target, from, setups, dns, region)));
}

/** One region for each different set of paths: they walk the same names. */
function regionsWalkingAlike(target: Target, setups: Setups): string[] {
  const seen = new Map<string, string>();
  for (const region of target.spec.regions) {
    const mailFrom = setups.mailFrom.get(region);
    const key = `${setups.dkim.get(region)!.state === "incomplete"} ${mailFrom ? `${mailFrom.domain} ${mailFrom.state === "incomplete"}` : ""}`;
    if (!seen.has(key)) seen.set(key, region);
  }
  return [...seen.values()];
}

/**
 * What a target asks of DNS as it goes, each question run over the answers so far (gather.ts
 * fetches what one asks and runs it again): the policy walks and the SPF expansions need
 * nothing else; the alignment walks need the paths (`alignment`, once `setups` are known).
 */
export function questions(target: Target): { first: ((facts: Facts, missing: Missing) => void)[]; alignment: (setups: Setups) => ((facts: Facts, missing: Missing) => void)[] } {
  return {
    first: [
      ...target.spec.fromDomains.map((from) => (facts: Facts, missing: Missing) => void receiverPolicies(from, dmarcDns(facts, missing))),
      ...mailFromDomains(target).map((domain) => (facts: Facts, missing: Missing) => void expandSpf(domain, spfLookup(facts, missing))),
    ],
    // RFC 7489 asks nothing beyond policy discovery; RFC 9989's alignment walks depend on the paths.
    alignment: (setups) => {
      const regions = regionsWalkingAlike(target, setups);
      return target.spec.fromDomains.map((from) => (facts: Facts, missing: Missing) => {
        const dns = dmarcDns(facts, missing);
        for (const region of regions) rfc9989Verdict(alignmentFacts(target, from, setups, dns, region));
      });
    },
  };
}

/** Every check and verdict for one target, one report per From domain, over the answers gathered. */
export function judge(target: Target, facts: Facts): DomainReport[] {
  const { spec } = target;
  const setups = setupsOf(target, facts);
  const health = [...new Map(spec.regions.flatMap((region) => {
    const domain = mailFromDomain(spec, region);
    return domain ? [[domain, spfHealth(domain, spec.mailFrom!.perRegion ? region : undefined, facts, NOT_LOOKED_UP)] as const] : [];
  })).values()];
  const shared = [...setups.findings, ...health, ...declaredFindings(target, facts)];

  const required = standardsOf(target.standards);
  return spec.fromDomains.map((from) => {
    const dns = dmarcDns(facts);
    const verdicts = verdictsOf(target, from, setups, dns);
    const [first] = verdicts;
    const [v7489, v9989] = [first.byStandard[DmarcStandard.RFC7489], first.byStandard[DmarcStandard.RFC9989]];
    const same = (p: StandardVerdict["policy"]) => (p.status === "applied" ? p.policy.name : undefined);
    const dmarcFindings = [
      dmarcFinding(DmarcStandard.RFC7489, from, spec.name, v7489, required.includes(DmarcStandard.RFC7489), facts, dns),
      dmarcFinding(DmarcStandard.RFC9989, from, spec.name, v9989, required.includes(DmarcStandard.RFC9989), facts, dns, same(v9989.policy) && same(v9989.policy) === same(v7489.policy) ? "RFC 7489" : undefined),
      ...[...new Map(verdicts.flatMap((v) => v.disagreements).map((d) => [`${d.message}; fix: ${d.fix}`, d])).keys()].map((message): Finding => ({ check: `dmarc ${from} standards`, status: "warn", message })),
    ];
    const findings = [...dmarcFindings, ...shared];
    const regions = verdicts.map((v): RegionResult => {
      const result = (sv: StandardVerdict): StandardResult => ({ dkim: sv.dkim.outcome, spf: sv.spf.outcome, dmarc: sv.dmarc, queries: sv.queries });
      return { region: v.region, dkim: v.dkim.outcome, spf: v.spf.outcome, dmarc: v.dmarc, required, standards: { [DmarcStandard.RFC7489]: result(v.byStandard.rfc7489), [DmarcStandard.RFC9989]: result(v.byStandard.rfc9989) }, summary: v.summary };
    });
    const ok = regions.every((r) => r.dmarc === "pass") && worst(findings.map((f) => f.status)) !== "fail";
    return { domain: spec.name, from, ok, regions, findings };
  });
}
