/**
 * Curation, probe accuracy and any indicator the report has no dedicated layout for: the metric per
 * group with intervals (a panel per value of the row parameter, e.g. curation method or probe head),
 * tables and gaps.
 */
import type { ResultRow } from '../../core/types.js';
import { intervalChart } from '../charts.js';
import { paramsLabel } from '../format.js';
import { chartBlock, esc, html } from '../html.js';
import { groupBy } from '../rows.js';
import { buildTables, ROW_PARAMS } from '../tables.js';
import { CHART_TEXT, intervalsRead, metricTitle } from '../texts.js';
import { renderVegaLite } from '../vega.js';
import { gapsBlock, groupPoint, metricRows, type SectionContext, tablesBlock } from './common.js';

export async function genericSection(
  rows: ResultRow[],
  ctx: SectionContext,
  text: { measures: string; read: string } = CHART_TEXT.genericGroups,
): Promise<string> {
  const parts: string[] = [];
  for (const [key, mRows] of groupBy(metricRows(rows), (r) => `${r.dataset ?? ''}|${r.metric}`)) {
    const [dataset, metric] = key.split('|');
    const rowParams = ROW_PARAMS[mRows[0].indicator] ?? [];
    const points = mRows.map((r) => {
      const panel = rowParams
        .filter((p) => p in r.params)
        .map((p) => `${p}: ${r.params[p]}`)
        .join(', ');
      return groupPoint(r, panel || paramsLabel(r.params) || undefined);
    });
    const svg = await renderVegaLite(
      intervalChart(points, {
        description: `${metric} per group, per model${dataset ? `, on ${dataset}` : ''}`,
        valueTitle: metricTitle(metric),
        seriesOrder: ctx.models.filter((m) => mRows.some((r) => r.model === m)),
        width: 200,
      }),
    );
    parts.push(
      chartBlock({
        title: `${metric}${dataset ? ` on ${dataset}` : ''}`,
        measures: text.measures,
        read: intervalsRead(mRows, text === CHART_TEXT.genericGroups ? '' : text.read),
        svg,
      }),
    );
  }
  parts.push(tablesBlock(buildTables(rows, ctx.models)));
  parts.push(await gapsBlock(rows, ctx));
  if (parts.join('') === '') parts.push(html`<p>${esc('No rows to show.')}</p>`);
  return parts.join('\n');
}
