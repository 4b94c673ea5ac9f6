/** The XML reader over real reports (see tests/fixtures/reports.ts for where they come from) and every broken case. */
import assert from "node:assert/strict";
import { getDomain } from "tldts";
import { NotAReport, Report, ReportFormat } from "../../../lib/reports/report";
import { ReportReader } from "../../../lib/reports/xml";
import { countByRegex, real, REAL, rfc9990Report } from "../../fixtures/reports";

function read(input: string | Buffer, chunk = 64 * 1024): Report {
  const bytes = typeof input === "string" ? Buffer.from(input) : input;
  const reader = new ReportReader();
  for (let i = 0; i < bytes.length; i += chunk) reader.write(bytes.subarray(i, i + chunk));
  return reader.finish();
}

const totals = (r: Report) => ({ rows: r.rows, messages: r.messages, dkimPass: r.dkimPass, spfPass: r.spfPass, dmarcPass: r.dmarcPass });

/** A small RFC 7489 report with one record, to break in one place at a time. */
function report7489(parts: { metadata?: string; policy?: string; record?: string; before?: string; after?: string } = {}): string {
  return `${parts.before ?? '<?xml version="1.0" encoding="UTF-8" ?>'}
<feedback>
  <report_metadata>${parts.metadata ?? "<org_name>receiver.example</org_name><email>noreply@receiver.example</email><report_id>r-1</report_id><date_range><begin>1538438400</begin><end>1538524799</end></date_range>"}</report_metadata>
  <policy_published>${parts.policy ?? "<domain>example.com</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp><pct>100</pct>"}</policy_published>
  ${parts.record ?? "<record><row><source_ip>192.0.2.1</source_ip><count>3</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers><auth_results><dkim><domain>example.com</domain><result>pass</result></dkim><spf><domain>example.com</domain><result>fail</result></spf></auth_results></record>"}
</feedback>${parts.after ?? ""}
`;
}

