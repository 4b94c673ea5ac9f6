/**
 * What `plan` and `audit` print, built the same way from either source: the stack's resources and
 * DNS records as the policy pack's own facts see them (policy/facts.ts, so a record is named,
 * unquoted and assigned to its domain exactly as the policies judge it), then the policy findings.
 */
import { isAtOrBelow, organizationalDomain } from "../../lib/names";
import { dkimTokenPlaceholder, easyDkimName, easyDkimTarget, isDkimTokenPlaceholder, RecordType } from "../../lib/records";
import { renderZoneFile } from "../../lib/zonefile";
import { DnsRecord, Identity, StackFacts } from "../../policy/facts";
import { isUnknown, Maybe, read } from "../../policy/preview";
import { Finding, policyResources } from "../run-policies";
import { isProviderType, ROOT_STACK_TYPE, StackResource, StackResources } from "./engine";

/** How a value the engine knows only after apply is shown. */
export const KNOWN_AFTER_APPLY = "(known after apply)";

export interface ReportResource {
  urn: string;
  type: string;
  name: string;
  /** The SES region it lives in; absent for global resources (DNS records). */
  region?: string;
  /** The SES domain it belongs to: for grouping, not part of the JSON. */
  domain: string;
}

export interface ReportRecord {
  /** The SES domain the record serves (else the organizational domain of its name). */
  domain: string;
  /** The SES region it serves, when it serves one region only. */
  region?: string;
  name: string;
  type: string;
  values: string[];
  ttl: number | string;
}

export interface Report {
  stack: string;
  resources: ReportResource[];
  records: ReportRecord[];
  violations: Finding[];
  /** What the program warned of (plan: pulumi.log.warn during the mocked preview; audit: none). */
  warnings: string[];
  /** Each SES receipt rule of the stack (receiving DMARC reports): where mail goes, and the rule set choice. */
  receiving: ReportReceiving[];
}

export interface ReportReceiving {
  region: string;
  rule: string;
  recipients: string[];
  ruleSet: string;
  /** `create`: the stack creates the rule set and makes it the active one; `existing`: the rule joins a set made active elsewhere. */
  ruleSetMode: "create" | "existing";
  scanEnabled: boolean;
  tlsPolicy: string;
  /** `s3://bucket/prefix` of each S3 action. */
  stores: string[];
  /** Whether the stack creates the bucket, and its expiry in days when it sets one. */
  bucketCreated: boolean;
  expirationDays?: number;
}

const RECEIPT_RULE = "aws:ses/receiptRule:ReceiptRule";
const RECEIPT_RULE_SET = "aws:ses/receiptRuleSet:ReceiptRuleSet";
const ACTIVE_RULE_SET = "aws:ses/activeReceiptRuleSet:ActiveReceiptRuleSet";
const BUCKET = "aws:s3/bucket:Bucket";
const LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";

/** The receipt rules as the resources declare them; a value known only after apply reads as such. */
function receivingOf(view: readonly { type: string; props: Record<string, unknown> }[]): ReportReceiving[] {
  const text = (v: unknown) => String(known(read(() => v)));
  const ofType = (type: string) => view.filter((r) => r.type === type).map((r) => r.props as Record<string, any>);
  const activated = new Set(ofType(ACTIVE_RULE_SET).map((p) => text(p.ruleSetName)));
  const createdSets = new Set(ofType(RECEIPT_RULE_SET).map((p) => text(p.ruleSetName)));
  const buckets = new Set(ofType(BUCKET).map((p) => text(p.bucket)));
  const expiry = new Map(ofType(LIFECYCLE).map((p) => [text(p.bucket), read(() => p.rules?.[0]?.expiration?.days as number)]));
  return ofType(RECEIPT_RULE).map((p) => {
    const ruleSet = text(p.ruleSetName);
    const s3 = (read(() => p.s3Actions as Record<string, unknown>[]) ?? []) as Record<string, unknown>[];
    const bucket = isUnknown(s3) ? KNOWN_AFTER_APPLY : text(s3[0]?.bucketName);
    const days = expiry.get(bucket);
    return {
      region: text(p.region),
      rule: text(p.name),
      recipients: (read(() => p.recipients as string[]) as string[]).map(text),
      ruleSet,
      ruleSetMode: createdSets.has(ruleSet) && activated.has(ruleSet) ? "create" : "existing",
      scanEnabled: p.scanEnabled === true,
      tlsPolicy: text(p.tlsPolicy ?? "Optional"),
      stores: isUnknown(s3) ? [KNOWN_AFTER_APPLY] : s3.map((a) => `s3://${text(a.bucketName)}/${a.objectKeyPrefix === undefined ? "" : text(a.objectKeyPrefix)}`),
      bucketCreated: buckets.has(bucket),
      ...(typeof days === "number" && { expirationDays: days }),
    };
  });
}

