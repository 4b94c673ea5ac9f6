/** The DNS message codec, on hand-made bytes. */
import assert from "node:assert/strict";
import { decodeResponse, encodeQuery, recordsFor, TYPE_CODES } from "../../tools/verify/wire";
import { randomBelow, seededRandom } from "../fixtures/random";

/** Where the answers start in a response to `query`: after its header and question, where its OPT record was. */
const answersAt = (query: Buffer) => query.length - 11;

/** A response to `query` (its header and question) with `answers` appended and ANCOUNT set. */
function respond(query: Buffer, count: number, ...answers: Buffer[]): Buffer {
  const question = query.subarray(0, answersAt(query));
  const msg = Buffer.concat([question, ...answers]);
  msg.writeUInt16BE(0x8180, 2);
  msg.writeUInt16BE(count, 6);
  msg.writeUInt16BE(0, 10);
  return msg;
}

/** An answer record owned by the name at offset 12 (the question's), by compression pointer. */
function rr(type: number, rdata: Buffer): Buffer {
  const head = Buffer.from([0xc0, 12, 0, type, 0, 1, 0, 0, 0, 60, rdata.length >> 8, rdata.length & 0xff]);
  return Buffer.concat([head, rdata]);
}

describe("verify's DNS codec", () => {
  it("writes a query with RD and EDNS(0), and reads its own question back", () => {
    const query = encodeQuery(0x1234, "Sel._domainkey.Example.com.", TYPE_CODES.TXT);
    assert.equal(query.readUInt16BE(0), 0x1234);
    assert.equal(query.readUInt16BE(2), 0x0100);
    const response = decodeResponse(respond(query, 0));
    assert.deepEqual(response.question, { name: "sel._domainkey.example.com", type: TYPE_CODES.TXT });
    // DNS compares names case-insensitively in ASCII only (RFC 4343): other bytes stay as sent.
    assert.equal(decodeResponse(respond(encodeQuery(2, "A\u00c9b.Test", TYPE_CODES.TXT), 0)).question?.name, "a\u00c9b.test");
    assert.throws(() => encodeQuery(1, `${"a".repeat(64)}.test`, TYPE_CODES.TXT), /longer than 63/);
  });

  it("joins TXT strings without separators, reads MX, and follows an in-answer CNAME to the records asked for", () => {
    const query = encodeQuery(7, "a.test", TYPE_CODES.TXT);
    const target = Buffer.from("\x01b\x04test\x00", "latin1");
    const cname = rr(TYPE_CODES.CNAME, target);
    // The TXT belongs to b.test: its owner is the CNAME's target, by pointer into that record's rdata.
    const txtOwner = answersAt(query) + 12;
    const txt = Buffer.concat([Buffer.from([0xc0, txtOwner, 0, 16, 0, 1, 0, 0, 0, 60, 0, 8]), Buffer.from("\x03one\x03two", "latin1")]);
    const response = decodeResponse(respond(query, 2, cname, txt));
    assert.deepEqual(recordsFor(response, "a.test", TYPE_CODES.TXT), ["onetwo"]);
    assert.deepEqual(recordsFor(response, "a.test", TYPE_CODES.CNAME), ["b.test"]);
    const mx = decodeResponse(respond(encodeQuery(8, "m.test", TYPE_CODES.MX), 1, rr(TYPE_CODES.MX, Buffer.from("\x00\x0a\x02mx\xc0\x0c", "latin1"))));
    assert.deepEqual(recordsFor(mx, "m.test", TYPE_CODES.MX), [{ priority: 10, exchange: "mx.m.test" }]);
  });

  it("reads or refuses every mutation of a real answer: a value or an Error, never a hang or another throw", () => {
    // A CNAME and a TXT by compression pointer, then an MX: names, pointers, lengths and rdata to corrupt.
    const query = encodeQuery(7, "a.test", TYPE_CODES.TXT);
    const cname = rr(TYPE_CODES.CNAME, Buffer.from("\x01b\x04test\x00", "latin1"));
    const txt = Buffer.concat([Buffer.from([0xc0, answersAt(query) + 12, 0, 16, 0, 1, 0, 0, 0, 60, 0, 8]), Buffer.from("\x03one\x03two", "latin1")]);
    const mx = rr(TYPE_CODES.MX, Buffer.from("\x00\x0a\x02mx\xc0\x0c", "latin1"));
    const original = respond(query, 3, cname, txt, mx);
    assert.equal(recordsFor(decodeResponse(original), "a.test", TYPE_CODES.TXT).length, 1);
    const next = seededRandom(0x2545f491);
    let read = 0;
    for (let i = 0; i < 20000; i++) {
      const message = Buffer.from(original);
      for (let flips = 1 + randomBelow(next, 4); flips > 0; flips--) message[randomBelow(next, message.length)] = randomBelow(next, 256);
      const cut = randomBelow(next, 4) === 0 ? message.subarray(0, randomBelow(next, message.length)) : message;
      try {
        const response = decodeResponse(cut);
        for (const type of [TYPE_CODES.TXT, TYPE_CODES.CNAME, TYPE_CODES.MX]) recordsFor(response, "a.test", type);
        read++;
      } catch (error) {
        assert.ok(error instanceof Error && !(error instanceof TypeError) && !(error instanceof RangeError), `mutation ${i}: ${String(error)}`);
      }
    }
    assert.ok(read > 1000 && read < 20000, `${read} of 20000 mutations read: both outcomes exercised`);
  });

  it("refuses malformed messages instead of looping or reading past the end", () => {
    const query = encodeQuery(9, "a.test", TYPE_CODES.TXT);
    const selfPointer = Buffer.from([0xc0, answersAt(query)]); // a name that points at itself
    assert.throws(() => decodeResponse(respond(query, 1, Buffer.concat([selfPointer, Buffer.alloc(10)]))), /backwards/);
    assert.throws(() => decodeResponse(respond(query, 1, rr(TYPE_CODES.TXT, Buffer.from("\x09short", "latin1")))), /runs past/);
    assert.throws(() => decodeResponse(respond(query, 3)), /truncated|past/);
    assert.throws(() => decodeResponse(query), /not a response/);
  });
});
