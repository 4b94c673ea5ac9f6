/**
 * The engine's side of the Analyzer protocol (pulumi/pulumi `proto/pulumi/analyzer.proto`), for a
 * policy pack booted by tests/harness/plugin-host.ts: Configure as the engine resolves a
 * `--policy-pack-config`, AnalyzeStack with the resources as the engine sends them, and the
 * diagnostics read back as the local runner's findings.
 */
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/analyzer_pb";
import { EngineResource, Finding, PolicyPackConfig, resolvePolicyConfig } from "../../tools/run-policies";

export const LEVELS = { [proto.EnforcementLevel.ADVISORY]: "advisory", [proto.EnforcementLevel.MANDATORY]: "mandatory", [proto.EnforcementLevel.DISABLED]: "disabled", [proto.EnforcementLevel.REMEDIATE]: "remediate" } as const;
const LEVEL_CODES = Object.fromEntries(Object.entries(LEVELS).map(([code, name]) => [name, Number(code)])) as Record<string, proto.EnforcementLevel>;

/** A unary call of a generated client, as a promise. */
export function call<Req, Res>(method: (req: Req, cb: (e: grpc.ServiceError | null, r: Res) => void) => unknown, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => method(req, (e, r) => (e ? reject(e) : resolve(r))));
}

export function analyzerClient(address: string): AnalyzerClient {
  return new AnalyzerClient(address, grpc.credentials.createInsecure());
}

function analyzerResource(r: EngineResource): proto.AnalyzerResource {
  const res = new proto.AnalyzerResource().setType(r.type).setUrn(r.urn).setName(r.name).setProperties(Struct.fromJavaScript(r.props as any));
  res.setOptions(new proto.AnalyzerResourceOptions().setProtect(false)).setDependenciesList(r.dependencies ?? []).setParent(r.parent ?? "");
  for (const [prop, urns] of Object.entries(r.propertyDependencies ?? {})) res.getPropertydependenciesMap().set(prop, new proto.AnalyzerPropertyDependencies().setUrnsList(urns));
  if (r.provider) res.setProvider(new proto.AnalyzerProviderResource().setType(r.provider.type).setUrn(r.provider.urn).setName(r.provider.name).setProperties(Struct.fromJavaScript(r.provider.props as any)));
  return res;
}

/** Configure as the engine does: every policy, its level resolved, schema defaults filled in. */
export async function configure(client: AnalyzerClient, config: PolicyPackConfig): Promise<void> {
  const request = new proto.ConfigureAnalyzerRequest();
  for (const [name, { level, properties }] of resolvePolicyConfig(config)) {
    request.getPolicyconfigMap().set(name, new proto.PolicyConfig().setEnforcementlevel(LEVEL_CODES[level]).setProperties(Struct.fromJavaScript(properties as any)));
  }
  await call(client.configure.bind(client), request);
}

export function analyzeStack(client: AnalyzerClient, stack: readonly EngineResource[]): Promise<proto.AnalyzeResponse> {
  return call<proto.AnalyzeStackRequest, proto.AnalyzeResponse>(client.analyzeStack.bind(client), new proto.AnalyzeStackRequest().setResourcesList(stack.map(analyzerResource)));
}

/** The diagnostics as the local runner reports findings (the message without the policy's description before it). */
export function findingsOf(response: proto.AnalyzeResponse): Finding[] {
  return response.getDiagnosticsList().map(
    (d): Finding => ({ policy: d.getPolicyname(), level: LEVELS[d.getEnforcementlevel()] as Finding["level"], urn: d.getUrn() || undefined, message: d.getMessage().slice(d.getDescription().length + 1) }),
  );
}
