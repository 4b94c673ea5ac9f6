/** `verify`: check each SES domain's published DNS as a receiving mail server would. See tools/verify/cli.ts. */
import { runAsProcess } from "./command";
import { main } from "./verify/cli";

export function run(argv: string[]): Promise<void> {
  return runAsProcess(main, argv);
}

if (require.main === module) void run(process.argv.slice(2));
