/**
 * The XML reader: bytes of one aggregate report in, one `Report` out. A report that is plain XML
 * (nearly all are) is read by the fast path, lib/reports/plain-xml.ts; any other, and any too
 * long to hold whole, by saxes, a streaming parser that never expands entities a DTD declares
 * (`&lol;` stays text, so XML bombs cannot grow). Both tell the same `FeedbackReader`.
 *
 * It reads RFC 7489 appendix C, RFC 9990 and what real reporters send that is neither (see
 * docs/reports.md): any namespace or prefix, upper-case or padded words, empty elements, a BOM,
 * a declared encoding, invalid UTF-8 (replaced), stray text, and the report inside an element
 * that never closes (the XML errors are kept as a warning, and the report still counts when its
 * required parts are there). Drafts before RFC 7489 had no `dkim`/`spf` verdicts in
 * `policy_evaluated` and called `identifiers` `identities`; those verdicts are then derived from
 * `auth_results` and the published alignment.
 */
import { isIP } from "node:net";
import { isUtf8 } from "node:buffer";
import { SaxesParser } from "saxes";
import { normalizeName, organizationalDomain } from "../names";
import { scanPlainXml, XmlHandler } from "./plain-xml";
import { addName, Disposition, DISPOSITIONS, newSourceTally, NotAReport, PublishedPolicy, Report, ReportFormat, RFC9990_NAMESPACE, SourceTally } from "./report";

/** Warnings kept per report; the rest are counted. */
const WARNINGS_PER_REPORT = 10;

/** 10000-01-01T00:00:00Z in epoch seconds. */
const LAST_DAY_END = 253402300800;

const POLICIES = new Set(["none", "quarantine", "reject"]);
const YES_NO = new Set(["y", "n"]);
const ALIGNMENTS = new Set(["r", "s"]);
const DISCOVERY_METHODS = new Set(["psl", "treewalk"]);
const DISPOSITION_SET = new Set<string>(DISPOSITIONS);

/** What one `<record>` said, until it closes; one per reader, reset for each record. */
interface RecordState {
  ip: string;
  count: string;
  disposition: string;
  dkim: string | undefined;
  spf: string | undefined;
  reasons: string[];
  headerFrom: string;
  /** `auth_results`' DKIM and SPF results: domains and results at the same index. */
  dkimDomains: string[];
  dkimResults: string[];
  spfDomains: string[];
  spfResults: string[];
}

function resetRecord(r: RecordState): void {
  r.ip = r.count = r.disposition = r.headerFrom = "";
  r.dkim = r.spf = undefined;
  // New arrays cost less than emptying the old ones: setting an array's length calls into V8's runtime.
  r.reasons = [];
  r.dkimDomains = [];
  r.dkimResults = [];
  r.spfDomains = [];
  r.spfResults = [];
}

const word = (text: string) => text.trim().toLowerCase();

/** The encoding an XML document's first bytes announce (BOM or declaration); UTF-8 otherwise. */
function sniffEncoding(head: Uint8Array): string {
  if (head[0] === 0xff && head[1] === 0xfe) return "utf-16le";
  if (head[0] === 0xfe && head[1] === 0xff) return "utf-16be";
  const start = Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, 256)).toString("latin1");
  const declared = /^(?:\uFEFF|\xEF\xBB\xBF)?\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(start);
  return declared ? declared[1].toLowerCase() : "utf-8";
}

/**
 * An element the reader knows, by its local name below its parent; `leaf` gets its text when it
 * closes. Children are found by comparing names in order: there are at most ten, and a `Map`
 * would hash each name the parser cuts out, which cost more than the comparisons.
 */
interface ElementNode {
  childNames: string[];
  children: ElementNode[];
  leaf?: (r: FeedbackReader, text: string) => void;
  open?: (r: FeedbackReader) => void;
  close?: (r: FeedbackReader) => void;
}

type Spec = { leaf?: ElementNode["leaf"]; open?: ElementNode["open"]; close?: ElementNode["close"]; children?: Record<string, Spec> };

function tree(spec: Spec): ElementNode {
  const entries = Object.entries(spec.children ?? {});
  return { childNames: entries.map(([name]) => name), children: entries.map(([, child]) => tree(child)), leaf: spec.leaf, open: spec.open, close: spec.close };
}

