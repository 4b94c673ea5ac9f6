import { StackValidationPolicy } from "@pulumi/policy";
import { DMARC_POLICIES, DmarcPolicy, DmarcStandard, oneLevelBelow } from "../../lib/dmarc";
import { stackCheck } from "../check";
import { DomainsConfig, domainsConfigSchema, fromDomainsDmarc, whose } from "../domains";

export interface MinimumPolicyConfig extends DomainsConfig {
  minimumPolicy: DmarcPolicy;
  minimumPercent: number;
}

const rank = (p: DmarcPolicy) => DMARC_POLICIES.indexOf(p);

export const dmarcMinimumPolicy: StackValidationPolicy = {
  name: "dmarc-minimum-policy",
  description:
    "The DMARC policy every From domain gets from each required kind of receiver (p=, or sp=/np= from its organizational domain's record; t=y counts as one level lower) is at least minimumPolicy, and RFC 7489 receivers apply it to at least minimumPercent of failing mail.",
  enforcementLevel: "advisory",
  configSchema: {
    properties: {
      ...domainsConfigSchema,
      minimumPolicy: { type: "string", enum: [...DMARC_POLICIES], default: DmarcPolicy.NONE, description: "The weakest DMARC policy accepted: none, quarantine or reject." },
      minimumPercent: { type: "integer", minimum: 0, maximum: 100, default: 100, description: "The lowest pct= accepted when minimumPolicy is quarantine or reject (RFC 7489 receivers sample it; RFC 9989 ones ignore it)." },
    },
  },
  validateStack: stackCheck<MinimumPolicyConfig>({ perIdentity: true }, (facts, findings, config) => {
    if (config.minimumPolicy === DmarcPolicy.NONE) return;
    for (const { from, policies, dns, id } of fromDomainsDmarc(facts, config)) {
      const who = `${from} (identity ${id.domain})`;
      const messages = new Map<string, DmarcStandard[]>();
      const add = (message: string, standard: DmarcStandard) => messages.set(message, [...(messages.get(message) ?? []), standard]);
      for (const { standard, outcome, unknown } of policies) {
        const cause = outcome.status === "unknown" ? dns.causeOf(unknown.map((u) => u.name)) : undefined;
        if (cause) findings.undecide(`${from}: its DMARC policy is ${cause.why} (${(outcome as { why: string }).why})`, cause);
        if (outcome.status !== "applied") continue; // no record, or one outside the stack: ses-dmarc-record's finding
        const p = outcome.policy;
        // The weakest tag that may apply (sp or np while the From domain's existence is unknown).
        const stated = p.tags.map((t) => t.policy).sort((a, b) => rank(a) - rank(b))[0];
        const tag = p.tags.map((t) => t.tag).join("/");
        // t=y is one level lower (RFC 9989 receivers apply it so); pct is minimumPercent's to judge.
        const testing = standard === DmarcStandard.RFC9989 && p.record.testing && stated !== DmarcPolicy.NONE;
        const effective = testing ? oneLevelBelow(stated) : stated;
        if (rank(effective) < rank(config.minimumPolicy)) {
          const fix = rank(stated) < rank(config.minimumPolicy) ? `set ${tag}=${config.minimumPolicy} there` : `drop t=y there: in test mode RFC 9989 receivers apply ${effective}, one level below ${stated}`;
          add(`gets DMARC ${testing ? p.effect : `${tag}=${stated}`} from ${p.name}; this stack needs at least ${config.minimumPolicy}: ${fix}`, standard);
        } else if (standard === DmarcStandard.RFC7489 && p.record.percent < config.minimumPercent) {
          add(`gets ${tag}=${stated} at pct=${p.record.percent} from ${p.name}, which RFC 7489 receivers apply to ${p.record.percent}% of failing mail; this stack needs pct=${config.minimumPercent} or more`, standard);
        }
      }
      for (const [message, standards] of messages) findings.fail(`${who} ${standards.length === policies.length ? "" : `(${whose(standards)}) `}${message}`, id.resource.urn);
    }
  }),
};
