/**
 * compare.html: the comparison of two results files as one self-contained page: a chart of the rows
 * that changed beyond their intervals (A and B with whiskers) and the full table.
 */
import { type IntervalPoint, intervalChart } from './charts.js';
import { type Comparison, comparisonSummary, modelLabel, signed } from './compare.js';
import { decimalsFor, formatInterval, formatNumber, groupAssignment, paramsLabel } from './format.js';
import { chartBlock, esc, html } from './html.js';
import { REPORT_CSS } from './style.js';
import { renderVegaLite } from './vega.js';

/** Most flagged rows drawn in the chart (largest |change| first). */
const CHART_LIMIT = 40;
/** Most rows in the page's table (flagged first); a real audit matches tens of thousands. */
const TABLE_LIMIT = 1000;

export async function renderComparisonHtml(c: Comparison, labels: { a: string; b: string }): Promise<string> {
  const flagged = c.rows.filter((r) => r.flagged);
  const d = decimalsFor(c.rows.flatMap((r) => [r.a.value, r.b.value]));
  const rowLabel = (r: Comparison['rows'][number]) =>
    [modelLabel(r), r.metric, groupAssignment(r.group), paramsLabel(r.params)]
      .filter((s) => s !== '')
      .join(' · ');
  let chart = '<p class="ok-text">No row changed beyond its interval.</p>';
  if (flagged.length > 0) {
    const shown = [...flagged].sort((x, y) => Math.abs(y.change) - Math.abs(x.change)).slice(0, CHART_LIMIT);
    const points: IntervalPoint[] = shown.flatMap((r) => [
      {
        category: rowLabel(r),
        series: 'A',
        value: r.a.value,
        lo: r.a.ci[0],
        hi: r.a.ci[1],
        small: r.a.warnings.length > 0,
      },
      {
        category: rowLabel(r),
        series: 'B',
        value: r.b.value,
        lo: r.b.ci[0],
        hi: r.b.ci[1],
        small: r.b.warnings.length > 0,
      },
    ]);
    const svg = await renderVegaLite(
      intervalChart(points, {
        description: 'Rows whose A and B intervals do not overlap, with both values and intervals',
        valueTitle: 'value',
        seriesTitle: 'results file',
        seriesOrder: ['A', 'B'],
        width: 360,
        categoryLabelLimit: 560,
      }),
    );
    chart = chartBlock({
      title: 'Changes beyond the intervals',
      measures: `Rows whose 95% intervals in A (${labels.a}) and B (${labels.b}) do not overlap${flagged.length > CHART_LIMIT ? `; the ${CHART_LIMIT} largest changes are drawn` : ''}.`,
      read: 'Each row shows the value in A and in B with its interval. Non-overlapping intervals are a conservative sign of a real change; overlapping ones do not prove that nothing changed.',
      svg,
    });
  }
  const listed = [...c.rows.filter((r) => r.flagged), ...c.rows.filter((r) => !r.flagged)].slice(
    0,
    TABLE_LIMIT,
  );
  const more =
    c.rows.length > listed.length
      ? html`<p class="small">The table lists ${listed.length} of ${c.rows.length} matched rows (every flagged row first); all of them are in <code>fairscope compare --json</code>.</p>`
      : '';
  const body = listed
    .map(
      (r) =>
        html`<tr${r.flagged ? ' class="flagged"' : ''}><td>${esc(r.indicator)}</td><td>${esc(r.metric)}</td><td>${esc(r.dataset ?? '')}</td><td>${esc(paramsLabel(r.params))}</td><td>${esc(groupAssignment(r.group))}</td><td>${esc(modelLabel(r))}</td><td class="num">${formatNumber(r.a.value, d)} <span class="pm">${esc(formatInterval(r.a.ci, d))}</span></td><td class="num">${formatNumber(r.b.value, d)} <span class="pm">${esc(formatInterval(r.b.ci, d))}</span></td><td class="num">${esc(signed(r.change, d))}</td><td>${r.flagged ? '<span class="badge badge-alert">beyond intervals</span>' : ''}</td></tr>`,
    )
    .join('\n');
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Comparison — fairscope</title>
<style>${REPORT_CSS}
tr.flagged td { background: #fff8ec; }
.metric-table .pm { display: inline; color: var(--muted); font-size: 11.5px; }
</style>
</head>
<body>
<header class="masthead"><div class="wrap">
<p class="eyebrow">fairscope comparison</p>
<h1>B − A</h1>
<p class="subtitle">A: <code>${esc(labels.a)}</code> (${esc(c.modelsA.join(', '))}) · B: <code>${esc(labels.b)}</code> (${esc(c.modelsB.join(', '))})</p>
</div></header>
<main class="wrap">
<section class="section">
<h2>Summary</h2>
<p class="lede">${esc(comparisonSummary(c))}</p>
${chart}
<h3>${c.rows.length > listed.length ? 'Matched rows' : 'All matched rows'}</h3>
${more}<div class="table-wrap"><table class="metric-table">
<thead><tr><th scope="col">indicator</th><th scope="col">metric</th><th scope="col">dataset</th><th scope="col">params</th><th scope="col">group</th><th scope="col">model</th><th scope="col" class="num">A</th><th scope="col" class="num">B</th><th scope="col" class="num">B − A</th><th scope="col"></th></tr></thead>
<tbody>${body}</tbody>
</table></div>
</section>
</main>
</body>
</html>
`;
}
