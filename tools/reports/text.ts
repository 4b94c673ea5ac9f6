/** The terminal output of `npm run reports`: per policy domain its figures, the advice, its failing and top sources. */
import { Advice } from "../../lib/reports/advice";
import { DomainSummary, Summary } from "../../lib/reports/summary";
import { count, counted, day, share } from "./figures";

/** Sources and days listed per domain; --json and --html list them all. */
const SOURCES_SHOWN = 15;
const DAYS_SHOWN = 31;

/** Columns padded to their widest cell; cells that are figures are aligned right. */
function table(header: string[], rows: string[][], indent = "    "): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^(-|[0-9][0-9,]*(\.[0-9]+)?%?)$/.test(r[i])));
  return all.map((r) => indent + r.map((cell, i) => (i === r.length - 1 ? cell : numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join("  ").trimEnd());
}

function adviceLines(a: Advice): string[] {
  const lines = [`  stage ${a.stage.number} (${a.stage.name})${a.next ? `; next: stage ${a.next.number} (${a.next.name}), ${a.next.record}` : ""}`];
  for (const note of a.notes) lines.push(`  note: ${note}`);
  if (!a.next) return lines;
  lines.push(`  ${a.ready ? "READY" : "NOT READY"} for stage ${a.next.number}:`);
  for (const r of a.reasons) lines.push(`    ${r.met ? "ok  " : "FAIL"}  ${r.message}`);
  if (a.losses.length) {
    lines.push(`  if stage ${a.next.number} were published now, the mail failing DMARC would be:`);
    lines.push(...table(["SOURCE", "SES", "FAILING", "OF ALL", "EFFECT"], a.losses.map((l) => [l.ip, l.ses ? "yes" : "no", count(l.failing), `${l.percent.toFixed(2)}%`, l.effect])));
  } else lines.push(`  stage ${a.next.number} would change nothing: no mail fails DMARC`);
  return lines;
}

function domainLines(d: DomainSummary): string[] {
  const lines = [
    `${d.domain}  ${day(d.begin)} to ${day(d.end)}: ${counted(d.reports, "report")} from ${counted(d.reporters.length, "reporter")}, ${counted(d.messages, "message")}`,
    `  DMARC pass ${share(d.dmarcPass, d.messages)}, DKIM aligned ${share(d.dkimPass, d.messages)}, SPF aligned ${share(d.spfPass, d.messages)}`,
    ...adviceLines(d.advice),
    `  sources by messages${d.sources.length > SOURCES_SHOWN ? ` (${SOURCES_SHOWN} of ${count(d.sources.length)})` : ""}:`,
    ...table(
      ["SOURCE", "SES", "MESSAGES", "DMARC", "DKIM", "SPF", "HEADER FROM"],
      d.sources.slice(0, SOURCES_SHOWN).map((s) => [s.ip, s.ses ? "yes" : "no", count(s.messages), share(s.dmarcPass, s.messages), share(s.dkimPass, s.messages), share(s.spfPass, s.messages), s.headerFrom.join(" ")]),
    ),
    `  reporters:`,
    ...table(["REPORTER", "REPORTS", "MESSAGES", "DMARC"], d.reporters.map((r) => [r.reporter, count(r.reports), count(r.messages), share(r.dmarcPass, r.messages)])),
    `  days${d.days.length > DAYS_SHOWN ? ` (the last ${DAYS_SHOWN} of ${d.days.length})` : ""}:`,
    ...table(["DAY", "MESSAGES", "DMARC"], d.days.slice(-DAYS_SHOWN).map((t) => [t.date, count(t.messages), share(t.dmarcPass, t.messages)])),
  ];
  return lines;
}

export function formatText(summary: Summary): string {
  const duplicates = summary.reports.filter((r) => r.duplicateOf).length;
  const period = summary.period.since || summary.period.until ? `, period ${summary.period.since ?? "…"} to ${summary.period.until ?? "…"}` : "";
  const head = [
    `${counted(summary.reports.length, "report")} read${duplicates ? ` (${count(duplicates)} read twice, counted once)` : ""}, ${counted(summary.errors.length, "input")} not reports${period}` +
      (summary.outsidePeriod ? `, ${counted(summary.outsidePeriod, "report")} outside the period` : ""),
  ];
  const blocks = summary.domains.map((d) => domainLines(d).join("\n"));
  const tail: string[] = [];
  const warned = summary.reports.filter((r) => r.warnings && !r.duplicateOf);
  if (warned.length) tail.push(`reports read with warnings:`, ...warned.flatMap((r) => r.warnings!.map((w) => `  ${r.file}: ${w}`)));
  if (summary.skipped.length) tail.push(`skipped:`, ...summary.skipped.map((s) => `  ${s.file}: ${s.reason}`));
  if (summary.errors.length) tail.push(`not reports:`, ...summary.errors.map((e) => `  ${e.file}: ${e.message}`));
  if (!summary.domains.length) tail.push("no reports found");
  return [head.join("\n"), ...blocks, ...(tail.length ? [tail.join("\n")] : [])].join("\n\n") + "\n";
}
