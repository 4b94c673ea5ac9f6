/**
 * The policy pack as `pulumi policy publish` ships it and an organization's stacks run it: `npm
 * pack` of policy/ (what publish uploads), unpacked alone in an empty directory, installed with
 * `npm install` there (what the CLI does before it runs a required pack: pkg/backend/httpstate/
 * policypack.go `installRequiredPolicy`), booted with the installed SDK's run-policy-pack, and
 * asked over the Analyzer protocol to judge a stack that fails DMARC and one that passes.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { packArgs } from "../../policy/pack";
import { runPolicies } from "../../tools/run-policies";
import { analyzeStack, analyzerClient, call, configure, findingsOf } from "../harness/analyzer";
import { BootedPlugin, bootPolicyPack } from "../harness/plugin-host";
import { domainStack } from "../policy/stacks";
import { copiesOf, installed, LIBRARY_VERSION, packed, unpacked } from "./packed";

describe("the published policy pack, from its tarball alone", function () {
  this.timeout(300_000); // npm install of the pack's dependencies
  let dir: string;
  let pack: BootedPlugin | undefined;
  let client: AnalyzerClient;

  before(async () => {
    const source = unpacked(packed().pack, "pack-tarball");
    const manifest = JSON.parse(readFileSync(join(source, "package.json"), "utf8"));
    // The registry serves ses-email-auth at this version: the library tarball of this run.
    assert.equal(manifest.dependencies["ses-email-auth"], LIBRARY_VERSION);
    dir = installed("policy-pack", source);
    pack = await bootPolicyPack(dir, 60_000);
    client = analyzerClient(pack.address);
  });

  after(async () => {
    client?.close();
    await pack?.stop();
  });

  it("holds only the pack's entry, its manifests and its configs", () => {
    const files = execFileSync("tar", ["tzf", packed().pack], { encoding: "utf8" }).trim().split("\n").sort();
    assert.deepEqual(files, ["package/PulumiPolicy.yaml", "package/config.dev.json", "package/config.prod.json", "package/index.js", "package/package.json"]);
  });

  it("loads the library and one copy of each SDK from its own node_modules, nothing from this repository", () => {
    // Resolved by a node in the pack's directory, as the pack resolves it (this test file would find this repository's own name first).
    const library = realpathSync(execFileSync(process.execPath, ["-p", 'require.resolve("ses-email-auth/policy")'], { cwd: dir, encoding: "utf8" }).trim());
    assert.ok(library.startsWith(realpathSync(dir)), library);
    // The policy SDK tells a value unknown in preview by instanceof: the pack and the library must share it.
    assert.deepEqual(copiesOf(dir, "@pulumi/policy"), ["v1.21.0"]);
    assert.equal(copiesOf(dir, "@pulumi/pulumi").length, 1);
  });

  it("describes itself as the pack: name, the library's version, every policy", async () => {
    const info = await call<Empty, any>(client.getAnalyzerInfo.bind(client), new Empty());
    assert.equal(info.getName(), "ses-email-auth");
    assert.equal(info.getVersion(), LIBRARY_VERSION);
    assert.deepEqual(info.getPoliciesList().map((p: any) => p.getName()), packArgs.policies.map((p) => p.name));
  });

  it("fails a stack without DMARC, mandatory, as the local runner does", async () => {
    await configure(client, {});
    const stack = domainStack({ domain: "example.com", regions: ["us-east-1", "eu-west-1"], dmarc: null });
    const served = findingsOf(await analyzeStack(client, stack));
    assert.deepEqual([...new Set(served.filter((f) => f.level === "mandatory").map((f) => f.policy))], ["ses-dmarc-record", "ses-dmarc-alignment"]);
    assert.match(served[0].message, /^example\.com \(identity example\.com\): no DMARC record at _dmarc\.example\.com/);
    assert.deepEqual(served, (await runPolicies(stack, {})).filter((f) => f.policy !== "route53-txt-chunking"));
  });

  it("passes a stack whose domain passes DMARC in every region", async () => {
    await configure(client, {});
    const stack = domainStack({ domain: "example.com", regions: ["us-east-1", "af-south-1"] });
    assert.deepEqual(findingsOf(await analyzeStack(client, stack)), []);
  });
});
