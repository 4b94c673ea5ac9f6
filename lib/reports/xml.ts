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
import { Disposition, DISPOSITIONS, NotAReport, PublishedPolicy, Report, ReportFormat, RFC9990_NAMESPACE, SourceTally } from "./report";

/** Names kept per source and kind (header From, DKIM and SPF domains): enough to recognise a sender. */
const NAMES_PER_SOURCE = 10;
/** Warnings kept per report; the rest are counted. */
const WARNINGS_PER_REPORT = 10;

const POLICIES = new Set(["none", "quarantine", "reject"]);
const DISPOSITION_SET = new Set<string>(DISPOSITIONS);

/** What one `<record>` said, until it closes. */
interface RecordState {
  ip: string;
  count: string;
  disposition: string;
  dkim: string | undefined;
  spf: string | undefined;
  reasons: string[];
  headerFrom: string;
  authDkim: { domain: string; result: string }[];
  authSpf: { domain: string; result: string }[];
  /** The `dkim` or `spf` element of `auth_results` being read. */
  auth: { domain: string; result: string };
}

function newRecord(): RecordState {
  return { ip: "", count: "", disposition: "", dkim: undefined, spf: undefined, reasons: [], headerFrom: "", authDkim: [], authSpf: [], auth: { domain: "", result: "" } };
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

export class ReportReader {
  private readonly parser = new SaxesParser();
  private decoder: TextDecoder | undefined;
  private utf8 = true;
  private started = false;
  /** Element names (local, without prefix) from the document root down. */
  private readonly stack: string[] = [];
  /** Depth of `<feedback>` in `stack`, or -1 before it opens; `done` once it has closed. */
  private feedbackDepth = -1;
  private done = false;
  /** Path below `<feedback>`, e.g. `record/row/source_ip`; "" at feedback itself or outside. */
  private path = "";
  private readonly pathLengths: number[] = [];
  private text = "";
  private namespace: string | null = null;
  private readonly xmlErrors: string[] = [];
  private xmlErrorCount = 0;
  private readonly warnings: string[] = [];
  private warningOverflow = 0;
  private readonly warned = new Set<string>();

  private readonly meta = { orgName: "", email: "", reportId: "", begin: "", end: "", generator: null as string | null };
  private readonly policy: Record<string, string> = {};
  private sawRfc9990Element = false;
  private record: RecordState | undefined;
  private readonly sources = new Map<string, SourceTally>();
  private readonly totals = { rows: 0, messages: 0, dmarcPass: 0, dkimPass: 0, spfPass: 0 };

  constructor() {
    this.parser.on("error", (error) => {
      this.xmlErrorCount++;
      if (this.xmlErrors.length < 3) this.xmlErrors.push(error.message);
    });
    this.parser.on("opentag", (tag) => this.open(tag));
    this.parser.on("closetag", () => this.close());
    this.parser.on("text", (text) => {
      if (this.feedbackDepth >= 0) this.text += text;
    });
    this.parser.on("cdata", (text) => {
      if (this.feedbackDepth >= 0) this.text += text;
    });
  }

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
    if (this.utf8 && text.includes("\uFFFD")) this.warn("invalid UTF-8: bytes that are not UTF-8 were replaced by U+FFFD");
    this.parser.write(text);
  }

  /** The report, once every byte has been written; throws `NotAReport` when it cannot count. */
  finish(): Report {
    if (this.decoder) this.feed(this.decoder.decode());
    this.parser.close();
    if (this.feedbackDepth < 0 && !this.done) {
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
      policy: this.publishedPolicy(),
      ...this.totals,
      sources: this.sources,
      warnings: this.warnings,
    };
  }

  private warn(message: string): void {
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
    this.stack.push(local);
    this.text = "";
    if (this.feedbackDepth < 0) {
      if (local === "feedback" && !this.done) {
        this.feedbackDepth = this.stack.length - 1;
        this.namespace = tag.attributes[colon < 0 ? "xmlns" : `xmlns:${tag.name.slice(0, colon)}`] ?? null;
      }
      return;
    }
    this.pathLengths.push(this.path.length);
    this.path = this.stack.length === this.feedbackDepth + 2 ? local : `${this.path}/${local}`;
    if (this.path === "record") {
      this.record = newRecord();
      this.totals.rows++;
    } else if (this.path === "record/auth_results/dkim" || this.path === "record/auth_results/spf") {
      this.record!.auth = { domain: "", result: "" };
    }
  }

  private close(): void {
    this.stack.pop();
    if (this.feedbackDepth < 0) return;
    if (this.stack.length === this.feedbackDepth) {
      this.feedbackDepth = -1;
      this.done = true;
      return;
    }
    this.leaf(this.path, this.text);
    this.path = this.path.slice(0, this.pathLengths.pop());
    this.text = "";
  }

  /** An element below `<feedback>` closed: keep what it says. */
  private leaf(path: string, text: string): void {
    const r = this.record;
    switch (path) {
      case "report_metadata/org_name":
        this.meta.orgName = text;
        return;
      case "report_metadata/email":
        this.meta.email = text;
        return;
      case "report_metadata/report_id":
        this.meta.reportId = text;
        return;
      case "report_metadata/date_range/begin":
        this.meta.begin = text;
        return;
      case "report_metadata/date_range/end":
        this.meta.end = text;
        return;
      case "report_metadata/generator":
        this.meta.generator = text.trim() || null;
        this.sawRfc9990Element = true;
        return;
      case "report_metadata/error":
        if (text.trim()) this.warn(`the reporter noted an error: ${text.trim()}`);
        return;
      case "record/row/source_ip":
        r!.ip = text.trim();
        return;
      case "record/row/count":
        r!.count = text;
        return;
      case "record/row/policy_evaluated/disposition":
        r!.disposition = word(text);
        return;
      case "record/row/policy_evaluated/dkim":
        r!.dkim = word(text);
        return;
      case "record/row/policy_evaluated/spf":
        r!.spf = word(text);
        return;
      case "record/row/policy_evaluated/reason/type":
        if (word(text)) r!.reasons.push(word(text));
        return;
      case "record/identifiers/header_from":
      case "record/identities/header_from":
        r!.headerFrom = normalizeName(text);
        return;
      case "record/auth_results/dkim/domain":
      case "record/auth_results/spf/domain":
        r!.auth.domain = normalizeName(text);
        return;
      case "record/auth_results/dkim/result":
      case "record/auth_results/spf/result":
        r!.auth.result = word(text);
        return;
      case "record/auth_results/dkim":
        r!.authDkim.push(r!.auth);
        return;
      case "record/auth_results/spf":
        r!.authSpf.push(r!.auth);
        return;
      case "record":
        this.endRecord(r!);
        this.record = undefined;
        return;
    }
    if (path.startsWith("policy_published/")) {
      const key = path.slice("policy_published/".length);
      if (key === "testing" || key === "discovery_method") this.sawRfc9990Element = true;
      this.policy[key] = text;
    }
  }

  private endRecord(r: RecordState): void {
    const count = /^\s*([0-9]+)(\.0*)?\s*$/.exec(r.count);
    if (!count) {
      this.warn(`a record's count ${r.count.trim() ? `"${r.count.trim()}" is not a whole number` : "is missing"}: that record is left out`);
      return;
    }
    const n = Number(count[1]);
    const ip = r.ip || "unknown";
    if (!isIP(ip)) this.warn(`source_ip "${r.ip}" is not an IP address; counted as given`);
    if (r.dkim === undefined || r.spf === undefined) this.warn("policy_evaluated has no dkim/spf verdict (a draft before RFC 7489): derived from auth_results and the published alignment");
    const dkim = r.dkim !== undefined ? r.dkim === "pass" : r.authDkim.some((a) => a.result === "pass" && this.aligned(a.domain, r.headerFrom, "adkim"));
    const spf = r.spf !== undefined ? r.spf === "pass" : r.authSpf.some((a) => a.result === "pass" && this.aligned(a.domain, r.headerFrom, "aspf"));
    let source = this.sources.get(ip);
    if (!source) {
      source = { messages: 0, dmarcPass: 0, dkimPass: 0, spfPass: 0, dispositions: {}, reasons: {}, headerFrom: new Set(), dkimDomains: new Set(), spfDomains: new Set() };
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
    for (const a of r.authDkim) addName(source.dkimDomains, a.domain);
    for (const a of r.authSpf) addName(source.spfDomains, a.domain);
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
      testing: choice("testing", new Set(["y", "n"])),
      adkim: choice("adkim", new Set(["r", "s"])),
      aspf: choice("aspf", new Set(["r", "s"])),
      fo: this.policy.fo?.trim() || null,
      discoveryMethod: choice("discovery_method", new Set(["psl", "treewalk"])),
    };
  }
}

function addName(names: Set<string>, name: string): void {
  if (name && names.size < NAMES_PER_SOURCE) names.add(name);
}
