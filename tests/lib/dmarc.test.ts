import { strict as assert } from "node:assert";
import { Alignment, discoverDmarc, DmarcPolicy, formatDmarc, parseDmarc } from "../../lib/dmarc";

describe("lib/dmarc", () => {
  it("expresses the seed's own record", () => {
    const seed = parseDmarc("v=DMARC1;p=quarantine;pct=25;rua=mailto:dmarcreports@32imuf.com");
    const ours = parseDmarc(formatDmarc({ policy: DmarcPolicy.QUARANTINE, percent: 25, rua: ["mailto:dmarcreports@32imuf.com"], ruf: [], adkim: Alignment.RELAXED, aspf: Alignment.RELAXED }));
    assert.ok(seed.ok && ours.ok);
    assert.deepEqual(ours, seed);
    assert.equal(formatDmarc({ policy: DmarcPolicy.QUARANTINE, percent: 25, rua: ["mailto:dmarcreports@32imuf.com"], ruf: [], adkim: Alignment.RELAXED, aspf: Alignment.RELAXED }), "v=DMARC1; p=quarantine; pct=25; rua=mailto:dmarcreports@32imuf.com");
  });

  it("reads absent adkim/aspf as relaxed and sp as p", () => {
    const r = parseDmarc("v=DMARC1; p=reject");
    assert.ok(r.ok);
    assert.equal(r.record.adkim, Alignment.RELAXED);
    assert.equal(r.record.aspf, Alignment.RELAXED);
    assert.equal(r.record.subdomainPolicy, DmarcPolicy.REJECT);
    assert.equal(r.record.percent, 100);
  });

  for (const [text, why] of [
    ["p=reject; v=DMARC1", "v= first"],
    ["v=DMARC1; p=maybe", "p value"],
    ["v=DMARC1; p=none; pct=101", "pct range"],
    ["v=DMARC1; p=none; rua=https://x.example", "mailto"],
    ["v=DMARC1; p=none; adkim=x", "adkim value"],
    ["v=DMARC1; sp=none; p=none", "p second"],
  ]) {
    it(`rejects ${why}: ${text}`, () => assert.equal(parseDmarc(text).ok, false));
  }

  it("falls back to the organizational domain and applies sp=", () => {
    const txt: Record<string, string[]> = { "_dmarc.example.co.uk": ["v=DMARC1; p=none; sp=reject"] };
    const d = discoverDmarc("news.example.co.uk", (n) => txt[n] ?? []);
    assert.equal(d.status, "found");
    assert.ok(d.status === "found" && d.source === "organizational" && d.name === "_dmarc.example.co.uk");
  });

  it("treats two DMARC records at one name as broken, and ignores non-DMARC TXT there", () => {
    assert.equal(discoverDmarc("example.com", () => ["v=DMARC1; p=none", "v=DMARC1; p=reject"]).status, "multiple");
    assert.equal(discoverDmarc("example.com", () => ["google-site-verification=x", "v=DMARC1; p=none"]).status, "found");
    assert.equal(discoverDmarc("example.com", () => []).status, "missing");
    assert.equal(discoverDmarc("example.com", () => "unknown").status, "unknown");
  });
});
