/**
 * Indicator 1 (harmful label association), per dataset: hit rates per group at the headline τ with
 * intervals (chart and models-as-rows tables), the gaps between groups, the comparisons significant
 * after Holm, hit rate against τ, and a summary of the secondary statistics (per-class prediction-rate
 * disparities, disparate-label rate, confidences; label-secondary.ts). Every other row is counted and
 * left to results.json.
 */
import type { ResultRow } from '../../core/types.js';
import { type CurvePoint, curveChart, intervalChart } from '../charts.js';
import { attributeSetLabel, groupLabel } from '../format.js';
import { chartBlock, esc, html } from '../html.js';
import { constantParams, distinct, groupBy, headlineTau, isOverall, isValueRow, rowKind } from '../rows.js';
import { SECONDARY_METRICS } from '../secondary.js';
import { buildTables, gapEntries } from '../tables.js';
import { CHART_TEXT, intervalsRead, metricTitle } from '../texts.js';
import { commonUnit, withUnit } from '../units.js';
import { renderVegaLite } from '../vega.js';
import {
  chartableRows,
  comparisonsBlock,
  constantParamsHtml,
  gapsBlock,
  groupPoint,
  rowsNote,
  type SectionContext,
  seriesOf,
  skippedNote,
  tablesBlock,
} from './common.js';
import { secondaryBlock } from './label-secondary.js';

/** The metric of the headline figures. */
const MAIN = 'hit_rate';
/** Attribute sets with more groups than this get no threshold-curve figure (too many lines). */
const MAX_CURVE_GROUPS = 8;

export async function labelAssociationSection(rows: ResultRow[], ctx: SectionContext): Promise<string> {
  const parts: string[] = [constantParamsHtml(rows)];
  const omitParams = constantParams(rows).map(([k]) => k);
  const byDataset = groupBy(rows, (r) => r.dataset ?? '');
  for (const [dataset, dsRows] of byDataset) {
    if (byDataset.size > 1 || dataset !== '') {
      parts.push(html`<h3>Dataset: <code>${esc(dataset || 'n/a')}</code></h3>`);
    }
    const values = dsRows.filter(isValueRow);
    const mainMetric = values.some((r) => r.metric === MAIN) ? MAIN : values[0]?.metric;
    const main = values.filter((r) => r.metric === mainMetric);
    const tau = headlineTau(main.length > 0 ? main : dsRows);
    const tauText = tau === undefined ? 'n/a' : String(tau);
    const atTau = (r: ResultRow) => tau === undefined || r.params.tau === tau || r.params.tau === undefined;
    const headline = main.filter(atTau);

    if (headline.length > 0) parts.push(await hitRateChart(headline, ctx, tauText, dataset));

    const otherTaus = distinct(
      main.filter((r) => !atTau(r)),
      (r) => String(r.params.tau),
    );
    parts.push(
      tablesBlock(
        buildTables(headline, ctx.models, { omitParams: [...omitParams, 'tau'] }).map((t) => ({
          ...t,
          params: [t.params, `τ=${tauText}`].filter((s) => s !== '').join(', '),
        })),
        `Tables at the other thresholds (τ = ${otherTaus.join(', ')})`,
        buildTables(
          main.filter((r) => !atTau(r)),
          ctx.models,
          { omitParams },
        ),
        `${metricTitle(mainMetric ?? MAIN)} tables at τ = ${tauText}`,
      ),
    );

    const gaps = gapEntries(
      dsRows.filter((r) => r.metric.startsWith(`${mainMetric}.`) || r.metric === `${mainMetric}_gap`),
      ctx.models,
      omitParams,
    );
    const headlineGaps = gaps.filter((g) => tau === undefined || g.rawParams.tau === tau);
    const omitTau = (g: (typeof gaps)[number]) => ({
      ...g,
      shownParams: g.shownParams.filter((k) => k !== 'tau'),
    });
    parts.push(
      await gapsBlock(headlineGaps.map(omitTau), ctx, {
        title: `Gaps between groups at τ = ${tauText}`,
        paramColumns: ['association'],
        label: (g) => String(g.rawParams.association ?? g.metric),
        row: (g) => g.attribute,
        folded: gaps.filter((g) => !headlineGaps.includes(g)),
        foldedSummary: `Gaps at the other thresholds (τ = ${otherTaus.join(', ')})`,
      }),
    );

    parts.push(
      comparisonsBlock(
        dsRows.filter((r) => rowKind(r) === 'comparison' && r.metric.startsWith(`${mainMetric}.`)),
        { focus: atTau, focusText: `at τ = ${tauText}`, omitParams },
      ),
    );

    const curves = await thresholdCurves(main, ctx);
    if (curves !== '') parts.push(curves);

    const secondary = dsRows.filter((r) => SECONDARY_METRICS.includes(r.metric));
    if (secondary.length > 0 && tau !== undefined) {
      parts.push(await secondaryBlock(secondary, ctx, tau));
    }
  }
  parts.push(
    rowsNote('label-association', rows, {
      [MAIN]: 'chart and tables (headline τ; other τ folded), threshold curves',
      [`${MAIN}.gap`]: 'gap chart and table (largest − smallest, largest distance to overall)',
      [`${MAIN}.ratio`]: 'gap table (smallest ÷ largest)',
      [`${MAIN}.comparison`]: 'significant after Holm only',
      prediction_rate_disparity: 'heatmaps and top classes per group (headline τ)',
      prediction_rate: 'most predicted classes, overall (headline τ)',
      disparate_label_rate: 'chart and table (headline τ)',
      top1_above_disparate_threshold_rate: 'chart and table (headline τ)',
      mean_top1_confidence: 'chart and table (headline τ)',
      associated_label_confidence: 'overall per label (headline τ)',
    }),
  );
  return parts.join('\n');
}

