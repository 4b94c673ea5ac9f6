/**
 * Where `adopt` looks for what exists: live DNS through verify's resolver, and, when their
 * credentials are present, SES (GetEmailIdentity per region), Route 53 (zone ids, record sets)
 * and Cloudflare (record ids). A source without credentials is skipped and says so; credentials
 * a service refuses are the user's to fix (RefusedCredentials, exit 2). Endpoints are the SDKs'
 * own: AWS_ENDPOINT_URL_SESV2 / AWS_ENDPOINT_URL_ROUTE_53 and CLOUDFLARE_BASE_URL move them.
 */
import { GetEmailIdentityCommand, NotFoundException, SESv2Client } from "@aws-sdk/client-sesv2";
import { ListHostedZonesByNameCommand, ListResourceRecordSetsCommand, ResourceRecordSet, Route53Client } from "@aws-sdk/client-route-53";
import { FoundIdentity, FoundRecords } from "../../lib/adopt";
import { normalizeName } from "../../lib/names";
import { RecordType } from "../../lib/records";
import { DomainSpec, isHostedZoneId } from "../../lib/spec";
import { readTxt } from "../../lib/txt";
import { DnsClient } from "../verify/dns";

/** A service turned the credentials down (HTTP 401/403): the user's to fix, exit 2. */
export class RefusedCredentials extends Error {}
/** A service that could not be reached at all (no answer, refused connection, unknown host): exit 3. */
export class Unreachable extends Error {}

/** How a source went: `used`, or `skipped` with the reason. */
export interface SourceStatus {
  source: string;
  status: "used" | "skipped";
  detail: string;
}

/** `name type` → what was found there. */
export type RecordTable = Map<string, FoundRecords>;

export function recordKey(name: string, type: string): string {
  return `${normalizeName(name)} ${type}`;
}

/** Each name and type asked for, as live DNS answers it; names without records are left out. */
export async function fromDns(client: DnsClient, questions: readonly { name: string; type: RecordType }[]): Promise<RecordTable> {
  const table: RecordTable = new Map();
  await Promise.all(
    questions.map(async ({ name, type }) => {
      const answer = await client.query(name, type);
      if (answer.status !== "ok") return;
      table.set(recordKey(name, type), { values: answer.values.map((value) => ({ value })), ttl: client.ttl(name, type), source: "dns" });
    }),
  );
  return table;
}

/** An SDK error that says the credentials are missing (none in the chain): the source is skipped. */
function noCredentials(error: unknown): boolean {
  return (error as Error)?.name === "CredentialsProviderError";
}

function refused(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number }; status?: number })?.$metadata?.httpStatusCode ?? (error as { status?: number })?.status;
  return status === 401 || status === 403;
}

/** Node's socket errors and the clients' own names for a request that got no HTTP answer. */
const NO_ANSWER = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "TimeoutError", "APIConnectionError", "APIConnectionTimeoutError"]);

function unanswered(error: unknown): boolean {
  const e = error as { code?: string; name?: string; cause?: { code?: string } };
  return [e.code, e.name, e.cause?.code, (error as object)?.constructor?.name].some((tag) => tag !== undefined && NO_ANSWER.has(tag));
}

/** The source's failure as the user can act on it, or the error itself when it is ours. */
function failure(service: string, error: unknown, fix: string): Error {
  if (refused(error)) return refusal(service, error, fix);
  if (unanswered(error)) {
    const e = error as Error & { code?: string; cause?: { code?: string } };
    return new Unreachable(`${service} could not be reached (${e.code ?? e.cause?.code ?? errorName(e)}${e.message ? `: ${e.message}` : ""}); check the network, or the endpoint setting (${ENDPOINT_SETTINGS[service]}) if one is set`);
  }
  return error as Error;
}

const ENDPOINT_SETTINGS: Record<string, string> = { SES: "AWS_ENDPOINT_URL_SESV2", "Route 53": "AWS_ENDPOINT_URL_ROUTE_53", Cloudflare: "CLOUDFLARE_BASE_URL" };

