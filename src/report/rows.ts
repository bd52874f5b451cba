/**
 * Selecting and ordering result rows for display. Order is always first appearance in results.json
 * (evaluators write groups in their natural order: income low → high, age buckets ascending), so the
 * report is deterministic and never re-sorts a meaningful order alphabetically.
 */
import type { ResultsFile } from '../core/results.js';
import type { ResultRow } from '../core/types.js';

/**
 * What a row holds, in the report's words, read from the row's kind (src/core/types.ts ResultRow):
 * - 'value': a metric for a group (or overall, group {});
 * - 'gap': a difference between groups (kind 'difference': group {attr: '*'}, params.method
 *   'betweenGroups' = largest − smallest, 'toOverall' = largest |group − overall|);
 * - 'ratio': smallest ÷ largest (or the smallest group/overall ratio);
 * - 'comparison': a bootstrap test of group − params.versus with p-values (params.pValue,
 *   params.pHolm: Holm-adjusted within its family).
 */
export type RowKind = 'value' | 'gap' | 'ratio' | 'comparison';

const REPORT_KINDS: Readonly<Record<ResultRow['kind'], RowKind>> = {
  value: 'value',
  difference: 'gap',
  ratio: 'ratio',
  comparison: 'comparison',
};

export function rowKind(row: Pick<ResultRow, 'kind'>): RowKind {
  return REPORT_KINDS[row.kind];
}

/** Metric-name suffixes of gap, ratio and test rows ('hit_rate.difference'; '_gap' in version-1 files). */
const KIND_SUFFIXES = ['.comparison', '.difference', '.ratio', '_gap'];

/** The metric a gap, ratio or comparison row is about: 'hit_rate.difference' -> 'hit_rate'. */
export function baseMetric(metric: string): string {
  for (const suffix of KIND_SUFFIXES) {
    if (metric.endsWith(suffix) && metric.length > suffix.length) return metric.slice(0, -suffix.length);
  }
  return metric;
}

/** Gap rows compare groups (kind 'difference'). */
export function isGapRow(row: Pick<ResultRow, 'kind'>): boolean {
  return rowKind(row) === 'gap';
}

/** Rows that hold a metric's value for a group (not a gap, ratio or test between groups). */
export function isValueRow(row: Pick<ResultRow, 'kind'>): boolean {
  return rowKind(row) === 'value';
}

/**
 * The attribute (set) a gap or ratio row compares: params.attribute when present, else the group's
 * keys whose value is '*' ('gender × skintone'); '' when neither says.
 */
export function gapAttribute(row: ResultRow): string {
  if (row.params.attribute !== undefined && row.metric.endsWith('_gap')) {
    return String(row.params.attribute);
  }
  const starred = Object.keys(row.group).filter((k) => row.group[k] === '*');
  if (starred.length > 0) return starred.join(' × ');
  return row.params.attribute === undefined ? '' : String(row.params.attribute);
}

export function isOverall(row: ResultRow): boolean {
  return Object.keys(row.group).length === 0;
}

/** Distinct values of `key(x)` in first-appearance order. */
export function distinct<T>(xs: readonly T[], key: (x: T) => string): string[] {
  const seen = new Set<string>();
  for (const x of xs) seen.add(key(x));
  return [...seen];
}

/** Rows grouped by `key`, groups in first-appearance order. */
export function groupBy<T>(xs: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = out.get(k);
    if (list) list.push(x);
    else out.set(k, [x]);
  }
  return out;
}

/** Model ids in the order of results.models, then any others in row order. */
export function modelOrder(results: ResultsFile): string[] {
  const ids = Object.keys(results.models);
  for (const m of distinct(results.rows, (r) => r.model)) if (!ids.includes(m)) ids.push(m);
  return ids;
}

/** Indicators present, in a fixed reading order (the paper's), then any others in row order. */
export const INDICATOR_ORDER = [
  'label-association',
  'geographic',
  'retrieval',
  'robustness',
  'curation',
  'probe',
];

export function indicatorsPresent(rows: readonly ResultRow[]): string[] {
  const present = distinct(rows, (r) => r.indicator);
  return [
    ...INDICATOR_ORDER.filter((i) => present.includes(i)),
    ...present.filter((i) => !INDICATOR_ORDER.includes(i)),
  ];
}

/**
 * The threshold used for headline figures: 0.1 (the paper's, protocols.md 3.3) when present, else
 * the smallest tau in the rows; undefined when the rows have no tau.
 */
export function headlineTau(rows: readonly ResultRow[]): number | undefined {
  const taus = [...new Set(rows.map((r) => r.params.tau).filter((t): t is number => typeof t === 'number'))];
  if (taus.length === 0) return undefined;
  return taus.includes(0.1) ? 0.1 : Math.min(...taus);
}

/**
 * The K values of headline retrieval figures: 10 and 50 (protocols.md 5.3) where present, else every K
 * in the rows (ascending).
 */
export function headlineKs(rows: readonly ResultRow[]): number[] {
  const ks = [...new Set(rows.map((r) => r.params.k).filter((k): k is number => typeof k === 'number'))].sort(
    (a, b) => a - b,
  );
  const main = ks.filter((k) => k === 10 || k === 50);
  return main.length > 0 ? main : ks;
}

/**
 * Parameters with one value across all the rows that have them, and present in every value row
 * (e.g. topK=5, taxonomy): stated once per section instead of in every caption. Test parameters
 * (pValue, pHolm, versus, test) and unit are never listed.
 */
export function constantParams(rows: readonly ResultRow[]): [string, string][] {
  const values = rows.filter(isValueRow);
  if (values.length === 0) return [];
  const skip = new Set(['pValue', 'pHolm', 'versus', 'test', 'unit', 'method']);
  const out: [string, string][] = [];
  for (const k of Object.keys(values[0].params)) {
    if (skip.has(k)) continue;
    const v = values[0].params[k];
    if (
      values.every((r) => r.params[k] === v) &&
      rows.every((r) => r.params[k] === undefined || r.params[k] === v)
    ) {
      out.push([k, String(v)]);
    }
  }
  return out;
}
