import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { SesEventType } from "../../lib/spec";
import { recordedBoolean, recordedObject, recordedString, recordedStrings } from "../../lib/state";
import { attr, regionOf } from "../facts";
import { Findings, isUnknown, Maybe, Unknown } from "../preview";

const IDENTITY = "aws:sesv2/emailIdentity:EmailIdentity";
const FEEDBACK_ATTRIBUTES = "aws:sesv2/emailIdentityFeedbackAttributes:EmailIdentityFeedbackAttributes";
const CONFIGURATION_SET = "aws:sesv2/configurationSet:ConfigurationSet";
const DESTINATION = "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination";

/** What a sender must hear about to stop mailing an address. */
const FEEDBACK: readonly string[] = [SesEventType.BOUNCE, SesEventType.COMPLAINT];

/** What SES resources refer to each other by: a name within a region (and the resource, if declared). */
interface Ref {
  urn?: string;
  name: Maybe<string | undefined>;
  region: Maybe<string | undefined>;
}

function refOf(r: PolicyResource, nameProp: string): Ref {
  return { urn: r.urn, name: attr(r, nameProp, recordedString), region: regionOf(r) };
}

/** `r` refers to `target` through `prop`: by property dependency (what preview knows), else by name in the same region. */
function refersTo(r: PolicyResource, prop: string, target: Ref): boolean {
  if (target.urn && r.propertyDependencies?.[prop]?.some((d) => d.urn === target.urn)) return true;
  const name = attr(r, prop, recordedString);
  if (isUnknown(name) || isUnknown(target.name) || name === undefined || name !== target.name) return false;
  const region = regionOf(r);
  return !isUnknown(region) && !isUnknown(target.region) && region === target.region;
}

/** Whether SES emails bounces and complaints to the Return-Path: on unless a FeedbackAttributes says otherwise (unset is false). */
function forwarding(identity: PolicyResource, attributes: PolicyResource[]): Maybe<boolean> {
  const own = attributes.find((a) => refersTo(a, "emailIdentity", refOf(identity, "emailIdentity")));
  if (!own) return true;
  const enabled = attr(own, "emailForwardingEnabled", recordedBoolean);
  return isUnknown(enabled) ? enabled : enabled === true;
}

/**
 * Whether the identity's default configuration set publishes both bounces and complaints to an
 * enabled destination that names the address (CloudWatch only counts them). A set this stack does
 * not declare, with no destination here either, is someone else's to judge: true.
 */
function publishesFeedback(identity: PolicyResource, sets: PolicyResource[], destinations: PolicyResource[]): Maybe<boolean> {
  // The provider records "" for an identity without a default configuration set.
  const setName = attr(identity, "configurationSetName", recordedString);
  const set = sets.find((s) => refersTo(identity, "configurationSetName", refOf(s, "configurationSetName")));
  if (setName === undefined && !set) return false;
  const setRef = set ? refOf(set, "configurationSetName") : { name: setName, region: regionOf(identity) };
  const ofSet = destinations.filter((d) => refersTo(d, "configurationSetName", setRef));
  if (!set && ofSet.length === 0) return true;
  const published = new Set<string>();
  for (const d of ofSet) {
    const enabled = attr(d, "eventDestination.enabled", recordedBoolean);
    // Unused destination blocks are null in state; a CloudWatch destination only counts events.
    const cloudWatch = attr(d, "eventDestination.cloudWatchDestination", recordedObject);
    const types = attr(d, "eventDestination.matchingEventTypes", recordedStrings);
    const unknown = [enabled, cloudWatch, types].find(isUnknown);
    if (unknown) return unknown;
    if (enabled === true && cloudWatch === undefined) (types as string[] | undefined)?.forEach((t) => published.add(t));
  }
  return FEEDBACK.every((t) => published.has(t));
}

export const sesFeedbackHandling: StackValidationPolicy = {
  name: "ses-feedback-handling",
  description: "Every SESv2 identity has bounces and complaints go somewhere: an enabled event destination of its default configuration set for BOUNCE and COMPLAINT, or email feedback forwarding.",
  enforcementLevel: "advisory",
  validateStack: (args, report) => {
    const findings = new Findings(report);
    const ofType = (type: string) => args.resources.filter((r) => r.type === type);
    const [attributes, sets, destinations] = [ofType(FEEDBACK_ATTRIBUTES), ofType(CONFIGURATION_SET), ofType(DESTINATION)];
    for (const identity of ofType(IDENTITY)) {
      const name = attr(identity, "emailIdentity", recordedString);
      const label = typeof name === "string" ? `SES identity ${name} (${describeRegion(regionOf(identity))})` : `SES identity "${identity.name}"`;
      const forwards = forwarding(identity, attributes);
      const published = forwards === true ? true : publishesFeedback(identity, sets, destinations);
      const unknown = [forwards, published].find(isUnknown) as Unknown | undefined;
      if (unknown) findings.undecide(`whether ${label} hears of bounces and complaints is ${unknown.why}`, unknown);
      else if (!published) {
        findings.fail(
          `${label} sends with neither an event destination for BOUNCE and COMPLAINT nor feedback forwarding, so nobody acts on them: publish both through its configuration set, or set emailForwardingEnabled: true`,
          identity.urn,
        );
      }
    }
    findings.finish();
  },
};

function describeRegion(region: Maybe<string | undefined>): string {
  return isUnknown(region) ? "region known after apply" : (region ?? "provider's default region");
}
