/**
 * Indicator 3 (same-attribute retrieval): Precision@K per group at each K with intervals, tables, gaps.
 */
import type { ResultRow } from '../../core/types.js';
import { intervalChart } from '../charts.js';
import { chartBlock, esc, html } from '../html.js';
import { groupBy } from '../rows.js';
import { buildTables } from '../tables.js';
import { CHART_TEXT, intervalsRead, metricTitle } from '../texts.js';
import { renderVegaLite } from '../vega.js';
import { gapsBlock, groupPoint, metricRows, type SectionContext, tablesBlock } from './common.js';

export async function retrievalSection(rows: ResultRow[], ctx: SectionContext): Promise<string> {
  const parts: string[] = [];
  for (const [key, mRows] of groupBy(metricRows(rows), (r) => `${r.dataset ?? ''}|${r.metric}`)) {
    const [dataset, metric] = key.split('|');
    const attribute = mRows[0].params.attribute;
    if (dataset !== '') parts.push(html`<h3>Queries: <code>${esc(dataset)}</code> · ${esc(metric)}</h3>`);
    const points = mRows.map((r) => groupPoint(r, r.params.k === undefined ? metric : `K = ${r.params.k}`));
    const svg = await renderVegaLite(
      intervalChart(points, {
        description: `Precision at K of same-${attribute ?? 'attribute'} retrieval per group, for each K, with 95% intervals`,
        valueTitle: metricTitle(metric),
        seriesOrder: ctx.models.filter((m) => mRows.some((r) => r.model === m)),
        width: 150,
      }),
    );
    parts.push(
      chartBlock({
        title: `Precision@K per group${attribute === undefined ? '' : ` (same ${attribute})`}`,
        measures: CHART_TEXT.retrieval.measures,
        read: intervalsRead(mRows, CHART_TEXT.retrieval.read),
        svg,
        caption: 'One panel per K; rows are attribute sets.',
      }),
    );
  }
  parts.push(tablesBlock(buildTables(rows, ctx.models)));
  parts.push(await gapsBlock(rows, ctx));
  return parts.join('\n');
}
