/**
 * Mocks that answer like the real providers: same output property names and shapes, so lifted
 * outputs (tokens, ids) behave as after a real `pulumi up`. In preview, what the provider computes
 * is left out and so stays unknown, as the engine reports it.
 */
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";

export const MOCK_ACCOUNT = "123456789012";

type State = Record<string, any>;

/** A stable fake token/id derived from a seed, so runs are repeatable. */
export function fakeId(seed: string, length = 32, alphabet = "abcdefghijklmnopqrstuvwxyz234567"): string {
  const bytes = createHash("sha256").update(seed).digest();
  return Array.from({ length }, (_, i) => alphabet[bytes[i % bytes.length] % alphabet.length]).join("");
}

function regionOf(inputs: State): string {
  return inputs.region ?? "us-east-1";
}

/** What each resource type's provider computes on create: merged over the inputs when not previewing. */
const computed: Record<string, (inputs: State, name: string) => { id: string; state: State }> = {
  "aws:sesv2/emailIdentity:EmailIdentity": (inputs) => {
    const identity: string = inputs.emailIdentity;
    const region = regionOf(inputs);
    const byodkim = inputs.dkimSigningAttributes?.domainSigningSelector !== undefined;
    const isDomain = !identity.includes("@");
    return {
      id: identity,
      state: {
        arn: `arn:aws:ses:${region}:${MOCK_ACCOUNT}:identity/${identity}`,
        identityType: isDomain ? "DOMAIN" : "EMAIL_ADDRESS",
        region,
        tagsAll: {},
        verificationStatus: "PENDING",
        verifiedForSendingStatus: false,
        dkimSigningAttributes: {
          ...inputs.dkimSigningAttributes,
          currentSigningKeyLength: byodkim ? "" : (inputs.dkimSigningAttributes?.nextSigningKeyLength ?? "RSA_2048_BIT"),
          nextSigningKeyLength: byodkim ? "" : (inputs.dkimSigningAttributes?.nextSigningKeyLength ?? "RSA_2048_BIT"),
          lastKeyGenerationTimestamp: "2026-01-01T00:00:00Z",
          signingAttributesOrigin: byodkim ? "EXTERNAL" : "AWS_SES",
          status: "PENDING",
          tokens: byodkim || !isDomain ? [] : [0, 1, 2].map((i) => fakeId(`${identity}/${region}/${i}`)),
        },
      },
    };
  },
  "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes": (inputs) => ({
    id: inputs.emailIdentity,
    state: { region: regionOf(inputs), behaviorOnMxFailure: inputs.behaviorOnMxFailure ?? "USE_DEFAULT_VALUE" },
  }),
  "aws:sesv2/emailIdentityFeedbackAttributes:EmailIdentityFeedbackAttributes": (inputs) => ({
    id: inputs.emailIdentity,
    state: { region: regionOf(inputs), emailForwardingEnabled: inputs.emailForwardingEnabled ?? false },
  }),
  "aws:sesv2/configurationSet:ConfigurationSet": (inputs) => {
    const region = regionOf(inputs);
    return {
      id: inputs.configurationSetName,
      state: {
        arn: `arn:aws:ses:${region}:${MOCK_ACCOUNT}:configuration-set/${inputs.configurationSetName}`,
        region,
        tagsAll: {},
        reputationOptions: { lastFreshStart: "", reputationMetricsEnabled: false, ...inputs.reputationOptions },
        sendingOptions: { sendingEnabled: true, ...inputs.sendingOptions },
      },
    };
  },
  // The provider's import id: `<configuration set>|<destination>`.
  "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination": (inputs) => ({
    id: `${inputs.configurationSetName}|${inputs.eventDestinationName}`,
    state: { region: regionOf(inputs) },
  }),
  "aws:sns/topic:Topic": (inputs, name) => {
    const region = regionOf(inputs);
    const arn = `arn:aws:sns:${region}:${MOCK_ACCOUNT}:${inputs.name ?? name}`;
    // What SNS attaches to a new topic until a TopicPolicy replaces it: the account may use it.
    const defaultPolicy = {
      Version: "2008-10-17",
      Id: "__default_policy_ID",
      Statement: [{ Sid: "__default_statement_ID", Effect: "Allow", Principal: { AWS: "*" }, Action: ["SNS:Publish", "SNS:Subscribe"], Resource: arn, Condition: { StringEquals: { "AWS:SourceOwner": MOCK_ACCOUNT } } }],
    };
    return {
      id: arn,
      state: {
        arn,
        name: inputs.name ?? name,
        namePrefix: "",
        owner: MOCK_ACCOUNT,
        policy: JSON.stringify(defaultPolicy),
        region,
        signatureVersion: 0,
        beginningArchiveTime: "",
        fifoThroughputScope: "",
        tracingConfig: "",
        tagsAll: {},
      },
    };
  },
  "aws:sns/topicPolicy:TopicPolicy": (inputs) => ({
    id: inputs.arn,
    state: { owner: MOCK_ACCOUNT, region: regionOf(inputs) },
  }),
  // A hosted zone created by the program: the outputs of provider-schemas/aws.json, unset ones as SDKv2 writes them ("", false).
  "aws:route53/zone:Zone": (inputs, name) => {
    const zoneId = `Z${fakeId(`zone/${inputs.name ?? name}`, 13, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")}`;
    const state = { zoneId, arn: `arn:aws:route53:::hostedzone/${zoneId}`, comment: "Managed by Pulumi", delegationSetId: "", enableAcceleratedRecovery: false, forceDestroy: false };
    return { id: zoneId, state: { ...state, nameServers: ["ns-1.awsdns-00.com."], primaryNameServer: "ns-1.awsdns-00.com.", tagsAll: {}, vpcs: [] } };
  },
  "aws:route53/record:Record": (inputs) => ({
    id: `${inputs.zoneId}_${inputs.name}_${inputs.type}`,
    state: { fqdn: inputs.name },
  }),
  "cloudflare:index/dnsRecord:DnsRecord": (inputs, name) => ({
    id: fakeId(`cloudflare/${name}`, 32, "0123456789abcdef"),
    state: {
      proxied: inputs.proxied ?? false,
      proxiable: inputs.type === "CNAME",
      createdOn: "2026-01-01T00:00:00Z",
      modifiedOn: "2026-01-01T00:00:00Z",
      commentModifiedOn: "2026-01-01T00:00:00Z",
      tagsModifiedOn: "2026-01-01T00:00:00Z",
      meta: "{}",
      tags: [],
      settings: inputs.settings ?? {},
    },
  }),
};

