/**
 * Checking values a person wrote (stack config, component arguments): each check reports a problem
 * at a path and returns the value it accepts, so one run reports every problem at once. A caller
 * whose keys are spelled differently (the stack config) maps each path through `at`.
 */

export interface Problem {
  /** Where the value is, as the caller spells it: `mailFrom.subdomain`, `ses-email-auth:domains[0].ttl`. */
  key: string;
  /** What is wrong and what would be valid. */
  message: string;
}

/** Where a path is reported; undefined: the caller reports that value itself, drop the problem. */
export type KeyOf = (path: string) => string | undefined;

export class Checker {
  constructor(
    readonly problems: Problem[] = [],
    private readonly at: KeyOf = (path) => path,
  ) {}

  /** The key a path is reported under; messages naming another value use it too. */
  key(path: string): string {
    return this.at(path) ?? path;
  }

  fail(path: string, message: string): undefined {
    const key = this.at(path);
    // A shared value is checked once per object that inherits it; report it once.
    if (key !== undefined && !this.problems.some((p) => p.key === key && p.message === message)) this.problems.push({ key, message });
    return undefined;
  }

  /** A checker reporting into the same list, its paths mapped by `at` before this one's. */
  mapped(at: KeyOf): Checker {
    return new Checker(this.problems, (path) => {
      const mapped = at(path);
      return mapped === undefined ? undefined : this.at(mapped);
    });
  }
}

export type Obj = Record<string, unknown>;

export function isObject(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An output of another resource or a promise: its value is known only once the deployment runs. */
export function isDeferred(value: unknown): boolean {
  const v = value as { then?: unknown; apply?: unknown } | null | undefined;
  return typeof v === "object" && v !== null && (typeof v.then === "function" || typeof v.apply === "function");
}

export function describe(value: unknown): string {
  if (isDeferred(value)) return "a value known only when the deployment runs (an output of another resource)";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** `prefix.path`, or `prefix[0]` for an index; the arguments object itself is the empty path. */
export function joinPath(prefix: string, path: string): string {
  if (!path) return prefix;
  if (!prefix) return path;
  return path.startsWith("[") ? `${prefix}${path}` : `${prefix}.${path}`;
}

export function object(c: Checker, key: string, value: unknown, allowed: readonly string[]): Obj | undefined {
  if (!isObject(value) || isDeferred(value)) return c.fail(key, `must be an object with keys ${allowed.join(", ")}; got ${describe(value)}`);
  for (const k of Object.keys(value)) {
    if (!allowed.includes(k)) c.fail(joinPath(key, k), `unknown key; allowed: ${allowed.join(", ")}`);
  }
  return value;
}

/** The object's allowed keys only: what a caller passes on after reporting the others. */
export function pick(value: Obj, allowed: readonly string[]): Obj {
  return Object.fromEntries(Object.entries(value).filter(([k]) => allowed.includes(k)));
}

export function oneOf<T extends string>(c: Checker, key: string, value: unknown, allowed: readonly T[], fallback?: T): T | undefined {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  return c.fail(key, `must be one of ${allowed.join(" | ")}; got ${describe(value)}`);
}

export function bool(c: Checker, key: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === "boolean") return value;
  c.fail(key, `must be true or false; got ${describe(value)}`);
  return fallback;
}

export function integer(c: Checker, key: string, value: unknown, min: number, max: number): number | undefined {
  if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) return value;
  return c.fail(key, `must be an integer from ${min} to ${max}; got ${describe(value)}`);
}

export function list(c: Checker, key: string, value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  return c.fail(key, `must be a list; got ${describe(value)}`);
}
