/**
 * A small fake of the Pulumi engine for programs (and, later, component providers) run the way
 * the CLI runs them: the Engine service (Log, root resource) and the ResourceMonitor service
 * (registrations, invokes, shutdown) over gRPC, with the SDK's own generated services. It keeps
 * a deployment's state as the engine does: URNs built as the engine builds them, default
 * providers registered per package and version, provider references `urn::id`, inputs, outputs,
 * dependencies and property dependencies. Custom resources are answered by `provider` (for
 * example the schema-derived mocks, `schemaProvider`); a resource whose inputs did not change
 * since `prior` answers with its recorded outputs, as the engine's "same" step does.
 */
import * as grpc from "@grpc/grpc-js";
import { dirname } from "node:path";
import { SECRET_SIG, SECRET_SIG_KEY, withoutInternalKeys } from "../../lib/state";
import { invokeOutputs, MockWorld, providerOutputs, UNKNOWN } from "../../tools/provider-mocks";
import { ROOT_STACK_TYPE } from "../../tools/plan/engine";
import { EngineResource } from "../../tools/run-policies";

const SDK_DIR = dirname(require.resolve("@pulumi/pulumi/package.json"));
// The SDK's generated messages check `instanceof` against its own google-protobuf.
const fromSdk = (module: string) => require(require.resolve(module, { paths: [SDK_DIR] }));
const { Struct } = fromSdk("google-protobuf/google/protobuf/struct_pb");
const { Empty } = fromSdk("google-protobuf/google/protobuf/empty_pb");
const resourceGrpc = require("@pulumi/pulumi/proto/resource_grpc_pb");
const resourcePb = require("@pulumi/pulumi/proto/resource_pb");
const engineGrpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
const enginePb = require("@pulumi/pulumi/proto/engine_pb");

type Props = Record<string, unknown>;

/** One resource of the deployment, as the engine records it (and `pulumi stack export` shows it). */
export interface DeployedResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  id?: string;
  parent?: string;
  /** `urn::id` of its provider. */
  provider?: string;
  protect: boolean;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  /** Wire form: secrets `{<sig>, value}`, unknowns the engine's sentinel. */
  inputs: Props;
  outputs: Props;
  /** The `customTimeouts` option as sent ("30m"), when the program set one. */
  customTimeouts?: { create?: string; update?: string; delete?: string };
}

/** What a custom resource's provider answers. */
export type ProviderAnswer = (request: { type: string; name: string; urn: string; inputs: Props; preview: boolean }) => { id?: string; outputs: Props };
export type InvokeAnswer = (token: string, args: Props) => Props;

export interface FakeEngineOptions {
  project: string;
  stack: string;
  organization?: string;
  preview: boolean;
  /** Config the default providers take (`aws:region` → the aws provider's `region`). */
  config?: Record<string, string>;
  provider: ProviderAnswer;
  invoke: InvokeAnswer;
  /** The state of the last apply, by URN: unchanged resources keep their outputs (the next preview). */
  prior?: readonly DeployedResource[];
}

/** The monitor features a current CLI's engine advertises that a Node program uses. */
const FEATURES = ["SECRETS", "RESOURCE_REFERENCES", "OUTPUT_VALUES", "DELETED_WITH", "ALIAS_SPECS"].map((f) => resourcePb.ResourceMonitorFeature[`RESOURCE_MONITOR_FEATURE_${f}`]);
const LEGACY_FEATURES = new Set(["secrets", "resourceReferences", "outputValues", "deletedWith", "aliasSpecs"]);

/** Answers from the providers' schemas (tools/provider-mocks.ts). */
export function schemaProvider(world: MockWorld = {}, providerRegion?: string): { provider: ProviderAnswer; invoke: InvokeAnswer } {
  return {
    provider: ({ type, name, inputs, preview }) => providerOutputs(type, name, inputs, { preview, world, providerRegion }),
    invoke: (token, args) => invokeOutputs(token, args, { world, providerRegion }),
  };
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function isSecret(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as Props)[SECRET_SIG_KEY] === SECRET_SIG;
}

