/**
 * Evaluates the policy pack locally, the way the Pulumi engine and the policy SDK's analyzer do
 * for `pulumi preview --policy-pack policy --policy-pack-config <file>`, without a CLI or gRPC:
 * - config as in a `--policy-pack-config` file: per-policy enforcement levels (or `all`), each
 *   policy's schema defaults merged under the given properties (the engine fills them, not the SDK),
 *   values checked against the schema;
 * - enforcement: the policy's config, else `all`, else the policy's own level, else the pack's;
 *   disabled policies do not run; remediate reports as mandatory;
 * - properties go through the SDK's own deserializer (secrets unwrapped) and its unknown-checking
 *   proxy: a policy that reads a value unknown during preview yields an advisory "can't run …
 *   during preview" finding instead of a pass or a failure;
 * - stack policies see every resource with parent, dependencies and property dependencies linked;
 *   resource policies see each resource on its own.
 * It never constructs a PolicyPack (that starts a server); it calls the policies of policy/pack.ts.
 */
import { EnforcementLevel, PolicyPackArgs, PolicyResource, ResourceValidationArgs } from "@pulumi/policy";
import { PolicyConfigJSONSchemaDefinition } from "@pulumi/policy/schema";
import { version } from "../policy/package.json";
import { PACK_NAME, packArgs } from "../policy/pack";
import { isUnreadableCause, UNKNOWN_STRING, unknownCheckingProxy, UnknownValueError } from "../policy/preview";

/** How an engine resource marks a value not known until apply (the wire sentinel of an unknown string). */
export const UNKNOWN = UNKNOWN_STRING;

/**
 * One resource as the engine sends it to the analyzer (AnalyzeStack): what a mocked program run
 * registers, or a resource of `pulumi stack export` (`outputs` as props, `provider` resolved from
 * its `urn::id` reference to that provider resource's inputs).
 */
export interface EngineResource {
  urn: string;
  /** e.g. `aws:sesv2/emailIdentity:EmailIdentity`. */
  type: string;
  name: string;
  /**
   * The resource's properties in wire form: outputs after apply; during preview the inputs with
   * computed values as UNKNOWN (or the SDK's other unknown sentinels); secrets may stay wrapped.
   */
  props: Record<string, unknown>;
  /** URN of the parent resource. */
  parent?: string;
  /** URNs this resource depends on. */
  dependencies?: string[];
  /** Input property name → URNs of the resources its value was computed from. */
  propertyDependencies?: Record<string, string[]>;
  /** The provider resource, with its inputs (e.g. an AWS provider's `region`). */
  provider?: { urn: string; type: string; name: string; props: Record<string, unknown> };
  protect?: boolean;
}

/** A `--policy-pack-config` file: policy name (or `all`) → enforcement level, or properties with an optional level. */
export type PolicyPackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

export interface Finding {
  policy: string;
  level: "mandatory" | "advisory";
  /** The resource the finding is about; undefined for the stack as a whole. */
  urn?: string;
  message: string;
}

class NotApplicable extends Error {}

// Internal to @pulumi/policy: the analyzer's own property deserializer; it only asks for `toJavaScript()`.
const { deserializeProperties } = require("@pulumi/policy/deserialize") as {
  deserializeProperties(struct: { toJavaScript(): Record<string, unknown> }, keepSecrets: boolean): Record<string, unknown>;
};

function analyzerProps(props: Record<string, unknown>): Record<string, any> {
  return unknownCheckingProxy(deserializeProperties({ toJavaScript: () => props }, false));
}

const NO_TIMEOUTS = Object.freeze({ createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 });
const NONE: string[] = [];

/** One resource as a policy sees it. A class, so a 20k-resource stack does not make 40k closures. */
class AnalyzedResource implements PolicyResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly props: Record<string, any>;
  readonly opts: PolicyResource["opts"];
  readonly provider?: PolicyResource["provider"];
  parent?: PolicyResource;
  dependencies: PolicyResource[] = [];
  propertyDependencies: Record<string, PolicyResource[]> = {};

  constructor(r: EngineResource) {
    this.urn = r.urn;
    this.type = r.type;
    this.name = r.name;
    this.props = analyzerProps(r.props);
    this.opts = { protect: r.protect ?? false, ignoreChanges: NONE, aliases: NONE, customTimeouts: NO_TIMEOUTS, additionalSecretOutputs: NONE, parent: r.parent };
    if (r.provider) this.provider = { ...r.provider, props: analyzerProps(r.provider.props) };
  }

  isType(resourceClass: unknown): boolean {
    // Generated resource classes carry their type token; that is what the SDK compares too.
    return (resourceClass as { __pulumiType?: string }).__pulumiType === this.type;
  }

  asType(resourceClass: unknown): any {
    return this.isType(resourceClass) ? this.props : undefined;
  }
}

/** The engine's view of the stack: one object per resource, references resolved by URN. */
export function policyResources(resources: readonly EngineResource[]): PolicyResource[] {
  const built = resources.map((r) => new AnalyzedResource(r));
  const byUrn = new Map<string, PolicyResource>(built.map((r) => [r.urn, r]));
  const resolve = (urns: readonly string[] = []) => urns.flatMap((u) => byUrn.get(u) ?? []);
  resources.forEach((r, i) => {
    const resource = built[i];
    resource.parent = r.parent ? byUrn.get(r.parent) : undefined;
    resource.dependencies = resolve(r.dependencies);
    for (const [prop, urns] of Object.entries(r.propertyDependencies ?? {})) resource.propertyDependencies[prop] = resolve(urns);
  });
  return built;
}

