/**
 * The pack as the Pulumi CLI runs it: `node <@pulumi/pulumi>/cmd/run-policy-pack <engine> <dir>`
 * with cwd = the pack's directory (it reads package.json's version there and compiles the
 * TypeScript with ts-node), then the Analyzer gRPC service on the port it prints. run-policy-pack
 * drops the engine address before loading the pack, and the policy SDK never dials it, so no
 * engine needs to listen there.
 */
import * as grpc from "@grpc/grpc-js";
import { ChildProcess, spawn } from "node:child_process";
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/analyzer_pb";
import { PACK_NAME, packArgs } from "../../policy/pack";
import { version } from "../../policy/package.json";
import { readExport } from "../../tools/plan/audit";
import { EngineResource, Finding, PolicyPackConfig, resolvePolicyConfig, runPolicies } from "../../tools/run-policies";
import { domainStack } from "./stacks";

const EXPORTS = join(__dirname, "..", "fixtures", "exports");

const PACK_DIR = join(__dirname, "..", "..", "policy");
const RUN_POLICY_PACK = join(require.resolve("@pulumi/pulumi/package.json"), "..", "cmd", "run-policy-pack");
const LEVELS = { [proto.EnforcementLevel.ADVISORY]: "advisory", [proto.EnforcementLevel.MANDATORY]: "mandatory", [proto.EnforcementLevel.DISABLED]: "disabled", [proto.EnforcementLevel.REMEDIATE]: "remediate" } as const;

/** Starts the pack; resolves with its port once it prints it, rejects if it exits first. */
function boot(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout!.on("data", (chunk) => {
      out += chunk;
      const line = /^(\d+)\s*$/m.exec(out);
      if (line) resolve(Number(line[1]));
    });
    child.stderr!.on("data", (chunk) => (err += chunk));
    child.once("exit", (code) => reject(new Error(`run-policy-pack exited with ${code}: ${err}`)));
  });
}

function call<Req, Res>(method: (req: Req, cb: (e: grpc.ServiceError | null, r: Res) => void) => unknown, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => method(req, (e, r) => (e ? reject(e) : resolve(r))));
}

/** Diagnostics as the runner's findings. */
function findingsOf(response: proto.AnalyzeResponse): Finding[] {
  return response
    .getDiagnosticsList()
    .map((d): Finding => ({ policy: d.getPolicyname(), level: LEVELS[d.getEnforcementlevel()] as Finding["level"], urn: d.getUrn() || undefined, message: d.getMessage().slice(d.getDescription().length + 1) }));
}

function analyzerResource(r: EngineResource): proto.AnalyzerResource {
  const res = new proto.AnalyzerResource().setType(r.type).setUrn(r.urn).setName(r.name).setProperties(Struct.fromJavaScript(r.props as any));
  res.setOptions(new proto.AnalyzerResourceOptions().setProtect(false)).setDependenciesList(r.dependencies ?? []).setParent(r.parent ?? "");
  for (const [prop, urns] of Object.entries(r.propertyDependencies ?? {})) res.getPropertydependenciesMap().set(prop, new proto.AnalyzerPropertyDependencies().setUrnsList(urns));
  if (r.provider) res.setProvider(new proto.AnalyzerProviderResource().setType(r.provider.type).setUrn(r.provider.urn).setName(r.provider.name).setProperties(Struct.fromJavaScript(r.provider.props as any)));
  return res;
}

const LEVEL_CODES = Object.fromEntries(Object.entries(LEVELS).map(([code, name]) => [name, Number(code)])) as Record<string, proto.EnforcementLevel>;

