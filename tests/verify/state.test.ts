/** `verify --state`: exports read as the audit and the policy pack read them, on the audit's own fixtures. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { mockDkimTokens } from "../../tools/provider-mocks";
import { parseState } from "../../tools/verify/state";
import { UsageError } from "../../tools/verify/targets";

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
