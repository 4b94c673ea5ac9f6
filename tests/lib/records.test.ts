import { strict as assert } from "node:assert";
import { byodkimValue, dkimPublicKey, dkimSelectorName, easyDkimName, easyDkimTarget } from "../../lib/records";

describe("lib/records", () => {
  it("never builds a DKIM name from an empty selector or token", () => {
    assert.equal(dkimSelectorName("ses2026", "example.com"), "ses2026._domainkey.example.com");
    for (const empty of ["", " "]) {
      assert.throws(() => dkimSelectorName(empty, "example.com"), /no DKIM selector: refusing to build a DNS name/);
      assert.throws(() => easyDkimName("example.com", empty), /no DKIM token/);
      assert.throws(() => easyDkimTarget("us-east-1", empty), /no DKIM token/);
    }
  });

  describe("dkimPublicKey (RFC 6376 §3.6.1)", () => {
    const key = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1234+/abc==";

    it("reads the key of the record the program publishes", () => {
      assert.equal(dkimPublicKey(byodkimValue(key)), key);
    });

    it("takes v= as optional, tags in any order, whitespace around tags and inside p=", () => {
      assert.equal(dkimPublicKey(`k=rsa; p=${key}`), key);
      assert.equal(dkimPublicKey(` v = DKIM1 ;t=s; p= ${key.slice(0, 20)} \t${key.slice(20)} ;`), key);
      assert.equal(dkimPublicKey(`p=${key}; k=rsa`), key);
    });

    it("refuses a v= that is not first or not DKIM1", () => {
      assert.equal(dkimPublicKey(`k=rsa; v=DKIM1; p=${key}`), undefined);
      assert.equal(dkimPublicKey(`v=DKIM2; p=${key}`), undefined);
      assert.equal(dkimPublicKey(`v=dkim1; p=${key}`), undefined);
    });

    it("refuses an empty (revoked) key, a key that is not base64, a repeated p= and text that is not a tag list", () => {
      assert.equal(dkimPublicKey("v=DKIM1; k=rsa; p="), undefined);
      assert.equal(dkimPublicKey("v=DKIM1; p=not*base64"), undefined);
      assert.equal(dkimPublicKey(`v=DKIM1; p=${key}; p=${key}`), undefined);
      assert.equal(dkimPublicKey("v=spf1 include:amazonses.com ~all"), undefined);
      assert.equal(dkimPublicKey(""), undefined);
      assert.equal(dkimPublicKey(";;;"), undefined);
    });
  });
});
