import { StackValidationPolicy } from "@pulumi/policy";
import { judgeAlignment, REQUIRED_PATHS, RequiredPaths } from "../../lib/alignment";
import { stackCheck } from "../check";
import { DomainsConfig, domainsConfigSchema, externalDmarcRecords, fromDomainsOf, undecided } from "../domains";

export interface AlignmentConfig extends DomainsConfig {
  requiredPaths: RequiredPaths;
}

export const sesDmarcAlignment: StackValidationPolicy = {
  name: "ses-dmarc-alignment",
  description:
    "Mail from every SES identity, in every region, as every From domain, passes DMARC at the required receivers (default both RFC 7489 and RFC 9989 ones): DKIM or SPF (MAIL FROM) passes and aligns with the From domain.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      ...domainsConfigSchema,
      requiredPaths: {
        type: "string",
        enum: [...REQUIRED_PATHS],
        default: RequiredPaths.ANY,
        description: "any: DKIM or SPF must pass aligned (DMARC's rule); both: both must, so mail survives forwarding and a DKIM key problem.",
      },
    },
  },
  validateStack: stackCheck<AlignmentConfig>({ perIdentity: true }, (facts, findings, config) => {
    const external = externalDmarcRecords(config);
    for (const id of facts.identities) {
      const dkim = facts.dkimSetup(id);
      const mailFrom = facts.mailFromSetup(id);
      for (const from of fromDomainsOf(id, config)) {
        const dns = facts.dmarc(external);
        const verdict = judgeAlignment({
          identity: id.domain,
          region: id.region ?? "provider's default region",
          from,
          dns,
          dkim,
          mailFrom,
          requiredPaths: config.requiredPaths,
          standards: config.standards,
        });
        if (verdict.dmarc === "fail") findings.fail(verdict.summary, id.resource.urn);
        else if (verdict.dmarc !== "unknown") continue;
        else if (dkim.cause ?? mailFrom?.cause) findings.undecide(verdict.summary, (dkim.cause ?? mailFrom?.cause)!);
        else undecided(findings, dns, verdict.unknown, verdict.summary, id.resource.urn);
      }
    }
  }),
};
