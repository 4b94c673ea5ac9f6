/**
 * One `pulumi preview` or `pulumi up` of a program, as far as the program can tell: a fresh fake
 * engine (fake-engine.ts) answering from the providers' schemas, the program run by the CLI's
 * language host (language-host.ts). Rejects with the program's own error messages when it fails.
 */
import { MockWorld } from "../../tools/provider-mocks";
import { FakeEngine, schemaProvider } from "./fake-engine";
import { runLanguageHost } from "./language-host";

export interface DeployOptions {
  dir: string;
  project: string;
  stack: string;
  preview: boolean;
  config: Record<string, string>;
  secretKeys?: string[];
  /** The engine of the last `up`: unchanged resources keep its outputs. */
  prior?: FakeEngine;
  world?: MockWorld;
  timeoutMs: number;
}

export async function deployProgram(o: DeployOptions): Promise<FakeEngine> {
  const engine = await FakeEngine.start({ project: o.project, stack: o.stack, preview: o.preview, config: o.config, prior: o.prior?.resources, ...schemaProvider(o.world, o.config["aws:region"]) });
  try {
    const exit = await runLanguageHost({ dir: o.dir, engine, project: o.project, stack: o.stack, preview: o.preview, config: o.config, secretKeys: o.secretKeys, timeoutMs: o.timeoutMs });
    const errors = engine.logs.filter((l) => l.severity >= 3).map((l) => l.message);
    if (exit.code !== 0 || errors.length) throw new Error(`${o.stack} ${o.preview ? "preview" : "up"} exited ${exit.code}: ${errors.join("\n")}${exit.stderr}`);
    await engine.done;
  } finally {
    await engine.close();
  }
  return engine;
}
