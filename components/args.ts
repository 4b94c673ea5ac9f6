/**
 * SesDomain's public arguments: plain data a person writes, each optional property with its
 * default. They are also the multi-language component's schema (plugin/), which the Node SDK's
 * analyzer infers from these interfaces: so only named interfaces, enums, strings, numbers,
 * booleans, lists and string maps here, no unions. lib/domain.ts checks them.
 */
import * as pulumi from "@pulumi/pulumi";
import { Alignment, DmarcPolicy, Standards } from "../lib/dmarc";
import { ReceiptRuleSetMode } from "../lib/receiving";
import { DkimSigning, DnsProvider, EasyDkimKeyLength, MailFromMxFailure, SesEventType } from "../lib/spec";

/** Where the domain's DNS records are written. */
export interface DnsTarget {
  /** The DNS provider holding the zone. */
  provider: DnsProvider;
  /**
   * Route 53: the hosted zone's name (looked up once, e.g. `example.com`) or id (`Z0123456789ABC`, or an
   * output such as `zone.zoneId`); Cloudflare: the zone id (32 hex characters, or an output such as `zone.id`).
   * The zone must hold the domain: its name is the domain or a parent of it.
   */
  zone: pulumi.Input<string>;
  /**
   * Route 53 only: take over records that already exist at these names instead of failing.
   * @default false
   */
  allowOverwrite?: boolean;
}

/** The custom MAIL FROM domain, a subdomain of the domain, which aligns SPF with DMARC. */
export interface MailFromArgs {
  /**
   * false: no custom MAIL FROM; SES sends from amazonses.com, SPF cannot align, and only DKIM can pass DMARC.
   * @default true
   */
  enabled?: boolean;
  /**
   * The label under the domain: `bounce` gives `bounce.example.com`.
   * @default "bounce"
   */
  subdomain?: string;
  /**
   * One MAIL FROM domain per region (`bounce-us-east-1.example.com`, …) instead of one shared by all.
   * @default false
   */
  perRegion?: boolean;
  /**
   * What SES does while the MAIL FROM MX record is missing.
   * @default MailFromMxFailure.REJECT
   */
  onMxFailure?: MailFromMxFailure;
}

/** How the domain's mail is DKIM-signed (SES signs as `d=<domain>`, which aligns with every From domain below it). */
export interface DkimArgs {
  /**
   * Easy DKIM (SES makes and rotates the keys) or BYODKIM (you bring the key pair).
   * @default DkimSigning.EASY
   */
  signing?: DkimSigning;
  /**
   * Easy DKIM only: the length of the keys SES makes.
   * @default EasyDkimKeyLength.RSA_2048_BIT
   */
  keyLength?: EasyDkimKeyLength;
  /**
   * BYODKIM only, required: the selector, at most 63 characters, e.g. `ses2026`; the key record is
   * `<selector>._domainkey.<domain>`.
   * @default none
   */
  selector?: string;
  /**
   * BYODKIM only, required: the RSA public key (1024 to 2048 bits), base64 DER (SPKI or PKCS#1), without PEM lines.
   * @default none
   */
  publicKey?: string;
  /**
   * BYODKIM only, required: the matching private key, base64 DER (PKCS#8 or PKCS#1), without PEM
   * lines. Pass a secret (`config.requireSecret(…)`); it is sent to SES as one either way.
   * @default none
   */
  privateKey?: pulumi.Input<string>;
}

