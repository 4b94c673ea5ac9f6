import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Checker } from "../lib/check";
import { checkDomain } from "../lib/args";
import { DnsRecordSpec, domainRecords, easyDkimRecord, mailFromDomain, PROTECTED_ROLES, RecordRole } from "../lib/records";
import { senderPolicy } from "../lib/sending";
import { BEHAVIOR_ON_MX_FAILURE, DomainSpec, SendingSpec } from "../lib/spec";
import { fromDomainsTags } from "../lib/tags";
import { identityName, mailFromName } from "../lib/adopt";
import { SendingArgs, SesDomainArgs } from "./args";
import { dnsZone } from "./dns";
import { DnsZone } from "./dns/zone";
import { invalidArguments } from "./errors";
import { SesSending } from "./ses-sending";

export interface RegionalIdentity {
  /** The SES region. */
  region: string;
  /** The identity's ARN. */
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

/** What the sending application of one region needs. */
export interface RegionalSending {
  /** The SES region. */
  region: string;
  /** The configuration set the identity sends through by default. */
  configurationSetName: pulumi.Output<string>;
  /** The SNS topic the events are published to. */
  topicArn: pulumi.Output<string>;
  /** IAM policy document (JSON) allowing SendEmail/SendRawEmail as this identity, with its configuration set. */
  senderPolicy: pulumi.Output<string>;
}

/**
 * The identity's other From domains as tags (lib/tags.ts), for the policy pack; nothing at all
 * for a domain that sends only as itself, so such a stack registers what it did before.
 */
function fromDomainsTagsOf(domain: DomainSpec): { tags?: Record<string, string> } {
  const tags = fromDomainsTags(domain.name, domain.fromDomains);
  return Object.keys(tags).length ? { tags } : {};
}

/** The model of valid arguments; invalid ones throw before anything is registered. */
function validate(name: string, args: SesDomainArgs): DomainSpec {
  const c = new Checker();
  const domain = checkDomain(c, args);
  if (c.problems.length || !domain) throw invalidArguments("SesDomain", name, c.problems);
  return domain;
}

/** One region's share of the sending setup: that region's topic, if any; the From addresses are for the sender policy. */
function regionalSending(spec: SendingSpec, region: string): SendingArgs {
  const topicArns = region in spec.topicArns ? { [region]: spec.topicArns[region] } : {};
  return { ...spec, topicArns, fromAddresses: [] };
}

interface DomainContext {
  parent: pulumi.Resource;
  domain: DomainSpec;
  protect: boolean;
}

/** The `import` option of the resource named `name`, when the domain adopts it (lib/adopt.ts). */
function adopted(ctx: DomainContext, name: string): { import?: string } {
  const id = ctx.domain.adopt?.[name];
  return id === undefined ? {} : { import: id };
}

function identity(ctx: DomainContext, region: string, privateKey: pulumi.Output<string> | undefined, sending: SesSending | undefined): aws.sesv2.EmailIdentity {
  const { domain } = ctx;
  const dkim = domain.dkim;
  return new aws.sesv2.EmailIdentity(
    identityName(domain.name, region),
    {
      region,
      emailIdentity: domain.name,
      dkimSigningAttributes: dkim.kind === "easy" ? { nextSigningKeyLength: dkim.keyLength } : { domainSigningSelector: dkim.selector, domainSigningPrivateKey: privateKey },
      configurationSetName: sending?.configurationSet.configurationSetName,
      ...fromDomainsTagsOf(domain),
    },
    { parent: ctx.parent, protect: ctx.protect, ...adopted(ctx, identityName(domain.name, region)) },
  );
}

/** Explicit either way, so the policy pack (and a reader of the state) sees where feedback goes. */
function feedback(ctx: DomainContext, region: string, id: aws.sesv2.EmailIdentity, forwarding: boolean): void {
  new aws.sesv2.EmailIdentityFeedbackAttributes(`${ctx.domain.name}-${region}-feedback`, { region, emailIdentity: id.emailIdentity, emailForwardingEnabled: forwarding }, { parent: ctx.parent });
}

function mailFrom(ctx: DomainContext, region: string, id: aws.sesv2.EmailIdentity): void {
  const { domain } = ctx;
  if (!domain.mailFrom) return;
  new aws.sesv2.EmailIdentityMailFromAttributes(
    mailFromName(domain.name, region),
    { region, emailIdentity: id.emailIdentity, mailFromDomain: mailFromDomain(domain, region), behaviorOnMxFailure: BEHAVIOR_ON_MX_FAILURE[domain.mailFrom.onMxFailure] },
    { parent: ctx.parent, ...adopted(ctx, mailFromName(domain.name, region)) },
  );
}

/**
 * Declares one record; an Easy DKIM record takes its name and target from its region's tokens.
 * Any other record is known now and declared with plain values: an Output per name and value
 * took ~6% of the program's time under the mock runtime, for nothing.
 */
function record(ctx: DomainContext, zone: DnsZone, r: DnsRecordSpec, tokens: pulumi.Output<string[]> | undefined): { spec: pulumi.Input<DnsRecordSpec>; resources: pulumi.CustomResource[] } {
  const opts = { parent: ctx.parent, protect: ctx.protect && PROTECTED_ROLES.has(r.role), ...adopted(ctx, r.key) };
  const index = r.dkimToken;
  if (index === undefined || !tokens) {
    return { spec: r, resources: zone.addRecord({ key: r.key, type: r.type, ttl: r.ttl, name: r.name, values: r.values }, opts) };
  }
  const resolved = tokens.apply((t) => easyDkimRecord(ctx.domain, r.region!, index, t[index]));
  return { spec: resolved, resources: zone.addRecord({ key: r.key, type: r.type, ttl: r.ttl, name: resolved.name, values: r.values.map((_, i) => resolved.apply((x) => x.values[i])) }, opts) };
}

/** The records SES verifies the identity of `region` by: its Easy DKIM CNAMEs, or the BYODKIM key record every region shares. */
function dkimRecordsOf(records: { model: DnsRecordSpec; resources: pulumi.CustomResource[] }[], region: string): pulumi.CustomResource[] {
  return records.filter(({ model }) => (model.role === RecordRole.DKIM && model.region === region) || model.role === RecordRole.BYODKIM).flatMap((r) => r.resources);
}

/**
 * Waits until SES reports the identity of `region` verified: SES v1's verification status, which
 * follows the DKIM records (docs/configuration.md#waiting-for-verification). It starts once exactly
 * that region's DKIM records are written, and gives up after the domain's timeout.
 */
function verificationWait(ctx: DomainContext, region: string, id: aws.sesv2.EmailIdentity, dkimRecords: pulumi.CustomResource[], timeoutMinutes: number): void {
  new aws.ses.DomainIdentityVerification(
    `${ctx.domain.name}-${region}-verification`,
    { region, domain: id.emailIdentity },
    { parent: ctx.parent, dependsOn: dkimRecords, customTimeouts: { create: `${timeoutMinutes}m` } },
  );
}

/**
 * One SES sending domain in every region it is listed in, and every DNS record it needs:
 * identities (with MAIL FROM attributes) first, then records, each step a small function.
 * Records come from lib/records.ts; only Easy DKIM names and targets wait for SES's tokens.
 * With `sending`, each region's identity sends through its SesSending configuration set.
 * Invalid arguments fail before anything is registered, naming each property path.
 */
export class SesDomain extends pulumi.ComponentResource {
  /** Per region: the identity's ARN and whether SES has verified it. */
  readonly identities: RegionalIdentity[];
  /** Every record this domain manages, DKIM tokens filled in once SES issues them. */
  readonly records: pulumi.Output<DnsRecordSpec[]>;
  /** Per region, when the domain has a sending setup; otherwise empty. */
  readonly sending: RegionalSending[];

