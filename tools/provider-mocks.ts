/**
 * Mock providers generated from the providers' own schemas (tools/provider-schema.ts) and from
 * what the real providers write into state (tools/provider-schemas/STATE.md):
 * - every output property the schema lists is answered, as the provider would write it: an SDKv2
 *   resource (the AWS ones here) answers an unset attribute with its zero value (`""`, `0`,
 *   `false`, `[]`, `{}`) and a flattened block with null; a Plugin Framework one (Cloudflare)
 *   leaves it out;
 * - a `secret: true` property is a secret, even when `""`;
 * - in preview, what the provider computes is unknown, as the engine reports it.
 * Hand-written here is only what no schema can say: each type's id, ARNs, tokens, and the values
 * SES, Route 53 and Cloudflare compute. A computed output without such a rule makes generation
 * throw, so a provider upgrade that adds one fails the tests until it is described.
 * Used by the mock runtime (tools/mock-run.ts) and the fake engine (tests/harness/).
 */
import * as pulumi from "@pulumi/pulumi";
import { isUnknown as isSdkUnknown } from "@pulumi/pulumi/output";
import { createHash } from "node:crypto";
import { normalizeName } from "../lib/names";
import { EASY_DKIM_TOKENS } from "../lib/records";
import { replicaOrigin, SECRET_SIG, SECRET_SIG_KEY } from "../lib/state";
import { functionOutputs, isComputed, ObjectSpec, objectSpec, PropertySpec, resourceSpec, typeOf, zeroValue } from "./provider-schema";

export const MOCK_ACCOUNT = "123456789012";
/** The engine's wire sentinel for a value not known until apply. */
export const UNKNOWN = pulumi.runtime.unknownValue as string;
/** When every mocked resource was created, for values a provider stamps. */
const CREATED = "2026-01-01T00:00:00Z";

/** A stable fake token/id derived from a seed, so runs are repeatable. */
export function fakeId(seed: string, length = 32, alphabet = "abcdefghijklmnopqrstuvwxyz234567"): string {
  const bytes = createHash("sha256").update(seed).digest();
  return Array.from({ length }, (_, i) => alphabet[bytes[i % bytes.length] % alphabet.length]).join("");
}

/** The id Route 53 gives the mocked hosted zone of `name`. */
function mockZoneId(name: string): string {
  return `Z${fakeId(`zone/${normalizeName(name)}`, 13, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")}`;
}

/** Hosted zones the mocks have answered for (created or looked up), by id: the provider reads a record's zone. */
const hostedZones = new Map<string, string>();

function hostedZone(name: string): string {
  const id = mockZoneId(name);
  hostedZones.set(id, normalizeName(name));
  return id;
}

/** The provider's `expandRecordName`: a name not ending in its zone's name has the zone appended. */
function expandRecordName(name: string, zoneId: string): string {
  const zone = hostedZones.get(zoneId);
  const n = normalizeName(name);
  return zone && n !== zone && !n.endsWith(`.${zone}`) ? `${n}.${zone}` : n;
}

/** The Easy DKIM tokens SES issues an identity of `domain` in `region`. */
export function mockDkimTokens(domain: string, region: string): string[] {
  return Array.from({ length: EASY_DKIM_TOKENS }, (_, i) => fakeId(`${normalizeName(domain)}/${region}/${i}`));
}

/**
 * What exists in the cloud account beyond what the program declares, which no schema says.
 * `replicas`: `<domain> <region>` → the parent region of an identity SES made a Deterministic Easy
 * DKIM replica (made in the console or the CLI, then imported: @pulumi/aws 7.48 cannot create one).
 */
export interface MockWorld {
  replicas?: Record<string, string>;
}

export interface MockOptions {
  preview: boolean;
  world?: MockWorld;
  /** The AWS provider's region, for resources that do not name theirs. Default us-east-1. */
  providerRegion?: string;
}

type Props = Record<string, any>;

