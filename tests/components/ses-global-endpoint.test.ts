/**
 * The global endpoint and the verification waits under the mock runtime: what is registered,
 * with which inputs, dependencies and timeouts, and the stack output an application sends with.
 */
import * as pulumi from "@pulumi/pulumi";
import { strict as assert } from "node:assert";
import { SesDomain } from "../../components/ses-domain";
import { SesGlobalEndpoint } from "../../components/ses-global-endpoint";
import { DnsProvider } from "../../lib/spec";
import { ProgramFailed, Registration, runProgram, UNKNOWN } from "../../tools/mock-run";
import { assertRefused } from "../fixtures/refusals";
import { exampleDomain, rsaKeyPair, stackConfig, StackInput } from "../fixtures/stacks";
import { IDENTITY, ofType, R53 as RECORD } from "./registrations";

const ENDPOINT = "aws:sesv2/multiRegionEndpoint:MultiRegionEndpoint";
const WAIT = "aws:ses/domainIdentityVerification:DomainIdentityVerification";
const PAIR = { name: "example-global", primary: "us-east-1", secondary: "us-west-2" };

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
const byUrn = (run: { registrations: Registration[] }) => new Map(run.registrations.map((r) => [r.urn, r]));

async function stack(input: StackInput, preview = false, secretKeys: string[] = []) {
  return runProgram({ config: stackConfig(input), preview, secretKeys });
}

describe("components: SesGlobalEndpoint", () => {
  for (const preview of [false, true]) {
    it(`declares one multi-region endpoint in the primary region, routed to the secondary${preview ? ", in preview" : ""}`, async () => {
      const run = await stack({ regions: ["eu-west-1", "us-east-1", "us-west-2"], domains: [exampleDomain()], globalEndpoint: PAIR }, preview);
      const [endpoint, ...others] = ofType(run, ENDPOINT);
      assert.deepEqual(others, []);
      assert.deepEqual(endpoint.inputs, { region: "us-east-1", endpointName: "example-global", details: { routesDetails: { region: "us-west-2" } } });
      const component = byUrn(run).get(endpoint.parent!)!;
      assert.equal(component.type, "ses-email-auth:index:SesGlobalEndpoint");
      assert.equal(component.name, "example-global");
      // Declared once the domains are: their identities exist in both regions by then.
      assert.ok(component.dependencies.some((u) => nameOf(u) === "example.com-us-west-2"));
      if (preview) assert.equal(endpoint.outputs.endpointId, UNKNOWN);
    });
  }

  it("gives the endpoint's id as the globalEndpoint stack output, with its name and regions; a stack without one has no such output", async () => {
    const run = await stack({ regions: ["us-east-1", "us-west-2"], domains: [exampleDomain()], globalEndpoint: PAIR });
    const endpoint = ofType(run, ENDPOINT)[0];
    assert.match(String(endpoint.outputs.endpointId), /^[a-z0-9]{8}\.[a-z0-9]{3}$/);
    assert.deepEqual(run.outputs.globalEndpoint, {
      name: "example-global",
      endpointId: endpoint.outputs.endpointId,
      arn: "arn:aws:ses:us-east-1:123456789012:multi-region-endpoint/example-global",
      primary: "us-east-1",
      secondary: "us-west-2",
    });
    assert.deepEqual((endpoint.outputs.routes as { region: string }[]).map((r) => r.region), ["us-east-1", "us-west-2"]);
    const without = await stack({ regions: ["us-east-1", "us-west-2"], domains: [exampleDomain()] });
    assert.ok(!("globalEndpoint" in without.outputs));
    assert.deepEqual(ofType(without, ENDPOINT), []);
    assert.ok(!without.warnings.some((w) => /globalEndpoint/.test(w)), JSON.stringify(without.warnings));
  });

  it("refuses invalid arguments naming each property, registering nothing", async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ ...PAIR, name: "has space" }, "name", /\^\[\\w\\-_\]\+\$/],
      [{ ...PAIR, name: "x".repeat(65) }, "name", /\(65 characters\)/],
      [{ ...PAIR, name: "" }, "name", /1 to 64/],
      [{ ...PAIR, secondary: "us-east-1" }, "secondary", /the primary region too/],
      [{ ...PAIR, secondary: "us-gov-west-1" }, "secondary", /SES global endpoints do not support us-gov-west-1/],
      [{ ...PAIR, primary: "ap-east-1" }, "primary", /has no SES endpoint/],
      [{ name: "x", primary: "us-east-1" }, "secondary", /is required/],
    ];
    for (const [args, path, message] of cases) await assertRefused(() => new SesGlobalEndpoint("e", args as never), path, message, JSON.stringify(args));
  });
});

