import { strict as assert } from "node:assert";
import { absoluteName, isPublicSuffix, organizationalDomain } from "../../lib/names";
import { cloudflareTxtContent, presentTxt, readTxt, route53TxtValue, splitTxt } from "../../lib/txt";

describe("lib/txt", () => {
  const long = `v=DKIM1; k=rsa; p=${"A".repeat(400)}`;

  it("splits at 255 characters without separators", () => {
    const chunks = splitTxt(long);
    assert.deepEqual(chunks.map((c) => c.length), [255, long.length - 255]);
    assert.equal(chunks.join(""), long);
  });

  it("round-trips every provider shape back to the value a receiver sees", () => {
    assert.equal(readTxt(route53TxtValue(long)), long);
    assert.equal(readTxt(cloudflareTxtContent(long)), long);
    assert.equal(readTxt(presentTxt(long)), long);
    assert.equal(readTxt('"v=spf1 " "include:amazonses.com ~all"'), "v=spf1 include:amazonses.com ~all");
    assert.equal(readTxt(cloudflareTxtContent('say "hi" \\ bye')), 'say "hi" \\ bye');
  });

  it("writes Route 53's long values as first255\"\"rest", () => {
    assert.equal(route53TxtValue(long), `${long.slice(0, 255)}""${long.slice(255)}`);
    assert.equal(route53TxtValue("short"), "short");
  });
});

describe("lib/names", () => {
  it("makes record names absolute the way the providers do", () => {
    assert.equal(absoluteName("_dmarc", "example.com"), "_dmarc.example.com");
    assert.equal(absoluteName("_DMARC.Example.com.", "example.com"), "_dmarc.example.com");
    assert.equal(absoluteName("_dmarc.example.com", "example.com"), "_dmarc.example.com");
    assert.equal(absoluteName("@", "example.com"), "example.com");
  });

  it("knows organizational domains and public suffixes", () => {
    assert.equal(organizationalDomain("a.b.example.co.uk"), "example.co.uk");
    assert.ok(isPublicSuffix("co.uk") && isPublicSuffix("github.io") && !isPublicSuffix("example.com"));
  });
});
