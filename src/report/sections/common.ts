/**
 * Helpers shared by the indicator sections: rows → chart points, the gaps block, the significant
 * comparisons block, the tables block and the note on what only results.json holds.
 */
import type { ResultRow } from '../../core/types.js';
import type { IntervalPoint } from '../charts.js';
import { intervalChart } from '../charts.js';
import { summarizeComparisons } from '../comparisons.js';
import { attributeSetLabel, formatCount, formatP, groupLabel } from '../format.js';
import { chartBlock, comparisonsTableHtml, esc, gapTableHtml, html, metricTableHtml } from '../html.js';
import { baseMetric, constantParams, isValueRow, rowKind } from '../rows.js';
import { type GapEntry, gapUndefined, type MetricTable } from '../tables.js';
import { CHART_TEXT, metricTitle } from '../texts.js';
import { commonUnit, withUnit } from '../units.js';
import { renderVegaLite } from '../vega.js';
import { isSmallSample } from '../warnings.js';

/** Context every section gets. */
export interface SectionContext {
  models: string[];
}

/** Most significant comparisons listed per block; the rest are counted. */
export const COMPARISONS_SHOWN = 12;

/** A row as a chart point: category = group label, row facet = attribute set. */
export function groupPoint(r: ResultRow, column?: string): IntervalPoint {
  return {
    category: groupLabel(r.group),
    series: r.model,
    value: r.value,
    lo: r.ci[0],
    hi: r.ci[1],
    small: isSmallSample(r.warnings),
    row: attributeSetLabel(r.group),
    ...(column === undefined ? {} : { column }),
  };
}

/** Attribute sets with more groups than this are left out of dot-and-whisker charts (tables keep them). */
export const MAX_CHART_GROUPS = 12;

/**
 * Rows of the attribute sets small enough to chart, and the names of the others
 * ('gender × skintone (18 groups)'), for a note under the chart.
 */
export function chartableRows(rows: readonly ResultRow[]): { rows: ResultRow[]; skipped: string[] } {
  const groups = new Map<string, Set<string>>();
  for (const r of rows) {
    const set = attributeSetLabel(r.group);
    const g = groups.get(set) ?? new Set<string>();
    g.add(groupLabel(r.group));
    groups.set(set, g);
  }
  const tooMany = new Set([...groups].filter(([, g]) => g.size > MAX_CHART_GROUPS).map(([s]) => s));
  return {
    rows: rows.filter((r) => !tooMany.has(attributeSetLabel(r.group))),
    skipped: [...tooMany].map((s) => `${s} (${groups.get(s)?.size} groups)`),
  };
}

/** Note under a chart about the attribute sets it leaves to the tables; '' when none. */
export function skippedNote(skipped: readonly string[]): string {
  return skipped.length === 0
    ? ''
    : `Not charted (too many groups to read): ${skipped.join(', ')}; see the tables.`;
}

/** Models among `ctx.models` that have rows, in that order. */
export function seriesOf(ctx: SectionContext, rows: readonly { model: string }[]): string[] {
  const present = new Set(rows.map((r) => r.model));
  return ctx.models.filter((m) => present.has(m));
}

/**
 * Forest plot of gaps (largest − smallest group, or the largest distance to overall where that is
 * all there is) with their intervals, and the gap table; `folded` entries go in a table under a
 * summary line. '' when there is nothing.
 * @param label category text of an entry in the plot (e.g. 'Human · gender').
 */
