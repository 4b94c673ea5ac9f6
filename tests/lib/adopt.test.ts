/**
 * lib/adopt.ts on its own: the `adopt` argument's check, and the verdict on findings the CLI's
 * tests do not reach (provider forms of TXT values, SES attributes that differ, conflicts).
 * The findings' shapes are those tools/adopt/sources.ts builds from the services' answers.
 */
import assert from "node:assert/strict";
import { AdoptAction, checkAdopt, classifyDomain, Findings, FoundIdentity, FoundRecords, importFile, importFileUrns } from "../../lib/adopt";
import { checkDomain } from "../../lib/args";
import { Checker } from "../../lib/check";
import { DomainSpec } from "../../lib/spec";
import { CLOUDFLARE_ZONE } from "../fixtures/stacks";

const ZONE_ID = "Z0123456789ABC";
const TOKENS = ["aaaa1111", "bbbb2222", "cccc3333"];

function spec(args: Record<string, unknown>): DomainSpec {
  const c = new Checker();
  const d = checkDomain(c, { domain: "example.com", regions: ["us-east-1"], dns: { provider: "route53", zone: ZONE_ID }, ...args });
  assert.deepEqual(c.problems, []);
  return d!;
}

const cloudflare = (extra: Record<string, unknown> = {}) => spec({ dns: { provider: "cloudflare", zone: CLOUDFLARE_ZONE }, ttl: 1, ...extra });

function findings(records: Record<string, FoundRecords>, identity: FoundIdentity | undefined | "unchecked" = { tokens: TOKENS, signingOrigin: "AWS_SES", nextSigningKeyLength: "RSA_2048_BIT", mailFromDomain: "bounce.example.com", behaviorOnMxFailure: "REJECT_MESSAGE" }): Findings {
  return { records: (name, type) => records[`${name} ${type}`], identity: () => identity, zoneId: (d) => (d.dns.provider === "cloudflare" ? d.dns.zone : ZONE_ID) };
}

const txt = (value: string, raw: string, id?: string): FoundRecords => ({ values: [{ value, raw, id }], ttl: 3600, source: "api" });

function row(domain: DomainSpec, f: Findings, resource: string) {
  return classifyDomain(domain, "ses-email-auth:domains[0]", f).find((r) => r.resource === resource)!;
}

describe("adopt: the adopt argument", () => {
  const check = (value: unknown, domain = spec({})) => {
    const c = new Checker();
    return { ids: checkAdopt(c, value, domain), problems: c.problems.map((p) => `${p.key}: ${p.message}`) };
  };

  it("takes each declared resource's id in its provider's form", () => {
    const ids = { "example.com-us-east-1": "example.com@us-east-1", "example.com-dmarc": `${ZONE_ID}__dmarc.example.com_TXT`, "example.com-dkim-us-east-1-2": `${ZONE_ID}_bbbb2222._domainkey.example.com_CNAME` };
    assert.deepEqual(check(ids), { ids, problems: [] });
    const cf = { "example.com-dmarc": `${CLOUDFLARE_ZONE}/${"0".repeat(31)}1` };
    assert.deepEqual(check(cf, cloudflare()), { ids: cf, problems: [] });
  });

  it("names an unknown resource, an id of another form, region or zone, and a value that is no map", () => {
    assert.deepEqual(check({ "example.com-eu-west-1": "example.com@eu-west-1" }).problems, [
      'adopt["example.com-eu-west-1"]: is not a resource of example.com; its resources are example.com-us-east-1, example.com-us-east-1-mail-from, example.com-dkim-us-east-1-1, example.com-dkim-us-east-1-2, example.com-dkim-us-east-1-3, example.com-mail-from-mx, example.com-mail-from-spf, example.com-dmarc',
    ]);
    assert.deepEqual(check({ "example.com-us-east-1": "example.com" }).problems, ['adopt["example.com-us-east-1"]: must be "example.com@us-east-1" (the identity, @ its region); got "example.com"']);
    assert.deepEqual(check({ "example.com-mail-from-mx": "Z999_bounce.example.com_MX" }).problems, [`adopt["example.com-mail-from-mx"]: must be "${ZONE_ID}_bounce.example.com_MX" (ZONEID_NAME_TYPE); got "Z999_bounce.example.com_MX"`]);
    assert.deepEqual(check({ "example.com-dkim-us-east-1-1": `${ZONE_ID}_x._domainkey.example.org_CNAME` }).problems, [`adopt["example.com-dkim-us-east-1-1"]: must be "${ZONE_ID}_<token>._domainkey.example.com_CNAME" (ZONEID_NAME_TYPE); got "${ZONE_ID}_x._domainkey.example.org_CNAME"`]);
    assert.deepEqual(check({ "example.com-dmarc": `${CLOUDFLARE_ZONE}/nope` }, cloudflare()).problems, [`adopt["example.com-dmarc"]: must be "${CLOUDFLARE_ZONE}/<record id>" (32 hex digits, as the Cloudflare API lists it); got "${CLOUDFLARE_ZONE}/nope"`]);
    assert.match(check(true).problems[0], /^adopt: takes the import id of each resource, not true: npm run adopt -- --stack NAME --write-config/);
    assert.match(check("yes").problems[0], /^adopt: must map resource names to import ids, as npm run adopt writes them/);
  });
});

