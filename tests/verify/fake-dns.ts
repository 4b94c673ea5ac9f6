/** A UDP "DNS server" on loopback that answers every query with one RCODE, or never answers. */
import { createSocket } from "node:dgram";

export interface FakeDns {
  server: string;
  close(): Promise<void>;
}

/** `rcode`: 2 SERVFAIL, 5 REFUSED, …; "silent" drops every query. */
export async function fakeDns(rcode: number | "silent"): Promise<FakeDns> {
  const socket = createSocket("udp4");
  socket.on("message", (query, peer) => {
    if (rcode === "silent" || query.length < 12) return;
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
