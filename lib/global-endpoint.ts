/**
 * A global endpoint (SESv2 multi-region endpoint): SES splits the mail an application sends
 * through it between two regions and shifts it away from an impaired one. The rules SES sets for
 * one (the endpoint name, the region pair) and the ones this project adds (both regions among the
 * stack's, every domain verified in both): see docs/global-endpoints.md.
 */
import { Checker, describe, object } from "./check";
import { region } from "./args";
import { GLOBAL_ENDPOINT_REGIONS, isGlobalEndpointRegion } from "./regions";

export interface GlobalEndpointSpec {
  /** The endpoint's name (`EndpointName`), unique per account in the primary region. */
  name: string;
  /** Where the endpoint is created and managed; half the mail is sent from here. */
  primary: string;
  /** The other half is sent from here. */
  secondary: string;
}

/** The keys of the endpoint's arguments (SesGlobalEndpointArgs) and of the stack config's `globalEndpoint`. */
export const GLOBAL_ENDPOINT_KEYS = ["name", "primary", "secondary"] as const;

/** SES's `EndpointName`: CreateMultiRegionEndpoint's pattern and length (SESv2 API Reference). */
export const ENDPOINT_NAME_PATTERN = /^[\w\-_]+$/;
export const ENDPOINT_NAME_MAX_LENGTH = 64;

function endpointName(c: Checker, value: unknown): string | undefined {
  if (typeof value === "string" && value.length >= 1 && value.length <= ENDPOINT_NAME_MAX_LENGTH && ENDPOINT_NAME_PATTERN.test(value)) return value;
  return c.fail(
    "name",
    `must be SES's endpoint name: 1 to ${ENDPOINT_NAME_MAX_LENGTH} letters, digits, "_" or "-" (${ENDPOINT_NAME_PATTERN.source}), e.g. "example-global"; got ${describe(value)}${typeof value === "string" && value.length > ENDPOINT_NAME_MAX_LENGTH ? ` (${value.length} characters)` : ""}`,
  );
}

function endpointRegion(c: Checker, path: "primary" | "secondary", value: unknown): string | undefined {
  if (value === undefined) return c.fail(path, `is required: the ${path} SES region of the global endpoint, e.g. ${path === "primary" ? "us-east-1" : "us-west-2"}`);
  const r = region(c, path, value);
  if (r === undefined) return undefined;
  if (!isGlobalEndpointRegion(r)) return c.fail(path, `SES global endpoints do not support ${r}; use one of ${GLOBAL_ENDPOINT_REGIONS.join(", ")}`);
  return r;
}

/** Checks a global endpoint's arguments: its name as SES takes it and a pair of two different supported regions. */
export function checkGlobalEndpoint(c: Checker, value: unknown): GlobalEndpointSpec | undefined {
  const e = object(c, "", value, GLOBAL_ENDPOINT_KEYS);
  if (!e) return undefined;
  const name = endpointName(c, e.name);
  const primary = endpointRegion(c, "primary", e.primary);
  const secondary = endpointRegion(c, "secondary", e.secondary);
  if (primary !== undefined && primary === secondary) {
    return c.fail("secondary", `is ${primary}, the primary region too: a global endpoint splits mail between two different regions`);
  }
  return name && primary && secondary ? { name, primary, secondary } : undefined;
}

/** The endpoint's regions a domain whose identities are in `domainRegions` lacks (none: it can send through the endpoint). */
export function missingEndpointRegions(endpoint: GlobalEndpointSpec, domainRegions: readonly string[]): string[] {
  return [endpoint.primary, endpoint.secondary].filter((r) => !domainRegions.includes(r));
}
