import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { parseMx, RecordType } from "../../lib/records";
import { cloudflareTxtContent } from "../../lib/txt";
import { DnsZone, mapValue, ZoneRecordArgs } from "./zone";

/**
 * Cloudflare: one record per value. DKIM CNAMEs stay DNS-only and unflattened, since a proxied or
 * flattened CNAME hides the key from receivers; TXT content is quoted (Cloudflare splits long
 * strings itself); MX takes its priority separately. The API token is the provider's
 * `cloudflare:apiToken` config, set as a secret; this program never reads it.
 */
export interface CloudflareZoneArgs {
  /** The zone's id. */
  zoneId: pulumi.Input<string>;
}

export class CloudflareZone implements DnsZone {
  constructor(private readonly args: CloudflareZoneArgs) {}

  addRecord(args: ZoneRecordArgs, opts: pulumi.CustomResourceOptions): pulumi.CustomResource[] {
    return args.values.map((value, i) => {
      const name = args.values.length > 1 ? `${args.key}-${i + 1}` : args.key;
      const common = { zoneId: this.args.zoneId, name: args.name, type: args.type, ttl: args.ttl };
      switch (args.type) {
        case RecordType.CNAME:
          return new cloudflare.DnsRecord(name, { ...common, content: value, proxied: false, settings: { flattenCname: false } }, opts);
        case RecordType.TXT:
          return new cloudflare.DnsRecord(name, { ...common, content: mapValue(value, cloudflareTxtContent) }, opts);
        case RecordType.MX: {
          const mx = pulumi.output(value).apply((v) => {
            const parsed = parseMx(v);
            if (!parsed) throw new Error(`${args.key}: "${v}" is not "priority host"`);
            return parsed;
          });
          return new cloudflare.DnsRecord(name, { ...common, priority: mx.priority, content: mx.exchange }, opts);
        }
      }
    });
  }
}
