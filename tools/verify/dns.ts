/**
 * The DNS side of `verify`: every query goes through one client that caps concurrency, bounds
 * retries and the run's total time, caches answers (many domains share names such as
 * amazonses.com), and turns every outcome a server can produce into a value, never a throw.
 * Queries go over one UDP socket per server, and over TCP when an answer is truncated.
 */
import { createSocket, Socket } from "node:dgram";
import { getServers } from "node:dns";
import { connect, isIP } from "node:net";
import { normalizeName } from "../../lib/names";
import { decodeResponse, encodeQuery, RCODE, recordsFor, Response, typeCode } from "./wire";

export type Failure = "nxdomain" | "nodata" | "servfail" | "refused" | "timeout" | "error";

export type Failed = { status: Failure; detail: string };
/** An answer with its values as strings: TXT chunks joined, MX as `priority host`, names normalized. */
export type Answer = { status: "ok"; values: string[] } | Failed;

export type QueryType = "TXT" | "MX" | "CNAME";

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

/** The record values of a raw answer (in `dns.promises.resolve`'s shapes) as strings. */
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
  /** IP addresses, each with an optional port (`192.0.2.1`, `192.0.2.1:5353`, `[::1]:53`); empty for the system's resolvers. */
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

interface Server {
  address: string;
  port: number;
  family: 4 | 6;
}

/** `192.0.2.1`, `192.0.2.1:53`, `2001:db8::1` or `[2001:db8::1]:53`; throws on anything else. */
export function parseServer(text: string): Server {
  const match = /^\[([^\]]+)\](?::([0-9]+))?$/.exec(text) ?? /^([0-9.]+):([0-9]+)$/.exec(text) ?? [text, text, undefined];
  const [, address, port] = match;
  const family = isIP(address);
  const number = port === undefined ? 53 : Number(port);
  if (family === 0 || !Number.isInteger(number) || number < 1 || number > 65535) throw new Error(`"${text}" is not an IP address with an optional port`);
  return { address, port: number, family: family as 4 | 6 };
}

type Exchange = Response | Failed;

interface Pending {
  name: string;
  type: number;
  server: Server;
  /** Date.now() after which the try has timed out. */
  expires: number;
  done(result: Exchange): void;
}

const RECEIVE_BUFFER = 4 * 1024 * 1024;

