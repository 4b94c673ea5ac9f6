/**
 * The I/O half of `verify`: ask DNS what the plans name, walk the DMARC tree and expand the MAIL
 * FROM SPF records name by name as their answers come, follow broken DKIM CNAMEs, and let
 * mailauth evaluate each MAIL FROM domain's SPF (its 10-lookup and 2-void-lookup limits
 * included) through the same client. Targets run at once; the client caps how much is in flight.
 */
import { DNSResolver, spf } from "mailauth";
import { SES_SPF_INCLUDE } from "../../lib/regions";
import { isSpfRecord } from "../../lib/spf";
import { Answer, DnsClient, QueryType } from "./dns";
import { answerKey, DkimLookup, Facts, judge, Missing, plan, Plan, questions, Report, setupsOf, SpfEvaluation } from "./judge";
import { Target } from "./targets";

/**
 * An address SES sends from, as SES's own SPF record says: the first `ip4:` of amazonses.com's
 * record. Evaluating that address is asking "does this SPF record authorise SES?" of a real SPF engine.
 */
export function sesAddress(txts: readonly string[]): string | undefined {
  const record = txts.find(isSpfRecord);
  return record && /\sip4:([0-9.]+)/i.exec(record)?.[1];
}

async function evaluateSpf(client: DnsClient, domain: string, ip: string): Promise<{ evaluation: SpfEvaluation; records: string[] }> {
  const records: string[] = [];
  // mailauth's type says strings; at run time it takes what dns.promises.resolve gives (MX objects too).
  const resolver = async (name: string, type: string) => {
    const answer = await client.mailauthResolver(name, type);
    if (type === "TXT") for (const chunks of answer as string[][]) records.push(chunks.join(""));
    return answer;
  };
  try {
    const result = await spf({ sender: `postmaster@${domain}`, ip, helo: domain, mta: "verify", resolver: resolver as DNSResolver });
    return { evaluation: { address: ip, result: result.status.result, comment: result.status.comment || "", lookups: result.lookups?.count }, records };
  } catch (error) {
    return { evaluation: { unavailable: (error as Error).message }, records };
  }
}

/**
 * True when an SPF record says nothing about the domain that publishes it or the sender: no macro,
 * no `a`, `mx` or `ptr` without a domain. Such records evaluate alike wherever they are published.
 */
export function domainFree(record: string): boolean {
  return !record.includes("%") && !record.split(/\s+/).some((term) => /^[+?~-]?(a|mx|ptr)(\/|$)/i.test(term));
}

/**
 * mailauth's SPF evaluation of SES's address at each MAIL FROM domain, once per distinct record
 * when records are domain-free: thousands of domains publish the same "v=spf1 include:amazonses.com
 * ~all", and mailauth costs about as much as all of a domain's DNS queries. Only a pass is shared:
 * other results carry a comment naming the domain, which the report shows.
 */
class SpfEvaluator {
  private readonly shared = new Map<string, Promise<SpfEvaluation | undefined>>();
  constructor(private readonly client: DnsClient) {}

  async evaluate(domain: string): Promise<SpfEvaluation> {
    const ses = this.client.txt(SES_SPF_INCLUDE).then((a) => (a.status === "ok" ? sesAddress(a.values) : undefined));
    const [ip, own] = await Promise.all([ses, this.client.txt(domain)]);
    if (!ip) return { unavailable: `no ip4: address in ${SES_SPF_INCLUDE}'s SPF record to evaluate as SES` };
    const key = own.status === "ok" ? `${ip} ${own.values.filter(isSpfRecord).join("\n")}` : undefined;
    const earlier = key === undefined ? undefined : this.shared.get(key);
    if (earlier) {
      const evaluation = await earlier;
      if (evaluation) return evaluation;
    }
    const run = evaluateSpf(this.client, domain, ip);
    if (key !== undefined && !earlier) {
      const shareable = (r: Awaited<typeof run>) => "result" in r.evaluation && r.evaluation.result === "pass" && r.records.filter(isSpfRecord).every(domainFree);
      this.shared.set(key, run.then((r) => (shareable(r) ? { ...r.evaluation, comment: "" } : undefined)));
    }
    return (await run).evaluation;
  }
}

