/**
 * The real program (index.ts) under Pulumi's mock runtime, with mocks that answer in the
 * providers' output shapes (tools/provider-mocks.ts).
 */
import { strict as assert } from "node:assert";
import { ConfigError } from "../../lib/config";
import { dkimHost } from "../../lib/regions";
import { FROM_DOMAINS_TAG } from "../../lib/tags";
import { SECRET_SIG, SECRET_SIG_KEY } from "../../lib/state";
import { plain, ProgramFailed, ProgramRun, Registration, runProgram, UNKNOWN } from "../../tools/mock-run";
import { CLOUDFLARE_ZONE, exampleDomain, rsaKeyPair, stackConfig, StackInput } from "../fixtures/stacks";
import { CF, IDENTITY, inputs, MAIL_FROM, ofType, R53 } from "./registrations";


function run(input: StackInput, preview = false, secretKeys: string[] = []): Promise<ProgramRun> {
  return runProgram({ config: stackConfig(input), preview, secretKeys });
}

/** A provider-neutral view of a DNS resource: name, type, values as the resource holds them, ttl. */
function dnsView(reg: Registration): { name: string; type: string; values: string[]; ttl: number } {
  const i = inputs(reg);
  return reg.type === R53
    ? { name: i.name, type: i.type, values: i.records, ttl: i.ttl }
    : { name: i.name, type: i.type, values: [i.type === "MX" ? `${i.priority} ${i.content}` : i.content], ttl: i.ttl };
}

function dns(r: ProgramRun) {
  return r.registrations.filter((x) => x.type === R53 || x.type === CF).map(dnsView);
}

