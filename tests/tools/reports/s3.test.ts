/**
 * Reading from S3 through @aws-sdk/client-s3, against a real S3-compatible server on loopback
 * (s3rver), with objects stored as SES's S3 action stores received mail: the raw message under
 * the rule's prefix and the message id, no extension; plus the setup notification SES writes.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { Summary } from "../../../lib/reports/summary";
import { main } from "../../../tools/reports/cli";
import { s3Client, s3Inputs, S3Location } from "../../../tools/reports/s3";
import { real, reportEmail, rfc9990Report } from "../../fixtures/reports";
import { S3Server, startS3rver } from "./s3rver";

const BUCKET = "dmarc-reports";
/** s3rver's own credentials; the tool finds them in the environment, the SDK's standard chain. */
const CREDENTIALS = { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" };

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe("reports from S3 (s3rver on loopback)", () => {
  let server: S3Server;
  let endpoint: string;
  const saved: Record<string, string | undefined> = {};
  const objects: Record<string, Buffer> = {
    "dmarc/AMAZON_SES_SETUP_NOTIFICATION": Buffer.from("From: no-reply-aws@amazon.com\r\nSubject: Amazon SES Setup Notification\r\n\r\nThis is a test message.\r\n"),
    "dmarc/0o5ufld6bv2l6bp5ef2m1l1qkbkgovs4jhhn3so1": reportEmail([{ filename: "google.com!keltia.net!1538438400!1538524799.zip", contentType: "application/zip", bytes: real("googleZip") }]),
    "dmarc/3kfq1bd0pb5m0q1g5k4umvtgm2ktd8h5rj3q6k81": reportEmail([
      { filename: "example.com!keltia.net!1538604008!1538690408.xml.gz", contentType: "application/gzip", bytes: real("ironportGz") },
      { filename: "receiver.example!example.com!1795996800!1796083199.xml", contentType: "text/xml", bytes: Buffer.from(rfc9990Report({ reportId: "s3-1", begin: 1795996800, rows: [{ ip: "54.240.8.1", count: 12, dkim: "pass", spf: "pass" }] })) },
    ]),
    "dmarc/9c2kb0s1vq4m3hc8c7t0i8bq0g3q6u2f0o1k9s41": reportEmail([{ filename: "hello.txt", contentType: "text/plain", bytes: Buffer.from("hello") }], "Out of office"),
    "other/not-below-the-prefix": reportEmail([{ filename: "r.zip", contentType: "application/zip", bytes: real("googleZip") }]),
  };

  before(async () => {
    for (const [k, v] of Object.entries(CREDENTIALS)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    server = await startS3rver(BUCKET);
    endpoint = server.endpoint;
    const client = s3Client({ bucket: BUCKET, prefix: "", region: "us-east-1", endpoint });
    for (const [Key, Body] of Object.entries(objects)) await client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body }));
    client.destroy();
  });
  after(async () => {
    await server?.stop();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it("reads every object below the prefix as SES stored it, and lists the one that is not a report", async () => {
    const { code, out, err } = await run(["--bucket", `s3://${BUCKET}/dmarc/`, "--endpoint", endpoint, "--region", "us-east-1", "--json"]);
    assert.equal(code, 1, err);
    const s = JSON.parse(out) as Summary;
    assert.deepEqual(
      s.reports.map((r) => [r.file, r.reportId]),
      [
        [`s3://${BUCKET}/dmarc/0o5ufld6bv2l6bp5ef2m1l1qkbkgovs4jhhn3so1#google.com!keltia.net!1538438400!1538524799.zip#google.com!keltia.net!1538438400!1538524799.xml`, "15591417298178277408"],
        [`s3://${BUCKET}/dmarc/3kfq1bd0pb5m0q1g5k4umvtgm2ktd8h5rj3q6k81#example.com!keltia.net!1538604008!1538690408.xml.gz`, "1a6ffb$9f77bea=6b2f4786a9824806@esa1.eurocontrol.c3s2.iphmx.com"],
        [`s3://${BUCKET}/dmarc/3kfq1bd0pb5m0q1g5k4umvtgm2ktd8h5rj3q6k81#receiver.example!example.com!1795996800!1796083199.xml`, "s3-1"],
      ],
    );
    assert.deepEqual(s.errors, [{ file: `s3://${BUCKET}/dmarc/9c2kb0s1vq4m3hc8c7t0i8bq0g3q6u2f0o1k9s41`, message: 'email "Out of office" has no DMARC report attached (its parts: text/plain)' }]);
    assert.deepEqual(s.skipped, [{ file: `s3://${BUCKET}/dmarc/AMAZON_SES_SETUP_NOTIFICATION`, reason: "SES's setup notification (written when the receipt rule was set up)" }]);
    assert.deepEqual(s.domains.map((d) => [d.domain, d.messages, d.sources.filter((x) => x.ses).length]), [["example.com", 12, 1], ["keltia.net", 3, 0]]);
  });

  it("pages through the listing, in key order", async () => {
    const location: S3Location = { bucket: BUCKET, prefix: "", region: "us-east-1", endpoint };
    const client = s3Client(location);
    const names: string[] = [];
    for await (const input of s3Inputs(location, client, 2)) names.push(input.name);
    client.destroy();
    assert.deepEqual(names, Object.keys(objects).sort().map((k) => `s3://${BUCKET}/${k}`));
  });

  it("reads files and buckets in one run", async () => {
    const { code, out } = await run([join(__dirname, "..", "..", "..", ".tmp", "debian-source", "dmarc-cat", "testdata", "google.com!keltia.net!1538438400!1538524799.xml"), "--bucket", `s3://${BUCKET}/dmarc/0`, "--endpoint", endpoint, "--region", "us-east-1"]);
    assert.equal(code, 0, out);
    assert.match(out, /^2 reports read \(1 read twice, counted once\), 0 inputs not reports$/m);
  });

  describe("--stack NAME: the bucket, prefix and region of the stack's reports config", () => {
    const ROOT = join(__dirname, "..", "..", "..");
    let project: string;
    const stackFile = (name: string, reports: unknown) =>
      writeFileSync(
        join(project, `Pulumi.${name}.yaml`),
        // JSON is YAML: the stack file as a person writes it, the CLI's rules applied by tools/stack-config.ts.
        JSON.stringify({ config: { "aws:region": "eu-west-1", "ses-email-auth:regions": ["eu-west-1"], "ses-email-auth:domains": [{ name: "example.com", zone: "example.com" }], ...(reports !== undefined && { "ses-email-auth:reports": reports }) } }),
      );
    before(() => {
      project = mkdtempSync(join(tmpdir(), "reports-stack-"));
      copyFileSync(join(ROOT, "Pulumi.yaml"), join(project, "Pulumi.yaml"));
      stackFile("receiving", { domain: "dmarc.example.com", zone: "example.com", bucket: BUCKET });
      stackFile("plain", undefined);
      stackFile("broken", { domain: "example.com", zone: "example.com" });
    });
    after(() => rmSync(project, { recursive: true, force: true }));

    it("reads what SES stored for the stack, as --bucket s3://BUCKET/PREFIX does", async () => {
      const viaStack = await run(["--stack", "receiving", "--cwd", project, "--endpoint", endpoint, "--json"]);
      const viaBucket = await run(["--bucket", `s3://${BUCKET}/dmarc/`, "--endpoint", endpoint, "--region", "eu-west-1", "--json"]);
      assert.equal(viaStack.code, 1, viaStack.err);
      assert.deepEqual(JSON.parse(viaStack.out), JSON.parse(viaBucket.out));
    });

    it("exits 2 with --bucket too, without reports in the stack, with an invalid or missing stack", async () => {
      const cases: [string[], RegExp][] = [
        [["--stack", "receiving", "--cwd", project, "--bucket", `s3://${BUCKET}/dmarc/`], /give --stack NAME or --bucket s3:\/\/BUCKET\/PREFIX, not both/],
        [["--stack", "plain", "--cwd", project], /--stack plain: Pulumi\.plain\.yaml sets no ses-email-auth:reports/],
        [["--stack", "broken", "--cwd", project], /--stack broken: invalid stack config:\n  ses-email-auth:reports\.domain: "example\.com" is also ses-email-auth:domains\[0\]\.name/],
        [["--stack", "nowhere", "--cwd", project], /--stack nowhere: /],
        [["--cwd", project, "report.xml"], /--cwd goes with --stack/],
      ];
      for (const [args, message] of cases) {
        const { code, err } = await run(args);
        assert.equal(code, 2, `${args.join(" ")}: ${err}`);
        assert.match(err, message);
      }
    });
  });

  it("exits 2 when the bucket cannot be listed, naming it", async () => {
    const { code, err } = await run(["--bucket", "s3://no-such-bucket/dmarc/", "--endpoint", endpoint, "--region", "us-east-1"]);
    assert.equal(code, 2);
    assert.match(err, /^reports: cannot list s3:\/\/no-such-bucket\/dmarc\/: NoSuchBucket: /);
    assert.doesNotMatch(err, /usage:/);
  });
});
