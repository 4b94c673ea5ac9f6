/**
 * Production sending, the pure part: names of each region's configuration set and topic, ARN
 * checks, and the two IAM documents (the topic policy SES publishes under, the sender's policy).
 */
import { createHash } from "node:crypto";
import { SesEventType } from "./spec";

/** Published unless the stack says otherwise: what a sender must act on. */
export const DEFAULT_EVENTS: readonly SesEventType[] = [SesEventType.BOUNCE, SesEventType.COMPLAINT, SesEventType.REJECT];

/** SES limits configuration set names to 64 letters, digits, hyphens and underscores. */
const MAX_CONFIGURATION_SET_NAME = 64;

/**
 * `example.com` in `eu-west-1` → `example-com-eu-west-1`; the stack's SNS topic takes the same name.
 * A name too long for SES keeps its region and a hash of the domain, so it stays unique and stable.
 */
export function configurationSetName(domain: string, region: string): string {
  const slug = domain.replace(/\./g, "-");
  const name = `${slug}-${region}`;
  if (name.length <= MAX_CONFIGURATION_SET_NAME) return name;
  const hash = createHash("sha256").update(domain).digest("hex").slice(0, 8);
  return `${slug.slice(0, MAX_CONFIGURATION_SET_NAME - region.length - hash.length - 2)}-${hash}-${region}`;
}

export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

export function parseArn(arn: string): Arn | undefined {
  const match = /^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):([0-9]{12}|):(.+)$/.exec(arn);
  if (!match) return undefined;
  const [, partition, service, region, account, resource] = match;
  return { partition, service, region, account, resource };
}

/** An SNS topic ARN, as SES's event destinations accept it: `arn:aws:sns:<region>:<account>:<name>`. */
export function parseTopicArn(arn: string): Arn | undefined {
  const parsed = parseArn(arn);
  const ok = parsed?.service === "sns" && parsed.region !== "" && parsed.account !== "" && /^[A-Za-z0-9_-]{1,256}$/.test(parsed.resource);
  return ok ? parsed : undefined;
}

/** SES sends bounces and complaints somewhere other than the Return-Path only when both are published. */
export function publishesFeedback(events: readonly SesEventType[]): boolean {
  return events.includes(SesEventType.BOUNCE) && events.includes(SesEventType.COMPLAINT);
}

/** SES accepts only the default bus of the configuration set's own account and region. */
export function defaultEventBusArn(configurationSetArn: string): string {
  const { partition, region, account } = parseArn(configurationSetArn)!;
  return `arn:${partition}:events:${region}:${account}:event-bus/default`;
}

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow";
  Principal?: Record<string, string>;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/**
 * Lets SES publish to the topic, but only for this one configuration set of this account (the
 * confused-deputy guard AWS recommends), so no other account's SES can fill the topic.
 */
export function topicPolicy(topicArn: string, configurationSetArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AllowSesPublish",
        Effect: "Allow",
        Principal: { Service: "ses.amazonaws.com" },
        Action: "sns:Publish",
        Resource: topicArn,
        Condition: { StringEquals: { "aws:SourceAccount": parseArn(configurationSetArn)!.account, "aws:SourceArn": configurationSetArn } },
      },
    ],
  };
}

/**
 * What the sending application needs in one region: SendEmail/SendRawEmail on the identity and on
 * its configuration set (SES v2 authorizes a send against both), limited to `fromAddresses` if any.
 */
export function senderPolicy(identityArn: string, configurationSetArn: string, fromAddresses: readonly string[]): PolicyDocument {
  const statement: PolicyStatement = { Sid: "SendEmail", Effect: "Allow", Action: ["ses:SendEmail", "ses:SendRawEmail"], Resource: [identityArn, configurationSetArn] };
  if (fromAddresses.length) statement.Condition = { StringLike: { "ses:FromAddress": [...fromAddresses] } };
  return { Version: "2012-10-17", Statement: [statement] };
}
