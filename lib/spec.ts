/**
 * The validated model of a stack: what `lib/config.ts` produces from stack config and every front
 * end consumes. Each property says its default, as the stack config documents it.
 */
import { DmarcSpec, Standards } from "./dmarc";
import type { GlobalEndpointSpec } from "./global-endpoint";
import type { ReceivingSpec } from "./receiving";
import type { VerificationSpec } from "./verification";

/** Where a domain's DNS records are written. */
export enum DnsProvider {
  /** Amazon Route 53: a hosted zone, by name or id. */
  ROUTE53 = "route53",
  /** Cloudflare: a zone, by id; the records DNS-only. */
  CLOUDFLARE = "cloudflare",
}
export const DNS_PROVIDERS: readonly DnsProvider[] = [DnsProvider.ROUTE53, DnsProvider.CLOUDFLARE];

/** A Route 53 hosted zone id (`Z0123456789ABC`), as opposed to a zone name. */
export function isHostedZoneId(zone: string): boolean {
  return /^Z[A-Z0-9]{1,31}$/.test(zone);
}

/** SES `behaviorOnMxFailure`, named for what it does to mail. */
export enum MailFromMxFailure {
  /** REJECT_MESSAGE: SES refuses to send while the MX is missing, so no unaligned mail leaves. Default. */
  REJECT = "reject",
  /** USE_DEFAULT_VALUE: SES silently falls back to amazonses.com; SPF no longer aligns. */
  USE_DEFAULT = "use-default",
}
export const MAIL_FROM_MX_FAILURES: readonly MailFromMxFailure[] = [MailFromMxFailure.REJECT, MailFromMxFailure.USE_DEFAULT];

/** SES's value for each choice. */
export const BEHAVIOR_ON_MX_FAILURE: Record<MailFromMxFailure, string> = {
  [MailFromMxFailure.REJECT]: "REJECT_MESSAGE",
  [MailFromMxFailure.USE_DEFAULT]: "USE_DEFAULT_VALUE",
};

/** Easy DKIM key length, as SES names it. */
export enum EasyDkimKeyLength {
  /** For receivers or DNS hosts that cannot take a 2048-bit key. */
  RSA_1024_BIT = "RSA_1024_BIT",
  /** The default. */
  RSA_2048_BIT = "RSA_2048_BIT",
}
export const EASY_DKIM_KEY_LENGTHS: readonly EasyDkimKeyLength[] = [EasyDkimKeyLength.RSA_1024_BIT, EasyDkimKeyLength.RSA_2048_BIT];

/** Who makes the DKIM keys the domain's mail is signed with. */
export enum DkimSigning {
  /** Easy DKIM: SES makes the keys and rotates them; 3 CNAMEs per region. The default. */
  EASY = "easy",
  /** BYODKIM: you bring the key pair; one TXT record at `<selector>._domainkey.<domain>` serves every region. */
  BYODKIM = "byodkim",
}
export const DKIM_SIGNINGS: readonly DkimSigning[] = [DkimSigning.EASY, DkimSigning.BYODKIM];

/** How the domain's mail is DKIM-signed: one strategy object per SES choice. */
export type DkimSpec =
  /** Easy DKIM: SES makes the keys, 3 CNAMEs per region. */
  | { kind: "easy"; keyLength: EasyDkimKeyLength }
  /**
   * BYODKIM: the stack brings the key; one TXT at `<selector>._domainkey.<domain>` serves every region.
   * The private key is a secret the component passes to SES; only the public half is in this model.
   */
  | { kind: "byodkim"; selector: string; publicKey: string };

export interface MailFromSpec {
  /** The label under the domain: `bounce` gives `bounce.example.com`. Default `bounce`. */
  subdomain: string;
  /** One MAIL FROM domain per region (`bounce-<region>`) instead of one shared by all. Default false. */
  perRegion: boolean;
  /** What SES does when the MX is missing. Default reject. */
  onMxFailure: MailFromMxFailure;
}

export interface DomainDmarcSpec extends DmarcSpec {
  /** false: DMARC is published outside this stack and no record is written. Default true. */
  manage: boolean;
  /** The receivers `verify` judges this domain's mail for: both (default), rfc7489 or rfc9989. */
  standards: Standards;
}

