/**
 * The packages as users get them, for tests/package/: the library and the policy pack packed with
 * `npm pack` once per test run (from the dist/ that `npm test` has just built; its prepack builds
 * the same for a release), and projects installed from those tarballs in temporary directories,
 * outside this repository, with nothing resolved from it. A project names the library with a
 * registry version; here that one dependency is pointed at the tarball the registry would serve.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

export const ROOT = join(__dirname, "..", "..");
export const LIBRARY_VERSION: string = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;

const work = mkdtempSync(join(tmpdir(), "ses-packages-"));
process.once("exit", () => rmSync(work, { recursive: true, force: true }));

function npm(args: string[], cwd: string): string {
  return execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 26 });
}

/** Sources newer than their compiled file: a dist/ that would pack what the sources no longer say. */
function staleBuild(): string[] {
  const stale: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
        const built = join(ROOT, "dist", relative(ROOT, path)).replace(/\.ts$/, ".js");
        if (existsSync(built) && statSync(built).mtimeMs < statSync(path).mtimeMs) stale.push(relative(ROOT, path));
      }
    }
  };
  for (const dir of ["lib", "components", "policy", "tools"]) walk(join(ROOT, dir));
  return stale;
}

export interface Tarballs {
  library: string;
  pack: string;
}

let tarballs: Tarballs | undefined;

/** The two tarballs, packed once. */
export function packed(): Tarballs {
  if (tarballs) return tarballs;
  if (!existsSync(join(ROOT, "dist", "components", "index.js"))) throw new Error("no dist/: run npm run build (npm test does) first");
  const stale = staleBuild();
  if (stale.length) throw new Error(`dist/ is older than ${stale.join(", ")}: run npm run build (npm test does) first`);
  const dir = join(work, "tarballs");
  const pack = (cwd: string, ignoreScripts: boolean) => join(dir, npm(["pack", "--pack-destination", dir, ...(ignoreScripts ? ["--ignore-scripts"] : [])], cwd).trim().split("\n").pop()!);
  mkdirSync(dir);
  tarballs = { library: pack(ROOT, true), pack: pack(join(ROOT, "policy"), false) };
  return tarballs;
}

/** Unpacks a tarball (npm's `package/` folder) into a fresh directory of its own; returns that folder. */
export function unpacked(tarball: string, name: string): string {
  const dir = mkdtempSync(join(work, `${name}-`));
  execFileSync("tar", ["xzf", tarball, "-C", dir]);
  return join(dir, "package");
}

const installs = new Map<string, string>();

/**
 * `source` (a project directory, or a folder unpacked from a tarball) copied to a temporary
 * directory and installed with `npm install`, its `ses-email-auth` dependency served by the
 * library's tarball. Installed once per run under `name`.
 */
export function installed(name: string, source: string, options: { omitDev?: boolean } = {}): string {
  const done = installs.get(name);
  if (done) return done;
  const dir = join(mkdtempSync(join(work, `${name}-`)), name);
  cpSync(source, dir, { recursive: true, filter: (path) => !path.includes("node_modules") });
  const manifestPath = join(dir, "package.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  if (!manifest.dependencies?.["ses-email-auth"]) throw new Error(`${name} does not depend on ses-email-auth`);
  manifest.dependencies["ses-email-auth"] = `file:${packed().library}`;
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  npm(["install", "--prefer-offline", ...(options.omitDev ? ["--omit=dev"] : [])], dir);
  installs.set(name, dir);
  return dir;
}

/** The versions of `pkg` installed anywhere in `dir`'s node_modules: more than one is two copies. */
export function copiesOf(dir: string, pkg: string): string[] {
  const found: string[] = [];
  const walk = (modules: string) => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules)) {
      const names = entry.startsWith("@") ? readdirSync(join(modules, entry)).map((n) => `${entry}/${n}`) : [entry];
      for (const n of names) {
        const path = join(modules, n);
        if (n === pkg) found.push(JSON.parse(readFileSync(join(path, "package.json"), "utf8")).version);
        walk(join(path, "node_modules"));
      }
    }
  };
  walk(join(dir, "node_modules"));
  return found;
}
