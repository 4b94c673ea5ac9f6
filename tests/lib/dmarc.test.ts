import { strict as assert } from "node:assert";
import {
  acrossUnknowns,
  Alignment,
  DmarcAt,
  dmarcAt,
  discoverDmarc,
  DmarcPolicy,
  DmarcSpec,
  formatDmarc,
  parseDmarc,
  receiverPolicies,
  recordPortability,
  treeWalk,
  TxtAnswer,
  walkOrganizationalDomain,
  walkPolicy,
} from "../../lib/dmarc";

const base: DmarcSpec = { policy: DmarcPolicy.QUARANTINE, rua: [], ruf: [], adkim: Alignment.RELAXED, aspf: Alignment.RELAXED };

/** TXT answers from a table of `_dmarc` names; every other name has none. */
const table = (records: Record<string, string>) => (name: string): DmarcAt => dmarcAt(records[name] === undefined ? [] : [records[name]]);
const dns = (records: Record<string, string>, exists: boolean = true) => ({ txt: (n: string): TxtAnswer => (records[n] === undefined ? [] : [records[n]]), exists: () => exists });

function parsed(text: string) {
  const r = parseDmarc(text);
  assert.ok(r.ok, text);
  return r;
}

describe("lib/dmarc: the record", () => {
  it("writes and reads the seed's record, pct kept as a legacy tag", () => {
    const seed = parsed("v=DMARC1;p=quarantine;pct=25;rua=mailto:dmarcreports@32imuf.com");
    const spec = { ...base, percent: 25, rua: ["mailto:dmarcreports@32imuf.com"] };
    assert.equal(formatDmarc(spec), "v=DMARC1; p=quarantine; pct=25; rua=mailto:dmarcreports@32imuf.com");
    assert.deepEqual(parsed(formatDmarc(spec)).record, seed.record);
    assert.equal(seed.record.percent, 25);
  });

  it("writes an RFC 9989 record with v and p first, then sp, np and t=y", () => {
    const text = formatDmarc({ ...base, policy: DmarcPolicy.REJECT, subdomainPolicy: DmarcPolicy.QUARANTINE, nonexistentSubdomainPolicy: DmarcPolicy.REJECT, testing: true, rua: ["mailto:d@example.com"] });
    assert.equal(text, "v=DMARC1; p=reject; sp=quarantine; np=reject; t=y; rua=mailto:d@example.com");
    const r = parsed(text).record;
    assert.deepEqual([r.policy, r.subdomainPolicy, r.nonexistentSubdomainPolicy, r.testing], [DmarcPolicy.REJECT, DmarcPolicy.QUARANTINE, DmarcPolicy.REJECT, true]);
    assert.deepEqual(r.tags, ["v", "p", "sp", "np", "t", "rua"]);
  });

  it("writes a record for both generations: t=y with pct=0", () => {
    const text = formatDmarc({ ...base, testing: true, percent: 0, rua: ["mailto:d@example.com"] });
    assert.equal(text, "v=DMARC1; p=quarantine; t=y; pct=0; rua=mailto:d@example.com");
    const r = parsed(text).record;
    assert.deepEqual([r.testing, r.percent], [true, 0]);
  });

  it("reads defaults: relaxed alignment, sp from p, np from sp, t=n, psd=u, pct=100", () => {
    const r = parsed("v=DMARC1; p=reject; sp=none").record;
    assert.deepEqual([r.adkim, r.aspf, r.subdomainPolicy, r.nonexistentSubdomainPolicy, r.testing, r.psd, r.percent], [Alignment.RELAXED, Alignment.RELAXED, DmarcPolicy.NONE, DmarcPolicy.NONE, false, "u", 100]);
  });

  it("keeps psd, rf and ri, ignores unknown tags, and reads p after other tags (RFC 9989)", () => {
    const r = parsed("v=DMARC1; psd=n; rf=afrf; ri=3600; future=1; p=reject");
    assert.deepEqual([r.record.psd, r.record.reportFormat, r.record.reportInterval, r.record.policy], ["n", "afrf", 3600, DmarcPolicy.REJECT]);
    assert.deepEqual(r.problems, []);
  });

  it("discards a tag with a syntax error for its default, and says so", () => {
    const r = parsed("v=DMARC1; p=reject; adkim=x; t=maybe; pct=abc; psd=q; rua=https://x.example/r,mailto:d@example.com; junk");
    assert.deepEqual([r.record.adkim, r.record.testing, r.record.percent, r.record.psd, r.record.rua], [Alignment.RELAXED, false, 100, "u", ["mailto:d@example.com"]]);
    assert.equal(r.problems.length, 6, r.problems.join("\n"));
  });

  it("follows RFC 9989 §4.10.1 for a missing or invalid p, sp or np", () => {
    const withRua = parseDmarc("v=DMARC1; p=sometimes; rua=mailto:d@example.com");
    assert.ok(withRua.ok && withRua.record.policy === DmarcPolicy.NONE && withRua.record.subdomainPolicy === DmarcPolicy.NONE);
    assert.match(withRua.ok ? withRua.problems[0] : "", /receivers act as p=none/);
    const badNp = parseDmarc("v=DMARC1; p=reject; np=maybe");
    assert.ok(!badNp.ok && /no DMARC processing/.test(badNp.error));
    const noP = parseDmarc("v=DMARC1; rua=mailto:d@example.com");
    assert.ok(noP.ok && noP.record.policy === DmarcPolicy.NONE && noP.problems.length === 0, "no p with a valid rua: p=none (RFC 9989 §4.7)");
    assert.equal(parseDmarc("v=DMARC1; adkim=s").ok, false, "no p, no rua: no DMARC processing");
  });

  it("refuses what is not DMARC, and a tag written twice (RFC 6376 §3.2)", () => {
    for (const text of ["p=reject; v=DMARC1", "v=dmarc1; p=reject", "v=DMARC2; p=reject"]) assert.equal(parseDmarc(text).ok, false, text);
    const twice = parseDmarc("v=DMARC1; p=none; p=reject; psd=n");
    assert.ok(!twice.ok && twice.psd === "n", "an invalid record still carries its psd into a tree walk");
  });

  it("warns about pct from 1 to 99, pct=0 without t=y, and p not second; each with what to write", () => {
    const tags = (text: string) => recordPortability(parsed(text).record).map((i) => i.tag);
    assert.deepEqual(tags("v=DMARC1;p=quarantine;pct=25;rua=mailto:dmarcreports@32imuf.com"), ["pct"]);
    assert.deepEqual(tags("v=DMARC1; p=quarantine; pct=0"), ["pct"]);
    assert.deepEqual(tags("v=DMARC1; p=quarantine; t=y; pct=0"), [], "pct=0 with t=y: both generations step down");
    assert.deepEqual(tags("v=DMARC1; p=quarantine; pct=100"), []);
    assert.deepEqual(tags("v=DMARC1; rua=mailto:d@example.com"), ["p"]);
    assert.deepEqual(tags("v=DMARC1; sp=none; p=reject"), ["p"]);
    const [pct25] = recordPortability(parsed("v=DMARC1; p=quarantine; pct=25").record);
    assert.match(pct25.problem, /25% of failing mail to RFC 7489 receivers .* 100% to RFC 9989 receivers/);
    assert.match(pct25.configFix, /remove percent/);
    assert.match(recordPortability(parsed("v=DMARC1; p=reject; pct=0").record)[0].fix, /add t=y/);
  });
});

