/**
 * The two sources the offline plan and the stack audit read, turned into the resources the
 * engine would send the policy analyzer (tools/run-policies.ts `EngineResource`):
 * - a mocked preview of the program (tools/mock-run.ts), plus the default providers the engine
 *   itself would register, since the mock runtime registers none;
 * - a `pulumi stack export` file (deployment version 3), linked as the engine links its state.
 */
import { PROJECT } from "../../lib/config";
import { isSecretEnvelope, revealed, SECRET_SIG, SECRET_SIG_KEY, UNREADABLE, UNREADABLE_SECRET, withoutInternalKeys } from "../../lib/state";
import { Registration } from "../mock-run";
import { describesVersion, resourceSpec, shapeProblems } from "../provider-schema";
import { EngineResource } from "../run-policies";

/** A resource and whether it is managed by a provider (a custom resource) rather than a component. */
export interface StackResource extends EngineResource {
  custom: boolean;
}

export interface StackResources {
  stack: string;
  resources: StackResource[];
}

/** A file that is not a deployment a `pulumi stack export` writes; the message says what is wrong. */
export class NotAnExport extends Error {}

/** The type of a stack's root resource, which holds the stack's outputs. */
export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

const PROVIDER_TYPE_PREFIX = "pulumi:providers:";

export function isProviderType(type: string): boolean {
  return type.startsWith(PROVIDER_TYPE_PREFIX);
}

/** The last `::`-separated part of a URN: the resource's name. */
function nameOfUrn(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** `urn:pulumi:<stack>::<project>::…` → stack. */
export function stackOfUrn(urn: string): string | undefined {
  return /^urn:pulumi:([^:]+)::/.exec(urn)?.[1];
}

/** The provider package of a resource type: `aws:sesv2/…` → `aws`. */
function packageOf(type: string): string {
  return type.slice(0, type.indexOf(":"));
}

/** The plugin version the engine would load: that of the installed SDK package. */
function packageVersion(pkg: string): string {
  return (require(`@pulumi/${pkg}/package.json`) as { version: string }).version;
}

/**
 * The default provider the engine registers for `pkg` (`default_7_48_0`), with the stack's
 * `<pkg>:*` config as its inputs, exactly what policies read (an AWS provider's `region`).
 */
function defaultProvider(pkg: string, stack: string, config: Record<string, string>): StackResource {
  const version = packageVersion(pkg);
  const name = `default_${version.replace(/[.-]/g, "_")}`;
  const type = `${PROVIDER_TYPE_PREFIX}${pkg}`;
  const props: Record<string, unknown> = { version };
  for (const [key, value] of Object.entries(config)) {
    if (key.startsWith(`${pkg}:`)) props[key.slice(pkg.length + 1)] = value;
  }
  return { urn: `urn:pulumi:${stack}::${PROJECT}::${type}::${name}`, type, name, custom: true, props, dependencies: [], propertyDependencies: {} };
}

/**
 * A mocked preview's registrations as the engine would hand them to AnalyzeStack: each
 * resource's (preview) outputs as props, and every custom resource without an explicit provider
 * linked to its package's default provider, which joins the list.
 */
export function fromRegistrations(registrations: readonly Registration[], config: Record<string, string>, stack: string): StackResources {
  const providers = new Map<string, StackResource>();
  const byUrn = new Map(registrations.map((r) => [r.urn, r]));
  const resources: StackResource[] = registrations.map((r) => {
    const resource: StackResource = {
      urn: r.urn,
      type: r.type,
      name: r.name,
      custom: r.custom,
      props: r.outputs,
      parent: r.parent,
      dependencies: r.dependencies,
      propertyDependencies: r.propertyDependencies,
      protect: r.protect,
    };
    if (!r.custom || isProviderType(r.type)) return resource;
    // An explicit provider reference is `urn::id`; the URN is what links it.
    const explicit = r.provider ? byUrn.get(r.provider.slice(0, r.provider.lastIndexOf("::"))) : undefined;
    if (explicit) {
      resource.provider = { urn: explicit.urn, type: explicit.type, name: explicit.name, props: explicit.inputs };
    } else {
      const pkg = packageOf(r.type);
      let provider = providers.get(pkg);
      if (!provider) providers.set(pkg, (provider = defaultProvider(pkg, stack, config)));
      resource.provider = { urn: provider.urn, type: provider.type, name: provider.name, props: provider.props };
    }
    return resource;
  });
  return { stack, resources: [...providers.values(), ...resources] };
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * State secrets → the wire form the analyzer unwraps. Without `--show-secrets` an export holds
 * only ciphertext, which cannot be read here: it stands as UNREADABLE_SECRET (lib/state.ts).
 */
function stateValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stateValue);
  if (!isObject(value)) return value;
  if (isSecretEnvelope(value)) {
    const inner = revealed(value);
    return { [SECRET_SIG_KEY]: SECRET_SIG, value: inner === UNREADABLE ? UNREADABLE_SECRET : stateValue(inner) };
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stateValue(v)]));
}