export async function gapsBlock(
  shown: readonly GapEntry[],
  ctx: SectionContext,
  opts: {
    title: string;
    /** Category of an entry in the plot (e.g. its association). */
    label: (g: GapEntry) => string;
    /** Row facet of an entry (e.g. its attribute); entries of a row share a panel. */
    row?: (g: GapEntry) => string;
    /** Rows hold different metrics: give each its own scale. */
    independentRows?: boolean;
    /** Entries drawn in the plot (default: all shown); the table lists every shown entry. */
    plot?: (g: GapEntry) => boolean;
    folded?: GapEntry[];
    foldedSummary?: string;
    /** Parameters shown in their own table columns (e.g. 'association'). */
    paramColumns?: readonly string[];
  },
): Promise<string> {
  const parts: string[] = [];
  const undefinedGaps = shown.filter(gapUndefined);
  shown = shown.filter((g) => !gapUndefined(g));
  const plotted = shown.filter(opts.plot ?? (() => true));
  if (plotted.length > 0) {
    const metrics = new Set(plotted.map((g) => g.metric));
    const unit = commonUnit(
      plotted.map((g) => ({ kind: 'difference', metric: g.metric, params: g.rawParams })),
    );
    const points: IntervalPoint[] = plotted.map((g) => {
      const s = g.between ?? g.toOverall;
      return {
        category: opts.label(g),
        series: g.model,
        value: s?.value ?? Number.NaN,
        lo: s?.ci[0] ?? Number.NaN,
        hi: s?.ci[1] ?? Number.NaN,
        small: isSmallSample(s?.warnings ?? []),
        ...(opts.row ? { row: opts.row(g) } : {}),
      };
    });
    const what = metrics.size === 1 ? metricTitle([...metrics][0]) : 'each metric';
    const svg = await renderVegaLite(
      intervalChart(points, {
        description: `${opts.title}: largest minus smallest group value of ${what}, per model, with 95% intervals; the dashed line marks parity (0).`,
        valueTitle: withUnit('largest − smallest group', unit),
        seriesOrder: seriesOf(ctx, plotted),
        zeroRule: true,
        independentRows: opts.independentRows,
        width: 300,
      }),
    );
    parts.push(
      chartBlock({
        title: opts.title,
        measures: CHART_TEXT.gaps.measures,
        read: CHART_TEXT.gaps.read,
        svg,
      }),
    );
  }
  const tableOpts = (gs: readonly GapEntry[]) => ({
    showMetric: new Set(gs.map((g) => g.metric)).size > 1,
    paramColumns: opts.paramColumns,
  });
  if (shown.length > 0)
    parts.push(gapTableHtml([...shown], `${opts.title} (95% intervals)`, tableOpts(shown)));
  if (undefinedGaps.length > 0) {
    const which = [...new Set(undefinedGaps.map((g) => g.attribute))].join(', ');
    parts.push(
      html`<p class="small">Undefined (fewer than two comparable groups with items): gaps by ${esc(which)}.</p>`,
    );
  }
  const folded = opts.folded ?? [];
  if (folded.length > 0) {
    parts.push(
      html`<details class="more-tables"><summary>${esc(opts.foldedSummary ?? 'More gaps')} (${folded.length})</summary>${gapTableHtml(folded, opts.foldedSummary ?? 'More gaps', tableOpts(folded))}</details>`,
    );
  }
  return parts.join('\n');
}

/**
 * The group comparisons significant after Holm among `rows`' comparison rows (focused ones first),
 * at most COMPARISONS_SHOWN of them, with how many were tested; '' when there are no tests.
 * @param scope what the tests cover, for the text ('at τ = 0.1').
 */
export function comparisonsBlock(
  rows: readonly ResultRow[],
  opts: { focus?: (r: ResultRow) => boolean; focusText?: string; omitParams?: readonly string[] },
): string {
  const summary = summarizeComparisons(rows, opts.focus, opts.omitParams);
  if (summary.tested === 0) return '';
  const focused = opts.focus ? rows.filter((r) => rowKind(r) === 'comparison' && opts.focus?.(r)) : [];
  const focusedSignificant = opts.focus ? summary.significant.filter((t) => opts.focus?.(t.row)).length : 0;
  const counts =
    opts.focus && opts.focusText
      ? `${formatCount(focusedSignificant)} of ${formatCount(focused.length)} ${esc(opts.focusText)}, ${formatCount(summary.significant.length)} of ${formatCount(summary.tested)} in all`
      : `${formatCount(summary.significant.length)} of ${formatCount(summary.tested)}`;
  const lead = html`<p>Each test compares two groups (bootstrap over clusters, two-sided); p-values are Holm-adjusted within each family of tests (one model, metric, parameter setting and attribute). Significant after Holm at α = 0.05: <strong>${counts}</strong>.${summary.significant.length === 0 && Number.isFinite(summary.minPHolm) ? ` The smallest adjusted p-value is ${formatP(summary.minPHolm)}.` : ''}</p>`;
  const shown = summary.significant.slice(0, COMPARISONS_SHOWN);
  const table =
    shown.length === 0
      ? ''
      : comparisonsTableHtml(
          shown,
          summary.significant.length > shown.length
            ? `The ${shown.length} most significant of ${summary.significant.length} (all are in results.json)`
            : 'Significant after Holm',
        );
  return html`<div class="block"><h4>Group differences significant after Holm’s correction</h4>${lead}${table}</div>`;
}

