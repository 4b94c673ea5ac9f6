import { strict as assert } from "node:assert";
import { runProgram } from "../../../tools/mock-run";
import { EngineResource } from "../../../tools/run-policies";
import { exampleDomain, stackConfig, StackInput } from "../../fixtures/stacks";
import { domainStack, findingsOf, resource, tokensOf, UNKNOWN, without } from "../stacks";

const POLICY = "ses-global-endpoint-identities";
const ENDPOINT = "aws:sesv2/multiRegionEndpoint:MultiRegionEndpoint";
const PAIR = { name: "example-global", primary: "us-east-1", secondary: "us-west-2" };

/** This project's program under the mocks, as the engine shows it to the pack. */
async function program(input: StackInput, preview: boolean): Promise<EngineResource[]> {
  const run = await runProgram({ config: stackConfig(input), preview });
  return run.registrations.map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: r.outputs, parent: r.parent, dependencies: r.dependencies, propertyDependencies: r.propertyDependencies }));
}

/** Someone else's endpoint, its inputs as the AWS provider takes them (details.routesDetails flattened: one route); null: no details. */
function endpoint(primary: unknown = "us-east-1", secondary: unknown = "us-west-2"): EngineResource {
  return resource(ENDPOINT, "global", { region: primary, endpointName: "global", ...(secondary !== null && { details: { routesDetails: { region: secondary } } }) });
}

describe(`policy ${POLICY}`, () => {
  it("passes this program with a global endpoint and every domain in both regions, after apply", async () => {
    const domains = [exampleDomain(), exampleDomain({ name: "example.org", zone: "example.org", fromDomains: undefined })];
    const resources = await program({ regions: ["us-east-1", "us-west-2", "eu-west-1"], domains, globalEndpoint: PAIR, waitForVerification: true }, false);
    assert.ok(resources.some((r) => r.type === ENDPOINT));
    assert.deepEqual(await findingsOf(POLICY, resources), []);
  });

  it("in preview, waits for the DKIM tokens instead of passing or failing", async () => {
    const findings = await findingsOf(POLICY, await program({ regions: ["us-east-1", "us-west-2"], domains: [exampleDomain()], globalEndpoint: PAIR }, true));
    assert.equal(findings.length, 1, JSON.stringify(findings));
    assert.match(findings[0].message, /during preview/);
    assert.match(findings[0].message, /whether example\.com in us-east-1 is verified for global endpoint example-global/);
  });

  it("has nothing to say about a stack without a global endpoint, one region or several", async () => {
    assert.deepEqual(await findingsOf(POLICY, domainStack({ domain: "example.com", regions: ["us-east-1"] })), []);
    assert.deepEqual(await findingsOf(POLICY, await program({ regions: ["us-east-1", "eu-west-1"], domains: [exampleDomain()] }, false)), []);
  });

  it("passes another program's SESv2 or SES v1 identities, verified with their own records in both regions", async () => {
    for (const api of ["sesv2", "ses"] as const) {
      assert.deepEqual(await findingsOf(POLICY, [...domainStack({ domain: "example.com", regions: ["us-east-1", "us-west-2"], api }), endpoint()]), [], api);
    }
  });

  it("passes a Deterministic Easy DKIM replica in the secondary region, verified by its parent's records", async () => {
    const replica = resource("aws:sesv2/emailIdentity:EmailIdentity", "example.com-us-west-2", {
      region: "us-west-2",
      emailIdentity: "example.com",
      dkimSigningAttributes: { signingAttributesOrigin: "AWS_SES_US_EAST_1", tokens: tokensOf("example.com", "us-east-1") },
    });
    assert.deepEqual(await findingsOf(POLICY, [...domainStack({ domain: "example.com", regions: ["us-east-1"] }), replica, endpoint()]), []);
  });

  it("warns, naming the endpoint, when a domain has no identity in one of its regions", async () => {
    const findings = await findingsOf(POLICY, [...domainStack({ domain: "example.com", regions: ["us-east-1", "eu-west-1"] }), endpoint()]);
    assert.equal(findings.length, 1, JSON.stringify(findings));
    assert.equal(findings[0].level, "advisory");
    assert.equal(findings[0].urn, endpoint().urn);
    assert.match(findings[0].message, /^global endpoint global sends any message from either us-east-1 or us-west-2, but example\.com has no SES identity in us-west-2, so SES rejects the mail it routes there/);
  });

  it("warns when the identity of one region is not verified: its DKIM records are missing", async () => {
    const stack = domainStack({ domain: "example.com", regions: ["us-east-1", "us-west-2"] });
    const broken = [1, 2, 3].reduce((rs, i) => without(rs, `example.com-us-west-2-dkim-${i}`), stack);
    const findings = await findingsOf(POLICY, [...broken, endpoint()]);
    assert.equal(findings.length, 1, JSON.stringify(findings));
    assert.match(findings[0].message, /^global endpoint global sends from us-west-2, where SES cannot verify example\.com: DKIM of example\.com \(us-west-2\): no CNAME at /);
    assert.equal(findings[0].urn, stack.find((r) => r.name === "example.com-us-west-2")!.urn);
  });

  it("warns, per region, when the mail as a From domain would fail DMARC (judged by the alignment model)", async () => {
    const stack = [...domainStack({ domain: "example.com", regions: ["us-east-1", "us-west-2"], mailFrom: null }), endpoint()];
    const findings = await findingsOf(POLICY, stack, { [POLICY]: { fromDomains: { "example.com": ["example.net"] }, externalDmarc: { "example.net": "v=DMARC1; p=reject" } } });
    assert.deepEqual(
      findings.map((f) => f.message.match(/^global endpoint global, mail from (\S+) as (\S+): .*DMARC fails/)?.slice(1)),
      [
        ["us-east-1", "example.net"],
        ["us-west-2", "example.net"],
      ],
      JSON.stringify(findings),
    );
  });

  it("warns when the endpoint names no secondary region", async () => {
    const findings = await findingsOf(POLICY, [...domainStack({ domain: "example.com", regions: ["us-east-1"] }), endpoint("us-east-1", null)]);
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /names no secondary region/);
  });

  it("waits for apply when the endpoint's regions are known only then", async () => {
    const findings = await findingsOf(POLICY, [...domainStack({ domain: "example.com", regions: ["us-east-1", "us-west-2"] }), endpoint("us-east-1", UNKNOWN)]);
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /the regions of global endpoint global are known only after apply/);
  });
});
