/** `npm run plan`: the dev stack's offline preview, stacks that cannot align, bad config. */
import { strict as assert } from "node:assert";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../../lib/config";
import { UsageError } from "../../tools/command";
import { readPolicyConfig, stackPolicyConfigPath } from "../../tools/plan/cli";
import { plan } from "../../tools/plan/plan";
import { exitStatus, formatText, formatZoneFile, KNOWN_AFTER_APPLY, Report } from "../../tools/plan/report";
import { CLOUDFLARE_ZONE, rsaKeyPair } from "../fixtures/stacks";
import { defaultReceiving } from "../fixtures/receiving";
import { npmRun, removeDir, ROOT, tempStack } from "./cli";

const IDENTITY = "aws:sesv2/emailIdentity:EmailIdentity";
const MAIL_FROM = "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes";
const R53 = "aws:route53/record:Record";

/** A stack config like the dev stack's, one region, with `domain` overriding the example domain's keys. */
function stack(domain: Record<string, unknown>): Record<string, unknown> {
  return {
    "aws:region": "us-east-1",
    "ses-email-auth:regions": ["us-east-1"],
    "ses-email-auth:domains": [{ name: "example.com", zone: "example.com", dmarc: { policy: "reject" }, ...domain }],
  };
}

describe("plan: the dev stack", () => {
  let report: Report;
  let status: number | null;
  before(() => {
    const r = npmRun("plan", ["--json"]);
    status = r.status;
    report = JSON.parse(r.stdout);
  });

  it("exits 0: no mandatory violation", () => {
    assert.equal(status, 0);
    assert.equal(report.stack, "dev");
    assert.deepEqual(report.violations.filter((v) => v.level === "mandatory"), []);
  });

  it("lists exactly the resources of issue 2: an identity and MAIL FROM per region, 9 Route 53 records", () => {
    const listed = report.resources.map((r) => `${r.type} ${r.name} ${r.region ?? "-"}`).sort();
    const expected = [
      ...["us-east-1", "eu-west-1"].flatMap((region) => [`${IDENTITY} example.com-${region} ${region}`, `${MAIL_FROM} example.com-${region}-mail-from ${region}`]),
      ...["us-east-1", "eu-west-1"].flatMap((region) => [1, 2, 3].map((i) => `${R53} example.com-dkim-${region}-${i} -`)),
      ...["mail-from-mx", "mail-from-spf", "dmarc"].map((role) => `${R53} example.com-${role} -`),
    ].sort();
    assert.deepEqual(listed, expected);
    assert.ok(report.resources.every((r) => r.urn.startsWith("urn:pulumi:dev::ses-email-auth::")));
  });

  it("lists every DNS record: one MX and SPF for the shared MAIL FROM, one DMARC, 3 DKIM CNAMEs per region with token placeholders", () => {
    const unknownDkim = (region: string, n: number) => ({
      domain: "example.com",
      region,
      name: `{dkim-token-${n}}._domainkey.example.com`,
      type: "CNAME",
      values: [`{dkim-token-${n}}.dkim.amazonses.com`],
      ttl: 3600,
    });
    const key = (r: object) => JSON.stringify(r);
    assert.deepEqual(report.records.map(key).sort(), [
      { domain: "example.com", name: "bounce.example.com", type: "MX", values: ["10 feedback-smtp.us-east-1.amazonses.com"], ttl: 3600 },
      { domain: "example.com", name: "bounce.example.com", type: "TXT", values: ["v=spf1 include:amazonses.com ~all"], ttl: 3600 },
      { domain: "example.com", name: "_dmarc.example.com", type: "TXT", values: ["v=DMARC1; p=quarantine; sp=reject; pct=25; rua=mailto:dmarcreports@example.com"], ttl: 3600 },
      ...[1, 2, 3].flatMap((n) => [unknownDkim("us-east-1", n), unknownDkim("eu-west-1", n)]),
    ].map(key).sort());
  });

  it("shows the program's warning about the seed's pct=25, naming the key and what to write instead, and the pack's advisory", () => {
    assert.deepEqual(report.warnings.length, 1, JSON.stringify(report.warnings));
    assert.match(report.warnings[0], /^ses-email-auth:domains\[0\]\.dmarc\.percent: pct=25 means 25% of failing mail to RFC 7489 receivers .*; remove percent and step the policy itself/);
    const portability = report.violations.filter((v) => v.policy === "dmarc-record-portability");
    assert.ok(portability.some((v) => v.level === "advisory" && /^_dmarc\.example\.com: pct=25/.test(v.message)), JSON.stringify(portability));
  });

  it("says which checks wait for apply, as advisories; a stack-wide finding has a null urn", () => {
    const waiting = report.violations.filter((v) => v.level === "advisory" && /during preview/.test(v.message));
    assert.ok(waiting.length > 0);
    assert.ok(report.violations.every((v) => Object.keys(v).join() === "policy,level,urn,message" && ((v.urn as string | null) === null || v.urn!.startsWith("urn:pulumi:dev::"))));
  });
});

