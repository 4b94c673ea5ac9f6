/**
 * What the component tests ask of a mock run's registrations: the resource types by the tokens
 * the providers' SDKs register, and the registrations of a type (in a region), with plain inputs.
 */
import { strict as assert } from "node:assert";
import { plain, ProgramRun, Registration } from "../../tools/mock-run";

export const IDENTITY = "aws:sesv2/emailIdentity:EmailIdentity";
export const MAIL_FROM = "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes";
export const R53 = "aws:route53/record:Record";
export const CF = "cloudflare:index/dnsRecord:DnsRecord";

/** A registration's inputs with secrets unwrapped. */
export function inputs(reg: Registration): Record<string, any> {
  return plain(reg.inputs) as Record<string, any>;
}

/** Every registration of `type`, in `region` when given. */
export function ofType(run: Pick<ProgramRun, "registrations">, type: string, region?: string): Registration[] {
  return run.registrations.filter((r) => r.type === type && (region === undefined || inputs(r).region === region));
}

/** The one registration of `type` (in `region`, named `name`), failing when there are none or several. */
export function one(run: Pick<ProgramRun, "registrations">, type: string, region?: string, name?: string): Registration {
  const found = ofType(run, type, region).filter((r) => name === undefined || r.name === name);
  assert.equal(found.length, 1, `${type}${name ? ` ${name}` : ""}${region ? ` in ${region}` : ""}: ${found.length}`);
  return found[0];
}
