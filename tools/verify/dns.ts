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
import { parseMx } from "../../lib/records";
import { decodeResponse, encodeQuery, RCODE, recordsFor, Response, TYPE_CODES, typeCode } from "./wire";

export type Failure = "nxdomain" | "nodata" | "servfail" | "refused" | "timeout" | "error";

export type Failed = { status: Failure; detail: string };
/** An answer with its values as strings: TXT chunks joined, MX as `priority host`, names normalized. */
export type Answer = { status: "ok"; values: string[] } | Failed;

/** A: whether a name exists (np=), and the SPF check's `a` and `exists` terms. */
export type QueryType = "TXT" | "MX" | "CNAME" | "A";

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

/** A decoded record's data (wire.ts's shapes: names normalized, TXT chunks joined) as a string; MX as `priority host`. */
function present(type: number, data: unknown): string {
  if (type !== TYPE_CODES.MX) return String(data);
  const mx = data as { priority: number; exchange: string };
  return `${mx.priority} ${mx.exchange}`;
}

/**
 * Values back in the shapes `dns.promises.resolve` gives, for mailauth. A TXT record comes back as
 * one chunk: mailauth joins chunks without separators, as the decoder did.
 */
function nodeRecords(type: string, values: string[]): unknown[] {
  switch (type) {
    case "TXT":
      return values.map((value) => [value]);
    case "MX":
      return values.map(parseMx);
    default:
      return values;
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

/**
 * One question on its way: waiting for a slot, then tried on one server after another. A plain
 * object moved along by callbacks, not a chain of promises: at tens of thousands of queries a
 * second, the promises and closures of an async chain per query cost more than the sending.
 */
interface Query {
  name: string;
  type: string;
  code: number;
  attempt: number;
  /** The server of the current try, its DNS ID, and Date.now() after which it has timed out. */
  server: Server;
  id: number;
  expires: number;
  resolve(answer: Answer): void;
}

const RECEIVE_BUFFER = 4 * 1024 * 1024;

export class DnsClient {
  readonly stats: DnsStats = { sent: [], timeouts: 0 };
  private readonly servers: Server[];
  private readonly sockets = new Map<Server, Promise<Socket>>();
  /** The same sockets once connected, so a query is sent without waiting on a promise. */
  private readonly connected = new Map<Server, Socket>();
  /** UDP tries in flight, by DNS ID. */
  private readonly pending = new Map<number, Query>();
  private readonly cache = new Map<string, Promise<Answer>>();
  /** The same answers once they have come, for callers that can use one without waiting. */
  private readonly settled = new Map<string, Answer>();
  private readonly ttls = new Map<string, number>();
  private readonly deadline: number;
  private active = 0;
  /** Queries waiting for a slot, first in first out (an index, not shift(): thousands may wait). */
  private readonly waiting: Query[] = [];
  private nextWaiting = 0;
  private sweeper: NodeJS.Timeout | undefined;
  private readonly outbox: { server: Server; query: Buffer }[] = [];
  private outboxFlush: NodeJS.Immediate | undefined;
  private closed = false;

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

  query(name: string, type: QueryType): Promise<Answer> {
    return this.ask(name, type);
  }

  /** The smallest TTL of the records a question was answered with (`adopt` compares it with the stack's); undefined before or without an answer. */
  ttl(name: string, type: QueryType): number | undefined {
    return this.ttls.get(`${type} ${normalizeName(name)}`);
  }

  /** The answer to a question already answered in this run, without waiting; undefined if it has not come yet. */
  answered(name: string, type: QueryType): Answer | undefined {
    return this.settled.get(`${type} ${normalizeName(name)}`);
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
    const answer = await this.ask(name, rrtype);
    if (answer.status === "ok") return nodeRecords(rrtype.toUpperCase(), answer.values);
    throw Object.assign(new Error(`${rrtype} ${name}: ${describeFailure(answer)}`), { code: FAILURE_CODES[answer.status] });
  };

  /** Release the sockets; queries in flight or waiting end as timeouts. */
  close(): void {
    this.closed = true;
    for (const socket of this.sockets.values()) void socket.then((s) => s.close());
    this.sockets.clear();
    this.connected.clear();
    const ended: Failed = { status: "timeout", detail: "client closed" };
    // Each ends its try, and start() ends the waiting ones as the slots free up.
    for (const q of [...this.pending.values()]) if (this.untrack(q)) this.tried(q, ended);
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private ask(name: string, type: string): Promise<Answer> {
    const normalized = normalizeName(name);
    const upper = type.toUpperCase();
    const key = `${upper} ${normalized}`;
    let entry = this.cache.get(key);
    if (!entry) {
      entry = new Promise<Answer>((resolve) => {
        const query: Query = { name: normalized, type: upper, code: 0, attempt: 0, server: this.servers[0], id: 0, expires: 0, resolve };
        if (this.active < this.options.concurrency) this.start(query);
        else this.waiting.push(query);
      });
      this.cache.set(key, entry);
      void entry.then((answer) => this.settled.set(key, answer));
    }
    return entry;
  }

  /** A query that can be sent takes a slot until finish(); one that cannot is answered at once. */
  private start(q: Query): void {
    const code = typeCode(q.type);
    if (code === undefined) return q.resolve(this.answer(q, { status: "error", detail: `record type ${q.type} is not supported` }));
    if (this.closed) return q.resolve(this.answer(q, { status: "timeout", detail: "client closed" }));
    if (Date.now() > this.deadline) return q.resolve(this.answer(q, { status: "timeout", detail: `not sent: the run's ${this.options.budgetMs} ms budget is spent` }));
    this.active++;
    q.code = code;
    this.stats.sent.push({ type: q.type, name: q.name });
    this.udp(q);
  }

  /**
   * The outcome of one try. Servers are asked in turn, `tries` rounds: a timeout is worth another
   * try, and a server that fails or refuses hands over to the next; an error (cannot send, malformed
   * answer) would only repeat. The last try's outcome is the answer.
   */
  private tried(q: Query, result: Exchange): void {
    if (!("status" in result) && result.truncated) {
      void this.tcp(q.server, q.name, q.code).then((r) => this.tried(q, !("status" in r) && r.truncated ? { status: "error", detail: "truncated answer over TCP" } : r));
      return;
    }
    const again = "status" in result ? result.status === "timeout" : (result.rcode === RCODE.SERVFAIL || result.rcode === RCODE.REFUSED) && this.servers.length > 1;
    if (again && !this.closed && ++q.attempt < this.options.tries * this.servers.length) return this.udp(q);
    this.finish(q, result);
  }

  /** Turn the last outcome into an answer, and hand the slot to the next query waiting. */
  private finish(q: Query, result: Exchange): void {
    q.resolve(this.answer(q, result));
    this.active--;
    // A loop, not recursion: thousands of waiting queries may be answered at once (budget spent).
    while (this.active < this.options.concurrency && this.nextWaiting < this.waiting.length) this.start(this.waiting[this.nextWaiting++]);
    if (this.nextWaiting === this.waiting.length) this.waiting.length = this.nextWaiting = 0;
  }

  private answer(q: Query, result: Exchange): Answer {
    const failed = this.failed;
    if ("status" in result) return failed(result.status, result.detail);
    switch (result.rcode) {
      case RCODE.NOERROR: {
        const records = recordsFor(result, q.name, q.code);
        if (records.length === 0) return failed("nodata");
        const values: string[] = [];
        for (const data of records) values.push(present(q.code, data));
        let ttl = Infinity;
        for (const rr of result.answers) if (rr.type === q.code && rr.ttl < ttl) ttl = rr.ttl;
        if (ttl !== Infinity) this.ttls.set(`${q.type} ${q.name}`, ttl);
        return { status: "ok", values };
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

  /** A method made once, not a closure per answer: creating functions showed in the bench's profile. */
  private readonly failed = (status: Failure, detail = ""): Answer => {
    if (status === "timeout") this.stats.timeouts++;
    return { status, detail };
  };

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
        for (const q of [...this.pending.values()]) if (q.server === server) this.untrack(q) && this.tried(q, { status: "error", detail: `${error.code ?? error.message} from ${server.address}:${server.port}` });
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

  /** Try `q` on the server its attempt number picks. */
  private udp(q: Query): void {
    q.server = this.servers[q.attempt % this.servers.length];
    do q.id = Math.floor(Math.random() * 0x10000);
    while (this.pending.has(q.id));
    q.expires = Date.now() + this.options.timeoutMs;
    this.pending.set(q.id, q);
    this.sweepSoon();
    let query: Buffer;
    try {
      query = encodeQuery(q.id, q.name, q.code);
    } catch (error) {
      this.untrack(q);
      return this.tried(q, { status: "error", detail: (error as Error).message });
    }
    this.outbox.push({ server: q.server, query });
    this.outboxFlush ??= setImmediate(() => this.flush());
  }

  /** Stop waiting for `q`'s answer; false when it was not awaited any more. */
  private untrack(q: Query): boolean {
    return this.pending.get(q.id) === q && this.pending.delete(q.id);
  }

  /**
   * Send what the answers just read asked for, all at once after the event loop has read every
   * answer waiting: back-to-back datagrams find the server awake, whereas one send per answer
   * wakes it each time, and on a VM that wake-up costs more than the send.
   */
  private flush(): void {
    this.outboxFlush = undefined;
    const outbox = this.outbox.splice(0);
    for (const { server, query } of outbox) {
      // No callback: Node then sends at once when it can, and a failure comes as the socket's 'error'.
      const socket = this.connected.get(server);
      if (socket) socket.send(query);
      else void this.socket(server).then((s) => s.send(query));
    }
  }

  /** An answer is taken only from the server asked, for the question asked. */
  private received(message: Buffer, server: Server): void {
    if (message.length < 12) return;
    const q = this.pending.get(message.readUInt16BE(0));
    if (!q || q.server !== server) return;
    let response: Response;
    try {
      response = decodeResponse(message);
    } catch (error) {
      this.untrack(q);
      return this.tried(q, { status: "error", detail: `malformed answer: ${(error as Error).message}` });
    }
    const question = response.question;
    if (question && (question.name !== q.name || question.type !== q.code)) return;
    this.untrack(q);
    this.tried(q, response);
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
      for (const q of [...this.pending.values()]) if (q.expires <= now && this.untrack(q)) this.tried(q, { status: "timeout", detail: "" });
      if (this.pending.size === 0) {
        clearInterval(this.sweeper);
        this.sweeper = undefined;
      }
    }, Math.max(1, Math.ceil(this.options.timeoutMs / 10)));
  }
}
