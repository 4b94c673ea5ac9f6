/** `npm run reports -- …`: read DMARC aggregate reports and advise on the rollout. See tools/reports/cli.ts. */
import { main } from "./reports/cli";

main(process.argv.slice(2), { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }).then(
  (code) => (process.exitCode = code),
  (error) => {
    // Not a usage problem nor a broken input (those are reported and counted): the tool itself failed.
    console.error(error);
    process.exitCode = 3;
  },
);
