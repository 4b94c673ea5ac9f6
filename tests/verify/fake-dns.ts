/** A UDP "DNS server" on loopback that answers every query with one RCODE, with garbage, or never. */
import { createSocket } from "node:dgram";

export interface FakeDns {
  server: string;
  close(): Promise<void>;
}

/** `rcode`: 2 SERVFAIL, 5 REFUSED, …; "silent" drops every query; "garbage" claims an answer it does not hold. */
export async function fakeDns(rcode: number | "silent" | "garbage"): Promise<FakeDns> {
  const socket = createSocket("udp4");
  socket.on("message", (query, peer) => {
    if (rcode === "silent" || query.length < 12) return;
    if (rcode === "garbage") {
      // The query's ID, a response header claiming one question and three answers, then noise.
      const junk = Buffer.concat([query.subarray(0, 2), Buffer.from([0x81, 0x80, 0, 1, 0, 3, 0, 0, 0, 0]), Buffer.from("\xc0\xff\x07junk", "latin1")]);
      return socket.send(junk, peer.port, peer.address);
    }
    // The query itself, turned into a response (QR bit) with the RCODE set: a valid empty answer.
    const reply = Buffer.from(query);
    reply[2] |= 0x80;
    reply[3] = (reply[3] & 0xf0) | rcode;
    socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return {
    server: `127.0.0.1:${socket.address().port}`,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
