/**
 * Stack config read the way the Pulumi CLI merges it (pulumi/pulumi sdk/go/common/workspace
 * config.go `mergeConfig`, project.go `Validate`): every shipped stack passes, required keys,
 * declared types and secrets are enforced with the CLI's reasons, defaults fill what is left out.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { parseStackConfig } from "../../lib/config";
import { main } from "../../tools/verify/cli";
import { loadStackConfig, readStackConfig, StackFileError } from "../../tools/stack-config";
import { npmRun, removeDir, ROOT, tempStack } from "./cli";

const SHIPPED = readdirSync(ROOT).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []);
const PROJECT_FILE = readFileSync(join(ROOT, "Pulumi.yaml"), "utf8");

/** A project directory with `project` as Pulumi.yaml (default the real one) and one stack file. */
function project(stack: Record<string, unknown>, pulumiYaml: string | object = PROJECT_FILE): string {
  const dir = mkdtempSync(join(tmpdir(), "ses-config-"));
  writeFileSync(join(dir, "Pulumi.yaml"), typeof pulumiYaml === "string" ? pulumiYaml : stringify(pulumiYaml));
  writeFileSync(join(dir, "Pulumi.s.yaml"), stringify({ config: stack }));
  return dir;
}

function refusal(dir: string): string {
  try {
    loadStackConfig(dir, "s");
  } catch (error) {
    assert.ok(error instanceof StackFileError, String(error));
    return error.message;
  }
  assert.fail("the stack was accepted");
}

const minimal = { "ses-email-auth:regions": ["us-east-1"], "ses-email-auth:domains": [{ name: "example.com", zone: "example.com" }] };

