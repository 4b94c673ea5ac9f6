/**
 * The I/O half of `verify`: ask DNS what the plans name, follow broken DKIM CNAMEs, and let mailauth
 * evaluate each MAIL FROM domain's SPF (its 10-lookup and 2-void-lookup limits included) through
 * the same client. Everything runs at once; the client caps how much is in flight.
 */
import { DNSResolver, spf } from "mailauth";
import { SES_SPF_INCLUDE } from "../../lib/regions";
import { isSpfRecord } from "../../lib/spf";
import { DnsClient } from "./dns";
import { answerKey, DkimLookup, Facts, judge, plan, Report, SpfEvaluation } from "./judge";
import { Target } from "./targets";

/**
 * An address SES sends from, as SES's own SPF record says: the first `ip4:` of amazonses.com's
 * record. Evaluating that address is asking "does this SPF record authorise SES?" of a real SPF engine.
 */
export function sesAddress(txts: readonly string[]): string | undefined {
  const record = txts.find(isSpfRecord);
  return record && /\sip4:([0-9.]+)/i.exec(record)?.[1];
}

async function evaluateSpf(client: DnsClient, domain: string, address: Promise<string | undefined>): Promise<SpfEvaluation> {
  const ip = await address;
  if (!ip) return { unavailable: `no ip4: address in ${SES_SPF_INCLUDE}'s SPF record to evaluate as SES` };
  try {
    // mailauth's type says strings; at run time it takes what dns.promises.resolve gives (MX objects too).
    const result = await spf({ sender: `postmaster@${domain}`, ip, helo: domain, mta: "verify", resolver: client.mailauthResolver as DNSResolver });
    return { address: ip, result: result.status.result, comment: result.status.comment || "", lookups: result.lookups?.count };
  } catch (error) {
    return { unavailable: (error as Error).message };
  }
}

/** Both queries at once; the chain is walked hop by hop only when no key came back, to say why. */
async function lookupDkim(client: DnsClient, name: string): Promise<DkimLookup> {
  const [cname, key] = await Promise.all([client.cname(name), client.txt(name)]);
  return key.status === "ok" ? { cname, key } : { cname, key, chain: await client.followCname(name) };
}

export async function gather(targets: readonly Target[], client: DnsClient): Promise<Facts> {
  const facts: Facts = { answers: new Map(), dkim: new Map(), spf: new Map() };
  const plans = targets.map(plan);
  const sesSpf = plans.some((p) => p.spfDomains.length)
    ? client.txt(SES_SPF_INCLUDE).then((a) => (a.status === "ok" ? sesAddress(a.values) : undefined))
    : Promise.resolve(undefined);
  const work: Promise<unknown>[] = [];
  for (const p of plans) {
    for (const { type, name } of p.lookups) work.push(client.query(name, type).then((a) => facts.answers.set(answerKey(type, name), a)));
    for (const name of p.dkimNames) work.push(lookupDkim(client, name).then((d) => facts.dkim.set(name, d)));
    for (const domain of p.spfDomains) work.push(evaluateSpf(client, domain, sesSpf).then((e) => facts.spf.set(domain, e)));
  }
  await Promise.all(work);
  return facts;
}

/** Gather and judge: the whole of `verify` short of reading flags and printing. */
export async function verify(targets: readonly Target[], client: DnsClient): Promise<Report> {
  const facts = await gather(targets, client);
  const domains = targets.flatMap((t) => judge(t, facts));
  return { ok: domains.every((d) => d.ok), domains };
}
