import { StackValidationPolicy } from "@pulumi/policy";
import { looksLikeDmarc, reportUriDomain } from "../../lib/dmarc";
import { normalizeName, organizationalDomain, reportAuthorizationName } from "../../lib/names";
import { stackCheck } from "../check";
import { DomainsConfig, domainsConfigSchema, fromDomainsDmarc } from "../domains";
import { isUnknown } from "../preview";

export interface ReportAuthorizationConfig extends DomainsConfig {
  authorizedReportDomains: string[];
}

/**
 * RFC 7489 §7.1 (RFC 9990 §4 alike): a receiver sends reports to a domain outside the policy domain's organization
 * only if that domain publishes `<policy domain>._report._dmarc.<destination>` (often as a
 * wildcard). That record usually lives in someone else's DNS, hence advisory.
 */
export const dmarcReportAuthorization: StackValidationPolicy = {
  name: "dmarc-report-authorization",
  description: "DMARC report addresses (rua, ruf) in another organizational domain are authorised by a TXT record at <policy domain>._report._dmarc.<destination>.",
  enforcementLevel: "advisory",
  configSchema: {
    properties: {
      ...domainsConfigSchema,
      authorizedReportDomains: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: "Report destinations known to publish the authorisation outside this stack (e.g. a DMARC vendor's wildcard record).",
      },
    },
  },
  validateStack: stackCheck<ReportAuthorizationConfig>({ perIdentity: true }, (facts, findings, config) => {
    const authorized = new Set(config.authorizedReportDomains.map(normalizeName));
    const checked = new Set<string>();
    const applied = fromDomainsDmarc(facts, config).flatMap(({ policies, id }) => policies.flatMap((d) => (d.outcome.status === "applied" ? [{ d: d.outcome.policy, id }] : [])));
    for (const { d, id } of applied) {
      if (checked.has(d.name)) continue;
      checked.add(d.name);
      const policyDomain = d.name.slice("_dmarc.".length);
      for (const uri of [...d.record.rua, ...d.record.ruf]) {
        const destination = reportUriDomain(uri);
        if (!destination || authorized.has(destination) || organizationalDomain(destination) === organizationalDomain(policyDomain)) continue;
        const names = [reportAuthorizationName(policyDomain, destination), reportAuthorizationName("*", destination)];
        const answers = names.map((n) => facts.valuesAt(n, "TXT"));
        if (answers.some((a) => !isUnknown(a) && a.some(looksLikeDmarc))) continue;
        const unknown = answers.find(isUnknown);
        if (unknown) findings.undecide(`the report authorisation at ${names[0]} is ${unknown.why}`, unknown);
        else {
          findings.fail(
            `${d.name} (identity ${id.domain}) sends reports to ${uri}, but ${destination} has not authorised reports for ${policyDomain}: receivers drop them until TXT "v=DMARC1" is published at ${names[0]}; once it is, add ${destination} to authorizedReportDomains`,
            id.resource.urn,
          );
        }
      }
    }
  }),
};
