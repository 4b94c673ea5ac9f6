/**
 * The DNS setups `verify` is tested on: each a domain built with the program's own record
 * builders (lib/records.ts), then broken one way; plus the amazonses.com stub their CNAMEs and
 * SPF includes lead to. One zone file serves them all from one knot server.
 */
import { generateKeyPairSync } from "node:crypto";
import { Outcome, RequiredPaths } from "../../lib/alignment";
import { Alignment, DmarcPolicy, formatDmarc, Standards } from "../../lib/dmarc";
import { DnsRecordSpec, domainRecords, MAIL_FROM_MX_PRIORITY, RecordRole, RecordType } from "../../lib/records";
import { dkimHost, SES_SPF_INCLUDE } from "../../lib/regions";
import { DnsProvider, DomainSpec, EasyDkimKeyLength, MailFromMxFailure } from "../../lib/spec";
import { renderZoneFile } from "../../lib/zonefile";
import { Target } from "../../tools/verify/targets";

/** The key SES "holds" for every token: the stub publishes its public half at each token's target. */
export const dkimKeys = generateKeyPairSync("rsa", { modulusLength: 1024 });
const PUBLIC_KEY = dkimKeys.publicKey.export({ type: "spki", format: "der" }).toString("base64");

/** amazonses.com's SPF in the stub: its first ip4: is the address verify evaluates as SES. */
export const SES_SENDING_IP = "199.255.192.1";
const SES_SPF_RECORD = "v=spf1 ip4:199.255.192.0/22 ip4:54.240.0.0/18 -all";

type Zone = Pick<DnsRecordSpec, "name" | "type" | "values" | "ttl">;

export interface Case {
  title: string;
  spec: DomainSpec;
  tokens: Map<string, string[]>;
  /** What is published: the program's records for `spec`, edited to break the setup. */
  zone: Zone[];
  /** verify's verdict per region (the same for every From domain), and whether the domain is ok overall. */
  verdict: Record<string, Outcome>;
  ok: boolean;
  /** Checks expected to fail (substring of `check`), when ok is false. */
  failing?: string[];
  /** Words the readable output must contain: the "why". */
  mentions?: string[];
  /** Zone-file lines beyond what the builders can write (binary garbage, in \DDD escapes). */
  rawLines?: string[];
  /** The `_dmarc` names RFC 9989 receivers query for one message, by From domain: every tree walk, in order. */
  queries?: Record<string, string[]>;
  /** Why verify's verdict (under the required standards) is not mailauth's (RFC 9989 only), where it is not. */
  mailauth?: string;
}

export function spec(name: string, overrides: Partial<DomainSpec> = {}, dmarc: Partial<DomainSpec["dmarc"]> = {}): DomainSpec {
  return {
    name,
    dns: { provider: DnsProvider.ROUTE53, zone: name, allowOverwrite: false },
    regions: ["us-east-1"],
    fromDomains: [name],
    mailFrom: { subdomain: "bounce", perRegion: false, onMxFailure: MailFromMxFailure.REJECT },
    dkim: { kind: "easy", keyLength: EasyDkimKeyLength.RSA_2048_BIT },
    dmarc: { manage: true, policy: DmarcPolicy.REJECT, rua: [], ruf: [], adkim: Alignment.RELAXED, aspf: Alignment.RELAXED, standards: Standards.BOTH, ...dmarc },
    ttl: 300,
    ...overrides,
  };
}

/** Distinct, valid Easy DKIM tokens per domain and region. */
function tokensFor(s: DomainSpec): Map<string, string[]> {
  if (s.dkim.kind !== "easy") return new Map();
  const id = s.name.replace(/[^a-z0-9]/g, "");
  return new Map(s.regions.map((r, ri) => [r, [0, 1, 2].map((i) => `${id}r${ri}t${i}`)]));
}

type Edit = (records: Zone[], s: DomainSpec, tokens: Map<string, string[]>) => Zone[];

export function build(title: string, s: DomainSpec, expected: Omit<Case, "title" | "spec" | "tokens" | "zone">, edit: Edit = (r) => r): Case {
  const tokens = tokensFor(s);
  return { title, spec: s, tokens, zone: edit(domainRecords(s, (r) => tokens.get(r)), s, tokens), ...expected };
}

const txt = (name: string, ...values: string[]): Zone => ({ name, type: RecordType.TXT, values, ttl: 300 });
const without = (role: RecordRole) => (records: Zone[]) => records.filter((r) => (r as DnsRecordSpec).role !== role);
const pass = (...regions: string[]) => Object.fromEntries(regions.map((r) => [r, "pass" as Outcome]));
const fail = (...regions: string[]) => Object.fromEntries(regions.map((r) => [r, "fail" as Outcome]));

