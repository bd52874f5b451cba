/**
 * Label association's secondary statistics at the headline τ, summarised: heatmaps of the largest
 * per-class prediction-rate disparities, the top classes per group, the disparate-label rate and
 * confidences per group; the most predicted classes and the confidence of associated labels folded.
 */
import type { ResultRow } from '../../core/types.js';
import { type HeatCell, heatmapChart, intervalChart } from '../charts.js';
import { attributeSetLabel, formatInterval, formatSigned, groupLabel } from '../format.js';
import { chartBlock, esc, html, metricTableHtml } from '../html.js';
import { distinct, groupBy, isOverall, isValueRow } from '../rows.js';
import {
  asStatistic,
  classOf,
  type Disparity,
  mostDisparateClasses,
  mostPredictedClasses,
  SECONDARY_RATES,
  topDisparities,
} from '../secondary.js';
import { buildTables, type MetricTable } from '../tables.js';
import { CHART_TEXT, intervalsRead, metricTitle } from '../texts.js';
import { rowUnit, unitText } from '../units.js';
import { renderVegaLite } from '../vega.js';
import { chartableRows, groupPoint, type SectionContext, seriesOf, skippedNote } from './common.js';

/** Classes per disparity heatmap, and groups above which an attribute set gets no heatmap. */
const HEATMAP_CLASSES = 12;
const HEATMAP_MAX_GROUPS = 8;
/** Classes listed per group in the top-disparities table. */
const TOP_PER_GROUP = 3;
/** Classes in the folded most-predicted table. */
const TOP_PREDICTED = 10;

export async function secondaryBlock(rows: ResultRow[], ctx: SectionContext, tau: number): Promise<string> {
  const at = rows.filter((r) => isValueRow(r) && r.params.tau === tau);
  const parts: string[] = [
    html`<h4 class="subsection">Secondary statistics at τ = ${tau}</h4><p class="table-note">Per-class prediction rates and their disparities, the disparate-label rate and confidences (protocols.md 3.2), summarised; every value at every τ is in results.json.</p>`,
  ];
  parts.push(await disparityHeatmaps(at, ctx, tau));
  parts.push(topDisparitiesTable(at, ctx, tau));
  parts.push(await ratesChart(at, ctx, tau));

  const folded: string[] = [];
  const rateTables = buildTables(
    at.filter((r) => SECONDARY_RATES.includes(r.metric)).map(asStatistic),
    ctx.models,
    {
      rowParams: ['statistic'],
      omitParams: ['tau'],
    },
  );
  if (rateTables.length > 0) {
    folded.push(
      html`<details class="more-tables"><summary>Disparate-label rate and confidences per group (${rateTables.length} tables)</summary>${rateTables.map(metricTableHtml).join('\n')}</details>`,
    );
  }
  const predicted = mostPredictedClasses(at, TOP_PREDICTED);
  const predictedTables = buildTables(
    at.filter((r) => r.metric === 'prediction_rate' && isOverall(r) && predicted.includes(classOf(r))),
    ctx.models,
    { rowParams: ['class'], omitParams: ['tau', 'label', 'class'] },
  ).map((t) => sortRowsBy(t, predicted));
  if (predictedTables.length > 0) {
    folded.push(
      html`<details class="more-tables"><summary>The ${predicted.length} most predicted classes (prediction rate over all images)</summary>${predictedTables.map(metricTableHtml).join('\n')}</details>`,
    );
  }
  const confident = at.filter((r) => r.metric === 'associated_label_confidence' && isOverall(r) && r.n > 0);
  const labels = distinct(confident, classOf);
  const confidenceTables = buildTables(confident, ctx.models, {
    rowParams: ['label'],
    omitParams: ['tau', 'label'],
  });
  if (confidenceTables.length > 0) {
    folded.push(
      html`<details class="more-tables"><summary>Mean confidence of each associated label when predicted (${labels.length} labels predicted at least once)</summary>${confidenceTables.map(metricTableHtml).join('\n')}</details>`,
    );
  }
  parts.push(folded.join('\n'));
  return html`<div class="block secondary">${parts.join('\n')}</div>`;
}

/** Table rows of one model in the order of `order` (by the second row label). */
function sortRowsBy(t: MetricTable, order: string[]): MetricTable {
  const rank = (labels: string[]) => order.indexOf(labels[1] ?? '');
  return {
    ...t,
    rows: [...t.rows].sort((a, b) => (a.labels[0] === b.labels[0] ? rank(a.labels) - rank(b.labels) : 0)),
  };
}

