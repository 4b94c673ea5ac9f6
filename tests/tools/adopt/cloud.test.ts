/**
 * `adopt` through the real SDK clients (@aws-sdk/client-sesv2, @aws-sdk/client-route-53,
 * cloudflare) against a local server answering the services' documented shapes (cloud-server.ts):
 * what they report, the import ids, and both ways of adopting checked against the URNs the program
 * registers under the mock runtime: the import file's types, names and parents, and the `adopt`
 * config's `import` option on every resource. Then refusals and bad input: exit 2, nothing written.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { AdoptAction, ImportFile, importFileUrns } from "../../../lib/adopt";
import { PROJECT } from "../../../lib/config";
import { runProgram } from "../../../tools/mock-run";
import { readStackConfig } from "../../../tools/stack-config";
import { CLOUDFLARE_ZONE } from "../../fixtures/stacks";
import { KnotServer, startKnot } from "../../verify/knot";
import { CloudServer, CloudWorld, cloudEnv, startCloudServer } from "./cloud-server";
import { adopt, project, withoutAws } from "./helpers";

const ZONE_ID = "Z0123456789ABC";
const TOKEN = "cf-test-token-0123456789";
const TOKENS: Record<string, string[]> = {
  "us-east-1": ["aaaa1111", "bbbb2222", "cccc3333"],
  "eu-west-1": ["dddd4444", "eeee5555", "ffff6666"],
  "af-south-1": ["gggg7777", "hhhh8888", "iiii9999"],
  "us-east-1-net": ["jjjj1234", "kkkk5678", "llll9012"],
};
const DKIM_HOST: Record<string, string> = { "us-east-1": "dkim.amazonses.com", "eu-west-1": "dkim.amazonses.com", "af-south-1": "dkim.af-south-1.amazonses.com" };
const cfId = (n: number) => n.toString(16).padStart(32, "0");

const WORLD: CloudWorld = {
  ses: {
    "us-east-1": {
      "example.com": { tokens: TOKENS["us-east-1"], mailFromDomain: "bounce.example.com", behaviorOnMxFailure: "REJECT_MESSAGE" },
      "example.net": { tokens: TOKENS["us-east-1-net"], mailFromDomain: "bounce-us-east-1.example.net", behaviorOnMxFailure: "REJECT_MESSAGE" },
    },
    "eu-west-1": { "example.com": { tokens: TOKENS["eu-west-1"], mailFromDomain: "bounce.example.com", behaviorOnMxFailure: "REJECT_MESSAGE" } },
    "af-south-1": { "example.net": { tokens: TOKENS["af-south-1"], mailFromDomain: "bounce-af-south-1.example.net", behaviorOnMxFailure: "REJECT_MESSAGE" } },
  },
  route53: {
    "example.com": {
      id: ZONE_ID,
      sets: [
        { name: "example.com.", type: "NS", ttl: 172800, values: ["ns-1.awsdns-01.org."] },
        ...["us-east-1", "eu-west-1"].flatMap((region) => TOKENS[region].map((t) => ({ name: `${t}._domainkey.example.com.`, type: "CNAME", ttl: 3600, values: [`${t}.dkim.amazonses.com`] }))),
        { name: "bounce.example.com.", type: "MX", ttl: 3600, values: ["10 feedback-smtp.us-east-1.amazonses.com"] },
        { name: "bounce.example.com.", type: "TXT", ttl: 3600, values: ['"v=spf1 include:amazonses.com ~all"'] },
        { name: "_dmarc.example.com.", type: "TXT", ttl: 3600, values: ['"v=DMARC1; p=quarantine; pct=25; rua=mailto:dmarcreports@example.com"'] },
      ],
    },
    // A weighted TXT set at the DMARC name (someone's experiment): a simple record cannot join it.
    "example.org": { id: "Z0ORG0000000001", sets: [{ name: "_dmarc.example.org.", type: "TXT", ttl: 300, values: ['"v=DMARC1; p=none"'], setIdentifier: "canary" }] },
  },
  cloudflare: {
    [CLOUDFLARE_ZONE]: [
      ...["us-east-1", "af-south-1"].flatMap((region, r) => [
        ...TOKENS[region === "us-east-1" ? "us-east-1-net" : region].map((t, i) => ({ id: cfId(10 * r + i + 1), name: `${t}._domainkey.example.net`, type: "CNAME", content: `${t}.${DKIM_HOST[region]}`, ttl: 1 })),
        { id: cfId(10 * r + 4), name: `bounce-${region}.example.net`, type: "MX", content: `feedback-smtp.${region}.amazonses.com`, priority: 10, ttl: 1 },
        { id: cfId(10 * r + 5), name: `bounce-${region}.example.net`, type: "TXT", content: '"v=spf1 include:amazonses.com ~all"', ttl: 1 },
      ]),
      { id: cfId(99), name: "_dmarc.example.net", type: "TXT", content: '"v=DMARC1; p=none; rua=mailto:dmarcreports@example.net"', ttl: 1 },
      { id: cfId(98), name: "example.net", type: "A", content: "192.0.2.10", ttl: 1 },
      { id: cfId(97), name: "_dmarc.example.net", type: "TXT", content: '"google-site-verification=not-dmarc"', ttl: 1 },
    ],
  },
  cloudflareToken: TOKEN,
};

const example = { name: "example.com", mailFrom: { subdomain: "bounce" } };
const STACKS: Record<string, Record<string, unknown>> = {
  route53: {
    "aws:region": "us-east-1",
    "ses-email-auth:regions": ["us-east-1", "eu-west-1"],
    "ses-email-auth:domains": [{ ...example, zone: "example.com", dmarc: { policy: "quarantine", percent: 25, rua: ["mailto:dmarcreports@example.com"] } }],
  },
  cloudflare: {
    "aws:region": "us-east-1",
    "ses-email-auth:regions": ["us-east-1", "af-south-1"],
    "ses-email-auth:dnsProvider": "cloudflare",
    "ses-email-auth:domains": [{ name: "example.net", zone: CLOUDFLARE_ZONE, ttl: 1, mailFrom: { subdomain: "bounce", perRegion: true }, dmarc: { policy: "none", rua: ["mailto:dmarcreports@example.net"] } }],
  },
  partial: {
    "aws:region": "us-east-1",
    "ses-email-auth:regions": ["eu-central-1"],
    "ses-email-auth:domains": [{ name: "example.org", zone: "example.org" }],
  },
};

/**
 * A URN as the engine spells it. The mock monitor qualifies a type with its parent's last type
 * even when that is the root stack (`@pulumi/pulumi` runtime/mocks.js `newUrn`); the engine leaves
 * the root stack's type out (`resource.NewURN`). Only children of the stack differ.
 */