describe("components: waiting for verification", () => {
  for (const preview of [false, true]) {
    it(`waits per domain and region, after exactly that region's DKIM records, bounded by the timeout${preview ? ", in preview" : ""}`, async () => {
      const domains = [exampleDomain(), exampleDomain({ name: "example.org", zone: "example.org", fromDomains: undefined, waitForVerification: 10 })];
      const run = await stack({ regions: ["us-east-1", "eu-west-1"], domains, waitForVerification: true }, preview);
      const urns = byUrn(run);
      const waits = ofType(run, WAIT);
      assert.deepEqual(waits.map((w) => w.name).sort(), ["example.com-eu-west-1-verification", "example.com-us-east-1-verification", "example.org-eu-west-1-verification", "example.org-us-east-1-verification"]);
      for (const wait of waits) {
        const [, domain, region] = /^(.+)-([a-z]+-[a-z]+-\d)-verification$/.exec(wait.name)!;
        assert.deepEqual(wait.inputs, { region, domain });
        assert.deepEqual(wait.customTimeouts, { create: domain === "example.org" ? "10m" : "45m" });
        const identity = ofType(run, IDENTITY).find((i) => i.name === `${domain}-${region}`)!;
        // The identity through its domain input; otherwise exactly that region's three DKIM CNAMEs.
        assert.deepEqual(wait.propertyDependencies.domain, [identity.urn]);
        const others = wait.dependencies.filter((u) => u !== identity.urn).map((u) => urns.get(u)!);
        assert.deepEqual(others.map((r) => [r.type, r.name]).sort(), [1, 2, 3].map((i) => [RECORD, `${domain}-dkim-${region}-${i}`]));
        assert.equal(wait.parent, identity.parent);
      }
    });
  }

  it("waits on the one BYODKIM key record every region shares", async () => {
    const key = rsaKeyPair(1024);
    const run = await stack({ regions: ["us-east-1", "eu-west-1"], domains: [exampleDomain({ dkim: { selector: "s1", publicKey: key.publicKey, privateKeyConfig: "k" } })], k: key.privateKey, waitForVerification: 5 }, false, ["ses-email-auth:k"]);
    const urns = byUrn(run);
    const waits = ofType(run, WAIT);
    assert.equal(waits.length, 2);
    for (const wait of waits) {
      const records = wait.dependencies.map((u) => urns.get(u)!).filter((r) => r.type === RECORD);
      assert.deepEqual(records.map((r) => r.name), ["example.com-byodkim"]);
    }
  });

  it("declares no wait unless asked, and none for a domain that opts out", async () => {
    assert.deepEqual(ofType(await stack({ regions: ["us-east-1"], domains: [exampleDomain()] }), WAIT), []);
    const optedOut = await stack({ regions: ["us-east-1"], domains: [exampleDomain({ waitForVerification: false }), exampleDomain({ name: "example.org", zone: "example.org", fromDomains: undefined })], waitForVerification: 20 });
    assert.deepEqual(ofType(optedOut, WAIT).map((w) => [w.name, w.customTimeouts.create]), [["example.org-us-east-1-verification", "20m"]]);
  });

  it("takes SesDomain's verification argument, and refuses a bad one naming its path", async () => {
    const args = { domain: "example.com", regions: ["us-east-1"], dns: { provider: DnsProvider.ROUTE53, zone: "Z0123456789ABC" } };
    const run = await runProgram({ config: {}, preview: false, program: () => new SesDomain("d", { ...args, verification: { wait: true, timeoutMinutes: 1.5 } }) });
    assert.deepEqual(ofType(run, WAIT).map((w) => w.customTimeouts), [{ create: "1.5m" }]);
    const cases: [Record<string, unknown>, string][] = [
      [{ wait: true, timeoutMinutes: 0 }, "verification.timeoutMinutes"],
      [{ wait: true, timeoutMinutes: -3 }, "verification.timeoutMinutes"],
      [{ wait: true, timeoutMinutes: 4321 }, "verification.timeoutMinutes"],
      [{ wait: true, timeoutMinutes: "30" }, "verification.timeoutMinutes"],
      [{ timeoutMinutes: 30 }, "verification.timeoutMinutes"],
      [{ wait: "yes" }, "verification.wait"],
      [{ wait: true, timeout: 30 }, "verification.timeout"],
    ];
    for (const [verification, path] of cases) {
      await assert.rejects(runProgram({ config: {}, preview: true, program: () => new SesDomain("d", { ...args, verification } as never) }), (error: unknown) => {
        const cause = (error as ProgramFailed).cause as pulumi.InputPropertiesError;
        assert.deepEqual(cause.errors?.map((e) => e.propertyPath), [path], JSON.stringify(verification));
        assert.deepEqual((error as ProgramFailed).registrations.filter((r) => r.type !== "pulumi:pulumi:Stack"), []);
        return true;
      });
    }
  });
});
