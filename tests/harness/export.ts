/**
 * A fake engine's deployment as `pulumi stack export` writes it (deployment version 3; pulumi/pulumi
 * `pkg/resource/stack/deployment.go`): resources in registration order, custom ones with `id` and
 * `provider` (`urn::id`), every secret serialized once, as a whole, as ciphertext (the
 * passphrase provider's `v1:<nonce>:<ciphertext>` form; not decryptable, which is the point).
 */
import { createHash } from "node:crypto";
import { isSecretEnvelope, SECRET_SIG, SECRET_SIG_KEY } from "../../lib/state";
import { DeployedResource } from "./fake-engine";

type Json = Record<string, unknown>;

/** `{<sig>, value}` → `{<sig>, ciphertext}`, deterministic so fixtures rebuild identically. */
function exported(value: unknown): unknown {
  if (isSecretEnvelope(value)) {
    const digest = createHash("sha256").update(JSON.stringify(value.value ?? null)).digest("base64");
    return { [SECRET_SIG_KEY]: SECRET_SIG, ciphertext: `v1:${digest.slice(0, 16)}:${digest}` };
  }
  if (Array.isArray(value)) return value.map(exported);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, exported(v)]));
  return value;
}

function resource(r: DeployedResource): Json {
  const out: Json = { urn: r.urn, custom: r.custom };
  if (r.custom) out.id = r.id;
  out.type = r.type;
  out.inputs = exported(r.inputs);
  out.outputs = exported(r.outputs);
  if (r.parent) out.parent = r.parent;
  if (r.protect) out.protect = true;
  if (r.provider) out.provider = r.provider;
  out.dependencies = r.dependencies;
  // The engine records a (possibly empty) list for every input it was told about.
  if (Object.keys(r.propertyDependencies).length) out.propertyDependencies = r.propertyDependencies;
  return out;
}

export function stackExport(resources: readonly DeployedResource[], time = "2026-01-01T00:00:00.000Z"): Json {
  return {
    version: 3,
    deployment: {
      manifest: { time, magic: "", version: "v3.200.0" },
      secrets_providers: { type: "passphrase", state: { salt: "v1:AAAAAAAAAAA=:v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" } },
      resources: resources.map(resource),
    },
  };
}
