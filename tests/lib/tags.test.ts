import { strict as assert } from "node:assert";
import { FROM_DOMAINS_TAG, fromDomainsOfTags, fromDomainsTags } from "../../lib/tags";

describe("lib/tags", () => {
  it("names an identity's other From domains in one tag, and reads them back", () => {
    const tags = fromDomainsTags("example.com", ["example.com", "news.example.com", "billing.example.com"]);
    assert.deepEqual(tags, { [FROM_DOMAINS_TAG]: "news.example.com billing.example.com" });
    assert.deepEqual(fromDomainsOfTags({ ...tags, team: "mail" }), ["news.example.com", "billing.example.com"]);
  });

  it("gives no tag to an identity that sends only as itself, and reads none from other tags", () => {
    assert.deepEqual(fromDomainsTags("example.com", ["example.com"]), {});
    assert.deepEqual(fromDomainsOfTags(undefined), []);
    assert.deepEqual(fromDomainsOfTags({ team: "mail", [`${FROM_DOMAINS_TAG}x`]: "a.example.com" }), []);
  });

  it("spreads a long list over several tags of at most 256 characters, losing none", () => {
    const froms = Array.from({ length: 40 }, (_, i) => `department-${i}.example.com`);
    const tags = fromDomainsTags("example.com", froms);
    assert.deepEqual(Object.keys(tags), [FROM_DOMAINS_TAG, ...[2, 3, 4, 5].map((n) => `${FROM_DOMAINS_TAG}-${n}`)]);
    assert.ok(Object.values(tags).every((v) => v.length <= 256));
    assert.deepEqual(fromDomainsOfTags(tags), froms);
    assert.deepEqual(fromDomainsOfTags({ [FROM_DOMAINS_TAG]: " News.Example.COM.  " }), ["news.example.com"]);
  });
});
