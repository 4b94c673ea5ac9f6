/**
 * Reads a stack's config the way the Pulumi CLI hands it to the program, without the CLI:
 * `Pulumi.yaml` project defaults under `Pulumi.<stack>.yaml` values, as `namespace:key` → string.
 * Secure values cannot be decrypted here and are passed as UNREADABLE_SECRET.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { PROJECT } from "../lib/config";
import { UNREADABLE_SECRET } from "../lib/state";

export class StackFileError extends Error {}

function asConfigString(value: unknown): string {
  if (typeof value === "object" && value !== null && "secure" in value) return UNREADABLE_SECRET;
  return typeof value === "string" ? value : JSON.stringify(value);
}

function readYaml(path: string): Record<string, unknown> {
  try {
    const doc: unknown = parse(readFileSync(path, "utf8"));
    return typeof doc === "object" && doc !== null ? (doc as Record<string, unknown>) : {};
  } catch (error) {
    throw new StackFileError(`${path}: not valid YAML: ${(error as Error).message}`);
  }
}

/** The config map of stack `stack` of the project in `dir`, as `pulumi.runtime.allConfig()` would give it. */
export function readStackConfig(dir: string, stack: string): Record<string, string> {
  const stackFile = join(dir, `Pulumi.${stack}.yaml`);
  if (!/^[A-Za-z0-9_.-]+$/.test(stack) || !existsSync(stackFile)) {
    throw new StackFileError(`no stack "${stack}": ${stackFile} does not exist`);
  }
  const raw: Record<string, string> = {};
  const project = readYaml(join(dir, "Pulumi.yaml"));
  const declared = (project.config ?? {}) as Record<string, unknown>;
  for (const [key, declaration] of Object.entries(declared)) {
    const value = typeof declaration === "object" && declaration !== null && "default" in declaration ? (declaration as { default: unknown }).default : undefined;
    if (value !== undefined) raw[key.includes(":") ? key : `${PROJECT}:${key}`] = asConfigString(value);
  }
  const config = (readYaml(stackFile).config ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(config)) raw[key.includes(":") ? key : `${PROJECT}:${key}`] = asConfigString(value);
  return raw;
}
