import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { isHostedZoneId } from "../../lib/spec";
import { route53TxtValue } from "../../lib/txt";
import { DnsZone, mapValue, ZoneRecordArgs } from "./zone";

/** The id of a hosted zone given by id (or as an output) or by name; a name costs one Route 53 lookup. */
export function hostedZoneId(zone: pulumi.Input<string>): pulumi.Input<string> {
  return typeof zone !== "string" || isHostedZoneId(zone) ? zone : aws.route53.getZoneOutput({ name: zone, privateZone: false }).zoneId;
}

export interface Route53ZoneArgs {
  /** The hosted zone's id. */
  zoneId: pulumi.Input<string>;
  /** Take over records that already exist at these names. */
  allowOverwrite: boolean;
}

/**
 * Route 53: one record set per name and type. TXT values longer than 255 characters are split with
 * the provider's `""` convention; existing records are only taken over when `allowOverwrite` is set.
 */
export class Route53Zone implements DnsZone {
  constructor(private readonly args: Route53ZoneArgs) {}

  addRecord(args: ZoneRecordArgs, opts: pulumi.CustomResourceOptions): pulumi.CustomResource[] {
    const records = args.type === "TXT" ? args.values.map((v) => mapValue(v, route53TxtValue)) : args.values;
    return [
      new aws.route53.Record(
        args.key,
        { zoneId: this.args.zoneId, name: args.name, type: args.type, ttl: args.ttl, records, allowOverwrite: this.args.allowOverwrite },
        opts,
      ),
    ];
  }
}
