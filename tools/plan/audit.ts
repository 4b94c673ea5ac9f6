/** The stack audit: the policy pack over a stack that exists, from its `pulumi stack export`. */
import { readFileSync } from "node:fs";
import { PolicyPackConfig, runPolicies } from "../run-policies";
import { fromDeployment, NotAnExport, StackResources } from "./engine";
import { buildReport, Report } from "./report";

/** Reads and links an export file; anything unreadable or of another shape is a NotAnExport. */
export function readExport(file: string): StackResources {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new NotAnExport(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new NotAnExport(`${file} is not JSON (${(error as Error).message}); write it with pulumi stack export --file ${file}`);
  }
  return fromDeployment(doc, file);
}

export async function audit(stack: StackResources, policyConfig: PolicyPackConfig): Promise<Report> {
  return buildReport(stack, await runPolicies(stack.resources, policyConfig));
}
