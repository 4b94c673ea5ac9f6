import { strict as assert } from "node:assert";
import { domainStack, findingsOf, replaceProps, variants, without } from "../stacks";

const POLICY = "ses-dmarc-alignment";
const base = { domain: "example.com", regions: ["us-east-1", "af-south-1"] };

describe(`policy ${POLICY}`, () => {
  for (const v of variants()) {
    it(`passes a complete stack (${v.label})`, async () => {
      assert.deepEqual(await findingsOf(POLICY, domainStack({ ...base, ...v })), []);
    });

    it(`fails without a DMARC record (${v.label})`, async () => {
      const findings = await findingsOf(POLICY, domainStack({ ...base, ...v, dmarc: null }));
      assert.equal(findings.length, 2, JSON.stringify(findings));
      for (const f of findings) {
        assert.equal(f.level, "mandatory");
        assert.match(f.message, /example\.com .*no DMARC record at _dmarc\.example\.com/);
      }
      assert.match(findings[1].message, /af-south-1/);
    });
  }

  it("fails when neither path aligns: no MAIL FROM and a DKIM CNAME missing in one region", async () => {
    const stack = without(domainStack({ ...base, mailFrom: null }), "example.com-af-south-1-dkim-2");
    const findings = await findingsOf(POLICY, stack);
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /example\.com \(identity example\.com, af-south-1\): DMARC fails/);
    assert.match(findings[0].message, /no custom MAIL FROM/);
    assert.ok(findings[0].urn?.endsWith("example.com-af-south-1"));
  });

  it("passes through SPF alone when DKIM is broken, unless both paths are required", async () => {
    const stack = without(domainStack(base), "example.com-us-east-1-dkim-1");
    assert.deepEqual(await findingsOf(POLICY, stack), []);
    const both = await findingsOf(POLICY, stack, { [POLICY]: { requiredPaths: "both" } });
    assert.equal(both.length, 1);
    assert.match(both[0].message, /us-east-1.*both paths must pass/);
  });

  it("fails strict DKIM alignment for an extra From domain below the identity", async () => {
    const stack = domainStack({ ...base, mailFrom: null, dmarc: "v=DMARC1; p=reject; adkim=s" });
    const config = { [POLICY]: { fromDomains: { "Example.COM": ["News.Example.com."] } } };
    const findings = await findingsOf(POLICY, stack, config);
    // news.example.com has no record of its own: example.com's applies, and adkim=s wants d=news.example.com.
    assert.equal(findings.length, 2);
    assert.match(findings[0].message, /^news\.example\.com .*strict alignment needs news\.example\.com/);
  });

  it("finds the organizational domain's record for a subdomain identity", async () => {
    const stack = [...domainStack({ domain: "mail.example.co.uk", regions: ["eu-west-2"], dmarc: null }), ...domainStack({ domain: "example.co.uk", regions: ["eu-west-2"], mailFrom: null })];
    assert.deepEqual(await findingsOf(POLICY, stack), []);
  });

  it("accepts a DMARC record published outside the stack", async () => {
    const stack = domainStack({ ...base, dmarc: null });
    assert.deepEqual(await findingsOf(POLICY, stack, { [POLICY]: { externalDmarc: { "Example.com": "v=DMARC1; p=reject" } } }), []);
  });

  it("fails a record that says it is DMARC but is invalid", async () => {
    const stack = domainStack({ ...base, dmarc: "v=DMARC1; p=sometimes" });
    const findings = await findingsOf(POLICY, stack);
    assert.equal(findings.length, 2);
    assert.match(findings[0].message, /invalid DMARC record at _dmarc\.example\.com/);
  });

  it("in preview, an identity whose only path waits for its DKIM tokens is undecided, not passed or failed", async () => {
    const findings = await findingsOf(POLICY, domainStack({ ...base, mailFrom: null, preview: true }));
    assert.equal(findings.length, 1);
    assert.equal(findings[0].level, "advisory");
    assert.match(findings[0].message, /^can't run policy 'ses-dmarc-alignment' .* during preview: example\.com \(identity example\.com, us-east-1\): cannot be decided yet \(.*known only after apply/);
  });

  it("in preview, still fails what is already certain", async () => {
    // No valid p= and no rua=: receivers apply no DMARC processing at all, whatever the DKIM tokens turn out to be.
    const stack = replaceProps(domainStack({ ...base, preview: true, mailFrom: null }), "example.com-dmarc", { records: ["v=DMARC1; p=sometimes"] });
    const findings = await findingsOf(POLICY, stack);
    assert.deepEqual(findings.map((f) => f.level), ["mandatory", "mandatory"]);
  });
});
