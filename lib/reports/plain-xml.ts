/**
 * The reader's fast path: one pass over a whole document that is *plain* XML, the kind nearly
 * every aggregate report is: elements, attributes and text, and nothing else. The first thing
 * outside that kind makes it give up (return false) before the document's end; the reader then
 * discards what it was told and reads the same text with saxes, the conforming parser, which
 * also reports the errors. So a document it accepts is one saxes reads without an error, into
 * the same elements and text (tests/lib/reports/plain-xml.test.ts checks both on real reports
 * and on thousands of broken ones).
 *
 * Plain means: an optional XML 1.0 declaration, then one root element, with only XML white space
 * around it; ASCII names; attribute values in quotes without `<`, tab or line end; and no
 * reference (`&`), CDATA section, comment, DOCTYPE, processing instruction, carriage return
 * (saxes rewrites line ends), `]]>`, or character XML 1.0 forbids. Entities are never expanded.
 *
 * Why by hand: saxes checks every character of every name and text as it goes, and that was more
 * than half the time `reports` took (docs/reports.md, "Speed and memory"). Here the characters are
 * checked by one regular expression over the whole text, and tags are found with `indexOf`.
 */

/** What the scanner tells, in document order; `capturing` says whether the text between tags is wanted. */
export interface XmlHandler {
  readonly capturing: boolean;
  open(name: string, attributes: Readonly<Record<string, string>>): void;
  text(text: string): void;
  close(): void;
}

const DECLARATION = /^<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*(["'])1\.0\1(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:[ \t\n]+standalone[ \t\n]*=[ \t\n]*(["'])(?:yes|no)\3)?[ \t\n]*\?>/;
/** References, line ends saxes rewrites, and what XML 1.0 forbids (and any surrogate, to be simple). */
const NOT_PLAIN_CHARACTER = /[&\r\0-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]/;
/** In an attribute value, also what saxes would rewrite or refuse. */
const NOT_PLAIN_VALUE = /[<&\t\n\r\0-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]/;

const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze(Object.create(null));

const GT = 0x3e;
const SLASH = 0x2f;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;

/** 1 for the characters that may start a (plain, ASCII) name, 2 for those that may follow. */
const NAME = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_]/.test(ch)) NAME[c] = 1;
  else if (/[0-9.:-]/.test(ch)) NAME[c] = 2;
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x09;

/** Where the name starting at `i` ends; `i` itself when none starts there. */
function nameEnd(text: string, i: number): number {
  if (NAME[text.charCodeAt(i)] !== 1) return i;
  let j = i + 1;
  while (NAME[text.charCodeAt(j)]) j++;
  return j;
}

function skipSpace(text: string, i: number): number {
  while (isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** The attributes from `i` to the tag's end, and where it ends (after `>`); null when not plain. */
function attributesAt(text: string, i: number): { attributes: Record<string, string>; end: number; empty: boolean } | null {
  const attributes: Record<string, string> = Object.create(null);
  for (;;) {
    const spaced = skipSpace(text, i);
    const c = text.charCodeAt(spaced);
    if (c === GT) return { attributes, end: spaced + 1, empty: false };
    if (c === SLASH) return text.charCodeAt(spaced + 1) === GT ? { attributes, end: spaced + 2, empty: true } : null;
    const end = nameEnd(text, spaced);
    if (spaced === i || end === spaced) return null;
    const name = text.slice(spaced, end);
    const equals = skipSpace(text, end);
    if (text.charCodeAt(equals) !== EQUALS) return null;
    const open = skipSpace(text, equals + 1);
    const quote = text.charCodeAt(open);
    if (quote !== QUOTE && quote !== APOSTROPHE) return null;
    const close = text.indexOf(quote === QUOTE ? '"' : "'", open + 1);
    if (close < 0) return null;
    const value = text.slice(open + 1, close);
    if (NOT_PLAIN_VALUE.test(value) || Object.hasOwn(attributes, name)) return null;
    attributes[name] = value;
    i = close + 1;
  }
}

/**
 * Tells `handler` the document, when it is plain XML; false, as soon as it is not. The handler may
 * then have been told part of it, and is not to be used.
 */
export function scanPlainXml(text: string, handler: XmlHandler): boolean {
  const declaration = DECLARATION.exec(text);
  let i = declaration ? declaration[0].length : 0;
  // One pass over the whole text (native, and faster than looking at each piece of it).
  if (NOT_PLAIN_CHARACTER.test(text) || text.includes("]]>")) return false;
  const open: string[] = [];
  let rooted = false;
  for (;;) {
    const lt = text.indexOf("<", i);
    const textEnd = lt < 0 ? text.length : lt;
    if (textEnd > i) {
      if (open.length === 0) {
        if (skipSpace(text, i) < textEnd) return false;
      } else if (handler.capturing) handler.text(text.slice(i, textEnd));
    }
    if (lt < 0) return rooted && open.length === 0;
    if (text.charCodeAt(lt + 1) === SLASH) {
      const top = open.pop();
      // Cut out and compared: cheaper in V8 than startsWith at an offset.
      if (top === undefined || text.slice(lt + 2, lt + 2 + top.length) !== top) return false;
      const gt = skipSpace(text, lt + 2 + top.length);
      if (text.charCodeAt(gt) !== GT) return false;
      handler.close();
      i = gt + 1;
      continue;
    }
    // A second root, or `<!`, `<?` or anything else that does not start a name, is not plain.
    if (rooted && open.length === 0) return false;
    const end = nameEnd(text, lt + 1);
    if (end === lt + 1) return false;
    const name = text.slice(lt + 1, end);
    let empty = false;
    let attributes = NO_ATTRIBUTES;
    if (text.charCodeAt(end) === GT) i = end + 1;
    else {
      const tag = attributesAt(text, end);
      if (!tag) return false;
      ({ attributes, empty } = tag);
      i = tag.end;
    }
    rooted = true;
    handler.open(name, attributes);
    if (empty) handler.close();
    else open.push(name);
  }
}
