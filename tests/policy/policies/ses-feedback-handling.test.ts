import { strict as assert } from "node:assert";
import { runProgram } from "../../../tools/mock-run";
import { EngineResource } from "../../../tools/run-policies";
import { exampleDomain, stackConfig, StackInput } from "../../fixtures/stacks";
import { domainStack, findingsOf, resource, UNKNOWN } from "../stacks";

const POLICY = "ses-feedback-handling";
const IDENTITY = "aws:sesv2/emailIdentity:EmailIdentity";
const FEEDBACK = "aws:sesv2/emailIdentityFeedbackAttributes:EmailIdentityFeedbackAttributes";
const SET = "aws:sesv2/configurationSet:ConfigurationSet";
const DESTINATION = "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination";

/** This project's program, previewed or applied under the mocks, as the engine shows it to the pack. */
async function program(input: StackInput, preview: boolean): Promise<EngineResource[]> {
  const run = await runProgram({ config: stackConfig(input), preview });
  return run.registrations.map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: r.outputs, parent: r.parent, dependencies: r.dependencies, propertyDependencies: r.propertyDependencies }));
}

/** Someone else's program: an identity with forwarding off, and whatever configuration set is given. */
function identityWith(destination?: Record<string, unknown>, options: { linked?: boolean; destinationRegion?: string } = {}): EngineResource[] {
  const { linked = true, destinationRegion = "us-east-1" } = options;
  const set = resource(SET, "events", { region: "us-east-1", configurationSetName: "events" });
  const deps = (urn: string) => (linked ? { propertyDependencies: { configurationSetName: [urn] } } : {});
  const identity = resource(IDENTITY, "mail", { region: "us-east-1", emailIdentity: "example.com", configurationSetName: "events" }, deps(set.urn));
  const feedback = resource(FEEDBACK, "mail-feedback", { region: "us-east-1", emailIdentity: "example.com", emailForwardingEnabled: false }, linked ? { propertyDependencies: { emailIdentity: [identity.urn] } } : {});
  const out = [set, identity, feedback];
  if (destination) {
    out.push(resource(DESTINATION, "events-sns", { region: destinationRegion, configurationSetName: "events", eventDestinationName: "sns", eventDestination: destination }, deps(set.urn)));
  }
  return out;
}

const sns = { snsDestination: { topicArn: "arn:aws:sns:us-east-1:123456789012:t" } };

describe(`policy ${POLICY}`, () => {
  for (const preview of [false, true]) {
    it(`passes this program with a sending setup, and without one (forwarding stays on)${preview ? ", in preview" : ""}`, async () => {
      const domains = [exampleDomain()];
      assert.deepEqual(await findingsOf(POLICY, await program({ regions: ["us-east-1", "eu-west-1"], sending: {}, domains }, preview)), []);
      assert.deepEqual(await findingsOf(POLICY, await program({ regions: ["us-east-1"], domains, addresses: ["ops@example.com"] }, preview)), []);
    });
  }

  it("passes stacks of other shapes that never turn forwarding off", async () => {
    assert.deepEqual(await findingsOf(POLICY, domainStack({ domain: "example.com", regions: ["us-east-1", "eu-west-1"] })), []);
  });

  it("warns, naming the identity, when forwarding is off and nothing publishes bounces and complaints", async () => {
    const findings = await findingsOf(POLICY, identityWith());
    assert.equal(findings.length, 1);
    assert.equal(findings[0].level, "advisory");
    assert.equal(findings[0].urn, identityWith()[1].urn);
    assert.match(findings[0].message, /^SES identity example\.com \(us-east-1\) sends with neither an event destination for BOUNCE and COMPLAINT nor feedback forwarding/);
  });

  it("accepts an enabled destination for both, linked by dependency or by name and region", async () => {
    const both = { enabled: true, matchingEventTypes: ["BOUNCE", "COMPLAINT", "REJECT"], ...sns };
    assert.deepEqual(await findingsOf(POLICY, identityWith(both)), []);
    assert.deepEqual(await findingsOf(POLICY, identityWith(both, { linked: false })), []);
    assert.equal((await findingsOf(POLICY, identityWith(both, { linked: false, destinationRegion: "eu-west-1" }))).length, 1);
  });

  for (const [what, destination] of [
    ["only bounces", { enabled: true, matchingEventTypes: ["BOUNCE"], ...sns }],
    ["a disabled destination", { matchingEventTypes: ["BOUNCE", "COMPLAINT"], ...sns }],
    ["CloudWatch metrics only", { enabled: true, matchingEventTypes: ["BOUNCE", "COMPLAINT"], cloudWatchDestination: { dimensionConfigurations: [] } }],
  ] as const) {
    it(`warns on ${what}`, async () => {
      assert.equal((await findingsOf(POLICY, identityWith(destination))).length, 1);
    });
  }

  it("leaves a configuration set declared elsewhere to its own stack", async () => {
    const identity = resource(IDENTITY, "mail", { region: "us-east-1", emailIdentity: "example.com", configurationSetName: "shared" });
    const feedback = resource(FEEDBACK, "f", { region: "us-east-1", emailIdentity: "example.com", emailForwardingEnabled: false });
    assert.deepEqual(await findingsOf(POLICY, [identity, feedback]), []);
  });

  it("says so when the event types are known only after apply", async () => {
    const findings = await findingsOf(POLICY, identityWith({ enabled: true, matchingEventTypes: UNKNOWN, ...sns }));
    assert.deepEqual(findings.map((f) => f.level), ["advisory"]);
    assert.match(findings[0].message, /during preview: whether SES identity example\.com \(us-east-1\) hears of bounces and complaints is known only after apply/);
  });
});
