/**
 * HTML building blocks of the report: chart blocks with their explanation, the paper-layout tables,
 * gap tables. Everything is escaped here; section code passes plain text.
 */
import type { TestedComparison } from './comparisons.js';
import {
  escapeHtml,
  formatCount,
  formatInterval,
  formatNumber,
  formatP,
  formatPlusMinus,
  formatSigned,
} from './format.js';
import {
  type Cell,
  type GapEntry,
  gapParamsText,
  type MetricTable,
  type Stat,
  tableCaption,
} from './tables.js';
import { metricTitle } from './texts.js';
import { unitDecimals, unitText } from './units.js';
import { warningKinds } from './warnings.js';

/** Tagged template that leaves its interpolations as they are (they are HTML already or escaped). */
export function html(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += String(values[i]) + strings[i + 1];
  return out;
}

export const esc = escapeHtml;

/** Turns a label into an id fragment: 'Harmful label association' -> 'harmful-label-association'. */
export function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

export interface ChartBlock {
  title: string;
  /** What is measured (plain text). */
  measures: string;
  /** How to read it (plain text). */
  read: string;
  /** The rendered SVG. */
  svg: string;
  /** Short caption under the chart (plain text). */
  caption?: string;
}

/** A chart figure beside its explanation: 'What it shows' and 'How to read it'. */
export function chartBlock(b: ChartBlock): string {
  return html`<div class="chart-block">
<div class="explain"><h4>${esc(b.title)}</h4><p><strong>What it shows.</strong> ${esc(b.measures)}</p><p><strong>How to read it.</strong> ${esc(b.read)}</p></div>
<figure class="chart">${b.svg}${b.caption ? html`<figcaption>${esc(b.caption)}</figcaption>` : ''}</figure>
</div>`;
}

/** A table cell: the value, its interval as ± distances, n when asked, and a ⚠ with the warning kinds. */
export function cellHtml(cell: Cell | undefined, decimals: number, withN: boolean): string {
  if (cell === undefined) return '<td class="num empty">—</td>';
  const warn = cell.warnings.length > 0;
  const pm = formatPlusMinus(cell.value, cell.ci, decimals);
  const n = withN ? html`<span class="n">n=${formatCount(cell.n)}</span>` : '';
  // The tooltip names the warning kinds (their full text is per row in results.json).
  const title = `[${formatInterval(cell.ci, decimals).slice(1, -1)}] n=${cell.n}, clusters=${cell.clusters}${warn ? `; ${warningKinds(cell.warnings)}` : ''}`;
  return html`<td class="num${warn ? ' warn' : ''}" title="${esc(title)}"><span class="v">${formatNumber(cell.value, decimals)}</span>${warn ? '<span class="flag">⚠</span>' : ''}${pm ? html`<span class="pm">${esc(pm)}</span>` : ''}${n}</td>`;
}

/** A paper-layout table: models as rows (merged cells for repeated models), groups as columns. */
export function metricTableHtml(t: MetricTable): string {
  const head = [
    ...t.rowHeaders.map((h) => html`<th scope="col">${esc(h)}</th>`),
    ...t.columns.map(
      (c) =>
        html`<th scope="col" class="num">${esc(c.label)}${c.n === undefined ? '' : html`<span class="n">n=${formatCount(c.n)}</span>`}</th>`,
    ),
  ].join('');
  const body: string[] = [];
  for (let i = 0; i < t.rows.length; i++) {
    const r = t.rows[i];
    const model = r.labels[0];
    const firstOfModel = i === 0 || t.rows[i - 1].labels[0] !== model;
    let span = 0;
    while (firstOfModel && i + span < t.rows.length && t.rows[i + span].labels[0] === model) span++;
    const modelCell = firstOfModel ? html`<th scope="rowgroup" rowspan="${span}">${esc(model)}</th>` : '';
    const rest = r.labels
      .slice(1)
      .map((l) => html`<td>${esc(l)}</td>`)
      .join('');
    const cells = r.cells.map((c, j) => cellHtml(c, t.decimals, t.columns[j].n === undefined)).join('');
    body.push(
      html`<tr${firstOfModel && i > 0 ? ' class="group-start"' : ''}>${modelCell}${rest}${cells}</tr>`,
    );
  }
  return html`<div class="table-wrap"><table class="metric-table">
<caption>${esc(tableCaption(t))}</caption>
<thead><tr>${head}</tr></thead>
<tbody>${body.join('\n')}</tbody>
</table></div>`;
}

function statCell(s: Stat | undefined, decimals: number): string {
  if (s === undefined) return '<td class="num empty">—</td>';
  const warn = s.warnings.length > 0;
  return html`<td class="num${warn ? ' warn' : ''}" title="${esc(`n=${s.n}${warn ? `; ${warningKinds(s.warnings)}` : ''}`)}"><span class="v">${formatNumber(s.value, decimals)}</span>${warn ? '<span class="flag">⚠</span>' : ''}<span class="pm">${esc(formatInterval(s.ci, decimals))}</span></td>`;
}

/**
 * Gaps between groups, one line per (model, metric, attribute, parameters): largest − smallest,
 * smallest ÷ largest and the largest distance to the overall value, each with its interval.
 * @param opts.showMetric add a metric column (when the entries mix metrics).
 * @param opts.paramColumns parameters shown in their own columns (e.g. 'association').
 */
