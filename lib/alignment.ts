/**
 * DMARC alignment (RFC 7489 §3.1, §4.2) applied to SES: given what is known about one identity in
 * one region and one From domain, would a receiver's DMARC check pass, through which path, and why
 * not. The policy pack and `verify` gather the facts their own way and ask this one judge.
 */
import { Alignment, DmarcDiscovery, effectivePolicy } from "./dmarc";
import { normalizeName, organizationalDomain } from "./names";

export enum RequiredPaths {
  /** DMARC passes when either DKIM or SPF passes aligned (RFC 7489). Default. */
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
  dmarc: DmarcDiscovery;
  /** Easy DKIM or BYODKIM records of this region; SES signs as d=<identity>. */
  dkim: PathSetup;
  /** The custom MAIL FROM domain and its MX + SPF; undefined when none is configured. */
  mailFrom?: PathSetup & { domain: string };
  requiredPaths: RequiredPaths;
}

export interface PathResult {
  outcome: Outcome;
  reason: string;
}

export interface Verdict {
  identity: string;
  region: string;
  from: string;
  dmarc: Outcome;
  dkim: PathResult;
  spf: PathResult;
  /** One sentence a person can act on. */
  summary: string;
}

/** RFC 7489 §3.1: strict means the same name; relaxed, the same organizational domain. */
export function aligns(authenticated: string, from: string, mode: Alignment): boolean {
  const a = normalizeName(authenticated);
  const f = normalizeName(from);
  return mode === Alignment.STRICT ? a === f : organizationalDomain(a) === organizationalDomain(f);
}

function pathResult(setup: PathSetup, domain: string, from: string, mode: Alignment | undefined, label: string): PathResult {
  if (setup.state === "incomplete") return { outcome: "fail", reason: setup.detail ?? `${label} records are incomplete` };
  const alignment = mode === undefined ? "" : aligns(domain, from, mode) ? "aligned" : "unaligned";
  if (alignment === "unaligned") {
    const why = mode === Alignment.STRICT ? `strict alignment needs ${from} exactly` : `${domain} is not in ${from}'s organizational domain`;
    return { outcome: "fail", reason: `${label} domain ${domain} does not align with ${from} (${why})` };
  }
  if (setup.state === "unknown") return { outcome: "unknown", reason: setup.detail ?? `${label} records are known only after apply` };
  if (mode === undefined) return { outcome: "unknown", reason: `${label} is complete; alignment depends on the DMARC record, which is not known` };
  return { outcome: "pass", reason: `${label} passes as ${domain}, ${alignment} with ${from} (${mode})` };
}

function combine(outcomes: Outcome[], required: RequiredPaths): Outcome {
  if (required === RequiredPaths.BOTH) {
    if (outcomes.includes("fail")) return "fail";
    return outcomes.every((o) => o === "pass") ? "pass" : "unknown";
  }
  if (outcomes.includes("pass")) return "pass";
  return outcomes.includes("unknown") ? "unknown" : "fail";
}

function dmarcProblem(d: DmarcDiscovery): string | undefined {
  switch (d.status) {
    case "missing":
      return `no DMARC record at ${d.names.join(" or ")}`;
    case "multiple":
      return `${d.texts.length} DMARC records at ${d.name}; receivers ignore them all, publish exactly one`;
    case "invalid":
      return `invalid DMARC record at ${d.name}: ${d.error}`;
    default:
      return undefined;
  }
}

/** Judge one (identity, region, From domain). */
export function judgeAlignment(facts: AlignmentFacts): Verdict {
  const { identity, region, from, dmarc } = facts;
  const record = dmarc.status === "found" ? dmarc.record : undefined;
  const dkim = pathResult(facts.dkim, identity, from, record?.adkim, "DKIM");
  const spf = facts.mailFrom
    ? pathResult(facts.mailFrom, facts.mailFrom.domain, from, record?.aspf, "SPF (MAIL FROM)")
    : { outcome: "fail" as const, reason: "no custom MAIL FROM: SES uses amazonses.com, which never aligns" };
  const paths = combine([dkim.outcome, spf.outcome], facts.requiredPaths);
  const problem = dmarcProblem(dmarc);
  const outcome: Outcome = problem ? "fail" : dmarc.status === "unknown" ? (paths === "fail" ? "fail" : "unknown") : paths;
  const where = `${from} (identity ${identity}, ${region})`;
  let summary: string;
  if (problem) summary = `${where}: ${problem}`;
  else if (outcome === "pass") {
    const via = [dkim.outcome === "pass" ? "DKIM" : "", spf.outcome === "pass" ? "SPF" : ""].filter(Boolean).join(" and ");
    const policy = dmarc.status === "found" ? `, p=${effectivePolicy(dmarc)} from ${dmarc.name}` : "";
    summary = `${where}: DMARC passes via ${via}${policy}`;
  } else if (outcome === "unknown") summary = `${where}: cannot be decided yet (${[dkim, spf].filter((p) => p.outcome === "unknown").map((p) => p.reason).join("; ") || `DMARC record at ${dmarc.status === "unknown" ? dmarc.name : "?"} is not known yet`})`;
  else {
    const need = facts.requiredPaths === RequiredPaths.BOTH ? "both paths must pass" : "neither path passes";
    summary = `${where}: DMARC fails, ${need}: ${[dkim, spf].filter((p) => p.outcome !== "pass").map((p) => p.reason).join("; ")}`;
  }
  return { identity, region, from, dmarc: outcome, dkim, spf, summary };
}
