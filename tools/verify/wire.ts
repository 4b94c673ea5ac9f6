/**
 * DNS messages (RFC 1035) as far as `verify` needs them: a query for one name and type, and the
 * answer to it, read defensively. Pure: the transport in dns.ts sends and receives the bytes.
 * Node's resolver (c-ares) was measured here at 15-25k queries/s on loopback, below the
 * benchmark's target; this codec over one UDP socket is not.
 * Why not dns-packet 5.6.1: tried in this codec's place behind the same client, the bench's
 * 15,001 queries took 10-14% longer (more objects per decoded answer, so more garbage collection),
 * and that was before this codec stopped making a string per label.
 */

export const TYPE_CODES = { A: 1, NS: 2, CNAME: 5, PTR: 12, MX: 15, TXT: 16, AAAA: 28 } as const;
export type TypeName = keyof typeof TYPE_CODES;

export function typeCode(type: string): number | undefined {
  return (TYPE_CODES as Record<string, number>)[type.toUpperCase()];
}

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

/** EDNS(0) payload size advertised: the DNS Flag Day 2020 value, safe from fragmentation. */
export const EDNS_UDP_SIZE = 1232;

/** A query with RD set (a recursive resolver should recurse) and an EDNS(0) OPT record. */
export function encodeQuery(id: number, name: string, type: number): Buffer {
  const trimmed = name.endsWith(".") ? name.slice(0, -1) : name;
  const nameLength = trimmed === "" ? 1 : Buffer.byteLength(trimmed, "latin1") + 2;
  if (nameLength > 255) throw new Error(`name ${name} is longer than 255 bytes`);
  // One buffer from Node's pool, written in place: this runs once per query, tens of thousands of
  // times a second, and a buffer of its own each (Buffer.alloc) showed up in the GC's share.
  const buf = Buffer.allocUnsafe(12 + nameLength + 4 + 11).fill(0);
  buf.writeUInt16BE(id, 0);
  buf.writeUInt16BE(0x0100, 2); // RD
  buf.writeUInt16BE(1, 4); // QDCOUNT
  buf.writeUInt16BE(1, 10); // ARCOUNT: the OPT record
  let pos = 12;
  if (trimmed !== "") {
    // The name's bytes after a placeholder, then each label's dot replaced by its length.
    buf.write(trimmed, 13, "latin1");
    let start = 13;
    for (let i = 13; i <= 13 + nameLength - 2; i++) {
      if (i < 13 + nameLength - 2 && buf[i] !== 0x2e) continue;
      const length = i - start;
      if (length === 0 || length > 63) throw new Error(`label ${length ? "longer than 63 bytes" : "empty"} in ${name}`);
      buf[start - 1] = length;
      start = i + 1;
    }
    pos += nameLength - 1;
  }
  pos += 1; // the root label
  buf.writeUInt16BE(type, pos);
  buf.writeUInt16BE(1, pos + 2); // IN
  // OPT: root name, type 41, UDP payload size; extended RCODE, version, flags and RDLENGTH all 0.
  buf.writeUInt16BE(41, pos + 5);
  buf.writeUInt16BE(EDNS_UDP_SIZE, pos + 7);
  return buf;
}

export interface ResourceRecord {
  name: string;
  type: number;
  /** CNAME/NS/PTR: target; MX: {priority, exchange}; TXT: its strings joined without separators, as receivers read them; A/AAAA: the address; else undefined. */
  data: unknown;
  /** Seconds: an authoritative server's is the zone's; a resolver's counts down from it. */
  ttl: number;
}

export interface Response {
  id: number;
  rcode: number;
  truncated: boolean;
  question: { name: string; type: number } | undefined;
  answers: ResourceRecord[];
}

/** Where a name's text is assembled: its labels and dots never exceed the 255 bytes a name may take. */
const NAME_BYTES = Buffer.alloc(256);

