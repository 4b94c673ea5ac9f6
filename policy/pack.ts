/**
 * The pack's name, default enforcement and policy list, and each policy by name: the library's
 * `ses-email-auth/policy`. The pack (policy/index.js, or anyone's own pack) serves them with
 * `new PolicyPack(PACK_NAME, packArgs)`; tools/run-policies.ts evaluates them locally. Importing
 * this constructs no PolicyPack (that starts a server). A new policy is one file under policies/
 * and one line here.
 */
import { PolicyPackArgs } from "@pulumi/policy";
import { cloudflareEmailRecordsDnsOnly } from "./policies/cloudflare-email-records-dns-only";
import { dmarcMinimumPolicy } from "./policies/dmarc-minimum-policy";
import { dmarcRecordPortability } from "./policies/dmarc-record-portability";
import { dmarcReportAuthorization } from "./policies/dmarc-report-authorization";
import { route53TxtChunking } from "./policies/route53-txt-chunking";
import { sesDkimRecords } from "./policies/ses-dkim-records";
import { sesDmarcAlignment } from "./policies/ses-dmarc-alignment";
import { sesDmarcRecord } from "./policies/ses-dmarc-record";
import { sesFeedbackHandling } from "./policies/ses-feedback-handling";
import { sesGlobalEndpointIdentities } from "./policies/ses-global-endpoint-identities";
import { sesMailFromRecords } from "./policies/ses-mail-from-records";

export { cloudflareEmailRecordsDnsOnly, dmarcMinimumPolicy, dmarcReportAuthorization, route53TxtChunking, sesDkimRecords, sesDmarcAlignment, sesDmarcRecord, sesFeedbackHandling, sesMailFromRecords };
export { sesGlobalEndpointIdentities };
export { DomainsConfig } from "./domains";
export { MinimumPolicyConfig } from "./policies/dmarc-minimum-policy";
export { ReportAuthorizationConfig } from "./policies/dmarc-report-authorization";
export { AlignmentConfig } from "./policies/ses-dmarc-alignment";

export const PACK_NAME = "ses-email-auth";

export const packArgs: PolicyPackArgs = {
  description: "Refuses stacks whose Amazon SES sending domains would fail DMARC, in any region, with DNS in Route 53 or Cloudflare.",
  enforcementLevel: "mandatory",
  policies: [
    sesDmarcRecord,
    sesDmarcAlignment,
    sesDkimRecords,
    sesMailFromRecords,
    dmarcMinimumPolicy,
    dmarcReportAuthorization,
    dmarcRecordPortability,
    cloudflareEmailRecordsDnsOnly,
    route53TxtChunking,
    sesFeedbackHandling,
    sesGlobalEndpointIdentities,
  ],
};
