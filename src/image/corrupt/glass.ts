/**
 * Glass blur: Gaussian blur, then pixels swapped with a random neighbour within `delta` px, sweeping
 * the image bottom-right to top-left `iterations` times, then blurred again (reference order; the
 * blurred image is truncated to 8 bits between the steps as the reference does).
 *
 * Scaling: for images at least 224 px (s ≥ 1) sigma is multiplied by s and delta by s (rounded).
 * Below 224 px a swap distance cannot shrink under one pixel, so the corruption runs at the
 * reference scale instead: the image is enlarged by 1/s (bilinear), corrupted with the reference
 * parameters, and reduced back (box filter).
 */
import type { Rng } from '../../core/rng.js';
import { gaussianFilter } from './blur.js';
import type { Severity } from './errors.js';
import type { FloatRgbImage } from './image.js';
import { resample } from './taps.js';

/** (sigma px, max displacement px, iterations) at 224 px (reference values). */
export const GLASS_PARAMS: readonly (readonly [number, number, number])[] = [
  [0.7, 1, 2],
  [0.9, 2, 1],
  [1, 2, 3],
  [1.1, 3, 2],
  [1.5, 4, 2],
];

function glassAtScale(img: FloatRgbImage, severity: Severity, rng: Rng, scale: number): FloatRgbImage {
  const [sigma0, delta0, iterations] = GLASS_PARAMS[severity - 1] as readonly [number, number, number];
  const sigma = sigma0 * scale;
  const delta = Math.max(1, Math.round(delta0 * scale));
  const { width: w, height: h } = img;
  const x = gaussianFilter(img.data, w, h, 3, sigma);
  for (let i = 0; i < x.length; i++) x[i] = Math.floor(Math.min(255, Math.max(0, x[i] as number)));
  for (let it = 0; it < iterations; it++) {
    for (let r = h - delta; r > delta; r--) {
      for (let c = w - delta; c > delta; c--) {
        const dx = rng.int(2 * delta) - delta;
        const dy = rng.int(2 * delta) - delta;
        const a = (r * w + c) * 3;
        const b = ((r + dy) * w + (c + dx)) * 3;
        for (let ch = 0; ch < 3; ch++) {
          const t = x[a + ch] as number;
          x[a + ch] = x[b + ch] as number;
          x[b + ch] = t;
        }
      }
    }
  }
  const out = gaussianFilter(x, w, h, 3, sigma);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(255, Math.max(0, out[i] as number));
  return { data: out, width: w, height: h };
}

/** Glass blur; see the file comment for how the resolution is handled. */
export function glassBlur(img: FloatRgbImage, severity: Severity, rng: Rng, scale: number): FloatRgbImage {
  if (scale >= 1) return glassAtScale(img, severity, rng, scale);
  const { width, height } = img;
  const bigW = Math.round(width / scale);
  const bigH = Math.round(height / scale);
  const big = resample(img.data, width, height, 3, bigW, bigH, 'bilinear');
  const done = glassAtScale({ data: big, width: bigW, height: bigH }, severity, rng, 1);
  const out = resample(done.data, bigW, bigH, 3, width, height, 'box');
  return { data: out, width, height };
}
