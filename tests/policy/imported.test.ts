/**
 * The pack on an adopted stack: the state a `pulumi up` with `adopt` leaves is what the providers'
 * Read writes after their importers, not what Create writes. From the stack exports of a created
 * stack (tests/fixtures/exports/, themselves checked against the schemas), this builds the
 * imported shape, each change from /work/shared/provider-schemas/STATE.md or the importers:
 * - every resource carries `importID` (pulumi `apitype.ResourceV3.ImportID`);
 * - Route 53 records: `allowOverwrite` is never read, so with no config at import it is null;
 *   `__meta` holds only the schema version (no timeouts were configured for the import); TXT
 *   `records` are what Route 53 holds, outer quotes stripped, as typed by hand: the seed's DMARC
 *   without spaces, an SPF value split into two strings as `a" "b`;
 * - Cloudflare records: Read uses `apijson.Unmarshal`, so `name` is the FQDN the API returns, TXT
 *   `content` is as typed (here unquoted), CNAME `settings` is forced to `{flattenCname: false,
 *   ipv4Only: false, ipv6Only: false}`, and the config-only `includeShadowMetadata` is absent.
 * The pack must judge it as it judges the created state (lib/state.ts is the one reader), and
 * still fail what is wrong in what was adopted.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fromDeployment } from "../../tools/plan/engine";
import { runPolicies } from "../../tools/run-policies";

const EXPORTS = join(__dirname, "..", "fixtures", "exports");
type State = { urn: string; type: string; id?: string; custom?: boolean; outputs?: Record<string, any>; importID?: string };
type Doc = { version: number; deployment: { resources: State[] } };

const SEED_DMARC = "v=DMARC1;p=quarantine;pct=25;rua=mailto:dmarc@example.com";

function imported(file: string, edit: (r: State) => void = () => {}): Doc {
  const doc = JSON.parse(readFileSync(join(EXPORTS, file), "utf8")) as Doc;
  for (const r of doc.deployment.resources) {
    if (!r.custom || r.type.startsWith("pulumi:providers:")) continue;
    r.importID = r.id;
    const o = r.outputs!;
    if (r.type === "aws:route53/record:Record") {
      o.allowOverwrite = null;
      o.__meta = JSON.stringify({ schema_version: "2" });
      if (o.name.startsWith("_dmarc.")) o.records = [SEED_DMARC];
      if (o.type === "TXT" && o.records[0].startsWith("v=spf1")) o.records = ['v=spf1 include:" "amazonses.com ~all'];
    }
    if (r.type === "cloudflare:index/dnsRecord:DnsRecord") {
      delete o.includeShadowMetadata;
      if (o.type === "TXT") o.content = JSON.parse(o.content);
      if (o.type === "CNAME") o.settings = { flattenCname: false, ipv4Only: false, ipv6Only: false };
    }
    edit(r);
  }
  return doc;
}

async function findings(doc: Doc, file: string) {
  const { resources } = fromDeployment(doc, file);
  return (await runPolicies(resources)).map((f) => `${f.policy} ${f.level}: ${f.message}`);
}

describe("the pack on imported state", () => {
  for (const file of ["route53.json", "cloudflare.json"]) {
    it(`${file}: judges the imported shape as it judges the created one`, async () => {
      const created = await findings(JSON.parse(readFileSync(join(EXPORTS, file), "utf8")), file);
      const adopted = await findings(imported(file), file);
      // The seed's pct=25 is a portability warning the created stack's p=reject record does not have.
      assert.deepEqual(adopted.filter((f) => !f.startsWith("dmarc-record-portability")), created.filter((f) => !f.startsWith("dmarc-record-portability")));
      assert.ok(adopted.every((f) => !/ mandatory: /.test(f)), adopted.join("\n"));
    });
  }

  it("reads the seed's DMARC record as adopted, pct=25 and all", async () => {
    const adopted = await findings(imported("route53.json"), "route53.json");
    assert.ok(adopted.some((f) => /^dmarc-record-portability advisory: .*pct=25/.test(f)), adopted.join("\n"));
  });

  it("fails what is wrong in what was adopted: an SPF record at the MAIL FROM name without amazonses.com", async () => {
    const doc = imported("route53.json", (r) => {
      if (r.type === "aws:route53/record:Record" && r.outputs!.type === "TXT" && r.outputs!.name.startsWith("bounce.")) r.outputs!.records = ["v=spf1 include:_spf.example.net ~all"];
    });
    const adopted = await findings(doc, "route53.json");
    assert.ok(adopted.some((f) => /^ses-mail-from-records mandatory: /.test(f)), adopted.join("\n"));
  });

  it("fails an adopted Cloudflare DKIM CNAME that is proxied", async () => {
    const doc = imported("cloudflare.json", (r) => {
      if (r.type === "cloudflare:index/dnsRecord:DnsRecord" && r.outputs!.type === "CNAME") r.outputs!.proxied = true;
    });
    const adopted = await findings(doc, "cloudflare.json");
    assert.ok(adopted.some((f) => /^cloudflare-email-records-dns-only mandatory: /.test(f)), adopted.join("\n"));
  });
});
