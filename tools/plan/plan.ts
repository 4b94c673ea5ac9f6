/**
 * The offline plan: the stack's config as the CLI would hand it over, the real program under the
 * mock runtime in preview mode, then every policy of the pack on what it registered.
 */
import { ConfigError } from "../../lib/config";
import { ProgramFailed, runProgram } from "../mock-run";
import { PolicyPackConfig, runPolicies } from "../run-policies";
import { readStackConfig } from "../stack-config";
import { fromRegistrations } from "./engine";
import { buildReport, Report } from "./report";

/** Plans stack `stack` of the project in `dir`; throws the program's ConfigError for a bad config. */
export async function plan(dir: string, stack: string, policyConfig: PolicyPackConfig): Promise<Report> {
  const config = readStackConfig(dir, stack);
  let run;
  try {
    run = await runProgram({ config, preview: true, stack });
  } catch (error) {
    if (error instanceof ProgramFailed && error.cause instanceof ConfigError) throw error.cause;
    throw error;
  }
  const resources = fromRegistrations(run.registrations, config, stack);
  return buildReport(resources, await runPolicies(resources.resources, policyConfig), run.warnings);
}
