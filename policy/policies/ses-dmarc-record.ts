import { StackValidationPolicy } from "@pulumi/policy";
import { stackCheck } from "../check";
import { DomainsConfig, domainsConfigSchema, fromDomainsDmarc } from "../domains";

export const sesDmarcRecord: StackValidationPolicy = {
  name: "ses-dmarc-record",
  description: "Every From domain of an SES identity has exactly one valid DMARC record, its own or its organizational domain's.",
  enforcementLevel: "mandatory",
  configSchema: { properties: domainsConfigSchema },
  validateStack: stackCheck<DomainsConfig>({ perIdentity: true }, (facts, findings, config) => {
    for (const { id, from, discovery: d, cause } of fromDomainsDmarc(facts, config)) {
      const who = `${from} (identity ${id.domain})`;
      switch (d.status) {
        case "missing":
          findings.fail(
            `${who}: no DMARC record at ${d.names.join(" or ")}, so receivers apply no DMARC policy; publish one TXT "v=DMARC1; p=none; rua=mailto:…" at _dmarc.${from}, or give its text in externalDmarc if it is published outside this stack`,
            id.resource.urn,
          );
          break;
        case "multiple":
          findings.fail(`${who}: ${d.texts.length} DMARC records at ${d.name}; receivers ignore them all; keep exactly one`, id.resource.urn);
          break;
        case "invalid":
          findings.fail(`${who}: invalid DMARC record at ${d.name} ("${d.text}"): ${d.error}`, id.resource.urn);
          break;
        case "unknown":
          findings.undecide(`${from}: the TXT records at ${d.name} are ${cause!.why}`, cause!);
          break;
      }
    }
  }),
};
