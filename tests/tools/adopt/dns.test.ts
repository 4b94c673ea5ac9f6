/**
 * `adopt` on live DNS: a real knot on loopback serves setups made by hand as the seed's how-to
 * describes them (one region; three Easy DKIM CNAMEs; a shared MAIL FROM with its MX and SPF;
 * the seed's own `v=DMARC1;p=quarantine;pct=25;rua=mailto:…`), with no AWS credentials and no
 * Cloudflare token, so DNS is the only source and --dkim-tokens names the DKIM records.
 * example.com: everything there, its SPF record's TTL changed by hand; example.net: a second
 * DMARC record; example.org: a stray MX at the MAIL FROM name.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseStackConfig } from "../../../lib/config";
import { runProgram } from "../../../tools/mock-run";
import { readStackConfig } from "../../../tools/stack-config";
import { AdoptAction, AdoptRow } from "../../../lib/adopt";
import { KnotServer, startKnot } from "../../verify/knot";
import { adopt, project, withoutAws } from "./helpers";

const ZONE_ID = "Z0123456789ABC";
const TOKENS: Record<string, string[]> = {
  "example.com": ["aaaa1111", "bbbb2222", "cccc3333"],
  "example.net": ["dddd4444", "eeee5555", "ffff6666"],
  "example.org": ["gggg7777", "hhhh8888", "iiii9999"],
};
const SEED_DMARC = (domain: string) => `v=DMARC1;p=quarantine;pct=25;rua=mailto:dmarcreports@${domain}`;

/** The seed's records of one domain in us-east-1, every TTL 3600 unless `ttl` says otherwise. */
function handMade(domain: string, ttl: Partial<Record<"spf" | "mx" | "dmarc", number>> = {}): string[] {
  return [
    ...TOKENS[domain].map((t) => `${t}._domainkey.${domain}.\t3600\tIN\tCNAME\t${t}.dkim.amazonses.com.`),
    `bounce.${domain}.\t${ttl.mx ?? 3600}\tIN\tMX\t10 feedback-smtp.us-east-1.amazonses.com.`,
    `bounce.${domain}.\t${ttl.spf ?? 3600}\tIN\tTXT\t"v=spf1 include:amazonses.com ~all"`,
    `_dmarc.${domain}.\t${ttl.dmarc ?? 3600}\tIN\tTXT\t"${SEED_DMARC(domain)}"`,
  ];
}

const ZONE = [
  ...handMade("example.com", { spf: 300 }),
  ...handMade("example.net"),
  `_dmarc.example.net.\t3600\tIN\tTXT\t"v=DMARC1; p=none; rua=mailto:old@example.net"`,
  // DMARC delegated to a vendor by CNAME, instead of the seed's record.
  ...handMade("example.org").filter((line) => !line.startsWith("_dmarc.")),
  `_dmarc.example.org.\t3600\tIN\tCNAME\t_dmarc.vendor.example.`,
  `_dmarc.vendor.example.\t3600\tIN\tTXT\t"v=DMARC1; p=reject"`,
  `bounce.example.org.\t3600\tIN\tMX\t20 mail.example.org.`,
].join("\n");

const domain = (name: string, zone = name) => ({ name, zone, mailFrom: { subdomain: "bounce" }, dmarc: { policy: "quarantine", percent: 25, rua: [`mailto:dmarcreports@${name}`] } });
const STACK = {
  "aws:region": "us-east-1",
  "ses-email-auth:regions": ["us-east-1"],
  "ses-email-auth:domains": [domain("example.com", ZONE_ID), domain("example.net"), domain("example.org")],
};