async function hitRateChart(
  headline: ResultRow[],
  ctx: SectionContext,
  tauText: string,
  dataset: string,
): Promise<string> {
  const metric = headline[0].metric;
  const unit = commonUnit(headline);
  const { rows: charted, skipped } = chartableRows(headline);
  const points = charted.map((r) => groupPoint(r, String(r.params.association ?? metric)));
  const svg = await renderVegaLite(
    intervalChart(points, {
      description: `${metricTitle(metric)} per group at tau ${tauText}, per association type, with 95% intervals`,
      valueTitle: withUnit(metricTitle(metric), unit),
      seriesOrder: seriesOf(ctx, headline),
      independentValueAxis: true,
      width: 170,
    }),
  );
  return chartBlock({
    title: `${metricTitle(metric)[0].toUpperCase()}${metricTitle(metric).slice(1)} per group at τ = ${tauText}`,
    measures: CHART_TEXT.labelAssociation.measures(tauText),
    read: intervalsRead(headline, CHART_TEXT.labelAssociation.read),
    svg,
    caption: [
      `One panel per association type, each with its own scale; rows are attribute sets. Dataset ${dataset || 'n/a'}.`,
      skippedNote(skipped),
    ]
      .filter((s) => s !== '')
      .join(' '),
  });
}

/**
 * One chart per attribute set (up to MAX_CURVE_GROUPS groups): hit rate against τ, a panel per
 * (model, association), a line per group.
 */
async function thresholdCurves(rows: ResultRow[], ctx: SectionContext): Promise<string> {
  const grouped = rows.filter((r) => typeof r.params.tau === 'number' && !isOverall(r));
  const taus = [...new Set(grouped.map((r) => r.params.tau as number))].sort((a, b) => a - b);
  if (taus.length < 2) return '';
  const unit = commonUnit(grouped);
  const figures: string[] = [];
  const skipped: string[] = [];
  for (const [attrSet, setRows] of groupBy(grouped, (r) => attributeSetLabel(r.group))) {
    const groups = distinct(setRows, (r) => groupLabel(r.group));
    if (groups.length > MAX_CURVE_GROUPS) {
      skipped.push(`${attrSet} (${groups.length} groups)`);
      continue;
    }
    const points: CurvePoint[] = setRows.map((r) => ({
      x: r.params.tau as number,
      series: groupLabel(r.group),
      value: r.value,
      lo: r.ci[0],
      hi: r.ci[1],
      column: String(r.params.association ?? r.metric),
      row: r.model,
    }));
    const svg = await renderVegaLite(
      curveChart(points, {
        description: `Hit rate against the confidence threshold tau for ${attrSet} groups, per model and association type`,
        xTitle: 'threshold τ',
        valueTitle: withUnit('hit rate', unit),
        seriesTitle: attrSet,
        rowOrder: seriesOf(ctx, setRows),
        // Bands of more than 2 groups overlap into an unreadable mass: lines only, intervals in the tables.
        interval: groups.length <= 2 ? 'band' : 'none',
        xTicks: taus,
        independentValueAxis: true,
        width: 150,
        height: 100,
      }),
    );
    figures.push(
      html`<figure class="chart">${svg}<figcaption>Groups by ${esc(attrSet)}: rows are models, columns association types; ${groups.length <= 2 ? 'shaded bands are 95% intervals' : 'intervals left out to keep the lines readable (see the tables)'}.</figcaption></figure>`,
    );
  }
  if (figures.length === 0) return '';
  const note =
    skipped.length > 0
      ? html`<p class="small">Not drawn (too many lines to read): ${esc(skipped.join(', '))}; their values at every τ are in the folded tables above.</p>`
      : '';
  return html`<div class="chart-block wide">
<div class="explain"><h4>Threshold curves</h4><p><strong>What it shows.</strong> ${esc(CHART_TEXT.thresholdCurves.measures)}</p><p><strong>How to read it.</strong> ${esc(CHART_TEXT.thresholdCurves.read)}</p></div>
<div class="chart-stack">${figures.join('\n')}</div>${note}
</div>`;
}