/** A DMARC record long enough to be split into several TXT strings. */
const LONG_DMARC = formatDmarc({ policy: DmarcPolicy.REJECT, rua: Array.from({ length: 12 }, (_, i) => `mailto:dmarc-reports-${i}@long.test`), ruf: [], adkim: Alignment.RELAXED, aspf: Alignment.RELAXED });

export const CASES: Case[] = [
  build("all good: two regions, two From domains", spec("good.test", { regions: ["us-east-1", "eu-west-1"], fromDomains: ["good.test", "news.good.test"] }), { verdict: pass("us-east-1", "eu-west-1"), ok: true }),
  build("no DMARC record", spec("nodmarc.test", {}, { manage: false }), { verdict: fail("us-east-1"), ok: false, failing: ["dmarc"], mentions: ["no DMARC record at _dmarc.nodmarc.test"] }),
  build(
    "DMARC from the organizational domain",
    spec("mail.orgfb.test", {}, { manage: false }),
    { verdict: pass("us-east-1"), ok: true, mentions: ["_dmarc.orgfb.test (the organizational domain's record", "p=quarantine"] },
    (r) => [...r, txt("_dmarc.orgfb.test", "v=DMARC1; p=reject; sp=quarantine")],
  ),
  build("two DMARC records", spec("twodmarc.test"), { verdict: fail("us-east-1"), ok: false, failing: ["dmarc"], mentions: ["2 DMARC records"] }, (r) => [...r, txt("_dmarc.twodmarc.test", "v=DMARC1; p=none")]),
  build("aspf=s: SPF unaligned, DKIM aligned", spec("aspfs.test", {}, { aspf: Alignment.STRICT }), { verdict: pass("us-east-1"), ok: true, mentions: ["aspf=s: SPF never aligns", "DMARC passes via DKIM,"] }),
  build(
    "adkim=s, subdomain From, no custom MAIL FROM",
    spec("adkims.test", { fromDomains: ["news.adkims.test"], mailFrom: undefined }, { adkim: Alignment.STRICT }),
    { verdict: fail("us-east-1"), ok: false, mentions: ["adkim=s: SES signs as d=adkims.test", "no custom MAIL FROM"] },
  ),
  build(
    "one region's DKIM CNAME missing",
    spec("dkimmiss.test", { regions: ["us-east-1", "eu-west-1"] }),
    // SPF still aligns, so DMARC passes; but SES cannot verify the identity in eu-west-1.
    { verdict: pass("us-east-1", "eu-west-1"), ok: false, failing: ["dkim"], mentions: ["no CNAME at dkimmisstestr1t0._domainkey.dkimmiss.test"] },
    (r, _s, tokens) => r.filter((x) => x.name !== `${tokens.get("eu-west-1")![0]}._domainkey.dkimmiss.test`),
  ),
  build("MAIL FROM with two MX", spec("twomx.test"), { verdict: pass("us-east-1"), ok: false, failing: ["mail-from-mx"], mentions: ["2 MX records at bounce.twomx.test"] }, (r) => [
    ...r,
    { name: "bounce.twomx.test", type: RecordType.MX, values: [`${MAIL_FROM_MX_PRIORITY + 10} feedback-smtp.eu-west-1.amazonses.com`], ttl: 300 },
  ]),
  build("MX to a non-SES host", spec("mxother.test"), { verdict: pass("us-east-1"), ok: false, failing: ["mail-from-mx"], mentions: ["names mx.mxother.test, not an SES feedback endpoint"] }, (r) => [
    ...without(RecordRole.MAIL_FROM_MX)(r),
    { name: "bounce.mxother.test", type: RecordType.MX, values: ["10 mx.mxother.test"], ttl: 300 },
  ]),
  build("SPF not authorising SES", spec("spfnoses.test"), { verdict: pass("us-east-1"), ok: false, failing: ["mail-from-spf"], mentions: ["does not include:amazonses.com"] }, (r) => [
    ...without(RecordRole.MAIL_FROM_SPF)(r),
    txt("bounce.spfnoses.test", "v=spf1 ip4:192.0.2.0/24 -all"),
  ]),
  build("SPF over 10 DNS lookups", spec("spf10.test"), { verdict: pass("us-east-1"), ok: false, failing: ["mail-from-spf"], mentions: ["permerror", "Too many DNS requests"] }, (r) => [
    ...without(RecordRole.MAIL_FROM_SPF)(r),
    txt("bounce.spf10.test", `v=spf1 ${Array.from({ length: 10 }, (_, i) => `include:s${i}.spf10.test`).join(" ")} include:${SES_SPF_INCLUDE} ~all`),
    ...Array.from({ length: 10 }, (_, i) => txt(`s${i}.spf10.test`, "v=spf1 -all")),
  ]),
  build("a regional DKIM host (af-south-1)", spec("regional.test", { regions: ["af-south-1"] }), { verdict: pass("af-south-1"), ok: true, mentions: ["3 CNAMEs → dkim.af-south-1.amazonses.com"] }),
  build(
    "af-south-1 CNAMEs pointing at the global DKIM host",
    spec("regionalbad.test", { regions: ["af-south-1"], mailFrom: undefined }),
    { verdict: fail("af-south-1"), ok: false, failing: ["dkim"], mentions: ["af-south-1 signs with dkim.af-south-1.amazonses.com, not dkim.amazonses.com"] },
    (r) => r.map((x) => (x.type === "CNAME" ? { ...x, values: x.values.map((v) => v.replace(dkimHost("af-south-1"), "dkim.amazonses.com")) } : x)),
  ),
  build(
    "BYODKIM: one key record for every region",
    spec("byo.test", { regions: ["us-east-1", "eu-west-1"], dkim: { kind: "byodkim", selector: "ses2026", publicKey: PUBLIC_KEY } }),
    { verdict: pass("us-east-1", "eu-west-1"), ok: true, mentions: ["ses2026._domainkey.byo.test: the stack's key is published"] },
  ),
  build(
    "garbage, huge and chunked TXT records beside the real ones",
    spec("garbage.test", {}, { manage: false }),
    { verdict: pass("us-east-1"), ok: true, mentions: ["_dmarc.garbage.test: p=reject"], rawLines: ['_dmarc.garbage.test. 300 IN TXT "\\000\\001\\255 v=DMARC1 garbage" "\\\\"', 'bounce.garbage.test. 300 IN TXT "\\255\\254" ""'] },
    (r) => [
      ...r,
      txt("_dmarc.garbage.test", LONG_DMARC),
      txt("_dmarc.garbage.test", "x".repeat(3000)),
      txt("bounce.garbage.test", "v=spf2 garbage"),
      txt("bounce.garbage.test", "y".repeat(2000)),
    ],
  ),
  build(
    "a DKIM CNAME loop",
    spec("loop.test", { mailFrom: undefined }),
    { verdict: fail("us-east-1"), ok: false, failing: ["dkim"], mentions: ["CNAME loop from looptestr0t0._domainkey.loop.test"] },
    // The first token's target points back at the token's own name.
    (r, _s, tokens) => [...r, { name: `${tokens.get("us-east-1")![0]}.dkim.amazonses.com`, type: RecordType.CNAME, values: [`${tokens.get("us-east-1")![0]}._domainkey.loop.test`], ttl: 300 }],
  ),

  // ---- the three records of issue 13: the seed's, an RFC 9989 one, one that mixes both ----
  build(
    "the seed's record: p=quarantine; pct=25",
    spec("seed.test", { fromDomains: ["seed.test", "news.seed.test"] }, { policy: DmarcPolicy.QUARANTINE, percent: 25, rua: ["mailto:dmarcreports@seed.test"] }),
    {
      verdict: pass("us-east-1"),
      ok: true,
      mentions: ["pct=25: RFC 7489 receivers apply quarantine to 25% of failing mail and none to the rest", "pct=25: RFC 9989 receivers ignore pct and apply quarantine to all failing mail"],
      queries: { "seed.test": ["_dmarc.seed.test", "_dmarc.test", "_dmarc.bounce.seed.test"], "news.seed.test": ["_dmarc.news.seed.test", "_dmarc.seed.test", "_dmarc.test", "_dmarc.bounce.seed.test"] },
    },
  ),
  build(
    "an RFC 9989 record: t=y, and np= for a From domain that does not exist",
    spec("rfc9989.test", { fromDomains: ["rfc9989.test", "news.rfc9989.test"] }, { policy: DmarcPolicy.REJECT, subdomainPolicy: DmarcPolicy.QUARANTINE, nonexistentSubdomainPolicy: DmarcPolicy.REJECT, testing: true, rua: ["mailto:d@rfc9989.test"] }),
    {
      verdict: pass("us-east-1"),
      ok: true,
      mentions: [
        "t=y (test mode): RFC 9989 receivers apply quarantine, one level below reject",
        "t=y: RFC 7489 receivers do not know it and apply reject",
        "news.rfc9989.test does not exist in DNS (SES sends From it all the same): RFC 9989 receivers apply np=reject to its failing mail; RFC 7489 ones sp=quarantine",
        "RFC 9989 applies np=",
      ],
    },
  ),
  build(
    "a record for both: p=quarantine; t=y; pct=0",
    spec("mixed.test", {}, { policy: DmarcPolicy.QUARANTINE, testing: true, percent: 0, rua: ["mailto:d@mixed.test"] }),
    { verdict: pass("us-east-1"), ok: true, mentions: ["pct=0: RFC 7489 receivers apply none, one level below quarantine", "t=y (test mode): RFC 9989 receivers apply none, one level below quarantine"] },
  ),

  // ---- docs/dmarc-2026.md's worked examples, as SES sends them ----
  build(
    "E1: the From subdomain's own record and none at the apex fail RFC 9989 receivers",
    spec("e1.test", { fromDomains: ["news.e1.test"] }, { manage: false }),
    {
      verdict: fail("us-east-1"),
      ok: false,
      mentions: ["DMARC fails under RFC 9989 (RFC 7489 receivers pass it)", "there is no DMARC record at _dmarc.e1.test, the organizational domain", "fix: publish a DMARC record at _dmarc.e1.test"],
      queries: { "news.e1.test": ["_dmarc.news.e1.test", "_dmarc.e1.test", "_dmarc.test"] },
    },
    (r) => [...r, txt("_dmarc.news.e1.test", "v=DMARC1; p=reject")],
  ),
  build(
    "E1, judged for RFC 7489 receivers only (dmarc.standards: rfc7489)",
    spec("e1only.test", { fromDomains: ["news.e1only.test"] }, { manage: false, standards: Standards.RFC7489 }),
    { verdict: pass("us-east-1"), ok: true, mentions: ["(RFC 7489); RFC 9989 receivers, not required here, fail it", "fix: publish a DMARC record at _dmarc.e1only.test"], mailauth: "mailauth is an RFC 9989 receiver, which this domain's config does not require" },
    (r) => [...r, txt("_dmarc.news.e1only.test", "v=DMARC1; p=reject")],
  ),
  build(
    "E2: psd=n on an intermediate domain cuts the From domain off its identity",
    spec("corp.test", { fromDomains: ["billing.eu.corp.test"] }, { policy: DmarcPolicy.NONE }),
    {
      verdict: fail("us-east-1"),
      ok: false,
      mentions: ["_dmarc.eu.corp.test has psd=n", "remove psd=n from _dmarc.eu.corp.test", "RFC 7489 receivers apply sp=none from _dmarc.corp.test to mail From billing.eu.corp.test, RFC 9989 receivers sp=reject from _dmarc.eu.corp.test"],
      queries: { "billing.eu.corp.test": ["_dmarc.billing.eu.corp.test", "_dmarc.eu.corp.test"] },
    },
    (r) => [...r, txt("_dmarc.eu.corp.test", "v=DMARC1; p=reject; psd=n")],
  ),
  build(
    "E3: a public suffix domain's policy (psd=y) reaches RFC 9989 receivers only",
    spec("giant.bank", {}, { manage: false }),
    {
      verdict: fail("us-east-1"),
      ok: false,
      failing: ["dmarc giant.bank rfc7489"],
      mentions: ["RFC 7489 (public suffix list): no DMARC record at _dmarc.giant.bank", "_dmarc.bank (the public suffix domain's record; sp= applies to giant.bank)", "publish a DMARC record at _dmarc.giant.bank"],
      queries: { "giant.bank": ["_dmarc.giant.bank", "_dmarc.bank", "_dmarc.bounce.giant.bank"] },
      mailauth: "RFC 7489 receivers find no DMARC record (giant.bank is its own organizational domain by the public suffix list); mailauth, an RFC 9989 receiver, applies the PSD's",
    },
    (r) => [...r, txt("_dmarc.bank", "v=DMARC1; p=reject; psd=y")],
  ),
  build(
    "E4: a platform on the public suffix list's private section: its record reaches RFC 9989 receivers only",
    spec("alice.blogspot.com", {}, { manage: false }),
    {
      verdict: fail("us-east-1"),
      ok: false,
      mentions: ["no DMARC record at _dmarc.alice.blogspot.com", "_dmarc.blogspot.com (the organizational domain's record", "publish a DMARC record at _dmarc.alice.blogspot.com itself"],
      queries: { "alice.blogspot.com": ["_dmarc.alice.blogspot.com", "_dmarc.blogspot.com", "_dmarc.com", "_dmarc.bounce.alice.blogspot.com"] },
      mailauth: "RFC 7489 receivers, by the private part of the public suffix list, find no DMARC record; mailauth applies blogspot.com's",
    },
    (r) => [...r, txt("_dmarc.blogspot.com", "v=DMARC1; p=reject")],
  ),
  build(
    "E5: psd=n on the MAIL FROM domain breaks SPF alignment for RFC 9989 receivers; DKIM still carries DMARC",
    spec("e5.test"),
    {
      verdict: pass("us-east-1"),
      ok: true,
      mentions: ["SPF (MAIL FROM bounce.e5.test) aligns with e5.test under RFC 7489 but not under RFC 9989", "remove psd=n from _dmarc.bounce.e5.test"],
      queries: { "e5.test": ["_dmarc.e5.test", "_dmarc.test", "_dmarc.bounce.e5.test"] },
    },
    (r) => [...r, txt("_dmarc.bounce.e5.test", "v=DMARC1; p=none; psd=n")],
  ),
  build(
    "a From domain of 10 labels: 8 queries, the shortcut skipping a psd=n at 9 labels (§5.1.8)",
    spec("long.test", { fromDomains: ["a.b.c.d.e.f.g.h.long.test"] }),
    {
      verdict: pass("us-east-1"),
      ok: true,
      queries: {
        "a.b.c.d.e.f.g.h.long.test": [
          "_dmarc.a.b.c.d.e.f.g.h.long.test",
          "_dmarc.d.e.f.g.h.long.test",
          "_dmarc.e.f.g.h.long.test",
          "_dmarc.f.g.h.long.test",
          "_dmarc.g.h.long.test",
          "_dmarc.h.long.test",
          "_dmarc.long.test",
          "_dmarc.test",
          "_dmarc.bounce.long.test",
        ],
      },
    },
    (r) => [...r, txt("_dmarc.b.c.d.e.f.g.h.long.test", "v=DMARC1; p=none; psd=n")],
  ),

  // ---- the MAIL FROM record's health beyond SES's own path ----
  build(
    "SPF over 10 lookups when expanded, SES's include first",
    spec("spfearly.test"),
    { verdict: pass("us-east-1"), ok: true, mentions: ["11 DNS lookups when fully expanded", "SES's include:amazonses.com is reached at lookup 1, so SES passes, but every sender listed from include:s9.spfearly.test (in bounce.spfearly.test) on gets permerror"] },
    (r) => [
      ...without(RecordRole.MAIL_FROM_SPF)(r),
      txt("bounce.spfearly.test", `v=spf1 include:${SES_SPF_INCLUDE} ${Array.from({ length: 10 }, (_, i) => `include:s${i}.spfearly.test`).join(" ")} ~all`),
      ...Array.from({ length: 10 }, (_, i) => txt(`s${i}.spfearly.test`, "v=spf1 -all")),
    ],
  ),
  build(
    "SPF with 3 void lookups after SES's include",
    spec("spfvoid.test"),
    { verdict: pass("us-east-1"), ok: true, mentions: ["3 void lookups (names with no records), over the limit of 2"] },
    (r) => [...without(RecordRole.MAIL_FROM_SPF)(r), txt("bounce.spfvoid.test", `v=spf1 include:${SES_SPF_INCLUDE} a:nx1.spfvoid.test a:nx2.spfvoid.test a:nx3.spfvoid.test ~all`)],
  ),
];

