/**
 * The providers' own schemas (tools/provider-schemas/: @pulumi/aws 7.48.0, @pulumi/cloudflare
 * 6.22.1, every type the program, the pack and the tools touch), read for three uses: the mock
 * outputs are generated from them (tools/provider-mocks.ts), exports are checked against them
 * (a value of a shape no provider writes), and the tests sweep every optional output through the
 * zero values its type allows.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isSecretEnvelope, isInternalKey, revealed, UNREADABLE } from "../lib/state";

export type Implementation = "sdkv2" | "plugin-framework";

/** One property as the schema declares it. */
export interface PropertySpec {
  type?: "string" | "integer" | "number" | "boolean" | "array" | "object";
  items?: PropertySpec;
  additionalProperties?: PropertySpec;
  $ref?: string;
  secret?: boolean;
  default?: unknown;
}

/** An object: a resource's outputs, a function's outputs, or a nested block. */
export interface ObjectSpec {
  properties: Record<string, PropertySpec>;
  /** Always present in outputs (the provider computes them when not given), though possibly null. */
  requiredOutputs: readonly string[];
  /** Required from the program. */
  requiredInputs: readonly string[];
}

export interface ResourceSpec extends ObjectSpec {
  token: string;
  implementation: Implementation;
  inputProperties: readonly string[];
}

interface RawObject {
  properties?: Record<string, PropertySpec>;
  required?: string[];
  requiredInputs?: string[];
  inputProperties?: Record<string, PropertySpec>;
  language?: { nodejs?: { requiredOutputs?: string[] } };
  "x-tf"?: { implementation: Implementation };
  outputs?: RawObject;
}

interface RawSchema {
  version: string;
  resources: Record<string, RawObject>;
  functions: Record<string, RawObject>;
  types: Record<string, RawObject & { type?: string; enum?: unknown[] }>;
}

const SCHEMA_DIR = join(__dirname, "provider-schemas");
const schemas: Record<string, RawSchema> = {};

function schemaOf(token: string): RawSchema | undefined {
  const pkg = token.slice(0, token.indexOf(":"));
  if (pkg !== "aws" && pkg !== "cloudflare") return undefined;
  return (schemas[pkg] ??= JSON.parse(readFileSync(join(SCHEMA_DIR, `${pkg}.json`), "utf8")) as RawSchema);
}

/**
 * Whether state written by the provider at `version` is the schema's to judge: the same major
 * version. Older majors wrote other shapes (cloudflare 5.x recorded a zone's `plan` as a string,
 * 6.x as an object); an unknown version is not judged either.
 */
export function describesVersion(token: string, version: unknown): boolean {
  const schema = schemaOf(token);
  return schema !== undefined && typeof version === "string" && version.split(".")[0] === schema.version.split(".")[0];
}

const resources = new Map<string, ResourceSpec | undefined>();

/** The schema of a resource type, or undefined when it is none of the providers' here. */
export function resourceSpec(token: string): ResourceSpec | undefined {
  if (!resources.has(token)) {
    const raw = schemaOf(token)?.resources[token];
    resources.set(
      token,
      raw && {
        token,
        implementation: raw["x-tf"]!.implementation,
        properties: raw.properties ?? {},
        requiredOutputs: raw.required ?? [],
        requiredInputs: raw.requiredInputs ?? [],
        inputProperties: Object.keys(raw.inputProperties ?? {}),
      },
    );
  }
  return resources.get(token);
}

/** A data source's outputs (`aws:route53/getZone:getZone`). */
export function functionOutputs(token: string): ObjectSpec | undefined {
  const raw = schemaOf(token)?.functions[token]?.outputs;
  return raw && { properties: raw.properties ?? {}, requiredOutputs: raw.required ?? [], requiredInputs: [] };
}

/** The object type a `$ref` property names, or undefined for `pulumi.json#/Any` and enums. */
export function objectSpec(prop: PropertySpec): ObjectSpec | undefined {
  const ref = prop.$ref;
  if (!ref?.startsWith("#/types/")) return undefined;
  const token = ref.slice("#/types/".length);
  const raw = schemaOf(token)?.types[token];
  if (!raw?.properties) return undefined;
  return { properties: raw.properties, requiredOutputs: raw.language?.nodejs?.requiredOutputs ?? [], requiredInputs: raw.required ?? [] };
}

/** A property the provider computes when the program does not give it: always in outputs, not required as input. */
export function isComputed(spec: ObjectSpec, name: string): boolean {
  return spec.requiredOutputs.includes(name) && !spec.requiredInputs.includes(name);
}

/** The JSON type a property's values have. */
export function typeOf(prop: PropertySpec): "string" | "integer" | "number" | "boolean" | "array" | "map" | "block" | "any" {
  if (prop.$ref) return objectSpec(prop) ? "block" : "any";
  if (prop.type === "object") return "map";
  return prop.type ?? "any";
}

/** The zero value an SDKv2 Read writes for an unset attribute of this type (STATE.md); blocks are null. */
export function zeroValue(prop: PropertySpec): unknown {
  switch (typeOf(prop)) {
    case "string":
      return "";
    case "integer":
    case "number":
      return 0;
    case "boolean":
      return false;
    case "array":
      return [];
    case "map":
      return {};
    default:
      return null;
  }
}

const ABSENT = Symbol("absent");

/**
 * Every form "unset" takes for this type in some provider's state: its zero value, `{}` for
 * objects, null, and absent (returned as undefined).
 */
export function unsetForms(prop: PropertySpec): unknown[] {
  const zero = zeroValue(prop);
  const forms = [zero, typeOf(prop) === "block" ? {} : ABSENT, null, undefined].filter((f) => f !== ABSENT);
  return [...new Set(forms)];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function shapeOk(type: ReturnType<typeof typeOf>, value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number";
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return Array.isArray(value);
    case "map":
    case "block":
      return isObject(value);
    default:
      return true;
  }
}

/**
 * Where `value` (outputs or a nested value) holds a shape the schema does not allow: `path: what`.
 * Null is allowed anywhere (SDKv2 writes it), secrets are checked when readable, `__` keys and
 * keys the schema does not know (an older or newer provider's) are left alone.
 */
export function shapeProblems(spec: ObjectSpec, value: Record<string, unknown>, path = ""): string[] {
  const problems: string[] = [];
  for (const [key, raw] of Object.entries(value)) {
    const prop = spec.properties[key];
    if (!prop || isInternalKey(key)) continue;
    problems.push(...propertyProblems(prop, raw, path ? `${path}.${key}` : key));
  }
  return problems;
}

function propertyProblems(prop: PropertySpec, raw: unknown, path: string): string[] {
  const value = isSecretEnvelope(raw) ? revealed(raw) : raw;
  if (value === null || value === undefined || value === UNREADABLE) return [];
  const type = typeOf(prop);
  if (!shapeOk(type, value)) return [`${path} is ${describe(value)} where the schema says ${type === "block" ? "an object" : type === "map" ? "a map" : type}`];
  if (type === "array" && prop.items) return (value as unknown[]).flatMap((item, i) => propertyProblems(prop.items!, item, `${path}[${i}]`));
  if (type === "map" && prop.additionalProperties) return Object.entries(value as object).flatMap(([k, v]) => propertyProblems(prop.additionalProperties!, v, `${path}.${k}`));
  if (type === "block") return shapeProblems(objectSpec(prop)!, value as Record<string, unknown>, path);
  return [];
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (isObject(value)) return "an object";
  return `${typeof value === "string" ? "the string" : `a ${typeof value}`} ${JSON.stringify(value).slice(0, 40)}`;
}
