/** verify's checks and verdicts against a real DNS server (knot) serving the program's own records. */
import assert from "node:assert/strict";
import { DnsClient, DnsOptions } from "../../tools/verify/dns";
import { formatText } from "../../tools/verify/format";
import { domainFree, verify } from "../../tools/verify/gather";
import { CASES, targetOf, testZone } from "./cases";
import { fakeDns } from "./fake-dns";
import { KnotServer, startKnot } from "./knot";

const OPTIONS: Omit<DnsOptions, "servers"> = { timeoutMs: 1000, tries: 2, concurrency: 32, budgetMs: 20000 };

describe("verify against knot", () => {
  let knot: KnotServer;
  before(async () => {
    knot = await startKnot(testZone(CASES));
  });
  after(async () => knot?.stop());

  for (const c of CASES) {
    it(c.title, async () => {
      const client = new DnsClient({ ...OPTIONS, servers: [knot.server] });
      const report = await verify([targetOf(c)], client);
      const text = formatText(report);
      assert.equal(report.domains.length, c.spec.fromDomains.length);
      for (const d of report.domains) {
        assert.deepEqual(Object.fromEntries(d.regions.map((r) => [r.region, r.dmarc])), c.verdict, text);
      }
      assert.equal(report.ok, c.ok, text);
      const failed = report.domains.flatMap((d) => d.findings.filter((f) => f.status === "fail").map((f) => f.check));
      for (const check of c.failing ?? []) assert.ok(failed.some((f) => f.startsWith(check)), `expected a failing ${check} check:\n${text}`);
      if (c.ok) assert.deepEqual(failed, [], text);
      for (const words of c.mentions ?? []) assert.ok(text.includes(words), `expected "${words}" in:\n${text}`);
      assert.equal(client.stats.timeouts, 0);
      // RFC 9989's tree walks, counted: what a receiver queries for one message, each walk at most 8 names.
      for (const [from, names] of Object.entries(c.queries ?? {})) {
        for (const r of report.domains.find((d) => d.from === from)!.regions) assert.deepEqual(r.standards.rfc9989.queries, names, `${from} in ${r.region}`);
      }
      // verify asks each _dmarc name once, and only those some receiver's walk or RFC 7489 discovery asks.
      const asked = client.stats.sent.filter((q) => q.name.startsWith("_dmarc.")).map((q) => q.name);
      const walked = new Set(report.domains.flatMap((d) => d.regions.flatMap((r) => [...r.standards.rfc9989.queries, ...r.standards.rfc7489.queries])));
      assert.equal(new Set(asked).size, asked.length, "a _dmarc name asked twice");
      assert.deepEqual(asked.filter((n) => !walked.has(n)), [], "a _dmarc name no walk asks");
    });
  }

  it("judges several domains in one run, each on its own", async () => {
    const report = await verify(CASES.map((c) => targetOf(c)), new DnsClient({ ...OPTIONS, servers: [knot.server] }));
    assert.equal(report.ok, false);
    for (const c of CASES) assert.equal(report.domains.find((d) => d.domain === c.spec.name)!.ok, c.ok, c.title);
  });
});

describe("verify's sharing of SPF evaluations", () => {
  it("shares only records that say nothing of the domain publishing them", () => {
    for (const record of ["v=spf1 include:amazonses.com ~all", "v=spf1 mx:mail.example.com a:www.example.com/24 ip4:192.0.2.0/24 -all", "v=spf1 redirect=_spf.example.com"]) assert.ok(domainFree(record), record);
    for (const record of ["v=spf1 a -all", "v=spf1 include:amazonses.com MX ~all", "v=spf1 -mx/24 ~all", "v=spf1 ?ptr -all", "v=spf1 exists:%{i}._spf.example.com -all", "v=spf1 include:%{d}.example.com -all"]) assert.ok(!domainFree(record), record);
  });
});

describe("verify against servers that fail", () => {
  const good = CASES[0];

  for (const [label, rcode, words] of [
    ["SERVFAIL", 2, "SERVFAIL"],
    ["REFUSED", 5, "REFUSED"],
    ["garbage", "garbage", "DNS error: malformed answer"],
  ] as const) {
    it(`says ${label} and decides nothing`, async () => {
      const server = await fakeDns(rcode);
      try {
        const report = await verify([targetOf(good)], new DnsClient({ ...OPTIONS, servers: [server.server] }));
        assert.equal(report.ok, false);
        assert.ok(report.domains.every((d) => d.regions.every((r) => r.dmarc !== "pass")));
        assert.match(formatText(report), new RegExp(`cannot read _dmarc.good.test: ${words}`));
      } finally {
        await server.close();
      }
    });
  }

  it("gives up on a server that never answers, within its bounds", async () => {
    const server = await fakeDns("silent");
    const bounds = { timeoutMs: 100, tries: 2, concurrency: 8, budgetMs: 1000 };
    const started = Date.now();
    try {
      const client = new DnsClient({ ...bounds, servers: [server.server] });
      const report = await verify([targetOf(good)], client);
      assert.equal(report.ok, false);
      assert.ok(client.stats.timeouts > 0);
      assert.match(formatText(report), /no answer \(timeout\)/);
      // Not a speed assertion: the budget plus one query's guard is the contract, with slack for a loaded machine.
      assert.ok(Date.now() - started < bounds.budgetMs + 10_000);
    } finally {
      await server.close();
    }
  });
});