/** The paper-layout tables, the first `open` shown, the rest folded under a summary line. */
export function tablesBlock(
  tables: MetricTable[],
  foldedSummary?: string,
  folded: MetricTable[] = [],
  title = 'Model comparison tables',
): string {
  if (tables.length === 0 && folded.length === 0) return '';
  const shown = tables.map(metricTableHtml).join('\n');
  const more =
    folded.length === 0
      ? ''
      : html`<details class="more-tables"><summary>${esc(foldedSummary ?? 'More tables')} (${folded.length})</summary>${folded.map(metricTableHtml).join('\n')}</details>`;
  return html`<h4 class="tables-title">${esc(title)}</h4><p class="table-note">Models as rows, groups as columns; each cell is the value with its 95% interval (± distance to the bounds), in the unit of the caption. ⚠ marks values with warnings; hover a cell for n, clusters and the warning.</p>${shown}${more}`;
}

/** Value rows only. */
export function metricRows(rows: readonly ResultRow[]): ResultRow[] {
  return rows.filter(isValueRow);
}

/** The parameters every row of a section shares, stated once ('' when none). */
export function constantParamsHtml(rows: readonly ResultRow[]): string {
  const fixed = constantParams(rows);
  if (fixed.length === 0) return '';
  return html`<p class="small">Same for every row: ${fixed.map(([k, v]) => html`<code>${esc(k)}=${esc(v)}</code>`).join(' ')}.</p>`;
}

/**
 * What this section leaves to results.json: the rows by metric and kind, with how the section shows
 * them, and how to load them.
 * @param shownAs metric (or 'metric.kind') → how the section presents it; others are 'results.json only'.
 */
export function rowsNote(
  indicator: string,
  rows: readonly ResultRow[],
  shownAs: Record<string, string>,
): string {
  const counts = new Map<string, { n: number; kind: ReturnType<typeof rowKind> }>();
  for (const r of rows) counts.set(r.metric, { n: (counts.get(r.metric)?.n ?? 0) + 1, kind: rowKind(r) });
  const lines = [...counts].map(([metric, { n, kind }]) => {
    const how =
      shownAs[metric] ??
      shownAs[`${baseMetric(metric)}.${kind}`] ??
      shownAs[`*.${kind}`] ??
      'in results.json / results.parquet only';
    return html`<tr><td><code>${esc(metric)}</code></td><td class="num">${formatCount(n)}</td><td>${esc(how)}</td></tr>`;
  });
  return html`<details class="rows-note"><summary>All ${formatCount(rows.length)} ${esc(indicator)} rows, and where they are shown</summary><p class="small">Every row, with its interval, n, clusters and warnings, is in <code>results.json</code> and <code>results.parquet</code> (one row per result; <code>param_*</code> and <code>group_*</code> columns), e.g. DuckDB: <code>SELECT * FROM 'results.parquet' WHERE indicator = '${esc(indicator)}' AND metric = '…'</code>.</p><div class="table-wrap"><table class="info-table"><thead><tr><th scope="col">metric</th><th scope="col" class="num">rows</th><th scope="col">in this report</th></tr></thead><tbody>${lines.join('')}</tbody></table></div></details>`;
}