const AWS_FIX = "check the AWS profile, keys or role, and that it may call ses:GetEmailIdentity, route53:ListHostedZonesByName and route53:ListResourceRecordSets";
const CLOUDFLARE_FIX = "check CLOUDFLARE_API_TOKEN, and that it may read the zone's DNS records (Zone > DNS > Read)";

function refusal(service: string, error: unknown, fix: string): RefusedCredentials {
  const e = error as Error;
  return new RefusedCredentials(`${service} refused the credentials (${errorName(e)}${e.message ? `: ${e.message}` : ""}); ${fix}`);
}

/** AWS errors are named by their code; the Cloudflare client's by their class. */
function errorName(e: Error): string {
  return e.name && e.name !== "Error" ? e.name : e.constructor?.name;
}

const SKIPPED_AWS = "no AWS credentials (environment, profile or role)";

/** GetEmailIdentity in every region of every domain (SESv2 API Reference, GetEmailIdentity). */
export async function fromSes(domains: readonly DomainSpec[]): Promise<{ identities: Map<string, FoundIdentity | undefined>; status: SourceStatus }> {
  const identities = new Map<string, FoundIdentity | undefined>();
  const clients = new Map<string, SESv2Client>();
  try {
    for (const domain of domains) {
      for (const region of domain.regions) {
        let client = clients.get(region);
        if (!client) clients.set(region, (client = new SESv2Client({ region, maxAttempts: 2 })));
        try {
          const r = await client.send(new GetEmailIdentityCommand({ EmailIdentity: domain.name }));
          identities.set(`${domain.name} ${region}`, {
            tokens: r.DkimAttributes?.Tokens ?? [],
            signingOrigin: r.DkimAttributes?.SigningAttributesOrigin,
            nextSigningKeyLength: r.DkimAttributes?.NextSigningKeyLength,
            mailFromDomain: r.MailFromAttributes?.MailFromDomain || undefined,
            behaviorOnMxFailure: r.MailFromAttributes?.BehaviorOnMxFailure,
          });
        } catch (error) {
          if (error instanceof NotFoundException) identities.set(`${domain.name} ${region}`, undefined);
          else throw error;
        }
      }
    }
  } catch (error) {
    if (noCredentials(error)) return { identities: new Map(), status: { source: "ses", status: "skipped", detail: SKIPPED_AWS } };
    throw failure("SES", error, AWS_FIX);
  } finally {
    for (const client of clients.values()) client.destroy();
  }
  return { identities, status: { source: "ses", status: "used", detail: `GetEmailIdentity in ${[...clients.keys()].join(", ")}` } };
}

/**
 * A record set's values as DNS answers them: Route 53 keeps TXT values quoted, a long one as
 * several quoted strings (Route 53 Developer Guide, "TXT record type"), and names absolute with a dot.
 */
function route53Values(set: ResourceRecordSet): string[] {
  return (set.ResourceRecords ?? []).map(({ Value = "" }) => {
    if (set.Type === "TXT") return readTxt(Value);
    if (set.Type === "MX") {
      const [priority, host = ""] = Value.trim().split(/\s+/);
      return `${priority} ${normalizeName(host)}`;
    }
    return normalizeName(Value);
  });
}

/**
 * Each Route 53 domain's zone id (ListHostedZonesByName for a zone given by name) and every record
 * set in it (ListResourceRecordSets, paged): the API's TTLs are exact, unlike a resolver's.
 */
