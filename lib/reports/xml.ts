/**
 * The XML reader: bytes of one aggregate report in, one `Report` out, streaming (saxes, a SAX
 * parser that never expands entities a DTD declares: `&lol;` stays text, so XML bombs cannot grow).
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
import { SaxesParser, SaxesTagPlain } from "saxes";
import { normalizeName, organizationalDomain } from "../names";
import { addName, Disposition, DISPOSITIONS, newSourceTally, NotAReport, PublishedPolicy, Report, ReportFormat, RFC9990_NAMESPACE, SourceTally } from "./report";

/** Warnings kept per report; the rest are counted. */
const WARNINGS_PER_REPORT = 10;

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
  r.reasons.length = r.dkimDomains.length = r.dkimResults.length = r.spfDomains.length = r.spfResults.length = 0;
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

/** An element the reader knows, by its local name below its parent; `leaf` gets its text when it closes. */
interface ElementNode {
  children: Map<string, ElementNode>;
  leaf?: (r: ReportReader, text: string) => void;
  open?: (r: ReportReader) => void;
  close?: (r: ReportReader) => void;
}

type Spec = { leaf?: ElementNode["leaf"]; open?: ElementNode["open"]; close?: ElementNode["close"]; children?: Record<string, Spec> };

function tree(spec: Spec): ElementNode {
  const children = new Map(Object.entries(spec.children ?? {}).map(([name, child]) => [name, tree(child)]));
  return { children, leaf: spec.leaf, open: spec.open, close: spec.close };
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
    policy_published: { children: Object.fromEntries(POLICY_KEYS.map((key) => [key, { leaf: (r: ReportReader, t: string) => r.setPolicy(key, t) }])) },
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

export class ReportReader {
  private readonly parser = new SaxesParser();
  private decoder: TextDecoder | undefined;
  private utf8 = true;
  private replaced = false;
  private started = false;
  /** The open elements' nodes of the FEEDBACK tree; `OUTSIDE` above `<feedback>`, `IGNORED` below elements not read. */
  private readonly stack: ElementNode[] = [];
  private node: ElementNode = OUTSIDE;
  /** Whether `<feedback>` has opened (a second one is not read). */
  private opened = false;
  private text = "";
  private namespace: string | null = null;
  private readonly xmlErrors: string[] = [];
  private xmlErrorCount = 0;
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

  constructor() {
    this.parser.on("error", (error) => {
      this.xmlErrorCount++;
      if (this.xmlErrors.length < 3) this.xmlErrors.push(error.message);
    });
    this.parser.on("opentag", (tag) => this.open(tag));
    this.parser.on("closetag", () => this.close());
    // The text handler is set only inside elements whose text is kept (see open/close): saxes
    // then does not cut out the whitespace between elements, most of a report's text.
    this.parser.on("cdata", this.onText);
  }

  private readonly onText = (text: string) => {
    this.text += text;
  };

  /** Feed the next bytes of the document. */
  write(bytes: Uint8Array): void {
    if (!this.decoder) {
      let encoding = sniffEncoding(bytes);
      try {
        this.decoder = new TextDecoder(encoding);
      } catch {
        this.warn(`declared encoding "${encoding}" is unknown; read as UTF-8`);
        encoding = "utf-8";
        this.decoder = new TextDecoder(encoding);
      }
      this.utf8 = this.decoder.encoding === "utf-8";
    }
    this.feed(this.decoder.decode(bytes, { stream: true }));
  }

  private feed(text: string): void {
    if (!this.started) {
      // Blank lines before `<?xml` are common and harmless; saxes would call them an error.
      text = text.replace(/^\s+/, "");
      if (text === "") return;
      this.started = true;
    }
    if (this.utf8 && !this.replaced && text.includes("\uFFFD")) {
      this.replaced = true;
      this.warn("invalid UTF-8: bytes that are not UTF-8 were replaced by U+FFFD");
    }
    this.parser.write(text);
  }

  /** The report, once every byte has been written; throws `NotAReport` when it cannot count. */
  finish(): Report {
    if (this.decoder) this.feed(this.decoder.decode());
    this.parser.close();
    if (!this.opened) {
      const why = this.xmlErrorCount ? ` (not well-formed XML: ${this.xmlErrors[0]})` : "";
      throw new NotAReport(`no <feedback> element: not a DMARC aggregate report${why}`);
    }
    if (this.xmlErrorCount) {
      this.warn(`XML is not well-formed (${this.xmlErrorCount} error${this.xmlErrorCount > 1 ? "s" : ""}: ${this.xmlErrors.join("; ")}); read what it holds`);
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
    return Math.floor(Number(t));
  }

  private open(tag: SaxesTagPlain): void {
    const colon = tag.name.indexOf(":");
    const local = colon < 0 ? tag.name : tag.name.slice(colon + 1);
    this.stack.push(this.node);
    if (this.node === OUTSIDE) {
      if (local !== "feedback" || this.opened) return;
      this.node = FEEDBACK;
      this.opened = true;
      this.namespace = tag.attributes[colon < 0 ? "xmlns" : `xmlns:${tag.name.slice(0, colon)}`] ?? null;
      return;
    }
    this.node = this.node.children.get(local) ?? IGNORED;
    if (this.node.leaf) {
      this.text = "";
      this.parser.on("text", this.onText);
    }
    this.node.open?.(this);
  }

  private close(): void {
    const node = this.node;
    this.node = this.stack.pop() ?? OUTSIDE;
    if (node.leaf) {
      this.parser.off("text");
      node.leaf(this, this.text);
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