/** What a rule sees: the resource's inputs (secrets unwrapped), its name, and this property's input. */
interface Context {
  token: string;
  name: string;
  inputs: Props;
  given: any;
  region: string;
  world: MockWorld;
  /** The block at this rule's path filled from `value` by the schema and the nested rules. */
  fill(value: Props): Props;
}

type Rule = (c: Context) => unknown;

interface TypeRules {
  id: (c: Context) => string;
  /** Output path (dot-separated into blocks) → its value after apply; `undefined` leaves it out. */
  rules: Record<string, Rule>;
  /** Paths whose rule gives the planned value in preview too (defaults, names the provider normalizes at plan). */
  knownInPreview?: readonly string[];
  /** SDKv2 `__meta`: schema version and timeouts, for resources that have either (STATE.md §3). */
  meta?: string;
}

const arnRegion = (c: Context) => c.inputs.region ?? c.region;
const ownRegion: Rule = (c) => c.given ?? c.region;
const tagsAll: Rule = (c) => c.inputs.tags ?? {};
const created: Rule = () => CREATED;
const isAddress = (c: Context) => String(c.inputs.emailIdentity).includes("@");
/** Route 53 keeps a TXT value without its quotes; Route 53 itself separates split strings by a space. */
const route53StateTxt = (value: string) => value.replace(/""/g, '" "');
/** SDKv2 timeouts in `__meta`, nanoseconds. */
const timeoutsMeta = (minutes: { create?: number; update?: number; delete?: number }, schemaVersion: string) =>
  JSON.stringify({ "e2bfb730-ecaa-11e6-8f88-34363bc7c4c0": Object.fromEntries(Object.entries(minutes).map(([k, m]) => [k, m * 60e9])), schema_version: schemaVersion });

/** The DKIM strategy of an SESv2 identity as SES will report it: the program's selector, a replica the world holds, or Easy DKIM. */
function sesv2Strategy(c: Context): { origin: string; parentRegion?: string } {
  if (c.inputs.dkimSigningAttributes?.domainSigningSelector) return { origin: "EXTERNAL" };
  const parentRegion = c.world.replicas?.[`${normalizeName(String(c.inputs.emailIdentity))} ${arnRegion(c)}`];
  return parentRegion ? { origin: replicaOrigin(parentRegion), parentRegion } : { origin: "AWS_SES" };
}

const DNS_RECORD: TypeRules = {
  id: (c) => fakeId(`cloudflare/${c.inputs.zoneId}/${c.name}`, 32, "0123456789abcdef"),
  rules: {
    // Create keeps the configured name (apijson.UnmarshalComputed); only a refresh writes the FQDN.
    proxied: (c) => c.given ?? false,
    proxiable: (c) => ["A", "AAAA", "CNAME"].includes(c.inputs.type),
    // normalizeSettings: a CNAME always gets all three flags; other types keep none.
    settings: (c) => (c.inputs.type === "CNAME" ? { flattenCname: false, ipv4Only: false, ipv6Only: false, ...c.given } : c.given),
    tags: (c) => c.given ?? [],
    meta: () => "{}",
    createdOn: created,
    modifiedOn: created,
    commentModifiedOn: (c) => (c.inputs.comment ? CREATED : undefined),
    tagsModifiedOn: (c) => (c.inputs.tags?.length ? CREATED : undefined),
    includeShadowMetadata: (c) => c.given ?? false,
  },
  knownInPreview: ["proxied", "tags", "settings", "includeShadowMetadata"],
};

