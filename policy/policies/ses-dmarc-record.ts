import { StackValidationPolicy } from "@pulumi/policy";
import { dmarcAt, dmarcName, DmarcStandard, PolicyDiscovery } from "../../lib/dmarc";
import { stackCheck } from "../check";
import { DomainsConfig, domainsConfigSchema, fromDomainsDmarc, undecided, whose } from "../domains";

/** The same finding from several standards is reported once, naming them. */
function byMessage(entries: { standard: DmarcStandard; message: string }[]): Map<string, DmarcStandard[]> {
  const grouped = new Map<string, DmarcStandard[]>();
  for (const { standard, message } of entries) grouped.set(message, [...(grouped.get(message) ?? []), standard]);
  return grouped;
}

function isMissing(d: PolicyDiscovery): boolean {
  return d.outcome.status === "none" && d.outcome.why.startsWith("no DMARC record");
}

function missing(policies: PolicyDiscovery[], from: string): string {
  const whys = policies.map((d) => (d.outcome as { why: string }).why).join("; ");
  return `${whys}, so receivers apply no DMARC policy; publish one TXT "v=DMARC1; p=none; rua=mailto:…" at ${dmarcName(from)}, or give its text in externalDmarc if it is published outside this stack`;
}

function problemOf(d: PolicyDiscovery, from: string): string | undefined {
  const o = d.outcome;
  if (isMissing(d)) return missing([d], from);
  if (o.status === "none") return o.why;
  if (o.status === "applied" && o.policy.problems.length) return `invalid DMARC record at ${o.policy.name} ("${o.policy.text}"): ${o.policy.problems.join("; ")}`;
  return undefined;
}

export const sesDmarcRecord: StackValidationPolicy = {
  name: "ses-dmarc-record",
  description:
    "Every From domain of an SES identity has exactly one valid DMARC record that receivers find: its own or its organizational domain's, by the public suffix list (RFC 7489) and by the DNS tree walk (RFC 9989).",
  enforcementLevel: "mandatory",
  configSchema: { properties: domainsConfigSchema },
  validateStack: stackCheck<DomainsConfig>({ perIdentity: true }, (facts, findings, config) => {
    for (const { id, from, policies, dns } of fromDomainsDmarc(facts, config)) {
      const who = `${from} (identity ${id.domain})`;
      // Both rules look at the From domain first; several records there is broken either way.
      const own = dmarcAt(dns.txt(dmarcName(from)));
      if (own.status === "multiple") {
        findings.fail(`${who}: ${own.texts.length} DMARC records at ${dmarcName(from)}; RFC 7489 receivers then apply no DMARC and RFC 9989 receivers ignore them all; keep exactly one`, id.resource.urn);
        continue;
      }
      const unknown = policies.filter((d) => d.outcome.status === "unknown");
      if (unknown.length) {
        // Names that wait for apply (or hold a secret an export cannot show) say so; the others need externalDmarc.
        const waiting = [...new Set(unknown.flatMap((d) => d.unknown.map((u) => u.name)).filter((name) => dns.causeOf([name])))];
        const whys = [...new Set(unknown.map((d) => (d.outcome as { why: string }).why))];
        const message = waiting.length ? `${from}: the TXT records at ${waiting.join(", ")} are ${dns.causeOf(waiting)!.why}` : `${who}: the DMARC record receivers find cannot be decided: ${whys.join("; ")}`;
        undecided(findings, dns, unknown.flatMap((d) => d.unknown), message, id.resource.urn);
      }
      if (policies.every(isMissing)) {
        findings.fail(`${who}: ${missing(policies, from)}`, id.resource.urn);
        continue;
      }
      const problems = policies.flatMap((d) => {
        const message = problemOf(d, from);
        return message ? [{ standard: d.standard, message }] : [];
      });
      for (const [message, standards] of byMessage(problems)) {
        findings.fail(`${who}: ${standards.length === policies.length ? "" : `${whose(standards)}: `}${message}`, id.resource.urn);
      }
    }
  }),
};
