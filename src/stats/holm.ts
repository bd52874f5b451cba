/**
 * Multiple comparisons: Holm's step-down adjustment (Holm 1979, "A simple sequentially rejective
 * multiple test procedure") and a two-sided bootstrap p-value for a difference.
 */

/**
 * Holm-adjusted p-values, in the input order: sort ascending, multiply the i-th smallest (1-based) by
 * m - i + 1, take the running maximum and cap at 1. NaN entries are not part of the family and stay NaN.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const order = pValues
    .map((p, i) => ({ p, i }))
    .filter((e) => !Number.isNaN(e.p))
    .sort((a, b) => a.p - b.p || a.i - b.i);
  const m = order.length;
  const adjusted = pValues.map(() => Number.NaN);
  let running = 0;
  order.forEach((e, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * e.p));
    adjusted[e.i] = running;
  });
  return adjusted;
}

/**
 * Two-sided p-value of "difference = 0" from bootstrap replicates of the difference, by inverting
 * the percentile interval: twice the smaller tail share at 0, with the +1 correction of Davison &
 * Hinkley (1997, §4.4) so that a finite bootstrap never gives 0:
 *   p = min(1, 2·min(1 + #{d* ≤ 0}, 1 + #{d* ≥ 0}) / (B + 1)).
 * NaN replicates are left out; NaN when none remain.
 * @param replicates (B) bootstrap values of the difference
 */
export function bootstrapPValue(replicates: ArrayLike<number>): number {
  let valid = 0;
  let atOrBelow = 0;
  let atOrAbove = 0;
  for (let i = 0; i < replicates.length; i++) {
    const d = replicates[i] as number;
    if (Number.isNaN(d)) continue;
    valid++;
    if (d <= 0) atOrBelow++;
    if (d >= 0) atOrAbove++;
  }
  if (valid === 0) return Number.NaN;
  return Math.min(1, (2 * (1 + Math.min(atOrBelow, atOrAbove))) / (valid + 1));
}
