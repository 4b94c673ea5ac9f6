/**
 * The fast path against saxes, the conforming parser, as the oracle: whatever `scanPlainXml`
 * accepts, saxes must read without an error into the same elements, attributes and text. Over
 * real reports (which it must accept) and over thousands of seeded random edits of them.
 */
import assert from "node:assert/strict";
import { SaxesParser } from "saxes";
import { scanPlainXml, XmlHandler } from "../../../lib/reports/plain-xml";
import { randomBelow, seededRandom } from "../../fixtures/random";
import { real, REAL, rfc9990Report } from "../../fixtures/reports";

type Event = ["open", string, Record<string, string>] | ["text", string] | ["close"];

/** Every event, with the text between two tags as one. */
class Recorder implements XmlHandler {
  readonly capturing = true;
  readonly events: Event[] = [];
  open(name: string, attributes: Readonly<Record<string, string>>): void {
    this.events.push(["open", name, { ...attributes }]);
  }
  text(text: string): void {
    const last = this.events[this.events.length - 1];
    if (last?.[0] === "text") last[1] += text;
    else this.events.push(["text", text]);
  }
  close(): void {
    this.events.push(["close"]);
  }
}

function scanned(text: string): Event[] | null {
  const recorder = new Recorder();
  return scanPlainXml(text, recorder) ? recorder.events : null;
}

/** What saxes reads, as the same events (text outside the root is not an element's), and its errors. */
function bySaxes(text: string): { events: Event[]; errors: string[] } {
  const recorder = new Recorder();
  const errors: string[] = [];
  const parser = new SaxesParser();
  let depth = 0;
  parser.on("error", (e) => errors.push(e.message));
  parser.on("opentag", (tag) => {
    depth++;
    recorder.open(tag.name, tag.attributes as Record<string, string>);
  });
  parser.on("closetag", () => {
    depth--;
    recorder.close();
  });
  parser.on("text", (t) => depth > 0 && recorder.text(t));
  parser.on("cdata", (t) => recorder.text(t));
  parser.write(text).close();
  return { events: recorder.events, errors };
}

/** What an edit inserts: XML's own characters and constructs, and what is not plain. */
const PIECES = ["<", ">", "/", "=", '"', "'", "&", "&amp;", "!", "?", "-", " ", "\t", "\n", "\r", "]]>", "<!--", "-->", "<![CDATA[", "<?pi?>", "<a>", "</a>", "<b/>", ' x="1"', " x='<'", "é", "\u0001", "\ud800", "\uffff", ":", "0", "a"];

function mutate(text: string, next: () => number): string {
  const edits = 1 + randomBelow(next, 3);
  for (let e = 0; e < edits; e++) {
    const at = randomBelow(next, text.length);
    const kind = next();
    const piece = PIECES[randomBelow(next, PIECES.length)];
    if (kind < 0.4) text = text.slice(0, at) + piece + text.slice(at);
    else if (kind < 0.7) text = text.slice(0, at) + text.slice(at + 1 + randomBelow(next, 8));
    else text = text.slice(0, at) + piece + text.slice(at + piece.length);
  }
  return text;
}

const SAMPLES = (Object.keys(REAL) as (keyof typeof REAL)[]).map((name) => ({ name, text: real(name).toString("utf8") }));
const plainSamples = () => [
  ...SAMPLES.filter((s) => scanned(s.text)),
  { name: "rfc9990Report", text: rfc9990Report({ reportId: "r-1", begin: 1, rows: [{ ip: "192.0.2.1", count: 2, dkim: "pass", spf: "fail" }] }) },
];

describe("reports: the plain XML fast path", () => {
  it("reads the real reports (all but AOL's, which is broken on purpose) and rfc9990Report as saxes does", () => {
    const plain = plainSamples();
    assert.deepEqual(
      SAMPLES.filter((s) => !scanned(s.text)).map((s) => s.name),
      ["googleZip", "ironportGz", "aol"],
    );
    for (const { name, text } of plain) {
      const oracle = bySaxes(text);
      assert.deepEqual(oracle.errors, [], name);
      assert.deepEqual(scanned(text), oracle.events, name);
    }
  });

  it("accepts only what saxes reads without error into the same events, over 20,000 random edits", () => {
    const next = seededRandom(9990);
    const bases = plainSamples().filter((s) => s.text.length < 20000);
    let accepted = 0;
    for (let i = 0; i < 20000; i++) {
      const text = mutate(bases[i % bases.length].text, next);
      const events = scanned(text);
      if (!events) continue;
      accepted++;
      const oracle = bySaxes(text);
      assert.deepEqual(oracle.errors, [], `accepted ${JSON.stringify(text)}`);
      assert.deepEqual(events, oracle.events, `differs on ${JSON.stringify(text)}`);
    }
    // Both sides must be exercised: edits inside text keep a document plain, most others do not.
    assert.ok(accepted > 1000 && accepted < 19000, `${accepted} of 20000 accepted`);
  });

  describe("gives up on everything that is not plain", () => {
    const notPlain: [string, string][] = [
      ["a reference", "<a>&amp;</a>"],
      ["a carriage return", "<a>\r\n</a>"],
      ["a CDATA section", "<a><![CDATA[x]]></a>"],
      ["]]> in text", "<a>]]></a>"],
      ["a comment", "<a><!-- x --></a>"],
      ["a DOCTYPE", "<!DOCTYPE a><a/>"],
      ["a processing instruction", "<a><?pi x?></a>"],
      ["a declaration that is not XML 1.0's", '<?xml version="1.1"?><a/>'],
      ["white space before the declaration", ' <?xml version="1.0"?><a/>'],
      ["a second root", "<a/><b/>"],
      ["text outside the root", "<a/>x"],
      ["no root", "  "],
      ["an unclosed element", "<a><b></b>"],
      ["a mismatched end tag", "<a><b></a></b>"],
      ["an end tag longer than its name", "<a></ab>"],
      ["an attribute without quotes", "<a x=1/>"],
      ["an attribute without a value", "<a x/>"],
      ["attributes without space between", '<a x="1"y="2"/>'],
      ["a duplicate attribute", '<a x="1" x="2"/>'],
      ["< in an attribute", '<a x="<"/>'],
      ["a tab in an attribute (saxes normalises it)", '<a x="\t"/>'],
      ["a name that is not ASCII", "<é/>"],
      ["a name starting with a digit", "<1a/>"],
      ["a control character", "<a>\u0001</a>"],
      ["a lone surrogate", "<a>\ud800</a>"],
    ];
    for (const [what, text] of notPlain) it(what, () => assert.equal(scanned(text), null));
  });

  it("tells only the text an element wants", () => {
    const events: string[] = [];
    const handler: XmlHandler = {
      get capturing() {
        return events[events.length - 1] === "open:want";
      },
      open: (name) => events.push(`open:${name}`),
      text: (t) => events.push(`text:${t}`),
      close: () => events.push("close"),
    };
    assert.ok(scanPlainXml('<?xml version="1.0" encoding="UTF-8"?>\n<r> <skip>no</skip> <want>yes</want> </r>\n', handler));
    assert.deepEqual(events, ["open:r", "open:skip", "close", "open:want", "text:yes", "close", "close"]);
  });
});
