/**
 * DMARC alignment applied to SES, as each generation of receivers decides it: RFC 7489's (the
 * public suffix list) and RFC 9989's (the DNS tree walk). Given what is known about one identity
 * in one region and one From domain: would DMARC pass, through which path, under which standard,
 * and, where the standards disagree, why and what to change. The policy pack and `verify` gather
 * the facts their own way and ask this one judge.
 */
import {
  acrossUnknowns,
  Alignment,
  DmarcAt,
  DmarcDns,
  dmarcName,
  DmarcStandard,
  decide,
  dependsOn,
  outcomeKey,
  PolicyOutcome,
  rfc7489Policy,
  STANDARD_NAMES,
  Standards,
  standardsOf,
  TreeWalk,
  treeWalk,
  walkOrganizationalDomain,
  walkPolicyOutcome,
} from "./dmarc";
import { isAtOrBelow, normalizeName, organizationalDomain } from "./names";

export enum RequiredPaths {
  /** DMARC passes when either DKIM or SPF passes aligned. Default. */
  ANY = "any",
  /** Both paths must pass aligned: mail survives forwarding that breaks SPF, and a DKIM key problem. */
  BOTH = "both",
}
export const REQUIRED_PATHS: readonly RequiredPaths[] = [RequiredPaths.ANY, RequiredPaths.BOTH];

export type Outcome = "pass" | "fail" | "unknown";

/** Whether the DNS and SES setup one path depends on is in place. */
export interface PathSetup {
  state: "complete" | "incomplete" | "unknown";
  /** What is missing or wrong (incomplete), or what is not known yet (unknown). */
  detail?: string;
}

export interface AlignmentFacts {
  identity: string;
  region: string;
  from: string;
  /** What receivers find in DNS: TXT at `_dmarc` names, and whether the From domain exists. */
  dns: DmarcDns;
  /** Easy DKIM or BYODKIM records of this region; SES signs as d=<identity>. */
  dkim: PathSetup;
  /** The custom MAIL FROM domain and its MX + SPF; undefined when none is configured. */
  mailFrom?: PathSetup & { domain: string };
  requiredPaths: RequiredPaths;
  /** The receivers mail must pass at. Default both: mail reaches receivers of both kinds. */
  standards?: Standards;
}

export interface PathResult {
  outcome: Outcome;
  reason: string;
}

/** A path under the required standards, and the standards it passes under. */
export interface CombinedPath extends PathResult {
  passesUnder: DmarcStandard[];
}

/** The verdict of one kind of receiver. */
export interface StandardVerdict {
  standard: DmarcStandard;
  dmarc: Outcome;
  dkim: PathResult;
  spf: PathResult;
  policy: PolicyOutcome;
  /** How this kind of receiver found the record and the organizational domains. */
  rule: string;
  /** The `_dmarc` names it queries for this message, in order (for RFC 9989: every tree walk). */
  queries: string[];
  /** Of those, the ones policy discovery asks (for RFC 9989: the From domain's walk, at most 8). */
  policyQueries: string[];
  /** Names it asked that could not be known, and why. */
  unknown: { name: string; why: string }[];
  /** What the verdict takes for granted about names that could not be known. */
  assumes: string[];
}

/** Where the two standards disagree, why, and what makes them agree. */
export interface Disagreement {
  about: "dkim" | "spf" | "policy";
  cause: "no-organizational-record" | "psd-n" | "psd-y" | "tree-walk" | "public-suffix-list" | "policy-record" | "nonexistent-domain";
  message: string;
  fix: string;
}

export interface Verdict {
  identity: string;
  region: string;
  from: string;
  standards: Standards;
  /** Under the required standards. */
  dmarc: Outcome;
  dkim: CombinedPath;
  spf: CombinedPath;
  byStandard: Record<DmarcStandard, StandardVerdict>;
  /** Names either standard asked that could not be known, and why. */
  unknown: { name: string; why: string }[];
  disagreements: Disagreement[];
  /** One sentence a person can act on. */
  summary: string;
}

