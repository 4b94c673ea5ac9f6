/**
 * The CI workflow users copy (.github/workflows/policy.yml): a valid GitHub Actions workflow (by
 * action-validator, over the workflow schema), every action given only inputs its action.yml
 * documents and every input it requires (tests/fixtures/github-actions.json, read from each
 * action's release), and short-lived credentials only: OIDC for AWS and for Pulumi Cloud.
 */
import { strict as assert } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { parse } from "yaml";

const ROOT = join(__dirname, "..", "..");
const source = readFileSync(join(ROOT, ".github", "workflows", "policy.yml"), "utf8");
const workflow = parse(source);
const actions: Record<string, { inputs: Record<string, { required: boolean }> }> = require("../fixtures/github-actions.json");
const steps: { uses?: string; run?: string; with?: Record<string, unknown> }[] = workflow.jobs.preview.steps;
const step = (action: string) => steps.find((s) => s.uses?.startsWith(`${action}@`));

describe(".github/workflows/policy.yml", () => {
  it("is a valid workflow", () => {
    assert.deepEqual(validateWorkflow(source).errors, []);
  });

  it("gives each action only documented inputs, and every input it requires", () => {
    for (const s of steps.filter((x) => x.uses)) {
      const documented = actions[s.uses!];
      assert.ok(documented, `${s.uses}: not in tests/fixtures/github-actions.json`);
      for (const input of Object.keys(s.with ?? {})) assert.ok(input in documented.inputs, `${s.uses}: no input "${input}"`);
      for (const [input, { required }] of Object.entries(documented.inputs)) if (required) assert.ok(input in (s.with ?? {}), `${s.uses}: needs "${input}"`);
    }
  });

  it("authenticates with OIDC only: an AWS role and a Pulumi Cloud token exchange, no stored key", () => {
    assert.equal(workflow.permissions["id-token"], "write");
    assert.match(String(step("aws-actions/configure-aws-credentials")!.with!["role-to-assume"]), /^\$\{\{ vars\.AWS_ROLE_ARN \}\}$/);
    assert.equal(step("pulumi/auth-actions")!.with!["requested-token-type"], "urn:pulumi:token-type:access_token:organization");
    assert.ok(steps.indexOf(step("pulumi/auth-actions")!) < steps.indexOf(step("pulumi/actions")!));
    assert.doesNotMatch(source, /secrets\.(AWS_|PULUMI_ACCESS_TOKEN)/);
  });

  it("previews each environment that has a stack file and a policy config, as its GitHub environment, with the local or the published pack", () => {
    assert.deepEqual(workflow.jobs.preview.strategy.matrix.env, ["dev", "prod"]);
    for (const env of workflow.jobs.preview.strategy.matrix.env) {
      assert.ok(existsSync(join(ROOT, `Pulumi.${env}.yaml`)) && existsSync(join(ROOT, "policy", `config.${env}.json`)), env);
    }
    assert.equal(workflow.jobs.preview.environment, "${{ matrix.env }}");
    const preview = step("pulumi/actions")!.with!;
    assert.equal(preview.command, "preview");
    assert.match(String(preview.policyPacks), /vars\.USE_PUBLISHED_PACK != 'true' && 'policy' \|\| ''/);
    // The pack loads the library from dist/: it is built before the preview.
    assert.ok(steps.findIndex((s) => s.run === "npm run build") < steps.indexOf(step("pulumi/actions")!));
  });
});
