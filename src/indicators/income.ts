/**
 * Dollar Street income buckets (protocols.md 4.1, 9.8): INCOME_BUCKETS[round(ln(income) / 3)] with
 * numpy's round-half-to-even; the bucket names are data (data/taxonomies/dollar-street-income.json).
 */
import incomeData from '../../data/taxonomies/dollar-street-income.json' with { type: 'json' };

/** Group value of an income with no bucket. */
export const OUT_OF_RANGE = 'out-of-range';

/** Bucket index -> name ({1: low, 2: medium, 3: high}), from the data file. */
const INCOME_BUCKETS: Readonly<Record<string, string>> = Object.freeze({ ...incomeData.buckets });

/** numpy.round: nearest integer, halves to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The bucket of a monthly income in dollars, or OUT_OF_RANGE. */
export function incomeBucket(income: number): string {
  if (!(income > 0) || !Number.isFinite(income)) return OUT_OF_RANGE;
  return INCOME_BUCKETS[String(roundHalfEven(Math.log(income) / 3))] ?? OUT_OF_RANGE;
}