/**
 * A resource's recorded properties as the engine sends them to the pack: without the `__` keys
 * (`__meta`, `__pulumi_raw_state_delta`, `__defaults`). A value of a shape the schema of its
 * provider's version does not allow is no state a provider wrote: it is refused, naming the
 * resource and the property.
 */
function recordedProps(r: Json & { urn: string; type: string }, props: Json, providerVersion: unknown, file: string): Json {
  const spec = describesVersion(r.type, providerVersion) ? resourceSpec(r.type) : undefined;
  const problems = spec ? shapeProblems(spec, props) : [];
  if (problems.length) throw new NotAnExport(`${file}: ${r.urn}: ${problems.join("; ")}: no provider writes that`);
  return stateValue(withoutInternalKeys(props)) as Json;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** Deployment versions a `pulumi stack export` writes whose resources have the version 3 shape. */
const DEPLOYMENT_VERSIONS = [3, 4];

/**
 * A parsed `pulumi stack export` → the stack's resources: props are the outputs (the inputs where
 * a resource has no outputs), parents, dependencies and property dependencies by URN, and each
 * provider reference (`urn::id`) resolved to that provider resource and its inputs.
 */
export function fromDeployment(doc: unknown, file: string): StackResources {
  const fail = (why: string): never => {
    throw new NotAnExport(`${file} is not a stack export (the JSON of \`pulumi stack export\`, deployment version 3): ${why}`);
  };
  if (!isObject(doc)) return fail("it is not a JSON object");
  if (!DEPLOYMENT_VERSIONS.includes(doc.version as number)) return fail(`"version" is ${JSON.stringify(doc.version)}, expected 3`);
  if (!isObject(doc.deployment)) return fail(`it has no "deployment" object`);
  const list = doc.deployment.resources ?? [];
  if (!Array.isArray(list)) return fail(`"deployment.resources" is not a list`);

  const states = list.map((r, i) => {
    if (!isObject(r) || typeof r.urn !== "string" || typeof r.type !== "string" || !stackOfUrn(r.urn)) {
      return fail(`deployment.resources[${i}] lacks a "urn" (urn:pulumi:<stack>::<project>::…) or a "type"`);
    }
    return r as Json & { urn: string; type: string };
  });
  const byUrn = new Map(states.map((r) => [r.urn, r]));
  // `delete: true` marks the old copy of a replaced resource, waiting to be deleted: not the stack's.
  const resources = states.filter((r) => r.delete !== true).map((r): StackResource => {
    const props = isObject(r.outputs) ? r.outputs : isObject(r.inputs) ? r.inputs : {};
    const providerState = typeof r.provider === "string" ? byUrn.get(r.provider.slice(0, r.provider.lastIndexOf("::"))) : undefined;
    const providerVersion = isObject(providerState?.inputs) ? providerState.inputs.version : undefined;
    const resource: StackResource = {
      urn: r.urn,
      type: r.type,
      name: nameOfUrn(r.urn),
      custom: r.custom === true,
      props: recordedProps(r, props, providerVersion, file),
      parent: typeof r.parent === "string" ? r.parent : undefined,
      dependencies: stringList(r.dependencies),
      propertyDependencies: Object.fromEntries(Object.entries(isObject(r.propertyDependencies) ? r.propertyDependencies : {}).map(([k, v]) => [k, stringList(v)])),
      protect: r.protect === true,
    };
    if (typeof r.provider === "string") {
      const urn = r.provider.slice(0, r.provider.lastIndexOf("::"));
      const provider = byUrn.get(urn) ?? fail(`the provider of ${r.urn}, ${r.provider}, is not in the export`);
      resource.provider = { urn, type: provider.type, name: nameOfUrn(urn), props: stateValue(withoutInternalKeys(isObject(provider.inputs) ? provider.inputs : {})) as Json };
    }
    return resource;
  });
  const stack = states.length ? stackOfUrn(states[0].urn)! : "(empty)";
  return { stack, resources };
}