function childOf(node: ElementNode, local: string): ElementNode {
  const i = node.childNames.indexOf(local);
  return i < 0 ? IGNORED : node.children[i];
}

/** A DKIM or SPF result: both lists grow by one when it opens, so a missing child stays "". */
const auth = (domains: "dkimDomains" | "spfDomains", results: "dkimResults" | "spfResults"): Spec => ({
  open: (r) => {
    r.record[domains].push("");
    r.record[results].push("");
  },
  children: {
    domain: { leaf: (r, t) => (r.record[domains][r.record[domains].length - 1] = normalizeName(t)) },
    result: { leaf: (r, t) => (r.record[results][r.record[results].length - 1] = word(t)) },
  },
});

const identifiers: Spec = { children: { header_from: { leaf: (r, t) => (r.record.headerFrom = normalizeName(t)) } } };

const POLICY_KEYS = ["domain", "p", "sp", "np", "pct", "adkim", "aspf", "fo", "testing", "discovery_method"];

/** Below `<feedback>`: what the reader reads of RFC 7489 appendix C, RFC 9990 and the draft before them. */
const FEEDBACK = tree({
  children: {
    report_metadata: {
      children: {
        org_name: { leaf: (r, t) => (r.meta.orgName = t) },
        email: { leaf: (r, t) => (r.meta.email = t) },
        report_id: { leaf: (r, t) => (r.meta.reportId = t) },
        date_range: { children: { begin: { leaf: (r, t) => (r.meta.begin = t) }, end: { leaf: (r, t) => (r.meta.end = t) } } },
        generator: {
          leaf: (r, t) => {
            r.meta.generator = t.trim() || null;
            r.sawRfc9990Element = true;
          },
        },
        error: { leaf: (r, t) => t.trim() && r.warn(`the reporter noted an error: ${t.trim()}`) },
      },
    },
    policy_published: { children: Object.fromEntries(POLICY_KEYS.map((key) => [key, { leaf: (r: FeedbackReader, t: string) => r.setPolicy(key, t) }])) },
    record: {
      open: (r) => r.startRecord(),
      close: (r) => r.endRecord(),
      children: {
        row: {
          children: {
            source_ip: { leaf: (r, t) => (r.record.ip = t.trim()) },
            count: { leaf: (r, t) => (r.record.count = t) },
            policy_evaluated: {
              children: {
                disposition: { leaf: (r, t) => (r.record.disposition = word(t)) },
                dkim: { leaf: (r, t) => (r.record.dkim = word(t)) },
                spf: { leaf: (r, t) => (r.record.spf = word(t)) },
                reason: { children: { type: { leaf: (r, t) => word(t) && r.record.reasons.push(word(t)) } } },
              },
            },
          },
        },
        identifiers,
        // The draft before RFC 7489 called them identities.
        identities: identifiers,
        auth_results: { children: { dkim: auth("dkimDomains", "dkimResults"), spf: auth("spfDomains", "spfResults") } },
      },
    },
  },
});
const OUTSIDE = tree({});
const IGNORED = tree({});

/**
 * The text of a report longest held whole for the fast path (lib/reports/plain-xml.ts); a longer
 * one is streamed through saxes as it comes, so memory stays bounded whatever the size.
 */
const PLAIN_SCAN_LIMIT = 8 * 1024 * 1024;

/** Bytes of one aggregate report in, one `Report` out: the public face of the two parsers. */
export class ReportReader {
  private decoder: TextDecoder | undefined;
  private utf8 = true;
  private replaced = false;
  private started = false;
  /** What decoding found, before either parser ran. */
  private readonly decodingWarnings: string[] = [];
  /** The text so far, while the document may still be plain XML; undefined once streamed to saxes. */
  private held: string[] | undefined = [];
  private heldLength = 0;
  private streamed: SaxesReading | undefined;

  /** Feed the next bytes of the document. */
  write(bytes: Uint8Array): void {
    if (!this.decoder) {
      let encoding = sniffEncoding(bytes);
      try {
        this.decoder = new TextDecoder(encoding);
      } catch {
        this.decodingWarning(`declared encoding "${encoding}" is unknown; read as UTF-8`);
        encoding = "utf-8";
        this.decoder = new TextDecoder(encoding);
      }
      this.utf8 = this.decoder.encoding === "utf-8";
    }
    // Valid UTF-8 (nearly always) needs no search for replacement characters.
    if (this.utf8 && !this.replaced && !isUtf8(bytes)) this.feed(this.decoder.decode(bytes, { stream: true }), true);
    else this.feed(this.decoder.decode(bytes, { stream: true }), false);
  }

