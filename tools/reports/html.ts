/**
 * `--html FILE`: one self-contained page (inline CSS, SVG and script; its Content-Security-Policy
 * forbids every fetch) with, per policy domain, its figures, the pass rate per day as a chart,
 * the advice, the sources and the reporters. Every text from a report is escaped.
 */
import { Advice, policyText } from "../../lib/reports/advice";
import { DaySummary, DomainSummary, Summary } from "../../lib/reports/summary";
import { count, counted, day, share } from "./figures";

const esc = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d2330;background:#fff}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.25rem;margin:2.5rem 0 .25rem;border-top:1px solid #d7dce5;padding-top:1.5rem}
h3{font-size:1rem;margin:1.5rem 0 .5rem}.muted{color:#5b6475}
.figures{display:flex;flex-wrap:wrap;gap:1rem;margin:1rem 0;padding:0}.figures div{border:1px solid #d7dce5;border-radius:6px;padding:.5rem .9rem;min-width:9rem}
.figures dt{font-size:.8rem;color:#5b6475}.figures dd{margin:0;font-size:1.35rem;font-weight:600}.figures dd.sub{font-size:.8rem;font-weight:400;color:#5b6475}
table{border-collapse:collapse;width:100%;margin:.25rem 0 1rem}th,td{text-align:left;padding:.3rem .6rem;border-bottom:1px solid #e6e9ef;vertical-align:top}
th{font-size:.8rem;color:#5b6475;cursor:pointer;user-select:none;white-space:nowrap}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr.fail td:first-child{border-left:3px solid #c2410c}.ses{color:#0f766e;font-weight:600}
.advice{border-radius:6px;padding:.75rem 1rem;border:1px solid #d7dce5}.advice.ready{border-color:#15803d;background:#f0fdf4}.advice.not-ready{border-color:#c2410c;background:#fff7ed}
.advice.final{background:#f8fafc}.scroll{overflow-x:auto}td.names{max-width:18rem;overflow-wrap:break-word}
.advice ul{margin:.25rem 0;padding-left:1.25rem}.met{color:#15803d}.unmet{color:#c2410c}code{background:#f1f3f7;padding:0 .25rem;border-radius:3px}
svg.chart{width:100%;max-width:760px;height:auto;display:block}svg .bar{fill:#dbe4f3}svg .rate{fill:none;stroke:#1d4ed8;stroke-width:2}
svg .point{fill:#1d4ed8}svg .axis{stroke:#9aa3b2;stroke-width:1}svg text{font-size:11px;fill:#5b6475}
`;

/** Click a column heading to sort its table (figures by value). */
const SCRIPT = `
document.querySelectorAll("table.sortable th").forEach(function (th) {
  th.addEventListener("click", function () {
    var column = th.cellIndex;
    var body = th.closest("table").tBodies[0];
    var down = th.dataset.order !== "down";
    th.dataset.order = down ? "down" : "up";
    var key = function (row) { var cell = row.cells[column]; return cell.dataset.sort !== undefined ? Number(cell.dataset.sort) : cell.textContent; };
    Array.from(body.rows)
      .sort(function (a, b) { var x = key(a), y = key(b); var c = typeof x === "number" ? x - y : String(x).localeCompare(String(y)); return down ? -c : c; })
      .forEach(function (row) { body.appendChild(row); });
  });
});
`;

const WIDTH = 760;
const HEIGHT = 240;
const MARGIN = { left: 44, right: 12, top: 12, bottom: 28 };

/** The pass rate per day as a line over the message volume as bars; days without reports leave a gap. */
function chart(days: readonly DaySummary[]): string {
  if (!days.length) return `<p class="muted">No days with messages.</p>`;
  const dayMs = 86400000;
  const first = Date.parse(days[0].date);
  const span = Math.max(1, (Date.parse(days[days.length - 1].date) - first) / dayMs + 1);
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const slot = plotW / span;
  const maxMessages = Math.max(...days.map((d) => d.messages), 1);
  const x = (d: DaySummary) => MARGIN.left + ((Date.parse(d.date) - first) / dayMs + 0.5) * slot;
  const y = (rate: number) => MARGIN.top + plotH * (1 - rate);
  const bars = days
    .map((d) => {
      const h = (plotH * d.messages) / maxMessages;
      return `<rect class="bar" x="${(x(d) - slot * 0.4).toFixed(1)}" y="${(MARGIN.top + plotH - h).toFixed(1)}" width="${(slot * 0.8).toFixed(1)}" height="${h.toFixed(1)}"/>`;
    })
    .join("");
  const rate = (d: DaySummary) => (d.messages ? d.dmarcPass / d.messages : 0);
  const line = `<polyline class="rate" points="${days.map((d) => `${x(d).toFixed(1)},${y(rate(d)).toFixed(1)}`).join(" ")}"/>`;
  const points = days
    .map((d) => `<circle class="point" cx="${x(d).toFixed(1)}" cy="${y(rate(d)).toFixed(1)}" r="3.5" data-date="${d.date}" data-rate="${share(d.dmarcPass, d.messages)}"><title>${d.date}: ${share(d.dmarcPass, d.messages)} of ${count(d.messages)} messages pass DMARC</title></circle>`)
    .join("");
  const grid = [0, 0.5, 1].map((r) => `<line class="axis" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(r)}" y2="${y(r)}"/><text x="${MARGIN.left - 6}" y="${y(r) + 4}" text-anchor="end">${r * 100}%</text>`).join("");
  const labels = [days[0], days[days.length - 1]].map((d, i) => `<text x="${x(d).toFixed(1)}" y="${HEIGHT - 8}" text-anchor="${days.length === 1 ? "middle" : i ? "end" : "start"}">${d.date}</text>`).join("");
  return `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="DMARC pass rate per day, over the messages per day">${grid}${bars}${line}${points}${labels}</svg>`;
}

function adviceBlock(a: Advice): string {
  const next = a.next ? `; next: stage ${a.next.number} (${esc(a.next.name)}), <code>${esc(a.next.record)}</code>` : "";
  const parts = [`<p class="stage" data-stage="${a.stage.number}">Stage ${a.stage.number} (${esc(a.stage.name)})${next}</p>`];
  if (a.notes.length) parts.push(`<ul class="notes">${a.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>`);
  if (a.next) {
    parts.push(`<p class="verdict"><strong>${a.ready ? "Ready" : "Not ready"}</strong> for stage ${a.next.number}:</p>`);
    parts.push(`<ul class="checks">${a.reasons.map((r) => `<li class="${r.met ? "met" : "unmet"}" data-check="${r.check}">${r.met ? "✓" : "✗"} ${esc(r.message)}</li>`).join("")}</ul>`);
    if (a.losses.length) {
      parts.push(`<p>If stage ${a.next.number} were published now, the mail failing DMARC would be:</p>`);
      const rows = a.losses.map((l) => `<tr><td>${esc(l.ip)}</td><td>${l.ses ? `<span class="ses">SES</span>` : "no"}</td><td class="n" data-sort="${l.failing}">${count(l.failing)}</td><td class="n" data-sort="${l.percent}">${l.percent.toFixed(2)}%</td><td>${esc(l.effect)}</td><td class="muted">${esc(l.hint)}</td></tr>`);
      parts.push(`<table class="losses sortable"><thead><tr><th>Source</th><th>SES</th><th class="n">Failing</th><th class="n">Of all</th><th>Effect</th><th>What it may be</th></tr></thead><tbody>${rows.join("")}</tbody></table>`);
    }
  }
  return `<div class="advice ${!a.next ? "final" : a.ready ? "ready" : "not-ready"}">${parts.join("")}</div>`;
}

function figure(name: string, label: string, value: string, sub?: string): string {
  return `<div><dt>${label}</dt><dd data-figure="${name}">${value}</dd>${sub ? `<dd class="sub">${sub}</dd>` : ""}</div>`;
}

function domainSection(d: DomainSummary): string {
  const sources = d.sources.map(
    (s) =>
      `<tr class="${s.failing ? "fail" : "pass"}" data-ip="${esc(s.ip)}"><td>${esc(s.ip)}</td><td>${s.ses ? `<span class="ses">SES</span>` : "no"}</td>` +
      `<td class="n" data-sort="${s.messages}" data-field="messages">${count(s.messages)}</td>` +
      `<td class="n" data-sort="${s.dmarcPass}" data-field="dmarcPass">${count(s.dmarcPass)}</td>` +
      `<td class="n" data-sort="${s.messages ? s.dmarcPass / s.messages : 0}" data-field="dmarcShare">${share(s.dmarcPass, s.messages)}</td>` +
      `<td class="n" data-sort="${s.messages ? s.dkimPass / s.messages : 0}">${share(s.dkimPass, s.messages)}</td>` +
      `<td class="n" data-sort="${s.messages ? s.spfPass / s.messages : 0}">${share(s.spfPass, s.messages)}</td>` +
      `<td class="n" data-sort="${s.failing}" data-field="failing">${count(s.failing)}</td><td class="n" data-sort="${s.reporters}">${s.reporters}</td>` +
      `<td class="names">${esc(s.headerFrom.join(" "))}</td><td class="names">${esc([...new Set([...s.dkimDomains, ...s.spfDomains])].join(" "))}</td></tr>`,
  );
  const reporters = d.reporters.map((r) => `<tr><td>${esc(r.reporter)}</td><td class="n" data-sort="${r.reports}">${count(r.reports)}</td><td class="n" data-sort="${r.messages}">${count(r.messages)}</td><td class="n" data-sort="${r.messages ? r.dmarcPass / r.messages : 0}">${share(r.dmarcPass, r.messages)}</td></tr>`);
  return `<section class="domain" data-domain="${esc(d.domain)}">
<h2>${esc(d.domain)}</h2>
<p class="muted">${day(d.begin)} to ${day(d.end)} · ${counted(d.reports, "report")} from ${counted(d.reporters.length, "reporter")} · published policy <code>${esc(policyText(d.policy))}</code></p>
<dl class="figures">${figure("messages", "Messages", count(d.messages))}${figure("dmarcPass", "DMARC pass", share(d.dmarcPass, d.messages), count(d.dmarcPass))}${figure("dkimPass", "DKIM aligned", share(d.dkimPass, d.messages), count(d.dkimPass))}${figure("spfPass", "SPF aligned", share(d.spfPass, d.messages), count(d.spfPass))}</dl>
<h3>DMARC pass rate per day</h3>
<p class="muted">The line is the share of each day's messages that pass DMARC; the bars are the messages per day (highest ${count(Math.max(0, ...d.days.map((t) => t.messages)))}).</p>
${chart(d.days)}
<h3>Rollout advice</h3>
${adviceBlock(d.advice)}
<h3>Sources</h3>
<div class="scroll"><table class="sources sortable"><thead><tr><th>Source</th><th>SES</th><th class="n">Messages</th><th class="n">DMARC pass</th><th class="n">Pass rate</th><th class="n">DKIM aligned</th><th class="n">SPF aligned</th><th class="n">Failing</th><th class="n">Reporters</th><th>Header From</th><th>DKIM/SPF domains</th></tr></thead><tbody>${sources.join("")}</tbody></table></div>
<h3>Reporters</h3>
<table class="reporters sortable"><thead><tr><th>Reporter</th><th class="n">Reports</th><th class="n">Messages</th><th class="n">DMARC pass</th></tr></thead><tbody>${reporters.join("")}</tbody></table>
</section>`;
}

export function formatHtml(summary: Summary): string {
  const duplicates = summary.reports.filter((r) => r.duplicateOf).length;
  const errors = summary.errors.length
    ? `<h2>Inputs that are not reports</h2><table class="errors"><thead><tr><th>Input</th><th>Why</th></tr></thead><tbody>${summary.errors.map((e) => `<tr><td>${esc(e.file)}</td><td>${esc(e.message)}</td></tr>`).join("")}</tbody></table>`
    : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>DMARC aggregate reports</title><style>${CSS}</style></head>
<body>
<h1>DMARC aggregate reports</h1>
<p class="muted" id="summary">${counted(summary.reports.length, "report")} read${duplicates ? ` (${count(duplicates)} read twice, counted once)` : ""}, ${counted(summary.errors.length, "input")} not reports, ${counted(summary.domains.length, "policy domain")}${summary.period.since || summary.period.until ? `, period ${summary.period.since ?? "…"} to ${summary.period.until ?? "…"}` : ""}.</p>
${summary.domains.map(domainSection).join("\n")}
${errors}
<script>${SCRIPT}</script>
</body></html>
`;
}
