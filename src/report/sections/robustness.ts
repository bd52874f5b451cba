/**
 * Robustness: accuracy under natural shifts (whole population and per group), the accuracy drop from
 * in-distribution per group, accuracy against corruption severity (whole population and per group),
 * corruption errors and mCE, effective robustness, and the gaps between groups. Rows are recognised
 * by their params (shift, corruption, severity, set); anything else is charted per metric. Per-group
 * tables put models × conditions as rows and groups as columns, one table per attribute set.
 */
import type { ResultRow } from '../../core/types.js';
import { type CurvePoint, curveChart, type IntervalPoint, intervalChart } from '../charts.js';
import { attributeSetLabel, groupLabel, paramsLabel } from '../format.js';
import { chartBlock, esc, html } from '../html.js';
import { groupBy, isOverall, isValueRow } from '../rows.js';
import { buildTables, type GapEntry, gapEntries, type MetricTable } from '../tables.js';
import { CHART_TEXT, intervalsRead, metricTitle } from '../texts.js';
import { commonUnit, withUnit } from '../units.js';
import { renderVegaLite } from '../vega.js';
import { isSmallSample } from '../warnings.js';
import { gapsBlock, groupPoint, rowsNote, type SectionContext, seriesOf, tablesBlock } from './common.js';

/** Corruption names that mean "no corruption" (the clean reference at severity 0). */
const CLEAN = new Set(['none', 'clean']);

const hasSeverity = (r: ResultRow) => 'corruption' in r.params && typeof r.params.severity === 'number';

/**
 * Datasets that are the clean reference of a corruption sweep: rows of corrupted copies carry their
 * clean set's name and the corruption in their parameters.
 */
function cleanDatasets(rows: readonly ResultRow[]): Set<string> {
  const corrupted = new Set(rows.filter(hasSeverity).map((r) => r.dataset ?? ''));
  const out = new Set<string>();
  for (const r of rows) {
    if (r.params.shift === 'none' && r.dataset !== undefined && corrupted.has(r.dataset)) out.add(r.dataset);
  }
  return out;
}

/** Row kinds of the section. */
function classify(rows: readonly ResultRow[]) {
  const clean = cleanDatasets(rows);
  const isCleanRef = (r: ResultRow) =>
    (r.params.shift === 'none' && clean.has(r.dataset ?? '')) ||
    CLEAN.has(String(r.params.corruption)) ||
    r.params.severity === 0;
  const isShift = (r: ResultRow) => 'shift' in r.params && !isCleanRef(r) && !('reference' in r.params);
  return { isCleanRef, isShift };
}

/** Text of a row's condition: 'twitter (shift)', 'category-test-google (in-distribution)', 'contrast 3'. */
function conditionOf(r: ResultRow, isCleanRef: (r: ResultRow) => boolean): string {
  if (isCleanRef(r)) return 'clean';
  if (r.params.shift !== undefined) {
    return r.params.shift === 'none'
      ? `${r.dataset ?? 'in-distribution'} (in-distribution)`
      : String(r.params.shift);
  }
  if (r.params.corruption !== undefined) {
    return r.params.severity === 'all' || r.params.severity === undefined
      ? `${r.params.corruption} (all severities)`
      : `${r.params.corruption} ${r.params.severity}`;
  }
  if (r.params.set !== undefined) return String(r.params.set);
  return paramsLabel(r.params) || r.dataset || r.metric;
}

/** Rows relabelled so one table per attribute set holds every condition: rows are models × conditions. */
function byCondition(rows: readonly ResultRow[], isCleanRef: (r: ResultRow) => boolean): ResultRow[] {
  return rows.map((r) => {
    const { dataset: _dataset, ...rest } = r;
    // A display row: its kind is kept, its params are the table's labels.
    return {
      ...rest,
      params: { condition: conditionOf(r, isCleanRef), ...(r.params.unit ? { unit: r.params.unit } : {}) },
    } as ResultRow;
  });
}

function conditionTables(
  rows: readonly ResultRow[],
  ctx: SectionContext,
  isCleanRef: (r: ResultRow) => boolean,
): MetricTable[] {
  return buildTables(byCondition(rows, isCleanRef), ctx.models, { rowParams: ['condition'] });
}

