import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DnsRecordSpec, domainRecords, easyDkimRecord, mailFromDomain, PROTECTED_ROLES } from "../lib/records";
import { senderPolicy } from "../lib/sending";
import { BEHAVIOR_ON_MX_FAILURE, DomainSpec } from "../lib/spec";
import { fromDomainsTags } from "../lib/tags";
import { DnsZone } from "./dns/zone";
import { SesSending } from "./ses-sending";

export interface SesDomainArgs {
  /** The validated domain (lib/config.ts). */
  domain: DomainSpec;
  /** Where its records are written. */
  zone: DnsZone;
  /** BYODKIM only: the private key, from secret config. */
  dkimPrivateKey?: pulumi.Output<string>;
  /** Protect the identities and the DKIM and DMARC records (production stacks). */
  protect: boolean;
}

export interface RegionalIdentity {
  region: string;
  arn: pulumi.Output<string>;
  /** SES's `verifiedForSendingStatus`; the provider can report true while still pending (docs/configuration.md). */
  verifiedForSending: pulumi.Output<boolean>;
  /** SES's `VerificationStatus`: PENDING, SUCCESS, FAILED, TEMPORARY_FAILURE or NOT_STARTED. The one to trust. */
  verificationStatus: pulumi.Output<string>;
  /** SES's DKIM `Status` (`dkimSigningAttributes.status`), with the same values. */
  dkimStatus: pulumi.Output<string>;
}

/** What SES reports about an identity, for the stack outputs. */
export function identityStatus(region: string, identity: aws.sesv2.EmailIdentity): RegionalIdentity {
  return {
    region,
    arn: identity.arn,
    verifiedForSending: identity.verifiedForSendingStatus,
    verificationStatus: identity.verificationStatus,
    // The whole block is secret because of the private key in it (see SesDomain); the status is not.
    dkimStatus: pulumi.unsecret(identity.dkimSigningAttributes.status),
  };
}

/**
 * The identity's other From domains as tags (lib/tags.ts), for the policy pack; nothing at all
 * for a domain that sends only as itself, so such a stack registers what it did before.
 */
function fromDomainsTagsOf(domain: DomainSpec): { tags?: Record<string, string> } {
  const tags = fromDomainsTags(domain.name, domain.fromDomains);
  return Object.keys(tags).length ? { tags } : {};
}

/** What the sending application of one region needs. */
export interface RegionalSending {
  region: string;
  configurationSetName: pulumi.Output<string>;
  topicArn: pulumi.Output<string>;
  /** IAM policy document (JSON) allowing SendEmail/SendRawEmail as this identity, with its configuration set. */
  senderPolicy: pulumi.Output<string>;
}

/**
 * One SES sending domain in every region it is listed in, and every DNS record it needs:
 * identities (with MAIL FROM attributes) first, then records, each step a small method.
 * Records come from lib/records.ts; only Easy DKIM names and targets wait for SES's tokens.
 * With `sending` configured, each region's identity sends through its SesSending configuration set.
 */
export class SesDomain extends pulumi.ComponentResource {
  readonly identities: RegionalIdentity[];
  /** Every record this domain manages, DKIM tokens filled in once SES issues them. */
  readonly records: pulumi.Output<DnsRecordSpec[]>;
  /** Per region, when the domain has a sending setup; otherwise empty. */
  readonly sending: RegionalSending[];

  constructor(name: string, args: SesDomainArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("ses-email-auth:index:SesDomain", name, {}, opts);
    const { domain } = args;
    const sending = domain.sending;
    // Configuration sets first: each identity names its region's set as its default.
    const setups = sending ? domain.regions.map((region) => new SesSending(`${domain.name}-${region}-sending`, { domain: domain.name, region, sending }, { parent: this })) : [];
    const identities = domain.regions.map((region, i) => this.identity(domain, region, args, setups[i]));
    domain.regions.forEach((region, i) => this.mailFrom(domain, region, identities[i]));
    if (sending) domain.regions.forEach((region, i) => this.feedback(domain, region, identities[i], sending.feedbackForwarding));

    // The provider marks dkimSigningAttributes.domainSigningPrivateKey secret, even when "", so the
    // SDK makes the whole block secret; the tokens are published in DNS and must not be.
    const tokens = new Map(identities.map((identity, i) => [domain.regions[i], pulumi.unsecret(identity.dkimSigningAttributes.tokens)]));
    const resolved = domainRecords(domain).map((record) => this.record(args.zone, domain, record, tokens.get(record.region ?? ""), args.protect && PROTECTED_ROLES.has(record.role)));
    this.records = pulumi.all(resolved);
    this.identities = identities.map((identity, i) => identityStatus(domain.regions[i], identity));
    const fromAddresses = sending?.fromAddresses ?? [];
    this.sending = setups.map((s, i) => ({
      region: domain.regions[i],
      configurationSetName: s.configurationSet.configurationSetName,
      topicArn: s.topicArn,
      senderPolicy: pulumi.all([identities[i].arn, s.configurationSet.arn]).apply(([identityArn, setArn]) => JSON.stringify(senderPolicy(identityArn, setArn, fromAddresses))),
    }));
    this.registerOutputs({ identities: this.identities, records: this.records, sending: this.sending });
  }

  private identity(domain: DomainSpec, region: string, args: SesDomainArgs, sending: SesSending | undefined): aws.sesv2.EmailIdentity {
    const dkim = domain.dkim;
    return new aws.sesv2.EmailIdentity(
      `${domain.name}-${region}`,
      {
        region,
        emailIdentity: domain.name,
        dkimSigningAttributes:
          dkim.kind === "easy"
            ? { nextSigningKeyLength: dkim.keyLength }
            : { domainSigningSelector: dkim.selector, domainSigningPrivateKey: args.dkimPrivateKey },
        configurationSetName: sending?.configurationSet.configurationSetName,
        ...fromDomainsTagsOf(domain),
      },
      { parent: this, protect: args.protect },
    );
  }

  /** Explicit either way, so the policy pack (and a reader of the state) sees where feedback goes. */
  private feedback(domain: DomainSpec, region: string, identity: aws.sesv2.EmailIdentity, forwarding: boolean): void {
    new aws.sesv2.EmailIdentityFeedbackAttributes(`${domain.name}-${region}-feedback`, { region, emailIdentity: identity.emailIdentity, emailForwardingEnabled: forwarding }, { parent: this });
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

  /**
   * Declares one record; an Easy DKIM record takes its name and target from its region's tokens.
   * Any other record is known now and declared with plain values: an Output per name and value
   * took ~6% of the program's time under the mock runtime, for nothing.
   */
  private record(zone: DnsZone, domain: DomainSpec, record: DnsRecordSpec, tokens: pulumi.Output<string[]> | undefined, protect: boolean): pulumi.Input<DnsRecordSpec> {
    const opts = { parent: this, protect };
    const index = record.dkimToken;
    if (index === undefined || !tokens) {
      zone.addRecord({ key: record.key, type: record.type, ttl: record.ttl, name: record.name, values: record.values }, opts);
      return record;
    }
    const resolved = tokens.apply((t) => easyDkimRecord(domain, record.region!, index, t[index]));
    zone.addRecord({ key: record.key, type: record.type, ttl: record.ttl, name: resolved.name, values: record.values.map((_, i) => resolved.apply((r) => r.values[i])) }, opts);
    return resolved;
  }
}
