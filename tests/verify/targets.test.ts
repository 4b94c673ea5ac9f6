/** What verify checks, from flags and files; and the judge on hand-made answers, without sockets. */
import assert from "node:assert/strict";
import { RequiredPaths } from "../../lib/alignment";
import { Standards } from "../../lib/dmarc";
import { domainRecords, RecordRole, RecordType } from "../../lib/records";
import { Answer } from "../../tools/verify/dns";
import { answerKey, Facts, judge, plan } from "../../tools/verify/judge";
import { buildTargets, parseDkimTokens, parseOutputs, specFromFlags, tokensFromRecords } from "../../tools/verify/targets";
import { UsageError } from "../../tools/command";
import { CASES } from "./cases";

const good = CASES.find((c) => c.spec.name === "good.test")!;
const byo = CASES.find((c) => c.spec.name === "byo.test")!;

describe("verify targets", () => {
  it("models a domain given by flags: Easy DKIM, a shared MAIL FROM, From domains below it", () => {
    const spec = specFromFlags({ domain: "Example.COM.", regions: ["us-east-1", "eu-west-1"], mailFrom: "mail.bounce.example.com", from: ["news.example.com"] });
    assert.equal(spec.name, "example.com");
    assert.deepEqual(spec.mailFrom, { subdomain: "mail.bounce", perRegion: false, onMxFailure: "reject" });
    assert.deepEqual(spec.fromDomains, ["news.example.com"]);
    assert.deepEqual(specFromFlags({ domain: "example.com", regions: ["us-east-1"], from: [] }).fromDomains, ["example.com"]);
    assert.throws(() => specFromFlags({ domain: "example.com", regions: ["us-east-1"], mailFrom: "example.com", from: [] }), UsageError);
  });

  it("reads --dkim-tokens with and without a domain", () => {
    assert.deepEqual(parseDkimTokens(["us-east-1=A,b,c"], ["x.test"]).get("x.test")?.get("us-east-1"), ["a", "b", "c"]);
    assert.deepEqual(parseDkimTokens(["y.test:eu-west-1=a,b,c"], ["x.test", "y.test"]).get("y.test")?.get("eu-west-1"), ["a", "b", "c"]);
    assert.throws(() => parseDkimTokens(["us-east-1=a,b,c"], ["x.test", "y.test"]), /2 domains are checked/);
    assert.throws(() => parseDkimTokens(["z.test:us-east-1=a,b,c"], ["x.test"]), /not one of the domains/);
  });

  it("takes records and tokens from stack outputs", () => {
    const records = domainRecords(good.spec, (r) => good.tokens.get(r));
    const parsed = parseOutputs(JSON.stringify({ records, other: 1 }), "o.json");
    assert.equal(parsed.length, records.length);
    assert.deepEqual(tokensFromRecords(parsed).get("good.test"), good.tokens);
    assert.throws(() => parseOutputs(JSON.stringify({ records: [{ name: "x" }] }), "o.json"), /records\[0\] needs name, type/);
    assert.throws(() => parseOutputs("{", "o.json"), /not JSON/);
  });

  it("gives each domain the declared records at or below it, the deepest domain first", () => {
    const parent = specFromFlags({ domain: "a.test", regions: ["us-east-1"], from: [] });
    const child = specFromFlags({ domain: "sub.a.test", regions: ["us-east-1"], from: [] });
    const records = [
      { name: "_dmarc.a.test", type: RecordType.TXT, values: ["v=DMARC1; p=none"] },
      { name: "_dmarc.sub.a.test", type: RecordType.TXT, values: ["v=DMARC1; p=none"] },
    ];
    const [p, c] = buildTargets([parent, child], records, [], RequiredPaths.ANY);
    assert.deepEqual(p.declared.map((r) => r.name), ["_dmarc.a.test"]);
    assert.deepEqual(c.declared.map((r) => r.name), ["_dmarc.sub.a.test"]);
  });
});

