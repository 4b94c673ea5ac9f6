/**
 * The DNS adapter: SesDomain asks a zone for records in provider-neutral terms; each provider's
 * implementation owns that provider's quirks. Add a provider by adding one implementation and
 * one line in `dnsZone` (./index.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { RecordType } from "../../lib/records";

export interface ZoneRecordArgs {
  /** Logical resource name, stable per domain/region/role (see lib/records.ts). */
  key: string;
  type: RecordType;
  /** Absolute name; an Output for Easy DKIM names, which carry tokens SES issues. */
  name: pulumi.Input<string>;
  /** Values as lib/records.ts forms them: CNAME target, `priority host`, or the whole TXT value. */
  values: pulumi.Input<string>[];
  ttl: number;
}

export interface DnsZone {
  /** Declares one record set; returns the resources that hold it. */
  addRecord(args: ZoneRecordArgs, opts: pulumi.CustomResourceOptions): pulumi.CustomResource[];
}

/**
 * `fn` of a value that may not be known yet: at once when it is a plain string, else once it is.
 * Most record values are known when declared; an Output for each costs the runtime work to resolve.
 */
export function mapValue<T>(value: pulumi.Input<string>, fn: (value: string) => T): T | pulumi.Output<T> {
  return typeof value === "string" ? fn(value) : pulumi.output(value).apply(fn);
}
