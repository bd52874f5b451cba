/**
 * Quantiles and percentile intervals, computed exactly as numpy.quantile's default ('linear', type 7
 * of Hyndman & Fan) so that intervals can be checked against numpy to the last bit.
 */

/** numpy's `_lerp`: a + (b - a) t, computed from the nearer end for t ≥ 0.5 (monotone, exact at 1). */
function lerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * The q-quantile of ascending data with linear interpolation between order statistics
 * (numpy.quantile(x, q), method 'linear'). NaN for empty data.
 * @param sorted (n) ascending, no NaN
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantileSorted: q must be in [0, 1], got ${q}`);
  const position = (n - 1) * q;
  const lo = Math.floor(position);
  const hi = Math.min(lo + 1, n - 1);
  return lerp(sorted[lo] as number, sorted[hi] as number, position - lo);
}

/** The non-NaN values of `xs` (NaN dropped), ascending. */
export function sortedFinite(xs: ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i] as number;
    if (!Number.isNaN(v)) out.push(v);
  }
  return Float64Array.from(out).sort();
}

/**
 * Percentile interval at `level` (0.95 gives the 2.5% and 97.5% quantiles) of bootstrap values.
 * NaN values (resamples where the statistic is undefined) are left out; [NaN, NaN] when none remain.
 * @param values (B) bootstrap replicates
 */
export function percentileInterval(values: ArrayLike<number>, level: number): [number, number] {
  if (!(level > 0 && level < 1))
    throw new RangeError(`percentileInterval: level must be in (0, 1), got ${level}`);
  const sorted = sortedFinite(values);
  // toPrecision drops the rounding error of 1 - level, so 0.95 gives exactly 0.025 and 0.975.
  const alpha = Number(((1 - level) / 2).toPrecision(12));
  return [quantileSorted(sorted, alpha), quantileSorted(sorted, 1 - alpha)];
}
