import { strict as assert } from "node:assert";
import { parseStackConfig } from "../../lib/config";
import { configurationSetName, defaultEventBusArn, parseTopicArn, publishesFeedback } from "../../lib/sending";
import { SesEventType } from "../../lib/spec";
import { exampleDomain, stackConfig } from "../fixtures/stacks";

describe("lib/sending", () => {
  it("names a configuration set after its domain and region", () => {
    assert.equal(configurationSetName("mail.example.co.uk", "eu-west-2"), "mail-example-co-uk-eu-west-2");
  });

  it("keeps a long domain's set name within SES's 64 characters, unique and stable", () => {
    const long = `${"a".repeat(60)}.example.com`;
    const name = configurationSetName(long, "ap-southeast-2");
    assert.ok(name.length <= 64 && /^[A-Za-z0-9_-]+$/.test(name), name);
    assert.ok(name.endsWith("-ap-southeast-2"));
    assert.equal(configurationSetName(long, "ap-southeast-2"), name);
    assert.notEqual(configurationSetName(`${"a".repeat(60)}.example.org`, "ap-southeast-2"), name);
  });

  it("reads SNS topic ARNs of any partition and refuses others", () => {
    assert.deepEqual(parseTopicArn("arn:aws-us-gov:sns:us-gov-west-1:123456789012:ses_events-1"), {
      partition: "aws-us-gov",
      service: "sns",
      region: "us-gov-west-1",
      account: "123456789012",
      resource: "ses_events-1",
    });
    for (const bad of ["arn:aws:sqs:us-east-1:123456789012:q", "arn:aws:sns:us-east-1:12345:t", "arn:aws:sns::123456789012:t", "arn:aws:sns:us-east-1:123456789012:a/b", "sns:us-east-1:t"]) {
      assert.equal(parseTopicArn(bad), undefined, bad);
    }
  });

  it("finds the default event bus of a configuration set's account, region and partition", () => {
    assert.equal(defaultEventBusArn("arn:aws-us-gov:ses:us-gov-east-1:123456789012:configuration-set/x"), "arn:aws-us-gov:events:us-gov-east-1:123456789012:event-bus/default");
  });

  it("counts feedback as routed only when both bounces and complaints are published", () => {
    assert.equal(publishesFeedback([SesEventType.BOUNCE, SesEventType.COMPLAINT]), true);
    assert.equal(publishesFeedback([SesEventType.BOUNCE, SesEventType.REJECT]), false);
  });

  it("fills the documented sending defaults, and leaves sending and protect off when unset", () => {
    const off = parseStackConfig(stackConfig({ regions: ["us-east-1"], domains: [exampleDomain()] }));
    assert.equal(off.domains[0].sending, undefined);
    assert.equal(off.protect, false);
    const on = parseStackConfig(stackConfig({ regions: ["us-east-1"], sending: {}, domains: [exampleDomain()] }));
    assert.deepEqual(on.domains[0].sending, {
      events: [SesEventType.BOUNCE, SesEventType.COMPLAINT, SesEventType.REJECT],
      requireTls: false,
      eventBridge: false,
      topicArns: {},
      feedbackForwarding: false,
      fromAddresses: [],
    });
  });

  it("gives a domain only the stack's topics of its own regions", () => {
    const arn = (r: string) => `arn:aws:sns:${r}:123456789012:events`;
    const spec = parseStackConfig(
      stackConfig({ regions: ["us-east-1", "eu-west-1"], sending: { topicArns: { "us-east-1": arn("us-east-1"), "eu-west-1": arn("eu-west-1") } }, domains: [exampleDomain({ regions: ["eu-west-1"] })] }),
    );
    assert.deepEqual(spec.domains[0].sending!.topicArns, { "eu-west-1": arn("eu-west-1") });
  });
});
