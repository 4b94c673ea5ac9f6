/** Files and folders as report inputs: folders are walked recursively, in name order; dot files are passed over. */
import { closeSync, createReadStream, fstatSync, openSync, promises as fs, readSync } from "node:fs";
import { join } from "node:path";
import { Input } from "../../lib/reports/read";
import { NotAReport } from "../../lib/reports/report";
import { UsageError } from "../command";

/** Files up to this size are read in one call (reports mostly are a few KB); larger ones are streamed. */
const READ_AT_ONCE = 1024 * 1024;

function readSmall(path: string): Buffer | undefined {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    if (size > READ_AT_ONCE) return undefined;
    const buf = Buffer.allocUnsafe(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, buf, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buf.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

async function* fileChunks(path: string): AsyncGenerator<Uint8Array> {
  try {
    const small = readSmall(path);
    if (small) yield small;
    else yield* createReadStream(path, { highWaterMark: 256 * 1024 }) as AsyncIterable<Uint8Array>;
  } catch (error) {
    if (error instanceof NotAReport) throw error;
    throw new NotAReport(`cannot read it: ${(error as Error).message}`);
  }
}

function fileInput(path: string): Input {
  return { name: path, chunks: () => fileChunks(path) };
}

async function* walk(dir: string, visited: Set<string>): AsyncGenerator<Input> {
  const real = await fs.realpath(dir);
  if (visited.has(real)) return;
  visited.add(real);
  const entries = (await fs.readdir(dir, { withFileTypes: true })).filter((e) => !e.name.startsWith(".")).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    // A symbolic link is followed to what it names.
    const kind = entry.isSymbolicLink() ? await fs.stat(path).catch(() => undefined) : entry;
    if (kind?.isDirectory()) yield* walk(path, visited);
    else if (kind?.isFile()) yield fileInput(path);
  }
}

/** Every file named or below a named folder; a path that does not exist is a usage error. */
export async function* fileInputs(paths: readonly string[]): AsyncGenerator<Input> {
  const stats = await Promise.all(
    paths.map((p) =>
      fs.stat(p).catch((error: Error) => {
        throw new UsageError(`${p}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or folder" : error.message}`);
      }),
    ),
  );
  const visited = new Set<string>();
  for (const [i, path] of paths.entries()) {
    if (stats[i].isDirectory()) yield* walk(path, visited);
    else yield fileInput(path);
  }
}