  private decodingWarning(message: string): void {
    this.decodingWarnings.push(message);
    this.streamed?.feedback.warn(message);
  }

  private feed(text: string, maybeReplaced: boolean): void {
    if (!this.started) {
      // Blank lines before `<?xml` are common and harmless; saxes would call them an error.
      text = text.replace(/^\s+/, "");
      if (text === "") return;
      this.started = true;
    }
    if (maybeReplaced && !this.replaced && text.includes("\uFFFD")) {
      this.replaced = true;
      this.decodingWarning("invalid UTF-8: bytes that are not UTF-8 were replaced by U+FFFD");
    }
    if (this.held) {
      this.held.push(text);
      this.heldLength += text.length;
      if (this.heldLength > PLAIN_SCAN_LIMIT) {
        this.streamed = new SaxesReading(this.decodingWarnings);
        for (const part of this.held) this.streamed.write(part);
        this.held = undefined;
      }
    } else this.streamed!.write(text);
  }

  /** The report, once every byte has been written; throws `NotAReport` when it cannot count. */
  finish(): Report {
    if (this.decoder) {
      const rest = this.decoder.decode();
      if (rest) this.feed(rest, true);
    }
    if (this.held) {
      const text = this.held.length === 1 ? this.held[0] : this.held.join("");
      const plain = new FeedbackReader(this.decodingWarnings);
      if (scanPlainXml(text, plain)) return plain.finish([], 0);
      this.streamed = new SaxesReading(this.decodingWarnings);
      this.streamed.write(text);
    }
    return this.streamed!.finish();
  }
}

/** The conforming path: saxes, for a document that is not plain XML or too long to hold whole. */
class SaxesReading {
  private readonly parser = new SaxesParser();
  readonly feedback: FeedbackReader;
  private readonly errors: string[] = [];
  private errorCount = 0;
  private capturing = false;

  constructor(decodingWarnings: readonly string[]) {
    const feedback = (this.feedback = new FeedbackReader(decodingWarnings));
    this.parser.on("error", (error) => {
      this.errorCount++;
      if (this.errors.length < 3) this.errors.push(error.message);
    });
    this.parser.on("opentag", (tag) => {
      feedback.open(tag.name, tag.attributes);
      this.followCapture();
    });
    this.parser.on("closetag", () => {
      feedback.close();
      this.followCapture();
    });
    this.parser.on("cdata", this.onText);
  }

  private readonly onText = (text: string) => this.feedback.text(text);

  /**
   * The text handler is set only while the reader keeps text: saxes then does not cut out the
   * white space between elements, most of a report's text.
   */
  private followCapture(): void {
    if (this.feedback.capturing === this.capturing) return;
    this.capturing = this.feedback.capturing;
    if (this.capturing) this.parser.on("text", this.onText);
    else this.parser.off("text");
  }

  write(text: string): void {
    this.parser.write(text);
  }

  finish(): Report {
    this.parser.close();
    return this.feedback.finish(this.errors, this.errorCount);
  }
}

/** The FEEDBACK tree walked as elements open and close, and what they say tallied into a `Report`. */
class FeedbackReader implements XmlHandler {
  /** The open elements' nodes of the FEEDBACK tree; `OUTSIDE` above `<feedback>`, `IGNORED` below elements not read. */
  private readonly stack: ElementNode[] = [];
  private node: ElementNode = OUTSIDE;
  /** Whether `<feedback>` has opened (a second one is not read). */
  private opened = false;
  capturing = false;
  private collected = "";
  private namespace: string | null = null;
  private readonly warnings: string[] = [];
  private warningOverflow = 0;
  private readonly warned = new Set<string>();

  /** What the report's elements said so far; the FEEDBACK tree's handlers write it. */
  readonly meta = { orgName: "", email: "", reportId: "", begin: "", end: "", generator: null as string | null };
  private readonly policy: Record<string, string> = {};
  sawRfc9990Element = false;
  readonly record: RecordState = { ip: "", count: "", disposition: "", dkim: undefined, spf: undefined, reasons: [], headerFrom: "", dkimDomains: [], dkimResults: [], spfDomains: [], spfResults: [] };
  private readonly sources = new Map<string, SourceTally>();
  private readonly totals = { rows: 0, messages: 0, dmarcPass: 0, dkimPass: 0, spfPass: 0 };

