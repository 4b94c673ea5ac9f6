/** verify's DNS client: every kind of answer becomes a value, within bounds. */
import assert from "node:assert/strict";
import { presentTxt } from "../../lib/txt";
import { DnsClient, DnsOptions, MAX_CNAME_HOPS, parseServer } from "../../tools/verify/dns";
import { fakeDns } from "./fake-dns";
import { KnotServer, startKnot } from "./knot";

const HUGE = `v=DKIM1; k=rsa; p=${"A".repeat(4000)}`;
const CHAIN = Array.from({ length: MAX_CNAME_HOPS + 2 }, (_, i) => `long${i}.dns.test.\t60\tIN\tCNAME\tlong${i + 1}.dns.test.`);
const ZONE = [
  `chunks.dns.test.\t60\tIN\tTXT\t"v=spf1 " "include:amazonses.com" " ~all"`,
  `huge.dns.test.\t60\tIN\tTXT\t${presentTxt(HUGE)}`,
  `two.dns.test.\t60\tIN\tTXT\t"one"`,
  `two.dns.test.\t60\tIN\tTXT\t"two"`,
  `mx.dns.test.\t60\tIN\tMX\t10 Feedback-SMTP.us-east-1.amazonses.com.`,
  `alias.dns.test.\t60\tIN\tCNAME\tHop.dns.test.`,
  `hop.dns.test.\t60\tIN\tCNAME\tchunks.dns.test.`,
  `dangling.dns.test.\t60\tIN\tCNAME\tnowhere.dns.test.`,
  `loop-a.dns.test.\t60\tIN\tCNAME\tloop-b.dns.test.`,
  `loop-b.dns.test.\t60\tIN\tCNAME\tloop-a.dns.test.`,
  ...CHAIN,
].join("\n");

