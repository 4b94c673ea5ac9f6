/**
 * End to end: a message "sent by SES" (signed as d=<domain> by mailauth's dkimSign with the key the
 * stub publishes, from an SES address, with the MAIL FROM SES would use) is evaluated by mailauth's
 * `authenticate` against the same knot server; the project's alignment engine turns mailauth's SPF
 * and DKIM results into a DMARC verdict, which must agree with `verify`'s, path by path.
 */
import assert from "node:assert/strict";
import { promises as dns } from "node:dns";
import { authenticate, AuthenticateResult, dkimSign } from "mailauth";
import { judgeAlignment, RequiredPaths, Verdict } from "../../lib/alignment";
import { discoverDmarc } from "../../lib/dmarc";
import { normalizeName, organizationalDomain } from "../../lib/names";
import { mailFromDomain } from "../../lib/records";
import { regionOfFeedbackHost, SES_SPF_INCLUDE } from "../../lib/regions";
import { DnsClient } from "../../tools/verify/dns";
import { verify } from "../../tools/verify/gather";
import { Case, CASES, dkimKeys, SES_SENDING_IP, targetOf, testZone } from "./cases";
import { KnotServer, startKnot } from "./knot";

const PRIVATE_KEY = dkimKeys.privateKey.export({ type: "pkcs8", format: "pem" }).toString();

/** SES uses the custom MAIL FROM only when it finds exactly one MX naming a feedback endpoint; else amazonses.com. */
async function sesMailFrom(resolver: dns.Resolver, c: Case, region: string): Promise<string> {
  const domain = mailFromDomain(c.spec, region);
  if (!domain) return SES_SPF_INCLUDE;
  const mx = await resolver.resolveMx(domain).catch(() => []);
  return mx.length === 1 && regionOfFeedbackHost(mx[0].exchange) ? domain : SES_SPF_INCLUDE;
}

/** What SES would send from `region` as `from`, and what mailauth makes of it at the receiver. */
async function receive(resolver: dns.Resolver, c: Case, region: string, from: string): Promise<{ result: AuthenticateResult; mailFrom: string }> {
  const message = Buffer.from(
    [`From: sender@${from}`, "To: someone@receiver.test", "Subject: verify agreement", `Message-ID: <${region}@${from}>`, "Date: Fri, 27 Nov 2026 12:00:00 +0000", "", "Hello.", ""].join("\r\n"),
  );
  // mailauth 4.13.3 reads the key from signatureData at run time; its .d.ts describes top-level fields that sign nothing.
  const selector = c.spec.dkim.kind === "byodkim" ? c.spec.dkim.selector : c.tokens.get(region)![0];
  const signatureData = [{ signingDomain: c.spec.name, selector, privateKey: PRIVATE_KEY }];
  const signed = await dkimSign(message, { signatureData } as never);
  assert.deepEqual(signed.errors, []);
  assert.match(signed.signatures, /^DKIM-Signature:/);
  const mailFrom = await sesMailFrom(resolver, c, region);
  const result = await authenticate(Buffer.concat([Buffer.from(signed.signatures), message]), {
    ip: SES_SENDING_IP,
    helo: `a${region}.smtp-out.amazonses.com`,
    sender: `bounce@${mailFrom}`,
    mta: "mx.receiver.test",
    resolver: ((name: string, type: string) => resolver.resolve(name, type)) as never,
    disableArc: true,
    disableBimi: true,
  });
  return { result, mailFrom };
}

/** DMARC by the project's engine from mailauth's SPF and DKIM results. */
async function engineVerdict(resolver: dns.Resolver, c: Case, region: string, from: string, result: AuthenticateResult, mailFrom: string): Promise<Verdict> {
  const names = [`_dmarc.${from}`, `_dmarc.${organizationalDomain(from)}`];
  const txt = new Map(await Promise.all(names.map(async (n) => [n, (await resolver.resolveTxt(n).catch(() => [])).map((chunks) => chunks.join(""))] as const)));
  const dkimPass = result.dkim.results.some((r) => r.status.result === "pass" && normalizeName(r.signingDomain ?? "") === c.spec.name);
  return judgeAlignment({
    identity: c.spec.name,
    region,
    from,
    dmarc: discoverDmarc(from, (n) => txt.get(n) ?? []),
    dkim: { state: dkimPass ? "complete" : "incomplete" },
    mailFrom: { state: result.spf && result.spf.status.result === "pass" ? "complete" : "incomplete", domain: mailFrom },
    requiredPaths: RequiredPaths.ANY,
  });
}

describe("verify agrees with mailauth evaluating mail SES would send", () => {
  let knot: KnotServer;
  const resolver = new dns.Resolver({ timeout: 1000, tries: 2 });
  before(async () => {
    knot = await startKnot(testZone(CASES));
    resolver.setServers([knot.server]);
  });
  after(async () => knot?.stop());

  for (const c of CASES) {
    it(c.title, async () => {
      const report = await verify([targetOf(c)], new DnsClient({ servers: [knot.server], timeoutMs: 1000, tries: 2, concurrency: 32, budgetMs: 20000 }));
      for (const d of report.domains) {
        for (const r of d.regions) {
          const { result, mailFrom } = await receive(resolver, c, r.region, d.from);
          const engine = await engineVerdict(resolver, c, r.region, d.from, result, mailFrom);
          const where = `${d.from} in ${r.region}: mailauth dkim=${result.dkim.results.map((x) => x.status.result)} spf=${result.spf && result.spf.status.result} (${mailFrom})`;
          assert.deepEqual({ dkim: r.dkim, spf: r.spf, dmarc: r.dmarc }, { dkim: engine.dkim.outcome, spf: engine.spf.outcome, dmarc: engine.dmarc }, where);
        }
      }
    });
  }

  // mailauth 4.x (the last line for Node 20) falls back to relaxed matching when a record says
  // strict; fixed in 6.0. Its DMARC result is therefore never used; when an upgrade fixes this,
  // these assertions fail and the pin can go.
  it("pins mailauth 4.x reading aspf=s and adkim=s as relaxed", async () => {
    const aspf = CASES.find((c) => c.spec.name === "aspfs.test")!;
    const spfStrict = (await receive(resolver, aspf, "us-east-1", "aspfs.test")).result;
    assert.equal(spfStrict.spf && spfStrict.spf.status.result, "pass");
    assert.equal(spfStrict.dmarc && spfStrict.dmarc.alignment.spf.strict, true);
    assert.equal(spfStrict.dmarc && spfStrict.dmarc.alignment.spf.result, "bounce.aspfs.test", "mailauth calls bounce.aspfs.test aligned under aspf=s");

    const adkim = CASES.find((c) => c.spec.name === "adkims.test")!;
    const { result, mailFrom } = await receive(resolver, adkim, "us-east-1", "news.adkims.test");
    assert.equal(result.dmarc && result.dmarc.status.result, "pass", "mailauth passes d=adkims.test for news.adkims.test under adkim=s");
    assert.equal((await engineVerdict(resolver, adkim, "us-east-1", "news.adkims.test", result, mailFrom)).dmarc, "fail");
  });
});