export interface ResolvedPolicyConfig {
  level: EnforcementLevel;
  properties: Record<string, unknown>;
}

/**
 * Each policy's enforcement level and properties, as the engine resolves a config file against
 * the pack before it calls Configure: the policy's entry, else `all`, else the policy's own level,
 * else the pack's; schema defaults under the given properties.
 */
function jsonType(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  if (Number.isInteger(value)) return "integer";
  return typeof value;
}

/**
 * The part of JSON Schema the pack's config schemas use (type, enum, minimum, maximum, items,
 * additionalProperties): a config the engine would refuse is refused here too, not misread.
 */
function schemaProblem(schema: PolicyConfigJSONSchemaDefinition | undefined, value: unknown, at: string): string | undefined {
  if (schema === undefined || typeof schema === "boolean") return undefined;
  const types = [schema.type ?? []].flat();
  const type = jsonType(value);
  if (types.length && !types.some((t) => t === type || (t === "number" && type === "integer"))) return `${at} must be ${types.join(" or ")}, not ${type}`;
  if (schema.enum && !schema.enum.includes(value as never)) return `${at} must be one of ${schema.enum.join(", ")}, not ${JSON.stringify(value)}`;
  if (typeof value === "number" && ((schema.minimum ?? value) > value || (schema.maximum ?? value) < value)) return `${at} must be from ${schema.minimum} to ${schema.maximum}`;
  const children: [string, unknown, PolicyConfigJSONSchemaDefinition | undefined][] = Array.isArray(value)
    ? value.map((v, i) => [`${at}[${i}]`, v, Array.isArray(schema.items) ? undefined : schema.items])
    : type === "object"
      ? Object.entries(value as object).map(([k, v]) => [`${at}.${k}`, v, schema.properties?.[k] ?? schema.additionalProperties])
      : [];
  return children.map(([path, v, s]) => schemaProblem(s, v, path)).find((p) => p);
}

export function resolvePolicyConfig(config: PolicyPackConfig, pack: PolicyPackArgs = packArgs): Map<string, ResolvedPolicyConfig> {
  const names = new Set(pack.policies.map((p) => p.name));
  for (const key of Object.keys(config)) {
    if (key !== "all" && !names.has(key)) throw new Error(`policy config names "${key}", which is no policy of the pack`);
  }
  const all = typeof config.all === "string" ? config.all : config.all?.enforcementLevel;
  return new Map(
    pack.policies.map((policy) => {
      const entry = config[policy.name];
      const { enforcementLevel, ...given } = typeof entry === "string" ? { enforcementLevel: entry } : (entry ?? {});
      const defaults = Object.entries(policy.configSchema?.properties ?? {}).flatMap(([k, s]) => (s.default === undefined ? [] : [[k, s.default]]));
      const problem = schemaProblem({ type: "object", properties: policy.configSchema?.properties ?? {} }, given, policy.name);
      if (problem) throw new Error(`policy config: ${problem}`);
      const level = enforcementLevel ?? all ?? policy.enforcementLevel ?? pack.enforcementLevel ?? "advisory";
      return [policy.name, { level, properties: { ...Object.fromEntries(defaults), ...given } }];
    }),
  );
}

/**
 * Every finding of the pack on `resources` with `config`, in policy order. A policy that throws
 * anything but the SDK's unknown-value or not-applicable errors makes this reject, as it would
 * fail `pulumi preview`.
 */
export async function runPolicies(resources: readonly EngineResource[], config: PolicyPackConfig = {}, pack: PolicyPackArgs = packArgs): Promise<Finding[]> {
  const configs = resolvePolicyConfig(config, pack);
  const stack = policyResources(resources);
  const stackTags: ReadonlyMap<string, string> = new Map();
  const notApplicable = (reason?: string): never => {
    throw new NotApplicable(reason);
  };
  const findings: Finding[] = [];

  for (const policy of pack.policies) {
    const { level, properties } = configs.get(policy.name)!;
    if (level === "disabled") continue;
    const reported = level === "advisory" ? "advisory" : "mandatory";
    const getConfig = <T extends object>() => properties as T;
    const guarded = async (urn: string | undefined, run: (report: (message: string, urn?: string) => void) => Promise<void> | void) => {
      try {
        await run((message, at) => findings.push({ policy: policy.name, level: reported, urn: urn ?? at, message }));
      } catch (error) {
        // Secrets this tool cannot read (an export without --show-secrets) leave checks undecided as preview does; the engine itself reads them.
        if (isUnreadableCause(error)) findings.push({ policy: policy.name, level: "advisory", urn, message: `can't decide policy '${policy.name}' on this state: ${(error as Error).message}` });
        else if (error instanceof UnknownValueError) findings.push({ policy: policy.name, level: "advisory", urn, message: `can't run policy '${policy.name}' from policy pack '${PACK_NAME}@v${version}' during preview: ${error.message}` });
        else if (!(error instanceof NotApplicable)) throw new Error(`policy '${policy.name}' failed: ${(error as Error).message}`, { cause: error });
      }
    };
    if ("validateStack" in policy) {
      await guarded(undefined, (report) => policy.validateStack({ resources: stack, stackTags, getConfig, notApplicable }, report));
      continue;
    }
    const validations = [policy.validateResource ?? []].flat();
    for (const r of stack) {
      const { urn, type, name, props, opts, provider } = r;
      const args: ResourceValidationArgs = { urn, type, name, props, opts, provider, isType: (cls) => r.isType(cls), asType: (cls) => (r.isType(cls) ? (props as any) : undefined), stackTags, getConfig, notApplicable };
      for (const validate of validations) await guarded(r.urn, (report) => validate(args, report));
    }
  }
  return findings;
}
