/**
 * A stack's config the way the Pulumi CLI merges it before it runs a program, without the CLI
 * (pulumi/pulumi `sdk/go/common/workspace/project.go` `Validate` and `RewriteShorthandConfigValues`,
 * `config.go` `mergeConfig` and `validateStackConfigValues`):
 * - `Pulumi.yaml` declares config keys: a project key declared without `default` or `value` is
 *   required, a `type` (with `items` for arrays) is checked, `secret: true` needs an encrypted value;
 * - defaults (and other namespaces' `value`s) fill what `Pulumi.<stack>.yaml` lacks;
 * - the result is `namespace:key` → string, as `pulumi.runtime.allConfig()` gives it to a program.
 * A stack the CLI would refuse is refused with the CLI's reason, naming the key and the file.
 * Secure values cannot be decrypted here and are passed as UNREADABLE_SECRET.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { UNREADABLE_SECRET } from "../lib/state";

/** A stack file or project file the CLI would refuse; the message names the file and the key. */
export class StackFileError extends Error {}

export interface StackConfig {
  /** `namespace:key` → value as the CLI hands it to the program (JSON text for lists and objects). */
  config: Record<string, string>;
  /** The keys whose values are encrypted in the stack file (`PULUMI_CONFIG_SECRET_KEYS`). */
  secretKeys: string[];
}

type ConfigType = "string" | "integer" | "boolean" | "array" | "object";
const CONFIG_TYPES: readonly string[] = ["string", "integer", "boolean", "array", "object"];

interface ItemsType {
  type: ConfigType;
  items?: ItemsType;
}

/** One `config:` entry of Pulumi.yaml (the CLI's ProjectConfigType). */
interface Declaration {
  type?: ConfigType;
  items?: ItemsType;
  default?: unknown;
  value?: unknown;
  secret?: boolean;
}

const DECLARATION_KEYS = ["type", "items", "description", "secret", "default", "value"];

/** A stack value as the CLI holds it: text, whether it is (or holds) a secret, whether it is an object. */
interface ConfigValue {
  text: string;
  secure: boolean;
  object: boolean;
}

/** Stands for an encrypted leaf inside an object value: it satisfies any scalar type, as it cannot be checked. */
const SECURE_LEAF = Symbol("secure");

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isSecure(value: unknown): boolean {
  return isObject(value) && Object.keys(value).length === 1 && typeof value.secure === "string";
}

function readYaml(path: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new StackFileError(`${path}: not valid YAML: ${(error as Error).message}`);
  }
  return isObject(doc) ? doc : {};
}

/** The CLI's `InferFullTypeName`: `array<string>`. */
function typeName(type: ConfigType | undefined, items?: ItemsType): string {
  return items ? `array<${typeName(items.type, items.items)}>` : (type ?? "");
}

/** The CLI's `ValidateConfigValue`: YAML whole numbers and digit strings are integers, "true"/"false" booleans. */
function hasType(type: ConfigType, items: ItemsType | undefined, value: unknown): boolean {
  if (value === SECURE_LEAF) return type !== "array" && type !== "object";
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return Number.isInteger(value) || (typeof value === "string" && /^[+-]?[0-9]+$/.test(value));
    case "boolean":
      return typeof value === "boolean" || value === "true" || value === "false";
    case "object":
      return isObject(value);
    case "array":
      return Array.isArray(value) && items !== undefined && value.every((item) => hasType(items.type, items.items, item));
  }
}

