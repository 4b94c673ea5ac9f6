/**
 * The summary per DMARC policy domain: reports are added one at a time, and only their tallies
 * are kept (by source address, reporter and day), so memory follows the number of distinct
 * sources and days, not of reports or rows. A report read twice (same reporter, report id and
 * policy domain, say from a `.gz` and a `.zip`) counts once.
 */
import { Advice, advise, DEFAULT_THRESHOLDS, policyText, stageOf, Thresholds } from "./advice";
import { addName, addTally, Disposition, emptyTally, newSourceTally, PublishedPolicy, Report, ReportFormat, SourceTally, Tally } from "./report";

/** Days, `YYYY-MM-DD` (UTC), both included; null leaves that end open. */
export interface Period {
  since: string | null;
  until: string | null;
}

export interface ReportEntry extends Tally {
  /** The input (and the part of it) the report was read from. */
  file: string;
  reporter: string;
  reportId: string;
  domain: string;
  /** ISO 8601, UTC. */
  begin: string;
  end: string;
  format: ReportFormat;
  generator: string | null;
  policy: PublishedPolicy;
  rows: number;
  warnings?: string[];
  /** The file the same report was first read from; a duplicate is not counted. */
  duplicateOf?: string;
}

export interface SourceSummary extends Tally {
  ip: string;
  /** Within SES's sending ranges (lib/reports/ses-ranges.ts). */
  ses: boolean;
  /** `messages - dmarcPass`. */
  failing: number;
  dispositions: Partial<Record<Disposition, number>>;
  reasons: Record<string, number>;
  headerFrom: string[];
  dkimDomains: string[];
  spfDomains: string[];
  reporters: number;
}

export interface ReporterSummary extends Tally {
  reporter: string;
  reports: number;
}

export interface DaySummary extends Tally {
  date: string;
}

export interface DomainSummary extends Tally {
  domain: string;
  begin: string;
  end: string;
  reports: number;
  /**
   * The latest report's policy_published, with pct and testing from the latest report that
   * states them (RFC 7489 reports carry pct only, RFC 9990 ones testing only).
   */
  policy: PublishedPolicy;
  sources: SourceSummary[];
  reporters: ReporterSummary[];
  days: DaySummary[];
  advice: Advice;
}

export interface Summary {
  period: Period;
  thresholds: Thresholds;
  reports: ReportEntry[];
  errors: { file: string; message: string }[];
  /** Inputs that are deliberately not read, such as SES's setup notification. */
  skipped: { file: string; reason: string }[];
  /** Reports read whose day is outside `period`. */
  outsidePeriod: number;
  domains: DomainSummary[];
}

/** A published policy as reports are counted under it: its text and its rollout stage. */
interface KnownPolicy {
  policy: PublishedPolicy;
  text: string;
  stage: number;
}

interface SourceState extends SourceTally {
  reporters: Set<string>;
}

interface DomainState {
  total: Tally;
  begin: number;
  end: number;
  reports: number;
  latest: { end: number; policy: PublishedPolicy };
  /** The latest pct and testing any report states: RFC 7489 reports carry pct only, RFC 9990 ones testing only. */
  latestPct: { end: number; pct: number | null };
  latestTesting: { end: number; testing: string | null };
  policies: Set<string>;
  stageDays: Map<number, Set<string>>;
  sources: Map<string, SourceState>;
  reporters: Map<string, ReporterSummary>;
  days: Map<string, Tally>;
}

/**
 * A copy of a string the parser gave: V8 may hand out a substring as a view of the whole chunk it
 * was cut from, and a summary that keeps one would keep that chunk alive.
 */
const own = (text: string) => (text.length < 13 ? text : Buffer.from(text, "utf8").toString("utf8"));

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(".000Z", "Z");

/** The UTC day a report is counted on: the one its date range's middle falls in. */
export function reportDay(report: Pick<Report, "begin" | "end">): string {
  return iso(Math.floor((report.begin + Math.max(report.begin, report.end)) / 2)).slice(0, 10);
}

const byMessages = <T extends Tally>(key: (t: T) => string) => (a: T, b: T) => b.messages - a.messages || key(a).localeCompare(key(b));

const tallyOf = (t: Tally): Tally => ({ messages: t.messages, dmarcPass: t.dmarcPass, dkimPass: t.dkimPass, spfPass: t.spfPass });

export class Summarizer {
  private readonly reports: ReportEntry[] = [];
  private readonly errors: Summary["errors"] = [];
  private readonly skipped: Summary["skipped"] = [];
  /** Policy domain → reporter (lower case) → report id → the file first read from: what was counted. */
  private readonly seen = new Map<string, Map<string, Map<string, string>>>();
  /** One per distinct published policy: most reports of a domain share theirs. */
  private readonly policies = new Map<string, KnownPolicy>();
  private readonly domains = new Map<string, DomainState>();
  private outsidePeriod = 0;

  constructor(
    private readonly isSes: (ip: string) => boolean,
    private readonly period: Period = { since: null, until: null },
    private readonly thresholds: Thresholds = DEFAULT_THRESHOLDS,
  ) {}

  error(file: string, message: string): void {
    this.errors.push({ file, message });
  }

  skip(file: string, reason: string): void {
    this.skipped.push({ file, reason });
  }

