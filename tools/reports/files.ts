/** Files and folders as report inputs: folders are walked recursively, in name order; dot files are passed over. */
import { createReadStream, promises as fs } from "node:fs";
import { join } from "node:path";
import { Input } from "../../lib/reports/read";
import { NotAReport } from "../../lib/reports/report";
import { UsageError } from "./usage";

async function* fileChunks(path: string): AsyncGenerator<Uint8Array> {
  try {
    yield* createReadStream(path, { highWaterMark: 256 * 1024 }) as AsyncIterable<Uint8Array>;
  } catch (error) {
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
  const names = (await fs.readdir(dir)).filter((n) => !n.startsWith(".")).sort();
  for (const name of names) {
    const path = join(dir, name);
    const stat = await fs.stat(path).catch(() => undefined);
    if (stat?.isDirectory()) yield* walk(path, visited);
    else if (stat?.isFile()) yield fileInput(path);
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