/** Where a resource belongs, for grouping. */
interface Place {
  domain: string;
  region?: string;
}

function known<T>(value: Maybe<T>): T | string {
  return isUnknown(value) ? KNOWN_AFTER_APPLY : value;
}

/** The identity a record serves: the one whose tokens it carries, or whose MAIL FROM it is. */
function placeOfRecord(record: DnsRecord, identities: readonly Identity[]): Place {
  const signed = identities.filter((id) => id.dkim.kind === "easy" && record.signers.includes(id.dkim.signer));
  if (signed.length) return { domain: signed[0].domain, region: signed.length === 1 ? signed[0].region : undefined };
  const name = record.name;
  if (isUnknown(name)) return { domain: KNOWN_AFTER_APPLY };
  const mailFrom = identities.filter((id) => id.mailFrom?.domain === name);
  if (mailFrom.length) return { domain: mailFrom[0].domain, region: mailFrom.length === 1 ? mailFrom[0].region : undefined };
  // DMARC, BYODKIM and anything else: the most specific identity domain it is at or below.
  const owner = identities.filter((id) => isAtOrBelow(name, id.domain)).sort((a, b) => b.domain.length - a.domain.length)[0];
  return { domain: owner?.domain ?? organizationalDomain(name) };
}

function placesOf(facts: StackFacts, records: readonly ReportRecord[]): Map<string, Place> {
  const places = new Map<string, Place>();
  for (const id of facts.identities) {
    const place = { domain: id.domain, region: id.region };
    places.set(id.resource.urn, place);
    if (id.dkim.kind === "easy") places.set(id.dkim.signer, place);
    if (id.mailFrom) places.set(id.mailFrom.resource.urn, place);
  }
  // A DNS record serves a region but lives in no region: Route 53 and Cloudflare are global.
  facts.records.forEach((r, i) => places.set(r.resource.urn, { domain: records[i].domain }));
  return places;
}

/**
 * A resource the facts do not place (a configuration set, an address identity): its own region,
 * and the domain of the nearest component above it that holds placed resources, else the name of
 * its own component (the program names components after their domain or address).
 */
function componentPlace(resource: StackResource, props: Record<string, unknown>, byUrn: Map<string, StackResource>, componentDomains: Map<string, string>): Place {
  const region = read(() => props.region);
  const isComponent = (r: StackResource | undefined): r is StackResource => r !== undefined && r.type !== ROOT_STACK_TYPE;
  const own = resource.parent ? byUrn.get(resource.parent) : undefined;
  let domain = isComponent(own) ? own.name : "(other)";
  for (let c = own; isComponent(c); c = c.parent ? byUrn.get(c.parent) : undefined) {
    const placed = componentDomains.get(c.urn);
    if (placed) {
      domain = placed;
      break;
    }
  }
  return { domain, region: typeof region === "string" ? region : undefined };
}

/** The report of a stack's resources (a mocked preview or an export) and the findings on them. */
export function buildReport({ stack, resources }: StackResources, violations: Finding[], warnings: string[] = []): Report {
  const policyView = policyResources(resources);
  const facts = new StackFacts(policyView);
  const dkimRecordsSeen = new Map<string, number>();
  const records = facts.records.map((r): ReportRecord => {
    const place = placeOfRecord(r, facts.identities);
    const values = known(r.values);
    const record: ReportRecord = {
      ...place,
      name: known(r.name),
      type: known(r.type),
      values: typeof values === "string" ? [values] : values,
      ttl: known(read(() => r.resource.props.ttl as number)),
    };
    // An Easy DKIM CNAME waiting for its token: say where it will be and what it will point at.
    if (isUnknown(r.name) && r.type === "CNAME" && place.region !== undefined && r.signers.length === 1) {
      const index = dkimRecordsSeen.get(r.signers[0]) ?? 0;
      dkimRecordsSeen.set(r.signers[0], index + 1);
      const token = dkimTokenPlaceholder(index);
      record.name = easyDkimName(place.domain, token);
      if (isUnknown(r.values)) record.values = [easyDkimTarget(place.region, token)];
    }
    return record;
  });
  const places = placesOf(facts, records);
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const componentDomains = new Map<string, string>();
  for (const r of resources) {
    const place = places.get(r.urn);
    if (place && r.parent && !componentDomains.has(r.parent)) componentDomains.set(r.parent, place.domain);
  }
  const listed = resources.flatMap((r, i) => {
    if (!r.custom || isProviderType(r.type)) return [];
    const { domain, region } = places.get(r.urn) ?? componentPlace(r, policyView[i].props, byUrn, componentDomains);
    return [{ urn: r.urn, type: r.type, name: r.name, ...(region ? { region } : {}), domain }];
  });
  return { stack, resources: listed, records, violations, warnings, receiving: receivingOf(policyView) };
}

