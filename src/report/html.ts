/**
 * HTML building blocks of the report: chart blocks with their explanation, the paper-layout tables,
 * gap tables. Everything is escaped here; section code passes plain text.
 */
import { escapeHtml, formatCount, formatInterval, formatNumber, formatPlusMinus } from './format.js';
import type { Cell, GapEntry, MetricTable } from './tables.js';

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

function cellHtml(cell: Cell | undefined, decimals: number, withN: boolean): string {
  if (cell === undefined) return '<td class="num empty">—</td>';
  const warn = cell.warnings.length > 0;
  const flag = warn ? html`<span class="flag" title="${esc(cell.warnings.join('; '))}">⚠</span>` : '';
  const ci = formatInterval(cell.ci, decimals);
  const pm = formatPlusMinus(cell.value, cell.ci, decimals);
  const n = withN ? html`<span class="n">n=${formatCount(cell.n)}</span>` : '';
  return html`<td class="num${warn ? ' warn' : ''}" title="${esc(`95% interval ${ci}; n=${cell.n}, clusters=${cell.clusters}${warn ? `; ${cell.warnings.join('; ')}` : ''}`)}"><span class="v">${formatNumber(cell.value, decimals)}</span>${pm ? html`<span class="pm">${esc(pm)}</span>` : ''}${flag}${n}</td>`;
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
  const caption = [t.metric, t.dataset, t.attributeSet, t.params].filter((s) => s !== '').join(' · ');
  return html`<div class="table-wrap"><table class="metric-table">
<caption>${esc(caption)}</caption>
<thead><tr>${head}</tr></thead>
<tbody>${body.join('\n')}</tbody>
</table></div>`;
}

/** Gap rows: the difference between groups with its interval and whether the interval excludes 0. */
export function gapTableHtml(gaps: GapEntry[], decimals: number): string {
  const rows = gaps.map((g) => {
    const warn = g.warnings.length > 0;
    return html`<tr><th scope="row">${esc(g.model)}</th><td>${esc(g.metric)}</td><td>${esc(g.attribute)}</td><td>${esc(g.method)}</td><td>${esc(g.params)}</td><td class="num${warn ? ' warn' : ''}"${warn ? html` title="${esc(g.warnings.join('; '))}"` : ''}><span class="v">${formatNumber(g.value, decimals)}</span><span class="pm">${esc(formatInterval(g.ci, decimals))}</span>${warn ? '<span class="flag">⚠</span>' : ''}</td><td>${g.excludesZero ? '<span class="badge badge-alert">beyond noise</span>' : '<span class="badge">within noise</span>'}</td></tr>`;
  });
  return html`<div class="table-wrap"><table class="metric-table gap-table">
<caption>Gaps between groups (95% intervals)</caption>
<thead><tr><th scope="col">model</th><th scope="col">metric</th><th scope="col">attribute</th><th scope="col">method</th><th scope="col">parameters</th><th scope="col" class="num">gap [interval]</th><th scope="col">interval vs 0</th></tr></thead>
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
