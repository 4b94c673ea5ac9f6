import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Checker } from "../lib/check";
import { checkGlobalEndpoint } from "../lib/global-endpoint";
import { invalidArguments } from "./errors";

export interface SesGlobalEndpointArgs {
  /** The endpoint's name: 1 to 64 letters, digits, `_` or `-`, e.g. `example-global`. */
  name: string;
  /** The region the endpoint is created and managed in, e.g. `us-east-1`; half the mail is sent from here. */
  primary: string;
  /** The region the other half is sent from, e.g. `us-west-2`. */
  secondary: string;
}

/**
 * An SES global endpoint (SESv2 multi-region endpoint): mail an application sends through it
 * (SESv2 SendEmail with its `endpointId`) goes out of either region, away from an impaired one.
 * Every domain it sends as needs a verified identity in both regions (SesDomain with both in its
 * `regions`); the identities' own records verify each, so nothing is copied between regions.
 * See docs/global-endpoints.md.
 */
export class SesGlobalEndpoint extends pulumi.ComponentResource {
  /** What SendEmail's `EndpointId` takes, e.g. `abcdef12.g3h`. */
  readonly endpointId: pulumi.Output<string>;
  /** The endpoint's ARN (in the primary region), for IAM policies. */
  readonly arn: pulumi.Output<string>;
  /** The regions SES sends the endpoint's mail from, as SES reports its routes. */
  readonly regions: pulumi.Output<string[]>;

  constructor(name: string, args: SesGlobalEndpointArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const c = new Checker();
    const spec = checkGlobalEndpoint(c, args);
    if (c.problems.length || !spec) throw invalidArguments("SesGlobalEndpoint", name, c.problems);
    super("ses-email-auth:index:SesGlobalEndpoint", name, {}, opts);
    const endpoint = new aws.sesv2.MultiRegionEndpoint(
      spec.name,
      { region: spec.primary, endpointName: spec.name, details: { routesDetails: { region: spec.secondary } } },
      { parent: this },
    );
    this.endpointId = endpoint.endpointId;
    this.arn = endpoint.arn;
    this.regions = endpoint.routes.apply((routes) => routes.map((r) => r.region));
    this.registerOutputs({ endpointId: this.endpointId, arn: this.arn, regions: this.regions });
  }
}
