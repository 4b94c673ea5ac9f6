/**
 * One HTTP server on 127.0.0.1 answering the three APIs `adopt` calls, in the services' documented
 * shapes, so the real SDK clients sign, serialize and parse against it:
 * - SES v2 GetEmailIdentity, `GET /v2/email/identities/{EmailIdentity}` (Amazon SES API v2
 *   Reference, GetEmailIdentity: the JSON response syntax; NotFoundException, HTTP 404; the
 *   restJson1 error type in `x-amzn-ErrorType`);
 * - Route 53 ListHostedZonesByName `GET /2013-04-01/hostedzonesbyname` and ListResourceRecordSets
 *   `GET /2013-04-01/hostedzone/{Id}/rrset` (Amazon Route 53 API Reference: the XML response
 *   syntax, `IsTruncated`/`NextRecordName`/`NextRecordType` paging, the `ErrorResponse` document);
 * - Cloudflare "List DNS Records" `GET /zones/{zone_id}/dns_records` (Cloudflare API v4: the
 *   `{success, errors, messages, result, result_info}` envelope, `page`/`per_page` paging).
 * The AWS "Common Errors" page gives the refusal: InvalidClientTokenId, HTTP 403. Requests must
 * carry what the services require (SigV4 with the service's signing name; a bearer token), and
 * the region SES is asked about is read from the signature's credential scope, as the service does.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { AddressInfo } from "node:net";

export interface SesIdentity {
  tokens: string[];
  mailFromDomain?: string;
  behaviorOnMxFailure?: "REJECT_MESSAGE" | "USE_DEFAULT_VALUE";
  origin?: string;
}

export interface Route53Set {
  name: string;
  type: string;
  ttl: number;
  /** As the API holds them: TXT quoted, names absolute with a dot. */
  values: string[];
  /** A routed (here weighted) record set's identifier and weight. */
  setIdentifier?: string;
}

export interface CloudflareRecord {
  id: string;
  name: string;
  type: string;
  content: string;
  ttl: number;
  priority?: number;
}

export interface CloudWorld {
  /** region → domain → identity. */
  ses: Record<string, Record<string, SesIdentity>>;
  /** zone name → its id and record sets. */
  route53: Record<string, { id: string; sets: Route53Set[] }>;
  /** zone id → its records. */
  cloudflare: Record<string, CloudflareRecord[]>;
  cloudflareToken: string;
  /** Answer every request with the service's 403 refusal; `route53`: only Route 53's (keys allowed SES but not Route 53). */
  refuse?: boolean | "route53";
}

export interface CloudServer {
  url: string;
  /** Every request, as `METHOD path`, with the service it was signed for. */
  requests: { line: string; service?: string; region?: string }[];
  close(): Promise<void>;
}

