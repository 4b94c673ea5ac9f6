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

  it("counts t=y as one level lower, as RFC 9989 receivers apply it; RFC 7489 ones ignore it", async () => {
    const config = (standards = "both") => ({ [POLICY]: { minimumPolicy: "quarantine", standards } });
    const findings = await findingsOf(POLICY, stack("v=DMARC1; p=quarantine; t=y"), config());
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /^example\.com \(identity example\.com\) \(RFC 9989 receivers\) gets DMARC p=quarantine with t=y: none \(one level below\) from _dmarc\.example\.com; this stack needs at least quarantine: drop t=y there/);
    assert.deepEqual(await findingsOf(POLICY, stack("v=DMARC1; p=quarantine; t=y"), config("rfc7489")), []);
    assert.deepEqual(await findingsOf(POLICY, stack("v=DMARC1; p=reject; t=y"), config()), [], "reject in test mode is quarantine");
  });

  it("judges the weaker of sp= and np= for a From domain that may not exist", async () => {
    const findings = await findingsOf(POLICY, stack("v=DMARC1; p=reject; sp=reject; np=none"), { [POLICY]: { minimumPolicy: "quarantine", fromDomains: { "example.com": ["ghost.example.com"] } } });
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /^ghost\.example\.com .*\(RFC 9989 receivers\) gets DMARC sp\/np=none/);
  });

  it("judges a subdomain by the organizational record's sp=", async () => {
    const both = [...domainStack({ domain: "mail.example.com", regions: ["us-east-1"], dmarc: null }), ...stack("v=DMARC1; p=reject; sp=none")];
    const findings = await findingsOf(POLICY, both, { [POLICY]: { minimumPolicy: "reject" } });
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /^mail\.example\.com .*gets DMARC sp=none from _dmarc\.example\.com/);
  });
});
