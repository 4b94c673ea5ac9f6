/**
 * What every command (plan, audit, verify, adopt, reports) shares: the error of a bad invocation,
 * which errors are the user's to fix (exit 2, a message and no stack trace), and running a
 * command's `main` as the process, where anything else it throws is the tool's own failure (exit 3).
 */
import { once } from "node:events";
import { ConfigError } from "../lib/config";
import { StateValueError } from "../lib/state";
import { StackFileError } from "./stack-config";

/** A bad flag, or a file named on the command line that cannot be used: exit 2. */
export class UsageError extends Error {
  /** Whether the usage text helps: not when the flags were right but what they name cannot be read. */
  constructor(
    message: string,
    readonly showUsage = true,
  ) {
    super(message);
  }
}

/** The invocation, the stack config, a stack file or a state value is wrong: the user's to fix, exit 2. */
export function isUserError(error: unknown): error is Error {
  const e = error as { code?: unknown; cause?: unknown } | undefined;
  // A state no provider writes surfaces from inside whatever read it.
  const stateValue = error instanceof StateValueError || e?.cause instanceof StateValueError;
  const parseArgs = typeof e?.code === "string" && e.code.startsWith("ERR_PARSE_ARGS");
  return error instanceof UsageError || error instanceof ConfigError || error instanceof StackFileError || stateValue || parseArgs;
}

/** What a command's `main` needs of the process; tests pass their own. */
export interface ProcessIo {
  out(text: string): void;
  err(text: string): void;
  /** Resolves once what `out` was given has been taken by whatever reads it (the pipe's backpressure). */
  drained(): Promise<void>;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Runs a command's `main` as this process: its exit status, or 3 with the error when the tool itself failed. */
export async function runAsProcess(main: (argv: string[], io: ProcessIo) => Promise<number>, argv: string[]): Promise<void> {
  try {
    const io: ProcessIo = {
      out: (t) => process.stdout.write(t),
      err: (t) => process.stderr.write(t),
      drained: async () => {
        if (process.stdout.writableNeedDrain) await once(process.stdout, "drain");
      },
      cwd: process.cwd(),
      env: process.env,
    };
    process.exitCode = await main(argv, io);
  } catch (error) {
    console.error(error);
    process.exitCode = 3;
  }
}
