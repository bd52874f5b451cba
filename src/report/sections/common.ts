/**
 * Helpers shared by the indicator sections: rows → chart points, the gaps block, the tables block.
 */
import type { ResultRow } from '../../core/types.js';
import type { IntervalPoint } from '../charts.js';
import { intervalChart } from '../charts.js';
import { attributeSetLabel, decimalsFor, groupLabel, paramsLabel } from '../format.js';
import { chartBlock, esc, gapTableHtml, html, metricTableHtml } from '../html.js';
import { isGapRow } from '../rows.js';
import { gapEntries, type MetricTable } from '../tables.js';
import { CHART_TEXT } from '../texts.js';
import { renderVegaLite } from '../vega.js';

/** Context every section gets. */
export interface SectionContext {
  models: string[];
}

/** A row as a chart point: category = group label, row facet = attribute set. */
export function groupPoint(r: ResultRow, column?: string): IntervalPoint {
  return {
    category: groupLabel(r.group),
    series: r.model,
    value: r.value,
    lo: r.ci[0],
    hi: r.ci[1],
    small: r.warnings.length > 0,
    row: attributeSetLabel(r.group),
    ...(column === undefined ? {} : { column }),
  };
}

/** Forest plot and table of an indicator's gap rows; '' when there are none. */
export async function gapsBlock(rows: readonly ResultRow[], ctx: SectionContext): Promise<string> {
  const gaps = gapEntries(rows, ctx.models);
  if (gaps.length === 0) return '';
  const decimals = decimalsFor(gaps.flatMap((g) => [g.value, ...g.ci]));
  const oneMetric = new Set(gaps.map((g) => g.metric)).size === 1;
  const points: IntervalPoint[] = gaps.map((g) => ({
    category: [oneMetric ? '' : g.metric.replace(/_gap$/, ''), g.attribute, g.params]
      .filter((s) => s !== '')
      .join(' · '),
    series: g.model,
    value: g.value,
    lo: g.ci[0],
    hi: g.ci[1],
    small: g.warnings.length > 0,
  }));
  const svg = await renderVegaLite(
    intervalChart(points, {
      description: 'Gaps between groups with 95% intervals; the dashed line marks parity (0).',
      valueTitle: oneMetric
        ? `${gaps[0].metric.replace(/_gap$/, '').replace(/_/g, ' ')} gap between groups`
        : 'gap between groups',
      seriesOrder: ctx.models.filter((m) => points.some((p) => p.series === m)),
      zeroRule: true,
      width: 300,
    }),
  );
  return (
    chartBlock({
      title: 'Gaps between groups',
      measures: CHART_TEXT.gaps.measures,
      read: CHART_TEXT.gaps.read,
      svg,
    }) + gapTableHtml(gaps, decimals)
  );
}

/** The paper-layout tables, the first `open` shown, the rest folded under a summary line. */
export function tablesBlock(
  tables: MetricTable[],
  foldedSummary?: string,
  folded: MetricTable[] = [],
): string {
  if (tables.length === 0 && folded.length === 0) return '';
  const shown = tables.map(metricTableHtml).join('\n');
  const more =
    folded.length === 0
      ? ''
      : html`<details class="more-tables"><summary>${esc(foldedSummary ?? 'More tables')}</summary>${folded.map(metricTableHtml).join('\n')}</details>`;
  return html`<h4 class="tables-title">Model comparison tables</h4><p class="table-note">Models as rows, groups as columns; each cell is the value with its 95% interval (± distance to the bounds). ⚠ marks rows with warnings; hover a cell for n, clusters and the warning.</p>${shown}${more}`;
}

/** Non-gap rows only. */
export function metricRows(rows: readonly ResultRow[]): ResultRow[] {
  return rows.filter((r) => !isGapRow(r));
}

/** 'tau=0.1' style label of a row's params without some keys. */
export function paramsText(r: ResultRow, omit: string[]): string {
  return paramsLabel(r.params, omit);
}