function point(r: ResultRow, category: string): IntervalPoint {
  return {
    category,
    series: r.model,
    value: r.value,
    lo: r.ci[0],
    hi: r.ci[1],
    small: isSmallSample(r.warnings),
  };
}

/**
 * The robustness tables: open = top-1 under natural shifts (models × shifts, then per attribute set
 * with models × conditions as rows) and mCE per group; folded = everything else (top-5, accuracy drop,
 * corruptions per severity, corruption errors, effective robustness, other metrics).
 */
export function robustnessTables(
  rows: readonly ResultRow[],
  models: readonly string[],
): { open: MetricTable[]; folded: MetricTable[] } {
  const values = rows.filter(isValueRow);
  const { isCleanRef, isShift } = classify(values);
  const ctx = { models: [...models] };
  const shiftTop1 = values.filter((r) => isShift(r) && r.metric === 'top1');
  const mce = values.filter((r) => r.metric === 'mce');
  const open = [
    ...buildTables(shiftTop1.filter(isOverall), models),
    ...(shiftTop1.some((r) => !isOverall(r)) ? conditionTables(shiftTop1, ctx, isCleanRef) : []),
    ...(mce.some((r) => !isOverall(r)) ? conditionTables(mce, ctx, isCleanRef) : []),
  ];
  const shown = new Set([...shiftTop1, ...mce]);
  const rest = values.filter((r) => !shown.has(r));
  const folded: MetricTable[] = [];
  for (const [, rs] of groupBy(rest, (r) => r.metric)) folded.push(...conditionTables(rs, ctx, isCleanRef));
  return { open, folded };
}

/** Headline gaps (top-1 under shifts, accuracy drop at top-1, mCE) and the rest, with the condition as their params. */
export function robustnessGaps(
  rows: readonly ResultRow[],
  models: readonly string[],
): { headline: GapEntry[]; rest: GapEntry[] } {
  const gaps = gapEntries(rows, models, ['normalization', 'severities', 'aggregation']).map((g) => {
    const condition = gapCondition(g);
    return { ...g, params: condition, rawParams: { ...g.rawParams, condition }, shownParams: ['condition'] };
  });
  // Top-1 under natural shifts (and on the clean set), the top-1 accuracy drop and mCE; top-1 per
  // corruption severity is drawn per group in the curves.
  const isHeadline = (g: GapEntry) =>
    (g.metric === 'top1' && typeof g.rawParams.severity !== 'number') ||
    (g.metric === 'accuracy_drop' && (g.rawParams.k === undefined || g.rawParams.k === 1)) ||
    g.metric === 'mce';
  return { headline: gaps.filter(isHeadline), rest: gaps.filter((g) => !isHeadline(g)) };
}

function gapCondition(g: GapEntry): string {
  const p = g.rawParams;
  const k = p.k !== undefined && g.metric === 'accuracy_drop' ? ` (top-${p.k})` : '';
  if (p.shift !== undefined)
    return `${p.shift === 'none' ? `${g.dataset} (in-distribution)` : String(p.shift)}${k}`;
  if (p.corruption !== undefined)
    return p.severity === 'all' ? String(p.corruption) : `${p.corruption} ${p.severity}`;
  return String(p.set ?? g.dataset);
}

