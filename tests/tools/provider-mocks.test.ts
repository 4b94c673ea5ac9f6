/**
 * The mocks answer as the providers' schemas say (tools/provider-schemas/): for every type the
 * program registers, every output property the schema lists, in the shape it gives, with its
 * secrets; so a provider upgrade that adds an output fails here until the mocks describe it.
 */
import { strict as assert } from "node:assert";
import { isSecretEnvelope } from "../../lib/state";
import { plain, ProgramRun, runProgram } from "../../tools/mock-run";
import { invokeOutputs, providerOutputs, UNKNOWN } from "../../tools/provider-mocks";
import { functionOutputs, isComputed, objectSpec, ObjectSpec, resourceSpec, shapeProblems } from "../../tools/provider-schema";
import { CLOUDFLARE_ZONE, exampleDomain, rsaKeyPair, stackConfig } from "../fixtures/stacks";

const key = rsaKeyPair(1024);
/** Stacks that between them make the program register every type it can. */
const STACKS = [
  { regions: ["us-east-1", "eu-west-1"], domains: [exampleDomain()], addresses: ["ops@example.com"], sending: { eventBridge: true } },
  { regions: ["us-east-1"], dnsProvider: "cloudflare", domains: [exampleDomain({ zone: CLOUDFLARE_ZONE, ttl: 1 })] },
  { regions: ["us-east-1"], domains: [exampleDomain({ dkim: { selector: "ses1", publicKey: key.publicKey, privateKeyConfig: "k" } })], k: key.privateKey },
  { regions: ["us-east-1", "us-west-2"], domains: [exampleDomain()], globalEndpoint: { name: "g", primary: "us-east-1", secondary: "us-west-2" }, waitForVerification: true },
];

/** Property paths of `spec` missing from `outputs`, nested blocks included. */
function missing(spec: ObjectSpec, outputs: Record<string, unknown>, path = ""): string[] {
  return Object.entries(spec.properties).flatMap(([name, prop]) => {
    if (!(name in outputs)) return [`${path}${name}`];
    const block = objectSpec(prop);
    const value = isSecretEnvelope(outputs[name]) ? undefined : outputs[name];
    return block && value && typeof value === "object" && !Array.isArray(value) ? missing(block, value as Record<string, unknown>, `${path}${name}.`) : [];
  });
}