/** The DMARC record at `_dmarc.<domain>`. */
export interface DmarcArgs {
  /**
   * false: the record is published outside this component, which writes none.
   * @default true
   */
  manage?: boolean;
  /**
   * `p=`: what receivers do with mail that fails DMARC.
   * @default DmarcPolicy.NONE
   */
  policy?: DmarcPolicy;
  /**
   * `sp=`: the policy for subdomains without their own record.
   * @default the policy (no `sp=` tag)
   */
  subdomainPolicy?: DmarcPolicy;
  /**
   * `np=` (RFC 9989): the policy for subdomains that do not exist; SES never sends from one, so `reject` costs nothing.
   * @default the subdomain policy (no `np=` tag)
   */
  nonexistentSubdomainPolicy?: DmarcPolicy;
  /**
   * `t=y` (RFC 9989 test mode): receivers apply the policy one level lower (reject as quarantine, quarantine as none).
   * Pair it with `percent: 0` so RFC 7489 receivers, which ignore `t`, step down too.
   * @default false
   */
  testing?: boolean;
  /**
   * `pct=` (RFC 7489; historic in RFC 9989): the share of failing mail the policy applies to, 0 to 100.
   * RFC 9989 receivers ignore it and enforce on all failing mail, so 1 to 99 is warned about.
   * @default 100 (no `pct=` tag)
   */
  percent?: number;
  /**
   * `rua=`: where aggregate reports go, as `mailto:` URIs.
   * @default no reports
   */
  rua?: string[];
  /**
   * `ruf=`: where failure reports go, as `mailto:` URIs.
   * @default no reports
   */
  ruf?: string[];
  /**
   * `adkim=`: how closely the DKIM domain must match the From domain.
   * @default Alignment.RELAXED
   */
  adkim?: Alignment;
  /**
   * `aspf=`: how closely the MAIL FROM domain must match the From domain (strict never aligns for SES).
   * @default Alignment.RELAXED
   */
  aspf?: Alignment;
  /**
   * The receivers `verify` judges this domain's mail for: `both` (RFC 7489 with the public suffix
   * list, and RFC 9989's tree walk), `rfc7489` or `rfc9989`. Writes nothing to DNS.
   * @default Standards.BOTH
   */
  standards?: Standards;
}

/** Production sending in each region: a configuration set the identity uses by default, publishing events to an SNS topic. */
export interface SendingArgs {
  /**
   * The event types published.
   * @default [BOUNCE, COMPLAINT, REJECT]
   */
  events?: SesEventType[];
  /**
   * TLS policy REQUIRE: SES refuses delivery to a receiver that cannot do TLS.
   * @default false
   */
  requireTls?: boolean;
  /**
   * Also publish the events to the region's default EventBridge bus.
   * @default false
   */
  eventBridge?: boolean;
  /**
   * Region → an existing SNS topic in that region; a topic is created for every other region.
   * @default {}
   */
  topicArns?: Record<string, string>;
  /**
   * Whether SES keeps emailing bounces and complaints to the Return-Path address.
   * @default false when both BOUNCE and COMPLAINT are published, true otherwise
   */
  feedbackForwarding?: boolean;
  /**
   * The From addresses the sender's IAM policy allows (`ses:FromAddress`, `*` wildcards), each in one of the From domains.
   * @default any
   */
  fromAddresses?: string[];
}

/** Whether `pulumi up` waits until SES has verified the domain, in each region, before it goes on. */
export interface VerificationArgs {
  /**
   * Wait, per region, until SES reports the domain verified (an `aws.ses.DomainIdentityVerification`
   * that starts once that region's DKIM records are written); `pulumi up` fails if one is not by the timeout.
   * @default false
   */
  wait?: boolean;
  /**
   * How long to wait for each region, in minutes: more than 0, at most 4320 (SES gives up after 72 hours).
   * @default 45
   */
  timeoutMinutes?: number;
}

