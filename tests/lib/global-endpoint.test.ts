/**
 * The stack config's globalEndpoint and waitForVerification: the model they give, and every bad
 * input, each naming its key and registering nothing.
 */
import { strict as assert } from "node:assert";
import { Checker } from "../../lib/check";
import { ConfigError, parseStackConfig } from "../../lib/config";
import { checkGlobalEndpoint } from "../../lib/global-endpoint";
import { GLOBAL_ENDPOINT_REGIONS, isGlobalEndpointPair, SES_REGIONS } from "../../lib/regions";
import { ProgramFailed, runProgram } from "../../tools/mock-run";
import { exampleDomain, stackConfig, StackInput } from "../fixtures/stacks";

const PAIR = { name: "example-global", primary: "us-east-1", secondary: "us-west-2" };
const REGIONS = ["us-east-1", "us-west-2"];

describe("lib/global-endpoint: SES's rules for a global endpoint", () => {
  it("pairs any two different regions where SES supports Deterministic Easy DKIM, in the commercial partition", () => {
    // DomainSigningAttributesOrigin's AWS_SES_<REGION> values, as the SESv2 API Reference lists them (GovCloud's left out):
    // a new SES region fails here until someone checks that list.
    const deed = "AF_SOUTH_1 EU_NORTH_1 AP_SOUTH_1 EU_WEST_3 EU_WEST_2 EU_SOUTH_1 EU_WEST_1 AP_NORTHEAST_3 AP_NORTHEAST_2 ME_SOUTH_1 AP_NORTHEAST_1 IL_CENTRAL_1 SA_EAST_1 CA_CENTRAL_1 AP_SOUTHEAST_1 AP_SOUTHEAST_2 AP_SOUTHEAST_3 EU_CENTRAL_1 US_EAST_1 US_EAST_2 US_WEST_1 US_WEST_2 ME_CENTRAL_1 AP_SOUTH_2 EU_CENTRAL_2 AP_SOUTHEAST_5 CA_WEST_1";
    assert.deepEqual([...GLOBAL_ENDPOINT_REGIONS].sort(), deed.split(" ").map((r) => r.toLowerCase().replace(/_/g, "-")).sort());
    assert.ok(GLOBAL_ENDPOINT_REGIONS.every((r) => SES_REGIONS.includes(r)));
    assert.ok(isGlobalEndpointPair("us-east-1", "us-west-2") && isGlobalEndpointPair("eu-west-1", "ap-southeast-5"));
    assert.ok(!isGlobalEndpointPair("us-east-1", "us-east-1"));
    assert.ok(!isGlobalEndpointPair("us-gov-west-1", "us-gov-east-1"));
    assert.ok(!isGlobalEndpointPair("us-east-1", "us-gov-west-1"));
  });

  it("accepts a name of 64 word characters and hyphens, and nothing longer", () => {
    const ok = (name: string) => {
      const c = new Checker();
      return checkGlobalEndpoint(c, { ...PAIR, name }) !== undefined && c.problems.length === 0;
    };
    assert.ok(ok("a".repeat(64)) && ok("My_Global-endpoint-2"));
    assert.ok(!ok("a".repeat(65)) && !ok("a.b") && !ok("") && !ok("ünï"));
  });
});