const RULES: Record<string, TypeRules> = {
  "aws:sesv2/emailIdentity:EmailIdentity": {
    id: (c) => c.inputs.emailIdentity,
    rules: {
      arn: (c) => `arn:aws:ses:${arnRegion(c)}:${MOCK_ACCOUNT}:identity/${c.inputs.emailIdentity}`,
      identityType: (c) => (isAddress(c) ? "EMAIL_ADDRESS" : "DOMAIN"),
      region: ownRegion,
      tagsAll,
      // A new identity: SES has not found its DKIM records (or the address has not clicked the link) yet.
      verificationStatus: () => "PENDING",
      verifiedForSendingStatus: () => false,
      // Always an object when SES returns DkimAttributes, for addresses too.
      dkimSigningAttributes: (c) => c.fill(c.given ?? {}),
      "dkimSigningAttributes.signingAttributesOrigin": (c) => (isAddress(c) ? "AWS_SES" : sesv2Strategy(c).origin),
      // BYODKIM: SES's tokens hold the selector; a replica has its parent's tokens.
      "dkimSigningAttributes.tokens": (c) => {
        if (isAddress(c)) return [];
        const { origin, parentRegion } = sesv2Strategy(c);
        return origin === "EXTERNAL" ? [c.inputs.dkimSigningAttributes.domainSigningSelector] : mockDkimTokens(c.inputs.emailIdentity, parentRegion ?? arnRegion(c));
      },
      "dkimSigningAttributes.status": (c) => (isAddress(c) ? "NOT_STARTED" : "PENDING"),
      "dkimSigningAttributes.currentSigningKeyLength": (c) => (isAddress(c) || sesv2Strategy(c).origin === "EXTERNAL" ? "" : (c.inputs.dkimSigningAttributes?.nextSigningKeyLength ?? "RSA_2048_BIT")),
      "dkimSigningAttributes.nextSigningKeyLength": (c) => c.given ?? (isAddress(c) || sesv2Strategy(c).origin === "EXTERNAL" ? "" : "RSA_2048_BIT"),
      "dkimSigningAttributes.lastKeyGenerationTimestamp": (c) => (isAddress(c) ? "" : CREATED),
    },
    knownInPreview: ["region", "tagsAll"],
  },
  "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes": {
    id: (c) => c.inputs.emailIdentity,
    rules: { region: ownRegion, behaviorOnMxFailure: (c) => c.given ?? "USE_DEFAULT_VALUE" },
    knownInPreview: ["region"],
  },
  "aws:sesv2/emailIdentityFeedbackAttributes:EmailIdentityFeedbackAttributes": {
    id: (c) => c.inputs.emailIdentity,
    // SES forwards feedback by email unless told otherwise.
    rules: { region: ownRegion, emailForwardingEnabled: (c) => c.given ?? true },
    knownInPreview: ["region"],
  },
  "aws:sesv2/configurationSet:ConfigurationSet": {
    id: (c) => c.inputs.configurationSetName,
    rules: {
      arn: (c) => `arn:aws:ses:${arnRegion(c)}:${MOCK_ACCOUNT}:configuration-set/${c.inputs.configurationSetName}`,
      region: ownRegion,
      tagsAll,
      reputationOptions: (c) => c.fill(c.given ?? {}),
      "reputationOptions.lastFreshStart": () => "",
      "reputationOptions.reputationMetricsEnabled": (c) => c.given ?? false,
      sendingOptions: (c) => c.fill(c.given ?? {}),
      "sendingOptions.sendingEnabled": (c) => c.given ?? true,
      "deliveryOptions.tlsPolicy": (c) => c.given ?? "OPTIONAL",
    },
    knownInPreview: ["region", "tagsAll"],
  },
  "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination": {
    id: (c) => `${c.inputs.configurationSetName}|${c.inputs.eventDestinationName}`,
    rules: { region: ownRegion },
    knownInPreview: ["region"],
  },
  // Plugin Framework (STATE.md §1): unset `tags` and `timeouts` are absent, not zero.
  "aws:sesv2/multiRegionEndpoint:MultiRegionEndpoint": {
    // The bridge's id for a resource without a TF `id`: its name, as the provider's sweeper and import use it.
    id: (c) => c.inputs.endpointName,
    rules: {
      // The provider builds the ARN itself (multiRegionEndpointARN): GetMultiRegionEndpoint returns none.
      arn: (c) => `arn:aws:ses:${arnRegion(c)}:${MOCK_ACCOUNT}:multi-region-endpoint/${c.inputs.endpointName}`,
      // GetMultiRegionEndpoint's EndpointId, shaped like the guide's example "abcdef12.g3h".
      endpointId: (c) => `${fakeId(`mrep/${arnRegion(c)}/${c.inputs.endpointName}`, 8, "abcdefghijklmnopqrstuvwxyz0123456789")}.${fakeId(`mrep/${c.inputs.endpointName}`, 3, "abcdefghijklmnopqrstuvwxyz0123456789")}`,
      region: ownRegion,
      // GetMultiRegionEndpoint's Routes: the regions the endpoint sends from, primary and secondary.
      routes: (c) => [{ region: arnRegion(c) }, ...(c.inputs.details?.routesDetails?.region ? [{ region: c.inputs.details.routesDetails.region }] : [])],
      tagsAll,
    },
    knownInPreview: ["region"],
  },
  "aws:ses/domainIdentityVerification:DomainIdentityVerification": {
    id: (c) => c.inputs.domain,
    rules: {
      // Built by the provider's Read from the region and account, not read from SES.
      arn: (c) => `arn:aws:ses:${arnRegion(c)}:${MOCK_ACCOUNT}:identity/${c.inputs.domain}`,
      region: ownRegion,
    },
    knownInPreview: ["region"],
    // The resource's default create timeout (45 minutes); a program's customTimeouts replace it in the real __meta.
    meta: timeoutsMeta({ create: 45 }, "0"),
  },
  "aws:sns/topic:Topic": {
    id: (c) => `arn:aws:sns:${arnRegion(c)}:${MOCK_ACCOUNT}:${c.inputs.name ?? c.name}`,
    rules: {
      arn: (c) => `arn:aws:sns:${arnRegion(c)}:${MOCK_ACCOUNT}:${c.inputs.name ?? c.name}`,
      name: (c) => c.given ?? c.name,
      owner: () => MOCK_ACCOUNT,
      // What SNS attaches to a new topic until a TopicPolicy replaces it: the account may use it.
      policy: (c) =>
        c.given ??
        JSON.stringify({
          Version: "2008-10-17",
          Id: "__default_policy_ID",
          Statement: [
            {
              Sid: "__default_statement_ID",
              Effect: "Allow",
              Principal: { AWS: "*" },
              Action: ["SNS:Publish", "SNS:Subscribe"],
              Resource: `arn:aws:sns:${arnRegion(c)}:${MOCK_ACCOUNT}:${c.inputs.name ?? c.name}`,
              Condition: { StringEquals: { "AWS:SourceOwner": MOCK_ACCOUNT } },
            },
          ],
        }),
      region: ownRegion,
      tagsAll,
      // attrmap's WithMissingSetToNil: attributes GetTopicAttributes leaves out are "" or 0.
      beginningArchiveTime: () => "",
      fifoThroughputScope: (c) => c.given ?? "",
      namePrefix: (c) => c.given ?? "",
      signatureVersion: (c) => c.given ?? 0,
      tracingConfig: (c) => c.given ?? "",
    },
    knownInPreview: ["region", "tagsAll", "name"],
  },
  "aws:sns/topicPolicy:TopicPolicy": {
    id: (c) => c.inputs.arn,
    rules: { owner: () => MOCK_ACCOUNT, region: ownRegion },
    knownInPreview: ["region"],
  },
  "aws:route53/record:Record": {
    id: (c) => `${c.inputs.zoneId}_${normalizeName(c.inputs.name)}_${c.inputs.type}`,
    rules: {
      // StateFunc: lower case, trailing dot trimmed; not the FQDN (that is `fqdn`).
      name: (c) => normalizeName(c.given),
      fqdn: (c) => expandRecordName(c.inputs.name, c.inputs.zoneId),
      records: (c) => (c.given && ["TXT", "SPF"].includes(c.inputs.type) ? (c.given as string[]).map(route53StateTxt) : c.given),
      // Never read back: the configured value or null.
      allowOverwrite: (c) => c.given ?? null,
    },
    knownInPreview: ["name"],
    meta: timeoutsMeta({ create: 30, update: 30, delete: 30 }, "2"),
  },
  "aws:route53/zone:Zone": {
    id: (c) => hostedZone(c.inputs.name),
    rules: {
      arn: (c) => `arn:aws:route53:::hostedzone/${hostedZone(c.inputs.name)}`,
      zoneId: (c) => hostedZone(c.inputs.name),
      name: (c) => normalizeName(c.given),
      nameServers: (c) => mockNameServers(c.inputs.name),
      primaryNameServer: (c) => mockNameServers(c.inputs.name)[0],
      tagsAll,
      enableAcceleratedRecovery: (c) => c.given ?? false,
      // Config only: never read back.
      forceDestroy: (c) => c.given ?? null,
    },
  },
  "aws:ses/domainIdentity:DomainIdentity": {
    id: (c) => c.inputs.domain,
    rules: {
      arn: (c) => `arn:aws:ses:${arnRegion(c)}:${MOCK_ACCOUNT}:identity/${c.inputs.domain}`,
      region: ownRegion,
      verificationToken: (c) => Buffer.from(createHash("sha256").update(`${c.inputs.domain}/${arnRegion(c)}`).digest()).toString("base64").slice(0, 44),
    },
    knownInPreview: ["region"],
  },
  "aws:ses/domainDkim:DomainDkim": {
    id: (c) => c.inputs.domain,
    rules: { region: ownRegion, dkimTokens: (c) => mockDkimTokens(c.inputs.domain, arnRegion(c)) },
    knownInPreview: ["region"],
  },
  "aws:ses/mailFrom:MailFrom": {
    id: (c) => c.inputs.domain,
    rules: { region: ownRegion, behaviorOnMxFailure: (c) => c.given ?? "UseDefaultValue" },
    knownInPreview: ["region"],
  },
  // Receiving (SES v1 receipt rules, S3). ARNs as the provider builds them (STATE.md: `arn` of the rule sets is built, not read).
  "aws:ses/receiptRuleSet:ReceiptRuleSet": {
    id: (c) => c.inputs.ruleSetName,
    rules: { arn: (c) => `arn:aws:ses:${arnRegion(c)}:${MOCK_ACCOUNT}:receipt-rule-set/${c.inputs.ruleSetName}`, region: ownRegion },
    knownInPreview: ["region"],
  },
  "aws:ses/activeReceiptRuleSet:ActiveReceiptRuleSet": {
    id: (c) => c.inputs.ruleSetName,
    rules: { arn: (c) => `arn:aws:ses:${arnRegion(c)}:${MOCK_ACCOUNT}:receipt-rule-set/${c.inputs.ruleSetName}`, region: ownRegion },
    knownInPreview: ["region"],
  },
  "aws:ses/receiptRule:ReceiptRule": {
    id: (c) => c.inputs.name,
    rules: {
      arn: (c) => `arn:aws:ses:${arnRegion(c)}:${MOCK_ACCOUNT}:receipt-rule-set/${c.inputs.ruleSetName}:receipt-rule/${c.inputs.name}`,
      region: ownRegion,
      // Never read back: the configured value or null (STATE.md).
      after: (c) => c.given ?? null,
      name: (c) => c.given ?? c.name,
      // The API's default: TlsPolicy Optional.
      tlsPolicy: (c) => c.given ?? "Optional",
    },
    knownInPreview: ["region"],
  },
  "aws:s3/bucket:Bucket": {
    id: (c) => c.inputs.bucket ?? c.name,
    rules: {
      bucket: (c) => c.given ?? c.name,
      arn: (c) => `arn:aws:s3:::${c.inputs.bucket ?? c.name}`,
      bucketDomainName: (c) => `${c.inputs.bucket ?? c.name}.s3.amazonaws.com`,
      bucketRegionalDomainName: (c) => `${c.inputs.bucket ?? c.name}.s3.${arnRegion(c)}.amazonaws.com`,
      bucketRegion: (c) => arnRegion(c),
      // The S3 website-endpoint zone of us-east-1 (Route 53 alias targets); the mocks only need a stable value.
      hostedZoneId: () => "Z3AQBSTGFYJSTF",
      region: ownRegion,
      tagsAll,
      acl: (c) => c.given ?? "",
      policy: (c) => c.given ?? "",
      accelerationStatus: (c) => c.given ?? "",
      requestPayer: (c) => c.given ?? "BucketOwner",
      objectLockEnabled: (c) => c.given ?? false,
      versioning: (c) => c.given ?? { enabled: false, mfaDelete: false },
      // S3 encrypts every new bucket with SSE-S3 (since January 2023); the Read reports it.
      serverSideEncryptionConfiguration: () => ({ rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256", kmsMasterKeyId: "" }, bucketKeyEnabled: false, blockedEncryptionTypes: [] } }),
      bucketNamespace: (c) => c.given ?? "global",
      bucketPrefix: (c) => c.given ?? "",
      websiteDomain: () => "",
      websiteEndpoint: () => "",
      // STATE.md: lists the Read writes are [], flattened blocks without config null.
      corsRules: () => [],
      grants: () => [{ id: "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a", permission: "FULL_CONTROL", type: "CanonicalUser", uri: "" }],
      lifecycleRules: () => [],
      logging: () => null,
      objectLockConfiguration: () => null,
      replicationConfiguration: () => null,
      website: () => null,
    },
    knownInPreview: ["region", "bucket"],
  },
  "aws:s3/bucketPolicy:BucketPolicy": { id: (c) => c.inputs.bucket, rules: { region: ownRegion }, knownInPreview: ["region"] },
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": { id: (c) => c.inputs.bucket, rules: { region: ownRegion }, knownInPreview: ["region"] },
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
    id: (c) => c.inputs.bucket,
    // SDKv2: the Read writes the API's rule back, "" where it has no KMS key.
    // blockedEncryptionTypes: the API's list when configured; [] is a guess for an unset one (not in STATE.md).
    rules: { region: ownRegion, "rules.applyServerSideEncryptionByDefault.kmsMasterKeyId": (c) => c.given ?? "", "rules.blockedEncryptionTypes": (c) => c.given ?? [], "rules.bucketKeyEnabled": (c) => c.given ?? false },
    knownInPreview: ["region"],
  },
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {
    id: (c) => c.inputs.bucket,
    // The API's default since September 2024: objects under 128 KiB are not transitioned.
    // STATE.md: unset nested attributes are absent (Plugin Framework); the computed ones hold the API's value.
    rules: { region: ownRegion, transitionDefaultMinimumObjectSize: (c) => c.given ?? "all_storage_classes_128K", expectedBucketOwner: (c) => c.given, "rules.expiration.expiredObjectDeleteMarker": (c) => c.given ?? false, "rules.expiration.days": (c) => c.given, "rules.filter.objectSizeGreaterThan": (c) => c.given, "rules.filter.objectSizeLessThan": (c) => c.given, "rules.filter.prefix": (c) => c.given, "rules.prefix": (c) => c.given },
    knownInPreview: ["region"],
  },
  "cloudflare:index/dnsRecord:DnsRecord": DNS_RECORD,
  // In 6.x a deprecated copy of DnsRecord's schema (STATE.md §2).
  "cloudflare:index/record:Record": DNS_RECORD,
};

function mockNameServers(zone: string): string[] {
  const n = parseInt(fakeId(`ns/${zone}`, 3, "0123456789"), 10);
  return [`ns-${n}.awsdns-00.com`, `ns-${n + 1}.awsdns-01.net`, `ns-${n + 2}.awsdns-02.org`, `ns-${n + 3}.awsdns-03.co.uk`];
}

/** Data sources, keyed by invoke token: the result's computed values. */
const INVOKES: Record<string, Record<string, Rule>> = {
  // STS GetCallerIdentity of the mock account.
  "aws:index/getCallerIdentity:getCallerIdentity": {
    accountId: () => MOCK_ACCOUNT,
    id: () => MOCK_ACCOUNT,
    arn: () => `arn:aws:iam::${MOCK_ACCOUNT}:user/deployer`,
    userId: () => "AIDACKCEVSQ6C2EXAMPLE",
  },
  "aws:route53/getZone:getZone": {
    zoneId: (c) => hostedZone(c.inputs.name),
    id: (c) => hostedZone(c.inputs.name),
    arn: (c) => `arn:aws:route53:::hostedzone/${hostedZone(c.inputs.name)}`,
    name: (c) => normalizeName(c.inputs.name),
    nameServers: (c) => mockNameServers(normalizeName(c.inputs.name)),
    primaryNameServer: (c) => mockNameServers(normalizeName(c.inputs.name))[0],
    callerReference: () => "",
    comment: () => "",
    linkedServiceDescription: () => "",
    linkedServicePrincipal: () => "",
    privateZone: (c) => c.given ?? false,
    resourceRecordSetCount: () => 2,
    tags: (c) => c.given ?? {},
    vpcId: (c) => c.given ?? null,
  },
};

function isObject(value: unknown): value is Props {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isSecret(value: unknown): value is Props {
  return isObject(value) && value[SECRET_SIG_KEY] === SECRET_SIG;
}

function secret(value: unknown): Props {
  return { [SECRET_SIG_KEY]: SECRET_SIG, value };
}

/** Wire form → plain: secrets unwrapped, unknowns kept as the sentinel. */
function unwrap(value: unknown): any {
  if (isSecret(value)) return unwrap(value.value);
  if (Array.isArray(value)) return value.map(unwrap);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrap(v)]));
  return value;
}

