/**
 * Any program's SES and DNS resources → the facts lib/ judges. Recognises the SESv2 and SES v1
 * resources, Route 53 and Cloudflare (v6 DnsRecord, v5 Record) records with FQDN or zone-relative
 * names, and links records to identities through property dependencies, never through values that
 * preview cannot know. Built once per policy run, in one pass over the resources plus map lookups.
 */
import { PolicyResource } from "@pulumi/policy";
import { PathSetup } from "../lib/alignment";
import { DmarcDns, TxtAnswer, UnknownAnswer } from "../lib/dmarc";
import { isAtOrBelow, normalizeName } from "../lib/names";
import { dkimPublicKey, dkimSelectorName, EASY_DKIM_TOKENS, easyDkimName, easyDkimTarget, parseMx } from "../lib/records";
import { dkimHost, feedbackHost, isSesDkimHost, regionOfFeedbackHost } from "../lib/regions";
import { checkSesSpf } from "../lib/spf";
import {
  At,
  byodkimSelector,
  cloudflareRecordValues,
  dkimOrigin,
  Recorded,
  recordedName,
  recordedNumber,
  recordedObject,
  recordedString,
  recordedStrings,
  revealed,
  route53RecordValues,
  StateValueError,
  UNREADABLE,
} from "../lib/state";
import { fromDomainsOfTags } from "../lib/tags";
import { isUnknown, Maybe, read, Unknown, unreadableAt } from "./preview";

export const TYPES = {
  sesv2Identity: "aws:sesv2/emailIdentity:EmailIdentity",
  sesv2MailFrom: "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes",
  sesIdentity: "aws:ses/domainIdentity:DomainIdentity",
  sesDkim: "aws:ses/domainDkim:DomainDkim",
  sesMailFrom: "aws:ses/mailFrom:MailFrom",
  route53Record: "aws:route53/record:Record",
  route53Zone: "aws:route53/zone:Zone",
  cloudflareDnsRecord: "cloudflare:index/dnsRecord:DnsRecord",
  cloudflareRecord: "cloudflare:index/record:Record",
  cloudflareZone: "cloudflare:index/zone:Zone",
} as const;

/**
 * A resource's attribute at `path` (dot-separated), read as lib/state.ts reads what a provider
 * recorded: unset zero values are undefined; a value unknown in preview, or a secret that cannot be
 * read here, is Unknown (what depends on it is neither passed nor failed).
 */
export function attr<T>(r: PolicyResource, path: string, reader: (value: unknown, at: At) => Recorded<T>, props: Record<string, any> = r.props): Maybe<T | undefined> {
  const value = read(() => {
    let value: unknown = props;
    for (const key of path.split(".")) {
      const v = revealed(value);
      if (v === UNREADABLE) break; // a secret block: the reader makes the whole of it UNREADABLE
      value = typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;
    }
    return reader(value, { urn: r.urn, property: path });
  });
  return value === UNREADABLE ? unreadableAt(path) : value;
}

/** An attribute every such resource has; its absence is a shape no provider writes. */
function required<T>(r: PolicyResource, path: string, value: Maybe<T | undefined>, what: string): Maybe<T> {
  if (value === undefined) throw new StateValueError(r.urn, path, what, value);
  return value;
}

/** Resources whose outputs Easy DKIM record names and targets are computed from. */
const SIGNER_TYPES: ReadonlySet<string> = new Set([TYPES.sesv2Identity, TYPES.sesDkim]);
/** The inputs of a record that say where it is and what it holds. */
const RECORD_VALUE_PROPS = ["name", "content", "value", "records"];

export interface DnsRecord {
  resource: PolicyResource;
  provider: "route53" | "cloudflare";
  type: Maybe<string>;
  /** Absolute, lower case, no trailing dot (zone-relative names resolved when the zone is known). */
  name: Maybe<string>;
  /** What a resolver returns: TXT unsplit and unquoted, CNAME targets and MX `priority host` normalised. */
  values: Maybe<string[]>;
  /** URNs of the SES identities (or v1 DomainDkim) the name or value is computed from. */
  signers: string[];
}

