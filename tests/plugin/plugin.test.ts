/**
 * The multi-language component (plugin/) as `pulumi package add` and a Python, Go, C#, Java or YAML
 * program use it, without the CLI: booted as the Node language host boots a plugin
 * (tests/harness/plugin-host.ts), asked for its schema, and asked to Construct components against
 * the fake engine, as the engine does for a program in another language (pulumi/pulumi
 * `sdk/go/common/resource/plugin/provider_plugin.go` Construct: inputs with output values kept,
 * a secret as an output value marked secret, since the monitor upgrades secrets to output values
 * when it reads the program's registration, `pkg/resource/deploy/source_eval.go`).
 * What Construct registers is compared with what the TypeScript component registers for the
 * same arguments under the mock runtime.
 */
import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse } from "yaml";
import { SesDomain } from "../../components/ses-domain";
import { SesDomainArgs } from "../../components/args";
import { ADDRESS_KEYS, DKIM_KEYS, DMARC_KEYS, DNS_KEYS, DOMAIN_KEYS, MAIL_FROM_KEYS, SENDING_KEYS } from "../../lib/args";
import { GLOBAL_ENDPOINT_KEYS } from "../../lib/global-endpoint";
import { RECEIVING_KEYS, RULE_SET_KEYS } from "../../lib/receiving";
import { VERIFICATION_KEYS } from "../../lib/verification";
import { SECRET_SIG } from "../../lib/state";
import { runProgram } from "../../tools/mock-run";
import { call } from "../harness/analyzer";
import { FakeEngine, schemaProvider } from "../harness/fake-engine";
import { BootedPlugin, bootComponentProvider } from "../harness/plugin-host";
import { CLOUDFLARE_ZONE, rsaKeyPair } from "../fixtures/stacks";

const ROOT = join(__dirname, "..", "..");
const PLUGIN_DIR = join(ROOT, "plugin");
const SNAPSHOT = join(__dirname, "schema.snapshot.json");
const SDK_DIR = dirname(require.resolve("@pulumi/pulumi/package.json"));
const fromSdk = (module: string) => require(require.resolve(module, { paths: [SDK_DIR] }));
const { Struct } = fromSdk("google-protobuf/google/protobuf/struct_pb");
const providerGrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const providerPb = require("@pulumi/pulumi/proto/provider_pb");
const statusPb = require("@pulumi/pulumi/proto/status_pb");
const errorsPb = require("@pulumi/pulumi/proto/errors_pb");

const PROJECT = "mail";
const STACK = "dev";
const REGION = "us-east-1";
const STACK_URN = `urn:pulumi:${STACK}::${PROJECT}::pulumi:pulumi:Stack::${PROJECT}-${STACK}`;
/** The SDK's signature of an output value (sdk/nodejs/runtime/rpc.ts `specialOutputValueSig`). */
const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

type Props = Record<string, any>;

/** The YAML program of docs/library.md: what a YAML user writes, checked against the schema and constructed below. */
function documentedProgram(): { resources: Record<string, { type: string; properties: Props }> } {
  const doc = readFileSync(join(ROOT, "docs", "library.md"), "utf8");
  const block = /```yaml\n(name: [\s\S]*?runtime: yaml[\s\S]*?)```/.exec(doc);
  assert.ok(block, "docs/library.md shows a YAML program");
  return parse(block[1]);
}

/** A resource as registered, by what names it in any engine: type::name, its parent's, its inputs and links. */
interface Seen {
  key: string;
  parent: string;
  protect: boolean;
  inputs: Props;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
}

function seen(resources: readonly { urn: string; type: string; name: string; parent?: string; protect: boolean; inputs: Props; dependencies: string[]; propertyDependencies: Record<string, string[]> }[]): Seen[] {
  // The root stack is the program's, whichever engine named it.
  const keyOf = new Map(resources.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => [r.urn, `${r.type}::${r.name}`]));
  const key = (urn: string | undefined) => (urn && keyOf.get(urn)) || "the program";
  return resources
    .filter((r) => !r.type.startsWith("pulumi:providers:") && r.type !== "pulumi:pulumi:Stack")
    .map((r) => ({
      key: `${r.type}::${r.name}`,
      parent: key(r.parent),
      protect: r.protect,
      inputs: r.inputs,
      dependencies: r.dependencies.map(key).sort(),
      propertyDependencies: Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, v]) => [k, v.map(key).sort()])),
    }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

