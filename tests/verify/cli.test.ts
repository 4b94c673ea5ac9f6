/** The command line: flags, stack config, outputs and state files, output shapes and exit statuses. */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { domainRecords } from "../../lib/records";
import { route53TxtValue } from "../../lib/txt";
import { main } from "../../tools/verify/cli";
import { Report } from "../../tools/verify/judge";
import { CASES } from "./cases";
import { fakeDns } from "./fake-dns";
import { KnotServer, startKnot } from "./knot";
import { testZone } from "./cases";

const ROOT = join(__dirname, "..", "..");
const good = CASES.find((c) => c.spec.name === "good.test")!;
const tokenFlags = [...good.tokens].flatMap(([region, tokens]) => ["--dkim-tokens", `${region}=${tokens.join(",")}`]);
const goodFlags = ["--domain", "good.test", "--regions", "us-east-1,eu-west-1", "--mail-from", "bounce.good.test", "--from", "good.test", "--from", "news.good.test"];

async function run(args: string[], cwd = ROOT): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t), cwd });
  return { code, out, err };
}

describe("verify command line", () => {
  let knot: KnotServer;
  let dir: string;
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
    return path;
  };
  before(async () => {
    knot = await startKnot(testZone(CASES));
    dir = mkdtempSync(join(tmpdir(), "verify-cli-"));
  });
  after(async () => {
    await knot?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("exits 0 with one line per check and a verdict per region and From domain", async () => {
    const { code, out } = await run([...goodFlags, ...tokenFlags, "--resolver", knot.server]);
    assert.equal(code, 0, out);
    assert.match(out, /^good\.test +eu-west-1 +dkim +PASS +3 CNAMEs → dkim\.amazonses\.com/m);
    assert.match(out, /^good\.test +us-east-1 +verdict news\.good\.test +PASS +news\.good\.test \(identity good\.test, us-east-1\): DMARC passes via DKIM and SPF/m);
    assert.match(out, /^OK: /m);
  });

  it("prints the documented JSON shape with --json", async () => {
    const { code, out } = await run([...goodFlags, ...tokenFlags, "--resolver", knot.server, "--json"]);
    assert.equal(code, 0);
    const report = JSON.parse(out) as Report;
    assert.equal(report.ok, true);
    assert.deepEqual(report.domains.map((d) => [d.domain, d.from, d.ok]), [["good.test", "good.test", true], ["good.test", "news.good.test", true]]);
    assert.deepEqual(Object.keys(report.domains[0].regions[0]).sort(), ["dkim", "dmarc", "region", "required", "spf", "standards", "summary"]);
    assert.deepEqual(Object.keys(report.domains[0].regions[0].standards.rfc9989).sort(), ["dkim", "dmarc", "queries", "spf"]);
    for (const f of report.domains[0].findings) assert.deepEqual(Object.keys(f).filter((k) => k !== "region").sort(), ["check", "message", "status"]);
  });

  it("exits 1 when a domain would not pass", async () => {
    const { code, out } = await run(["--domain", "nodmarc.test", "--regions", "us-east-1", "--mail-from", "bounce.nodmarc.test", "--resolver", knot.server]);
    assert.equal(code, 1);
    assert.match(out, /no DMARC record at _dmarc\.nodmarc\.test/);
    assert.match(out, /Easy DKIM tokens of us-east-1 are not known/);
  });

  it("judges for the receivers --standards names: E1 fails both-required, passes for RFC 7489 receivers only", async () => {
    const e1 = CASES.find((c) => c.spec.name === "e1.test")!;
    const flags = ["--domain", "e1.test", "--regions", "us-east-1", "--mail-from", "bounce.e1.test", "--from", "news.e1.test", "--dkim-tokens", `us-east-1=${e1.tokens.get("us-east-1")!.join(",")}`, "--resolver", knot.server];
    const both = await run(flags);
    assert.equal(both.code, 1);
    assert.match(both.out, /verdict news\.e1\.test +FAIL +news\.e1\.test \(identity e1\.test, us-east-1\): DMARC fails under RFC 9989 \(RFC 7489 receivers pass it\)/);
    const rfc7489 = await run([...flags, "--standards", "rfc7489"]);
    assert.equal(rfc7489.code, 0, rfc7489.out);
    assert.match(rfc7489.out, /\(RFC 7489\); RFC 9989 receivers, not required here, fail it; to pass under both: publish a DMARC record at _dmarc\.e1\.test/);
    assert.equal((await run([...flags, "--standards", "rfc9989"])).code, 1);
  });

  it("reads domains, regions, MAIL FROM and From domains from a stack's config", async () => {
    copyFileSync(join(ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
    const domains = [{ name: "good.test", zone: "good.test", regions: ["us-east-1", "eu-west-1"], fromDomains: ["good.test", "news.good.test"] }];
    file("Pulumi.ci.yaml", stringify({ config: { "ses-email-auth:regions": ["us-east-1"], "ses-email-auth:domains": domains } }));
    const { code, out } = await run(["--stack", "ci", ...tokenFlags, "--resolver", knot.server], dir);
    assert.equal(code, 0, out);
    assert.match(out, /bounce\.good\.test MX 10 feedback-smtp\.us-east-1\.amazonses\.com/);
  });

  it("checks every record declared in the stack outputs, learning the DKIM tokens from them", async () => {
    const records = domainRecords(good.spec, (r) => good.tokens.get(r));
    const outputs = file("outputs.json", { records });
    const ok = await run([...goodFlags, "--outputs", outputs, "--resolver", knot.server]);
    assert.equal(ok.code, 0, ok.out);
    assert.equal((ok.out.match(/ record \S+ \S+ +PASS +published as declared/g) ?? []).length, records.length);

    const changed = records.map((r) => (r.role === "dmarc" ? { ...r, values: ["v=DMARC1; p=none"] } : r));
    const bad = await run([...goodFlags, "--outputs", file("changed.json", { records: changed }), "--resolver", knot.server]);
    assert.equal(bad.code, 1);
    assert.match(bad.out, /record TXT _dmarc\.good\.test +FAIL +declared "v=DMARC1; p=none"; published: "v=DMARC1; p=reject"/);
  });

  it("takes DKIM tokens and records from a state export", async () => {
    const resource = (type: string, name: string, outputs: object) => ({ urn: `urn:pulumi:dev::ses-email-auth::${type}::${name}`, custom: true, type, inputs: outputs, outputs });
    const identities = [...good.tokens].map(([region, tokens]) =>
      resource("aws:sesv2/emailIdentity:EmailIdentity", `good.test-${region}`, { emailIdentity: "good.test", region, dkimSigningAttributes: { tokens } }),
    );
    const records = domainRecords(good.spec, (r) => good.tokens.get(r)).map((r) =>
      resource("aws:route53/record:Record", r.key, { name: r.name, type: r.type, ttl: r.ttl, records: r.type === "TXT" ? r.values.map(route53TxtValue) : r.values }),
    );
    const stack = { ...resource("pulumi:pulumi:Stack", "ses-email-auth-dev", {}), custom: false };
    const state = file("state.json", { version: 3, deployment: { resources: [stack, ...identities, ...records] } });
    const { code, out } = await run([...goodFlags, "--state", state, "--resolver", knot.server]);
    assert.equal(code, 0, out);
    assert.match(out, /us-east-1 +dkim +PASS/);
    assert.match(out, /record CNAME goodtestr0t0\._domainkey\.good\.test +PASS/);
  });

  for (const [title, args] of [
    ["neither --stack nor --domain", []],
    ["both --stack and --domain", ["--stack", "dev", "--domain", "good.test"]],
    ["an unknown flag", ["--domain", "good.test", "--regions", "us-east-1", "--verbose"]],
    ["a region without SES", ["--domain", "good.test", "--regions", "ap-east-1"]],
    ["a MAIL FROM outside the domain", ["--domain", "good.test", "--regions", "us-east-1", "--mail-from", "bounce.other.test"]],
    ["a From domain outside the domain", ["--domain", "good.test", "--regions", "us-east-1", "--from", "other.test"]],
    ["two DKIM tokens", ["--domain", "good.test", "--regions", "us-east-1", "--dkim-tokens", "us-east-1=a,b"]],
    ["a bad timeout", ["--domain", "good.test", "--regions", "us-east-1", "--timeout", "soon"]],
    ["an unknown standard", ["--domain", "good.test", "--regions", "us-east-1", "--standards", "rfc7208"]],
    ["a bad resolver", ["--domain", "good.test", "--regions", "us-east-1", "--resolver", "not an address"]],
    ["a missing outputs file", ["--domain", "good.test", "--regions", "us-east-1", "--outputs", "/nonexistent.json"]],
    ["outputs without records", ["--domain", "good.test", "--regions", "us-east-1", "--outputs", "package.json"]],
    ["a stack that does not exist", ["--stack", "nope"]],
  ] as const) {
    it(`exits 2 on ${title}`, async () => {
      const { code, err } = await run([...args]);
      assert.equal(code, 2);
      assert.match(err, /^verify: .+\nusage: verify/);
    });
  }

  it("exits 2 naming the key of a bad stack config", async () => {
    copyFileSync(join(ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
    file("Pulumi.bad.yaml", stringify({ config: { "ses-email-auth:regions": ["us-east-7"], "ses-email-auth:domains": [{ name: "good.test", zone: "good.test" }] } }));
    const { code, err } = await run(["--stack", "bad"], dir);
    assert.equal(code, 2);
    assert.match(err, /ses-email-auth:regions\[0\]/);
  });

  it("runs as `npm run verify` does, and a silent resolver ends it in bounded time with exit 1", async () => {
    const silent = await fakeDns("silent");
    try {
      const args = ["tsx", "tools/verify.ts", "--domain", "good.test", "--regions", "us-east-1", "--resolver", silent.server, "--timeout", "100"];
      const exit = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
        execFile("npx", args, { cwd: ROOT, timeout: 20_000 }, (error, stdout) => resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout }));
      });
      assert.equal(exit.code, 1, exit.stdout);
      assert.match(exit.stdout, /cannot read _dmarc\.good\.test: no answer \(timeout\)/);
    } finally {
      await silent.close();
    }
  });
});
