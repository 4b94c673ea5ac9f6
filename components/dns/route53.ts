import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { route53TxtValue } from "../../lib/txt";
import { DnsZone, ZoneRecordArgs } from "./zone";

/** A Route 53 hosted zone id, as opposed to its name. */
export function isHostedZoneId(zone: string): boolean {
  return /^Z[A-Z0-9]{1,31}$/.test(zone);
}

/**
 * Route 53: one record set per name and type. TXT values longer than 255 characters are split with
 * the provider's `""` convention; existing records are only taken over when `allowOverwrite` is set.
 */
export class Route53Zone implements DnsZone {
  private readonly zoneId: pulumi.Input<string>;

  constructor(
    zone: string,
    private readonly allowOverwrite: boolean,
    opts: pulumi.InvokeOutputOptions = {},
  ) {
    this.zoneId = isHostedZoneId(zone) ? zone : aws.route53.getZoneOutput({ name: zone, privateZone: false }, opts).zoneId;
  }

  addRecord(args: ZoneRecordArgs, opts: pulumi.CustomResourceOptions): pulumi.CustomResource[] {
    const records = args.type === "TXT" ? args.values.map((v) => pulumi.output(v).apply(route53TxtValue)) : args.values;
    return [
      new aws.route53.Record(
        args.key,
        { zoneId: this.zoneId, name: args.name, type: args.type, ttl: args.ttl, records, allowOverwrite: this.allowOverwrite },
        opts,
      ),
    ];
  }
}