const R53_NS = "https://route53.amazonaws.com/doc/2013-04-01/";

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20261202/us-east-1/ses/aws4_request, SignedHeaders=…, Signature=…`. */
function sigv4Scope(req: IncomingMessage): { region: string; service: string } | undefined {
  const match = /^AWS4-HMAC-SHA256 Credential=[^/]+\/[0-9]{8}\/([a-z0-9-]+)\/([a-z0-9]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}$/.exec(req.headers.authorization ?? "");
  if (!match || !match[3].split(";").includes("host") || !req.headers["x-amz-date"]) return undefined;
  return { region: match[1], service: match[2] };
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": type, "x-amzn-requestid": "b25f48e8-84fd-11e6-80d0-2d8f2b1f1e2f", ...headers });
  res.end(body);
}

function sesAnswer(world: CloudWorld, req: IncomingMessage, res: ServerResponse, path: string): void {
  const scope = sigv4Scope(req);
  if (!scope || scope.service !== "ses") return send(res, 403, "application/json", JSON.stringify({ message: "Missing Authentication Token" }), { "x-amzn-errortype": "MissingAuthenticationTokenException" });
  if (world.refuse === true) return send(res, 403, "application/json", JSON.stringify({ message: "The security token included in the request is invalid." }), { "x-amzn-errortype": "InvalidClientTokenId:http://internal.amazon.com/coral/com.amazon.coral.service/" });
  const domain = decodeURIComponent(path.slice("/v2/email/identities/".length));
  const identity = world.ses[scope.region]?.[domain];
  if (!identity) return send(res, 404, "application/json", JSON.stringify({ message: `Email identity ${domain} does not exist.` }), { "x-amzn-errortype": "NotFoundException" });
  send(
    res,
    200,
    "application/json",
    JSON.stringify({
      IdentityType: "DOMAIN",
      FeedbackForwardingStatus: true,
      VerifiedForSendingStatus: true,
      DkimAttributes: {
        SigningEnabled: true,
        Status: "SUCCESS",
        Tokens: identity.tokens,
        SigningAttributesOrigin: identity.origin ?? "AWS_SES",
        NextSigningKeyLength: "RSA_2048_BIT",
        CurrentSigningKeyLength: "RSA_2048_BIT",
        LastKeyGenerationTimestamp: 1764547200,
      },
      MailFromAttributes: identity.mailFromDomain
        ? { MailFromDomain: identity.mailFromDomain, MailFromDomainStatus: "SUCCESS", BehaviorOnMxFailure: identity.behaviorOnMxFailure ?? "USE_DEFAULT_VALUE" }
        : { MailFromDomain: "", MailFromDomainStatus: "SUCCESS", BehaviorOnMxFailure: "USE_DEFAULT_VALUE" },
      Policies: {},
      Tags: [],
      VerificationStatus: "SUCCESS",
      VerificationInfo: { LastCheckedTimestamp: 1764547200, LastSuccessTimestamp: 1764547200 },
    }),
  );
}

function route53Answer(world: CloudWorld, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const scope = sigv4Scope(req);
  const error = (status: number, code: string, message: string) =>
    send(res, status, "text/xml", `<?xml version="1.0"?>\n<ErrorResponse xmlns="${R53_NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>b25f48e8-84fd-11e6-80d0-2d8f2b1f1e2f</RequestId></ErrorResponse>`);
  if (!scope || scope.service !== "route53") return error(403, "MissingAuthenticationToken", "Missing Authentication Token");
  if (world.refuse === "route53") return error(403, "AccessDenied", "User: arn:aws:iam::123456789012:user/adopt is not authorized to perform: route53:ListHostedZonesByName");
  if (world.refuse) return error(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
  if (url.pathname === "/2013-04-01/hostedzonesbyname") {
    const name = (url.searchParams.get("dnsname") ?? "").replace(/\.?$/, ".");
    const zones = Object.entries(world.route53).filter(([zone]) => `${zone}.` >= name);
    const body = zones
      .map(([zone, z]) => `<HostedZone><Id>/hostedzone/${z.id}</Id><Name>${zone}.</Name><CallerReference>console-2026</CallerReference><Config><Comment>made by hand</Comment><PrivateZone>false</PrivateZone></Config><ResourceRecordSetCount>${z.sets.length}</ResourceRecordSetCount></HostedZone>`)
      .join("");
    return send(res, 200, "text/xml", `<?xml version="1.0" encoding="UTF-8"?>\n<ListHostedZonesByNameResponse xmlns="${R53_NS}"><HostedZones>${body}</HostedZones><DNSName>${name}</DNSName><IsTruncated>false</IsTruncated><MaxItems>${url.searchParams.get("maxitems") ?? 100}</MaxItems></ListHostedZonesByNameResponse>`);
  }
  const match = /^\/2013-04-01\/hostedzone\/([A-Z0-9]+)\/rrset$/.exec(url.pathname);
  const zone = match && Object.values(world.route53).find((z) => z.id === match[1]);
  if (!zone) return error(404, "NoSuchHostedZone", `No hosted zone found with ID: ${match?.[1]}`);
  // Two sets a page, so the client has to follow NextRecordName/NextRecordType.
  const startName = url.searchParams.get("name");
  const startType = url.searchParams.get("type");
  const from = startName ? zone.sets.findIndex((s) => s.name === startName && s.type === startType) : 0;
  const page = zone.sets.slice(from, from + 2);
  const next = zone.sets[from + 2];
  const sets = page
    .map((s) => `<ResourceRecordSet><Name>${escapeXml(s.name)}</Name><Type>${s.type}</Type>${s.setIdentifier ? `<SetIdentifier>${escapeXml(s.setIdentifier)}</SetIdentifier><Weight>10</Weight>` : ""}<TTL>${s.ttl}</TTL><ResourceRecords>${s.values.map((v) => `<ResourceRecord><Value>${escapeXml(v)}</Value></ResourceRecord>`).join("")}</ResourceRecords></ResourceRecordSet>`)
    .join("");
  const paging = next ? `<IsTruncated>true</IsTruncated><MaxItems>2</MaxItems><NextRecordName>${escapeXml(next.name)}</NextRecordName><NextRecordType>${next.type}</NextRecordType>` : `<IsTruncated>false</IsTruncated><MaxItems>2</MaxItems>`;
  send(res, 200, "text/xml", `<?xml version="1.0" encoding="UTF-8"?>\n<ListResourceRecordSetsResponse xmlns="${R53_NS}"><ResourceRecordSets>${sets}</ResourceRecordSets>${paging}</ListResourceRecordSetsResponse>`);
}

