/**
 * End to end: a message "sent by SES" (signed as d=<domain> by mailauth's dkimSign with the key the
 * stub publishes, from an SES address, with the MAIL FROM SES would use) is evaluated by mailauth's
 * `authenticate` against the same knot server. Two verdicts must then agree with `verify`'s, path
 * by path: the project's alignment engine fed with mailauth's SPF and DKIM results, and mailauth's
 * own DMARC verdict (which, since mailauth 5, applies strict alignment as written).
 */
import assert from "node:assert/strict";
import { promises as dns } from "node:dns";
import { authenticate, AuthenticateResult, dkimSign } from "mailauth";
import { judgeAlignment, Outcome, RequiredPaths, Verdict } from "../../lib/alignment";
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
  const selector = c.spec.dkim.kind === "byodkim" ? c.spec.dkim.selector : c.tokens.get(region)![0];
  // mailauth (7.1.0, as 4.x) signs only what signatureData lists; its typings also demand top-level fields, which sign nothing.
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

/**
 * mailauth's DMARC verdict in verify's terms: each path passes when mailauth names the domain it
 * aligned (`alignment.*.result`), and DMARC passes when mailauth says so. Where mailauth finds no
 * usable DMARC record it says "none" (DMARC does not apply) and judges no alignment at all (the
 * result then has no `alignment`, whatever its typings say): its paths are not comparable, and its
 * "none" is a failure to the project, whose goal is mail that passes a published policy.
 */
function mailauthVerdict(result: AuthenticateResult): { dkim?: Outcome; spf?: Outcome; dmarc: Outcome } {
  const dmarc = result.dmarc || undefined;
  const outcome: Outcome = dmarc?.status.result === "pass" ? "pass" : "fail";
  if (!dmarc?.alignment) return { dmarc: outcome };
  const aligned = (domain: string | undefined): Outcome => (domain ? "pass" : "fail");
  return { dkim: aligned(dmarc.alignment.dkim.result), spf: aligned(dmarc.alignment.spf.result), dmarc: outcome };
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
          const theirs = mailauthVerdict(result);
          const ours = theirs.dkim === undefined ? { dmarc: r.dmarc } : { dkim: r.dkim, spf: r.spf, dmarc: r.dmarc };
          assert.deepEqual(theirs, ours, `mailauth's own DMARC verdict (${result.dmarc && result.dmarc.status.result}): ${where}`);
        }
      }
    });
  }
});
