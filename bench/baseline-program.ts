/**
 * The benchmark's baseline: the same number of resources of the same types as the program
 * registers for the stack's domains and regions, declared bare (no components, no model, no
 * validation), with DKIM records taking their names from identity outputs just as the program's do.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const regions = config.requireObject<string[]>("regions");
const domains = config.requireObject<{ name: string }[]>("domains");

for (const { name } of domains) {
  for (const region of regions) {
    const identity = new aws.sesv2.EmailIdentity(`${name}-${region}`, { region, emailIdentity: name });
    new aws.sesv2.EmailIdentityMailFromAttributes(`${name}-${region}-mf`, { region, emailIdentity: name, mailFromDomain: `bounce.${name}` });
    for (let i = 0; i < 3; i++) {
      const token = identity.dkimSigningAttributes.tokens.apply((t) => t[i]);
      new aws.route53.Record(`${name}-${region}-dkim-${i}`, { zoneId: "Z0BENCH", name: pulumi.interpolate`${token}._domainkey.${name}`, type: "CNAME", ttl: 3600, records: [pulumi.interpolate`${token}.dkim.amazonses.com`] });
    }
  }
  for (const [suffix, type, value] of [["mx", "MX", "10 feedback-smtp.us-east-1.amazonses.com"], ["spf", "TXT", "v=spf1 include:amazonses.com ~all"], ["dmarc", "TXT", "v=DMARC1; p=none"]]) {
    new aws.route53.Record(`${name}-${suffix}`, { zoneId: "Z0BENCH", name: `${suffix}.${name}`, type, ttl: 3600, records: [value] });
  }
}
