/**
 * Robustness: accuracy under natural shifts, effective robustness, accuracy against corruption
 * severity, corruption errors and mCE, and the same per group. Rows are recognised by their params
 * (shift, corruption, severity); any other robustness row falls into a generic chart.
 */
import type { ResultRow } from '../../core/types.js';
import { type CurvePoint, curveChart, type IntervalPoint, intervalChart } from '../charts.js';
import { attributeSetLabel, groupLabel, paramsLabel } from '../format.js';
import { chartBlock, esc, html } from '../html.js';
import { groupBy, isOverall } from '../rows.js';
import { buildTables } from '../tables.js';
import { CHART_TEXT, intervalsRead, metricTitle } from '../texts.js';
import { renderVegaLite } from '../vega.js';
import { gapsBlock, groupPoint, metricRows, type SectionContext, tablesBlock } from './common.js';

/** Corruption names that mean "no corruption" (the clean reference at severity 0). */
const CLEAN = new Set(['none', 'clean']);

const isClean = (r: ResultRow) => CLEAN.has(String(r.params.corruption)) || r.params.severity === 0;
const hasSeverity = (r: ResultRow) => 'corruption' in r.params && typeof r.params.severity === 'number';

function point(r: ResultRow, category: string): IntervalPoint {
  return {
    category,
    series: r.model,
    value: r.value,
    lo: r.ci[0],
    hi: r.ci[1],
    small: r.warnings.length > 0,
  };
}

