/**
 * Rollout advice: which stage a domain's published policy is at, whether the reports support the
 * next one, and what the next stage would do to the mail that fails DMARC today.
 *
 * The stages (docs/production.md, "DMARC rollout, in stages"; RFC 9989 and RFC 7489 receivers
 * both read them):
 *   1 monitor     p=none
 *   2 test        p=quarantine; pct=0; t=y   RFC 9989 receivers apply one level lower (t=y), RFC 7489
 *                                            receivers do the same for the 0 % that pct selects
 *   3 quarantine  p=quarantine
 *   4 reject      p=reject
 * `pct` between 1 and 99 has no RFC 9989 meaning (such receivers enforce all of it); the advice says so.
 */
import { PublishedPolicy } from "./report";

export interface Stage {
  number: 1 | 2 | 3 | 4;
  name: string;
  /** The policy tags of the stage's DMARC record. */
  record: string;
}

export const STAGES: readonly Stage[] = [
  { number: 1, name: "monitor", record: "p=none" },
  { number: 2, name: "test", record: "p=quarantine; pct=0; t=y" },
  { number: 3, name: "quarantine", record: "p=quarantine" },
  { number: 4, name: "reject", record: "p=reject" },
];

/** What the data must show before the next stage; each is a flag of `npm run reports`. */
export interface Thresholds {
  /** Percent of all messages that pass DMARC (`--min-pass`). @default 98 */
  minPassPercent: number;
  /** Days with reports while the policy was at the current stage (`--min-days`). @default 14 */
  minDays: number;
  /** Distinct reporters (`--min-reporters`). @default 2 */
  minReporters: number;
  /** Messages reported in the period (`--min-messages`). @default 100 */
  minMessages: number;
  /** No single source may fail DMARC with more than this percent of all messages (`--max-source-fail`). @default 1 */
  maxSourceFailPercent: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { minPassPercent: 98, minDays: 14, minReporters: 2, minMessages: 100, maxSourceFailPercent: 1 };

export interface Check {
  check: "messages" | "pass" | "days" | "reporters" | "sources";
  met: boolean;
  value: number;
  threshold: number;
  message: string;
}

/** What the next enforcing stage would do to one source's failing mail. */
export interface Loss {
  ip: string;
  ses: boolean;
  /** Messages of this source that fail DMARC. */
  failing: number;
  /** `failing` as a percent of all the domain's messages. */
  percent: number;
  effect: string;
  hint: string;
}

export interface Advice {
  stage: Stage;
  next: Stage | null;
  ready: boolean;
  reasons: Check[];
  losses: Loss[];
  /** About the published policy itself (a pct that RFC 9989 ignores, a policy that changed). */
  notes: string[];
}

/** What the advice reads of one domain's summary. */
export interface DomainFacts {
  /** The latest report's `policy_published`. */
  policy: PublishedPolicy;
  /** Distinct published policies seen in the period, as `policyText` writes them. */
  policies: string[];
  messages: number;
  dmarcPass: number;
  reporters: number;
  daysAtStage: number;
  sources: readonly { ip: string; ses: boolean; messages: number; dmarcPass: number }[];
}

/** Sources listed in `losses`; the rest are summed in one line. */
const LOSSES_LISTED = 25;

export function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((10000 * part) / whole) / 100;
}

/** The policy tags a report says were published, as a record would write them. */
export function policyText(p: PublishedPolicy): string {
  const tags = [`p=${p.p}`];
  if (p.sp !== null) tags.push(`sp=${p.sp}`);
  if (p.np !== null) tags.push(`np=${p.np}`);
  if (p.pct !== null) tags.push(`pct=${p.pct}`);
  if (p.testing !== null) tags.push(`t=${p.testing}`);
  return tags.join("; ");
}

