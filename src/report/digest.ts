/**
 * The headline of one indicator as data, for summary.md and the model card (the HTML report draws
 * the same selection with charts): the main metric at the protocol's headline parameters (τ = 0.1
 * for label association, K = 10 and 50 for retrieval) as models-as-rows tables, its gaps, the
 * comparisons significant after Holm and, for label association, the largest per-class disparities.
 * Everything else is counted, not shown: a real audit has tens of thousands of rows.
 */
import type { ResultRow } from '../core/types.js';
import { type ComparisonSummary, summarizeComparisons } from './comparisons.js';
import { baseMetric, constantParams, headlineKs, headlineTau, isValueRow, rowKind } from './rows.js';
import { asStatistic, type GroupDisparities, SECONDARY_RATES, topDisparities } from './secondary.js';
import { robustnessGaps, robustnessTables } from './sections/robustness.js';
import { buildTables, type GapEntry, gapEntries, type MetricTable } from './tables.js';

/** Main metric of each indicator (the first value metric for others). */
const MAIN_METRIC: Record<string, string> = {
  'label-association': 'hit_rate',
  geographic: 'hit_rate',
  retrieval: 'precision_at_k',
};

export interface IndicatorDigest {
  indicator: string;
  /** Sentences on what is shown ('Headline threshold τ = 0.1; also computed: 0, 0.3.'). */
  scope: string[];
  /** Parameters shared by every row, stated once. */
  fixed: [string, string][];
  tables: MetricTable[];
  gaps: GapEntry[];
  /** Gap parameters shown in their own columns. */
  gapColumns: string[];
  comparisons: ComparisonSummary & { focusText?: string; focusTested: number; focusSignificant: number };
  disparities: GroupDisparities[];
  /** Disparate-label rate and confidences per group (label association). */
  secondaryTables: MetricTable[];
  /** Per metric: rows of the indicator and how many the digest shows. */
  coverage: { metric: string; rows: number; shown: number }[];
}

/**
 * @param models model order of the tables (a model card passes its one model).
 */
export function indicatorDigest(
  indicator: string,
  allRows: readonly ResultRow[],
  models: readonly string[],
): IndicatorDigest {
  const rows = allRows.filter((r) => r.indicator === indicator && models.includes(r.model));
  const fixed = constantParams(rows);
  const omitParams = fixed.map(([k]) => k);
  const values = rows.filter(isValueRow);
  const main = MAIN_METRIC[indicator] ?? values[0]?.metric ?? '';
  const mainValues = values.filter((r) => r.metric === main);
  const scope: string[] = [];
  let focus: (r: ResultRow) => boolean = () => true;
  let focusText: string | undefined;
  let tables: MetricTable[];
  let gaps: GapEntry[];
  let gapColumns: string[] = [];
  let disparities: GroupDisparities[] = [];
  let secondaryTables: MetricTable[] = [];
  let comparisonRows = rows.filter((r) => rowKind(r) === 'comparison');

  if (indicator === 'label-association' || indicator === 'retrieval') {
    let at: (r: { params: ResultRow['params'] }) => boolean;
    if (indicator === 'label-association') {
      const tau = headlineTau(mainValues);
      const others = [...new Set(mainValues.map((r) => r.params.tau))].filter((t) => t !== tau);
      at = (r) => tau === undefined || r.params.tau === undefined || r.params.tau === tau;
      if (tau !== undefined) {
        scope.push(
          `Headline threshold τ = ${tau} (protocols.md 3.3)${others.length > 0 ? `; also computed at τ = ${others.join(', ')} (in results.json)` : ''}.`,
        );
        focusText = `at τ = ${tau}`;
        const secondary = values.filter((r) => r.params.tau === tau);
        disparities = topDisparities(
          secondary.filter((r) => r.metric === 'prediction_rate_disparity'),
          models,
        );
        const rates = secondary.filter((r) => SECONDARY_RATES.includes(r.metric));
        secondaryTables = buildTables(rates.map(asStatistic), models, { rowParams: ['statistic'] });
      }
    } else {
      const ks = headlineKs(mainValues);
      const others = [...new Set(mainValues.map((r) => r.params.k))].filter((k) => !ks.includes(k as number));
      at = (r) => r.params.k === undefined || ks.includes(r.params.k as number);
      scope.push(
        `Headline K = ${ks.join(' and ')} (protocols.md 5.3)${others.length > 0 ? `; also computed at K = ${others.join(', ')} (in results.json)` : ''}.`,
      );
      focusText = `at K = ${ks.join(' and ')}`;
    }
    const headline = mainValues.filter(at);
    tables = buildTables(headline, models, { omitParams });
    gaps = gapEntries(
      rows.filter((r) => baseMetric(r.metric) === main && at(r)),
      models,
      indicator === 'label-association' ? [...omitParams, 'tau'] : omitParams,
    );
    comparisonRows = comparisonRows.filter((r) => baseMetric(r.metric) === main);
    focus = at;
    gapColumns = indicator === 'label-association' ? ['association'] : ['k'];
  } else if (indicator === 'robustness') {
    tables = robustnessTables(rows, models).open;
    gaps = robustnessGaps(rows, models).headline;
    gapColumns = ['condition'];
  } else {
    tables = buildTables(mainValues.length > 0 && indicator === 'geographic' ? mainValues : values, models, {
      omitParams,
    });
    gaps = gapEntries(
      indicator === 'geographic' ? rows.filter((r) => baseMetric(r.metric) === main) : rows,
      models,
      omitParams,
    );
    if (indicator === 'geographic') {
      focus = (r) => baseMetric(r.metric) === main;
      focusText = `for ${main}`;
    }
  }
  const comparisons = summarizeComparisons(comparisonRows, focus, omitParams);
  // A row is shown when its interval array is: tables, gaps and disparities keep the row's own `ci`.
  const shownCis = new Set<readonly number[]>(
    [
      ...tables.flatMap((t) => t.rows.flatMap((row) => row.cells.map((c) => c?.ci))),
      ...secondaryTables.flatMap((t) => t.rows.flatMap((row) => row.cells.map((c) => c?.ci))),
      ...gaps.flatMap((g) => [g.between, g.ratio, g.toOverall, g.toOverallRatio].map((x) => x?.ci)),
      ...disparities.flatMap((g) => [...g.byModel.values()].flat().map((d) => d.ci)),
      ...comparisons.significant.map((t) => t.row.ci),
    ].filter((ci): ci is [number, number] => ci !== undefined),
  );
  const focusTested = comparisonRows.filter(focus).length;
  const focusSignificant = comparisons.significant.filter((t) => focus(t.row)).length;

  const counts = new Map<string, { rows: number; shown: number }>();
  for (const r of rows) {
    const c = counts.get(r.metric) ?? { rows: 0, shown: 0 };
    c.rows++;
    if (shownCis.has(r.ci)) c.shown++;
    counts.set(r.metric, c);
  }
  return {
    indicator,
    scope,
    fixed,
    tables,
    gaps,
    gapColumns,
    comparisons: { ...comparisons, focusText, focusTested, focusSignificant },
    disparities,
    secondaryTables,
    coverage: [...counts].map(([metric, c]) => ({ metric, ...c })),
  };
}