export async function robustnessSection(rows: ResultRow[], ctx: SectionContext): Promise<string> {
  const parts: string[] = [];
  const metric = metricRows(rows);
  const used = new Set<ResultRow>();
  const take = (pred: (r: ResultRow) => boolean) => {
    const out = metric.filter((r) => !used.has(r) && pred(r));
    for (const r of out) used.add(r);
    return out;
  };
  const seriesOf = (rs: ResultRow[]) => ctx.models.filter((m) => rs.some((r) => r.model === m));
  const valueTitle = metricTitle;

  // Natural shifts, whole population.
  const er = take((r) => isOverall(r) && 'shift' in r.params && r.metric === 'effective_robustness');
  for (const [m, rs] of groupBy(
    take((r) => isOverall(r) && 'shift' in r.params),
    (r) => r.metric,
  )) {
    const svg = await renderVegaLite(
      intervalChart(
        rs.map((r) => point(r, String(r.params.shift))),
        {
          description: `${m} per distribution shift, per model`,
          valueTitle: valueTitle(m),
          seriesOrder: seriesOf(rs),
          width: 320,
        },
      ),
    );
    parts.push(
      chartBlock({
        title: `Natural distribution shifts (${m})`,
        measures: CHART_TEXT.naturalShift.measures,
        read: intervalsRead(rs, CHART_TEXT.naturalShift.read),
        svg,
      }),
    );
  }
  if (er.length > 0) {
    const svg = await renderVegaLite(
      intervalChart(
        er.map((r) => point(r, String(r.params.shift))),
        {
          description: 'Effective robustness per distribution shift, per model',
          valueTitle: 'effective robustness',
          seriesOrder: seriesOf(er),
          zeroRule: true,
          width: 320,
        },
      ),
    );
    parts.push(
      chartBlock({
        title: 'Effective robustness',
        measures:
          'Accuracy under each shift minus the accuracy predicted from in-distribution accuracy by the baseline fit (Taori et al. 2020; a fairscope addition, not part of the SEER protocol).',
        read: 'Above zero: more robust than in-distribution accuracy alone predicts; below zero: less. Intervals that cross zero are inconclusive.',
        svg,
      }),
    );
  }

  // Corruptions, whole population: accuracy against severity.
  for (const [m, rs] of groupBy(
    take((r) => isOverall(r) && hasSeverity(r)),
    (r) => r.metric,
  )) {
    const severities = [...new Set(rs.map((r) => r.params.severity as number))].sort((a, b) => a - b);
    const points: CurvePoint[] = rs.map((r) => ({
      x: r.params.severity as number,
      series: r.model,
      value: r.value,
      lo: r.ci[0],
      hi: r.ci[1],
      column: String(r.params.corruption),
    }));
    const svg = await renderVegaLite(
      curveChart(points, {
        description: `${m} against corruption severity, per corruption and model`,
        xTitle: 'severity',
        valueTitle: valueTitle(m),
        seriesTitle: 'model',
        seriesOrder: seriesOf(rs),
        interval: 'whiskers',
        xTicks: severities,
        columns: 4,
        width: 200,
        height: 140,
      }),
    );
    parts.push(
      chartBlock({
        title: `Corruptions by severity (${m})`,
        measures: CHART_TEXT.corruptions.measures,
        read: CHART_TEXT.corruptions.read,
        svg,
      }),
    );
  }

  // Corruption error per corruption and mCE.
  const ce = take((r) => isOverall(r) && (r.metric === 'corruption_error' || r.metric === 'mce'));
  if (ce.length > 0) {
    const svg = await renderVegaLite(
      intervalChart(
        ce.map((r) => point(r, r.metric === 'mce' ? 'mCE (mean)' : String(r.params.corruption ?? r.metric))),
        {
          description: 'Corruption error per corruption and mCE, per model',
          valueTitle: 'corruption error (lower is better)',
          seriesOrder: seriesOf(ce),
          width: 320,
        },
      ),
    );
    parts.push(
      chartBlock({
        title: 'Corruption error and mCE',
        measures:
          'Corruption error (CE): the top-1 error summed over severities, relative to the reference model’s; mCE is its mean over corruptions.',
        read: 'Lower is better; 1 means as fragile as the reference model. Compare models per corruption.',
        svg,
      }),
    );
  }

  // Per group under corruption: a line per group against severity.
  const groupCorr = take((r) => !isOverall(r) && (hasSeverity(r) || isClean(r)));
  for (const [key, rs] of groupBy(
    groupCorr,
    (r) => `${r.dataset ?? ''}|${r.metric}|${attributeSetLabel(r.group)}`,
  )) {
    const [dataset, m, attrSet] = key.split('|');
    const clean = rs.filter(isClean);
    const corruptions = [...new Set(rs.filter((r) => !isClean(r)).map((r) => String(r.params.corruption)))];
    const points: CurvePoint[] = [];
    for (const c of corruptions) {
      const withClean = [...clean, ...rs.filter((r) => String(r.params.corruption) === c && !isClean(r))];
      for (const r of withClean) {
        points.push({
          x: isClean(r) ? 0 : (r.params.severity as number),
          series: groupLabel(r.group),
          value: r.value,
          lo: r.ci[0],
          hi: r.ci[1],
          column: r.model,
          row: c,
        });
      }
    }
    if (points.length === 0) continue;
    const severities = [...new Set(points.map((p) => p.x))].sort((a, b) => a - b);
    const svg = await renderVegaLite(
      curveChart(points, {
        description: `${m} per ${attrSet} group against corruption severity, per model and corruption`,
        xTitle: 'severity (0 = clean)',
        valueTitle: valueTitle(m),
        seriesTitle: attrSet,
        columnOrder: seriesOf(rs),
        interval: 'whiskers',
        xTicks: severities,
        zero: false,
        width: 260,
        height: 150,
      }),
    );
    parts.push(
      chartBlock({
        title: `Per group under corruption (${attrSet}${dataset ? `, ${dataset}` : ''})`,
        measures: CHART_TEXT.robustnessGroups.measures,
        read: CHART_TEXT.robustnessGroups.read,
        svg,
        caption: 'Columns are models, rows corruptions; whiskers are 95% intervals (dodged per group).',
      }),
    );
  }

  // Per group under natural shifts, and anything else: dot-and-whisker per group.
  const rest = take(() => true);
  for (const [key, rs] of groupBy(rest, (r) => `${r.dataset ?? ''}|${r.metric}`)) {
    const [dataset, m] = key.split('|');
    const points = rs.map((r) =>
      isOverall(r)
        ? { ...point(r, paramsLabel(r.params) || 'overall'), row: 'overall' }
        : groupPoint(r, paramsLabel(r.params) || m),
    );
    const svg = await renderVegaLite(
      intervalChart(points, {
        description: `${m} per group, per model`,
        valueTitle: valueTitle(m),
        seriesOrder: seriesOf(rs),
        width: 200,
      }),
    );
    parts.push(
      chartBlock({
        title: `${m} per group${dataset ? ` (${dataset})` : ''}`,
        measures: CHART_TEXT.genericGroups.measures,
        read: intervalsRead(rs),
        svg,
      }),
    );
  }

  parts.push(tablesBlock(buildTables(rows, ctx.models)));
  parts.push(await gapsBlock(rows, ctx));
  if (parts.length === 0) parts.push(html`<p>${esc('No robustness rows.')}</p>`);
  return parts.join('\n');
}
