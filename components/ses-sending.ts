import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkSending, domainName, region as sesRegion } from "../lib/args";
import { Checker } from "../lib/check";
import { configurationSetName, defaultEventBusArn, topicPolicy } from "../lib/sending";
import { SesEventType } from "../lib/spec";
import { SendingArgs } from "./args";
import { invalidArguments } from "./errors";

export interface SesSendingArgs {
  /** The domain identity that will use the configuration set by default, e.g. `example.com`. */
  domain: string;
  /** The SES region. */
  region: string;
  /** The events, TLS policy and topic; a From address (for SesDomain's sender policy) must be in `domain`. */
  sending: SendingArgs;
}

/**
 * One region's production sending setup for a domain: a configuration set (reputation metrics,
 * bounce and complaint suppression, TLS policy) publishing its events to an SNS topic, and
 * optionally to the default EventBridge bus. The topic is the stack's own (with a policy letting
 * only this configuration set publish) unless the config names an existing one for the region.
 */
export class SesSending extends pulumi.ComponentResource {
  readonly configurationSet: aws.sesv2.ConfigurationSet;
  readonly topicArn: pulumi.Output<string>;

  constructor(name: string, args: SesSendingArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const c = new Checker();
    const domain = domainName(c, "domain", args.domain);
    const region = sesRegion(c, "region", args.region);
    const sending = checkSending(c, args.sending ?? {}, region ? [region] : [], domain ? [domain] : []);
    if (c.problems.length || !domain || !region || !sending) throw invalidArguments("SesSending", name, c.problems);
    super("ses-email-auth:index:SesSending", name, {}, opts);
    const setName = configurationSetName(domain, region);
    this.configurationSet = new aws.sesv2.ConfigurationSet(
      `${domain}-${region}`,
      {
        region,
        configurationSetName: setName,
        reputationOptions: { reputationMetricsEnabled: true },
        sendingOptions: { sendingEnabled: true },
        suppressionOptions: { suppressedReasons: [SesEventType.BOUNCE, SesEventType.COMPLAINT] },
        deliveryOptions: { tlsPolicy: sending.requireTls ? "REQUIRE" : "OPTIONAL" },
      },
      { parent: this },
    );
    const existing = sending.topicArns[region];
    const topic = existing === undefined ? this.topic(`${domain}-${region}-events`, region, setName) : { arn: pulumi.output(existing), policy: undefined };
    this.topicArn = topic.arn;
    // The destination waits for the topic policy, so SES may publish from the first event on.
    this.destination(`${domain}-${region}-sns`, region, "sns", sending.events, { snsDestination: { topicArn: topic.arn } }, topic.policy);
    if (sending.eventBridge) {
      this.destination(`${domain}-${region}-eventbridge`, region, "eventbridge", sending.events, { eventBridgeDestination: { eventBusArn: this.configurationSet.arn.apply(defaultEventBusArn) } });
    }
    this.registerOutputs({ configurationSetName: this.configurationSet.configurationSetName, topicArn: this.topicArn });
  }

  private topic(name: string, region: string, topicName: string): { arn: pulumi.Output<string>; policy: aws.sns.TopicPolicy } {
    const topic = new aws.sns.Topic(name, { region, name: topicName }, { parent: this });
    const policy = new aws.sns.TopicPolicy(
      name,
      { region, arn: topic.arn, policy: pulumi.all([topic.arn, this.configurationSet.arn]).apply(([topicArn, setArn]) => JSON.stringify(topicPolicy(topicArn, setArn))) },
      { parent: this },
    );
    return { arn: topic.arn, policy };
  }

  private destination(
    name: string,
    region: string,
    destinationName: string,
    events: SesEventType[],
    target: Pick<aws.types.input.sesv2.ConfigurationSetEventDestinationEventDestination, "snsDestination" | "eventBridgeDestination">,
    after?: pulumi.Resource,
  ): void {
    new aws.sesv2.ConfigurationSetEventDestination(
      name,
      {
        region,
        configurationSetName: this.configurationSet.configurationSetName,
        eventDestinationName: destinationName,
        eventDestination: { enabled: true, matchingEventTypes: events, ...target },
      },
      { parent: this, dependsOn: after ? [after] : [] },
    );
  }
}