describe("program: Route 53", () => {
  let result: ProgramRun;
  before(async () => {
    result = await run({ regions: ["us-east-1", "eu-west-1"], dnsProvider: "route53", domains: [exampleDomain()] });
  });

  it("declares one Easy DKIM 2048-bit identity per region with its region input", () => {
    const ids = ofType(result, IDENTITY).map(inputs);
    assert.deepEqual(
      ids.map((i) => [i.emailIdentity, i.region, i.dkimSigningAttributes.nextSigningKeyLength]),
      [
        ["example.com", "us-east-1", "RSA_2048_BIT"],
        ["example.com", "eu-west-1", "RSA_2048_BIT"],
      ],
    );
  });

  it("tags each identity with its other From domains, for the policy pack; a domain sending only as itself gets no tags", async () => {
    assert.deepEqual(ofType(result, IDENTITY).map((r) => inputs(r).tags), [{ [FROM_DOMAINS_TAG]: "news.example.com" }, { [FROM_DOMAINS_TAG]: "news.example.com" }]);
    const alone = await run({ regions: ["us-east-1"], domains: [exampleDomain({ fromDomains: ["example.com"] })] });
    assert.ok(!("tags" in inputs(ofType(alone, IDENTITY)[0])));
  });

  it("sets the MAIL FROM domain per region, refusing to send when its MX is missing", () => {
    assert.deepEqual(
      ofType(result, MAIL_FROM).map(inputs).map((i) => [i.region, i.emailIdentity, i.mailFromDomain, i.behaviorOnMxFailure]),
      [
        ["us-east-1", "example.com", "bounce.example.com", "REJECT_MESSAGE"],
        ["eu-west-1", "example.com", "bounce.example.com", "REJECT_MESSAGE"],
      ],
    );
  });

  it("writes exactly the records SES needs, with tokens from each region's identity", () => {
    const tokens = (region: string) => (plain(ofType(result, IDENTITY).find((x) => inputs(x).region === region)!.outputs) as any).dkimSigningAttributes.tokens as string[];
    const dkim = (region: string) => tokens(region).map((t) => ({ name: `${t}._domainkey.example.com`, type: "CNAME", values: [`${t}.dkim.amazonses.com`], ttl: 3600 }));
    const expected = [
      { name: "bounce.example.com", type: "MX", values: ["10 feedback-smtp.us-east-1.amazonses.com"], ttl: 3600 },
      { name: "bounce.example.com", type: "TXT", values: ["v=spf1 include:amazonses.com ~all"], ttl: 3600 },
      { name: "_dmarc.example.com", type: "TXT", values: ["v=DMARC1; p=quarantine; pct=25; rua=mailto:dmarcreports@example.com"], ttl: 3600 },
      ...dkim("us-east-1"),
      ...dkim("eu-west-1"),
    ];
    const sort = (l: { name: string; type: string }[]) => [...l].sort((a, b) => `${a.name}/${a.type}`.localeCompare(`${b.name}/${b.type}`));
    assert.deepEqual(sort(dns(result)), sort(expected));
    assert.equal(new Set([...tokens("us-east-1"), ...tokens("eu-west-1")]).size, 6);
  });

  it("looks the hosted zone up by name, and never overwrites existing records unless asked", () => {
    const records = ofType(result, R53).map(inputs);
    assert.ok(records.every((r) => /^Z[A-Z0-9]+$/.test(r.zoneId) && r.allowOverwrite === false));
  });

  it("looks each hosted zone up once, however many domains it holds", async () => {
    const sub = exampleDomain({ name: "mail.example.com", fromDomains: undefined });
    const r = await run({ regions: ["us-east-1"], domains: [exampleDomain(), sub, exampleDomain({ name: "example.org", zone: "example.org", fromDomains: undefined })] });
    assert.deepEqual(r.invokes, ["aws:route53/getZone:getZone", "aws:route53/getZone:getZone"]);
    const zoneIds = (name: string) => new Set(ofType(r, R53).map(inputs).filter((i) => i.name.endsWith(name)).map((i) => i.zoneId));
    assert.equal(zoneIds("example.org").size, 1);
    assert.deepEqual(zoneIds("mail.example.com"), zoneIds("_dmarc.example.com"));
  });

  it("uses a hosted zone id as given and takes records over when allowOverwrite is set", async () => {
    const r = await run({ regions: ["us-east-1"], domains: [exampleDomain({ zone: "Z0123456789ABC", allowOverwrite: true })] });
    assert.ok(ofType(r, R53).map(inputs).every((i) => i.zoneId === "Z0123456789ABC" && i.allowOverwrite === true));
  });

  it("exports identities per domain and region, every record, and a zone file", () => {
    const out = plain(result.outputs) as any;
    assert.deepEqual(Object.keys(out.identities["example.com"]), ["us-east-1", "eu-west-1"]);
    assert.equal(out.identities["example.com"]["eu-west-1"].arn, "arn:aws:ses:eu-west-1:123456789012:identity/example.com");
    assert.deepEqual(out.identities["example.com"]["eu-west-1"], {
      arn: "arn:aws:ses:eu-west-1:123456789012:identity/example.com",
      verifiedForSending: false,
      verificationStatus: "PENDING",
      dkimStatus: "PENDING",
    });
    assert.equal(out.records.length, 9);
    assert.deepEqual(
      out.records.map((r: any) => ({ name: r.name, type: r.type, values: r.values, ttl: r.ttl })).sort((a: any, b: any) => `${a.name}${a.type}`.localeCompare(`${b.name}${b.type}`)),
      dns(result).sort((a, b) => `${a.name}${a.type}`.localeCompare(`${b.name}${b.type}`)),
    );
    assert.match(out.zoneFile, /^_dmarc\.example\.com\.\t3600\tIN\tTXT\t"v=DMARC1; p=quarantine; pct=25; rua=mailto:dmarcreports@example\.com"$/m);
    assert.match(out.zoneFile, /^bounce\.example\.com\.\t3600\tIN\tMX\t10 feedback-smtp\.us-east-1\.amazonses\.com\.$/m);
    assert.equal(out.zoneFile.trim().split("\n").length, 9);
  });

  it("keeps DKIM record names and values, and every output, out of secrets, though the provider makes the identity's DKIM block secret", () => {
    const identity = ofType(result, IDENTITY)[0];
    assert.equal((identity.outputs.dkimSigningAttributes as any).domainSigningPrivateKey[SECRET_SIG_KEY], SECRET_SIG, "the provider's own secret, even when empty");
    const dnsRecords = result.registrations.filter((r) => r.type === R53);
    assert.doesNotMatch(JSON.stringify(dnsRecords.map((r) => r.inputs)), new RegExp(SECRET_SIG));
    assert.doesNotMatch(JSON.stringify(result.outputs), new RegExp(SECRET_SIG));
  });

  it("never lets 'undefined' into a name, value or output", () => {
    assert.doesNotMatch(JSON.stringify(result.registrations.map((r) => [r.name, r.inputs, r.outputs])), /undefined/);
    assert.doesNotMatch(JSON.stringify(result.outputs), /undefined/);
  });

  it("registers every resource under its domain's component", () => {
    const component = result.registrations.find((r) => r.type === "ses-email-auth:index:SesDomain")!;
    assert.ok(result.registrations.filter((r) => r.custom).every((r) => r.parent === component.urn));
  });
});