describe("plan: output formats", () => {
  let report: Report;
  before(async () => {
    report = await plan(ROOT, "dev", {});
  });

  it("groups resources by domain, then region, then lists the domain's records and the policy results", () => {
    const text = formatText(report, "Offline plan of stack dev");
    assert.match(text, /^example\.com\n {2}us-east-1\n {4}aws:sesv2\/emailIdentity:EmailIdentity +example\.com-us-east-1$/m);
    assert.match(text, /^ {2}eu-west-1$/m);
    assert.match(text, /^ {2}global\n {4}aws:route53\/record:Record +example\.com-mail-from-mx$/m);
    assert.match(text, /^ {4}_dmarc\.example\.com +TXT +3600 +v=DMARC1; p=quarantine/m);
    assert.match(text, /^ {4}\{dkim-token-1\}\._domainkey\.example\.com +CNAME +3600 +us-east-1 +\{dkim-token-1\}\.dkim\.amazonses\.com$/m);
    assert.match(text, /^Policy results: 0 mandatory, \d+ advisory$/m);
    assert.match(text, /^Program warnings: 1 \(the config is valid; pulumi preview shows them too\)\n {2}ses-email-auth:domains\[0\]\.dmarc\.percent: pct=25/m);
  });

  it("--zone-file: the known records as BIND lines, those known after apply as comments", () => {
    const lines = formatZoneFile(report).trimEnd().split("\n");
    assert.deepEqual(lines.filter((l) => !l.startsWith(";")), [
      "bounce.example.com.\t3600\tIN\tMX\t10 feedback-smtp.us-east-1.amazonses.com.",
      'bounce.example.com.\t3600\tIN\tTXT\t"v=spf1 include:amazonses.com ~all"',
      '_dmarc.example.com.\t3600\tIN\tTXT\t"v=DMARC1; p=quarantine; sp=reject; pct=25; rua=mailto:dmarcreports@example.com"',
    ]);
    assert.equal(lines.filter((l) => /^; \{dkim-token-[123]\}\._domainkey\.example\.com\t3600\tIN\tCNAME\t\{dkim-token-[123]\}\.dkim\.amazonses\.com$/.test(l)).length, 6);
  });
});

describe("plan: secure config", () => {
  let dir: string;
  after(() => removeDir(dir));

  it("plans without decrypting: a Cloudflare token and a BYODKIM private key stay [secret]", async () => {
    const secure = { secure: "v1:Zm9vYmFy:c2VjcmV0LWNpcGhlcnRleHQ=" };
    const { publicKey } = rsaKeyPair(1024);
    dir = tempStack("secure", {
      "aws:region": "us-east-1",
      "cloudflare:apiToken": secure,
      "ses-email-auth:regions": ["us-east-1"],
      "ses-email-auth:dnsProvider": "cloudflare",
      "ses-email-auth:domains": [{ name: "example.com", zone: CLOUDFLARE_ZONE, dkim: { selector: "ses1", publicKey, privateKeyConfig: "dkimKey" }, dmarc: { policy: "reject" } }],
      "ses-email-auth:dkimKey": secure,
    });
    const report = await plan(dir, "secure", {});
    assert.equal(exitStatus(report), 0, JSON.stringify(report.violations));
    assert.deepEqual(report.records.find((r) => r.name === "ses1._domainkey.example.com")?.values, [`v=DKIM1; k=rsa; p=${publicKey}`]);
    assert.doesNotMatch(JSON.stringify(report), /v1:Zm9v/);
  });
});

describe("plan: Easy DKIM records before SES issues tokens", () => {
  let dir: string;
  after(() => removeDir(dir));

  it("names each with a token placeholder and points it at its region's own DKIM host; the zone file keeps them as comments", async () => {
    dir = tempStack("capetown", { ...stack({}), "ses-email-auth:regions": ["af-south-1", "us-east-1"] });
    const report = await plan(dir, "capetown", {});
    const dkim = report.records.filter((r) => r.type === "CNAME").map((r) => `${r.region} ${r.name} ${r.values.join()}`);
    assert.deepEqual(dkim, [
      ...[1, 2, 3].map((n) => `af-south-1 {dkim-token-${n}}._domainkey.example.com {dkim-token-${n}}.dkim.af-south-1.amazonses.com`),
      ...[1, 2, 3].map((n) => `us-east-1 {dkim-token-${n}}._domainkey.example.com {dkim-token-${n}}.dkim.amazonses.com`),
    ]);
    assert.ok(!JSON.stringify(report.records).includes(KNOWN_AFTER_APPLY));
    const zoneLines = formatZoneFile(report).split("\n").filter((l) => l.includes("{dkim-token-"));
    assert.equal(zoneLines.length, 6);
    assert.ok(zoneLines.every((l) => l.startsWith("; ")), zoneLines.join("\n"));
  });
});

