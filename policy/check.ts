/** The frame every stack policy of the pack runs in. */
import { StackValidation } from "@pulumi/policy";
import { Setup, StackFacts } from "./facts";
import { Findings } from "./preview";

export interface CheckOptions {
  /** Identities whose domain or region preview cannot know are undecided for this check. */
  perIdentity: boolean;
}

/**
 * Builds the stack's facts, runs `check`, and raises what waits for apply last, so definite
 * violations are reported even when another part of the stack is still unknown.
 */
export function stackCheck<Config extends object>(options: CheckOptions, check: (facts: StackFacts, findings: Findings, config: Config) => void): StackValidation {
  return (args, report) => {
    const facts = StackFacts.of(args.resources);
    const findings = new Findings(report);
    if (options.perIdentity) {
      for (const { resource, cause } of facts.unresolvedIdentities) {
        findings.undecide(`SES identity "${resource.name}": its domain or region is ${cause.why}`, cause);
      }
    }
    check(facts, findings, args.getConfig<Config>());
    findings.finish();
  };
}

/** A path's setup as findings: incomplete fails, unknown waits for apply. */
export function reportSetup(findings: Findings, setup: Setup | undefined, urn: string): void {
  if (setup?.state === "incomplete") findings.fail(setup.detail!, urn);
  else if (setup?.state === "unknown") findings.undecide(setup.detail!, setup.cause!);
}
