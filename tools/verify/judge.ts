/**
 * The pure half of `verify`: which names to ask about (plan), and what the answers mean (judge).
 * Record names come from lib/records.ts, the verdict from lib/alignment.ts; this file only turns
 * DNS answers into the facts those expect, and into one finding per check.
 */
import { judgeAlignment, Outcome, PathSetup, Verdict } from "../../lib/alignment";
import { Alignment, DmarcDiscovery, discoverDmarc, DmarcPolicy, effectivePolicy, TxtAnswer } from "../../lib/dmarc";
import { normalizeName, organizationalDomain } from "../../lib/names";
import { dkimPublicKey, dkimSelectorName, byodkimValue, easyDkimName, easyDkimTarget, EASY_DKIM_TOKENS, isDkimTokenPlaceholder, mailFromDomain, parseMx } from "../../lib/records";
import { dkimHost, feedbackHost, isSesDkimHost, regionOfFeedbackHost } from "../../lib/regions";
import { checkSesSpf } from "../../lib/spf";
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

export interface RegionResult {
  region: string;
  dkim: Outcome;
  spf: Outcome;
  dmarc: Outcome;
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

function dmarcNames(from: string): string[] {
  const org = organizationalDomain(from);
  return [...new Set([`_dmarc.${normalizeName(from)}`, `_dmarc.${org}`])];
}

/** The Easy DKIM tokens of a region, when known. */
function dkimTokens(target: Target, region: string): string[] | undefined {
  return target.tokens.get(region)?.slice(0, EASY_DKIM_TOKENS);
}

function mailFromDomains(target: Target): string[] {
  return [...new Set(target.spec.regions.map((r) => mailFromDomain(target.spec, r)).filter((d): d is string => d !== undefined))];
}

export function plan(target: Target): Plan {
  const { spec } = target;
  const lookups: Plan["lookups"] = spec.fromDomains.flatMap(dmarcNames).map((name) => ({ type: "TXT" as const, name }));
  // A replica's names are its parent's: ask each name once.
  const dkimNames = spec.dkim.kind === "easy" ? [...new Set(spec.regions.flatMap((r) => dkimTokens(target, r) ?? []).map((token) => easyDkimName(spec.name, token)))] : [];
  if (spec.dkim.kind === "byodkim") lookups.push({ type: "TXT", name: dkimSelectorName(spec.dkim.selector, spec.name) });
  const spfDomains = mailFromDomains(target);
  for (const name of spfDomains) lookups.push({ type: "MX", name }, { type: "TXT", name });
  for (const record of target.declared) lookups.push({ type: record.type, name: record.name });
  return { lookups, dkimNames, spfDomains };
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

function dmarcFinding(from: string, identity: string, discovery: DmarcDiscovery, facts: Facts): Finding {
  const check = `dmarc ${from}`;
  switch (discovery.status) {
    case "missing":
      return { check, status: "fail", message: `no DMARC record at ${discovery.names.join(" or ")}` };
    case "multiple":
      return { check, status: "fail", message: `${discovery.texts.length} DMARC records at ${discovery.name}; receivers ignore them all, publish exactly one` };
    case "invalid":
      return { check, status: "fail", message: `invalid DMARC record at ${discovery.name}: ${discovery.error} ("${discovery.text}")` };
    case "unknown": {
      const answer = get(facts, "TXT", discovery.name);
      return { check, status: "fail", message: `cannot read ${discovery.name}: ${answer.status === "ok" ? "?" : describeFailure(answer)}` };
    }
    case "found": {
      const r = discovery.record;
      const policy = effectivePolicy(discovery);
      const where = discovery.source === "organizational" ? `${discovery.name} (the organizational domain's record; sp= applies to ${from})` : discovery.name;
      const warnings: string[] = [];
      if (policy === DmarcPolicy.NONE) warnings.push("p=none: receivers only report, failing mail is delivered as usual");
      if (r.percent < 100) warnings.push(`pct=${r.percent}: the policy applies to ${r.percent}% of failing mail`);
      if (r.aspf === Alignment.STRICT) warnings.push("aspf=s: SPF never aligns for SES, whose MAIL FROM is always a subdomain; only DKIM can pass");
      if (r.adkim === Alignment.STRICT && normalizeName(from) !== identity) warnings.push(`adkim=s: SES signs as d=${identity}, which strict alignment rejects for ${from}`);
      const meaning = `p=${policy}, pct=${r.percent}, adkim=${r.adkim}, aspf=${r.aspf}`;
      return { check, status: warnings.length ? "warn" : "pass", message: `${where}: ${meaning}${warnings.length ? `; ${warnings.join("; ")}` : ""}` };
    }
  }
}

function discover(from: string, facts: Facts): DmarcDiscovery {
  return discoverDmarc(from, (name): TxtAnswer => {
    const answer = get(facts, "TXT", name);
    if (answer.status === "ok") return answer.values;
    return absent(answer) ? [] : "unknown";
  });
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
    const missing = record.values.filter((v) => !published.includes(normalize(record.type, v)));
    if (missing.length === 0) return { check, region, status: "pass" as const, message: `published as declared` };
    const seen = answer.status === "ok" ? `published: ${published.map((v) => JSON.stringify(v)).join(", ")}` : describeFailure(answer);
    return { check, region, status: "fail" as const, message: `declared ${missing.map((v) => JSON.stringify(v)).join(", ")}; ${seen}` };
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

/** Every check and verdict for one target, one report per From domain. */
export function judge(target: Target, facts: Facts): DomainReport[] {
  const { spec } = target;
  const regionFindings: Finding[] = [];
  const dkimSetup = new Map<string, PathSetup>();
  const dkim = spec.dkim;
  if (dkim.kind === "byodkim") {
    // One key record serves every region.
    const { setup, finding } = byodkim(target, dkim.selector, dkim.publicKey, facts);
    regionFindings.push(finding);
    for (const region of spec.regions) dkimSetup.set(region, setup);
  } else {
    for (const region of spec.regions) {
      const { setup, finding } = easyDkim(target, region, facts);
      regionFindings.push(finding);
      dkimSetup.set(region, setup);
    }
  }
  // A shared MAIL FROM domain is checked once, against the region its single MX names.
  const mailFromSetup = new Map<string, PathSetup & { domain: string }>();
  const checked = new Map<string, PathSetup>();
  for (const region of spec.regions) {
    const domain = mailFromDomain(spec, region);
    if (!domain) continue;
    if (!checked.has(domain)) {
      const perRegion = spec.mailFrom!.perRegion;
      const mx = mailFromMx(domain, perRegion ? region : spec.regions[0], perRegion ? region : undefined, facts);
      const spf = mailFromSpf(domain, perRegion ? region : undefined, facts);
      regionFindings.push(mx.finding, spf.finding);
      checked.set(domain, mergeSetups([mx.setup, spf.setup]));
    }
    mailFromSetup.set(region, { ...checked.get(domain)!, domain });
  }
  if (!spec.mailFrom) regionFindings.push({ check: "mail-from", status: "warn", message: "no custom MAIL FROM: SES sends as amazonses.com, so SPF cannot align and DKIM is the only path" });
  const shared = [...regionFindings, ...declaredFindings(target, facts)];

  return spec.fromDomains.map((from) => {
    const discovery = discover(from, facts);
    const verdicts: Verdict[] = spec.regions.map((region) =>
      judgeAlignment({ identity: spec.name, region, from, dmarc: discovery, dkim: dkimSetup.get(region)!, mailFrom: mailFromSetup.get(region), requiredPaths: target.requiredPaths }),
    );
    const findings = [dmarcFinding(from, spec.name, discovery, facts), ...shared];
    const regions = verdicts.map((v) => ({ region: v.region, dkim: v.dkim.outcome, spf: v.spf.outcome, dmarc: v.dmarc, summary: v.summary }));
    const ok = regions.every((r) => r.dmarc === "pass") && worst(findings.map((f) => f.status)) !== "fail";
    return { domain: spec.name, from, ok, regions, findings };
  });
}
