import { StackValidationPolicy } from "@pulumi/policy";
import { DMARC_POLICIES, DmarcPolicy, effectivePolicy } from "../../lib/dmarc";
import { stackCheck } from "../check";
import { DomainsConfig, domainsConfigSchema, fromDomainsDmarc } from "../domains";

export interface MinimumPolicyConfig extends DomainsConfig {
  minimumPolicy: DmarcPolicy;
  minimumPercent: number;
}

export const dmarcMinimumPolicy: StackValidationPolicy = {
  name: "dmarc-minimum-policy",
  description: "The DMARC policy every From domain gets (p=, or sp= from its organizational domain's record) is at least minimumPolicy, applied to at least minimumPercent of failing mail.",
  enforcementLevel: "advisory",
  configSchema: {
    properties: {
      ...domainsConfigSchema,
      minimumPolicy: { type: "string", enum: [...DMARC_POLICIES], default: DmarcPolicy.NONE, description: "The weakest DMARC policy accepted: none, quarantine or reject." },
      minimumPercent: { type: "integer", minimum: 0, maximum: 100, default: 100, description: "The lowest pct= accepted when minimumPolicy is quarantine or reject." },
    },
  },
  validateStack: stackCheck<MinimumPolicyConfig>({ perIdentity: true }, (facts, findings, config) => {
    const rank = (p: DmarcPolicy) => DMARC_POLICIES.indexOf(p);
    if (config.minimumPolicy === DmarcPolicy.NONE) return;
    for (const { from, discovery: d, cause, id } of fromDomainsDmarc(facts, config)) {
      if (d.status === "unknown") findings.undecide(`${from}: the TXT records at ${d.name} are ${cause!.why}`, cause!);
      if (d.status !== "found") continue; // no valid record at all is ses-dmarc-record's finding
      const policy = effectivePolicy(d);
      const tag = d.source === "organizational" ? "sp" : "p";
      if (rank(policy) < rank(config.minimumPolicy)) {
        findings.fail(`${from} (identity ${id.domain}) gets DMARC ${tag}=${policy} from ${d.name}; this stack needs at least ${config.minimumPolicy}: set ${tag}=${config.minimumPolicy} there`, id.resource.urn);
      } else if (d.record.percent < config.minimumPercent) {
        findings.fail(`${from} (identity ${id.domain}) gets ${tag}=${policy} at pct=${d.record.percent} from ${d.name}; this stack needs pct=${config.minimumPercent} or more`, id.resource.urn);
      }
    }
  }),
};