/** One heatmap per attribute set with few groups: the most disparate classes × groups, per model. */
async function disparityHeatmaps(at: ResultRow[], ctx: SectionContext, tau: number): Promise<string> {
  const disp = at.filter((r) => r.metric === 'prediction_rate_disparity' && !isOverall(r));
  if (disp.length === 0) return '';
  const figures: string[] = [];
  const skipped: string[] = [];
  for (const [attrSet, setRows] of groupBy(disp, (r) => attributeSetLabel(r.group))) {
    const groups = distinct(setRows, (r) => groupLabel(r.group));
    if (groups.length > HEATMAP_MAX_GROUPS) {
      skipped.push(attrSet);
      continue;
    }
    const classes = mostDisparateClasses(setRows, HEATMAP_CLASSES);
    if (classes.length === 0) continue;
    const cells: HeatCell[] = setRows
      .filter((r) => classes.includes(classOf(r)) && Number.isFinite(r.value))
      .map((r) => ({
        x: groupLabel(r.group),
        y: classOf(r),
        value: r.value,
        label: formatSigned(r.value, 1),
        column: r.model,
      }));
    const svg = await renderVegaLite(
      heatmapChart(cells, {
        description: `Prediction-rate disparity in percentage points of the ${classes.length} most disparate classes for each ${attrSet} group, per model, at tau ${tau}`,
        xTitle: attrSet,
        yTitle: 'class',
        valueTitle: 'disparity (pp)',
        xOrder: groups,
        yOrder: classes,
        columnOrder: seriesOf(ctx, setRows),
        diverging: true,
        cellWidth: 46,
        cellHeight: 20,
        xLabelAngle: groups.some((g) => g.length > 8) ? -35 : 0,
      }),
    );
    figures.push(
      html`<figure class="chart">${svg}<figcaption>Groups by ${esc(attrSet)}: the ${classes.length} classes with the largest |disparity|; a column per model.</figcaption></figure>`,
    );
  }
  if (figures.length === 0) return '';
  const note =
    skipped.length > 0
      ? html`<p class="small">No heatmap for ${esc(skipped.join(', '))} (more than ${HEATMAP_MAX_GROUPS} groups): see the table of the largest disparities per group.</p>`
      : '';
  return html`<div class="chart-block wide">
<div class="explain"><h4>Per-class prediction-rate disparity</h4><p><strong>What it shows.</strong> ${esc(CHART_TEXT.predictionDisparity.measures)}</p><p><strong>How to read it.</strong> ${esc(CHART_TEXT.predictionDisparity.read)}</p></div>
<div class="chart-stack">${figures.join('\n')}</div>${note}
</div>`;
}

function disparityText(d: Disparity): string {
  const text = html`${esc(d.cls)} <span class="v">${formatSigned(d.value, 1)}</span><span class="pm">${esc(formatInterval(d.ci, 1))}</span>`;
  return d.excludesZero ? html`<li class="strong">${text}</li>` : html`<li>${text}</li>`;
}

/** Per group and model: the classes with the largest |disparity|, with intervals. */
function topDisparitiesTable(at: ResultRow[], ctx: SectionContext, tau: number): string {
  const disp = at.filter((r) => r.metric === 'prediction_rate_disparity');
  const models = seriesOf(ctx, disp);
  const top = topDisparities(disp, models, TOP_PER_GROUP);
  if (top.length === 0) return '';
  const body = top.map((g, i) => {
    const first = i === 0 || top[i - 1].attribute !== g.attribute;
    const cells = models
      .map((m) => {
        const list = g.byModel.get(m) ?? [];
        return list.length === 0
          ? '<td class="empty">none ≠ 0</td>'
          : html`<td><ul class="plain disparities">${list.map(disparityText).join('')}</ul></td>`;
      })
      .join('');
    const warned = [...g.byModel.values()].some((list) => list.some((d) => d.warned));
    return html`<tr${first && i > 0 ? ' class="group-start"' : ''}><td>${first ? esc(g.attribute) : ''}</td><th scope="row">${esc(g.group)}${warned ? '<span class="flag" title="small group: see warnings">⚠</span>' : ''}</th>${cells}</tr>`;
  });
  return html`<div class="table-wrap"><table class="metric-table disparity-table">
<caption>Largest per-class disparities per group at τ = ${tau} (percentage points [95% interval]; bold: the interval excludes 0)</caption>
<thead><tr><th scope="col">groups by</th><th scope="col">group</th>${models.map((m) => html`<th scope="col">${esc(m)}</th>`).join('')}</tr></thead>
<tbody>${body.join('\n')}</tbody>
</table></div>`;
}

/** Disparate-label rate, top-1 above the disparate threshold and mean top-1 confidence per group. */
async function ratesChart(at: ResultRow[], ctx: SectionContext, tau: number): Promise<string> {
  const all = at.filter((r) => SECONDARY_RATES.includes(r.metric));
  if (all.length === 0) return '';
  const { rows: rates, skipped } = chartableRows(all);
  const subtitles: Record<string, string> = {};
  const points = rates.map((r) => {
    subtitles[metricTitle(r.metric)] = unitText(rowUnit(r));
    return groupPoint(r, metricTitle(r.metric));
  });
  const svg = await renderVegaLite(
    intervalChart(points, {
      description: `Disparate-label rate and confidence statistics per group at tau ${tau}, per model, with 95% intervals`,
      valueTitle: '',
      columnSubtitles: subtitles,
      seriesOrder: seriesOf(ctx, rates),
      independentValueAxis: true,
      width: 200,
    }),
  );
  const label = rates.find((r) => r.metric === 'disparate_label_rate');
  const which =
    label === undefined
      ? ''
      : ` Disparate label: “${label.params.label}” at score ≥ ${label.params.disparateThreshold ?? 'n/a'}.`;
  return chartBlock({
    title: `Disparate label and confidence per group at τ = ${tau}`,
    measures: `${CHART_TEXT.secondaryRates.measures}${which}`,
    read: intervalsRead(rates, CHART_TEXT.secondaryRates.read),
    svg,
    caption: ['One panel per statistic, with its unit; rows are attribute sets.', skippedNote(skipped)]
      .filter((x) => x !== '')
      .join(' '),
  });
}