class Generator {
  constructor(
    private readonly token: string,
    private readonly implementation: "sdkv2" | "plugin-framework",
    private readonly typeRules: { rules: Record<string, Rule>; knownInPreview?: readonly string[] },
    private readonly base: Omit<Context, "given" | "fill">,
    private readonly preview: boolean,
  ) {}

  /** Every property of `spec`, from the (wire form) inputs in `given`, the rules and the schema. */
  object(spec: ObjectSpec, given: Props | undefined, path: string): Props {
    const out: Props = {};
    for (const [name, prop] of Object.entries(spec.properties)) {
      const at = path ? `${path}.${name}` : name;
      const raw = given?.[name] ?? prop.default;
      const value = this.property(spec, name, prop, isSecret(raw) ? raw.value : raw, at);
      if (value === undefined) continue;
      // SDKv2 wraps a sensitive attribute whatever it holds; PF leaves null and unknown unwrapped.
      const wrap = isSecret(raw) || (prop.secret && (this.implementation === "sdkv2" || (value !== null && value !== UNKNOWN)));
      out[name] = wrap ? secret(value) : value;
    }
    return out;
  }

  private property(spec: ObjectSpec, name: string, prop: PropertySpec, given: unknown, at: string): unknown {
    const rule = this.typeRules.rules[at];
    const context = (): Context => ({ ...this.base, given: unwrap(given), fill: (value) => this.object(objectSpec(prop)!, value, at) });
    if (this.preview) {
      if (rule && this.typeRules.knownInPreview?.includes(at)) return rule(context());
      if (given !== undefined) return this.given(prop, given, at);
      if (isComputed(spec, name)) return UNKNOWN;
      return this.implementation === "sdkv2" ? null : undefined;
    }
    if (rule) return rule(context());
    if (given !== undefined) return this.given(prop, given, at);
    if (isComputed(spec, name)) {
      throw new Error(`provider mocks: ${this.token} computes ${at}, and no rule in tools/provider-mocks.ts says what it writes there`);
    }
    return this.implementation === "sdkv2" ? zeroValue(prop) : undefined;
  }

