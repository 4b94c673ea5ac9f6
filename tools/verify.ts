/** `npm run verify -- …`: check each SES domain's published DNS as a receiving mail server would. See tools/verify/cli.ts. */
import { main } from "./verify/cli";

main(process.argv.slice(2), { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), cwd: process.cwd() }).then(
  (code) => (process.exitCode = code),
  (error) => {
    // Not a usage or config problem: verify itself failed. Exit 3, as `npm run plan` does.
    console.error(error);
    process.exitCode = 3;
  },
);
