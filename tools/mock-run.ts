/**
 * Runs the real program (index.ts) in-process under Pulumi's mock runtime and records every
 * registration as the engine would see it: inputs as sent over gRPC (unknown values and secrets
 * in their wire form), parent, dependencies, property dependencies, provider and protect.
 * Used by the tests, the offline plan and the benchmarks.
 */
import * as pulumi from "@pulumi/pulumi";
import { join } from "node:path";
import { PROJECT } from "../lib/config";
import { SECRET_SIG, SECRET_SIG_KEY } from "../lib/state";
import { MockWorld, providerMocks } from "./provider-mocks";

export { UNKNOWN } from "./provider-mocks";

export interface Registration {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent?: string;
  provider?: string;
  protect: boolean;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  /** Inputs in wire form: UNKNOWN where not known, secrets wrapped. */
  inputs: Record<string, unknown>;
  /** State the (mock) provider returned, in wire form. */
  outputs: Record<string, unknown>;
  /** The `import` option: the provider id the engine would import instead of creating. */
  importId?: string;
  /** The `customTimeouts` option, as Go durations ("30m"); only those the program set. */
  customTimeouts: { create?: string; update?: string; delete?: string };
}

export interface ProgramRun {
  registrations: Registration[];
  /** Data-source calls, by token (e.g. `aws:route53/getZone:getZone`), in call order. */
  invokes: string[];
  /** The stack's exported outputs, plain values (secrets unwrapped). */
  outputs: Record<string, unknown>;
  /** What the program logged with pulumi.log.warn, as the CLI would show it. */
  warnings: string[];
}

export interface RunOptions {
  /** Every `namespace:key` → string, as `pulumi.runtime.allConfig()` would give it. */
  config: Record<string, string>;
  /** Keys whose values are secrets. */
  secretKeys?: string[];
  /** true: `pulumi preview` (computed values unknown); false: as after `pulumi up`. */
  preview: boolean;
  stack?: string;
  /** The program module, or a function that is the program (its result the stack's outputs); default the project's index.ts. */
  program?: string | (() => unknown);
  /** What exists in the cloud account beyond the program (tools/provider-mocks.ts). */
  world?: MockWorld;
  /** The Pulumi SDK the program uses, when it is not this project's (a program with its own node_modules). */
  sdk?: typeof pulumi;
  /** The project's name; default this project's. */
  project?: string;
}

const DEFAULT_PROGRAM = join(__dirname, "..", "index");

// Two diagnostics of the SDK that only the CLI's language host reads, each ~15-20% of the CPU of
// a 5,000-resource plan: every resource's constructor captures an unlimited, source-mapped stack
// trace for the source position it sends the engine, and every RPC promise is wrapped to report
// promises still pending at process exit. A mocked run sends no source position, and it awaits
// every RPC before it returns (a promise that never settles hangs it, visibly), so both are off.
(pulumi.Resource as unknown as { callsites: () => unknown[] }).callsites = () => [];
(require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: <T>(p: Promise<T>) => Promise<T> }).debuggablePromise = (p) => p;

/** Runs the program once; throws what the program throws (a ConfigError, say) after nothing was registered. */
export async function runProgram(options: RunOptions): Promise<ProgramRun> {
  const { config, secretKeys = [], preview, stack = "dev", program = DEFAULT_PROGRAM, world, sdk = pulumi, project = PROJECT } = options;
  await sdk.runtime.setMocks(providerMocks(preview, world, config["aws:region"]), project, stack, preview);
  sdk.runtime.setAllConfig(config, secretKeys);

  const registrations: Registration[] = [];
  const invokes: string[] = [];
  const monitor = sdk.runtime.getMonitor() as any;
  const invoke = monitor.invoke.bind(monitor);
  monitor.invoke = (req: any, callback: unknown) => {
    invokes.push(req.getTok());
    return invoke(req, callback);
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: (err: unknown, resp: any) => void) =>
    register(req, (err: unknown, resp: any) => {
      if (!err) registrations.push(toRegistration(req, resp));
      callback(err, resp);
    });

  // Without an engine the SDK prints warnings to the console; the run keeps them instead.
  const warnings: string[] = [];
  const warn = sdk.log.warn;
  (sdk.log as { warn: typeof warn }).warn = async (message: string) => void warnings.push(message);

  const modulePath = typeof program === "string" ? require.resolve(program) : undefined;
  if (modulePath) delete require.cache[modulePath];
  const main = typeof program === "function" ? program : () => require(modulePath!);
  // The program's own error is caught inside the stack, as the language host does, so the
  // Stack resource completes instead of leaving a rejected promise behind.
  let thrown: { error: unknown } | undefined;
  let outputs: unknown;
  try {
    outputs = await sdk.runtime.runInPulumiStack(async () => {
      try {
        return main();
      } catch (error) {
        thrown = { error };
        return undefined;
      }
    });
    await (sdk.runtime as any).waitForRPCs?.();
  } finally {
    (sdk.log as { warn: typeof warn }).warn = warn;
  }
  if (thrown) throw new ProgramFailed(thrown.error, registrations);
  return { registrations, invokes, outputs: (outputs ?? {}) as Record<string, unknown>, warnings };
}

/** The program threw; `cause` is what it threw, `registrations` what it had registered by then. */
export class ProgramFailed extends Error {
  constructor(
    readonly cause: unknown,
    readonly registrations: Registration[],
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = "ProgramFailed";
  }
}

function toRegistration(req: any, resp: any): Registration {
  const propertyDependencies: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
    propertyDependencies[key] = deps.getUrnsList();
  });
  return {
    urn: resp.getUrn(),
    type: req.getType(),
    name: req.getName(),
    custom: req.getCustom(),
    parent: req.getParent() || undefined,
    provider: req.getProvider() || undefined,
    protect: req.getProtect() ?? false,
    dependencies: req.getDependenciesList(),
    propertyDependencies,
    inputs: req.getObject()?.toJavaScript() ?? {},
    outputs: resp.getObject()?.toJavaScript() ?? {},
    ...(req.getImportid() ? { importId: req.getImportid() } : {}),
    customTimeouts: Object.fromEntries(Object.entries(req.getCustomtimeouts()?.toObject() ?? {}).filter(([, v]) => v)),
  };
}

/** Wire form → plain value: secrets unwrapped; unknowns kept as UNKNOWN. */
export function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SECRET_SIG_KEY] === SECRET_SIG) return plain(obj.value);
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}
