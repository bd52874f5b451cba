/**
 * Noise corruptions of ImageNet-C: gaussian, shot (Poisson), impulse (salt and pepper) and, held
 * out, speckle. Noise is drawn per value (pixel and channel) in (row, column, channel) order from
 * the seeded generator. Per-pixel noise has no spatial scale, so nothing is scaled with resolution.
 */
import type { Rng } from '../../core/rng.js';
import type { Severity } from './errors.js';
import type { FloatRgbImage } from './image.js';
import { poisson, poissonCdf } from './poisson.js';

/** Standard deviation on the [0, 1] scale (reference: [.08, .12, .18, .26, .38]). */
export const GAUSSIAN_NOISE_SIGMA = [0.08, 0.12, 0.18, 0.26, 0.38] as const;
/** Photons per unit intensity: x ← Poisson(x · c) / c (reference: [60, 25, 12, 5, 3]). */
export const SHOT_NOISE_RATE = [60, 25, 12, 5, 3] as const;
/** Fraction of values set to 0 or 1, half each (reference: [.03, .06, .09, .17, .27]). */
export const IMPULSE_NOISE_AMOUNT = [0.03, 0.06, 0.09, 0.17, 0.27] as const;
/** Standard deviation of the multiplicative noise: x ← x + x · N(0, c) (reference: [.15, .2, .35, .45, .6]). */
export const SPECKLE_NOISE_SIGMA = [0.15, 0.2, 0.35, 0.45, 0.6] as const;

function mapValues(img: FloatRgbImage, f: (x: number) => number): FloatRgbImage {
  const out = new Float32Array(img.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = f((img.data[i] as number) / 255);
    out[i] = Math.min(1, Math.max(0, v)) * 255;
  }
  return { data: out, width: img.width, height: img.height };
}

/** x ← clip(x + N(0, c²)). */
export function gaussianNoise(img: FloatRgbImage, severity: Severity, rng: Rng): FloatRgbImage {
  const c = GAUSSIAN_NOISE_SIGMA[severity - 1] as number;
  return mapValues(img, (x) => x + c * rng.normal());
}

/**
 * x ← clip(Poisson(x · c) / c). For 8-bit values (integers 0..255) the Poisson CDF of each level is
 * tabulated once and sampled by bisection with one uniform, the same inversion as `poisson` but
 * without walking the CDF for every value.
 */
export function shotNoise(img: FloatRgbImage, severity: Severity, rng: Rng): FloatRgbImage {
  const c = SHOT_NOISE_RATE[severity - 1] as number;
  const tables = new Map<number, Float64Array>();
  const out = new Float32Array(img.data.length);
  for (let i = 0; i < out.length; i++) {
    const level = img.data[i] as number;
    let k: number;
    if (Number.isInteger(level)) {
      let cdf = tables.get(level);
      if (cdf === undefined) {
        cdf = poissonCdf((level / 255) * c);
        tables.set(level, cdf);
      }
      const u = rng.next();
      let lo = 0;
      let hi = cdf.length - 1;
      // smallest k with u ≤ F(k); the last entry is 1, so the search always ends inside the table
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (u <= (cdf[mid] as number)) hi = mid;
        else lo = mid + 1;
      }
      k = lo;
    } else k = poisson(rng, (level / 255) * c);
    out[i] = Math.min(1, k / c) * 255;
  }
  return { data: out, width: img.width, height: img.height };
}

/** Each value independently: with probability c, replaced by 0 or 1 (even odds), as skimage's 's&p'. */
export function impulseNoise(img: FloatRgbImage, severity: Severity, rng: Rng): FloatRgbImage {
  const c = IMPULSE_NOISE_AMOUNT[severity - 1] as number;
  return mapValues(img, (x) => {
    if (rng.next() >= c) return x;
    return rng.next() < 0.5 ? 1 : 0;
  });
}

/** x ← clip(x + x · N(0, c²)). */
export function speckleNoise(img: FloatRgbImage, severity: Severity, rng: Rng): FloatRgbImage {
  const c = SPECKLE_NOISE_SIGMA[severity - 1] as number;
  return mapValues(img, (x) => x + x * c * rng.normal());
}