describe("plan: stacks whose domains cannot pass DMARC", () => {
  const dirs: string[] = [];
  after(() => dirs.forEach(removeDir));

  it("exits 1 and names the domain when DMARC is published nowhere (manage: false, no external record)", () => {
    const dir = tempStack("nodmarc", stack({ dmarc: { manage: false } }));
    dirs.push(dir);
    const r = npmRun("plan", ["--stack", "nodmarc", "--cwd", dir]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /\[mandatory\] ses-dmarc-record: example\.com .*no DMARC record at _dmarc\.example\.com/);
  });

  it("passes once the policy config names the DMARC record published elsewhere", async () => {
    // Pulumi policy config is per policy: each DMARC policy is told.
    const externalDmarc = { "example.com": "v=DMARC1; p=reject" };
    const dir = tempStack("external", stack({ dmarc: { manage: false } }), { "ses-dmarc-record": { externalDmarc }, "ses-dmarc-alignment": { externalDmarc } });
    dirs.push(dir);
    const report = await plan(dir, "external", readPolicyConfig(undefined, stackPolicyConfigPath(dir, "external")));
    assert.equal(exitStatus(report), 0, JSON.stringify(report.violations));
  });

  it("flags a subdomain From with strict DKIM alignment and no MAIL FROM, naming the From domain", async () => {
    const config = { "ses-dmarc-alignment": { fromDomains: { "example.com": ["news.example.com"] } } };
    const dir = tempStack("strict", stack({ mailFrom: false, dmarc: { policy: "reject", adkim: "strict" } }), config);
    dirs.push(dir);
    const report = await plan(dir, "strict", config);
    assert.equal(exitStatus(report), 1);
    const findings = report.violations.filter((v) => v.level === "mandatory");
    assert.deepEqual([...new Set(findings.map((v) => v.policy))], ["ses-dmarc-alignment"]);
    assert.match(findings[0].message, /^news\.example\.com \(identity example\.com, us-east-1\): DMARC fails/);
  });
});

describe("plan: From domains reach the policy pack from the stack config", () => {
  let dir: string;
  after(() => removeDir(dir));

  it("judges a From domain the stack config names, with no policy config repeating it", async () => {
    dir = tempStack("fromtags", stack({ fromDomains: ["example.com", "news.example.com"], mailFrom: false, dmarc: { policy: "reject", adkim: "strict" } }));
    const report = await plan(dir, "fromtags", {});
    const findings = report.violations.filter((v) => v.level === "mandatory");
    assert.equal(exitStatus(report), 1);
    assert.match(findings[0].message, /^news\.example\.com \(identity example\.com, us-east-1\): DMARC fails/);
  });
});

describe("plan: usage and config errors exit 2", () => {
  let dir: string;
  before(() => {
    dir = tempStack("bad", stack({ dmarc: { policy: "reject", percent: 150 } }));
  });
  after(() => removeDir(dir));

  it("names every bad key, without a stack trace", () => {
    const r = npmRun("plan", ["--stack", "bad", "--cwd", dir]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /ses-email-auth:domains\[0\]\.dmarc\.percent: must be an integer from 0 to 100; got 150/);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
    assert.equal(r.stdout, "");
  });

  it("rejects a ConfigError before registering anything", async () => {
    await assert.rejects(plan(dir, "bad", {}), (error: unknown) => error instanceof ConfigError && error.problems.some((p) => p.key === "ses-email-auth:domains[0].dmarc.percent"));
  });

  it("refuses a policy config that names no policy of the pack, or breaks a policy's schema, naming the file", () => {
    const file = join(dir, "policy-config.json");
    for (const [config, message] of [
      [{ "ses-dmarc-recrd": "advisory" }, /policy-config\.json: policy config names "ses-dmarc-recrd", which is no policy of the pack/],
      [{ "dmarc-minimum-policy": { minimumPolicy: "strict" } }, /dmarc-minimum-policy\.minimumPolicy must be one of none, quarantine, reject/],
    ] as const) {
      writeFileSync(file, JSON.stringify(config));
      assert.throws(() => readPolicyConfig(file, "unused"), (e: unknown) => e instanceof UsageError && message.test(e.message));
    }
  });

  it("names a stack that does not exist, and an unknown option", () => {
    const missing = npmRun("plan", ["--stack", "nope"]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no stack "nope"/);
    const option = npmRun("plan", ["--stak", "dev"]);
    assert.equal(option.status, 2);
    assert.match(option.stderr, /Unknown option '--stak'/);
  });
});

