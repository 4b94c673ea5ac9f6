import * as pulumi from "@pulumi/pulumi";
import { DnsRecordSpec } from "../lib/records";
import { DkimSigning, DnsProvider, StackDomainSpec, StackSpec } from "../lib/spec";
import { renderZoneFile } from "../lib/zonefile";
import { SesDomainArgs } from "./args";
import { hostedZoneId } from "./dns/route53";
import { SesAddress } from "./ses-address";
import { RegionalIdentity, RegionalSending, SesDomain } from "./ses-domain";
import { SesGlobalEndpoint } from "./ses-global-endpoint";
import { SesReportReceiving } from "./ses-report-receiving";

type RegionalStatus = Record<string, Omit<RegionalIdentity, "region">>;

export interface StackOutputs {
  /** domain → region → identity ARN and what SES reports of its verification and DKIM. */
  identities: Record<string, RegionalStatus>;
  /** address → region → the same. */
  addresses: Record<string, RegionalStatus>;
  /** Every DNS record the stack manages. */
  records: pulumi.Output<DnsRecordSpec[]>;
  /** The same records as a BIND zone fragment, for any other DNS provider. */
  zoneFile: pulumi.Output<string>;
  /** domain → region → configuration set, event topic and the sender's IAM policy; only domains with `sending`. */
  sending: Record<string, Record<string, Omit<RegionalSending, "region">>>;
  /** With `globalEndpoint`: what an application sends through it with (docs/global-endpoints.md); otherwise absent. */
  globalEndpoint?: GlobalEndpointOutput;
  /** With `reports`: where the DMARC aggregate reports arrive and are stored (docs/reports.md); otherwise absent. */
  reports?: ReportsOutput;
}

export interface ReportsOutput {
  /** The address every domain's `rua` names. */
  address: string;
  bucket: pulumi.Output<string>;
  prefix: string;
  region: string;
  /** The receipt rule set holding the rule, and whether the stack created (and activated) it. */
  ruleSet: { name: pulumi.Output<string>; mode: string };
  /** With an existing bucket: the statement its policy must hold for SES to store the messages. */
  bucketPolicyStatement?: pulumi.Output<string>;
}

export interface GlobalEndpointOutput {
  name: string;
  /** SESv2 SendEmail's `EndpointId`. */
  endpointId: pulumi.Output<string>;
  arn: pulumi.Output<string>;
  primary: string;
  secondary: string;
}

/**
 * Each domain's zone id. Route 53 zone names are looked up once per zone, not once per domain:
 * Route 53 allows an account five API calls a second. Cloudflare zones are given by id.
 */
function zoneIds(spec: StackSpec): (domain: Pick<StackDomainSpec, "dns">) => pulumi.Input<string> {
  const ids = new Map<string, pulumi.Input<string>>();
  return (domain) => {
    const zone = domain.dns.zone!;
    if (spec.dnsProvider === DnsProvider.CLOUDFLARE) return zone;
    if (!ids.has(zone)) ids.set(zone, hostedZoneId(zone));
    return ids.get(zone)!;
  };
}

/** SesDomain's arguments for a domain of the stack config: its validated model, zone id and secret private key. */
function domainArgs(domain: StackDomainSpec, zone: pulumi.Input<string>, secret: (configKey: string) => pulumi.Output<string>, protect: boolean): SesDomainArgs {
  const { dkim } = domain;
  return {
    domain: domain.name,
    regions: domain.regions,
    // allowOverwrite is Route 53's alone.
    dns: domain.dns.provider === DnsProvider.ROUTE53 ? { ...domain.dns, zone } : { provider: domain.dns.provider, zone },
    fromDomains: domain.fromDomains,
    mailFrom: domain.mailFrom ?? { enabled: false },
    dkim:
      dkim.kind === "easy"
        ? { keyLength: dkim.keyLength }
        : { signing: DkimSigning.BYODKIM, selector: dkim.selector, publicKey: dkim.publicKey, privateKey: secret(domain.privateKeyConfig!) },
    dmarc: domain.dmarc,
    ttl: domain.ttl,
    sending: domain.sending,
    protect,
    ...(domain.verification && { verification: { wait: true, timeoutMinutes: domain.verification.timeoutMinutes } }),
    ...(domain.adopt && { adopt: domain.adopt }),
  };
}

function byRegion(identities: RegionalIdentity[]): RegionalStatus {
  return Object.fromEntries(identities.map(({ region, ...status }) => [region, status]));
}

/**
 * Declares everything a validated stack asks for. `secret(key)` gives a secret config value
 * (BYODKIM private keys) as a secret Output.
 */
export function declareStack(spec: StackSpec, secret: (configKey: string) => pulumi.Output<string>): StackOutputs {
  const zoneOf = zoneIds(spec);
  const domains = spec.domains.map((domain) => new SesDomain(domain.name, domainArgs(domain, zoneOf(domain), secret, spec.protect)));
  const addresses = spec.addresses.map((address) => new SesAddress(address.address, { ...address, protect: spec.protect }));
  // Created once every domain's identities (and, with waits, their verifications) are done in both regions.
  const endpoint = spec.globalEndpoint && new SesGlobalEndpoint(spec.globalEndpoint.name, spec.globalEndpoint, { dependsOn: domains });
  const reports = spec.reports;
  const receiving =
    reports &&
    new SesReportReceiving("dmarc-reports", {
      domain: reports.domain,
      region: reports.region,
      dns: reports.dns.provider === DnsProvider.ROUTE53 ? { ...reports.dns, zone: zoneOf(reports) } : { provider: reports.dns.provider, zone: zoneOf(reports) },
      localPart: reports.address.slice(0, reports.address.lastIndexOf("@")),
      bucketName: reports.bucket.name,
      createBucket: reports.bucket.create,
      prefix: reports.prefix,
      ...(reports.bucket.create && { expirationDays: reports.expirationDays }),
      ruleSet: reports.ruleSet,
      ruleName: reports.ruleName,
      ttl: reports.ttl,
      authorizedDomains: reports.authorizedDomains,
      protect: spec.protect,
    });
  const records = pulumi.all([...domains.map((d) => d.records), ...(receiving ? [receiving.records] : [])]).apply((lists) => lists.flat());
  return {
    identities: Object.fromEntries(domains.map((d, i) => [spec.domains[i].name, byRegion(d.identities)])),
    addresses: Object.fromEntries(addresses.map((a, i) => [spec.addresses[i].address, byRegion(a.identities)])),
    records,
    zoneFile: records.apply(renderZoneFile),
    sending: Object.fromEntries(
      domains.flatMap((d, i) => (d.sending.length ? [[spec.domains[i].name, Object.fromEntries(d.sending.map(({ region, ...rest }) => [region, rest]))]] : [])),
    ),
    ...(receiving && {
      reports: {
        address: receiving.address,
        bucket: receiving.bucketName,
        prefix: receiving.prefix,
        region: receiving.region,
        ruleSet: { name: receiving.ruleSetName, mode: reports!.ruleSet.mode },
        ...(!reports!.bucket.create && { bucketPolicyStatement: receiving.bucketPolicyStatement }),
      },
    }),
    ...(endpoint && { globalEndpoint: { name: spec.globalEndpoint!.name, endpointId: endpoint.endpointId, arn: endpoint.arn, primary: spec.globalEndpoint!.primary, secondary: spec.globalEndpoint!.secondary } }),
  };
}
