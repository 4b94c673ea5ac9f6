/**
 * The DNS side of `verify`: every query goes through one client that caps concurrency, bounds
 * retries and the run's total time, caches answers (many domains share names such as
 * amazonses.com), and turns every outcome a server can produce into a value, never a throw.
 */
import { promises as dns } from "node:dns";
import { normalizeName } from "../../lib/names";

export type Failure = "nxdomain" | "nodata" | "servfail" | "refused" | "timeout" | "error";

/** An answer with its values as strings: TXT chunks joined, MX as `priority host`, names normalized. */
export type Failed = { status: Failure; detail: string };
export type Answer = { status: "ok"; values: string[] } | Failed;

export type QueryType = "TXT" | "MX" | "CNAME";

/** c-ares error codes (Node's `dns` module) → what the server said. */
export function classify(code: string | undefined): Failure {
  switch (code) {
    case "ENOTFOUND":
      return "nxdomain";
    case "ENODATA":
      return "nodata";
    case "ESERVFAIL":
      return "servfail";
    case "EREFUSED":
      return "refused";
    case "ETIMEOUT":
      return "timeout";
    default:
      return "error";
  }
}

/** What each failure means to a person reading the output. */
export function describeFailure(answer: Failed): string {
  const words: Record<Failure, string> = {
    nxdomain: "NXDOMAIN (name does not exist)",
    nodata: "no record of this type",
    servfail: "SERVFAIL (the server could not answer)",
    refused: "REFUSED by the server",
    timeout: "no answer (timeout)",
    error: "DNS error",
  };
  return answer.detail ? `${words[answer.status]}: ${answer.detail}` : words[answer.status];
}

/** The record values of a raw c-ares answer as strings. */
function present(type: QueryType, records: unknown[]): string[] {
  switch (type) {
    case "TXT":
      return (records as string[][]).map((chunks) => chunks.join(""));
    case "MX":
      return (records as { priority: number; exchange: string }[]).map((mx) => `${mx.priority} ${normalizeName(mx.exchange)}`);
    case "CNAME":
      return (records as string[]).map(normalizeName);
  }
}

/** The error a Node resolver would throw for `failure`, for callers (mailauth) that expect one. */
const FAILURE_CODES: Record<Failure, string> = {
  nxdomain: "ENOTFOUND",
  nodata: "ENODATA",
  servfail: "ESERVFAIL",
  refused: "EREFUSED",
  timeout: "ETIMEOUT",
  error: "EBADRESP",
};

export interface DnsOptions {
  /** `host` or `host:port`; empty for the system's resolvers. */
  servers: string[];
  /** One try's timeout, ms. */
  timeoutMs: number;
  /** Tries per server. */
  tries: number;
  /** Queries in flight at once. */
  concurrency: number;
  /** No query starts later than this many ms after the client was made. */
  budgetMs: number;
}

export interface DnsStats {
  /** Queries sent (cache misses), by type and name: the mix a benchmark replays. */
  sent: { type: string; name: string }[];
  timeouts: number;
}

/** A CNAME chain followed from a name: the targets in order, and how the walk ended. */
export interface Chain {
  hops: string[];
  /** ok: the last name has no CNAME; loop / too-long: the walk stopped; else the failed CNAME query. */
  end: { status: "ok" } | { status: "loop" } | { status: "too-long" } | Failed;
}

/** Longest CNAME chain followed; resolvers stop around 8-16, and SES's records are one hop. */
export const MAX_CNAME_HOPS = 8;

