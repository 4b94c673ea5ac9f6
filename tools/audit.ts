// `audit --state FILE [--json | --zone-file]` (`npm run audit -- …` here): see tools/plan/.
import { audit, readExport } from "./plan/audit";
import { UsageError } from "./command";
import { readPolicyConfig, runCommand, stackPolicyConfigPath } from "./plan/cli";

const USAGE = `usage: ses-email-auth audit --state FILE [--cwd DIR] [options]   (here: npm run audit -- …)
Runs the policy pack on an existing stack, from the JSON of \`pulumi stack export --file FILE\`.
  --state FILE          the export (deployment version 3)
  --cwd DIR             the project directory (default .); policy config defaults to
                        DIR/policy/config.<stack>.json when it exists`;

const OPTIONS = { state: { type: "string" }, cwd: { type: "string", default: "." } } as const;

export function run(argv: string[]): Promise<void> {
  return runCommand(
    "audit",
    USAGE,
    OPTIONS,
    async (values) => {
      if (typeof values.state !== "string") throw new UsageError(`--state FILE is required\n${USAGE}`);
      const stack = readExport(values.state);
      const policyConfig = readPolicyConfig(values["policy-config"] as string | undefined, stackPolicyConfigPath(values.cwd as string, stack.stack));
      return { report: await audit(stack, policyConfig), title: `Audit of stack ${stack.stack} (${values.state})` };
    },
    argv,
  );
}

if (require.main === module) void run(process.argv.slice(2));
