/** `reports`: read DMARC aggregate reports and advise on the rollout. See tools/reports/cli.ts. */
import { spawn } from "node:child_process";
import { runAsProcess } from "./command";

/**
 * The V8 flag `reports` runs with: young-generation semi-spaces of 8 MiB, without which Node 24
 * grows them to 64 MiB over a long run and peak RSS doubles from 1,000 to 10,000 reports
 * (docs/reports.md, "Limits"). package.json's script passes it; a Node started without it (the
 * package's `ses-email-auth reports`) starts this file again with it.
 */
export const SEMI_SPACE_FLAG = "--max-semi-space-size=8";

/** Whether this Node was started with a semi-space size, ours or the user's (a flag or NODE_OPTIONS). */
function semiSpaceSet(): boolean {
  return [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].some((arg) => arg.startsWith("--max-semi-space-size"));
}

/** This command in a Node started with the flag; its exit status (or signal) becomes this process's. */
function relaunch(argv: string[]): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, SEMI_SPACE_FLAG, __filename, ...argv], { stdio: "inherit" });
  return new Promise((resolve) => {
    child.on("error", (error) => {
      console.error(error);
      process.exitCode = 3;
      resolve();
    });
    child.on("exit", (code, signal) => {
      if (signal) process.kill(process.pid, signal);
      process.exitCode = code ?? 3;
      resolve();
    });
  });
}

export function run(argv: string[]): Promise<void> {
  if (!semiSpaceSet()) return relaunch(argv);
  // Loaded only here: a Node that starts another need not hold the reader while it waits.
  const { main } = require("./reports/cli") as typeof import("./reports/cli");
  return runAsProcess(main, argv);
}

if (require.main === module) void run(process.argv.slice(2));
