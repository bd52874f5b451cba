/**
 * Selecting and ordering result rows for display. Order is always first appearance in results.json
 * (evaluators write groups in their natural order: income low → high, age buckets ascending), so the
 * report is deterministic and never re-sorts a meaningful order alphabetically.
 */
import type { ResultsFile } from '../core/results.js';
import type { ResultRow } from '../core/types.js';

/** Gap rows compare groups: their metric ends in '_gap' (e.g. 'hit_rate_gap'), their group is {}. */
export function isGapRow(row: ResultRow): boolean {
  return row.metric.endsWith('_gap');
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

/** Every distinct warning text with the rows that carry it, in first-appearance order. */
export function warningsIndex(rows: readonly ResultRow[]): Map<string, ResultRow[]> {
  const out = new Map<string, ResultRow[]>();
  for (const r of rows) {
    for (const w of r.warnings) {
      const list = out.get(w);
      if (list) list.push(r);
      else out.set(w, [r]);
    }
  }
  return out;
}
