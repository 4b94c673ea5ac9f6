import * as pulumi from "@pulumi/pulumi";
import { DnsRecordSpec } from "../lib/records";
import { DnsProvider, DomainSpec, StackSpec } from "../lib/spec";
import { renderZoneFile } from "../lib/zonefile";
import { hostedZoneId, Route53Zone } from "./dns/route53";
import { DnsZone } from "./dns/zone";
import { SesAddress } from "./ses-address";
import { RegionalIdentity, RegionalSending, SesDomain } from "./ses-domain";

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
}

/**
 * Each domain's zone. Route 53 zone names are looked up once per zone, not once per domain:
 * Route 53 allows an account five API calls a second.
 */
function zones(spec: StackSpec): (domain: DomainSpec) => DnsZone {
  if (spec.dnsProvider === DnsProvider.CLOUDFLARE) {
    // Required here, not imported above: a Route 53 stack need not load the Cloudflare SDK (~70 ms).
    const { CloudflareZone } = require("./dns/cloudflare") as typeof import("./dns/cloudflare");
    return (domain) => new CloudflareZone(domain.zone);
  }
  const zoneIds = new Map<string, pulumi.Input<string>>();
  return (domain) => {
    if (!zoneIds.has(domain.zone)) zoneIds.set(domain.zone, hostedZoneId(domain.zone));
    return new Route53Zone(zoneIds.get(domain.zone)!, domain.allowOverwrite);
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
  const zoneFor = zones(spec);
  const domains = spec.domains.map(
    (domain) =>
      new SesDomain(domain.name, {
        domain,
        zone: zoneFor(domain),
        dkimPrivateKey: domain.dkim.kind === "byodkim" ? secret(domain.dkim.privateKeyConfigKey) : undefined,
        protect: spec.protect,
      }),
  );
  const addresses = spec.addresses.map((address) => new SesAddress(address.address, { address, protect: spec.protect }));
  const records = pulumi.all(domains.map((d) => d.records)).apply((lists) => lists.flat());
  return {
    identities: Object.fromEntries(domains.map((d, i) => [spec.domains[i].name, byRegion(d.identities)])),
    addresses: Object.fromEntries(addresses.map((a, i) => [spec.addresses[i].address, byRegion(a.identities)])),
    records,
    zoneFile: records.apply(renderZoneFile),
    sending: Object.fromEntries(
      domains.flatMap((d, i) => (d.sending.length ? [[spec.domains[i].name, Object.fromEntries(d.sending.map(({ region, ...rest }) => [region, rest]))]] : [])),
    ),
  };
}