describe("lib/dmarc: RFC 7489 discovery", () => {
  it("falls back to the organizational domain by the public suffix list", () => {
    const d = discoverDmarc("news.example.co.uk", (n) => (n === "_dmarc.example.co.uk" ? ["v=DMARC1; p=none; sp=reject"] : []));
    assert.ok(d.status === "found" && d.source === "organizational" && d.name === "_dmarc.example.co.uk");
  });

  it("stops at several records at the From domain, and ignores non-DMARC TXT", () => {
    assert.equal(discoverDmarc("example.com", () => ["v=DMARC1; p=none", "v=DMARC1; p=reject"]).status, "multiple");
    assert.equal(discoverDmarc("example.com", () => ["google-site-verification=x", "v=DMARC1; p=none"]).status, "found");
    assert.equal(discoverDmarc("example.com", () => []).status, "missing");
    assert.equal(discoverDmarc("example.com", () => ({ unknown: "is known only after apply" })).status, "unknown");
  });
});

describe("lib/dmarc: RFC 9989 tree walk", () => {
  it("walks to the TLD, at most 8 queries, shortening a long name to 7 labels after the first", () => {
    const walk = treeWalk("a.b.c.d.e.f.g.h.i.j.mail.example.com", table({}));
    assert.deepEqual(walk.queried, [
      "_dmarc.a.b.c.d.e.f.g.h.i.j.mail.example.com",
      "_dmarc.g.h.i.j.mail.example.com",
      "_dmarc.h.i.j.mail.example.com",
      "_dmarc.i.j.mail.example.com",
      "_dmarc.j.mail.example.com",
      "_dmarc.mail.example.com",
      "_dmarc.example.com",
      "_dmarc.com",
    ]);
    assert.deepEqual(treeWalk("example.com", table({})).queried, ["_dmarc.example.com", "_dmarc.com"]);
    assert.equal(treeWalk("a.b.c.d.e.f.g.example.com", table({})).queried.length, 8, "8 labels: 8 queries, none skipped");
  });

  it("misses a psd=n cut between 8 labels and a longer From domain (§5.1.8)", () => {
    const records = { "_dmarc.b.c.d.e.f.g.h.example.com": "v=DMARC1; p=reject; psd=n", "_dmarc.example.com": "v=DMARC1; p=none" };
    const walk = treeWalk("a.b.c.d.e.f.g.h.example.com", table(records));
    assert.ok(!walk.queried.includes("_dmarc.b.c.d.e.f.g.h.example.com"));
    assert.equal(walkOrganizationalDomain(walk), "example.com");
  });

  it("stops at psd=n or psd=y, and picks the organizational domain by §4.10.2", () => {
    const records = {
      "_dmarc.mail.example.com": "v=DMARC1; p=none",
      "_dmarc.example.com": "v=DMARC1; p=reject",
      "_dmarc.eu.corp.example": "v=DMARC1; p=reject; psd=n",
      "_dmarc.bank.example": "v=DMARC1; p=reject; psd=y",
    };
    const at = table(records);
    // Fewest labels: the intermediate record at mail.example.com does not make it the organizational domain (App. B.4.2).
    assert.equal(walkOrganizationalDomain(treeWalk("a.mail.example.com", at)), "example.com");
    const cut = treeWalk("billing.eu.corp.example", at);
    assert.deepEqual(cut.queried, ["_dmarc.billing.eu.corp.example", "_dmarc.eu.corp.example"]);
    assert.equal(walkOrganizationalDomain(cut), "eu.corp.example");
    assert.equal(walkOrganizationalDomain(treeWalk("x.giant.bank.example", at)), "giant.bank.example", "one label below psd=y");
    assert.equal(walkOrganizationalDomain(treeWalk("bank.example", at)), "bank.example", "psd=y at the start name does not count");
    assert.equal(walkOrganizationalDomain(treeWalk("nothing.test", at)), "nothing.test");
  });

  it("discards several records at a name and walks on (RFC 7489 stopped there)", () => {
    const at = (n: string): DmarcAt => dmarcAt(n === "_dmarc.news.example.com" ? ["v=DMARC1; p=none", "v=DMARC1; p=reject"] : n === "_dmarc.example.com" ? ["v=DMARC1; p=quarantine"] : []);
    const p = walkPolicy("news.example.com", at);
    assert.equal(p.applied?.domain, "example.com");
    assert.equal(p.applied?.source, "organizational");
  });

  it("takes the From domain's record, else the organizational domain's, else the PSD's", () => {
    const records = { "_dmarc.example.com": "v=DMARC1; p=reject", "_dmarc.bank": "v=DMARC1; p=quarantine; psd=y" };
    assert.equal(walkPolicy("example.com", table(records)).applied?.source, "own");
    assert.equal(walkPolicy("news.example.com", table(records)).applied?.source, "organizational");
    const psd = walkPolicy("giant.bank", table(records));
    assert.deepEqual([psd.applied?.source, psd.applied?.domain, psd.orgDomain], ["psd", "bank", "giant.bank"]);
    assert.equal(walkPolicy("nothing.test", table(records)).applied, undefined);
  });
});