export class DnsClient {
  readonly stats: DnsStats = { sent: [], timeouts: 0 };
  private readonly servers: Server[];
  private readonly sockets = new Map<Server, Promise<Socket>>();
  /** The same sockets once connected, so a query is sent without waiting on a promise. */
  private readonly connected = new Map<Server, Socket>();
  private readonly pending = new Map<number, Pending>();
  private readonly cache = new Map<string, Promise<{ answer: Answer; raw: unknown[] }>>();
  private readonly deadline: number;
  private active = 0;
  /** Queries waiting for a slot, first in first out (an index, not shift(): thousands may wait). */
  private readonly waiting: (() => void)[] = [];
  private nextWaiting = 0;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly options: DnsOptions) {
    this.servers = (options.servers.length ? options.servers : getServers()).map(parseServer);
    if (this.servers.length === 0) throw new Error("no DNS server to ask: the system lists none; give --resolver");
    this.deadline = Date.now() + options.budgetMs;
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

  /** Release the sockets; queries still pending end as timeouts. */
  close(): void {
    for (const socket of this.sockets.values()) void socket.then((s) => s.close());
    this.sockets.clear();
    this.connected.clear();
    for (const p of [...this.pending.values()]) p.done({ status: "timeout", detail: "client closed" });
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private raw(name: string, type: string): Promise<{ answer: Answer; raw: unknown[] }> {
    const key = `${type} ${normalizeName(name)}`;
    let entry = this.cache.get(key);
    if (!entry) {
      entry = this.limited(() => this.resolve(normalizeName(name), type.toUpperCase()));
      this.cache.set(key, entry);
    }
    return entry;
  }

  private async resolve(name: string, type: string): Promise<{ answer: Answer; raw: unknown[] }> {
    const failed = (status: Failure, detail = "") => {
      if (status === "timeout") this.stats.timeouts++;
      return { answer: { status, detail }, raw: [] };
    };
    const code = typeCode(type);
    if (code === undefined) return failed("error", `record type ${type} is not supported`);
    if (Date.now() > this.deadline) return failed("timeout", `not sent: the run's ${this.options.budgetMs} ms budget is spent`);
    this.stats.sent.push({ type, name });
    const result = await this.exchange(name, code);
    if ("status" in result) return failed(result.status, result.detail);
    switch (result.rcode) {
      case RCODE.NOERROR: {
        const raw = recordsFor(result, name, code);
        if (raw.length === 0) return failed("nodata");
        const values = type === "TXT" || type === "MX" || type === "CNAME" ? present(type, raw) : raw.map(String);
        return { answer: { status: "ok", values }, raw };
      }
      case RCODE.NXDOMAIN:
        return failed("nxdomain");
      case RCODE.SERVFAIL:
        return failed("servfail");
      case RCODE.REFUSED:
        return failed("refused");
      default:
        return failed("error", `response code ${result.rcode}`);
    }
  }

  /** Ask each server in turn, `tries` rounds; a server that fails or refuses hands over to the next. */
  private async exchange(name: string, type: number): Promise<Exchange> {
    const attempts = this.options.tries * this.servers.length;
    let last: Exchange = { status: "timeout", detail: "" };
    for (let attempt = 0; attempt < attempts; attempt++) {
      const server = this.servers[attempt % this.servers.length];
      let result = await this.udp(server, name, type);
      if (!("status" in result) && result.truncated) result = await this.tcp(server, name, type);
      if ("status" in result) {
        // A timeout is worth another try; an error (cannot send, malformed answer) would only repeat.
        if (result.status !== "timeout") return result;
      } else {
        const serverFailed = result.rcode === RCODE.SERVFAIL || result.rcode === RCODE.REFUSED;
        if (!serverFailed || this.servers.length === 1) return result;
      }
      last = result;
    }
    return last;
  }

  /**
   * One connected UDP socket per server: the kernel then drops datagrams from anyone else, sends
   * skip a per-packet address lookup, and "port unreachable" comes back as an error at once.
   */
  private socket(server: Server): Promise<Socket> {
    let socket = this.sockets.get(server);
    if (!socket) {
      const udp = createSocket(server.family === 4 ? "udp4" : "udp6");
      udp.on("message", (message) => this.received(message, server));
      udp.on("error", (error: NodeJS.ErrnoException) => {
        for (const p of [...this.pending.values()]) if (p.server === server) p.done({ status: "error", detail: `${error.code ?? error.message} from ${server.address}:${server.port}` });
      });
      // Pending queries' timers keep the process alive; an idle socket must not.
      udp.unref();
      socket = new Promise((resolve) =>
        udp.connect(server.port, server.address, () => {
          // Answers arrive in bursts while the event loop is busy: the default buffer (~200 KB)
          // overflows at a few hundred answers in flight, and a dropped answer costs a timeout.
          try {
            udp.setRecvBufferSize(RECEIVE_BUFFER);
          } catch {
            // The kernel's limit applies; the concurrency cap keeps bursts small anyway.
          }
          this.connected.set(server, udp);
          resolve(udp);
        }),
      );
      this.sockets.set(server, socket);
    }
    return socket;
  }

  private udp(server: Server, name: string, type: number): Promise<Exchange> {
    return new Promise((resolve) => {
      let id: number;
      do id = Math.floor(Math.random() * 0x10000);
      while (this.pending.has(id));
      const done = (result: Exchange) => {
        this.pending.delete(id);
        resolve(result);
      };
      this.pending.set(id, { name, type, server, done, expires: Date.now() + this.options.timeoutMs });
      this.sweepSoon();
      // No callback: Node then sends at once when it can, and a failure comes as the socket's 'error'.
      const query = encodeQuery(id, name, type);
      const socket = this.connected.get(server);
      if (socket) socket.send(query);
      else void this.socket(server).then((s) => s.send(query));
    });
  }

  /** An answer is taken only from the server asked, for the question asked. */
  private received(message: Buffer, server: Server): void {
    if (message.length < 12) return;
    const p = this.pending.get(message.readUInt16BE(0));
    if (!p || p.server !== server) return;
    let response: Response;
    try {
      response = decodeResponse(message);
    } catch (error) {
      return p.done({ status: "error", detail: `malformed answer: ${(error as Error).message}` });
    }
    const q = response.question;
    if (q && (q.name !== p.name || q.type !== p.type)) return;
    p.done(response);
  }

  /** The same question over TCP, for an answer too big for UDP. */
  private tcp(server: Server, name: string, type: number): Promise<Exchange> {
    return new Promise((resolve) => {
      const query = encodeQuery(Math.floor(Math.random() * 0x10000), name, type);
      const socket = connect({ host: server.address, port: server.port });
      let received = Buffer.alloc(0);
      let finished = false;
      const finish = (result: Exchange) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        socket.destroy();
        resolve(result);
      };
      const timer = setTimeout(() => finish({ status: "timeout", detail: "over TCP" }), this.options.timeoutMs);
      socket.on("connect", () => socket.write(Buffer.concat([Buffer.from([query.length >> 8, query.length & 0xff]), query])));
      socket.on("data", (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return;
        try {
          finish(decodeResponse(received.subarray(2, 2 + received.readUInt16BE(0))));
        } catch (error) {
          finish({ status: "error", detail: `malformed answer over TCP: ${(error as Error).message}` });
        }
      });
      socket.on("error", (error: NodeJS.ErrnoException) => finish({ status: "error", detail: `TCP to ${server.address}: ${error.code ?? error.message}` }));
      socket.on("close", () => finish({ status: "error", detail: "TCP connection closed before an answer" }));
    });
  }

  /**
   * One timer for every UDP try instead of one each: it runs while tries are pending and ends
   * the expired ones, so a timeout fires up to a tenth of the timeout late.
   */
  private sweepSoon(): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const p of [...this.pending.values()]) if (p.expires <= now) p.done({ status: "timeout", detail: "" });
      if (this.pending.size === 0) {
        clearInterval(this.sweeper);
        this.sweeper = undefined;
      }
    }, Math.max(1, Math.ceil(this.options.timeoutMs / 10)));
  }

  private async limited<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.options.concurrency) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // a finishing task hands its slot over
    try {
      return await task();
    } finally {
      if (this.nextWaiting < this.waiting.length) this.waiting[this.nextWaiting++]();
      else {
        this.active--;
        this.waiting.length = this.nextWaiting = 0;
      }
    }
  }
}
