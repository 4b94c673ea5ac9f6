import { strict as assert } from "node:assert";
import { route53TxtValue } from "../../../lib/txt";
import { findingsOf, record, UNKNOWN } from "../stacks";

const POLICY = "route53-txt-chunking";
const key = `v=DKIM1; k=rsa; p=${"A".repeat(392)}`;

describe(`policy ${POLICY}`, () => {
  it("passes a long value split the provider's way, and short values", async () => {
    const split = record("route53", undefined, "sel._domainkey.example.com", "TXT", route53TxtValue(key), "split");
    const short = record("route53", undefined, "_dmarc.example.com", "TXT", "v=DMARC1; p=none", "short");
    assert.deepEqual(await findingsOf(POLICY, [split, short]), []);
  });

  it("fails an unsplit string over 255 characters, on that record", async () => {
    const long = record("route53", undefined, "sel._domainkey.example.com", "TXT", key, "long");
    const findings = await findingsOf(POLICY, [long]);
    assert.equal(findings.length, 1);
    assert.equal(findings[0].urn, long.urn);
    assert.match(findings[0].message, /^TXT sel\._domainkey\.example\.com: a string of 410 characters; Route 53 takes at most 255/);
  });

  it("leaves Cloudflare alone (it splits long strings itself)", async () => {
    assert.deepEqual(await findingsOf(POLICY, [record("cloudflare", undefined, "sel._domainkey.example.com", "TXT", key, "cf")]), []);
  });

  it("in preview, a value that is not known yet is reported as the engine does", async () => {
    const findings = await findingsOf(POLICY, [record("route53", undefined, "x.example.com", "TXT", UNKNOWN, "unknown")]);
    assert.deepEqual(findings.map((f) => f.level), ["advisory"]);
    assert.match(findings[0].message, /can't run policy 'route53-txt-chunking' from policy pack 'ses-email-auth@v0.1.0' during preview/);
  });
});
