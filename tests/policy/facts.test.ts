import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { StackFacts } from "../../policy/facts";
import { fromDeployment } from "../../tools/plan/engine";
import { isUnknown } from "../../policy/preview";
import { EngineResource, policyResources, UNKNOWN } from "../../tools/run-policies";
import { awsProvider, domainStack, resource } from "./stacks";

const factsOf = (resources: EngineResource[]) => new StackFacts(policyResources(resources));

describe("policy/facts", () => {
  it("reads names in any case, with a trailing dot, relative to a zone found by its id, and v5 `value`", () => {
    const zone = resource("aws:route53/zone:Zone", "zone", { name: "Example.com.", zoneId: "Z9" });
    const txt = resource("aws:route53/record:Record", "spf", { zoneId: "Z9", name: "Bounce", type: "txt", records: ['"v=spf1 include:amazonses.com" " ~all"'] });
    const mx = resource("cloudflare:index/record:Record", "mx", { zoneId: "cf", name: "BOUNCE.example.com.", type: "MX", value: "Feedback-SMTP.us-east-1.amazonses.com.", priority: 10 });
    const facts = factsOf([zone, txt, mx]);
    assert.deepEqual(facts.valuesAt("bounce.example.com", "TXT"), ["v=spf1 include:amazonses.com ~all"]);
    assert.deepEqual(facts.valuesAt("bounce.example.com", "MX"), ["10 feedback-smtp.us-east-1.amazonses.com"]);
  });

  it("reads a v5 cloudflare.Record as pulumi-cloudflare recorded it: content set, value/priority/data null, __meta, \"\" comment", () => {
    const file = join(__dirname, "..", "fixtures", "exports", "recorded", "cloudflare-5.49.0-record.stack.json");
    const facts = factsOf(fromDeployment(JSON.parse(readFileSync(file, "utf8")), file).resources);
    assert.deepEqual(facts.records.map((r) => [r.provider, r.type, r.name, r.values]), [["cloudflare", "A", "pkqwmkcksr", ["192.0.2.1"]]]);
  });

  it("treats a missing record as unknown while a record's name is unknown and no identity accounts for it", () => {
    const pending = resource("aws:route53/record:Record", "later", { zoneId: "Z", name: UNKNOWN, type: "TXT", records: ["v=DMARC1; p=none"] });
    const facts = factsOf([pending]);
    assert.ok(isUnknown(facts.valuesAt("_dmarc.example.com", "TXT")));
    assert.deepEqual(facts.valuesAt("_dmarc.example.com", "MX"), []);
  });

  it("leaves an identity whose region (from its provider) is unknown unresolved", () => {
    const identity = resource("aws:sesv2/emailIdentity:EmailIdentity", "id", { emailIdentity: "example.com" }, { provider: { ...awsProvider("x"), props: { region: UNKNOWN } } });
    const facts = factsOf([identity]);
    assert.deepEqual(facts.identities, []);
    assert.equal(facts.unresolvedIdentities.length, 1);
  });

  it("takes an SES v1 DomainDkim without its DomainIdentity (declared elsewhere) as the identity", () => {
    const stack = domainStack({ domain: "example.com", regions: ["eu-west-1"], api: "ses" }).filter((r) => r.type !== "aws:ses/domainIdentity:DomainIdentity");
    const facts = factsOf(stack);
    assert.deepEqual(facts.identities.map((i) => [i.domain, i.region, i.dkim.kind]), [["example.com", "eu-west-1", "easy"]]);
    assert.equal(facts.dkimSetup(facts.identities[0]).state, "complete");
  });

  it("links a record whose name is unknown to the identity it depends on, by URN", () => {
    const facts = factsOf(domainStack({ domain: "example.com", regions: ["us-east-1", "eu-west-1"], preview: true }));
    for (const id of facts.identities) {
      const records = facts.dkimRecords((id.dkim as { signer: string }).signer, id.domain);
      assert.equal(records.length, 3);
      assert.ok(records.every((r) => isUnknown(r.name) && r.resource.name.includes(id.region!)));
    }
  });
});
