/**
 * Curation: group shares before and after selection, coverage and duplicates (the generic layout),
 * and, when the audit evaluated the selection, a probe trained on it against probes trained on
 * random selections of the same size (rows with params.selection, src/curate/probe-comparison.ts):
 * a dot-and-whisker chart of curated vs random per group and a table with curated − random and the
 * largest group gap.
 */
import { canonicalJson } from '../../core/hash.js';
import type { ResultRow } from '../../core/types.js';
import { intervalChart } from '../charts.js';
import { attributeSetLabel, formatCount, groupAssignment, groupLabel } from '../format.js';
import { cellHtml, chartBlock, esc, html } from '../html.js';
import { groupBy } from '../rows.js';
import { CHART_TEXT } from '../texts.js';
import { withUnit } from '../units.js';
import { renderVegaLite } from '../vega.js';
import { isSmallSample } from '../warnings.js';
import type { SectionContext } from './common.js';
import { genericSection } from './generic.js';

const ACCURACY = 'probe.accuracy';
const GAP = 'probe.accuracy.difference';
const GAIN = 'probe.accuracy_gain';
const GAP_CHANGE = 'probe.accuracy_gap_change';
const SELECTION_LABEL: Record<string, string> = { curated: 'curated', random: 'random (mean of draws)' };

/** Parameters that vary within one comparison (not part of its identity). */
const PER_ROW = ['selection', 'intervalMethod', 'method'];

function isComparisonRow(r: ResultRow): boolean {
  return r.params.selection !== undefined;
}

export async function curationSection(rows: ResultRow[], ctx: SectionContext): Promise<string> {
  const parts: string[] = [];
  const selectionRows = rows.filter((r) => !isComparisonRow(r));
  if (selectionRows.length > 0) parts.push(await genericSection(selectionRows, ctx, CHART_TEXT.curation));
  const comparisons = groupBy(rows.filter(isComparisonRow), (r) =>
    canonicalJson([
      r.model,
      r.dataset ?? '',
      Object.fromEntries(Object.entries(r.params).filter(([k]) => !PER_ROW.includes(k))),
    ]),
  );
  const ordered = [...comparisons.values()].sort(
    (a, b) => rank(ctx, a[0]?.model ?? '') - rank(ctx, b[0]?.model ?? ''),
  );
  for (const group of ordered) parts.push(await comparisonBlock(group));
  return parts.join('\n');
}

function rank(ctx: SectionContext, model: string): number {
  const i = ctx.models.indexOf(model);
  return i < 0 ? ctx.models.length : i;
}

/** One curated-vs-random comparison: chart and table. */
async function comparisonBlock(rows: ResultRow[]): Promise<string> {
  const first = rows[0] as ResultRow;
  const p = first.params;
  const what = `${p.head ?? 'linear'} probe (classes from ${p.labelFrom ?? 'labels'}) trained on ${p.selected ?? p.budget} ${p.trainDataset ?? ''} images, scored on ${first.dataset ?? 'the test set'}`;
  const title = `${first.model}: ${p.strategy} selection vs ${p.draws} random selections`;
  const accuracy = rows.filter((r) => r.metric === ACCURACY);
  const svg = await renderVegaLite(
    intervalChart(
      accuracy.map((r) => ({
        category: groupLabel(r.group),
        series: SELECTION_LABEL[String(r.params.selection)] ?? String(r.params.selection),
        value: r.value,
        lo: r.ci[0],
        hi: r.ci[1],
        small: isSmallSample(r.warnings),
        row: attributeSetLabel(r.group),
      })),
      {
        description: `Accuracy of a ${what}: curated selection vs random selections of the same size, overall and per group, with 95% intervals`,
        valueTitle: withUnit('probe accuracy', 'fraction'),
        seriesTitle: 'training selection',
        width: 240,
      },
    ),
  );
  const chart = chartBlock({
    title,
    measures: `${CHART_TEXT.curationProbe.measures} Here: a ${what}.`,
    read: CHART_TEXT.curationProbe.read,
    svg,
  });
  return `${chart}\n${comparisonTable(rows, what)}`;
}

/** Groups as rows; curated, random and curated − random as columns; then the largest gap per attribute. */
function comparisonTable(rows: ResultRow[], what: string): string {
  const pick = (metric: string, selection: string, key: string) =>
    rows.find(
      (r) => r.metric === metric && r.params.selection === selection && canonicalJson(r.group) === key,
    );
  const cell = (r: ResultRow | undefined) =>
    r === undefined ? '<td class="num empty">—</td>' : cellHtml(r, 3, false);
  const body: string[] = [];
  for (const r of rows.filter((x) => x.metric === ACCURACY && x.params.selection === 'curated')) {
    const key = canonicalJson(r.group);
    body.push(
      html`<tr><th scope="row">${esc(groupAssignment(r.group))}</th><td class="num">${formatCount(r.n)}</td>${cell(r)}${cell(pick(ACCURACY, 'random', key))}${cell(pick(GAIN, 'curated-minus-random', key))}</tr>`,
    );
  }
  for (const r of rows.filter((x) => x.metric === GAP && x.params.selection === 'curated')) {
    const key = canonicalJson(r.group);
    body.push(
      html`<tr class="group-start"><th scope="row">largest − smallest (${esc(attributeSetLabel(r.group))})</th><td class="num">${formatCount(r.n)}</td>${cell(r)}${cell(pick(GAP, 'random', key))}${cell(pick(GAP_CHANGE, 'curated-minus-random', key))}</tr>`,
    );
  }
  const head = ['group', 'n', 'curated', 'random (mean of draws)', 'curated − random']
    .map((h, i) => html`<th scope="col"${i > 0 ? ' class="num"' : ''}>${esc(h)}</th>`)
    .join('');
  return html`<div class="table-wrap"><table class="metric-table">
<caption>${esc(`probe accuracy (0–1) · ${what}`)}</caption>
<thead><tr>${head}</tr></thead>
<tbody>${body.join('\n')}</tbody>
</table></div><p class="table-note">${esc(CHART_TEXT.curationProbe.table)}</p>`;
}
