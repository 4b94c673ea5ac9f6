import { strict as assert } from "node:assert";
import { PolicyPackArgs, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { packArgs } from "../../policy/pack";
import { runPolicies, UNKNOWN } from "../../tools/run-policies";
import { domainStack, resource } from "../policy/stacks";

/** A policy that reports what it was given. */
function probe(name: string, more: Partial<StackValidationPolicy> = {}): StackValidationPolicy {
  return {
    name,
    description: name,
    configSchema: { properties: { a: { type: "string", default: "default-a" }, b: { type: "integer", default: 1 }, c: { type: "string" } } },
    validateStack: (args, report) => report(JSON.stringify(args.getConfig())),
    ...more,
  };
}

const secret = (value: unknown) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });

describe("tools/run-policies", () => {
  it("merges each policy's schema defaults under the given properties, as the engine does", async () => {
    const pack: PolicyPackArgs = { policies: [probe("p")] };
    assert.deepEqual(JSON.parse((await runPolicies([], {}, pack))[0].message), { a: "default-a", b: 1 });
    assert.deepEqual(JSON.parse((await runPolicies([], { p: { b: 2, c: "x", enforcementLevel: "mandatory" } }, pack))[0].message), { a: "default-a", b: 2, c: "x" });
  });

  it("resolves enforcement: policy config, then `all`, then the policy's, then the pack's, then advisory", async () => {
    const pack: PolicyPackArgs = { enforcementLevel: "mandatory", policies: [probe("own", { enforcementLevel: "advisory" }), probe("inherits"), probe("off", { enforcementLevel: "disabled" }), probe("fixes", { enforcementLevel: "remediate" })] };
    const levels = async (config = {}, p = pack) => (await runPolicies([], config, p)).map((f) => `${f.policy}:${f.level}`);
    assert.deepEqual(await levels(), ["own:advisory", "inherits:mandatory", "fixes:mandatory"]);
    // `all` overrides every policy's own level, disabled included (Pulumi's policy config docs).
    assert.deepEqual(await levels({ all: "advisory" }), ["own:advisory", "inherits:advisory", "off:advisory", "fixes:advisory"]);
    assert.deepEqual(await levels({ all: "advisory", own: "mandatory", off: { enforcementLevel: "advisory" } }), ["own:mandatory", "inherits:advisory", "off:advisory", "fixes:advisory"]);
    assert.deepEqual(await levels({ inherits: "disabled" }), ["own:advisory", "fixes:mandatory"]);
    assert.deepEqual(await levels({}, { policies: [probe("bare")] }), ["bare:advisory"]);
  });

  it("refuses config for a policy the pack does not have, and values the schema does not allow", async () => {
    await assert.rejects(runPolicies([], { "ses-dmarc-recrod": "advisory" }), /"ses-dmarc-recrod", which is no policy of the pack/);
    await assert.rejects(runPolicies([], { "ses-dmarc-alignment": { requiredPaths: "bth" } }), /ses-dmarc-alignment\.requiredPaths must be one of any, both, not "bth"/);
    await assert.rejects(runPolicies([], { "dmarc-minimum-policy": { minimumPercent: 101 } }), /minimumPercent must be from 0 to 100/);
    await assert.rejects(runPolicies([], { "ses-dmarc-record": { fromDomains: { "example.com": "news.example.com" } } }), /fromDomains\.example\.com must be array, not string/);
    await assert.rejects(runPolicies([], { "ses-dmarc-record": { externalDmarc: { "example.com": ["v=DMARC1"] } } }), /externalDmarc\.example\.com must be string, not array/);
    for (const env of ["dev", "prod"]) await runPolicies([], require(`../../policy/config.${env}.json`));
  });

  it("turns a read of an unknown value into an advisory can't-run, and skips not-applicable", async () => {
    const pack: PolicyPackArgs = {
      enforcementLevel: "mandatory",
      policies: [
        probe("reads-unknown", { validateStack: (args) => void args.resources[0].props.x.length }),
        probe("not-applicable", { validateStack: (args) => args.notApplicable("no SES here") }),
      ],
    };
    const findings = await runPolicies([resource("t:m:R", "r", { x: UNKNOWN })], {}, pack);
    assert.deepEqual(findings, [{ policy: "reads-unknown", level: "advisory", urn: undefined, message: "can't run policy 'reads-unknown' from policy pack 'ses-email-auth@v0.1.0' during preview: string value at .x can't be known during preview" }]);
  });

  it("fails loudly when a policy throws anything else", async () => {
    const pack: PolicyPackArgs = { policies: [probe("broken", { validateStack: () => { throw new TypeError("oops"); } })] };
    await assert.rejects(runPolicies([], {}, pack), /policy 'broken' failed: oops/);
  });

  it("gives stack policies linked resources: parent, dependencies, property dependencies, provider; secrets unwrapped", async () => {
    let seen: PolicyResource[] = [];
    const pack: PolicyPackArgs = { policies: [probe("look", { validateStack: (args) => void (seen = args.resources) })] };
    const parent = resource("t:m:Parent", "parent", {});
    const dep = resource("t:m:Dep", "dep", { v: secret("s3cret") });
    const child = resource("t:m:Child", "child", { v: 1 }, { parent: parent.urn, dependencies: [dep.urn, "urn:not:in:stack"], propertyDependencies: { v: [dep.urn] }, provider: { urn: "urn:p", type: "pulumi:providers:aws", name: "p", props: { region: "eu-west-1" } } });
    await runPolicies([parent, dep, child], {}, pack);
    assert.equal(seen[2].parent, seen[0]);
    assert.deepEqual(seen[2].dependencies, [seen[1]]);
    assert.deepEqual(seen[2].propertyDependencies.v, [seen[1]]);
    assert.equal(seen[2].provider?.props.region, "eu-west-1");
    assert.equal(seen[1].props.v, "s3cret");
  });

  it("runs resource policies on each resource, reporting on that resource", async () => {
    const pack: PolicyPackArgs = { policies: [{ name: "each", description: "each", validateResource: (args, report) => report(`${args.type} ${args.props.n}`, "ignored") }] };
    const findings = await runPolicies([resource("t:m:A", "a", { n: 1 }), resource("t:m:B", "b", { n: 2 })], {}, pack);
    assert.deepEqual(findings.map((f) => [f.urn, f.message]), [["urn:pulumi:test::app::t:m:A::a", "t:m:A 1"], ["urn:pulumi:test::app::t:m:B::b", "t:m:B 2"]]);
  });

  it("evaluates the real pack by default", async () => {
    assert.ok(packArgs.policies.length >= 8);
    assert.deepEqual(await runPolicies(domainStack({ domain: "example.com", regions: ["us-east-1"] })), []);
  });
});