export async function fromRoute53(domains: readonly DomainSpec[]): Promise<{ zoneIds: Map<string, string>; records: RecordTable; status: SourceStatus }> {
  const zoneIds = new Map<string, string>();
  const records: RecordTable = new Map();
  if (domains.length === 0) return { zoneIds, records, status: { source: "route53", status: "skipped", detail: "no Route 53 domain" } };
  const client = new Route53Client({ region: "us-east-1", maxAttempts: 2 });
  try {
    for (const zone of new Set(domains.map((d) => d.dns.zone!))) {
      let id = isHostedZoneId(zone) ? zone : undefined;
      if (!id) {
        const r = await client.send(new ListHostedZonesByNameCommand({ DNSName: zone, MaxItems: 5 }));
        const hosted = (r.HostedZones ?? []).find((z) => normalizeName(z.Name ?? "") === zone && !z.Config?.PrivateZone);
        if (!hosted) continue;
        id = hosted.Id!.replace(/^\/hostedzone\//, "");
      }
      zoneIds.set(zone, id);
      let start: { StartRecordName?: string; StartRecordType?: ResourceRecordSet["Type"]; StartRecordIdentifier?: string } = {};
      for (;;) {
        const page = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: id, ...start }));
        for (const set of page.ResourceRecordSets ?? []) {
          const key = recordKey(set.Name!, set.Type!);
          const entry = records.get(key) ?? { values: [], source: "route53" };
          // Weighted, latency and other routed sets carry a set identifier; the stack writes simple ones.
          if (set.SetIdentifier) entry.setIdentifiers = [...(entry.setIdentifiers ?? []), set.SetIdentifier];
          else if (!set.AliasTarget) {
            const raw = (set.ResourceRecords ?? []).map((r) => r.Value ?? "");
            entry.values = route53Values(set).map((value, i) => ({ value, raw: raw[i] }));
            entry.ttl = set.TTL;
          }
          records.set(key, entry);
        }
        if (!page.IsTruncated) break;
        start = { StartRecordName: page.NextRecordName, StartRecordType: page.NextRecordType, StartRecordIdentifier: page.NextRecordIdentifier };
      }
    }
  } catch (error) {
    if (noCredentials(error)) return { zoneIds, records: new Map(), status: { source: "route53", status: "skipped", detail: SKIPPED_AWS } };
    throw failure("Route 53", error, AWS_FIX);
  } finally {
    client.destroy();
  }
  return { zoneIds, records, status: { source: "route53", status: "used", detail: `zones ${[...zoneIds].map(([z, id]) => `${z}=${id}`).join(", ") || "(none found)"}` } };
}

/** Every record of each Cloudflare zone, with its id (Cloudflare API, "List DNS Records"). */
export async function fromCloudflare(domains: readonly DomainSpec[], token: string | undefined): Promise<{ records: RecordTable; status: SourceStatus }> {
  const records: RecordTable = new Map();
  if (domains.length === 0) return { records, status: { source: "cloudflare", status: "skipped", detail: "no Cloudflare domain" } };
  if (!token) return { records, status: { source: "cloudflare", status: "skipped", detail: "no CLOUDFLARE_API_TOKEN" } };
  // Loaded only here: a Route 53 user's run never needs it.
  const { default: Cloudflare } = await import("cloudflare");
  const client = new Cloudflare({ apiToken: token, maxRetries: 1 });
  const zones = [...new Set(domains.map((d) => d.dns.zone!))];
  try {
    for (const zone of zones) {
      for await (const r of client.dns.records.list({ zone_id: zone, per_page: 1000 })) {
        if (r.type !== "TXT" && r.type !== "MX" && r.type !== "CNAME") continue;
        // Cloudflare keeps TXT content as it was typed: quoted (as the provider writes it) or not.
        const value = r.type === "TXT" ? readTxt(r.content ?? "") : r.type === "MX" ? `${r.priority} ${normalizeName(r.content ?? "")}` : normalizeName(r.content ?? "");
        const key = recordKey(r.name, r.type);
        const entry = records.get(key) ?? { values: [], ttl: r.ttl, source: "cloudflare" };
        entry.values.push({ value, id: r.id, raw: r.content });
        records.set(key, entry);
      }
    }
  } catch (error) {
    throw failure("Cloudflare", error, CLOUDFLARE_FIX);
  }
  return { records, status: { source: "cloudflare", status: "used", detail: `zones ${zones.join(", ")}` } };
}
