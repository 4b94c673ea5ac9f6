/**
 * Every URN of the example stacks, pinned: a URN that changes makes `pulumi up` replace (delete and
 * recreate) the resource, and an SES identity recreated loses its DKIM tokens and verification.
 * tests/fixtures/urns.json was written by this program's first version of each stack; a refactor
 * must register exactly the same URNs. The variants cover what the example stack files leave out:
 * BYODKIM, sending (stack-wide, overridden, opted out, existing topics, EventBridge), per-region
 * and disabled MAIL FROM, unmanaged DMARC, per-domain regions, addresses, protect.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { runProgram } from "../../tools/mock-run";
import { readStackConfig } from "../../tools/stack-config";
import { CLOUDFLARE_ZONE, exampleDomain, rsaKeyPair, stackConfig } from "../fixtures/stacks";

const PINNED: Record<string, string[]> = require("../fixtures/urns.json");
const ROOT = join(__dirname, "..", "..");
const key = rsaKeyPair(1024);
const TOPIC = "arn:aws:sns:eu-west-1:123456789012:ops-email-events";
const GLOBAL_ENDPOINT = { name: "example-global", primary: "us-east-1", secondary: "eu-west-1" };

/** Stacks that are not stack files, as `namespace:key` config; the BYODKIM key is a generated one (no URN depends on it). */
const VARIANTS: Record<string, () => { config: Record<string, string>; secretKeys: string[] }> = {
  "route53-everything": () => ({
    config: stackConfig({
      regions: ["us-east-1", "eu-west-1", "af-south-1"],
      protect: true,
      sending: { events: ["BOUNCE", "COMPLAINT", "REJECT", "DELIVERY_DELAY"], requireTls: true, topicArns: { "eu-west-1": TOPIC } },
      domains: [
        exampleDomain({ dkim: { selector: "ses2026", publicKey: key.publicKey, privateKeyConfig: "exampleComDkimKey" }, sending: { eventBridge: true, fromAddresses: ["noreply@example.com"] } }),
        exampleDomain({ name: "example.org", zone: "example.org", fromDomains: undefined, mailFrom: { subdomain: "mail", perRegion: true } }),
        exampleDomain({ name: "example.net", zone: "Z0123456789ABC", fromDomains: undefined, regions: ["ap-northeast-1"], mailFrom: false, dmarc: { manage: false }, sending: false, allowOverwrite: true }),
      ],
      addresses: ["ops@example.com", "alerts@example.org"],
      exampleComDkimKey: key.privateKey,
    }),
    secretKeys: ["ses-email-auth:exampleComDkimKey"],
  }),
  // dev's stack file with a global endpoint between its two regions and the verification waits.
  "dev-global-endpoint-waits": () => ({
    config: { ...readStackConfig(ROOT, "dev"), "ses-email-auth:globalEndpoint": JSON.stringify(GLOBAL_ENDPOINT), "ses-email-auth:waitForVerification": "30" },
    secretKeys: [],
  }),
  // dev's stack file receiving its reports (docs/reports.md): its domain's rua then names the report address.
  "dev-reports": () => {
    const config = readStackConfig(ROOT, "dev");
    const domains = JSON.parse(config["ses-email-auth:domains"]).map((d: Record<string, any>) => ({ ...d, dmarc: { ...d.dmarc, rua: undefined } }));
    return { config: { ...config, "ses-email-auth:domains": JSON.stringify(domains), "ses-email-auth:reports": JSON.stringify({ domain: "dmarc.example.com", zone: "example.com" }) }, secretKeys: [] };
  },
  "cloudflare-byodkim-sending": () => ({
    config: stackConfig({
      regions: ["us-east-1", "eu-west-1"],
      dnsProvider: "cloudflare",
      sending: {},
      domains: [exampleDomain({ zone: CLOUDFLARE_ZONE, ttl: 1, dkim: { selector: "cf2026", publicKey: key.publicKey, privateKeyConfig: "cfKey" }, mailFrom: { perRegion: true } })],
      addresses: ["ops@example.com"],
      cfKey: key.privateKey,
    }),
    secretKeys: ["ses-email-auth:cfKey"],
  }),
};

async function urnsOf(stack: string): Promise<string[]> {
  const variant = VARIANTS[stack];
  const { config, secretKeys } = variant ? variant() : { config: readStackConfig(ROOT, stack), secretKeys: [] };
  const run = await runProgram({ config, secretKeys, preview: false, stack });
  return run.registrations.map((r) => r.urn).sort();
}

describe("URNs of the example stacks stay as they were", () => {
  it("pins every stack file and variant", () => {
    assert.deepEqual(Object.keys(PINNED).sort(), ["cloudflare-byodkim-sending", "cloudflare-example", "dev", "dev-global-endpoint-waits", "dev-reports", "prod", "route53-everything"]);
  });

  it("a global endpoint and the waits only add resources: dev keeps every URN it had", async () => {
    // The same URNs but for the stack's name, which is the variant's here.
    const unstacked = (urns: string[]) => urns.map((u) => u.replace(/^urn:pulumi:[^:]+::/, "").replace(/::ses-email-auth-[a-z-]+$/, "::ses-email-auth"));
    const [dev, withEndpoint] = [unstacked(PINNED.dev), unstacked(PINNED["dev-global-endpoint-waits"])];
    assert.ok(dev.every((u) => withEndpoint.includes(u)));
    assert.deepEqual(withEndpoint.filter((u) => !dev.includes(u)).map((u) => u.replace(/^ses-email-auth::/, "")), [
      "ses-email-auth:index:SesDomain$aws:ses/domainIdentityVerification:DomainIdentityVerification::example.com-eu-west-1-verification",
      "ses-email-auth:index:SesDomain$aws:ses/domainIdentityVerification:DomainIdentityVerification::example.com-us-east-1-verification",
      "ses-email-auth:index:SesGlobalEndpoint$aws:sesv2/multiRegionEndpoint:MultiRegionEndpoint::example-global",
      "pulumi:pulumi:Stack$ses-email-auth:index:SesGlobalEndpoint::example-global",
    ].sort());
  });

  it("receiving reports only adds resources: dev keeps every URN it had", () => {
    const unstacked = (urns: string[]) => urns.map((u) => u.replace(/^urn:pulumi:[^:]+::/, "").replace(/::ses-email-auth-[a-z-]+$/, "::ses-email-auth"));
    const [dev, withReports] = [unstacked(PINNED.dev), unstacked(PINNED["dev-reports"])];
    assert.ok(dev.every((u) => withReports.includes(u)));
    const added = withReports.filter((u) => !dev.includes(u));
    // The receiving component's resources, and its own SesDomain's (the receiving identity and its records).
    assert.ok(added.every((u) => /SesReportReceiving|::dmarc\.example\.com-/.test(u)), JSON.stringify(added));
    assert.equal(added.length, 19);
  });

  for (const stack of Object.keys(PINNED)) {
    it(`${stack}: the same ${PINNED[stack].length} URNs`, async () => {
      assert.deepEqual(await urnsOf(stack), PINNED[stack]);
    });
  }
});
