import { StackValidationPolicy } from "@pulumi/policy";
import { reportSetup, stackCheck } from "../check";

export const sesMailFromRecords: StackValidationPolicy = {
  name: "ses-mail-from-records",
  description: "Every custom MAIL FROM domain is a subdomain of its identity with exactly one MX to an SES feedback endpoint and exactly one SPF record authorising SES.",
  enforcementLevel: "mandatory",
  validateStack: stackCheck({ perIdentity: true }, (facts, findings) => {
    for (const id of facts.identities) reportSetup(findings, facts.mailFromSetup(id), id.mailFrom?.resource.urn ?? id.resource.urn);
  }),
};