describe("policy pack served by run-policy-pack (Analyzer gRPC)", function () {
  this.timeout(120_000); // ts-node type-checks the pack on boot
  let child: ChildProcess | undefined;
  let client: AnalyzerClient;
  const stop = () => child?.exitCode === null && child.kill("SIGKILL");

  before(async () => {
    child = spawn(process.execPath, [RUN_POLICY_PACK, "127.0.0.1:1", "."], { cwd: PACK_DIR, stdio: ["ignore", "pipe", "pipe"] });
    process.once("exit", stop); // even if mocha is interrupted
    const port = await boot(child);
    client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  after(async () => {
    client?.close();
    if (child?.exitCode === null) {
      const exited = new Promise((resolve) => child!.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(stop, 5_000);
      await exited;
      clearTimeout(timer);
    }
    process.removeListener("exit", stop);
  });

  /** Configure as the engine does: every policy, its level resolved, schema defaults filled in. */
  async function configure(config: PolicyPackConfig): Promise<void> {
    const request = new proto.ConfigureAnalyzerRequest();
    for (const [name, { level, properties }] of resolvePolicyConfig(config)) {
      request.getPolicyconfigMap().set(name, new proto.PolicyConfig().setEnforcementlevel(LEVEL_CODES[level]).setProperties(Struct.fromJavaScript(properties as any)));
    }
    await call(client.configure.bind(client), request);
  }

  it("describes itself: name, version, every policy with its enforcement level and config schema", async () => {
    const info = await call<Empty, proto.AnalyzerInfo>(client.getAnalyzerInfo.bind(client), new Empty());
    assert.equal(info.getName(), PACK_NAME);
    assert.equal(info.getVersion(), version);
    assert.equal(info.getSupportsconfig(), true);
    const policies = info.getPoliciesList();
    assert.deepEqual(policies.map((p) => p.getName()), packArgs.policies.map((p) => p.name));
    const level = (name: string) => LEVELS[policies.find((p) => p.getName() === name)!.getEnforcementlevel()];
    assert.equal(level("ses-dmarc-alignment"), "mandatory");
    assert.equal(level("dmarc-minimum-policy"), "advisory");
    assert.equal(level("dmarc-report-authorization"), "advisory");
    const schema = policies.find((p) => p.getName() === "ses-dmarc-alignment")!.getConfigschema()!.getProperties()!.toJavaScript() as any;
    assert.deepEqual(schema.requiredPaths.enum, ["any", "both"]);
    assert.equal(schema.requiredPaths.default, "any");
    assert.equal(schema.fromDomains.type, "object");
  });

  it("takes config and reports a real violation exactly as the local runner does", async () => {
    const config: PolicyPackConfig = { "ses-dmarc-alignment": { requiredPaths: "both" } };
    await configure(config);

    // MAIL FROM passes, DKIM lacks a CNAME in one region: a failure only because both paths are required.
    const stack = domainStack({ domain: "example.com", regions: ["us-east-1", "ap-south-2"] }).filter((r) => r.name !== "example.com-ap-south-2-dkim-3");
    const response = await call<proto.AnalyzeStackRequest, proto.AnalyzeResponse>(client.analyzeStack.bind(client), new proto.AnalyzeStackRequest().setResourcesList(stack.map(analyzerResource)));
    const served = findingsOf(response);
    const alignment = served.filter((f) => f.policy === "ses-dmarc-alignment");
    assert.equal(alignment.length, 1);
    assert.equal(alignment[0].level, "mandatory");
    assert.match(alignment[0].message, /example\.com \(identity example\.com, ap-south-2\): DMARC fails, both paths must pass/);
    assert.ok(alignment[0].urn?.endsWith("::example.com-ap-south-2"));
    // The runner with the same config agrees (resource policies run through Analyze, not here).
    const local = (await runPolicies(stack, config)).filter((f) => f.policy !== "route53-txt-chunking");
    assert.deepEqual(served, local);
  });

  it("in preview, reports what waits for DKIM tokens as an advisory can't-run, like the runner", async () => {
    const config: PolicyPackConfig = { "ses-dmarc-alignment": { requiredPaths: "both" } };
    await configure(config);
    const stack = domainStack({ domain: "example.com", regions: ["eu-west-1"], preview: true, dns: "cloudflare" });
    const response = await call<proto.AnalyzeStackRequest, proto.AnalyzeResponse>(client.analyzeStack.bind(client), new proto.AnalyzeStackRequest().setResourcesList(stack.map(analyzerResource)));
    const diagnostics = response.getDiagnosticsList();
    // With both paths required, alignment waits for DKIM too.
    assert.deepEqual(diagnostics.map((d) => [d.getPolicyname(), LEVELS[d.getEnforcementlevel()]]), [["ses-dmarc-alignment", "advisory"], ["ses-dkim-records", "advisory"]]);
    const local = await runPolicies(stack, config);
    assert.deepEqual(diagnostics.map((d) => d.getMessage()), local.map((f) => f.message));
    assert.match(diagnostics[1].getMessage(), /^can't run policy 'ses-dkim-records' from policy pack 'ses-email-auth@v0\.1\.0' during preview: the DKIM CNAMEs of example\.com \(eu-west-1\) are known only after apply/);
  });

  it("passes, as the local runner does, the state the real providers write: Easy DKIM, BYODKIM, SES v1 and a DEED replica", async () => {
    await configure({});
    for (const file of ["route53.json", "cloudflare.json", "byodkim.json", "ses-v1.json", "deed.json"]) {
      const { resources } = readExport(join(EXPORTS, file));
      const response = await call<proto.AnalyzeStackRequest, proto.AnalyzeResponse>(client.analyzeStack.bind(client), new proto.AnalyzeStackRequest().setResourcesList(resources.map(analyzerResource)));
      assert.deepEqual(findingsOf(response), [], file);
      assert.deepEqual((await runPolicies(resources)).filter((f) => f.policy !== "route53-txt-chunking"), [], file);
    }
  });

  it("fails a DEED replica whose parent's records are missing, naming the parent region, as the local runner does", async () => {
    await configure({});
    const { resources } = readExport(join(EXPORTS, "deed.json"));
    const stack = resources.filter((r) => !/::example\.com-dkim-[123]$/.test(r.urn));
    const response = await call<proto.AnalyzeStackRequest, proto.AnalyzeResponse>(client.analyzeStack.bind(client), new proto.AnalyzeStackRequest().setResourcesList(stack.map(analyzerResource)));
    const served = findingsOf(response);
    assert.deepEqual(served, (await runPolicies(stack)).filter((f) => f.policy !== "route53-txt-chunking"));
    assert.ok(served.some((f) => f.level === "mandatory" && /\(eu-west-1\), a Deterministic Easy DKIM replica that signs with the keys of its af-south-1 identity: no CNAME at/.test(f.message)), JSON.stringify(served));
  });

  it("runs resource policies through Analyze", async () => {
    const long = { type: "aws:route53/record:Record", props: { name: "k._domainkey.example.com", type: "TXT", zoneId: "Z1", records: ["x".repeat(300)] } };
    const request = new proto.AnalyzeRequest().setType(long.type).setUrn("urn:pulumi:dev::app::aws:route53/record:Record::k").setName("k").setProperties(Struct.fromJavaScript(long.props));
    request.setOptions(new proto.AnalyzerResourceOptions());
    const response = await call<proto.AnalyzeRequest, proto.AnalyzeResponse>(client.analyze.bind(client), request);
    assert.deepEqual(response.getDiagnosticsList().map((d) => [d.getPolicyname(), LEVELS[d.getEnforcementlevel()]]), [["route53-txt-chunking", "mandatory"]]);
  });
});