describe("lib/dmarc: the policy each kind of receiver applies", () => {
  it("the seed's pct=25: sampled by RFC 7489 receivers, all of it by RFC 9989 ones", () => {
    const p = receiverPolicies("example.com", dns({ "_dmarc.example.com": "v=DMARC1;p=quarantine;pct=25;rua=mailto:dmarcreports@example.com" }));
    assert.ok(p.rfc7489.outcome.status === "applied" && p.rfc9989.outcome.status === "applied");
    assert.match(p.rfc7489.outcome.policy.effect, /p=quarantine for 25% of failing mail \(pct=25\), none for the rest/);
    assert.equal(p.rfc7489.outcome.policy.weakest, DmarcPolicy.NONE);
    assert.equal(p.rfc9989.outcome.policy.effect, "p=quarantine");
  });

  it("t=y: one level below for RFC 9989 receivers only; with pct=0, for both", () => {
    const t = receiverPolicies("example.com", dns({ "_dmarc.example.com": "v=DMARC1; p=reject; t=y" }));
    assert.ok(t.rfc7489.outcome.status === "applied" && t.rfc9989.outcome.status === "applied");
    assert.equal(t.rfc7489.outcome.policy.weakest, DmarcPolicy.REJECT);
    assert.equal(t.rfc9989.outcome.policy.weakest, DmarcPolicy.QUARANTINE);
    const both = receiverPolicies("example.com", dns({ "_dmarc.example.com": "v=DMARC1; p=quarantine; t=y; pct=0" }));
    assert.ok(both.rfc7489.outcome.status === "applied" && both.rfc9989.outcome.status === "applied");
    assert.deepEqual([both.rfc7489.outcome.policy.weakest, both.rfc9989.outcome.policy.weakest], [DmarcPolicy.NONE, DmarcPolicy.NONE]);
  });

  it("np for a From domain that does not exist (RFC 9989), sp for RFC 7489; both while existence is unknown", () => {
    const records = { "_dmarc.example.com": "v=DMARC1; p=none; sp=quarantine; np=reject" };
    const gone = receiverPolicies("ghost.example.com", dns(records, false));
    assert.ok(gone.rfc9989.outcome.status === "applied" && gone.rfc7489.outcome.status === "applied");
    assert.deepEqual(gone.rfc9989.outcome.policy.tags, [{ tag: "np", policy: DmarcPolicy.REJECT }]);
    assert.deepEqual(gone.rfc7489.outcome.policy.tags, [{ tag: "sp", policy: DmarcPolicy.QUARANTINE }]);
    const maybe = receiverPolicies("ghost.example.com", { txt: dns(records).txt, exists: () => ({ unknown: "is not known" }) });
    assert.ok(maybe.rfc9989.outcome.status === "applied");
    assert.equal(maybe.rfc9989.outcome.policy.weakest, DmarcPolicy.QUARANTINE);
    assert.match(maybe.rfc9989.outcome.policy.effect, /sp=quarantine, or np=reject if ghost\.example\.com does not exist/);
  });

  it("counts the walk's queries and says which rule found the record", () => {
    const p = receiverPolicies("news.example.com", dns({ "_dmarc.example.com": "v=DMARC1; p=reject" }));
    assert.deepEqual(p.rfc9989.queries, ["_dmarc.news.example.com", "_dmarc.example.com", "_dmarc.com"]);
    assert.deepEqual(p.rfc7489.queries, ["_dmarc.news.example.com", "_dmarc.example.com"]);
    assert.match(p.rfc9989.rule, /tree walk from news\.example\.com, 3 queries/);
    assert.match(p.rfc7489.rule, /public suffix list/);
  });
});