export class FakeEngine {
  readonly resources: DeployedResource[] = [];
  readonly logs: { severity: number; message: string; urn: string }[] = [];
  rootUrn?: string;
  monitorAddress = "";
  engineAddress = "";
  private readonly byUrn = new Map<string, DeployedResource>();
  private readonly prior: Map<string, DeployedResource>;
  private readonly servers: grpc.Server[] = [];
  private shutdown?: () => void;
  /** Resolves once the program has signalled that it is done (SignalAndWaitForShutdown). */
  readonly done: Promise<void>;

  private constructor(private readonly options: FakeEngineOptions) {
    this.prior = new Map((options.prior ?? []).map((r) => [r.urn, r]));
    this.done = new Promise((resolve) => (this.shutdown = resolve));
  }

  /** Starts both services on loopback ports. */
  static async start(options: FakeEngineOptions): Promise<FakeEngine> {
    const engine = new FakeEngine(options);
    engine.monitorAddress = await engine.serve(resourceGrpc.ResourceMonitorService, engine.monitorHandlers());
    engine.engineAddress = await engine.serve(engineGrpc.EngineService, engine.engineHandlers());
    return engine;
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.tryShutdown(() => resolve()))));
  }

  /**
   * The resources as the engine hands them to AnalyzeStack (pkg/resource/deploy/step_generator.go
   * `AnalyzeResources`): each one's outputs without `__` keys, its provider's inputs, its links.
   */
  stackResources(): EngineResource[] {
    return this.resources.map((r) => {
      const providerUrn = r.provider?.slice(0, r.provider.lastIndexOf("::"));
      const provider = providerUrn ? this.byUrn.get(providerUrn) : undefined;
      return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        props: withoutInternalKeys(r.outputs),
        parent: r.parent,
        dependencies: r.dependencies,
        propertyDependencies: r.propertyDependencies,
        protect: r.protect,
        provider: provider && { urn: provider.urn, type: provider.type, name: provider.name, props: provider.inputs },
      };
    });
  }

  /** The root stack's outputs: the program's exports. */
  get stackOutputs(): Props {
    return (this.rootUrn && this.byUrn.get(this.rootUrn)?.outputs) || {};
  }

  private serve(service: grpc.ServiceDefinition, handlers: grpc.UntypedServiceImplementation): Promise<string> {
    const server = new grpc.Server();
    server.addService(service, handlers);
    this.servers.push(server);
    return new Promise((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(`127.0.0.1:${port}`))),
    );
  }

  /** A handler that answers `fn(request)`, turning a throw into a gRPC error the SDK reports. */
  private static unary(fn: (request: any) => any): grpc.handleUnaryCall<any, any> {
    return (call, callback) => {
      try {
        callback(null, fn(call.request));
      } catch (error) {
        callback({ code: grpc.status.INTERNAL, details: (error as Error).message } as grpc.ServiceError, null);
      }
    };
  }

  private engineHandlers(): grpc.UntypedServiceImplementation {
    return {
      log: FakeEngine.unary((req) => {
        this.logs.push({ severity: req.getSeverity(), message: req.getMessage(), urn: req.getUrn() });
        return new Empty();
      }),
      setRootResource: FakeEngine.unary((req) => {
        this.rootUrn = req.getUrn();
        return new enginePb.SetRootResourceResponse();
      }),
      getRootResource: FakeEngine.unary(() => new enginePb.GetRootResourceResponse().setUrn(this.rootUrn ?? "")),
    };
  }

  private monitorHandlers(): grpc.UntypedServiceImplementation {
    const o = this.options;
    return {
      getDeploymentInfo: FakeEngine.unary(() =>
        new resourcePb.DeploymentInfo().setProject(o.project).setStack(o.stack).setOrganization(o.organization ?? "organization").setDryrun(o.preview).setParallel(1).setSupportedfeaturesList(FEATURES),
      ),
      supportsFeature: FakeEngine.unary((req) => new resourcePb.SupportsFeatureResponse().setHassupport(LEGACY_FEATURES.has(req.getId()))),
      registerResource: FakeEngine.unary((req) => this.register(req)),
      registerResourceOutputs: FakeEngine.unary((req) => {
        const resource = this.byUrn.get(req.getUrn());
        if (!resource) throw new Error(`registerResourceOutputs: no resource ${req.getUrn()}`);
        resource.outputs = req.getOutputs()?.toJavaScript() ?? {};
        return new Empty();
      }),
      invoke: FakeEngine.unary((req) => new resourcePb.ResourceInvokeResponse().setReturn(Struct.fromJavaScript(o.invoke(req.getTok(), req.getArgs()?.toJavaScript() ?? {})))),
      signalAndWaitForShutdown: FakeEngine.unary(() => {
        this.shutdown!();
        return new Empty();
      }),
    };
  }

  /** The engine's URN: the parent's qualified type, except the root stack's, before the type. */
  private urnOf(parent: string, type: string, name: string): string {
    const parentType = parent ? parent.split("::")[2] : "";
    const qualified = parentType && parentType !== ROOT_STACK_TYPE ? `${parentType}$${type}` : type;
    return `urn:pulumi:${this.options.stack}::${this.options.project}::${qualified}::${name}`;
  }

  /** The default provider of a package and version, registered the first time a resource needs it; its reference `urn::id`. */
  private defaultProvider(type: string, version: string): string {
    const pkg = type.slice(0, type.indexOf(":"));
    const name = version ? `default_${version.replace(/[.-]/g, "_")}` : "default";
    const urn = this.urnOf("", `pulumi:providers:${pkg}`, name);
    let provider = this.byUrn.get(urn);
    if (!provider) {
      const inputs: Props = Object.fromEntries(Object.entries(this.options.config ?? {}).filter(([k]) => k.startsWith(`${pkg}:`)).map(([k, v]) => [k.slice(pkg.length + 1), v]));
      if (version) inputs.version = version;
      const id = this.options.preview && !this.prior.has(urn) ? UNKNOWN : (this.prior.get(urn)?.id ?? `${pkg}-provider-0000-4000-8000-000000000000`);
      provider = { urn, type: `pulumi:providers:${pkg}`, name, custom: true, id, protect: false, dependencies: [], propertyDependencies: {}, inputs, outputs: inputs };
      this.record(provider);
    }
    return `${urn}::${provider.id}`;
  }

  private record(resource: DeployedResource): void {
    if (this.byUrn.has(resource.urn)) throw new Error(`Duplicate resource URN '${resource.urn}'; try giving it a unique name`);
    this.byUrn.set(resource.urn, resource);
    this.resources.push(resource);
  }

  private register(req: any): any {
    const type: string = req.getType();
    const name: string = req.getName();
    const custom: boolean = req.getCustom();
    const parent: string = req.getParent();
    const urn = this.urnOf(parent, type, name);
    const inputs: Props = req.getObject()?.toJavaScript() ?? {};
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps: any, key: string) => (propertyDependencies[key] = deps.getUrnsList()));
    const resource: DeployedResource = {
      urn,
      type,
      name,
      custom,
      parent: parent || undefined,
      protect: req.getProtect() ?? false,
      dependencies: req.getDependenciesList(),
      propertyDependencies,
      inputs,
      outputs: {},
    };
    const timeouts = Object.fromEntries(Object.entries(req.getCustomtimeouts()?.toObject() ?? {}).filter(([, v]) => v));
    if (Object.keys(timeouts).length) resource.customTimeouts = timeouts;
    if (custom && !type.startsWith("pulumi:providers:")) {
      resource.provider = req.getProvider() || this.defaultProvider(type, req.getVersion());
      const before = this.prior.get(urn);
      // Unchanged since the last apply: the engine's "same" step keeps the recorded outputs.
      const answer = before && deepEqual(before.inputs, inputs) ? { id: before.id, outputs: before.outputs } : this.options.provider({ type, name, urn, inputs, preview: this.options.preview });
      resource.id = answer.id;
      resource.outputs = answer.outputs;
      // Outputs of secret inputs stay secret, as the engine keeps them.
      for (const [key, value] of Object.entries(inputs)) if (isSecret(value) && !isSecret(resource.outputs[key])) resource.outputs[key] = { [SECRET_SIG_KEY]: SECRET_SIG, value: resource.outputs[key] };
    } else if (custom) {
      resource.id = this.options.preview ? UNKNOWN : `${name}-0000-4000-8000-000000000000`;
      resource.outputs = inputs;
    }
    this.record(resource);
    const response = new resourcePb.RegisterResourceResponse().setUrn(urn).setId(resource.id === UNKNOWN ? "" : (resource.id ?? "")).setObject(Struct.fromJavaScript(resource.outputs));
    return response;
  }
}