function cloudflareAnswer(world: CloudWorld, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const envelope = (status: number, body: object) => send(res, status, "application/json", JSON.stringify({ errors: [], messages: [], ...body }));
  if (req.headers.authorization !== `Bearer ${world.cloudflareToken}` || world.refuse === true) return envelope(403, { success: false, errors: [{ code: 10000, message: "Authentication error" }], result: null });
  const match = /^\/client\/v4\/zones\/([0-9a-f]{32})\/dns_records$/.exec(url.pathname);
  const records = match && world.cloudflare[match[1]];
  if (!records) return envelope(404, { success: false, errors: [{ code: 7003, message: "Could not route to /zones/…/dns_records, perhaps your object identifier is invalid?" }], result: null });
  const page = Number(url.searchParams.get("page") ?? 1);
  const perPage = Number(url.searchParams.get("per_page") ?? 100);
  const result = records.slice((page - 1) * perPage, page * perPage).map((r) => ({
    id: r.id,
    name: r.name,
    type: r.type,
    content: r.content,
    proxiable: r.type === "CNAME",
    proxied: false,
    ttl: r.ttl,
    ...(r.priority !== undefined && { priority: r.priority }),
    settings: r.type === "CNAME" ? { flatten_cname: false } : {},
    meta: {},
    comment: null,
    tags: [],
    created_on: "2026-01-05T09:00:00.000000Z",
    modified_on: "2026-01-05T09:00:00.000000Z",
  }));
  envelope(200, { success: true, result, result_info: { page, per_page: perPage, count: result.length, total_count: records.length, total_pages: Math.ceil(records.length / perPage) } });
}

export async function startCloudServer(world: CloudWorld): Promise<CloudServer> {
  const requests: CloudServer["requests"] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const scope = sigv4Scope(req);
    requests.push({ line: `${req.method} ${url.pathname}`, service: scope?.service, region: scope?.region });
    if (req.method !== "GET") return send(res, 405, "text/plain", "adopt only reads");
    if (url.pathname.startsWith("/v2/email/identities/")) return sesAnswer(world, req, res, url.pathname);
    if (url.pathname.startsWith("/2013-04-01/")) return route53Answer(world, req, res, url);
    if (url.pathname.startsWith("/client/v4/")) return cloudflareAnswer(world, req, res, url);
    send(res, 404, "text/plain", "no such API here");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The environment that points the SDKs at the server, with credentials as an IAM user's keys would be. */
export function cloudEnv(server: CloudServer, base: NodeJS.ProcessEnv, cloudflareToken?: string): NodeJS.ProcessEnv {
  return {
    ...base,
    AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    AWS_ENDPOINT_URL_SESV2: server.url,
    AWS_ENDPOINT_URL_ROUTE_53: server.url,
    CLOUDFLARE_BASE_URL: `${server.url}/client/v4`,
    ...(cloudflareToken && { CLOUDFLARE_API_TOKEN: cloudflareToken }),
  };
}
