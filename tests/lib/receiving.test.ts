/** The receiving model (lib/receiving.ts), its records (lib/records.ts) and regions (lib/regions.ts), without Pulumi. */
import { strict as assert } from "node:assert";
import { Checker } from "../../lib/check";
import { reportAuthorizationName } from "../../lib/names";
import { checkReceiving, defaultBucketName, receiptRuleArn, receivingConflicts, ReceiptRuleSetMode, reportsBucketPolicy } from "../../lib/receiving";
import { receivingRecords, RecordRole } from "../../lib/records";
import { inboundHost, isReceivingRegion, isSesRegion, RECEIVING_REGIONS } from "../../lib/regions";
import { DnsProvider } from "../../lib/spec";

const ARGS = { domain: "DMARC.Example.com.", region: "eu-west-1", dns: { provider: DnsProvider.ROUTE53, zone: "example.com" } };

describe("lib/receiving", () => {
  it("fills every default, normalizing the domain", () => {
    const c = new Checker();
    assert.deepEqual(checkReceiving(c, ARGS), {
      domain: "dmarc.example.com",
      dns: { provider: "route53", zone: "example.com", allowOverwrite: false },
      region: "eu-west-1",
      address: "reports@dmarc.example.com",
      bucket: { name: "dmarc-example-com-reports", create: true },
      prefix: "dmarc/",
      expirationDays: 365,
      ruleSet: { mode: ReceiptRuleSetMode.CREATE, name: "ses-email-auth-reports" },
      ruleName: "dmarc-aggregate-reports",
      ttl: 3600,
      authorizedDomains: [],
    });
    assert.deepEqual(c.problems, []);
    assert.equal(defaultBucketName("dmarc.example.com"), "dmarc-example-com-reports");
  });

  it("builds the rule's ARN as SES names it, which the bucket policy's aws:SourceArn must equal", () => {
    const spec = checkReceiving(new Checker(), { ...ARGS, ruleSet: { mode: "existing", name: "inbound", after: "support" }, ruleName: "dmarc" })!;
    assert.equal(receiptRuleArn(spec, "111122223333"), "arn:aws:ses:eu-west-1:111122223333:receipt-rule-set/inbound:receipt-rule/dmarc");
    const [allow, deny] = reportsBucketPolicy(spec, "b", "111122223333").Statement;
    assert.deepEqual(allow.Condition, { StringEquals: { "aws:SourceAccount": "111122223333", "aws:SourceArn": "arn:aws:ses:eu-west-1:111122223333:receipt-rule-set/inbound:receipt-rule/dmarc" } });
    assert.equal(allow.Resource, "arn:aws:s3:::b/dmarc/*");
    assert.equal(deny.Effect, "Deny");
  });

  it("names what the receiving domain would take mail from, and nothing else", () => {
    const names = {
      sending: [
        { name: "example.com", key: "domains[0].name" },
        { name: "news.example.com", key: "domains[0].fromDomains[1]" },
      ],
      mailFrom: [{ name: "bounce.example.com", key: "domains[0].mailFrom" }],
      addresses: [{ name: "ops.example.com", key: "addresses[0]" }],
    };
    assert.deepEqual(receivingConflicts("dmarc.example.com", names), []);
    assert.match(receivingConflicts("news.example.com", names).join(), /domains\[0\]\.fromDomains\[1\], which sends mail/);
    assert.match(receivingConflicts("a.bounce.example.com", names).join(), /under the MAIL FROM domain bounce\.example\.com \(domains\[0\]\.mailFrom\)/);
    assert.match(receivingConflicts("ops.example.com", names).join(), /domain of addresses\[0\]/);
    assert.match(receivingConflicts("com.example", { ...names, sending: [{ name: "mail.com.example", key: "domains[1].name" }] }).join(), /"com\.example" is a parent of mail\.com\.example \(domains\[1\]\.name\).*such as dmarc\.com\.example/);
    // A sending domain's subdomain receives nothing of its parent's mail.
    assert.deepEqual(receivingConflicts("reports.news.example.com", names), []);
  });
});

describe("lib/records: the receiving domain's records", () => {
  it("is the MX to the region's inbound endpoint, and an authorization per policy domain of another organization", () => {
    const records = receivingRecords({ domain: "dmarc.example.com", region: "ca-central-1", ttl: 300, authorizedDomains: ["example.com", "shop.example.com", "example.org", "example.org", "b.co.uk"] });
    assert.deepEqual(
      records.map((r) => [r.role, r.name, r.type, r.values, r.region]),
      [
        [RecordRole.REPORTS_MX, "dmarc.example.com", "MX", ["10 inbound-smtp.ca-central-1.amazonaws.com"], "ca-central-1"],
        [RecordRole.REPORT_AUTHORIZATION, "example.org._report._dmarc.dmarc.example.com", "TXT", ["v=DMARC1"], undefined],
        [RecordRole.REPORT_AUTHORIZATION, "b.co.uk._report._dmarc.dmarc.example.com", "TXT", ["v=DMARC1"], undefined],
      ],
    );
    assert.ok(records.every((r) => r.ttl === 300 && r.domain === "dmarc.example.com"));
    assert.equal(new Set(records.map((r) => r.key)).size, records.length);
    assert.equal(reportAuthorizationName("*", "Dmarc.Example.com."), "*._report._dmarc.dmarc.example.com");
  });
});

describe("lib/regions: receiving", () => {
  it("receives only in SES regions, each with its inbound endpoint; not in GovCloud nor where SES only sends", () => {
    assert.ok(RECEIVING_REGIONS.every(isSesRegion));
    assert.equal(new Set(RECEIVING_REGIONS).size, RECEIVING_REGIONS.length);
    for (const region of ["us-west-1", "af-south-1", "us-gov-west-1", "ap-east-1"]) assert.equal(isReceivingRegion(region), false, region);
    assert.equal(inboundHost("eu-west-1"), "inbound-smtp.eu-west-1.amazonaws.com");
  });
});
