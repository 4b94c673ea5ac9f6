/** `adopt`: which of the stack's resources exist already (a setup made by hand) and how to adopt them. See tools/adopt/cli.ts. */
import { main } from "./adopt/cli";

export async function run(argv: string[]): Promise<void> {
  try {
    process.exitCode = await main(argv, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), cwd: process.cwd(), env: process.env });
  } catch (error) {
    // Not a usage, config or credentials problem: adopt itself failed. Exit 3, as verify does.
    console.error(error);
    process.exitCode = 3;
  }
}

if (require.main === module) void run(process.argv.slice(2));
