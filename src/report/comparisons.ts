/**
 * Bootstrap tests between groups (`<metric>.comparison` rows, src/stats/metric-frame.ts): a group's
 * value minus another group's (params.versus) or the rest's, with a two-sided p-value and its
 * Holm adjustment within the family (one metric, parameter setting and attribute). The report lists
 * only the tests significant after Holm, never all of them (a real audit has thousands).
 */
import type { ResultRow } from '../core/types.js';
import { groupLabel, paramsLabel } from './format.js';
import { baseMetric, rowKind } from './rows.js';
import { DESCRIPTIVE_PARAMS } from './tables.js';
import { rowUnit, type Unit } from './units.js';

/** Significance level for the Holm-adjusted p-values. */
export const ALPHA = 0.05;

export interface TestedComparison {
  model: string;
  metric: string;
  dataset: string;
  /** Parameters other than the test's own ('tau=0.1, association=Human'). */
  params: string;
  /** Attribute(s) of the compared groups ('gender', 'gender × skintone'). */
  attribute: string;
  /** 'female' and 'male', or 'female' and 'rest'. */
  group: string;
  versus: string;
  value: number;
  ci: [number, number];
  unit: Unit;
  pValue: number;
  pHolm: number;
  warnings: string[];
  row: ResultRow;
}

export interface ComparisonSummary {
  /** Comparison rows among the rows given. */
  tested: number;
  /** Those with pHolm < ALPHA, most significant first (focused rows before the others). */
  significant: TestedComparison[];
  /** Smallest Holm-adjusted p-value (NaN without tests). */
  minPHolm: number;
}

const TEST_PARAMS = ['test', 'versus', 'pValue', 'pHolm', 'unit', ...DESCRIPTIVE_PARAMS];

/** 'gender=female,skintone=darker' (metric-frame's canonical text) -> 'female × darker'. */
export function versusLabel(versus: string): string {
  if (versus === 'rest') return 'rest';
  return versus
    .split(',')
    .map((part) => (part.includes('=') ? part.slice(part.indexOf('=') + 1) : part))
    .join(' × ');
}

function toTested(r: ResultRow, omitParams: readonly string[]): TestedComparison {
  return {
    model: r.model,
    metric: baseMetric(r.metric),
    dataset: r.dataset ?? '',
    params: paramsLabel(r.params, [...TEST_PARAMS, ...omitParams]),
    attribute: Object.keys(r.group).join(' × '),
    group: groupLabel(r.group),
    versus: versusLabel(String(r.params.versus ?? 'rest')),
    value: r.value,
    ci: r.ci,
    unit: rowUnit(r),
    pValue: Number(r.params.pValue),
    pHolm: Number(r.params.pHolm),
    warnings: r.warnings,
    row: r,
  };
}

/**
 * The comparison rows among `rows` and those significant after Holm.
 * @param focus rows listed first (e.g. the headline threshold); ties by pHolm, then |difference|
 *   (largest first), then row order.
 */
export function summarizeComparisons(
  rows: readonly ResultRow[],
  focus: (r: ResultRow) => boolean = () => true,
  omitParams: readonly string[] = [],
): ComparisonSummary {
  const tests = rows.filter((r) => rowKind(r) === 'comparison');
  let minPHolm = Number.NaN;
  for (const r of tests) {
    const p = Number(r.params.pHolm);
    if (Number.isFinite(p) && !(p >= minPHolm)) minPHolm = p;
  }
  const significant = tests
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => Number(r.params.pHolm) < ALPHA)
    .sort(
      (a, b) =>
        Number(focus(b.r)) - Number(focus(a.r)) ||
        Number(a.r.params.pHolm) - Number(b.r.params.pHolm) ||
        Math.abs(b.r.value) - Math.abs(a.r.value) ||
        a.i - b.i,
    )
    .map(({ r }) => toTested(r, omitParams));
  return { tested: tests.length, significant, minPHolm };
}