describe("verify's DNS client", () => {
  let knot: KnotServer;
  let client: DnsClient;
  const options = (servers: string[]): DnsOptions => ({ servers, timeoutMs: 1000, tries: 2, concurrency: 16, budgetMs: 20000 });
  before(async () => {
    knot = await startKnot(`${ZONE}\n`);
  });
  beforeEach(() => {
    client = new DnsClient(options([knot.server]));
  });
  after(async () => knot?.stop());

  it("joins a TXT record's strings without separators and keeps records apart", async () => {
    assert.deepEqual(await client.txt("chunks.dns.test"), { status: "ok", values: ["v=spf1 include:amazonses.com ~all"] });
    assert.deepEqual(await client.txt("two.dns.test").then((a) => a.status === "ok" && a.values.sort()), ["one", "two"]);
  });

  it("reads a TXT record too big for a UDP answer", async () => {
    assert.deepEqual(await client.txt("huge.dns.test"), { status: "ok", values: [HUGE] });
  });

  it("tells NXDOMAIN from a name without that type", async () => {
    assert.equal((await client.txt("absent.dns.test")).status, "nxdomain");
    assert.equal((await client.txt("mx.dns.test")).status, "nodata");
    assert.equal((await client.mx("alias.dns.test")).status, "nodata", "an alias to a name without MX");
    assert.equal((await client.mx("dangling.dns.test")).status, "nxdomain", "an alias to nothing: the rcode is the target's (RFC 6604)");
  });

  it("answers a name DNS cannot carry with an error, not a throw", async () => {
    const answer = await client.txt(`${"a".repeat(64)}.dns.test`);
    assert.equal(answer.status, "error");
    assert.match(answer.status === "error" ? answer.detail : "", /longer than 63 bytes/);
  });

  it("normalizes MX and CNAME answers", async () => {
    assert.deepEqual(await client.mx("MX.dns.test."), { status: "ok", values: ["10 feedback-smtp.us-east-1.amazonses.com"] });
    assert.deepEqual(await client.cname("alias.dns.test"), { status: "ok", values: ["hop.dns.test"] });
  });

  it("follows CNAME chains, and stops at loops, long chains and dead ends", async () => {
    assert.deepEqual(await client.followCname("alias.dns.test"), { hops: ["hop.dns.test", "chunks.dns.test"], end: { status: "ok" } });
    assert.deepEqual(await client.followCname("loop-a.dns.test"), { hops: ["loop-b.dns.test", "loop-a.dns.test"], end: { status: "loop" } });
    const long = await client.followCname("long0.dns.test");
    assert.equal(long.end.status, "too-long");
    assert.equal(long.hops.length, MAX_CNAME_HOPS);
    assert.deepEqual(await client.followCname("dangling.dns.test"), { hops: ["nowhere.dns.test"], end: { status: "nxdomain", detail: "" } });
  });

  it("asks each name and type once", async () => {
    await Promise.all([client.txt("chunks.dns.test"), client.txt("CHUNKS.dns.test."), client.mx("chunks.dns.test")]);
    assert.deepEqual(client.stats.sent, [{ type: "TXT", name: "chunks.dns.test" }, { type: "MX", name: "chunks.dns.test" }]);
  });

  it("gives mailauth Node's answer shapes (TXT chunks already joined) and Node's error codes", async () => {
    assert.deepEqual(await client.mailauthResolver("chunks.dns.test", "TXT"), [["v=spf1 include:amazonses.com ~all"]]);
    await assert.rejects(client.mailauthResolver("absent.dns.test", "TXT"), { code: "ENOTFOUND" });
    await assert.rejects(client.mailauthResolver("mx.dns.test", "TXT"), { code: "ENODATA" });
    assert.deepEqual(await client.mailauthResolver("mx.dns.test", "MX"), [{ priority: 10, exchange: "feedback-smtp.us-east-1.amazonses.com" }]);
  });

  it("takes IPv4 and IPv6 resolvers with or without a port, and nothing else", () => {
    assert.deepEqual(parseServer("192.0.2.1"), { address: "192.0.2.1", port: 53, family: 4 });
    assert.deepEqual(parseServer("127.0.0.1:5353"), { address: "127.0.0.1", port: 5353, family: 4 });
    assert.deepEqual(parseServer("[::1]:5353"), { address: "::1", port: 5353, family: 6 });
    assert.deepEqual(parseServer("2001:db8::1"), { address: "2001:db8::1", port: 53, family: 6 });
    for (const bad of ["dns.example", "127.0.0.1:0", "127.0.0.1:70000", "[::1]:x", ""]) assert.throws(() => parseServer(bad), /not an IP address/, bad);
  });

  it("hands a query to the next resolver when one refuses or stays silent", async () => {
    const refusing = await fakeDns(5);
    const silent = await fakeDns("silent");
    try {
      const several = new DnsClient({ ...options([refusing.server, silent.server, knot.server]), timeoutMs: 200 });
      assert.deepEqual(await several.txt("chunks.dns.test"), { status: "ok", values: ["v=spf1 include:amazonses.com ~all"] });
      const none = new DnsClient({ ...options([refusing.server, silent.server]), timeoutMs: 200 });
      assert.equal((await none.txt("chunks.dns.test")).status, "timeout", "the last resolver's outcome is the answer");
    } finally {
      await refusing.close();
      await silent.close();
    }
  });

  it("caps queries in flight and sends none once the run's budget is spent", async () => {
    const silent = await fakeDns("silent");
    try {
      const bounded = new DnsClient({ servers: [silent.server], timeoutMs: 100, tries: 1, concurrency: 1, budgetMs: 250 });
      const answers = await Promise.all(["a", "b", "c", "d", "e", "f"].map((n) => bounded.txt(`${n}.dns.test`)));
      assert.ok(answers.every((a) => a.status === "timeout"));
      const unsent = answers.filter((a) => a.status === "timeout" && a.detail.startsWith("not sent"));
      // One at a time, ~100 ms each: some were sent before the budget ran out, the rest never were.
      assert.ok(bounded.stats.sent.length >= 1 && unsent.length >= 1, JSON.stringify(answers));
      assert.equal(bounded.stats.sent.length + unsent.length, 6);
    } finally {
      await silent.close();
    }
  });
});
