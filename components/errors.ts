import * as pulumi from "@pulumi/pulumi";
import { Problem } from "../lib/check";

/**
 * lib's problems as the error Pulumi reports property by property; a component provider answers
 * Construct with it as INVALID_ARGUMENT, each property path in its details.
 */
export function invalidArguments(component: string, name: string, problems: readonly Problem[]): pulumi.InputPropertiesError {
  return new pulumi.InputPropertiesError({
    message: `invalid arguments for ${component} "${name}":\n${problems.map((p) => `  ${p.key}: ${p.message}`).join("\n")}`,
    errors: problems.map((p) => ({ propertyPath: p.key, reason: p.message })),
  });
}