/** The stage a published policy is at, and what is odd about it. */
export function stageOf(policy: PublishedPolicy): { stage: Stage; notes: string[] } {
  const notes: string[] = [];
  const testing = policy.testing === "y";
  const pct = policy.pct ?? 100;
  const stage = (n: 1 | 2 | 3 | 4) => ({ stage: STAGES[n - 1], notes });
  if (policy.p === "none") return stage(1);
  if (policy.p === "quarantine") {
    // pct null: no RFC 7489 report says it (RFC 9990 reports have no pct); testing null: no RFC 9990 report says t.
    if (testing && policy.pct !== null && pct !== 0) notes.push(`t=y without pct=0: RFC 7489 receivers${pct === 100 ? "" : ` (${pct}% of failing mail)`} quarantine while RFC 9989 receivers only test; add pct=0`);
    if (pct === 0 && policy.testing === "n") notes.push("pct=0 without t=y: RFC 9989 receivers ignore pct and quarantine all failing mail; add t=y");
    if (pct === 0 && policy.testing === null) notes.push("pct=0: RFC 9989 receivers ignore pct; publish t=y with it (no RFC 9990 report here shows whether it is)");
    if (testing || pct === 0) return stage(2);
    if (pct < 100) notes.push(`pct=${pct}: RFC 7489 receivers quarantine ${pct}% of failing mail, RFC 9989 receivers all of it (pct has no meaning there)`);
    return stage(3);
  }
  if (testing || pct === 0) {
    notes.push(`p=reject with ${testing ? "t=y" : "pct=0"} is applied as quarantine; drop it to reject`);
    return stage(3);
  }
  if (pct < 100) notes.push(`pct=${pct}: RFC 7489 receivers reject ${pct}% of failing mail (the rest is quarantined), RFC 9989 receivers all of it`);
  return stage(4);
}

function effectAt(next: Stage): string {
  if (next.number === 2) return "still delivered (test mode); quarantined from stage 3";
  return next.number === 3 ? "quarantined (spam folder)" : "rejected";
}

export function advise(facts: DomainFacts, thresholds: Thresholds = DEFAULT_THRESHOLDS): Advice {
  const { stage, notes } = stageOf(facts.policy);
  if (facts.policies.length > 1) notes.push(`the published policy changed in the period (${facts.policies.join(" | ")}); the advice reads the latest`);
  const next = stage.number < 4 ? STAGES[stage.number] : null;
  if (!next) notes.push("reject is the last stage: keep rua, and watch the reports for new failing sources");
  const t = thresholds;
  const passPercent = percent(facts.dmarcPass, facts.messages);
  const failing = facts.sources
    .filter((s) => s.messages > s.dmarcPass)
    .map((s) => ({ ip: s.ip, ses: s.ses, failing: s.messages - s.dmarcPass, percent: percent(s.messages - s.dmarcPass, facts.messages) }))
    .sort((a, b) => b.failing - a.failing || a.ip.localeCompare(b.ip));
  const over = failing.filter((s) => s.percent > t.maxSourceFailPercent);
  const reasons: Check[] = [
    { check: "messages", met: facts.messages >= t.minMessages, value: facts.messages, threshold: t.minMessages, message: `${facts.messages} messages reported (at least ${t.minMessages})` },
    { check: "pass", met: facts.messages > 0 && passPercent >= t.minPassPercent, value: passPercent, threshold: t.minPassPercent, message: `${passPercent}% of messages pass DMARC (at least ${t.minPassPercent}%)` },
    { check: "days", met: facts.daysAtStage >= t.minDays, value: facts.daysAtStage, threshold: t.minDays, message: `${facts.daysAtStage} days of reports at stage ${stage.number} (at least ${t.minDays})` },
    { check: "reporters", met: facts.reporters >= t.minReporters, value: facts.reporters, threshold: t.minReporters, message: `${facts.reporters} reporters (at least ${t.minReporters})` },
    {
      check: "sources",
      met: over.length === 0,
      value: failing[0]?.percent ?? 0,
      threshold: t.maxSourceFailPercent,
      message: over.length
        ? `${over.length} source${over.length > 1 ? "s fail" : " fails"} DMARC with more than ${t.maxSourceFailPercent}% of messages: ${over
            .slice(0, 3)
            .map((s) => `${s.ip} (${s.percent}%)`)
            .join(", ")}${over.length > 3 ? ", …" : ""}`
        : `no source fails DMARC with more than ${t.maxSourceFailPercent}% of messages`,
    },
  ];
  const losses: Loss[] = [];
  if (next) {
    const effect = effectAt(next);
    for (const s of failing.slice(0, LOSSES_LISTED)) {
      const hint = s.ses ? "an SES address: check the sending identity's DKIM and MAIL FROM in its region (npm run verify)" : "not SES: a service sending as this domain (authorize it with DKIM or SPF) or someone spoofing it";
      losses.push({ ...s, effect, hint });
    }
    const rest = failing.slice(LOSSES_LISTED);
    if (rest.length) {
      const sum = rest.reduce((n, s) => n + s.failing, 0);
      losses.push({ ip: `${rest.length} other sources`, ses: false, failing: sum, percent: percent(sum, facts.messages), effect, hint: "see the sources list" });
    }
  }
  return { stage, next, ready: next !== null && reasons.every((r) => r.met), reasons, losses, notes };
}
