/**
 * The program (index.ts) the way `pulumi preview` and `pulumi up` run it: the SDK's own
 * `cmd/run` under the CLI's language host arguments and environment (tests/harness/), which
 * type-checks and compiles it with ts-node and our TypeScript, against a fake engine whose
 * providers answer from the providers' schemas. Then the policy pack over what the engine would
 * send it: the apply-time outputs (the check after `up`), and the next preview of the same stack,
 * where every unchanged resource keeps its recorded outputs.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SECRET_SIG } from "../lib/state";
import { UNKNOWN } from "../tools/mock-run";
import { Finding, PolicyPackConfig, runPolicies } from "../tools/run-policies";
import { loadStackConfig } from "../tools/stack-config";
import { deployProgram } from "./harness/deploy";
import { FakeEngine } from "./harness/fake-engine";

const ROOT = join(__dirname, "..");
const PROJECT = "ses-email-auth";
/** Generous: the SDK, @pulumi/aws and ts-node load in a few seconds, on a shared 2-core machine. */
const PROGRAM_TIMEOUT_MS = 90_000;

const policyConfig = (stack: string): PolicyPackConfig => {
  try {
    return JSON.parse(readFileSync(join(ROOT, "policy", `config.${stack}.json`), "utf8"));
  } catch {
    return {};
  }
};

const run = (stack: string, config: Record<string, string>, secretKeys: string[], preview: boolean, prior?: FakeEngine) =>
  deployProgram({ dir: ROOT, project: PROJECT, stack, preview, config, secretKeys, prior, timeoutMs: PROGRAM_TIMEOUT_MS });

interface Deployment {
  preview: FakeEngine;
  up: FakeEngine;
  next?: FakeEngine;
}

/** preview, up, then (with `next`) preview again over what up recorded. */
async function deploy(stack: string, next: boolean, edit: (config: Record<string, string>) => void = () => {}): Promise<Deployment> {
  const { config, secretKeys } = loadStackConfig(ROOT, stack);
  edit(config);
  const preview = await run(stack, config, secretKeys, true);
  const up = await run(stack, config, secretKeys, false);
  return { preview, up, next: next ? await run(stack, config, secretKeys, true, up) : undefined };
}

const mandatory = (findings: Finding[]) => findings.filter((f) => f.level === "mandatory");
const waiting = (findings: Finding[]) => findings.filter((f) => f.message.includes("during preview"));

describe("the program's TypeScript under the CLI's ts-node", function () {
  this.timeout(60_000);
  it("compiles whichever file ts-node meets first, as after an edit to lib/ with the rest cached (TS 6 wants rootDir)", () => {
    // The SDK registers its vendored ts-node with the project's tsconfig.json (cmd/run/run.js); its
    // cache skips unchanged files, so after an edit to lib/state.ts that file is compiled first.
    const script = `const { tsnodeRequire, typescriptRequire } = require("@pulumi/pulumi/tsutils").typeScriptRequireStrings();
      require(tsnodeRequire).register({ project: "tsconfig.json", compiler: typescriptRequire, cache: false });
      require("./lib/state.ts");`;
    const r = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
  });
});

