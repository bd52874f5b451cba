/**
 * Indicator 3 (same-attribute retrieval), per retrieval task (query/database datasets and the
 * attribute that must match): Precision@K per group at the headline K (10 and 50, protocols.md 5.3)
 * with intervals, models-as-rows tables (other K folded), gaps and the comparisons significant after
 * Holm.
 */
import type { ResultRow } from '../../core/types.js';
import { intervalChart } from '../charts.js';
import { chartBlock, esc, html } from '../html.js';
import { constantParams, groupBy, headlineKs, isValueRow, rowKind } from '../rows.js';
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

/** The attribute a retrieval row's neighbours must share with the query ('' when not recorded). */
function taskAttribute(r: ResultRow): string {
  return r.metric.endsWith('_gap') ? '' : String(r.params.attribute ?? '');
}

export async function retrievalSection(rows: ResultRow[], ctx: SectionContext): Promise<string> {
  const parts: string[] = [constantParamsHtml(rows)];
  const omitParams = [...constantParams(rows).map(([k]) => k), 'attribute'];
  const tasks = groupBy(
    rows.filter(isValueRow),
    (r) => `${r.dataset ?? ''}\u0000${taskAttribute(r)}\u0000${r.metric}`,
  );
  const taskCount = new Set([...tasks.keys()].map((k) => k.split('\u0000').slice(0, 2).join('\u0000'))).size;
  for (const [key, values] of tasks) {
    const [dataset, attribute, metric] = key.split('\u0000');
    // Gap and test rows of this task (old-style '_gap' rows carry no task: they go with a lone task).
    const related = rows.filter(
      (r) =>
        !isValueRow(r) &&
        (r.dataset ?? '') === dataset &&
        r.metric.startsWith(metric) &&
        (taskAttribute(r) === attribute || (taskAttribute(r) === '' && taskCount === 1)),
    );
    const ks = headlineKs(values);
    const atK = (r: ResultRow) => r.params.k === undefined || ks.includes(r.params.k as number);
    const kText = ks.join(' and ');
    const otherKs = [...new Set(values.filter((r) => !atK(r)).map((r) => r.params.k))].join(', ');
    parts.push(
      html`<h3>${attribute ? `Same-${esc(attribute)} retrieval` : esc(metricTitle(metric))}${dataset ? html` · <code>${esc(dataset)}</code>` : ''}</h3>`,
    );

    const headline = values.filter(atK);
    const unit = commonUnit(headline);
    const { rows: charted, skipped } = chartableRows(headline);
    const points = charted.map((r) => groupPoint(r, r.params.k === undefined ? metric : `K = ${r.params.k}`));
    const svg = await renderVegaLite(
      intervalChart(points, {
        description: `Precision at K of same-${attribute || 'attribute'} retrieval per group at K = ${kText}, with 95% intervals`,
        valueTitle: withUnit(metricTitle(metric), unit),
        seriesOrder: seriesOf(ctx, headline),
        width: 220,
      }),
    );
    parts.push(
      chartBlock({
        title: `Precision@K per group at K = ${kText}${attribute ? ` (same ${attribute})` : ''}`,
        measures: CHART_TEXT.retrieval.measures.replace('same-gender', `same-${attribute || 'attribute'}`),
        read: intervalsRead(headline, CHART_TEXT.retrieval.read),
        svg,
        caption: ['One panel per K; rows are the attribute sets of the query groups.', skippedNote(skipped)]
          .filter((s) => s !== '')
          .join(' '),
      }),
    );
    parts.push(
      tablesBlock(
        buildTables(headline, ctx.models, { omitParams }),
        `Tables at the other K (${otherKs})`,
        buildTables(
          values.filter((r) => !atK(r)),
          ctx.models,
          { omitParams },
        ),
        `${metricTitle(metric)} tables at K = ${kText}`,
      ),
    );
    const gaps = gapEntries(related, ctx.models, omitParams);
    const gapAtK = (g: (typeof gaps)[number]) =>
      g.rawParams.k === undefined || ks.includes(g.rawParams.k as number);
    parts.push(
      await gapsBlock(gaps.filter(gapAtK), ctx, {
        title: `Gaps between query groups at K = ${kText}`,
        paramColumns: ['k'],
        label: (g) => (g.rawParams.k === undefined ? g.metric : `K = ${g.rawParams.k}`),
        row: (g) => g.attribute,
        folded: gaps.filter((g) => !gapAtK(g)),
        foldedSummary: `Gaps at the other K (${otherKs})`,
      }),
    );
    parts.push(
      comparisonsBlock(
        related.filter((r) => rowKind(r) === 'comparison'),
        { focus: atK, focusText: `at K = ${kText}`, omitParams },
      ),
    );
  }
  parts.push(
    rowsNote('retrieval', rows, {
      precision_at_k: 'chart and tables (K = 10 and 50; other K folded)',
      'precision_at_k.gap': 'gap chart and table',
      'precision_at_k.ratio': 'gap table (smallest ÷ largest)',
      'precision_at_k.comparison': 'significant after Holm only',
    }),
  );
  return parts.join('\n');
}
