/**
 * Run by bench/reports.bench.ts under valgrind's callgrind, which counts the instructions a process
 * executes: `ceiling N` builds the XML of N reports and `reports DIR` loads the reader; with `work`
 * after either, the ceiling then parses that XML and the reader reads and summarises DIR. The
 * difference between a run with `work` and one without is the work alone.
 */
import { summarize } from "../lib/reports/read";
import { fileInputs } from "../tools/reports/files";
import { bareParse, corpusXml } from "./reports-corpus";

async function main(): Promise<void> {
  const [mode, arg, work] = process.argv.slice(2);
  if (mode === "ceiling") {
    const xml = corpusXml(Number(arg));
    if (work) bareParse(xml);
  } else if (mode === "reports") {
    if (work) await summarize(fileInputs([arg]));
  } else throw new Error(`usage: reports-instructions.ts ceiling N [work] | reports DIR [work]`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