/** Targets as verify builds them from flags or config, tokens given. */
export function targetOf(c: Case, requiredPaths = RequiredPaths.ANY, standards = c.spec.dmarc.standards): Target {
  return { spec: c.spec, tokens: c.tokens, declared: [], requiredPaths, standards };
}

/** The amazonses.com stub: its SPF record, and a DKIM key at each of `targets` (what SES publishes for each token). */
export function sesStub(targets: readonly string[]): Zone[] {
  return [txt(SES_SPF_INCLUDE, SES_SPF_RECORD), ...targets.map((name) => txt(name, `v=DKIM1; k=rsa; p=${PUBLIC_KEY}`))];
}

/** The whole zone: every case's records and the amazonses.com stub (SPF, a key at each token's target). */
export function testZone(cases: readonly Case[]): string {
  const names = new Set(cases.flatMap((c) => c.zone.map((r) => r.name)));
  const targets = cases.flatMap((c) => [...c.tokens].flatMap(([region, tokens]) => tokens.map((t) => `${t}.${dkimHost(region)}`)).filter((name) => !names.has(name)));
  const raw = cases.flatMap((c) => c.rawLines ?? []).join("\n");
  return `${renderZoneFile([...sesStub(targets), ...cases.flatMap((c) => c.zone)])}${raw}\n`;
}
