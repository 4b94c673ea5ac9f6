/**
 * A real authoritative DNS server for tests and benches: Debian's knotd on a loopback port,
 * serving ONE root zone "." that holds every name, so CNAMEs into the amazonses.com stub are
 * answered the way a recursive resolver would answer them.
 */
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promises as dns } from "node:dns";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

export const KNOT_MISSING = "knotd/knotc not found: install Debian's knot (apt-get install knot), or run `npm test`, whose pretest installs it when run as root";

export interface KnotServer {
  port: number;
  /** `127.0.0.1:PORT`, as `--resolver` and `Resolver.setServers` take it. */
  server: string;
  stop(): Promise<void>;
}

const INSTANCE = "knot-instance";

/** The zone's apex, and a name whose TXT tells this server from any other on the same port. */
function apex(nonce: string): string {
  return [
    ".\t3600\tIN\tSOA\tns. hostmaster. 1 3600 600 86400 60",
    ".\t3600\tIN\tNS\tns.",
    "ns.\t3600\tIN\tA\t127.0.0.1",
    `${INSTANCE}.\t3600\tIN\tTXT\t"${nonce}"`,
  ].join("\n");
}

function config(dir: string, port: number): string {
  return [
    "server:",
    `    rundir: "${dir}"`,
    `    listen: 127.0.0.1@${port}`,
    "    udp-workers: 1",
    "    tcp-workers: 1",
    "    background-workers: 1",
    "database:",
    `    storage: "${dir}"`,
    "control:",
    `    listen: "${join(dir, "knot.sock")}"`,
    "log:",
    "  - target: stderr",
    "    any: error",
    "zone:",
    "  - domain: .",
    `    file: "${join(dir, "root.zone")}"`,
    "    zonefile-load: whole",
    "    journal-content: none",
    "",
  ].join("\n");
}

/** The full path of a knot binary: on PATH, or in the sbin directories a non-root PATH often lacks. */
function binary(name: string): string {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin"];
  const found = dirs.filter(Boolean).map((dir) => join(dir, name)).find((path) => existsSync(path));
  if (!found) throw new Error(KNOT_MISSING);
  return found;
}

/** Resolves once this server (its nonce) answers, or rejects when it exits or stays silent. */
async function ready(child: ChildProcess, server: string, nonce: string, stderr: () => string): Promise<void> {
  const resolver = new dns.Resolver({ timeout: 100, tries: 1 });
  resolver.setServers([server]);
  const exited = new Promise<never>((_, reject) => child.once("exit", (code) => reject(new Error(`knotd exited (${code}): ${stderr()}`))));
  exited.catch(() => undefined);
  for (let attempt = 0; attempt < 50; attempt++) {
    const probe = resolver.resolveTxt(INSTANCE).then((txt) => txt.flat().join("") === nonce, () => false);
    if (await Promise.race([probe, exited])) return;
    // Until knotd binds, the probe is refused at once: pace the attempts.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`knotd on ${server} did not answer within 10 s (or another server holds the port): ${stderr()}`);
}

/** Check the zone, start knotd on `port`, and wait until it answers; rejects when it cannot. */
async function launch(dir: string, port: number, nonce: string): Promise<KnotServer> {
  const conf = join(dir, "knot.conf");
  writeFileSync(conf, config(dir, port));
  try {
    execFileSync(binary("knotc"), ["-c", conf, "zone-check", "."], { stdio: "pipe" });
  } catch (error) {
    const e = error as { stdout?: Buffer; stderr?: Buffer };
    throw Object.assign(new Error(`knotc zone-check failed: ${e.stdout?.toString() ?? ""}${e.stderr?.toString() ?? ""}`), { fatal: true });
  }
  const child = spawn(binary("knotd"), ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const server = `127.0.0.1:${port}`;
  try {
    await ready(child, server, nonce, () => log);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
  };
  return { port, server, stop };
}

/**
 * Start knotd serving `records` (BIND lines, e.g. from renderZoneFile) under a root zone. The zone
 * is checked with `knotc zone-check` first, so a bad fixture fails with knot's own message.
 */
export async function startKnot(records: string): Promise<KnotServer> {
  const dir = mkdtempSync(join(tmpdir(), "knot-"));
  const nonce = randomBytes(8).toString("hex");
  writeFileSync(join(dir, "root.zone"), `${apex(nonce)}\n${records}`);
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  // A random port, retried when taken: parallel runs and other services share loopback.
  for (let attempt = 1; ; attempt++) {
    try {
      const knot = await launch(dir, 20000 + Math.floor(Math.random() * 40000), nonce);
      return { ...knot, stop: () => knot.stop().finally(removeDir) };
    } catch (error) {
      if ((error as { fatal?: boolean }).fatal || attempt === 5) {
        removeDir();
        throw error;
      }
    }
  }
}
