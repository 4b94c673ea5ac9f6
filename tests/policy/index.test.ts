/**
 * The pack as the Pulumi CLI runs it from this repository (tests/harness/plugin-host.ts): the
 * pack's directory, policy/, serving the library's policies, then the Analyzer gRPC service on the
 * port it prints. tests/package/policy-pack.test.ts boots the published tarball the same way.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/analyzer_pb";
import { PACK_NAME, packArgs } from "../../policy/pack";
import { version } from "../../policy/package.json";
import { readExport } from "../../tools/plan/audit";
import { PolicyPackConfig, runPolicies } from "../../tools/run-policies";
import { analyzeStack, analyzerClient, call, configure, findingsOf, LEVELS } from "../harness/analyzer";
import { BootedPlugin, bootPolicyPack } from "../harness/plugin-host";
import { domainStack } from "./stacks";

const EXPORTS = join(__dirname, "..", "fixtures", "exports");
const PACK_DIR = join(__dirname, "..", "..", "policy");

describe("policy pack served by run-policy-pack (Analyzer gRPC)", function () {
  this.timeout(120_000);
  let pack: BootedPlugin | undefined;
  let client: AnalyzerClient;

  before(async () => {
    pack = await bootPolicyPack(PACK_DIR, 60_000);
    client = analyzerClient(pack.address);
  });

  after(async () => {
    client?.close();
    await pack?.stop();
  });

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
    await configure(client, config);

    // MAIL FROM passes, DKIM lacks a CNAME in one region: a failure only because both paths are required.
    const stack = domainStack({ domain: "example.com", regions: ["us-east-1", "ap-south-2"] }).filter((r) => r.name !== "example.com-ap-south-2-dkim-3");
    const served = findingsOf(await analyzeStack(client, stack));
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
    await configure(client, config);
    const stack = domainStack({ domain: "example.com", regions: ["eu-west-1"], preview: true, dns: "cloudflare" });
    const diagnostics = (await analyzeStack(client, stack)).getDiagnosticsList();
    // With both paths required, alignment waits for DKIM too.
    assert.deepEqual(diagnostics.map((d) => [d.getPolicyname(), LEVELS[d.getEnforcementlevel()]]), [["ses-dmarc-alignment", "advisory"], ["ses-dkim-records", "advisory"]]);
    const local = await runPolicies(stack, config);
    assert.deepEqual(diagnostics.map((d) => d.getMessage()), local.map((f) => f.message));
    assert.match(diagnostics[1].getMessage(), /^can't run policy 'ses-dkim-records' from policy pack 'ses-email-auth@v0\.1\.0' during preview: the DKIM CNAMEs of example\.com \(eu-west-1\) are known only after apply/);
  });

  it("passes, as the local runner does, the state the real providers write: Easy DKIM, BYODKIM, SES v1 and a DEED replica", async () => {
    await configure(client, {});
    for (const file of ["route53.json", "cloudflare.json", "byodkim.json", "ses-v1.json", "deed.json"]) {
      const { resources } = readExport(join(EXPORTS, file));
      assert.deepEqual(findingsOf(await analyzeStack(client, resources)), [], file);
      assert.deepEqual((await runPolicies(resources)).filter((f) => f.policy !== "route53-txt-chunking"), [], file);
    }
  });

  it("fails a DEED replica whose parent's records are missing, naming the parent region, as the local runner does", async () => {
    await configure(client, {});
    const { resources } = readExport(join(EXPORTS, "deed.json"));
    const stack = resources.filter((r) => !/::example\.com-dkim-[123]$/.test(r.urn));
    const served = findingsOf(await analyzeStack(client, stack));
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
