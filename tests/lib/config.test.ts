import { strict as assert } from "node:assert";
import { ConfigError, dmarcConfigWarnings, parseStackConfig } from "../../lib/config";
import { UNREADABLE_SECRET } from "../../lib/state";
import { Alignment, DmarcPolicy, formatDmarc, Standards } from "../../lib/dmarc";
import { DnsProvider, EasyDkimKeyLength, MailFromMxFailure } from "../../lib/spec";
import { exampleDomain, rsaKeyPair, stackConfig } from "../fixtures/stacks";

function problems(input: Parameters<typeof stackConfig>[0]): string[] {
  return problemsOf(stackConfig(input));
}

function problemsOf(raw: Record<string, string>): string[] {
  try {
    parseStackConfig(raw);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems.map((p) => `${p.key}: ${p.message}`);
  }
  return [];
}

describe("lib/config", () => {
  it("fills documented defaults", () => {
    const spec = parseStackConfig(stackConfig({ regions: ["us-east-1"], domains: [{ name: "Example.com.", zone: "example.com" }] }));
    assert.equal(spec.dnsProvider, DnsProvider.ROUTE53);
    const d = spec.domains[0];
    assert.equal(d.name, "example.com");
    assert.deepEqual(d.regions, ["us-east-1"]);
    assert.deepEqual(d.fromDomains, ["example.com"]);
    assert.deepEqual(d.mailFrom, { subdomain: "bounce", perRegion: false, onMxFailure: MailFromMxFailure.REJECT });
    assert.deepEqual(d.dkim, { kind: "easy", keyLength: EasyDkimKeyLength.RSA_2048_BIT });
    assert.deepEqual(d.dmarc, {
      policy: DmarcPolicy.NONE,
      subdomainPolicy: undefined,
      nonexistentSubdomainPolicy: undefined,
      testing: false,
      percent: undefined,
      rua: [],
      ruf: [],
      adkim: Alignment.RELAXED,
      aspf: Alignment.RELAXED,
      manage: true,
      standards: Standards.BOTH,
    });
    assert.equal(d.ttl, 3600);
    assert.deepEqual(d.dns, { provider: DnsProvider.ROUTE53, zone: "example.com", allowOverwrite: false });
  });

  it("turns MAIL FROM off with mailFrom: false", () => {
    assert.equal(parseStackConfig(stackConfig({ regions: ["us-east-1"], domains: [exampleDomain({ mailFrom: false })] })).domains[0].mailFrom, undefined);
  });

  it("accepts ttl 1 (automatic) on Cloudflare only", () => {
    assert.deepEqual(problems({ regions: ["us-east-1"], domains: [exampleDomain({ ttl: 1 })] }).map((p) => p.split(":")[1]), ["domains[0].ttl"]);
  });

  it("refuses a Route 53 zone that cannot hold the domain", () => {
    assert.match(problems({ regions: ["us-east-1"], domains: [exampleDomain({ zone: "example.org" })] })[0], /domains\[0\]\.zone: hosted zone "example.org" cannot hold records of example\.com/);
  });

  it("refuses a per-region MAIL FROM label that would exceed 63 characters", () => {
    assert.match(problems({ regions: ["ap-southeast-2"], domains: [exampleDomain({ mailFrom: { subdomain: "b".repeat(50), perRegion: true } })] })[0], /mailFrom\.subdomain.*63/);
  });

  describe("DMARC", () => {
    const dmarcOf = (dmarc: Record<string, unknown>) => stackConfig({ regions: ["us-east-1"], domains: [exampleDomain({ dmarc })] });

    it("takes testing (t=y), nonexistentSubdomainPolicy (np=) and standards, and writes v and p first", () => {
      const d = parseStackConfig(dmarcOf({ policy: "reject", subdomainPolicy: "quarantine", nonexistentSubdomainPolicy: "reject", testing: true, standards: "rfc9989" })).domains[0].dmarc;
      assert.deepEqual([d.nonexistentSubdomainPolicy, d.testing, d.standards], [DmarcPolicy.REJECT, true, Standards.RFC9989]);
      assert.equal(formatDmarc(d), "v=DMARC1; p=reject; sp=quarantine; np=reject; t=y");
    });

    it("names each bad DMARC key and what is valid", () => {
      const found = problemsOf(dmarcOf({ policy: "none", testing: "yes", nonexistentSubdomainPolicy: "drop", standards: "rfc7490" }));
      assert.deepEqual(found.map((p) => p.split(": ")[0]).sort(), ["ses-email-auth:domains[0].dmarc.nonexistentSubdomainPolicy", "ses-email-auth:domains[0].dmarc.standards", "ses-email-auth:domains[0].dmarc.testing"]);
      assert.match(found.join("\n"), /testing: must be true or false; got "yes"/);
      assert.match(found.join("\n"), /nonexistentSubdomainPolicy: must be one of none \| quarantine \| reject; got "drop"/);
      assert.match(found.join("\n"), /standards: must be one of both \| rfc7489 \| rfc9989/);
    });

    it("warns, without failing, about percent 1-99 and percent 0 without testing, saying what to write instead", () => {
      const warnings = (dmarc: Record<string, unknown>) => dmarcConfigWarnings(parseStackConfig(dmarcOf(dmarc)));
      const seed = warnings({ policy: "quarantine", percent: 25, rua: ["mailto:dmarcreports@example.com"] });
      assert.deepEqual(seed.map((w) => w.key), ["ses-email-auth:domains[0].dmarc.percent"]);
      assert.match(seed[0].message, /pct=25 means 25% of failing mail to RFC 7489 receivers.*100% to RFC 9989 receivers.*; remove percent and step the policy itself/);
      const zero = warnings({ policy: "quarantine", percent: 0 });
      assert.match(zero[0].message, /pct=0 without t=y.*add testing: true/);
      assert.deepEqual(warnings({ policy: "quarantine", percent: 0, testing: true }), []);
      assert.deepEqual(warnings({ policy: "quarantine", percent: 100 }), []);
      assert.deepEqual(warnings({ policy: "quarantine", testing: true }), []);
      assert.deepEqual(warnings({ policy: "quarantine", percent: 25, manage: false }), [], "no record is written");
    });
  });

  describe("BYODKIM", () => {
    const key = rsaKeyPair(2048);
    const byodkim = (dkim: Record<string, unknown>, extra: Record<string, unknown> = { dkimKey: key.privateKey }) =>
      stackConfig({ regions: ["us-east-1"], domains: [exampleDomain({ dkim })], ...extra });

    it("takes a selector, the public key, and the private key from a named secret", () => {
      const spec = parseStackConfig(byodkim({ selector: "ses2026", publicKey: key.publicKey, privateKeyConfig: "dkimKey" }));
      assert.deepEqual(spec.domains[0].dkim, { kind: "byodkim", selector: "ses2026", publicKey: key.publicKey });
      assert.equal(spec.domains[0].privateKeyConfig, "dkimKey");
    });

    it("plans without the secret's plaintext", () => {
      assert.doesNotThrow(() => parseStackConfig(byodkim({ selector: "ses2026", publicKey: key.publicKey, privateKeyConfig: "dkimKey" }, { dkimKey: UNREADABLE_SECRET })));
    });

    it("refuses a public key that is not the private key's, PEM text, short keys, and a missing secret", () => {
      const other = rsaKeyPair(1024);
      const cases: [Record<string, unknown>, Record<string, unknown> | undefined, RegExp][] = [
        [{ selector: "s1", publicKey: other.publicKey, privateKeyConfig: "dkimKey" }, undefined, /dkim\.publicKey: is not the public half/],
        [{ selector: "s1", publicKey: `-----BEGIN PUBLIC KEY-----\n${key.publicKey}`, privateKeyConfig: "dkimKey" }, undefined, /without PEM/],
        [{ selector: "s1", publicKey: key.publicKey, privateKeyConfig: "dkimKey" }, {}, /ses-email-auth:dkimKey: is missing/],
        [{ selector: "x".repeat(64), publicKey: key.publicKey, privateKeyConfig: "dkimKey" }, undefined, /selector of at most 63/],
        [{ selector: "s1", publicKey: rsaKeyPair(512).publicKey, privateKeyConfig: "k512" }, { k512: rsaKeyPair(512).privateKey }, /512 bits; SES accepts 1024 to 2048/],
      ];
      for (const [dkim, extra, expected] of cases) assert.match(problemsOf(byodkim(dkim, extra)).join("\n"), expected);
    });
  });
});
