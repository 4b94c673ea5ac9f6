import { strict as assert } from "node:assert";
import { DMARC_EXAMPLES, domainStack, exampleConfig, findingsOf } from "../stacks";

const POLICY = "dmarc-record-portability";
const stack = (dmarc: string) => domainStack({ domain: "example.com", regions: ["us-east-1", "eu-west-1"], dmarc });

describe(`policy ${POLICY}`, () => {
  it("is advisory, and says of the seed's pct=25 what each kind of receiver does and what to write", async () => {
    const findings = await findingsOf(POLICY, stack("v=DMARC1;p=quarantine;pct=25;rua=mailto:dmarcreports@example.com"));
    assert.equal(findings.length, 1, JSON.stringify(findings));
    assert.equal(findings[0].level, "advisory");
    assert.match(findings[0].message, /^_dmarc\.example\.com: pct=25 means 25% of failing mail to RFC 7489 receivers .* 100% to RFC 9989 receivers, which ignore pct; drop pct/);
    assert.ok(findings[0].urn?.endsWith("example.com-dmarc"));
  });

  it("flags pct=0 without t=y, and accepts it with t=y, an RFC 9989 record and pct=100", async () => {
    assert.match((await findingsOf(POLICY, stack("v=DMARC1; p=reject; pct=0")))[0].message, /pct=0 without t=y: .*; add t=y/);
    for (const ok of ["v=DMARC1; p=quarantine; t=y; pct=0", "v=DMARC1; p=reject; sp=quarantine; np=reject; t=y", "v=DMARC1; p=reject; pct=100"]) assert.deepEqual(await findingsOf(POLICY, stack(ok)), [], ok);
  });

  it("flags p missing or not second, in the stack's records and in those published elsewhere", async () => {
    assert.match((await findingsOf(POLICY, stack("v=DMARC1; sp=reject; p=reject")))[0].message, /p= is not the second tag/);
    const external = await findingsOf(POLICY, domainStack({ domain: "example.com", regions: ["us-east-1"], dmarc: null }), { [POLICY]: { externalDmarc: { "example.com": "v=DMARC1; rua=mailto:d@example.com" } } });
    assert.equal(external.length, 1);
    assert.match(external[0].message, /^_dmarc\.example\.com: no p= tag/);
    assert.equal(external[0].urn, undefined);
  });

  it("E1: no record at the organizational domain while the From subdomain has one", async () => {
    const e1 = DMARC_EXAMPLES.e1();
    const findings = await findingsOf(POLICY, e1.stack, exampleConfig(POLICY, e1));
    assert.equal(findings.length, 2, JSON.stringify(findings));
    assert.match(findings[0].message, /^news\.example\.com \(identity example\.com\): DKIM \(d=example\.com\) aligns with news\.example\.com under RFC 7489 but not under RFC 9989: there is no DMARC record at _dmarc\.example\.com.*fix: publish a DMARC record at _dmarc\.example\.com/);
    assert.match(findings[1].message, /SPF \(MAIL FROM bounce\.example\.com\)/);
  });

  it("E2 and E5: psd=n on a From domain's parent, or on the MAIL FROM domain, that relies on relaxed alignment", async () => {
    const e2 = DMARC_EXAMPLES.e2();
    const two = (await findingsOf(POLICY, e2.stack, exampleConfig(POLICY, e2))).map((f) => f.message);
    assert.ok(two.some((m) => /_dmarc\.eu\.corp\.example has psd=n.*fix: remove psd=n from _dmarc\.eu\.corp\.example/.test(m)), two.join("\n"));
    assert.ok(two.some((m) => /RFC 7489 receivers apply sp=none from _dmarc\.corp\.example .* RFC 9989 receivers sp=reject from _dmarc\.eu\.corp\.example/.test(m)), two.join("\n"));
    const e5 = DMARC_EXAMPLES.e5();
    const five = await findingsOf(POLICY, e5.stack, exampleConfig(POLICY, e5));
    assert.equal(five.length, 1);
    assert.match(five[0].message, /SPF \(MAIL FROM bounce\.example\.com\) aligns with example\.com under RFC 7489 but not under RFC 9989: _dmarc\.bounce\.example\.com has psd=n.*never on a MAIL FROM domain/);
  });

  it("E3 and E4: a public suffix's record applies to RFC 9989 receivers only", async () => {
    for (const example of [DMARC_EXAMPLES.e3(), DMARC_EXAMPLES.e4()]) {
      const findings = await findingsOf(POLICY, example.stack, exampleConfig(POLICY, example));
      assert.equal(findings.length, 1, JSON.stringify(findings));
      assert.match(findings[0].message, /RFC 7489 receivers apply no DMARC .* RFC 9989 receivers sp=reject from _dmarc\.(bank|blogspot\.com).*fix: publish a DMARC record at _dmarc\.(giant\.bank|alice\.blogspot\.com) itself/);
    }
  });

  it("says nothing of a stack both kinds of receivers read alike", async () => {
    assert.deepEqual(await findingsOf(POLICY, stack("v=DMARC1; p=reject; rua=mailto:d@example.com")), []);
  });
});
