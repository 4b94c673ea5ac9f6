/**
 * Values the engine cannot know during `pulumi preview` (DKIM tokens, a new zone's id, anything
 * built from them). The policy SDK wraps resource properties in a proxy that throws
 * `UnknownValueError` when one is read, and the engine reports that error as an advisory
 * "can't run policy … during preview". The pack reads every property through `read`, decides
 * what it can, and raises one such error for the rest, naming what waits for apply.
 */
import { ReportViolation } from "@pulumi/policy";

interface UnknownValueErrorType extends Error {
  unknownTypeSentinel: string;
  props: string[];
  /** Set on the errors of unreadable secrets (ours, not the SDK's). */
  unreadable?: boolean;
}

interface ProxyModule {
  UnknownValueError: new (sentinel: string, path: string[]) => UnknownValueErrorType;
  unknownCheckingProxy<T extends object>(props: T): T;
  unknownStringValue: string;
}
// Internal to @pulumi/policy (not in its typings), but it is the engine's own behaviour, and a
// local runner must reproduce it with the same class the policies catch.
const proxy: ProxyModule = require("@pulumi/policy/proxy");

export const { UnknownValueError, unknownCheckingProxy } = proxy;
/** How an unknown string travels from the engine to a policy. */
export const UNKNOWN_STRING = proxy.unknownStringValue;

/**
 * A property that is known only after apply, or that the state holds as a secret this tool
 * cannot read (lib/state.ts); keeps the SDK's error to raise later. Either way, what depends on
 * it is neither passed nor failed.
 */
export class Unknown {
  constructor(readonly cause: UnknownValueErrorType) {}

  get unreadable(): boolean {
    return this.cause.unreadable === true;
  }

  /** For messages: "<what> is/are <why>". */
  get why(): string {
    return this.unreadable ? "unreadable here (a secret: export with --show-secrets)" : "known only after apply";
  }
}

/** Marks a secret-wrapped value at `path`: reading it raises what an unknown raises, with its own message. */
export function unreadableAt(path: string): Unknown {
  const error = new UnknownValueError(UNKNOWN_STRING, path.split("."));
  error.message = `value at .${path} is a secret that cannot be read here`;
  error.unreadable = true;
  return new Unknown(error);
}

/** Whether the SDK error of an undecided check came from an unreadable secret rather than from preview. */
export function isUnreadableCause(error: unknown): boolean {
  return error instanceof UnknownValueError && error.unreadable === true;
}

export type Maybe<T> = T | Unknown;

export function isUnknown(value: unknown): value is Unknown {
  return value instanceof Unknown;
}

/** `get()`, or Unknown when it reads a value the engine does not know yet. */
export function read<T>(get: () => T): Maybe<T> {
  try {
    return get();
  } catch (error) {
    if (error instanceof UnknownValueError) return new Unknown(error);
    throw error;
  }
}

/**
 * One policy run's outcome: violations are reported at once; checks that wait for apply are
 * gathered and raised together at the end, as the SDK's own error, so the engine shows them as
 * the advisory "can't run … during preview" instead of a pass or a failure.
 */
export class Findings {
  private readonly undecided: string[] = [];
  private cause?: UnknownValueErrorType;
  private unreadable = true;

  constructor(private readonly report: ReportViolation) {}

  fail(message: string, urn?: string): void {
    this.report(message, urn);
  }

  undecide(message: string, unknown: Unknown): void {
    this.undecided.push(message);
    this.cause ??= unknown.cause;
    this.unreadable &&= unknown.unreadable;
  }

  /** Call last: throws when something could not be decided. */
  finish(): void {
    if (!this.cause) return;
    // A new error of the same class: facts (and their errors) may be shared by several policies.
    const error = new UnknownValueError(this.cause.unknownTypeSentinel, this.cause.props);
    error.message = `${this.undecided.join("; ")} (${this.cause.message})`;
    // Only the runner of exports meets secrets it cannot read; it words those findings its own way.
    if (this.unreadable) error.unreadable = true;
    throw error;
  }
}