export async function robustnessSection(rows: ResultRow[], ctx: SectionContext): Promise<string> {
  const parts: string[] = [];
  const values = rows.filter(isValueRow);
  const { isCleanRef, isShift } = classify(values);
  const used = new Set<ResultRow>();
  const take = (pred: (r: ResultRow) => boolean) => {
    const out = values.filter((r) => !used.has(r) && pred(r));
    for (const r of out) used.add(r);
    return out;
  };

  // Natural shifts: accuracy per shift (whole population), then per group.
  const shiftRows = take((r) => isShift(r) && (r.metric === 'top1' || r.metric === 'top5'));
  const shiftOverall = shiftRows.filter(isOverall);
  if (shiftOverall.length > 0) {
    const unit = commonUnit(shiftOverall);
    const svg = await renderVegaLite(
      intervalChart(
        shiftOverall.map((r) => ({ ...point(r, conditionOf(r, isCleanRef)), column: metricTitle(r.metric) })),
        {
          description: 'Accuracy per distribution shift, per model, with 95% intervals',
          valueTitle: withUnit('accuracy', unit),
          seriesOrder: seriesOf(ctx, shiftOverall),
          width: 240,
        },
      ),
    );
    parts.push(
      chartBlock({
        title: 'Accuracy under natural distribution shifts',
        measures: CHART_TEXT.naturalShift.measures,
        read: intervalsRead(shiftOverall, CHART_TEXT.naturalShift.read),
        svg,
        caption: 'One panel per accuracy (top-1, top-5); the in-distribution set first.',
      }),
    );
  }
  const shiftGroups = shiftRows.filter((r) => !isOverall(r) && r.metric === 'top1');
  if (shiftGroups.length > 0) {
    parts.push(
      await perGroupChart(shiftGroups, ctx, isCleanRef, {
        title: 'Top-1 accuracy per group under natural shifts',
        measures: 'Top-1 accuracy of each group on the in-distribution set and on each shifted set.',
        read: 'Higher is better. A group that falls further than the others under a shift is one the model’s robustness leaves behind.',
      }),
    );
  }

  // Accuracy drop from in-distribution per group (top-1 headline; other k folded).
  const drops = take((r) => r.metric === 'accuracy_drop');
  if (drops.length > 0) {
    const head = drops.filter((r) => r.params.k === undefined || r.params.k === 1);
    parts.push(
      await perGroupChart(head, ctx, isCleanRef, {
        title: 'Accuracy drop from in-distribution, per group',
        measures: `In-distribution accuracy minus accuracy under each shift (top-1${head[0]?.params.reference ? `; reference ${head[0].params.reference}` : ''}), for every group.`,
        read: 'Lower is better; 0 means no loss. Compare groups within a shift: a larger drop for one group is a robustness gap.',
        zeroRule: true,
      }),
    );
  }

  // Corruptions: accuracy against severity, whole population and per group (clean = severity 0).
  const corrTop1 = take(
    (r) => (hasSeverity(r) || isCleanRef(r)) && (r.metric === 'top1' || r.metric === 'top5'),
  );
  const corrTop1Only = corrTop1.filter((r) => r.metric === 'top1');
  if (corrTop1Only.some(hasSeverity)) {
    parts.push(await corruptionCurves(corrTop1Only.filter(isOverall), ctx, isCleanRef));
    for (const [attrSet, setRows] of groupBy(
      corrTop1Only.filter((r) => !isOverall(r)),
      (r) => attributeSetLabel(r.group),
    )) {
      parts.push(await groupCorruptionCurves(setRows, attrSet, ctx, isCleanRef));
    }
  }

  // Corruption error (summed over severities) and mCE.
  const ceRows = take(
    (r) =>
      (r.metric === 'corruption_error' && (r.params.severity === 'all' || !hasSeverity(r))) ||
      r.metric === 'mce' ||
      r.metric === 'relative_mce',
  );
  take((r) => r.metric === 'corruption_error'); // per severity: 1 − top-1, already drawn above
  if (ceRows.length > 0) parts.push(await corruptionErrorChart(ceRows, ctx));
  const mceGroups = ceRows.filter((r) => r.metric === 'mce' && !isOverall(r));
  if (mceGroups.length > 0) {
    parts.push(
      await perGroupChart(
        ceRows.filter((r) => r.metric === 'mce' || r.metric === 'relative_mce'),
        ctx,
        isCleanRef,
        {
          title: 'mCE per group',
          measures:
            'Mean corruption error of each group (and relative mCE, the error added by corruptions), lower is better.',
          read: 'A group with a higher mCE loses more accuracy to corruptions than the others.',
          byMetric: true,
        },
      ),
    );
  }

  // Effective robustness, whole population.
  const er = take((r) => r.metric === 'effective_robustness');
  if (er.length > 0) {
    const erOverall = er.filter(isOverall);
    const svg = await renderVegaLite(
      intervalChart(
        (erOverall.length > 0 ? erOverall : er).map((r) =>
          isOverall(r) ? point(r, conditionOf(r, isCleanRef)) : groupPoint(r, conditionOf(r, isCleanRef)),
        ),
        {
          description: 'Effective robustness per distribution shift, per model',
          valueTitle: withUnit('effective robustness', commonUnit(er)),
          seriesOrder: seriesOf(ctx, er),
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

  // Anything else: a dot-and-whisker chart per metric.
  for (const [m, rs] of groupBy(
    take(() => true),
    (r) => r.metric,
  )) {
    const points = rs.map((r) =>
      isOverall(r)
        ? { ...point(r, conditionOf(r, isCleanRef)), row: 'overall' }
        : groupPoint(r, conditionOf(r, isCleanRef)),
    );
    const svg = await renderVegaLite(
      intervalChart(points, {
        description: `${m} per group, per model`,
        valueTitle: withUnit(metricTitle(m), commonUnit(rs)),
        seriesOrder: seriesOf(ctx, rs),
        width: 200,
      }),
    );
    parts.push(
      chartBlock({
        title: `${metricTitle(m)} per group`,
        measures: CHART_TEXT.genericGroups.measures,
        read: intervalsRead(rs),
        svg,
      }),
    );
  }

  const tables = robustnessTables(rows, ctx.models);
  parts.push(tablesBlock(tables.open, 'More robustness tables', tables.folded));

  // Gaps: top-1 (shifts and corruptions), accuracy drop (top-1) and mCE first; the rest folded.
  const gaps = robustnessGaps(rows, ctx.models);
  parts.push(
    await gapsBlock(gaps.headline, ctx, {
      title: 'Gaps between groups',
      paramColumns: ['condition'],
      label: (g) => `${g.params} · ${g.attribute}`,
      row: (g) => metricTitle(g.metric),
      independentRows: true,
      folded: gaps.rest,
      foldedSummary:
        'Gaps of the other robustness metrics (top-1 per corruption severity, top-5, corruption error, relative mCE, …)',
    }),
  );
  parts.push(
    rowsNote('robustness', rows, {
      top1: 'charts; tables per attribute set',
      top5: 'shift chart; folded tables',
      accuracy_drop: 'chart (top-1); folded tables',
      corruption_error: 'chart (summed over severities); per severity it is 1 − top-1, drawn in the curves',
      mce: 'charts; folded tables',
      relative_mce: 'chart; folded tables',
      effective_robustness: 'chart; folded tables',
      '*.gap': 'gap chart and tables',
    }),
  );
  if (parts.length === 0) parts.push(html`<p>${esc('No robustness rows.')}</p>`);
  return parts.join('\n');
}

/** Per-group dot-and-whisker chart, a panel per condition (or per metric), rows attribute sets. */
async function perGroupChart(
  rows: ResultRow[],
  ctx: SectionContext,
  isCleanRef: (r: ResultRow) => boolean,
  text: { title: string; measures: string; read: string; zeroRule?: boolean; byMetric?: boolean },
): Promise<string> {
  const points = rows.map((r) =>
    groupPoint(r, text.byMetric ? metricTitle(r.metric) : conditionOf(r, isCleanRef)),
  );
  const metrics = [...new Set(rows.map((r) => r.metric))];
  const svg = await renderVegaLite(
    intervalChart(points, {
      description: `${text.title}, per model, with 95% intervals`,
      valueTitle: metrics.length === 1 ? withUnit(metricTitle(metrics[0]), commonUnit(rows)) : '',
      seriesOrder: seriesOf(ctx, rows),
      zeroRule: text.zeroRule,
      independentValueAxis: text.byMetric,
      width: 170,
    }),
  );
  return chartBlock({
    title: text.title,
    measures: text.measures,
    read: intervalsRead(rows, text.read),
    svg,
    caption: text.byMetric
      ? 'One panel per metric; rows are attribute sets.'
      : 'One panel per condition; rows are attribute sets.',
  });
}

/** Accuracy against severity for the whole population: a panel per corruption, a line per model. */
async function corruptionCurves(
  rows: ResultRow[],
  ctx: SectionContext,
  isCleanRef: (r: ResultRow) => boolean,
): Promise<string> {
  const clean = rows.filter(isCleanRef);
  const corruptions = [
    ...new Set(
      rows
        .filter(hasSeverity)
        .filter((r) => !isCleanRef(r))
        .map((r) => String(r.params.corruption)),
    ),
  ];
  const points: CurvePoint[] = [];
  for (const c of corruptions) {
    for (const r of [...clean, ...rows.filter((x) => String(x.params.corruption) === c && !isCleanRef(x))]) {
      points.push({
        x: isCleanRef(r) ? 0 : (r.params.severity as number),
        series: r.model,
        value: r.value,
        lo: r.ci[0],
        hi: r.ci[1],
        column: c,
      });
    }
  }
  if (points.length === 0) return '';
  const severities = [...new Set(points.map((p) => p.x))].sort((a, b) => a - b);
  const svg = await renderVegaLite(
    curveChart(points, {
      description: 'Top-1 accuracy against corruption severity, per corruption and model',
      xTitle: clean.length > 0 ? 'severity (0 = clean)' : 'severity',
      valueTitle: withUnit('top-1 accuracy', commonUnit(rows)),
      seriesTitle: 'model',
      seriesOrder: seriesOf(ctx, rows),
      interval: 'whiskers',
      xTicks: severities,
      columns: 4,
      width: 200,
      height: 140,
    }),
  );
  return chartBlock({
    title: 'Corruptions by severity',
    measures: CHART_TEXT.corruptions.measures,
    read: CHART_TEXT.corruptions.read,
    svg,
  });
}

/** Per group under corruption: a line per group against severity, columns models, rows corruptions. */
async function groupCorruptionCurves(
  rows: ResultRow[],
  attrSet: string,
  ctx: SectionContext,
  isCleanRef: (r: ResultRow) => boolean,
): Promise<string> {
  const clean = rows.filter(isCleanRef);
  const corruptions = [
    ...new Set(rows.filter((r) => !isCleanRef(r)).map((r) => String(r.params.corruption))),
  ];
  const points: CurvePoint[] = [];
  for (const c of corruptions) {
    for (const r of [...clean, ...rows.filter((x) => String(x.params.corruption) === c && !isCleanRef(x))]) {
      points.push({
        x: isCleanRef(r) ? 0 : (r.params.severity as number),
        series: groupLabel(r.group),
        value: r.value,
        lo: r.ci[0],
        hi: r.ci[1],
        column: r.model,
        row: c,
      });
    }
  }
  const severities = [...new Set(points.map((p) => p.x))].sort((a, b) => a - b);
  const svg = await renderVegaLite(
    curveChart(points, {
      description: `Top-1 accuracy per ${attrSet} group against corruption severity, per model and corruption`,
      xTitle: 'severity (0 = clean)',
      valueTitle: withUnit('top-1 accuracy', commonUnit(rows)),
      seriesTitle: attrSet,
      columnOrder: seriesOf(ctx, rows),
      interval: 'whiskers',
      xTicks: severities,
      zero: false,
      width: 260,
      height: 150,
    }),
  );
  return chartBlock({
    title: `Per group under corruption (${attrSet})`,
    measures: CHART_TEXT.robustnessGroups.measures,
    read: CHART_TEXT.robustnessGroups.read,
    svg,
    caption: 'Columns are models, rows corruptions; whiskers are 95% intervals (dodged per group).',
  });
}

/** Corruption error per corruption (summed over severities) and mCE, whole population. */
async function corruptionErrorChart(rows: ResultRow[], ctx: SectionContext): Promise<string> {
  const overall = rows.filter(isOverall);
  if (overall.length === 0) return '';
  const points = overall.map((r) => ({
    ...point(
      r,
      r.metric === 'mce'
        ? 'mCE (mean)'
        : r.metric === 'relative_mce'
          ? 'relative mCE'
          : `${r.params.corruption ?? r.metric}${r.params.normalization && r.params.normalization !== 'none' ? ' (normalised)' : ''}`,
    ),
    column: r.metric === 'relative_mce' ? 'relative mCE' : 'corruption error',
  }));
  const svg = await renderVegaLite(
    intervalChart(points, {
      description: 'Corruption error per corruption and mCE, per model',
      valueTitle: 'error (lower is better)',
      seriesOrder: seriesOf(ctx, overall),
      independentValueAxis: true,
      width: 260,
    }),
  );
  const unnormalised = overall.some((r) => r.params.normalization === 'none');
  return chartBlock({
    title: 'Corruption error and mCE',
    measures: `Corruption error (CE): the top-1 error summed over severities${unnormalised ? ' (unnormalised: no reference model’s errors)' : ', relative to the reference model’s'}; mCE is its mean over corruptions; relative mCE counts only the error added by the corruption.`,
    read: 'Lower is better. Compare models per corruption.',
    svg,
  });
}