describe("plan: a global endpoint and verification waits", () => {
  let dir: string;
  after(() => removeDir(dir));

  it("lists a wait per domain and region, and the endpoint in its primary region; the new advisory waits for the DKIM tokens", async () => {
    dir = tempStack("global", {
      ...stack({}),
      "ses-email-auth:regions": ["us-east-1", "eu-west-1"],
      "ses-email-auth:globalEndpoint": { name: "example-global", primary: "us-east-1", secondary: "eu-west-1" },
      "ses-email-auth:waitForVerification": 30,
    });
    const report = await plan(dir, "global", {});
    const listed = (type: string) => report.resources.filter((r) => r.type === type).map((r) => [r.domain, r.region, r.name]);
    assert.deepEqual(listed("aws:ses/domainIdentityVerification:DomainIdentityVerification"), [
      ["example.com", "us-east-1", "example.com-us-east-1-verification"],
      ["example.com", "eu-west-1", "example.com-eu-west-1-verification"],
    ]);
    assert.deepEqual(listed("aws:sesv2/multiRegionEndpoint:MultiRegionEndpoint"), [["example-global", "us-east-1", "example-global"]]);
    const text = formatText(report, "plan");
    assert.match(text, /\n {2}eu-west-1\n(?: {4}.*\n)*? {4}aws:ses\/domainIdentityVerification:DomainIdentityVerification +example\.com-eu-west-1-verification\n/);
    assert.equal(exitStatus(report), 0);
    assert.ok(report.violations.some((v) => v.policy === "ses-global-endpoint-identities" && /during preview/.test(v.message)), JSON.stringify(report.violations));
  });
});

describe("plan: receiving DMARC reports", () => {
  const dirs: string[] = [];
  after(() => dirs.forEach(removeDir));

  async function planned(name: string, reports: Record<string, unknown>): Promise<Report> {
    const dir = tempStack(name, { ...stack({}), "ses-email-auth:reports": { domain: "dmarc.example.com", zone: "example.com", ...reports } });
    dirs.push(dir);
    return plan(dir, name, {});
  }

  it("says the stack creates its rule set and makes it the active one, and where messages are stored", async () => {
    const report = await planned("reports", {});
    assert.deepEqual(report.receiving, [defaultReceiving("us-east-1")]);
    const text = formatText(report, "plan");
    assert.match(text, /\nReceiving \(SES us-east-1\): reports@dmarc\.example\.com\n {2}rule set {2}ses-email-auth-reports: created and made the active set, replacing any other set active in us-east-1\n/);
    assert.match(text, /\n {2}stored in s3:\/\/dmarc-example-com-reports\/dmarc\/ \(bucket created by the stack, messages expire after 365 days\)\n/);
    // The receiving domain's records are listed with the rest, the domain's rua naming the report address.
    assert.ok(report.records.some((r) => r.name === "dmarc.example.com" && r.type === "MX" && r.values[0] === "10 inbound-smtp.us-east-1.amazonaws.com"));
    assert.ok(report.records.some((r) => r.name === "_dmarc.example.com" && r.values[0] === "v=DMARC1; p=reject; rua=mailto:reports@dmarc.example.com"));
    assert.equal(exitStatus(report), 0);
  });

  it("says the rule joins a named existing set, which must be the active one, and an existing bucket's policy must let SES write", async () => {
    const report = await planned("existing", { ruleSet: { mode: "existing", name: "inbound" }, bucket: "corp-archive", createBucket: false });
    assert.deepEqual(report.receiving.map((r) => [r.ruleSet, r.ruleSetMode, r.stores, r.bucketCreated]), [["inbound", "existing", ["s3://corp-archive/dmarc/"], false]]);
    const text = formatText(report, "plan");
    assert.match(text, / {2}rule set {2}inbound: an existing set; the rule is added to it, which must be the active set in us-east-1\n/);
    assert.match(text, /existing bucket: its policy must let SES write, see the reports\.bucketPolicyStatement output/);
  });

  it("a stack without reports has none", async () => {
    const dir = tempStack("plain", stack({}));
    dirs.push(dir);
    assert.deepEqual((await plan(dir, "plain", {})).receiving, []);
  });
});
