/** Bounded gzip and zip reading: real archives, trailing bytes, corrupt data, and bombs. */
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { gunzip, unzip, ZipMember } from "../../../lib/reports/archive";
import { NotAReport } from "../../../lib/reports/report";
import { real, zip } from "../../fixtures/reports";

const MiB = 1024 * 1024;

async function gunzipAll(buf: Buffer, limit = 16 * MiB): Promise<{ data: Buffer; warnings: string[] }> {
  const warnings: string[] = [];
  const parts: Buffer[] = [];
  for await (const chunk of gunzip(buf, limit, (w) => warnings.push(w))) parts.push(chunk);
  return { data: Buffer.concat(parts), warnings };
}

async function members(buf: Buffer, limit = 16 * MiB): Promise<{ name: string; data?: Buffer; error?: string }[]> {
  const out: { name: string; data?: Buffer; error?: string }[] = [];
  for await (const m of unzip(buf, limit) as AsyncGenerator<ZipMember>) {
    if (m.chunks instanceof NotAReport) {
      out.push({ name: m.name, error: m.chunks.message });
      continue;
    }
    const parts: Buffer[] = [];
    try {
      for await (const c of m.chunks) parts.push(c);
      out.push({ name: m.name, data: Buffer.concat(parts) });
    } catch (error) {
      out.push({ name: m.name, error: (error as Error).message });
    }
  }
  return out;
}

const rejects = (p: Promise<unknown>, message: RegExp) => assert.rejects(p, (e: Error) => e instanceof NotAReport && message.test(e.message));

describe("reports: bounded gzip and zip", () => {
  it("gunzips the IronPort reporter's .xml.gz to its .xml", async () => {
    const { data, warnings } = await gunzipAll(real("ironportGz"));
    assert.deepEqual(data, real("ironportXml"));
    assert.deepEqual(warnings, []);
  });

  it("ignores bytes after the gzip data, and says how many", async () => {
    const { data, warnings } = await gunzipAll(Buffer.concat([real("ironportGz"), Buffer.from("\r\n--boundary--\r\n")]));
    assert.deepEqual(data, real("ironportXml"));
    assert.deepEqual(warnings, ["16 bytes after the gzip data ignored"]);
  });

  it("ignores zero padding after the gzip data without a word", async () => {
    const { warnings } = await gunzipAll(Buffer.concat([real("ironportGz"), Buffer.alloc(512)]));
    assert.deepEqual(warnings, []);
  });

  it("reads every member of a gzip file, as gunzip does", async () => {
    const { data } = await gunzipAll(Buffer.concat([gzipSync("<feedback>"), gzipSync("</feedback>")]));
    assert.equal(data.toString(), "<feedback></feedback>");
  });

  it("refuses truncated or corrupt gzip data", async () => {
    const gz = real("ironportGz");
    await rejects(gunzipAll(gz.subarray(0, gz.length - 4)), /gzip: truncated/);
    await rejects(gunzipAll(gz.subarray(0, 40)), /gzip: unexpected end of file|gzip: truncated/);
    const flipped = Buffer.from(gz);
    flipped[flipped.length - 6] ^= 0xff;
    await rejects(gunzipAll(flipped), /CRC or size check failed/);
  });

  it("sizes its output by the gzip trailer's ISIZE only as a hint: a lying one is refused by the size check", async () => {
    for (const isize of [0, 1, 0xffffffff]) {
      const lying = gzipSync("<feedback></feedback>");
      lying.writeUInt32LE(isize, lying.length - 4);
      await rejects(gunzipAll(lying), /CRC or size check failed/);
    }
  });

  it("refuses a gzip bomb once it expands past the limit, without inflating the rest", async () => {
    const bomb = gzipSync(Buffer.alloc(64 * MiB));
    assert.ok(bomb.length < 100 * 1024);
    let inflated = 0;
    await rejects(
      (async () => {
        for await (const chunk of gunzip(bomb, MiB, () => undefined)) inflated += chunk.length;
      })(),
      /gzip data expands past 1 MiB, the limit for one member \(--max-member-mb\): refused/,
    );
    assert.ok(inflated <= MiB, `${inflated} bytes inflated`);
  });

  it("unzips google.com's .zip to its .xml", async () => {
    assert.deepEqual(await members(real("googleZip")), [{ name: "google.com!keltia.net!1538438400!1538524799.xml", data: real("googleXml") }]);
  });

  it("reads every member of a zip archive, in order, and passes over folders", async () => {
    const archive = zip([
      { name: "reports/", data: Buffer.alloc(0) },
      { name: "reports/a.xml", data: Buffer.from("<a/>") },
      { name: "reports/b.xml", data: Buffer.from("<b/>") },
    ]);
    assert.deepEqual(await members(archive), [
      { name: "reports/a.xml", data: Buffer.from("<a/>") },
      { name: "reports/b.xml", data: Buffer.from("<b/>") },
    ]);
  });

  it("refuses a zip member whose header says it is too large, without inflating it", async () => {
    const [m] = await members(zip([{ name: "big.xml", data: Buffer.alloc(2 * MiB) }]), MiB);
    assert.match(m.error!, /zip member big\.xml \(2 MiB by its header\) expands past 1 MiB/);
  });

  it("refuses a zip bomb whose header lies about its size", async () => {
    // Small compressed data is inflated at once, large data streamed: both stop where the header's size is passed.
    for (const size of [8 * MiB, 64 * MiB]) {
      const [m] = await members(zip([{ name: "bomb.xml", data: Buffer.alloc(size), declaredSize: 100 }]), MiB);
      assert.equal(m.data, undefined);
      assert.match(m.error!, /^zip member bomb\.xml holds more than the 100 bytes its header says.*: a zip bomb or a corrupt archive, refused$/);
    }
  });

  it("refuses what only looks like a zip archive", async () => {
    await rejects(members(Buffer.concat([Buffer.from("PK\x03\x04"), Buffer.alloc(100, 1)])), /^zip: /);
  });
});
