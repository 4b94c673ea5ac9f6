import { strict as assert } from "node:assert";
import { AlignmentFacts, aligns, judgeAlignment, RequiredPaths, Verdict } from "../../lib/alignment";
import { Alignment, DmarcDns, Standards, TxtAnswer } from "../../lib/dmarc";

/** DNS as a table of `_dmarc` names (records hypothetical, as in docs/dmarc-2026.md); every name not listed has none. */
function dnsOf(records: Record<string, string | string[]>, unknown: string[] = []): DmarcDns {
  return {
    txt: (name): TxtAnswer => (unknown.includes(name) ? { unknown: "is outside this stack" } : ([] as string[]).concat(records[name] ?? [])),
    exists: () => true,
  };
}

function facts(overrides: Partial<AlignmentFacts> = {}): AlignmentFacts {
  return {
    identity: "example.com",
    region: "us-east-1",
    from: "example.com",
    dns: dnsOf({ "_dmarc.example.com": "v=DMARC1; p=quarantine" }),
    dkim: { state: "complete" },
    mailFrom: { state: "complete", domain: "bounce.example.com" },
    requiredPaths: RequiredPaths.ANY,
    ...overrides,
  };
}

/** Each standard's outcome, path by path: [dmarc, dkim, spf]. */
function outcomes(v: Verdict) {
  const of = (s: "rfc7489" | "rfc9989") => [v.byStandard[s].dmarc, v.byStandard[s].dkim.outcome, v.byStandard[s].spf.outcome];
  return { rfc7489: of("rfc7489"), rfc9989: of("rfc9989"), required: [v.dmarc, v.dkim.outcome, v.spf.outcome] };
}

