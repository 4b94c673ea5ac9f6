import { strict as assert } from "node:assert";
import { domainStack, findingsOf, record, replaceProps, UNKNOWN } from "../stacks";

const POLICY = "cloudflare-email-records-dns-only";
const base = { domain: "example.com", regions: ["us-east-1", "eu-central-2"], dns: "cloudflare" as const };

describe(`policy ${POLICY}`, () => {
  it("passes DNS-only DKIM CNAMEs, after apply and in preview, v6 and v5", async () => {
    for (const preview of [false, true]) {
      assert.deepEqual(await findingsOf(POLICY, domainStack({ ...base, preview })), []);
      assert.deepEqual(await findingsOf(POLICY, domainStack({ ...base, preview, dns: "cloudflare-v5" })), []);
    }
  });

  it("fails a proxied DKIM CNAME even while its name is unknown (preview), naming domain and region", async () => {
    const findings = await findingsOf(POLICY, replaceProps(domainStack({ ...base, preview: true }), "example.com-eu-central-2-dkim-2", { proxied: true }));
    assert.equal(findings.length, 1);
    assert.equal(findings[0].level, "mandatory");
    assert.match(findings[0].message, /DKIM CNAME "example\.com-eu-central-2-dkim-2" of example\.com \(eu-central-2\) is proxied.*set proxied: false/);
  });

  it("fails a flattened DKIM CNAME, and one recognised only by its name (no dependency)", async () => {
    const flattened = await findingsOf(POLICY, replaceProps(domainStack(base), "example.com-us-east-1-dkim-1", { settings: { flattenCname: true } }));
    assert.match(flattened[0].message, /_domainkey\.example\.com of example\.com \(us-east-1\) is flattened/);
    const foreign = { ...record("cloudflare", undefined, "sel._domainkey.example.org", "CNAME", "sel.dkim.amazonses.com", "foreign"), props: { name: "sel._domainkey.example.org", type: "CNAME", content: "sel.dkim.amazonses.com", proxied: true } };
    assert.match((await findingsOf(POLICY, [foreign]))[0].message, /DKIM CNAME sel\._domainkey\.example\.org is proxied/);
  });

  it("leaves a proxied flag unknown in preview undecided", async () => {
    const findings = await findingsOf(POLICY, replaceProps(domainStack({ ...base, preview: true }), "example.com-us-east-1-dkim-1", { proxied: UNKNOWN }));
    assert.deepEqual(findings.map((f) => f.level), ["advisory"]);
  });

  it("ignores Route 53 and non-DKIM Cloudflare records", async () => {
    const www = record("cloudflare", undefined, "www.example.com", "CNAME", "example.pages.dev", "www");
    assert.deepEqual(await findingsOf(POLICY, [...domainStack({ ...base, dns: "route53" }), { ...www, props: { ...www.props, proxied: true } }]), []);
  });
});