describe("config: globalEndpoint and waitForVerification", () => {
  it("builds the endpoint and the waits into the model; false (Pulumi.yaml's defaults) is none", () => {
    const spec = parseStackConfig(stackConfig({ regions: REGIONS, domains: [exampleDomain(), exampleDomain({ name: "example.org", zone: "example.org", fromDomains: undefined, waitForVerification: false })], globalEndpoint: PAIR, waitForVerification: 30 }));
    assert.deepEqual(spec.globalEndpoint, PAIR);
    assert.deepEqual(spec.domains.map((d) => d.verification), [{ timeoutMinutes: 30 }, undefined]);
    const off = parseStackConfig(stackConfig({ regions: REGIONS, domains: [exampleDomain({ waitForVerification: true })], globalEndpoint: false, waitForVerification: false }));
    assert.equal(off.globalEndpoint, undefined);
    assert.deepEqual(off.domains[0].verification, { timeoutMinutes: 45 });
    assert.ok(!("globalEndpoint" in parseStackConfig(stackConfig({ regions: REGIONS, domains: [exampleDomain()] }))));
  });

  const domain = exampleDomain();
  const cases: [string, StackInput, string, RegExp][] = [
    ["an endpoint region not among the stack's", { regions: ["us-east-1", "eu-west-1"], domains: [domain], globalEndpoint: PAIR }, "ses-email-auth:globalEndpoint.secondary", /"us-west-2" is not one of ses-email-auth:regions \(us-east-1, eu-west-1\)/],
    ["the same region twice", { regions: REGIONS, domains: [domain], globalEndpoint: { ...PAIR, secondary: "us-east-1" } }, "ses-email-auth:globalEndpoint.secondary", /the primary region too/],
    ["an unsupported pair", { regions: ["us-east-1", "us-gov-west-1"], domains: [domain], globalEndpoint: { ...PAIR, secondary: "us-gov-west-1" } }, "ses-email-auth:globalEndpoint.secondary", /SES global endpoints do not support us-gov-west-1; use one of us-east-1, /],
    ["a name against SES's pattern", { regions: REGIONS, domains: [domain], globalEndpoint: { ...PAIR, name: "example.global" } }, "ses-email-auth:globalEndpoint.name", /\^\[\\w\\-_\]\+\$/],
    ["a name over 64 characters", { regions: REGIONS, domains: [domain], globalEndpoint: { ...PAIR, name: "e".repeat(65) } }, "ses-email-auth:globalEndpoint.name", /1 to 64 .*\(65 characters\)/],
    ["a region that is none", { regions: REGIONS, domains: [domain], globalEndpoint: { ...PAIR, primary: "us-east-9" } }, "ses-email-auth:globalEndpoint.primary", /"us-east-9" is not an AWS region/],
    ["a missing region", { regions: REGIONS, domains: [domain], globalEndpoint: { name: "g", primary: "us-east-1" } }, "ses-email-auth:globalEndpoint.secondary", /is required/],
    ["a typo in the endpoint", { regions: REGIONS, domains: [domain], globalEndpoint: { ...PAIR, secondry: "x" } }, "ses-email-auth:globalEndpoint.secondry", /unknown key/],
    ["an endpoint that is not an object", { regions: REGIONS, domains: [domain], globalEndpoint: "us-west-2" }, "ses-email-auth:globalEndpoint", /must be an object with keys name, primary, secondary/],
    ["a domain without one of the endpoint's regions", { regions: REGIONS, domains: [domain, exampleDomain({ name: "example.org", zone: "example.org", fromDomains: undefined, regions: ["us-east-1"] })], globalEndpoint: PAIR }, "ses-email-auth:domains[1].regions", /lacks us-west-2, where ses-email-auth:globalEndpoint sends from too/],
    ["a timeout of zero", { regions: REGIONS, domains: [domain], waitForVerification: 0 }, "ses-email-auth:waitForVerification", /must be true \(wait up to 45 minutes\), false, or a positive number of minutes/],
    ["a negative timeout", { regions: REGIONS, domains: [domain], waitForVerification: -5 }, "ses-email-auth:waitForVerification", /positive number of minutes/],
    ["a timeout as text", { regions: REGIONS, domains: [domain], waitForVerification: "30m" }, "ses-email-auth:waitForVerification", /got "30m"/],
    ["a timeout past SES's 72 hours", { regions: REGIONS, domains: [domain], waitForVerification: 4321 }, "ses-email-auth:waitForVerification", /at most 4320/],
    ["a domain's bad timeout", { regions: REGIONS, domains: [exampleDomain({ waitForVerification: { minutes: 5 } })] }, "ses-email-auth:domains[0].waitForVerification", /got \{"minutes":5\}/],
  ];
  for (const [what, input, key, message] of cases) {
    it(`${what}: names ${key}, registers nothing`, async () => {
      await assert.rejects(runProgram({ config: stackConfig(input), preview: true }), (error: unknown) => {
        assert.ok(error instanceof ProgramFailed && error.cause instanceof ConfigError, String(error));
        const problems = (error.cause as ConfigError).problems;
        assert.deepEqual(problems.map((p) => p.key), [key], JSON.stringify(problems));
        assert.match(problems[0].message, message);
        assert.deepEqual(error.registrations.filter((r) => r.type !== "pulumi:pulumi:Stack"), []);
        return true;
      });
    });
  }
});