export type DkimConfig =
  /** `tokens` undefined: the state records none. */
  | { kind: "easy"; signer: string; tokens: Maybe<string[] | undefined> }
  /** `selector` undefined: the state records none (neither from config nor from SES). */
  | { kind: "byodkim"; selector: Maybe<string | undefined> }
  /** Deterministic Easy DKIM: the parent identity's tokens and records, in its region (lib/state.ts). */
  | { kind: "replica"; parentRegion: string; tokens: Maybe<string[] | undefined> }
  | { kind: "unrecognised"; origin: string }
  /** An SES v1 identity without a DomainDkim: SES does not sign its mail. */
  | { kind: "none" };

/** One SES domain identity in one region. */
export interface Identity {
  domain: string;
  /** undefined: neither the resource nor its provider names a region (the provider falls back to its environment). */
  region?: string;
  resource: PolicyResource;
  dkim: DkimConfig;
  mailFrom?: { domain: Maybe<string>; resource: PolicyResource };
  /** Further From domains the identity's tags name (lib/tags.ts); none when unknown in preview. */
  fromDomains: string[];
}

/** What receivers would find for DMARC, as far as a stack tells. */
export interface StackDmarc extends DmarcDns {
  /** The preview error behind the first of `names` that is known only after apply, if any. */
  causeOf(names: readonly string[]): Unknown | undefined;
}

/** Why a `_dmarc` name outside the stack is not known (the pack's `externalDmarc` can tell). */
const OUTSIDE_STACK = "is outside this stack";

/** A path's setup, with the preview error behind an "unknown" state. */
export interface Setup extends PathSetup {
  cause?: Unknown;
}

/** `a.b.c`, `b.c`, `c`. */
function ancestorsOrSelf(name: string): string[] {
  const labels = name.split(".");
  return labels.map((_, i) => labels.slice(i).join("."));
}

/** For messages: where an identity is. */
export function where(id: Identity): string {
  return `${id.domain} (${id.region ?? "provider's default region"})`;
}

/** A resource's own `region`, else its provider's (an unset `""` region is the provider's). */
export function regionOf(r: PolicyResource): Maybe<string | undefined> {
  const own = attr(r, "region", recordedString);
  if (own !== undefined || !r.provider) return own;
  return attr(r, "region", recordedString, r.provider.props);
}

