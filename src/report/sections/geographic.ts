/**
 * Indicator 2 (geographical diversity, Dollar Street): hit rate per region and per income bucket with
 * intervals, a region × income heatmap per model, tables and gaps.
 */
import type { ResultRow } from '../../core/types.js';
import { type HeatCell, heatmapChart, intervalChart } from '../charts.js';
import { decimalsFor, formatNumber } from '../format.js';
import { chartBlock, esc, html } from '../html.js';
import { distinct, groupBy } from '../rows.js';
import { buildTables } from '../tables.js';
import { CHART_TEXT, intervalsRead, metricTitle } from '../texts.js';
import { renderVegaLite } from '../vega.js';
import { gapsBlock, groupPoint, metricRows, type SectionContext, tablesBlock } from './common.js';

export async function geographicSection(rows: ResultRow[], ctx: SectionContext): Promise<string> {
  const parts: string[] = [];
  for (const [key, mRows] of groupBy(metricRows(rows), (r) => `${r.dataset ?? ''}|${r.metric}`)) {
    const [dataset, metric] = key.split('|');
    const valueTitle = metricTitle(metric);
    if (dataset !== '') parts.push(html`<h3>Dataset: <code>${esc(dataset)}</code> · ${esc(metric)}</h3>`);
    const seriesOrder = ctx.models.filter((m) => mRows.some((r) => r.model === m));
    const single = mRows.filter((r) => Object.keys(r.group).length <= 1);
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
    const pairs = mRows.filter((r) => Object.keys(r.group).length === 2);
    if (pairs.length > 0) {
      const [yAttr, xAttr] = Object.keys(pairs[0].group);
      const grid = pairs.filter((r) => yAttr in r.group && xAttr in r.group);
      const decimals = Math.min(2, decimalsFor(grid.map((r) => r.value)));
      const cells: HeatCell[] = grid.map((r) => ({
        x: String(r.group[xAttr]),
        y: String(r.group[yAttr]),
        value: r.value,
        label: `${formatNumber(r.value, decimals)}${r.warnings.length > 0 ? ' ▲' : ''}`,
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
      parts.push(
        chartBlock({
          title: `${yAttr} × ${xAttr}`,
          measures: CHART_TEXT.geographicGrid.measures,
          read: CHART_TEXT.geographicGrid.read,
          svg,
          caption: '▲: small group or few households (see warnings). Intervals are in the table below.',
        }),
      );
    }
  }
  parts.push(tablesBlock(buildTables(rows, ctx.models)));
  parts.push(await gapsBlock(rows, ctx));
  return parts.join('\n');
}