describe("reports: the XML reader", () => {
  describe("real reports", () => {
    it("reads google.com's 2018 report as it is written", () => {
      const r = read(real("googleXml"));
      assert.equal(r.reporter, "google.com");
      assert.equal(r.email, "noreply-dmarc-support@google.com");
      assert.equal(r.reportId, "15591417298178277408");
      assert.equal(r.domain, "keltia.net");
      assert.deepEqual([r.begin, r.end], [1538438400, 1538524799]);
      assert.equal(r.format, ReportFormat.RFC7489);
      assert.deepEqual(r.policy, { p: "none", sp: "none", pct: 100, np: null, testing: null, adkim: "r", aspf: "r", fo: null, discoveryMethod: null });
      assert.deepEqual(totals(r), { rows: 2, messages: 2, dkimPass: 0, spfPass: 0, dmarcPass: 0 });
      assert.deepEqual([...r.sources.keys()], ["195.154.227.159", "217.70.183.200"]);
      assert.deepEqual([...r.sources.get("195.154.227.159")!.spfDomains], ["example.org"]);
      assert.deepEqual(r.warnings, []);
    });

    it("reads the IronPort report: version 1.0, an empty sp and extra_contact_info", () => {
      const r = read(real("ironportXml"));
      assert.equal(r.reporter, "esa1.eurocontrol.c3s2.iphmx.com");
      assert.equal(r.reportId, "1a6ffb$9f77bea=6b2f4786a9824806@esa1.eurocontrol.c3s2.iphmx.com");
      assert.equal(r.policy.sp, null);
      assert.deepEqual(totals(r), { rows: 1, messages: 1, dkimPass: 0, spfPass: 1, dmarcPass: 1 });
      assert.deepEqual(r.sources.get("88.191.250.24")!.dispositions, { none: 1 });
      assert.deepEqual(r.warnings, []);
    });

    for (const name of ["googleXml", "ironportXml", "netease163", "netease126", "yeahNet"] as const) {
      it(`counts ${REAL[name].split("/").pop()} as a regular expression over its records does`, () => {
        const bytes = real(name);
        assert.deepEqual(totals(read(bytes)), countByRegex(bytes.toString("utf8")));
      });
    }

    it("takes NetEase's timestamps with a fraction and its missing XML declaration", () => {
      const r = read(real("netease163"));
      assert.deepEqual([r.reporter, r.begin, r.end], ["163.com", 1337270400, 1337356799]);
      assert.equal(r.sources.get("66.220.144.159")!.dispositions.reject, 1);
    });

    it("reads the draft google.com sent before RFC 7489, deriving the verdicts from auth_results and alignment", () => {
      const bytes = real("googleDraft");
      const r = read(bytes);
      assert.equal(r.rows, 9776);
      // Independently: relaxed alignment (the report's adkim=r, aspf=r) by the public suffix list.
      const org = (d: string) => getDomain(d.trim().toLowerCase(), { allowPrivateDomains: true });
      let messages = 0;
      let dkim = 0;
      let spf = 0;
      let dmarc = 0;
      for (const record of bytes.toString("utf8").match(/<record>[\s\S]*?<\/record>/g)!) {
        const n = Number(/<count>([0-9]+)/.exec(record)![1]);
        const from = org(/<header_from>([^<]*)/.exec(record)![1]);
        const passes = (kind: string) => [...record.matchAll(new RegExp(`<${kind}>\\s*<domain>([^<]*)</domain>\\s*<result>([^<]*)</result>`, "g"))].some((m) => m[2].trim() === "pass" && org(m[1]) === from);
        messages += n;
        dkim += passes("dkim") ? n : 0;
        spf += passes("spf") ? n : 0;
        dmarc += passes("dkim") || passes("spf") ? n : 0;
      }
      assert.deepEqual({ messages: r.messages, dkimPass: r.dkimPass, spfPass: r.spfPass, dmarcPass: r.dmarcPass }, { messages, dkimPass: dkim, spfPass: spf, dmarcPass: dmarc });
      assert.ok(dmarc > 0 && dmarc < messages);
      assert.match(r.warnings.join("\n"), /no dkim\/spf verdict .* derived from auth_results/);
    });

    it("reads AOL's report that OpenDMARC broke on purpose, saying what it repaired", () => {
      const r = read(real("aol"));
      assert.equal(r.reporter, "AOL");
      assert.equal(r.domain, "example.com");
      assert.equal(r.rows, 3);
      assert.equal(r.messages, 284);
      assert.ok(r.sources.has("108r.166.27.220"));
      const warnings = r.warnings.join("\n");
      assert.match(warnings, /source_ip "108r\.166\.27\.220" is not an IP address/);
      assert.match(warnings, /XML is not well-formed/);
    });

    for (const name of ["googleXml", "ironportXml", "netease163", "yeahNet"] as const) {
      it(`reads ${name} alike by the fast path and by saxes (a comment makes it not plain)`, () => {
        const text = real(name).toString("utf8");
        assert.deepEqual(read(text.replace("<feedback", "<!-- not plain --><feedback")), read(text));
      });
    }

    it("streams a report longer than the fast path holds through saxes, and counts it all", () => {
      const text = real("yeahNet").toString("utf8");
      const records = text.slice(text.indexOf("<record>"), text.lastIndexOf("</record>") + "</record>".length);
      const copies = Math.ceil((9 * 1024 * 1024) / records.length);
      const long = text.replace(records, records.repeat(copies));
      const one = countByRegex(text);
      assert.deepEqual(totals(read(long)), { rows: one.rows * copies, messages: one.messages * copies, dkimPass: one.dkimPass * copies, spfPass: one.spfPass * copies, dmarcPass: one.dmarcPass * copies });
    });

    it("gives the same report whatever the chunks (one byte at a time)", () => {
      const bytes = real("ironportXml");
      assert.deepEqual(read(bytes, 1), read(bytes));
    });
  });

  describe("RFC 9990", () => {
    const xml = rfc9990Report({ reportId: "1795996800.example.com@receiver.example", begin: 1795996800, rows: [{ ip: "192.0.2.10", count: 3, dkim: "pass", spf: "fail" }, { ip: "203.0.113.5", count: 2, dkim: "fail", spf: "fail", disposition: "none" }] });

    it("reads the namespace, np, testing, discovery_method, generator and the pass disposition", () => {
      const r = read(xml);
      assert.equal(r.format, ReportFormat.RFC9990);
      assert.equal(r.generator, "receiver-mta 1.0");
      assert.deepEqual(r.policy, { p: "quarantine", sp: null, pct: null, np: "reject", testing: "y", adkim: null, aspf: null, fo: null, discoveryMethod: "treewalk" });
      assert.deepEqual(totals(r), { rows: 2, messages: 5, dkimPass: 3, spfPass: 0, dmarcPass: 3 });
      assert.deepEqual(r.sources.get("192.0.2.10")!.dispositions, { pass: 3 });
      assert.deepEqual(r.warnings, []);
    });

    it("reads the namespace under any prefix", () => {
      const prefixed = xml.replace(/<(\/?)([a-z_]+)/g, "<$1d:$2").replace('xmlns="', 'xmlns:d="').replace("<d:?xml", "<?xml");
      assert.match(prefixed, /<d:feedback xmlns:d="urn:ietf:params:xml:ns:dmarc-2.0">/);
      const r = read(prefixed);
      assert.equal(r.format, ReportFormat.RFC9990);
      assert.equal(r.messages, 5);
    });

    it("tells RFC 9990 by its elements when the namespace is missing", () => {
      assert.equal(read(xml.replace(' xmlns="urn:ietf:params:xml:ns:dmarc-2.0"', "")).format, ReportFormat.RFC9990);
    });
  });

  describe("what real reporters send that is neither", () => {
    it("takes upper-case and padded words", () => {
      const r = read(report7489({ policy: "<domain> Example.COM </domain><p> REJECT </p><sp>Quarantine</sp><pct>100</pct>", record: "<record><row><source_ip>192.0.2.1</source_ip><count> 4 </count><policy_evaluated><disposition>Reject</disposition><dkim>FAIL</dkim><spf> PASS </spf></policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers><auth_results/></record>" }));
      assert.equal(r.domain, "example.com");
      assert.deepEqual([r.policy.p, r.policy.sp], ["reject", "quarantine"]);
      assert.deepEqual(totals(r), { rows: 1, messages: 4, dkimPass: 0, spfPass: 4, dmarcPass: 4 });
      assert.deepEqual(r.sources.get("192.0.2.1")!.dispositions, { reject: 4 });
      assert.deepEqual(r.warnings, []);
    });

    it("takes an empty auth_results and an empty reason", () => {
      const r = read(report7489({ record: "<record><row><source_ip>192.0.2.1</source_ip><count>2</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf><reason></reason><reason><type></type><comment></comment></reason></policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers><auth_results></auth_results></record>" }));
      assert.deepEqual(totals(r), { rows: 1, messages: 2, dkimPass: 2, spfPass: 2, dmarcPass: 2 });
      assert.deepEqual(r.sources.get("192.0.2.1")!.reasons, {});
      assert.deepEqual(r.warnings, []);
    });

    it("counts override reasons per source", () => {
      const r = read(report7489({ record: "<record><row><source_ip>192.0.2.1</source_ip><count>2</count><policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>fail</spf><reason><type>Mailing_List</type></reason></policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers><auth_results/></record>" }));
      assert.deepEqual(r.sources.get("192.0.2.1")!.reasons, { mailing_list: 2 });
    });

    it("reads past stray text before, inside and after the report", () => {
      const r = read(report7489({ before: "This is a DMARC report.\n<?xml version=\"1.0\"?>", after: "\n-- \nsent by a robot" }).replace("</report_metadata>", "</report_metadata> stray words "));
      assert.equal(r.messages, 3);
      assert.match(r.warnings.join(), /XML is not well-formed/);
    });

    it("reads a report wrapped in a schema element that never closes", () => {
      const wrapped = report7489().replace("<feedback>", '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">\n<feedback>');
      const r = read(wrapped);
      assert.deepEqual([r.reportId, r.messages], ["r-1", 3]);
      assert.match(r.warnings.join(), /unclosed tag: xs:schema/);
    });

    it("replaces invalid UTF-8 and says so", () => {
      const bytes = Buffer.from(report7489({ metadata: "<org_name>recei\u00ffver.example</org_name><report_id>r-1</report_id><date_range><begin>1538438400</begin><end>1538524799</end></date_range>" }), "latin1");
      const r = read(bytes);
      assert.equal(r.reporter, "recei\uFFFDver.example");
      assert.match(r.warnings.join(), /invalid UTF-8/);
    });

    it("decodes the encoding the declaration names (AOL's windows-1252)", () => {
      const xml = report7489({ before: '<?xml version="1.0" encoding="windows-1252"?>', metadata: "<org_name>Soci\u00e9t\u00e9 \u0080</org_name><report_id>r-1</report_id><date_range><begin>1538438400</begin><end>1538524799</end></date_range>" });
      const r = read(Buffer.from(xml, "latin1"));
      assert.equal(r.reporter, "Soci\u00e9t\u00e9 \u20ac");
      assert.deepEqual(r.warnings, []);
    });

    it("takes a BOM, CRLF line ends and blank lines before the declaration", () => {
      const r = read(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`\r\n\r\n${report7489().replace(/\n/g, "\r\n")}`)]));
      assert.equal(r.messages, 3);
      assert.deepEqual(r.warnings, []);
    });

    it("takes several spf results and no selector or envelope_from", () => {
      const r = read(report7489({ record: "<record><row><source_ip>192.0.2.1</source_ip><count>1</count><policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>pass</spf></policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers><auth_results><dkim><domain>other.example</domain><result>pass</result></dkim><spf><domain>example.com</domain><scope>helo</scope><result>pass</result></spf><spf><domain>bounce.example.com</domain><scope>mfrom</scope><result>pass</result></spf></auth_results></record>" }));
      assert.deepEqual([...r.sources.get("192.0.2.1")!.spfDomains], ["example.com", "bounce.example.com"]);
      assert.equal(r.spfPass, 1);
    });

    it("leaves out a record whose count is not a number, and says so", () => {
      const r = read(report7489().replace("<count>3</count>", "<count>three</count>"));
      assert.deepEqual([r.rows, r.messages], [1, 0]);
      assert.match(r.warnings.join(), /count "three" is not a whole number/);
    });

    it("never expands entities a DTD declares (an XML bomb stays a few bytes)", () => {
      const entities = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join("");
      const bomb = report7489({ before: `<?xml version="1.0"?><!DOCTYPE feedback [<!ENTITY lol0 "lol">${entities}]>`, metadata: "<org_name>&lol9;</org_name><report_id>r-1</report_id><date_range><begin>1538438400</begin><end>1538524799</end></date_range>" });
      const r = read(bomb);
      assert.equal(r.reporter, "&lol9;");
      assert.match(r.warnings.join(), /undefined entity/);
    });
  });

  describe("what is not a report", () => {
    const fails = (input: string, message: RegExp) => assert.throws(() => read(input), (e: Error) => e instanceof NotAReport && message.test(e.message));

    it("refuses XML without <feedback>", () => fails('<?xml version="1.0"?><rss><channel/></rss>', /no <feedback> element/));
    it("refuses text that is not XML", () => fails("<<<< hello", /no <feedback> element.*not well-formed XML/));
    it("refuses a report without report_id", () => fails(report7489({ metadata: "<org_name>r.example</org_name><date_range><begin>1</begin><end>2</end></date_range>" }), /no report_id/));
    it("refuses a report without reporter", () => fails(report7489({ metadata: "<report_id>x</report_id><date_range><begin>1</begin><end>2</end></date_range>" }), /neither org_name nor email/));
    it("refuses a date that is not a number", () => fails(report7489({ metadata: "<org_name>r.example</org_name><report_id>x</report_id><date_range><begin>yesterday</begin><end>2</end></date_range>" }), /date_range begin "yesterday" is not a time in seconds/));
    it("refuses a date past the year 9999, which has no day to count on", () => {
      fails(report7489({ metadata: "<org_name>r.example</org_name><report_id>x</report_id><date_range><begin>1</begin><end>99999999999999999</end></date_range>" }), /date_range end "99999999999999999" is after the year 9999/);
      fails(report7489({ metadata: "<org_name>r.example</org_name><report_id>x</report_id><date_range><begin>253402300800</begin><end>253402300800</end></date_range>" }), /date_range begin "253402300800" is after the year 9999/);
      assert.equal(read(report7489({ metadata: "<org_name>r.example</org_name><report_id>x</report_id><date_range><begin>253402300799</begin><end>253402300799</end></date_range>" })).end, 253402300799);
    });
    it("refuses a report without policy domain", () => fails(report7489({ policy: "<p>none</p>" }), /policy_published has no domain/));
    it("reads p as none when it is missing, as RFC 9989 says", () => {
      const r = read(report7489({ policy: "<domain>example.com</domain>" }));
      assert.equal(r.policy.p, "none");
      assert.match(r.warnings.join(), /no valid p: read as none/);
    });
  });
});
