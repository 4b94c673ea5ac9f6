/**
 * A real S3-compatible server on loopback for the S3 tests: s3rver, in a child process, so that
 * it may run with `--openssl-legacy-provider` (its ListObjectsV2 continuation tokens use DES,
 * which OpenSSL 3 keeps in its legacy provider). It listens on a free port of 127.0.0.1.
 */
import { ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface S3Server {
  endpoint: string;
  stop(): Promise<void>;
}

const SCRIPT = `
const S3rver = require("s3rver");
const [directory, bucket] = process.argv.slice(1);
const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
server.run().then(({ port }) => process.stdout.write(JSON.stringify({ port }) + "\\n"));
process.on("SIGTERM", () => server.close().then(() => process.exit(0)));
`;

export async function startS3rver(bucket: string): Promise<S3Server> {
  const dir = mkdtempSync(join(tmpdir(), "s3rver-"));
  const child: ChildProcess = spawn(process.execPath, ["--openssl-legacy-provider", "-e", SCRIPT, dir, bucket], { cwd: join(__dirname, "..", "..", ".."), stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve(JSON.parse(out).port);
    });
    child.once("exit", (code) => reject(new Error(`s3rver exited with ${code} before listening`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
