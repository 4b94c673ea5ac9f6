/**
 * The reports benchmark's input and its ceiling, shared by bench/reports.bench.ts and the process
 * it runs under callgrind (bench/reports-instructions.ts), so that both read the same bytes.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { SaxesParser } from "saxes";
import { gzip, real, REAL, reportEmail, withReportId, zip } from "../tests/fixtures/reports";

/** The real reports the corpus repeats, yeah.net's (162 KB) one time in 25. */
const SAMPLES: (keyof typeof REAL)[] = ["googleXml", "ironportXml", "netease163"];

/** The XML of the first `count` reports, each with its own report id. */
export function corpusXml(count: number): Buffer[] {
  const texts = Object.fromEntries([...SAMPLES, "yeahNet" as const].map((s) => [s, real(s).toString("utf8")]));
  return Array.from({ length: count }, (_, i) => Buffer.from(withReportId(texts[i % 25 === 24 ? "yeahNet" : SAMPLES[i % SAMPLES.length]], `bench-${i}`)));
}

/** Writes the reports into `dir`, a quarter each as .xml, .xml.gz, .zip and email; the bytes written. */
export function writeCorpus(dir: string, xml: Buffer[]): number {
  let bytes = 0;
  xml.forEach((report, i) => {
    const name = `r${String(i).padStart(5, "0")}`;
    const kind = i % 4;
    const content = kind === 0 ? report : kind === 1 ? gzip(report) : kind === 2 ? zip([{ name: `${name}.xml`, data: report }]) : reportEmail([{ filename: `${name}.xml.gz`, contentType: "application/gzip", bytes: gzip(report) }]);
    // Emails get no extension, as SES's S3 action stores them.
    writeFileSync(join(dir, kind === 3 ? name : `${name}.${["xml", "xml.gz", "zip"][kind]}`), content);
    bytes += content.length;
  });
  return bytes;
}

/** The ceiling: decode and parse the same XML with saxes, a conforming parser, doing nothing with it. */
export function bareParse(xml: Buffer[]): void {
  for (const bytes of xml) {
    const parser = new SaxesParser();
    parser.write(new TextDecoder().decode(bytes));
    parser.close();
  }
}
