#!/usr/bin/env node
/**
 * The package's command: `ses-email-auth <command> [options]` (`npx ses-email-auth …` in a project
 * that installs the library), the same commands as this repository's npm scripts. A command is one
 * line here; each loads its own module only when it runs.
 */

interface Command {
  summary: string;
  load(): Promise<{ run(argv: string[]): Promise<void> }>;
}

const COMMANDS: Record<string, Command> = {
  verify: { summary: "check each SES domain's published DNS as a receiving mail server would (docs/verify.md)", load: () => import("./verify") },
  audit: { summary: "run the policy pack on a `pulumi stack export` (docs/plan-and-audit.md)", load: () => import("./audit") },
  adopt: { summary: "find what a setup made by hand already has and adopt it into the stack (docs/adopt.md)", load: () => import("./adopt") },
  reports: { summary: "read DMARC aggregate reports and advise on the rollout (docs/reports.md)", load: () => import("./reports") },
};

const USAGE = `usage: ses-email-auth <command> [options]   (ses-email-auth <command> --help for its options)
commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`)
  .join("\n")}`;

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === "--help" || name === "-h" || name === "help") return void process.stdout.write(`${USAGE}\n`);
  if (name === "--version" || name === "-v") return void process.stdout.write(`${require("ses-email-auth/package.json").version}\n`);
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) {
    process.stderr.write(`ses-email-auth: ${name === undefined ? "no command given" : `unknown command "${name}"`}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  await (await command.load()).run(rest);
}

void main(process.argv.slice(2));
