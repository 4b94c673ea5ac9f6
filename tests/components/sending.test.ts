/**
 * Production sending (issue 6) under the mock runtime: each region's configuration set, event
 * destinations and topic, how they link to the identity, the IAM documents, protect flags, and
 * bad config that registers nothing.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { ConfigError, parseStackConfig } from "../../lib/config";
import { DmarcPolicy } from "../../lib/dmarc";
import { plain, ProgramFailed, ProgramRun, Registration, runProgram, UNKNOWN } from "../../tools/mock-run";
import { readStackConfig } from "../../tools/stack-config";
import { exampleDomain, rsaKeyPair, stackConfig, StackInput } from "../fixtures/stacks";
import { IDENTITY, inputs, ofType, one, R53 } from "./registrations";

const CONFIGURATION_SET = "aws:sesv2/configurationSet:ConfigurationSet";
const DESTINATION = "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination";
const FEEDBACK = "aws:sesv2/emailIdentityFeedbackAttributes:EmailIdentityFeedbackAttributes";
const TOPIC = "aws:sns/topic:Topic";
const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";
const SENDING_TYPES = [CONFIGURATION_SET, DESTINATION, FEEDBACK, TOPIC, TOPIC_POLICY, "ses-email-auth:index:SesSending"];
const ACCOUNT = "123456789012";

function run(input: StackInput, preview = false): Promise<ProgramRun> {
  return runProgram({ config: stackConfig(input), preview });
}

const REGIONS = ["us-east-1", "eu-west-1"];

describe("sending: off by default", () => {
  it("declares exactly the resources it did before, and exports no sending setup", async () => {
    const r = await run({ regions: REGIONS, domains: [exampleDomain()], addresses: ["ops@example.com"] });
    assert.deepEqual(r.registrations.filter((x) => SENDING_TYPES.includes(x.type)), []);
    assert.ok(ofType(r, IDENTITY).every((x) => !("configurationSetName" in x.inputs)));
    assert.ok(r.registrations.every((x) => !x.protect));
    assert.deepEqual((plain(r.outputs) as any).sending, {});
  });
});

describe("sending: per region", () => {
  let r: ProgramRun;
  before(async () => {
    r = await run({ regions: REGIONS, sending: {}, domains: [exampleDomain()] });
  });

  for (const region of REGIONS) {
    const setName = `example-com-${region}`;

    it(`${region}: a configuration set with reputation metrics, suppression and optional TLS`, () => {
      assert.deepEqual(inputs(one(r, CONFIGURATION_SET, region)), {
        region,
        configurationSetName: setName,
        reputationOptions: { reputationMetricsEnabled: true },
        sendingOptions: { sendingEnabled: true },
        suppressionOptions: { suppressedReasons: ["BOUNCE", "COMPLAINT"] },
        deliveryOptions: { tlsPolicy: "OPTIONAL" },
      });
    });

    it(`${region}: identity → configuration set → destination → topic`, () => {
      const set = one(r, CONFIGURATION_SET, region);
      const identity = one(r, IDENTITY, region);
      const topic = one(r, TOPIC, region);
      const destination = one(r, DESTINATION, region);
      assert.equal(inputs(identity).configurationSetName, setName);
      assert.deepEqual(identity.propertyDependencies.configurationSetName, [set.urn]);
      assert.equal(inputs(destination).configurationSetName, setName);
      assert.deepEqual(destination.propertyDependencies.configurationSetName, [set.urn]);
      assert.deepEqual(destination.propertyDependencies.eventDestination, [topic.urn]);
      assert.deepEqual(inputs(destination).eventDestination, {
        enabled: true,
        matchingEventTypes: ["BOUNCE", "COMPLAINT", "REJECT"],
        snsDestination: { topicArn: `arn:aws:sns:${region}:${ACCOUNT}:${setName}` },
      });
      assert.deepEqual(inputs(topic), { region, name: setName });
    });

    it(`${region}: a topic policy letting only this configuration set publish, in place before the destination`, () => {
      const policy = one(r, TOPIC_POLICY, region);
      const topicArn = `arn:aws:sns:${region}:${ACCOUNT}:${setName}`;
      assert.equal(inputs(policy).arn, topicArn);
      assert.deepEqual(JSON.parse(inputs(policy).policy), {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "AllowSesPublish",
            Effect: "Allow",
            Principal: { Service: "ses.amazonaws.com" },
            Action: "sns:Publish",
            Resource: topicArn,
            Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT, "aws:SourceArn": `arn:aws:ses:${region}:${ACCOUNT}:configuration-set/${setName}` } },
          },
        ],
      });
      assert.ok(policy.propertyDependencies.policy.includes(one(r, CONFIGURATION_SET, region).urn));
      assert.ok(one(r, DESTINATION, region).dependencies.includes(policy.urn));
    });

    it(`${region}: turns email feedback forwarding off, bounces and complaints going to the topic`, () => {
      const feedback = one(r, FEEDBACK, region);
      assert.deepEqual(inputs(feedback), { region, emailIdentity: "example.com", emailForwardingEnabled: false });
      assert.deepEqual(feedback.propertyDependencies.emailIdentity, [one(r, IDENTITY, region).urn]);
    });

    it(`${region}: exports the set, the topic and a sender policy on the identity and set only`, () => {
      const out = (plain(r.outputs) as any).sending["example.com"][region];
      assert.equal(out.configurationSetName, setName);
      assert.equal(out.topicArn, `arn:aws:sns:${region}:${ACCOUNT}:${setName}`);
      assert.deepEqual(JSON.parse(out.senderPolicy), {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "SendEmail",
            Effect: "Allow",
            Action: ["ses:SendEmail", "ses:SendRawEmail"],
            Resource: [`arn:aws:ses:${region}:${ACCOUNT}:identity/example.com`, `arn:aws:ses:${region}:${ACCOUNT}:configuration-set/${setName}`],
          },
        ],
      });
    });
  }

  it("groups each region's sending resources in one component under the domain", () => {
    const domain = r.registrations.find((x) => x.type === "ses-email-auth:index:SesDomain")!;
    const components = r.registrations.filter((x) => x.type === "ses-email-auth:index:SesSending");
    assert.deepEqual(components.map((c) => [c.name, c.parent]), REGIONS.map((region) => [`example.com-${region}-sending`, domain.urn]));
    for (const type of [CONFIGURATION_SET, DESTINATION, TOPIC, TOPIC_POLICY]) {
      assert.ok(ofType(r, type).every((x) => components.some((c) => c.urn === x.parent)), type);
    }
  });
});

describe("sending: options", () => {
  it("restricts the sender policy to the configured From addresses", async () => {
    const r = await run({ regions: ["us-east-1"], domains: [exampleDomain({ sending: { fromAddresses: ["noreply@example.com", "*@News.Example.com"] } })] });
    const statement = JSON.parse((plain(r.outputs) as any).sending["example.com"]["us-east-1"].senderPolicy).Statement[0];
    assert.deepEqual(statement.Condition, { StringLike: { "ses:FromAddress": ["noreply@example.com", "*@news.example.com"] } });
  });

  it("requires TLS, publishes chosen events to the default EventBridge bus as well", async () => {
    const r = await run({ regions: REGIONS, sending: { requireTls: true, eventBridge: true, events: ["BOUNCE", "COMPLAINT", "REJECT", "DELIVERY_DELAY"] }, domains: [exampleDomain()] });
    for (const region of REGIONS) {
      assert.deepEqual(inputs(one(r, CONFIGURATION_SET, region)).deliveryOptions, { tlsPolicy: "REQUIRE" });
      const bus = one(r, DESTINATION, region, `example.com-${region}-eventbridge`);
      assert.deepEqual(inputs(bus).eventDestination, {
        enabled: true,
        matchingEventTypes: ["BOUNCE", "COMPLAINT", "REJECT", "DELIVERY_DELAY"],
        eventBridgeDestination: { eventBusArn: `arn:aws:events:${region}:${ACCOUNT}:event-bus/default` },
      });
      assert.equal(inputs(bus).eventDestinationName, "eventbridge");
      assert.equal(inputs(one(r, DESTINATION, region, `example.com-${region}-sns`)).eventDestinationName, "sns");
    }
  });

  it("publishes to an existing topic in its region and creates none there", async () => {
    const existing = `arn:aws:sns:eu-west-1:${ACCOUNT}:ops-email-events`;
    const r = await run({ regions: REGIONS, sending: { topicArns: { "eu-west-1": existing } }, domains: [exampleDomain()] });
    assert.deepEqual(ofType(r, TOPIC).map((x) => inputs(x).region), ["us-east-1"]);
    assert.deepEqual(ofType(r, TOPIC_POLICY).map((x) => inputs(x).region), ["us-east-1"]);
    assert.equal(inputs(one(r, DESTINATION, "eu-west-1")).eventDestination.snsDestination.topicArn, existing);
    assert.equal((plain(r.outputs) as any).sending["example.com"]["eu-west-1"].topicArn, existing);
  });

  it("keeps feedback forwarding on when bounces or complaints are not published, or when asked", async () => {
    const r = await run({
      regions: ["us-east-1"],
      domains: [
        exampleDomain({ sending: { events: ["REJECT", "BOUNCE"] } }),
        exampleDomain({ name: "example.org", zone: "example.org", fromDomains: undefined, sending: { feedbackForwarding: true } }),
      ],
    });
    // Sorted: resources register as their inputs resolve, not in declaration order.
    assert.deepEqual(ofType(r, FEEDBACK).map((x) => [x.name, inputs(x).emailForwardingEnabled]).sort(), [
      ["example.com-us-east-1-feedback", true],
      ["example.org-us-east-1-feedback", true],
    ]);
  });

  it("lets a domain override the stack's setup key by key, or opt out", async () => {
    const r = await run({
      regions: ["us-east-1"],
      sending: { requireTls: true, events: ["BOUNCE", "COMPLAINT", "REJECT", "SEND"] },
      domains: [exampleDomain({ sending: { events: ["BOUNCE", "COMPLAINT", "REJECT"] } }), exampleDomain({ name: "example.org", zone: "example.org", fromDomains: undefined, sending: false })],
    });
    assert.deepEqual(ofType(r, CONFIGURATION_SET).map((x) => [inputs(x).configurationSetName, inputs(x).deliveryOptions.tlsPolicy]), [["example-com-us-east-1", "REQUIRE"]]);
    assert.deepEqual(inputs(one(r, DESTINATION, "us-east-1")).eventDestination.matchingEventTypes, ["BOUNCE", "COMPLAINT", "REJECT"]);
    assert.deepEqual(Object.keys((plain(r.outputs) as any).sending), ["example.com"]);
  });

  it("keeps the links in preview, while ARNs are unknown", async () => {
    const r = await run({ regions: ["us-east-1"], sending: { eventBridge: true }, domains: [exampleDomain()] }, true);
    const sns = one(r, DESTINATION, "us-east-1", "example.com-us-east-1-sns");
    assert.equal((sns.inputs.eventDestination as any).snsDestination.topicArn, UNKNOWN);
    assert.deepEqual(sns.propertyDependencies.eventDestination, [one(r, TOPIC, "us-east-1").urn]);
    assert.equal(inputs(one(r, IDENTITY, "us-east-1")).configurationSetName, "example-com-us-east-1");
  });
});

describe("protect", () => {
  it("protects identities and DKIM and DMARC records, nothing else", async () => {
    const r = await run({ regions: REGIONS, protect: true, sending: {}, domains: [exampleDomain()], addresses: ["ops@example.com"] });
    const isProtectedRecord = (x: Registration) => x.type === R53 && (inputs(x).name.startsWith("_dmarc.") || inputs(x).name.includes("._domainkey."));
    const expected = r.registrations.filter((x) => x.type === IDENTITY || isProtectedRecord(x)).map((x) => x.urn);
    assert.equal(expected.length, 4 + 1 + 6);
    assert.deepEqual(r.registrations.filter((x) => x.protect).map((x) => x.urn).sort(), expected.sort());
  });

  it("protects a BYODKIM key record too", async () => {
    const key = rsaKeyPair(1024);
    const r = await runProgram({
      config: stackConfig({ regions: ["us-east-1"], protect: true, domains: [exampleDomain({ dkim: { selector: "s1", publicKey: key.publicKey, privateKeyConfig: "k" } })], k: key.privateKey }),
      secretKeys: ["ses-email-auth:k"],
      preview: false,
    });
    assert.deepEqual(ofType(r, R53).filter((x) => x.protect).map((x) => inputs(x).name).sort(), ["_dmarc.example.com", "s1._domainkey.example.com"]);
  });
});

describe("the production example stack (Pulumi.prod.yaml)", () => {
  const config = readStackConfig(join(__dirname, "..", ".."), "prod");

  it("is at quarantine or stricter, protected, and handles bounces and complaints in every region", async () => {
    const spec = parseStackConfig(config);
    assert.equal(spec.protect, true);
    for (const domain of spec.domains) {
      assert.notEqual(domain.dmarc.policy, DmarcPolicy.NONE, domain.name);
      assert.ok(domain.sending && !domain.sending.feedbackForwarding, domain.name);
    }
    const r = await runProgram({ config, preview: true, stack: "prod" });
    assert.equal(ofType(r, CONFIGURATION_SET).length, ofType(r, IDENTITY).length);
    assert.ok(ofType(r, IDENTITY).every((x) => x.protect));
  });
});

describe("sending: bad config registers nothing", () => {
  const arn = (region: string) => `arn:aws:sns:${region}:${ACCOUNT}:events`;
  const domain = (sending: unknown) => exampleDomain({ sending });
  const cases: [string, StackInput, string][] = [
    ["unknown event type", { regions: REGIONS, sending: { events: ["BOUNCE", "COMPLAINT", "OPENED"] }, domains: [exampleDomain()] }, "ses-email-auth:sending.events[2]"],
    ["event type listed twice", { regions: REGIONS, domains: [domain({ events: ["BOUNCE", "COMPLAINT", "BOUNCE"] })] }, "ses-email-auth:domains[0].sending.events[2]"],
    ["no event types", { regions: REGIONS, domains: [domain({ events: [] })] }, "ses-email-auth:domains[0].sending.events"],
    ["malformed topic ARN", { regions: REGIONS, sending: { topicArns: { "us-east-1": "arn:aws:sqs:us-east-1:123456789012:q" } }, domains: [exampleDomain()] }, "ses-email-auth:sending.topicArns.us-east-1"],
    ["topic ARN without an account", { regions: REGIONS, domains: [domain({ topicArns: { "us-east-1": "arn:aws:sns:us-east-1::events" } })] }, "ses-email-auth:domains[0].sending.topicArns.us-east-1"],
    ["topic in another region than its set", { regions: REGIONS, sending: { topicArns: { "eu-west-1": arn("us-east-1") } }, domains: [exampleDomain()] }, "ses-email-auth:sending.topicArns.eu-west-1"],
    ["topic for a region the stack does not use", { regions: REGIONS, sending: { topicArns: { "ap-south-1": arn("ap-south-1") } }, domains: [exampleDomain()] }, "ses-email-auth:sending.topicArns.ap-south-1"],
    ["topic for a region the domain does not use", { regions: REGIONS, domains: [exampleDomain({ regions: ["us-east-1"], sending: { topicArns: { "eu-west-1": arn("eu-west-1") } } })] }, "ses-email-auth:domains[0].sending.topicArns.eu-west-1"],
    ["forwarding off with complaints unpublished", { regions: REGIONS, domains: [domain({ events: ["BOUNCE", "REJECT"], feedbackForwarding: false })] }, "ses-email-auth:domains[0].sending.feedbackForwarding"],
    ["forwarding off at the stack, bounces unpublished by the domain", { regions: REGIONS, sending: { feedbackForwarding: false }, domains: [domain({ events: ["COMPLAINT"] })] }, "ses-email-auth:sending.feedbackForwarding"],
    ["From address of another domain", { regions: REGIONS, domains: [domain({ fromAddresses: ["noreply@example.net"] })] }, "ses-email-auth:domains[0].sending.fromAddresses[0]"],
    ["malformed From address", { regions: REGIONS, domains: [domain({ fromAddresses: ["no reply@example.com"] })] }, "ses-email-auth:domains[0].sending.fromAddresses[0]"],
    ["From addresses at the stack level", { regions: REGIONS, sending: { fromAddresses: ["noreply@example.com"] }, domains: [exampleDomain()] }, "ses-email-auth:sending.fromAddresses"],
    ["typo in sending", { regions: REGIONS, domains: [domain({ requireTLS: true })] }, "ses-email-auth:domains[0].sending.requireTLS"],
    ["sending not an object", { regions: REGIONS, sending: "on", domains: [exampleDomain()] }, "ses-email-auth:sending"],
    ["requireTls not a boolean", { regions: REGIONS, sending: { requireTls: "yes" }, domains: [exampleDomain()] }, "ses-email-auth:sending.requireTls"],
    ["eventBridge not a boolean", { regions: REGIONS, domains: [domain({ eventBridge: 1 })] }, "ses-email-auth:domains[0].sending.eventBridge"],
    ["protect not a boolean", { regions: REGIONS, protect: "yes", domains: [exampleDomain()] }, "ses-email-auth:protect"],
  ];
  for (const [what, input, key] of cases) {
    it(`${what}: names ${key}`, async () => {
      await assert.rejects(run(input, true), (error: unknown) => {
        assert.ok(error instanceof ProgramFailed && error.cause instanceof ConfigError, String(error));
        const problems = (error.cause as ConfigError).problems;
        assert.ok(
          problems.some((p) => p.key === key),
          `expected a problem at ${key}, got ${JSON.stringify(problems)}`,
        );
        assert.deepEqual(error.registrations.filter((x) => x.type !== "pulumi:pulumi:Stack"), []);
        return true;
      });
    });
  }

  it("reports a stack-wide problem once however many domains inherit it", async () => {
    const other = exampleDomain({ name: "example.org", zone: "example.org", fromDomains: undefined });
    await assert.rejects(run({ regions: REGIONS, sending: { events: ["BOUNCES"] }, domains: [exampleDomain(), other] }, true), (error: ProgramFailed) => {
      assert.deepEqual((error.cause as ConfigError).problems.map((p) => p.key), ["ses-email-auth:sending.events[0]"]);
      return true;
    });
  });
});
