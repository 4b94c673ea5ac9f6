/** The components' one validator, on arguments as a person writes them: defaults, and every problem at its property path. */
import { strict as assert } from "node:assert";
import { checkAddress, checkDomain } from "../../lib/args";
import { UNREADABLE_SECRET } from "../../lib/state";
import { Checker } from "../../lib/check";
import { Alignment, DmarcPolicy, Standards } from "../../lib/dmarc";
import { DkimSigning, DnsProvider, EasyDkimKeyLength, MailFromMxFailure, SesEventType } from "../../lib/spec";
import { CLOUDFLARE_ZONE, rsaKeyPair } from "../fixtures/stacks";

const base = { domain: "Example.com", regions: ["us-east-1", "eu-west-1"], dns: { provider: DnsProvider.ROUTE53, zone: "example.com" } };

function check(args: unknown) {
  const c = new Checker();
  const spec = checkDomain(c, args);
  return { spec, problems: c.problems.map((p) => `${p.key}: ${p.message}`) };
}

/** The problems' paths, in order. */
function paths(args: unknown): string[] {
  const c = new Checker();
  checkDomain(c, args);
  return c.problems.map((p) => p.key);
}

/** Something that is known only when the deployment runs, as lib sees an Output or a Promise. */
const deferred = { apply: () => undefined };

