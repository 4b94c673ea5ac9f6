/**
 * Reading what a provider recorded: the one place that knows how the AWS and Cloudflare providers
 * write what they were not given, what a secret looks like when it cannot be read, and each
 * resource's quirks. The policy facts (policy/facts.ts) read every resource through here, and so
 * do `audit` and `verify --state`, which read exports through those facts.
 *
 * The rules are the providers' (tools/provider-schemas/STATE.md, with the upstream sources):
 * - SDKv2 resources (every AWS resource here but two) write `""`, `0`, `false`, `[]` or `{}` for
 *   what is unset, and sometimes `null`; Plugin Framework ones (all of Cloudflare) leave it out.
 *   Each of these means "unset", never a value: an Easy DKIM identity records
 *   `domainSigningSelector: ""`, which is no selector at all.
 * - A secret that cannot be read (an export's `{<sig>: …, ciphertext}`, the plan's `[secret]`) is
 *   present but unreadable: UNREADABLE, never its envelope or a placeholder string.
 * - Keys starting with `__` (`__meta`, `__pulumi_raw_state_delta`, `__defaults`) are the engine's
 *   and the bridge's bookkeeping, not properties.
 * Pure: no @pulumi imports, no I/O.
 */
import { absoluteName, normalizeName } from "./names";
import { parseMx } from "./records";
import { isSesRegion } from "./regions";
import { readTxt } from "./txt";

/** The signature key that marks a secret, in the engine's wire form and in `pulumi stack export`. */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** How a secret that cannot be decrypted here travels as a plain string (offline config, exports without --show-secrets). */
export const UNREADABLE_SECRET = "[secret]";

/** A recorded value that is a secret this tool cannot read: present, but not a value. */
export const UNREADABLE: unique symbol = Symbol("unreadable secret");
export type Unreadable = typeof UNREADABLE;

/** A recorded attribute: its value, undefined when unset, or UNREADABLE. */
export type Recorded<T> = T | undefined | Unreadable;

/** A value the state holds in a shape no provider writes (a number where the schema says string, say). */
export class StateValueError extends Error {
  constructor(
    readonly urn: string,
    readonly property: string,
    expected: string,
    got: unknown,
  ) {
    super(`${urn}: ${property} is ${describe(got)}, but the provider writes ${expected} there`);
    this.name = "StateValueError";
  }
}

/** Where an attribute is read from, for StateValueError. */
export interface At {
  urn: string;
  property: string;
}

