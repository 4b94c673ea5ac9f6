/**
 * Receiving DMARC reports (stack config `reports`, SesReportReceiving) under the mock runtime:
 * the exact bucket policy, the receipt rule, the MX and the report authorizations, the rua
 * default, both rule set modes, an existing bucket, the order SES needs; the pack's
 * dmarc-report-authorization over the registered resources; bad configs register nothing.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SesReportReceiving } from "../../components/ses-report-receiving";
import { ConfigError } from "../../lib/config";
import { DnsProvider } from "../../lib/spec";
import { fromRegistrations } from "../../tools/plan/engine";
import { plain, ProgramFailed, ProgramRun, Registration, runProgram } from "../../tools/mock-run";
import { MOCK_ACCOUNT } from "../../tools/provider-mocks";
import { runPolicies } from "../../tools/run-policies";
import { readStackConfig } from "../../tools/stack-config";
import { assertRefused } from "../fixtures/refusals";
import { CLOUDFLARE_ZONE, exampleDomain, stackConfig, StackInput } from "../fixtures/stacks";
import { CF, IDENTITY, inputs, ofType, one, R53 } from "./registrations";

const RULE = "aws:ses/receiptRule:ReceiptRule";
const RULE_SET = "aws:ses/receiptRuleSet:ReceiptRuleSet";
const ACTIVE = "aws:ses/activeReceiptRuleSet:ActiveReceiptRuleSet";
const BUCKET = "aws:s3/bucket:Bucket";
const POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const PUBLIC_ACCESS = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
const LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";

const REPORTS = { domain: "dmarc.example.com", zone: "example.com" };
const TWO_DOMAINS = [exampleDomain({ dmarc: { policy: "quarantine" } }), exampleDomain({ name: "example.org", zone: "example.org", fromDomains: undefined, dmarc: undefined })];

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
const dependsOn = (r: Registration) => r.dependencies.map(nameOf);

function stack(input: StackInput, preview = false): Promise<ProgramRun> {
  return runProgram({ config: stackConfig(input), preview });
}

describe("components: SesReportReceiving (stack config reports)", () => {
  let run: ProgramRun;
  before(async () => {
    run = await stack({ regions: ["us-east-1", "eu-west-1"], domains: TWO_DOMAINS, reports: REPORTS });
  });

  it("lets only this account's receipt rule write, under the prefix, and nothing over plain HTTP: the exact policy", () => {
    const policy = inputs(one(run, POLICY));
    assert.equal(policy.bucket, "dmarc-example-com-reports");
    assert.deepEqual(JSON.parse(policy.policy), {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AllowSESPutsFromThisReceiptRule",
          Effect: "Allow",
          Principal: { Service: "ses.amazonaws.com" },
          Action: "s3:PutObject",
          Resource: "arn:aws:s3:::dmarc-example-com-reports/dmarc/*",
          Condition: {
            StringEquals: {
              "aws:SourceAccount": MOCK_ACCOUNT,
              "aws:SourceArn": `arn:aws:ses:us-east-1:${MOCK_ACCOUNT}:receipt-rule-set/ses-email-auth-reports:receipt-rule/dmarc-aggregate-reports`,
            },
          },
        },
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: ["arn:aws:s3:::dmarc-example-com-reports", "arn:aws:s3:::dmarc-example-com-reports/*"],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    });
    // The ARN the policy names is the one the provider gives the rule.
    const rule = one(run, RULE);
    assert.equal((plain(rule.outputs) as any).arn, JSON.parse(policy.policy).Statement[0].Condition.StringEquals["aws:SourceArn"]);
  });

  it("creates the bucket in the receiving region, encrypted, public access blocked, messages expiring", () => {
    assert.deepEqual(inputs(one(run, BUCKET)), { region: "us-east-1", bucket: "dmarc-example-com-reports" });
    assert.deepEqual(inputs(one(run, PUBLIC_ACCESS)), { region: "us-east-1", bucket: "dmarc-example-com-reports", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    assert.deepEqual(inputs(one(run, ENCRYPTION)), { region: "us-east-1", bucket: "dmarc-example-com-reports", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] });
    assert.deepEqual(inputs(one(run, LIFECYCLE)).rules, [{ id: "expire-dmarc-reports", status: "Enabled", filter: { prefix: "dmarc/" }, expiration: { days: 365 } }]);
  });

  it("declares the rule for the report address with scanning on, TLS required and an S3 action, after the bucket policy", () => {
    const rule = one(run, RULE);
    assert.deepEqual(inputs(rule), {
      region: "us-east-1",
      ruleSetName: "ses-email-auth-reports",
      name: "dmarc-aggregate-reports",
      enabled: true,
      recipients: ["reports@dmarc.example.com"],
      scanEnabled: true,
      tlsPolicy: "Require",
      s3Actions: [{ bucketName: "dmarc-example-com-reports", objectKeyPrefix: "dmarc/", position: 1 }],
    });
    // SES writes a test object when the rule is created, and receives only for a verified domain.
    assert.ok(dependsOn(rule).includes("dmarc-reports-bucket-policy"), JSON.stringify(dependsOn(rule)));
    assert.ok(dependsOn(rule).includes("dmarc.example.com-us-east-1"));
    assert.deepEqual(dependsOn(one(run, POLICY)).sort(), ["dmarc-reports-bucket", "dmarc-reports-bucket-public-access"]);
  });

  it("creates its own rule set and activates it once the rule is in it", () => {
    assert.deepEqual(inputs(one(run, RULE_SET)), { region: "us-east-1", ruleSetName: "ses-email-auth-reports" });
    const active = one(run, ACTIVE);
    assert.deepEqual(inputs(active), { region: "us-east-1", ruleSetName: "ses-email-auth-reports" });
    assert.ok(dependsOn(active).includes("dmarc-reports-rule"));
  });

  it("verifies the receiving domain in the receiving region only, aligned on both paths, rejecting whatever claims to be from it", () => {
    const ids = ofType(run, IDENTITY).filter((r) => inputs(r).emailIdentity === "dmarc.example.com");
    assert.deepEqual(ids.map((r) => inputs(r).region), ["us-east-1"]);
    const record = (name: string) => ofType(run, R53).map(inputs).find((i) => i.name === name)?.records;
    assert.deepEqual(record("_dmarc.dmarc.example.com"), ["v=DMARC1; p=reject"]);
    assert.deepEqual(record("bounce.dmarc.example.com"), ["10 feedback-smtp.us-east-1.amazonses.com"]);
    // Its identity is a child of the receiving component's own SesDomain, not a domain of the stack's.
    const parent = run.registrations.find((r) => r.urn === ids[0].parent)!;
    assert.equal(parent.type, "ses-email-auth:index:SesDomain");
    assert.equal(run.registrations.find((r) => r.urn === parent.parent)!.type, "ses-email-auth:index:SesReportReceiving");
  });

  it("writes the MX to the region's inbound endpoint, and the authorization only for the other organization, after the rule set is active", () => {
    const records = ofType(run, R53).filter((r) => /reports-mx|report-authorization/.test(r.name));
    assert.deepEqual(
      records.map((r) => [inputs(r).name, inputs(r).type, inputs(r).records, inputs(r).ttl]),
      [
        ["dmarc.example.com", "MX", ["10 inbound-smtp.us-east-1.amazonaws.com"], 3600],
        ["example.org._report._dmarc.dmarc.example.com", "TXT", ["v=DMARC1"], 3600],
      ],
    );
    for (const r of records) assert.ok(dependsOn(r).includes("dmarc-reports-active-rule-set"), r.name);
    // In the zone of the receiving domain.
    assert.equal(new Set(records.map((r) => inputs(r).zoneId)).size, 1);
    assert.deepEqual(
      (run.outputs.records as { name: string; role: string }[]).filter((r) => /report/.test(r.role)).map((r) => [r.role, r.name]),
      [
        ["reports-mx", "dmarc.example.com"],
        ["report-authorization", "example.org._report._dmarc.dmarc.example.com"],
      ],
    );
  });

  it("points every domain's rua at the report address unless the domain lists its own", async () => {
    const dmarcOf = (r: ProgramRun, domain: string) => ofType(r, R53).map(inputs).find((i) => i.name === `_dmarc.${domain}`)?.records[0];
    assert.equal(dmarcOf(run, "example.com"), "v=DMARC1; p=quarantine; rua=mailto:reports@dmarc.example.com");
    assert.equal(dmarcOf(run, "example.org"), "v=DMARC1; p=none; rua=mailto:reports@dmarc.example.com");
    const own = await stack({ regions: ["us-east-1"], domains: [exampleDomain(), exampleDomain({ name: "example.org", zone: "example.org", fromDomains: undefined, dmarc: { rua: [] } })], reports: REPORTS });
    assert.equal(dmarcOf(own, "example.com"), "v=DMARC1; p=quarantine; pct=25; rua=mailto:dmarcreports@example.com");
    assert.equal(dmarcOf(own, "example.org"), "v=DMARC1; p=none");
    // Neither names the report address: nothing to authorize.
    assert.deepEqual(ofType(own, R53).filter((r) => r.name.includes("report-authorization")), []);
  });

  it("gives the report address, bucket, prefix, region and rule set as the reports output; a stack without reports has none", async () => {
    assert.deepEqual(run.outputs.reports, { address: "reports@dmarc.example.com", bucket: "dmarc-example-com-reports", prefix: "dmarc/", region: "us-east-1", ruleSet: { name: "ses-email-auth-reports", mode: "create" } });
    const without = await stack({ regions: ["us-east-1"], domains: TWO_DOMAINS });
    assert.ok(!("reports" in without.outputs));
    assert.deepEqual(without.registrations.filter((r) => /receipt|s3\//.test(r.type)), []);
  });

  it("adds the rule to a named existing set, after a given rule, creating and activating none", async () => {
    const existing = await stack({ regions: ["eu-west-1"], domains: TWO_DOMAINS, reports: { ...REPORTS, ruleSet: { mode: "existing", name: "inbound", after: "support" } } });
    assert.deepEqual(ofType(existing, RULE_SET), []);
    assert.deepEqual(ofType(existing, ACTIVE), []);
    const rule = inputs(one(existing, RULE));
    assert.equal(rule.ruleSetName, "inbound");
    assert.equal(rule.after, "support");
    assert.equal(rule.region, "eu-west-1");
    assert.match(JSON.parse(inputs(one(existing, POLICY)).policy).Statement[0].Condition.StringEquals["aws:SourceArn"], /:eu-west-1:123456789012:receipt-rule-set\/inbound:receipt-rule\/dmarc-aggregate-reports$/);
    // The MX waits for the rule instead of the activation.
    const mx = ofType(existing, R53).find((r) => r.name.endsWith("reports-mx"))!;
    assert.deepEqual(inputs(mx).records, ["10 inbound-smtp.eu-west-1.amazonaws.com"]);
    assert.ok(dependsOn(mx).includes("dmarc-reports-rule"));
    assert.deepEqual((existing.outputs.reports as any).ruleSet, { name: "inbound", mode: "existing" });
  });

  it("stores in an existing bucket without touching it, and outputs the statement its policy needs", async () => {
    const existing = await stack({ regions: ["us-east-1"], domains: TWO_DOMAINS, reports: { ...REPORTS, bucket: "corp-mail-archive", createBucket: false, prefix: "dmarc/reports/" } });
    for (const type of [BUCKET, POLICY, PUBLIC_ACCESS, ENCRYPTION, LIFECYCLE]) assert.deepEqual(ofType(existing, type), [], type);
    assert.deepEqual(inputs(one(existing, RULE)).s3Actions, [{ bucketName: "corp-mail-archive", objectKeyPrefix: "dmarc/reports/", position: 1 }]);
    const output = existing.outputs.reports as Record<string, any>;
    assert.equal(output.bucket, "corp-mail-archive");
    assert.deepEqual(JSON.parse(output.bucketPolicyStatement), {
      Sid: "AllowSESPutsFromThisReceiptRule",
      Effect: "Allow",
      Principal: { Service: "ses.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: "arn:aws:s3:::corp-mail-archive/dmarc/reports/*",
      Condition: { StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT, "aws:SourceArn": `arn:aws:ses:us-east-1:${MOCK_ACCOUNT}:receipt-rule-set/ses-email-auth-reports:receipt-rule/dmarc-aggregate-reports` } },
    });
  });

  it("writes to Cloudflare through the DNS adapter, and protects the bucket with the stack", async () => {
    const cf = await stack({ regions: ["us-east-1"], dnsProvider: "cloudflare", protect: true, domains: [exampleDomain({ zone: CLOUDFLARE_ZONE, dmarc: { policy: "none" } })], reports: { domain: "dmarc.example.net", zone: CLOUDFLARE_ZONE, ttl: 1 } });
    const mx = ofType(cf, CF).map(inputs).find((i) => i.type === "MX" && i.name === "dmarc.example.net");
    assert.deepEqual(mx && [mx.priority, mx.content, mx.ttl, mx.zoneId], [10, "inbound-smtp.us-east-1.amazonaws.com", 1, CLOUDFLARE_ZONE]);
    const auth = ofType(cf, CF).map(inputs).find((i) => i.name === "example.com._report._dmarc.dmarc.example.net");
    assert.equal(auth?.content, '"v=DMARC1"');
    assert.equal(one(cf, BUCKET).protect, true);
  });

  it("registers nothing computed inside an apply: every resource is declared with the program, in preview too", async () => {
    const preview = await stack({ regions: ["us-east-1", "eu-west-1"], domains: TWO_DOMAINS, reports: REPORTS }, true);
    assert.deepEqual(preview.registrations.map((r) => r.urn).sort(), run.registrations.map((r) => r.urn).sort());
  });

  it("passes the production policy config, both alignment paths required, in preview and after apply", async () => {
    const config = readStackConfig(join(__dirname, "..", ".."), "prod");
    const domains = JSON.parse(config["ses-email-auth:domains"]).map((d: Record<string, any>) => ({ ...d, dmarc: { ...d.dmarc, rua: undefined } }));
    config["ses-email-auth:domains"] = JSON.stringify(domains);
    config["ses-email-auth:reports"] = JSON.stringify(REPORTS);
    const policyConfig = JSON.parse(readFileSync(join(__dirname, "..", "..", "policy", "config.prod.json"), "utf8"));
    for (const preview of [true, false]) {
      const prod = await runProgram({ config, preview, stack: "prod" });
      const findings = await runPolicies(fromRegistrations(prod.registrations, config, "prod").resources, policyConfig);
      assert.deepEqual(findings.filter((f) => f.level === "mandatory"), [], `${preview ? "preview" : "after apply"}: ${JSON.stringify(findings)}`);
    }
  });

  it("is accepted by dmarc-report-authorization: every report address outside a domain's organization is authorized", async () => {
    const config = stackConfig({ regions: ["us-east-1"], domains: TWO_DOMAINS, reports: REPORTS });
    const findings = await runPolicies(fromRegistrations(run.registrations, config, "dev").resources);
    assert.deepEqual(findings.filter((f) => f.policy === "dmarc-report-authorization"), []);
    assert.deepEqual(findings.filter((f) => f.level === "mandatory"), []);
    // Without the authorization record the same policy fails the stack.
    const stripped = run.registrations.filter((r) => !r.name.includes("report-authorization"));
    const failing = await runPolicies(fromRegistrations(stripped, config, "dev").resources, { "dmarc-report-authorization": "mandatory" });
    assert.ok(failing.some((f) => f.policy === "dmarc-report-authorization" && f.message.includes("example.org._report._dmarc.dmarc.example.com")), JSON.stringify(failing));
  });

  it("refuses bad reports config naming each key, registering nothing", async () => {
    const base = { regions: ["us-east-1"], domains: [exampleDomain()], addresses: ["ops@alerts.example.com"] };
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ zone: "example.com" }, "ses-email-auth:reports.domain", /is required/],
      [{ domain: "example.com", zone: "example.com" }, "ses-email-auth:reports.domain", /is also ses-email-auth:domains\[0\]\.name, which sends mail/],
      [{ domain: "news.example.com", zone: "example.com" }, "ses-email-auth:reports.domain", /fromDomains\[1\], which sends mail/],
      [{ domain: "bounce.example.com", zone: "example.com" }, "ses-email-auth:reports.domain", /under the MAIL FROM domain bounce\.example\.com/],
      [{ domain: "x.bounce.example.com", zone: "example.com" }, "ses-email-auth:reports.domain", /under the MAIL FROM domain/],
      [{ domain: "alerts.example.com", zone: "example.com" }, "ses-email-auth:reports.domain", /domain of ses-email-auth:addresses\[0\]/],
      [{ domain: "co.uk", zone: "example.com" }, "ses-email-auth:reports.domain", /public suffix/],
      [{ ...REPORTS, region: "ap-east-1" }, "ses-email-auth:reports.region", /a region where SES receives mail: us-east-1, .*; got "ap-east-1"/],
      [{ ...REPORTS, region: "us-west-1" }, "ses-email-auth:reports.region", /got "us-west-1"/],
      [{ domain: "dmarc.example.com" }, "ses-email-auth:reports.zone", /is required/],
      [{ domain: "dmarc.example.com", zone: "example.org" }, "ses-email-auth:reports.zone", /cannot hold records of dmarc\.example\.com/],
      [{ ...REPORTS, localPart: "a b" }, "ses-email-auth:reports.localPart", /local part/],
      [{ ...REPORTS, bucket: "Bad_Bucket" }, "ses-email-auth:reports.bucket", /S3 bucket name/],
      [{ ...REPORTS, createBucket: false }, "ses-email-auth:reports.bucket", /is required with ses-email-auth:reports\.createBucket false/],
      [{ ...REPORTS, bucket: "corp", createBucket: false, expirationDays: 30 }, "ses-email-auth:reports.expirationDays", /applies to the bucket the stack creates only/],
      [{ ...REPORTS, expirationDays: 0 }, "ses-email-auth:reports.expirationDays", /integer from 1 to 36500/],
      [{ ...REPORTS, prefix: "dmarc" }, "ses-email-auth:reports.prefix", /ending in "\/"/],
      [{ ...REPORTS, prefix: "/dmarc/" }, "ses-email-auth:reports.prefix", /no leading/],
      [{ ...REPORTS, ruleSet: { mode: "shared" } }, "ses-email-auth:reports.ruleSet.mode", /one of create \| existing/],
      [{ ...REPORTS, ruleSet: { mode: "existing" } }, "ses-email-auth:reports.ruleSet.name", /is required with ses-email-auth:reports\.ruleSet\.mode existing/],
      [{ ...REPORTS, ruleSet: { after: "x" } }, "ses-email-auth:reports.ruleSet.after", /applies to ses-email-auth:reports\.ruleSet\.mode existing only/],
      [{ ...REPORTS, ruleSet: { name: "-bad" } }, "ses-email-auth:reports.ruleSet.name", /SES rule or rule set name/],
      [{ ...REPORTS, ruleName: "x".repeat(64) }, "ses-email-auth:reports.ruleName", /under 64 characters/],
      [{ ...REPORTS, ttl: 5 }, "ses-email-auth:reports.ttl", /integer from 60 to 86400/],
      [{ ...REPORTS, typo: 1 }, "ses-email-auth:reports.typo", /unknown key/],
      [{ ...REPORTS, domain: "a".repeat(60) + ".example.com" }, "ses-email-auth:reports.bucket", /longer than S3's 63 characters/],
    ];
    for (const [reports, key, message] of cases) {
      await assert.rejects(stack({ ...base, reports }), (error: unknown) => {
        assert.ok(error instanceof ProgramFailed, String(error));
        const cause = error.cause as ConfigError;
        assert.ok(cause instanceof ConfigError, String(cause));
        const problem = cause.problems.find((p) => p.key === key);
        assert.ok(problem, `${JSON.stringify(reports)}: ${JSON.stringify(cause.problems)}`);
        assert.match(problem.message, message);
        assert.deepEqual(error.registrations.filter((r) => r.type !== "pulumi:pulumi:Stack"), [], JSON.stringify(reports));
        return true;
      });
    }
    // A parent of a sending domain most likely receives mail of its own.
    await assert.rejects(stack({ regions: ["us-east-1"], domains: [exampleDomain({ name: "mail.example.org", zone: "example.org", fromDomains: undefined })], reports: { domain: "example.org", zone: "example.org" } }), (error: unknown) => {
      const cause = (error as ProgramFailed).cause as ConfigError;
      assert.deepEqual(cause.problems.map((p) => p.key), ["ses-email-auth:reports.domain"]);
      assert.match(cause.problems[0].message, /"example\.org" is a parent of mail\.example\.org \(ses-email-auth:domains\[0\]\.name\)/);
      assert.deepEqual((error as ProgramFailed).registrations.filter((r) => r.type !== "pulumi:pulumi:Stack"), []);
      return true;
    });
    // A stack none of whose regions receives needs the region named.
    await assert.rejects(stack({ regions: ["af-south-1"], domains: [exampleDomain()], reports: REPORTS }), (error: unknown) => {
      const cause = (error as ProgramFailed).cause as ConfigError;
      assert.deepEqual(cause.problems.map((p) => p.key), ["ses-email-auth:reports.region"]);
      assert.match(cause.problems[0].message, /none of ses-email-auth:regions \(af-south-1\) receives mail/);
      return true;
    });
  });

  it("as a component: refuses invalid arguments naming each property, registering nothing", async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ domain: "dmarc.example.com", region: "us-east-1" }, "dns", /is required/],
      [{ domain: "dmarc.example.com", dns: { provider: DnsProvider.ROUTE53, zone: "example.com" } }, "region", /is required/],
      [{ domain: "dmarc.example.com", region: "us-east-1", dns: { provider: DnsProvider.ROUTE53, zone: "example.com" }, authorizedDomains: ["not a domain"] }, "authorizedDomains[0]", /domain name/],
    ];
    for (const [args, path, message] of cases) await assertRefused(() => new SesReportReceiving("r", args as never), path, message, JSON.stringify(args));
  });
});
