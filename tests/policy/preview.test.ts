import { strict as assert } from "node:assert";
import { Findings, isUnknown, read, unknownCheckingProxy, UnknownValueError, UNKNOWN_STRING } from "../../policy/preview";

describe("policy/preview", () => {
  const props = unknownCheckingProxy({ known: "a", later: UNKNOWN_STRING });

  it("reads known values and turns the SDK's unknown-value error into Unknown", () => {
    assert.equal(read(() => props.known), "a");
    assert.ok(isUnknown(read(() => props.later)));
    assert.throws(() => read(() => (props as any).missing.deeper), TypeError);
  });

  it("reports failures at once and raises every undecided check together, as a fresh SDK error", () => {
    const reported: string[] = [];
    const findings = new Findings((message) => reported.push(message));
    const unknown = read(() => props.later);
    assert.ok(isUnknown(unknown));
    findings.fail("definite");
    findings.undecide("first waits", unknown);
    findings.undecide("second waits", unknown);
    assert.throws(
      () => findings.finish(),
      (e: Error) => e instanceof UnknownValueError && e !== unknown.cause && e.message === "first waits; second waits (string value at .later can't be known during preview)",
    );
    assert.deepEqual(reported, ["definite"]);
    assert.equal(unknown.cause.message, "string value at .later can't be known during preview");
    assert.doesNotThrow(() => new Findings(() => {}).finish());
  });
});
