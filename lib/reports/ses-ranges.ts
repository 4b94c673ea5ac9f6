/**
 * The addresses Amazon SES sends from, to mark report sources that are SES.
 *
 * Source: SES's own SPF record, the TXT record at amazonses.com (`dig +short TXT amazonses.com`),
 * which AWS names as the list of SES's outgoing addresses ("Amazon SES IP addresses", AWS
 * Messaging & Targeting Blog) and which every `include:amazonses.com` authorises. This is its
 * text as published in 2026; SES adds ranges now and then: paste the new record here, or give it
 * to `npm run reports -- --ses-spf "v=spf1 …"` for one run. SES sends over IPv4 only (the
 * record has no ip6: terms).
 */
import { isIPv4 } from "node:net";

export const SES_SPF_RECORD =
  "v=spf1 ip4:199.255.192.0/22 ip4:199.127.232.0/22 ip4:54.240.0.0/18 ip4:69.169.224.0/20 ip4:23.249.208.0/20 ip4:23.251.224.0/19 ip4:76.223.176.0/20 ip4:54.240.64.0/18 ip4:76.223.128.0/19 ip4:216.221.160.0/19 ip4:206.55.144.0/20 ip4:24.110.64.0/18 -all";

/** An IPv4 network as a 32-bit base and mask. */
interface Network {
  base: number;
  mask: number;
}

function ipv4ToNumber(ip: string): number {
  return ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

/** The `ip4:` networks of an SPF record; anything else in it is not an address of SES's. */
export function parseSesRanges(spf: string): Network[] {
  if (!/^v=spf1(\s|$)/i.test(spf.trim())) throw new Error(`not an SPF record (must start with "v=spf1"): ${spf}`);
  const networks: Network[] = [];
  for (const term of spf.trim().split(/\s+/).slice(1)) {
    const match = /^\+?ip4:([0-9.]+)(?:\/([0-9]{1,2}))?$/i.exec(term);
    if (!match) continue;
    const bits = Number(match[2] ?? 32);
    if (!isIPv4(match[1]) || bits > 32) throw new Error(`"${term}" is not an IPv4 network`);
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    networks.push({ base: (ipv4ToNumber(match[1]) & mask) >>> 0, mask });
  }
  if (networks.length === 0) throw new Error(`no ip4: networks in "${spf}"`);
  return networks;
}

/** Tells whether an address is one SES sends from; `spf` is SES's SPF record. */
export function sesMatcher(spf = SES_SPF_RECORD): (ip: string) => boolean {
  const networks = parseSesRanges(spf);
  const cache = new Map<string, boolean>();
  return (ip) => {
    let known = cache.get(ip);
    if (known === undefined) {
      const n = isIPv4(ip) ? ipv4ToNumber(ip) : undefined;
      known = n !== undefined && networks.some((net) => ((n & net.mask) >>> 0) === net.base);
      cache.set(ip, known);
    }
    return known;
  };
}
