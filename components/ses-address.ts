import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkAddress } from "../lib/args";
import { Checker } from "../lib/check";
import { invalidArguments } from "./errors";
import { identityStatus, RegionalIdentity } from "./ses-domain";

export interface SesAddressArgs {
  /** The email address to verify, e.g. `ops@example.com`. */
  address: string;
  /** The SES regions to verify it in; each gets its own identity. */
  regions: string[];
  /**
   * Protect the identities from deletion.
   * @default false
   */
  protect?: boolean;
}

/**
 * An email-address identity in each of its regions. It verifies by the link AWS mails to the
 * address and writes no DNS; its mail aligns with DMARC only through a verified domain identity
 * of the address's domain, whose DKIM keys SES then signs with.
 */
export class SesAddress extends pulumi.ComponentResource {
  /** Per region: the identity's ARN and whether its owner has followed the verification link. */
  readonly identities: RegionalIdentity[];

  constructor(name: string, args: SesAddressArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const c = new Checker();
    const address = checkAddress(c, args);
    if (c.problems.length || !address) throw invalidArguments("SesAddress", name, c.problems);
    super("ses-email-auth:index:SesAddress", name, {}, opts);
    this.identities = address.regions.map((region) => {
      const identity = new aws.sesv2.EmailIdentity(`${address.address}-${region}`, { region, emailIdentity: address.address }, { parent: this, protect: args.protect ?? false });
      return identityStatus(region, identity);
    });
    this.registerOutputs({ identities: this.identities });
  }
}
