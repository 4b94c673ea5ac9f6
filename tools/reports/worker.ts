/** A worker thread of tools/reports/pool.ts: reads the inputs it is sent and posts back what each holds. */
import { parentPort } from "node:worker_threads";
import { ExtractLimits, once } from "../../lib/reports/extract";
import { readInput } from "../../lib/reports/read";

export interface Job {
  id: number;
  name: string;
  bytes: Uint8Array;
  limits: ExtractLimits;
}

parentPort!.on("message", (job: Job) => {
  readInput({ name: job.name, chunks: () => once(job.bytes) }, job.limits).then(
    (found) => parentPort!.postMessage({ id: job.id, found }),
    // Not a broken input (those are Found errors) but a failure of the reader itself: the run stops (exit 3).
    (error: Error) => parentPort!.postMessage({ id: job.id, failure: error.stack ?? String(error) }),
  );
});