/**
 * The `--json` object: `{stack, resources: [{urn, type, name, region?}], records, warnings, violations:
 * [{policy, level, urn, message}]}`; `urn` is null for a finding about the stack as a whole.
 */
export function toJson(report: Report): string {
  const resources = report.resources.map(({ domain: _, ...resource }) => resource);
  const violations = report.violations.map(({ policy, level, urn, message }) => ({ policy, level, urn: urn ?? null, message }));
  return `${JSON.stringify({ ...report, resources, violations }, null, 2)}\n`;
}

/** 0: no mandatory violation; 1: at least one. */
export function exitStatus(report: Report): 0 | 1 {
  return report.violations.some((v) => v.level === "mandatory") ? 1 : 0;
}

/** The record types lib/zonefile.ts presents. */
const ZONE_FILE_TYPES: ReadonlySet<string> = new Set<string>(Object.values(RecordType));

/**
 * `--zone-file`: the records as a BIND fragment. A record not known until apply (or of a type
 * this tool does not present) stays a comment, so the fragment still loads.
 */
export function formatZoneFile(report: Report): string {
  return report.records
    .map((r) => {
      const fields = [r.name, r.type, ...r.values];
      const known = !fields.includes(KNOWN_AFTER_APPLY) && !fields.some(isDkimTokenPlaceholder);
      if (known && ZONE_FILE_TYPES.has(r.type) && typeof r.ttl === "number") return renderZoneFile([{ ...r, type: r.type as RecordType, ttl: r.ttl }]);
      return r.values.map((v) => `; ${r.name}\t${r.ttl}\tIN\t${r.type}\t${v}\n`).join("");
    })
    .join("");
}

function table(rows: string[][], indent: string): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  return rows.map((row) => `${indent}${row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]))).join("  ")}`.trimEnd());
}

/** Readable in a terminal: per domain, its resources by region, then its DNS records; then the findings. */
export function formatText(report: Report, title: string): string {
  const lines = [`${title}: ${report.resources.length} resources, ${report.records.length} DNS records`, ""];
  const domains = [...new Set([...report.resources.map((r) => r.domain), ...report.records.map((r) => r.domain)])];
  for (const domain of domains) {
    lines.push(domain);
    const resources = report.resources.filter((r) => r.domain === domain);
    for (const region of [...new Set(resources.map((r) => r.region))]) {
      lines.push(`  ${region ?? "global"}`);
      lines.push(...table(resources.filter((r) => r.region === region).map((r) => [r.type, r.name]), "    "));
    }
    const records = report.records.filter((r) => r.domain === domain);
    if (records.length) {
      lines.push("  DNS records");
      const rows = records.flatMap((r) => r.values.map((v) => [r.name, r.type, String(r.ttl), r.region ?? "", v]));
      lines.push(...table([["NAME", "TYPE", "TTL", "REGION", "VALUE"], ...rows], "    "));
    }
    lines.push("");
  }
  for (const r of report.receiving) {
    lines.push(`Receiving (SES ${r.region}): ${r.recipients.join(", ")}`);
    lines.push(
      r.ruleSetMode === "create"
        ? `  rule set  ${r.ruleSet}: created and made the active set, replacing any other set active in ${r.region}`
        : `  rule set  ${r.ruleSet}: an existing set; the rule is added to it, which must be the active set in ${r.region}`,
    );
    lines.push(`  rule      ${r.rule}: spam and virus scanning ${r.scanEnabled ? "on" : "OFF"}, TLS ${r.tlsPolicy === "Require" ? "required" : "optional"}`);
    for (const store of r.stores) {
      lines.push(`  stored in ${store} (${r.bucketCreated ? `bucket created by the stack${r.expirationDays ? `, messages expire after ${r.expirationDays} days` : ""}` : "existing bucket: its policy must let SES write, see the reports.bucketPolicyStatement output"})`);
    }
    lines.push("");
  }
  if (report.warnings.length) {
    lines.push(`Program warnings: ${report.warnings.length} (the config is valid; pulumi preview shows them too)`);
    for (const w of report.warnings) lines.push(`  ${w}`);
    lines.push("");
  }
  const mandatory = report.violations.filter((v) => v.level === "mandatory").length;
  lines.push(`Policy results: ${mandatory} mandatory, ${report.violations.length - mandatory} advisory`);
  for (const v of report.violations) {
    lines.push(`  [${v.level}] ${v.policy}: ${v.message}`);
    if (v.urn) lines.push(`      ${v.urn}`);
  }
  lines.push(mandatory ? "Mandatory violations: `pulumi up` with this policy pack would be refused." : "No mandatory violation.");
  return `${lines.join("\n")}\n`;
}