  constructor(name: string, args: SesDomainArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const domain = validate(name, args);
    super("ses-email-auth:index:SesDomain", name, {}, opts);
    const ctx: DomainContext = { parent: this, domain, protect: args.protect ?? false };
    const spec = domain.sending;
    // Configuration sets first: each identity names its region's set as its default.
    const setups = spec ? domain.regions.map((region) => new SesSending(`${domain.name}-${region}-sending`, { domain: domain.name, region, sending: regionalSending(spec, region) }, { parent: this })) : [];
    const key = args.dkim?.privateKey;
    const privateKey = domain.dkim.kind === "byodkim" && key !== undefined ? pulumi.secret(key) : undefined;
    const ids = domain.regions.map((region, i) => identity(ctx, region, privateKey, setups[i]));
    domain.regions.forEach((region, i) => mailFrom(ctx, region, ids[i]));
    if (spec) domain.regions.forEach((region, i) => feedback(ctx, region, ids[i], spec.feedbackForwarding));

    const zone = dnsZone({ provider: domain.dns.provider, zone: domain.dns.zone ?? args.dns.zone, allowOverwrite: domain.dns.allowOverwrite });
    // The provider marks dkimSigningAttributes.domainSigningPrivateKey secret, even when "", so the
    // SDK makes the whole block secret; the tokens are published in DNS and must not be.
    const tokens = new Map(ids.map((id, i) => [domain.regions[i], pulumi.unsecret(id.dkimSigningAttributes.tokens)]));
    const declared = domainRecords(domain).map((r) => ({ model: r, ...record(ctx, zone, r, tokens.get(r.region ?? "")) }));
    this.records = pulumi.all(declared.map((r) => r.spec));
    const wait = domain.verification;
    if (wait) domain.regions.forEach((region, i) => verificationWait(ctx, region, ids[i], dkimRecordsOf(declared, region), wait.timeoutMinutes));
    this.identities = ids.map((id, i) => identityStatus(domain.regions[i], id));
    const fromAddresses = spec?.fromAddresses ?? [];
    this.sending = setups.map((s, i) => ({
      region: domain.regions[i],
      configurationSetName: s.configurationSet.configurationSetName,
      topicArn: s.topicArn,
      senderPolicy: pulumi.all([ids[i].arn, s.configurationSet.arn]).apply(([identityArn, setArn]) => JSON.stringify(senderPolicy(identityArn, setArn, fromAddresses))),
    }));
    this.registerOutputs({ identities: this.identities, records: this.records, sending: this.sending });
  }
}