describe("tools/provider-mocks: outputs from the providers' schemas", () => {
  const runs: ProgramRun[] = [];
  before(async () => {
    for (const [i, input] of STACKS.entries()) runs.push(await runProgram({ config: stackConfig(input), preview: false, secretKeys: i === 2 ? ["ses-email-auth:k"] : [] }));
  });

  it("covers every output property of every type the program registers, in the schema's shapes (after apply)", () => {
    const registered = new Map<string, Record<string, unknown>[]>();
    for (const r of runs.flatMap((run) => run.registrations)) {
      if (r.custom && !r.type.startsWith("pulumi:providers:")) registered.set(r.type, [...(registered.get(r.type) ?? []), r.outputs]);
    }
    assert.deepEqual([...registered.keys()].sort(), [
      "aws:route53/record:Record",
      "aws:ses/domainIdentityVerification:DomainIdentityVerification",
      "aws:sesv2/configurationSet:ConfigurationSet",
      "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination",
      "aws:sesv2/emailIdentity:EmailIdentity",
      "aws:sesv2/emailIdentityFeedbackAttributes:EmailIdentityFeedbackAttributes",
      "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes",
      "aws:sesv2/multiRegionEndpoint:MultiRegionEndpoint",
      "aws:sns/topic:Topic",
      "aws:sns/topicPolicy:TopicPolicy",
      "cloudflare:index/dnsRecord:DnsRecord",
    ]);
    for (const [type, all] of registered) {
      const spec = resourceSpec(type)!;
      for (const outputs of all) {
        assert.deepEqual(shapeProblems(spec, outputs), [], type);
        if (spec.implementation === "sdkv2") assert.deepEqual(missing(spec, outputs), [], `${type}: an SDKv2 provider writes every attribute`);
        else {
          // Plugin Framework: unset is absent; what the provider computes is there unless the API has none.
          const absent = missing(spec, outputs).filter((p) => isComputed(spec, p));
          assert.deepEqual(absent.filter((p) => !["commentModifiedOn", "tagsModifiedOn", "settings"].includes(p)), [], type);
          assert.ok(!Object.values(outputs).includes(null), `${type}: no null`);
        }
      }
    }
  });

  it("writes zero values for what is unset, and secrets even when empty: an Easy DKIM identity's selector is \"\"", () => {
    const identity = runs[0].registrations.find((r) => r.type === "aws:sesv2/emailIdentity:EmailIdentity" && r.name === "example.com-us-east-1")!.outputs as any;
    assert.equal(identity.dkimSigningAttributes.domainSigningSelector, "");
    assert.equal(identity.configurationSetName.length > 0, true, "this stack sends through a configuration set");
    assert.ok(isSecretEnvelope(identity.dkimSigningAttributes.domainSigningPrivateKey));
    assert.equal(identity.dkimSigningAttributes.domainSigningPrivateKey.value, "");
    // Its input block holds the private key, so the whole block is secret there.
    const byodkim = plain(runs[2].registrations.find((r) => r.type === "aws:sesv2/emailIdentity:EmailIdentity")!.outputs) as any;
    assert.deepEqual([byodkim.dkimSigningAttributes.signingAttributesOrigin, byodkim.dkimSigningAttributes.tokens], ["EXTERNAL", ["ses1"]], "SES's tokens hold a BYODKIM selector");
    const address = runs[0].registrations.find((r) => r.name === "ops@example.com-us-east-1")!.outputs as any;
    assert.deepEqual([address.identityType, address.dkimSigningAttributes.tokens], ["EMAIL_ADDRESS", []]);
  });

  it("leaves a Plugin Framework endpoint's unset tags and timeouts out, and records the verification wait's timeout in __meta", () => {
    const endpoint = runs[3].registrations.find((r) => r.type === "aws:sesv2/multiRegionEndpoint:MultiRegionEndpoint")!.outputs;
    assert.ok(!("tags" in endpoint) && !("timeouts" in endpoint) && !("__meta" in endpoint), JSON.stringify(endpoint));
    assert.deepEqual(endpoint.details, { routesDetails: { region: "us-west-2" } });
    const wait = runs[3].registrations.find((r) => r.type === "aws:ses/domainIdentityVerification:DomainIdentityVerification")!.outputs;
    assert.deepEqual(JSON.parse(String(wait.__meta)), { "e2bfb730-ecaa-11e6-8f88-34363bc7c4c0": { create: 45 * 60e9 }, schema_version: "0" });
  });

  it("leaves what the provider computes unknown in preview, and keeps inputs", () => {
    const { outputs, id } = providerOutputs("aws:sesv2/emailIdentity:EmailIdentity", "x", { emailIdentity: "example.com", region: "eu-west-1" }, { preview: true });
    assert.equal(id, undefined);
    assert.deepEqual([outputs.emailIdentity, outputs.region, outputs.arn, outputs.dkimSigningAttributes], ["example.com", "eu-west-1", UNKNOWN, UNKNOWN]);
  });

  it("answers Route 53's zone lookup with every output of the data source", () => {
    const outputs = invokeOutputs("aws:route53/getZone:getZone", { name: "example.com.", privateZone: false });
    assert.deepEqual(missing(functionOutputs("aws:route53/getZone:getZone")!, outputs), []);
    assert.equal(outputs.name, "example.com");
  });

  it("fails on an output the provider computes that no rule describes, as after an upgrade that adds one", () => {
    const spec = resourceSpec("aws:sesv2/emailIdentity:EmailIdentity")!;
    const saved = { properties: spec.properties, requiredOutputs: spec.requiredOutputs };
    try {
      Object.assign(spec, { properties: { ...spec.properties, signingHostedZone: { type: "string" } }, requiredOutputs: [...spec.requiredOutputs, "signingHostedZone"] });
      assert.throws(() => providerOutputs(spec.token, "x", { emailIdentity: "example.com" }, { preview: false }), /aws:sesv2\/emailIdentity:EmailIdentity computes signingHostedZone, and no rule in tools\/provider-mocks\.ts says what it writes there/);
    } finally {
      Object.assign(spec, saved);
    }
  });

  it("refuses a type with no rules, and names the type, so none slips in with a made-up shape", () => {
    assert.throws(() => providerOutputs("aws:sesv2/emailIdentityPolicy:EmailIdentityPolicy", "p", {}, { preview: false }), /no schema or rules for aws:sesv2\/emailIdentityPolicy:EmailIdentityPolicy/);
    assert.throws(() => providerOutputs("aws:iam/role:Role", "r", {}, { preview: false }), /no schema or rules for aws:iam\/role:Role/);
  });
});