describe("stack config: the CLI's rules", () => {
  const dirs: string[] = [];
  const dir = (stack: Record<string, unknown>, pulumiYaml?: string | object) => {
    const d = project(stack, pulumiYaml);
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach(removeDir));

  it(`passes every shipped stack file (${SHIPPED.join(", ")}), and the program accepts what it gives`, () => {
    assert.ok(SHIPPED.length >= 3, SHIPPED.join());
    for (const stack of SHIPPED) {
      const { config } = loadStackConfig(ROOT, stack);
      assert.doesNotThrow(() => parseStackConfig(config), stack);
    }
  });

  it("declares a default for every optional key of Pulumi.yaml, so only regions is required", () => {
    const declared = parse(PROJECT_FILE).config as Record<string, { default?: unknown }>;
    assert.deepEqual(Object.keys(declared).filter((k) => declared[k].default === undefined), ["regions"]);
  });

  it("passes a stack with addresses only, filling the defaults as the CLI hands them over", () => {
    const { config } = loadStackConfig(dir({ "aws:region": "eu-west-1", "ses-email-auth:regions": ["eu-west-1"], "ses-email-auth:addresses": ["ops@example.com"] }), "s");
    assert.deepEqual(config, {
      "aws:region": "eu-west-1",
      "ses-email-auth:regions": '["eu-west-1"]',
      "ses-email-auth:addresses": '["ops@example.com"]',
      "ses-email-auth:dnsProvider": "route53",
      "ses-email-auth:domains": "[]",
      "ses-email-auth:sending": "false",
      "ses-email-auth:protect": "false",
      "ses-email-auth:globalEndpoint": "false",
      "ses-email-auth:waitForVerification": "false",
      "ses-email-auth:reports": "false",
    });
    const spec = parseStackConfig(config);
    assert.deepEqual([spec.domains, spec.addresses.map((a) => a.address)], [[], ["ops@example.com"]]);
  });

  it("gives the program the same stack model with the defaults as without them", () => {
    for (const stack of SHIPPED) {
      const withDefaults = readStackConfig(ROOT, stack);
      const stackOnly = Object.fromEntries(Object.entries(withDefaults).filter(([key]) => JSON.stringify(parse(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")).config).includes(`"${key}"`)));
      assert.deepEqual(parseStackConfig(withDefaults), parseStackConfig(stackOnly), stack);
    }
  });

  it("refuses a stack without a required key, as the CLI does: Pulumi.yaml declared sending and domains without defaults", () => {
    const before = parse(PROJECT_FILE);
    delete before.config.sending.default;
    delete before.config.domains.default;
    assert.match(refusal(dir(minimal, before)), /Pulumi\.s\.yaml: Stack 's' is missing configuration value 'sending', which .*Pulumi\.yaml declares without a default/);
    assert.match(refusal(dir({ "ses-email-auth:regions": ["us-east-1"] }, before)), /missing configuration values 'domains' and 'sending'/);
    assert.match(refusal(dir({ "ses-email-auth:domains": [] })), /Stack 's' is missing configuration value 'regions'/);
  });

  it("checks declared types with the CLI's coercions: digit strings are integers, \"true\" a boolean", () => {
    assert.match(refusal(dir({ ...minimal, "ses-email-auth:regions": "us-east-1" })), /Stack 's' with configuration key 'regions' must be of type 'array<string>'/);
    assert.match(refusal(dir({ ...minimal, "ses-email-auth:regions": [1] })), /'regions' must be of type 'array<string>'/);
    assert.match(refusal(dir({ ...minimal, "ses-email-auth:protect": "maybe" })), /'protect' must be of type 'boolean'/);
    assert.match(refusal(dir({ ...minimal, "ses-email-auth:dnsProvider": ["route53"] })), /'dnsProvider' must be of type 'string'/);
    assert.match(refusal(dir({ ...minimal, "ses-email-auth:domains": ["example.com"] })), /'domains' must be of type 'array<object>'/);
    // A YAML scalar reaches the program as text, so the CLI accepts these.
    const typed = { config: { n: { type: "integer" }, b: { type: "boolean" }, s: { type: "string" } }, name: "p" };
    assert.deepEqual(loadStackConfig(dir({ n: "42", b: "true", s: 5 }, typed), "s").config, { "p:n": "42", "p:b": "true", "p:s": "5" });
    assert.match(refusal(dir({ n: "4.5", b: true, s: "x" }, typed)), /'n' must be of type 'integer'/);
  });

  it("needs an encrypted value for a secret key, and lists encrypted keys as secret", () => {
    const secretProject = { name: "p", config: { token: { type: "string", secret: true } } };
    assert.match(refusal(dir({ token: "plain" }, secretProject)), /Stack 's' with configuration key 'token' must be encrypted as it's secret/);
    const { config, secretKeys } = loadStackConfig(dir({ token: { secure: "v1:abc:def" }, "p:nested": { a: { secure: "v1:x:y" }, b: 1 } }, secretProject), "s");
    assert.deepEqual(config, { "p:token": "[secret]", "p:nested": '{"a":"[secret]","b":1}' });
    assert.deepEqual(secretKeys.sort(), ["p:nested", "p:token"]);
  });

  it("applies Pulumi.yaml's shorthand: a plain project value is a default, another namespace's a value", () => {
    const { config } = loadStackConfig(dir({}, { name: "p", config: { size: "t3.micro", "aws:region": "us-west-2", count: 3 } }), "s");
    assert.deepEqual(config, { "p:size": "t3.micro", "aws:region": "us-west-2", "p:count": "3" });
    assert.equal(loadStackConfig(dir({ "aws:region": "eu-west-1" }, { name: "p", config: { "aws:region": "us-west-2" } }), "s").config["aws:region"], "eu-west-1");
  });

  it("refuses a Pulumi.yaml the CLI would refuse, naming the key", () => {
    const cases: [object, RegExp][] = [
      [{ list: { type: "array" } }, /The configuration key 'list' declares an array but does not specify the underlying type via the 'items' attribute/],
      [{ n: { type: "integer", default: "many" } }, /The default value specified for configuration key 'n' is not of the expected type 'integer'/],
      [{ n: { default: 1, value: 2 } }, /project config 'n' cannot have both a 'default' and 'value' attribute/],
      [{ "aws:region": { type: "string", value: "x" } }, /Configuration key 'aws:region' is not namespaced by the project and should not define a type/],
      [{ "aws:region": { default: "x" } }, /should not define a default value/],
      [{ n: { type: "string", defualt: "x" } }, /config key 'n' has 'defualt', which a declaration does not take/],
      [{ n: { type: "number" } }, /config key 'n' has type 'number'/],
    ];
    for (const [config, message] of cases) assert.match(refusal(dir({}, { name: "p", config })), message);
    assert.match(refusal(dir({}, { config: {} })), /project is missing a 'name' attribute/);
  });

  it("exits 2 from plan and verify --stack with the CLI's reason, naming the key and the file, no stack trace", async () => {
    const missing = tempStack("noregions", { "ses-email-auth:domains": [{ name: "example.com", zone: "example.com" }] });
    dirs.push(missing);
    const r = npmRun("plan", ["--cwd", missing, "--stack", "noregions"]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^plan: .*Pulumi\.noregions\.yaml: Stack 'noregions' is missing configuration value 'regions'/);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
    const err: string[] = [];
    const code = await main(["--stack", "noregions"], { out: () => {}, err: (t) => err.push(t), cwd: missing });
    assert.equal(code, 2);
    assert.match(err.join(""), /Stack 'noregions' is missing configuration value 'regions'/);
  });
});
