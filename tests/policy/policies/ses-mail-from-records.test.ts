import { strict as assert } from "node:assert";
import { domainStack, findingsOf, record, replaceProps, UNKNOWN, variants, without } from "../stacks";

const POLICY = "ses-mail-from-records";
const base = { domain: "example.com", regions: ["us-east-1", "eu-west-1"] };

describe(`policy ${POLICY}`, () => {
  for (const v of variants()) {
    it(`passes one MAIL FROM domain shared by two regions with one MX (${v.label})`, async () => {
      assert.deepEqual(await findingsOf(POLICY, domainStack({ ...base, ...v })), []);
    });

    it(`fails a second MX at the MAIL FROM domain (${v.label})`, async () => {
      const dns = v.dns;
      const stack = [...domainStack({ ...base, ...v }), record(dns, undefined, "bounce.example.com", "MX", "10 feedback-smtp.eu-west-1.amazonses.com", "second-mx")];
      const findings = await findingsOf(POLICY, stack);
      assert.equal(findings.length, 2);
      assert.match(findings[0].message, /^MAIL FROM of example\.com \(us-east-1\): 2 MX records at bounce\.example\.com; SES needs exactly one/);
      assert.ok(findings[0].urn?.endsWith("example.com-us-east-1-mail-from"));
    });
  }

  it("fails a missing MX, naming the region's feedback endpoint", async () => {
    const findings = await findingsOf(POLICY, without(domainStack(base), "example.com-mail-from-mx"));
    assert.match(findings[1].message, /eu-west-1\): no MX record at bounce\.example\.com; publish "10 feedback-smtp\.eu-west-1\.amazonses\.com"/);
  });

  it("fails an MX to a host that is not SES's", async () => {
    const findings = await findingsOf(POLICY, replaceProps(domainStack(base), "example.com-mail-from-mx", { records: ["10 mx.example.net"] }));
    assert.match(findings[0].message, /the MX at bounce\.example\.com is "10 mx\.example\.net", not an SES feedback endpoint/);
  });

  it("fails SPF that does not authorise SES, and two SPF records", async () => {
    const wrong = await findingsOf(POLICY, replaceProps(domainStack(base), "example.com-mail-from-spf", { records: ["v=spf1 include:_spf.example.net ~all"] }));
    assert.match(wrong[0].message, /SPF at bounce\.example\.com does not include:amazonses\.com/);
    const two = await findingsOf(POLICY, replaceProps(domainStack(base), "example.com-mail-from-spf", { records: ["v=spf1 include:amazonses.com ~all", "v=spf1 -all"] }));
    assert.match(two[0].message, /2 SPF records at bounce\.example\.com/);
  });

  it("fails a MAIL FROM domain outside the identity", async () => {
    const stack = replaceProps(domainStack({ ...base, api: "ses" }), "example.com-us-east-1-mail-from", { mailFromDomain: "bounce.example.net" });
    const findings = await findingsOf(POLICY, stack);
    assert.match(findings[0].message, /MAIL FROM domain bounce\.example\.net must be a subdomain of example\.com/);
  });

  it("says nothing about identities without a custom MAIL FROM (alignment judges that)", async () => {
    assert.deepEqual(await findingsOf(POLICY, domainStack({ ...base, mailFrom: null })), []);
  });

  it("in preview, an MX whose value is unknown is undecided", async () => {
    const findings = await findingsOf(POLICY, replaceProps(domainStack({ ...base, preview: true }), "example.com-mail-from-mx", { records: [UNKNOWN] }));
    assert.deepEqual(findings.map((f) => f.level), ["advisory"]);
    assert.match(findings[0].message, /MX or SPF record at bounce\.example\.com is known only after apply/);
  });
});
