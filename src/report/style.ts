/**
 * The report's stylesheet, inlined into the page (the file must open from disk with no network).
 * System fonts only; colours meet WCAG AA contrast on their backgrounds.
 */
export const REPORT_CSS = `
:root {
  --ink: #1f2328; --muted: #57606a; --line: #d8dee4; --soft: #f6f8fa; --page: #eef1f4;
  --accent: #0b5cad; --accent-soft: #e7f0fa; --warn: #8a4b00; --warn-soft: #fff4e0; --alert: #a4262c;
  --ok: #1a7f37; --radius: 8px;
  --font: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
html { background: var(--page); }
body { margin: 0; font: 15px/1.55 var(--font); color: var(--ink); }
a { color: var(--accent); }
code { font-family: var(--mono); font-size: 0.88em; background: var(--soft); padding: 0.05em 0.3em; border-radius: 4px; }
.wrap { max-width: 1240px; margin: 0 auto; padding: 0 28px; }
.masthead { background: #14263d; color: #fff; padding: 34px 0 28px; }
.masthead .eyebrow { margin: 0 0 6px; text-transform: uppercase; letter-spacing: 0.08em; font-size: 12px; color: #a9c3e3; font-weight: 600; }
.masthead h1 { margin: 0 0 8px; font-size: 28px; font-weight: 650; letter-spacing: -0.01em; }
.masthead .subtitle { margin: 0; color: #d0dcea; font-size: 14px; }
.masthead .subtitle code { background: rgba(255,255,255,0.12); color: #fff; }
nav.toc { background: #fff; border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 2; }
nav.toc ul { list-style: none; margin: 0 auto; padding: 10px 28px; display: flex; flex-wrap: wrap; gap: 6px; max-width: 1240px; }
nav.toc a { display: inline-block; padding: 4px 12px; border-radius: 999px; text-decoration: none; color: var(--ink); font-size: 13px; font-weight: 550; border: 1px solid var(--line); }
nav.toc a:hover, nav.toc a:focus { background: var(--accent-soft); border-color: var(--accent); color: var(--accent); }
main.wrap { padding-top: 24px; padding-bottom: 48px; }
.section { background: #fff; border: 1px solid var(--line); border-radius: var(--radius); padding: 26px 30px 30px; margin: 0 0 24px; }
.section > h2 { margin: 0 0 6px; font-size: 22px; font-weight: 650; letter-spacing: -0.01em; }
.section .lede { margin: 0 0 18px; color: var(--muted); max-width: 880px; }
h3 { font-size: 17px; margin: 28px 0 10px; font-weight: 650; }
h4 { font-size: 15px; margin: 0 0 6px; font-weight: 650; }
.facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin: 18px 0 8px; }
.fact { border: 1px solid var(--line); border-radius: var(--radius); padding: 12px 14px; background: var(--soft); }
.fact-value { display: block; font-size: 24px; font-weight: 700; }
.fact-label { color: var(--muted); font-size: 13px; }
.fact-alert { background: var(--warn-soft); border-color: #f0c987; }
.fact-alert .fact-value { color: var(--warn); }
.chart-block { border-top: 1px solid var(--line); padding-top: 18px; margin-top: 22px; }
.explain { display: grid; grid-template-columns: 1fr 1fr; gap: 4px 28px; max-width: 1100px; }
.explain h4 { grid-column: 1 / -1; }
.explain p { margin: 0 0 8px; color: #3d444d; font-size: 14px; }
figure.chart { margin: 10px 0 0; overflow-x: auto; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
.chart-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 8px 24px; }
.chart-stack > figure.chart { margin-top: 16px; }
.block { border-top: 1px solid var(--line); padding-top: 18px; margin-top: 22px; }
.block > p { max-width: 900px; color: #3d444d; font-size: 14px; margin: 0 0 8px; }
h4.subsection { font-size: 16px; margin: 0 0 4px; }
.secondary { border-top: 3px double var(--line); margin-top: 30px; }
.table-wrap { overflow-x: auto; margin: 10px 0 16px; }
table { border-collapse: collapse; font-size: 13.5px; }
caption { text-align: left; font-weight: 600; padding: 6px 0; color: var(--ink); font-size: 13.5px; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; text-align: left; }
.metric-table th, .metric-table td { padding: 4px 9px; }
thead th { background: var(--soft); font-weight: 600; border-bottom: 2px solid #c7ced6; white-space: nowrap; }
tbody tr:hover td, tbody tr:hover th { background: #fafbfc; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th .n, td .n { display: block; font-weight: 400; color: var(--muted); font-size: 11.5px; }
.metric-table td .v { font-weight: 600; }
.metric-table td .pm { display: block; color: var(--muted); font-size: 11.5px; }
.metric-table td.empty { color: var(--muted); }
.metric-table td:not(.num) { white-space: nowrap; }
.test-table td .pm { display: inline; margin-left: 6px; }
.vs { color: var(--muted); font-size: 12px; }
ul.disparities li { white-space: nowrap; line-height: 1.45; }
ul.disparities .pm { display: inline; margin-left: 3px; }
ul.disparities .v { font-weight: 500; }
ul.disparities li.strong .v, ul.disparities li.strong { font-weight: 700; }
.disparity-table th[scope=row] { white-space: nowrap; }
.metric-table tr.group-start > * { border-top: 2px solid #c7ced6; }
.metric-table th[scope=rowgroup] { background: #fff; }
td.warn { background: var(--warn-soft); }
.flag { color: var(--warn); margin-left: 3px; font-size: 11px; }
.gap-table td .pm { display: inline; margin-left: 6px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; background: var(--soft); border: 1px solid var(--line); color: var(--muted); white-space: nowrap; }
.badge-alert { background: #fde8e8; border-color: #f3b3b3; color: var(--alert); font-weight: 600; }
.info-table { width: 100%; }
.info-table th code { white-space: nowrap; }
.info-table .sub { color: var(--muted); font-size: 12.5px; font-weight: 400; }
.info-table .note { margin-top: 4px; color: var(--warn); font-size: 12.5px; }
ul.plain { list-style: none; padding: 0; margin: 0; }
ul.plain .k { color: var(--muted); }
ul.credits li + li { margin-top: 4px; }
.kv-table th { width: 240px; font-weight: 600; color: #3d444d; }
.callout { border-left: 4px solid var(--accent); background: var(--accent-soft); padding: 10px 16px; border-radius: 0 var(--radius) var(--radius) 0; }
.callout ul { margin: 0; padding-left: 18px; }
.callout-warn { border-color: #d98e04; background: var(--warn-soft); }
.ok-text { color: var(--ok); }
.warn-text { color: var(--warn); }
.small { color: var(--muted); font-size: 13px; }
.tables-title { margin-top: 26px; }
.table-note { color: var(--muted); font-size: 13px; margin: 0; }
details { margin: 8px 0 12px; }
details > summary { cursor: pointer; color: var(--accent); font-weight: 550; }
details.more-tables, details.rows-note { border: 1px solid var(--line); border-radius: var(--radius); padding: 8px 14px; background: #fbfcfd; }
details.more-tables[open], details.rows-note[open] { background: #fff; }
details.rows-note { margin-top: 26px; }
.warnings-table td:first-child { width: 34%; }
footer { color: var(--muted); font-size: 13px; padding: 0 0 40px; }
@media (max-width: 760px) { .explain { grid-template-columns: 1fr; } .section { padding: 18px; } .chart-grid { grid-template-columns: 1fr; } }
@media print { nav.toc { position: static; } .section { break-inside: avoid-page; border: none; } html { background: #fff; } }
`;