describe("program: regions", () => {
  it("points a regional DKIM host region's CNAMEs at its own host (af-south-1)", async () => {
    const r = await run({ regions: ["af-south-1", "us-east-1"], domains: [exampleDomain()] });
    const cnames = dns(r).filter((d) => d.type === "CNAME");
    assert.equal(cnames.filter((c) => c.values[0].endsWith(".dkim.af-south-1.amazonses.com")).length, 3);
    assert.equal(cnames.filter((c) => /^[a-z2-7]{32}\.dkim\.amazonses\.com$/.test(c.values[0])).length, 3);
    assert.equal(dkimHost("af-south-1"), "dkim.af-south-1.amazonses.com");
  });

  it("lets a domain override the stack's regions", async () => {
    const r = await run({ regions: ["us-east-1", "eu-west-1"], domains: [exampleDomain({ regions: ["ap-northeast-1"] })] });
    assert.deepEqual(ofType(r, IDENTITY).map((x) => inputs(x).region), ["ap-northeast-1"]);
  });

  for (const perRegion of [false, true]) {
    it(`writes exactly one MX and one SPF per MAIL FROM domain (perRegion: ${perRegion})`, async () => {
      const regions = ["us-east-1", "eu-west-1", "ap-southeast-2"];
      const r = await run({ regions, domains: [exampleDomain({ mailFrom: { subdomain: "mail", perRegion } })] });
      const records = dns(r);
      const mailFromNames = perRegion ? regions.map((g) => `mail-${g}.example.com`) : ["mail.example.com"];
      for (const name of mailFromNames) {
        const mx = records.filter((x) => x.name === name && x.type === "MX");
        const spf = records.filter((x) => x.name === name && x.type === "TXT");
        assert.equal(mx.length, 1, name);
        assert.equal(mx[0].values.length, 1, name);
        assert.match(mx[0].values[0], /^10 feedback-smtp\.[a-z0-9-]+\.amazonses\.com$/);
        assert.deepEqual(spf.map((s) => s.values), [["v=spf1 include:amazonses.com ~all"]]);
      }
      assert.equal(records.filter((x) => x.type === "MX").length, mailFromNames.length);
      assert.deepEqual(
        ofType(r, MAIL_FROM).map((x) => inputs(x).mailFromDomain),
        perRegion ? mailFromNames : regions.map(() => "mail.example.com"),
      );
      if (perRegion) assert.ok(records.filter((x) => x.type === "MX").every((mx) => mx.values[0].includes(mx.name.slice(5, mx.name.indexOf(".")))));
    });
  }

  it("writes one DMARC record per domain however many regions", async () => {
    const r = await run({ regions: ["us-east-1", "eu-west-1", "eu-central-1", "ap-south-1"], domains: [exampleDomain(), exampleDomain({ name: "example.org", zone: "example.org", fromDomains: undefined })] });
    const dmarc = dns(r).filter((d) => d.name.startsWith("_dmarc."));
    assert.deepEqual(dmarc.map((d) => d.name).sort(), ["_dmarc.example.com", "_dmarc.example.org"]);
    assert.equal(ofType(r, IDENTITY).length, 8);
    assert.equal(dns(r).length, 2 * (3 * 4 + 3));
  });

  it("writes the RFC 9989 tags t=y and np=, v and p first", async () => {
    const out = await run({ regions: ["us-east-1"], domains: [{ name: "example.com", zone: "example.com", dmarc: { policy: "quarantine", nonexistentSubdomainPolicy: "reject", testing: true } }] });
    const dmarc = out.registrations.find((r) => r.name === "example.com-dmarc");
    assert.deepEqual(dmarc?.inputs.records, ["v=DMARC1; p=quarantine; np=reject; t=y"]);
    assert.deepEqual(out.warnings, []);
  });

  it("logs what RFC 7489 and RFC 9989 receivers read differently as warnings, and still declares everything", async () => {
    const out = await run({ regions: ["us-east-1"], domains: [{ name: "example.com", zone: "example.com", dmarc: { policy: "reject", percent: 0 } }] });
    assert.deepEqual(out.warnings.map((w) => w.split(": ")[0]), ["ses-email-auth:domains[0].dmarc.percent"]);
    assert.match(out.warnings[0], /pct=0 without t=y.*add testing: true/);
    assert.ok(out.registrations.some((r) => r.name === "example.com-dmarc"));
  });

  it("writes no DMARC record when DMARC is managed elsewhere", async () => {
    const r = await run({ regions: ["us-east-1"], domains: [exampleDomain({ dmarc: { manage: false } })] });
    assert.equal(dns(r).filter((d) => d.name.startsWith("_dmarc.")).length, 0);
  });

  it("creates an address identity per region and no DNS", async () => {
    const r = await run({ regions: ["us-east-1", "eu-west-1"], addresses: ["ops@example.com"] });
    assert.deepEqual(ofType(r, IDENTITY).map((x) => [inputs(x).emailIdentity, inputs(x).region]), [
      ["ops@example.com", "us-east-1"],
      ["ops@example.com", "eu-west-1"],
    ]);
    assert.equal(dns(r).length, 0);
    assert.deepEqual((plain(r.outputs) as any).addresses["ops@example.com"]["eu-west-1"], {
      arn: "arn:aws:ses:eu-west-1:123456789012:identity/ops@example.com",
      verifiedForSending: false,
      verificationStatus: "PENDING",
      dkimStatus: "NOT_STARTED",
    });
  });
});