/** RFC 7489 §3.1: strict means the same name; relaxed, the same organizational domain by the public suffix list. */
export function aligns(authenticated: string, from: string, mode: Alignment): boolean {
  const a = normalizeName(authenticated);
  const f = normalizeName(from);
  return mode === Alignment.STRICT ? a === f : organizationalDomain(a) === organizationalDomain(f);
}

/** Whether one authenticated domain aligns, and why not; RFC 9989's check keeps the walks it made. */
interface AlignmentCheck {
  state: "aligned" | "unaligned" | "unknown";
  why: string;
  walks: TreeWalk[];
}

function strictOrUnknown(domain: string, from: string, mode: Alignment | undefined): AlignmentCheck | undefined {
  if (domain === from) return { state: "aligned", why: "", walks: [] };
  if (mode === undefined) return { state: "unknown", why: "strict or relaxed alignment depends on the DMARC record, which is not known", walks: [] };
  if (mode === Alignment.STRICT) return { state: "unaligned", why: `strict alignment needs ${from} exactly`, walks: [] };
  return undefined;
}

function rfc7489Alignment(domain: string, from: string, mode: Alignment | undefined): AlignmentCheck {
  const early = strictOrUnknown(domain, from, mode);
  if (early) return early;
  const [orgA, orgF] = [organizationalDomain(domain), organizationalDomain(from)];
  if (orgA === orgF) return { state: "aligned", why: "", walks: [] };
  return { state: "unaligned", why: `by the public suffix list its organizational domain is ${orgA}, and ${from}'s is ${orgF}`, walks: [] };
}

