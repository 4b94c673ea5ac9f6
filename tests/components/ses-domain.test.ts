/**
 * The components as a library user declares them: public arguments, in a program of their own,
 * under the mock runtime. The stack config is one caller of the same components; for the same
 * domain both register exactly the same resources.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { SesAddress } from "../../components/ses-address";
import { SesDomain } from "../../components/ses-domain";
import { Alignment, DmarcPolicy } from "../../lib/dmarc";
import { DkimSigning, DnsProvider, MailFromMxFailure } from "../../lib/spec";
import { SECRET_SIG, SECRET_SIG_KEY } from "../../lib/state";
import { plain, ProgramFailed, ProgramRun, Registration, runProgram } from "../../tools/mock-run";
import { readStackConfig } from "../../tools/stack-config";
import { CLOUDFLARE_ZONE, rsaKeyPair } from "../fixtures/stacks";
import { IDENTITY, R53 } from "./registrations";

const ROOT = join(__dirname, "..", "..");

function run(program: () => unknown, stack = "dev"): Promise<ProgramRun> {
  return runProgram({ config: { "aws:region": "us-east-1" }, preview: false, stack, program });
}

/** What the engine is told about a resource, the Stack's own outputs aside. */
function registered(r: { registrations: Registration[] }): Omit<Registration, "outputs">[] {
  return r.registrations.filter((x) => x.type !== "pulumi:pulumi:Stack").map(({ outputs: _outputs, ...rest }) => rest);
}

const byUrn = (a: { urn: string }, b: { urn: string }) => a.urn.localeCompare(b.urn);

