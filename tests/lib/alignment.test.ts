import { strict as assert } from "node:assert";
import { AlignmentFacts, aligns, judgeAlignment, RequiredPaths } from "../../lib/alignment";
import { Alignment, discoverDmarc } from "../../lib/dmarc";

const dmarcAt = (record: string | undefined) => discoverDmarc("example.com", (n) => (n === "_dmarc.example.com" && record ? [record] : []));

function facts(overrides: Partial<AlignmentFacts> = {}): AlignmentFacts {
  return {
    identity: "example.com",
    region: "us-east-1",
    from: "example.com",
    dmarc: dmarcAt("v=DMARC1; p=quarantine"),
    dkim: { state: "complete" },
    mailFrom: { state: "complete", domain: "bounce.example.com" },
    requiredPaths: RequiredPaths.ANY,
    ...overrides,
  };
}

describe("lib/alignment", () => {
  it("relaxed alignment compares organizational domains through the public suffix list", () => {
    assert.ok(aligns("bounce.example.com", "example.com", Alignment.RELAXED));
    assert.ok(aligns("example.co.uk", "news.example.co.uk", Alignment.RELAXED));
    assert.ok(!aligns("other.co.uk", "example.co.uk", Alignment.RELAXED));
    assert.ok(!aligns("a.github.io", "b.github.io", Alignment.RELAXED), "private suffixes separate organizations");
    assert.ok(!aligns("bounce.example.com", "example.com", Alignment.STRICT));
  });

  it("passes through both paths when everything is in place and relaxed", () => {
    const v = judgeAlignment(facts());
    assert.equal(v.dmarc, "pass");
    assert.equal(v.dkim.outcome, "pass");
    assert.equal(v.spf.outcome, "pass");
    assert.match(v.summary, /passes via DKIM and SPF, p=quarantine/);
  });

  it("aspf=s never aligns SES's MAIL FROM, but DKIM still carries DMARC", () => {
    const v = judgeAlignment(facts({ dmarc: dmarcAt("v=DMARC1; p=reject; aspf=s") }));
    assert.equal(v.spf.outcome, "fail");
    assert.equal(v.dmarc, "pass");
    assert.equal(judgeAlignment(facts({ dmarc: dmarcAt("v=DMARC1; p=reject; aspf=s"), requiredPaths: RequiredPaths.BOTH })).dmarc, "fail");
  });

  it("adkim=s with a subdomain From and no aligned SPF fails, naming why", () => {
    const dmarc = discoverDmarc("news.example.com", (n) => (n === "_dmarc.example.com" ? ["v=DMARC1; p=reject; adkim=s; aspf=s"] : []));
    const v = judgeAlignment(facts({ from: "news.example.com", dmarc }));
    assert.equal(v.dmarc, "fail");
    assert.match(v.dkim.reason, /strict alignment needs news\.example\.com/);
  });

  it("fails without a DMARC record, or with two", () => {
    assert.equal(judgeAlignment(facts({ dmarc: dmarcAt(undefined) })).dmarc, "fail");
    const two = discoverDmarc("example.com", () => ["v=DMARC1; p=none", "v=DMARC1; p=reject"]);
    assert.match(judgeAlignment(facts({ dmarc: two })).summary, /2 DMARC records/);
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
    assert.equal(judgeAlignment(facts({ dmarc: { status: "unknown", name: "_dmarc.example.com" } })).dmarc, "unknown");
  });
});