  add(file: string, parsed: Report): void {
    const report = { ...parsed, reporter: own(parsed.reporter), reportId: own(parsed.reportId), domain: own(parsed.domain) };
    const day = reportDay(report);
    if ((this.period.since && day < this.period.since) || (this.period.until && day > this.period.until)) {
      this.outsidePeriod++;
      return;
    }
    const policy = this.intern(report.policy);
    const entry: ReportEntry = {
      file,
      reporter: report.reporter,
      reportId: report.reportId,
      domain: report.domain,
      begin: iso(report.begin),
      end: iso(report.end),
      format: report.format,
      generator: report.generator === null ? null : own(report.generator),
      policy: policy.policy,
      rows: report.rows,
      ...tallyOf(report),
      ...(report.warnings.length ? { warnings: report.warnings } : {}),
    };
    const byReporter = this.seen.get(report.domain) ?? new Map<string, Map<string, string>>();
    this.seen.set(report.domain, byReporter);
    const ids = byReporter.get(report.reporter.toLowerCase()) ?? new Map<string, string>();
    byReporter.set(report.reporter.toLowerCase(), ids);
    const first = ids.get(report.reportId);
    this.reports.push(first === undefined ? entry : { ...entry, duplicateOf: first });
    if (first !== undefined) return;
    ids.set(report.reportId, file);
    this.count(report, day, policy);
  }

  private intern(policy: PublishedPolicy): KnownPolicy {
    const key = JSON.stringify(policy);
    let known = this.policies.get(key);
    if (!known) {
      known = { policy, text: policyText(policy), stage: stageOf(policy).stage.number };
      this.policies.set(key, known);
    }
    return known;
  }

  private count(report: Report, day: string, policy: KnownPolicy): void {
    let d = this.domains.get(report.domain);
    if (!d) {
      d = {
        total: emptyTally(),
        begin: report.begin,
        end: report.end,
        reports: 0,
        latest: { end: report.end, policy: policy.policy },
        latestPct: { end: -1, pct: null },
        latestTesting: { end: -1, testing: null },
        policies: new Set(),
        stageDays: new Map(),
        sources: new Map(),
        reporters: new Map(),
        days: new Map(),
      };
      this.domains.set(report.domain, d);
    }
    d.reports++;
    addTally(d.total, report);
    d.begin = Math.min(d.begin, report.begin);
    d.end = Math.max(d.end, report.end);
    if (report.end >= d.latest.end) d.latest = { end: report.end, policy: policy.policy };
    if (report.policy.pct !== null && report.end >= d.latestPct.end) d.latestPct = { end: report.end, pct: report.policy.pct };
    if (report.policy.testing !== null && report.end >= d.latestTesting.end) d.latestTesting = { end: report.end, testing: report.policy.testing };
    d.policies.add(policy.text);
    const stageDays = d.stageDays.get(policy.stage) ?? new Set<string>();
    d.stageDays.set(policy.stage, stageDays.add(day));

    const reporter = d.reporters.get(report.reporter) ?? { reporter: report.reporter, reports: 0, ...emptyTally() };
    d.reporters.set(report.reporter, reporter);
    reporter.reports++;
    addTally(reporter, report);
    const dayTally = d.days.get(day) ?? emptyTally();
    d.days.set(day, dayTally);
    addTally(dayTally, report);

    for (const [ip, s] of report.sources) {
      let source = d.sources.get(ip);
      if (!source) {
        source = { ...newSourceTally(), reporters: new Set() };
        d.sources.set(own(ip), source);
      }
      addTally(source, s);
      for (const k in s.dispositions) source.dispositions[k as Disposition] = (source.dispositions[k as Disposition] ?? 0) + s.dispositions[k as Disposition]!;
      for (const k in s.reasons) source.reasons[k] = (source.reasons[k] ?? 0) + s.reasons[k];
      for (const name of s.headerFrom) addName(source.headerFrom, name, own);
      for (const name of s.dkimDomains) addName(source.dkimDomains, name, own);
      for (const name of s.spfDomains) addName(source.spfDomains, name, own);
      source.reporters.add(report.reporter);
    }
  }

  result(): Summary {
    const domains = [...this.domains.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([domain, d]): DomainSummary => {
        const sources = [...d.sources.entries()]
          .map(([ip, s]): SourceSummary => ({
            ip,
            ses: this.isSes(ip),
            ...tallyOf(s),
            failing: s.messages - s.dmarcPass,
            dispositions: s.dispositions,
            reasons: s.reasons,
            headerFrom: [...s.headerFrom].sort(),
            dkimDomains: [...s.dkimDomains].sort(),
            spfDomains: [...s.spfDomains].sort(),
            reporters: s.reporters.size,
          }))
          .sort(byMessages((s) => s.ip));
        const latest = d.latest.policy;
        const policy = { ...latest, pct: latest.pct ?? d.latestPct.pct, testing: latest.testing ?? d.latestTesting.testing };
        const stage = stageOf(policy).stage.number;
        const advice = advise(
          { policy, policies: [...d.policies], ...tallyOf(d.total), reporters: d.reporters.size, daysAtStage: d.stageDays.get(stage)?.size ?? 0, sources },
          this.thresholds,
        );
        return {
          domain,
          begin: iso(d.begin),
          end: iso(d.end),
          reports: d.reports,
          ...tallyOf(d.total),
          policy,
          sources,
          reporters: [...d.reporters.values()].sort(byMessages((r) => r.reporter)),
          days: [...d.days.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([date, t]) => ({ date, ...tallyOf(t) })),
          advice,
        };
      });
    return { period: this.period, thresholds: this.thresholds, reports: this.reports, errors: this.errors, skipped: this.skipped, outsidePeriod: this.outsidePeriod, domains };
  }
}
