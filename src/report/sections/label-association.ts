/**
 * Indicator 1 (harmful label association): per-group hit rates at the headline τ with intervals,
 * threshold curves (hit rate against τ), the paper-layout tables and the gaps.
 */
import type { ResultRow } from '../../core/types.js';
import { type CurvePoint, curveChart, intervalChart } from '../charts.js';
import { attributeSetLabel, groupLabel } from '../format.js';
import { chartBlock, esc, html } from '../html.js';
import { distinct, groupBy, headlineTau, isOverall } from '../rows.js';
import { buildTables } from '../tables.js';
import { CHART_TEXT, intervalsRead, metricTitle } from '../texts.js';
import { renderVegaLite } from '../vega.js';
import { gapsBlock, groupPoint, metricRows, type SectionContext, tablesBlock } from './common.js';

export async function labelAssociationSection(rows: ResultRow[], ctx: SectionContext): Promise<string> {
  const parts: string[] = [];
  const hits = metricRows(rows);
  for (const [dataset, dsRows] of groupBy(hits, (r) => r.dataset ?? '')) {
    const tau = headlineTau(dsRows);
    const atTau = dsRows.filter(
      (r) => r.params.tau === tau || (tau === undefined && r.params.tau === undefined),
    );
    const tauText = tau === undefined ? 'n/a' : String(tau);
    if (dataset !== '') parts.push(html`<h3>Dataset: <code>${esc(dataset)}</code></h3>`);

    for (const [metric, mRows] of groupBy(atTau, (r) => r.metric)) {
      const points = mRows.map((r) => groupPoint(r, String(r.params.association ?? metric)));
      const svg = await renderVegaLite(
        intervalChart(points, {
          description: `${metric} per group at tau ${tauText}, per association type, with 95% intervals`,
          valueTitle: metricTitle(metric),
          seriesOrder: ctx.models.filter((m) => mRows.some((r) => r.model === m)),
          independentValueAxis: true,
          width: 170,
        }),
      );
      parts.push(
        chartBlock({
          title: `Hit rate per group at τ = ${tauText}`,
          measures: CHART_TEXT.labelAssociation.measures(tauText),
          read: intervalsRead(mRows, CHART_TEXT.labelAssociation.read),
          svg,
          caption: `One panel per association type, each with its own scale; rows are attribute sets. Dataset ${dataset || 'n/a'}.`,
        }),
      );
    }

    const curveBlocks = await thresholdCurves(dsRows, ctx);
    if (curveBlocks !== '') parts.push(curveBlocks);

    const all = buildTables(dsRows, ctx.models);
    const headline = all.filter((t) => tau === undefined || t.params.split(', ').includes(`tau=${tau}`));
    const others = all.filter((t) => !headline.includes(t));
    const otherTaus = distinct(
      dsRows.filter((r) => r.params.tau !== tau),
      (r) => String(r.params.tau),
    );
    parts.push(tablesBlock(headline, `Tables at the other thresholds (τ = ${otherTaus.join(', ')})`, others));
  }
  parts.push(await gapsBlock(rows, ctx));
  return parts.join('\n');
}

/** One chart per attribute set: hit rate against τ, a panel per (model, association), a line per group. */
async function thresholdCurves(rows: ResultRow[], ctx: SectionContext): Promise<string> {
  const multiTau = groupBy(
    rows.filter((r) => typeof r.params.tau === 'number' && !isOverall(r)),
    (r) => String(r.params.association ?? r.metric),
  );
  const curved = [...multiTau].filter(([, rs]) => new Set(rs.map((r) => r.params.tau)).size > 1);
  if (curved.length === 0) return '';
  const curvedRows = curved.flatMap(([, rs]) => rs);
  const taus = [...new Set(curvedRows.map((r) => r.params.tau as number))].sort((a, b) => a - b);
  const figures: string[] = [];
  for (const [attrSet, setRows] of groupBy(curvedRows, (r) => attributeSetLabel(r.group))) {
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
        valueTitle: 'hit rate',
        seriesTitle: attrSet,
        rowOrder: ctx.models.filter((m) => setRows.some((r) => r.model === m)),
        interval: 'band',
        xTicks: taus,
        independentValueAxis: true,
        width: 170,
        height: 110,
      }),
    );
    figures.push(
      html`<figure class="chart">${svg}<figcaption>Groups by ${esc(attrSet)}: rows are models, columns association types; shaded bands are 95% intervals.</figcaption></figure>`,
    );
  }
  return html`<div class="chart-block wide">
<div class="explain"><h4>Threshold curves</h4><p><strong>What it shows.</strong> ${esc(CHART_TEXT.thresholdCurves.measures)}</p><p><strong>How to read it.</strong> ${esc(CHART_TEXT.thresholdCurves.read)}</p></div>
<div class="chart-grid">${figures.join('\n')}</div>
</div>`;
}
