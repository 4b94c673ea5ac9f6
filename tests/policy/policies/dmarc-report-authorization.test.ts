import { strict as assert } from "node:assert";
import { domainStack, findingsOf, record } from "../stacks";

const POLICY = "dmarc-report-authorization";
const stack = (dmarc: string) => domainStack({ domain: "example.com", regions: ["us-east-1"], dmarc });

describe(`policy ${POLICY}`, () => {
  it("accepts report addresses in the same organizational domain", async () => {
    assert.deepEqual(await findingsOf(POLICY, stack("v=DMARC1; p=none; rua=mailto:dmarc@reports.example.com")), []);
  });

  it("advises publishing the authorisation record for another domain", async () => {
    const findings = await findingsOf(POLICY, stack("v=DMARC1; p=none; rua=mailto:a@vendor.example.net,mailto:b@example.com; ruf=mailto:f@other.example.org"));
    assert.equal(findings.length, 2);
    assert.equal(findings[0].level, "advisory");
    assert.match(findings[0].message, /sends reports to mailto:a@vendor\.example\.net.*TXT "v=DMARC1" is published at example\.com\._report\._dmarc\.vendor\.example\.net/);
    assert.match(findings[1].message, /other\.example\.org/);
  });

  it("accepts a destination authorised in the stack (exact or wildcard) or in config", async () => {
    const dmarc = stack("v=DMARC1; p=none; rua=mailto:a@vendor.example.net");
    for (const name of ["example.com._report._dmarc.vendor.example.net", "*._report._dmarc.vendor.example.net"]) {
      assert.deepEqual(await findingsOf(POLICY, [...dmarc, record("cloudflare", undefined, name, "TXT", "v=DMARC1", "auth")]), []);
    }
    assert.deepEqual(await findingsOf(POLICY, dmarc, { [POLICY]: { authorizedReportDomains: ["Vendor.example.net"] } }), []);
  });
});