const engineUrn = (urn: string) => urn.replace(/::pulumi:pulumi:Stack\$/, "::");

/** Every URN the program registers for `stack`, and the import id each resource was registered with. */
async function programRun(dir: string, stack: string, adoptIds?: Record<string, string>) {
  const config = readStackConfig(dir, stack);
  if (adoptIds) {
    const domains = JSON.parse(config[`${PROJECT}:domains`]);
    domains[0].adopt = adoptIds;
    config[`${PROJECT}:domains`] = JSON.stringify(domains);
  }
  const run = await runProgram({ config, preview: true, stack });
  return run.registrations;
}

describe("adopt through the SDK clients (local SES, Route 53 and Cloudflare)", () => {
  let server: CloudServer;
  let knot: KnotServer;
  let dirs: Record<string, string>;
  const resolver = () => ["--resolver", knot.server];
  const env = (token?: string) => cloudEnv(server, withoutAws(), token);

  before(async () => {
    server = await startCloudServer(WORLD);
    // Live DNS answers nothing here: what the APIs list is what exists.
    knot = await startKnot("");
    dirs = Object.fromEntries(Object.entries(STACKS).map(([stack, config]) => [stack, project(stack, config)]));
  });
  after(async () => {
    await server?.close();
    await knot?.stop();
    for (const dir of Object.values(dirs ?? {})) rmSync(dir, { recursive: true, force: true });
  });

  describe("a Route 53 stack whose every resource exists", () => {
    let result: Awaited<ReturnType<typeof adopt>>;
    let file: string;
    before(async () => {
      file = join(dirs.route53, "import.json");
      server.requests.length = 0;
      result = await adopt(["--stack", "route53", ...resolver(), "--import-file", file, "--json"], dirs.route53, env());
    });

    it("asks SES in each region and Route 53 for the zone and every page of its record sets, signed for each service", () => {
      assert.equal(result.code, 0, result.err);
      const ses = server.requests.filter((r) => r.service === "ses");
      assert.deepEqual(ses.map((r) => [r.line, r.region]), [["GET /v2/email/identities/example.com", "us-east-1"], ["GET /v2/email/identities/example.com", "eu-west-1"]]);
      const route53 = server.requests.filter((r) => r.service === "route53").map((r) => r.line);
      assert.deepEqual(route53, ["GET /2013-04-01/hostedzonesbyname", ...Array(5).fill(`GET /2013-04-01/hostedzone/${ZONE_ID}/rrset`)]);
      assert.deepEqual(result.report!.sources.slice(1).map((s) => [s.source, s.status, s.detail]), [
        ["ses", "used", "GetEmailIdentity in us-east-1, eu-west-1"],
        ["route53", "used", `zones example.com=${ZONE_ID}`],
        ["cloudflare", "skipped", "no Cloudflare domain"],
      ]);
    });

    it("adopts every resource with its provider's import id", () => {
      const [d] = result.report!.domains;
      assert.equal(d.zoneId, ZONE_ID);
      for (const r of d.rows) assert.equal(r.action, AdoptAction.ADOPT, `${r.resource}: ${r.differences.join("; ")} ${r.advice ?? ""}`);
      assert.deepEqual(d.adopt, {
        "example.com-us-east-1": "example.com@us-east-1",
        "example.com-eu-west-1": "example.com@eu-west-1",
        "example.com-us-east-1-mail-from": "example.com@us-east-1",
        "example.com-eu-west-1-mail-from": "example.com@eu-west-1",
        ...Object.fromEntries(["us-east-1", "eu-west-1"].flatMap((region) => TOKENS[region].map((t, i) => [`example.com-dkim-${region}-${i + 1}`, `${ZONE_ID}_${t}._domainkey.example.com_CNAME`]))),
        "example.com-mail-from-mx": `${ZONE_ID}_bounce.example.com_MX`,
        "example.com-mail-from-spf": `${ZONE_ID}_bounce.example.com_TXT`,
        "example.com-dmarc": `${ZONE_ID}__dmarc.example.com_TXT`,
      });
    });

    it("writes an import file whose types, names and parents are the URNs the program registers", async () => {
      const doc = JSON.parse(readFileSync(file, "utf8")) as ImportFile;
      const program = (await programRun(dirs.route53, "route53")).filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => engineUrn(r.urn)).sort();
      assert.deepEqual(importFileUrns(doc, "route53", PROJECT).sort(), program);
      assert.deepEqual(doc.resources[0], { type: "ses-email-auth:index:SesDomain", name: "example.com", component: true });
      assert.deepEqual(doc.nameTable, {});
    });

    it("with the printed adopt config, the program registers every resource with the import option and that id", async () => {
      const ids = result.report!.domains[0].adopt;
      const registered = (await programRun(dirs.route53, "route53", ids)).filter((r) => r.custom);
      assert.equal(registered.length, Object.keys(ids).length);
      for (const r of registered) assert.equal(r.importId, ids[r.name], r.urn);
    });
  });

  describe("a Cloudflare stack whose every resource exists", () => {
    let result: Awaited<ReturnType<typeof adopt>>;
    let file: string;
    before(async () => {
      file = join(dirs.cloudflare, "import.json");
      result = await adopt(["--stack", "cloudflare", ...resolver(), "--import-file", file, "--json"], dirs.cloudflare, env(TOKEN));
    });

    it("adopts every record by <zone id>/<record id> from Cloudflare's list, and the identities from SES", () => {
      assert.equal(result.code, 0, result.err);
      assert.deepEqual(result.report!.sources.find((s) => s.source === "cloudflare"), { source: "cloudflare", status: "used", detail: `zones ${CLOUDFLARE_ZONE}` });
      const [d] = result.report!.domains;
      for (const r of d.rows) assert.equal(r.action, AdoptAction.ADOPT, `${r.resource}: ${r.differences.join("; ")} ${r.advice ?? ""}`);
      assert.equal(d.adopt["example.net-dkim-af-south-1-2"], `${CLOUDFLARE_ZONE}/${cfId(12)}`);
      assert.equal(d.adopt["example.net-mail-from-mx-af-south-1"], `${CLOUDFLARE_ZONE}/${cfId(14)}`);
      assert.equal(d.adopt["example.net-mail-from-spf-af-south-1"], `${CLOUDFLARE_ZONE}/${cfId(15)}`);
      assert.equal(d.adopt["example.net-mail-from-spf-us-east-1"], `${CLOUDFLARE_ZONE}/${cfId(5)}`);
      // The site verification text at _dmarc is another record: Cloudflare's DMARC record is the one adopted.
      assert.equal(d.adopt["example.net-dmarc"], `${CLOUDFLARE_ZONE}/${cfId(99)}`);
      assert.equal(d.adopt["example.net-af-south-1-mail-from"], "example.net@af-south-1");
      assert.equal(Object.keys(d.adopt).length, 2 + 2 + 6 + 4 + 1);
    });

    it("writes an import file whose URNs are the program's, and the adopt config imports every resource", async () => {
      const doc = JSON.parse(readFileSync(file, "utf8")) as ImportFile;
      const program = (await programRun(dirs.cloudflare, "cloudflare")).filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => engineUrn(r.urn)).sort();
      assert.deepEqual(importFileUrns(doc, "cloudflare", PROJECT).sort(), program);
      const ids = result.report!.domains[0].adopt;
      const registered = (await programRun(dirs.cloudflare, "cloudflare", ids)).filter((r) => r.custom);
      assert.equal(registered.length, Object.keys(ids).length);
      for (const r of registered) assert.equal(r.importId, ids[r.name], r.urn);
    });
  });

  it("reports what SES and Route 53 do not have as to be created, and a routed record set at a name the stack writes as a conflict", async () => {
    const { code, report, err } = await adopt(["--stack", "partial", ...resolver(), "--json"], dirs.partial, env());
    assert.equal(code, 1, err);
    const rows = report!.domains[0].rows;
    assert.deepEqual(rows.find((r) => r.resource === "example.org-eu-central-1")!.action, AdoptAction.CREATE);
    assert.deepEqual(rows.find((r) => r.resource === "example.org-eu-central-1-mail-from")!.action, AdoptAction.CREATE);
    // No identity, so no tokens: the DKIM records' names are not known, and nothing claims they exist.
    assert.deepEqual(rows.filter((r) => r.resource.includes("-dkim-")).map((r) => r.action), [AdoptAction.UNKNOWN, AdoptAction.UNKNOWN, AdoptAction.UNKNOWN]);
    assert.deepEqual(rows.filter((r) => !r.resource.includes("-dkim-") && r.type === "aws:route53/record:Record").map((r) => [r.resource, r.action]), [
      ["example.org-dmarc", AdoptAction.CONFLICT],
      ["example.org-mail-from-mx", AdoptAction.CREATE],
      ["example.org-mail-from-spf", AdoptAction.CREATE],
    ]);
    const dmarc = rows.find((r) => r.resource === "example.org-dmarc")!;
    assert.deepEqual(dmarc.differences, ["exists: a routed record set, set identifier canary (Z0ORG0000000001__dmarc.example.org_TXT_canary)"]);
    assert.match(dmarc.advice!, /Route 53 refuses a simple TXT record at _dmarc\.example\.org next to routed ones/);
    assert.equal(report!.domains[0].zoneId, "Z0ORG0000000001");
  });

  it("a service that does not answer: exit 3, one line naming it and its endpoint setting, nothing written", async () => {
    const closed = await closedPort();
    const file = join(dirs.route53, "unreachable.json");
    const { code, err, out } = await adopt(["--stack", "route53", ...resolver(), "--import-file", file], dirs.route53, { ...env(), AWS_ENDPOINT_URL_SESV2: `http://127.0.0.1:${closed}` });
    assert.equal(code, 3);
    assert.equal(out, "");
    assert.match(err, /^adopt: SES could not be reached \(ECONNREFUSED[^\n]*\); check the network, or the endpoint setting \(AWS_ENDPOINT_URL_SESV2\) if one is set\n$/);
    assert.equal(existsSync(file), false);
    const cloudflare = await adopt(["--stack", "cloudflare", ...resolver()], dirs.cloudflare, { ...env("the-token"), CLOUDFLARE_BASE_URL: `http://127.0.0.1:${closed}/client/v4` });
    assert.equal(cloudflare.code, 3);
    assert.match(cloudflare.err, /^adopt: Cloudflare could not be reached \(APIConnectionError[^\n]*\); check the network, or the endpoint setting \(CLOUDFLARE_BASE_URL\) if one is set\n$/);
  });

  describe("refused credentials and bad input: exit 2, a clear message, nothing written", () => {
    it("AWS credentials SES refuses (403 InvalidClientTokenId)", async () => {
      WORLD.refuse = true;
      const file = join(dirs.route53, "refused.json");
      try {
        const { code, err, out } = await adopt(["--stack", "route53", ...resolver(), "--import-file", file], dirs.route53, env());
        assert.equal(code, 2);
        assert.equal(out, "");
        assert.match(err, /^adopt: SES refused the credentials \(InvalidClientTokenId: The security token included in the request is invalid\.\); check the AWS profile, keys or role, and that it may call ses:GetEmailIdentity/);
        assert.equal(existsSync(file), false);
      } finally {
        WORLD.refuse = false;
      }
    });

    it("AWS credentials Route 53 refuses (403 AccessDenied) while SES takes them", async () => {
      WORLD.refuse = "route53";
      try {
        const { code, err } = await adopt(["--stack", "route53", ...resolver()], dirs.route53, env());
        assert.equal(code, 2);
        assert.match(err, /^adopt: Route 53 refused the credentials \(AccessDenied: User: .* is not authorized to perform: route53:ListHostedZonesByName\); check the AWS profile/);
      } finally {
        WORLD.refuse = false;
      }
    });

    it("a Cloudflare token Cloudflare refuses (403)", async () => {
      const file = join(dirs.cloudflare, "refused.json");
      const { code, err } = await adopt(["--stack", "cloudflare", ...resolver(), "--import-file", file], dirs.cloudflare, env("not-the-token"));
      assert.equal(code, 2);
      assert.match(err, /^adopt: Cloudflare refused the credentials \(PermissionDeniedError: 403 .*Authentication error.*\); check CLOUDFLARE_API_TOKEN/);
      assert.equal(existsSync(file), false);
    });

    it("an unknown stack", async () => {
      const { code, err } = await adopt(["--stack", "nosuch", ...resolver()], dirs.route53, env());
      assert.equal(code, 2);
      assert.match(err, /^adopt: no stack "nosuch": .*Pulumi\.nosuch\.yaml does not exist/);
    });

    it("a token list that cannot be read", async () => {
      for (const [flag, message] of [
        ["us-east-1=aaaa1111,bbbb2222", /^adopt: --dkim-tokens: us-east-1 needs exactly 3 tokens/],
        ["example.net:us-east-1=a,b,c", /^adopt: --dkim-tokens: example\.net is not one of the domains checked \(example\.com\)/],
        ["nonsense", /^adopt: --dkim-tokens: "nonsense" is not \[domain:\]region=token1,token2,token3/],
      ] as const) {
        const file = join(dirs.route53, "tokens.json");
        const { code, err } = await adopt(["--stack", "route53", ...resolver(), "--dkim-tokens", flag, "--import-file", file], dirs.route53, env());
        assert.equal(code, 2, flag);
        assert.match(err, message);
        assert.equal(existsSync(file), false);
      }
    });

    it("an import file that exists, without --force: nothing asked of any service, the file untouched", async () => {
      const file = join(dirs.route53, "existing.json");
      writeFileSync(file, "keep me\n");
      server.requests.length = 0;
      const { code, err } = await adopt(["--stack", "route53", ...resolver(), "--import-file", file], dirs.route53, env());
      assert.equal(code, 2);
      assert.match(err, /^adopt: --import-file: .*existing\.json exists; give --force to overwrite it/);
      assert.equal(readFileSync(file, "utf8"), "keep me\n");
      assert.deepEqual(server.requests, []);
      const forced = await adopt(["--stack", "route53", ...resolver(), "--import-file", file, "--force"], dirs.route53, env());
      assert.equal(forced.code, 0, forced.err);
      assert.equal((JSON.parse(readFileSync(file, "utf8")) as ImportFile).resources.length, 14);
    });

    it("a bad adopt key in the stack config names it and what would be valid", async () => {
      const bad = { ...STACKS.route53, "ses-email-auth:domains": [{ ...(STACKS.route53["ses-email-auth:domains"] as object[])[0], adopt: { "example.com-dmarc": "example.com" } }] };
      const dir = project("bad", bad);
      try {
        const { code, err } = await adopt(["--stack", "bad", ...resolver()], dir, env());
        assert.equal(code, 2);
        assert.match(err, /ses-email-auth:domains\[0\]\.adopt\["example\.com-dmarc"\]: must be "<zone id>__dmarc\.example\.com_TXT" \(ZONEID_NAME_TYPE\); got "example\.com"/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

/** A loopback port nothing listens on: bound, then closed. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
