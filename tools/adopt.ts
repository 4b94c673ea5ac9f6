/** `adopt`: which of the stack's resources exist already (a setup made by hand) and how to adopt them. See tools/adopt/cli.ts. */
import { runAsProcess } from "./command";
import { main } from "./adopt/cli";

export function run(argv: string[]): Promise<void> {
  return runAsProcess(main, argv);
}

if (require.main === module) void run(process.argv.slice(2));