function describe(value: unknown): string {
  if (value === undefined) return "unset";
  if (Array.isArray(value)) return `a list (${JSON.stringify(value).slice(0, 60)})`;
  if (value === null) return "null";
  if (typeof value === "object") return `an object (${JSON.stringify(value).slice(0, 60)})`;
  return `${typeof value === "string" ? "the string" : `a ${typeof value}`} ${JSON.stringify(value)}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A secret in wire form (`{<sig>, value}`) or as `pulumi stack export` writes it (`{<sig>, ciphertext | plaintext}`). */
export function isSecretEnvelope(value: unknown): value is Record<string, unknown> {
  return isObject(value) && value[SECRET_SIG_KEY] === SECRET_SIG;
}

/** The engine's and the bridge's bookkeeping keys: `__meta`, `__pulumi_raw_state_delta`, `__defaults`. */
export function isInternalKey(key: string): boolean {
  return key.startsWith("__");
}

/** A property bag without its `__` keys. */
export function withoutInternalKeys(props: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(props).filter(([key]) => !isInternalKey(key)));
}

/**
 * The value inside any secret wrapping, or UNREADABLE: an export's ciphertext, a plaintext
 * export's JSON text (`--show-secrets`), the wire form's value, and the plain `[secret]`.
 */
export function revealed(value: unknown): unknown {
  if (value === UNREADABLE_SECRET || value === UNREADABLE) return UNREADABLE;
  if (!isSecretEnvelope(value)) return value;
  if ("value" in value) return revealed(value.value);
  if (typeof value.plaintext === "string") {
    try {
      return revealed(JSON.parse(value.plaintext));
    } catch {
      return UNREADABLE;
    }
  }
  return UNREADABLE;
}

/** A string attribute: undefined when unset (`""`, null, absent), UNREADABLE when a secret. */
export function recordedString(value: unknown, at: At): Recorded<string> {
  const v = revealed(value);
  if (v === UNREADABLE) return UNREADABLE;
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string") throw new StateValueError(at.urn, at.property, "a string", v);
  return v;
}

/**
 * A list of strings: undefined when unset (`[]`, null, absent), UNREADABLE when it or an item is
 * a secret. Empty items are unset entries, not values, and are dropped.
 */
export function recordedStrings(value: unknown, at: At): Recorded<string[]> {
  const v = revealed(value);
  if (v === UNREADABLE) return UNREADABLE;
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new StateValueError(at.urn, at.property, "a list of strings", v);
  const items: string[] = [];
  for (const [i, item] of v.entries()) {
    const text = recordedString(item, { urn: at.urn, property: `${at.property}[${i}]` });
    if (text === UNREADABLE) return UNREADABLE;
    if (text !== undefined) items.push(text);
  }
  return items.length ? items : undefined;
}

/** A boolean as recorded (false is a value); undefined when absent or null. */
export function recordedBoolean(value: unknown, at: At): Recorded<boolean> {
  const v = revealed(value);
  if (v === UNREADABLE) return UNREADABLE;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw new StateValueError(at.urn, at.property, "true or false", v);
  return v;
}

/** A number as recorded; undefined when absent or null. Whether 0 means unset depends on the attribute. */
export function recordedNumber(value: unknown, at: At): Recorded<number> {
  const v = revealed(value);
  if (v === UNREADABLE) return UNREADABLE;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v)) throw new StateValueError(at.urn, at.property, "a number", v);
  return v;
}

/** An object attribute (a flattened block or a map); undefined when unset (`{}`, null, absent). */
export function recordedObject(value: unknown, at: At): Recorded<Record<string, unknown>> {
  const v = revealed(value);
  if (v === UNREADABLE) return UNREADABLE;
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new StateValueError(at.urn, at.property, "an object", v);
  return Object.keys(v).length ? v : undefined;
}

// --- SES identities -------------------------------------------------------------------------

/**
 * How an SES identity signs, as SES reports it in `signingAttributesOrigin`:
 * - `easy`: Easy DKIM (`AWS_SES`), 3 tokens per identity and region;
 * - `byodkim`: the stack's own key (`EXTERNAL`) at `<selector>._domainkey.<domain>`;
 * - `replica`: Deterministic Easy DKIM (`AWS_SES_<REGION>`), signing with the keys of the parent
 *   identity in `parentRegion`: its tokens are the parent's, and so are its 3 CNAMEs, which point
 *   at the parent region's DKIM host. One set of records serves the parent and every replica;
 * - `unrecognised`: an origin SES has added since this was written.
 * Where state has no origin (a preview, a stack recorded before the provider wrote it), the
 * selector decides: one the program set is BYODKIM, none is Easy DKIM. An empty selector is none:
 * the provider's Read copies it from config, so every Easy DKIM identity records `""`.
 */
export type DkimOrigin = { kind: "easy" } | { kind: "byodkim" } | { kind: "replica"; parentRegion: string } | { kind: "unrecognised"; origin: string };

const EASY_DKIM_ORIGIN = "AWS_SES";
const BYODKIM_ORIGIN = "EXTERNAL";

export function dkimOrigin(origin: string): DkimOrigin {
  if (origin === EASY_DKIM_ORIGIN) return { kind: "easy" };
  if (origin === BYODKIM_ORIGIN) return { kind: "byodkim" };
  const match = /^AWS_SES_([A-Z0-9_]+)$/.exec(origin);
  const region = match?.[1].toLowerCase().replace(/_/g, "-");
  return region && isSesRegion(region) ? { kind: "replica", parentRegion: region } : { kind: "unrecognised", origin };
}

/** The origin SES reports for a replica of the identity in `region`: `eu-west-1` → `AWS_SES_EU_WEST_1`. */
export function replicaOrigin(region: string): string {
  return `AWS_SES_${region.toUpperCase().replace(/-/g, "_")}`;
}

/**
 * A BYODKIM identity's selector: the one the program set, else the one SES reports as its only
 * "token" (the API's `Tokens` hold the selector for BYODKIM). An imported identity needs the
 * second: the provider's Read copies `domainSigningSelector` from config, which import leaves empty.
 */
export function byodkimSelector(selector: string | undefined, tokens: string[] | undefined): string | undefined {
  return selector ?? tokens?.[0];
}

// --- DNS records ------------------------------------------------------------------------------

/** A record's name made absolute (Route 53 keeps the configured name, Cloudflare the FQDN after a refresh). */
export function recordedName(value: unknown, zone: string | undefined, at: At): string | Unreadable {
  const name = recordedString(value, at);
  if (name === UNREADABLE) return UNREADABLE;
  if (name === undefined) throw new StateValueError(at.urn, at.property, "the record's name", value);
  return absoluteName(name, zone);
}

/**
 * The character-strings of a Route 53 TXT value, joined as a resolver returns them. The provider
 * takes `first""rest` from config (and quoted strings as given), and its Read stores what Route 53
 * returns without the outer quotes, so a split value comes back as `first" "rest`.
 */
export function route53TxtStrings(value: string): string[] {
  const text = value.trim();
  if (text.startsWith('"') && text.endsWith('"') && text.length > 1) {
    const inner = text.slice(1, -1);
    // Quoted whole (`"a" "b"`), or one quoted string: the provider's own escape-free split marks.
    if (!/"\s*"/.test(inner)) return [inner];
    return inner.split(/"\s*"/);
  }
  return text.split(/"\s*"/);
}

/** What a resolver answers for a Route 53 record's `records` entry. */
function route53Value(type: string, value: string): string {
  if (type === "TXT" || type === "SPF") return route53TxtStrings(value).join("");
  return normalizedValue(type, value);
}

/** A CNAME target or MX as compared everywhere: lower case, no trailing dot, MX as `priority host`. */
function normalizedValue(type: string, value: string): string {
  if (type === "MX") {
    const mx = parseMx(value);
    return mx ? `${mx.priority} ${mx.exchange}` : value.trim();
  }
  if (type === "TXT") return readTxt(value);
  return normalizeName(value);
}

/** The values of a Route 53 record as a resolver answers them; undefined when it holds none. */
export function route53RecordValues(type: string, records: unknown, at: At): Recorded<string[]> {
  const values = recordedStrings(records, at);
  if (values === UNREADABLE || values === undefined) return values;
  return values.map((v) => route53Value(type, v));
}

/**
 * The value of a Cloudflare record as a resolver answers it. `content` (v6; `value` in the v5
 * Record) is quoted for TXT; an MX takes its `priority` (read by recordedNumber) separately, and
 * Cloudflare refuses an MX without one, so a record lacking it is a shape no provider writes.
 */
export function cloudflareRecordValues(type: string, content: unknown, priority: number | undefined, at: At): Recorded<string[]> {
  const text = recordedString(content, at);
  if (text === UNREADABLE || text === undefined) return text;
  if (type !== "MX") return [normalizedValue(type, text)];
  if (priority === undefined) throw new StateValueError(at.urn, "priority", "the MX preference (a number)", priority);
  return [normalizedValue("MX", `${priority} ${text}`)];
}
