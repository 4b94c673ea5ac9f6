/** `verify --state`: exports read as the audit and the policy pack read them, on the audit's own fixtures. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { dkimHost } from "../../lib/regions";
import { renderZoneFile } from "../../lib/zonefile";
import { mockDkimTokens } from "../../tools/provider-mocks";
import { main } from "../../tools/verify/cli";
import { parseState } from "../../tools/verify/state";
import { UsageError } from "../../tools/command";
import { removeDir, tempStack } from "../tools/cli";
import { sesStub } from "./cases";
import { startKnot } from "./knot";

const EXPORTS = join(__dirname, "..", "fixtures", "exports");
const exportText = (name: string) => readFileSync(join(EXPORTS, name), "utf8");
const names = (records: { type: string; name: string }[]) => records.map((r) => `${r.type} ${r.name}`).sort();

describe("verify --state", () => {
  it("reads SESv2 tokens and Cloudflare records as a resolver would answer them", () => {
    const { records, tokens } = parseState(exportText("cloudflare.json"), "cloudflare.json");
    assert.deepEqual(tokens.get("example.com")?.get("eu-west-1")?.length, 3);
    const byName = new Map(records.map((r) => [`${r.type} ${r.name}`, r.values]));
    assert.deepEqual(byName.get("MX bounce.example.com"), ["10 feedback-smtp.eu-west-1.amazonses.com"]);
    assert.deepEqual(byName.get("TXT bounce.example.com"), ["v=spf1 include:amazonses.com ~all"], "Cloudflare's quotes are not part of the value");
    assert.equal(records.filter((r) => r.type === "CNAME").length, 3);
  });

  it("reads Route 53 records and tokens", () => {
    const { records, tokens } = parseState(exportText("route53.json"), "route53.json");
    assert.deepEqual(tokens.get("example.com")?.get("us-east-1")?.length, 3);
    assert.deepEqual(names(records), [
      "CNAME jxlxsmrwwj3n2tvuxw5hyciefukpy6ft._domainkey.example.com",
      "CNAME vngqhqfgpmqjj7xek2t7aakfidnvizwx._domainkey.example.com",
      "CNAME yzptlneamdwhpcm6iqa33ywhm7h2wo3x._domainkey.example.com",
      "MX bounce.example.com",
      "TXT _dmarc.example.com",
      "TXT bounce.example.com",
    ]);
  });

  it("reads an SES v1 stack: DomainDkim tokens in the provider's region, zone-relative names made absolute", () => {
    const { records, tokens } = parseState(exportText("ses-v1.json"), "ses-v1.json");
    const expected = mockDkimTokens("example.org", "eu-west-1");
    assert.deepEqual(tokens.get("example.org")?.get("eu-west-1"), expected);
    assert.ok(names(records).includes("MX mail.example.org"), names(records).join(", "));
    assert.ok(names(records).includes("TXT _dmarc.example.org"));
    assert.ok(names(records).includes(`CNAME ${expected[0]}._domainkey.example.org`));
  });

  it("prefers the stack's own records output to the record resources", () => {
    const doc = JSON.parse(exportText("cloudflare.json"));
    const stack = doc.deployment.resources.find((r: { type: string }) => r.type === "pulumi:pulumi:Stack");
    stack.outputs = { records: [{ domain: "example.com", role: "dmarc", name: "_dmarc.example.com", type: "TXT", values: ["v=DMARC1; p=none"], ttl: 1 }] };
    const { records } = parseState(JSON.stringify(doc), "s.json");
    assert.deepEqual(records.map((r) => r.values), [["v=DMARC1; p=none"]]);
  });

  it("refuses what is not a stack export, saying what it expected", () => {
    assert.throws(() => parseState("{", "s.json"), (e: unknown) => e instanceof UsageError && /not JSON/.test(e.message));
    assert.throws(() => parseState("{}", "s.json"), (e: unknown) => e instanceof UsageError && /s\.json is not a stack export .*"version"/.test(e.message));
    assert.throws(() => parseState(JSON.stringify({ version: 3, deployment: { resources: [{ type: "x" }] } }), "s.json"), (e: unknown) => e instanceof UsageError && /lacks a "urn"/.test(e.message));
  });
});

describe("verify --state on exports written as the real providers write state, against knot", () => {
  const file = (name: string) => join(EXPORTS, name);

  /** Serves the export's records, less those `drop` names, beside SES's keys for the tokens' targets; runs verify. */
  async function verifyExport(name: string, args: string[], drop: (record: { name: string; type: string }) => boolean = () => false, cwd = process.cwd()) {
    const { records, tokens, replicas } = parseState(exportText(name), name);
    const targets = [...tokens].flatMap(([domain, byRegion]) => [...byRegion].flatMap(([region, list]) => list.map((t) => `${t}.${dkimHost(replicas.get(domain)?.get(region) ?? region)}`)));
    const zone = renderZoneFile([...sesStub([...new Set(targets)]), ...records.filter((r) => !drop(r)).map((r) => ({ ...r, ttl: 300 }))]);
    const knot = await startKnot(zone);
    try {
      let out = "";
      const code = await main([...args, "--state", file(name), "--resolver", knot.server], { out: (t) => (out += t), err: (t) => (out += t), cwd });
      return { code, out };
    } finally {
      await knot.stop();
    }
  }

  it("passes Easy DKIM recorded with the selector \"\"", async () => {
    const { code, out } = await verifyExport("route53.json", ["--domain", "example.com", "--regions", "us-east-1", "--mail-from", "bounce.example.com"]);
    assert.equal(code, 0, out);
    assert.match(out, /us-east-1 +dkim +PASS +3 CNAMEs → dkim\.amazonses\.com, keys published/);
  });

  it("passes a Deterministic Easy DKIM replica on its parent's records, and says whose they are", async () => {
    const args = ["--domain", "example.com", "--regions", "af-south-1,eu-west-1", "--mail-from", "bounce.example.com"];
    const { code, out } = await verifyExport("deed.json", args);
    assert.equal(code, 0, out);
    assert.match(out, /eu-west-1 +dkim +PASS +3 CNAMEs → dkim\.af-south-1\.amazonses\.com, keys published \(a Deterministic Easy DKIM replica: the af-south-1 identity's records and keys\)/);
    const missing = await verifyExport("deed.json", args, (r) => r.type === "CNAME");
    assert.equal(missing.code, 1, missing.out);
    assert.match(missing.out, /eu-west-1 +dkim +FAIL +no CNAME at [a-z2-7]{32}\._domainkey\.example\.com.*\(a Deterministic Easy DKIM replica: the af-south-1 identity's records and keys\)/);
  });

  it("passes BYODKIM: the key record Route 53 keeps as first\" \"rest is the stack's key", async () => {
    const { records } = parseState(exportText("byodkim.json"), "byodkim.json");
    const publicKey = /p=([A-Za-z0-9+/]+=*)$/.exec(records.find((r) => r.name === "ses2026._domainkey.example.net")!.values[0])![1];
    const dir = tempStack("byodkim", {
      "ses-email-auth:regions": ["us-east-1", "eu-west-1"],
      "ses-email-auth:domains": [{ name: "example.net", zone: "example.net", dkim: { selector: "ses2026", publicKey, privateKeyConfig: "exampleNetDkimKey" }, dmarc: { policy: "reject" } }],
      "ses-email-auth:exampleNetDkimKey": { secure: "v1:AAAA:AAAA" },
    });
    try {
      const { code, out } = await verifyExport("byodkim.json", ["--stack", "byodkim"], undefined, dir);
      assert.equal(code, 0, out);
      assert.match(out, /byodkim +PASS +ses2026\._domainkey\.example\.net: the stack's key is published/);
    } finally {
      removeDir(dir);
    }
  });
});