describe("the program under the CLI's language host, against a fake engine", function () {
  this.timeout(4 * PROGRAM_TIMEOUT_MS);
  const STACKS = ["dev", "prod", "cloudflare-example"];
  const deployments = new Map<string, Promise<Deployment>>();
  // One at a time: the machine has two cores, and each run loads the SDKs and type-checks the program.
  before(() => {
    let previous: Promise<unknown> = Promise.resolve();
    for (const stack of STACKS) {
      const deployment = previous.then(() => deploy(stack, true));
      deployment.catch(() => {}); // awaited, and reported, by the tests
      deployments.set(stack, deployment);
      previous = deployment.catch(() => {});
    }
  });

  for (const stack of STACKS) {
    describe(`stack ${stack}`, () => {
      it("previews: every resource registered, computed values unknown, DKIM checks waiting for the tokens", async () => {
        const { preview, up } = await deployments.get(stack)!;
        assert.deepEqual(preview.resources.map((r) => r.urn), up.resources.map((r) => r.urn));
        const identity = preview.resources.find((r) => r.type === "aws:sesv2/emailIdentity:EmailIdentity")!;
        assert.equal((identity.outputs.dkimSigningAttributes as any).tokens, UNKNOWN);
        const findings = await runPolicies(preview.stackResources(), policyConfig(stack));
        assert.deepEqual(mandatory(findings), []);
        assert.ok(waiting(findings).some((f) => f.policy === "ses-dkim-records"), JSON.stringify(findings));
      });

      it("applies: no value left unknown or undefined, the URNs the engine makes, every record named in clear", async () => {
        const { up } = await deployments.get(stack)!;
        const state = JSON.stringify(up.resources);
        assert.ok(!state.includes(UNKNOWN));
        assert.doesNotMatch(state, /undefined/);
        assert.ok(up.resources.every((r) => r.urn.startsWith(`urn:pulumi:${stack}::${PROJECT}::`) && !r.urn.includes("pulumi:pulumi:Stack$")));
        const records = up.stackOutputs.records as { name: string }[];
        assert.ok(Array.isArray(records) && records.length >= 9 && records.every((r) => /^[a-z0-9_.-]+$/.test(r.name)), JSON.stringify(records));
        assert.doesNotMatch(JSON.stringify(up.stackOutputs), new RegExp(SECRET_SIG));
      });

      it("passes the pack on the apply-time outputs, as the engine checks the stack after up, with nothing left to wait for", async () => {
        const { up } = await deployments.get(stack)!;
        const findings = await runPolicies(up.stackResources(), policyConfig(stack));
        assert.deepEqual(mandatory(findings), []);
        assert.deepEqual(waiting(findings), []);
      });

      it("and on the next preview, where every resource is unchanged and keeps its recorded outputs", async () => {
        const { up, next } = await deployments.get(stack)!;
        assert.deepEqual(next!.resources, up.resources);
        assert.deepEqual(await runPolicies(next!.stackResources(), policyConfig(stack)), await runPolicies(up.stackResources(), policyConfig(stack)));
      });
    });
  }

  it("logs DMARC config both generations of receivers read differently as engine warnings, as pulumi preview and up print them, and still succeeds", async () => {
    // LogSeverity WARNING (engine.proto); the dev stack keeps the seed's pct=25, the others write none.
    const WARNING = 2;
    for (const stack of STACKS) {
      const { preview, up } = await deployments.get(stack)!;
      for (const engine of [preview, up]) {
        const warnings = engine.logs.filter((l) => l.severity === WARNING).map((l) => l.message);
        if (stack !== "dev") assert.deepEqual(warnings, [], stack);
        else {
          assert.equal(warnings.length, 1, JSON.stringify(warnings));
          assert.match(warnings[0], /^ses-email-auth:domains\[0\]\.dmarc\.percent: pct=25 means 25% of failing mail to RFC 7489 receivers .*; remove percent and step the policy itself/);
        }
      }
    }
  });

  describe("a stack with a global endpoint and verification waits", () => {
    const ENDPOINT = { name: "example-global", primary: "us-east-1", secondary: "eu-west-1" };
    let deployment: Promise<Deployment>;
    before(async () => {
      await deployments.get(STACKS[STACKS.length - 1])!.catch(() => {});
      deployment = deploy("dev", true, (config) => {
        config["ses-email-auth:globalEndpoint"] = JSON.stringify(ENDPOINT);
        config["ses-email-auth:waitForVerification"] = "30";
      });
      deployment.catch(() => {});
    });

    it("previews and applies: the endpoint routed to the secondary, a wait per region after that region's DKIM records, its timeout as sent", async () => {
      const { preview, up } = await deployment;
      assert.deepEqual(preview.resources.map((r) => r.urn), up.resources.map((r) => r.urn));
      const dev = (await deployments.get("dev")!).up.resources.map((r) => r.urn.replace("ses-email-auth-dev", ""));
      assert.ok(dev.every((urn) => up.resources.some((r) => r.urn.replace("ses-email-auth-dev", "") === urn)), "every URN of dev stays");
      const endpoint = up.resources.find((r) => r.type === "aws:sesv2/multiRegionEndpoint:MultiRegionEndpoint")!;
      assert.deepEqual(endpoint.inputs, { region: "us-east-1", endpointName: "example-global", details: { routesDetails: { region: "eu-west-1" } } });
      const byUrn = new Map(up.resources.map((r) => [r.urn, r]));
      const waits = up.resources.filter((r) => r.type === "aws:ses/domainIdentityVerification:DomainIdentityVerification");
      assert.deepEqual(waits.map((w) => [w.inputs.region, w.customTimeouts]), [["us-east-1", { create: "30m" }], ["eu-west-1", { create: "30m" }]]);
      for (const wait of waits) {
        const records = wait.dependencies.map((u) => byUrn.get(u)!).filter((r) => r.type === "aws:route53/record:Record");
        assert.deepEqual(records.map((r) => r.name).sort(), [1, 2, 3].map((i) => `example.com-dkim-${wait.inputs.region}-${i}`));
      }
      assert.equal(up.stackOutputs.globalEndpoint && (up.stackOutputs.globalEndpoint as Record<string, unknown>).endpointId, endpoint.outputs.endpointId);
      assert.ok(!("globalEndpoint" in (await deployments.get("dev")!).up.stackOutputs), "a stack without an endpoint has no such output");
    });

    it("passes the pack after up, the endpoint's regions both verified and aligned, and the next preview changes nothing", async () => {
      const { up, next } = await deployment;
      const findings = await runPolicies(up.stackResources(), policyConfig("dev"));
      assert.deepEqual(mandatory(findings), []);
      assert.deepEqual(findings.filter((f) => f.policy === "ses-global-endpoint-identities"), []);
      assert.deepEqual(next!.resources, up.resources);
    });
  });

  describe("a broken stack", () => {
    it("fails with the same findings after up as in preview", async () => {
      await deployments.get(STACKS[STACKS.length - 1])!.catch(() => {});
      const broken = await deploy("dev", false, (config) => {
        const domains = JSON.parse(config["ses-email-auth:domains"]);
        domains[0].dmarc = { ...domains[0].dmarc, manage: false };
        config["ses-email-auth:domains"] = JSON.stringify(domains);
      });
      const [preview, up] = await Promise.all([broken.preview, broken.up].map(async (e) => mandatory(await runPolicies(e.stackResources(), policyConfig("dev")))));
      assert.deepEqual([...new Set(preview.map((f) => f.policy))], ["ses-dmarc-record", "ses-dmarc-alignment"]);
      assert.deepEqual(up, preview);
    });
  });
});
