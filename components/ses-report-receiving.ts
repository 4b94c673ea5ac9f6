import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Checker } from "../lib/check";
import { receivingRecords, DnsRecordSpec } from "../lib/records";
import { checkReceiving, ReceiptRuleSetMode, receiptRuleArn, receivingIdentityArgs, ReceivingSpec, reportsBucketPolicy, sesPutStatement } from "../lib/receiving";
import { SesReportReceivingArgs } from "./args";
import { dnsZone } from "./dns";
import { invalidArguments } from "./errors";
import { SesDomain } from "./ses-domain";

/** The model of valid arguments; invalid ones throw before anything is registered. */
function validate(name: string, args: SesReportReceivingArgs): ReceivingSpec {
  const c = new Checker();
  const spec = checkReceiving(c, args);
  if (c.problems.length || !spec) throw invalidArguments("SesReportReceiving", name, c.problems);
  return spec;
}

/** The created bucket: SSE-S3, no public access, messages expiring, and the policy that lets only this rule write. */
function reportsBucket(parent: pulumi.Resource, name: string, spec: ReceivingSpec, accountId: pulumi.Output<string>, protect: boolean): { bucket: pulumi.Output<string>; policy: aws.s3.BucketPolicy } {
  const opts = { parent };
  const { region } = spec;
  const bucket = new aws.s3.Bucket(`${name}-bucket`, { region, bucket: spec.bucket.name }, { parent, protect });
  const publicAccess = new aws.s3.BucketPublicAccessBlock(`${name}-bucket-public-access`, { region, bucket: bucket.bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, opts);
  new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-bucket-encryption`, { region, bucket: bucket.bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }, opts);
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-bucket-expiry`,
    { region, bucket: bucket.bucket, rules: [{ id: "expire-dmarc-reports", status: "Enabled", filter: { prefix: spec.prefix }, expiration: { days: spec.expirationDays } }] },
    opts,
  );
  // After the public access block: S3 checks a new policy against it.
  const policy = new aws.s3.BucketPolicy(`${name}-bucket-policy`, { region, bucket: bucket.bucket, policy: accountId.apply((account) => JSON.stringify(reportsBucketPolicy(spec, spec.bucket.name, account))) }, { parent, dependsOn: [publicAccess] });
  return { bucket: bucket.bucket, policy };
}

/**
 * Receives DMARC aggregate reports with SES and stores each message in S3: the receiving domain
 * verified in the receiving region (an SesDomain of its own, aligned on both paths, `p=reject`
 * since nothing should send as it), a bucket (created, or an existing one), a receipt rule for the report address with spam
 * and virus scanning and TLS required, the rule set (the component's own, made active, or a named
 * existing one), and last the MX, so no report arrives before the rule that stores it.
 * The bucket policy is in place before the rule: SES writes a test object when the rule is created.
 * Records come from lib/records.ts; invalid arguments fail before anything is registered.
 */
export class SesReportReceiving extends pulumi.ComponentResource {
  /** The address every `rua` names, e.g. `reports@dmarc.example.com`. */
  readonly address: string;
  /** The bucket the messages are stored in. */
  readonly bucketName: pulumi.Output<string>;
  /** The key prefix of every stored message. */
  readonly prefix: string;
  /** The SES receiving region. */
  readonly region: string;
  /** The receipt rule set holding the rule. */
  readonly ruleSetName: pulumi.Output<string>;
  /** The receipt rule's ARN, as the bucket policy's `aws:SourceArn` names it. */
  readonly ruleArn: pulumi.Output<string>;
  /** The policy statement (JSON) SES needs on the bucket; with an existing bucket, merge it into that bucket's policy. */
  readonly bucketPolicyStatement: pulumi.Output<string>;
  /** Every record this component manages: the receiving identity's, its MX and the report authorizations. */
  readonly records: pulumi.Output<DnsRecordSpec[]>;

  constructor(name: string, args: SesReportReceivingArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const spec = validate(name, args);
    super("ses-email-auth:index:SesReportReceiving", name, {}, opts);
    const protect = args.protect ?? false;
    const { region } = spec;
    // Verified in the receiving region, as SES requires (lib/receiving.ts says how).
    const identity = new SesDomain(spec.domain, { ...receivingIdentityArgs(spec, args.dns), protect }, { parent: this });
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    const created = spec.bucket.create ? reportsBucket(this, name, spec, accountId, protect) : undefined;
    const ruleSet = spec.ruleSet.mode === ReceiptRuleSetMode.CREATE ? new aws.ses.ReceiptRuleSet(`${name}-rule-set`, { region, ruleSetName: spec.ruleSet.name }, { parent: this }) : undefined;
    const rule = new aws.ses.ReceiptRule(
      `${name}-rule`,
      {
        region,
        ruleSetName: ruleSet ? ruleSet.ruleSetName : spec.ruleSet.name,
        name: spec.ruleName,
        enabled: true,
        recipients: [spec.address],
        scanEnabled: true,
        tlsPolicy: "Require",
        s3Actions: [{ bucketName: created ? created.bucket : spec.bucket.name, objectKeyPrefix: spec.prefix, position: 1 }],
        ...(spec.ruleSet.after && { after: spec.ruleSet.after }),
      },
      { parent: this, dependsOn: [identity, ...(created ? [created.policy] : [])] },
    );
    const active = ruleSet && new aws.ses.ActiveReceiptRuleSet(`${name}-active-rule-set`, { region, ruleSetName: ruleSet.ruleSetName }, { parent: this, dependsOn: [rule] });
    const zone = dnsZone({ provider: spec.dns.provider, zone: spec.dns.zone ?? args.dns.zone, allowOverwrite: spec.dns.allowOverwrite });
    const own = receivingRecords(spec);
    for (const r of own) zone.addRecord({ key: r.key, type: r.type, ttl: r.ttl, name: r.name, values: r.values }, { parent: this, dependsOn: [active ?? rule] });

    this.address = spec.address;
    this.bucketName = created ? created.bucket : pulumi.output(spec.bucket.name);
    this.prefix = spec.prefix;
    this.region = region;
    this.ruleSetName = rule.ruleSetName;
    this.ruleArn = accountId.apply((account) => receiptRuleArn(spec, account));
    this.bucketPolicyStatement = accountId.apply((account) => JSON.stringify(sesPutStatement(spec, spec.bucket.name, account)));
    this.records = identity.records.apply((records) => [...records, ...own]);
    this.registerOutputs({ address: this.address, bucketName: this.bucketName, prefix: this.prefix, region, ruleSetName: this.ruleSetName, ruleArn: this.ruleArn, bucketPolicyStatement: this.bucketPolicyStatement, records: this.records });
  }
}