describe("lib/args: SesDomain's arguments", () => {
  it("fills every documented default", () => {
    const { spec, problems } = check(base);
    assert.deepEqual(problems, []);
    assert.deepEqual(spec, {
      name: "example.com",
      regions: ["us-east-1", "eu-west-1"],
      dns: { provider: DnsProvider.ROUTE53, zone: "example.com", allowOverwrite: false },
      fromDomains: ["example.com"],
      mailFrom: { subdomain: "bounce", perRegion: false, onMxFailure: MailFromMxFailure.REJECT },
      dkim: { kind: "easy", keyLength: EasyDkimKeyLength.RSA_2048_BIT },
      dmarc: { policy: DmarcPolicy.NONE, subdomainPolicy: undefined, nonexistentSubdomainPolicy: undefined, testing: false, percent: undefined, rua: [], ruf: [], adkim: Alignment.RELAXED, aspf: Alignment.RELAXED, manage: true, standards: Standards.BOTH },
      ttl: 3600,
      sending: undefined,
    });
  });

  it("takes the enums' values, MAIL FROM off, and a sending setup with its defaults", () => {
    const { spec, problems } = check({
      ...base,
      mailFrom: { enabled: false },
      dkim: { keyLength: EasyDkimKeyLength.RSA_1024_BIT },
      dmarc: { policy: DmarcPolicy.REJECT, adkim: Alignment.STRICT },
      sending: { events: [SesEventType.BOUNCE, SesEventType.COMPLAINT] },
    });
    assert.deepEqual(problems, []);
    assert.equal(spec!.mailFrom, undefined);
    assert.deepEqual(spec!.dkim, { kind: "easy", keyLength: EasyDkimKeyLength.RSA_1024_BIT });
    assert.equal(spec!.dmarc.adkim, Alignment.STRICT);
    assert.deepEqual(spec!.sending, { events: ["BOUNCE", "COMPLAINT"], requireTls: false, eventBridge: false, topicArns: {}, feedbackForwarding: false, fromAddresses: [] });
  });

  it("takes a zone and a private key known only at deployment without checking them", () => {
    const key = rsaKeyPair(1024);
    const { spec, problems } = check({ ...base, dns: { provider: DnsProvider.CLOUDFLARE, zone: deferred }, dkim: { signing: DkimSigning.BYODKIM, selector: "s1", publicKey: key.publicKey, privateKey: deferred } });
    assert.deepEqual(problems, []);
    assert.deepEqual(spec!.dns, { provider: DnsProvider.CLOUDFLARE, zone: undefined, allowOverwrite: false });
    assert.deepEqual(spec!.dkim, { kind: "byodkim", selector: "s1", publicKey: key.publicKey });
    assert.deepEqual(check({ ...base, dkim: { signing: DkimSigning.BYODKIM, selector: "s1", publicKey: key.publicKey, privateKey: UNREADABLE_SECRET } }).problems, []);
  });

  it("checks a private key given as a plain string against the public key", () => {
    const key = rsaKeyPair(1024);
    const other = rsaKeyPair(1024);
    const byodkim = (privateKey: unknown) => check({ ...base, dkim: { signing: DkimSigning.BYODKIM, selector: "s1", publicKey: key.publicKey, privateKey } }).problems;
    assert.deepEqual(byodkim(key.privateKey), []);
    assert.deepEqual(byodkim(other.privateKey), ["dkim.publicKey: is not the public half of dkim.privateKey"]);
    assert.match(byodkim(undefined)[0], /^dkim\.privateKey: BYODKIM needs the private key/);
    assert.match(byodkim("-----BEGIN PRIVATE KEY-----")[0], /^dkim\.privateKey: must be the private key as one base64 string/);
  });

  it("names the property path of every problem, and what is allowed", () => {
    const cases: [string, unknown, string[]][] = [
      ["not an object", "example.com", [""]],
      ["required properties", {}, ["domain", "regions", "dns"]],
      ["unknown property", { ...base, zone: "example.com" }, ["zone"]],
      ["domain", { ...base, domain: "co.uk" }, ["domain"]],
      ["region", { ...base, regions: ["us-east-1", "ap-east-1"] }, ["regions[1]"]],
      ["DNS provider", { ...base, dns: { provider: "gandi", zone: "example.com" } }, ["dns.provider"]],
      ["zone that cannot hold the domain", { ...base, dns: { provider: DnsProvider.ROUTE53, zone: "example.org" } }, ["dns.zone"]],
      ["Cloudflare zone by name", { ...base, dns: { provider: DnsProvider.CLOUDFLARE, zone: "example.com" } }, ["dns.zone"]],
      ["allowOverwrite on Cloudflare", { ...base, dns: { provider: DnsProvider.CLOUDFLARE, zone: CLOUDFLARE_ZONE, allowOverwrite: true } }, ["dns.allowOverwrite"]],
      ["ttl 1 on Route 53", { ...base, ttl: 1 }, ["ttl"]],
      ["MAIL FROM label", { ...base, mailFrom: { subdomain: "a.b" } }, ["mailFrom.subdomain"]],
      ["MAIL FROM off, with a label", { ...base, mailFrom: { enabled: false, subdomain: "bounce" } }, ["mailFrom.subdomain"]],
      ["MAIL FROM failure behaviour", { ...base, mailFrom: { onMxFailure: "REJECT_MESSAGE" } }, ["mailFrom.onMxFailure"]],
      ["DKIM signing", { ...base, dkim: { signing: "external" } }, ["dkim.signing"]],
      ["Easy DKIM with a selector", { ...base, dkim: { selector: "s1" } }, ["dkim.selector"]],
      ["Easy DKIM key length", { ...base, dkim: { keyLength: 2048 } }, ["dkim.keyLength"]],
      ["BYODKIM without its key", { ...base, dkim: { signing: DkimSigning.BYODKIM, selector: "s1" } }, ["dkim.publicKey", "dkim.privateKey"]],
      ["DMARC percent", { ...base, dmarc: { percent: 101 } }, ["dmarc.percent"]],
      ["DMARC report URI", { ...base, dmarc: { rua: ["dmarc@example.com"] } }, ["dmarc.rua[0]"]],
      ["From domain", { ...base, fromDomains: ["example.com", "example.net"] }, ["fromDomains[1]"]],
      ["event type", { ...base, sending: { events: ["BOUNCE", "BOUNCES"] } }, ["sending.events[1]"]],
      ["topic of another region", { ...base, sending: { topicArns: { "ap-south-1": "arn:aws:sns:ap-south-1:123456789012:t" } } }, ["sending.topicArns.ap-south-1"]],
      ["From address", { ...base, sending: { fromAddresses: ["noreply@example.net"] } }, ["sending.fromAddresses[0]"]],
      ["protect", { ...base, protect: "yes" }, ["protect"]],
      ["an output where a plain value is needed", { ...base, regions: deferred }, ["regions"]],
    ];
    for (const [what, args, expected] of cases) assert.deepEqual(paths(args), expected, what);
  });

  it("says what would be valid", () => {
    assert.deepEqual(check({ ...base, dns: { provider: "gandi", zone: "example.com" } }).problems, ['dns.provider: must be one of route53 | cloudflare; got "gandi"']);
    assert.deepEqual(check({ ...base, mailFrom: { enabled: false, perRegion: true } }).problems, ["mailFrom.perRegion: has no effect while mailFrom.enabled is false; remove one of the two"]);
    assert.deepEqual(check({ ...base, dkim: { publicKey: "x" } }).problems, ["dkim.publicKey: applies to BYODKIM only; set dkim.signing to byodkim"]);
    assert.deepEqual(check({ ...base, regions: deferred }).problems, ["regions: must be a list; got a value known only when the deployment runs (an output of another resource)"]);
    assert.deepEqual(check({ ...base, sending: { topicArns: { "ap-south-1": "arn:aws:sns:ap-south-1:123456789012:t" } } }).problems, ['sending.topicArns.ap-south-1: "ap-south-1" is not one of regions (us-east-1, eu-west-1)']);
  });
});

describe("lib/args: SesAddress's arguments", () => {
  it("normalizes the domain part and names bad properties", () => {
    const c = new Checker();
    assert.deepEqual(checkAddress(c, { address: "Ops@Example.COM", regions: ["us-east-1"] }), { address: "Ops@example.com", regions: ["us-east-1"] });
    checkAddress(c, { address: "ops.example.com", regions: [], protect: 1 });
    assert.deepEqual(c.problems.map((p) => p.key), ["address", "regions", "protect"]);
  });
});
