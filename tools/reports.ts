/** `reports`: read DMARC aggregate reports and advise on the rollout. See tools/reports/cli.ts. */
import { runAsProcess } from "./command";
import { main } from "./reports/cli";

export function run(argv: string[]): Promise<void> {
  return runAsProcess(main, argv);
}

if (require.main === module) void run(process.argv.slice(2));
