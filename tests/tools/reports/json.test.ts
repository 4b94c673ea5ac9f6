/** `--json`'s writer: the very text of JSON.stringify(value, null, 2), in pieces. */
import assert from "node:assert/strict";
import { summarize } from "../../../lib/reports/read";
import { writeJson } from "../../../tools/reports/json";
import { real, REAL, withReportId } from "../../fixtures/reports";

async function written(value: unknown): Promise<{ text: string; pieces: number }> {
  const pieces: string[] = [];
  await writeJson(value, (t) => pieces.push(t));
  return { text: pieces.join(""), pieces: pieces.length };
}

describe("reports --json writer", () => {
  it("writes what JSON.stringify(value, null, 2) writes, for every kind of value at every depth", async () => {
    const values: unknown[] = [
      null,
      0,
      "a\nb \"quoted\"",
      [],
      {},
      [[], {}, [1, [2, [3]]], { a: [] }],
      { a: undefined, b: () => 1, c: Symbol("s"), d: [undefined, () => 1, Symbol("t"), 4], e: { f: { g: [{ h: "\n" }] } } },
      { date: new Date("2026-12-01T00:00:00Z"), nested: { date: new Date(0) } },
      { reports: [{ file: "a\n.xml", policy: { p: "none", sp: null } }], errors: [], domains: [{ days: [{ date: "2026-12-01", messages: 3 }] }] },
    ];
    for (const value of values) assert.equal((await written(value)).text, `${JSON.stringify(value, null, 2)}\n`, JSON.stringify(value));
  });

  it("writes a summary of real reports exactly as JSON.stringify would, the large list in several pieces", async () => {
    const samples: (keyof typeof REAL)[] = ["googleXml", "ironportXml", "netease163", "yeahNet"];
    const texts = samples.map((s) => real(s).toString("utf8"));
    const inputs = Array.from({ length: 600 }, (_, i) => ({ name: `r${i}.xml`, chunks: async function* () { yield Buffer.from(withReportId(texts[i % texts.length], `json-${i}`)); } }));
    const summary = await summarize(inputs);
    const { text, pieces } = await written(summary);
    assert.equal(text, `${JSON.stringify(summary, null, 2)}\n`);
    assert.ok(pieces > 2, `${pieces} pieces`);
  });

  it("writes the next piece only once the reader has taken the last one", async () => {
    const value = { reports: Array.from({ length: 10000 }, (_, i) => ({ file: `r${i}.xml`, reporter: "google.com" })) };
    const pieces: string[] = [];
    let release: () => void = () => {};
    let waits = 0;
    const done = writeJson(value, (t) => pieces.push(t), () => {
      waits++;
      return new Promise<void>((resolve) => (release = resolve));
    });
    for (let taken = 1; ; taken++) {
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(pieces.length, taken, "one piece per wait");
      if (waits < taken) break;
      release();
    }
    await done;
    assert.ok(waits > 2, `${waits} waits`);
    assert.equal(pieces.join(""), `${JSON.stringify(value, null, 2)}\n`);
  });
});
