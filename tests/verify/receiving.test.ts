/**
 * verify --stack of a stack that receives its DMARC reports (ses-email-auth:reports), against knot:
 * the receiving domain judged as an SES identity of its own, its MX and the report authorization
 * records as declared, and a receiving domain that already takes mail elsewhere refused.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { parseStackConfig, PROJECT } from "../../lib/config";
import { receivingIdentity } from "../../lib/receiving";
import { receivingRecords, RecordType } from "../../lib/records";
import { main } from "../../tools/verify/cli";
import { readStackConfig } from "../../tools/stack-config";
import { build, Case, CASES, testZone } from "./cases";
import { KnotServer, startKnot } from "./knot";

const ROOT = join(__dirname, "..", "..");
const good = CASES.find((c) => c.spec.name === "good.test")!;
const DOMAINS = [{ name: "good.test", zone: "good.test", regions: ["us-east-1", "eu-west-1"], fromDomains: ["good.test", "news.good.test"] }];

const tokenFlags = (c: Case) => [...c.tokens].flatMap(([region, tokens]) => ["--dkim-tokens", `${c.spec.name}:${region}=${tokens.join(",")}`]);

describe("verify: a stack that receives its reports", () => {
  let dir: string;
  let knot: KnotServer;
  const stacks: Record<string, Case> = {};

  /** A stack receiving at `domain`, and what that domain publishes: the stack's records, edited. */
  function stack(name: string, domain: string, edit: (records: Case["zone"]) => Case["zone"] = (r) => r): void {
    writeFileSync(join(dir, `Pulumi.${name}.yaml`), stringify({ config: { [`${PROJECT}:regions`]: ["us-east-1"], [`${PROJECT}:domains`]: DOMAINS, [`${PROJECT}:reports`]: { domain, zone: domain.split(".").slice(1).join(".") } } }));
    const reports = parseStackConfig(readStackConfig(dir, name)).reports!;
    stacks[name] = build(name, receivingIdentity(reports), { verdict: {}, ok: true }, (records) => edit([...records, ...receivingRecords(reports)]));
  }

  async function verify(name: string): Promise<{ code: number; out: string }> {
    let out = "";
    const flags = [...good.tokens].flatMap(([region, tokens]) => ["--dkim-tokens", `good.test:${region}=${tokens.join(",")}`]);
    const code = await main(["--stack", name, ...flags, ...tokenFlags(stacks[name]), "--resolver", knot.server], { out: (t) => (out += t), err: (t) => (out += t), cwd: dir });
    return { code, out };
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "verify-receiving-"));
    copyFileSync(join(ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
    stack("own", "dmarc.rcv.test");
    stack("busy", "dmarc.busy.test", (records) => [...records, { name: "dmarc.busy.test", type: RecordType.MX, values: ["20 mx.busy.test"], ttl: 300 }]);
    stack("unauthorized", "dmarc.noauth.test", (records) => records.filter((r) => !r.name.includes("._report._dmarc.")));
    knot = await startKnot(testZone([good, ...Object.values(stacks)]));
  });
  after(async () => {
    await knot?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("judges the receiving domain as an SES identity, and finds its MX and the report authorization published", async () => {
    const { code, out } = await verify("own");
    assert.equal(code, 0, out);
    assert.match(out, /dmarc\.rcv\.test\s+us-east-1\s+record MX dmarc\.rcv\.test\s+PASS\s+published as declared/);
    assert.match(out, /dmarc\.rcv\.test\s+-\s+record TXT good\.test\._report\._dmarc\.dmarc\.rcv\.test\s+PASS/);
    assert.match(out, /dmarc\.rcv\.test\s+us-east-1\s+verdict dmarc\.rcv\.test\s+PASS/);
  });

  it("fails a receiving domain that already receives mail elsewhere, naming the other MX", async () => {
    const { code, out } = await verify("busy");
    assert.equal(code, 1, out);
    assert.match(out, /record MX dmarc\.busy\.test\s+FAIL\s+published as declared, but dmarc\.busy\.test receives mail elsewhere \(MX 20 mx\.busy\.test\), which SES's MX would take from it: receive the reports at a domain of their own/);
  });

  it("fails a missing report authorization: receivers would not send good.test's reports there", async () => {
    const { code, out } = await verify("unauthorized");
    assert.equal(code, 1, out);
    assert.match(out, /record TXT good\.test\._report\._dmarc\.dmarc\.noauth\.test\s+FAIL\s+declared "v=DMARC1"; NXDOMAIN/);
  });
});
