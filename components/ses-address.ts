import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AddressSpec } from "../lib/spec";
import { identityStatus, RegionalIdentity } from "./ses-domain";

/**
 * An email-address identity in each of its regions. It verifies by the link AWS mails to the
 * address and writes no DNS; its mail aligns with DMARC only through a verified domain identity
 * of the address's domain, whose DKIM keys SES then signs with.
 */
export class SesAddress extends pulumi.ComponentResource {
  readonly identities: RegionalIdentity[];

  constructor(name: string, args: { address: AddressSpec; protect: boolean }, opts: pulumi.ComponentResourceOptions = {}) {
    super("ses-email-auth:index:SesAddress", name, {}, opts);
    this.identities = args.address.regions.map((region) => {
      const identity = new aws.sesv2.EmailIdentity(`${args.address.address}-${region}`, { region, emailIdentity: args.address.address }, { parent: this, protect: args.protect });
      return identityStatus(region, identity);
    });
    this.registerOutputs({ identities: this.identities });
  }
}
