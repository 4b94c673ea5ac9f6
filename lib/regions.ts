/**
 * The SES region table: the one place that knows which AWS regions offer SES, which DKIM host
 * each region's Easy DKIM tokens point at, and which host receives its MAIL FROM bounces.
 *
 * Source: AWS General Reference, "Amazon SES endpoints and quotas" and "SES DKIM domains".
 * Most regions sign with `dkim.amazonses.com`; the regions below that use a regional DKIM host
 * are the ones most hand-written modules get wrong. When AWS adds a region, add one line here.
 */
import { normalizeName } from "./names";

/** Regions whose Easy DKIM CNAMEs point at `dkim.<region>.amazonses.com`. */
const REGIONAL_DKIM_HOST = new Set([
  "af-south-1",
  "ap-northeast-3",
  "ap-south-2",
  "ap-southeast-3",
  "ap-southeast-5",
  "ca-west-1",
  "eu-central-2",
  "eu-south-1",
  "il-central-1",
  "me-central-1",
  "us-gov-east-1",
]);

/** Every region with an SES sending endpoint. */
export const SES_REGIONS: readonly string[] = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "af-south-1",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-5",
  "ca-central-1",
  "ca-west-1",
  "eu-central-1",
  "eu-central-2",
  "eu-north-1",
  "eu-south-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "sa-east-1",
  "us-gov-east-1",
  "us-gov-west-1",
];

/** AWS regions that exist but have no SES endpoint: named so the error can say "no SES" rather than "unknown". */
const REGIONS_WITHOUT_SES = new Set([
  "ap-east-1",
  "ap-east-2",
  "ap-southeast-4",
  "ap-southeast-6",
  "ap-southeast-7",
  "eu-south-2",
  "mx-central-1",
  "cn-north-1",
  "cn-northwest-1",
]);

const SES_REGION_SET = new Set(SES_REGIONS);

export function isSesRegion(region: string): boolean {
  return SES_REGION_SET.has(region);
}

/** Why `region` cannot be used for SES, or undefined when it can. */
export function sesRegionProblem(region: string): string | undefined {
  if (isSesRegion(region)) return undefined;
  if (REGIONS_WITHOUT_SES.has(region)) return `AWS region "${region}" has no SES endpoint`;
  return `"${region}" is not an AWS region`;
}

/** The host Easy DKIM tokens of `region` point at, e.g. `dkim.af-south-1.amazonses.com`. */
export function dkimHost(region: string): string {
  return REGIONAL_DKIM_HOST.has(region) ? `dkim.${region}.amazonses.com` : "dkim.amazonses.com";
}

/** The host a custom MAIL FROM domain's single MX must name for `region`. */
export function feedbackHost(region: string): string {
  return `feedback-smtp.${region}.amazonses.com`;
}

/** The SES region a feedback host belongs to, or undefined when the host is not an SES feedback endpoint. */
export function regionOfFeedbackHost(host: string): string | undefined {
  const match = /^feedback-smtp\.([a-z0-9-]+)\.amazonses\.com\.?$/i.exec(host);
  const region = match?.[1].toLowerCase();
  return region && isSesRegion(region) ? region : undefined;
}

const SES_DKIM_HOSTS = new Set(SES_REGIONS.map(dkimHost));

/** Every DKIM host SES uses, to recognise a CNAME target as SES's whatever its region. */
export function isSesDkimHost(host: string): boolean {
  return SES_DKIM_HOSTS.has(normalizeName(host));
}

/** The domain SES's own SPF record lives at; `include:` of it authorises every SES region. */
export const SES_SPF_INCLUDE = "amazonses.com";

/**
 * Regions a global endpoint (SESv2 multi-region endpoint) can use, as primary or secondary.
 * Source: AWS's "Using Global endpoints in Amazon SES" (SES Developer Guide, global-endpoints.html)
 * says the endpoint's setup makes the sending domain verified in the secondary region through
 * Deterministic Easy DKIM (DEED); the SESv2 API Reference (DkimSigningAttributes,
 * DomainSigningAttributesOrigin) lists the regions SES supports DEED in, `AWS_SES_<REGION>`:
 * today every SES region above but GovCloud's, which that list gained later and the global
 * endpoints guide does not cover (a pair never spans partitions). AWS publishes no other list
 * of pairs: any two different regions of these form one. When AWS adds an SES region, check
 * that it is in DEED's list, or add it here.
 */
const WITHOUT_GLOBAL_ENDPOINTS = new Set(["us-gov-east-1", "us-gov-west-1"]);

export const GLOBAL_ENDPOINT_REGIONS: readonly string[] = SES_REGIONS.filter((r) => !WITHOUT_GLOBAL_ENDPOINTS.has(r));

const GLOBAL_ENDPOINT_REGION_SET = new Set(GLOBAL_ENDPOINT_REGIONS);

/** Whether a global endpoint can route between these two regions (given in either role). */
export function isGlobalEndpointPair(primary: string, secondary: string): boolean {
  return primary !== secondary && GLOBAL_ENDPOINT_REGION_SET.has(primary) && GLOBAL_ENDPOINT_REGION_SET.has(secondary);
}

export function isGlobalEndpointRegion(region: string): boolean {
  return GLOBAL_ENDPOINT_REGION_SET.has(region);
}

/**
 * Regions where SES receives mail, each with its inbound endpoint `inbound-smtp.<region>.amazonaws.com`
 * (the MX a receiving domain names). Source: AWS General Reference, "Amazon SES endpoints and quotas",
 * table "Email receiving endpoints" (SES Developer Guide, "Regions and Amazon SES": the inbound SMTP
 * URLs for MX records). That table, as copied in January 2024, lists us-east-1, us-east-2, us-west-2,
 * ap-northeast-1, ap-southeast-1, ap-southeast-2, ap-southeast-3, ca-central-1, eu-central-1,
 * eu-west-1 and eu-west-2 (the 2023-09 expansion added the seven after the original us-east-1,
 * us-west-2 and eu-west-1). AWS has added regions since; each below the line was seen receiving in
 * public deployments of 2025-2026 (an SES `Received: by inbound-smtp.ap-south-1…` header; an
 * explicit check against the General Reference for ap-northeast-2; MX records to eu-north-1 and
 * sa-east-1 of live receiving setups). Not GovCloud, not the opt-in regions. When AWS adds a
 * region to that table, add one line here.
 */
export const RECEIVING_REGIONS: readonly string[] = [
  "us-east-1",
  "us-east-2",
  "us-west-2",
  "ap-northeast-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ca-central-1",
  "eu-central-1",
  "eu-west-1",
  "eu-west-2",
  // added after the January 2024 table
  "ap-northeast-2",
  "ap-south-1",
  "eu-north-1",
  "sa-east-1",
];

const RECEIVING_REGION_SET = new Set(RECEIVING_REGIONS);

export function isReceivingRegion(region: string): boolean {
  return RECEIVING_REGION_SET.has(region);
}

/** The host a receiving domain's MX names for `region`, e.g. `inbound-smtp.eu-west-1.amazonaws.com`. */
export function inboundHost(region: string): string {
  return `inbound-smtp.${region}.amazonaws.com`;
}