/** `key` with the project's namespace when it has none: `regions` → `ses-email-auth:regions`. */
function fullKey(project: string, key: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

function isProjectKey(project: string, key: string): boolean {
  return !key.includes(":") || key.startsWith(`${project}:`);
}

function itemsProblem(items: unknown, at: string): string | undefined {
  if (!isObject(items) || typeof items.type !== "string" || !CONFIG_TYPES.includes(items.type)) return `${at} must be {type: ${CONFIG_TYPES.join(" | ")}}`;
  if (items.type === "array") return items.items === undefined ? `${at} declares an array but does not specify the underlying type via the 'items' attribute` : itemsProblem(items.items, `${at}.items`);
  return undefined;
}

/** Pulumi.yaml's `config:` as the CLI reads it: shorthand values rewritten, each declaration checked (project.go `Validate`). */
function declarations(file: string, project: string, config: unknown): Map<string, Declaration> {
  const result = new Map<string, Declaration>();
  if (config === undefined || config === null || typeof config === "string") return result; // a string is the old stackConfigDir
  if (!isObject(config)) throw new StackFileError(`${file}: config must be a map of configuration keys to their declarations`);
  const problems: string[] = [];
  for (const [key, raw] of Object.entries(config)) {
    // Shorthand: a plain value is a project key's default, another namespace's value.
    const primitive = typeof raw === "string" || typeof raw === "boolean" || Number.isInteger(raw) || Array.isArray(raw);
    const declaration: unknown = primitive ? (isProjectKey(project, key) ? { default: raw } : { value: raw }) : raw;
    if (!isObject(declaration)) {
      problems.push(`config key '${key}' must be a value or a declaration with ${DECLARATION_KEYS.join(", ")}`);
      continue;
    }
    const d = declaration as Declaration;
    const unknown = Object.keys(declaration).filter((k) => !DECLARATION_KEYS.includes(k));
    if (unknown.length) problems.push(`config key '${key}' has ${unknown.map((k) => `'${k}'`).join(", ")}, which a declaration does not take (${DECLARATION_KEYS.join(", ")})`);
    if (d.type !== undefined && !CONFIG_TYPES.includes(d.type)) problems.push(`config key '${key}' has type '${String(d.type)}'; the CLI knows ${CONFIG_TYPES.join(", ")}`);
    if (d.default !== undefined && d.value !== undefined) problems.push(`project config '${key}' cannot have both a 'default' and 'value' attribute`);
    if (isProjectKey(project, key)) {
      if (d.type === "array" && d.items === undefined) problems.push(`The configuration key '${key}' declares an array but does not specify the underlying type via the 'items' attribute`);
      else if (d.items !== undefined) {
        const problem = itemsProblem(d.items, `config key '${key}' items`);
        if (problem) problems.push(problem);
      }
      if (d.type && d.default !== undefined && !hasType(d.type, d.items, d.default)) {
        problems.push(`The default value specified for configuration key '${key}' is not of the expected type '${typeName(d.type, d.items)}'`);
      }
    } else if (d.type !== undefined) problems.push(`Configuration key '${key}' is not namespaced by the project and should not define a type`);
    else if (d.default !== undefined) problems.push(`Configuration key '${key}' is not namespaced by the project and should not define a default value. Did you mean to use the 'value' attribute instead of 'default'?`);
    else if (d.value === undefined) problems.push(`Configuration key '${key}' is namespaced and must provide an attribute 'value'`);
    result.set(key, d);
  }
  if (problems.length) throw new StackFileError(`${file}: ${problems.join("; ")}`);
  return result;
}

function containsSecure(value: unknown): boolean {
  if (isSecure(value)) return true;
  if (Array.isArray(value)) return value.some(containsSecure);
  return isObject(value) && Object.values(value).some(containsSecure);
}

/** Secure leaves of an object value, for type checks. */
function withSecureLeaves(value: unknown): unknown {
  if (isSecure(value)) return SECURE_LEAF;
  if (Array.isArray(value)) return value.map(withSecureLeaves);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withSecureLeaves(v)]));
  return value;
}

/** A stack file value as the CLI stores it (resource/config `Value`): scalars as text, objects as JSON. */
function stackValue(value: unknown): ConfigValue & { parsed: unknown } {
  if (isSecure(value)) return { text: UNREADABLE_SECRET, secure: true, object: false, parsed: SECURE_LEAF };
  if (typeof value === "string") return { text: value, secure: false, object: false, parsed: value };
  if (typeof value === "boolean" || typeof value === "number") return { text: JSON.stringify(value), secure: false, object: false, parsed: JSON.stringify(value) };
  // An object or list; encrypted leaves inside it cannot be decrypted here.
  const leaves = withSecureLeaves(value);
  const text = JSON.stringify(leaves, (_, v) => (v === SECURE_LEAF ? UNREADABLE_SECRET : v));
  return { text, secure: containsSecure(value), object: true, parsed: leaves };
}

