/** The zone writer SesDomain's DNS target names. */
import * as pulumi from "@pulumi/pulumi";
import { DnsProvider } from "../../lib/spec";
import { hostedZoneId, Route53Zone } from "./route53";
import { DnsZone } from "./zone";

/** A zone the records go to: its provider, its id (Route 53: also a name, looked up) and Route 53's overwrite switch. */
export interface ZoneTarget {
  provider: DnsProvider;
  zone: pulumi.Input<string>;
  allowOverwrite: boolean;
}

/** The zone writer of a target. Cloudflare's SDK is loaded only for a Cloudflare zone: Route 53 users need not install it. */
export function dnsZone(target: ZoneTarget): DnsZone {
  if (target.provider === DnsProvider.CLOUDFLARE) {
    const { CloudflareZone } = require("./cloudflare") as typeof import("./cloudflare");
    return new CloudflareZone({ zoneId: target.zone });
  }
  return new Route53Zone({ zoneId: hostedZoneId(target.zone), allowOverwrite: target.allowOverwrite });
}

