import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { judgeAlignment, RequiredPaths } from "../../lib/alignment";
import { recordedString } from "../../lib/state";
import { DomainsConfig, domainsConfigSchema, externalDmarcRecords, fromDomainsOf, undecided } from "../domains";
import { attr, Identity, regionOf, StackFacts } from "../facts";
import { Findings, isUnknown, Unknown } from "../preview";

const ENDPOINT = "aws:sesv2/multiRegionEndpoint:MultiRegionEndpoint";

/** "us-east-1", or what an unset region falls back to. */
const regionName = (region: string | undefined) => region ?? "the provider's default region";

/**
 * One region of an endpoint: the domain's identity there must be verified (SES verifies a domain
 * by its DKIM records) and its mail, as each From domain, must pass DMARC, judged as
 * ses-dmarc-alignment judges it.
 */
function checkRegion(facts: StackFacts, findings: Findings, config: DomainsConfig, endpoint: string, id: Identity): void {
  const where = `${id.domain} in ${regionName(id.region)}`;
  const dkim = facts.dkimSetup(id);
  if (dkim.state === "incomplete") return findings.fail(`global endpoint ${endpoint} sends from ${regionName(id.region)}, where SES cannot verify ${id.domain}: ${dkim.detail}`, id.resource.urn);
  if (dkim.state === "unknown") findings.undecide(`whether ${where} is verified for global endpoint ${endpoint}: ${dkim.detail}`, dkim.cause!);
  const mailFrom = facts.mailFromSetup(id);
  const dns = facts.dmarc(externalDmarcRecords(config));
  for (const from of fromDomainsOf(id, config)) {
    const verdict = judgeAlignment({ identity: id.domain, region: regionName(id.region), from, dns, dkim, mailFrom, requiredPaths: RequiredPaths.ANY, standards: config.standards });
    const message = `global endpoint ${endpoint}, mail from ${regionName(id.region)} as ${from}: ${verdict.summary}`;
    if (verdict.dmarc === "fail") findings.fail(message, id.resource.urn);
    else if (verdict.dmarc !== "unknown") continue;
    else if (dkim.cause ?? mailFrom?.cause) findings.undecide(message, (dkim.cause ?? mailFrom?.cause)!);
    else undecided(findings, dns, verdict.unknown, message, id.resource.urn);
  }
}

function checkEndpoint(facts: StackFacts, findings: Findings, config: DomainsConfig, r: PolicyResource): void {
  const name = attr(r, "endpointName", recordedString);
  const primary = regionOf(r);
  const secondary = attr(r, "details.routesDetails.region", recordedString);
  const label = typeof name === "string" ? name : `"${r.name}"`;
  if (isUnknown(primary) || isUnknown(secondary)) {
    const unknown = isUnknown(primary) ? primary : (secondary as Unknown);
    return findings.undecide(`the regions of global endpoint ${label} are ${unknown.why}`, unknown);
  }
  if (secondary === undefined) return findings.fail(`global endpoint ${label} names no secondary region (details.routesDetails.region), so it cannot send from two regions`, r.urn);
  const regions = [primary, secondary];
  for (const domain of new Set(facts.identities.map((id) => id.domain))) {
    for (const region of regions) {
      const id = facts.identities.find((i) => i.domain === domain && i.region === region);
      if (id) checkRegion(facts, findings, config, label, id);
      else {
        findings.fail(
          `global endpoint ${label} sends any message from either ${regions.map(regionName).join(" or ")}, but ${domain} has no SES identity in ${regionName(region)}, so SES rejects the mail it routes there; verify ${domain} in ${regionName(region)} too`,
          r.urn,
        );
      }
    }
  }
}

export const sesGlobalEndpointIdentities: StackValidationPolicy = {
  name: "ses-global-endpoint-identities",
  description:
    "A global endpoint (SESv2 multi-region endpoint) sends each message from either of its two regions: both hold a verified identity of every SES domain of the stack, whose mail, as each From domain, passes DMARC (DKIM or SPF aligned).",
  enforcementLevel: "advisory",
  configSchema: { properties: { ...domainsConfigSchema } },
  validateStack: (args, report) => {
    const endpoints = args.resources.filter((r) => r.type === ENDPOINT);
    const findings = new Findings(report);
    if (endpoints.length) {
      const facts = StackFacts.of(args.resources);
      for (const { resource, cause } of facts.unresolvedIdentities) findings.undecide(`SES identity "${resource.name}", which a global endpoint may send from: its domain or region is ${cause.why}`, cause);
      for (const r of endpoints) checkEndpoint(facts, findings, args.getConfig<DomainsConfig>(), r);
    }
    findings.finish();
  },
};
