/**
 * Someone else's program (examples/consumer) with the library installed from its packed tarball,
 * in a directory of its own: it type-checks against the published declarations, runs under the
 * mock runtime with its own SDK, and its installed `ses-email-auth` command runs a real `verify`
 * against knot and an `audit` of a stack export.
 */
import { strict as assert } from "node:assert";
import { execFile, execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { plain, runProgram } from "../../tools/mock-run";
import { CASES, testZone } from "../verify/cases";
import { KnotServer, startKnot } from "../verify/knot";
import { packArgs } from "../../policy/pack";
import { MEMORY_FLAGS } from "../../tools/reports";
import { installed, ROOT } from "./packed";

const run = promisify(execFile);

describe("a program of someone else's using the installed library (examples/consumer)", function () {
  this.timeout(300_000); // npm install of the program's dependencies, tsc over @pulumi/aws
  let dir: string;

  before(() => {
    dir = installed("consumer", join(ROOT, "examples", "consumer"));
  });

  it("installs without @pulumi/cloudflare, an optional peer a Route 53 program never loads", () => {
    assert.ok(existsSync(join(dir, "node_modules", "ses-email-auth", "dist", "components", "index.js")));
    assert.equal(existsSync(join(dir, "node_modules", "@pulumi", "cloudflare")), false);
  });

  it("type-checks its import of ses-email-auth against the published declarations", () => {
    execFileSync(process.execPath, [join(dir, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", dir], { encoding: "utf8" });
  });

  it("runs under the mock runtime: its own zone, record and topic, SesDomain writing the records into that zone", async () => {
    const sdk = require(require.resolve("@pulumi/pulumi", { paths: [dir] }));
    const r = await runProgram({ config: { "aws:region": "us-east-1" }, preview: false, stack: "dev", project: "mail-platform", program: join(dir, "index.ts"), sdk });
    const zone = r.registrations.find((x) => x.type === "aws:route53/zone:Zone")!;
    const domain = r.registrations.find((x) => x.type === "ses-email-auth:index:SesDomain")!;
    assert.ok(r.registrations.some((x) => x.type === "aws:sns/topic:Topic" && x.name === "oncall" && !x.parent?.includes("SesDomain")));
    const records = r.registrations.filter((x) => x.type === "aws:route53/record:Record" && x.name !== "www");
    assert.equal(records.length, 2 * 3 + 3);
    assert.ok(records.every((x) => x.parent === domain.urn && x.propertyDependencies.zoneId.includes(zone.urn)));
    assert.deepEqual(r.invokes, [], "no lookup of a zone the program creates");
    const out = plain(r.outputs) as any;
    assert.deepEqual(out.identities.map((i: any) => i.region), ["us-east-1", "eu-west-1"]);
    assert.equal(JSON.parse(out.senderPolicies[0].senderPolicy).Statement[0].Action[0], "ses:SendEmail");
    assert.doesNotMatch(JSON.stringify(out.records), /undefined/);
  });

  it("loads neither @pulumi/cloudflare nor a PolicyPack when it imports the library and its policies", () => {
    const script = 'require("ses-email-auth"); const p = require("ses-email-auth/policy"); console.log(JSON.stringify([Object.keys(require.cache).some((k) => k.includes("@pulumi/cloudflare")), p.packArgs.policies.length]))';
    // A PolicyPack would start a gRPC server and keep this process alive past the timeout.
    const out = execFileSync(process.execPath, ["-e", script], { cwd: dir, encoding: "utf8", timeout: 60_000 });
    assert.deepEqual(JSON.parse(out), [false, packArgs.policies.length]);
  });

  describe("its ses-email-auth command", () => {
    let knot: KnotServer;
    const bin = () => join(dir, "node_modules", ".bin", "ses-email-auth");
    before(async () => {
      knot = await startKnot(testZone(CASES));
    });
    after(() => knot?.stop());

    it("verify: a domain that passes DMARC in each region, against knot, exit 0", async () => {
      const good = CASES.find((c) => c.spec.name === "good.test")!;
      const tokens = [...good.tokens].flatMap(([region, t]) => ["--dkim-tokens", `${region}=${t.join(",")}`]);
      const args = ["verify", "--domain", "good.test", "--regions", "us-east-1,eu-west-1", "--mail-from", "bounce.good.test", "--from", "news.good.test", ...tokens, "--resolver", knot.server];
      const { stdout } = await run(bin(), args, { cwd: dir });
      assert.match(stdout, /^good\.test +us-east-1 +verdict news\.good\.test +PASS/m);
      assert.match(stdout, /^OK: /m);
    });

    it("verify: exit 1 for a domain whose MAIL FROM has two MX records", async () => {
      await assert.rejects(run(bin(), ["verify", "--domain", "twomx.test", "--regions", "us-east-1", "--mail-from", "bounce.twomx.test", "--resolver", knot.server], { cwd: dir }), (e: any) => e.code === 1 && /NOT OK/.test(e.stdout));
    });

    it("audit: the policy pack over a stack export, exit 0, and usage errors exit 2", async () => {
      const { stdout } = await run(bin(), ["audit", "--state", join(ROOT, "tests", "fixtures", "exports", "route53.json")], { cwd: dir });
      assert.match(stdout, /No mandatory violation/);
      await assert.rejects(run(bin(), ["audit"], { cwd: dir }), (e: any) => e.code === 2 && /--state FILE is required/.test(e.stderr));
      await assert.rejects(run(bin(), ["reprots"], { cwd: dir }), (e: any) => e.code === 2 && /unknown command "reprots"/.test(e.stderr));
    });

    it("reports: a real report (google.com's, from Debian's dmarc-cat source) as JSON, exit 0, and usage errors exit 2", async () => {
      const report = join(ROOT, ".tmp", "debian-source", "dmarc-cat", "testdata", "google.com!keltia.net!1538438400!1538524799.xml");
      const { stdout } = await run(bin(), ["reports", "--json", report], { cwd: dir });
      const summary = JSON.parse(stdout);
      assert.deepEqual(summary.reports.map((r: any) => [r.reporter, r.domain]), [["google.com", "keltia.net"]]);
      assert.deepEqual(summary.errors, []);
      await assert.rejects(run(bin(), ["reports", "--since", "yesterday", report], { cwd: dir }), (e: any) => e.code === 2 && /--since/.test(e.stderr));
    });

    it("reports: reads in a Node started with its memory flags, which the bin's own Node lacks", async () => {
      const report = join(ROOT, ".tmp", "debian-source", "dmarc-cat", "testdata", "google.com!keltia.net!1538438400!1538524799.xml");
      const log = join(dir, "node-processes.log");
      const preload = join(dir, "log-node-process.js");
      writeFileSync(preload, `require("fs").appendFileSync(${JSON.stringify(log)}, JSON.stringify(process.execArgv) + "\\n");`);
      const started = async (nodeOptions: string) => {
        writeFileSync(log, "");
        const { stdout } = await run(bin(), ["reports", "--json", report], { cwd: dir, env: { ...process.env, NODE_OPTIONS: `--require ${preload} ${nodeOptions}` } });
        assert.equal(JSON.parse(stdout).reports.length, 1);
        return readFileSync(log, "utf8").trim().split("\n").map((line) => JSON.parse(line) as string[]);
      };
      assert.deepEqual(await started(""), [[], MEMORY_FLAGS]);
      // A semi-space size of the user's own is kept, however V8 lets it be spelt; only what is missing is added.
      const others = MEMORY_FLAGS.filter((flag) => !flag.startsWith("--max-semi-space-size"));
      for (const own of ["--max-semi-space-size=16", "--max_semi_space_size=16"]) assert.deepEqual(await started(own), [[], others], own);
    });
  });
});
