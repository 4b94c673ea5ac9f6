/** `reports`: read DMARC aggregate reports and advise on the rollout. See tools/reports/cli.ts. */
import { spawn } from "node:child_process";
import { runAsProcess } from "./command";

/**
 * The V8 flags `reports` runs with, which keep its peak memory flat as a run grows
 * (docs/reports.md, "Limits"): young-generation semi-spaces of 8 MiB, where Node 24 grows them to
 * 64 MiB; and an old generation collected when it reaches 1.5 times what was live after the last
 * collection, where V8 lets it reach up to 4 times. A run keeps little (tallies, and a line per
 * report), so V8's own choices made peak RSS follow the run's length: 1.4 to 1.6 times as high at
 * 10,000 reports as at 1,000. package.json's script passes them; a Node started without them (the
 * package's `ses-email-auth reports`) starts this file again with them.
 */
export const MEMORY_FLAGS = ["--max-semi-space-size=8", "--heap-growing-percent=50"];

/** A V8 flag without its value; V8 reads `_` in a name as `-`. */
const flagName = (flag: string) => flag.split("=")[0].replace(/_/g, "-");

/** The memory flags this Node was not started with, by the user (a flag, or NODE_OPTIONS where Node allows it) or by us. */
function missingFlags(): string[] {
  const given = new Set([...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].map(flagName));
  return MEMORY_FLAGS.filter((flag) => !given.has(flagName(flag)));
}

/** This command in a Node started with the flags; its exit status (or signal) becomes this process's. */
function relaunch(flags: string[], argv: string[]): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, ...flags, __filename, ...argv], { stdio: "inherit" });
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
  const missing = missingFlags();
  if (missing.length) return relaunch(missing, argv);
  // Loaded only here: a Node that starts another need not hold the reader while it waits.
  const { main } = require("./reports/cli") as typeof import("./reports/cli");
  return runAsProcess(main, argv);
}

if (require.main === module) void run(process.argv.slice(2));