export function gapTableHtml(
  gaps: GapEntry[],
  caption: string,
  opts: { showMetric?: boolean; paramColumns?: readonly string[] } = {},
): string {
  const columns = opts.paramColumns ?? [];
  const units = new Set(gaps.map((g) => g.unit));
  // Mixed units (robustness: accuracies and mCE): no unit in the header, decimals per row.
  const unit = units.size === 1 ? (gaps[0]?.unit ?? 'number') : 'number';
  const decimalsOf = (g: GapEntry) =>
    unitDecimals(units.size === 1 ? unit : g.unit, [g.between?.value ?? 0, g.toOverall?.value ?? 0]);
  const shared = unitDecimals(
    unit,
    gaps.flatMap((g) => [g.between?.value ?? 0, g.toOverall?.value ?? 0]),
  );
  const hasRatio = gaps.some((g) => g.ratio !== undefined);
  const hasOverall = gaps.some((g) => g.toOverall !== undefined);
  const paramsText = gaps.map((g) => gapParamsText(g, columns));
  const hasParams = paramsText.some((p) => p !== '');
  const u = unitText(unit);
  const rows = gaps.map((g, i) => {
    const first = i === 0 || gaps[i - 1].model !== g.model;
    let span = 0;
    while (first && i + span < gaps.length && gaps[i + span].model === g.model) span++;
    const model = first ? html`<th scope="rowgroup" rowspan="${span}">${esc(g.model)}</th>` : '';
    const extra = columns.map((k) => html`<td>${esc(String(g.rawParams[k] ?? ''))}</td>`).join('');
    const d = units.size === 1 ? shared : decimalsOf(g);
    return html`<tr${first && i > 0 ? ' class="group-start"' : ''}>${model}${opts.showMetric ? html`<td>${esc(metricTitle(g.metric))}</td>` : ''}${extra}<td>${esc(g.attribute)}</td>${hasParams ? html`<td>${esc(paramsText[i])}</td>` : ''}${statCell(g.between, d)}${hasRatio ? statCell(g.ratio, 2) : ''}${hasOverall ? statCell(g.toOverall, d) : ''}<td>${g.excludesZero ? '<span class="badge badge-alert">above 0</span>' : '<span class="badge">includes 0</span>'}</td></tr>`;
  });
  return html`<div class="table-wrap"><table class="metric-table gap-table">
<caption>${esc(caption)}</caption>
<thead><tr><th scope="col">model</th>${opts.showMetric ? '<th scope="col">metric</th>' : ''}${columns.map((k) => html`<th scope="col">${esc(k)}</th>`).join('')}<th scope="col">groups by</th>${hasParams ? '<th scope="col">parameters</th>' : ''}<th scope="col" class="num">largest − smallest${u ? html`<span class="n">${esc(u)}</span>` : ''}</th>${hasRatio ? '<th scope="col" class="num">smallest ÷ largest<span class="n">ratio</span></th>' : ''}${hasOverall ? html`<th scope="col" class="num">largest distance to overall${u ? html`<span class="n">${esc(u)}</span>` : ''}</th>` : ''}<th scope="col">interval</th></tr></thead>
<tbody>${rows.join('\n')}</tbody>
</table></div>`;
}

/** Comparisons significant after Holm: group vs other group, difference with interval, p-values. */
export function comparisonsTableHtml(tests: readonly TestedComparison[], caption: string): string {
  const hasParams = tests.some((t) => t.params !== '');
  const units = new Set(tests.map((t) => unitText(t.unit)));
  const u = units.size === 1 ? [...units][0] : '';
  const rows = tests.map((t) => {
    const d = unitDecimals(t.unit, [t.value]);
    const warn = t.warnings.length > 0;
    return html`<tr><th scope="row">${esc(t.model)}</th>${hasParams ? html`<td>${esc(t.params)}</td>` : ''}<td>${esc(t.attribute)}</td><td>${esc(t.group)} <span class="vs">vs</span> ${esc(t.versus)}</td><td class="num${warn ? ' warn' : ''}"${warn ? html` title="${esc(warningKinds(t.warnings))}"` : ''}><span class="v">${formatSigned(t.value, d)}</span><span class="pm">${esc(formatInterval(t.ci, d))}</span></td><td class="num">${formatP(t.pValue)}</td><td class="num"><strong>${formatP(t.pHolm)}</strong></td></tr>`;
  });
  return html`<div class="table-wrap"><table class="metric-table test-table">
<caption>${esc(caption)}</caption>
<thead><tr><th scope="col">model</th>${hasParams ? '<th scope="col">parameters</th>' : ''}<th scope="col">groups by</th><th scope="col">comparison</th><th scope="col" class="num">difference [95% interval]${u ? html`<span class="n">${esc(u)}</span>` : ''}</th><th scope="col" class="num">p</th><th scope="col" class="num">p (Holm)</th></tr></thead>
<tbody>${rows.join('\n')}</tbody>
</table></div>`;
}

/** A generic two-column table of [key, value] (plain text). */
export function keyValueTable(rows: [string, string][], caption?: string): string {
  return html`<div class="table-wrap"><table class="kv-table">${caption ? html`<caption>${esc(caption)}</caption>` : ''}<tbody>${rows
    .map(([k, v]) => html`<tr><th scope="row">${esc(k)}</th><td>${linkify(v)}</td></tr>`)
    .join('')}</tbody></table></div>`;
}

/** Escapes text and turns bare http(s) URLs into links (the report works offline; links are for readers). */
export function linkify(text: string): string {
  return esc(text).replace(/https?:\/\/[^\s<;,)]+/g, (url) => html`<a href="${url}">${url}</a>`);
}