/** URNs of the SES signers a record's name or value is computed from. */
function signersOf(r: PolicyResource): string[] {
  const byProp = r.propertyDependencies ?? {};
  // Without property dependencies (an old state file, say) the resource's dependencies stand in.
  const deps = Object.keys(byProp).length ? RECORD_VALUE_PROPS.flatMap((p) => byProp[p] ?? []) : (r.dependencies ?? []);
  const signers: string[] = [];
  for (const d of deps) if (SIGNER_TYPES.has(d.type) && !signers.includes(d.urn)) signers.push(d.urn);
  return signers;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const built = new WeakMap<readonly PolicyResource[], StackFacts>();

export class StackFacts {
  /**
   * The facts of a resource list, built once per list: the engine gives each policy its own list,
   * the local runner shares one between all policies of a run.
   */
  static of(resources: readonly PolicyResource[]): StackFacts {
    let facts = built.get(resources);
    if (!facts) built.set(resources, (facts = new StackFacts(resources)));
    return facts;
  }

  readonly identities: Identity[] = [];
  /** Identities whose domain or region is known only after apply (or is a secret this tool cannot read). */
  readonly unresolvedIdentities: { resource: PolicyResource; cause: Unknown }[] = [];
  readonly records: DnsRecord[] = [];
  private readonly identityByKey = new Map<string, Identity>();
  private readonly identityByUrn = new Map<string, Identity>();
  private readonly recordsAt = new Map<string, DnsRecord[]>();
  private readonly recordsBySigner = new Map<string, DnsRecord[]>();
  /** Records whose name or type is unknown and that no identity accounts for: they may be anywhere. */
  private readonly unplaced: DnsRecord[] = [];
  private readonly zoneNameById = new Map<string, string>();
  /** Apexes of the zones the stack declares: it owns every name in them. */
  private readonly zoneApexes = new Set<string>();
  /** One DMARC view per set of records published elsewhere, so judgements made through it are shared. */
  private readonly dmarcViews = new Map<string, StackDmarc>();
  private dmarcNames?: { owned: Set<string>; existing: Set<string> };

  constructor(resources: readonly PolicyResource[]) {
    const byType = new Map<string, PolicyResource[]>();
    for (const r of resources) pushTo(byType, r.type, r);
    const ofType = (type: string) => byType.get(type) ?? [];

    for (const r of ofType(TYPES.sesv2Identity)) this.addSesv2Identity(r);
    for (const r of ofType(TYPES.sesIdentity)) this.addIdentity(r, required(r, "domain", attr(r, "domain", recordedString), "the identity's domain"), { kind: "none" });
    for (const r of ofType(TYPES.sesDkim)) this.addDomainDkim(r);
    for (const r of ofType(TYPES.sesv2MailFrom)) this.addMailFrom(r, "emailIdentity");
    for (const r of ofType(TYPES.sesMailFrom)) this.addMailFrom(r, "domain");

    for (const z of [...ofType(TYPES.route53Zone), ...ofType(TYPES.cloudflareZone)]) {
      const zoneId = attr(z, "zoneId", recordedString);
      const id = zoneId === undefined ? attr(z, "id", recordedString) : zoneId;
      const name = this.zoneName(z);
      if (name) this.zoneApexes.add(normalizeName(name));
      if (typeof id === "string" && name) this.zoneNameById.set(id, name);
    }
    const tokenOwners = this.tokenOwners();
    for (const r of ofType(TYPES.route53Record)) this.addRecord(this.route53Record(r), tokenOwners);
    for (const r of [...ofType(TYPES.cloudflareDnsRecord), ...ofType(TYPES.cloudflareRecord)]) this.addRecord(this.cloudflareRecord(r), tokenOwners);
  }

  // --- identities ---

  private addSesv2Identity(r: PolicyResource): void {
    const name = required(r, "emailIdentity", attr(r, "emailIdentity", recordedString), "the identity's domain or address");
    if (typeof name === "string" && name.includes("@")) return; // an email-address identity: no DNS
    const tags = attr(r, "tags", recordedObject);
    const fromDomains = isUnknown(tags) ? [] : fromDomainsOfTags(tags);
    this.addIdentity(r, name, this.sesv2Dkim(r), fromDomains);
  }

  /** The DKIM strategy SES reports (lib/state.ts); in preview, the inputs say what they can. */
  private sesv2Dkim(r: PolicyResource): DkimConfig {
    const block = read(() => r.props.dkimSigningAttributes as unknown);
    // A block left out of the inputs is computed as a whole during preview: that is Easy DKIM.
    if (isUnknown(block)) return { kind: "easy", signer: r.urn, tokens: block };
    const field = <T>(name: string, reader: (value: unknown, at: At) => Recorded<T>) => attr(r, `dkimSigningAttributes.${name}`, reader);
    const origin = field("signingAttributesOrigin", recordedString);
    const selector = field("domainSigningSelector", recordedString);
    const tokens = field("tokens", recordedStrings);
    if (typeof origin === "string") {
      const strategy = dkimOrigin(origin);
      switch (strategy.kind) {
        case "easy":
          return { kind: "easy", signer: r.urn, tokens };
        case "byodkim": {
          // A selector unknown in preview waits; one the state keeps secret is also SES's only token.
          if (isUnknown(selector) && !selector.unreadable) return { kind: "byodkim", selector };
          const own = isUnknown(selector) ? undefined : selector;
          if (own === undefined && isUnknown(tokens)) return { kind: "byodkim", selector: tokens };
          return { kind: "byodkim", selector: byodkimSelector(own, isUnknown(tokens) ? undefined : tokens) };
        }
        case "replica":
          return { kind: "replica", parentRegion: strategy.parentRegion, tokens };
        case "unrecognised":
          return strategy;
      }
    }
    return selector === undefined ? { kind: "easy", signer: r.urn, tokens } : { kind: "byodkim", selector };
  }

  private addIdentity(r: PolicyResource, domain: Maybe<string>, dkim: DkimConfig, fromDomains: string[] = []): void {
    const region = regionOf(r);
    if (isUnknown(domain) || isUnknown(region)) {
      this.unresolvedIdentities.push({ resource: r, cause: isUnknown(domain) ? domain : (region as Unknown) });
      return;
    }
    const identity: Identity = { domain: normalizeName(domain), region, resource: r, dkim, fromDomains };
    const key = `${identity.domain} ${region ?? ""}`;
    // A second resource for the same domain and region (a duplicate) joins the first.
    const existing = this.identityByKey.get(key);
    this.identityByUrn.set(r.urn, existing ?? identity);
    if (existing) {
      existing.fromDomains.push(...fromDomains);
      return;
    }
    this.identityByKey.set(key, identity);
    this.identities.push(identity);
  }

  /** The identity a v1 DomainDkim or a MAIL FROM resource configures: by dependency, else by domain and region. */
  private identityFor(r: PolicyResource, prop: string): Identity | undefined {
    for (const dep of r.propertyDependencies?.[prop] ?? []) {
      const identity = this.identityByUrn.get(dep.urn);
      if (identity) return identity;
    }
    const domain = attr(r, prop, recordedString);
    const region = regionOf(r);
    if (isUnknown(domain) || domain === undefined || isUnknown(region)) return undefined;
    return this.identityByKey.get(`${normalizeName(domain)} ${region ?? ""}`);
  }

  private addDomainDkim(r: PolicyResource): void {
    const dkim: DkimConfig = { kind: "easy", signer: r.urn, tokens: attr(r, "dkimTokens", recordedStrings) };
    const identity = this.identityFor(r, "domain");
    if (identity) {
      identity.dkim = dkim;
      this.identityByUrn.set(r.urn, identity);
    }
    // The identity itself may live in another stack; DomainDkim still says domain and region.
    else this.addIdentity(r, required(r, "domain", attr(r, "domain", recordedString), "the identity's domain"), dkim);
  }

  private addMailFrom(r: PolicyResource, identityProp: string): void {
    const identity = this.identityFor(r, identityProp);
    if (!identity) return;
    const domain = attr(r, "mailFromDomain", recordedString);
    if (domain === undefined) return; // "" is how the provider records "no custom MAIL FROM"
    identity.mailFrom = { domain: isUnknown(domain) ? domain : normalizeName(domain), resource: r };
  }

  /** `<token>._domainkey.<domain>` → signer, for records written with literal tokens (no dependency to follow). */
  private tokenOwners(): Map<string, string> {
    const owners = new Map<string, string>();
    for (const id of this.identities) {
      if (id.dkim.kind !== "easy" || isUnknown(id.dkim.tokens)) continue;
      for (const token of id.dkim.tokens ?? []) owners.set(easyDkimName(id.domain, token), id.dkim.signer);
    }
    return owners;
  }

  // --- records ---

  /** Route 53 zones have `name`, Cloudflare zones `zone` (v5) or `name` (v6). */
  private zoneName(z: PolicyResource): string | undefined {
    const name = attr(z, "name", recordedString);
    const either = name === undefined ? attr(z, "zone", recordedString) : name;
    return typeof either === "string" ? either : undefined;
  }

  /** The apex of the zone a record is in, when the stack says it. */
  private zoneOf(r: PolicyResource): string | undefined {
    for (const dep of r.propertyDependencies?.zoneId ?? []) {
      if (dep.type === TYPES.route53Zone || dep.type === TYPES.cloudflareZone) return this.zoneName(dep);
    }
    const id = attr(r, "zoneId", recordedString);
    return typeof id === "string" ? this.zoneNameById.get(id) : undefined;
  }

  /** A record's type, absolute name and values as a resolver answers them, through lib/state.ts's per-provider readers. */
  private record(r: PolicyResource, provider: DnsRecord["provider"], valuesOf: (type: string) => Maybe<string[] | undefined>): DnsRecord {
    const rawType = required(r, "type", attr(r, "type", recordedString), "the record type");
    const type = isUnknown(rawType) ? rawType : rawType.toUpperCase();
    const zone = this.zoneOf(r);
    const name = required(r, "name", attr(r, "name", (value, at) => recordedName(value, zone, at)), "the record's name");
    const values = isUnknown(type) ? type : valuesOf(type);
    return { resource: r, provider, type, name, values: values ?? [], signers: signersOf(r) };
  }

  private route53Record(r: PolicyResource): DnsRecord {
    return this.record(r, "route53", (type) => attr(r, "records", (value, at) => route53RecordValues(type, value, at)));
  }

  private cloudflareRecord(r: PolicyResource): DnsRecord {
    return this.record(r, "cloudflare", (type) => {
      // The v5 Record took `value` where v6 takes `content`; its state has both, one of them null.
      const content = attr(r, "content", recordedString);
      const field = content === undefined ? "value" : "content";
      const priority = type === "MX" ? attr(r, "priority", recordedNumber) : undefined;
      if (isUnknown(priority)) return priority;
      return attr(r, field, (value, at) => cloudflareRecordValues(type, value, priority, at));
    });
  }

  private addRecord(record: DnsRecord, tokenOwners: Map<string, string>): void {
    this.records.push(record);
    if (record.signers.length === 0 && typeof record.name === "string") {
      const owner = tokenOwners.get(record.name);
      if (owner) record.signers.push(owner);
    }
    for (const signer of record.signers) pushTo(this.recordsBySigner, signer, record);
    if (isUnknown(record.name) || isUnknown(record.type)) {
      if (!(record.signers.length && (isUnknown(record.type) || record.type === "CNAME"))) this.unplaced.push(record);
      return;
    }
    pushTo(this.recordsAt, `${record.type} ${record.name}`, record);
  }

  /**
   * Every value of `type` at `name` across the stack's records, or Unknown while one of them, or
   * (when none is found) a record whose name is not known yet, could change the answer.
   */
  valuesAt(name: string, type: string): Maybe<string[]> {
    const values: string[] = [];
    for (const record of this.recordsAt.get(`${type} ${name}`) ?? []) {
      if (isUnknown(record.values)) return record.values;
      values.push(...record.values);
    }
    return values.length === 0 ? (this.pending(type) ?? values) : values;
  }

  /** Why a record of `type` may exist where none is seen yet: one whose name or type preview cannot know. */
  private pending(type: string): Unknown | undefined {
    const record = this.unplaced.find((r) => isUnknown(r.type) || r.type === type);
    if (!record) return undefined;
    return isUnknown(record.name) ? record.name : (record.type as Unknown);
  }

  /** The identity an Easy DKIM signer (an identity, or a v1 DomainDkim) belongs to. */
  identityOf(signer: string): Identity | undefined {
    return this.identityByUrn.get(signer);
  }

  /** The Easy DKIM CNAMEs that carry an identity's tokens (name or type possibly unknown in preview). */
  dkimRecords(signer: string, domain: string): DnsRecord[] {
    return (this.recordsBySigner.get(signer) ?? []).filter(
      (r) => (isUnknown(r.type) || r.type === "CNAME") && (isUnknown(r.name) || isAtOrBelow(r.name, `_domainkey.${domain}`)),
    );
  }

  // --- the three things DMARC depends on ---

  /**
   * What a receiver would find for DMARC, as far as this stack can tell: its own TXT records and
   * `external` (record texts published elsewhere, by `_dmarc` name; "" for none) at `_dmarc`
   * names. The stack owns the names at or below its identities and in the zones it declares;
   * any other name is unknown (OUTSIDE_STACK), never taken for "no record".
   */
  dmarc(external: ReadonlyMap<string, string>): StackDmarc {
    const key = JSON.stringify([...external]);
    let view = this.dmarcViews.get(key);
    if (!view) this.dmarcViews.set(key, (view = this.dmarcView(external)));
    return view;
  }

  private dmarcView(external: ReadonlyMap<string, string>): StackDmarc {
    const causes = new Map<string, Unknown>();
    return {
      txt: (name: string): TxtAnswer => {
        const values = this.valuesAt(name, "TXT");
        if (isUnknown(values)) {
          causes.set(name, values);
          return { unknown: `is ${values.why}` };
        }
        const text = external.get(name);
        if (text !== undefined) return text === "" ? values : [...values, text];
        if (values.length || this.owns(name.replace(/^_dmarc\./, ""))) return values;
        return { unknown: OUTSIDE_STACK };
      },
      exists: (domain: string): boolean | UnknownAnswer => {
        // An identity exists (its DKIM records are below it), and so does every name above it or a record.
        if (this.namesForDmarc().existing.has(domain)) return true;
        if (ancestorsOrSelf(domain).some((name) => this.zoneApexes.has(name))) return false;
        return { unknown: `whether ${domain} exists in DNS is not known to this stack` };
      },
      causeOf: (names) => names.map((name) => causes.get(name)).find((cause) => cause !== undefined),
    };
  }

  /** Names this stack answers for: at or below an identity, or in a zone it declares. */
  private owns(domain: string): boolean {
    const { owned } = this.namesForDmarc();
    return ancestorsOrSelf(domain).some((name) => owned.has(name));
  }

  /** Built on first use: identities and zones, and every name an identity or a known record makes exist. */
  private namesForDmarc(): { owned: Set<string>; existing: Set<string> } {
    if (this.dmarcNames) return this.dmarcNames;
    const owned = new Set([...this.identities.map((id) => id.domain), ...this.zoneApexes]);
    const existing = new Set<string>();
    for (const name of [...this.identities.map((id) => id.domain), ...this.records.flatMap((r) => (typeof r.name === "string" ? [r.name] : []))]) {
      for (const above of ancestorsOrSelf(name)) existing.add(above);
    }
    return (this.dmarcNames = { owned, existing });
  }

  dkimSetup(id: Identity): Setup {
    switch (id.dkim.kind) {
      case "none":
        return { state: "incomplete", detail: `no aws.ses.DomainDkim for ${where(id)}, so SES does not sign its mail; add one and publish its 3 CNAMEs` };
      case "byodkim":
        return this.byodkimSetup(id, id.dkim.selector);
      case "easy":
        return this.easyDkimSetup(id, id.dkim.signer, id.dkim.tokens);
      case "replica":
        return this.replicaSetup(id, id.dkim.parentRegion, id.dkim.tokens);
      case "unrecognised":
        return { state: "incomplete", detail: `SES reports signingAttributesOrigin "${id.dkim.origin}" for ${where(id)}, a way of signing this pack does not know, so its DKIM records cannot be checked` };
    }
  }

  private byodkimSetup(id: Identity, selector: Maybe<string | undefined>): Setup {
    if (isUnknown(selector)) return { state: "unknown", detail: `the DKIM selector of ${where(id)} is ${selector.why}`, cause: selector };
    if (selector === undefined) {
      return { state: "incomplete", detail: `${where(id)} signs with its own key (BYODKIM), but its state records no selector, so its key record cannot be named; set dkimSigningAttributes.domainSigningSelector` };
    }
    const name = dkimSelectorName(selector, id.domain);
    const values = this.valuesAt(name, "TXT");
    if (isUnknown(values)) return { state: "unknown", detail: `the DKIM key record ${name} is ${values.why}`, cause: values };
    if (values.some((v) => dkimPublicKey(v) !== undefined)) return { state: "complete" };
    return { state: "incomplete", detail: `no DKIM key at ${name} for ${where(id)}; publish TXT "v=DKIM1; k=rsa; p=<public key>"` };
  }

  private easyDkimSetup(id: Identity, signer: string, tokens: Maybe<string[] | undefined>): Setup {
    const host = id.region ? dkimHost(id.region) : undefined;
    const fix = `publish CNAME <token>._domainkey.${id.domain} → <token>.${host ?? "<DKIM host of the region>"} for each of its ${EASY_DKIM_TOKENS} tokens`;
    if (tokens === undefined) return { state: "incomplete", detail: `DKIM of ${where(id)}: its state records no Easy DKIM tokens, so its CNAMEs cannot be named; run pulumi refresh, then ${fix}` };
    const problems: string[] = [];
    let cause: Unknown | undefined;
    const names = new Set<string>();
    const records = this.dkimRecords(signer, id.domain);
    for (const record of records) {
      if (isUnknown(record.name)) cause ??= record.name;
      else names.add(record.name);
      if (isUnknown(record.values)) {
        cause ??= record.values;
        continue;
      }
      if (record.values.length === 0) problems.push(`${isUnknown(record.name) ? "a DKIM CNAME" : record.name} has no target`);
      for (const target of record.values) {
        const [targetToken, targetHost] = [target.slice(0, target.indexOf(".")), target.slice(target.indexOf(".") + 1)];
        const label = isUnknown(record.name) ? "a DKIM CNAME" : record.name;
        if (host ? targetHost !== host : !isSesDkimHost(targetHost)) problems.push(`${label} points at ${target}, but Easy DKIM in ${id.region} signs with ${host ?? "an SES DKIM host"}`);
        else if (!isUnknown(record.name) && record.name.split(".")[0] !== targetToken) problems.push(`${label} points at ${target}, another token's key`);
      }
    }
    const namesKnown = records.every((r) => !isUnknown(r.name));
    const missing = isUnknown(tokens) || !namesKnown ? [] : tokens.map((t) => easyDkimName(id.domain, t)).filter((n) => !names.has(n));
    if (missing.length) problems.push(`no CNAME at ${missing.join(", ")}`);
    else if (records.length < EASY_DKIM_TOKENS) {
      const pending = this.pending("CNAME");
      if (pending) cause ??= pending;
      else problems.push(`${records.length} of ${EASY_DKIM_TOKENS} Easy DKIM CNAMEs`);
    }
    if (problems.length) return { state: "incomplete", detail: `DKIM of ${where(id)}: ${problems.join("; ")}; ${fix}` };
    if (cause) return { state: "unknown", detail: `the DKIM CNAMEs of ${where(id)} are ${cause.why}`, cause };
    return { state: "complete" };
  }

  /**
   * A Deterministic Easy DKIM replica signs with its parent identity's keys: the parent's 3
   * CNAMEs, to the parent region's DKIM host, are its records, wherever they are declared. They
   * are found by name, since nothing in the replica's region depends on the replica.
   */
  private replicaSetup(id: Identity, parentRegion: string, tokens: Maybe<string[] | undefined>): Setup {
    const host = dkimHost(parentRegion);
    const what = `DKIM of ${where(id)}, a Deterministic Easy DKIM replica that signs with the keys of its ${parentRegion} identity`;
    const fix = `publish the ${parentRegion} identity's CNAMEs <token>._domainkey.${id.domain} → <token>.${host} for each of its ${EASY_DKIM_TOKENS} tokens (one set serves the parent and every replica)`;
    if (isUnknown(tokens)) return { state: "unknown", detail: `the DKIM tokens of ${where(id)} are ${tokens.why}`, cause: tokens };
    if (tokens === undefined) return { state: "incomplete", detail: `${what}: its state records no tokens, so the parent's CNAMEs cannot be named; run pulumi refresh, then ${fix}` };
    const problems: string[] = [];
    let cause: Unknown | undefined;
    for (const token of tokens) {
      const name = easyDkimName(id.domain, token);
      const target = easyDkimTarget(parentRegion, token);
      const values = this.valuesAt(name, "CNAME");
      if (isUnknown(values)) cause ??= values;
      else if (values.length === 0) problems.push(`no CNAME at ${name}`);
      else if (!values.includes(target)) problems.push(`${name} points at ${values.join(", ")}, not ${target}`);
    }
    if (problems.length) return { state: "incomplete", detail: `${what}: ${problems.join("; ")}; ${fix}` };
    if (cause) return { state: "unknown", detail: `the DKIM CNAMEs of ${where(id)} are ${cause.why}`, cause };
    return { state: "complete" };
  }

  /** The custom MAIL FROM path of an identity, or undefined when none is configured. */
  mailFromSetup(id: Identity): (Setup & { domain: string }) | undefined {
    if (!id.mailFrom) return undefined;
    const m = id.mailFrom.domain;
    // SES only accepts a subdomain of the identity, so the identity stands in for an unknown MAIL
    // FROM domain: it has the same organizational domain, which is what relaxed alignment compares.
    if (isUnknown(m)) return { state: "unknown", domain: id.domain, detail: `the MAIL FROM domain of ${where(id)} is ${m.why}`, cause: m };
    const problems: string[] = [];
    let cause: Unknown | undefined;
    if (m === id.domain || !isAtOrBelow(m, id.domain)) problems.push(`MAIL FROM domain ${m} must be a subdomain of ${id.domain}`);
    const endpoint = `10 ${feedbackHost(id.region ?? "<region>")}`;
    const mx = this.valuesAt(m, "MX");
    if (isUnknown(mx)) cause = mx;
    else if (mx.length === 0) problems.push(`no MX record at ${m}; publish "${endpoint}"`);
    else if (mx.length > 1) problems.push(`${mx.length} MX records at ${m}; SES needs exactly one ("${endpoint}")`);
    else if (!regionOfFeedbackHost(parseMx(mx[0])?.exchange ?? "")) problems.push(`the MX at ${m} is "${mx[0]}", not an SES feedback endpoint; use "${endpoint}"`);
    const txt = this.valuesAt(m, "TXT");
    if (isUnknown(txt)) cause ??= txt;
    else {
      const spf = checkSesSpf(txt, m);
      if (!spf.ok) problems.push(spf.problem);
    }
    if (problems.length) return { state: "incomplete", domain: m, detail: `MAIL FROM of ${where(id)}: ${problems.join("; ")}` };
    if (cause) return { state: "unknown", domain: m, detail: `the MX or SPF record at ${m} is ${cause.why}`, cause };
    return { state: "complete", domain: m };
  }
}
