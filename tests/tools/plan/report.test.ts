/** Where plan and audit list each resource: by domain (and region), whatever component holds it. */
import { strict as assert } from "node:assert";
import { StackResource } from "../../../tools/plan/engine";
import { buildReport } from "../../../tools/plan/report";

const STACK = "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s";
const DOMAIN = "urn:pulumi:s::p::p:index:SesDomain::example.com";
const SENDING = "urn:pulumi:s::p::p:index:SesDomain$p:index:SesSending::example.com-eu-west-1-sending";
const ADDRESS = "urn:pulumi:s::p::p:index:SesAddress::ops@example.org";

function resource(urn: string, type: string, props: Record<string, unknown>, parent?: string): StackResource {
  return { urn, type, name: urn.slice(urn.lastIndexOf("::") + 2), custom: !type.startsWith("p:index:") && type !== "pulumi:pulumi:Stack", props, parent };
}

describe("report: grouping", () => {
  const report = buildReport(
    {
      stack: "s",
      resources: [
        resource(STACK, "pulumi:pulumi:Stack", {}),
        resource(DOMAIN, "p:index:SesDomain", {}, STACK),
        resource(SENDING, "p:index:SesSending", {}, DOMAIN),
        resource(`${SENDING}$aws:sns/topic:Topic::events`, "aws:sns/topic:Topic", { region: "eu-west-1", name: "example-com-events" }, SENDING),
        resource(`${DOMAIN}$aws:sesv2/emailIdentity:EmailIdentity::example.com-eu-west-1`, "aws:sesv2/emailIdentity:EmailIdentity", { emailIdentity: "example.com", region: "eu-west-1" }, DOMAIN),
        resource(ADDRESS, "p:index:SesAddress", {}, STACK),
        resource(`${ADDRESS}$aws:sesv2/emailIdentity:EmailIdentity::ops`, "aws:sesv2/emailIdentity:EmailIdentity", { emailIdentity: "ops@example.org", region: "us-east-1" }, ADDRESS),
        resource("urn:pulumi:s::p::aws:route53/zone:Zone::main", "aws:route53/zone:Zone", { name: "example.org" }, STACK),
      ],
    },
    [],
  );
  const placed = Object.fromEntries(report.resources.map((r) => [r.name, `${r.domain} ${r.region ?? "-"}`]));

  it("places an SES identity by its domain and region", () => {
    assert.equal(placed["example.com-eu-west-1"], "example.com eu-west-1");
  });

  it("places what a nested component holds under the domain of the component above it", () => {
    assert.equal(placed.events, "example.com eu-west-1");
  });

  it("places an address identity under its component, and a resource of no component under (other)", () => {
    assert.equal(placed.ops, "ops@example.org us-east-1");
    assert.equal(placed.main, "(other) -");
  });

  it("lists custom resources only", () => {
    assert.deepEqual(Object.keys(placed).sort(), ["events", "example.com-eu-west-1", "main", "ops"]);
  });
});
