/**
 * `npm run audit -- --state FILE` on hand-made `pulumi stack export` files (tests/fixtures/exports):
 * a Route 53 and a Cloudflare stack that pass, an SES v1 stack with zone-relative record names,
 * and for each policy family one small edit of a passing export that breaks it.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { audit, readExport } from "../../tools/plan/audit";
import { NotAnExport } from "../../tools/plan/engine";
import { exitStatus, Report } from "../../tools/plan/report";
import { mockDkimTokens } from "../../tools/provider-mocks";
import { PolicyPackConfig } from "../../tools/run-policies";
import { defaultReceiving } from "../fixtures/receiving";
import { npmRun, removeDir } from "./cli";

const EXPORTS = join(__dirname, "..", "fixtures", "exports");

type Resource = { urn: string; inputs: Record<string, any>; outputs: Record<string, any> };
type Export = { deployment: { resources: Resource[] } };

// Edited exports go to one temp directory, made when this file's tests start and removed after.
let tmp: string;

/** A copy of fixture `name` after `edit`, written to a temp file; its path. */
function edited(name: string, edit: (doc: Export) => void): string {
  const doc: Export = JSON.parse(readFileSync(join(EXPORTS, `${name}.json`), "utf8"));
  edit(doc);
  const file = join(tmp, `${name}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

/** The resource whose URN ends with `::name`. */
function resource(doc: Export, name: string): Resource {
  const found = doc.deployment.resources.find((r) => r.urn.endsWith(`::${name}`));
  assert.ok(found, `no resource ${name}`);
  return found;
}

/** Sets an output (and the input of the same name) of a resource. */
function set(doc: Export, name: string, prop: string, value: unknown): void {
  const r = resource(doc, name);
  r.outputs[prop] = value;
  r.inputs[prop] = value;
}

function remove(doc: Export, name: string): void {
  doc.deployment.resources = doc.deployment.resources.filter((r) => r !== resource(doc, name));
}

function run(file: string, config: PolicyPackConfig = {}): Promise<Report> {
  return audit(readExport(file), config);
}

/** Policies with a finding at `level`. */
function failing(report: Report, level = "mandatory"): string[] {
  return [...new Set(report.violations.filter((v) => v.level === level).map((v) => v.policy))];
}

describe("audit", () => {
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), "ses-audit-"));
  });
  after(() => removeDir(tmp));

  describe("exports that pass", () => {
    for (const name of ["route53", "cloudflare"]) {
      it(`${name}: every policy passes, records listed as a resolver would answer`, async () => {
        const report = await run(join(EXPORTS, `${name}.json`));
        assert.deepEqual(report.violations, []);
        assert.equal(exitStatus(report), 0);
        assert.equal(report.stack, "prod");
        assert.deepEqual(report.records.find((r) => r.type === "TXT" && r.name === "bounce.example.com")?.values, ["v=spf1 include:amazonses.com ~all"]);
        assert.equal(report.records.filter((r) => r.type === "CNAME" && r.name.endsWith("._domainkey.example.com")).length, 3);
      });
    }

    it("a stack receiving its reports: every policy passes, the receipt rule and its rule set choice read from state", async () => {
      const report = await run(join(EXPORTS, "reports.json"));
      assert.deepEqual(report.violations, []);
      assert.deepEqual(report.receiving, [defaultReceiving("eu-west-1")]);
      assert.deepEqual(report.records.find((r) => r.name === "example.org._report._dmarc.dmarc.example.com")?.values, ["v=DMARC1"]);
      // Without the authorization the pack says so, naming the record receivers look for.
      const without = await run(edited("reports", (d) => remove(d, "dmarc.example.com-report-authorization-example.org")), { "dmarc-report-authorization": "mandatory" });
      assert.deepEqual(failing(without), ["dmarc-report-authorization"]);
      assert.match(without.violations[0].message, /example\.org\._report\._dmarc\.dmarc\.example\.com/);
    });

    it("an SES v1 stack (DomainIdentity, DomainDkim, MailFrom) with zone-relative names: absolute names, region from its provider", async () => {
      const report = await run(join(EXPORTS, "ses-v1.json"));
      assert.deepEqual(report.violations, []);
      assert.equal(report.stack, "legacy");
      assert.deepEqual(
        report.records.map((r) => `${r.name} ${r.type} ${r.region ?? "-"}`).sort(),
        [
          ...mockDkimTokens("example.org", "eu-west-1").map((t) => `${t}._domainkey.example.org CNAME eu-west-1`),
          "mail.example.org MX eu-west-1",
          "mail.example.org TXT eu-west-1",
          "_dmarc.example.org TXT -",
        ].sort(),
      );
      assert.equal(report.resources.find((r) => r.type === "aws:ses/domainIdentity:DomainIdentity")?.region, "eu-west-1");
    });
  });

  describe("state as the real providers write it", () => {
    const SECRET = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:AAAA:BBBB" };
    const identities = (d: Export) => d.deployment.resources.filter((r) => r.urn.includes("aws:sesv2/emailIdentity:EmailIdentity"));
    const dkimRecords = (d: Export) => d.deployment.resources.filter((r) => /dkim(-[a-z0-9-]+)?-[123]$/.test(r.urn));

    it("passes Easy DKIM with the selector \"\" the provider records, also without an origin (older state): never 'no DKIM key at ._domainkey.…'", async () => {
      for (const edit of [(_: Export) => {}, (d: Export) => identities(d).forEach((r) => delete r.outputs.dkimSigningAttributes.signingAttributesOrigin)]) {
        const report = await run(edited("route53", edit));
        assert.deepEqual(report.violations, []);
        assert.equal(identities(JSON.parse(readFileSync(join(EXPORTS, "route53.json"), "utf8")))[0].outputs.dkimSigningAttributes.domainSigningSelector, "");
      }
    });

    it("passes BYODKIM: one key record for both regions, read whole from Route 53's first\" \"rest; an imported identity's selector comes from SES's tokens", async () => {
      const report = await run(join(EXPORTS, "byodkim.json"));
      assert.deepEqual(report.violations, []);
      assert.match(report.records.find((r) => r.name === "ses2026._domainkey.example.net")!.values[0], /^v=DKIM1; k=rsa; p=[A-Za-z0-9+/]+=*$/);
      const imported = await run(edited("byodkim", (d) => identities(d).forEach((r) => (r.outputs.dkimSigningAttributes.domainSigningSelector = ""))));
      assert.deepEqual(imported.violations, []);
    });

    it("passes a Deterministic Easy DKIM replica on its parent's records, also when the parent is another stack's", async () => {
      assert.deepEqual((await run(join(EXPORTS, "deed.json"))).violations, []);
      const parentElsewhere = await run(edited("deed", (d) => remove(d, "example.com-af-south-1")));
      assert.deepEqual(parentElsewhere.violations, []);
    });

    it("names the parent region and the records to publish when a replica's parent records are missing or point elsewhere", async () => {
      const missing = await run(edited("deed", (d) => dkimRecords(d).forEach((r) => remove(d, r.urn.split("::").pop()!))));
      const replica = missing.violations.find((v) => v.policy === "ses-dkim-records" && v.message.includes("(eu-west-1)"));
      assert.match(
        replica?.message ?? JSON.stringify(missing.violations),
        /^DKIM of example\.com \(eu-west-1\), a Deterministic Easy DKIM replica that signs with the keys of its af-south-1 identity: no CNAME at [a-z2-7]{32}\._domainkey\.example\.com.*; publish the af-south-1 identity's CNAMEs <token>\._domainkey\.example\.com → <token>\.dkim\.af-south-1\.amazonses\.com for each of its 3 tokens \(one set serves the parent and every replica\)$/,
      );
      const ownHost = await run(edited("deed", (d) => dkimRecords(d).forEach((r) => (r.outputs.records = r.outputs.records.map((t: string) => t.replace(".dkim.af-south-1.", ".dkim."))))));
      assert.match(ownHost.violations.find((v) => v.message.includes("(eu-west-1)"))!.message, /points at [a-z2-7]{32}\.dkim\.amazonses\.com, not [a-z2-7]{32}\.dkim\.af-south-1\.amazonses\.com/);
    });

    it("leaves DKIM undecided, not failed, when the export holds the record names as secrets it cannot read", async () => {
      const report = await run(edited("route53", (d) => dkimRecords(d).forEach((r) => (r.outputs.name = SECRET))));
      assert.deepEqual(failing(report), []);
      assert.match(report.violations.find((v) => v.policy === "ses-dkim-records")!.message, /^can't decide policy 'ses-dkim-records' on this state: the DKIM CNAMEs of example\.com \(us-east-1\) are unreadable here \(a secret: export with --show-secrets\)/);
    });

    it("ignores the engine's and the bridge's __ keys", async () => {
      const report = await run(edited("route53", (d) => d.deployment.resources.forEach((r) => r.outputs && Object.assign(r.outputs, { __pulumi_raw_state_delta: { delta: {} } }, r.inputs && { __defaults: [] }))));
      assert.deepEqual(report.violations, []);
    });
  });

  describe("state no provider writes", () => {
    const shapes: [string, (d: Export) => void, RegExp][] = [
      ["an object for a list", (d) => (resource(d, "example.com-us-east-1").outputs.dkimSigningAttributes.tokens = { a: "b" }), /example\.com-us-east-1: dkimSigningAttributes\.tokens is an object where the schema says array: no provider writes that/],
      ["a string where the schema says integer", (d) => (resource(d, "example.com-dmarc").outputs.ttl = "3600"), /::example\.com-dmarc: ttl is the string "3600" where the schema says integer/],
    ];
    for (const [what, edit, message] of shapes) {
      it(`refuses ${what}, naming the resource and the property`, () => {
        assert.throws(() => readExport(edited("route53", edit)), (e: unknown) => e instanceof NotAnExport && message.test(e.message));
      });
    }

    it("exits 2 on a record without a name, naming the resource and the property, without a stack trace", () => {
      const r = npmRun("audit", ["--state", edited("route53", (d) => (resource(d, "example.com-dmarc").outputs.name = ""))]);
      assert.equal(r.status, 2, r.stderr + r.stdout);
      assert.match(r.stderr, /^audit: urn:pulumi:prod::ses-email-auth::.*::example\.com-dmarc: name is the string "", but the provider writes the record's name there\n$/);
    });
  });

  describe("one failure per policy family", () => {
    // `also`: other policies the same fault rightly fails (no DMARC record: no alignment either).
    const cases: { policy: string; also?: string[]; level?: string; fixture: string; edit: (doc: Export) => void; config?: PolicyPackConfig; message: RegExp }[] = [
      { policy: "ses-dmarc-record", also: ["ses-dmarc-alignment"], fixture: "route53", edit: (d) => remove(d, "example.com-dmarc"), message: /^example\.com .*no DMARC record at _dmarc\.example\.com/ },
      {
        policy: "ses-dmarc-alignment",
        fixture: "route53",
        edit: (d) => set(d, "example.com-dmarc", "records", ["v=DMARC1; p=reject; adkim=s; aspf=s"]),
        config: { "ses-dmarc-alignment": { fromDomains: { "example.com": ["news.example.com"] } } },
        message: /^news\.example\.com \(identity example\.com, us-east-1\): DMARC fails/,
      },
      { policy: "ses-dkim-records", fixture: "route53", edit: (d) => remove(d, "example.com-dkim-us-east-1-2"), message: /DKIM of example\.com \(us-east-1\): no CNAME at/ },
      {
        policy: "ses-mail-from-records",
        fixture: "route53",
        edit: (d) => set(d, "example.com-mail-from-mx", "records", ["10 feedback-smtp.us-east-1.amazonses.com", "20 mx.example.net"]),
        message: /2 MX records at bounce\.example\.com/,
      },
      {
        policy: "dmarc-minimum-policy",
        fixture: "route53",
        edit: (d) => set(d, "example.com-dmarc", "records", ["v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com"]),
        config: { "dmarc-minimum-policy": { enforcementLevel: "mandatory", minimumPolicy: "reject" } },
        message: /p=quarantine .* needs at least reject/,
      },
      {
        policy: "dmarc-report-authorization",
        level: "advisory",
        fixture: "route53",
        edit: (d) => set(d, "example.com-dmarc", "records", ["v=DMARC1; p=reject; rua=mailto:reports@dmarc-vendor.example.net"]),
        message: /dmarc-vendor\.example\.net has not authorised reports for example\.com/,
      },
      { policy: "cloudflare-email-records-dns-only", fixture: "cloudflare", edit: (d) => set(d, "example.com-dkim-eu-west-1-1", "proxied", true), message: /is proxied/ },
      {
        policy: "route53-txt-chunking",
        fixture: "route53",
        edit: (d) => set(d, "example.com-dmarc", "records", [`v=DMARC1; p=reject; rua=mailto:${"a".repeat(250)}@example.com`]),
        message: /a string of \d+ characters/,
      },
    ];
    for (const c of cases) {
      it(`${c.policy}: ${c.level ?? "mandatory"} finding`, async () => {
        const report = await run(edited(c.fixture, c.edit), c.config);
        assert.deepEqual(failing(report, c.level), [c.policy, ...(c.also ?? [])], JSON.stringify(report.violations, null, 1));
        assert.match(report.violations.find((v) => v.policy === c.policy)!.message, c.message);
        assert.equal(exitStatus(report), c.level === "advisory" ? 0 : 1);
      });
    }
  });

  describe("the command", () => {
    it("exits 1 on a failing export and prints the JSON object", () => {
      const r = npmRun("audit", ["--state", edited("route53", (d) => remove(d, "example.com-dmarc")), "--json"]);
      assert.equal(r.status, 1, r.stderr);
      const report = JSON.parse(r.stdout);
      assert.deepEqual(Object.keys(report), ["stack", "resources", "records", "violations", "warnings", "receiving"]);
      assert.deepEqual(Object.keys(report.resources[0]).sort(), ["name", "region", "type", "urn"]);
      assert.ok(report.violations.some((v: { policy: string }) => v.policy === "ses-dmarc-record"));
    });

    it("refuses a file that is not a stack export: exit 2, a clear message, no stack trace", () => {
      const file = join(tmp, "stack.yaml.json");
      writeFileSync(file, JSON.stringify({ config: { "aws:region": "us-east-1" } }));
      const r = npmRun("audit", ["--state", file]);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /is not a stack export \(the JSON of `pulumi stack export`, deployment version 3\): "version" is undefined/);
      assert.doesNotMatch(r.stderr, /^\s+at /m);
    });

    it("says what is wrong with JSON that is not one, or an unreadable file", () => {
      const text = join(tmp, "notes.txt");
      writeFileSync(text, "not json");
      assert.throws(() => readExport(text), (e: unknown) => e instanceof NotAnExport && /is not JSON/.test(e.message));
      assert.throws(() => readExport(join(tmp, "missing.json")), (e: unknown) => e instanceof NotAnExport && /cannot read .*ENOENT/.test(e.message));
      const v1 = edited("route53", (d) => Object.assign(d, { version: 1 }));
      assert.throws(() => readExport(v1), (e: unknown) => e instanceof NotAnExport && /"version" is 1, expected 3/.test(e.message));
    });
  });
});
