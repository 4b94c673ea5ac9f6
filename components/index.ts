/**
 * The library's entry (`import { SesDomain, DnsProvider } from "ses-email-auth"`): the components,
 * their arguments, and the pure model they and the policy pack share. The policies are
 * `ses-email-auth/policy`. Nothing here loads @pulumi/cloudflare: a Cloudflare zone loads it when
 * a component writes to one.
 */
export { DkimArgs, DmarcArgs, DnsTarget, MailFromArgs, ReceiptRuleSetArgs, SendingArgs, SesDomainArgs, SesReportReceivingArgs, VerificationArgs } from "./args";
export { dnsZone, ZoneTarget } from "./dns";
export { hostedZoneId, Route53Zone, Route53ZoneArgs } from "./dns/route53";
export { DnsZone, ZoneRecordArgs } from "./dns/zone";
export { SesAddress, SesAddressArgs } from "./ses-address";
export { RegionalIdentity, RegionalSending, SesDomain } from "./ses-domain";
export { SesGlobalEndpoint, SesGlobalEndpointArgs } from "./ses-global-endpoint";
export { SesReportReceiving } from "./ses-report-receiving";
export { SesSending, SesSendingArgs } from "./ses-sending";

// The model: choices, the validated shapes, and the builders every front end uses.
export { Alignment, DmarcPolicy, DmarcRecord, DmarcSpec, discoverDmarc, formatDmarc, parseDmarc } from "../lib/dmarc";
export { AddressSpec, DkimSigning, DkimSpec, DnsProvider, DnsTargetSpec, DomainSpec, EasyDkimKeyLength, MailFromMxFailure, MailFromSpec, SendingSpec, SesEventType } from "../lib/spec";
export { checkAddress, checkDomain, checkSending } from "../lib/args";
export { Checker, Problem } from "../lib/check";
export { DnsRecordSpec, domainRecords, RecordRole, RecordType } from "../lib/records";
export { dkimHost, feedbackHost, GLOBAL_ENDPOINT_REGIONS, inboundHost, RECEIVING_REGIONS, SES_REGIONS } from "../lib/regions";
export { checkReceiving, ReceiptRuleSetMode, ReceivingSpec, reportsBucketPolicy, sesPutStatement } from "../lib/receiving";
export { checkGlobalEndpoint, GlobalEndpointSpec } from "../lib/global-endpoint";
export { AlignmentFacts, judgeAlignment, RequiredPaths, Verdict } from "../lib/alignment";
export { configurationSetName, senderPolicy, topicPolicy } from "../lib/sending";
export { FROM_DOMAINS_TAG, fromDomainsTags } from "../lib/tags";
export { renderZoneFile } from "../lib/zonefile";