describe("adopt: the verdict", () => {
  it("Cloudflare: TXT content kept unquoted is the same text in another form, which an import refuses", () => {
    const r = row(cloudflare(), findings({ "bounce.example.com TXT": { values: [{ value: "v=spf1 include:amazonses.com ~all", raw: "v=spf1 include:amazonses.com ~all", id: "1".repeat(32) }], ttl: 1, source: "cloudflare" } }), "example.com-mail-from-spf");
    assert.equal(r.action, AdoptAction.ADOPT_THEN_CHANGE);
    assert.deepEqual(r.differences, ['content: v=spf1 include:amazonses.com ~all → "v=spf1 include:amazonses.com ~all"']);
    assert.equal(r.importId, `${CLOUDFLARE_ZONE}/${"1".repeat(32)}`);
  });

  it("Cloudflare: other text at the DMARC name is another record, left alone", () => {
    const dmarc = '"v=DMARC1; p=none"';
    const found: FoundRecords = { values: [{ value: "site-verification=x", raw: '"site-verification=x"', id: "2".repeat(32) }, { value: "v=DMARC1; p=none", raw: dmarc, id: "3".repeat(32) }], ttl: 1, source: "cloudflare" };
    const r = row(cloudflare(), findings({ "_dmarc.example.com TXT": found }), "example.com-dmarc");
    assert.equal(r.action, AdoptAction.ADOPT);
    assert.equal(r.importId, `${CLOUDFLARE_ZONE}/${"3".repeat(32)}`);
  });

  it("Route 53: a short value split in two strings, and other text in the record set, differ from what the stack writes", () => {
    const split = row(spec({}), findings({ "_dmarc.example.com TXT": txt("v=DMARC1; p=none", '"v=DMARC1; " "p=none"') }), "example.com-dmarc");
    assert.equal(split.action, AdoptAction.ADOPT_THEN_CHANGE);
    assert.deepEqual(split.differences, ["split into 2 strings → 1"]);
    const shared: FoundRecords = { values: [{ value: "v=spf1 include:amazonses.com ~all" }, { value: "site-verification=x" }], ttl: 3600, source: "route53" };
    const spf = row(spec({}), findings({ "bounce.example.com TXT": shared }), "example.com-mail-from-spf");
    assert.equal(spf.action, AdoptAction.ADOPT_THEN_CHANGE);
    assert.match(spf.advice!, /Route 53 keeps every TXT value of bounce\.example\.com in one record set/);
  });

  it("two SPF records and a CNAME to somewhere else are conflicts", () => {
    const two: FoundRecords = { values: [{ value: "v=spf1 include:amazonses.com ~all" }, { value: "v=spf1 -all" }], source: "dns" };
    assert.equal(row(spec({}), findings({ "bounce.example.com TXT": two }), "example.com-mail-from-spf").action, AdoptAction.CONFLICT);
    const cname: FoundRecords = { values: [{ value: "aaaa1111.dkim.eu-south-1.amazonses.com" }], source: "dns" };
    const r = row(spec({}), findings({ "aaaa1111._domainkey.example.com CNAME": cname }), "example.com-dkim-us-east-1-1");
    assert.equal(r.action, AdoptAction.CONFLICT);
    assert.match(r.advice!, /points elsewhere, not at SES's DKIM host for us-east-1/);
  });

  it("SES: another signing origin, key length, MAIL FROM domain or MX-failure behaviour, each with the key that keeps it", () => {
    const base = { tokens: TOKENS, signingOrigin: "AWS_SES", nextSigningKeyLength: "RSA_2048_BIT", mailFromDomain: "bounce.example.com", behaviorOnMxFailure: "REJECT_MESSAGE" };
    const id = (over: Partial<FoundIdentity>) => row(spec({}), findings({}, { ...base, ...over }), "example.com-us-east-1");
    assert.deepEqual(id({ signingOrigin: "EXTERNAL" }).differences, ["dkim: BYODKIM → Easy DKIM"]);
    assert.equal(id({ signingOrigin: "AWS_SES_EU_WEST_1" }).action, AdoptAction.CONFLICT);
    const short = id({ nextSigningKeyLength: "RSA_1024_BIT" });
    assert.deepEqual([short.action, short.advice], [AdoptAction.ADOPT_THEN_CHANGE, "set ses-email-auth:domains[0].dkim.keyLength: 1024 to keep it"]);
    assert.deepEqual([id({}).action, id({}).importId], [AdoptAction.ADOPT, "example.com@us-east-1"]);
    const mailFrom = (over: Partial<FoundIdentity>) => row(spec({}), findings({}, { ...base, ...over }), "example.com-us-east-1-mail-from");
    assert.equal(mailFrom({ mailFromDomain: "mail-us-east-1.example.com" }).advice, "set ses-email-auth:domains[0].mailFrom to {subdomain: mail, perRegion: true} to keep it");
    assert.match(mailFrom({ behaviorOnMxFailure: "USE_DEFAULT_VALUE" }).advice!, /mailFrom\.onMxFailure: use-default to keep it/);
    assert.equal(mailFrom({ mailFromDomain: undefined }).action, AdoptAction.CREATE);
    assert.equal(row(spec({}), { ...findings({}), identity: () => undefined }, "example.com-us-east-1").action, AdoptAction.CREATE);
  });

  it("without SES or tokens, the identity and its DKIM names are unknown, never guessed", () => {
    const rows = classifyDomain(spec({}), "k", findings({}, "unchecked"));
    assert.deepEqual(rows.filter((r) => r.action === AdoptAction.UNKNOWN).map((r) => r.resource), ["example.com-us-east-1", "example.com-us-east-1-mail-from", "example.com-dkim-us-east-1-1", "example.com-dkim-us-east-1-2", "example.com-dkim-us-east-1-3"]);
  });

  it("the import file parents every resource to its domain's component, leaving out what is missing or in conflict", () => {
    const rows = classifyDomain(spec({}), "k", findings({ "_dmarc.example.com TXT": txt("v=DMARC1; p=none", '"v=DMARC1; p=none"'), "bounce.example.com MX": { values: [{ value: "10 mx.example.net" }], source: "dns" } }));
    const file = importFile(rows);
    assert.deepEqual(file.resources.map((r) => [r.type, r.name, r.parent, r.id]), [
      ["ses-email-auth:index:SesDomain", "example.com", undefined, undefined],
      ["aws:sesv2/emailIdentity:EmailIdentity", "example.com-us-east-1", "example.com", "example.com@us-east-1"],
      ["aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes", "example.com-us-east-1-mail-from", "example.com", "example.com@us-east-1"],
      ["aws:route53/record:Record", "example.com-dmarc", "example.com", `${ZONE_ID}__dmarc.example.com_TXT`],
    ]);
    assert.deepEqual(importFileUrns(file, "dev", "p").slice(0, 2), ["urn:pulumi:dev::p::ses-email-auth:index:SesDomain::example.com", "urn:pulumi:dev::p::ses-email-auth:index:SesDomain$aws:sesv2/emailIdentity:EmailIdentity::example.com-us-east-1"]);
  });
});