  /** A given value, with the blocks inside it completed. */
  private given(prop: PropertySpec, value: unknown, at: string): unknown {
    if (value === UNKNOWN || pulumi.Output.isInstance(value)) return UNKNOWN;
    const type = typeOf(prop);
    if (type === "block" && isObject(value)) return this.object(objectSpec(prop)!, value, at);
    if (type === "array" && Array.isArray(value) && prop.items && typeOf(prop.items) === "block") return value.map((item) => this.object(objectSpec(prop.items!)!, item, at));
    return value;
  }
}

/** The id and outputs the provider of `token` answers a registration with; both in wire form. */
export function providerOutputs(token: string, name: string, inputs: Props, options: MockOptions): { id: string | undefined; outputs: Props } {
  const spec = resourceSpec(token);
  const typeRules = RULES[token];
  if (!spec || !typeRules) throw new Error(`provider mocks: no schema or rules for ${token}; add its schema to tools/provider-schemas/ and its rules to tools/provider-mocks.ts`);
  const plain = unwrap(inputs);
  const base = { token, name, inputs: plain, region: options.providerRegion ?? "us-east-1", world: options.world ?? {} };
  const outputs = new Generator(token, spec.implementation, typeRules, base, options.preview).object(spec, inputs, "");
  if (options.preview) return { id: undefined, outputs: { ...outputs, id: UNKNOWN } };
  const id = typeRules.id({ ...base, given: undefined, fill: () => ({}) });
  return { id, outputs: { ...outputs, id, ...(typeRules.meta && spec.implementation === "sdkv2" ? { __meta: typeRules.meta } : {}) } };
}