/** `fromWalk`: the From domain's own walk, made once for the policy and reused for every path. */
function rfc9989Alignment(domain: string, from: string, mode: Alignment | undefined, at: (name: string) => DmarcAt, fromWalk: TreeWalk): AlignmentCheck {
  const early = strictOrUnknown(domain, from, mode);
  if (early) return early;
  const fromOrg = walkOrganizationalDomain(fromWalk);
  const fromOrgWords = fromOrg === from ? `${from} its own organizational domain` : `${fromOrg} ${from}'s organizational domain`;
  if (!isAtOrBelow(domain, fromOrg)) return { state: "unaligned", why: `the tree walk makes ${fromOrgWords}, and ${domain} is not at or below it`, walks: [fromWalk] };
  const authWalk = treeWalk(domain, at);
  const authOrg = walkOrganizationalDomain(authWalk);
  if (authOrg === fromOrg) return { state: "aligned", why: "", walks: [fromWalk, authWalk] };
  return { state: "unaligned", why: `the tree walk makes ${authOrg === domain ? `${domain} its own organizational domain` : `${authOrg} ${domain}'s`}, and ${fromOrgWords}`, walks: [fromWalk, authWalk] };
}

function pathResult(setup: PathSetup, domain: string, from: string, check: AlignmentCheck, mode: Alignment | undefined, label: string, standard: DmarcStandard): PathResult {
  if (setup.state === "incomplete") return { outcome: "fail", reason: setup.detail ?? `${label} records are incomplete` };
  // Strict alignment is the same under both standards; relaxed is each one's own.
  const under = check.walks.length || /public suffix list/.test(check.why) ? ` under ${STANDARD_NAMES[standard]}` : "";
  if (check.state === "unaligned") return { outcome: "fail", reason: `${label} domain ${domain} does not align with ${from}${under} (${check.why})` };
  if (setup.state === "unknown") return { outcome: "unknown", reason: setup.detail ?? `${label} records are known only after apply` };
  if (check.state === "unknown") return { outcome: "unknown", reason: `${label} is complete; ${check.why}` };
  return { outcome: "pass", reason: `${label} passes as ${domain}, aligned with ${from} (${domain === from ? "the same name" : (mode ?? Alignment.RELAXED)})` };
}

function combinePaths(outcomes: Outcome[], required: RequiredPaths): Outcome {
  if (required === RequiredPaths.BOTH) {
    if (outcomes.includes("fail")) return "fail";
    return outcomes.every((o) => o === "pass") ? "pass" : "unknown";
  }
  if (outcomes.includes("pass")) return "pass";
  return outcomes.includes("unknown") ? "unknown" : "fail";
}

/** All must pass: any failure fails, all passes pass, anything else is unknown. */
function all(outcomes: Outcome[]): Outcome {
  if (outcomes.includes("fail")) return "fail";
  return outcomes.every((o) => o === "pass") ? "pass" : "unknown";
}

const NO_MAIL_FROM: PathResult = { outcome: "fail", reason: "no custom MAIL FROM: SES uses amazonses.com, which never aligns" };

interface Judged {
  verdict: StandardVerdict;
  checks: { dkim: AlignmentCheck; spf?: AlignmentCheck };
}

/** One standard's verdict, given the policy it finds and how it checks alignment. */
function judgeStandard(facts: AlignmentFacts, standard: DmarcStandard, policy: PolicyOutcome, rule: string, policyQueries: string[], check: (domain: string, mode: Alignment | undefined) => AlignmentCheck): Judged {
  const from = normalizeName(facts.from);
  // No record: alignment as DMARC's defaults would judge it, so the two standards stay comparable.
  const record = policy.status === "applied" ? policy.policy.record : undefined;
  const modes = policy.status === "unknown" ? { adkim: undefined, aspf: undefined } : { adkim: record?.adkim ?? Alignment.RELAXED, aspf: record?.aspf ?? Alignment.RELAXED };
  // Receivers check alignment only for identifiers that authenticated (RFC 9989 §4.10.2): a broken path makes no walk.
  const checked = (setup: PathSetup, domain: string, mode: Alignment | undefined): AlignmentCheck => (setup.state === "incomplete" ? { state: "unknown", why: "", walks: [] } : check(domain, mode));
  const dkimCheck = checked(facts.dkim, facts.identity, modes.adkim);
  const dkim = pathResult(facts.dkim, facts.identity, from, dkimCheck, modes.adkim, "DKIM", standard);
  const spfCheck = facts.mailFrom ? checked(facts.mailFrom, facts.mailFrom.domain, modes.aspf) : undefined;
  const spf = facts.mailFrom && spfCheck ? pathResult(facts.mailFrom, facts.mailFrom.domain, from, spfCheck, modes.aspf, "SPF (MAIL FROM)", standard) : NO_MAIL_FROM;
  const paths = combinePaths([dkim.outcome, spf.outcome], facts.requiredPaths);
  const dmarc: Outcome = policy.status === "none" ? "fail" : policy.status === "unknown" ? (paths === "fail" ? "fail" : "unknown") : paths;
  const queries = [...new Set([...policyQueries, ...[dkimCheck, spfCheck].flatMap((c) => c?.walks.flatMap((w) => w.queried) ?? [])])];
  return { verdict: { standard, dmarc, dkim, spf, policy, rule, queries, policyQueries, unknown: [], assumes: [] }, checks: { dkim: dkimCheck, spf: spfCheck } };
}

function judgeRfc7489(facts: AlignmentFacts): Judged {
  const discovery = rfc7489Policy(facts.from, facts.dns);
  const judged = judgeStandard(facts, DmarcStandard.RFC7489, discovery.outcome, discovery.rule, discovery.queries, (domain, mode) => rfc7489Alignment(normalizeName(domain), normalizeName(facts.from), mode));
  judged.verdict.unknown = discovery.unknown;
  return judged;
}

/** RFC 9989, in every world the unknown names allow; an answer the worlds disagree on is unknown. */
function judgeRfc9989(facts: AlignmentFacts): Judged {
  const from = normalizeName(facts.from);
  const across = acrossUnknowns((name) => facts.dns.txt(name), (at) => {
    const { policy, outcome } = walkPolicyOutcome(from, at, (d) => facts.dns.exists(d));
    const rule = `RFC 9989: tree walk from ${from}; organizational domain ${policy.orgDomain}`;
    return judgeStandard(facts, DmarcStandard.RFC9989, outcome, rule, policy.walk.queried, (domain, mode) => rfc9989Alignment(normalizeName(domain), from, mode, at, policy.walk));
  });
  const undecided = dependsOn(across.unknown);
  const assumes = new Set<string>();
  const agree = (key: (j: Judged) => string): boolean => {
    const d = decide(across, key);
    for (const a of d.assumes) assumes.add(a);
    return d.decided;
  };
  const first = across.results.find((w) => w.suffixRecords.length === 0)!.value;
  const v = first.verdict;
  const path = (p: "dkim" | "spf"): PathResult => (agree((j) => j.verdict[p].outcome) ? v[p] : { outcome: "unknown", reason: `${p === "dkim" ? "DKIM" : "SPF (MAIL FROM)"} alignment ${undecided}` });
  const verdict: StandardVerdict = {
    ...v,
    dmarc: agree((j) => j.verdict.dmarc) ? v.dmarc : "unknown",
    dkim: path("dkim"),
    spf: path("spf"),
    policy: agree((j) => outcomeKey(j.verdict.policy)) ? v.policy : { status: "unknown", why: `the record that applies ${undecided}` },
    rule: `${v.rule}; ${v.queries.length} ${v.queries.length === 1 ? "query" : "queries"}: ${v.queries.join(", ")}`,
  };
  verdict.assumes = [...assumes];
  verdict.unknown = across.unknown;
  return { verdict, checks: first.checks };
}

// ---- where the standards disagree -----------------------------------------------------------

/** Why one path aligns under one standard and not the other, from the walks RFC 9989 made. */
function explainAlignment(about: "dkim" | "spf", domain: string, from: string, passes: DmarcStandard, check9989: AlignmentCheck): Disagreement {
  const label = about === "dkim" ? `DKIM (d=${domain})` : `SPF (MAIL FROM ${domain})`;
  const org = organizationalDomain(from);
  const found = check9989.walks.flatMap((w) => w.found);
  const queried = new Set(check9989.walks.flatMap((w) => w.queried));
  const agreeing = passes === DmarcStandard.RFC7489 ? "under RFC 7489 but not under RFC 9989" : "under RFC 9989 but not under RFC 7489";
  const head = `${label} aligns with ${from} ${agreeing}`;
  if (passes === DmarcStandard.RFC9989) {
    return {
      about,
      cause: "public-suffix-list",
      message: `${head}: the public suffix list separates ${organizationalDomain(domain)} and ${org}, while RFC 9989's tree walk finds one organizational domain for both`,
      fix: `send From ${domain}'s own organizational domain; if the domain above both is a public suffix, its operator should publish psd=y at its _dmarc record`,
    };
  }
  const cut = found.find((f) => f.psd === "n" && f.domain !== org && isAtOrBelow(f.domain, org));
  if (cut) {
    const fromSide = isAtOrBelow(from, cut.domain);
    const role = fromSide ? (cut.domain === from ? "a From domain" : "a From domain's parent") : about === "spf" ? "a MAIL FROM domain" : "a signing domain";
    return {
      about,
      cause: "psd-n",
      message: `${head}: ${dmarcName(cut.domain)} has psd=n, which makes ${cut.domain} an organizational domain of its own for RFC 9989 receivers`,
      fix: `remove psd=n from ${dmarcName(cut.domain)}: psd=n belongs on the organizational domain (${dmarcName(org)}), never on ${role} that relies on relaxed alignment${fromSide ? `; or send From ${cut.domain} with an SES identity of its own there` : ""}`,
    };
  }
  const suffix = found.find((f) => f.psd === "y" && isAtOrBelow(f.domain, org));
  if (suffix) {
    return {
      about,
      cause: "psd-y",
      message: `${head}: ${dmarcName(suffix.domain)} has psd=y, so RFC 9989 receivers treat ${suffix.domain} as a public suffix and the names below it as separate organizations, where the public suffix list sees one, ${org}`,
      fix: `send From the identity's own domain (or below it); or, if ${suffix.domain} is not a public suffix, remove psd=y from ${dmarcName(suffix.domain)}`,
    };
  }
  if (queried.has(dmarcName(org)) && !found.some((f) => f.domain === org)) {
    const below = found.find((f) => f.domain !== org && isAtOrBelow(f.domain, org));
    return {
      about,
      cause: "no-organizational-record",
      message: `${head}: there is no DMARC record at ${dmarcName(org)}, the organizational domain, so RFC 9989's tree walk ${below ? `takes the record at ${dmarcName(below.domain)}, making ${below.domain}` : `makes ${from}`} an organizational domain of its own`,
      fix: `publish a DMARC record at ${dmarcName(org)} (RFC 9989 §5.1.4 asks for one at the organizational domain)`,
    };
  }
  return {
    about,
    cause: "tree-walk",
    message: `${head}: ${check9989.why}, where the public suffix list gives both ${org}`,
    fix: `publish psd=n at ${dmarcName(org)}, so that RFC 9989 receivers take ${org} as the organizational domain too`,
  };
}

function policyWords(outcome: PolicyOutcome): string {
  if (outcome.status === "applied") return `${outcome.policy.tags.map((t) => `${t.tag}=${t.policy}`).join(" or ")} from ${outcome.policy.name}`;
  return outcome.status === "none" ? `no DMARC (${outcome.why})` : "an unknown policy";
}

function explainPolicy(from: string, p7489: PolicyOutcome, p9989: PolicyOutcome): Disagreement | undefined {
  if (p7489.status === "unknown" || p9989.status === "unknown") return undefined;
  const record = (o: PolicyOutcome) => (o.status === "applied" ? o.policy.name : "");
  const tags = (o: PolicyOutcome) => (o.status === "applied" ? o.policy.tags.map((t) => `${t.tag}=${t.policy}`).join(" ") : "");
  if (record(p7489) === record(p9989) && tags(p7489) === tags(p9989)) return undefined;
  const message = `RFC 7489 receivers apply ${policyWords(p7489)} to mail From ${from}, RFC 9989 receivers ${policyWords(p9989)}`;
  if (record(p7489) === record(p9989)) {
    const maybe = p9989.status === "applied" && p9989.policy.tags.length > 1;
    return {
      about: "policy",
      cause: "nonexistent-domain",
      message: `${message}: ${from} ${maybe ? "may have" : "has"} no DNS records, and for a name that does not exist RFC 9989 applies np=, which RFC 7489 does not know`,
      fix: `publish a DMARC record at ${dmarcName(from)} (which also makes the name exist), or give np the value of sp`,
    };
  }
  const multiple = p7489.status === "none" && / DMARC records at /.test(p7489.why);
  return {
    about: "policy",
    cause: "policy-record",
    message: `${message}: the public suffix list and the tree walk lead to different records`,
    fix: multiple ? `keep exactly one DMARC record at ${dmarcName(from)}` : `publish a DMARC record at ${dmarcName(from)} itself: both kinds of receivers then apply it (RFC 9989 App. C.3)`,
  };
}

function disagreements(facts: AlignmentFacts, j7489: Judged, j9989: Judged): Disagreement[] {
  const found: Disagreement[] = [];
  const from = normalizeName(facts.from);
  // Where one kind of receiver applies no DMARC, its alignment is moot: the policy's disagreement says it.
  const bothApply = j7489.verdict.policy.status !== "none" && j9989.verdict.policy.status !== "none";
  for (const about of bothApply ? (["dkim", "spf"] as const) : []) {
    const [a, b] = [j7489.verdict[about].outcome, j9989.verdict[about].outcome];
    const check = j9989.checks[about];
    if (a === b || a === "unknown" || b === "unknown" || !check) continue;
    const domain = about === "dkim" ? facts.identity : facts.mailFrom!.domain;
    found.push(explainAlignment(about, normalizeName(domain), from, a === "pass" ? DmarcStandard.RFC7489 : DmarcStandard.RFC9989, check));
  }
  const policy = explainPolicy(from, j7489.verdict.policy, j9989.verdict.policy);
  if (policy) found.push(policy);
  return found;
}

// ---- the verdict ----------------------------------------------------------------------------

function namesOf(standards: DmarcStandard[]): string {
  return standards.map((s) => STANDARD_NAMES[s]).join(" and ");
}

function combinePath(results: Record<DmarcStandard, PathResult>, required: DmarcStandard[]): CombinedPath {
  const outcome = all(required.map((s) => results[s].outcome));
  const reasons = [...new Set(required.filter((s) => results[s].outcome === outcome || outcome === "unknown").map((s) => results[s].reason))];
  const passesUnder = (Object.keys(results) as DmarcStandard[]).filter((s) => results[s].outcome === "pass");
  return { outcome, reason: reasons.join("; "), passesUnder };
}

function policySummary(verdicts: StandardVerdict[]): string {
  const texts = verdicts.map((v) => (v.policy.status === "applied" ? `${v.policy.policy.effect} from ${v.policy.policy.name}` : ""));
  if (new Set(texts).size === 1) return texts[0];
  return verdicts.map((v, i) => `${STANDARD_NAMES[v.standard]}: ${texts[i] || policyWords(v.policy)}`).join("; ");
}

function failureReasons(v: StandardVerdict, required: RequiredPaths): string {
  if (v.policy.status === "none") return v.policy.why;
  const need = required === RequiredPaths.BOTH ? "both paths must pass" : "neither path passes";
  return `${need}: ${[v.dkim, v.spf].filter((p) => p.outcome !== "pass").map((p) => p.reason).join("; ")}`;
}

/**
 * Judgements already made over one DNS view, by everything but the region: the regions of a
 * domain whose paths are alike (the usual case) share them instead of walking again.
 */
const judged = new WeakMap<DmarcDns, Map<string, [Judged, Judged]>>();

function judgeBoth(facts: AlignmentFacts): [Judged, Judged] {
  const { dkim, mailFrom } = facts;
  const key = `${facts.identity} ${facts.from} ${facts.requiredPaths} ${dkim.state} ${mailFrom?.domain} ${mailFrom?.state}\n${dkim.detail}\n${mailFrom?.detail}`;
  let byKey = judged.get(facts.dns);
  if (!byKey) judged.set(facts.dns, (byKey = new Map()));
  let both = byKey.get(key);
  if (!both) byKey.set(key, (both = [judgeRfc7489(facts), judgeRfc9989(facts)]));
  return both;
}

/**
 * Only what RFC 9989 receivers conclude, without the combined verdict: what a caller that asks
 * DNS as it goes runs to learn which names the walks ask (RFC 7489 asks no more than policy
 * discovery does).
 */
export function rfc9989Verdict(facts: AlignmentFacts): StandardVerdict {
  return judgeRfc9989(facts).verdict;
}

/** Judge one (identity, region, From domain) under both standards; the required ones decide. */
export function judgeAlignment(facts: AlignmentFacts): Verdict {
  const { identity, region } = facts;
  const from = normalizeName(facts.from);
  const standards = facts.standards ?? Standards.BOTH;
  const required = standardsOf(standards);
  const [j7489, j9989] = judgeBoth(facts);
  const byStandard = { [DmarcStandard.RFC7489]: j7489.verdict, [DmarcStandard.RFC9989]: j9989.verdict };
  const requiredVerdicts = required.map((s) => byStandard[s]);
  const dmarc = all(requiredVerdicts.map((v) => v.dmarc));
  const dkim = combinePath({ [DmarcStandard.RFC7489]: j7489.verdict.dkim, [DmarcStandard.RFC9989]: j9989.verdict.dkim }, required);
  const spf = combinePath({ [DmarcStandard.RFC7489]: j7489.verdict.spf, [DmarcStandard.RFC9989]: j9989.verdict.spf }, required);
  const found = disagreements(facts, j7489, j9989);
  const where = `${from} (identity ${identity}, ${region})`;
  const assumed = [...new Set(requiredVerdicts.flatMap((v) => v.assumes))];
  // The causes are in the path reasons (and in `disagreements`); the summary adds what to change.
  const fixFor = (about: Disagreement["about"][]) => [...new Set(found.filter((d) => about.includes(d.about)).map((d) => d.fix))];
  const withFixes = (text: string, fixes: string[]) => `${text}${fixes.length ? `; to pass under both: ${fixes.join("; ")}` : ""}${assumed.length ? `; ${assumed.join("; ")}` : ""}`;
  const others = (Object.values(DmarcStandard) as DmarcStandard[]).filter((s) => !required.includes(s));
  let summary: string;
  if (dmarc === "pass") {
    const via = [dkim.outcome === "pass" ? "DKIM" : "", spf.outcome === "pass" ? "SPF" : ""].filter(Boolean).join(" and ");
    const unrequired = others.filter((s) => byStandard[s].dmarc !== "pass").map((s) => `; ${STANDARD_NAMES[s]} receivers, not required here, ${byStandard[s].dmarc === "fail" ? "fail it" : "cannot be judged"}`);
    summary = withFixes(`${where}: DMARC passes via ${via}, ${policySummary(requiredVerdicts)} (${namesOf(required)})${unrequired.join("")}`, unrequired.length ? fixFor(["dkim", "spf", "policy"]) : []);
  } else if (dmarc === "unknown") {
    // An unknown record leaves alignment modes unknown too: say the cause, not each consequence.
    const pending = requiredVerdicts
      .filter((v) => v.dmarc === "unknown")
      .flatMap((v) => (v.policy.status === "unknown" ? [v.policy.why] : [v.dkim, v.spf].filter((p) => p.outcome === "unknown").map((p) => p.reason)));
    const setups = [facts.dkim, facts.mailFrom].filter((s) => s?.state === "unknown").map((s) => s!.detail ?? "a path's records are known only after apply");
    summary = `${where}: cannot be decided yet (${[...new Set([...pending, ...setups])].join("; ")})`;
  } else {
    const failing = requiredVerdicts.filter((v) => v.dmarc === "fail");
    const passing = (Object.values(byStandard) as StandardVerdict[]).filter((v) => v.dmarc === "pass").map((v) => v.standard);
    const reasons = [...new Set(failing.map((v) => failureReasons(v, facts.requiredPaths)))];
    const under = failing.length === 2 && reasons.length === 1 ? "" : ` under ${namesOf(failing.map((v) => v.standard))}${passing.length ? ` (${namesOf(passing)} receivers pass it)` : ""}`;
    const fixes = fixFor(["dkim", "spf", "policy"]);
    // "DMARC fails, no DMARC record at …" reads better as "…: no DMARC record at …".
    summary = withFixes(!under && failing[0].policy.status === "none" ? `${where}: ${reasons[0]}` : `${where}: DMARC fails${under}, ${reasons.join("; ")}`, fixes);
  }
  const unknown = [...new Map([...j7489.verdict.unknown, ...j9989.verdict.unknown].map((u) => [u.name, u])).values()];
  return { identity, region, from, standards, dmarc, dkim, spf, byStandard, unknown, disagreements: found, summary };
}
