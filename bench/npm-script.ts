/**
 * The command line of one of package.json's `node …` scripts, on the Node running this benchmark:
 * what `npm run -s NAME -- ARGS` runs, minus npm. npm would put the project's own Node 24 first on
 * the PATH, so `bash tools/on-node.sh 20.20.2 bash bench/run.sh` could not measure another version.
 */
import { scripts } from "../package.json";

export function scriptCommand(name: keyof typeof scripts, args: string[]): [string, string[]] {
  const [node, ...flagsAndFile] = scripts[name].split(" ");
  if (node !== "node") throw new Error(`package.json's "${name}" script does not start with node: ${scripts[name]}`);
  return [process.execPath, [...flagsAndFile, ...args]];
}
