// `npm run plan -- [--stack NAME] [--cwd DIR] [--json | --zone-file]`: see tools/plan/.
import { readPolicyConfig, runCommand, stackPolicyConfigPath } from "./plan/cli";
import { plan } from "./plan/plan";

const USAGE = `usage: npm run plan -- [--stack NAME] [--cwd DIR] [options]
Previews the program offline (mock providers, no cloud, no Pulumi CLI) and runs the policy pack on it.
  --stack NAME          the stack whose Pulumi.<NAME>.yaml to plan (default dev)
  --cwd DIR             the project directory holding Pulumi.yaml (default .); policy config
                        defaults to DIR/policy/config.<NAME>.json when it exists`;

runCommand("plan", USAGE, { stack: { type: "string", default: "dev" }, cwd: { type: "string", default: "." } }, async (values) => {
  const stack = values.stack as string;
  const dir = values.cwd as string;
  const policyConfig = readPolicyConfig(values["policy-config"] as string | undefined, stackPolicyConfigPath(dir, stack));
  return { report: await plan(dir, stack, policyConfig), title: `Offline plan of stack ${stack} (preview with mock providers)` };
});