describe("verify judge, on answers made by hand", () => {
  /** The answers knot would give for a case's zone, edited. */
  function factsFor(records: { type: "TXT" | "MX" | "CNAME"; name: string; values: string[] }[]): Facts {
    // A name the zone lacks answers NXDOMAIN, as knot would: the tree walk asks names no record lists.
    const answers = new (class extends Map<string, Answer> {
      get(key: string): Answer {
        return super.get(key) ?? { status: "nxdomain", detail: "" };
      }
    })();
    for (const r of records) answers.set(answerKey(r.type, r.name), { status: "ok", values: r.values });
    return { answers, dkim: new Map(), spf: new Map() };
  }

  it("asks for BYODKIM's one key record, not per region", () => {
    const target = { spec: byo.spec, tokens: new Map(), declared: [], requiredPaths: RequiredPaths.ANY, standards: Standards.BOTH };
    const names = plan(target).lookups.filter((l) => l.name.includes("_domainkey")).map((l) => l.name);
    assert.deepEqual(names, ["ses2026._domainkey.byo.test"]);
  });

  it("fails a BYODKIM key that is not the stack's, and needs both paths when told so", () => {
    const records = domainRecords(byo.spec).map((r) => (r.role === RecordRole.BYODKIM ? { ...r, values: ["v=DKIM1; k=rsa; p=AAAAother"] } : r));
    const facts = factsFor(records);
    for (const r of records.filter((x) => x.role === RecordRole.MAIL_FROM_SPF)) facts.spf.set(r.name, { address: "199.255.192.0", result: "pass", comment: "", lookups: 1 });
    const any = judge({ spec: byo.spec, tokens: new Map(), declared: [], requiredPaths: RequiredPaths.ANY, standards: Standards.BOTH }, facts);
    assert.match(any[0].findings.find((f) => f.check === "byodkim")!.message, /not the stack's public key/);
    assert.deepEqual(any[0].regions.map((r) => [r.dkim, r.spf, r.dmarc]), [["fail", "pass", "pass"], ["fail", "pass", "pass"]]);
    const both = judge({ spec: byo.spec, tokens: new Map(), declared: [], requiredPaths: RequiredPaths.BOTH, standards: Standards.BOTH }, facts);
    assert.deepEqual(both[0].regions.map((r) => r.dmarc), ["fail", "fail"]);
  });

  it("finds the key among several, huge or malformed TXT records at a BYODKIM name", () => {
    const records = domainRecords(byo.spec);
    const key = records.find((r) => r.role === RecordRole.BYODKIM)!;
    const noise = [`p=${" a".repeat(30000)}!`, "k=rsa; v=DKIM1; p=AAAA", "v=DKIM1; p=", "\u0000;=;;"];
    const report = judge({ spec: byo.spec, tokens: new Map(), declared: [], requiredPaths: RequiredPaths.ANY, standards: Standards.BOTH }, factsFor([...records.filter((r) => r !== key), { ...key, values: [...noise, ...key.values] }]));
    assert.match(report[0].findings.find((f) => f.check === "byodkim")!.message, /the stack's key is published/);
  });

  it("checks a per-region MAIL FROM domain once per region, each against its own endpoint", () => {
    const spec = { ...good.spec, mailFrom: { ...good.spec.mailFrom!, perRegion: true } };
    const target = { spec, tokens: good.tokens, declared: [], requiredPaths: RequiredPaths.ANY, standards: Standards.BOTH };
    assert.deepEqual(plan(target).spfDomains, ["bounce-us-east-1.good.test", "bounce-eu-west-1.good.test"]);
    const report = judge(target, factsFor(domainRecords(spec, (r) => good.tokens.get(r))));
    const mx = report[0].findings.filter((f) => f.check === "mail-from-mx");
    assert.deepEqual(mx.map((f) => [f.region, f.status]), [["us-east-1", "pass"], ["eu-west-1", "pass"]]);
  });
});
