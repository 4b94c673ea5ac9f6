// A team's own program: its hosted zone, its website's record and its on-call topic, and
// ses-email-auth's SesDomain for everything SES and DNS need to pass DMARC, in that zone.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DmarcPolicy, DnsProvider, SesDomain, SesEventType } from "ses-email-auth";

const config = new pulumi.Config();
const domain = config.get("domain") ?? "mail.example.net";
const regions = config.getObject<string[]>("regions") ?? ["us-east-1", "eu-west-1"];

const zone = new aws.route53.Zone("zone", { name: domain });
new aws.route53.Record("www", { zoneId: zone.zoneId, name: `www.${domain}`, type: "CNAME", ttl: 300, records: ["app.example.org"] });
const oncall = new aws.sns.Topic("oncall", { name: "mail-platform-oncall" });

const mail = new SesDomain(domain, {
  domain,
  regions,
  dns: { provider: DnsProvider.ROUTE53, zone: zone.zoneId },
  dmarc: { policy: DmarcPolicy.QUARANTINE, rua: [`mailto:dmarc-reports@${domain}`] },
  sending: { events: [SesEventType.BOUNCE, SesEventType.COMPLAINT, SesEventType.REJECT, SesEventType.DELIVERY_DELAY] },
});

export const nameServers = zone.nameServers;
export const oncallTopic = oncall.arn;
export const identities = mail.identities;
export const records = mail.records;
/** Per region, the IAM policy the application's role needs to send as this domain. */
export const senderPolicies = mail.sending.map(({ region, senderPolicy }) => ({ region, senderPolicy }));