describe("program: Cloudflare", () => {
  let result: ProgramRun;
  before(async () => {
    result = await run({ regions: ["us-east-1", "af-south-1"], dnsProvider: "cloudflare", domains: [exampleDomain({ zone: CLOUDFLARE_ZONE, ttl: 1, mailFrom: { perRegion: true } })] });
  });

  it("keeps DKIM CNAMEs DNS-only and unflattened, and proxies nothing", () => {
    const all = ofType(result, CF).map(inputs);
    const cnames = all.filter((i) => i.type === "CNAME");
    assert.equal(cnames.length, 6);
    assert.ok(cnames.every((c) => c.proxied === false && c.settings.flattenCname === false));
    assert.ok(all.every((i) => i.proxied !== true));
  });

  it("gives every record the zone id and the required ttl (1 = automatic)", () => {
    assert.ok(ofType(result, CF).map(inputs).every((i) => i.zoneId === CLOUDFLARE_ZONE && i.ttl === 1));
  });

  it("writes MX with a separate priority and TXT quoted", () => {
    const all = ofType(result, CF).map(inputs);
    assert.deepEqual(
      all.filter((i) => i.type === "MX").map((i) => [i.name, i.priority, i.content]),
      [
        ["bounce-us-east-1.example.com", 10, "feedback-smtp.us-east-1.amazonses.com"],
        ["bounce-af-south-1.example.com", 10, "feedback-smtp.af-south-1.amazonses.com"],
      ],
    );
    assert.deepEqual(all.filter((i) => i.name === "_dmarc.example.com").map((i) => i.content), ['"v=DMARC1; p=quarantine; pct=25; rua=mailto:dmarcreports@example.com"']);
  });
});

describe("program: long TXT values and BYODKIM", () => {
  const key = rsaKeyPair(2048);
  const byodkim = (dnsProvider: string) =>
    run(
      {
        regions: ["us-east-1", "eu-west-1"],
        dnsProvider,
        domains: [exampleDomain({ zone: dnsProvider === "cloudflare" ? CLOUDFLARE_ZONE : "example.com", dkim: { selector: "ses2026", publicKey: key.publicKey, privateKeyConfig: "exampleDkimKey" } })],
        exampleDkimKey: key.privateKey,
      },
      false,
      ["ses-email-auth:exampleDkimKey"],
    );

  it("splits a TXT value over 255 characters for Route 53 and publishes one key record for all regions", async () => {
    const r = await byodkim("route53");
    const keyRecords = dns(r).filter((d) => d.name === "ses2026._domainkey.example.com");
    assert.equal(keyRecords.length, 1);
    const value = keyRecords[0].values[0];
    const strings = value.split('""');
    assert.ok(strings.length > 1 && strings.every((s) => s.length <= 255));
    assert.equal(strings.join(""), `v=DKIM1; k=rsa; p=${key.publicKey}`);
    assert.equal(dns(r).filter((d) => d.type === "CNAME").length, 0);
  });

  it("quotes the long TXT value whole for Cloudflare", async () => {
    const r = await byodkim("cloudflare");
    const content = dns(r).find((d) => d.name === "ses2026._domainkey.example.com")!.values[0];
    assert.equal(content, `"v=DKIM1; k=rsa; p=${key.publicKey}"`);
    assert.ok(content.length > 255);
  });

  it("keeps the private key secret end to end", async () => {
    const r = await byodkim("route53");
    const identity = ofType(r, IDENTITY)[0];
    const sent = (identity.inputs.dkimSigningAttributes as any).domainSigningPrivateKey;
    assert.equal(sent[SECRET_SIG_KEY], SECRET_SIG, "sent to the provider as a secret");
    const everythingElse = JSON.stringify([r.outputs, r.registrations.filter((x) => x.type !== IDENTITY).map((x) => [x.inputs, x.outputs])]);
    assert.ok(!everythingElse.includes(key.privateKey.slice(0, 64)));
    assert.equal((identity.inputs.dkimSigningAttributes as any).domainSigningSelector, "ses2026");
  });
});

