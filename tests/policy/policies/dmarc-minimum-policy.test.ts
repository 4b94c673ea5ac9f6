import { strict as assert } from "node:assert";
import { domainStack, findingsOf } from "../stacks";

const POLICY = "dmarc-minimum-policy";
const stack = (dmarc: string) => domainStack({ domain: "example.com", regions: ["us-east-1"], dmarc });

describe(`policy ${POLICY}`, () => {
  it("is advisory and accepts p=none by default", async () => {
    assert.deepEqual(await findingsOf(POLICY, stack("v=DMARC1; p=none")), []);
    const findings = await findingsOf(POLICY, stack("v=DMARC1; p=none"), { [POLICY]: { minimumPolicy: "quarantine" } });
    assert.equal(findings[0].level, "advisory");
    assert.match(findings[0].message, /example\.com \(identity example\.com\) gets DMARC p=none from _dmarc\.example\.com; this stack needs at least quarantine/);
  });

  it("honours a mandatory level from config, and minimumPercent", async () => {
    const config = { [POLICY]: { enforcementLevel: "mandatory" as const, minimumPolicy: "quarantine", minimumPercent: 100 } };
    assert.deepEqual(await findingsOf(POLICY, stack("v=DMARC1; p=reject"), config), []);
    const findings = await findingsOf(POLICY, stack("v=DMARC1; p=quarantine; pct=25"), config);
    assert.equal(findings[0].level, "mandatory");
    assert.match(findings[0].message, /pct=25 .*needs pct=100 or more/);
  });

  it("judges a subdomain by the organizational record's sp=", async () => {
    const both = [...domainStack({ domain: "mail.example.com", regions: ["us-east-1"], dmarc: null }), ...stack("v=DMARC1; p=reject; sp=none")];
    const findings = await findingsOf(POLICY, both, { [POLICY]: { minimumPolicy: "reject" } });
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /^mail\.example\.com .*gets DMARC sp=none from _dmarc\.example\.com/);
  });
});
