/**
 * Read inputs into a summary. Inputs come from anywhere (files, S3 objects); each is streamed,
 * unpacked and read by a `ReadInput`, and tallied in input order, so the summary (which copy of a
 * report counts, the order of errors) is the same however many inputs are read at once.
 */
import { Thresholds } from "./advice";
import { DEFAULT_LIMITS, ExtractLimits, extractReports, Found } from "./extract";
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

/** Every report (or error) one input holds. */
export type ReadInput = (input: Input, limits: ExtractLimits) => Promise<Found[]>;

/** Reads the input here, streaming it. */
export async function readInput(input: Input, limits: ExtractLimits): Promise<Found[]> {
  const found: Found[] = [];
  for await (const f of extractReports(input.name, input.chunks(), limits)) found.push(f);
  return found;
}

/**
 * The summary of `inputs`. `read` reads one input (by default here, streaming); up to `window`
 * inputs are read at once (a reader that hands inputs to other threads wants several), and their
 * results are tallied in input order.
 */
export async function summarize(inputs: AsyncIterable<Input | Skipped> | Iterable<Input | Skipped>, options: ReadOptions = {}, read: ReadInput = readInput, window = 1): Promise<Summary> {
  const summary = new Summarizer(sesMatcher(options.sesSpf), options.period, options.thresholds);
  const limits = options.limits ?? DEFAULT_LIMITS;
  const pending: Promise<Found[] | Skipped>[] = [];
  const tally = (result: Found[] | Skipped) => {
    if (!Array.isArray(result)) return summary.skip(result.name, result.skip);
    for (const found of result) {
      if ("report" in found) summary.add(found.file, found.report);
      else summary.error(found.file, found.error);
    }
  };
  for await (const input of inputs) {
    const result = "skip" in input ? Promise.resolve(input) : read(input, limits);
    // Awaited in turn below; until then a failure must not count as unhandled.
    result.catch(() => undefined);
    pending.push(result);
    if (pending.length >= window) tally(await pending.shift()!);
  }
  while (pending.length) tally(await pending.shift()!);
  return summary.result();
}
