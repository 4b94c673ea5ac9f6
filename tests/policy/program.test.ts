/**
 * The project's own program (index.ts), run under the mock runtime as `pulumi preview` and as
 * after `pulumi up` would, judged by the pack with the policy config the README tells users to
 * pass: its stacks pass; breaking their DMARC config makes the pack fail them.
 */
import { strict as assert } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runProgram } from "../../tools/mock-run";
import { fromRegistrations } from "../../tools/plan/engine";
import { Finding, PolicyPackConfig, runPolicies } from "../../tools/run-policies";
import { readStackConfig } from "../../tools/stack-config";

const ROOT = join(__dirname, "..", "..");
const policyConfig = (env: string): PolicyPackConfig => (existsSync(join(ROOT, "policy", `config.${env}.json`)) ? JSON.parse(readFileSync(join(ROOT, "policy", `config.${env}.json`), "utf8")) : {});

async function judge(stack: string, preview: boolean, change: (domain: Record<string, any>) => void = () => {}): Promise<Finding[]> {
  const config = readStackConfig(ROOT, stack);
  const domains = JSON.parse(config["ses-email-auth:domains"]);
  domains.forEach(change);
  config["ses-email-auth:domains"] = JSON.stringify(domains);
  const run = await runProgram({ config, preview, stack });
  return runPolicies(fromRegistrations(run.registrations, config, stack).resources, policyConfig(stack));
}

const mandatory = (findings: Finding[]) => findings.filter((f) => f.level === "mandatory");

describe("the program's stacks under the policy pack", () => {
  for (const stack of ["dev", "prod", "cloudflare-example"]) {
    for (const preview of [true, false]) {
      it(`passes stack ${stack} with its policy config (${preview ? "preview" : "after apply"})`, async () => {
        const findings = await judge(stack, preview);
        assert.deepEqual(mandatory(findings), []);
        // Preview cannot see DKIM tokens: those checks wait for apply, and say so; after apply nothing waits.
        const waiting = findings.filter((f) => f.message.includes("during preview"));
        if (preview) assert.ok(waiting.some((f) => f.policy === "ses-dkim-records"), JSON.stringify(findings));
        else assert.deepEqual(waiting, []);
      });
    }
  }

  /** A broken variant's mandatory findings, the same in preview and after apply (the schema-derived outputs). */
  async function brokenFindings(stack: string, change: (domain: Record<string, any>) => void): Promise<Finding[]> {
    const [preview, applied] = await Promise.all([judge(stack, true, change), judge(stack, false, change)]);
    assert.deepEqual(mandatory(applied), mandatory(preview));
    return mandatory(preview);
  }

  it("fails stack dev once its DMARC record is no longer managed (and published nowhere)", async () => {
    const findings = await brokenFindings("dev", (d) => (d.dmarc = { ...d.dmarc, manage: false }));
    assert.deepEqual([...new Set(findings.map((f) => f.policy))], ["ses-dmarc-record", "ses-dmarc-alignment"]);
    assert.match(findings[0].message, /^example\.com \(identity example\.com\): no DMARC record at _dmarc\.example\.com/);
  });

  it("fails stack prod when its DMARC policy drops to monitoring", async () => {
    const findings = await brokenFindings("prod", (d) => (d.dmarc = { ...d.dmarc, policy: "none", subdomainPolicy: "none" }));
    assert.deepEqual([...new Set(findings.map((f) => f.policy))], ["dmarc-minimum-policy"]);
    assert.match(findings[0].message, /example\.com .*gets DMARC p=none from _dmarc\.example\.com; this stack needs at least quarantine/);
  });

  it("fails stack prod in rollout stage 2 (quarantine with testing): t=y counts one level lower", async () => {
    const findings = mandatory(await judge("prod", true, (d) => (d.dmarc = { ...d.dmarc, testing: true })));
    assert.deepEqual([...new Set(findings.map((f) => f.policy))], ["dmarc-minimum-policy"]);
    assert.match(findings[0].message, /\(RFC 9989 receivers\) gets DMARC p=quarantine with t=y: none \(one level below\) from _dmarc\.example\.com; this stack needs at least quarantine: drop t=y there/);
  });

  it("fails stack prod, which requires both paths, when aspf=s leaves SPF unaligned", async () => {
    const findings = await brokenFindings("prod", (d) => (d.dmarc = { ...d.dmarc, aspf: "strict" }));
    assert.ok(findings.length > 0 && findings.every((f) => f.policy === "ses-dmarc-alignment"), JSON.stringify(findings));
    assert.match(findings[0].message, /both paths must pass: SPF \(MAIL FROM\) domain bounce\.example\.com does not align with example\.com \(strict alignment/);
  });
});
