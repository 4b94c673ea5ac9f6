// `npm run audit -- --state FILE [--json | --zone-file]`: see tools/plan/.
import { readPolicyConfig, runCommand, UsageError } from "./plan/cli";
import { audit, readExport } from "./plan/audit";
import { stackPolicyConfigPath } from "./plan/plan";

const USAGE = `usage: npm run audit -- --state FILE [--cwd DIR] [options]
Runs the policy pack on an existing stack, from the JSON of \`pulumi stack export --file FILE\`.
  --state FILE          the export (deployment version 3)
  --cwd DIR             the project directory (default .); policy config defaults to
                        DIR/policy/config.<stack>.json when it exists`;

runCommand("audit", USAGE, { state: { type: "string" }, cwd: { type: "string", default: "." } }, async (values) => {
  if (typeof values.state !== "string") throw new UsageError(`--state FILE is required\n${USAGE}`);
  const stack = readExport(values.state);
  const policyConfig = readPolicyConfig(values["policy-config"] as string | undefined, stackPolicyConfigPath(values.cwd as string, stack.stack));
  return { report: await audit(stack, policyConfig), title: `Audit of stack ${stack.stack} (${values.state})` };
});
