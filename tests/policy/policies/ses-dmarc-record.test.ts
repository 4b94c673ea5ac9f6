import { strict as assert } from "node:assert";
import { domainStack, findingsOf, record, replaceProps } from "../stacks";

const POLICY = "ses-dmarc-record";
const base = { domain: "example.com", regions: ["us-east-1", "eu-west-1"] };

describe(`policy ${POLICY}`, () => {
  it("passes one valid record, once per From domain whatever the number of regions", async () => {
    assert.deepEqual(await findingsOf(POLICY, domainStack(base)), []);
  });

  it("fails a missing record once per From domain, naming both names looked at", async () => {
    const config = { [POLICY]: { fromDomains: { "example.com": ["news.example.com"] } } };
    const findings = await findingsOf(POLICY, domainStack({ ...base, dmarc: null, dns: "cloudflare" }), config);
    assert.deepEqual(
      findings.map((f) => f.message.split(":")[0]),
      ["example.com (identity example.com)", "news.example.com (identity example.com)"],
    );
    assert.match(findings[1].message, /no DMARC record at _dmarc\.news\.example\.com or _dmarc\.example\.com/);
  });

  it("fails two DMARC records at one name, ignoring other TXT records there", async () => {
    const stack = domainStack({ ...base, dns: "cloudflare" });
    const extra = record("cloudflare", undefined, "_dmarc.example.com", "TXT", "v=DMARC1; p=reject", "second-dmarc");
    const other = record("cloudflare", undefined, "_dmarc.example.com", "TXT", "google-site-verification=abc", "other");
    assert.deepEqual(await findingsOf(POLICY, [...stack, other]), []);
    const findings = await findingsOf(POLICY, [...stack, extra]);
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /2 DMARC records at _dmarc\.example\.com/);
  });

  it("counts a record published outside the stack alongside the stack's own", async () => {
    const findings = await findingsOf(POLICY, domainStack(base), { [POLICY]: { externalDmarc: { "example.com": "v=DMARC1; p=none" } } });
    assert.match(findings[0].message, /2 DMARC records/);
  });

  it("falls back to the organizational domain's record (public suffix list)", async () => {
    const stack = [...domainStack({ domain: "mail.example.co.uk", regions: ["eu-west-2"], dmarc: null }), ...domainStack({ domain: "example.co.uk", regions: ["eu-west-2"] })];
    assert.deepEqual(await findingsOf(POLICY, stack), []);
    // Alone, its organizational domain is outside the stack: undecided, and the finding says what to declare.
    const alone = await findingsOf(POLICY, domainStack({ domain: "mail.example.co.uk", regions: ["eu-west-2"], dmarc: null }));
    assert.equal(alone.length, 1);
    assert.match(alone[0].message, /cannot be decided: _dmarc\.example\.co\.uk is outside this stack.*give the record of each name outside this stack in externalDmarc/);
    const declaredNone = await findingsOf(POLICY, domainStack({ domain: "mail.example.co.uk", regions: ["eu-west-2"], dmarc: null }), { [POLICY]: { externalDmarc: { "example.co.uk": "" } } });
    assert.match(declaredNone[0].message, /no DMARC record at _dmarc\.mail\.example\.co\.uk or _dmarc\.example\.co\.uk/);
  });

  it("passes the seed's record, an RFC 9989 record and one that mixes both", async () => {
    for (const dmarc of ["v=DMARC1;p=quarantine;pct=25;rua=mailto:dmarcreports@example.com", "v=DMARC1; p=reject; sp=quarantine; np=reject; t=y; psd=n", "v=DMARC1; p=quarantine; t=y; pct=0"]) {
      assert.deepEqual(await findingsOf(POLICY, domainStack({ ...base, dmarc })), [], dmarc);
    }
  });

  it("reads a record without p= but with rua= as p=none (RFC 9989), and one without either as no DMARC", async () => {
    assert.deepEqual(await findingsOf(POLICY, domainStack({ ...base, dmarc: "v=DMARC1; rua=mailto:d@example.com" })), []);
    const [finding] = await findingsOf(POLICY, domainStack({ ...base, dmarc: "v=DMARC1; adkim=s" }));
    assert.match(finding.message, /invalid DMARC record at _dmarc\.example\.com: no p= tag, and no valid rua= URI: receivers apply no DMARC processing/);
  });

  it("fails several records at the From domain even when RFC 9989 receivers would walk on to a parent's", async () => {
    const stack = [...domainStack({ ...base, domain: "news.example.com" }), ...domainStack({ ...base, dns: "route53" })];
    const extra = record("route53", undefined, "_dmarc.news.example.com", "TXT", "v=DMARC1; p=reject", "second");
    const findings = await findingsOf(POLICY, [...stack, extra], { [POLICY]: { standards: "rfc9989" } });
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /2 DMARC records at _dmarc\.news\.example\.com; RFC 7489 receivers then apply no DMARC and RFC 9989 receivers ignore them all/);
  });

  it("fails an invalid record, Route 53 split strings read back whole", async () => {
    const stack = replaceProps(domainStack(base), "example.com-dmarc", { records: ['v=DMARC1; p=none; ""rua=mailto:reports'] });
    const findings = await findingsOf(POLICY, stack);
    assert.match(findings[0].message, /invalid DMARC record at _dmarc\.example\.com \("v=DMARC1; p=none; rua=mailto:reports"\)/);
  });

  it("in preview, a DMARC record whose value is unknown is undecided", async () => {
    const stack = replaceProps(domainStack({ ...base, preview: true }), "example.com-dmarc", { records: ["04da6b54-80e4-46f7-96ec-b56ff0331ba9"] });
    const findings = await findingsOf(POLICY, stack);
    assert.equal(findings.length, 1);
    assert.equal(findings[0].level, "advisory");
    assert.match(findings[0].message, /during preview: example\.com: the TXT records at _dmarc\.example\.com are known only after apply/);
  });
});