/** What a data source answers. */
export function invokeOutputs(token: string, inputs: Props, options: Omit<MockOptions, "preview"> = {}): Props {
  const spec = functionOutputs(token);
  const rules = INVOKES[token];
  if (!spec || !rules) throw new Error(`provider mocks: no schema or rules for invoke ${token}`);
  const plain = unwrap(inputs);
  const base = { token, name: token, inputs: plain, region: options.providerRegion ?? "us-east-1", world: options.world ?? {} };
  // Data sources are SDKv2 here: inputs come back as given, the rest computed or zero.
  return new Generator(token, "sdkv2", { rules }, base, false).object(spec, inputs, "");
}

/** The SDK's unknown (preview) → the wire sentinel, so generation sees one form. */
function wireUnknowns(value: unknown): unknown {
  if (isSdkUnknown(value)) return UNKNOWN;
  if (Array.isArray(value)) return value.map(wireUnknowns);
  if (isObject(value) && !pulumi.Resource.isInstance(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wireUnknowns(v)]));
  return value;
}

/**
 * The mocks for Pulumi's mock runtime (`setMocks`). `preview`: what the provider computes stays
 * unknown, as in `pulumi preview`. Unknown resource types fail loudly, so a new type cannot slip
 * in with a made-up shape.
 */
export function providerMocks(preview: boolean, world: MockWorld = {}, providerRegion?: string): pulumi.runtime.Mocks {
  return {
    newResource(args) {
      if (!args.custom) return { id: undefined, state: args.inputs };
      if (args.type.startsWith("pulumi:providers:")) return { id: preview ? undefined : `${args.name}-id`, state: args.inputs };
      const { id, outputs } = providerOutputs(args.type, args.name, wireUnknowns(args.inputs) as Props, { preview, world, providerRegion });
      return { id, state: outputs };
    },
    call(args) {
      return invokeOutputs(args.token, args.inputs, { world, providerRegion });
    },
  };
}