describe("program: preview", () => {
  it("leaves DKIM names unknown but links them to their identity, everything else known", async () => {
    const r = await run({ regions: ["us-east-1"], domains: [exampleDomain()] }, true);
    const identity = ofType(r, IDENTITY)[0];
    const dkim = ofType(r, R53).filter((x) => x.inputs.name === UNKNOWN);
    assert.equal(dkim.length, 3);
    assert.ok(dkim.every((x) => x.propertyDependencies.name.includes(identity.urn) && x.inputs.type === "CNAME"));
    assert.deepEqual(
      ofType(r, R53).filter((x) => x.inputs.name !== UNKNOWN).map((x) => x.inputs.name),
      ["bounce.example.com", "bounce.example.com", "_dmarc.example.com"],
    );
  });
});

describe("program: resource names", () => {
  const urns = async (input: StackInput) => new Set((await run(input)).registrations.map((r) => r.urn));

  it("keeps every existing URN when a region is added or removed", async () => {
    const two = await urns({ regions: ["us-east-1", "eu-west-1"], domains: [exampleDomain({ mailFrom: { perRegion: true } })] });
    const three = await urns({ regions: ["us-east-1", "eu-west-1", "ap-northeast-1"], domains: [exampleDomain({ mailFrom: { perRegion: true } })] });
    assert.ok([...two].every((u) => three.has(u)));
    assert.ok(three.size > two.size);
  });

  it("keeps the other domain's URNs when a domain is added or removed", async () => {
    const other = exampleDomain({ name: "example.org", zone: "example.org", fromDomains: undefined });
    const both = await urns({ regions: ["us-east-1"], domains: [exampleDomain(), other] });
    const one = await urns({ regions: ["us-east-1"], domains: [other] });
    assert.ok([...one].every((u) => both.has(u)));
    assert.ok([...both].filter((u) => !one.has(u)).every((u) => u.includes("example.com")));
  });
});

