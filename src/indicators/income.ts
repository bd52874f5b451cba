/**
 * Dollar Street income buckets (protocols.md 4.1, 9.8): INCOME_BUCKETS[round(ln(income) / 3)] with
 * numpy's round-half-to-even; the bucket names are data (data/taxonomies/dollar-street-income.json).
 */
import { readFileSync } from 'node:fs';
import { builtinTaxonomyPath } from './taxonomy.js';

/** Group value of an income with no bucket. */
export const OUT_OF_RANGE = 'out-of-range';

let buckets: Record<string, string> | undefined;

function incomeBuckets(): Record<string, string> {
  buckets ??= (
    JSON.parse(readFileSync(builtinTaxonomyPath('dollar-street-income'), 'utf8')) as {
      buckets: Record<string, string>;
    }
  ).buckets;
  return buckets;
}

/** numpy.round: nearest integer, halves to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The bucket of a monthly income in dollars, or OUT_OF_RANGE. */
export function incomeBucket(income: number): string {
  if (!(income > 0) || !Number.isFinite(income)) return OUT_OF_RANGE;
  return incomeBuckets()[String(roundHalfEven(Math.log(income) / 3))] ?? OUT_OF_RANGE;
}
