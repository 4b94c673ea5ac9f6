/**
 * The whole class of "a zero value read as a value" bugs, swept: every optional output of every
 * resource of the fixture stacks (both SES APIs, both DNS providers, Easy DKIM, BYODKIM, a DEED
 * replica) replaced, one at a time, by each form "unset" takes in some provider's state (its zero
 * value, `{}`, null, absent) and by an exported secret. The verdicts must not change, except
 * where the property truly decides them (DECIDES, each with what must happen instead); and no
 * finding may name a record built from an empty value.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SECRET_SIG, SECRET_SIG_KEY } from "../../lib/state";
import { fromDeployment } from "../../tools/plan/engine";
import { objectSpec, ObjectSpec, resourceSpec, unsetForms } from "../../tools/provider-schema";
import { runPolicies } from "../../tools/run-policies";

const EXPORTS = join(__dirname, "..", "fixtures", "exports");
const FIXTURES = ["route53.json", "cloudflare.json", "byodkim.json", "ses-v1.json", "ses-v1-cloudflare.json", "deed.json", "reports.json"];
const EXPORTED_SECRET = { [SECRET_SIG_KEY]: SECRET_SIG, ciphertext: "v1:AAAAAAAAAAAAAAAA:c3dlcHQ=" };

type Json = Record<string, any>;

/** The pack's verdict on an export: every finding, or the error it is refused with. */
async function verdict(doc: Json): Promise<string[]> {
  try {
    const findings = await runPolicies(fromDeployment(doc, "sweep.json").resources);
    return findings.map((f) => `${f.level} ${f.policy}: ${f.message}`).sort();
  } catch (error) {
    return [`refused: ${((error as Error).cause as Error | undefined)?.message ?? (error as Error).message}`];
  }
}

/** Every optional output path of `spec` that `outputs` has, nested blocks included. */
function optionalPaths(spec: ObjectSpec, outputs: Json, path: string[] = []): { path: string[]; prop: Json }[] {
  return Object.entries(spec.properties).flatMap(([name, prop]) => {
    const here = [...path, name];
    const own = spec.requiredOutputs.includes(name) ? [] : [{ path: here, prop }];
    const block = objectSpec(prop);
    const value = outputs?.[name];
    const nested = block && value && typeof value === "object" && !Array.isArray(value) ? optionalPaths(block, value, here) : [];
    return [...own, ...nested];
  });
}

function setAt(outputs: Json, path: string[], value: unknown): void {
  const parent = path.slice(0, -1).reduce((o, k) => o[k], outputs);
  if (value === undefined) delete parent[path[path.length - 1]];
  else parent[path[path.length - 1]] = value;
}

/** A record name built from an empty (or absent) value: `._domainkey.…`, `undefined…`, `null…`. */
const BUILT_FROM_NOTHING = /(^|[\s("'→])\.[a-z0-9_-]+\.|\bundefined\b|\bnull\.|\[object Object\]/;

const isSecretForm = (form: unknown) => form === EXPORTED_SECRET;
const added = (variant: string[], base: string[]) => variant.filter((f) => !base.includes(f));

/** A secret the export cannot decrypt: what depends on it is undecided, never passed or failed. */
function undecided(variant: string[], base: string[], label: string): void {
  const findings = added(variant, base);
  assert.ok(findings.length > 0 && findings.every((f) => /^advisory [a-z0-9-]+: can't decide policy '[a-z0-9-]+' on this state: .* is a secret that cannot be read here\)$/.test(f)), `${label}:\n${findings.join("\n")}`);
}

/**
 * Where the property truly decides the verdict: `<type token> <path>` → what must hold instead.
 * A record's values: unset, the record holds nothing and the check of its name fails, naming it
 * (a report authorization's check is dmarc-report-authorization, advisory by default).
 * A MAIL FROM domain: unset is "no custom MAIL FROM" (DKIM still carries these stacks, so unset
 * changes nothing). A Cloudflare MX's priority: Cloudflare has no MX without one, so its absence is
 * a state no provider writes, refused naming the resource and the property.
 */
const DECIDES: Record<string, (variant: string[], form: unknown, base: string[], record: Json, label: string) => void> = {
  "aws:route53/record:Record records": (variant, form, base, r, label) => {
    if (isSecretForm(form)) return undecided(variant, base, label);
    const findings = added(variant, base);
    const name = r.outputs.fqdn as string;
    // A report authorization's loss is dmarc-report-authorization's to report, advisory unless configured otherwise.
    const fails = (f: string) => f.startsWith("mandatory") || f.startsWith("advisory dmarc-report-authorization:");
    assert.ok(findings.length > 0 && findings.every((f) => fails(f) && f.includes(name)), `${label}: every new finding fails and names ${name}:\n${findings.join("\n")}`);
  },
  "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes mailFromDomain": (variant, form, base, _r, label) => {
    assert.ok(isSecretForm(form), `${label}: unset is no custom MAIL FROM, which these stacks do not need`);
    undecided(variant, base, label);
  },
  "cloudflare:index/dnsRecord:DnsRecord priority": (variant, form, base, r, label) => {
    if (isSecretForm(form)) return undecided(variant, base, label);
    assert.deepEqual(variant, [`refused: ${r.urn}: priority is unset, but the provider writes the MX preference (a number) there`], label);
  },
};

describe("sweep: every optional output through the forms unset takes in state", function () {
  this.timeout(120_000);
  it("keeps every verdict, except where the property decides it", async () => {
    let variants = 0;
    const changed: string[] = [];
    for (const file of FIXTURES) {
      const doc = JSON.parse(readFileSync(join(EXPORTS, file), "utf8"));
      const base = await verdict(doc);
      assert.ok(!base.some((f) => f.startsWith("mandatory") || f.startsWith("refused")), `${file}: ${base.join("\n")}`);
      for (const [i, r] of (doc.deployment.resources as Json[]).entries()) {
        const spec = resourceSpec(r.type);
        if (!spec || !r.outputs) continue;
        for (const { path, prop } of optionalPaths(spec, r.outputs)) {
          for (const form of [...unsetForms(prop), EXPORTED_SECRET]) {
            const variant = structuredClone(doc);
            setAt(variant.deployment.resources[i].outputs, path, form);
            const result = await verdict(variant);
            variants++;
            const key = `${r.type} ${path.join(".")}`;
            const label = `${file} ${r.urn.split("::").pop()} ${path.join(".")} = ${JSON.stringify(form)}`;
            assert.ok(!result.some((f) => BUILT_FROM_NOTHING.test(f.slice(f.indexOf(": ") + 2))), `${label}: ${result.join("\n")}`);
            if (JSON.stringify(result) === JSON.stringify(base)) continue;
            if (DECIDES[key]) DECIDES[key](result, form, base, r, label);
            else changed.push(`${label}:\n    ${result.join("\n    ")}`);
          }
        }
      }
    }
    console.log(`      sweep: ${variants} variants of ${FIXTURES.length} exports`);
    assert.deepEqual(changed, []);
  });
});
