/** `reports`: read DMARC aggregate reports and advise on the rollout. See tools/reports/cli.ts. */
import { main } from "./reports/cli";

export async function run(argv: string[]): Promise<void> {
  try {
    process.exitCode = await main(argv, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) });
  } catch (error) {
    // Not a usage problem nor a broken input (those are reported and counted): the tool itself failed.
    console.error(error);
    process.exitCode = 3;
  }
}

if (require.main === module) void run(process.argv.slice(2));