export class DnsClient {
  readonly stats: DnsStats = { sent: [], timeouts: 0 };
  private readonly resolver: dns.Resolver;
  private readonly cache = new Map<string, Promise<{ answer: Answer; raw: unknown[] }>>();
  private readonly deadline: number;
  /** Longest a single query may take over all its tries before it counts as a timeout. */
  private readonly queryLimitMs: number;
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: DnsOptions) {
    this.resolver = new dns.Resolver({ timeout: options.timeoutMs, tries: options.tries });
    if (options.servers.length) this.resolver.setServers(options.servers);
    this.deadline = Date.now() + options.budgetMs;
    // c-ares backs off between tries; this guard keeps a query bounded whatever it does.
    this.queryLimitMs = options.timeoutMs * (options.tries + 1) * Math.max(1, this.resolver.getServers().length);
  }

  txt(name: string): Promise<Answer> {
    return this.query(name, "TXT");
  }

  mx(name: string): Promise<Answer> {
    return this.query(name, "MX");
  }

  cname(name: string): Promise<Answer> {
    return this.query(name, "CNAME");
  }

  async query(name: string, type: QueryType): Promise<Answer> {
    return (await this.raw(name, type)).answer;
  }

  /** Follow CNAMEs from `name` one query at a time, so a loop or a long chain is seen and stopped. */
  async followCname(name: string): Promise<Chain> {
    const hops: string[] = [];
    let current = normalizeName(name);
    for (;;) {
      const answer = await this.cname(current);
      if (answer.status === "nodata") return { hops, end: { status: "ok" } };
      if (answer.status !== "ok") return { hops, end: answer };
      const next = answer.values[0];
      const loop = next === normalizeName(name) || hops.includes(next);
      hops.push(next);
      if (loop) return { hops, end: { status: "loop" } };
      if (hops.length >= MAX_CNAME_HOPS) return { hops, end: { status: "too-long" } };
      current = next;
    }
  }

  /**
   * A resolver in the shape of `dns.promises.resolve` for mailauth's SPF evaluation, sharing this
   * client's cache, cap and time bounds. Failures are thrown with Node's codes, as mailauth expects.
   */
  readonly mailauthResolver = async (name: string, rrtype: string): Promise<unknown[]> => {
    const { answer, raw } = await this.raw(name, rrtype);
    if (answer.status === "ok") return raw;
    throw Object.assign(new Error(`${rrtype} ${name}: ${describeFailure(answer)}`), { code: FAILURE_CODES[answer.status] });
  };

  /** Stop whatever is still in flight (after the guard gave up on it), so the process can exit. */
  close(): void {
    this.resolver.cancel();
  }

  private raw(name: string, type: string): Promise<{ answer: Answer; raw: unknown[] }> {
    const key = `${type} ${normalizeName(name)}`;
    let entry = this.cache.get(key);
    if (!entry) {
      entry = this.limited(() => this.send(normalizeName(name), type));
      this.cache.set(key, entry);
    }
    return entry;
  }

  private async send(name: string, type: string): Promise<{ answer: Answer; raw: unknown[] }> {
    if (Date.now() > this.deadline) {
      this.stats.timeouts++;
      return { answer: { status: "timeout", detail: `not sent: the run's ${this.options.budgetMs} ms budget is spent` }, raw: [] };
    }
    this.stats.sent.push({ type, name });
    let timer: NodeJS.Timeout | undefined;
    const guard = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`no answer in ${this.queryLimitMs} ms`), { code: "ETIMEOUT" })), this.queryLimitMs);
    });
    try {
      const raw = (await Promise.race([this.resolver.resolve(name, type), guard])) as unknown[];
      // A CNAME-only name answers an empty list for other types: that is "no data" too.
      if (raw.length === 0) return { answer: { status: "nodata", detail: "" }, raw };
      const values = type === "TXT" || type === "MX" || type === "CNAME" ? present(type, raw) : raw.map(String);
      return { answer: { status: "ok", values }, raw };
    } catch (error) {
      const e = error as { code?: string; message?: string };
      const status = classify(e.code);
      if (status === "timeout") this.stats.timeouts++;
      const detail = status === "error" ? `${e.code ?? ""} ${e.message ?? ""}`.trim() : "";
      return { answer: { status, detail }, raw: [] };
    } finally {
      clearTimeout(timer);
    }
  }

  private async limited<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.options.concurrency) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // a finishing task hands its slot over
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
