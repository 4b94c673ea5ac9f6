/** Which sources are SES: the ip4: ranges of amazonses.com's SPF record. */
import assert from "node:assert/strict";
import { sesMatcher, SES_SPF_RECORD } from "../../../lib/reports/ses-ranges";

describe("reports: SES's sending ranges", () => {
  it("marks addresses in the ip4: ranges of amazonses.com's SPF record", () => {
    const ses = sesMatcher();
    assert.deepEqual(["54.240.0.1", "54.240.127.255", "199.255.195.10", "24.110.64.1", "76.223.191.255"].map(ses), [true, true, true, true, true]);
    assert.deepEqual(["54.240.128.1", "192.0.2.1", "2001:db8::1", "108r.166.27.220", "unknown"].map(ses), [false, false, false, false, false]);
    assert.match(SES_SPF_RECORD, /^v=spf1 ip4:/);
  });

  it("takes another record when SES publishes new ranges, and refuses what is not one", () => {
    assert.equal(sesMatcher("v=spf1 ip4:192.0.2.0/24 -all")("192.0.2.77"), true);
    assert.throws(() => sesMatcher("ip4:192.0.2.0/24"), /not an SPF record/);
    assert.throws(() => sesMatcher("v=spf1 include:amazonses.com -all"), /no ip4: networks/);
    assert.throws(() => sesMatcher("v=spf1 ip4:300.1.1.1/8 -all"), /is not an IPv4 network/);
  });
});