/** Inputs as given, and every value only the provider computes as the engine's unknown. */
function unknownComputed(inputs: State, computedState: State): State {
  const result: State = { ...inputs };
  for (const [key, value] of Object.entries(computedState)) {
    const input = inputs[key];
    const nested = input && value && typeof input === "object" && typeof value === "object" && !Array.isArray(value);
    result[key] = nested ? unknownComputed(input, value) : key in inputs ? input : pulumi.runtime.unknownValue;
  }
  return result;
}

/** Data sources, keyed by invoke token. */
const invokes: Record<string, (inputs: State) => State> = {
  "aws:route53/getZone:getZone": (inputs) => {
    const zoneId = `Z${fakeId(`zone/${inputs.name}`, 13, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")}`;
    return {
      ...inputs,
      id: zoneId,
      zoneId,
      name: inputs.name,
      arn: `arn:aws:route53:::hostedzone/${zoneId}`,
      callerReference: "mock",
      comment: "",
      nameServers: ["ns-1.awsdns-00.com."],
      primaryNameServer: "ns-1.awsdns-00.com.",
      privateZone: false,
      resourceRecordSetCount: 2,
      tags: {},
      linkedServiceDescription: "",
      linkedServicePrincipal: "",
    };
  },
};

/**
 * `preview`: leave computed outputs unknown (ids, tokens, ARNs) as `pulumi preview` does.
 * Unknown resource types fail loudly, so a new type cannot slip in with a made-up shape.
 */
export function providerMocks(preview: boolean): pulumi.runtime.Mocks {
  return {
    newResource(args) {
      if (!args.custom) return { id: undefined, state: args.inputs };
      if (args.type.startsWith("pulumi:providers:")) return { id: preview ? undefined : `${args.name}-id`, state: args.inputs };
      const compute = computed[args.type];
      if (!compute) throw new Error(`provider mocks: no output shape for ${args.type}; add it to tools/provider-mocks.ts`);
      const { id, state } = compute(args.inputs, args.name);
      if (preview) return { id: undefined, state: unknownComputed(args.inputs, state) };
      return { id, state: { ...args.inputs, ...state } };
    },
    call(args) {
      const invoke = invokes[args.token];
      if (!invoke) throw new Error(`provider mocks: no result for invoke ${args.token}`);
      return invoke(args.inputs);
    },
  };
}
