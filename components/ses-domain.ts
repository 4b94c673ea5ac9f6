import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DnsRecordSpec, domainRecords, easyDkimRecord, mailFromDomain } from "../lib/records";
import { BEHAVIOR_ON_MX_FAILURE, DomainSpec } from "../lib/spec";
import { DnsZone } from "./dns/zone";

export interface SesDomainArgs {
  /** The validated domain (lib/config.ts). */
  domain: DomainSpec;
  /** Where its records are written. */
  zone: DnsZone;
  /** BYODKIM only: the private key, from secret config. */
  dkimPrivateKey?: pulumi.Output<string>;
}

export interface RegionalIdentity {
  region: string;
  arn: pulumi.Output<string>;
  /** True once SES has verified the domain's DKIM records in this region. */
  verifiedForSending: pulumi.Output<boolean>;
}

/**
 * One SES sending domain in every region it is listed in, and every DNS record it needs:
 * identities (with MAIL FROM attributes) first, then records, each step a small method.
 * Records come from lib/records.ts; only Easy DKIM names and targets wait for SES's tokens.
 */
export class SesDomain extends pulumi.ComponentResource {
  readonly identities: RegionalIdentity[];
  /** Every record this domain manages, DKIM tokens filled in once SES issues them. */
  readonly records: pulumi.Output<DnsRecordSpec[]>;

  constructor(name: string, args: SesDomainArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("ses-email-auth:index:SesDomain", name, {}, opts);
    const { domain } = args;
    const identities = domain.regions.map((region) => this.identity(domain, region, args.dkimPrivateKey));
    domain.regions.forEach((region, i) => this.mailFrom(domain, region, identities[i]));

    const tokens = new Map(identities.map((identity, i) => [domain.regions[i], identity.dkimSigningAttributes.tokens]));
    const resolved = domainRecords(domain).map((record) => this.record(args.zone, domain, record, tokens.get(record.region ?? "")));
    this.records = pulumi.all(resolved);
    this.identities = identities.map((identity, i) => ({
      region: domain.regions[i],
      arn: identity.arn,
      verifiedForSending: identity.verifiedForSendingStatus,
    }));
    this.registerOutputs({ identities: this.identities, records: this.records });
  }

  private identity(domain: DomainSpec, region: string, privateKey: pulumi.Output<string> | undefined): aws.sesv2.EmailIdentity {
    const dkim = domain.dkim;
    return new aws.sesv2.EmailIdentity(
      `${domain.name}-${region}`,
      {
        region,
        emailIdentity: domain.name,
        dkimSigningAttributes:
          dkim.kind === "easy"
            ? { nextSigningKeyLength: dkim.keyLength }
            : { domainSigningSelector: dkim.selector, domainSigningPrivateKey: privateKey },
      },
      { parent: this },
    );
  }

  private mailFrom(domain: DomainSpec, region: string, identity: aws.sesv2.EmailIdentity): void {
    const mailFrom = domain.mailFrom;
    if (!mailFrom) return;
    new aws.sesv2.EmailIdentityMailFromAttributes(
      `${domain.name}-${region}-mail-from`,
      {
        region,
        emailIdentity: identity.emailIdentity,
        mailFromDomain: mailFromDomain(domain, region),
        behaviorOnMxFailure: BEHAVIOR_ON_MX_FAILURE[mailFrom.onMxFailure],
      },
      { parent: this },
    );
  }

  /** Declares one record; an Easy DKIM record takes its name and target from its region's tokens. */
  private record(zone: DnsZone, domain: DomainSpec, record: DnsRecordSpec, tokens: pulumi.Output<string[]> | undefined): pulumi.Output<DnsRecordSpec> {
    const index = record.dkimToken;
    const resolved = index === undefined || !tokens ? pulumi.output(record) : tokens.apply((t) => easyDkimRecord(domain, record.region!, index, t[index]));
    zone.addRecord(
      { key: record.key, type: record.type, ttl: record.ttl, name: resolved.name, values: record.values.map((_, i) => resolved.apply((r) => r.values[i])) },
      { parent: this },
    );
    return resolved;
  }
}