/** An SES sending domain that passes DMARC in every region, with every DNS record it needs. */
export interface SesDomainArgs {
  /** The domain SES verifies and signs as (`d=`), e.g. `example.com`. */
  domain: string;
  /** The SES regions to verify the domain in, e.g. `["us-east-1", "eu-west-1"]`; each gets its own identity. */
  regions: string[];
  /** Where the domain's DNS records are written. */
  dns: DnsTarget;
  /**
   * The domains used in `From:` headers: the domain or its subdomains. Each is judged for DMARC alignment.
   * @default [domain]
   */
  fromDomains?: string[];
  /**
   * The custom MAIL FROM domain.
   * @default `bounce.<domain>`, shared by every region, SES refusing to send while its MX is missing
   */
  mailFrom?: MailFromArgs;
  /**
   * DKIM signing.
   * @default Easy DKIM with 2048-bit keys
   */
  dkim?: DkimArgs;
  /**
   * The DMARC record.
   * @default `v=DMARC1; p=none`, written by this component
   */
  dmarc?: DmarcArgs;
  /**
   * The TTL of every record, in seconds: 60 to 86400, or 1 (automatic) on Cloudflare.
   * @default 3600
   */
  ttl?: number;
  /**
   * Production sending in each region.
   * @default none
   */
  sending?: SendingArgs;
  /**
   * Protect the identities and the DKIM and DMARC records from deletion (their loss breaks DMARC at once).
   * @default false
   */
  protect?: boolean;
  /**
   * Waiting, during `pulumi up`, until SES has verified the domain in each region.
   * @default no wait: `pulumi up` ends once the identities and records exist
   */
  verification?: VerificationArgs;
  /**
   * Resources that exist already (a setup made by hand), imported instead of created: each
   * resource's name (`<domain>-<region>`, `<domain>-dmarc`, …) → its provider's import id, as
   * `npm run adopt` prints them. Remove it once `pulumi up` has adopted them.
   * @default none: every resource is created
   */
  adopt?: Record<string, string>;
}

/** Which receipt rule set the reports rule goes into: SES has one active set per account and region. */
export interface ReceiptRuleSetArgs {
  /**
   * `create`: a set of the stack's own, made the active one (it replaces any set active before);
   * `existing`: the rule is added to the named set, which must be (or be made) active outside the stack.
   * @default ReceiptRuleSetMode.CREATE
   */
  mode?: ReceiptRuleSetMode;
  /**
   * The set's name: the stack's own set's, or (required with `existing`) the existing set's.
   * @default "ses-email-auth-reports"
   */
  name?: string;
  /**
   * `existing` only: the rule goes right after this rule of the set.
   * @default first in the set
   */
  after?: string;
}

/** Receiving DMARC aggregate reports with SES in S3, at a dedicated receiving domain (docs/reports.md). */
export interface SesReportReceivingArgs {
  /**
   * The dedicated receiving domain, e.g. `dmarc.example.com`: its MX routes all of its mail to SES, so
   * it must not be a domain that receives mail elsewhere (a sending, From or MAIL FROM domain).
   */
  domain: string;
  /** The SES region that receives the mail: one with an inbound endpoint (lib/regions.ts RECEIVING_REGIONS). */
  region: string;
  /** The zone the receiving domain's records go to. */
  dns: DnsTarget;
  /**
   * The local part of the report address: `reports` gives `reports@<domain>`.
   * @default "reports"
   */
  localPart?: string;
  /**
   * The bucket's name: the one the component creates, or (with `createBucket: false`) an existing one.
   * @default `<domain with dots as hyphens>-reports`, e.g. `dmarc-example-com-reports`
   */
  bucketName?: string;
  /**
   * Create the bucket (encrypted, public access blocked, messages expiring, writable by this rule only);
   * false: store in the existing `bucketName`, whose policy must allow SES's write (the `bucketPolicyStatement` output).
   * @default true
   */
  createBucket?: boolean;
  /**
   * The key prefix of every stored message, ending in `/`.
   * @default "dmarc/"
   */
  prefix?: string;
  /**
   * Created bucket only: stored messages are deleted after this many days, 1 to 36500.
   * @default 365
   */
  expirationDays?: number;
  /**
   * The receipt rule set the rule goes into.
   * @default a set of the component's own, `ses-email-auth-reports`, made active
   */
  ruleSet?: ReceiptRuleSetArgs;
  /**
   * The receipt rule's name, unique in its set.
   * @default "dmarc-aggregate-reports"
   */
  ruleName?: string;
  /**
   * The TTL of the receiving domain's records, in seconds: 60 to 86400, or 1 (automatic) on Cloudflare.
   * @default 3600
   */
  ttl?: number;
  /**
   * Policy domains whose `rua` names the report address: each in another organizational domain gets
   * the authorization record `<domain>._report._dmarc.<receiving domain>` (RFC 7489 §7.1).
   * @default []
   */
  authorizedDomains?: string[];
  /**
   * Protect the bucket and the receiving identity from deletion.
   * @default false
   */
  protect?: boolean;
}