  constructor(decodingWarnings: readonly string[]) {
    for (const warning of decodingWarnings) this.warn(warning);
  }

  /** The report, after the last element; `xmlErrors` are the first of `xmlErrorCount` well-formedness errors. */
  finish(xmlErrors: readonly string[], xmlErrorCount: number): Report {
    if (!this.opened) {
      const why = xmlErrorCount ? ` (not well-formed XML: ${xmlErrors[0]})` : "";
      throw new NotAReport(`no <feedback> element: not a DMARC aggregate report${why}`);
    }
    if (xmlErrorCount) {
      this.warn(`XML is not well-formed (${xmlErrorCount} error${xmlErrorCount > 1 ? "s" : ""}: ${xmlErrors.join("; ")}); read what it holds`);
    }
    const m = this.meta;
    const email = m.email.trim() || null;
    const reporter = m.orgName.trim() || email?.split("@").pop()?.trim() || "";
    if (!reporter) throw new NotAReport("report_metadata has neither org_name nor email: the reporter is unknown");
    const reportId = m.reportId.trim();
    if (!reportId) throw new NotAReport("report_metadata has no report_id");
    const begin = this.timestamp("begin", m.begin);
    const end = this.timestamp("end", m.end);
    const domain = normalizeName(this.policy.domain ?? "");
    if (!domain) throw new NotAReport("policy_published has no domain");
    if (end < begin) this.warn(`date_range ends (${end}) before it begins (${begin})`);
    if (this.totals.rows === 0) this.warn("no <record> elements");
    const policy = this.publishedPolicy();
    if (this.warningOverflow) this.warnings.push(`${this.warningOverflow} more warnings`);
    const rfc9990 = this.namespace === RFC9990_NAMESPACE || this.sawRfc9990Element;
    return {
      reporter,
      email,
      reportId,
      domain,
      begin,
      end,
      format: rfc9990 ? ReportFormat.RFC9990 : ReportFormat.RFC7489,
      generator: m.generator,
      policy,
      ...this.totals,
      sources: this.sources,
      warnings: this.warnings,
    };
  }

  warn(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    if (this.warnings.length < WARNINGS_PER_REPORT) this.warnings.push(message);
    else this.warningOverflow++;
  }

  /** Epoch seconds; some reporters write `1337270400.0`. */
  private timestamp(which: string, text: string): number {
    const t = text.trim();
    if (!/^[0-9]+(\.[0-9]*)?$/.test(t)) throw new NotAReport(`date_range ${which} ${t ? `"${t}" is not a time in seconds` : "is missing"}`);
    const seconds = Math.floor(Number(t));
    // Days are written YYYY-MM-DD: a later time has no day to be counted on.
    if (seconds >= LAST_DAY_END) throw new NotAReport(`date_range ${which} "${t}" is after the year 9999: not a time a report covers`);
    return seconds;
  }

  open(name: string, attributes: Readonly<Record<string, string>>): void {
    this.stack.push(this.node);
    if (this.node === OUTSIDE) {
      const colon = name.indexOf(":");
      if (name.slice(colon + 1) !== "feedback" || this.opened) return;
      this.node = FEEDBACK;
      this.opened = true;
      this.namespace = attributes[colon < 0 ? "xmlns" : `xmlns:${name.slice(0, colon)}`] ?? null;
      return;
    }
    // Most reports use no prefix: the name as it is first, and only then without its prefix.
    let node = childOf(this.node, name);
    const colon = node === IGNORED ? name.indexOf(":") : -1;
    if (colon >= 0) node = childOf(this.node, name.slice(colon + 1));
    this.node = node;
    if (node.leaf) {
      this.collected = "";
      this.capturing = true;
    }
    this.node.open?.(this);
  }

  text(text: string): void {
    this.collected += text;
  }

  close(): void {
    const node = this.node;
    this.node = this.stack.pop() ?? OUTSIDE;
    if (node.leaf) {
      this.capturing = false;
      node.leaf(this, this.collected);
    } else node.close?.(this);
  }

  /** A `<record>` opened. */
  startRecord(): void {
    resetRecord(this.record);
    this.totals.rows++;
  }