/** The CLI's `createConfigValue`: a default (or value) from Pulumi.yaml as the program receives it. */
function projectValue(value: unknown): ConfigValue & { parsed: unknown } {
  const primitive = typeof value === "string" || typeof value === "boolean" || Number.isInteger(value);
  return primitive ? { text: String(value), secure: false, object: false, parsed: String(value) } : { text: JSON.stringify(value), secure: false, object: true, parsed: value };
}

/** The project file, its name, and where the CLI keeps stack `stack`'s file (`stackConfigDir`); throws when either is missing. */
export function stackFiles(dir: string, stack: string): { projectFile: string; projectDoc: Record<string, unknown>; project: string; stackFile: string } {
  const projectFile = join(dir, "Pulumi.yaml");
  if (!existsSync(projectFile)) throw new StackFileError(`no Pulumi.yaml in ${dir}`);
  const projectDoc = readYaml(projectFile);
  const project = typeof projectDoc.name === "string" && projectDoc.name ? projectDoc.name : undefined;
  if (!project) throw new StackFileError(`${projectFile}: project is missing a 'name' attribute`);
  const stackDir = typeof projectDoc.stackConfigDir === "string" ? join(dir, projectDoc.stackConfigDir) : typeof projectDoc.config === "string" ? join(dir, projectDoc.config) : dir;
  const stackFile = join(stackDir, `Pulumi.${stack}.yaml`);
  if (!/^[A-Za-z0-9_.-]+$/.test(stack) || !existsSync(stackFile)) throw new StackFileError(`no stack "${stack}": ${stackFile} does not exist`);
  return { projectFile, projectDoc, project, stackFile };
}

/**
 * The config of stack `stack` of the project in `dir`, merged and validated as the CLI does for
 * `pulumi preview` and `pulumi up`. Throws StackFileError with the CLI's reasons.
 */
export function loadStackConfig(dir: string, stack: string): StackConfig {
  const { projectFile, projectDoc, project, stackFile } = stackFiles(dir, stack);
  const declared = declarations(projectFile, project, projectDoc.config);

  const stackDoc = readYaml(stackFile);
  if (stackDoc.environment !== undefined) throw new StackFileError(`${stackFile}: imports Pulumi ESC environments ("environment:"), which cannot be read without the Pulumi Cloud`);
  const rawConfig = stackDoc.config ?? {};
  if (!isObject(rawConfig)) throw new StackFileError(`${stackFile}: config must be a map of keys to values`);
  const values = new Map<string, ConfigValue & { parsed: unknown }>();
  for (const [key, value] of Object.entries(rawConfig)) values.set(fullKey(project, key), stackValue(value));

  const missing: string[] = [];
  for (const [key, d] of declared) {
    const full = fullKey(project, key);
    if (values.has(full)) continue;
    const given = d.default ?? d.value;
    if (given !== undefined) values.set(full, projectValue(given));
    else if (isProjectKey(project, key)) missing.push(key);
  }
  if (missing.length) {
    const keys = missing.sort().map((k) => `'${k}'`);
    const list = keys.length === 1 ? keys[0] : `${keys.slice(0, -1).join(", ")} and ${keys[keys.length - 1]}`;
    throw new StackFileError(`${stackFile}: Stack '${stack}' is missing configuration value${keys.length > 1 ? "s" : ""} ${list}, which ${projectFile} declares without a default`);
  }

  const problems: string[] = [];
  for (const key of [...declared.keys()].sort()) {
    const d = declared.get(key)!;
    const value = values.get(fullKey(project, key));
    if (!d.type || !value) continue;
    if (d.secret && !value.secure) problems.push(`Stack '${stack}' with configuration key '${key}' must be encrypted as it's secret (pulumi config set --secret ${key} …)`);
    else if (!hasType(d.type, d.items, value.parsed)) problems.push(`Stack '${stack}' with configuration key '${key}' must be of type '${typeName(d.type, d.items)}'`);
  }
  if (problems.length) throw new StackFileError(`${stackFile}: ${problems.join("; ")}`);

  const config = Object.fromEntries([...values].map(([key, v]) => [key, v.text]));
  return { config, secretKeys: [...values].filter(([, v]) => v.secure).map(([key]) => key) };
}

/** The config map of stack `stack` of the project in `dir`, as `pulumi.runtime.allConfig()` would give it. */
export function readStackConfig(dir: string, stack: string): Record<string, string> {
  return loadStackConfig(dir, stack).config;
}
