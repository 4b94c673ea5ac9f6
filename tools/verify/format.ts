/** `verify`'s readable output: one line per check, then the verdicts, as aligned columns. */
import { Report } from "./judge";

/** Rows as aligned columns, each row's last cell left ragged (a one-cell row is a heading). */
export function table(rows: string[][]): string[] {
  const widths = Array.from({ length: Math.max(...rows.map((r) => r.length)) }, (_, i) => Math.max(...rows.map((r) => (i < r.length - 1 ? r[i].length : 0))));
  return rows.map((r) => r.map((cell, i) => (i < r.length - 1 ? cell.padEnd(widths[i]) : cell)).join("  "));
}

/**
 * Columns: domain, region (`-` for the whole domain), check, result, detail. Checks shared by
 * several From domains of one identity are printed once; each (region, From domain) gets a verdict.
 */
export function formatText(report: Report): string {
  const rows: string[][] = [];
  const printed = new Set<string>();
  for (const d of report.domains) {
    for (const f of d.findings) {
      const row = [d.domain, f.region ?? "-", f.check, f.status.toUpperCase(), f.message];
      const key = row.join("\u0000");
      if (printed.has(key)) continue;
      printed.add(key);
      rows.push(row);
    }
    for (const r of d.regions) rows.push([d.domain, r.region, `verdict ${d.from}`, r.dmarc.toUpperCase(), r.summary]);
  }
  const failing = report.domains.filter((d) => !d.ok).map((d) => `${d.domain} as ${d.from}`);
  const last = report.ok ? `OK: every domain, region and From domain passes DMARC` : `NOT OK: ${failing.join(", ")}`;
  return [...(rows.length ? table(rows) : []), last].join("\n") + "\n";
}
