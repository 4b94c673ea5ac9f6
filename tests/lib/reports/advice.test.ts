/** Rollout stages read from the published policy, the checks and their thresholds, and what the next stage would cost. */
import assert from "node:assert/strict";
import { advise, DEFAULT_THRESHOLDS, DomainFacts, stageOf } from "../../../lib/reports/advice";
import { PublishedPolicy } from "../../../lib/reports/report";

const policy = (p: Partial<PublishedPolicy>): PublishedPolicy => ({ p: "none", sp: null, pct: null, np: null, testing: null, adkim: null, aspf: null, fo: null, discoveryMethod: null, ...p });

/** A domain that meets every default threshold at stage 1. */
const healthy = (over: Partial<DomainFacts> = {}): DomainFacts => ({
  policy: policy({}),
  policies: ["p=none"],
  messages: 10000,
  dmarcPass: 9950,
  reporters: 3,
  daysAtStage: 14,
  sources: [
    { ip: "54.240.8.1", ses: true, messages: 9950, dmarcPass: 9950 },
    { ip: "192.0.2.9", ses: false, messages: 50, dmarcPass: 0 },
  ],
  ...over,
});

describe("reports: rollout advice", () => {
  it("reads the stage from p, t (testing) and pct, and says what is odd", () => {
    const cases: [Partial<PublishedPolicy>, number, RegExp?][] = [
      [{ p: "none" }, 1],
      [{ p: "none", pct: 100 }, 1],
      [{ p: "quarantine", pct: 0, testing: "y" }, 2],
      [{ p: "quarantine", testing: "y" }, 2],
      [{ p: "quarantine", testing: "y", pct: 100 }, 2, /t=y without pct=0: RFC 7489 receivers quarantine while RFC 9989 receivers only test/],
      [{ p: "quarantine", pct: 0, testing: "n" }, 2, /pct=0 without t=y: RFC 9989 receivers ignore pct/],
      [{ p: "quarantine", pct: 0 }, 2, /pct=0: RFC 9989 receivers ignore pct; publish t=y with it/],
      [{ p: "quarantine", pct: 25 }, 3, /pct=25: RFC 7489 receivers quarantine 25% of failing mail, RFC 9989 receivers all of it/],
      [{ p: "quarantine" }, 3],
      [{ p: "quarantine", pct: 100, testing: "n" }, 3],
      [{ p: "reject", testing: "y" }, 3, /p=reject with t=y is applied as quarantine/],
      [{ p: "reject", pct: 50 }, 4, /pct=50: RFC 7489 receivers reject 50%/],
      [{ p: "reject" }, 4],
    ];
    for (const [p, stage, note] of cases) {
      const got = stageOf(policy(p));
      assert.equal(got.stage.number, stage, JSON.stringify(p));
      if (note) assert.match(got.notes.join("\n"), note);
      else assert.deepEqual(got.notes, [], JSON.stringify(p));
    }
  });

  it("names each stage's record, the next one after each", () => {
    assert.deepEqual(
      ["none", "quarantine", "reject"].map((p) => advise(healthy({ policy: policy({ p }) })).next?.record ?? null),
      ["p=quarantine; pct=0; t=y", "p=reject", null],
    );
    assert.equal(advise(healthy({ policy: policy({ p: "quarantine", pct: 0, testing: "y" }) })).next!.record, "p=quarantine");
  });

  it("is ready when every threshold is met, and says which one is not otherwise", () => {
    const ok = advise(healthy());
    assert.equal(ok.ready, true);
    assert.deepEqual(ok.reasons.map((r) => [r.check, r.met]), [["messages", true], ["pass", true], ["days", true], ["reporters", true], ["sources", true]]);
    const misses: [Partial<DomainFacts>, string][] = [
      [{ messages: 99, dmarcPass: 99, sources: [] }, "messages"],
      // 3% fail, from 100 sources of 0.03% each.
      [{ dmarcPass: 9700, sources: [{ ip: "54.240.8.1", ses: true, messages: 9700, dmarcPass: 9700 }, ...Array.from({ length: 100 }, (_, i) => ({ ip: `198.51.100.${i}`, ses: false, messages: 3, dmarcPass: 0 }))] }, "pass"],
      [{ daysAtStage: 13 }, "days"],
      [{ reporters: 1 }, "reporters"],
      [{ dmarcPass: 9890, sources: [{ ip: "54.240.8.1", ses: true, messages: 9890, dmarcPass: 9890 }, { ip: "192.0.2.9", ses: false, messages: 110, dmarcPass: 0 }] }, "sources"],
    ];
    for (const [facts, check] of misses) {
      const a = advise(healthy(facts));
      assert.equal(a.ready, false, check);
      assert.deepEqual(a.reasons.filter((r) => !r.met).map((r) => r.check), [check]);
    }
    const sources = advise(healthy(misses[4][0])).reasons.find((r) => r.check === "sources")!;
    assert.equal(sources.message, "1 source fails DMARC with more than 1% of messages: 192.0.2.9 (1.1%)");
  });

  it("takes other thresholds", () => {
    assert.equal(advise(healthy({ daysAtStage: 3 }), { ...DEFAULT_THRESHOLDS, minDays: 3 }).ready, true);
    assert.equal(advise(healthy(), { ...DEFAULT_THRESHOLDS, minPassPercent: 99.9 }).ready, false);
    assert.equal(advise(healthy(), { ...DEFAULT_THRESHOLDS, maxSourceFailPercent: 0.1 }).ready, false);
  });

  it("says what the next stage would do to each failing source", () => {
    const a = advise(healthy({ policy: policy({ p: "quarantine" }) }));
    assert.deepEqual(a.losses, [{ ip: "192.0.2.9", ses: false, failing: 50, percent: 0.5, effect: "rejected", hint: "not SES: a service sending as this domain (authorize it with DKIM or SPF) or someone spoofing it" }]);
    assert.equal(advise(healthy()).losses[0].effect, "still delivered (test mode); quarantined from stage 3");
    const ses = advise(healthy({ sources: [{ ip: "54.240.8.1", ses: true, messages: 10000, dmarcPass: 9950 }] }));
    assert.match(ses.losses[0].hint, /SES address: check the sending identity's DKIM and MAIL FROM/);
  });

  it("lists 25 failing sources and sums the rest", () => {
    const sources = Array.from({ length: 30 }, (_, i) => ({ ip: `192.0.2.${i + 1}`, ses: false, messages: 100 - i, dmarcPass: 0 }));
    const a = advise(healthy({ sources, messages: 20000, dmarcPass: 17000 }));
    assert.equal(a.losses.length, 26);
    assert.deepEqual([a.losses[25].ip, a.losses[25].failing], ["5 other sources", 71 + 72 + 73 + 74 + 75]);
  });

  it("stops at reject, and notes a policy that changed", () => {
    const a = advise(healthy({ policy: policy({ p: "reject" }), policies: ["p=quarantine", "p=reject"] }));
    assert.deepEqual([a.stage.number, a.next, a.ready, a.losses], [4, null, false, []]);
    assert.match(a.notes.join("\n"), /the published policy changed in the period \(p=quarantine \| p=reject\)/);
    assert.match(a.notes.join("\n"), /reject is the last stage/);
  });
});