describe("program: bad config registers nothing", () => {
  const good = () => exampleDomain();
  const cases: [string, StackInput, string][] = [
    ["malformed domain", { regions: ["us-east-1"], domains: [good(), { ...good(), name: "exa mple.com" }] }, "ses-email-auth:domains[1].name"],
    ["public suffix as domain", { regions: ["us-east-1"], domains: [{ ...good(), name: "co.uk", zone: "co.uk", fromDomains: undefined }] }, "ses-email-auth:domains[0].name"],
    ["duplicate domain", { regions: ["us-east-1"], domains: [good(), { ...good(), name: "Example.COM" }] }, "ses-email-auth:domains[1].name"],
    ["empty regions", { regions: [], domains: [good()] }, "ses-email-auth:regions"],
    ["empty region", { regions: [""], domains: [good()] }, "ses-email-auth:regions[0]"],
    ["unknown region", { regions: ["us-east-9"], domains: [good()] }, "ses-email-auth:regions[0]"],
    ["region without SES", { regions: ["us-east-1"], domains: [{ ...good(), regions: ["ap-east-1"] }] }, "ses-email-auth:domains[0].regions[0]"],
    ["duplicate region", { regions: ["us-east-1", "eu-west-1", "us-east-1"], domains: [good()] }, "ses-email-auth:regions[2]"],
    ["missing zone", { regions: ["us-east-1"], domains: [{ ...good(), zone: undefined }] }, "ses-email-auth:domains[0].zone"],
    ["MAIL FROM not a label", { regions: ["us-east-1"], domains: [{ ...good(), mailFrom: { subdomain: "bad_label" } }] }, "ses-email-auth:domains[0].mailFrom.subdomain"],
    ["MAIL FROM equal to the domain", { regions: ["us-east-1"], domains: [{ ...good(), mailFrom: { subdomain: "@" } }] }, "ses-email-auth:domains[0].mailFrom.subdomain"],
    ["From domain outside the domain", { regions: ["us-east-1"], domains: [{ ...good(), fromDomains: ["example.net"] }] }, "ses-email-auth:domains[0].fromDomains[0]"],
    ["DMARC policy", { regions: ["us-east-1"], domains: [{ ...good(), dmarc: { policy: "block" } }] }, "ses-email-auth:domains[0].dmarc.policy"],
    ["DMARC sp", { regions: ["us-east-1"], domains: [{ ...good(), dmarc: { policy: "none", subdomainPolicy: "drop" } }] }, "ses-email-auth:domains[0].dmarc.subdomainPolicy"],
    ["percent over 100", { regions: ["us-east-1"], domains: [good(), { ...good(), name: "b.example", zone: "b.example", fromDomains: undefined, dmarc: { policy: "none", percent: 101 } }] }, "ses-email-auth:domains[1].dmarc.percent"],
    ["percent not an integer", { regions: ["us-east-1"], domains: [{ ...good(), dmarc: { policy: "none", percent: 12.5 } }] }, "ses-email-auth:domains[0].dmarc.percent"],
    ["rua not mailto", { regions: ["us-east-1"], domains: [{ ...good(), dmarc: { policy: "none", rua: ["https://reports.example.com"] } }] }, "ses-email-auth:domains[0].dmarc.rua[0]"],
    ["ruf not mailto", { regions: ["us-east-1"], domains: [{ ...good(), dmarc: { policy: "none", ruf: ["dmarc@example.com"] } }] }, "ses-email-auth:domains[0].dmarc.ruf[0]"],
    ["adkim", { regions: ["us-east-1"], domains: [{ ...good(), dmarc: { policy: "none", adkim: "s" } }] }, "ses-email-auth:domains[0].dmarc.adkim"],
    ["aspf", { regions: ["us-east-1"], domains: [{ ...good(), dmarc: { policy: "none", aspf: "loose" } }] }, "ses-email-auth:domains[0].dmarc.aspf"],
    ["typo in a domain", { regions: ["us-east-1"], domains: [{ ...good(), fromDomain: ["example.com"] }] }, "ses-email-auth:domains[0].fromDomain"],
    ["typo in dmarc", { regions: ["us-east-1"], domains: [{ ...good(), dmarc: { policy: "none", pct: 5 } }] }, "ses-email-auth:domains[0].dmarc.pct"],
    ["typo in mailFrom", { regions: ["us-east-1"], domains: [{ ...good(), mailFrom: { subDomain: "bounce" } }] }, "ses-email-auth:domains[0].mailFrom.subDomain"],
    ["typo at the top", { region: ["us-east-1"], regions: ["us-east-1"], domains: [good()] }, "ses-email-auth:region"],
    ["cloudflare without a zone id", { regions: ["us-east-1"], dnsProvider: "cloudflare", domains: [good()] }, "ses-email-auth:domains[0].zone"],
    ["unknown DNS provider", { regions: ["us-east-1"], dnsProvider: "gandi", domains: [good()] }, "ses-email-auth:dnsProvider"],
    ["bad address", { regions: ["us-east-1"], addresses: ["ops.example.com"] }, "ses-email-auth:addresses[0]"],
  ];
  for (const [what, input, key] of cases) {
    it(`${what}: names ${key}`, async () => {
      await assert.rejects(runProgram({ config: stackConfig(input), preview: true }), (error: unknown) => {
        assert.ok(error instanceof ProgramFailed && error.cause instanceof ConfigError, String(error));
        const problems = (error.cause as ConfigError).problems;
        assert.ok(
          problems.some((p) => p.key === key),
          `expected a problem at ${key}, got ${JSON.stringify(problems)}`,
        );
        assert.match(error.message, new RegExp(key.replace(/[.[\]]/g, "\\$&")));
        assert.deepEqual(error.registrations.filter((r) => r.type !== "pulumi:pulumi:Stack"), []);
        return true;
      });
    });
  }

  it("reports every problem of a config at once", async () => {
    await assert.rejects(runProgram({ config: stackConfig({ regions: ["us-east-9"], domains: [{ ...good(), dmarc: { policy: "x", percent: -1 } }] }), preview: true }), (error: ProgramFailed) => {
      assert.deepEqual((error.cause as ConfigError).problems.map((p) => p.key).sort(), ["ses-email-auth:domains[0].dmarc.percent", "ses-email-auth:domains[0].dmarc.policy", "ses-email-auth:regions[0]"]);
      return true;
    });
  });
});