/** What the TypeScript component registers for `args` under the mock runtime. */
async function typescriptComponent(name: string, args: SesDomainArgs): Promise<Seen[]> {
  const run = await runProgram({ config: { "aws:region": REGION }, preview: false, stack: STACK, program: () => void new SesDomain(name, args) });
  return seen(run.registrations);
}

describe("the multi-language component (plugin/), booted as the language host boots it", function () {
  // ts-node type-checks the plugin against the library's declarations on boot; the schema is inferred the same way.
  this.timeout(240_000);
  let engine: FakeEngine;
  let plugin: BootedPlugin | undefined;
  let client: any;
  let programDir: string;

  before(async () => {
    engine = await FakeEngine.start({ project: PROJECT, stack: STACK, preview: false, config: { "aws:region": REGION }, ...schemaProvider({}, REGION) });
    // The consuming program's directory, where the engine runs plugins: a YAML program's.
    programDir = mkdtempSync(join(tmpdir(), "ses-plugin-consumer-"));
    writeFileSync(join(programDir, "Pulumi.yaml"), `name: ${PROJECT}\nruntime: yaml\n`);
    plugin = await bootComponentProvider(PLUGIN_DIR, engine.engineAddress, programDir, 180_000);
    client = new providerGrpc.ResourceProviderClient(plugin.address, grpc.credentials.createInsecure());
  });

  after(async () => {
    client?.close();
    await plugin?.stop();
    await engine?.close();
    rmSync(programDir, { recursive: true, force: true });
  });

  async function schema(): Promise<Props> {
    const response = await call<any, any>(client.getSchema.bind(client), new providerPb.GetSchemaRequest().setVersion(0));
    return JSON.parse(response.getSchema());
  }

  /** Construct as the engine does for a program of another language; the error, if any, as gRPC returns it. */
  async function construct(type: string, name: string, inputs: Props): Promise<{ error?: grpc.ServiceError; state?: Props }> {
    const request = new providerPb.ConstructRequest()
      .setProject(PROJECT)
      .setStack(STACK)
      .setOrganization("organization")
      .setDryrun(false)
      .setParallel(16)
      .setMonitorendpoint(engine.monitorAddress)
      .setType(type)
      .setName(name)
      .setParent(STACK_URN)
      .setInputs(Struct.fromJavaScript(inputs))
      .setAcceptsOutputValues(true);
    request.getConfigMap().set("aws:region", REGION);
    try {
      const response = await call<any, any>(client.construct.bind(client), request);
      return { state: response.getState()?.toJavaScript() };
    } catch (error) {
      return { error: error as grpc.ServiceError };
    }
  }

  /** Everything Construct registered for the component named `name`. */
  function registeredBy(name: string): Seen[] {
    const component = engine.resources.find((r) => r.type === "ses-email-auth:index:SesDomain" && r.name === name);
    assert.ok(component, `Construct registered no SesDomain "${name}"`);
    const family = new Set([component.urn]);
    for (const r of engine.resources) if (r.parent && family.has(r.parent)) family.add(r.urn);
    return seen(engine.resources.filter((r) => family.has(r.urn)));
  }

  it("answers GetSchema with the committed snapshot: types, enums, required properties, a description on each", async () => {
    const actual = await schema();
    const expected = JSON.parse(readFileSync(SNAPSHOT, "utf8"));
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      // A changed argument interface changes every SDK generated from it: review, then copy it over the snapshot.
      mkdirSync(join(ROOT, ".tmp"), { recursive: true });
      writeFileSync(join(ROOT, ".tmp", "schema.actual.json"), `${JSON.stringify(actual, null, 2)}\n`);
    }
    assert.deepEqual(actual, expected, "schema differs from tests/plugin/schema.snapshot.json; the new one is .tmp/schema.actual.json");

    const domain = actual.resources["ses-email-auth:index:SesDomain"];
    assert.equal(domain.isComponent, true);
    assert.deepEqual(domain.requiredInputs, ["dns", "domain", "regions"]);
    assert.deepEqual(actual.types["ses-email-auth:index:DnsTarget"].required, ["provider", "zone"]);
    assert.deepEqual(actual.types["ses-email-auth:index:DnsProvider"].enum.map((e: Props) => e.value), ["route53", "cloudflare"]);
    assert.deepEqual(actual.types["ses-email-auth:index:DkimSigning"].enum.map((e: Props) => e.value), ["easy", "byodkim"]);
    // Only the zone and the private key may be outputs of other resources; everything else is plain.
    const plain = (props: Props) => Object.entries(props).filter(([, p]) => !p.plain).map(([k]) => k);
    assert.deepEqual(plain(actual.types["ses-email-auth:index:DnsTarget"].properties), ["zone"]);
    assert.deepEqual(plain(actual.types["ses-email-auth:index:DkimArgs"].properties), ["privateKey"]);
    const undocumented = [
      ...Object.entries(actual.resources as Props).flatMap(([token, r]) => [...Object.entries(r.inputProperties), ...Object.entries(r.properties)].filter(([, p]: [string, any]) => !p.description).map(([k]) => `${token}.${k}`)),
      ...Object.entries(actual.types as Props).flatMap(([token, t]) => Object.entries(t.properties ?? {}).filter(([, p]: [string, any]) => !p.description).map(([k]) => `${token}.${k}`)),
    ];
    assert.deepEqual(undocumented, []);
  });

  it("has exactly the properties the validator takes (lib/args.ts), so no argument is refused or ignored", async () => {
    const s = await schema();
    const keys = (token: string) => Object.keys(s.types[`ses-email-auth:index:${token}`].properties);
    assert.deepEqual(Object.keys(s.resources["ses-email-auth:index:SesDomain"].inputProperties), [...DOMAIN_KEYS]);
    assert.deepEqual(Object.keys(s.resources["ses-email-auth:index:SesAddress"].inputProperties), [...ADDRESS_KEYS]);
    assert.deepEqual(keys("DnsTarget"), [...DNS_KEYS]);
    assert.deepEqual(keys("MailFromArgs"), [...MAIL_FROM_KEYS]);
    assert.deepEqual(keys("DkimArgs"), [...DKIM_KEYS]);
    assert.deepEqual(keys("DmarcArgs").sort(), [...DMARC_KEYS].sort());
    assert.deepEqual(keys("SendingArgs"), [...SENDING_KEYS]);
    assert.deepEqual(keys("VerificationArgs"), [...VERIFICATION_KEYS]);
    assert.deepEqual(Object.keys(s.resources["ses-email-auth:index:SesGlobalEndpoint"].inputProperties), [...GLOBAL_ENDPOINT_KEYS]);
    assert.deepEqual(Object.keys(s.resources["ses-email-auth:index:SesReportReceiving"].inputProperties), [...RECEIVING_KEYS]);
    assert.deepEqual(keys("ReceiptRuleSetArgs"), [...RULE_SET_KEYS]);
  });

  it("is the schema the YAML program in docs/library.md is written against", async () => {
    const s = await schema();
    const check = (path: string, value: unknown, spec: Props | undefined): string[] => {
      if (!spec) return [`${path}: no such property`];
      const ref = spec.$ref?.replace("#/types/", "");
      const type = ref ? s.types[ref] : spec;
      if (type.enum) return type.enum.some((e: Props) => e.value === value) ? [] : [`${path}: ${JSON.stringify(value)} is none of ${ref}`];
      if (type.properties) {
        const missing = (type.required ?? []).filter((k: string) => !(k in (value as Props))).map((k: string) => `${path}.${k}: required`);
        return [...missing, ...Object.entries(value as Props).flatMap(([k, v]) => check(`${path}.${k}`, v, type.properties[k]))];
      }
      if (type.type === "array") return (value as unknown[]).flatMap((v, i) => check(`${path}[${i}]`, v, type.items));
      return typeof value === (type.type === "integer" ? "number" : type.type) ? [] : [`${path}: not a ${type.type}`];
    };
    const program = documentedProgram();
    const components = Object.entries(program.resources).filter(([, r]) => r.type.startsWith("ses-email-auth:"));
    assert.ok(components.length > 0);
    for (const [name, r] of components) {
      const resource = s.resources[r.type];
      assert.ok(resource, `${name}: no ${r.type} in the schema`);
      assert.deepEqual(check(name, r.properties, { properties: resource.inputProperties, required: resource.requiredInputs }), []);
    }
  });

  it("constructs the documented Route 53 domain with exactly the children the TypeScript component registers", async () => {
    const [name, mail] = Object.entries(documentedProgram().resources).find(([, r]) => r.type === "ses-email-auth:index:SesDomain")!;
    const { error, state } = await construct(mail.type, name, mail.properties);
    assert.equal(error, undefined, error?.details);
    assert.deepEqual(registeredBy(name), await typescriptComponent(name, mail.properties as SesDomainArgs));
    assert.equal(state!.identities.length, mail.properties.regions.length);
    assert.ok(state!.records.every((r: Props) => !r.name.includes("undefined")));
  });

  it("constructs a Cloudflare BYODKIM domain, its private key sent as a secret output value, as the TypeScript component does", async () => {
    const key = rsaKeyPair(1024);
    const args = {
      domain: "example.org",
      regions: [REGION, "af-south-1"],
      dns: { provider: "cloudflare", zone: CLOUDFLARE_ZONE },
      dkim: { signing: "byodkim", selector: "ses2026", publicKey: key.publicKey },
      mailFrom: { perRegion: true },
      ttl: 1,
    };
    const { error } = await construct("ses-email-auth:index:SesDomain", "example.org", { ...args, dkim: { ...args.dkim, privateKey: { [SIG_KEY]: OUTPUT_VALUE_SIG, value: key.privateKey, secret: true } } });
    assert.equal(error, undefined, error?.details);
    const constructed = registeredBy("example.org");
    assert.deepEqual(constructed, await typescriptComponent("example.org", { ...args, dkim: { ...args.dkim, privateKey: pulumi.secret(key.privateKey) } } as SesDomainArgs));
    assert.ok(constructed.some((r) => r.key.startsWith("cloudflare:index/dnsRecord:DnsRecord::")));
    const identity = engine.resources.find((r) => r.type === "aws:sesv2/emailIdentity:EmailIdentity" && r.name === "example.org-af-south-1")!;
    assert.equal((identity.inputs.dkimSigningAttributes as Props).domainSigningPrivateKey[SIG_KEY], SECRET_SIG, "sent to SES as a secret");
  });

  it("refuses invalid arguments with INVALID_ARGUMENT naming each property path, registering nothing", async () => {
    const before = engine.resources.length;
    const { error } = await construct("ses-email-auth:index:SesDomain", "example.net", {
      domain: "example.net",
      regions: [REGION, "us-east-9"],
      dns: { provider: "route53", zone: "example.com" },
      mailFrom: { enabled: false, subdomain: "bounce" },
      dmarc: { policy: "block" },
    });
    assert.ok(error, "Construct succeeded");
    assert.equal(error.code, grpc.status.INVALID_ARGUMENT);
    const status = statusPb.Status.deserializeBinary(error.metadata.get("grpc-status-details-bin")[0] as Buffer);
    const details = errorsPb.InputPropertiesError.deserializeBinary(status.getDetailsList()[0].getValue_asU8());
    assert.deepEqual(
      details.getErrorsList().map((e: any) => [e.getPropertyPath(), e.getReason()]),
      [
        ["regions[1]", '"us-east-9" is not an AWS region; use an SES region such as us-east-1 or eu-west-1'],
        ["dns.zone", 'hosted zone "example.com" cannot hold records of example.net; name its zone or a parent\'s'],
        ["mailFrom.subdomain", "has no effect while mailFrom.enabled is false; remove one of the two"],
        ["dmarc.policy", 'must be one of none | quarantine | reject; got "block"'],
      ],
    );
    assert.equal(engine.resources.length, before, "nothing registered");
  });
});
