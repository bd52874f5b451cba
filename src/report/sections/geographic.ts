/**
 * Indicator 2 (geographical diversity, Dollar Street), per dataset: the household-averaged hit rate
 * per region and per income bucket with intervals, a region × income heatmap per model, tables, gaps
 * and the comparisons significant after Holm. Secondary metrics (per-image accuracy, cover) are in
 * folded tables.
 */
import type { ResultRow } from '../../core/types.js';
import { type HeatCell, heatmapChart, intervalChart } from '../charts.js';
import { formatNumber } from '../format.js';
import { chartBlock, esc, html } from '../html.js';
import { constantParams, distinct, groupBy, isValueRow, rowKind } from '../rows.js';
import { buildTables, gapEntries } from '../tables.js';
import { CHART_TEXT, intervalsRead, metricTitle } from '../texts.js';
import { commonUnit, unitDecimals, withUnit } from '../units.js';
import { renderVegaLite } from '../vega.js';
import {
  comparisonsBlock,
  constantParamsHtml,
  gapsBlock,
  groupPoint,
  rowsNote,
  type SectionContext,
  seriesOf,
  tablesBlock,
} from './common.js';

const MAIN = 'hit_rate';

export async function geographicSection(rows: ResultRow[], ctx: SectionContext): Promise<string> {
  const parts: string[] = [constantParamsHtml(rows)];
  const omitParams = constantParams(rows).map(([k]) => k);
  const byDataset = groupBy(rows, (r) => r.dataset ?? '');
  for (const [dataset, dsRows] of byDataset) {
    if (dataset !== '') parts.push(html`<h3>Dataset: <code>${esc(dataset)}</code></h3>`);
    const values = dsRows.filter(isValueRow);
    const mainMetric = values.some((r) => r.metric === MAIN) ? MAIN : values[0]?.metric;
    if (mainMetric === undefined) continue;
    const main = values.filter((r) => r.metric === mainMetric);
    const valueTitle = withUnit(metricTitle(mainMetric), commonUnit(main));
    const seriesOrder = seriesOf(ctx, main);
    const single = main.filter((r) => Object.keys(r.group).length <= 1);
    if (single.length > 0) {
      const svg = await renderVegaLite(
        intervalChart(
          single.map((r) => groupPoint(r)),
          {
            description: `${valueTitle} per region and per income bucket, per model, with 95% intervals`,
            valueTitle,
            seriesOrder,
            width: 300,
          },
        ),
      );
      parts.push(
        chartBlock({
          title: 'Per region and per income',
          measures: CHART_TEXT.geographicGroups.measures,
          read: intervalsRead(single, CHART_TEXT.geographicGroups.read),
          svg,
        }),
      );
    }
    const pairs = main.filter((r) => Object.keys(r.group).length === 2);
    if (pairs.length > 0) parts.push(await pairHeatmap(pairs, valueTitle, seriesOrder));

    const others = values.filter((r) => r.metric !== mainMetric);
    const otherNames = distinct(others, (r) => metricTitle(r.metric));
    parts.push(
      tablesBlock(
        buildTables(main, ctx.models, { omitParams }),
        `Other metrics (${otherNames.join(', ')})`,
        buildTables(others, ctx.models, { omitParams }),
      ),
    );
    const gaps = gapEntries(dsRows, ctx.models, omitParams);
    const isMain = (g: (typeof gaps)[number]) => g.metric === mainMetric;
    parts.push(
      await gapsBlock(gaps.filter(isMain), ctx, {
        title: `Gaps between groups (${metricTitle(mainMetric)})`,
        label: (g) => g.attribute,
        folded: gaps.filter((g) => !isMain(g)),
        foldedSummary: `Gaps of the other metrics (${otherNames.join(', ')})`,
      }),
    );
    parts.push(
      comparisonsBlock(
        dsRows.filter((r) => rowKind(r) === 'comparison'),
        {
          focus: (r) => r.metric.startsWith(`${mainMetric}.`),
          focusText: `for ${metricTitle(mainMetric)}`,
          omitParams,
        },
      ),
    );
  }
  parts.push(
    rowsNote('geographic', rows, {
      [MAIN]: 'charts and tables',
      'hit_rate.gap': 'gap chart and table',
      'hit_rate.ratio': 'gap table',
      '*.comparison': 'significant after Holm only',
      '*.gap': 'folded gap table',
      '*.ratio': 'folded gap table',
      accuracy: 'folded tables',
      cover: 'folded tables',
    }),
  );
  return parts.join('\n');
}

/** Region × income heatmap per model, the value printed in each cell. */
async function pairHeatmap(pairs: ResultRow[], valueTitle: string, seriesOrder: string[]): Promise<string> {
  const [yAttr, xAttr] = Object.keys(pairs[0].group);
  const grid = pairs.filter((r) => yAttr in r.group && xAttr in r.group);
  const decimals = unitDecimals(
    commonUnit(grid),
    grid.map((r) => r.value),
  );
  const cells: HeatCell[] = grid.map((r) => ({
    x: String(r.group[xAttr]),
    y: String(r.group[yAttr]),
    value: r.value,
    label: `${formatNumber(r.value, Math.min(decimals, 2))}${r.warnings.length > 0 ? ' ▲' : ''}`,
    column: r.model,
  }));
  const svg = await renderVegaLite(
    heatmapChart(cells, {
      description: `${valueTitle} for every ${yAttr} and ${xAttr} pair, per model`,
      xTitle: xAttr,
      yTitle: yAttr,
      valueTitle,
      xOrder: distinct(grid, (r) => String(r.group[xAttr])),
      yOrder: distinct(grid, (r) => String(r.group[yAttr])),
      columnOrder: seriesOrder,
    }),
  );
  return chartBlock({
    title: `${yAttr} × ${xAttr}`,
    measures: CHART_TEXT.geographicGrid.measures,
    read: CHART_TEXT.geographicGrid.read,
    svg,
    caption: '▲: small group or few households (see warnings). Intervals are in the table below.',
  });
}
