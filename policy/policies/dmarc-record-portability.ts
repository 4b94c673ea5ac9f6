import { StackValidationPolicy } from "@pulumi/policy";
import { judgeAlignment, RequiredPaths } from "../../lib/alignment";
import { dmarcAt, recordPortability } from "../../lib/dmarc";
import { stackCheck } from "../check";
import { DomainsConfig, domainsConfigSchema, externalDmarcRecords, fromDomainsOf } from "../domains";
import { isUnknown } from "../preview";

/**
 * Where receivers of RFC 7489 and of RFC 9989 would treat the stack's mail differently, each with
 * its cause and fix: in a record (pct from 1 to 99, pct=0 without t=y, p= not second), and in
 * discovery (no record at the organizational domain, psd=n on a From or MAIL FROM subdomain that
 * relies on relaxed alignment, the public suffix list and the tree walk leading to different
 * records). Advisory: a stack may know its receivers (the `standards` config of the other DMARC
 * policies then decides what fails).
 */
export const dmarcRecordPortability: StackValidationPolicy = {
  name: "dmarc-record-portability",
  description:
    "DMARC records and their placement mean the same to RFC 7489 receivers (public suffix list, pct) and RFC 9989 receivers (DNS tree walk, t, np, psd): no pct from 1 to 99, no pct=0 without t=y, a record at the organizational domain, no psd=n where relaxed alignment is relied on.",
  enforcementLevel: "advisory",
  configSchema: { properties: domainsConfigSchema },
  validateStack: stackCheck<DomainsConfig>({ perIdentity: false }, (facts, findings, config) => {
    const reported = new Set<string>();
    const report = (message: string, urn?: string) => {
      if (reported.has(message)) return;
      reported.add(message);
      findings.fail(message, urn);
    };
    // Each DMARC record of the stack, and each published elsewhere that the config names.
    const texts: { name: string; text: string; urn?: string }[] = [];
    for (const r of facts.records) {
      if (r.type !== "TXT" || isUnknown(r.name) || !r.name.startsWith("_dmarc.") || isUnknown(r.values)) continue;
      for (const text of r.values) texts.push({ name: r.name, text, urn: r.resource.urn });
    }
    for (const [name, text] of externalDmarcRecords(config)) if (text) texts.push({ name, text });
    for (const { name, text, urn } of texts) {
      const at = dmarcAt([text]);
      if (at.status !== "record" || !at.parse.ok) continue; // not DMARC, or invalid: ses-dmarc-record's finding
      for (const issue of recordPortability(at.parse.record)) report(`${name}: ${issue.problem}; ${issue.fix}`, urn);
    }
    const external = externalDmarcRecords(config);
    for (const id of facts.identities) {
      const dkim = facts.dkimSetup(id);
      const mailFrom = facts.mailFromSetup(id);
      for (const from of fromDomainsOf(id, config)) {
        const verdict = judgeAlignment({ identity: id.domain, region: id.region ?? "provider's default region", from, dns: facts.dmarc(external), dkim, mailFrom, requiredPaths: RequiredPaths.ANY, standards: config.standards });
        for (const d of verdict.disagreements) report(`${from} (identity ${id.domain}): ${d.message}; fix: ${d.fix}`, id.resource.urn);
      }
    }
  }),
};
