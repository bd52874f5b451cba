/** Poisson sampling for shot noise. */
import type { Rng } from '../../core/rng.js';

/** Largest rate the inversion sampler accepts (exp(-lambda) must not underflow). */
export const MAX_POISSON_RATE = 500;

/**
 * One Poisson(lambda) draw by inversion: one uniform, then a walk up the CDF from 0. Exact up to
 * float rounding; costs about lambda steps, fine for shot noise (lambda ≤ 60).
 */
export function poisson(rng: Rng, lambda: number): number {
  if (!(lambda > 0)) return 0;
  if (lambda > MAX_POISSON_RATE) {
    throw new RangeError(`poisson: lambda must be at most ${MAX_POISSON_RATE}, got ${lambda}`);
  }
  const u = rng.next();
  let k = 0;
  let p = Math.exp(-lambda);
  let cdf = p;
  // The bound stops the walk when rounding leaves the CDF just below u far in the tail.
  const limit = lambda + 40 * Math.sqrt(lambda) + 40;
  while (u > cdf && k < limit) {
    k++;
    p *= lambda / k;
    cdf += p;
  }
  return k;
}

/**
 * The CDF F(0), F(1), ... of Poisson(lambda) up to where it reaches 1 in float arithmetic (or the
 * same bound as `poisson`), with the last entry set to 1.
 */
export function poissonCdf(lambda: number): Float64Array {
  if (!(lambda > 0)) return Float64Array.of(1);
  if (lambda > MAX_POISSON_RATE) {
    throw new RangeError(`poissonCdf: lambda must be at most ${MAX_POISSON_RATE}, got ${lambda}`);
  }
  const limit = lambda + 40 * Math.sqrt(lambda) + 40;
  const out: number[] = [];
  let p = Math.exp(-lambda);
  let cdf = p;
  out.push(cdf);
  for (let k = 1; cdf < 1 && k < limit; k++) {
    p *= lambda / k;
    cdf += p;
    out.push(cdf);
  }
  out[out.length - 1] = 1;
  return Float64Array.from(out);
}
