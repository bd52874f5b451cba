/**
 * Curation, probe accuracy and any indicator the report has no dedicated layout for: the metric per
 * group with intervals (a panel per value of the row parameter, e.g. curation method or probe head),
 * tables, gaps and the comparisons significant after Holm.
 */
import type { ResultRow } from '../../core/types.js';
import { intervalChart } from '../charts.js';
import { paramsLabel } from '../format.js';
import { chartBlock, esc, html } from '../html.js';
import { constantParams, groupBy } from '../rows.js';
import { buildTables, gapEntries, ROW_PARAMS } from '../tables.js';
import { CHART_TEXT, intervalsRead, metricTitle } from '../texts.js';
import { commonUnit, withUnit } from '../units.js';
import { renderVegaLite } from '../vega.js';
import {
  comparisonsBlock,
  gapsBlock,
  groupPoint,
  metricRows,
  type SectionContext,
  seriesOf,
  tablesBlock,
} from './common.js';

export async function genericSection(
  rows: ResultRow[],
  ctx: SectionContext,
  text: { measures: string; read: string } = CHART_TEXT.genericGroups,
): Promise<string> {
  const parts: string[] = [];
  const omitParams = constantParams(rows).map(([k]) => k);
  for (const [key, mRows] of groupBy(metricRows(rows), (r) => `${r.dataset ?? ''}|${r.metric}`)) {
    const [dataset, metric] = key.split('|');
    const rowParams = ROW_PARAMS[mRows[0].indicator] ?? [];
    const points = mRows.map((r) => {
      const panel = rowParams
        .filter((p) => p in r.params)
        .map((p) => `${p}: ${r.params[p]}`)
        .join(', ');
      return groupPoint(r, panel || paramsLabel(r.params, ['unit', ...omitParams]) || undefined);
    });
    const svg = await renderVegaLite(
      intervalChart(points, {
        description: `${metric} per group, per model${dataset ? `, on ${dataset}` : ''}`,
        valueTitle: withUnit(metricTitle(metric), commonUnit(mRows)),
        seriesOrder: seriesOf(ctx, mRows),
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
  parts.push(tablesBlock(buildTables(rows, ctx.models, { omitParams })));
  const gaps = gapEntries(rows, ctx.models, omitParams);
  parts.push(
    await gapsBlock(gaps, ctx, {
      title: 'Gaps between groups',
      label: (g) => [g.metric, g.attribute, g.params].filter((s) => s !== '').join(' · '),
    }),
  );
  parts.push(comparisonsBlock(rows, { omitParams }));
  if (parts.join('') === '') parts.push(html`<p>${esc('No rows to show.')}</p>`);
  return parts.join('\n');
}