/** Both queries at once; the chain is walked hop by hop only when no key came back, to say why. */
async function lookupDkim(client: DnsClient, name: string): Promise<DkimLookup> {
  const [cname, key] = await Promise.all([client.cname(name), client.txt(name)]);
  return key.status === "ok" ? { cname, key } : { cname, key, chain: await client.followCname(name) };
}

/** A question asked for a name not fetched yet: fetch it and ask again. */
class NotFetched {
  constructor(
    readonly type: QueryType,
    readonly name: string,
  ) {}
}


/**
 * Runs a pure question over the answers so far until it asks for nothing new, fetching one name
 * per round: each tree walk then queries exactly what a receiver does, in its order, stopping
 * where the receiver stops (psd=, the TLD). Every walk ends within 8 queries (RFC 9989 §4.10),
 * every SPF expansion within its cap; the client's cache makes a name shared by walks one query.
 */
export async function untilAnswered(facts: Facts, fetch: (name: string, type: QueryType) => Promise<Answer>, question: (missing: Missing) => void, answered: (name: string, type: QueryType) => Answer | undefined = () => undefined): Promise<void> {
  // An answer already in (another target asked the name) is taken at once; only a new one costs a round.
  const missing: Missing = (type, name) => {
    const answer = answered(name, type);
    if (!answer) throw new NotFetched(type, name);
    facts.answers.set(answerKey(type, name), answer);
    return answer;
  };
  for (;;) {
    try {
      question(missing);
      return;
    } catch (error) {
      if (!(error instanceof NotFetched)) throw error;
      facts.answers.set(answerKey(error.type, error.name), await fetch(error.name, error.type));
    }
  }
}

/**
 * Targets looked up at once: their queries keep the client's concurrency cap busy, while the
 * rest wait unplanned. Queuing every query of a thousand domains up front kept them all alive
 * through the garbage collector's copying, and delayed the first send by ~100 ms.
 */
const TARGETS_AT_ONCE = 64;

export async function gather(targets: readonly Target[], client: DnsClient): Promise<Facts> {
  const facts: Facts = { answers: new Map(), dkim: new Map(), spf: new Map() };
  const spf = new SpfEvaluator(client);
  const ask = (name: string, type: QueryType) => client.query(name, type);
  const answered = (name: string, type: QueryType) => client.answered(name, type);
  // The names every target needs (the first of each walk and expansion among them), then the
  // walks and expansions name by name; the alignment walks follow only the paths SES's mail
  // really authenticates by, as a receiver's do. Started once the first names are in, a walk
  // usually finishes at once on names other targets already asked (_dmarc.com, amazonses.com).
  const lookUp = async (p: Plan) => {
    const asked = questions(p.target);
    const run = (question: (facts: Facts, missing: Missing) => void) => untilAnswered(facts, ask, (missing) => question(facts, missing), answered);
    await Promise.all([
      ...p.lookups.map(({ type, name }) => client.query(name, type).then((a) => facts.answers.set(answerKey(type, name), a))),
      ...p.dkimNames.map((name) => lookupDkim(client, name).then((d) => facts.dkim.set(name, d))),
      ...p.spfDomains.map((domain) => spf.evaluate(domain).then((e) => facts.spf.set(domain, e))),
    ]);
    await Promise.all([...asked.first, ...asked.alignment(setupsOf(p.target, facts))].map(run));
  };
  let next = 0;
  const worker = async () => {
    while (next < targets.length) await lookUp(plan(targets[next++]));
  };
  await Promise.all(Array.from({ length: Math.min(TARGETS_AT_ONCE, targets.length) }, worker));
  return facts;
}

/** Gather and judge: the whole of `verify` short of reading flags and printing. */
export async function verify(targets: readonly Target[], client: DnsClient): Promise<Report> {
  const facts = await gather(targets, client);
  const domains = targets.flatMap((t) => judge(t, facts));
  return { ok: domains.every((d) => d.ok), domains };
}
