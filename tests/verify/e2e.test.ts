/**
 * End to end: a message "sent by SES" (signed as d=<domain> by mailauth's dkimSign with the key the
 * stub publishes, from an SES address, with the MAIL FROM SES would use) is evaluated by mailauth's
 * `authenticate` against the same knot server. Then, path by path:
 * - verify's verdict equals the project's alignment engine fed with mailauth's SPF and DKIM
 *   results and its own reading of the DNS (both standards);
 * - mailauth 7.1.0 implements RFC 9989 (tree walk, np, t, the invalid-policy rules): its DMARC
 *   verdict equals the engine's RFC 9989 verdict on every case;
 * - and equals the verdict verify gives under the required standards (both, by default), except
 *   in the cases that say why they differ (`mailauth`): there RFC 7489 receivers, which mailauth
 *   no longer models, decide otherwise, and the project requires both.
 */
import assert from "node:assert/strict";
import { promises as dns } from "node:dns";
import { authenticate, AuthenticateResult, dkimSign } from "mailauth";
import { judgeAlignment, Outcome, RequiredPaths, Verdict } from "../../lib/alignment";
import { DmarcStandard } from "../../lib/dmarc";
import { normalizeName } from "../../lib/names";
import { mailFromDomain } from "../../lib/records";
import { regionOfFeedbackHost, SES_SPF_INCLUDE } from "../../lib/regions";
import { Answer, DnsClient, QueryType } from "../../tools/verify/dns";
import { untilAnswered, verify } from "../../tools/verify/gather";
import { dmarcDns, Facts, Missing } from "../../tools/verify/judge";
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

/** An answer of Node's resolver in verify's terms. */
async function nodeAnswer(resolver: dns.Resolver, name: string, type: QueryType): Promise<Answer> {
  try {
    const records = (await resolver.resolve(name, type)) as unknown[];
    return { status: "ok", values: records.map((r) => (Array.isArray(r) ? r.join("") : String(r))) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOTFOUND" ? { status: "nxdomain", detail: "" } : code === "ENODATA" ? { status: "nodata", detail: "" } : { status: "error", detail: String(code) };
  }
}

/** DMARC by the project's engine from mailauth's SPF and DKIM results, reading DNS itself (Node's resolver) as the walks ask. */
async function engineVerdict(resolver: dns.Resolver, c: Case, region: string, from: string, result: AuthenticateResult, mailFrom: string): Promise<Verdict> {
  const dkimPass = result.dkim.results.some((r) => r.status.result === "pass" && normalizeName(r.signingDomain ?? "") === c.spec.name);
  const facts: Facts = { answers: new Map(), dkim: new Map(), spf: new Map() };
  const question = (missing?: Missing) =>
    judgeAlignment({
      identity: c.spec.name,
      region,
      from,
      dns: dmarcDns(facts, missing),
      dkim: { state: dkimPass ? "complete" : "incomplete" },
      mailFrom: { state: result.spf && result.spf.status.result === "pass" ? "complete" : "incomplete", domain: mailFrom },
      requiredPaths: RequiredPaths.ANY,
      standards: c.spec.dmarc.standards,
    });
  await untilAnswered(facts, (name, type) => nodeAnswer(resolver, name, type), (missing) => void question(missing));
  return question();
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
      const differs: string[] = [];
      for (const d of report.domains) {
        for (const r of d.regions) {
          const { result, mailFrom } = await receive(resolver, c, r.region, d.from);
          const engine = await engineVerdict(resolver, c, r.region, d.from, result, mailFrom);
          const where = `${d.from} in ${r.region}: mailauth dkim=${result.dkim.results.map((x) => x.status.result)} spf=${result.spf && result.spf.status.result} (${mailFrom})`;
          assert.deepEqual({ dkim: r.dkim, spf: r.spf, dmarc: r.dmarc }, { dkim: engine.dkim.outcome, spf: engine.spf.outcome, dmarc: engine.dmarc }, where);
          const rfc9989 = engine.byStandard[DmarcStandard.RFC9989];
          assert.deepEqual(r.standards.rfc9989, { dkim: rfc9989.dkim.outcome, spf: rfc9989.spf.outcome, dmarc: rfc9989.dmarc, queries: rfc9989.queries }, where);
          const theirs = mailauthVerdict(result);
          const ours9989 = theirs.dkim === undefined ? { dmarc: rfc9989.dmarc } : { dkim: rfc9989.dkim.outcome, spf: rfc9989.spf.outcome, dmarc: rfc9989.dmarc };
          assert.deepEqual(theirs, ours9989, `mailauth's own DMARC verdict (${result.dmarc && result.dmarc.status.result}) against RFC 9989's: ${where}`);
          if (theirs.dmarc !== r.dmarc) differs.push(`${d.from} in ${r.region}: mailauth ${theirs.dmarc}, verify ${r.dmarc}`);
        }
      }
      // Where verify's required verdict is not mailauth's, the case says why; where it is, the case claims no difference.
      if (c.mailauth) assert.ok(differs.length > 0, `the case says verify and mailauth differ (${c.mailauth}), but they agree`);
      else assert.deepEqual(differs, [], "verify and mailauth differ, and the case does not say why");
    });
  }
});