describe("lib/dmarc: names nobody can tell", () => {
  const outside = { unknown: "is outside this stack" };

  it("decides what holds whatever an unknown name publishes, and not what depends on it", () => {
    const txt = (n: string): TxtAnswer => (n === "_dmarc.example.com" ? ["v=DMARC1; p=reject"] : n === "_dmarc.com" ? outside : []);
    // The From domain's own record applies, whatever _dmarc.com holds (a public suffix: nothing, or psd=y).
    const own = receiverPolicies("example.com", { txt, exists: () => true });
    assert.equal(own.rfc9989.outcome.status, "applied");
    // A parent that is no public suffix may hold anything, psd=n included: the subdomain's policy depends on it.
    const parentUnknown = (n: string): TxtAnswer => (n === "_dmarc.example.com" ? outside : []);
    const sub = receiverPolicies("news.example.com", { txt: parentUnknown, exists: () => true });
    assert.equal(sub.rfc9989.outcome.status, "unknown");
    assert.match(sub.rfc9989.outcome.status === "unknown" ? sub.rfc9989.outcome.why : "", /_dmarc\.example\.com \(which is outside this stack\)/);
  });

  it("tries each combination once: nothing, or a record with psd=u, y or n; a public suffix nothing or psd=y", () => {
    const seen: string[] = [];
    const across = acrossUnknowns(
      (n) => (n === "_dmarc.example.com" || n === "_dmarc.com" ? outside : []),
      (at) => seen.push(["_dmarc.example.com", "_dmarc.com"].map((n) => { const a = at(n); return a.status === "possible" ? a.psd : a.status; }).join(" ")),
    );
    assert.ok(across.complete);
    assert.deepEqual(seen, ["none none", "none y", "u none", "u y", "y none", "y y", "n none", "n y"]);
    assert.deepEqual(across.unknown.map((u) => u.name), ["_dmarc.example.com", "_dmarc.com"]);
  });
});
