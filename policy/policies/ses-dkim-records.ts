import { StackValidationPolicy } from "@pulumi/policy";
import { reportSetup, stackCheck } from "../check";

export const sesDkimRecords: StackValidationPolicy = {
  name: "ses-dkim-records",
  description: "Every SES identity has its DKIM records in every region it is declared in: 3 Easy DKIM CNAMEs to that region's DKIM host, or the BYODKIM selector's key.",
  enforcementLevel: "mandatory",
  validateStack: stackCheck({ perIdentity: true }, (facts, findings) => {
    for (const id of facts.identities) reportSetup(findings, facts.dkimSetup(id), id.resource.urn);
  }),
};
