import { strict as assert } from "node:assert";
import { awsProvider, domainStack, findingsOf, record, replaceProps, resource, tokensOf, UNKNOWN_TOKENS, variants, without } from "../stacks";

const POLICY = "ses-dkim-records";

describe(`policy ${POLICY}`, () => {
  for (const v of variants()) {
    it(`${v.preview ? "leaves undecided" : "passes"} a complete stack in a regional-DKIM region and another (${v.label})`, async () => {
      const findings = await findingsOf(POLICY, domainStack({ domain: "example.com", regions: ["eu-south-1", "us-west-2"], ...v }));
      if (!v.preview) return assert.deepEqual(findings, []);
      assert.deepEqual(findings.map((f) => f.level), ["advisory"]);
      assert.match(findings[0].message, /DKIM CNAMEs of example\.com \(eu-south-1\) are known only after apply/);
    });

    it(`fails a region with a CNAME missing (${v.label})`, async () => {
      const stack = without(domainStack({ domain: "example.com", regions: ["eu-south-1", "us-west-2"], ...v }), "example.com-us-west-2-dkim-1");
      const findings = await findingsOf(POLICY, stack);
      const failures = findings.filter((f) => f.level === "mandatory");
      assert.equal(failures.length, 1, JSON.stringify(findings));
      assert.match(failures[0].message, /^DKIM of example\.com \(us-west-2\): /);
      assert.match(failures[0].message, v.preview ? /2 of 3 Easy DKIM CNAMEs/ : /no CNAME at examplecomuswest2t1\._domainkey\.example\.com/);
    });
  }

  it("fails CNAMEs pointing at the global DKIM host in a regional-DKIM region", async () => {
    const stack = domainStack({ domain: "example.com", regions: ["af-south-1"], dns: "cloudflare" }).map((r) =>
      r.props.content && String(r.props.content).includes("dkim.af-south-1") ? { ...r, props: { ...r.props, content: String(r.props.content).replace("dkim.af-south-1.", "dkim.") } } : r,
    );
    const findings = await findingsOf(POLICY, stack);
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /examplecomafsouth1t1\._domainkey\.example\.com points at examplecomafsouth1t1\.dkim\.amazonses\.com, but Easy DKIM in af-south-1 signs with dkim\.af-south-1\.amazonses\.com/);
  });

  it("fails a CNAME whose target carries another token", async () => {
    const [, second] = tokensOf("example.com", "us-east-1");
    const stack = replaceProps(domainStack({ domain: "example.com", regions: ["us-east-1"] }), "example.com-us-east-1-dkim-1", { records: [`${second}.dkim.amazonses.com`] });
    assert.match((await findingsOf(POLICY, stack))[0].message, /examplecomuseast1t1\._domainkey\.example\.com points at examplecomuseast1t2\.dkim\.amazonses\.com, another token's key/);
  });

  it("takes the region from the identity's provider", async () => {
    const stack = domainStack({ domain: "example.com", regions: ["ap-northeast-3"], regionFromProvider: true });
    assert.deepEqual(await findingsOf(POLICY, stack), []);
    const wrong = stack.map((r) => (r.provider ? { ...r, provider: awsProvider("us-east-1") } : r));
    assert.match((await findingsOf(POLICY, wrong))[0].message, /in us-east-1 signs with dkim\.amazonses\.com/);
  });

  it("fails an SES v1 identity without DomainDkim", async () => {
    const stack = without(domainStack({ domain: "example.com", regions: ["us-east-1"], api: "ses" }), "example.com-us-east-1-dkim");
    const findings = await findingsOf(POLICY, stack);
    assert.match(findings[0].message, /no aws\.ses\.DomainDkim for example\.com \(us-east-1\)/);
  });

  it("links CNAMEs written with literal tokens (no dependency) to their identity by the tokens", async () => {
    const stack = domainStack({ domain: "example.com", regions: ["us-east-1"] }).map((r) => ({ ...r, propertyDependencies: {}, dependencies: [] }));
    assert.deepEqual(await findingsOf(POLICY, stack), []);
  });

  it("checks BYODKIM's one selector record for every region", async () => {
    const identity = (region: string) =>
      resource("aws:sesv2/emailIdentity:EmailIdentity", `byo-${region}`, { region, emailIdentity: "byo.example", dkimSigningAttributes: { domainSigningSelector: "sel1", domainSigningPrivateKey: "secret", tokens: UNKNOWN_TOKENS } });
    const key = record("route53", undefined, "sel1._domainkey.byo.example", "TXT", 'v=DKIM1; k=rsa; p=MIIBIjANBgkq""hkiG9w0B', "byo-key");
    const ids = [identity("us-east-1"), identity("eu-west-1")];
    assert.deepEqual(await findingsOf(POLICY, [...ids, key]), []);
    const findings = await findingsOf(POLICY, ids);
    assert.equal(findings.length, 2);
    assert.match(findings[1].message, /no DKIM key at sel1\._domainkey\.byo\.example for byo\.example \(eu-west-1\); publish TXT "v=DKIM1; k=rsa; p=<public key>"/);
  });

  it("ignores email-address identities", async () => {
    const address = resource("aws:sesv2/emailIdentity:EmailIdentity", "someone", { region: "us-east-1", emailIdentity: "someone@example.com" });
    assert.deepEqual(await findingsOf(POLICY, [address]), []);
  });

  it("keeps tokens for each region apart", async () => {
    const stack = domainStack({ domain: "example.com", regions: ["us-east-1", "eu-west-1"] });
    const swapped = replaceProps(stack, "example.com-eu-west-1-dkim-1", { name: `${tokensOf("example.com", "us-east-1")[0]}._domainkey.example.com` });
    assert.match((await findingsOf(POLICY, swapped))[0].message, /example\.com \(eu-west-1\): .*another token.s key; no CNAME at examplecomeuwest1t1/);
  });
});
