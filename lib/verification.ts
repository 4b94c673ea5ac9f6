/**
 * Waiting for verification: `pulumi up` polls SES, per domain and region, until SES has verified
 * the identity by its DKIM records, for at most a timeout (docs/configuration.md#waiting-for-verification).
 */
import { bool, Checker, describe, object } from "./check";

export interface VerificationSpec {
  /** How long `pulumi up` waits for each region's verification, in minutes. */
  timeoutMinutes: number;
}

export const VERIFICATION_KEYS = ["wait", "timeoutMinutes"] as const;

/** aws.ses.DomainIdentityVerification's own create timeout (45 minutes), kept as the default. */
export const DEFAULT_VERIFICATION_TIMEOUT_MINUTES = 45;
/** SES stops looking for a domain's records after 72 hours and reports FAILED: a longer wait cannot succeed. */
export const MAX_VERIFICATION_TIMEOUT_MINUTES = 72 * 60;

function isTimeout(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 && value <= MAX_VERIFICATION_TIMEOUT_MINUTES;
}

const TIMEOUT_RULE = `a positive number of minutes, at most ${MAX_VERIFICATION_TIMEOUT_MINUTES} (SES gives up on a domain's records after 72 hours)`;

/** The component's `verification` argument (VerificationArgs) → the wait, or undefined for none. */
export function checkVerification(c: Checker, value: unknown): VerificationSpec | undefined {
  if (value === undefined) return undefined;
  const v = object(c, "verification", value, VERIFICATION_KEYS);
  if (!v) return undefined;
  const wait = bool(c, "verification.wait", v.wait, false);
  if (v.timeoutMinutes !== undefined && !isTimeout(v.timeoutMinutes)) {
    c.fail("verification.timeoutMinutes", `must be ${TIMEOUT_RULE}; got ${describe(v.timeoutMinutes)}`);
    return undefined;
  }
  if (!wait) {
    if (v.timeoutMinutes !== undefined) c.fail("verification.timeoutMinutes", `has no effect while ${c.key("verification.wait")} is false; remove it or set wait: true`);
    return undefined;
  }
  return { timeoutMinutes: v.timeoutMinutes ?? DEFAULT_VERIFICATION_TIMEOUT_MINUTES };
}

/**
 * The stack config's `waitForVerification` (true, false, or a timeout in minutes) → the component's
 * `verification` argument; undefined leaves the choice to the caller (a domain inherits the stack's).
 */
export function verificationArgs(c: Checker, key: string, value: unknown): { wait: boolean; timeoutMinutes?: number } | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "boolean") return { wait: value };
  if (isTimeout(value)) return { wait: true, timeoutMinutes: value };
  c.fail(key, `must be true (wait up to ${DEFAULT_VERIFICATION_TIMEOUT_MINUTES} minutes), false, or ${TIMEOUT_RULE}, e.g. 30; got ${describe(value)}`);
  return undefined;
}