  /** A `policy_published` element closed. */
  setPolicy(key: string, text: string): void {
    if (key === "testing" || key === "discovery_method") this.sawRfc9990Element = true;
    this.policy[key] = text;
  }

  endRecord(): void {
    const r = this.record;
    const count = /^\s*([0-9]+)(\.0*)?\s*$/.exec(r.count);
    if (!count) {
      this.warn(`a record's count ${r.count.trim() ? `"${r.count.trim()}" is not a whole number` : "is missing"}: that record is left out`);
      return;
    }
    const n = Number(count[1]);
    const ip = r.ip || "unknown";
    if (r.dkim === undefined || r.spf === undefined) this.warn("policy_evaluated has no dkim/spf verdict (a draft before RFC 7489): derived from auth_results and the published alignment");
    const dkim = r.dkim !== undefined ? r.dkim === "pass" : r.dkimResults.some((result, i) => result === "pass" && this.aligned(r.dkimDomains[i], r.headerFrom, "adkim"));
    const spf = r.spf !== undefined ? r.spf === "pass" : r.spfResults.some((result, i) => result === "pass" && this.aligned(r.spfDomains[i], r.headerFrom, "aspf"));
    let source = this.sources.get(ip);
    if (!source) {
      if (!isIP(ip)) this.warn(`source_ip "${r.ip}" is not an IP address; counted as given`);
      source = newSourceTally();
      this.sources.set(ip, source);
    }
    const pass = dkim || spf ? n : 0;
    source.messages += n;
    source.dmarcPass += pass;
    this.totals.messages += n;
    this.totals.dmarcPass += pass;
    if (dkim) {
      source.dkimPass += n;
      this.totals.dkimPass += n;
    }
    if (spf) {
      source.spfPass += n;
      this.totals.spfPass += n;
    }
    if (DISPOSITION_SET.has(r.disposition)) {
      const d = r.disposition as Disposition;
      source.dispositions[d] = (source.dispositions[d] ?? 0) + n;
    } else if (r.disposition) this.warn(`disposition "${r.disposition}" is none of ${DISPOSITIONS.join(", ")}`);
    for (const reason of r.reasons) source.reasons[reason] = (source.reasons[reason] ?? 0) + n;
    addName(source.headerFrom, r.headerFrom);
    for (const d of r.dkimDomains) addName(source.dkimDomains, d);
    for (const d of r.spfDomains) addName(source.spfDomains, d);
  }

  /** DMARC identifier alignment (RFC 7489 §3.1) by the policy's `adkim`/`aspf`; relaxed by default. */
  private aligned(domain: string, headerFrom: string, mode: "adkim" | "aspf"): boolean {
    if (!domain || !headerFrom) return false;
    if (word(this.policy[mode] ?? "") === "s") return domain === headerFrom;
    return organizationalDomain(domain) === organizationalDomain(headerFrom);
  }

  private publishedPolicy(): PublishedPolicy {
    const choice = (key: string, allowed: ReadonlySet<string>): string | null => {
      const raw = this.policy[key];
      if (raw === undefined || raw.trim() === "") return null;
      const value = word(raw);
      if (allowed.has(value)) return value;
      this.warn(`policy_published ${key} "${raw.trim()}" is not one of ${[...allowed].join(", ")}; ignored`);
      return null;
    };
    let p = choice("p", POLICIES);
    if (p === null) {
      // RFC 9989 §4.7: a record without a valid p= is treated as p=none.
      this.warn("policy_published has no valid p: read as none");
      p = "none";
    }
    const pctText = this.policy.pct?.trim() ?? "";
    let pct: number | null = null;
    if (pctText !== "") {
      if (/^[0-9]{1,3}$/.test(pctText) && Number(pctText) <= 100) pct = Number(pctText);
      else this.warn(`policy_published pct "${pctText}" is not 0-100; ignored`);
    }
    return {
      p,
      sp: choice("sp", POLICIES),
      pct,
      np: choice("np", POLICIES),
      testing: choice("testing", YES_NO),
      adkim: choice("adkim", ALIGNMENTS),
      aspf: choice("aspf", ALIGNMENTS),
      fo: this.policy.fo?.trim() || null,
      discoveryMethod: choice("discovery_method", DISCOVERY_METHODS),
    };
  }
}
