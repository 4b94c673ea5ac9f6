/**
 * Read inputs one after the other into a summary. Inputs come from anywhere (files, S3 objects);
 * each is streamed, unpacked, read and tallied before the next one is opened.
 */
import { Thresholds } from "./advice";
import { DEFAULT_LIMITS, ExtractLimits, extractReports } from "./extract";
import { sesMatcher } from "./ses-ranges";
import { Period, Summarizer, Summary } from "./summary";

export interface Input {
  /** A path or an s3:// URL: what errors and reports name. */
  name: string;
  /** The bytes; a failure to read them must be thrown as `NotAReport`, naming the cause. */
  chunks(): AsyncIterable<Uint8Array>;
}

/** An input that is deliberately not read, with the reason (SES's setup notification, say). */
export interface Skipped {
  name: string;
  skip: string;
}

export interface ReadOptions {
  period?: Period;
  thresholds?: Thresholds;
  limits?: ExtractLimits;
  /** SES's SPF record, whose ip4: ranges mark SES sources; the built-in copy by default. */
  sesSpf?: string;
}

export async function summarize(inputs: AsyncIterable<Input | Skipped> | Iterable<Input | Skipped>, options: ReadOptions = {}): Promise<Summary> {
  const summary = new Summarizer(sesMatcher(options.sesSpf), options.period, options.thresholds);
  for await (const input of inputs) {
    if ("skip" in input) {
      summary.skip(input.name, input.skip);
      continue;
    }
    for await (const found of extractReports(input.name, input.chunks(), options.limits ?? DEFAULT_LIMITS)) {
      if ("report" in found) summary.add(found.file, found.report);
      else summary.error(found.file, found.error);
    }
  }
  return summary.result();
}
