import { strict as assert } from "node:assert";
import { DMARC_EXAMPLES, domainStack, exampleConfig, findingsOf, replaceProps, variants, without } from "../stacks";

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

  describe("RFC 7489 and RFC 9989 receivers, both required by default", () => {
    it("E1: fails RFC 9989 receivers, naming the fix; passes when only RFC 7489 ones are required", async () => {
      const e1 = DMARC_EXAMPLES.e1();
      // The apex itself has no record, so mail From it fails under both: E1 is about news.example.com.
      const news = async (config: ReturnType<typeof exampleConfig>) => (await findingsOf(POLICY, e1.stack, config)).filter((f) => f.message.startsWith("news."));
      const findings = await news(exampleConfig(POLICY, e1));
      assert.equal(findings.length, 1, JSON.stringify(findings));
      assert.equal(findings[0].level, "mandatory");
      assert.match(findings[0].message, /^news\.example\.com \(identity example\.com, us-east-1\): DMARC fails under RFC 9989 \(RFC 7489 receivers pass it\).*to pass under both: publish a DMARC record at _dmarc\.example\.com/);
      assert.match(findings[0].message, /_dmarc\.com, a public suffix that is outside this stack, is taken to publish no DMARC record/, "a psd=y record there would make example.com the organizational domain again");
      assert.deepEqual(await news(exampleConfig(POLICY, e1, { standards: "rfc7489" })), []);
      assert.equal((await news(exampleConfig(POLICY, e1, { standards: "rfc9989" }))).length, 1);
    });

    it("E2: psd=n between identity and From domain fails RFC 9989 receivers", async () => {
      const e2 = DMARC_EXAMPLES.e2();
      const [finding] = await findingsOf(POLICY, e2.stack, exampleConfig(POLICY, e2));
      assert.match(finding.message, /^billing\.eu\.corp\.example .*DMARC fails under RFC 9989.*remove psd=n from _dmarc\.eu\.corp\.example/);
    });

    it("E3, E4: a public suffix's record carries RFC 9989 receivers, RFC 7489 ones find none: fails both-required, passes rfc9989", async () => {
      for (const example of [DMARC_EXAMPLES.e3(), DMARC_EXAMPLES.e4()]) {
        const [finding] = await findingsOf(POLICY, example.stack, exampleConfig(POLICY, example));
        assert.match(finding.message, /DMARC fails under RFC 7489 \(RFC 9989 receivers pass it\), no DMARC record at _dmarc\.(giant\.bank|alice\.blogspot\.com)/);
        assert.deepEqual(await findingsOf(POLICY, example.stack, exampleConfig(POLICY, example, { standards: "rfc9989" })), []);
      }
    });

    it("E5: psd=n on the MAIL FROM domain leaves DKIM alone to pass; requiredPaths both then fails", async () => {
      const e5 = DMARC_EXAMPLES.e5();
      assert.deepEqual(await findingsOf(POLICY, e5.stack, exampleConfig(POLICY, e5)), []);
      const [finding] = await findingsOf(POLICY, e5.stack, exampleConfig(POLICY, e5, { requiredPaths: "both" }));
      assert.match(finding.message, /DMARC fails under RFC 9989 \(RFC 7489 receivers pass it\), both paths must pass: SPF \(MAIL FROM\) domain bounce\.example\.com does not align with example\.com under RFC 9989/);
    });

    it("a From domain whose verdict hangs on a parent outside the stack is undecided and says what to declare; never 'no record'", async () => {
      const stack = domainStack({ domain: "mail.example.com", regions: ["us-east-1"] });
      const config = { fromDomains: { "mail.example.com": ["news.mail.example.com"] } };
      const findings = await findingsOf(POLICY, stack, { [POLICY]: config });
      assert.equal(findings.length, 1, JSON.stringify(findings));
      assert.match(findings[0].message, /^news\.mail\.example\.com .*cannot be decided yet \(.*_dmarc\.example\.com is outside this stack.*give the record of each name outside this stack in externalDmarc/);
      // The identity's own From domain is decided: its record applies whatever its parents publish.
      assert.ok(!findings.some((f) => f.message.startsWith("mail.example.com ")));
      // Declared empty, the parent decides it: RFC 7489 receivers look at the From domain and at
      // example.com only, never at mail.example.com's record, which RFC 9989's walk finds.
      const [declared] = await findingsOf(POLICY, stack, { [POLICY]: { ...config, externalDmarc: { "example.com": "" } } });
      assert.match(declared.message, /DMARC fails under RFC 7489 \(RFC 9989 receivers pass it\), no DMARC record at _dmarc\.news\.mail\.example\.com or _dmarc\.example\.com; to pass under both: publish a DMARC record at _dmarc\.news\.mail\.example\.com itself/);
    });
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