/** Where a domain's records are written. */
export interface DnsTargetSpec {
  provider: DnsProvider;
  /** Route 53: hosted zone name or id; Cloudflare: zone id. Undefined when given as an output, known only at deployment. */
  zone?: string;
  /** Route 53 only: take over records that already exist at these names. Default false. */
  allowOverwrite: boolean;
}

export interface DomainSpec {
  /** The SES domain identity, lower case. */
  name: string;
  dns: DnsTargetSpec;
  /** SES regions, each with its own identity. */
  regions: string[];
  /** Domains used in From: headers; each is the domain or below it. Default [name]. */
  fromDomains: string[];
  /** Custom MAIL FROM; undefined when disabled (`mailFrom: false`), then only DKIM can align. */
  mailFrom?: MailFromSpec;
  dkim: DkimSpec;
  dmarc: DomainDmarcSpec;
  /** TTL of every record, seconds; 1 means automatic on Cloudflare. Default 3600. */
  ttl: number;
  /** Production sending setup per region; undefined (the default) declares none. */
  sending?: SendingSpec;
  /** `pulumi up` waits, per region, until SES has verified the domain; undefined (the default): no wait. */
  verification?: VerificationSpec;
  /** Resources that exist already (a hand-made setup): logical name → import id (lib/adopt.ts); undefined (the default): none. */
  adopt?: Record<string, string>;
}

/** A domain of the stack config. */
export interface StackDomainSpec extends DomainSpec {
  /** BYODKIM: the secret config key holding the private key. */
  privateKeyConfig?: string;
}

export interface StackSpec {
  dnsProvider: DnsProvider;
  /** The stack-wide default SES regions. */
  regions: string[];
  domains: StackDomainSpec[];
  /** Email-address identities, verified by the link AWS mails; no DNS. */
  addresses: AddressSpec[];
  /** Protect identities and DKIM/DMARC records from deletion (resource option `protect`). Default false. */
  protect: boolean;
  /** A global endpoint between two of the stack's regions; undefined (the default): none. */
  globalEndpoint?: GlobalEndpointSpec;
  /** Receiving DMARC aggregate reports with SES; undefined (the default): none. */
  reports?: ReceivingSpec;
}

export interface AddressSpec {
  address: string;
  regions: string[];
}

/** SES's sending event types (SESv2 `EventType`), as event destinations match them. */
export enum SesEventType {
  /** SES accepted the message for delivery. */
  SEND = "SEND",
  /** SES refused the message (a virus in it). */
  REJECT = "REJECT",
  /** The receiver refused the message for good (a hard bounce). */
  BOUNCE = "BOUNCE",
  /** The recipient marked the message as spam. */
  COMPLAINT = "COMPLAINT",
  /** The receiver accepted the message. */
  DELIVERY = "DELIVERY",
  /** The recipient opened the message (open tracking). */
  OPEN = "OPEN",
  /** The recipient followed a link (click tracking). */
  CLICK = "CLICK",
  /** A template could not be rendered. */
  RENDERING_FAILURE = "RENDERING_FAILURE",
  /** The receiver has not accepted the message yet (a temporary failure). */
  DELIVERY_DELAY = "DELIVERY_DELAY",
  /** The recipient changed their subscription preferences. */
  SUBSCRIPTION = "SUBSCRIPTION",
}
export const SES_EVENT_TYPES: readonly SesEventType[] = Object.values(SesEventType);

/** What a production sender gets in each region: a configuration set the identity uses by default, publishing events. */
export interface SendingSpec {
  /** Event types published to the SNS topic (and EventBridge). Default BOUNCE, COMPLAINT, REJECT. */
  events: SesEventType[];
  /** TLS policy REQUIRE: SES refuses delivery to a receiver that cannot do TLS. Default false (OPTIONAL). */
  requireTls: boolean;
  /** Also publish the events to the region's default EventBridge bus. Default false. */
  eventBridge: boolean;
  /** Region → an existing SNS topic in that region; the stack creates a topic for every other region. Default {}. */
  topicArns: Record<string, string>;
  /**
   * Whether SES keeps emailing bounces and complaints to the Return-Path address. Default: off when
   * both BOUNCE and COMPLAINT are published, on otherwise (SES requires one of the two).
   */
  feedbackForwarding: boolean;
  /** From addresses the sender policy allows (`ses:FromAddress`, `*` wildcards); empty: any. Default []. */
  fromAddresses: string[];
}
