/**
 * Plugins booted the way the Node language host boots them (pulumi/pulumi
 * `sdk/nodejs/cmd/pulumi-language-nodejs/main.go`, `RunPlugin`), for the fake engine to talk to:
 * - a component provider: `node <@pulumi/pulumi>/cmd/run-plugin <plugin dir> <engine address>`,
 *   cwd the consuming program's directory (the engine's `ctx.Pwd`), `PULUMI_NODEJS_TYPESCRIPT=true`
 *   (the runtime option's default); the SDK's ts-node compiles the plugin's TypeScript;
 * - a policy pack: `node <@pulumi/pulumi>/cmd/run-policy-pack <engine address> <pack dir>`, cwd the
 *   pack's directory (where it reads package.json's version).
 * The runner is the SDK the plugin's own directory resolves, as the host's `locateModule` finds it.
 * Each prints its gRPC port on stdout; a plugin that exits first rejects with what it printed.
 */
import { ChildProcess, spawn } from "node:child_process";

/** `@pulumi/pulumi/cmd/<runner>` as Node resolves it from `dir`. */
function runner(name: string, dir: string): string {
  return require.resolve(`@pulumi/pulumi/cmd/${name}`, { paths: [dir] });
}

export interface BootedPlugin {
  /** `127.0.0.1:PORT`, for the SDK's generated gRPC clients. */
  address: string;
  /** What the plugin printed on stderr so far. */
  stderr(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once it exited. */
  stop(): Promise<void>;
}

/** Starts `args` under this Node and resolves once the child prints its port; rejects if it exits first or stays silent. */
export function bootPrintingPort(args: string[], options: { cwd: string; env?: Record<string, string>; timeoutMs: number }): Promise<BootedPlugin> {
  const child: ChildProcess = spawn(process.execPath, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr!.on("data", (chunk) => (err += chunk));
  const kill = () => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL");
  process.once("exit", kill); // even if mocha is interrupted
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(kill, 5_000);
      await exited;
      clearTimeout(timer);
    }
    process.removeListener("exit", kill);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`${args[0]} printed no port within ${options.timeoutMs} ms: ${err}`));
    }, options.timeoutMs);
    child.stdout!.on("data", (chunk) => {
      out += chunk;
      const line = /^(\d+)\s*$/m.exec(out);
      if (!line) return;
      clearTimeout(timer);
      resolve({ address: `127.0.0.1:${line[1]}`, stderr: () => err, stop });
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${args[0]} exited with ${code}: ${out}${err}`));
    });
  });
}

/** A component provider plugin in `dir`, for a program in `programDir`, reporting to `engineAddress`. */
export function bootComponentProvider(dir: string, engineAddress: string, programDir: string, timeoutMs: number): Promise<BootedPlugin> {
  return bootPrintingPort([runner("run-plugin", dir), dir, engineAddress], { cwd: programDir, env: { PULUMI_NODEJS_TYPESCRIPT: "true" }, timeoutMs });
}

/**
 * A policy pack in `dir`. run-policy-pack drops the engine address before loading the pack, and
 * the policy SDK never dials it, so no engine needs to listen there.
 */
export function bootPolicyPack(dir: string, timeoutMs: number, engineAddress = "127.0.0.1:1"): Promise<BootedPlugin> {
  return bootPrintingPort([runner("run-policy-pack", dir), engineAddress, dir], { cwd: dir, timeoutMs });
}