describe("SesDomain with public arguments", () => {
  it("registers exactly what the stack config registers for the same domain (the dev stack)", async () => {
    const fromConfig = await runProgram({ config: readStackConfig(ROOT, "dev"), preview: false, stack: "dev" });
    const fromArgs = await run(() => {
      new SesDomain("example.com", {
        domain: "example.com",
        regions: ["us-east-1", "eu-west-1"],
        dns: { provider: DnsProvider.ROUTE53, zone: "example.com" },
        fromDomains: ["example.com", "news.example.com"],
        mailFrom: { subdomain: "bounce", perRegion: false, onMxFailure: MailFromMxFailure.REJECT },
        dmarc: { policy: DmarcPolicy.QUARANTINE, subdomainPolicy: DmarcPolicy.REJECT, percent: 25, rua: ["mailto:dmarcreports@example.com"], adkim: Alignment.RELAXED, aspf: Alignment.RELAXED },
      });
    });
    assert.deepEqual(registered(fromArgs).sort(byUrn), registered(fromConfig).sort(byUrn));
    assert.deepEqual(fromArgs.invokes, ["aws:route53/getZone:getZone"]);
  });

  it("writes to a zone created in the same program, by its id, without a lookup", async () => {
    const r = await run(() => {
      const zone = new aws.route53.Zone("example.com", { name: "example.com" });
      new SesDomain("example.com", { domain: "example.com", regions: ["us-east-1"], dns: { provider: DnsProvider.ROUTE53, zone: zone.zoneId } });
    });
    const zone = r.registrations.find((x) => x.type === "aws:route53/zone:Zone")!;
    const records = r.registrations.filter((x) => x.type === R53);
    assert.equal(records.length, 6);
    assert.ok(records.every((x) => x.inputs.zoneId === (zone.outputs as { zoneId: string }).zoneId && x.propertyDependencies.zoneId.includes(zone.urn)));
    assert.deepEqual(r.invokes, []);
  });

  it("writes Cloudflare records and sends a BYODKIM key given as a plain string as a secret", async () => {
    const key = rsaKeyPair(1024);
    const r = await run(() => {
      new SesDomain("example.com", {
        domain: "example.com",
        regions: ["us-east-1"],
        dns: { provider: DnsProvider.CLOUDFLARE, zone: CLOUDFLARE_ZONE },
        dkim: { signing: DkimSigning.BYODKIM, selector: "s1", publicKey: key.publicKey, privateKey: key.privateKey },
        ttl: 1,
      });
    });
    // Sorted: resources register as their inputs resolve, not in declaration order.
    assert.deepEqual(r.registrations.filter((x) => x.type === "cloudflare:index/dnsRecord:DnsRecord").map((x) => [x.name, (plain(x.inputs) as { ttl: number }).ttl]).sort(), [
      ["example.com-byodkim", 1],
      ["example.com-dmarc", 1],
      ["example.com-mail-from-mx", 1],
      ["example.com-mail-from-spf", 1],
    ]);
    const sent = (r.registrations.find((x) => x.type === IDENTITY)!.inputs.dkimSigningAttributes as Record<string, any>).domainSigningPrivateKey;
    assert.equal(sent[SECRET_SIG_KEY], SECRET_SIG);
    assert.equal(sent.value, key.privateKey);
  });

  it("exposes its identities, records and sending setup as outputs", async () => {
    const r = await run(() => {
      const domain = new SesDomain("example.com", { domain: "example.com", regions: ["eu-west-1"], dns: { provider: DnsProvider.ROUTE53, zone: "Z0123456789ABC" }, sending: {} });
      return { identities: domain.identities, records: domain.records, sending: domain.sending };
    });
    const out = plain(r.outputs) as any;
    assert.equal(out.identities[0].arn, "arn:aws:ses:eu-west-1:123456789012:identity/example.com");
    assert.deepEqual(out.records.map((x: any) => x.role), ["dkim", "dkim", "dkim", "mail-from-mx", "mail-from-spf", "dmarc"]);
    assert.equal(out.sending[0].configurationSetName, "example-com-eu-west-1");
  });

  it("refuses invalid arguments before registering anything, naming each property path", async () => {
    const key = rsaKeyPair(1024);
    await assert.rejects(
      run(() => {
        new SesDomain("example.com", {
          domain: "example.com",
          regions: ["us-east-1", "us-east-9"],
          dns: { provider: DnsProvider.ROUTE53, zone: "example.org" },
          mailFrom: { subdomain: "bounce.mail" },
          dkim: { signing: DkimSigning.BYODKIM, selector: "s1", publicKey: key.publicKey, privateKey: rsaKeyPair(1024).privateKey },
        });
      }),
      (error: unknown) => {
        assert.ok(error instanceof ProgramFailed);
        assert.ok(pulumi.InputPropertiesError.isInstance(error.cause));
        assert.deepEqual(error.cause.errors.map((e) => e.propertyPath), ["regions[1]", "dns.zone", "mailFrom.subdomain", "dkim.publicKey"]);
        assert.match(error.cause.message, /^invalid arguments for SesDomain "example\.com":\n {2}regions\[1\]: "us-east-9" is not an AWS region/);
        assert.deepEqual(registered(error), []);
        return true;
      },
    );
  });
});

describe("SesAddress with public arguments", () => {
  it("verifies the address in each region, or refuses a bad one before registering anything", async () => {
    const r = await run(() => void new SesAddress("ops", { address: "ops@Example.com", regions: ["us-east-1", "eu-west-1"] }));
    assert.deepEqual(r.registrations.filter((x) => x.type === IDENTITY).map((x) => [x.name, x.inputs.emailIdentity]), [
      ["ops@example.com-us-east-1", "ops@example.com"],
      ["ops@example.com-eu-west-1", "ops@example.com"],
    ]);
    await assert.rejects(run(() => void new SesAddress("ops", { address: "ops", regions: ["us-east-1"] })), (error: ProgramFailed) => {
      assert.deepEqual((error.cause as pulumi.InputPropertiesError).errors, [{ propertyPath: "address", reason: 'must be an email address such as ops@example.com; got "ops"' }]);
      assert.deepEqual(registered(error), []);
      return true;
    });
  });
});
