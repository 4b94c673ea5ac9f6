/** The resources plan and audit hand to the policies: default providers, state links, secrets. */
import { strict as assert } from "node:assert";
import { SECRET_SIG, SECRET_SIG_KEY, UNREADABLE_SECRET } from "../../../lib/state";
import { runProgram } from "../../../tools/mock-run";
import { fromDeployment, fromRegistrations, NotAnExport } from "../../../tools/plan/engine";
import { CLOUDFLARE_ZONE, exampleDomain, stackConfig } from "../../fixtures/stacks";

const secret = (fields: object) => ({ [SECRET_SIG_KEY]: SECRET_SIG, ...fields });

describe("plan: the engine's view of a mocked preview", () => {
  it("adds the default provider of each package, with the stack's provider config, and links every custom resource to it", async () => {
    const config = { ...stackConfig({ regions: ["eu-west-1"], dnsProvider: "cloudflare", domains: [exampleDomain({ zone: CLOUDFLARE_ZONE })] }), "cloudflare:apiToken": UNREADABLE_SECRET };
    const run = await runProgram({ config, preview: true, stack: "cf" });
    const { stack, resources } = fromRegistrations(run.registrations, config, "cf");
    assert.equal(stack, "cf");
    const providers = resources.filter((r) => r.type.startsWith("pulumi:providers:"));
    assert.deepEqual(
      providers.map((p) => [p.urn, p.props]),
      [
        ["urn:pulumi:cf::ses-email-auth::pulumi:providers:aws::default_7_48_0", { version: "7.48.0", region: "us-east-1" }],
        ["urn:pulumi:cf::ses-email-auth::pulumi:providers:cloudflare::default_6_22_1", { version: "6.22.1", apiToken: UNREADABLE_SECRET }],
      ],
    );
    const custom = resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
    assert.ok(custom.length > 0);
    for (const r of custom) assert.equal(r.provider?.urn, providers.find((p) => p.type === `pulumi:providers:${r.type.split(":")[0]}`)!.urn, r.urn);
    assert.ok(resources.filter((r) => !r.custom).every((r) => r.provider === undefined));
  });
});

describe("audit: the engine's view of a stack export", () => {
  const PROVIDER = "urn:pulumi:prod::p::pulumi:providers:aws::default";
  const doc = (resources: object[]) => ({ version: 3, deployment: { manifest: {}, resources } });
  const record = {
    urn: "urn:pulumi:prod::p::aws:route53/record:Record::r",
    custom: true,
    type: "aws:route53/record:Record",
    provider: `${PROVIDER}::abc-123`,
    inputs: { name: "a" },
    outputs: { name: "a", records: [secret({ ciphertext: "v1:xyz" })], ttl: secret({ plaintext: "300" }) },
    dependencies: [PROVIDER],
    propertyDependencies: { name: [PROVIDER] },
  };

  it("takes outputs as props, resolves the provider reference to its inputs, keeps links, and wraps secrets it cannot read", () => {
    const { stack, resources } = fromDeployment(doc([{ urn: PROVIDER, custom: true, type: "pulumi:providers:aws", inputs: { region: "eu-west-1" } }, record]), "f.json");
    assert.equal(stack, "prod");
    const r = resources[1];
    assert.deepEqual(r.props, { name: "a", records: [secret({ value: UNREADABLE_SECRET })], ttl: secret({ value: 300 }) });
    assert.deepEqual(r.provider, { urn: PROVIDER, type: "pulumi:providers:aws", name: "default", props: { region: "eu-west-1" } });
    assert.deepEqual([r.name, r.custom, r.dependencies, r.propertyDependencies], ["r", true, [PROVIDER], { name: [PROVIDER] }]);
    assert.deepEqual(resources[0].props, { region: "eu-west-1" }, "inputs where there are no outputs");
  });

  it("leaves out the old copy of a replaced resource that waits for deletion", () => {
    const provider = { urn: PROVIDER, custom: true, type: "pulumi:providers:aws", inputs: {} };
    const { resources } = fromDeployment(doc([provider, record, { ...record, delete: true, outputs: { name: "old" } }]), "f.json");
    assert.deepEqual(resources.map((r) => r.props.name), [undefined, "a"]);
  });

  it("refuses an export whose provider reference points at nothing, or whose resources have no URN", () => {
    assert.throws(() => fromDeployment(doc([record]), "f.json"), (e: unknown) => e instanceof NotAnExport && /the provider of .*::r, .*::abc-123, is not in the export/.test(e.message));
    assert.throws(() => fromDeployment(doc([{ type: "x" }]), "f.json"), (e: unknown) => e instanceof NotAnExport && /deployment\.resources\[0\] lacks a "urn"/.test(e.message));
    assert.throws(() => fromDeployment({ version: 3 }, "f.json"), (e: unknown) => e instanceof NotAnExport && /no "deployment" object/.test(e.message));
  });
});