describe("adopt on live DNS (knot)", () => {
  let knot: KnotServer;
  let dir: string;
  let rows: (domain: string) => AdoptRow[];
  let result: Awaited<ReturnType<typeof adopt>>;
  const tokenFlags = Object.entries(TOKENS).flatMap(([d, t]) => ["--dkim-tokens", `${d}:us-east-1=${t.join(",")}`]);
  const row = (d: string, resource: string) => rows(d).find((r) => r.resource === resource)!;

  before(async () => {
    knot = await startKnot(ZONE);
    dir = project("handmade", STACK);
    result = await adopt(["--stack", "handmade", "--resolver", knot.server, ...tokenFlags, "--json"], dir, withoutAws());
    rows = (d) => result.report!.domains.find((x) => x.domain === d)!.rows;
  });
  after(async () => {
    await knot?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("skips SES, Route 53 and Cloudflare without credentials, and says so", () => {
    assert.deepEqual(
      result.report!.sources.map((s) => [s.source, s.status, s.detail]),
      [
        ["dns", "used", `resolvers ${knot.server}`],
        ["ses", "skipped", "no AWS credentials (environment, profile or role)"],
        ["route53", "skipped", "no AWS credentials (environment, profile or role)"],
        ["cloudflare", "skipped", "no Cloudflare domain"],
      ],
    );
  });

  it("finds every record of the hand-made setup: none is to be created", () => {
    for (const d of Object.keys(TOKENS)) {
      const records = rows(d).filter((r) => r.type === "aws:route53/record:Record");
      assert.equal(records.length, 6, d);
      for (const r of records) {
        assert.notEqual(r.action, AdoptAction.CREATE, `${d} ${r.resource}`);
        assert.deepEqual(r.sources, ["dns"]);
      }
    }
  });

  it("adopts what matches, with Route 53's ZONEID_NAME_TYPE ids when the zone is given by id", () => {
    for (let i = 0; i < 3; i++) {
      const r = row("example.com", `example.com-dkim-us-east-1-${i + 1}`);
      assert.equal(r.action, AdoptAction.ADOPT);
      assert.equal(r.importId, `${ZONE_ID}_${TOKENS["example.com"][i]}._domainkey.example.com_CNAME`);
    }
    assert.equal(row("example.com", "example.com-mail-from-mx").action, AdoptAction.ADOPT);
    // The identity's tokens were given: it exists (the console shows tokens only then), not checked with SES.
    assert.equal(row("example.com", "example.com-us-east-1").action, AdoptAction.ADOPT);
    assert.equal(row("example.com", "example.com-us-east-1").importId, "example.com@us-east-1");
    assert.equal(row("example.com", "example.com-us-east-1-mail-from").action, AdoptAction.UNKNOWN);
    assert.deepEqual(result.report!.domains[0].adopt, {
      "example.com-us-east-1": "example.com@us-east-1",
      "example.com-dkim-us-east-1-1": `${ZONE_ID}_aaaa1111._domainkey.example.com_CNAME`,
      "example.com-dkim-us-east-1-2": `${ZONE_ID}_bbbb2222._domainkey.example.com_CNAME`,
      "example.com-dkim-us-east-1-3": `${ZONE_ID}_cccc3333._domainkey.example.com_CNAME`,
      "example.com-mail-from-mx": `${ZONE_ID}_bounce.example.com_MX`,
    });
  });

  it("classifies the changed TTL as adopt-then-change and names the ttl that keeps it", () => {
    const spf = row("example.com", "example.com-mail-from-spf");
    assert.equal(spf.action, AdoptAction.ADOPT_THEN_CHANGE);
    assert.deepEqual(spf.differences, ["ttl: 300 → 3600"]);
    assert.match(spf.advice!, /set ses-email-auth:domains\[0\]\.ttl: 300 to keep the TTL the records already have/);
  });

  it("reads the seed's DMARC text as the same policy the stack writes, spelled differently", () => {
    const dmarc = row("example.com", "example.com-dmarc");
    assert.equal(dmarc.action, AdoptAction.ADOPT_THEN_CHANGE);
    assert.deepEqual(dmarc.differences, [`values: ["${SEED_DMARC("example.com")}"] → ["v=DMARC1; p=quarantine; pct=25; rua=mailto:dmarcreports@example.com"]`]);
    assert.match(dmarc.advice!, /the same policy, spelled differently/);
  });

  it("calls a second DMARC record a conflict and says to delete one", () => {
    const dmarc = row("example.net", "example.net-dmarc");
    assert.equal(dmarc.action, AdoptAction.CONFLICT);
    assert.equal(dmarc.differences.length, 2);
    assert.match(dmarc.advice!, /2 DMARC records at _dmarc\.example\.net: receivers ignore DMARC .*Delete all but one by hand/);
    assert.equal(row("example.net", "example.net-mail-from-mx").action, AdoptAction.ADOPT);
  });

  it("calls an MX at the MAIL FROM name pointing elsewhere a conflict", () => {
    const mx = row("example.org", "example.org-mail-from-mx");
    assert.equal(mx.action, AdoptAction.CONFLICT);
    assert.deepEqual(mx.differences, ["exists: MX 20 mail.example.org"]);
    assert.match(mx.advice!, /SES needs exactly one MX there, 10 feedback-smtp\.us-east-1\.amazonses\.com/);
    assert.match(mx.advice!, /mailFrom\.subdomain/);
  });

  it("calls a CNAME where the stack writes another record (DMARC delegated to a vendor) a conflict", () => {
    const dmarc = row("example.org", "example.org-dmarc");
    assert.equal(dmarc.action, AdoptAction.CONFLICT);
    assert.deepEqual(dmarc.differences, ["exists: CNAME → _dmarc.vendor.example"]);
    assert.match(dmarc.advice!, /DNS allows no other record next to one: .*set ses-email-auth:domains\[2\]\.dmarc\.manage: false/);
  });

  it("exits 1 on conflicts, and without a zone id gives no Route 53 import id and says why", () => {
    assert.equal(result.code, 1);
    const r = row("example.net", "example.net-dkim-us-east-1-1");
    assert.equal(r.action, AdoptAction.ADOPT);
    assert.equal(r.importId, undefined);
    assert.match(r.advice!, /no zone id: set ses-email-auth:domains\[1\]\.zone to the hosted zone's id, or give AWS credentials/);
  });

  it("--write-config writes each domain's adopt into the stack file, comments kept, and the program then imports exactly those", async () => {
    const file = join(dir, "Pulumi.handmade.yaml");
    const original = readFileSync(file, "utf8");
    writeFileSync(file, `# made by hand, adopted by the stack\n${original}`);
    try {
      const written = await adopt(["--stack", "handmade", "--resolver", knot.server, ...tokenFlags, "--write-config", "--json"], dir, withoutAws());
      assert.equal(written.code, 1);
      assert.equal(written.report!.configFile, file);
      const text = readFileSync(file, "utf8");
      assert.match(text, /^# made by hand, adopted by the stack\n/);
      const config = readStackConfig(dir, "handmade");
      const domains = parseStackConfig(config).domains;
      assert.deepEqual(domains.map((d) => d.adopt), result.report!.domains.map((d) => d.adopt));
      const run = await runProgram({ config, preview: true, stack: "handmade" });
      const imported = Object.fromEntries(run.registrations.filter((r) => r.importId).map((r) => [r.name, r.importId]));
      assert.deepEqual(imported, Object.assign({}, ...result.report!.domains.map((d) => d.adopt)));
    } finally {
      writeFileSync(file, original);
    }
  });

  it("--write-config refuses a stack file without its own domains list, before looking anything up", async () => {
    const bare = project("bare", { "aws:region": "us-east-1", "ses-email-auth:regions": ["us-east-1"], "ses-email-auth:addresses": ["ops@example.com"] });
    try {
      const { code, err } = await adopt(["--stack", "bare", "--resolver", knot.server, "--write-config"], bare, withoutAws());
      assert.equal(code, 2);
      assert.match(err, /^adopt: --write-config: .*Pulumi\.bare\.yaml has no ses-email-auth:domains list of its own to write adopt into/);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it("prints a table per domain and region, the sources and the adopt config to add", async () => {
    const text = await adopt(["--stack", "handmade", "--resolver", knot.server, ...tokenFlags], dir, withoutAws());
    assert.equal(text.code, 1);
    assert.match(text.out, /^example\.com \(route53 zone Z0123456789ABC\)\n  us-east-1\n/m);
    assert.match(text.out, /^    adopt-then-change +TXT bounce\.example\.com +ttl: 300 → 3600$/m);
    assert.match(text.out, /^    conflict +MX bounce\.example\.org +exists: MX 20 mail\.example\.org$/m);
    assert.match(text.out, /^  every region$/m);
    assert.match(text.out, /^  ses: skipped \(no AWS credentials/m);
    assert.match(text.out, /^  # ses-email-auth:domains\[0\] \(example\.com\)\n  adopt:\n    example\.com-us-east-1: example\.com@us-east-1$/m);
    assert.match(text.out, /^CONFLICTS: /m);
  });
});
