import { StackValidationPolicy } from "@pulumi/policy";
import { isSesDkimHost } from "../../lib/regions";
import { stackCheck } from "../check";
import { recordedBoolean } from "../../lib/state";
import { attr, DnsRecord, StackFacts, where } from "../facts";
import { isUnknown } from "../preview";

/** A DKIM CNAME: computed from an SES identity's tokens, or recognisably one by name or target. */
function isDkimCname(record: DnsRecord): boolean {
  if (record.signers.length) return isUnknown(record.type) || record.type === "CNAME";
  if (record.type !== "CNAME") return false;
  const byName = typeof record.name === "string" && record.name.includes("._domainkey.");
  const byTarget = !isUnknown(record.values) && record.values.some((t) => isSesDkimHost(t.slice(t.indexOf(".") + 1)));
  return byName || byTarget;
}

function describe(record: DnsRecord, facts: StackFacts): string {
  const name = isUnknown(record.name) ? `DKIM CNAME "${record.resource.name}"` : `DKIM CNAME ${record.name}`;
  const id = record.signers.map((s) => facts.identityOf(s)).find((i) => i);
  return id ? `${name} of ${where(id)}` : name;
}

export const cloudflareEmailRecordsDnsOnly: StackValidationPolicy = {
  name: "cloudflare-email-records-dns-only",
  description: "Cloudflare DKIM CNAMEs are DNS-only: a proxied or flattened CNAME hides SES's key from receivers and DKIM fails.",
  enforcementLevel: "mandatory",
  validateStack: stackCheck({ perIdentity: false }, (facts, findings) => {
    for (const record of facts.records) {
      if (record.provider !== "cloudflare" || !isDkimCname(record)) continue;
      const proxied = attr(record.resource, "proxied", recordedBoolean);
      const flattened = attr(record.resource, "settings.flattenCname", recordedBoolean);
      for (const [setting, value, fix] of [
        ["proxied", proxied, "proxied: false"],
        ["flattened", flattened, "settings: { flattenCname: false }"],
      ] as const) {
        if (isUnknown(value)) findings.undecide(`whether ${describe(record, facts)} is ${setting} is ${value.why}`, value);
        else if (value === true) findings.fail(`${describe(record, facts)} is ${setting}, so receivers cannot read SES's DKIM key; set ${fix}`, record.resource.urn);
      }
    }
  }),
};