describe("lib/alignment", () => {
  it("relaxed alignment by the public suffix list (RFC 7489)", () => {
    assert.ok(aligns("bounce.example.com", "example.com", Alignment.RELAXED));
    assert.ok(aligns("example.co.uk", "news.example.co.uk", Alignment.RELAXED));
    assert.ok(!aligns("other.co.uk", "example.co.uk", Alignment.RELAXED));
    assert.ok(!aligns("a.github.io", "b.github.io", Alignment.RELAXED), "private suffixes separate organizations");
    assert.ok(!aligns("bounce.example.com", "example.com", Alignment.STRICT));
  });

  it("passes through both paths under both standards when everything is in place", () => {
    const v = judgeAlignment(facts());
    assert.deepEqual(outcomes(v), { rfc7489: ["pass", "pass", "pass"], rfc9989: ["pass", "pass", "pass"], required: ["pass", "pass", "pass"] });
    assert.deepEqual(v.dkim.passesUnder, ["rfc7489", "rfc9989"]);
    assert.match(v.summary, /passes via DKIM and SPF, p=quarantine from _dmarc\.example\.com \(RFC 7489 and RFC 9989\)/);
    assert.deepEqual(v.disagreements, []);
    assert.deepEqual(v.byStandard.rfc9989.queries, ["_dmarc.example.com", "_dmarc.com", "_dmarc.bounce.example.com"]);
  });

  it("aspf=s never aligns SES's MAIL FROM, but DKIM still carries DMARC", () => {
    const dns = dnsOf({ "_dmarc.example.com": "v=DMARC1; p=reject; aspf=s" });
    const v = judgeAlignment(facts({ dns }));
    assert.equal(v.spf.outcome, "fail");
    assert.equal(v.dmarc, "pass");
    assert.equal(judgeAlignment(facts({ dns, requiredPaths: RequiredPaths.BOTH })).dmarc, "fail");
  });

  it("adkim=s with a subdomain From and no aligned SPF fails, naming why", () => {
    const v = judgeAlignment(facts({ from: "news.example.com", dns: dnsOf({ "_dmarc.example.com": "v=DMARC1; p=reject; adkim=s; aspf=s" }) }));
    assert.equal(v.dmarc, "fail");
    assert.match(v.dkim.reason, /strict alignment needs news\.example\.com/);
  });

  it("fails without a DMARC record, or with two at the From domain", () => {
    assert.match(judgeAlignment(facts({ dns: dnsOf({}) })).summary, /no DMARC record at _dmarc\.example\.com/);
    const two = judgeAlignment(facts({ dns: dnsOf({ "_dmarc.example.com": ["v=DMARC1; p=none", "v=DMARC1; p=reject"] }) }));
    assert.equal(two.dmarc, "fail");
    assert.match(two.summary, /2 DMARC records/);
  });

  it("fails SPF without a custom MAIL FROM and DKIM when records are missing", () => {
    const v = judgeAlignment(facts({ mailFrom: undefined, dkim: { state: "incomplete", detail: "no DKIM CNAMEs in eu-west-1" } }));
    assert.equal(v.dmarc, "fail");
    assert.match(v.summary, /no DKIM CNAMEs in eu-west-1/);
    assert.match(v.summary, /amazonses\.com/);
  });

  it("answers unknown, not pass or fail, while a path's records are known only after apply", () => {
    assert.equal(judgeAlignment(facts({ dkim: { state: "unknown" }, mailFrom: undefined })).dmarc, "unknown");
    assert.equal(judgeAlignment(facts({ dkim: { state: "unknown" } })).dmarc, "pass", "SPF alone decides");
    assert.equal(judgeAlignment(facts({ dns: dnsOf({}, ["_dmarc.example.com"]) })).dmarc, "unknown");
  });

  it("decides what holds whatever an unknown name holds: a subdomain identity with an unknown parent", () => {
    const dns = dnsOf({ "_dmarc.mail.example.com": "v=DMARC1; p=reject" }, ["_dmarc.example.com", "_dmarc.com"]);
    const v = judgeAlignment(facts({ identity: "mail.example.com", from: "mail.example.com", mailFrom: { state: "complete", domain: "bounce.mail.example.com" }, dns }));
    assert.deepEqual(outcomes(v).required, ["pass", "pass", "pass"]);
    const sub = judgeAlignment(facts({ identity: "mail.example.com", from: "news.mail.example.com", mailFrom: { state: "complete", domain: "bounce.mail.example.com" }, dns }));
    assert.equal(sub.dmarc, "unknown");
    assert.match(sub.summary, /cannot be decided yet \(.*_dmarc\.example\.com .*outside this stack/);
  });

  describe("the worked examples of docs/dmarc-2026.md", () => {
    it("E1: a From subdomain with its own record, no record at the apex: aligned for RFC 7489 only; publish _dmarc.<apex>", () => {
      const v = judgeAlignment(facts({ from: "news.example.com", mailFrom: undefined, dns: dnsOf({ "_dmarc.news.example.com": "v=DMARC1; p=reject" }) }));
      assert.deepEqual(outcomes(v), { rfc7489: ["pass", "pass", "fail"], rfc9989: ["fail", "fail", "fail"], required: ["fail", "fail", "fail"] });
      assert.deepEqual(v.dkim.passesUnder, ["rfc7489"]);
      assert.deepEqual(v.disagreements.map((d) => [d.about, d.cause]), [["dkim", "no-organizational-record"]]);
      assert.match(v.disagreements[0].fix, /publish a DMARC record at _dmarc\.example\.com/);
      assert.match(v.summary, /DMARC fails under RFC 9989 \(RFC 7489 receivers pass it\)/);
      assert.equal(judgeAlignment(facts({ from: "news.example.com", mailFrom: undefined, dns: dnsOf({ "_dmarc.news.example.com": "v=DMARC1; p=reject" }), standards: Standards.RFC7489 })).dmarc, "pass");
      const fixed = judgeAlignment(facts({ from: "news.example.com", mailFrom: undefined, dns: dnsOf({ "_dmarc.news.example.com": "v=DMARC1; p=reject", "_dmarc.example.com": "v=DMARC1; p=reject" }) }));
      assert.equal(fixed.dmarc, "pass");
      assert.deepEqual(fixed.disagreements, []);
    });

    it("E2: psd=n on an intermediate domain: unaligned for RFC 9989, and another record's policy", () => {
      const dns = dnsOf({ "_dmarc.eu.corp.example": "v=DMARC1; p=reject; psd=n", "_dmarc.corp.example": "v=DMARC1; p=none" });
      const v = judgeAlignment(facts({ identity: "corp.example", from: "billing.eu.corp.example", mailFrom: undefined, dns }));
      assert.deepEqual(outcomes(v).rfc7489, ["pass", "pass", "fail"]);
      assert.deepEqual(outcomes(v).rfc9989, ["fail", "fail", "fail"]);
      assert.deepEqual(v.disagreements.map((d) => d.cause), ["psd-n", "policy-record"]);
      assert.match(v.disagreements[0].message, /_dmarc\.eu\.corp\.example has psd=n/);
      assert.match(v.disagreements[1].message, /RFC 7489 receivers apply sp=none from _dmarc\.corp\.example .* RFC 9989 receivers sp=reject from _dmarc\.eu\.corp\.example/);
      assert.deepEqual(v.byStandard.rfc9989.queries, ["_dmarc.billing.eu.corp.example", "_dmarc.eu.corp.example"]);
    });

    it("E3: a PSD with psd=y: on the public suffix list, RFC 7489 finds no DMARC where RFC 9989 applies the PSD's policy", () => {
      const v = judgeAlignment(facts({ identity: "giant.bank", from: "giant.bank", mailFrom: { state: "complete", domain: "bounce.giant.bank" }, dns: dnsOf({ "_dmarc.bank": "v=DMARC1; p=reject; psd=y" }) }));
      assert.deepEqual(outcomes(v), { rfc7489: ["fail", "pass", "pass"], rfc9989: ["pass", "pass", "pass"], required: ["fail", "pass", "pass"] });
      assert.ok(v.byStandard.rfc9989.policy.status === "applied" && v.byStandard.rfc9989.policy.policy.source === "psd");
      assert.deepEqual(v.disagreements.map((d) => d.cause), ["policy-record"]);
      assert.match(v.disagreements[0].fix, /publish a DMARC record at _dmarc\.giant\.bank/);
    });

    it("E3: a PSD with psd=y not on the public suffix list: RFC 7489 sees one organization across tenants, RFC 9989 two", () => {
      const dns = dnsOf({ "_dmarc.bank.example": "v=DMARC1; p=reject; psd=y" });
      const v = judgeAlignment(facts({ identity: "mail.mega.bank.example", from: "giant.bank.example", mailFrom: undefined, dns }));
      assert.deepEqual(outcomes(v).rfc7489, ["pass", "pass", "fail"]);
      assert.deepEqual(outcomes(v).rfc9989, ["fail", "fail", "fail"]);
      assert.deepEqual(v.disagreements.map((d) => d.cause), ["psd-y"]);
    });

    it("E4: a platform on the public suffix list's private section with a record: RFC 9989 applies it to its tenants", () => {
      const v = judgeAlignment(facts({ identity: "alice.blogspot.com", from: "alice.blogspot.com", mailFrom: { state: "complete", domain: "bounce.alice.blogspot.com" }, dns: dnsOf({ "_dmarc.blogspot.com": "v=DMARC1; p=reject" }) }));
      assert.deepEqual(outcomes(v).rfc7489, ["fail", "pass", "pass"]);
      assert.deepEqual(outcomes(v).rfc9989, ["pass", "pass", "pass"]);
      assert.match(v.byStandard.rfc7489.policy.status === "none" ? v.byStandard.rfc7489.policy.why : "", /no DMARC record at _dmarc\.alice\.blogspot\.com/);
      assert.ok(v.byStandard.rfc9989.policy.status === "applied" && v.byStandard.rfc9989.policy.policy.name === "_dmarc.blogspot.com");
      assert.deepEqual(v.disagreements.map((d) => d.cause), ["policy-record"]);
    });

    it("E5: custom MAIL FROM aligns under both, until someone publishes psd=n on it", () => {
      const ok = judgeAlignment(facts({ dkim: { state: "incomplete", detail: "no DKIM" } }));
      assert.deepEqual(outcomes(ok).required, ["pass", "fail", "pass"]);
      const broken = judgeAlignment(facts({ dkim: { state: "incomplete", detail: "no DKIM" }, dns: dnsOf({ "_dmarc.example.com": "v=DMARC1; p=reject", "_dmarc.bounce.example.com": "v=DMARC1; p=none; psd=n" }) }));
      assert.deepEqual(outcomes(broken), { rfc7489: ["pass", "fail", "pass"], rfc9989: ["fail", "fail", "fail"], required: ["fail", "fail", "fail"] });
      assert.deepEqual(broken.disagreements.map((d) => [d.about, d.cause]), [["spf", "psd-n"]]);
      assert.match(broken.disagreements[0].fix, /remove psd=n from _dmarc\.bounce\.example\.com/);
    });
  });

  it("an np= that differs from sp= for a From domain that does not exist is a disagreement", () => {
    const dns = { ...dnsOf({ "_dmarc.example.com": "v=DMARC1; p=reject; sp=quarantine; np=reject" }), exists: (d: string) => d !== "ghost.example.com" };
    const v = judgeAlignment(facts({ from: "ghost.example.com", dns }));
    assert.equal(v.dmarc, "pass");
    assert.deepEqual(v.disagreements.map((d) => d.cause), ["nonexistent-domain"]);
  });
});
