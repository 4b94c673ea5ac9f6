/** `verify`: check each SES domain's published DNS as a receiving mail server would. See tools/verify/cli.ts. */
import { main } from "./verify/cli";

export async function run(argv: string[]): Promise<void> {
  try {
    process.exitCode = await main(argv, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), cwd: process.cwd() });
  } catch (error) {
    // Not a usage or config problem: verify itself failed. Exit 3, as `plan` and `audit` do.
    console.error(error);
    process.exitCode = 3;
  }
}

if (require.main === module) void run(process.argv.slice(2));
