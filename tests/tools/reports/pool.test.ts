/**
 * Reading on several threads (tools/reports/pool.ts) must give the summary reading here gives,
 * byte for byte: the same reports counted (and the same copies marked duplicates), the same
 * errors in the same order. The inputs are the real samples in every container, duplicates,
 * broken inputs, and one input too large to hand over, which is streamed here instead.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { summarize } from "../../../lib/reports/read";
import { fileInputs } from "../../../tools/reports/files";
import { ReaderPool } from "../../../tools/reports/pool";
import { gzip, real, REAL, reportEmail, withReportId, zip } from "../../fixtures/reports";

describe("reports on several threads", function () {
  this.timeout(120_000); // each worker loads the reader (under tsx, compiling it)
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "reports-pool-"));
    let n = 0;
    const put = (name: string, bytes: Buffer) => writeFileSync(join(dir, `${String(n++).padStart(3, "0")}-${name}`), bytes);
    for (let round = 0; round < 3; round++) {
      for (const sample of Object.keys(REAL) as (keyof typeof REAL)[]) {
        const bytes = real(sample);
        // The first round repeats each report as it is (duplicates); later ones give it new ids.
        const xml = round === 0 || sample.endsWith("Zip") || sample.endsWith("Gz") ? bytes : Buffer.from(withReportId(bytes.toString("latin1"), `pool-${round}-${sample}`), "latin1");
        put(`${sample}.xml`, xml);
        if (sample === "googleDraft") continue; // 6 MB: once as XML is enough, to be streamed here
        put(`${sample}.gz`, gzip(xml));
        put(`${sample}.zip`, zip([{ name: `${sample}.xml`, data: xml }]));
        put(`${sample}.eml`, reportEmail([{ filename: `${sample}.xml.gz`, contentType: "application/gzip", bytes: gzip(xml) }]));
      }
      put("notes.txt", Buffer.from("meeting notes"));
      put("empty", Buffer.alloc(0));
      put("bomb.gz", gzip(Buffer.concat([Buffer.from("<feedback>"), Buffer.alloc(2 * 1024 * 1024, " ")])));
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("gives the summary that reading here gives, the same copies counted, errors in the same order", async () => {
    const limits = { member: 1024 * 1024, input: 64 * 1024 * 1024 };
    const here = await summarize(fileInputs([dir]), { limits });
    const pool = new ReaderPool(2, 1024 * 1024);
    try {
      const threads = await summarize(fileInputs([dir]), { limits }, pool.read, pool.window);
      assert.equal(JSON.stringify(threads), JSON.stringify(here));
      assert.ok(here.reports.some((r) => r.duplicateOf), "the corpus holds duplicates");
      assert.ok(here.errors.length >= 9, "and broken inputs");
      // Both paths ran: the worker threads, and here for the first inputs and the 6 MB report.
      assert.ok(pool.counts.workers > 50, `${pool.counts.workers} inputs read by the workers`);
      assert.ok(pool.counts.here >= 17, `${pool.counts.here} inputs read here`);
    } finally {
      await pool.close();
    }
  });
});