class Reader {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
  ) {}

  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new Error("message truncated");
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  /**
   * A possibly compressed name, lower-cased as DNS compares names (ASCII only, RFC 4343).
   * Pointers must point backwards, and a name is at most 255 bytes, so no loop runs forever.
   * Labels are copied into NAME_BYTES and become one string: a string per label, joined and
   * lower-cased, was most of what decoding an answer allocated.
   */
  name(): string {
    const buf = this.buf;
    let pos = this.pos;
    let end: number | undefined;
    let size = 0;
    let length = 0;
    for (;;) {
      if (++size > 255) throw new Error("name longer than 255 bytes");
      if (pos >= buf.length) throw new Error("name runs past the message");
      const len = buf[pos];
      if ((len & 0xc0) === 0xc0) {
        if (pos + 1 >= buf.length) throw new Error("name runs past the message");
        const target = ((len & 0x3f) << 8) | buf[pos + 1];
        if (target >= pos) throw new Error("compression pointer does not point backwards");
        end ??= pos + 2;
        pos = target;
        continue;
      }
      if (len & 0xc0) throw new Error("unknown label type");
      if (len === 0) break;
      if (pos + 1 + len > buf.length) throw new Error("label runs past the message");
      size += len;
      if (length > 0) NAME_BYTES[length++] = 0x2e;
      for (let i = pos + 1; i <= pos + len; i++) {
        const byte = buf[i];
        NAME_BYTES[length++] = byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte;
      }
      pos += 1 + len;
    }
    this.pos = end ?? pos + 1;
    return NAME_BYTES.toString("latin1", 0, length);
  }
}

function rdata(r: Reader, type: number, length: number): unknown {
  const end = r.pos + length;
  r.need(length);
  switch (type) {
    case TYPE_CODES.CNAME:
    case TYPE_CODES.NS:
    case TYPE_CODES.PTR:
      return r.name();
    case TYPE_CODES.MX:
      return { priority: r.u16(), exchange: r.name() };
    case TYPE_CODES.TXT: {
      let text = "";
      while (r.pos < end) {
        const len = r.u8();
        if (r.pos + len > end) throw new Error("TXT string runs past its record");
        text += r.buf.toString("latin1", r.pos, r.pos + len);
        r.pos += len;
      }
      return text;
    }
    case TYPE_CODES.A:
      return length === 4 ? [...r.buf.subarray(r.pos, end)].join(".") : undefined;
    case TYPE_CODES.AAAA:
      return length === 16 ? Array.from({ length: 8 }, (_, i) => r.buf.readUInt16BE(r.pos + 2 * i).toString(16)).join(":") : undefined;
    default:
      return undefined;
  }
}

/** Read a response; throws on anything malformed, which the caller reports as a bad answer. */
export function decodeResponse(buf: Buffer): Response {
  const r = new Reader(buf);
  const id = r.u16();
  const flags = r.u16();
  if (!(flags & 0x8000)) throw new Error("not a response");
  const questions = r.u16();
  const answerCount = r.u16();
  r.u16(); // NSCOUNT and ARCOUNT: those sections are not read
  r.u16();
  let question: Response["question"];
  for (let i = 0; i < questions; i++) {
    const name = r.name();
    const type = r.u16();
    r.u16(); // class
    if (i === 0) question = { name, type };
  }
  const answers: ResourceRecord[] = [];
  for (let i = 0; i < answerCount; i++) {
    const name = r.name();
    const type = r.u16();
    r.u16(); // class
    r.need(4);
    const ttl = r.buf.readUInt32BE(r.pos);
    r.pos += 4;
    const length = r.u16();
    const start = r.pos;
    const data = rdata(r, type, length);
    r.pos = start + length;
    answers.push({ name, type, data, ttl });
  }
  return { id, rcode: flags & 0x000f, truncated: Boolean(flags & 0x0200), question, answers };
}

/** Longest CNAME chain followed inside one answer. */
const MAX_CHAIN_IN_ANSWER = 16;

/** The target of `owner`'s CNAME in an answer. A loop, not find(): a closure per call showed in verify's allocations. */
function aliasOf(response: Response, owner: string): string | undefined {
  for (const rr of response.answers) if (rr.type === TYPE_CODES.CNAME && rr.name === owner) return rr.data as string;
  return undefined;
}

/**
 * The records of `type` for `name` (lower-case, no trailing dot: the form names are decoded in)
 * in an answer, following any CNAMEs the server included (as recursive resolvers and
 * authoritative servers for in-zone targets do).
 */
export function recordsFor(response: Response, name: string, type: number): unknown[] {
  let owner = name;
  if (type !== TYPE_CODES.CNAME) {
    for (let hop = 0; hop < MAX_CHAIN_IN_ANSWER; hop++) {
      const alias = aliasOf(response, owner);
      if (alias === undefined) break;
      owner = alias;
    }
  }
  const records: unknown[] = [];
  for (const rr of response.answers) if (rr.type === type && rr.name === owner && rr.data !== undefined) records.push(rr.data);
  return records;
}
