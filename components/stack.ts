import * as pulumi from "@pulumi/pulumi";
import { DnsRecordSpec } from "../lib/records";
import { DkimSigning, DnsProvider, StackDomainSpec, StackSpec } from "../lib/spec";
import { renderZoneFile } from "../lib/zonefile";
import { SesDomainArgs } from "./args";
import { hostedZoneId } from "./dns/route53";
import { SesAddress } from "./ses-address";
import { RegionalIdentity, RegionalSending, SesDomain } from "./ses-domain";
import { SesGlobalEndpoint } from "./ses-global-endpoint";

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
function zoneIds(spec: StackSpec): (domain: StackDomainSpec) => pulumi.Input<string> {
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
  const records = pulumi.all(domains.map((d) => d.records)).apply((lists) => lists.flat());
  return {
    identities: Object.fromEntries(domains.map((d, i) => [spec.domains[i].name, byRegion(d.identities)])),
    addresses: Object.fromEntries(addresses.map((a, i) => [spec.addresses[i].address, byRegion(a.identities)])),
    records,
    zoneFile: records.apply(renderZoneFile),
    sending: Object.fromEntries(
      domains.flatMap((d, i) => (d.sending.length ? [[spec.domains[i].name, Object.fromEntries(d.sending.map(({ region, ...rest }) => [region, rest]))]] : [])),
    ),
    ...(endpoint && { globalEndpoint: { name: spec.globalEndpoint!.name, endpointId: endpoint.endpointId, arn: endpoint.arn, primary: spec.globalEndpoint!.primary, secondary: spec.globalEndpoint!.secondary } }),
  };
}
