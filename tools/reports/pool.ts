/**
 * Reading inputs on several cores. Unpacking and parsing a report is CPU work and reports are
 * independent, so worker threads read them while this thread reads files and tallies (in input
 * order: lib/reports/read.ts). An input is handed over whole, so one larger than
 * `WHOLE_INPUT_MAX` is read here instead, streaming, as a plain .xml of any size must be.
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { ExtractLimits, Found } from "../../lib/reports/extract";
import { Input, ReadInput, readInput } from "../../lib/reports/read";
import type { Job } from "./worker";

/** Inputs larger than this are streamed on the main thread rather than copied to a worker. */
export const WHOLE_INPUT_MAX = 8 * 1024 * 1024;
/** Inputs in flight per worker: enough to keep it busy while this thread reads the next files. */
const PER_WORKER = 8;
/** The first inputs are read here: a run of a few reports does not pay for starting threads. */
const READ_HERE_FIRST = 16;

/** How many threads read by default: one per core, at most 4 (beyond that the tallying thread is the limit). */
export function defaultJobs(): number {
  return Math.min(availableParallelism(), 4);
}

/** The worker's module, compiled (dist/) or run from source under tsx, as this module is. */
function workerSource(): string {
  const file = join(__dirname, `worker${__filename.slice(__filename.lastIndexOf("."))}`);
  return `${file.endsWith(".ts") ? 'require("tsx/cjs");' : ""}require(${JSON.stringify(file)});`;
}

/** Its first chunks up to `max` bytes, and whether that was all of it; the rest stays in `iterator`. */
async function head(iterator: AsyncIterator<Uint8Array>, max: number): Promise<{ chunks: Uint8Array[]; done: boolean }> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const next = await iterator.next();
    if (next.done) return { chunks, done: true };
    chunks.push(next.value);
    size += next.value.byteLength;
    if (size > max) return { chunks, done: false };
  }
}

async function* resume(first: Uint8Array[], iterator: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield* first;
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
}

interface Entry {
  worker: Worker;
  busy: number;
}

export class ReaderPool {
  readonly window: number;
  private workers: Entry[] | undefined;
  private readonly waiting = new Map<number, { resolve: (found: Found[]) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  /** Inputs read by the worker threads, and here (the first few, and the large ones). */
  readonly counts = { workers: 0, here: 0 };

  constructor(
    private readonly jobs: number,
    private readonly wholeInputMax = WHOLE_INPUT_MAX,
  ) {
    this.window = jobs * PER_WORKER;
  }

  private readHere(input: Input, limits: ExtractLimits): Promise<Found[]> {
    this.counts.here++;
    return readInput(input, limits);
  }

  private start(): Entry[] {
    return Array.from({ length: this.jobs }, () => {
      const entry = { worker: new Worker(workerSource(), { eval: true }), busy: 0 };
      entry.worker.on("message", (m: { id: number; found?: Found[]; failure?: string }) => {
        entry.busy--;
        const waiter = this.waiting.get(m.id)!;
        this.waiting.delete(m.id);
        if (m.failure !== undefined) waiter.reject(new Error(`reading a report failed in a worker thread: ${m.failure}`));
        else waiter.resolve(m.found!);
      });
      entry.worker.on("error", (error) => this.failAll(error));
      return entry;
    });
  }

  readonly read: ReadInput = async (input: Input, limits: ExtractLimits) => {
    if (this.counts.here + this.counts.workers < READ_HERE_FIRST) return this.readHere(input, limits);
    const iterator = input.chunks()[Symbol.asyncIterator]();
    const { chunks, done } = await head(iterator, this.wholeInputMax);
    if (!done) return this.readHere({ name: input.name, chunks: () => resume(chunks, iterator) }, limits);
    this.counts.workers++;
    const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    this.workers ??= this.start();
    const entry = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    entry.busy++;
    return new Promise<Found[]>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      entry.worker.postMessage({ id, name: input.name, bytes, limits } satisfies Job);
    });
  };

  private failAll(error: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }

  async close(): Promise<void> {
    await Promise.all((this.workers ?? []).map(({ worker }) => worker.terminate()));
  }
}
