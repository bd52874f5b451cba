/**
 * numpy's rounding of a float64 to some decimals, `np.round(x, d)` (what Python's `round()` does on
 * the np.float64 scores vissl's scripts read): rint(x · 10^d) / 10^d with the multiplication and
 * division in float64 and rint rounding halves to even. vissl rounds Dollar Street confidences to 5
 * decimals before its threshold test (`str(round(p, 5))`, then `float(c) > t`; protocols.md 4.1).
 */
import { roundHalfEven } from './income.js';

/** Decimals vissl keeps of a confidence score (`round(confidence, 5)`). */
export const VISSL_SCORE_DECIMALS = 5;

/** `np.round(x, decimals)` for finite x ≥ 0 and decimals ≥ 0. */
export function numpyRound(x: number, decimals: number): number {
  const scale = 10 ** decimals;
  return roundHalfEven(x * scale) / scale;
}
