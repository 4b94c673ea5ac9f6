/**
 * The library's package as npm publishes it: the packed tarball passes publint and
 * @arethetypeswrong/cli, holds what users need and nothing else, and is built before it is packed.
 * And since package.json's exports are now the library's, the program keeps running because
 * Pulumi.yaml names it: shown with the SDK's cmd/run, the way the language host runs a project.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FakeEngine, schemaProvider } from "../harness/fake-engine";
import { runLanguageHost } from "../harness/language-host";
import { loadStackConfig } from "../../tools/stack-config";
import { packed, ROOT } from "./packed";

const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const bin = (name: string) => join(ROOT, "node_modules", ".bin", name);

function files(tarball: string): string[] {
  return execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).trim().split("\n").map((f) => f.replace(/^package\//, ""));
}

describe("the library's package (npm pack)", function () {
  this.timeout(120_000);

  it("passes publint, strictly", () => {
    const out = execFileSync(bin("publint"), ["run", packed().library, "--strict"], { encoding: "utf8" });
    assert.doesNotMatch(out, /warning|error|suggestion/i, out);
  });

  it("passes @arethetypeswrong/cli: every entry point resolves with types under node10, node16 (CJS and ESM) and bundlers", () => {
    const report = JSON.parse(execFileSync(bin("attw"), [packed().library, "--format", "json"], { encoding: "utf8", maxBuffer: 1 << 26 }));
    assert.deepEqual(report.analysis.problems ?? [], []);
    assert.deepEqual(Object.keys(report.analysis.entrypoints).sort(), [".", "./package.json", "./policy"]);
  });

  it("holds dist/ (declarations and source maps included), the README and the library's page, nothing else", () => {
    const contents = files(packed().library);
    const outside = contents.filter((f) => !f.startsWith("dist/"));
    assert.deepEqual(outside.sort(), ["README.md", "docs/library.md", "package.json"]);
    for (const target of [manifest.main, manifest.types, manifest.exports["./policy"].default, manifest.exports["./policy"].types, manifest.bin["ses-email-auth"], "dist/tools/provider-schemas/aws.json"]) {
      assert.ok(contents.includes(target.replace(/^\.\//, "")), `${target} is not in the tarball`);
    }
    const js = contents.filter((f) => f.endsWith(".js"));
    assert.ok(js.every((f) => contents.includes(`${f}.map`) && contents.includes(f.replace(/\.js$/, ".d.ts"))), "a .js without its map or declarations");
    assert.ok(!contents.some((f) => /(^|\/)tests?\/|\.test\./.test(f)), "tests in the package");
  });

  it("builds dist/ afresh before every pack, and names the library's dependencies with ranges", () => {
    assert.equal(manifest.scripts.prepack, "npm run build");
    assert.match(readFileSync(join(ROOT, manifest.scripts.build.replace(/^bash /, "")), "utf8"), /^rm -rf dist$/m);
    assert.equal(manifest.private, undefined);
    for (const [name, range] of Object.entries({ ...manifest.dependencies, ...manifest.peerDependencies })) assert.match(range as string, /^\^\d/, name);
    assert.deepEqual(manifest.peerDependenciesMeta, { "@pulumi/cloudflare": { optional: true } });
  });

  it("keeps the pack's, the plugin's and the library's versions one", () => {
    for (const dir of ["policy", "plugin"]) {
      const other = JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8"));
      assert.equal(other.version, manifest.version, dir);
      assert.equal(other.dependencies["ses-email-auth"], manifest.version, dir);
    }
  });
});

describe("the program under the language host, now that package.json is the library's", function () {
  this.timeout(120_000);
  async function registered(main?: string): Promise<string[]> {
    const { config, secretKeys } = loadStackConfig(ROOT, "dev");
    const engine = await FakeEngine.start({ project: "ses-email-auth", stack: "dev", preview: true, config, ...schemaProvider({}, "us-east-1") });
    try {
      const exit = await runLanguageHost({ dir: ROOT, engine, project: "ses-email-auth", stack: "dev", preview: true, config, secretKeys, timeoutMs: 90_000, main });
      assert.equal(exit.code, 0, `${engine.logs.map((l) => l.message).join("\n")}${exit.stderr}`);
      return engine.resources.map((r) => r.type);
    } finally {
      await engine.close();
    }
  }

  it("runs index.ts, which Pulumi.yaml's main names", async () => {
    assert.ok((await registered()).includes("ses-email-auth:index:SesDomain"));
  });

  it("would run the library's entry without it: the host takes package.json's exports['.'] for '.', and declares nothing", async () => {
    assert.deepEqual(await registered("."), ["pulumi:pulumi:Stack"]);
  });
});
